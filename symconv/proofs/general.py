"""The parametric proof: for all sizes at once, the transposed convolution is a convolution.

Follows DESIGN.md step by step.  Each step of the chain of sums is reduced to
integer claims about its summation support: the support of the left sum maps
one-to-one onto the support of the right sum (with an explicit witness for
every existential), corresponding terms carry the same weight index and the
same input index, and every read stays inside the array it reads.  Every index
expression in a claim is produced by the functions of :mod:`symconv.formulas`
applied to sympy symbols, and z3 proves each claim for all integers in the
stated ranges (:mod:`symconv.proofs.smt`); a false claim yields a
counterexample in concrete sizes and indices.
"""

from __future__ import annotations

import types
from dataclasses import replace
from typing import Any

import sympy

from .. import formulas as default_formulas
from ..errors import SpecError
from ..latex.phrases import counted
from .core import Proof, Step
from .evaluate import NAMED, Indicator, sequence
from .guard import guarded, started
from .ranges import Hypothesis, Ranges
from .relations import and_ as _and
from .relations import eq as _eq
from .relations import rel as _rel
from .relations import within as _within
from .smt import prove

__all__ = ["prove_transpose_general", "SYMBOLS"]

_int = dict(integer=True)
SYMBOLS = types.SimpleNamespace(
    n=sympy.Symbol("n_in", **_int),
    k=sympy.Symbol("k", **_int),
    s=sympy.Symbol("s", **_int),
    d=sympy.Symbol("d", **_int),
    pl=sympy.Symbol("p_l", **_int),
    pr=sympy.Symbol("p_r", **_int),
    a=sympy.Symbol("a", **_int),
    i=sympy.Symbol("i", **_int),
    i2=sympy.Symbol("i'", **_int),
    j=sympy.Symbol("j", **_int),
    m=sympy.Symbol("m", **_int),
    mp=sympy.Symbol("m'", **_int),
    t=sympy.Symbol("t", **_int),
)
"""The symbols of the parametric proof (integers; their ranges are hypotheses of every claim)."""

N_T = sympy.Symbol("n_T", integer=True)
"""The name of the transposed output length on the page (the solver reads its formula)."""

Y, W = sequence("y"), sequence("w")
YHAT, Z0, Z = sequence("yhat", r"\hat{y}"), sequence("z0", "z_0"), sequence("z")
WFLIP, TY, CZ = sequence("wflip", r"\tilde{w}"), sequence("Ty", r"(T y)"), sequence("Cz", r"(C_{\mathrm{flip}} z)")


def _axis_names(axis: str) -> types.SimpleNamespace:
    r"""The chain's kernel, flipped kernel and matrices as printed: ``axis`` (``^{(\nu)}``) marks one axis's.

    >>> from symconv.latex.printing import math_latex
    >>> math_latex(_axis_names(r"^{(\nu)}").w(0)), str(_axis_names(r"^{(\nu)}").w(0))
    ('w^{(\\nu)}\\left[0\\right]', 'w[0]')
    """
    if not axis:
        return types.SimpleNamespace(w=W, wflip=WFLIP, Ty=TY, Cz=CZ, T="T", M="M", S="S")
    return types.SimpleNamespace(
        w=sequence("w", "w" + axis), wflip=sequence("wflip", r"\tilde{w}" + axis),
        Ty=sequence("Ty", rf"(T{axis} y)"), Cz=sequence("Cz", rf"(C_{{\mathrm{{flip}}}}{axis} z)"),
        T="T" + axis, M="M" + axis, S="S" + axis)


class _Chain:
    """The expressions of the 1-D chain, all computed by the (possibly injected) formulas."""

    def __init__(self, F: Any):
        S = SYMBOLS
        n, k, s, d, pl, pr, a, i, j, m, mp = S.n, S.k, S.s, S.d, S.pl, S.pr, S.a, S.i, S.j, S.m, S.mp
        self.F = F
        self.n_t = F.transposed_output_size(n, k, s, pl, pr, d, a)
        self.range_object = Ranges((
            Hypothesis(_rel(sympy.Ge, n, 1)), Hypothesis(_rel(sympy.Ge, k, 1)), Hypothesis(_rel(sympy.Ge, s, 1)),
            Hypothesis(_rel(sympy.Ge, d, 1)), Hypothesis(_rel(sympy.Ge, pl, 0)), Hypothesis(_rel(sympy.Ge, pr, 0)),
            Hypothesis(_and(_rel(sympy.Le, 0, a), _rel(sympy.Lt, a, sympy.Max(s, d)))),
            Hypothesis(_rel(sympy.Ge, self.n_t, 1), names=((N_T, self.n_t),)),
        ))
        self.ranges = self.range_object.relations()
        self.params = (n, k, s, d, pl, pr, a)
        self.indices = (_within(0, j, self.n_t), _within(0, m, k))
        self.tap = F.tap_position(i, m, s, pl, d)
        # the input position of output j through tap m: the index equation solved for i (a rational expression)
        solutions = sympy.solve(_eq(j, self.tap), i)
        self.solution = solutions[0] if len(solutions) == 1 else None
        sol = self.solution if self.solution is not None else sympy.Integer(0)
        self.num, self.den = sympy.fraction(sympy.together(sol))
        self.witness = sympy.floor(self.num / self.den)  # i = (j + p_l - d m)/s when it is an integer
        self.integral = _eq(sympy.Mod(self.num, self.den), 0)
        self.t3 = sympy.expand(F.zero_insertion_position(sol, s))  # read position in z0
        self.len_z0 = F.zero_inserted_size(n, s)
        self.left = F.gather_padding_left(k, pl, d)
        self.right = F.gather_padding_right(k, pr, d, a)
        self.len_z = self.len_z0 + self.left + self.right
        self.t4 = sympy.expand(F.padded_position(self.t3, self.left))  # read position in z
        self.t5 = sympy.expand(self.t4.subs(m, F.flip_tap(mp, k)))  # after re-indexing m = flip(m')
        self.conv_read = F.tap_position(j, mp, 1, 0, d)  # the stride-1 convolution's read
        self.n_conv = F.conv_output_size(self.len_z, k, 1, 0, 0, d)


SMALL_BOUNDS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)
"""Bounds tried, in turn, for a smaller counterexample to a refuted claim (every variable within ±bound)."""


def _claim(name: str, hypotheses: Any, conclusion: Any, shown: Any = None) -> Any:
    S = SYMBOLS
    variables = (S.n, S.k, S.s, S.d, S.pl, S.pr, S.a, S.i, S.i2, S.j, S.m, S.mp, S.t)
    claim = prove(name, variables, tuple(hypotheses), conclusion, shown=shown)
    if claim.holds or not claim.counterexample:
        return claim
    return replace(claim, counterexample=_smallest(claim, variables, tuple(hypotheses), conclusion))


def _smallest(claim: Any, variables: tuple, hypotheses: tuple, conclusion: Any) -> dict:
    """A counterexample with small numbers: the solver asked again with every variable in ``[-b, b]``.

    The claim's own hypotheses (the theorem's ranges among them) stay asserted, so the smaller
    counterexample is inside the ranges; the first bound of :data:`SMALL_BOUNDS` with a solution wins.
    """
    for bound in SMALL_BOUNDS:
        box = tuple(_within(-bound, v, bound + 1) for v in variables)
        small = prove(claim.name, variables, hypotheses + box, conclusion, timeout_ms=2000)
        if not small.holds and small.counterexample:
            return small.counterexample
    return claim.counterexample


