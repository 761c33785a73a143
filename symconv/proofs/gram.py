"""The round trip MᵀM: its entries by lag and phase, periodic in the interior, its diagonal the phase energies.

``prove_gram`` checks one layer by exact structure: the product ``MᵀM`` is computed sparsely from M's structure
(:func:`symconv.gram.gram_structure`, a join over M's rows that knows nothing of lags or phases) and compared
term by term with the statement's own formula, enumerated from :mod:`symconv.formulas` (the sift, the Gram
partner ``j + d(m' - m)``, the phase ``(j + p_l) mod s``).  ``prove_gram_general`` proves the integer facts
behind the statement for all sizes with z3.
"""

from __future__ import annotations

import itertools
import math
import types
from typing import Any

import numpy as np
import sympy

from .. import formulas as default_formulas
from ..errors import SizeLimitError, SpecError, SpecTypeError
from ..gram import GramStructure, autocorrelation, gram_interior, gram_structure
from ..kernels import check_name, kernel_symbols
from ..matrices import conv_matrix
from ..numeric import conv
from ..spec import ConvSpec
from .anchors import DEFAULT_BITS, anchor_step, convention_step
from .core import Proof, Step, tuple_tex
from .evaluate import NAMED, Indicator, sequence
from .guard import guarded, started
from .instance import INSTANCE_LIMIT, distinct_symbols
from .overlap import overlap_counts
from .ranges import Hypothesis, Ranges
from .smt import prove

__all__ = ["prove_gram", "prove_gram_general", "lag_statement", "interior_statement"]

_I64 = np.int64
G_ = sequence("G", r"(M^{\top} M)")
W_ = sequence("w")
W2_ = sequence("wsq", r"w^{2}")


class _Bracket(sympy.Function):
    """The Iverson bracket of a condition (for display)."""

    nargs = 1

    def _latex(self, printer):
        return rf"\left[{printer._print(self.args[0])}\right]"


def _rel(kind: type, lhs: Any, rhs: Any) -> sympy.Basic:
    return kind(lhs, rhs, evaluate=False)


def _eq(lhs: Any, rhs: Any) -> sympy.Basic:
    return _rel(sympy.Eq, lhs, rhs)


def _and(*args: Any) -> sympy.Basic:
    return sympy.And(*args, evaluate=False)


def _within(lo: Any, x: Any, hi: Any) -> sympy.Basic:
    return _and(_rel(sympy.Le, lo, x), _rel(sympy.Lt, x, hi))


J, J2, M_TAP, M2_TAP = sympy.symbols("j j' m m'", integer=True)
S_, D_, PL_ = sympy.symbols("s d p_l", integer=True)


def _tex(expr: Any) -> str:
    from ..latex.printing import math_latex

    return math_latex(expr)


def _phase_condition() -> str:
    """``d m ≡ ph(j) (mod s)``, the phase rendered from the executed formula's name."""
    return rf"d m \equiv {_tex(NAMED.phase_of(J, S_, PL_))}\ (\mathrm{{mod}}\ s)"


def _entries_tex(j: Any = J, m: Any = M_TAP, m2: Any = M2_TAP) -> str:
    """The lag statement as a display: a double sum over the taps with its conditions under the sum."""
    res = _tex(NAMED.sift_residue(j, m, S_, PL_, D_))
    src = _tex(NAMED.sifted_position(j, m, S_, PL_, D_))
    partner = _tex(NAMED.gram_partner(j, m, m2, D_))
    return (rf"\sum_{{\substack{{0 \le m, m' < k\\ {res} = 0\\ 0 \le {src} < n_{{\mathrm{{out}}}}\\ "
            rf"j' = {partner}}}}} w[m]\, w[m']")


# ---------------------------------------------------------------------------------------------------------------
# the statement's formula, enumerated (independent of the product)


def _axis_lags(F: Any, n: int, n_out: int, k: int, s: int, p_l: int, d: int) -> tuple[np.ndarray, ...]:
    """One axis: the (j, m, j', m') with tap m carrying an existing output to j and tap m' to j' = partner."""
    j, m, m2 = (x.ravel() for x in np.meshgrid(np.arange(n), np.arange(k), np.arange(k), indexing="ij"))
    i = F.sifted_position(j, m, s, p_l, d)
    j2 = F.gram_partner(j, m, m2, d)
    ok = (F.sift_residue(j, m, s, p_l, d) == 0) & (i >= 0) & (i < n_out) & (j2 >= 0) & (j2 < n)
    return j[ok], m[ok], j2[ok], m2[ok]


def _axis_interior(F: Any, inner: range, k: int, s: int, p_l: int, d: int,
                   diagonal: bool = False) -> tuple[np.ndarray, ...]:
    """One axis, interior rows only: the taps m of j's phase, every m' (only m' = m on the diagonal), at
    j' = partner (no range conditions)."""
    j, m, m2 = (x.ravel() for x in np.meshgrid(np.arange(inner.start, inner.stop), np.arange(k), np.arange(k),
                                               indexing="ij"))
    phase = F.phase_of(j, s, p_l)
    ok = F.sift_residue(phase, m, s, 0, d) == 0  # d m ≡ phase (mod s)
    if diagonal:
        ok &= m == m2
    return j[ok], m[ok], F.gram_partner(j[ok], m[ok], m2[ok], d), m2[ok]


