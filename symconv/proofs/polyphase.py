"""The polyphase view proved: per instance (exact structure) and for all sizes (integer claims for z3).

Per instance, :func:`polyphase_step` multiplies the factors of
:func:`symconv.polyphase.polyphase_view` itself, ``Q @ Phi``, and compares
the product exactly with the anchored matrix T.

For all sizes, :func:`prove_polyphase_general` reduces the statement

    (T y)[j] = sum over the taps m of phase t of w[m] y[u - (d m - t)/s],
    t = (j + p_l) mod s,  u = (j + p_l) div s   (zero when u >= n_u)

to integer claims about the formulas of :mod:`symconv.formulas`,
with the same discipline as the gather chain: each output lies in exactly one
phase; the definition's (i, m) pairs correspond one-to-one with the phase's
taps at position u, with the same weight and input index; taps outside a phase
contribute nothing; the sub-kernel and the phase length hold every term; the
crop and the zero-extension.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
from typing import Any

import sympy

from .. import formulas as default_formulas
from ..errors import SpecError
from ..latex.phrases import counted, weights_note
from .core import Proof, Step
from .evaluate import NAMED, Indicator, sequence
from .guard import guarded, started
from .ranges import Hypothesis, Ranges
from .relations import and_ as _and
from .relations import eq as _eq
from .relations import rel as _rel
from .relations import within as _within
from .smt import prove

N_T = sympy.Symbol("n_T", integer=True)
_CONVENTION_PER_GROUP = (r"with $c_i = C_{\mathrm{in}}/g$ and $c_o = C_{\mathrm{out}}/g$ the channels per group of the "
                         r"convolution")
"""The convention lemma's words for the channels per group (:func:`~symconv.proofs.anchors.convention_step`),
whose C_in and C_out are the convolution's: a polyphase document names the transposed layer's."""
"""The name of the transposed output length on the page (the solver reads its formula)."""

__all__ = ["polyphase_step", "prove_polyphase", "prove_polyphase_general", "POLYPHASE_SYMBOLS",
           "equal_taps_steps", "prove_equal_taps", "EQUAL_TAPS_BOX"]

_int = dict(integer=True)
POLYPHASE_SYMBOLS = types.SimpleNamespace(
    n=sympy.Symbol("n_in", **_int), k=sympy.Symbol("k", **_int), s=sympy.Symbol("s", **_int),
    d=sympy.Symbol("d", **_int), pl=sympy.Symbol("p_l", **_int), pr=sympy.Symbol("p_r", **_int),
    a=sympy.Symbol("a", **_int), i=sympy.Symbol("i", **_int), i2=sympy.Symbol("i'", **_int),
    j=sympy.Symbol("j", **_int), m=sympy.Symbol("m", **_int), m2=sympy.Symbol("mu", **_int),
    t=sympy.Symbol("t", **_int), t2=sympy.Symbol("t'", **_int), u=sympy.Symbol("u", **_int),
    u2=sympy.Symbol("u'", **_int),
)
"""The symbols of the parametric polyphase proof (integers; their ranges are hypotheses of every claim)."""

Y, W, TY = sequence("y"), sequence("w"), sequence("Ty", r"(T y)")
YHAT = sequence("yhat", r"\hat{y}")  # y extended by zero: its entry at an integer position in range, else 0
PHI = sequence("Phiy", r"(\Phi y)")
C_PHI = sympy.Function(r"c_{\Phi}")
"""The channel of the sub-pixel convolution that holds phase ``t`` of output channel ``o``, as the N-D theorem
defines it (``c_Phi(o, t, N_ph) = o N_ph + t``); the claim pins :func:`~symconv.formulas.phase_channel` to it."""


def polyphase_step(tspec: Any, weight: Any, input_shape: Any, T: Any, *, stated: bool = False) -> Step:
    """The instance step: ``T`` equals ``Q Phi``, the product computed here from the factors' own tables.

    With ``stated`` the theorem has already defined the view (:func:`view_text`): the lemma cites it.
    """
    import math

    import numpy as np

    from ..polyphase import interleave_matrix, phase_convolutions
    from .instance import equality_step

    def product():  # the factors from their own tables; the product computed here
        Phi = phase_convolutions(tspec, weight, input_shape)
        Q = interleave_matrix(tspec, input_shape)
        q = Q.structure
        if Q.weight is not None or (q.coefs.size and not bool(np.all(q.coefs == 1))):
            raise ValueError("the factor Q is not a 0/1 matrix")
        return Q @ Phi

    phases = math.prod(tspec.stride)
    rows, cols = T.shape
    inner = tspec.out_channels * phases * math.prod(
        default_formulas.phase_length(n, k, s, d)
        for n, k, s, d in zip(input_shape, tspec.kernel_size, tspec.stride, tspec.dilation))
    if not (isinstance(inner, int) and inner >= 1):  # a mistaken formula: the step below says what broke
        inner = sympy.Symbol("N", integer=True, positive=True)
    T_ = sympy.MatrixSymbol("T", rows, cols)
    Q_, P_ = sympy.MatrixSymbol("Q", rows, inner), sympy.MatrixSymbol(r"\Phi", inner, cols)
    return equality_step(
        "polyphase view", T, product, T_, sympy.MatMul(Q_, P_, evaluate=False),
        r"the polyphase view, assembled from per-axis phase tables alone (not read off the matrix $T$ it is compared with)"
        + (r": $\hat y$, $Q$ and $\Phi$ as in the theorem" if stated else ". " + view_text(tspec, input_shape)))


def view_text(tspec: Any, input_shape: Any) -> str:
    """The polyphase view in words and formulas, every read of the input inside its range (``\\hat y`` named).

    Shared by the instance lemma of every instance document and the instance theorem of :func:`prove_polyphase`.
    """
    phases = math.prod(tspec.stride)
    several = len(tspec.stride) > 1
    groups = tspec.in_channels > 1 or tspec.out_channels > 1
    axis = "on each axis, " if several else ""
    return (r"Let $\hat y$ be $y$ extended by zero ($\hat y[i] = y[i]$ at the positions $i$ of $y$, "
            r"$\hat y[i] = 0$ at every other integer $i$" + (", axis by axis" if several else "") + "). "
            + ("On each axis, p" if several else "P") + r"hase $t$ ($0 \le t < s$) at position $u$ ($0 \le u < n_u$, "
            r"where $n_u$ is the input length plus $K - 1$ and $K = \lfloor d (k - 1)/s \rfloor + 1$) sums $w[m]\, \hat y[u - (d m - t)/s]$ over the taps $0 \le m < k$ with "
            r"$d m \equiv t \pmod{s}$ (for them $(d m - t)/s$ is an integer)"
            + (r" and over the input channels of the output channel's group" if groups else "")
            + (r"; $\Phi$ is the single phase convolution of the original input (with stride 1 it takes every tap)"
               if phases == 1 else rf"; $\Phi$ stacks these {counted(phases, 'phase convolution')} of the original input")
            + (" for every output channel" if groups else "")
            + (r", and $Q$ places it (one phase: nothing to interleave), " if phases == 1 else
               r", and $Q$ interleaves them, ") + axis + r"output $j = s u + t - p_l$ taking position $u$ of phase $t$, "
            r"cropping by $p_l$ and leaving zeros past the last phase position")


def subpixel_text(tspec: Any) -> str:
    """The sub-pixel recipe's three maps, as the instance theorem defines them (axis and channel words only when
    the layer has several)."""
    several = len(tspec.stride) > 1
    channels = tspec.in_channels > 1 or tspec.out_channels > 1
    every = " on every axis" if several else ""
    out = (r"one output channel $(c, t)$ for each output channel $c$ and phase $t$, whose kernel is phase $t$'s "
           r"sub-kernel of $c$'s weight" if channels else
           r"one output channel for each phase $t$, whose kernel is phase $t$'s sub-kernel")
    moved = (r"position $u$ of channel $(c, t)$ to position $s u + t$ of channel $c$" if channels else
             r"position $u$ of channel $t$ to position $s u + t$")
    return (r"$\operatorname{conv}_{K}$ is one stride-$1$ convolution of $y$ (PyTorch's, a cross-correlation), "
            rf"padded by $K - 1$ on both sides{' of every axis' if several else ''}, with " + out
            + r", flipped, on $K$ taps (the flip turns the cross-correlation into the phase convolution); "
            r"$\operatorname{shuffle}$ moves " + moved + r"; $\operatorname{crop}$ keeps the positions "
            r"$p_l, \dots, p_l + n_T - 1$ (zero past the end)" + every)


def subpixel_step(tspec: Any, T: Any, *, seed: int = 0) -> Step:
    """``T`` against the sub-pixel recipe run as numbers (:func:`~symconv.polyphase.polyphase_numeric`): one
    stride-1 convolution with ``C_out s^N`` channels and weight :func:`~symconv.polyphase.subpixel_weight`, the
    pixel shuffle, the crop — the form PyTorch code runs (``polyphase_torch`` is that recipe with torch's
    ``conv`` and ``PixelShuffle``).  A randomized identity test, as the anchors are."""
    from ..polyphase import polyphase_numeric
    from .anchors import anchor_step

    rows, cols = T.shape
    y_ = sympy.MatrixSymbol("y", cols, 1)
    rule = (r"the sub-pixel form: $\operatorname{crop}(\operatorname{shuffle}(\operatorname{conv}_{K}(y)))$, with "
            r"$\operatorname{conv}_{K}$, $\operatorname{shuffle}$ and $\operatorname{crop}$ as the theorem defines "
            r"them, is the polyphase view written as one stride-$1$ convolution followed by a shuffle and a crop")
    return anchor_step("sub-pixel form", T, lambda wv, yv: polyphase_numeric(tspec, wv, yv), tspec.weight_shape,
                       math.prod(tspec.kernel_size) * (tspec.in_channels // tspec.groups),
                       sympy.MatMul(sympy.MatrixSymbol("T", rows, cols), y_, evaluate=False),
                       sympy.Function(r"\operatorname{crop}")(sympy.Function(r"\operatorname{shuffle}")(
                           sympy.Function(r"\operatorname{conv}_{K}")(y_))), rule, seed=seed + 1)


class _Phases:
    """The expressions of the 1-D polyphase chain, all computed by the (possibly injected) formulas."""

    def __init__(self, F: Any):
        S = POLYPHASE_SYMBOLS
        n, k, s, d, pl, pr, a, j = S.n, S.k, S.s, S.d, S.pl, S.pr, S.a, S.j
        self.F = F
        self.n_t = F.transposed_output_size(n, k, s, pl, pr, d, a)
        self.ranges = (_rel(sympy.Ge, n, 1), _rel(sympy.Ge, k, 1), _rel(sympy.Ge, s, 1), _rel(sympy.Ge, d, 1),
                       _rel(sympy.Ge, pl, 0), _rel(sympy.Ge, pr, 0), _rel(sympy.Le, 0, a),
                       _rel(sympy.Lt, a, sympy.Max(s, d)), _rel(sympy.Ge, self.n_t, 1))
        # the same relations, as the theorem prints them ((H1), ...; n_T named)
        self.range_object = Ranges(tuple(Hypothesis(r) for r in self.ranges[:-1])
                                   + (Hypothesis(self.ranges[-1], names=((N_T, self.n_t),)),))
        self.indices = (_within(0, j, self.n_t), _within(0, S.m, k))
        self.phase = F.phase_of(j, s, pl)
        self.pos = F.phase_position(j, s, pl)
        self.n_u = F.phase_length(n, k, s, d)
        self.kernel = F.phase_kernel_size(k, s, d)


def _claim(name: str, hypotheses: Any, conclusion: Any, shown: Any = None) -> Any:
    S = POLYPHASE_SYMBOLS
    variables = (S.n, S.k, S.s, S.d, S.pl, S.pr, S.a, S.i, S.i2, S.j, S.m, S.m2, S.t, S.t2, S.u, S.u2)
    return prove(name, variables, tuple(hypotheses), conclusion, shown=shown)


_ON_AXIS = ((r"w_t[q] = w[t + s q]", r"w^{(\nu)}_t[q] = w^{(\nu)}[t + s q]"), (r"$w_t$", r"$w^{(\nu)}_t$"),
            (r"w[m]", r"w^{(\nu)}[m]"), (r"y[i]", r"y^{(\nu)}[i]"), (r"\hat y", r"\hat y^{(\nu)}"),
            (r"$y$ extended", r"$y^{(\nu)}$ extended"), (r"(\Phi y)", r"(\Phi^{(\nu)} y^{(\nu)})"))
"""The 1-D chain's sequences renamed for one axis of an N-D layer (its rules read ``w^{(nu)}[m]`` and so on)."""


