"""Proofs as LaTeX fragments and documents, as Markdown, and as MathJax for notebooks.

One renderer reads the proof's data (:mod:`symconv.proofs.core`) and writes it
in three flavours:

* ``latex``: a fragment for pdflatex (``theorem`` and ``proof`` environments);
* ``markdown``: GitHub- and Jupyter-readable, mathematics in ``$...$`` and ``$$...$$``;
* ``mathjax``: what a notebook's ``_repr_latex_`` may use (text and ``$...$``
  mathematics only: no environments, no sectioning, no text-mode macros).

Every formula is produced by sympy's LaTeX printer (through
:class:`~symconv.latex.printing.SymconvLatexPrinter`), by latexify-py (the
definitions), or is the fixed frame written here.  Titles and checker reports
are plain text and are escaped; statements, rules and notes are LaTeX text
written by the program.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy

from .blocks import axis_blocks_latex
from .formulas import definitions_latex
from .notation import notation_latex, notation_markdown
from .phrases import counted
from ..proofs.core import LEMMA_REF
from .printing import (
    MatrixWindow,
    block_pattern_latex,
    elided_window,
    escape_text,
    layer_text,
    math_latex,
    matrix_latex,
    spec_latex,
    symbol_latex,
    text_latex,
)

__all__ = ["proof_fragment", "further_checks_latex", "proof_document", "claims_appendix", "proof_markdown",
           "proof_mathjax", "document", "CONVENTIONS",
           "PREAMBLE_PACKAGES"]

_PADDED = {
    "zeros": r"the input padded with zeros: $\tilde x[\xi] = x[\xi]$ for $0 \le \xi < n$ and $0$ outside",
    "reflect": r"the input padded by reflection: $\tilde x[\xi] = x[\xi]$ for $0 \le \xi < n$, and outside it "
               r"$\tilde x[-\xi] = x[\xi]$ and $\tilde x[n - 1 + \xi] = x[n - 1 - \xi]$ for $0 < \xi < n$ (each "
               r"padding is below $n$)",
    "replicate": r"the input padded by replication: $\tilde x[\xi] = x[\xi]$ for $0 \le \xi < n$, and outside it "
                 r"the nearest end's entry, $\tilde x[\xi] = x[0]$ for $\xi < 0$ and $\tilde x[\xi] = x[n - 1]$ for "
                 r"$\xi \ge n$",
    "circular": r"the input padded circularly: $\tilde x[\xi] = x[\xi \bmod n]$ for $-p_{l} \le \xi < n + p_{r}$ "
                r"(each padding is at most $n$)",
}
"""What the padded input of a convolution is, for each of PyTorch's padding modes."""


_CHANNELS = re.compile(r"C_\{\\mathrm\{(?:in|out)\}\}|\bgroups?\b|channel")
"""What shows that a document is about layers with channels (their weights have PyTorch's layouts)."""

_TENSORS = re.compile(r"C_\{\\mathrm\{(?:in|out)\}\}|channel|spatial ax|\bflatten")
"""What shows that a document's matrices act on tensors, flattened (channels, or several spatial axes)."""


_DIRECT = r"\\operatorname\{conv\}(?!\^)|n_\{\\mathrm\{out\}\}|\\tilde\{? ?x|x̃"
"""What shows that a document uses the convolution's formula, its output length or its padded input."""

_TRANSPOSED = r"\\operatorname\{conv\}\^|n_\{?T\}?(?![A-Za-z])|n_\{\\mathrm\{in\}\}"
"""What shows that a document uses the transposed convolution's formula, its output length or its input length."""

_OTHER_MODES = r"\b(?:reflect|replicat|circular)"
"""What shows that a document about several layers has layers that do not pad with zeros."""

_IVERSON = r"(?:\\left|\\bigl|\\Bigl|(?<![\\A-Za-z}\]]))\[(?!I\s*\\mid)[^\[\]$]{0,120}?(?:=|<|>|\\(?:mid|neq?|[lg]eq?)(?![A-Za-z]))[^\[\]$]{0,120}?(?:\\right|\\bigr|\\Bigr)?\]"
r"""What shows that a document uses an Iverson bracket: a bracket holding a relation (``[j = s i + d m - p_l]``,
``[s \mid k]``), not an index (``x[i]``), an optional argument (``\\[4pt]``, ``\includegraphics[width=...]``) nor a
block matrix ``[I \mid 0]``."""


def conventions(padding_mode: str | None = "zeros", body: str | None = None) -> str:
    r"""The Conventions paragraph of a document, saying what the padded input $\tilde x$ is for its padding mode.

    Parameters
    ----------
    padding_mode : str or None
        PyTorch's padding mode of the document's layer; None for a document about several modes.
    body : str, optional
        The rest of the document: each convention is stated only where it uses it (default: all stated). The
        convolution where it uses $\operatorname{conv}$, $n_{\mathrm{out}}$ or $\tilde x$; the transposed
        convolution where it uses $\operatorname{conv}^{\top}$, $n_T$ or $n_{\mathrm{in}}$ (the convolution when
        it uses neither); Iverson brackets where it has one; the other padding modes (``padding_mode`` None) where
        it names one; the weights' layouts where it has channels; the flattening of tensors where it has channels
        or several spatial axes.

    Returns
    -------
    str
        LaTeX text.

    Raises
    ------
    ValueError
        When ``padding_mode`` is not one of PyTorch's padding modes.

    Examples
    --------
    >>> "zeros" in conventions("zeros"), "circularly" in conventions("circular"), "zeros" in conventions("circular")
    (True, True, False)
    >>> "layouts" in conventions("zeros", body="a kernel $w$"), "layouts" in conventions("zeros", body="channel $c$")
    (False, True)
    >>> plain = conventions(None, body=r"$\operatorname{conv}^{\top}(y)$ for $y[i]$")
    >>> "Iverson" in plain, "says otherwise" in plain, "cross-correlation" in plain
    (False, False, False)
    >>> "Iverson" in conventions(None, body=r"$[s \mid k]$"), "says otherwise" in conventions(None, body="circular")
    (True, True)
    """
    if padding_mode is not None and padding_mode not in _PADDED:
        raise ValueError(f"padding_mode must be one of {sorted(_PADDED)}, got {padding_mode!r}")
    if body is not None:  # the Notation describes its symbols in general: what it says is not what this uses
        body = re.sub(r"\\subsection\*\{Notation\}.*?\\end\{list\}", "", body, flags=re.S)
    used = (lambda pattern: body is None or re.search(pattern, body) is not None)  # noqa: E731
    transposed = used(_TRANSPOSED)
    direct = used(_DIRECT) or not transposed  # a document using neither is told what convolution means
    modes = padding_mode is None and used(_OTHER_MODES)
    padded = (_PADDED[padding_mode] if padding_mode is not None
              else r"the padded input: $\tilde x[\xi] = x[\xi]$ for $0 \le \xi < n$, and outside it $0$ unless the "
                   r"layer's padding mode (reflect, replicate or circular) says otherwise" if modes
              else _PADDED["zeros"])
    parameters = (r"with kernel size $k$, stride $s$, dilation $d$ and padding $p_{l}$ on the left and $p_{r}$ on "
                  r"the right")
    out = []
    if direct:
        out.append("Convolution means the deep-learning operation, cross-correlation: on an input $x$ of length $n$, "
                   + parameters + r", $\operatorname{conv}(x)[i] = \sum_{m=0}^{k-1} w[m]\, \tilde x[s i + d m - p_{l}]$"
                   r" for $0 \le i < n_{\mathrm{out}}$, where "
                   r"$n_{\mathrm{out}} = \lfloor (n + p_{l} + p_{r} - d (k - 1) - 1)/s \rfloor + 1$ and $\tilde x$ is "
                   f"{padded}.")
    if transposed:
        out.append(r"The transposed convolution, in PyTorch's convention, "
                   + (r"with the same $k, s, d, p_{l}, p_{r}$" if direct else parameters)
                   + r" and an output padding $a$, maps an input $y$ of length $n_{\mathrm{in}}$ to "
                   r"$\operatorname{conv}^{\top}(y)[j] = \sum w[m]\, y[i]$, the sum over the pairs $(i, m)$ with "
                   r"$0 \le i < n_{\mathrm{in}}$, $0 \le m < k$ and $s i + d m - p_{l} = j$, for $0 \le j < n_T$, where "
                   r"$n_T = s (n_{\mathrm{in}} - 1) + d (k - 1) + a - p_{l} - p_{r} + 1$: input $i$ adds the kernel, "
                   r"scaled by $y[i]$, at the outputs $s i + d m - p_{l}$ that lie in range.")
    if used(_IVERSON):
        out.append(r"Brackets around a statement are Iverson's: $[j = s i + d m - p_{l}]$ is $1$ when the equation "
                   r"holds and $0$ when it does not.")
    if used(_CHANNELS):
        out.append(r"Weights use PyTorch's layouts: $(C_{\mathrm{out}}, C_{\mathrm{in}}/g, k^{(1)}, k^{(2)}, \dots)$ "
                   r"for a convolution and $(C_{\mathrm{in}}, C_{\mathrm{out}}/g, k^{(1)}, k^{(2)}, \dots)$ for a "
                   r"transposed convolution, one kernel size $k^{(\nu)}$ for each spatial axis $\nu$.")
    if used(_TENSORS):
        out.append(r"Matrices act on one batch element, a tensor of shape (channels, $n^{(1)}, n^{(2)}, \dots$), "
                   r"$n^{(\nu)}$ the length of spatial axis $\nu$, flattened row-major: the channel first, then the "
                   r"spatial axes in order.")
    return " ".join(out)


CONVENTIONS = conventions("zeros")
"""The Conventions paragraph of a document whose layer pads with zeros (PyTorch's default)."""


def head_title(title: str, dash: str = "–") -> str:
    """A proof's title as a theorem head prints it inside parentheses: a trailing parenthesis becomes a sub-title
    after a dash, so that a head never ends in double parentheses ("(... (instance))").

    Parameters
    ----------
    title : str
        The proof's title, plain text.
    dash : str
        The dash before the sub-title (``"--"``, an en dash, in LaTeX).

    Returns
    -------
    str
        The title without a trailing parenthesis.

    Examples
    --------
    >>> head_title("Transposed convolution is a convolution (instance)")
    'Transposed convolution is a convolution – instance'
    >>> head_title("Weight gradient")
    'Weight gradient'
    """
    match = re.fullmatch(r"(.*\S)\s+\(([^()]*)\)", title.strip())
    return f"{match.group(1)} {dash} {match.group(2)}" if match else title


def _padding_mode_of(proof: Any) -> str | None:
    """The padding mode a proof's layer uses ("zeros" when it has no layer or the mode is PyTorch's default)."""
    data = getattr(proof, "data", None) or {}
    if "mode" in data:
        return data["mode"]
    for key in ("conv_spec", "spec", "tspec"):
        mode = getattr(data.get(key), "padding_mode", None)
        if mode is not None:
            return mode
    return "zeros"


PREAMBLE_PACKAGES = ("[T1]{fontenc}", "{lmodern}", "[margin=2.2cm]{geometry}", "{microtype}", "{amsmath}",
                     "{amssymb}", "{amsthm}", "{array}")
"""The packages of every document: Latin Modern is a vector font (no bitmap Type 3 fonts in the PDF)."""

POLY_TERMS = 3
"""How many terms of a long polynomial are typeset before it is summarised."""

POLY_LIMIT = 8
"""A sum with more terms than this is shown as its first terms and its number of terms."""

DISPLAY_EM = 40.0
"""Estimated width (em) above which ``lhs = rhs`` is broken over two lines."""

_PROGRAM_TEXT = re.compile(r"[*^_\\{}]|<=|>=|!=|<->|==")


