"""LaTeX output: printing, latexify renderings, documents, atomic writing and compiling."""

from .appendix import claims_appendix
from .documents import (
    CONVENTIONS,
    document,
    proof_document,
    proof_fragment,
)
from .formulas import definitions_latex, formula_latex
from .markdown import proof_markdown, proof_mathjax
from .output import compile_pdf, write_atomic
from .printing import (
    FULL_LIMIT,
    HARD_LIMIT,
    MatrixWindow,
    SymconvLatexPrinter,
    block_matrix_latex,
    escape_text,
    math_latex,
    matrix_latex,
    matrix_window,
    spec_latex,
    symbol_latex,
)

__all__ = [
    "CONVENTIONS",
    "document",
    "claims_appendix",
    "proof_document",
    "proof_fragment",
    "proof_markdown",
    "proof_mathjax",
    "definitions_latex",
    "formula_latex",
    "compile_pdf",
    "write_atomic",
    "FULL_LIMIT",
    "HARD_LIMIT",
    "escape_text",
    "math_latex",
    "matrix_latex",
    "block_matrix_latex",
    "matrix_window",
    "MatrixWindow",
    "SymconvLatexPrinter",
    "symbol_latex",
    "spec_latex",
]
