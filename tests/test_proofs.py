import re
import types

import numpy as np
import pytest
import sympy

import symconv.formulas as F
from symconv import (
    ConvSpec,
    SizeLimitError,
    TransposedConvSpec,
    conv_matrix,
    kernel_symbols,
    padding_matrix,
    prove_adjoint,
    prove_gradient,
    prove_overlap,
    prove_size_relations,
    prove_transpose,
    prove_transpose_general,
    transposed_conv_matrix,
    zero_insertion_matrix,
)
from symconv.proofs import CHECKERS, Step
from symconv.proofs.instance import equality_step


def random_tspec(rng, ndim):
    g = int(rng.integers(1, 3))
    k = tuple(int(v) for v in rng.integers(1, 4, ndim))
    s = tuple(int(v) for v in rng.integers(1, 4, ndim))
    d = tuple(int(v) for v in rng.integers(1, 4, ndim))
    a = tuple(int(rng.integers(0, max(si, di))) for si, di in zip(s, d))
    pad = tuple((int(rng.integers(0, 4)), int(rng.integers(0, 4))) for _ in range(ndim))
    return TransposedConvSpec(k, stride=s, padding=pad, output_padding=a, dilation=d, in_channels=g * int(rng.integers(1, 3)), out_channels=g * int(rng.integers(1, 3)), groups=g)


@pytest.mark.parametrize("seed", range(30))
def test_instance_proof_nd_channels_groups(seed):
    rng = np.random.default_rng(seed)
    ndim = 2 if seed % 3 else 3
    while True:
        t = random_tspec(rng, ndim)
        shape = tuple(int(v) for v in rng.integers(2, 5, ndim))
        try:
            t.output_shape(shape)
            break
        except ValueError:
            continue
    proof = prove_transpose(t, shape, seed=seed)
    assert proof.holds, proof.failure
    assert [s.name for s in proof.steps] == ["convention", "M is the convolution", "T is the transposed convolution",
                                             "sizes", "transpose", "gather view", "scatter view", "polyphase view"]
    assert [s.checker for s in proof.steps[1:3]] == ["randomized identity"] * 2
    assert all("2^-" in s.detail for s in proof.steps[1:3])


def test_instance_proof_from_conv_spec_and_a_at_least_s():
    spec = ConvSpec((3, 3), stride=2, padding=((1, 0), (0, 2)), in_channels=4, out_channels=2, groups=2)
    assert prove_transpose(spec, (7, 8)).holds
    t = TransposedConvSpec(2, stride=1, dilation=3, output_padding=2)
    proof = prove_transpose(t, (4,))
    assert proof.holds and not proof.data["selection_is_identity"]
    assert "S keeps the first" in proof.steps[3].detail


def test_instance_size_bound():
    with pytest.raises(SizeLimitError, match="prove_transpose_general"):
        prove_transpose(ConvSpec((3, 3)), (100, 100), max_terms=1000)


# -- deliberately wrong constructions are caught at the first differing entry ---------------

T_SPEC = TransposedConvSpec((3, 2), stride=(2, 1), padding=((1, 0), (1, 1)), output_padding=(1, 0), dilation=(1, 2),
                            in_channels=4, out_channels=6, groups=2)
SHAPE = (3, 4)


def _gather(weight_transform=None, factor=None, pads=None):
    view = T_SPEC.as_convolution()
    w = kernel_symbols(T_SPEC)
    Z = zero_insertion_matrix(T_SPEC.in_channels, SHAPE, factor or view.zero_insertion)
    Pad = padding_matrix(T_SPEC.in_channels, Z.row_shape[1:], pads or view.padding)
    C = conv_matrix(view.conv, (weight_transform or view.transform_weight)(w), Pad.row_shape[1:])
    return C @ (Pad @ Z), w


def _as_array(arr, shape):
    return sympy.ImmutableDenseNDimArray(arr.ravel().tolist(), shape)


def _unflipped(w):
    grouped = np.array(w.tolist(), dtype=object).reshape(2, 2, 3, 3, 2).swapaxes(1, 2).reshape(6, 2, 3, 2)
    return _as_array(grouped, (6, 2, 3, 2))


def _plain_swap(w):
    arr = np.array(w.tolist(), dtype=object)  # (4, 3, 3, 2) -> swap axes 0, 1 ignoring groups, then reshape
    swapped = np.flip(arr.swapaxes(0, 1), axis=(2, 3)).reshape(6, 2, 3, 2)
    return _as_array(swapped, (6, 2, 3, 2))