# -- blocks: the proof read once, written in three flavours -------------------------------------------------

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


@dataclass
class _Matrix:
    name: str  # LaTeX math
    what: str  # LaTeX text
    body: str  # LaTeX math (bmatrix)
    caption: str  # LaTeX text
    blocks: str = ""  # LaTeX math: the channel-block pattern ("" for one channel)
    axes: str = ""  # LaTeX text and displays: the blocks along the first spatial axis ("" for 1-D or small)


def _matrices(proof: Any) -> list[_Matrix]:
    """The instance proof's matrices: small ones in full, large ones around their first nonzero band."""
    data = proof.data
    if "T" not in data or "M" not in data:
        return []
    shown = [(name, data[name], what) for name, what in (("M", "the convolution's matrix"),
                                                          ("T", "the transposed convolution's matrix"))
             if data[name] is not None]  # a proof that failed early may not have built them
    gather = data.get("gather")
    if gather is not None and len(gather) == 3 and all(f is not None for f in gather):
        C, Pad, Z = gather
        if max(C.shape + Pad.shape + Z.shape) <= 16:
            shown += [(r"C_{\mathrm{flip}}", C, "the stride-1 convolution with the flipped kernel"),
                      ("P", Pad, "padding and cropping"), ("Z", Z, "zero insertion")]
    out = []
    windows: dict[str, Any] = {}
    known: dict = {}  # the blocks along the first axis named so far (M's first, so T's are their transposes)
    for name, M, what in shown:
        full_text = matrix_latex(M)
        pattern = block_pattern_latex(M, name)
        if r"\vdots" not in full_text and r"\cdots" not in full_text:
            out.append(_Matrix(name, what, full_text, f"${M.shape[0]} \\times {M.shape[1]}$", pattern or ""))
            continue
        if name == "T" and "M" in windows and windows["M"].shape == M.shape[::-1]:
            win = windows["M"]  # T's window is the transpose of M's: the same entries, mirrored
            window = MatrixWindow(win.cols, win.rows, M.shape)
        else:  # M's window is chosen so that its transpose, T's window, fits the page too
            window = elided_window(M, zeros="dots", transposable=name == "M")
        windows[name] = window
        axes = axis_blocks_latex(name, M, known, matrix_latex(M, zeros="dots", window=window))
        caption = window.caption() + r"; $\cdot$ is a zero, and $\vdots$, $\cdots$, $\ddots$ stand for rows and columns not shown"
        if name == "T" and "M" in windows:
            caption += r"; the window of $M$ transposed"
        out.append(_Matrix(name, what, matrix_latex(M, zeros="dots", window=window), caption, pattern or "", axes))
    return out


def _same(a: Any, b: Any) -> bool:
    """The same expression as printed (function classes made per proof compare unequal, but print alike)."""
    return a == b or sympy.srepr(a) == sympy.srepr(b)


def _shared_prefix(proof: Any, other: Any) -> int:
    """How many leading steps of ``proof`` are the steps of ``other`` (same rule, sides and claims).

    An N-D proof writes its per-axis steps with the axis superscript ``proof.data["axis"]`` (``T^{(\nu)}``);
    without it they are compared with the 1-D proof's.
    """
    axis = proof.data.get("axis", "")

    def plain(text: str) -> str:  # the text without the axis superscript (also as sympy's srepr spells it)
        return text.replace(axis, "").replace(axis.replace("\\", "\\\\"), "") if axis else text

    def alike(a: Any, b: Any) -> bool:
        return _same(a, b) or plain(sympy.srepr(a)) == sympy.srepr(b)

    count = 0
    for mine, theirs in zip(proof.steps, other.steps):
        same = (mine.name == theirs.name and plain(mine.rule) == theirs.rule and alike(mine.lhs, theirs.lhs)
                and alike(mine.rhs, theirs.rhs) and mine.holds and theirs.holds and len(mine.claims) == len(theirs.claims)
                and all(_same(a.statement, b.statement) and plain(a.name) == b.name
                        for a, b in zip(mine.claims, theirs.claims)))
        if not same:
            break
        count += 1
    return count


@dataclass
class _Doc:
    title: str  # plain text
    statement: str  # LaTeX text
    assumptions: list[str]  # LaTeX math
    layer: str  # LaTeX math ("" when none)
    layer_words: str  # the same layer for prose, as layer_text writes it ("" when none)
    checkers: list[tuple[str, str]]  # (name, what it establishes)
    matrices: list[_Matrix]
    shared: int  # leading steps that repeat another theorem's
    shared_label: str
    steps: list[_Step]
    notes: list[str]  # LaTeX text
    holds: bool
    conclusion: str  # LaTeX text
    failure: str  # LaTeX text ("" when the proof holds)
    polynomials: list[str]  # LaTeX text: summaries of expanded polynomial identities
    sides: list[tuple[str, str]] = field(default_factory=list)  # each step's two sides, as LaTeX math
    ranged: int = 0  # how many hypotheses (H1), (H2), ... the statement lists (0: no range object)
    definitions: str = ""  # the definitions of the formulas the document uses (LaTeX display)
    defined: tuple = ()  # the names of those formulas, in order
    formulas: Any = None  # the module whose functions render them (None: the package's)
    padding_mode: str | None = "zeros"  # the layer's padding mode, for the Conventions
    verdict: str = "proved"  # "proved", "refuted" (a counterexample to the claim) or "not proved" (none known)
    per_axis: str = ""  # LaTeX text: which lemmas are the 1-D chain on each axis ("" for a 1-D proof)
    changed: list = field(default_factory=list)  # Conventions formulas that ran changed (a failed proof only)
    merged: dict = field(default_factory=dict)  # a displayed refuted line -> the other lemmas refuting it


def _polynomials(proof: Any) -> list[str]:
    """Summaries of the expanded sides of polynomial identities kept in ``proof.data``."""
    pairs = []
    expanded = proof.data.get("expanded")
    if isinstance(expanded, dict):
        pairs = list(expanded.items())
    elif "left" in proof.data and "right" in proof.data:
        pairs = [("the identity", (proof.data["left"], proof.data["right"]))]
    out = []
    for label, (left, right) in pairs:
        n_left, n_right = len(sympy.Add.make_args(left)), len(sympy.Add.make_args(right))
        summary = _summary(left)
        shown = f"the left side begins ${summary[0]}$" if summary else f"the left side is ${_math(left)}$"
        same = sympy.expand(left - right) == 0
        out.append(f"Expanded, {text_latex(label)} has ${n_left}$ monomials on the left and ${n_right}$ on the "
                   f"right; {shown}. Their difference expands to " + ("$0$." if same else "a nonzero polynomial."))
    return out


def _sides(step: Any) -> tuple[str, str]:
    """A step's two sides as LaTeX math, the right one followed by the range where the display holds, if any (a
    refuted display has no range: the counterexample says where it fails)."""
    condition = getattr(step, "condition", "") if step.holds else ""  # refuted: it fails somewhere, not everywhere
    lhs, rhs = step.lhs, step.rhs
    if (isinstance(lhs, sympy.Tuple) and isinstance(rhs, sympy.Tuple) and len(lhs) == len(rhs) > 1
            and all(_same(a, lhs[0]) for a in lhs) and all(_same(b, rhs[0]) for b in rhs)):
        condition = condition or r"\text{on each axis}"  # one value per axis, the same on every axis: said once
        return _side(lhs[0])[0], _side(rhs[0])[0] + rf" \quad {condition}"
    return _side(lhs)[0], _side(rhs)[0] + (rf" \quad \text{{for }} {condition}" if condition else "")



def _in_display_order(steps: Sequence[Any], shared: int = 0) -> list[Any]:
    """The steps in the order the proof displays them: the shared prefix, then chain after chain, then the lemmas
    that are no line (their two sides print alike), so that lemma numbers rise with their first citation."""
    sides = [_sides(s) for s in steps]
    rest = range(shared, len(steps))
    shown = [p for p in rest if not (steps[p].holds and sides[p][0] == sides[p][1])]
    chains = _chains([], [sides[p] for p in shown])
    order = list(range(shared)) + [shown[q] for chain in chains for q in chain]
    order += [p for p in rest if p not in order]
    return [steps[p] for p in order]


_SAME_CHECK = ("sympy", "polynomial identity")
"""Two checkers' names for one check (the two sides expanded as polynomials agree): a document naming both names
the second."""


def _read(proof: Any, definitions_shared: Any = None, shared_label: str = "") -> _Doc:
    from ..proofs.core import CHECKERS

    ranges = set(proof.assumptions)
    shared = _shared_prefix(proof, definitions_shared) if definitions_shared is not None else 0
    range_object = proof.data.get("ranges")
    names = {expr: symbol for h in range_object.hypotheses for symbol, expr in h.names} if range_object else {}
    ordered = _in_display_order(proof.steps, shared)  # lemma n justifies the n-th line the chains display
    steps = [_step(n, s, ranges, names, proof.data.get("formulas"), proof.data.get("lengths"))
             for n, s in enumerate(ordered, 1)]
    by_name = {s.name: n - shared for n, s in enumerate(ordered, 1)}  # numbered as the document numbers them

    for s in steps:  # a rule citing another lemma by name cites it by its number
        s.rule = re.sub(LEMMA_REF, lambda m: f"Lemma {_LEMMA_NUMBER}{by_name[m.group(1)]}" if m.group(1) in by_name
                        else f"the lemma ({m.group(1)})", s.rule)
    used = []
    for step in ordered:
        for checker in [step.checker] + [c.checker for c in step.claims]:
            if checker not in used:
                used.append(checker)
    if _SAME_CHECK[0] in used and _SAME_CHECK[1] in used:  # one check under two names: one entry, one name
        used.remove(_SAME_CHECK[0])
        for s in steps:
            s.checker = _SAME_CHECK[1] if s.checker == _SAME_CHECK[0] else s.checker
    failure = ""
    if not proof.holds:
        number, bad = next((n, s) for n, s in enumerate(ordered, 1) if not s.holds)
        # the chain's lines carry no numbers: the failure names the lemma, numbered as the proof numbers it
        failure = f"Lemma {_LEMMA_NUMBER}{number} ({text_latex(bad.name)}) fails"
        refuted = next((c for c in bad.claims if not c.holds), None)
        example = _counterexample(bad.counterexample)
        if refuted is not None:  # every refuted claim of the lemma, each with its counterexample
            failure += f": {_false_claims(steps[number - 1])}"
        elif example:
            failure += f", for example at {example}"
        elif bad.detail and _is_words(bad.detail):  # what the checker found, in its words
            failure += f": {report_latex(bad.detail)}"
        others = [(n, s) for n, s in enumerate(ordered, 1) if not s.holds and s is not bad]
        if others:  # every failing lemma is named, with what its checker found when it has no claims
            names = [f"{_LEMMA_NUMBER}{n} ({text_latex(s.name)})" for n, s in others]
            failure += (f"; {'Lemmas' if len(names) > 1 else 'Lemma'} " + ", ".join(names[:-1])
                        + (" and " if len(names) > 1 else "") + names[-1] + f" fail{'' if len(names) > 1 else 's'} too")
            found = [f"{_LEMMA_NUMBER}{n}: {report_latex(s.detail)}" if len(others) > 1 else report_latex(s.detail)
                     for n, s in others if not s.claims and s.detail and _is_words(s.detail)]
            if found:
                failure += ": " + "; ".join(found)
        failure, verdict = _verdict(proof, ordered, failure)
    else:
        verdict = "proved"
    layer = spec_latex(proof.data["tspec"]) if "tspec" in proof.data else ""
    sides = [_sides(s) if s.holds else _valued(s, proof.data.get("formulas")) for s in ordered]
    ranges = proof.data.get("ranges")
    ranged = len(ranges.latex()) if ranges is not None else 0
    mentioned = " ".join([proof.statement] + [a for pair in sides for a in pair]
                    + [c.conclusion + " ".join(c.hypotheses) for s in steps for c in s.claims]
                    + [s.rule for s in steps] + [report_latex(s.report) for s in steps if _is_words(s.report)])
    return _Doc(
        title=proof.title, statement=proof.statement,
        assumptions=[_math(a) for a in proof.assumptions if isinstance(a, sympy.Basic)],
        layer=layer, layer_words=layer_text(proof.data["tspec"]) if layer else "",
        checkers=[(c, _described(c, ordered, CHECKERS)) for c in used], matrices=_matrices(proof), shared=shared,
        shared_label=shared_label, steps=steps, notes=list(proof.notes), holds=proof.holds,
        conclusion=proof.conclusion, failure=failure, polynomials=_polynomials(proof),
        sides=sides, ranged=ranged, definitions=_definitions(mentioned, proof.data.get("formulas")),
        defined=_defined(mentioned), formulas=proof.data.get("formulas"),
        padding_mode=_padding_mode_of(proof), verdict=verdict, per_axis=_per_axis(proof, ordered),
        changed=[] if proof.holds else _changed(proof.data.get("formulas")),

    )