def _axis_intro() -> str:
    """What the 1-D chain's letters mean when it is the chain on one axis of an N-D layer (its first lemma)."""
    return (r"on one axis $\nu$, with that axis's integers written without the axis ($k$ for $k^{(\nu)}$ and so "
            r"on): $T^{(\nu)}$ is the transposed convolution on that axis alone, with a kernel "
            r"$w^{(\nu)} \in \mathbb{R}^{k}$, acting on $y^{(\nu)} \in \mathbb{R}^{n_{\mathrm{in}}}$; "
            r"$\hat y^{(\nu)}$ is $y^{(\nu)}$ extended by zero, $w^{(\nu)}_t[q] = w^{(\nu)}[m]$ for the tap with "
            r"$d m = t + s q$ ($0$ when there is none) and $(\Phi^{(\nu)} y^{(\nu)})[t, u] = \sum_{q=0}^{K-1} "
            r"w^{(\nu)}_t[q]\, \hat y^{(\nu)}[u - q]$. The separability and sift lemmas below carry this chain to "
            r"all axes, the channels and the groups. ")


def _one_d_steps(P: _Phases, axis: bool = False) -> list[Step]:
    """The 1-D chain; with ``axis`` it is the chain on one axis of an N-D layer, its sequences marked ``(nu)``."""
    steps = _one_d_chain(P, axis)
    if not axis:
        return steps

    def marked(rule: str) -> str:
        for old, new in _ON_AXIS:
            rule = rule.replace(old, new)
        return rule

    steps = [dataclasses.replace(step, rule=marked(step.rule)) for step in steps]
    return [dataclasses.replace(steps[0], rule=_axis_intro() + steps[0].rule[0].upper() + steps[0].rule[1:])] + steps[1:]


