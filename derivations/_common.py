"""Helpers shared by the derivation scripts (public API only)."""

from __future__ import annotations

import pathlib

from symconv.latex import write_atomic
from symconv.plot import STYLE

HERE = pathlib.Path(__file__).resolve().parent

FIGURE_STYLE = {**STYLE, "font.size": 8}
"""matplotlib settings of every figure the derivations include: symconv.plot's STYLE (the documents' Computer
Modern, vector fonts), with 8 pt as the default size."""

TEXT_WIDTH = 8.5 - 2 * 2.2 / 2.54
"""The documents' text width in inches (symconv.latex.document: 11 pt article on letter paper, margins 2.2 cm)."""


def write(name: str, text: str) -> pathlib.Path:
    """Write ``derivations/<name>.tex`` atomically and return its path."""
    path = HERE / f"{name}.tex"
    write_atomic(path, text)
    return path


def require(proof):
    """Stop the script if a proof does not hold: a derivation never prints an unproved claim."""
    if not proof.holds:
        raise SystemExit(f"{proof.title}: {proof.failure}")
    return proof
