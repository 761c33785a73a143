"""Doctests outside tests/ that need an optional tool (tests/conftest.py does not reach them).

README.md and the documentation's pages (collected through pyproject's testpaths) run PyTorch recipes and
draw, and so do the drawing modules' examples.  Without the tool they skip with the reason on a user's
machine and fail in CI (``CI=true``), like the tests that need it.
"""

import importlib.util
import os
import re

import pytest

collect_ignore = ["docs/conf.py"]  # Sphinx's configuration, not a module to import under --doctest-modules
collect_ignore_glob = ["docs/_build/*", "docs/generated/*"]

MATPLOTLIB_DOCTESTS = ("symconv.plot.draw.plot_", "symconv.plot.draw.tap_colors", "symconv.plot.animate.",
                       "symconv.plot.polyphase.plot_", "symconv.plot.gram.plot_")
"""Doctests that draw (matplotlib, the `figures` extra); ``fit_text`` and the data functions need none."""

DOCTEST_IMPORTS = (("torch", "torch", "runs PyTorch"), ("jax", "jax", "runs JAX"),
                   ("matplotlib", "figures", "draws"))
"""Tools a docstring's example may import: (module, extra, what the example does with it)."""


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason}, and CI=true requires it (install it in .ci/run)", pytrace=False)
    pytest.skip(reason)


def _draws(item) -> bool:
    """Whether a docstring's example calls a drawing function of symconv.plot (``plot_*``, ``animate``)."""
    dtest = getattr(item, "dtest", None)
    source = "".join(example.source for example in dtest.examples) if dtest is not None else ""
    return bool(re.search(r"\b(plot_\w+|animate|save_figure|save_animation)\(", source))


def pytest_runtest_setup(item):
    path = getattr(item, "path", None)
    if path is not None and path.suffix == ".md":
        text = path.read_text(encoding="utf-8")
        for module, extra, what in (("torch", "torch", "runs a PyTorch recipe"), ("matplotlib", "figures", "draws")):
            if f"import {module}" in text and importlib.util.find_spec(module) is None:
                _missing(f"{module} is not installed (pip install 'symconv[{extra}]'); {path.name} {what}")
    if (type(item).__name__ == "DoctestItem" and importlib.util.find_spec("matplotlib") is None
            and (item.name.startswith(MATPLOTLIB_DOCTESTS) or _draws(item))):
        _missing("matplotlib is not installed (pip install 'symconv[figures]'); the example draws")
    if type(item).__name__ == "DoctestItem" and getattr(item, "dtest", None) is not None:
        source = "".join(example.source for example in item.dtest.examples)
        for module, extra, what in DOCTEST_IMPORTS:
            if re.search(rf"\b(import|from)\s+{module}\b", source) and importlib.util.find_spec(module) is None:
                _missing(f"{module} is not installed (pip install 'symconv[{extra}]'); the example {what}")
