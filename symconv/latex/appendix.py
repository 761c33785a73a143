"""The appendix "Checked claims": the common hypotheses stated once, then a table per lemma of the claims
the machine checked (the claim as mathematics, the checker, the time)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .checks import _checker_latex, _checkers_described, _described, _merged_checkers, _sentence
from .claims import _axes_text, _Claim, _title_latex
from .phrases import counted
from .printing import (
    escape_text,
    text_latex,
)
from .reading import _Doc, _read

__all__ = ['further_checks_latex', 'claims_appendix']


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
