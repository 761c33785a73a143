"""Derivation 6: from detecting to producing, exactly: the round trip MᵀM and the kernel's autocorrelation.

The seed question's detector (3x3, 1 on the diagonal and -1 elsewhere; stride 1, padding 1) on its 7x7 image:
Mᵀ F = (MᵀM) x, and in the interior MᵀM is the convolution with the kernel's autocorrelation R, so Mᵀ F is
R ⋆ x there.  The example's arrays (x, F, Mᵀ F, R ⋆ x, the border term) and the stroke arithmetic are printed
once, in the seed's document (seed_question.py); they are recomputed and checked here, and this page cites them
and proves the structure they rest on.
"""

from __future__ import annotations

import pathlib
import re

import numpy as np
from _common import HERE, require

from symconv import (
    ConvSpec,
    autocorrelation,
    conv_matrix,
    gram_structure,
    kernel_symbols,
    numeric,
    phase_energies,
    prove_gram,
    prove_gram_general,
    transposed_conv_matrix,
)
from symconv.gram import gram_interior
from symconv.latex import proof_fragment
from symconv.latex.notation import notation_used
from symconv.latex.printing import escape_text

NAME = "gram"

# the seed derivation's example (derivations/seed_question.py), restated here so that this page stands alone
KERNEL = np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]])
LAYER = ConvSpec((3, 3), stride=1, padding=1)
SIZE = (7, 7)
# the strided example of the phases (issue 24): k = 3, s = 2, p = 1
PHASES = ConvSpec(3, stride=2, padding=1)
PHASES_SIZE = (11,)
FIGURE_R, FIGURE_BAND = "figures/gram_autocorrelation.pdf", "figures/gram_band.pdf"
"""Drawn by symconv.plot (draw() below; regenerate.py redraws them); the page includes the band only (the
autocorrelation is the seed's figure; docs/derivations.md links to this one)."""
FIGSIZE_R, FIGSIZE_BAND = (4.7, 2.3), (3.4, 3.1)
"""The printed sizes in inches, so 7 pt labels print at 7 pt."""


def image() -> np.ndarray:
    """The seed's 7x7 image: a north-west diagonal stroke, and a north-east one for contrast."""
    x = np.zeros(SIZE, dtype=np.int64)
    for t in range(4):
        x[t, t] = 1
    for t in range(3):
        x[6 - t, 3 + t] = 1
    return x


def lags() -> list[tuple[int, int]]:
    return [(a, b) for a in range(-2, 3) for b in range(-2, 3)]


