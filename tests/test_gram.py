"""The round trip MᵀM: the sparse product against sympy and numpy, the proofs, the command, the pictures."""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy
from conftest import require_module

from symconv import (
    ConvSpec,
    ShapeError,
    SpecError,
    SpecTypeError,
    TransposedConvSpec,
    autocorrelation,
    conv_matrix,
    gram_matrix,
    gram_structure,
    kernel_symbols,
    phase_energies,
    prove_gram,
    prove_gram_general,
)
from symconv.cli import main
from symconv.gram import GramStructure, gram_interior, phase_autocorrelation
from symconv.latex.notation import _math_of
from symconv.proofs.gram import CS_CERTIFICATE_CHANNELS_TEX, CS_CERTIFICATE_TEX, cs_certificate, lag_statement

LAYERS = [
    (ConvSpec(3, stride=2, padding=1), (9,)),
    (ConvSpec(3), (7,)),
    (ConvSpec(4, stride=2, dilation=2), (20,)),
    (ConvSpec(2, stride=3, padding=((2, 0),)), (10,)),
    (ConvSpec((3, 2), stride=(2, 1), padding=((1, 0), (0, 1)), dilation=(1, 2), in_channels=4, out_channels=6,
              groups=2), (7, 6)),
    (ConvSpec((2, 2), stride=2, in_channels=2, out_channels=3), (5, 4)),
]


@pytest.mark.parametrize("spec, shape", LAYERS)
def test_sparse_product_is_sympys_product(spec, shape):
    w = kernel_symbols(spec)
    M = conv_matrix(spec, w, shape).to_sympy()
    expected = (M.T * M).applyfunc(sympy.expand)
    assert (gram_matrix(spec, w, shape) - expected).applyfunc(sympy.expand).is_zero_matrix


@pytest.mark.parametrize("spec, shape", LAYERS)
def test_numeric_product_is_numpys_product(spec, shape):
    rng = np.random.default_rng(3)
    values = rng.integers(-5, 6, spec.weight_shape)
    M = conv_matrix(spec, kernel_symbols(spec), shape).to_numpy(values)
    assert np.array_equal(gram_structure(spec, kernel_symbols(spec), shape).to_numpy(values), M.T @ M)


def test_the_issues_example_k3_s2_p1():
    spec = ConvSpec(3, stride=2, padding=1)
    w = kernel_symbols(spec)
    w0, w1, w2 = (w[0, 0, m] for m in range(3))
    G = gram_structure(spec, w, (11,))
    inner = gram_interior(spec, (11,))[0]
    assert len(inner) >= 4
    for j in inner:  # j + p_l even: phase 0 (taps 0 and 2); odd: phase 1 (tap 1)
        diag = G.entry(j, j, w)
        assert sympy.expand(diag - (w0**2 + w2**2 if (j + 1) % 2 == 0 else w1**2)) == 0
        if j + 1 in inner:
            assert sympy.expand(G.entry(j, j + 1, w) - (w0 * w1 if (j + 1) % 2 == 0 else w1 * w2)) == 0
    assert phase_energies(spec, w) == {(0,): w0**2 + w2**2, (1,): w1**2}


def test_stride_one_interior_is_the_autocorrelation():
    spec = ConvSpec(4)
    w = kernel_symbols(spec)
    G = gram_structure(spec, w, (12,))
    for j in gram_interior(spec, (12,))[0]:
        for tau in range(-3, 4):
            assert sympy.expand(G.entry(j, j + tau, w) - autocorrelation(w, (tau,))) == 0


def test_phase_autocorrelation_is_zero_across_groups():
    spec = ConvSpec(3, in_channels=4, out_channels=2, groups=2)
    w = kernel_symbols(spec)
    assert phase_autocorrelation(spec, w, (0,), 0, 2, (0,)) == 0
    assert phase_autocorrelation(spec, w, (0,), 0, 1, (0,)) != 0


def test_cauchy_schwarz_numerically():
    rng = np.random.default_rng(0)
    for _ in range(20):
        w = rng.normal(size=(2, 1, 3, 4))
        r0 = autocorrelation(w, (0, 0))
        for lag in np.ndindex(5, 7):
            assert r0 + 1e-12 >= abs(autocorrelation(w, (lag[0] - 2, lag[1] - 3)))