class _RangeSum(sympy.Sum):
    r"""A sum over several indices, its ranges written as the page writes them: ``0 \le i < n_{\mathrm{in}}``.

    >>> from symconv.latex.printing import math_latex
    >>> i, n = sympy.symbols("i n", integer=True)
    >>> math_latex(_RangeSum(sequence("y")(i), (i, 0, n - 1)))
    '\\sum_{0 \\le i < n} y\\left[i\\right]'
    """

    def _latex(self, printer: Any) -> str:
        ranges = [rf"{printer._print(low)} \le {printer._print(v)} < {printer._print(high + 1)}"
                  for v, low, high in self.limits]
        under = ranges[0] if len(ranges) == 1 else r"\substack{" + r"\\".join(ranges) + "}"
        return rf"\sum_{{{under}}} " + printer._print(self.function)


def _one_d_steps(C: _Chain, axis: str = "") -> list[Step]:
    r"""The 1-D chain's lemmas; ``axis`` (such as ``^{(\nu)}``) marks its matrices and kernels as one axis's.

    In an N-D proof the 1-D chain runs on each axis with that axis's 1-D objects, written ``T^{(\nu)}``,
    ``M^{(\nu)}``, ``S^{(\nu)}``, ``C_{\mathrm{flip}}^{(\nu)}``, ``w^{(\nu)}``: the letters without the
    superscript are the N-D ones of the theorem.
    """
    S, F, A = SYMBOLS, C.F, _axis_names(axis)
    W, WFLIP, TY, CZ, ax = A.w, A.wflip, A.Ty, A.Cz, axis
    n, k, s, d, pl, pr, a, i, i2, j, m, mp, t = (S.n, S.k, S.s, S.d, S.pl, S.pr, S.a, S.i, S.i2, S.j, S.m, S.mp, S.t)
    base = C.ranges + C.indices
    N, L = NAMED, sympy.Symbol("p'_l", integer=True)
    steps: list[Step] = []

    e1 = _RangeSum(W(m) * Indicator(j, C.tap) * Y(i), (i, 0, n - 1), (m, 0, k - 1))
    convention_nt = (n - 1) * s - pl - pr + d * (k - 1) + a + 1
    steps.append(Step.from_claims(
        TY(j), e1,
        rf"definition of the transposed convolution: input $i$ adds $w{ax}[m]\, y[i]$ at output $j = s i + d m - p_l$, "
        r"for $0 \le j < n_T$; the index map and the output length used are PyTorch's",
        [_claim("the index map used is PyTorch's", C.ranges + (_within(0, i, n), _within(0, m, k)),
                _eq(C.tap, s * i + d * m - pl),
                _eq(N.tap_position(i, m, s, pl, d), s * i + d * m - pl)),
         _claim("the output length used is PyTorch's", C.ranges, _eq(C.n_t, convention_nt),
                _eq(N.transposed_output_size(n, k, s, pl, pr, d, a), convention_nt))],
        name="definition"))

    e2 = sympy.Sum(W(m) * YHAT(C.solution if C.solution is not None else sympy.nan), (m, 0, k - 1))
    on = _eq(C.tap, j)
    if C.solution is None:
        steps.append(Step(e1, e2, r"sifting the indicator over $i$", "sympy", False,
                          f"the index equation j = {sympy.sstr(C.tap)} has no unique solution for i", name="sift"))
    else:
        steps.append(Step.from_claims(
            e1, e2,
            r"sifting: for each tap $m$ the indicator selects at most one $i$, namely $i = (j + p_l - d m)/s$ when "
            r"that is an integer; $\hat y[u] = y[u]$ for integer $u$ with $0 \le u < n_{\mathrm{in}}$, else $0$",
            [_claim("at most one input per tap (injective)", base + (_eq(F.tap_position(i, m, s, pl, d), j),
                                                                   _eq(F.tap_position(i2, m, s, pl, d), j)),
                    _eq(i, i2)),
             _claim(r"the input reaching $j$ through tap $m$ is $(j + p_{l} - d m)/s$, an integer", base + (on,),
                    _and(C.integral, _eq(C.witness, i))),
             _claim(r"an integer $u = (j + p_{l} - d m)/s$ reaches $j$ through tap $m$", base + (C.integral,),
                    _eq(F.tap_position(C.witness, m, s, pl, d), j))],
            name="sift"))

    e3 = sympy.Sum(W(m) * Z0(C.t3), (m, 0, k - 1))
    data = lambda pos, idx: _and(_within(0, idx, n), _eq(F.zero_insertion_position(idx, s), pos))  # noqa: E731
    steps.append(Step.from_claims(
        e2, e3,
        r"zero insertion: $z_0$ holds $y[i]$ at position $s i$ and $0$ elsewhere ($s - 1$ zeros between "
        r"neighbours), so $\hat y[u] = z_0[s u]$",
        [_claim("inputs land inside z_0", C.ranges + (_within(0, i, n),),
                _within(0, F.zero_insertion_position(i, s), C.len_z0)),
         _claim("distinct inputs land apart (z_0 is well defined)", C.ranges + (_within(0, i, n), _within(0, i2, n),
                _eq(F.zero_insertion_position(i, s), F.zero_insertion_position(i2, s))), _eq(i, i2)),
         _claim("a read of $y$ is a read of the same input in z_0", base + (C.integral, _within(0, C.witness, n)),
                _eq(F.zero_insertion_position(C.witness, s), C.t3)),
         _claim("a read of data in z_0 is a read of the same input of $y$", base + (data(C.t3, i),),
                _and(C.integral, _eq(C.witness, i)))],
        name="zero insertion"))

    from ..latex.printing import math_latex as tex  # the latex layer sits above the proofs
    e4 = sympy.Sum(W(m) * Z(sympy.collect(C.t4, d)), (m, 0, k - 1))  # j + d(k - 1 - m), as the prose writes it
    steps.append(Step.from_claims(
        e3, e4,
        rf"padding: $z[t] = z_0[t - p'_{{l}}]$ for $0 \le t < n_{{z}}$ and $0$ outside, with "
        rf"$p'_{{l}} = {tex(C.left)}$ on the left and $p'_{{r}} = {tex(C.right)}$ on the right (negative amounts "
        r"crop); every read of data stays inside the padded input $z$",
        [_claim("the padded position used is PyTorch's", C.ranges + (_within(0, t, C.len_z0),),
                _eq(F.padded_position(t, C.left), t + C.left), _eq(N.padded_position(t, L), t + L)),
         _claim("reads of data stay inside the padded input", base + (data(C.t3, i),), _within(0, C.t4, C.len_z))],
        name="padding"))

    e5 = sympy.Sum(WFLIP(mp) * Z(C.t5), (mp, 0, k - 1))
    flip = F.flip_tap(mp, k)
    steps.append(Step.from_claims(
        e4, e5,
        rf"re-indexing $m = \operatorname{{flip}}(m', k) = {tex(flip)}$: the kernel is flipped, "
        rf"$\tilde w{ax}[m'] = w{ax}[{tex(flip)}]$; the flip used is PyTorch's, which reverses the taps",
        [_claim("the flip used is PyTorch's (it reverses the taps)", C.ranges + (_within(0, mp, k),),
                _eq(flip, k - 1 - mp), _eq(N.flip_tap(mp, k), k - 1 - mp)),
         _claim("the flip maps taps to taps", C.ranges + (_within(0, mp, k),), _within(0, flip, k)),
         _claim("the flip is an involution", C.ranges + (_within(0, mp, k),),
                _eq(F.flip_tap(flip, k), mp),
                _eq(N.flip_tap(N.flip_tap(mp, k), k), mp)),
         _claim(rf"tap $\operatorname{{flip}}(m, k)$ of $\tilde w{ax}$ reads where tap $m$ of $w{ax}$ reads", base,
                _eq(C.t5.subs(mp, F.flip_tap(m, k)), C.t4),
                _eq(C.t5.subs(mp, N.flip_tap(m, k)), C.t4))],
        name="flip"))

    steps.append(Step.from_claims(
        e5, CZ(j),
        rf"this is the convolution (cross-correlation) of $z$ with $\tilde w{ax}$: stride $1$, padding $0$, "
        rf"dilation $d$; the line's read $z[{tex(C.t5)}]$ is that convolution's read "
        rf"$z[{tex(N.tap_position(j, mp, 1, 0, d))}]$",
        [_claim("the reads are the stride-1 convolution's", C.ranges + (_within(0, j, C.n_t), _within(0, mp, k)),
                _eq(C.t5, C.conv_read),
                _eq(C.t5, N.tap_position(j, mp, 1, 0, d))),
         _claim("every read of the stride-1 convolution is inside $z$", C.ranges + (_within(0, j, C.n_conv),
                _within(0, mp, k)), _within(0, C.conv_read, C.len_z))],
        name="convolution"))

    shown_conv = N.conv_output_size(sympy.Symbol("n_z", integer=True), k, 1, 0, 0, d)  # n_z: the length of z
    shown_nt = N.transposed_output_size(n, k, s, pl, pr, d, a)
    steps.append(Step.from_claims(
        shown_conv, shown_nt,
        r"size: the stride-1 convolution on $n_{z}$ positions has exactly the transposed output "
        r"length $n_T$",
        [_claim("output lengths agree", C.ranges, _eq(C.n_conv, C.n_t), _eq(shown_conv, shown_nt))], name="size"))

    trip = F.conv_output_size(C.n_t, k, s, pl, pr, d)
    shown_trip = N.conv_output_size(shown_nt, k, s, pl, pr, d)  # the sizes named: n_out(n_T(n_in, ...), ...)
    extra = sympy.floor(a / s)
    steps.append(Step.from_claims(
        shown_trip, n + extra,
        r"round trip: the convolution on $n_T$ inputs has $n_{\mathrm{in}} + \lfloor a/s \rfloor$ outputs, "
        r"which is $n_{\mathrm{in}}$ exactly when $a < s$",
        [_claim(r"the convolution on $n_{T}$ inputs has $n_{\mathrm{in}} + \lfloor a/s \rfloor$ outputs", C.ranges,
                _eq(trip, n + extra), _eq(shown_trip, n + extra)),
         _claim(r"$\lfloor a/s \rfloor = 0$ exactly when $a < s$", C.ranges,
                sympy.Equivalent(_eq(extra, 0), _rel(sympy.Lt, a, s)))],
        name="round trip"))

    rows_m = n + extra
    steps.append(Step.from_claims(
        sympy.MatrixSymbol(A.T, C.n_t, n),
        sympy.Transpose(sympy.MatMul(sympy.MatrixSymbol(A.S, n, rows_m), sympy.MatrixSymbol(A.M, rows_m, C.n_t),
                                     evaluate=False)),
        rf"row selection: ${A.M}[i, j]$ and ${A.T}[j, i]$ are defined by the same indicator $[j = s i + d m - p_l]$, "
        rf"and the convolution on $n_T$ inputs has at least $n_{{\mathrm{{in}}}}$ rows, as many as ${A.T}$ has "
        rf"columns, so ${A.S} = [I \mid 0]$ keeps the first $n_{{\mathrm{{in}}}}$ rows",
        [_claim(rf"${A.M}$ has at least $n_{{\mathrm{{in}}}}$ rows, as many as ${A.T}$ has columns", C.ranges,
                _rel(sympy.Ge, trip, n))],
        name="row selection"))
    return steps


