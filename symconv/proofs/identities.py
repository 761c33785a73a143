"""Identities around the transpose: adjoint, gradient, and output-size arithmetic."""

from __future__ import annotations

import collections
import dataclasses
import itertools
import math
import re
from typing import Any

import numpy as np
import sympy

from .. import formulas as F
from ..errors import SizeLimitError, SpecTypeError
from ..kernels import check_name, flat_entries, kernel_symbols
from ..matrices import transposed_conv_matrix
from ..numeric import conv, conv_transpose
from ..spec import ConvSpec, TransposedConvSpec
from .anchors import convention_step
from .core import Proof, Step, floor_split, identity_check
from .evaluate import Inner, compile_expr
from .guard import guarded, started
from .instance import _layer_step, _shape_words

__all__ = ["prove_adjoint", "prove_gradient", "prove_size_relations", "SYMBOLIC_LIMIT"]

SYMBOLIC_LIMIT = 4096
"""Largest number of symbolic input plus output entries the polynomial identities accept."""


def _layers(spec: Any, input_shape: Any) -> tuple[TransposedConvSpec, tuple[int, ...]]:
    if isinstance(spec, ConvSpec):
        shape = spec.check_input_shape(input_shape)
        started()
        return spec.transpose(shape), spec.output_shape(shape)
    if isinstance(spec, TransposedConvSpec):
        shape = spec.check_input_shape(input_shape)
        started()
        return spec, shape
    raise SpecTypeError(f"spec must be a ConvSpec or TransposedConvSpec, got {type(spec).__name__}")


