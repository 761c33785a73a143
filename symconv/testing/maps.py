"""The probed matrix of a function (dense for small shapes, COO along the layer's pattern) and the dot test."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import SizeLimitError
from ..matrices import DENSE_LIMIT
from ..spec import ConvSpec, TransposedConvSpec
from .probing import _Probe


def linear_map_matrix(fn: Callable, in_channels: int, input_shape: Any, *, dtype: Any = None,
                      framework: str | None = None, batched: bool = False, seed: int = 0,
                      max_entries: int | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """The dense matrix of ``fn`` by probing with basis tensors, and its bias (None when fn(0) = 0).

    For small shapes only: refused beyond ``DENSE_LIMIT`` entries (use the ``assert_*`` functions, which need
    no matrix, for production sizes).

    Parameters
    ----------
    fn : callable
        numpy, PyTorch or JAX function of one input ``(in_channels, *input_shape)`` (or of a batch, ``batched=True``).
    in_channels : int
        The number of input channels.
    input_shape : tuple of int
        The spatial input shape.
    dtype, framework : optional
        Override detection of how inputs are given (as for :func:`assert_is_convolution`).
    batched : bool
        Whether ``fn`` takes a batch ``(N, in_channels, *input_shape)``.
    seed : int
        Seed of the random inputs at which affinity is checked.
    max_entries : int, optional
        The largest matrix built (default ``DENSE_LIMIT``).

    Returns
    -------
    matrix : numpy.ndarray
        Of shape ``(outputs, inputs)``, flat row-major indices of ``(channels, *spatial)``.
    bias : numpy.ndarray or None
        ``fn(0)``, or None when it is zero.

    Raises
    ------
    SizeLimitError
        When the matrix would have more than ``max_entries`` entries.
    AssertionError
        When ``fn`` is not affine (checked at random small-integer inputs).
    SpecTypeError, ShapeError
        When ``fn`` is not callable or returns no real array of a consistent shape.

    Examples
    --------
    >>> M, bias = linear_map_matrix(lambda x: 2 * x[:, ::-1], 1, (3,))
    >>> M.tolist(), bias
    ([[0.0, 0.0, 2.0], [0.0, 2.0, 0.0], [2.0, 0.0, 0.0]], None)
    """
    __tracebackhide__ = True
    shape = (in_channels,) + tuple(input_shape)
    size = math.prod(shape)
    probe = _Probe(fn, shape, batched=batched, framework=framework, dtype=dtype)
    zero = probe.first(None)
    limit = DENSE_LIMIT if max_entries is None else max_entries
    if zero.size * size > limit:
        raise SizeLimitError(f"a dense {zero.size}x{size} matrix has more than {limit} entries (DENSE_LIMIT); "
                             "use assert_is_convolution / assert_is_transposed_convolution, which need no matrix")
    columns = []
    chunk = max(1, min(size, 2**22 // max(size, 1)))
    for start in range(0, size, chunk):
        stop = min(size, start + chunk)
        basis = np.zeros((stop - start, size))
        basis[np.arange(stop - start), np.arange(start, stop)] = 1
        columns.append((probe(basis.reshape((-1,) + shape)) - zero).reshape(stop - start, -1))
    matrix = np.concatenate(columns).T
    rng = np.random.default_rng(seed)
    xs = rng.integers(-3, 4, (3, size)).astype(np.float64)
    got = (probe(xs.reshape((-1,) + shape)) - zero).reshape(3, -1)
    want = xs @ matrix.T
    scale = max(1.0, float(np.abs(want).max(initial=0)))
    if not np.allclose(got, want, rtol=1e-5, atol=1e-6 * scale):
        raise AssertionError("the function is not linear (nor affine): f(x) - f(0) differs from the probed matrix "
                             f"times x by up to {float(np.abs(got - want).max())}")
    bias = None if not np.any(zero) else zero
    return matrix, bias


def _pattern_maps(spec: ConvSpec | TransposedConvSpec, in_spatial: tuple[int, ...], out_spatial: tuple[int, ...]):
    """Per axis: the colour period P and, for each output position and residue r (mod P), the one input position
    of that residue that reaches it in the layer's pattern (-1 if none)."""
    conv = isinstance(spec, ConvSpec)
    maps = []
    for ax, (n_in, n_out) in enumerate(zip(in_spatial, out_spatial)):
        k, s, d, pl = spec.kernel_size[ax], spec.stride[ax], spec.dilation[ax], spec.padding_left[ax]
        period = d * (k - 1) + 1 if conv else d * (k - 1) // s + 1
        table = np.full((n_out, period), -1, dtype=np.int64)
        for pos in range(n_out):
            for m in range(k):
                if conv:
                    q = s * pos + d * m - pl
                elif (pos + pl - d * m) % s == 0:
                    q = (pos + pl - d * m) // s
                else:
                    continue
                if 0 <= q < n_in:
                    table[pos, q % period] = q
        maps.append((period, table))
    return maps


