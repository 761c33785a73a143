"""The round trip MᵀM: its entries by lag and phase, periodic in the interior, its diagonal the phase energies.

``prove_gram`` checks one layer by exact structure.  M's terms are checked to be the per-axis selections of its
taps, channel block by channel block (:func:`m_statement`); so ``MᵀM`` is, by distributivity, the product over
the axes of each axis's one-channel ``MₐᵀMₐ`` summed over the output channels of a group.  Each axis's product is
computed sparsely (:func:`symconv.gram.gram_structure`, a join over the rows of ``Mₐ`` that knows nothing of lags
or phases) and compared term by term, tap order included, with the statement's own formula, enumerated from
:mod:`symconv.formulas` (the sift, the Gram partner ``j + d(μ - m)``, the phase ``(j + p_l) mod s``).
:func:`~symconv.proofs.gram_general.prove_gram_general` proves the integer facts behind the statement for all
sizes with z3.  The statements live in :mod:`symconv.proofs.gram_statement`, the self-tested comparisons in
:mod:`symconv.proofs.gram_compare`; this module runs the steps (and the Cauchy–Schwarz certificate).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import re
from typing import Any

import numpy as np
import sympy

from ..errors import SizeLimitError, SpecTypeError
from ..gram import GramStructure, autocorrelation, gram_interior, gram_structure
from ..kernels import check_name, kernel_symbols, object_array
from ..kernels import kernel_symbols as _axis_symbols
from ..latex.phrases import counted, range_set_tex, weights_note
from ..matrices import conv_matrix
from ..numeric import conv
from ..spec import ConvSpec
from .anchors import DEFAULT_BITS, anchor_step, convention_step
from .core import Proof, Step, tuple_tex
from .gram_compare import compare as _compare
from .gram_compare import m_structure as _m_structure
from .gram_compare import merge as _merge
from .gram_compare import per_axis as _per_axis
from .gram_statement import (
    _OVER_O,
    _entries_tex,
    _gram_entry,
    _interior_mask,
    _phase_condition,
    _tex,
    interior_statement,
    lag_statement,
    m_statement,
)
from .guard import guarded, started
from .instance import INSTANCE_LIMIT, distinct_symbols
from .overlap import overlap_counts

_I64 = np.int64

__all__ = ["prove_gram", "prove_gram_general", "lag_statement", "interior_statement", "cs_certificate",
           "CS_CERTIFICATE_TEX"]

CAUCHY_SCHWARZ = "Cauchy--Schwarz"
"""The name of the step R[0] >= |R[tau]|: two names joined by an en dash, which TeX writes ``--``."""

#: The Cauchy--Schwarz certificate as displayed: ``[·]`` is the Iverson bracket, ``[0, k)`` the kernel's taps (on
#: every axis); :func:`cs_certificate` builds the same sum, and the test compares the two.
CS_CERTIFICATE_TEX = (r"\sum_{0 \le m, m + \tau < k} \bigl(w[m] + \sigma\, w[m + \tau]\bigr)^{2} + \sum_{0 \le m < k} "
                      r"\bigl([m + \tau \notin [0, k)] + [m - \tau \notin [0, k)]\bigr)\, w[m]^{2}")


#: The same with channels: for input channel ``c`` (position ``c_l`` in its group ``γ``), summed over the
#: output channels ``o`` of the group, as ``R`` is.
CS_CERTIFICATE_CHANNELS_TEX = (
    r"\sum_{o \in \gamma} \sum_{0 \le m, m + \tau < k} \bigl(w[o, c_{l}, m] + \sigma\, w[o, c_{l}, m + \tau]\bigr)^{2} "
    r"+ \sum_{o \in \gamma} \sum_{0 \le m < k} \bigl([m + \tau \notin [0, k)] + [m - \tau \notin [0, k)]\bigr)\, "
    r"w[o, c_{l}, m]^{2}")

#: where the display breaks the certificate's line (an align row: the justification stays on the page's line)
_CS_BREAK = (r" + \sum_{0 \le m < k}", r" \\ &\quad + \sum_{0 \le m < k}")
_CS_BREAK_CHANNELS = (r" + \sum_{o \in \gamma} \sum_{0 \le m < k}",
                      r" \\ &\quad + \sum_{o \in \gamma} \sum_{0 \le m < k}")


def cs_certificate(w: Any, lag: Any, sign: int) -> Any:
    """The displayed sum of squares for one channel of a kernel, literally: the squares of the pairs, plus each tap's
    square once per partner ``m ± τ`` outside the kernel.

    Parameters
    ----------
    w : array_like
        The kernel of one input channel, shape ``(C_out/g,) + kernel_size`` (entries sympy expressions).
    lag : tuple of int
        The lag ``τ``, one entry per spatial axis.
    sign : int
        ``σ``, ``+1`` or ``-1``.

    Returns
    -------
    sympy.Expr
        The certificate, unexpanded; ``2 R[0] + 2 σ R[τ]`` equals it after expansion.

    Raises
    ------
    ValueError
        If ``sign`` is not ``±1`` or ``lag`` has the wrong length.

    Examples
    --------
    >>> import sympy
    >>> w = sympy.Array(sympy.symbols("w0:3")).reshape(1, 3)
    >>> sympy.expand(cs_certificate(w, (2,), 1))
    2*w0**2 + 2*w0*w2 + 2*w1**2 + 2*w2**2
    """
    arr = object_array(w)
    kernel = arr.shape[1:]
    lag = tuple(int(t) for t in lag)
    if sign not in (1, -1) or len(lag) != len(kernel):
        raise ValueError(f"cs_certificate: sign {sign} must be +1 or -1 and lag {lag} must have one entry per axis "
                         f"of the kernel {kernel}")
    inside = lambda t: all(0 <= v < k for v, k in zip(t, kernel))  # noqa: E731
    total = sympy.Integer(0)
    for o in range(arr.shape[0]):
        for m in itertools.product(*(range(k) for k in kernel)):
            up = tuple(x + y for x, y in zip(m, lag))
            down = tuple(x - y for x, y in zip(m, lag))
            if inside(up):
                total += (arr[(o,) + m] + sign * arr[(o,) + up]) ** 2
            total += (int(not inside(up)) + int(not inside(down))) * arr[(o,) + m] ** 2
    return total


def _has_channels(spec: ConvSpec) -> bool:
    """Whether the documents write the channels (``w[o, c_l, m]``) or the one kernel (``w[m]``)."""
    return (spec.in_channels, spec.out_channels) != (1, 1)


def _cauchy_schwarz(spec: ConvSpec, w: Any) -> Step:
    """R[0] ≥ |R[τ]| for every input channel and lag, by a sum-of-squares certificate expanded by sympy."""
    arr = object_array(w)
    kernel = spec.kernel_size
    per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    channels = _has_channels(spec)
    R0, Rt = (r"R_c[0]", r"R_c[\tau]") if channels else (r"R[0]", r"R[\tau]")  # R depends on the channel c
    lhs = sympy.Symbol(rf"2 {R0} + 2 \sigma {Rt}")
    shown, cut = (CS_CERTIFICATE_CHANNELS_TEX, _CS_BREAK_CHANNELS) if channels else (CS_CERTIFICATE_TEX, _CS_BREAK)
    rhs = sympy.Symbol(shown.replace(cut[0], cut[1]))  # two lines, the tag on the second
    w_m, w_up = (r"w[o, c_{l}, m]", r"w[o, c_{l}, m + \tau]") if channels else (r"w[m]", r"w[m + \tau]")
    rule = (rf"Cauchy--Schwarz for the kernel's autocorrelation ${Rt}$, the sum of "
            + (rf"${w_m}\, {w_up}$ over the output channels $o$ of the group of input channel $c$ and the taps $m$"
               if channels else rf"${w_m}\, {w_up}$ over the taps $m$")
            + rf": for $\sigma = \pm 1$, $2 {R0} + 2 \sigma {Rt}$ equals the sum of "
            + rf"$({w_m} + \sigma {w_up})^{{2}}$ over " + ("the output channels $o$ and " if channels else "")
            + r"the taps with both $m$ and $m + \tau$ in the kernel, plus "
            + rf"${w_m}^{{2}}$ once for each of its two partners $m + \tau$, $m - \tau$ that falls outside the kernel "
            rf"(twice when both do): a sum of squares of reals, so ${R0} \ge |{Rt}|$")
    lags = [t for t in itertools.product(*(range(-(k - 1), k) for k in kernel)) if any(t)]
    checked = 0
    grid = np.array(list(itertools.product(*(range(k) for k in kernel))), dtype=_I64).reshape(-1, len(kernel))
    sizes = np.asarray(kernel, dtype=_I64)
    # the certificate's pattern for every lag at once (the same for every channel): tap m is row m of the grid;
    # (lag, m) where m + tau is a tap (and that tap's number), and where m - tau is none
    steps = np.asarray(lags, dtype=_I64).reshape(len(lags), len(kernel))
    up, down = grid[None] + steps[:, None], grid[None] - steps[:, None]
    up_lag, up_tap = np.nonzero(np.all((up >= 0) & (up < sizes), axis=2))
    up_at = np.ravel_multi_index(tuple(up[up_lag, up_tap].T), kernel) if up_lag.size else up_lag
    out_lag, out_tap = np.nonzero(~np.all((down >= 0) & (down < sizes), axis=2))
    for c in range(spec.in_channels):
        group, local = c // per_in, c % per_in
        block = arr[group * per_out:(group + 1) * per_out]
        symbols = list(block[:, local].ravel())  # the block's symbols, numbered 0, 1, ... in PyTorch's order
        index: dict = {}
        for x in symbols:  # a repeated symbol (a caller's weight may repeat one) keeps its first number
            index.setdefault(x, len(index))
        ids = np.array([index[x] for x in symbols], dtype=_I64).reshape(block[:, local].shape)
        flat_ids, n = ids.reshape(ids.shape[0], -1), len(index)  # row o, column m (the grid's row-major order)
        once = np.bincount(flat_ids.ravel(), minlength=n)  # every w[m]^2 once, whatever the lag
        try:
            energy = _quadratic_form(autocorrelation(block, (0,) * len(kernel), local), index)
        except ValueError as exc:
            return Step(lhs, rhs, rule, "polynomial identity", False, f"channel {c}: R[0] {exc}", name=CAUCHY_SCHWARZ)
        if not lags:  # a single tap: nothing to compare (said below)
            continue
        values = np.zeros((len(lags), n, n), dtype=_I64)
        broken = None  # the first lag whose R[tau] is no quadratic form: the lags before it are still checked first
        for at, lag in enumerate(lags):
            try:
                values[at] = _quadratic_form(autocorrelation(block, lag, local), index)
            except ValueError as exc:
                broken = (at, exc)
                break
        # the certificate's squares, split by the sign: (w[m] + sign w[m + tau])^2 = squares + sign * cross.
        # For every (o, m): w[m]^2 once; where m + tau is a tap, w[m + tau]^2 and the cross term 2 w[m] w[m + tau];
        # where m - tau is none, w[m]^2 once more (every lag at once: lag by lag in the first index)
        a, b = flat_ids[:, up_tap], flat_ids[:, up_at]  # (o, pair), the pair's lag in up_lag
        lag_ab = np.broadcast_to(up_lag, a.shape)
        diagonal = np.broadcast_to(once, (len(lags), n)).copy()
        np.add.at(diagonal, (lag_ab, b), 1)
        np.add.at(diagonal, (np.broadcast_to(out_lag, (flat_ids.shape[0], out_lag.size)), flat_ids[:, out_tap]), 1)
        squares = np.zeros((len(lags), n, n), dtype=_I64)
        squares[:, np.arange(n), np.arange(n)] = diagonal
        cross = np.zeros((len(lags), n, n), dtype=_I64)
        np.add.at(cross, (lag_ab, np.minimum(a, b), np.maximum(a, b)), 2)
        limit = len(lags) if broken is None else broken[0]
        diffs = {sign: 2 * energy + 2 * sign * values - (squares + sign * cross) for sign in (1, -1)}
        bad = {sign: np.flatnonzero(diffs[sign][:limit].reshape(limit, -1).any(axis=1)) for sign in (1, -1)}
        first = min((int(at), order, sign) for order, sign in enumerate((1, -1)) for at in bad[sign][:1])\
            if any(v.size for v in bad.values()) else None
        if first is not None:  # the first (lag, sign) that fails, in the order lag by lag, + before -
            at, _, sign = first
            diff, lag = diffs[sign][at], lags[at]
            a, b = (int(v[0]) for v in np.nonzero(diff))
            names = list(index)
            monomial = names[a] * names[b]
            return Step(lhs, rhs, rule, "polynomial identity", False,
                        f"channel {c}, lag {tuple_tex(lag)}, sign {sign:+d}: 2 R[0] {'+' if sign > 0 else '-'} "
                        f"2 R[tau] minus the sum of squares has the term {int(diff[a, b])}*{monomial}, not 0",
                        name=CAUCHY_SCHWARZ)
        if broken is not None:
            at, exc = broken
            return Step(lhs, rhs, rule, "polynomial identity", False, f"channel {c}, lag {tuple_tex(lags[at])}: "
                        f"R[tau] {exc}", name=CAUCHY_SCHWARZ)
        checked += 2 * len(lags)
    if not checked:
        return Step(lhs, rhs, rule, "polynomial identity", False, "the kernel has a single tap: there is no lag to "
                    "compare", name=CAUCHY_SCHWARZ)
    return Step(lhs, rhs, rule, "polynomial identity", True,
                f"{checked} sum-of-squares identities ({_plural(spec.in_channels, 'channel')}, "
                f"{_plural(len(lags), 'lag')}, both signs): every coefficient of the difference is 0", name=CAUCHY_SCHWARZ)


def _size_words(shape: tuple[int, ...]) -> str:
    """``of length 9`` in 1-D, ``of shape $6 \times 7$`` otherwise (no Python tuple in prose)."""
    if len(shape) == 1:
        return f"of length ${shape[0]}$"
    return "of shape $" + r" \times ".join(str(n) for n in shape) + "$"


def _plural(n: int, word: str) -> str:
    """``1 channel``, ``24 lags``: a count of the checks, in the right number."""
    return counted(n, word, words=False)


def _compare_counted(*args: Any, **kwargs: Any) -> Step:
    """:func:`~symconv.proofs.gram_compare.compare`, its detail's count of terms in the right number ("one term")."""
    step = _compare(*args, **kwargs)
    if step.holds:
        detail = re.sub(r"^(\d+) terms ", lambda m: counted(int(m.group(1)), "term", words=False) + " ", step.detail)
        if detail != step.detail:
            step = dataclasses.replace(step, detail=detail)
    return step


