"""Proofs as data: steps whose checks run when they are built.

A :class:`Step` records a claim ``lhs = rhs``, the rule that justifies it in
words, the assumptions it uses, the name of the check a program performed and
what that check found.  A :class:`Proof` holds iff every step holds; otherwise
:attr:`Proof.failure` names the first failing step and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

__all__ = ["Step", "Proof", "CHECKS", "identity_check", "floor_split"]

CHECKS = {
    "definition": "the side is the defining formula, as executed by symconv",
    "identity": "the difference of the two sides expands to 0",
    "index equation": "the index equation is solved for the summation index, with integrality and range conditions",
    "floor split": "the split a = q*s + r with 0 <= r < s removes the floor",
    "structure equality": "the (row, column, tap, coefficient) structures are exactly equal",
    "size identity": "the two sizes are equal as expressions",
    "group split": "channel indices split as o = gamma*v + l with 0 <= l < v",
    "polynomial identity": "the two polynomials are identical after expansion",
    "enumeration": "every position was counted and compared",
}


@dataclass(frozen=True)
class Step:
    """One checked claim ``lhs = rhs``.

    Attributes
    ----------
    lhs, rhs : sympy expression or str
    rule : str
        Why the step is true, in words a reader understands.
    check : str
        The kind of check performed (a key of :data:`CHECKS`).
    holds : bool
        What the check found.
    detail : str
        What was verified, or why the step does not hold.
    assumptions : tuple
        The hypotheses the step uses (sympy relations or text).
    spot_checks : int
        Numeric instances at which both sides were evaluated and agreed.
    """

    lhs: Any
    rhs: Any
    rule: str
    check: str
    holds: bool
    detail: str = ""
    assumptions: tuple = ()
    spot_checks: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        if self.check not in CHECKS:
            raise ValueError(f"unknown check {self.check!r}; known: {sorted(CHECKS)}")

    def with_spot_checks(self, count: int, failure: str | None) -> Step:
        """A copy recording numeric spot checks (a failure makes the step fail)."""
        if failure is not None:
            return replace(self, holds=False, detail=f"{self.detail}; spot check failed: {failure}", spot_checks=count)
        return replace(self, spot_checks=count)

    def __str__(self) -> str:
        mark = "✓" if self.holds else "✗"
        text = f"{mark} {_text(self.lhs)} = {_text(self.rhs)}\n    by {self.rule} [{self.check}]"
        if self.spot_checks:
            text += f" (+{self.spot_checks} numeric spot checks)"
        if not self.holds:
            text += f"\n    FAILS: {self.detail}"
        return text


def _text(value: Any) -> str:
    if isinstance(value, sympy.Basic):
        return sympy.sstr(value)
    return str(value)


@dataclass(frozen=True)
class Proof:
    """A theorem with the checked steps that establish it.

    ``holds`` is True exactly when every step holds.
    """

    title: str
    statement: str
    steps: tuple[Step, ...]
    assumptions: tuple = ()
    conclusion: str = ""
    notes: tuple[str, ...] = ()
    data: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def holds(self) -> bool:
        return all(step.holds for step in self.steps)

    @property
    def failure(self) -> str | None:
        """Which step fails first, and why (None when the proof holds)."""
        for number, step in enumerate(self.steps, 1):
            if not step.holds:
                return f"step {number} ({step.name or step.rule}) does not hold: {step.detail}"
        return None

    def __bool__(self) -> bool:
        return self.holds

    def __str__(self) -> str:
        lines = [f"{self.title}: {'holds' if self.holds else 'DOES NOT HOLD'}", f"  {self.statement}"]
        if self.assumptions:
            lines.append("  assuming " + ", ".join(_text(a) for a in self.assumptions))
        for number, step in enumerate(self.steps, 1):
            lines.append(f"  {number}. " + str(step).replace("\n", "\n     "))
        for note in self.notes:
            lines.append(f"  note: {note}")
        if self.holds and self.conclusion:
            lines.append(f"  ∴ {self.conclusion}")
        elif not self.holds:
            lines.append(f"  {self.failure}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's pretty printer shows the readable form."""
        printer.text(str(self))

    def _repr_latex_(self) -> str:
        from ..latex.documents import proof_fragment

        return proof_fragment(self)

    def to_latex(self, definitions: bool = True) -> str:
        """The proof as a LaTeX fragment (theorem, definitions, steps, conclusion).

        ``definitions=False`` omits the index maps, for documents that show them once.
        """
        from ..latex.documents import proof_fragment

        return proof_fragment(self, definitions)

    def to_document(self, title: str | None = None) -> str:
        """The proof as a standalone LaTeX document that compiles with pdflatex."""
        from ..latex.documents import proof_document

        return proof_document(self, title=title)


def identity_check(lhs: Any, rhs: Any) -> tuple[bool, str]:
    """``lhs - rhs`` expands (or simplifies) to 0."""
    diff = sympy.expand(sympy.sympify(lhs) - sympy.sympify(rhs))
    if diff != 0:
        diff = sympy.simplify(diff)
    if diff == 0:
        return True, f"({sympy.sstr(lhs)}) - ({sympy.sstr(rhs)}) expands to 0"
    return False, f"({sympy.sstr(lhs)}) - ({sympy.sstr(rhs)}) = {sympy.sstr(diff)}, not 0"


def floor_split(expr: Any, r: sympy.Symbol, s: sympy.Symbol) -> tuple[Any, str]:
    """Reduce ``floor(r/s)`` to 0 and ``Mod(r, s)`` to ``r`` under ``0 <= r < s``.

    The bound is verified, not assumed: ``r/s >= 0`` from the signs, and
    ``1 - r/s > 0`` by writing ``r = s - 1 - e`` with ``e >= 0``.
    """
    e = sympy.Symbol("e_split", integer=True, nonnegative=True)
    lower = (r / s).is_nonnegative
    upper = sympy.simplify((1 - r / s).subs(r, s - 1 - e)).is_positive
    if not (lower and upper):
        raise ValueError(f"cannot verify 0 <= {r} < {s} from the symbols' assumptions")
    expanded = sympy.sympify(expr).replace(sympy.floor, lambda arg: sympy.floor(sympy.expand(arg)))
    reduced = expanded.replace(sympy.floor(r / s), sympy.Integer(0)).replace(sympy.Mod(r, s), r)
    return reduced, f"0 <= {r}/{s} < 1 verified ({r} >= 0, {s} > 0, {r} = {s} - 1 - e with e >= 0)"


def spot_check(step: Step, instances: list, evaluate: Callable[[Any], tuple[Any, Any]]) -> Step:
    """Evaluate both sides at every instance; record the count or the first mismatch."""
    import numpy as np

    for count, inst in enumerate(instances):
        left, right = evaluate(inst)
        if not np.array_equal(np.asarray(left), np.asarray(right)):
            return step.with_spot_checks(count, f"at {inst}: {np.asarray(left).tolist()} != {np.asarray(right).tolist()}")
    return step.with_spot_checks(len(instances), None)
