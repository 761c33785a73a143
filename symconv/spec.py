"""Layer specifications: frozen, validated on construction, PyTorch's semantics.

>>> spec = ConvSpec(kernel_size=3, stride=2, padding=1)
>>> spec.output_shape((5,))
(3,)
>>> t = spec.transpose((5,))
>>> t.output_padding, t.output_shape((3,))
((0,), (5,))
>>> t.transpose() == spec
True
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

import numpy as np

from . import formulas as F
from .errors import ShapeError, SpecError, SpecTypeError
from .weights import transposed_to_conv_weight

__all__ = ["ConvSpec", "TransposedConvSpec", "GatherView"]

Pairs = tuple[tuple[int, int], ...]


def _check_int(name: str, value: Any, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise SpecTypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    value = int(value)
    if minimum is not None and value < minimum:
        rule = "positive" if minimum == 1 else f">= {minimum}"
        raise SpecError(f"{name} must be {rule}, got {value}")
    return value


def _per_axis(name: str, value: Any, ndim: int, minimum: int) -> tuple[int, ...]:
    if isinstance(value, (tuple, list)):
        if len(value) != ndim:
            raise SpecError(f"{name} must have one entry per spatial axis ({ndim}), got {tuple(value)!r} of length {len(value)}")
        return tuple(_check_int(f"{name}[{ax}]", v, minimum) for ax, v in enumerate(value))
    v = _check_int(name, value, minimum)
    return (v,) * ndim


def _kernel_size(value: Any) -> tuple[int, ...]:
    if isinstance(value, (tuple, list)):
        if len(value) == 0:
            raise SpecError("kernel_size must have at least one axis, got ()")
        return tuple(_check_int(f"kernel_size[{ax}]", v, 1) for ax, v in enumerate(value))
    return (_check_int("kernel_size", value, 1),)


def _padding_pairs(value: Any, ndim: int) -> Pairs:
    if isinstance(value, (tuple, list)):
        if len(value) != ndim:
            raise SpecError(
                f"padding must have one entry (an int or a (left, right) pair) per spatial axis ({ndim}), "
                f"got {tuple(value)!r} of length {len(value)}; in 1-D write a pair as ((left, right),)"
            )
        pairs = []
        for ax, item in enumerate(value):
            if isinstance(item, (tuple, list)):
                if len(item) != 2:
                    raise SpecError(f"padding[{ax}] must be an int or a (left, right) pair, got {tuple(item)!r}")
                pairs.append((_check_int(f"padding[{ax}][0]", item[0], 0), _check_int(f"padding[{ax}][1]", item[1], 0)))
            else:
                p = _check_int(f"padding[{ax}]", item, 0)
                pairs.append((p, p))
        return tuple(pairs)
    p = _check_int("padding", value, 0)
    return ((p, p),) * ndim


def _channels(in_channels: Any, out_channels: Any, groups: Any) -> tuple[int, int, int]:
    cin = _check_int("in_channels", in_channels, 1)
    cout = _check_int("out_channels", out_channels, 1)
    g = _check_int("groups", groups, 1)
    if cin % g:
        raise SpecError(f"in_channels must be divisible by groups, got in_channels={cin}, groups={g}")
    if cout % g:
        raise SpecError(f"out_channels must be divisible by groups, got out_channels={cout}, groups={g}")
    return cin, cout, g


def _input_shape(value: Any, ndim: int) -> tuple[int, ...]:
    if isinstance(value, (tuple, list)):
        if len(value) != ndim:
            raise ShapeError(
                f"input_shape must be spatial only, one size per axis ({ndim}), got {tuple(value)!r}"
            )
        return tuple(_check_shape_int(f"input_shape[{ax}]", v) for ax, v in enumerate(value))
    return (_check_shape_int("input_shape", value),) * ndim


def _check_shape_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise SpecTypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    if value < 1:
        raise ShapeError(f"{name} must be positive, got {value}")
    return int(value)


def _torch_kwargs(module: Any, transposed: bool) -> dict:
    """Read a torch.nn.Conv{N}d / ConvTranspose{N}d module's arguments (torch is never imported here).

    A subclass is read as its torch base class, a compiled module (``torch.compile``) through to the original;
    a lazy module that has not been called yet has no channels and is refused.  A bias is not part of the spec
    (it is ``module.bias``) and is not warned about: it is PyTorch's default.
    """
    module = getattr(module, "_orig_mod", module)  # torch.compile's OptimizedModule wraps the original
    expected = ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d") if transposed else ("Conv1d", "Conv2d", "Conv3d")
    names = [c.__name__ for c in type(module).__mro__ if c.__module__.startswith("torch.nn")]
    name = type(module).__name__
    if any(n.startswith("Lazy") and n[4:] in expected for n in names) or getattr(module, "in_channels", 1) == 0:
        raise SpecError(f"{name} is a lazy module whose channels are not known yet: call it once first (on an input "
                        "of the shape it will see), then read it")
    if not any(n in expected for n in names):
        raise SpecTypeError(f"module must be one of torch.nn.{', '.join(expected)} (or a subclass), got {name}")
    mode = getattr(module, "padding_mode", "zeros")
    kwargs = dict(kernel_size=tuple(module.kernel_size), stride=tuple(module.stride), dilation=tuple(module.dilation),
                  in_channels=module.in_channels, out_channels=module.out_channels, groups=module.groups)
    padding = module.padding
    kwargs["padding"] = padding if isinstance(padding, str) else tuple(padding)
    if transposed:
        kwargs["output_padding"] = tuple(module.output_padding)
    kwargs["padding_mode"] = mode
    return kwargs


PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
"""PyTorch's ``padding_mode`` values (torch.nn.Conv{N}d)."""


