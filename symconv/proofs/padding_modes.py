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

__all__ = ["prove_padding_mode", "prove_padding_mode_general", "torch_padding_map", "MODES"]

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


def _padding_convention_step(spec: ConvSpec, shape: tuple[int, ...], tspec: TransposedConvSpec,
                             t_in: tuple[int, ...]) -> Step:
    """The tables used and the numeric definitions (pad, fold) are PyTorch's padding maps, on every axis."""
    mode = spec.padding_mode
    t, n, p_l = sympy.symbols("t n p_l", integer=True)
    name = default_formulas.LATEX_NAMES[PM.POSITION[mode]]  # the map's name, as its definition is rendered
    lhs = sequence("xpad", r"\tilde{x}")(t - p_l)  # x̃ indexed as in the Conventions: x̃[u] = x[u] for 0 <= u < n
    rhs = sequence("x")(sympy.Function(name)(t, n, p_l))
    rule = (rf"the padding is PyTorch's {mode} padding: on every axis, padded position $t$ (that is $\tilde x[t - p_l]$) copies the input at "
            rf"position ${name}(t, n, p_{{l}})$, the position PyTorch's padding function documents, "
            r"in the tables that build the matrices, in the numeric convolution (a one-tap kernel on "
            r"distinct inputs returns the padded input) and in the numeric fold (the one-tap transposed layer adds "
            r"every padded value onto that position)")
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
    sizes = ", ".join(f"{n} + {pl} + {pr}" for n, (pl, pr) in zip(shape, spec.padding))
    return Step(lhs, rhs, rule, "enumeration", True,
                f"every padded position of every axis ({sizes}), in the tables, the numeric convolution and the "
                "numeric fold", name="padding convention")


