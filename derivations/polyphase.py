"""Derivation 6: the polyphase (sub-pixel) view, and the checkerboard as its corollary."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
from _common import require

from symconv import TransposedConvSpec, numeric, prove_overlap, prove_polyphase, prove_polyphase_general
from symconv.latex import claims_appendix, document, proof_fragment
from symconv.latex.phrases import counted
from symconv.latex.printing import layer_text
from symconv.polyphase import phase_tap_counts, polyphase_numeric
from symconv.proofs.overlap import as_in_theorem
from symconv.proofs.polyphase import EQUAL_TAPS_BOX, prove_equal_taps

NAME = "polyphase"

LAYER = TransposedConvSpec(4, stride=2, padding=1)  # DCGAN's upsampling layer
LAYER_INPUT = (4,)
LAYER_2D = TransposedConvSpec((3, 3), stride=2, padding=1)
LAYER_2D_INPUT = (5, 5)
FIGURES = {"2d": "figures/polyphase_phases_2d.pdf", "1d": "figures/polyphase_phases_1d.pdf"}
"""Drawn by symconv.plot from the factors Q and Phi (derivations/make_figures.py; regenerate.py redraws them)."""


def _figure(path: str, label: str, caption: str, width: str = "1.0") -> str:
    return (r"\begin{figure}[ht]" "\n" r"\centering" "\n"
            rf"\includegraphics[width={width}\linewidth]{{{path}}}" "\n"
            rf"\caption{{{caption}}}" "\n" rf"\label{{{label}}}" "\n" r"\end{figure}")


def _recipe_checked(tspec: TransposedConvSpec, shape: tuple[int, ...]) -> float:
    """The largest difference between the recipe in numbers and the numeric definition, on random data."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal(tspec.weight_shape)
    y = rng.standard_normal((tspec.in_channels,) + shape)
    diff = float(np.max(np.abs(polyphase_numeric(tspec, w, y) - numeric.conv_transpose(tspec, w, y))))
    if diff > 1e-12:
        raise SystemExit(f"the polyphase recipe differs from the definition by {diff}")
    return diff


