"""The parametric proof: for all sizes at once, the transposed convolution is a convolution.

Follows DESIGN.md step by step.  Every index expression is produced by the
functions of :mod:`symconv.formulas` applied to sympy symbols, every step is
checked by a program (an identity, a solved index equation, a floor split, a
group split), and every step is spot-checked numerically at random integer
instantiations against :mod:`symconv.numeric`.
"""

from __future__ import annotations

import math
import types
from typing import Any

import numpy as np
import sympy

from .. import formulas as default_formulas
from ..matrices import conv_matrix, transposed_conv_matrix
from ..numeric import conv, conv_transpose
from ..spec import ConvSpec, TransposedConvSpec
from ..structure import Structure
from .core import Proof, Step, floor_split, identity_check
from .evaluate import Indicator, compile_expr, sequence

__all__ = ["prove_transpose_general", "SYMBOLS"]

_int = dict(integer=True)
SYMBOLS = types.SimpleNamespace(
    n=sympy.Symbol("n_in", positive=True, **_int),
    k=sympy.Symbol("k", positive=True, **_int),
    s=sympy.Symbol("s", positive=True, **_int),
    d=sympy.Symbol("d", positive=True, **_int),
    pl=sympy.Symbol("p_l", nonnegative=True, **_int),
    pr=sympy.Symbol("p_r", nonnegative=True, **_int),
    a=sympy.Symbol("a", nonnegative=True, **_int),
    q=sympy.Symbol("q", nonnegative=True, **_int),
    r=sympy.Symbol("r", nonnegative=True, **_int),
    i=sympy.Symbol("i", **_int),
    j=sympy.Symbol("j", **_int),
    m=sympy.Symbol("m", **_int),
    mp=sympy.Symbol("m'", **_int),
    t=sympy.Symbol("t", **_int),
)
"""The symbols of the parametric proof (integers with their ranges)."""

Y, W = sequence("y"), sequence("w")
YHAT, Z0, Z = sequence("yhat", r"\hat{y}"), sequence("z0", "z_0"), sequence("z")
WFLIP, TY, CZ = sequence("wflip", r"\tilde{w}"), sequence("Ty", r"(T y)"), sequence("Cz", r"(C_{\mathrm{flip}} z)")

DEFAULT_SPOT_CHECKS = 120


def _instances(count: int, seed: int) -> list[dict]:
    """Random valid 1-D instantiations, including a >= s (allowed when d > s)."""
    rng = np.random.default_rng(seed)
    out: list[dict] = []
    while len(out) < count:
        k, s, d = (int(v) for v in rng.integers(1, [5, 4, 4]))
        pl, pr = (int(v) for v in rng.integers(0, d * (k - 1) + s + 1, 2))
        a = int(rng.integers(0, max(s, d)))
        n = int(rng.integers(1, 7))
        n_t = (n - 1) * s - pl - pr + d * (k - 1) + a + 1
        if n_t < 1:
            continue
        out.append(dict(n_in=n, k=k, s=s, d=d, p_l=pl, p_r=pr, a=a,
                        y=rng.integers(-5, 6, n).tolist(), w=rng.integers(-5, 6, k).tolist()))
    return out


def _env(inst: dict, j: int) -> dict:
    """Values and sequences of one instantiation, built directly from the definitions."""
    n, k, s, d, pl, pr, a = (inst[key] for key in ("n_in", "k", "s", "d", "p_l", "p_r", "a"))
    y, w = inst["y"], inst["w"]
    z0 = [0] * (s * (n - 1) + 1)
    z0[::s] = y
    left = d * (k - 1) - pl
    length = len(z0) + left + d * (k - 1) - pr + a

    def read(seq, t):
        """seq[t] for an integer t in range, else 0 (also for a fraction: no sample there)."""
        if t != int(t) or not 0 <= t < len(seq):
            return 0
        return seq[int(t)]

    return {
        "n_in": n, "k": k, "s": s, "d": d, "p_l": pl, "p_r": pr, "a": a, "j": j,
        "y": lambda i: read(y, i),
        "w": lambda m: read(w, m),
        "yhat": lambda u: read(y, u),
        "z0": lambda t: read(z0, t),
        "z": lambda t: read(z0, t - left) if 0 <= t < length else 0,
        "wflip": lambda m: read(w, k - 1 - m),
    }


