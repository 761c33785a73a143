"""Drawing the data with matplotlib (imported only when a picture is drawn)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..matrices import ConvMatrix
from ..spec import ConvSpec, TransposedConvSpec
from .data import (
    DATA,
    INSERTED,
    PADDING,
    MatrixData,
    SlideData,
    StampsData,
    conv_data,
    gather_data,
    matrix_data,
    overlap_data,
    stamps_data,
)
from .host import _figure, _Host, _mpl, fit_text, styled

# -- drawing ------------------------------------------------------------------------------------

def tap_colors(n: int) -> list:
    """One colour per tap id (tab10 up to 10 taps, tab20 up to 20, a sampled wheel beyond).

    Parameters
    ----------
    n : int
        Number of taps.

    Returns
    -------
    list of RGBA tuples

    Raises
    ------
    ImportError
        Without matplotlib.

    Examples
    --------
    >>> len(tap_colors(3)), len(set(tap_colors(12)))
    (3, 12)
    """
    matplotlib, _, _ = _mpl()
    if n <= 10:
        cmap = matplotlib.colormaps["tab10"]
        return [cmap(i) for i in range(n)]
    if n <= 20:
        cmap = matplotlib.colormaps["tab20"]
        return [cmap(i) for i in range(n)]
    cmap = matplotlib.colormaps["hsv"]
    return [cmap(i / n) for i in range(n)]


def _num(v: Any) -> str:
    """A number as mathtext without dollars (``-3``: mathtext prints the minus sign in Computer Modern)."""
    v = float(v)
    return str(int(v)) if v == int(v) else f"{v:.3g}"


def _fmt(v: Any) -> str:
    """A number as a label: ``3``, or ``$-3$`` (mathtext, so the minus sign is Computer Modern's, not a hyphen
    and not a glyph from a fallback font: cmr10 has no U+2212)."""
    text = _num(v)
    return f"${text}$" if text.startswith("-") else text


def _factor(v: Any) -> str:
    """A number as a factor of a product in mathtext: ``3`` or ``(-3)``."""
    text = _num(v)
    return f"({text})" if text.startswith("-") else text


def _tap_label(spec: Any, tap: int, weight: np.ndarray | None = None, name: str = "w") -> str:
    """``$w_{2}$`` (``$w_{0,1,2}$`` with channels), as :func:`~symconv.kernel_symbols` names the tap (mathtext)."""
    shape = tuple(spec.weight_shape)
    index = [int(v) for v in np.unravel_index(tap, shape)]
    if shape[0] * shape[1] == 1:
        index = index[2:]
    text = f"${name}_{{{','.join(str(i) for i in index)}}}"
    if weight is not None:
        text += f" = {_num(weight.ravel()[tap])}"
    return text + "$"


def _cell(ax, x: float, y: float, *, face: Any = "white", text: str = "", hatch: str | None = None,
          edge: Any = "0.35", lw: float = 0.8, color: Any = "black", size: float = 9, alpha: float = 1.0, z: int = 1):
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x, y), 1, 1, facecolor=face, edgecolor=edge, hatch=hatch, lw=lw, alpha=alpha, zorder=z))
    if text:
        # on a hatched cell the number sits on a small white box: the hatch stays visible around it, the number
        # is read without strokes through it
        box = dict(boxstyle="square,pad=0.2", facecolor="white", edgecolor="none") if hatch else None
        ax.text(x + 0.5, y + 0.5, text, ha="center", va="center", fontsize=size, color=color, zorder=z + 1, bbox=box)


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


def _tap_handles(spec: Any, taps: list, weight: np.ndarray | None, colors: list, name: str = "w"):
    from matplotlib.patches import Patch

    return [Patch(facecolor=colors[t], edgecolor="0.35", label=_tap_label(spec, t, weight, name)) for t in taps]


@styled
def plot_matrix(M: ConvMatrix, *more: ConvMatrix, titles: Any = None, numbers: bool | None = None, ax: Any = None,
                fig: Any = None):
    """The nonzero pattern of ``M`` (and of further matrices beside it), each entry coloured by its kernel tap.

    Lines separate channel blocks (solid) and, for 2-D layers, the rows of the image (dotted).
    A legend maps colours to the weight entries ``w_0, w_1, ...``; matrices sharing a weight
    share colours, so ``plot_matrix(M, T)`` shows the same colours transposed.

    Parameters
    ----------
    M, *more : ConvMatrix
        The matrices, drawn side by side.
    titles : sequence of str, optional
        One per matrix (default: what each matrix is, from its origin).
    numbers : bool, optional
        Write coefficients other than 1 in their cells (default: for matrices up to 900 entries).
    ax : matplotlib Axes or sequence of Axes, optional
        Draw into these, one per matrix, instead of a new figure.
    fig : matplotlib Figure or SubFigure, optional
        Draw into this empty figure instead of a new one.

    Returns
    -------
    matplotlib Figure, Axes or list of Axes
        The new figure (pyplot's when pyplot is in use), ``fig``, or ``ax``; its
        ``symconv_data`` is a list of :class:`MatrixData`.

    Raises
    ------
    ShapeError
        When ``titles`` or ``ax`` do not have one entry per matrix.
    ImportError
        Without matplotlib (``pip install 'symconv[figures]'``).

    Examples
    --------
    >>> from symconv import ConvSpec, conv_matrix, kernel_symbols, plot
    >>> spec = ConvSpec(3, stride=2, padding=1)
    >>> M = conv_matrix(spec, kernel_symbols(spec), (5,))
    >>> fig = plot.plot_matrix(M)
    >>> fig.symconv_data[0].shape
    (3, 5)
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
    size = (max(3.5, scale * (sum(widths) + 2 * len(data)) + 1.8), max(2.2, scale * height + 1.2))
    given = None
    if ax is not None and isinstance(ax, (list, tuple, np.ndarray)):
        given = list(np.ravel(np.asarray(ax, dtype=object)))
        if len(given) != len(matrices):
            raise ShapeError(f"plot_matrix: ax has {len(given)} axes for {len(matrices)} matrices (one each)")
        for other in given[:-1]:
            _Host(None, other, *size, "plot_matrix")
        host = _Host(None, given[-1], *size, "plot_matrix")
        axes = given
    else:
        host = _Host(fig, ax, *size, "plot_matrix")
        axes = host.subplots(1, len(data), width_ratios=widths) if host.ax is None else host.subplots(1, len(data))
    panel_width = host._width() if given is None else None
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
        share = (panel_width * d.shape[1] / sum(widths)) if panel_width is not None else ax.bbox.width / ax.figure.dpi
        ax.set_title(fit_text(title, share, 10), fontsize=10)
        ax.set_xlabel(fit_text(f"${d.shape[0]} \\times {d.shape[1]}$, {len(d.cells)} nonzeros", share, 8), fontsize=8)
    taps = sorted(set().union(*(set(d.labels) for d in data)))
    if taps:
        from matplotlib.patches import Patch

        labels = {}
        for d in data:
            labels.update(d.labels)
        handles = [Patch(facecolor=colors[t], edgecolor="white", label=f"${labels[t]}$") for t in taps]
        host.legend(handles, "right", fontsize=10, ncols=1 if len(taps) <= 10 else 2 if len(taps) <= 24 else 3)
    if given is not None:
        host.finish()
        for other in given:
            other.symconv_data = data
        return given
    return host.result(data)


def _matrix_title(M: ConvMatrix) -> str:
    """A short title for a matrix: what it is (from its origin) and its shape."""
    origin = M.origin
    if origin is None:
        return f"${M.shape[0]} \\times {M.shape[1]}$"
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
        parts.append(f"channels ${spec.in_channels} \\to {spec.out_channels}$")
    if spec.groups > 1:
        parts.append(f"g={spec.groups}")
    return f"{'ConvTranspose' if transposed else 'Conv'}{spec.ndim}d " + ", ".join(parts)


_STAMP_2D = 9
"""The size (pt) of the numbers in the cells of the 2-D stamps (the legend is below, so the cells are large)."""


def _stamps_layout(host: _Host, d: StampsData, animated: bool, max_panels: int = 12,
                   names: tuple[str, str] = ("y", "w"), title: bool = True) -> list:
    """Axes, legend and title of the stamps figure (the content is drawn by ``_stamps_content``)."""
    t = d.tspec
    y, w = names
    colors = tap_colors(math.prod(t.weight_shape))
    used = sorted(set(int(v) for v in np.unique(d.taps) if v >= 0))
    handles = _tap_handles(t, used, d.weight, colors, w)
    heading = f"{_layer_text(t)}: every ${y}_i$ stamps ${y}_i\\cdot {w}$ at $s\\,i - p_l$"
    if not d.visible.all():
        from matplotlib.patches import Patch

        handles.append(Patch(facecolor="0.9", edgecolor="0.35", hatch="xx", label="cropped by the padding"))
    if t.ndim == 1:
        axes = host.subplots(1, 1)
        host.legend(handles, "lower", fontsize=10, ncols=min(len(handles), 4))
    else:
        if animated:
            axes = host.subplots(1, 2)
        else:
            n_pan = min(int(np.count_nonzero(d.y)), max_panels) + 1
            cols = min(n_pan, 4)
            axes = host.subplots(math.ceil(n_pan / cols), cols)
        if animated:
            host.legend(handles, "right", fontsize=10)
        else:  # below, in rows: the panels take the whole width, so their cells (and numbers) print large
            host.legend(handles, "lower", fontsize=10, ncols=min(len(handles), 4))
        heading += "\n(framed: the output; hatched: cropped by the padding)"
    if title:
        host.title(heading, 10)
    return axes


def _stamps_content(axes: list, d: StampsData, upto: int | None = None, max_panels: int = 12,
                    names: tuple[str, str] = ("y", "w")) -> None:
    """Static: the stamps of the nonzero inputs and their sum.  Animated (``upto``): stamps ``0..upto``."""
    t = d.tspec
    y = names[0]
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
    what = "sum of the stamps" if upto is None else f"sum of {upto + 1} of {n_in}"
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
            label = (f"${y}_{{{i}}} = {_num(y_flat[i])}$ at ${t.stride[0]}\\cdot {i} - {t.padding_left[0]} = "
                     f"{_num(d.offsets[i, 0])}$")
            ax.text(x0 - 0.4, line + 0.5, label, ha="right", va="center", fontsize=10,
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
                  hatch=None if vis else "xx", color="black" if vis else "0.3")
        ax.text(x0 - 0.4, row + 0.5, what, ha="right", va="center", fontsize=9)
        for j in range(int(d.visible.sum())):
            ax.text(j + 0.5, row + 1.35, str(j), ha="center", va="center", fontsize=8, color="0.4")
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
                    _cell(ax, c, r, face=colors[tap], text=_fmt(d.stamps[i, r, c]), size=_STAMP_2D,
                          alpha=1.0 if d.visible[r, c] else 0.45, hatch=None if d.visible[r, c] else "xx")
                else:
                    _cell(ax, c, r, face="white" if d.visible[r, c] else "0.93", edge="0.85", lw=0.4)
        _frame(ax, *box, color="0.1", lw=1.4)
        ax.set_title(f"${y}_{{{pos_in[0]},{pos_in[1]}}} = {_num(y_flat[i])}$, corner "
                     f"$({d.offsets[i, 0]}, {d.offsets[i, 1]})$", fontsize=10)
        _finish(ax, -0.2, W + 0.2, -0.2, H + 0.2)
    ax = axes[len(panels)]
    for r in range(H):
        for c in range(W):
            vis = bool(d.visible[r, c])
            _cell(ax, c, r, face="white" if vis else "0.9", text=_fmt(total[r, c]), size=_STAMP_2D,
                  hatch=None if vis else "xx", color="black" if vis else "0.3")
    _frame(ax, *box, color="0.1", lw=1.4)
    more = "" if len(panels) == len(shown) or upto is not None else f" ({len(panels)} of {len(shown)} stamps shown)"
    ax.set_title(what + more, fontsize=10)
    _finish(ax, -0.2, W + 0.2, -0.2, H + 0.2)
    for ax in axes[len(panels) + 1:]:
        ax.set_axis_off()


@styled
def plot_stamps(tspec: TransposedConvSpec, y: Any, weight: Any = None, *, channels: Any = (0, 0),
                max_panels: int = 12, ax: Any = None, fig: Any = None, names: Any = ("y", "w"),
                title: bool = True):
    """The scatter view: each nonzero input ``y[i]`` stamps ``y[i] * w`` at ``s i - p_l``, and the sum.

    With one nonzero input the figure shows one stamp; with two, the overlap adding.
    Cells outside the output (cropped by the padding) are hatched.  1-D layers stack
    the stamps as rows over the output canvas; 2-D layers draw one panel per stamp
    (at most ``max_panels``; the sum always includes every stamp).

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer (1-D or 2-D).
    y : array_like
        Its input, shape ``(in_channels, *spatial)`` (or spatial only with one channel).
    weight : array_like, optional
        Numbers in PyTorch's layout (default 1, 2, 3, ...).
    channels : (int, int)
        The (input, output) channel pair drawn.
    max_panels : int
        2-D: the most stamps drawn as panels.
    ax : matplotlib Axes, optional
        1-D: draw into this Axes.
    fig : matplotlib Figure or SubFigure, optional
        Draw into this empty figure (any layer).
    names : (str, str)
        The names of the input and of the kernel in the labels (default ``("y", "w")``), to follow the text the
        figure illustrates; each a plain identifier (an ASCII letter, then letters or digits).
    title : bool
        Whether to name the layer in a title (a document's figure leaves it to its caption).

    Returns
    -------
    matplotlib Figure or Axes
        A new figure (pyplot's when pyplot is in use), ``fig`` or ``ax``, with ``symconv_data`` (a :class:`StampsData`).

    Raises
    ------
    ShapeError, SpecTypeError
        For a bad layer, input, weight or channel pair (see :func:`stamps_data`).
    SpecError, SpecTypeError
        For ``names`` that are not two plain identifiers.
    SpecError
        For ``ax=`` with a 2-D layer (several panels: use ``fig=``), or both ``ax=`` and ``fig=``.

    Examples
    --------
    >>> from symconv import TransposedConvSpec, plot
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(layout="constrained")
    >>> my_axes, other = fig.subplots(1, 2)
    >>> ax = plot.plot_stamps(TransposedConvSpec(3, stride=2), [1, 1], ax=my_axes)
    >>> ax is my_axes, ax.symconv_data.output.tolist()
    (True, [1, 2, 4, 2, 3])
    """
    names = _names(names)
    d = stamps_data(tspec, y, weight, channels=channels)
    host = _Host(fig, ax, *_stamps_size(d, False, max_panels), "plot_stamps")
    _stamps_content(_stamps_layout(host, d, False, max_panels, names, title), d, None, max_panels, names)
    return host.result(d)


def _names(names: Any) -> tuple[str, str]:
    """The (input, kernel) names of a picture's labels, each checked to be a plain identifier (it becomes mathtext)."""
    from ..errors import SpecError
    from ..kernels import check_name

    if isinstance(names, str) or len(tuple(names)) != 2:
        raise SpecError(f"names must be two names, of the input and of the kernel, got {names!r}")
    y, w = tuple(names)
    return check_name(y, "the input's name"), check_name(w, "the kernel's name")


def _stamps_figure(d: StampsData, animated: bool, max_panels: int = 12):
    return _figure(*_stamps_size(d, animated, max_panels))


def _stamps_size(d: StampsData, animated: bool, max_panels: int = 12) -> tuple[float, float]:
    if d.tspec.ndim == 1:
        n_rows = (d.stamps.shape[0] if animated else int(np.count_nonzero(d.y))) + 2
        width = d.stamps.shape[1] + 5
        scale = min(0.5, 10.0 / width)
        return scale * width + 2.4, max(2.2, scale * n_rows + 1.3)
    n = 2 if animated else min(max_panels, int(np.count_nonzero(d.y))) + 1
    cols = min(n, 4)
    rows = math.ceil(n / cols)
    H, W = d.stamps.shape[1:]
    scale = min(0.32, 2.6 / max(H, W))
    if animated:  # the legend on the right
        return cols * (W * scale + 0.3) + 1.8, rows * (H * scale + 0.5) + 0.9
    taps = len(set(int(v) for v in np.unique(d.taps) if v >= 0)) + (0 if d.visible.all() else 1)
    return cols * (W * scale + 0.3) + 0.3, rows * (H * scale + 0.5) + 0.3 + 0.3 * math.ceil(taps / 4)


def _slide_layout(host: _Host, d: SlideData, title: bool = True) -> list:
    """Axes, legend and title of a sliding view (the content is drawn by ``_slide_content``)."""
    spec = d.spec
    colors = tap_colors(math.prod(spec.weight_shape))
    handles = _kinds_present(d)
    if d.cropped is not None and d.cropped.any():
        from matplotlib.patches import Patch

        handles.append(Patch(facecolor="0.93", edgecolor="0.35", hatch="xx", label="cropped (negative padding)"))
    if spec.ndim == 1:
        axes = host.subplots(1, 1)
        host.legend(handles, "lower", fontsize=10, ncols=min(len(handles), 4))
    else:
        axes = host.subplots(1, 3, width_ratios=[d.source.shape[1], d.canvas.shape[1], d.output.shape[1]])
        used = sorted(set(d.window_taps.ravel().tolist()))
        host.legend(_tap_handles(spec, used, d.weight, colors) + handles, "right", fontsize=10)
    if title:
        host.title(_slide_title(d), 10)
    return axes


def _slide_content(axes: list, d: SlideData, frame: int | None, filled: int | None, output: str | None = None) -> None:
    """The canvas with the kernel at output position ``frame``; outputs ``<= filled`` are written in."""
    spec = d.spec
    colors = tap_colors(math.prod(spec.weight_shape))
    n_out = d.windows.shape[0]
    filled = n_out - 1 if filled is None else filled
    out_flat = d.output.ravel()
    gather = d.view == "gather"
    out = output or ("x" if gather else "y")
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
        ax.text(left_edge - 0.4, row + 0.5, "$y$ (input)" if gather else "$x$ (input)", ha="right", va="center",
                fontsize=10)
        row += 1.4
        if gather:
            assert d.inserted is not None and d.inserted_kind is not None and d.cropped is not None
            for t in range(d.inserted.shape[0]):
                st = KIND_STYLE[int(d.inserted_kind[t])]
                crop = bool(d.cropped[t])
                _cell(ax, t + shift, row, face="0.93" if crop else st["face"], hatch="xx" if crop else st["hatch"],
                      text=_fmt(d.inserted[t]), color="0.55" if crop else "black")
            ax.text(left_edge - 0.4, row + 0.5, "$z_0$ (zeros inserted)", ha="right", va="center", fontsize=10)
            row += 1.4
        canvas_row = row
        for t in range(n_canvas):
            st = KIND_STYLE[int(d.kind[t])]
            _cell(ax, t, row, face=st["face"], hatch=st["hatch"], text=_fmt(d.canvas[t]),
                  color="black" if d.kind[t] == DATA else "0.45")
        ax.text(left_edge - 0.4, row + 0.5, "$z$ (padded)" if gather else "padded $x$", ha="right", va="center",
                fontsize=10)
        row += 1.15
        if frame is not None:
            win = d.windows[frame, :, 0]
            for pos, tap in zip(win.tolist(), d.window_taps[frame].tolist()):
                _cell(ax, pos, row, face=colors[tap], text=_tap_label(spec, tap), size=10)
            _frame(ax, int(win.min()) - 0.08, canvas_row - 0.08, int(win.max() - win.min()) + 1.16, 1.16,
                   color="crimson")
            name = "flipped kernel $\\tilde w$" if gather else "kernel $w$"
            ax.text(left_edge - 0.4, row + 0.5, name, ha="right", va="center", fontsize=10)
        row += 1.5
        for j in range(n_out):
            start = int(d.windows[j, :, 0].min())
            written = j <= filled
            _cell(ax, start, row, text=_fmt(out_flat[j]) if written else "",
                  face="#fff4d6" if j == frame else "white", edge="0.35" if written else "0.8")
            ax.text(start + 0.5, row + 1.35, str(j), ha="center", va="center", fontsize=8, color="0.4")
        ax.text(left_edge - 0.4, row + 0.5, f"${out}$ (output)", ha="right", va="center",
                fontsize=10)
        bottom = row + 1.8
        if frame is not None:
            value = " + ".join(f"{_factor(d.weight.ravel()[tap])} \\cdot {_factor(d.canvas[pos])}"
                               for pos, tap in zip(d.windows[frame, :, 0].tolist(), d.window_taps[frame].tolist()))
            ax.text(left_edge, row + 2.2, f"${out}[{frame}] = {value} = {_num(out_flat[frame])}$", fontsize=9,
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
    ax_c.set_title("$z$, with the flipped kernel $\\tilde w$" if gather else "padded $x$, with the kernel $w$", fontsize=9)
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
    return _figure(*_slide_size(d))


def _slide_size(d: SlideData) -> tuple[float, float]:
    if d.spec.ndim == 1:
        width = d.canvas.shape[0] + 6
        scale = min(0.5, 11.0 / width)
        return scale * width + 2.4, max(2.6, scale * (9 if d.view == "gather" else 7.5) + 0.6)
    H = max(d.source.shape[0], d.canvas.shape[0], d.output.shape[0])
    W = d.source.shape[1] + d.canvas.shape[1] + d.output.shape[1]
    scale = min(0.35, 10.0 / W)
    return W * scale + 3.2, H * scale + 1.5


@styled
def plot_gather(tspec: TransposedConvSpec, y: Any, weight: Any = None, *, channels: Any = (0, 0), frame: int = 0,
                ax: Any = None, fig: Any = None, title: bool = True, output_name: str = "x"):
    """The gather view: the flipped kernel sliding (stride 1) over the zero-inserted, padded input.

    Data cells are white, zeros inserted by the stride grey, padding hatched; a negative
    padding crops ``z0`` (cropped cells crossed).  The kernel is shown at output position
    ``frame``; every output value is filled in.

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer (1-D or 2-D).
    y : array_like
        Its input, shape ``(in_channels, *spatial)`` (or spatial only with one channel).
    weight : array_like, optional
        Numbers in PyTorch's layout (default 1, 2, 3, ...).
    channels : (int, int)
        The (input, output) channel pair drawn.
    frame : int
        The output position the kernel is drawn at.
    ax : matplotlib Axes, optional
        1-D: draw into this Axes.
    fig : matplotlib Figure or SubFigure, optional
        Draw into this empty figure (any layer; a 2-D layer draws three panels).
    title : bool
        Whether to name the layer and the position in a title (a document's figure leaves them to its caption).
    output_name : str
        The output's name in the labels (default ``"x"``, the convolution's input space); a plain identifier,
        optionally with a hat (``"hat_x"`` draws x̂), to follow the text the figure illustrates.

    Returns
    -------
    matplotlib Figure or Axes
        A new figure (pyplot's when pyplot is in use), ``fig`` or ``ax``, with ``symconv_data`` (a :class:`SlideData`).

    Raises
    ------
    ShapeError
        For a frame that is no output position, or a bad input or weight (see :func:`gather_data`).
    SpecError
        For ``ax=`` with a 2-D layer, or both ``ax=`` and ``fig=``, or an ``output_name`` that is no identifier.

    Examples
    --------
    >>> from symconv import TransposedConvSpec, plot
    >>> fig = plot.plot_gather(TransposedConvSpec(3, stride=2, padding=1), [4, 5, 6], frame=1)
    >>> fig.symconv_data.canvas.tolist()
    [0, 4, 0, 5, 0, 6, 0]
    """
    d = gather_data(tspec, y, weight, channels=channels)
    return _slide_plot(d, frame, ax, fig, "plot_gather", title, _output_name(output_name))


@styled
def plot_conv(spec: ConvSpec, x: Any, weight: Any = None, *, channels: Any = (0, 0), frame: int = 0, ax: Any = None,
              fig: Any = None):
    """The convolution itself: the kernel sliding with stride s over the padded input.

    Parameters
    ----------
    spec : ConvSpec
        The layer (1-D or 2-D).
    x : array_like
        Its input, shape ``(in_channels, *spatial)`` (or spatial only with one channel).
    weight : array_like, optional
        Numbers in PyTorch's layout (default 1, 2, 3, ...).
    channels : (int, int)
        The (input, output) channel pair drawn.
    frame : int
        The output position the kernel is drawn at.
    ax : matplotlib Axes, optional
        1-D: draw into this Axes.
    fig : matplotlib Figure or SubFigure, optional
        Draw into this empty figure.

    Returns
    -------
    matplotlib Figure or Axes
        A new figure (pyplot's when pyplot is in use), ``fig`` or ``ax``, with ``symconv_data`` (a :class:`SlideData`).

    Raises
    ------
    ShapeError
        For a frame that is no output position, or a bad input or weight (see :func:`conv_data`).
    SpecError
        For ``ax=`` with a 2-D layer, or both ``ax=`` and ``fig=``.

    Examples
    --------
    >>> from symconv import ConvSpec, plot
    >>> fig = plot.plot_conv(ConvSpec(3, stride=2, padding=1), [1, 2, 3, 4, 5], frame=2)
    >>> fig.symconv_data.output.tolist()
    [8, 20, 14]
    """
    d = conv_data(spec, x, weight, channels=channels)
    return _slide_plot(d, frame, ax, fig, "plot_conv")


def _output_name(name: Any) -> str:
    """The mathtext of an output's name: a plain identifier, or ``hat_`` and one (drawn with a hat)."""
    from ..kernels import check_name

    hat = isinstance(name, str) and name.startswith("hat_")
    base = check_name(name[4:] if hat else name, "the output's name")
    return rf"\hat{{{base}}}" if hat else base


def _slide_plot(d: SlideData, frame: int, ax: Any = None, fig: Any = None, what: str = "plot_gather",
                title: bool = True, output: str | None = None):
    if isinstance(frame, bool) or not isinstance(frame, (int, np.integer)) or not 0 <= frame < d.n_frames:
        raise ShapeError(f"frame={frame!r} must be an output position 0 <= frame < {d.n_frames}")
    host = _Host(fig, ax, *_slide_size(d), what)
    _slide_content(_slide_layout(host, d, title), d, int(frame), None, output)
    return host.result(d)


@styled
def plot_overlap(tspec: TransposedConvSpec, input_shape: Any, *, ax: Any = None, fig: Any = None,
                 title: bool = True):
    """How many taps reach each output position (the checkerboard), with the verdict of ``prove_overlap``.

    1-D: bars per output position, the interior shaded; 2-D: the count grid.

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer (1-D or 2-D).
    input_shape : tuple of int
        Its spatial input shape.
    ax : matplotlib Axes, optional
        Draw into this Axes.
    fig : matplotlib Figure or SubFigure, optional
        Draw into this empty figure.
    title : bool
        Whether to name the layer and the verdict in a title (a document's figure leaves them to its caption).

    Returns
    -------
    matplotlib Figure or Axes
        A new figure (pyplot's when pyplot is in use), ``fig`` or ``ax``, with ``symconv_data`` (an :class:`OverlapData`).

    Raises
    ------
    ShapeError, SpecTypeError
        For a bad layer or input shape (see :func:`overlap_data`).
    SpecError
        For both ``ax=`` and ``fig=``.

    Examples
    --------
    >>> from symconv import TransposedConvSpec, plot
    >>> fig = plot.plot_overlap(TransposedConvSpec(3, stride=2), (4,))
    >>> fig.symconv_data.counts.tolist()
    [1, 1, 2, 1, 2, 1, 2, 1, 1]
    """
    d = overlap_data(tspec, input_shape)
    verdicts = []
    for u, period in zip(d.uniform, d.proof.data["periods"]):
        pattern = ", ".join(str(v) for v in period)
        verdicts.append("too short to judge" if u is None else f"{'uniform' if u else 'uneven'} ({pattern} repeating)")
    verdict = ("; ".join(f"axis {nu}: {v}" for nu, v in enumerate(verdicts, start=1)) if d.tspec.ndim > 1
               else verdicts[0])  # the axes are numbered from 1, as in the overlap proof
    proved = "proved" if d.holds else "NOT proved"
    if d.tspec.ndim == 1:
        n = d.counts.shape[0]
        host = _Host(fig, ax, max(5.0, 0.32 * n + 2.0), 2.9, "plot_overlap")
        (ax,) = host.subplots(1, 1)
        inner = d.interiors[0]
        if len(inner):
            ax.axvspan(inner.start - 0.5, inner.stop - 0.5, color="#a9c4e2", zorder=0, label="interior")
        ax.bar(np.arange(n), d.counts, width=0.6, color="#4c72b0", zorder=2)
        ax.set_xlabel("output position $j$")
        ax.set_ylabel("taps reaching $j$")
        ax.set_xticks(np.arange(n))
        ax.tick_params(labelsize=8)  # 8 pt: a figure printed at its drawn width keeps its ticks over 7.5 pt
        ax.set_yticks(np.arange(int(d.counts.max()) + 1))
        if len(inner):  # outside the axes, above their right end: no bar or band lies under the swatch
            ax.legend(fontsize=8, frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0), borderaxespad=0.2)
    else:
        H, W = d.counts.shape
        scale = min(0.4, 8.0 / max(H, W))
        host = _Host(fig, ax, W * scale + 2.2, H * scale + 1.3, "plot_overlap")
        (ax,) = host.subplots(1, 1)
        from matplotlib import colormaps
        from matplotlib.colors import BoundaryNorm

        top = max(int(d.counts.max()), 1)
        # one colour per integer count, drawn as vector cells (pcolormesh, not a raster image), and a colour bar
        # of top + 1 vector blocks
        cmap = colormaps["Blues"].resampled(top + 1)
        image = ax.pcolormesh(np.arange(W + 1) - 0.5, np.arange(H + 1) - 0.5, d.counts, cmap=cmap,
                              norm=BoundaryNorm(np.arange(top + 2) - 0.5, top + 1), edgecolors="face",
                              linewidth=0)
        ax.set_xlim(-0.5, W - 0.5)
        ax.set_ylim(H - 0.5, -0.5)  # row 0 on top, as a matrix is read
        ax.set_aspect("equal")
        if H * W <= 900:
            for (r, c), v in np.ndenumerate(d.counts):
                ax.text(c, r, str(int(v)), ha="center", va="center", fontsize=8,
                        color="white" if v > top / 2 else "black")
        for inner, draw in zip(d.interiors, (ax.axhline, ax.axvline)):
            if len(inner):
                draw(inner.start - 0.5, color="crimson", lw=0.8, ls="--")
                draw(inner.stop - 0.5, color="crimson", lw=0.8, ls="--")
        ax.set_ylabel("row $j_1$", fontsize=11)  # 11 pt: the subscript, 70% of it, prints at 7.7 pt
        ax.set_xlabel("column $j_2$", fontsize=11)
        ax.set_xticks([])
        ax.set_yticks([])
        host.fig.colorbar(image, ax=ax, shrink=0.8, label="taps reaching the position", ticks=np.arange(top + 1))
    width = host._width() - (1.4 if d.tspec.ndim > 1 else 0.0)  # the colorbar takes its share
    if title:
        ax.set_title(fit_text(f"{_layer_text(d.tspec)}: taps per output position\ninterior: {verdict} (the "
                              f"overlap proof: {proved})", width, 9), fontsize=9)
    return host.result(d)
