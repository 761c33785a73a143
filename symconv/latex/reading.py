"""The proof read once: its claims, steps, chain sides, matrices and verdict, gathered into one record
(:class:`_Doc`) that the LaTeX (:mod:`.documents`) and Markdown (:mod:`.markdown`) writers share.

Every formula is produced by sympy's LaTeX printer (through
:class:`~symconv.latex.printing.SymconvLatexPrinter`); titles and checker reports are plain text and are escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy

from ..proofs.core import LEMMA_REF
from .blocks import axis_blocks_latex
from .checks import _described
from .claims import _counterexample, _is_words, _math, _side, _Step, _step, _summary, _title_latex, report_latex
from .formulas import definitions_latex
from .phrases import counted
from .printing import (
    MatrixWindow,
    block_pattern_latex,
    elided_window,
    layer_text,
    matrix_latex,
    spec_latex,
    text_latex,
)

__all__ = []


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


def _ndim_of(proof: Any) -> int | None:
    """How many spatial axes a proof's layer has (None when it does not say: a proof about several)."""
    data = getattr(proof, "data", None) or {}
    if isinstance(data.get("ndim"), int):
        return data["ndim"]
    for key in ("conv_spec", "spec", "tspec"):
        kernel = getattr(data.get(key), "kernel_size", None)
        if kernel is not None:
            return len(kernel)
    return None


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
    ndim: int | None = None  # the layer's number of spatial axes, for the Conventions (None: not one layer)
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
    by_name = {s.name: f"{_LEMMA_NUMBER}{n - shared}"  # numbered as the document numbers them
               for n, s in enumerate(ordered, 1) if n > shared}
    if shared:  # a lemma of the shared prefix is cited as the other theorem numbers it
        theirs = _in_display_order(definitions_shared.steps)
        number = re.fullmatch(r"Theorem (\d+)", shared_label)
        for s in ordered[:shared]:
            n = next(n for n, t in enumerate(theirs, 1) if t.name == s.name)
            by_name[s.name] = f"{number.group(1)}.{n}" if number else f"{n} of {shared_label}"

    for s in steps:  # a rule citing another lemma by name cites it by its number
        s.rule = re.sub(LEMMA_REF, lambda m: f"Lemma {by_name[m.group(1)]}" if m.group(1) in by_name
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
        padding_mode=_padding_mode_of(proof), ndim=_ndim_of(proof), verdict=verdict, per_axis=_per_axis(proof, ordered),
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
        if re.fullmatch(r"\\[a-z]+", tex):  # a Greek letter names a map only where it is applied: ρ(j, …), not k = sκ + ρ
            pattern += r"\s*(?:\\mathopen\{\}\s*)?(?:\\left|\\bigl|\\Bigl)?\s*\("
        if re.search(r"(?<![A-Za-z\\])" + pattern, used):
            names.append(name)
    return tuple(names)


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


def _false_claims(s: _Step, article: str = "its") -> str:
    """Every refuted claim of a lemma, each with its counterexample (LaTeX text)."""
    false = [c for c in s.claims if not c.holds]
    said = [rf"``{_title_latex(c.name)}'' is false" + (f", for example at {c.counterexample}" if c.counterexample
                                                       else "") for c in false]
    if len(false) == 1:
        return f"{article} claim {said[0]}"
    return f"of its {len(s.claims)} claims, " + ", ".join(said[:-1]) + ", and " + said[-1]


_LEMMA_NUMBER = "\0"
"""Stands, in a failure sentence, for the theorem's number before a lemma's (``\\thetheorem.`` in LaTeX)."""


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
