"""Sphinx configuration of symconv's documentation site (built in CI with warnings as errors).

Build: ``pip install -e ".[docs]" -c constraints.txt && python -m sphinx -W --keep-going -b html docs docs/_build/html``

Before the build, the tour notebook is copied in (it is executed and checked by tests/test_notebook.py, so the
site shows its saved outputs) and the derivations' ``.tex`` are compiled to PDF with pdflatex (needed: TeX is
required to build the site).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import symconv  # noqa: E402
from symconv.latex.output import compile_pdf  # noqa: E402

project = "symconv"
author = "the symconv authors"
copyright = "the symconv authors, MIT license"
release = version = symconv.__version__

extensions = ["myst_nb", "sphinx.ext.autodoc", "numpydoc", "sphinx.ext.mathjax"]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "generated/jupyter_execute", "**.ipynb_checkpoints"]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
nb_execution_mode = "off"  # the tour's saved outputs: tests/test_notebook.py re-runs it and checks they are current
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
html_theme = "alabaster"
html_title = f"symconv {release}"
suppress_warnings = ["myst.header"]

GENERATED = HERE / "generated"
DOCUMENTS = ("seed_question", "theorem_general", "instance_2d_groups", "checkerboard", "gram", "arithmetic")


def _prepare() -> None:
    """The tour and the derivations' PDFs, into docs/generated (not committed)."""
    pdf = GENERATED / "pdf"
    pdf.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "derivations" / "tour.ipynb", GENERATED / "tour.ipynb")
    derivations = ROOT / "derivations"
    # the documents include figures/...: found through TEXINPUTS next to the committed .tex
    os.environ["TEXINPUTS"] = str(derivations) + os.pathsep + os.environ.get("TEXINPUTS", "")
    for name in DOCUMENTS:
        source, target = derivations / f"{name}.tex", pdf / f"{name}.pdf"
        if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
            continue
        shutil.copyfile(source, pdf / f"{name}.tex")
        compile_pdf(pdf / f"{name}.tex", runs=2)
        (pdf / f"{name}.tex").unlink()


_prepare()
