"""Port to PyTorch: ``F.conv{N}d`` / ``F.conv_transpose{N}d``, and an ``nn.Module`` when padding needs a crop."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..spec import ConvSpec, TransposedConvSpec
from .core import Port, execute, pairs, spec_text, tup


def _torch_pad(padding) -> str:
    """F.pad's argument: the last axis first."""
    flat = [v for left, right in reversed(padding) for v in (left, right)]
    return repr(tuple(flat))


def port_torch(spec: ConvSpec | TransposedConvSpec, input_shape: Any, layout: str, last: bool) -> Port:
    nd = spec.ndim
    notes: list[str] = []
    sym = all(pl == pr for pl, pr in spec.padding)
    lines = [f"# {spec_text(spec)} in PyTorch ({layout})", "import torch", "import torch.nn.functional as F", ""]
    lines += ["", "def weight(w):", "    \"\"\"PyTorch's weight, as it is (as a tensor).\"\"\"",
              "    return torch.as_tensor(w)", "", "",
              "def weight_to_torch(w):", "    return w", "", "",
              "def bias(b):", "    return None if b is None else torch.as_tensor(b)", "", ""]
    body = []
    if last:
        body.append("    x = x.movedim(-1, 1)  # channels last -> first")
        notes.append(f"layout {layout}: the batch is moved to channels first for torch's functions and back")
    if isinstance(spec, ConvSpec):
        call = f"F.conv{nd}d"
        if sym:
            body.append(f"    out = {call}(x, w, b, stride={tup(spec.stride)}, padding={tup(spec.padding_left)}, "
                        f"dilation={tup(spec.dilation)}, groups={spec.groups})")
        else:
            notes.append(f"asymmetric padding {spec.padding}: torch's conv pads both sides equally, so the input is "
                         "zero-padded with F.pad first (its argument lists the last axis first)")
            body.append(f"    x = F.pad(x, {_torch_pad(spec.padding)})  # (left, right) per axis, last axis first")
            body.append(f"    out = {call}(x, w, b, stride={tup(spec.stride)}, padding=0, "
                        f"dilation={tup(spec.dilation)}, groups={spec.groups})")
        kernel_layout = "OI" + layout.strip("NC")
    else:
        call = f"F.conv_transpose{nd}d"
        base = tuple(min(pl, pr) for pl, pr in spec.padding)
        crop = tuple((pl - p, pr - p) for (pl, pr), p in zip(spec.padding, base))
        body.append(f"    out = {call}(x, w, b, stride={tup(spec.stride)}, padding={tup(base)}, "
                    f"output_padding={tup(spec.output_padding)}, groups={spec.groups}, dilation={tup(spec.dilation)})")
        if not sym:
            notes.append(f"asymmetric padding {spec.padding}: torch's conv_transpose pads both sides equally, so it "
                         f"runs with padding={base} and the output is cropped by {crop} (left, right) per axis; "
                         "CroppedConvTranspose wraps this as an nn.Module")
            index = ", ".join([":", ":"] + [f"{lo}:out.shape[{2 + ax}] - {hi}" for ax, (lo, hi) in enumerate(crop)])
            body.append(f"    out = out[{index}]  # crop (left, right) = {pairs(crop)}")
        kernel_layout = "IO" + layout.strip("NC")
    if last:
        body.append("    out = out.movedim(1, -1)")
    lines += ["def fn(x, w, b=None):", f"    \"\"\"The layer on a batch in {layout}; w in PyTorch's layout.\"\"\""]
    lines += body + ["    return out", ""]
    if isinstance(spec, TransposedConvSpec) and not sym:
        shape = (spec.in_channels, spec.out_channels // spec.groups) + spec.kernel_size
        lines += ["", f"class CroppedConvTranspose{nd}d(torch.nn.Module):",
                  "    \"\"\"The layer as a module: torch's ConvTranspose with the symmetric part of the padding, then "
                  "the crop.\"\"\"", "",
                  "    def __init__(self, bias=True):", "        super().__init__()",
                  f"        self.weight = torch.nn.Parameter(torch.zeros({shape}))",
                  f"        self.bias = torch.nn.Parameter(torch.zeros({spec.out_channels})) if bias else None", "",
                  "    def forward(self, x):", "        return fn(x, self.weight, self.bias)", ""]
    source = "\n".join(lines)
    namespace = execute(source, "torch")
    import torch

    return Port("torch", spec, layout, kernel_layout, input_shape, source, tuple(notes), namespace,
                to_array=torch.from_numpy, to_numpy=lambda t: t.detach().cpu().numpy() if hasattr(t, "detach")
                else np.asarray(t))
