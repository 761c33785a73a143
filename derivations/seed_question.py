"""Derivation 1: the question that started symconv, answered.

A 3x3 kernel with 1 on the diagonal and -1 elsewhere detects north-west diagonals.
F = M x is its feature map; M^T F paints the diagonals back.  Why the transpose
*adds* features (each value of F stamps a copy of the kernel), why the painted
picture looks like the input (M^T F = (M^T M) x, and M^T M is the convolution
with the kernel's autocorrelation R away from the border), and why it is a
convolution of its own (the stamps are the flipped kernel slid over F), shown
with the matrices, the stamp view, figures, and the proofs.
"""

from __future__ import annotations

import pathlib
import re

import numpy as np
import sympy
from _common import HERE, require
from make_figures import DETECTOR_SPIKES

from symconv import (
    ConvSpec,
    conv_matrix,
    flip_kernel,
    kernel_symbols,
    numeric,
    prove_gram,
    prove_transpose,
    transposed_conv_matrix,
)
from symconv.formulas import gather_padding_left, gather_padding_right
from symconv.gram import autocorrelation, gram_interior, gram_structure
from symconv.latex import document, math_latex, proof_fragment
from symconv.latex.appendix import further_checks_latex
from symconv.latex.notation import NOTATION, notation_used
from symconv.latex.phrases import range_set_tex
from symconv.latex.printing import escape_text, layer_text, text_latex

NAME = "seed_question"
FIGURE = "figures/seed_question.pdf"
STAMPS, GATHER = "figures/seed_teaching_stamps.pdf", "figures/seed_gather.pdf"
SPIKES = "figures/seed_stamps.pdf"
"""Drawn by symconv.plot (derivations/make_figures.py; regenerate.py redraws them)."""
AUTOCORRELATION = "figures/seed_autocorrelation.pdf"
"""The kernel, its autocorrelation R, R * x and the border term (drawn here, like FIGURE)."""

PROPOSITION, TEACHING, DETECTOR = 1, 2, 3
"""The numbers of the page's proposition and theorems: one counter (the proposition is numbered like a theorem)."""

KERNEL = np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]])
LAYER = ConvSpec((3, 3), stride=1, padding=1)
SIZE = (7, 7)


NORTH_WEST = tuple((t, t) for t in range(4))
NORTH_EAST = tuple((6 - t, 3 + t) for t in range(3))
"""The two strokes of the image: the one the detector matches, and one for contrast."""


def image() -> np.ndarray:
    """A 7x7 image: a north-west diagonal stroke, and a north-east one for contrast."""
    x = np.zeros(SIZE, dtype=np.int64)
    for position in NORTH_WEST + NORTH_EAST:
        x[position] = 1
    return x


def compute() -> dict:
    """Every array of the derivation, with the three views checked against each other."""
    w = KERNEL.reshape(1, 1, 3, 3)
    x = image()
    M = conv_matrix(LAYER, w, SIZE)
    F = M.matvec(x[None])[0]
    T = transposed_conv_matrix(LAYER.transpose(SIZE), w, F.shape)
    back = T.matvec(F[None])[0]
    # the scatter view: every F[i, j] stamps F[i, j] * kernel at offset (i - 1, j - 1)
    canvas = np.zeros((SIZE[0] + 2, SIZE[1] + 2), dtype=np.int64)
    for (i, j), value in np.ndenumerate(F):
        canvas[i:i + 3, j:j + 3] += value * KERNEL
    stamps = canvas[1:-1, 1:-1]
    # the gather view: the flipped kernel slid over F (stride 1, padding d(k-1) - p = 1)
    flipped = flip_kernel(w, 2)
    gather = numeric.conv(ConvSpec((3, 3), padding=1), flipped, F[None])[0]
    reference = numeric.conv_transpose(LAYER.transpose(SIZE), w, F[None])[0]
    for name, arr in (("stamps", stamps), ("gather", gather), ("reference", reference)):
        if not np.array_equal(arr, back):
            raise SystemExit(f"M^T F differs from the {name} view")
    if not np.array_equal(F, numeric.conv(LAYER, w, x[None])[0]):
        raise SystemExit("F = M x differs from the numeric convolution")
    spikes = {}
    for key, positions in (("one", [(3, 3)]), ("two", list(DETECTOR_SPIKES))):
        G = np.zeros(F.shape, dtype=np.int64)
        for pos in positions:
            G[pos] = 1
        painted = T.matvec(G[None])[0]
        by_hand = np.zeros((SIZE[0] + 2, SIZE[1] + 2), dtype=np.int64)  # each spike stamps U at offset (i - 1, j - 1)
        for i, j in positions:
            by_hand[i:i + 3, j:j + 3] += KERNEL
        if not np.array_equal(painted, by_hand[1:-1, 1:-1]):
            raise SystemExit(f"M^T of the {key}-spike map differs from the stamped kernels")
        spikes[key] = (G, painted)
    return dict(x=x, F=F, back=back, flipped=flipped[0, 0], spikes=spikes, **round_trip(x, back))


