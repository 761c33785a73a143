"""Anchoring a matrix to a definition: an exact randomized identity test.

A matrix ``A(w)`` built from the integer structure claims to be a layer whose
definition is the numeric reference ``f(w, x)`` (:mod:`symconv.numeric`,
written with slices and no index code shared with the structures).  Every
output entry of ``A(w) x - f(w, x)`` is a polynomial of degree at most 2 in the
entries of ``w`` and ``x``.  If it is not the zero polynomial, it vanishes at a
point drawn uniformly from ``S^n`` with probability at most ``2/|S|``
(Schwartz-Zippel); independent trials multiply.  Both sides are evaluated
exactly in int64: the range of ``S`` is chosen so that no sum can overflow.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..matrices import ConvMatrix
from ..structure import CONSTANT
from .core import Step

__all__ = ["anchor_step", "DEFAULT_BITS"]

DEFAULT_BITS = 60
"""The anchors make a false pass less likely than ``2**-DEFAULT_BITS``."""

_LIMIT = 2**62


def _evaluate(matrix: ConvMatrix, w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``A(w_t) x_t`` for every trial t (rows of ``w`` and ``x``), exactly in int64, term by term."""
    s = matrix.structure.row_major
    out = np.zeros((len(w), matrix.shape[0]), dtype=np.int64)
    if not s.rows.size:
        return out
    constant = bool((s.taps == CONSTANT).any())
    taps = np.where(s.taps == CONSTANT, w[0].size, s.taps) if constant else s.taps
    starts = np.flatnonzero(np.concatenate(([True], s.rows[1:] != s.rows[:-1])))
    coefs = None if s.unit else s.coefs.astype(np.int64)
    for trial in range(len(w)):
        weights = np.append(w[trial].ravel(), np.int64(1)) if constant else w[trial].ravel()
        terms = np.take(weights, taps) * np.take(x[trial].ravel(), s.cols)  # 1-D takes: 3x faster than 2-D
        if coefs is not None:
            terms *= coefs
        out[trial, s.rows[starts]] = np.add.reduceat(terms, starts)
    return out


def _range(matrix: ConvMatrix, terms_per_output: int) -> int:
    """The largest B such that sums of ``terms`` products of entries in [-B, B] (times the coefficients) fit."""
    s = matrix.structure
    per_row = int(np.bincount(s.rows, minlength=1).max()) if s.rows.size else 1
    coef = int(np.abs(s.coefs).max()) if s.coefs.size else 1
    count = max(per_row * coef, terms_per_output, 1)
    return max(1, min(math.isqrt(_LIMIT // count), 2**31))


def anchor_step(name: str, matrix: ConvMatrix, reference: Callable[[np.ndarray, np.ndarray], np.ndarray],
                weight_shape: tuple[int, ...], terms_per_output: int, lhs: Any, rhs: Any, rule: str, *,
                seed: int = 0, bits: int = DEFAULT_BITS) -> Step:
    """A step showing that ``matrix`` is the map ``reference`` (a randomized identity test with a stated bound).

    ``terms_per_output`` bounds the number of products the reference sums into one output entry.
    """
    rng = np.random.default_rng(seed)
    B = _range(matrix, terms_per_output)
    size = 2 * B + 1
    per_trial = math.log2(size / 2)  # the false-pass probability per trial is at most 2/|S| = 2^-per_trial
    trials = max(1, math.ceil(bits / per_trial))
    bound = trials * per_trial
    ws = rng.integers(-B, B + 1, (trials,) + tuple(weight_shape), dtype=np.int64)
    xs = rng.integers(-B, B + 1, (trials,) + tuple(matrix.col_shape), dtype=np.int64)
    gots = _evaluate(matrix, ws, xs)
    for trial in range(trials):
        got = gots[trial]
        want = np.asarray(reference(ws[trial], xs[trial])).astype(np.int64).ravel()
        if got.shape != want.shape:
            return Step(lhs, rhs, rule, "randomized identity", False,
                        f"the matrix gives {got.size} outputs, the definition {want.size}", name=name)
        diff = np.flatnonzero(got != want)
        if diff.size:
            where = tuple(int(v) for v in np.unravel_index(int(diff[0]), matrix.row_shape))
            return Step(lhs, rhs, rule, "randomized identity", False,
                        f"trial {trial + 1}: output (channel, position) = {where} is {int(got[diff[0]])} by the "
                        f"matrix and {int(want[diff[0]])} by the definition ({diff.size} of {got.size} outputs "
                        "differ); the matrix is not the definition", name=name)
    detail = (f"{trials} trials with integer weights and inputs uniform in [-{B}, {B}]: exact agreement; "
              f"a wrong matrix passes with probability at most 2^-{bound:.0f}")
    return Step(lhs, rhs, rule, "randomized identity", True, detail, name=name)