@pytest.mark.parametrize(
    "case, kwargs",
    [
        ("unflipped kernel", dict(weight_transform=_unflipped)),
        ("channels swapped without regard to groups", dict(weight_transform=_plain_swap)),
        ("s instead of s - 1 zeros", dict(factor=(3, 2))),
    ],
)
def test_wrong_gather_constructions_fail_with_first_difference(case, kwargs):
    T = transposed_conv_matrix(T_SPEC, kernel_symbols(T_SPEC), SHAPE)
    G, _ = _gather(**kwargs)
    if G.shape != T.shape:
        step = equality_step(case, T, G, "T", "G", case)
        assert not step.holds and "shapes differ" in step.detail
        return
    step = equality_step(case, T, G, "T", "G", case)
    assert not step.holds
    assert "first differing entry at row" in step.detail and "axis" in step.detail


def test_padding_off_by_one_fails():
    T = transposed_conv_matrix(T_SPEC, kernel_symbols(T_SPEC), SHAPE)
    view = T_SPEC.as_convolution()
    shifted = tuple((left + 1, right - 1) for left, right in view.padding)
    G, _ = _gather(pads=shifted)
    step = equality_step("padding", T, G, "T", "G", "padding off by one")
    assert not step.holds and "first differing entry at row" in step.detail


# -- the parametric proof ---------------------------------------------------------------------

@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_general_proof_holds(ndim):
    proof = prove_transpose_general(ndim)
    assert proof.holds, proof.failure
    assert {step.checker for step in proof.steps} == {"z3"}
    assert all(step.claims and all(c.holds and c.checker == "z3" for c in step.claims) for step in proof.steps)
    assert all(step.spot_checks == 0 for step in proof.steps)  # the solver proves; nothing rests on samples
    if ndim > 1:
        assert [s.name for s in proof.steps[-3:]] == ["separability", "axes", "channel blocks"]


def test_general_nd_proof_writes_each_axis_objects_with_the_axis_superscript():
    """Issue 18: in the N-D document the 1-D chain of an axis names its matrices and kernels T^(nu), M^(nu), S^(nu),
    C_flip^(nu), w^(nu) (defined where the proof opens that chain), so that T, M, S, C_flip and w keep their one N-D meaning; the
    1-D document keeps the plain letters; the axes' sizes are n_T^(nu), which the theorem defines."""
    two = prove_transpose_general(2)
    tex = two.to_document()
    statement = two.statement
    proof = tex[tex.index(r"\begin{proof}"):tex.index(r"\end{proof}")]
    opening = proof[:proof.index(r"\begin{align*}")]  # the sentence that opens the chain of one axis
    for symbol in (r"T^{(\nu)}[j, i] =", r"M^{(\nu)}[i, j]", r"(C_{\mathrm{flip}}^{(\nu)} z)[j] =",
                   r"w^{(\nu)} \in \mathbb{R}^{k}", r"\tilde w^{(\nu)}[m] ="):
        assert symbol in opening, symbol  # defined before the chain uses them
    assert r"S^{(\nu)} = [I \mid 0]" in statement and r"T^{(\nu)}" not in statement
    assert r"(T^{(\nu)} y)\left[j\right] &=" in proof and r"(T y)" not in proof
    assert r"T^{(\nu)} &= \left(S^{(\nu)} M^{(\nu)}\right)^{\top}" in proof
    assert r"w\left[m\right]" not in proof and r"w^{(\nu)}\left[m\right]" in proof
    assert r"$y$, $w$, $T$" not in tex  # no sentence re-binding the N-D letters to an axis's
    assert "n_T^{(2)}" in proof and "n_{2}" not in tex
    one = prove_transpose_general(1).to_document()
    assert r"(T y)\left[j\right] &=" in one and r"^{(\nu)}" not in one
    assert str(two.steps[0].rhs) == str(prove_transpose_general(1).steps[0].rhs)  # the same chain, only printed apart


def _corrupt(**functions):
    names = {name: getattr(F, name) for name in F.__all__}
    names.update(functions)
    return types.SimpleNamespace(**names)


@pytest.mark.parametrize(
    "corruption, failing",
    [
        (dict(flip_tap=lambda m, k: m), "flip"),  # pinned to PyTorch's reversal at the flip lemma
        (dict(flip_tap=lambda m, k: k - m), "flip"),
        (dict(zero_insertion_position=lambda i, s: (s + 1) * i), "zero insertion"),
        (dict(zero_insertion_position=lambda i, s: 2 * s * i), "zero insertion"),
        (dict(gather_padding_left=lambda k, p_l, d: d * (k - 1) - p_l + 1), "convolution"),
        (dict(tap_position=lambda i, m, s, p_l, d: s * i + d * m + p_l), "definition"),
        (dict(gather_padding_right=lambda k, p_r, d, a: d * (k - 1) - p_r), "padding"),
        (dict(transposed_output_size=lambda n, k, s, p_l, p_r, d, a: (n - 1) * s - p_l - p_r + d * (k - 1) + 1),
         "definition"),
    ],
)
def test_corrupted_formula_makes_the_proof_fail(corruption, failing):
    proof = prove_transpose_general(1, formulas=_corrupt(**corruption))
    assert not proof.holds
    assert proof.failed_step.name == failing, proof.failure
    assert proof.failure.startswith("step ")
    example = proof.failed_step.counterexample
    assert example and all(isinstance(v, int) for v in example.values())