SEARCH = dict(n=(1, 2, 3), k=(1, 2, 3), s=(1, 2), d=(1, 2), p=(0, 1))
"""The sizes at which a failed proof looks for a counterexample to its claim (every axis alike)."""


def _entries(C: _Chain, values: tuple, ndim: int) -> tuple[dict, dict, int, int]:
    """Both ends of the claim at concrete sizes, from the functions that ran: ``T`` and ``C_flip P Z`` entry by
    entry, each entry a map from a weight index to its coefficient (a weight index outside the kernel kept, for
    the page to say that it reads 0), with their row counts.
    """
    from collections import Counter
    from itertools import product

    F = C.F
    n, k, s, d, pl, pr, a = values
    n_t = int(F.transposed_output_size(n, k, s, pl, pr, d, a))
    left, right = int(F.gather_padding_left(k, pl, d)), int(F.gather_padding_right(k, pr, d, a))
    len_z = int(F.zero_inserted_size(n, s)) + left + right
    n_conv = int(F.conv_output_size(len_z, k, 1, 0, 0, d))
    taps, inputs = list(product(range(k), repeat=ndim)), list(product(range(n), repeat=ndim))
    T: dict = {}
    for i, m in product(inputs, taps):  # T[j, i] = sum_m w[m] prod_nu [j_nu = tap(i_nu, m_nu)]
        j = tuple(int(F.tap_position(i_, m_, s, pl, d)) for i_, m_ in zip(i, m))
        if all(0 <= j_ < n_t for j_ in j):
            T.setdefault((j, i), Counter())[m] += 1
    where: dict = {}  # z's position of each input (two inputs at one position: both are read there)
    for i in inputs:
        where.setdefault(tuple(int(F.padded_position(F.zero_insertion_position(i_, s), left)) for i_ in i), []).append(i)
    CPZ: dict = {}
    for j, mp in product(product(range(max(n_conv, 0)), repeat=ndim), taps):  # sum_m' w~[m'] z[j + d m']
        t = tuple(int(F.tap_position(j_, m_, 1, 0, d)) for j_, m_ in zip(j, mp))
        if t in where and all(0 <= t_ < len_z for t_ in t):  # z = P Z y holds input i at its position
            for i in where[t]:
                CPZ.setdefault((j, i), Counter())[tuple(int(F.flip_tap(m_, k)) for m_ in mp)] += 1
    return T, CPZ, n_t, n_conv


def _value(entry: Any, k: int) -> dict:
    """An entry's weights with those outside the kernel dropped (they read 0)."""
    return {m: c for m, c in (entry or {}).items() if c and all(0 <= m_ < k for m_ in m)}


