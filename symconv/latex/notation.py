"""The package's notation: one meaning per symbol, and the part of it a document uses.

:data:`NOTATION` is the table (``docs/notation.md`` prints the same table);
:func:`notation_used` picks, in order, the entries whose symbol occurs in a
document's mathematics, so that each document's Notation section lists exactly
the symbols it uses.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["NOTATION", "VARIANTS", "notation_used", "notation_latex", "notation_markdown", "notation_table"]

NOTATION: tuple[tuple[str, str], ...] = (
    (r"i", "a position of the convolution's output, which is the transposed convolution's input"),
    (r"i'", "a second position of the convolution's output, paired with $i$"),
    (r"j", "a position of the convolution's input, which is the transposed convolution's output"),
    (r"m", "a kernel tap"),
    (r"m'", "a tap of the flipped kernel"),
    (r"\mu", "a second kernel tap, paired with $m$"),
    (r"k", "the kernel size"),
    (r"s", "the stride"),
    (r"d", "the dilation"),
    (r"p", "the padding on both sides"),
    (r"p_{l}", "the padding on the left"),
    (r"p_{r}", "the padding on the right"),
    (r"a", "the output padding of the transposed convolution"),
    (r"n", "an input length (of the layer a size formula is applied to)"),
    (r"k'", "the kernel size of the guide's equivalent convolution"),
    (r"s'", "the stride of the guide's equivalent convolution"),
    (r"p'", "the padding of the guide's equivalent convolution (the gather padding)"),
    (r"n'", "the input length of a transposed convolution (in the size relationships)"),
    (r"h", "half of an odd kernel size, rounded down"),
    (r"q", "a whole quotient by the stride: the number of whole strides in a length"),
    (r"r", "a remainder modulo the stride"),
    (r"t", "a position of the zero-inserted or of the padded input (in the gather view)"),
    (r"u", "a position, of the sequence named where it is used"),
    (r"v", r"a vector, the second argument of an inner product $\langle \cdot, v\rangle$"),
    (r"B", "the block size of a row-major flattened index"),
    (r"A", "the outer size of a row-major flattened index"),
    (r"\alpha", "the outer position of a row-major flattened index $B \\alpha + \\beta$"),
    (r"\beta", "the inner position of a row-major flattened index $B \\alpha + \\beta$"),
    (r"\alpha'", "a second outer position of a row-major flattened index, paired with $\\alpha$"),
    (r"\beta'", "a second inner position of a row-major flattened index, paired with $\\beta$"),
    (r"\nu", "a spatial axis"),
    (r"f_\nu", "the position given by the index map of its axis"),
    (r"a_{\mathrm{rt}}", "the output padding that PyTorch computes so that the transposed convolution returns "
                         "the convolution's input length"),
    (r"n_{\mathrm{in}}", "the input length of the transposed convolution"),
    (r"n_{\mathrm{out}}", "the output length of a convolution"),
    (r"n_{T}", "the output length of the transposed convolution"),
    (r"n_{M}", "the number of rows of $M$"),
    (r"n_{z_0}", "the length of the zero-inserted input"),
    (r"n_{z}", "the length of the padded input"),
    (r"w", "the kernel (the weight)"),
    (r"\tilde w", "the flipped kernel"),
    (r"\tilde{w}", "the flipped kernel"),
    (r"x", "the input of a convolution"),
    (r"y", "the output of the convolution, which is the input of the transposed convolution"),
    (r"\hat y", "the input of the transposed convolution extended by zero: $\\hat y[i] = y[i]$ at the positions $i$ "
                "of $y$, and $\\hat y[i] = 0$ at every other integer $i$"),
    (r"\hat{y}", "the input of the transposed convolution extended by zero: $\\hat y[i] = y[i]$ at the positions $i$ "
                 "of $y$, and $\\hat y[i] = 0$ at every other integer $i$"),
    (r"z_0", "the input with zeros inserted between neighbours"),
    (r"z", "the zero-inserted input, padded"),
    (r"z_{\circ}", "the zero-inserted input wrapped onto the circle of the output positions (circular padding)"),
    (r"\tilde x", "the padded input of a convolution"),
    (r"\tilde{x}", "the padded input of a convolution"),
    (r"p'_{l}", "the padding of the gather view on the left (negative: cropping)"),
    (r"p'_{r}", "the padding of the gather view on the right (negative: cropping)"),
    (r"M", "the matrix of the convolution"),
    (r"T", "the matrix of the transposed convolution"),
    (r"S", "the 0/1 matrix that keeps the rows of the convolution's matrix whose output position is an input "
           "position of the transposed convolution"),
    (r"Z", "the zero insertion, a 0/1 matrix"),
    (r"P", "the zero padding (or, for a negative padding, the cropping) of its input, a 0/1 matrix"),
    (r"C_{\mathrm{flip}}", "the stride-1 convolution with the flipped kernel"),
    (r"C^{\circ}_{\mathrm{flip}}", "the stride-1 convolution with the flipped kernel and padding $0$ that reads "
                                    "the circularly padded positions ($n_T$ outputs): after $P^{\\circ}$, the "
                                    "circular convolution with the flipped kernel"),
    (r"\operatorname{conv}_{0}^{\top}", "the transposed convolution with padding $0$ (and the same kernel, stride "
                                         "and dilation)"),
    (r"C^{(\nu)}_{m}", "the stride-1 convolution on axis $\\nu$ with the flipped unit kernel of tap $m$"),
    (r"C", "the convolution with padding 0 that reads the padded input (with a padding mode, the convolution's "
           "matrix is this convolution applied after the padding)"),
    (r"\mathrm{Pad}", "the zero padding (or cropping) of the gather view, a 0/1 matrix"),
    (r"P^{\circ}", "the circular padding of the circle of the output positions, through which the circular "
                   "convolution with the flipped kernel reads"),
    (r"W", "the wrap of the zero-inserted input onto the circle of the output positions"),
    (r"g", "the number of groups"),
    (r"\gamma", "the number of a group, $0 \\le \\gamma < g$"),
    (r"\operatorname{grp}", "the group of a channel: $\\operatorname{grp}(c, b) = \\lfloor c / b \\rfloor$ is the number "
                           "of the group of channel $c$ in groups of $b$ channels"),
    (r"b", "a number of channels per group, as in $\\operatorname{grp}(c, b)$"),
    (r"C_{\mathrm{in}}", "the number of input channels"),
    (r"C_{\mathrm{out}}", "the number of output channels"),
    (r"o", "an output channel"),
    (r"o'", "a second output channel, paired with $o$"),
    (r"o_{l}", "the position of an output channel within its group"),
    (r"c", "an input channel"),
    (r"c_{l}", "the position of a channel within its group"),
    (r"c'", "a second input channel, paired with $c$"),
    (r"c'_{l}", "the position of the channel $c'$ within its group"),
    (r"\gamma'", "the group of the channel $c'$"),
    (r"c_{i}", "input channels per group"),
    (r"c_{o}", "output channels per group"),
    (r"\ell", "a loss"),
    (r"y^{\ast}", "the target a loss compares the output with"),
    (r"\tau", "a lag: the offset between two positions, in taps"),
    (r"R", "the kernel's autocorrelation"),
    (r"R_c", "the kernel's autocorrelation at input channel $c$"),
    (r"R_t", "the autocorrelation of phase $t$: of the taps $m$ with $d m \\equiv t \\pmod{s}$"),
    (r"\operatorname{count}", "the overlap count: $\\operatorname{count}[j]$ is the number of taps of the "
                              "transposed layer reaching position $j$"),
    (r"\operatorname{stamp}_{i}", "the stamp of input $i$: the matrix that is zero outside the column of input $i$, "
                                 "which holds $w[m]$ in the row of output position $s i + d m - p_{l}$ for every tap $m$ "
                                 "whose position lies in the output"),
    (r"\operatorname{stamp}_{o, i}", "the stamp of input $i$ in channel $o$: the matrix that is zero outside the "
                                   "column of input $i$ of channel $o$, which holds the taps of channel $o$'s kernel in "
                                   "the rows of output positions $s i + d m - p_{l}$ that lie in the output"),
    (r"K", "the common size of the phase sub-kernels, $K = \\lfloor d (k - 1)/s \\rfloor + 1$"),
    (r"n_u", "the length of a phase of the polyphase view, the input length plus $K - 1$"),
    (r"\Phi", "the phase convolutions of the input, stacked: phase $t$ through the taps $m$ with "
              "$d m \\equiv t \\pmod{s}$"),
    (r"Q", "the interleaving of the phases: output $j = s u + t - p_{l}$ takes position $u$ of phase $t$"),
    (r"\langle \cdot, \cdot \rangle", "the inner product: the sum, over every index of the two vectors, of the "
                                  "products of their entries"),
    (r"\operatorname{count}_{\nu}", "the overlap count of axis $\\nu$ alone: $\\operatorname{count}_{\\nu}[j]$ is the "
                                     "number of taps of that axis's transposed layer reaching position $j$"),
    (r"\operatorname{taps}_{\nu}", "the phase tap counts of axis $\\nu$ alone: $\\operatorname{taps}_{\\nu}[t]$ is the "
                                    "number of that axis's taps $0 \\le m < k$ with $d m \\equiv t \\pmod{s}$"),
    (r"\phi", "the phase of an output position: $\\phi(j, s, p_{l}) = (j + p_{l}) \\bmod s$"),
    (r"\operatorname{taps}", "the phase tap counts: $\\operatorname{taps}[t]$ is the number of taps $0 \\le m < k$ with "
                             "$d m \\equiv t \\pmod{s}$"),
    (r"I", "the interior of the transposed layer's output: the positions $d(k-1) - p_{l} \\le j \\le s(n_{\\mathrm{in}} - 1) "
           "- p_{l}$ of the output, on which every tap of the phase of $j$ reads an input"),
    (r"I_{\nu}", "the interior of axis $\\nu$: the positions $d(k-1) - p_{l} \\le j \\le s(n_{\\mathrm{in}} - 1) - p_{l}$ "
                 "of that axis's output (with that axis's parameters), on which every tap of the phase of $j$ reads "
                 "an input"),
    (r"T^{(\nu)}", "the matrix of the transposed convolution on axis $\\nu$ alone (the 1-D layer of that axis's "
                   "sizes)"),
    (r"M_\nu", "the matrix of the convolution on axis $\\nu$ alone (the 1-D layer of that axis's sizes)"),
    (r"\kappa", "the whole quotient of the kernel size by the stride: $k = s \\kappa + \\rho$ with $0 \\le \\rho < s$"),
    (r"\rho", "the remainder of the kernel size by the stride: $k = s \\kappa + \\rho$ with $0 \\le \\rho < s$"),
    (r"r_{t}", "the residue of the taps of phase $t$: $d m \\equiv t \\pmod{s}$ exactly when $m \\equiv r_t \\pmod{s}$"),
    (r"d^{-1}", "the inverse of the dilation modulo the stride (when $\\gcd(s, d) = 1$)"),
    (r"e_{m}", "the unit weight of tap $m$: entry $m$ one, every other entry zero"),
    (r"L", "a differentiable function of the output, the loss $\\ell = L(y)$"),
    (r"\sigma", "a sign, plus or minus one"),
    (r"\delta", "the gradient of the loss with respect to the output"),
    (r"t^{\circ}", r"a position of the circularly padded circle: row $t^{\circ}$ of $P^{\circ}$"),
    (r"\mathcal{S}_w", "the finite set of integers the randomized identity test draws weights from"),
    (r"\mathcal{S}_x", "the finite set of integers the randomized identity test draws inputs from"),
    (r"N_w", "the number of weights the randomized identity test draws at paired points"),
    (r"N_x", "the number of inputs the randomized identity test draws at paired points"),
    (r"N'_w", "the number of the weights evaluated on each input after the first, at paired points"),
    (r"D", "the difference of the two sides of an identity, a function $D(w, x)$ of the weights and the input"),
    (r"\varepsilon", "the position of an entry of the weights $w$, whose entry is $w_\\varepsilon$"),
    (r"\eta", "the part of $D$ free of weights, affine in the input"),
    (r"\lambda_\varepsilon", "the coefficient of the weight entry $w_\\varepsilon$ in $D$, affine in the input"),
)
"""Each symbol (LaTeX) and its one meaning (text with ``$...$`` mathematics), in the order a Notation section lists
them."""

_PADDING_MODE = r"\b(?:reflect|replicate|circular) padding\b"
_PHASES = r"d m \\equiv t|\\bmod s\\b|0 \\le t < s(?!\s*[\\(\w])"
_IN_GROUP = r"\\in \\gamma(?![A-Za-z'])"
_WEIGHT_GRADIENT = r"\\partial \\ell\s*/\s*\\partial w"
_ONE_PHASE = r"single phase convolution"
_BY_CONVOLUTION = r"Here \$c\$ is an input channel of the convolution that \$T\$ transposes"

VARIANTS: tuple[tuple[str, str, str, str], ...] = (
    (r"P", "padding-mode documents", _PADDING_MODE,
     "the padding of its input by the document's padding mode (each padded position holds a copy of an input "
     "position), a 0/1 matrix"),
    (r"t", "padding-mode documents", _PADDING_MODE,
     r"a position of the padded input, $0 \le t < n + p_l + p_r$"),
    (r"t", "documents with phases", _PHASES, "a phase: a position's remainder modulo the stride, $0 \\le t < s$"),
    (r"u", "documents with phases", r"s u \+ t|t \+ s u|0 \\le u < n_u",
     "a position within a phase: output $j = s u + t - p_l$ is position $u$ of phase $t$"),
    (r"u", "documents with an inner product", r"\\langle u, v\\rangle",
     r"a vector, paired with $v$ in $\langle u, v\rangle$"),
    (r"\Phi", "documents with one phase (stride 1)", _ONE_PHASE,
     "the single phase convolution of the input: with stride 1 its one phase takes every tap"),
    (r"Q", "documents with one phase (stride 1)", _ONE_PHASE,
     "the placement of the single phase: position $u$ at output $u - p_{l}$, cropped, zeros past its end"),
    (r"i", "weight-gradient documents", _WEIGHT_GRADIENT, "a position of the convolution's output"),
    (r"y", "weight-gradient documents", _WEIGHT_GRADIENT, "the output of the convolution"),
    (r"c", "documents that name the channels by the convolution", _BY_CONVOLUTION,
     "an input channel of the convolution that $T$ transposes, which is an output channel of the transposed layer"),
    (r"o", "documents that name the channels by the convolution", _BY_CONVOLUTION,
     "an output channel of the convolution that $T$ transposes, which is an input channel of the transposed layer"),
    (r"b", "documents with the round trip", r"= b s \+ r",
     "the whole quotient of $n + p_l + p_r - d(k-1) - 1$ by the stride, in the round trip"),
    (r"q", "documents with the zero-inserted input on a circle", r"z_\{\\circ\}\[q\]",
     "a position of the circle of $n$ positions, $0 \\le q < n$"),
    (r"q", "documents with the polyphase view", r"\(d m - t\)/s|d m - t = s q",
     "the shift $(d m - t)/s$ of a tap $m$ of phase $t$ in the polyphase view"),
    (r"\hat y", "documents that read $\\hat y$ at a fraction", r"\\hat\{?y\}?\\left\[\\frac",
     "the input of the transposed convolution extended by zero: $\\hat y[i] = y[i]$ at the positions $i$ of $y$, "
     "and $\\hat y[i] = 0$ at every other $i$, an integer out of range or a fraction that is not an integer"),
    (r"I", "documents with a row selection", r"S(?:\^\{\(\\nu\)\})? = \[I \\mid 0\]", "the identity matrix"),
    (r"I", "Gram documents", r"j \+ d\(k-1\) \\le n - 1",
     "the interior of $M^{\\top} M$: the positions $j$ with $d(k-1) \\le j$, $j + p_l \\le s(n_{\\mathrm{out}} - 1)$ and "
     "$j + d(k-1) \\le n - 1$ (on every axis, when there are several)"),
    (r"\rho", "documents with the residue function", r"\\rho\\left\(j",
     "the residue function: $\\rho(j, m, s, p_l, d) = (j + p_l - d m) \\bmod s$"),
    (r"\kappa", "weight-gradient documents", _WEIGHT_GRADIENT,
     "the kernel size of the convolution that computes the weight gradient"),
    (r"\gamma", r"documents that write $o \in \gamma$", _IN_GROUP,
     r"the number of a group, $0 \le \gamma < g$; $o \in \gamma$ says that channel $o$ lies in group $\gamma$"),
)
"""Meanings of a symbol particular to a kind of document: ``(symbol, kind, pattern, meaning)``.