def _padding_mode(value: Any) -> str:
    if not isinstance(value, str):
        raise SpecTypeError(f"padding_mode must be a string, got {value!r} of type {type(value).__name__}")
    if value not in PADDING_MODES:
        raise SpecError(f"padding_mode must be one of {', '.join(map(repr, PADDING_MODES))}, got {value!r}")
    return value


def _check_mode_sizes(mode: str, shape: tuple[int, ...], padding: Pairs, what: str) -> None:
    """PyTorch's F.pad rules, per axis: reflect needs each amount < n, circular each amount <= n."""
    if mode not in ("reflect", "circular"):
        return
    for ax, (n, (pl, pr)) in enumerate(zip(shape, padding)):
        for side, amount in (("left", pl), ("right", pr)):
            if mode == "reflect" and amount >= n:
                raise ShapeError(
                    f"padding_mode='reflect' on axis {ax}: the {side} padding {amount} must be smaller than the "
                    f"{what} size {n} (F.pad's rule: a mirror of the input without its edge has n - 1 entries)")
            if mode == "circular" and amount > n:
                raise ShapeError(
                    f"padding_mode='circular' on axis {ax}: the {side} padding {amount} must be at most the "
                    f"{what} size {n} (F.pad's rule: padding may not wrap around more than once)")


def _repr(spec: Any) -> str:
    """The dataclass repr, with ``padding_mode`` shown only when it is not the default ``'zeros'``."""
    import dataclasses

    items = [f"{f.name}={getattr(spec, f.name)!r}" for f in dataclasses.fields(spec)
             if f.name != "padding_mode" or spec.padding_mode != "zeros"]
    return f"{type(spec).__name__}({', '.join(items)})"


def _short(x: tuple[int, ...]) -> Any:
    return x[0] if len(set(x)) == 1 else x