def _one_d_chain(P: _Phases, axis: bool) -> list[Step]:
    S, F, N = POLYPHASE_SYMBOLS, P.F, NAMED
    if axis:
        Y, W, TY, YHAT = (sequence("y^(nu)", r"y^{(\nu)}"), sequence("w^(nu)", r"w^{(\nu)}"),
                          sequence("Ty^(nu)", r"(T^{(\nu)} y^{(\nu)})"), sequence("yhat^(nu)", r"\hat{y}^{(\nu)}"))
        W_T, PHI_TU = sequence("w_t^(nu)", r"w^{(\nu)}_{t}"), r"(\Phi^{(\nu)} y^{(\nu)})"
    else:
        Y, W, TY, YHAT = globals()["Y"], globals()["W"], globals()["TY"], globals()["YHAT"]
        W_T, PHI_TU = sequence("w_t", "w_{t}"), r"(\Phi y)"
    n, k, s, d, pl, pr, a, i, i2, j, m, m2, t, u = (S.n, S.k, S.s, S.d, S.pl, S.pr, S.a, S.i, S.i2, S.j, S.m,
                                                    S.m2, S.t, S.u)
    base = P.ranges + P.indices
    tap = F.tap_position(i, m, s, pl, d)
    ph, pos = P.phase, P.pos
    steps: list[Step] = []

    definition = sympy.Sum(W(m) * Indicator(j, tap) * Y(i), (i, 0, n - 1), (m, 0, k - 1))
    convention_nt = (n - 1) * s - pl - pr + d * (k - 1) + a + 1
    steps.append(Step.from_claims(
        TY(j), definition,
        r"definition of the transposed convolution: input $i$ adds $w[m]\, y[i]$ at output $j = s i + d m - p_l$, "
        r"for $0 \le j < n_T$; the index map and the output length used are PyTorch's",
        [_claim("the index map used is PyTorch's", P.ranges + (_within(0, i, n), _within(0, m, k)),
                _eq(tap, s * i + d * m - pl),
                _eq(N.tap_position(i, m, s, pl, d), s * i + d * m - pl)),
         _claim("the output length used is PyTorch's", P.ranges, _eq(P.n_t, convention_nt),
                _eq(N.transposed_output_size(n, k, s, pl, pr, d, a), convention_nt))],
        name="definition"))

    il = F.interleave_position(t, u, s, pl)
    # the phases lemma: used by the sift's justification (t, u are the phase and position of j), not a chain line
    phase_claims = [
        _claim("every output lies in a phase (it is interleaved back)", P.ranges + (_within(0, j, P.n_t),),
               _and(_within(0, ph, s), _rel(sympy.Ge, pos, 0), _eq(F.interleave_position(ph, pos, s, pl), j))),
        _claim("in exactly one phase, at one position", P.ranges + (_within(0, j, P.n_t), _within(0, t, s),
                                                                      _eq(il, j)),
               _and(_eq(t, ph), _eq(u, pos))),
        _claim("the interleaving used is the one stated", P.ranges + (_within(0, t, s), _rel(sympy.Ge, u, 0)),
               _eq(il, s * u + t - pl),
               _eq(N.interleave_position(t, u, s, pl), s * u + t - pl))]

    # t, u: the phase and position of j (the previous step proves they are ph(j) and pos(j))
    at = (_within(0, t, s), _eq(F.interleave_position(t, u, s, pl), j))
    member = _eq(F.phase_residue(m, t, s, d), 0)  # tap m reaches phase t
    src = F.phase_input(u, m, t, s, d)
    phase_sum = sympy.Sum(W(m) * Indicator(F.phase_residue(m, t, s, d), 0) * YHAT(src), (m, 0, k - 1))
    steps.append(Step.from_claims(
        definition, phase_sum,
        r"on the uncropped grid $J = j + p_l$, output $j$ lies in phase "
        r"$t = J \bmod s$ at position $u = \lfloor J/s \rfloor$ and in no other phase, for it is read back as "
        r"$j = \operatorname{interleave}(t, u, s, p_l) = s u + t - p_l$ (the interleaving of the Definitions), and a pair "
        r"$0 \le t < s$, $u$ with $\operatorname{interleave}(t, u, s, p_l) = j$ is that one (the first two claims in its table under Checked claims; the third checks that the "
        r"interleaving evaluated is the one of the Definitions). "
        r"With $t, u$ the phase and position of $j$, a term $(i, m)$ of the definition "
        r"exists exactly when tap $m$ reaches phase $t$ ($d m \equiv t \pmod{s}$) and $i = u - (d m - t)/s$ is an "
        r"input; the pairs correspond one to one (the same tap $m$), with the same weight $w[m]$ and the same input "
        r"index ($\hat y$ is $y$ extended by zero: a tap whose input does not exist adds nothing)",
        phase_claims + [_claim("a term of the definition is a tap of the phase, reading the same input", base + at + (
                _within(0, i, n), _eq(tap, j)), _and(member, _eq(src, i))),
         _claim("a tap of the phase whose input exists is a term of the definition", base + at + (
                member, _within(0, src, n)), _eq(F.tap_position(src, m, s, pl, d), j)),
         _claim("at most one input per tap (injective)", base + (_eq(tap, j), _eq(F.tap_position(i2, m, s, pl, d), j)),
                _eq(i, i2)),
         _claim("taps outside the phase contribute nothing", base + at + (
                _rel(sympy.Ne, F.phase_residue(m, t, s, d), 0),), _rel(sympy.Ne, tap, j))],
        name="sift into the phase"))

    shift = F.phase_tap(m, t, s, d)
    in_phase = (_within(0, t, s), _within(0, m, k), _eq(F.phase_residue(m, t, s, d), 0))
    # the upper limit written K - 1, as the theorem writes it (K = P.kernel, defined in the Notation)
    sub = sympy.Sum(W_T(sympy.Symbol("q", integer=True))
                    * YHAT(u - sympy.Symbol("q", integer=True)),
                    (sympy.Symbol("q", integer=True), 0, sympy.Symbol("K", integer=True) - 1))
    steps.append(Step.from_claims(
        phase_sum, sub,
        r"each phase is a true convolution (not a cross-correlation) of the original input: tap $m$ of phase $t$ sits at shift "
        r"$q = (d m - t)/s$ of a sub-kernel $w_t$ of $K$ taps ($w_t[q] = w[t + s q]$ when $d = 1$), the shifts of "
        r"one phase are distinct, and position $u$ reads $\hat y[u - q]$",
        [_claim(r"the read is position minus the shift $(d m - t)/s$", P.ranges + (_rel(sympy.Ge, u, 0),) + in_phase,
                _eq(s * F.phase_input(u, m, t, s, d), s * u - (d * m - t))),
         _claim(r"the shift is $(d m - t)/s$", P.ranges + in_phase, _eq(s * shift, d * m - t)),
         _claim("every shift lies in the sub-kernel", P.ranges + in_phase, _within(0, shift, P.kernel)),
         _claim("distinct taps of a phase have distinct shifts", P.ranges + in_phase + (
                _within(0, m2, k), _eq(F.phase_residue(m2, t, s, d), 0), _eq(shift, F.phase_tap(m2, t, s, d))),
                _eq(m, m2)),
         _claim(r"with $d = 1$ the sub-kernel is $w[t + s q]$", P.ranges + in_phase + (_eq(d, 1),),
                _eq(m, t + s * shift))],
        name="sub-kernels"))

    cases = sympy.Symbol(r"\begin{cases} " + PHI_TU + r"\left[t, u\right] & \text{for } 0 \le u < n_u \\ "
                         r"0 & \text{for } u \ge n_u \end{cases}")  # the phase convolution, and zero past it
    steps.append(Step.from_claims(
        sub, cases,
        r"the phase convolution: for $0 \le u < n_u$ the sum is $(\Phi y)[t, u]$ by its definition; the phase "
        r"length $n_u = n_{\mathrm{in}} + K - 1$ of this full convolution holds every term, and past it "
        r"($u \ge n_u$) every read $\hat y[u - q]$ lies at or beyond $n_{\mathrm{in}}$ and no term of the definition "
        r"reaches the output, so the interleaving leaves zeros there (zero-extension) and crops by $p_l$ on the left",
        [_claim("the phase length is the full convolution's", P.ranges, _eq(P.n_u, n + P.kernel - 1),
                _eq(N.phase_length(n, k, s, d), n + N.phase_kernel_size(k, s, d) - 1)),
         _claim("every term of a phase lies inside the phase length", P.ranges + in_phase + (_within(0, i, n),),
                _within(0, i + shift, P.n_u)),
         _claim("past the phase length every read lies beyond the input", P.ranges + in_phase + (
                _rel(sympy.Ge, u, P.n_u),), _rel(sympy.Ge, F.phase_input(u, m, t, s, d), n)),
         _claim("outputs past the phases receive no term (zero-extension)", base + at + (
                _rel(sympy.Ge, u, P.n_u), _within(0, i, n)), _rel(sympy.Ne, tap, j)),
         _claim("the phases cover the full uncropped length", P.ranges,
                _rel(sympy.Ge, s * P.n_u, s * (n - 1) + d * (k - 1) + 1))],
        name="crop and zero-extension"))
    assert steps[_CROP - 1].name == "crop and zero-extension"  # the N-D phase lemma cites it by this number
    return steps