def _refutation(C: _Chain, ndim: int) -> dict | None:
    """A counterexample to ``T = C_flip P Z`` at small sizes inside the theorem's ranges, or None.

    The sizes of :data:`SEARCH` are tried in turn, smallest first; at each, both sides are built entry by entry
    from the functions that ran (:func:`_entries`), and the first entry where they differ (or differing row
    counts) is the counterexample.
    """
    from itertools import product

    S = SYMBOLS
    symbols = (S.n, S.k, S.s, S.d, S.pl, S.pr)
    configs = []
    for n, k, s, d, pl, pr in product(SEARCH["n"], SEARCH["k"], SEARCH["s"], SEARCH["d"], SEARCH["p"], SEARCH["p"]):
        configs += [(n, k, s, d, pl, pr, a) for a in range(max(s, d))]
    configs.sort(key=lambda v: (sum(v), v))
    for values in configs:
        at = dict(zip(symbols + (S.a,), values))
        try:
            if not all(bool(sympy.sympify(r).subs(at)) for r in C.ranges):
                continue
            T, CPZ, n_t, n_conv = _entries(C, values, ndim)
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        found = dict(values={str(v): x for v, x in at.items()}, ndim=ndim, T=T, CPZ=CPZ, rows=(n_t, n_conv),
                     n_in=values[0])
        if n_t != n_conv:
            return found
        for key in sorted(set(T) | set(CPZ)):
            if _value(T.get(key), values[1]) != _value(CPZ.get(key), values[1]):
                return dict(found, at=key)
    return None


def _separability_step(ndim: int, F: Any = default_formulas, size: str | None = None) -> Step:
    r"""Row-major flattening is a bijection of in-range positions, so the N-D indicator is the product per axis.

    Proved for two axes of any sizes ``A, B`` (an outer axis and the flattened rest), and the row-major
    flattening of ``ndim`` axes is that two-axis flattening nested (an identity): induction on the axes.
    The axes' sizes are ``n_1, ..., n_N`` (the Conventions' tensor shape), or, with ``size`` (such as
    ``n_T``), that length of each axis, ``n_T^{(1)}, ..., n_T^{(N)}``, a symbol the document defines.
    """
    # flat(alpha, beta, B) = alpha B + beta, as the Definitions write it: alpha the outer position, beta the inner one
    A, B, x, y, x2, y2 = sympy.symbols(r"A B \alpha \beta \alpha' \beta'", integer=True)
    inside = (_rel(sympy.Ge, A, 1), _rel(sympy.Ge, B, 1), _within(0, x, A), _within(0, y, B))
    inside2 = (_within(0, x2, A), _within(0, y2, B))
    pair = (A, B, x, y, x2, y2)
    if size is None:
        sizes = sympy.symbols(f"n_1:{ndim + 1}", integer=True)  # the axes' sizes n_1, ..., n_ndim, as in the Conventions
    else:
        sizes = tuple(sympy.Symbol(f"{size}^{{({q})}}", integer=True) for q in range(1, ndim + 1))
    size_nu = r"n_\nu" if size is None else rf"{size}^{{(\nu)}}"
    js = sympy.symbols(f"j_1:{ndim + 1}", integer=True)
    flat2, flat2_ = F.flat_index(x, y, B), NAMED.flat_index(x, y, B)  # the function every builder executes
    executed, shown = sympy.Integer(0), sympy.Integer(0)
    for ax in range(ndim):  # the builders flatten axis after axis: flat = flat_index(flat, j, N)
        executed, shown = F.flat_index(executed, js[ax], sizes[ax]), NAMED.flat_index(shown, js[ax], sizes[ax])
    row_major = sum((js[ax] * sympy.Mul(*sizes[ax + 1:]) for ax in range(ndim)), sympy.Integer(0))
    claims = [
        prove("two-axis flattening stays in range", pair, inside, _within(0, flat2, A * B),
              shown=_within(0, flat2_, A * B)),
        prove("two-axis flattening is injective", pair, inside + inside2 + (_eq(flat2, F.flat_index(x2, y2, B)),),
              _and(_eq(x, x2), _eq(y, y2))),
        prove("each axis is read back from the flat position", pair, inside,
              _and(_eq(sympy.floor(flat2 / B), x), _eq(sympy.Mod(flat2, B), y)),
              shown=_and(_eq(sympy.floor(flat2_ / B), x), _eq(sympy.Mod(flat2_, B), y))),
        prove(f"flattening {counted(ndim, 'axis', 'axes')} one after another is the row-major position", sizes + js,
              tuple(_rel(sympy.Ge, n_, 1) for n_ in sizes) + tuple(_within(0, j_, n_) for j_, n_ in zip(js, sizes)),
              _eq(executed, row_major), shown=_eq(shown, row_major)),
    ]
    fs = sympy.symbols(f"f_1:{ndim + 1}", integer=True)
    # the flat equation (row-major, the axes' sizes n_1, ..., n_ndim): the content is that it splits per axis
    lhs = Indicator(row_major, row_major.xreplace(dict(zip(js, fs))))
    rhs = sympy.Mul(*(Indicator(js[ax], fs[ax]) for ax in range(ndim)))
    axes = ", ".join(str(q) for q in range(1, ndim + 1))
    step = Step.from_claims(
        lhs, rhs,
        rf"separability: here $j_\nu$ is the output position on axis $\nu = {axes}$, of size ${size_nu}$, and "
        r"$f_\nu = s i_\nu + d m_\nu - p_{l}$ the position that the index map of axis $\nu$ (with that axis's "
        r"$s, d, p_{l}$) gives for input position $i_\nu$ and tap $m_\nu$. Positions of the "
        rf"{counted(ndim, 'axis', 'axes').split(' ', 1)[0]} axes are flattened row-major, $\operatorname{{flat}}(\alpha, \beta, B) = B \alpha + \beta$ for an outer position "
        r"$0 \le \alpha < A$ and an inner one $0 \le \beta < B$; this two-axis flattening is a bijection of in-range "
        r"positions, and the flattening of all axes is that two-axis one nested, so by induction on the axes an "
        r"index equation holds for flat positions exactly when it holds on every axis; the 1-D steps then apply "
        r"axis by axis, each with its own $s, d, p_{l}, p_{r}, a$ (kernel taps are flattened the same way)",
        claims, name="separability")
    # the flat equation splits per axis for in-range positions only (a tap outside the output adds to neither side)
    return replace(step, condition=rf"0 \le j_\nu, f_\nu < {size_nu}")


