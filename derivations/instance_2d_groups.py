"""Derivation 3: a 2-D transposed convolution with channels, groups, stride 2, dilation 2 and output_padding."""

from __future__ import annotations

from _common import require

from symconv import TransposedConvSpec, prove_adjoint, prove_transpose
from symconv.latex import claims_appendix, document, proof_fragment
from symconv.latex.printing import layer_text

NAME = "instance_2d_groups"

LAYER = TransposedConvSpec((3, 3), stride=2, padding=1, output_padding=1, dilation=2,
                           in_channels=4, out_channels=2, groups=2)
INPUT = (4, 4)


def build() -> str:
    proof = require(prove_transpose(LAYER, INPUT))
    small = TransposedConvSpec((2, 2), stride=2, padding=0, output_padding=1, dilation=2, in_channels=2,
                               out_channels=2, groups=2)
    adjoint = require(prove_adjoint(small, (2, 2)))
    view = LAYER.as_convolution()
    stated: dict = {}  # lemma statements and notation already given, shared by the two theorems
    intro = (
        r"\section*{The layer}" "\n"
        f"The transposed convolution {layer_text(LAYER)} on inputs of spatial shape ${INPUT[0]} \\times {INPUT[1]}$. Its equivalent direct convolution inserts "
        f"$s-1 = 1$ zero between neighbours, pads each axis by {view.padding[0][0]} zeros on the left and {view.padding[0][1]} on the right (the output padding $a = 1$ adds one), and convolves with stride 1 and "
        "dilation 2 using the weight swapped group by group between its two channel axes and flipped on both "
        "spatial axes. With groups, a plain swap of the channel axes has the wrong shape; the group-wise swap is "
        "a permutation of the weight's entries."
    )
    body = (intro + "\n\n" + proof_fragment(proof, appendix=False, times=False, stated=stated, theorem=1) + "\n\n" + r"\section*{The adjoint identity}" + "\n"
            + proof_fragment(adjoint, definitions=False, appendix=False, times=False, stated=stated,
                                 theorem=2) + "\n\n\\appendix\n"
            + claims_appendix([(proof, 1), (adjoint, 2)], times=False))
    return document("A 2-D transposed convolution with groups and dilation", body)


if __name__ == "__main__":
    import sys

    from regenerate import main

    sys.exit(main([]))
