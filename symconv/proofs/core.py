"""Proofs as data: steps whose checks run when they are built.

A :class:`Step` records a claim ``lhs = rhs``, the rule that justifies it in
words, the assumptions it uses, the name of the check a program performed and
what that check found.  A :class:`Proof` holds iff every step holds; otherwise
:attr:`Proof.failure` names the first failing step and why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from ..latex.phrases import counted

__all__ = ["Step", "Proof", "Claim", "CHECKERS", "identity_check", "floor_split", "plain"]

CHECKERS = {
    "z3": "the SMT solver z3 proved each claim for all integers in the stated ranges, by showing that its "
          "negation has no solution",
    "sympy": "the difference of the two sides was expanded and is 0; a floor or a remainder modulo s is kept whole "
             "in the expansion, and a lemma that has one says beside it how it was closed",
    "exact structure": "the (row, column, tap, coefficient) structures of the two matrices are identical, so the "
                       "symbolic matrices are equal entry by entry",
    "randomized identity": "both sides were evaluated exactly at random integer points. At independent points: a "
                           "nonzero polynomial vanishes at a point drawn uniformly from a finite set of integers with "
                           "probability at most its total degree divided by the size of the set (Schwartz--Zippel). "
                           "At paired points (N_w weights drawn uniformly from S_w and N_x inputs from S_x, every weight "
                           "evaluated on the first input and the first N'_w weights on each later input): both sides "
                           "are affine in the weights and in the input, so their difference is "
                           "D(w, x) = eta(x) + sum_epsilon w_epsilon lambda_epsilon(x), where epsilon runs over the positions of "
                           "the entries of w and eta(x) is the part of D free of weights, with the coefficients eta and "
                           "lambda_epsilon affine in x. If D is not zero, the first "
                           "input makes all the coefficients vanish with probability at most |S_x|^-1; where it does not, D(., x) "
                           "is a nonzero affine function of w, which all N_w weights make vanish with probability at "
                           "most |S_w|^-N_w; where it does, the N_x - 1 later inputs all make all the coefficients vanish with "
                           "probability at most |S_x|^-(N_x-1), and otherwise the first N'_w weights make D vanish at a "
                           "later input where it is not zero with probability at most |S_w|^-N'_w. So a wrong matrix "
                           "passes with probability at most |S_w|^-N_w + |S_x|^-1 (|S_x|^-(N_x-1) + |S_w|^-N'_w)",
    "polynomial identity": "both sides were expanded by sympy as polynomials and compared term by term",
    "enumeration": "every position was counted and compared",
    "arithmetic": "the sizes (and the layer's parameters) stated in the lemma were computed from the layer and compared "
                  "with the values stated",
    "by definition": "the two sides are the same definition; only what is not definitional was checked",
}
"""The checkers a step can name, and what each one establishes (text; ``--`` is an en dash, as in TeX)."""

CHECKERS_LATEX = {
    "randomized identity": r"both sides were evaluated exactly at random integer points. At independent points: a "
                           r"nonzero polynomial vanishes at a point drawn uniformly from a finite set of integers "
                           r"with probability at most its total degree divided by the size of the set "
                           r"(Schwartz--Zippel). At paired points ($N_w$ weights drawn uniformly from a set $\mathcal{S}_w$ of "
                           r"integers and $N_x$ inputs from a set $\mathcal{S}_x$, every weight evaluated on the first input and "
                           r"the first $N'_w$ weights on each later input): both sides are affine in the weights and "
                           r"in the input, so their difference is "
                           r"$D(w, x) = \eta(x) + \sum_\varepsilon w_\varepsilon \lambda_\varepsilon(x)$, where "
                           r"$\varepsilon$ runs over the positions of the entries of $w$ and $\eta(x)$ is the part of "
                           r"$D$ free of weights, with the coefficients $\eta$ and $\lambda_\varepsilon$ affine in $x$. "
                           r"If $D \ne 0$, the first input makes all the coefficients vanish with "
                           r"probability at most $|\mathcal{S}_x|^{-1}$; where it does not, $D(\cdot, x)$ is a nonzero affine "
                           r"function of $w$, which all $N_w$ weights make vanish with probability at most "
                           r"$|\mathcal{S}_w|^{-N_w}$; where it does, the $N_x - 1$ later inputs all make all the coefficients vanish with "
                           r"probability at most $|\mathcal{S}_x|^{-(N_x-1)}$, and otherwise the first $N'_w$ weights make $D$ "
                           r"vanish at a later input where it is not zero with probability at most $|\mathcal{S}_w|^{-N'_w}$. So "
                           r"a wrong matrix passes with probability at most "
                           r"$|\mathcal{S}_w|^{-N_w} + |\mathcal{S}_x|^{-1} \bigl(|\mathcal{S}_x|^{-(N_x-1)} + |\mathcal{S}_w|^{-N'_w}\bigr)$",
}
"""The checkers whose description needs mathematics, typeset (LaTeX text); the others are :data:`CHECKERS`."""


@dataclass(frozen=True)
class Claim:
    """One closed statement that a checker proved (or refuted).

    ``for all variables satisfying hypotheses: conclusion`` over the integers.
    ``statement`` is the sympy form of the whole implication (for typesetting);
    ``counterexample`` maps names to integers when the checker refuted the claim.
    ``witness`` is a model of the hypotheses (names to integers, as small as the solver finds within a few
    boxes), found before the claim was proved: a claim whose hypotheses cannot hold would be true of nothing, so
    it is refused instead (``holds`` False).  A claim without hypotheses has no witness (``None``): any
    integers would do, so none is shown.
    ``sat_smtlib`` is that satisfiability check as SMT-LIB 2 (expected answer: ``sat``).
    """

    name: str
    variables: tuple
    hypotheses: tuple
    conclusion: Any
    checker: str
    holds: bool
    counterexample: dict | None = None
    smtlib: str = ""
    seconds: float = 0.0
    reason: str = ""
    witness: dict | None = None
    sat_smtlib: str = ""

    @property
    def statement(self) -> Any:
        """``hypotheses => conclusion`` as a sympy Boolean (unevaluated)."""
        if not self.hypotheses:
            return self.conclusion
        return sympy.Implies(sympy.And(*self.hypotheses, evaluate=False), self.conclusion, evaluate=False)

    def __str__(self) -> str:
        mark = "✓" if self.holds else "✗"
        text = f"{mark} {self.name}: {_text(self.statement)} [{self.checker}]"
        if self.counterexample:
            text += "\n      counterexample: " + ", ".join(f"{k} = {v}" for k, v in self.counterexample.items())
        return text


@dataclass(frozen=True)
class Step:
    """One checked claim ``lhs = rhs`` of a chain, with the claims that establish it.

    Attributes
    ----------
    lhs, rhs : sympy expression
        The two sides, as mathematics.
    rule : str
        Why the step is true, as LaTeX text (mathematics inside ``$...$``).
    checker : str
        Which program established the step (a key of :data:`CHECKERS`).
    holds : bool
        What the checker found.
    detail : str
        What was verified, or why the step does not hold (plain text).
    claims : tuple of Claim
        The integer claims the checker proved, for all values in their ranges.
    assumptions : tuple
        The hypotheses the step uses (sympy relations).
    spot_checks : int
        Numeric instances at which both sides were also evaluated and agreed (an extra, never the only support).
    name : str
        A short name of the step.
    counterexample : dict or None
        Concrete values at which the step fails (when it does).
    condition : str
        LaTeX math: the ranges under which ``lhs = rhs`` holds, shown beside the display (``0 \\le c_l < c_i``);
        empty when the step's display holds wherever its symbols are defined.

    Raises
    ------
    ValueError
        For a checker that is not a key of :data:`CHECKERS`.

    Examples
    --------
    >>> from symconv import ConvSpec, prove_transpose
    >>> step = prove_transpose(ConvSpec(3, stride=2), (5,)).steps[-1]
    >>> step.name, step.checker in CHECKERS, step.holds
    ('polyphase view', True, True)
    """

    lhs: Any
    rhs: Any
    rule: str
    checker: str
    holds: bool
    detail: str = ""
    claims: tuple = ()
    assumptions: tuple = ()
    spot_checks: int = 0
    name: str = ""
    counterexample: dict | None = None
    condition: str = ""

    def __post_init__(self) -> None:
        if self.checker not in CHECKERS:
            raise ValueError(f"unknown checker {self.checker!r}; known: {sorted(CHECKERS)}")

    @classmethod
    def from_claims(cls, lhs: Any, rhs: Any, rule: str, claims: Any, *, name: str, detail: str = "",
                    assumptions: tuple = ()) -> Step:
        """A step that holds exactly when every claim holds; the first refuted claim gives the counterexample.

        Parameters
        ----------
        lhs, rhs : sympy expression
            The two sides.
        rule : str
            Why the step is true, as LaTeX text.
        claims : iterable of Claim
            The claims that establish it (none: the step does not hold).
        name : str
            A short name of the step.
        detail : str
            What was verified (default: how many claims were proved).
        assumptions : tuple
            The hypotheses the step uses.

        Returns
        -------
        Step
            Checked by the claims' checker (z3 when they mix checkers).

        Examples
        --------
        >>> import sympy
        >>> a = sympy.Symbol("a")
        >>> step = Step.from_claims(a, a, "nothing", [], name="empty")
        >>> step.holds, step.detail
        (False, 'the step has no claims, so nothing was checked')
        """
        claims = tuple(claims)
        if not claims:  # nothing was checked: the step cannot hold
            return cls(lhs, rhs, rule, "z3", False, "the step has no claims, so nothing was checked", (),
                       assumptions, name=name)
        checkers = {c.checker for c in claims}
        checker = checkers.pop() if len(checkers) == 1 else "z3"
        bad = next((c for c in claims if not c.holds), None)
        if bad is None:
            text = detail or f"{counted(len(claims), 'claim', words=False)} proved for all values in range"
            return cls(lhs, rhs, rule, checker, True, text, claims, assumptions, name=name)
        where = ", ".join(f"{k} = {v}" for k, v in (bad.counterexample or {}).items())
        text = f"claim '{bad.name}' is false" + (f", for example at {where}" if where else "")
        if bad.reason:
            text += f" ({bad.reason})"
        return cls(lhs, rhs, rule, checker, False, text, claims, assumptions, name=name,
                   counterexample=bad.counterexample)

    def with_spot_checks(self, count: int, failure: str | None) -> Step:
        """A copy recording numeric spot checks (a failure makes the step fail).

        Parameters
        ----------
        count : int
            How many instances were evaluated.
        failure : str or None
            What failed, or None when every instance agreed.

        Returns
        -------
        Step
            The copy.

        Examples
        --------
        >>> from symconv import prove_transpose_general
        >>> step = prove_transpose_general().steps[0]
        >>> step.with_spot_checks(5, None).holds, step.with_spot_checks(5, "at n = 3").holds
        (True, False)
        """
        if failure is not None:
            return replace(self, holds=False, detail=f"{self.detail}; spot check failed: {failure}", spot_checks=count)
        return replace(self, spot_checks=count)

    def __str__(self) -> str:
        mark = "✓" if self.holds else "✗"
        text = f"{mark} {_text(self.lhs)} = {_text(self.rhs)}\n    by {plain(self.rule)} [{self.checker}]"
        for claim in self.claims:
            text += "\n    " + str(claim)
        if self.spot_checks:
            text += f"\n    (+{self.spot_checks} numeric spot checks)"
        if not self.holds:
            text += f"\n    FAILS: {self.detail}"
        return text


_PLAIN = [(r"\,", " "), (r"\cdot", "·"), (r"\le", "≤"), (r"\ge", "≥"), (r"\ne", "≠"), (r"\lfloor", "⌊"),
          (r"\rfloor", "⌋"), (r"\tilde{w}", "w̃"), (r"\hat{y}", "ŷ"), (r"\mathrm{flip}", "flip"),
          (r"\mathrm{in}", "in"), (r"\mathrm{out}", "out"), (r"\gamma", "γ"), (r"\langle", "⟨"),
          (r"\rangle", "⟩"), (r"\sum", "Σ"), (r"\in", "∈"), (r"\Leftrightarrow", "⇔"), (r"\Rightarrow", "⇒"),
          (r"\mid", "|"), (r"\dots", "…"), (r"\top", "ᵀ"), (r"\times", "×"), (r"\mapsto", "↦"),
          (r"\partial", "∂"), (r"\operatorname{mod}", "mod"), (r"\bmod", "mod"), (r"\max", "max"),
          (r"\gcd", "gcd"), (r"\ell", "ℓ"), (r"\to", "→"), (r"\equiv", "≡"), (r"\tilde w", "w̃"),
          (r"\tilde x", "x̃"), (r"\hat y", "ŷ"), (r"\quad", " "), (r"\qquad", " "), (r"\[", ""), (r"\]", ""),
          (r"\circ", "°"), (r"\ast", "*")] + [
          ("\\" + name, letter) for name, letter in (
              ("alpha", "α"), ("beta", "β"), ("delta", "δ"), ("varepsilon", "ε"), ("eta", "η"), ("kappa", "κ"),
              ("lambda", "λ"), ("mu", "μ"), ("nu", "ν"), ("xi", "ξ"), ("rho", "ρ"), ("sigma", "σ"), ("tau", "τ"),
              ("phi", "φ"), ("Phi", "Φ"), ("Delta", "Δ"))]


LEMMA_REF = r"<<([a-z][a-z -]*)>>"
"""A rule's citation of another lemma of its proof by name (``<<separability>>``), numbered by the document."""