def _axes_step(P: _Phases, ndim: int) -> Step:
    """The N-D sift: the tuple index equation is the product of the axes' (separability), so the sum over tuple
    taps factors, and each axis's factor is the 1-D sift with that axis's integers; checked on all axes at once."""
    S, F = POLYPHASE_SYMBOLS, P.F
    names = ("n", "k", "s", "d", "pl", "pr", "a", "i", "j", "m", "t", "u")
    per_axis = []
    for v in range(1, ndim + 1):
        sub = {getattr(S, x): sympy.Symbol(_axis_name(getattr(S, x).name, v), integer=True) for x in names}
        per_axis.append(sub)
    hyps, terms, taps = [], [], []
    for sub in per_axis:
        n, k, s, d, pl, i, j, m, t, u = (sub[getattr(S, x)] for x in ("n", "k", "s", "d", "pl", "i", "j", "m", "t", "u"))
        hyps += [h.xreplace(sub) for h in P.ranges + P.indices]
        hyps += [_within(0, t, s), _eq(F.interleave_position(t, u, s, pl), j)]
        terms.append((_within(0, i, n), _eq(F.tap_position(i, m, s, pl, d), j)))
        member, src = _eq(F.phase_residue(m, t, s, d), 0), F.phase_input(u, m, t, s, d)
        taps.append((member, src, i, _within(0, src, n), _eq(F.tap_position(src, m, s, pl, d), j)))
    variables = tuple(x for sub in per_axis for x in sub.values())
    every = "both axes" if ndim == 2 else "every axis"
    claims = [
        prove(f"a term of the definition on {every} is a tap of the phase on {every}, reading the same input",
              variables, tuple(hyps) + tuple(h for term in terms for h in term),
              _and(*(_and(member, _eq(src, i)) for member, src, i, _, _ in taps))),
        prove(f"a tap of the phase on {every} whose input exists is a term of the definition on {every}",
              variables, tuple(hyps) + tuple(h for member, _, _, inside, _ in taps for h in (member, inside)),
              _and(*(hit for *_, hit in taps))),
    ]
    axes = range(1, ndim + 1)
    on = lambda f: ", ".join(f(v) for v in axes)  # noqa: E731
    lhs = _nd_definition(ndim)
    rhs = _axes_rhs(ndim)
    return Step.from_claims(
        lhs, rhs,
        rf"the {ndim}-D sift: because the index map is separable ($f_\nu$ depends on the input position $i_\nu$ "
        r"and tap $m_\nu$ of axis $\nu$ only), for a fixed input channel $c$ and tuple tap "
        rf"$({on(lambda v: f'm_{v}')})$ the sum over the input positions $({on(lambda v: f'i_{v}')})$ is the "
        r"product, over the axes, of the sums over $i_\nu$ of $[j_\nu = f_\nu]$, and each is the 1-D sift on its "
        r"axis (with that axis's integers and its phase $t_\nu$ and position $u_\nu$): a term exists on "
        rf"{every} exactly when each tap $m_\nu$ reaches phase $t_\nu$ and reads "
        r"$i_\nu = u_\nu - (d^{(\nu)} m_\nu - t_\nu)/s^{(\nu)}$ (the claims in its table under Checked claims, on all axes at once). The "
        r"sub-kernel lemma on each axis then sends the taps of the phase one to one to the shifts $q_\nu$, the "
        r"same weight at the same read (a shift that no tap reaches has the weight $0$), which is the sum on the "
        r"right",
        claims, name=f"the {ndim}-D sift")


_GROUP = r"\sum_{c = \gamma C_{\mathrm{in}}/g}^{(\gamma + 1) C_{\mathrm{in}}/g - 1} "


def _nd_definition(ndim: int, flat: bool = False) -> sympy.Symbol:
    """The definition of the N-D transposed convolution with groups at ``(o, j_1, ...)``: the sum over the input
    channels of the group, the input positions and the taps, with the tuple index equation written flat
    (``flat=True``, as the definition reads it) or as the product of the axes' equations."""
    axes = range(1, ndim + 1)
    on = lambda f: ", ".join(f(v) for v in axes)  # noqa: E731
    equation = (rf"\left[\operatorname{{flat}}({on(lambda v: f'j_{v}')}) = \operatorname{{flat}}({on(lambda v: f'f_{v}')})\right]"
                if flat else " ".join(rf"\left[j_{v} = f_{v}\right]" for v in axes))
    return sympy.Symbol(
        _GROUP + " ".join(rf"\sum_{{\substack{{0 \le i_{v} < n_{{\mathrm{{in}}}}^{{({v})}}\\0 \le m_{v} < k^{{({v})}}}}}}"
                          for v in axes)
        + rf" w[c, o - \gamma c_o, {on(lambda v: f'm_{v}')}]\, y[c, {on(lambda v: f'i_{v}')}] " + equation)


def _flat_tex(letter: str, ndim: int) -> str:
    """The row-major flat position of ``(letter_1, ..., letter_ndim)`` on the output axes of sizes
    ``n_T^{(1)}, ...``, written with the Definitions' ``flat(alpha, beta, B)`` applied axis after axis (the
    flattening the builders execute)."""
    out = f"{letter}_1"
    for v in range(2, ndim + 1):
        out = rf"\operatorname{{flat}}({out}, {letter}_{v}, n_T^{{({v})}})"
    return out


def output_sizes(step: Step, ndim: int) -> Step:
    """The shared separability lemma with its axis sizes ``n_1, ...`` renamed ``n_T^{(1)}, ...``, the output sizes
    of a transposed convolution (in its documents ``n`` is an input length).  Renaming a universally quantified
    variable changes nothing the solver proved; the claims' SMT-LIB text is renamed alike."""
    from .smt import _safe

    rename = {sympy.Symbol(f"n_{v}", integer=True): sympy.Symbol(f"n_T^{{({v})}}", integer=True)
              for v in range(1, ndim + 1)}
    names = {str(a): str(b) for a, b in rename.items()}

    def text(smt: str) -> str:
        for a, b in rename.items():
            smt = re.sub(rf"\b{_safe(str(a))}\b", _safe(str(b)), smt)
        return smt

    def keys(model: Any) -> Any:
        return None if model is None else {names.get(k, k): v for k, v in model.items()}

    def claim(c: Any) -> Any:
        if not any(x in rename for x in c.variables):
            return c
        return dataclasses.replace(
            c, variables=tuple(rename.get(x, x) for x in c.variables),
            hypotheses=tuple(h.xreplace(rename) for h in c.hypotheses), conclusion=c.conclusion.xreplace(rename),
            counterexample=keys(c.counterexample), witness=keys(c.witness),
            smtlib=text(c.smtlib), sat_smtlib=text(c.sat_smtlib))

    return dataclasses.replace(
        step, lhs=step.lhs.xreplace(rename), rhs=step.rhs.xreplace(rename),
        rule=step.rule.replace(r"of size $n_\nu$", r"of size $n_T^{(\nu)}$"),
        condition=step.condition.replace(r"n_\nu", r"n_T^{(\nu)}"),
        claims=tuple(claim(c) for c in step.claims), counterexample=keys(step.counterexample))


def _nd_definition_step(ndim: int, F: Any = default_formulas) -> Step:
    """The first line of the N-D chain: ``(T y)[o, j]`` is the definition with groups, whose flat index equation is
    the product of the axes' equations (the separability lemma, its claims)."""
    from .general import _separability_step  # one lemma, shared with the gather chain

    sep = output_sizes(_separability_step(ndim, F), ndim)  # the sizes are the output sizes n_T^(nu) here
    axes = range(1, ndim + 1)
    on = lambda f: ", ".join(f(v) for v in axes)  # noqa: E731
    js = on(lambda v: f"j_{v}")
    equation = rf"\left[{_flat_tex('j', ndim)} = {_flat_tex('f', ndim)}\right] = " + " ".join(
        rf"\left[j_{v} = f_{v}\right]" for v in axes)
    own = sep.rule.split(":", 1)[1].strip() if sep.rule.startswith("separability:") else sep.rule
    rule = (rf"the definition with groups: $(T y)[o, {js}]$ is the sum of "
            r"$w[c, o - \gamma c_o, m_1, \dots]\, y[c, i_1, \dots]$ over the input channels $c$ of the group "
            r"$\gamma = \operatorname{grp}(o, c_o)$ of $o$, the input positions $0 \le i_\nu < n_{\mathrm{in}}^{(\nu)}$ and the taps "
            r"$0 \le m_\nu < k^{(\nu)}$ whose output position, flattened row-major, is that of $(" + js + r")$; "
            r"the index equation of flat positions is the product of the axes' equations, $" + equation + r"$ for "
            r"positions $0 \le j_\nu, f_\nu < n_T^{(\nu)}$ (the outputs of the theorem; a term whose $f_\nu$ "
            r"lies outside the output adds to no output), because " + own[0].lower() + own[1:])
    head = ", ".join(f"j_{{{v}}}" for v in axes)  # braced: a bare j_1 is read as a subscript of the whole name
    # the range is said in the lemma, not beside the display: the display's right side is then the next line's
    # left side, and the chain goes on without repeating the sum
    return dataclasses.replace(sep, lhs=sympy.Symbol(rf"(T y)[o, {head}]"), rhs=_nd_definition(ndim), rule=rule,
                               condition="")


