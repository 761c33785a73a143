"""Integer claims proved by the SMT solver z3, for all values in their ranges.

A claim is ``for all integer variables satisfying the hypotheses: conclusion``,
written with sympy (the symbols, relations and the functions of
:mod:`symconv.formulas` applied to them).  :func:`prove` translates it to z3,
asserts the hypotheses and the *negation* of the conclusion, and asks for a
solution: ``unsat`` proves the claim; a model is a counterexample, returned as
concrete integers.  The same negated claim is kept as SMT-LIB 2 text, so that
any other solver can re-check it.

``floor(a/b)`` and ``Mod(a, b)`` become SMT-LIB's ``div`` and ``mod``, which
agree with them when ``b > 0``; that is itself checked (the hypotheses must
imply every divisor is positive), so a translation can never prove a claim
about the wrong division.

>>> import sympy
>>> s, i1, i2 = sympy.symbols("s i1 i2", integer=True)
>>> claim = prove("the stride map is injective", (s, i1, i2), (sympy.Ge(s, 1), sympy.Eq(s * i1, s * i2)),
...               sympy.Eq(i1, i2))
>>> claim.holds, claim.checker
(True, 'z3')
>>> bad = prove("too strong", (s, i1), (sympy.Ge(s, 0),), sympy.Ge(s * i1, 0))
>>> bad.holds, bad.counterexample["s"] * bad.counterexample["i1"] < 0
(False, True)
"""

from __future__ import annotations

import re
import time
from typing import Any

import sympy

from .core import Claim

__all__ = ["prove", "to_z3", "TIMEOUT_MS"]

TIMEOUT_MS = 20_000
"""Time z3 may spend on one claim before the claim counts as not proved."""


class _Translator:
    """sympy (integers, relations, floor, Mod, Abs, Max, Min, Piecewise) to z3, recording divisors."""

    def __init__(self, z3: Any, variables: dict[str, Any], ctx: Any = None):
        self.z3 = z3
        self.vars = variables
        self.ctx = ctx
        self.divisors: list[Any] = []

    def __call__(self, e: Any) -> Any:
        z3 = self.z3
        if e is sympy.true or e is True:
            return z3.BoolVal(True, self.ctx)
        if e is sympy.false or e is False:
            return z3.BoolVal(False, self.ctx)
        if isinstance(e, sympy.Integer):
            return z3.IntVal(int(e), self.ctx)
        if isinstance(e, sympy.Symbol):
            if e.name not in self.vars:
                raise ValueError(f"free symbol {e} is not a variable of the claim")
            return self.vars[e.name]
        if isinstance(e, sympy.Add):
            return z3.Sum([self(a) for a in e.args])
        if isinstance(e, sympy.Mul):
            num, den = sympy.fraction(e)
            if den != 1:
                raise ValueError(f"{e} is not an integer expression (a division outside floor or Mod)")
            return z3.Product([self(a) for a in e.args])
        if isinstance(e, sympy.Pow) and e.exp.is_Integer and e.exp > 0:
            return z3.Product([self(e.base)] * int(e.exp))
        if isinstance(e, sympy.floor):
            num, den = sympy.fraction(sympy.together(e.args[0]))
            if den == 1:
                return self(sympy.expand(num))
            self.divisors.append(den)
            return self(sympy.expand(num)) / self(sympy.expand(den))
        if isinstance(e, sympy.Mod):
            self.divisors.append(e.args[1])
            return self(e.args[0]) % self(e.args[1])
        if isinstance(e, sympy.Abs):  # |x| as an if-then-else (the padding modes' branch-free maps use it)
            inner = self(e.args[0])
            return z3.If(inner < 0, -inner, inner)
        if isinstance(e, (sympy.Max, sympy.Min)):
            args = [self(a) for a in e.args]
            out = args[0]
            for nxt in args[1:]:
                out = z3.If(nxt > out, nxt, out) if isinstance(e, sympy.Max) else z3.If(nxt < out, nxt, out)
            return out
        if isinstance(e, sympy.Piecewise):
            if e.args[-1][1] is not sympy.true:  # undefined where no condition holds: not a total integer term
                raise ValueError(f"{e} has no otherwise branch")
            out = self(e.args[-1][0])
            for value, cond in reversed(e.args[:-1]):
                out = z3.If(self(cond), self(value), out)
            return out
        relations = {sympy.Eq: lambda a, b: a == b, sympy.Ne: lambda a, b: a != b, sympy.Lt: lambda a, b: a < b,
                     sympy.Le: lambda a, b: a <= b, sympy.Gt: lambda a, b: a > b, sympy.Ge: lambda a, b: a >= b}
        for kind, make in relations.items():
            if isinstance(e, kind):
                return make(self(e.lhs), self(e.rhs))
        if isinstance(e, sympy.And):
            return z3.And([self(a) for a in e.args])
        if isinstance(e, sympy.Or):
            return z3.Or([self(a) for a in e.args])
        if isinstance(e, sympy.Not):
            return z3.Not(self(e.args[0]))
        if isinstance(e, sympy.Implies):
            return z3.Implies(self(e.args[0]), self(e.args[1]))
        if isinstance(e, sympy.Equivalent):
            first, *rest = [self(a) for a in e.args]
            return z3.And([first == r for r in rest])
        raise ValueError(f"cannot translate {sympy.srepr(e)[:80]} to z3")