def plain(text: str) -> str:

    r"""LaTeX rule text made readable in a terminal (``$`` dropped, common macros as Unicode).

    >>> plain(r"output $j = s i + d m - p_l$, $0 \le m < k$")
    'output j = s i + d m - p_l, 0 ≤ m < k'
    """
    out = re.sub(LEMMA_REF, r"Lemma (\1)", text)
    out = re.sub(r"\s*\\pmod\{([^{}]*)\}", r" (mod \1)", out)
    out = re.sub(r"\\(?:mathrm|operatorname|text|textsf|textit|emph|mathcal|mathbf)\{([^{}]*)\}", r"\1", out)
    out = re.sub(r"\\(?:left|right|bigl|bigr)(?![A-Za-z])", "", out).replace("\\ ", " ")
    for macro, uni in _PLAIN:
        out = re.sub(re.escape(macro) + r"(?![A-Za-z])", uni.replace("\\", "\\\\"), out)
    return out.replace("$", "").replace("{", "").replace("}", "").replace("^ᵀ", "ᵀ")


def tuple_tex(values: Any) -> str:
    """A shape or parameter tuple for the page: ``(3)``, ``(4, 5)`` (no trailing comma).

    >>> tuple_tex((3,)), tuple_tex((4, 5))
    ('(3)', '(4, 5)')
    """
    return "(" + ", ".join(str(v) for v in values) + ")"


