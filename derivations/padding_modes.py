"""Derivation 6: the transposes of circular, reflect and replicate padding (the layers PyTorch refuses)."""

from __future__ import annotations

import sympy
from _common import FIGURE_STYLE, HERE, require

from symconv import ConvSpec
from symconv import padding_modes as PM
from symconv.latex import document, spec_latex
from symconv.latex.printing import math_latex, text_latex
from symconv.proofs.padding_modes import MODES, prove_padding_mode, prove_padding_mode_general, torch_padding_map

NAME = "padding_modes"

FIGURE = "figures/padding_modes_fold.pdf"
"""Drawn by :func:`draw` from the executed tables (checked against PyTorch's maps first)."""
FIGURE_N, FIGURE_PADDING = 5, (2, 2)
EXAMPLE = ConvSpec(3, stride=2, padding=1, padding_mode="circular")
EXAMPLE_SIZE = (6,)

_MAPS = {
    "reflect": r"\operatorname{refl}(t) = n - 1 - \bigl|\, n - 1 - |t - p_l| \,\bigr|",
    "replicate": r"\operatorname{repl}(t) = \min\bigl(\max(t - p_l, 0),\, n - 1\bigr)",
    "circular": r"\operatorname{circ}(t) = (t - p_l) \bmod n",
}
_RULES = {"reflect": r"p_l, p_r < n", "replicate": r"p_l, p_r \ge 0 \text{ (no bound)}",
          "circular": r"p_l, p_r \le n"}


LEMMAS = {"padding map": "Lemma 1 (the map)", "fold": "Lemma 2 (the fold)", "circular wrap": "Lemma 3 (the wrap)"}
"""The lemmas of the proof, by the name of the step whose claims establish them."""


def _claims_table(proof) -> str:
    rows = []
    for step in proof.steps:
        for claim in step.claims:
            rows.append(rf"{LEMMAS[step.name]} & {text_latex(claim.name)} \\")  # the checker: z3, named once above
    return ("\\begin{tabular}{@{}p{0.2\\linewidth}p{0.76\\linewidth}@{}}\n\\hline\nLemma & Claim \\\\\n"
            "\\hline\n" + "\n".join(rows) + "\n\\hline\n\\end{tabular}")


