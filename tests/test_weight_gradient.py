"""The weight gradient is a convolution with stride and dilation traded: proofs, mutations, PyTorch."""

from __future__ import annotations

import types

import numpy as np
import pytest

import symconv.formulas as F
import symconv.proofs.weight_gradient as wg
from symconv import ConvSpec, prove_weight_gradient, prove_weight_gradient_general

LAYERS = [
    (ConvSpec(3, stride=2, padding=1), (7,)),
    (ConvSpec(2, stride=3, padding=(0,), dilation=2), (11,)),
    (ConvSpec((3, 2), stride=(2, 1), padding=((1, 0), (0, 2)), dilation=(1, 3), in_channels=4, out_channels=6,
              groups=2), (6, 7)),
    (ConvSpec((2, 2, 2), stride=2, padding=1, in_channels=2, out_channels=2), (4, 3, 5)),
]


@pytest.mark.parametrize("spec, shape", LAYERS)
def test_instance_holds_with_a_stated_bound(spec, shape):
    proof = prove_weight_gradient(spec, shape)
    assert proof.holds, proof.failure
    assert proof.steps[0].name == "convention" and proof.steps[0].holds
    assert [step.name for step in proof.steps] == ["convention", "chain rule", "weight gradient"]
    assert all(step.checker == "randomized identity" and "2^-" in step.detail for step in proof.steps[1:])
    assert proof.steps[2].condition and proof.steps[1].rhs == proof.steps[2].lhs  # one chain reaches the sum


@pytest.mark.parametrize("wrong", [
    lambda i, m, s, p_l, d: s * i + d * m - p_l + 1,  # off by one
    lambda i, m, s, p_l, d: d * i + s * m - p_l,  # stride and dilation exchanged in the index map
])
@pytest.mark.parametrize("spec, shape", LAYERS[:3])
def test_the_chain_rule_sum_is_checked_and_fails_with_a_wrong_index_map(spec, shape, wrong):
    names = {name: getattr(F, name) for name in F.__all__}
    names["tap_position"] = wrong
    proof = prove_weight_gradient(spec, shape, formulas=types.SimpleNamespace(**names))
    chain_rule = proof.steps[1]
    assert chain_rule.name == "chain rule" and not chain_rule.holds and not proof.holds
    assert "by definition" in chain_rule.detail and "by the sum" in chain_rule.detail
    assert proof.failed_step.name == "chain rule"


def test_general_holds_and_fails_when_corrupted():
    assert prove_weight_gradient_general().holds
    names = {name: getattr(F, name) for name in F.__all__}
    names["conv_output_size"] = lambda n, k, s, p_l, p_r, d: (n + p_l + p_r - d * (k - 1) - 1) // s
    bad = prove_weight_gradient_general(formulas=types.SimpleNamespace(**names))
    # the output length is pinned to PyTorch's first (chain rule), and the gradient still has too few outputs
    failed = {step.name: step for step in bad.steps if not step.holds}
    assert not bad.holds and bad.failed_step.name == "chain rule" and bad.failed_step.counterexample
    assert "enough outputs" in failed and failed["enough outputs"].counterexample


def test_not_trading_stride_and_dilation_fails(monkeypatch):
    """The mistake of keeping stride and dilation in place is caught (where they differ)."""
    def untraded(spec, input_shape):
        shape = spec.check_input_shape(input_shape)
        return ConvSpec(spec.output_shape(shape), stride=spec.stride, padding=spec.padding, dilation=spec.dilation)

    monkeypatch.setattr(wg, "weight_gradient_spec", untraded)
    for spec, shape in LAYERS[:3]:
        proof = prove_weight_gradient(spec, shape)
        assert not proof.holds and ("weight entry" in proof.failure or "cannot be applied" in proof.failure)


@pytest.mark.parametrize("spec, shape", LAYERS)
def test_matches_pytorch_conv_weight(torch, spec, shape):
    """torch.nn.grad.conv{N}d_weight (PyTorch's weight gradient) equals symconv's convolution form."""
    ndim = spec.ndim
    rng = np.random.default_rng(0)
    x = rng.integers(-5, 6, (spec.in_channels,) + shape)
    g = rng.integers(-5, 6, (spec.out_channels,) + spec.output_shape(shape))
    ours = wg._by_convolution(spec, shape, g, x)
    left = [pl for pl, _ in spec.padding]
    right = [pr for _, pr in spec.padding]
    xt = torch.tensor(x, dtype=torch.float64)[None]
    if left != right:  # PyTorch pads symmetrically: pad the input explicitly
        pad = []
        for pl, pr in reversed(spec.padding):
            pad += [pl, pr]
        xt = torch.nn.functional.pad(xt, pad)
        left = [0] * ndim
    fn = getattr(torch.nn.grad, f"conv{ndim}d_weight")
    theirs = fn(xt, spec.weight_shape, torch.tensor(g, dtype=torch.float64)[None], stride=spec.stride,
                padding=tuple(left), dilation=spec.dilation, groups=spec.groups)
    np.testing.assert_array_equal(ours, theirs.numpy().astype(np.int64))
    assert np.array_equal(ours, wg._by_definition(spec, g, x))


def test_a_failed_instance_reports_small_numbers(monkeypatch):
    """The refutation names unit inputs and entries 0/1, not the random trial's 18-digit sums."""
    def untraded(spec, input_shape):
        shape = spec.check_input_shape(input_shape)
        return ConvSpec(spec.output_shape(shape), stride=spec.stride, padding=spec.padding, dilation=spec.dilation)

    monkeypatch.setattr(wg, "weight_gradient_spec", untraded)
    proof = prove_weight_gradient(ConvSpec(3, stride=2, padding=1), (7,))
    assert not proof.holds
    assert "the input 1 at" in proof.failure and not any(len(t) > 3 for t in __import__("re").findall(r"\d+", proof.failure))
    # the theorem still states the true claim (stride = the layer's dilation); the lemma shows what ran
    assert "stride $1$ (the layer's dilation)" in proof.statement  # a number in prose, no Python tuple
    assert "(the layer's dilation)" not in proof.steps[2].rule


def test_general_chain_shows_the_exchange_and_proves_at_least_k(monkeypatch):
    proof = prove_weight_gradient_general()
    trade, enough = proof.steps[1], proof.steps[2]
    assert str(trade.lhs) != str(trade.rhs)  # not a renaming: the right side is the traded convolution's output m
    assert r"stride $d$, dilation $s$" in str(trade.rhs)
    # the claim pins the read of the executed traded layer: tap(m, i, d, p_l, s), output index and tap traded
    assert any("tap_position(m, i, d, p_l, s)" in str(claim.conclusion) for claim in trade.claims)
    # the count of outputs is displayed as a formula (no n_out(n, n_out, ...)), pinned to the executed function
    assert "conv_output_size" not in str(enough.lhs) and "n_out" in str(enough.lhs)
    assert any(r"conv_output_size(n, \kappa, d, p_l, p_r, s)" in str(claim.conclusion) for claim in enough.claims)
    assert getattr(enough, "relation", "=") == r"\ge"
    from symconv.latex.documents import proof_document
    assert r"\ge k" in proof_document(proof)
    monkeypatch.setattr(wg, "gradient_layer", lambda n_out, s, p_l, p_r, d: (n_out, s, p_l, p_r, d))
    bad = prove_weight_gradient_general()
    assert not bad.holds and bad.failed_step.name == "stride and dilation trade places"
    assert bad.failed_step.counterexample
