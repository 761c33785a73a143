"""Every ``prove_*`` that takes a layer accepts both spec kinds or refuses the other with SpecTypeError (issue 22).

A raw AttributeError (``prove_overlap(ConvSpec(...), ...)`` used to raise one) is never the answer, and a
non-spec argument is refused too, before the proof starts (not turned into a failed proof).
"""

import inspect

import pytest

import symconv
from symconv import ConvSpec, SpecTypeError, TransposedConvSpec

CONV, SHAPE = ConvSpec(3, stride=2, padding=1), (5,)
TRANSPOSED, T_SHAPE = CONV.transpose(SHAPE), CONV.output_shape(SHAPE)

# the provers that take a layer, and the spec kinds each accepts (the others must be refused with SpecTypeError)
ACCEPTS = {
    "prove_transpose": (ConvSpec, TransposedConvSpec),
    "prove_adjoint": (ConvSpec, TransposedConvSpec),
    "prove_overlap": (TransposedConvSpec,),
    "prove_gradient": (ConvSpec,),
    "prove_weight_gradient": (ConvSpec,),
}
# the provers for all sizes take no layer
NO_LAYER = {"prove_transpose_general", "prove_weight_gradient_general", "prove_size_relations"}


def test_the_table_covers_every_public_prover():
    provers = {name for name in symconv.__all__ if name.startswith("prove_")}
    assert provers == set(ACCEPTS) | NO_LAYER
    for name in NO_LAYER:
        assert "spec" not in inspect.signature(getattr(symconv, name)).parameters


@pytest.mark.parametrize("name", sorted(ACCEPTS))
def test_both_spec_kinds_or_spec_type_error(name):
    prover = getattr(symconv, name)
    for spec, shape in ((CONV, SHAPE), (TRANSPOSED, T_SHAPE)):
        if isinstance(spec, ACCEPTS[name]):
            assert prover(spec, shape).holds, (name, spec)
        else:
            with pytest.raises(SpecTypeError, match="ConvSpec"):
                prover(spec, shape)
    for junk in ("conv", 3, None):
        with pytest.raises(SpecTypeError):
            prover(junk, SHAPE)


def test_pytorch_positional_habits_fail_loudly():
    # Conv1d(in, out, kernel_size) read positionally would silently mean kernel 16, stride 8, padding 4
    with pytest.raises(TypeError, match="positional"):
        ConvSpec(16, 8, 4)
    with pytest.raises(TypeError, match="positional"):
        TransposedConvSpec(3, 2)