@guarded("Transpose of a convolution with a padding mode (instance)")
def prove_padding_mode(spec: ConvSpec | TransposedConvSpec, input_shape: Any, *, name: str = "w", seed: int = 0,
                       max_terms: int = 50_000_000, anchor_bits: int = DEFAULT_BITS) -> Proof:
    """Prove, for concrete sizes, that the transpose of a padding-mode convolution is the fold of the padding-0
    transposed convolution (and, for circular padding, a circular convolution with the flipped kernel).

    For a :class:`ConvSpec` with ``padding_mode`` reflect, replicate or circular, the transposed layer is
    ``spec.transpose(input_shape)``; a :class:`TransposedConvSpec` with such a mode is taken as given, on
    inputs of ``input_shape``.  Steps: PyTorch's conventions (index equation; padding maps), ``M`` and ``T``
    anchored to the numeric definitions, the sizes, ``T = (S M)ᵀ``, ``T = Fold · C_flip Pad Z``, and for
    circular ``T = C_flip Circ Wrap Z``.  A mistaken formula or builder makes ``holds`` False.

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
    from ..latex.printing import spec_latex

    mode = tspec.padding_mode
    title = f"Transpose of a convolution with {mode} padding (instance)"
    conv_spec = tspec.transpose()
    steps: list[Step] = []
    if isinstance(spec, ConvSpec):
        steps.append(_layer_step(spec, conv_shape, tspec, t_in))
    tspec0 = PM.zero_padding_spec(tspec)
    convention = convention_step(tspec0, t_in)  # on the padding-0 layers: T is their fold
    steps.append(dataclasses.replace(convention, rule=convention.rule + (
        "; checked here on the padding-0 layers whose fold is $T$, so its output length is that of padding 0")))
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
                    sympy.MatMul(T_, y_, evaluate=False), sympy.Function(r"conv^{\top}")(y_),
                    r"$T$, built as the fold of the padding-0 transposed convolution, is the layer as defined "
                    r"numerically (kernel copies added at stride $s$, then the borders added back by slices)",
                    seed=seed + 1, bits=anchor_bits),
    ]
    expected = tuple(n + e for n, e in zip(t_in, extra))
    steps.append(Step(sympy.Tuple(*m_out), sympy.Tuple(*expected),
                      r"round trip of the output size: the convolution has $n_{\mathrm{in}} + \lfloor a/s \rfloor$ "
                      r"outputs per axis", "arithmetic", m_out == expected,
                      "the convolution has " + " by ".join(map(str, m_out)) + " outputs, as many as the transposed "
                      "layer's inputs" + ("" if S is None else " and the extra rows the output padding adds"),
                      name="sizes"))
    if S is None:
        steps.append(equality_step("transpose", T, lambda: M.T, T_, sympy.Transpose(M_),
                                   r"$T$, the fold of the padding-0 transposed layer, against the transpose of $M$"))
    else:
        S_ = sympy.MatrixSymbol("S", S.shape[0], S.shape[1])
        steps.append(equality_step("transpose", T, lambda: (S @ M).T, T_,
                                   sympy.Transpose(sympy.MatMul(S_, M_, evaluate=False)),
                                   r"$T$ against the transpose of $M$ with its rows selected by $S$"))
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
        r"the fold $P^{\top}$ (each padded position added onto the entry it copies) after the padding-0 transposed "
        r"convolution, taken as its gather view $C_{\mathrm{flip}}\,\mathrm{Pad}\,Z$ (zero insertion, padding, "
        r"stride-1 convolution with the flipped kernel), its factors built separately and multiplied by "
        r"the proof"))
    if mode == "circular":
        steps.append(equality_step(
            "circular gather view", T, circular_gather, T_,
            sympy.Symbol(r"C_{\mathrm{flip}} \mathrm{Circ}\, W Z"),
            r"the circular gather view: zero insertion $Z$, the wrap $W$ of the zero-inserted input onto the "
            r"circle of $n_T$ positions (entries that land on one position add), and the circular convolution "
            r"$C_{\mathrm{flip}}\,\mathrm{Circ}$ with the flipped kernel, reading $(j + d m' - p'_{l}) \bmod n_T$ with "
            r"$p'_{l} = d(k-1) - p_l$"))
    statement = (r"For the convolution $" + spec_latex(conv_spec) + r"$ on inputs " + _shape_words(conv_shape)
                 + rf" with {mode} padding, $M = C P$ ($P$ the {mode} padding, $C$ the convolution with padding $0$), "
                 r"the transposed layer $T$ on inputs " + _shape_words(t_in) + r", computed as the padding-0 "
                 r"transposed convolution followed by the fold (each padded position added onto the entry it "
                 r"copies; PyTorch has no such layer), equals "
                 + (r"$M^{\top}$" if S is None else r"$(S M)^{\top}$")
                 + r" and the fold $P^{\top}$ of the padding-0 transposed convolution's gather view"
                 + (r"; it is also the circular convolution with the flipped kernel over the zero-inserted input "
                    r"wrapped onto the circle" if mode == "circular" else "") + ".")
    return Proof(title, statement, tuple(steps),
                 conclusion=r"$T = P^{\top} C^{\top}$: the padding-0 transposed convolution, then the fold.",
                 notes=(rf"The weights are distinct real symbols ${name}_{{\dots}}$ in PyTorch's layout "
                        rf"${tuple_tex(tspec.weight_shape)}$, so equal structures are equal symbolic matrices.",
                        _map_note(mode)),
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
    """PyTorch's documented map as a piecewise function of the padded position t (written by hand)."""
    S = SYMBOLS
    n, pl, t = S.n, S.pl, S.t
    border = {"reflect": (pl - t, 2 * (n - 1) - (t - pl)), "replicate": (sympy.Integer(0), n - 1),
              "circular": (t - pl + n, t - pl - n)}[mode]
    return sympy.Piecewise((border[0], _rel(sympy.Lt, t, pl)), (t - pl, _rel(sympy.Lt, t, pl + n)),
                           (border[1], True))