def round_trip(x: np.ndarray, back: np.ndarray) -> dict:
    """M^T F = (M^T M) x: the autocorrelation R, R * x, the border term, and the check of each claim the page makes.

    Every claim is checked here, and the script stops if one fails: (M^T M) x from the sparse product equals
    M^T F; in the interior (symconv.gram.gram_interior) each row of M^T M is R; R * x - M^T F (x zero outside
    the image) vanishes at every position all of whose taps read an existing output; R[0] = |w|^2 >= |R[tau]|.
    """
    w = KERNEL.reshape(1, 1, 3, 3)
    k = KERNEL.shape[0]
    lags = range(-(k - 1), k)
    R = np.array([[int(autocorrelation(w, (a, b))) for b in lags] for a in lags])
    centre = k - 1
    G = gram_structure(LAYER, kernel_symbols(LAYER), SIZE).to_numpy(w)
    if not np.array_equal(G.astype(np.int64) @ x.ravel(), back.ravel()):
        raise SystemExit("(M^T M) x from the sparse product differs from M^T F")
    inner = gram_interior(LAYER, SIZE)
    n = SIZE[0]
    for j in np.ndindex(SIZE):
        if all(a in r for a, r in zip(j, inner)):
            row = G[np.ravel_multi_index(j, SIZE)].reshape(SIZE)
            want = np.zeros(SIZE, dtype=np.int64)
            for a in lags:
                for b in lags:
                    want[j[0] + a, j[1] + b] = R[centre + a, centre + b]
            if not np.array_equal(row, want):
                raise SystemExit(f"row {j} of M^T M is not R centred at {j}")
    padded = np.pad(x, k - 1)
    Rx = sum(R[centre + a, centre + b] * padded[k - 1 + a:k - 1 + a + n, k - 1 + b:k - 1 + b + n]
             for a in lags for b in lags)
    border = Rx - back
    # an axis position j loses a term of R * x only when a tap m reads an output i = j + p_l - m that does not exist
    n_out = LAYER.output_shape(SIZE)[0]
    p_l = LAYER.padding_left[0]
    lossy = [j for j in range(n) if j + p_l - (k - 1) < 0 or j + p_l > n_out - 1]
    ring = np.zeros(SIZE, dtype=bool)
    ring[lossy, :] = True
    ring[:, lossy] = True
    if np.any(border[~ring]) or not np.any(border[ring]):
        raise SystemExit(f"the border term is not confined to the rows and columns {lossy}")
    energy = int((KERNEL ** 2).sum())
    if R[centre, centre] != energy or np.abs(R).max() > energy or (np.abs(R) == energy).sum() != 1:
        raise SystemExit("R[0] is not |w|^2, or not the strict maximum of |R|")

    def parts(position):
        """A value of M^T F as R[0] x[j], the other pixels of its stroke, the other stroke, and the border term."""
        own = NORTH_WEST if position in NORTH_WEST else NORTH_EAST
        other = NORTH_EAST if own is NORTH_WEST else NORTH_WEST

        def reach(q):
            lag = (q[0] - position[0], q[1] - position[1])
            return int(R[centre + lag[0], centre + lag[1]]) if max(map(abs, lag)) < k else 0, lag
        same = [reach(q) for q in own if q != position]
        cross = [reach(q) for q in other]
        total = R[centre, centre] + sum(v for v, _ in same) + sum(v for v, _ in cross) - border[position]
        if total != back[position]:
            raise SystemExit(f"M^T F at {position} is not the sum of its parts")
        return dict(position=position, same=same, cross=cross, border=int(border[position]),
                    value=int(back[position]))

    ne_lag = (NORTH_EAST[1][0] - NORTH_EAST[0][0], NORTH_EAST[1][1] - NORTH_EAST[0][1])
    nw_lag = (NORTH_WEST[1][0] - NORTH_WEST[0][0], NORTH_WEST[1][1] - NORTH_WEST[0][1])
    R_nw, R_ne = int(R[centre + nw_lag[0], centre + nw_lag[1]]), int(R[centre + ne_lag[0], centre + ne_lag[1]])
    if not np.array_equal(R, R[::-1, ::-1]):  # the prose writes R[tau] = R[-tau]
        raise SystemExit("R is not symmetric")
    if not (R_nw > 0 and R_ne == 0):  # the prose below says so
        raise SystemExit(f"R at the north-west lag is {R_nw}, at the north-east lag {R_ne}")
    proof = require(prove_gram(LAYER, SIZE))
    return dict(R=R, Rx=Rx, border=border, interior=inner, lossy=lossy, energy=energy, nw_lag=nw_lag, ne_lag=ne_lag,
                R_nw=R_nw, R_ne=R_ne, north_east=[parts(q) for q in NORTH_EAST], north_west=parts(NORTH_WEST[2]),
                gram_proof=proof, n_out=n_out)


LOCAL_NOTATION = (
    ("F", "the detector's feature map, $F = Mx$", "F = Mx"),
    ("U", "the detector's kernel: $1$ on the diagonal, $-1$ elsewhere", "U ="),
    (r"\tilde U", r"the detector's kernel flipped, $U$ rotated by $180^\circ$", r"\tilde U ="),
    (r"e_{i}", "the feature map with a single spike: $1$ at position $i$, $0$ elsewhere", "e_{(3,3)}"),
    ("i_0, i_1", "the entries of a 2-D position $i = (i_0, i_1)$", "(i_0, i_1)"),
    (r"\hat x", rf"the output $T y$ of the teaching layer, the one-dimensional transposed convolution with $k = 3$, "
                rf"$s = 2$, $p = 1$ of Theorem {TEACHING} (it lies where the convolution's inputs lie)",
     r"\hat x = T y"),
    ("M_w", "the matrix of the convolution with the weights $w$ of a given transposed layer", "M_w"),
    ("I", "an identity matrix", r"[I \mid 0]"),
    ("N", "the number of spatial axes", r"$N \ge 1$"),
    ("j'", "a second input position, paired with $j$", "j'"),
    (r"\lVert w \rVert", r"the Euclidean norm of the kernel, $\lVert w \rVert^{2} = \sum_m w[m]^{2}$", r"\lVert w \rVert"),
    (r"\star", r"the autocorrelation slid over the image: $(R \star x)[j] = \sum_\tau R[\tau]\, x[j + \tau]$",
     r"R \star x"),
    ("B", r"the border term, $B = R \star x - M^{\top} F$", r"B = R \star x"),
    (r"\operatorname{conv}", "the convolution, as the Conventions define it", r"\operatorname{conv}(x)"),
    (r"\operatorname{conv}^{\top}", "the transposed convolution, as the Conventions define it",
     r"\operatorname{conv}^{\top}"),
    (r"\operatorname{flip}", r"the flip of the taps, $\operatorname{flip}(m, k) = k - 1 - m$", r"\operatorname{flip}"),
    (r"\operatorname{stamp}_{i}", rf"the stamp of input $i$ (Theorem {TEACHING}): the matrix zero outside column $i$, "
     r"which holds $w[m]$ in the row of output $s i + d m - p_{l}$", r"\operatorname{stamp}_"),
    ("t", r"a phase of the polyphase view, $0 \le t < s$", "phase $t$"),
    ("u", "a position of a phase (in the Conventions, a position of the padded input)", r"position $u$"),
    (r"\hat y", r"the input $y$ of the transposed convolution extended by zero: $\hat y[i] = y[i]$ at the positions "
     r"$i$ of $y$, and $\hat y[i] = 0$ at every other integer $i$", r"\hat y"),
    (r"\Phi", rf"the phase convolutions of the input, stacked (Theorem {TEACHING})", r"\Phi"),
    ("Q", rf"the interleaving of the phases into the output (Theorem {TEACHING})", "Q"),
    ("K", r"the number of positions a phase's kernel spans, $K = \lfloor d(k - 1)/s \rfloor + 1$", r"K = \lfloor"),
    ("n_u", "the length of a phase: the input length plus $K - 1$", "n_u"),
)
"""This document's own symbols (symbol, meaning, a text that shows it is used): the kernel and image of the detector,
and the symbols of the lemmas the page states; an entry here replaces the package's entry for the same symbol."""