def per_axis_text(values: Any) -> str:
    """A per-axis parameter for prose: one number when every axis has it, else the numbers per axis (LaTeX).

    Parameters
    ----------
    values : sequence of int
        The parameter on each axis.

    Returns
    -------
    str
        ``$2$`` or ``$(1, 2)$ on the axes``.

    Examples
    --------
    >>> per_axis_text((2,)), per_axis_text((1, 2))
    ('$2$', '$(1, 2)$ on the axes')
    """
    values = tuple(values)
    if len(set(values)) == 1:
        return f"${values[0]}$"
    return f"${tuple_tex(values)}$ on the axes"


def padding_text(padding: Any) -> str:
    """A per-axis padding ``((left, right), ...)`` for prose (LaTeX): ``$1$ on both sides`` when it is one number.

    Parameters
    ----------
    padding : sequence of (int, int)
        The left and right padding of each axis.

    Returns
    -------
    str
        The padding in words.

    Examples
    --------
    >>> padding_text(((1, 1),)), padding_text(((0, 1),)), padding_text(((1, 1), (0, 2)))
    ('$1$ on both sides', '$0$ on the left and $1$ on the right', '$(1, 1), (0, 2)$ (left, right) on the axes')
    """
    pairs = tuple(tuple(p) for p in padding)
    if len(set(pairs)) == 1:
        left, right = pairs[0]
        return f"${left}$ on both sides" if left == right else f"${left}$ on the left and ${right}$ on the right"
    return "$" + ", ".join(tuple_tex(p) for p in pairs) + "$ (left, right) on the axes"


