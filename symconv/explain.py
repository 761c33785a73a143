"""Why an entry of a convolution matrix holds the tap it holds (``ConvMatrix.explain``)."""

from __future__ import annotations

import numpy as np

from . import formulas as F

__all__ = ["explain_entry"]


def _pos(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(v) for v in np.unravel_index(flat, shape))


def _solve_tap(out_pos: int, in_pos: int, k: int, s: int, p: int, d: int, ax: int, lhs: str, rhs_index: str) -> tuple[int | None, str]:
    """Solve ``lhs = s*rhs + d*m - p`` for the tap m on one axis."""
    num = out_pos + p - s * in_pos
    head = f"axis {ax}: {lhs} = s·{rhs_index} + d·m − p_l  ⇒  {out_pos} = {s}·{in_pos} + {d}·m − {p}"
    if num % d:
        return None, f"{head}  ⇒  m = {num}/{d} is not an integer: no tap"
    m = num // d
    if not 0 <= m < k:
        return None, f"{head}  ⇒  m = {m} is outside 0 ≤ m < {k}: no tap"
    assert F.tap_position(in_pos, m, s, p, d) == out_pos
    return m, f"{head}  ⇒  m = {m}"


def explain_entry(M, i: int, j: int) -> str:
    value = M[i, j]
    origin = M.origin
    rpos, cpos = _pos(i, M.row_shape), _pos(j, M.col_shape)
    name = {"conv": "M", "transposed": "T", "scatter": "T"}.get(origin[0] if origin else "", "entry ")
    head = f"{name}[{i}, {j}] (row {rpos}, column {cpos}) = {value}"
    if origin is None or origin[0] not in ("conv", "transposed", "scatter"):
        terms = M.structure.terms_at(i, j)
        return head + ("" if terms else "  (no term is stored at this position)")
    kind, spec = origin[0], origin[1]
    if kind == "conv":
        o, out, c, inp = rpos[0], rpos[1:], cpos[0], cpos[1:]
        per_out, per_in = spec.out_channels // spec.groups, spec.in_channels // spec.groups
        group, lhs, idx, read = o // per_out, "j", "i", "output i reads input j"
        block_channel = (o, c - group * per_in)
        inside = group * per_in <= c < (group + 1) * per_in
        who = f"input channel {c} {'is' if inside else 'is not'} in output channel {o}'s group {group} (input channels {group * per_in}..{(group + 1) * per_in - 1})"
        pairs = [(inp[ax], out[ax]) for ax in range(spec.ndim)]
    else:
        co, out, ci, inp = rpos[0], rpos[1:], cpos[0], cpos[1:]
        per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups
        group, lhs, idx, read = ci // per_in, "j", "i", "input i stamps output j"
        block_channel = (ci, co - group * per_out)
        inside = group * per_out <= co < (group + 1) * per_out
        who = f"output channel {co} {'is' if inside else 'is not'} in input channel {ci}'s group {group} (output channels {group * per_out}..{(group + 1) * per_out - 1})"
        pairs = [(out[ax], inp[ax]) for ax in range(spec.ndim)]
    lines = [head, f"  channels: {who}"]
    if not inside:
        lines.append("  the block of this channel pair is zero")
        return "\n".join(lines)
    taps = []
    for ax, (jpos, ipos) in enumerate(pairs):
        m, text = _solve_tap(jpos, ipos, spec.kernel_size[ax], spec.stride[ax], spec.padding_left[ax], spec.dilation[ax], ax, lhs, idx)
        lines.append("  " + text)
        taps.append(m)
    if None in taps:
        lines.append(f"  no kernel tap links these positions ({read} through tap m): the entry is 0")
    else:
        tap = block_channel + tuple(taps)
        lines.append(f"  ({read} through tap {tuple(taps)}): the entry is weight[{', '.join(map(str, tap))}] = {M.weight[tap]}")
    return "\n".join(lines)