def _reference(inst: dict) -> tuple[np.ndarray, TransposedConvSpec]:
    t = TransposedConvSpec(inst["k"], inst["s"], ((inst["p_l"], inst["p_r"]),), inst["a"], inst["d"])
    return conv_transpose(t, np.array([[inst["w"]]]), np.array([inst["y"]]))[0], t


def _gather_reference(inst: dict) -> np.ndarray:
    """The stride-1 convolution of the zero-inserted, windowed input with the flipped kernel."""
    env = _env(inst, 0)
    n, k, s, d, pl, pr, a = (inst[key] for key in ("n_in", "k", "s", "d", "p_l", "p_r", "a"))
    length = s * (n - 1) + 1 + 2 * d * (k - 1) - pl - pr + a
    z = np.array([env["z"](t) for t in range(length)])
    wf = np.array(inst["w"][::-1])
    return conv(ConvSpec(k, 1, 0, d), wf.reshape(1, 1, k), z.reshape(1, -1))[0]


def _spot_chain(step: Step, left: Any, right: Any, instances: list[dict]) -> Step:
    """Evaluate both sides at every output position of every instance.

    A side is a sympy expression (compiled and evaluated exactly) or the
    strings ``"reference"`` / ``"gather"`` for the numeric reference.
    """
    def side(expr):
        if isinstance(expr, str):
            return None
        return compile_expr(expr)

    fl, fr = side(left), side(right)
    for count, inst in enumerate(instances):
        ref, _ = _reference(inst)
        gather = _gather_reference(inst) if "gather" in (left, right) else None
        for j in range(ref.size):
            env = _env(inst, j)
            values: list[Any] = []
            for expr, f in ((left, fl), (right, fr)):
                if expr == "reference":
                    values.append(int(ref[j]))
                elif expr == "gather":
                    assert gather is not None
                    values.append(int(gather[j]) if j < gather.size else None)
                else:
                    values.append(f(env))
            if values[0] != values[1]:
                return step.with_spot_checks(count, f"instance {_short(inst)}, j={j}: {values[0]} != {values[1]}")
    return step.with_spot_checks(len(instances), None)


def _short(inst: dict) -> str:
    return ", ".join(f"{key}={value}" for key, value in inst.items())


def _spot_values(step: Step, instances: list[dict], evaluate) -> Step:
    for count, inst in enumerate(instances):
        left, right = evaluate(inst)
        if left != right:
            return step.with_spot_checks(count, f"instance {_short(inst)}: {left} != {right}")
    return step.with_spot_checks(len(instances), None)


def _rel(kind: type, lhs: Any, rhs: Any) -> sympy.Basic:
    """An unevaluated relation (sympy would reduce ``n >= 1`` to True for a positive n)."""
    return kind(lhs, rhs, evaluate=False)


def _ranges() -> tuple:
    S = SYMBOLS
    return (_rel(sympy.Ge, S.n, 1), _rel(sympy.Ge, S.k, 1), _rel(sympy.Ge, S.s, 1), _rel(sympy.Ge, S.d, 1),
            _rel(sympy.Ge, S.pl, 0), _rel(sympy.Ge, S.pr, 0), _rel(sympy.Le, 0, S.a), _rel(sympy.Lt, S.a, sympy.Max(S.s, S.d)))


