"""Unevaluated relations for the z3 claims: what every parametric prover writes its hypotheses with.

sympy would reduce ``Eq(m, m)`` to ``True`` (and ``And`` of known facts to ``True``) before anyone could read the
claim, so the claims are built unevaluated: the page and the solver see exactly the relation that was written.
"""

from __future__ import annotations

from typing import Any

import sympy

__all__ = ["rel", "eq", "and_", "within"]


def rel(kind: type, lhs: Any, rhs: Any) -> sympy.Basic:
    """The relation ``kind(lhs, rhs)`` (``sympy.Eq``, ``sympy.Ge``, ...), unevaluated.

    >>> m = sympy.Symbol("m")
    >>> rel(sympy.Eq, m, m)
    Eq(m, m)
    """
    return kind(lhs, rhs, evaluate=False)


def eq(lhs: Any, rhs: Any) -> sympy.Basic:
    """``lhs = rhs``, unevaluated."""
    return rel(sympy.Eq, lhs, rhs)


def and_(*args: Any) -> sympy.Basic:
    """The conjunction of ``args``, unevaluated."""
    return sympy.And(*args, evaluate=False)


def within(lo: Any, x: Any, hi: Any) -> sympy.Basic:
    """``lo <= x < hi``, unevaluated.

    >>> within(0, sympy.Symbol("i"), sympy.Symbol("n"))
    (0 <= i) & (i < n)
    """
    return and_(rel(sympy.Le, lo, x), rel(sympy.Lt, x, hi))
