"""Derivation 2: the transposed convolution is a convolution, for all sizes (1-D, then the N-D lift)."""

from __future__ import annotations

from _common import require, write

from symconv import prove_transpose_general
from symconv.latex import document

NAME = "theorem_general"


def build() -> str:
    one = require(prove_transpose_general(1))
    two = require(prove_transpose_general(2))
    intro = (
        r"\section*{The theorem}" "\n"
        "The layer of a generator is defined as the transpose $T = M^{\\top}$ of the convolution matrix $M$. The proof "
        "below shows, for every size at once, that $T$ is itself a convolution: the kernel flipped, run with stride 1 "
        "over the input with $s-1$ zeros between neighbours, padded by $d(k-1)-p_l$ and $d(k-1)-p_r+a$. Each step is "
        "an identity checked by sympy (or a solved index equation, or a floor split) and is evaluated exactly at "
        "random integer instances against symconv's numeric reference."
    )
    body = intro + "\n\n" + one.to_latex() + "\n\n" + r"\section*{Several axes, channels and groups}" + "\n" + two.to_latex(definitions=False)
    return document("The transposed convolution is a convolution", body)


def main() -> None:
    print(write(NAME, build()))


if __name__ == "__main__":
    main()