def _per_axis(proof: Any, ordered: Sequence[Any]) -> str:
    """For an N-D proof whose leading lemmas are the 1-D chain, the sentence saying that they hold per axis."""
    count = proof.data.get("per_axis", 0)
    if not count:
        return ""
    numbers = sorted(n for n, s in enumerate(ordered, 1) if any(s is t for t in proof.steps[:count]))
    rest = [n for n in range(1, len(ordered) + 1) if n not in numbers]
    first, last = numbers[0], numbers[-1]
    objects = proof.data.get("axis_objects", "")  # the chain's objects of one axis, defined by the proof
    text = (rf"The lines justified by Lemmas {_LEMMA_NUMBER}{first}--{_LEMMA_NUMBER}{last} are the chain of one "
            rf"axis $\nu$, with that axis's parameters{': ' + objects if objects else ''}. ")
    if rest:
        text += (rf"{'Lemmas' if len(rest) > 1 else 'Lemma'} " + ", ".join(f"{_LEMMA_NUMBER}{n}" for n in rest[:-1])
                 + (" and " if len(rest) > 1 else "") + f"{_LEMMA_NUMBER}{rest[-1]} combine the axes and the channels.")
    return text


def _valued(step: Any, formulas: Any) -> tuple[str, str]:
    """A refuted line's sides, its left side followed by its value when it is a formula at integers that the
    formulas that ran evaluate to an integer other than the right side (``n_T(3, ...) = 6`` beside ``5``)."""
    from .. import formulas as package

    left, right = _sides(step)
    lhs, rhs = step.lhs, sympy.sympify(step.rhs)
    if not (isinstance(lhs, sympy.Basic) and hasattr(type(lhs), "_symconv_formula") and lhs.args
            and all(a.is_Integer for a in lhs.args) and rhs.is_Integer):
        return left, right

    try:
        value = sympy.sympify(getattr(formulas or package, type(lhs)._symconv_formula)(*(int(a) for a in lhs.args)))
    except (AttributeError, TypeError, ValueError):
        return left, right
    return (f"{left} = {value}", right) if value.is_Integer and value != rhs else (left, right)


def _verdict(proof: Any, ordered: Sequence[Any], failure: str) -> tuple[str, str]:

    """What a failed proof shows, and the sentence that says it: ``"refuted"`` when a counterexample to the claim
    itself is known, ``"not proved"`` when one was looked for and none was found (a failed lemma refutes the
    proof, not the claim), and the failed lemma otherwise (a concrete instance, whose lemmas are concrete claims).
    """
    data = proof.data
    if "refutation" not in data:
        return failure, "refuted"
    where = f"The proof breaks where {failure}"

    found = data["refutation"]
    if found is None:
        claim = data["conjuncts"][0][0] if data.get("conjuncts") else ""
        tried = (rf": at the small sizes tried, ${claim}$ held entry by entry (the rest of the claim was not "
                 "evaluated)") if claim else " at the small sizes tried"
        return (rf"{failure}. No counterexample to the claim itself was found{tried}, so the claim is not refuted: "
                "only its proof fails", "not proved")

    numbers = {s.name: n for n, s in enumerate(ordered, 1)}
    holding = {s.name for s in ordered if s.holds}
    parts = data.get("conjuncts", ())
    text = rf"it fails at {_counterexample(found['values'])}: {_counterexample_entries(found, parts[0][0])}. {where}"
    for claim, lemmas in parts[1:]:
        cited = sorted(numbers[name] for name in lemmas if name in numbers)
        if cited and all(name in holding for name in lemmas if name in numbers):
            listed = ", ".join(f"{_LEMMA_NUMBER}{n}" for n in cited[:-1]) + (" and " if len(cited) > 1 else "")
            text += (rf". The other part of the claim, ${claim}$, is not refuted: "
                     rf"{'Lemmas' if len(cited) > 1 else 'Lemma'} {listed}{_LEMMA_NUMBER}{cited[-1]}, on which it "
                     r"rests, hold" + ("" if len(cited) > 1 else "s"))
    return text, "refuted"


def _counterexample_entries(found: dict, claim: str) -> str:
    r"""Both ends of a refuted ``T = C_flip P Z`` at the counterexample's sizes (LaTeX text): the matrices when they
    are small and 1-D, and the entry where they differ."""
    from ..proofs.general import W

    k, ndim = found["values"]["k"], found["ndim"]
    from ..proofs.general import _value

    lhs, rhs = claim.split(" = ", 1)
    rows_t, rows_c = found["rows"]
    if rows_t != rows_c:
        return (rf"there ${lhs}$ has {counted(rows_t, 'row', words=False)} but ${rhs}$ has ${rows_c}$, so ${claim}$ "
                "is false")

    def entry(counts: Any, inside: bool) -> Any:
        return sympy.Add(*(c * W(*m) for m, c in (counts or {}).items()
                           if not inside or all(0 <= m_ < k for m_ in m)))

    def shown(M: Any) -> str:
        if M.cols == 1 and M.rows > 1:
            return r"\bigl(" + ", ".join(_math(e) for e in M) + r"\bigr)^{\top}"
        if M.shape == (1, 1):
            return r"\bigl(" + _math(M[0, 0]) + r"\bigr)"
        return (r"\begin{bmatrix} " + r" \\ ".join(" & ".join(_math(e) for e in M.row(r)) for r in range(M.rows))
                + r" \end{bmatrix}")

    j, i = found["at"]
    left = entry(found["T"].get((j, i)), True)
    right = entry(found["CPZ"].get((j, i)), True)
    outside = any(not all(0 <= m_ < k for m_ in m) for e in found["CPZ"].values() for m in e)
    if ndim == 1:
        index = f"{j[0]}, {i[0]}"
        differ = rf"${lhs}[{index}] = {_math(left)} \neq {_math(right)} = ({rhs})[{index}]$"
    else:
        differ = (rf"${lhs}[j, i] = {_math(left)} \neq {_math(right)} = ({rhs})[j, i]$ at "
                  rf"$j = ({', '.join(map(str, j))})$, $i = ({', '.join(map(str, i))})$")
    tap = next(m for m in sorted(set(_value(found["T"].get((j, i)), k)) | set(_value(found["CPZ"].get((j, i)), k)))
               if _value(found["T"].get((j, i)), k).get(m) != _value(found["CPZ"].get((j, i)), k).get(m))
    example = (r"(" + ", ".join("1" if (u,) == tap else "0" for u in range(k)) + ")") if ndim == 1 else \
        rf"1 \text{{ at }} m = ({', '.join(map(str, tap))}) \text{{ and }} 0 \text{{ elsewhere}}"
    differ += rf" for any $w$ with ${_math(left - right)} \neq 0$, e.g. $w = {example}$"
    note = r"reading $w[u] = 0$ for $u$ outside $0 \le u < k$" if outside else ""
    rows, cols = rows_t, found["n_in"]
    if ndim == 1 and rows <= 6 and cols <= 6:
        T = sympy.Matrix(rows, cols, lambda a, b: entry(found["T"].get(((a,), (b,))), True))
        raw = sympy.Matrix(rows, cols, lambda a, b: entry(found["CPZ"].get(((a,), (b,))), False))
        valued = sympy.Matrix(rows, cols, lambda a, b: entry(found["CPZ"].get(((a,), (b,))), True))
        both = shown(raw) + ("" if raw == valued else f" = {shown(valued)}")
        return (rf"there $T = {shown(T)}$ but ${rhs} = {both}$" + (f" ({note})" if note else "")
                + f", so {differ}")
    where = "on every axis, with one channel ($g = c_i = c_o = 1$)" if ndim > 1 else ""
    return f"{where}{', ' if where else ''}{differ}" + (f" ({note})" if note else "")


def _definitions(used: str, module: Any) -> str:
    """The definitions of exactly the formulas whose names the document's mathematics uses."""
    names = _defined(used)
    return definitions_latex(names, module) if names else ""


def _defined(used: str) -> tuple[str, ...]:
    """The names of the formulas whose names the document's mathematics uses, in the package's order."""
    from .. import formulas

    names = []
    used = re.sub(r"\\mathbb\{[A-Z]\}", "", used)  # the field of reals is not the right padding R
    for name in (*formulas.__all__, *formulas.PADDING_FORMULAS):  # a padding mode's map only where it is used
        tex = formulas.LATEX_NAMES[name]
        pattern = re.escape(tex) + (r"(?![A-Za-z])" if tex[-1].isalpha() else "")
        if re.search(r"(?<![A-Za-z\\])" + pattern, used):
            names.append(name)
    return tuple(names)


# -- the LaTeX flavour --------------------------------------------------------------------------------------

def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:] if not text.startswith(("$", "\\")) else text
    return text if text.endswith((".", ".$")) else text + "."


def _breakable(tex: str) -> str:
    r"""Let TeX break a line inside a layer's parameter list (as printed by :func:`spec_latex`)."""
    return tex.replace(r",\ ", r",\allowbreak\ ").replace(r"\bigl(", r"\bigl(\allowbreak ")


def _chains(steps: list[_Step], sides: list[tuple[Any, Any]]) -> list[list[int]]:
    """Consecutive steps whose left side is the previous step's right side form one chain of equalities."""
    chains: list[list[int]] = []
    for pos, (lhs, _) in enumerate(sides):
        # continue the latest chain that ends where this step starts (a side fact such as "j = il(...)" between
        # two steps of one chain does not break it, so no display is printed twice)
        ends = [chain for chain in chains if _same(sides[chain[-1]][1], lhs)]
        if ends:
            ends[-1].append(pos)
        else:
            chains.append([pos])
    return chains


def _numbered(text: str) -> str:
    r"""LaTeX text whose lemma numbers are written ``\0n`` (:data:`_LEMMA_NUMBER`), with the theorem's number."""
    return text.replace("Lemma " + _LEMMA_NUMBER, r"Lemma~\thetheorem.").replace(_LEMMA_NUMBER, r"\thetheorem.")


def _lemma_ref(number: int) -> str:
    return rf"Lemma~\thetheorem.{number}"


def _count(n: int) -> str:
    return f"{n} claim" + ("" if n == 1 else "s")


