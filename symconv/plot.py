"""Pictures of convolutions and transposed convolutions, read from the proved structures.

Every position drawn here comes from a :class:`~symconv.ConvMatrix` structure
(``M.coo()``: rows, columns, taps, coefficients): the matrix pattern from ``M``
or ``T``; the stamps from :func:`~symconv.scatter_matrix` of the unpadded layer
and the crop :func:`~symconv.padding_matrix` that cuts the output out of it;
the gather view from the factors of :func:`~symconv.gather_product` (zero
insertion ``Z``, padding ``Pad``, the stride-1 convolution ``C_flip``); the
overlap counts from :func:`~symconv.overlap_counts`.  No picture computes an
index of its own.

Each view has a pure ``*_data`` function returning the arrays the picture
shows (no matplotlib needed), and a ``plot_*`` function drawing them; the
returned Figure carries the data as ``fig.symconv_data``.  matplotlib (the
``figures`` extra, ``pip install 'symconv[figures]'``) is imported only when
drawing; figures are built without pyplot, so they render headless.

>>> from symconv import TransposedConvSpec
>>> t = TransposedConvSpec(3, stride=2, padding=1)
>>> data = stamps_data(t, [[1, 0, 1]], [[[1, 2, 3]]])
>>> data.output.tolist()
[2, 3, 0, 1, 2]
>>> gather_data(t, [[1, 0, 1]], [[[1, 2, 3]]]).windows[0, :, 0].tolist()
[0, 1, 2]
"""

from __future__ import annotations

import math
import os
import pathlib
import tempfile
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from .errors import ShapeError, SizeLimitError, SpecError, SpecTypeError
from .kernels import kernel_symbols
from .matrices import ConvMatrix, conv_matrix, padding_matrix, scatter_matrix, transposed_conv_matrix
from .proofs import gather_product, overlap_counts, prove_overlap
from .proofs.overlap import interior
from .spec import ConvSpec, TransposedConvSpec

__all__ = [
    "MatrixData",
    "StampsData",
    "SlideData",
    "OverlapData",
    "matrix_data",
    "stamps_data",
    "gather_data",
    "conv_data",
    "overlap_data",
    "animation_data",
    "plot_matrix",
    "plot_stamps",
    "plot_gather",
    "plot_conv",
    "plot_overlap",
    "animate",
    "save_animation",
    "save_figure",
    "save_frame",
    "INSTALL_HINT",
    "MissingToolError",
    "ffmpeg_available",
    "default_values",
    "tap_colors",
    "PLOT_LIMIT",
]

INSTALL_HINT = "matplotlib is needed for pictures: pip install 'symconv[figures]'"

PLOT_LIMIT = 4096
"""Largest canvas (cells) or number of animation frames a picture draws (settable)."""

class MissingToolError(RuntimeError):
    """A program a picture needs (ffmpeg, for MP4) is not installed."""


DATA, INSERTED, PADDING = 0, 1, 2
"""Kinds of cell in the sliding views: input data, a zero inserted by the stride, a zero of the padding."""


# -- the data -------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class MatrixData:
    """What :func:`plot_matrix` colours: every term of the structure, with its tap.

    Attributes
    ----------
    shape, row_shape, col_shape : tuples
        As on the :class:`~symconv.ConvMatrix`.
    rows, cols, taps, coefs : numpy int arrays
        The structure's terms (``M.coo()``); tap ``-1`` is a constant entry.
    labels : dict
        Tap id to its weight entry as LaTeX (``w_{0}``), for the legend.
    """

    shape: tuple[int, int]
    row_shape: tuple[int, ...]
    col_shape: tuple[int, ...]
    rows: np.ndarray
    cols: np.ndarray
    taps: np.ndarray
    coefs: np.ndarray
    labels: dict

    @property
    def cells(self) -> dict:
        """``{(row, col): tap}`` for cells holding one term, ``-2`` for cells holding several."""
        out: dict = {}
        for r, c, t in zip(self.rows.tolist(), self.cols.tolist(), self.taps.tolist()):
            out[(r, c)] = t if (r, c) not in out else -2
        return out


@dataclass(frozen=True, eq=False)
class StampsData:
    """The scatter view of a transposed convolution, for one (input, output) channel pair.

    The stamps live on the *full canvas* (the layer without padding, as
    :func:`~symconv.scatter_matrix` builds it); the output is the window of it
    that the crop ``padding_matrix(..., (-p_l, -p_r))`` keeps.

    Attributes
    ----------
    tspec : TransposedConvSpec
    channels : (int, int)
        The input channel ``ci`` whose stamps are drawn and the output channel ``co`` they land in.
    y : numpy array
        Input values of channel ``ci`` (spatial shape).
    weight : numpy array
        The numeric weight (``tspec.weight_shape``).
    stamps : numpy array, shape ``(n_inputs, *full_shape)``
        Stamp of each input position (row-major): ``y[i] * w[m]`` where the structure puts tap ``m``.
    taps : numpy int array, same shape
        The tap id drawn in each stamp cell, ``-1`` where the stamp has no tap.
    visible : numpy bool array, ``full_shape``
        The full-canvas cells that the crop keeps (the layer's output).
    origin : tuple of int
        Full-canvas position of output position 0 (``p_l`` per axis, read off the crop).
    offsets : numpy int array, ``(n_inputs, ndim)``
        Output-canvas position of each stamp's tap 0 (``s i - p_l``, read off the structure).
    output : numpy array, ``output_shape``
        The sum of the stamps on the visible window: channel ``co`` of the transposed
        convolution of ``y`` restricted to channel ``ci``.
    """

    tspec: TransposedConvSpec
    channels: tuple[int, int]
    y: np.ndarray
    weight: np.ndarray
    stamps: np.ndarray
    taps: np.ndarray
    visible: np.ndarray
    origin: tuple[int, ...]
    offsets: np.ndarray
    output: np.ndarray

    @property
    def canvas(self) -> np.ndarray:
        """The sum of all stamps on the full canvas (cropped cells included)."""
        return self.stamps.sum(axis=0)

    @property
    def n_frames(self) -> int:
        """One animation frame per input position."""
        return int(self.stamps.shape[0])


@dataclass(frozen=True, eq=False)
class SlideData:
    """A kernel sliding over a canvas: the gather view of a transposed convolution, or a convolution.

    Attributes
    ----------
    view : str
        ``"gather"`` (the flipped kernel, stride 1, over the zero-inserted, padded input)
        or ``"conv"`` (the kernel, stride s, over the padded input).
    spec : TransposedConvSpec or ConvSpec
    channels : (int, int)
        Input channel ``ci`` and output channel ``co``.
    source : numpy array
        The layer's input values in channel ``ci`` (spatial shape).
    inserted : numpy array or None
        Gather view: ``z0``, the source with ``s - 1`` zeros inserted (read off ``Z``).
    inserted_kind : numpy int array or None
        ``DATA`` or ``INSERTED`` per cell of ``z0``.
    source_at : numpy int array, ``(n_source, ndim)``
        Where each source value sits: in ``z0`` (gather) or in the padded canvas (conv).
    cropped : numpy bool array or None
        Cells of ``z0`` that a negative padding crops (not read by ``Pad``).
    shift : tuple of int
        Canvas position of ``z0[0]`` (gather) or of ``source[0]`` (conv): the left padding, negative = crop.
    canvas : numpy array
        The values the kernel slides over (``z``, or the padded input).
    kind : numpy int array
        ``DATA``, ``INSERTED`` or ``PADDING`` per canvas cell (read off ``Pad`` and ``Z``).
    windows : numpy int array, ``(n_out, K, ndim)``
        For each output position (row-major), the canvas positions the kernel reads, ordered by
        the kernel tap that the sliding kernel puts there (read off the rows of ``C_flip`` or ``M``).
    window_taps : numpy int array, ``(n_out, K)``
        The tap of the layer's own weight read at each window position (for the gather view,
        the flip makes these run backwards).
    output : numpy array, ``output_shape``
        Output channel ``co`` of the layer applied to the input restricted to channel ``ci``.
    weight : numpy array
    """

    view: str
    spec: Any
    channels: tuple[int, int]
    source: np.ndarray
    inserted: np.ndarray | None
    inserted_kind: np.ndarray | None
    source_at: np.ndarray
    cropped: np.ndarray | None
    shift: tuple[int, ...]
    canvas: np.ndarray
    kind: np.ndarray
    windows: np.ndarray
    window_taps: np.ndarray
    output: np.ndarray
    weight: np.ndarray

    @property
    def n_frames(self) -> int:
        """One animation frame per output position."""
        return int(self.windows.shape[0])


