"""Derivation 6: the transposes of circular, reflect and replicate padding (the layers PyTorch refuses)."""

from __future__ import annotations

import sympy
from _common import FIGURE_STYLE, HERE, TEXT_WIDTH, require

from symconv import ConvSpec
from symconv import formulas as F
from symconv import padding_modes as PM
from symconv.latex import document
from symconv.latex.formulas import definitions_latex, formula_latex
from symconv.latex.phrases import counted
from symconv.latex.printing import layer_text, math_latex, text_latex
from symconv.proofs.core import CHECKERS, CHECKERS_LATEX
from symconv.proofs.padding_modes import (
    MODES,
    prove_padding_mode,
    prove_padding_mode_general,
    replicate_clamp,
    torch_padding_map,
)
from symconv.proofs.ranges import Ranges

NAME = "padding_modes"

FIGURE = "figures/padding_modes_fold.pdf"
"""Drawn by :func:`draw` from the executed tables (checked against PyTorch's maps first)."""
FIGURE_N, FIGURE_PADDING = 5, (2, 2)
EXAMPLE = ConvSpec(3, stride=2, padding=2, padding_mode="circular")  # p_l + p_r > d(k - 1) + a: the wrap adds
EXAMPLE_SIZE = (6,)
EXAMPLE_COMMAND = ("prove", "--padding-mode", "circular", "--kernel", "3", "--stride", "2", "--padding", "2",
                   "--input", "6")
"""The arguments of ``symconv`` that write the instance document of :data:`EXAMPLE` (tests/test_padding_modes.py
checks that they build that layer)."""

USED = ("conv_output_size", "tap_position", "flip_tap")
"""The formulas the checked claims use besides the padding maps, defined beside them (:func:`_undefined` checks
that no other formula is applied in the claims)."""

SHORT = dict(n_in=3, k=2, s=1, d=2, a=1)
"""A layer with s <= a < d: the convolution C then has more outputs than the transposed layer has inputs."""
SHORT_N = F.transposed_output_size(SHORT["n_in"], SHORT["k"], SHORT["s"], 0, 0, SHORT["d"], SHORT["a"])
SHORT_OUTPUTS = F.conv_output_size(SHORT_N, SHORT["k"], SHORT["s"], 0, 0, SHORT["d"])

STEPS = {
    "the layer": "the transposed layer is the transpose of the convolution (same kernel, stride, padding and "
                 "dilation, the output padding restoring the input size)",
    "convention": "the numeric definitions of the padding-$0$ layers are PyTorch's index equation, output lengths "
                  "and weight layouts",
    "padding convention": "the padding tables and the numeric padding and fold are PyTorch's circular map",
    "M is the convolution": "$M$ is the circular convolution as defined numerically",
    "T is the transposed layer": "$T$ is the fold of the numeric padding-$0$ transposed convolution",
    "sizes": "$M$ has as many outputs as $T$ has inputs",
    "transpose": "$T = M^{\\top}$",
    "fold of the gather view": "$T$ is $P^{\\top}$ times the padding-$0$ transposed convolution",
    "circular gather view": "$T$ is the circular convolution of Theorem~\\ref{thm:fold}, built from the "
                            "zero insertion, the wrap onto the circle and the circular padding",
}
"""What each checked step of the example's proof says, by the step's name (every step of the proof must be here)."""

LEMMAS = {"padding map": "Lemma 1 (the map)", "fold": "Lemma 2 (the fold)", "circular sizes": "Lemma 3 (the sizes)",
          "circular wrap": "Lemma 4 (the wrap)"}
"""The lemmas of the proof, by the name of the step whose claims establish them."""


def _title(name: str) -> str:
    """A claim's title as LaTeX text: its ``$...$`` parts are mathematics, the rest words."""
    parts = name.split("$")
    return "".join(f"${part}$" if odd else text_latex(part) for odd, part in
                   ((index % 2 == 1, part) for index, part in enumerate(parts)))