def build() -> str:
    general = {mode: require(prove_padding_mode_general(mode)) for mode in MODES}
    instance = require(prove_padding_mode(EXAMPLE, EXAMPLE_SIZE))
    M, T = instance.data["M"], instance.data["T"]
    tspec = instance.data["tspec"]
    intro = (
        r"\section*{The layer PyTorch refuses}" "\n"
        "PyTorch's convolutions take a padding mode, zeros, reflect, replicate or circular; its transposed "
        "convolutions accept only zeros. The missing layer is well defined: a convolution with a padding "
        "mode is $M = C P$, where $P$ is the padding operator (a $0/1$ matrix whose rows repeat input entries) and "
        "$C$ the convolution with padding $0$ on the padded input. Its transpose $M^{\\top} = P^{\\top} C^{\\top}$ "
        "is the transposed convolution with padding $0$ followed by the \\emph{fold} $P^{\\top}$, which adds every "
        "border value back onto the entry it was copied from (Figure~\\ref{fig:fold}). symconv defines the "
        "transposed layer with a padding mode as this adjoint, an extension beyond PyTorch; autograd computes the "
        "same map as the input gradient of the padding-mode convolution, and the two agree exactly in double precision."
    )
    notation = (
        r"\section*{Notation}" "\n"
        r"One spatial axis of length $n$ is padded by $p_l$ on the left and $p_r$ on the right; $t$ is a padded "
        r"position, $0 \le t < n + p_l + p_r$, and $j$ an input position, $0 \le j < n$. The transposed layer has "
        r"kernel size $k$, stride $s$, dilation $d$, output padding $a$, $n_{\mathrm{in}}$ inputs and $n_T$ outputs; "
        r"$i$ is its input position, $m$ a tap, $\tilde w[m'] = w[k - 1 - m']$ the flipped kernel and "
        r"$p'_l = d(k-1) - p_l$ the left padding of the gather view. Several axes are handled axis by axis, channels and groups as for zero padding."
    )
    maps = "\n".join(rf"\item {mode}: ${_MAPS[mode]}$, for ${_RULES[mode]}$ (PyTorch's rule)." for mode in MODES)
    definition = (
        r"\section*{The padding operator and the fold}" "\n"
        r"Padded position $t$ copies input position $\operatorname{src}(t)$, where, with branch-free formulas "
        r"(the functions symconv runs):" "\n\\begin{itemize}\n" + maps + "\n\\end{itemize}\n"
        r"So $(P x)[t] = x[\operatorname{src}(t)]$, and the fold is $(P^{\top} g)[j] = \sum_t "
        r"[\operatorname{src}(t) = j]\, g[t]$."
    )
    hyps, wrap = {}, ""
    for mode in MODES:  # the signal's hypotheses; for circular also the wrap's (the transposed layer's ranges)
        ranges = general[mode].data["ranges"].hypotheses
        signal = [h for h in ranges if {str(x) for x in h.relation.free_symbols} <= {"n", "p_l", "p_r"}]
        hyps[mode] = ", ".join(math_latex(h.shown()) for h in signal)
        if mode == "circular":
            wrap = ", ".join(math_latex(h.shown()) for h in ranges if h not in signal)
    theorem = (
        r"\begin{theorem}\label{thm:fold}" "\n"
        r"Let the mode be reflect, replicate or circular, with the hypotheses $n \ge 1$, $p_l, p_r \ge 0$ and the "
        r"rule of the mode (reflect: $" + hyps["reflect"] + r"$; replicate: $" + hyps["replicate"]
        + r"$; circular: $" + hyps["circular"] + r"$). Let $C$ be the convolution with padding $0$ on "
        r"$n + p_l + p_r$ positions and $M = C P$. Then every padded position copies a position "
        r"$\operatorname{src}(t) \in [0, n)$, equal to PyTorch's documented map, and $M^{\top} = P^{\top} "
        r"C^{\top}$. For circular padding, moreover, for integers $n_{\mathrm{in}}, k, s, d, a, n_T$ with $"
        + wrap + r"$, and for every $0 \le j < n_T$" "\n"
        r"\[ (T y)[j] = \sum_{m'=0}^{k-1} \tilde w[m']\, z_{\circ}\bigl[(j + d m' - p'_l) \bmod n_T\bigr], \qquad "
        r"z_{\circ}[r] = \sum_{u \equiv r \ (\mathrm{mod}\ n_T)} z_0[u], \]" "\n"
        r"where $z_0$ is $y$ with $s - 1$ zeros between neighbours: the transpose of a circular convolution is a "
        r"circular convolution with the flipped kernel over the zero-inserted input wrapped onto the circle of "
        r"$n_T$ positions." "\n"
        r"\end{theorem}"
    )
    proof = (
        r"\begin{proof}" "\n"
        r"For every $x$ and $y$," "\n"
        r"\begin{align*}" "\n"
        r"\langle M x, y\rangle &= \langle C P x, y\rangle = \langle P x, C^{\top} y\rangle"
        r" && \text{definition of } M \text{; adjoint of } C \\" "\n"
        r"&= \sum_{t} (C^{\top} y)[t]\; x[\operatorname{src}(t)] && \text{definition of } P\text{, Lemma 1} \\" "\n"
        r"&= \sum_{j=0}^{n-1} x[j] \sum_{t} [\operatorname{src}(t) = j]\, (C^{\top} y)[t]"
        r" && \text{exchange of sums, Lemma 1} \\" "\n"
        r"&= \langle x, P^{\top} C^{\top} y\rangle && \text{definition of the fold, Lemma 2.}" "\n"
        r"\end{align*}" "\n"
        r"Lemma 1 states that $\operatorname{src}(t) \in [0, n)$ for every padded $t$ and that it equals PyTorch's "
        r"piecewise map; Lemma 2 that the data position $t = j + p_l$ folds onto $j$. For circular padding, the "
        r"transposed convolution with padding $0$ writes input $i$ through tap $m$ at $s i + d m$, and the fold "
        r"moves it to $\operatorname{circ}(s i + d m)$, so" "\n"
        r"\begin{align*}" "\n"
        r"(T y)[j] &= \sum_{i=0}^{n_{\mathrm{in}}-1} \sum_{m=0}^{k-1} w[m]\, y[i]\, "
        r"\bigl[(s i + d m - p_l) \bmod n_T = j\bigr] && \text{definition} \\" "\n"
        r"&= \sum_{m'=0}^{k-1} \tilde w[m']\, z_{\circ}\bigl[(j + d m' - p'_l) \bmod n_T\bigr]"
        r" && m' = k - 1 - m,\ u = s i\text{, Lemma 3,}" "\n"
        r"\end{align*}" "\n"
        r"where Lemma 3 states that a term $(i, m)$ of the definition reaches $j$ exactly when the flipped tap "
        r"$m'$ reads the wrapped position of $u = s i$, that the padding-$0$ layer writes inside its "
        r"$n_T + p_l + p_r$ outputs, and that the reads stay on the circle." "\n"
        r"\end{proof}"
    )
    figure = (
        r"\begin{figure}[ht]" "\n" r"\centering" "\n"
        rf"\includegraphics[width=\linewidth]{{{FIGURE}}}" "\n"
        rf"\caption{{The fold for each mode, $n = {FIGURE_N}$, $p_l = {FIGURE_PADDING[0]}$, "
        rf"$p_r = {FIGURE_PADDING[1]}$: the top row holds the padded positions $t$, the bottom row the input "
        r"positions $j$; an arrow joins $t$ to $\operatorname{src}(t)$. $P$ copies along the arrows upwards, the "
        r"fold $P^{\top}$ adds along them downwards: reflect mirrors without the edge, replicate piles the borders "
        r"onto the edge entries, circular wraps them around.}" "\n"
        r"\label{fig:fold}" "\n" r"\end{figure}"
    )
    example = (
        r"\section*{An example}" "\n"
        rf"For the convolution ${spec_latex(EXAMPLE)}$ with circular padding on ${EXAMPLE_SIZE[0]}$ inputs, and its "
        rf"transpose ${spec_latex(tspec)}$, the matrices are" "\n"
        rf"\[ M = {sympy.latex(M.to_sympy())}, \qquad T = {sympy.latex(T.to_sympy())}. \]" "\n"
        r"Every row of $M$ wraps around the circle; $T$ is exactly $M^{\top}$, the fold of the gather view and the "
        rf"circular gather view ({len(instance.steps)} checked steps, among them the anchors to the numeric "
        r"definitions and the comparison of those with PyTorch's padding maps)."
    )
    appendix = [r"\appendix", r"\section*{Checked claims}",
                r"Every claim below holds for all integers satisfying the hypotheses of Theorem 1 for "
                r"its mode, together with $0 \le t < n + p_l + p_r$ or $0 \le j < n$, and for Lemma 3 also "
                r"$n_{\mathrm{in}}, k, s, d \ge 1$, $0 \le a < \max(s, d)$, $0 \le i < n_{\mathrm{in}}$ and "
                r"$0 \le m < k$. Each was proved by z3 refuting its negation, after z3 found a model of its "
                r"hypotheses. The option \texttt{-{}-smtlib FILE} of \texttt{symconv prove -{}-general "
                r"-{}-padding-mode MODE} writes a mode's claims to FILE in SMT-LIB 2 (each claim's hypotheses, "
                r"expected: sat, then its negation, expected: unsat), for another solver such as cvc5 to re-check."]
    for mode in MODES:
        appendix.append(rf"\subsection*{{{mode.capitalize()} padding ({len(general[mode].claims)} claims)}}" "\n"
                        + _claims_table(general[mode]))
    body = "\n\n".join([intro, notation, definition, theorem, proof, figure, example] + appendix)
    return document("Transposes of circular, reflect and replicate padding", body, graphics=True)


