"""Doctests outside tests/ that need an optional tool (tests/conftest.py does not reach them).

README.md (collected through pyproject's testpaths) runs one PyTorch recipe, and the drawing modules'
examples draw with matplotlib.  Without the tool they skip with the reason on a user's machine and fail in
CI (``CI=true``), like the tests that need it.
"""

import importlib.util
import os

import pytest

MATPLOTLIB_DOCTESTS = ("symconv.plot.draw.plot_", "symconv.plot.animate.")
"""Doctests that draw (matplotlib, the `figures` extra)."""


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason}, and CI=true requires it (install it in .ci/run)", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item):
    path = getattr(item, "path", None)
    if path is not None and path.name == "README.md" and importlib.util.find_spec("torch") is None:
        _missing("torch is not installed (pip install 'symconv[torch]'); README.md runs a PyTorch recipe")
    if (type(item).__name__ == "DoctestItem" and item.name.startswith(MATPLOTLIB_DOCTESTS)
            and importlib.util.find_spec("matplotlib") is None):
        _missing("matplotlib is not installed (pip install 'symconv[figures]'); the example draws")
