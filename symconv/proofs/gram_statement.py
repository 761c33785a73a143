"""The round trip's statements, enumerated from :mod:`symconv.formulas` (independent of the product).

``lag_statement`` is ``MᵀM`` as the theorem states it, ``interior_statement`` its interior rows (phase
autocorrelations, phase energies on the diagonal), ``m_statement`` M's terms as the per-axis selections of its
taps; with the symbols and displays the instance and parametric proofs share.  :mod:`symconv.proofs.gram` compares
them with the products it computes.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import sympy

from .. import formulas as default_formulas
from ..errors import ShapeError
from ..gram import GramStructure, gram_interior
from ..spec import ConvSpec
from .evaluate import NAMED, sequence

__all__ = ["lag_statement", "interior_statement", "m_statement"]

_I64 = np.int64
INT32_LIMIT = 2**31 - 1  # m_statement's index arrays are int32 below this
G_ = sequence("G", r"(M^{\top} M)")
W_ = sequence("w")
W2_ = sequence("wsq", r"w^{2}")


class _Bracket(sympy.Function):
    """The Iverson bracket of a condition (for display)."""

    nargs = 1

    def _latex(self, printer):
        return rf"\left[{printer._print(self.args[0])}\right]"


J, J2, M_TAP, M2_TAP = sympy.symbols("j j' m mu", integer=True)
S_, D_, PL_ = sympy.symbols("s d p_l", integer=True)


def _tex(expr: Any) -> str:
    from ..latex.printing import math_latex

    return math_latex(expr)


@functools.cache
def _phase_condition() -> str:
    """``d m ≡ ph(j) (mod s)``, the phase rendered from the executed formula's name."""
    return rf"d m \equiv {_tex(NAMED.phase_of(J, S_, PL_))}\ (\mathrm{{mod}}\ s)"


#: The weights of a pair of taps, one channel (``w[m] w[μ]``) or with channels (output channel ``o``, the
#: positions ``c_l`` and ``c'_l`` of the input channels ``c`` and ``c'`` within their group).
_PAIR = {False: (r"w[m]", r"w[\mu]"), True: (r"w[o, c_{l}, m]", r"w[o, c'_{l}, \mu]")}

#: Before a sum over the taps, with channels: zero across groups, else the sum over the group's output channels
#: (``γ``, ``γ'`` the groups of ``c``, ``c'``).
_OVER_O = r"\bigl[\gamma = \gamma'\bigr] \sum_{o \in \gamma} "


def _gram_entry(first: str, second: str, channels: bool) -> sympy.Symbol:
    """``(MᵀM)[j, j']``, or ``(MᵀM)[(c, j), (c', j')]`` with channels (the display's left side)."""
    if channels:
        return sympy.Symbol(rf"(M^{{\top}} M)\left[(c, {first}), (c', {second})\right]")
    return sympy.Symbol(rf"(M^{{\top}} M)\left[{first}, {second}\right]")


@functools.cache
def _entries_tex(j: Any = J, m: Any = M_TAP, m2: Any = M2_TAP, channels: bool = False) -> str:
    """The lag statement as a display: a double sum over the taps with its conditions under the sum (with
    ``channels``, inside the sum over the output channels of the group, zero across groups)."""
    res = _tex(NAMED.sift_residue(j, m, S_, PL_, D_))
    src = _tex(NAMED.sifted_position(j, m, S_, PL_, D_))
    partner = _tex(NAMED.gram_partner(j, m, m2, D_))
    a, b = _PAIR[channels]
    return ((_OVER_O if channels else "")
            + rf"\sum_{{\substack{{0 \le m, \mu < k\\ {res} = 0\\ 0 \le {src} < n_{{\mathrm{{out}}}}\\ "
            rf"j' = {partner}}}}} {a}\, {b}")



