"""After input validation, a mistake in the mathematics is a failed proof, never an exception.

Every ``prove_*`` is decorated with :func:`symconv.proofs.guard.guarded`; those that validate input call
``started()`` once the input is accepted.  A formula that raises symconv's own error (as a corrupted or
mistaken formula may) must then read as ``holds=False`` with a failed "construction" step.
"""

from __future__ import annotations

import types

import pytest

import symconv.formulas as formulas
from symconv import ConvSpec, TransposedConvSpec
from symconv.errors import ShapeError, SpecError
from symconv.proofs.identities import prove_adjoint
from symconv.proofs.weight_gradient import prove_weight_gradient_general
from symconv.proofs.general import prove_transpose_general


def _raising_formulas() -> types.SimpleNamespace:
    def tap_position(*args):
        raise SpecError("a corrupted tap_position")

    names = {name: getattr(formulas, name) for name in dir(formulas) if not name.startswith("__")}
    return types.SimpleNamespace(**{**names, "tap_position": tap_position})


@pytest.mark.parametrize("prove", [prove_weight_gradient_general, prove_transpose_general])
def test_a_formula_raising_symconvs_error_fails_the_parametric_proof(prove):
    proof = prove(formulas=_raising_formulas())
    assert proof.holds is False
    assert "corrupted tap_position" in proof.steps[-1].detail


def test_an_error_after_validation_fails_the_adjoint_proof(monkeypatch):
    import symconv.proofs.identities as identities

    def broken(*args, **kwargs):
        raise SpecError("a broken convention")

    monkeypatch.setattr(identities, "convention_step", broken)
    proof = prove_adjoint(ConvSpec(3, stride=2, padding=1), (5,))
    assert proof.holds is False and "broken convention" in proof.steps[-1].detail


def test_bad_input_is_still_refused_before_the_proof():
    with pytest.raises(ShapeError):
        prove_adjoint(TransposedConvSpec(3, stride=2), (0,))
