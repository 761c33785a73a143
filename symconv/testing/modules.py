"""PyTorch modules: the spec, weight and bias read from the module, which is probed as it runs."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import numeric
from ..errors import SpecTypeError
from ..spec import ConvSpec, TransposedConvSpec
from .catalogue import _conv_variants, _transposed_variants
from .identity import Verification, _verify
from .probing import _is_torch_module, _preserved, _Probe, _to_numpy
from .reference import _Layer
from .tolerances import DEFAULT_BOUND


def _module_parts(layer: Any, transposed: bool):
    if not _is_torch_module(layer):
        raise SpecTypeError(f"layer must be a torch.nn module, got {type(layer).__name__}")
    cls = TransposedConvSpec if transposed else ConvSpec
    spec = cls.from_torch(layer)  # subclasses, compiled modules (read through), lazy ones refused
    return spec, getattr(layer, "_orig_mod", layer)


def _weights(module: Any) -> tuple[np.ndarray, np.ndarray | None]:
    weight = _to_numpy(module.weight).astype(np.float64)
    bias = None if module.bias is None else _to_numpy(module.bias).astype(np.float64)
    return weight, bias


def _changing(module: Any) -> str:
    """What makes a module's weight change between calls, as far as it can be named."""
    hooks = [type(h).__name__ for h in module._forward_pre_hooks.values()]
    params = getattr(module, "parametrizations", None)
    if params is not None:
        hooks += [type(p).__name__ for plist in params.values() for p in plist]
    spectral = any("SpectralNorm" in h for h in hooks)
    mode = " in train mode" if module.training else ""
    if spectral:
        return f"spectral_norm{mode}; call .eval()" if module.training else "spectral_norm"
    if hooks:
        return f"a hook or parametrization ({', '.join(sorted(set(hooks)))}){mode}" + ("; call .eval()"
                                                                                      if module.training else "")
    return "the module updates its weight as it runs"


def _check_module(layer: Any, input_shape: Any, transposed: bool, *, rtol: float | None, bound: float, seed: int,
                  compute_dtype: Any, resolution: float | None) -> Verification:
    __tracebackhide__ = True
    spec, module = _module_parts(layer, transposed)
    shape = spec.check_input_shape(input_shape)
    in_shape, out_shape = (spec.in_channels,) + shape, (spec.out_channels,) + spec.output_shape(shape)
    with _preserved(module):  # reading a parametrized weight runs its parametrization (spectral_norm's iteration)
        dtype, device = module.weight.dtype, module.weight.device
        probe = _Probe(layer, in_shape, batched=True, framework="torch", dtype=dtype, device=device)
        probe.first(out_shape)  # runs the module's hooks once (spectral_norm computes its weight), then read
        weight, bias = _weights(module)

        def unchanged() -> None:
            __tracebackhide__ = True
            now, now_bias = _weights(module)
            if not np.array_equal(now, weight) or (bias is not None and now_bias is not None
                                                   and not np.array_equal(now_bias, bias)):
                k = int(np.flatnonzero(now != weight)[0]) if not np.array_equal(now, weight) else None
                where = "" if k is None else (f" (weight{[int(i) for i in np.unravel_index(k, now.shape)]} went from "
                                              f"{weight.flat[k]:.6g} to {now.flat[k]:.6g})")
                raise AssertionError(f"the weight changed between calls: {_changing(module)}{where}; the module is "
                                     "not one fixed layer, and is compared with none (its state was restored)")

        if transposed:
            lay = _Layer(spec, weight, bias, in_shape, out_shape, lambda wv, y: numeric.conv_transpose(spec, wv, y),
                         _transposed_variants(spec), f"the transposed convolution {spec}")
        else:
            lay = _Layer(spec, weight, bias, in_shape, out_shape, lambda wv, x: numeric.conv(spec, wv, x),
                         _conv_variants(spec), f"the convolution {spec}")
        return _verify(probe, lay, rtol=rtol, bound=bound, seed=seed, compute=compute_dtype, resolution=resolution,
                       unchanged=unchanged)


