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

from ..errors import ShapeError, SizeLimitError, SpecError, SpecTypeError
from ..spec import ConvSpec, TransposedConvSpec
from ..weights import flip_kernel

__all__ = ["read", "MAX_ONNX_BYTES", "from_gather_padding", "same_padding", "spec_from_arguments", "read_lax"]

MAX_ONNX_BYTES = 64 * 2**20
"""Largest ONNX file or byte string :func:`read` accepts by default (``max_bytes=`` to change it)."""


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


def _keras_transposed_pads(k: int, s: int, d: int, padding: str, output_padding: Any) -> tuple[int, int]:
    """Keras 3's padding of the zero-inserted input for Conv{N}DTranspose (its JAX backend's rule)."""
    e = d * (k - 1) + 1
    if padding == "valid":
        a = max(e, s) - e if output_padding is None else output_padding
        return e - 1, e - 1 + a
    total = s + e - 2 if output_padding is None else e + e % 2 - 2 + output_padding
    left = min(total // 2 + total % 2, e - 1)
    return left, total - left


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
# ONNX (untrusted input)


def _onnx_bytes(obj: Any, max_bytes: int) -> bytes:
    if isinstance(obj, (str, os.PathLike)):
        path = os.fspath(obj)
        try:
            size = os.stat(path).st_size
        except OSError as exc:
            raise SpecError(f"cannot read the ONNX file {path!r}: {exc.strerror}") from None
        if size > max_bytes:
            raise SizeLimitError(f"the ONNX file {path!r} has {size} bytes, more than max_bytes={max_bytes}: refused "
                                 "unread (raise max_bytes= if it is trusted)")
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    else:
        data = bytes(obj)
    if len(data) > max_bytes:
        raise SizeLimitError(f"the ONNX model has {len(data)} bytes, more than max_bytes={max_bytes}: refused")
    if not data:
        raise SpecError("the ONNX model is empty (0 bytes)")
    return data


def _onnx_model(obj: Any, max_bytes: int) -> Any:
    import onnx

    if isinstance(obj, onnx.ModelProto):
        model = obj
        if model.ByteSize() > max_bytes:
            raise SizeLimitError(f"the ONNX model has {model.ByteSize()} bytes, more than max_bytes={max_bytes}")
    else:
        data = _onnx_bytes(obj, max_bytes)
        model = onnx.ModelProto()
        try:
            model.ParseFromString(data)
        except Exception as exc:  # protobuf's DecodeError and friends: the bytes are not a model
            raise SpecError(f"not a valid ONNX model: the protobuf cannot be parsed ({type(exc).__name__}: "
                            f"{str(exc)[:120]}); the file is truncated or corrupt") from None
    if not model.HasField("graph") or not model.opset_import:
        raise SpecError("not a valid ONNX model: it has no graph or no opset_import (truncated, or not ONNX)")
    for tensor in model.graph.initializer:
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            raise SpecError(f"the ONNX initializer {tensor.name[:60]!r} refers to external data: refused (an "
                            "untrusted model must not make symconv open other files)")
    try:
        onnx.checker.check_model(model)
    except Exception as exc:  # onnx.checker.ValidationError
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise SpecError(f"the ONNX model fails onnx.checker: {first}") from None
    return model


def _tensor(tensor: Any, what: str) -> np.ndarray:
    from onnx import numpy_helper

    try:
        arr = numpy_helper.to_array(tensor)
    except Exception as exc:
        raise SpecError(f"the ONNX tensor {what} cannot be read ({type(exc).__name__}: {str(exc)[:120]}): its data "
                        "does not match its dims (truncated?)") from None
    if arr.dtype.kind not in "iuf":
        raise SpecError(f"the ONNX tensor {what} has dtype {arr.dtype}; expected real numbers")
    return _array(arr, "ONNX", what)


def _static_shape(value_info: Any) -> tuple | None:
    t = value_info.type.tensor_type
    if not t.HasField("shape"):
        return None
    dims = [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]
    return tuple(dims)


_ONNX_ATTRS = {"Conv": {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"},
               "ConvTranspose": {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides",
                                 "output_padding", "output_shape"}}


def _read_onnx_node(node: Any, graph: Any, params: Any, input_shape: Any) -> tuple:
    from onnx import helper

    op = node.op_type
    if node.domain not in ("", "ai.onnx") or op not in _ONNX_ATTRS:
        raise SpecTypeError(f"the ONNX node {op!r} (domain {node.domain!r}) is not a convolution: read takes Conv "
                            "and ConvTranspose")
    who = f"ONNX {op}"
    if len(node.input) < 2 or not node.input[1]:
        raise SpecError(f"{who}: the node has no weight input W")
    attrs = {}
    for attr in node.attribute:
        if attr.name not in _ONNX_ATTRS[op]:
            raise SpecError(f"{who}: attribute {attr.name!r} is not one of {sorted(_ONNX_ATTRS[op])}")
        attrs[attr.name] = helper.get_attribute_value(attr)
    tensors = {t.name: t for t in graph.initializer} if graph is not None else {}
    infos = {v.name: v for v in list(graph.input) + list(graph.value_info)} if graph is not None else {}
    params = params or {}
    w_name, b_name = node.input[1], (node.input[2] if len(node.input) > 2 and node.input[2] else None)
    weight = bias = None
    if w_name in params:
        weight = _array(params[w_name], who, f"W ({w_name!r})")
    elif w_name in tensors:
        weight = _tensor(tensors[w_name], f"W ({w_name[:60]!r})")
    if b_name is not None:
        if b_name in params:
            bias = _array(params[b_name], who, f"B ({b_name!r})")
        elif b_name in tensors:
            bias = _tensor(tensors[b_name], f"B ({b_name[:60]!r})")
    w_shape = weight.shape if weight is not None else (_static_shape(infos[w_name]) if w_name in infos else None)
    if w_shape is None or any(v is None for v in w_shape) or len(w_shape) < 3:
        raise SpecError(f"{who}: the weight's shape is unknown (W is neither an initializer nor a graph input of "
                        "static shape); pass the model, or params={name: array}")
    nd = len(w_shape) - 2
    ks = tuple(int(v) for v in w_shape[2:])
    if "kernel_shape" in attrs and tuple(attrs["kernel_shape"]) != ks:
        raise ShapeError(f"{who}: kernel_shape {list(attrs['kernel_shape'])} does not match W's shape {list(w_shape)}")
    strides = _ints(attrs.get("strides"), nd, "strides", who)
    dilation = _ints(attrs.get("dilations"), nd, "dilations", who)
    g = int(attrs.get("group", 1))
    if g < 1:
        raise SpecError(f"{who}: group must be positive, got {g}")
    auto = attrs.get("auto_pad", b"NOTSET")
    auto = auto.decode("ascii", "replace") if isinstance(auto, bytes) else str(auto)
    if auto not in ("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"):
        raise SpecError(f"{who}: auto_pad {auto[:30]!r} is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER")
    raw = list(attrs.get("pads", [0] * (2 * nd)))
    if len(raw) != 2 * nd:
        raise SpecError(f"{who}: pads has {len(raw)} entries; expected 2 x {nd} (every begin, then every end)")
    begin, end = raw[:nd], raw[nd:]
    x_name = node.input[0]
    shape = None
    if input_shape is not None:
        shape = _spatial(input_shape, nd, who, "")
    elif x_name in infos:
        static = _static_shape(infos[x_name])
        if static is not None and len(static) == nd + 2 and all(v is not None for v in static[2:]):
            shape = tuple(int(v) for v in static[2:])
    bias_n = None if bias is None else bias.shape
    if op == "Conv":
        if auto == "VALID":
            begin, end = [0] * nd, [0] * nd
        elif auto.startswith("SAME"):
            shape = shape or _spatial(None, nd, who, f"auto_pad={auto}")
            same = [same_padding(n, k, s, d) for n, k, s, d in zip(shape, ks, strides, dilation)]
            begin = [lo if auto == "SAME_UPPER" else hi for lo, hi in same]
            end = [hi if auto == "SAME_UPPER" else lo for lo, hi in same]
        if any(v < 0 for v in begin + end):
            raise SpecError(f"{who}: negative pads {raw} crop the input: no PyTorch Conv meaning")
        spec: Any = ConvSpec(ks, stride=strides, padding=tuple(zip(begin, end)), dilation=dilation,
                             in_channels=int(w_shape[1]) * g, out_channels=int(w_shape[0]), groups=g)
    else:
        op_pad = _ints(attrs.get("output_padding", [0] * nd), nd, "output_padding", who)
        out_shape = attrs.get("output_shape")
        if out_shape is not None or auto.startswith("SAME"):
            shape = shape or _spatial(None, nd, who, "output_shape / auto_pad=SAME")
            if out_shape is None:
                target = [n * s for n, s in zip(shape, strides)]
            else:
                target = list(out_shape)[-nd:]
                if len(target) != nd:
                    raise SpecError(f"{who}: output_shape {list(out_shape)} has fewer than {nd} entries")
            totals = [s * (n - 1) + a + d * (k - 1) + 1 - t
                      for n, s, a, d, k, t in zip(shape, strides, op_pad, dilation, ks, target)]
            upper = auto == "SAME_UPPER"
            begin = [t // 2 if upper else t - t // 2 for t in totals]
            end = [t - t // 2 if upper else t // 2 for t in totals]
        elif auto == "VALID":
            begin, end = [0] * nd, [0] * nd
        for ax, v in enumerate(begin):
            if v < 0:
                raise SpecError(f"{who}: axis {ax} has a negative begin pad {v}: it would add outputs before the first "
                                "one any input reaches, which no PyTorch ConvTranspose (padding >= 0) computes")
        pads, a_out = [], []
        for ax, (pb, pe, a, s, d) in enumerate(zip(begin, end, op_pad, strides, dilation)):
            if pe < 0:
                a, pe = a - pe, 0
            if a >= max(s, d):
                raise SpecError(f"{who}: axis {ax} needs output_padding {a} >= max(stride, dilation) = {max(s, d)} "
                                "in PyTorch's terms: not expressible")
            pads.append((pb, pe))
            a_out.append(a)
        spec = TransposedConvSpec(ks, stride=strides, padding=tuple(pads), output_padding=tuple(a_out),
                                  dilation=dilation, in_channels=int(w_shape[0]), out_channels=int(w_shape[1]) * g,
                                  groups=g)
    if bias_n is not None and bias_n != (spec.out_channels,):
        raise ShapeError(f"{who}: B has shape {bias_n}, expected ({spec.out_channels},)")
    return spec, weight, bias


def _read_onnx(obj: Any, params: Any, input_shape: Any, max_bytes: int) -> tuple:
    import onnx

    if isinstance(obj, onnx.NodeProto):
        graph = params.graph if isinstance(params, onnx.ModelProto) else None
        return _read_onnx_node(obj, graph, None if graph is not None else params, input_shape)
    model = _onnx_model(obj, max_bytes)
    convs = [n for n in model.graph.node if n.op_type in _ONNX_ATTRS and n.domain in ("", "ai.onnx")]
    if not convs:
        found = sorted({n.op_type[:40] for n in model.graph.node})
        raise SpecTypeError(f"the ONNX model has no Conv or ConvTranspose node (its nodes: {found[:10]})")
    if len(convs) > 1:
        raise SpecError(f"the ONNX model has {len(convs)} Conv/ConvTranspose nodes: pass one, read(node, model)")
    return _read_onnx_node(convs[0], model.graph, params, input_shape)


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

        return _read_onnx(obj, params, input_shape, limit)
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


# ---------------------------------------------------------------------------------------------------------
# JAX lax arguments

_LAX_KEYS = {"conv_general_dilated": {"window_strides", "padding", "lhs_dilation", "rhs_dilation",
                                      "dimension_numbers", "feature_group_count", "batch_group_count", "precision",
                                      "preferred_element_type"},
             "conv_transpose": {"strides", "padding", "rhs_dilation", "dimension_numbers", "transpose_kernel",
                                "precision", "preferred_element_type", "use_consistent_padding"}}


def _kernel_to_oi(kernel: np.ndarray, spec: Any, who: str) -> np.ndarray:
    """A kernel declared by a lax rhs spec string (e.g. 'HWIO') moved to (O, I, *spatial)."""
    if not isinstance(spec, str) or len(spec) != kernel.ndim or "O" not in spec or "I" not in spec:
        raise SpecError(f"{who}: the kernel spec {spec!r} must be a string naming every axis of the kernel of shape "
                        f"{kernel.shape}, with 'O' and 'I'")
    order = [spec.index("O"), spec.index("I")] + [i for i, c in enumerate(spec) if c not in "OI"]
    return np.transpose(kernel, order)


def read_lax(function: str, kernel: Any, *, input_shape: Any = None, **arguments: Any) -> tuple:
    """``(spec, weight, None)`` in PyTorch's layout for a call ``lax.<function>(x, kernel, **arguments)``.

    ``function`` is ``'conv_general_dilated'`` (``lhs_dilation`` > 1 reads as a transposed convolution in its
    gather form, with stride 1) or ``'conv_transpose'`` (with or without ``transpose_kernel``); ``arguments`` are
    lax's own keywords.  ``input_shape`` (spatial) is needed for ``padding='SAME'`` with a stride.

    >>> import numpy as np
    >>> spec, w, _ = read_lax("conv_transpose", np.zeros((3, 3, 1, 1)), strides=(2, 2), padding="SAME")
    >>> spec.padding, spec.output_padding
    (((0, 1), (0, 1)), (0, 0))
    """
    who = f"lax.{function}"
    if function not in _LAX_KEYS:
        raise SpecError(f"function must be 'conv_general_dilated' or 'conv_transpose', got {function!r}")
    unknown = sorted(set(arguments) - _LAX_KEYS[function])
    if unknown:
        raise SpecError(f"{who}: unknown arguments {unknown} (lax's keywords: {sorted(_LAX_KEYS[function])})")
    k = _array(kernel, who, "the kernel")
    nd = k.ndim - 2
    if nd < 1:
        raise ShapeError(f"{who}: the kernel has shape {k.shape}; expected two channel axes and spatial axes")
    dn = arguments.get("dimension_numbers")
    if dn is None:
        sp = "HWDUVXYZ"[:nd]
        dn = ("NC" + sp, "OI" + sp, "NC" + sp) if function == "conv_general_dilated" else (
            "N" + sp + "C", sp + "IO", "N" + sp + "C")
    if not isinstance(dn, (tuple, list)) or len(dn) != 3:
        raise SpecError(f"{who}: dimension_numbers must be three strings (lhs, rhs, out), got {dn!r}")
    oi = _kernel_to_oi(k, dn[1], who)
    ks = tuple(int(v) for v in oi.shape[2:])
    dilation = _ints(arguments.get("rhs_dilation"), nd, "rhs_dilation", who)
    padding = arguments.get("padding", "VALID" if function == "conv_transpose" else None)
    if padding is None:
        raise SpecError(f"{who}: padding is required")
    if function == "conv_general_dilated":
        strides = _ints(arguments.get("window_strides"), nd, "window_strides", who)
        lhs = _ints(arguments.get("lhs_dilation"), nd, "lhs_dilation", who)
        g = int(arguments.get("feature_group_count", 1))
        if int(arguments.get("batch_group_count", 1)) != 1:
            raise SpecError(f"{who}: batch_group_count != 1 (a weight-gradient convolution) has no PyTorch layer meaning")
        if lhs == (1,) * nd:
            if isinstance(padding, str):
                if padding.upper() == "VALID":
                    pairs_ = ((0, 0),) * nd
                elif padding.upper() == "SAME":
                    shape = (_spatial(input_shape, nd, who, "padding='SAME' with a stride")
                             if any(s > 1 for s in strides) else (1,) * nd)
                    pairs_ = tuple(same_padding(n, kk, s, d) for n, kk, s, d in zip(shape, ks, strides, dilation))
                else:
                    raise SpecError(f"{who}: padding {padding!r} is not 'SAME', 'VALID' or pairs")
            else:
                pairs_ = tuple((int(p[0]), int(p[1])) for p in padding)
                if any(v < 0 for p in pairs_ for v in p):
                    raise SpecError(f"{who}: negative padding {pairs_} crops the input: no PyTorch Conv meaning")
            spec: Any = ConvSpec(ks, stride=strides, padding=pairs_, dilation=dilation, in_channels=oi.shape[1] * g,
                                 out_channels=oi.shape[0], groups=g)
            return spec, np.ascontiguousarray(oi), None
        if strides != (1,) * nd:
            raise SpecError(f"{who}: window_strides {strides} with lhs_dilation {lhs}: no PyTorch layer computes a "
                            "strided convolution of a zero-inserted input")
        if isinstance(padding, str):
            raise SpecError(f"{who}: with lhs_dilation give the padding as pairs (a string's meaning depends on the "
                            "dilated input)")
        gather = [(int(p[0]), int(p[1])) for p in padding]
        strides = lhs
        from ..weights import swap_channel_groups

        weight = swap_channel_groups(flip_kernel(oi, nd), g)  # the gather weight back to PyTorch's (C_in, C_out/g)
        cin, cout = weight.shape[0], weight.shape[1] * g
    else:
        strides = _ints(arguments.get("strides"), nd, "strides", who)
        g = 1
        if isinstance(padding, str):
            if padding.upper() not in ("SAME", "VALID"):
                raise SpecError(f"{who}: padding {padding!r} is not 'SAME', 'VALID' or pairs")
            gather = [_transposed_string_pads(padding.upper(), kk, s, d) for kk, s, d in zip(ks, strides, dilation)]
        elif arguments.get("use_consistent_padding"):
            gather = [(d * (kk - 1) - int(lo), d * (kk - 1) - int(hi)) for kk, d, (lo, hi) in zip(ks, dilation, padding)]
        else:
            gather = [(int(p[0]), int(p[1])) for p in padding]
        if arguments.get("transpose_kernel"):
            weight = oi  # declared O = PyTorch's C_in, I = C_out: lax flips and swaps it itself
        else:
            weight = np.swapaxes(flip_kernel(oi, nd), 0, 1)  # the gather weight, unflipped and swapped back
        cin, cout = weight.shape[0], weight.shape[1]
    if len(gather) != nd:
        raise SpecError(f"{who}: padding has {len(gather)} pairs for {nd} spatial axes")
    torch_pads = [from_gather_padding(kk, s, d, lo, hi, who, ax)
                  for ax, (kk, s, d, (lo, hi)) in enumerate(zip(ks, strides, dilation, gather))]
    spec = TransposedConvSpec(ks, stride=strides, padding=tuple((pl, pr) for pl, pr, _ in torch_pads),
                              output_padding=tuple(a for _, _, a in torch_pads), dilation=dilation,
                              in_channels=cin, out_channels=cout, groups=g)
    return spec, np.ascontiguousarray(weight), None
