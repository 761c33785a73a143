"""Anchoring a matrix to a definition: an exact randomized identity test.

A matrix ``A(w)`` built from the integer structure claims to be a layer whose
definition is the numeric reference ``f(w, x)`` (:mod:`symconv.numeric`,
written with slices and no index code shared with the structures).  Both are
bilinear: linear in the input ``x`` for every weight ``w`` and linear in ``w``
for every ``x`` (every output entry is a sum of products ``w[t] x[j]``, times
integers; a constant tap is a weight fixed at 1, which keeps each side affine
in ``w``).  So every output entry of ``D(w, x) = A(w) x - f(w, x)`` is a
polynomial of degree at most 1 in ``w`` and at most 1 in ``x``; it is zero for
all ``w`` and ``x`` exactly when ``A(w)`` is the layer.  Both sides are
evaluated exactly in int64: the sampling sets are chosen so that no sum can
overflow.  Two schemes, whichever needs fewer draws of an input:

* **independent trials** (``t`` points ``(w, x)``, each drawn uniformly from
  ``S^n``, ``S = [-B, B]``): a nonzero ``D`` of total degree 2 vanishes at one
  point with probability at most ``2/|S|`` (Schwartz-Zippel), at all of them
  with probability at most ``(2/|S|)^t``;
* **every pair** of ``K`` weights drawn from ``S_w`` and ``L`` inputs drawn
  from ``S_x`` (all independent): write ``D(w, x) = Σ_t w_t e_t(x) + e_c(x)``
  with ``e_t`` affine in ``x``.  If ``D ≠ 0`` some ``e_t`` (or ``e_c``) is a
  nonzero affine form, which vanishes at one input with probability at most
  ``1/|S_x|``; so all ``L`` inputs make every ``e`` vanish with probability at
  most ``|S_x|^-L``.  Otherwise, at an input where some ``e`` does not vanish,
  ``D(·, x)`` is a nonzero affine function of ``w``, and all ``K`` weights
  make it vanish with probability at most ``|S_w|^-K``.  A false pass has
  probability at most ``|S_x|^-L + |S_w|^-K``.  Products of a weight and an
  input reach ``B_w B_x``, where independent trials need ``B^2``: with the
  int64 range the pairs reach 2^-60 with two inputs and two weights where the
  trials need three inputs (four calls of the definition instead of three, but
  a third fewer random inputs to draw, check and multiply).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import SymconvError
from ..latex.phrases import counted
from ..matrices import ConvMatrix
from ..structure import CONSTANT
from .core import Step

__all__ = ["anchor_step", "bound_reached", "pairs_bound_reached", "range_words", "repeated_values", "short_bound",
           "DEFAULT_BITS"]

DEFAULT_BITS = 60
"""The anchors make a false pass less likely than ``2**-DEFAULT_BITS``."""

_LIMIT = 2**62
_INT64_MAX = 2**63 - 1

#: the inputs' sampling bound of the pairs scheme, ``S_x = [-(2^30 - 1), 2^30 - 1]``, ``2^31 - 1`` integers: just below a power of two,
#: so that the sampler keeps nearly every word it draws (the weights' bound follows from it)
PAIR_INPUT_BOUND = 2**30 - 1


def _terms(matrix: ConvMatrix, n_weights: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """M's terms in row-major order: rows, columns, taps (a constant tap reads the weight appended at index
    ``n_weights``, fixed at 1), and the int64 coefficients (None when every one is 1).  Index arrays keep their
    integer type (``np.take`` reads int32 indices without converting them)."""
    s = matrix.structure.row_major
    taps = s.taps
    if bool((taps == CONSTANT).any()):
        taps = np.where(taps == CONSTANT, n_weights, taps)
    coefs = None if s.unit else s.coefs.astype(np.int64)
    return s.rows, s.cols, taps, coefs


def _row_starts(rows: np.ndarray) -> np.ndarray:
    """Where each run of equal rows begins (terms in row-major order)."""
    return np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))


def _weights(w: np.ndarray) -> np.ndarray:
    """The flattened weight with the constant tap's 1 appended (index ``w.size``)."""
    return np.append(np.asarray(w, dtype=np.int64).ravel(), np.int64(1))


#: terms per chunk of the evaluation: its arrays stay in the cache and are reused chunk after chunk
_CHUNK = 1 << 14


