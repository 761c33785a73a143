"""Proofs as Markdown (GitHub and Jupyter) and as MathJax text for a notebook's ``_repr_latex_``.

The Markdown carries the Notation, Conventions and Definitions of the LaTeX document; the MathJax flavour has
text and ``$...$`` mathematics only (no environments, no sectioning, no text-mode macros).
"""

from __future__ import annotations

import re
from typing import Any

from .appendix import _VERDICT_HEAD, _one_spelling, _shared_sentence, _spot_sentence
from .chain import _chain_latex, _count, _merge_refuted
from .checks import _sentence
from .claims import _axes_text, _Claim, _is_words, _title_latex
from .documents import _DEFINITIONS_LEAD, _layer_sentence, _layer_unstated, conventions, head_title
from .notation import notation_markdown
from .printing import (
    symbol_latex,
    text_latex,
)
from .reading import _LEMMA_NUMBER, _chains, _Doc, _read

__all__ = ['proof_markdown', 'proof_mathjax']


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
    out = ["## Conventions" if markdown else "Conventions.", latex_text(conventions(doc.padding_mode, _body(doc), doc.ndim)),

           (f"## {kind} ({text(head_title(doc.title))})" if markdown else f"{kind} ({text(head_title(doc.title))}).") ,
           latex_text(doc.statement)]
    if doc.assumptions and not doc.ranged:
        out.append(bold("The ranges of the theorem:") + " " + ", ".join(f"${a}$" for a in doc.assumptions) + ".")
    if _layer_unstated(doc):
        out.append(latex_text(_layer_sentence(doc)))
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