@dataclass(frozen=True, eq=False)
class OverlapData:
    """Overlap counts of the stamps and the verdict of :func:`~symconv.prove_overlap`."""

    tspec: TransposedConvSpec
    counts: np.ndarray
    interiors: tuple[range, ...]
    uniform: tuple
    holds: bool
    proof: Any


# -- helpers ------------------------------------------------------------------------------------

def _check_drawable(spec: Any, what: str) -> None:
    if spec.ndim > 2:
        raise ShapeError(f"{what} draws 1-D and 2-D layers; this layer has {spec.ndim} spatial axes")


def _numbers(name: str, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except ValueError as exc:
        raise ShapeError(f"{name} must be a rectangular array of shape {shape}: {exc}") from None
    if arr.dtype.kind not in "iuf" or arr.dtype == bool:
        raise SpecTypeError(f"{name} must hold real numbers (int or float) to be drawn, got dtype {arr.dtype}")
    if arr.shape != shape:
        raise ShapeError(f"{name} has shape {arr.shape}, expected {shape}")
    return arr


def _weight(spec: Any, weight: Any) -> np.ndarray:
    """The numeric weight; default 1, 2, ..., K (distinct, so every tap is visible)."""
    shape = tuple(spec.weight_shape)
    if weight is None:
        return np.arange(1, math.prod(shape) + 1).reshape(shape)
    return _numbers("weight", weight, shape)


def default_values(channels: int, shape: tuple[int, ...]) -> np.ndarray:
    """Input values 1, 2, ..., 9, 1, 2, ... (small, distinct neighbours) of shape ``(channels, *shape)``."""
    size = channels * math.prod(shape)
    return (np.arange(size) % 9 + 1).reshape((channels,) + tuple(shape))


def _values(name: str, channels: int, value: Any, spatial_ndim: int) -> np.ndarray:
    arr = np.asarray(value)
    if arr.ndim == spatial_ndim and channels == 1:
        arr = arr[None]
    if arr.ndim != spatial_ndim + 1 or arr.shape[0] != channels:
        raise ShapeError(f"{name} has shape {arr.shape}, expected (channels={channels}, *spatial) with "
                         f"{spatial_ndim} spatial axes")
    return _numbers(name, arr, arr.shape)


def _channel_pair(spec: Any, channels: Any, c_in: int, c_out: int) -> tuple[int, int]:
    try:
        ci, co = (int(v) for v in channels)
    except (TypeError, ValueError):
        raise SpecTypeError(f"channels must be a pair (input channel, output channel), got {channels!r}") from None
    if not 0 <= ci < c_in or not 0 <= co < c_out:
        raise ShapeError(f"channels={(ci, co)}: the layer has {c_in} input and {c_out} output channels")
    g = spec.groups
    if ci // (c_in // g) != co // (c_out // g):
        raise ShapeError(f"channels={(ci, co)}: input channel {ci} is in group {ci // (c_in // g)} and output channel "
                         f"{co} in group {co // (c_out // g)}; with groups={g} they are not connected")
    return ci, co


def _block(M: ConvMatrix, row_channel: int, col_channel: int):
    """The terms of one channel block of ``M``, with spatial flat indices."""
    rows, cols, taps, coefs = M.coo()
    n_r, n_c = math.prod(M.row_shape[1:]), math.prod(M.col_shape[1:])
    keep = (rows // n_r == row_channel) & (cols // n_c == col_channel)
    return rows[keep] % n_r, cols[keep] % n_c, taps[keep], coefs[keep]


def _terms(taps: np.ndarray, coefs: np.ndarray, weight_flat: np.ndarray) -> np.ndarray:
    return coefs * np.where(taps >= 0, weight_flat[np.maximum(taps, 0)], 1)


def _check_cells(what: str, count: int) -> None:
    if count > PLOT_LIMIT:
        raise SizeLimitError(f"{what} has {count} cells, over PLOT_LIMIT={PLOT_LIMIT}; draw a smaller layer or "
                             "raise symconv.plot.PLOT_LIMIT")


def _require_equal(a: ConvMatrix, b: ConvMatrix, claim: str) -> None:
    if not a == b:  # a failure is a bug in symconv, not bad input
        raise AssertionError(f"symconv.plot: {claim} does not hold; the picture would be wrong")


# -- data functions -------------------------------------------------------------------------------

def matrix_data(M: ConvMatrix) -> MatrixData:
    """The terms :func:`plot_matrix` colours, read off ``M.coo()``.

    >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
    >>> spec = ConvSpec(3, stride=2, padding=1)
    >>> d = matrix_data(conv_matrix(spec, kernel_symbols(spec), (5,)))
    >>> sorted(d.cells.items())[:3], d.labels
    ([((0, 0), 1), ((0, 1), 2), ((1, 1), 0)], {0: 'w_{0}', 1: 'w_{1}', 2: 'w_{2}'})
    """
    if not isinstance(M, ConvMatrix):
        raise SpecTypeError(f"plot_matrix draws a ConvMatrix, got {type(M).__name__}")
    _check_cells("this matrix (nonzeros)", M.nnz)
    rows, cols, taps, coefs = M.coo()
    labels: dict = {}
    if M.weight is not None:
        flat = list(sympy.flatten(M.weight.tolist())) if M.weight.rank() else [M.weight[()]]
        for t in sorted(set(taps.tolist()) - {-1}):
            labels[t] = sympy.latex(flat[t])
    return MatrixData(M.shape, M.row_shape, M.col_shape, rows, cols, taps, coefs, labels)


def _stamp_matrices(tspec: TransposedConvSpec, shape: tuple[int, ...]):
    """The full-canvas scatter matrix and the crop that gives the layer's T (checked)."""
    W = kernel_symbols(tspec)
    full_spec = TransposedConvSpec(tspec.kernel_size, tspec.stride, 0, tspec.output_padding, tspec.dilation,
                                   tspec.in_channels, tspec.out_channels, tspec.groups)
    T_full = scatter_matrix(full_spec, W, shape)
    crop = padding_matrix(tspec.out_channels, T_full.row_shape[1:], tuple((-pl, -pr) for pl, pr in tspec.padding))
    _require_equal(crop @ T_full, transposed_conv_matrix(tspec, W, shape), "crop @ (unpadded scatter view) = T")
    return T_full, crop


def stamps_data(tspec: TransposedConvSpec, y: Any, weight: Any = None, *, channels: Any = (0, 0)) -> StampsData:
    """The stamps of every input position of channel ``ci``, and their sum, read off the scatter structure.

    Parameters
    ----------
    tspec : TransposedConvSpec
    y : array
        The layer's input, shape ``(in_channels, *spatial)`` (or ``spatial`` with one channel).
    weight : array, optional
        Numeric weight of ``tspec.weight_shape`` (default ``1, 2, ..., K``).
    channels : (int, int)
        The input channel whose stamps are drawn, and the output channel they land in.

    Examples
    --------
    >>> from symconv import TransposedConvSpec
    >>> d = stamps_data(TransposedConvSpec(3, stride=2, padding=1), [0, 1, 0], [[[1, 2, 3]]])
    >>> d.stamps[1].tolist(), d.origin, d.offsets[:, 0].tolist()
    ([0, 0, 1, 2, 3, 0, 0], (1,), [-1, 1, 3])
    """
    if not isinstance(tspec, TransposedConvSpec):
        raise SpecTypeError(f"stamps are drawn for a TransposedConvSpec, got {type(tspec).__name__}")
    _check_drawable(tspec, "plot_stamps")
    yv = _values("y", tspec.in_channels, y, tspec.ndim)
    shape = tspec.check_input_shape(yv.shape[1:])
    w = _weight(tspec, weight)
    ci, co = _channel_pair(tspec, channels, tspec.in_channels, tspec.out_channels)
    T_full, crop = _stamp_matrices(tspec, shape)
    full_shape = T_full.row_shape[1:]
    _check_cells("the stamp canvas", math.prod(full_shape) * math.prod(shape))
    rows, cols, taps, coefs = _block(T_full, co, ci)
    n_in, n_full = math.prod(shape), math.prod(full_shape)
    y_flat = yv[ci].ravel()
    stamps = np.zeros((n_in, n_full), dtype=np.result_type(w, yv))
    stamp_taps = np.full((n_in, n_full), -1, dtype=np.int64)
    np.add.at(stamps, (cols, rows), _terms(taps, coefs, w.ravel()) * y_flat[cols])
    stamp_taps[cols, rows] = taps
    # the crop: output position (row) <- full-canvas position (col), channel co
    c_rows, c_cols, _, _ = _block(crop, co, co)
    visible = np.zeros(n_full, dtype=bool)
    visible[c_cols] = True
    out_shape = crop.row_shape[1:]
    output = np.zeros(math.prod(out_shape), dtype=stamps.dtype)
    output[c_rows] = stamps.sum(axis=0)[c_cols]
    first = int(np.argmin(c_rows)) if c_rows.size else None
    origin = tuple(int(v) for v in np.unravel_index(c_cols[first], full_shape)) if first is not None else (0,) * tspec.ndim
    # each stamp's tap 0 (spatial tap index 0 on every axis) on the output canvas
    offsets = np.zeros((n_in, tspec.ndim), dtype=np.int64)
    k_spatial = math.prod(tspec.kernel_size)
    tap0 = taps % k_spatial == 0
    for r, c in zip(rows[tap0].tolist(), cols[tap0].tolist()):
        offsets[c] = np.array(np.unravel_index(r, full_shape)) - np.array(origin)
    return StampsData(tspec, (ci, co), yv[ci], w, stamps.reshape((n_in,) + full_shape),
                      stamp_taps.reshape((n_in,) + full_shape), visible.reshape(full_shape), origin, offsets,
                      output.reshape(out_shape))


def _unravel(flat: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return np.stack(np.unravel_index(flat, shape), axis=-1).astype(np.int64) if flat.size else \
        np.zeros(flat.shape + (len(shape),), dtype=np.int64)


def _windows(C: ConvMatrix, co: int, ci: int, canvas_shape, n_out: int, tap_map: np.ndarray, k_spatial: int):
    """Per output position, the canvas positions read and the original taps, ordered by the sliding kernel's tap."""
    rows, cols, taps, _ = _block(C, co, ci)
    order = np.lexsort((taps % k_spatial, rows))
    rows, cols, taps = rows[order], cols[order], taps[order]
    counts = np.bincount(rows, minlength=n_out)
    if rows.size and not np.all(counts == k_spatial):
        raise AssertionError("symconv.plot: a sliding window does not read every tap once")
    windows = _unravel(cols, canvas_shape).reshape(n_out, k_spatial, len(canvas_shape))
    return windows, tap_map[taps].reshape(n_out, k_spatial)


def gather_data(tspec: TransposedConvSpec, y: Any, weight: Any = None, *, channels: Any = (0, 0)) -> SlideData:
    """The gather view, read off the factors ``C_flip @ Pad @ Z`` of :func:`~symconv.gather_product`.

    ``z0 = Z y`` (data where ``Z`` writes, inserted zeros elsewhere), ``z = Pad z0``
    (padding where ``Pad`` writes nothing, cropped ``z0`` cells where it reads nothing),
    and the windows are the columns of each row of ``C_flip``.

    Examples
    --------
    >>> from symconv import TransposedConvSpec
    >>> d = gather_data(TransposedConvSpec(3, stride=2, padding=1), [4, 5, 6], [[[1, 2, 3]]])
    >>> d.inserted.tolist(), d.canvas.tolist(), d.kind.tolist()
    ([4, 0, 5, 0, 6], [0, 4, 0, 5, 0, 6, 0], [2, 0, 1, 0, 1, 0, 2])
    >>> d.window_taps[0].tolist(), d.output.tolist()
    ([2, 1, 0], [8, 17, 10, 21, 12])
    """
    if not isinstance(tspec, TransposedConvSpec):
        raise SpecTypeError(f"the gather view is drawn for a TransposedConvSpec, got {type(tspec).__name__}")
    _check_drawable(tspec, "plot_gather")
    yv = _values("y", tspec.in_channels, y, tspec.ndim)
    shape = tspec.check_input_shape(yv.shape[1:])
    w = _weight(tspec, weight)
    ci, co = _channel_pair(tspec, channels, tspec.in_channels, tspec.out_channels)
    W = kernel_symbols(tspec)
    view = tspec.as_convolution()
    product, C, Pad, Z = gather_product(tspec, W, shape)
    _require_equal(product, transposed_conv_matrix(tspec, W, shape), "C_flip @ Pad @ Z = T")
    z0_shape, z_shape, out_shape = Z.row_shape[1:], Pad.row_shape[1:], C.row_shape[1:]
    _check_cells("the gather canvas", math.prod(z_shape) + math.prod(z0_shape))
    n_out = math.prod(out_shape)
    _check_cells("the gather animation", n_out)
    y_flat = yv[ci].ravel()
    z_rows, z_cols, _, _ = _block(Z, ci, ci)
    z0 = np.zeros(math.prod(z0_shape), dtype=yv.dtype)
    z0[z_rows] = y_flat[z_cols]
    z0_kind = np.full(z0.shape, INSERTED)
    z0_kind[z_rows] = DATA
    source_at = np.zeros((y_flat.size, tspec.ndim), dtype=np.int64)
    source_at[z_cols] = _unravel(z_rows, z0_shape)
    p_rows, p_cols, _, _ = _block(Pad, ci, ci)
    z = np.zeros(math.prod(z_shape), dtype=yv.dtype)
    z[p_rows] = z0[p_cols]
    kind = np.full(z.shape, PADDING)
    kind[p_rows] = z0_kind[p_cols]
    cropped = np.ones(z0.shape, dtype=bool)
    cropped[p_cols] = False
    shift = tuple(left for left, _ in view.padding)
    if p_rows.size:  # the drawn alignment of z0 in z is the one Pad realises
        moved = _unravel(p_rows, z_shape) - _unravel(p_cols, z0_shape)
        if not np.all(moved == np.array(shift)):
            raise AssertionError("symconv.plot: Pad does not shift z0 by the gather view's left padding")
    perm = view.tap_permutation  # gather-weight tap id -> the layer's own tap id
    windows, window_taps = _windows(C, co, ci, z_shape, n_out, perm, math.prod(tspec.kernel_size))
    w_flat = w.ravel()
    output = (w_flat[window_taps] * z[np.ravel_multi_index(tuple(windows.T), z_shape).T]).sum(axis=1)
    return SlideData("gather", tspec, (ci, co), yv[ci], z0.reshape(z0_shape), z0_kind.reshape(z0_shape), source_at,
                     cropped.reshape(z0_shape), shift, z.reshape(z_shape), kind.reshape(z_shape), windows,
                     window_taps, output.reshape(out_shape), w)


def conv_data(spec: ConvSpec, x: Any, weight: Any = None, *, channels: Any = (0, 0)) -> SlideData:
    """A convolution's kernel sliding over the padded input, read off ``C_valid @ Pad = M``.

    >>> from symconv import ConvSpec
    >>> d = conv_data(ConvSpec(3, stride=2, padding=1), [1, 2, 3, 4, 5], [[[1, 0, -1]]])
    >>> d.canvas.tolist(), d.windows[1, :, 0].tolist(), d.output.tolist()
    ([0, 1, 2, 3, 4, 5, 0], [2, 3, 4], [-2, -2, 4])
    """
    if not isinstance(spec, ConvSpec):
        raise SpecTypeError(f"the convolution view is drawn for a ConvSpec, got {type(spec).__name__}")
    _check_drawable(spec, "the convolution view")
    xv = _values("x", spec.in_channels, x, spec.ndim)
    shape = spec.check_input_shape(xv.shape[1:])
    w = _weight(spec, weight)
    ci, co = _channel_pair(spec, channels, spec.in_channels, spec.out_channels)
    W = kernel_symbols(spec)
    Pad = padding_matrix(spec.in_channels, shape, spec.padding)
    valid = ConvSpec(spec.kernel_size, spec.stride, 0, spec.dilation, spec.in_channels, spec.out_channels, spec.groups)
    padded_shape = Pad.row_shape[1:]
    C = conv_matrix(valid, W, padded_shape)
    _require_equal(C @ Pad, conv_matrix(spec, W, shape), "C_valid @ Pad = M")
    out_shape = C.row_shape[1:]
    _check_cells("the padded input", math.prod(padded_shape))
    n_out = math.prod(out_shape)
    _check_cells("the convolution animation", n_out)
    p_rows, p_cols, _, _ = _block(Pad, ci, ci)
    canvas = np.zeros(math.prod(padded_shape), dtype=xv.dtype)
    canvas[p_rows] = xv[ci].ravel()[p_cols]
    kind = np.full(canvas.shape, PADDING)
    kind[p_rows] = DATA
    source_at = np.zeros((math.prod(shape), spec.ndim), dtype=np.int64)
    source_at[p_cols] = _unravel(p_rows, padded_shape)
    shift = tuple(left for left, _ in spec.padding)
    identity = np.arange(math.prod(spec.weight_shape))
    windows, window_taps = _windows(C, co, ci, padded_shape, n_out, identity, math.prod(spec.kernel_size))
    output = (w.ravel()[window_taps] * canvas[np.ravel_multi_index(tuple(windows.T), padded_shape).T]).sum(axis=1)
    return SlideData("conv", spec, (ci, co), xv[ci], None, None, source_at, None, shift, canvas.reshape(padded_shape),
                     kind.reshape(padded_shape), windows, window_taps, output.reshape(out_shape), w)


def overlap_data(tspec: TransposedConvSpec, input_shape: Any) -> OverlapData:
    """Overlap counts (read off T) with the verdict of :func:`~symconv.prove_overlap`.

    >>> from symconv import TransposedConvSpec
    >>> d = overlap_data(TransposedConvSpec(3, stride=2), (4,))
    >>> d.counts.tolist(), d.uniform, d.holds
    ([1, 1, 2, 1, 2, 1, 2, 1, 1], (False,), True)
    """
    if not isinstance(tspec, TransposedConvSpec):
        raise SpecTypeError(f"the overlap is drawn for a TransposedConvSpec, got {type(tspec).__name__}")
    _check_drawable(tspec, "plot_overlap")
    shape = tspec.check_input_shape(input_shape)
    counts = overlap_counts(tspec, shape)
    _check_cells("the overlap canvas", counts.size)
    proof = prove_overlap(tspec, shape)
    inner = tuple(interior(n, k, s, pl, d, n_t) for n, k, s, pl, d, n_t in
                  zip(shape, tspec.kernel_size, tspec.stride, tspec.padding_left, tspec.dilation, counts.shape))
    return OverlapData(tspec, counts, inner, tuple(proof.data["uniform"]), bool(proof.holds), proof)


def _layer_views(spec: Any, input_shape: Any) -> tuple[ConvSpec, tuple, TransposedConvSpec, tuple]:
    """``(conv spec, conv input shape, transposed spec, transposed input shape)`` for either kind of spec."""
    if isinstance(spec, ConvSpec):
        shape = spec.check_input_shape(input_shape)
        return spec, shape, spec.transpose(shape), spec.output_shape(shape)
    if isinstance(spec, TransposedConvSpec):
        shape = spec.check_input_shape(input_shape)
        conv = spec.transpose()
        return conv, spec.output_shape(shape), spec, shape
    raise SpecTypeError(f"spec must be a ConvSpec or a TransposedConvSpec, got {type(spec).__name__}")


VIEWS = ("gather", "stamps", "conv")


def animation_data(spec: Any, input_shape: Any, view: str = "gather", *, weight: Any = None, values: Any = None,
                   channels: Any = (0, 0)) -> StampsData | SlideData:
    """The data :func:`animate` draws, frame by frame.

    For a :class:`~symconv.ConvSpec`, ``input_shape`` is the convolution's input and the
    ``"gather"``/``"stamps"`` views show its transpose (on the convolution's output shape);
    for a :class:`~symconv.TransposedConvSpec` it is the transposed layer's input and the
    ``"conv"`` view shows the convolution it transposes.  ``values`` is the input of the
    view drawn (default :func:`default_values`).
    """
    if view not in VIEWS:
        raise SpecError(f"view={view!r}: choose one of {', '.join(VIEWS)}")
    conv, c_in, tspec, t_in = _layer_views(spec, input_shape)
    if view == "conv":
        x = default_values(conv.in_channels, c_in) if values is None else values
        return conv_data(conv, x, weight, channels=channels)
    y = default_values(tspec.in_channels, t_in) if values is None else values
    if view == "stamps":
        return stamps_data(tspec, y, weight, channels=channels)
    return gather_data(tspec, y, weight, channels=channels)


# -- drawing ------------------------------------------------------------------------------------

def _mpl():
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return matplotlib, Figure, FigureCanvasAgg


def _figure(width: float, height: float):
    _, Figure, Canvas = _mpl()
    fig = Figure(figsize=(width, height), layout="constrained")
    Canvas(fig)
    return fig


def tap_colors(n: int) -> list:
    """One colour per tap id (tab10 up to 10 taps, tab20 up to 20, a sampled wheel beyond)."""
    matplotlib, _, _ = _mpl()
    if n <= 10:
        cmap = matplotlib.colormaps["tab10"]
        return [cmap(i) for i in range(n)]
    if n <= 20:
        cmap = matplotlib.colormaps["tab20"]
        return [cmap(i) for i in range(n)]
    cmap = matplotlib.colormaps["hsv"]
    return [cmap(i / n) for i in range(n)]


def _fmt(v: Any) -> str:
    v = float(v)
    return str(int(v)) if v == int(v) else f"{v:.3g}"


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _tap_label(spec: Any, tap: int, weight: np.ndarray | None = None) -> str:
    """``w₂`` (``w₀,₁,₂`` with channels), as :func:`~symconv.kernel_symbols` names the tap; plain text, no mathtext."""
    shape = tuple(spec.weight_shape)
    index = [int(v) for v in np.unravel_index(tap, shape)]
    if shape[0] * shape[1] == 1:
        index = index[2:]
    text = "w" + ",".join(str(i).translate(_SUB) for i in index)
    if weight is not None:
        text += f" = {_fmt(weight.ravel()[tap])}"
    return text


def _cell(ax, x: float, y: float, *, face: Any = "white", text: str = "", hatch: str | None = None,
          edge: Any = "0.35", lw: float = 0.8, color: Any = "black", size: float = 9, alpha: float = 1.0, z: int = 1):
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x, y), 1, 1, facecolor=face, edgecolor=edge, hatch=hatch, lw=lw, alpha=alpha, zorder=z))
    if text:
        ax.text(x + 0.5, y + 0.5, text, ha="center", va="center", fontsize=size, color=color, zorder=z + 1)