def _one_d_steps(F: Any, instances: list[dict]) -> list[Step]:
    S = SYMBOLS
    n, k, s, d, pl, pr, a, i, j, m, mp, t = S.n, S.k, S.s, S.d, S.pl, S.pr, S.a, S.i, S.j, S.m, S.mp, S.t
    steps: list[Step] = []
    ranges = _ranges()
    n_t = F.transposed_output_size(n, k, s, pl, pr, d, a)

    # 1. definition
    tap = F.tap_position(i, m, s, pl, d)
    e1 = sympy.Sum(W(m) * Indicator(j, tap) * Y(i), (i, 0, n - 1), (m, 0, k - 1))
    ok, detail = identity_check(tap, s * i + d * m - pl)
    step = Step(TY(j), e1, "definition of the transposed convolution: input i adds w[m] y[i] at output j = s i + d m - p_l",
                "definition", ok, f"{detail}; 0 <= j < n_T = {sympy.sstr(n_t)}", ranges, name="definition")
    steps.append(_spot_chain(step, "reference", e1, instances))

    # 2. sift the indicator over i
    solutions = sympy.solve(sympy.Eq(j, tap), i)
    u = solutions[0] if len(solutions) == 1 else sympy.nan
    e2 = sympy.Sum(W(m) * YHAT(u), (m, 0, k - 1))
    ok = len(solutions) == 1 and sympy.expand(tap.subs(i, u) - j) == 0
    detail = (f"j = {sympy.sstr(tap)} has the single solution i = {sympy.sstr(u)}; it contributes y[i] only when i is an "
              f"integer with 0 <= i < n_in, which is yhat[i] (yhat[u] = y[u] for integer u in [0, n_in), else 0)"
              if ok else f"solving j = {sympy.sstr(tap)} for i gave {solutions}")
    step = Step(e1, e2, "sifting: for each m the indicator selects at most one i", "index equation", ok, detail,
                (_rel(sympy.Ge, s, 1),), name="sift")
    steps.append(_spot_chain(step, e1, e2, instances))

    # 3. zero insertion z0[t] = yhat[t / s]
    t3 = sympy.expand(F.zero_insertion_position(u, s))
    inverse = sympy.solve(sympy.Eq(t, F.zero_insertion_position(i, s)), i)
    e3 = sympy.Sum(W(m) * Z0(t3), (m, 0, k - 1))
    last_ok, last = identity_check(F.zero_inserted_size(n, s) - 1, F.zero_insertion_position(n - 1, s))
    ok = len(inverse) == 1 and sympy.expand(inverse[0].subs(t, t3) - u) == 0 and last_ok
    detail = (f"input i sits at t = {sympy.sstr(F.zero_insertion_position(i, s))}, so z0[t] = yhat[{sympy.sstr(inverse[0]) if inverse else '?'}]; "
              f"at t = {sympy.sstr(t3)} this is yhat[{sympy.sstr(u)}]; the last input lands on the last of "
              f"{sympy.sstr(F.zero_inserted_size(n, s))} positions ({last})")
    if not ok:
        detail = f"zero insertion does not invert to yhat: t/s at t = {sympy.sstr(t3)} is not {sympy.sstr(u)}, or {last}"
    step = Step(e2, e3, "zero insertion: s - 1 zeros between neighbours make yhat[u] = z0[s u]", "index equation",
                ok, detail, (_rel(sympy.Ge, s, 1),), name="zero insertion")
    steps.append(_spot_chain(step, e2, e3, instances))

    # 4. padding by L = d(k-1) - p_l
    left = F.gather_padding_left(k, pl, d)
    t4 = j + d * (k - 1 - m)
    ok, detail = identity_check(F.padded_position(t3, left), t4)
    e4 = sympy.Sum(W(m) * Z(t4), (m, 0, k - 1))
    step = Step(e3, e4, f"padding: z[t] = z0[t - L] with L = {sympy.sstr(left)} (negative L crops)", "identity",
                ok, detail, (), name="padding")
    steps.append(_spot_chain(step, e3, e4, instances))

    # 5. re-index m' = k - 1 - m (the flip)
    flip = F.flip_tap(mp, k)
    t5 = sympy.expand(t4.subs(m, flip))
    e5 = sympy.Sum(WFLIP(mp) * Z(t5), (mp, 0, k - 1))
    inv_ok = sympy.expand(F.flip_tap(flip, k) - mp) == 0
    ends_ok = sympy.expand(F.flip_tap(0, k) - (k - 1)) == 0 and sympy.expand(F.flip_tap(k - 1, k)) == 0
    idx_ok, idx_detail = identity_check(t5, j + d * mp)
    ok = inv_ok and ends_ok and idx_ok
    detail = (f"m = {sympy.sstr(flip)} is an involution mapping 0 <-> k-1 (a bijection of 0..k-1); "
              f"wflip[m'] = w[{sympy.sstr(flip)}]; {idx_detail}")
    if not ok:
        detail = (f"the re-indexing m = {sympy.sstr(flip)} is not the flip: involution {inv_ok}, endpoints {ends_ok}; "
                  f"{idx_detail}")
    step = Step(e4, e5, "re-indexing m' = k - 1 - m: the kernel is flipped", "identity", ok, detail, (), name="flip")
    steps.append(_spot_chain(step, e4, e5, instances))

    # 6. the result is a stride-1 convolution
    ok, detail = identity_check(t5, F.tap_position(j, mp, 1, 0, d))
    step = Step(e5, CZ(j), "this is the convolution (cross-correlation) of z with wflip, stride 1, padding 0, dilation d",
                "identity", ok, detail, (), name="convolution")
    steps.append(_spot_chain(step, e5, "gather", instances))

    # 7. size identity
    right = F.gather_padding_right(k, pr, d, a)
    len_z = F.zero_inserted_size(n, s) + left + right
    out_len = F.conv_output_size(len_z, k, 1, 0, 0, d)
    ok, detail = identity_check(out_len, n_t)
    step = Step(out_len, n_t, f"size: the stride-1 output on len(z) = {sympy.sstr(len_z)} has the transposed output length n_T",
                "size identity", ok, detail, (), name="size")

    def sizes(inst):
        return _gather_reference(inst).size, _reference(inst)[0].size

    steps.append(_spot_values(step, instances, sizes))

    # 8. round trip via the split a = q s + r
    q, r = S.q, S.r
    trip = F.conv_output_size(n_t, k, s, pl, pr, d)
    target = n + sympy.floor(a / s)
    try:
        lhs_red, why = floor_split(trip.subs(a, q * s + r), r, s)
        rhs_red, _ = floor_split(target.subs(a, q * s + r), r, s)
        ok, detail = identity_check(lhs_red, rhs_red)
        detail = f"with a = q s + r, 0 <= r < s: both sides reduce to {sympy.sstr(rhs_red)} ({why}); {detail}"
    except ValueError as exc:
        ok, detail = False, str(exc)
    step = Step(trip, target, "round trip: the convolution on n_T inputs has n_in + floor(a/s) outputs, which is n_in "
                "exactly when a < s", "floor split", ok, detail, (_rel(sympy.Le, 0, r), _rel(sympy.Lt, r, s)), name="round trip")

    def trip_values(inst):
        _, tspec = _reference(inst)
        n_t_val = tspec.output_shape((inst["n_in"],))[0]
        x = np.zeros((1, n_t_val), dtype=np.int64)
        return conv(tspec.transpose(), np.array([[inst["w"]]]), x).shape[1], inst["n_in"] + inst["a"] // inst["s"]

    steps.append(_spot_values(step, instances, trip_values))

    # 9. the row selection (a >= s possible when d > s)
    conv_reads = F.tap_position(i, m, s, pl, d)  # output i of the convolution reads input j at this position
    same, same_detail = identity_check(conv_reads, tap)
    nonneg = sympy.floor(a / s).is_nonnegative
    ok = same and bool(nonneg)
    detail = (f"M[i, j] = sum_m w[m] [j = {sympy.sstr(conv_reads)}] on 0 <= i < n_in + floor(a/s), 0 <= j < n_T, and "
              f"T[j, i] has the same indicator ({same_detail}) on 0 <= i < n_in; floor(a/s) >= 0, so T is the transpose "
              "of the first n_in rows of M: S = [I | 0], the identity exactly when a < s")
    step = Step(sympy.MatrixSymbol("T", n_t, n), sympy.Transpose(sympy.MatrixSymbol("S", n, n + sympy.floor(a / s))
                                                                  * sympy.MatrixSymbol("M", n + sympy.floor(a / s), n_t)),
                "the transposed convolution is the transpose of the convolution's matrix, rows selected by S",
                "identity", ok, detail, (_rel(sympy.Lt, a, sympy.Max(s, d)),), name="row selection")

    def dense(inst):
        ref, tspec = _reference(inst)
        n_in, n_t_val = inst["n_in"], ref.size
        w = np.array([[inst["w"]]])
        T_cols = [conv_transpose(tspec, w, np.eye(n_in, dtype=np.int64)[c].reshape(1, -1))[0] for c in range(n_in)]
        M_cols = [conv(tspec.transpose(), w, np.eye(n_t_val, dtype=np.int64)[c].reshape(1, -1))[0] for c in range(n_t_val)]
        T_dense, M_dense = np.array(T_cols).T, np.array(M_cols).T
        return T_dense.tolist(), M_dense[:n_in].T.tolist()

    steps.append(_spot_values(step, instances, dense))
    return steps