def _text(value: Any) -> str:
    if isinstance(value, sympy.Basic):
        return sympy.sstr(value)
    return str(value)


@dataclass(frozen=True)
class Proof:
    """A theorem with the checked steps that establish it.

    ``holds`` is True exactly when every step holds.  ``statement`` and
    ``conclusion`` are LaTeX text (mathematics inside ``$...$``).

    Attributes
    ----------
    title : str
        The theorem's name.
    statement : str
        The theorem, as LaTeX text.
    steps : tuple of Step
        The checked steps, in order.
    assumptions : tuple
        The theorem's hypotheses (sympy relations).
    conclusion : str
        What the steps establish together, as LaTeX text.
    notes : tuple of str
        Remarks printed after the proof.
    data : dict
        What the prover computed (the layer, the matrices), for the documents and the pictures.

    Examples
    --------
    >>> from symconv import ConvSpec, prove_adjoint
    >>> proof = prove_adjoint(ConvSpec(3, stride=2), (5,))
    >>> proof.holds, proof.failure, proof.title
    (True, None, 'Adjoint identity')
    >>> proof.to_latex().startswith(r"\\begin{theorem}")
    True
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
        """Every step holds, and there is at least one (a proof with no steps proves nothing)."""
        return bool(self.steps) and all(step.holds for step in self.steps)

    @property
    def failure(self) -> str | None:
        """Which step fails first, and why (None when the proof holds)."""
        if not self.steps:
            return "the proof has no steps, so nothing was checked"
        for number, step in enumerate(self.steps, 1):
            if not step.holds:
                return f"step {number} ({step.name}) does not hold: {step.detail}"
        return None

    @property
    def failed_step(self) -> Step | None:
        """The first step that does not hold (None when the proof holds)."""
        return next((step for step in self.steps if not step.holds), None)

    @property
    def claims(self) -> tuple[Claim, ...]:
        """Every claim of every step, in order."""
        return tuple(claim for step in self.steps for claim in step.claims)

    def to_smtlib(self) -> str:
        """Every solver claim as an SMT-LIB 2 script: for each claim, its hypotheses alone (expected ``sat``:
        they have a model) and then the negation of the claim (expected ``unsat``).

        Each check is one ``(push)``/``(pop)`` block, so any SMT-LIB solver re-checks them all;
        a comment line names the step, the claim and the expected answer.

        Returns
        -------
        str
            The script, starting with ``(set-logic ALL)``.

        Examples
        --------
        >>> from symconv import prove_transpose_general
        >>> proof = prove_transpose_general()
        >>> script = proof.to_smtlib()
        >>> script.startswith("(set-logic ALL)"), script.count("expected: unsat") == len(proof.claims)
        (True, True)
        """
        blocks = ["(set-logic ALL)"]
        for number, step in enumerate(self.steps, 1):
            for claim in step.claims:
                if claim.sat_smtlib:
                    blocks.append(f"; step {number} ({step.name}): {claim.name} (its hypotheses); expected: sat\n"
                                  f"(push 1)\n{claim.sat_smtlib}(pop 1)")
                if claim.smtlib:
                    blocks.append(f"; step {number} ({step.name}): {claim.name}; expected: unsat\n(push 1)\n"
                                  f"{claim.smtlib}(pop 1)")
        return "\n".join(blocks) + "\n"

    def __bool__(self) -> bool:
        return self.holds

    def __str__(self) -> str:
        lines = [f"{self.title}: {'holds' if self.holds else 'DOES NOT HOLD'}", f"  {plain(self.statement)}"]
        if self.assumptions:
            lines.append("  assuming " + ", ".join(_text(a) for a in self.assumptions))
        for number, step in enumerate(self.steps, 1):
            lines.append(f"  {number}. " + str(step).replace("\n", "\n     "))
        for note in self.notes:
            lines.append(f"  note: {plain(note)}")
        if self.holds and self.conclusion:
            lines.append(f"  ∴ {plain(self.conclusion)}")
        elif not self.holds:
            lines.append(f"  {self.failure}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's pretty printer shows the readable form."""
        printer.text(str(self))

    def _repr_latex_(self) -> str:
        """For notebooks: text and ``$...$`` mathematics only (what MathJax understands)."""
        from ..latex.markdown import proof_mathjax

        return proof_mathjax(self)

    def _repr_markdown_(self) -> str:
        """For notebooks: the Markdown form (JupyterLab renders its paragraphs, lists and displays)."""
        return self.to_markdown()

    def to_markdown(self) -> str:
        """The proof as Markdown with ``$...$``/``$$...$$`` mathematics (GitHub, Jupyter).

        Returns
        -------
        str
            :func:`symconv.latex.proof_markdown` of the proof.

        Examples
        --------
        >>> from symconv import ConvSpec, prove_adjoint
        >>> text = prove_adjoint(ConvSpec(2), (3,)).to_markdown()
        >>> text.splitlines()[0], text.index("## Conventions") < text.index("## Theorem (Adjoint identity)")
        ('## Conventions', True)
        """
        from ..latex.markdown import proof_markdown

        return proof_markdown(self)

    def to_latex(self, definitions: bool = True) -> str:
        """The proof as a LaTeX fragment (theorem, definitions, steps, conclusion).

        ``definitions=False`` omits the index maps, for documents that show them once.

        Parameters
        ----------
        definitions : bool
            Whether the index maps' definitions are shown.

        Returns
        -------
        str
            :func:`symconv.latex.proof_fragment` of the proof.

        Examples
        --------
        >>> from symconv import ConvSpec, prove_adjoint
        >>> prove_adjoint(ConvSpec(2), (3,)).to_latex().splitlines()[0]
        '\\\\begin{theorem}[Adjoint identity]'
        """
        from ..latex.documents import proof_fragment

        return proof_fragment(self, definitions)

    def to_document(self, title: str | None = None) -> str:
        """The proof as a standalone LaTeX document that compiles with pdflatex.

        Parameters
        ----------
        title : str, optional
            The document's title (default: the proof's).

        Returns
        -------
        str
            :func:`symconv.latex.proof_document` of the proof.

        Examples
        --------
        >>> from symconv import ConvSpec, prove_adjoint
        >>> prove_adjoint(ConvSpec(2), (3,)).to_document("Adjoint").splitlines()[0]
        '\\\\documentclass[11pt]{article}'
        """
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
