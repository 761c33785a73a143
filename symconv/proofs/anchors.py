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
from .core import Step

__all__ = ["anchor_step", "bound_reached", "range_words", "repeated_values", "DEFAULT_BITS"]

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
    taps = (np.where(s.taps == CONSTANT, w[0].size, s.taps) if constant else s.taps).astype(np.intp)
    cols = s.cols.astype(np.intp)  # once: np.take would convert 32-bit indices on every trial
    starts = np.flatnonzero(np.concatenate(([True], s.rows[1:] != s.rows[:-1])))
    coefs = None if s.unit else s.coefs.astype(np.int64)
    for trial in range(len(w)):
        weights = np.append(w[trial].ravel(), np.int64(1)) if constant else w[trial].ravel()
        terms = np.take(weights, taps) * np.take(x[trial].ravel(), cols)  # 1-D takes: 3x faster than 2-D
        if coefs is not None:
            terms *= coefs
        np.add.at(out[trial], s.rows[starts], np.add.reduceat(terms, starts))  # add.at: robust to any order
    return out


def range_words(bound: int) -> str:
    """The sampling set ``[-bound, bound]`` in words, its size as a power of two (no long numbers on the page).

    Parameters
    ----------
    bound : int
        The largest absolute value drawn (at least 1).

    Returns
    -------
    str
        Plain text; :func:`~symconv.latex.printing.text_latex` typesets its powers ``2^31`` as mathematics.

    Examples
    --------
    >>> range_words(2**31)
    'the integers of absolute value at most 2^31'
    >>> range_words(1239850262)
    'the integers of absolute value at most a bound between 2^30 and 2^31'
    >>> range_words(7)
    'the integers of absolute value at most 7'
    """
    if bound < 1024:
        return f"the integers of absolute value at most {bound}"
    e = bound.bit_length() - 1  # 2^e <= bound < 2^(e + 1)
    if bound == 1 << e:
        return f"the integers of absolute value at most 2^{e}"
    return f"the integers of absolute value at most a bound between 2^{e} and 2^{e + 1}"


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
    if matrix.shape[0] * matrix.shape[1] == 0:
        return Step(lhs, rhs, rule, "randomized identity", False,
                    f"the matrix has shape {matrix.shape}: no entries, so nothing was compared", name=name)
    per_trial = math.log2((2 * B + 1) / 2)  # the false-pass probability per trial is at most 2/|S| = 2^-per_trial
    trials = max(1, math.ceil(bits / per_trial))
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
    reached, why = bound_reached(ws[:run], xs[:run], B, bits)
    if why:
        return Step(lhs, rhs, rule, "randomized identity", False, f"{run} trials agreed, but {why}", name=name)
    detail = (f"{run} trials with weights and inputs drawn uniformly from {range_words(B)}: exact agreement; "
              f"a wrong matrix passes with probability at most 2^-{reached:.0f}")
    return Step(lhs, rhs, rule, "randomized identity", True, detail, name=name)


def bound_reached(ws: np.ndarray, xs: np.ndarray, B: int, bits: int) -> tuple[float, str]:
    """The Schwartz-Zippel bound the trials actually run reach, and why it falls short ('' when it does not).

    ``ws`` and ``xs`` hold one row per trial run.  The bound ``2/|S|`` per trial holds for independent points
    drawn uniformly from ``S = [-B, B]``; so the draws are checked against what uniform draws would look like
    with overwhelming probability: inside S, no trial a repeat of another, no more repeated values than the
    birthday count predicts (plus a generous margin), and a span reaching near both ends of S.  The bound
    counts the distinct trials only.
    """
    size = 2 * B + 1
    values = np.concatenate([ws.reshape(len(ws), -1), xs.reshape(len(xs), -1)], axis=1) if len(ws) else np.zeros((0, 0))
    if values.shape[0] == 0 or values.shape[1] == 0:
        return 0.0, f"no point was drawn, so nothing bounds a false pass (2^-{bits} asked for)"
    lo, hi = int(values.min()), int(values.max())
    if lo < -B or hi > B:
        return 0.0, f"values were drawn outside the sampling set, {range_words(B)}"
    distinct_trials = len({row.tobytes() for row in values})
    n = values.size
    repeats = repeated_values(values)  # n minus the number of distinct values
    expected = n * (n - 1) / (2 * size)  # repeated values among n uniform draws from S, on average
    if repeats > expected + 6 * math.sqrt(expected) + 8:
        return 0.0, (f"{repeats} of the {n} values drawn repeat earlier ones, where uniform draws from "
                     f"{range_words(B)} repeat about {expected:.1f}: the points were not drawn uniformly from them")
    slack = size * 40 / max(n, 1)  # uniform draws leave gaps this wide at the ends with probability < e^-40
    if n >= 40 and (lo > -B + slack or hi < B - slack):
        return 0.0, (f"the values drawn lie between {lo / B:.3f} and {hi / B:.3f} times the largest of "
                     f"{range_words(B)}: not uniform draws from them")
    reached = distinct_trials * math.log2(size / 2)
    if reached < bits:
        return reached, (f"{distinct_trials} distinct trials reach a false-pass bound of 2^-{reached:.0f}, short of the "
                         f"2^-{bits} asked for")
    return reached, ""