def _quadratic_form(expr: Any, index: dict) -> np.ndarray:
    """The coefficients of a quadratic form in the symbols of ``index``: ``U[a, b]`` of ``x_a x_b`` for ``a <= b``.

    Two quadratic forms are the same polynomial exactly when these upper-triangular matrices are equal.  Raises
    ValueError for anything that is not an integer quadratic form in those symbols.
    """
    expr = sympy.sympify(expr)
    try:  # a sum of monomials needs no expansion: read its coefficients directly
        return _coefficients(expr.as_coefficients_dict(), index)
    except ValueError:  # a product or power of sums, say: expand it, and refuse it if it is still no form
        return _coefficients(sympy.expand(expr).as_coefficients_dict(), index)


def _coefficients(terms: dict, index: dict) -> np.ndarray:
    U = np.zeros((len(index), len(index)), dtype=_I64)
    for monomial, coef in terms.items():
        if coef == 0:
            continue
        if coef.is_Integer:  # the two shapes a quadratic monomial takes, read without building a powers dict
            if monomial.is_Pow and monomial.exp == 2 and monomial.base in index:
                a = index[monomial.base]
                U[a, a] += int(coef)
                continue
            if monomial.is_Mul and len(monomial.args) == 2 and all(x in index for x in monomial.args):
                a, b = sorted(index[x] for x in monomial.args)
                U[a, b] += int(coef)
                continue
        powers = monomial.as_powers_dict()
        if not coef.is_Integer or sum(powers.values()) != 2 or not all(x in index for x in powers):
            raise ValueError(f"is not an integer quadratic form in the weights (term {coef * monomial})")
        ab = sorted(index[x] for x, p in powers.items() for _ in range(int(p)))
        U[ab[0], ab[1]] += int(coef)
    return U


