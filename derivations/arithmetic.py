"""Derivation 4: the 15 relationships of the convolution-arithmetic guide, each proved."""

from __future__ import annotations

from _common import require

from symconv import prove_size_relations
from symconv.latex import document, proof_fragment

NAME = "arithmetic"


def build() -> str:
    proof = require(prove_size_relations())
    intro = (
        r"\section*{Output sizes}" "\n"
        "Dumoulin and Visin's guide to convolution arithmetic (cited in full in Theorem 1) states "
        "fifteen relationships between the input size, the kernel size $k$, the stride $s$, the padding $p$ and the "
        "output size. Each is derived here from "
        "the size formulas of the Definitions (the output sizes $n_{\\mathrm{out}}$ and $n_{T}$, the gather padding $p'_{l}$, the "
        "output padding $a_{\\mathrm{rt}}$ and the zero-inserted length $n_{z_0}$), cited by its number; each "
        "lemma says how its floors and remainders were closed. Primes denote the transposed layer and its equivalent "
        "convolution. Apart from this section, the document is the proof of the size relationships as it is typeset "
        "on its own, word for word."
    )
    # the Conventions of the proof's own document (zero padding), so that the two copies do not differ
    return document("Convolution arithmetic, proved", intro + "\n\n" + proof_fragment(proof, times=False),
                    padding_mode="zeros")


if __name__ == "__main__":
    import sys

    from regenerate import main

    sys.exit(main([]))
