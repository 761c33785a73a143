"""Animations, frame by frame, and writing figures and animations to files (atomically)."""

from __future__ import annotations

import os
import pathlib
import tempfile
from typing import Any

import numpy as np

from ..errors import ShapeError, SizeLimitError, SpecError, SpecTypeError
from .data import (
    MissingToolError,
    StampsData,
    _limit,
    animation_data,
)
from .draw import (
    _Host,
    _mpl,
    _slide_content,
    _slide_figure,
    _slide_layout,
    _stamps_content,
    _stamps_figure,
    _stamps_layout,
)
from .host import keep_glyphs, styled

# -- animations and files -----------------------------------------------------------------------

@styled
def animate(spec: Any, input_shape: Any, view: str = "gather", *, weight: Any = None, values: Any = None,
            channels: Any = (0, 0), interval: int = 700):
    """Frame by frame, in the manner of Dumoulin & Visin's guide.

    ``view="gather"``: one frame per output position, the flipped kernel moving over
    the zero-inserted, padded input; ``"stamps"``: one frame per input position, its
    stamp added to the canvas; ``"conv"``: one frame per output position of the
    convolution.  See :func:`animation_data` for how ``spec`` and ``input_shape`` are read.

    The figure is pyplot's when pyplot is in use (``plt.show()`` plays it), else headless.

    Parameters
    ----------
    spec : ConvSpec or TransposedConvSpec
        The layer (1-D or 2-D).
    input_shape : tuple of int
        Its spatial input shape.
    view : {"gather", "stamps", "conv"}
        What the frames show.
    weight, values : array_like, optional
        Numeric weight and input of the view (defaults ``1, 2, ...``).
    channels : (int, int)
        The (input, output) channel pair drawn.
    interval : int
        Milliseconds between frames when played.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        With ``anim.symconv_data``, ``anim.symconv_frames`` (the number of frames) and
        ``anim.symconv_figure``; save it with :func:`save_animation`.

    Raises
    ------
    SpecError, SpecTypeError, ShapeError
        For a bad view, layer, input or channel pair (see :func:`animation_data`).
    SizeLimitError
        Over ``symconv.plot.PLOT_LIMIT`` frames.
    ImportError
        Without matplotlib.

    Examples
    --------
    >>> from symconv import ConvSpec
    >>> import tempfile, pathlib
    >>> anim = animate(ConvSpec(3, stride=2, padding=1), (5,), "stamps")
    >>> anim.symconv_frames, save_animation(anim, pathlib.Path(tempfile.mkdtemp()) / "s.gif").suffix
    (3, '.gif')
    """
    d = animation_data(spec, input_shape, view, weight=weight, values=values, channels=channels)
    n = d.n_frames
    if n > _limit():
        raise SizeLimitError(f"the animation would have {n} frames, over PLOT_LIMIT={_limit()}")
    _mpl()
    from matplotlib.animation import FuncAnimation

    if isinstance(d, StampsData):
        fig = _stamps_figure(d, True)
        axes = _stamps_layout(_Host(fig, None, 0, 0, "animate"), d, True)

        def update(f: int):
            _stamps_content(axes, d, f)
            return []
    else:
        fig = _slide_figure(d)
        axes = _slide_layout(_Host(fig, None, 0, 0, "animate"), d)

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
    from ..latex.output import _mode_for

    target = pathlib.Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=str(target.parent))
    try:
        os.fchmod(fd, _mode_for(str(target)))
    finally:
        os.close(fd)
    return target, tmp


FIGURE_FORMATS = ("png", "pdf", "svg")
ANIMATION_FORMATS = ("gif", "mp4")