def _interior_bounds_step(spec: ConvSpec, shape: tuple[int, ...], inner: tuple[range, ...]) -> Step:
    """The interior the proof uses against its bounds written out here (not by :func:`gram_interior`): on every
    axis, ``d(k-1) <= j``, ``j + p_l <= s(n_out - 1)`` and ``j + d(k-1) <= n - 1``, with PyTorch's ``n_out``."""
    lhs, rhs = sympy.Symbol("I"), sympy.Symbol(r"\{j : d(k-1) \le j,\ j + p_l \le s(n_{\mathrm{out}} - 1),\ "
                                                r"j + d(k-1) \le n - 1\}")
    rule = (r"the interior the proof uses is, on every axis, the set of $j$ with $d(k-1) \le j$, "
            r"$j + p_l \le s(n_{\mathrm{out}} - 1)$ and $j + d(k-1) \le n - 1$ (every tap of $j$'s phase reaches "
            r"$j$ from an output that exists, and so does every partner at a lag within the kernel), with "
            r"$n_{\mathrm{out}} = \lfloor (n + p_l + p_r - d(k-1) - 1)/s \rfloor + 1$")
    for ax, (n, k, s, (p_l, p_r), d) in enumerate(zip(shape, spec.kernel_size, spec.stride, spec.padding,
                                                      spec.dilation)):
        n_out = (n + p_l + p_r - d * (k - 1) - 1) // s + 1  # PyTorch's output length, written out
        written = [j for j in range(n) if d * (k - 1) <= j and j + p_l <= s * (n_out - 1) and j + d * (k - 1) <= n - 1]
        if len(inner) != len(shape) or list(inner[ax]) != written:
            used = list(inner[ax]) if ax < len(inner) else []
            return Step(lhs, rhs, rule, "enumeration", False, f"axis {ax}: the interior used is {used}, the bounds "
                        f"give {written}", name="interior bounds")
    if len(inner) == 1:
        sizes = counted(len(inner[0]), "interior position")
    else:
        sizes = "; ".join(f"axis {ax}: " + counted(len(r), "interior position") for ax, r in enumerate(inner))
    return Step(lhs, rhs, rule, "enumeration", True, f"every position of every axis counted ({sizes}), as the "
                "bounds give", name="interior bounds")