def _axes_step(C: _Chain, ndim: int) -> Step:
    """Tap by tap, each axis's bracket factors through that axis's zero insertion, padding and unit-kernel
    convolution; the product over the axes is the Kronecker product of the factors (row-major flattening).

    The claim is the 1-D chain for the unit kernel at one tap: ``[j = s i + d m - p_l]`` equals
    ``(C_m P Z)[j, i] = [j + d flip(m, k) = s i + p'_l]``, with the functions that ran.
    """
    S, F, N = SYMBOLS, C.F, NAMED
    n, k, s, d, pl, i, j, m = S.n, S.k, S.s, S.d, S.pl, S.i, S.j, S.m
    L = sympy.Symbol("p'_l", integer=True)
    inside = C.ranges + C.indices + (_within(0, i, n),)
    through = F.padded_position(F.zero_insertion_position(i, s), C.left)  # where input i sits in z = P Z y
    read = F.tap_position(j, F.flip_tap(m, k), 1, 0, d)  # where output j reads z through the flipped unit tap
    claims = [
        _claim(r"on one axis, input $i$ reaches output $j$ through tap $m$ exactly when "
               r"$C^{(\nu)}_{m} P^{(\nu)} Z^{(\nu)}$ maps $i$ to $j$",
               inside, sympy.Equivalent(_eq(j, C.tap), _eq(read, through)),
               sympy.Equivalent(_eq(j, N.tap_position(i, m, s, pl, d)),
                                _eq(N.tap_position(j, N.flip_tap(m, k), 1, 0, d),
                                    N.padded_position(N.zero_insertion_position(i, s), L)))),
        _claim(r"that read of $z$ lies inside $z$", inside + (_eq(j, C.tap),), _within(0, read, C.len_z)),
    ]
    from ..latex.printing import math_latex as tex  # the latex layer sits above the proofs

    def at(q: Any) -> tuple:  # axis q's output position, input position and tap (q = "\\nu" for the rule's axis)
        return tuple(sympy.Symbol(f"{letter}_{{{q}}}", integer=True) for letter in "jim")

    def par(q: Any) -> tuple:  # axis q's stride, left padding and dilation, written s^{(q)}, p_l^{(q)}, d^{(q)}
        return tuple(sympy.Symbol(f"{letter}^{{({q})}}", integer=True) for letter in ("s", "p_{l}", "d"))

    # the index map of each axis at its own tap and with its own parameters, from the formula used, for one fixed
    # tap tuple m
    lhs = sympy.Mul(*(Indicator(at(q)[0], F.tap_position(at(q)[1], at(q)[2], *par(q))) for q in range(1, ndim + 1)))
    j_nu, i_nu, m_nu = at(r"\nu")
    s_nu, pl_nu, d_nu = par(r"\nu")
    rhs = sympy.Symbol(r"\Bigl(\bigl(\bigotimes_{\nu} C^{(\nu)}_{m_\nu}\bigr) \bigl(\bigotimes_{\nu} P^{(\nu)}\bigr) "
                       r"\bigl(\bigotimes_{\nu} Z^{(\nu)}\bigr)\Bigr)[j, i]")
    step = Step.from_claims(
        lhs, rhs,
        r"axes: fix the tap tuple $m = (m_1, \dots, m_N)$. On axis $\nu$, let $Z^{(\nu)}$ and $P^{(\nu)}$ be that "
        r"axis's zero insertion and padding, and $C^{(\nu)}_{m_\nu}$ the stride-1 convolution with dilation $d$ and "
        r"the flipped unit kernel of the axis's tap $m_\nu$, $C^{(\nu)}_{m_\nu}[j, t] = "
        r"[t = j + d \operatorname{flip}(m_\nu, k)]$: the 1-D "
        rf"chain for that unit kernel gives $[{tex(j_nu)} = {tex(F.tap_position(i_nu, m_nu, s_nu, pl_nu, d_nu))}] = "
        r"(C^{(\nu)}_{m_\nu} P^{(\nu)} Z^{(\nu)})[j_\nu, i_\nu]$ "
        r"(the claims below, with that axis's $s, d, p_{l}, p_{r}, a$). A product over the axes of entries of "
        r"per-axis matrices is the entry of their Kronecker product at the row-major flattened positions (the "
        r"flattening is a bijection, <<separability>>), and $(U V) \otimes (U' V') = (U \otimes U')(V \otimes V')$ "
        r"is the same fact summed over the flattened inner position. Multiplied by $w[o, c_{l}, m]$ and summed over "
        rf"the tap tuples, block $(c, o)$ of $T$ is $\sum_{{m}} w[o, c_{{l}}, m] \prod_\nu [{tex(j_nu)} = "
        rf"{tex(F.tap_position(i_nu, m_nu, s_nu, pl_nu, d_nu))}] = "
        r"\bigl(\sum_{m} w[o, c_{l}, m] \bigotimes_\nu C^{(\nu)}_{m_\nu}\bigr) \bigl(\bigotimes_\nu "
        r"P^{(\nu)}\bigr) \bigl(\bigotimes_\nu Z^{(\nu)}\bigr)$, whose first factor is block $(c, o)$ of "
        r"$C_{\mathrm{flip}}$ and whose others are the blocks of $P$ and $Z$ in every channel: $T = C_{\mathrm{flip}} P Z$",
        claims, name="axes")
    # the line is the entry at fixed taps: the tap tuple m is no variable of the product, nor summed
    taps = ", ".join(f"m_{q}" for q in range(1, ndim + 1))  # [j, i]: the flattened positions of (j_1, ...), (i_1, ...)
    return replace(step, condition=rf"\text{{fixed }} m = ({taps})")


