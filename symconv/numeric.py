"""Numeric reference: convolution and transposed convolution in plain numpy.

Written independently of :mod:`symconv.structure` and :mod:`symconv.matrices`:
slices over kernel taps, no index equation.  Works for float, int and object
(sympy) arrays; one batch element, tensors of shape ``(channels, *spatial)``.

>>> import numpy as np
>>> from symconv import ConvSpec
>>> conv(ConvSpec(3, padding=1), np.array([[[1, 2, 3]]]), np.array([[1, 0, 0, 1]]))
array([[2, 1, 3, 2]])
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .errors import ShapeError, SizeLimitError
from .spec import ConvSpec, TransposedConvSpec

__all__ = ["conv", "conv_transpose", "NUMERIC_LIMIT"]

NUMERIC_LIMIT = 2**27
"""Largest output tensor (entries) the numeric reference allocates (settable)."""


def _check_size(shape: tuple[int, ...]) -> None:
    size = 1
    for n in shape:
        size *= n
    if size > NUMERIC_LIMIT:
        raise SizeLimitError(f"the output tensor {shape} has {size} entries, over NUMERIC_LIMIT={NUMERIC_LIMIT}")


def _as_array(name: str, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(value)
    if arr.shape != shape:
        raise ShapeError(f"{name} has shape {arr.shape}, expected {shape}")
    return arr


def _zeros(shape, *arrays):
    dtype = np.result_type(*arrays)
    out = np.zeros(shape, dtype=dtype)
    if out.dtype.kind == "O":
        out[...] = 0
    return out


def conv(spec: ConvSpec, weight: Any, x: Any) -> np.ndarray:
    """Cross-correlation ``y[o, i] = sum_{c, m} w[o, c, m] x_pad[c, s i + d m]``.

    ``x`` has shape ``(in_channels, *input_shape)``; zero padding as ``spec.padding``.

    Parameters
    ----------
    spec : ConvSpec
        The layer (a padding mode other than zeros pads with F.pad's rule first).
    weight : array_like
        The weight ``(C_out, C_in/groups, *kernel_size)``.
    x : array_like
        One input ``(C_in, *spatial)``; integers, floats or sympy objects.

    Returns
    -------
    numpy.ndarray
        The output ``(C_out, *output_shape)``, in the inputs' number type.

    Raises
    ------
    ShapeError
        For an input or weight of the wrong shape.
    SizeLimitError
        Over ``NUMERIC_LIMIT`` entries.

    Examples
    --------
    >>> from symconv import ConvSpec
    >>> conv(ConvSpec(2, stride=2), [[[1, -1]]], [[1, 2, 4, 8]]).tolist()
    [[-1, -4]]
    """
    x = np.asarray(x)
    if spec.padding_mode != "zeros":  # F.pad's mode, then padding 0 (symconv.padding_modes)
        from . import padding_modes

        return padding_modes.conv(spec, weight, x)
    if x.ndim != spec.ndim + 1 or x.shape[0] != spec.in_channels:
        raise ShapeError(f"x has shape {x.shape}, expected (in_channels={spec.in_channels}, *spatial) with {spec.ndim} spatial axes")
    out_shape = spec.output_shape(x.shape[1:])
    w = _as_array("weight", weight, spec.weight_shape)
    _check_size((spec.out_channels,) + out_shape)
    _check_size(x.shape[:1] + tuple(n + pl + pr for n, (pl, pr) in zip(x.shape[1:], spec.padding)))
    padded = _zeros((x.shape[0],) + tuple(n + pl + pr for n, (pl, pr) in zip(x.shape[1:], spec.padding)), x, w)
    padded[(slice(None),) + tuple(slice(pl, pl + n) for n, (pl, _) in zip(x.shape[1:], spec.padding))] = x
    y = _zeros((spec.out_channels,) + out_shape, x, w)
    g, cin_g, cout_g = spec.groups, spec.in_channels // spec.groups, spec.out_channels // spec.groups
    for m in itertools.product(*(range(k) for k in spec.kernel_size)):
        window = tuple(
            slice(d * mi, d * mi + s * (n - 1) + 1, s)
            for mi, d, s, n in zip(m, spec.dilation, spec.stride, out_shape)
        )
        for grp in range(g):
            xs = padded[(slice(grp * cin_g, (grp + 1) * cin_g),) + window]
            ws = w[(slice(grp * cout_g, (grp + 1) * cout_g), slice(None)) + m]
            if cin_g == 1:  # one input channel per group: the sum over c has one term, a broadcast product
                y[grp * cout_g:(grp + 1) * cout_g] += ws[:, 0].reshape((cout_g,) + (1,) * spec.ndim) * xs[0]
            else:
                y[grp * cout_g:(grp + 1) * cout_g] += np.tensordot(ws, xs, axes=([1], [0]))
    return y


def conv_transpose(tspec: TransposedConvSpec, weight: Any, y: Any) -> np.ndarray:
    """Transposed convolution: every ``y[ci, i]`` adds ``y[ci, i] * w[ci, co, m]`` at ``s i + d m``,
    then ``p_l`` positions are dropped on the left and the result is cut to the output size.

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer (a padding mode other than zeros: the padding-0 layer, then the fold).
    weight : array_like
        The weight ``(C_in, C_out/groups, *kernel_size)``.
    y : array_like
        One input ``(C_in, *spatial)``.

    Returns
    -------
    numpy.ndarray
        The output ``(C_out, *output_shape)``.

    Raises
    ------
    ShapeError
        For an input or weight of the wrong shape.
    SizeLimitError
        Over ``NUMERIC_LIMIT`` entries.

    Examples
    --------
    >>> from symconv import TransposedConvSpec
    >>> conv_transpose(TransposedConvSpec(2, stride=2), [[[1, -1]]], [[1, 2]]).tolist()
    [[1, -1, 2, -2]]
    """
    y = np.asarray(y)
    if tspec.padding_mode != "zeros":  # the padding-0 layer, then the fold (symconv.padding_modes)
        from . import padding_modes

        return padding_modes.conv_transpose(tspec, weight, y)
    if y.ndim != tspec.ndim + 1 or y.shape[0] != tspec.in_channels:
        raise ShapeError(f"y has shape {y.shape}, expected (in_channels={tspec.in_channels}, *spatial) with {tspec.ndim} spatial axes")
    in_shape = y.shape[1:]
    out_shape = tspec.output_shape(in_shape)
    w = _as_array("weight", weight, tspec.weight_shape)
    full = tuple(
        max(s * (n - 1) + d * (k - 1) + 1, pl + n_t)
        for n, s, d, k, pl, n_t in zip(in_shape, tspec.stride, tspec.dilation, tspec.kernel_size, tspec.padding_left, out_shape)
    )
    _check_size((tspec.out_channels,) + full)
    buf = _zeros((tspec.out_channels,) + full, y, w)
    g, cin_g, cout_g = tspec.groups, tspec.in_channels // tspec.groups, tspec.out_channels // tspec.groups
    for m in itertools.product(*(range(k) for k in tspec.kernel_size)):
        target = tuple(slice(d * mi, d * mi + s * (n - 1) + 1, s) for mi, d, s, n in zip(m, tspec.dilation, tspec.stride, in_shape))
        for grp in range(g):
            ys = y[grp * cin_g:(grp + 1) * cin_g]
            ws = w[(slice(grp * cin_g, (grp + 1) * cin_g), slice(None)) + m]
            buf[(slice(grp * cout_g, (grp + 1) * cout_g),) + target] += np.tensordot(ws, ys, axes=([0], [0]))
    crop = tuple(slice(pl, pl + n_t) for pl, n_t in zip(tspec.padding_left, out_shape))
    return buf[(slice(None),) + crop]
