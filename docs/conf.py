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



def _object(path: str):
    """The object a dotted path names, or None."""
    import importlib

    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
        return obj
    return None


def _documented(env) -> dict:
    """id of each documented object -> the name it is documented under (functions, classes, modules)."""
    if not hasattr(env, "_symconv_documented"):
        names = {}
        for full in env.get_domain("py").objects:
            obj = _object(full)
            if obj is not None and (callable(obj) or isinstance(obj, type(sys))):
                names.setdefault(id(obj), full)
        env._symconv_documented = names
    return env._symconv_documented


def _resolve_public(app, env, node, contnode):
    """Resolve ``ConvSpec``, ``symconv.ConvSpec``, ``symconv.prove_transpose`` ...: public through the packages'
    ``__init__`` (where docstrings name them), documented where api.md's automodule puts them."""
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip("~.")
    module = node.get("py:module") or ""
    owners = [module.rsplit(".", i)[0] for i in range(module.count(".") + 1)] if module else []
    for candidate in [target] + [f"{owner}.{target}" for owner in owners] + [f"symconv.{target}"]:
        obj = _object(candidate)
        if obj is None or not (callable(obj) or isinstance(obj, type(sys))):
            continue
        full = _documented(env).get(id(obj))
        if full is not None and full != target:
            return env.get_domain("py").resolve_xref(env, node["refdoc"], app.builder, "obj", full, node, contnode)
    return None


def setup(app):
    app.connect("missing-reference", _resolve_public)
