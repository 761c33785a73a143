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
    proof = make()
    assert proof.holds
    script = proof.to_smtlib()
    claims = [c for c in proof.claims if c.smtlib]
    assert len(claims) == len(proof.claims) and script.count("(check-sat)") == len(claims)
    assert _cvc5_verdicts(script) == ["unsat"] * len(claims)


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
