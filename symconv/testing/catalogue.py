"""The catalogue of convention mistakes, as variants of the numeric reference."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import numeric
from ..errors import ShapeError
from ..spec import ConvSpec, TransposedConvSpec
from ..weights import flip_kernel, swap_channel_groups


def _window(z0: np.ndarray, pads: tuple[tuple[int, int], ...]) -> np.ndarray:
    """``z[t] = z0[t - L]`` for ``0 <= t < len(z0) + L + R`` (zeros outside z0), on every spatial axis."""
    shape = (z0.shape[0],) + tuple(n + left + right for n, (left, right) in zip(z0.shape[1:], pads))
    if min(shape) < 1:
        raise ShapeError(f"window of shape {shape} is empty")
    z = np.zeros(shape, dtype=z0.dtype)
    src, dst = [slice(None)], [slice(None)]
    for n, (left, right) in zip(z0.shape[1:], pads):
        lo, hi = max(0, -left), min(n, n + right)
        if lo >= hi:
            return z
        src.append(slice(lo, hi))
        dst.append(slice(lo + left, hi + left))
    z[tuple(dst)] = z0[tuple(src)]
    return z


def _gather(tspec: TransposedConvSpec, conv_weight: np.ndarray, y: np.ndarray, factor=None, pads=None) -> np.ndarray:
    view = tspec.as_convolution()
    factor = factor or view.zero_insertion
    z0 = np.zeros((y.shape[0],) + tuple(s * (n - 1) + 1 for n, s in zip(y.shape[1:], factor)), dtype=y.dtype)
    z0[(slice(None),) + tuple(slice(None, None, s) for s in factor)] = y
    return numeric.conv(view.conv, conv_weight, _window(z0, pads or view.padding))


def _transposed_variants(tspec: TransposedConvSpec) -> list[tuple[str, Callable]]:
    mode = getattr(tspec, "padding_mode", "zeros")
    if mode != "zeros":  # T = fold . T0, T0 the padding-0 transposed layer: the same mistakes in T0, then the fold
        from ..padding_modes import fold, zero_padding_spec

        return [(f"{name}, followed by the {mode} fold", lambda w, y, wrong=wrong: fold(mode, wrong(w, y), tspec.padding))
                for name, wrong in _transposed_variants(zero_padding_spec(tspec))]
    view = tspec.as_convolution()
    nd = tspec.ndim
    good = view.transform_weight

    def plain_swap(w):
        return flip_kernel(np.swapaxes(w, 0, 1).reshape(good(w).shape), nd)

    cases: list[tuple[str, Callable]] = [
        ("a transposed convolution whose kernel is not flipped (JAX's lax.conv_transpose default, "
         "transpose_kernel=False)", lambda w, y: _gather(tspec, swap_channel_groups(w, tspec.groups), y)),
        ("a transposed convolution with the channels swapped without regard to groups (a plain swap of the first "
         "two weight axes)", lambda w, y: _gather(tspec, plain_swap(w), y)),
        ("a transposed convolution whose padding p was applied as input padding, instead of cropping the output "
         "(the gather view pads by d(k-1) - p)", lambda w, y: _gather(tspec, good(w), y, pads=tuple(
             (pl, pr + a) for (pl, pr), a in zip(tspec.padding, tspec.output_padding)))),
        ("a transposed convolution with output_padding on the left instead of the right (its output shifted by "
         "one: cropped on the wrong side, e.g. Keras' 'same' ported as padding=1, output_padding=1)",
         lambda w, y: _gather(tspec, good(w), y, pads=tuple(
             (left + a, right - a) for (left, right), a in zip(view.padding, tspec.output_padding)))),
        ("a transposed convolution that inserts s zeros between inputs instead of s - 1",
         lambda w, y: _gather(tspec, good(w), y, factor=tuple(s + 1 for s in tspec.stride))),
    ]
    if tspec.in_channels == tspec.out_channels and tspec.groups == 1:
        cases.append(("a transposed convolution whose channels are not swapped",
                      lambda w, y: _gather(tspec, flip_kernel(w, nd), y)))
    if tspec.in_channels == tspec.out_channels:
        cases.append(("a transposed convolution whose kernel is neither flipped nor channel-swapped (PyTorch's "
                      "weight given to JAX's lax.conv_transpose as OIHW with its default transpose_kernel=False)",
                      lambda w, y: _gather(tspec, w, y)))
    if not any(tspec.output_padding):
        cases = [c for c in cases if "output_padding on the left" not in c[0]]
    for ax in range(nd):
        for delta in (1, -1):
            pads = tuple((left - delta, right + delta) if a == ax else (left, right)
                         for a, (left, right) in enumerate(view.padding))
            cases.append((f"a transposed convolution whose output is shifted by {delta:+d} on axis {ax} (out[j] = the "
                          f"layer's out[j {'+' if delta > 0 else '-'} 1]): cropped on the wrong side, e.g. Keras' "
                          "'same' ported as padding=1, output_padding=1",
                          lambda w, y, pads=pads: _gather(tspec, good(w), y, pads=pads)))
    return cases


def _conv_variants(spec: ConvSpec) -> list[tuple[str, Callable]]:
    cases: list[tuple[str, Callable]] = [
        ("a convolution with the flipped kernel (a true convolution, not the cross-correlation that deep-learning "
         "frameworks compute)", lambda w, x: numeric.conv(spec, flip_kernel(w, spec.ndim), x)),
    ]
    if spec.in_channels == spec.out_channels:
        cases.append(("a convolution whose weight has its two channel axes swapped (group-wise): a ConvTranspose "
                      "weight (in, out/g, *k) read as a Conv weight (out, in/g, *k)",
                      lambda w, x: numeric.conv(spec, swap_channel_groups(w, spec.groups), x)))
    if any(left != right for left, right in spec.padding):
        swapped = ConvSpec(spec.kernel_size, stride=spec.stride, padding=tuple((r, left) for left, r in spec.padding),
                           dilation=spec.dilation, in_channels=spec.in_channels, out_channels=spec.out_channels,
                           groups=spec.groups)
        cases.append(("a convolution with left and right padding exchanged (F.pad lists the last axis first)",
                      lambda w, x: numeric.conv(swapped, w, x)))
    unpadded = ConvSpec(spec.kernel_size, stride=spec.stride, padding=0, dilation=spec.dilation,
                        in_channels=spec.in_channels, out_channels=spec.out_channels, groups=spec.groups)
    for ax in range(spec.ndim):
        for delta in (1, -1):
            pads = tuple((left + delta, right - delta) if a == ax else (left, right)
                         for a, (left, right) in enumerate(spec.padding))
            pl, pr = pads[ax]
            cases.append((f"a convolution whose input is shifted by {-delta:+d} on axis {ax}: padded ({pl}, {pr}) "
                          f"instead of {spec.padding[ax]} (one more on the {'left' if delta > 0 else 'right'}: the "
                          "padding on the wrong side)",
                          lambda w, x, pads=pads: numeric.conv(unpadded, w, _window(x, pads))))
    return cases
