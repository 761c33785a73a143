"""Read a layer from PyTorch, Flax, Keras or ONNX into ``(spec, weight, bias)`` in PyTorch's layout.

A layer with no PyTorch/symconv meaning is refused with the reason (ONNX's negative begin pad, Flax's padding
beyond the dilated kernel's reach ``d(k-1)``, circular padding, ...).  An ONNX file or byte string is untrusted
input: it is size-checked before it is read, parsed, checked by ``onnx.checker``, refused if it points to
external data, and every attribute and tensor the layer needs is validated; any fault is a symconv error that
names it, never a parser's traceback and never a partial read.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np

from ..errors import ShapeError, SpecError, SpecTypeError
from ..spec import ConvSpec, TransposedConvSpec
from ..weights import flip_kernel
from .readers_common import (
    _array,
    _ints,
    _keras_transposed_pads,
    _spatial,
    _transposed_string_pads,
    from_gather_padding,
    same_padding,
)
from .readers_lax import read_lax
from .readers_onnx import MAX_ONNX_BYTES

__all__ = ["read", "MAX_ONNX_BYTES", "from_gather_padding", "same_padding", "spec_from_arguments", "read_lax"]


# ---------------------------------------------------------------------------------------------------------
# Flax


def _flax_params(params: Any, who: str) -> dict:
    if params is None:
        raise SpecError(f"{who}: pass its params (the kernel's shape gives the input channels): "
                        "read(module, variables['params'])")
    if isinstance(params, dict) and "params" in params:
        params = params["params"]
    if not hasattr(params, "keys") or "kernel" not in params:
        raise SpecError(f"{who}: params must hold 'kernel' (and 'bias' when use_bias), got keys "
                        f"{sorted(params) if hasattr(params, 'keys') else type(params).__name__}")
    return params


def _flax_padding(padding: Any, nd: int, who: str) -> Any:
    if isinstance(padding, str):
        return padding.upper()
    if isinstance(padding, int):
        return ((padding, padding),) * nd
    try:
        items = list(padding)
    except TypeError:
        raise SpecTypeError(f"{who}: padding {padding!r} is neither a string, an int nor a sequence") from None
    if len(items) == 1 and nd > 1:
        items = items * nd
    out = []
    for item in items:
        if isinstance(item, int):
            out.append((item, item))
        else:
            pair = tuple(int(v) for v in item)
            if len(pair) != 2:
                raise SpecError(f"{who}: padding entries must be ints or (low, high) pairs, got {item!r}")
            out.append(pair)
    if len(out) != nd:
        raise SpecError(f"{who}: padding has {len(out)} entries for {nd} spatial axes")
    return tuple(out)


def _read_flax(module: Any, params: Any, input_shape: Any) -> tuple:
    name = type(module).__name__
    who = f"flax.linen.{name}"
    if name not in ("Conv", "ConvTranspose"):
        raise SpecTypeError(f"{who} is not a convolution (read takes flax.linen.Conv and ConvTranspose)")
    p = _flax_params(params, who)
    kernel = _array(p["kernel"], who, "params['kernel']")
    nd = kernel.ndim - 2
    if nd < 1:
        raise ShapeError(f"{who}: params['kernel'] has shape {kernel.shape}; expected (*kernel_size, in, out)")
    ks = _ints(module.kernel_size, nd, "kernel_size", who)
    if ks != kernel.shape[:nd]:
        raise ShapeError(f"{who}: kernel_size {ks} does not match params['kernel'] of shape {kernel.shape}")
    if getattr(module, "mask", None) is not None:
        raise SpecError(f"{who}: a mask makes the weight not the kernel; read the masked kernel as params instead")
    strides = _ints(module.strides, nd, "strides", who)
    dilation = _ints(module.kernel_dilation, nd, "kernel_dilation", who)
    padding = _flax_padding(module.padding, nd, who)
    if padding == "CIRCULAR":
        raise SpecError(f"{who}: padding='CIRCULAR' has no zero-padded PyTorch ConvTranspose/Conv meaning")
    bias = _array(p["bias"], who, "params['bias']") if module.use_bias and "bias" in p else None
    if name == "Conv":
        g = int(module.feature_group_count)
        if _ints(module.input_dilation, nd, "input_dilation", who) != (1,) * nd:
            raise SpecError(f"{who}: input_dilation={module.input_dilation} (a transposed convolution written as a "
                            "convolution) is not read; give the equivalent ConvTranspose")
        if padding == "CAUSAL":
            padding = ((dilation[0] * (ks[0] - 1), 0),) if nd == 1 else padding
        if padding == "SAME":
            if any(s > 1 for s in strides):
                shape = _spatial(input_shape, nd, who, "padding='SAME' with stride > 1")
            else:
                shape = (1,) * nd
            padding = tuple(same_padding(n, k, s, d) for n, k, s, d in zip(shape, ks, strides, dilation))
        elif padding == "VALID":
            padding = ((0, 0),) * nd
        elif isinstance(padding, str):
            raise SpecError(f"{who}: padding={module.padding!r} is not a padding symconv reads")
        if any(v < 0 for pair in padding for v in pair):
            raise SpecError(f"{who}: negative padding {padding} crops the input: no PyTorch Conv meaning")
        spec: Any = ConvSpec(ks, stride=strides, padding=padding, dilation=dilation, in_channels=kernel.shape[-2] * g,
                             out_channels=kernel.shape[-1], groups=g)
        weight = np.transpose(kernel, (nd + 1, nd) + tuple(range(nd)))
        return spec, weight, bias
    if isinstance(padding, str):
        if padding not in ("SAME", "VALID"):
            raise SpecError(f"{who}: padding={module.padding!r} is not a padding symconv reads")
        gather = [_transposed_string_pads(padding, k, s, d) for k, s, d in zip(ks, strides, dilation)]
    else:
        gather = list(padding)
    torch_pads = [from_gather_padding(k, s, d, left, right, who, ax)
                  for ax, (k, s, d, (left, right)) in enumerate(zip(ks, strides, dilation, gather))]
    if module.transpose_kernel:  # (*k, out, in)
        cin, cout = kernel.shape[-1], kernel.shape[-2]
        weight = np.transpose(kernel, (nd + 1, nd) + tuple(range(nd)))
    else:  # (*k, in, out), used unflipped in the gather view: PyTorch's weight is the flipped kernel
        cin, cout = kernel.shape[-2], kernel.shape[-1]
        weight = flip_kernel(np.transpose(kernel, (nd, nd + 1) + tuple(range(nd))), nd)
    spec = TransposedConvSpec(ks, stride=strides, padding=tuple((pl, pr) for pl, pr, _ in torch_pads),
                              output_padding=tuple(a for _, _, a in torch_pads), dilation=dilation,
                              in_channels=cin, out_channels=cout)
    return spec, np.ascontiguousarray(weight), bias


# ---------------------------------------------------------------------------------------------------------
# Keras


def _read_keras(layer: Any, input_shape: Any) -> tuple:
    name = type(layer).__name__
    who = f"keras.layers.{name}"
    conv_names = {f"Conv{n}D": n for n in (1, 2, 3)}
    tr_names = {f"Conv{n}DTranspose": n for n in (1, 2, 3)}
    if name not in conv_names and name not in tr_names:
        raise SpecTypeError(f"{who} is not a convolution (read takes Keras' Conv1D-3D and Conv1DTranspose-3DTranspose)")
    cfg = layer.get_config()
    nd = conv_names.get(name) or tr_names[name]
    weights = layer.get_weights()
    if not weights:
        raise SpecError(f"{who} is not built (it has no weights yet): call it once or build it first")
    kernel = _array(weights[0], who, "kernel")
    bias = _array(weights[1], who, "bias") if cfg.get("use_bias", True) and len(weights) > 1 else None
    ks = _ints(cfg["kernel_size"], nd, "kernel_size", who)
    strides = _ints(cfg["strides"], nd, "strides", who)
    dilation = _ints(cfg["dilation_rate"], nd, "dilation_rate", who)
    padding = str(cfg["padding"]).lower()
    if name in conv_names:
        g = int(cfg.get("groups", 1))
        if padding == "valid":
            pads: Any = ((0, 0),) * nd
        elif padding == "causal":
            pads = ((dilation[0] * (ks[0] - 1), 0),)
        elif padding == "same":
            shape = (_spatial(input_shape, nd, who, "padding='same' with stride > 1")
                     if any(s > 1 for s in strides) else (1,) * nd)
            pads = tuple(same_padding(n, k, s, d) for n, k, s, d in zip(shape, ks, strides, dilation))
        else:
            raise SpecError(f"{who}: padding={cfg['padding']!r} is not read")
        spec: Any = ConvSpec(ks, stride=strides, padding=pads, dilation=dilation, in_channels=kernel.shape[-2] * g,
                             out_channels=kernel.shape[-1], groups=g)
        return spec, np.transpose(kernel, (nd + 1, nd) + tuple(range(nd))), bias
    op = cfg.get("output_padding")
    ops = (None,) * nd if op is None else _ints(op, nd, "output_padding", who)
    gather = [_keras_transposed_pads(k, s, d, padding, a) for k, s, d, a in zip(ks, strides, dilation, ops)]
    torch_pads = [from_gather_padding(k, s, d, left, right, who, ax)
                  for ax, (k, s, d, (left, right)) in enumerate(zip(ks, strides, dilation, gather))]
    spec = TransposedConvSpec(ks, stride=strides, padding=tuple((pl, pr) for pl, pr, _ in torch_pads),
                              output_padding=tuple(a for _, _, a in torch_pads), dilation=dilation,
                              in_channels=kernel.shape[-1], out_channels=kernel.shape[-2])
    return spec, np.ascontiguousarray(np.transpose(kernel, (nd + 1, nd) + tuple(range(nd)))), bias


# ---------------------------------------------------------------------------------------------------------


def _is(obj: Any, module: str, cls: str) -> bool:
    mod = sys.modules.get(module)
    base = getattr(mod, cls, None) if mod is not None else None
    return base is not None and isinstance(obj, base)


def read(obj: Any, params: Any = None, *, input_shape: Any = None, max_bytes: int | None = None) -> tuple:
    """``(spec, weight, bias)`` in PyTorch's layout (numpy float64; ``weight``/``bias`` None when absent).

    ``obj``: a ``torch.nn`` Conv/ConvTranspose module; a ``flax.linen.Conv``/``ConvTranspose`` with its
    ``params``; a built Keras ``Conv{N}D``/``Conv{N}DTranspose``; an ONNX ``ModelProto``, its bytes or a file
    path (one Conv/ConvTranspose node; at most ``max_bytes``, default :data:`MAX_ONNX_BYTES`), or a
    ``NodeProto`` with the model as ``params`` (or a dict of its weight arrays by input name).
    ``input_shape`` (spatial) is needed where the padding depends on it ('SAME' with stride > 1).
    """
    limit = MAX_ONNX_BYTES if max_bytes is None else int(max_bytes)
    if isinstance(obj, (ConvSpec, TransposedConvSpec)):
        return obj, None, None
    if _is(obj, "torch.nn", "Module"):
        import warnings

        from .core import as_spec

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the bias is returned, not ignored
            spec = as_spec(obj)
        bias = None if obj.bias is None else obj.bias.detach().cpu().double().numpy()
        return spec, obj.weight.detach().cpu().double().numpy(), bias
    if _is(obj, "flax.linen", "Module"):
        return _read_flax(obj, params, input_shape)
    if _is(obj, "keras.layers", "Layer"):
        return _read_keras(obj, input_shape)
    onnx = sys.modules.get("onnx")
    if isinstance(obj, (bytes, bytearray, memoryview, str, os.PathLike)) or (
            onnx is not None and isinstance(obj, (onnx.ModelProto, onnx.NodeProto))):
        import onnx  # noqa: F401 - needed to parse

        from .readers_onnx import read_onnx

        return read_onnx(obj, params, input_shape, limit)
    raise SpecTypeError(f"read takes a PyTorch, Flax, Keras or ONNX layer (or an ONNX file), got "
                        f"{type(obj).__name__}")



def spec_from_arguments(framework: str, *, transposed: bool, kernel_size: tuple[int, ...], stride: Any = 1,
                        padding: Any = 0, dilation: Any = 1, output_padding: Any = None, in_channels: int = 1,
                        out_channels: int = 1, groups: int = 1, input_shape: Any = None) -> Any:
    """The spec of a layer given by a framework's own arguments (as ``symconv port --from`` takes them).

    ``padding`` is that framework's: Keras 'same'/'valid'; Flax 'same'/'valid' or pairs (for a ConvTranspose,
    the padding of the zero-inserted input); ONNX 'same' (SAME_UPPER), 'valid' or (begin, end) pairs;
    PyTorch's as in :class:`~symconv.ConvSpec` / :class:`~symconv.TransposedConvSpec`.
    """
    nd = len(kernel_size)
    ks = _ints(kernel_size, nd, "kernel_size", framework)
    strides = _ints(stride, nd, "stride", framework)
    dilation = _ints(dilation, nd, "dilation", framework)
    ops = (None,) * nd if output_padding is None else _ints(output_padding, nd, "output_padding", framework)
    channels = dict(in_channels=in_channels, out_channels=out_channels, groups=groups)
    if framework == "torch":
        if transposed:
            return TransposedConvSpec(ks, stride=strides, padding=padding, output_padding=tuple(a or 0 for a in ops),
                                      dilation=dilation, **channels)
        if output_padding is not None:
            raise SpecError("output_padding belongs to a transposed convolution (--transposed)")
        return ConvSpec(ks, stride=strides, padding=padding, dilation=dilation, **channels)
    word = padding.lower() if isinstance(padding, str) else None
    who = {"keras": "Keras", "flax": "Flax", "onnx": "ONNX"}.get(framework)
    if who is None:
        raise SpecError(f"framework must be 'torch', 'keras', 'flax' or 'onnx', got {framework!r}")
    if framework == "keras" and word not in ("same", "valid"):
        raise SpecError(f"Keras pads 'same' or 'valid', got padding={padding!r}")
    if output_padding is not None and not transposed:
        raise SpecError("output_padding belongs to a transposed convolution (--transposed)")
    pairs_ = None
    if word is None:
        pairs_ = ConvSpec(ks, padding=padding).padding  # validates ints / pairs with symconv's messages
    if not transposed:
        if word == "same":
            shape = (_spatial(input_shape, nd, who, "padding='same' with stride > 1")
                     if any(s > 1 for s in strides) else (1,) * nd)
            pairs_ = tuple(same_padding(n, k, s, d) for n, k, s, d in zip(shape, ks, strides, dilation))
        elif word == "valid":
            pairs_ = ((0, 0),) * nd
        elif word is not None:
            raise SpecError(f"{who}: padding {padding!r} is not 'same', 'valid' or numbers")
        return ConvSpec(ks, stride=strides, padding=pairs_, dilation=dilation, **channels)
    if framework == "keras":
        gather = [_keras_transposed_pads(k, s, d, str(word), a) for k, s, d, a in zip(ks, strides, dilation, ops)]
    elif framework == "flax":
        if output_padding is not None:
            raise SpecError("Flax's ConvTranspose has no output_padding (its padding pairs say it all)")
        gather = ([_transposed_string_pads(word.upper(), k, s, d) for k, s, d in zip(ks, strides, dilation)]
                  if word in ("same", "valid") else list(pairs_ or ()))
        if word not in (None, "same", "valid"):
            raise SpecError(f"Flax: padding {padding!r} is not 'same', 'valid' or pairs")
    else:
        a = tuple(v or 0 for v in ops)
        if word in (None, "valid"):
            torch_pads = pairs_ if word is None else ((0, 0),) * nd
            return TransposedConvSpec(ks, stride=strides, padding=torch_pads, output_padding=a, dilation=dilation,
                                      **channels)
        if word != "same":
            raise SpecError(f"ONNX: padding {padding!r} is not 'same' (SAME_UPPER), 'valid' or pairs")
        shape = _spatial(input_shape, nd, who, "auto_pad=SAME_UPPER")
        totals = [s * (n - 1) + ai + d * (k - 1) + 1 - n * s for n, s, ai, d, k in zip(shape, strides, a, dilation, ks)]
        out = []
        for ax, (t, ai) in enumerate(zip(totals, a)):
            if t < 0:
                raise SpecError(f"ONNX: axis {ax} needs a negative total padding {t} for auto_pad=SAME_UPPER: the "
                                "begin pad would be negative, which no PyTorch ConvTranspose computes")
            begin, end = t // 2, t - t // 2
            out.append((begin, end, ai))
        return TransposedConvSpec(ks, stride=strides, padding=tuple((b, e) for b, e, _ in out),
                                  output_padding=a, dilation=dilation, **channels)
    torch_pads = [from_gather_padding(k, s, d, left, right, who, ax)
                  for ax, (k, s, d, (left, right)) in enumerate(zip(ks, strides, dilation, gather))]
    return TransposedConvSpec(ks, stride=strides, padding=tuple((pl, pr) for pl, pr, _ in torch_pads),
                              output_padding=tuple(a for _, _, a in torch_pads), dilation=dilation, **channels)