def repeated_values(values: np.ndarray) -> int:
    """How many entries of ``values`` (integers) repeat an earlier one: their number minus the distinct ones'.

    Exact.  Equal values share a hash bucket, so every repeat lies among the values whose bucket holds more than
    one; the others are distinct from every other value and are set aside.  The survivors are hashed again (another
    multiplier) while that sets many aside, then sorted: a fraction of the values instead of all of them (a sort
    of 200 000 draws costs ~10 ms, the filters ~2).

    Parameters
    ----------
    values : array_like
        Integers (any shape; int64 after conversion).

    Returns
    -------
    int
        The number of entries minus the number of distinct values.

    Examples
    --------
    >>> repeated_values(np.array([5, -3, 5, 7, 5, -3]))
    3
    """
    flat = np.asarray(values, dtype=np.int64).ravel()
    for multiplier in _MULTIPLIERS:
        if flat.size < 4096:
            break
        bits = min(int(flat.size).bit_length() + 2, 30)  # about a tenth of a value per bucket
        hashed = ((flat.view(np.uint64) * multiplier) >> np.uint64(64 - bits)).astype(np.intp)
        shared = np.bincount(hashed, minlength=1 << bits)[hashed] > 1
        survivors = flat[shared]
        if 2 * survivors.size > flat.size:  # mostly true repeats: nothing much left to set aside
            flat = survivors
            break
        flat = survivors
    ordered = np.sort(flat)
    return int(np.count_nonzero(ordered[1:] == ordered[:-1]))


#: odd 64-bit multipliers of the hashes (the golden ratio's and two other well-mixing ones)
_MULTIPLIERS = tuple(np.uint64(m) for m in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9))