def _frame(ax, x: float, y: float, w: float, h: float, color: Any = "black", lw: float = 2.0, ls: str = "-", z: int = 5):
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x, y), w, h, fill=False, edgecolor=color, lw=lw, ls=ls, zorder=z))


def _finish(ax, x0: float, x1: float, y0: float, y1: float) -> None:
    ax.set_xlim(x0, x1)
    ax.set_ylim(y1, y0)  # row 0 at the top
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)


KIND_STYLE: dict[int, dict[str, Any]] = {
    DATA: dict(face="white", hatch=None),
    INSERTED: dict(face="0.85", hatch=None),
    PADDING: dict(face="white", hatch="///"),
}


def _kind_handles():
    from matplotlib.patches import Patch

    return [Patch(facecolor="white", edgecolor="0.35", label="data"),
            Patch(facecolor="0.85", edgecolor="0.35", label="zero inserted by the stride"),
            Patch(facecolor="white", edgecolor="0.35", hatch="///", label="zero of the padding")]


def _kinds_present(d: SlideData) -> list:
    present = set(np.unique(d.kind).tolist())
    if d.inserted_kind is not None:
        present |= set(np.unique(d.inserted_kind).tolist())
    return [h for k, h in zip((DATA, INSERTED, PADDING), _kind_handles()) if k in present]


