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
# provers about one padding mode take layers with that mode (a zero-padded layer is refused for its value, SpecError)
CIRCULAR = ConvSpec(3, stride=2, padding=1, padding_mode="circular")
LAYERS = {"prove_padding_mode": ((CIRCULAR, (6,)), (CIRCULAR.transpose((6,)), CIRCULAR.output_shape((6,))))}

# the spec kinds the provers accept (the others must be refused with SpecTypeError); a prover not listed here is
# held to the general rule only: each kind gives a Proof or a SpecTypeError, and at least one kind is accepted
ACCEPTS = {
    "prove_transpose": (ConvSpec, TransposedConvSpec),
    "prove_adjoint": (ConvSpec, TransposedConvSpec),
    "prove_overlap": (TransposedConvSpec,),
    "prove_gradient": (ConvSpec,),
    "prove_weight_gradient": (ConvSpec,),
    "prove_gram": (ConvSpec,),
}


def _layer_provers():
    """The public provers whose first parameter is a layer."""
    for name in symconv.__all__:
        if name.startswith("prove_"):
            params = list(inspect.signature(getattr(symconv, name)).parameters)
            if params and params[0] in ("spec", "tspec"):
                yield name


def test_the_known_provers_are_still_public():
    assert set(ACCEPTS) <= set(_layer_provers())


@pytest.mark.parametrize("name", sorted(_layer_provers()))
def test_both_spec_kinds_or_spec_type_error(name):
    prover = getattr(symconv, name)
    accepted = []
    for spec, shape in LAYERS.get(name, ((CONV, SHAPE), (TRANSPOSED, T_SHAPE))):
        expected = ACCEPTS.get(name)
        if expected is not None and not isinstance(spec, expected):
            with pytest.raises(SpecTypeError, match="ConvSpec"):
                prover(spec, shape)
            continue
        try:
            proof = prover(spec, shape)
        except SpecTypeError:
            assert expected is None, (name, spec)
            continue
        assert proof.holds, (name, spec)
        accepted.append(type(spec))
    assert accepted, f"{name} accepts neither spec kind"
    for junk in ("conv", 3, None):
        with pytest.raises(SpecTypeError):
            prover(junk, SHAPE)


def test_pytorch_positional_habits_fail_loudly():
    # Conv1d(in, out, kernel_size) read positionally would silently mean kernel 16, stride 8, padding 4
    with pytest.raises(TypeError, match="positional"):
        ConvSpec(16, 8, 4)
    with pytest.raises(TypeError, match="positional"):
        TransposedConvSpec(3, 2)
