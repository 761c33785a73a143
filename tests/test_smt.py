"""The solver claims: translation, counterexamples, and an independent re-check of the SMT-LIB by cvc5."""

from __future__ import annotations

import pytest
import sympy

from symconv import prove_transpose_general, prove_weight_gradient_general
from symconv.proofs.smt import prove


def _cvc5_verdicts(script: str) -> list[str]:
    cvc5 = pytest.importorskip("cvc5", reason="cvc5 is a test dependency (pip install 'symconv[test]')")
    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setOption("tlimit-per", "20000")
    parser = cvc5.InputParser(solver)
    parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, script, "symconv")
    symbols = parser.getSymbolManager()
    out = []
    while True:
        command = parser.nextCommand()
        if command.isNull():
            break
        text = command.invoke(solver, symbols)
        if text.strip():
            out.append(text.strip())
    return out


@pytest.mark.parametrize("make", [lambda: prove_transpose_general(1), lambda: prove_transpose_general(3),
                                  prove_weight_gradient_general])
def test_every_claim_is_unsat_in_cvc5_too(make):
    """Each claim's hypotheses are satisfiable and its negation is unsatisfiable, for cvc5 as for z3."""
    proof = make()
    assert proof.holds
    script = proof.to_smtlib()
    claims = [c for c in proof.claims if c.smtlib and c.sat_smtlib]
    assert len(claims) == len(proof.claims) and script.count("(check-sat)") == 2 * len(claims)
    # a witness is a model of the claim's hypotheses; a claim without hypotheses has none (any integers would do)
    assert all((c.witness is not None) == bool(c.hypotheses) for c in claims)
    assert _cvc5_verdicts(script) == ["sat", "unsat"] * len(claims)


def test_cvc5_sees_a_false_claim_as_sat():
    """The re-check can fail: a refuted claim's SMT-LIB is satisfiable for cvc5 as well."""
    s, i = sympy.symbols("s i", integer=True)
    claim = prove("stride times input is nonnegative", (s, i), (sympy.Ge(s, 1),), sympy.Ge(s * i, 0))
    assert not claim.holds and claim.counterexample["i"] < 0
    assert _cvc5_verdicts("(set-logic ALL)\n" + claim.smtlib) == ["sat"]


def test_division_needs_a_positive_divisor():
    """floor and Mod translate to SMT-LIB div/mod only for positive divisors; otherwise the claim is not proved."""
    a, b = sympy.symbols("a b", integer=True)
    claim = prove("floor of a quotient", (a, b), (), sympy.Le(b * sympy.floor(a / b), a))
    assert not claim.holds and "divisor" in claim.reason
    assert prove("floor of a quotient", (a, b), (sympy.Ge(b, 1),), sympy.Le(b * sympy.floor(a / b), a)).holds


def test_non_integer_statement_is_not_proved_and_does_not_raise():
    a, b = sympy.symbols("a b", integer=True)
    claim = prove("a fraction", (a, b), (sympy.Ge(b, 1),), sympy.Eq(2 * (a / b), a))
    assert not claim.holds and "not a statement about integers" in claim.reason


def test_contradictory_hypotheses_prove_nothing():
    """a < 0 beside a >= 0: the negation is unsat too, but the claim is refused for want of a model."""
    a, b = sympy.symbols("a b", integer=True)
    claim = prove("anything", (a, b), (sympy.Ge(a, 0), sympy.Lt(a, 0)), sympy.Eq(a, b))
    assert not claim.holds and "contradict" in claim.reason and claim.witness is None
    assert _cvc5_verdicts("(set-logic ALL)\n" + claim.sat_smtlib) == ["unsat"]
    good = prove("a witness is kept", (a, b), (sympy.Ge(a, 3), sympy.Eq(b, a + 1)), sympy.Gt(b, a))
    assert good.holds and good.witness["a"] >= 3 and good.witness["b"] == good.witness["a"] + 1


