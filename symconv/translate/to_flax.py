"""Port to Flax: ``flax.linen.Conv`` / ``flax.linen.ConvTranspose(transpose_kernel=True)`` with a params dict."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..spec import ConvSpec, TransposedConvSpec
from .core import Port, execute, pairs, spec_text, transposed_plan, tup, xla_extra
from .to_jax import crop_lines, guard_lines, pad_lines


def port_flax(spec: ConvSpec | TransposedConvSpec, input_shape: Any, layout: str, last: bool) -> Port:
    nd = spec.ndim
    sp = layout.strip("NC")
    notes: list[str] = []
    perm_io = tuple(range(2, 2 + nd)) + (1, 0)  # (A, B, *k) -> (*k, B, A)
    inverse = tup(np.argsort(perm_io))
    head = [f"# {spec_text(spec)} in Flax ({layout})", "import jax", "import jax.numpy as jnp", "import numpy as np",
            "import flax.linen as nn", ""]
    guard: list[str] = []
    pre: list[str] = []
    post: list[str] = []
    if isinstance(spec, ConvSpec):
        kernel_layout = sp + "IO"
        mod = (f"nn.Conv(features={spec.out_channels}, kernel_size={tup(spec.kernel_size)}, strides={tup(spec.stride)}, "
               f"padding={pairs(spec.padding)}, kernel_dilation={tup(spec.dilation)}, "
               f"feature_group_count={spec.groups})")
        conv_w = [f"    return jnp.asarray(np.transpose(w, {tup(perm_io)}))  # (O, I/g, *k) -> (*k, I/g, O)"]
        back = [f"    return np.transpose(np.asarray(w), {inverse})"]
    else:
        extra, why = xla_extra(spec, input_shape)
        notes += [why] if why else []
        guard, more = guard_lines(spec, input_shape, True)
        notes += more
        plans = transposed_plan(spec, input_shape, full=False, extra=extra)
        pre = pad_lines(plans, True, nd)
        post = crop_lines(plans, True, nd)
        if any(p.crop != (0, 0) for p in plans):
            notes.append("padding beyond the dilated kernel's reach (a negative gather padding) is applied as a crop "
                         "of the output: XLA mishandles negative padding")
        if spec.groups == 1:
            kernel_layout = sp + "OI"
            mod = (f"nn.ConvTranspose(features={spec.out_channels}, kernel_size={tup(spec.kernel_size)}, "
                   f"strides={tup(spec.stride)}, padding={pairs([p.pads for p in plans])}, "
                   f"kernel_dilation={tup(spec.dilation)}, transpose_kernel=True)")
            notes.append("transpose_kernel=True: Flax flips the kernel and swaps its channel axes, so PyTorch's "
                         "weight (C_in, C_out, *k) only moves its axes to (*k, C_out, C_in); Flax's default "
                         "transpose_kernel=False with PyTorch's weight computes the unflipped layer")
            notes.append("Flax's explicit padding is the padding of the zero-inserted input (the gather view): "
                         "d(k-1) - p_l on the left and d(k-1) - p_r + a on the right, not PyTorch's p")
            conv_w = [f"    return jnp.asarray(np.transpose(w, {tup(perm_io)}))  # (C_in, C_out, *k) -> (*k, C_out, C_in)"]
            back = [f"    return np.transpose(np.asarray(w), {inverse})"]
        else:
            kernel_layout = sp + "IO"
            g, cin, cog = spec.groups, spec.in_channels, spec.out_channels // spec.groups
            k = spec.kernel_size
            mod = (f"nn.Conv(features={spec.out_channels}, kernel_size={tup(k)}, strides={tup((1,) * nd)}, "
                   f"padding={pairs([p.pads for p in plans])}, input_dilation={tup(spec.stride)}, "
                   f"kernel_dilation={tup(spec.dilation)}, feature_group_count={g})")
            notes.append(f"groups={g}: nn.ConvTranspose has no groups, so the gather view runs in nn.Conv "
                         "(input_dilation = stride) with the weight swapped group by group and flipped")
            flip = f"[(slice(None), slice(None)) + (slice(None, None, -1),) * {nd}]"
            conv_w = [f"    w = np.asarray(w).reshape({tup((g, cin // g, cog) + k)}).swapaxes(1, 2)",
                      f"    w = w.reshape({tup((g * cog, cin // g) + k)}){flip}  # group-wise swap, flip",
                      f"    return jnp.asarray(np.transpose(w, {tup(perm_io)}))"]
            back = [f"    w = np.transpose(np.asarray(w), {inverse}){flip}",
                    f"    return w.reshape({tup((g, cog, cin // g) + k)}).swapaxes(1, 2).reshape({tup((cin, cog) + k)})"]
    body = []
    if not last:
        body.append(f"    x = jnp.moveaxis(x, 1, -1)  # {layout} -> channels last (Flax's layout)")
        notes.append(f"layout {layout}: Flax's modules take channels last; fn moves the axes in and out")
    body += guard + pre
    body += [f"    zero = jnp.zeros(({spec.out_channels},), w.dtype)",
             "    out = layer.apply({'params': {'kernel': w, 'bias': zero if b is None else b}}, x)"]
    body += post
    if not last:
        body.append("    out = jnp.moveaxis(out, -1, 1)")
    lines = head + [f"layer = {mod}", "", "", "def weight(w):",
                    "    \"\"\"PyTorch's weight (numpy) -> params['kernel'].\"\"\""] + conv_w
    lines += ["", "", "def weight_to_torch(w):"] + back
    lines += ["", "", "def bias(b):", "    return jnp.asarray(b)", "", "",
              "def params(w, b=None):", "    \"\"\"The params dict for layer.apply, from PyTorch's weight and bias.\"\"\"",
              f"    return {{'params': {{'kernel': weight(w), 'bias': jnp.zeros({spec.out_channels}) if b is None "
              "else bias(b)}}", "", "",
              "@jax.jit", "def fn(x, w, b=None):", f"    \"\"\"The layer on a batch in {layout}.\"\"\""]
    lines += body + ["    return out", ""]
    source = "\n".join(lines)
    namespace = execute(source, "flax")
    import jax.numpy as jnp

    return Port("flax", spec, layout, kernel_layout, input_shape, source, tuple(notes), namespace,
                to_array=jnp.asarray, to_numpy=np.asarray)