def _kron(structs: list[Structure], n_taps: list[int]) -> Structure:
    """Kronecker product of per-axis structures, taps combined row-major."""
    out = structs[0]
    taps_so_far = n_taps[0]
    for nxt, kt in zip(structs[1:], n_taps[1:]):
        wide = [np.asarray(x, dtype=np.int64) for x in (out.rows, out.cols, out.taps)]
        rows = (wide[0][:, None] * nxt.shape[0] + nxt.rows[None, :]).ravel()
        cols = (wide[1][:, None] * nxt.shape[1] + nxt.cols[None, :]).ravel()
        taps = (wide[2][:, None] * kt + nxt.taps[None, :]).ravel()
        out = Structure.build((out.shape[0] * nxt.shape[0], out.shape[1] * nxt.shape[1]), rows, cols, taps)
        taps_so_far *= kt
    return out


def _lift_steps(ndim: int, count: int, seed: int) -> list[Step]:
    sizes = sympy.symbols(f"n_0:{ndim}", positive=True, integer=True)
    strides = [sympy.Mul(*sizes[a + 1:]) for a in range(ndim)]
    ok, details = True, []
    for a in range(ndim):
        tail = sum(((sizes[b] - 1) * strides[b] for b in range(a + 1, ndim)), sympy.Integer(0))
        good, text = identity_check(tail, strides[a] - 1)
        ok &= good
        details.append(text)
    js = sympy.symbols(f"j_0:{ndim}", integer=True)
    fs = sympy.symbols(f"f_0:{ndim}", integer=True)
    ravel_diff = sum((js[a] - fs[a]) * strides[a] for a in range(ndim))
    lin_ok, lin = identity_check(sum(js[a] * strides[a] for a in range(ndim)) - sum(fs[a] * strides[a] for a in range(ndim)), ravel_diff)
    ok &= lin_ok
    rule = ("separability: positions are flattened row-major, and sum_{b>a} (n_b - 1) N_b = N_a - 1 bounds the tail "
            "below the stride N_a of axis a, so [flat(j) = flat(f)] = prod_a [j_a = f_a] for in-range positions; the "
            "index equation, zero insertion, padding and flip act on each axis with its own s, p, d, a")
    lhs = Indicator(sympy.Tuple(*js), sympy.Tuple(*fs))
    rhs = sympy.Mul(*(Indicator(js[a], fs[a]) for a in range(ndim)))
    step = Step(lhs, rhs, rule, "identity", ok, "; ".join(details + [lin]), (), name="separability")
    rng = np.random.default_rng(seed + 1)
    done, failure = 0, None
    while done < count and failure is None:
        ks = [int(v) for v in rng.integers(1, 4, ndim)]
        ss, ds = [int(v) for v in rng.integers(1, 4, ndim)], [int(v) for v in rng.integers(1, 3, ndim)]
        pads = [(int(rng.integers(0, 3)), int(rng.integers(0, 3))) for _ in range(ndim)]
        aa = [int(rng.integers(0, max(s_, d_))) for s_, d_ in zip(ss, ds)]
        t = TransposedConvSpec(tuple(ks), tuple(ss), tuple(pads), tuple(aa), tuple(ds))
        shape = tuple(int(v) for v in rng.integers(1, 4, ndim))
        try:
            t.output_shape(shape)
        except ValueError:
            continue
        per_axis = []
        for ax in range(ndim):
            t1 = TransposedConvSpec(ks[ax], ss[ax], (pads[ax],), aa[ax], ds[ax])
            w1 = np.arange(ks[ax]).reshape(1, 1, -1)
            per_axis.append(transposed_conv_matrix(t1, w1, (shape[ax],)).structure)
        tap_ids = np.arange(math.prod(ks)).reshape((1, 1) + tuple(ks))
        full = transposed_conv_matrix(t, tap_ids, shape).structure
        if not _kron(per_axis, ks).equals(full):
            failure = f"N-D matrix of {t} on {shape} is not the Kronecker product of its per-axis matrices"
        else:
            done += 1
    return [step.with_spot_checks(done, failure)]


