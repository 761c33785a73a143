"""Uneven overlap of the stamps: the checkerboard pattern of transposed convolutions.

The number of kernel taps reaching each output position is read off the
structure of T; away from the borders it has a period dividing s, and (where
that interior holds at least s positions) it is uniform exactly when s divides
k and gcd(s, d) = 1 (Odena, Dumoulin, Olah, Distill 2016, with dilation added).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..matrices import transposed_conv_matrix
from ..spec import TransposedConvSpec
from .core import Proof, Step

__all__ = ["overlap_counts", "prove_overlap", "interior"]


def _spatial(tspec: TransposedConvSpec) -> TransposedConvSpec:
    return TransposedConvSpec(tspec.kernel_size, tspec.stride, tspec.padding, tspec.output_padding, tspec.dilation)


def overlap_counts(tspec: TransposedConvSpec, input_shape: Any) -> np.ndarray:
    """Number of (input position, tap) pairs reaching each output position.

    Read off the structure of T for one channel pair; shape ``tspec.output_shape(input_shape)``.

    >>> overlap_counts(TransposedConvSpec(3, stride=2), (4,)).tolist()
    [1, 1, 2, 1, 2, 1, 2, 1, 1]
    """
    single = _spatial(tspec)
    shape = single.check_input_shape(input_shape)
    tap_ids = np.arange(math.prod(single.kernel_size)).reshape(single.weight_shape)
    T = transposed_conv_matrix(single, tap_ids, shape)
    counts = np.bincount(T.structure.rows, minlength=T.shape[0])
    return counts.reshape(single.output_shape(shape))


def interior(n_in: int, k: int, s: int, p_l: int, d: int, n_t: int) -> range:
    """Output positions reached by every tap whose input exists: [d(k-1) - p_l, s(n_in-1) - p_l], clipped."""
    lo, hi = max(d * (k - 1) - p_l, 0), min(s * (n_in - 1) - p_l, n_t - 1)
    return range(lo, hi + 1)


def _closed_form(j: int, n_in: int, k: int, s: int, p_l: int, d: int) -> int:
    """Taps m with (j + p_l - d m) divisible by s and the input index in range, counted directly."""
    return sum(1 for m in range(k) if (j + p_l - d * m) % s == 0 and 0 <= (j + p_l - d * m) // s < n_in)


def prove_overlap(tspec: TransposedConvSpec, input_shape: Any) -> Proof:
    """The overlap pattern of a transposed convolution, checked axis by axis.

    >>> proof = prove_overlap(TransposedConvSpec(3, stride=2), (6,))
    >>> proof.holds, proof.data["uniform"]
    (True, (False,))
    """
    shape = _spatial(tspec).check_input_shape(input_shape)
    counts = overlap_counts(tspec, shape)
    steps: list[Step] = []
    uniform: list[bool | None] = []
    periods: list[list[int]] = []
    per_axis = []
    for ax, n_in in enumerate(shape):
        k, s, d, p_l = tspec.kernel_size[ax], tspec.stride[ax], tspec.dilation[ax], tspec.padding_left[ax]
        n_t = counts.shape[ax]
        axis_counts = overlap_counts(TransposedConvSpec(k, s, (tspec.padding[ax],), tspec.output_padding[ax], d), (n_in,))
        per_axis.append(axis_counts)
        direct = np.array([_closed_form(j, n_in, k, s, p_l, d) for j in range(n_t)])
        ok = bool(np.array_equal(axis_counts, direct))
        steps.append(Step(f"count_{ax}[j]", "#{m : s | (j + p_l - d m), 0 <= (j + p_l - d m)/s < n_in}",
                          f"axis {ax}: the taps reaching output j, read off T, against a direct count", "enumeration",
                          ok, f"counts {axis_counts.tolist()}" if ok else f"T gives {axis_counts.tolist()}, direct count {direct.tolist()}",
                          name=f"counts axis {ax}"))
        inner = interior(n_in, k, s, p_l, d, n_t)
        values = axis_counts[inner.start:inner.stop] if len(inner) else np.array([], dtype=int)
        periodic = all(values[t] == values[t + s] for t in range(len(values) - s))
        steps.append(Step(f"count_{ax}[j + {s}]", f"count_{ax}[j]", f"axis {ax}: in the interior {list(inner)[:1] + list(inner)[-1:]} "
                          f"the pattern repeats with period dividing s = {s}", "enumeration", periodic,
                          f"interior counts {values.tolist()}", name=f"period axis {ax}"))
        periods.append(values[:s].tolist())
        criterion = k % s == 0 and math.gcd(s, d) == 1
        if len(values) >= s:
            is_uniform = bool(len(set(values.tolist())) == 1)
            ok = is_uniform == criterion
            uniform.append(is_uniform)
            steps.append(Step(f"uniform_{ax}", f"(s | k and gcd(s, d) = 1) = {criterion}",
                              f"axis {ax}: the interior pattern is uniform exactly when s divides k and gcd(s, d) = 1 "
                              f"(k = {k}, s = {s}, d = {d})", "enumeration", ok,
                              f"{'uniform' if is_uniform else 'uneven'} ({values[:s].tolist()} repeating); criterion {criterion}",
                              name=f"uniformity axis {ax}"))
        else:
            uniform.append(None)
    if len(shape) > 1:
        outer = per_axis[0]
        for arr in per_axis[1:]:
            outer = np.multiply.outer(outer, arr)
        ok = bool(np.array_equal(outer, counts))
        steps.append(Step("count[j_0, ..., j_N]", "prod_a count_a[j_a]", "the N-D count is the product of the per-axis counts",
                          "enumeration", ok, "all positions agree" if ok else "the product differs", name="product"))
    return Proof("Overlap of the stamps (checkerboard)", f"For {tspec} on inputs {shape}, the number of taps reaching each "
                 "output position, its period and its uniformity.", tuple(steps),
                 conclusion="Uneven overlap is what draws the checkerboard pattern.",
                 data=dict(counts=counts, uniform=tuple(uniform), periods=tuple(periods)))