def _draw(rng: np.random.Generator, bound: int, shape: tuple[int, ...]) -> np.ndarray:
    """Integers uniform in [-bound, bound] (the sampling set of the Schwartz-Zippel bound)."""
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
    the layer's own groups, every one of them, with at most two channels each (two tell every in-group channel
    formula from its neighbour; every group is kept, since a mistake may route one group only)."""
    return tspec.groups, min(tspec.in_channels // tspec.groups, 2), min(tspec.out_channels // tspec.groups, 2)


def _first_digit(got: np.ndarray, want: np.ndarray, base: int, ids: dict, verb: str) -> str:
    """Which weight entry, at the first output where the encoded numbers differ, did not do what PyTorch says."""
    where = tuple(int(v) for v in np.argwhere(got != want)[0])
    g_v, w_v = int(got[where]), int(want[where])
    for (r, l, m), number in sorted(ids.items(), key=lambda item: item[1]):
        a, b = (g_v // base**number) % base, (w_v // base**number) % base
        if a != b:
            return (f"at output (channel, position) {where}, weight entry [{r}, {l}, tap {m}] contributes {a}; "
                    f"PyTorch's definition has {b}")
    return f"at output {where} the result has digits beyond the weight entries (it is {g_v}, PyTorch's is {w_v})"


def _size(shape: Any) -> str:
    """A spatial size in a report: ``5`` in 1-D, ``9x8`` (typeset as a product) in 2-D."""
    return "x".join(str(int(v)) if float(v).is_integer() else str(v) for v in shape)  # a wrong 2.5 stays 2.5


def convention_step(tspec: Any, input_shape: tuple[int, ...], t_length: str = "n_T") -> Step:
    """The numeric definitions are PyTorch's written ones: index equation, lengths, weight layouts and groups.

    ``t_length`` is the name the page gives the transposed layer's output length (a padding mode checks its
    padding-0 layers, whose output has ``n_T + p_l + p_r`` positions: one symbol, one length).

    Checked on the proof's own layer (reduced to at most two groups of two channels, keeping two of each where
    the layer has them), on an input long enough for both borders and a few strides of interior:

    * the output lengths of ``spec.output_shape`` on the proof's sizes, and of both numeric definitions, are
      PyTorch's ``n_out`` and ``n_T`` (output padding ``a >= s`` included);
    * the weight layouts are ``(C_out, C_in/g, k...)`` and ``(C_in, C_out/g, k...)``;
    * with one weight row set to powers of a base (so every output is a number whose digits are what each
      (channel, tap) read) and distinct inputs, output channel ``o`` of the convolution reads, through
      ``w[o, c_l, m]``, input channel ``γ C_in/g + c_l`` at ``s i + d m - p_l``, with ``γ = ⌊o / (C_out/g)⌋``;
      and input channel ``c`` of the transposed convolution adds ``w[c, c_l, m] y[c, i]`` to output channel
      ``γ C_out/g + c_l`` at ``s i + d m - p_l``, with ``γ = ⌊c / (C_in/g)⌋``.

    Every one of these is written out here from PyTorch's documentation, without :mod:`symconv.formulas`.
    """
    from ..numeric import conv, conv_transpose
    from ..spec import ConvSpec, TransposedConvSpec

    lhs, rhs = sympy_pair()
    rule = (r"the numeric definitions are PyTorch's written ones: with $c_i = C_{\mathrm{in}}/g$ and "
            r"$c_o = C_{\mathrm{out}}/g$ the channels per group of the convolution, output $i$ of output channel $o$ "
            r"reads, for each $c_{l} < c_i$, input channel $\gamma c_i + c_{l}$ at $s i + d m - p_l$ through "
            r"$w[o, c_{l}, m]$, where $\gamma = \lfloor o / c_o \rfloor$ is the group of $o$ (cross-correlation: the "
            r"kernel is not flipped); the transposed convolution, whose input channels are the convolution's output "
            r"channels, adds $w[o, c_{l}, m]\, y[o, i]$, for each $c_{l} < c_i$, to output channel "
            r"$\gamma c_i + c_{l}$ at $s i + d m - p_l$; and the output lengths are $n_{\mathrm{out}}$ and $" + t_length + "$")

    def fail(why: str) -> Step:
        return Step(lhs, rhs, rule, "enumeration", False, why, name="convention")

    k, s, d, a = tspec.kernel_size, tspec.stride, tspec.dilation, tspec.output_padding
    pads = tspec.padding
    p = tuple(pl for pl, _ in pads)
    try:
        # lengths on the proof's own sizes, by PyTorch's formulas
        want_t = tuple(_torch_n_t(n, *ax) for n, ax in zip(input_shape, zip(k, s, p, (pr for _, pr in pads), d, a)))
        if tuple(tspec.output_shape(input_shape)) != want_t:
            return fail(f"the transposed layer's output size is {_size(tspec.output_shape(input_shape))}; "
                        f"PyTorch's n_T gives {_size(want_t)}")
        want_out = tuple(_torch_n_out(n, kk, ss, pl, pr, dd) for n, kk, ss, (pl, pr), dd in zip(want_t, k, s, pads, d))
        conv_full = ConvSpec(k, stride=s, padding=pads, dilation=d)
        if tuple(conv_full.output_shape(want_t)) != want_out:
            return fail(f"the convolution's output size on inputs of size {_size(want_t)} is "
                        f"{_size(conv_full.output_shape(want_t))}; PyTorch's n_out gives {_size(want_out)}")
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
        # One call per layer.  Weight entry (r, l, m) is base**id(r, l, m), every id distinct, and the inputs are
        # 1, 2, 3, ... below the base; so every output is a number whose digit id(r, l, m) is what that weight entry
        # read (or added) there, and it equals PyTorch's written definition, encoded the same way, exactly when
        # every weight entry reads (adds) exactly what PyTorch says and reaches no other output.
        ids = {(r, l, m): (r * co + l) * len(taps) + number for r in range(g * ci) for l in range(co)
               for number, m in enumerate(taps)}
        # the convolution: C_in = g co, C_out = g ci; output channel o lies in group floor(o / (C_out/g))
        x = np.arange(1, g * co * int(np.prod(n_t)) + 1, dtype=np.int64).reshape((g * co,) + n_t)
        base = int(x.size) + 1
        weight = np.zeros(conv_single.weight_shape, dtype=object)
        want = np.zeros((g * ci,) + n_out, dtype=object)
        for (o, l, m), number in ids.items():
            weight[(o, l) + m] = base**number
            want[o] += base**number * _torch_read(n_out, x[(o // ci) * co + l], m, s, p, d).astype(object)
        got = conv(conv_single, weight, x.astype(object))
        if got.shape != want.shape:
            return fail(f"numeric.conv gives shape {got.shape}, PyTorch's n_out gives {want.shape}")
        if not np.array_equal(got, want):
            return fail("numeric.conv: " + _first_digit(got, want, base, ids, "read into output channel"))
        # the transposed convolution: C_in = g ci, C_out = g co; input channel c lies in group floor(c / (C_in/g))
        y = np.arange(1, g * ci * int(np.prod(t_in)) + 1, dtype=np.int64).reshape((g * ci,) + t_in)
        base = int(y.size) + 1
        weight = np.zeros(single.weight_shape, dtype=object)
        want = np.zeros((g * co,) + n_t, dtype=object)
        for (c, l, m), number in ids.items():
            weight[(c, l) + m] = base**number
            want[(c // ci) * co + l] += base**number * _torch_add(n_t, y[c], m, s, p, d).astype(object)
        got = conv_transpose(single, weight, y.astype(object))
        if got.shape != want.shape:
            return fail(f"numeric.conv_transpose gives shape {got.shape}, PyTorch's n_T gives {want.shape}")
        if not np.array_equal(got, want):
            return fail("numeric.conv_transpose: " + _first_digit(got, want, base, ids, "added to output channel"))
    except (SymconvError, ValueError, IndexError, TypeError, ZeroDivisionError) as exc:
        return fail(f"the definitions cannot be applied: {type(exc).__name__}: {exc}")
    from ..latex.phrases import counted

    each = "each of " if g > 1 else "of "
    layer = (f"{counted(g, 'group')}, {each}{counted(ci, 'input channel')} and {counted(co, 'output channel')}, "
             f"{counted(len(taps), 'tap')}")
    return Step(lhs, rhs, rule, "enumeration", True,
                f"output lengths {t_length} = {_size(want_t)} and n_out = {_size(want_out)} on the proof's sizes; "
                f"weight layouts; every (channel, tap) pair of both layers ({layer}) on inputs "
                f"1, 2, 3, and so on, of spatial size {_size(t_in)}, every output position", name="convention")


@functools.lru_cache(maxsize=1)
def sympy_pair() -> tuple[Any, Any]:
    """``conv(x)[i] = sum_m w[m] x̃[s i + d m - p_l]``, the displayed convention (x̃ the padded input, x̃[u] = x[u] in range)."""
    import sympy

    from .evaluate import sequence

    i, m, s, d, p, k = sympy.symbols("i m s d p_l k", integer=True)
    Y, W, X = sequence("conv(x)", r"\operatorname{conv}(x)"), sequence("w"), sequence("xpad", r"\tilde{x}")  # the padded input: reads may leave [0, n)
    return Y(i), sympy.Sum(W(m) * X(s * i + d * m - p), (m, 0, k - 1))
