"""The port object, the layer and layout arguments, and the arithmetic every target shares.

A port is *source code*: each target writes a short Python program that defines ``fn(x, w, b=None)``,
``weight(w)`` (PyTorch's weight to what ``fn`` takes), ``weight_to_torch(w)`` (and back) and ``bias(b)``.
The program is executed to give the port its callables, so the code a user pastes is the code that was
verified.  Only integers and fixed names reach the generated code (never a user-supplied string).
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import numeric
from ..errors import SpecError, SpecTypeError
from ..spec import ConvSpec, TransposedConvSpec
from ..weights import flip_kernel

__all__ = ["Port", "TARGETS", "as_spec", "resolve_layout", "transposed_plan", "porting_mistakes", "verify_function"]

TARGETS = ("torch", "jax", "flax", "keras", "onnx")
_SPATIAL = {1: "W", 2: "HW", 3: "DHW"}
_CHANNELS_LAST_DEFAULT = ("flax", "keras")


def as_spec(layer: Any) -> ConvSpec | TransposedConvSpec:
    """A spec, or the spec of a ``torch.nn.Conv{N}d`` / ``ConvTranspose{N}d`` module (its attributes are read)."""
    if isinstance(layer, (ConvSpec, TransposedConvSpec)):
        return layer
    name = type(layer).__name__
    cls: Any = ({"Conv": ConvSpec, "ConvTranspose": TransposedConvSpec}.get(name[:-2])
                if name[-2:] in ("1d", "2d", "3d") else None)
    if cls is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the bias is the port's argument, not ignored
            return cls.from_torch(layer)
    raise SpecTypeError(f"layer must be a ConvSpec, a TransposedConvSpec or a torch.nn Conv/ConvTranspose module, "
                        f"got {name}")


def resolve_layout(target: str, ndim: int, layout: Any) -> tuple[str, bool]:
    """The data layout string (e.g. ``'NCHW'``) and whether channels come last.

    ``layout`` is None (the target's own default: channels last for Flax and Keras, first otherwise),
    ``'channels_first'``, ``'channels_last'``, or the explicit string (``'NCW'``, ``'NHWC'``, ``'NCDHW'``, ...).

    >>> resolve_layout("flax", 2, None), resolve_layout("onnx", 3, "channels_last")
    (('NHWC', True), ('NDHWC', True))
    """
    if ndim not in _SPATIAL:
        raise SpecError(f"ports are for layers with 1 to 3 spatial axes (as torch.nn has); this layer has {ndim}")
    sp = _SPATIAL[ndim]
    first, last = "NC" + sp, "N" + sp + "C"
    if layout is None:
        layout = "channels_last" if target in _CHANNELS_LAST_DEFAULT else "channels_first"
    if layout in ("channels_first", first):
        return first, False
    if layout in ("channels_last", last):
        return last, True
    raise SpecError(f"layout must be 'channels_first', 'channels_last', {first!r} or {last!r} for a {ndim}-D layer, "
                    f"got {layout!r}")


@dataclass(frozen=True)
class AxisPlan:
    """How one axis of a transposed convolution is computed from a framework's full ("VALID") output.

    The input is padded on the right by ``extra`` zeros (in its own units); the framework's padding of the
    dilated input is ``pads`` (never negative: XLA mishandles negative padding); the result is cropped by
    ``crop`` on each side.
    """

    extra: int
    pads: tuple[int, int]
    crop: tuple[int, int]


def xla_extra(tspec: TransposedConvSpec, input_shape: tuple[int, ...] | None) -> tuple[list[int], str]:
    """Zeros to append to the input per axis so that XLA:CPU's simplifier does not abort (see ``legacy``).

    With a stride > 1 (lhs_dilation), on every axis where the given input is shorter than the dilated kernel;
    none without a shape.
    """
    extents = [d * (k - 1) + 1 for k, d in zip(tspec.kernel_size, tspec.dilation)]
    if input_shape is None or all(s == 1 for s in tspec.stride):
        return [0] * tspec.ndim, ""
    extra = [max(0, e - n) for n, e in zip(input_shape, extents)]
    if not any(extra):
        return extra, ""
    why = "; ".join(f"axis {ax}: input {n} < dilated kernel {e}" for ax, (n, e, q) in
                    enumerate(zip(input_shape, extents, extra)) if q)
    return extra, ("XLA workaround: XLA:CPU (jax 0.10.2) aborts on lhs_dilation when an input axis is shorter than "
                   f"the dilated kernel ({why}); the input is padded with zeros on the right first and the extra "
                   "output is cropped: the same layer")


def xla_risk(tspec: TransposedConvSpec) -> list[int]:
    """Axes on which an input shorter than the dilated kernel may abort XLA:CPU (any stride > 1: lhs_dilation)."""
    if all(s == 1 for s in tspec.stride):
        return []
    return [ax for ax, (k, d) in enumerate(zip(tspec.kernel_size, tspec.dilation)) if d * (k - 1) > 0]


def transposed_plan(tspec: TransposedConvSpec, input_shape: tuple[int, ...] | None, *, full: bool,
                    extra: list[int] | None = None) -> list[AxisPlan]:
    """Per-axis plan.  ``full=False``: the gather padding ``(d(k-1) - p_l, d(k-1) - p_r + a)`` with negative
    amounts turned into crops (JAX, Flax).  ``full=True``: the framework computes the full output (Keras'
    'valid'), and ``p_l``, ``p_r - a`` are cropped, the input being padded when ``a > p_r``.
    """
    if extra is None:
        extra, _ = xla_extra(tspec, input_shape)
    plans = []
    for (pl, pr), k, s, d, a, q in zip(tspec.padding, tspec.kernel_size, tspec.stride, tspec.dilation,
                                      tspec.output_padding, extra):
        e = d * (k - 1)
        if full:
            q = max(q, -((pr - a) // s) if a > pr else 0)
            plans.append(AxisPlan(q, (e, e), (pl, pr - a + s * q)))
        else:
            left, right = e - pl, e - pr + a - s * q
            plans.append(AxisPlan(q, (max(left, 0), max(right, 0)), (max(-left, 0), max(-right, 0))))
    return plans


def spec_text(spec: ConvSpec | TransposedConvSpec) -> str:
    """The layer as one comment line."""
    return str(spec)


def _numpy(value: Any) -> np.ndarray:
    detach = getattr(value, "detach", None)
    if detach is not None:  # a torch tensor
        value = detach().cpu().numpy()
    return np.asarray(value)


@dataclass(frozen=True, eq=False)
class Port:
    """A layer carried to a framework as code that runs there.

    Attributes
    ----------
    target : str
        ``'torch'``, ``'jax'``, ``'flax'``, ``'keras'`` or ``'onnx'``.
    spec : ConvSpec or TransposedConvSpec
        The layer (PyTorch's semantics).
    layout : str
        The data layout ``fn`` takes and returns, e.g. ``'NCHW'`` or ``'NHWC'``.
    kernel_layout : str
        The layout of the weight ``fn`` takes (what :meth:`weight` returns), e.g. ``'OIHW'`` or ``'HWIO'``.
    input_shape : tuple of int or None
        The spatial input shape the port was made for (it decides the XLA workaround), if given.
    source : str
        A Python program defining ``fn``, ``weight``, ``weight_to_torch`` and ``bias``; ``print(port)`` prints it.
    notes : tuple of str
        What had to be done and why.

    Examples
    --------
    >>> import torch  # the port runs in PyTorch
    >>> from symconv import TransposedConvSpec
    >>> from symconv.translate import port
    >>> p = port(TransposedConvSpec(3, stride=2), "torch")
    >>> p.layout, p.kernel_layout, "F.conv_transpose1d(x, w, b, stride=(2,)" in p.source
    ('NCW', 'IOW', True)
    >>> p.verify(input_shape=(4,)).exact
    True
    """

    target: str
    spec: ConvSpec | TransposedConvSpec
    layout: str
    kernel_layout: str
    input_shape: tuple[int, ...] | None
    source: str
    notes: tuple[str, ...]
    namespace: dict = field(repr=False)
    to_array: Callable = field(repr=False)
    to_numpy: Callable = field(repr=False)

    @property
    def fn(self) -> Callable:
        """``fn(x, w, b=None)``: a batch in :attr:`layout`, the weight as :meth:`weight` returns it."""
        return self.namespace["fn"]

    def weight(self, w: Any) -> Any:
        """PyTorch's weight (numpy or torch) converted to what :attr:`fn` takes.

        Parameters
        ----------
        w : array_like
            The weight in PyTorch's layout.

        Returns
        -------
        array
            The weight in :attr:`kernel_layout`, as the target's array.

        Examples
        --------
        >>> import jax  # the port runs in JAX (Flax's layouts)
        >>> import numpy as np
        >>> from symconv import ConvSpec
        >>> from symconv.translate import port
        >>> p = port(ConvSpec((3, 3), in_channels=2, out_channels=4), "flax")
        >>> p.kernel_layout, np.asarray(p.weight(np.zeros((4, 2, 3, 3)))).shape
        ('HWIO', (3, 3, 2, 4))
        """
        return self.namespace["weight"](_numpy(w))

    def weight_to_torch(self, w: Any) -> np.ndarray:
        """The inverse of :meth:`weight`: the target's weight in PyTorch's layout (numpy).

        Parameters
        ----------
        w : array
            The weight in :attr:`kernel_layout`.

        Returns
        -------
        numpy.ndarray
            The weight in PyTorch's layout.

        Examples
        --------
        >>> import jax  # the port runs in JAX (Flax's layouts)
        >>> import numpy as np
        >>> from symconv import ConvSpec
        >>> from symconv.translate import port
        >>> p = port(ConvSpec((3, 3), in_channels=2, out_channels=4), "flax")
        >>> p.weight_to_torch(p.weight(np.zeros((4, 2, 3, 3)))).shape
        (4, 2, 3, 3)
        """
        return np.asarray(self.to_numpy(self.namespace["weight_to_torch"](w)))

    def bias(self, b: Any) -> Any:
        """PyTorch's bias (or None) as :attr:`fn` takes it.

        Parameters
        ----------
        b : array_like or None
            The bias, one entry per output channel.

        Returns
        -------
        array or None
            The bias as the target's array.

        Examples
        --------
        >>> import jax  # the port runs in JAX (Flax's layouts)
        >>> import numpy as np
        >>> from symconv import ConvSpec
        >>> from symconv.translate import port
        >>> p = port(ConvSpec((3, 3), in_channels=2, out_channels=4), "flax")
        >>> np.asarray(p.bias(np.ones(4))).shape, p.bias(None)
        ((4,), None)
        """
        return None if b is None else self.namespace["bias"](_numpy(b))

    def __str__(self) -> str:
        return self.source

    def __call__(self, x: Any, w: Any, b: Any = None) -> Any:
        return self.fn(x, w, b)

    def batch_fn(self, w: np.ndarray, b: np.ndarray | None, dtype: Any = np.float32) -> Callable:
        """A numpy function of a channels-first batch that runs :attr:`fn` in the target (for the identity test).

        Parameters
        ----------
        w : numpy.ndarray
            The weight in PyTorch's layout.
        b : numpy.ndarray or None
            The bias.
        dtype : numpy dtype
            The precision the inputs, the weight and the bias are given in.

        Returns
        -------
        callable
            ``run(x)`` for ``x`` of shape ``(N, C_in, *spatial)``, returning ``(N, C_out, *spatial_out)``.

        Examples
        --------
        >>> import jax  # the port runs in JAX (Flax's layouts)
        >>> import numpy as np
        >>> from symconv import ConvSpec
        >>> from symconv.translate import port
        >>> p = port(ConvSpec((3, 3), in_channels=2, out_channels=4), "flax")
        >>> p.batch_fn(np.zeros((4, 2, 3, 3)), None)(np.ones((1, 2, 5, 5))).shape
        (1, 4, 3, 3)
        """
        last = self.layout.endswith("C")
        nd = self.spec.ndim
        wt = self.weight(np.asarray(w, dtype=dtype))
        bt = None if b is None else self.bias(np.asarray(b, dtype=dtype))

        def run(xb: np.ndarray) -> np.ndarray:
            x = np.asarray(xb, dtype=dtype)
            if last:
                x = np.moveaxis(x, 1, -1)
            out = np.asarray(self.to_numpy(self.fn(self.to_array(np.ascontiguousarray(x)), wt, bt)))
            return np.moveaxis(out, -1, 1) if last and out.ndim == nd + 2 else out

        return run

    def verify(self, weight: Any = None, bias: Any = None, input_shape: Any = None, *, seed: int = 0) -> Any:
        """Run :mod:`symconv.testing`'s randomized identity test on :attr:`fn` in the target framework.

        ``weight`` and ``bias`` (PyTorch's layout) default to random integers (a bias is always tested);
        ``input_shape`` defaults to the port's, else 8 per axis.

        Parameters
        ----------
        weight, bias : array_like, optional
            In PyTorch's layout (default: random integers, and a random bias).
        input_shape : tuple of int, optional
            The spatial input shape.
        seed : int
            Seed of the random weight and inputs.

        Returns
        -------
        Verification
            What the identity test established.

        Raises
        ------
        AssertionError
            When the port is not the layer, naming the porting mistake when one matches.
        ShapeError
            For an input shape the layer cannot take.

        Examples
        --------
        >>> import jax  # the port runs in JAX (Flax's layouts)
        >>> import numpy as np
        >>> from symconv import ConvSpec
        >>> from symconv.translate import port
        >>> p = port(ConvSpec((3, 3), in_channels=2, out_channels=4), "flax")
        >>> p.verify(input_shape=(5, 5)).exact
        True
        """

        spec = self.spec
        shape = input_shape if input_shape is not None else self.input_shape
        shape = spec.check_input_shape(shape if shape is not None else (8,) * spec.ndim)
        rng = np.random.default_rng(seed)
        w = rng.integers(-3, 4, spec.weight_shape).astype(np.float64) if weight is None else _numpy(weight)
        b = rng.integers(-3, 4, spec.out_channels).astype(np.float64) if bias is None and weight is None else bias
        b = None if b is None else _numpy(b).astype(np.float64)
        return verify_function(self.batch_fn(w, b), spec, w, shape, bias=b, framework="numpy", dtype="float32",
                               seed=seed, who=f"the {self.target} port")


def verify_function(fn: Callable, layer: Any, weight: Any, input_shape: Any, *, bias: Any = None,
                    batched: bool = True, framework: str | None = None, dtype: Any = None, seed: int = 0,
                    who: str = "the function") -> Any:
    """:mod:`symconv.testing`'s identity test of ``fn`` (a channels-first batch by default) against ``layer``,
    and on failure the porting mistake it makes, by name (:func:`porting_mistakes`).

    Parameters
    ----------
    fn : callable
        The ported function, of a channels-first batch ``(N, C_in, *spatial)`` unless ``batched=False``.
    layer : ConvSpec, TransposedConvSpec or torch.nn module
        The layer ``fn`` should compute.
    weight : array_like
        The weight in PyTorch's layout.
    input_shape : tuple of int
        The spatial input shape.
    bias : array_like, optional
        None: ``fn`` must be linear.
    batched, framework, dtype, seed
        As for :func:`symconv.testing.assert_is_convolution`.
    who : str
        How the failure message names ``fn``.

    Returns
    -------
    Verification
        What the identity test established.

    Raises
    ------
    AssertionError
        When ``fn`` is not the layer; the last line names the porting mistake when one matches.
    SpecTypeError, ShapeError, SpecError
        For bad input, as :func:`symconv.testing.assert_is_convolution`.

    Examples
    --------
    >>> import numpy as np
    >>> from symconv import ConvSpec, numeric
    >>> spec, w = ConvSpec(3, padding=((0, 1),)), np.array([[[1.0, 2.0, 3.0]]])
    >>> verify_function(lambda x: numeric.conv(spec, w, x), spec, w, (5,), batched=False).exact
    True
    >>> swapped = ConvSpec(3, padding=((1, 0),))
    >>> verify_function(lambda x: numeric.conv(swapped, w, x), spec, w, (5,), batched=False)
    Traceback (most recent call last):
    ...
    AssertionError: the function is not the convolution ...
    ...
    porting mistake: the function equals the convolution with left and right padding exchanged (TensorFlow/Keras 'same' puts the extra zero on the right)
    """
    from .. import testing

    spec = as_spec(layer)
    check: Any = (testing.assert_is_transposed_convolution if isinstance(spec, TransposedConvSpec)
             else testing.assert_is_convolution)
    options = dict(batched=batched, framework=framework, dtype=dtype)
    try:
        return check(fn, spec, weight, input_shape, bias=bias, seed=seed, **options)
    except AssertionError as exc:
        named = diagnose_port(fn, spec, weight, input_shape, bias, **options)
        if named is None:
            raise
        raise AssertionError(f"{exc}\nporting mistake: {who} equals {named}") from None


def porting_mistakes(spec: ConvSpec | TransposedConvSpec) -> list[tuple[str, Any, Callable]]:
    """The usual porting mistakes as (name, the layer they compute, weight transform), for a diagnosis by name.

    Parameters
    ----------
    spec : ConvSpec or TransposedConvSpec
        The layer being ported.

    Returns
    -------
    list of (str, ConvSpec or TransposedConvSpec, callable)
        For each mistake that differs from ``spec``: its name, the layer it computes instead, and what it does to
        PyTorch's weight.  Empty when no usual mistake applies (e.g. symmetric padding of a convolution).

    Examples
    --------
    >>> from symconv import TransposedConvSpec
    >>> [name[:40] for name, _, _ in porting_mistakes(TransposedConvSpec((3, 3), stride=2, padding=((0, 1), (0, 1))))]
    ["Flax's/lax.conv_transpose's default tran", 'asymmetric padding ((0, 1), (0, 1)) (e.g']
    """
    out: list[tuple[str, Any, Callable]] = []
    if isinstance(spec, TransposedConvSpec):
        out.append(("Flax's/lax.conv_transpose's default transpose_kernel=False given PyTorch's weight (the kernel "
                    "is not flipped)", spec, lambda w: flip_kernel(w, spec.ndim)))
        pads, a = [], []
        for (pl, pr), ai in zip(spec.padding, spec.output_padding):
            big = max(pl, pr)
            pads.append(big)
            a.append(ai + abs(pr - pl))
        if pads != list(spec.padding_left) or any(pl != pr for pl, pr in spec.padding):
            try:
                wrong = TransposedConvSpec(spec.kernel_size, stride=spec.stride, padding=tuple(pads),
                                           output_padding=tuple(a), dilation=spec.dilation,
                                           in_channels=spec.in_channels, out_channels=spec.out_channels,
                                           groups=spec.groups)
                out.append((f"asymmetric padding {spec.padding} (e.g. Keras' padding='same') ported as the "
                            f"symmetric padding={tuple(pads)}, output_padding={tuple(a)}: the right shape, the "
                            "values shifted by one pixel", wrong, lambda w: w))
            except SpecError:
                pass
    else:
        if any(pl != pr for pl, pr in spec.padding):
            wrong_c = ConvSpec(spec.kernel_size, stride=spec.stride, padding=tuple((r, left) for left, r in spec.padding),
                               dilation=spec.dilation, in_channels=spec.in_channels, out_channels=spec.out_channels,
                               groups=spec.groups)
            out.append(("the convolution with left and right padding exchanged (TensorFlow/Keras 'same' puts the "
                        "extra zero on the right)", wrong_c, lambda w: w))
    return out


def diagnose_port(run: Callable, spec: Any, w: Any, shape: Any, b: Any, **options: Any) -> str | None:
    """The name of the porting mistake ``run`` makes (options as :mod:`symconv.testing`'s), or None."""
    from .. import testing

    shape = spec.check_input_shape(shape)
    w = np.asarray(_numpy(w), dtype=np.float64)
    for name, wrong, transform in porting_mistakes(spec):
        if wrong.output_shape(shape) != spec.output_shape(shape):
            continue
        check = (testing.assert_is_transposed_convolution if isinstance(wrong, TransposedConvSpec)
                 else testing.assert_is_convolution)
        try:
            check(run, wrong, transform(w), shape, bias=b, **options)
        except (AssertionError, ValueError, TypeError):
            continue
        return name
    return None


def reference(spec: ConvSpec | TransposedConvSpec, w: Any, x: Any, b: Any = None) -> np.ndarray:
    """The numeric reference on one channels-first batch element (for tests and benchmarks)."""
    out = (numeric.conv_transpose(spec, w, x) if isinstance(spec, TransposedConvSpec) else numeric.conv(spec, w, x))
    if b is not None:
        out = out + np.asarray(b).reshape((-1,) + (1,) * spec.ndim)
    return out


def execute(source: str, target: str) -> dict:
    """Run a generated program and return its namespace (the module name keeps tracebacks readable)."""
    namespace: dict = {"__name__": f"symconv_port_{target}"}
    code = compile(source, f"<symconv port to {target}>", "exec")
    exec(code, namespace)  # noqa: S102 - our own generated code, from integers and fixed names only
    return namespace


def tup(values: Any) -> str:
    """A tuple of ints as Python source (one element keeps its comma)."""
    values = tuple(int(v) for v in values)
    return f"({values[0]},)" if len(values) == 1 else repr(values)


def pairs(values: Any) -> str:
    return "(" + ", ".join(tup(p) for p in values) + ("," if len(values) == 1 else "") + ")"


def module(name: str) -> Any:
    """An already-imported module (the generated program imported it)."""
    return sys.modules[name]


def prod(values: Any) -> int:
    return math.prod(values)