def build() -> str:
    one = require(prove_polyphase_general(1))
    two = require(prove_polyphase_general(2))
    instance = require(prove_polyphase(LAYER, LAYER_INPUT))
    _recipe_checked(LAYER, LAYER_INPUT)
    _recipe_checked(LAYER_2D, LAYER_2D_INPUT)
    per_phase = [counted(c, "tap", words=False) for c in phase_tap_counts(3, 2, 1)]
    counts = ", ".join(per_phase[:-1]) + " and " + per_phase[-1]
    intro = (
        r"\section*{A third reading of the transposed convolution}" "\n"
        "A transposed convolution with stride $s$ is usually read as a convolution over an input with $s - 1$ "
        "zeros inserted between neighbours (the gather view), or as a sum of stamped kernel copies (the scatter "
        "view). Efficient implementations and super-resolution networks read it a third way (Shi et al., "
        r"\emph{Is the deconvolution layer the same as a convolutional layer?}, arXiv:1609.07009): as $\prod_\nu s^{(\nu)}$ "
        "small convolutions of the \\emph{original} input (the product of the strides $s^{(\\nu)}$ of the spatial "
        "axes $\\nu$), one per phase of the output, interleaved. No zero inserted by "
        "the stride is ever multiplied.\n\n"
        "On one axis, move output $j$ to the uncropped grid $J = j + p_l$; it lies in phase $t = J \\bmod s$ at "
        "position $u = \\lfloor J/s \\rfloor$. Tap $m$ reaches phase $t$ exactly when $d m \\equiv t \\pmod{s}$, "
        "and then reads input $u - (d m - t)/s$, an integer that may lie outside the input. So let $\\hat y$ be "
        "$y$ extended by zero: $\\hat y[i] = y[i]$ for $0 \\le i < n_{\\mathrm{in}}$ and $\\hat y[i] = 0$ at every "
        "other integer $i$. Let $K = \\lfloor d(k-1)/s \\rfloor + 1$, the common sub-kernel size, and "
        "$n_u = n_{\\mathrm{in}} + K - 1$. With $q = (d m - t)/s$ the shift of tap $m$ inside its phase, the "
        "sub-kernel of phase $t$ has the entries $w_t[q] = w[m]$ for the tap $m$ with $d m = t + s q$ and "
        "$w_t[q] = 0$ when no tap has that shift ($0 \\le q < K$), and the phase convolution of phase $t$ is the "
        "true (full) convolution, not a cross-correlation, of $\\hat y$ with $w_t$:\n"
        r"\[(\Phi y)[t, u] = \sum_{q=0}^{K-1} w_t[q]\, \hat y[u - q], \qquad 0 \le u < n_u.\]" "\n"
        "Then for $0 \\le j < n_T$\n"
        r"\begin{align*}" "\n"
        r"(T y)[j] &= \sum_{i=0}^{n_{\mathrm{in}}-1} \sum_{m=0}^{k-1} w[m]\, [j = s i + d m - p_l]\, y[i]"
        r" && \text{definition} \\" "\n"
        r"&= \sum_{\substack{0 \le m < k \\ d m \equiv t \ (\mathrm{mod}\ s)}} w[m]\, \hat y\!\left[u - "
        r"\tfrac{d m - t}{s}\right] && \text{sifting into phase } t \\" "\n"
        r"&= \sum_{q=0}^{K-1} w_t[q]\, \hat y[u - q] && \text{the sub-kernel of phase } t \\" "\n"
        r"&= \begin{cases} (\Phi y)[t, u] & \text{for } u < n_u \\ 0 & \text{for } u \ge n_u \end{cases}"
        r" && \text{the phase convolution,}" "\n"
        r"\end{align*}" "\n"
        "the last line because for $u \\ge n_u$ every read $\\hat y[u - q]$ lies at or beyond $n_{\\mathrm{in}}$. "
        "With $d = 1$ the sub-kernel is $w_t[q] = w[t + s q]$, and phase $t$ has $\\lceil (k - t)/s \\rceil$ "
        "taps; when $\\gcd(s, d) > 1$ the phases $t$ that $\\gcd(s, d)$ does not divide receive no tap at all. "
        "The output is the phases interleaved, $j = s u + t - p_l$: cropped by $p_l$ on the left and zero where "
        "the output padding reaches past the last phase position. In matrices, $T = Q \\Phi$ with $\\Phi$ the "
        "stacked phase convolutions and $Q$ the 0/1 interleave-and-crop matrix. Figure~\\ref{fig:phases} shows "
        "the four phases of a 2-D output.\n\n"
        + _figure(FIGURES["2d"], "fig:phases",
                  rf"The output of the transposed convolution {layer_text(LAYER_2D)} on a $5 \times 5$ input, each position coloured by its "
                  r"phase $(t_1, t_2)$; beside it, the taps of the $3 \times 3$ kernel that each phase multiplies, "
                  rf"in the same colour: per axis the phases $t = 0, 1$ have {counts}, so the four phases "
                  r"have $4, 2, 2, 1$ taps. The number in a cell is how many terms that output sums; both the colours and the "
                  r"numbers are read off the factors $Q$ and $\Phi$."))
    theorem = (
        r"\section*{The theorem, for all sizes}" "\n"
        "Theorem 1 states the view on one axis; each step of the chain above is reduced to integer claims about "
        "the index maps of its Definitions (each output lies in exactly one phase; the terms of the definition "
        "correspond one to one with the phase's taps, with the same weight and input; taps outside the phase "
        "contribute nothing; every shift lies in the sub-kernel and every term in the phase length), and the SMT "
        "solver z3 proved each claim for all integers in the ranges of the theorem.")
    lift = (
        r"\section*{Several axes, channels and groups}" "\n"
        "Theorem 2 states the view with every index: the flattening is separable, so a 2-D output has "
        "$N_{\\mathrm{ph}} = s^{(1)} s^{(2)}$ phases, the pairs $(t_1, t_2)$ of the axes' phases; the sub-kernel "
        "runs over the taps of both axes, each phase convolution sums over the input channels of the output "
        "channel's group, and phase $t$ (flattened row-major) of output channel $o$ is channel "
        "$o N_{\\mathrm{ph}} + t$ of one convolution with $C_{\\mathrm{out}} N_{\\mathrm{ph}}$ output channels, "
        "which keeps the layer's groups.")
    recipe = (
        r"\section*{The PyTorch recipe}" "\n"
        "So a transposed convolution is a plain convolution followed by a shuffle: a stride-$1$ convolution "
        "with $C_{\\mathrm{out}} N_{\\mathrm{ph}}$ output channels ($N_{\\mathrm{ph}} = \\prod_\\nu s^{(\\nu)}$ "
        "the number of phases, $s$ on one axis), kernel of size $K$, padding $K - 1$ and the layer's groups, whose "
        "weight holds each phase's sub-kernel flipped (a convolution cross-correlates) and zero-extended to $K$ "
        "taps; then the shuffle, which takes position $u$ of channel $o N_{\\mathrm{ph}} + t$ to position "
        "$s u + t$ of channel $o$, on each axis with that axis's stride and phase (on two axes with equal strides "
        "$s$ this is PyTorch's pixel shuffle with factor $s$, otherwise a reshape and permute); then the "
        "window $[p_l, p_l + n_T)$ on every axis, zero-extended past the end. It agrees with "
        "PyTorch's own pixel shuffle and transposed convolution in double precision on a grid of layers; for this document it was also checked in numbers against the definition on "
        rf"the transposed convolution {layer_text(LAYER)} and the one {layer_text(LAYER_2D)}. The instance proof below multiplies the factors "
        "of the first layer exactly, with symbolic weights.")
    checker = (
        r"\section*{The checkerboard, explained}" "\n"
        "In the interior, output $j$ sums one term per tap of its phase. So the overlap of the stamps is uniform "
        "on an interior of at least $s$ positions exactly when every phase has the same number of taps, and that happens exactly when $s$ divides $k$ and "
        "$\\gcd(s, d) = 1$ (Theorem~4 below, for all $k, s, d \\ge 1$: each of its three lemmas gives the argument, "
        "and each lemma is also enumerated exactly over the box "
        f"$1 \\le k \\le {EQUAL_TAPS_BOX[0]}$, $1 \\le s \\le {EQUAL_TAPS_BOX[1]}$, $1 \\le d \\le {EQUAL_TAPS_BOX[2]}$, "
        "counting the taps of each phase from their definition): the checkerboard criterion of Odena, Dumoulin "
        "and Olah (\\emph{Deconvolution and checkerboard artifacts}, Distill 2016, doi:10.23915/distill.00003) "
        "is a corollary of the polyphase view. Figure~\\ref{fig:phases1d} shows the case $k = 4$, "
        "$s = 3$, where the phases have 2 taps, 1 tap and 1 tap; the overlap theorems below state each phase's "
        "count $\\operatorname{taps}[t]$, the number of taps of phase $t$ defined in Theorem~4, and whether the "
        "overlap is uniform follows from it. The "
        "same phases are the period of the round trip $M^{\\top} M$ of the convolution, $M$ the matrix of the "
        "convolution with the same kernel, stride, dilation and padding, which $T$ transposes: in the interior its row "
        "$j$ depends only on the phase $(j + p_l) \\bmod s$, its diagonal holds each phase's energy, the sum of "
        "$w[m]^2$ over the phase's taps, and with unit weights that energy is the phase's tap count "
        "(the symconv derivation \\emph{From detecting to producing: the round trip}, "
        "section ``With a stride: phases'').\n\n"
        + _figure(FIGURES["1d"], "fig:phases1d",
                  r"The output of a transposed convolution with $k = 4$, $s = 3$, $p_l = p_r = 1$, $d = 1$, $a = 0$ on six inputs, coloured "
                  r"by phase, over the taps of each phase: phase $0$ multiplies $w_0$ and $w_3$, the others one "
                  r"tap each, so the overlap is uneven.", width="0.8"))
    stated: dict = {}  # lemma statements and notation already given, shared by the theorems
    first = proof_fragment(one, appendix=False, times=False, stated=stated, theorem=1)  # in reading order:
    # its one-axis chain is Theorem 1's, cited by the proof: the same claims, proved again for Theorem 2, here
    # with Theorem 1's letters (Theorem 2 alone writes them w^(nu), ... to keep them apart from the N-D ones)
    axis = len(one.steps)
    assert all([(c.name, str(c.statement), c.holds) for c in a.claims] == [(c.name, str(c.statement), c.holds) for c in b.claims]
               for a, b in zip(one.steps, two.steps[:axis]))
    two = dataclasses.replace(two, notes=(), steps=one.steps + two.steps[axis:])
    second = proof_fragment(two, definitions=False, shared=one, shared_label="Theorem 1", appendix=False,
                            times=False, stated=stated, theorem=2)  # "As Lemma 3.1" only after Lemma 3.1
    third = proof_fragment(instance, definitions=False, appendix=False, times=False, stated=stated, theorem=3)
    taps = require(prove_equal_taps())
    criterion = proof_fragment(taps, definitions=False, appendix=False, times=False, stated=stated, theorem=4)
    overlaps, proofs = [criterion], []
    for number, layer in enumerate((TransposedConvSpec(3, stride=2), TransposedConvSpec(4, stride=2)), start=5):
        proof = require(prove_overlap(layer, (6,)))
        # the criterion the overlap proof cites is Theorem 4 of this derivation: say so, not "cited"
        # and in the uniformity step; the two theorems are named by their layers
        steps = tuple(dataclasses.replace(step, rule=step.rule.replace(proof.data["cited_step"], "Theorem 4 above"))
                      for step in proof.steps)
        proof = dataclasses.replace(proof, steps=steps, title=f"Overlap of the stamps (checkerboard, kernel "
                                    f"{layer.kernel_size[0]}, stride {layer.stride[0]})",
                                    conclusion=proof.conclusion.replace(
            proof.data["cited"], "The criterion for all sizes is Theorem 4 above; this proof checks it at this "
            "layer only."))
        if number > 5:  # count, taps and the interior are Theorem 5's: defined once, then referred to
            proof = as_in_theorem(proof, "Theorem~5")
        else:  # taps is Theorem 4's: referred to, not defined again
            proof = dataclasses.replace(proof, statement=re.sub(
                r"let \$\\operatorname\{taps\}\[t\]\$ be .*?for \$0 \\le t < s\$;",
                lambda _: r"let $\operatorname{taps}[t]$ be the number of taps of phase $t$, as in Theorem~4;",
                proof.statement, count=1))
            assert "as in Theorem~4" in proof.statement
        overlaps.append(proof_fragment(proof, definitions=False, appendix=False, times=False, stated=stated,
                                       theorem=number))
        proofs.append((proof, number))
    body = "\n\n".join([
        intro, theorem, first, lift, second, recipe, third,
        checker, *overlaps,
        "\\appendix\n" + claims_appendix([(one, 1), (two, 2), (instance, 3)] + proofs, times=False,
                                          shared=[None, one, None, None, None])])
    return document("A transposed convolution is small convolutions, interleaved", body, graphics=True)


if __name__ == "__main__":
    import sys

    from regenerate import main

    sys.exit(main([]))
