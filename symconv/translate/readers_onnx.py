"""Read an ONNX Conv / ConvTranspose node or model: untrusted input, every fault a symconv error that names it.

A file or byte string is size-checked before it is read, parsed, checked by ``onnx.checker`` and refused if it
points to external data; every attribute and tensor the layer needs is validated.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..errors import ShapeError, SizeLimitError, SpecError, SpecTypeError
from ..spec import ConvSpec, TransposedConvSpec
from .readers_common import _array, _ints, _spatial, same_padding

__all__ = ["MAX_ONNX_BYTES", "read_onnx"]

MAX_ONNX_BYTES = 64 * 2**20
"""Largest ONNX file or byte string :func:`symconv.translate.read` accepts by default (``max_bytes=``)."""



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


def read_onnx(obj: Any, params: Any, input_shape: Any, max_bytes: int) -> tuple:
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
