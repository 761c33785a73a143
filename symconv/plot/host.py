"""Where a picture is drawn: a new figure (pyplot's when pyplot is in use), the user's ``fig=`` or ``ax=``; titles that fit."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from ..errors import SpecError, SpecTypeError
from .data import INSTALL_HINT

__all__ = ["fit_text", "STYLE", "styled", "min_label_size", "keep_glyphs", "CMR10_MISDRAWN", "cm_star"]

STYLE: dict = {
    "font.family": ["cmr10", "DejaVu Serif"],
    "font.serif": ["cmr10", "DejaVu Serif"],
    "mathtext.fontset": "cm",
    "axes.formatter.use_mathtext": True,
    "axes.unicode_minus": True,
    "pdf.fonttype": 42,
    "svg.hashsalt": "symconv",
}
"""The matplotlib settings of every symconv.plot picture: the documents' Computer Modern, vector fonts.

Text is set in cmr10 (matplotlib's Computer Modern, the look of the LaTeX documents) and mathematics in the
``cm`` mathtext set; tick labels go through mathtext, so negative ticks carry a true minus sign.  The family is
the list ``cmr10, DejaVu Serif`` rather than the generic ``serif``: matplotlib falls back glyph by glyph only
along ``font.family``'s own list, and cmr10 lacks a few glyphs (the minus sign U+2212, subscript digits) that
DejaVu Serif supplies.  ``pdf.fonttype = 42`` embeds TrueType fonts (no bitmap Type 3 fonts);
``svg.hashsalt`` keeps SVG ids stable.  Every ``plot_*`` function draws, and :func:`~symconv.plot.save_figure`
writes, inside ``matplotlib.rc_context(STYLE)``; the user's own rcParams are left as they were.
"""

_F = TypeVar("_F", bound=Callable[..., Any])


def cm_star() -> None:
    r"""Make mathtext's ``\star`` in the ``cm`` set the glyph of TeX's cmmi10 (the documents' ⋆), not STIX's.

    matplotlib's table of Computer Modern symbols has no ``\star``, so the ``cm`` set falls back to STIX, whose
    star is larger and heavier than the one the documents print (Latin Modern's, drawn as cmmi10's).  The glyph
    is in matplotlib's own cmmi10 (character 0x3F, as in TeX's font); this adds that entry to the table (once; a
    matplotlib without the table is left as it is).  :func:`styled` calls it, so every picture draws it so.

    Returns
    -------
    None

    Examples
    --------
    >>> cm_star()
    >>> from matplotlib import _mathtext_data
    >>> _mathtext_data.latex_to_bakoma[r"\star"]
    ('cmmi10', 63)
    """
    try:
        from matplotlib import _mathtext_data
    except ImportError:  # pragma: no cover - a matplotlib without the private table: STIX's star stays
        return
    table = getattr(_mathtext_data, "latex_to_bakoma", None)
    if isinstance(table, dict):
        table.setdefault(r"\star", ("cmmi10", 0x3F))

CMR10_MISDRAWN = frozenset('<>|{}_\\"' "¡¢£¤¥¦§¨©ª\xad®¯°±²³´µ¶¸¹º»¼½¾¿ÀÁÂÃÄ\u2219")
"""Characters matplotlib's cmr10 draws as other glyphs (TeX's OT1 layout: ``<`` is ¡, ``|`` an en dash, ``²``
the ligature ffl, ...).  Inside ``$...$`` mathtext draws them correctly; a text that has one outside mathematics is
set in DejaVu Serif instead (:func:`keep_glyphs`)."""

_MATH_SPAN = re.compile(r"(?<!\\)\$.*?(?<!\\)\$")


def keep_glyphs(fig: Any) -> None:
    """Set in DejaVu Serif every text of ``fig`` whose plain part (outside ``$...$``) cmr10 would misdraw.

    Parameters
    ----------
    fig : matplotlib Figure or SubFigure
        Its texts in cmr10 are checked; the others are left alone.

    Returns
    -------
    None

    Examples
    --------
    >>> import matplotlib
    >>> from matplotlib.figure import Figure
    >>> with matplotlib.rc_context(STYLE):
    ...     fig = Figure()
    ...     a, b = fig.text(0, 0, "j < 3"), fig.text(0, 1, "$j < 3$")
    >>> keep_glyphs(fig)
    >>> a.get_fontfamily(), b.get_fontfamily()
    (['DejaVu Serif'], ['cmr10', 'DejaVu Serif'])
    """
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        plain = _MATH_SPAN.sub("", text.get_text())
        if CMR10_MISDRAWN.intersection(plain) and "cmr10" in text.get_fontproperties().get_family():
            text.set_fontfamily(["DejaVu Serif"])


def _figure_of(result: Any) -> Any:
    for candidate in (result, getattr(result, "symconv_figure", None), getattr(result, "figure", None)):
        if candidate is not None and hasattr(candidate, "findobj") and hasattr(candidate, "savefig"):
            return candidate
    if isinstance(result, (list, tuple)) and result:
        return _figure_of(result[0])
    return None


def styled(function: _F) -> _F:
    """Run ``function`` (a picture's drawing or writing) inside ``matplotlib.rc_context(STYLE)``.

    Fonts are fixed when a text is created and the PDF font type when the file is written, so both the
    ``plot_*`` functions and the savers are wrapped.  Afterwards, a text cmr10 would misdraw (a character of
    :data:`CMR10_MISDRAWN` outside ``$...$``) is set in DejaVu Serif (:func:`keep_glyphs`).

    Parameters
    ----------
    function : callable
        A function that draws or writes a picture.

    Returns
    -------
    callable
        The same function, run with :data:`STYLE` in force.

    Raises
    ------
    ImportError
        When the wrapped function is called without matplotlib installed.

    Examples
    --------
    >>> import matplotlib
    >>> @styled
    ... def family():
    ...     return matplotlib.rcParams["font.family"]
    >>> family()
    ['cmr10', 'DejaVu Serif']
    """

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        matplotlib, _, _ = _mpl()
        cm_star()
        with matplotlib.rc_context(STYLE):
            result = function(*args, **kwargs)
            fig = _figure_of(result)
            if fig is not None:
                keep_glyphs(fig)
            return result

    return run  # type: ignore[return-value]


SCRIPT_SCALE = 0.7
"""The size of a sub- or superscript relative to its text (mathtext's, as TeX's scriptstyle: 7 pt in 10 pt)."""

_UNICODE_SCRIPTS = set("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₔₕₖₗₘₙₚₛₜ⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ")


def _has_script(text: str) -> bool:
    """Whether a label prints a sub- or superscript: ``_`` or ``^`` inside ``$...$``, or a Unicode script digit."""
    if _UNICODE_SCRIPTS.intersection(text):
        return True
    math = text.split("$")[1::2]  # the parts between dollar signs (mathtext)
    return any("_" in part or "^" in part for part in math)


def min_label_size(fig: Any, printed_width: float | None = None) -> float:
    """The smallest font size, in points at print size, of the visible texts of a figure.

    Parameters
    ----------
    fig : matplotlib Figure or SubFigure
        The figure; it is drawn first, so that the texts made at draw time (tick labels, legends) are measured
        as they print (its texts: titles, labels, tick labels, legends, annotations).
    printed_width : float, optional
        The width in inches the figure is printed at (default: its own width, scale 1).

    Returns
    -------
    float
        ``min(size) * printed_width / figure width`` over the visible, non-empty texts (inf when none), where
        a text's size is its font size, or :data:`SCRIPT_SCALE` of it when it holds a sub- or superscript (a
        mathtext ``_`` or ``^``, or a Unicode one such as ``₀``): the smallest glyph printed.

    Raises
    ------
    ImportError
        Without matplotlib.

    Examples
    --------
    >>> from symconv import TransposedConvSpec
    >>> from symconv.plot import plot_overlap
    >>> fig = plot_overlap(TransposedConvSpec(3, stride=2), (4,))
    >>> min_label_size(fig) >= 7, min_label_size(fig, fig.get_figwidth() / 2) < 7
    (True, True)
    """
    from matplotlib.text import Text

    figure = getattr(fig, "figure", None) or fig  # a SubFigure is drawn with (and printed as part of) its figure
    figure.draw_without_rendering()  # tick labels, wrapped titles and legends exist only once drawn
    sizes = [t.get_fontsize() * (SCRIPT_SCALE if _has_script(t.get_text()) else 1.0)
             for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    scale = 1.0 if printed_width is None else float(printed_width) / figure.get_figwidth()
    return float(min(sizes) * scale) if sizes else float("inf")


def _mpl():
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return matplotlib, Figure, FigureCanvasAgg


def _figure(width: float, height: float):
    """A new figure: pyplot's when pyplot is in use (so ``plt.show()`` shows it), else a headless Agg one."""
    _, Figure, Canvas = _mpl()
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        return plt.figure(figsize=(width, height), layout="constrained")
    fig = Figure(figsize=(width, height), layout="constrained")
    Canvas(fig)
    return fig


