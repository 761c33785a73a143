"""The round trip MᵀM for all sizes: the integer facts behind its structure, proved by z3 (any number of axes).

:func:`prove_gram_general` is re-exported by :mod:`symconv.proofs.gram`; the instance proof lives there.
"""

from __future__ import annotations

import types
from typing import Any

import sympy

from .. import formulas as default_formulas
from ..errors import SpecError
from .core import Proof, Step
from .evaluate import NAMED
from .gram_statement import G_, _entries_tex, _tex
from .guard import guarded, started
from .ranges import Hypothesis, Ranges
from .relations import and_ as _and
from .relations import eq as _eq
from .relations import rel as _rel
from .relations import within as _within
from .smt import prove

__all__ = ["prove_gram_general"]


_int = dict(integer=True)
SYMBOLS = types.SimpleNamespace(**{key: sympy.Symbol(name, **_int) for key, name in dict(
    n="n", k="k", s="s", d="d", pl="p_l", pr="p_r", i="i", i2="i'", j="j", j2="j'", m="m", m2="mu", c="c", c2="c'",
    o="o", ci="c_i", co="c_o", g="g").items()})
N_OUT = sympy.Symbol("n_out", integer=True)


def _range_object(F: Any) -> Ranges:
    """The theorem's hypotheses, read by the solver and printed in the statement (one object)."""
    S = SYMBOLS
    n_out = F.conv_output_size(S.n, S.k, S.s, S.pl, S.pr, S.d)
    return Ranges(tuple(Hypothesis(_rel(sympy.Ge, x, b)) for x, b in
                        ((S.n, 1), (S.k, 1), (S.s, 1), (S.d, 1), (S.pl, 0), (S.pr, 0)))
                  + (Hypothesis(_rel(sympy.Ge, n_out, 1), names=((N_OUT, n_out),)),)
                  + tuple(Hypothesis(_rel(sympy.Ge, x, 1)) for x in (S.g, S.ci, S.co)))


def _claim(name: str, hypotheses: Any, conclusion: Any, shown: Any = None) -> Any:
    return prove(name, tuple(vars(SYMBOLS).values()), tuple(hypotheses), conclusion, shown=shown)


def _product_tex() -> str:
    """``Σ_i Σ_{m, μ} w[m] w[μ] [j = tap(i, m)] [j' = tap(i, μ)]``: the product by M's definition."""
    S = SYMBOLS
    tap = _tex(NAMED.tap_position(S.i, S.m, S.s, S.pl, S.d))
    tap2 = _tex(NAMED.tap_position(S.i, S.m2, S.s, S.pl, S.d))
    return (rf"\sum_{{\substack{{0 \le i < n_{{\mathrm{{out}}}},\ 0 \le m, \mu < k\\ j = {tap},\ j' = {tap2}}}}} "
            r"w[m]\, w[\mu]")


