"""Derivation 5: the overlap of the stamps, and why k = 3, s = 2 draws a checkerboard."""

from __future__ import annotations

import dataclasses

from _common import require

from symconv import TransposedConvSpec, prove_overlap
from symconv.latex import claims_appendix, document, proof_fragment
from symconv.latex.phrases import range_set_tex
from symconv.latex.printing import layer_text
from symconv.proofs.overlap import EQUAL_TAPS_REFERENCE, INTERIOR_MEANING, as_in_theorem, interior

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


def build() -> str:
    parts = [
        r"\section*{Uneven overlap}" "\n"
        "Each input of a transposed convolution stamps a copy of the kernel; where the copies overlap unevenly, the "
        "output shows a periodic pattern (Odena, Dumoulin and Olah, \\emph{Deconvolution and checkerboard "
        "artifacts}, Distill 2016). The count of taps reaching each output position is read off the matrix $T$; "
        "away from the borders it repeats with period $s$. Odena, Dumoulin and Olah observe that, for $d = 1$, the "
        "overlap is uniform exactly when $s$ divides $k$; with dilation the condition becomes: $s$ divides $k$ and "
        "$\\gcd(s, d) = 1$. That criterion, for all sizes, is " + EQUAL_TAPS_REFERENCE + "; this document cites it "
        "and checks it at three layers. "
        "At $k = 3$, $s = 2$, $d = 1$: $2 \\nmid 3$, so the overlap is uneven. At $k = 4$, $s = 2$, $d = 1$: "
        "$2 \\mid 4$ and $\\gcd(2, 1) = 1$, so it is uniform. Dilation matters: at $k = 4$, $s = 2$, $d = 2$, "
        "$\\gcd(2, 2) = 2 \\ne 1$, and every other output position receives no tap at all. "
        f"Figure~\\ref{{fig:overlap-2d}} shows the checkerboard of a two-dimensional layer with $k = 3$, $s = 2$ "
        f"on ${INPUT_2D[0]} \\times {INPUT_2D[1]}$ inputs. The sections below count one-dimensional layers, on "
        f"${INPUT[0]}$ inputs; each axis of Figure~\\ref{{fig:overlap-2d}} is the first of them on ${INPUT_2D[0]}$ "
        "inputs, and the last section shows that the count in two dimensions is the product of the counts of the "
        "axes.",
        r"\begin{figure}[hbp]" "\n" r"\centering" "\n"
        rf"\includegraphics[width=0.6\linewidth]{{{FIGURE_2D}}}" "\n"
        rf"\caption{{Taps per output position $(j_{{1}}, j_{{2}})$ of the transposed convolution "
        rf"{layer_text(CASE_2D)} on "
        rf"${INPUT_2D[0]} \times {INPUT_2D[1]}$ inputs: the checkerboard. Rows are $j_{{1}}$, columns $j_{{2}}$; "
        r"on each axis the dashed lines bound the interior $I$ of that axis (as defined in Theorem~1); "
        + INTERIOR_MEANING + r" (at the borders, outside it, fewer taps arrive).}" "\n" r"\label{fig:overlap-2d}" "\n"
        r"\end{figure}"
    ]
    figure_2d = parts.pop()  # placed after Theorem 1, so that no figure splits the theorem
    proofs, stated = [], {}
    for number, layer in enumerate(CASES):
        proof = require(prove_overlap(layer, INPUT))
        if number:  # the definitions and the general statement are Theorem 1's: said once, then referred to
            proof = as_in_theorem(proof, "Theorem~1")
        else:  # the criterion for all sizes is cited once, in the opening section
            proof = dataclasses.replace(proof, conclusion=proof.conclusion.replace(
                proof.data["cited"], "The criterion for all sizes is the one cited under Uneven overlap above; this "
                "proof checks it at this layer only."))
        proofs.append((proof, number + 1))
        counts = ", ".join(str(c) for c in proof.data["counts"].tolist())
        (n_t,), ((p_l, _),) = layer.output_shape(INPUT), layer.padding
        inner = interior(INPUT[0], layer.kernel_size[0], layer.stride[0], p_l, layer.dilation[0], n_t)
        band = (rf"The shaded band is the interior $I = {range_set_tex(inner.start, inner.stop - 1)}$ of "
                rf"Theorem~{number + 1}." if len(inner) else rf"The interior of Theorem~{number + 1} is empty.")
        label = f"fig:overlap-{number + 1}"
        picture = (r"\begin{figure}[hbp]" "\n" r"\centering" "\n"
                   rf"\includegraphics[width=0.8\linewidth]{{{FIGURES[number]}}}" "\n"
                   rf"\caption{{Taps per output position of the transposed convolution {layer_text(layer)} on "
                   rf"${INPUT[0]}$ inputs, read off "
                   rf"the matrix $T$: ${counts}$. {band}}}" "\n" rf"\label{{{label}}}" "\n" r"\end{figure}")
        (k,), (s,), (d,) = layer.kernel_size, layer.stride, layer.dilation  # the section named by what it varies
        parts.append(rf"\subsection*{{Kernel size $k = {k}$, stride $s = {s}$, dilation $d = {d}$}}" + "\n"
                     + f"Figure~\\ref{{{label}}} shows the taps reaching each output position.\n\n"
                     + proof_fragment(proof, definitions=number == 0, appendix=False, times=False,
                                      stated=stated, theorem=number + 1)
                     + "\n\n" + picture + ("\n\n" + figure_2d if number == 0 else ""))  # after the theorem
    two_d = require(prove_overlap(CASE_2D, INPUT_2D))  # its product step compares T's counts with the product
    product = next(step for step in two_d.steps if step.name == "product")
    assert product.holds, product.detail
    (h, w) = two_d.data["counts"].shape
    parts.append(
        r"\subsection*{Two axes}" "\n"
        "In two dimensions the counts multiply axis by axis: the number of taps reaching output position "
        r"$(j_{1}, j_{2})$ is $\operatorname{count}_{1}[j_{1}]\, \operatorname{count}_{2}[j_{2}]$, where "
        r"$\operatorname{count}_{\nu}$ is the count of Theorem~1 for the sizes of axis $\nu = 1, 2$. For all sizes "
        r"this is the product lemma of the symconv theorem \emph{Overlap of the stamps (checkerboard, 2-D, all "
        r"sizes)}: a tap reaches $(j_{1}, j_{2})$ from $(i_{1}, i_{2})$ exactly when each axis's tap reaches "
        r"$j_{\nu}$ from $i_{\nu}$, so the sum over the pairs splits into one sum per axis. For the layer of "
        rf"Figure~\ref{{fig:overlap-2d}} it was also checked by enumeration: at each of the ${h} \times {w}$ output "
        r"positions, the count read off the matrix $T$ equals the product of the counts of the axes. So the uneven "
        "1-D pattern of $k = 3$, $s = 2$ becomes the checkerboard of Figure~\\ref{fig:overlap-2d}."
    )
    parts.append("\\appendix\n" + claims_appendix(proofs, times=False))
    return document("The checkerboard pattern, counted", "\n\n".join(parts), graphics=True)

if __name__ == "__main__":
    import sys

    from regenerate import main

    sys.exit(main([]))