@pytest.mark.parametrize("kernel", [(1,), (2,), (3,), (4,), (5,), (2, 3)])
def test_the_displayed_certificate_is_2R0_plus_2sigmaR(kernel):
    w = np.array(sympy.symbols(f"w0:{2 * int(np.prod(kernel))}"), dtype=object).reshape((2,) + kernel)
    r0 = autocorrelation(w[:, None], (0,) * len(kernel))
    for lag in np.ndindex(*(2 * k - 1 for k in kernel)):
        lag = tuple(t - (k - 1) for t, k in zip(lag, kernel))
        for sign in (1, -1):
            assert sympy.expand(cs_certificate(w, lag, sign) - 2 * r0
                                - 2 * sign * autocorrelation(w[:, None], lag)) == 0, (kernel, lag, sign)


def test_the_certificate_counts_a_tap_once_per_missing_partner():
    # k = 3, tau = 2: tap 1 has no partner on either side and needs 2 w1^2; counting it once ("unpaired") is false
    w0, w1, w2 = sympy.symbols("w0:3")
    w = np.array([[w0, w1, w2]], dtype=object)
    assert sympy.expand(cs_certificate(w, (2,), 1)) == sympy.expand(2 * (w0**2 + w1**2 + w2**2) + 2 * w0 * w2)
    once = (w0 + w2) ** 2 + w0**2 + w1**2 + w2**2  # each tap without a partner on some side, counted once
    assert sympy.expand(once - 2 * (w0**2 + w1**2 + w2**2) - 2 * w0 * w2) != 0
    assert r"[m + \tau \notin [0, k)] + [m - \tau \notin [0, k)]" in CS_CERTIFICATE_TEX
    step = next(s for s in prove_gram(ConvSpec(3, stride=2, padding=1), (9,)).steps if s.name == "Cauchy--Schwarz")
    assert str(step.rhs).replace(r" \\ &\quad", "") == CS_CERTIFICATE_TEX
    with pytest.raises(ValueError, match="sign 2"):
        cs_certificate(w, (2,), 2)


@pytest.mark.parametrize("spec, shape", LAYERS)
def test_instance_proof_holds(spec, shape):
    proof = prove_gram(spec, shape)
    assert proof.holds, proof.failure
    names = [step.name for step in proof.steps]
    assert names[:4] == ["convention", "M is the convolution", "M by axes", "entries"]
    assert {"overlap", "Cauchy--Schwarz"} <= set(names)
    if all(len(r) for r in gram_interior(spec, shape)):
        assert {"interior", "diagonal"} <= set(names)
    # the proof checks each axis and assembles the axes by distributivity; the whole N-D product agrees
    w = kernel_symbols(spec)
    assert gram_structure(spec, w, shape).equals(lag_statement(spec, shape))


def test_empty_interior_is_said_not_checked():
    proof = prove_gram(ConvSpec(4, stride=2, dilation=2), (12,))
    assert proof.holds
    assert "interior" not in [step.name for step in proof.steps]
    assert "interior is empty" in proof.statement


def test_general_proof_holds_with_witnesses():
    proof = prove_gram_general()
    assert proof.holds, proof.failure
    # every claim holds; a claim with hypotheses has a model of them (a claim without hypotheses has no witness:
    # any integers would do)
    assert all(claim.holds and (claim.witness is not None) == bool(claim.hypotheses) for claim in proof.claims)
    assert any(claim.witness is not None for claim in proof.claims)
    smt = proof.to_smtlib()
    assert smt.count("expected: sat") == smt.count("expected: unsat") == len(proof.claims)
    ranges = proof.data["ranges"]  # the statement is typeset from the ranges handed to the solver
    assert ranges.relations() == proof.assumptions
    assert all(claim.hypotheses[:len(proof.assumptions)] == proof.assumptions for claim in proof.steps[1].claims)
    assert ranges.latex() and all(item in proof.statement for item in ranges.latex())
    assert r"n, k, s, d \ge 1" in proof.statement and r"n_{\mathrm{out}} \ge 1" in proof.statement


