"""The weight gradient of a convolution is a convolution in which stride and dilation trade places.

For ``y = conv(w, x)`` and a loss with output gradient ``g = dL/dy``,
``dL/dw[o, c_l, m] = sum_i g[o, i] x~[c, s i + d m]`` (``x~`` the padded input,
``c`` the ``c_l``-th channel of ``o``'s group).  Read with ``i`` as the tap and
``m`` as the output position, this is the convolution of ``x[c]`` with the
kernel ``g[o]``: stride ``d``, dilation ``s``, the same padding, cut to the
first ``k`` outputs per axis (PyTorch's ``conv_weight`` semantics).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from .. import formulas as default_formulas
from ..errors import SpecTypeError, SymconvError
from ..latex.phrases import counted
from ..numeric import conv
from ..spec import ConvSpec
from . import anchors
from .anchors import DEFAULT_BITS, bound_reached, convention_step
from .core import Proof, Step, padding_text, per_axis_text, tuple_tex
from .evaluate import NAMED, sequence
from .guard import guarded, started
from .ranges import Hypothesis, Ranges
from .smt import prove

__all__ = ["prove_weight_gradient", "prove_weight_gradient_general", "weight_gradient_spec"]


LOSS = (r"let $\ell = L(y)$ be a loss, for a differentiable function $L$ of the output (so $\ell$ depends on $w$ "
        r"only through $y$: a term in $w$ itself, such as weight decay, is excluded)")
"""The theorems' hypothesis on the loss, which the chain rule uses (one wording for both documents)."""


@dataclass(frozen=True)
class AtLeastStep(Step):
    """A step whose display is ``lhs >= rhs`` (what its claims prove), not an equality."""

    relation: str = r"\ge"


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


def _by_sum(spec: ConvSpec, shape: tuple[int, ...], g: np.ndarray, x: np.ndarray, F: Any = None) -> np.ndarray:
    """The chain rule's sum, ``dL/dw[o, c_l, m] = sum_i g[o, i] x~[c, s i + d m - p_l]`` (per axis), read through
    :func:`symconv.formulas.tap_position` and the group formulas, with ``x~`` zero outside the input."""
    F = default_formulas if F is None else F
    out_shape = spec.output_shape(shape)
    c_in_g, c_out_g = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    out = np.zeros(spec.weight_shape, dtype=object)
    positions = list(np.ndindex(*out_shape))
    for o in range(spec.out_channels):
        group = F.channel_group(o, c_out_g)
        for c_l in range(c_in_g):
            c = F.group_channel(group, c_in_g, c_l)
            for m in np.ndindex(*spec.kernel_size):
                total = 0
                for i in positions:
                    u = tuple(F.tap_position(i[a], m[a], spec.stride[a], spec.padding[a][0], spec.dilation[a])
                              for a in range(len(shape)))
                    if all(0 <= u[a] < shape[a] for a in range(len(shape))):
                        total += int(g[(o,) + i]) * int(x[(c,) + u])
                out[(o, c_l) + m] = total
    return out


def _values_tex(values: tuple) -> str:
    """A per-axis parameter as mathematics: ``2`` when every axis has it, else ``(1, 2)``."""
    return str(values[0]) if len(set(values)) == 1 else tuple_tex(tuple(values))


def _compare(left: np.ndarray, right: np.ndarray, trial: int, what: tuple[str, str]) -> str:
    """'' when the two gradients agree; else the first differing weight entry, in words."""
    if left.shape != right.shape:
        return f"the weight gradient has shape {left.shape} {what[0]}, {right.shape} {what[1]}"
    if np.array_equal(left, right):
        return ""
    where = tuple(int(v) for v in np.argwhere(left != right)[0])
    return f"trial {trial + 1}: weight entry {where} is {int(left[where])} {what[0]} and {int(right[where])} {what[1]}"


