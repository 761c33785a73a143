"""PyTorch modules: the spec, weight and bias read from the module, which is probed as it runs."""

from __future__ import annotations

import sys
import warnings
from typing import Any

from .. import numeric
from ..errors import SpecTypeError
from ..spec import ConvSpec, TransposedConvSpec
from .catalogue import _conv_variants, _transposed_variants
from .identity import Verification, _verify
from .probing import _is_torch_module, _Probe
from .reference import _Layer
from .tolerances import DEFAULT_BOUND


def _module_parts(layer: Any, transposed: bool):
    if not _is_torch_module(layer):
        raise SpecTypeError(f"layer must be a torch.nn module, got {type(layer).__name__}")
    cls = TransposedConvSpec if transposed else ConvSpec
    torch = sys.modules["torch"]
    names = [f"ConvTranspose{n}d" if transposed else f"Conv{n}d" for n in (1, 2, 3)]
    base = next((c for c in type(layer).__mro__ if c.__name__ in names and getattr(torch.nn, c.__name__) is c), None)
    source = layer
    if base is not None and base is not type(layer):
        # a subclass (e.g. with its own forward): read the arguments it declares as its torch base class
        source = type(base.__name__, (), {})()
        for attr in ("kernel_size", "stride", "padding", "dilation", "in_channels", "out_channels", "groups",
                     "padding_mode", "bias", "output_padding"):
            setattr(source, attr, getattr(layer, attr, None))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the bias is declared below, not ignored
        spec = cls.from_torch(source)
    weight = layer.weight.detach().cpu().double().numpy()
    bias = None if layer.bias is None else layer.bias.detach().cpu().double().numpy()
    return spec, weight, bias, layer.weight.dtype, layer.weight.device


def assert_module_is_convolution(layer: Any, input_shape: Any, *, rtol: float | None = None,
                                 bound: float = DEFAULT_BOUND, seed: int = 0) -> Verification:
    """Assert that a ``torch.nn.Conv{1,2,3}d`` computes the convolution its arguments, weight and bias declare.

    The module is probed in its own dtype and device with one batch of random integer inputs (after ``f(0)``).
    """
    spec, weight, bias, dtype, device = _module_parts(layer, transposed=False)
    shape = spec.check_input_shape(input_shape)
    lay = _Layer(spec, weight, bias, (spec.in_channels,) + shape, (spec.out_channels,) + spec.output_shape(shape),
                 lambda wv, x: numeric.conv(spec, wv, x), _conv_variants(spec), f"the convolution {spec}")
    probe = _Probe(layer, lay.in_shape, batched=True, framework="torch", dtype=dtype, device=device)
    return _verify(probe, lay, rtol=rtol, bound=bound, seed=seed)


def assert_module_is_transposed_convolution(layer: Any, input_shape: Any, *, rtol: float | None = None,
                                            bound: float = DEFAULT_BOUND, seed: int = 0) -> Verification:
    """Assert that a ``torch.nn.ConvTranspose{1,2,3}d`` computes the transposed convolution it declares.

    Reads the spec (:meth:`TransposedConvSpec.from_torch`), the weight and the bias from the module; the module's
    dtype (float32 by default) and device are used as they are.
    """
    spec, weight, bias, dtype, device = _module_parts(layer, transposed=True)
    shape = spec.check_input_shape(input_shape)
    lay = _Layer(spec, weight, bias, (spec.in_channels,) + shape, (spec.out_channels,) + spec.output_shape(shape),
                 lambda wv, y: numeric.conv_transpose(spec, wv, y), _transposed_variants(spec),
                 f"the transposed convolution {spec}")
    probe = _Probe(layer, lay.in_shape, batched=True, framework="torch", dtype=dtype, device=device)
    return _verify(probe, lay, rtol=rtol, bound=bound, seed=seed)
