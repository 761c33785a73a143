"""Sharper probes for low precision: inputs under which each output sums one weight (along the layer's pattern).

The random identity test compares outputs that each sum ``n`` rounded terms, so in bfloat16 or TF32 its
tolerance, and the smallest wrong entry it can see, is ``n`` roundings of the whole receptive field.  A probe
that sets one input channel to a power of two ``v`` at every ``P``-th position per axis (``P`` the pattern's
period, as :func:`symconv.testing.linear_map_coo` uses) makes every output the product of one weight and
``v`` (exact) plus the bias: its error is one rounding of that weight.  ``C_in * prod(P)`` such probes read
every weight of the function's matrix at this input shape, each compared within its own tolerance; an
output that the pattern does not reach must stay at the bias.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ..spec import ConvSpec
from .maps import _pattern_maps
from .probing import _Probe
from .reference import _fmt, _Layer
from .tolerances import _PatternPlan


def _residue_tables(layer: _Layer, maps, residue: tuple[int, ...]):
    """For the probe of positions ``residue`` mod P: per axis, the input position that reaches each output
    (-1: none) and its tap; and the outputs some position reaches.  The same for every input channel."""
    spec = layer.spec
    conv = isinstance(spec, ConvSpec)
    q_axes, m_axes = [], []
    for ax, ((_, table), r) in enumerate(zip(maps, residue)):
        pos = np.arange(layer.out_shape[1 + ax])
        q = table[pos, r]
        s, d, pl = spec.stride[ax], spec.dilation[ax], spec.padding_left[ax]
        num = q + pl - s * pos if conv else pos + pl - s * q
        q_axes.append(q)
        m_axes.append(np.where(q >= 0, num // d, 0))
    # np.ix_ on integer arrays only reshapes them (on booleans it would take their nonzero positions)
    reach = functools.reduce(np.multiply, np.ix_(*[(q >= 0).astype(np.int64) for q in q_axes])).astype(bool)
    return q_axes, np.ix_(*m_axes), reach


def _expected(layer: _Layer, channel: int, tables, value: float):
    """Per output entry: ``value * w`` of the one weight that input ``channel`` reaches it with in the reference
    (0 where none does), and the output channels of its group."""
    spec = layer.spec
    _, taps_ix, reach = tables
    per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    group = channel // per_in
    outs = slice(group * per_out, (group + 1) * per_out)
    if isinstance(spec, ConvSpec):
        block = layer.weight[outs, channel - group * per_in]  # (per_out, *k)
    else:
        block = layer.weight[channel]  # (per_out, *k)
    want = np.zeros(layer.out_shape)
    want[outs] = value * block[(slice(None),) + taps_ix] * reach
    return want, outs


def _periods(layer: _Layer):
    maps = _pattern_maps(layer.spec, layer.in_shape[1:], layer.out_shape[1:])
    periods = [p for p, _ in maps]
    return maps, periods, list(np.ndindex(*periods))


def probe_channel(probe: _Probe, layer: _Layer, pattern: _PatternPlan, f0: np.ndarray, carrier: Any, c: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The ``prod(P)`` pattern probes of input channel ``c`` and the function's ``f(x) - f(0)`` at them."""
    _, periods, residues = _periods(layer)
    xs = np.zeros((len(residues),) + layer.in_shape, dtype=carrier)
    for b, r in enumerate(residues):
        xs[(b, c) + tuple(slice(ri, None, p) for ri, p in zip(r, periods))] = pattern.value
    return xs, probe(xs) - f0


def pattern_tolerance(layer: _Layer, pattern: _PatternPlan, want: np.ndarray) -> np.ndarray:
    """Per output entry of a pattern probe whose reference output is ``want`` (one weight times the value)."""
    bias = 0.0 if layer.bias is None else np.abs(layer.bias).reshape((-1,) + (1,) * (want.ndim - 1))
    return pattern.weight_factor * np.abs(want) + pattern.bias_factor * bias


def check_pattern(probe: _Probe, layer: _Layer, pattern: _PatternPlan, f0: np.ndarray, carrier: Any
                  ) -> tuple[int, list[str] | None, tuple | None]:
    """Run the pattern probes; return (probes, failure lines or None, (channel, probes, outputs) of the failure).

    Channels are probed one at a time (``prod(P)`` probes per call of a batched function), so that memory stays
    that of ``prod(P)`` outputs.
    """
    maps, periods, residues = _periods(layer)
    tables = [_residue_tables(layer, maps, r) for r in residues]
    count = 0
    for c in range(layer.spec.in_channels):
        xs, ys = probe_channel(probe, layer, pattern, f0, carrier, c)
        count += len(residues)
        for b, r in enumerate(residues):
            want, outs = _expected(layer, c, tables[b], pattern.value)
            tol = pattern_tolerance(layer, pattern, want)
            bad = np.flatnonzero(np.abs(ys[b] - want) > tol)
            if bad.size:
                return count, _explain(layer, c, r, periods, tables[b][0], outs, ys[b], want, tol, int(bad[0]),
                                       pattern.value), (c, xs, ys)
    return count, None, None


def _explain(layer: _Layer, c: int, r: tuple[int, ...], periods: list[int], q_axes, outs: slice,
             got: np.ndarray, want: np.ndarray, tol: np.ndarray, flat: int, v: float) -> list[str]:
    from .diagnosis import _index_text

    idx = tuple(int(i) for i in np.unravel_index(flat, got.shape))
    head = (f"output {idx} is {_fmt(got[idx])}, expected {_fmt(want[idx])} (tolerance {float(tol[idx]):.3g}) under a "
            f"pattern probe: input channel {c} set to {v:g} at positions {r} modulo {tuple(periods)}")
    lines = [head]
    pos = idx[1:]
    in_pos = tuple(int(q[p]) for q, p in zip(q_axes, pos))
    in_reach = outs.start <= idx[0] < outs.stop and all(p >= 0 for p in in_pos)
    if in_reach:
        in_idx = (c,) + in_pos
        lines.append(f"the one input entry of that probe that reaches it in the reference is {in_idx}: the function "
                     f"multiplies it by {_fmt(got[idx] / v)}, the reference by {_fmt(want[idx] / v)}")
        lines.append(_index_text(layer, idx, in_idx))
    else:
        lines.append("no input entry of that probe reaches this output in the reference (it should keep its bias): "
                     "the function is not local like the layer, or reads another input position or channel")
    return lines