def linear_map_coo(fn: Callable, spec: ConvSpec | TransposedConvSpec, input_shape: Any, *, batched: bool = False,
                   framework: str | None = None, dtype: Any = None, seed: int = 0
                   ) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]], np.ndarray | None]:
    """The matrix of ``fn`` as COO triplets, probed along the sparsity pattern of ``spec``.

    Basis vectors far enough apart that no output reaches two of them (one input channel, every ``P``-th
    position per axis, ``P = d(k-1) + 1`` for a convolution, ``d(k-1) // s + 1`` for a transposed one) are
    probed together: ``C_in * prod(P)`` probes instead of one per input entry, and no dense matrix.  An output
    that the pattern does not allow is an AssertionError (the function is not local like the layer), and the
    triplets are checked against ``fn`` at a random integer input.

    Parameters
    ----------
    fn : callable
        numpy, PyTorch or JAX function of one input ``(C_in, *spatial)`` (or of a batch, ``batched=True``).
    spec : ConvSpec or TransposedConvSpec
        The layer whose pattern is probed.
    input_shape : tuple of int
        The spatial input shape.
    batched, framework, dtype, seed
        As for :func:`linear_map_matrix`.

    Returns
    -------
    triplets : tuple
        ``(rows, cols, values, shape)``: flat row-major indices of ``(channels, *spatial)``, sorted by row and
        column, and the matrix's shape.
    bias : numpy.ndarray or None
        ``fn(0)``, or None when it is zero.

    Raises
    ------
    AssertionError
        When ``fn`` returns the wrong shape, is not local like ``spec``, or is not linear.
    ShapeError
        For an input shape the layer cannot take.

    Examples
    --------
    >>> import numpy as np
    >>> from symconv import ConvSpec, numeric
    >>> spec = ConvSpec(2, stride=2)
    >>> (rows, cols, values, shape), bias = linear_map_coo(lambda x: numeric.conv(spec, [[[1, 2]]], x), spec, (4,))
    >>> rows.tolist(), cols.tolist(), values.tolist(), shape, bias
    ([0, 0, 1, 1], [0, 1, 2, 3], [1.0, 2.0, 1.0, 2.0], (2, 4), None)
    """
    __tracebackhide__ = True
    in_spatial = spec.check_input_shape(input_shape)
    out_spatial = spec.output_shape(in_spatial)
    in_shape = (spec.in_channels,) + in_spatial
    probe = _Probe(fn, in_shape, batched=batched, framework=framework, dtype=dtype)
    zero = probe.first((spec.out_channels,) + out_spatial)
    if zero.shape != (spec.out_channels,) + out_spatial:
        raise AssertionError(f"the function returns shape {zero.shape}, the pattern of {spec} has "
                             f"{(spec.out_channels,) + out_spatial}")
    maps = _pattern_maps(spec, in_spatial, out_spatial)
    periods = [p for p, _ in maps]
    residues = list(np.ndindex(*periods))
    rows_l, cols_l, vals_l = [], [], []
    out_size, in_size = zero.size, math.prod(in_shape)
    grids = np.meshgrid(*(np.arange(n) for n in out_spatial), indexing="ij")
    for c in range(spec.in_channels):
        xs = np.zeros((len(residues),) + in_shape)
        for b, r in enumerate(residues):
            xs[(b, c) + tuple(slice(ri, None, p) for ri, p in zip(r, periods))] = 1.0
        ys = probe(xs) - zero
        for b, r in enumerate(residues):
            q = [table[grid, ri] for (_, table), grid, ri in zip(maps, grids, r)]
            reach = np.logical_and.reduce([qa >= 0 for qa in q]) if q else np.ones((), dtype=bool)
            y = ys[b]
            stray = (y != 0) & ~reach[None]
            if np.any(stray):
                idx = tuple(int(i) for i in np.unravel_index(int(np.flatnonzero(stray)[0]), y.shape))
                raise AssertionError(f"the function is not local like {spec}: input channel {c}, positions "
                                     f"{r} modulo {tuple(periods)}, reach output {idx}, which the pattern does not "
                                     "allow")
            hit = (y != 0) & reach[None]
            o_idx = np.nonzero(hit)
            rows_l.append(np.ravel_multi_index(o_idx, y.shape))
            in_pos = tuple(qa[o_idx[1:]] for qa in q)
            cols_l.append(np.ravel_multi_index((np.full(o_idx[0].shape, c),) + in_pos, in_shape))
            vals_l.append(y[hit])
    rows = np.concatenate(rows_l).astype(np.int64) if rows_l else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(cols_l).astype(np.int64) if cols_l else np.zeros(0, dtype=np.int64)
    vals = np.concatenate(vals_l) if vals_l else np.zeros(0)
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, in_shape).astype(np.float64)
    got = probe(x[None])[0] - zero
    want = np.zeros(out_size)
    np.add.at(want, rows, vals * x.ravel()[cols])
    scale = max(1.0, float(np.abs(want).max(initial=0)))
    if not np.allclose(got.ravel(), want, rtol=1e-5, atol=1e-6 * scale):
        raise AssertionError(f"the function is not linear, or not local like {spec}: f(x) - f(0) differs from the "
                             f"triplets probed along the pattern, times x, by up to "
                             f"{float(np.abs(got.ravel() - want).max())} (an input that reaches an output outside "
                             "its pattern is attributed to another input of its probe)")
    order = np.lexsort((cols, rows))
    return (rows[order], cols[order], vals[order], (out_size, in_size)), (None if not np.any(zero) else zero)