def notation_section(text: str) -> str:
    """The Notation section, printed before the symbols are first used: the package's entries the page uses, then
    its own (:data:`LOCAL_NOTATION`), each checked to occur."""
    own = {symbol for symbol, _, _ in LOCAL_NOTATION}
    entries = [(symbol, meaning) for symbol, meaning in notation_used(text) if symbol not in own]
    for symbol, meaning, probe in LOCAL_NOTATION:
        if probe not in text:
            raise SystemExit(f"the Notation lists {symbol}, which the page does not use ({probe!r} not found)")
        entries.append((symbol, meaning))

    def meaning_tex(meaning):
        parts = meaning.split("$")
        return "".join(f"${part}$" if n % 2 else escape_text(part) for n, part in enumerate(parts))
    items = "\n".join(rf"\item[${symbol}$] {meaning_tex(meaning)}" for symbol, meaning in entries)
    return ("\\section*{Notation}\n\\begin{list}{}{\\setlength{\\leftmargin}{5.5em}\\setlength{\\labelwidth}{5em}"
            "\\setlength{\\labelsep}{0.5em}\\setlength{\\itemsep}{0pt}\\setlength{\\parsep}{0pt}"
            "\\renewcommand{\\makelabel}[1]{#1\\hfil}}\n" + items + "\n\\end{list}\n")


def bmatrix(arr: np.ndarray) -> str:
    rows = [" & ".join(str(int(v)) for v in row) for row in arr]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def _figure_style():
    import matplotlib

    matplotlib.use("Agg")
    from _common import FIGURE_STYLE

    from symconv.plot.host import cm_star

    cm_star()  # the text's \star (cmmi10's glyph), not STIX's
    return matplotlib.rc_context(FIGURE_STYLE)


def _save(fig, path) -> None:
    """Check the labels print at 7 pt or more (the figure is drawn at the width it is printed), then write it."""
    from symconv import plot

    smallest = plot.min_label_size(fig)
    if smallest < 7:
        raise SystemExit(f"{path}: a label prints at {smallest:.1f} pt")
    plot.save_figure(fig, path)


def _cells(ax, values, bound):
    """The matrix ``values`` as vector cells (row 0 on top, as a matrix is read), in a diverging colour scale."""
    rows, cols = values.shape
    image = ax.pcolormesh(np.arange(cols + 1) - 0.5, np.arange(rows + 1) - 0.5, values, cmap="RdBu_r",
                          vmin=-bound, vmax=bound, edgecolors="face", linewidth=0.3)  # edged: no seams
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.set_aspect("equal")
    return image