def test_the_group_line_of_the_chain_is_proved_and_fails_when_the_group_channel_is_wrong():
    """The chain's line floor((c_l + gamma c_i)/c_i) = gamma is a claim of its own, refuted by a wrong channel map."""
    step = prove_transpose_general(2).steps[-1]
    line = next(c for c in step.claims if c.name.startswith("channel $\\gamma c_i + c_l$"))
    assert line.holds and step.condition and "c_l < c_i" in step.condition
    assert isinstance(step.lhs, sympy.floor) and step.rhs == sympy.Symbol("gamma", integer=True)
    for wrong in (lambda group, per_group, local: group * per_group + local + per_group,
                  lambda group, per_group, local: group + local):
        bad = prove_transpose_general(2, formulas=_corrupt(group_channel=wrong)).steps[-1]
        refuted = next(c for c in bad.claims if c.name == line.name)
        assert not refuted.holds and not bad.holds and refuted.counterexample
        assert not isinstance(bad.lhs, sympy.floor)  # refuted, the line shows the executed group function


def test_a_refuted_group_line_shows_the_executed_function_with_neq_and_no_range():
    bad = prove_transpose_general(2, formulas=_corrupt(channel_group=lambda c, per_group: c % per_group))
    tex = bad.to_document()
    # the line's tag names the lemma, or gives its number alone when a wide line of the display leaves no room
    number = [step.name for step in bad.steps].index("channel blocks") + 1
    line = next(line for line in tex.splitlines() if r"\tag" in line
                and ("channel blocks" in line or rf"Lemma~\thetheorem.{number};" in line))
    assert r"\neq" in line and r"\lfloor" not in line and r"\text{for }" not in line, line


def test_counterexample_is_a_real_counterexample():
    """The solver's counterexample, plugged into the corrupted formula, really breaks the claim."""
    bad = _corrupt(flip_tap=lambda m, k: m)
    proof = prove_transpose_general(1, formulas=bad)
    claim = next(c for c in proof.failed_step.claims if not c.holds)
    values = {sympy.Symbol(name, integer=True): v for name, v in claim.counterexample.items()}
    hypotheses = [sympy.sympify(h).subs(values) for h in claim.hypotheses]
    assert all(bool(h) for h in hypotheses)


def test_step_rejects_unknown_checker():
    with pytest.raises(ValueError, match="unknown checker"):
        Step(1, 1, "rule", "vibes", True)
    assert set(CHECKERS) >= {"z3", "sympy", "exact structure", "randomized identity", "by definition"}


def test_proof_prints_readably():
    proof = prove_transpose(ConvSpec(3, stride=2, padding=1), (5,))
    text = str(proof)
    assert "holds" in text and "✓ T = M.T" in text and "[exact structure]" in text
    general = str(prove_transpose_general())
    assert "yhat[(-d*m + j + p_l)/s]" in general and "wflip[m']" in general and "[z3]" in general
    assert sympy.pretty(prove_transpose_general().steps[4].rhs)

    class Printer:
        def __init__(self):
            self.out = ""

        def text(self, value):
            self.out += value

    printer = Printer()
    proof._repr_pretty_(printer, False)
    assert printer.out == text


# -- identities -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "spec, shape",
    [
        (ConvSpec(3, stride=2, padding=1), (5,)),
        (ConvSpec((2, 3), stride=(2, 1), padding=((0, 1), (1, 0)), in_channels=2, out_channels=4, groups=2), (4, 3)),
        (TransposedConvSpec(2, stride=1, dilation=3, output_padding=2), (3,)),
    ],
)
def test_adjoint(spec, shape):
    proof = prove_adjoint(spec, shape)
    assert proof.holds, proof.failure
    assert proof.data["left"] != 0


def test_gradient():
    assert prove_gradient(ConvSpec(3, stride=2, padding=1, in_channels=2, out_channels=4, groups=2), (6,)).holds
    assert prove_gradient(ConvSpec((2, 2), stride=2, dilation=(1, 2)), (4, 5)).holds


