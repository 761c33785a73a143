"""The views as the proof assembles them: the gather product multiplied here from its factors, and the scatter
view summed here from stamps placed by the per-input definition.

No step asks a module for a finished view and compares it with ``T``: the factors of the gather view are built
by :mod:`symconv.views`' per-axis tables and :mod:`symconv.matrices`' 0/1 patterns, and multiplied by the proof;
the stamps are placed below from the definition of the scatter view alone (input ``(c, i)`` stamps the kernel,
dilated by ``d``, at offset ``s i - p_l`` of every output channel of its group), flattened by numpy's
``ravel_multi_index``, not by the builders' flat-index code.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..matrices import ConvMatrix, padding_matrix, zero_insertion_matrix
from ..spec import TransposedConvSpec
from ..structure import Structure
from ..views import stride1_conv_view

__all__ = ["gather_factors", "placed_stamps"]


def gather_factors(tspec: TransposedConvSpec, weight: Any, input_shape: tuple[int, ...]):
    """``(product, C_flip, Pad, Z)``: the factors built by their own builders, multiplied here.

    ``Z`` and ``Pad`` must be 0/1 matrices (no weight); otherwise the product is not the gather view and
    a ``ValueError`` says so (the step then fails).
    """
    view = tspec.as_convolution()
    Z = zero_insertion_matrix(tspec.in_channels, input_shape, view.zero_insertion)
    Pad = padding_matrix(tspec.in_channels, Z.row_shape[1:], view.padding)
    for name, factor in (("Z", Z), ("Pad", Pad)):
        s = factor.structure
        if factor.weight is not None or (s.coefs.size and not bool(np.all(s.coefs == 1))):
            raise ValueError(f"the factor {name} is not a 0/1 matrix")
    C = stride1_conv_view(view.conv, view.transform_weight(weight), Pad.row_shape[1:])
    PZ = Pad @ Z
    return C @ PZ, C, Pad, Z


def placed_stamps(tspec: TransposedConvSpec, weight: Any, input_shape: tuple[int, ...]) -> ConvMatrix:
    """The sum of the stamps, placed from the per-input definition.

    Input ``(c, i)`` with value ``y[c, i]`` adds ``w[c, c_l, m] y[c, i]`` at output ``(o, s i - p_l + d m)``
    for every tap ``m`` and every ``c_l < C_out/g``, with ``o = γ C_out/g + c_l`` and ``γ = ⌊c g / C_in⌋`` the group of
    ``c``; positions outside the output are dropped.  Column ``(c, i)`` of the result is that stamp.
    """
    n_in = tuple(input_shape)
    n_t = tuple(tspec.output_shape(n_in))
    k, ndim = tuple(tspec.kernel_size), tspec.ndim
    s = np.array(tspec.stride).reshape(ndim, 1, 1)
    d = np.array(tspec.dilation).reshape(ndim, 1, 1)
    p = np.array(tspec.padding_left).reshape(ndim, 1, 1)
    i = np.indices(n_in).reshape(ndim, -1)[:, :, None]  # every input position, (axis, position, 1)
    m = np.indices(k).reshape(ndim, -1)[:, None, :]  # every tap, (axis, 1, tap)
    cells = s * i - p + d * m  # where the stamp of input i puts tap m: offset s i - p_l, then d m
    inside = np.all((cells >= 0) & (cells < np.array(n_t).reshape(ndim, 1, 1)), axis=0)
    pos, tap = np.nonzero(inside)
    out_pos = np.ravel_multi_index(tuple(cells[:, pos, tap]), n_t) if ndim else np.zeros_like(pos)
    per_in, per_out = tspec.in_channels // tspec.groups, tspec.out_channels // tspec.groups
    n_out_flat, n_in_flat, taps = math.prod(n_t), math.prod(n_in), math.prod(k)
    rows, cols, ids = [], [], []
    for c in range(tspec.in_channels):
        group = c // per_in
        for l in range(per_out):
            o = group * per_out + l
            rows.append(o * n_out_flat + out_pos)
            cols.append(c * n_in_flat + pos)
            ids.append(np.ravel_multi_index((np.full_like(tap, c), np.full_like(tap, l), tap),
                                            (tspec.in_channels, per_out, taps)))
    shape = (tspec.out_channels * n_out_flat, tspec.in_channels * n_in_flat)
    structure = Structure.build(shape, np.concatenate(rows), np.concatenate(cols), np.concatenate(ids))
    return ConvMatrix(structure, weight, (tspec.out_channels,) + n_t, (tspec.in_channels,) + n_in,
                      ("scatter", tspec, n_in))
