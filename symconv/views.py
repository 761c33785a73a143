"""The gather and scatter views, built by a route of their own.

:func:`~symconv.matrices.conv_matrix` and
:func:`~symconv.matrices.transposed_conv_matrix` enumerate (position, tap)
grids of a whole layer in one pass.  The views here are assembled differently,
so that a mistake in that enumeration cannot hide in a comparison with them:
one axis at a time (a banded Toeplitz table for the stride-1 convolution, a
table of stamps for the scatter view), axes combined by broadcasting, and
channels placed block by block from the group formulas.

>>> from symconv import TransposedConvSpec, kernel_symbols, transposed_conv_matrix
>>> t = TransposedConvSpec(3, stride=2, padding=1, in_channels=4, out_channels=2, groups=2)
>>> w = kernel_symbols(t)
>>> X, (G, C, P, Z) = scatter_view(t, w, (3,)), gather_view(t, w, (3,))
>>> T = transposed_conv_matrix(t, w, (3,))
>>> T == X, T == G, X.structure.size
(True, True, 28)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import formulas as F
from .errors import SpecError, SpecTypeError
from .kernels import as_weight
from .matrices import ConvMatrix, padding_matrix, zero_insertion_matrix
from .spec import ConvSpec, TransposedConvSpec
from .structure import Structure

__all__ = ["stride1_conv_view", "scatter_view", "gather_view"]


def _grid(tables: list[np.ndarray], n_a: list[int], n_b: list[int], n_k: list[int]):
    """Combine per-axis tables ``b = table[a, m]`` (``-1`` where the pair is dropped) over all axes.

    The flat indices are row-major over the axes, enumerated in the order (a_0, ..., a_N, m_0, ..., m_N):
    side a nondecreasing and, within one a, side b and the tap increasing, which is canonical order
    with side a first.
    """
    ndim = len(tables)
    n_pos, n_tap = math.prod(n_a), math.prod(n_k)
    itype = np.int32 if max(n_pos, math.prod(n_b), n_tap) < 2**31 - 1 else np.int64
    b_flat = np.zeros((1,) * 2 * ndim, dtype=itype)
    valid = np.ones((1,) * 2 * ndim, dtype=bool)
    for ax, table in enumerate(tables):
        shape = [1] * 2 * ndim
        shape[ax], shape[ndim + ax] = table.shape
        t = table.reshape(shape).astype(itype)
        b_flat = F.flat_index(b_flat, np.maximum(t, 0), itype(n_b[ax]))
        valid = valid & (t >= 0)
    full = tuple(n_a) + tuple(n_k)
    b_flat = np.broadcast_to(b_flat, full).ravel()
    a_flat = np.repeat(np.arange(n_pos, dtype=itype), n_tap)
    m_flat = np.tile(np.arange(n_tap, dtype=itype), n_pos)
    if bool(valid.all()):
        return a_flat, b_flat, m_flat
    keep = np.flatnonzero(np.broadcast_to(valid, full))
    return a_flat.take(keep), b_flat.take(keep), m_flat.take(keep)


def _layer(spatial, pairs: list[tuple[int, int, int]], n_a: int, n_b: int, n_taps: int):
    """Place one spatial pattern (a, b, tap) at every (channel a, channel b, weight channel pair) block."""
    a, b, t = spatial
    if len(pairs) == 1 and pairs[0] == (0, 0, 0):
        return a, b, t
    ca = np.array([p[0] for p in pairs], dtype=np.int64)[:, None]
    cb = np.array([p[1] for p in pairs], dtype=np.int64)[:, None]
    wc = np.array([p[2] for p in pairs], dtype=np.int64)[:, None]
    return (F.flat_index(ca, a[None, :], n_a).ravel(), F.flat_index(cb, b[None, :], n_b).ravel(),
            F.flat_index(wc, t[None, :], n_taps).ravel())


def _channel_pairs(n_a: int, n_b: int, groups: int) -> list[tuple[int, int, int]]:
    """(channel a, channel b, weight channel pair) for a weight of layout (n_a, n_b/g, ...): channel a meets the
    channels ``group_channel(channel_group(a, n_a/g), n_b/g, l)`` of its group through ``w[a, l]``."""
    per_a, per_b = n_a // groups, n_b // groups
    return [(a, F.group_channel(F.channel_group(a, per_a), per_b, l), F.flat_index(a, l, per_b))
            for a in range(n_a) for l in range(per_b)]


def _matrix(shape, a, b, taps, order: str, single: bool) -> Structure:
    rows, cols = (a, b) if order == "row" else (b, a)
    if single:  # enumerated in canonical order already (see _grid)
        return Structure.canonical(shape, rows, cols, taps, order=order)
    return Structure.build(shape, rows, cols, taps)


def stride1_conv_view(spec: ConvSpec, weight: Any, input_shape: Any) -> ConvMatrix:
    """The matrix of a stride-1, unpadded convolution, assembled axis by axis (banded Toeplitz).

    On each axis, output ``j`` reads input ``tap_position(j, m, 1, 0, d)`` through tap ``m``; the axes
    are combined by broadcasting, and block ``(o, c)`` holds ``w[o, c_l]`` for the channels
    ``c = group_channel(channel_group(o, C_out/g), C_in/g, c_l)`` of ``o``'s group.
    """
    if not isinstance(spec, ConvSpec):
        raise SpecTypeError(f"spec must be a ConvSpec, got {type(spec).__name__}")
    if any(s != 1 for s in spec.stride) or any(p != (0, 0) for p in spec.padding):
        raise ValueError(f"the gather view's convolution has stride 1 and padding 0, got {spec}")
    w = as_weight(spec, weight)
    in_shape = spec.check_input_shape(input_shape)
    out_shape = spec.output_shape(in_shape)
    tables = []
    for n_out, k, d in zip(out_shape, spec.kernel_size, spec.dilation):
        j, m = np.arange(n_out, dtype=np.int64)[:, None], np.arange(k, dtype=np.int64)[None, :]
        tables.append(np.asarray(F.tap_position(j, m, 1, 0, d), dtype=np.int64))  # always inside the input
    spatial = _grid(tables, list(out_shape), list(in_shape), list(spec.kernel_size))
    pairs = _channel_pairs(spec.out_channels, spec.in_channels, spec.groups)
    rows, cols, taps = _layer(spatial, pairs, math.prod(out_shape), math.prod(in_shape), math.prod(spec.kernel_size))
    shape = (spec.out_channels * math.prod(out_shape), spec.in_channels * math.prod(in_shape))
    return ConvMatrix(_matrix(shape, rows, cols, taps, "row", len(pairs) == 1), w, (spec.out_channels,) + out_shape,
                      (spec.in_channels,) + in_shape, ("stride-1 conv", spec, in_shape))


def scatter_view(tspec: TransposedConvSpec, weight: Any, input_shape: Any) -> ConvMatrix:
    """The scatter view, assembled from stamps: input ``i`` stamps the dilated kernel at offset ``s i - p_l``.

    On each axis the stamp of input ``i`` covers ``offset + d m`` for the taps ``m`` (the kernel dilated
    by ``d``, not flipped), clipped to the output; axes are combined by broadcasting, and input
    channel ``c`` stamps into the output channels of its group with ``w[c, c'_l]``.

    Raises
    ------
    SpecError
        For a ``padding_mode`` other than ``'zeros'`` (the stamps of the fold are not drawn here).
    """
    if not isinstance(tspec, TransposedConvSpec):
        raise SpecTypeError(f"tspec must be a TransposedConvSpec, got {type(tspec).__name__}")
    if tspec.padding_mode != "zeros":
        raise SpecError(f"the scatter view is the transpose of a zero-padded layer; padding_mode="
                        f"{tspec.padding_mode!r} is the fold of the padding-0 layer (see symconv.padding_modes)")
    w = as_weight(tspec, weight)
    in_shape = tspec.check_input_shape(input_shape)
    out_shape = tspec.output_shape(in_shape)
    tables = []
    for n_in, n_out, k, s, p_l, d in zip(in_shape, out_shape, tspec.kernel_size, tspec.stride,
                                         tspec.padding_left, tspec.dilation):
        offset = np.asarray(F.tap_position(np.arange(n_in, dtype=np.int64), 0, s, p_l, 1))  # where each stamp starts
        dilated = np.asarray(F.tap_position(0, np.arange(k, dtype=np.int64), 1, 0, d))  # the stamp's cells
        cells = offset[:, None] + dilated[None, :]
        tables.append(np.where((cells >= 0) & (cells < n_out), cells, -1))  # clipped to the output
    spatial = _grid(tables, list(in_shape), list(out_shape), list(tspec.kernel_size))
    pairs = _channel_pairs(tspec.in_channels, tspec.out_channels, tspec.groups)
    cols, rows, taps = _layer(spatial, pairs, math.prod(in_shape), math.prod(out_shape), math.prod(tspec.kernel_size))
    shape = (tspec.out_channels * math.prod(out_shape), tspec.in_channels * math.prod(in_shape))
    return ConvMatrix(_matrix(shape, cols, rows, taps, "col", len(pairs) == 1), w, (tspec.out_channels,) + out_shape,
                      (tspec.in_channels,) + in_shape, ("scatter", tspec, in_shape))


def gather_view(tspec: TransposedConvSpec, weight: Any, input_shape: Any
                ) -> tuple[ConvMatrix, ConvMatrix, ConvMatrix, ConvMatrix]:
    """The gather view ``C_flip @ Pad @ Z`` and its factors, ``(product, C_flip, Pad, Z)``.

    ``Z`` inserts ``s - 1`` zeros, ``Pad`` pads by ``(d(k-1) - p_l, d(k-1) - p_r + a)`` (negative crops),
    and ``C_flip`` (:func:`stride1_conv_view`) convolves with the group-wise swapped, flipped weight.
    """
    if not isinstance(tspec, TransposedConvSpec):
        raise SpecTypeError(f"tspec must be a TransposedConvSpec, got {type(tspec).__name__}")
    view = tspec.as_convolution()
    shape = tspec.check_input_shape(input_shape)
    Z = zero_insertion_matrix(tspec.in_channels, shape, view.zero_insertion)
    Pad = padding_matrix(tspec.in_channels, Z.row_shape[1:], view.padding)
    C = stride1_conv_view(view.conv, view.transform_weight(as_weight(tspec, weight)), Pad.row_shape[1:])
    return C @ (Pad @ Z), C, Pad, Z
