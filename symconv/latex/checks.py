"""What each checker established, in words: the sampling schemes of the randomized identity test, and the
paragraph "How each lemma was checked" that a document's appendix opens with."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .printing import (
    escape_text,
)

__all__ = []


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:] if not text.startswith(("$", "\\")) else text
    return text if text.endswith((".", ".$")) else text + "."


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
    "paired": ("at paired points (N_w weights drawn uniformly from S_w and N_x inputs from S_x, every weight evaluated "
               "on the first input and the first N'_w weights on each later input)",
               r"at paired points ($N_w$ weights drawn uniformly from a set $\mathcal{S}_w$ of integers and $N_x$ inputs from a "
               r"set $\mathcal{S}_x$, every weight evaluated on the first input and the first $N'_w$ weights on each later "
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