def test_an_undecided_answer_is_not_a_proof(monkeypatch):
    """A solver that answers unknown (a timeout) at any stage leaves the claim unproved, saying so."""
    import symconv.proofs.smt as smt

    a = sympy.Symbol("a", integer=True)
    real = smt._solve
    for stage in (0, 1):
        calls = []

        def undecided(z3, facts, timeout_ms, ctx=None, calls=calls, stage=stage):
            calls.append(1)
            verdict, model, text = real(z3, facts, timeout_ms, ctx)
            return ("unknown", None, text) if len(calls) == stage + 1 else (verdict, model, text)

        monkeypatch.setattr(smt, "_solve", undecided)
        claim = smt.prove("square is nonnegative", (a,), (sympy.Ge(a, 0),), sympy.Ge(a * a, a))
        assert not claim.holds and "unknown" in claim.reason
    monkeypatch.setattr(smt, "_solve", real)
    assert smt.prove("square is nonnegative", (a,), (sympy.Ge(a, 0),), sympy.Ge(a * a, a)).holds


class _Stalling:
    """A stand-in for z3 whose solver answers unknown under the seeds in ``stalls`` and unsat otherwise."""

    unknown, sat, unsat = "unknown", "sat", "unsat"

    def __init__(self, stalls):
        self.stalls, self.seeds = stalls, []

    def Solver(self, ctx=None):
        fake = self

        class _S:
            def set(self, key, value):
                if key == "random_seed":
                    self.seed = value

            def add(self, *facts):
                pass

            def to_smt2(self):
                return "(check-sat)"

            def check(self):
                fake.seeds.append(self.seed)
                return fake.unknown if self.seed in fake.stalls else fake.unsat

        return _S()


def test_an_unknown_answer_is_retried_with_other_seeds_and_only_a_decided_one_counts():
    import symconv.proofs.smt as smt

    once = _Stalling({0})
    assert smt._solve(once, [], 100)[0] == "unsat" and once.seeds == [0, smt.RETRY_SEEDS[0]]
    always = _Stalling({0, *smt.RETRY_SEEDS})
    assert smt._solve(always, [], 100)[0] == "unknown" and always.seeds == [0, *smt.RETRY_SEEDS]


def test_a_claims_verdict_does_not_depend_on_what_was_proved_before():
    """Each claim has a z3 context of its own: the same claim gives the same SMT-LIB text and verdict after others."""
    s, i1, i2 = sympy.symbols("s i1 i2", integer=True)
    args = ("injective", (s, i1, i2), (sympy.Ge(s, 1), sympy.Eq(s * i1, s * i2)), sympy.Eq(i1, i2))
    first = prove(*args)
    prove("other", (s, i1), (sympy.Ge(s, 2), sympy.Ge(i1, 0)), sympy.Ge(s * i1 + 1, 1))
    again = prove(*args)
    assert first.holds and again.holds and first.smtlib == again.smtlib


def test_a_claim_with_identical_sides_is_refused():
    n = sympy.Symbol("n", integer=True)
    claim = prove("a tautology", (n,), (sympy.Ge(n, 1),), sympy.Eq(n + 1, n + 1, evaluate=False))
    assert not claim.holds and "checks nothing" in claim.reason


def test_empty_steps_and_proofs_do_not_hold():
    from symconv.proofs.core import Proof, Step

    empty = Step.from_claims(sympy.Integer(0), sympy.Integer(0), "nothing", [], name="empty")
    assert not empty.holds and "no claims" in empty.detail
    assert not Proof("nothing", "nothing", ()).holds
    assert "no steps" in Proof("nothing", "nothing", ()).failure


@pytest.mark.parametrize("ndim", [1, 2])
def test_general_witnesses_lie_inside_the_theorems_ranges(ndim):
    """Every claim of the parametric proof assumes hypotheses, and its witness meets the theorem's ranges
    (no claim is shown at s = 0 or d = 0)."""
    proof = prove_transpose_general(ndim)
    lower = {"n_in": 1, "k": 1, "s": 1, "d": 1, "p_l": 0, "p_r": 0, "a": 0, "g": 1, "c_i": 1, "c_o": 1, "c_g": 1}
    for claim in proof.claims:
        assert claim.hypotheses and claim.witness, claim.name
        for name, low in lower.items():
            if name in claim.witness:
                assert claim.witness[name] >= low, (claim.name, name, claim.witness)


def test_a_claim_without_hypotheses_has_no_witness():
    a = sympy.Symbol("a", integer=True)
    claim = prove("a square is not negative", (a,), (), sympy.Ge(a * a, a - 1))
    assert claim.holds and claim.witness is None


