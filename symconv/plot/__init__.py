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
shows (no matplotlib needed), and a ``plot_*`` function drawing them, into a
new figure, into your Axes (``ax=``) or into your Figure or SubFigure
(``fig=``); what it returns carries the data as ``symconv_data``.  matplotlib
(the ``figures`` extra, ``pip install 'symconv[figures]'``) is imported only
when drawing; new figures are pyplot's when pyplot is in use (so
``plt.show()`` shows them), otherwise built without pyplot, headless.

>>> from symconv import TransposedConvSpec
>>> t = TransposedConvSpec(3, stride=2, padding=1)
>>> data = stamps_data(t, [[1, 0, 1]], [[[1, 2, 3]]])
>>> data.output.tolist()
[2, 3, 0, 1, 2]
>>> gather_data(t, [[1, 0, 1]], [[[1, 2, 3]]]).windows[0, :, 0].tolist()
[0, 1, 2]
"""

from __future__ import annotations

from .animate import animate, ffmpeg_available, save_animation, save_figure, save_frame
from .data import (
                   DATA,
                   INSERTED,
                   INSTALL_HINT,
                   PADDING,
                   MatrixData,
                   MissingToolError,
                   OverlapData,
                   SlideData,
                   StampsData,
                   animation_data,
                   conv_data,
                   default_values,
                   gather_data,
                   matrix_data,
                   overlap_data,
                   stamps_data,
)
from .draw import plot_conv, plot_gather, plot_matrix, plot_overlap, plot_stamps, tap_colors
from .gram import AutocorrelationData, GramData, autocorrelation_data, gram_data, plot_autocorrelation, plot_gram
from .host import STYLE, min_label_size, styled
from .polyphase import PolyphaseData, plot_polyphase, polyphase_data

__all__ = [
    "DATA",
    "INSERTED",
    "PADDING",
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
    "PolyphaseData",
    "polyphase_data",
    "plot_polyphase",
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
    "GramData",
    "AutocorrelationData",
    "gram_data",
    "autocorrelation_data",
    "plot_gram",
    "plot_autocorrelation",
    "STYLE",
    "styled",
    "min_label_size",
]

PLOT_LIMIT = 4096
"""Largest canvas (cells) or number of animation frames a picture draws (settable)."""
