"""The hypotheses of a parametric theorem: one object read by the solver and by the printer.

A :class:`Ranges` holds the relations that every claim of a parametric proof
assumes.  The solver receives :meth:`Ranges.relations`; the theorem's
statement is typeset from the same relations by :meth:`Ranges.latex`, so a
changed range changes the printed statement (there is no hand-typed copy).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy

__all__ = ["Hypothesis", "Ranges"]


@dataclass(frozen=True)
class Hypothesis:
    """One hypothesis: the relation handed to the solver, and how it is read.

    Attributes
    ----------
    relation : sympy relation
        What the solver assumes.
    names : tuple of (sympy.Symbol, expression) pairs
        Abbreviations for printing: each expression in ``relation`` is printed as
        its symbol, and the symbol is defined beside it (``n_T`` for the output length).
    meaning : str
        A gloss in LaTeX text, printed after the relation (e.g. what a negative amount means).
    """

    relation: Any
    names: tuple = ()
    meaning: str = ""

    def shown(self) -> Any:
        """The relation with its abbreviations substituted (what the page shows)."""
        return self.relation.xreplace({expr: symbol for symbol, expr in self.names})


@dataclass(frozen=True)
class Ranges:
    """The hypotheses of a parametric theorem, in the order they are stated.

    Examples
    --------
    >>> import sympy
    >>> s, d, a = sympy.symbols("s d a", integer=True)
    >>> ranges = Ranges((Hypothesis(sympy.Ge(s, 1)), Hypothesis(sympy.Ge(d, 1)),
    ...                  Hypothesis(sympy.And(sympy.Le(0, a), sympy.Lt(a, sympy.Max(s, d))))))
    >>> ranges.relations()
    (s >= 1, d >= 1, (0 <= a) & (a < Max(d, s)))
    >>> ranges.latex()
    ['s, d \\\\ge 1', '0 \\\\le a < \\\\max\\\\left(d, s\\\\right)']
    """

    hypotheses: tuple[Hypothesis, ...]

    def relations(self) -> tuple:
        """The relations the solver assumes, one per hypothesis."""
        return tuple(h.relation for h in self.hypotheses)

    def symbols(self) -> set:
        """Every symbol the hypotheses mention."""
        out: set = set()
        for h in self.hypotheses:
            out |= h.relation.free_symbols
        return out

    def latex(self) -> list[str]:
        r"""The hypotheses as LaTeX mathematics; lower bounds on single symbols with the same bound grouped.

        Each item is one relation as printed by symconv's printer (``n_{\mathrm{in}}, k \ge 1``).
        """
        from ..latex.printing import math_latex  # the latex layer sits above the proofs

        out: list[str] = []
        groups: list[tuple[Any, Any, list]] = []  # (relation class, bound, symbols)
        for h in self.hypotheses:
            rel = h.shown()
            if (isinstance(rel, (sympy.Ge, sympy.Gt)) and isinstance(rel.lhs, sympy.Symbol) and rel.rhs.is_Integer
                    and not h.names and not h.meaning):
                if groups and groups[-1][0] is type(rel) and groups[-1][1] == rel.rhs and groups[-1][2]:
                    groups[-1][2].append(rel.lhs)
                    continue
                groups.append((type(rel), rel.rhs, [rel.lhs]))
            else:
                groups.append((None, h, []))
        for kind, bound, symbols in groups:
            if kind is None:
                h = bound
                text = math_latex(h.shown())
                for symbol, expr in h.names:
                    text += rf", \text{{ where }} {math_latex(symbol)} = {math_latex(expr)}"
                out.append(text)
            else:
                op = r"\ge" if kind is sympy.Ge else ">"
                out.append(", ".join(math_latex(v) for v in symbols) + f" {op} {math_latex(bound)}")
        return out

    def itemized(self) -> str:
        r"""The hypotheses as a LaTeX list labelled (H1), (H2), ... (for a theorem's statement)."""
        items = "\n".join(rf"\item[(H{number})] ${h}$" for number, h in enumerate(self.latex(), 1))
        return "\\begin{itemize}\n" + items + "\n\\end{itemize}"

    def meanings(self) -> list[str]:
        """The glosses of the hypotheses that have one (LaTeX text)."""
        return [h.meaning for h in self.hypotheses if h.meaning]
