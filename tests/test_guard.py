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
from symconv.proofs.general import prove_transpose_general
from symconv.proofs.identities import prove_adjoint
from symconv.proofs.weight_gradient import prove_weight_gradient_general


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


# --- survivors found by the adversarial review of 2026-12-02 (each must now fail the proof) -----------------


def test_a_structure_comparison_blind_to_coefficients_is_refused(monkeypatch):
    import numpy as np

    import symconv.structure as structure
    from symconv import prove_transpose

    def equals(self, other):
        if self.order != other.order:
            return equals(self.row_major, other.row_major)
        return (self.shape == other.shape and self.size == other.size and bool(np.array_equal(self.rows, other.rows))
                and bool(np.array_equal(self.cols, other.cols)) and bool(np.array_equal(self.taps, other.taps)))

    monkeypatch.setattr(structure.Structure, "equals", equals)
    proof = prove_transpose(ConvSpec(3, stride=2, padding=1), (5,))
    assert proof.holds is False and "changed coefficient" in proof.failed_step.detail


def test_a_gram_comparison_blind_to_coefficients_is_refused(monkeypatch):
    import symconv.gram as gram
    from symconv import prove_gram

    ordered = gram._ordered_terms
    monkeypatch.setattr(gram, "_ordered_terms", lambda g: ordered(g)[:1])
    proof = prove_gram(ConvSpec((3, 3), stride=2, padding=1), (6, 7))
    assert proof.holds is False and "changed coefficient" in proof.failed_step.detail


def test_the_gram_axes_are_tied_to_m(monkeypatch):
    import symconv.proofs.gram as proofs_gram
    from symconv import prove_gram

    monkeypatch.setattr(proofs_gram, "_axis_spec", lambda spec, ax: ConvSpec(
        spec.kernel_size[ax], stride=spec.stride[ax], padding=(spec.padding[ax],), dilation=1))
    proof = prove_gram(ConvSpec(3, stride=1, padding=4, dilation=2), (7,))
    assert proof.holds is False and proof.failed_step.name == "M by axes"


def test_an_empty_interior_is_not_taken_on_trust(monkeypatch):
    import symconv.proofs.gram as proofs_gram
    from symconv import prove_gram

    monkeypatch.setattr(proofs_gram, "gram_interior", lambda spec, shape: tuple(range(0) for _ in shape))
    proof = prove_gram(ConvSpec((3, 3), stride=2, padding=1), (6, 7))
    assert proof.holds is False and proof.failed_step.name == "interior bounds"


def test_rows_of_a_phase_without_taps_are_zero_on_both_sides():
    from symconv import prove_gram

    proof = prove_gram(ConvSpec(3, stride=2, padding=1, dilation=2), (9,))  # interior {4}: phase 1, no tap
    assert proof.holds, proof.failure


def test_the_weight_gradient_theorem_pins_the_output_length(monkeypatch):
    """A wrong n_out (p_r dropped) made the parametric weight-gradient proof hold with a wrong theorem."""
    import types

    import symconv.formulas as F
    from symconv.proofs.weight_gradient import prove_weight_gradient_general

    names = {name: getattr(F, name) for name in dir(F) if not name.startswith("__")}
    bad = types.SimpleNamespace(**{**names, "conv_output_size":
                                   lambda n, k, s, p_l, p_r, d: (n + p_l - d * (k - 1) - 1) // s + 1})
    proof = prove_weight_gradient_general(formulas=bad)
    assert proof.holds is False and proof.failed_step.name == "chain rule"