A document whose text (prose and mathematics) matches ``pattern`` (a regular expression) reads ``meaning`` for
``symbol`` in place of the :data:`NOTATION` entry; the first matching variant of a symbol is taken.  The symbol
keeps one meaning in each document."""


def _meanings(text: str) -> dict[str, str]:
    r"""The meaning of each symbol in the document ``text``: :data:`NOTATION`'s, or the variant its kind reads.

    >>> _meanings("with replicate padding, $M = C P$")["P"].startswith("the padding of its input by")
    True
    >>> _meanings("$M = C P$")["P"].startswith("the zero padding")
    True
    """
    out = dict(NOTATION)
    chosen: set[str] = set()
    for symbol, _, pattern, meaning in VARIANTS:
        if symbol not in chosen and re.search(pattern, text):
            out[symbol] = meaning
            chosen.add(symbol)
    # a second spelling of a symbol reads as the first
    for symbol, meaning in NOTATION:
        for other, same in NOTATION:
            if other != symbol and same == meaning and symbol in chosen:
                out[other] = out[symbol]
    return out


_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\[(.+?)\\\]|\\begin\{(align\*|aligned|multline\*)\}(.+?)\\end\{\4\}",
                   re.S)


_TEXT_IN_MATH = re.compile(r"\\(?:tag\*?|text|textsf|textup|textrm|mbox)\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}")
r"""Text inside mathematics (a tag, ``\text{...}``): its words are no symbols; its own ``$...$`` parts are kept."""


def _math_of(text: str) -> str:
    r"""The mathematics of ``text`` (LaTeX), without the text set inside it.

    >>> _math_of(r"Let $x$ be. \[ y \tag*{relationship 12c, $c$ a channel} \]").split()
    ['x', 'y', 'c']
    """
    out = []
    for match in _MATH.finditer(text):
        math = next(g for g in (match.group(1), match.group(2), match.group(3), match.group(5)) if g)
        out.append(_TEXT_IN_MATH.sub(lambda m: " " + " ".join(re.findall(r"\$(.+?)\$", m.group(1))) + " ", math))
    return " ".join(out)


_FAMILIES = {symbol.split("^{(")[0] for symbol, _ in NOTATION if "^{(" in symbol}
r"""Letters with an entry of their own for an axis family (``C^{(\nu)}_{m}``): ``C^{(`` is that entry, not ``C``."""
_DECORATED = {symbol.split("^{\\circ}")[0] for symbol, _ in NOTATION if "^{\\circ}" in symbol}
r"""Letters with a circled entry of their own (``C^{\circ}_{\mathrm{flip}}``), which names no ``C``."""


def _occurs(symbol: str, math: str) -> bool:
    r"""Whether ``symbol`` occurs in ``math``, as a symbol of its own (``n_T`` names no ``T``).

    >>> _occurs("C", r"\bigotimes_\nu C^{(\nu)}_{m_\nu}"), _occurs(r"C^{(\nu)}_{m}", r"C^{(\nu)}_{m_\nu}")
    (False, True)
    >>> _occurs("C", "C x")
    True
    """
    if symbol.startswith(r"\langle"):  # the inner product, whatever its arguments
        return r"\langle" in math
    if "^{(" in symbol:  # an axis family: any subscript after its superscript
        return re.search(r"(?<![A-Za-z\\])" + re.escape(symbol.split(")}")[0] + ")}"), math) is not None
    variants = {symbol, symbol.replace("_{", "_").replace("}", "") if len(symbol) == 5 and "_{" in symbol else symbol}
    for form in variants:
        # n_T names no T, \mathrm{in} no i; but an exponent ^{n_{\mathrm{in}} - 1} uses n_{\mathrm{in}}
        before = r"(?:(?<![A-Za-z\\{_])|(?<=\^\{))" if form[0].isalpha() else r"(?<![A-Za-z])"
        after = r"(?![A-Za-z'_}])" if form[-1].isalpha() or form[-1] == "}" else r"(?![A-Za-z])"
        if form.endswith("'"):
            after = r"(?!['_])"  # p' is not p'_{l}
        if form in _FAMILIES:
            after += r"(?!\^\{\()"
        if form in _DECORATED:
            after += r"(?!\^\{\\circ\})"  # C^{\circ}_{\mathrm{flip}} names no C
        if re.search(before + re.escape(form) + after, math):
            return True
    return False


def notation_used(text: str) -> list[tuple[str, str]]:
    r"""The entries of :data:`NOTATION` whose symbol occurs in the mathematics of ``text`` (LaTeX).

    >>> [symbol for symbol, _ in notation_used(r"Let $s \ge 1$ and $T[j, i] = w[m]$.")]
    ['i', 'j', 'm', 's', 'w', 'T']
    """
    out: list[tuple[str, str]] = []
    for _ in range(len(NOTATION)):  # a meaning's own symbols are used too (Q's meaning writes j and u)
        read = text + "\n" + "\n".join(meaning for _, meaning in out)
        math, meanings = _math_of(read), _meanings(read)
        seen, more = set(), []
        for symbol, _ in NOTATION:
            meaning = meanings[symbol]
            if meaning in seen or not _occurs(symbol, math):
                continue
            seen.add(meaning)
            more.append((symbol, meaning))
        if more == out:
            break
        out = more
    return out


def _meaning_latex(meaning: str, escape: Any) -> str:
    r"""A meaning as LaTeX: its ``$...$`` parts are mathematics, kept; the text between them is escaped.

    >>> from symconv.latex.printing import escape_text
    >>> _meaning_latex("a second kernel tap, paired with $m$", escape_text)
    'a second kernel tap, paired with $m$'
    """
    parts = meaning.split("$")
    return "".join(f"${p}$" if i % 2 else escape(p) for i, p in enumerate(parts))


def notation_latex(text: str, known: set | None = None) -> str:
    """A Notation section (LaTeX) listing the symbols ``text`` uses ("" when none).

    ``known`` holds symbols an earlier part of the document already explained: they are left out, and the
    symbols listed here are added to it.
    """
    from .printing import escape_text

    # known holds the symbols explained, and their meanings: a second spelling (\tilde x, \tilde{x}) is no new entry
    used = [(symbol, meaning) for symbol, meaning in notation_used(text)
            if known is None or (symbol not in known and meaning not in known)]
    if not used:
        return ""
    if known is not None:
        heading = "Further notation" if known else "Notation"
        known.update(symbol for symbol, _ in used)
        known.update(meaning for _, meaning in used)
    else:
        heading = "Notation"
    # one symbol per line, aligned like a paper's table of notation (a list: it may break across pages)
    items = "\n".join(rf"\item[${symbol}$] {_meaning_latex(meaning, escape_text)}" for symbol, meaning in used)
    return (rf"\subsection*{{{heading}}}" + "\n" + r"\begin{list}{}{\setlength{\leftmargin}{3.5em}"
            r"\setlength{\labelwidth}{3em}\setlength{\labelsep}{0.5em}\setlength{\itemsep}{0pt}"
            r"\setlength{\parsep}{0pt}\renewcommand{\makelabel}[1]{#1\hfil}}" + "\n" + items + "\n" + r"\end{list}")


def notation_markdown(text: str) -> str:
    """The Notation section as Markdown ("" when ``text`` uses none of the symbols)."""
    used = notation_used(text)
    if not used:
        return ""
    return "\n".join(f"- ${symbol}$ {meaning}" for symbol, meaning in used)


def notation_table() -> str:
    """The whole table as a Markdown page (``docs/notation.md`` is this text; a test keeps them equal)."""
    lines = ["# Notation", "",
             "Every symbol in symconv's documents has one meaning, listed here. Each document's Notation section",
             "lists the part of this table that the document uses (`symconv.latex.notation.NOTATION`).", "",
             "| symbol | meaning |", "| --- | --- |"]
    seen = set()
    for symbol, meaning in NOTATION:
        if meaning in seen:  # two spellings of one symbol
            continue
        seen.add(meaning)
        lines.append(f"| ${symbol}$ | {meaning.replace('|', chr(92) + '|')} |")
    lines += ["", "## Meanings particular to a kind of document", "",
              "In these documents the symbol reads as below in place of the table's meaning (one meaning in each",
              "document; `symconv.latex.notation.VARIANTS`).", "",
              "| symbol | documents | meaning |", "| --- | --- | --- |"]
    for symbol, kind, _, meaning in VARIANTS:
        lines.append(f"| ${symbol}$ | {kind} | {meaning.replace('|', chr(92) + '|')} |")
    return "\n".join(lines) + "\n"
