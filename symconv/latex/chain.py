"""The proof's body in LaTeX: the chain of equalities (``align*``, each line tagged with the lemma that
justifies it) and the lemmas that state what the chain cites."""

from __future__ import annotations

import re
from typing import Any

from .checks import _sentence
from .claims import _NEGATED, DISPLAY_EM, _em, _is_words, _Step, report_latex
from .printing import (
    escape_text,
    text_latex,
)
from .reading import _LEMMA_NUMBER, _Doc, _false_claims

__all__ = []


def _breakable(tex: str) -> str:
    r"""Let TeX break a line inside a layer's parameter list (as printed by :func:`spec_latex`)."""
    return tex.replace(r",\ ", r",\allowbreak\ ").replace(r"\bigl(", r"\bigl(\allowbreak ")


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
                 theorem: Any = None, verdict: str = "") -> str:
    """One lemma: its statement and what checked it.

    A report already given for an earlier lemma is cited; so is a statement already made by a lemma of an
    earlier theorem of the document (``stated`` maps statements to their lemma, ``theorem`` numbers this one).
    A refuted lemma whose reason the ``verdict`` above already gives says so instead of repeating it.
    """
    seen = {} if seen is None else seen
    rule = _numbered(_breakable(_sentence(_without_label(s.rule, s.name))))
    if stated is not None and s.rule in stated:
        rule = f"As Lemma~{stated[s.rule]}, for the layer of this theorem."
    elif stated is not None and theorem is not None:
        stated[s.rule] = f"{theorem}.{number}"
    out = [rf"\begin{{lemma}}[{text_latex(s.name)}]", rule, r"\end{lemma}"]
    if s.claims and all(c.checker == s.checker for c in s.claims):
        check = ""  # the chain shows the count beside the line, and one sentence after the lemmas points to the tables
    elif s.claims:  # its own check beside claims of another checker: both said
        many = len(s.claims) > 1
        check = (rf"\noindent\emph{{Checked}} by {escape_text(s.checker)}: {report_latex(s.report)}. "
                 rf"{'The claims it uses, checked' if many else 'The claim it uses, checked'} by "
                 rf"{escape_text(s.claims[0].checker)}, {'are' if many else 'is'} in Table~\thetheorem.{number}.")
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
        reason = (_false_claims(s) if refuted is not None else report_latex(s.report) if _is_words(s.report)
                  else "")
        if reason and reason in verdict:  # said once, in the verdict
            out.append(rf"\noindent\textbf{{Lemma~\thetheorem.{number} is refuted}}: the verdict above says where.")
            return "\n".join(out)
        if refuted is not None:
            out.append(f"{text}: {_false_claims(s, 'the')}.")
            return "\n".join(out)
        elif _is_words(s.report):
            text += f": {report_latex(s.report)}"
        out.append(text + (f", for example at {s.counterexample}." if s.counterexample else "."))
    return "\n".join(out)


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
