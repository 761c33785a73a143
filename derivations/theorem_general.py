"""Derivation 2: the transposed convolution is a convolution, for all sizes (1-D, then the N-D lift)."""

from __future__ import annotations

from _common import require

from symconv import prove_transpose_general
from symconv.latex import document, proof_fragment

NAME = "theorem_general"


def build() -> str:
    one = require(prove_transpose_general(1))
    two = require(prove_transpose_general(2))
    intro = (
        r"\section*{The theorem}" "\n"
        "The layer of a generator is defined as the transpose $T = M^{\\top}$ of the convolution matrix $M$. The proof "
        "below shows, for every size at once, that $T$ is itself a convolution: the kernel flipped, run with stride 1 "
        "over the input with $s-1$ zeros between neighbours, padded by $d(k-1)-p_l$ and $d(k-1)-p_r+a$. Each step of "
        "the chain of sums is reduced to claims about integers (the supports of the two sums correspond one to one, "
        "the corresponding terms read the same weight and the same input, every read stays in range), and the SMT "
        "solver z3 proved each claim for all integers in the ranges of the theorem by showing that its negation has "
        "no solution. The claims are printed below as they were proved."
    )
    lift = (
        r"\section*{Several axes, channels and groups}" "\n"
        "Theorem 2 lifts Theorem 1 to two spatial axes with channels and groups. Its first steps are the steps of "
        "Theorem 1, applied to each axis with that axis's own $s$, $p$, $d$ and $a$; the new steps show that "
        "row-major flattening makes the index equation hold for flat positions exactly when it holds on every axis, "
        "and that the channel blocks of $T$ are the transposed channel blocks of $M$."
    )
    body = (intro + "\n\n" + one.to_latex() + "\n\n" + lift + "\n"
            + proof_fragment(two, definitions=False, shared=one, shared_label="Theorem 1"))
    return document("The transposed convolution is a convolution", body)


if __name__ == "__main__":
    import sys

    from regenerate import main

    sys.exit(main([]))
