"""The logic of ``symconv draw`` (cli.py registers the subcommand and calls :func:`run`).

``symconv draw matrix|stamps|gather|overlap|animation -o FILE`` with the layer flags
of ``prove``; the format follows FILE's suffix (png, pdf, svg; gif or mp4 for an
animation).  Exit code 3 when matplotlib (or ffmpeg, for mp4) is missing.
"""

from __future__ import annotations

import argparse
import math
import pathlib
import sys
from typing import Any

import numpy as np

from .errors import ShapeError, SpecError
from .kernels import kernel_symbols
from .matrices import conv_matrix, transposed_conv_matrix
from .spec import ConvSpec, TransposedConvSpec

__all__ = ["add_arguments", "refuse_flags", "run", "DRAWINGS", "APPLIES"]

DRAWINGS = ("matrix", "stamps", "gather", "overlap", "animation")
MISSING_TOOL = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of ``symconv draw`` besides the layer flags."""
    parser.add_argument("drawing", choices=DRAWINGS, help="what to draw")
    parser.add_argument("-o", "--output", required=True,
                        help="FILE.png, FILE.pdf or FILE.svg; FILE.gif (or FILE.mp4 with ffmpeg) for an animation")
    parser.add_argument("--view", choices=("gather", "stamps", "conv"),
                        help="animation only: what it shows (default gather)")
    parser.add_argument("--values", default=None,
                        help="stamps, gather, animation: input values, comma-separated, row-major over (channel, "
                             "positions) (default 1, 2, ..., 9, 1, ...)")
    parser.add_argument("--weight", default=None,
                        help="stamps, gather, animation: weight values, comma-separated, row-major in PyTorch's layout "
                             "(default 1, 2, ...)")
    parser.add_argument("--channels", default=None,
                        help="stamps, gather, animation: the input,output channel pair drawn (default 0,0)")
    parser.add_argument("--frame", type=int, default=None,
                        help="gather only: the output position the kernel is shown at (default 0)")
    parser.add_argument("--fps", type=int, default=None, help="animation only: frames per second (default 2)")


APPLIES = {
    "matrix": ("--name",),
    "stamps": ("--values", "--weight", "--channels"),
    "gather": ("--values", "--weight", "--channels", "--frame"),
    "overlap": (),
    "animation": ("--view", "--values", "--weight", "--channels", "--fps"),
}
"""The flags of ``symconv draw`` besides the layer's and ``-o`` that each drawing reads; the others are refused."""

DRAW_FLAGS = ("--view", "--values", "--weight", "--channels", "--frame", "--fps", "--name")


def refuse_flags(args: argparse.Namespace) -> None:
    """Refuse every flag given that the drawing would ignore (SpecError naming the flag and what reads it)."""
    given = [flag for flag in DRAW_FLAGS if getattr(args, flag[2:].replace("-", "_"), None) is not None]
    ignored = [flag for flag in given if flag not in APPLIES[args.drawing]]
    if ignored:
        readers = "; ".join(f"{flag} is read by {', '.join(d for d in DRAWINGS if flag in APPLIES[d])}"
                            for flag in ignored)
        raise SpecError(f"symconv draw {args.drawing} does not use {', '.join(ignored)} ({readers})")


def _numbers(text: str | None, shape: tuple[int, ...], flag: str) -> np.ndarray | None:
    if text is None:
        return None
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise SpecError(f"{flag}: expected numbers separated by commas, got {text!r}") from None
    if len(values) != math.prod(shape):
        raise ShapeError(f"{flag}: {len(values)} values given, the shape {shape} needs {math.prod(shape)}")
    arr = np.array(values)
    if np.all(arr == np.round(arr)):
        arr = arr.astype(np.int64)
    return arr.reshape(shape)


def _channels(text: str) -> tuple[int, int]:
    try:
        ci, co = (int(part) for part in text.split(","))
    except ValueError:
        raise SpecError(f"--channels: expected two integers 'input,output', got {text!r}") from None
    return ci, co


def _figure(args: argparse.Namespace, spec: ConvSpec | TransposedConvSpec, shape: tuple[int, ...]):
    from . import plot

    if isinstance(spec, ConvSpec):
        conv, c_in, tspec, t_in = spec, shape, spec.transpose(shape), spec.output_shape(shape)
    else:
        conv, c_in, tspec, t_in = spec.transpose(), spec.output_shape(shape), spec, shape
    weight = _numbers(args.weight, tuple(spec.weight_shape), "--weight")
    channels = _channels(args.channels or "0,0")
    if args.drawing == "matrix":
        w = kernel_symbols(spec, args.name)
        return plot.plot_matrix(conv_matrix(conv, w, c_in), transposed_conv_matrix(tspec, w, t_in))
    if args.drawing == "overlap":
        return plot.plot_overlap(tspec, t_in)
    if args.drawing == "animation":
        view = args.view or "gather"
        in_channels, in_shape = (conv.in_channels, c_in) if view == "conv" else (tspec.in_channels, t_in)
        values = _numbers(args.values, (in_channels,) + tuple(in_shape), "--values")
        return plot.animate(spec, shape, view, weight=weight, values=values, channels=channels)
    y = _numbers(args.values, (tspec.in_channels,) + tuple(t_in), "--values")
    if y is None:
        y = plot.default_values(tspec.in_channels, t_in)
    if args.drawing == "stamps":
        return plot.plot_stamps(tspec, y, weight, channels=channels)
    return plot.plot_gather(tspec, y, weight, channels=channels, frame=args.frame or 0)


def run(args: argparse.Namespace, spec: ConvSpec | TransposedConvSpec, shape: tuple[int, ...]) -> int:
    """Draw and write ``args.output``; returns the exit code (errors of bad input propagate to cli).

    The caller has refused the flags the drawing does not use (:func:`refuse_flags`, before defaults are filled in).
    """
    suffix = pathlib.Path(args.output).suffix.lower().lstrip(".")
    wanted = ("gif", "mp4") if args.drawing == "animation" else ("png", "pdf", "svg")
    if suffix not in wanted:
        raise SpecError(f"-o {args.output}: {args.drawing} is written as {', '.join(wanted)} (by the suffix)")
    from . import plot

    try:
        if suffix == "mp4" and not plot.ffmpeg_available():
            raise plot.MissingToolError("MP4 needs ffmpeg on PATH (Debian: apt-get install ffmpeg); write a .gif instead")
        result: Any = _figure(args, spec, shape)
        if args.drawing == "animation":
            plot.save_animation(result, args.output, fps=2 if args.fps is None else args.fps)
        else:
            plot.save_figure(result, args.output)
    except (ImportError, plot.MissingToolError) as exc:
        print(f"symconv: error: {exc}", file=sys.stderr)
        return MISSING_TOOL
    return 0
