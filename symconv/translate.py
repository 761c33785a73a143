"""A transposed convolution in other frameworks' terms, justified by the gather view.

The gather view (proved by :func:`symconv.prove_transpose` and
:func:`symconv.prove_transpose_general`) says that a transposed convolution is
a stride-1 convolution, with the group-wise channel-swapped and flipped weight,
of the input dilated by the stride (``lhs_dilation``) and padded by
``(d(k-1) - p_l, d(k-1) - p_r + a)``.  Negative amounts are applied as a crop
of the output (for a stride-1 convolution, cropping its input and cropping its
output by the same amounts agree), which also avoids XLA:CPU bugs with
negative padding (openxla/xla#48713, #48715).
"""

from __future__ import annotations

from typing import Any

from .errors import SpecError, SpecTypeError
from .spec import TransposedConvSpec

__all__ = ["to_torch", "to_jax_conv_general_dilated", "to_jax_conv_transpose", "translation_text"]

_SPATIAL = "HWDUVXYZ"


def _check(tspec: Any) -> TransposedConvSpec:
    if not isinstance(tspec, TransposedConvSpec):
        raise SpecTypeError(f"tspec must be a TransposedConvSpec, got {type(tspec).__name__}")
    return tspec


def _layout(ndim: int) -> tuple[str, str, str]:
    sp = _SPATIAL[:ndim]
    return "NC" + sp, "OI" + sp, "NC" + sp


def _pads_and_crop(tspec: TransposedConvSpec) -> tuple[list, list]:
    pads = tspec.as_convolution().padding
    return [(max(left, 0), max(right, 0)) for left, right in pads], [(max(-left, 0), max(-right, 0)) for left, right in pads]


def to_torch(tspec: TransposedConvSpec) -> dict:
    """Arguments of ``torch.nn.functional.conv_transpose{N}d`` (symmetric padding only).

    >>> from symconv import TransposedConvSpec
    >>> to_torch(TransposedConvSpec(3, stride=2, padding=1, output_padding=1))["function"]
    'torch.nn.functional.conv_transpose1d'
    """
    tspec = _check(tspec)
    if tspec.ndim > 3:
        raise SpecError(f"PyTorch has conv_transpose1d to 3d only; this layer has {tspec.ndim} spatial axes")
    for ax, (left, right) in enumerate(tspec.padding):
        if left != right:
            raise SpecError(f"PyTorch's conv_transpose pads both sides equally; padding[{ax}] = ({left}, {right}) "
                            "cannot be expressed (crop the output of padding=0 instead)")
    return dict(function=f"torch.nn.functional.conv_transpose{tspec.ndim}d", stride=tspec.stride,
                padding=tspec.padding_left, output_padding=tspec.output_padding, groups=tspec.groups,
                dilation=tspec.dilation, weight="the ConvTranspose weight as it is, (C_in, C_out/g, *k)")


def to_jax_conv_general_dilated(tspec: TransposedConvSpec) -> dict:
    """Arguments of ``jax.lax.conv_general_dilated`` reproducing the layer (the gather view).

    ``kernel`` is a callable mapping the ConvTranspose weight to the kernel to pass
    (group-wise channel swap, then every spatial axis flipped, in ``OI...`` layout);
    ``crop`` lists (left, right) amounts to slice off the output's spatial axes.
    """
    tspec = _check(tspec)
    view = tspec.as_convolution()
    pads, crop = _pads_and_crop(tspec)
    return dict(function="jax.lax.conv_general_dilated", window_strides=(1,) * tspec.ndim, padding=pads,
                lhs_dilation=tspec.stride, rhs_dilation=tspec.dilation, feature_group_count=tspec.groups,
                dimension_numbers=_layout(tspec.ndim), kernel=view.transform_weight, crop=crop)


def to_jax_conv_transpose(tspec: TransposedConvSpec, *, transpose_kernel: bool = True) -> dict:
    """Arguments of ``jax.lax.conv_transpose`` reproducing the layer (groups must be 1).

    With ``transpose_kernel=True`` JAX flips and swaps the kernel itself: pass the
    ConvTranspose weight declared as ``OI...``.  With ``transpose_kernel=False``
    (JAX's default) the kernel must be flipped and swapped beforehand: passing the
    weight unchanged is the classic mismatch with PyTorch.
    """
    tspec = _check(tspec)
    if tspec.groups != 1:
        raise SpecError(f"jax.lax.conv_transpose has no feature_group_count; groups={tspec.groups} cannot be "
                        "expressed (use to_jax_conv_general_dilated)")
    view = tspec.as_convolution()
    pads, crop = _pads_and_crop(tspec)
    kernel = (lambda weight: weight) if transpose_kernel else view.transform_weight
    return dict(function="jax.lax.conv_transpose", strides=tspec.stride, padding=pads, rhs_dilation=tspec.dilation,
                dimension_numbers=_layout(tspec.ndim), transpose_kernel=transpose_kernel, kernel=kernel, crop=crop)


def translation_text(tspec: TransposedConvSpec) -> str:
    """The translations as text, each with what justifies it or why it is refused.

    >>> from symconv import TransposedConvSpec
    >>> print(translation_text(TransposedConvSpec(3, stride=2, padding=1)).splitlines()[0])
    ConvTranspose1d(1, 1, kernel_size=3, stride=2, padding=1, output_padding=0, dilation=1, groups=1)
    """
    tspec = _check(tspec)
    lines = [str(tspec)]
    try:
        t = to_torch(tspec)
        lines.append(f"PyTorch: {t['function']}(y, w, stride={t['stride']}, padding={t['padding']}, "
                     f"output_padding={t['output_padding']}, groups={t['groups']}, dilation={t['dilation']})")
    except SpecError as exc:
        lines.append(f"PyTorch: not expressible: {exc}")
    g = to_jax_conv_general_dilated(tspec)
    lines.append(f"JAX: lax.conv_general_dilated(y, flip(groupwise_swap(w)), window_strides={g['window_strides']}, "
                 f"padding={g['padding']}, lhs_dilation={g['lhs_dilation']}, rhs_dilation={g['rhs_dilation']}, "
                 f"dimension_numbers={g['dimension_numbers']}, feature_group_count={g['feature_group_count']}), "
                 f"then crop {g['crop']}")
    try:
        c = to_jax_conv_transpose(tspec)
        lines.append(f"JAX: lax.conv_transpose(y, w, strides={c['strides']}, padding={c['padding']}, "
                     f"rhs_dilation={c['rhs_dilation']}, dimension_numbers={c['dimension_numbers']}, "
                     f"transpose_kernel=True), then crop {c['crop']}; with transpose_kernel=False pass flip(swap(w))")
    except SpecError as exc:
        lines.append(f"JAX conv_transpose: not expressible: {exc}")
    lines.append("Justification: the gather view (zero insertion by the stride, padding d(k-1)-p_l and d(k-1)-p_r+a, "
                 "stride-1 convolution with the flipped, group-wise swapped kernel), proved by prove_transpose.")
    return "\n".join(lines)