def _combine(F: Any, spec: ConvSpec, shape: tuple[int, ...], per_axis: list, diagonal: bool = False) -> GramStructure:
    """Axis tuples to flat (channel, position) rows and columns and flat weight taps, for every channel pair."""
    j = j2 = m = m2 = np.zeros(1, dtype=_I64)
    for ax, (aj, am, aj2, am2) in enumerate(per_axis):  # the Cartesian product of the axes, flattened row-major
        j = F.flat_index(j[:, None], aj[None, :], shape[ax]).ravel()
        j2 = F.flat_index(j2[:, None], aj2[None, :], shape[ax]).ravel()
        m = F.flat_index(m[:, None], am[None, :], spec.kernel_size[ax]).ravel()
        m2 = F.flat_index(m2[:, None], am2[None, :], spec.kernel_size[ax]).ravel()
    per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    n_pos, n_k = math.prod(shape), math.prod(spec.kernel_size)
    rows, cols, ta, tb = [], [], [], []
    for group in range(spec.groups):
        for o in range(group * per_out, (group + 1) * per_out):
            for l1 in range(per_in):
                for l2 in ([l1] if diagonal else range(per_in)):
                    rows.append(F.flat_index(F.group_channel(group, per_in, l1), j, n_pos))
                    cols.append(F.flat_index(F.group_channel(group, per_in, l2), j2, n_pos))
                    ta.append(F.flat_index(F.flat_index(o, l1, per_in), m, n_k))
                    tb.append(F.flat_index(F.flat_index(o, l2, per_in), m2, n_k))
    size = spec.in_channels * n_pos

    def cat(parts: list) -> np.ndarray:
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    return GramStructure.build((size, size), cat(rows), cat(cols), cat(ta), cat(tb),
                               n_taps=spec.out_channels * per_in * n_k)


def lag_statement(spec: ConvSpec, input_shape: Any, formulas: Any = None) -> GramStructure:
    """``MᵀM`` as the theorem states it: ``Σ_o Σ_{m, m'} w[o, l, m] w[o, l', m']`` at ``((c, j), (c', j'))``.

    Per axis, ``j + p_l - d m`` is a multiple of ``s`` whose quotient is an output ``0 <= i < n_out``, and
    ``j' = j + d(m' - m)`` lies in ``[0, n)``; ``c = γ C_in/g + l`` and ``c' = γ C_in/g + l'`` lie in the
    group ``γ`` of ``o``.  Each (i, m, m') triple of the product appears once, as (j, m, m').
    """
    F = default_formulas if formulas is None else formulas
    shape = spec.check_input_shape(input_shape)
    out = spec.output_shape(shape)
    per_axis = [_axis_lags(F, n, n_out, k, s, p_l, d) for n, n_out, k, s, p_l, d in
                zip(shape, out, spec.kernel_size, spec.stride, spec.padding_left, spec.dilation)]
    return _combine(F, spec, shape, per_axis)


def interior_statement(spec: ConvSpec, input_shape: Any, diagonal: bool = False,
                       formulas: Any = None) -> tuple[GramStructure, np.ndarray]:
    """The interior rows of ``MᵀM`` as the phase autocorrelations ``R_{phase(j)}[c, c', τ]`` at lag ``d τ``.

    Returns the structure and the boolean mask of interior rows.  With ``diagonal=True``: the interior diagonal
    as the phase energies ``Σ_o Σ_{m of phase(j)} w[o, l, m]²``.
    """
    F = default_formulas if formulas is None else formulas
    shape = spec.check_input_shape(input_shape)
    inner = gram_interior(spec, shape)
    per_axis = [_axis_interior(F, r, k, s, p_l, d, diagonal) for r, k, s, p_l, d in
                zip(inner, spec.kernel_size, spec.stride, spec.padding_left, spec.dilation)]
    return _combine(F, spec, shape, per_axis, diagonal), _interior_mask(spec, shape)


def _interior_mask(spec: ConvSpec, shape: tuple[int, ...]) -> np.ndarray:
    """Rows of ``MᵀM`` (flat (channel, position)) whose position lies in the interior on every axis."""
    mask = np.zeros((spec.in_channels,) + tuple(shape), dtype=bool)
    mask[(slice(None),) + tuple(slice(r.start, r.stop) for r in gram_interior(spec, shape))] = True
    return mask.ravel()


# ---------------------------------------------------------------------------------------------------------------
# the instance proof