def _interior_steps(axes: list[tuple[ConvSpec, tuple[int], GramStructure, Any]], where: str,
                    channels: bool = False, period_seen: tuple[bool, ...] = (True,)) -> list[Step]:
    """Per axis, the interior rows against the phase autocorrelations and the interior diagonal against the phase
    energies (the N-D interior is the product of the axes' interiors, its terms the products of theirs)."""
    rows, diagonal = [], []
    for spec_a, shape_a, product_a, w_a in axes:
        inner = product_a.restrict_rows(_interior_mask(spec_a, shape_a))
        rows.append((spec_a, shape_a, inner, w_a))
        diagonal.append((spec_a, shape_a, inner.restrict(inner.rows == inner.cols), w_a))
    a, b = (r"w[o, c_{l}, m]", r"w[o, c'_{l}, m + \tau]") if channels else (r"w[m]", r"w[m + \tau]")
    lhs = sympy.Symbol(r"j \in I,\ |\tau| < k:\ " + _tex(_gram_entry("j", r"j + d \tau", channels)))
    rhs = sympy.Symbol((_OVER_O if channels else "") + r"\sum_{\substack{0 \le m, m + \tau < k\\ "
                       + _phase_condition() + rf"}}}} {a}\, {b}")
    many = len(axes) > 1
    on = "on every axis " if many else ""
    rule = (rf"in the interior $I = {where}$ ({on}$d(k-1) \le j$, $j + p_l \le s(n_{{\mathrm{{out}}}} - 1)$, "
            + r"$j + d(k-1) \le n - 1$), let $t = (j + p_l) \bmod s$ be the phase of $j$ and $R_t[\tau]$ the "
            + rf"autocorrelation of that phase, the sum of ${a}\, {b}$ over the taps $m$ with "
            + r"$d m \equiv t \pmod{s}$ and $0 \le m + \tau < k$"
            + (r" (and over the output channels $o$ of the group $\gamma$ of $c$ and $c'$, zero across groups)"
               if channels else "") + r"; then row $j$ of $M^{\top} M$ at lag $d \tau$ is $R_t[\tau]$: the interior "
            + r"is shift-invariant with period $s$" + (" on every axis" if many else "")
            + (r" (here $s = 1$: there is one phase, $R_0 = R$, and the interior is the convolution with the "
               r"kernel's autocorrelation $R$)" if all(sp.stride[0] == 1 for sp, *_ in axes) else "")
            + _period_rule(period_seen)
            + (r"; checked on each axis's sparse product, the interior being the product of the axes' interiors "
               r"and its terms the products of theirs" if many else ""))
    steps = [_merge("interior", _per_axis(lambda sp, sh, inner, wa: _compare_counted("interior", inner, functools.partial(
        lambda sp, sh: interior_statement(sp, sh)[0], sp, sh), lhs, rhs, rule, wa, ordered=True, zero_rows=True),
        rows), lhs, rhs, rule)]
    a = r"w[o, c_{l}, m]" if channels else r"w[m]"
    lhs = sympy.Symbol(r"j \in I:\ " + (r"(M^{\top} M)\left[(c, j), (c, j)\right]" if channels else
                                          r"(M^{\top} M)\left[j, j\right]"))
    rhs = sympy.Symbol((r"\sum_{o \in \gamma} " if channels else "") + r"\sum_{\substack{0 \le m < k\\ "
                       + _phase_condition() + rf"}}}} {a}^{{2}}")
    rule = (rf"the interior diagonal holds the energy of each phase, the sum of ${a}^{{2}}$ over the taps $m$ with "
            r"$d m \equiv (j + p_l) \pmod{s}$" + (r" and the output channels $o$ of the group $\gamma$ of $c$"
                                                   if channels else "")
            + r": $j' = j$ exactly when $\mu = m$, as $d \ge 1$" + (" (on each axis, as the interior)" if many else ""))
    steps.append(_merge("diagonal", _per_axis(lambda sp, sh, on, wa: _compare_counted("diagonal", on, functools.partial(
        lambda sp, sh: interior_statement(sp, sh, diagonal=True)[0], sp, sh), lhs, rhs, rule, wa, zero_rows=True),
        diagonal), lhs, rhs, rule))
    return steps


