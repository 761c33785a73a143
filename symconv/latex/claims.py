"""One claim and one step of a proof as the page shows them: the claim as mathematics (its hypotheses
gathered per axis, its negation when refuted, the counterexample's values), the step's display, and a checker's
report as LaTeX text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy

from .printing import (
    escape_text,
    math_latex,
    symbol_latex,
    text_latex,
)

__all__ = ['report_latex']


POLY_TERMS = 3
"""How many terms of a long polynomial are typeset before it is summarised."""


POLY_LIMIT = 8
"""A sum with more terms than this is shown as its first terms and its number of terms."""


DISPLAY_EM = 40.0
"""Estimated width (em) above which ``lhs = rhs`` is broken over two lines."""


_PROGRAM_TEXT = re.compile(r"[*^_\\{}]|<=|>=|!=|<->|==")


@dataclass
class _Claim:
    name: str
    variables: str  # LaTeX math
    hypotheses: list[str]  # LaTeX math, one per relation
    in_ranges: bool
    conclusion: str  # LaTeX math
    holds: bool
    counterexample: str  # LaTeX text ("" when none)
    seconds: float = 0.0
    witness: str = ""  # LaTeX text: a model of the hypotheses, when the checker recorded one
    denial: str = ""  # LaTeX math: what the counterexample makes true (``a \neq b``), for a refuted claim
    axes: list[str] = field(default_factory=list)  # the axes (``1``, ``\nu``) on which the claim assumes (H)
    checker: str = "z3"


@dataclass
class _Step:
    number: int
    name: str  # plain text
    rule: str  # LaTeX text
    lines: list[str]  # display math, one or two lines (lhs, "= rhs")
    sizes: str  # LaTeX text: a summary of long polynomial sides ("" when none)
    checker: str
    holds: bool
    claims: list[_Claim] = field(default_factory=list)
    report: str = ""  # plain text from the checker (shown when it is words, or when the step fails)
    spot_checks: int = 0
    counterexample: str = ""
    relation: str = "="  # LaTeX: what the display asserts between its sides (a step may prove >=)


_NEGATED = {"=": r"\neq", r"\ge": r"\ngeq", r"\le": r"\nleq"}


def _math(value: Any) -> str:
    return math_latex(value)


def _em(tex: str) -> float:
    """A rough width of inline mathematics in em (for choosing a layout, never for correctness)."""
    text = re.sub(r"\\substack\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}",
                  lambda m: max(m.group(1).split(r"\\"), key=len), tex)
    text = re.sub(r"\\(left|right|mathopen|mathclose|bigl|bigr|Bigl|Bigr)", "", text)
    text = re.sub(r"\\(operatorname|mathrm|text)\{([^{}]*)\}", lambda m: m.group(2), text)
    subs = sum(len(re.sub(r"\\[A-Za-z]+", "x", s)) for s in re.findall(r"[_^]\{([^{}]*)\}", text))
    text = re.sub(r"\\[A-Za-z]+", "x", text)
    text = re.sub(r"[{}_^ ]", "", text)
    return 0.62 * (len(text) - subs) + 0.45 * subs


def _summary(expr: Any) -> tuple[str, int] | None:
    """A long sum typeset as its first terms, ``+ \\cdots``, and its number of terms (None when short)."""
    if not isinstance(expr, sympy.Add) or len(expr.args) <= POLY_LIMIT:
        return None
    terms = sympy.Add.make_args(expr)
    ordered = sorted(terms, key=sympy.default_sort_key)
    head = " + ".join(_math(t) for t in ordered[:POLY_TERMS]).replace("+ -", "- ")
    return head + r" + \cdots", len(terms)


def _side(expr: Any) -> tuple[str, int | None]:
    summary = _summary(expr)
    if summary is None:
        return _math(expr), None
    return summary


def _display(lhs: Any, rhs: Any) -> tuple[list[str], str]:
    left, n_left = _side(lhs)
    right, n_right = _side(rhs)
    sizes = []
    if n_left is not None:
        sizes.append(f"the left side has ${n_left}$ terms")
    if n_right is not None:
        sizes.append(f"the right side has ${n_right}$ terms")
    sizes_text = ("Expanded, " + " and ".join(sizes) + "; the first few are shown.") if sizes else ""
    if _em(left) + _em(right) + 2 <= DISPLAY_EM:
        return [f"{left} = {right}"], sizes_text
    return [left, f"= {right}"], sizes_text


def _counterexample(values: dict | None) -> str:
    if not values:
        return ""
    parts = []
    for name, value in values.items():
        if isinstance(value, int) and not isinstance(value, bool):
            parts.append(f"${symbol_latex(str(name))} = {value}$")
        else:
            parts.append(escape_text(f"{name}: {value}"))
    return ", ".join(parts)


def _relations(items: Sequence[Any]) -> list[str]:
    """Hypotheses as separate relations; a lower bound followed by an upper bound of the same variable is one
    relation ``lo <= x < hi`` (not "0 <= i, i < n", which reads as a variable repeated)."""
    import sympy

    items, out, k = list(items), [], 0
    while k < len(items):
        a, b = items[k], items[k + 1] if k + 1 < len(items) else None
        low = ((a.lhs, a.rhs) if isinstance(a, sympy.LessThan) else
               (a.rhs, a.lhs) if isinstance(a, sympy.GreaterThan) else None)
        if low is not None and isinstance(b, (sympy.StrictLessThan, sympy.LessThan)) and b.lhs == low[1]:
            op = "<" if isinstance(b, sympy.StrictLessThan) else r"\le"
            out.append(rf"{_math(low[0])} \le {_math(low[1])} {op} {_math(b.rhs)}")
            k += 2
            continue
        out.append(_math(a))
        k += 1
    return out


def _claim(claim: Any, ranges: set, names: dict | None = None, formulas: Any = None,
           lengths: dict | None = None) -> _Claim:
    names = names or {}
    if names:  # the theorem's abbreviations (n_T for its formula), as the statement prints them
        short = lambda e: e.xreplace(names) if isinstance(e, sympy.Basic) else e  # noqa: E731
        claim = type("Shown", (), dict(name=claim.name, variables=claim.variables, holds=claim.holds,
                                       hypotheses=tuple(short(h) for h in claim.hypotheses),
                                       conclusion=_abbreviated(claim.conclusion, names),
                                       counterexample=claim.counterexample,
                                       seconds=getattr(claim, "seconds", 0.0),
                                       witness=getattr(claim, "witness", None)))()
        ranges = {short(r) for r in ranges}
    statement_symbols = set()
    for part in tuple(claim.hypotheses) + (claim.conclusion,):
        if isinstance(part, sympy.Basic):
            statement_symbols |= part.free_symbols
    variables = [v for v in claim.variables if v in statement_symbols]
    local = [h for h in claim.hypotheses if h not in ranges]
    in_ranges = len(local) < len(claim.hypotheses)
    own = {x for part in local + [claim.conclusion] if isinstance(part, sympy.Basic) for x in part.free_symbols}
    own |= {x for expr, symbol in names.items() if symbol in own for x in expr.free_symbols}  # n_T's, for n_T
    statement_symbols = own or statement_symbols  # values of the claim's own variables ((H) holds beside them)
    local, axes = _axis_ranges(local, ranges, names)
    return _Claim(
        name=claim.name,
        variables=", ".join(_math(v) for v in variables),
        hypotheses=_relations(local),
        in_ranges=in_ranges,
        axes=axes,
        conclusion=_math(claim.conclusion),
        holds=claim.holds,
        counterexample=_counterexample(_relevant(claim.counterexample, statement_symbols)),
        seconds=float(getattr(claim, "seconds", 0.0) or 0.0),
        witness=_counterexample(_relevant(getattr(claim, "witness", None), statement_symbols)),
        denial="" if claim.holds else _negated(claim.conclusion) + _denied_values(claim, formulas, lengths),
        checker=getattr(claim, "checker", "z3"),
    )


_AXIS_LABEL = re.compile(r"\^\{\(([0-9]+|\\nu)\)\}$")
"""An axis's superscript on a symbol's name: ``k^{(1)}``, ``s^{(\\nu)}``."""


def _conjuncts(relation: Any) -> tuple:
    return relation.args if isinstance(relation, sympy.And) else (relation,)


def _axis_ranges(local: list, ranges: set, names: dict | None = None) -> tuple[list, list[str]]:
    """The hypotheses of a claim that are the theorem's hypotheses (H) on some axes, written for that axis's
    symbols (``k^{(1)} >= 1`` for ``k >= 1``), taken out: the rest, and those axes (each only when every
    hypothesis of (H) occurs for it).  ``names`` maps formulas to the theorem's abbreviations (``n_T``), which
    ``ranges`` uses and a per-axis hypothesis spells out.

    >>> k, s, k1, s1, j = sympy.symbols("k s k^{(1)} s^{(1)} j", integer=True)
    >>> _axis_ranges([sympy.Ge(k1, 1), sympy.Ge(s1, 1), sympy.Ge(j, 0)], {sympy.Ge(k, 1), sympy.Ge(s, 1)})
    ([j >= 0], ['1'])
    """
    spelled = {symbol: expr for expr, symbol in (names or {}).items()}
    base = [r.xreplace(spelled) for r in ranges if isinstance(r, sympy.Basic)]
    if not base or not local:
        return local, []
    names = {str(h.name) for r in local for h in r.free_symbols} if all(isinstance(r, sympy.Basic) for r in local) \
        else set()
    labels = sorted({m.group(1) for name in names for m in [_AXIS_LABEL.search(name)] if m},
                    key=lambda t: (not t.isdigit(), int(t) if t.isdigit() else 0))
    axes, rest = [], list(local)
    for label in labels:
        sub = {v: sympy.Symbol(f"{symbol_latex(v.name)}^{{({label})}}", **v.assumptions0)
               for r in base for v in r.free_symbols}
        wanted = {str(c.xreplace(sub)) for r in base for c in _conjuncts(r)}
        covered = [r for r in rest if all(str(c) in wanted for c in _conjuncts(r))]
        if {str(c) for r in covered for c in _conjuncts(r)} == wanted:
            axes.append(label)
            short = {expr.xreplace(sub): sympy.Symbol(f"{symbol_latex(str(symbol))}^{{({label})}}",
                                                      **symbol.assumptions0)
                     for symbol, expr in spelled.items()}  # the abbreviation of that axis: n_T^{(1)}
            rest = [r.xreplace(short) for r in rest if not any(r is c for c in covered)]
    return rest, axes


def _axes_text(hypotheses: str, axes: list[str]) -> str:
    """``(H) on every axis`` (when the axes are 1, ..., N with N >= 2), ``(H) on axis $\\nu$`` and so on."""
    if len(axes) > 1 and axes == [str(n) for n in range(1, len(axes) + 1)]:
        return f"{hypotheses} on every axis"
    shown = [f"${a}$" for a in axes]
    return f"{hypotheses} on axis {shown[0]}" if len(shown) == 1 else \
        f"{hypotheses} on axes " + ", ".join(shown[:-1]) + f" and {shown[-1]}"


def _abbreviated(conclusion: Any, names: dict) -> Any:
    """A claim's conclusion with the theorem's abbreviations, except a side that *is* an abbreviated formula.

    ``n_T(n_in, ...) = (n_in - 1) s - ... + 1`` states what the name ``n_T`` abbreviates; abbreviating that side
    too would print ``n_T(...) = n_T``, which reads as a tautology.
    """
    if not isinstance(conclusion, sympy.Basic):
        return conclusion
    if isinstance(conclusion, sympy.Rel) and (conclusion.lhs in names or conclusion.rhs in names):
        sides = [side if side in names else side.xreplace(names) for side in (conclusion.lhs, conclusion.rhs)]
        return type(conclusion)(*sides, evaluate=False)
    return conclusion.xreplace(names)


def _negated(conclusion: Any) -> str:
    r"""The denial of a refuted conclusion as LaTeX (``a \neq b`` for ``a = b``, ``a \ge b`` for ``a < b``)."""
    opposite = {sympy.Eq: sympy.Ne, sympy.Ne: sympy.Eq, sympy.Lt: sympy.Ge, sympy.Le: sympy.Gt, sympy.Gt: sympy.Le,
                sympy.Ge: sympy.Lt}
    if isinstance(conclusion, sympy.Basic) and type(conclusion) in opposite:
        return _math(opposite[type(conclusion)](conclusion.lhs, conclusion.rhs, evaluate=False))
    if isinstance(conclusion, sympy.And) and all(type(p) in opposite for p in conclusion.args):
        # not (lo <= x < hi): x < lo or x >= hi, each read with its variable on the left
        parts = [opposite[type(p)](p.lhs, p.rhs, evaluate=False) for p in conclusion.args]
        parts = [p.reversed if p.lhs.is_number else p for p in parts]
        return r" \;\vee\; ".join(_math(p) for p in parts)
    if isinstance(conclusion, sympy.Basic):
        return r"\neg\left(" + _math(conclusion) + r"\right)"
    return ""


def _denied_values(claim: Any, formulas: Any, lengths: dict | None = None) -> str:
    r"""For a refuted equation or inequality, its two sides at the counterexample (``, \text{ that is } 1 \neq 0``).

    The named formulas of the display are evaluated by the formulas that ran (``formulas``); "" when a side does
    not come out as an integer or nothing is known to evaluate them with.  ``lengths`` maps a named length of the
    display (``n_z``) to its expression in the claim's variables, so that it is evaluated too.
    """
    conclusion, values = claim.conclusion, claim.counterexample
    if isinstance(conclusion, sympy.And) and all(isinstance(p, sympy.Rel) for p in conclusion.args):
        return _denied_part(claim, formulas, lengths)
    if formulas is None or not values or not isinstance(conclusion, sympy.Rel):
        return ""
    lengths = lengths or {}
    names = {str(v): v for v in conclusion.xreplace(lengths).free_symbols}
    at = {names[k]: v for k, v in values.items() if k in names and isinstance(v, int)}

    def value(side: Any) -> Any:
        side = side.xreplace(lengths).replace(lambda e: hasattr(type(e), "_symconv_formula"),
                            lambda e: getattr(formulas, type(e)._symconv_formula)(*e.args))
        return sympy.sympify(side).xreplace(at)

    try:
        left, right = sympy.sympify(value(conclusion.lhs)), sympy.sympify(value(conclusion.rhs))  # a Piecewise: int
    except (AttributeError, TypeError, ValueError, sympy.SympifyError):
        return ""
    if not (left.is_Integer and right.is_Integer):
        return ""
    opposite = {sympy.Eq: r"\neq", sympy.Ne: "=", sympy.Lt: r"\ge", sympy.Le: ">", sympy.Gt: r"\le", sympy.Ge: "<"}
    return rf", \text{{ that is }} {left} {opposite[type(conclusion)]} {right}"


def _denied_part(claim: Any, formulas: Any, lengths: dict | None) -> str:
    r"""For a refuted conjunction of relations (``0 \le x < k``), the part that is false at the counterexample with
    its sides' values (``, \text{ that is } k - m' = 1 \ge k = 1``); "" when no part comes out false in integers."""
    for part in claim.conclusion.args:
        shown = part.reversed if part.lhs.is_number else part  # the variable's side first, as the denial reads it
        values = _denied_values(type("Part", (), dict(conclusion=shown, counterexample=claim.counterexample))(),
                                formulas, lengths)
        numbers = re.fullmatch(r", \\text\{ that is \} (-?\d+) (\S+) (-?\d+)", values)
        holds = {r"\neq": int.__ne__, "=": int.__eq__, r"\ge": int.__ge__, ">": int.__gt__, r"\le": int.__le__,
                 "<": int.__lt__}
        if numbers and holds[numbers.group(2)](int(numbers.group(1)), int(numbers.group(3))):  # this part is false
            left, op, right = numbers.groups()
            return rf", \text{{ that is }} {_side_value(shown.lhs, left)} {op} {_side_value(shown.rhs, right)}"
    return ""


def _side_value(side: Any, value: str) -> str:
    """A side and its value (``k - m' = 1``), or the number alone when the side is one."""
    return value if side.is_number else f"{_math(side)} = {value}"


def _relevant(values: dict | None, symbols: set) -> dict | None:
    """A solver's model restricted to the variables the claim mentions (it assigns every declared variable)."""
    if not values:
        return values
    names = {str(v) for v in symbols}
    kept = {k: v for k, v in values.items() if str(k) in names}
    return kept or values


def _step(number: int, step: Any, ranges: set, names: dict | None = None, formulas: Any = None,
          lengths: dict | None = None) -> _Step:
    lines, sizes = _display(step.lhs, step.rhs)
    refuted = next((c for c in step.claims if not c.holds), None)
    example = step.counterexample
    if refuted is not None and isinstance(refuted.statement, sympy.Basic):
        example = _relevant(example, refuted.statement.free_symbols)
    return _Step(
        number=number, name=step.name or step.checker, rule=step.rule, lines=lines, sizes=sizes,
        checker=step.checker, holds=step.holds, claims=[_claim(c, ranges, names, formulas, lengths) for c in step.claims],
        report=step.detail, spot_checks=step.spot_checks, counterexample=_counterexample(example),
        relation=getattr(step, "relation", "="),
    )


def _operator_names() -> dict:
    r"""The operators of symconv.formulas by the name a report writes (``flip``), as LaTeX (``\operatorname{flip}``)."""
    from .. import formulas

    return {m.group(1): tex for tex in formulas.LATEX_NAMES.values()
            if (m := re.fullmatch(r"\\operatorname\{([a-z]+)\}", tex))}


_REPORT_ARG = r"(?:[A-Za-z](?:_[A-Za-z0-9]+)?|\d+)"  # a symbol (n_T) or a number


_REPORT_MATH = re.compile(rf"(?<![\w'])([a-z]+)\(({_REPORT_ARG}(?:, {_REPORT_ARG})*)\)"  # flip(m, k)
                          r"|(?<![\w'])([A-Za-z]) = (-?\d+)(?![\w.])")  # m = 0


def report_latex(report: str) -> str:
    r"""A checker's report (plain text) as LaTeX text, its formulas and small equations as mathematics.

    An operator of :mod:`symconv.formulas` applied to symbols (``flip(m, k)``) becomes the operator of the
    Definitions; a letter set to a number (``m = 0``) an equation; the rest goes through
    :func:`~symconv.latex.printing.text_latex`.

    Parameters
    ----------
    report : str
        A step's ``detail``.

    Returns
    -------
    str
        LaTeX text.

    Examples
    --------
    >>> report_latex("flip(m, k) sends tap m = 0 of a kernel of size k = 3 to 3, so n_T grows")
    '$\\operatorname{flip}(m, k)$ sends tap $m = 0$ of a kernel of size $k = 3$ to 3, so $n_{T}$ grows'
    """
    if "$" in report:  # mathematics the checker typeset itself ($...$) is kept as it is
        return "".join(part if i % 2 else report_latex(part) for i, part in enumerate(re.split(r"(\$[^$]+\$)", report)))
    operators = _operator_names()
    out, position = [], 0
    for match in _REPORT_MATH.finditer(report):
        if match.group(1) and match.group(1) not in operators:
            continue  # a parenthesis of prose, not a formula
        out.append(text_latex(report[position:match.start()]))
        if match.group(1):
            args = re.sub(r"([A-Za-z])_([A-Za-z0-9]+)", r"\1_{\2}", match.group(2))
            out.append(f"${operators[match.group(1)]}({args})$")
        else:
            out.append(f"${match.group(3)} = {match.group(4)}$")
        position = match.end()
    return "".join(out) + text_latex(report[position:])


def _is_words(text: str) -> bool:
    """A checker report that reads as words (identifiers like ``n_T`` are typeset; operators are not words)."""
    if not text or re.search(r"\w\(\)", text):  # a call such as transpose() is program text
        return False
    text = re.sub(r"\$[^$]+\$", "x", text)  # mathematics the checker typeset itself is no program text
    return _PROGRAM_TEXT.search(re.sub(r"[A-Za-z]+_[A-Za-z0-9]+|\d+\^-?\d+", "x", text)) is None


def _title_latex(name: str, text: Any = text_latex) -> str:
    r"""A claim's title as LaTeX text: its ``$...$`` parts are mathematics, kept; the rest goes through ``text``.

    A claim is titled as a reader would state it, so its formulas are written as formulas, not as program text:

    >>> _title_latex(r"tap $\operatorname{flip}(m, k)$ of $\tilde w$ reads where tap $m$ reads; n_T too")
    'tap $\\operatorname{flip}(m, k)$ of $\\tilde w$ reads where tap $m$ reads; $n_{T}$ too'
    """
    parts = str(name).split("$")
    if len(parts) % 2 == 0:  # an unbalanced dollar is text, escaped
        return text(name)
    return "".join(f"${p}$" if i % 2 else text(p) for i, p in enumerate(parts))