def _block_step(F: Any) -> Step:
    """Channel blocks: M's block (o, c) and T's block (c, o) hold the same weight entry, inside the same group."""
    g, ci, co, o, c, col = sympy.symbols("g c_i c_o o c c_l", integer=True)  # c_i = C_in/g, c_o = C_out/g
    gam, p_, l_ = sympy.symbols("gamma c_i c_l", integer=True)  # a group, its size c_i, a position in it
    gamma = F.channel_group(o, co)  # the group of the convolution's output channel o
    ranges = (_rel(sympy.Ge, g, 1), _rel(sympy.Ge, ci, 1), _rel(sympy.Ge, co, 1), _within(0, o, g * co),
              _within(0, c, g * ci))
    conv_reads = _eq(F.channel_group(c, ci), gamma)  # M: input channel c lies in o's group
    conv_weight = F.group_local(c, gamma, ci)  # M's weight index w[o, c - gamma c_i]
    # T (input channel o, output channels C_in = g c_i, weight (C_out, C_in/g)): output channel
    # group_channel(group(o), c_i, c_l) for 0 <= c_l < c_i, through w[o, c_l]
    t_channel = F.group_channel(F.channel_group(o, co), ci, col)
    variables = (g, ci, co, o, c, col)
    N = NAMED
    convention = [
        prove("the group of a channel used is PyTorch's", (c, p_), (_rel(sympy.Ge, p_, 1), _rel(sympy.Ge, c, 0)),
              _eq(F.channel_group(c, p_), sympy.floor(c / p_)),
              shown=_eq(N.channel_group(c, p_), sympy.floor(c / p_))),
        prove("the channel of a group position used is PyTorch's", (gam, p_, l_),
              (_rel(sympy.Ge, p_, 1), _rel(sympy.Ge, gam, 0), _within(0, l_, p_)),
              _eq(F.group_channel(gam, p_, l_), gam * p_ + l_), shown=_eq(N.group_channel(gam, p_, l_), gam * p_ + l_)),
        prove("the position in a group used is PyTorch's", (c, gam, p_),
              (_rel(sympy.Ge, p_, 1), _rel(sympy.Ge, gam, 0), _within(gam * p_, c, gam * p_ + p_)),
              _eq(F.group_local(c, gam, p_), c - gam * p_), shown=_eq(N.group_local(c, gam, p_), c - gam * p_)),
    ]
    # the line of the chain: the channel at position c_l of group gamma lies in group gamma, at position c_l
    member = F.group_channel(gam, ci, col)
    group_of_member = F.channel_group(member, ci)
    shown_member = sympy.Add(col, gam * ci, evaluate=False)
    shown_group = sympy.floor(shown_member / ci, evaluate=False)
    group_range = (_rel(sympy.Ge, ci, 1), _rel(sympy.Ge, gam, 0), _within(0, col, ci))
    claims = convention + [
        prove(r"channel $\gamma c_i + c_l$ lies in group $\gamma$, at position $c_l$", (ci, gam, col), group_range,
              _and(_eq(group_of_member, gam), _eq(F.group_local(member, group_of_member, ci), col)),
              shown=_and(_eq(shown_group, gam), _eq(N.group_local(shown_member, gam, ci), col))),
        prove(r"block $(o, c)$ of $M$ lies inside the group of $o$", variables, ranges + (conv_reads,),
              _within(0, conv_weight, ci)),
        # the witness c_l is named by a hypothesis, so that the conclusion is no identity of the Definitions
        prove(r"$T$ writes channel $c$ from channel $o$ exactly when $M$ reads $c$ for $o$, through the same "
              r"position $c_{l}$ in the group", variables,
              ranges + (_eq(col, conv_weight),),
              sympy.Equivalent(conv_reads, _and(_within(0, col, ci), _eq(F.group_channel(gamma, ci, col), c)))),
        prove(r"block $(c, o)$ of $T$ holds the weight of block $(o, c)$ of $M$", variables,
              ranges + (_within(0, col, ci), _eq(t_channel, c)),
              _and(conv_reads, _eq(col, conv_weight))),
    ]
    step = Step.from_claims(
        shown_group, gam,
        r"channel blocks: for $0 \le c_l < c_i$ and a group number $\gamma \ge 0$, the channel $c = \gamma c_i + c_l$ "
        r"lies in group $\gamma$: the group of channel $c$, $\operatorname{grp}(c, c_i) = \lfloor c / c_i \rfloor$, is the "
        r"number $\gamma$, and the position of $c$ in it is $c - \gamma c_i = c_l$; with "

        r"$C_{\mathrm{in}} = g c_i$, $C_{\mathrm{out}} = g c_o$ and the group $\operatorname{grp}(o, c_o)$ of output channel $o$, "
        r"block $(o, c)$ of $M$ is the spatial matrix of $w[o, c - \operatorname{grp}(o, c_o)\, c_i]$ when "
        r"$\operatorname{grp}(c, c_i) = \operatorname{grp}(o, c_o)$ and zero otherwise; the transposed layer, whose weight is the same "
        r"tensor, writes output channel $c = \operatorname{grp}(o, c_o)\, c_i + c_l$ from input channel $o$ through "
        r"$w[o, c_l]$: block $(c, o)$ of $T$ is built from the weights $w[o, c_l, m]$ of block $(o, c)$ of $M$. The row "
        r"selection "
        r"combines the same way: block $(o, c)$ of $M$ is $\sum_{m} w[o, c_{l}, m] \bigotimes_\nu M^{(\nu)}_{m_\nu}$ "
        r"(<<separability>>), with $M^{(\nu)}_{m_\nu}$ the matrix $M^{(\nu)}$ of the unit kernel of tap $m_\nu$, and "
        r"$T^{(\nu)}_{m_\nu}$ likewise; $S = I_{C_{\mathrm{out}}} \otimes \bigotimes_\nu S^{(\nu)}$ acts on every "
        r"block, and $(S^{(\nu)} M^{(\nu)}_{m_\nu})^{\top} = T^{(\nu)}_{m_\nu}$ on each axis (<<row selection>>, "
        r"for that unit kernel), so, as $(U \otimes U')^{\top} = U^{\top} \otimes U'^{\top}$, block $(c, o)$ of "
        r"$(S M)^{\top}$ is $\sum_{m} w[o, c_{l}, m] \bigotimes_\nu T^{(\nu)}_{m_\nu}$, which is block $(c, o)$ of "
        r"$T$ (<<separability>>): $T = (S M)^{\top}$",
        claims, name="channel blocks")
    # refuted, the line shows the executed group function (the floor identity itself stays true): the group of the
    # channel at position c_l of group gamma is not gamma
    shown = {} if step.holds else dict(lhs=N.channel_group(shown_member, ci))
    return replace(step, condition=r"\gamma \ge 0,\ 0 \le c_l < c_i", **shown)


CHAIN = 6
"""The number of leading steps that form the chain from ``(T y)[j]`` to ``(C_flip z)[j]``."""


def _one_inequality(steps: list[Step]) -> list[Step]:
    """For a refuted claim, the chain's lines from its first refuted lemma to its end as one line, ``a ≠ b``.

    The lines before the first refuted lemma hold, so ``a`` equals ``(T y)[j]``, and the counterexample to
    ``T = C_flip P Z`` makes ``(T y)[j]`` differ from ``(C_flip z)[j] = b``: ``a ≠ b`` is true. A line between them
    (``a ≠ c ≠ b``) would say nothing of ``a`` against ``b``, so each refuted lemma of that stretch displays the
    one line, which the document prints once with every such lemma beside it. When a lemma of that stretch
    holds, the lines are kept as they are.
    """
    first = next((n for n in range(CHAIN) if not steps[n].holds), None)
    if first is None or any(steps[n].holds for n in range(first, CHAIN)):
        return steps
    lhs, rhs = steps[first].lhs, steps[CHAIN - 1].rhs
    return [replace(step, lhs=lhs, rhs=rhs) if first <= n < CHAIN else step for n, step in enumerate(steps)]


def _kernel_outside(C: _Chain) -> str:
    """The kernel's convention outside its taps, said where the flip that ran may read there (a flip other than
    PyTorch's ``k - 1 - m``): ``w[u] = 0`` for ``u`` outside ``0 <= u < k``; nothing for PyTorch's flip.

    >>> _kernel_outside(_Chain(default_formulas))
    ''
    """
    m, k = SYMBOLS.m, SYMBOLS.k
    if sympy.simplify(sympy.sympify(C.F.flip_tap(m, k)) - (k - 1 - m)) == 0:
        return ""
    return r", read as $w[u] = 0$ for $u$ outside $0 \le u < k$,"