class _Host:
    """Where a picture is drawn: a figure (new, or the user's ``fig=``: a Figure or SubFigure) or the user's ``ax=``.

    Titles are wrapped to the width they have, legends go outside the axes, and :meth:`result`
    returns what matplotlib's own functions return: the Axes drawn into, or the figure.
    """

    def __init__(self, fig: Any, ax: Any, width: float, height: float, what: str):
        if fig is not None and ax is not None:
            raise SpecError(f"{what}: give ax= (an Axes to draw into) or fig= (a Figure or SubFigure), not both")
        _mpl()
        from matplotlib.axes import Axes
        from matplotlib.figure import FigureBase

        if ax is not None and not isinstance(ax, Axes):
            raise SpecTypeError(f"{what}: ax must be a matplotlib Axes, got {type(ax).__name__}")
        if fig is not None:
            if not isinstance(fig, FigureBase):
                raise SpecTypeError(f"{what}: fig must be a matplotlib Figure or SubFigure, got {type(fig).__name__}")
            if fig.axes:
                raise SpecError(f"{what}: fig already holds {len(fig.axes)} axes; pass an empty Figure or a SubFigure "
                                "(fig.subfigures()), or one Axes as ax=")
        self.ax = ax
        self.fig = fig if fig is not None else ax.figure if ax is not None else _figure(width, height)
        self.own = fig is None and ax is None
        self._pending: list = []  # the title and legend of an ``ax=`` picture, set once its content is drawn

    def subplots(self, nrows: int = 1, ncols: int = 1, **kwargs: Any) -> list:
        """The axes to draw in: the user's one Axes, or new subplots of the figure (a flat list)."""
        if self.ax is not None:
            if nrows * ncols != 1:
                raise SpecError(f"this picture has {nrows * ncols} panels: pass fig= (a Figure or SubFigure) "
                                "instead of ax=")
            return [self.ax]
        return list(np.atleast_1d(self.fig.subplots(nrows, ncols, squeeze=False, **kwargs)).ravel())

    def _width(self) -> float:
        """The width in inches a title may take."""
        if self.ax is not None:
            return max(self.ax.get_position().width * self.fig.get_figwidth() if hasattr(self.fig, "get_figwidth")
                       else self.ax.bbox.width / self.fig.dpi, 1.0)
        if hasattr(self.fig, "get_figwidth"):
            return self.fig.get_figwidth()
        return max(self.fig.bbox.width / self.fig.dpi, 1.0)

    def title(self, text: str, fontsize: float) -> None:
        wrapped = fit_text(text, self._width(), fontsize)
        if self.ax is not None:
            self._pending.append(lambda: self.ax.set_title(wrapped, fontsize=fontsize))
        else:
            self.fig.suptitle(wrapped, fontsize=fontsize)

    def legend(self, handles: list, side: str, fontsize: float = 8, ncols: int = 1) -> None:
        if not handles:
            return
        if self.ax is None:
            self.fig.legend(handles=handles, loc=f"outside {side} center", ncols=ncols, fontsize=fontsize,
                            frameon=False)
        else:
            where = dict(loc="center left", bbox_to_anchor=(1.01, 0.5)) if side == "right" else \
                dict(loc="upper center", bbox_to_anchor=(0.5, -0.01))
            self._pending.append(lambda: self.ax.legend(handles=handles, ncols=ncols, fontsize=fontsize,
                                                        frameon=False, **where))

    def finish(self) -> None:
        """Set the title and legend of an ``ax=`` picture (drawing its content clears the Axes first)."""
        for step in self._pending:
            step()
        self._pending = []

    def result(self, data: Any) -> Any:
        self.finish()
        target = self.ax if self.ax is not None else self.fig
        target.symconv_data = data
        return target


