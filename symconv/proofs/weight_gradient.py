"""The weight gradient of a convolution is a convolution in which stride and dilation trade places.

For ``y = conv(w, x)`` and a loss with output gradient ``g = dL/dy``,
``dL/dw[o, c_l, m] = sum_i g[o, i] x~[c, s i + d m]`` (``x~`` the padded input,
``c`` the ``c_l``-th channel of ``o``'s group).  Read with ``i`` as the tap and
``m`` as the output position, this is the convolution of ``x[c]`` with the
kernel ``g[o]``: stride ``d``, dilation ``s``, the same padding, cut to the
first ``k`` outputs per axis (PyTorch's ``conv_weight`` semantics).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy

from .. import formulas as default_formulas
from ..errors import SpecTypeError, SymconvError
from ..numeric import conv
from ..spec import ConvSpec
from . import anchors
from .anchors import DEFAULT_BITS, bound_reached, convention_step
from .core import Proof, Step, tuple_tex
from .evaluate import NAMED, sequence
from .guard import guarded, started
from .ranges import Hypothesis, Ranges
from .smt import prove

__all__ = ["prove_weight_gradient", "prove_weight_gradient_general", "weight_gradient_spec"]


def gradient_layer(n_out, s, p_l, p_r, d):
    """Per axis, the (kernel, stride, left and right padding, dilation) of the convolution that computes the weight
    gradient: the output gradient, of length ``n_out``, is the kernel; stride and dilation trade places.

    The one source of these parameters: :func:`weight_gradient_spec` builds its spec from them and the parametric
    proof reasons about them, on symbols.

    >>> gradient_layer(4, 2, 1, 1, 1)
    (4, 1, 1, 1, 2)
    """
    return n_out, d, p_l, p_r, s


def weight_gradient_spec(spec: ConvSpec, input_shape: Any) -> ConvSpec:
    """The single-channel convolution that computes the weight gradient: kernel = output size, stride and
    dilation swapped, the same padding.

    >>> weight_gradient_spec(ConvSpec(3, stride=2, padding=1, dilation=1), (7,))
    ConvSpec(kernel_size=(4,), stride=(1,), padding=((1, 1),), dilation=(2,), in_channels=1, out_channels=1, groups=1)
    """
    shape = spec.check_input_shape(input_shape)
    axes = [gradient_layer(n, s, pl, pr, d) for n, s, (pl, pr), d
            in zip(spec.output_shape(shape), spec.stride, spec.padding, spec.dilation)]
    return ConvSpec(tuple(a[0] for a in axes), stride=tuple(a[1] for a in axes),
                    padding=tuple((a[2], a[3]) for a in axes), dilation=tuple(a[4] for a in axes))


def _by_definition(spec: ConvSpec, g: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dL/dw for L = <g, conv(w, x)>: L is linear in w, so dL/dw[tap] = <g, conv(e_tap, x)>."""
    out = np.zeros(math.prod(spec.weight_shape), dtype=np.int64)
    for tap in range(out.size):
        e = np.zeros(out.size, dtype=np.int64)
        e[tap] = 1
        out[tap] = int(np.sum(conv(spec, e.reshape(spec.weight_shape), x) * g))
    return out.reshape(spec.weight_shape)


