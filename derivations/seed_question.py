"""Derivation 1: the question that started symconv, answered.

A 3x3 kernel with 1 on the diagonal and -1 elsewhere detects north-west diagonals.
F = M x is its feature map; M^T F paints the diagonals back.  Why the transpose
*adds* features (each value of F stamps a copy of the kernel), and why it is a
convolution of its own (the stamps are the flipped kernel slid over F), shown
with the matrices, the stamp view, a figure, and the proofs.
"""

from __future__ import annotations

import pathlib

import numpy as np
from _common import HERE, require

from symconv import (
    ConvSpec,
    conv_matrix,
    flip_kernel,
    numeric,
    prove_transpose,
    transposed_conv_matrix,
)
from symconv.latex import document, proof_fragment, spec_latex

NAME = "seed_question"
FIGURE = "figures/seed_question.pdf"
STAMPS, GATHER = "figures/seed_teaching_stamps.pdf", "figures/seed_gather.pdf"
SPIKES = "figures/seed_stamps.pdf"
"""Drawn by symconv.plot (derivations/make_figures.py; regenerate.py redraws them)."""

KERNEL = np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]])
LAYER = ConvSpec((3, 3), stride=1, padding=1)
SIZE = (7, 7)


def image() -> np.ndarray:
    """A 7x7 image: a north-west diagonal stroke, and a north-east one for contrast."""
    x = np.zeros(SIZE, dtype=np.int64)
    for t in range(4):
        x[t, t] = 1
    for t in range(3):
        x[6 - t, 3 + t] = 1
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
    for key, positions in (("one", [(3, 3)]), ("two", [(3, 2), (3, 4)])):
        G = np.zeros(F.shape, dtype=np.int64)
        for pos in positions:
            G[pos] = 1
        painted = T.matvec(G[None])[0]
        by_hand = np.zeros((SIZE[0] + 2, SIZE[1] + 2), dtype=np.int64)  # each spike stamps K at offset (i - 1, j - 1)
        for i, j in positions:
            by_hand[i:i + 3, j:j + 3] += KERNEL
        if not np.array_equal(painted, by_hand[1:-1, 1:-1]):
            raise SystemExit(f"M^T of the {key}-spike map differs from the stamped kernels")
        spikes[key] = (G, painted)
    return dict(x=x, F=F, back=back, flipped=flipped[0, 0], spikes=spikes)


def bmatrix(arr: np.ndarray) -> str:
    rows = [" & ".join(str(int(v)) for v in row) for row in arr]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def figure(data: dict, path) -> None:
    """The stamps (one spike, two spikes), then the detector: x, F = Mx and M^T F, each with a colour bar.

    Drawn with matplotlib directly (pip install 'symconv[figures]').
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from _common import FIGURE_STYLE

    plt.rcParams.update(FIGURE_STYLE)
    one, two = data["spikes"]["one"], data["spikes"]["two"]
    panels = [
        [(one[0], "one spike in $F$"), (one[1], "$M^{\\top} F$: one copy of $K$"),
         (two[0], "two spikes in $F$"), (two[1], "$M^{\\top} F$: two copies that add")],
        [(KERNEL, "the kernel $K$"), (data["x"], "image $x$"), (data["F"], "feature map $F = Mx$"),
         (data["back"], "$M^{\\top} F$: the features painted")],
    ]
    fig, axes = plt.subplots(2, 4, figsize=(7.6, 4.3))  # printed at the text width: labels of 7 pt and more
    for row, items in zip(axes, panels):
        for ax, (values, title) in zip(row, items):
            bound = max(1, int(abs(values).max()))
            image = ax.imshow(values, cmap="RdBu_r", vmin=-bound, vmax=bound)
            ax.set_title(title, fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
            bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
            step = max(1, bound // 3)
            bar.set_ticks(list(range(-bound, bound + 1, step)) if bound <= 30 else None)
            bar.ax.tick_params(labelsize=8)
    fig.tight_layout()
    fig.savefig(path, metadata={"Creator": None, "Producer": None, "CreationDate": None})
    plt.close(fig)


def draw() -> pathlib.Path:
    """Redraw the committed figure (the regeneration script calls this)."""
    target = HERE / FIGURE
    figure(compute(), target)
    return target


def build() -> str:
    data = compute()
    teaching = require(prove_transpose(ConvSpec(3, stride=2, padding=1), (5,)))
    detector = require(prove_transpose(LAYER, SIZE))
    stated: dict = {}  # lemma statements and notation already given, shared by the two theorems
    sums = [f"${a} + {b} = {a + b}$".replace("+ -", "- ") for a, b in zip(KERNEL[:, 2], KERNEL[:, 0])]
    overlap = "the last column of the first copy meets the first column of the second: " + ", ".join(sums)
    text = rf"""
\section*{{The question}}
A $3\times3$ filter with $1$ on the diagonal and $-1$ elsewhere, run with stride 1 and padding 1, detects
north-west diagonals. Its convolution matrix $M$ turns an image $x$ into a feature map $F = Mx$. A generator's
transposed convolution computes $M^{{\top}} F$. How does $M^{{\top}}$ \emph{{add}} features, and why is it a
convolution of its own?