def _tap_handles(spec: Any, taps: list, weight: np.ndarray | None, colors: list):
    from matplotlib.patches import Patch

    return [Patch(facecolor=colors[t], edgecolor="0.35", label=_tap_label(spec, t, weight)) for t in taps]


def plot_matrix(M: ConvMatrix, *more: ConvMatrix, titles: Any = None, numbers: bool | None = None):
    """The nonzero pattern of ``M`` (and of further matrices beside it), each entry coloured by its kernel tap.

    Lines separate channel blocks (solid) and, for 2-D layers, the rows of the image (dotted).
    A legend maps colours to the weight entries ``w_0, w_1, ...``; matrices sharing a weight
    share colours, so ``plot_matrix(M, T)`` shows the same colours transposed.

    Returns a matplotlib Figure with ``fig.symconv_data``: a list of :class:`MatrixData`.
    """
    matrices = (M,) + more
    data = [matrix_data(m) for m in matrices]
    titles = list(titles) if titles is not None else [_matrix_title(m) for m in matrices]
    if len(titles) != len(matrices):
        raise ShapeError(f"titles has {len(titles)} entries for {len(matrices)} matrices")
    n_taps = max([int(d.taps.max()) + 1 if d.taps.size else 0 for d in data] + [1])
    colors = tap_colors(n_taps)
    widths = [d.shape[1] for d in data]
    height = max(d.shape[0] for d in data)
    scale = min(0.45, 9.0 / max(sum(widths) + 2 * len(data), 1), 7.0 / max(height, 1))
    fig = _figure(max(3.5, scale * (sum(widths) + 2 * len(data)) + 1.8), max(2.2, scale * height + 1.2))
    axes = fig.subplots(1, len(data), width_ratios=widths, squeeze=False)[0]
    for ax, d, title in zip(axes, data, titles):
        big = d.shape[0] * d.shape[1] > 900
        show_numbers = (not big) if numbers is None else numbers
        multiple = {key for key, t in d.cells.items() if t == -2}
        for r, c, t, k in zip(d.rows.tolist(), d.cols.tolist(), d.taps.tolist(), d.coefs.tolist()):
            if (r, c) in multiple:
                _cell(ax, c, r, face="0.3", lw=0.3, text="+" if show_numbers else "", color="white")
                continue
            face = colors[t] if t >= 0 else "0.6"
            label = ""
            if show_numbers and k != 1:
                label = str(k)
            _cell(ax, c, r, face=face, lw=0.3 if big else 0.6, edge="white", text=label, size=7)
        _block_lines(ax, d)
        _frame(ax, 0, 0, d.shape[1], d.shape[0], color="0.2", lw=1.0)
        _finish(ax, -0.3, d.shape[1] + 0.3, -0.3, d.shape[0] + 0.3)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(f"{d.shape[0]} × {d.shape[1]}, {len(d.cells)} nonzeros", fontsize=8)
    taps = sorted(set().union(*(set(d.labels) for d in data)))
    if taps:
        from matplotlib.patches import Patch

        labels = {}
        for d in data:
            labels.update(d.labels)
        handles = [Patch(facecolor=colors[t], edgecolor="white", label=f"${labels[t]}$") for t in taps]
        fig.legend(handles=handles, loc="outside right center", fontsize=9, frameon=False,
                   ncols=1 if len(taps) <= 10 else 2 if len(taps) <= 24 else 3)
    fig.symconv_data = data
    return fig


