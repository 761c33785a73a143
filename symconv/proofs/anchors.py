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


# -- PyTorch's written definitions, by hand -----------------------------------------------------------------
# These few lines restate torch.nn.Conv{N}d's and ConvTranspose{N}d's documentation on purpose without
# symconv.formulas or the numeric reference's slices, so that a mistake made alike in every builder and in the
# reference (a consistent mistake) still disagrees with them.

def _torch_n_out(n, k, s, p_l, p_r, d):
    """Conv{N}d's output length: floor((n + p_l + p_r - d (k - 1) - 1) / s) + 1."""
    return (n + p_l + p_r - d * (k - 1) - 1) // s + 1


def _torch_n_t(n, k, s, p_l, p_r, d, a):
    """ConvTranspose{N}d's output length: (n - 1) s - (p_l + p_r) + d (k - 1) + a + 1 (any 0 <= a < max(s, d))."""
    return (n - 1) * s - (p_l + p_r) + d * (k - 1) + a + 1


def _torch_read(out_shape, x, m, stride, pad_left, dilation) -> np.ndarray:
    """Cross-correlation for one tap: output i reads x at s i + d m - p_l (0 outside the input)."""
    grids = np.meshgrid(*(np.arange(n) for n in out_shape), indexing="ij")
    pos = [s * g + d * mi - p for g, s, d, mi, p in zip(grids, stride, dilation, m, pad_left)]
    inside = np.ones(grids[0].shape, dtype=bool)
    for q, n in zip(pos, x.shape):
        inside &= (q >= 0) & (q < n)
    out = np.zeros(inside.shape, dtype=np.int64)
    out[inside] = x[tuple(q[inside] for q in pos)]
    return out


def _torch_add(out_shape, y, m, stride, pad_left, dilation) -> np.ndarray:
    """Transposed convolution for one tap: input i is added at output s i + d m - p_l (dropped outside)."""
    grids = np.meshgrid(*(np.arange(n) for n in y.shape), indexing="ij")
    pos = [s * g + d * mi - p for g, s, d, mi, p in zip(grids, stride, dilation, m, pad_left)]
    inside = np.ones(grids[0].shape, dtype=bool)
    for q, n in zip(pos, out_shape):
        inside &= (q >= 0) & (q < n)
    out = np.zeros(tuple(out_shape), dtype=np.int64)
    np.add.at(out, tuple(q[inside] for q in pos), y[inside])
    return out


