"""The benchmark suite's smoke mode runs end to end, so the suite cannot rot."""

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")
pytestmark = pytest.mark.slow  # minutes: CI runs them with python -m pytest -m slow

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def test_smoke_run_writes_table_and_plots(tmp_path):
    completed = subprocess.run(
        [sys.executable, str(RUN), "--smoke", "--out", str(tmp_path)],
        capture_output=True, text=True, check=True, timeout=600,
    )
    machine, run, _, *lines = (tmp_path / "smoke.md").read_text().splitlines()
    assert machine.startswith("Machine: ") and run.startswith("Run: ") and " at commit " in run
    table = "\n".join(lines).strip()
    assert completed.stdout.strip().endswith(f"{table}\n\n{run}")  # stdout shows the same
    for model in ["skgd gd", "skgd agd", "skgd sgd", "LogisticRegression()",
                  "LogisticRegression(newton-cholesky)", "LogisticRegression(saga)",
                  "SGDClassifier(log_loss)"]:
        assert f"| {model} |" in table
    problems = ["breast-cancer", "digits", "dense-binary", "dense-float32",
                "dense-multinomial", "sparse-text", "unscaled"]
    hard = ["rare-binary", "tfidf-20", "letters-26", "images-10", "collinear"]
    for problem in hard:  # the ill-conditioned ones, each against saga too
        assert f"| {problem} | LogisticRegression(saga) |" in table
    problems += hard
    for problem in problems:
        assert (tmp_path / f"smoke-{problem}.png").stat().st_size > 1000
        assert f"| {problem} | skgd gd |" in table
    assert "| J - J* (rel) | max \\|w - w*\\| |" in table  # accuracy beside the time
    assert "| interleaved fits |" in table  # skgd's float64 against float32 fit
    assert "| epoch ratio, 1000000 over 1000 columns |" in table  # sparse scale
    # the reference's ratio to itself is exactly 1
    assert table.count("| LogisticRegression() |") == len(problems)
    assert all("| 1.00 |" in line for line in table.splitlines()
               if "| LogisticRegression() |" in line)


def test_cluster_smoke_run_compares_in_memory_dask_and_dask_ml(tmp_path):
    pytest.importorskip("distributed")
    cluster = RUN.parent / "cluster.py"
    subprocess.run(
        [sys.executable, str(cluster), "--smoke", "--out", str(tmp_path)],
        capture_output=True, text=True, check=True, timeout=600,
    )
    report = (tmp_path / "cluster-smoke.md").read_text()
    for row in ["| skgd gd | in memory |", "| skgd gd | dask |", "| skgd agd | dask |"]:
        assert row in report
    assert "| dask-ml" in report  # its rows, or that it is not installed
    assert "Client memory during a dask gd fit" in report


def test_device_smoke_run_times_numpy_against_torch_on_cpu(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("array_api_compat")
    subprocess.run(
        [sys.executable, str(RUN), "--device", "cpu", "--smoke", "--out", str(tmp_path)],
        capture_output=True, text=True, check=True, timeout=600,
    )
    report = (tmp_path / "device-cpu-smoke.md").read_text()
    for problem in ["dense-binary", "dense-float32", "dense-multinomial"]:
        for fit in ["skgd gd (default) | numpy", "skgd gd (default) | cpu",
                    "LogisticRegression() | numpy", "LogisticRegression() | cpu"]:
            assert f"| {problem} | {fit} |" in report