def _block_steps(count: int, seed: int) -> list[Step]:
    g, u, v = sympy.symbols("g u v", positive=True, integer=True)  # groups, C_in/g, C_out/g of the convolution
    gamma, ol, cl, col = sympy.symbols("gamma o_l c_l c'_l", nonnegative=True, integer=True)
    o, c = gamma * v + ol, gamma * u + cl
    # convolution: group of output channel o, and the weight's second index
    conv_group, why = floor_split(sympy.floor(o / v), ol, v)
    conv_index = (o, c - conv_group * u)
    # transposed layer (C_in^T = C_out, so C_in^T/g = v; C_out^T/g = u): input channel ci = o,
    # output channel co = c; its definition uses w[ci, co - floor(ci / (C_in^T/g)) * (C_out^T/g)]
    ci, co = o, c
    t_group, _ = floor_split(sympy.floor(ci / v), ol, v)
    t_index = (ci, co - t_group * u)
    ok1, d1 = identity_check(conv_group, gamma)
    ok2, d2 = identity_check(conv_index[1], cl)
    ok3, d3 = identity_check(t_index[1] - conv_index[1], 0)
    ok = ok1 and ok2 and ok3
    detail = (f"o = gamma v + o_l with 0 <= o_l < v gives group(o) = floor(o/v) = {sympy.sstr(conv_group)} ({why}); "
              f"M's block (o, c) holds w[o, c - group(o) u] = w[o, {sympy.sstr(conv_index[1])}] ({d2}); in T, input channel o "
              f"lies in the same group and output channel c uses w[o, c - group(o) u], the same entry ({d3}); a channel "
              "outside the group gives a zero block in both")
    w = sequence("W")
    step = Step(w(o, c - sympy.floor(o / v) * u), w(o, cl),
                "channel/group block lemma: block (o, c) of M is the spatial matrix of w[o, c - group(o) C_in/g] inside "
                "o's group and zero outside; its transpose is block (c, o) of T", "group split", ok, f"{detail}; {d1}",
                (_rel(sympy.Le, 0, ol), _rel(sympy.Lt, ol, v), _rel(sympy.Le, 0, cl), _rel(sympy.Lt, cl, u)), name="channel blocks")
    rng = np.random.default_rng(seed + 2)
    done, failure = 0, None
    while done < count and failure is None:
        groups = int(rng.integers(1, 4))
        cin, cout = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
        k, s_, d_ = (int(x) for x in rng.integers(1, 4, 3))
        spec = ConvSpec(k, s_, int(rng.integers(0, 3)), d_, cin, cout, groups)
        n = d_ * (k - 1) + 1 + int(rng.integers(0, 4))
        wt = np.arange(math.prod(spec.weight_shape)).reshape(spec.weight_shape)
        M = conv_matrix(spec, wt, (n,))
        T = transposed_conv_matrix(spec.transpose((n,)), wt, spec.output_shape((n,)))
        if not M.structure.transpose().equals(T.structure):
            failure = f"{spec} on ({n},): T is not M^T block by block"
        else:
            done += 1
    return [step.with_spot_checks(done, failure)]