def assert_adjoint(forward: Callable, backward: Callable, in_channels: int, input_shape: Any, *,
                   rtol: float | None = None, trials: int = 5, seed: int = 0) -> None:
    """The dot test: ``<forward(x), y> == <x, backward(y)>`` for random small-integer x and y.

    Exact when both functions return integers or floats holding small integers; else within ``rtol``.
    The functions may be numpy, PyTorch or JAX functions of one batch element.

    Parameters
    ----------
    forward : callable
        The map, of one input ``(in_channels, *input_shape)``.
    backward : callable
        Its claimed adjoint, of one output of ``forward``.
    in_channels : int
        The number of input channels of ``forward``.
    input_shape : tuple of int
        The spatial input shape of ``forward``.
    rtol : float, optional
        Relative tolerance of the comparison when it is not exact (default ``1e-6``).
    trials : int
        How many random pairs ``(x, y)`` are tested.
    seed : int
        Seed of the random inputs.

    Raises
    ------
    AssertionError
        When ``backward(y)`` has the wrong shape or the inner products differ (the trial and the values named).

    Examples
    --------
    >>> from symconv import ConvSpec, numeric
    >>> spec, w = ConvSpec(3, stride=2), np.array([[[1, -2, 3]]])
    >>> assert_adjoint(lambda x: numeric.conv(spec, w, x),
    ...                lambda y: numeric.conv_transpose(spec.transpose((7,)), w, y), 1, (7,))
    """
    __tracebackhide__ = True
    rng = np.random.default_rng(seed)
    shape = (in_channels,) + tuple(input_shape)
    fwd = _Probe(forward, shape, batched=False, framework=None, dtype=None)
    fwd.first(None)
    bwd: _Probe | None = None
    for trial in range(trials):
        x = rng.integers(-3, 4, shape).astype(np.float64)
        fx = fwd(x[None])[0]
        if bwd is None:
            bwd = _Probe(backward, fx.shape, batched=False, framework=None, dtype=None)
            bwd.first(None)
        y = rng.integers(-3, 4, fx.shape).astype(np.float64)
        bty = bwd(y[None])[0]
        if bty.shape != x.shape:
            raise AssertionError(f"backward(y) has shape {bty.shape}, expected the input shape {x.shape}")
        left, right = float(np.sum(fx * y)), float(np.sum(x * bty))
        integral = np.all(np.mod(fx, 1) == 0) and np.all(np.mod(bty, 1) == 0)
        exact = rtol is None and integral and float(np.abs(fx).max(initial=0)) < 2**20
        tol = 0.0 if exact else (rtol or 1e-6) * max(1.0, abs(left))
        if abs(left - right) > tol:
            raise AssertionError(f"not adjoint: <forward(x), y> = {left:g} but <x, backward(y)> = {right:g} "
                                 f"(trial {trial}, tolerance {tol:g})")
