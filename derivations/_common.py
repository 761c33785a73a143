"""Helpers shared by the derivation scripts (public API only)."""

from __future__ import annotations

import pathlib

from symconv.latex import write_atomic

HERE = pathlib.Path(__file__).resolve().parent

FIGURE_STYLE = {
    "font.family": ["cmr10", "DejaVu Serif"],  # Computer Modern (shipped with matplotlib), the text's look;
    # DejaVu Serif supplies, glyph by glyph, what cmr10 lacks (the minus sign, subscript digits)
    "mathtext.fontset": "cm",
    "axes.formatter.use_mathtext": True,  # tick labels in mathtext: a true minus sign
    "axes.unicode_minus": True,
    "pdf.fonttype": 42,  # TrueType in the PDF, no bitmap Type 3 fonts
    "font.size": 8,
}
"""matplotlib settings of every figure the derivations include (fonts matching the text, vector output)."""


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