class _SpecBase:
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: Pairs
    dilation: tuple[int, ...]
    in_channels: int
    out_channels: int
    groups: int

    @property
    def ndim(self) -> int:
        """Number of spatial axes."""
        return len(self.kernel_size)

    @property
    def padding_left(self) -> tuple[int, ...]:
        return tuple(p[0] for p in self.padding)

    @property
    def padding_right(self) -> tuple[int, ...]:
        return tuple(p[1] for p in self.padding)

    @property
    def beyond_torch(self) -> tuple[str, ...]:
        """What of this layer PyTorch's module cannot take as an argument (empty when it takes all of it).

        ``"padding"`` when some axis is padded unequally on its two sides (PyTorch's ``padding`` is one amount
        per axis, for both sides), ``"padding_mode"`` for a transposed layer whose mode is not ``"zeros"``
        (PyTorch's ConvTranspose refuses it), ``"ndim"`` beyond three spatial axes.

        Examples
        --------
        >>> ConvSpec(3, padding=((1, 2),)).beyond_torch, ConvSpec((3, 3), padding=1).beyond_torch
        (('padding',), ())
        """
        out = []
        if any(left != right for left, right in self.padding):
            out.append("padding")
        if hasattr(self, "output_padding") and getattr(self, "padding_mode", "zeros") != "zeros":
            out.append("padding_mode")
        if self.ndim > 3:
            out.append("ndim")
        return tuple(out)

    def _set(self, **values: Any) -> None:
        for key, value in values.items():
            object.__setattr__(self, key, value)

    def _validate_common(self, padding_rule: Callable[[Any, int], Pairs]) -> None:
        k = _kernel_size(self.kernel_size)
        ndim = len(k)
        s = _per_axis("stride", self.stride, ndim, 1)
        d = _per_axis("dilation", self.dilation, ndim, 1)
        self._set(kernel_size=k, stride=s, dilation=d)
        self._set(padding=padding_rule(self.padding, ndim))
        cin, cout, g = _channels(self.in_channels, self.out_channels, self.groups)
        self._set(in_channels=cin, out_channels=cout, groups=g)

    def _name(self, base: str) -> str:
        return f"{base}{self.ndim}d" if self.ndim <= 3 else f"{base}(ndim={self.ndim})"

    def __str__(self) -> str:
        transposed = hasattr(self, "output_padding")
        extra = f", output_padding={_short(self.output_padding)}" if transposed else ""  # type: ignore[attr-defined]
        mode = getattr(self, "padding_mode", "zeros")
        tail = f", padding_mode={mode!r}" if mode != "zeros" else ""
        return (
            f"{self._name('ConvTranspose' if transposed else 'Conv')}({self.in_channels}, {self.out_channels}, "
            f"kernel_size={_short(self.kernel_size)}, stride={_short(self.stride)}, padding={self._padding_text()}"
            f"{extra}, dilation={_short(self.dilation)}, groups={self.groups}{tail})"
        )

    def _repr_latex_(self) -> str:
        from .latex.printing import spec_latex

        return f"$\\displaystyle {spec_latex(self)}$"

    def _padding_text(self) -> Any:
        if all(left == right for left, right in self.padding):
            return _short(self.padding_left)
        return self.padding


