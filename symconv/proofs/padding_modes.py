"""Proofs for the padding modes: the transposed layer PyTorch refuses is the fold of the padding-0 one.

For a convolution with ``padding_mode`` reflect, replicate or circular, ``M = C P`` (:mod:`symconv.padding_modes`),
and the transposed layer, defined as its adjoint, is ``T = Pᵀ Cᵀ``: the padding-0 transposed convolution (itself
the gather view ``C_flip Pad Z``) followed by the fold ``Pᵀ``.  For circular padding it is also a circular
convolution with the flipped kernel over the zero-inserted input wrapped onto the circle.

:func:`prove_padding_mode` proves this for concrete sizes (exact structure equality, anchored to the numeric
definitions, with a convention step that compares them with PyTorch's written padding maps);
:func:`prove_padding_mode_general` proves the padding maps, the fold and the circular wrap-around for all sizes
(integer claims proved by z3, hypotheses generated from range objects that are also the printed statement).
"""

from __future__ import annotations

import dataclasses
import math
import types
from typing import Any

import numpy as np
import sympy

from .. import formulas as default_formulas
from .. import padding_modes as PM
from ..errors import SizeLimitError, SpecError, SpecTypeError, SymconvError
from ..kernels import check_name, kernel_symbols
from ..latex.phrases import weights_note
from ..matrices import selection_matrix
from ..numeric import conv, conv_transpose
from ..spec import ConvSpec, TransposedConvSpec
from .anchors import DEFAULT_BITS, anchor_step, convention_step
from .assembly import gather_factors
from .core import Proof, Step, tuple_tex
from .evaluate import NAMED, Indicator, sequence
from .guard import guarded, started
from .instance import _check_size, _layer_step, _shape_words, equality_step
from .ranges import Hypothesis, Ranges
from .smt import prove

__all__ = ["prove_padding_mode", "prove_padding_mode_general", "replicate_clamp", "torch_padding_map", "MODES"]

MODES = ("reflect", "replicate", "circular")


# -- PyTorch's documented padding maps, written out by hand (the convention) ----------------------------------

def torch_padding_map(mode: str, n: int, pl: int, pr: int) -> list[int]:
    """The input position each padded position copies, as PyTorch documents ``F.pad`` (written with branches,
    on purpose independently of :mod:`symconv.formulas` and of ``numpy.pad``).

    reflect mirrors the input about its edge entries without repeating them, replicate repeats the edge entry,
    circular wraps the input around.

    >>> torch_padding_map("reflect", 4, 2, 2)
    [2, 1, 0, 1, 2, 3, 2, 1]
    """
    out = []
    for t in range(n + pl + pr):
        u = t - pl
        if 0 <= u < n:
            out.append(u)
        elif mode == "reflect":
            out.append(-u if u < 0 else 2 * (n - 1) - u)
        elif mode == "replicate":
            out.append(0 if u < 0 else n - 1)
        elif mode == "circular":
            out.append(u + n if u < 0 else u - n)
        else:
            raise SpecError(f"padding_mode must be one of {MODES}, got {mode!r}")
    return out


def replicate_clamp() -> tuple[str, Any]:
    r"""The replicate map as a reader writes it, ``min{max{t - p_l, 0}, n - 1}``, and z3's claim that the
    branch-free formula evaluated (with absolute values and halves) equals it for all integers ``t, p_l`` and ``n >= 1``.

    The display and the claim are built from the same pieces, so a page can show the clamp in place of the
    rendered source and cite the claim.

    Returns
    -------
    tex : str
        ``\operatorname{repl}(t, n, p_{l}) = \min\{\max\{t - p_{l}, 0\}, n - 1\}`` (LaTeX, math mode).
    claim : Claim
        The z3 claim, displayed as the branch-free formula equal to the clamp; it holds exactly when they agree.

    Examples
    --------
    >>> tex, claim = replicate_clamp()
    >>> claim.holds, tex.split(" = ")[1]
    (True, '\\min\\{\\max\\{t - p_{l}, 0\\}, n - 1\\}')
    """
    from ..latex.printing import math_latex

    t, n, pl = SYMBOLS.t, SYMBOLS.n, SYMBOLS.pl
    shift, last = t - pl, n - 1
    form = sympy.Min(sympy.Max(shift, 0, evaluate=False), last, evaluate=False)
    # shown as it is evaluated: the page defines repl as the clamp, so the claim displays the branch-free formula
    claim = prove(r"the branch-free formula of $\operatorname{repl}$ equals the clamp", (t, n, pl),
                  (_rel(sympy.Ge, n, 1),), _rel(sympy.Eq, default_formulas.replicate_position(t, n, pl), form))
    name = default_formulas.LATEX_NAMES["replicate_position"]
    tex = rf"{name}(t, n, p_{{l}}) = \min\{{\max\{{{math_latex(shift)}, 0\}}, {math_latex(last)}\}}"
    return tex, claim


