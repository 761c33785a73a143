"""README.md is collected as a doctest (pyproject's testpaths); tests/conftest.py does not reach it here.

README runs one PyTorch recipe: without torch its doctest skips with the reason on a user's machine and
fails in CI (``CI=true``), like the torch tests.
"""

import importlib.util
import os

import pytest


def pytest_runtest_setup(item):
    if getattr(item, "path", None) is not None and item.path.name == "README.md":
        if importlib.util.find_spec("torch") is None:
            reason = "torch is not installed (pip install 'symconv[torch]'); README.md runs a PyTorch recipe"
            if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
                pytest.fail(f"{reason}, and CI=true requires it (install it in .ci/run)", pytrace=False)
            pytest.skip(reason)