def compute() -> dict:
    """Every array of the page; each claim the text makes is checked here (the script stops otherwise)."""
    w = KERNEL.reshape(1, 1, 3, 3)
    x = image()
    M = conv_matrix(LAYER, w, SIZE)
    F = M.matvec(x[None])[0]
    painted = transposed_conv_matrix(LAYER.transpose(SIZE), w, F.shape).matvec(F[None])[0]
    G = gram_structure(LAYER, kernel_symbols(LAYER), SIZE).to_numpy(w)
    round_trip = (G @ x.ravel()).reshape(SIZE)
    if not (np.array_equal(round_trip, painted)
            and np.array_equal(painted, numeric.conv_transpose(LAYER.transpose(SIZE), w, F[None])[0])):
        raise SystemExit("M^T F, (M^T M) x and the numeric transposed convolution disagree")
    R = np.array([[int(autocorrelation(w, (a, b))) for b in range(-2, 3)] for a in range(-2, 3)])
    if R[2, 2] != int((KERNEL**2).sum()) or np.argwhere(np.abs(R) >= R[2, 2]).tolist() != [[2, 2]]:
        raise SystemExit("R[0] is not the unique largest |R| (Cauchy-Schwarz)")
    padded = np.pad(x, 2)
    correlated = np.array([[sum(R[a + 2, b + 2] * padded[i + a + 2, j + b + 2] for a, b in lags())
                            for j in range(SIZE[1])] for i in range(SIZE[0])])
    border = correlated - painted
    inner = gram_interior(LAYER, SIZE)
    interior = np.zeros(SIZE, dtype=bool)
    interior[inner[0].start:inner[0].stop, inner[1].start:inner[1].stop] = True
    if np.any(border[interior]):
        raise SystemExit("M^T F differs from R * x in the interior")
    if not np.any(border[~interior]):
        raise SystemExit("no border term: the page would have nothing to show")

    def terms(i: int, j: int) -> list[tuple[tuple[int, int], int]]:
        """The nonzero terms R[tau] x[(i, j) + tau] of (R * x)[i, j]."""
        return [((a, b), int(R[a + 2, b + 2])) for a, b in lags()
                if 0 <= i + a < SIZE[0] and 0 <= j + b < SIZE[1] and x[i + a, j + b] and R[a + 2, b + 2]]

    north_east = [(6, 3), (5, 4), (4, 5)]
    north_west = [(t, t) for t in range(4)]
    for i, j in north_east + north_west:
        if sum(v for _, v in terms(i, j)) != correlated[i, j]:
            raise SystemExit("a decomposition of R * x does not add up")
    if not np.array_equal(R, R[::-1, ::-1]) or R[3, 3] != R[1, 1]:  # the page writes R[1, 1] = R[-1, -1]
        raise SystemExit("R is not symmetric, R[tau] != R[-tau]")
    if R[1, 3] != 0 or R[3, 1] != 0:
        raise SystemExit("R does not vanish at the north-east lags (1, -1) and (-1, 1)")
    if R[3, 3] <= 0 or R[1, 1] <= 0:
        raise SystemExit("R is not positive at the north-west lags")
    if not all(painted[p] > 0 for p in north_east):
        raise SystemExit("the north-east stroke is not redrawn")
    if min(painted[p] for p in north_west[1:3]) <= max(painted[p] for p in north_east):
        raise SystemExit("the matched (north-west) stroke is not the strongest")
    ghosts = [(i, j) for (i, j), v in np.ndenumerate(painted) if v > 0 and not x[i, j]]
    top = max(painted[p] for p in ghosts)
    ghost = sorted(p for p in ghosts if painted[p] == top)  # every position with the largest positive value
    off = [(i, j) for (i, j), v in np.ndenumerate(painted) if not x[i, j]]
    low = min(painted[p] for p in off)
    halo = sorted(p for p in off if painted[p] == low)  # the most negative values away from the strokes
    if -low <= top:  # the page says the values of largest magnitude off the strokes are negative
        raise SystemExit(f"off the strokes the most negative value {low} is not larger in magnitude than {top}")
    if any(border[p] for p in halo):  # the page decomposes them as R * x alone
        raise SystemExit("a most negative value off the strokes has a border term")
    for p in halo:
        if sum(v for _, v in terms(*p)) != painted[p] or any(v >= 0 for _, v in terms(*p)):
            raise SystemExit("a negative value off the strokes is not a sum of negative values of R")
    return dict(x=x, F=F, painted=painted, R=R, correlated=correlated, border=border, inner=inner,
                terms=terms, north_east=north_east, north_west=north_west, ghost=ghost, halo=halo)


def bmatrix(arr: np.ndarray) -> str:
    rows = [" & ".join(str(int(v)) for v in row) for row in arr]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def _phases() -> str:
    w = kernel_symbols(PHASES)
    G = gram_structure(PHASES, w, PHASES_SIZE)
    inner = gram_interior(PHASES, PHASES_SIZE)[0]
    from symconv.latex import math_latex

    energies = phase_energies(PHASES, w)
    rows = []
    for j in inner[:4]:
        rows.append(rf"j = {j}:\ & (M^{{\top}} M)[j, j] = {math_latex(G.entry(j, j, w))}, \quad "
                    rf"(M^{{\top}} M)[j, j + 1] = {math_latex(G.entry(j, j + 1, w))}")
        if G.entry(j, j, w) != energies[((j + PHASES.padding_left[0]) % 2,)]:
            raise SystemExit("an interior diagonal entry is not its phase's energy")
    return r"\begin{align*}" + r" \\ ".join(rows) + r"\end{align*}"


def _unit_counts() -> str:
    """The overlap counts on the strided layer's interior, as the diagonal of M^T M with unit weights: "1 and 2"."""
    w = kernel_symbols(PHASES)
    G = gram_structure(PHASES, w, PHASES_SIZE).to_numpy(np.ones((1, 1, 3), dtype=np.int64))
    counts = [int(G[j, j]) for j in gram_interior(PHASES, PHASES_SIZE)[0]]
    first, second = counts[0], counts[1]
    if len(set(counts[0::2])) != 1 or len(set(counts[1::2])) != 1 or first == second:
        raise SystemExit(f"the interior overlap counts {counts} do not alternate")
    return f"${first}$ and ${second}$"