@dataclass(frozen=True)
class ConvSpec(_SpecBase):
    """A convolution (cross-correlation) layer, as torch.nn.Conv{N}d.

    Parameters
    ----------
    kernel_size : int or tuple of int
        Fixes the number of spatial axes; an int means 1-D.
    stride, dilation : int or tuple of int
        Positive; an int means the same on every axis.
    padding : int, tuple, or "valid" / "same"
        An int, one int per axis, one ``(left, right)`` pair per axis, or
        PyTorch's strings (``"same"`` needs stride 1; an odd total puts the
        extra zero on the right).  Stored as one ``(left, right)`` pair per axis.
    in_channels, out_channels, groups : int
        As in PyTorch; groups divides both channel counts.
    padding_mode : {"zeros", "reflect", "replicate", "circular"}
        As in PyTorch: the padded entries are zeros, the input mirrored without its edge, the edge
        repeated, or the input wrapped around.  Per axis, reflect needs each padding amount below the
        input size and circular at most the input size (F.pad's rules, checked with the input shape).

    Raises
    ------
    SpecError
        For a value outside its rule (a stride that is not positive, groups that do not divide the channels,
        an unknown padding string or mode), named with the rule.
    SpecTypeError
        For a parameter of the wrong type (``stride=1.5``, ``stride=True``).

    Examples
    --------
    >>> ConvSpec(3, padding=1, padding_mode="circular")
    ConvSpec(kernel_size=(3,), stride=(1,), padding=((1, 1),), dilation=(1,), in_channels=1, out_channels=1, groups=1, padding_mode='circular')
    >>> ConvSpec((3, 3), padding="same", dilation=(1, 2)).padding
    ((1, 1), (2, 2))
    >>> ConvSpec(4, padding="same").padding
    ((1, 2),)
    >>> ConvSpec(3, stride=0)
    Traceback (most recent call last):
    ...
    symconv.errors.SpecError: stride must be positive, got 0
    """

    kernel_size: Any
    _: KW_ONLY
    stride: Any = 1
    padding: Any = 0
    dilation: Any = 1
    in_channels: int = 1
    out_channels: int = 1
    groups: int = 1
    padding_mode: str = "zeros"

    def __repr__(self) -> str:
        return _repr(self)

    def __post_init__(self) -> None:
        self._set(padding_mode=_padding_mode(self.padding_mode))
        padding = self.padding
        if isinstance(padding, str):
            object.__setattr__(self, "padding", 0)
        self._validate_common(_padding_pairs)
        if isinstance(padding, str):
            self._set(padding=self._padding_from_string(padding))

    @classmethod
    def from_torch(cls, module: Any) -> ConvSpec:
        """The spec of a ``torch.nn.Conv{1,2,3}d`` module, its padding_mode included.

        torch is not imported by symconv: the module's attributes are read.  Subclasses and compiled modules are
        read as their torch base class; a lazy module must be called once first.  The bias is not part of the
        spec (read ``module.bias``).

        Parameters
        ----------
        module : torch.nn.Conv1d, Conv2d or Conv3d
            The module (or a subclass, or a compiled one).

        Returns
        -------
        ConvSpec
            Its kernel size, stride, padding, dilation, channels, groups and padding mode.

        Raises
        ------
        SpecTypeError
            For a module that is not one of these.
        SpecError
            For a lazy module not yet called, or an argument outside symconv's rules.

        Examples
        --------
        >>> import torch
        >>> print(ConvSpec.from_torch(torch.nn.Conv2d(3, 8, 3, stride=2, padding=1, padding_mode="reflect")))
        Conv2d(3, 8, kernel_size=3, stride=2, padding=1, dilation=1, groups=1, padding_mode='reflect')
        """
        return cls(**_torch_kwargs(module, transposed=False))

    def _padding_from_string(self, mode: str) -> Pairs:
        if mode == "valid":
            return ((0, 0),) * self.ndim
        if mode == "same":
            if any(s != 1 for s in self.stride):
                raise SpecError(f"padding='same' needs stride 1 on every axis, got stride={self.stride}")
            totals = [d * (k - 1) for k, d in zip(self.kernel_size, self.dilation)]
            return tuple((t // 2, t - t // 2) for t in totals)
        raise SpecError(f"padding string must be 'valid' or 'same', got {mode!r}")

    @property
    def weight_shape(self) -> tuple[int, ...]:
        """PyTorch's layout ``(out_channels, in_channels // groups, *kernel_size)``."""
        return (self.out_channels, self.in_channels // self.groups) + self.kernel_size

    def check_input_shape(self, input_shape: Any) -> tuple[int, ...]:
        """Validate a spatial input shape and return it as a tuple.

        Parameters
        ----------
        input_shape : int or tuple of int
            The spatial input shape (an int for 1-D).

        Returns
        -------
        tuple of int
            The shape, one positive int per axis.

        Raises
        ------
        ShapeError
            For a shape with the wrong number of axes, a size that is not positive, an input shorter than the
            dilated kernel after padding, or one too short for the padding mode.
        SpecTypeError
            For a size that is not an int.

        Examples
        --------
        >>> ConvSpec(3, stride=2, padding=1).check_input_shape(5)
        (5,)
        >>> ConvSpec(3).check_input_shape((2,))
        Traceback (most recent call last):
        ...
        symconv.errors.ShapeError: input_shape[0]=2 is too small: the padded input (2 + 0 + 0 = 2) must be at least the dilated kernel d(k-1)+1 = 3
        """
        shape = _input_shape(input_shape, self.ndim)
        for ax, (n, k, d, (pl, pr)) in enumerate(zip(shape, self.kernel_size, self.dilation, self.padding)):
            if n + pl + pr < d * (k - 1) + 1:
                raise ShapeError(
                    f"input_shape[{ax}]={n} is too small: the padded input ({n} + {pl} + {pr} = {n + pl + pr}) "
                    f"must be at least the dilated kernel d(k-1)+1 = {d * (k - 1) + 1}"
                )
        _check_mode_sizes(self.padding_mode, shape, self.padding, "input")
        return shape

    def output_shape(self, input_shape: Any) -> tuple[int, ...]:
        """Spatial output shape: ``(n + p_l + p_r - d(k-1) - 1) // s + 1`` per axis.

        Parameters
        ----------
        input_shape : int or tuple of int
            The spatial input shape (an int for 1-D).

        Returns
        -------
        tuple of int
            The output's spatial shape.

        Raises
        ------
        ShapeError, SpecTypeError
            As :meth:`check_input_shape`.

        Examples
        --------
        >>> ConvSpec(3, stride=2, padding=1).output_shape((5,))
        (3,)
        """
        shape = self.check_input_shape(input_shape)
        return tuple(
            F.conv_output_size(n, k, s, pl, pr, d)
            for n, k, s, (pl, pr), d in zip(shape, self.kernel_size, self.stride, self.padding, self.dilation)
        )

    def transpose(self, input_shape: Any) -> TransposedConvSpec:
        """The transposed convolution that maps this layer's output back to ``input_shape``.

        Channels are swapped and ``output_padding = (n + p_l + p_r - d(k-1) - 1) mod s``; the padding mode
        is carried over (for a mode other than zeros the result is symconv's extension: the adjoint layer).

        Parameters
        ----------
        input_shape : int or tuple of int
            The spatial input shape (an int for 1-D).

        Returns
        -------
        TransposedConvSpec
            The layer whose matrix is this layer's transpose, on this layer's output.

        Raises
        ------
        ShapeError, SpecTypeError
            As :meth:`check_input_shape`.

        Examples
        --------
        >>> print(ConvSpec(3, stride=2, padding=1).transpose((6,)))
        ConvTranspose1d(1, 1, kernel_size=3, stride=2, padding=1, output_padding=1, dilation=1, groups=1)
        """
        shape = self.check_input_shape(input_shape)
        a = tuple(
            F.output_padding_for(n, k, s, pl, pr, d)
            for n, k, s, (pl, pr), d in zip(shape, self.kernel_size, self.stride, self.padding, self.dilation)
        )
        return TransposedConvSpec(
            self.kernel_size, stride=self.stride, padding=self.padding, output_padding=a, dilation=self.dilation,
            in_channels=self.out_channels, out_channels=self.in_channels, groups=self.groups,
            padding_mode=self.padding_mode,
        )



@dataclass(frozen=True)
class TransposedConvSpec(_SpecBase):
    """A transposed convolution, as torch.nn.ConvTranspose{N}d.

    Beyond PyTorch, ``padding`` may give one ``(left, right)`` pair per axis, so
    that the transpose of an asymmetrically padded convolution is expressible.
    ``output_padding`` must satisfy ``0 <= a < max(stride, dilation)`` per axis.

    ``padding_mode`` other than ``"zeros"`` is an extension beyond PyTorch (whose ConvTranspose refuses
    it): the layer is *defined* as the transpose (the adjoint) of the convolution
    ``self.transpose()`` with that mode, which PyTorch computes as the input gradient of the
    ``Conv{N}d(padding_mode=...)``.  It is the zero-padding transposed convolution with padding 0
    followed by the *fold* (:mod:`symconv.padding_modes`), and F.pad's rules apply to its output size.

    Parameters
    ----------
    kernel_size : int or tuple of int
        Fixes the number of spatial axes; an int means 1-D.
    stride, dilation : int or tuple of int
        Positive; an int means the same on every axis.
    padding : int or tuple
        An int, one int per axis, or one ``(left, right)`` pair per axis (no strings, as in PyTorch).
    output_padding : int or tuple of int
        Extra output entries on the right per axis, ``0 <= a < max(stride, dilation)``.
    in_channels, out_channels, groups : int
        As in PyTorch; groups divides both channel counts.
    padding_mode : {"zeros", "reflect", "replicate", "circular"}
        Zeros as in PyTorch; the others define the layer as the transpose of the convolution with that mode.

    Raises
    ------
    SpecError
        For a value outside its rule (a padding string, ``output_padding`` too large, groups that do not
        divide the channels), named with the rule.
    SpecTypeError
        For a parameter of the wrong type.

    Examples
    --------
    >>> t = TransposedConvSpec(3, stride=2, padding=1, output_padding=1)
    >>> t.output_shape((3,))
    (6,)
    >>> TransposedConvSpec(3, stride=2, output_padding=2)
    Traceback (most recent call last):
    ...
    symconv.errors.SpecError: output_padding[0]=2 must be smaller than max(stride, dilation) = max(2, 1) = 2
    """

    kernel_size: Any
    _: KW_ONLY
    stride: Any = 1
    padding: Any = 0
    output_padding: Any = 0
    dilation: Any = 1
    in_channels: int = 1
    out_channels: int = 1
    groups: int = 1
    padding_mode: str = "zeros"

    def __repr__(self) -> str:
        return _repr(self)

    def __post_init__(self) -> None:
        self._set(padding_mode=_padding_mode(self.padding_mode))
        if isinstance(self.padding, str):
            raise SpecError(
                f"padding={self.padding!r}: strings are not accepted by transposed convolutions "
                "(as in PyTorch); give ints or (left, right) pairs"
            )
        self._validate_common(_padding_pairs)
        a = _per_axis("output_padding", self.output_padding, self.ndim, 0)
        for ax, (ai, s, d) in enumerate(zip(a, self.stride, self.dilation)):
            if ai >= max(s, d):
                raise SpecError(
                    f"output_padding[{ax}]={ai} must be smaller than max(stride, dilation) = max({s}, {d}) = {max(s, d)}"
                )
        self._set(output_padding=a)

    @classmethod
    def from_torch(cls, module: Any) -> TransposedConvSpec:
        """The spec of a ``torch.nn.ConvTranspose{1,2,3}d`` module (PyTorch allows only 'zeros'), as
        :meth:`ConvSpec.from_torch`.

        Parameters
        ----------
        module : torch.nn.ConvTranspose1d, ConvTranspose2d or ConvTranspose3d
            The module (or a subclass, or a compiled one).

        Returns
        -------
        TransposedConvSpec
            Its arguments, output padding included.

        Raises
        ------
        SpecTypeError, SpecError
            As :meth:`ConvSpec.from_torch`.

        Examples
        --------
        >>> import torch
        >>> print(TransposedConvSpec.from_torch(torch.nn.ConvTranspose1d(2, 4, 4, stride=2, padding=1)))
        ConvTranspose1d(2, 4, kernel_size=4, stride=2, padding=1, output_padding=0, dilation=1, groups=1)
        """
        return cls(**_torch_kwargs(module, transposed=True))

    @property
    def weight_shape(self) -> tuple[int, ...]:
        """PyTorch's layout ``(in_channels, out_channels // groups, *kernel_size)``."""
        return (self.in_channels, self.out_channels // self.groups) + self.kernel_size

    def _sizes(self, shape: tuple[int, ...]):
        return zip(shape, self.kernel_size, self.stride, self.padding, self.dilation, self.output_padding)

    def check_input_shape(self, input_shape: Any) -> tuple[int, ...]:
        """Validate a spatial input shape (the output must be non-empty).

        Parameters
        ----------
        input_shape : int or tuple of int
            The spatial input shape (an int for 1-D).

        Returns
        -------
        tuple of int
            The shape, one positive int per axis.

        Raises
        ------
        ShapeError
            For a shape with the wrong number of axes, a size that is not positive, an empty output, or an
            output too short for the padding mode.
        SpecTypeError
            For a size that is not an int.

        Examples
        --------
        >>> TransposedConvSpec(3, stride=2, padding=1).check_input_shape(3)
        (3,)
        """
        shape = _input_shape(input_shape, self.ndim)
        for ax, (n, k, s, (pl, pr), d, a) in enumerate(self._sizes(shape)):
            n_t = F.transposed_output_size(n, k, s, pl, pr, d, a)
            if n_t < 1:
                raise ShapeError(
                    f"input_shape[{ax}]={n} gives an empty output: (n-1)s - p_l - p_r + d(k-1) + a + 1 = {n_t} "
                    "must be positive"
                )
        if self.padding_mode != "zeros":
            n_t = tuple(F.transposed_output_size(n, k, s, pl, pr, d, a) for n, k, s, (pl, pr), d, a in self._sizes(shape))
            _check_mode_sizes(self.padding_mode, n_t, self.padding, "output")
        return shape

    def output_shape(self, input_shape: Any) -> tuple[int, ...]:
        """Spatial output shape: ``(n-1)s - p_l - p_r + d(k-1) + a + 1`` per axis.

        Parameters
        ----------
        input_shape : int or tuple of int
            The spatial input shape (an int for 1-D).

        Returns
        -------
        tuple of int
            The output's spatial shape.

        Raises
        ------
        ShapeError, SpecTypeError
            As :meth:`check_input_shape`.

        Examples
        --------
        >>> TransposedConvSpec(3, stride=2, padding=1, output_padding=1).output_shape((3,))
        (6,)
        """
        shape = self.check_input_shape(input_shape)
        return tuple(F.transposed_output_size(n, k, s, pl, pr, d, a) for n, k, s, (pl, pr), d, a in self._sizes(shape))

    def transpose(self) -> ConvSpec:
        """The convolution this layer transposes (same weight tensor).

        Returns
        -------
        ConvSpec
            The convolution, channels swapped, the padding mode carried over.

        Examples
        --------
        >>> print(TransposedConvSpec(3, stride=2, padding=1, output_padding=1).transpose())
        Conv1d(1, 1, kernel_size=3, stride=2, padding=1, dilation=1, groups=1)
        """
        return ConvSpec(
            self.kernel_size, stride=self.stride, padding=self.padding, dilation=self.dilation,
            in_channels=self.out_channels, out_channels=self.in_channels, groups=self.groups,
            padding_mode=self.padding_mode,
        )

    def as_convolution(self) -> GatherView:
        """The equivalent direct convolution (the gather view), as data (zero padding only).

        Returns
        -------
        GatherView
            The zero insertion, the padding and the stride-1 convolution.

        Raises
        ------
        SpecError
            For a padding mode other than zeros.

        Examples
        --------
        >>> TransposedConvSpec(3, stride=2).as_convolution().padding
        ((2, 2),)
        """
        if self.padding_mode != "zeros":
            raise SpecError(f"as_convolution() describes the zero-padding layer; padding_mode={self.padding_mode!r} "
                            "is the fold of the padding-0 layer (see symconv.padding_modes)")
        pads = tuple(
            (F.gather_padding_left(k, pl, d), F.gather_padding_right(k, pr, d, a))
            for k, (pl, pr), d, a in zip(self.kernel_size, self.padding, self.dilation, self.output_padding)
        )
        conv = ConvSpec(
            self.kernel_size, stride=1, padding=0, dilation=self.dilation,
            in_channels=self.in_channels, out_channels=self.out_channels, groups=self.groups,
        )
        return GatherView(self, self.stride, pads, conv)


@dataclass(frozen=True)
class GatherView:
    """A transposed convolution as a direct convolution (see ``as_convolution``).

    ``x = conv(window(zero_insert(y, zero_insertion), padding), transform_weight(w))``
    where ``conv`` has stride 1, padding 0 and the layer's dilation.

    Attributes
    ----------
    tspec : TransposedConvSpec
        The transposed convolution.
    zero_insertion : tuple of int
        The factor ``s`` per axis (``s - 1`` zeros between neighbours).
    padding : tuple of (int, int)
        ``(d(k-1) - p_l, d(k-1) - p_r + a)`` per axis; a negative amount crops.
    conv : ConvSpec
        The stride-1 convolution with the transformed weight.

    Examples
    --------
    >>> view = TransposedConvSpec(3, stride=2, padding=1).as_convolution()
    >>> view.zero_insertion, view.padding
    ((2,), ((1, 1),))
    >>> view.transform_weight([[[1, 2, 3]]]).tolist()
    [[[3, 2, 1]]]
    """

    tspec: TransposedConvSpec
    zero_insertion: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    conv: ConvSpec = field(repr=True)

    def transform_weight(self, weight: Any) -> Any:
        """Group-wise channel swap and spatial flip of a ConvTranspose weight.

        Accepts a sympy Array (returns a sympy Array), or anything numpy takes.

        Parameters
        ----------
        weight : sympy Array or array_like
            The ConvTranspose weight ``(C_in, C_out/g, *k)``.

        Returns
        -------
        sympy Array or numpy.ndarray
            The weight of the gather view's convolution ``(C_out, C_in/g, *k)``, flipped on every spatial axis.

        Examples
        --------
        >>> TransposedConvSpec(2, in_channels=1, out_channels=2).as_convolution().transform_weight([[[1, 2], [3, 4]]])
        array([[[2, 1]],
        <BLANKLINE>
               [[4, 3]]])
        """
        import sympy

        if isinstance(weight, sympy.NDimArray):
            from .kernels import flat_entries

            arr = np.array(flat_entries(weight), dtype=object).reshape(weight.shape)
            out = transposed_to_conv_weight(arr, self.tspec.groups, self.tspec.ndim)
            return sympy.ImmutableDenseNDimArray(out.ravel().tolist(), out.shape)
        return transposed_to_conv_weight(weight, self.tspec.groups, self.tspec.ndim)

    @property
    def tap_permutation(self) -> np.ndarray:
        """Flat tap ids of the ConvTranspose weight, in the gather weight's order."""
        n = math.prod(self.tspec.weight_shape)
        return np.asarray(self.transform_weight(np.arange(n).reshape(self.tspec.weight_shape))).ravel()
