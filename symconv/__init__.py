"""symconv: exact symbolic mathematics of convolutions and transposed convolutions."""

from __future__ import annotations

from . import formulas, numeric
from .errors import ShapeError, SizeLimitError, SpecError, SpecTypeError, SymconvError
from .expr import Conv, ConvTranspose, Pad, ZeroInsert
from .gram import autocorrelation, gram_matrix, gram_structure, phase_energies
from .kernels import kernel_symbols
from .latex.output import compile_pdf, write_atomic
from .matrices import (
    ConvMatrix,
    conv_matrix,
    padding_matrix,
    scatter_matrix,
    selection_matrix,
    transposed_conv_matrix,
    zero_insertion_matrix,
)
from .proofs import (
    Proof,
    Step,
    gather_product,
    overlap_counts,
    prove_adjoint,
    prove_gradient,
    prove_gram,
    prove_gram_general,
    prove_overlap,
    prove_padding_mode,
    prove_padding_mode_general,
    prove_size_relations,
    prove_transpose,
    prove_transpose_general,
    prove_weight_gradient,
    prove_weight_gradient_general,
)
from .spec import ConvSpec, GatherView, TransposedConvSpec
from .weights import flip_kernel, swap_channel_groups, transposed_to_conv_weight

__version__ = "0.1.0"


def __getattr__(name: str):
    """Import ``symconv.testing``, ``symconv.translate`` and ``symconv.plot`` on first use (not needed to prove)."""
    if name in ("testing", "translate", "cli", "plot"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "ConvSpec",
    "TransposedConvSpec",
    "GatherView",
    "ConvMatrix",
    "kernel_symbols",
    "conv_matrix",
    "transposed_conv_matrix",
    "scatter_matrix",
    "zero_insertion_matrix",
    "padding_matrix",
    "selection_matrix",
    "flip_kernel",
    "swap_channel_groups",
    "transposed_to_conv_weight",
    "Proof",
    "Step",
    "prove_transpose",
    "prove_transpose_general",
    "prove_padding_mode",
    "prove_padding_mode_general",
    "prove_weight_gradient",
    "prove_weight_gradient_general",
    "prove_adjoint",
    "prove_gradient",
    "prove_size_relations",
    "prove_overlap",
    "overlap_counts",
    "gather_product",
    "write_atomic",
    "compile_pdf",
    "formulas",
    "testing",
    "translate",
    "plot",
    "numeric",
    "SymconvError",
    "SpecError",
    "SpecTypeError",
    "ShapeError",
    "SizeLimitError",
    "Conv",
    "ConvTranspose",
    "ZeroInsert",
    "Pad",
    "prove_gram",
    "prove_gram_general",
    "gram_matrix",
    "gram_structure",
    "autocorrelation",
    "phase_energies",
]