def _compare(name: str, product: GramStructure, statement: Any, lhs: Any, rhs: Any, rule: str,
             weight: Any) -> Step:
    """Exact structure equality of the product with the statement (a callable that builds it: a statement that
    cannot be built, e.g. with terms outside the matrix, is a failed step)."""
    if callable(statement):
        try:
            statement = statement()
        except (MemoryError, SizeLimitError):
            raise
        except Exception as exc:  # noqa: BLE001 - a statement that breaks is a failed step
            return Step(lhs, rhs, rule, "exact structure", False,
                        f"the statement could not be built: {type(exc).__name__}: {exc}", name=name)
    if product.shape != statement.shape:
        return Step(lhs, rhs, rule, "exact structure", False,
                    f"shapes differ: {product.shape} and {statement.shape}", name=name)
    blind = _blind_spot(product)
    if blind:  # the comparison itself must be able to see a difference
        return Step(lhs, rhs, rule, "exact structure", False, blind, name=name)
    if statement.rows.size == 0:
        return Step(lhs, rhs, rule, "exact structure", False, "the statement has no terms here, so nothing was "
                    "compared", name=name)
    if product.equals(statement):
        return Step(lhs, rhs, rule, "exact structure", True,
                    f"{statement.rows.size} terms (row, column, tap, tap), identical", name=name)
    where = product.first_difference(statement)
    detail = f"the structures differ ({product.rows.size} and {statement.rows.size} terms)"
    if where is not None:
        r, c = where
        detail = (f"first differing entry at row {r}, column {c}: the product gives {product.entry(r, c, weight)}, "
                  f"the statement {statement.entry(r, c, weight)}")
    return Step(lhs, rhs, rule, "exact structure", False, detail, name=name)


def _blind_spot(product: GramStructure) -> str:
    """Why :meth:`GramStructure.equals` could not see a difference here ('' when it can).

    It is run on a few of the product's terms against an unchanged copy (must be equal) and against copies with
    one term's second tap, column or row changed (each must be unequal).
    """
    keep = min(product.rows.size, 16)
    if keep == 0:
        return ""
    base = [np.array(x[:keep]) for x in (product.rows, product.cols, product.taps_a, product.taps_b)]

    def sample(arrays: list) -> GramStructure:
        return GramStructure.build(product.shape, *arrays, n_taps=product.n_taps)

    reference = sample(base)
    if not reference.equals(sample([x.copy() for x in base])):
        return "the Gram comparison finds a matrix unequal to its copy, so its verdict would mean nothing"
    for what, field, size in (("tap", 3, product.n_taps), ("column", 1, product.shape[1]),
                              ("row", 0, product.shape[0])):
        if size < 2:
            continue
        arrays = [x.copy() for x in base]
        arrays[field][-1] = (int(arrays[field][-1]) + 1) % size
        if reference.equals(sample(arrays)):
            return f"the Gram comparison cannot see a changed {what}, so its verdict would mean nothing"
    return ""


def _cauchy_schwarz(spec: ConvSpec, w: Any) -> Step:
    """R[0] ≥ |R[τ]| for every input channel and lag, by a sum-of-squares certificate expanded by sympy."""
    arr = np.asarray(w, dtype=object)
    kernel = spec.kernel_size
    per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    lhs = sympy.Symbol(r"2 R[0] + 2 \sigma R[\tau]")
    rhs = sympy.Symbol(r"\sum_{0 \le m, m + \tau < k} \bigl(w[m] + \sigma\, w[m + \tau]\bigr)^{2} "
                       r"+ \sum_{m \text{ unpaired}} w[m]^{2}")
    rule = (r"Cauchy--Schwarz for the kernel's autocorrelation $R[\tau]$, the sum of $w[o, c, m]\, "
            r"w[o, c, m + \tau]$ over the output channels $o$ and taps $m$: for $\sigma = \pm 1$, "
            r"$2 R[0] + 2 \sigma R[\tau]$ equals the sum of "
            r"$(w[m] + \sigma w[m + \tau])^{2}$ over the taps with both $m$ and $m + \tau$ in the kernel, plus "
            r"$w[m]^{2}$ for every tap whose partner $m + \tau$ or $m - \tau$ falls outside it: a sum of squares "
            r"of reals, so $R[0] \ge |R[\tau]|$")
    lags = [t for t in itertools.product(*(range(-(k - 1), k) for k in kernel)) if any(t)]
    checked = 0
    for c in range(spec.in_channels):
        group, local = c // per_in, c % per_in
        block = arr[group * per_out:(group + 1) * per_out]
        ring, *gens = sympy.polys.rings.ring(list(block[:, local].ravel()), sympy.ZZ)
        x = np.empty(block[:, local].shape, dtype=object)
        x.ravel()[:] = gens  # the block's symbols as generators of sympy's sparse polynomial ring
        energy = ring.from_expr(autocorrelation(block, (0,) * len(kernel), local))
        for lag in lags:
            value = ring.from_expr(autocorrelation(block, lag, local))
            for sign in (1, -1):
                squares = ring.zero
                for o in range(block.shape[0]):
                    for m in itertools.product(*(range(k) for k in kernel)):
                        up = tuple(a + b for a, b in zip(m, lag))
                        down = tuple(a - b for a, b in zip(m, lag))
                        if all(0 <= v < k for v, k in zip(up, kernel)):
                            squares += (x[(o,) + m] + sign * x[(o,) + up]) ** 2
                        else:
                            squares += x[(o,) + m] ** 2
                        if not all(0 <= v < k for v, k in zip(down, kernel)):
                            squares += x[(o,) + m] ** 2
                diff = 2 * energy + 2 * sign * value - squares
                if diff != 0:
                    return Step(lhs, rhs, rule, "sympy", False,
                                f"channel {c}, lag {tuple_tex(lag)}, sign {sign:+d}: 2 R[0] {'+' if sign > 0 else '-'} "
                                f"2 R[tau] minus the sum of squares is {diff.as_expr()}, not 0", name="Cauchy-Schwarz")
                checked += 1
    if not checked:
        return Step(lhs, rhs, rule, "sympy", False, "the kernel has a single tap: there is no lag to compare",
                    name="Cauchy-Schwarz")
    return Step(lhs, rhs, rule, "sympy", True,
                f"{checked} sum-of-squares identities ({spec.in_channels} channels, {len(lags)} lags, both signs) "
                "expand to 0", name="Cauchy-Schwarz")