def _matrix_title(M: ConvMatrix) -> str:
    """A short title for a matrix: what it is (from its origin) and its shape."""
    origin = M.origin
    if origin is None:
        return f"{M.shape[0]}×{M.shape[1]}"
    kind, spec, shape = origin
    names = {"conv": "M (convolution)", "transposed": "T (transposed)", "scatter": "scatter view",
             "zero insertion": "Z (zero insertion)", "padding": "Pad (padding)", "selection": "S (selection)"}
    return f"{names.get(kind, kind)} on {tuple(shape)}"


def _block_lines(ax, d: MatrixData) -> None:
    for shape, horizontal, extent in ((d.row_shape, True, d.shape[1]), (d.col_shape, False, d.shape[0])):
        channels, spatial = shape[0], shape[1:]
        per = math.prod(spatial)
        for c in range(1, channels):
            pos = c * per
            if horizontal:
                ax.plot([0, extent], [pos, pos], color="0.1", lw=1.4, zorder=6)
            else:
                ax.plot([pos, pos], [0, extent], color="0.1", lw=1.4, zorder=6)
        if len(spatial) == 2 and spatial[1] > 1:
            step = spatial[1]
            for pos in range(step, channels * per, step):
                if pos % per:
                    if horizontal:
                        ax.plot([0, extent], [pos, pos], color="0.5", lw=0.5, ls=":", zorder=6)
                    else:
                        ax.plot([pos, pos], [0, extent], color="0.5", lw=0.5, ls=":", zorder=6)


def _layer_text(spec: Any) -> str:
    """A compact layer name for titles: ``ConvTranspose1d k=3, s=2, p=1`` (defaults left out)."""
    def axes(values: tuple) -> str:
        return str(values[0]) if len(set(values)) == 1 else "(" + ", ".join(map(str, values)) + ")"

    def pad(pair: tuple) -> str:
        return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"

    transposed = isinstance(spec, TransposedConvSpec)
    parts = [f"k={axes(spec.kernel_size)}", f"s={axes(spec.stride)}"]
    pads = [pad(p) for p in spec.padding]
    parts.append("p=" + (pads[0] if len(set(pads)) == 1 else "(" + ", ".join(pads) + ")"))
    if transposed and any(spec.output_padding):
        parts.append(f"a={axes(spec.output_padding)}")
    if any(d != 1 for d in spec.dilation):
        parts.append(f"d={axes(spec.dilation)}")
    if spec.in_channels > 1 or spec.out_channels > 1:
        parts.append(f"channels {spec.in_channels}→{spec.out_channels}")
    if spec.groups > 1:
        parts.append(f"g={spec.groups}")
    return f"{'ConvTranspose' if transposed else 'Conv'}{spec.ndim}d " + ", ".join(parts)


def _stamps_layout(fig, d: StampsData, animated: bool, max_panels: int = 12) -> list:
    """Axes, legend and title of the stamps figure (the content is drawn by ``_stamps_content``)."""
    t = d.tspec
    colors = tap_colors(math.prod(t.weight_shape))
    used = sorted(set(int(v) for v in np.unique(d.taps) if v >= 0))
    handles = _tap_handles(t, used, d.weight, colors)
    title = f"{_layer_text(t)}: every $y_i$ stamps $y_i\\cdot w$ at $s\\,i - p_l$"
    if not d.visible.all():
        from matplotlib.patches import Patch

        handles.append(Patch(facecolor="0.9", edgecolor="0.35", hatch="xx", label="cropped by the padding"))
    if t.ndim == 1:
        axes = [fig.subplots(1, 1)]
        fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4), fontsize=8, frameon=False)
    else:
        if animated:
            axes = list(fig.subplots(1, 2))
        else:
            n_pan = min(int(np.count_nonzero(d.y)), max_panels) + 1
            cols = min(n_pan, 4)
            axes = list(np.atleast_1d(fig.subplots(math.ceil(n_pan / cols), cols, squeeze=False)).ravel())
        fig.legend(handles=handles, loc="outside right center", fontsize=8, frameon=False)
        title += "\n(framed: the output; hatched: cropped by the padding)"
    fig.suptitle(title, fontsize=10)
    return axes


