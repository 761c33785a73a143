"""Derivation 5: the overlap of the stamps, and why k = 3, s = 2 draws a checkerboard."""

from __future__ import annotations

from _common import require

from symconv import TransposedConvSpec, prove_overlap
from symconv.latex import document, spec_latex

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
    for number, layer in enumerate(CASES):
        proof = require(prove_overlap(layer, INPUT))
        counts = ", ".join(str(c) for c in proof.data["counts"].tolist())
        picture = (r"\begin{center}" "\n" rf"\includegraphics[width=0.8\linewidth]{{{FIGURES[number]}}}" "\n"
                   r"\end{center}")
        parts.append(rf"\subsection*{{${spec_latex(layer)}$}}" + "\n" + f"Taps per output position: ${counts}$.\n\n"
                     + picture + "\n\n" + proof.to_latex(definitions=number == 0))
    return document("The checkerboard pattern, counted", "\n\n".join(parts), graphics=True)


if __name__ == "__main__":
    import sys

    from regenerate import main

    sys.exit(main([]))
