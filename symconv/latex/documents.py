"""Proofs as LaTeX fragments and standalone documents (pdflatex, no shell escape)."""

from __future__ import annotations

from typing import Any

from .formulas import definitions_latex
from .printing import FULL_LIMIT, escape_text, math_latex, matrix_columns, matrix_latex, spec_latex

__all__ = ["proof_fragment", "proof_document", "document", "CONVENTIONS"]

CONVENTIONS = (
    "Convolution means the deep-learning operation, cross-correlation: "
    r"$y[i] = \sum_m w[m]\, \tilde x[s i + d m]$ with $\tilde x$ the zero-padded input. "
    "Weights use PyTorch's layouts: $(C_{\\mathrm{out}}, C_{\\mathrm{in}}/g, k_1, \\dots)$ for a convolution and "
    "$(C_{\\mathrm{in}}, C_{\\mathrm{out}}/g, k_1, \\dots)$ for a transposed convolution. Matrices act on one batch "
    "element of shape $(C, n_1, \\dots)$ flattened row-major over (channel, spatial axes)."
)


def _step_latex(number: int, step: Any) -> str:
    lhs, rhs = math_latex(step.lhs), math_latex(step.rhs)
    status = "" if step.holds else r" \textbf{(does not hold)}"
    lines = [rf"\par\medskip\noindent\textbf{{Step {number}: {escape_text(step.name or step.checker)}.}}{status} "
             rf"{escape_text(step.rule)}."]
    if len(lhs) + len(rhs) > 90:
        lines.append("\\begin{align*}\n& " + lhs + " \\\\\n&\\quad = " + rhs + "\n\\end{align*}")
    else:
        lines.append("\\begin{align*}\n" + lhs + " &= " + rhs + "\n\\end{align*}")
    check = rf"\emph{{Check ({escape_text(step.checker)}):}} {escape_text(step.detail)}."
    if step.spot_checks:
        check += f" Spot-checked numerically at {step.spot_checks} random instances."
    lines.append(check)
    return "\n".join(lines)


def _matrices(proof: Any) -> tuple[str, int]:
    data = proof.data
    if "T" not in data:
        return "", 0
    parts, cols = [], 0
    shown = [("M", data["M"], "the convolution's matrix"), ("T", data["T"], "the transposed convolution's matrix")]
    C, Pad, Z = data["gather"]
    if max(C.shape + Pad.shape + Z.shape) <= FULL_LIMIT:
        shown += [(r"C_{\mathrm{flip}}", C, "the stride-1 convolution with the flipped kernel"),
                  ("P", Pad, "padding/cropping"), ("Z", Z, "zero insertion")]
    for name, M, what in shown:
        full = max(M.shape) <= FULL_LIMIT
        note = "" if full else (f" (a {M.shape[0]}$\\times${M.shape[1]} matrix, elided: its top-left corner, "
                                "last row and last column are shown)")
        parts.append(f"${name}$, {what}{note}:\n\\[\n{name} = {matrix_latex(M, zeros='dots' if not full else '0')}\n\\]")
        cols = max(cols, matrix_columns(M))
    return "\\subsection*{Matrices}\n" + "\n\n".join(parts), cols


def _fragment(proof: Any, definitions: bool = True) -> tuple[str, int]:
    out = [rf"\begin{{theorem}}[{escape_text(proof.title)}]", escape_text(proof.statement), r"\end{theorem}"]
    if proof.assumptions:
        out.append("Assumptions: " + ", ".join(f"${math_latex(a)}$" if not isinstance(a, str) else escape_text(a)
                                                for a in proof.assumptions) + ".")
    if "tspec" in proof.data:
        out.append(f"The layer: ${spec_latex(proof.data['tspec'])}$.")
    if definitions:
        out.append(r"\subsection*{Definitions}" + "\nThe index maps, rendered by latexify-py from the functions symconv "
                   "executed:\n" + definitions_latex())
    matrices, cols = _matrices(proof)
    if matrices:
        out.append(matrices)
    out.append(r"\begin{proof}")
    out += [_step_latex(n, step) for n, step in enumerate(proof.steps, 1)]
    for note in proof.notes:
        out.append(rf"\emph{{Note.}} {escape_text(note)}")
    if proof.holds:
        out.append(rf"Every step was checked by program; therefore: {escape_text(proof.conclusion)}")
    else:
        out.append(rf"\textbf{{The proof does not hold:}} {escape_text(proof.failure)}")
    out.append(r"\end{proof}")
    return "\n\n".join(out), cols


def proof_fragment(proof: Any, definitions: bool = True) -> str:
    """The proof as a LaTeX fragment (needs amsmath, amssymb, amsthm and a ``theorem`` environment).

    ``definitions=False`` leaves out the latexify-rendered index maps (for a
    document that already shows them once).
    """
    return _fragment(proof, definitions)[0]


def document(title: str, body: str, *, max_cols: int = 10, graphics: bool = False) -> str:
    """A standalone article around ``body`` (the title is escaped)."""
    packages = ["[T1]{fontenc}", "[margin=2.2cm]{geometry}", "{amsmath}", "{amssymb}", "{amsthm}"]
    if graphics:
        packages.append("{graphicx}")
    head = [r"\documentclass[11pt]{article}"] + [rf"\usepackage{p}" for p in packages]
    head += [rf"\setcounter{{MaxMatrixCols}}{{{max(10, max_cols)}}}", r"\newtheorem{theorem}{Theorem}", r"\sloppy",
             rf"\title{{{escape_text(title)}}}", r"\author{symconv}", r"\date{}"]
    return "\n".join(head) + "\n\\begin{document}\n\\maketitle\n\\section*{Conventions}\n" + CONVENTIONS + "\n\n" + body + "\n\\end{document}\n"


def proof_document(proof: Any, title: str | None = None) -> str:
    """The proof as a standalone document that compiles with pdflatex."""
    body, cols = _fragment(proof)
    return document(title or proof.title, body, max_cols=cols)
