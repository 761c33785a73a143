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

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import SymconvError
from ..matrices import ConvMatrix
from ..structure import CONSTANT
from .core import Step, tuple_tex

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
        np.add.at(out[trial], s.rows[starts], np.add.reduceat(terms, starts))  # add.at: robust to any order
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
    try:
        B = _range(matrix, terms_per_output)
    except ValueError as exc:
        return Step(lhs, rhs, rule, "randomized identity", False, f"the matrix is malformed: {exc}", name=name)
    per_trial = math.log2((2 * B + 1) / 2)  # the false-pass probability per trial is at most 2/|S| = 2^-per_trial
    # one trial beyond the count that S itself would need: the bound is computed from the span of the values
    # actually drawn, which falls just short of S
    trials = max(1, math.ceil(bits / per_trial)) + 1
    ws = _draw(rng, B, (trials,) + tuple(weight_shape))
    xs = _draw(rng, B, (trials,) + tuple(matrix.col_shape))
    try:
        gots = _evaluate(matrix, ws, xs)
    except (IndexError, ValueError) as exc:
        return Step(lhs, rhs, rule, "randomized identity", False, f"the matrix cannot be evaluated: {exc}", name=name)
    run = 0
    for trial in range(len(ws)):
        got = gots[trial]
        try:
            want = np.asarray(reference(ws[trial], xs[trial])).astype(np.int64).ravel()
        except (SymconvError, ValueError, IndexError) as exc:
            return Step(lhs, rhs, rule, "randomized identity", False,
                        f"the definition cannot be applied: {exc}", name=name)
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
        run += 1
    # the bound reached, from what was run and drawn: trials compared, and the set the draws actually span
    lo = int(min(ws.min(initial=0), xs.min(initial=0))) if run else 0
    hi = int(max(ws.max(initial=0), xs.max(initial=0))) if run else 0
    reached = run * math.log2(max(hi - lo + 1, 1) / 2) if hi > lo else 0.0
    if reached < bits:
        return Step(lhs, rhs, rule, "randomized identity", False,
                    f"{run} trials agreed, with values in [{lo}, {hi}]: a wrong matrix would pass with probability "
                    f"up to 2^-{max(reached, 0):.0f}, short of the 2^-{bits} asked for", name=name)
    detail = (f"{run} trials with integer weights and inputs uniform in [{lo}, {hi}]: exact agreement; "
              f"a wrong matrix passes with probability at most 2^-{reached:.0f}")
    return Step(lhs, rhs, rule, "randomized identity", True, detail, name=name)


def _draw(rng: np.random.Generator, bound: int, shape: tuple[int, ...]) -> np.ndarray:
    """Integers uniform in [-bound, bound] (the set S of the Schwartz-Zippel bound)."""
    return rng.integers(-bound, bound + 1, shape, dtype=np.int64)


def _convention_conv(shape_out, x, m, stride, pad_left, dilation) -> np.ndarray:
    """PyTorch's documented cross-correlation for one tap: output i reads x at s i + d m - p_l (0 outside)."""
    grids = np.meshgrid(*(np.arange(n) for n in shape_out), indexing="ij")
    pos = [s * g + d * mi - p for g, s, d, mi, p in zip(grids, stride, dilation, m, pad_left)]
    inside = np.ones(grids[0].shape, dtype=bool) if grids else np.ones((), dtype=bool)
    for p, n in zip(pos, x.shape):
        inside &= (p >= 0) & (p < n)
    out = np.zeros(inside.shape, dtype=np.int64)
    out[inside] = x[tuple(p[inside] for p in pos)]
    return out


