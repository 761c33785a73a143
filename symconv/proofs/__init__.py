"""Proofs as data: instance proofs, the parametric proof, identities and overlap."""

from .core import CHECKERS, Claim, Proof, Step
from .general import prove_transpose_general
from .gram import prove_gram, prove_gram_general
from .identities import prove_adjoint, prove_gradient, prove_size_relations
from .instance import gather_product, prove_transpose
from .overlap import overlap_counts, prove_overlap
from .padding_modes import prove_padding_mode, prove_padding_mode_general
from .weight_gradient import prove_weight_gradient, prove_weight_gradient_general

__all__ = [
    "CHECKERS",
    "Claim",
    "Proof",
    "Step",
    "prove_transpose",
    "prove_transpose_general",
    "prove_padding_mode",
    "prove_padding_mode_general",
    "prove_adjoint",
    "prove_gradient",
    "prove_size_relations",
    "overlap_counts",
    "prove_overlap",
    "gather_product",
    "prove_weight_gradient",
    "prove_weight_gradient_general",
    "prove_gram",
    "prove_gram_general",
]
