"""The ``symconv`` command: proofs as LaTeX or Markdown, matrices, and size arithmetic.

Exit codes: 0 success, 1 a proof does not hold, 2 bad input, 3 a missing tool,
4 an output that cannot be written.  Every failure is one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from . import formulas as F
from . import proofs as _proofs
from .errors import SizeLimitError, SymconvError
from .kernels import kernel_symbols
from .latex.output import OutputError, TexFailedError, TexNotFoundError, compile_pdf, write_atomic
from .latex.printing import block_matrix_latex, elided_window, matrix_latex
from .matrices import conv_matrix, transposed_conv_matrix
from .proofs import (
    gather_product,
    prove_adjoint,
    prove_gradient,
    prove_overlap,
    prove_size_relations,
    prove_transpose,
    prove_transpose_general,
)
from .spec import ConvSpec, TransposedConvSpec

__all__ = ["main"]

OK, FAILS, USAGE, MISSING_TOOL, CANNOT_WRITE = 0, 1, 2, 3, 4

EXIT_CODES = """exit codes:
  0  success
  1  a proof does not hold (the document shows the failing step and a counterexample)
  2  bad input (one line on stderr names the value and the rule)
  3  a missing tool (pdflatex for --pdf)
  4  an output that cannot be written (an existing file is left unchanged)"""

LAYER_DEFAULTS = {"kernel": "3", "stride": "2", "padding": "1", "dilation": "1", "output_padding": None,
                  "input": "5", "in_channels": 1, "out_channels": 1, "groups": 1, "transposed": False, "name": "w",
                  "padding_mode": "zeros"}
"""The layer flags and their defaults (a flag left at None was not given)."""


class UsageError(Exception):
    """Bad command-line input (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

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
        raise UsageError(f"{flag}: give one value or one per axis ({ndim} {'axis' if ndim == 1 else 'axes'}; the number "
                         f"of axes comes from --kernel), got {len(values)}")
    return values


def _layer_flags(parser: argparse.ArgumentParser, *, name: bool = True) -> None:
    """The flags that describe a layer (their defaults are in LAYER_DEFAULTS; None means not given)."""
    group = parser.add_argument_group("the layer (PyTorch's arguments; one value, or one per axis separated by commas)")
    group.add_argument("--kernel", metavar="K[,K...]", help="kernel size per axis, e.g. 3 or 3,3; the number of values is the number "
                                        "of spatial axes (default 3)")
    group.add_argument("--stride", metavar="S[,S...]", help="stride per axis (default 2)")
    group.add_argument("--padding", metavar="P[,P...]", help="padding per axis: P (both sides), L:R (left and right, e.g. 1:2,0), "
                                         "'same' or 'valid' (default 1)")
    group.add_argument("--dilation", metavar="D[,D...]", help="dilation per axis (default 1)")
    group.add_argument("--output-padding", metavar="A[,A...]", help="output_padding per axis, only with --transposed (for the transpose "
                                                "of a convolution it is computed from --input)")
    group.add_argument("--input", metavar="N[,N...]", help="spatial input size per axis, without channels (default 5; 9 for prove --identity gram)")
    group.add_argument("--in-channels", metavar="C", type=int, help="input channels C_in of the layer (default 1)")
    group.add_argument("--out-channels", metavar="C", type=int, help="output channels C_out of the layer (default 1)")
    group.add_argument("--groups", metavar="G", type=int, help="groups g; both channel counts must be divisible by g (default 1)")
    group.add_argument("--transposed", action="store_true", default=None,
                       help="the flags describe a transposed convolution (torch.nn.ConvTranspose arguments); "
                            "otherwise a convolution, whose transpose is studied")
    group.add_argument("--padding-mode", choices=("zeros", "reflect", "replicate", "circular"),
                       help="PyTorch's padding_mode of the convolution (default zeros); with --transposed, symconv's "
                            "extension: the transpose of that convolution (PyTorch's ConvTranspose refuses it)")
    if name:
        group.add_argument("--name", metavar="NAME", help="name of the kernel symbols, a plain identifier (default w: w_{0}, w_{1}, ...)")


def _given(args: argparse.Namespace) -> list[str]:
    """The layer flags given on the command line."""
    return ["--" + key.replace("_", "-") for key in LAYER_DEFAULTS if getattr(args, key, None) is not None]


def _value(args: argparse.Namespace, key: str) -> Any:
    value = getattr(args, key, None)
    return LAYER_DEFAULTS[key] if value is None else value


GRAM_INPUT = "9"
"""The input size per axis of ``prove --identity gram`` when --input is not given: with the default layer
(k = 3, s = 2, p = 1) it leaves an interior of several positions, so the interior's period s is seen (on 5
inputs the interior holds one position, and its period says nothing)."""


def _layer(args: argparse.Namespace, input_default: str | None = None) -> tuple[ConvSpec | TransposedConvSpec, Any]:
    kernel = _ints(_value(args, "kernel"), "--kernel")
    ndim = len(kernel)
    stride = _broadcast(_ints(_value(args, "stride"), "--stride"), ndim, "--stride")
    dilation = _broadcast(_ints(_value(args, "dilation"), "--dilation"), ndim, "--dilation")
    padding = _padding(_value(args, "padding"))
    if isinstance(padding, tuple):
        if len(padding) not in (1, ndim):
            _broadcast(padding, ndim, "--padding")
        padding = padding[0] if len(padding) == 1 and ndim > 1 else padding
    size = input_default if input_default is not None and getattr(args, "input", None) is None else _value(args, "input")
    shape = _broadcast(_ints(size, "--input"), ndim, "--input")
    channels = dict(in_channels=_value(args, "in_channels"), out_channels=_value(args, "out_channels"),
                    groups=_value(args, "groups"), padding_mode=_value(args, "padding_mode"))
    output_padding = _value(args, "output_padding")
    if _value(args, "transposed"):
        a = _broadcast(_ints(output_padding, "--output-padding"), ndim, "--output-padding") if output_padding else 0
        spec: Any = TransposedConvSpec(kernel, stride=stride, padding=padding, output_padding=a, dilation=dilation, **channels)
    else:
        if output_padding is not None:
            raise UsageError("--output-padding is computed for the transpose of a convolution; use --transposed to set it")
        spec = ConvSpec(kernel, stride=stride, padding=padding, dilation=dilation, **channels)
    if isinstance(shape, int):
        shape = (shape,) * ndim
    spec.check_input_shape(shape)
    return spec, tuple(shape)


def _emit(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)


def _identities() -> dict[str, Any]:
    table = {"adjoint": prove_adjoint, "gradient": prove_gradient, "sizes": prove_size_relations,
             "overlap": prove_overlap}
    weight = getattr(_proofs, "prove_weight_gradient", None)
    if weight is not None:
        table["weight-gradient"] = weight
    table["gram"] = _proofs.prove_gram
    table["polyphase"] = _proofs.prove_polyphase
    return table


def _build_proof(args: argparse.Namespace) -> Any:
    given = _given(args)
    mode = _value(args, "padding_mode")
    if mode != "zeros":
        return _build_padding_mode_proof(args, mode, given)
    if args.general:
        general_identity = getattr(_proofs, "prove_weight_gradient_general", None)
        if args.identity == "weight-gradient" and general_identity is not None:
            other = given + (["--max-terms"] if args.max_terms is not None else [])
            if other:
                raise UsageError("--identity weight-gradient --general proves the weight gradient for all sizes; it "
                                 f"takes no layer flags, not {', '.join(other)}")
            return general_identity()
        if args.identity == "gram":
            other = [flag for flag in given if flag != "--kernel"] + (["--max-terms"] if args.max_terms is not None else [])
            if other:
                raise UsageError("--identity gram --general proves the structure of M^T M for all sizes; it takes only "
                                 f"--kernel (for the number of axes), not {', '.join(other)}")
            return _proofs.prove_gram_general(len(_ints(_value(args, "kernel"), "--kernel")))
        if args.identity == "polyphase":
            other = [flag for flag in given if flag != "--kernel"] + (["--max-terms"] if args.max_terms is not None else [])
            if other:
                raise UsageError("--identity polyphase --general proves the polyphase view for all sizes; it takes only "
                                 f"--kernel (for the number of axes), not {', '.join(other)}")
            return _proofs.prove_polyphase_general(len(_ints(_value(args, "kernel"), "--kernel")))
        if args.identity == "overlap":
            other = [flag for flag in given if flag != "--kernel"] + (["--max-terms"] if args.max_terms is not None else [])
            if other:
                raise UsageError("--identity overlap --general proves the overlap count for all sizes; it takes only "
                                 f"--kernel (for the number of axes), not {', '.join(other)}")
            return _proofs.prove_overlap_general(len(_ints(_value(args, "kernel"), "--kernel")))
        if args.identity is not None:
            raise UsageError(f"--identity {args.identity} is proved for concrete sizes; it does not take --general"
                             + (" (gram, overlap, polyphase and weight-gradient have proofs for all sizes)"
                                if general_identity is not None else
                                " (gram, overlap and polyphase have proofs for all sizes)"))
        other = [flag for flag in given if flag != "--kernel"]
        if other or args.max_terms is not None:
            raise UsageError(f"--general proves the theorem for all sizes; it takes only --kernel (for the number of "
                             f"axes), not {', '.join(other + (['--max-terms'] if args.max_terms is not None else []))}")
        return prove_transpose_general(len(_ints(_value(args, "kernel"), "--kernel")))
    if args.identity is not None and args.max_terms is not None:
        raise UsageError("--max-terms bounds the instance proof of the theorem; it does not apply to --identity")
    if args.identity == "sizes":
        if given:
            raise UsageError(f"--identity sizes proves the relationships of the guide for all sizes; it takes no "
                             f"layer flags ({', '.join(given)} given)")
        return prove_size_relations()
    spec, shape = _layer(args, GRAM_INPUT if args.identity == "gram" else None)
    if args.identity is None:
        limit = {} if args.max_terms is None else {"max_terms": args.max_terms}
        try:
            return prove_transpose(spec, shape, name=_value(args, "name"), **limit)
        except SizeLimitError as exc:
            raise UsageError(f"{exc}; from the command line: --general proves the theorem for all sizes at once, "
                             "or --max-terms N raises the bound") from None
    if args.name is not None and args.identity in ("overlap", "weight-gradient"):
        raise UsageError(f"--name names the kernel symbols; --identity {args.identity} "
                         + ("counts taps and has none" if args.identity == "overlap"
                            else "is checked with integer weights and has none"))
    prover = _identities()[args.identity]
    if args.identity == "gram":
        if not isinstance(spec, ConvSpec):
            raise UsageError("--identity gram is about the round trip M^T M of a convolution; drop --transposed")
        return prover(spec, shape, name=_value(args, "name"))
    if args.identity in ("gradient", "weight-gradient"):
        if not isinstance(spec, ConvSpec):
            raise UsageError(f"--identity {args.identity} is about a convolution and its backward pass; drop --transposed")
        return prover(spec, shape) if args.identity == "weight-gradient" else prover(spec, shape, name=_value(args, "name"))
    if args.identity == "overlap":
        tspec, t_in = (spec.transpose(shape), spec.output_shape(shape)) if isinstance(spec, ConvSpec) else (spec, shape)
        return prover(tspec, t_in)
    return prover(spec, shape, name=_value(args, "name"))


def _build_padding_mode_proof(args: argparse.Namespace, mode: str, given: list[str]) -> Any:
    """``--padding-mode reflect|replicate|circular``: the fold theorem (instance, or all sizes with --general)."""
    from .proofs.padding_modes import prove_padding_mode, prove_padding_mode_general

    if args.identity is not None:
        raise UsageError(f"--padding-mode {mode} proves the transpose of that convolution (the fold); it does not "
                         f"take --identity {args.identity}")
    if args.general:
        other = [flag for flag in given if flag not in ("--kernel", "--padding-mode")]
        if other or args.max_terms is not None:
            raise UsageError(f"--general --padding-mode {mode} proves the theorem for all sizes; it takes no layer "
                             f"flags, not {', '.join(other + (['--max-terms'] if args.max_terms is not None else []))}")
        return prove_padding_mode_general(mode)
    spec, shape = _layer(args)
    limit = {} if args.max_terms is None else {"max_terms": args.max_terms}
    try:
        return prove_padding_mode(spec, shape, name=_value(args, "name"), **limit)
    except SizeLimitError as exc:
        raise UsageError(f"{exc}; from the command line: --max-terms N raises the bound") from None


def _prove(args: argparse.Namespace) -> int:
    if args.pdf and args.format == "md":
        raise UsageError("--pdf compiles LaTeX; it does not apply to --format md")
    if args.pdf and not args.output:
        raise UsageError("--pdf needs -o FILE.tex (the PDF is written next to it)")
    if args.keep_tex_files and not args.pdf:
        raise UsageError("--keep-tex-files keeps pdflatex's .aux and .log files; it needs --pdf")
    proof = _build_proof(args)
    if args.smtlib and not proof.claims:
        raise UsageError("--smtlib writes the solver claims of a parametric proof (--general); this proof has none")
    _emit(proof.to_markdown() if args.format == "md" else proof.to_document(), args.output)
    if args.smtlib:
        Path(args.smtlib).write_text(proof.to_smtlib(), encoding="utf-8")
    if args.pdf:
        compile_pdf(args.output, keep_files=args.keep_tex_files)
    if not proof.holds:
        print(f"symconv: the proof does not hold: {proof.failure}", file=sys.stderr)
        return FAILS
    return OK


def _matrix(args: argparse.Namespace) -> int:
    if args.blocks and not args.latex:
        raise UsageError("--blocks writes LaTeX block matrices; it needs --latex")
    if args.zeros is not None and not args.latex:
        raise UsageError("--zeros chooses how LaTeX shows a zero; it needs --latex")
    spec, shape = _layer(args)
    if args.blocks and (spec.ndim != 2 or spec.in_channels != 1 or spec.out_channels != 1):
        raise UsageError("--blocks needs a 2-D layer with one input and one output channel "
                         "(--kernel K,K --in-channels 1 --out-channels 1)")
    name = _value(args, "name")
    if isinstance(spec, ConvSpec):
        tspec, t_in = spec.transpose(shape), spec.output_shape(shape)
        w = kernel_symbols(spec, name)
        M = conv_matrix(spec, w, shape)
    else:
        tspec, t_in = spec, shape
        w = kernel_symbols(spec, name)
        M = conv_matrix(spec.transpose(), w, spec.output_shape(shape))
    T = transposed_conv_matrix(tspec, w, t_in)
    if tspec.padding_mode != "zeros":  # M = C P and T = fold of the padding-0 layer (symconv.padding_modes)
        from . import padding_modes

        conv_shape = tspec.output_shape(t_in)
        P = padding_modes.padding_operator(tspec.out_channels, conv_shape, tspec.padding, tspec.padding_mode)
        fold = padding_modes.fold_operator(tspec.out_channels, conv_shape, tspec.padding, tspec.padding_mode)
        shown = [("M (convolution)", M), ("T (transposed convolution)", T),
                 (f"P (padding operator, {tspec.padding_mode})", P), ("P^T (the fold)", fold)]
    else:
        _, C, Pad, Z = gather_product(tspec, w, t_in)
        shown = [("M (convolution)", M), ("T (transposed convolution)", T), ("C_flip (stride-1, flipped kernel)", C),
                 ("P (padding/cropping)", Pad), ("Z (zero insertion)", Z)]
    zeros = args.zeros or "0"
    parts = []
    for title, matrix in shown:
        if args.latex:
            note = ""
            if args.blocks:
                text = block_matrix_latex(matrix, zeros=zeros)
            else:
                text = matrix_latex(matrix, zeros=zeros)
                if r"\cdots" in text or r"\vdots" in text:
                    window = elided_window(matrix, zeros)
                    text = matrix_latex(matrix, zeros=zeros, window=window)
                    note = (f"; shown: rows {_span(window.rows)}, columns {_span(window.cols)} (the first nonzero "
                             "band; the dots elide the rest)")
            parts.append(f"% {title}, {matrix.shape[0]}x{matrix.shape[1]}{note}\n{text}")
        else:
            parts.append(f"{title}, {matrix.shape[0]}x{matrix.shape[1]}:\n{matrix}")
    _emit("\n\n".join(parts) + "\n", args.output)
    return OK


def _span(values: tuple[int, ...]) -> str:
    return f"{values[0]}-{values[-1]}" if values[-1] - values[0] + 1 == len(values) else ", ".join(map(str, values))


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
    recipe = ""
    if tspec.padding_mode != "zeros":  # the gather view of the padding-0 layer, then the fold
        from .padding_modes import torch_recipe, zero_padding_spec

        lines.append(f"padding_mode={tspec.padding_mode!r}: the padding-0 layer below, then the fold of its "
                     f"{tuple(n + pl + pr for n, (pl, pr) in zip(tspec.output_shape(t_in), tspec.padding))} outputs "
                     f"onto {tspec.output_shape(t_in)}")
        if tspec.ndim <= 3:
            recipe = ("\nPyTorch has no such ConvTranspose; this module computes it (the weight as the "
                      "ConvTranspose weight, (C_in, C_out/g, *k)):\n\n" + torch_recipe(tspec))
        tspec = zero_padding_spec(tspec)
    view = tspec.as_convolution()
    for ax, (n, k, s, (pl, pr), d, a) in enumerate(zip(t_in, tspec.kernel_size, tspec.stride, tspec.padding,
                                                       tspec.dilation, tspec.output_padding)):
        n_t = F.transposed_output_size(n, k, s, pl, pr, d, a)
        z0 = F.zero_inserted_size(n, s)
        left, right = view.padding[ax]
        lines.append(f"axis {ax}: n_T = ({n}-1)*{s} - {pl} - {pr} + {d}*({k}-1) + {a} + 1 = {n_t}; gather view: "
                     f"{z0} after zero insertion, padded by ({left}, {right}) to {z0 + left + right}, "
                     f"stride-1 convolution -> {F.conv_output_size(z0 + left + right, k, 1, 0, 0, d)}")
    _emit("\n".join(lines) + "\n" + recipe, args.output)
    return OK


PROVE_EXAMPLES = """examples:
  symconv prove -o proof.tex --pdf
      the default layer (kernel 3, stride 2, padding 1 on inputs of size 5), proved and compiled
  symconv prove --kernel 3,3 --stride 2 --padding 1:2,0 --dilation 2,1 --in-channels 4 --out-channels 2 --groups 2 \\
                --input 9,8 -o grouped.tex
      a 2-D grouped, dilated, asymmetrically padded instance
  symconv prove --general --kernel 3,3 --format md -o theorem.md
      the proof for all sizes (2-D, channels and groups) as Markdown
  symconv prove --identity gram --kernel 3 --stride 2 --padding 1 --input 9
      the round trip M^T M: what the transpose of a detector paints (lag, phase, energies)
  symconv prove --identity adjoint --kernel 3 --stride 2 --input 6
      the adjoint identity <S M x, y> = <x, T y> as an exact polynomial identity
"""

MATRIX_EXAMPLES = """examples:
  symconv matrix --kernel 3 --stride 2 --input 5
      M, T and the gather view's factors, printed
  symconv matrix --latex --zeros dots --kernel 2,2 --stride 1 --padding 0 --input 3,3 --blocks
      LaTeX block matrices (doubly block-Toeplitz) of a 2-D layer
"""

SHAPES_EXAMPLES = """examples:
  symconv shapes --kernel 4 --stride 2 --input 7
      output sizes, the output padding of the transpose, the gather view's padding
  symconv shapes --transposed --kernel 3 --stride 2 --output-padding 1 --input 4
      the same for a transposed layer given by PyTorch's arguments
"""

DRAW_EXAMPLES = """examples:
  symconv draw matrix --kernel 3 --stride 2 --input 5 -o matrices.png
      M and T side by side
  symconv draw stamps --kernel 3 --stride 2 --input 4 -o stamps.pdf
      each input stamping a copy of the kernel (the scatter view)
  symconv draw animation --view gather --kernel 3 --stride 2 --input 4 -o gather.gif
      the flipped kernel sliding over the zero-inserted, padded input
"""

def _draw_command(sub: Any) -> None:
    """Register ``symconv draw`` (matplotlib; the logic is in symconv._draw)."""
    from ._draw import add_arguments

    draw = sub.add_parser(
        "draw", help="draw the matrices, stamps, gather view, overlap or an animation (matplotlib)",
        description="Draw a picture of the layer with matplotlib: the matrices M and T, the stamps of the scatter "
                    "view, the gather view, the overlap count (the checkerboard), or an animation.",
        epilog=DRAW_EXAMPLES + "\n" + EXIT_CODES)
    _layer_flags(draw)
    add_arguments(draw)


def _draw(args: argparse.Namespace) -> int:
    from ._draw import refuse_flags, run

    refuse_flags(args)
    spec, shape = _layer(args)
    args.name = _value(args, "name")
    return run(args, spec, shape)


PORT_EXAMPLES = """examples:
  symconv port --from keras --to torch --kernel 3 --stride 2 --padding same --input 16,16 --transposed
  symconv port --to jax --kernel 4,4 --stride 2 --padding 1 --transposed --in-channels 64 --out-channels 32 --verify
  symconv port --from onnx --to flax --kernel 3 --stride 2 --padding 0:1 --transposed --input 8"""


def _port_command(sub: Any) -> None:
    """The ``port`` subcommand: the layer flags of ``prove``, read in the --from framework's terms."""
    port = sub.add_parser(
        "port", help="print the layer as code that runs in another framework (PyTorch, JAX, Flax, Keras, ONNX)",
        usage="symconv port --to FRAMEWORK [--from FRAMEWORK] [layer flags] [--verify] [-o FILE]",
        description="Print a program for the --to framework that defines fn(x, w, b=None), the weight and bias "
                    "conversions from PyTorch's layout, and notes on what had to be done. The layer flags are read "
                    "in the --from framework's terms (e.g. Keras' padding 'same'); one --kernel value is used on every "
                    "axis of --input. Exit 2 with the reason when the layer cannot be expressed.",
        epilog=PORT_EXAMPLES + "\n" + EXIT_CODES)
    _layer_flags(port, name=False)
    what = port.add_argument_group("the port")
    what.add_argument("--from", dest="source", choices=("torch", "keras", "flax", "onnx"), default="torch",
                      help="whose terms the layer flags are in (default torch; keras/flax: padding 'same' or "
                           "'valid', flax also pairs of the zero-inserted input; onnx: pads, or 'same' for SAME_UPPER)")
    what.add_argument("--to", dest="target", required=True, choices=("torch", "jax", "flax", "keras", "onnx"),
                      help="the framework to print the program for")
    what.add_argument("--layout", choices=("channels_first", "channels_last"),
                      help="the data layout fn takes (default: channels last for flax and keras, first otherwise)")
    what.add_argument("--verify", action="store_true",
                      help="also run the randomized identity test on the port in the target framework")
    what.add_argument("-o", "--output", metavar="FILE", help="write FILE (default: standard output)")


def _port(args: argparse.Namespace) -> int:
    from .translate import port
    from .translate.readers import spec_from_arguments

    kernel = _ints(_value(args, "kernel"), "--kernel")
    sizes = _ints(_value(args, "input"), "--input")
    if len(kernel) == 1 and len(sizes) > 1:  # the number of axes may come from --input (--kernel 3 --input 16,16)
        kernel = kernel * len(sizes)
    ndim = len(kernel)
    padding_text = args.padding if args.padding is not None else ("1" if args.source == "torch" else "valid")
    padding = _padding(padding_text)
    if isinstance(padding, tuple):
        if len(padding) not in (1, ndim):
            _broadcast(padding, ndim, "--padding")
        padding = padding[0] if len(padding) == 1 and ndim > 1 else padding
    if isinstance(padding, str) and args.source == "torch" and _value(args, "transposed"):
        raise UsageError(f"--padding {padding}: PyTorch's ConvTranspose takes numbers; --from keras/flax/onnx read "
                         "'same' and 'valid'")
    shape = _broadcast(sizes, ndim, "--input")
    shape = (shape,) * ndim if isinstance(shape, int) else tuple(shape)
    a = args.output_padding
    spec = spec_from_arguments(
        args.source, transposed=bool(_value(args, "transposed")), kernel_size=kernel,
        stride=_broadcast(_ints(_value(args, "stride"), "--stride"), ndim, "--stride"), padding=padding,
        dilation=_broadcast(_ints(_value(args, "dilation"), "--dilation"), ndim, "--dilation"),
        output_padding=None if a is None else _broadcast(_ints(a, "--output-padding"), ndim, "--output-padding"),
        in_channels=_value(args, "in_channels"), out_channels=_value(args, "out_channels"),
        groups=_value(args, "groups"), input_shape=shape)
    spec.check_input_shape(shape)
    made = port(spec, args.target, input_shape=shape, layout=args.layout)
    text = made.source.rstrip("\n") + "\n"
    if args.verify:
        text += f"# verified on inputs of shape {shape}: {made.verify().statement}\n"
    _emit(text, args.output)
    return OK


def _parser() -> _Parser:
    parser = _Parser(
        prog="symconv",
        description="Exact symbolic mathematics of (transposed) convolutions: prove that the transposed convolution "
                    "is a convolution (for concrete sizes or for all sizes), print the matrices, and do the size "
                    "arithmetic.",
        epilog="examples:\n  symconv prove -o proof.tex --pdf\n  symconv prove --general --format md\n"
               "  symconv matrix --kernel 3 --stride 2 --input 5\n  symconv shapes --kernel 4 --stride 2 --input 7\n\n"
               "Run 'symconv COMMAND --help' for the flags of a command.\n\n" + EXIT_CODES)
    parser.add_argument("--version", action="version", version=f"symconv {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND",
                                help="prove, matrix, shapes, draw or port")
    prove = sub.add_parser(
        "prove", help="prove that the transpose is a convolution (or another identity); write LaTeX or Markdown",
        description="Prove that the transposed convolution is a convolution, for the layer given by the flags "
                    "(exact matrix equalities and anchors to the numeric definitions) or, with --general, for all "
                    "sizes at once (integer claims proved by z3); or prove another identity with --identity. "
                    "Writes a LaTeX document (or Markdown) whose every step names its checker.",
        epilog=PROVE_EXAMPLES + "\n" + EXIT_CODES)
    _layer_flags(prove)
    what = prove.add_argument_group("what to prove and where to write it")
    what.add_argument("--general", action="store_true",
                      help="the parametric proof for all sizes; the number of axes comes from --kernel, and no other "
                           "layer flag applies")
    what.add_argument("--identity", choices=sorted(_identities()),
                      help="prove another identity for the layer: adjoint (<S M x, y> = <x, T y>), gradient "
                           "(backpropagation is the transposed convolution), sizes (the relationships of Dumoulin "
                           "and Visin's guide; no layer flags), overlap (the checkerboard count of taps; with --general, for all sizes)"
                           + (", weight-gradient (the weight gradient is a convolution; with --general, for all "
                              "sizes)" if "weight-gradient" in _identities() else "")
                           + ", gram (the round trip M^T M: entries by lag and phase, the phase energies; without "
                             f"--input on {GRAM_INPUT} inputs per axis, so that its interior holds several positions; with "
                             "--general, the integer facts for all sizes, --kernel giving the number of axes)"
                           + ", polyphase (s^N small convolutions of the input, interleaved; with --general, for all "
                             "sizes)")
    what.add_argument("--max-terms", type=int, metavar="N",
                      help="the largest number of structure terms the instance proof may build (default "
                           f"{_proofs.instance.INSTANCE_LIMIT}); larger layers are refused")
    what.add_argument("--format", choices=("tex", "md"), default="tex",
                      help="tex: a standalone LaTeX document (default); md: Markdown with $...$ mathematics")
    what.add_argument("-o", "--output", metavar="FILE", help="write FILE (default: standard output)")
    what.add_argument("--smtlib", metavar="FILE",
                      help="also write the solver claims of a parametric proof as SMT-LIB 2 to FILE, for another "
                           "solver to re-check (e.g. cvc5 FILE: sat, then unsat, for each claim)")
    what.add_argument("--pdf", action="store_true",
                      help="also compile FILE.pdf next to FILE.tex with pdflatex (in a temporary directory)")
    what.add_argument("--keep-tex-files", action="store_true",
                      help="with --pdf: also keep pdflatex's .aux and .log files next to the PDF")
    matrix = sub.add_parser(
        "matrix", help="print M, its transpose and the gather view's factors",
        description="Print the convolution's matrix M, the transposed convolution's matrix T, and the gather view's "
                    "factors C_flip (stride-1 convolution with the flipped kernel), P (padding) and Z (zero "
                    "insertion), with symbolic weights.",
        epilog=MATRIX_EXAMPLES + "\n" + EXIT_CODES)
    _layer_flags(matrix)
    out = matrix.add_argument_group("output")
    out.add_argument("--latex", action="store_true",
                     help="LaTeX bmatrix output (large matrices elided around their first nonzero band)")
    out.add_argument("--zeros", choices=("0", "dots"), help="with --latex: write a zero as 0 (default) or as a dot")
    out.add_argument("--blocks", action="store_true",
                     help="with --latex, for a 2-D layer with one channel: print as blocks (doubly block-Toeplitz)")
    out.add_argument("-o", "--output", metavar="FILE", help="write FILE (default: standard output)")
    shapes = sub.add_parser(
        "shapes", help="print the output-size arithmetic",
        description="Print the output sizes of the layer and of its transpose, axis by axis, with the arithmetic "
                    "that gives them, and the padding of the gather view.",
        epilog=SHAPES_EXAMPLES + "\n" + EXIT_CODES)
    _layer_flags(shapes, name=False)
    shapes.add_argument("-o", "--output", metavar="FILE", help="write FILE (default: standard output)")
    _draw_command(sub)
    _port_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (testable in-process)."""
    try:
        args = _parser().parse_args(argv)
        return {"prove": _prove, "matrix": _matrix, "shapes": _shapes, "draw": _draw,
                "port": _port}[args.command](args)
    except (UsageError, SymconvError) as exc:
        print(f"symconv: error: {exc}", file=sys.stderr)
        return USAGE
    except TexNotFoundError as exc:
        print(f"symconv: error: {exc}", file=sys.stderr)
        return MISSING_TOOL
    except OutputError as exc:
        print(f"symconv: error: {exc}", file=sys.stderr)
        return CANNOT_WRITE
    except (OSError, TexFailedError) as exc:
        print(f"symconv: error: cannot write output: {exc}", file=sys.stderr)
        return CANNOT_WRITE
    except SystemExit as exc:  # argparse --help, --version
        return int(exc.code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