def convention_step(tspec: Any, input_shape: tuple[int, ...]) -> Step:
    """The numeric definitions are PyTorch's convention, checked tap by tap on a position ramp.

    With the weight ``e_m`` (one tap set to 1) and an input whose entries are distinct (1, 2, 3, ...),
    every output of ``numeric.conv`` must be the input at ``s i + d m - p_l`` (cross-correlation, not
    convolution: the kernel is not flipped), and ``numeric.conv_transpose`` must add input ``i`` at output
    ``s i + d m - p_l``.  The index equation is written here by hand from PyTorch's documentation, on purpose
    independently of :mod:`symconv.formulas` and of the reference's slices.
    """
    from ..numeric import conv, conv_transpose
    from ..spec import ConvSpec, TransposedConvSpec

    single = TransposedConvSpec(tspec.kernel_size, stride=tspec.stride, padding=tspec.padding,
                                output_padding=tspec.output_padding, dilation=tspec.dilation)
    conv_single = ConvSpec(tspec.kernel_size, stride=tspec.stride, padding=tspec.padding, dilation=tspec.dilation)
    # the convention is a property of the code for these parameters; an input long enough for both borders and
    # an interior of several strides shows it (the anchors then compare at the full size)
    t_in = tuple(min(n, 4 + 2 * (d * (k - 1) + p_l + p_r) // s + 2) for n, k, s, d, (p_l, p_r)
                 in zip(input_shape, tspec.kernel_size, tspec.stride, tspec.dilation, tspec.padding))
    s, p, d = tspec.stride, tspec.padding_left, tspec.dilation
    lhs, rhs = sympy_pair()
    rule = (r"the numeric definitions are PyTorch's: with one tap $m$ set to $1$ and distinct inputs, the "
            r"convolution's output $i$ is the input at $s i + d m - p_l$ (cross-correlation: the kernel is not "
            r"flipped), and the transposed convolution adds input $i$ at output $s i + d m - p_l$")
    try:
        n_t = single.output_shape(t_in)
        n_out = conv_single.output_shape(n_t)
        ramp_x = np.arange(1, int(np.prod(n_t)) + 1, dtype=np.int64).reshape(n_t)
        ramp_y = np.arange(1, int(np.prod(t_in)) + 1, dtype=np.int64).reshape(t_in)
        # one call per layer: tap m weighs R**m, so every output is a number in base R whose digit m is what
        # tap m read (inputs are below R, and one tap reads or writes at most one input per output)
        base = int(max(ramp_x.size, ramp_y.size)) + 1
        taps = list(np.ndindex(*tspec.kernel_size))
        weight = np.empty((1, 1) + tuple(tspec.kernel_size), dtype=object)
        for number, m in enumerate(taps):
            weight[(0, 0) + m] = base**number
        got = conv(conv_single, weight, ramp_x.astype(object)[None])[0]
        got_t = conv_transpose(single, weight, ramp_y.astype(object)[None])[0]
        if got.shape != tuple(n_out) or got_t.shape != tuple(n_t):
            return Step(lhs, rhs, rule, "enumeration", False,
                        f"the definitions give shapes {got.shape} and {got_t.shape}, expected {n_out} and {n_t}",
                        name="convention")
        for number, m in enumerate(taps):
            digit = (got // base**number) % base
            if not np.array_equal(digit.astype(np.int64), _convention_conv(n_out, ramp_x, m, s, p, d)):
                return Step(lhs, rhs, rule, "enumeration", False,
                            f"numeric.conv with tap {m} does not read the input at s i + d m - p_l", name="convention")
            want_t = np.zeros(n_t, dtype=np.int64)
            grids = np.meshgrid(*(np.arange(n) for n in t_in), indexing="ij")
            pos = [si * g + di * mi - pi for g, si, di, mi, pi in zip(grids, s, d, m, p)]
            inside = np.ones(grids[0].shape, dtype=bool)
            for q, n in zip(pos, n_t):
                inside &= (q >= 0) & (q < n)
            np.add.at(want_t, tuple(q[inside] for q in pos), ramp_y[inside])
            if not np.array_equal(((got_t // base**number) % base).astype(np.int64), want_t):
                return Step(lhs, rhs, rule, "enumeration", False,
                            f"numeric.conv_transpose with tap {m} does not add input i at s i + d m - p_l",
                            name="convention")
    except (SymconvError, ValueError, IndexError) as exc:
        return Step(lhs, rhs, rule, "enumeration", False, f"the definitions cannot be applied: {exc}",
                    name="convention")
    count = int(np.prod(tspec.kernel_size))
    return Step(lhs, rhs, rule, "enumeration", True,
                f"all {count} taps, every output position of both layers, on inputs 1, 2, 3, ... of spatial shape "
                f"{tuple_tex(t_in)}", name="convention")


@functools.lru_cache(maxsize=1)
def sympy_pair() -> tuple[Any, Any]:
    """``y[i] = sum_m w[m] x[s i + d m - p_l]``, the displayed convention."""
    import sympy

    from .evaluate import sequence

    i, m, s, d, p, k = sympy.symbols("i m s d p_l k", integer=True)
    Y, W, X = sequence("y"), sequence("w"), sequence("x")
    return Y(i), sympy.Sum(W(m) * X(s * i + d * m - p), (m, 0, k - 1))