def _index_ranges(proof):
    """The range of every index variable of a parametric proof, as relations in its parameters."""
    import sympy

    from symconv import formulas as F
    from symconv.proofs.general import SYMBOLS as S

    sym = {str(v): v for v in proof.assumptions[0].free_symbols} if proof.assumptions else {}
    if "n_in" in sym:  # the transposed convolution's theorem
        n_t = F.transposed_output_size(S.n, S.k, S.s, S.pl, S.pr, S.d, S.a)
        within = {"i": S.n, "i'": S.n, "j": n_t, "m": S.k, "m'": S.k, "t": F.zero_inserted_size(S.n, S.s)}
    else:  # the weight gradient's theorem: i an output position, m a tap
        n, k, s, d, pl, pr = sympy.symbols("n k s d p_l p_r", integer=True)
        within = {"i": F.conv_output_size(n, k, s, pl, pr, d), "m": k}
    return within


def _shown_witnesses(proof):
    """Each claim's witness as a document shows it: the values of the variables its statement mentions."""
    for step in proof.steps:
        for claim in step.claims:
            if not claim.witness:
                continue
            names = {str(v) for v in claim.statement.free_symbols}
            yield claim, {k: v for k, v in claim.witness.items() if k in names}


@pytest.mark.parametrize("which", ["general-1", "general-2", "weight-gradient"])
def test_every_witness_shown_satisfies_the_theorem_and_the_index_ranges(which):
    """A witness (hypotheses met at ...) lies inside the theorem's ranges and every index variable's range (issue 18:
    t = -1, m' = -1 and i = m = -1 were shown although no index of the theorem takes those values)."""
    import sympy

    from symconv import prove_transpose_general, prove_weight_gradient_general

    proof = (prove_weight_gradient_general() if which == "weight-gradient"
             else prove_transpose_general(int(which[-1])))
    within = _index_ranges(proof)
    checked = 0
    for claim, shown in _shown_witnesses(proof):
        at = {sympy.Symbol(k, integer=True): v for k, v in shown.items()}
        for hyp in proof.assumptions:  # the theorem's ranges, wherever the claim assumes them
            if hyp in claim.hypotheses:
                assert bool(hyp.xreplace(at)), (claim.name, hyp, shown)
        for name, upper in within.items():
            if name in shown:
                value = shown[name]
                assert 0 <= value < int(sympy.sympify(upper).xreplace(at)), (claim.name, name, shown)
                checked += 1
        for hyp in claim.hypotheses:  # and the claim's own hypotheses
            assert bool(sympy.sympify(hyp).xreplace(at)), (claim.name, hyp, shown)
    assert checked >= (2 if which == "weight-gradient" else 15)


def test_a_claim_whose_conclusion_cannot_fail_is_refused():
    n, k = sympy.symbols("n k", integer=True)
    for conclusion in (sympy.Le(n, n, evaluate=False), sympy.Ge(k + 1, k + 1, evaluate=False),
                       sympy.And(sympy.Eq(n, n, evaluate=False), sympy.Le(k, k, evaluate=False), evaluate=False)):
        claim = prove("a tautology", (n, k), (sympy.Ge(n, 1),), conclusion)
        assert not claim.holds and "checks nothing" in claim.reason, conclusion
    assumed = prove("assumed", (n, k), (sympy.Ge(n, 1), sympy.Ge(k, n)), sympy.Ge(k, n))
    assert not assumed.holds and "its own hypotheses" in assumed.reason
    # a conclusion that needs the hypotheses is still proved
    assert prove("needs them", (n, k), (sympy.Ge(n, 1), sympy.Ge(k, n)), sympy.Ge(k, 1)).holds


def test_a_witness_shows_a_stride_and_a_kernel_where_the_hypotheses_allow():
    """The shown model has s, k >= 2 when some model does (not the identity layer s = k = 1), and is still a
    model of the hypotheses when they force s = 1."""
    s, k, n = sympy.symbols("s k n_in", integer=True)
    claim = prove("a positive length", (s, k, n), (sympy.Ge(s, 1), sympy.Ge(k, 1), sympy.Ge(n, 1)), sympy.Ge(s * n, 1))
    assert claim.holds and claim.witness["s"] >= 2 and claim.witness["k"] >= 2 and claim.witness["n_in"] >= 1
    one = prove("stride one", (s, k), (sympy.Eq(s, 1), sympy.Ge(k, 1)), sympy.Ge(s + k, 2))
    assert one.holds and one.witness["s"] == 1 and one.witness["k"] >= 1