def _claims_table(proof, extra: tuple = ()) -> str:
    """One row per claim: its lemma, its name, and the formula z3 proved, after the claim's own hypotheses (those
    beyond the theorem's, which the paragraph above names); ``extra`` claims (of the definitions) come first."""
    rows = []
    theorem = set(proof.assumptions)
    for where, claim in [("Definition", c) for c in extra] + [(LEMMAS[step.name].split(" (")[0], claim)
                                                              for step in proof.steps for claim in step.claims]:
        local = [math_latex(h) for h in claim.hypotheses if h not in theorem]
        formula = ("for $" + "$, $".join(local) + "$: " if local else "") + "$" + math_latex(claim.conclusion) + "$"
        rows.append(rf"{where} & {_title(claim.name)}: {formula} \\")  # the checker: z3, named above
    return ("\\begin{tabular}{@{}>{\\raggedright\\arraybackslash}p{0.1\\linewidth}"
            ">{\\raggedright\\arraybackslash}p{0.86\\linewidth}@{}}\n\\hline\nLemma & Claim, and the formula "
            "proved \\\\\n\\hline\n" + "\n".join(rows) + "\n\\hline\n\\end{tabular}")


def _undefined(text: str) -> list[str]:
    """The formulas of symconv applied in ``text`` (LaTeX) that the document does not define (``src``, which another
    document's formula is named, is here the mode's map, defined in the text as one of refl, repl, circ)."""
    defined = {F.LATEX_NAMES[key] for key in USED + tuple(PM.POSITION.values())} | {r"\operatorname{src}"}
    flat = text.replace(r"{\left(", "(").replace(r"\left(", "(").replace(" ", "")
    return [key for key, head in F.LATEX_NAMES.items()
            if head not in defined and head + "(" in flat]


def _checkers(proof) -> str:
    """One sentence per checker the proof's steps name: the first sentence of what the checker establishes."""
    out = []
    for checker in dict.fromkeys(step.checker for step in proof.steps):
        meaning = CHECKERS_LATEX.get(checker, CHECKERS[checker]).split(". ")[0].rstrip(".")
        out.append(rf"\emph{{{checker}}}: {meaning}")
    return "; ".join(out)


def _rows_words(rows: list[int], last: int, matrix: str) -> str:
    """Rows of a matrix, 0-based as the page numbers them, with the first and the last named.

    >>> _rows_words([0, 3], 3, "$M$")
    'Rows 0 and 3 of $M$ (the first and the last; rows are numbered from 0)'
    """
    named = {0: "the first", last: "the last"}
    numbers = ", ".join(map(str, rows[:-1])) + (" and " if len(rows) > 1 else "") + str(rows[-1])
    words = [named[r] for r in rows if r in named]
    plain = len(words) == len(rows) and len(rows) <= 2
    return (("Row " if len(rows) == 1 else "Rows ") + numbers + f" of {matrix} ("
            + (" and ".join(words) + "; " if plain else "") + "rows are numbered from 0)")


def _rule(general, mode: str) -> str:
    """The mode's bound on the amounts, beyond n >= 1 and p_l, p_r >= 0, from the proof's own hypotheses."""
    common = {"n", "p_l", "p_r"}
    signal = [h for h in general[mode].data["ranges"].hypotheses
              if {str(x) for x in h.relation.free_symbols} <= common]
    extra = [math_latex(h.shown()) for h in signal[3:]]  # after n >= 1, p_l >= 0, p_r >= 0
    return ", ".join(f"${e}$" for e in extra) if extra else "no bound"


def _wrap_sentence(tspec, t_in) -> str:
    """How the example's zero-inserted input wraps onto the circle: which inputs land on one position."""
    (n_in,), (s,) = t_in, tspec.stride
    (n,) = tspec.output_shape((n_in,))
    length = int(F.zero_insertion_position(n_in - 1, s)) + 1
    lands: dict[int, list[int]] = {}
    for i in range(n_in):
        lands.setdefault(int(F.circular_position(F.zero_insertion_position(i, s), n, 0)), []).append(i)
    shared = [(j, ins) for j, ins in sorted(lands.items()) if len(ins) > 1]
    if not shared:
        raise SystemExit("the example's wrap adds no entries: choose sizes with p_l + p_r > d(k - 1) + a")
    where = "; ".join(f"$y[{ins[0]}]$ and " + ", ".join(f"$y[{i}]$" for i in ins[1:]) + f" on position ${j}$"
                      for j, ins in shared)
    return (rf"The zero-inserted input has ${length}$ positions, more than the ${n}$ of the circle, so the wrap "
            rf"adds inputs that land on one position of $z_{{\circ}}$: {where}.")