@pytest.mark.parametrize("ndim", [1, 2])
def test_general_witnesses_lie_in_the_theorems_ranges(ndim):
    # the review found i = -1 shown as a witness: every index a claim uses is bounded below by its hypotheses
    proof = prove_gram_general(ndim)
    indices = {"i", "i'", "j", "j'", "m", "mu", "o", "c", "c'"}
    for claim in proof.claims:
        if claim.witness is None:
            continue
        used = {str(x) for x in sympy.And(*claim.hypotheses, claim.conclusion).free_symbols} & indices
        assert all(claim.witness[name] >= 0 for name in used), (claim.name, claim.witness)
    text = proof.to_latex()
    assert "executed" not in text and "[U+" not in text and "m'" not in text
    interior = next(step for step in proof.steps if step.name == "interior")
    assert str(interior.lhs).startswith(r"j \in I:")  # the interior line states its hypothesis
    period = next(step for step in proof.steps if step.name == "period")
    assert r"|\tau| < k" in str(period.rhs) and "j'" not in str(period.lhs) + str(period.rhs)
    # the positions within the group are c_l and c'_l (the package's name), never a bare l
    assert r"c = \operatorname{grp}(c, c_i)\, c_i + c_{l}" in proof.statement and "(M^{\\top} M)_{o, c_{l}, c'_{l}}" in proof.statement
    assert not re.search(r"(?<![A-Za-z\\{_])l(?![A-Za-z'_}])", _math_of(text))


def test_instance_document_words():
    text = prove_gram(ConvSpec((3, 3), stride=2, padding=1, in_channels=4, out_channels=2, groups=2),
                      (6, 7)).to_latex()
    assert "[U+" not in text and "(6, 7)" not in text and "of shape $6 \\times 7$" in text and "m'" not in text
    assert "of length $9$" in prove_gram(ConvSpec(3, stride=2, padding=1), (9,)).to_latex()


def test_instance_lines_state_the_channels_as_the_theorem_does():
    # with channels, every line of the chain sums over the output channels o of the group, as the theorem and R do:
    # none drops to the one-channel w[m] w[mu] (which states another matrix), none writes a bare l for c_l
    proof = prove_gram(ConvSpec(3, stride=2, padding=1, in_channels=4, out_channels=6, groups=2), (9,))
    assert proof.holds, proof.failure
    assert r"\sum_{o \in \gamma}" in proof.statement and "w[o, c_{l}, m]" in proof.statement
    by_name = {step.name: step for step in proof.steps}
    for name in ("entries", "interior", "diagonal", "Cauchy--Schwarz"):
        shown = str(by_name[name].lhs) + str(by_name[name].rhs)
        assert r"\sum_{o \in \gamma}" in shown and "w[o, c_{l}, m" in shown and "w[m]" not in shown, name
    assert "(c, j)" in str(by_name["entries"].lhs) and "(c, j)" in str(by_name["overlap"].lhs)
    assert str(by_name["Cauchy--Schwarz"].rhs).replace(r" \\ &\quad", "") == CS_CERTIFICATE_CHANNELS_TEX
    assert not re.search(r"(?<![A-Za-z\\{_])l(?![A-Za-z'_}])", _math_of(proof.to_latex()))
    # the displayed certificate is the one checked: cs_certificate sums over the group's output channels too
    w = np.array(sympy.symbols("a0:6"), dtype=object).reshape(2, 1, 3)
    tau, sign = (1,), -1
    r0 = sum(w[o, 0, m] ** 2 for o in range(2) for m in range(3))
    r1 = sum(w[o, 0, m] * w[o, 0, m + 1] for o in range(2) for m in range(2))
    assert sympy.expand(cs_certificate(w[:, 0], tau, sign) - 2 * r0 - 2 * sign * r1) == 0
    # one channel: the one kernel w[m], no sum over o
    one = prove_gram(ConvSpec(3, stride=2, padding=1), (9,))
    assert "w[o" not in one.to_latex().split(r"\begin{lemma}")[0] and r"R[\tau] = \sum_m w[m]" in one.statement


def test_general_proof_in_two_dimensions_and_refuses_a_bad_ndim():
    proof = prove_gram_general(2)
    assert proof.holds, proof.failure
    assert [step.name for step in proof.steps][-1] == "separability"
    assert r"each of the $N = 2$ spatial axes" in proof.statement
    # positions are tuples, and the product over the axes is stated (issue 18: the 2-D statement read 1-D)
    assert r"$j = (j_1, \dots, j_N)$" in proof.statement and r"\prod_\nu [j_\nu = f_\nu]" in proof.statement
    assert "(v)" not in prove_gram_general(1).statement
    for bad in (0, -1, True, 1.5):
        with pytest.raises(SpecError, match="ndim"):
            prove_gram_general(bad)