def _interior_steps(spec: ConvSpec, shape: tuple[int, ...], product: GramStructure, where: str,
                    w: Any) -> list[Step]:
    """The interior rows against the phase autocorrelations, and the interior diagonal against the phase energies."""
    mask = _interior_mask(spec, shape)
    inner = product.restrict_rows(mask)
    on_diagonal = inner.restrict(inner.rows == inner.cols)
    lhs = sympy.Symbol(r"j \in I:\ (M^{\top} M)\left[j, j + d \tau\right]")
    rhs = sympy.Symbol(r"\sum_{\substack{0 \le m, m + \tau < k\\ " + _phase_condition() + r"}} w[m]\, w[m + \tau]")
    steps = [_compare(
        "interior", inner, lambda: interior_statement(spec, shape)[0], lhs, rhs,
        rf"in the interior $I = {where}$ per axis ($d(k-1) \le j$, $j + p_l \le s(n_{{\mathrm{{out}}}} - 1)$, "
        r"$j + d(k-1) \le n - 1$), row $j$ of $M^{\top} M$ at lag $d \tau$ is the phase autocorrelation "
        r"$R_t[\tau]$, the sum of $w[m]\, w[m + \tau]$ over the taps $m$ with $d m \equiv t \pmod{s}$ and "
        r"$0 \le m + \tau < k$, of the phase $t = (j + p_l) \bmod s$ of $j$ (summed over the output channels of "
        r"the group): the interior is shift-invariant with period $s$ on every axis (with $s = 1$: the convolution "
        r"with the kernel's autocorrelation $R$)", w)]
    steps.append(_compare(
        "diagonal", on_diagonal, lambda: interior_statement(spec, shape, diagonal=True)[0],
        sympy.Symbol(r"j \in I:\ (M^{\top} M)\left[j, j\right]"),
        sympy.Symbol(r"\sum_{\substack{0 \le m < k\\ " + _phase_condition() + r"}} w[m]^{2}"),
        r"the interior diagonal holds the energy of each phase, the sum of $w[m]^{2}$ over the taps $m$ with "
        r"$d m \equiv (j + p_l) \pmod{s}$ (summed over the output channels of the group): $j' = j$ exactly when "
        r"$m' = m$, as $d \ge 1$", w))
    return steps


def _check_size(spec: ConvSpec, shape: tuple[int, ...], limit: int) -> None:
    per_in = spec.in_channels // spec.groups
    terms = (math.prod(spec.output_shape(shape)) * spec.out_channels * (per_in * math.prod(spec.kernel_size)) ** 2)
    if terms > limit:
        raise SizeLimitError(f"this Gram matrix needs about {terms} structure terms, over max_terms={limit}; "
                             "use prove_gram_general() for the statement about every size, or raise max_terms")