def build() -> str:
    general = {mode: require(prove_padding_mode_general(mode)) for mode in MODES}
    instance = require(prove_padding_mode(EXAMPLE, EXAMPLE_SIZE))
    M, T = instance.data["M"], instance.data["T"]
    tspec = instance.data["tspec"]
    wrap = [h for h in general["circular"].data["ranges"].hypotheses
            if not {str(x) for x in h.relation.free_symbols} <= {"n", "p_l", "p_r"}]
    wrap_tex = Ranges(tuple(wrap)).latex()  # n_in, k, s, d >= 1; 0 <= a < max(d, s); n = n_T, where ...
    intro = (
        r"\section*{The layer PyTorch refuses}" "\n"
        "PyTorch's convolutions take a padding mode, zeros, reflect, replicate or circular; its transposed "
        "convolutions accept only zeros. The missing layer is well defined: a convolution with a padding "
        "mode is $M = C P$, where $P$ is the padding operator (a $0/1$ matrix whose rows repeat input entries) and "
        "$C$ the convolution with padding $0$ on the padded input. Its transpose $M^{\\top} = P^{\\top} C^{\\top}$ "
        "is the transposed convolution with padding $0$ followed by the \\emph{fold} $P^{\\top}$, which adds every "
        "border value back onto the entry it was copied from (Figure~\\ref{fig:fold}). We define the "
        "transposed layer with a padding mode as this adjoint, an extension beyond PyTorch; autograd computes the "
        "same map as the input gradient of the padding-mode convolution, since the input gradient of a linear map "
        "is its transpose."
    )
    notation = (
        r"\section*{Notation}" "\n"
        r"One spatial axis of length $n$ is padded by $p_l$ on the left and $p_r$ on the right; $t$ is a padded "
        r"position, $0 \le t < n + p_l + p_r$, and $j$ an input position, $0 \le j < n$. The padded position $t$ "
        r"copies the input position $\operatorname{src}(t)$, the map of the mode; $P$ is the padding operator, the "
        r"$(n + p_l + p_r) \times n$ matrix of $0$s and $1$s with $(P x)[t] = x[\operatorname{src}(t)]$ for an input "
        r"$x$ of length $n$, and $P^{\top}$ the fold; $v$ is a vector of length $n + p_l + p_r$, a padded signal. $C$ "
        r"is a convolution with padding $0$ on the $n + p_l + p_r$ padded positions, $u$ its input, and $M = C P$ the "
        r"convolution with the padding mode; $\langle \cdot, \cdot \rangle$ is the inner product. For circular "
        r"padding the transposed layer has kernel $w$ of size $k$, stride $s$, dilation $d$, output padding $a$, "
        r"$n_{\mathrm{in}}$ inputs $y[i]$, $0 \le i < n_{\mathrm{in}}$, and $n_T$ outputs; $i$ is thus an input "
        r"position of the transposed layer and an output position of $C$; $m$ is a tap, $\tilde w[m'] = "
        r"w[k - 1 - m']$ the flipped kernel and $p'_l = d(k-1) - p_l$ the left padding of the gather view; $S$ is the "
        r"$0/1$ matrix that keeps the first $n_{\mathrm{in}}$ outputs of $C$; $T$ is the matrix of the transposed "
        r"layer with circular padding, and $z_{\circ}$ its input $y$ with $s - 1$ zeros between neighbours, wrapped "
        r"onto the circle of the $n$ output positions (both defined in Theorem~\ref{thm:fold}). Several axes are "
        r"handled axis by axis, channels and groups as for zero padding."
    )
    clamp, clamp_claim = replicate_clamp()
    if not clamp_claim.holds:
        raise SystemExit(f"the replicate map that ran is not the clamp: {clamp_claim.counterexample or clamp_claim.reason}")
    shown = {mode: clamp if mode == "replicate" else formula_latex(PM.POSITION[mode]) for mode in MODES}
    maps = "\n".join(rf"\item {mode} (PyTorch's rule on the amounts: {_rule(general, mode)}): "
                      rf"\[ {shown[mode]} \]" for mode in MODES)
    definition = (
        r"\section*{The padding operator and the fold}" "\n"
        r"Padded position $t$ copies input position $\operatorname{src}(t)$, where $\operatorname{src}$ is the map "
        r"of the mode, $\operatorname{refl}$, $\operatorname{repl}$ or $\operatorname{circ}$ applied to "
        r"$(t, n, p_l)$:" "\n"
        "\\begin{itemize}\n" + maps + "\n\\end{itemize}\n"
        r"The checks evaluate $\operatorname{repl}$ in a form without branches, with absolute values and halves of "
        r"even integers; that form equals the clamp above for all integers $t$, $p_l$ and $n \ge 1$ (proved by z3: "
        r"the first replicate claim under Checked claims). "
        r"So $(P x)[t] = x[\operatorname{src}(t)]$, and the fold is $(P^{\top} v)[j] = \sum_t "
        r"[\operatorname{src}(t) = j]\, v[t]$ for every $v$ of length $n + p_l + p_r$. The checked claims also use "
        r"the output length $n_{\mathrm{out}}$ of a convolution (the Conventions' formula, written with both "
        r"paddings), the position $\operatorname{tap}(i, m, s, p_l, d)$ that tap $m$ of output $i$ reads, and the "
        r"flipped tap $\operatorname{flip}(m, k)$:" "\n" + definitions_latex(USED)
    )
    theorem = (
        r"\begin{theorem}\label{thm:fold}" "\n"
        r"Let the mode be reflect, replicate or circular, and let $n \ge 1$ and $p_l, p_r \ge 0$ be integers with "
        r"the rule of the mode (reflect: " + _rule(general, "reflect") + r"; replicate: "
        + _rule(general, "replicate") + r"; circular: " + _rule(general, "circular") + r"). Let $C$ be a "
        r"convolution with padding $0$ on $n + p_l + p_r$ positions and $M = C P$. Then every padded position "
        r"$t$ copies a position $\operatorname{src}(t) \in [0, n)$, equal to PyTorch's documented map, and "
        r"$M^{\top} = P^{\top} C^{\top}$." "\n\n"
        r"For circular padding, let moreover $n_{\mathrm{in}}, k, s, d, a$ be integers with $"
        + "$, $".join(wrap_tex) + r"$ (the signal is the transposed layer's output), and take for $C$ the "
        r"convolution with padding $0$, kernel $w$, stride $s$ and dilation $d$, $(C u)[i] = \sum_{m=0}^{k-1} w[m]\, "
        r"u[s i + d m]$. It has $n_{\mathrm{in}} + \lfloor a/s \rfloor$ outputs, $n_{\mathrm{in}}$ of them exactly "
        r"when $a < s$; let $S$ keep the first $n_{\mathrm{in}}$ (the identity exactly when $a < s$), and let "
        r"$T = P^{\top} (S C)^{\top} = (S M)^{\top}$ be the transposed layer with circular padding on inputs $y$ of "
        r"length $n_{\mathrm{in}}$, where $((S C)^{\top} y)[t] = \sum_{i=0}^{n_{\mathrm{in}}-1} \sum_{m=0}^{k-1} "
        r"w[m]\, y[i]\, [s i + d m = t]$. Then for every $0 \le j < n$" "\n"
        r"\[ (T y)[j] = \sum_{m'=0}^{k-1} \tilde w[m']\, z_{\circ}\bigl[(j + d m' - p'_l) \bmod n\bigr], \qquad "
        r"z_{\circ}[q] = \sum_{i=0}^{n_{\mathrm{in}}-1} [s i \bmod n = q]\, y[i], \]" "\n"
        r"where $z_{\circ}$, defined at each position $0 \le q < n$ of the circle, is the input $y$ with $s - 1$ "
        r"zeros between neighbours wrapped onto the circle of $n$ positions. In particular, when $a < s$, $T = M^{\top}$: the transpose of the circular convolution $M$ is a "
        r"circular convolution with the flipped kernel over the zero-inserted input wrapped onto the circle. When "
        r"$a \ge s$ (possible only for $d > s$), $M$ has more outputs than $T$ has inputs, and $T$ is the transpose "
        r"of $S M$ only; for instance $s = 1$, $d = 2$, $k = 2$, $a = 1$, $n_{\mathrm{in}} = 3$, $p_l = p_r = 0$ "
        rf"give $n = {SHORT_N}$, and $M$ has {counted(SHORT_OUTPUTS, 'output')}." "\n"
        r"\end{theorem}"
    )
    lemmas = (
        r"\noindent The proof rests on four lemmas about integers, whose claims z3 proved (Checked claims, "
        r"below), under the hypotheses of the theorem." "\n\n"
        r"\noindent\textbf{Lemma 1} (the map). For $0 \le t < n + p_l + p_r$, $0 \le \operatorname{src}(t) < n$, "
        r"and $\operatorname{src}(t)$ is PyTorch's piecewise map: reflect $p_l - t$, replicate $0$, circular "
        r"$t - p_l + n$ for $t < p_l$; $t - p_l$ for $p_l \le t < p_l + n$; reflect $2(n-1) - (t - p_l)$, "
        r"replicate $n - 1$, circular $t - p_l - n$ for $t \ge p_l + n$." "\n\n"
        r"\noindent\textbf{Lemma 2} (the fold). For $0 \le t < p_l$ and for $p_l + n \le t < n + p_l + p_r$ (the "
        r"borders), $0 \le \operatorname{src}(t) < n$; for $0 \le j < n$, the data position $t = j + p_l$ is a padded "
        r"position and $\operatorname{src}(j + p_l) = j$." "\n\n"
        r"\noindent\textbf{Lemma 3} (the sizes). Under the circular hypotheses, the convolution $C$ with padding "
        r"$0$ on $n + p_l + p_r$ positions has $n_{\mathrm{in}} + \lfloor a/s \rfloor$ outputs, and $n_{\mathrm{in}}$ "
        r"outputs exactly when $a < s$." "\n\n"
        r"\noindent\textbf{Lemma 4} (the wrap). Under the circular hypotheses, for $0 \le i < n_{\mathrm{in}}$, "
        r"$0 \le m < k$, $m' = k - 1 - m$ and $0 \le j < n$: $0 \le s i + d m < n + p_l + p_r$; and "
        r"$(s i + d m - p_l) \bmod n = j$ exactly when $(j + d m' - p'_l) \bmod n = s i \bmod n$; the reads $(j + d m' - p'_l) \bmod n$ lie in $[0, n)$, and "
        r"the stride-$1$ convolution with padding $0$ of the circle padded circularly to $n + d(k-1)$ positions has "
        r"$n$ outputs."
    )
    proof = (
        r"\begin{proof}" "\n"
        r"For every $x$ of length $n$ and $y$ of the length of $C$'s output," "\n"
        r"\begin{align*}" "\n"
        r"\langle M x, y\rangle &= \langle C P x, y\rangle = \langle P x, C^{\top} y\rangle"
        r" && \text{definition of } M \text{; adjoint of } C \\" "\n"
        r"&= \sum_{t=0}^{n + p_l + p_r - 1} (C^{\top} y)[t]\; x[\operatorname{src}(t)]"
        r" && \text{definition of } P\text{; } \operatorname{src}(t) \in [0, n) \text{ by Lemma 1} \\" "\n"
        r"&= \sum_{j=0}^{n-1} x[j] \sum_{t=0}^{n + p_l + p_r - 1} [\operatorname{src}(t) = j]\, (C^{\top} y)[t]"
        r" && \text{exchange of sums, Lemmas 1 and 2} \\" "\n"
        r"&= \langle x, P^{\top} C^{\top} y\rangle && \text{definition of the fold,}" "\n"
        r"\end{align*}" "\n"
        r"so $M^{\top} = P^{\top} C^{\top}$; by Lemma 2 the fold adds each data position back onto its own entry, "
        r"and only the border values move. For circular padding, $\operatorname{src}(t) = (t - p_l) \bmod n$; the "
        r"transposed layer reads the first $n_{\mathrm{in}}$ outputs of $C$, so $T = P^{\top} (S C)^{\top} = "
        r"(S M)^{\top}$, and $T = M^{\top}$ exactly when $a < s$ (Lemma 3); for $0 \le j < n$" "\n"
        r"\begin{align*}" "\n"
        r"(T y)[j] &= \sum_{t=0}^{n + p_l + p_r - 1} [(t - p_l) \bmod n = j] \sum_{i=0}^{n_{\mathrm{in}}-1} "
        r"\sum_{m=0}^{k-1} w[m]\, y[i]\, [s i + d m = t] && \text{definitions of } P^{\top}, (S C)^{\top} \\" "\n"
        r"&= \sum_{i=0}^{n_{\mathrm{in}}-1} \sum_{m=0}^{k-1} w[m]\, y[i]\, \bigl[(s i + d m - p_l) \bmod n = j\bigr]"
        r" && \text{sum over } t\text{, Lemma 4} \\" "\n"
        r"&= \sum_{m'=0}^{k-1} \tilde w[m'] \sum_{i=0}^{n_{\mathrm{in}}-1} \bigl[s i \bmod n = (j + d m' - p'_l) "
        r"\bmod n\bigr]\, y[i] && m' = k - 1 - m\text{, Lemma 4} \\" "\n"
        r"&= \sum_{m'=0}^{k-1} \tilde w[m']\, z_{\circ}\bigl[(j + d m' - p'_l) \bmod n\bigr]"
        r" && \text{definition of } z_{\circ}\text{,}" "\n"
        r"\end{align*}" "\n"
        r"where the sum over $t$ keeps the one term $t = s i + d m$, a padded position by Lemma 4." "\n"
        r"\end{proof}"
    )
    figure = (
        r"\begin{figure}[t]" "\n" r"\centering" "\n"
        rf"\includegraphics[width=\linewidth]{{{FIGURE}}}" "\n"
        rf"\caption{{The padding and the fold for each mode, $n = {FIGURE_N}$, $p_l = {FIGURE_PADDING[0]}$, "
        rf"$p_r = {FIGURE_PADDING[1]}$. In each panel the upper row is the padded signal: the box of padded "
        r"position $t$ (numbered above it) holds the input position $\operatorname{src}(t)$ it copies, shaded red "
        r"in the borders; the lower row holds the input positions $j$. An arrow joins $t$ to "
        r"$\operatorname{src}(t)$: $P$ copies along the arrows upwards and the fold $P^{\top}$ adds along them "
        r"downwards. Reflect mirrors without the edge, replicate piles the borders onto the edge entries, "
        r"circular wraps them around.}" "\n"
        r"\label{fig:fold}" "\n" r"\end{figure}"
    )
    (k,), (s,), (d,), ((pl, _),) = EXAMPLE.kernel_size, EXAMPLE.stride, EXAMPLE.dilation, EXAMPLE.padding
    rows = [i for i in range(M.shape[0]) if any(not 0 <= s * i + d * m - pl < EXAMPLE_SIZE[0] for m in range(k))]
    one = len(rows) == 1
    wrapped = (_rows_words(rows, M.shape[0] - 1, "$M$") + r" read" + ("s" if one else "")
               + r" across the border and wrap" + ("s" if one else "") + " around the circle." if rows
               else "No row of $M$ reads across the border.")
    example = (
        r"\section*{An example}" "\n"
        rf"For the convolution {layer_text(EXAMPLE)} with circular padding on ${EXAMPLE_SIZE[0]}$ inputs, and its "
        rf"transpose, the transposed convolution {layer_text(tspec)} with the fold of circular padding, the matrices "
        r"are" "\n"
        rf"\[ M = {sympy.latex(M.to_sympy())}, \qquad T = {sympy.latex(T.to_sympy())}. \]" "\n"
        + wrapped + " " + _wrap_sentence(tspec, instance.data["input_shape"]) + (r" Here $a < s$, so $T = M^{\top}$"
        if tspec.output_padding[0] < tspec.stride[0] else r" Here $a \ge s$, so $T = (S M)^{\top}$")
        + r". The proof of this instance is the document \emph{" + text_latex(instance.title) + r"}, written by "
        r"the command given under Reproducing the checks, at the end. It "
        rf"checks {counted(len(instance.steps), 'step')}, each for these matrices exactly, with "
        rf"{counted(len({step.checker for step in instance.steps}), 'checker')}: " + _checkers(instance)
        + r" (that document states in full what each checker establishes, with the bound on a false pass of the "
        r"randomized identity). The steps are:" "\n"
        + "\\begin{enumerate}\n" + "\n".join(rf"\item {STEPS[step.name]} ({step.checker})."
                                              for step in instance.steps) + "\n\\end{enumerate}"
    )
    appendix = [r"\appendix", r"\section*{Checked claims}",
                r"Every claim below holds for all integers satisfying the hypotheses of Theorem~\ref{thm:fold} "
                r"for its mode, together with $0 \le t < n + p_l + p_r$ or $0 \le j < n$, and for Lemmas 3 and 4 also "
                r"the circular hypotheses ($" + "$, $".join(wrap_tex) + r"$), $0 \le i < n_{\mathrm{in}}$ and "
                r"$0 \le m < k$. Each was proved by z3 refuting its negation, after z3 found a model of its "
                r"hypotheses."]
    for mode in MODES:
        extra = (clamp_claim,) if mode == "replicate" else ()
        appendix.append(rf"\subsection*{{{mode.capitalize()} padding "
                        rf"({counted(len(general[mode].claims) + len(extra), 'claim', words=False)})}}"
                        "\n" + _claims_table(general[mode], extra))
    command = " ".join(a.replace("--", "-{}-") for a in EXAMPLE_COMMAND)
    appendix.append(
        r"\paragraph{Reproducing the checks.} \texttt{symconv " + command + r"} writes the example's document, "
        r"\emph{" + text_latex(instance.title) + r"}. \texttt{symconv prove -{}-general -{}-padding-mode MODE "
        r"-{}-smtlib FILE} writes the lemmas' claims of a mode to FILE in SMT-LIB 2 (each claim's hypotheses, "
        r"expected: sat, then its negation, expected: unsat), for another solver such as cvc5 to re-check.")
    body = "\n\n".join([intro, notation, definition, figure, theorem, lemmas, proof, example] + appendix)
    if _undefined(body):
        raise SystemExit(f"the document applies formulas it does not define: {_undefined(body)}")
    return document("Transposes of circular, reflect and replicate padding", body, graphics=True)