def _statement(C: _Chain, ndim: int = 1) -> str:
    """The theorem, typeset from the chain's own ranges and the formulas used (no hand-typed formula).

    Every hypothesis is printed from :attr:`_Chain.range_object`, the object whose relations every claim
    assumes; every length, padding and index in the definitions is the formula the claims are about.
    """
    if ndim > 1:
        return _statement_nd(C, ndim)
    from ..latex.printing import math_latex as tex  # the latex layer sits above the proofs

    S = SYMBOLS
    n, k, s, d, pl, pr, a, i, m, t = S.n, S.k, S.s, S.d, S.pl, S.pr, S.a, S.i, S.m, S.t
    rows_m = C.F.conv_output_size(C.n_t, k, s, pl, pr, d)
    n_m, n_z0 = sympy.Symbol("n_M", integer=True), sympy.Symbol("n_{z_0}", integer=True)
    L, R = sympy.Symbol("p'_l", integer=True), sympy.Symbol("p'_r", integer=True)
    tap = tex(C.tap)
    text = [
        r"Let $n_{\mathrm{in}}$, $k$, $s$, $d$, $p_{l}$, $p_{r}$, $a$ be integers satisfying the hypotheses",
        C.range_object.itemized(),
        rf"let $w \in \mathbb{{R}}^{{k}}$ be a kernel{_kernel_outside(C)} and define the following matrices.",
        r"\begin{itemize}",
        rf"\item $T \in \mathbb{{R}}^{{n_{{T}} \times n_{{\mathrm{{in}}}}}}$, the transposed convolution: "
        rf"$T[j, i] = \sum_{{m=0}}^{{k-1}} w[m]\, [j = {tap}]$.",
        rf"\item $M \in \mathbb{{R}}^{{n_{{M}} \times n_{{T}}}}$, the convolution with the same $k, s, d, p_{{l}}, "
        rf"p_{{r}}$ on inputs of length $n_{{T}}$: $M[i, j] = \sum_{{m=0}}^{{k-1}} w[m]\, [j = {tap}]$, with "
        rf"${tex(n_m)} = {tex(rows_m)}$ rows.",
        r"\item $S \in \{0, 1\}^{n_{\mathrm{in}} \times n_{M}}$, the row selection $S = [I \mid 0]$ "
        r"that keeps the first $n_{\mathrm{in}}$ rows.",
        rf"\item $Z \in \{{0, 1\}}^{{n_{{z_0}} \times n_{{\mathrm{{in}}}}}}$, zero insertion: "
        rf"$Z[t, i] = [t = {tex(C.F.zero_insertion_position(i, s))}]$, with "
        rf"${tex(n_z0)} = {tex(C.len_z0)}$ ($s - 1$ zeros between neighbours).",
        rf"\item $P$, padding by ${tex(L)} = {tex(C.left)}$ on the left and ${tex(R)} = {tex(C.right)}$ on the "
        rf"right: for $z_0 \in \mathbb{{R}}^{{n_{{z_0}}}}$ (such as $z_0 = Z y$), "
        rf"$(P z_0)[t] = z_0[{tex(C.F.padded_position(t, -L))}]$ for $0 \le t < {tex(n_z0 + L + R)}$, "
        r"where $z_0[u] = 0$ outside $0 \le u < n_{z_0}$, so $z = P z_0$ has length "
        rf"$n_{{z}} = {tex(n_z0 + L + R)}$; a negative amount crops.",
        rf"\item $C_{{\mathrm{{flip}}}}$, the convolution with stride $1$, padding $0$ and dilation $d$ of the "
        rf"flipped kernel $\tilde w[m] = w[{tex(C.F.flip_tap(m, k))}]$: $(C_{{\mathrm{{flip}}}} z)[j] = "
        rf"\sum_{{m=0}}^{{k-1}} \tilde w[m]\, z[{tex(C.conv_read.subs(S.mp, m))}]$.",
        r"\end{itemize}",
        rf"Then $T = C_{{\mathrm{{flip}}}} P Z$ and $T = (S M)^{{\top}}$; $M$ has "
        rf"$n_{{M}} = {tex(n + sympy.floor(a / s))}$ rows, so that $S = I$ exactly when $a < s$.",
    ]
    return "\n".join(text)


AXIS = r"^{(\nu)}"
r"""The superscript of one axis's 1-D objects in an N-D proof (``T^{(\nu)}``); the plain letters are the N-D ones."""


def _axis_objects(C: _Chain) -> str:
    r"""The 1-D objects of one axis, as the N-D proof's chain of one axis names them, defined from the formulas used.

    >>> text = _axis_objects(_Chain(default_formulas))
    >>> r"T^{(\nu)}[j, i]" in text and r"\tilde w^{(\nu)}[m] = w^{(\nu)}[k - m - 1]" in text
    True
    """
    from ..latex.printing import math_latex as tex  # the latex layer sits above the proofs

    S = SYMBOLS
    k, s, d, pl, pr, m = S.k, S.s, S.d, S.pl, S.pr, S.m
    rows_m = C.F.conv_output_size(C.n_t, k, s, pl, pr, d)
    return (
        r"its kernels and matrices carry the axis's superscript: for a kernel $w^{(\nu)} \in \mathbb{R}^{k}$ "
        rf"and its flip $\tilde w^{{(\nu)}}[m] = w^{{(\nu)}}[{tex(C.F.flip_tap(m, k))}]$, "
        rf"$T^{{(\nu)}}[j, i] = \sum_{{m=0}}^{{k-1}} w^{{(\nu)}}[m]\, [j = {tex(C.tap)}]$ for $0 \le j < n_T$, "
        r"$0 \le i < n_{\mathrm{in}}$, the transposed convolution of the axis; $M^{(\nu)}[i, j]$, the same sum for "
        rf"$0 \le i < {tex(rows_m)}$, $0 \le j < n_T$, its convolution, whose first $n_{{\mathrm{{in}}}}$ rows "
        r"$S^{(\nu)}$ of the theorem keeps; and $(C_{\mathrm{flip}}^{(\nu)} z)[j] = \sum_{m=0}^{k-1} "
        rf"\tilde w^{{(\nu)}}[m]\, z[{tex(C.conv_read.subs(S.mp, m))}]$. Its vectors $y$, $z_0 = Z^{{(\nu)}} y$ and "
        r"$z = P^{(\nu)} z_0$ are that axis's"
    )