def _nd_phase_step(P: _Phases, ndim: int) -> Step:
    """The last line of the N-D chain: the sum over the shifts is Phi inside the phases, zero past them (on an axis
    with ``u_nu >= n_u``, every read of that axis lies beyond the input)."""
    S = POLYPHASE_SYMBOLS
    axes = range(1, ndim + 1)
    on = lambda f: ", ".join(f(v) for v in axes)  # noqa: E731
    every = "both axes" if ndim == 2 else "every axis"
    nu = {getattr(S, x): sympy.Symbol(_axis_name(getattr(S, x).name, r"\nu"), integer=True)
          for x in ("n", "k", "s", "d", "pl", "pr", "a", "u")}
    q = sympy.Symbol(r"q_\nu", integer=True)
    n_u, kernel = P.n_u.xreplace(nu), P.kernel.xreplace(nu)
    ranges = tuple(h.xreplace(nu) for h in P.ranges)
    u = nu[S.u]
    claims = [
        prove(r"on an axis with $u_\nu \ge n_u^{(\nu)}$ every read $u_\nu - q_\nu$ lies beyond the input",
              tuple(nu.values()) + (q,), ranges + (_rel(sympy.Ge, u, n_u), _within(0, q, kernel)),
              _rel(sympy.Ge, u - q, nu[S.n])),
    ]
    phases, us = on(lambda v: f"t_{v}"), on(lambda v: f"u_{v}")
    cases = sympy.Symbol(
        rf"\begin{{cases}} (\Phi y)[o, {phases}, {us}] & \text{{when }} u_\nu < n_u^{{(\nu)}} \text{{ on {every}}} "
        r"\\ 0 & \text{otherwise} \end{cases}")
    return Step.from_claims(
        _axes_rhs(ndim), cases,
        rf"the phase convolution on {every}: when $0 \le u_\nu < n_u^{{(\nu)}}$ on {every}, the sum is "
        rf"$(\Phi y)[o, {phases}, {us}]$ by its definition in the theorem; on an axis with "
        r"$u_\nu \ge n_u^{(\nu)}$ every read $u_\nu - q_\nu$ of that axis ($0 \le q_\nu < K^{(\nu)}$) lies at or "
        r"beyond $n_{\mathrm{in}}^{(\nu)}$, so every term reads a zero of $\hat y$ and the sum is $0$ (Lemma "
        rf"1.{_CROP} on that axis)",
        claims, name=f"the {ndim}-D phase convolution")


_CROP = 4
"""The number of the crop lemma among the 1-D lemmas (:func:`_one_d_steps`, Theorem 1 of every document that
states the N-D view: the 1-D chain's lemmas come first, or are Theorem 1's)."""


def _axes_rhs(ndim: int) -> sympy.Symbol:
    """The sum over the shifts of the N-D sift (its right side, the phase convolution's left side)."""
    axes = range(1, ndim + 1)
    on = lambda f: ", ".join(f(v) for v in axes)  # noqa: E731
    return sympy.Symbol(
        _GROUP + " ".join(rf"\sum_{{q_{v}=0}}^{{K^{{({v})}}-1}}" for v in axes)
        + rf" w_{{{on(lambda v: f't_{v}')}}}[c, o - \gamma c_o, {on(lambda v: f'q_{v}')}]\, "
        + rf"\hat y[c, {on(lambda v: f'u_{v} - q_{v}')}]")


def _axis_name(name: str, v: int) -> str:
    """A symbol's name on axis ``v``: ``n_in`` becomes ``n_{\\mathrm{in}}^{(v)}``, ``t`` becomes ``t_v``."""
    if name in ("i", "j", "m", "t", "u"):
        return f"{name}_{v}"
    base = {"n_in": r"n_{\mathrm{in}}", "p_l": "p_{l}", "p_r": "p_{r}"}.get(name, name)
    return f"{base}^{{({v})}}"


def _phase_channel_step(F: Any) -> Step:
    """Channels: phase t of output channel o is channel o N_ph + t of the sub-pixel convolution, in o's group."""
    o, t, t2, o2, co, g = sympy.symbols("o t t' o' c_o g", integer=True)
    ph = sympy.Symbol(r"N_{\mathrm{ph}}", integer=True)
    ranges = (_rel(sympy.Ge, ph, 1), _rel(sympy.Ge, co, 1), _rel(sympy.Ge, g, 1), _within(0, o, g * co),
              _within(0, t, ph))
    pch = F.phase_channel(o, t, ph)
    variables = (o, t, t2, o2, ph, co, g)
    claims = [
        prove("the phase channel used is PixelShuffle's layout", (o, t, ph),
              (_rel(sympy.Ge, ph, 1), _rel(sympy.Ge, o, 0), _within(0, t, ph)), _eq(pch, o * ph + t),
              shown=_eq(C_PHI(o, t, ph), o * ph + t)),
        prove("phase channels lie in range", variables, ranges, _within(0, pch, g * co * ph)),
        prove("phase channels are distinct", variables, ranges + (_within(0, o2, g * co), _within(0, t2, ph),
                                                                  _eq(pch, F.phase_channel(o2, t2, ph))),
              _and(_eq(o, o2), _eq(t, t2))),
        prove("a phase channel stays in its channel's group", variables, ranges,
              _eq(F.channel_group(pch, co * ph), F.channel_group(o, co))),
    ]
    return Step.from_claims(
        sympy.Symbol(r"(\Phi y)[o, t, \cdot]"), sympy.Symbol(r"(\operatorname{conv}_{K} y)[o N_{\mathrm{ph}} + t, \cdot]"),
        r"channels: with $N_{\mathrm{ph}}$ phases and $c_o = C_{\mathrm{out}}/g$ output channels per group, phase $t$ "
        r"($0 \le t < N_{\mathrm{ph}}$, flattened row-major over the axes) of output channel $o$ is the channel "
        r"$c_{\Phi}(o, t, N_{\mathrm{ph}}) = o N_{\mathrm{ph}} + t$ (as the theorem defines it) "
        r"of $\operatorname{conv}_{K} y$, the sub-pixel convolution of the "
        r"theorem: one stride-$1$ convolution of $y$ (a cross-correlation, as PyTorch's) padded by $K - 1$ on both "
        r"sides of every axis, with $C_{\mathrm{out}} N_{\mathrm{ph}}$ output channels (PixelShuffle's layout) "
        r"and, on channel $o N_{\mathrm{ph}} + t$, the sub-kernel of phase $t$ of $o$ flipped on every axis, so "
        r"that it computes the true convolution $\Phi$; these channels are distinct, and "
        r"channel $o N_{\mathrm{ph}} + t$ lies in the group of $o$, so $\operatorname{conv}_{K}$ keeps the layer's $g$ "
        r"groups",
        claims, name="phase channels")


def _statement_1d(P: _Phases) -> str:
    S, tex = POLYPHASE_SYMBOLS, sympy.latex
    return (
        r"Let $n_{\mathrm{in}}, k, s, d, p_{l}, p_{r}, a$ be integers satisfying the hypotheses" "\n"
        + P.range_object.itemized() + "\n"
        r"let $y \in \mathbb{R}^{n_{\mathrm{in}}}$, $w \in \mathbb{R}^{k}$, and let $T y$ be the transposed "
        r"convolution of $y$ with stride $s$, dilation $d$, padding $p_{l}, p_{r}$ and output padding $a$. Let "
        r"$\hat y$ be $y$ extended by zero: $\hat y[i] = y[i]$ for $0 \le i < n_{\mathrm{in}}$ and $\hat y[i] = 0$ "
        rf"at every other integer $i$. Let $K = {tex(P.kernel)}$ and $n_u = n_{{\mathrm{{in}}}} + K - 1$. For a phase "
        r"$0 \le t < s$, let the sub-kernel $w_t$ have the entries $w_t[q] = w[m]$ for the tap $0 \le m < k$ with "
        r"$d m = t + s q$, and $w_t[q] = 0$ when no tap has that shift ($0 \le q < K$); the phase convolution, a "
        r"true (full) convolution of $\hat y$ with $w_t$, not a cross-correlation, is" "\n"
        r"\[(\Phi y)[t, u] = \sum_{q=0}^{K-1} w_t[q]\, \hat y[u - q], \qquad 0 \le u < n_u.\]" "\n"
        rf"Then every output $0 \le j < n_T$, with $t = {tex(P.F.phase_of(S.j, S.s, S.pl))}$ and "
        rf"$u = {tex(P.F.phase_position(S.j, S.s, S.pl))}$, satisfies $(T y)[j] = (\Phi y)[t, u]$ when $u < n_u$, "
        r"and $(T y)[j] = 0$ when $u \ge n_u$.")


