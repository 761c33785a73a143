"""Port to Keras 3 (JAX backend): ``Conv{N}D`` / ``Conv{N}DTranspose`` with ``ZeroPadding``/``Cropping`` layers."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import SpecError
from ..spec import ConvSpec, TransposedConvSpec
from .core import Port, execute, pairs, spec_text, transposed_plan, tup, xla_extra
from .to_jax import guard_lines


def _layer_pairs(nd: int, amounts) -> str:
    """ZeroPadding1D/Cropping1D take one (left, right) pair; 2-D and 3-D take one pair per axis."""
    return tup(amounts[0]) if nd == 1 else pairs(amounts)


def port_keras(spec: ConvSpec | TransposedConvSpec, input_shape: Any, layout: str, last: bool) -> Port:
    nd = spec.ndim
    sp = layout.strip("NC")
    fmt = "channels_last" if last else "channels_first"
    notes: list[str] = []
    perm_io = tuple(range(2, 2 + nd)) + (1, 0)
    inverse = tup(np.argsort(perm_io))
    guard: list[str] = []
    why = ""
    pad = crop = None
    kernel, dilation, dilate = spec.kernel_size, spec.dilation, []
    if any(v > 1 for v in spec.stride) and any(v > 1 for v in spec.dilation):
        kernel = tuple(d * (k - 1) + 1 for k, d in zip(spec.kernel_size, spec.dilation))
        dilation = (1,) * nd
        notes.append(f"Keras refuses strides > 1 together with dilation_rate > 1: the dilation {spec.dilation} is "
                     f"written into the kernel instead (zeros between the taps, kernel size {kernel}, dilation 1), "
                     "the same layer")
        big = tup(spec.weight_shape[:2] + kernel)
        step = ", ".join([":", ":"] + [f"::{d}" for d in spec.dilation])
        dilate = [f"    big = np.zeros({big}, np.asarray(w).dtype)", f"    big[{step}] = w  # dilation written into the kernel",
                  "    w = big"]
    undilate = "" if not dilate else "[" + ", ".join([":", ":"] + [f"::{d}" for d in spec.dilation]) + "]"
    if isinstance(spec, ConvSpec):
        kernel_layout = sp + "IO"
        if any(spec.padding_left) or any(spec.padding_right):
            pad = spec.padding
            notes.append(f"padding {spec.padding}: Keras' convolutions pad only 'valid' or 'same' (the extra zero of "
                         "'same' on the right, its amount depending on the input length), so a ZeroPadding layer "
                         "pads first and the convolution is 'valid'")
        conv = (f"keras.layers.Conv{nd}D({spec.out_channels}, {tup(kernel)}, strides={tup(spec.stride)}, "
                f"padding='valid', data_format={fmt!r}, dilation_rate={tup(dilation)}, groups={spec.groups}, "
                f"kernel_initializer='zeros', bias_initializer='zeros')")
        w_line = f"    return np.transpose(w, {tup(perm_io)})  # (O, I/g, *k) -> (*k, I/g, O)"
    else:
        if spec.groups != 1:
            raise SpecError(f"Keras' Conv{nd}DTranspose has no groups; groups={spec.groups} cannot be expressed in "
                            "Keras (split the channels into groups and concatenate, or port to flax/jax)")
        kernel_layout = sp + "OI"
        extra, why = xla_extra(spec, input_shape)
        notes += [why] if why else []
        guard, more = guard_lines(spec, input_shape, last)
        notes += more
        plans = transposed_plan(spec, input_shape, full=True, extra=extra)
        if any(p.extra for p in plans):
            pad = tuple((0, p.extra) for p in plans)
            if any(a > pr for (_, pr), a in zip(spec.padding, spec.output_padding)):
                notes.append("output_padding beyond p_r: the input is zero-padded on the right (ZeroPadding) so that "
                             "the full output reaches far enough, then cropped")
        if any(p.crop != (0, 0) for p in plans):
            crop = tuple(p.crop for p in plans)
            notes.append(f"padding {spec.padding}, output_padding {spec.output_padding}: Keras' Conv{nd}DTranspose "
                         "has only 'valid' and 'same', so it computes the full ('valid') output and a Cropping layer "
                         f"takes (p_l, p_r - a) = {crop} off (Keras' 'same' is not PyTorch's padding=k//2)")
        conv = (f"keras.layers.Conv{nd}DTranspose({spec.out_channels}, {tup(kernel)}, "
                f"strides={tup(spec.stride)}, padding='valid', output_padding={tup((0,) * nd)}, "
                f"data_format={fmt!r}, dilation_rate={tup(dilation)}, kernel_initializer='zeros', "
                "bias_initializer='zeros')")
        notes.append(f"Keras' Conv{nd}DTranspose kernel is (*k, C_out, C_in) and is flipped by Keras itself: "
                     "PyTorch's weight only moves its axes")
        w_line = f"    return np.transpose(w, {tup(perm_io)})  # (C_in, C_out, *k) -> (*k, C_out, C_in)"
    head = [f"# {spec_text(spec)} in Keras 3 ({layout})", "import os", "",
            "os.environ.setdefault('KERAS_BACKEND', 'jax')  # before the first import of keras",
            "import jax", "import jax.numpy as jnp", "import keras", "import numpy as np", "",
            "if keras.backend.backend() != 'jax':",
            "    raise RuntimeError('this port runs on the JAX backend of Keras (KERAS_BACKEND=jax)')", ""]
    def around(name: str, amounts) -> list[str]:
        if nd > 1:
            return [f"keras.layers.{name}{nd}D({_layer_pairs(nd, amounts)}, data_format={fmt!r})"]
        one = f"keras.layers.{name}1D({_layer_pairs(nd, amounts)})"
        # Keras' 1-D padding and cropping layers take channels last only
        return [one] if last else ["keras.layers.Permute((2, 1))", one, "keras.layers.Permute((2, 1))"]

    layers = (around("ZeroPadding", pad) if pad is not None else []) + ["conv"]
    layers += around("Cropping", crop) if crop is not None else []
    in_shape = (None,) * nd + (spec.in_channels,) if last else (spec.in_channels,) + (None,) * nd
    lines = head + [f"conv = {conv}  # zeros: fn takes the weights as arguments", f"conv.build({(None,) + in_shape!r})",
                    f"layers = [{', '.join(layers)}]", "", "",
                    "def weight(w):", "    \"\"\"PyTorch's weight (numpy) -> the Keras kernel.\"\"\""] + dilate + [w_line, "", "",
                    "def weight_to_torch(w):", f"    return np.transpose(np.asarray(w), {inverse}){undilate}", "", "",
                    "def bias(b):", "    return np.asarray(b)", "", "",
                    "def model(w, b=None):",
                    "    \"\"\"A keras.Sequential of the layers, its weights set from PyTorch's with set_weights.\"\"\"",
                    f"    net = keras.Sequential([keras.Input({in_shape!r})] + [type(l).from_config(l.get_config()) "
                    "for l in layers])",
                    "    main = next(l for l in net.layers if l.name.startswith('conv'))",
                    f"    main.set_weights([weight(w), np.zeros({spec.out_channels}, np.float32) if b is None else "
                    "bias(b)])",
                    "    return net", "", "",
                    "@jax.jit", "def fn(x, w, b=None):",
                    f"    \"\"\"The layer on a batch in {layout} (stateless: the weights are arguments).\"\"\""]
    lines += guard
    lines += [f"    b = jnp.zeros(({spec.out_channels},), w.dtype) if b is None else b"]
    barrier = ["            x = jax.lax.optimization_barrier(x)  # keep XLA from folding the zeros into the convolution"]
    lines += ["    for layer in layers:",
              "        if layer is conv:",
              "            x, _ = conv.stateless_call([w, b], [], x)",
              "        else:",
              "            x = layer(x)"] + (barrier if why else []) + ["    return x", ""]
    source = "\n".join(lines)
    namespace = execute(source, "keras")
    import jax.numpy as jnp

    return Port("keras", spec, layout, kernel_layout, input_shape, source, tuple(notes), namespace,
                to_array=jnp.asarray, to_numpy=np.asarray)
