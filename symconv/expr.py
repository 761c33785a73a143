r"""Convolutions of symbolic size as sympy matrix expressions.

:class:`Conv`, :class:`ConvTranspose`, :class:`ZeroInsert`, :class:`Pad` and
:class:`Select` are subclasses of :class:`sympy.MatrixExpr`: their sizes may be
sympy integer symbols, their entries are sums of weight entries times
``KroneckerDelta`` indicators of the index equations of
:mod:`symconv.formulas` (the same functions that build the numeric matrices),
and sympy's matrix algebra applies to them.  ``Conv(...).T`` is the
:class:`ConvTranspose` of the transposed layer, and
``ConvTranspose(...).rewrite("gather")`` is the theorem: the product of the
stride-1 convolution with the flipped kernel, the padding and the zero
insertion.

Matrices act on tensors of shape ``(channels, *spatial)`` flattened row-major,
as everywhere in symconv.  The layer parameters (kernel size, stride, padding,
dilation, channels, groups) are integers from a spec; the spatial sizes may be
symbols.

>>> import sympy
>>> from symconv import ConvSpec, kernel_symbols
>>> n = sympy.Symbol("n", integer=True, positive=True)
>>> spec = ConvSpec(3, stride=2, padding=1)
>>> C = Conv(spec, kernel_symbols(spec), n)
>>> C.shape
(floor(n/2 - 1/2) + 1, n)
>>> i, j = sympy.symbols("i j", integer=True)
>>> C[i, j]
w_0*KroneckerDelta(j, 2*i - 1) + w_1*KroneckerDelta(2*i, j) + w_2*KroneckerDelta(j, 2*i + 1)
>>> print(sympy.latex(C.T.rewrite("gather")))
\mathcal{C}_{k=3,s=1,p=0}(\tilde{w}) P_{1,\left(\left(n + 1\right) \bmod 2\right) + 1} Z_{2}
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import sympy
from sympy import Integer, KroneckerDelta, MatMul, MatrixExpr, Mod, Tuple, floor
from sympy.printing.pretty.stringpict import prettyForm

from . import formulas as F
from .errors import ShapeError, SpecError, SpecTypeError
from .kernels import as_weight, flat_entries, kernel_symbols
from .spec import ConvSpec, TransposedConvSpec
from .weights import transposed_to_conv_weight

__all__ = ["Conv", "ConvTranspose", "ZeroInsert", "Pad", "Select"]


# ---------------------------------------------------------------------------
# arguments


class _Params(NamedTuple):
    """A layer's parameters, per axis (``a`` may hold sympy expressions)."""

    k: tuple
    s: tuple
    pl: tuple
    pr: tuple
    d: tuple
    cin: int
    cout: int
    g: int
    a: tuple | None = None


def _encode(p: _Params) -> Tuple:
    items = [Tuple(*p.k), Tuple(*p.s), Tuple(*p.pl), Tuple(*p.pr), Tuple(*p.d),
             Integer(p.cin), Integer(p.cout), Integer(p.g)]
    if p.a is not None:
        items.append(Tuple(*p.a))
    return Tuple(*items)


def _decode(t: Tuple) -> _Params:
    ints = [tuple(int(v) for v in t[i]) for i in range(5)]
    a = None if len(t) == 8 else tuple(int(v) if v.is_Integer else v for v in t[8])
    return _Params(ints[0], ints[1], ints[2], ints[3], ints[4], int(t[5]), int(t[6]), int(t[7]), a)


def _of_spec(spec: Any) -> _Params:
    a = tuple(spec.output_padding) if isinstance(spec, TransposedConvSpec) else None
    return _Params(spec.kernel_size, spec.stride, spec.padding_left, spec.padding_right, spec.dilation,
                   spec.in_channels, spec.out_channels, spec.groups, a)


def _conv_spec(p: _Params) -> ConvSpec:
    return ConvSpec(p.k, stride=p.s, padding=tuple(zip(p.pl, p.pr)), dilation=p.d, in_channels=p.cin, out_channels=p.cout, groups=p.g)


def _size(value: Any, name: str) -> sympy.Expr:
    """An int, or a sympy expression known to be an integer."""
    if isinstance(value, bool) or isinstance(value, str):
        raise SpecTypeError(f"{name} must be an int or a sympy integer symbol, got {value!r}")
    if isinstance(value, numbers.Integral):
        value = Integer(int(value))
    if not isinstance(value, sympy.Expr) or value.is_integer is not True:
        raise SpecTypeError(
            f"{name} must be an int or a sympy expression known to be an integer "
            f"(e.g. Symbol('n', integer=True, positive=True)), got {value!r}"
        )
    return value