def _stamps_content(axes: list, d: StampsData, upto: int | None = None, max_panels: int = 12) -> None:
    """Static: the stamps of the nonzero inputs and their sum.  Animated (``upto``): stamps ``0..upto``."""
    t = d.tspec
    colors = tap_colors(math.prod(t.weight_shape))
    y_flat = d.y.ravel()
    n_in = d.stamps.shape[0]
    for ax in axes:
        ax.cla()
    if upto is None:
        shown = [i for i in range(n_in) if y_flat[i] != 0]
        total = d.canvas
    else:
        shown = list(range(n_in))
        total = d.stamps[: upto + 1].sum(axis=0)
    full_shape = d.stamps.shape[1:]
    origin = np.array(d.origin)
    what = "x = sum" if upto is None else f"sum of {upto + 1} of {n_in}"
    if t.ndim == 1:
        ax = axes[0]
        x0 = -int(origin[0])  # output coordinates: full-canvas position minus p_l
        for line, i in enumerate(shown):
            if upto is not None and i > upto:
                continue
            current = upto is not None and i == upto
            for pos in range(full_shape[0]):
                tap = int(d.taps[i, pos])
                if tap >= 0:
                    vis = bool(d.visible[pos])
                    _cell(ax, x0 + pos, line, face=colors[tap], text=_fmt(d.stamps[i, pos]),
                          hatch=None if vis else "xx", alpha=1.0 if vis else 0.45)
            label = (f"$y_{{{i}}} = {_fmt(y_flat[i])}$ at ${t.stride[0]}\\cdot {i} - {t.padding_left[0]} = "
                     f"{_fmt(d.offsets[i, 0])}$")
            ax.text(x0 - 0.4, line + 0.5, label, ha="right", va="center", fontsize=9,
                    color="crimson" if current else "black")
            cells = np.nonzero(d.taps[i] >= 0)[0]
            if current and cells.size:
                _frame(ax, x0 + int(cells.min()) - 0.1, line - 0.1, int(cells.max() - cells.min()) + 1.2, 1.2,
                       color="crimson")
        row = len(shown) + 0.4
        ax.plot([x0 - 0.2, x0 + full_shape[0] + 0.2], [row - 0.2, row - 0.2], color="0.2", lw=1.0)
        for pos in range(full_shape[0]):
            vis = bool(d.visible[pos])
            _cell(ax, x0 + pos, row, face="white" if vis else "0.9", text=_fmt(total[pos]),
                  hatch=None if vis else "xx", color="black" if vis else "0.45")
        ax.text(x0 - 0.4, row + 0.5, what, ha="right", va="center", fontsize=9)
        for j in range(int(d.visible.sum())):
            ax.text(j + 0.5, row + 1.35, str(j), ha="center", va="center", fontsize=7, color="0.4")
        _finish(ax, x0 - 4.6, x0 + full_shape[0] + 0.3, -0.3, row + 1.7)
        return
    H, W = full_shape
    vis_rows = np.nonzero(d.visible.any(axis=1))[0]
    vis_cols = np.nonzero(d.visible.any(axis=0))[0]
    box = (vis_cols.min(), vis_rows.min(), vis_cols.max() - vis_cols.min() + 1, vis_rows.max() - vis_rows.min() + 1)
    in_shape = d.y.shape
    panels = [upto] if upto is not None else shown[:max_panels]
    for ax, i in zip(axes, panels):
        pos_in = np.unravel_index(i, in_shape)
        for r in range(H):
            for c in range(W):
                tap = int(d.taps[i, r, c])
                if tap >= 0:
                    _cell(ax, c, r, face=colors[tap], text=_fmt(d.stamps[i, r, c]), size=7,
                          alpha=1.0 if d.visible[r, c] else 0.45, hatch=None if d.visible[r, c] else "xx")
                else:
                    _cell(ax, c, r, face="white" if d.visible[r, c] else "0.93", edge="0.85", lw=0.4)
        _frame(ax, *box, color="0.1", lw=1.4)
        ax.set_title(f"$y_{{{pos_in[0]},{pos_in[1]}}} = {_fmt(y_flat[i])}$ at "
                     f"$({d.offsets[i, 0]}, {d.offsets[i, 1]})$", fontsize=8)
        _finish(ax, -0.2, W + 0.2, -0.2, H + 0.2)
    ax = axes[len(panels)]
    for r in range(H):
        for c in range(W):
            vis = bool(d.visible[r, c])
            _cell(ax, c, r, face="white" if vis else "0.9", text=_fmt(total[r, c]), size=7,
                  hatch=None if vis else "xx", color="black" if vis else "0.45")
    _frame(ax, *box, color="0.1", lw=1.4)
    more = "" if len(panels) == len(shown) or upto is not None else f" ({len(panels)} of {len(shown)} stamps shown)"
    ax.set_title(what + more, fontsize=8)
    _finish(ax, -0.2, W + 0.2, -0.2, H + 0.2)
    for ax in axes[len(panels) + 1:]:
        ax.set_axis_off()


def plot_stamps(tspec: TransposedConvSpec, y: Any, weight: Any = None, *, channels: Any = (0, 0),
                max_panels: int = 12):
    """The scatter view: each nonzero input ``y[i]`` stamps ``y[i] * w`` at ``s i - p_l``, and the sum.

    With one nonzero input the figure shows one stamp; with two, the overlap adding.
    Cells outside the output (cropped by the padding) are hatched.  1-D layers stack
    the stamps as rows over the output canvas; 2-D layers draw one panel per stamp
    (at most ``max_panels``; the sum always includes every stamp).
    Returns a Figure with ``fig.symconv_data`` (a :class:`StampsData`).
    """
    d = stamps_data(tspec, y, weight, channels=channels)
    fig = _stamps_figure(d, False, max_panels)
    _stamps_content(_stamps_layout(fig, d, False, max_panels), d, None, max_panels)
    fig.symconv_data = d
    return fig


def _stamps_figure(d: StampsData, animated: bool, max_panels: int = 12):
    if d.tspec.ndim == 1:
        n_rows = (d.stamps.shape[0] if animated else int(np.count_nonzero(d.y))) + 2
        width = d.stamps.shape[1] + 5
        scale = min(0.5, 10.0 / width)
        return _figure(scale * width + 2.4, max(2.2, scale * n_rows + 1.3))
    n = 2 if animated else min(max_panels, int(np.count_nonzero(d.y))) + 1
    cols = min(n, 4)
    rows = math.ceil(n / cols)
    H, W = d.stamps.shape[1:]
    scale = min(0.32, 2.6 / max(H, W))
    return _figure(cols * (W * scale + 0.3) + 1.8, rows * (H * scale + 0.5) + 0.9)


def _slide_layout(fig, d: SlideData) -> list:
    """Axes, legend and title of a sliding view (the content is drawn by ``_slide_content``)."""
    spec = d.spec
    colors = tap_colors(math.prod(spec.weight_shape))
    handles = _kinds_present(d)
    if d.cropped is not None and d.cropped.any():
        from matplotlib.patches import Patch

        handles.append(Patch(facecolor="0.93", edgecolor="0.35", hatch="xx", label="cropped (negative padding)"))
    if spec.ndim == 1:
        axes = [fig.subplots(1, 1)]
        fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4), fontsize=8, frameon=False)
    else:
        axes = list(fig.subplots(1, 3, width_ratios=[d.source.shape[1], d.canvas.shape[1], d.output.shape[1]]))
        used = sorted(set(d.window_taps.ravel().tolist()))
        fig.legend(handles=_tap_handles(spec, used, d.weight, colors) + handles, loc="outside right center",
                   fontsize=8, frameon=False)
    fig.suptitle(_slide_title(d), fontsize=10)
    return axes