def test_structure_equality_and_differences():
    shape = (3, 3)
    a = GramStructure.build(shape, [0, 1], [1, 1], [0, 2], [1, 2], n_taps=3)
    swapped = GramStructure.build(shape, [1, 0], [1, 1], [2, 1], [2, 0], n_taps=3)  # w1 w0 is w0 w1
    assert a.equals(swapped) and swapped.equals(a)
    repeated = GramStructure.build(shape, [0, 0], [1, 1], [0, 0], [1, 1], n_taps=3)  # as many terms, one twice
    assert not a.equals(repeated) and not repeated.equals(a)
    doubled = GramStructure.build(shape, [0, 0, 1], [1, 1, 1], [0, 0, 2], [1, 1, 2], n_taps=3)
    assert not a.equals(doubled)
    assert a.first_difference(doubled) == (0, 1)
    assert doubled.terms_at(0, 1) == [(0, 1, 2)]
    with pytest.raises(ShapeError):
        GramStructure.build(shape, [3], [0], [0], [0], n_taps=3)


def test_bad_input_is_refused():
    with pytest.raises(SpecTypeError, match="ConvSpec"):
        prove_gram(TransposedConvSpec(3), (4,))
    with pytest.raises(ShapeError):
        prove_gram(ConvSpec(3), (0,))
    with pytest.raises(ValueError):
        prove_gram(ConvSpec(3), (5,), name="w}")
    with pytest.raises(SpecTypeError):
        gram_structure(TransposedConvSpec(3), kernel_symbols(ConvSpec(3)), (4,))


def test_command(tmp_path, capsys):
    out = tmp_path / "gram.tex"
    assert main(["prove", "--identity", "gram", "--kernel", "3", "--stride", "2", "--padding", "1", "--input", "9",
                 "-o", str(out)]) == 0
    text = out.read_text()
    assert r"\begin{document}" in text and "M^{\\top} M" in text
    assert main(["prove", "--identity", "gram", "--general", "-o", str(tmp_path / "g.tex")]) == 0
    assert main(["prove", "--identity", "gram", "--transposed", "--input", "4"]) == 2
    assert "drop --transposed" in capsys.readouterr().err
    assert main(["prove", "--identity", "gram", "--general", "--kernel", "3,3", "-o", str(tmp_path / "g2.tex")]) == 0
    assert r"each of the $N = 2$ spatial axes" in (tmp_path / "g2.tex").read_text()
    assert main(["prove", "--identity", "gram", "--general", "--stride", "2"]) == 2
    assert "takes only --kernel" in capsys.readouterr().err


def test_pictures():
    require_module("matplotlib", "figures")
    from symconv.plot import autocorrelation_data, gram_data, plot_autocorrelation, plot_gram

    d = gram_data(ConvSpec(3, stride=2, padding=1), (9,), [[[1, 2, 3]]])
    M = conv_matrix(ConvSpec(3, stride=2, padding=1), kernel_symbols(ConvSpec(3)), (9,)).to_numpy([[[1, 2, 3]]])
    assert np.array_equal(d.matrix, M.T @ M) and d.period == (2,)
    assert plot_gram(ConvSpec(3, stride=2, padding=1), (9,)).symconv_data.matrix.shape == (9, 9)
    r = autocorrelation_data([[[[1, 0], [0, -1]]]])
    assert r.values.tolist() == [[-1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, -1.0]]
    assert plot_autocorrelation([[[1, 2, 3]]]).symconv_data.values.max() == 14
    with pytest.raises(ShapeError):
        gram_data(ConvSpec(3), (5,), [[1, 2, 3]])


def test_general_claims_recheck_in_cvc5():
    from test_smt import _cvc5_verdicts

    proof = prove_gram_general()
    assert _cvc5_verdicts(proof.to_smtlib()) == ["sat", "unsat"] * len(proof.claims)


def test_a_consistent_flip_in_the_numeric_reference_fails_at_the_convention(monkeypatch):
    import symconv.numeric as numeric

    original = numeric.conv
    monkeypatch.setattr(numeric, "conv", lambda spec, w, x: original(spec, np.flip(np.asarray(w), axis=-1), x))
    proof = prove_gram(ConvSpec(3, stride=2, padding=1), (9,))
    assert not proof.holds and proof.failed_step.name == "convention", proof.failure


