"""The polyphase (sub-pixel) view: a strided transposed convolution as ``s^N`` small convolutions, interleaved.

On one axis, output ``j`` of a transposed convolution (stride ``s``, left
padding ``p_l``, dilation ``d``), moved to the uncropped grid ``J = j + p_l``,
lies in phase ``t = J mod s`` at position ``u = J div s``.  Tap ``m`` reaches
phase ``t`` exactly when ``d m = t (mod s)`` and then reads input
``u - (d m - t)/s``: every phase is a true (full) convolution, not a cross-correlation, of the
*original* input with a sub-kernel of its own, and no inserted zero is ever
multiplied (Shi et al., arXiv:1609.07009).  The output is the phases
interleaved (``torch.nn.PixelShuffle`` for equal strides), cropped by ``p_l``
and zero-extended where the output padding reaches past the full length.

The factors are built here by per-axis tables of their own (never by the
enumerator of :mod:`symconv.matrices`): ``Phi``, the stacked phase
convolutions, with rows ``(c, t_0, ..., t_{N-1}, u_0, ..., u_{N-1})`` in
PixelShuffle's channel layout; and ``Q``, the 0/1 interleave-and-crop matrix.

>>> from symconv import TransposedConvSpec, kernel_symbols, transposed_conv_matrix
>>> t = TransposedConvSpec(4, stride=2, padding=1)
>>> w = kernel_symbols(t)
>>> product, Phi, Q = polyphase_view(t, w, (3,))
>>> product == transposed_conv_matrix(t, w, (3,)), Phi.shape, Q.shape
(True, (8, 3), (6, 8))
>>> phase_taps(4, 2, 1)
((0, 2), (1, 3))
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from . import formulas as F
from .errors import ShapeError, SpecTypeError
from .expr import Conv, _channel_delta, _delta, _encode, _Params, _split
from .kernels import as_weight, flat_entries
from .matrices import ConvMatrix
from .spec import TransposedConvSpec
from .structure import CONSTANT, Structure

__all__ = ["PhaseAxis", "phase_axis", "phase_taps", "phase_tap_counts", "phase_tap_count", "coprime_phase_count",
           "equal_taps_criterion", "EqualTapsCheck", "check_equal_taps", "phase_convolutions",
           "interleave_matrix", "polyphase_view", "subpixel_weight", "pixel_shuffle", "polyphase_numeric",
           "polyphase_torch", "Interleave", "polyphase_expr"]


def phase_taps(k: int, s: int, d: int) -> tuple[tuple[int, ...], ...]:
    """The taps ``m`` that reach each phase ``t = 0, ..., s-1`` (those with ``d m = t (mod s)``), in order of shift.

    >>> phase_taps(3, 2, 2)
    ((0, 1, 2), ())
    """
    m = np.arange(k)
    return tuple(tuple(int(x) for x in m[np.asarray(F.phase_residue(m, t, s, d)) == 0]) for t in range(s))


def phase_tap_counts(k: int, s: int, d: int) -> tuple[int, ...]:
    """How many taps reach each phase (with ``d = 1``: ``ceil((k - t)/s)``).

    >>> phase_tap_counts(3, 2, 1), phase_tap_counts(4, 2, 1)
    ((2, 1), (2, 2))
    """
    return tuple(len(taps) for taps in phase_taps(k, s, d))


# --- the equal-taps criterion: every phase has as many taps exactly when s | k and gcd(s, d) = 1 ----------


def phase_tap_count(k: int, s: int, d: int, t: int) -> int:
    """How many taps ``0 <= m < k`` reach phase ``t``, counted from the definition ``d m = t (mod s)``.

    Parameters
    ----------
    k, s, d : int
        Kernel size, stride and dilation (each at least 1).
    t : int
        The phase, ``0 <= t < s``.

    Returns
    -------
    int
        The number of taps ``m`` with ``(d m - t) mod s = 0``, by enumeration (no formula).

    Examples
    --------
    >>> [phase_tap_count(4, 3, 1, t) for t in range(3)], [phase_tap_count(3, 2, 2, t) for t in range(2)]
    ([2, 1, 1], [3, 0])
    """
    return sum(1 for m in range(k) if (d * m - t) % s == 0)


def coprime_phase_count(k: int, s: int, d: int, t: int) -> int:
    """The count of phase ``t`` when ``gcd(s, d) = 1``: ``ceil((k - r_t)/s)`` with ``r_t = d^{-1} t mod s``.

    Parameters
    ----------
    k, s, d : int
        Kernel size, stride and dilation, with ``gcd(s, d) = 1``.
    t : int
        The phase, ``0 <= t < s``.

    Returns
    -------
    int
        ``ceil((k - r_t)/s)``: the taps of phase ``t`` are ``m = r_t, r_t + s, ...`` below ``k``.

    Examples
    --------
    >>> [coprime_phase_count(5, 3, 2, t) for t in range(3)]
    [2, 1, 2]
    """
    r = (pow(d, -1, s) * t) % s if s > 1 else 0
    return -(-(k - r) // s)


def equal_taps_criterion(k: int, s: int, d: int) -> bool:
    """The criterion ``[s | k] [gcd(s, d) = 1]`` for every phase to have the same number of taps.

    Proved in the polyphase derivation (the equal-taps lemmas) and checked by :func:`check_equal_taps`.

    Parameters
    ----------
    k, s, d : int
        Kernel size, stride and dilation (each at least 1).

    Returns
    -------
    bool
        Whether ``s`` divides ``k`` and ``gcd(s, d) = 1``.

    Examples
    --------
    >>> equal_taps_criterion(4, 2, 1), equal_taps_criterion(3, 2, 1), equal_taps_criterion(4, 2, 2)
    (True, False, False)
    """
    return k % s == 0 and math.gcd(s, d) == 1


@dataclass(frozen=True)
class EqualTapsCheck:
    """The exact enumeration of the equal-taps lemmas over the box ``1 <= k <= k_max``, ``1 <= s <= s_max``,
    ``1 <= d <= d_max``; each list holds the triples ``(k, s, d)`` at which that lemma fails.

    Attributes
    ----------
    k_max, s_max, d_max : int
        The box.
    triples : int
        How many triples ``(k, s, d)`` the box holds (every one was checked).
    common_factor : int
        How many of them have ``gcd(s, d) > 1``.
    empty_phase_failures : tuple
        Triples with ``gcd(s, d) > 1`` where phase 1 is not empty or phase 0 is.
    count_failures : tuple
        Triples with ``gcd(s, d) = 1`` where some phase's count is not :func:`coprime_phase_count`.
    criterion_failures : tuple
        Triples where "all phases have equal counts" differs from :func:`equal_taps_criterion`.
    """

    k_max: int
    s_max: int
    d_max: int
    triples: int
    common_factor: int
    empty_phase_failures: tuple
    count_failures: tuple
    criterion_failures: tuple

    @property
    def holds(self) -> bool:
        """Whether every lemma held at every triple of the box."""
        return not (self.empty_phase_failures or self.count_failures or self.criterion_failures)


def check_equal_taps(k_max: int = 24, s_max: int = 8, d_max: int = 8) -> EqualTapsCheck:
    """Enumerate the box exactly: the taps of each phase counted from the definition ``d m = t (mod s)``.

    At every triple ``(k, s, d)`` of the box it checks: when ``g = gcd(s, d) > 1``, phase ``1`` has no tap and
    phase ``0`` has tap ``0``; when ``g = 1``, phase ``t`` has ``ceil((k - r_t)/s)`` taps,
    ``r_t = d^{-1} t mod s`` (:func:`coprime_phase_count`); and the counts are all equal exactly when
    :func:`equal_taps_criterion` holds.  The counts come from :func:`phase_tap_count`, never from a formula.

    Parameters
    ----------
    k_max, s_max, d_max : int
        The box: ``1 <= k <= k_max``, ``1 <= s <= s_max``, ``1 <= d <= d_max``.

    Returns
    -------
    EqualTapsCheck
        What was checked and where each lemma failed (nowhere, when ``holds``).

    Examples
    --------
    >>> check = check_equal_taps(6, 4, 4)
    >>> check.holds, check.triples
    (True, 96)
    """
    empty, counts, criterion, triples, common = [], [], [], 0, 0
    for k in range(1, k_max + 1):
        for s in range(1, s_max + 1):
            for d in range(1, d_max + 1):
                triples += 1
                taps = [phase_tap_count(k, s, d, t) for t in range(s)]
                if math.gcd(s, d) > 1:
                    common += 1
                    if taps[1] != 0 or taps[0] < 1:
                        empty.append((k, s, d))
                elif taps != [coprime_phase_count(k, s, d, t) for t in range(s)]:
                    counts.append((k, s, d))
                if (len(set(taps)) == 1) != bool(equal_taps_criterion(k, s, d)):
                    criterion.append((k, s, d))
    return EqualTapsCheck(k_max, s_max, d_max, triples, common, tuple(empty), tuple(counts), tuple(criterion))


@dataclass(frozen=True)
class PhaseAxis:
    """The polyphase tables of one axis.

    Attributes
    ----------
    n_in, n_out : int
        Input length and the transposed convolution's output length ``n_T``.
    stride, p_l, dilation, k : int
    n_u : int
        Positions of every phase, :func:`~symconv.formulas.phase_length`.
    kernel : int
        The common sub-kernel size, :func:`~symconv.formulas.phase_kernel_size`.
    taps : tuple of tuple of int
        The taps of each phase.
    table : int array of shape (s, n_u, k)
        ``table[t, u, m]``: the input that position ``u`` of phase ``t`` reads through tap ``m``, or ``-1`` where
        the tap does not reach the phase or the input does not exist.
    crop : (j, t, u) int arrays
        Every phase position ``(t, u)`` that lands on an output ``j = interleave_position(t, u, s, p_l)``
        in ``[0, n_T)``, ordered by ``j`` (outputs past the phases are absent: they are zero).
    """

    n_in: int
    n_out: int
    stride: int
    p_l: int
    dilation: int
    k: int
    n_u: int
    kernel: int
    taps: tuple
    table: np.ndarray
    crop: tuple


def phase_axis(n_in: int, n_out: int, k: int, s: int, p_l: int, d: int) -> PhaseAxis:
    """The per-axis tables of the polyphase view (see :class:`PhaseAxis`).

    >>> ax = phase_axis(3, 6, 4, 2, 1, 1)
    >>> ax.n_u, ax.kernel, ax.taps
    (4, 2, ((0, 2), (1, 3)))
    >>> ax.crop[0].tolist(), ax.crop[1].tolist(), ax.crop[2].tolist()
    ([0, 1, 2, 3, 4, 5], [1, 0, 1, 0, 1, 0], [0, 1, 1, 2, 2, 3])
    """
    n_u, kernel = int(F.phase_length(n_in, k, s, d)), int(F.phase_kernel_size(k, s, d))
    t = np.arange(s, dtype=np.int64)[:, None, None]
    u = np.arange(n_u, dtype=np.int64)[None, :, None]
    m = np.arange(k, dtype=np.int64)[None, None, :]
    i = np.asarray(F.phase_input(u, m, t, s, d))
    member = np.asarray(F.phase_residue(m, t, s, d)) == 0
    ok = member & (i >= 0) & (i < n_in)
    table = np.where(ok, i, -1)
    # where each phase position goes: j = s u + t - p_l, kept inside [0, n_T) (the crop), ordered by j;
    # outputs that no phase position reaches stay zero (the zero-extension)
    tc, uc = np.arange(s, dtype=np.int64)[:, None], np.arange(n_u, dtype=np.int64)[None, :]
    j = np.broadcast_to(np.asarray(F.interleave_position(tc, uc, s, p_l)), (s, n_u)).ravel()
    inside = np.flatnonzero((j >= 0) & (j < n_out))
    order = inside[np.argsort(j[inside], kind="stable")]
    crop = (j[order], np.repeat(tc.ravel(), n_u)[order], np.tile(uc.ravel(), s)[order])
    return PhaseAxis(n_in, n_out, s, p_l, d, k, n_u, kernel, phase_taps(k, s, d), table, crop)


def _axes(tspec: TransposedConvSpec, input_shape: Any) -> tuple[tuple[int, ...], list[PhaseAxis]]:
    if not isinstance(tspec, TransposedConvSpec):
        raise SpecTypeError(f"tspec must be a TransposedConvSpec, got {type(tspec).__name__}")
    shape = tspec.check_input_shape(input_shape)
    out = tspec.output_shape(shape)
    axes = [phase_axis(n, n_t, k, s, pl, d) for n, n_t, k, s, pl, d in
            zip(shape, out, tspec.kernel_size, tspec.stride, tspec.padding_left, tspec.dilation)]
    return shape, axes


def _phase_blocks(axes: list[PhaseAxis]) -> dict:
    """The (phase row, input, tap) triples of ``Phi``, phase by phase, in canonical row order.

    For each phase ``t = (t_0, ..., t_{N-1})`` (row-major), the grid of dims ``(u_0..u_{N-1}, q_0..q_{N-1})``
    with ``q`` running over the phase's taps from the last (so inputs increase along each ``q``) is
    enumerated in C order: phase rows ``tflat * U + uflat`` never decrease and, within one row, inputs
    increase.  Every tap lies in one phase on each axis, so the grids together have ``U k`` cells, nearly
    all of them terms.
    """
    ndim = len(axes)
    positions = math.prod(A.n_u for A in axes)
    rows, cols, taps = [], [], []
    for t in np.ndindex(*(A.stride for A in axes)):
        per_axis = [A.taps[t_ax][::-1] for A, t_ax in zip(axes, t)]
        if any(len(q) == 0 for q in per_axis):
            continue  # a phase that no tap reaches: its rows are zero
        dims = 2 * ndim
        uflat = np.zeros((1,) * dims, dtype=np.int64)
        col = np.zeros((1,) * dims, dtype=np.int64)
        tap = np.zeros((1,) * dims, dtype=np.int64)
        valid = np.ones((1,) * dims, dtype=bool)
        for ax, (A, t_ax, q) in enumerate(zip(axes, t, per_axis)):
            shape = [1] * dims
            shape[ax], shape[ndim + ax] = A.n_u, len(q)
            table = A.table[t_ax][:, list(q)].reshape(shape)
            valid = valid & (table >= 0)
            col = F.flat_index(col, np.maximum(table, 0), A.n_in)
            tshape = [1] * dims
            tshape[ndim + ax] = len(q)
            tap = F.flat_index(tap, np.asarray(q, dtype=np.int64).reshape(tshape), A.k)
            ushape = [1] * dims
            ushape[ax] = A.n_u
            uflat = F.flat_index(uflat, np.arange(A.n_u, dtype=np.int64).reshape(ushape), A.n_u)
        tflat = 0
        for A, t_ax in zip(axes, t):
            tflat = F.flat_index(tflat, t_ax, A.stride)
        full = np.broadcast_shapes(col.shape, tap.shape, uflat.shape, valid.shape)
        row = np.broadcast_to(F.flat_index(tflat, uflat, positions), full).ravel()
        col, tap = np.broadcast_to(col, full).ravel(), np.broadcast_to(tap, full).ravel()
        mask = np.broadcast_to(valid, full).ravel()
        if not bool(mask.all()):
            keep = np.flatnonzero(mask)
            row, col, tap = row.take(keep), col.take(keep), tap.take(keep)
        rows.append(row)
        cols.append(col)
        taps.append(tap)
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return {"p": empty, "i": empty, "m": empty}
    return {"p": np.concatenate(rows), "i": np.concatenate(cols), "m": np.concatenate(taps)}


def _crop_grid(axes: list[PhaseAxis]) -> dict:
    """Every output ``j`` (row-major over the axes, so increasing) with the phase row it is taken from.

    Per axis from :attr:`PhaseAxis.crop` (absent past the phases); the flat phase row is ``tflat * U + uflat``.
    """
    ndim = len(axes)
    jflat = tflat = uflat = np.zeros((1,) * ndim, dtype=np.int64)
    for ax, A in enumerate(axes):
        shape = [1] * ndim
        shape[ax] = A.crop[0].size
        j, t, u = (x.reshape(shape) for x in A.crop)
        jflat, tflat, uflat = F.flat_index(jflat, j, A.n_out), F.flat_index(tflat, t, A.stride), F.flat_index(uflat, u, A.n_u)
    positions = math.prod(A.n_u for A in axes)
    full = np.broadcast_shapes(jflat.shape, tflat.shape, uflat.shape)
    return {"j": np.broadcast_to(jflat, full).ravel(),
            "p": np.broadcast_to(F.flat_index(tflat, uflat, positions), full).ravel()}


def _phase_layout(axes: list[PhaseAxis]) -> tuple[int, int]:
    """(number of phases, positions per phase) over all axes."""
    return math.prod(ax.stride for ax in axes), math.prod(ax.n_u for ax in axes)


def phase_convolutions(tspec: TransposedConvSpec, weight: Any, input_shape: Any) -> ConvMatrix:
    """``Phi``: the ``s^N`` phase convolutions of every output channel, stacked (PixelShuffle's channel layout).

    Row ``(phase_channel(c, t, s^N), u)`` is position ``u`` of phase ``t`` (flattened row-major over the
    axes) of output channel ``c``; it reads input ``(c', phase_input(u, m, t, s, d))`` through
    ``w[c', c_l, m]`` for the taps ``m`` of the phase, with ``c = group_channel(channel_group(c', C_in/g),
    C_out/g, c_l)``.
    """
    shape, axes = _axes(tspec, input_shape)
    w = as_weight(tspec, weight)
    phases, positions = _phase_layout(axes)
    grid = _phase_blocks(axes)
    n_in, n_k = math.prod(shape), math.prod(tspec.kernel_size)
    size = (tspec.out_channels * phases * positions, tspec.in_channels * n_in)
    row_shape = (tspec.out_channels * phases,) + tuple(ax.n_u for ax in axes)
    origin = ("phase convolutions", tspec, shape)
    if tspec.in_channels == 1 and tspec.out_channels == 1:  # enumerated in canonical order (see _phase_blocks)
        structure = Structure.canonical(size, grid["p"], grid["i"], grid["m"])
        return ConvMatrix(structure, w, row_shape, (1,) + shape, origin)
    per_in, per_out = tspec.in_channels // tspec.groups, tspec.out_channels // tspec.groups
    ci = np.repeat(np.arange(tspec.in_channels, dtype=np.int64), per_out)
    cl = np.tile(np.arange(per_out, dtype=np.int64), tspec.in_channels)
    co = np.asarray(F.group_channel(F.channel_group(ci, per_in), per_out, cl))
    wc = F.flat_index(ci, cl, per_out)  # the weight's (C_in, C_out/g) pair, row-major
    rows = F.flat_index(np.asarray(F.phase_channel(co, 0, phases))[:, None], grid["p"][None, :], positions).ravel()
    cols = F.flat_index(ci[:, None], grid["i"][None, :], n_in).ravel()
    taps = F.flat_index(wc[:, None], grid["m"][None, :], n_k).ravel()
    return ConvMatrix(Structure.build(size, rows, cols, taps), w, row_shape, (tspec.in_channels,) + shape, origin)


def interleave_matrix(tspec: TransposedConvSpec, input_shape: Any) -> ConvMatrix:
    """``Q``: the 0/1 matrix that interleaves the phases and crops by ``p_l`` (zero past the phases).

    ``Q[(c, j), (phase_channel(c, t, s^N), u)] = 1`` exactly when ``j = interleave_position(t, u, s, p_l)``
    on every axis; outputs that no phase position reaches have no entry (zero-extension).
    """
    shape, axes = _axes(tspec, input_shape)
    phases, positions = _phase_layout(axes)
    grid = _crop_grid(axes)
    out_shape = tuple(ax.n_out for ax in axes)
    n_out = math.prod(out_shape)
    c = np.arange(tspec.out_channels, dtype=np.int64)[:, None]
    rows = F.flat_index(c, grid["j"][None, :], n_out).ravel()
    cols = F.flat_index(np.asarray(F.phase_channel(c, 0, phases)), grid["p"][None, :], positions).ravel()
    size = (tspec.out_channels * n_out, tspec.out_channels * phases * positions)
    col_shape = (tspec.out_channels * phases,) + tuple(ax.n_u for ax in axes)
    # enumerated by row (channel, output): canonical in row order, one entry per row
    structure = Structure.canonical(size, rows, cols, np.full(rows.shape, CONSTANT))
    return ConvMatrix(structure, None, (tspec.out_channels,) + out_shape, col_shape,
                      ("interleave and crop", tspec, shape))


def polyphase_view(tspec: TransposedConvSpec, weight: Any, input_shape: Any
                   ) -> tuple[ConvMatrix, ConvMatrix, ConvMatrix]:
    """The polyphase view ``Q @ Phi`` and its factors, ``(product, Phi, Q)``.

    See :func:`phase_convolutions` and :func:`interleave_matrix`.
    """
    Phi = phase_convolutions(tspec, weight, input_shape)
    Q = interleave_matrix(tspec, input_shape)
    return Q @ Phi, Phi, Q


# --- the recipe in numbers: Conv (C_out s^N channels) + PixelShuffle + crop -----------------------


def subpixel_weight(tspec: TransposedConvSpec, weight: Any) -> np.ndarray:
    """The weight of the sub-pixel convolution, shape ``(C_out s^N, C_in/g, K_0, ..., K_{N-1})``.

    Output channel ``phase_channel(c, t, s^N)`` holds phase ``t``'s sub-kernel of the transposed weight's
    ``w[c', c_l]``, flipped and zero-extended to the common size ``K`` (the convolution cross-correlates:
    shift ``e`` sits at ``K - 1 - e``).  Used with padding ``K - 1`` and ``groups = g``.

    >>> import numpy as np
    >>> from symconv import TransposedConvSpec
    >>> subpixel_weight(TransposedConvSpec(4, stride=2), np.arange(4.0).reshape(1, 1, 4))[:, 0].tolist()
    [[2.0, 0.0], [3.0, 1.0]]
    """
    w = np.asarray(weight)
    if w.shape != tspec.weight_shape:
        raise ShapeError(f"weight has shape {w.shape}, expected {tspec.weight_shape} for {tspec}")
    strides = tspec.stride
    kernel = tuple(int(F.phase_kernel_size(k, s, d)) for k, s, d in zip(tspec.kernel_size, strides, tspec.dilation))
    phases = math.prod(strides)
    per_in, per_out = tspec.in_channels // tspec.groups, tspec.out_channels // tspec.groups
    out = np.zeros((tspec.out_channels * phases, per_in) + kernel, dtype=w.dtype)
    # per axis: for every tap m, its phase and where it sits in the flipped sub-kernel
    where = []
    for k, s, d, K in zip(tspec.kernel_size, strides, tspec.dilation, kernel):
        m = np.arange(k)
        t = np.asarray(F.phase_residue(m, 0, s, d))  # the phase d m mod s that tap m reaches
        where.append((t, K - 1 - np.asarray(F.phase_tap(m, t, s, d))))
    for index in np.ndindex(*tspec.kernel_size):
        t_flat = 0
        pos = []
        for ax, m in enumerate(index):
            t_flat = F.flat_index(t_flat, int(where[ax][0][m]), strides[ax])
            pos.append(int(where[ax][1][m]))
        for ci in range(tspec.in_channels):
            gamma = int(F.channel_group(ci, per_in))
            for cl in range(per_out):
                co = int(F.group_channel(gamma, per_out, cl))
                out[(int(F.phase_channel(co, t_flat, phases)), int(F.group_local(ci, gamma, per_in)), *pos)] = \
                    w[(ci, cl) + index]
    return out


def pixel_shuffle(x: np.ndarray, strides: tuple[int, ...]) -> np.ndarray:
    """Interleave phases: ``(C s^N, U_0, ...)`` to ``(C, s_0 U_0, ...)``; PixelShuffle for equal strides in 2-D.

    Channel ``phase_channel(c, t, s^N)`` at position ``u`` goes to ``s u + t`` on every axis (row-major ``t``).

    >>> pixel_shuffle(np.arange(6).reshape(2, 3), (2,)).tolist()
    [[0, 3, 1, 4, 2, 5]]
    """
    ndim = len(strides)
    x = np.asarray(x)
    channels = x.shape[0] // math.prod(strides)
    u = x.shape[1:]
    y = x.reshape((channels,) + tuple(strides) + tuple(u))
    # axes (c, t_0..t_{N-1}, u_0..u_{N-1}) -> (c, u_0, t_0, u_1, t_1, ...)
    order = [0] + [a for ax in range(ndim) for a in (1 + ndim + ax, 1 + ax)]
    return y.transpose(order).reshape((channels,) + tuple(s * n for s, n in zip(strides, u)))


def _crop(x: Any, tspec: TransposedConvSpec, out_shape: tuple[int, ...], zeros: Any) -> Any:
    """Window ``[p_l, p_l + n_T)`` on every spatial axis, zero-extended past the end."""
    for ax, (pl, n) in enumerate(zip(tspec.padding_left, out_shape)):
        dim = x.ndim - len(out_shape) + ax
        start = min(pl, x.shape[dim])
        stop = min(pl + n, x.shape[dim])
        x = x.narrow(dim, start, stop - start) if hasattr(x, "narrow") else np.take(x, range(start, stop), axis=dim)
        if x.shape[dim] < n:
            shape = list(x.shape)
            shape[dim] = n - x.shape[dim]
            x = zeros(x, shape, dim)
    return x


def polyphase_numeric(tspec: TransposedConvSpec, weight: Any, y: Any) -> np.ndarray:
    """The transposed convolution computed the polyphase way, in numpy: sub-pixel convolution, shuffle, crop.

    ``y`` has shape ``(C_in, *spatial)``.  The sub-pixel convolution is a full, grouped cross-correlation
    with :func:`subpixel_weight` (padding ``K - 1``).
    """
    from .numeric import conv
    from .spec import ConvSpec

    y = np.asarray(y)
    shape = tspec.check_input_shape(y.shape[1:])
    Wp = subpixel_weight(tspec, weight)
    kernel = Wp.shape[2:]
    phases = math.prod(tspec.stride)
    spec = ConvSpec(kernel, padding=tuple(K - 1 for K in kernel), in_channels=tspec.in_channels,
                    out_channels=tspec.out_channels * phases, groups=tspec.groups)
    shuffled = pixel_shuffle(conv(spec, Wp, y), tspec.stride)

    def zeros(x, shape, dim):
        return np.concatenate([x, np.zeros(shape, dtype=x.dtype)], axis=dim)

    return _crop(shuffled, tspec, tspec.output_shape(shape), zeros)


def polyphase_torch(tspec: TransposedConvSpec, weight: Any, y: Any) -> Any:
    """The PyTorch recipe: ``Conv{N}d`` with ``C_out s^N`` channels, ``PixelShuffle(s)``, then the crop.

    ``weight`` is the ConvTranspose weight (a tensor of shape ``tspec.weight_shape``), ``y`` a batch
    ``(B, C_in, *spatial)``.  Equal strides in 2-D use ``torch.nn.PixelShuffle``; otherwise the same
    shuffle is a reshape and permute.  The result equals ``F.conv_transpose{N}d`` up to rounding.
    """
    import torch
    import torch.nn.functional as tf

    Wp = torch.as_tensor(subpixel_weight(tspec, weight.detach().cpu().numpy()), dtype=weight.dtype)
    kernel = Wp.shape[2:]
    conv = {1: tf.conv1d, 2: tf.conv2d, 3: tf.conv3d}[tspec.ndim]
    x = conv(y, Wp, padding=tuple(K - 1 for K in kernel), groups=tspec.groups)
    strides = tspec.stride
    if tspec.ndim == 2 and strides[0] == strides[1]:
        x = torch.nn.PixelShuffle(strides[0])(x)
    else:
        batch, ndim = x.shape[0], tspec.ndim
        u = tuple(x.shape[2:])
        x = x.reshape((batch, tspec.out_channels) + tuple(strides) + u)
        order = [0, 1] + [a for ax in range(ndim) for a in (2 + ndim + ax, 2 + ax)]
        x = x.permute(order).reshape((batch, tspec.out_channels) + tuple(s * n for s, n in zip(strides, u)))

    def zeros(x, shape, dim):
        return torch.cat([x, x.new_zeros(shape)], dim=dim)

    return _crop(x, tspec, tspec.output_shape(tuple(y.shape[2:])), zeros)


# --- symbolic sizes: the view as sympy matrix algebra ----------------------------------------------


class Interleave(sympy.MatrixExpr):
    r"""``Q``: interleave ``s^N`` phases of ``n_u`` positions and crop to ``n_T`` (symbolic sizes allowed).

    Row ``(c, j)``, column ``(phase_channel(c, t, s^N), u)``: the entry is ``prod_ax delta(j, s u + t - p_l)``
    (:func:`~symconv.formulas.interleave_position`).

    >>> Interleave((2,), (1,), (3,), (4,)).as_explicit()
    Matrix([
    [0, 0, 0, 1, 0, 0],
    [0, 1, 0, 0, 0, 0],
    [0, 0, 0, 0, 1, 0],
    [0, 0, 1, 0, 0, 0]])
    """

    def __new__(cls, strides: Any, p_l: Any, n_u: Any, n_out: Any, channels: int = 1) -> Interleave:
        T = sympy.Tuple
        return super().__new__(cls, T(*strides), T(*p_l), T(*n_u), T(*n_out), sympy.Integer(channels))

    @property
    def strides(self) -> tuple[int, ...]:
        return tuple(int(v) for v in self.args[0])

    @property
    def p_l(self) -> tuple[int, ...]:
        return tuple(int(v) for v in self.args[1])

    @property
    def n_u(self) -> tuple:
        return tuple(self.args[2])

    @property
    def n_out(self) -> tuple:
        return tuple(self.args[3])

    @property
    def channels(self) -> int:
        return int(self.args[4])

    @property
    def shape(self) -> tuple:
        phases = math.prod(self.strides)
        return (self.channels * sympy.Mul(*self.n_out), self.channels * phases * sympy.Mul(*self.n_u))

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sympy.Expr:
        phases, count = math.prod(self.strides), self.channels
        co, js = _split(i, count, self.n_out)
        cp, us = _split(j, count * phases, self.n_u)
        terms = []
        for c in range(count):
            for flat, t in enumerate(np.ndindex(*self.strides)):
                hit = sympy.Mul(*(_delta(js[ax], F.interleave_position(t[ax], us[ax], s, pl))
                                  for ax, (s, pl) in enumerate(zip(self.strides, self.p_l))))
                terms.append(_channel_delta(co, c, count)
                             * _channel_delta(cp, F.phase_channel(c, flat, phases), count * phases) * hit)
        return sympy.Add(*terms)

    def doit(self, **hints: Any) -> Any:
        """The explicit matrix when every size is an integer, else the expression itself."""
        return self if self._is_shape_symbolic() else self.as_explicit()

    def _latex(self, printer: Any) -> str:
        s, pl = ",".join(str(v) for v in self.strides), ",".join(str(v) for v in self.p_l)
        return rf"Q_{{{s};{pl}}}"

    def _sympystr(self, printer: Any) -> str:
        sizes = ", ".join(printer._print(v) for v in self.n_out)
        return f"Interleave(s={self.strides}, p_l={self.p_l}, n_T=({sizes}))"


def polyphase_expr(T: Any) -> Any:
    """``ConvTranspose(...).rewrite("polyphase")``: ``Q Phi`` as a :class:`sympy.MatMul`, sizes may be symbols.

    ``Phi`` is a :class:`~symconv.Conv`: stride 1, padding ``K - 1`` on both sides, ``C_out s^N`` output
    channels, the layer's groups, and the sub-pixel weight (:func:`subpixel_weight`: each phase's flipped
    sub-kernel, zero-extended to ``K`` taps); ``Q`` is :class:`Interleave`.  That the product equals the
    matrix for every size is :func:`~symconv.prove_polyphase_general`; for integer sizes ``.doit()`` of both
    sides can be compared.

    >>> import sympy
    >>> from symconv import ConvTranspose, TransposedConvSpec
    >>> n = sympy.Symbol("n", integer=True, positive=True)
    >>> T = ConvTranspose(TransposedConvSpec(4, stride=2, padding=1), "w", n)
    >>> R = T.rewrite("polyphase")
    >>> R
    Interleave(s=(2,), p_l=(1,), n_T=(2*n))*Conv(k=2, s=1, p=1, c=1->2)([[[w_2, w_0]], [[w_3, w_1]]], n)
    >>> R.subs(n, 3).doit() == T.subs(n, 3).as_explicit()
    True
    """

    p = T.params
    ndim = len(p.k)
    proxy = TransposedConvSpec(p.k, stride=p.s, dilation=p.d, in_channels=p.cin, out_channels=p.cout, groups=p.g)
    entries = np.empty(len(flat_entries(T.weight)), dtype=object)
    entries[:] = flat_entries(T.weight)
    W = subpixel_weight(proxy, entries.reshape(T.weight.shape))
    weight = sympy.ImmutableDenseNDimArray([sympy.sympify(v) for v in W.ravel().tolist()], W.shape)
    kernel = W.shape[2:]
    phases = math.prod(p.s)
    pads = tuple(K - 1 for K in kernel)
    Phi = Conv(_encode(_Params(tuple(kernel), (1,) * ndim, pads, pads, (1,) * ndim, p.cin, p.cout * phases, p.g)),
               weight, sympy.Tuple(*T.input_size))
    Q = Interleave(p.s, p.pl, Phi.output_size, T.output_size, p.cout)
    return sympy.MatMul(Q, Phi)
