"""Padding modes: the padding operator P, its transpose the fold, and the layers built from them.

PyTorch's ``Conv{N}d(padding_mode=...)`` pads its input with ``F.pad`` (reflect, replicate or circular) and
then convolves with padding 0.  So its matrix is ``M = C P``: ``P`` is the padding operator, a 0/1 matrix
whose row ``t`` copies input entry ``source(t)`` (mirrored without the edge, the nearest edge, or wrapped
around), and ``C`` the padding-0 convolution of the padded input.  The transposed layer is
``T = Pᵀ Cᵀ``: the padding-0 transposed convolution, then the *fold* ``Pᵀ``, which adds every border value
back onto the entry it was copied from.  PyTorch's ConvTranspose refuses these modes; symconv defines the
layer as that adjoint, which is what autograd computes as the convolution's input gradient.

Per axis, everything comes from one table, ``source[t]`` for the padded positions ``t``, computed by the
branch-free index maps of :mod:`symconv.formulas` (``reflect_position``, ``replicate_position``,
``circular_position``); the axes are combined row-major and every channel gets the same pattern.

>>> from symconv import ConvSpec, kernel_symbols
>>> spec = ConvSpec(3, padding=1, padding_mode="circular")
>>> print(conv_matrix(spec, kernel_symbols(spec), (4,)))
⎡w₁  w₂  0   w₀⎤
⎢              ⎥
⎢w₀  w₁  w₂  0 ⎥
⎢              ⎥
⎢0   w₀  w₁  w₂⎥
⎢              ⎥
⎣w₂  0   w₀  w₁⎦
>>> source_table("reflect", 3, (2, 1)).tolist()
[2, 1, 0, 1, 2, 1]
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np

from . import formulas as F
from .errors import SpecError, SpecTypeError
from .spec import ConvSpec, TransposedConvSpec

__all__ = [
    "POSITION",
    "source_table",
    "padding_operator",
    "fold_operator",
    "zero_padding_spec",
    "conv_matrix",
    "transposed_conv_matrix",
    "circular_gather_view",
    "fold",
    "conv",
    "conv_transpose",
    "torch_recipe",
]

POSITION = {"reflect": "reflect_position", "replicate": "replicate_position", "circular": "circular_position"}
"""The :mod:`symconv.formulas` function that maps a padded position to its source, per mode."""


def _position(mode: str, formulas: Any = F):
    if mode not in POSITION:
        raise SpecError(f"padding_mode must be one of {', '.join(map(repr, POSITION))} here, got {mode!r}")
    return getattr(formulas, POSITION[mode])


def source_table(mode: str, n: int, pair: tuple[int, int]) -> np.ndarray:
    """``source[t]`` for the ``n + p_l + p_r`` padded positions of one axis of length ``n``.

    >>> source_table("replicate", 2, (2, 2)).tolist()
    [0, 0, 0, 1, 1, 1]
    >>> source_table("circular", 3, (3, 0)).tolist()
    [0, 1, 2, 0, 1, 2]
    """
    pl, pr = pair
    t = np.arange(n + pl + pr, dtype=np.int64)
    return np.asarray(_position(mode)(t, n, pl), dtype=np.int64)


def _operator(channels: int, in_shape: tuple[int, ...], padding, mode: str, fold: bool):
    from .matrices import ConvMatrix
    from .structure import CONSTANT, Structure

    tables = [source_table(mode, n, pair) for n, pair in zip(in_shape, padding)]
    padded = tuple(tab.size for tab in tables)
    # row-major over the axes: padded position (t_0, ..., t_N) copies (source_0[t_0], ..., source_N[t_N])
    rows = np.zeros(1, dtype=np.int64)
    cols = np.zeros(1, dtype=np.int64)
    for tab, n in zip(tables, in_shape):
        rows = F.flat_index(rows[:, None], np.arange(tab.size)[None, :], tab.size).ravel()
        cols = F.flat_index(cols[:, None], tab[None, :], n).ravel()
    n_p, n_x = math.prod(padded), math.prod(in_shape)
    ch = np.arange(channels, dtype=np.int64)[:, None]
    rows = F.flat_index(ch, rows[None, :], n_p).ravel()
    cols = F.flat_index(ch, cols[None, :], n_x).ravel()
    if fold:  # the fold: padded position t adds onto its source (rows and columns exchanged)
        shape, rows, cols = (channels * n_x, channels * n_p), cols, rows
        row_shape, col_shape, kind = (channels,) + tuple(in_shape), (channels,) + padded, "fold"
    else:
        shape, row_shape, col_shape, kind = (channels * n_p, channels * n_x), (channels,) + padded, \
            (channels,) + tuple(in_shape), "padding operator"
    return ConvMatrix(Structure.build(shape, rows, cols, CONSTANT), None, row_shape, col_shape,
                      (kind, (mode, tuple(padding)), tuple(in_shape)))


def padding_operator(channels: int, input_shape: Sequence[int], padding: Sequence[tuple[int, int]], mode: str):
    """P: the 0/1 matrix of ``F.pad(x, ..., mode)`` on tensors ``(channels, *input_shape)``.

    >>> print(padding_operator(1, (2,), ((1, 1),), "replicate"))
    ⎡1  0⎤
    ⎢    ⎥
    ⎢1  0⎥
    ⎢    ⎥
    ⎢0  1⎥
    ⎢    ⎥
    ⎣0  1⎦
    """
    return _operator(channels, tuple(input_shape), tuple(tuple(p) for p in padding), mode, fold=False)


def fold_operator(channels: int, input_shape: Sequence[int], padding: Sequence[tuple[int, int]], mode: str):
    """The fold: padded position ``t`` adds onto ``source(t)``; a 0/1 matrix from the (padded -> input) sizes.

    Built from the table by its own definition (not as ``padding_operator(...).T``).

    >>> print(fold_operator(1, (2,), ((1, 1),), "circular"))
    ⎡0  1  0  1⎤
    ⎢          ⎥
    ⎣1  0  1  0⎦
    """
    return _operator(channels, tuple(input_shape), tuple(tuple(p) for p in padding), mode, fold=True)


_Spec = TypeVar("_Spec", ConvSpec, TransposedConvSpec)


def zero_padding_spec(spec: _Spec) -> _Spec:
    """The same layer with padding 0 and mode "zeros": the C of ``M = C P`` (or its transposed layer).

    >>> zero_padding_spec(ConvSpec(3, padding=2, padding_mode="reflect")).padding
    ((0, 0),)
    """
    return dataclasses.replace(spec, padding=0, padding_mode="zeros")


def _check(spec: Any, cls: type) -> None:
    if not isinstance(spec, cls):
        raise SpecTypeError(f"spec must be a {cls.__name__}, got {type(spec).__name__}")
    if getattr(spec, "padding_mode") == "zeros":  # noqa: B009 - spec is narrowed only at run time
        raise SpecError("this builder is for padding_mode 'reflect', 'replicate' or 'circular', got 'zeros'")


def conv_matrix(spec: ConvSpec, weight: Any, input_shape: Any):
    """``M = C P`` for a padding-mode convolution (C the padding-0 convolution on the padded shape)."""
    from . import matrices

    _check(spec, ConvSpec)
    shape = spec.check_input_shape(input_shape)
    P = padding_operator(spec.in_channels, shape, spec.padding, spec.padding_mode)
    C = matrices.conv_matrix(zero_padding_spec(spec), weight, P.row_shape[1:])
    M = C @ P
    return type(M)(M.structure, M.weight, M.row_shape, M.col_shape, ("conv", spec, shape))


def transposed_conv_matrix(tspec: TransposedConvSpec, weight: Any, input_shape: Any):
    """``T = fold · T₀`` from the transposed layer's own definition, T₀ the padding-0 transposed convolution.

    T₀ has the same stride, dilation, output padding and groups with padding 0, so its output has the padded
    size ``n_T + p_l + p_r`` per axis; the fold adds it back onto the ``n_T`` positions.
    """
    from . import matrices

    _check(tspec, TransposedConvSpec)
    shape = tspec.check_input_shape(input_shape)
    T0 = matrices.transposed_conv_matrix(zero_padding_spec(tspec), weight, shape)
    n_t = tspec.output_shape(shape)
    Fold = fold_operator(tspec.out_channels, n_t, tspec.padding, tspec.padding_mode)
    T = Fold @ T0
    return type(T)(T.structure, T.weight, T.row_shape, T.col_shape, ("transposed", tspec, shape))


def circular_gather_view(tspec: TransposedConvSpec, weight: Any, input_shape: Any):
    """For circular padding: the circular convolution with the flipped kernel over the zero-inserted input,
    wrapped onto the circle of ``n_T`` positions.  Returns the factors ``(C_flip, Circ, Wrap, Z)``, whose product
    ``C_flip @ Circ @ Wrap @ Z`` is the layer (the proof multiplies them itself).

    ``Z`` inserts ``s - 1`` zeros; ``Wrap`` adds position ``u`` onto ``u mod n_T`` (the circle); ``Circ`` pads
    the circle circularly, position ``t`` reading ``(t - L) mod n_T`` with ``L = d(k-1) - p_l`` (so it shifts
    and wraps for any ``L``, negative included), to ``n_T + d(k-1)`` positions; ``C_flip`` is the stride-1,
    padding-0 convolution with the flipped, group-wise swapped kernel (the zero-padding gather view's).
    """
    from .kernels import as_weight
    from .matrices import ConvMatrix, zero_insertion_matrix
    from .structure import CONSTANT, Structure
    from .views import stride1_conv_view

    if not isinstance(tspec, TransposedConvSpec) or tspec.padding_mode != "circular":
        raise SpecError(f"the circular gather view needs a TransposedConvSpec with padding_mode='circular', got {tspec}")
    shape = tspec.check_input_shape(input_shape)
    n_t = tspec.output_shape(shape)
    view = zero_padding_spec(tspec).as_convolution()
    channels = tspec.in_channels
    Z = zero_insertion_matrix(channels, shape, view.zero_insertion)
    n_z = Z.row_shape[1:]

    def pattern(kind: str, out_shape, in_shape, tables) -> ConvMatrix:
        rows = np.zeros(1, dtype=np.int64)
        cols = np.zeros(1, dtype=np.int64)
        for tab, n_out, n_in in zip(tables, out_shape, in_shape):  # tab[c] = row of column c
            rows = F.flat_index(rows[:, None], tab[None, :], n_out).ravel()
            cols = F.flat_index(cols[:, None], np.arange(n_in)[None, :], n_in).ravel()
        n_r, n_c = math.prod(out_shape), math.prod(in_shape)
        ch = np.arange(channels, dtype=np.int64)[:, None]
        shape2 = (channels * n_r, channels * n_c)
        return ConvMatrix(Structure.build(shape2, F.flat_index(ch, rows[None, :], n_r).ravel(),
                                          F.flat_index(ch, cols[None, :], n_c).ravel(), CONSTANT), None,
                          (channels,) + tuple(out_shape), (channels,) + tuple(in_shape), (kind, None, tuple(in_shape)))

    wrap_tables = [np.asarray(F.circular_position(np.arange(nz), n, 0), dtype=np.int64) for nz, n in zip(n_z, n_t)]
    Wrap = pattern("wrap", n_t, n_z, wrap_tables)
    lefts = [F.gather_padding_left(k, pl, d) for k, pl, d in zip(tspec.kernel_size, tspec.padding_left,
                                                                   tspec.dilation)]
    sizes = [n + d * (k - 1) for n, k, d in zip(n_t, tspec.kernel_size, tspec.dilation)]
    circ_tables = [np.asarray(F.circular_position(np.arange(size), n, left), dtype=np.int64)
                   for size, n, left in zip(sizes, n_t, lefts)]
    # Circ maps the circle (n_T) to the padded circle: row t copies column circ[t]
    Circ = pattern("circular padding", n_t, sizes, circ_tables).T
    C = stride1_conv_view(view.conv, view.transform_weight(as_weight(tspec, weight)), tuple(sizes))
    return C, Circ, Wrap, Z


# -- numeric definitions (numpy padding and slices; no index table) ------------------------------------------

_NUMPY_MODE: dict[str, Any] = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def conv(spec: ConvSpec, weight: Any, x: Any) -> np.ndarray:
    """The padding-mode convolution: ``numpy.pad`` (reflect, edge, wrap), then the padding-0 convolution."""
    from . import numeric

    _check(spec, ConvSpec)
    x = np.asarray(x)
    spec.check_input_shape(x.shape[1:])
    padded = np.pad(x, ((0, 0),) + tuple(spec.padding), mode=_NUMPY_MODE[spec.padding_mode])
    return numeric.conv(zero_padding_spec(spec), weight, padded)


def fold(mode: str, g: Any, padding: Sequence[tuple[int, int]]) -> np.ndarray:
    """The fold of a tensor ``(channels, *padded)`` back onto ``(channels, *input)``, by slices per axis.

    reflect: the left border ``g[:p_l]`` adds, reversed, onto ``x[1 : p_l + 1]``, the right one onto
    ``x[n - 1 - p_r : n - 1]``; replicate: each border adds, summed, onto the edge entry; circular: the left
    border adds onto the last ``p_l`` entries and the right one onto the first ``p_r``.

    >>> fold("circular", np.array([[1, 2, 3, 4, 5]]), ((1, 1),)).tolist()
    [[7, 3, 5]]
    """
    out = np.asarray(g)
    for ax, (pl, pr) in enumerate(padding, start=1):
        a = np.moveaxis(out, ax, 0)
        n = a.shape[0] - pl - pr
        x = a[pl:pl + n].copy()
        left, right = a[:pl], a[pl + n:]
        if mode == "reflect":
            x[1:pl + 1] += left[::-1]
            x[n - 1 - pr:n - 1] += right[::-1]
        elif mode == "replicate":
            x[0] += left.sum(axis=0)
            x[n - 1] += right.sum(axis=0)
        elif mode == "circular":
            x[n - pl:] += left
            x[:pr] += right
        else:
            raise SpecError(f"padding_mode must be one of {', '.join(map(repr, POSITION))} here, got {mode!r}")
        out = np.moveaxis(x, 0, ax)
    return out


def conv_transpose(tspec: TransposedConvSpec, weight: Any, y: Any) -> np.ndarray:
    """The padding-mode transposed convolution: the padding-0 transposed convolution, then :func:`fold`."""
    from . import numeric

    _check(tspec, TransposedConvSpec)
    y = np.asarray(y)
    tspec.check_input_shape(y.shape[1:])
    return fold(tspec.padding_mode, numeric.conv_transpose(zero_padding_spec(tspec), weight, y), tspec.padding)


def torch_recipe(tspec: TransposedConvSpec) -> str:
    """Python source of a ``torch.nn.Module`` computing the padding-mode transposed layer PyTorch lacks.

    ``conv_transpose{N}d`` with padding 0, then the fold, axis by axis, with tensor slices.
    """
    if not isinstance(tspec, TransposedConvSpec):
        raise SpecTypeError(f"tspec must be a TransposedConvSpec, got {type(tspec).__name__}")
    nd = tspec.ndim
    if nd > 3:
        raise SpecError(f"PyTorch has conv_transpose1d/2d/3d only, got {nd} spatial axes")
    lines = [
        "import torch",
        "import torch.nn.functional as F",
        "",
        "",
        f"class ConvTranspose{nd}dFold(torch.nn.Module):",
        f'    """The transpose of Conv{nd}d(padding_mode={tspec.padding_mode!r}) with these arguments: '
        'conv_transpose with padding 0, then the fold."""',
        "",
        f"    mode = {tspec.padding_mode!r}",
        f"    padding = {tuple(tspec.padding)!r}",
        "",
        "    def __init__(self, weight):",
        "        super().__init__()",
        "        self.weight = torch.nn.Parameter(weight)",
        "",
        "    def forward(self, y):",
        f"        g = F.conv_transpose{nd}d(y, self.weight, stride={tspec.stride!r}, padding=0, "
        f"output_padding={tspec.output_padding!r}, groups={tspec.groups}, dilation={tspec.dilation!r})",
        "        for ax, (pl, pr) in enumerate(self.padding, start=2):",
        "            n = g.shape[ax] - pl - pr",
        "            x = g.narrow(ax, pl, n).clone()",
        "            left, right = g.narrow(ax, 0, pl), g.narrow(ax, pl + n, pr)",
        "            if self.mode == 'reflect':",
        "                x.narrow(ax, 1, pl).add_(left.flip(ax))",
        "                x.narrow(ax, n - 1 - pr, pr).add_(right.flip(ax))",
        "            elif self.mode == 'replicate':",
        "                x.narrow(ax, 0, 1).add_(left.sum(ax, keepdim=True))",
        "                x.narrow(ax, n - 1, 1).add_(right.sum(ax, keepdim=True))",
        "            else:  # circular",
        "                x.narrow(ax, n - pl, pl).add_(left)",
        "                x.narrow(ax, 0, pr).add_(right)",
        "            g = x",
        "        return g",
    ]
    return "\n".join(lines) + "\n"