def _axis_lags(F: Any, n: int, n_out: int, k: int, s: int, p_l: int, d: int) -> tuple[np.ndarray, ...]:
    """One axis: the (j, m, j', μ) with tap m carrying an existing output to j and tap μ to j' = partner."""
    j, m, m2 = (x.ravel() for x in np.meshgrid(np.arange(n), np.arange(k), np.arange(k), indexing="ij"))
    i = F.sifted_position(j, m, s, p_l, d)
    j2 = F.gram_partner(j, m, m2, d)
    ok = (F.sift_residue(j, m, s, p_l, d) == 0) & (i >= 0) & (i < n_out) & (j2 >= 0) & (j2 < n)
    return j[ok], m[ok], j2[ok], m2[ok]


def _axis_interior(F: Any, inner: range, k: int, s: int, p_l: int, d: int,
                   diagonal: bool = False) -> tuple[np.ndarray, ...]:
    """One axis, interior rows only: the taps m of j's phase, every μ (only μ = m on the diagonal), at
    j' = partner (no range conditions)."""
    j, m, m2 = (x.ravel() for x in np.meshgrid(np.arange(inner.start, inner.stop), np.arange(k), np.arange(k),
                                               indexing="ij"))
    phase = F.phase_of(j, s, p_l)
    ok = F.sift_residue(phase, m, s, 0, d) == 0  # d m ≡ phase (mod s)
    if diagonal:
        ok &= m == m2
    return j[ok], m[ok], F.gram_partner(j[ok], m[ok], m2[ok], d), m2[ok]


def _combine(F: Any, spec: ConvSpec, shape: tuple[int, ...], per_axis: list, diagonal: bool = False) -> GramStructure:
    """Axis tuples to flat (channel, position) rows and columns and flat weight taps, for every channel pair."""
    j = j2 = m = m2 = np.zeros(1, dtype=_I64)
    for ax, (aj, am, aj2, am2) in enumerate(per_axis):  # the Cartesian product of the axes, flattened row-major
        j = F.flat_index(j[:, None], aj[None, :], shape[ax]).ravel()
        j2 = F.flat_index(j2[:, None], aj2[None, :], shape[ax]).ravel()
        m = F.flat_index(m[:, None], am[None, :], spec.kernel_size[ax]).ravel()
        m2 = F.flat_index(m2[:, None], am2[None, :], spec.kernel_size[ax]).ravel()
    per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    n_pos, n_k = math.prod(shape), math.prod(spec.kernel_size)
    rows, cols, ta, tb = [], [], [], []
    for group in range(spec.groups):
        for o in range(group * per_out, (group + 1) * per_out):
            for l1 in range(per_in):
                for l2 in ([l1] if diagonal else range(per_in)):
                    rows.append(F.flat_index(F.group_channel(group, per_in, l1), j, n_pos))
                    cols.append(F.flat_index(F.group_channel(group, per_in, l2), j2, n_pos))
                    ta.append(F.flat_index(F.flat_index(o, l1, per_in), m, n_k))
                    tb.append(F.flat_index(F.flat_index(o, l2, per_in), m2, n_k))
    size = spec.in_channels * n_pos

    def cat(parts: list) -> np.ndarray:
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    return GramStructure.build((size, size), cat(rows), cat(cols), cat(ta), cat(tb),
                               n_taps=spec.out_channels * per_in * n_k)


def lag_statement(spec: ConvSpec, input_shape: Any, formulas: Any = None) -> GramStructure:
    """``MᵀM`` as the theorem states it: ``Σ_o Σ_{m, μ} w[o, l, m] w[o, l', μ]`` at ``((c, j), (c', j'))``.

    Per axis, ``j + p_l - d m`` is a multiple of ``s`` whose quotient is an output ``0 <= i < n_out``, and
    ``j' = j + d(μ - m)`` lies in ``[0, n)``; ``c = γ C_in/g + l`` and ``c' = γ C_in/g + l'`` lie in the
    group ``γ`` of ``o``.  Each (i, m, μ) triple of the product appears once, as (j, m, μ).
    """
    F = default_formulas if formulas is None else formulas
    shape = spec.check_input_shape(input_shape)
    out = spec.output_shape(shape)
    per_axis = [_axis_lags(F, n, n_out, k, s, p_l, d) for n, n_out, k, s, p_l, d in
                zip(shape, out, spec.kernel_size, spec.stride, spec.padding_left, spec.dilation)]
    return _combine(F, spec, shape, per_axis)