\section*{{The answer in one line}}
Column $j$ of $M^{{\top}}$ is row $j$ of $M$: the kernel, placed where output $j$ looked. Hence
$M^{{\top}} F = \sum_j F_j \cdot (\text{{column }} j)$: every value of the feature map stamps a copy of the kernel,
scaled by how strongly the feature was seen, at the place it was seen. That is how features are painted.
In one dimension, with stride $s$, padding $p$ and dilation $d$, column $j$ holds $w[m]$ in row $t = s j + d m - p$
and zeros elsewhere: the entry $M^{{\top}}[t, j]$ depends only on $t - s j$, so moving to the next input moves the
stamp by $s$ positions. Read row by row, output $t$ collects $w[m]$ from the inputs $j$ with $s j = t - d m + p$:
the kernel, flipped, slides with stride 1 over the feature map with $s-1$ zeros inserted between its values and
padded by $d(k-1)-p$. That is a convolution of its own.

\section*{{The stamps}}
A feature map with a single spike, $F = e_{{(3,3)}}$, is painted as one copy of the kernel centred at the spike;
two spikes, $F = e_{{(3,2)}} + e_{{(3,4)}}$, give two copies that add where they overlap (in the shared column
{overlap}):
\[ M^{{\top}} e_{{(3,3)}} = {bmatrix(data["spikes"]["one"][1])}, \qquad
   M^{{\top}} (e_{{(3,2)}} + e_{{(3,4)}}) = {bmatrix(data["spikes"]["two"][1])}. \]
The program computed both with the matrix $T$ of the transposed layer and checked them against the kernel
stamped by hand at offset $(i - 1, j - 1)$ for each spike $(i, j)$. Figure~\ref{{fig:spikes}} draws the two stamps as they are placed, and Figure~\ref{{fig:seed}} shows
them in its first row.

\begin{{figure}}[htbp]
\centering
\includegraphics[width=0.85\linewidth]{{{SPIKES}}}
\caption{{The detector's transposed convolution of two diagonal responses: each stamps the kernel, and the two
stamps add along the diagonal.}}
\label{{fig:spikes}}
\end{{figure}}

\section*{{The detector, numerically}}
Layer ${spec_latex(LAYER)}$ with kernel $K$; its flip $\tilde K$ (rotated by $180^\circ$) equals $K$ here, since
the diagonal is symmetric under that rotation:
\[ K = {bmatrix(KERNEL)}, \qquad \tilde K = {bmatrix(data["flipped"])}. \]
The image (a north-west stroke at the top left, a north-east stroke at the bottom right), its feature map, and
the transposed convolution of the feature map:
\[ x = {bmatrix(data["x"])}, \qquad F = Mx = {bmatrix(data["F"])}, \]
\[ M^{{\top}} F = {bmatrix(data["back"])}. \]
The feature map is positive along the north-west stroke (the detector fired) and zero or negative along the
north-east one. $M^{{\top}} F$ redraws a north-west diagonal where the detector fired: each positive response
stamps the diagonal kernel, and neighbouring stamps reinforce each other along the stroke. Negative responses
stamp the kernel with its sign reversed, which is why the second stroke does not vanish either. The
program checked that $M^{{\top}} F$ computed four ways agrees exactly: with the matrix $T$ built from the
transposed layer's own definition; as the sum of stamps $\sum_{{i,j}} F_{{ij}} K$ placed at $(i-1, j-1)$; as the
stride-1 convolution of $F$ padded by 1 with $\tilde K$; and with the numeric reference.

\begin{{figure}}[htbp]
\centering
\includegraphics[width=\linewidth]{{{FIGURE}}}
\caption{{First row: the stamps (one spike, two spikes). Second row: the kernel, the image, its feature map and
the painted features. Red is positive, blue negative; each colour bar gives the values.}}
\label{{fig:seed}}
\end{{figure}}

$M^{{\top}}$ is not an inverse: $M^{{\top}} M x \neq x$. It is the adjoint, the map that sends ``the feature was
seen here'' back to ``draw the feature here''.

\section*{{The matrices, symbolically (1-D, $k=3$, $s=2$, $p=1$)}}
With symbolic weights the pattern is visible: each row of $M$ is the kernel shifted by the stride, each column of
$T = M^{{\top}}$ is the kernel stamped at offset $s i - p$, and the gather view writes $T$ as a stride-1
convolution $C_{{\mathrm{{flip}}}}$ with the flipped kernel after padding $P$ and zero insertion $Z$.
Figures~\ref{{fig:stamps}} and~\ref{{fig:gather}}, drawn by symconv's plotting module from the very structures the
proof below compares, with
$w = (1, 2, 3)$ and $y = (2, -1, 3)$: every input stamps a scaled copy of the kernel and the stamps add (the
scatter view); and the same output read off by the flipped kernel sliding with stride 1 over the input with one
zero inserted and one zero of padding on each side (the gather view, shown at output position 1).

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
\caption{{The gather view of the teaching layer at output position 1: the flipped kernel over the input with one
zero inserted and one zero of padding on each side.}}
\label{{fig:gather}}
\end{{figure}}

{proof_fragment(teaching, stated=stated, theorem=1)}

\section*{{The detector layer, proved}}
{proof_fragment(detector, definitions=False, stated=stated, theorem=2)}
"""
    return document("How a transposed convolution paints features", text, max_cols=16, graphics=True)


if __name__ == "__main__":
    import sys

    from regenerate import main

    sys.exit(main([]))
