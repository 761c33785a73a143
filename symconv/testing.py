"""Assertions for users' test suites: "this function is exactly M (or M^T)", and if not, why not.

The function under test maps a numpy array of shape ``(channels, *spatial)`` (one
batch element) to another.  For a PyTorch layer::

    fn = lambda x: layer(torch.from_numpy(x)[None]).detach().numpy()[0]

and for JAX::

    fn = lambda x: np.asarray(jax_fn(jnp.asarray(x)[None]))[0]

The functions raise :class:`AssertionError`, so they work under pytest and unittest.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .kernels import as_weight
from .matrices import conv_matrix, padding_matrix, transposed_conv_matrix, zero_insertion_matrix
from .spec import ConvSpec, TransposedConvSpec
from .weights import flip_kernel, swap_channel_groups

__all__ = ["linear_map_matrix", "assert_is_convolution", "assert_is_transposed_convolution", "assert_adjoint",
           "diagnose_transposed"]

_EXACT = {np.dtype(np.float16): 2**11, np.dtype(np.float32): 2**24, np.dtype(np.float64): 2**53}


def _call(fn: Callable, x: np.ndarray) -> np.ndarray:
    return np.asarray(fn(x))


def linear_map_matrix(fn: Callable, in_channels: int, input_shape: Any, *, dtype: Any = np.float64,
                      seed: int = 0) -> tuple[np.ndarray, np.ndarray | None]:
    """The matrix of ``fn`` by probing with basis tensors, and its bias (None when fn(0) = 0).

    Raises AssertionError when ``fn`` is not affine (checked at random small-integer inputs).

    >>> M, bias = linear_map_matrix(lambda x: 2 * x[:, ::-1], 1, (3,))
    >>> M.tolist(), bias
    ([[0.0, 0.0, 2.0], [0.0, 2.0, 0.0], [2.0, 0.0, 0.0]], None)
    """
    shape = (in_channels,) + tuple(input_shape)
    size = math.prod(shape)
    zero = _call(fn, np.zeros(shape, dtype=dtype))
    columns = []
    for j in range(size):
        e = np.zeros(size, dtype=dtype)
        e[j] = 1
        columns.append((_call(fn, e.reshape(shape)) - zero).ravel())
    matrix = np.stack(columns, axis=1)
    rng = np.random.default_rng(seed)
    for _ in range(3):
        x = rng.integers(-3, 4, size).astype(dtype)
        got = (_call(fn, x.reshape(shape)) - zero).ravel()
        want = matrix @ x
        scale = max(1.0, float(np.abs(want).max()))
        if not np.allclose(got, want, rtol=1e-5, atol=1e-6 * scale):
            raise AssertionError("the function is not linear (nor affine): f(x) - f(0) differs from the probed matrix "
                                 f"times x by up to {float(np.abs(got - want).max())}")
    bias = None if not np.any(zero) else zero
    return matrix, bias


def _exact_ok(weight: np.ndarray, dtype: np.dtype, taps_per_entry: int) -> bool:
    if weight.dtype.kind not in "iuf" or not np.all(np.equal(np.mod(weight, 1), 0)):
        return False
    limit = _EXACT.get(np.dtype(dtype), 2**24)
    return float(np.abs(weight).max(initial=0)) * taps_per_entry < limit


def _first_difference(expected: np.ndarray, got: np.ndarray, tol: float) -> tuple[int, int] | None:
    bad = np.argwhere(np.abs(expected - got) > tol)
    return None if bad.size == 0 else (int(bad[0][0]), int(bad[0][1]))


def _compare(reference, fn, channels, input_shape, weight, what, alternatives, rtol):
    w = np.asarray(weight)
    expected = reference.to_numpy(w.astype(float) if w.dtype.kind != "f" else w)
    probe_dtype = np.asarray(_call(fn, np.zeros((channels,) + tuple(input_shape)))).dtype
    probe_dtype = probe_dtype if probe_dtype.kind == "f" else np.dtype(np.float64)
    got, bias = linear_map_matrix(fn, channels, input_shape, dtype=probe_dtype)
    exact = _exact_ok(w, probe_dtype, int(np.prod(reference.weight.shape[2:])) * reference.weight.shape[1])
    tol = 0.0 if exact else (rtol if rtol is not None else (1e-5 if probe_dtype == np.float32 else 1e-10)) * max(
        1.0, float(np.abs(expected).max(initial=0)))
    mode = "exactly" if exact else f"within {tol:g}"
    if got.shape == expected.shape and _first_difference(expected, got, tol) is None:
        return
    lines = [f"the function is not {what} ({mode} compared)."]
    if bias is not None:
        lines.append("note: f(0) != 0, the function has a bias; the comparison is of its linear part")
    for description, matrix in alternatives():
        if matrix.shape == got.shape and _first_difference(matrix, got, tol) is None:
            lines.append(f"diagnosis: your function equals {description}.")
            raise AssertionError("\n".join(lines))
    if got.shape != expected.shape:
        lines.append(f"its matrix has shape {got.shape}, symconv expects {expected.shape} "
                     f"(output {reference.row_shape}, input {reference.col_shape})")
    else:
        r, c = _first_difference(expected, got, tol)
        lines.append(f"first differing entry: row {r}, column {c}: expected {expected[r, c]:g}, got {got[r, c]:g}")
        lines.append(reference.explain(r, c))
    raise AssertionError("\n".join(lines))


def assert_is_convolution(fn: Callable, spec: ConvSpec, weight: Any, input_shape: Any, *, rtol: float | None = None) -> None:
    """Assert that ``fn`` is the convolution ``spec`` with ``weight`` on inputs of ``input_shape``.

    Exact when the weight holds small integers (within the float type's exact range), else within ``rtol``.

    >>> import numpy as np
    >>> from symconv import ConvSpec, numeric
    >>> spec, w = ConvSpec(3, padding=1), np.array([[[1, 2, 3]]])
    >>> assert_is_convolution(lambda x: numeric.conv(spec, w, x), spec, w, (5,))
    """
    shape = spec.check_input_shape(input_shape)
    as_weight(spec, weight)
    M = conv_matrix(spec, weight, shape)

    def alternatives():
        flipped = flip_kernel(np.asarray(weight), spec.ndim)
        yield ("a convolution with the flipped kernel (a true convolution, not the cross-correlation that "
               "deep-learning frameworks compute)", conv_matrix(spec, flipped, shape).to_numpy())

    _compare(M, fn, spec.in_channels, shape, weight, f"the convolution {spec}", alternatives, rtol)


def diagnose_transposed(tspec: TransposedConvSpec, weight: Any, input_shape: Any) -> list[tuple[str, np.ndarray]]:
    """Matrices of the usual wrong implementations of a transposed convolution, with what each gets wrong."""
    shape = tspec.check_input_shape(input_shape)
    w = np.asarray(weight)
    view = tspec.as_convolution()
    out: list[tuple[str, np.ndarray]] = []

    def gather(conv_weight, factor=None, pads=None):
        Z = zero_insertion_matrix(tspec.in_channels, shape, factor or view.zero_insertion)
        P = padding_matrix(tspec.in_channels, Z.row_shape[1:], pads or view.padding)
        C = conv_matrix(view.conv, conv_weight, P.row_shape[1:])
        return (C @ (P @ Z)).to_numpy()

    good = view.transform_weight(w)
    swapped = swap_channel_groups(w, tspec.groups)
    cases = [
        ("a transposed convolution whose kernel is not flipped (JAX's lax.conv_transpose default, "
         "transpose_kernel=False)", lambda: gather(swapped)),
        ("a transposed convolution with the channels swapped without regard to groups (a plain swap of the first "
         "two weight axes)", lambda: gather(flip_kernel(np.swapaxes(w, 0, 1).reshape(good.shape), tspec.ndim))),
        ("a transposed convolution whose padding p was applied as input padding, instead of cropping the output "
         "(the gather view pads by d(k-1) - p)", lambda: gather(good, pads=tuple(
             (pl, pr + a) for (pl, pr), a in zip(tspec.padding, tspec.output_padding)))),
        ("a transposed convolution with output_padding on the left instead of the right",
         lambda: gather(good, pads=tuple((left + a, right - a) for (left, right), a
                                         in zip(view.padding, tspec.output_padding)))),
        ("a transposed convolution that inserts s zeros between inputs instead of s - 1",
         lambda: gather(good, factor=tuple(s + 1 for s in tspec.stride))),
    ]
    if tspec.in_channels == tspec.out_channels and tspec.groups == 1:
        cases.append(("a transposed convolution whose channels are not swapped",
                      lambda: gather(flip_kernel(w.reshape(good.shape), tspec.ndim))))
    for description, build in cases:
        try:
            out.append((description, build()))
        except (ValueError, TypeError):
            continue  # this mistake does not produce a matrix of this configuration
    return out


def assert_is_transposed_convolution(fn: Callable, tspec: TransposedConvSpec, weight: Any, input_shape: Any, *,
                                     rtol: float | None = None) -> None:
    """Assert that ``fn`` is the transposed convolution ``tspec`` (PyTorch's semantics) with ``weight``.

    On failure, the known alternative conventions are tried and the one that matches is named.

    >>> import numpy as np
    >>> from symconv import TransposedConvSpec, numeric
    >>> t, w = TransposedConvSpec(3, stride=2), np.array([[[1, 2, 3]]])
    >>> assert_is_transposed_convolution(lambda y: numeric.conv_transpose(t, w, y), t, w, (4,))
    >>> unflipped = lambda y: numeric.conv_transpose(t, w[:, :, ::-1], y)
    >>> assert_is_transposed_convolution(unflipped, t, w, (4,))
    Traceback (most recent call last):
    ...
    AssertionError: the function is not the transposed convolution ConvTranspose1d(...) (exactly compared).
    diagnosis: your function equals a transposed convolution whose kernel is not flipped (JAX's lax.conv_transpose default, transpose_kernel=False).
    """
    shape = tspec.check_input_shape(input_shape)
    as_weight(tspec, weight)
    T = transposed_conv_matrix(tspec, weight, shape)
    _compare(T, fn, tspec.in_channels, shape, weight, f"the transposed convolution {tspec}",
             lambda: diagnose_transposed(tspec, weight, shape), rtol)


def assert_adjoint(forward: Callable, backward: Callable, in_channels: int, input_shape: Any, *,
                   rtol: float | None = None, trials: int = 5, seed: int = 0) -> None:
    """The dot test: ``<forward(x), y> == <x, backward(y)>`` for random small-integer x and y.

    Exact when both functions return integers or floats holding small integers; else within ``rtol``.

    >>> from symconv import ConvSpec, numeric
    >>> spec, w = ConvSpec(3, stride=2), np.array([[[1, -2, 3]]])
    >>> assert_adjoint(lambda x: numeric.conv(spec, w, x),
    ...                lambda y: numeric.conv_transpose(spec.transpose((7,)), w, y), 1, (7,))
    """
    rng = np.random.default_rng(seed)
    shape = (in_channels,) + tuple(input_shape)
    for trial in range(trials):
        x = rng.integers(-3, 4, shape).astype(np.float64)
        fx = _call(forward, x)
        y = rng.integers(-3, 4, fx.shape).astype(np.float64)
        bty = _call(backward, y)
        if bty.shape != x.shape:
            raise AssertionError(f"backward(y) has shape {bty.shape}, expected the input shape {x.shape}")
        left, right = float(np.sum(fx * y)), float(np.sum(x * bty))
        exact = rtol is None and fx.dtype.kind in "iuf" and float(np.abs(fx).max(initial=0)) < 2**20
        tol = 0.0 if exact and np.all(np.mod(fx, 1) == 0) else (rtol or 1e-6) * max(1.0, abs(left))
        if abs(left - right) > tol:
            raise AssertionError(f"not adjoint: <forward(x), y> = {left:g} but <x, backward(y)> = {right:g} "
                                 f"(trial {trial}, tolerance {tol:g})")