def prove_transpose_general(ndim: int = 1, *, spot_checks: int = DEFAULT_SPOT_CHECKS, seed: int = 0,
                            formulas: Any = None) -> Proof:
    """The parametric proof that a transposed convolution is a convolution, for all sizes.

    Symbols ``n_in, k, s, d >= 1``, ``p_l, p_r >= 0``, ``0 <= a < max(s, d)`` and a
    free output index ``j``.  For ``ndim > 1`` the proof adds the lift by
    separability and the channel/group block lemma.  ``formulas`` replaces
    :mod:`symconv.formulas` (for testing that a corrupted formula is caught).

    Examples
    --------
    >>> proof = prove_transpose_general(spot_checks=5)
    >>> proof.holds, len(proof.steps)
    (True, 9)
    """
    F = default_formulas if formulas is None else formulas
    if isinstance(ndim, bool) or not isinstance(ndim, int) or ndim < 1:
        from ..errors import SpecError

        raise SpecError(f"ndim must be a positive integer, got {ndim!r}")
    instances = _instances(spot_checks, seed)
    steps = _one_d_steps(F, instances)
    if ndim > 1:
        steps += _lift_steps(ndim, max(spot_checks // 4, 1) if spot_checks else 0, seed)
        steps += _block_steps(max(spot_checks // 4, 1) if spot_checks else 0, seed)
    statement = ("For all integers n_in, k, s, d >= 1, p_l, p_r >= 0 and 0 <= a < max(s, d), the transposed convolution "
                 "T y equals the stride-1 convolution, with the flipped kernel, of the input with s - 1 zeros inserted "
                 "between neighbours and padded by d(k-1) - p_l on the left and d(k-1) - p_r + a on the right; and "
                 "T = (S M)^T, with S the identity exactly when a < s.")
    if ndim > 1:
        statement += f" The same holds in {ndim}-D, axis by axis, with channels and groups."
    return Proof(
        f"Transposed convolution is a convolution ({ndim}-D, all sizes)", statement, tuple(steps),
        assumptions=_ranges(),
        conclusion="T is the matrix of a convolution with the flipped kernel over the zero-inserted, padded input.",
        data=dict(ndim=ndim, instances=len(instances)),
    )
