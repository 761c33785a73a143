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
    """``(spec, weight, None)`` for a ``jax.lax`` convolution call (see :func:`symconv.translate.readers.read_lax`)."""
    from .readers import read_lax as _read_lax

    return _read_lax(function, kernel, input_shape=input_shape, **arguments)


def read(obj: Any, params: Any = None, *, input_shape: Any = None, max_bytes: int | None = None) -> tuple:
    """``(spec, weight, bias)`` in PyTorch's layout for a PyTorch module, a Flax module with its ``params``, a
    Keras layer, or an ONNX node or model (a ``ModelProto``, ``NodeProto``, bytes or a file path).

    See :mod:`symconv.translate.readers`.
    """
    from .readers import read as _read

    return _read(obj, params, input_shape=input_shape, max_bytes=max_bytes)