def test_adjoint_statement_names_the_given_layer_first_and_the_group_of_the_output_channel():
    conv = ConvSpec((2, 2), stride=2, in_channels=2, out_channels=2, groups=2)
    given_conv = prove_adjoint(conv, (4, 4))
    assert given_conv.statement.startswith(r"Let $\operatorname{conv}$ be the convolution")
    given_t = prove_adjoint(conv.transpose((4, 4)), (2, 2))
    assert given_t.statement.startswith(r"Let $\operatorname{conv}^{\top}$ be the transposed convolution")
    for proof in (given_conv, given_t):  # conv^T's channel c: its group from c, the sum over the o of that group
        assert r"\operatorname{conv}^{\top}(y)[c, j] = \sum_{o \,:\, \lfloor o / c_o \rfloor = \gamma}" in proof.statement
        assert r"$\gamma = \lfloor c / c_i \rfloor$" in proof.statement
        assert "$c_i = 1$ and $c_o = 1$ the convolution's input and output channels per group" in proof.statement
        assert any("exchanging the sums over $(o, i, c_l, m)$" in note for note in proof.notes)
        assert not any("sympy" in s.rule + s.detail for s in proof.steps)


def test_gradient_statement_quantifies_and_argues():
    proof = prove_gradient(ConvSpec(3, stride=2, padding=1), (5,))
    assert r"For every input $x$, weight $w$ and target $y^{\ast} \in \mathbb{R}^{3}$" in proof.statement
    assert r"$T = T(w)$" in proof.statement and r"\sum_{i} (y[i] - y^{\ast}[i])^2" in proof.statement
    assert any(r"M^{\top} \frac{\partial \ell}{\partial y}" in note for note in proof.notes)
    assert not any("sympy" in s.rule + s.detail for s in proof.steps)


def test_size_relations_say_how_each_floor_and_remainder_was_closed():
    proof = prove_size_relations(spot_checks=2)
    closing = {"relationships 5 and 7", "relationship 6", "relationship 12a", "relationship 12b",
               "relationship 13a", "relationship 13b", "relationship 14a", "relationship 15",
               "general output padding"}
    for step in proof.steps:
        if step.name in closing:
            assert step.detail, step.name
    trip = next(s for s in proof.steps if s.name == "general output padding")
    assert "= b s + r$" in trip.rule and "q s" not in trip.rule  # q is the quotient of relationships 12 and 13


def test_identities_refuse_huge_inputs():
    with pytest.raises(SizeLimitError, match="SYMBOLIC_LIMIT"):
        prove_adjoint(ConvSpec((3, 3)), (100, 100))


def test_size_relations_all_fifteen():
    proof = prove_size_relations()
    assert proof.holds, proof.failure
    cited = {number for step in proof.steps if step.name.startswith("relationship")
             for number in re.findall(r"\d+", step.name)}
    assert cited == {str(n) for n in range(1, 16)}
    assert {"general output padding", "dilated transposed"} <= {step.name for step in proof.steps}
    # relationships 5 and 7 are one formula: one lemma, not the same display twice
    displays = [(str(step.lhs), str(step.rhs)) for step in proof.steps]
    assert len(displays) == len(set(displays))
    assert all(step.spot_checks == 50 for step in proof.steps)  # the round trip and dilated size too


# -- overlap ----------------------------------------------------------------------------------

def test_overlap_examples():
    three = prove_overlap(TransposedConvSpec(3, stride=2), (8,))
    four = prove_overlap(TransposedConvSpec(4, stride=2), (8,))
    dilated = prove_overlap(TransposedConvSpec(4, stride=2, dilation=2), (8,))
    assert three.holds and four.holds and dilated.holds
    assert three.data["uniform"] == (False,) and four.data["uniform"] == (True,) and dilated.data["uniform"] == (False,)
    assert three.data["periods"] == ([2, 1],) or three.data["periods"] == ([1, 2],)
    assert 0 in dilated.data["periods"][0]


def test_overlap_criterion_sweep():
    for k in range(1, 7):
        for s in range(1, 5):
            for d in range(1, 4):
                for p in (0, 1):
                    proof = prove_overlap(TransposedConvSpec(k, stride=s, dilation=d, padding=p), (12,))
                    assert proof.holds, (k, s, d, p, proof.failure)


def test_overlap_2d_is_product():
    proof = prove_overlap(TransposedConvSpec((3, 4), stride=2), (5, 5))
    assert proof.holds and proof.steps[-1].name == "product"
    assert proof.data["counts"].shape == (11, 12)


