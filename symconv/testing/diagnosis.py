"""Explaining a failure: the named mistake it equals, or the one input entry local probes trace it to."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..kernels import as_weight
from ..spec import ConvSpec, TransposedConvSpec
from .catalogue import _transposed_variants
from .maps import linear_map_matrix
from .probing import _Probe
from .reference import _fmt, _Layer
from .tolerances import _Plan


def _receptive_field(layer: _Layer, out_idx: tuple[int, ...]) -> tuple[list[int], list[list[int]]]:
    """Input channels and per-axis input positions the reference combines into output ``out_idx``."""
    spec = layer.spec
    o, pos = out_idx[0], out_idx[1:]
    n_in = layer.in_shape[1:]
    per_axis = []
    if isinstance(spec, ConvSpec):
        group = o // (spec.out_channels // spec.groups)
        per_in = spec.in_channels // spec.groups
        channels = list(range(group * per_in, (group + 1) * per_in))
        for ax, i in enumerate(pos):
            s, d, pl = spec.stride[ax], spec.dilation[ax], spec.padding_left[ax]
            per_axis.append(sorted({s * i + d * m - pl for m in range(spec.kernel_size[ax])} & set(range(n_in[ax]))))
    else:
        group = o // (spec.out_channels // spec.groups)
        per_in = spec.in_channels // spec.groups
        channels = list(range(group * per_in, (group + 1) * per_in))
        for ax, j in enumerate(pos):
            s, d, pl = spec.stride[ax], spec.dilation[ax], spec.padding_left[ax]
            per_axis.append(sorted({(j + pl - d * m) // s for m in range(spec.kernel_size[ax])
                                    if (j + pl - d * m) % s == 0} & set(range(n_in[ax]))))
    return channels, per_axis


def _index_text(layer: _Layer, out_idx: tuple[int, ...], in_idx: tuple[int, ...]) -> str:
    spec = layer.spec
    conv = isinstance(spec, ConvSpec)
    parts = []
    for ax in range(spec.ndim):
        s, d, pl, k = spec.stride[ax], spec.dilation[ax], spec.padding_left[ax], spec.kernel_size[ax]
        i, j = (out_idx[1 + ax], in_idx[1 + ax]) if conv else (in_idx[1 + ax], out_idx[1 + ax])
        num = j + pl - s * i
        eq = f"axis {ax}: j = s·i + d·m − p_l ⇒ {j} = {s}·{i} + {d}·m − {pl}"
        if num % d or not 0 <= num // d < k:
            parts.append(f"{eq} has no tap m in 0..{k - 1}")
        else:
            parts.append(f"{eq} ⇒ m = {num // d}")
    role = "output i reads input j" if conv else "input i stamps output j"
    text = f"index equation ({role} through tap m): " + "; ".join(parts)
    taps = [p.rsplit("m = ", 1)[1] for p in parts if "⇒ m = " in p]
    if len(taps) == spec.ndim:
        if conv:
            o, c = out_idx[0], in_idx[0]
            block = (o, c - o // (spec.out_channels // spec.groups) * (spec.in_channels // spec.groups))
        else:
            ci, co = in_idx[0], out_idx[0]
            block = (ci, co - ci // (spec.in_channels // spec.groups) * (spec.out_channels // spec.groups))
        if 0 <= block[1] < layer.weight.shape[1]:
            tap = block + tuple(int(t) for t in taps)
            text += f"; the reference's entry is weight[{', '.join(map(str, tap))}] = {_fmt(layer.weight[tap])}"
        else:
            text += "; the channels are in different groups: the reference's entry is 0"
    return text


def _explain_difference(probe: _Probe, layer: _Layer, plan: _Plan, x: np.ndarray, got: np.ndarray,
                        want: np.ndarray, tol, flat: int, f0: np.ndarray, trial: int) -> list[str]:
    out_idx = tuple(int(i) for i in np.unravel_index(flat, got.shape))
    tol_e = float(np.broadcast_to(tol, got.shape)[out_idx])
    lines = [f"first differing output entry (trial {trial}): {out_idx}: expected {_fmt(want[out_idx])}, got "
             f"{_fmt(got[out_idx])}"]
    channels, per_axis = _receptive_field(layer, out_idx)
    field = np.zeros(layer.in_shape, dtype=bool)
    if channels and all(per_axis):
        field[np.ix_(channels, *per_axis)] = True
        ranges = ", ".join(f"{a[0]}..{a[-1]}" for a in per_axis)
        lines.append(f"its receptive field in the reference: input channels {channels[0]}..{channels[-1]}, "
                     f"positions {ranges} ({int(field.sum())} entries)")
    else:
        lines.append("in the reference no input reaches this output entry (it is 0)")
    start = probe.calls

    def diff(mask_flat: np.ndarray) -> float:
        flat_x = np.zeros(x.size)
        flat_x[mask_flat] = x.ravel()[mask_flat]
        xm = flat_x.reshape(x.shape)
        return float(probe(xm[None])[0][out_idx] - f0[out_idx] - layer.ref(xm)[out_idx])

    inside = np.flatnonzero(field.ravel() & (x.ravel() != 0))
    outside = np.flatnonzero(~field.ravel() & (x.ravel() != 0))
    if inside.size and abs(diff(inside)) > tol_e:
        candidates, where = inside, "inside"
    else:
        candidates, where = outside, "outside"
    while candidates.size > 1:
        half = candidates[: candidates.size // 2]
        candidates = half if abs(diff(half)) > tol_e else candidates[candidates.size // 2:]
    if candidates.size == 0:
        lines.append("local probes found no single input entry responsible")
        return lines
    j = int(candidates[0])
    flat_e = np.zeros(x.size)
    flat_e[j] = 1.0
    e = flat_e.reshape(x.shape)
    a = float(probe(e[None])[0][out_idx] - f0[out_idx])
    m = float(layer.ref(e)[out_idx])
    in_idx = tuple(int(i) for i in np.unravel_index(j, x.shape))
    if abs(a - m) * abs(float(x.ravel()[j])) <= tol_e:
        lines.append(f"local probes ({probe.calls - start} calls) could not isolate one input entry: the difference "
                     "is spread over many entries, each within the tolerance")
        return lines
    lines.append(f"local probes ({probe.calls - start} calls, halving the inputs {where} the receptive field) trace "
                 f"it to input entry {in_idx}: the function multiplies it by {_fmt(a)}, the reference by {_fmt(m)}")
    lines.append(_index_text(layer, out_idx, in_idx))
    return lines


def diagnose_transposed(tspec: TransposedConvSpec, weight: Any, input_shape: Any) -> list[tuple[str, np.ndarray]]:
    """Matrices of the usual wrong implementations of a transposed convolution, with what each gets wrong.

    Probed from the catalogue's numpy variants (small shapes: dense, refused beyond ``DENSE_LIMIT``).

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer.
    weight : array_like
        Its weight, of shape ``(C_in, C_out/groups, *kernel_size)``.
    input_shape : tuple of int
        The spatial input shape.

    Returns
    -------
    list of (str, numpy.ndarray)
        Each mistake of the catalogue that has a matrix for this layer: its description and its dense matrix.

    Raises
    ------
    ShapeError
        For a weight or input shape the layer cannot take.
    SizeLimitError
        For matrices over ``DENSE_LIMIT`` entries.

    See Also
    --------
    assert_is_transposed_convolution : Names the mistake a function makes, by the randomized test.

    Examples
    --------
    >>> from symconv import TransposedConvSpec
    >>> [d[:42] for d, _ in diagnose_transposed(TransposedConvSpec(2, stride=2), [[[1, 2]]], (2,))][:1]
    ['a transposed convolution whose kernel is n']
    """
    shape = tspec.check_input_shape(input_shape)
    w = np.asarray(as_weight(tspec, weight).tolist(), dtype=np.float64)
    out = []
    for description, variant in _transposed_variants(tspec):
        try:
            matrix, _ = linear_map_matrix(lambda y, v=variant: v(w, y), tspec.in_channels, shape)
        except (ValueError, TypeError):
            continue  # this mistake does not produce a matrix of this configuration
        out.append((description, matrix))
    return out
