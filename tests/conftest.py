"""Shared test helpers.

Optional tools (PyTorch, TeX, matplotlib) skip with a stated reason on a user's
machine without them, and fail in CI (``CI=true``), where they must run.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _missing(reason: str):
    if IN_CI:
        pytest.fail(f"{reason}, and CI=true requires it (install it in .ci/run)", pytrace=False)
    pytest.skip(reason)


def require_module(name: str, extra: str):
    """Import ``name`` or skip (fail in CI)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        _missing(f"{name} is not installed (pip install 'symconv[{extra}]')")


def require_program(name: str, package: str) -> str:
    """Path of an executable or skip (fail in CI)."""
    path = shutil.which(name)
    if path is None:
        _missing(f"{name} is not on PATH (Debian: apt-get install {package})")
    return path


@pytest.fixture(scope="session")
def torch():
    """PyTorch, for cross-checks (the `torch` extra)."""
    return require_module("torch", "torch")


@pytest.fixture(scope="session")
def pdflatex():
    """Path of pdflatex (Debian: texlive-latex-base, texlive-latex-recommended)."""
    return require_program("pdflatex", "texlive-latex-base texlive-latex-recommended")


@pytest.fixture(scope="session")
def pdffonts():
    """Path of pdffonts (Debian: poppler-utils)."""
    return require_program("pdffonts", "poppler-utils")


@pytest.fixture(scope="session")
def pdftotext():
    """Path of pdftotext (Debian: poppler-utils)."""
    return require_program("pdftotext", "poppler-utils")


try:  # hypothesis profiles: a few minutes by default, longer with SYMCONV_HYPOTHESIS_PROFILE=long
    from hypothesis import HealthCheck, settings

    settings.register_profile("default", max_examples=400, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow], derandomize=True)
    settings.register_profile("long", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile(os.environ.get("SYMCONV_HYPOTHESIS_PROFILE", "default"))
except ImportError:  # pragma: no cover - hypothesis is in the test extra
    pass


@pytest.fixture(scope="session")
def jax():
    """JAX on the CPU with 64-bit floats (the `jax` extra)."""
    module = require_module("jax", "jax")
    module.config.update("jax_enable_x64", True)
    return module