def _slide_content(axes: list, d: SlideData, frame: int | None, filled: int | None) -> None:
    """The canvas with the kernel at output position ``frame``; outputs ``<= filled`` are written in."""
    spec = d.spec
    colors = tap_colors(math.prod(spec.weight_shape))
    n_out = d.windows.shape[0]
    filled = n_out - 1 if filled is None else filled
    out_flat = d.output.ravel()
    gather = d.view == "gather"
    for ax in axes:
        ax.cla()
    if spec.ndim == 1:
        ax = axes[0]
        shift = d.shift[0]
        n_canvas = d.canvas.shape[0]
        target = d.source_at[:, 0] + (shift if gather else 0)  # each input value above where it lands
        left_edge = min(0, shift, int(target.min()))
        row: float = 0
        for i, v in enumerate(d.source.tolist()):
            _cell(ax, int(target[i]), row, text=_fmt(v), face="#e8f1fb")
        ax.text(left_edge - 0.4, row + 0.5, "y (input)" if gather else "x (input)", ha="right", va="center",
                fontsize=9)
        row += 1.4
        if gather:
            assert d.inserted is not None and d.inserted_kind is not None and d.cropped is not None
            for t in range(d.inserted.shape[0]):
                st = KIND_STYLE[int(d.inserted_kind[t])]
                crop = bool(d.cropped[t])
                _cell(ax, t + shift, row, face="0.93" if crop else st["face"], hatch="xx" if crop else st["hatch"],
                      text=_fmt(d.inserted[t]), color="0.55" if crop else "black")
            ax.text(left_edge - 0.4, row + 0.5, "$z_0$ (zeros inserted)", ha="right", va="center", fontsize=9)
            row += 1.4
        canvas_row = row
        for t in range(n_canvas):
            st = KIND_STYLE[int(d.kind[t])]
            _cell(ax, t, row, face=st["face"], hatch=st["hatch"], text=_fmt(d.canvas[t]),
                  color="black" if d.kind[t] == DATA else "0.45")
        ax.text(left_edge - 0.4, row + 0.5, "z (padded)" if gather else "padded x", ha="right", va="center",
                fontsize=9)
        row += 1.15
        if frame is not None:
            win = d.windows[frame, :, 0]
            for pos, tap in zip(win.tolist(), d.window_taps[frame].tolist()):
                _cell(ax, pos, row, face=colors[tap], text=_tap_label(spec, tap))
            _frame(ax, int(win.min()) - 0.08, canvas_row - 0.08, int(win.max() - win.min()) + 1.16, 1.16,
                   color="crimson")
            name = "flipped kernel $\\tilde w$" if gather else "kernel $w$"
            ax.text(left_edge - 0.4, row + 0.5, name, ha="right", va="center", fontsize=9)
        row += 1.5
        for j in range(n_out):
            start = int(d.windows[j, :, 0].min())
            written = j <= filled
            _cell(ax, start, row, text=_fmt(out_flat[j]) if written else "",
                  face="#fff4d6" if j == frame else "white", edge="0.35" if written else "0.8")
            ax.text(start + 0.5, row + 1.35, str(j), ha="center", va="center", fontsize=7, color="0.4")
        ax.text(left_edge - 0.4, row + 0.5, "x (output)" if gather else "y (output)", ha="right", va="center",
                fontsize=9)
        bottom = row + 1.8
        if frame is not None:
            value = " + ".join(f"{_fmt(d.weight.ravel()[tap])}·{_fmt(d.canvas[pos])}"
                               for pos, tap in zip(d.windows[frame, :, 0].tolist(), d.window_taps[frame].tolist()))
            ax.text(left_edge, row + 2.2, f"output {frame} = {value} = {_fmt(out_flat[frame])}", fontsize=8,
                    va="center")
            bottom = row + 2.6
        _finish(ax, left_edge - 4.4, max(n_canvas, int(target.max()) + 1) + 0.3, -0.3, bottom)
        return
    ax_in, ax_c, ax_out = axes
    for (r, c), v in np.ndenumerate(d.source):
        _cell(ax_in, c, r, text=_fmt(v), face="#e8f1fb", size=7)
    _finish(ax_in, -0.2, d.source.shape[1] + 0.2, -0.2, d.source.shape[0] + 0.2)
    ax_in.set_title("input y" if gather else "input x", fontsize=9)
    for (r, c), v in np.ndenumerate(d.canvas):
        st = KIND_STYLE[int(d.kind[r, c])]
        _cell(ax_c, c, r, face=st["face"], hatch=st["hatch"], text=_fmt(v), size=7,
              color="black" if d.kind[r, c] == DATA else "0.45")
    if frame is not None:
        for pos, tap in zip(d.windows[frame].tolist(), d.window_taps[frame].tolist()):
            _cell(ax_c, pos[1], pos[0], face=colors[tap], alpha=0.75, text=_fmt(d.canvas[pos[0], pos[1]]), size=7,
                  z=3)
        lo, hi = d.windows[frame].min(axis=0), d.windows[frame].max(axis=0)
        _frame(ax_c, lo[1] - 0.08, lo[0] - 0.08, hi[1] - lo[1] + 1.16, hi[0] - lo[0] + 1.16, color="crimson")
    _finish(ax_c, -0.2, d.canvas.shape[1] + 0.2, -0.2, d.canvas.shape[0] + 0.2)
    ax_c.set_title("z, with the flipped kernel $\\tilde w$" if gather else "padded x, with the kernel w", fontsize=9)
    for j, ((r, c), v) in enumerate(np.ndenumerate(d.output)):
        written = j <= filled
        _cell(ax_out, c, r, text=_fmt(v) if written else "", face="#fff4d6" if j == frame else "white", size=7,
              edge="0.35" if written else "0.8")
    _finish(ax_out, -0.2, d.output.shape[1] + 0.2, -0.2, d.output.shape[0] + 0.2)
    ax_out.set_title("output x" if gather else "output y", fontsize=9)


def _slide_title(d: SlideData) -> str:
    if d.view == "gather":
        pads = ", ".join(f"({left}, {right})" for left, right in d.spec.as_convolution().padding)
        return (f"{_layer_text(d.spec)} as a convolution:\nthe flipped kernel $\\tilde w$, stride 1, over $y$ with "
                f"$s-1$ zeros inserted and padded by {pads}")
    return f"{_layer_text(d.spec)}:\nthe kernel slides with stride s over the padded input"


def _slide_figure(d: SlideData):
    if d.spec.ndim == 1:
        width = d.canvas.shape[0] + 6
        scale = min(0.5, 11.0 / width)
        return _figure(scale * width + 2.4, max(2.6, scale * (9 if d.view == "gather" else 7.5) + 0.6))
    H = max(d.source.shape[0], d.canvas.shape[0], d.output.shape[0])
    W = d.source.shape[1] + d.canvas.shape[1] + d.output.shape[1]
    scale = min(0.35, 10.0 / W)
    return _figure(W * scale + 3.2, H * scale + 1.5)


def plot_gather(tspec: TransposedConvSpec, y: Any, weight: Any = None, *, channels: Any = (0, 0), frame: int = 0):
    """The gather view: the flipped kernel sliding (stride 1) over the zero-inserted, padded input.

    Data cells are white, zeros inserted by the stride grey, padding hatched; a negative
    padding crops ``z0`` (cropped cells crossed).  The kernel is shown at output position
    ``frame``; every output value is filled in.  Returns a Figure with ``fig.symconv_data``
    (a :class:`SlideData`).
    """
    d = gather_data(tspec, y, weight, channels=channels)
    return _slide_plot(d, frame)


def plot_conv(spec: ConvSpec, x: Any, weight: Any = None, *, channels: Any = (0, 0), frame: int = 0):
    """The convolution itself: the kernel sliding with stride s over the padded input."""
    d = conv_data(spec, x, weight, channels=channels)
    return _slide_plot(d, frame)


def _slide_plot(d: SlideData, frame: int):
    if isinstance(frame, bool) or not isinstance(frame, (int, np.integer)) or not 0 <= frame < d.n_frames:
        raise ShapeError(f"frame={frame!r} must be an output position 0 <= frame < {d.n_frames}")
    fig = _slide_figure(d)
    _slide_content(_slide_layout(fig, d), d, int(frame), None)
    fig.symconv_data = d
    return fig