def _justification(s: _Step, number: int, ref: Any = None, named: bool = True) -> str:
    """A chain line's tag: the lemma's name (when ``named``), its number, its claim count and a refutation mark."""
    count = f"; {_count(len(s.claims))}" if s.claims else ""
    mark = "; refuted" if not s.holds else ""
    false = sum(not c.holds for c in s.claims)
    if false:  # how many of the lemma's claims are false, not only that it is
        count, mark = f"; {false} of {_count(len(s.claims))} refuted" if len(s.claims) > 1 else "; 1 claim, refuted", ""
    name = f"{text_latex(s.name)}, " if named else ""
    return rf"{name}{(ref or _lemma_ref)(number)}{count}{mark}"


TAG_EM_PER_CHAR = 0.5
"""Estimated width (em) of one character of a tag's text."""

TAG_SLACK_EM = 7.3
"""How much wider than :data:`DISPLAY_EM` a line with its tag may be estimated: the text is about 44.6 em wide
and the estimate of :func:`_line_em` is rough either way: a tag that does not fit is set on a line of its own)."""


def _without_scripts(tex: str) -> str:
    """``tex`` without its subscripts and superscripts (a braced group, or one character, after ``_`` or ``^``)."""
    out, at = [], 0
    while at < len(tex):
        if tex[at] in "_^":
            at = _group(tex, at + 1)[1]
            continue
        out.append(tex[at])
        at += 1
    return "".join(out)


_BINARY = re.compile(r"(?<=[\w)\]}|!'])\s*[+-](?=\s)|\\cdot(?![A-Za-z])|\\times(?![A-Za-z])|\\bmod(?![A-Za-z])")
_RELATION = re.compile(r"(?<![\\<>])[=<>](?!=)|\\(?:leq?|geq?|neq?|equiv)(?![A-Za-z])")


def _group(tex: str, start: int) -> tuple[str, int]:
    """The braced group (or the one character) of ``tex`` at ``start``, and the position after it."""
    if start >= len(tex) or tex[start] != "{":
        return tex[start:start + 1], start + 1
    depth = 0
    for end in range(start, len(tex)):
        depth += {"{": 1, "}": -1}.get(tex[end], 0)
        if depth == 0:
            return tex[start + 1:end], end + 1
    return tex[start + 1:], len(tex)


_LIMITS = re.compile(r"\\(?:sum|prod|bigotimes|bigoplus)(?![A-Za-z])(?:\\limits)?")


def _line_em(tex: str) -> float:
    r"""The width of display mathematics in em: :func:`_em`, with the spaces TeX sets around binary operators and
    relations (outside sub- and superscripts), parentheses and commas narrower than letters, and the two limits of
    a big operator, set one above the other, counted as the wider one only.

    >>> _line_em(r"\sum_{i=0}^{n - 1} x_i") < _em(r"\sum_{i=0}^{n - 1} x_i")
    True
    """
    width = _em(tex)
    base = _without_scripts(tex)  # TeX sets no space around operators in scripts
    width += 0.44 * len(_BINARY.findall(base)) + 0.55 * len(_RELATION.findall(base))  # medium and thick spaces
    width -= 0.2 * len(re.findall(r"[()\[\]]", base)) + 0.17 * base.count(",")  # narrower than a letter
    for match in _LIMITS.finditer(tex):
        limits, at = [], match.end()
        while at < len(tex) and tex[at] in "_^" and len(limits) < 2:
            group, at = _group(tex, at + 1)
            limits.append(_em(group))
        if len(limits) == 2:
            width -= min(limits) * 0.45 / 0.62  # _em counted the limits as full-size characters
    return width


def _tag_fits(s: _Step, number: int, ref: Any, width: float) -> bool:
    """Whether a chain line ``width`` em wide and its tag with the lemma's name fit the display on one line."""
    return _fits_with(_justification(s, number, ref), width)


def _fits_with(tag: str, width: float) -> bool:
    """Whether a chain line ``width`` em wide and the tag ``tag`` (LaTeX text) fit the display on one line."""
    plain = re.sub(r"\\[A-Za-z]+(\{[^{}]*\})?|[~{}$\\]", "", tag)
    return width + 2 + TAG_EM_PER_CHAR * len(plain) <= DISPLAY_EM + TAG_SLACK_EM


def _widths(doc: _Doc, indices: list[int], left_em: float = 0.0) -> list[float]:
    """The estimated width (em) of each line of a chain: the left column's, then the relation and right side."""
    widths, first_left = [], left_em
    for count, pos in enumerate(indices):
        left, right = doc.sides[pos]
        if count == 0 and _em(left) + _em(right) + 2 <= DISPLAY_EM:  # the layout _chain_latex chooses
            first_left = max(first_left, _line_em(left))
        widths.append(first_left + _line_em(right) + 1)
    return widths


def _named_tags(doc: _Doc, chains: list[list[int]], numbers: dict[int, int], ref: Any = None,
                left_em: float = 0.0) -> bool:
    """Whether every line of a display keeps the lemma's name in its tag: only when every line and its tag fit;
    else every tag is the lemma's number alone (the name heads the lemma), so that no tag wraps onto its own line
    and the display's tags read alike."""
    return all(_tag_fits(doc.steps[pos], numbers[pos], ref, width)
               for chain in chains for pos, width in zip(chain, _widths(doc, chain, left_em)))


def _chain_latex(doc: _Doc, indices: list[int], numbers: dict[int, int], ref: Any = None,
                 env: str = "align*", left_em: float = 0.0, named: bool | None = None) -> str:
    if named is None:
        named = _named_tags(doc, [indices], numbers, ref, left_em)
    lines, widths = [], _widths(doc, indices, left_em)
    for count, pos in enumerate(indices):
        s = doc.steps[pos]
        left, right = doc.sides[pos]
        rel = s.relation if s.holds else _NEGATED.get(s.relation, r"\neq")
        tag = _justification(s, numbers[pos], ref, named)
        if pos in doc.merged:  # the same line refuted by several lemmas: their names, then their numbers
            group = [pos] + doc.merged[pos]
            refs = [re.sub(r"^Lemma([~ ])", "", (ref or _lemma_ref)(numbers[x])) for x in group]
            sep = re.match(r"^Lemma([~ ])", (ref or _lemma_ref)(numbers[pos]))  # "Lemma~1.5" or "Lemma 5"
            words = [text_latex(doc.steps[x].name) for x in group]
            tag = (", ".join(words[:-1]) + f" and {words[-1]}, " if named and len(group) <= 2 else "") + \
                ("Lemmas" + sep.group(1) if sep else "") + ", ".join(refs[:-1]) + " and " + refs[-1] + "; refuted"
        just = (rf"&& \text{{{tag}}}" if env == "aligned"
                else rf"\tag*{{{tag}}}")  # a tag moves below when the line is full
        if r" \\ &" in right:  # a right side set on two lines: its justification beside the first
            first, rest = right.split(r" \\ &", 1)
            right = rf"{first} {just} \\* &{rest}"  # \\*: the second line stays on the first's page
            just = ""
        elif env != "aligned" and r" \quad " in right and not _fits_with(tag, widths[count]):
            # the line and its tag are too wide: the line's condition goes below it, with the tag beside it, so
            # that the tag is not set on a line of its own
            body, condition = right.rsplit(r" \quad ", 1)
            right = rf"{body} \\ &\qquad {condition}"
        if count == 0:
            if _em(left) + _em(right) + 2 <= DISPLAY_EM:
                lines.append(f"{left} &{rel} {right} {just}")
            else:  # a long left side on its own line, starting at the alignment point
                lines.append(f"&\\rlap{{$\\displaystyle {left}$}} \\\\*\n&{rel} {right} {just}")  # kept together
        else:
            lines.append(f"&{rel} {right} {just}")
    return f"\\begin{{{env}}}\n" + " \\\\\n".join(lines) + f"\n\\end{{{env}}}"


def _lemma_latex(s: _Step, number: int, seen: dict | None = None, stated: dict | None = None,
                 theorem: Any = None) -> str:
    """One lemma: its statement and what checked it.

    A report already given for an earlier lemma is cited; so is a statement already made by a lemma of an
    earlier theorem of the document (``stated`` maps statements to their lemma, ``theorem`` numbers this one).
    """
    seen = {} if seen is None else seen
    rule = _numbered(_breakable(_sentence(_without_label(s.rule, s.name))))
    if stated is not None and s.rule in stated:
        rule = f"As Lemma~{stated[s.rule]}, for the layer of this theorem."
    elif stated is not None and theorem is not None:
        stated[s.rule] = f"{theorem}.{number}"
    out = [rf"\begin{{lemma}}[{text_latex(s.name)}]", rule, r"\end{lemma}"]
    if s.claims:  # the chain shows the count beside the line, and one sentence after the lemmas points to the tables
        check = ""
    else:
        words = _is_words(s.report) and s.holds
        key = (s.checker, s.report)
        if words and key in seen:
            check = rf"\noindent\emph{{Checked}} by {escape_text(s.checker)} ({text_latex(s.name)}), with the same " \
                    rf"result as Lemma~\thetheorem.{seen[key]}."
        else:  # every lemma has its own Checked line, even a bare "Checked by sympy."
            check = rf"\noindent\emph{{Checked}} by {escape_text(s.checker)}" + (
                f": {report_latex(s.report)}." if words else ".")
            seen.setdefault(key, number)
    if s.sizes:
        check += " " + s.sizes
    if check:
        out.append(check)
    if not s.holds:
        refuted = next((c for c in s.claims if not c.holds), None)
        text = r"\noindent\textbf{This lemma is refuted}"
        if refuted is not None:
            out.append(f"{text}: {_false_claims(s, 'the')}.")
            return "\n".join(out)
        elif _is_words(s.report):
            text += f": {report_latex(s.report)}"
        out.append(text + (f", for example at {s.counterexample}." if s.counterexample else "."))
    return "\n".join(out)


def _false_claims(s: _Step, article: str = "its") -> str:
    """Every refuted claim of a lemma, each with its counterexample (LaTeX text)."""
    false = [c for c in s.claims if not c.holds]
    said = [rf"``{_title_latex(c.name)}'' is false" + (f", for example at {c.counterexample}" if c.counterexample
                                                       else "") for c in false]
    if len(false) == 1:
        return f"{article} claim {said[0]}"
    return f"of its {len(s.claims)} claims, " + ", ".join(said[:-1]) + ", and " + said[-1]


def _merge_refuted(doc: _Doc, shown: list[int]) -> list[int]:
    """The lines to display: two refuted lemmas that display the same line give it once, with both tags."""
    shown = list(shown)
    for p in list(shown):
        q = next((q for q in shown if q < p and not doc.steps[q].holds and not doc.steps[p].holds
                  and doc.sides[q] == doc.sides[p]), None)
        if q is not None:
            shown.remove(p)
            doc.merged.setdefault(q, []).append(p)
    return shown


def _without_label(rule: str, name: str) -> str:
    """The rule without a leading label that repeats the lemma's name ("Lemma 1.7 (size). Size: ..." reads the
    name twice): a prefix of at most three words before a colon, starting like the name."""
    head, colon, rest = rule.partition(":")
    words = head.split()
    if (colon and rest.strip() and "$" not in head and 0 < len(words) <= 3
            and head.strip().lower()[:4] == name.strip().lower()[:4]):
        return rest.strip()
    return rule


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


def _claim_cell(c: _Claim, hypotheses: str, witness: bool = True) -> str:
    text = rf"\emph{{{_title_latex(c.name)}}}."
    if c.variables:
        under = []
        if c.in_ranges:
            under.append(hypotheses)
        if c.axes:
            under.append(_axes_text(hypotheses, c.axes))
        under += [f"${h}$" for h in c.hypotheses]
        text += (" Under " + ", ".join(under) + ":" if under else "")
    # a case distinction is tall and wide: on a line of its own, the note below it, not wrapped around its braces
    cases = r"\begin{cases}" in c.conclusion
    text += (r"\newline\hspace*{1em}" if cases else " ") + f"${c.conclusion}$" + ("" if c.holds else ".")
    if c.witness and witness and c.holds:
        text += (r"\newline" if cases else " ") + rf"{{\small (hypotheses met at {c.witness})}}"
    if not c.holds:
        text += r" \textbf{Refuted}"
        if c.counterexample:
            text += f": at {c.counterexample}" + (f", ${c.denial}$" if c.denial else "")
        text += "."
    return text