def _tensor(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Symbols ``name_{c,i,...}`` for a (channels, spatial...) shape; with one channel, no channel index."""
    drop = 1 if shape and shape[0] == 1 else 0  # x in R^5, not R^{1 x 5}: its entries are x_0, ..., x_4
    flat = [sympy.Symbol(f"{name}_{{{','.join(map(str, idx[drop:]))}}}", real=True) for idx in np.ndindex(*shape)]
    return np.array(flat, dtype=object).reshape(shape)


def _limit(count: int) -> None:
    if count > SYMBOLIC_LIMIT:
        raise SizeLimitError(
            f"the polynomial identity needs {count} symbolic entries, over SYMBOLIC_LIMIT={SYMBOLIC_LIMIT}; "
            "use a smaller input_shape (the identity does not depend on the size: see prove_transpose_general)"
        )


@guarded("Adjoint identity")
def prove_adjoint(spec: ConvSpec | TransposedConvSpec, input_shape: Any, *, name: str = "w") -> Proof:
    """``<S conv(x), y> = <x, conv_transpose(y)>`` as an exact polynomial identity in symbolic x, y and w.

    Both layers are evaluated by their numeric definitions (:mod:`symconv.numeric`) on symbolic arrays, S
    keeps the convolution's first ``n_in`` outputs per axis (the exact form of the dot test), and the
    convention step first pins those definitions to PyTorch's written ones.

    Parameters
    ----------
    spec : ConvSpec or TransposedConvSpec
        The layer: a convolution (and its transpose on its output) or a transposed convolution.
    input_shape : tuple of int
        The spatial input shape of ``spec``.
    name : str
        The kernel symbols' name.

    Returns
    -------
    Proof
        ``holds`` is True when the two sides expand to the same polynomial.

    Raises
    ------
    SpecTypeError
        When ``spec`` is neither a ConvSpec nor a TransposedConvSpec, or ``name`` is not a string.
    SpecError, ShapeError, SizeLimitError
        For a name that is not a plain identifier, an input shape the layer cannot take, or a layer over the
        size bounds (see :mod:`symconv.proofs`).

    Examples
    --------
    >>> from symconv import ConvSpec
    >>> prove_adjoint(ConvSpec(3, stride=2, padding=1), (5,)).holds
    True
    """
    check_name(name)
    tspec, t_in = _layers(spec, input_shape)
    layer: tuple[Step, ...] = ((_layer_step(spec, spec.check_input_shape(input_shape), tspec, t_in),)
                               if isinstance(spec, ConvSpec) else ())
    layer += (convention_step(tspec, t_in),)
    if not layer[-1].holds:  # the identity rests on the definitions: a wrong one ends the proof here
        return Proof("Adjoint identity", "The definitions of this layer are not PyTorch's.", layer,
                     data=dict(tspec=tspec))
    n_t = tspec.output_shape(t_in)
    conv_spec = tspec.transpose()
    _limit(conv_spec.in_channels * math.prod(n_t) + tspec.in_channels * math.prod(t_in))
    w = np.array(flat_entries(kernel_symbols(tspec, name)), dtype=object).reshape(tspec.weight_shape)
    x = _tensor("x", (conv_spec.in_channels,) + n_t)
    y = _tensor("y", (tspec.in_channels,) + t_in)
    # both sides by the numeric definitions (slices, no index structure): conv and conv_transpose on symbols
    Mx = conv(conv_spec, w, x)
    SMx = Mx[(slice(None),) + tuple(slice(0, n) for n in t_in)]
    if SMx.shape != y.shape:  # the layers do not fit together: a failed identity, not an error
        step = Step(sympy.Symbol("S M x"), sympy.Symbol("y"), "the selected convolution output and the transposed "
                    "layer's input must have one shape", "arithmetic", False,
                    f"S M x has shape {SMx.shape}, y has shape {y.shape}", name="adjoint")
        return Proof("Adjoint identity", "The layers do not fit together.", layer + (step,), data=dict(tspec=tspec))
    left = sympy.expand(sympy.Add(*(SMx * y).ravel()))
    right = sympy.expand(sympy.Add(*(x * conv_transpose(tspec, w, y)).ravel()))
    ok = sympy.expand(left - right) == 0
    # the monomial counts are the proof's own paragraph (the expanded sides, from data): not repeated here
    detail = ("expanded, the two sides have the same monomials with the same coefficients" if ok else
              f"the difference has {len(sympy.Add.make_args(sympy.expand(left - right)))} monomials")
    sel = "" if tuple(conv_spec.output_shape(n_t)) == tuple(t_in) else "S "  # no S when it is the identity
    step = Step(Inner(_Layer(sel + "\\operatorname{conv}(x)"), _Layer("y")),
                Inner(_Layer("x"), _Layer("\\operatorname{conv}^{\\top}(y)")),
                rf"the dot test holds exactly: $\langle {sel}\operatorname{{conv}}(x), y\rangle = "
                r"\langle x, \operatorname{conv}^{\top}(y)\rangle$ as polynomials in the entries of $x$, $y$ and $w$, "
                r"both layers as the Conventions define them",
                "polynomial identity", ok, detail, name="adjoint")

    # the expanded sides, shown before the proof, write the entries as subscripted symbols: the theorem says so
    statement = (_adjoint_statement(tspec, t_in, n_t, conv_spec, isinstance(spec, ConvSpec)) + " "
                 + _entries_text(tspec, name))
    return Proof("Adjoint identity", statement, layer + (step,), notes=(_adjoint_argument(conv_spec, sel),),
                 conclusion=rf"$\operatorname{{conv}}^{{\top}}$ is the adjoint of "
                                             rf"${sel}\operatorname{{conv}}$.",
                 data=dict(left=left, right=right, tspec=tspec))


class _Layer(sympy.Symbol):
    """A layer applied to its input, as one symbol typeset verbatim (``\\operatorname{conv}(x)``)."""

    def _latex(self, printer: Any) -> str:
        return self.name


def _space(channels: int, shape: tuple[int, ...]) -> str:
    """``\\mathbb{R}^{5}`` or ``\\mathbb{R}^{2 \\times 4 \\times 4}`` (channels first, one kept only when above 1)."""
    dims = ((channels,) if channels > 1 else ()) + tuple(shape)
    return r"\mathbb{R}^{" + r" \times ".join(str(v) for v in dims) + "}"


def _adjoint_statement(tspec: Any, t_in: tuple[int, ...], n_t: tuple[int, ...], conv_spec: Any,
                       given_conv: bool = False) -> str:
    """The adjoint theorem: both layers written out with their index ranges, S and the inner product defined.

    The layer the user gave is named first (``given_conv``: the convolution, whose transpose is studied).
    """
    from ..latex.printing import layer_text

    n_out = tuple(conv_spec.output_shape(n_t))
    one_d, channels = len(t_in) == 1, _channels(conv_spec)
    axes = "" if one_d else " (on each axis, with that axis's parameters; $i$, $j$ and $m$ are tuples)"
    if channels:
        c_i, c_o = conv_spec.in_channels // conv_spec.groups, conv_spec.out_channels // conv_spec.groups
        groups = (rf"With $c_i = {c_i}$ and $c_o = {c_o}$ the convolution's input and output channels per group "
                  r"(the transposed layer's $C_{\mathrm{out}}/g$ and $C_{\mathrm{in}}/g$), ")
        conv_def = (r"$\operatorname{conv}(x)[o, i] = \sum_{c_l=0}^{c_i - 1} \sum_{m} w[o, c_l, m]\, "
                    r"\tilde x[\gamma c_i + c_l, s i + d m - p_{l}]$, where $\gamma = \lfloor o / c_o \rfloor$ is "
                    r"the group of the output channel $o$,")
        tconv_def = (r"$\operatorname{conv}^{\top}(y)[c, j] = \sum_{o \,:\, \lfloor o / c_o \rfloor = \gamma} "
                     r"\sum_{i} \sum_{m} w[o, c - \gamma c_i, m]\, y[o, i]\, [j = s i + d m - p_{l}]$, where "
                     r"$\gamma = \lfloor c / c_i \rfloor$ is the group of the channel $c$, the sum over the "
                     r"output channels $o$ of group $\gamma$, the positions $i$ of $y$ and the taps $m$,")
        inner = r"$\langle u, v\rangle = \sum_{c, i} u[c, i]\, v[c, i]$, over all channels and positions"
    else:
        conv_def = r"$\operatorname{conv}(x)[i] = \sum_{m=0}^{k-1} w[m]\, \tilde x[s i + d m - p_{l}]$"
        tconv_def = (r"$\operatorname{conv}^{\top}(y)[j] = \sum_{i=0}^{n_{\mathrm{in}} - 1} \sum_{m=0}^{k-1} "
                     r"w[m]\, y[i]\, [j = s i + d m - p_{l}]$")
        inner = r"$\langle u, v\rangle = \sum_{i} u[i]\, v[i]$"
        groups = ""
    ranges_out = " and ".join(f"$0 \\le i{'' if one_d else f'_{{{a + 1}}}'} < {n}$" for a, n in enumerate(n_out))
    ranges_t = " and ".join(f"$0 \\le j{'' if one_d else f'_{{{a + 1}}}'} < {n}$" for a, n in enumerate(n_t))
    x_space = _space(conv_spec.in_channels, n_t)
    y_space = _space(tspec.in_channels, t_in)
    identity = tuple(n_out) == tuple(t_in)  # the convolution's output has the shape of y: no selection
    sel = "" if identity else "S "
    selection = "" if identity else (
        rf"; and let $S$ keep the outputs of $\operatorname{{conv}}$ at the positions {_below(t_in)} "
        r"(the convolution has more outputs than the transposed convolution has inputs: $a \ge s$)")
    if given_conv:
        layers = (rf"Let $\operatorname{{conv}}$ be the convolution {layer_text(conv_spec)} on inputs "
                  rf"$x \in {x_space}$, and $\operatorname{{conv}}^{{\top}}$ its transpose, the transposed "
                  rf"convolution {layer_text(tspec)} with the same weight $w$ on inputs $y \in {y_space}$, with "
                  rf"outputs {_shape_words(n_t)}, as in the Conventions{axes}")
    else:
        layers = (rf"Let $\operatorname{{conv}}^{{\top}}$ be the transposed convolution {layer_text(tspec)} on inputs "
                  rf"$y \in {y_space}$, with outputs {_shape_words(n_t)}, and $\operatorname{{conv}}$ the convolution "
                  r"with the same weight $w$, kernel size, stride, padding, dilation and groups (channel counts "
                  rf"exchanged) on inputs $x \in {x_space}$, as in the Conventions{axes}")
    return (layers + (f". {groups}" if groups else ": ")
            + rf"{conv_def} for {ranges_out}, with $\tilde x$ the input padded with zeros, and "
            rf"{tconv_def} for {ranges_t}{selection}. With the inner product {inner}, "
            rf"$\langle {sel}\operatorname{{conv}}(x), y\rangle = \langle x, \operatorname{{conv}}^{{\top}}(y)\rangle$ "
            r"for all inputs $x$, $y$ and all weights $w$.")


def _entries_text(tspec: Any, name: str) -> str:
    """What the subscripted symbols of the expanded identity stand for (LaTeX text)."""
    axes = len(tspec.kernel_size)

    def sub(channel: str, v: str) -> str:
        return (f"{channel}, " if channel else "") + (v if axes == 1 else ", ".join(f"{v}_{{{a + 1}}}"
                                                                                    for a in range(axes)))
    x_c = "c" if tspec.out_channels > 1 else ""
    y_c = "o" if tspec.in_channels > 1 else ""
    w_c = "o, c_{l}" if tspec.weight_shape[0] * tspec.weight_shape[1] > 1 else ""
    text = ", ".join(rf"${v}_{{{sub(c, i).replace(' ', '')}}}$ for ${v}[{sub(c, i)}]$" for v, c, i in
                     (("x", x_c, "j"), ("y", y_c, "i"), (name, w_c, "m")))
    return (r"The expanded sides write the entries as subscripted symbols: " + text
            + (" (a single channel's index is left out)" if not (x_c and y_c and w_c) else "") + ".")


def _channels(conv_spec: Any) -> bool:
    """Whether the layer has channel indices to write (several channels or groups)."""
    return conv_spec.in_channels > 1 or conv_spec.out_channels > 1 or conv_spec.groups > 1


def _adjoint_argument(conv_spec: Any, sel: str) -> str:
    r"""The two-line argument of the adjoint identity, for the proof (LaTeX text).

    Expand the left side by the definition of conv, exchange the finite sums, and write the padded input as
    a sum over the input's positions, :math:`\tilde x[c, \xi] = \sum_j x[c, j]\, [j = \xi]`: what multiplies
    ``x[c, j]`` is conv^T's formula.
    """
    if _channels(conv_spec):
        left = (r"\langle " + sel + r"\operatorname{conv}(x), y\rangle &= \sum_{o, i} y[o, i] \sum_{c_l, m} "
                r"w[o, c_l, m]\, \tilde x[\gamma c_i + c_l, s i + d m - p_{l}] \\")
        right = (r"&= \sum_{c, j} x[c, j] \sum_{o \,:\, \lfloor o / c_o \rfloor = \gamma} \sum_{i, m} "
                 r"w[o, c - \gamma c_i, m]\, y[o, i]\, [j = s i + d m - p_{l}] \\ "
                 r"&= \sum_{c, j} x[c, j]\, \operatorname{conv}^{\top}(y)[c, j]")
        how = (r"exchanging the sums over $(o, i, c_l, m)$ and writing the channel $\gamma c_i + c_l$ as $c$, with "
               r"$\gamma = \lfloor c / c_i \rfloor$ the group of $c$ and of every $o$ that reads it, and "
               r"$\tilde x[c, \xi] = \sum_j x[c, j]\, [j = \xi]$ (the padding is zero)")
    else:
        left = (r"\langle " + sel + r"\operatorname{conv}(x), y\rangle &= \sum_{i} y[i] \sum_{m} w[m]\, "
                r"\tilde x[s i + d m - p_{l}] \\")
        right = (r"&= \sum_{j} x[j] \sum_{i, m} w[m]\, y[i]\, [j = s i + d m - p_{l}] \\ "
                 r"&= \sum_{j} x[j]\, \operatorname{conv}^{\top}(y)[j]")
        how = (r"exchanging the sums over $(i, m)$ and re-indexing through $\tilde x[\xi] = \sum_j x[j]\, [j = \xi]$ "
               r"(the padding is zero)")
    return (r"The identity of the last line is the computation \begin{align*} " + left + " " + right
            + r" = \langle x, \operatorname{conv}^{\top}(y)\rangle, \end{align*} the sums over $i$ running over "
            r"the positions of $y$ and those over $j$ over the positions of $x$; the second line is the first after "
            + how + r", and the third is the definition of $\operatorname{conv}^{\top}$. Its check, the "
            r"polynomial identity of the last lemma, is the evidence that these manipulations are right for this "
            r"layer.")


@guarded("Gradient identity")
def prove_gradient(spec: ConvSpec, input_shape: Any, *, name: str = "w") -> Proof:
    """``dL/dx = T dL/dy`` for ``y = conv(x)`` and ``L = sum (y - t)^2 / 2``, by sympy differentiation.

    y is computed by the numeric definition on symbolic arrays (not by the matrix);
    T is the transposed convolution ``spec.transpose(input_shape)``.

    Parameters
    ----------
    spec : ConvSpec
        The convolution (a transposed layer is refused).
    input_shape : tuple of int
        Its spatial input shape.
    name : str
        The kernel symbols' name.

    Returns
    -------
    Proof
        ``holds`` is True when sympy's gradient equals ``T dL/dy`` entry by entry.

    Raises
    ------
    SpecTypeError
        When ``spec`` is not a ConvSpec (the gradient is that of the convolution), or ``name`` is not a string.
    SpecError, ShapeError, SizeLimitError
        For a name that is not a plain identifier, an input shape the layer cannot take, or a layer over the
        size bounds (see :mod:`symconv.proofs`).

    Examples
    --------
    >>> from symconv import ConvSpec
    >>> prove_gradient(ConvSpec(2, stride=2), (4,)).holds
    True
    """
    if not isinstance(spec, ConvSpec):
        raise SpecTypeError(f"spec must be a ConvSpec, got {type(spec).__name__}")
    check_name(name)
    shape = spec.check_input_shape(input_shape)
    started()
    tspec = spec.transpose(shape)
    out = spec.output_shape(shape)
    # the definitions this identity rests on: the transposed layer is the given convolution's, and both numeric
    # definitions are PyTorch's written ones
    layer = (_layer_step(spec, shape, tspec, out), convention_step(tspec, out))
    if not layer[-1].holds:  # the identity rests on the definitions: a wrong one ends the proof here
        return Proof("Gradient identity", "The definitions of this layer are not PyTorch's.", layer)
    _limit(spec.in_channels * math.prod(shape) + spec.out_channels * math.prod(out))
    w = kernel_symbols(spec, name)
    x = _tensor("x", (spec.in_channels,) + shape)
    target = _tensor("t", (spec.out_channels,) + out)
    free_y = _tensor("y", (spec.out_channels,) + out)  # y as an independent variable
    loss_y = sympy.Add(*((free_y - target) ** 2).ravel()) / 2
    grad_y = np.array([sympy.diff(loss_y, v) for v in free_y.ravel()], dtype=object).reshape(free_y.shape)
    ok_y, det_y = identity_check(sympy.Add(*((grad_y - (free_y - target)) ** 2).ravel()), 0)
    y = conv(spec, np.array(w.tolist(), dtype=object), x)  # the definition, not the matrix
    loss = sympy.Add(*((y - target) ** 2).ravel()) / 2
    grad_x = [sympy.diff(loss, v) for v in x.ravel()]
    at_y = dict(zip(free_y.ravel(), y.ravel()))
    T = transposed_conv_matrix(tspec, w, out)
    back = T.matvec(np.array([g.subs(at_y) for g in grad_y.ravel()], dtype=object).reshape(y.shape))
    diff = [sympy.expand(a - b) for a, b in zip(grad_x, back.ravel())]
    ok = len(grad_x) == back.size and all(v == 0 for v in diff)
    residual = free_y - target  # y - y* with y free: T applied to it, and the transposed convolution of it
    applied = T.matvec(residual).ravel()
    substituted = [sympy.expand(a - b) for a, b in zip(T.matvec(grad_y).ravel(), applied)]
    ok_sub = all(v == 0 for v in substituted)
    conv_t = np.asarray(conv_transpose(tspec, np.array(w.tolist(), dtype=object), residual), dtype=object).ravel()
    ok_t = len(conv_t) == len(applied) and all(sympy.expand(a - b) == 0 for a, b in zip(applied, conv_t))
    if ok:
        detail = f"all {len(diff)} partial derivatives agree after expansion"
    elif len(grad_x) != back.size:
        detail = f"the gradient has {len(grad_x)} entries, the transposed convolution gives {back.size}"
    else:
        detail = f"the partial derivatives differ at input entry {next(n for n, v in enumerate(diff) if v != 0)}"
    from ..latex.printing import layer_text  # the statement names the layer by its parameters

    L, y_, t_ = sympy.symbols(r"\ell y y^{\ast}")
    T_ = sympy.Symbol("T", commutative=False)
    steps = (
        Step(_Partial(L, y_), y_ - t_, r"$\partial \ell / \partial y = y - y^{\ast}$: the loss $\ell$, differentiated "
             r"entry by entry with $y$ as an independent variable, has the gradient $y - y^{\ast}$",
             "polynomial identity", ok_y, "" if ok_y else "the derivative is not y - y*", name="loss gradient"),
        Step(_Partial(L, sympy.Symbol("x")), T_ * _Partial(L, y_),
             r"$\partial \ell / \partial x = T\, \partial \ell / \partial y$: for $y = \operatorname{conv}(x)$, the "
             r"convolution of the Conventions, each partial derivative of $\ell$ with respect to an entry of $x$ "
             r"equals the entry of $T\, \partial \ell / \partial y$, as polynomials in the entries of $x$, $w$ and "
             r"$y^{\ast}$",
             "polynomial identity", ok, detail, name="backward"),
        Step(T_ * _Partial(L, y_), T_ * (y_ - t_),
             r"$T\, \partial \ell / \partial y = T (y - y^{\ast})$: by the loss gradient lemma, $T$ applied to "
             r"$\partial \ell / \partial y$ and $T$ applied to $y - y^{\ast}$ agree entry by entry, as polynomials "
             r"in the entries of $w$, $y$ and $y^{\ast}$",
             "polynomial identity", ok_sub, "" if ok_sub else "T applied to the two sides differs",
             name="loss gradient substituted"),
        Step(T_ * (y_ - t_), sympy.Symbol(r"\operatorname{conv}^{\top}(y - y^{\ast})"),
             r"$T (y - y^{\ast}) = \operatorname{conv}^{\top}(y - y^{\ast})$: $T$, built from the transposed "
             r"convolution's own index equation, applied to $y - y^{\ast}$ equals the transposed convolution of the "
             r"Conventions, evaluated on $y - y^{\ast}$ with the same weight $w$, as polynomials in the entries of "
             r"$w$, $y$ and $y^{\ast}$",
             "polynomial identity", ok_t, "" if ok_t else "T (y - y*) differs from the transposed convolution of y - y*",
             name="the transposed convolution"),
    )
    y_space = _space(spec.out_channels, out)
    over = r"\sum_{c, i}" if spec.out_channels > 1 else r"\sum_{i}"
    entry = "[c, i]" if spec.out_channels > 1 else "[i]"
    where = ("the channels $c$ and positions $i$" if spec.out_channels > 1 else "the positions $i$")
    statement = (rf"Let $\operatorname{{conv}}$ be the convolution {layer_text(spec)} on inputs "
                 rf"$x \in {_space(spec.in_channels, shape)}$, $M$ its matrix ($M x = \operatorname{{conv}}(x)$), and "
                 r"$T = T(w)$ the matrix of its transposed convolution $\operatorname{conv}^{\top}$ (the same weight "
                 r"$w$, kernel size, stride, padding and dilation, and the output padding that restores the input "
                 rf"shape). For every input $x$, weight $w$ and target $y^{{\ast}} \in {y_space}$, the shape of the "
                 rf"output $y = \operatorname{{conv}}(x)$, let $\ell = \frac{{1}}{{2}} {over} (y{entry} - "
                 rf"y^{{\ast}}{entry})^2$, the sum over {where} of $y$. Then "
                 r"\[ \frac{\partial \ell}{\partial x} = T\, \frac{\partial \ell}{\partial y} "
                 r"= \operatorname{conv}^{\top}(y - y^{\ast}). \]")
    argument = (r"By the chain rule through $y = M x$, "
                r"\[ \frac{\partial \ell}{\partial x[j]} = \sum_{i} \frac{\partial y[i]}{\partial x[j]}\, "
                r"\frac{\partial \ell}{\partial y[i]} = \sum_{i} M[i, j]\, \frac{\partial \ell}{\partial y[i]}, "
                r"\quad\text{that is,}\quad \frac{\partial \ell}{\partial x} = M^{\top} \frac{\partial \ell}{\partial y} "
                r"= M^{\top} (y - y^{\ast}), \] "
                r"so the theorem says $M^{\top} = T$: the transposed convolution's matrix is the transpose of the "
                r"convolution's. The backward lemma with the loss gradient checks $\partial \ell / \partial x = T (y - y^{\ast})$ as a "
                r"polynomial identity in the entries of $x$, $w$ and $y^{\ast}$; as it holds for every $y^{\ast}$, "
                r"comparing the coefficients of the entries of $y^{\ast}$ gives $M^{\top} = T$ for this layer.")
    return Proof("Gradient identity", statement, layer + steps, notes=(argument,),
                 conclusion="backpropagation through a convolution is its transposed convolution.")


class _Partial(sympy.Function):
    r"""The partial derivative :math:`\partial a / \partial b` (unevaluated, for display)."""

    nargs = 2
    is_commutative = False

    def _latex(self, printer):
        return rf"\frac{{\partial {printer._print(self.args[0])}}}{{\partial {printer._print(self.args[1])}}}"

    def _sympystr(self, printer):
        return f"d{printer._print(self.args[0])}/d{printer._print(self.args[1])}"


# -- output-size arithmetic -------------------------------------------------

_pos = dict(integer=True, positive=True)
I_, K_, S_, IP = (sympy.Symbol(name, **_pos) for name in ("n", "k", "s", "n'"))
P_ = sympy.Symbol("p", integer=True, nonnegative=True)
D_ = sympy.Symbol("d", **_pos)
N_ = sympy.Symbol("h", integer=True, nonnegative=True)
Q_ = sympy.Symbol("q", integer=True, nonnegative=True)
R_ = sympy.Symbol("r", integer=True, nonnegative=True)
B_ = sympy.Symbol("b", integer=True)  # the quotient of the round trip (q is that of relationships 12 and 13)
C_ = Q_  # the multiple of the stride in relationships 12 and 13 (a quotient by s, as in the round trip)


def _o(i_, k_, s_, p_, d_=1):
    return F.conv_output_size(i_, k_, s_, p_, p_, d_)


def _ot(i_, k_, s_, p_, a_, d_=1):
    return F.transposed_output_size(i_, k_, s_, p_, p_, d_, a_)


def _formula(name: str) -> type:
    """An unevaluated application of a function of :mod:`symconv.formulas`, printed with its name on the page."""
    tex = F.LATEX_NAMES[name]

    def _latex(self, printer):
        return tex + r"\left(" + ", ".join(printer._print(a) for a in self.args) + r"\right)"

    def _sympystr(self, printer):
        return f"{name}({', '.join(printer._print(a) for a in self.args)})"

    return type(f"formula_{name}", (sympy.Function,), {"_latex": _latex, "_sympystr": _sympystr})


def _below(shape: tuple[int, ...]) -> str:
    """The output positions of a leading block, ``$i < 3$`` or ``$i_{1} < 3$ and $i_{2} < 4$`` (LaTeX text)."""
    if len(shape) == 1:
        return f"$i < {shape[0]}$"
    first = ", ".join(f"$i_{{{a + 1}}} < {n}$" for a, n in enumerate(shape[:-1]))
    return first + f" and $i_{{{len(shape)}}} < {shape[-1]}$"


_NOUT, _NT = _formula("conv_output_size"), _formula("transposed_output_size")
PP = sympy.Symbol("p'")  # the guide's p' = p'_l(k, p, 1), named in the display of 13 (its value is applied)
_LEFT, _ART, _NZ0 = _formula("gather_padding_left"), _formula("output_padding_for"), _formula("zero_inserted_size")


def _relations() -> list[tuple[Any, ...]]:
    """(number, setting as LaTeX text, the formula applied (unevaluated), its value by symconv's formulas, the guide's formula)."""
    k_odd = 2 * N_ + 1
    A_ = sympy.Symbol("a", integer=True, nonnegative=True)
    rows = [
        (1, "$s = 1$, $p = 0$", (I_, K_, 1, 0), (I_ - K_) + 1),
        (2, "$s = 1$", (I_, K_, 1, P_), (I_ - K_) + 2 * P_ + 1),
        (3, r"half padding: $k = 2h+1$, $s = 1$, $p = \lfloor k/2 \rfloor = h$", (I_, k_odd, 1, sympy.floor(k_odd / 2)), I_),
        (4, "full padding: $s = 1$, $p = k - 1$", (I_, K_, 1, K_ - 1), I_ + (K_ - 1)),
        (5, "$p = 0$; relationship 7 is the same formula for pooling with window $k$ and stride $s$, since a "
            "pooling window slides exactly like an unpadded kernel (only the reduction differs)", (I_, K_, S_, 0),
         sympy.floor((I_ - K_) / S_) + 1),
        (6, "the general case", (I_, K_, S_, P_), sympy.floor((I_ + 2 * P_ - K_) / S_) + 1),
        (15, "dilation $d$", (I_, K_, S_, P_, D_), sympy.floor((I_ + 2 * P_ - K_ - (K_ - 1) * (D_ - 1)) / S_) + 1),
    ]
    out: list[tuple[Any, ...]] = []
    for num, setting, args, guide in rows:
        i_, k_, s_, p_ = args[:4]
        d_ = args[4] if len(args) > 4 else 1
        out.append((num, setting, _NOUT(i_, k_, s_, p_, p_, d_), _o(*args), guide))
    out += [
        ("8", "transpose of $s = 1$, $p = 0$: the equivalent convolution has $k' = k$, $s' = 1$ and $p' = k - 1$",
         _LEFT(K_, 0, 1), F.gather_padding_left(K_, 0, 1), K_ - 1),
        (8, "transpose of $s = 1$, $p = 0$", _NT(IP, K_, 1, 0, 0, 1, 0), _ot(IP, K_, 1, 0, 0), IP + (K_ - 1)),
        ("9", "transpose of $s = 1$ with padding $p$: $p' = k - p - 1$", _LEFT(K_, P_, 1),
         F.gather_padding_left(K_, P_, 1), K_ - P_ - 1),
        (9, "transpose of $s = 1$ with padding $p$", _NT(IP, K_, 1, P_, P_, 1, 0), _ot(IP, K_, 1, P_, 0),
         IP + (K_ - 1) - 2 * P_),
        ("10", "transpose of half padding: $p' = p$", _LEFT(k_odd, N_, 1), F.gather_padding_left(k_odd, N_, 1), N_),
        (10, "transpose of half padding ($k = 2h+1$, $p = h$)", _NT(IP, k_odd, 1, N_, N_, 1, 0),
         _ot(IP, k_odd, 1, N_, 0), IP),
        ("11", "transpose of full padding: $p' = 0$", _LEFT(K_, K_ - 1, 1), F.gather_padding_left(K_, K_ - 1, 1), 0),
        (11, "transpose of full padding ($p = k - 1$)", _NT(IP, K_, 1, K_ - 1, K_ - 1, 1, 0),
         _ot(IP, K_, 1, K_ - 1, 0), IP - (K_ - 1)),
        ("12", r"$p = 0$ and $s \mid (n - k)$, that is $n = k + s q$: no extra zeros", _ART(K_ + S_ * C_, K_, S_, 0, 0, 1),
         F.output_padding_for(K_ + S_ * C_, K_, S_, 0, 0, 1), 0),
        ("12", r"$p = 0$ and $n = k + s q$: the transposed layer's input is the convolution's output, "
               r"$n' = n_{\mathrm{out}}(n, k, s, 0, 0, 1) = q + 1$", _NOUT(K_ + S_ * C_, K_, S_, 0, 0, 1),
         _o(K_ + S_ * C_, K_, S_, 0), C_ + 1),
        ("12", r"the length of the input stretched by $s - 1$ zeros between units (the definition of "
               r"$n_{z_0}$)", _NZ0(IP, S_),
         F.zero_inserted_size(IP, S_), S_ * (IP - 1) + 1),
        (12, r"$p = 0$: $s' = 1$ and $p' = k - 1$ on the stretched input, of $n_{z_0}(n', s)$ entries; with "
             r"$n' = q + 1$ (12b), $s (n' - 1) + k = s q + k = n$, the convolution's input size",
         _NOUT(_NZ0(IP, S_), K_, 1, K_ - 1, K_ - 1, 1), _o(F.zero_inserted_size(IP, S_), K_, 1, K_ - 1), S_ * (IP - 1) + K_),
        ("13", r"$s \mid (n + 2p - k)$, that is $n = k - 2p + s q$: no extra zeros",
         _ART(K_ - 2 * P_ + S_ * C_, K_, S_, P_, P_, 1), F.output_padding_for(K_ - 2 * P_ + S_ * C_, K_, S_, P_, P_, 1), 0),
        ("13", r"$n = k - 2p + s q$: the transposed layer's input is the convolution's output, "
               r"$n' = n_{\mathrm{out}}(n, k, s, p, p, 1) = q + 1$", _NOUT(K_ - 2 * P_ + S_ * C_, K_, S_, P_, P_, 1),
         _o(K_ - 2 * P_ + S_ * C_, K_, S_, P_), C_ + 1),
        (13, r"$s' = 1$ and $p' = p'_{l}(k, p, 1) = k - p - 1$ (relationship 9a) on the stretched input, of "
             r"$n_{z_0}(n', s)$ entries; with $n' = q + 1$ (13b), $s (n' - 1) + k - 2p = s q + k - 2p = n$, the "
             r"convolution's input size",
         _NOUT(_NZ0(IP, S_), K_, 1, PP, PP, 1),
         _o(F.zero_inserted_size(IP, S_), K_, 1, F.gather_padding_left(K_, P_, 1)), S_ * (IP - 1) + K_ - 2 * P_),
        ("14", r"$a = (n + 2p - k) \bmod s$, the $d = 1$ case of PyTorch's output padding (the definition of "
               r"$a_{\mathrm{rt}}$ at $d = 1$)", _ART(I_, K_, S_, P_, P_, 1),
         F.output_padding_for(I_, K_, S_, P_, P_, 1), sympy.Mod(I_ + 2 * P_ - K_, S_)),
        (14, "the general case, adding $a$ zeros at the bottom and right", _NT(IP, K_, S_, P_, P_, 1, A_),
         _ot(IP, K_, S_, P_, A_), S_ * (IP - 1) + A_ + K_ - 2 * P_),
    ]
    out.sort(key=lambda row: int(row[0]))
    count = collections.Counter(int(row[0]) for row in out)
    seen: collections.Counter = collections.Counter()
    labelled = []
    for number, *rest in out:  # one label per line: 8a, 8b for a relationship proved in several lines
        n = int(number)
        seen[n] += 1
        labelled.append((f"{n}{'abcd'[seen[n] - 1]}" if count[n] > 1 else str(n), *rest))
    return labelled


def _reduction_detail(shown: Any, derived: Any, guide: Any) -> str:
    r"""How a floor or a remainder in a size relationship was closed, in words ('' for a polynomial identity).

    The expansion keeps ``floor(A/s)`` and ``A mod s`` whole; such a term cancels only against the same term of
    the other side.  Where the setting makes ``A/s`` an integer (``A = s q`` with ``q`` an integer, or ``s = 1``),
    the floor is that integer and the remainder is 0, by the integrality of the symbols.  The words say which
    (plain text, as a step's detail is).
    """
    from ..latex.printing import math_latex

    def plain(expr: Any) -> str:  # $n + 2 p - k$, typeset as the page's formulas are
        return f"${math_latex(expr)}$"

    def over(numer: Any, denom: Any) -> str:  # $\frac{n - k}{s}$, the quotient kept whole
        return rf"$\frac{{{math_latex(numer)}}}{{{math_latex(denom)}}}$"

    kinds = (sympy.floor, sympy.Mod)
    mine = {sympy.expand(a) for a in sympy.sympify(derived).atoms(*kinds)}
    theirs = {sympy.expand(a) for a in sympy.sympify(guide).atoms(*kinds)}
    if mine or theirs:
        if mine != theirs:
            return ""
        terms = " and ".join(
            f"the floor of {over(sympy.numer(sympy.together(t.args[0])), sympy.denom(sympy.together(t.args[0])))}"
            if t.func is sympy.floor else f"the remainder of {plain(t.args[0])} modulo {plain(t.args[1])}"
            for t in sorted(mine, key=str))
        return (f"both sides contain {terms}, whose argument is the same once expanded: it cancels as a whole, and "
                "the rest of the difference expands to 0")
    if getattr(shown, "func", None) not in (_NOUT, _ART):
        return ""
    n, k, s, p_l, p_r, d = (sympy.sympify(v).replace(_NZ0, F.zero_inserted_size).subs(PP, F.gather_padding_left(K_, P_, 1))
                            for v in shown.args)
    a = sympy.expand(n + p_l + p_r - d * (k - 1) - 1)
    what = "floor" if shown.func is _NOUT else "remainder"
    if s == 1:
        return (f"with stride 1 the {what} is of the integer {plain(a)} divided by 1, so it is "
                + (f"{plain(a)} itself" if what == "floor" else "0") + "; the difference then expands to 0")
    quotient = sympy.expand(a / s)
    if not quotient.is_integer:
        return ""
    if what == "floor":
        return (f"the argument of the floor is {over(a, S_)}, that is the integer {plain(quotient)}, so the floor "
                f"is {plain(quotient)}; the difference then expands to 0")
    return (f"the argument of the remainder modulo $s$ is {plain(a)}, $s$ times the integer {plain(quotient)}, so the "
            "remainder is 0")


def _round_trip_step() -> Step:
    """The transposed size of the convolution's size, with a = output_padding_for(...), is the input size."""
    pl, pr = sympy.Symbol("p_l", integer=True, nonnegative=True), sympy.Symbol("p_r", integer=True, nonnegative=True)
    n = I_
    o = F.conv_output_size(n, K_, S_, pl, pr, D_)
    a = F.output_padding_for(n, K_, S_, pl, pr, D_)
    trip = F.transposed_output_size(o, K_, S_, pl, pr, D_, a)
    # n + p_l + p_r - d(k-1) - 1 = q s + r with 0 <= r < s
    n_split = B_ * S_ + R_ - pl - pr + D_ * (K_ - 1) + 1
    reduced, _ = floor_split(trip.subs(n, n_split), R_, S_)
    ok, _ = identity_check(reduced, n_split)
    n_out, a_rt = sympy.Symbol(r"n_{\mathrm{out}}"), sympy.Symbol(r"a_{\mathrm{rt}}")
    shown = _NT(n_out, K_, S_, pl, pr, D_, a_rt)
    rule = (r"round trip: with $n_{\mathrm{out}}$ the convolution's output size $n_{\mathrm{out}}(n, k, s, p_l, p_r, d)$ "
            r"and the output padding that "
            r"PyTorch computes, $a_{\mathrm{rt}} = a_{\mathrm{rt}}(n, k, s, p_l, p_r, d) = (n + p_l + p_r - d(k-1) - 1) "
            r"\bmod s$ (relationship 14 is its $d = 1$, symmetric case). Writing "
            r"$n + p_l + p_r - d(k-1) - 1 = b s + r$ with integers $b$ and $0 \le r < s$, the floor of "
            r"$(b s + r)/s$ is $b$ and its remainder modulo $s$ is $r$, and the round trip expands to $n$")
    detail = (r"$n$ was replaced by $b s + r - p_{l} - p_{r} + d (k - 1) + 1$ with $b$ and $r$ integers; that "
              r"$r/s$ is at least 0 and below 1 was verified from $0 \le r \le s - 1$ and $s > 0$, so the floor of "
              r"$r/s$ was replaced by 0 and $r \bmod s$ by $r$ (the integer $b$ leaves "
              r"the floor and the remainder), after which the difference from $n$ expands to 0")
    return Step(shown, n, rule, "sympy", ok, detail if ok else "the reduced round trip does not expand to n",
                assumptions=(sympy.Le(0, R_, evaluate=False), sympy.Lt(R_, S_, evaluate=False)),
                name="general output padding"), trip


def _dilated_padding_step() -> tuple[Step, Any, Any]:
    """The gather padding with dilation: ``p'_l(k, p, d) = d(k-1) - p``."""
    guide = D_ * (K_ - 1) - P_
    derived = F.gather_padding_left(K_, P_, D_)
    ok, _ = identity_check(derived, guide)
    return Step(_LEFT(K_, P_, D_), guide,
                r"dilated transposed convolution (not in the guide): its gather view pads the stretched input by "
                r"$p'_{l}(k, p, d) = d (k - 1) - p$ on each side, the span $d (k - 1)$ of the dilated kernel less the "
                r"padding $p$: this is the definition of $p'_{l}$, at $p_{l} = p$", "sympy", ok, "" if ok else "the two sides differ",
                name="dilated gather padding"), derived, guide


def _dilated_transposed_step() -> tuple[Step, Any, Any]:
    """The dilated transposed size is the gather view's: stretched, padded by p'_l (and a), less the span."""
    a = sympy.Symbol("a", integer=True, nonnegative=True)
    lhs = F.transposed_output_size(IP, K_, S_, P_, P_, D_, a)
    gather = F.zero_inserted_size(IP, S_) + 2 * F.gather_padding_left(K_, P_, D_) + a - D_ * (K_ - 1)
    closed = S_ * (IP - 1) + D_ * (K_ - 1) + a + 1 - 2 * P_
    ok = identity_check(lhs, gather)[0] and identity_check(gather, closed)[0]
    shown = sympy.Add(_NZ0(IP, S_), sympy.Mul(2, _LEFT(K_, P_, D_), evaluate=False), a, -D_ * (K_ - 1),
                      evaluate=False)
    return Step(_NT(IP, K_, S_, P_, P_, D_, a), shown,
                r"dilated transposed convolution (not in the guide): its size is the output length of its gather "
                r"view, the stride-1 convolution with dilation $d$ on the stretched input of $n_{z_0}(n', s)$ "
                r"entries padded by $p'_{l}(k, p, d)$ on each side and $a$ more on the right, less the span "
                r"$d (k - 1)$ of the dilated kernel; both expand to $s (n' - 1) + d (k - 1) + a - 2p + 1$",
                "sympy", ok, "" if ok else "the two sides differ", name="dilated transposed"), lhs, gather


@guarded("Output-size relations")
def prove_size_relations(spot_checks: int = 50, seed: int = 0) -> Proof:
    """The 15 relationships of Dumoulin & Visin (arXiv:1603.07285), derived from symconv's formulas.

    Each is cited by its number: the step shows the formula of
    :mod:`symconv.formulas` applied to the guide's setting and the guide's
    formula; sympy expands the difference of the executed formula and the
    guide's to 0.  The general output-padding round trip and the dilated
    transposed size (absent from the guide) are proved too.  Every relation is
    spot-checked at random integers, the convolution sizes also against an
    independent count of window positions.

    Parameters
    ----------
    spot_checks : int
        Random integer settings each relation is also evaluated at.
    seed : int
        Seed of those settings.

    Returns
    -------
    Proof
        One step per relationship, cited by the guide's number.

    Raises
    ------
    SpecError
        For a bad number of spot checks.

    Examples
    --------
    >>> proof = prove_size_relations(spot_checks=3)
    >>> proof.holds
    True
    """
    started()  # no user input but the counts: whatever breaks from here is a finding
    steps = []
    rng = np.random.default_rng(seed)
    for number, setting, shown, derived, guide in _relations():
        ok, _ = identity_check(derived, guide)
        detail = _reduction_detail(shown, derived, guide) if ok else "symconv's formula and the guide's differ"
        named = "relationships 5 and 7" if number == "5" else f"relationship {number}"
        # the equation is the theorem's item and the proof's line: the lemma cites the item, not a third copy
        defined = re.search(r"\(the definition of [^)]*\)", setting)  # a relationship that is a definition
        rule = (f"the theorem's item ({number}), Dumoulin and Visin's {named}, holds in its setting" if number != "5"
                else f"Dumoulin and Visin's {named}, the theorem's item ({number}), hold in their setting")
        rule += f": it is {defined.group(0)[1:-1]}" if defined else ""
        step = Step(shown, guide, rule, "sympy", ok, detail, name=named)
        steps.append(_spot_sizes(step, derived, guide, rng, spot_checks, number in ("1", "2", "5", "6", "15")))
    trip_step, trip = _round_trip_step()
    steps.append(_spot_sizes(trip_step, trip, I_, rng, spot_checks, False))
    for dilated, lhs, rhs in (_dilated_padding_step(), _dilated_transposed_step()):
        steps.append(_spot_sizes(dilated, lhs, rhs, rng, spot_checks, False))
    from ..latex.printing import math_latex

    table = "\n".join(rf"\item[({number})] ${math_latex(shown)} = {math_latex(guide)}$, for {setting};"
                      for number, setting, shown, _, guide in _relations())
    return Proof(
        "Convolution arithmetic", r"Let $n, n', k, s, d \ge 1$ and $p, p_{l}, p_{r}, a, h, q \ge 0$ be integers: $n$ "
        r"the input size of a convolution with kernel size $k$, stride $s$, padding $p$ on both sides (or "
        r"$p_{l}$ and $p_{r}$) and dilation $d$, and $n'$ the input size of a transposed convolution with output "
        r"padding $a$; the kernel fits the padded input, $n + p_{l} + p_{r} \ge d (k - 1) + 1$, so that "
        r"$n_{\mathrm{out}} \ge 1$, and the transposed convolution crops less than it spans, "
        r"$p_{l} + p_{r} \le s (n' - 1) + d (k - 1) + a$, so that $n_{T} \ge 1$. Then, in the setting each "
        r"relationship names, the output-size relationships 1--15 of Dumoulin "
        r"and Visin, \emph{A guide to convolution arithmetic for deep learning} (arXiv:1603.07285), written with "
        r"$n$ for the guide's \textit{i} and $n'$ for its \textit{i}$'$, are special cases of the size formulas "
        r"$n_{\mathrm{out}}$, $n_{T}$, $p'_{l}$, $a_{\mathrm{rt}}$ and $n_{z_0}$ defined below (padding $p$ on both "
        r"sides is $p_{l} = p_{r} = p$):"
        "\n\\begin{itemize}\n" + table + "\n\\end{itemize}\n"
        r"so are the round trip $n_{T}(n_{\mathrm{out}}, k, s, p_{l}, p_{r}, d, a_{\mathrm{rt}}) = n$, where "
        r"the convolution's output size $n_{\mathrm{out}}$ and PyTorch's output padding $a_{\mathrm{rt}}$ are "
        r"evaluated at $(n, k, s, p_{l}, p_{r}, d)$, and the size of a dilated transposed convolution, "
        r"$n_{T}(n', k, s, p, p, d, a) = s (n' - 1) + d (k - 1) + a - 2p + 1$, the output length of its gather view, "
        r"which pads the stretched input by $p'_{l}(k, p, d) = d (k - 1) - p$.", tuple(steps),
        conclusion="every relationship of the guide follows from the general formulas (sizes only: that the "
                   "equivalent convolution uses the flipped kernel is proved by the parametric proof, not here).",
        notes=("The guide treats convolution and cross-correlation as interchangeable for learned kernels; the "
               "equivalent convolution of a transposed layer uses the flipped kernel, as the parametric proof "
               "\\emph{The transposed convolution is a convolution} proves for every size.",),
    )


def _window_count(n: int, k: int, s: int, p: int, d: int = 1) -> int:
    """Output size by counting window positions directly (independent of the formulas)."""
    count, start = 0, 0
    while start + d * (k - 1) <= n + 2 * p - 1:
        count, start = count + 1, start + s
    return count


def _in_range(env: dict, windows: bool) -> bool:
    """A setting inside the theorem's ranges: the padding at most the kernel, and (for a convolution's size) a
    kernel that fits the padded input, so that the output size is at least 1."""
    if "p" in env and env["p"] > env.get("k", 1):
        return False
    if windows:
        n, k, p, d = env.get("n", 1), env.get("k", 1), env.get("p", 0), env.get("d", 1)
        return n + 2 * p >= d * (k - 1) + 1
    return True


def _smallest(free: list, f_derived: Any, f_guide: Any, windows: bool, top: int = 6) -> dict | None:
    """The setting with the smallest values (by their sum) at which the two sides differ, inside the ranges."""
    lows = [0 if v.is_nonnegative and not v.is_positive else 1 for v in free]
    grid = sorted(itertools.product(*(range(lo, top) for lo in lows)), key=lambda values: (sum(values), values))
    for values in grid:
        env = dict(zip((str(v) for v in free), values))
        env.setdefault("k", 1)
        if _in_range(env, windows) and f_derived(env) != f_guide(env):
            return env
    return None


def _spot_sizes(step: Step, derived: Any, guide: Any, rng: np.random.Generator, count: int, windows: bool) -> Step:
    free = sorted((derived - guide).free_symbols | sympy.sympify(guide).free_symbols, key=str)
    f_derived, f_guide = compile_expr(derived), compile_expr(guide)
    done = 0
    for _ in range(count * 20):
        if done >= count:
            break
        env = {str(v): int(rng.integers(0 if v.is_nonnegative and not v.is_positive else 1, 9)) for v in free}
        env.setdefault("k", 1)
        if not _in_range(env, windows):
            continue
        left, right = f_derived(env), f_guide(env)
        if left != right:
            small = _smallest(free, f_derived, f_guide, windows) or env
            shown = {name: value for name, value in small.items() if name in {str(v) for v in free}}
            return dataclasses.replace(step.with_spot_checks(done, f"at {shown}: {f_derived(small)} != {f_guide(small)}"),
                                       counterexample=shown)
        if windows:
            i_, k_, s_, p_, d_ = env.get("n", 1), env.get("k", 1), env.get("s", 1), env.get("p", 0), env.get("d", 1)
            if i_ + 2 * p_ >= d_ * (k_ - 1) + 1 and _window_count(i_, k_, s_, p_, d_) != left:
                return step.with_spot_checks(done, f"at {env}: counting windows gives {_window_count(i_, k_, s_, p_, d_)}, formula {left}")
        done += 1
    return step.with_spot_checks(done, None)