def _smallest_difference(spec: ConvSpec, shape: tuple[int, ...], out_shape: tuple[int, ...],
                         limit: int = 4096) -> str:
    """A counterexample in small numbers: one output-gradient entry and one input entry set to 1, the rest 0
    (both sides are bilinear in the two, so a difference shows at such a pair); '' when none is found in ``limit``
    pairs or the sides cannot be compared there."""
    g_size, x_size = spec.out_channels * math.prod(out_shape), spec.in_channels * math.prod(shape)
    if g_size * x_size > limit:
        return ""
    for a in range(g_size):
        g = np.zeros(g_size, dtype=np.int64)
        g[a] = 1
        for b in range(x_size):
            x = np.zeros(x_size, dtype=np.int64)
            x[b] = 1
            g_, x_ = g.reshape((spec.out_channels,) + out_shape), x.reshape((spec.in_channels,) + shape)
            try:
                left, right = _by_definition(spec, g_, x_), _by_convolution(spec, shape, g_, x_)
            except (SymconvError, ValueError, IndexError):
                return ""
            if left.shape == right.shape and not np.array_equal(left, right):
                where = tuple(int(v) for v in np.argwhere(left != right)[0])
                at_g = tuple(int(v) for v in np.unravel_index(a, g_.shape))
                at_x = tuple(int(v) for v in np.unravel_index(b, x_.shape))
                return (f"with the output gradient 1 at {at_g} and the input 1 at {at_x}, both 0 elsewhere, weight "
                        f"entry {where} is {int(left[where])} by definition and {int(right[where])} by the convolution")
    return ""