def _one_spelling(text: str) -> str:
    r"""The text a Notation section is chosen from, with one spelling per symbol: sympy prints ``\tilde{x}`` where
    the prose writes ``\tilde x``, and the section lists (and deduplicates) the prose's spelling.

    >>> _one_spelling(r"$\tilde{x}[u]$ and $\tilde{w}$")
    '$\\tilde x[u]$ and $\\tilde w$'
    """
    return re.sub(r"\\tilde\{([A-Za-z])\}", r"\\tilde \1", text)


def _shared_sentence(doc: _Doc, label: str) -> str:
    """What a theorem that repeats another's chain says of it: that chain holds on each axis, and what was checked
    for it in this proof (its lemmas' checks ran again; their claims are tabled with the other theorem's)."""
    shared = doc.steps[:doc.shared]
    checkers = list(dict.fromkeys(s.checker for s in shared))
    by = " and ".join(escape_text(c) for c in checkers)
    claims = sum(len(s.claims) for s in shared)
    checked = (f"the {counted(claims, 'claim', words=False)} of these lemmas, the same statements as {label}'s, were "
               f"checked again by {by} when this theorem was proved; their tables are those of {label}, under "
               "Checked claims" if claims else f"these lemmas were checked again by {by} when this theorem was proved")
    return (f"On each axis the chain of {label} holds with that axis's own parameters: its "
            f"{counted(doc.shared, 'lemma')} are statements about all parameters in the ranges of {label}. "
            f"{checked[0].upper()}{checked[1:]}. Then:")


def _tables_sentence(solved: list[int], lemmas: int) -> str:
    r"""Where the claims of the lemmas that have solver claims are listed (LaTeX text; "" when none has).

    >>> _tables_sentence([1, 2], 2)[:60]
    'The claims of each lemma are listed under Checked claims, in'
    >>> _tables_sentence([2, 3], 4)[:63]
    'The claims of Lemmas~\\thetheorem.2 and~\\thetheorem.3 are listed'
    """
    if not solved:
        return ""
    if len(solved) == 1:
        return (rf"The claims of Lemma~\thetheorem.{solved[0]} are listed in Table~\thetheorem.{solved[0]} under "
                r"Checked claims; the count beside its line of the proof is their number.")
    if len(solved) == lemmas:
        return (r"The claims of each lemma are listed under Checked claims, in the table with the lemma's number; the "
                r"count beside each line of the proof is their number.")
    named = ", ".join(rf"\thetheorem.{n}" for n in solved[:-1]) + rf" and~\thetheorem.{solved[-1]}"
    return (rf"The claims of Lemmas~{named} are listed under Checked claims, each in the table with the lemma's "
            r"number (the other lemmas have no solver claims: each was checked as its Checked line says); the count "
            r"beside a line of the proof is the number of its lemma's claims.")


def _spot_sentence(counts: list[tuple[int, int]], prefix: str) -> str:
    """One sentence for the numeric spot checks of all lemmas (an extra to each lemma's check)."""
    checked = [(n, c) for n, c in counts if c]
    if not checked:
        return ""
    sizes = {c for _, c in checked}
    if len(checked) == len(counts) and len(sizes) == 1:
        return (f"Besides its check, each lemma was also evaluated exactly at ${sizes.pop()}$ random instances "
                "(an extra, not the proof).")
    listed = ", ".join(f"{prefix}{n} at ${c}$" for n, c in checked)
    return f"Besides their checks, these lemmas were also evaluated exactly at random instances: {listed}."


_LEMMA_NUMBER = "\0"
"""Stands, in a failure sentence, for the theorem's number before a lemma's (``\\thetheorem.`` in LaTeX)."""

_VERDICT_HEAD = {"refuted": "The claim is refuted", "not proved": "The proof fails"}
"""How the sentence after a failed proof's chain begins, for what the failure shows."""

_PINNING = "used is"
"""The words naming a claim that pins a function the program ran to the formula on the page."""

_REFUTING = {
    "z3": "the SMT solver z3 checked each claim for all integers in the stated ranges: a claim holds when its "
          "negation has no solution, and a refuted claim is shown with integers, inside the ranges, at which its "
          "conclusion is false",
}
"""What a checker did, said of a refutation (where "proved each claim" would be false)."""


def _checker_latex(name: str, what: str) -> str:
    """What a checker did, as LaTeX text: typeset where the description has mathematics, escaped otherwise."""
    from ..proofs.core import CHECKERS, CHECKERS_LATEX

    if name == _RANDOMIZED and what in _RANDOMIZED_TEXTS:
        return _RANDOMIZED_TEXTS[what][0]
    return CHECKERS_LATEX[name] if name in CHECKERS_LATEX and what == CHECKERS.get(name) else escape_text(what)


_RANDOMIZED = "randomized identity"
"""The checker whose description depends on the sampling scheme that ran."""

_ZIPPEL = ("a nonzero polynomial vanishes at a point so drawn with probability at most its total degree divided by the "
           "size of the set (Schwartz--Zippel)")

_SCHEMES = {  # scheme: (what was drawn, plain text; the same, LaTeX text)
    "independent": ("in each trial the weights and the input were drawn independently and uniformly from a finite "
                    "set of integers, and " + _ZIPPEL,) * 2,
    "gradient": ("in each trial the output gradient and the input were drawn independently and uniformly from a "
                 "finite set of integers (no weights are drawn: neither side involves them), and " + _ZIPPEL,) * 2,
    "paired": ("at paired points (n_w weights drawn uniformly from S_w and n_x inputs from S_x, every weight evaluated "
               "on the first input and the first n'_w weights on each later input)",
               r"at paired points ($n_w$ weights drawn uniformly from a set $S_w$ of integers and $n_x$ inputs from a "
               r"set $S_x$, every weight evaluated on the first input and the first $n'_w$ weights on each later "
               r"input)"),
}
"""The sampling schemes of the randomized identity test: what each draws, and why agreement bounds a false pass
(the paired scheme's bound is the rest of :data:`~symconv.proofs.core.CHECKERS`' text, after "At paired points")."""


def _schemes_of(report: str) -> list[str]:
    """The sampling schemes a randomized identity report describes (a report may join several layers' reports;
    none when it names none, e.g. for a malformed matrix).

    >>> _schemes_of("2 trials with weights and inputs drawn uniformly from ...: exact agreement")
    ['independent']
    >>> _schemes_of("two trials, each drawing every output-gradient entry and every input entry ...")
    ['gradient']
    """
    if "output-gradient" in report or "output gradient" in report:
        return ["gradient"]
    found = []
    if re.search(r"\bevaluations?\b|\bweights? \d+ on input \d+", report):
        found.append("paired")
    if re.search(r"\btrials?\b", report):
        found.insert(0, "independent")
    return found


def _paired_rest(text: str) -> str:
    """The paired scheme's argument, from the checker's full description (after its parenthesis)."""
    head, found, rest = text.partition("At paired points (")
    return rest.partition("): ")[2] if found else ""


def _randomized(schemes: Sequence[str]) -> tuple[str, str]:
    """The randomized identity test's description for exactly the schemes that ran (plain text, LaTeX text)."""
    from ..proofs.core import CHECKERS, CHECKERS_LATEX

    lead = "both sides were evaluated exactly at random integer points"
    paired = (_paired_rest(CHECKERS[_RANDOMIZED]), _paired_rest(CHECKERS_LATEX[_RANDOMIZED]))
    if not schemes or (("paired" in schemes) and not all(paired)):  # unknown: the full description
        return CHECKERS[_RANDOMIZED], CHECKERS_LATEX[_RANDOMIZED]
    out = []
    for flavour in (0, 1):
        parts = [_SCHEMES[s][flavour] + (": " + paired[flavour] if s == "paired" else "") for s in schemes]
        if len(parts) == 1:
            out.append(f"{lead}, {parts[0]}" if parts[0].startswith("at ") else f"{lead}: {parts[0]}")
        else:
            out.append(f"{lead}. " + " ".join(_sentence(p.removesuffix(".")) for p in parts).removesuffix("."))
    return out[0], out[1]


def _described(name: str, steps: Sequence[Any], checkers: dict) -> str:
    """What checker ``name`` established in these steps (plain text): the randomized identity test by the sampling
    schemes that ran (a weight gradient draws no weights), every other checker as :data:`CHECKERS` says."""
    if name != _RANDOMIZED:
        return checkers[name]
    schemes = []
    for step in steps:
        if step.checker == _RANDOMIZED:
            found = _schemes_of(str(step.detail or ""))
            if not found:  # a report that names no scheme: say everything the test may have done
                return checkers[name]
            schemes += [scheme for scheme in found if scheme not in schemes]
    return _randomized_text(schemes)


def _randomized_text(schemes: Sequence[str]) -> str:
    """The plain description for these schemes, its LaTeX and schemes kept in :data:`_RANDOMIZED_TEXTS`."""
    ordered = tuple(sorted(set(schemes), key=list(_SCHEMES).index))
    plain, latex = _randomized(ordered)
    _RANDOMIZED_TEXTS[plain] = (latex, ordered)
    return plain