def assert_module_is_convolution(layer: Any, input_shape: Any, *, rtol: float | None = None,
                                 bound: float = DEFAULT_BOUND, seed: int = 0, compute_dtype: Any = None,
                                 resolution: float | None = None) -> Verification:
    """Assert that a ``torch.nn.Conv{1,2,3}d`` computes the convolution its arguments, weight and bias declare.

    The module is probed in its own dtype and device with one batch of random integer inputs (after ``f(0)``),
    under ``torch.no_grad()``; its state (parameters, buffers, parametrizations) is restored afterwards.
    Subclasses, compiled modules (``torch.compile``, read through to the original) and parametrized modules are
    accepted; a lazy module must be called once first.  A module whose weight changes between calls
    (``spectral_norm`` in train mode) fails as such.  The compute precision is detected (TF32 for a float32
    module on a GPU with PyTorch's TF32 setting, ``torch.autocast``) or given (``compute_dtype=``); see
    :func:`assert_is_convolution` for ``resolution``.

    Parameters
    ----------
    layer : torch.nn.Conv1d, Conv2d or Conv3d
        The module; its spec is read by :meth:`ConvSpec.from_torch`, its weight and bias as they are.
    input_shape : tuple of int
        The spatial input shape (without batch and channels).
    rtol, bound, seed, compute_dtype, resolution
        As for :func:`assert_is_convolution`.

    Returns
    -------
    Verification
        What was established, with the bound reached.

    Raises
    ------
    AssertionError
        When the module is not the convolution it declares, or its weight changes between calls.
    SpecTypeError
        When ``layer`` is not a ``torch.nn`` module, or not a convolution :meth:`ConvSpec.from_torch` reads.
    ShapeError, SpecError
        For bad input, as for :func:`assert_is_convolution`.

    See Also
    --------
    assert_is_convolution : The check for a function, with the parameters and errors in full.

    Examples
    --------
    >>> import torch
    >>> conv = torch.nn.Conv2d(2, 4, 3, stride=2, padding=1, dtype=torch.float64)
    >>> assert_module_is_convolution(conv, (8, 8)).log2_bound <= -60
    True
    """
    __tracebackhide__ = True
    return _check_module(layer, input_shape, False, rtol=rtol, bound=bound, seed=seed, compute_dtype=compute_dtype,
                         resolution=resolution)


def assert_module_is_transposed_convolution(layer: Any, input_shape: Any, *, rtol: float | None = None,
                                            bound: float = DEFAULT_BOUND, seed: int = 0, compute_dtype: Any = None,
                                            resolution: float | None = None) -> Verification:
    """Assert that a ``torch.nn.ConvTranspose{1,2,3}d`` computes the transposed convolution it declares.

    Reads the spec (:meth:`TransposedConvSpec.from_torch`), the weight and the bias from the module; the module's
    dtype (float32 by default) and device are used as they are.  As :func:`assert_module_is_convolution`.

    Parameters
    ----------
    layer : torch.nn.ConvTranspose1d, ConvTranspose2d or ConvTranspose3d
        The module.
    input_shape : tuple of int
        The spatial input shape (without batch and channels).
    rtol, bound, seed, compute_dtype, resolution
        As for :func:`assert_is_convolution`.

    Returns
    -------
    Verification
        As :func:`assert_module_is_convolution`.

    Raises
    ------
    AssertionError, SpecTypeError, ShapeError, SpecError
        As :func:`assert_module_is_convolution`, for the transposed convolution the module declares.

    See Also
    --------
    assert_module_is_convolution : The same check for a convolution module.

    Examples
    --------
    >>> import torch
    >>> up = torch.nn.ConvTranspose1d(3, 2, 4, stride=2, padding=1, output_padding=1, dtype=torch.float64)
    >>> print(assert_module_is_transposed_convolution(up, (5,)).framework)
    torch
    """
    __tracebackhide__ = True
    return _check_module(layer, input_shape, True, rtol=rtol, bound=bound, seed=seed, compute_dtype=compute_dtype,
                         resolution=resolution)
