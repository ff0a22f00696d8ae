"""What a user installs: the built wheel holds every module of the package."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_holds_every_module(tmp_path):
    # build from a copy, so that the checkout gets no build/ or egg-info
    source = tmp_path / "source"
    shutil.copytree(ROOT / "skgd", source / "skgd", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path / "dist"), str(source)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("skgd-*.whl")
    packaged = set(zipfile.ZipFile(wheel).namelist())
    modules = {path.relative_to(ROOT).as_posix() for path in (ROOT / "skgd").rglob("*.py")}
    assert "skgd/_solvers/__init__.py" in modules
    assert modules <= packaged, sorted(modules - packaged)
