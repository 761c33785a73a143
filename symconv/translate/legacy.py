"""A transposed convolution in other frameworks' terms, justified by the gather view.

The gather view (proved by :func:`symconv.prove_transpose` and
:func:`symconv.prove_transpose_general`) says that a transposed convolution is
a stride-1 convolution, with the group-wise channel-swapped and flipped weight,
of the input dilated by the stride (``lhs_dilation``) and padded by
``(d(k-1) - p_l, d(k-1) - p_r + a)``.  Negative amounts are applied as a crop
of the output (for a stride-1 convolution, cropping its input and cropping its
output by the same amounts agree), which also avoids XLA:CPU bugs with
negative padding (openxla/xla#48713, #48715).

XLA:CPU (jax 0.10.2) also aborts the whole process ("Window dimensions do not
match RHS shape", in its algebraic simplifier) on some convolutions with
``lhs_dilation`` whose input is shorter than the dilated kernel on an axis, e.g.
a 3x1 input, a 2x3 kernel, ``lhs_dilation=(2, 1)`` and padding ``(0, 0), (1, 1)``.
For those the translations first pad the input ``y`` with zeros on the right
(``input_padding``, in ``y``'s own units, e.g. with ``jnp.pad``), so that no
axis is shorter than the dilated kernel, and take the same amount (times the
stride) back from the convolution's padding (or crop it from the output): an
equivalent argument set that the simplifier handles.  The returned ``note``
says so.  (The condition is conservative: it covers every crash found on a
grid of small 2-D configurations, with a margin.)

Every function here takes a :class:`~symconv.TransposedConvSpec` and refuses anything else with
:class:`~symconv.errors.SpecTypeError`; ``input_shape`` is the spatial shape of ``y``.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..errors import SpecError, SpecTypeError
from ..spec import TransposedConvSpec

__all__ = ["to_torch", "to_jax_conv_general_dilated", "to_jax_conv_transpose", "translation_text"]

_DEPRECATED = ("{name} returns fields (kernel, input_padding, crop) that change the result when ignored; use "
               "symconv.translate.port(tspec, 'jax', input_shape=...) for code that runs as it is")

_SPATIAL = "HWDUVXYZ"


def _check(tspec: Any) -> TransposedConvSpec:
    if not isinstance(tspec, TransposedConvSpec):
        raise SpecTypeError(f"tspec must be a TransposedConvSpec, got {type(tspec).__name__}")
    return tspec


def _layout(ndim: int) -> tuple[str, str, str]:
    sp = _SPATIAL[:ndim]
    return "NC" + sp, "OI" + sp, "NC" + sp


def _input_padding(tspec: TransposedConvSpec, input_shape: Any) -> tuple[list, str]:
    """Zeros to append to ``y`` per axis (before the call) that keep XLA:CPU away from its simplifier bug.

    With ``input_shape``: only where an axis is shorter than the dilated kernel.  Without it, the input may be
    that short: every axis whose dilated kernel exceeds 1 gets ``d(k-1)`` zeros, enough for any input length.
    """
    extents = [d * (k - 1) + 1 for k, d in zip(tspec.kernel_size, tspec.dilation)]
    none = [(0, 0)] * tspec.ndim
    if all(s == 1 for s in tspec.stride):
        return none, ""
    if input_shape is None:
        extra = [(0, e - 1) for e in extents]
        why = "the input shape is not given, so any axis may be shorter than its dilated kernel"
    else:
        shape = tspec.check_input_shape(input_shape)
        extra = [(0, max(0, e - n)) for n, e in zip(shape, extents)]
        why = "; ".join(f"axis {ax}: input {n} < dilated kernel {e}"
                        for ax, (n, e, (_, q)) in enumerate(zip(shape, extents, extra)) if q)
    if not any(q for _, q in extra):
        return none, ""
    note = ("workaround: XLA:CPU (jax 0.10.2) aborts on lhs_dilation with an input shorter than the dilated kernel "
            f"(algebraic simplifier, 'Window dimensions do not match RHS shape'); {why}. So y is padded with zeros "
            f"on the right first (input_padding={extra}) and the convolution's padding gives them back (stride times "
            "as many, cropped from the output where the padding would turn negative): the same layer"
            + ("; pass input_shape for the plain arguments" if input_shape is None else ""))
    return extra, note


def _pads_and_crop(tspec: TransposedConvSpec, extra: list) -> tuple[list, list]:
    pads = [(left - s * ql, right - s * qr)
            for (left, right), s, (ql, qr) in zip(tspec.as_convolution().padding, tspec.stride, extra)]
    return [(max(left, 0), max(right, 0)) for left, right in pads], [(max(-left, 0), max(-right, 0)) for left, right in pads]


def to_torch(tspec: TransposedConvSpec) -> dict:
    """Arguments of ``torch.nn.functional.conv_transpose{N}d`` (symmetric padding only).

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer, in PyTorch's semantics.

    Returns
    -------
    dict
        ``function`` (its dotted name), ``stride``, ``padding``, ``output_padding``, ``groups``, ``dilation`` and
        ``weight`` (what to pass: the ConvTranspose weight as it is).

    Raises
    ------
    SpecTypeError
        For anything but a TransposedConvSpec.
    SpecError
        For a padding mode other than zeros, more than 3 spatial axes, or asymmetric padding (PyTorch pads
        both sides equally).

    Examples
    --------
    >>> from symconv import TransposedConvSpec
    >>> to_torch(TransposedConvSpec(3, stride=2, padding=1, output_padding=1))["function"]
    'torch.nn.functional.conv_transpose1d'
    """
    tspec = _check(tspec)
    if tspec.padding_mode != "zeros":  # issue 21: PyTorch's ConvTranspose refuses these modes
        raise SpecError(f"padding_mode={tspec.padding_mode!r}: PyTorch's conv_transpose has zero padding only; "
                        "symconv.padding_modes.torch_recipe(tspec) emits the layer (padding 0, then the fold)")
    if tspec.ndim > 3:
        raise SpecError(f"PyTorch has conv_transpose1d to 3d only; this layer has {tspec.ndim} spatial axes")
    for ax, (left, right) in enumerate(tspec.padding):
        if left != right:
            raise SpecError(f"PyTorch's conv_transpose pads both sides equally; padding[{ax}] = ({left}, {right}) "
                            "cannot be expressed (crop the output of padding=0 instead)")
    return dict(function=f"torch.nn.functional.conv_transpose{tspec.ndim}d", stride=tspec.stride,
                padding=tspec.padding_left, output_padding=tspec.output_padding, groups=tspec.groups,
                dilation=tspec.dilation, weight="the ConvTranspose weight as it is, (C_in, C_out/g, *k)")


def to_jax_conv_general_dilated(tspec: TransposedConvSpec, input_shape: Any = None) -> dict:
    """Arguments of ``jax.lax.conv_general_dilated`` reproducing the layer (the gather view).

    ``kernel`` is a callable mapping the ConvTranspose weight to the kernel to pass
    (group-wise channel swap, then every spatial axis flipped, in ``OI...`` layout);
    ``input_padding`` lists (left, right) zeros to add to ``y``'s spatial axes before the
    call and ``crop`` (left, right) amounts to slice off the output's spatial axes
    afterwards.  Give ``input_shape`` (spatial) to get arguments that avoid the XLA:CPU
    abort described in the module docstring; ``note`` says when they differ.  Deprecated: use
    :func:`symconv.translate.port` with ``to="jax"``.

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer, in PyTorch's semantics.
    input_shape : tuple of int, optional
        With it, arguments that avoid the XLA:CPU abort only where needed (see the module docstring).

    Returns
    -------
    dict
        ``function``, lax's own keywords (``window_strides``, ``padding``, ``lhs_dilation``, ``rhs_dilation``,
        ``feature_group_count``, ``dimension_numbers``), and ``kernel``, ``input_padding``, ``crop``, ``note``.

    Raises
    ------
    SpecTypeError
        For anything but a TransposedConvSpec.

    Warns
    -----
    DeprecationWarning
        Always (the module's functions are superseded by :func:`symconv.translate.port`).

    Examples
    --------
    >>> from symconv import TransposedConvSpec
    >>> t = TransposedConvSpec((2, 3), stride=(2, 1), padding=1)
    >>> args = to_jax_conv_general_dilated(t, (3, 1))
    >>> args["input_padding"], args["padding"], args["crop"]
    ([(0, 0), (0, 2)], [(0, 0), (1, 0)], [(0, 0), (0, 1)])
    >>> args["note"].split(":")[0]
    'workaround'
    """
    tspec = _check(tspec)
    warnings.warn(_DEPRECATED.format(name="to_jax_conv_general_dilated"), DeprecationWarning, stacklevel=2)
    view = tspec.as_convolution()
    extra, note = _input_padding(tspec, input_shape)
    pads, crop = _pads_and_crop(tspec, extra)
    return dict(function="jax.lax.conv_general_dilated", window_strides=(1,) * tspec.ndim, padding=pads,
                lhs_dilation=tspec.stride, rhs_dilation=tspec.dilation, feature_group_count=tspec.groups,
                dimension_numbers=_layout(tspec.ndim), kernel=view.transform_weight, crop=crop,
                input_padding=extra, note=note)


def to_jax_conv_transpose(tspec: TransposedConvSpec, input_shape: Any = None, *, transpose_kernel: bool = True) -> dict:
    """Arguments of ``jax.lax.conv_transpose`` reproducing the layer (groups must be 1).

    With ``transpose_kernel=True`` JAX flips and swaps the kernel itself: pass the
    ConvTranspose weight declared as ``OI...``.  With ``transpose_kernel=False``
    (JAX's default) the kernel must be flipped and swapped beforehand: passing the
    weight unchanged is the classic mismatch with PyTorch.  ``input_padding``,
    ``crop`` and ``note`` as in :func:`to_jax_conv_general_dilated`.  Deprecated: use
    :func:`symconv.translate.port` with ``to="jax"``.

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer, in PyTorch's semantics.
    input_shape : tuple of int, optional
        With it, arguments that avoid the XLA:CPU abort only where needed (see the module docstring).
    transpose_kernel : bool
        The value to pass to ``lax.conv_transpose``; it decides what ``kernel`` does to the weight.

    Returns
    -------
    dict
        ``function``, lax's own keywords (``strides``, ``padding``, ``rhs_dilation``, ``dimension_numbers``,
        ``transpose_kernel``), and ``kernel``, ``input_padding``, ``crop``, ``note``.

    Raises
    ------
    SpecTypeError
        For anything but a TransposedConvSpec.
    SpecError
        When ``groups != 1`` (``lax.conv_transpose`` has no ``feature_group_count``).

    Warns
    -----
    DeprecationWarning
        Always, as :func:`to_jax_conv_general_dilated`.

    Examples
    --------
    >>> import warnings
    >>> from symconv import TransposedConvSpec
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     args = to_jax_conv_transpose(TransposedConvSpec(3, stride=2, padding=1), (8,), transpose_kernel=False)
    >>> args["strides"], args["padding"], args["crop"]
    ((2,), [(1, 1)], [(0, 0)])
    """
    tspec = _check(tspec)
    warnings.warn(_DEPRECATED.format(name="to_jax_conv_transpose"), DeprecationWarning, stacklevel=2)
    if tspec.groups != 1:
        raise SpecError(f"jax.lax.conv_transpose has no feature_group_count; groups={tspec.groups} cannot be "
                        "expressed (use to_jax_conv_general_dilated)")
    view = tspec.as_convolution()
    extra, note = _input_padding(tspec, input_shape)
    pads, crop = _pads_and_crop(tspec, extra)
    kernel = (lambda weight: weight) if transpose_kernel else view.transform_weight
    return dict(function="jax.lax.conv_transpose", strides=tspec.stride, padding=pads, rhs_dilation=tspec.dilation,
                dimension_numbers=_layout(tspec.ndim), transpose_kernel=transpose_kernel, kernel=kernel, crop=crop,
                input_padding=extra, note=note)


def translation_text(tspec: TransposedConvSpec, input_shape: Any = None) -> str:
    """The translations as text, each with what justifies it or why it is refused.

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer, in PyTorch's semantics.
    input_shape : tuple of int, optional
        With it, arguments that avoid the XLA:CPU abort only where needed (see the module docstring).

    Returns
    -------
    str
        Lines: the layer, the PyTorch call, the two JAX calls (or why each is refused), the justification.

    Raises
    ------
    SpecTypeError
        When ``tspec`` is not a :class:`TransposedConvSpec` (a translation that is refused is a line, not an
        error).

    Examples
    --------
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the text states every field
        g = to_jax_conv_general_dilated(tspec, input_shape)
    pre = f"pad y by {g['input_padding']}, then " if g["note"] else ""
    lines.append(f"JAX: {pre}lax.conv_general_dilated(y, flip(groupwise_swap(w)), window_strides={g['window_strides']}, "
                 f"padding={g['padding']}, lhs_dilation={g['lhs_dilation']}, rhs_dilation={g['rhs_dilation']}, "
                 f"dimension_numbers={g['dimension_numbers']}, feature_group_count={g['feature_group_count']}), "
                 f"then crop {g['crop']}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            c = to_jax_conv_transpose(tspec, input_shape)
        lines.append(f"JAX: {pre}lax.conv_transpose(y, w, strides={c['strides']}, padding={c['padding']}, "
                     f"rhs_dilation={c['rhs_dilation']}, dimension_numbers={c['dimension_numbers']}, "
                     f"transpose_kernel=True), then crop {c['crop']}; with transpose_kernel=False pass flip(swap(w))")
    except SpecError as exc:
        lines.append(f"JAX conv_transpose: not expressible: {exc}")
    if g["note"]:
        lines.append(g["note"][0].upper() + g["note"][1:] + ".")
    lines.append("Justification: the gather view (zero insertion by the stride, padding d(k-1)-p_l and d(k-1)-p_r+a, "
                 "stride-1 convolution with the flipped, group-wise swapped kernel), proved by prove_transpose.")
    return "\n".join(lines)