def _reduced(tspec: Any) -> tuple[int, int, int]:
    """(groups, input channels per group, output channels per group) of the layer the convention is checked on:
    the layer's own, reduced to at most two groups of at most two channels each (two of each are enough to
    tell every channel and group formula from its neighbours)."""
    g = min(tspec.groups, 2)
    return g, min(tspec.in_channels // tspec.groups, 2), min(tspec.out_channels // tspec.groups, 2)


def convention_step(tspec: Any, input_shape: tuple[int, ...]) -> Step:
    """The numeric definitions are PyTorch's written ones: index equation, lengths, weight layouts and groups.

    Checked on the proof's own layer (reduced to at most two groups of two channels, keeping two of each where
    the layer has them), on an input long enough for both borders and a few strides of interior:

    * the output lengths of ``spec.output_shape`` on the proof's sizes, and of both numeric definitions, are
      PyTorch's ``n_out`` and ``n_T`` (output padding ``a >= s`` included);
    * the weight layouts are ``(C_out, C_in/g, k...)`` and ``(C_in, C_out/g, k...)``;
    * with one weight row set to powers of a base (so every output is a number whose digits are what each
      (channel, tap) read) and distinct inputs, output channel ``o`` of the convolution reads, through
      ``w[o, l, m]``, input channel ``γ C_in/g + l`` at ``s i + d m - p_l``, with ``γ = ⌊o / (C_out/g)⌋``;
      and input channel ``c`` of the transposed convolution adds ``w[c, l, m] y[c, i]`` to output channel
      ``γ C_out/g + l`` at ``s i + d m - p_l``, with ``γ = ⌊c / (C_in/g)⌋``.

    Every one of these is written out here from PyTorch's documentation, without :mod:`symconv.formulas`.
    """
    from ..numeric import conv, conv_transpose
    from ..spec import ConvSpec, TransposedConvSpec

    lhs, rhs = sympy_pair()
    rule = (r"the numeric definitions are PyTorch's written ones: output $i$ of channel $o$ reads input channel "
            r"$\gamma C_{\mathrm{in}}/g + l$ at $s i + d m - p_l$ through $w[o, l, m]$, with "
            r"$\gamma = \lfloor o g / C_{\mathrm{out}} \rfloor$ (cross-correlation: the kernel is not flipped); the "
            r"transposed convolution adds $w[c, l, m]\, y[c, i]$ to output channel $\gamma C_{\mathrm{out}}/g + l$ at "
            r"$s i + d m - p_l$; and the output lengths are $n_{\mathrm{out}}$ and $n_T$")

    def fail(why: str) -> Step:
        return Step(lhs, rhs, rule, "enumeration", False, why, name="convention")

    k, s, d, a = tspec.kernel_size, tspec.stride, tspec.dilation, tspec.output_padding
    pads = tspec.padding
    p = tuple(pl for pl, _ in pads)
    try:
        # lengths on the proof's own sizes, by PyTorch's formulas
        want_t = tuple(_torch_n_t(n, *ax) for n, ax in zip(input_shape, zip(k, s, p, (pr for _, pr in pads), d, a)))
        if tuple(tspec.output_shape(input_shape)) != want_t:
            return fail(f"the transposed layer's output shape is {tuple_tex(tspec.output_shape(input_shape))}; "
                        f"PyTorch's n_T gives {tuple_tex(want_t)}")
        want_out = tuple(_torch_n_out(n, kk, ss, pl, pr, dd) for n, kk, ss, (pl, pr), dd in zip(want_t, k, s, pads, d))
        conv_full = ConvSpec(k, stride=s, padding=pads, dilation=d)
        if tuple(conv_full.output_shape(want_t)) != want_out:
            return fail(f"the convolution's output shape on {tuple_tex(want_t)} is "
                        f"{tuple_tex(conv_full.output_shape(want_t))}; PyTorch's n_out gives {tuple_tex(want_out)}")
        g, ci, co = _reduced(tspec)  # the transposed layer's channels per group: ci inputs, co outputs
        single = TransposedConvSpec(k, stride=s, padding=pads, output_padding=a, dilation=d,
                                    in_channels=g * ci, out_channels=g * co, groups=g)
        conv_single = ConvSpec(k, stride=s, padding=pads, dilation=d, in_channels=g * co, out_channels=g * ci, groups=g)
        if single.weight_shape != (g * ci, co) + tuple(k) or conv_single.weight_shape != (g * ci, co) + tuple(k):
            return fail(f"the weight layouts are {single.weight_shape} and {conv_single.weight_shape}; PyTorch's "
                        f"are (C_in, C_out/g, k...) = {(g * ci, co) + tuple(k)} and (C_out, C_in/g, k...) = "
                        f"{(g * ci, co) + tuple(k)}")
        t_in = tuple(min(n, 4 + 2 * (dd * (kk - 1) + pl + pr) // ss + 2) for n, kk, ss, dd, (pl, pr)
                     in zip(input_shape, k, s, d, pads))
        n_t = tuple(_torch_n_t(n, kk, ss, pl, pr, dd, aa) for n, kk, ss, (pl, pr), dd, aa in zip(t_in, k, s, pads, d, a))
        n_out = tuple(_torch_n_out(n, kk, ss, pl, pr, dd) for n, kk, ss, (pl, pr), dd in zip(n_t, k, s, pads, d))
        taps = list(np.ndindex(*k))
        # the convolution: C_in = g co, C_out = g ci; inputs 1, 2, 3, ... over (channel, position)
        x = np.arange(1, g * co * int(np.prod(n_t)) + 1, dtype=np.int64).reshape((g * co,) + n_t)
        base = int(x.size) + 1
        for o in range(g * ci):
            weight = np.zeros(conv_single.weight_shape, dtype=object)
            for l in range(co):
                for number, m in enumerate(taps):
                    weight[(o, l) + m] = base ** (l * len(taps) + number)
            got = conv(conv_single, weight, x.astype(object))
            if got.shape != (g * ci,) + n_out:
                return fail(f"numeric.conv gives shape {got.shape}, PyTorch's n_out gives {(g * ci,) + n_out}")
            group = o // ci  # output channel o lies in group floor(o / (C_out/g))
            for other in range(g * ci):
                for l in range(co):
                    for number, m in enumerate(taps):
                        digit = (got[other] // base ** (l * len(taps) + number)) % base
                        want = (_torch_read(n_out, x[group * co + l], m, s, p, d) if other == o
                                else np.zeros(n_out, dtype=np.int64))
                        if not np.array_equal(digit.astype(np.int64), want):
                            return fail(f"numeric.conv: output channel {other} through w[{o}, {l}, tap {m}] does not "
                                        f"read input channel {group * co + l} at s i + d m - p_l"
                                        if other == o else
                                        f"numeric.conv: w[{o}, {l}, tap {m}] reaches output channel {other}")
        # the transposed convolution: C_in = g ci, C_out = g co
        y = np.arange(1, g * ci * int(np.prod(t_in)) + 1, dtype=np.int64).reshape((g * ci,) + t_in)
        base = int(y.size) + 1
        for c in range(g * ci):
            weight = np.zeros(single.weight_shape, dtype=object)
            for l in range(co):
                for number, m in enumerate(taps):
                    weight[(c, l) + m] = base ** (l * len(taps) + number)
            got = conv_transpose(single, weight, y.astype(object))
            if got.shape != (g * co,) + n_t:
                return fail(f"numeric.conv_transpose gives shape {got.shape}, PyTorch's n_T gives {(g * co,) + n_t}")
            group = c // ci  # input channel c lies in group floor(c / (C_in/g))
            for out_c in range(g * co):
                for l in range(co):
                    for number, m in enumerate(taps):
                        digit = (got[out_c] // base ** (l * len(taps) + number)) % base
                        want = (_torch_add(n_t, y[c], m, s, p, d) if out_c == group * co + l
                                else np.zeros(n_t, dtype=np.int64))
                        if not np.array_equal(digit.astype(np.int64), want):
                            return fail(f"numeric.conv_transpose: w[{c}, {l}, tap {m}] times input channel {c} is not "
                                        f"added at s i + d m - p_l of output channel {group * co + l}"
                                        if out_c == group * co + l else
                                        f"numeric.conv_transpose: w[{c}, {l}, tap {m}] reaches output channel {out_c}")
    except (SymconvError, ValueError, IndexError, TypeError, ZeroDivisionError) as exc:
        return fail(f"the definitions cannot be applied: {type(exc).__name__}: {exc}")
    layer = f"{g} group{'s' if g > 1 else ''} of {ci} input and {co} output channels"
    return Step(lhs, rhs, rule, "enumeration", True,
                f"output lengths n_T = {tuple_tex(want_t)} and n_out = {tuple_tex(want_out)} on the proof's sizes; "
                f"weight layouts; every (channel, tap) pair of both layers ({layer}, {len(taps)} taps) on inputs "
                f"1, 2, 3, ... of spatial shape {tuple_tex(t_in)}, every output position", name="convention")


@functools.lru_cache(maxsize=1)
def sympy_pair() -> tuple[Any, Any]:
    """``y[i] = sum_m w[m] x[s i + d m - p_l]``, the displayed convention."""
    import sympy

    from .evaluate import sequence

    i, m, s, d, p, k = sympy.symbols("i m s d p_l k", integer=True)
    Y, W, X = sequence("y"), sequence("w"), sequence("x")
    return Y(i), sympy.Sum(W(m) * X(s * i + d * m - p), (m, 0, k - 1))