_DISPLAY = re.compile(r"\\begin\{proof\}\s*\\begin\{align\*\}.*?\\end\{align\*\}"
                      r"(?:\\vspace\{-\\baselineskip\}\s*\\begin\{align\*\}.*?\\end\{align\*\})*", re.S)
"""The displays of a proof: one, or several set one after another (a wide line starts a display of its own)."""


def _cite_display(fragment: str, first: str, conclusion: str) -> str:
    """Theorem 2's proof display is Theorem 1's line for line (the tags are the theorem's own): cite it instead.

    The script stops if the two displays differ, so the sentence that replaces it is true. ``conclusion``, the
    proof's closing remark on ``Mᵀ(M x)``, is Theorem 1's and is said there: it is dropped here."""
    mine, theirs = _DISPLAY.search(fragment), _DISPLAY.search(first)
    if mine is None or theirs is None or mine.group(0) != theirs.group(0):
        raise SystemExit("the strided layer's proof display is not the detector layer's: it cannot be cited")
    lemmas = fragment.count(r"\begin{lemma}")
    sentence = (r"\begin{proof}" "\n" rf"The display of the proof of Theorem~1 is the proof of this theorem, line for line: "
                rf"Lemmas 2.1 to 2.{lemmas} establish for this layer the lines that Lemmas 1.1 to 1.{lemmas} establish "
                r"there.")
    out = fragment[:mine.start()] + sentence + fragment[mine.end():]
    sep = " " if " " + conclusion in out else "\n\n"  # after the proof's notes the remark is a paragraph
    if sep + conclusion not in out or conclusion.split(", which")[0] not in first:
        raise SystemExit("the strided layer's closing remark is not on the page, or Theorem 1 does not make it")
    out = out.replace(sep + conclusion, "", 1)
    return out.replace("Each line is justified by the lemma named beside it, below.",
                       "The lemmas follow, with what was checked for this layer.", 1)


GENERAL_COMMAND = "symconv prove -{}-identity gram -{}-general"
"""The command that writes the document whose Theorem 1 is this page's Theorem 3 (tests/test_documents.py builds
that document with ``--identity gram --general``)."""


def _used_notation_only(head: str) -> str:
    """The head of a cited fragment with its notation list cut to the symbols the kept text uses.

    The fragment's notation was gathered from the whole fragment, proof included; without the proof some entries
    (``i'``, used only in the lemmas) name symbols the page no longer shows.
    """
    match = re.search(r"\\subsection\*\{(?:Further notation|Notation)\}\n(\\begin\{list\}.*?\n)(.*?)\n\\end\{list\}\n?",
                      head, flags=re.S)
    if match is None:
        return head
    rest = head[:match.start()] + head[match.end():]
    used = {symbol for symbol, _ in notation_used(rest)}
    items = [item for item in match.group(2).split("\n") if re.match(r"\\item\[\$(.*?)\$\]", item).group(1) in used]
    if not items:
        return rest
    kept = match.group(0)[:match.start(2) - match.start()] + "\n".join(items) + "\n" + r"\end{list}" + "\n"
    return head[:match.start()] + kept + head[match.end():]


def _cite_general(fragment: str, proof) -> str:
    """Theorem 3 as stated, its proof cited: the lemmas and tables are those of the all-sizes document, Theorem 1.

    The statement (and the notation it needs) is kept, so that the page says what it uses; the proof, its lemmas
    and the tables of checked claims are the all-sizes document's word for word and are not printed twice. The
    proof was checked for this page too (``build`` requires it to hold)."""
    head = fragment.split(r"\begin{proof}")[0]
    if r"\begin{theorem}[" not in head or r"\end{theorem}" not in head:
        raise SystemExit("the all-sizes fragment has no theorem to cite")
    head = _used_notation_only(head)
    claims = len(proof.claims)
    lemmas = fragment.count(r"\begin{lemma}")
    start = head.index(r"\begin{theorem}[") + len(r"\begin{theorem}[")
    end = head.index("]", start)
    cited = head[:end] + r"; \cite{general}, Theorem~1" + head[end:]
    return (cited + "\n" + rf"\noindent The proof is that of \cite{{general}}, Theorem~1: {lemmas} lemmas about "
            rf"integers, {claims} claims in all, each proved by the SMT solver z3 for all integers in its ranges, "
            r"with the claims listed there lemma by lemma; they were checked again for this document, and hold.")


