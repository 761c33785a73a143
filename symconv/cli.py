"""The ``symconv`` command: proofs as LaTeX, matrices, and size arithmetic.

Exit codes: 0 success, 1 a proof does not hold, 2 bad input, 3 a missing tool,
4 an output that cannot be written.  Every failure is one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from . import formulas as F
from .errors import SymconvError
from .kernels import kernel_symbols
from .latex.output import TexFailedError, TexNotFoundError, compile_pdf, write_atomic
from .latex.printing import block_matrix_latex, matrix_latex
from .matrices import conv_matrix, transposed_conv_matrix
from .proofs import gather_product, prove_transpose, prove_transpose_general
from .spec import ConvSpec, TransposedConvSpec

__all__ = ["main"]

OK, FAILS, USAGE, MISSING_TOOL, CANNOT_WRITE = 0, 1, 2, 3, 4


class UsageError(Exception):
    """Bad command-line input (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        raise UsageError(message)


def _ints(text: str, flag: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise UsageError(f"{flag}: expected integers separated by commas, got {text!r}") from None
    return values


def _padding(text: str) -> Any:
    if text in ("same", "valid"):
        return text
    items: list[Any] = []
    for part in text.split(","):
        try:
            if ":" in part:
                left, right = part.split(":")
                items.append((int(left), int(right)))
            else:
                items.append(int(part))
        except ValueError:
            raise UsageError(f"--padding: expected 'same', 'valid', or per-axis P or L:R separated by commas, got {text!r}") from None
    return tuple(items)


def _broadcast(values: tuple, ndim: int, flag: str) -> Any:
    if len(values) == 1:
        return values[0]
    if len(values) != ndim:
        raise UsageError(f"{flag}: give one value or one per axis ({ndim}), got {len(values)}")
    return values


def _layer_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kernel", default="3", help="kernel size per axis, e.g. 3 or 3,3 (default 3)")
    parser.add_argument("--stride", default="2", help="stride per axis (default 2)")
    parser.add_argument("--padding", default="1", help="P, L:R per axis (e.g. 1:2,0), same or valid (default 1)")
    parser.add_argument("--dilation", default="1", help="dilation per axis (default 1)")
    parser.add_argument("--output-padding", default=None, help="only with --transposed (computed otherwise)")
    parser.add_argument("--input", default="5", help="spatial input size per axis (default 5)")
    parser.add_argument("--in-channels", type=int, default=1)
    parser.add_argument("--out-channels", type=int, default=1)
    parser.add_argument("--groups", type=int, default=1)
    parser.add_argument("--transposed", action="store_true",
                        help="the flags describe a transposed convolution (PyTorch's ConvTranspose arguments)")
    parser.add_argument("--name", default="w", help="name of the kernel symbols (a plain identifier)")


def _layer(args: argparse.Namespace) -> tuple[ConvSpec | TransposedConvSpec, Any]:
    kernel = _ints(args.kernel, "--kernel")
    ndim = len(kernel)
    stride = _broadcast(_ints(args.stride, "--stride"), ndim, "--stride")
    dilation = _broadcast(_ints(args.dilation, "--dilation"), ndim, "--dilation")
    padding = _padding(args.padding)
    if isinstance(padding, tuple):
        padding = padding[0] if len(padding) == 1 and ndim > 1 else padding
    shape = _broadcast(_ints(args.input, "--input"), ndim, "--input")
    channels = dict(in_channels=args.in_channels, out_channels=args.out_channels, groups=args.groups)
    if args.transposed:
        a = _broadcast(_ints(args.output_padding, "--output-padding"), ndim, "--output-padding") if args.output_padding else 0
        spec: Any = TransposedConvSpec(kernel, stride, padding, a, dilation, **channels)
    else:
        if args.output_padding is not None:
            raise UsageError("--output-padding is computed for the transpose of a convolution; use --transposed to set it")
        spec = ConvSpec(kernel, stride, padding, dilation, **channels)
    if isinstance(shape, int):
        shape = (shape,) * ndim
    spec.check_input_shape(shape)
    return spec, tuple(shape)


def _emit(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)


def _prove(args: argparse.Namespace) -> int:
    if args.pdf and not args.output:
        raise UsageError("--pdf needs -o FILE.tex (the PDF is written next to it)")
    if args.general:
        ndim = len(_ints(args.kernel, "--kernel"))
        proof = prove_transpose_general(ndim)
    else:
        spec, shape = _layer(args)
        proof = prove_transpose(spec, shape, name=args.name)
    _emit(proof.to_document(), args.output)
    if args.pdf:
        compile_pdf(args.output, runs=1)
    if not proof.holds:
        print(f"symconv: the proof does not hold: {proof.failure}", file=sys.stderr)
        return FAILS
    return OK


def _matrix(args: argparse.Namespace) -> int:
    spec, shape = _layer(args)
    if isinstance(spec, ConvSpec):
        tspec, t_in = spec.transpose(shape), spec.output_shape(shape)
        w = kernel_symbols(spec, args.name)
        M = conv_matrix(spec, w, shape)
    else:
        tspec, t_in = spec, shape
        w = kernel_symbols(spec, args.name)
        M = conv_matrix(spec.transpose(), w, spec.output_shape(shape))
    T = transposed_conv_matrix(tspec, w, t_in)
    _, C, Pad, Z = gather_product(tspec, w, t_in)
    shown = [("M (convolution)", M), ("T (transposed convolution)", T), ("C_flip (stride-1, flipped kernel)", C),
             ("P (padding/cropping)", Pad), ("Z (zero insertion)", Z)]
    parts = []
    for title, matrix in shown:
        if args.latex:
            two_d = len(matrix.row_shape) == 3 and matrix.row_shape[0] == matrix.col_shape[0] == 1
            text = (block_matrix_latex(matrix, zeros=args.zeros) if args.blocks and two_d
                    else matrix_latex(matrix, zeros=args.zeros))
            parts.append(f"% {title}, {matrix.shape[0]}x{matrix.shape[1]}\n{text}")
        else:
            parts.append(f"{title}, {matrix.shape[0]}x{matrix.shape[1]}:\n{matrix}")
    _emit("\n\n".join(parts) + "\n", args.output)
    return OK


def _shapes(args: argparse.Namespace) -> int:
    spec, shape = _layer(args)
    lines = [str(spec), f"input shape {shape}"]
    tspec, t_in = (spec.transpose(shape), spec.output_shape(shape)) if isinstance(spec, ConvSpec) else (spec, shape)
    if isinstance(spec, ConvSpec):
        for ax, (n, k, s, (pl, pr), d) in enumerate(zip(shape, spec.kernel_size, spec.stride, spec.padding, spec.dilation)):
            o = F.conv_output_size(n, k, s, pl, pr, d)
            a = F.output_padding_for(n, k, s, pl, pr, d)
            lines.append(f"axis {ax}: n_out = floor(({n} + {pl} + {pr} - {d}*({k}-1) - 1)/{s}) + 1 = {o}; "
                         f"output_padding of the transpose a = ({n} + {pl} + {pr} - {d}*({k}-1) - 1) mod {s} = {a}")
    lines.append(str(tspec) + f" on input {t_in}")
    view = tspec.as_convolution()
    for ax, (n, k, s, (pl, pr), d, a) in enumerate(zip(t_in, tspec.kernel_size, tspec.stride, tspec.padding,
                                                       tspec.dilation, tspec.output_padding)):
        n_t = F.transposed_output_size(n, k, s, pl, pr, d, a)
        z0 = F.zero_inserted_size(n, s)
        left, right = view.padding[ax]
        lines.append(f"axis {ax}: n_T = ({n}-1)*{s} - {pl} - {pr} + {d}*({k}-1) + {a} + 1 = {n_t}; gather view: "
                     f"{z0} after zero insertion, padded by ({left}, {right}) to {z0 + left + right}, "
                     f"stride-1 convolution -> {F.conv_output_size(z0 + left + right, k, 1, 0, 0, d)}")
    _emit("\n".join(lines) + "\n", args.output)
    return OK


def _draw_command(sub: Any) -> None:
    """Register ``symconv draw`` (matplotlib; the logic is in symconv._draw)."""
    from ._draw import add_arguments

    draw = sub.add_parser("draw", help="draw the matrices, stamps, gather view, overlap or an animation (matplotlib)")
    _layer_flags(draw)
    add_arguments(draw)


def _draw(args: argparse.Namespace) -> int:
    from ._draw import run

    spec, shape = _layer(args)
    return run(args, spec, shape)


def _parser() -> _Parser:
    parser = _Parser(prog="symconv", description="Exact symbolic mathematics of (transposed) convolutions.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    prove = sub.add_parser("prove", help="prove that the transpose is a convolution; write LaTeX")
    _layer_flags(prove)
    prove.add_argument("--general", action="store_true", help="the parametric proof for all sizes")
    prove.add_argument("-o", "--output", help="write FILE.tex (default: standard output)")
    prove.add_argument("--pdf", action="store_true", help="also compile FILE.pdf next to FILE.tex")
    matrix = sub.add_parser("matrix", help="print M, its transpose and the gather-view factors")
    _layer_flags(matrix)
    matrix.add_argument("--latex", action="store_true", help="LaTeX bmatrix output")
    matrix.add_argument("--zeros", choices=("0", "dots"), default="0")
    matrix.add_argument("--blocks", action="store_true", help="2-D, one channel: print as blocks (doubly block-Toeplitz)")
    matrix.add_argument("-o", "--output")
    shapes = sub.add_parser("shapes", help="print the output-size arithmetic")
    _layer_flags(shapes)
    shapes.add_argument("-o", "--output")
    _draw_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (testable in-process)."""
    try:
        args = _parser().parse_args(argv)
        return {"prove": _prove, "matrix": _matrix, "shapes": _shapes, "draw": _draw}[args.command](args)
    except (UsageError, SymconvError) as exc:
        print(f"symconv: error: {exc}", file=sys.stderr)
        return USAGE
    except TexNotFoundError as exc:
        print(f"symconv: error: {exc}", file=sys.stderr)
        return MISSING_TOOL
    except (OSError, TexFailedError) as exc:
        print(f"symconv: error: cannot write output: {exc}", file=sys.stderr)
        return CANNOT_WRITE
    except SystemExit as exc:  # argparse --help
        return int(exc.code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