def _safe(name: str) -> str:
    """An SMT-LIB simple symbol for a sympy name (``m'`` becomes ``m_prime``)."""
    return "".join(ch if ch.isalnum() or ch == "_" else ("_prime" if ch == "'" else "_") for ch in name)


def to_z3(expr: Any, variables: Any) -> Any:
    """``expr`` as a z3 term over integer constants named like ``variables``."""
    import z3

    names = {str(v): z3.Int(_safe(str(v))) for v in variables}
    return _Translator(z3, names)(sympy.sympify(expr))


RETRY_SEEDS = (1, 2)
"""Random seeds z3 tries again with when a check answers *unknown* (its search on nonlinear integer arithmetic
can stall under one seed and finish at once under another): any decided answer is as good as the first, since
*sat* comes with a model and *unsat* is a proof whatever the seed."""


def _solve(z3: Any, facts: list, timeout_ms: int, ctx: Any = None) -> tuple[str, Any, str]:
    for seed in (0,) + RETRY_SEEDS:
        solver = z3.Solver(ctx=ctx)
        solver.set("timeout", timeout_ms)
        solver.set("random_seed", seed)
        solver.add(*facts)
        if seed == 0:
            smtlib = solver.to_smt2()
        verdict = solver.check()
        if verdict != z3.unknown:
            break
    return str(verdict), (solver.model() if verdict == z3.sat else None), smtlib


def _trivial(display: Any, hypotheses: tuple = ()) -> str:
    """Why the displayed conclusion says nothing ('' when it says something).

    ``True`` as written; a relation between identical sides (``x = x``, ``n <= n``); a conjunction of such; or a
    conclusion that is one of the claim's own hypotheses (assumed, not proved).
    """
    if display is sympy.true or display is True:
        return "is true as written"
    if isinstance(display, sympy.And):
        parts = [_trivial(a) for a in display.args]
        return "is a conjunction of relations that hold as written" if all(parts) else ""
    if isinstance(display, (sympy.Eq, sympy.Le, sympy.Ge, sympy.Equivalent)) and len(set(display.args)) == 1:
        return "relates identical sides"
    if any(sympy.sympify(h) == display for h in hypotheses):
        return "is one of its own hypotheses"
    return ""