def draw() -> str:
    """The figure of the fold, from the executed tables (checked against PyTorch's maps first)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n, (pl, pr) = FIGURE_N, FIGURE_PADDING
    with matplotlib.rc_context({**FIGURE_STYLE, "font.size": 9}):  # symconv.plot's STYLE, never the global rcParams
        fig, axes = plt.subplots(1, 3, figsize=(6.3, 1.9))
        for ax, mode in zip(axes, MODES):
            table = PM.source_table(mode, n, (pl, pr)).tolist()
            if table != torch_padding_map(mode, n, pl, pr):
                raise SystemExit(f"{mode}: the executed table {table} is not PyTorch's map")
            offset = (n + pl + pr - n) / 2
            for t, j in enumerate(table):
                data = pl <= t < pl + n
                ax.annotate("", xy=(j + offset, 0.12), xytext=(t, 0.88),
                            arrowprops=dict(arrowstyle="-|>", lw=0.6, color="0.55" if data else "C3"))
                ax.add_patch(plt.Rectangle((t - 0.4, 0.9), 0.8, 0.3, fc="0.85" if data else "#f4c7c3", ec="0.3",
                                           lw=0.5))
                ax.text(t, 1.05, str(j), ha="center", va="center", fontsize=8)
            for j in range(n):
                ax.add_patch(plt.Rectangle((j + offset - 0.4, -0.2), 0.8, 0.3, fc="white", ec="0.3", lw=0.5))
                ax.text(j + offset, -0.05, str(j), ha="center", va="center", fontsize=8)
            ax.set_xlim(-0.6, n + pl + pr - 0.4)
            ax.set_ylim(-0.35, 1.45)
            ax.set_title(mode, fontsize=9)
            ax.axis("off")
        fig.text(0.005, 0.7, "$t$", fontsize=9)
        fig.text(0.005, 0.2, "$j$", fontsize=9)
        fig.tight_layout()
        path = HERE / FIGURE
        fig.savefig(path, metadata={"CreationDate": None})
        plt.close(fig)
    return str(path)


if __name__ == "__main__":
    import sys

    from regenerate import main

    sys.exit(main([]))
