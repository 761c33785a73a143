"""The polyphase picture: the output of a transposed convolution split into its ``s^N`` phases.

Every output position is coloured with its phase, read off the interleave-and-crop factor ``Q`` of
:func:`~symconv.polyphase.polyphase_view`; every phase's sub-kernel (the taps it multiplies) is read off
the phase convolutions ``Phi``.  No index is computed here.

>>> from symconv import TransposedConvSpec
>>> d = polyphase_data(TransposedConvSpec(3, stride=2), (3,))
>>> d.phase.tolist(), d.taps
([0, 1, 0, 1, 0, 1, 0], ((0, 2), (1,)))
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import SpecTypeError
from ..polyphase import polyphase_view
from ..spec import TransposedConvSpec
from .data import _check_cells, _check_drawable
from .host import styled

__all__ = ["PolyphaseData", "polyphase_data", "plot_polyphase"]


@dataclass(frozen=True, eq=False)
class PolyphaseData:
    """What the polyphase picture shows.

    Attributes
    ----------
    tspec : TransposedConvSpec
        The layer (one channel pair).
    phase : int array of the output's spatial shape
        The flat phase (row-major over the axes' phases) each output position is taken from; ``-1`` where no
        phase position reaches it (the zero-extension).
    taps : tuple of tuple of int
        For each flat phase, the flat taps of its sub-kernel (read off ``Phi``).
    counts : int array of the output's spatial shape
        How many terms each output sums (the nonzeros of its row of ``Q Phi``).

    Examples
    --------
    >>> from symconv import TransposedConvSpec
    >>> polyphase_data(TransposedConvSpec(2, stride=2), (3,)).taps
    ((0,), (1,))
    """

    tspec: TransposedConvSpec
    phase: np.ndarray
    taps: tuple
    counts: np.ndarray


def polyphase_data(tspec: TransposedConvSpec, input_shape: Any) -> PolyphaseData:
    """The phase of every output position and every phase's taps, read off the factors ``Q`` and ``Phi``.

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer, 1-D or 2-D; its channels and groups are dropped (one channel pair is drawn).
    input_shape : tuple of int
        The spatial input shape.

    Returns
    -------
    PolyphaseData
        The phase and term count of every output position, and each phase's taps.

    Raises
    ------
    SpecTypeError
        When ``tspec`` is not a :class:`TransposedConvSpec`.
    ShapeError
        For a layer of more than 2 spatial axes, or an input shape the layer cannot take.
    SizeLimitError
        For an output over ``PLOT_LIMIT`` cells.

    Examples
    --------
    >>> from symconv import TransposedConvSpec
    >>> d = polyphase_data(TransposedConvSpec(3, stride=2, padding=1), (4,))
    >>> d.phase.tolist(), d.taps, d.counts.tolist()
    ([1, 0, 1, 0, 1, 0, 1], ((0, 2), (1,)), [1, 2, 1, 2, 1, 2, 1])
    """
    if not isinstance(tspec, TransposedConvSpec):
        raise SpecTypeError(f"the polyphase view is drawn for a TransposedConvSpec, got {type(tspec).__name__}")
    _check_drawable(tspec, "plot_polyphase")
    single = TransposedConvSpec(tspec.kernel_size, stride=tspec.stride, padding=tspec.padding,
                                output_padding=tspec.output_padding, dilation=tspec.dilation)
    shape = single.check_input_shape(input_shape)
    out = single.output_shape(shape)
    _check_cells("the polyphase canvas", math.prod(out))
    tap_ids = np.arange(math.prod(single.kernel_size)).reshape(single.weight_shape)
    product, Phi, Q = polyphase_view(single, tap_ids, shape)
    positions = math.prod(Phi.row_shape[1:])
    phases = math.prod(single.stride)
    phase = np.full(math.prod(out), -1, dtype=np.int64)
    q = Q.structure
    phase[q.rows] = q.cols // positions
    p = Phi.structure
    taps = tuple(tuple(sorted(set(p.taps[p.rows // positions == t].tolist()))) for t in range(phases))
    counts = np.bincount(product.structure.rows, minlength=product.shape[0])
    return PolyphaseData(single, phase.reshape(out), taps, counts.reshape(out))


@styled
def plot_polyphase(tspec: TransposedConvSpec, input_shape: Any, *, ax: Any = None, fig: Any = None,
                   title: bool = True):
    """The output positions coloured by phase, and beside them each phase's sub-kernel in the same colour.

    1-D: a row of output cells over the kernel's taps per phase; 2-D: the output grid and one small kernel
    grid per phase.

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer (1-D or 2-D).
    input_shape : tuple of int
        Its input's spatial shape.
    ax : matplotlib Axes, optional
        1-D: draw into this Axes.
    fig : matplotlib Figure or SubFigure, optional
        Draw into this empty figure (any layer).
    title : bool
        Whether to name the layer and the output panel in titles (a document's figure leaves them to its
        caption).

    Returns
    -------
    matplotlib Figure or Axes
        A new figure (pyplot's when pyplot is in use), ``fig`` or ``ax``, with ``symconv_data`` (a
        :class:`PolyphaseData`).

    Raises
    ------
    SpecTypeError
        For a layer that is not a 1-D or 2-D :class:`~symconv.TransposedConvSpec`.
    SpecError
        For ``ax=`` with a 2-D layer (several panels: use ``fig=``), or both ``ax=`` and ``fig=``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from symconv import TransposedConvSpec
    >>> mine = Figure().subplots()
    >>> ax = plot_polyphase(TransposedConvSpec(4, stride=3, padding=1), (6,), ax=mine)
    >>> ax is mine, [len(t) for t in ax.symconv_data.taps]
    (True, [2, 1, 1])
    """
    from ..errors import SpecError
    from .draw import _cell, _finish, _layer_text, tap_colors
    from .host import _Host

    d = polyphase_data(tspec, input_shape)
    phases = len(d.taps)
    colors = tap_colors(phases)
    k = d.tspec.kernel_size
    out = d.phase.shape
    if d.tspec.ndim == 1:
        n = out[0]
        host = _Host(fig, ax, max(5.0, 0.4 * (max(n, k[0]) + 4) + 1.0), 1.2 + 0.42 * (phases + 2), "plot_polyphase")
        ax = host.subplots(1, 1)[0]
        for j in range(n):
            t = int(d.phase[j])
            _cell(ax, j, 0, face=colors[t] if t >= 0 else "white", text=str(int(d.counts[j])),
                  hatch=None if t >= 0 else "//")
        ax.text(-0.4, 0.5, "output $j$", ha="right", va="center", fontsize=9)
        for t, taps in enumerate(d.taps):
            row = t + 1.5
            for m in range(k[0]):
                _cell(ax, m, row, face=colors[t] if m in taps else "white", text=f"$w_{{{m}}}$", size=10)
            ax.text(-0.4, row + 0.5, f"phase $t = {t}$", ha="right", va="center", fontsize=9)
        _finish(ax, -3.6, max(n, k[0]) + 0.2, -0.2, phases + 1.7)
    elif d.tspec.ndim == 2:
        H, W = out
        s0, s1 = d.tspec.stride
        scale = min(0.32, 5.0 / max(H, W))
        panel = max(k) * 0.3 + 0.45
        if ax is not None:
            raise SpecError("plot_polyphase: a 2-D layer is drawn in several panels: pass fig= (a Figure or "
                            "SubFigure) instead of ax=")
        host = _Host(fig, None, W * scale + 1.0 + s1 * panel, max(H * scale, s0 * panel) + 1.1, "plot_polyphase")
        fig = host.fig
        grid = fig.add_gridspec(s0, 1 + s1, width_ratios=[W * scale / panel] + [1] * s1)
        ax = fig.add_subplot(grid[:, 0])
        for (r, c), t in np.ndenumerate(d.phase):
            _cell(ax, c, r, face=colors[t] if t >= 0 else "white", text=str(int(d.counts[r, c])),
                  hatch=None if t >= 0 else "//", size=8)
        _finish(ax, -0.2, W + 0.2, -0.2, H + 0.2)
        if title:
            ax.set_title("output, coloured by phase\n(number: terms summed)", fontsize=9)
        for flat, taps in enumerate(d.taps):
            t0, t1 = divmod(flat, s1)
            sub = fig.add_subplot(grid[t0, 1 + t1])
            for m0 in range(k[0]):
                for m1 in range(k[1]):
                    tap = m0 * k[1] + m1
                    _cell(sub, m1, m0, face=colors[flat] if tap in taps else "white",
                          text=f"$w_{{{m0},{m1}}}$" if max(k) <= 4 else "", size=10)
            _finish(sub, -0.1, k[1] + 0.1, -0.1, k[0] + 0.1)
            sub.set_title(f"phase $({t0}, {t1})$: {len(taps)} tap{'' if len(taps) == 1 else 's'}", fontsize=9)
    else:
        raise SpecTypeError(f"the polyphase picture draws 1-D and 2-D layers, got {d.tspec.ndim} axes")
    if title:
        host.title(f"{_layer_text(d.tspec)}: the output as {phases} phases,\neach a convolution of the input with "
                   "its own sub-kernel", 9)
    return host.result(d)