def _statement_nd(P: _Phases, ndim: int) -> str:
    axes = range(1, ndim + 1)
    on = lambda f: ", ".join(f(v) for v in axes)  # noqa: E731
    both = "both axes" if ndim == 2 else "every axis"
    sizes = r" \times ".join(rf"n_{{\mathrm{{in}}}}^{{({v})}}" for v in axes)
    kernel = r" \times ".join(rf"k^{{({v})}}" for v in axes)
    phases = on(lambda v: f"t_{v}")
    shifts = on(lambda v: f"q_{v}")
    items = ("\\begin{itemize}\n" + "\n".join(rf"\item[(H{n})] ${h}$ on every axis"
                                              for n, h in enumerate(P.range_object.latex(), 1))
             + "\n\\end{itemize}")
    sums = " ".join(rf"\sum_{{q_{v}=0}}^{{K^{{({v})}}-1}}" for v in axes)
    flat = "t_1" if ndim == 1 else " + ".join(
        f"t_{{{v}}}" + "".join(rf" s^{{({x})}}" for x in range(v + 1, ndim + 1)) for v in axes)
    n_ph = " ".join(rf"s^{{({v})}}" for v in axes)
    return (
        rf"Let there be ${ndim}$ spatial axes $\nu = {on(str)}$, each with its own integers "
        r"$n_{\mathrm{in}}^{(\nu)}, k^{(\nu)}, s^{(\nu)}, d^{(\nu)}, p_{l}^{(\nu)}, p_{r}^{(\nu)}, a^{(\nu)}$, "
        r"satisfying the hypotheses (written without the axis)" "\n" + items + "\n"
        r"and let $g \ge 1$ groups divide $C_{\mathrm{in}}$ and $C_{\mathrm{out}}$, with "
        r"$c_o = C_{\mathrm{out}}/g$ output channels per group. Let "
        rf"$y \in \mathbb{{R}}^{{C_{{\mathrm{{in}}}} \times {sizes}}}$, "
        rf"$w \in \mathbb{{R}}^{{C_{{\mathrm{{in}}}} \times c_o \times {kernel}}}$, and let $T y$ be "
        r"the transposed convolution of $y$ with $g$ groups and, on each axis $\nu$, stride $s^{(\nu)}$, dilation "
        r"$d^{(\nu)}$, padding $p_{l}^{(\nu)}, p_{r}^{(\nu)}$ and output padding $a^{(\nu)}$. Let $\hat y$ be $y$ "
        rf"extended by zero: $\hat y[c, {on(lambda v: f'i_{v}')}] = y[c, {on(lambda v: f'i_{v}')}]$ when "
        rf"$0 \le i_\nu < n_{{\mathrm{{in}}}}^{{(\nu)}}$ on {both}, and $0$ at every other integer position. On "
        r"axis $\nu$ let $K^{(\nu)} = \lfloor d^{(\nu)} (k^{(\nu)} - 1)/s^{(\nu)} \rfloor + 1$ and "
        r"$n_u^{(\nu)} = n_{\mathrm{in}}^{(\nu)} + K^{(\nu)} - 1$. For phases $0 \le t_\nu < s^{(\nu)}$ and shifts "
        rf"$0 \le q_\nu < K^{{(\nu)}}$, let the sub-kernel entry $w_{{{phases}}}[c, c_{{l}}, {shifts}]$ be "
        rf"$w[c, c_{{l}}, {on(lambda v: f'm_{v}')}]$ for the taps $0 \le m_\nu < k^{{(\nu)}}$ with "
        rf"$d^{{(\nu)}} m_\nu = t_\nu + s^{{(\nu)}} q_\nu$ on {both}, and $0$ when there are no such taps "
        r"($0 \le c < C_{\mathrm{in}}$, $0 \le c_{l} < c_o$). For an "
        r"output channel $o$, of group $\operatorname{grp}(o, c_o) = \lfloor o / c_o \rfloor$ (written $\gamma$), and positions "
        r"$0 \le u_\nu < n_u^{(\nu)}$, let" "\n"
        rf"\[(\Phi y)[o, {phases}, {on(lambda v: f'u_{v}')}] = "
        r"\sum_{c = \gamma C_{\mathrm{in}}/g}^{(\gamma + 1) C_{\mathrm{in}}/g - 1} " + sums
        + rf" w_{{{phases}}}[c, o - \gamma c_o, {shifts}]\, "
        rf"\hat y[c, {on(lambda v: f'u_{v} - q_{v}')}],\]" "\n"
        rf"a true (full) convolution on every axis, summed over the input channels of the group of $o$. Then for "
        rf"every output channel $o$ and output position $0 \le j_\nu < n_T^{{(\nu)}}$, with "
        r"$t_\nu = (j_\nu + p_{l}^{(\nu)}) \bmod s^{(\nu)}$ and "
        r"$u_\nu = \lfloor (j_\nu + p_{l}^{(\nu)})/s^{(\nu)} \rfloor$, "
        rf"$(T y)[o, {on(lambda v: f'j_{v}')}] = (\Phi y)[o, {phases}, {on(lambda v: f'u_{v}')}]$ when "
        rf"$u_\nu < n_u^{{(\nu)}}$ on {both}, and $(T y)[o, {on(lambda v: f'j_{v}')}] = 0$ otherwise. The layer "
        rf"has $N_{{\mathrm{{ph}}}} = {n_ph}$ phases $({phases})$, flattened row-major to $t = {flat}$, and "
        rf"$(\Phi y)[o, {phases}, \cdot]$ is channel $c_{{\Phi}}(o, t, N_{{\mathrm{{ph}}}}) = o N_{{\mathrm{{ph}}}} + t$ "
        rf"of $\operatorname{{conv}}_{{K}} y$, "
        r"the sub-pixel convolution: the stride-$1$ convolution of $y$ (PyTorch's, a cross-correlation) with "
        r"$C_{\mathrm{out}} N_{\mathrm{ph}}$ output channels, the layer's $g$ groups, padding $K^{(\nu)} - 1$ on "
        r"both sides of axis $\nu$, and kernel of size $K^{(\nu)}$ whose entry for channel $o N_{\mathrm{ph}} + t$, "
        r"input channel $c - \gamma C_{\mathrm{in}}/g$ of its group (the position in the group of an input "
        rf"channel $c$ of the group $\gamma$ of $o$) and taps $({on(lambda v: f'K^{{({v})}} - 1 - q_{v}')})$ is the sub-kernel entry "
        rf"$w_{{{phases}}}[c, o - \gamma c_o, {shifts}]$: the sub-kernel flipped, which turns the "
        r"cross-correlation into the true convolution $\Phi$. In the proof, the chain opens on each axis $\nu$ "
        r"alone: $T^{(\nu)}$, $y^{(\nu)}$, $w^{(\nu)}$, $\hat y^{(\nu)}$, $w^{(\nu)}_t$ and $\Phi^{(\nu)}$ are the "
        r"transposed convolution of that axis alone, its input, its kernel, the input extended by zero, the "
        r"sub-kernels and the phase convolutions, as its first lemma states them.")