def _merged_checkers(checkers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The checkers of several theorems, each once: the randomized identity test by the union of their schemes."""
    from ..proofs.core import CHECKERS

    out: list[tuple[str, str]] = []
    for name, what in checkers:
        earlier = next((k for k, (n, _) in enumerate(out) if n == name), None)
        if earlier is None:
            out.append((name, what))
        elif name == _RANDOMIZED and what != out[earlier][1]:
            known = [_RANDOMIZED_TEXTS.get(w, (None, None))[1] for w in (out[earlier][1], what)]
            out[earlier] = (name, CHECKERS[name] if None in known else _randomized_text(known[0] + known[1]))
    return out


_RANDOMIZED_TEXTS: dict[str, tuple[str, tuple[str, ...]]] = {}
"""Each scheme-specific description of the randomized identity test (plain text): its LaTeX and its schemes."""


def _undescribed(checkers: list[tuple[str, str]], known: set) -> list[tuple[str, str]]:
    """The checkers not yet described in a document (``known`` holds the descriptions made so far): a checker
    described before is dropped, except the randomized identity test when it ran a sampling scheme not yet
    described, which is then described by that scheme alone."""
    described = [what for name, what in known if name == _RANDOMIZED]
    schemes = [_RANDOMIZED_TEXTS.get(what, (None, None))[1] for what in described]
    if None in schemes:  # a full description: every scheme is described
        schemes = [tuple(_SCHEMES)]
    done = {scheme for found in schemes for scheme in found}
    out = []
    for name, what in checkers:
        if (name, what) in known or (name != _RANDOMIZED and any(n == name for n, _ in known)):
            continue
        if name == _RANDOMIZED and described:
            ran = _RANDOMIZED_TEXTS.get(what, (None, tuple(_SCHEMES)))[1]
            new = [scheme for scheme in ran if scheme not in done]
            if not new:
                continue
            what = _randomized_text(new)
        out.append((name, what))
    return out


def _checkers_described(checkers: list[tuple[str, str]], heading: str, known: set | None) -> list[str]:
    """What each checker did, under one heading per document: ``known`` holds the descriptions an earlier theorem
    made; a later theorem describes only the checkers and sampling schemes not described yet, in a paragraph."""
    first = not known
    if known is not None:
        checkers = _undescribed(checkers, known)
        known.update(checkers)
    if not checkers:
        return []
    items = ("\\begin{description}\n" + "\n".join(rf"\item[{escape_text(name)}] {_checker_latex(name, what)}."
                                                  for name, what in checkers) + "\n\\end{description}")
    if first:
        return [heading + "{How each lemma was checked}", items]
    return [r"\medskip\noindent What the checks of this theorem did that the description above does not cover:"
            + "\n" + items]


def further_checks_latex(proof: Any, stated: dict) -> str:
    """What the checkers of ``proof`` did that no earlier fragment of the document described ("" when nothing).

    For a document that shows a proof's evidence itself (not with :func:`proof_fragment`): ``stated`` is the dict
    its fragments share, and the checkers and sampling schemes described here are added to it.
    """
    from ..proofs.core import CHECKERS

    used: list[str] = []
    for step in proof.steps:
        for checker in [step.checker] + [c.checker for c in step.claims]:
            if checker not in used:
                used.append(checker)
    checkers = [(name, _described(name, proof.steps, CHECKERS)) for name in used if name in CHECKERS]
    return "\n\n".join(_checkers_described(checkers, r"\subsection*", stated.setdefault("\0checkers", set())))


def _appendix_head(docs: list[_Doc], heading: str, times: bool, known: set | None = None) -> list[str]:
    """The appendix's head: what the checkers did (each named once in a document: ``known`` holds those
    already described by an earlier theorem's appendix), the common hypotheses, and what the tables show."""
    checkers: list[tuple[str, str]] = []
    for doc in docs:
        checkers += [c for c in doc.checkers if c not in checkers]
    checkers = _merged_checkers(checkers)
    if not all(doc.holds for doc in docs):  # a refutation: the solver did not prove every claim
        checkers = [(name, _REFUTING.get(name, what)) for name, what in checkers]
    ranged = any(doc.ranged for doc in docs)
    if not any(s.claims for doc in docs for s in doc.steps):  # no solver claims: only what each checker did
        return _checkers_described(checkers, heading, known)
    if len(checkers) == 1:  # one checker: named once here, not in a column of every table
        name, what = checkers[0]
        checked = (_sentence(_checker_latex(name, what)) if name in what
                   else rf"Each was checked by {escape_text(name)}: {_checker_latex(name, what)}.")
    else:
        checked = ("The checkers:\n\\begin{description}\n"
                   + "\n".join(rf"\item[{escape_text(name)}] {_checker_latex(name, what)}." for name, what in checkers)
                   + "\n\\end{description}")
    head = [heading + "{Checked claims}",
            r"Every claim below is a statement about integers, for all values of its variables. "
            + (r"Where a claim says ``under (H)'' it assumes the hypotheses (H1), (H2), \dots\ of its theorem, stated "
               "once there; other hypotheses are written with the claim. " if ranged else "")
            + checked]
    notes = []
    if any(_PINNING in c.name for doc in docs for s in doc.steps for c in s.claims):
        notes.append(rf"Claims of the form ``the \dots\ {_PINNING} PyTorch's'' (or ``\dots\ is the one defined'', "
                     r"``\dots\ is the one stated'') check that the function evaluated computes the formula stated "
                     r"in the theorem and its Definitions: they confirm the definitions and are not steps of the "
                     r"argument.")
    if any(s.claims for doc in docs for s in doc.steps):
        if times and any(c.witness for doc in docs for s in doc.steps for c in s.claims):
            notes.append("Beside each claim are integers at which its hypotheses hold, found by the solver: the "
                         "claim is not vacuous.")
        if not times:
            notes.append("The solver also found, for each claim, integers at which its hypotheses hold (the claim is "
                         "not vacuous); they vary from run to run and are not printed here.")
    if notes:
        if head[-1].endswith("\\end{description}"):
            head.append(r"\noindent " + " ".join(notes))
        else:  # one paragraph: what was checked, and what the tables show
            head[-1] += " " + " ".join(notes)
    return head


def _reproducing(docs: list[_Doc]) -> list[str]:
    """The paragraph closing the Checked claims: how to re-check the solver's claims with another solver (none
    when no lemma has solver claims)."""
    claims = [c for doc in docs for s in doc.steps for c in s.claims]
    if not claims:
        return []
    expected = (r"negation (expected: unsat; sat for a refuted claim, whose counterexample is a model of it)"
                if any(not c.holds for c in claims) else r"negation (expected: unsat)")
    return [r"\paragraph{Reproducing the checks.} The option \texttt{-{}-smtlib FILE} of \texttt{symconv prove} "
            r"writes every claim above to FILE in SMT-LIB 2: for each claim, its hypotheses alone (expected answer: "
            rf"sat) and then its {expected}; another solver re-checks them, for instance \texttt{{cvc5 FILE}}."]


def _appendix_tables(doc: _Doc, numbers: dict[int, int], times: bool, theorem: str = r"\thetheorem") -> list[str]:
    hypotheses = "(H)" if doc.ranged else "the hypotheses"
    blocks = []
    for pos, s in enumerate(doc.steps):
        if pos < doc.shared or not s.claims:
            continue
        number = numbers[pos]
        # the checker is named once, in the appendix's head: a column would repeat it on every row
        # solver times describe the machine, not the claim: no document prints them
        rows = [_claim_cell(c, hypotheses, times) + " \\\\" for c in s.claims]
        columns = "@{}"
        header = r"\emph{claim}"
        blocks.append("\\noindent\\begin{minipage}{\\linewidth}\n"
                      + rf"\textbf{{Table~{theorem}.{number}.}} Lemma~{theorem}.{number} ({text_latex(s.name)})."
                      + "\\\\[4pt]\n\\begin{tabular}{@{}>{\\raggedright\\arraybackslash}p{\\linewidth}" + columns + "}\n"
                      + header + " \\\\\n\\hline\n" + "\n".join(rows) + "\n\\end{tabular}\n\\end{minipage}")
    return blocks


def _appendix_latex(doc: _Doc, numbers: dict[int, int], times: bool = True, heading: str = r"\subsection*",
                    known: set | None = None) -> str:
    return "\n\n".join(_appendix_head([doc], heading, times, known) + _spaced(_appendix_tables(doc, numbers, times))
                       + _reproducing([doc]))


def _spaced(tables: list[str]) -> list[str]:
    """The tables as one block, a skip above each (a caption never touches the text or the table above it)."""
    return ["\\bigskip\n" + "\n\n\\bigskip\n".join(tables)] if tables else []


def claims_appendix(proofs: Sequence[tuple[Any, int]], *, times: bool = True, shared: Sequence[Any] = ()) -> str:
    r"""One appendix "Checked claims" for several theorems of a document: the common text once, a table per lemma.

    ``proofs`` pairs each proof with its theorem number in the document (the tables are numbered
    ``number.lemma``).  ``shared`` gives, for each proof, the proof whose leading lemmas it repeats (or None), as
    for :func:`proof_fragment`.  ``times=False`` leaves out the solver times (for golden files).

    Parameters
    ----------
    proofs : sequence of (Proof, int)
        Each proof with its theorem number in the document.
    times : bool
        Whether the solver times are shown.
    shared : sequence of Proof or None
        For each proof, the proof whose leading lemmas it repeats, or None.

    Returns
    -------
    str
        The appendix, a LaTeX fragment beginning with ``\section*``.

    Examples
    --------
    >>> from symconv import prove_transpose_general, prove_weight_gradient_general
    >>> text = claims_appendix([(prove_transpose_general(), 1), (prove_weight_gradient_general(), 2)], times=False)
    >>> import re
    >>> text.startswith(r"\section*{Checked claims}"), re.findall(r"Table~([0-9.]+)", text)[-2:]
    (True, ['2.2.', '2.3.'])
    """
    docs = []
    for pos, (proof, _) in enumerate(proofs):
        other = shared[pos] if pos < len(shared) else None
        docs.append(_read(proof, other, "") if other is not None else _read(proof))
    out = _appendix_head(docs, r"\section*", times)
    tables = []
    for doc, (_, theorem) in zip(docs, proofs):
        numbers = {pos: pos + 1 - doc.shared for pos in range(len(doc.steps))}
        tables += _appendix_tables(doc, numbers, times, str(theorem))
    return "\n\n".join(out + _spaced(tables) + _reproducing(docs))


def _layer_unstated(doc: _Doc) -> bool:
    """Whether the statement leaves the layer unnamed: neither its formula nor its parameters (as
    :func:`~symconv.latex.printing.layer_text` writes them) occur in it."""
    parameters = doc.layer.partition(r"\bigl(")[2].removesuffix(r"\bigr)")
    return bool(doc.layer) and doc.layer not in doc.statement and not (parameters and parameters in doc.statement)


def _latex(doc: _Doc, definitions: bool, appendix: bool = True, times: bool = True, stated: dict | None = None,
           theorem: Any = None) -> str:
    env = "theorem" if doc.holds else "refuted" if doc.verdict == "refuted" else "unproved"
    out = [rf"\begin{{{env}}}[{escape_text(head_title(doc.title, '--'))}]", _breakable(doc.statement), rf"\end{{{env}}}"]
    if doc.assumptions and not doc.ranged:
        out.append(r"\noindent The ranges of the theorem: " + ", ".join(f"${a}$" for a in doc.assumptions) + ".")
    if _layer_unstated(doc):
        out.append(rf"\noindent The transposed layer is the transposed convolution {doc.layer_words}.")
    notation_at = len(out)
    shown = stated.setdefault("\0definitions", set()) if stated is not None else None
    if definitions and doc.definitions and not shown:
        ran = "".join(rf" Here ${_ran_name(_CONVENTION_FORMULAS[n])}$ is the function evaluated in place of "
                      rf"PyTorch's ${_CONVENTION_FORMULAS[n]}$ of the Conventions." for n in doc.changed)
        out.append(r"\subsection*{Definitions}" + "\n" + _DEFINITIONS_LEAD + ("." + ran if ran else ":") + "\n"
                   + doc.definitions)
        if shown is not None:
            shown.update(doc.defined)
    elif shown:  # an earlier theorem defined the maps: the ones it did not define are defined here
        new = tuple(name for name in doc.defined if name not in shown)
        if new:
            out.append(r"\subsection*{Further definitions}" + "\n" + _FURTHER_DEFINITIONS_LEAD + "\n"
                       + definitions_latex(new, doc.formulas))
            shown.update(new)
    if doc.matrices:
        parts = [r"\subsection*{Matrices}"]
        for m in doc.matrices:
            if m.blocks:
                # o is the convolution's output channel and c its input channel: for T the rows are c, the columns o
                row, col = ("c", "o") if m.name == "T" else ("o", "c")
                parts.append(f"\\noindent ${m.name}$, {m.what}, in channel blocks (block $({row}, {col})$ maps input "
                             f"channel ${col}$ to output channel ${row}$; the zero blocks lie outside the groups):"
                             f"\n\\[\n{m.name} = {m.blocks}\n\\]"
                             f"\nand its entries ({m.caption}):\n\\[\n{m.name} = {m.body}\n\\]")
            else:
                parts.append(f"\\noindent ${m.name}$, {m.what} ({m.caption}):\n\\[\n{m.name} = {m.body}\n\\]")
            if m.axes:
                parts.append(r"\noindent " + m.axes)
        out.append("\n\n".join(parts))
    numbers = {pos: pos + 1 - doc.shared for pos in range(len(doc.steps))}
    out.append(r"\begin{proof}" if doc.holds else r"\paragraph{Refutation.}")
    if doc.per_axis and not doc.shared:  # a shared chain is said to hold per axis by the sentence below
        out.append(r"\noindent " + _numbered(doc.per_axis))

    if doc.shared:
        out.append(r"\noindent " + _shared_sentence(doc, doc.shared_label))
    rest = list(range(doc.shared, len(doc.steps)))
    # a lemma whose two sides print alike, "(5) = (5)", is no line of a chain: it is stated below, not displayed
    shown = [p for p in rest if not (doc.steps[p].holds and doc.sides[p][0] == doc.sides[p][1])]
    shown = _merge_refuted(doc, shown)
    chains = _chains([doc.steps[p] for p in shown], [doc.sides[p] for p in shown])
    def left_column(block: list[list[int]]) -> float:  # one-line chains of a display share the column's width
        return max((_line_em(doc.sides[shown[chain[0]]][0]) for chain in block
                    if _em(doc.sides[shown[chain[0]]][0]) + _em(doc.sides[shown[chain[0]]][1]) + 2 <= DISPLAY_EM),
                   default=0.0)

    def named_block(block: list[list[int]]) -> bool:
        return _named_tags(doc, [[shown[p] for p in chain] for chain in block], numbers, left_em=left_column(block))

    def grouped(split: bool) -> list[list[list[int]]]:
        # one-line chains are merged into one display; with ``split``, a chain whose wide left side would push the
        # display's tags past the margin starts a display of its own, so that the tags can keep the lemma's name
        blocks: list[list[list[int]]] = []
        for chain in chains:
            if (blocks and len(chain) == 1 and len(blocks[-1][-1]) == 1
                    and (not split or named_block(blocks[-1] + [chain]) or not named_block(blocks[-1]))):
                blocks[-1].append(chain)
            else:
                blocks.append([chain])
        return blocks

    # the displays follow one another as one chain, so their tags read alike: every tag keeps the lemma's name
    # when every line can, else every tag is the lemma's number alone (the name heads the lemma)
    blocks = grouped(split=True)
    named = all(named_block(block) for block in blocks)
    if not named:
        blocks = grouped(split=False)
    displays = []
    for block in blocks:
        left_em = left_column(block)
        lines = [[shown[p] for p in chain] for chain in block]
        displays.append("\n".join(_chain_latex(doc, chain, numbers, left_em=left_em, named=named) for chain in lines)
                        .replace("\n\\end{align*}\n\\begin{align*}\n", " \\\\\n"))
    # the displays of the blocks follow one another without the empty line TeX sets between two displays
    out += ["\\vspace{-\\baselineskip}\n".join(displays)] if displays else []
    asides = [r"\noindent " + p for p in doc.polynomials] + [rf"\noindent\emph{{Note.}} {note}" for note in doc.notes]
    if doc.holds:
        hidden = [p for p in rest if p not in shown]
        aside = "".join(rf" Lemma~\thetheorem.{numbers[p]} ({text_latex(doc.steps[p].name)}) is not a line: its two "
                        "sides print alike, and it is stated below." for p in hidden)
        # the sentence on the display continues it; after notes, the conclusion is a paragraph of its own
        justified = rf"\noindent Each line is justified by the lemma named beside it, below.{aside}"
        if asides:
            out += [justified] + asides + [_sentence(doc.conclusion)]
        else:
            out.append(f"{justified} {_sentence(doc.conclusion)}")
        out.append(r"\end{proof}")
    else:
        out += asides
        out.append(rf"\noindent\textbf{{{_VERDICT_HEAD[doc.verdict]}:}} "
                   + doc.failure.replace("Lemma " + _LEMMA_NUMBER, r"Lemma~\thetheorem.")
                   .replace(_LEMMA_NUMBER, r"\thetheorem.") + ".")
    seen: dict = {}
    out += [_lemma_latex(doc.steps[p], numbers[p], seen, stated, theorem) for p in rest]
    tables = _tables_sentence([numbers[p] for p in rest if doc.steps[p].claims], len(rest))
    if tables:  # a paragraph of its own, set off from the last lemma's Checked line
        out.append(r"\medskip\noindent " + tables)
    spot = _spot_sentence([(numbers[p], doc.steps[p].spot_checks) for p in rest], r"Lemma~\thetheorem.")
    if spot:
        out.append(r"\noindent " + spot)
    if appendix:
        known = stated.setdefault("\0checkers", set()) if stated is not None else None
        out.append(_appendix_latex(doc, numbers, times, known=known))
    for name in doc.changed:  # the function that ran is not the Conventions' formula: it is named apart
        tex = _CONVENTION_FORMULAS[name]
        out = [re.sub(re.escape(tex) + r"(?=\s*\\left\(|\()", lambda _: _ran_name(tex), part) for part in out]

    known = stated.setdefault("\0notation", set()) if stated is not None else None
    notation = notation_latex(_one_spelling("\n".join(out)), known)
    if notation:
        out.insert(notation_at, notation)
    return "\n\n".join(out)


_DEFINITIONS_LEAD = "The index maps (the definitions shown are those of the functions evaluated)"

_FURTHER_DEFINITIONS_LEAD = "The maps this theorem uses that the Definitions above do not define:"
"""How the Definitions begin (a colon follows, or a sentence on a function evaluated in place of PyTorch's)."""

_CONVENTION_FORMULAS = {"conv_output_size": r"n_{\mathrm{out}}", "transposed_output_size": r"n_{T}"}
"""The formulas the Conventions define as PyTorch's, by their names on the page."""


def _ran_name(tex: str) -> str:
    r"""The page's name of a function that ran in place of a Conventions formula: ``n_{T}`` becomes ``n^{\ast}_{T}``."""
    base, _, sub = tex.partition("_")
    return rf"{base}^{{\ast}}_{sub}"


def _changed(module: Any) -> list[str]:
    """The Conventions formulas whose function in ``module`` (the formulas that ran) is not the package's own
    (read afresh from its source), compared as sympy expressions of symbolic arguments."""
    import importlib.util
    import inspect

    from .. import formulas

    module = module or formulas
    spec = importlib.util.spec_from_file_location("symconv_pristine_formulas", formulas.__file__)
    pristine = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pristine)
    out = []
    for name in _CONVENTION_FORMULAS:
        ran, own = getattr(module, name, None), getattr(pristine, name)
        if ran is None:
            continue
        args = sympy.symbols(list(inspect.signature(own).parameters), integer=True, positive=True)
        try:
            same = sympy.simplify(sympy.sympify(ran(*args)) - sympy.sympify(own(*args))) == 0
        except (TypeError, ValueError):
            same = False
        if not same:
            out.append(name)
    return out