def _statement_nd(C: _Chain, ndim: int) -> str:
    """The N-D, grouped theorem: the 1-D hypotheses on every axis, the groups' hypothesis, the block matrices.

    The per-axis hypotheses are printed from the same :attr:`_Chain.range_object` the claims assume; the
    index map, zero insertion, paddings and flip are the formulas the claims are about.
    """
    from ..latex.printing import math_latex as tex  # the latex layer sits above the proofs

    S = SYMBOLS
    k, s, i, m = S.k, S.s, S.i, S.m
    hyps = C.range_object.latex()
    items = "\n".join(rf"\item[(H{number})] ${h}$ on every axis" for number, h in enumerate(hyps, 1))
    axes = ", ".join(str(q) for q in range(1, ndim + 1))
    kernel_shape = r" \times ".join(rf"k^{{({q})}}" for q in range(1, ndim + 1))
    i_nu, m_nu = sympy.Symbol(r"i_{\nu}", integer=True), sympy.Symbol(r"m_{\nu}", integer=True)
    tap_nu = tex(C.F.tap_position(i_nu, m_nu, s, S.pl, S.d))  # axis nu's index map, from the formula used

    def kron(name: str) -> str:  # the axes' factors of one matrix, all of them written when there are two
        factors = [f"{name}^{{({q})}}" for q in (range(1, ndim + 1) if ndim <= 3 else (1, 2))]
        return r" \otimes ".join(factors) + (rf" \otimes \dots \otimes {name}^{{({ndim})}}" if ndim > 3 else "")
    text = [
        rf"Let there be $N = {ndim}$ spatial {'axis' if ndim == 1 else 'axes'} $\nu = {axes}$, each with its own integers "

        r"$n_{\mathrm{in}}, k, s, d, p_{l}, p_{r}, a$ (written $k^{(\nu)}$ and so on where the axis matters), and let "
        r"$g, c_i, c_o$ be integers, satisfying the hypotheses",
        r"\begin{itemize}", items,
        rf"\item[(H{len(hyps) + 1})] $g, c_i, c_o \ge 1$: the $g$ groups divide the channels, "
        r"$C_{\mathrm{in}} = g c_i$ and $C_{\mathrm{out}} = g c_o$",
        r"\end{itemize}",
        rf"let $w \in \mathbb{{R}}^{{C_{{\mathrm{{out}}}} \times c_i \times {kernel_shape}}}$ be a kernel, and flatten "
        r"tensors row-major, the channel first and then the spatial axes in order. Channels come in groups: in "
        r"groups of $b$ channels, channel $c$ lies in group $\operatorname{grp}(c, b) = \lfloor c / b \rfloor$. Output channel "
        r"$o$ of the convolution lies in group $\operatorname{grp}(o, c_o)$, input channel $c$ in group $\operatorname{grp}(c, c_i)$, at "
        r"position $c_l = c - \operatorname{grp}(c, c_i)\, c_i$ of that group. "
        r"Define the following matrices.",
        r"\begin{itemize}",
        r"\item $M$, the convolution with $w$ (stride $s$, dilation $d$, padding $p_{l}, p_{r}$ on each axis) on "
        r"inputs of shape $(C_{\mathrm{in}}, n_T^{(1)}, \dots)$: its block $(o, c)$ is zero unless "
        r"$\operatorname{grp}(c, c_i) = \operatorname{grp}(o, c_o)$, and then its entries are "
        rf"$\sum_{{m}} w[o, c_l, m] \prod_{{\nu}} [j_\nu = {tap_nu}]$, the index map on each axis $\nu$ with that "
        r"axis's $s, d, p_{l}$ and the tap $m = (m_1, \dots)$.",
        r"\item $T$, the transposed convolution with the same $w$ and parameters (output padding $a$ on each axis): "
        r"output channel $c = \operatorname{grp}(o, c_o)\, c_i + c_l$ receives input channel $o$ through "
        r"$w[o, c_l]$, with the same index map.",
        rf"\item $S$, $Z$ and $P$, Kronecker products of the axes' factors in every channel: "
        rf"$S = I_{{C_{{\mathrm{{out}}}}}} \otimes {kron('S')}$, "
        rf"$Z = I_{{C_{{\mathrm{{out}}}}}} \otimes {kron('Z')}$ and "
        rf"$P = I_{{C_{{\mathrm{{out}}}}}} \otimes {kron('P')}$, where on "
        r"axis $\nu$ the row selection is $S^{(\nu)} = [I \mid 0]$, the zero insertion "
        rf"$Z^{{(\nu)}}[t, i] = [t = {tex(C.F.zero_insertion_position(i, s))}]$ and $P^{{(\nu)}}$ the padding by "
        rf"$p'_{{l}} = {tex(C.left)}$, $p'_{{r}} = {tex(C.right)}$ (a negative amount crops), each with that axis's "
        r"parameters.",
        r"\item $C_{\mathrm{flip}}$, the grouped convolution with stride $1$, padding $0$ and dilation $d$ on each "
        r"axis, of the group-wise swapped, flipped kernel "
        rf"$\tilde w[c, o_l, m] = w[\operatorname{{grp}}(c, c_i)\, c_o + o_l, c_l, {tex(C.F.flip_tap(m, k))}]$ with "
        r"$0 \le o_l < c_o$, flipped on every axis: its block $(c, o)$ is zero unless "
        r"$\operatorname{grp}(c, c_i) = \operatorname{grp}(o, c_o)$, and then it is "
        r"$\sum_{m} w[o, c_{l}, m] \bigotimes_{\nu} C^{(\nu)}_{m_\nu}$, the sum over the tap tuples "
        r"$m = (m_1, \dots, m_N)$, with $C^{(\nu)}_{m_\nu}[j, t] = "
        rf"[t = {tex(C.conv_read.subs(SYMBOLS.mp, C.F.flip_tap(m_nu, k)))}]$ the stride-1 convolution on axis $\nu$ "
        r"with the flipped unit kernel of the axis's tap $m_\nu$.",
        r"\end{itemize}",
        r"Then block $(c, o)$ of $T$ is the transpose of block $(o, c)$ of $S M$, zero outside the groups; "
        r"$T = C_{\mathrm{flip}} P Z$ and $T = (S M)^{\top}$.",
    ]
    return "\n".join(text)


@guarded("Transposed convolution is a convolution (all sizes)")
def prove_transpose_general(ndim: int = 1, *, formulas: Any = None) -> Proof:
    """The parametric proof that a transposed convolution is a convolution, for all sizes.

    For all integers ``n_in, k, s, d >= 1``, ``p_l, p_r >= 0``, ``0 <= a < max(s, d)``
    with ``n_T >= 1``, and every output ``0 <= j < n_T``: each step of the chain
    of sums in DESIGN.md is a set of integer claims that z3 proves (see
    :attr:`Proof.claims`, and :meth:`Proof.to_smtlib` to re-check them with
    another solver).  For ``ndim > 1`` the proof adds separability of the
    flattened index and the channel/group block lemma.  ``formulas`` replaces
    :mod:`symconv.formulas` (to watch a corrupted formula fail a step).

    Parameters
    ----------
    ndim : int
        The number of spatial axes.
    formulas : module, optional
        Replaces :mod:`symconv.formulas` (to watch a corrupted formula fail a step).

    Returns
    -------
    Proof
        Its steps, each checked by z3; ``claims``, ``to_smtlib()``, ``to_latex()``, ``to_document()``.

    Raises
    ------
    SpecError
        When ``ndim`` is not a positive integer (before the proof starts; see :mod:`symconv.proofs`).

    Examples
    --------
    >>> proof = prove_transpose_general()
    >>> proof.holds, len(proof.steps), len(proof.claims)
    (True, 9, 21)
    >>> {step.checker for step in proof.steps}
    {'z3'}
    """
    if isinstance(ndim, bool) or not isinstance(ndim, int) or ndim < 1:
        raise SpecError(f"ndim must be a positive integer, got {ndim!r}")
    started()
    F = default_formulas if formulas is None else formulas
    chain = _Chain(F)
    steps = _one_d_steps(chain, AXIS if ndim > 1 else "")  # N-D: the 1-D chain of each axis
    per_axis = len(steps) if ndim > 1 else 0  # the leading steps that hold on each axis
    if ndim > 1:
        steps += [_separability_step(ndim, F, size="n_T"), _axes_step(chain, ndim), _block_step(F)]
    statement = _statement(chain, ndim)
    extra = {}
    if not all(step.holds for step in steps):  # the proof fails: is the claim itself false at small sizes?
        extra["refutation"] = _refutation(chain, ndim)
        if extra["refutation"] is not None:
            steps = _one_inequality(steps)
    gather = ("definition", "sift", "zero insertion", "padding", "flip", "convolution", "size")
    selection = ("definition", "round trip", "row selection")
    if ndim > 1:
        gather, selection = gather + ("separability", "axes"), selection + ("separability", "channel blocks")
    return Proof(
        f"Transposed convolution is a convolution ({ndim}-D, all sizes)", statement, tuple(steps),
        assumptions=chain.ranges,
        conclusion=r"$T$ is the matrix of a convolution with the flipped kernel over the zero-inserted, padded input.",
        data=dict(ndim=ndim, ranges=chain.range_object, formulas=F,
                  lengths={sympy.Symbol("n_z", integer=True): chain.len_z},  # n_z of a display, for a refutation
                  # the parts of the claim, each with the lemmas (by name) it rests on; the first is the one a
                  # counterexample of ``refutation`` refutes
                  conjuncts=((r"T = C_{\mathrm{flip}} P Z", gather), (r"T = (S M)^{\top}", selection)),
                  per_axis=per_axis, **extra,
                  # the per-axis steps' superscript (stripped, they are the 1-D proof's), and their objects
                  **(dict(axis=AXIS, axis_objects=_axis_objects(chain)) if ndim > 1 else {})),

    )