def prove(name: str, variables: Any, hypotheses: Any, conclusion: Any, *, shown: Any = None,
          timeout_ms: int = TIMEOUT_MS) -> Claim:
    """Prove ``for all variables: hypotheses => conclusion`` over the integers with z3.

    Three checks, each of which must get a decided answer:

    1. the hypotheses have a model (``sat``): it is kept as the claim's ``witness`` (a claim without hypotheses
       has none: any integers would do).  Hypotheses that
       cannot hold would prove anything, so such a claim is refused;
    2. every divisor of a ``floor``/``Mod`` is positive under the hypotheses (``unsat`` of the contrary), so
       that SMT-LIB's ``div`` and ``mod`` are sympy's ``floor`` and ``Mod``;
    3. the negation of the conclusion is ``unsat``.

    *unknown* (a timeout) at any stage, also under the seeds of :data:`RETRY_SEEDS`, fails the claim and says so;
    only *unsat* proves.  A conclusion whose
    display has identical sides (``x = x``, ``n <= n``) or repeats a hypothesis is refused when the claim is built:
    it could not fail.

    Returns a :class:`~symconv.proofs.core.Claim` that holds exactly when all three succeed; otherwise it
    carries the counterexample (or the reason).  ``shown`` is the same conclusion written with named
    formulas (:data:`~symconv.proofs.evaluate.NAMED`), recorded for the reader in place of the evaluated one,
    which can read ``m = m``; the solver proves ``conclusion``.
    """
    import z3

    variables = tuple(variables)
    hypotheses = tuple(hypotheses)
    # a context of its own: z3's search depends on the terms its context already holds, so a claim shares none
    # (its verdict cannot change with what was proved before it in the same process)
    ctx = z3.Context()
    names = {str(v): z3.Int(_safe(str(v)), ctx) for v in variables}
    display = conclusion if shown is None else shown
    start = time.perf_counter()

    def refused(reason: str, example: dict | None = None, witness: dict | None = None, sat_smtlib: str = "") -> Claim:
        return Claim(name, variables, hypotheses, display, "z3", False, example, seconds=time.perf_counter() - start,
                     reason=reason, witness=witness, sat_smtlib=sat_smtlib)

    trivial = _trivial(sympy.sympify(display), hypotheses)
    if trivial:
        return refused(f"the claim as stated, {sympy.sstr(display)}, {trivial}: it holds whatever the formulas "
                       "are, so it checks nothing")
    tr = _Translator(z3, names, ctx)
    try:
        hyps = [tr(sympy.sympify(h)) for h in hypotheses]
        goal = tr(sympy.sympify(conclusion))
    except (ValueError, TypeError) as exc:  # e.g. a formula that is not an integer expression: not proved
        return refused(f"not a statement about integers: {exc}")
    verdict, model, sat_smtlib = _solve(z3, hyps, timeout_ms, ctx)
    if verdict != "sat":
        why = ("the hypotheses contradict each other (no integers satisfy them), so the claim would hold of nothing"
               if verdict == "unsat" else f"the solver could not decide whether the hypotheses can hold ({verdict})")
        return refused(why, sat_smtlib=sat_smtlib)
    # a model of no hypotheses says nothing (every assignment is one): only a claim with hypotheses has a witness
    witness = _small(z3, hyps, names, _example(model, names), ctx) if hypotheses else None
    divisors = list(tr.divisors)
    # the translation is faithful only for positive divisors: prove that first
    side = [tr(sympy.Ge(dv, 1)) for dv in divisors]
    if side:
        verdict, model, _ = _solve(z3, hyps + [z3.Not(z3.And(side))], timeout_ms, ctx)
        if verdict != "unsat":
            why = ("a divisor is not positive" if verdict == "sat"
                   else f"the solver could not decide whether every divisor is positive ({verdict})")
            return refused(why, _example(model, names) or None, witness, sat_smtlib)
    verdict, model, smtlib = _solve(z3, hyps + [z3.Not(goal)], timeout_ms, ctx)
    holds = verdict == "unsat"
    example = None if holds or model is None else _example(model, names)
    reason = "" if holds or verdict == "sat" else f"the solver answered {verdict}, so the claim is not proved"
    return Claim(name, variables, hypotheses, display, "z3", holds, example, smtlib,
                 time.perf_counter() - start, reason, witness, sat_smtlib)


WITNESS_BOUNDS = (1, 2, 4, 8, 16)
"""Boxes tried, in turn, for a witness with small numbers (every variable within plus or minus the bound)."""

PREFERRED = re.compile(r"[sk](_\{?[0-9A-Za-z\\]+\}?)?")
"""The stride and the kernel size (on any axis): a witness has them at least 2 when the hypotheses allow it, so
that it shows a layer with a stride and a kernel, not the identity layer s = k = 1."""


def _small(z3: Any, hyps: list, names: dict, found: dict, ctx: Any = None) -> dict:
    """A model of the hypotheses with small integers (the first box of :data:`WITNESS_BOUNDS` with one), or
    ``found``: a reader checks a witness like n = 2, s = 2 at a glance, not n = 13, p_l = 168.

    The stride and the kernel size (:data:`PREFERRED`) are at least 2 in the witness where some model in the
    boxes has them so; otherwise the smallest model is shown as it is.  Only the choice of the shown model
    changes: every one satisfies the hypotheses.
    """
    preferred = [v >= 2 for name, v in names.items() if PREFERRED.fullmatch(name)]
    size = z3.Sum([z3.If(v >= 0, v, -v) for v in names.values()]) if names else z3.IntVal(0, ctx)
    for extra in ([preferred] if preferred else []) + [[]]:
        for bound in WITNESS_BOUNDS:
            box = [z3.And(v >= -bound, v <= bound) for v in names.values()]
            solver = z3.Optimize(ctx=ctx)  # not one of the three checks of prove(): only a nicer model, so not _solve
            solver.set("timeout", 1000)
            solver.add(*hyps, *box, *extra)
            solver.minimize(size)  # the smallest numbers in the box: a free index shows 0, not an arbitrary -2
            if solver.check() == z3.sat:
                model = solver.model()
                return {name: model.eval(v, model_completion=True).as_long() for name, v in names.items()}
    return found


def _example(model: Any, names: dict) -> dict:
    """The model's value of every variable (a variable the model leaves free takes z3's default, 0)."""
    if model is None:
        return {}
    return {name: model.eval(v, model_completion=True).as_long() for name, v in names.items()}