def figure(data: dict, path) -> None:
    """The stamps (one spike, two spikes), then the detector: x, F = Mx and M^T F, each with a colour bar.

    Drawn with matplotlib directly (pip install 'symconv[figures]'), at the text width it is printed at.
    """
    from _common import TEXT_WIDTH
    from matplotlib.figure import Figure

    one, two = data["spikes"]["one"], data["spikes"]["two"]
    panels = [
        [(one[0], "$F$, one spike"), (one[1], "$M^{\\!\\!\\top}\\! F$"), (two[0], "$F$, two spikes"),
         (two[1], "$M^{\\!\\!\\top}\\! F$")],
        [(KERNEL, "$U$"), (data["x"], "$x$"), (data["F"], "$F = Mx$"), (data["back"], "$M^{\\!\\!\\top}\\! F$")],
    ]
    with _figure_style():
        fig = Figure(figsize=(TEXT_WIDTH, 3.9), layout="constrained")
        axes = fig.subplots(2, 4)
        for row, items in zip(axes, panels):
            for ax, (values, title) in zip(row, items):
                bound = max(1, int(abs(values).max()))
                image = _cells(ax, values, bound)
                ax.set_title(title, fontsize=10)  # short names: the caption says what each panel is
                ax.set_xticks([])
                ax.set_yticks([])
                bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
                bar.solids.set_rasterized(False)  # a vector colour bar (matplotlib rasterizes one of many colours)
                bar.solids.set_edgecolor("face")  # its bands edged in their own colour: no seams
                bar.solids.set_linewidth(0.3)
                step = max(1, bound // 3)
                bar.set_ticks(list(range(-bound, bound + 1, step)) if bound <= 30 else None)
                bar.ax.tick_params(labelsize=8)
        _save(fig, path)


def figure_autocorrelation(data: dict, path) -> None:
    """The kernel beside its autocorrelation R (lags -2..2), then R * x and the border term R * x - M^T F."""
    from _common import TEXT_WIDTH
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    R, k = data["R"], KERNEL.shape[0]
    lags = list(range(-(k - 1), k))
    with _figure_style():
        fig = Figure(figsize=(TEXT_WIDTH, 2.35), layout="constrained")
        axes = fig.subplots(1, 4, width_ratios=(3, 5, 7, 7))
        items = [(KERNEL, "$U$", None), (R, r"$R[\tau]$", lags),
                 (data["Rx"], r"$R \star x$", None), (data["border"], r"$B = R \star x - M^{\!\!\top}\! F$", None)]
        for ax, (values, title, ticks) in zip(axes, items):
            bound = max(1, int(abs(values).max()))
            _cells(ax, values, bound)
            for (r, c), v in np.ndenumerate(values):  # a minus sign as mathtext: Computer Modern's, not a fallback
                ax.text(c, r, f"${int(v)}$" if v < 0 else f"{int(v)}", ha="center", va="center", fontsize=8,
                        color="white" if abs(v) > bound * 0.6 else "black")
            if ticks:  # R[0, 0], the largest value, framed
                ax.add_patch(Rectangle((k - 1.5, k - 1.5), 1, 1, fill=False, edgecolor="black", lw=1.2))
            ax.set_title(title, fontsize=10)
            if ticks:
                ax.set_xticks(range(len(ticks)), [f"${t}$" for t in ticks], fontsize=8)
                ax.set_yticks(range(len(ticks)), [f"${t}$" for t in ticks], fontsize=8)
                ax.set_xlabel(r"lag $\tau_1$", fontsize=10)
                ax.set_ylabel(r"lag $\tau_0$", fontsize=10)
            else:
                ax.set_xticks([])
                ax.set_yticks([])
        _save(fig, path)


def draw() -> list[pathlib.Path]:
    """Redraw the committed figures drawn here (the regeneration script calls this)."""
    data = compute()
    figure(data, HERE / FIGURE)
    figure_autocorrelation(data, HERE / AUTOCORRELATION)
    return [HERE / FIGURE, HERE / AUTOCORRELATION]


def _pair(t) -> str:
    return "(" + ", ".join(str(int(v)) for v in t) + ")"


def _both(lag) -> str:
    """``R[1, 1] = R[-1, -1]``: R at a lag and at its opposite (R is symmetric, R[-tau] = R[tau])."""
    a, b = (int(v) for v in lag)
    return f"R[{a}, {b}] = R[{-a}, {-b}]"


def _signed_sum(values) -> str:
    """``9 + 0 + 1 - 3``: the terms with their signs, no ``+ -``."""
    out = str(int(values[0]))
    for v in values[1:]:
        out += f" - {-int(v)}" if v < 0 else f" + {int(v)}"
    return out


def decomposition(part: dict, k: int) -> str:
    """One value of M^T F as R[0] + the lags of the other pixels that R reaches - the border term."""
    j = part["position"]
    terms, values = ["R[0, 0]"], [part["R0"]]
    for value, lag in part["same"] + part["cross"]:
        if max(map(abs, lag)) < k:
            terms.append(f"R[{lag[0]}, {lag[1]}]")
            values.append(value)
    names = " + ".join(terms)
    if part["border"]:
        names += f" - B[{j[0]}, {j[1]}]"
        values.append(-part["border"])
    return (rf"(M^{{\top}} F)[{j[0]}, {j[1]}] = {names} = {_signed_sum(values)} = {part['value']}")


def round_trip_text(data: dict) -> str:
    """The section on M^T M: the Gram identity, R, R * x with the border term, both strokes, the instance proof."""
    k = KERNEL.shape[0]
    inner = data["interior"]
    where = r" \times ".join(range_set_tex(r.start, r.stop - 1) for r in inner)
    lossy = " and ".join(f"${j}$" for j in data["lossy"])
    lossy_set = ", ".join(str(j) for j in data["lossy"])
    kept_axis = [j for j in range(SIZE[0]) if j not in data["lossy"]]
    if kept_axis != list(range(kept_axis[0], kept_axis[-1] + 1)):
        raise SystemExit(f"the positions without a lost term, {kept_axis}, are not one range")
    kept = r" \times ".join([range_set_tex(kept_axis[0], kept_axis[-1])] * len(SIZE))
    for part in data["north_east"] + [data["north_west"]]:
        part["R0"] = data["energy"]
    ne = r" \\ ".join(decomposition(q, k).replace(" = ", " &= ", 1) for q in data["north_east"])
    nw = decomposition(data["north_west"], k)
    nw_lag, ne_lag = _pair(data["nw_lag"]), _pair(data["ne_lag"])
    ne_top = max(q["value"] for q in data["north_east"])
    back = data["back"]
    inner_nw = NORTH_WEST[1:-1]  # the pixels with a neighbour on the stroke at both north-west lags
    inner_values = {int(back[q]) for q in inner_nw}
    end_values = [int(back[q]) for q in (NORTH_WEST[0], NORTH_WEST[-1])]
    if len(inner_values) != 1 or min(inner_values) <= 2 * ne_top:  # the prose: "at v, more than twice ..."
        raise SystemExit(f"the matched stroke's inner pixels {inner_values} are not one value above twice {ne_top}")
    if min(end_values) <= ne_top:  # the prose: "its end pixels ... still above ..."
        raise SystemExit(f"the matched stroke's end pixels {end_values} are not above the other stroke's {ne_top}")
    inner_value = inner_values.pop()
    inner_at = " and ".join(f"${_pair(q)}$" for q in inner_nw)
    ends = f"${end_values[0]}$ at ${_pair(NORTH_WEST[0])}$ and ${end_values[1]}$ at ${_pair(NORTH_WEST[-1])}$"
    cross = sorted({(v, lag) for q in data["north_east"] for v, lag in q["cross"] if v and max(map(abs, lag)) < k})
    cross_text = ", ".join(rf"$R[{lag[0]}, {lag[1]}] = {v}$" for v, lag in cross)
    return rf"""
\section*{{Why the painted picture looks like the input: the round trip $M^{{\top}} M$}}
The stamps say how $M^{{\top}}$ adds features; they do not yet say why $M^{{\top}} F$ resembles $x$, north-east
stroke included. With $F = Mx$ the painted picture is $M^{{\top}} F = (M^{{\top}} M)\, x$, and the round trip
$M^{{\top}} M$ is described exactly by the following identity.

\newtheorem{{proposition}}[theorem]{{Proposition}}
\begin{{proposition}}[The Gram identity]\label{{prop:gram}}
Let $N \ge 1$ be the number of spatial axes. Positions $i, j$, taps $m$ and lags $\tau$ are $N$-tuples of
integers, added and compared entry by entry: $0 \le m < k$ means $0 \le m_\nu < k$ on every axis $\nu$. Let
$k, s, n \ge 1$ and $p_l, p_r \ge 0$ be integers on every axis $\nu$, with that axis's values, such that
$n_{{\mathrm{{out}}}} = \lfloor (n + p_l + p_r - k)/s \rfloor + 1 \ge 1$. Let $w[m]$, for the taps $0 \le m < k$,
be real numbers (the kernel), and $M$ the matrix of the convolution with one input and one output channel, kernel $w$, stride $s$, dilation $1$ and padding
$(p_l, p_r)$ on inputs of size $n$: for the outputs $0 \le i < n_{{\mathrm{{out}}}}$ and inputs $0 \le j < n$,
$M[i, j] = w[j + p_l - s i]$ when $0 \le j + p_l - s i < k$, and $M[i, j] = 0$ otherwise. Then for all inputs
$0 \le j, j' < n$
\[ (M^{{\top}} M)[j, j'] = \sum_{{i}} w[j + p_l - s i]\, w[j' + p_l - s i], \]
the sum over the outputs $0 \le i < n_{{\mathrm{{out}}}}$ at which both taps exist. Let moreover $s = 1$, let
\[ R[\tau] = \sum_{{m}} w[m]\, w[m + \tau] \qquad (\text{{the sum over the }} m \text{{ with }} 0 \le m < k
   \text{{ and }} 0 \le m + \tau < k) \]
be the autocorrelation of $w$, and let $j$ be an interior position: $k - 1 \le j$, $j + p_l \le n_{{\mathrm{{out}}}} - 1$
and $j + k - 1 \le n - 1$. Then $(M^{{\top}} M)[j, j + \tau] = R[\tau]$ for every lag $-k < \tau < k$, and
$R[0] = \lVert w \rVert^{{2}} = \sum_m w[m]^{{2}} \ge |R[\tau]|$.
\end{{proposition}}

\begin{{proof}}
Entry $(j, j')$ of $M^{{\top}} M$ is the inner product of columns $j$ and $j'$ of $M$:
\begin{{align*}}
(M^{{\top}} M)[j, j'] &= \sum_{{0 \le i < n_{{\mathrm{{out}}}}}} M[i, j]\, M[i, j'] \tag*{{matrix product}} \\
&= \sum_{{i}} w[j + p_l - s i]\, w[j' + p_l - s i] \tag*{{row $i$ of $M$ is $w$ placed at $s i - p_l$}}
\end{{align*}}
(the sum over the outputs at which both taps exist). Let now $s = 1$, $j$ be interior and $j' = j + \tau$ with
$-k < \tau < k$; $j'$ is an input, as $0 \le j - k + 1$ and $j + k - 1 \le n - 1$. Every tap $0 \le m < k$ reads an
output $i = j + p_l - m$ with $0 \le i < n_{{\mathrm{{out}}}}$, so the substitution $m = j + p_l - i$ turns the sum
into one over all the taps $m$ with $0 \le m + \tau < k$:
\[ (M^{{\top}} M)[j, j + \tau] = \sum_{{m}} w[m]\, w[m + \tau] = R[\tau]. \] Finally $|R[\tau]| \le \bigl(\sum_m w[m]^{{2}}\bigr)^{{1/2}}
\bigl(\sum_m w[m + \tau]^{{2}}\bigr)^{{1/2}} \le \lVert w \rVert^{{2}} = R[0]$ by the Cauchy--Schwarz inequality, both
sums over the $m$ of $R[\tau]$.
\end{{proof}}

The companion derivation \emph{{From detecting to producing: the round trip}} extends the proposition to strides
$s > 1$, where the interior is $s$-periodic and its diagonal holds the energies of the kernel's phases. It proves
it by exact computation for two layers: the detector layer of this document, on its two axes (checking too that
each entry of $M^{{\top}} M$ is a sum, over pairs of taps, of products of the two axes' one-axis patterns), and a
strided layer on one axis; and, on one spatial axis, for every input length, kernel size, stride, padding and
dilation and every number of channels and groups, by integer claims proved with an SMT solver.

\section*{{The detector's autocorrelation}}
For the detector's kernel, $w = U$, the lags $\tau = (\tau_0, \tau_1)$ with $-{k - 1} \le \tau_0, \tau_1 \le {k - 1}$ give
\[ R = {bmatrix(data["R"])} \]
(row $\tau_0$, column $\tau_1$; $R[0, 0] = \lVert U \rVert^{{2}} = {data["energy"]}$ in the centre, larger than every
other $|R[\tau]|$). Figure~\ref{{fig:autocorrelation}} draws $R$ beside the kernel. At the north-west lags
$\pm{nw_lag}$ the autocorrelation is ${_both(data["nw_lag"])} = {data["R_nw"]}$; at the north-east lags
$\pm{ne_lag}$ it is ${_both(data["ne_lag"])} = {data["R_ne"]}$.

By Proposition~\ref{{prop:gram}}, on the interior ${where}$ the painted picture is the autocorrelation slid over
the image,
\[ (M^{{\top}} F)[j] = (R \star x)[j] = \sum_{{\tau}} R[\tau]\, x[j + \tau] \qquad (x \text{{ zero outside the image}}). \]
Off the interior some rows of $M^{{\top}} M$ lose terms. On the whole image, $R \star x$ and the border term
$B = R \star x - M^{{\top}} F$ are
\[ R \star x = {bmatrix(data["Rx"])}, \qquad B = {bmatrix(data["border"])}. \]
$B$ is zero outside rows and columns {lossy}: $M^{{\top}} F = R \star x$ holds on ${kept}$, a larger set than
the interior ${where}$ on which the proposition guarantees it. The reason: a row of $M^{{\top}} M$ loses a term that
changes the picture only when a tap reads an output $i = j + p_l - m$ that does not exist, which happens on an axis
only at $j \in \{{{lossy_set}\}}$; a missing partner $j + \tau$ outside the image would meet $x = 0$ anyway. So
$M^{{\top}} F = R \star x - B$, with $B$ shown in full.

\begin{{figure}}[htbp]
\centering
\includegraphics[width=\linewidth]{{{AUTOCORRELATION}}}
\caption{{The detector's kernel $U$, its autocorrelation $R$ (lags $-{k - 1}$ to ${k - 1}$ on each axis; the
largest value, $R[0, 0] = \lVert U \rVert^{{2}} = {data["energy"]}$, framed in the centre), the autocorrelation slid over
the image, $R \star x$, and the border term $B$ by which $R \star x$ exceeds $M^{{\top}} F$ (zero except in rows
and columns {lossy}). Red is positive, blue negative.}}
\label{{fig:autocorrelation}}
\end{{figure}}

\section*{{Why both strokes come back}}
Each value of $M^{{\top}} F = R \star x - B$ is a short sum: the pixel's own value times $R[0, 0]$, plus $R$ at
the lags of the other pixels of the strokes within reach. On the north-west stroke its pixels reach each other at
the lags $\pm{nw_lag}$:
\[ {nw}. \]
On the north-east stroke:
\begin{{align*}} {ne} \end{{align*}}
The north-east stroke comes back because $R[0, 0] = {data["energy"]}$ is the largest value of $R$: every pixel of
$x$ is redrawn with that weight, whatever the detector's response to it. It is not reinforced, because $R$
vanishes at the north-east lags $\pm{ne_lag}$; and it is lowered by the negative values of $R$ that reach it from
the north-west stroke ({cross_text}) and by the border term. The matched stroke, whose pixels reinforce each other
through ${_both(data["nw_lag"])} = {data["R_nw"]}$ at the north-west lags, comes back stronger than the north-east stroke at every pixel:
${inner_value}$ at {inner_at}, whose neighbours on both sides lie on the stroke, more than twice the north-east
stroke's largest value ${ne_top}$, and {ends}, its end pixels, with one neighbour on the stroke each. Negative responses play no
separate part: their stamps are already counted in $R \star x$. That is the whole picture: the transpose of a
detector paints its input blurred by the kernel's autocorrelation, strongest where the input looks like the
kernel.

Every number of this section was verified in exact integer arithmetic: $(M^{{\top}} M)\, x$, from the product of $M$'s structure with
itself, equals $M^{{\top}} F$; each interior row of $M^{{\top}} M$ is $R$ centred at the row; $B$ vanishes
off rows and columns {lossy}; $R[0, 0] = \lVert U \rVert^{{2}}$ is the strict maximum of $|R|$; and each sum
above adds up to the value of $M^{{\top}} F$ shown.
"""


def evidence_table(proof, label: str, lines: dict | None = None) -> str:
    """A proof's lemmas as one table, one line per lemma, then the evidence, each distinct paragraph once.

    For a proof whose lemmas are stated in full elsewhere (Theorem 2 of this document): the page shows what was
    checked for this layer without printing the lemmas a second time. Each row gives the lemma's number
    (``label`` prefixes it: "2" for 2.1, 2.2, ...), the line it establishes as this layer reads it, and its
    checker; the evidence follows the table, the lemmas with the same evidence named together. ``lines`` gives,
    by lemma name, the line as this layer reads it where the proof's own display is a sum too tall for a row.
    """
    if not proof.holds:
        raise SystemExit(f"{proof.title}: the proof fails, the page would show its evidence as a success")
    rows, evidence = [], {}  # evidence: (checker, detail) -> the rows it justifies, in order
    for number, step in enumerate(proof.steps, 1):
        row = f"{label}.{number}"
        name = re.sub(r"\b([MT])\b", r"$\1$", escape_text(step.name))
        lhs, rhs = step.lhs, step.rhs
        each = ""
        if (isinstance(lhs, sympy.Tuple) and isinstance(rhs, sympy.Tuple) and len(lhs) == len(rhs) > 1
                and len({math_latex(x) for x in lhs}) == 1 and len({math_latex(x) for x in rhs}) == 1):
            # one equation, the same on every axis
            lhs, rhs, each = lhs[0], rhs[0], " on each axis"
        line = (lines or {}).get(step.name) or f"${math_latex(lhs)} = {math_latex(rhs)}${each}"
        evidence.setdefault((escape_text(step.checker), text_latex(step.detail)), []).append(row)
        rows.append(rf"{row} & {name}: {line} & {escape_text(step.checker)} \\")
    # one tabular per row, the columns of fixed widths so that the rows align: the page may break between rows
    columns = "@{}" + "".join(rf">{{\raggedright\arraybackslash}}p{{{w}\linewidth}}" for w in _EVIDENCE_WIDTHS) + "@{}"
    head = "lemma & what it establishes & checked by \\\\ \\hline\n"
    tables = [f"\\begin{{tabular}}{{{columns}}}\n{head if n == 0 else ''}{row}\n\\end{{tabular}}"
              for n, row in enumerate(rows)]
    paragraphs = [rf"\noindent\emph{{{_rows_text(named)}}} ({checker}): {detail}."
                  for (checker, detail), named in evidence.items()]
    return ("\\begin{center}\n\\small\\setlength{\\tabcolsep}{4pt}\n"
            + "\n\\par\\penalty0\\nointerlineskip\n".join(tables) + "\n\\end{center}\n"
            + "The evidence, lemma by lemma:\n\n" + "\n\n".join(paragraphs))


def _rows_text(rows: list[str]) -> str:
    """``Lemma 2.1``, ``Lemmas 2.3 and 2.4``, ``Lemmas 2.6, 2.7, 2.8 and 2.9``."""
    if len(rows) == 1:
        return f"Lemma~{rows[0]}"
    return "Lemmas~" + ", ".join(rows[:-1]) + f" and {rows[-1]}"


_EVIDENCE_WIDTHS = (0.08, 0.66, 0.22)
"""The evidence table's columns (lemma, what it establishes, checked by), as fractions of the line."""


def _gather_pads(layer: ConvSpec, size: tuple) -> tuple[int, int]:
    """The gather view's padding ``(p'_l, p'_r)`` of a 1-D layer's transpose, from the package's formulas."""
    a = layer.transpose(size).output_padding[0]
    k, d = layer.kernel_size[0], layer.dilation[0]
    return (gather_padding_left(k, layer.padding_left[0], d), gather_padding_right(k, layer.padding_right[0], d, a))


def build() -> str:
    data = compute()
    teaching = require(prove_transpose(ConvSpec(3, stride=2, padding=1), (5,)))
    gather_pads = _gather_pads(ConvSpec(3, stride=2, padding=1), (5,))
    detector = require(prove_transpose(LAYER, SIZE))
    # lemma statements already given, shared by the two theorems; the notation is this page's own section, before
    # first use, so the theorems print none
    stated: dict = {"\0notation": {part for entry in NOTATION for part in entry}}
    sums = [f"${a} + {b} = {a + b}$".replace("+ -", "- ") for a, b in zip(KERNEL[:, 2], KERNEL[:, 0])]
    overlap = "the last column of the first copy meets the first column of the second: " + ", ".join(sums)
    round_trip = round_trip_text(data)
    spike_a, spike_b = (_pair(q) for q in DETECTOR_SPIKES)
    offsets = " and ".join(f"${_pair((i - 1, j - 1))}$" for i, j in DETECTOR_SPIKES)
    k = KERNEL.shape[0]
    where = r" \times ".join(range_set_tex(r.start, r.stop - 1) for r in data["interior"])
    # the output padding of the answer's example, computed: a layer whose transpose needs a != 0
    example = ConvSpec(3, stride=2, padding=1).transpose((6,)).output_padding[0]
    if example == 0:
        raise SystemExit("the answer's example of a nonzero output padding has a = 0")
    PADDED_EXAMPLE = (6, f"a = {example}")
    text = rf"""
\section*{{The question}}
A $3\times3$ filter with $1$ on the diagonal and $-1$ elsewhere, run with stride 1 and padding 1, detects
north-west diagonals. Its convolution matrix $M$ turns an image $x$ into a feature map $F = Mx$. The asker
observes that $M^{{\top}} F$ produces an image with the features that $F$ records, and asks how $M^{{\top}}$
\emph{{adds}} features, why it is a convolution of its own, and what is special about the transpose at all, since
any other matrix of the transposed shape would change the dimensions just as well. The question arose from the
transposed convolutions of generative networks, which turn noise into images.

\section*{{The answer in short}}
Column $i$ of $M^{{\top}}$ is row $i$ of $M$: the kernel, placed where output $i$ looked. Hence
$M^{{\top}} F = \sum_i F[i] \cdot (\text{{column }} i)$: every value of the feature map stamps a copy of the kernel,
scaled by how strongly the feature was seen, at the place it was seen. That is how features are painted.
In one dimension, with stride $s$, padding $p$ and dilation $d$, column $i$ holds $w[m]$ in row $j = s i + d m - p$
and zeros elsewhere: the entry $M^{{\top}}[j, i]$ depends only on $j - s i$, so moving to the next input moves the
stamp by $s$ positions. Read row by row, output $j$ collects $w[m]$ from the inputs $i$ with $s i = j + p - d m$:
the kernel, flipped and dilated by $d$, slides with stride 1 over the feature map with $s-1$ zeros inserted between
its values, padded by $d(k-1)-p$ zeros on the left and $d(k-1)-p+a$ on the right (a negative amount crops), where
$a = (n + 2p - d(k-1) - 1) \bmod s$ is the output padding that gives the painted image the input length $n$ again
(${PADDED_EXAMPLE[1]}$ for instance when $n = {PADDED_EXAMPLE[0]}$, $k = 3$, $s = 2$, $p = 1$, $d = 1$). That is a convolution of its own.

\emph{{Why the transpose, and what a generator learns.}} Another matrix of the transposed shape would change the
dimensions too, but it would not, in general, be a convolution: the transpose of a convolution's matrix is, as just
shown, again a convolution, with the same weights shared by every position, so it paints the same pattern wherever
the feature map asks for it. A generator's transposed convolution has a kernel $w$ of its own, learned in training,
and no detector stands beside it; still, on its input $y$ of length $n_{{\mathrm{{in}}}}$, the layer computes
$T y = (S M_w)^{{\top}} y$, where $M_w$ is the matrix of the convolution with those same weights on inputs of the
layer's output length $n_T$, and $S = [I \mid 0]$ keeps the first $n_{{\mathrm{{in}}}}$ rows of $M_w$, one for each
input of $T$; so $T = M_w^{{\top}}$, and the layer computes $M_w^{{\top}} y$, exactly when $M_w$ has as many outputs as $T$ has inputs, as for both layers of
this document. The companion derivation \emph{{The transposed convolution is a convolution}} proves this for all
sizes at once (any kernel size, stride, padding, dilation and output padding, by integer claims proved with an SMT
solver): $T = (S M_w)^{{\top}} = M_w^{{\top}} S^{{\top}}$, so that the columns of $T$ are the first
$n_{{\mathrm{{in}}}}$ columns of $M_w^{{\top}}$; and $T$ is the gather view's convolution. Theorems~{TEACHING}
and~{DETECTOR} below check $T = M^{{\top}}$ again, by exact computation, for the two layers of this document. Whatever the learned weights would detect, the generator paints with them, by the stamps described next.

\section*{{The stamps}}
A feature map with a single spike, $F = e_{{(3,3)}}$, is painted as one copy of the kernel centred at the spike;
two spikes, $F = e_{{{spike_a}}} + e_{{{spike_b}}}$, give two copies that add where they overlap (in the shared column
{overlap}):
\[ M^{{\top}} e_{{(3,3)}} = {bmatrix(data["spikes"]["one"][1])}, \qquad
   M^{{\top}} (e_{{{spike_a}}} + e_{{{spike_b}}}) = {bmatrix(data["spikes"]["two"][1])}. \]
Both are computed as products with $T$, the matrix of the transposed layer (the transposed convolution with the
same weights) built from that layer's own definition and not from $M$ (Theorem~{DETECTOR} below proves $T = M^{{\top}}$), and
both equal the kernel stamped by hand with its top-left corner at $(i_0 - 1, i_1 - 1)$ for each spike at
$i = (i_0, i_1)$. Figure~\ref{{fig:spikes}} draws the two stamps as they are placed, and Figure~\ref{{fig:seed}} shows
them in its first row.

\begin{{figure}}[htbp]
\centering
\includegraphics[width=\linewidth]{{{SPIKES}}}
\caption{{$M^{{\top}} (e_{{{spike_a}}} + e_{{{spike_b}}})$ for the detector: each spike stamps the kernel $U$, its
top-left corner at {offsets} (left), and the two stamps add in the column they share (right, the sum; the frame is
the image, the hatched cells are cut off by the padding). Each panel's title names its spike, $F_{{i_0, i_1}} = 1$
(the entry $F[i]$ at $i = (i_0, i_1)$) for $F = e_{{(i_0, i_1)}}$, and, after ``corner'', the top-left corner of its stamp, $(i_0 - 1, i_1 - 1)$. The colours are the nine
taps of $U$.}}
\label{{fig:spikes}}
\end{{figure}}

\section*{{The detector, numerically}}
The detector layer is the two-dimensional convolution {layer_text(LAYER)}, with kernel $U$; its flip $\tilde U$ (rotated by $180^\circ$) equals $U$ here, since
the diagonal is symmetric under that rotation:
\[ U = {bmatrix(KERNEL)}, \qquad \tilde U = {bmatrix(data["flipped"])}. \]
The image (a north-west stroke at the top left, a north-east stroke at the bottom right), its feature map, and
the transposed convolution of the feature map:
\[ x = {bmatrix(data["x"])}, \qquad F = Mx = {bmatrix(data["F"])}, \]
\[ M^{{\top}} F = {bmatrix(data["back"])}. \]
The feature map is positive along the north-west stroke (the detector fired) and zero or negative along the
north-east one. $M^{{\top}} F$ redraws a north-west diagonal where the detector fired: each positive response
stamps the diagonal kernel, and neighbouring stamps reinforce each other along the stroke. Yet the north-east
stroke, on which the detector did not fire, comes back too; why the painted picture looks like the input, both
strokes, is the subject of the next section. Computed
four ways, $M^{{\top}} F$ agrees exactly: with the matrix $T$ built from the
transposed layer's own definition; as the sum of stamps $\sum_{{i}} F[i]\, U$, each placed with its top-left corner at $(i_0 - 1, i_1 - 1)$; as the
stride-1 convolution of $F$ padded by 1 with $\tilde U$; and with the numeric reference.

\begin{{figure}}[htbp]
\centering
\includegraphics[width=\linewidth]{{{FIGURE}}}
\caption{{First row: the stamps (one spike, two spikes). Second row: the kernel, the image, its feature map and
the painted features. Red is positive, blue negative; each colour bar gives the values.}}
\label{{fig:seed}}
\end{{figure}}

$M^{{\top}}$ is not an inverse: $M^{{\top}} M x \neq x$. It is the adjoint, the map that sends ``the feature was
seen here'' back to ``draw the feature here''.

{round_trip}

\section*{{The matrices, symbolically (1-D, $k=3$, $s=2$, $p=1$)}}
This section's transposed layer is the teaching layer of the Notation. With symbolic weights the pattern is visible: each row of $M$ is the kernel shifted by the stride, each column of
$T = M^{{\top}}$ is the kernel stamped at offset $s i - p$, and the gather view writes $T$ as a stride-1
convolution $C_{{\mathrm{{flip}}}}$ with the flipped kernel, $T = C_{{\mathrm{{flip}}}} P Z$: the zero insertion $Z$
puts $s - 1$ zeros between neighbouring inputs, and $P$ pads the result $z$ with $p'_{{l}}$ zeros on the left and
$p'_{{r}}$ on the right, or crops it where an amount is negative (here $p'_{{l}} = {gather_pads[0]}$ and $p'_{{r}} = {gather_pads[1]}$).
Figures~\ref{{fig:stamps}} and~\ref{{fig:gather}}, drawn from the very structures the
proof below compares, with
$w = (1, 2, 3)$ and $y = (2, -1, 3)$: every input stamps a scaled copy of the kernel and the stamps add (the
scatter view); and the same output read off by the flipped kernel sliding with stride 1 over the input with one
zero inserted and one zero of padding on each side (the gather view, shown at output position 1). The output of
the transposed layer is written $\hat x = T y$: it lies where the convolution's inputs lie, and the hat keeps it
apart from the detector's image $x$.

\begin{{figure}}[htbp]
\centering
\includegraphics[width=0.85\linewidth]{{{STAMPS}}}
\caption{{The scatter view of the teaching layer: every input stamps a copy of the kernel scaled by its value,
and the stamps add.}}
\label{{fig:stamps}}
\end{{figure}}

\begin{{figure}}[htbp]
\centering
\includegraphics[width=0.85\linewidth]{{{GATHER}}}
\caption{{The gather view of the teaching layer at output position 1. The rows, from the top: the input $y$;
$z_0 = Z y$, the input with $s - 1 = 1$ zero inserted between neighbouring values; $z = P z_0$, padded by one zero on
each side; the flipped kernel $\tilde w$ over its window of $z$; and the output $\hat x = T y$, whose value at
position 1 is written out below.}}
\label{{fig:gather}}
\end{{figure}}

{proof_fragment(teaching, stated=stated, theorem=TEACHING)}

\section*{{The detector layer, proved}}
\begin{{theorem}}[The detector layer]\label{{thm:detector}}
Let $M$ be the matrix of the detector layer, the two-dimensional convolution {layer_text(LAYER)}, on inputs of shape ${SIZE[0]} \times {SIZE[1]}$ and
$T$ the matrix of its transposed layer, both with the same distinct real weights $w[m]$, one for each tap $m$ of
the ${k} \times {k}$ kernel. Then the conclusions of Theorem~{TEACHING} hold for this layer, with $Z$, $P$,
$C_{{\mathrm{{flip}}}}$ and $\operatorname{{stamp}}_i$ defined as there on each axis, and $\Phi$ and $Q$ as there
for the stride $s = {LAYER.stride[0]}$ of this layer: there is one phase, $t = 0$, which takes every tap, so $\Phi$ is
that single phase convolution of the input and $Q$ takes output $j$ from its position $u = j + p_l$, dropping
the first $p_l$ positions and those past the output (and $Z$, which inserts $s - 1 = 0$ zeros, is the identity).
\end{{theorem}}

\begin{{proof}}
The nine lemmas of Theorem~{TEACHING}, each checked again for this layer; the rows are those lemmas, with their
checkers, described after its proof and, where they did more for this layer, at the end of this one:
{evidence_table(detector, str(TEACHING))}

{further_checks_latex(detector, stated)}
\end{{proof}}

The round trip of this layer needs no further proof here: $M$ has stride $1$, so Proposition~\ref{{prop:gram}}, proved
above for every such layer, applies to it, with the interior ${where}$; the companion derivation's Theorem~1 checks
it again for this very layer, lemma by lemma, with its evidence.

\section*{{Further reading}}
The asker asked for an example, an article or a paper. The matrix view of this answer, the transposed convolution
as the transpose of the convolution's matrix and as a convolution over the input with zeros inserted and padding,
with the arithmetic of its sizes, is worked out with many figures in~\cite{{dumoulin}}. The uneven overlap of the
stamps under a stride, the overlap count of the companion derivation and the checkerboard artefacts it causes in
generated images, is the subject of~\cite{{odena}}. That a strided transposed convolution is a set of stride-1
convolutions, one per phase, interleaved (the view $T = Q \Phi$ of Theorem~{TEACHING}, the sub-pixel convolution), is shown
in~\cite{{shi}}.

\begin{{thebibliography}}{{3}}
\bibitem{{dumoulin}} V.~Dumoulin and F.~Visin, \emph{{A guide to convolution arithmetic for deep learning}},
arXiv:1603.07285, 2016.
\bibitem{{odena}} A.~Odena, V.~Dumoulin and C.~Olah, \emph{{Deconvolution and checkerboard artifacts}}, Distill,
2016.
\bibitem{{shi}} W.~Shi, J.~Caballero, L.~Theis, F.~Husz\'ar, A.~Aitken, C.~Ledig and Z.~Wang, \emph{{Is the
deconvolution layer the same as a convolutional layer?}}, arXiv:1609.07009, 2016.
\end{{thebibliography}}
"""
    return document("How a transposed convolution paints features", notation_section(text) + text, max_cols=16,
                    graphics=True)


if __name__ == "__main__":
    import sys

    from regenerate import main

    sys.exit(main([]))