def _sizes(value: Any, ndim: int, name: str) -> tuple:
    if isinstance(value, (tuple, list, Tuple)):
        if len(value) != ndim:
            raise ShapeError(f"{name} must have one size per spatial axis ({ndim}), got {tuple(value)!r}")
        return tuple(_size(v, f"{name}[{ax}]") for ax, v in enumerate(value))
    return (_size(value, name),) * ndim


def _known(sizes: Sequence) -> bool:
    return all(isinstance(v, (int, Integer)) for v in sizes)


def _ints(sizes: Sequence) -> tuple[int, ...]:
    return tuple(int(v) for v in sizes)


def _channels(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, Integer)) or int(value) < 1:
        raise SpecError(f"channels must be a positive integer, got {value!r}")
    return int(value)


def _weight(params: _Params, weight: Any, transposed: bool) -> sympy.ImmutableDenseNDimArray:
    proxy: Any
    if transposed:
        proxy = TransposedConvSpec(params.k, in_channels=params.cin, out_channels=params.cout, groups=params.g)
    else:
        proxy = _conv_spec(params)
    if isinstance(weight, str):
        return kernel_symbols(proxy, weight)
    return as_weight(proxy, weight)


def _tidy(expr: Any) -> sympy.Expr:
    """A size expression with ``Mod`` written through ``floor`` and floors normalised.

    ``Mod(x, s) = x - s floor(x/s)`` and ``floor(e + c) = floor(e + c - floor(c)) + floor(c)``
    for a rational constant ``c``; both are identities, and they let sympy cancel
    ``s floor(x/s) + (x mod s)`` against ``x``.
    """
    expr = sympy.sympify(expr)
    if not expr.has(Mod, floor):
        return expr

    def normal(arg):
        c, rest = arg.as_coeff_Add()
        if c.is_Rational and c != 0:
            whole = floor(c)
            return floor(rest + (c - whole)) + whole
        return floor(arg)

    expr = expr.rewrite(floor)
    return sympy.expand(expr.replace(lambda e: isinstance(e, floor), lambda e: normal(e.args[0])))


def _below(a: Any, s: int) -> bool:
    """True when ``0 <= a < s`` is known (ints, or ``Mod(x, s)``)."""
    if isinstance(a, (int, Integer)):
        return int(a) < s
    if isinstance(a, Mod) and a.args[1] == s:
        return True
    return bool((a < s) is sympy.true)


# ---------------------------------------------------------------------------
# entries


def _split(index: Any, channels: int, sizes: Sequence) -> tuple[Any, list]:
    """(channel, positions) of a flat row-major index over ``(channels, *sizes)``."""
    block = sympy.Mul(*sizes)
    channel = floor(index / block) if channels != 1 else Integer(0)
    positions = []
    for ax, n in enumerate(sizes):
        inner = sympy.Mul(*sizes[ax + 1:])
        q = index if inner == 1 else floor(index / inner)
        positions.append(q if (ax == 0 and channels == 1) else Mod(q, n))
    return channel, positions


def _delta(a: Any, b: Any) -> Any:
    return KroneckerDelta(a, b)


def _channel_delta(channel: Any, value: int, count: int) -> Any:
    return Integer(1) if count == 1 else KroneckerDelta(channel, value)


def _taps(kernel: Sequence[int]):
    return np.ndindex(*kernel)


# ---------------------------------------------------------------------------
# printing helpers


def _axis(printer: Any, values: Sequence) -> str:
    values = tuple(values)
    if len(set(values)) == 1:
        return printer._print(sympy.sympify(values[0]))
    return "(" + ", ".join(printer._print(sympy.sympify(v)) for v in values) + ")"


def _parameter_items(printer: Any, p: _Params) -> list[str]:
    items = [f"k={_axis(printer, p.k)}", f"s={_axis(printer, p.s)}"]
    if p.pl == p.pr:
        items.append(f"p={_axis(printer, p.pl)}")
    elif len(p.pl) == 1:
        items.append(f"p=({p.pl[0]}, {p.pr[0]})")
    else:
        items.append("p=(" + ", ".join(f"({left}, {right})" for left, right in zip(p.pl, p.pr)) + ")")
    if p.a is not None:
        items.append(f"a={_axis(printer, p.a)}")
    if any(v != 1 for v in p.d):
        items.append(f"d={_axis(printer, p.d)}")
    if p.cin != 1 or p.cout != 1:
        arrow = r"\to " if printer.printmethod == "_latex" else "→" if getattr(printer, "_use_unicode", False) else "->"
        items.append(f"c={p.cin}{arrow}{p.cout}")
    if p.g != 1:
        items.append(f"g={p.g}")
    return items