@guarded("Weight gradient (instance)")
def prove_weight_gradient(spec: ConvSpec, input_shape: Any, *, seed: int = 0, bits: int = DEFAULT_BITS,
                          formulas: Any = None) -> Proof:
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
    formulas : module, optional
        Replaces :mod:`symconv.formulas` in the chain rule's sum (to watch a corrupted index map fail the step).

    Returns
    -------
    Proof
        The convention, then two randomized identity tests with their bound: the derivative by definition against
        the chain rule's sum, and that sum against the convolution; ``holds`` is False on the first differing entry.

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
    B = anchors.short_bound(max(1, min(math.isqrt(2**62 // max(terms, 1)), 2**31)))
    per_trial = math.log2((2 * B + 1) / 2)
    trials = max(1, math.ceil(bits / per_trial))
    ok, detail = True, ""
    sum_ok, sum_detail = True, ""  # the chain rule's sum against the derivative by definition
    gs = anchors._draw(rng, B, (trials, spec.out_channels) + out_shape)  # the anchors' sampler, checked alike
    xs = anchors._draw(rng, B, (trials, spec.in_channels) + shape)
    for trial in range(len(gs)):  # the chain rule's sum against the derivative by definition, on every trial
        try:
            summed = _by_sum(spec, shape, gs[trial], xs[trial], formulas)
            sum_detail = _compare(_by_definition(spec, gs[trial], xs[trial]), summed, trial,
                                  ("by definition", "by the sum"))
        except (SymconvError, ValueError, IndexError, TypeError) as exc:
            sum_detail = f"the sum cannot be evaluated: {exc}"
        if sum_detail:
            sum_ok = False
            break
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
            small = _smallest_difference(spec, shape, out_shape)
            if small:
                ok, detail = False, small
            else:
                where = tuple(int(v) for v in np.argwhere(left != right)[0])
                ok, detail = False, (f"trial {trial + 1}: weight entry {where} is {int(left[where])} by definition "
                                     f"and {int(right[where])} by the convolution")
            break
    reached, why = bound_reached(gs, xs, B, bits)
    sampled = (f"{counted(len(gs), 'trial')}, each drawing every output-gradient entry and every input entry "
               f"uniformly and independently from {anchors.range_words(B)} (no weights are drawn: neither side "
               "involves them): exact agreement. Each side is linear in the output gradient and linear in the input, "
               "so if the two sides differed at some output gradient and input, their difference would be a nonzero "
               "polynomial of degree 2 in the drawn entries, which one trial makes vanish with probability at most 2 "
               "over the number of integers drawn from (Schwartz-Zippel); a false pass, every trial agreeing although "
               f"the two sides differ, has probability at most 2^-{reached:.0f}")
    if ok:
        ok, detail = (False, f"{counted(len(gs), 'trial', words=False)} agreed, but {why}") if why else (True, sampled)
    if sum_ok and why:
        sum_ok, sum_detail = False, f"{counted(len(gs), 'trial', words=False)} agreed, but {why}"
    gspec = weight_gradient_spec(spec, shape)
    from ..latex.printing import layer_text  # the statement names the layer by its parameters

    traded = gspec.stride == spec.dilation and gspec.dilation == spec.stride  # the lemma says so only when true
    stride, dilation, padding = (per_axis_text(gspec.stride), per_axis_text(gspec.dilation),
                                 padding_text(gspec.padding))
    channels = spec.in_channels > 1 or spec.out_channels > 1
    one_d = len(shape) == 1
    channel = ("c" if spec.groups > 1 else "c_{l}") if channels else ""
    w_index = "o, c_{l}, m" if channels else "m"
    delta = r"\delta[o, i]" if channels else r"\delta[i]"
    read = (channel + ", " if channels else "") + "s i + d m - p_{l}"
    over = rf"\sum_{{i=0}}^{{{out_shape[0] - 1}}}" if one_d else r"\sum_{i}"
    dw = sympy.Symbol(rf"\frac{{\partial \ell}}{{\partial w[{w_index}]}}")
    summed = sympy.Symbol(rf"{over} {delta}\, \tilde x[{read}]")
    source = rf"x[{channel}]" if channels else "x"
    kernel = r"\delta[o]" if channels else r"\delta"
    # the chain's right side names everything the lemma checks: output m, stride, dilation, padding
    gradient = sympy.Symbol(
        r"\operatorname{conv}_{" + kernel + r"}\bigl(" + source + r"\bigr)[m]"
        r"\ \text{(stride $" + _values_tex(gspec.stride) + r"$, dilation $" + _values_tex(gspec.dilation)
        + r"$" + ("" if channels and not one_d else ", padding " + padding) + r")}")
    positions = ("" if one_d else r" ($i$ and $m$ are tuples, one entry per axis, and $s i + d m - p_{l}$ is read "
                 r"axis by axis with that axis's parameters)")
    unit = r"e_{" + w_index + "}"
    by_definition = (r"the derivative by definition: $y$ is linear in $w$, so $\partial y[" + ("o, " if channels else "")
                     + r"i] / \partial w[" + w_index + r"]$ is output $i$ of the convolution run with the unit weight $"
                     + unit + r"$ (entry $" + w_index + r"$ one, every other entry zero), and $\sum_{i} \delta["
                     + ("o, " if channels else "") + r"i]$ times it was computed exactly, by the numeric convolution, "
                     r"for every weight entry")
    chain_rule = Step(dw, summed,
                      r"chain rule: $\ell$ depends on $w$ only through $y$, and $y[" + ("o, " if channels else "")
                      + r"i] = \sum_{m} w[" + w_index + r"]\, \tilde x[" + read + "]$ (summed over "
                      + (r"$c_{l}$ and " if channels else "") + r"$m$) is linear in $w$, so "
                      r"$\partial \ell / \partial w[" + w_index + r"] = \sum_{i} (\partial \ell / \partial y["
                      + ("o, " if channels else "") + r"i])\, \partial y[" + ("o, " if channels else "")
                      + r"i] / \partial w[" + w_index + r"]$, a sum over the output positions $i$" + positions
                      + r"; checked against " + by_definition,
                      "randomized identity", sum_ok, sampled if sum_ok else sum_detail, name="chain rule")
    step = Step(summed, gradient,
                r"stride and dilation trade places: read with $i$ as the tap and $m$ as the output position, the sum "
                r"is the convolution of " + ("each input channel" if channels else "the input")
                + r" with the output gradient as kernel, stride "
                + stride + (" (the layer's dilation)" if traded else "") + ", dilation "
                + dilation + (" (the layer's stride)" if traded else "") + ", padding "
                + padding + " (the layer's), at its outputs $0 \\le m < k$" + ("" if one_d else " on every axis")
                + "; checked against the derivative by definition, computed as for the chain rule's line, which it "
                "equals", "randomized identity", ok, detail,
                name="weight gradient", condition=r"0 \le m < k")
    convention = convention_step(spec.transpose(shape), out_shape, half="convolution")
    # the theorem names the layer conv_w (the subscript names the kernel): its first line writes the same name
    convention = dataclasses.replace(convention, lhs=sequence("conv_w(x)", r"\operatorname{conv}_{w}(x)")(
        *convention.lhs.args))
    group_words = (r" With $c_i = C_{\mathrm{in}}/g$ and $c_o = C_{\mathrm{out}}/g$ the channels per group, $o$ lies in "
                   r"the group $\gamma = \lfloor o / c_o \rfloor$ and reads the input channels $c = \gamma c_i + c_{l}$, "
                   r"$0 \le c_{l} < c_i$." if spec.groups > 1 else "")
    from .instance import _shape_words  # the sizes in words, as the instance theorem writes them

    every = ((r"every output channel $o$, every $0 \le c_{l} < c_i$ and " if spec.groups > 1 else
              r"every output channel $o$, every input channel $c_{l}$ and ") if channels else "")
    statement = (
        rf"Let $y = \operatorname{{conv}}_{{w}}(x)$ be the convolution {layer_text(spec)} of the Conventions, applied "
        r"to an input $x$ " + _shape_words(shape) + r" with weight $w$ of shape $"
        + r" \times ".join(map(str, spec.weight_shape))
        + r"$ (the subscript of $\operatorname{conv}$ names the kernel); its output $y$ has " + _shape_words(out_shape).replace("of ", "", 1) + "." + group_words
        + " " + LOSS[0].upper() + LOSS[1:] + r", and $\delta = \partial \ell/\partial y$. "
        rf"Then for {every}every tap $0 \le m < k$" + ("" if one_d else " (on every axis)")
        + rf", \[ {sympy.latex(dw)} = {sympy.latex(summed)}, \] the sum over the output positions $i$"
        + ("" if one_d else r" (axis by axis)") + rf", with $\tilde x$ the input padded with zeros; that is, output $m$ "
        rf"of the convolution $\operatorname{{conv}}_{{{kernel}}}({source})$ of "
        rf"{'input channel $' + channel + '$' if channels else 'the input $x$'} with kernel "
        rf"${kernel}$, stride {per_axis_text(spec.dilation)} (the layer's dilation), dilation "
        rf"{per_axis_text(spec.stride)} (the layer's stride) and the layer's padding, {padding_text(spec.padding)}.")
    return Proof("Weight gradient (instance)", statement, (convention, chain_rule, step),
                 conclusion=(r"The weight gradient $\partial \ell/\partial w$, the third product of "
                             r"backpropagation beside the layer's output and the input gradient (which the transposed "
                             r"convolution computes), is a convolution too: of the input with the output gradient as "
                             r"kernel, stride and dilation traded."),
                 data=dict(spec=spec, input_shape=shape, gradient_spec=gspec))


@guarded("Weight gradient (1-D, one channel, all sizes)")
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
    (True, ['z3', 'z3', 'z3'])
    """
    from ..latex.printing import math_latex as tex  # the statement is typeset from the ranges the solver reads

    started()  # no input to validate: from here every error is the proof's finding
    F = default_formulas if formulas is None else formulas
    n, k, s, d, pl, pr, i, m, q = sympy.symbols("n k s d p_l p_r i m q", integer=True)
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
    grad = sequence("dw")  # printed as the theorem writes it, the entry inside the derivative: dl / dw[m]
    grad._latex = lambda self, printer: (rf"\frac{{\partial \ell}}{{\partial w[{', '.join(printer._print(a) for a in self.args)}]}}")
    read = F.tap_position(i, m, s, pl, d)
    k_g, s_g, pl_g, pr_g, d_g = gradient_layer(n_out, s, pl, pr, d)  # the executed gradient layer, on symbols
    traded = F.tap_position(m, i, s_g, pl_g, d_g)
    in_range = ranges + (sympy.Le(0, i, evaluate=False), sympy.Lt(i, n_out, evaluate=False),
                         sympy.Le(0, m, evaluate=False), sympy.Lt(m, k, evaluate=False))
    s1 = Step.from_claims(
        grad(m), sympy.Sum(G(i) * X(read), (i, 0, n_out_name - 1)),
        r"$\ell$ depends on $w[m]$ through $y$ only, and $y[i]$ is linear in $w[m]$ with coefficient "
        r"$\tilde x[s i + d m - p_{l}]$ (the chain rule); the index map the proof computes with is the theorem's, "
        r"and every read lies in the padded input",
        [prove("the index map is the theorem's", variables, in_range, sympy.Eq(read, s * i + d * m - pl, evaluate=False),
               shown=sympy.Eq(N.tap_position(i, m, s, pl, d), s * i + d * m - pl, evaluate=False)),
         prove("every read lies in the padded input", variables, in_range,
               sympy.And(sympy.Le(-pl, read, evaluate=False), sympy.Lt(read, n + pr, evaluate=False))),
         # PyTorch's output length, written out here (not by formulas.conv_output_size): the sum's upper end
         prove("the output length used is PyTorch's", variables, ranges,
               sympy.Eq(n_out, sympy.floor((n + pl + pr - d * (k - 1) - 1) / s) + 1, evaluate=False),
               shown=sympy.Eq(N.conv_output_size(n, k, s, pl, pr, d),
                              sympy.floor((n + pl + pr - d * (k - 1) - 1) / s) + 1, evaluate=False))],
        name="chain rule")
    # the display names the convolution the sum is: output m, kernel delta, stride d, dilation s (the claim pins
    # the executed traded layer's read to s i + d m - p_l)
    traded_conv = sympy.Symbol(r"\operatorname{conv}_{\delta}(x)[m]\ \text{(stride $d$, dilation $s$, padding "
                               r"$p_{l}$ and $p_{r}$)}")
    s2 = Step.from_claims(
        sympy.Sum(G(i) * X(read), (i, 0, n_out_name - 1)), traded_conv,
        r"output $m$ of the convolution $\operatorname{conv}_{\delta}(x)$ of the input with kernel $\delta$ (of size "
        r"$n_{\mathrm{out}}$), stride $d$, dilation $s$ and padding $p_{l}$ on the left, $p_{r}$ on the right, is "
        r"$\sum_{i} \delta[i]\, \tilde x[d m + s i - p_{l}]$: its output index $m$ is scaled by its stride $d$ and "
        r"its tap $i$ by its dilation $s$. That is the sum's $\tilde x[s i + d m - p_{l}]$: the output index and the "
        r"tap trade places, and with them the stride and the dilation; the gradient layer's parameters, computed from "
        r"the layer's, give a convolution that reads exactly these positions",
        [prove("the traded convolution reads the same positions", variables, in_range,
               sympy.Eq(traded, s * i + d * m - pl, evaluate=False),
               shown=sympy.Eq(N.tap_position(m, i, s_g, pl_g, d_g), s * i + d * m - pl, evaluate=False))],
        name="stride and dilation trade places")
    K = sympy.Symbol(r"\kappa", integer=True)  # a kernel size: the traded layer's length, for every kernel
    written = lambda size: sympy.floor((n + pl + pr - s * (size - 1) - 1) / d) + 1  # noqa: E731
    s3 = AtLeastStep.from_claims(
        F.conv_output_size(n, n_out_name, s_g, pl_g, pr_g, d_g), k,
        r"the convolution with kernel size $n_{\mathrm{out}}$, stride $d$ and dilation $s$ has "
        r"$\lfloor (n + p_{l} + p_{r} - s(n_{\mathrm{out}} - 1) - 1)/d \rfloor + 1$ outputs (PyTorch's length, with "
        r"stride and dilation traded), at least $k$, so every tap $0 \le m < k$ of the weight gradient is one of its "
        r"outputs (PyTorch keeps the first $k$)",
        [prove(r"the gradient convolution's output length is PyTorch's, for every kernel size $\kappa \ge 1$",
               variables + (K,), ranges + (sympy.Ge(K, 1, evaluate=False),),
               sympy.Eq(F.conv_output_size(n, K, s_g, pl_g, pr_g, d_g), written(K), evaluate=False),
               shown=sympy.Eq(N.conv_output_size(n, K, s_g, pl_g, pr_g, d_g), written(K), evaluate=False)),
         prove(r"the gradient convolution has at least $k$ outputs", variables, ranges,
               sympy.Ge(written(n_out), k, evaluate=False),
               shown=sympy.Ge(written(n_out_name), k, evaluate=False))],
        name="enough outputs")
    statement = "\n".join([
        r"Let $n, k, s, d, p_{l}, p_{r}$ be integers satisfying the hypotheses",
        range_object.itemized(),
        r"let $x \in \mathbb{R}^{n}$ be the input of the convolution $y = M(w) x$ with kernel "
        rf"$w \in \mathbb{{R}}^{{k}}$, stride $s$, padding $(p_{{l}}, p_{{r}})$ and dilation $d$, whose "
        rf"${tex(n_out_name)}$ outputs are $y[i] = \sum_{{m=0}}^{{k-1}} w[m]\, \tilde x[s i + d m - p_{{l}}]$, with "
        r"$\tilde x$ the input padded by $p_{l}$ and $p_{r}$ zeros; " + LOSS + r", and "
        r"$\delta = \partial \ell/\partial y \in \mathbb{R}^{n_{\mathrm{out}}}$. Then for every tap $0 \le m < k$,",
        r"\[ \frac{\partial \ell}{\partial w[m]} = \sum_{i=0}^{n_{\mathrm{out}} - 1} \delta[i]\, "
        r"\tilde x[s i + d m - p_{l}] = \operatorname{conv}_{\delta}(x)[m], \]",
        r"the sum over the output positions $i$, where $\operatorname{conv}_{\delta}(x)$ is the convolution of the "
        r"input $x$ with kernel $\delta$ (of size $n_{\mathrm{out}}$), stride $d$, dilation $s$ (stride and dilation "
        r"traded) and the layer's padding, $p_{l}$ on the left and $p_{r}$ on the right, so that it reads the same "
        r"$\tilde x$. That convolution has",
        rf"\[ {tex(written(n_out_name))} \ge k \]",
        r"outputs, and the weight gradient is the first $k$ of them.",
    ])
    return Proof("Weight gradient (1-D, one channel, all sizes)", statement,
                 (s1, s2, s3), assumptions=ranges,
                 conclusion=r"$\partial \ell/\partial w$ is a convolution, with stride and dilation traded.",
                 data=dict(grad=grad, ranges=range_object, formulas=F))
