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
from typing import Any

from .appendix import _VERDICT_HEAD, _appendix_latex, _one_spelling, _shared_sentence, _spot_sentence, _tables_sentence
from .chain import _breakable, _chain_latex, _lemma_latex, _line_em, _merge_refuted, _named_tags, _numbered
from .checks import _sentence
from .claims import DISPLAY_EM, _em
from .formulas import definitions_latex
from .notation import notation_latex
from .printing import (
    escape_text,
    text_latex,
)
from .reading import _CONVENTION_FORMULAS, _LEMMA_NUMBER, _chains, _Doc, _ndim_of, _padding_mode_of, _ran_name, _read

__all__ = ['conventions', 'CONVENTIONS', 'head_title', 'PREAMBLE_PACKAGES', 'proof_fragment', 'document', 'proof_document']


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


def conventions(padding_mode: str | None = "zeros", body: str | None = None, ndim: int | None = None) -> str:
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
    ndim : int, optional
        The number of spatial axes of the document's layer: with one, the layouts and shapes are written for one
        axis ($k$, $n$); None (the default) writes them for any number of axes.

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
    >>> r"k^{(1)}" in conventions("zeros", body="channel $c$"), r"k^{(1)}" in conventions("zeros", "channel $c$", 1)
    (True, False)
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
    if used(_CHANNELS) and ndim == 1:
        out.append(r"Weights use PyTorch's layouts: $(C_{\mathrm{out}}, C_{\mathrm{in}}/g, k)$ for a convolution and "
                   r"$(C_{\mathrm{in}}, C_{\mathrm{out}}/g, k)$ for a transposed convolution.")
    elif used(_CHANNELS):
        out.append(r"Weights use PyTorch's layouts: $(C_{\mathrm{out}}, C_{\mathrm{in}}/g, k^{(1)}, k^{(2)}, \dots)$ "
                   r"for a convolution and $(C_{\mathrm{in}}, C_{\mathrm{out}}/g, k^{(1)}, k^{(2)}, \dots)$ for a "
                   r"transposed convolution, one kernel size $k^{(\nu)}$ for each spatial axis $\nu$.")
    if used(_TENSORS) and ndim == 1:
        out.append(r"Matrices act on one batch element, a tensor of shape (channels, $n$), flattened row-major: "
                   r"the channel first.")
    elif used(_TENSORS):
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


PREAMBLE_PACKAGES = ("[T1]{fontenc}", "{lmodern}", "[margin=2.2cm]{geometry}", "{microtype}", "{amsmath}",
                     "{amssymb}", "{amsthm}", "{array}")
"""The packages of every document: Latin Modern is a vector font (no bitmap Type 3 fonts in the PDF)."""


def _layer_unstated(doc: _Doc) -> bool:
    """Whether the statement leaves the layer unnamed: neither its formula nor its parameters (as
    :func:`~symconv.latex.printing.layer_text` writes them) occur in it."""
    parameters = doc.layer.partition(r"\bigl(")[2].removesuffix(r"\bigr)")
    return bool(doc.layer) and doc.layer not in doc.statement and not (parameters and parameters in doc.statement)


def _layer_sentence(doc: _Doc) -> str:
    """The sentence naming the transposed layer when the statement does not (LaTeX text): PyTorch's layer, or
    for a padding mode other than zeros (which PyTorch's transposed layers do not have) the padding-0 transposed
    convolution that the fold of the padding follows."""
    if doc.padding_mode in (None, "zeros"):
        return f"The transposed layer is the transposed convolution {doc.layer_words}."
    return (f"The padding-0 transposed convolution is the transposed convolution {doc.layer_words}, its padding "
            rf"set to $p_{{l}} = p_{{r}} = 0$; the fold $P^{{\top}}$ of the {doc.padding_mode} padding follows it.")


def _latex(doc: _Doc, definitions: bool, appendix: bool = True, times: bool = True, stated: dict | None = None,
           theorem: Any = None) -> str:
    env = "theorem" if doc.holds else "refuted" if doc.verdict == "refuted" else "unproved"
    out = [rf"\begin{{{env}}}[{escape_text(head_title(doc.title, '--'))}]", _breakable(doc.statement), rf"\end{{{env}}}"]
    if doc.assumptions and not doc.ranged:
        out.append(r"\noindent The ranges of the theorem: " + ", ".join(f"${a}$" for a in doc.assumptions) + ".")
    if _layer_unstated(doc):
        out.append(r"\noindent " + _layer_sentence(doc))
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
    out += [_lemma_latex(doc.steps[p], numbers[p], seen, stated, theorem, doc.failure) for p in rest]
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
        out = [re.sub(re.escape(tex) + r"(?=\s*\\left\(|\()", lambda _, tex=tex: _ran_name(tex), part) for part in out]

    known = stated.setdefault("\0notation", set()) if stated is not None else None
    notation = notation_latex(_one_spelling("\n".join(out)), known)
    if notation:
        out.insert(notation_at, notation)
    return "\n\n".join(out)


_DEFINITIONS_LEAD = "The index maps (the definitions shown are those of the functions evaluated)"


_FURTHER_DEFINITIONS_LEAD = "The maps this theorem uses that the Definitions above do not define:"
"""How the Definitions begin (a colon follows, or a sentence on a function evaluated in place of PyTorch's)."""


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
             padding_mode: str | None = None, ndim: int | None = None) -> str:
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
    ndim : int or None
        The number of spatial axes of the document's layer, for the Conventions; None (the default) for a
        document about several layers.

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
            + conventions(padding_mode, body, ndim) + "\n\n"
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
    return document(title or proof.title, proof_fragment(proof), padding_mode=_padding_mode_of(proof),
                    ndim=_ndim_of(proof))
