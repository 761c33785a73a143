"""Ports: a layer carried to PyTorch, JAX, Flax, Keras or ONNX as code that runs there, checked on arrival.

:func:`port` writes, for a :class:`~symconv.ConvSpec` or :class:`~symconv.TransposedConvSpec` (or a PyTorch
module), a short program in the target framework that defines ``fn(x, w, b=None)`` and the weight and bias
conversions from PyTorch's layout; the program is executed to give the port its callables, so the code a user
pastes (``print(port)``) is the code that runs and that :meth:`Port.verify` checks with
:mod:`symconv.testing`'s randomized identity test.  :func:`read` goes the other way.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .core import TARGETS, Port, as_spec, porting_mistakes, resolve_layout, verify_function
from .legacy import to_jax_conv_general_dilated, to_jax_conv_transpose, to_torch, translation_text

__all__ = ["port", "read", "read_lax", "Port", "TARGETS", "porting_mistakes", "verify_function", "to_torch", "to_jax_conv_general_dilated",
           "to_jax_conv_transpose", "translation_text"]


def port(layer: Any, to: str, *, input_shape: Any = None, layout: Any = None) -> Port:
    """Carry ``layer`` to the framework ``to`` as code that runs there.

    Parameters
    ----------
    layer : ConvSpec, TransposedConvSpec or torch.nn.Conv{N}d / ConvTranspose{N}d
        The layer, in PyTorch's semantics.
    to : {"torch", "jax", "flax", "keras", "onnx"}
        The target framework.
    input_shape : tuple of int, optional
        The spatial input shape; it decides whether JAX-based targets need the XLA:CPU workaround (without it,
        ``fn`` refuses an input XLA would abort on).
    layout : str, optional
        ``"channels_first"`` (``NCHW``...), ``"channels_last"`` (``NHWC``...) or the explicit string; default
        channels last for Flax and Keras, channels first for the others.

    Returns
    -------
    Port
        ``fn``, ``weight``, ``bias``, ``source``, ``notes``, ``verify()``.

    Raises
    ------
    SpecError
        For an unknown target or layout, or a layer the target cannot express (the reason named, before the
        framework is imported).
    SpecTypeError
        When ``layer`` is neither a spec nor a PyTorch convolution module.
    ShapeError
        For an input shape the layer cannot take.

    Examples
    --------
    With PyTorch installed, ``port(TransposedConvSpec((3, 3), stride=2, padding=((0, 1), (0, 1))), "torch")``
    prints as a program with ``F.conv_transpose2d`` and a crop.  A layer the target cannot express is refused
    with the reason, before the framework is imported:

    >>> from symconv import TransposedConvSpec
    >>> port(TransposedConvSpec((3, 3), in_channels=2, out_channels=2, groups=2), "keras")
    Traceback (most recent call last):
    ...
    symconv.errors.SpecError: Keras' Conv2DTranspose has no groups; groups=2 cannot be expressed in Keras (split the channels into groups and concatenate, or port to flax/jax)
    """
    spec = as_spec(layer)
    if to not in TARGETS:
        from ..errors import SpecError

        raise SpecError(f"to must be one of {', '.join(map(repr, TARGETS))}, got {to!r}")
    shape = None if input_shape is None else spec.check_input_shape(input_shape)
    text, last = resolve_layout(to, spec.ndim, layout)
    if to == "torch":
        from .to_pytorch import port_torch as build
    elif to == "jax":
        from .to_jax import port_jax as build
    elif to == "flax":
        from .to_flax import port_flax as build
    elif to == "keras":
        from .to_keras import port_keras as build
    else:
        from .to_onnx import port_onnx as build
    made = build(spec, shape, text, last)
    if not made.notes:
        return made
    # the notes head the program as comments (comments only: the code is the code that was executed)
    lines = made.source.splitlines()
    notes = [f"# note: {note}" for note in made.notes]
    return dataclasses.replace(made, source="\n".join(lines[:1] + notes + lines[1:]) + "\n")


def read_lax(function: str, kernel: Any, *, input_shape: Any = None, **arguments: Any) -> tuple:
    """``(spec, weight, None)`` in PyTorch's layout for a call ``lax.<function>(x, kernel, **arguments)``.

    Parameters
    ----------
    function : {"conv_general_dilated", "conv_transpose"}
        The lax function; ``lhs_dilation`` > 1 in ``conv_general_dilated`` reads as a transposed convolution in
        its gather form, with stride 1.
    kernel : array_like
        The kernel as passed to lax, in the layout ``dimension_numbers`` names (lax's default without it).
    input_shape : tuple of int, optional
        The spatial input shape, needed for ``padding='SAME'`` with a stride.
    **arguments
        lax's own keywords (``window_strides``/``strides``, ``padding``, ``lhs_dilation``, ``rhs_dilation``,
        ``dimension_numbers``, ``feature_group_count``, ``transpose_kernel``).

    Returns
    -------
    tuple
        ``(spec, weight, None)``: a :class:`ConvSpec` or :class:`TransposedConvSpec`, the weight in PyTorch's
        layout (numpy float64), and no bias (lax convolutions have none).

    Raises
    ------
    SpecError
        For an unknown function or keyword, a padding or layout symconv does not read, or one with no PyTorch
        meaning.
    ShapeError
        For a kernel without two channel axes, or a bad ``input_shape``.

    See Also
    --------
    symconv.translate.readers.read_lax : The reader itself.

    Examples
    --------
    >>> import numpy as np
    >>> spec, w, _ = read_lax("conv_transpose", np.zeros((3, 3, 1, 1)), strides=(2, 2), padding="SAME")
    >>> spec.padding, spec.output_padding
    (((0, 1), (0, 1)), (0, 0))
    """
    from .readers import read_lax as _read_lax

    return _read_lax(function, kernel, input_shape=input_shape, **arguments)


def read(obj: Any, params: Any = None, *, input_shape: Any = None, max_bytes: int | None = None) -> tuple:
    """``(spec, weight, bias)`` in PyTorch's layout for a PyTorch module, a Flax module with its ``params``, a
    Keras layer, or an ONNX node or model (a ``ModelProto``, ``NodeProto``, bytes or a file path).

    Parameters
    ----------
    obj : torch.nn module, flax.linen.Conv/ConvTranspose, Keras layer, ONNX model/node, bytes or path
        The layer; a spec is returned as it is, with no weight.
    params : optional
        A Flax module's params; for an ONNX ``NodeProto``, the model (or a dict of its weight arrays by input
        name).
    input_shape : tuple of int, optional
        The spatial input shape, needed where the padding depends on it ('SAME' with stride > 1).
    max_bytes : int, optional
        The largest ONNX model read (default :data:`~symconv.translate.readers.MAX_ONNX_BYTES`).

    Returns
    -------
    tuple
        ``(spec, weight, bias)``: the spec, and the weight and bias as numpy float64 arrays in PyTorch's layout
        (None when absent).

    Raises
    ------
    SpecTypeError
        For an object that is no layer symconv reads, or not a convolution.
    SpecError
        For a layer without weights yet, missing params, or a padding with no PyTorch meaning.
    ShapeError
        For a weight whose shape does not match the layer, or a bad ``input_shape``.

    See Also
    --------
    symconv.translate.readers : What each framework's layer is read as.

    Examples
    --------
    >>> import torch
    >>> spec, weight, bias = read(torch.nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1))
    >>> print(spec)
    ConvTranspose2d(4, 2, kernel_size=3, stride=2, padding=1, output_padding=1, dilation=1, groups=1)
    >>> weight.shape, bias.shape
    ((4, 2, 3, 3), (2,))
    """
    from .readers import read as _read

    return _read(obj, params, input_shape=input_shape, max_bytes=max_bytes)