def test_overlap_sequences_carry_their_axis():
    # in several dimensions count, taps and I have one name per axis (the axes' values differ: k = 3 and 4 here);
    # in one dimension there is one axis, and no subscript or "axis 0" is written
    two = prove_overlap(TransposedConvSpec((3, 4), stride=2), (5, 5)).to_latex()
    for name in ("taps", "count"):
        # the axes are nu = 1, 2 (as k_1, k_2 in the Conventions), never numbered from 0 beside them
        assert rf"\operatorname{{{name}}}_{{1}}" in two and rf"\operatorname{{{name}}}_{{2}}" in two
        assert rf"\operatorname{{{name}}}_{{0}}" not in two
    assert r"\operatorname{taps}_{\nu}[t]" in two and r"I_{\nu}" in two
    assert "axis $0$" not in two and "I_{0}" not in two and r"axis $\nu = 2$" in two
    assert not re.search(r"\\operatorname\{taps\}(\[|\\left\[)", two)  # no taps without its axis
    one = prove_overlap(TransposedConvSpec(3, stride=2), (5,)).to_latex()
    assert r"\operatorname{taps}[t]" in one and r"\operatorname{count}_{0}" not in one
    assert r"\operatorname{taps}_{0}" not in one and "I_{0}" not in one and "axis $0$" not in one.lower()


@pytest.mark.parametrize("mutation, layer, failing", [
    ("_closed_form", TransposedConvSpec(3, stride=2), "counts"),  # the direct count off by one
    ("interior", TransposedConvSpec(3, stride=2), "period"),  # the interior widened over the borders
    ("phase_tap_counts", TransposedConvSpec(3, stride=2), "phase counts"),  # the phases' tap counts swapped
    ("math", TransposedConvSpec(4, stride=2, dilation=2), "uniformity"),  # gcd(s, d) = 1 always: the criterion
])
def test_overlap_steps_fail_when_their_mathematics_is_broken(monkeypatch, mutation, layer, failing):
    """Each step of the overlap proof is checked: broken on purpose, it is a result (holds False), not an error."""
    import math as real_math

    import symconv.proofs.overlap as overlap

    broken = {
        "_closed_form": lambda real: (lambda j, *args: real(j, *args) + (j == 3)),
        "interior": lambda real: (lambda *args: range(0, real(*args).stop + 2)),
        "phase_tap_counts": lambda real: (lambda k, s, d: tuple(reversed(real(k, s, d)))),
        "math": lambda real: types.SimpleNamespace(gcd=lambda a, b: 1, prod=real_math.prod),
    }[mutation](getattr(overlap, mutation))
    # the criterion's gcd lives in symconv.polyphase (equal_taps_criterion, the one source the overlap step uses)
    monkeypatch.setattr(overlap._polyphase if mutation == "math" else overlap, mutation, broken)
    proof = prove_overlap(layer, (8,))
    assert not proof.holds and proof.failed_step.name == failing, [s.name for s in proof.steps if not s.holds]


@pytest.mark.parametrize("ndim", [1, 2])
def test_overlap_general_holds_for_all_sizes(ndim):
    from symconv.proofs import prove_overlap_general

    proof = prove_overlap_general(ndim)
    assert proof.holds, proof.failure
    names = [step.name for step in proof.steps]
    assert names == ["definition", "sift into the phase", "period"] + (["separability", "product"] if ndim > 1 else [])
    assert all(claim.witness for step in proof.steps for claim in step.claims if claim.hypotheses)  # not vacuous
    text = proof.to_latex()
    assert "cited, not proved here" in text and (r"\operatorname{count}_{2}" in text) == (ndim > 1)


@pytest.mark.parametrize("formula, wrong, failing", [
    ("tap_position", lambda i, m, s, pl, d: s * i + d * m - pl + 1, "definition"),
    ("transposed_output_size", lambda n, k, s, pl, pr, d, a: (n - 1) * s - pl - pr + d * (k - 1) + a + 2, "definition"),
    ("phase_of", lambda j, s, pl: (j + pl) % (s + 1), "period"),
])
def test_overlap_general_fails_with_a_wrong_formula(formula, wrong, failing):
    from symconv.proofs import prove_overlap_general

    bad = types.SimpleNamespace(**{name: getattr(F, name) for name in F.__all__}, LATEX_NAMES=F.LATEX_NAMES)
    setattr(bad, formula, wrong)
    proof = prove_overlap_general(formulas=bad)
    assert not proof.holds and proof.failed_step.name == failing


def test_overlap_general_sift_needs_the_interior(monkeypatch):
    """Without the interior's bounds, a tap of the phase may read an input that does not exist: the claim fails."""
    import symconv.proofs.overlap as overlap

    monkeypatch.setattr(overlap, "_interior_bounds", lambda j, n, k, s, d, pl: ())  # every output, not the interior
    proof = overlap.prove_overlap_general()
    assert not proof.holds and proof.failed_step.name == "sift into the phase"