@guarded("Transpose of a padding mode (all sizes)")
def prove_padding_mode_general(mode: str = "circular", *, formulas: Any = None) -> Proof:
    """The parametric theorem for a padding mode: for all sizes, the padding map, its fold and (for circular)
    the wrap-around reads, as integer claims proved by z3.

    For all ``n >= 1`` and amounts ``p_l, p_r >= 0`` within F.pad's rule for the mode, every padded position
    ``0 <= t < n + p_l + p_r`` copies a position in ``[0, n)`` by the formula used, which equals PyTorch's
    documented map; the fold adds every padded value onto one input position and keeps the data in place, so
    ``<P x, g> = <x, Pᵀ g>``; for circular padding, the definition's reads (the padding-0 transposed convolution
    wrapped by the circular map) are those of the circular convolution with the flipped kernel over the
    zero-inserted input wrapped onto the circle.

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
    F = default_formulas if formulas is None else formulas
    S = SYMBOLS
    n, pl, pr, t, j = S.n, S.pl, S.pr, S.t, S.j
    src_f = getattr(F, PM.POSITION[mode])
    shown_f = getattr(NAMED, PM.POSITION[mode])
    src, shown = src_f(t, n, pl), shown_f(t, n, pl)
    ranges = (_rel(sympy.Ge, n, 1),) + mode_ranges(mode)
    padded = n + pl + pr
    variables = (n, pl, pr, t, j)
    t_range = (_within(0, t, padded),)
    X, XT, G = sequence("x"), sequence("xpad", r"\tilde{x}"), sequence("v")  # v: g is the number of groups
    steps = [Step.from_claims(
        XT(t - pl), X(shown),  # x̃ indexed as in the Conventions: x̃[u] = x[u] for 0 <= u < n
        rf"the {mode} padding map: padded position $t$ copies the input at the position used, which lies in "
        r"$[0, n)$ and equals PyTorch's documented map (" + {"reflect": "the mirror image without the edge", "replicate": "the edge repeated",
                                       "circular": "the wrap around the signal"}[mode] + ")",
        [prove("every padded position copies an input position", variables, ranges + t_range, _within(0, src, n),
               shown=_within(0, shown, n)),
         prove("the map used is PyTorch's", variables, ranges + t_range, _rel(sympy.Eq, src, _torch_piecewise(mode)),
               shown=_rel(sympy.Eq, shown, _torch_piecewise(mode)))],
        name="padding map")]
    data_t = F.padded_position(j, pl)
    from ..latex.printing import math_latex

    pairing = sympy.Sum(G(t) * X(shown), (t, 0, padded - 1))  # <P x, v>, written out
    folded = sympy.Sum(X(j) * sympy.Sum(Indicator(shown_f(t, n, pl), j) * G(t), (t, 0, padded - 1)), (j, 0, n - 1))
    steps.append(Step.from_claims(
        sympy.Symbol(r"\langle P x, v\rangle = " + math_latex(pairing)),
        sympy.Symbol(math_latex(folded) + r" = \langle x, P^{\top} v\rangle"),
        r"the fold is the transpose: $\langle P x, v\rangle = \langle x, P^{\top} v\rangle$ for every $v$, where $P^{\top}$ adds "
        r"$v[t]$ onto the position $t$ copies; the sums exchange because that position lies in $[0, n)$ (the padding map), "
        r"and the data positions $t = j + p_l$ fold onto $j$",
        [prove("the data position of j lies in the padded input and folds onto j", variables,
               ranges + (_within(0, j, n),),
               sympy.And(_within(0, data_t, padded), _rel(sympy.Eq, src_f(data_t, n, pl), j), evaluate=False),
               shown=_rel(sympy.Eq, shown_f(NAMED.padded_position(j, pl), n, pl), j))],
        name="fold"))
    if mode == "circular":
        steps.append(_wrap_step(F))
    rule = {"reflect": "PyTorch's rule for reflect padding: each amount is less than the size",
            "circular": "PyTorch's rule for circular padding: each amount is at most the size"}.get(mode, "")
    hypotheses = tuple(Hypothesis(r, meaning=rule if pos == 3 else "") for pos, r in enumerate(ranges))
    wrap = tuple(r for r in _wrap_ranges(F) if r not in ranges) if mode == "circular" else ()  # beyond (H1)-(H4)
    range_object = Ranges(hypotheses + tuple(Hypothesis(r) for r in wrap))
    meanings = "".join(f" ({m})" for m in range_object.meanings())
    opening = (r"Let $n, p_{l}, p_{r}$ be integers" if mode != "circular" else
               r"Let $n, p_{l}, p_{r}$ and $n_{\mathrm{in}}, k, s, d, a, n_{T}$ be integers")
    statement = (opening + " satisfying the hypotheses" + meanings + "\n"
                 + range_object.itemized() + "\n"
                 + rf"let $P$ be PyTorch's {mode} padding of a signal of length $n$ by $p_{{l}}$ on the left and "
                 r"$p_{r}$ on the right, and $C$ a convolution on the padded signal. Then every padded position "
                 r"$0 \le t < n + p_{l} + p_{r}$ copies an input position in $[0, n)$, by PyTorch's map; the "
                 r"transpose of $P$ is the fold, so the transpose of the convolution $M = C P$ is "
                 r"$P^{\top} C^{\top}$")
    if mode == "circular":
        first, last = len(Ranges(hypotheses).latex()) + 1, len(range_object.latex())  # the items (H1), ...
        statement += (rf". Moreover, under (H2) and (H{first})--(H{last}), the transposed convolution with kernel "
                      r"size $k$, stride $s$, dilation $d$, padding $0$ and output padding $a$ on $n_{\mathrm{in}}$ "
                      r"inputs has $n_{T} + p_{l} + p_{r}$ outputs, and followed by the fold of the circular padding "
                      r"of $n_{T}$ positions by $p_{l}, p_{r}$ it reads what the circular convolution with the flipped kernel reads from the zero-inserted "
                      r"input wrapped onto the circle of $n_{T}$ positions")
    return Proof(f"Transpose of {mode} padding (all sizes)", statement + ".", tuple(steps),
                 assumptions=range_object.relations(),
                 conclusion=r"$T = P^{\top} C^{\top}$ for every size.", notes=(_map_note(mode, F),),
                 data=dict(mode=mode, ranges=range_object))


def _map_note(mode: str, formulas: Any = default_formulas) -> str:
    """The executed map of the mode, rendered by latexify-py from the source of the function that ran (not cached:
    after a change the page shows the changed function); a function that cannot be rendered is said so."""
    import latexify

    from ..latex.formulas import _rename

    function = getattr(formulas, PM.POSITION[mode])
    try:
        tex = _rename(latexify.get_latex(function))
    except Exception as exc:  # noqa: BLE001 - rendering is for the reader; the checks do not depend on it
        return (rf"The {mode} map that ran could not be rendered from its source "
                rf"({type(exc).__name__}), so it is not shown.")
    return rf"The {mode} map that ran, rendered from its source: \[ {tex} \]"


def _wrap_ranges(F: Any = default_formulas) -> tuple:
    """The hypotheses of the circular wrap: the transposed layer's ranges, its output length ``n_T`` (named),
    and the amounts within F.pad's circular rule on the circle of ``n_T`` positions."""
    S = SYMBOLS
    n_in, k, s, d, a = S.n_in, S.k, S.s, S.d, S.a
    n_t = sympy.Symbol("n_T", integer=True)
    length = F.transposed_output_size(n_in, k, s, S.pl, S.pr, d, a)
    return ((_rel(sympy.Ge, n_in, 1), _rel(sympy.Ge, k, 1), _rel(sympy.Ge, s, 1), _rel(sympy.Ge, d, 1),
             _rel(sympy.Le, 0, a), _rel(sympy.Lt, a, sympy.Max(s, d)), _rel(sympy.Eq, n_t, length),
             _rel(sympy.Ge, n_t, 1)) + mode_ranges("circular", n_t))