def _period_axes(spec: ConvSpec, inner: tuple[range, ...]) -> tuple[bool, ...]:
    """Per axis, whether the interior exercises its period: some ``j`` with ``j`` and ``j + s`` both interior.

    On such an axis the interior check compares rows ``j`` and ``j + s``, of one phase, with the same ``R_t``, so
    the period is checked there; on the other axes it is not seen in these sizes.
    """
    return tuple(any(j + s in r for j in r) for s, r in zip(spec.stride, inner))


def _period_words(seen: tuple[bool, ...]) -> tuple[str, str]:
    """The axes on which the period is exercised and those on which it is not, as words ("axis 1", "axes 0, 2")."""
    def axes(flag: bool) -> str:
        idx = [str(ax) for ax, f in enumerate(seen) if f == flag]
        return ("axis " if len(idx) == 1 else "axes ") + ", ".join(idx)
    return axes(True), axes(False)


def _period_rule(seen: tuple[bool, ...]) -> str:
    """The interior rule's words on the period: empty when every axis exercises it, else which axes do (or none)."""
    if all(seen):
        return ""
    if not any(seen):
        return (r"; no two interior positions of an axis lie $s$ apart here, so the period follows from the rows' "
                r"phases but is not seen in these sizes")
    yes, no = _period_words(seen)
    return (rf"; on {yes} two interior positions lie $s$ apart, and their rows, of one phase, are both checked "
            rf"against the same $R_t$, so the period is exercised there; on {no} no two interior positions lie $s$ "
            r"apart, so there the period follows from the rows' phases but is not seen in these sizes")


def _period_note(seen: tuple[bool, ...]) -> str:
    """The statement's words on the period (asserted where every axis exercises it, else said which axes do)."""
    if all(seen):
        return r", so the interior has period $s$"
    if not any(seen):
        return (r"; that the interior has period $s$ is not exercised here, as for these sizes no two interior "
                r"positions of an axis lie $s$ apart (the all-sizes version of this theorem proves it)")
    yes, no = _period_words(seen)
    return (rf", so the interior has period $s$ on {yes}, where two interior positions lie $s$ apart; on {no} that "
            r"period is not exercised here, as for these sizes no two interior positions of that axis lie $s$ apart "
            r"(the all-sizes version of this theorem proves it)")


def _axis_spec(spec: ConvSpec, ax: int) -> ConvSpec:
    """Axis ``ax`` of ``spec`` as a one-channel 1-D convolution (its own k, s, p_l, p_r, d)."""
    return ConvSpec(spec.kernel_size[ax], stride=spec.stride[ax], padding=(spec.padding[ax],),
                    dilation=spec.dilation[ax])


def _check_size(spec: ConvSpec, shape: tuple[int, ...], limit: int) -> None:
    per_in = spec.in_channels // spec.groups
    terms = (math.prod(spec.output_shape(shape)) * spec.out_channels * (per_in * math.prod(spec.kernel_size)) ** 2)
    if terms > limit:
        raise SizeLimitError(f"this Gram matrix needs about {terms} structure terms, over max_terms={limit}; "
                             "use prove_gram_general() for the statement about every size, or raise max_terms")