def test_size_relations_fail_with_the_smallest_counterexample_in_range(monkeypatch):
    """A changed size formula refutes the relationships that use it, at the smallest setting inside the ranges."""
    import symconv.proofs.identities as identities

    real = F.conv_output_size
    bad = types.SimpleNamespace(**{name: getattr(F, name) for name in F.__all__}, LATEX_NAMES=F.LATEX_NAMES)
    bad.conv_output_size = lambda n, k, s, p_l, p_r, d: real(n, k, s, p_l, p_r, d) + (d - 1)  # wrong with dilation
    monkeypatch.setattr(identities, "F", bad)
    proof = prove_size_relations(spot_checks=5)
    assert not proof.holds
    failed = [step for step in proof.steps if not step.holds]
    assert [step.name for step in failed] == ["relationship 15", "general output padding"]
    example = failed[0].counterexample
    assert example and example["d"] == 2 and all(v <= 2 for v in example.values()), example
    assert example["n"] + 2 * example["p"] >= example["d"] * (example["k"] - 1) + 1  # the kernel fits: in range


def test_a_failed_anchor_shows_the_differing_output_on_symbols(monkeypatch):
    from symconv.proofs.instance import WITNESS_TERMS

    monkeypatch.setattr(F, "tap_position", lambda i, m, s, p_l, d: s * i + d * m + p_l)
    proof = prove_transpose(ConvSpec(3, stride=2, padding=1), (5,))
    step = proof.failed_step
    assert not proof.holds and step.name == "M is the convolution"
    lhs, rhs = step.lhs, step.rhs
    assert isinstance(lhs, sympy.Expr) and isinstance(rhs, sympy.Expr) and sympy.expand(lhs - rhs) != 0
    names = {str(v) for v in (lhs - rhs).free_symbols}
    assert names and all(n.startswith(("w_", "x_")) for n in names), names  # weights and symbolic inputs only
    assert all(len(sympy.Add.make_args(side)) <= WITNESS_TERMS for side in (lhs, rhs))
    assert "outputs differ" in step.detail and "fewest terms" in step.detail
    assert not any(ch.isdigit() and len(tok) > 6 for tok in step.detail.split() for ch in tok[:1])  # small numbers


def test_a_passing_anchor_states_its_sampling_range_as_a_power_of_two():
    from symconv.latex.printing import text_latex
    from symconv.proofs.anchors import bound_reached

    proof = prove_transpose(ConvSpec(3, stride=2, padding=1), (5,))
    anchors = [step for step in proof.steps if step.checker == "randomized identity"]
    assert proof.holds and anchors
    for step in anchors:
        page = text_latex(step.detail)
        assert not re.search(r"\d{5,}", page), page  # no long number reaches the page
        # the bound is stated exactly and short (m 2^e, 2^e or 2^e - 1), so the false-pass bound can be recomputed
        assert re.search(r"absolute value at most \$(\d \\cdot )?2\^\{\d+\}( - 1)?\$", page), page
    short = bound_reached(np.zeros((1, 2), dtype=np.int64), np.array([[2**31, 0]]), 1239850262, 60)[1]
    assert "drawn outside" in short and not re.search(r"\d{5,}", short) and "between 2^30 and 2^31" in short


def test_the_gather_lemma_and_theorem_state_the_padding_that_ran(monkeypatch):
    monkeypatch.setattr(F, "gather_padding_left", lambda k, p_l, d: d * (k - 1) - p_l + 1)
    proof = prove_transpose(ConvSpec(3, stride=2, padding=1), (5,))
    assert not proof.holds and proof.failed_step.name == "gather view"
    for text in (proof.failed_step.rule, proof.statement):
        assert r"p'_{l} = d \left(k - 1\right) - p_{l} + 1$" in text, text
    assert "shapes differ" in proof.failed_step.detail and "(" not in proof.failed_step.detail


def test_a_flip_that_is_no_reversal_is_refuted_in_words(monkeypatch):
    monkeypatch.setattr(F, "flip_tap", lambda m, k: k - m)
    proof = prove_transpose(ConvSpec(3, stride=2, padding=1), (5,))
    step = proof.failed_step
    assert not proof.holds and step.name == "gather view"
    assert "flip(m, k) sends tap m = 0" in step.detail and "Error" not in step.detail
    page = proof.to_document()  # where the report reaches LaTeX, the flip is the Definitions' operator
    assert r"$\operatorname{flip}(m, k)$ sends tap $m = 0$ of a kernel of size $k = 3$" in page
    assert "flip(m, k) sends" not in page


def test_the_instance_theorem_defines_its_matrices_before_its_conclusion():
    proof = prove_transpose(ConvSpec((3, 3), stride=2, padding=1, in_channels=2, out_channels=2), (6, 6))
    text = proof.statement
    conclusion = text.index(r"\[")
    for symbol in ("$T$", "$M$", "$Z$", "$P$", r"$C_{\mathrm{flip}}$", r"\operatorname{stamp}", r"$\Phi$", "$Q$",
                   r"\operatorname{conv}"):
        assert -1 < text.find(symbol) < conclusion or symbol == r"\operatorname{conv}", symbol
    assert r"$\operatorname{conv}$ and" in text  # conv and its transpose are named where they are used
    assert "four phase convolutions" in text and "(6, 6)" not in text