def _weight_name(weight: Any, p: _Params, transposed: bool) -> tuple[str, bool] | None:
    """``(name, flipped)`` when the weight is ``kernel_symbols`` of a name, or their gather transform."""
    first = flat_entries(weight)[0]
    if not isinstance(first, sympy.Symbol) or "_" not in first.name:
        return None
    name = first.name.split("_", 1)[0]
    try:
        if transposed:
            plain = kernel_symbols(TransposedConvSpec(p.k, in_channels=p.cin, out_channels=p.cout, groups=p.g), name)
        else:
            plain = kernel_symbols(_conv_spec(p), name)
    except (SpecError, SpecTypeError):
        return None
    if plain == weight:
        return name, False
    if not transposed:
        source = TransposedConvSpec(p.k, in_channels=p.cin, out_channels=p.cout, groups=p.g)
        symbols = kernel_symbols(source, name)
        arr = np.array(flat_entries(symbols), dtype=object).reshape(symbols.shape)
        flipped = transposed_to_conv_weight(arr, p.g, len(p.k))
        if list(flipped.ravel()) == flat_entries(weight):
            return name, True
    return None


def _weight_latex(printer: Any, weight: Any, p: _Params, transposed: bool) -> str:
    named = _weight_name(weight, p, transposed)
    if named is None:
        return printer._print(weight[0, 0] if p.cin == p.cout == 1 else weight)
    name, flipped = named
    return rf"\tilde{{{name}}}" if flipped else name


def _weight_pretty(printer: Any, weight: Any, p: _Params, transposed: bool) -> prettyForm:
    named = _weight_name(weight, p, transposed)
    if named is None:
        return printer._print(weight[0, 0] if p.cin == p.cout == 1 else weight)
    name, flipped = named
    if flipped:
        name = name + "\N{COMBINING TILDE}" if printer._use_unicode else "~" + name
    return prettyForm(name)


def _pretty_subscripted(head: str, sub: str, arg: prettyForm | None = None) -> prettyForm:
    """``head`` with ``sub`` set one line below, then ``(arg)``."""
    pict = prettyForm(head + " " * len(sub) + "\n" + " " * len(head) + sub, baseline=0)
    if arg is None:
        return pict
    return prettyForm(*pict.right(prettyForm(*arg.parens())))


# ---------------------------------------------------------------------------
# the expressions


class _Layer(MatrixExpr):
    """Common part of :class:`Conv` and :class:`ConvTranspose`."""

    _transposed = False

    @property
    def params(self) -> _Params:
        return _decode(self.args[0])

    @property
    def weight(self) -> sympy.ImmutableDenseNDimArray:
        """The weight tensor, in PyTorch's layout."""
        return self.args[1]

    @property
    def input_size(self) -> tuple:
        """The spatial input sizes (ints or sympy expressions)."""
        return tuple(self.args[2])

    @property
    def ndim(self) -> int:
        return len(self.params.k)

    def doit(self, **hints: Any) -> Any:
        """The explicit matrix when every size is an integer, else the expression itself.

        Parameters
        ----------
        **hints
            sympy's ``doit`` hints (unused: the entries are already evaluated).

        Returns
        -------
        sympy matrix or Conv or ConvTranspose
            ``as_explicit()`` at integer sizes, else ``self``.

        Examples
        --------
        >>> import sympy
        >>> from symconv import ConvSpec
        >>> n = sympy.Symbol("n", integer=True, positive=True)
        >>> C = Conv(ConvSpec(2), "w", n)
        >>> C.doit() is C, C.subs(n, 3).doit()
        (True, Matrix([
        [w_0, w_1,   0],
        [  0, w_0, w_1]]))
        """
        if not self._is_shape_symbolic():
            return self.as_explicit()
        return self

    def _latex(self, printer: Any) -> str:
        p = self.params
        head = r"\mathcal{T}" if self._transposed else r"\mathcal{C}"
        return f"{head}_{{{','.join(_parameter_items(printer, p))}}}({_weight_latex(printer, self.weight, p, self._transposed)})"

    def _pretty(self, printer: Any) -> prettyForm:
        p = self.params
        unicode = printer._use_unicode
        head = ("\N{MATHEMATICAL SCRIPT CAPITAL T}" if self._transposed else "\N{MATHEMATICAL SCRIPT CAPITAL C}") \
            if unicode else ("T" if self._transposed else "C")
        sub = ",".join(_parameter_items(_PlainPrinter(printer), p))
        return _pretty_subscripted(head, sub, _weight_pretty(printer, self.weight, p, self._transposed))

    def _sympystr(self, printer: Any) -> str:
        p = self.params
        items = ", ".join(_parameter_items(_PlainPrinter(printer), p))
        weight = _weight_name(self.weight, p, self._transposed)
        label = (("~" if weight[1] else "") + weight[0]) if weight else printer._print(self.weight)
        sizes = ", ".join(printer._print(v) for v in self.input_size)
        return f"{type(self).__name__}({items})({label}, {sizes})"