def build() -> str:
    data = compute()
    proof = require(prove_gram(LAYER, SIZE))
    strided = require(prove_gram(PHASES, PHASES_SIZE))
    general = require(prove_gram_general())
    stated: dict = {}  # lemma statements, notation and checkers already given, shared by the three theorems
    R = data["R"]  # every other array of the seed's example is checked by compute() and printed in the seed's page
    detector_fragment = proof_fragment(proof, stated=stated, theorem=1)
    unit_counts = _unit_counts()
    text = rf"""
\section*{{From detecting to producing}}
The question that \emph{{How a transposed convolution paints features}} answers is how the transpose of a detector can \emph{{produce}} the feature it detects. The stamps
answer half of it: column $i$ of $M^{{\top}}$ is the kernel placed where output $i$ looked, so $M^{{\top}} F$ is a
sum of kernels scaled by the responses. Why the sum looks like the input is the other half, and it is exact: with
$F = M x$,
\[ M^{{\top}} F = (M^{{\top}} M)\, x, \qquad (M^{{\top}} M)[j, j'] = \sum_{{i}} \sum_{{m, \mu}} w[m]\, w[\mu]\,
   [j = s i + d m - p_l]\, [j' = s i + d \mu - p_l] , \]
the sum over the outputs $0 \le i < n_{{\mathrm{{out}}}}$ and the taps $0 \le m, \mu < k$, with $w[m]$ the weight
of tap $m$ and $[\cdot]$ the Iverson bracket ($1$ when the condition holds, else $0$): output $i$ reads input $j$
through tap $m$ exactly when $j = s i + d m - p_l$.
Away from the borders $M^{{\top}} M$ depends only on the lag $j' - j = d(\mu - m)$ and on the phase
$(j + p_l) \bmod s$ of its row. With stride 1 there is one phase, and the interior of $M^{{\top}} M$ is the
convolution with the kernel's \emph{{autocorrelation}}
\[ R[\tau] = \sum_m w[m]\, w[m + \tau], \qquad R[0] = \lVert w \rVert^{{2}} \ge |R[\tau]| \]
(the sum over the taps $m$ with $0 \le m + \tau < k$; the inequality is Cauchy--Schwarz). So the transpose of a detector redraws its input blurred by $R$, and the pattern the detector
matches is redrawn strongest. Theorem~1 below states this for the detector layer, and each step of its proof was
checked by program; Theorem~2 does the same for a strided layer; Theorem~3 states the integer facts behind the
structure of $M^{{\top}} M$ for all sizes at once, on one spatial axis, with its proof cited.

\section*{{The detector's example}}
That companion derivation
works the round trip out for its detector, the $3 \times 3$ kernel $U$ with $1$ on the diagonal and $-1$
elsewhere, run with stride 1 and padding 1, on its $7 \times 7$ image with a north-west and a north-east stroke. It
prints the autocorrelation $R$ of $U$, which is ${R[3, 3]}$ at the north-west lags $\pm(1, 1)$ and zero at the
north-east lags $\pm(1, -1)$; the image $x$,
its feature map $F = M x$ and the painted picture $M^{{\top}} F$; $R \star x$ and the border term
$B = R \star x - M^{{\top}} F$; and it adds up, pixel by pixel, why both strokes come back and the matched one
strongest. Those numbers are not repeated here; they were recomputed and checked in exact integer arithmetic for
this document too ($M^{{\top}} F$ with the matrix of the transposed layer, as $(M^{{\top}} M)\, x$ from the sparse
product and with the numeric definition, the three equal; $B$ zero in the interior). What this document adds is the proof of the structure they rest on: Theorem~1 below
for that detector layer on $7 \times 7$ inputs, lemma by lemma; Theorem~2 for a strided layer; and Theorem~3 for
all sizes, on one spatial axis.

\section*{{With a stride: phases}}
\begin{{figure}}[!ht]
\centering
\includegraphics[width={FIGSIZE_BAND[0]}in]{{{FIGURE_BAND}}}
\caption{{$M^{{\top}} M$ for $k = 3$, $s = 2$, $p = 1$ on {PHASES_SIZE[0]} inputs, with the weights $(1, 2, 3)$: a band of
width $2 d (k - 1) + 1$; in the dashed band of interior rows, row $j + s$ is row $j$ shifted right by $s$ (period $s = 2$; a framed diagonal entry
marks one row per period), the diagonal alternating
the phase energies $4$ and $1 + 9$.}}
\label{{fig:gram-band}}
\end{{figure}}
For $k = 3$, $s = 2$, $p = 1$ the interior of $M^{{\top}} M$ is $2$-periodic. Its diagonal holds the energy of
each phase, $\sum_{{m \equiv j + p_l \ (\mathrm{{mod}}\ s)}} w[m]^{{2}}$ (here $d = 1$), which, writing $w_m$ for
$w[m]$, alternates $w_1^{{2}}$ and $w_0^{{2}} + w_2^{{2}}$; its first off-diagonal alternates $w_1 w_2$ and
$w_0 w_1$; with unit weights the
diagonal is the overlap count, the number of taps of the transposed layer that reach $j$, which alternates
{unit_counts} in the interior: the uneven coverage behind the checkerboard artefacts of strided transposed
convolutions. In the interior of an input of length {PHASES_SIZE[0]}:
{_phases()}
The rows repeat with period $s = 2$ because the phase $(j + p_l) \bmod s$ repeats with that period. These are the
phases of the polyphase (sub-pixel) view of the transposed convolution: output $j$ lies in the phase $t = (j + p_l) \bmod s$, whose sub-kernel, the taps $w[t + s q]$
for the integers $q \ge 0$ with $t + s q < k$, is exactly the set of taps whose energy sits on that phase's
diagonal. Figure~\ref{{fig:gram-band}} shows the band.

\section*{{The detector layer's round trip, proved}}
{detector_fragment}

\section*{{The strided layer's round trip, proved}}
{_cite_display(proof_fragment(strided, definitions=False, stated=stated, theorem=2), detector_fragment,
               strided.conclusion)}

\section*{{The round trip for all sizes}}
The two proofs above are about one layer each. The structure they check, which pairs of taps meet in an entry of
$M^{{\top}} M$, where all of them do, and why the pattern repeats with the stride, rests on a few facts about
integers, true for every size at once, on one spatial axis (with channels and groups): Theorem~3, proved by an SMT
solver in~\cite{{general}} and stated here. The detector layer's proof above checks, on its two axes, how the axes
combine.

{_cite_general(proof_fragment(general, definitions=False, stated=stated, theorem=3, times=False), general)}

\begin{{thebibliography}}{{1}}
\bibitem{{general}} symconv, \emph{{{escape_text(general.title)}}}, a document of the symconv package.
Note: it is written by the command \texttt{{{GENERAL_COMMAND}}}.
\end{{thebibliography}}
"""
    from symconv.latex import document

    return document("From detecting to producing: the round trip", text.strip(), graphics=True)