def plot_overlap(tspec: TransposedConvSpec, input_shape: Any):
    """How many taps reach each output position (the checkerboard), with the verdict of ``prove_overlap``.

    1-D: bars per output position, the interior shaded; 2-D: the count grid.
    Returns a Figure with ``fig.symconv_data`` (an :class:`OverlapData`).
    """
    d = overlap_data(tspec, input_shape)
    verdicts = []
    for u, period in zip(d.uniform, d.proof.data["periods"]):
        pattern = ", ".join(str(v) for v in period)
        verdicts.append("too short to judge" if u is None else f"{'uniform' if u else 'uneven'} ({pattern} repeating)")
    verdict = "; ".join(f"axis {ax}: {v}" for ax, v in enumerate(verdicts)) if d.tspec.ndim > 1 else verdicts[0]
    proved = "proved" if d.holds else "NOT proved"
    if d.tspec.ndim == 1:
        n = d.counts.shape[0]
        fig = _figure(max(5.0, 0.32 * n + 2.0), 2.9)
        ax = fig.subplots(1, 1)
        inner = d.interiors[0]
        if len(inner):
            ax.axvspan(inner.start - 0.5, inner.stop - 0.5, color="#e8f1fb", zorder=0, label="interior")
        ax.bar(np.arange(n), d.counts, color="#4c72b0", zorder=2)
        ax.set_xlabel("output position j")
        ax.set_ylabel("taps reaching j")
        ax.set_xticks(np.arange(n))
        ax.tick_params(labelsize=7)
        ax.set_yticks(np.arange(int(d.counts.max()) + 1))
        ax.legend(fontsize=8, frameon=False, loc="upper right")
    else:
        H, W = d.counts.shape
        scale = min(0.4, 8.0 / max(H, W))
        fig = _figure(W * scale + 2.2, H * scale + 1.3)
        ax = fig.subplots(1, 1)
        image = ax.imshow(d.counts, cmap="Blues", vmin=0, vmax=max(int(d.counts.max()), 1))
        if H * W <= 900:
            for (r, c), v in np.ndenumerate(d.counts):
                ax.text(c, r, str(int(v)), ha="center", va="center", fontsize=7,
                        color="white" if v > d.counts.max() / 2 else "black")
        for inner, draw in zip(d.interiors, (ax.axhline, ax.axvline)):
            if len(inner):
                draw(inner.start - 0.5, color="crimson", lw=0.8, ls="--")
                draw(inner.stop - 0.5, color="crimson", lw=0.8, ls="--")
        ax.set_xticks([])
        ax.set_yticks([])
        fig.colorbar(image, ax=ax, shrink=0.8, label="taps reaching the position",
                     ticks=np.arange(int(d.counts.max()) + 1))
    ax.set_title(f"{_layer_text(d.tspec)}: taps per output position\ninterior: {verdict} (the overlap proof: {proved})",
                 fontsize=9)
    fig.symconv_data = d
    return fig


# -- animations and files -----------------------------------------------------------------------

def animate(spec: Any, input_shape: Any, view: str = "gather", *, weight: Any = None, values: Any = None,
            channels: Any = (0, 0), interval: int = 700):
    """Frame by frame, in the manner of Dumoulin & Visin's guide.

    ``view="gather"``: one frame per output position, the flipped kernel moving over
    the zero-inserted, padded input; ``"stamps"``: one frame per input position, its
    stamp added to the canvas; ``"conv"``: one frame per output position of the
    convolution.  See :func:`animation_data` for how ``spec`` and ``input_shape`` are read.

    Returns a ``matplotlib.animation.FuncAnimation`` with ``anim.symconv_data`` and
    ``anim.symconv_frames`` (the number of frames); save it with :func:`save_animation`.
    """
    d = animation_data(spec, input_shape, view, weight=weight, values=values, channels=channels)
    n = d.n_frames
    if n > PLOT_LIMIT:
        raise SizeLimitError(f"the animation would have {n} frames, over PLOT_LIMIT={PLOT_LIMIT}")
    _mpl()
    from matplotlib.animation import FuncAnimation

    if isinstance(d, StampsData):
        fig = _stamps_figure(d, True)
        axes = _stamps_layout(fig, d, True)

        def update(f: int):
            _stamps_content(axes, d, f)
            return []
    else:
        fig = _slide_figure(d)
        axes = _slide_layout(fig, d)

        def update(f: int):
            _slide_content(axes, d, f, f)
            return []

    update(0)
    fig.canvas.draw()  # lay the figure out once, on the first frame, then keep the axes where they are
    fig.set_layout_engine("none")
    anim = FuncAnimation(fig, update, frames=n, interval=interval, blit=False, repeat=True, cache_frame_data=False)
    setattr(anim, "symconv_data", d)  # noqa: B010
    setattr(anim, "symconv_frames", n)  # noqa: B010
    setattr(anim, "symconv_draw", update)  # noqa: B010
    setattr(anim, "symconv_figure", fig)  # noqa: B010
    fig.symconv_data = d
    return anim


def _atomic_target(path: Any) -> tuple[pathlib.Path, str]:
    """The target and a temporary file beside it, with the permissions a plain open() would give."""
    from .latex.output import _mode_for

    target = pathlib.Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=str(target.parent))
    try:
        os.fchmod(fd, _mode_for(str(target)))
    finally:
        os.close(fd)
    return target, tmp


FIGURE_FORMATS = ("png", "pdf", "svg")
ANIMATION_FORMATS = ("gif", "mp4")


def save_figure(fig: Any, path: Any, *, dpi: int = 110) -> pathlib.Path:
    """Write a figure as PNG, PDF or SVG (by the suffix), atomically, without a timestamp in the file."""
    suffix = pathlib.Path(path).suffix.lower().lstrip(".")
    if suffix not in FIGURE_FORMATS:
        raise SpecError(f"{path}: a figure is written as {', '.join(FIGURE_FORMATS)} (by the file's suffix), "
                        f"not {suffix or 'no suffix'!r}")
    metadata: dict = {"png": {"Software": None}, "pdf": {"CreationDate": None, "Producer": None},
                      "svg": {"Date": None}}[suffix]
    matplotlib, _, _ = _mpl()
    target, tmp = _atomic_target(path)
    try:
        with matplotlib.rc_context({"pdf.fonttype": 42, "svg.hashsalt": "symconv"}):  # TrueType in PDF; stable SVG ids
            fig.savefig(tmp, format=suffix, dpi=dpi, metadata=metadata)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def save_frame(anim: Any, frame: int, path: Any, *, dpi: int = 110) -> pathlib.Path:
    """Write one frame of an animation made by :func:`animate` as PNG, PDF or SVG."""
    n = getattr(anim, "symconv_frames", None)
    if n is None:
        raise SpecTypeError("save_frame takes an animation made by symconv.plot.animate")
    if isinstance(frame, bool) or not isinstance(frame, (int, np.integer)) or not 0 <= frame < n:
        raise ShapeError(f"frame={frame!r} must be 0 <= frame < {n} (the animation's frames)")
    anim.symconv_draw(int(frame))
    return save_figure(anim.symconv_figure, path, dpi=dpi)


def ffmpeg_available() -> bool:
    """Whether matplotlib finds ffmpeg (needed for MP4; GIF needs only Pillow)."""
    _mpl()
    from matplotlib import animation as manim

    return bool(manim.writers.is_available("ffmpeg"))


def save_animation(anim: Any, path: Any, *, fps: int = 2, dpi: int = 90) -> pathlib.Path:
    """Write an animation as GIF (Pillow, no ffmpeg needed) or MP4 (needs ffmpeg), by the suffix."""
    suffix = pathlib.Path(path).suffix.lower().lstrip(".")
    if suffix not in ANIMATION_FORMATS:
        raise SpecError(f"{path}: an animation is written as {', '.join(ANIMATION_FORMATS)} (by the file's suffix), "
                        f"not {suffix or 'no suffix'!r}")
    _mpl()
    from matplotlib import animation as manim

    if suffix == "gif":
        writer: Any = manim.PillowWriter(fps=fps)
    else:
        if not ffmpeg_available():
            raise MissingToolError("MP4 needs ffmpeg on PATH (Debian: apt-get install ffmpeg); write a .gif instead")
        writer = manim.FFMpegWriter(fps=fps)
    target, tmp = _atomic_target(path)
    try:
        anim.save(tmp, writer=writer, dpi=dpi)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