def _padding_convention_step(spec: ConvSpec, shape: tuple[int, ...], tspec: TransposedConvSpec,
                             t_in: tuple[int, ...]) -> Step:
    """The tables used and the numeric definitions (pad, fold) are PyTorch's padding maps, on every axis."""
    mode = spec.padding_mode
    t, n, p_l = sympy.symbols("t n p_l", integer=True)
    name = default_formulas.LATEX_NAMES[PM.POSITION[mode]]  # the map's name, as its definition is rendered
    lhs = sequence("xpad", r"\tilde{x}")(t - p_l)  # x̃ indexed as in the Conventions: x̃[u] = x[u] for 0 <= u < n
    rhs = sequence("x")(sympy.Function(name)(t, n, p_l))
    try:
        clamp, clamp_claim = replicate_clamp() if mode == "replicate" else ("", None)
        unread = ""
    except (TypeError, ValueError) as exc:  # the function that ran cannot be read for all integers: not the clamp
        clamp, clamp_claim = r"\min\{\max\{t - p_{l}, 0\}, n - 1\}", None
        unread = f"the replicate map that ran cannot be compared with the clamp for all integers: {exc}"
    at = (rf"${name}(t, n, p_{{l}}) = {clamp.split(' = ')[-1]}$ (the branch-free formula, rendered "
          r"under Definitions, equals this clamp: z3 proved them equal for all integers $t$, $p_l$ and $n \ge 1$)"
          if mode == "replicate" else rf"${name}(t, n, p_{{l}})$")
    rule = (rf"the padding is PyTorch's {mode} padding: on every axis, padded position $t$ (that is $\tilde x[t - p_l]$) copies the input at "
            rf"position {at}, the position PyTorch's padding function documents, "
            r"in the tables that build the matrices, in the numeric convolution (a one-tap kernel on "
            r"distinct inputs returns the padded input) and in the numeric fold (the one-tap transposed layer adds "
            r"every padded value onto that position)")
    claims = (clamp_claim,) if clamp_claim is not None else ()
    if unread:
        return Step(lhs, rhs, rule, "z3", False, unread, name="padding convention")
    if clamp_claim is not None and not clamp_claim.holds:
        return Step(lhs, rhs, rule, "z3", False, "the replicate map that ran is not the clamp: "
                    + str(clamp_claim.counterexample or clamp_claim.reason), claims=claims, name="padding convention")
    try:
        hand = [torch_padding_map(mode, n, pl, pr) for n, (pl, pr) in zip(shape, spec.padding)]
        for ax, (n, pair) in enumerate(zip(shape, spec.padding)):
            table = PM.source_table(mode, n, pair).tolist()
            if table != hand[ax]:
                return Step(lhs, rhs, rule, "enumeration", False,
                            f"axis {ax}: the table used, {table}, is not PyTorch's {mode} map {hand[ax]}",
                            name="padding convention")
        one = ConvSpec((1,) * spec.ndim, padding=spec.padding, padding_mode=mode)
        ramp = np.arange(1, math.prod(shape) + 1, dtype=np.int64).reshape(shape)
        want = ramp[np.ix_(*hand)]
        got = conv(one, np.ones((1, 1) + (1,) * spec.ndim, dtype=np.int64), ramp[None])[0]
        if got.shape != want.shape or not np.array_equal(got, want):
            return Step(lhs, rhs, rule, "enumeration", False,
                        f"numeric.conv does not pad as PyTorch's {mode} map: {got.tolist()} versus {want.tolist()}",
                        name="padding convention")
        back = one.transpose(shape)
        g = np.arange(1, want.size + 1, dtype=np.int64).reshape(want.shape)
        folded = np.zeros(shape, dtype=np.int64)
        np.add.at(folded, np.ix_(*hand), g)  # padded position t adds onto the position it copied
        got_t = conv_transpose(back, np.ones((1, 1) + (1,) * spec.ndim, dtype=np.int64), g[None])[0]
        if got_t.shape != folded.shape or not np.array_equal(got_t, folded):
            return Step(lhs, rhs, rule, "enumeration", False,
                        f"numeric.conv_transpose does not fold as PyTorch's {mode} map: {got_t.tolist()} versus "
                        f"{folded.tolist()}", name="padding convention")
    except (SymconvError, ValueError, IndexError) as exc:
        return Step(lhs, rhs, rule, "enumeration", False, f"the definitions cannot be applied: {exc}",
                    name="padding convention")
    sizes = ", ".join(f"an axis of length {n} padded to {n + pl + pr} positions" for n, (pl, pr)
                      in zip(shape, spec.padding))
    return Step(lhs, rhs, rule, "enumeration", True,
                f"every padded position of every axis ({sizes}), in the tables, the numeric convolution and the "
                "numeric fold" + ("; and the clamp by z3" if claims else ""), claims=claims, name="padding convention")


_FOLDED_TRANSPOSE = r"P^{\top} \operatorname{conv}_{0}^{\top}(y)"
"""The transposed layer as the numeric definition computes it: the padding-0 transposed convolution, then the fold."""


def _wrap_words(tspec: TransposedConvSpec, t_in: tuple[int, ...]) -> str:
    """Whether the wrap adds entries on these sizes: the zero-inserted input has ``s (n_in - 1) + 1`` positions
    per axis, and ``W`` adds two of them onto one position of the circle exactly when that exceeds ``n_T``."""
    n_t = tspec.output_shape(t_in)
    long = [(ax, s * (n - 1) + 1, m) for ax, (n, s, m) in enumerate(zip(t_in, tspec.stride, n_t)) if s * (n - 1) + 1 > m]
    if not long:
        return (r"on these sizes the zero-inserted input has at most $n_T$ positions on every axis, so $W$ only "
                r"places it on the circle and no two entries add (they add when $p_l + p_r > d(k - 1) + a$)")
    where = "; ".join((f"on axis {ax + 1}, " if tspec.ndim > 1 else "") + f"its {size} positions wrap onto {m}, "
                      f"position $u$ adding onto $u \\bmod {m}$" for ax, size, m in long)
    return r"here the wrap adds entries that land on one position of the circle: " + where