class _PlainPrinter:
    """Wraps a printer so that parameter values print as text (for pretty and str)."""

    printmethod = "_sympystr"

    def __init__(self, printer: Any):
        self._use_unicode = getattr(printer, "_use_unicode", False)

    def _print(self, value: Any) -> str:
        return sympy.sstr(value)


class Conv(_Layer):
    r"""The matrix of a convolution on inputs of symbolic size, as a sympy matrix expression.

    Parameters
    ----------
    spec : ConvSpec
        The layer (its parameters are integers).
    w : sympy Array, array-like or str
        The weight in PyTorch's layout ``spec.weight_shape``; a string names
        :func:`~symconv.kernel_symbols`.
    n : int, sympy integer expression, or a tuple of them
        The spatial input size (one per axis; one value means every axis).

    Notes
    -----
    The entry of row ``(o, i)`` and column ``(c, j)`` (flat indices split
    row-major, with ``floor`` and ``Mod`` when there are several channels or
    axes) is ``sum_m w[o, c - gamma(o) C_in/g, m] prod_ax delta(j, s i + d m - p_l)``
    with ``c`` in output channel ``o``'s group ``gamma(o)``, the index map being
    :func:`symconv.formulas.tap_position`.

    Raises
    ------
    SpecTypeError
        For a spec of the wrong kind, or a size that is neither an int nor a sympy integer expression.
    ShapeError
        For sizes that are not one per spatial axis, a weight of the wrong shape, or integer sizes the layer
        cannot take.

    Examples
    --------
    >>> import sympy
    >>> from symconv import ConvSpec
    >>> n = sympy.Symbol("n", integer=True, positive=True)
    >>> C = Conv(ConvSpec(2, in_channels=2), "v", n)
    >>> C.shape
    (n - 1, 2*n)
    >>> C.subs(n, 3).as_explicit()
    Matrix([
    [v_{0,0,0}, v_{0,0,1},         0, v_{0,1,0}, v_{0,1,1},         0],
    [        0, v_{0,0,0}, v_{0,0,1},         0, v_{0,1,0}, v_{0,1,1}]])
    >>> C.T
    ConvTranspose(k=2, s=1, p=0, a=0, c=1->2)(v, n - 1)
    """

    def __new__(cls, spec: Any, w: Any, n: Any) -> Conv:
        if isinstance(spec, ConvSpec):
            params = _of_spec(spec)
        elif isinstance(spec, Tuple) and len(spec) == 8:
            params = _decode(spec)
            spec = _conv_spec(params)
        else:
            raise SpecTypeError(f"spec must be a ConvSpec, got {type(spec).__name__}")
        weight = _weight(params, w, transposed=False)
        sizes = _sizes(n, len(params.k), "n")
        if _known(sizes):
            spec.check_input_shape(_ints(sizes))
        return super().__new__(cls, _encode(params), weight, Tuple(*sizes))  # type: ignore[return-value]

    @property
    def spec(self) -> ConvSpec:
        return _conv_spec(self.params)

    @property
    def output_size(self) -> tuple:
        """``(n + p_l + p_r - d(k-1) - 1) // s + 1`` per axis (:func:`symconv.formulas.conv_output_size`)."""
        p = self.params
        return tuple(F.conv_output_size(n, *args) for n, *args in zip(self.input_size, p.k, p.s, p.pl, p.pr, p.d))

    @property
    def shape(self) -> tuple:
        p = self.params
        return (p.cout * sympy.Mul(*self.output_size), p.cin * sympy.Mul(*self.input_size))

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sympy.Expr:
        p = self.params
        o, rows = _split(i, p.cout, self.output_size)
        c, cols = _split(j, p.cin, self.input_size)
        per_in, per_out = p.cin // p.g, p.cout // p.g
        terms = []
        for oo in range(p.cout):
            group = F.channel_group(oo, per_out)
            for cl in range(per_in):
                channel = _channel_delta(o, oo, p.cout) * _channel_delta(c, F.group_channel(group, per_in, cl), p.cin)
                for m in _taps(p.k):
                    hit = sympy.Mul(*(_delta(cols[ax], F.tap_position(rows[ax], m[ax], p.s[ax], p.pl[ax], p.d[ax]))
                                      for ax in range(len(m))))
                    terms.append(self.weight[(oo, cl) + tuple(m)] * channel * hit)
        return sympy.Add(*terms)

    def _eval_transpose(self) -> ConvTranspose:
        """The transposed convolution of ``spec.transpose(n)`` (output padding ``(n + p_l + p_r - d(k-1) - 1) mod s``)."""
        p = self.params
        a = tuple(F.output_padding_for(n, *args) for n, *args in zip(self.input_size, p.k, p.s, p.pl, p.pr, p.d))
        t = _Params(p.k, p.s, p.pl, p.pr, p.d, p.cout, p.cin, p.g, a)
        return ConvTranspose(_encode(t), self.weight, Tuple(*self.output_size))