def _wrap_step(F: Any) -> Step:
    """Circular padding: the definition's reads equal the circular gather view's, for all sizes.

    The transposed output length enters as its own variable ``n_T`` with the hypothesis ``n_T = `` the executed
    ``transposed_output_size``: the same claims, which z3 decides in well under a second instead of sometimes
    not at all (a ``mod`` by the nonlinear length expression is hard for it).
    """
    S = SYMBOLS
    n_in, k, s, d, pl, pr, a, i, m, j = S.n_in, S.k, S.s, S.d, S.pl, S.pr, S.a, S.i, S.m, S.j
    n_t = sympy.Symbol("n_T", integer=True)
    ranges = _wrap_ranges(F)
    inside = (_within(0, i, n_in), _within(0, m, k), _within(0, j, n_t))
    variables = (n_in, k, s, d, pl, pr, a, i, m, j, n_t)
    written = F.tap_position(i, m, s, 0, d)  # the padding-0 transposed convolution writes here
    full = F.transposed_output_size(n_in, k, s, 0, 0, d, a)
    left = F.gather_padding_left(k, pl, d)
    mp = F.flip_tap(m, k)
    definition = _rel(sympy.Eq, F.circular_position(written, n_t, pl), j)
    gather = _rel(sympy.Eq, F.circular_position(F.tap_position(j, mp, 1, 0, d), n_t, left),
                  F.circular_position(F.zero_insertion_position(i, s), n_t, 0))
    divides = _rel(sympy.Eq, sympy.Mod(written - pl - j, n_t), 0)  # n_T divides (s i + d m - p_l) - j
    N = NAMED
    claims = [
        prove("the padding-0 layer writes inside the padded output", variables, ranges + inside[:2],
              sympy.And(_within(0, written, full), _rel(sympy.Eq, full, n_t + pl + pr), evaluate=False)),
        prove("the circular reads stay on the circle", variables, ranges + inside,
              _within(0, F.circular_position(F.tap_position(j, mp, 1, 0, d), n_t, left), n_t),
              shown=_within(0, N.circular_position(N.tap_position(j, N.flip_tap(m, k), 1, 0, d), n_t, left), n_t)),
        prove("the circular convolution of the padded circle has as many outputs as the circle has positions",
              variables, ranges, _rel(sympy.Eq, F.conv_output_size(n_t + d * (k - 1), k, 1, 0, 0, d), n_t),
              shown=_rel(sympy.Eq, N.conv_output_size(n_t + d * (k - 1), k, 1, 0, 0, d), n_t)),
        # the equivalence as a cycle of implications through "n_T divides the offset": z3 and cvc5 decide each
        # step in about a second, where the direct implication defeats cvc5
        prove("a term of the definition is an offset of the output by a multiple of the circle", variables,
              ranges + inside + (definition,), divides),
        prove("an offset of the output by a multiple of the circle is a read of the circular gather view", variables,
              ranges + inside + (divides,), gather),
        prove("a read of the circular gather view is a term of the definition", variables,
              ranges + inside + (gather,), definition),
    ]
    Y, W, WF, ZC = sequence("y"), sequence("w"), sequence("wflip", r"\tilde{w}"), sequence("zc", r"z_{\circ}")
    jsym = sympy.Symbol("j", integer=True)
    lhs = sympy.Sum(W(m) * Y(i) * Indicator(N.circular_position(N.tap_position(i, m, s, 0, d), n_t, pl), jsym),
                    (i, 0, n_in - 1), (m, 0, k - 1))
    rhs = sympy.Sum(WF(m) * ZC(N.circular_position(N.tap_position(jsym, m, 1, 0, d), n_t, left)), (m, 0, k - 1))
    return Step.from_claims(
        lhs, rhs,
        r"circular padding: re-indexing $m' = k - 1 - m$ and $u = s i$, the terms of the definition (input $i$ "
        r"written at $s i + d m$ and wrapped by the circular map) are those of the circular convolution with the "
        r"flipped kernel $\tilde w$ over $z_{\circ}$, the zero-inserted input wrapped onto the circle of $n_T$ "
        r"positions, read at $(j + d m' - p'_{l}) \bmod n_T$ with $p'_{l} = d(k-1) - p_l$",
        claims, name="circular wrap")
