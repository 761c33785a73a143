"""Helpers shared by the derivation scripts (public API only)."""

from __future__ import annotations

import pathlib

from symconv.latex import write_atomic

HERE = pathlib.Path(__file__).resolve().parent


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