def test_each_axis_and_the_assembly_are_checked(monkeypatch):
    from symconv.proofs import gram as gram_proof

    spec, shape = ConvSpec((3, 2), stride=(2, 1), padding=1, in_channels=2, out_channels=4, groups=2), (6, 5)
    original_m, original_product = gram_proof.m_statement, gram_proof.gram_structure

    def m_flipped(spec_, shape_):  # the statement of M with the taps of axis 0 reversed: not M's terms
        s = original_m(spec_, shape_)
        k = spec_.kernel_size
        m0 = (s.taps_a % (k[0] * k[1])) // k[1]  # tap id (o, l, m0, m1) flattened row-major
        taps = s.taps_a + (k[0] - 1 - 2 * m0) * k[1]  # m0 -> k0 - 1 - m0
        return gram_proof.GramStructure.build(s.shape, s.rows, s.cols, taps, s.taps_b, n_taps=s.n_taps)

    monkeypatch.setattr(gram_proof, "m_statement", m_flipped)
    proof = prove_gram(spec, shape)
    assert not proof.holds and proof.failed_step.name == "M by axes"
    monkeypatch.setattr(gram_proof, "m_statement", original_m)

    def second_axis_flipped(spec_, weight, shape_):  # one axis's product with its second tap reversed
        g = original_product(spec_, weight, shape_)
        if shape_ != (shape[1],):
            return g
        return gram_proof.GramStructure.build(g.shape, g.rows, g.cols, g.taps_a, g.n_taps - 1 - g.taps_b,
                                              n_taps=g.n_taps)

    monkeypatch.setattr(gram_proof, "gram_structure", second_axis_flipped)
    proof = prove_gram(spec, shape)
    assert not proof.holds and proof.failed_step.name == "entries"
    assert "axis 1:" in proof.failed_step.detail and "axis 0:" not in proof.failed_step.detail


def test_a_product_with_its_tap_pairs_in_the_other_order_fails(monkeypatch):
    # as symmetric matrices equal; but the axes are assembled from which tap reaches the row, so it must fail
    from symconv.proofs import gram as gram_proof

    original = gram_proof.gram_structure

    def swapped(spec, weight, shape):
        g = original(spec, weight, shape)
        return gram_proof.GramStructure.build(g.shape, g.rows, g.cols, g.taps_b, g.taps_a, n_taps=g.n_taps)

    assert swapped(ConvSpec(3), kernel_symbols(ConvSpec(3)), (5,)).equals(original(ConvSpec(3), kernel_symbols(
        ConvSpec(3)), (5,)))
    monkeypatch.setattr(gram_proof, "gram_structure", swapped)
    proof = prove_gram(ConvSpec(3, stride=2, padding=1), (9,))
    assert not proof.holds and proof.failed_step.name == "entries"
    assert "other order" in proof.failed_step.detail


def test_documents_count_in_words_and_define_count_where_they_use_it():
    # issue 18 review: "1 interior positions", "1 terms", I = {2, ..., 2}; count[j] defined only inside a lemma
    proof = prove_gram(ConvSpec(3, stride=2, padding=1), (5,))
    text = proof.to_latex()
    assert "1 interior positions" not in text and "1 terms" not in text and r"\{2, \dots, 2\}" not in text
    assert "one interior position" in text and "1 term (row" in text and r"I = \{2\}" in text
    statement = proof.statement
    assert r"the overlap count $\operatorname{count}[j]$, the number of taps of the transposed layer reaching $j$" \
        in statement
    assert r"$w[m]$, the weight of tap $0 \le m < k$" in statement and r"$n_{\mathrm{out}} = 3$" in statement
    two = prove_gram(ConvSpec((3, 3), stride=2, padding=1), (6, 7)).to_latex()
    assert r"I = \{2, 3\} \times \{2, \dots, 4\}" in two and "axis 0: two interior positions" in two


