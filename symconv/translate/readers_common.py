"""Arithmetic and validation shared by the readers: 'SAME' padding, the gather padding back to PyTorch's."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError, SpecError, SpecTypeError

__all__ = ["same_padding", "from_gather_padding"]


def same_padding(n: int, k: int, s: int, d: int) -> tuple[int, int]:
    """TensorFlow/XLA 'SAME' for a convolution: output ``ceil(n/s)``, the odd zero on the right."""
    e = d * (k - 1) + 1
    total = max((-(-n // s) - 1) * s + e - n, 0)
    return total // 2, total - total // 2


def from_gather_padding(k: int, s: int, d: int, left: int, right: int, who: str, ax: int) -> tuple[int, int, int]:
    """PyTorch's ``(p_l, p_r, a)`` from the padding ``(L, R)`` of the zero-inserted input (the gather view,
    as ``lax.conv_transpose``, Flax and Keras take it): ``L = d(k-1) - p_l``, ``R = d(k-1) - p_r + a``.

    >>> from_gather_padding(3, 2, 1, 2, 1, "Keras 'same'", 0)   # Conv2DTranspose(3, strides=2, padding='same')
    (0, 1, 0)
    >>> from_gather_padding(3, 2, 1, 3, 2, "Flax", 0)
    Traceback (most recent call last):
    ...
    symconv.errors.SpecError: Flax: axis 0 pads the zero-inserted input by 3 on the left, beyond the dilated kernel's reach d(k-1) = 2: that adds outputs no input reaches, which no PyTorch ConvTranspose (padding >= 0) computes
    """
    e = d * (k - 1)
    pl, rest = e - left, e - right
    if pl < 0:
        raise SpecError(f"{who}: axis {ax} pads the zero-inserted input by {left} on the left, beyond the dilated "
                        f"kernel's reach d(k-1) = {e}: that adds outputs no input reaches, which no PyTorch "
                        "ConvTranspose (padding >= 0) computes")
    if rest >= 0:
        return pl, rest, 0
    a = -rest
    if a >= max(s, d):
        raise SpecError(f"{who}: axis {ax} pads the zero-inserted input by {right} on the right, {a} beyond the "
                        f"dilated kernel's reach d(k-1) = {e}: PyTorch's output_padding must be < max(stride, "
                        f"dilation) = {max(s, d)}")
    return pl, 0, a


def _ints(value: Any, nd: int, name: str, who: str) -> tuple[int, ...]:
    if value is None:
        return (1,) * nd
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * nd
    try:
        out = tuple(int(v) for v in value)
    except (TypeError, ValueError):
        raise SpecTypeError(f"{who}: {name} must be integers, got {value!r}") from None
    if len(out) != nd:
        raise SpecError(f"{who}: {name} has {len(out)} entries for {nd} spatial axes: {value!r}")
    return out


def _array(value: Any, who: str, name: str) -> np.ndarray:
    value = getattr(value, "value", value)  # keras.Variable / nnx.Param
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise SpecTypeError(f"{who}: {name} must be an array of numbers, got {type(value).__name__}") from None
    if not np.all(np.isfinite(arr)):
        raise SpecError(f"{who}: {name} has entries that are not finite (inf or nan)")
    return arr


def _spatial(input_shape: Any, nd: int, who: str, why: str) -> tuple[int, ...]:
    if input_shape is None:
        raise SpecError(f"{who}: {why} depends on the input length; pass input_shape= (spatial, {nd} values)")
    shape = tuple(input_shape)
    if len(shape) != nd or not all(isinstance(n, (int, np.integer)) and n >= 1 for n in shape):
        raise ShapeError(f"{who}: input_shape must be {nd} positive integers, got {input_shape!r}")
    return tuple(int(n) for n in shape)


def _transposed_string_pads(mode: str, k: int, s: int, d: int) -> tuple[int, int]:
    """``lax.conv_transpose``'s padding for 'SAME' and 'VALID' (of the dilated kernel)."""
    e = d * (k - 1) + 1
    if mode == "SAME":
        total = e + s - 2
        left = e - 1 if s > e - 1 else -(-total // 2)
    else:
        total = e + s - 2 + max(e - s, 0)
        left = e - 1
    return left, total - left


def _keras_transposed_pads(k: int, s: int, d: int, padding: str, output_padding: Any) -> tuple[int, int]:
    """Keras 3's padding of the zero-inserted input for Conv{N}DTranspose (its JAX backend's rule)."""
    e = d * (k - 1) + 1
    if padding == "valid":
        a = max(e, s) - e if output_padding is None else output_padding
        return e - 1, e - 1 + a
    total = s + e - 2 if output_padding is None else e + e % 2 - 2 + output_padding
    left = min(total // 2 + total % 2, e - 1)
    return left, total - left
