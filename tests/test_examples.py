"""The examples run, on smaller data, and reach what they claim."""

import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name, *argv):
    """The ``main`` of ``examples/<name>.py`` called with ``argv``.

    The examples leave their figures open (for the documentation's gallery to
    show); they are closed here.
    """
    try:
        return runpy.run_path(str(EXAMPLES / f"{name}.py"))["main"](list(argv))
    finally:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")


def test_streaming_from_disk_reaches_the_in_memory_model(capsys):
    gap = run_example(
        "stream_from_disk", "--rows", "20000", "--chunk-rows", "5000", "--passes", "5"
    )
    assert abs(gap) <= 1e-3
    assert "relative J gap to the in-memory model" in capsys.readouterr().out


def test_tumour_diagnosis(tmp_path):
    accuracy, malignant = run_example("tumour_diagnosis", "--out", str(tmp_path))
    assert accuracy > 0.95 and 0.0 <= malignant <= 1.0
    assert (tmp_path / "tumour_cost_curve.png").stat().st_size > 1000


def test_learning_rates(tmp_path):
    finals, caught = run_example("learning_rates", "--out", str(tmp_path))
    assert finals[1.0] < finals[0.01] < finals[300.0]  # good, too small, too large
    assert "learning_rate=1000" in str(caught)
    assert (tmp_path / "learning_rates.png").stat().st_size > 1000


def test_feature_scaling(tmp_path):
    iterations = run_example("feature_scaling", "--out", str(tmp_path))
    assert iterations["raw, alpha=5e-6"] == (4000, False)  # crawls to max_iter
    assert iterations["StandardScaler, alpha=1"][1] and iterations["raw, auto"][1]
    assert (tmp_path / "feature_scaling.png").stat().st_size > 1000


def test_solvers(tmp_path):
    gaps = run_example("solvers", "--out", str(tmp_path), "--rows", "20000")
    assert all(gap < 1e-4 for gap in gaps.values())
    assert (tmp_path / "solvers.png").stat().st_size > 1000


def test_dask_cluster_fits_the_in_memory_model(capsys):
    pytest.importorskip("distributed")
    difference, accuracy = run_example("dask_cluster", "--rows", "40000", "--chunks", "4")
    assert difference < 1e-10 and accuracy > 0.6
    assert "computed on the workers" in capsys.readouterr().out