def test_a_failed_view_shows_its_first_differing_entry(monkeypatch):
    from test_mutations import CATALOG, _apply

    _apply(monkeypatch, "channels swapped ignoring groups")
    tspec, shape = CATALOG["channels swapped ignoring groups"][1][0]
    proof = prove_transpose(tspec, shape)
    step = proof.failed_step
    assert not proof.holds and step.name == "gather view"
    assert isinstance(step.lhs, sympy.Symbol) and isinstance(step.rhs, sympy.Symbol) and step.lhs != step.rhs
    assert step.lhs.name.startswith("w_") and step.rhs.name.startswith("w_")  # two weights, not matrix names
    assert "the first entry that differs is in row" in step.detail and "output channel" in step.detail
    assert not any(f"({a}, {b}" in step.detail for a in range(10) for b in range(10))  # places in words, no tuples


def test_an_identity_flip_fails_at_the_flip_lemma_of_the_general_proof(monkeypatch):
    """The flip is pinned to PyTorch's reversal, so flip = identity fails at the flip lemma (holds=False), not later
    at the convolution's reads, and the lemma's text shows the flip that ran."""
    from symconv.proofs import prove_transpose_general

    monkeypatch.setattr(F, "flip_tap", lambda m, k: m)
    proof = prove_transpose_general(1)
    assert proof.holds is False and proof.failed_step.name == "flip"
    failed = next(c for c in proof.failed_step.claims if not c.holds)
    assert failed.name.startswith("the flip used is PyTorch's")
    assert "k - 1 - m'" not in proof.failed_step.rule and r"\tilde w[m'] = w[m']" in proof.failed_step.rule
    page = proof.to_document()
    assert r"Lemma~\thetheorem.5 (flip) fails" in page


def test_a_refuted_instance_states_what_was_claimed(monkeypatch):
    original = F.transposed_output_size

    def one_too_many(n, k, s, p_l, p_r, d, a):
        return original(n, k, s, p_l, p_r, d, a) + 1

    monkeypatch.setattr(F, "transposed_output_size", one_too_many)
    proof = prove_transpose(TransposedConvSpec(3, stride=2, padding=1, output_padding=1), (3,))
    assert proof.holds is False and proof.failed_step.name == "convention"
    assert r"T = M^{\top} = C_{\mathrm{flip}} P Z" in proof.statement
    # the verdict is no part of the (italic) claim: it follows it, upright, as a note
    assert "refuted" not in proof.statement and "fails at its definitions" in proof.notes[0]
    page = proof.to_document()
    assert r"\begin{refuted}" in page and r"\neq 6" in page
    assert page.index(r"\end{refuted}") < page.index("fails at its definitions")


def test_a_refuted_instance_shows_t_against_m_transposed_and_names_every_failed_lemma(monkeypatch):
    """With the convolution given, a wrong n_T refutes both the layer and the convention lemma: both are named,
    the layer lemma names the size function that ran, and T (6x3) is shown against M^T (5x3)."""
    original = F.transposed_output_size

    def one_too_many(n, k, s, p_l, p_r, d, a):
        return original(n, k, s, p_l, p_r, d, a) + 1

    monkeypatch.setattr(F, "transposed_output_size", one_too_many)
    proof = prove_transpose(ConvSpec(3, stride=2, padding=1), (5,))
    assert [s.name for s in proof.steps if not s.holds] == ["the layer", "convention"]
    assert r"$T$ is a $6 \times 3$ matrix, but $M^{\top}$" in proof.notes[0] and r"\times 3$" in proof.notes[0]
    page = proof.to_document()
    assert r"n^{\ast}_{T}(n_{\mathrm{in}}, k, s, p_{l}, p_{r}, d, a)$ is $n$ again" in page
    assert r"Lemma~\thetheorem.1 (the layer) fails" in page and r"Lemma~\thetheorem.2 (convention) fails too" in page


def test_one_axis_instance_says_the_output_padding_reaches_the_stride():
    proof = prove_transpose(TransposedConvSpec(2, stride=1, dilation=3, padding=0, output_padding=2), (4,))
    assert proof.holds
    texts = [s.detail for s in proof.steps] + [s.rule for s in proof.steps] + [proof.statement]
    assert any("the output padding reaches the stride (allowed" in t for t in texts)
    assert not any("some axis" in t or "per axis" in t or "axis by axis" in t or "every axis" in t for t in texts)