def proof_fragment(proof: Any, definitions: bool = True, *, shared: Any = None, shared_label: str = "",
                   appendix: bool = True, times: bool = True, stated: dict | None = None, theorem: Any = None) -> str:
    r"""The proof as a LaTeX fragment (needs the packages of :func:`document` and a ``theorem`` environment).

    ``definitions=False`` leaves out the latexify-rendered index maps (for a
    document that already shows them once); with ``stated``, the maps that no earlier fragment defined are
    defined all the same, as Further definitions.  ``shared`` is another proof whose
    leading steps this one repeats word for word: they are referred to by
    ``shared_label`` (e.g. ``"Theorem 1"``) instead of being printed twice.
    ``appendix=False`` leaves out the checked claims (a document with several theorems collects them
    with :func:`claims_appendix`); ``times=False`` leaves out what varies from run to run, the solver times
    and the integers the solver found for each claim's hypotheses (for golden files).  In a document with
    several theorems, pass one dict as ``stated`` to every fragment, with each fragment's theorem number as
    ``theorem``: a lemma statement already made by an earlier theorem is then cited, not repeated.

    Parameters
    ----------
    proof : Proof
        The proof to typeset.
    definitions : bool
        Whether the index maps' definitions are shown.
    shared : Proof, optional
        A proof whose leading steps this one repeats.
    shared_label : str
        How those steps are referred to (e.g. ``"Theorem 1"``).
    appendix : bool
        Whether the checked claims follow.
    times : bool
        Whether what varies from run to run is shown.
    stated : dict, optional
        Shared between the fragments of one document: the lemma statements made so far.
    theorem : optional
        This fragment's theorem number in the document.

    Returns
    -------
    str
        The LaTeX fragment: the theorem (or the refuted claim), its proof, and the appendix.

    Examples
    --------
    >>> from symconv import ConvSpec, prove_transpose
    >>> text = proof_fragment(prove_transpose(ConvSpec(3, stride=2), (4,)), times=False)
    >>> text.startswith(r"\begin{theorem}"), r"\begin{align*}" in text
    (True, True)
    """
    return _latex(_read(proof, shared, shared_label), definitions, appendix, times, stated, theorem)


REFUTED_ENVIRONMENT = "\n".join(
    rf"\newenvironment{{{env}}}[1][]{{\refstepcounter{{theorem}}\trivlist\item[\hskip\labelsep"
    rf"{{\bfseries Claim \thetheorem\ ({words}):}}\ #1\textbf{{.}}]\itshape}}{{\endtrivlist}}"
    for env, words in (("refuted", "refuted"), ("unproved", "not proved")))
"""The heading of a refuted claim, "Claim 1 (refuted)", and of a claim whose proof failed without a
counterexample, "Claim 1 (not proved)": numbered like a theorem, as its lemmas and tables are."""


def document(title: str, body: str, *, max_cols: int = 10, graphics: bool = False,
             padding_mode: str | None = None) -> str:
    r"""A standalone article around ``body`` (the title is escaped), with the conventions section first.

    Parameters
    ----------
    title : str
        The document's title, as plain text.
    body : str
        LaTeX, e.g. one or more :func:`proof_fragment`.
    max_cols : int
        The widest matrix the document prints (amsmath's ``MaxMatrixCols``, at least 30).
    graphics : bool
        Whether ``graphicx`` is loaded (for figures).
    padding_mode : str or None
        The padding mode of the document's layer, for the Conventions (:func:`conventions`); None (the default,
        for a document about several layers) says zeros unless a layer's mode says otherwise.

    Returns
    -------
    str
        A LaTeX document that compiles with pdflatex.

    Examples
    --------
    >>> tex = document("A & B", r"Hello $x$.")
    >>> tex.splitlines()[0], r"\title{A \& B}" in tex, tex.endswith("\\end{document}\n")
    ('\\documentclass[11pt]{article}', True, True)
    """
    packages = list(PREAMBLE_PACKAGES)
    if graphics:
        packages.append("{graphicx}")
    head = [r"\documentclass[11pt]{article}"] + [rf"\usepackage{p}" for p in packages]
    head += [rf"\setcounter{{MaxMatrixCols}}{{{max(30, max_cols)}}}", r"\newtheorem{theorem}{Theorem}",
             r"\newtheorem{lemma}{Lemma}[theorem]", REFUTED_ENVIRONMENT,
             # a chain taller than the rest of a page may break between its lines (amsmath's least permissive
             # setting: only where the page would otherwise be left half empty) rather than move whole
             r"\allowdisplaybreaks[1]",
             r"\setlength{\emergencystretch}{3em}", r"\AtBeginDocument{\setlength{\rightskip}{0pt plus 3em}}", rf"\title{{{escape_text(title)}}}", r"\author{symconv}", r"\date{}"]
    return ("\n".join(head) + "\n\\begin{document}\n\\maketitle\n\\section*{Conventions}\n"
            + conventions(padding_mode, body) + "\n\n"
            + body + "\n\\end{document}\n")


