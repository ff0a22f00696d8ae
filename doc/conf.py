"""Sphinx configuration of skgd's documentation.

Build (from the repository root; warnings are errors)::

    python -m sphinx -W --keep-going -b html doc doc/_build/html

Everything the build generates stays under doc/: doc/_build (output),
doc/auto_examples (the gallery), doc/generated (API pages and the benchmark
results copied from benchmarks/results).
"""

import re
import shutil
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

DOC = Path(__file__).resolve().parent
ROOT = DOC.parent
sys.path.insert(0, str(ROOT))  # document the source tree, installed or not

import skgd  # noqa: E402

# -- Project -----------------------------------------------------------------

project = "skgd"
author = "skgd developers"
copyright = "skgd developers"
version = release = skgd.__version__

# -- General -----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
    "myst_parser",
]
# no sphinx.ext.intersphinx: the build must not need the network

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
templates_path = ["_templates"]
exclude_patterns = ["_build", "generated/benchmarks/*.md"]  # the .md are included
root_doc = "index"
default_role = "literal"  # `x` in the docs is code, as in the README
pygments_style = "sphinx"
highlight_language = "none"  # literal blocks (J in the docstrings) are not Python

# -- API pages: autosummary + numpydoc ----------------------------------------

autosummary_generate = True
autodoc_default_options = {}
autodoc_typehints = "none"
numpydoc_show_class_members = False  # members are listed by the class template
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- myst (markdown) ----------------------------------------------------------

myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 2

# -- matplotlib plot directive ----------------------------------------------

plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]
plot_rcparams = {"figure.figsize": (6.0, 3.6), "figure.dpi": 100, "savefig.bbox": "tight"}
plot_apply_rcparams = True
plot_pre_code = "import numpy as np\nimport matplotlib.pyplot as plt\n"

# -- sphinx-gallery -----------------------------------------------------------

# Only the fast examples run at build time; the others are rendered, not run.
_EXECUTED = ("tumour_diagnosis", "learning_rates", "feature_scaling")
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"[\\/](" + "|".join(_EXECUTED) + r")\.py$",
    "download_all_examples": False,
    "write_computation_times": False,  # no sg_execution_times.rst in doc/
    "show_memory": False,
    "show_signature": False,
    "remove_config_comments": True,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "binder": {},
    "jupyterlite": None,
    "first_notebook_cell": None,
    "min_reported_time": 1,
}

# -- HTML -------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"skgd {release}"
html_static_path = ["_static"]
html_css_files = ["skgd.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_prev_next": True,
    # the benchmark tables need the width of the page
    "secondary_sidebar_items": {"**": ["page-toc"], "benchmarks": []},
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "navigation_with_keys": False,
    "header_links_before_dropdown": 8,
}
html_sidebars = {  # pages without sub-pages have no section navigation
    page: [] for page in ("index", "getting_started", "solvers", "scaling", "api", "benchmarks")
}

# -- Benchmark results, copied from benchmarks/results at build time ----------

RESULTS = ROOT / "benchmarks" / "results"
GENERATED = DOC / "generated" / "benchmarks"
BENCHMARK_FILES = {  # generated markdown name: recorded result
    "main": "full.md",
    "cluster": "cluster-full.md",
    "device": "device-cpu-full.md",
}
BENCHMARK_PLOTS = ("dense-binary", "sparse-text", "unscaled", "images-10")


def _markdown_table_safe(text):
    """Escape the pipes of an absolute value inside a table cell (``max |w - w*|``).

    Unescaped, they split the cell and the row no longer matches its
    delimiter row, so that markdown (GitHub's too) shows no table.  Cell
    separators have spaces on both sides; these pipes have text on one.
    Consecutive lines of text are kept apart by hard line breaks.
    """
    lines = text.splitlines()
    out = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line.startswith("|") and not re.fullmatch(r"[|:\- ]+", line):
            line = re.sub(r"(?<=\s)\|(\S(?:[^|]*\S)?)\|(?=\s)", r"\\|\1\\|", line)
        elif line.strip() and following.strip() and not following.startswith("|"):
            line += "\\"  # lines of text (Machine: ..., Run: ...) stay lines: a hard break
        out.append(line)
    return "\n".join(out) + "\n"


def write_benchmark_pages(app):
    """Copy the latest recorded benchmark results into doc/generated/benchmarks."""
    GENERATED.mkdir(parents=True, exist_ok=True)
    for name, filename in BENCHMARK_FILES.items():
        source = RESULTS / filename
        if source.exists():
            text = _markdown_table_safe(source.read_text(encoding="utf-8"))
        else:
            text = f"*No recorded results: `benchmarks/results/{filename}` does not exist.*\n"
        target = GENERATED / f"{name}.md"
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    for problem in BENCHMARK_PLOTS:
        source = RESULTS / f"full-{problem}.png"
        target = GENERATED / f"full-{problem}.png"
        if source.exists():
            shutil.copyfile(source, target)
        elif not target.exists():
            _placeholder_png(target, problem)


def _placeholder_png(path, problem):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 1))
    ax.axis("off")
    ax.text(0.5, 0.5, f"no recorded plot for {problem}", ha="center", va="center")
    fig.savefig(path, dpi=60)
    plt.close(fig)


def setup(app):
    app.connect("builder-inited", write_benchmark_pages)