def _by_convolution(spec: ConvSpec, shape: tuple[int, ...], g: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The weight gradient as convolutions of input channels with output-gradient kernels (stride <-> dilation)."""
    F = default_formulas
    gspec = weight_gradient_spec(spec, shape)
    c_in_g, c_out_g = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    out = np.zeros(spec.weight_shape, dtype=np.int64)
    first_k = tuple(slice(0, k) for k in spec.kernel_size)
    for o in range(spec.out_channels):
        group = F.channel_group(o, c_out_g)
        for c_l in range(c_in_g):
            c = F.group_channel(group, c_in_g, c_l)
            full = conv(gspec, g[o].reshape((1, 1) + g.shape[1:]), x[c].reshape((1,) + x.shape[1:]))[0]
            out[(o, c_l)] = full[first_k]
    return out


@guarded("Weight gradient (instance)")
def prove_weight_gradient(spec: ConvSpec, input_shape: Any, *, seed: int = 0, bits: int = DEFAULT_BITS) -> Proof:
    """For concrete sizes: the weight gradient of a convolution is a convolution of the input with the output
    gradient, stride and dilation traded (an exact randomized identity test with a stated bound).

    The left side is the derivative by definition (``L = <g, conv(w, x)>`` is linear in ``w``, evaluated
    with the numeric reference on every weight basis vector); the right side is :func:`symconv.numeric.conv`
    with the spec of :func:`weight_gradient_spec`.

    Parameters
    ----------
    spec : ConvSpec
        The convolution.
    input_shape : tuple of int
        Its spatial input shape.
    seed : int
        Seed of the random inputs and output gradients.
    bits : int
        The false-pass probability is at most ``2**-bits``.

    Returns
    -------
    Proof
        One step, the randomized identity test with its bound; ``holds`` is False on the first differing entry.

    Raises
    ------
    SpecTypeError
        When ``spec`` is not a :class:`ConvSpec` (see :mod:`symconv.proofs`).
    ShapeError
        For an input shape the layer cannot take.

    See Also
    --------
    prove_weight_gradient_general : The same theorem for all sizes.

    Examples
    --------
    >>> prove_weight_gradient(ConvSpec(3, stride=2, padding=1), (7,)).holds
    True
    """
    if not isinstance(spec, ConvSpec):
        raise SpecTypeError(f"spec must be a ConvSpec, got {type(spec).__name__}")
    shape = spec.check_input_shape(input_shape)
    started()
    out_shape = spec.output_shape(shape)
    rng = np.random.default_rng(seed)
    terms = math.prod(out_shape)  # products summed into one gradient entry
    B = max(1, min(math.isqrt(2**62 // max(terms, 1)), 2**31))
    per_trial = math.log2((2 * B + 1) / 2)
    trials = max(1, math.ceil(bits / per_trial))
    ok, detail = True, ""
    gs = anchors._draw(rng, B, (trials, spec.out_channels) + out_shape)  # the anchors' sampler, checked alike
    xs = anchors._draw(rng, B, (trials, spec.in_channels) + shape)
    for trial in range(len(gs)):
        g, x = gs[trial], xs[trial]
        try:
            left = _by_definition(spec, g, x)
            right = _by_convolution(spec, shape, g, x)
        except (SymconvError, ValueError, IndexError) as exc:  # a mistaken layer is a failed step, not an error
            ok, detail = False, f"the gradient convolution cannot be applied: {exc}"
            break
        if left.shape != right.shape or not np.array_equal(left, right):
            if left.shape != right.shape:
                ok, detail = False, f"the weight gradient has shape {left.shape}, the convolution gives {right.shape}"
                break
            where = tuple(int(v) for v in np.argwhere(left != right)[0])
            ok, detail = False, (f"trial {trial + 1}: weight entry {where} is {int(left[where])} by definition and "
                                 f"{int(right[where])} by the convolution")
            break
    if ok:
        reached, why = bound_reached(gs, xs, B, bits)
        if why:
            ok, detail = False, f"{len(gs)} trials agreed, but {why}"
        else:
            detail = (f"{len(gs)} trials with integer x and dL/dy uniform in [-{B}, {B}]: exact agreement; a false "
                      f"pass has probability at most 2^-{reached:.0f}")
    gspec = weight_gradient_spec(spec, shape)
    dw, conv_f = sympy.Symbol(r"\frac{\partial L}{\partial w}"), sympy.Function("conv")
    step = Step(dw, conv_f(sympy.Symbol("x"), sympy.Symbol(r"\frac{\partial L}{\partial y}")),
                r"the derivative of $L = \langle \partial L/\partial y, \operatorname{conv}(w, x)\rangle$, linear in "
                r"$w$, against the convolution of each input channel with the output gradient as kernel: stride "
                rf"${tuple_tex(gspec.stride)}$ (the layer's dilation), dilation "
                rf"${tuple_tex(gspec.dilation)}$ (the layer's stride), the same padding, the first "
                r"$k$ outputs per axis", "randomized identity", ok, detail, name="weight gradient")
    convention = convention_step(spec.transpose(shape), out_shape)
    return Proof("Weight gradient (instance)",
                 r"For this convolution, $\partial L/\partial w[o, c_l]$ is the convolution of input channel $c$ "
                 r"(the $c_l$-th of $o$'s group) with $\partial L/\partial y[o]$ as kernel, stride and dilation "
                 r"traded, cut to the kernel size.", (convention, step),
                 conclusion=r"The third product of backpropagation is a convolution too.",
                 data=dict(spec=spec, input_shape=shape, gradient_spec=gspec))


@guarded("Weight gradient (all sizes)")
def prove_weight_gradient_general(*, formulas: Any = None) -> Proof:
    """For all sizes: the weight gradient reads what a convolution with stride and dilation traded reads.

    Parameters
    ----------
    formulas : module, optional
        Replaces :mod:`symconv.formulas` (to watch a corrupted formula fail a step).

    Returns
    -------
    Proof
        Its steps, each a set of integer claims checked by z3.

    Examples
    --------
    >>> proof = prove_weight_gradient_general()
    >>> proof.holds, [step.checker for step in proof.steps]
    (True, ['z3', 'z3'])
    """
    from ..latex.printing import math_latex as tex  # the statement is typeset from the ranges the solver reads

    F = default_formulas if formulas is None else formulas
    n, k, s, d, pl, pr, i, m, q = sympy.symbols("n_in k s d p_l p_r i m q", integer=True)
    n_out = F.conv_output_size(n, k, s, pl, pr, d)
    n_out_name = sympy.Symbol("n_out", integer=True)
    range_object = Ranges((
        Hypothesis(sympy.Ge(n, 1, evaluate=False)), Hypothesis(sympy.Ge(k, 1, evaluate=False)),
        Hypothesis(sympy.Ge(s, 1, evaluate=False)), Hypothesis(sympy.Ge(d, 1, evaluate=False)),
        Hypothesis(sympy.Ge(pl, 0, evaluate=False)), Hypothesis(sympy.Ge(pr, 0, evaluate=False)),
        Hypothesis(sympy.Ge(n_out, 1, evaluate=False), names=((n_out_name, n_out),)),
    ))
    ranges = range_object.relations()
    variables = (n, k, s, d, pl, pr, i, m)
    N = NAMED
    G, X = sequence("delta", r"\delta"), sequence("xpad", r"\tilde{x}")
    grad = sequence("dw", r"\frac{\partial \ell}{\partial w}")
    read = F.tap_position(i, m, s, pl, d)
    k_g, s_g, pl_g, pr_g, d_g = gradient_layer(n_out, s, pl, pr, d)  # the executed gradient layer, on symbols
    traded = F.tap_position(m, i, s_g, pl_g, d_g)
    s1 = Step.from_claims(
        # the right side sums over a renamed index q: output m of the traded convolution, tap q, reads d m + s q
        sympy.Sum(G(i) * X(read), (i, 0, n_out_name - 1)),
        sympy.Sum(G(q) * X(F.tap_position(m, q, s_g, pl_g, d_g)), (q, 0, n_out_name - 1)),
        r"$\partial \ell/\partial w[m] = \sum_i \delta[i]\, \tilde x[s i + d m - p_l]$ (the derivative of the linear "
        r"form $\langle \delta, M(w) x\rangle$), and output $m$ of the convolution of $\tilde x$ with kernel $\delta$, stride "
        r"$d$ and dilation $s$ reads $\tilde x[d m + s q - p_l]$ through tap $q$: the same positions, with the output "
        r"gradient's entries as taps",
        [prove("the executed index map is the convention", variables, (),
               sympy.Eq(read, s * i + d * m - pl, evaluate=False),
               shown=sympy.Eq(N.tap_position(i, m, s, pl, d), s * i + d * m - pl, evaluate=False)),
         prove("the reads agree with stride and dilation traded", variables, (), sympy.Eq(read, traded, evaluate=False),
               shown=sympy.Eq(N.tap_position(i, m, s, pl, d), N.tap_position(m, i, s_g, pl_g, d_g), evaluate=False)),
         prove("every read lies in the padded input", variables,
               ranges + (sympy.Le(0, i, evaluate=False), sympy.Lt(i, n_out, evaluate=False),
                         sympy.Le(0, m, evaluate=False), sympy.Lt(m, k, evaluate=False)),
               sympy.And(sympy.Le(-pl, traded, evaluate=False), sympy.Lt(traded, n + pr, evaluate=False)))],
        name="stride and dilation trade places")
    n_grad = F.conv_output_size(n, k_g, s_g, pl_g, pr_g, d_g)
    s2 = Step.from_claims(
        sympy.Min(N.conv_output_size(n, k_g.xreplace({n_out: n_out_name}), s_g, pl_g, pr_g, d_g), k, evaluate=False), k,
        r"the convolution with kernel size $n_{\mathrm{out}}$, stride $d$, dilation $s$ has at least $k$ outputs, so "
        r"every tap $0 \le m < k$ of the weight gradient is one of its outputs (PyTorch keeps the first $k$)",
        [prove("the gradient convolution has at least k outputs", variables, ranges,
               sympy.Ge(n_grad, k, evaluate=False),
               shown=sympy.Ge(N.conv_output_size(n, N.conv_output_size(n, k, s, pl, pr, d), s_g, pl_g, pr_g, d_g), k,
                              evaluate=False))],
        name="enough outputs")
    statement = "\n".join([
        r"Let $n_{\mathrm{in}}, k, s, d, p_{l}, p_{r}$ be integers satisfying the hypotheses",
        range_object.itemized(),
        r"let $x \in \mathbb{R}^{n_{\mathrm{in}}}$ be the input of the convolution $y = M(w) x$ with kernel "
        rf"$w \in \mathbb{{R}}^{{k}}$, stride $s$, padding $(p_{{l}}, p_{{r}})$ and dilation $d$, whose "
        rf"${tex(n_out_name)}$ outputs are $y[i] = \sum_{{m=0}}^{{k-1}} w[m]\, \tilde x[{tex(read)}]$, with "
        r"$\tilde x$ the input padded by $p_{l}$ and $p_{r}$ zeros; let $\ell$ be a loss and "
        r"$\delta = \partial \ell/\partial y \in \mathbb{R}^{n_{\mathrm{out}}}$. Then for every tap $0 \le m < k$, "
        r"$\partial \ell/\partial w[m]$ is output $m$ of the convolution of the input with kernel $\delta$ (of size "
        r"$n_{\mathrm{out}}$), stride $d$ and dilation $s$ (stride and dilation traded); that convolution has at "
        r"least $k$ outputs, and the weight gradient is the first $k$ of them.",
    ])
    return Proof("Weight gradient (all sizes)", statement,
                 (s1, s2), assumptions=ranges,
                 conclusion=r"$\partial \ell/\partial w$ is a convolution, with stride and dilation traded.",
                 data=dict(grad=grad, ranges=range_object, formulas=F))