def interior_statement(spec: ConvSpec, input_shape: Any, diagonal: bool = False,
                       formulas: Any = None) -> tuple[GramStructure, np.ndarray]:
    """The interior rows of ``MᵀM`` as the phase autocorrelations ``R_{phase(j)}[c, c', τ]`` at lag ``d τ``.

    Returns the structure and the boolean mask of interior rows.  With ``diagonal=True``: the interior diagonal
    as the phase energies ``Σ_o Σ_{m of phase(j)} w[o, l, m]²``.
    """
    F = default_formulas if formulas is None else formulas
    shape = spec.check_input_shape(input_shape)
    inner = gram_interior(spec, shape)
    per_axis = [_axis_interior(F, r, k, s, p_l, d, diagonal) for r, k, s, p_l, d in
                zip(inner, spec.kernel_size, spec.stride, spec.padding_left, spec.dilation)]
    return _combine(F, spec, shape, per_axis, diagonal), _interior_mask(spec, shape)


def _interior_mask(spec: ConvSpec, shape: tuple[int, ...]) -> np.ndarray:
    """Rows of ``MᵀM`` (flat (channel, position)) whose position lies in the interior on every axis."""
    mask = np.zeros((spec.in_channels,) + tuple(shape), dtype=bool)
    mask[(slice(None),) + tuple(slice(r.start, r.stop) for r in gram_interior(spec, shape))] = True
    return mask.ravel()