@guarded("The polyphase view of a transposed convolution (all sizes)")
def prove_polyphase_general(ndim: int = 1, *, formulas: Any = None) -> Proof:
    """The parametric proof of the polyphase view, for all sizes.

    For all integers in the ranges of the statement (generated from the same
    relations the solver receives) and every output ``0 <= j < n_T``, the
    transposed convolution at ``j`` is the phase convolution of phase
    ``t = (j + p_l) mod s`` at position ``u = (j + p_l) div s`` (zero past the
    phases).  For ``ndim > 1`` the proof adds separability of the flattened
    index (as in :func:`~symconv.prove_transpose_general`) and the phase
    channel lemma.

    Parameters
    ----------
    ndim : int
        The number of spatial axes.
    formulas : module, optional
        Replaces :mod:`symconv.formulas` (to watch a corrupted formula fail a step).

    Returns
    -------
    Proof
        Its steps, each a set of integer claims checked by z3.

    Raises
    ------
    SpecError
        When ``ndim`` is not a positive integer (before the proof starts; see :mod:`symconv.proofs`).

    Examples
    --------
    >>> proof = prove_polyphase_general()
    >>> proof.holds, [step.name for step in proof.steps]
    (True, ['definition', 'sift into the phase', 'sub-kernels', 'crop and zero-extension'])
    """
    if isinstance(ndim, bool) or not isinstance(ndim, int) or ndim < 1:
        raise SpecError(f"ndim must be a positive integer, got {ndim!r}")
    started()
    F = default_formulas if formulas is None else formulas
    P = _Phases(F)
    steps = _one_d_steps(P, axis=ndim > 1)
    if ndim > 1:
        steps += [_nd_definition_step(ndim, F), _axes_step(P, ndim), _nd_phase_step(P, ndim), _phase_channel_step(F)]
    statement = _statement_1d(P) if ndim == 1 else _statement_nd(P, ndim)
    conclusion = (r"a transposed convolution with stride $s$ is $s$ convolutions of its input, interleaved."
                  if ndim == 1 else
                  r"a transposed convolution with strides $s^{(\nu)}$ is $\prod_\nu s^{(\nu)}$ convolutions of its input, "
                  "interleaved.")
    return Proof(
        f"The polyphase view of a transposed convolution ({ndim}-D, all sizes)", statement, tuple(steps),
        assumptions=P.ranges, conclusion=conclusion,
        data=dict(ndim=ndim, ranges=P.range_object),
    )


EQUAL_TAPS_BOX = (24, 8, 8)
"""The box ``1 <= k <= 24``, ``1 <= s <= 8``, ``1 <= d <= 8`` over which the equal-taps lemmas are enumerated."""

_TAPS = r"\operatorname{taps}[t] = \#\{m : 0 \le m < k,\ d m \equiv t \pmod{s}\}"


def equal_taps_steps(box: tuple[int, int, int] = EQUAL_TAPS_BOX) -> list[Step]:
    """The three lemmas of the equal-taps criterion, each a written argument and an exact enumeration over ``box``.

    The lemmas: a common factor of ``s`` and ``d`` empties phase 1; with ``gcd(s, d) = 1`` phase ``t`` has
    ``ceil((k - r_t)/s)`` taps, ``r_t = d^{-1} t mod s``; so the counts are all equal exactly when ``s | k`` and
    ``gcd(s, d) = 1``.  The enumeration counts the taps from the definition (:func:`~symconv.polyphase.check_equal_taps`);
    a step fails (``holds`` False) where its lemma fails at a triple of the box.
    """
    from ..latex.phrases import counted
    from ..polyphase import check_equal_taps

    c = check_equal_taps(*box)
    where = (rf"the box $1 \le k \le {c.k_max}$, $1 \le s \le {c.s_max}$, $1 \le d \le {c.d_max}$ "
             rf"({counted(c.triples, 'triple', words=False)} $(k, s, d)$)")
    coprime = c.triples - c.common_factor

    def failed(triples: tuple) -> str:
        shown = ", ".join(f"(k, s, d) = {t}" for t in triples[:3])
        return f"fails at {counted(len(triples), 'triple', words=False)} of the box, first {shown}"

    sym = sympy.Symbol
    return [
        Step(sym(r"\operatorname{taps}[1]"), sym(r"0 \ \text{and}\ \operatorname{taps}[0] \ge 1 \quad \text{when } \gcd(s, d) > 1"),
             r"a common factor empties a phase: let $\gcd(s, d) > 1$, so $s \ge 2$. If $d m \equiv 1 "
             r"\pmod{s}$, then $d m - 1$ is a multiple of $s$; $\gcd(s, d)$ divides $d m$ and $s$, hence it divides "
             r"$1$, which is false. So no tap reaches phase $1$, $\operatorname{taps}[1] = 0$, while tap $m = 0$ reaches phase $0$, "
             r"$\operatorname{taps}[0] \ge 1$: the counts are not all equal. Enumerated over " + where
             + r", counting the taps from the definition",
             "enumeration", not c.empty_phase_failures,
             (f"phase 1 empty and phase 0 holding tap 0 at each of the {c.common_factor} triples of the box "
              "where stride and dilation have a common factor") if not c.empty_phase_failures else failed(c.empty_phase_failures),
             name="an empty phase"),
        Step(sym(r"\operatorname{taps}[t]"), sym(r"\left\lceil \frac{k - r_t}{s} \right\rceil \quad \text{when } \gcd(s, d) = 1, \text{ with } "
                                                 r"r_t = d^{-1} t \bmod s"),
             r"coprime stride and dilation: let $\gcd(s, d) = 1$. Then $d$ has an inverse $d^{-1}$ modulo $s$, and "
             r"with $r_t = d^{-1} t \bmod s$, $d m \equiv t \pmod{s}$ exactly when $m \equiv r_t \pmod{s}$: the "
             r"taps of phase $t$ are $r_t, r_t + s, r_t + 2 s, \dots$ below $k$, so $\operatorname{taps}[t] = \lceil (k - r_t)/s "
             r"\rceil$. As $t$ runs over $0, \dots, s - 1$, so does $r_t$, since $m \mapsto d m \bmod s$ is a "
             r"bijection of the residues with inverse $t \mapsto r_t$. Enumerated over " + where
             + r", counting the taps from the definition",
             "enumeration", not c.count_failures,
             (f"every phase count equal to the count of the lemma at each of the {coprime} triples of the box "
              "where stride and dilation are coprime") if not c.count_failures else failed(c.count_failures),
             name="coprime counts"),
        Step(sym(r"\left[\operatorname{taps}[0] = \dots = \operatorname{taps}[s - 1]\right]"),
             sym(r"\left[s \mid k\right] \left[\gcd(s, d) = 1\right]"),
             r"equal counts exactly when $s \mid k$ and $\gcd(s, d) = 1$: when $\gcd(s, d) > 1$ the counts "
             r"differ (the first lemma). When $\gcd(s, d) = 1$, write $k = s \kappa + \rho$ with $0 \le \rho < s$; "
             r"then $\lceil (k - r)/s \rceil = \kappa + [r < \rho]$ for $0 \le r < s$, and $r_t$ takes every "
             r"residue $r$ (the second lemma), so the counts are $\kappa + 1$ at $\rho$ phases and $\kappa$ at "
             r"the others: all equal exactly when $\rho = 0$, that is, when $s \mid k$. Enumerated over " + where
             + r", the counts from the definition against the criterion",
             "enumeration", not c.criterion_failures,
             f"equal counts exactly where the criterion holds, at all {c.triples} triples of the box"
             if not c.criterion_failures else failed(c.criterion_failures),
             name="the equal-taps criterion"),
    ]


@guarded("The equal-taps criterion of the phases")
def prove_equal_taps(box: tuple[int, int, int] = EQUAL_TAPS_BOX) -> Proof:
    """Every phase of a transposed convolution has the same number of taps exactly when ``s | k`` and
    ``gcd(s, d) = 1``: the written proof, in three lemmas, each also enumerated exactly over ``box``.

    Parameters
    ----------
    box : tuple of int
        ``(k_max, s_max, d_max)``: the enumeration covers ``1 <= k <= k_max``, ``1 <= s <= s_max``,
        ``1 <= d <= d_max``.

    Returns
    -------
    Proof
        Its steps :func:`equal_taps_steps`; ``holds`` is False when a lemma fails at a triple of the box.

    Examples
    --------
    >>> proof = prove_equal_taps((8, 4, 4))
    >>> proof.holds, [step.name for step in proof.steps][-1]
    (True, 'the equal-taps criterion')
    """
    started()
    statement = (r"Let $k, s, d \ge 1$ be integers (kernel size, stride, dilation) and, for a phase $0 \le t < s$, "
                 rf"let ${_TAPS}$ be the number of taps that reach phase $t$. Then all phases have the same number "
                 r"of taps, $\operatorname{taps}[0] = \dots = \operatorname{taps}[s-1]$, exactly when $s$ divides $k$ and "
                 r"$\gcd(s, d) = 1$.")
    return Proof("The equal-taps criterion of the phases", statement, tuple(equal_taps_steps(box)),
                 conclusion=r"every phase has the same number of taps exactly when $s \mid k$ and $\gcd(s, d) = 1$.",
                 data=dict(box=box))


