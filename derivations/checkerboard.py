"""Derivation 5: the overlap of the stamps, and why k = 3, s = 2 draws a checkerboard."""

from __future__ import annotations

from _common import require

from symconv import TransposedConvSpec, prove_overlap
from symconv.latex import claims_appendix, document, proof_fragment, spec_latex

NAME = "checkerboard"

CASES = [
    TransposedConvSpec(3, stride=2),
    TransposedConvSpec(4, stride=2),
    TransposedConvSpec(4, stride=2, dilation=2),
]
INPUT = (8,)
FIGURES = ["figures/checkerboard_overlap_k3_s2.pdf", "figures/checkerboard_overlap_k4_s2.pdf",
           "figures/checkerboard_overlap_k4_s2_d2.pdf"]
"""Drawn by symconv.plot from the structure of T (derivations/make_figures.py; regenerate.py redraws them)."""

CASE_2D, INPUT_2D, FIGURE_2D = TransposedConvSpec((3, 3), stride=2), (6, 6), "figures/checkerboard_overlap_2d.pdf"
"""The 2-D checkerboard (make_figures.CHECKERBOARD_2D on CHECKERBOARD_2D_SIZE)."""


def _as_in_theorem_1(proof):
    """The proof with its statement shortened to the layer and its verdict, referring to Theorem 1 for the rest."""
    import dataclasses

    text = proof.statement
    cut, verdict = text.index(r", and let $\operatorname{count}[j]$"), text.index("For this layer")
    return dataclasses.replace(proof, statement=(
        text[:cut] + r", with $\operatorname{count}$, $\operatorname{taps}$ and the interior $I$ as in Theorem~1. "
        r"Then, as there, the count on $I$ repeats with a period dividing $s$, and where $I$ holds at least $s$ "
        r"positions it is constant on $I$ if and only if "
        r"$s$ divides $k$ and $\gcd(s, d) = 1$. " + text[verdict:]))


def build() -> str:
    parts = [
        r"\section*{Uneven overlap}" "\n"
        "Each input of a transposed convolution stamps a copy of the kernel; where the copies overlap unevenly, the "
        "output shows a periodic pattern (Odena, Dumoulin and Olah, \\emph{Deconvolution and checkerboard "
        "artifacts}, Distill 2016). The count of taps reaching each output position is read off the matrix $T$; "
        "away from the borders it repeats with a period dividing $s$, and it is uniform exactly when $s$ divides "
        "$k$ and $\\gcd(s, d) = 1$. Dilation matters: $k = 4$, $s = 2$ is uniform, but with $d = 2$ every other "
        "output position receives no tap at all."
    ]
    proofs, stated = [], {}
    for number, layer in enumerate(CASES):
        proof = require(prove_overlap(layer, INPUT))
        if number:  # the definitions and the general statement are Theorem 1's: said once, then referred to
            proof = _as_in_theorem_1(proof)
        proofs.append((proof, number + 1))
        counts = ", ".join(str(c) for c in proof.data["counts"].tolist())
        label = f"fig:overlap-{number + 1}"
        picture = (r"\begin{figure}[htbp]" "\n" r"\centering" "\n"
                   rf"\includegraphics[width=0.8\linewidth]{{{FIGURES[number]}}}" "\n"
                   rf"\caption{{Taps per output position of ${spec_latex(layer)}$ on ${INPUT[0]}$ inputs, read off "
                   rf"the matrix $T$: ${counts}$.}}" "\n" rf"\label{{{label}}}" "\n" r"\end{figure}")
        parts.append(rf"\subsection*{{${spec_latex(layer)}$}}" + "\n"
                     + f"Figure~\\ref{{{label}}} shows the taps reaching each output position.\n\n"
                     + picture + "\n\n" + proof_fragment(proof, definitions=number == 0, appendix=False, times=False,
                                                     stated=stated, theorem=number + 1))
    parts.append(
        r"\subsection*{Two axes}" "\n"
        "In two dimensions the counts multiply axis by axis: the number of taps reaching output position "
        r"$(j_{0}, j_{1})$ is $\operatorname{count}_{0}[j_{0}]\, \operatorname{count}_{1}[j_{1}]$, where "
        r"$\operatorname{count}_{\nu}$ is the count of Theorem~1 for the sizes of axis $\nu$. So the uneven 1-D "
        "pattern of $k = 3$, $s = 2$ becomes the checkerboard of Figure~\\ref{fig:overlap-2d}.\n\n"
        r"\begin{figure}[htbp]" "\n" r"\centering" "\n"
        rf"\includegraphics[width=0.6\linewidth]{{{FIGURE_2D}}}" "\n"
        rf"\caption{{Taps per output position of ${spec_latex(CASE_2D)}$ on ${INPUT_2D[0]} \times {INPUT_2D[1]}$ "
        r"inputs: the checkerboard.}" "\n" r"\label{fig:overlap-2d}" "\n" r"\end{figure}")
    parts.append("\\appendix\n" + claims_appendix(proofs, times=False))
    return document("The checkerboard pattern, counted", "\n\n".join(parts), graphics=True)

if __name__ == "__main__":
    import sys

    from regenerate import main

    sys.exit(main([]))
