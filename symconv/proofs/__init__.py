"""Proofs as data: instance proofs, the parametric proof, identities and overlap.

Every ``prove_*`` function returns a :class:`Proof` and refuses bad input before the proof starts, with
symconv's errors: :class:`~symconv.errors.SpecTypeError` for a spec of the wrong kind or a parameter of the
wrong type, :class:`~symconv.errors.SpecError` for a value outside its rule, :class:`~symconv.errors.ShapeError`
for an input shape the layer cannot take, and :class:`~symconv.errors.SizeLimitError` for a layer over the
documented size bounds (the one error that can also stop a proof under way).  Once the input is valid nothing
else escapes (:mod:`symconv.proofs.guard`): a mathematical failure is a result, ``holds`` is False and
:attr:`Proof.failure` names the step.  Each prover's Raises section lists the errors its input can meet.
"""

from .core import CHECKERS, Claim, Proof, Step
from .general import prove_transpose_general
from .gram import prove_gram, prove_gram_general
from .identities import prove_adjoint, prove_gradient, prove_size_relations
from .instance import gather_product, prove_transpose
from .overlap import overlap_counts, prove_overlap, prove_overlap_general
from .padding_modes import prove_padding_mode, prove_padding_mode_general
from .polyphase import prove_polyphase, prove_polyphase_general
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
    "prove_overlap_general",
    "gather_product",
    "prove_weight_gradient",
    "prove_weight_gradient_general",
    "prove_gram",
    "prove_gram_general",
    "prove_polyphase",
    "prove_polyphase_general",
]