_MATH_COMMAND = re.compile(r"\\[A-Za-z]+|[{}^_$\\]")


def _visible_length(word: str) -> int:
    """About how many characters a word takes on the page (mathtext commands count as one)."""
    if "$" not in word:
        return len(word)
    return len(_MATH_COMMAND.sub("", word)) + len(re.findall(r"\\[A-Za-z]+", word))


def fit_text(text: str, width: float, fontsize: float) -> str:
    """``text`` wrapped at spaces (never inside ``$...$``) to lines that fit ``width`` inches at ``fontsize``.

    Parameters
    ----------
    text : str
        The title; its own line breaks are kept.
    width : float
        The width available, in inches.
    fontsize : float
        In points.

    Returns
    -------
    str

    Examples
    --------
    >>> print(fit_text("the flipped kernel slides over the zero-inserted input", 2.0, 10))
    the flipped kernel slides
    over the zero-inserted
    input
    """
    limit = max(int(width * 72 / (fontsize * 0.62)), 12)
    lines = []
    for line in text.split("\n"):
        words: list[str] = []
        for part in line.split(" "):  # join the words of a $...$ span back together
            if words and words[-1].count("$") % 2 == 1:
                words[-1] += " " + part
            else:
                words.append(part)
        current: list[str] = []
        for word in words:
            if current and _visible_length(" ".join(current + [word])) > limit:
                lines.append(" ".join(current))
                current = []
            current.append(word)
        lines.append(" ".join(current))
    return "\n".join(lines)
