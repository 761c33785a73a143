"""Derivation 2: the transposed convolution is a convolution, for all sizes (1-D, then the N-D lift)."""

from __future__ import annotations

from _common import require

from symconv import prove_transpose_general
from symconv.latex import claims_appendix, document, proof_fragment
from symconv.latex.notation import notation_latex

NAME = "theorem_general"


def build() -> str:
    one = require(prove_transpose_general(1))
    stated: dict = {}  # lemma statements and notation already given, shared by the two theorems
    two = require(prove_transpose_general(2))
    intro = (
        r"\section*{The theorem}" "\n"
        "The transposed convolution of the Conventions sends an input $y$ of length $n_{\\mathrm{in}}$ to "
        "$\\operatorname{conv}^{\\top}(y)[j] = \\sum_i \\sum_m w[m]\\, y[i]\\, [j = s i + d m - p_{l}]$: input $i$ "
        "adds a copy of the kernel, dilated by $d$ and scaled by $y[i]$, at position $s i - p_{l}$. Theorem 1 shows, for every size at once, that its matrix $T$ is "
        "also the matrix of an ordinary convolution (the kernel flipped, run with stride 1 over the input with $s-1$ "
        "zeros between neighbours, padded), and that $T$ is the transpose of the matrix $M$ of the convolution with "
        "the same parameters, up to a selection of rows. The proof is a chain of equalities, from the definition of $T$ to the convolution $C_{\\mathrm{flip}}$, "
        "followed by three separate lines (the output size, the round trip of the sizes and the row selection); each "
        "line is a lemma, reduced to claims about integers that the SMT solver z3 proved for all integers satisfying the hypotheses "
        "(it showed that the negation of each claim has no solution). The claims of both theorems are collected in "
        "the appendix, Checked claims."
    )
    lift = (
        r"\section*{Several axes, channels and groups}" "\n"
        "Theorem 2 lifts Theorem 1 to two spatial axes with channels and groups. On each axis the chain of Theorem 1 "
        "holds with that axis's own parameters; three new lemmas show that row-major flattening makes the index "
        "equation hold for flat positions exactly when it holds on every axis (Lemma 2.1), that the per-axis "
        "chains multiply into the gather view of the whole matrix (Lemma 2.2), and that the channel blocks of $T$ "
        "are the transposed channel blocks of $M$ (Lemma 2.3)."
    )
    first = proof_fragment(one, appendix=False, times=False, stated=stated, theorem=1)
    second = proof_fragment(two, definitions=False, shared=one, shared_label="Theorem 1", appendix=False,
                            times=False, stated=stated, theorem=2)
    appendix = claims_appendix([(one, 1), (two, 2)], times=False, shared=[None, one])
    # the claims write symbols the theorems' text does not (i', alpha', ...): the appendix explains them
    further = notation_latex(appendix, stated.setdefault("\0notation", set()))
    body = (intro + "\n\n" + first + "\n\n" + lift + "\n" + second
            + "\n\n\\appendix\n" + appendix + ("\n\n" + further if further else ""))
    return document("The transposed convolution is a convolution", body)

if __name__ == "__main__":
    import sys

    from regenerate import main

    sys.exit(main([]))