FACTORS_SHOWN = 16
"""The largest number of rows or columns at which the instance proof displays T, Q and Phi in full."""


def _factors_note(tspec: Any, weight: Any, input_shape: Any, T: Any) -> str:
    """The factors Q and Phi of a small instance, and T, displayed in full (empty when one is larger than
    :data:`FACTORS_SHOWN` or a factor cannot be built: the proof's step then says what broke)."""
    from ..latex.printing import matrix_latex
    from ..polyphase import interleave_matrix, phase_convolutions

    try:
        Phi = phase_convolutions(tspec, weight, input_shape)
        Q = interleave_matrix(tspec, input_shape)
    except Exception:  # a mistaken factor: the polyphase view step fails and says why
        return ""
    if max(Q.shape + Phi.shape + T.shape) > FACTORS_SHOWN:
        return ""
    sizes = [default_formulas.phase_kernel_size(k, s, d) for k, s, d in
             zip(tspec.kernel_size, tspec.stride, tspec.dilation)]
    several = len(input_shape) > 1 or tspec.out_channels > 1
    order = (r"the rows of $\Phi$ and the columns of $Q$ are ordered by the phase channel "
             r"$o N_{\mathrm{ph}} + t$, then by the position $u$ (row-major over the axes)" if several else
             r"the rows of $\Phi$ and the columns of $Q$ are the pairs $(t, u)$, phase $0$ first, then $u$ in order")
    K = (f"K = {sizes[0]}" if len(sizes) == 1 else
         "(" + ", ".join(f"K^{{({v})}}" for v in range(1, len(sizes) + 1)) + ") = (" + ", ".join(map(str, sizes)) + ")")
    return (rf"For this layer ${K}$, and the factors, read off their own tables, are $Q$ with "
            rf"${Q.shape[0]} \times {Q.shape[1]}$ entries and $\Phi$ with ${Phi.shape[0]} \times {Phi.shape[1]}$ "
            "(" + order + r"):" "\n"
            rf"\[Q = {matrix_latex(Q, full=True)}, \qquad \Phi = {matrix_latex(Phi, full=True)},\]" "\n"
            rf"and their product is $T = {matrix_latex(T, full=True)}$.")


@guarded("The polyphase view of a transposed convolution (instance)")
def prove_polyphase(spec: Any, input_shape: Any, *, name: str = "w", seed: int = 0) -> Proof:
    """Prove, for concrete sizes, that the transposed convolution is its polyphase view ``Q Phi``.

    For a :class:`~symconv.ConvSpec` the layer is ``spec.transpose(input_shape)`` on the convolution's
    output (as in :func:`~symconv.prove_transpose`).  The steps: the convention (the numeric definition
    against PyTorch's written one), T anchored to the numeric definition, and T against the product
    ``Q Phi`` of the phase convolutions and the interleave-and-crop matrix, computed here from their own
    tables.  A mistake is a result: ``holds`` is False and the failed step says where.

    Parameters
    ----------
    spec : ConvSpec or TransposedConvSpec
        The layer: a convolution (the proof is about its transpose) or a transposed convolution.
    input_shape : tuple of int
        The spatial input shape of ``spec``.
    name : str
        The kernel symbols' name.
    seed : int
        Seed of the anchor's random inputs.

    Returns
    -------
    Proof
        Its steps, each with its checker; ``holds``, ``failure``, ``to_latex()``, ``to_document()``.

    Raises
    ------
    SpecTypeError
        For a spec of the wrong kind, or a name that is not a string (see :mod:`symconv.proofs`).
    ShapeError
        For an input shape the layer cannot take.
    SizeLimitError
        For a matrix over the documented size bounds.

    See Also
    --------
    prove_polyphase_general : The same view for all sizes.

    Examples
    --------
    >>> from symconv import ConvSpec
    >>> proof = prove_polyphase(ConvSpec(4, stride=2, padding=1), (6,))
    >>> proof.holds, [step.name for step in proof.steps]
    (True, ['convention', 'T is the transposed convolution', 'polyphase view', 'sub-pixel form'])
    """
    import math

    from ..errors import SizeLimitError, SpecTypeError
    from ..kernels import check_name, kernel_symbols
    from ..matrices import transposed_conv_matrix
    from ..numeric import conv_transpose
    from ..spec import ConvSpec, TransposedConvSpec
    from .anchors import anchor_step, convention_step

    check_name(name)
    if isinstance(spec, ConvSpec):
        shape = spec.check_input_shape(input_shape)
        started()
        tspec, t_in = spec.transpose(shape), spec.output_shape(shape)
    elif isinstance(spec, TransposedConvSpec):
        tspec, t_in = spec, spec.check_input_shape(input_shape)
        started()
    else:
        raise SpecTypeError(f"spec must be a ConvSpec or TransposedConvSpec, got {type(spec).__name__}")
    from ..latex.printing import layer_text
    from .core import tuple_tex

    title = "The polyphase view of a transposed convolution (instance)"
    # both halves: the sub-pixel recipe runs a convolution (numeric.conv), the views the transposed layer
    steps: list[Step] = [convention_step(tspec, t_in)]
    channels = tspec.in_channels > 1 or tspec.out_channels > 1
    # the convention's c_i, c_o and o are the convolution's; the theorem's C_in, C_out the transposed layer's
    steps[0] = dataclasses.replace(steps[0], rule=steps[0].rule.replace(
        _CONVENTION_PER_GROUP, r"with $c_i$ and $c_o$ the convolution's input and output channels per group (the "
        r"transposed layer's $C_{\mathrm{out}}/g$ and $C_{\mathrm{in}}/g$)"))
    w = kernel_symbols(tspec, name)
    try:
        T = transposed_conv_matrix(tspec, w, t_in)
    except (MemoryError, SizeLimitError):
        raise
    except Exception as exc:  # a mistaken builder: the proof fails, it does not raise
        steps.append(Step(sympy.Symbol("T"), sympy.Symbol("T"), "building $T$", "exact structure", False,
                          f"the matrix could not be built: {type(exc).__name__}: {exc}", name="construction"))
        return Proof(title, "The matrix of this layer could not be built.", tuple(steps),
                     data=dict(tspec=tspec, input_shape=t_in))
    rows, cols = T.shape
    y_ = sympy.MatrixSymbol("y", cols, 1)
    steps.append(anchor_step(
        "T is the transposed convolution", T, lambda wv, yv: conv_transpose(tspec, wv, yv), tspec.weight_shape,
        math.prod(tspec.kernel_size) * (tspec.in_channels // tspec.groups),
        sympy.MatMul(sympy.MatrixSymbol("T", rows, cols), y_, evaluate=False), sympy.Function(r"conv^{\top}")(y_),
        r"$T$, built from the transposed convolution's own index equation, is the transposed convolution as "
        r"defined in the Conventions", seed=seed))
    steps.append(polyphase_step(tspec, w, t_in, T, stated=True))
    steps.append(subpixel_step(tspec, T, seed=seed))
    phases = math.prod(tspec.stride)
    from .instance import _shape_words  # the sizes in words, as the instance theorem writes them

    statement = (r"For the transposed convolution " + layer_text(tspec) + r" on inputs "
                 + _shape_words(t_in) + r", its matrix $T$ equals $Q \Phi$, and "
                 r"$T y = \operatorname{crop}(\operatorname{shuffle}(\operatorname{conv}_{K}(y)))$ for every input $y$. "
                 + view_text(tspec, t_in) + ". In the second form, " + subpixel_text(tspec) + "."
                 + (r" Here $c$ is an input channel of the convolution that $T$ transposes, which is an output "
                    r"channel of the transposed layer, and $o$ an output channel of that convolution, which is an "
                    r"input channel of the transposed layer." if channels else ""))
    notes = [weights_note(tuple_tex(tspec.weight_shape), transposed=True)]
    factors = _factors_note(tspec, w, t_in, T)
    if factors:
        notes.append(factors)
    return Proof(title, statement, tuple(steps),
                 conclusion=rf"the transposed convolution is ${phases}$ convolutions of its input, interleaved; "
                            r"no zero inserted by the stride is multiplied.",
                 notes=tuple(notes),
                 data=dict(tspec=tspec, input_shape=t_in, weight=w, T=T))