@guarded("Transpose of a convolution with a padding mode (instance)")
def prove_padding_mode(spec: ConvSpec | TransposedConvSpec, input_shape: Any, *, name: str = "w", seed: int = 0,
                       max_terms: int = 50_000_000, anchor_bits: int = DEFAULT_BITS) -> Proof:
    """Prove, for concrete sizes, that the transpose of a padding-mode convolution is the fold of the padding-0
    transposed convolution (and, for circular padding, a circular convolution with the flipped kernel).

    For a :class:`ConvSpec` with ``padding_mode`` reflect, replicate or circular, the transposed layer is
    ``spec.transpose(input_shape)``; a :class:`TransposedConvSpec` with such a mode is taken as given, on
    inputs of ``input_shape``.  Steps: PyTorch's conventions (index equation; padding maps), ``M`` and ``T``
    anchored to the numeric definitions, the sizes, ``T = (S M)ᵀ``, ``T = Fold · C_flip Pad Z``, and for
    circular ``T = C_flip° P° W Z`` (P° the circular padding of the circle, C_flip° the stride-1 convolution on
    the padded circle).  A mistaken formula or builder makes ``holds`` False.

    Parameters
    ----------
    spec : ConvSpec or TransposedConvSpec
        The layer, with ``padding_mode`` ``'reflect'``, ``'replicate'`` or ``'circular'``.
    input_shape, name, seed, max_terms, anchor_bits
        As for :func:`prove_transpose`, which hands a layer with a padding mode to this function.

    Returns
    -------
    Proof
        As :func:`prove_transpose` returns it, with the fold steps.

    Raises
    ------
    SpecError
        For zero padding (use :func:`prove_transpose`).
    SpecTypeError, ShapeError, SizeLimitError
        As for :func:`prove_transpose` (see :mod:`symconv.proofs`).

    See Also
    --------
    prove_padding_mode_general : The padding maps and the fold for all sizes.

    Examples
    --------
    >>> proof = prove_padding_mode(ConvSpec(3, stride=2, padding=2, padding_mode="circular"), (6,))
    >>> proof.holds
    True
    >>> [step.name for step in proof.steps][-3:]
    ['transpose', 'fold of the gather view', 'circular gather view']
    """
    check_name(name)
    if isinstance(spec, ConvSpec):
        conv_shape = spec.check_input_shape(input_shape)
        tspec, t_in = spec.transpose(conv_shape), spec.output_shape(conv_shape)
    elif isinstance(spec, TransposedConvSpec):
        tspec, t_in = spec, spec.check_input_shape(input_shape)
        conv_shape = tspec.output_shape(t_in)
    else:
        raise SpecTypeError(f"spec must be a ConvSpec or TransposedConvSpec, got {type(spec).__name__}")
    if tspec.padding_mode not in MODES:
        raise SpecError(f"prove_padding_mode needs padding_mode in {MODES}, got {tspec.padding_mode!r} "
                        "(use prove_transpose for zero padding)")
    _check_size(tspec, t_in, max_terms)
    started()  # the input is valid: from here on, whatever breaks is the proof's finding
    from ..latex.printing import layer_text  # the statement names the layer by its parameters

    mode = tspec.padding_mode
    title = f"Transpose of a convolution with {mode} padding (instance)"
    conv_spec = tspec.transpose()
    steps: list[Step] = []
    # on several axes the sizes lines show the sizes first, then the tuple of executed formulas: a wide left side
    # would push the tags of the chain's other lines off the display, splitting one argument into several displays
    sizes_first = len(t_in) > 1
    if isinstance(spec, ConvSpec):
        layer = _layer_step(spec, conv_shape, tspec, t_in)
        steps.append(dataclasses.replace(layer, lhs=layer.rhs, rhs=layer.lhs) if sizes_first else layer)
    tspec0 = PM.zero_padding_spec(tspec)
    # on the padding-0 layers, whose fold is T: their output has n_T + p_l + p_r positions (n_T is T's alone)
    convention = convention_step(tspec0, t_in, t_length="n_T + p_l + p_r")
    steps.append(dataclasses.replace(convention, rule=convention.rule + (
        "; checked here on the padding-0 layers (their padding is $0$ and $p_l$ in the reads is $0$), whose "
        "fold is $T$: the padding-0 transposed convolution has $n_T + p_l + p_r$ outputs, which the fold adds "
        "back onto the $n_T$ outputs of $T$")))
    steps.append(_padding_convention_step(conv_spec, conv_shape, tspec, t_in))
    w = kernel_symbols(tspec, name)
    try:
        M = PM.conv_matrix(conv_spec, w, conv_shape)
        T = PM.transposed_conv_matrix(tspec, w, t_in)
        m_out = conv_spec.output_shape(conv_shape)
        extra = tuple(a // s for a, s in zip(tspec.output_padding, tspec.stride))
        S = None if all(e == 0 for e in extra) else selection_matrix(conv_spec.out_channels, m_out, t_in)
    except (MemoryError, SizeLimitError):
        raise
    except Exception as exc:  # a mistaken formula or builder: the proof fails, it does not raise
        steps.append(Step(sympy.Symbol("M"), sympy.Symbol("T"), "building $M$ and $T$", "exact structure", False,
                          f"the matrices could not be built: {type(exc).__name__}: {exc}", name="construction"))
        return Proof(title, "The matrices of this layer could not be built.", tuple(steps),
                     data=dict(tspec=tspec, input_shape=t_in))
    rows, cols = T.shape
    T_, M_ = sympy.MatrixSymbol("T", rows, cols), sympy.MatrixSymbol("M", M.shape[0], M.shape[1])
    taps = math.prod(tspec.kernel_size)
    x_, y_ = sympy.MatrixSymbol("x", M.shape[1], 1), sympy.MatrixSymbol("y", cols, 1)
    steps += [
        anchor_step("M is the convolution", M, lambda wv, x: conv(conv_spec, wv, x), conv_spec.weight_shape,
                    taps * (conv_spec.in_channels // conv_spec.groups), sympy.MatMul(M_, x_, evaluate=False),
                    sympy.Function("conv")(x_),
                    rf"$M = C P$, built from the padding table and the index structure, is the {mode}-padded "
                    r"convolution as defined numerically (the input padded by the mode, then convolved)", seed=seed, bits=anchor_bits),
        anchor_step("T is the transposed layer", T, lambda wv, yv: conv_transpose(tspec, wv, yv), tspec.weight_shape,
                    taps * (tspec.in_channels // tspec.groups),
                    sympy.MatMul(T_, y_, evaluate=False), sympy.Symbol(_FOLDED_TRANSPOSE),
                    r"$T$, built as the fold of the padding-0 transposed convolution, is the layer as defined "
                    r"numerically: $T y = " + _FOLDED_TRANSPOSE + r"$, where $\operatorname{conv}_{0}^{\top}$ is the "
                    r"transposed convolution of the Conventions with $p_l = p_r = 0$ (kernel copies added at stride "
                    r"$s$ onto $n_T + p_l + p_r$ outputs) and $P^{\top}$ the fold, computed by slices that add the "
                    r"borders back",
                    seed=seed + 1, bits=anchor_bits),
    ]
    expected = tuple(n + e for n, e in zip(t_in, extra))
    # the two sides as they are computed: M's output size by the convolution's formula, and the sizes it must be
    sized = [NAMED.conv_output_size(n, k, s, pl, pr, d) for n, k, s, (pl, pr), d
             in zip(conv_shape, conv_spec.kernel_size, conv_spec.stride, conv_spec.padding, conv_spec.dilation)]
    formula = sized[0] if len(sized) == 1 else sympy.Tuple(*sized)
    value = sympy.Integer(expected[0]) if len(expected) == 1 else sympy.Tuple(*expected)
    steps.append(Step(*((value, formula) if sizes_first else (formula, value)),
                      r"round trip of the output size: the convolution has $n_{\mathrm{in}} + \lfloor a/s \rfloor$ "
                      r"outputs per axis", "arithmetic", m_out == expected,
                      "the convolution has " + " by ".join(map(str, m_out)) + " outputs, as many as the transposed "
                      "layer's inputs" + ("" if S is None else " and the extra rows the output padding adds"),
                      name="sizes"))
    if S is None:
        steps.append(equality_step("transpose", T, lambda: M.T, T_, sympy.Transpose(M_),
                                   r"$T = M^{\top} = P^{\top} C^{\top}$: the fold of the padding-0 transposed layer "
                                   r"is the transpose of $M = C P$"))
    else:
        S_ = sympy.MatrixSymbol("S", S.shape[0], S.shape[1])
        steps.append(equality_step("transpose", T, lambda: (S @ M).T, T_,
                                   sympy.Transpose(sympy.MatMul(S_, M_, evaluate=False)),
                                   r"$T = (S M)^{\top}$: the fold of the padding-0 transposed layer is the "
                                   r"transpose of $M = C P$ with its rows selected by $S$"))
    n_t = tspec.output_shape(t_in)
    Fold_ = sympy.MatrixSymbol(r"P^{\top}", rows, tspec.out_channels * math.prod(n + pl + pr for n, (pl, pr)
                                                                              in zip(n_t, tspec.padding)))
    G_ = sympy.MatrixSymbol(r"C_{\mathrm{flip}} \mathrm{Pad}\, Z", Fold_.shape[1], cols)

    def folded_gather():  # the factors from their builders, multiplied here
        G = gather_factors(tspec0, w, t_in)[0]
        return PM.fold_operator(tspec.out_channels, n_t, tspec.padding, mode) @ G

    def circular_gather():  # the factors from their per-axis tables, multiplied here
        C, Circ, Wrap, Z = PM.circular_gather_view(tspec, w, t_in)
        for factor_name, factor in (("Circ", Circ), ("W", Wrap), ("Z", Z)):
            if factor.weight is not None or not factor.structure.unit:
                raise ValueError(f"the factor {factor_name} is not a 0/1 matrix")
        return C @ (Circ @ (Wrap @ Z))

    steps.append(equality_step(
        "fold of the gather view", T, folded_gather, T_, sympy.MatMul(Fold_, G_, evaluate=False),
        r"$T$ equals the fold $P^{\top}$ (each padded position added onto the entry it copies) of the padding-0 "
        r"transposed convolution, taken as its gather view $C_{\mathrm{flip}}\,\mathrm{Pad}\,Z$ (zero insertion "
        r"$Z$, zero padding $\mathrm{Pad}$, stride-1 convolution $C_{\mathrm{flip}}$ with the flipped kernel), its "
        r"factors built separately and then multiplied"))
    if mode == "circular":
        steps.append(equality_step(
            "circular gather view", T, circular_gather, T_,
            sympy.Symbol(r"C^{\circ}_{\mathrm{flip}} P^{\circ} W Z"),
            r"$T$ equals the circular gather view $C^{\circ}_{\mathrm{flip}} P^{\circ} W Z$: zero insertion "
            r"$Z$, the wrap $W$ of the zero-inserted input onto the circle of $n_T$ positions, the circular padding "
            r"$P^{\circ}$ of the circle to $n_T + d(k-1)$ positions (a $0/1$ matrix whose row $t^{\circ}$, a "
            r"position of the padded circle, copies position $\operatorname{circ}(t^{\circ}, n_T, p'_{l})$ of the circle, $p'_{l} = d(k-1) - p_l$: the map $\operatorname{circ}$ "
            r"of Definitions applied with the circle's length $n_T$ in place of $n$ and the gather view's left "
            r"padding $p'_{l}$ in place of $p_l$), and the stride-1 "
            r"convolution $C^{\circ}_{\mathrm{flip}}$ with padding $0$ and the flipped kernel on those positions "
            r"(with $n_T$ outputs, so not the $C_{\mathrm{flip}}$ of the fold, which has $n_T + p_l + p_r$); so "
            r"$C^{\circ}_{\mathrm{flip}} P^{\circ}$ is the circular convolution with the flipped kernel, reading "
            r"$(j + d m' - p'_{l}) \bmod n_T$; " + _wrap_words(tspec, t_in)))
    selection = "" if S is None else (  # the rows of M that T's inputs meet: the first t_in outputs of M
        r" ($S$ the $0/1$ matrix that keeps the rows of $M$ whose output position is "
        + (rf"below ${t_in[0]}$, the transposed layer's input length)" if len(t_in) == 1 else
           r"among the first $" + r" \times ".join(map(str, t_in)) + r"$, the transposed layer's input shape)"))
    statement = (r"For the convolution " + layer_text(conv_spec) + r" on inputs " + _shape_words(conv_shape)
                 + rf" with {mode} padding, $M = C P$ ($P$ the {mode} padding, $C$ the convolution with padding $0$), "
                 r"the transposed layer $T$ on inputs " + _shape_words(t_in) + r", computed as the padding-0 "
                 r"transposed convolution followed by the fold (each padded position added onto the entry it "
                 r"copies; PyTorch has no such layer), equals "
                 + (r"$M^{\top}$" if S is None else r"$(S M)^{\top}$" + selection)
                 + r" and the fold $P^{\top}$ of the padding-0 transposed convolution's gather view"
                 + (r"; it is also the circular convolution with the flipped kernel over the zero-inserted input "
                    r"wrapped onto the circle" if mode == "circular" else "") + "."
                 + ("" if tspec.ndim == 1 else r" Positions $i$, $j$, $t$ and taps $m$ are tuples, one entry per "
                    r"axis, and every index map acts on each axis separately."))
    return Proof(title, statement, tuple(steps),
                 conclusion=r"$T = P^{\top} C^{\top}$: the padding-0 transposed convolution, then the fold.",
                 notes=(weights_note(tuple_tex(tspec.weight_shape), transposed=True),),
                 data=dict(tspec=tspec, input_shape=t_in, conv_spec=conv_spec, weight=w, T=T, M=M, S=S))


# -- the parametric theorem ------------------------------------------------------------------------------------

_int = dict(integer=True)
SYMBOLS = types.SimpleNamespace(**{key: sympy.Symbol(text, **_int) for key, text in dict(
    n="n", pl="p_l", pr="p_r", t="t", j="j", n_in="n_in", k="k", s="s", d="d", a="a", i="i", m="m").items()})


def _rel(kind: type, lhs: Any, rhs: Any) -> sympy.Basic:
    return kind(lhs, rhs, evaluate=False)


def _within(lo: Any, x: Any, hi: Any) -> sympy.Basic:
    return sympy.And(_rel(sympy.Le, lo, x), _rel(sympy.Lt, x, hi), evaluate=False)


def mode_ranges(mode: str, n: Any = None) -> tuple:
    """The hypotheses of the theorem for one axis of length ``n``: amounts >= 0 and F.pad's rule for the mode."""
    S = SYMBOLS
    n = S.n if n is None else n
    rule = {"reflect": (_rel(sympy.Lt, S.pl, n), _rel(sympy.Lt, S.pr, n)),
            "circular": (_rel(sympy.Le, S.pl, n), _rel(sympy.Le, S.pr, n)), "replicate": ()}[mode]
    return (_rel(sympy.Ge, S.pl, 0), _rel(sympy.Ge, S.pr, 0)) + rule


def _torch_piecewise(mode: str) -> Any:
    """PyTorch's documented map as a piecewise function of the padded position t (written by hand), its cases
    disjoint as a reader reads them (left border, data, right border)."""
    S = SYMBOLS
    n, pl, t = S.n, S.pl, S.t
    border = {"reflect": (pl - t, 2 * (n - 1) - (t - pl)), "replicate": (sympy.Integer(0), n - 1),
              "circular": (t - pl + n, t - pl - n)}[mode]
    return sympy.Piecewise((border[0], _rel(sympy.Lt, t, pl)), (t - pl, _within(pl, t, pl + n)),
                           (border[1], True), evaluate=False)  # unevaluated: sympy would drop p_l <= t


_RULE = {"reflect": "PyTorch's rule for reflect padding: each amount is less than the length",
         "circular": "PyTorch's rule for circular padding: each amount is at most the length"}
"""What the mode's bound on the amounts is (replicate has none)."""


@guarded("Transpose of a padding mode (all sizes)")
def prove_padding_mode_general(mode: str = "circular", *, formulas: Any = None) -> Proof:
    """The parametric theorem for a padding mode: for all sizes, the padding map, its fold and (for circular)
    the wrap-around reads, as integer claims proved by z3.

    For all ``n >= 1`` and amounts ``p_l, p_r >= 0`` within F.pad's rule for the mode, every padded position
    ``0 <= t < n + p_l + p_r`` copies a position in ``[0, n)`` by the formula used, which equals PyTorch's
    documented map; the fold adds every padded value onto one input position and keeps the data in place, so
    ``<P x, v> = <x, Pᵀ v>``; for circular padding, the definition's reads (the padding-0 transposed convolution
    wrapped by the circular map) are those of the circular convolution with the flipped kernel over the
    zero-inserted input wrapped onto the circle, for a transposed layer whose output length ``n_T`` is the
    signal's length ``n``; that layer is ``T = (S M)ᵀ``, since the convolution on the padded signal has
    ``n_in + floor(a/s)`` outputs, and ``T = Mᵀ`` exactly when ``a < s``.

    Parameters
    ----------
    mode : {"circular", "reflect", "replicate"}
        The padding mode.
    formulas : module, optional
        Replaces :mod:`symconv.formulas` (to watch a corrupted formula fail a step).

    Returns
    -------
    Proof
        Its steps, each a set of integer claims checked by z3.

    Raises
    ------
    SpecError
        For a mode other than the three (before the proof starts; see :mod:`symconv.proofs`).

    Examples
    --------
    >>> proof = prove_padding_mode_general("reflect")
    >>> proof.holds, [step.name for step in proof.steps]
    (True, ['padding map', 'fold'])
    """
    if mode not in MODES:
        raise SpecError(f"mode must be one of {MODES}, got {mode!r}")
    started()
    from ..latex.printing import math_latex

    F = default_formulas if formulas is None else formulas
    S = SYMBOLS
    n, pl, pr, t, j = S.n, S.pl, S.pr, S.t, S.j
    src_f = getattr(F, PM.POSITION[mode])
    shown_f = getattr(NAMED, PM.POSITION[mode])
    name = default_formulas.LATEX_NAMES[PM.POSITION[mode]]  # refl, repl or circ, as the Definitions render it
    src, shown = src_f(t, n, pl), shown_f(t, n, pl)
    ranges = (_rel(sympy.Ge, n, 1),) + mode_ranges(mode)
    padded = n + pl + pr
    variables = (n, pl, pr, t, j)
    t_range = (_within(0, t, padded),)
    X, XT, G = sequence("x"), sequence("xpad", r"\tilde{x}"), sequence("v")  # v: g is the number of groups
    steps = [Step.from_claims(
        XT(t - pl), X(shown),  # x̃ indexed as in the Conventions: x̃[u] = x[u] for 0 <= u < n
        rf"the {mode} padding map: padded position $t$ copies the input at position ${name}(t, n, p_{{l}})$, "
        r"which lies in $[0, n)$ and equals PyTorch's documented map (" + {
            "reflect": "the mirror image without the edge", "replicate": "the edge repeated",
            "circular": "the wrap around the signal"}[mode] + ")",
        [prove("every padded position copies an input position", variables, ranges + t_range, _within(0, src, n),
               shown=_within(0, shown, n)),
         prove("the map used is PyTorch's", variables, ranges + t_range, _rel(sympy.Eq, src, _torch_piecewise(mode)),
               shown=_rel(sympy.Eq, shown, _torch_piecewise(mode)))],
        name="padding map")]
    data_t = F.padded_position(j, pl)
    pairing = sympy.Sum(G(t) * X(shown), (t, 0, padded - 1))  # <P x, v>, written out
    folded = sympy.Sum(X(j) * sympy.Sum(Indicator(shown_f(t, n, pl), j) * G(t), (t, 0, padded - 1)), (j, 0, n - 1))
    steps.append(Step.from_claims(
        sympy.Symbol(r"\langle P x, v\rangle = " + math_latex(pairing)),
        sympy.Symbol(math_latex(folded) + r" = \langle x, P^{\top} v\rangle"),
        r"the fold is the transpose: $\langle P x, v\rangle = \langle x, P^{\top} v\rangle$ for every $x$ of length "
        r"$n$ and every $v$ of length $n + p_l + p_r$, where $(P^{\top} v)[j] = \sum_t [" + name + r"(t, n, p_l) = j]"
        r"\, v[t]$ adds $v[t]$ onto the position $t$ copies; the sums exchange because every padded position, in the "
        r"left border $t < p_l$, in the right border $t \ge p_l + n$ or a data position, copies exactly one position "
        r"$" + name + r"(t, n, p_l)$ in $[0, n)$, so that "
        r"$x[" + name + r"(t, n, p_l)] = \sum_{j=0}^{n-1} [" + name + r"(t, n, p_l) = j]\, x[j]$; and the data "
        r"position $t = j + p_l$ folds onto $j$, so that the fold keeps the data in place",
        [prove("a left-border position folds onto an input position", variables,
               ranges + (_within(0, t, pl),), _within(0, src, n), shown=_within(0, shown, n)),
         prove("a right-border position folds onto an input position", variables,
               ranges + (_within(pl + n, t, padded),), _within(0, src, n), shown=_within(0, shown, n)),
         prove("the data position of $j$ lies in the padded input and folds onto $j$", variables,
               ranges + (_within(0, j, n),),
               sympy.And(_within(0, data_t, padded), _rel(sympy.Eq, src_f(data_t, n, pl), j), evaluate=False),
               shown=sympy.And(_within(0, j + pl, padded), _rel(sympy.Eq, shown_f(j + pl, n, pl), j),
                               evaluate=False))],
        name="fold"))
    hypotheses = tuple(Hypothesis(r, meaning=_RULE.get(mode, "") if pos == 3 else "") for pos, r in enumerate(ranges))
    if mode == "circular":
        steps += [_sizes_step(F), _wrap_step(F)]
        wrap = tuple(h for h in _wrap_hypotheses(F) if h.relation not in ranges)  # beyond (H1)-(H4)
    else:
        wrap = ()
    range_object = Ranges(hypotheses + wrap)
    meanings = "".join(f" ({m})" for m in range_object.meanings())
    piecewise = math_latex(_rel(sympy.Eq, shown, _torch_piecewise(mode)))
    opening = (r"Let $n, p_{l}, p_{r}$ be integers" if mode != "circular" else
               r"Let $n, p_{l}, p_{r}$ and $n_{\mathrm{in}}, k, s, d, a$ be integers")
    statement = (opening + " satisfying the following hypotheses" + meanings + ".\n"
                 + range_object.itemized() + "\n"
                 + rf"Let $P$ be PyTorch's {mode} padding of a signal $x$ of length $n$ by $p_{{l}}$ on the left and "
                 r"$p_{r}$ on the right, $(P x)[t] = x[" + name + r"(t, n, p_{l})]$ for $0 \le t < n + p_{l} + p_{r}$ "
                 r"(with $" + name + r"$ the map evaluated, stated under Definitions below), "
                 r"and let $C$ be a convolution with padding $0$ on the padded signal and $M = C P$. Then, for every "
                 r"$0 \le t < n + p_{l} + p_{r}$, the position $" + name + r"(t, n, p_{l})$ lies in $[0, n)$ and "
                 r"equals PyTorch's documented map, \[ " + piecewise + r" \] the transpose of $P$ is the fold: for "
                 r"every $v$ of length $n + p_{l} + p_{r}$, $(P^{\top} v)[j] = \sum_{t} [" + name
                 + r"(t, n, p_{l}) = j]\, v[t]$ for $0 \le j < n$; and, since $M = C P$, "
                 r"$M^{\top} = P^{\top} C^{\top}$")
    if mode == "circular":
        last = len(range_object.latex())  # the item n = n_T
        statement += (
            rf". Moreover, under (H1)--(H{last}), take for $C$ the convolution with padding $0$, kernel $w$ of size "
            r"$k$, stride $s$ and dilation $d$, $(C u)[i] = \sum_{m=0}^{k-1} w[m]\, u[s i + d m]$ for a padded signal "
            r"$u$ of length $n + p_{l} + p_{r}$: it has $n_{\mathrm{in}} + \lfloor a/s \rfloor$ outputs, which are "
            r"$n_{\mathrm{in}}$ exactly when $a < s$. Let $S$ keep the first $n_{\mathrm{in}}$ of them (the identity "
            r"exactly when $a < s$) and let $T = (S M)^{\top} = P^{\top} (S C)^{\top}$ be the transposed layer with "
            r"circular padding and output padding $a$ on inputs $y$ of length $n_{\mathrm{in}}$, whose output length "
            r"$n_{T}$ is $n$ by (H" + str(last) + r"); here $((S C)^{\top} y)[t] = \sum_{i=0}^{n_{\mathrm{in}} - 1} "
            r"\sum_{m=0}^{k-1} w[m]\, y[i]\, [s i + d m = t]$ for $0 \le t < n + p_{l} + p_{r}$. "
            r"Let $\tilde w[m'] = w[k - 1 - m']$ be the flipped kernel and $z_{\circ}[q] = "
            r"\sum_{i=0}^{n_{\mathrm{in}} - 1} [s i \bmod n = q]\, y[i]$, for $0 \le q < n$, the zero-inserted "
            r"input wrapped onto the circle of $n$ positions. Then, for every $0 \le j < n$,"
            r"\[ (T y)[j] = \sum_{m'=0}^{k-1} \tilde w[m']\, z_{\circ}\bigl[(j + d m' - p'_{l}) \bmod n\bigr], "
            r"\qquad p'_{l} = d (k - 1) - p_{l}, \]"
            r"the circular convolution with the flipped kernel of the wrapped zero-inserted input. In particular, "
            r"when $a < s$, $T = M^{\top}$: the transpose of the circular convolution $M$ is this circular "
            r"convolution; when $a \ge s$ (possible only for $d > s$), $M$ has $\lfloor a/s \rfloor$ more outputs "
            r"than $T$ has inputs, and $T$ is the transpose of $S M$ only")
    return Proof(f"Transpose of {mode} padding (all sizes)", statement + ".", tuple(steps),
                 assumptions=range_object.relations(),
                 conclusion=(r"$T = (S M)^{\top} = P^{\top} (S C)^{\top}$ is the circular convolution above, for "
                             r"every size, and $T = M^{\top}$ exactly when $a < s$."
                             if mode == "circular" else r"$M^{\top} = P^{\top} C^{\top}$ for every size."),
                 data=dict(mode=mode, ranges=range_object, formulas=formulas))


def _wrap_hypotheses(F: Any = default_formulas) -> tuple:
    """The hypotheses of the circular wrap: the transposed layer's ranges and its output length, which is the
    signal's length ``n`` (``n = n_T`` on the page, ``n_T`` abbreviating the executed formula); with (H1)-(H4)
    the amounts are within F.pad's circular rule on the circle of ``n`` positions."""
    S = SYMBOLS
    n_in, k, s, d, a = S.n_in, S.k, S.s, S.d, S.a
    n_t = sympy.Symbol("n_T", integer=True)
    length = F.transposed_output_size(n_in, k, s, S.pl, S.pr, d, a)
    return (Hypothesis(_rel(sympy.Ge, n_in, 1)), Hypothesis(_rel(sympy.Ge, k, 1)), Hypothesis(_rel(sympy.Ge, s, 1)),
            Hypothesis(_rel(sympy.Ge, d, 1)),
            Hypothesis(sympy.And(_rel(sympy.Le, 0, a), _rel(sympy.Lt, a, sympy.Max(s, d)), evaluate=False)),
            Hypothesis(_rel(sympy.Eq, S.n, length), names=((n_t, length),)))


def _wrap_ranges(F: Any = default_formulas) -> tuple:
    """The relations the wrap's claims assume: the signal's (H1)-(H4) for circular padding and the wrap's own."""
    return (_rel(sympy.Ge, SYMBOLS.n, 1),) + mode_ranges("circular") + tuple(h.relation for h in _wrap_hypotheses(F))


def _sizes_step(F: Any) -> Step:
    """Circular padding: the convolution C on the padded signal has ``n_in + floor(a/s)`` outputs, ``n_in`` of
    them exactly when ``a < s``; so ``T = (S M)ᵀ``, and ``T = Mᵀ`` exactly when ``a < s``."""
    S = SYMBOLS
    n, n_in, k, s, d, pl, pr, a = S.n, S.n_in, S.k, S.s, S.d, S.pl, S.pr, S.a
    ranges = _wrap_ranges(F)
    variables = (n, n_in, k, s, d, pl, pr, a)
    outputs = F.conv_output_size(n + pl + pr, k, s, 0, 0, d)
    shown = NAMED.conv_output_size(n + pl + pr, k, s, 0, 0, d)
    extra = n_in + sympy.floor(a / s)

    def floor_bounds(count: Any) -> sympy.Basic:  # count - n_in = floor(a/s)
        return sympy.And(_rel(sympy.Le, s * (count - n_in), a), _rel(sympy.Lt, a, s * (count - n_in + 1)),
                         evaluate=False)
    claims = [
        # n_out - n_in = floor(a/s), written as the bounds that define the floor (cvc5 decides this form at once)
        prove("the convolution on the padded signal has $n_{\\mathrm{in}} + \\lfloor a/s \\rfloor$ outputs",
              variables, ranges, floor_bounds(outputs), shown=floor_bounds(shown)),
        prove("it has $n_{\\mathrm{in}}$ outputs exactly when $a < s$", variables, ranges,
              sympy.Equivalent(_rel(sympy.Eq, outputs, n_in), _rel(sympy.Lt, a, s)),
              shown=sympy.Equivalent(_rel(sympy.Eq, shown, n_in), _rel(sympy.Lt, a, s))),
    ]
    return Step.from_claims(
        shown, extra,
        r"circular padding: the convolution $C$ with padding $0$ on the $n + p_l + p_r$ positions of the padded "
        r"signal has $n_{\mathrm{out}}(n + p_l + p_r, k, s, 0, 0, d) = n_{\mathrm{in}} + \lfloor a/s \rfloor$ outputs "
        r"(that is, $s (n_{\mathrm{out}} - n_{\mathrm{in}}) \le a < s (n_{\mathrm{out}} - n_{\mathrm{in}} + 1)$), "
        r"$n_{\mathrm{in}}$ of them exactly when $a < s$ and more when $a \ge s$; the transposed layer reads the first "
        r"$n_{\mathrm{in}}$, so $T = P^{\top} (S C)^{\top} = (S M)^{\top}$, with $S$ the identity exactly when $a < s$",
        claims, name="circular sizes")


def _wrap_step(F: Any) -> Step:
    """Circular padding: the definition's reads equal the circular gather view's, for all sizes.

    The transposed output length is the signal's length ``n``, a variable of its own with the hypothesis
    ``n = `` the executed ``transposed_output_size``: the same claims, which z3 decides in well under a second
    instead of sometimes not at all (a ``mod`` by the nonlinear length expression is hard for it).
    """
    S = SYMBOLS
    n, n_in, k, s, d, pl, pr, a, i, m, j = S.n, S.n_in, S.k, S.s, S.d, S.pl, S.pr, S.a, S.i, S.m, S.j
    ranges = _wrap_ranges(F)
    inside = (_within(0, i, n_in), _within(0, m, k), _within(0, j, n))
    variables = (n, n_in, k, s, d, pl, pr, a, i, m, j)
    written = F.tap_position(i, m, s, 0, d)  # the padding-0 transposed convolution writes here
    full = F.transposed_output_size(n_in, k, s, 0, 0, d, a)
    left = F.gather_padding_left(k, pl, d)
    mp = F.flip_tap(m, k)
    definition = _rel(sympy.Eq, F.circular_position(written, n, pl), j)
    gather = _rel(sympy.Eq, F.circular_position(F.tap_position(j, mp, 1, 0, d), n, left),
                  F.circular_position(F.zero_insertion_position(i, s), n, 0))
    divides = _rel(sympy.Eq, sympy.Mod(written - pl - j, n), 0)  # n divides (s i + d m - p_l) - j
    N = NAMED
    claims = [
        prove("the padding-0 layer writes inside the padded output", variables, ranges + inside[:2],
              sympy.And(_within(0, written, full), _rel(sympy.Eq, full, n + pl + pr), evaluate=False)),
        prove("the circular reads stay on the circle", variables, ranges + inside,
              _within(0, F.circular_position(F.tap_position(j, mp, 1, 0, d), n, left), n),
              shown=_within(0, N.circular_position(N.tap_position(j, N.flip_tap(m, k), 1, 0, d), n, left), n)),
        prove("the circular convolution of the padded circle has as many outputs as the circle has positions",
              variables, ranges, _rel(sympy.Eq, F.conv_output_size(n + d * (k - 1), k, 1, 0, 0, d), n),
              shown=_rel(sympy.Eq, N.conv_output_size(n + d * (k - 1), k, 1, 0, 0, d), n)),
        # the equivalence as a cycle of implications through "n divides the offset": z3 and cvc5 decide each
        # step in about a second, where the direct implication defeats cvc5
        prove("a term of the definition is an offset of the output by a multiple of the circle", variables,
              ranges + inside + (definition,), divides),
        prove("an offset of the output by a multiple of the circle is a read of the circular gather view", variables,
              ranges + inside + (divides,), gather),
        prove("a read of the circular gather view is a term of the definition", variables,
              ranges + inside + (gather,), definition),
    ]
    from ..latex.printing import math_latex

    Y, W, WF, ZC = sequence("y"), sequence("w"), sequence("wflip", r"\tilde{w}"), sequence("zc", r"z_{\circ}")
    mf = sympy.Symbol("m'", integer=True)
    lhs = sympy.Sum(W(m) * Y(i) * Indicator(N.circular_position(N.tap_position(i, m, s, 0, d), n, pl), j),
                    (i, 0, n_in - 1), (m, 0, k - 1))
    plg = sympy.Symbol("p'_{l}", integer=True)  # the gather view's left padding d(k - 1) - p_l, as in the theorem
    rhs = sympy.Sum(WF(mf) * ZC(sympy.Mod(j + d * mf - plg, n, evaluate=False)), (mf, 0, k - 1))
    return Step.from_claims(
        sympy.Symbol(r"(T y)[j] = " + math_latex(lhs)), rhs,
        r"circular padding: $(T y)[j] = \sum_t [\operatorname{circ}(t, n, p_l) = j]\, ((S C)^{\top} y)[t]$, and the "
        r"padding-0 layer writes input $i$ through tap $m$ at $s i + d m$, inside its $n + p_l + p_r$ outputs; "
        r"re-indexing $m' = k - 1 - m$, a term $(i, m)$ reaches $j$ exactly when $n$ divides "
        r"$s i + d m - p_l - j$, that is exactly when tap $m'$ of $\tilde w$ reads position "
        r"$(j + d m' - p'_{l}) \bmod n = s i \bmod n$ of the circle, where $z_{\circ}$ holds $y[i]$; the reads "
        r"stay on the circle of $n$ positions, and the circular convolution of the padded circle has $n$ outputs",
        claims, name="circular wrap")
