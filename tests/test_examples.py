"""The examples run, on smaller data, and reach what they claim."""

import runpy
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name, *argv):
    """The ``main`` of ``examples/<name>.py`` called with ``argv``."""
    return runpy.run_path(str(EXAMPLES / f"{name}.py"))["main"](list(argv))


def test_streaming_from_disk_reaches_the_in_memory_model(capsys):
    gap = run_example("stream_from_disk", "--rows", "20000", "--chunk-rows", "5000", "--passes", "5")
    assert abs(gap) <= 1e-3
    assert "relative J gap to the in-memory model" in capsys.readouterr().out
