"""Port to JAX: ``lax.conv_general_dilated`` and ``lax.conv_transpose``, jitted, in NC... or N...C."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..spec import ConvSpec, TransposedConvSpec
from .core import Port, execute, pairs, spec_text, transposed_plan, tup, xla_extra, xla_risk


def crop_lines(plans, last: bool, nd: int, var: str = "out") -> list[str]:
    crop = [p.crop for p in plans]
    if not any(lo or hi for lo, hi in crop):
        return []
    first = 1 if last else 2
    spatial = [f"{lo}:{var}.shape[{first + ax}] - {hi}" for ax, (lo, hi) in enumerate(crop)]
    index = [":"] + (spatial + [":"] if last else [":"] + spatial)
    return [f"    {var} = {var}[{', '.join(index)}]  # crop (left, right) per axis = {pairs(crop)}"]


def pad_lines(plans, last: bool, nd: int, module: str = "jnp") -> list[str]:
    extra = [p.extra for p in plans]
    if not any(extra):
        return []
    spatial = [(0, q) for q in extra]
    widths = [(0, 0)] + (spatial + [(0, 0)] if last else [(0, 0)] + spatial)
    return [f"    x = {module}.pad(x, {pairs(widths)})  # zeros on the right: the XLA workaround",
            "    x = jax.lax.optimization_barrier(x)  # keep XLA from folding the zeros back into the convolution"]


def guard_lines(tspec: TransposedConvSpec, input_shape: Any, last: bool) -> tuple[list[str], list[str]]:
    """Without an input shape, a check (at trace time) that refuses an input XLA:CPU would abort on."""
    risky = xla_risk(tspec)
    if input_shape is not None or not risky:
        return [], []
    first = 1 if last else 2
    extents = tuple(d * (k - 1) + 1 for k, d in zip(tspec.kernel_size, tspec.dilation))
    lines = [f"    short = [ax for ax in {tup(risky)} if x.shape[{first} + ax] < {tup(extents)}[ax]]",
             "    if short:  # XLA:CPU (jax 0.10.2) aborts the process on these (lhs_dilation, input < dilated kernel)",
             "        raise ValueError(f'input axes {short} are shorter than the dilated kernel: make the port with "
             "input_shape= to get the XLA workaround')"]
    note = (f"input_shape not given: an input shorter than the dilated kernel {extents} (with a stride > 1) would abort "
            "XLA:CPU (jax 0.10.2), so fn refuses it; port with input_shape= for the workaround")
    return lines, [note]


def bias_line(spec: Any, last: bool) -> list[str]:
    shape = "(-1,)" if last else "(-1" + ", 1" * spec.ndim + ")"
    return ["    if b is not None:", f"        out = out + b.reshape({shape})"]


def port_jax(spec: ConvSpec | TransposedConvSpec, input_shape: Any, layout: str, last: bool) -> Port:
    nd = spec.ndim
    sp = layout.strip("NC")
    notes: list[str] = []
    head = [f"# {spec_text(spec)} in JAX ({layout})", "import jax", "import jax.numpy as jnp", "import numpy as np",
            "from jax import lax", ""]
    body: list[str] = []
    perm_last = tuple(range(2, 2 + nd)) + (1, 0)
    if isinstance(spec, ConvSpec):
        kernel_layout = sp + "IO" if last else "OI" + sp
        if last:
            conv_w = [f"    return jnp.asarray(np.transpose(w, {tup(perm_last)}))  # (O, I, *k) -> (*k, I, O)"]
            back = [f"    return np.transpose(np.asarray(w), {tup(np.argsort(perm_last))})"]
        else:
            conv_w, back = ["    return jnp.asarray(w)"], ["    return np.asarray(w)"]
        body.append(f"    out = lax.conv_general_dilated(x, w, window_strides={tup(spec.stride)}, "
                    f"padding={pairs(spec.padding)}, rhs_dilation={tup(spec.dilation)}, "
                    f"dimension_numbers=({layout!r}, {kernel_layout!r}, {layout!r}), "
                    f"feature_group_count={spec.groups})")
        guard: list[str] = []
    else:
        extra, why = xla_extra(spec, input_shape)
        notes += [why] if why else []
        guard, more = guard_lines(spec, input_shape, last)
        notes += more
        plans = transposed_plan(spec, input_shape, full=False, extra=extra)
        body += pad_lines(plans, last, nd)
        gather = spec.as_convolution().padding
        if any(left < 0 or right < 0 for left, right in gather):
            notes.append(f"the gather padding {gather} has negative amounts: they are cropped from the output "
                         "instead (XLA mishandles negative padding, openxla/xla#48713)")
        if spec.groups == 1:
            kernel_layout = sp + "OI" if last else "OI" + sp
            notes.append("lax.conv_transpose with transpose_kernel=True flips the kernel and swaps its channel axes "
                         "itself: PyTorch's weight (C_in, C_out, *k) is declared " + repr(kernel_layout))
            if last:
                conv_w = [f"    return jnp.asarray(np.transpose(w, {tup(perm_last[:-2] + (0, 1))}))"]
                back = [f"    return np.transpose(np.asarray(w), {tup(np.argsort(perm_last[:-2] + (0, 1)))})"]
            else:
                conv_w, back = ["    return jnp.asarray(w)"], ["    return np.asarray(w)"]
            body.append(f"    out = lax.conv_transpose(x, w, strides={tup(spec.stride)}, "
                        f"padding={pairs([p.pads for p in plans])}, rhs_dilation={tup(spec.dilation)}, "
                        f"dimension_numbers=({layout!r}, {kernel_layout!r}, {layout!r}), transpose_kernel=True)")
        else:
            kernel_layout = sp + "IO" if last else "OI" + sp
            notes.append(f"groups={spec.groups}: lax.conv_transpose has no feature_group_count, so the gather view "
                         "runs in lax.conv_general_dilated (lhs_dilation = stride), with the weight swapped group by "
                         "group and flipped")
            g, cin, cog = spec.groups, spec.in_channels, spec.out_channels // spec.groups
            k = spec.kernel_size
            conv_w = [f"    w = np.asarray(w).reshape({tup((g, cin // g, cog) + k)}).swapaxes(1, 2)",
                      f"    w = w.reshape({tup((g * cog, cin // g) + k)})[(slice(None), slice(None)) + "
                      f"(slice(None, None, -1),) * {nd}]  # group-wise swap, flip"]
            back = [f"    w = np.asarray(w){'.transpose' + tup(np.argsort(perm_last)) if last else ''}"
                    f"[(slice(None), slice(None)) + (slice(None, None, -1),) * {nd}]",
                    f"    return w.reshape({tup((g, cog, cin // g) + k)}).swapaxes(1, 2).reshape({tup((cin, cog) + k)})"]
            conv_w.append(f"    return jnp.asarray(np.transpose(w, {tup(perm_last)}))" if last else
                          "    return jnp.asarray(w)")
            body.append(f"    out = lax.conv_general_dilated(x, w, window_strides={tup((1,) * nd)}, "
                        f"padding={pairs([p.pads for p in plans])}, lhs_dilation={tup(spec.stride)}, "
                        f"rhs_dilation={tup(spec.dilation)}, "
                        f"dimension_numbers=({layout!r}, {kernel_layout!r}, {layout!r}), "
                        f"feature_group_count={spec.groups})")
        body += crop_lines(plans, last, nd)
    body += bias_line(spec, last)
    lines = head + ["", "def weight(w):", "    \"\"\"PyTorch's weight (numpy) -> the kernel fn takes.\"\"\""] + conv_w
    lines += ["", "", "def weight_to_torch(w):"] + back
    lines += ["", "", "def bias(b):", "    return jnp.asarray(b)", "", ""]
    lines += ["@jax.jit", "def fn(x, w, b=None):", f"    \"\"\"The layer on a batch in {layout}.\"\"\""]
    lines += guard + body + ["    return out", ""]
    source = "\n".join(lines)
    namespace = execute(source, "jax")
    import jax.numpy as jnp

    return Port("jax", spec, layout, kernel_layout, input_shape, source, tuple(notes), namespace,
                to_array=jnp.asarray, to_numpy=np.asarray)