@guarded("The round trip: the Gram matrix (all sizes)")
def prove_gram_general(ndim: int = 1, *, formulas: Any = None) -> Proof:
    """Prove the integer facts behind the structure of ``MᵀM`` for all sizes, with z3.

    On one axis: the ``(i, m, μ)`` triples of the product correspond one to one with the pairs of taps
    ``(m, μ)`` of the lag statement; in the interior every such pair occurs, and the support depends only on
    the phase, which has period ``s``; the diagonal is ``m = μ``, the overlap's support; channel blocks are zero
    across groups.  With ``ndim > 1`` a separability step (row-major flattening is a bijection of in-range
    positions) carries the one-axis claims to every axis, each with its own parameters.

    Parameters
    ----------
    ndim : int, default 1
        The number of spatial axes.
    formulas : module or namespace, optional
        Replaces :mod:`symconv.formulas` (the functions the claims execute), e.g. to check that a changed
        formula is refuted.

    Returns
    -------
    Proof
        Steps ``convention``, ``one to one``, ``interior``, ``period``, ``diagonal``, ``channel blocks`` and,
        for ``ndim > 1``, ``separability``; ``holds`` is True exactly when every z3 claim is proved.

    Raises
    ------
    SpecError
        If ``ndim`` is not a positive integer.

    Examples
    --------
    >>> proof = prove_gram_general()
    >>> proof.holds, [step.name for step in proof.steps]
    (True, ['convention', 'one to one', 'interior', 'period', 'diagonal', 'channel blocks'])
    >>> prove_gram_general(2).steps[-1].name
    'separability'
    """
    if isinstance(ndim, bool) or not isinstance(ndim, int) or ndim < 1:
        raise SpecError(f"ndim must be a positive integer (the number of spatial axes), got {ndim!r}")
    started()
    from .general import _separability_step

    F = default_formulas if formulas is None else formulas
    S, N = SYMBOLS, NAMED
    n, k, s, d, pl, pr, i, i2, j, j2, m, m2 = S.n, S.k, S.s, S.d, S.pl, S.pr, S.i, S.i2, S.j, S.j2, S.m, S.m2
    range_object = _range_object(F)
    ranges = range_object.relations()
    n_out = F.conv_output_size(n, k, s, pl, pr, d)
    taps = (_within(0, m, k), _within(0, m2, k))
    base = ranges + (_within(0, j, n),) + taps
    tap, tap2 = F.tap_position(i, m, s, pl, d), F.tap_position(i, m2, s, pl, d)
    src, res = F.sifted_position(j, m, s, pl, d), F.sift_residue(j, m, s, pl, d)
    partner = F.gram_partner(j, m, m2, d)
    phase = F.phase_of(j, s, pl)
    res_, src_ = _tex(N.sift_residue(j, m, s, pl, d)), _tex(N.sifted_position(j, m, s, pl, d))
    partner_ = _tex(N.gram_partner(j, m, m2, d))
    # the index maps in the lemmas' text as in the Definitions and the displays, with all their arguments
    tap_, phase_ = _tex(N.tap_position(i, m, s, pl, d)), _tex(N.phase_of(j, s, pl))
    sym = sympy.Symbol
    product, entries = sym(_product_tex()), sym(_entries_tex())
    inner_sum = sym(rf"\sum_{{\substack{{0 \le m, \mu < k\\ {res_} = 0\\ j' = {partner_}}}}} w[m]\, w[\mu]")
    steps: list[Step] = []
    u = j + pl - d * m
    out_i = _within(0, i, n_out)  # every claim's indices in the theorem's ranges
    steps.append(Step.from_claims(
        G_(j, j2), product,
        rf"$M[i, j] = \sum_m w[m]\, [j = {tap_}]$ by the convention, so $(M^{{\top}} M)[j, j'] = "
        r"\sum_i M[i, j]\, M[i, j']$ is this sum; the functions evaluated are the ones defined here, "
        rf"the source position ${src_} = \lfloor (j + p_l - d m)/s \rfloor$, the residue "
        rf"${res_} = (j + p_l - d m) \bmod s$, the partner ${partner_} = j + d(\mu - m)$ "
        rf"and the phase ${phase_} = (j + p_l) \bmod s$, and PyTorch's index map "
        rf"${tap_} = s i + d m - p_l$ and output length "
        r"$n_{\mathrm{out}} = \lfloor (n + p_l + p_r - d(k-1) - 1)/s \rfloor + 1$",
        [_claim("the source position used is the one defined", base, _eq(src, sympy.floor(u / s)),
                _eq(N.sifted_position(j, m, s, pl, d), sympy.floor(u / s))),
         _claim("the residue used is the one defined", base, _eq(res, sympy.Mod(u, s)),
                _eq(N.sift_residue(j, m, s, pl, d), sympy.Mod(u, s))),
         _claim("the partner used is the one defined", base, _eq(partner, j + d * (m2 - m)),
                _eq(N.gram_partner(j, m, m2, d), j + d * (m2 - m))),
         _claim("the phase used is the one defined", base, _eq(phase, sympy.Mod(j + pl, s)),
                _eq(N.phase_of(j, s, pl), sympy.Mod(j + pl, s))),
         _claim("the index map used is PyTorch's", base + (_within(0, i, n_out),), _eq(tap, s * i + d * m - pl),
                _eq(N.tap_position(i, m, s, pl, d), s * i + d * m - pl)),
         _claim("the output length used is PyTorch's", ranges,
                _eq(n_out, sympy.floor((n + pl + pr - d * (k - 1) - 1) / s) + 1),
                _eq(N.conv_output_size(n, k, s, pl, pr, d), sympy.floor((n + pl + pr - d * (k - 1) - 1) / s) + 1))],
        name="convention"))
    steps.append(Step.from_claims(
        product, entries,
        r"the terms of the product, triples $(i, m, \mu)$ with $j = s i + d m - p_l$ and $j' = s i + d \mu - p_l$, "
        r"correspond one to one with the pairs of taps $(m, \mu)$ of the statement: $j' - j = d(\mu - m)$, the "
        rf"output $i$ is determined by $(j, m)$, and $i = {src_}$ is a witness exactly when "
        rf"${res_} = 0$",
        [_claim("each triple lies at the lag of its taps", base + (out_i, _within(0, j2, n), _eq(tap, j), _eq(tap2, j2)),
                _eq(j2, partner)),
         _claim(r"the output $i$ is determined by $j$ and $m$", base + (out_i, _within(0, i2, n_out), _eq(tap, j),
                                                               _eq(F.tap_position(i2, m, s, pl, d), j)),
                _eq(i, i2)),
         _claim(r"a triple has residue $0$, and its output is the source position", base + (out_i, _eq(tap, j)),
                _and(_eq(res, 0), _eq(src, i))),
         _claim(r"residue $0$ gives a triple, its output the source position", base + (_eq(res, 0),),
                _and(_eq(F.tap_position(src, m, s, pl, d), j), _eq(F.tap_position(src, m2, s, pl, d), partner)))],
        name="one to one"))
    inside = (_rel(sympy.Le, d * (k - 1), j), _rel(sympy.Le, j + pl, s * (n_out - 1)),
              _rel(sympy.Le, j + d * (k - 1), n - 1))
    steps.append(Step.from_claims(
        sym(r"j \in I:\ (M^{\top} M)\left[j, j'\right]"), inner_sum,
        r"for $j$ in the interior $I$, that is $d(k-1) \le j$, $j + p_l \le s(n_{\mathrm{out}} - 1)$ and "
        r"$j + d(k-1) \le n - 1$, every pair of taps with residue 0 contributes: its output exists and its partner "
        rf"is an input position, so the condition $0 \le {src_} < n_{{\mathrm{{out}}}}$ holds (for $j'$ in "
        r"$[0, n)$); so, by the line above, row $j$ is this sum",
        [_claim("in the interior the output exists", base + inside + (_eq(res, 0),), _within(0, src, n_out)),
         _claim("in the interior the partner is an input position", base + inside + (_eq(res, 0),),
                _within(0, partner, n))],
        name="interior"))
    steps.append(Step.from_claims(
        sym(r"(M^{\top} M)\left[j + s, j + s + d \tau\right]"),
        sym(r"(M^{\top} M)\left[j, j + d \tau\right] \quad (j, j + s \in I,\ |\tau| < k)"),
        r"the support of a row depends only on the phase of $j$ (tap $m$ contributes exactly when "
        rf"$d m \equiv {phase_} \pmod{{s}}$), the phase repeats with period $s$, and the lag moves with "
        r"the row: the interior is periodically shift-invariant (for a lag $|\tau| < k$ the columns $j + d\tau$ and "
        r"$j + s + d\tau$ lie in $[0, n)$, as $j, j + s \in I$)",
        [_claim("the residue depends only on the phase", base,
                sympy.Equivalent(_eq(res, 0), _eq(F.sift_residue(phase, m, s, 0, d), 0)),
                sympy.Equivalent(_eq(N.sift_residue(j, m, s, pl, d), 0),
                                 _eq(N.sift_residue(N.phase_of(j, s, pl), m, s, 0, d), 0), evaluate=False)),
         _claim(r"the phase has period $s$", ranges + (_within(0, j, n),), _eq(F.phase_of(j + s, s, pl), phase),
                _eq(N.phase_of(j + s, s, pl), N.phase_of(j, s, pl))),
         _claim("the partner moves with the row", base, _eq(F.gram_partner(j + s, m, m2, d), partner + s),
                _eq(N.gram_partner(j + s, m, m2, d), N.gram_partner(j, m, m2, d) + s))],
        name="period"))
    steps.append(Step.from_claims(
        G_(j, j), sym(rf"\sum_{{\substack{{0 \le m < k\\ {res_} = 0\\ 0 \le {src_} < n_{{\mathrm{{out}}}}}}}} w[m]^{{2}}"),
        r"the diagonal $j' = j$ is exactly $\mu = m$ (as $d \ge 1$), so it sums $w[m]^{2}$ over the taps of the "
        r"phase whose output exists; its support is the overlap's (taps $m$ reaching $j$ from an existing input of "
        r"the transposed layer)",
        [_claim("the diagonal is where the two taps are equal", base, sympy.Equivalent(_eq(partner, j), _eq(m, m2))),
         # a diagonal term's tap m reaches j from the transposed layer's input src(j, m): the overlap's count
         _claim("the diagonal's support is the overlap's", base + (_eq(res, 0), _within(0, src, n_out)),
                _eq(F.tap_position(src, m, s, pl, d), j),
                _eq(N.tap_position(N.sifted_position(j, m, s, pl, d), m, s, pl, d), j))],
        name="diagonal"))
    g, ci, co, o, c, c2 = S.g, S.ci, S.co, S.o, S.c, S.c2
    chan = ranges + (_within(0, o, g * co), _within(0, c, g * ci), _within(0, c2, g * ci))  # g, c_i, c_o >= 1: (H)
    gamma = F.channel_group(o, co)
    both = _and(_eq(F.channel_group(c, ci), gamma), _eq(F.channel_group(c2, ci), gamma))
    gc, gc2, go = (_tex(N.channel_group(x, y)) for x, y in ((c, ci), (c2, ci), (o, co)))
    steps.append(Step.from_claims(
        sym(r"(M^{\top} M)\left[(c, j), (c', j')\right]"),
        sym(rf"\bigl[{gc} = {gc2}\bigr] \sum_{{o:\ {go} = {gc}}} (M^{{\top}} M)_{{o, c_{{l}}, c'_{{l}}}}\left[j, j'\right]"),
        r"channel blocks, with $C_{\mathrm{in}} = g c_i$, $C_{\mathrm{out}} = g c_o$ and $c_{l}, c'_{l}$ and "
        r"$(M^{\top} M)_{o, c_{l}, c'_{l}}[j, j']$ as in the theorem: input channels $c, c'$ are both read by output channel $o$ "
        r"exactly when they lie in one group and $o$ is one of that group's $c_o$ output channels; blocks across "
        r"groups are zero",
        [_claim(r"$o$ reads both $c$ and $c'$ exactly when they lie in one group and $o$ in it", chan,
                sympy.Equivalent(both, _and(_eq(F.channel_group(c, ci), F.channel_group(c2, ci)),
                                            _within(0, F.group_local(o, F.channel_group(c, ci), co), co))))],
        name="channel blocks"))
    if ndim > 1:
        sep = _separability_step(ndim, F)
        steps.append(Step.from_claims(
            sep.lhs, sep.rhs,
            rf"separability: the positions of the {ndim} axes (and the kernel taps) are flattened row-major; "
            r"flattening an outer axis of size $A$ with the flattened rest of size $B$ is a bijection of in-range "
            r"positions and the $N$-axis flattening is that two-axis one nested, so by induction on the axes an "
            r"index equation $j = f$ (with $f_\nu$ the position it assigns on axis $\nu$, such as "
            r"$s i + d m - p_l$) holds for flat positions exactly when $j_\nu = f_\nu$ on every axis: each term of "
            r"$M^{\top} M$ is a product over the axes of the one-axis terms, and the lines above hold on each axis "
            r"with its own $n, k, s, d, p_l, p_r$ (their claims are for all values)",
            list(sep.claims), name="separability"))
    hyps = range_object.itemized()
    axes = ("one spatial axis" if ndim == 1 else
            rf"each of the $N = {ndim}$ spatial axes $\nu = 1, \dots, N$, with that axis's own values "
            r"$n_\nu, k_\nu, s_\nu, d_\nu, p_{l,\nu}, p_{r,\nu}$ of $n, k, s, d, p_{l}, p_{r}$, and the channel counts "
            r"$g, c_i, c_o$ common to all axes. Positions $i, j, j'$ and taps $m, \mu$ are $N$-tuples, "
            r"$j = (j_1, \dots, j_N)$, a position with its channel flattened row-major as $(c, j_1, \dots, j_N)$, and "
            r"every condition written below on positions and taps holds on every axis $\nu$ with that axis's values "
            r"($0 \le j < n$ means $0 \le j_\nu < n_\nu$ for every $\nu$, and $(j + p_l - d m) \bmod s = 0$ means "
            r"$(j_\nu + p_{l,\nu} - d_\nu m_\nu) \bmod s_\nu = 0$)")
    product = "" if ndim == 1 else (
        r" (v) The one-axis conditions combine by the product over the axes: for the row-major flattening and "
        r"an index map $f$ with $f_\nu$ its position on axis $\nu$ (such as $s i + d m - p_l$), "
        r"$[(j_1, \dots, j_N) = (f_1, \dots, f_N)] = \prod_\nu [j_\nu = f_\nu]$, so a pair of tap tuples "
        r"$(m, \mu)$ is a term of $(M^{\top} M)[j, j']$ exactly when $(m_\nu, \mu_\nu)$ is a term of the "
        r"one-axis entry $(M_\nu^{\top} M_\nu)[j_\nu, j'_\nu]$ on every axis $\nu$, with $M_\nu$ the matrix of "
        r"axis $\nu$'s one-channel convolution; and the interior $I$ is the product of the axes' interiors.")
    statement = "\n".join([
        r"Let $n, k, s, d, p_{l}, p_{r}, g, c_i, c_o$ be integers satisfying the hypotheses",
        hyps,
        rf"on {axes}. Let $M$ be the matrix of the convolution with kernel size $k$, stride $s$, padding "
        r"$(p_{l}, p_{r})$ and dilation $d$ on inputs of length $n$, with $g$ groups of $c_i$ input and $c_o$ output "
        r"channels ($C_{\mathrm{in}} = g c_i$, $C_{\mathrm{out}} = g c_o$) and weights $w[o, c_{l}, m]$: the weight by "
        r"which output channel $o$ reads the input channel at position $c_{l}$ ($0 \le c_{l} < c_i$) of its group "
        r"through tap $m$ ($0 \le m < k$); with one channel ($g = c_i = c_o = 1$) write $w[m]$. The group of an "
        r"input channel $c$ is $\operatorname{grp}(c, c_i) = \lfloor c / c_i \rfloor$, that of an output channel $o$ is "
        r"$\operatorname{grp}(o, c_o) = \lfloor o / c_o \rfloor$, and $c = \operatorname{grp}(c, c_i)\, c_i + c_{l}$. Then, for all "
        r"$0 \le j, j' < n$: (i) with one channel, the terms of $(M^{\top} M)[j, j']$ are the pairs of taps "
        r"$0 \le m, \mu < k$ at lag $j' - j = d(\mu - m)$ with $(j + p_l - d m) \bmod s = 0$ whose common output "
        r"$(j + p_l - d m)/s$ lies in $[0, n_{\mathrm{out}})$, each pair once; (ii) in the interior $I$ "
        r"($d(k-1) \le j$, $j + p_l \le s(n_{\mathrm{out}} - 1)$, $j + d(k-1) \le n - 1$) the condition on the "
        r"common output always holds: every pair of taps at lag $j' - j = d(\mu - m)$, $0 \le j' < n$, with "
        r"$(j + p_l - d m) \bmod s = 0$ is a term, so which pairs are terms depends only on the phase "
        r"$(j + p_l) \bmod s$, and the interior has period $s$; (iii) the "
        r"diagonal terms are those with $m = \mu$, the taps $m$ that reach $j$ from an output, so their number is "
        r"the overlap count $\operatorname{count}[j]$, the number of taps of the transposed layer reaching $j$ "
        r"(the pairs of an input $i$ and a tap $m$ with $s i + d m - p_l = j$); (iv) with channels, for input "
        r"channels $c = \operatorname{grp}(c, c_i)\, c_i + c_{l}$ and $c' = \operatorname{grp}(c', c_i)\, c_i + c'_{l}$ write "
        r"$(M^{\top} M)_{o, c_{l}, c'_{l}}[j, j']$ for the sum of the terms of (i) with "
        r"$w[o, c_{l}, m]\, w[o, c'_{l}, \mu]$ in place of $w[m]\, w[\mu]$; then the entry "
        r"$(M^{\top} M)\left[(c, j), (c', j')\right]$ of the block $(c, c')$ of $M^{\top} M$ is the sum of "
        r"$(M^{\top} M)_{o, c_{l}, c'_{l}}[j, j']$ over the output channels $o$ with "
        r"$\operatorname{grp}(o, c_o) = \operatorname{grp}(c, c_i)$ when $\operatorname{grp}(c, c_i) = \operatorname{grp}(c', c_i)$, and zero otherwise." + product,
    ])
    title = "The round trip: the Gram matrix (all sizes)" + ("" if ndim == 1 else f", {ndim}-D")
    return Proof(title, statement, tuple(steps), assumptions=ranges,
                 conclusion=r"Away from the borders, which pairs of taps make up the entry of $M^{\top} M$ at a "
                            r"lag depends only on the phase $(j + p_l) \bmod s$ of its row: the interior of "
                            r"$M^{\top} M$ repeats with period $s$.", data=dict(ndim=ndim, ranges=range_object, formulas=F))