@styled
def save_figure(fig: Any, path: Any, *, dpi: int = 110) -> pathlib.Path:
    """Write a figure as PNG, PDF or SVG (by the suffix), atomically, without a timestamp in the file.

    Parameters
    ----------
    fig : matplotlib Figure
        The figure (for a picture drawn with ``ax=``, ``ax.figure``).
    path : str or path-like
        The file; its suffix chooses the format.
    dpi : int
        Resolution of a PNG.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    SpecError
        For a suffix other than png, pdf, svg.
    OSError
        When the file cannot be written (an existing file is left unchanged).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from symconv import TransposedConvSpec
    >>> from symconv.plot import plot_overlap
    >>> path = save_figure(plot_overlap(TransposedConvSpec(3, stride=2), (4,)), pathlib.Path(tempfile.mkdtemp()) / "o.svg")
    >>> path.read_text().startswith("<?xml")
    True
    """
    suffix = pathlib.Path(path).suffix.lower().lstrip(".")
    if suffix not in FIGURE_FORMATS:
        raise SpecError(f"{path}: a figure is written as {', '.join(FIGURE_FORMATS)} (by the file's suffix), "
                        f"not {suffix or 'no suffix'!r}")
    metadata: dict = {"png": {"Software": None}, "pdf": {"CreationDate": None, "Producer": None},
                      "svg": {"Date": None}}[suffix]
    target, tmp = _atomic_target(path)
    try:
        keep_glyphs(fig)
        fig.savefig(tmp, format=suffix, dpi=dpi, metadata=metadata)  # in STYLE: TrueType in PDF, stable SVG ids
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


@styled
def save_frame(anim: Any, frame: int, path: Any, *, dpi: int = 110) -> pathlib.Path:
    """Write one frame of an animation made by :func:`animate` as PNG, PDF or SVG.

    Parameters
    ----------
    anim : matplotlib.animation.FuncAnimation
        Made by :func:`animate`.
    frame : int
        ``0 <= frame < anim.symconv_frames``.
    path : str or path-like
        The file; its suffix chooses the format.
    dpi : int
        Resolution of a PNG.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    SpecTypeError
        For an animation not made by :func:`animate`.
    ShapeError
        For a frame out of range.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from symconv import ConvSpec
    >>> anim = animate(ConvSpec(3, stride=2, padding=1), (5,))
    >>> save_frame(anim, 2, pathlib.Path(tempfile.mkdtemp()) / "f.png").suffix
    '.png'
    """
    n = getattr(anim, "symconv_frames", None)
    if n is None:
        raise SpecTypeError("save_frame takes an animation made by symconv.plot.animate")
    if isinstance(frame, bool) or not isinstance(frame, (int, np.integer)) or not 0 <= frame < n:
        raise ShapeError(f"frame={frame!r} must be 0 <= frame < {n} (the animation's frames)")
    anim.symconv_draw(int(frame))
    return save_figure(anim.symconv_figure, path, dpi=dpi)


def ffmpeg_available() -> bool:
    """Whether matplotlib finds ffmpeg (needed for MP4; GIF needs only Pillow).

    Returns
    -------
    bool

    Raises
    ------
    ImportError
        Without matplotlib.

    Examples
    --------
    >>> ffmpeg_available() in (True, False)
    True
    """
    _mpl()
    from matplotlib import animation as manim

    return bool(manim.writers.is_available("ffmpeg"))


@styled
def save_animation(anim: Any, path: Any, *, fps: int = 2, dpi: int = 90) -> pathlib.Path:
    """Write an animation as GIF (Pillow, no ffmpeg needed) or MP4 (needs ffmpeg), by the suffix.

    Parameters
    ----------
    anim : matplotlib.animation.FuncAnimation
        Made by :func:`animate`.
    path : str or path-like
        The file, ``.gif`` or ``.mp4``.
    fps : int
        Frames per second.
    dpi : int
        Resolution.

    Returns
    -------
    pathlib.Path
        The file written (atomically: an existing file is left unchanged on failure).

    Raises
    ------
    SpecError
        For a suffix other than gif, mp4.
    MissingToolError
        For MP4 without ffmpeg.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from symconv import ConvSpec
    >>> anim = animate(ConvSpec(3, stride=2, padding=1), (5,), "conv")
    >>> save_animation(anim, pathlib.Path(tempfile.mkdtemp()) / "a.gif").stat().st_size > 0
    True
    """
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