@pytest.mark.parametrize("ndim", [1, 2])
def test_general_theorem_states_the_channel_hypotheses_and_defines_the_group(ndim):
    proof = prove_gram_general(ndim)
    assert proof.holds, proof.failure
    assert r"g, c_{i}, c_{o} \ge 1" in proof.data["ranges"].latex()
    statement = proof.statement
    assert statement.index(r"\operatorname{grp}(c, c_i) = \lfloor c / c_i \rfloor") < statement.index(r"\operatorname{grp}(o, c_o) = \operatorname{grp}(c, c_i)")
    assert r"\gamma, \gamma'" not in statement and "w[o, c_{l}, m]$: the weight by which output channel" in statement
    assert r"\operatorname{count}[j]" in statement
    blocks = next(step for step in proof.steps if step.name == "channel blocks")
    assert all(claim.hypotheses[:len(proof.assumptions)] == proof.assumptions for claim in blocks.claims)


def test_the_period_is_said_unexercised_exactly_when_no_two_interior_positions_lie_s_apart():
    # n = 5, s = 2: the interior is {2}, so "period s" is vacuous there and the page must say so
    small = prove_gram(ConvSpec(3, stride=2, padding=1), (5,))
    assert small.holds and "not exercised here" in small.statement
    assert "not seen in these sizes" in next(step.rule for step in small.steps if step.name == "interior")
    large = prove_gram(ConvSpec(3, stride=2, padding=1), (9,))
    assert large.holds and "not exercised" not in large.statement
    assert "not seen" not in next(step.rule for step in large.steps if step.name == "interior")


def test_the_instance_statement_with_channels_indexes_the_channels():
    proof = prove_gram(ConvSpec((3, 3), stride=2, padding=1, in_channels=2, out_channels=2), (6, 6))
    assert proof.holds
    assert r"$(M^{\top} M)[(c, j), (c', j + d \tau)]$" in proof.statement
    assert r"$(M^{\top} M)[(c, j), (c, j)]$" in proof.statement and "with $c = \\gamma" in proof.statement
    assert "detector" not in proof.conclusion and "checkerboard" not in proof.to_latex()


def test_the_instance_statement_says_what_its_lemmas_prove():
    # review: (iii) must say (C_out/g) count[j] as the overlap lemma proves; (iv) R depends on the channel; the
    # period is asserted only when the sizes exercise it; two instance theorems of one document differ in title
    two = prove_gram(ConvSpec((3, 3), stride=2, padding=1, in_channels=2, out_channels=2), (6, 6))
    assert two.holds
    overlap = next(step for step in two.steps if step.name == "overlap")
    assert str(overlap.rhs).startswith("2") and r"equals $2\, \operatorname{count}[j]$" in two.statement
    assert r"$R_c[0] \ge |R_c[\tau]|$" in two.statement and "so the interior has period" not in two.statement
    assert r"$n = 6 \times 6$" in two.statement and "of 6 and 6" not in two.statement
    one = prove_gram(ConvSpec((3, 3), stride=1, padding=1), (7, 7))
    assert r"equals the overlap count $\operatorname{count}[j]$" in one.statement and "R_c" not in one.statement
    assert one.title != prove_gram(ConvSpec(3, stride=2, padding=1), (11,)).title


def test_the_general_convention_names_its_own_definitions_as_such():
    proof = prove_gram_general()
    names = [claim.name for claim in proof.steps[0].claims]
    assert "the source position used is the one defined" in names and "the index map used is PyTorch's" in names
    assert not any(name.endswith("PyTorch's") for name in names if "index map" not in name and "length" not in name)


def test_the_period_is_said_exercised_on_exactly_the_axes_where_two_interior_positions_lie_s_apart():
    # interior {2, 3} x {2, 3, 4}, s = 2: axis 1 has 2 and 4, axis 0 has no pair s apart (reading 8, cli_gram)
    spec = ConvSpec((3, 3), stride=2, padding=1, in_channels=4, out_channels=2, groups=2)
    proof = prove_gram(spec, (6, 7))
    assert proof.holds, proof.failure
    assert tuple(proof.data["interior"]) == (range(2, 4), range(2, 5))
    assert "no two interior positions of an axis lie $s$ apart" not in proof.statement
    assert r"period $s$ on axis 1, where two interior positions lie $s$ apart; on axis 0" in proof.statement
    rule = next(step.rule for step in proof.steps if step.name == "interior")
    assert "no two interior positions of an axis" not in rule
    assert "on axis 1 two interior positions lie $s$ apart" in rule and "on axis 0 no two" in rule
    both = prove_gram(spec, (8, 7))  # interior {2, ..., 5} x {2, 3, 4}: every axis exercises it
    assert both.holds and "not exercised" not in both.statement and r"so the interior has period $s$;" in both.statement