def _evaluate(matrix: ConvMatrix, ws: np.ndarray, xs: np.ndarray, pairs: list[tuple[int, int]]) -> np.ndarray:
    """``A(w_k) x_l`` for each pair ``(k, l)`` of a weight (row of ``ws``) and an input (row of ``xs``), exactly in
    int64: shape ``(len(pairs), rows)``.

    Term by term, a chunk of terms at a time: the terms' input values (times the coefficients) are gathered once
    per input used, their weight values once per weight used; a pair is the product of the two, summed row by
    row (a row cut by a chunk's end is summed from both chunks).  Small arrays reused chunk after chunk stay in
    the cache and cost no page faults, where whole-matrix temporaries of a megabyte each would.
    """
    out = np.zeros((len(pairs), matrix.shape[0]), dtype=np.int64)
    if not matrix.structure.rows.size or not pairs:
        return out
    rows, cols, taps, coefs = _terms(matrix, ws[0].size)
    for what, index, size in (("column", cols, xs[0].size), ("tap", taps, ws[0].size + 1)):
        if int(index.min()) < 0 or int(index.max()) >= size:  # checked here: the takes below clip, not check
            raise IndexError(f"a term's {what} lies outside [0, {size})")
    inputs = sorted({l for _, l in pairs})
    weights_used = sorted({k for k, _ in pairs})
    flat_x = [xs[l].ravel() for l in inputs]
    flat_w = [_weights(ws[k]) for k in weights_used]
    chunk = min(_CHUNK, rows.size)
    reads = np.empty((len(inputs), chunk), dtype=np.int64)
    weights = np.empty((len(weights_used), chunk), dtype=np.int64)
    products = np.empty(chunk, dtype=np.int64)
    where = [(at, weights_used.index(k), inputs.index(l)) for at, (k, l) in enumerate(pairs)]
    for lo in range(0, rows.size, chunk):
        hi = min(lo + chunk, rows.size)
        n = hi - lo
        part = rows[lo:hi]
        starts = _row_starts(part)
        heads = part[starts]
        for slot, x in enumerate(flat_x):
            np.take(x, cols[lo:hi], out=reads[slot, :n], mode="clip")  # (mode "raise" would buffer the output)
            if coefs is not None:
                reads[slot, :n] *= coefs[lo:hi]
        for slot, w in enumerate(flat_w):
            np.take(w, taps[lo:hi], out=weights[slot, :n], mode="clip")
        for at, k, l in where:
            np.multiply(weights[k, :n], reads[l, :n], out=products[:n])
            np.add.at(out[at], heads, np.add.reduceat(products[:n], starts))  # add.at: robust to any order
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
    >>> range_words(2**30 - 1)
    'the integers of absolute value at most 2^30 - 1'
    >>> range_words(short_bound(1239850262))
    'the integers of absolute value at most 9·2^27'
    >>> range_words(7)
    'the integers of absolute value at most 7'

    The bound is given exactly, so that a reader can recompute the false-pass bound from the set's size
    ``2 bound + 1``; the samplers use bounds of at most four significant bits (:func:`short_bound`), so that the
    exact value is short.
    """
    if bound < 1024:
        return f"the integers of absolute value at most {bound}"
    e = bound.bit_length() - 1  # 2^e <= bound < 2^(e + 1)
    if bound == 1 << e:
        return f"the integers of absolute value at most 2^{e}"
    if bound == (1 << (e + 1)) - 1:
        return f"the integers of absolute value at most 2^{e + 1} - 1"
    shift = (bound & -bound).bit_length() - 1  # bound = m 2^shift with m odd
    if bound >> shift < 1024:
        return f"the integers of absolute value at most {bound >> shift}·2^{shift}"
    return f"the integers of absolute value at most a bound between 2^{e} and 2^{e + 1}"  # not a sampler's bound


def short_bound(bound: int) -> int:
    """The largest ``m 2^e <= bound`` with ``m < 16`` (``bound`` itself below 1024): a sampling bound a page states
    exactly in a few digits, less than an eighth smaller than ``bound``.

    >>> short_bound(1239850262), short_bound(1000)
    (1207959552, 1000)
    """
    if bound < 1024:
        return bound
    e = bound.bit_length() - 4
    return (bound >> e) << e


def bound_rule(bound: int, count: int, limit: str = "2^62", other: int = 1) -> str:
    """Why the sampling bound is ``bound``, in plain words: the largest bound the page can state in a few digits
    (:func:`short_bound`) for which every sum of ``count`` products stays within ``limit``, so that both sides
    are computed exactly in 64-bit integers.

    ``other`` is the bound of the other factor of each product (the pairs scheme's inputs), 1 for a square.

    >>> bound_rule(short_bound(math.isqrt(2**62 // 32)), 32)
    'the largest number of at most four significant binary digits whose square times 32 is at most 2^62: an output entry sums at most 32 products, so every sum is exact in 64-bit integers'
    """
    if bound >= 2**31:
        return "the largest bound the sampler draws"
    form = "the largest integer" if bound < 1024 else "the largest number of at most four significant binary digits"
    times = "whose square times" if other == 1 else "whose product with the inputs' bound and"
    sums = counted(count, "product", words=False)
    return f"{form} {times} {count} is at most {limit}: an output entry sums at most {sums}, so every sum is exact " \
           "in 64-bit integers"


def _count(matrix: ConvMatrix, terms_per_output: int) -> int:
    """The most products (times the largest coefficient) one output entry sums, on either side."""
    s = matrix.structure.row_major
    if s.rows.size:  # the longest run of one row (terms in row-major order)
        per_row = int(np.diff(np.append(_row_starts(s.rows), s.rows.size)).max())
        if per_row > 1 and bool(np.any(s.rows[1:] < s.rows[:-1])):  # out of order: count every row
            per_row = int(np.bincount(s.rows).max())
    else:
        per_row = 1
    coef = 1 if s.unit else (int(np.abs(s.coefs).max()) if s.coefs.size else 1)
    return max(per_row * coef, terms_per_output, 1)


def _range(matrix: ConvMatrix, terms_per_output: int) -> int:
    """The largest B such that sums of ``terms`` products of entries in [-B, B] (times the coefficients) fit."""
    return short_bound(max(1, min(math.isqrt(_LIMIT // _count(matrix, terms_per_output)), 2**31)))


@functools.lru_cache(maxsize=256)
def _pairs_plan(count: int, bits: int) -> tuple[int, int, int, int, int] | None:
    """``(B_w, B_x, K, K', L)`` of the pairs scheme for sums of ``count`` products (None if it cannot fit int64).

    ``B_x`` is :data:`PAIR_INPUT_BOUND`, ``B_w`` the largest bound with ``count B_w B_x <= 2^63 - 1``.  Of the
    plans reaching ``2^-bits`` (:func:`_pairs_bits`), the one with the fewest inputs, then the fewest evaluations
    ``K + K'(L - 1)``.
    """
    b_x = PAIR_INPUT_BOUND
    b_w = short_bound(min(_INT64_MAX // (count * b_x), 2**31))
    if b_w < 1:
        return None
    plans = [(l, k + k2 * (l - 1), k, k2) for l in range(1, 9) for k in range(1, 9) for k2 in range(1, k + 1)
             if _pairs_bits(b_w, b_x, k, k2, l) >= bits]
    if not plans:
        return None
    l, _, k, k2 = min(plans)
    return b_w, b_x, k, k2, l


def _pairs_bits(b_w: int, b_x: int, k: int, k2: int, l: int) -> float:
    """The pairs scheme's bound as a power of two: ``-log2(|S_w|^-K + |S_x|^-1 (|S_x|^-(L-1) + |S_w|^-K'))``
    (``-log2(|S_w|^-K + |S_x|^-1)`` for one input), for ``K`` weights on the first input and the first ``K'``
    of them on each later one (module docstring)."""
    sw, sx = float(2 * b_w + 1), float(2 * b_x + 1)
    later = 1.0 if l == 1 else sx ** -(l - 1) + sw ** -k2
    return -math.log2(sw ** -k + later / sx)


def _fail(name, lhs, rhs, rule, why) -> Step:
    return Step(lhs, rhs, rule, "randomized identity", False, why, name=name)


def _differ(name, lhs, rhs, rule, matrix, got, want, label) -> Step | None:
    """The failed step when the matrix's outputs ``got`` are not the definition's ``want`` (None when equal)."""
    if got.shape != want.shape:
        return _fail(name, lhs, rhs, rule, f"the matrix gives {got.size} outputs, the definition {want.size}")
    diff = np.flatnonzero(got != want)
    if not diff.size:
        return None
    where = tuple(int(v) for v in np.unravel_index(int(diff[0]), matrix.row_shape))
    return _fail(name, lhs, rhs, rule, f"{label}: output (channel, position) = {where} is {int(got[diff[0]])} by the "
                 f"matrix and {int(want[diff[0]])} by the definition ({diff.size} of {got.size} outputs differ); the "
                 "matrix is not the definition")


def anchor_step(name: str, matrix: ConvMatrix, reference: Callable[[np.ndarray, np.ndarray], np.ndarray],
                weight_shape: tuple[int, ...], terms_per_output: int, lhs: Any, rhs: Any, rule: str, *,
                seed: int = 0, bits: int = DEFAULT_BITS) -> Step:
    """A step showing that ``matrix`` is the map ``reference`` (a randomized identity test with a stated bound).

    ``terms_per_output`` bounds the number of products the reference sums into one output entry.  The scheme
    (module docstring) is the one that draws fewer inputs: independent trials, or, when those would need more
    than two, every pair of ``K`` weights and ``L`` inputs; at equal numbers of inputs, the trials (fewer calls
    of the definition).
    """
    rng = np.random.default_rng(seed)
    try:
        count = _count(matrix, terms_per_output)
        B = short_bound(max(1, min(math.isqrt(_LIMIT // count), 2**31)))  # as _range, stated exactly
    except ValueError as exc:
        return _fail(name, lhs, rhs, rule, f"the matrix is malformed: {exc}")
    if matrix.shape[0] * matrix.shape[1] == 0:
        return _fail(name, lhs, rhs, rule, f"the matrix has shape {matrix.shape}: no entries, so nothing was compared")
    per_trial = math.log2((2 * B + 1) / 2)  # the false-pass probability per trial is at most 2/|S| = 2^-per_trial
    trials = max(1, math.ceil(bits / per_trial))
    plan = _pairs_plan(count, bits)
    if plan is not None and plan[4] < trials:  # (B_w, B_x, K, K', L): fewer inputs than the trials
        return _pairs_step(name, matrix, reference, weight_shape, lhs, rhs, rule, rng, bits, *plan, count=count)
    ws = _draw(rng, B, (trials,) + tuple(weight_shape))
    xs = _draw(rng, B, (trials,) + tuple(matrix.col_shape))
    try:
        gots = _evaluate(matrix, ws, xs, [(t, t) for t in range(len(ws))])
    except (IndexError, ValueError) as exc:
        return _fail(name, lhs, rhs, rule, f"the matrix cannot be evaluated: {exc}")
    run = 0
    for trial in range(len(ws)):
        try:
            want = np.asarray(reference(ws[trial], xs[trial])).astype(np.int64).ravel()
        except (SymconvError, ValueError, IndexError) as exc:
            return _fail(name, lhs, rhs, rule, f"the definition cannot be applied: {exc}")
        failed = _differ(name, lhs, rhs, rule, matrix, gots[trial], want, f"trial {trial + 1}")
        if failed is not None:
            return failed
        run += 1
    reached, why = bound_reached(ws[:run], xs[:run], B, bits)
    if why:
        return _fail(name, lhs, rhs, rule, f"{run} trials agreed, but {why}")
    detail = (f"{run} trials with weights and inputs drawn uniformly from {range_words(B)} "
              f"({bound_rule(B, count)}): exact agreement; "
              f"a wrong matrix passes with probability at most 2^-{math.floor(reached)}")
    return Step(lhs, rhs, rule, "randomized identity", True, detail, name=name)


def _pairs_step(name, matrix, reference, weight_shape, lhs, rhs, rule, rng, bits, b_w, b_x, k, k2, l, *,
                count: int) -> Step:
    """The anchor by ``k`` weights from ``[-b_w, b_w]`` and ``l`` inputs from ``[-b_x, b_x]``: every weight on the
    first input, the first ``k2`` weights on each later input."""
    ws = _draw(rng, b_w, (k,) + tuple(weight_shape))
    xs = _draw(rng, b_x, (l,) + tuple(matrix.col_shape))
    pairs = [(a, 0) for a in range(len(ws))] + [(a, b) for b in range(1, len(xs)) for a in range(min(k2, len(ws)))]
    try:
        gots = _evaluate(matrix, ws, xs, pairs)
    except (IndexError, ValueError) as exc:
        return _fail(name, lhs, rhs, rule, f"the matrix cannot be evaluated: {exc}")
    for at, (a, b) in enumerate(pairs):
        try:
            want = np.asarray(reference(ws[a], xs[b])).astype(np.int64).ravel()
        except (SymconvError, ValueError, IndexError) as exc:
            return _fail(name, lhs, rhs, rule, f"the definition cannot be applied: {exc}")
        failed = _differ(name, lhs, rhs, rule, matrix, gots[at], want, f"weights {a + 1} on input {b + 1}")
        if failed is not None:
            return failed
    reached, why = pairs_bound_reached(ws, xs, b_w, b_x, bits, later=k2)
    if why:
        return _fail(name, lhs, rhs, rule, f"{counted(len(pairs), 'evaluation')} agreed, but {why}")
    if k2 >= k:
        which = "every weight tensor on every input"
    else:
        which = (f"every weight tensor on the first input and "
                 f"{'the first weight tensor' if k2 == 1 else f'the first {k2} weight tensors'}"
                 f" on {'the second' if l == 2 else 'every later one'}")
    detail = (f"{counted(len(ws), 'weight tensor')} drawn uniformly from {range_words(b_w)} "
              f"({bound_rule(b_w, count, '2^63 - 1', b_x)}) and {counted(len(xs), 'input')} "
              f"drawn uniformly from {range_words(b_x)} (a bound just below a power of two, which the sampler draws "
              f"without waste), {which} ({counted(len(pairs), 'evaluation')}): exact "
              f"agreement; a wrong matrix passes with probability at most 2^-{math.floor(reached)}")
    return Step(lhs, rhs, rule, "randomized identity", True, detail, name=name)


def _check_draws(values: np.ndarray, B: int, what: str) -> tuple[int, str]:
    """The number of distinct rows of ``values`` (one draw per row), and why they are not uniform draws from
    ``[-B, B]`` ('' when they look it): inside the set, no more repeated values than the birthday count predicts
    (plus a generous margin), and a span reaching near both ends of the set."""
    size = 2 * B + 1
    lo, hi = int(values.min()), int(values.max())
    if lo < -B or hi > B:
        return 0, f"{what} were drawn outside the sampling set, {range_words(B)}"
    distinct = sum(1 for r in range(len(values)) if not any(np.array_equal(values[r], values[q]) for q in range(r)))
    n = values.size
    repeats = repeated_values(values)  # n minus the number of distinct values
    expected = n * (n - 1) / (2 * size)  # repeated values among n uniform draws from S, on average
    if repeats > expected + 6 * math.sqrt(expected) + 8:
        return 0, (f"{repeats} of the {n} {what} drawn repeat earlier ones, where uniform draws from "
                   f"{range_words(B)} repeat about {expected:.1f}: the points were not drawn uniformly from them")
    slack = size * 40 / max(n, 1)  # uniform draws leave gaps this wide at the ends with probability < e^-40
    if n >= 40 and (lo > -B + slack or hi < B - slack):
        return 0, (f"the {what} drawn lie between {lo / B:.3f} and {hi / B:.3f} times the largest of "
                   f"{range_words(B)}: not uniform draws from them")
    return distinct, ""


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
    distinct_trials, why = _check_draws(values, B, "values")
    if why:
        return 0.0, why
    reached = distinct_trials * math.log2(size / 2)
    if reached < bits:
        return reached, (f"{distinct_trials} distinct trials reach a false-pass bound of 2^-{math.floor(reached)}, short of the "
                         f"2^-{bits} asked for")
    return reached, ""


def pairs_bound_reached(ws: np.ndarray, xs: np.ndarray, b_w: int, b_x: int, bits: int,
                        later: int | None = None) -> tuple[float, str]:
    """The bound (:func:`_pairs_bits`) that the weights ``ws`` and inputs ``xs`` (one draw per row) reach, every
    weight evaluated on the first input and the first ``later`` weights (all by default) on each later input; and
    why it falls short ('' when it does not).

    The weights and the inputs are each checked as :func:`bound_reached` checks its trials (inside their set,
    the birthday count of repeated values, the span); the bound counts distinct weights and distinct inputs.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ws, xs = rng.integers(-10**9, 10**9 + 1, (2, 9)), rng.integers(-2**30, 2**30 + 1, (2, 4096))
    >>> reached, why = pairs_bound_reached(ws, xs, 10**9, 2**30, 60, later=1)
    >>> round(reached, 1), why
    (60.3, '')
    >>> pairs_bound_reached(ws[:1], xs, 10**9, 2**30, 60)[1]
    'one distinct weight and two distinct inputs reach a false-pass bound of 2^-30, short of the 2^-60 asked for'
    """
    ws, xs = (np.asarray(v).reshape(len(v), -1) if len(v) else np.zeros((0, 0), dtype=np.int64) for v in (ws, xs))
    if 0 in ws.shape or 0 in xs.shape:
        return 0.0, f"no point was drawn, so nothing bounds a false pass (2^-{bits} asked for)"
    k, why = _check_draws(ws, b_w, "weights")
    if not why:
        l, why = _check_draws(xs, b_x, "inputs")
    if why:
        return 0.0, why
    k2 = k if later is None else _check_draws(ws[:later], b_w, "weights")[0]
    reached = _pairs_bits(b_w, b_x, k, max(k2, 1), l)
    if reached < bits:
        return reached, (f"{counted(k, 'distinct weight')} and {counted(l, 'distinct input')} reach a false-pass "
                         f"bound of 2^-{math.floor(reached)}, short of the 2^-{bits} asked for")
    return reached, ""


def repeated_values(values: np.ndarray) -> int:
    """How many entries of ``values`` (integers) repeat an earlier one: their number minus the distinct ones'.

    Exact: the values are sorted (as int32 when they fit, which numpy sorts about twice as fast) and equal
    neighbours counted.

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
    if flat.size and -(2**31) <= int(flat.min()) and int(flat.max()) < 2**31:
        flat = flat.astype(np.int32)
    ordered = np.sort(flat)
    return int(np.count_nonzero(ordered[1:] == ordered[:-1]))


def _draw(rng: np.random.Generator, bound: int, shape: tuple[int, ...]) -> np.ndarray:
    """Integers uniform in [-bound, bound] (the sampling set of the Schwartz-Zippel bound).

    For a set of at most 2^32 integers: the top ``k`` bits of the generator's raw 32-bit words (each uniform and
    independent), ``2^(k-1) < |S| <= 2^k``, kept when below ``|S|`` (rejection: exactly uniform on the set).
    """
    size, n = 2 * int(bound) + 1, math.prod(shape)
    if size > 2**32 or n == 0:
        return rng.integers(-bound, bound + 1, shape, dtype=np.int64)
    k = (size - 1).bit_length()
    kept, have = [], 0
    while have < n:
        words = (n - have) * (1 << k) // size + 1024  # enough, on average and then some, to keep n - have
        raw = rng.bit_generator.random_raw((words + 1) // 2).view(np.uint32) >> np.uint32(32 - k)
        below = raw < size
        raw = (raw if bool(below.all()) else raw[below])[: n - have]  # (a mask is slow when it keeps about half)
        kept.append(raw)
        have += raw.size
    out = kept[0] if len(kept) == 1 else np.concatenate(kept)
    return (out.astype(np.int64) - bound).reshape(shape)


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


@functools.lru_cache(maxsize=16)
def _grids(shape: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """Every position of ``shape``, one index array per axis (read only: shared by the taps of one check)."""
    grids = np.meshgrid(*(np.arange(n) for n in shape), indexing="ij")
    for g in grids:
        g.flags.writeable = False
    return tuple(grids)


def _torch_read(out_shape, x, m, stride, pad_left, dilation) -> np.ndarray:
    """Cross-correlation for one tap: output i reads x at s i + d m - p_l (0 outside the input)."""
    grids = _grids(tuple(out_shape))
    pos = [s * g + d * mi - p for g, s, d, mi, p in zip(grids, stride, dilation, m, pad_left)]
    inside = np.ones(grids[0].shape, dtype=bool)
    for q, n in zip(pos, x.shape):
        inside &= (q >= 0) & (q < n)
    out = np.zeros(inside.shape, dtype=np.int64)
    out[inside] = x[tuple(q[inside] for q in pos)]
    return out


def _torch_add(out_shape, y, m, stride, pad_left, dilation) -> np.ndarray:
    """Transposed convolution for one tap: input i is added at output s i + d m - p_l (dropped outside)."""
    grids = _grids(tuple(y.shape))
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


def _lengths(shape: Any) -> str:
    """Output lengths in a report: ``5`` in 1-D, ``7 on each axis`` when the axes agree, else ``7 and 5 on the two axes``."""
    values = [str(int(v)) if float(v).is_integer() else str(v) for v in shape]
    if len(values) == 1:
        return values[0]
    if len(set(values)) == 1:
        return f"{values[0]} on each axis"
    return f"{', '.join(values[:-1])} and {values[-1]} on the {counted(len(values), 'axis', 'axes')}"


FULL_TRIALS, FULL_BOUND, FULL_BUDGET = 3, 1024, 2 * 10**8
"""The convention's check on the proof's whole layer: trials, the sampling bound and the work (tap reads times
positions) above which it is not run (the detail then says so)."""


def _full_layer_trials(tspec: Any, input_shape: tuple[int, ...], check_conv: bool, check_t: bool) -> str | None:
    """The numeric definitions against PyTorch's written ones on the proof's whole layer and input, at random
    integers: ``None`` when they agree, else what differs.

    The encoded check of :func:`convention_step` reads every weight entry exactly but on a reduced layer (two
    channels per group, a short input); a mistake only in channel 3 or at position 40 would pass it.  Here every
    channel and position of the proof's own layer is compared, at :data:`FULL_TRIALS` draws of weights and inputs
    uniform on the integers of absolute value at most :data:`FULL_BOUND`: the difference of the two sides is a
    polynomial of degree 2 in them when the numeric definition is bilinear, as every convolution is, so a wrong
    one passes one draw with probability at most 2/2049 (Schwartz--Zippel).
    """
    from ..numeric import conv, conv_transpose
    from ..spec import ConvSpec

    rng = np.random.default_rng(0x5EED)
    k, s, d, pads = tspec.kernel_size, tspec.stride, tspec.dilation, tspec.padding
    p = tuple(pl for pl, _ in pads)
    g, c_in, c_out = tspec.groups, tspec.in_channels, tspec.out_channels
    ci, co = c_in // g, c_out // g
    taps = list(np.ndindex(*k))
    n_t = tuple(_torch_n_t(n, kk, ss, pl, pr, dd, aa) for n, kk, ss, (pl, pr), dd, aa
                in zip(input_shape, k, s, pads, d, tspec.output_padding))
    n_out = tuple(_torch_n_out(n, kk, ss, pl, pr, dd) for n, kk, ss, (pl, pr), dd in zip(n_t, k, s, pads, d))
    conv_spec = ConvSpec(k, stride=s, padding=pads, dilation=d, in_channels=c_out, out_channels=c_in, groups=g)
    for _ in range(FULL_TRIALS):
        if check_t:
            y = rng.integers(-FULL_BOUND, FULL_BOUND + 1, (c_in,) + tuple(input_shape), dtype=np.int64)
            w = rng.integers(-FULL_BOUND, FULL_BOUND + 1, tspec.weight_shape, dtype=np.int64)
            want = np.zeros((c_out,) + n_t, dtype=np.int64)
            for c in range(c_in):
                for l in range(co):
                    for m in taps:
                        want[(c // ci) * co + l] += w[(c, l) + m] * _torch_add(n_t, y[c], m, s, p, d)
            got = np.asarray(conv_transpose(tspec, w, y))
            if got.shape != want.shape or not np.array_equal(got, want):
                return "numeric.conv_transpose differs from PyTorch's written definition on the whole layer"
        if check_conv:
            x = rng.integers(-FULL_BOUND, FULL_BOUND + 1, (c_out,) + n_t, dtype=np.int64)
            w = rng.integers(-FULL_BOUND, FULL_BOUND + 1, conv_spec.weight_shape, dtype=np.int64)
            want = np.zeros((c_in,) + n_out, dtype=np.int64)
            for o in range(c_in):
                for l in range(co):
                    for m in taps:
                        want[o] += w[(o, l) + m] * _torch_read(n_out, x[(o // ci) * co + l], m, s, p, d)
            got = np.asarray(conv(conv_spec, w, x))
            if got.shape != want.shape or not np.array_equal(got, want):
                return "numeric.conv differs from PyTorch's written definition on the whole layer"
    return None


def convention_step(tspec: Any, input_shape: tuple[int, ...], t_length: str = "n_T", half: str = "both") -> Step:
    """The numeric definitions are PyTorch's written ones: index equation, lengths, weight layouts and groups.

    ``t_length`` is the name the page gives the transposed layer's output length (a padding mode checks its
    padding-0 layers, whose output has ``n_T + p_l + p_r`` positions: one symbol, one length).

    ``half`` is the part of the convention the proof uses, and the part checked and stated: ``"both"``,
    ``"convolution"`` (its reading equation, ``n_out`` and its weight layout: a proof about the convolution
    alone) or ``"transposed"`` (its adding equation, ``n_T`` and its weight layout: a proof about the
    transposed convolution alone), so that a document names no symbol it does not use.

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
    import dataclasses

    import sympy

    from ..numeric import conv, conv_transpose
    from ..spec import ConvSpec, TransposedConvSpec
    from .evaluate import NAMED  # the named formulas print as the Definitions' names

    if half not in ("both", "convolution", "transposed"):
        raise ValueError(f"half must be 'both', 'convolution' or 'transposed', got {half!r}")
    check_conv, check_t = half != "transposed", half != "convolution"
    several = len(tspec.kernel_size) > 1
    channels = tspec.in_channels > 1 or tspec.out_channels > 1 or tspec.groups > 1
    lhs, rhs = sympy_pair(channels=channels) if check_conv else sympy_transposed_pair(channels=channels)
    tuples = ((r"positions $i$ and $j$" if half == "transposed" else r"positions $i$")
              + r", taps $m$ and the kernel size $k$ are tuples, one entry per spatial axis, compared and "
              r"summed axis by axis; " if several else "")
    if half == "transposed":
        rule = tuples + (r"the numeric definition of the transposed convolution is PyTorch's written one: "
                         + (r"with $c_i = C_{\mathrm{in}}/g$ and $c_o = C_{\mathrm{out}}/g$ its channels per group, "
                            r"input channel $c$, of the group $\gamma = \lfloor c / c_i \rfloor$, adds "
                            r"$w[c, c_{l}, m]\, y[c, i]$, for each $c_{l} < c_o$, to output channel "
                            r"$o = \gamma c_o + c_{l}$ at $j = s i + d m - p_l$ when $j$ lies in range (so output "
                            r"channel $o$ sums over the input channels $c$ of its group $\gamma$)"
                            if channels else r"input $i$ adds $w[m]\, y[i]$ to output $j = s i + d m - p_l$ when $j$ "
                                             r"lies in range")
                         + r" (the kernel is not flipped); and the output length is $"
                         + t_length + "$")
    elif half == "convolution":
        rule = tuples + (r"the numeric definition of the convolution is PyTorch's written one: "
                         + (r"with $c_i = C_{\mathrm{in}}/g$ and $c_o = C_{\mathrm{out}}/g$ its channels per group, "
                            r"output $i$ of output channel $o$ reads, for each $c_{l} < c_i$, input channel "
                            r"$\gamma c_i + c_{l}$ at $s i + d m - p_l$ through $w[o, c_{l}, m]$, where "
                            r"$\gamma = \lfloor o / c_o \rfloor$ is the group of $o$"
                            if channels else r"output $i$ reads $\tilde x$ at $s i + d m - p_l$ through $w[m]$")
                         + r" (cross-correlation: the kernel is not flipped); and the output length is "
                           r"$n_{\mathrm{out}}$")
    elif not channels:  # one channel: no groups or channel indices on the page
        rule = tuples + (r"the numeric definitions are PyTorch's written ones: output $i$ reads $\tilde x$ at "
                         r"$s i + d m - p_l$ through $w[m]$ (cross-correlation: the kernel is not flipped); the "
                         r"transposed convolution adds $w[m]\, y[i]$ to output $s i + d m - p_l$; and the output "
                         r"lengths are $n_{\mathrm{out}}$ and $" + t_length + "$")
    else:
        rule = tuples + (r"the numeric definitions are PyTorch's written ones: with $c_i = C_{\mathrm{in}}/g$ and "
            r"$c_o = C_{\mathrm{out}}/g$ the channels per group of the convolution, output $i$ of output channel $o$ "
            r"reads, for each $c_{l} < c_i$, input channel $\gamma c_i + c_{l}$ at $s i + d m - p_l$ through "
            r"$w[o, c_{l}, m]$, where $\gamma = \lfloor o / c_o \rfloor$ is the group of $o$ (cross-correlation: the "
            r"kernel is not flipped); the transposed convolution, whose input channels are the convolution's output "
            r"channels, adds $w[o, c_{l}, m]\, y[o, i]$, for each $c_{l} < c_i$, to output channel "
            r"$\gamma c_i + c_{l}$ at $s i + d m - p_l$; and the output lengths are $n_{\mathrm{out}}$ and $" + t_length + "$")

    def fail(why: str) -> Step:
        return Step(lhs, rhs, rule, "enumeration", False, why, name="convention")

    def sized(step: Step, named: list, values: tuple) -> Step:
        """A failed size check displays the size: the executed formula at the proof's sizes, PyTorch's value."""
        one = len(values) == 1
        return dataclasses.replace(step, lhs=named[0] if one else sympy.Tuple(*named),
                                   rhs=sympy.Integer(values[0]) if one else sympy.Tuple(*values))

    k, s, d, a = tspec.kernel_size, tspec.stride, tspec.dilation, tspec.output_padding
    pads = tspec.padding
    p = tuple(pl for pl, _ in pads)
    try:
        # lengths on the proof's own sizes, by PyTorch's formulas
        want_t = tuple(_torch_n_t(n, *ax) for n, ax in zip(input_shape, zip(k, s, p, (pr for _, pr in pads), d, a)))
        if check_t and tuple(tspec.output_shape(input_shape)) != want_t:
            # the refuted display is the size itself: the executed n_T at the proof's sizes against PyTorch's value
            return sized(fail(f"the transposed layer's output size is {_size(tspec.output_shape(input_shape))}; "
                              f"PyTorch's n_T gives {_size(want_t)}"),
                         [NAMED.transposed_output_size(n, *ax) for n, ax in
                          zip(input_shape, zip(k, s, p, (pr for _, pr in pads), d, a))], want_t)
        want_out = tuple(_torch_n_out(n, kk, ss, pl, pr, dd) for n, kk, ss, (pl, pr), dd in zip(want_t, k, s, pads, d))
        conv_full = ConvSpec(k, stride=s, padding=pads, dilation=d)
        if check_conv and tuple(conv_full.output_shape(want_t)) != want_out:
            return sized(fail(f"the convolution's output size on inputs of size {_size(want_t)} is "
                        f"{_size(conv_full.output_shape(want_t))}; PyTorch's n_out gives {_size(want_out)}"),
                         [NAMED.conv_output_size(n, kk, ss, pl, pr, dd) for n, kk, ss, (pl, pr), dd
                          in zip(want_t, k, s, pads, d)], want_out)
        g, ci, co = _reduced(tspec)  # the transposed layer's channels per group: ci inputs, co outputs
        single = TransposedConvSpec(k, stride=s, padding=pads, output_padding=a, dilation=d,
                                    in_channels=g * ci, out_channels=g * co, groups=g)
        conv_single = ConvSpec(k, stride=s, padding=pads, dilation=d, in_channels=g * co, out_channels=g * ci, groups=g)
        layout = (g * ci, co) + tuple(k)
        if check_t and check_conv and (single.weight_shape != layout or conv_single.weight_shape != layout):
            return fail(f"the weight layouts are {single.weight_shape} and {conv_single.weight_shape}; PyTorch's "
                        f"are (C_in, C_out/g, k...) = {layout} and (C_out, C_in/g, k...) = {layout}")
        if check_t and single.weight_shape != layout:
            return fail(f"the weight layout is {single.weight_shape}; PyTorch's is (C_in, C_out/g, k...) = {layout}")
        if check_conv and conv_single.weight_shape != layout:
            return fail(f"the weight layout is {conv_single.weight_shape}; PyTorch's is (C_out, C_in/g, k...) = "
                        f"{layout}")
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
        if check_conv:
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
        if check_t:
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
        # the whole layer, where the encoded check saw a reduced one (fewer channels, a shorter input)
        whole = ""
        if (g * ci, g * co) != (tspec.in_channels, tspec.out_channels) or t_in != tuple(input_shape):
            work = (tspec.in_channels * (tspec.out_channels // g) * len(taps)
                    * (int(np.prod(want_t)) + int(np.prod(want_out))))
            if work > FULL_BUDGET:
                whole = (f"; the whole layer was not compared (about {work // 10**6} million products, above "
                         f"the limit of {FULL_BUDGET // 10**6} million)")
            else:
                why = _full_layer_trials(tspec, tuple(input_shape), check_conv, check_t)
                if why:
                    return fail(why)
                whole = (f"; and on the proof's whole layer ({counted(tspec.in_channels, 'input channel')}, "
                         f"{counted(tspec.out_channels, 'output channel')}, input size {_size(input_shape)}), "
                         f"{counted(FULL_TRIALS, 'draw')} of weights and inputs uniform on the integers of absolute "
                         f"value at most {FULL_BOUND} agree exactly with PyTorch's written definition (a wrong "
                         "definition that is, like every convolution, bilinear in the weights and the input passes "
                         f"all {FULL_TRIALS} with probability at most (2/{2 * FULL_BOUND + 1})^{FULL_TRIALS} "
                         f"< 2^-{math.floor(-FULL_TRIALS * math.log2(2 / (2 * FULL_BOUND + 1)))})")
    except (SymconvError, ValueError, IndexError, TypeError, ZeroDivisionError) as exc:
        return fail(f"the definitions cannot be applied: {type(exc).__name__}: {exc}")

    each = "each of " if g > 1 else "of "
    # the detail is plain text: a length named by a formula (n_T + p_l + p_r) is said in words, not half typeset
    t_words = (f"n_T = {_lengths(want_t)}" if t_length == "n_T" else f"the padded length {_lengths(want_t)}")
    out_words = f"n_out = {_lengths(want_out)}"
    if half == "both":
        lengths = f"output lengths {t_words} and {out_words}" if t_length == "n_T" else f"{t_words} and {out_words}"
        layer = (f"{counted(g, 'group')}, {each}{counted(ci, 'input channel')} and {counted(co, 'output channel')} "
                 + ("in the transposed layer and the reverse in the convolution" if ci != co else "in both layers")
                 + f"; {counted(len(taps), 'tap')}")
        entries = (f"every weight entry of both layers ({layer}), on inputs of spatial size {_size(n_t)} for the "
                   f"convolution and {_size(t_in)} for the transposed convolution")
        verb, layouts = "read (or added)", "the weight layouts"
    else:
        one_t = half == "transposed"
        lengths = (f"the output length {t_words}" if t_length == "n_T" else t_words) if one_t else f"the output length {out_words}"
        c_in, c_out = (ci, co) if one_t else (co, ci)
        layer = (f"{counted(g, 'group')}, {each}{counted(c_in, 'input channel')} and "
                 f"{counted(c_out, 'output channel')}; {counted(len(taps), 'tap')}")
        entries = f"every weight entry ({layer}), on an input of spatial size {_size(t_in if one_t else n_t)}"
        verb, layouts = ("added", "the weight layout") if one_t else ("read", "the weight layout")
    return Step(lhs, rhs, rule, "enumeration", True,
                f"{lengths} on the proof's sizes; {layouts}; and {entries}, with the inputs 1, 2, 3 and so on in "
                "row-major order and the weight entries distinct powers of a base larger than every input, so that "
                f"each digit of an output in that base says which weight entry {verb} which input: every output "
                "position equals PyTorch's written definition" + whole, name="convention")


@functools.lru_cache(maxsize=1)
def sympy_pair(channels: bool = False) -> tuple[Any, Any]:
    """``conv(x)[i] = sum_m w[m] x̃[s i + d m - p_l]``, the displayed convention (x̃ the padded input, x̃[u] = x[u] in range).

    With ``channels`` the layer's own form: ``conv(x)[o, i] = sum_{c_l < c_i} sum_m w[o, c_l, m]
    x̃[γ c_i + c_l, s i + d m - p_l]``, ``γ`` the group of output channel ``o``.
    """
    import sympy

    from .evaluate import sequence

    i, m, s, d, p, k = sympy.symbols("i m s d p_l k", integer=True)
    Y, W, X = sequence("conv(x)", r"\operatorname{conv}(x)"), sequence("w"), sequence("xpad", r"\tilde{x}")  # the padded input: reads may leave [0, n)
    if not channels:
        return Y(i), sympy.Sum(W(m) * X(s * i + d * m - p), (m, 0, k - 1))
    o, cl, ci, gamma = sympy.symbols(r"o c_{l} c_{i} \gamma", integer=True)
    return Y(o, i), sympy.Sum(sympy.Sum(W(o, cl, m) * X(gamma * ci + cl, s * i + d * m - p), (m, 0, k - 1)),
                              (cl, 0, ci - 1))


@functools.lru_cache(maxsize=2)
def sympy_transposed_pair(channels: bool = False) -> tuple[Any, Any]:
    """``conv^T(y)[j] = sum_i sum_m w[m] y[i] [j = s i + d m - p_l]``, the transposed half of the convention.

    With ``channels`` the layer's own form: ``conv^T(y)[o, j] = sum_{c in group γ} sum_i sum_m
    w[c, c_l, m] y[c, i] [j = s i + d m - p_l]``, ``o = γ c_o + c_l``, ``c_i`` and ``c_o`` the transposed
    layer's channels per group.
    """
    import sympy

    from .evaluate import Indicator, sequence

    i, j, m, s, d, p, k, n = sympy.symbols(r"i j m s d p_l k n_{\mathrm{in}}", integer=True)
    Y, W, T = sequence("y"), sequence("w"), sequence("convT(y)", r"\operatorname{conv}^{\top}(y)")
    at = Indicator(j, s * i + d * m - p)
    if not channels:
        return T(j), sympy.Sum(W(m) * Y(i) * at, (m, 0, k - 1), (i, 0, n - 1))
    c, cl, ci, co, gamma = sympy.symbols(r"c c_{l} c_{i} c_{o} \gamma", integer=True)
    return T(sympy.Symbol("o", integer=True), j), sympy.Sum(W(c, cl, m) * Y(c, i) * at, (m, 0, k - 1), (i, 0, n - 1),
                                             (c, gamma * ci, gamma * ci + ci - 1))