class ConvTranspose(_Layer):
    r"""The matrix of a transposed convolution on inputs of symbolic size, from its own definition.

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer (its parameters are integers).
    w : sympy Array, array-like or str
        The weight in PyTorch's layout ``tspec.weight_shape`` (the same tensor
        as the weight of the convolution it transposes).
    n : int, sympy integer expression, or a tuple of them
        The spatial input size.

    Notes
    -----
    The entry of row ``(co, j)`` and column ``(ci, i)`` is
    ``sum_m w[ci, co - gamma(ci) C_out/g, m] prod_ax delta(j, s i + d m - p_l)``
    with ``co`` in input channel ``ci``'s group: the index equation of
    :func:`symconv.formulas.tap_position` read from the input side.  It is not
    built as the transpose of :class:`Conv`.

    ``rewrite("gather")`` returns the product ``C_flip Pad Z`` of the gather
    view (see ``_eval_rewrite_as_gather``).  Its amounts are the functions of
    :mod:`symconv.formulas` that :func:`symconv.prove_transpose_general` proves
    for every size; that this expression puts them in their places (the left and
    right amounts of ``Pad``, the transformed weight of ``C_flip``) is checked by
    making both sides explicit at integer sizes (``.doit()``), not by that proof.

    ``Conv(...).T`` gives a ``ConvTranspose`` whose output padding may be
    symbolic (``Mod(n + 1, 2)`` say); the output size is then simplified with
    ``x = s floor(x/s) + (x mod s)``, so that it is ``n`` again.

    Raises
    ------
    SpecTypeError, ShapeError
        As for :class:`Conv`, with a TransposedConvSpec.

    Examples
    --------
    >>> import sympy
    >>> from symconv import TransposedConvSpec
    >>> n = sympy.Symbol("n", integer=True, positive=True)
    >>> T = ConvTranspose(TransposedConvSpec(3, stride=2, padding=1, output_padding=1), "w", n)
    >>> T.shape
    (2*n, n)
    >>> T.T
    Conv(k=3, s=2, p=1)(w, 2*n)
    >>> T.rewrite("gather")
    Conv(k=3, s=1, p=0)(~w, 2*n + 2)*Pad(1, 2, 2*n - 1)*ZeroInsert(2, n)
    """

    _transposed = True

    def __new__(cls, tspec: Any, w: Any, n: Any) -> ConvTranspose:
        if isinstance(tspec, TransposedConvSpec):
            params = _of_spec(tspec)
        elif isinstance(tspec, Tuple) and len(tspec) == 9:
            params = _decode(tspec)
            assert params.a is not None
            for ax, a in enumerate(params.a):
                _size(a, f"output_padding[{ax}]")
            if all(isinstance(a, int) for a in params.a):
                tspec = TransposedConvSpec(params.k, stride=params.s, padding=tuple(zip(params.pl, params.pr)),
                                           output_padding=params.a, dilation=params.d,
                                           in_channels=params.cin, out_channels=params.cout, groups=params.g)
        else:
            raise SpecTypeError(f"tspec must be a TransposedConvSpec, got {type(tspec).__name__}")
        weight = _weight(params, w, transposed=True)
        sizes = _sizes(n, len(params.k), "n")
        obj = super().__new__(cls, _encode(params), weight, Tuple(*sizes))
        for ax, size in enumerate(obj.output_size):
            if size.is_positive is False:
                raise ShapeError(f"input size n[{ax}]={sizes[ax]} gives an empty output: "
                                 f"(n-1)s - p_l - p_r + d(k-1) + a + 1 = {size} must be positive")
        return obj  # type: ignore[return-value]

    @property
    def tspec(self) -> TransposedConvSpec:
        """The layer as a spec (only when the output padding is an integer)."""
        p = self.params
        assert p.a is not None
        if not all(isinstance(a, int) for a in p.a):
            raise SpecTypeError(f"the output padding {p.a} is symbolic: there is no TransposedConvSpec for it")
        return TransposedConvSpec(p.k, stride=p.s, padding=tuple(zip(p.pl, p.pr)), output_padding=p.a, dilation=p.d,
                                  in_channels=p.cin, out_channels=p.cout, groups=p.g)

    @property
    def output_padding(self) -> tuple:
        assert self.params.a is not None
        return self.params.a

    @property
    def output_size(self) -> tuple:
        """``(n-1)s - p_l - p_r + d(k-1) + a + 1`` per axis (:func:`symconv.formulas.transposed_output_size`)."""
        p = self.params
        return tuple(_tidy(F.transposed_output_size(n, *args))
                     for n, *args in zip(self.input_size, p.k, p.s, p.pl, p.pr, p.d, p.a or ()))

    @property
    def shape(self) -> tuple:
        p = self.params
        return (p.cout * sympy.Mul(*self.output_size), p.cin * sympy.Mul(*self.input_size))

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sympy.Expr:
        p = self.params
        co, outs = _split(i, p.cout, self.output_size)
        ci, ins = _split(j, p.cin, self.input_size)
        per_in, per_out = p.cin // p.g, p.cout // p.g
        terms = []
        for cc in range(p.cin):
            group = F.channel_group(cc, per_in)
            for col in range(per_out):
                channel = _channel_delta(ci, cc, p.cin) * _channel_delta(co, F.group_channel(group, per_out, col), p.cout)
                for m in _taps(p.k):
                    hit = sympy.Mul(*(_delta(outs[ax], F.tap_position(ins[ax], m[ax], p.s[ax], p.pl[ax], p.d[ax]))
                                      for ax in range(len(m))))
                    terms.append(self.weight[(cc, col) + tuple(m)] * channel * hit)
        return sympy.Add(*terms)

    def _eval_transpose(self) -> Any:
        """``S Conv``: the convolution this layer transposes, on the output size, and the row selection.

        The convolution on inputs of length ``n_T`` has ``n + floor(a/s)`` outputs per
        axis; ``S`` keeps the first ``n`` (it is left out when ``a < s`` on every axis).
        """
        p = self.params
        assert p.a is not None
        conv = Conv(_encode(_Params(p.k, p.s, p.pl, p.pr, p.d, p.cout, p.cin, p.g)), self.weight,
                    Tuple(*self.output_size))
        if all(_below(a, s) for a, s in zip(p.a, p.s)):
            return conv
        return MatMul(Select(self.input_size, conv.output_size, p.cin), conv)

    def _eval_rewrite_as_gather(self, *args: Any, **hints: Any) -> MatMul:
        r"""The gather view ``C_flip Pad Z`` as a :class:`sympy.MatMul`.

        ``Z = ZeroInsert(s, n)`` inserts ``s - 1`` zeros between neighbours,
        ``Pad = Pad(d(k-1) - p_l, d(k-1) - p_r + a, s(n-1) + 1)`` pads or crops,
        and ``C_flip`` is the stride-1 convolution with padding 0 and the
        group-wise channel-swapped, flipped weight (:func:`~symconv.transposed_to_conv_weight`),
        all with the amounts of :mod:`symconv.formulas`.

        The amounts are the ones :func:`symconv.prove_transpose_general` proves
        for every size, step by step; that they stand in their places here is
        checked at integer sizes, where both sides can be made explicit and
        compared (``.doit()``).
        """
        p = self.params
        assert p.a is not None
        ndim = len(p.k)
        sizes = self.input_size
        inserted = tuple(F.zero_inserted_size(n, s) for n, s in zip(sizes, p.s))
        left = tuple(F.gather_padding_left(k, pl, d) for k, pl, d in zip(p.k, p.pl, p.d))
        right = tuple(F.gather_padding_right(k, pr, d, a) for k, pr, d, a in zip(p.k, p.pr, p.d, p.a))
        Z = ZeroInsert(p.s, sizes, p.cin)
        P = Pad(left, right, inserted, p.cin)
        arr = np.array(flat_entries(self.weight), dtype=object).reshape(self.weight.shape)
        flipped = transposed_to_conv_weight(arr, p.g, ndim)
        flip = sympy.ImmutableDenseNDimArray(flipped.ravel().tolist(), flipped.shape)
        spec = _Params(p.k, (1,) * ndim, (0,) * ndim, (0,) * ndim, p.d, p.cin, p.cout, p.g)
        C = Conv(_encode(spec), flip, Tuple(*P.output_size))
        return MatMul(C, P, Z)


    def _eval_rewrite_as_polyphase(self, *args: Any, **hints: Any) -> MatMul:
        """The polyphase view ``Q Phi`` (see :func:`symconv.polyphase.polyphase_expr`)."""
        from .polyphase import polyphase_expr

        return polyphase_expr(self)