@guarded("The round trip: the Gram matrix (instance)")
def prove_gram(spec: ConvSpec, input_shape: Any, *, name: str = "w", seed: int = 0, max_terms: int = INSTANCE_LIMIT,
               anchor_bits: int = DEFAULT_BITS) -> Proof:
    """Prove, for one layer, what ``MᵀM`` is: entries by lag and phase, periodic interior, phase energies.

    ``Mᵀ(M x) = (MᵀM) x``: the transpose of a detector paints what the detector responds to, blurred by
    ``MᵀM``.  Steps: M is the convolution as PyTorch defines it (convention and anchor); the product ``MᵀM``,
    computed sparsely from M's structure, equals term by term the sum over taps ``m, m'`` of
    ``w[m] w[m']`` at lag ``d(m' - m)`` (channel blocks summed over the output channels of a group); in the
    interior its rows are the phase autocorrelations, so it is periodic with period ``s`` on each axis; its
    interior diagonal holds the phase energies; with unit weights the diagonal is the overlap count of the
    transposed layer times ``C_out/g``; and ``R[0] >= |R[τ]|`` (Cauchy–Schwarz).

    >>> proof = prove_gram(ConvSpec(3, stride=2, padding=1), (9,))
    >>> proof.holds, [step.name for step in proof.steps]
    (True, ['convention', 'M is the convolution', 'entries', 'interior', 'diagonal', 'overlap', 'Cauchy-Schwarz'])
    """
    check_name(name)
    if not isinstance(spec, ConvSpec):
        raise SpecTypeError(f"spec must be a ConvSpec (MᵀM is the round trip of a convolution), got "
                            f"{type(spec).__name__}")
    shape = spec.check_input_shape(input_shape)
    started()
    from ..latex.printing import spec_latex

    title = "The round trip: the Gram matrix (instance)"
    tspec, t_in = spec.transpose(shape), spec.output_shape(shape)
    steps: list[Step] = [convention_step(tspec, t_in)]
    if not steps[-1].holds:  # every later step rests on the definitions: a wrong one ends the proof here
        return Proof(title, "The definitions of this layer are not PyTorch's.", tuple(steps),
                     data=dict(spec=spec, input_shape=shape))
    _check_size(spec, shape, max_terms)  # sizes from lengths the convention step has just pinned
    w = kernel_symbols(spec, name)
    M = conv_matrix(spec, w, shape)
    M_, x_ = sympy.MatrixSymbol("M", *M.shape), sympy.MatrixSymbol("x", M.shape[1], 1)
    per_in = spec.in_channels // spec.groups
    steps.append(anchor_step("M is the convolution", M, lambda wv, x: conv(spec, wv, x), spec.weight_shape,
                             math.prod(spec.kernel_size) * per_in, sympy.MatMul(M_, x_, evaluate=False),
                             sympy.Function("conv")(x_),
                             r"$M$, built from the index structure, is the convolution as defined by the numeric "
                             r"reference", seed=seed, bits=anchor_bits))
    premise = distinct_symbols(M)
    product = gram_structure(spec, w, shape)
    rhs = sympy.Symbol(_entries_tex())
    rule = (r"the product $M^{\top} M$, computed by the proof as a sparse join of $M$'s terms over its rows "
            r"(output $i$ pairs its terms $w[m]$ at $j$ and $w[m']$ at $j'$), against the statement, for all "
            r"$0 \le j, j' < n$ on every axis: the sum over the taps $m, m'$ for which $j + p_l - d m$ is a multiple "
            r"$s i$ of the stride with $0 \le i < n_{\mathrm{out}}$ and $j' = j + d(m' - m)$; channel block "
            r"$(c, c')$ sums $w[o, l, m]\, w[o, l', m']$ over the output channels $o$ of the group of "
            r"$c = \gamma C_{\mathrm{in}}/g + l$ and $c' = \gamma C_{\mathrm{in}}/g + l'$, and is zero across groups")
    if premise:
        steps.append(Step(G_(J, J2), rhs, rule, "exact structure", False, premise, name="entries"))
    else:
        steps.append(_compare("entries", product, lambda: lag_statement(spec, shape), G_(J, J2), rhs, rule, w))
    inner = gram_interior(spec, shape)
    where = ", ".join(rf"\{{{r.start}, \dots, {r.stop - 1}\}}" if len(r) else r"\emptyset" for r in inner)
    has_interior = all(len(r) for r in inner)
    if has_interior:
        steps += _interior_steps(spec, shape, product, where, w)
    counts = overlap_counts(tspec, t_in)
    unit = product.diagonal_counts().reshape((spec.in_channels,) + shape)
    expected = np.broadcast_to((spec.out_channels // spec.groups) * counts, unit.shape)
    ok = bool(np.array_equal(unit, expected))
    steps.append(Step(
        sympy.Symbol(r"(M^{\top} M)\left[j, j\right]\big|_{w \equiv 1}"),
        sympy.Symbol(r"\frac{C_{\mathrm{out}}}{g}\, \operatorname{count}[j]"),
        r"with every weight set to 1 ($w \equiv 1$), the diagonal of $M^{\top} M$ is $C_{\mathrm{out}}/g$ times "
        r"$\operatorname{count}[j]$, the number of taps reaching $j$ in the transposed layer (the overlap count of "
        r"the checkerboard, read off $T$), as the $C_{\mathrm{out}}/g$ output channels of a group each add theirs",
        "enumeration", ok,
        f"{unit.size} diagonal entries equal the overlap counts" if ok else
        f"unit-weight diagonal {unit.ravel()[:12].tolist()}..., overlap counts {expected.ravel()[:12].tolist()}...",
        name="overlap"))
    steps.append(_cauchy_schwarz(spec, w))
    statement = (rf"For the convolution ${spec_latex(spec)}$ on inputs of spatial shape ${tuple_tex(shape)}$, with "
                 r"matrix $M$ and distinct real weights $w$: the entry $(M^{\top} M)[j, j']$ is the sum of "
                 r"$w[m]\, w[m']$ over the pairs of taps whose common output exists, at lag $j' - j = d(m' - m)$; in "
                 r"the interior it depends only on the lag and the phase $(j + p_l) \bmod s$ (period $s$), with the "
                 r"phase energies on its diagonal; with unit weights ($w \equiv 1$) the diagonal is "
                 r"$C_{\mathrm{out}}/g$ times the overlap count; and the kernel's autocorrelation satisfies "
                 r"$R[0] \ge |R[\tau]|$."
                 + ("" if has_interior else r" The interior is empty for these sizes, so only the entries, the "
                    r"overlap and $R$ are checked here."))
    periods = tuple(s for s in spec.stride)
    return Proof(title, statement, tuple(steps),
                 conclusion=r"$M^{\top} (M x) = (M^{\top} M)\, x$: the transpose paints what the detector responds "
                            r"to, blurred by the (phase) autocorrelation of the kernel, strongest at lag 0.",
                 notes=(rf"The weights are distinct real symbols ${name}_{{\dots}}$ in PyTorch's layout "
                        rf"${tuple_tex(spec.weight_shape)}$, so equal structures are equal symbolic matrices.",),
                 data=dict(spec=spec, input_shape=shape, weight=w, gram=product, interior=inner, period=periods))


# ---------------------------------------------------------------------------------------------------------------
# the parametric proof


_int = dict(integer=True)
SYMBOLS = types.SimpleNamespace(**{key: sympy.Symbol(name, **_int) for key, name in dict(
    n="n", k="k", s="s", d="d", pl="p_l", pr="p_r", i="i", i2="i'", j="j", j2="j'", m="m", m2="m'", c="c", c2="c'",
    o="o", ci="c_i", co="c_o", g="g").items()})
N_OUT = sympy.Symbol("n_out", integer=True)


def _range_object(F: Any) -> Ranges:
    """The theorem's hypotheses, read by the solver and printed in the statement (one object)."""
    S = SYMBOLS
    n_out = F.conv_output_size(S.n, S.k, S.s, S.pl, S.pr, S.d)
    return Ranges(tuple(Hypothesis(_rel(sympy.Ge, x, b)) for x, b in
                        ((S.n, 1), (S.k, 1), (S.s, 1), (S.d, 1), (S.pl, 0), (S.pr, 0)))
                  + (Hypothesis(_rel(sympy.Ge, n_out, 1), names=((N_OUT, n_out),)),))


def _claim(name: str, hypotheses: Any, conclusion: Any, shown: Any = None) -> Any:
    return prove(name, tuple(vars(SYMBOLS).values()), tuple(hypotheses), conclusion, shown=shown)


def _product_tex() -> str:
    """``Σ_i Σ_{m, m'} w[m] w[m'] [j = tap(i, m)] [j' = tap(i, m')]``: the product by M's definition."""
    S = SYMBOLS
    tap = _tex(NAMED.tap_position(S.i, S.m, S.s, S.pl, S.d))
    tap2 = _tex(NAMED.tap_position(S.i, S.m2, S.s, S.pl, S.d))
    return (rf"\sum_{{\substack{{0 \le i < n_{{\mathrm{{out}}}},\ 0 \le m, m' < k\\ j = {tap},\ j' = {tap2}}}}} "
            r"w[m]\, w[m']")


@guarded("The round trip: the Gram matrix (all sizes)")
def prove_gram_general(ndim: int = 1, *, formulas: Any = None) -> Proof:
    """Prove the integer facts behind the structure of ``MᵀM`` for all sizes, with z3.

    On one axis: the ``(i, m, m')`` triples of the product correspond one to one with the pairs of taps
    ``(m, m')`` of the lag statement; in the interior every such pair occurs, and the support depends only on
    the phase, which has period ``s``; the diagonal is ``m = m'``, the overlap's support; channel blocks are zero
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
    sym = sympy.Symbol
    product, entries = sym(_product_tex()), sym(_entries_tex())
    inner_sum = sym(rf"\sum_{{\substack{{0 \le m, m' < k\\ {res_} = 0\\ j' = {partner_}}}}} w[m]\, w[m']")
    steps: list[Step] = []
    u = j + pl - d * m
    steps.append(Step.from_claims(
        G_(j, j2), product,
        r"$M[i, j] = \sum_m w[m]\, [j = \operatorname{tap}(i, m)]$ by the convention, so $(M^{\top} M)[j, j'] = "
        r"\sum_i M[i, j]\, M[i, j']$ is this sum; the executed formulas are the written ones: "
        r"$\operatorname{src} = \lfloor (j + p_l - d m)/s \rfloor$, $\operatorname{res} = (j + p_l - d m) \bmod s$, "
        r"$\operatorname{partner} = j + d(m' - m)$, $\operatorname{ph} = (j + p_l) \bmod s$, "
        r"$\operatorname{tap} = s i + d m - p_l$ and "
        r"$n_{\mathrm{out}} = \lfloor (n + p_l + p_r - d(k-1) - 1)/s \rfloor + 1$ (PyTorch's)",
        [_claim("the executed sift is the convention", base, _eq(src, sympy.floor(u / s)),
                _eq(N.sifted_position(j, m, s, pl, d), sympy.floor(u / s))),
         _claim("the executed residue is the convention", base, _eq(res, sympy.Mod(u, s)),
                _eq(N.sift_residue(j, m, s, pl, d), sympy.Mod(u, s))),
         _claim("the executed partner is the convention", base, _eq(partner, j + d * (m2 - m)),
                _eq(N.gram_partner(j, m, m2, d), j + d * (m2 - m))),
         _claim("the executed phase is the convention", base, _eq(phase, sympy.Mod(j + pl, s)),
                _eq(N.phase_of(j, s, pl), sympy.Mod(j + pl, s))),
         _claim("the executed index map is the convention", base, _eq(tap, s * i + d * m - pl),
                _eq(N.tap_position(i, m, s, pl, d), s * i + d * m - pl)),
         _claim("the executed output length is the convention", ranges,
                _eq(n_out, sympy.floor((n + pl + pr - d * (k - 1) - 1) / s) + 1),
                _eq(N.conv_output_size(n, k, s, pl, pr, d), sympy.floor((n + pl + pr - d * (k - 1) - 1) / s) + 1))],
        name="convention"))
    steps.append(Step.from_claims(
        product, entries,
        r"the terms of the product, triples $(i, m, m')$ with $j = s i + d m - p_l$ and $j' = s i + d m' - p_l$, "
        r"correspond one to one with the pairs of taps $(m, m')$ of the statement: $j' - j = d(m' - m)$, the "
        r"output $i$ is determined by $(j, m)$, and $i = \operatorname{src}(j, m)$ is a witness exactly when "
        r"$\operatorname{res}(j, m) = 0$",
        [_claim("each triple lies at the lag of its taps", base + (_eq(tap, j), _eq(tap2, j2)), _eq(j2, partner)),
         _claim("the output is determined by (j, m)", base + (_eq(tap, j), _eq(F.tap_position(i2, m, s, pl, d), j)),
                _eq(i, i2)),
         _claim("a triple has residue 0 and output src(j, m)", base + (_eq(tap, j),), _and(_eq(res, 0), _eq(src, i))),
         _claim("residue 0 gives the triple (witness i = src)", base + (_eq(res, 0),),
                _and(_eq(F.tap_position(src, m, s, pl, d), j), _eq(F.tap_position(src, m2, s, pl, d), partner)))],
        name="one to one"))
    inside = (_rel(sympy.Le, d * (k - 1), j), _rel(sympy.Le, j + pl, s * (n_out - 1)),
              _rel(sympy.Le, j + d * (k - 1), n - 1))
    steps.append(Step.from_claims(
        entries, inner_sum,
        r"for $j$ in the interior $I$, that is $d(k-1) \le j$, $j + p_l \le s(n_{\mathrm{out}} - 1)$ and "
        r"$j + d(k-1) \le n - 1$, every pair of taps with residue 0 contributes: its output exists and its partner "
        r"is an input position, so the condition $0 \le \operatorname{src} < n_{\mathrm{out}}$ holds (for $j'$ in "
        r"$[0, n)$)",
        [_claim("interior: the output exists", base + inside + (_eq(res, 0),), _within(0, src, n_out)),
         _claim("interior: the partner is an input position", base + inside + (_eq(res, 0),), _within(0, partner, n))],
        name="interior"))
    steps.append(Step.from_claims(
        sym(r"j, j + s \in I:\ (M^{\top} M)\left[j + s, j' + s\right]"), G_(j, j2),
        r"the support of a row depends only on the phase of $j$ (tap $m$ contributes exactly when "
        r"$d m \equiv \operatorname{ph}(j) \pmod{s}$), the phase repeats with period $s$, and the lag moves with "
        r"the row: the interior is periodically shift-invariant",
        [_claim("the residue depends only on the phase", base,
                sympy.Equivalent(_eq(res, 0), _eq(F.sift_residue(phase, m, s, 0, d), 0)),
                sympy.Equivalent(_eq(N.sift_residue(j, m, s, pl, d), 0),
                                 _eq(N.sift_residue(N.phase_of(j, s, pl), m, s, 0, d), 0), evaluate=False)),
         _claim("the phase has period s", ranges + (_within(0, j, n),), _eq(F.phase_of(j + s, s, pl), phase),
                _eq(N.phase_of(j + s, s, pl), N.phase_of(j, s, pl))),
         _claim("the partner moves with the row", base, _eq(F.gram_partner(j + s, m, m2, d), partner + s),
                _eq(N.gram_partner(j + s, m, m2, d), N.gram_partner(j, m, m2, d) + s))],
        name="period"))
    steps.append(Step.from_claims(
        G_(j, j), sym(rf"\sum_{{\substack{{0 \le m < k\\ {res_} = 0\\ 0 \le {src_} < n_{{\mathrm{{out}}}}}}}} w[m]^{{2}}"),
        r"the diagonal $j' = j$ is exactly $m' = m$ (as $d \ge 1$), so it sums $w[m]^{2}$ over the taps of the "
        r"phase whose output exists; its support is the overlap's (taps $m$ reaching $j$ from an existing input of "
        r"the transposed layer)",
        [_claim("the diagonal is m = m'", base, sympy.Equivalent(_eq(partner, j), _eq(m, m2))),
         _claim("the diagonal's support is the overlap's", base + (_eq(res, 0), _within(0, src, n_out)),
                _within(0, F.gram_partner(j, m, m, d), n), _within(0, N.gram_partner(j, m, m, d), n))],
        name="diagonal"))
    g, ci, co, o, c, c2 = S.g, S.ci, S.co, S.o, S.c, S.c2
    chan = (_rel(sympy.Ge, g, 1), _rel(sympy.Ge, ci, 1), _rel(sympy.Ge, co, 1), _within(0, o, g * co),
            _within(0, c, g * ci), _within(0, c2, g * ci))
    gamma = F.channel_group(o, co)
    both = _and(_eq(F.channel_group(c, ci), gamma), _eq(F.channel_group(c2, ci), gamma))
    gc, gc2, go = (_tex(N.channel_group(x, y)) for x, y in ((c, ci), (c2, ci), (o, co)))
    steps.append(Step.from_claims(
        sym(r"(M^{\top} M)\left[(c, j), (c', j')\right]"),
        sym(rf"\bigl[{gc} = {gc2}\bigr] \sum_{{o:\ {go} = {gc}}} (M^{{\top}} M)_{{o, l, l'}}\left[j, j'\right]"),
        r"channel blocks, with $C_{\mathrm{in}} = g c_i$, $C_{\mathrm{out}} = g c_o$, $c = \gamma c_i + l$ and "
        r"$c' = \gamma c_i + l'$: input channels $c, c'$ are both read by output channel $o$ exactly when they lie "
        r"in one group and $o$ is one of that group's $c_o$ output channels; $(M^{\top} M)_{o, l, l'}$ is the sum of "
        r"line 2 with $w[o, l, m]\, w[o, l', m']$ for $w[m]\, w[m']$; blocks across groups are zero",
        [_claim("both channels read by o: one group, o in it", chan,
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
            r"index equation holds for flat positions exactly when it holds on every axis: each term of "
            r"$M^{\top} M$ is a product over the axes of the one-axis terms, and the lines above hold on each axis "
            r"with its own $n, k, s, d, p_l, p_r$ (their claims are for all values)",
            list(sep.claims), name="separability"))
    hyps = range_object.itemized()
    axes = ("one spatial axis" if ndim == 1 else
            rf"each of the {ndim} spatial axes, with that axis's own values (positions, taps and channels "
            r"flattened row-major, $(c, j_1, \dots, j_N)$)")
    statement = "\n".join([
        r"Let $n, k, s, d, p_{l}, p_{r}$ be integers satisfying the hypotheses",
        hyps,
        rf"on {axes}; let $M$ be the matrix of the convolution with kernel $w$ of size $k$, stride $s$, padding "
        r"$(p_{l}, p_{r})$ and dilation $d$ on inputs of length $n$, with $g \ge 1$ groups of $c_i$ input and $c_o$ "
        r"output channels. Then for all $0 \le j, j' < n$: the terms of $(M^{\top} M)[j, j']$ are the pairs of taps "
        r"$0 \le m, m' < k$ at lag $j' - j = d(m' - m)$ with $(j + p_l - d m) \bmod s = 0$ whose common output "
        r"$(j + p_l - d m)/s$ lies in $[0, n_{\mathrm{out}})$, each pair once; in the interior $I$ "
        r"($d(k-1) \le j$, $j + p_l \le s(n_{\mathrm{out}} - 1)$, $j + d(k-1) \le n - 1$) all of them occur and "
        r"their support depends only on the phase $(j + p_l) \bmod s$, so it has period $s$; the diagonal is "
        r"$m = m'$, the overlap's support; and channel blocks sum over the output channels of one group, zero "
        r"across groups.",
    ])
    title = "The round trip: the Gram matrix (all sizes)" + ("" if ndim == 1 else f", {ndim}-D")
    return Proof(title, statement, tuple(steps), assumptions=ranges,
                 conclusion=r"$M^{\top} M$ is, away from the borders, the $s$-periodic convolution with the phase "
                            r"autocorrelations of the kernel.", data=dict(ndim=ndim, ranges=range_object, formulas=F))