def m_statement(spec: ConvSpec, input_shape: Any, formulas: Any = None, axes: Any = None) -> GramStructure:
    """M's terms as the theorem reads them: ``w[o, l, m]`` at ``((o, i), (c, j))`` with ``j = tap(i, m)`` on every
    axis and ``c = γ C_in/g + l`` in the group ``γ`` of ``o`` (tap ids in ``taps_a``; ``taps_b`` is 0).

    The row-major flattening of the axes and channels is the one of :func:`symconv.conv_matrix`, so M's structure
    equals this exactly when M is the per-axis product of its taps' selections, channel block by channel block.
    With ``axes`` (one 1-D layer per axis: the layers whose products the proof computes), each axis's selection is
    read from that layer, so the comparison also ties those layers to ``M``.  The terms come in M's row-major order
    (by row, then column), so an equal M is seen equal without a sort.
    """
    F = default_formulas if formulas is None else formulas
    shape = spec.check_input_shape(input_shape)
    out = spec.output_shape(shape)
    if axes is None:
        params = zip(shape, out, spec.kernel_size, spec.stride, spec.padding_left, spec.dilation)
    else:
        if len(axes) != spec.ndim:
            raise ShapeError(f"{len(axes)} axis layers for a {spec.ndim}-D layer")
        params = ((n, a.output_shape((n,))[0], a.kernel_size[0], a.stride[0], a.padding_left[0], a.dilation[0])
                  for n, a in zip(shape, axes))
    per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    n_pos, n_rows, n_k = math.prod(shape), math.prod(out), math.prod(spec.kernel_size)
    params = [tuple(int(v) for v in axis) for axis in params]
    # 32-bit indices (as M's own) halve the memory traffic when every value fits: the flat rows, columns and taps,
    # and the flat tap positions j before the range test, each axis's in (-(s n_out + d k + |p_l|), n + s n_out +
    # d k + |p_l|), so the flat one below the product of those bounds (tests/test_gram_speed.py checks the guard)
    reach = math.prod(n + s * n_out + d * k + abs(p_l) for n, n_out, k, s, p_l, d in params)
    wide = max(spec.out_channels * n_rows, spec.in_channels * n_pos, spec.out_channels * per_in * n_k, reach)
    itype = np.int32 if wide < INT32_LIMIT else _I64
    # the (output position, tap) grid, flattened axis after axis: flat i, flat m, flat j = tap(i, m) and whether
    # j lies in [0, n) on every axis (the grid holds every (i, m); the terms are its valid cells)
    i = m = np.zeros(1, dtype=itype)
    j = np.zeros((1, 1), dtype=itype)
    ok = np.ones((1, 1), dtype=bool)
    cnt = np.ones(1, dtype=np.int64)
    for n, n_out, k, s, p_l, d in params:
        ai, am = np.arange(n_out, dtype=itype), np.arange(k, dtype=itype)
        aj = np.asarray(F.tap_position(ai[:, None], am[None, :], s, p_l, d), dtype=itype)  # (n_out, k)
        i = F.flat_index(i[:, None], ai[None, :], itype(n_out)).ravel()
        m = F.flat_index(m[:, None], am[None, :], itype(k)).ravel()
        inside = (aj >= 0) & (aj < n)
        # (earlier rows, this axis's rows, earlier taps and this axis's taps): the taps made one axis first, so
        # that the grid's innermost run is a whole row of taps
        j = F.flat_index(np.repeat(j, k, axis=1)[:, None, :], np.tile(aj, (1, j.shape[1]))[None, :, :],
                         itype(n)).reshape(i.size, m.size)
        ok = (np.repeat(ok, k, axis=1)[:, None, :] & np.tile(inside, (1, ok.shape[1]))[None, :, :]).reshape(i.size,
                                                                                                             m.size)
        cnt = np.multiply.outer(cnt, np.count_nonzero(inside, axis=1)).ravel()  # a product over the axes, as ok is
    # the valid cells in row-major (i, m) order: cnt[i] of them in row i
    j_sel, m_sel = j[ok], np.broadcast_to(m, ok.shape)[ok]
    # per (o, l), o and l in the group loops' order: the row base, the channel c = γ C_in/g + l and the tap base
    o = np.arange(spec.out_channels, dtype=itype)[:, None]
    group = np.repeat(np.arange(spec.groups, dtype=itype), per_out)[:, None]  # the group of o, as the loops give it
    l1 = np.arange(per_in, dtype=itype)[None, :]
    row_of = F.flat_index(o, i[None, :], itype(n_rows))  # (C_out, rows)
    channel = np.broadcast_to(F.group_channel(group, itype(per_in), l1), (spec.out_channels, per_in))
    tap_of = np.broadcast_to(F.flat_index(o, l1, itype(per_in)), (spec.out_channels, per_in))
    if spec.out_channels == 1 and per_in == 1:  # one block (o, l): the spatial terms as they are
        rows = np.repeat(row_of[0], cnt)
        cols = F.flat_index(channel[0, 0], j_sel, itype(n_pos))
        taps = F.flat_index(tap_of[0, 0], m_sel, itype(n_k))
    else:  # every (o, i, l) block holds row i's valid cells, in the order (C_out, rows, C_in/g, taps)
        block_o = np.repeat(np.arange(spec.out_channels), i.size * per_in)
        block_i = np.tile(np.repeat(np.arange(i.size), per_in), spec.out_channels)
        block_l = np.tile(np.arange(per_in), spec.out_channels * i.size)
        sizes = cnt[block_i]
        starts = np.cumsum(cnt) - cnt  # row i's first cell among the valid ones
        first = np.cumsum(sizes) - sizes  # block b's first term
        pick = np.arange(int(sizes.sum())) + np.repeat(starts[block_i] - first, sizes)
        rows = np.repeat(row_of[block_o, block_i], sizes)
        cols = F.flat_index(np.repeat(channel[block_o, block_l], sizes), j_sel.take(pick), itype(n_pos))
        taps = F.flat_index(np.repeat(tap_of[block_o, block_l], sizes), m_sel.take(pick), itype(n_k))
    rows, cols, taps = (np.asarray(x, dtype=itype) for x in (rows, cols, taps))
    return GramStructure.build((spec.out_channels * n_rows, spec.in_channels * n_pos), rows, cols, taps,
                               np.zeros_like(taps), n_taps=spec.out_channels * per_in * n_k)