class _Pattern(MatrixExpr):
    """A 0/1 matrix repeated in every channel: rows over ``(C, *output_size)``, columns over ``(C, *input_size)``."""

    @property
    def channels(self) -> int:
        return int(self.args[-1])

    @property
    def shape(self) -> tuple:
        c = self.channels
        return (c * sympy.Mul(*self.output_size), c * sympy.Mul(*self.input_size))

    @property
    def input_size(self) -> tuple:
        raise NotImplementedError

    @property
    def output_size(self) -> tuple:
        raise NotImplementedError

    def _row_of(self, ax: int, col: Any) -> Any:
        raise NotImplementedError

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sympy.Expr:
        c = self.channels
        ci, rows = _split(i, c, self.output_size)
        cj, cols = _split(j, c, self.input_size)
        channel = Integer(1) if c == 1 else KroneckerDelta(ci, cj)
        return channel * sympy.Mul(*(_delta(rows[ax], self._row_of(ax, cols[ax])) for ax in range(len(rows))))

    def doit(self, **hints: Any) -> Any:
        """The explicit matrix when every size is an integer, else the expression itself.

        Parameters
        ----------
        **hints
            sympy's ``doit`` hints (unused).

        Returns
        -------
        sympy matrix or ZeroInsert or Pad
            ``as_explicit()`` at integer sizes, else ``self``.

        Examples
        --------
        >>> import sympy
        >>> n = sympy.Symbol("n", integer=True, positive=True)
        >>> P = Pad(1, 0, n)
        >>> P.doit() is P, P.subs(n, 2).doit()
        (True, Matrix([
        [0, 0],
        [1, 0],
        [0, 1]]))
        """
        if not self._is_shape_symbolic():
            return self.as_explicit()
        return self

    def _sub(self, printer: Any, *values: tuple) -> list[str]:
        out = []
        for v in values:
            out.append(printer._print(sympy.sympify(v[0])) if len(v) == 1
                       else "(" + ", ".join(printer._print(sympy.sympify(x)) for x in v) + ")")
        return out

    def _name_sub(self) -> tuple[str, tuple]:
        raise NotImplementedError

    def _latex(self, printer: Any) -> str:
        name, values = self._name_sub()
        return f"{name}_{{{','.join(self._sub(printer, *values))}}}"

    def _pretty(self, printer: Any) -> prettyForm:
        name, values = self._name_sub()
        return _pretty_subscripted(name, ",".join(self._sub(_PlainPrinter(printer), *values)))

    def _sympystr(self, printer: Any) -> str:
        name, values = self._name_sub()
        parts = self._sub(printer, *values, tuple(self.input_size))
        if self.channels != 1:
            parts.append(f"channels={self.channels}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _pattern_args(values: Sequence[tuple[str, Any]], n: Any, channels: Any) -> tuple:
    first = values[0][1]
    ndim = len(first) if isinstance(first, (tuple, list, Tuple)) else (
        len(n) if isinstance(n, (tuple, list, Tuple)) else 1)
    out = [Tuple(*_sizes(v, ndim, name)) for name, v in values]
    out.append(Tuple(*_sizes(n, ndim, "n")))
    out.append(Integer(_channels(channels)))
    return tuple(out)


class ZeroInsert(_Pattern):
    r"""Zero insertion ``Z_s``: ``s - 1`` zeros between neighbours, on inputs of length ``n``.

    ``Z[t, i] = delta(t, s i)``, shape ``(s(n-1)+1, n)`` per axis and channel
    (:func:`symconv.formulas.zero_insertion_position`).

    Parameters
    ----------
    s : int, sympy integer expression, or a tuple of them
        The factor per axis (the stride of the transposed convolution).
    n : int, sympy integer expression, or a tuple of them
        The input length per axis.
    channels : int
        The number of channels (the matrix is block diagonal over them).

    Raises
    ------
    SpecError
        For a factor that is not known to be positive, or channels that are not a positive integer.
    SpecTypeError, ShapeError
        For sizes of the wrong type, or not one per axis.

    Examples
    --------
    >>> import sympy
    >>> n = sympy.Symbol("n", integer=True, positive=True)
    >>> Z = ZeroInsert(2, n)
    >>> Z.shape, Z[4, 2]
    ((2*n - 1, n), 1)
    >>> sympy.latex(Z)
    'Z_{2}'
    """

    def __new__(cls, s: Any, n: Any, channels: Any = 1) -> ZeroInsert:
        factor, sizes, c = _pattern_args([("s", s)], n, channels)
        for ax, v in enumerate(factor):
            if v.is_positive is not True:
                raise SpecError(f"s[{ax}] must be a positive integer, got {v}")
        return super().__new__(cls, factor, sizes, c)  # type: ignore[return-value]

    @property
    def factor(self) -> tuple:
        return tuple(self.args[0])

    @property
    def input_size(self) -> tuple:
        return tuple(self.args[1])

    @property
    def output_size(self) -> tuple:
        return tuple(F.zero_inserted_size(n, s) for n, s in zip(self.input_size, self.factor))

    def _row_of(self, ax: int, col: Any) -> Any:
        return F.zero_insertion_position(col, self.factor[ax])

    def _name_sub(self) -> tuple[str, tuple]:
        return "Z", (self.factor,)


class Pad(_Pattern):
    r"""Padding ``P_{L,R}``: the window ``z[t] = z0[t - L]`` for ``0 <= t < n + L + R``.

    A negative amount crops.  ``P[t, i] = delta(t, i + L)``
    (:func:`symconv.formulas.padded_position`).

    Parameters
    ----------
    left, right : int, sympy integer expression, or a tuple of them
        The amounts ``L`` and ``R`` per axis (negative: crop).
    n : int, sympy integer expression, or a tuple of them
        The input length per axis.
    channels : int
        The number of channels (the matrix is block diagonal over them).

    Raises
    ------
    ShapeError
        When the padding leaves nothing of an axis (``n + L + R <= 0``), or sizes are not one per axis.
    SpecError, SpecTypeError
        For channels that are not a positive integer, or sizes of the wrong type.

    Examples
    --------
    >>> import sympy
    >>> n = sympy.Symbol("n", integer=True, positive=True)
    >>> P = Pad(1, -1, n)
    >>> P.shape, sympy.latex(P)
    ((n, n), 'P_{1,-1}')
    >>> P.subs(n, 3).as_explicit()
    Matrix([
    [0, 0, 0],
    [1, 0, 0],
    [0, 1, 0]])
    """

    def __new__(cls, left: Any, right: Any, n: Any, channels: Any = 1) -> Pad:
        args = _pattern_args([("left", left), ("right", right)], n, channels)
        obj = super().__new__(cls, *args)
        for ax, size in enumerate(obj.output_size):
            if size.is_positive is False:
                raise ShapeError(f"padding ({args[0][ax]}, {args[1][ax]}) leaves nothing of axis {ax} "
                                 f"(length {args[2][ax]}): n + L + R = {size}")
        return obj  # type: ignore[return-value]

    @property
    def left(self) -> tuple:
        return tuple(self.args[0])

    @property
    def right(self) -> tuple:
        return tuple(self.args[1])

    @property
    def input_size(self) -> tuple:
        return tuple(self.args[2])

    @property
    def output_size(self) -> tuple:
        return tuple(_tidy(n + left + right) for n, left, right in zip(self.input_size, self.left, self.right))

    def _row_of(self, ax: int, col: Any) -> Any:
        return F.padded_position(col, self.left[ax])

    def _name_sub(self) -> tuple[str, tuple]:
        return "P", (self.left, self.right)


class Select(_Pattern):
    r"""Row selection ``S``: keeps the positions ``< keep`` of ``full`` on every axis, in every channel.

    >>> Select(2, 3).as_explicit()
    Matrix([
    [1, 0, 0],
    [0, 1, 0]])
    """

    def __new__(cls, keep: Any, full: Any, channels: Any = 1) -> Select:
        args = _pattern_args([("keep", keep)], full, channels)
        return super().__new__(cls, *args)  # type: ignore[return-value]

    @property
    def output_size(self) -> tuple:
        return tuple(self.args[0])

    @property
    def input_size(self) -> tuple:
        return tuple(self.args[1])

    def _row_of(self, ax: int, col: Any) -> Any:
        return col

    def _name_sub(self) -> tuple[str, tuple]:
        return "S", (self.output_size,)

    def _sympystr(self, printer: Any) -> str:
        parts = self._sub(printer, tuple(self.output_size), tuple(self.input_size))
        if self.channels != 1:
            parts.append(f"channels={self.channels}")
        return f"Select({', '.join(parts)})"