def proof_document(proof: Any, title: str | None = None) -> str:
    r"""The proof as a standalone document that compiles with pdflatex.

    Parameters
    ----------
    proof : Proof
        The proof to typeset.
    title : str, optional
        The document's title (default: the proof's).

    Returns
    -------
    str
        :func:`document` around :func:`proof_fragment` of ``proof``.

    Examples
    --------
    >>> from symconv import prove_transpose_general
    >>> tex = proof_document(prove_transpose_general(), "All sizes")
    >>> r"\title{All sizes}" in tex and r"\begin{theorem}" in tex
    True
    """
    if title is None and not proof.holds:  # the title does not assert what the document refutes
        verdict = "not proved" if "refutation" in proof.data and proof.data["refutation"] is None else "refuted"
        title = f"{'Refuted' if verdict == 'refuted' else 'Unproved'} claim: {proof.title}"
    return document(title or proof.title, proof_fragment(proof), padding_mode=_padding_mode_of(proof))


# -- Markdown and MathJax -------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


_POWER = re.compile(r"(?<![\w^.·])((?:\d+·)?\d+\^-?\d+(?: - 1)?)(?![\w.^])")


def _md_text(text: str) -> str:
    """Plain text for Markdown: specials escaped, identifiers such as ``n_T`` and powers such as ``2^-60`` as
    mathematics.

    >>> _md_text("a bound between 2^30 and 2^31; at most 2^-60, 9·2^27 or 2^30 - 1")
    'a bound between $2^{30}$ and $2^{31}$; at most $2^{-60}$, $9 \\\\cdot 2^{27}$ or $2^{30} - 1$'
    """
    from .printing import _IDENTIFIER

    pieces = _POWER.split(str(text))
    if len(pieces) > 1:  # text, power, text, ...: each power as mathematics (as text_latex writes it)
        return "".join(_md_text(p) if i % 2 == 0 else text_latex(p) for i, p in enumerate(pieces))
    parts = _IDENTIFIER.split(str(text))
    return "".join((f"${symbol_latex(p)}$" if len(p.split("_")[0]) < 3 else p.replace("_", " ")) if i % 2
                   else _md_sizes(_MD_SPECIAL.sub(r"\\\1", p)) for i, p in enumerate(parts))


def _md_sizes(text: str) -> str:
    """A size such as ``9x8`` in a report, as the product the LaTeX page shows (``$9 \\times 8$``)."""
    return re.sub(r"(?<![A-Za-z0-9\\])\d+(?:x\d+)+(?![A-Za-z0-9_])",
                  lambda m: "$" + r" \times ".join(m.group(0).split("x")) + "$", text)


def _md_latex_text(text: str) -> str:
    """LaTeX text (mathematics in ``$...$``) for Markdown: the few text macros the program writes, as Markdown."""
    out = re.sub(r"\\emph\{([^{}]*)\}", r"*\1*", text)
    out = re.sub(r"\\textbf\{([^{}]*)\}", r"**\1**", out)
    out = re.sub(r"\\textsf\{([^{}]*)\}", r"`\1`", out)  # a PyTorch module's name
    return out.replace("``", "\u201c").replace("''", "\u201d").replace("--", "\u2013").replace("~", " ")


def _plain_latex_text(text: str) -> str:
    out = re.sub(r"\\(emph|textbf|textsf)\{([^{}]*)\}", r"\2", text)
    return out.replace("``", "\u201c").replace("''", "\u201d").replace("--", "\u2013").replace("~", " ")


def _md_list(text: str) -> str:
    """LaTeX lists in a statement as Markdown lists."""
    out = re.sub(r"\\item\[([^\]]*)\]\s*", r"\n- \1 ", text)
    out = re.sub(r"\\item\s*", "\n- ", out)
    out = re.sub(r"\s*\\(begin|end)\{itemize\}\s*", "\n\n", out)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def _md_claim(c: _Claim, text: Any, checker: str, ranged: bool) -> str:
    under = ((["(H)"] if c.in_ranges and ranged else []) + ([_axes_text("(H)", c.axes)] if c.axes and ranged else [])
             + [f"${h}$" for h in c.hypotheses])
    line = f"{_title_latex(c.name, text)}{'' if c.holds else ' (refuted)'}."
    if under and c.variables:
        line += " Under " + ", ".join(under) + ":"
    line += f" ${c.conclusion}$ ({text(checker if c.holds else 'refuted')})."
    if c.witness and c.holds:
        line += f" Hypotheses met at {c.witness}."
    if c.counterexample:
        line += " Counterexample: " + c.counterexample.replace("[U+", "[") + (f", where ${c.denial}$" if c.denial
                                                                              else "") + "."
    return line


def _body(doc: _Doc) -> str:
    """The text a document's Conventions are decided from: its statement, chain, lemmas, claims and matrices."""
    return " ".join([doc.statement, doc.layer_words] + [a for pair in doc.sides for a in pair]
                    + [s.rule for s in doc.steps] + [c.conclusion + " " + " ".join(c.hypotheses)
                                                     for s in doc.steps for c in s.claims]
                    + [m.what for m in doc.matrices] + [doc.definitions])


def _flat(doc: _Doc, *, markdown: bool) -> str:

    """The Markdown and notebook flavours: the same theorem, definitions, chain, lemmas and appendix."""
    bold = (lambda t: f"**{t}**") if markdown else (lambda t: t)
    head = (lambda t: f"### {t}") if markdown else (lambda t: t + ".")
    text = _md_text if markdown else str
    latex_text = (lambda t: _md_list(_md_latex_text(t))) if markdown else (lambda t: _md_list(_plain_latex_text(t)))
    kind = "Theorem" if doc.holds else f"Claim ({'refuted' if doc.verdict == 'refuted' else 'not proved'})"
    # the Conventions first, as on the LaTeX page: the theorem uses conv, n_out, ... and a reader meets them defined
    out = ["## Conventions" if markdown else "Conventions.", latex_text(conventions(doc.padding_mode, _body(doc))),

           (f"## {kind} ({text(head_title(doc.title))})" if markdown else f"{kind} ({text(head_title(doc.title))}).") ,
           latex_text(doc.statement)]
    if doc.assumptions and not doc.ranged:
        out.append(bold("The ranges of the theorem:") + " " + ", ".join(f"${a}$" for a in doc.assumptions) + ".")
    if _layer_unstated(doc):
        out.append(latex_text(f"The transposed layer is the transposed convolution {doc.layer_words}."))
    notation_at = len(out)
    if doc.definitions:
        out.append(head("Definitions"))
        out.append(_DEFINITIONS_LEAD + ":")
        out.append("$$\n" + doc.definitions.replace(r"\begin{align*}", r"\begin{aligned}")
                   .replace(r"\end{align*}", r"\end{aligned}") + "\n$$")
    if doc.matrices:
        out.append(head("Matrices"))
    for m in doc.matrices:
        if m.blocks:
            out.append(f"${m.name}$, {latex_text(m.what)}, in channel blocks:")
            out.append(f"$$\n{m.name} = {m.blocks}\n$$")
        out.append(f"${m.name}$, {latex_text(m.what)} ({latex_text(m.caption)}):")
        out.append(f"$$\n{m.name} = {m.body}\n$$")
    out.append(head("Proof" if doc.holds else "Refutation"))
    if doc.per_axis:
        out.append(latex_text(doc.per_axis.replace(_LEMMA_NUMBER, "")))
    numbers = {pos: pos + 1 - doc.shared for pos in range(len(doc.steps))}
    ref = lambda number: f"Lemma {number}"  # noqa: E731
    if doc.shared:
        out.append(_shared_sentence(doc, text(doc.shared_label)))
    rest = list(range(doc.shared, len(doc.steps)))
    lines = _merge_refuted(doc, rest)  # the lines displayed; every lemma is stated below
    for chain in _chains([doc.steps[p] for p in lines], [doc.sides[p] for p in lines]):
        # every tag keeps the lemma's name: a Markdown display has no margin for the tag to cross
        body = _chain_latex(doc, [lines[p] for p in chain], numbers, ref, env="aligned", named=True)
        out.append("$$\n" + body.replace(r"\rlap{$\displaystyle ", r"{").replace("$}", "}") + "\n$$")
    asides = [latex_text(p) for p in doc.polynomials] + [bold("Note.") + " " + latex_text(n) for n in doc.notes]
    if doc.holds:  # as on the LaTeX page: the sentence on the display, the notes, then the conclusion
        justified = "Each line is justified by the lemma named beside it, below."
        conclusion = latex_text(_sentence(doc.conclusion))
        out += [justified] + asides + [conclusion] if asides else [f"{justified} {conclusion}"]
    else:
        out += asides
        out.append(bold(_VERDICT_HEAD[doc.verdict] + ":") + " " + latex_text(doc.failure.replace(_LEMMA_NUMBER, ""))
                   + ".")
    for p in rest:  # every lemma has its own Checked line
        s = doc.steps[p]
        check = (f"Checked by {text(s.checker)}: {_count(len(s.claims))}, listed under Checked claims." if s.claims
                 else f"Checked by {text(s.checker)}" + (f": {text(s.report)}." if _is_words(s.report) and s.holds
                                                         else "."))
        if s.sizes:
            check += " " + latex_text(s.sizes)
        out.append(bold(f"Lemma {numbers[p]} ({text(s.name)}).") + (" (refuted)" if not s.holds else "") + " "
                   + latex_text(_sentence(s.rule).replace(_LEMMA_NUMBER, "")) + (" " + check if check else ""))

        if not s.holds:
            out.append(bold("This lemma is refuted")
                       + (f", for example at {s.counterexample}." if s.counterexample else ".")
                       + (" The checker reports: `" + s.report.replace("`", "'") + "`" if markdown
                          else " The checker reports: " + s.report))
    spot = _spot_sentence([(numbers[p], doc.steps[p].spot_checks) for p in rest], "Lemma ")
    if spot:
        out.append(spot)
    out.append(head("Checked claims"))
    out.append("Every claim is a statement about integers, for all values of its variables"
               + (f"; (H) stands for the hypotheses (H1)\u2013(H{doc.ranged}) of the theorem." if doc.ranged else ".")
               + " " + " ".join(f"{text(n)}: {text(w)}.".replace("--", "\u2013") for n, w in doc.checkers))
    prefix = "- " if markdown else ""
    for p in rest:
        s = doc.steps[p]
        if s.claims:
            out.append(bold(f"Lemma {numbers[p]} ({text(s.name)})."))
            out.append("\n".join(prefix + _md_claim(c, text, s.checker, bool(doc.ranged)) for c in s.claims))
    notation = notation_markdown(_one_spelling("\n\n".join(out)))
    if notation:
        out[notation_at:notation_at] = [head("Notation"), notation]
    return "\n\n".join(out) + "\n"


def proof_markdown(proof: Any) -> str:
    r"""The proof as Markdown with ``$...$``/``$$...$$`` mathematics (GitHub, Jupyter).

    Parameters
    ----------
    proof : Proof
        The proof to write.

    Returns
    -------
    str
        Markdown: the theorem as a heading, the statement, the proof's steps and the checked claims.

    Examples
    --------
    >>> from symconv import ConvSpec, prove_transpose
    >>> text = proof_markdown(prove_transpose(ConvSpec(3, stride=2, padding=1), (5,)))
    >>> text.startswith("## Conventions"), "## Theorem (Transposed convolution is a convolution" in text
    (True, True)
    """
    return _flat(_read(proof), markdown=True)


def proof_mathjax(proof: Any) -> str:
    """The proof for a notebook's ``_repr_latex_``: text with ``$...$``/``$$...$$`` mathematics only.

    Parameters
    ----------
    proof : Proof
        The proof to write.

    Returns
    -------
    str
        The text of :func:`proof_markdown` without Markdown markup.

    Examples
    --------
    >>> from symconv import ConvSpec, prove_adjoint
    >>> text = proof_mathjax(prove_adjoint(ConvSpec(2), (3,)))
    >>> "$" in text, "##" in text
    (True, False)
    """
    return _flat(_read(proof), markdown=False)
