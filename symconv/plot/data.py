"""The numbers each picture shows: pure data read from the proved structures (no matplotlib)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from ..errors import ShapeError, SizeLimitError, SpecError, SpecTypeError
from ..kernels import kernel_symbols
from ..matrices import ConvMatrix, conv_matrix, padding_matrix, scatter_matrix, transposed_conv_matrix
from ..proofs import gather_product, overlap_counts, prove_overlap
from ..proofs.overlap import interior
from ..spec import ConvSpec, TransposedConvSpec

INSTALL_HINT = "matplotlib is needed for pictures: pip install 'symconv[figures]'"


def _limit() -> int:
    """``symconv.plot.PLOT_LIMIT``, read when it is needed (users may set it)."""
    from .. import plot

    return plot.PLOT_LIMIT


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

    Examples
    --------
    >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
    >>> spec = ConvSpec(2)
    >>> d = matrix_data(conv_matrix(spec, kernel_symbols(spec), (3,)))
    >>> d.shape, d.taps.tolist(), d.labels
    ((2, 3), [0, 1, 0, 1], {0: 'w_{0}', 1: 'w_{1}'})
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

    Examples
    --------
    >>> from symconv import TransposedConvSpec
    >>> d = stamps_data(TransposedConvSpec(3, stride=2), [1, 2])  # the weight 1, 2, 3 by default
    >>> d.n_frames, d.output.tolist()
    (2, [1, 2, 5, 4, 6])
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
        The weight drawn, in PyTorch's layout.

    Examples
    --------
    >>> from symconv import TransposedConvSpec
    >>> d = gather_data(TransposedConvSpec(3, stride=2), [1, 2])
    >>> d.view, d.n_frames, d.kind.tolist() == [PADDING, PADDING, DATA, INSERTED, DATA, PADDING, PADDING]
    ('gather', 5, True)
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
    """Overlap counts of the stamps and the verdict of :func:`~symconv.prove_overlap`.

    Attributes
    ----------
    tspec : TransposedConvSpec
        The layer.
    counts : numpy int array
        How many stamps cover each output position (read off ``T``).
    interiors : tuple of range
        Per axis, the output positions away from the borders.
    uniform : tuple
        Per axis, whether the counts are constant on the interior (None when it is too short).
    holds : bool
        The verdict of the proof.
    proof : Proof
        The proof of :func:`~symconv.prove_overlap`.

    Examples
    --------
    >>> from symconv import TransposedConvSpec
    >>> d = overlap_data(TransposedConvSpec(3, stride=2), (6,))
    >>> d.counts.tolist(), d.uniform, d.holds
    ([1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1], (False,), True)
    """

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


def _check_zero_padding(spec: Any, what: str) -> None:
    """Refuse a layer whose padding is not zeros: its pictures would draw zeros where PyTorch reads the input."""
    mode = getattr(spec, "padding_mode", "zeros")
    if mode != "zeros":
        raise SpecError(f"{what} draws a zero-padded layer; this layer has padding_mode={mode!r}, whose padded "
                        "cells repeat input values, so the picture would be wrong. Draw it with "
                        "padding_mode='zeros', or see symconv.padding_modes for the fold of the padding-0 layer")


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
    """Input values 1, 2, ..., 9, 1, 2, ... (small, distinct neighbours) of shape ``(channels, *shape)``.

    Parameters
    ----------
    channels : int
        Number of channels.
    shape : tuple of int
        The spatial shape.

    Returns
    -------
    numpy.ndarray
        Integers of shape ``(channels, *shape)``.

    Raises
    ------
    ValueError
        For a negative channel count or size (numpy's reshape).

    Examples
    --------
    >>> default_values(1, (2, 6)).tolist()
    [[[1, 2, 3, 4, 5, 6], [7, 8, 9, 1, 2, 3]]]
    """
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
    if count > _limit():
        raise SizeLimitError(f"{what} has {count} cells, over PLOT_LIMIT={_limit()}; draw a smaller layer or "
                             "raise symconv.plot.PLOT_LIMIT")


def _require_equal(a: ConvMatrix, b: ConvMatrix, claim: str) -> None:
    if not a == b:  # a failure is a bug in symconv, not bad input
        raise AssertionError(f"symconv.plot: {claim} does not hold; the picture would be wrong")


# -- data functions -------------------------------------------------------------------------------

def matrix_data(M: ConvMatrix) -> MatrixData:
    """The terms :func:`plot_matrix` colours, read off ``M.coo()``.

    Parameters
    ----------
    M : ConvMatrix
        The matrix.

    Returns
    -------
    MatrixData
        Its terms, the tap of each and the weight entries' LaTeX for the legend.

    Raises
    ------
    SpecTypeError
        When ``M`` is no ConvMatrix.
    SizeLimitError
        Over ``symconv.plot.PLOT_LIMIT`` nonzeros.

    Examples
    --------
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
    full_spec = TransposedConvSpec(tspec.kernel_size, stride=tspec.stride, padding=0, output_padding=tspec.output_padding,
                                   dilation=tspec.dilation, in_channels=tspec.in_channels,
                                   out_channels=tspec.out_channels, groups=tspec.groups)
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

    Returns
    -------
    StampsData
        Every input's stamp on the full (uncropped) canvas, their sum, and which cells the padding crops.

    Raises
    ------
    SpecTypeError
        For a spec that is no TransposedConvSpec, or non-numeric values.
    ShapeError
        For an input, weight or channel pair the layer cannot take (or a 3-D layer).
    SizeLimitError
        Over ``symconv.plot.PLOT_LIMIT`` cells.

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
    _check_zero_padding(tspec, "plot_stamps")
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

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer (1-D or 2-D).
    y : array_like
        Its input, shape ``(in_channels, *spatial)`` (or spatial only with one channel).
    weight : array_like, optional
        Numeric weight of ``tspec.weight_shape`` (default ``1, 2, ..., K``).
    channels : (int, int)
        The (input, output) channel pair drawn.

    Returns
    -------
    SlideData
        ``z0``, the padded canvas ``z`` with the kind of every cell, the flipped kernel's windows and the output.

    Raises
    ------
    SpecTypeError
        For a spec that is no TransposedConvSpec, or non-numeric values.
    ShapeError
        For an input, weight or channel pair the layer cannot take (or a 3-D layer).
    SizeLimitError
        Over ``symconv.plot.PLOT_LIMIT`` cells or frames.

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
    _check_zero_padding(tspec, "plot_gather")
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

    Parameters
    ----------
    spec : ConvSpec
        The layer (1-D or 2-D).
    x : array_like
        Its input, shape ``(in_channels, *spatial)`` (or spatial only with one channel).
    weight : array_like, optional
        Numeric weight of ``spec.weight_shape`` (default ``1, 2, ..., K``).
    channels : (int, int)
        The (input, output) channel pair drawn.

    Returns
    -------
    SlideData
        The padded input with the kind of every cell, the kernel's windows and the output.

    Raises
    ------
    SpecTypeError
        For a spec that is no ConvSpec, or non-numeric values.
    ShapeError
        For an input, weight or channel pair the layer cannot take (or a 3-D layer).
    SizeLimitError
        Over ``symconv.plot.PLOT_LIMIT`` cells or frames.

    Examples
    --------
    >>> from symconv import ConvSpec
    >>> d = conv_data(ConvSpec(3, stride=2, padding=1), [1, 2, 3, 4, 5], [[[1, 0, -1]]])
    >>> d.canvas.tolist(), d.windows[1, :, 0].tolist(), d.output.tolist()
    ([0, 1, 2, 3, 4, 5, 0], [2, 3, 4], [-2, -2, 4])
    """
    if not isinstance(spec, ConvSpec):
        raise SpecTypeError(f"the convolution view is drawn for a ConvSpec, got {type(spec).__name__}")
    _check_drawable(spec, "the convolution view")
    _check_zero_padding(spec, "the convolution view")
    xv = _values("x", spec.in_channels, x, spec.ndim)
    shape = spec.check_input_shape(xv.shape[1:])
    w = _weight(spec, weight)
    ci, co = _channel_pair(spec, channels, spec.in_channels, spec.out_channels)
    W = kernel_symbols(spec)
    Pad = padding_matrix(spec.in_channels, shape, spec.padding)
    valid = ConvSpec(spec.kernel_size, stride=spec.stride, padding=0, dilation=spec.dilation, in_channels=spec.in_channels,
                     out_channels=spec.out_channels, groups=spec.groups)
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

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer (1-D or 2-D).
    input_shape : tuple of int
        Its spatial input shape.

    Returns
    -------
    OverlapData
        The counts, the interior of every axis, whether each is uniform, and the proof.

    Raises
    ------
    SpecTypeError
        For a spec that is no TransposedConvSpec.
    ShapeError
        For an input shape the layer cannot take (or a 3-D layer).

    Examples
    --------
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

    Parameters
    ----------
    spec : ConvSpec or TransposedConvSpec
        The layer.
    input_shape : tuple of int
        Its spatial input shape.
    view : {"gather", "stamps", "conv"}
        One frame per output position of the transposed layer, per input position, or per output of the convolution.
    weight : array_like, optional
        Numeric weight (default ``1, 2, ..., K``).
    values : array_like, optional
        The input of the view drawn.
    channels : (int, int)
        The (input, output) channel pair drawn.

    Returns
    -------
    StampsData or SlideData

    Raises
    ------
    SpecError
        For an unknown view.
    SpecTypeError
        For a spec of neither kind.

    Examples
    --------
    >>> from symconv import ConvSpec
    >>> d = animation_data(ConvSpec(3, stride=2, padding=1), (5,), "gather")
    >>> d.n_frames, d.output.shape
    (5, (5,))
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