@guarded("The round trip: the Gram matrix (instance)")
def prove_gram(spec: ConvSpec, input_shape: Any, *, name: str = "w", seed: int = 0, max_terms: int = INSTANCE_LIMIT,
               anchor_bits: int = DEFAULT_BITS) -> Proof:
    """Prove, for one layer, what ``MᵀM`` is: entries by lag and phase, periodic interior, phase energies.

    ``Mᵀ(M x) = (MᵀM) x``: applied to the convolution's output, the transpose returns the input blurred by
    ``MᵀM``.  Steps: M is the convolution as PyTorch defines it (convention and anchor); M's terms are the
    per-axis selections of its taps, channel block by channel block (exact structure), so ``MᵀM`` is, by
    distributivity, the product over the axes of each axis's ``MₐᵀMₐ``; on every axis that product, computed
    sparsely as a join over ``Mₐ``'s rows, equals term by term the sum over taps ``m, μ`` of ``w[m] w[μ]`` at lag
    ``d(μ - m)``; in the interior its rows are the phase autocorrelations, so it is periodic with period ``s``;
    its interior diagonal holds the phase energies; with unit weights the diagonal is the overlap count of the
    transposed layer times ``C_out/g``; and ``R[0] >= |R[τ]|`` (Cauchy–Schwarz, a sum-of-squares identity
    checked coefficient by coefficient).

    Parameters
    ----------
    spec : ConvSpec
        The convolution (any number of axes, stride, padding, dilation, channels, groups).
    input_shape : tuple of int
        Spatial input shape.
    name : str, default "w"
        Base name of the kernel symbols.
    seed : int, default 0
        Seed of the anchor's random trials.
    max_terms : int
        Largest number of Gram terms (about ``n_out · C_out · (C_in/g · Π k)²``) the proof accepts.
    anchor_bits : int
        The anchor's false-pass bound, ``2^-anchor_bits``.

    Returns
    -------
    Proof
        Steps ``convention``, ``M is the convolution``, ``M by axes``, ``entries``, ``interior bounds``, ``interior`` and
        ``diagonal`` (when the interior is not empty), ``overlap``, ``Cauchy--Schwarz``; ``data`` holds each axis's
        sparse product (``gram_axes``), the interior and the period.

    Raises
    ------
    SpecTypeError
        If ``spec`` is not a :class:`~symconv.ConvSpec`, or ``name`` not a string.
    SpecError
        For a ``name`` that is not a plain identifier.
    ShapeError
        For an input shape that does not fit the layer.
    SizeLimitError
        When the Gram matrix has more than ``max_terms`` terms.

    Examples
    --------
    >>> proof = prove_gram(ConvSpec(3, stride=2, padding=1), (9,))
    >>> proof.holds, [step.name for step in proof.steps]  # doctest: +NORMALIZE_WHITESPACE
    (True, ['convention', 'M is the convolution', 'M by axes', 'entries', 'interior bounds', 'interior', 'diagonal',
            'overlap', 'Cauchy--Schwarz'])
    """
    check_name(name)
    if not isinstance(spec, ConvSpec):
        raise SpecTypeError(f"spec must be a ConvSpec (MᵀM is the round trip of a convolution), got "
                            f"{type(spec).__name__}")
    shape = spec.check_input_shape(input_shape)
    started()
    from ..latex.printing import layer_text  # the statement names the layer by its parameters

    # the layer and size in the title: two instance theorems of one document have distinct titles
    stride = " by ".join(str(v) for v in spec.stride) if len(set(spec.stride)) > 1 else str(spec.stride[0])
    title = (f"The round trip: the Gram matrix (instance, stride {stride}, "
             + (f"length {shape[0]})" if len(shape) == 1 else "inputs " + " by ".join(map(str, shape)) + ")"))
    tspec, t_in = spec.transpose(shape), spec.output_shape(shape)
    steps: list[Step] = [convention_step(tspec, t_in)]
    if not steps[-1].holds:  # every later step rests on the definitions: a wrong one ends the proof here
        return Proof(title, "The definitions of this layer are not PyTorch's.", tuple(steps),
                     data=dict(spec=spec, input_shape=shape))
    _check_size(spec, shape, max_terms)  # sizes from lengths the convention step has just pinned
    w = kernel_symbols(spec, name)
    M = conv_matrix(spec, w, shape)
    M_, x_ = sympy.MatrixSymbol("M", *M.shape), sympy.MatrixSymbol("x", M.shape[1], 1)
    per_in = spec.in_channels // spec.groups
    steps.append(anchor_step("M is the convolution", M, lambda wv, x: conv(spec, wv, x), spec.weight_shape,
                             math.prod(spec.kernel_size) * per_in, sympy.MatMul(M_, x_, evaluate=False),
                             sympy.Function("conv")(x_),
                             r"$M$, built from the index structure, is the convolution as defined by the numeric "
                             r"reference", seed=seed, bits=anchor_bits))
    premise = distinct_symbols(M)
    axes = []
    for ax in range(spec.ndim):  # each axis's sparse product MₐᵀMₐ, a join over Mₐ's rows (knows no lags)
        spec_a = _axis_spec(spec, ax)
        w_a = _axis_symbols(spec_a)  # placeholders of the axis's tap ids (the structure knows only ids)
        axes.append((spec_a, (shape[ax],), gram_structure(spec_a, w_a, (shape[ax],)), w_a))
    channels = _has_channels(spec)
    m_rule = ((r"$M$'s terms, read off the matrix the proof built, are the per-axis selections of its taps: entry "
              r"$((o, i), (c, j))$ is $w[o, c_{l}, m]$ when $j_\nu = s_\nu i_\nu + d_\nu m_\nu - p_{l,\nu}$ on every "
              r"axis $\nu$ and $c = \gamma C_{\mathrm{in}}/g + c_{l}$ lies in the group $\gamma$ of $o$, else 0 "
              r"(positions, channels and taps flattened row-major); so $(M^{\top} M)[(c, j), (c', j')] = "
              r"\bigl[\gamma = \gamma'\bigr] \sum_{o \in \gamma} \sum_{m, \mu} w[o, c_{l}, m]\, w[o, c'_{l}, \mu] "
              r"\prod_\nu (M_\nu^{\top} M_\nu)_{m_\nu, \mu_\nu}[j_\nu, j'_\nu]$ by distributivity, with "
              r"$c' = \gamma' C_{\mathrm{in}}/g + c'_{l}$, $M_\nu$ axis $\nu$'s one-channel matrix and "
              r"$(M_\nu^{\top} M_\nu)_{m_\nu, \mu_\nu}$ its tap pair's $0/1$ pattern; "
              r"each axis's selection is read from the one-axis layer whose product $M_\nu^{\top} M_\nu$ is computed "
              r"below, so those layers are $M$'s") if channels else (
        r"$M$'s terms, read off the matrix the proof built, are the per-axis selections of its taps: entry $(i, j)$ is "
        r"$w[m]$ when $j_\nu = s_\nu i_\nu + d_\nu m_\nu - p_{l,\nu}$ on every axis $\nu$, else 0 (positions and taps "
        r"flattened row-major); so $(M^{\top} M)[j, j'] = \sum_{m, \mu} w[m]\, w[\mu] \prod_\nu "
        r"(M_\nu^{\top} M_\nu)_{m_\nu, \mu_\nu}[j_\nu, j'_\nu]$ by distributivity, with $M_\nu$ axis $\nu$'s matrix and "
        r"$(M_\nu^{\top} M_\nu)_{m_\nu, \mu_\nu}$ its tap pair's $0/1$ pattern; each axis's selection is read from the "
        r"one-axis layer whose product $M_\nu^{\top} M_\nu$ is computed below, so those layers are $M$'s"))
    selection = r"\prod_{\nu} \bigl[j_\nu = \operatorname{tap}(i_\nu, m_\nu, s_\nu, p_{l,\nu}, d_\nu)\bigr]"
    if channels:
        m_lhs = sympy.Symbol(r"M\left[(o, i), (c, j)\right]")
        m_rhs = sympy.Symbol(r"\bigl[c = \gamma C_{\mathrm{in}}/g + c_{l}\bigr] \sum_{m} w[o, c_{l}, m] " + selection)
    else:
        m_lhs, m_rhs = sympy.Symbol(r"M\left[i, j\right]"), sympy.Symbol(r"\sum_{m} w[m] " + selection)
    # tap ids, not symbols: equal structures are equal matrices whether or not the symbols repeat
    axis_layers = [a[0] for a in axes]  # the statement reads each axis from the layer whose product is computed
    steps.append(_compare_counted("M by axes", _m_structure(M, math.prod(spec.weight_shape)),
                          lambda: m_statement(spec, shape, axes=axis_layers), m_lhs, m_rhs, m_rule, w,
                          "(row, column, tap)"))
    rhs = sympy.Symbol(_entries_tex(channels=channels))
    entry = _gram_entry("j", "j'", channels)
    rule = (r"on each axis, the product $M_\nu^{\top} M_\nu$, computed by the proof as a sparse join of $M_\nu$'s "
            r"terms over its rows (output $i$ pairs its terms $w[m]$ at $j$ and $w[\mu]$ at $j'$), against the "
            r"statement, for all $0 \le j, j' < n$: the sum over the taps $m, \mu$ for which $j + p_l - d m$ is a "
            r"multiple $s i$ of the stride with $0 \le i < n_{\mathrm{out}}$ and $j' = j + d(\mu - m)$; by the line "
            r"above, $M^{\top} M$ is the product of these over the axes"
            + (r", and channel block $(c, c')$ sums $w[o, c_{l}, m]\, w[o, c'_{l}, \mu]$ over the output channels "
               r"$o$ of the group $\gamma$ of $c = \gamma C_{\mathrm{in}}/g + c_{l}$ and "
               r"$c' = \gamma C_{\mathrm{in}}/g + c'_{l}$, and is zero across groups" if channels else ""))
    if premise:
        steps.append(Step(entry, rhs, rule, "exact structure", False, premise, name="entries"))
    else:
        steps.append(_merge("entries", _per_axis(lambda sp, sh, product_a, wa: _compare_counted(
            "entries", product_a, functools.partial(lag_statement, sp, sh), entry, rhs, rule, wa, ordered=True),
            axes), entry, rhs, rule))
    inner = gram_interior(spec, shape)
    steps.append(_interior_bounds_step(spec, shape, inner))
    where = r" \times ".join(range_set_tex(r.start, r.stop - 1) for r in inner)
    has_interior = all(len(r) for r in inner)
    if has_interior:
        steps += _interior_steps(axes, where, channels, _period_axes(spec, inner))
    counts = overlap_counts(tspec, t_in)
    per_group = spec.out_channels // spec.groups  # C_out/g, written as its number (and omitted when 1)
    unit = np.ones((), dtype=_I64)
    for _, _, product_a, _ in axes:  # the N-D unit diagonal: C_out/g times the product of the axes' (line 3)
        unit = np.multiply.outer(unit, product_a.diagonal_counts())
    unit = np.broadcast_to((spec.out_channels // spec.groups) * unit, (spec.in_channels,) + shape)
    expected = (spec.out_channels // spec.groups) * counts  # counts of another shape: a failed step, not an error
    ok = expected.shape == unit.shape[1:] and bool(np.array_equal(unit, np.broadcast_to(expected, unit.shape)))
    steps.append(Step(
        sympy.Symbol((r"(M^{\top} M)\left[(c, j), (c, j)\right]" if channels else r"(M^{\top} M)\left[j, j\right]")
                     + r"\big|_{w \equiv 1}"),
        sympy.Symbol((rf"{per_group}\, " if per_group != 1 else "") + r"\operatorname{count}[j]"),
        r"with every weight set to 1 ($w \equiv 1$), the diagonal of $M^{\top} M$ is "
        + (rf"${per_group}$ times " if per_group != 1 else "")
        + r"$\operatorname{count}[j]$, the number of taps reaching $j$ in the transposed layer (its overlap "
        r"count, read off $T$)"
        + (rf", as the ${per_group}$ output channels of a group ($C_{{\mathrm{{out}}}}/g = {per_group}$) each add "
           rf"theirs" if per_group != 1 else ", the one output channel of its group adding it once")
        + (r": by the lines above, the unit-weight diagonal is " + (rf"${per_group}$ times " if per_group != 1 else "")
           + "the product over the axes of each axis's unit-weight diagonal, read off its sparse product"
           if spec.ndim > 1 else ": the unit-weight diagonal is read off the sparse product"),
        "enumeration", ok,
        f"{unit.size} diagonal entries ({_plural(spec.in_channels, 'channel')} by "
        f"{_plural(int(np.prod(shape)), 'position')}) equal the overlap counts"
        + (f" times {per_group}, the number of output channels per group" if per_group != 1 else
           " (one output channel per group)") if ok else
        f"unit-weight diagonal {unit.ravel()[:12].tolist()}..., overlap counts {expected.ravel()[:12].tolist()}...",
        name="overlap"))
    steps.append(_cauchy_schwarz(spec, w))
    every = " on every axis" if spec.ndim > 1 else ""
    n_out = spec.output_shape(shape)
    if spec.ndim == 1:
        sizes = rf"$n = {shape[0]}$, with $n_{{\mathrm{{out}}}} = {n_out[0]}$ outputs"
        taps = r"$0 \le m < k$"
    else:
        times = lambda values: r" \times ".join(str(v) for v in values)  # noqa: E731
        sizes = (rf"$n = {times(shape)}$ and $n_{{\mathrm{{out}}}} = {times(n_out)}$, axis by axis, on the "
                 rf"{counted(spec.ndim, 'axis', 'axes')}; positions $i, j$, lags $\tau$ and taps $m, \mu$ have "
                 r"one entry per axis, and every relation below holds on each axis with that axis's values of "
                 r"$n, n_{\mathrm{out}}, k, s, d, p_l$")
        taps = r"$0 \le m < k$"
    if channels:
        weights = (r"distinct real weights $w[o, c_{l}, m]$, the weight by which output channel $o$ reads the input "
                   r"channel at position $c_{l}$ of its group through tap " + taps
                   + r" (the input channels of group $\gamma$ are $\gamma C_{\mathrm{in}}/g + c_{l}$, "
                   r"$0 \le c_{l} < C_{\mathrm{in}}/g$, read by its output channels $o \in \gamma$)")
        entries = (r"for input channels $c = \gamma C_{\mathrm{in}}/g + c_{l}$ and "
                   r"$c' = \gamma' C_{\mathrm{in}}/g + c'_{l}$ of groups $\gamma$ and $\gamma'$, the entry "
                   r"$(M^{\top} M)[(c, j), (c', j')]$ is zero when $\gamma \ne \gamma'$, and otherwise the sum of "
                   r"$w[o, c_{l}, m]\, w[o, c'_{l}, \mu]$ over the output channels $o$ of group $\gamma$ and over "
                   rf"the pairs of taps $(m, \mu)$ with $j' - j = d(\mu - m)${every} that reach $j$ and $j'$ from one "
                   r"output $i = (j + p_l - d m)/s$, an integer with $0 \le i < n_{\mathrm{out}}$")
        corr = (r"for every input channel $c$ the kernel's autocorrelation at that channel, $R_c[\tau] = "
                r"\sum_{o \in \gamma} \sum_m w[o, c_{l}, m]\, w[o, c_{l}, m + \tau]$, over the output channels $o$ "
                r"of the group $\gamma$ of $c$ and the taps with $m$ and $m + \tau$ in the kernel, satisfies")
        energy = r"\sum_{o \in \gamma} \sum_{d m \equiv t} w[o, c_{l}, m]^{2}"
    else:
        weights = r"distinct real weights $w[m]$, the weight of tap " + taps
        entries = (r"the entry $(M^{\top} M)[j, j']$ is the sum of $w[m]\, w[\mu]$ over the pairs of taps "
                   rf"$(m, \mu)$ with $j' - j = d(\mu - m)${every} that reach $j$ and $j'$ from one output "
                   r"$i = (j + p_l - d m)/s$, an integer with $0 \le i < n_{\mathrm{out}}$")
        corr = (r"the kernel's autocorrelation $R[\tau] = \sum_m w[m]\, w[m + \tau]$, over the taps with $m$ and "
                r"$m + \tau$ in the kernel, satisfies")
        energy = r"\sum_{d m \equiv t} w[m]^{2}"
    if channels:
        lag_entry = r"$(M^{\top} M)[(c, j), (c', j + d \tau)]$"
        depends = r"$c$, $c'$, $\tau$ and the phase"
        diagonal_is = (r"its diagonal, $(c, j) = (c', j')$ with $c = \gamma C_{\mathrm{in}}/g + c_{l}$, holds the "
                       r"phase energies")
    else:
        lag_entry, depends, diagonal_is = r"$(M^{\top} M)[j, j + d \tau]$", r"$\tau$ and the phase", \
            "its diagonal holds the phase energies"
    unit_entry = r"$(M^{\top} M)[(c, j), (c, j)]$" if channels else r"$(M^{\top} M)[j, j]$"
    # the period is asserted only on the axes whose sizes exercise it (some j and j + s both interior)
    period_note = _period_note(_period_axes(spec, inner) if has_interior else (True,))
    per_group = spec.out_channels // spec.groups  # C_out/g, as the overlap lemma writes it (omitted when 1)
    unit = ((rf"${per_group}\, \operatorname{{count}}[j]$, $C_{{\mathrm{{out}}}}/g = {per_group}$ times the overlap "
             r"count $\operatorname{count}[j]$") if per_group != 1 else r"the overlap count $\operatorname{count}[j]$")
    R0, Rt = (r"R_c[0]", r"R_c[\tau]") if channels else (r"R[0]", r"R[\tau]")
    statement = (rf"For the convolution {layer_text(spec)} on inputs {_size_words(shape)} ({sizes}), let $M$ be "
                 rf"its matrix, with {weights}. Then (i) {entries}. (ii) In the interior $I$, the positions $j$ with "
                 r"$d(k-1) \le j$, $j + p_l \le s(n_{\mathrm{out}} - 1)$ and $j + d(k-1) \le n - 1$"
                 + every + rf", the entry {lag_entry} at a lag $|\tau| < k$ depends only on {depends} "
                 r"$t = (j + p_l) \bmod s$ of $j$" + period_note
                 + rf"; {diagonal_is} ${energy}$, the sum over the taps $m$ with $d m \equiv t \pmod{{s}}$. (iii) With "
                 rf"unit weights ($w \equiv 1$) the diagonal entry {unit_entry} equals {unit}, the number of taps of "
                 r"the transposed layer reaching $j$ (the pairs of an input $i$ and a tap $m$ of the transposed layer "
                 r"with $s i + d m - p_l = j$)"
                 + r". (iv) " + rf"{corr[0].upper() + corr[1:]} ${R0} \ge |{Rt}|$."
                 + ("" if has_interior else r" The interior is empty for these sizes, so only (i), (iii) and (iv) "
                    r"are checked here."))
    periods = tuple(s for s in spec.stride)
    largest = r", largest at lag 0 by (iv)" if all(s == 1 for s in spec.stride) else ""
    return Proof(title, statement, tuple(steps),
                 conclusion=r"$M^{\top} (M x) = (M^{\top} M)\, x$: applied to the convolution's output $M x$, the "
                            r"transpose returns the input $x$ blurred by $M^{\top} M$, which away from the borders is "
                            rf"the convolution with the (phase) autocorrelation of the kernel{largest}.",
                 notes=(weights_note(tuple_tex(spec.weight_shape), transposed=False, channels=channels),),
                 data=dict(spec=spec, input_shape=shape, weight=w, gram_axes=tuple(a[2] for a in axes), interior=inner,
                           period=periods))


from .gram_general import prove_gram_general  # noqa: E402  (the parametric proof, in its own module)