def test_unequal_padding_is_named_an_extension_of_pytorch():
    from symconv.latex.printing import layer_text

    text = layer_text(ConvSpec((3, 3), padding=((1, 2), (0, 0))).transpose((9, 8)))
    assert r"(PyTorch's \textsf{ConvTranspose2d}, extended: the padding is applied as stated" in text
    assert layer_text(ConvSpec(3, padding=1)).endswith(r"(PyTorch's \textsf{Conv1d})")


def test_the_axes_lemma_of_the_nd_proof_fails_with_a_wrong_flip(monkeypatch):
    """The N-D step (each axis's bracket through its own C_m P Z, Kronecker products over the axes) checks the
    unit-kernel chain with the functions that ran: a flip that is no reversal fails it with holds=False."""
    from symconv.proofs import prove_transpose_general

    assert {s.name: s.holds for s in prove_transpose_general(2).steps}["axes"] is True
    monkeypatch.setattr(F, "flip_tap", lambda m, k: m)
    steps = {s.name: s for s in prove_transpose_general(2).steps}
    assert steps["axes"].holds is False and steps["flip"].holds is False
    assert not next(c for c in steps["axes"].claims if not c.holds).holds


def test_one_phase_theorem_and_lemma_agree_on_q():
    """Stride 1: one phase, which Q places (nothing to interleave), in the theorem and in the lemma alike."""
    proof = prove_transpose(TransposedConvSpec(2, dilation=3, output_padding=2), (4,))
    assert proof.holds, proof.failure
    assert "let $Q$ place it" in proof.statement and "interleave them" not in proof.statement
    lemma = next(s for s in proof.steps if s.name == "polyphase view")
    assert "$Q$ places it (one phase: nothing to interleave)" in lemma.rule and "interleaves them" not in lemma.rule
    # the subscripted weight symbols are explained in the theorem, before the matrices use them (not in a note)
    assert r"The symbol $w_{m}$ is the entry $w[0, 0, m]$" in proof.statement
    assert not any("The symbol $w_" in note for note in proof.notes)


def test_a_refuted_chain_shows_one_inequality_and_names_every_failing_lemma_and_claim():
    """flip = k - m: the chain's lines hold up to the padding, then ONE inequality to its end, beside both refuted
    lemmas (no a != b != c); the verdict names every false claim of the failing lemma and every failing lemma, and
    says for which kernels the counterexample is one; a claim's values are those of its own variables."""
    proof = prove_transpose_general(1, formulas=_corrupt(flip_tap=lambda m, k: k - m))
    tex = proof.to_document()
    start = tex.index(r"\paragraph{Refutation.}")
    chain = tex[start:tex.index(r"\end{align*}", start)]
    assert chain.count(r"\neq") == 1 and r"\tilde{w}" not in chain
    line = next(line for line in chain.splitlines() if r"\neq" in line)
    assert line.startswith(r"&\neq (C_{\mathrm{flip}} z)\left[j\right]")
    assert r"flip and convolution, Lemmas~\thetheorem.5 and \thetheorem.6; refuted" in line
    verdict = tex[tex.index(r"\textbf{The claim is refuted:}"):].split("\n", 1)[0]
    assert r"for any $w$ with $w\left[0\right] \neq 0$, e.g. $w = (1)$" in verdict
    assert r"``the flip maps taps to taps'' is false, for example at $k = 1$, $m' = 0$" in verdict
    assert r"Lemma~\thetheorem.6 (convolution) fails too" in verdict
    assert "the flip is an involution}" in tex and "bijection of the taps" not in tex
    # the involution's witness names its own variables only (the shown witness prefers k >= 2, see test_smt)
    assert re.search(r"\(hypotheses met at \$k = \d+\$, \$m' = \d+\$\)", tex.split("the flip is an involution}")[1])


def test_the_axes_line_states_the_index_map_at_a_fixed_tap():
    """The N-D axes line reads [j_nu = s i_nu + d m_nu - p_l] = ((x C_m)(x P)(x Z))[j, i] for fixed m (no f_nu)."""
    tex = prove_transpose_general(2).to_document()
    line = next(line for line in tex.splitlines() if r"\bigotimes_{\nu} C^{(\nu)}_{m_\nu}" in line and "&=" in line)
    before = tex.splitlines()[tex.splitlines().index(line) - 1]
    # each axis's index map with that axis's parameters (superscripts)
    assert (r"\left[j_{1} = s^{(1)} i_{1} + d^{(1)} m_{1} - p_{l}^{(1)}\right] "
            r"\left[j_{2} = s^{(2)} i_{2} + d^{(2)} m_{2} - p_{l}^{(2)}\right]") in before
    assert r"\text{for } \text{fixed } m = (m_1, m_2)" in line and "f_{1}" not in before
