"""Port to ONNX: a one-node ``Conv`` / ``ConvTranspose`` model built with ``onnx.helper``, checked by
``onnx.checker`` and run by ONNX Runtime."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import SpecError
from ..spec import ConvSpec, TransposedConvSpec
from .core import Port, execute, spec_text

OPSET = 17


def port_onnx(spec: ConvSpec | TransposedConvSpec, input_shape: Any, layout: str, last: bool) -> Port:
    return _port_onnx(spec, input_shape, layout, last)


def _port_onnx(spec: Any, input_shape: Any, layout: str, last: bool) -> Port:
    nd = spec.ndim
    notes: list[str] = []
    op = "ConvTranspose" if isinstance(spec, TransposedConvSpec) else "Conv"
    pads = tuple(spec.padding_left) + tuple(spec.padding_right)
    if op == "ConvTranspose":
        # output_padding a and the end pad p_r only meet in p_r - a: ONNX Runtime needs output_padding < stride,
        # so as much of a as possible is taken from the end pad
        ends = tuple(max(0, pr - a) for pr, a in zip(spec.padding_right, spec.output_padding))
        extra = tuple(max(0, a - pr) for pr, a in zip(spec.padding_right, spec.output_padding))
        for ax, (q, s) in enumerate(zip(extra, spec.stride)):
            if q >= s:
                raise SpecError(f"ONNX Runtime's ConvTranspose needs output_padding < stride; axis {ax} needs "
                                f"output_padding - p_r = {q} >= stride {s} (torch allows it when dilation > stride): "
                                "not expressible in one ONNX node")
        if extra != tuple(spec.output_padding):
            notes.append(f"output_padding {spec.output_padding} is taken from the end pads {spec.padding_right} "
                         f"where it can (only p_r - a matters): pads end {ends}, output_padding {extra}")
        pads = tuple(spec.padding_left) + ends
    attrs = [f"kernel_shape={list(spec.kernel_size)}", f"strides={list(spec.stride)}", f"pads={list(pads)}",
             f"dilations={list(spec.dilation)}", f"group={spec.groups}"]
    if op == "ConvTranspose":
        attrs.append(f"output_padding={list(extra)}")
    out_shape = ['N', spec.out_channels] + ([None] * nd if input_shape is None else list(spec.output_shape(input_shape)))
    if any(pl != pr for pl, pr in spec.padding):
        notes.append(f"ONNX's pads list every axis' begin, then every axis' end: {list(pads)} for {spec.padding}")
    if last:
        notes.append(f"layout {layout}: ONNX's {op} takes channels first; fn moves the axes around the session "
                     "(the model stays one node)")
    x_shape = ["N", spec.in_channels] + (list(input_shape) if input_shape is not None else [None] * nd)
    lines = [f"# {spec_text(spec)} in ONNX (a one-node model; fn takes {layout})", "import numpy as np",
             "import onnx", "import onnxruntime", "from onnx import TensorProto, helper", "",
             f"node = helper.make_node({op!r}, ['X', 'W', 'B'], ['Y'], {', '.join(attrs)})",
             "graph = helper.make_graph(",
             f"    [node], 'symconv_{op.lower()}',",
             f"    [helper.make_tensor_value_info('X', TensorProto.FLOAT, {x_shape!r}),",
             f"     helper.make_tensor_value_info('W', TensorProto.FLOAT, {list(spec.weight_shape)!r}),",
             f"     helper.make_tensor_value_info('B', TensorProto.FLOAT, [{spec.out_channels}])],",
             f"    [helper.make_tensor_value_info('Y', TensorProto.FLOAT, {out_shape!r})])",
             f"model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', {OPSET})])",
             "onnx.checker.check_model(model, full_check=True)",
             "session = onnxruntime.InferenceSession(model.SerializeToString(), providers=['CPUExecutionProvider'])",
             "", "",
             "def weight(w):", "    \"\"\"PyTorch's weight: ONNX uses the same layout (float32).\"\"\"",
             "    return np.asarray(w, np.float32)", "", "",
             "def weight_to_torch(w):", "    return np.asarray(w)", "", "",
             "def bias(b):", "    return np.asarray(b, np.float32)", "", "",
             "def fn(x, w, b=None):", f"    \"\"\"The layer on a batch in {layout} (numpy float32).\"\"\""]
    if last:
        lines.append("    x = np.moveaxis(np.asarray(x), -1, 1)")
    lines += [f"    b = np.zeros({spec.out_channels}, np.float32) if b is None else b",
              "    out = session.run(None, {'X': np.ascontiguousarray(x, np.float32), 'W': w, 'B': b})[0]"]
    if last:
        lines.append("    out = np.moveaxis(out, 1, -1)")
    lines += ["    return out", ""]
    source = "\n".join(lines)
    namespace = execute(source, "onnx")
    return Port("onnx", spec, layout, ("IO" if op == "ConvTranspose" else "OI") + layout.strip("NC"), input_shape,
                source, tuple(notes), namespace, to_array=np.asarray, to_numpy=np.asarray)