def figure():
    """The figure of the padding and the fold, from the executed tables (checked against PyTorch's maps first),
    drawn at the text width it is printed at: one panel per mode, stacked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n, (pl, pr) = FIGURE_N, FIGURE_PADDING
    size = n + pl + pr
    with matplotlib.rc_context({**FIGURE_STYLE, "font.size": 9}):  # symconv.plot's STYLE, never the global rcParams
        fig, axes = plt.subplots(len(MODES), 1, figsize=(TEXT_WIDTH, 3.9))
        for ax, mode in zip(axes, MODES):
            table = PM.source_table(mode, n, (pl, pr)).tolist()
            if table != torch_padding_map(mode, n, pl, pr):
                raise SystemExit(f"{mode}: the executed table {table} is not PyTorch's map")
            for t, j in enumerate(table):
                data = pl <= t < pl + n
                ax.annotate("", xy=(j + pl, 0.16), xytext=(t, 0.84),
                            arrowprops=dict(arrowstyle="-|>", lw=0.7, color="0.5" if data else "C3",
                                            shrinkA=0, shrinkB=0))
                ax.add_patch(plt.Rectangle((t - 0.4, 0.84), 0.8, 0.36, fc="0.88" if data else "#f4c7c3", ec="0.3",
                                           lw=0.6))
                ax.text(t, 1.02, str(j), ha="center", va="center", fontsize=9)
                ax.text(t, 1.38, str(t), ha="center", va="center", fontsize=8, color="0.3")
            for j in range(n):
                ax.add_patch(plt.Rectangle((j + pl - 0.4, -0.2), 0.8, 0.36, fc="white", ec="0.3", lw=0.6))
                ax.text(j + pl, -0.02, str(j), ha="center", va="center", fontsize=9)
            ax.text(-1.2, 1.02, r"padded, $\mathrm{src}(t)$", ha="right", va="center", fontsize=9)
            ax.text(-1.2, 1.38, r"$t$", ha="right", va="center", fontsize=8, color="0.3")
            ax.text(-1.2, -0.02, r"input, $j$", ha="right", va="center", fontsize=9)
            ax.text(size + 0.2, 0.5, mode, ha="left", va="center", fontsize=9)
            ax.set_xlim(-4.6, size + 1.6)
            ax.set_ylim(-0.3, 1.55)
            ax.axis("off")
        fig.subplots_adjust(left=0.0, right=1.0, top=0.99, bottom=0.01, hspace=0.12)
    return fig


def draw() -> str:
    """Write the figure of the fold (see :func:`figure`) to :data:`FIGURE`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = figure()
    with matplotlib.rc_context(FIGURE_STYLE):
        path = HERE / FIGURE
        fig.savefig(path, metadata={"CreationDate": None})
    plt.close(fig)
    return str(path)


if __name__ == "__main__":
    import sys

    from regenerate import main

    sys.exit(main([]))
