"""Pictures of the round trip MᵀM: its band with the period s, and the kernel's autocorrelation beside the kernel.

Every value drawn comes from :func:`symconv.gram.gram_structure` (the sparse product of M's structure) or from
:func:`symconv.gram.autocorrelation`; the interior is :func:`symconv.gram.gram_interior`.

>>> from symconv import ConvSpec
>>> d = gram_data(ConvSpec(3, stride=2, padding=1), (9,), [[[1, 2, 3]]])
>>> d.matrix[4, 3:6].tolist(), d.period
([2.0, 4.0, 6.0], (2,))
>>> autocorrelation_data([[[1, 2, 3]]]).values.tolist()
[3.0, 8.0, 14.0, 8.0, 3.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ShapeError, SpecTypeError
from ..gram import autocorrelation, gram_interior, gram_structure
from ..kernels import kernel_symbols
from ..spec import ConvSpec
from .data import _check_cells, _check_drawable, _numbers
from .draw import _layer_text
from .host import _Host, _mpl, styled

__all__ = ["GramData", "AutocorrelationData", "gram_data", "autocorrelation_data", "plot_gram",
           "plot_autocorrelation"]

_SIZES = {"font.size": 8, "axes.titlesize": 10, "axes.labelsize": 10, "xtick.labelsize": 8, "ytick.labelsize": 8}
"""The pictures' sizes (inside the package's :data:`~symconv.plot.STYLE`): nothing below 7 pt at figure size."""


def _mfmt(v: Any) -> str:
    """A number as mathtext (its minus is a minus sign in the mathematics font)."""
    v = float(v)
    return "$" + (str(int(v)) if v == int(v) else f"{v:.3g}") + "$"


@dataclass(frozen=True)
class GramData:
    """What :func:`plot_gram` draws: the matrix MᵀM (channel block ``(0, 0)``), its interior and its period.

    Attributes
    ----------
    spec : ConvSpec
        The convolution.
    input_shape : tuple of int
        Its spatial input shape.
    weight : numpy.ndarray
        The numeric weight drawn, in PyTorch's layout.
    matrix : numpy.ndarray
        Channel block ``(0, 0)`` of ``MᵀM``, dense.
    interior : tuple of range
        Per axis, the input positions where MᵀM is (periodically) shift-invariant.
    period : tuple of int
        Per axis, the stride: the period of the interior's rows.

    Examples
    --------
    >>> from symconv import ConvSpec
    >>> d = gram_data(ConvSpec(3, stride=2, padding=1), (9,), [[[1, 2, 3]]])
    >>> d.matrix.shape, d.period
    ((9, 9), (2,))
    """

    spec: ConvSpec
    input_shape: tuple[int, ...]
    weight: np.ndarray
    matrix: np.ndarray
    interior: tuple[range, ...]
    period: tuple[int, ...]


@dataclass(frozen=True)
class AutocorrelationData:
    """What :func:`plot_autocorrelation` draws: the kernel of one channel pair and its autocorrelation R.

    Attributes
    ----------
    kernel : numpy.ndarray
        The kernel of the channel pair drawn (spatial axes only).
    values : numpy.ndarray
        ``R[τ]`` on the grid of lags.
    lags : tuple of numpy.ndarray
        Per axis, the lags ``-(k-1), ..., k-1``.

    Examples
    --------
    >>> d = autocorrelation_data([[[1, 2, 3]]])
    >>> d.lags[0].tolist(), d.values.tolist()
    ([-2, -1, 0, 1, 2], [3.0, 8.0, 14.0, 8.0, 3.0])
    """

    kernel: np.ndarray
    values: np.ndarray
    lags: tuple[np.ndarray, ...]


def _default_weight(spec: ConvSpec) -> np.ndarray:
    return (np.arange(int(np.prod(spec.weight_shape))) % 5 + 1).reshape(spec.weight_shape).astype(float)


def gram_data(spec: ConvSpec, input_shape: Any, weight: Any = None) -> GramData:
    """The numbers of :func:`plot_gram` (no matplotlib needed).

    Parameters
    ----------
    spec : ConvSpec
        The convolution whose round trip ``MᵀM`` is drawn.
    input_shape : tuple of int
        Spatial input shape.
    weight : array_like, optional
        Numeric weight in PyTorch's layout; defaults to 1, 2, ..., 5, 1, ...

    Returns
    -------
    GramData
        Channel block ``(0, 0)`` of ``MᵀM`` (dense, from :func:`~symconv.gram.gram_structure`), the interior
        and the period.

    Raises
    ------
    SpecTypeError
        If ``spec`` is not a :class:`~symconv.ConvSpec`.
    ShapeError, SizeLimitError
        For a weight of the wrong shape, or a canvas too large to draw.

    Examples
    --------
    >>> gram_data(ConvSpec(3, stride=2, padding=1), (9,), [[[1, 2, 3]]]).matrix[3, 2:5].tolist()
    [6.0, 10.0, 2.0]
    """
    if not isinstance(spec, ConvSpec):
        raise SpecTypeError(f"MᵀM is drawn for a ConvSpec, got {type(spec).__name__}")
    _check_drawable(spec, "plot_gram")
    shape = spec.check_input_shape(input_shape)
    values = _default_weight(spec) if weight is None else _numbers("weight", weight, spec.weight_shape).astype(float)
    n = int(np.prod(shape))
    _check_cells("the MᵀM canvas", n * n)
    G = gram_structure(spec, kernel_symbols(spec), shape)
    block = G.restrict((G.rows < n) & (G.cols < n))  # channel block (0, 0)
    dense = np.zeros((n, n))
    np.add.at(dense, (block.rows, block.cols), values.ravel()[block.taps_a] * values.ravel()[block.taps_b])
    return GramData(spec, shape, values, dense, gram_interior(spec, shape), tuple(spec.stride))


def autocorrelation_data(weight: Any, channel: int = 0) -> AutocorrelationData:
    """The kernel ``weight[0, channel]`` and ``R[τ]`` (summed over the output channels) for every lag.

    Parameters
    ----------
    weight : array_like
        Numeric weight in PyTorch's layout ``(C_out, C_in/g, k...)``, one or two spatial axes.
    channel : int, default 0
        The input channel (within a group) whose autocorrelation is computed.

    Returns
    -------
    AutocorrelationData
        The kernel, ``R`` on the lags ``-(k-1), ..., k-1`` per axis, and those lags.

    Raises
    ------
    ShapeError
        For fewer than three or more than four axes.

    Examples
    --------
    >>> autocorrelation_data([[[1, 2, 3]]]).values.tolist()
    [3.0, 8.0, 14.0, 8.0, 3.0]
    """
    w = np.asarray(weight, dtype=float)
    if w.ndim < 3:
        raise ShapeError(f"weight must have PyTorch's layout (C_out, C_in/g, k...), got shape {w.shape}")
    if w.ndim > 4:
        raise ShapeError(f"the autocorrelation is drawn for 1-D and 2-D kernels, got {w.ndim - 2} axes")
    kernel = w.shape[2:]
    lags = [np.arange(-(k - 1), k) for k in kernel]
    grid = np.zeros(tuple(len(x) for x in lags))
    for index in np.ndindex(grid.shape):
        lag = tuple(int(lags[ax][i]) for ax, i in enumerate(index))
        grid[index] = float(autocorrelation(w, lag, channel))
    return AutocorrelationData(w[0, channel], grid, tuple(lags))


@styled
def plot_gram(spec: ConvSpec, input_shape: Any, weight: Any = None, *, figsize: Any = None, ax: Any = None,
              fig: Any = None, title: bool = True):
    """MᵀM as an image: the band of lags, the interior rows framed, the period ``s`` marked along the diagonal.

    Parameters
    ----------
    spec, input_shape, weight
        As for :func:`gram_data`.
    figsize : (float, float), optional
        Width and height in inches of a new figure (for a document: the printed size, so the labels print at
        7 pt or more).
    ax : matplotlib Axes, optional
        Draw into this Axes (its figure receives the colour bar).
    fig : matplotlib Figure or SubFigure, optional
        Draw into this empty figure.
    title : bool, default True
        Whether to title the picture (a document's figure has a caption instead).

    Returns
    -------
    matplotlib Figure or Axes
        A new figure (pyplot's when pyplot is in use), ``fig`` or ``ax``, with ``symconv_data`` (a
        :class:`GramData`).

    Raises
    ------
    SpecTypeError, ShapeError, SizeLimitError
        As :func:`gram_data`; SpecError for both ``ax=`` and ``fig=``; ImportError without matplotlib.

    Examples
    --------
    >>> fig = plot_gram(ConvSpec(3, stride=2, padding=1), (9,), [[[1, 2, 3]]])
    >>> fig.symconv_data.period
    (2,)
    """
    d = gram_data(spec, input_shape, weight)
    n = d.matrix.shape[0]
    matplotlib, _, _ = _mpl()
    with matplotlib.rc_context(_SIZES):
        host = _Host(fig, ax, *(figsize or (min(7.0, 0.28 * n + 2.4), min(6.2, 0.28 * n + 1.6))), "plot_gram")
        ax = host.subplots(1, 1)[0]
        top = float(np.abs(d.matrix).max()) or 1.0
        if d.matrix.min() >= 0:  # nonnegative (e.g. positive weights): a one-sided scale, 0 white
            image = _cells(ax, d.matrix, "Blues", 0, top)
        else:  # signed: a diverging scale centred at 0
            image = _cells(ax, d.matrix, "RdBu_r", -top, top)
        if d.spec.ndim == 1:
            inner = d.interior[0]
            if len(inner):
                # the interior is a set of rows: the band of those rows, across every column
                ax.add_patch(_rectangle(-0.5, inner.start - 0.5, n, len(inner)))
                for j in range(inner.start, inner.stop, d.period[0]):  # one diagonal entry per period, framed
                    ax.add_patch(_rectangle(j - 0.5, j - 0.5, 1, 1, dashed=False))
            if n <= 24:
                for (r, c), v in np.ndenumerate(d.matrix):
                    if v:
                        ax.text(c, r, _mfmt(v), ha="center", va="center", fontsize=_SIZES["font.size"],
                                color="white" if abs(v) > top / 2 else "black")
        from matplotlib.ticker import MaxNLocator

        for axis in (ax.xaxis, ax.yaxis):  # rows and columns are integers
            axis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(r"column $j'$")
        ax.set_ylabel(r"row $j$")
        bar = host.fig.colorbar(image, ax=ax, shrink=0.8, label=rf"$({_MT} M)[j, j']$")
        bar.solids.set_rasterized(False)  # vector, like the cells (matplotlib rasterizes a bar of many colours),
        bar.solids.set_edgecolor("face")  # its bands edged in their own colour: no seams between them
        bar.solids.set_linewidth(0.3)
        period = ", ".join(map(str, d.period))
        if title:
            host.title(rf"${_MT} M$ of {_layer_text(d.spec)}; interior rows dashed; period $s = {period}$ "
                       "(one diagonal entry per period framed)", _SIZES["axes.titlesize"])
        return host.result(d)


_MT = r"M^{\!\!\top}\!"
"""``M^T`` in mathtext, its superscript set as close as TeX sets it (mathtext leaves a gap before ``\\top``)."""


def _cells(ax, values: np.ndarray, cmap: str, vmin: float, vmax: float, origin: tuple[int, int] = (0, 0)):
    """``values`` as vector cells (``pcolormesh``, not a raster image), row ``origin[0]`` on top, cell ``(r, c)``
    centred at ``(origin[1] + c, origin[0] + r)``, square; returns the mesh (for a colour bar)."""
    rows, cols = values.shape
    mesh = ax.pcolormesh(origin[1] + np.arange(cols + 1) - 0.5, origin[0] + np.arange(rows + 1) - 0.5, values,
                         cmap=cmap, vmin=vmin, vmax=vmax, edgecolors="face", linewidth=0.3)  # no seams
    ax.set_xlim(origin[1] - 0.5, origin[1] + cols - 0.5)
    ax.set_ylim(origin[0] + rows - 0.5, origin[0] - 0.5)
    ax.set_aspect("equal")
    return mesh


def _rectangle(x: float, y: float, w: float, h: float, dashed: bool = True):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, fill=False, edgecolor="black", lw=1.2, ls="--" if dashed else "-")


@styled
def plot_autocorrelation(weight: Any, channel: int = 0, *, figsize: Any = None, fig: Any = None):
    """The kernel beside its autocorrelation ``R[τ]`` (1-D: bars; 2-D: images), ``R[0] = ‖w‖²`` highlighted.

    Parameters
    ----------
    weight, channel
        As for :func:`autocorrelation_data`.
    figsize : (float, float), optional
        Width and height in inches of a new figure (default 7 × 2.8).
    fig : matplotlib Figure or SubFigure, optional
        Draw into this empty figure (two panels: the kernel and R).

    Returns
    -------
    matplotlib Figure
        A new figure (pyplot's when pyplot is in use) or ``fig``, with ``symconv_data`` (an
        :class:`AutocorrelationData`).

    Raises
    ------
    ShapeError
        As :func:`autocorrelation_data`; ImportError without matplotlib.

    Examples
    --------
    >>> float(plot_autocorrelation([[[1, 2, 3]]]).symconv_data.values.max())
    14.0
    """
    d = autocorrelation_data(weight, channel)
    matplotlib, _, _ = _mpl()
    with matplotlib.rc_context(_SIZES):
        host = _Host(fig, None, *(figsize or (7.0, 2.8)), "plot_autocorrelation")
        left, right = host.subplots(1, 2, width_ratios=(1, 2))
        if d.kernel.ndim == 1:
            left.bar(np.arange(d.kernel.size), d.kernel, color="#4c72b0")
            left.set_xlabel(r"tap $m$")
            right.bar(d.lags[0], d.values, color=["crimson" if t == 0 else "#4c72b0" for t in d.lags[0]])
            right.set_xlabel(r"lag $\tau$")
            right.set_xticks(d.lags[0])
        else:
            top = float(np.abs(d.kernel).max()) or 1.0
            _cells(left, d.kernel, "RdBu_r", -top, top)
            for (r, c), v in np.ndenumerate(d.kernel):
                left.text(c, r, _mfmt(v), ha="center", va="center", fontsize=8,
                          color="white" if abs(v) > top / 2 else "black")
            top = float(np.abs(d.values).max()) or 1.0
            high = top / 2
            _cells(right, d.values, "RdBu_r", -top, top, origin=(int(d.lags[0][0]), int(d.lags[1][0])))
            for index, v in np.ndenumerate(d.values):
                centre = d.lags[0][index[0]] == 0 and d.lags[1][index[1]] == 0
                right.text(d.lags[1][index[1]], d.lags[0][index[0]], _mfmt(v) if not centre else
                           r"$\mathbf{" + _mfmt(v).strip("$") + "}$", ha="center", va="center", fontsize=8,
                           color="white" if abs(v) > high else "black")
            right.set_xlabel(r"lag $\tau_1$")
            right.set_ylabel(r"lag $\tau_0$")
            right.set_xticks(d.lags[1])  # every lag named
            right.set_yticks(d.lags[0])
            left.set_xticks([])
            left.set_yticks([])
        left.set_title(r"kernel $w$")
        right.set_title(r"autocorrelation $R[\tau]$; $R[0] = \Vert w \Vert^2$ is the largest")
        return host.result(d)
