"""Read ``jax.lax`` convolution arguments into a spec and PyTorch's weight."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError, SpecError
from ..spec import ConvSpec, TransposedConvSpec
from ..weights import flip_kernel, swap_channel_groups
from .readers_common import _array, _ints, _spatial, _transposed_string_pads, from_gather_padding, same_padding

__all__ = ["read_lax"]


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