def _legible(fig, printed_width: float, name: str) -> None:
    """Every label of a figure prints at 7 pt or more at the width the page includes it at."""
    from symconv import plot

    smallest = plot.min_label_size(fig, printed_width)
    if smallest < 7:
        raise SystemExit(f"{name}: a label prints at {smallest:.1f} pt at {printed_width} in, under 7 pt")


def draw() -> list[pathlib.Path]:
    """Redraw the two figures (the regeneration script calls this); needs matplotlib."""
    from symconv import plot

    # the page no longer includes the autocorrelation (the seed's page draws K, R, R * x and B); the figure is still
    # drawn, and checked against R, for docs/derivations.md, which links to it
    fig = plot.plot_autocorrelation(KERNEL.reshape(1, 1, 3, 3), figsize=FIGSIZE_R)
    if not np.array_equal(fig.symconv_data.values, compute()["R"]):
        raise SystemExit("the drawn autocorrelation differs from the page's R")
    _legible(fig, FIGSIZE_R[0], FIGURE_R)
    paths = [plot.save_figure(fig, HERE / FIGURE_R)]  # saved in the package's STYLE, as it was drawn
    fig = plot.plot_gram(PHASES, PHASES_SIZE, [[[1, 2, 3]]], figsize=FIGSIZE_BAND, title=False)  # the caption says it
    M = conv_matrix(PHASES, kernel_symbols(PHASES), PHASES_SIZE).to_numpy([[[1, 2, 3]]])
    if not np.array_equal(fig.symconv_data.matrix, M.T @ M):
        raise SystemExit("the drawn band differs from M^T M")
    _legible(fig, FIGSIZE_BAND[0], FIGURE_BAND)
    paths.append(plot.save_figure(fig, HERE / FIGURE_BAND))
    return paths


if __name__ == "__main__":
    import sys

    from regenerate import main

    sys.exit(main([]))
