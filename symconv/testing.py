"""Assertions for users' test suites: "this function is exactly the layer", and if not, why not.

The function under test may be a numpy function, a PyTorch module or function,
or a JAX function.  It is probed in its own framework and dtype (taken from the
module's weight, or from a first call on zeros), its outputs are detached and
moved to the CPU, and their shape is checked.  By default a function maps one
batch element ``(channels, *spatial)`` to one; pass ``batched=True`` for a
function of a batch ``(N, channels, *spatial)``.  A PyTorch module is given
directly to :func:`assert_module_is_convolution` or
:func:`assert_module_is_transposed_convolution`, which read the spec, the
weight and the bias from it.

"Is fn exactly this layer" is decided without building any matrix: an exact
randomized identity test against the numeric reference (:mod:`symconv.numeric`).
For a linear map ``A != M`` and a random input ``x`` drawn uniformly from
``S^n`` (``S`` a set of integers), ``(A - M) x`` has a row that is a nonzero
polynomial of degree 1, which vanishes with probability at most ``1/|S|``
(Schwartz--Zippel).  Independent trials multiply the bounds; the bound reached
is returned in a :class:`Verification`.  When the weights are integers the
inputs are integers small enough that every partial sum is an integer the
function's dtype represents exactly, and comparisons are exact.  Otherwise
each output entry is compared within the rounding bound of a dot product of
``n`` terms in the dtype's unit roundoff ``u``, ``(n u / (1 - n u) + u)
(|W| |x| + |b|)``, and the message states it.

Bias is declared: ``bias=None`` means the map must be linear (``f(0) = 0``).

The functions raise :class:`AssertionError` when the function is not the layer,
so they work under pytest and unittest.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import numeric
from .errors import ShapeError, SizeLimitError, SpecError, SpecTypeError
from .kernels import as_weight
from .matrices import DENSE_LIMIT
from .spec import ConvSpec, TransposedConvSpec
from .weights import flip_kernel, swap_channel_groups

__all__ = ["Verification", "assert_is_convolution", "assert_is_transposed_convolution",
           "assert_module_is_convolution", "assert_module_is_transposed_convolution", "assert_adjoint",
           "linear_map_matrix", "linear_map_coo", "diagnose_transposed", "DEFAULT_BOUND"]

DEFAULT_BOUND = 2.0**-60
"""Probability bound the identity test reaches by default (a wrong linear map passes with at most this)."""

# Significand bits (integers up to 2**p are exact); integers are compared in float64, hence 53.
_BITS = {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}
_MAX_FINITE = {"float16": 65504.0, "bfloat16": 3.3e38, "float32": 3.4e38, "float64": 1.7e308}
_XMAX_CAP = 2**20
_MAX_TRIALS = 64


# ---------------------------------------------------------------------------------------------------------
# probing a function in its own framework and dtype


def _dtype_name(dtype: Any) -> str:
    name = str(dtype).replace("torch.", "")
    if name.startswith("<class 'numpy."):
        name = name[len("<class 'numpy."):-2]
    try:
        return np.dtype(name).name
    except TypeError:
        return name


def _is_torch_module(obj: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.nn.Module)


class _Probe:
    """Calls the function under test on numpy batches ``(B, C, *spatial)`` of integer values; returns float64."""

    def __init__(self, fn: Callable, in_shape: tuple[int, ...], *, batched: bool, framework: str | None,
                 dtype: Any, device: Any = None):
        if not callable(fn):
            raise SpecTypeError(f"fn must be callable (a function or a module), got {type(fn).__name__}")
        if framework not in (None, "numpy", "torch", "jax"):
            raise SpecError(f"framework must be 'numpy', 'torch', 'jax' or None (detect), got {framework!r}")
        self.fn, self.in_shape, self.batched, self.device = fn, tuple(in_shape), batched, device
        self.framework = framework
        self.dtype = None if dtype is None else _dtype_name(dtype)
        self.calls = 0
        self.out_dtype = "float64"
        self.out_kind = "numpy"

    def _input(self, x: np.ndarray) -> Any:
        if self.framework == "torch":
            torch = sys.modules["torch"]
            name = self.dtype or str(torch.get_default_dtype()).replace("torch.", "")
            return torch.from_numpy(np.ascontiguousarray(x)).to(device=self.device or "cpu", dtype=getattr(torch, name))
        if self.framework == "jax":
            return sys.modules["jax.numpy"].asarray(x.astype(self.dtype or np.float64, copy=False))
        return x.astype(self.dtype if self.dtype in _BITS and self.dtype != "bfloat16" else np.float64, copy=False)

    def carrier(self) -> type:
        """A numpy dtype that holds the probes exactly and converts to the function's dtype cheaply."""
        return np.float32 if self.dtype in ("float32", "float16", "bfloat16") else np.float64

    def _output(self, out: Any) -> np.ndarray:
        torch, jax = sys.modules.get("torch"), sys.modules.get("jax")
        if torch is not None and isinstance(out, torch.Tensor):
            self.out_kind, self.out_dtype = "torch", str(out.dtype).replace("torch.", "")
            if out.is_complex() or not (out.is_floating_point() or out.dtype in (torch.int8, torch.int16,
                                                                                  torch.int32, torch.int64)):
                raise SpecTypeError(f"the function returned a tensor of dtype {out.dtype}; expected real numbers")
            return out.detach().to(device="cpu", dtype=torch.float64).numpy()
        if isinstance(out, (list, tuple, dict)) or not hasattr(out, "shape") or not hasattr(out, "dtype"):
            raise SpecTypeError(f"the function returned a {type(out).__name__}; it must return an array "
                                "(numpy, torch or jax) of the output tensor")
        self.out_kind = "jax" if jax is not None and isinstance(out, jax.Array) else "numpy"
        self.out_dtype = _dtype_name(out.dtype)
        arr = np.asarray(out.astype("float32") if self.out_dtype == "bfloat16" else out)
        if arr.dtype.kind not in "iuf":
            raise SpecTypeError(f"the function returned an array of dtype {arr.dtype}; expected real numbers")
        return arr.astype(np.float64)

    def _raw(self, x: np.ndarray) -> np.ndarray:
        self.calls += 1
        torch = sys.modules.get("torch")
        if torch is not None and self.framework == "torch":
            with torch.no_grad():
                return self._output(self.fn(self._input(x)))
        return self._output(self.fn(self._input(x)))

    def __call__(self, xs: np.ndarray) -> np.ndarray:
        """``xs`` has shape ``(B, C, *spatial)``; returns ``(B, *out)`` (one call when batched, else B calls)."""
        if self.batched:
            got = self._raw(xs)
            if got.shape[:1] != xs.shape[:1]:
                raise ShapeError(f"the function returned shape {got.shape} for a batch of shape {xs.shape}: the "
                                 "batch axis is missing or changed (with batched=True it must take and return a batch)")
            return got
        return np.stack([self._raw(x) for x in xs])

    def first(self, expected: tuple[int, ...] | None) -> np.ndarray:
        """``f(0)`` for one batch element: detects the framework and the dtype (unless given) and checks for a
        batch axis left in."""
        zero = np.zeros(((1,) if self.batched else ()) + self.in_shape)
        if self.framework is None:
            out = None
            # numpy in float64; numpy in torch's default dtype (a numpy wrapper around a float32 module);
            # torch tensors (a torch function).  The first error is reported when none works.
            attempts: list[tuple[str, str | None]] = [("numpy", self.dtype)]
            if "torch" in sys.modules:
                default = self.dtype or str(sys.modules["torch"].get_default_dtype()).replace("torch.", "")
                attempts += [("numpy", default)] if self.dtype is None else []
                attempts += [("torch", default)]
            first_error: Exception | None = None
            for framework, dtype in attempts:
                self.framework, self.dtype = framework, dtype
                try:
                    out = self._raw(zero)
                    break
                except (TypeError, AttributeError, RuntimeError) as exc:
                    first_error = first_error or exc
            if out is None:
                assert first_error is not None
                raise first_error
            if self.out_kind == "jax":
                self.framework = "jax"
        else:
            out = self._raw(zero)
        if self.dtype is None:
            if self.out_dtype in _BITS or self.out_dtype.startswith(("int", "uint")):
                self.dtype = self.out_dtype
            else:
                self.dtype = "float64"
        if self.batched:
            if out.shape[:1] != (1,):
                raise ShapeError(f"the function returned shape {out.shape} for a batch of shape {zero.shape}: with "
                                 "batched=True it must take and return a batch")
            return out[0]
        if expected is not None and out.shape == (1,) + tuple(expected):
            raise ShapeError(f"the function returned shape {out.shape} for one input of shape {self.in_shape}: a "
                             f"batch dimension of size 1 was left in (expected {tuple(expected)}); return out[0], "
                             "or pass batched=True if it takes and returns a batch")
        return out


# ---------------------------------------------------------------------------------------------------------
# the plan: inputs, exactness, tolerance, number of trials


@dataclass(frozen=True)
class Verification:
    """What an identity test established (returned by the ``assert_*`` functions when they pass).

    Attributes
    ----------
    layer : str
        The layer, e.g. ``Conv2d(64, 64, kernel_size=3, ...)``.
    input_shape : tuple of int
        Spatial input shape tested.
    framework, dtype : str
        How the function was probed.
    exact : bool
        True when every compared value was an integer represented exactly (comparisons ``==``).
    trials : int
        Random inputs compared with the reference.
    set_size : int
        ``|S|``: each input entry is uniform on ``S = {-xmax, ..., xmax}``.
    log2_bound : float
        log2 of the probability that a wrong linear map passes (see ``statement``).
    calls : int
        Calls of the function (a batched function takes all probes in one call after ``f(0)``).
    tolerance : str
        How values were compared.
    bias : str
        What was found about ``f(0)``.
    resolution : float
        0 when exact.  With a float tolerance: the bound is for linear maps with an entry that differs from
        the layer's by more than this (smaller differences may hide in the rounding tolerance).
    tau : float
        The largest tolerance of an output entry (0 when exact).
    """

    layer: str
    input_shape: tuple
    framework: str
    dtype: str
    exact: bool
    trials: int
    set_size: int
    log2_bound: float
    calls: int
    tolerance: str
    bias: str
    resolution: float = 0.0
    tau: float = 0.0

    @property
    def bound(self) -> float:
        """The probability bound ``2**log2_bound``."""
        return 2.0**self.log2_bound

    @property
    def statement(self) -> str:
        """The claim, as one sentence."""
        if self.exact:
            return (f"a linear map other than the layer's passes each of the {self.trials} trials with probability "
                    f"<= 1/|S| = 1/{self.set_size} (Schwartz-Zippel, degree 1), all of them with probability "
                    f"<= 2^{self.log2_bound:.1f}")
        return (f"a linear map with an entry that differs from the layer's by more than {self.resolution:.3g} passes "
                f"each of the {self.trials} trials with probability <= (2 tau / {self.resolution:.3g} + 1)/|S| = "
                f"2^{self.log2_bound / self.trials:.2f} (that entry's input alone is uniform on S, |S| = "
                f"{self.set_size}; tau = {self.tau:.3g} is the largest tolerance), all of them with probability "
                f"<= 2^{self.log2_bound:.1f}")

    def __str__(self) -> str:
        return (f"{self.layer} on input {self.input_shape} ({self.framework}, {self.dtype}): equal to the numeric "
                f"reference at {self.trials} random integer inputs ({self.tolerance}); {self.bias}; linear at a random "
                f"combination; {self.statement}; {self.calls} calls.")


@dataclass
class _Plan:
    exact: bool
    xmax: int
    trials: int
    log2_bound: float
    scale: float  # tolerance factor on |W||x| + |b| (0 when exact)
    text: str
    resolution: float = 0.0
    tau: float = 0.0


def _plan(dtype: str, weight: np.ndarray, bias: np.ndarray | None, row_sum: float, total: float, n_terms: int,
          rtol: float | None, bound: float) -> _Plan:
    if not 0 < bound < 1:
        raise SpecError(f"bound must be a probability in (0, 1), got {bound!r}")
    bits = -math.log2(bound)
    kind_int = dtype.startswith("int") or dtype.startswith("uint")
    p = 53 if kind_int else _BITS.get(dtype)
    if p is None:
        raise SpecTypeError(f"cannot probe a function of dtype {dtype}: expected float16, bfloat16, float32, float64 "
                            "or an integer type")
    bmax = float(np.abs(bias).max(initial=0)) if bias is not None else 0.0
    integral = bool(np.all(np.mod(weight, 1) == 0)) and (bias is None or bool(np.all(np.mod(bias, 1) == 0)))
    if integral and rtol is None and row_sum > 0:
        xmax = min(int((2.0**p - bmax) // row_sum), _XMAX_CAP, int(2.0**53 // max(total, 1.0)))
        if xmax >= 1:
            size = 2 * xmax + 1
            trials = max(1, math.ceil(bits / math.log2(size)))
            if trials <= _MAX_TRIALS:
                return _Plan(True, xmax, trials, -trials * math.log2(size), 0.0,
                             f"exact: integer weights and inputs |x| <= {xmax}, every partial sum an integer "
                             f"below 2^{p} that {dtype} represents exactly")
    if kind_int:
        raise SpecError(f"the function computes in {dtype} but the weights are not integers small enough for exact "
                        "integer arithmetic")
    u = 2.0**-p
    if rtol is not None:
        scale = float(rtol)
        if not scale >= 0:
            raise SpecError(f"rtol must be a non-negative number, got {rtol!r}")
        how = f"|got - expected| <= rtol (|W||x| + |b|) per entry, rtol = {scale:g} (given)"
    else:
        n = n_terms + (1 if bias is not None else 0)
        if n * u >= 0.5:
            raise SpecError(f"{dtype} accumulation over n = {n} terms: n u = {n * u:g} >= 1/2 gives no useful rounding "
                            "bound; pass rtol=")
        scale = n * u / (1 - n * u) + u
        how = (f"|got - expected| <= (n u / (1 - n u) + u) (|W||x| + |b|) per entry, n = {n} terms, "
               f"u = 2^-{p} ({dtype}): factor {scale:.3g}")
    room = _MAX_FINITE.get(dtype, 1e300) / 4
    xmax = min(_XMAX_CAP, 2 ** (p - 1), int(max(1.0, (room - bmax) / max(row_sum, 1e-300))))
    size = 2 * xmax + 1
    if size <= 2:
        raise SpecError(f"the weights are too large for {dtype}: no integer input range is safe")
    # One wrong entry c of the function's matrix moves its output by c x_j; with the other inputs fixed, the
    # trial passes only if c x_j falls in an interval of width 2 tau (tau: the largest tolerance), which holds
    # for at most 2 tau / |c| + 1 of the |S| values of x_j.  Enough trials make that small for |c| > resolution.
    tau = scale * (row_sum * xmax + bmax)
    trials = max(math.ceil(bits / math.log2(size / 2)), math.ceil(bits / 3))
    per_trial = 2.0 ** (-bits / trials)
    resolution = 2 * tau / (size * per_trial - 1)
    log2_bound = trials * math.log2((2 * tau / resolution + 1) / size) if tau > 0 else -trials * math.log2(size)
    return _Plan(False, xmax, trials, log2_bound, scale,
                 how + f"; the bound holds for entries off by more than {resolution:.3g}", resolution, tau)


# ---------------------------------------------------------------------------------------------------------
# the identity test


@dataclass
class _Layer:
    """What the identity test needs to know about the layer."""

    spec: ConvSpec | TransposedConvSpec
    weight: np.ndarray  # float64 values
    bias: np.ndarray | None
    in_shape: tuple[int, ...]  # (C, *spatial)
    out_shape: tuple[int, ...]
    reference: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (weight, x) -> output
    variants: list[tuple[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]]
    what: str

    def ref(self, x: np.ndarray) -> np.ndarray:
        return self.reference(self.weight, x)


def _fmt(v: float) -> str:
    return f"{v:.10g}"


def _bias_text(b: np.ndarray) -> str:
    per_channel = b.reshape(b.shape[0], -1)
    if np.all(per_channel == per_channel[:, :1]):
        values = per_channel[:, 0]
        shown = ", ".join(_fmt(v) for v in values[:8]) + (", ..." if values.size > 8 else "")
        return f"[{shown}] (per output channel)"
    idx = tuple(int(i) for i in np.unravel_index(int(np.flatnonzero(b)[0]), b.shape))
    return f"f(0) with nonzero entries, the first at {idx}: {_fmt(b[idx])}"


def _check_bias(layer: _Layer, f0: np.ndarray, dtype: str, exact: bool) -> str:
    if layer.bias is None:
        if np.any(f0 != 0):
            raise AssertionError(
                f"the function is not {layer.what}: the function has a bias b = {_bias_text(f0)}: f(0) != 0, so it "
                "is affine, not linear. Declare it (bias=...; a module's own bias is used by the module form) or "
                "remove it.")
        return "no bias (f(0) = 0)"
    want = np.broadcast_to(layer.bias.reshape((-1,) + (1,) * (f0.ndim - 1)), f0.shape)
    tol = 0.0 if exact else 2.0 ** -_BITS.get(dtype, 53) * np.abs(want)
    bad = np.abs(f0 - want) > tol
    if np.any(bad):
        idx = tuple(int(i) for i in np.unravel_index(int(np.flatnonzero(bad)[0]), f0.shape))
        raise AssertionError(f"the function is not {layer.what}: its bias f(0) = {_bias_text(f0)} differs from the "
                             f"declared bias at {idx}: {_fmt(f0[idx])} != {_fmt(want[idx])}")
    return "bias f(0) equal to the declared one"


def _tolerance(layer: _Layer, plan: _Plan, x: np.ndarray, reference=None) -> np.ndarray | float:
    if plan.exact:
        return 0.0
    reference = reference or layer.reference
    mag = reference(np.abs(layer.weight), np.abs(x))
    if layer.bias is not None and mag.shape[0] == layer.bias.shape[0]:
        mag = mag + np.abs(layer.bias).reshape((-1,) + (1,) * (mag.ndim - 1))
    return plan.scale * mag


def _first_bad(got: np.ndarray, want: np.ndarray, tol) -> int | None:
    bad = np.flatnonzero(np.abs(got - want) > tol)
    return None if bad.size == 0 else int(bad[0])


def _verify(probe: _Probe, layer: _Layer, *, rtol: float | None, bound: float, seed: int) -> Verification:
    f0 = probe.first(layer.out_shape)
    dtype = probe.dtype or "float64"
    w, b = layer.weight, layer.bias
    ones = np.ones(layer.in_shape)
    row_sum = float(layer.reference(np.abs(w), ones).max(initial=0))
    n_terms = layer.spec.in_channels // layer.spec.groups * math.prod(layer.spec.kernel_size)
    plan = _plan(dtype, w, b, row_sum, float(np.abs(w).sum()), n_terms, rtol, bound)
    rng = np.random.default_rng(seed)
    alpha, beta = (int(v) * int(rng.choice([-1, 1])) for v in rng.integers(1, 4, 2))
    r = max(1, plan.xmax // (abs(alpha) + abs(beta)))
    # one batch: the trials, then x, y and alpha x + beta y for the linearity check; integers held exactly
    # (|values| <= 2**20) in a carrier close to the function's dtype, so that no large conversion is needed
    batch: np.ndarray = np.empty((plan.trials + 3,) + layer.in_shape, dtype=probe.carrier())
    batch[:plan.trials] = rng.integers(-plan.xmax, plan.xmax + 1, (plan.trials,) + layer.in_shape, dtype=np.int32)
    batch[plan.trials:plan.trials + 2] = rng.integers(-r, r + 1, (2,) + layer.in_shape, dtype=np.int32)
    batch[-1] = alpha * batch[-3] + beta * batch[-2]
    xs, u, z = batch[:plan.trials], batch[-3:-1], batch[-1]
    outs = probe(batch)
    shape_ok = f0.shape == tuple(layer.out_shape)
    if shape_ok:
        bias_text = _check_bias(layer, f0, dtype, plan.exact)
    else:
        bias_text = ""
    g = outs - f0
    if shape_ok or outs.shape[1:] == f0.shape:
        gz, gx, gy = g[-1], g[-3], g[-2]
        if shape_ok:
            tol = _tolerance(layer, plan, z) + abs(alpha) * _tolerance(layer, plan, u[0]) + abs(beta) * _tolerance(
                layer, plan, u[1])
        else:
            tol = 0.0 if plan.exact else plan.scale * (np.abs(gz) + abs(alpha) * np.abs(gx) + abs(beta) * np.abs(gy))
        k = _first_bad(gz, alpha * gx + beta * gy, tol)
        if k is not None:
            idx = tuple(int(i) for i in np.unravel_index(k, gz.shape))
            raise AssertionError(
                f"the function is not {layer.what}: the function is not linear: with f(x) - f(0) = g(x), "
                f"g({alpha} x + {beta} y) != {alpha} g(x) + {beta} g(y) at random integer x, y; first at output "
                f"{idx}: {_fmt(gz[idx])} != {_fmt((alpha * gx + beta * gy)[idx])}")
    g = g[:plan.trials]
    tolerance = plan.text
    if shape_ok:
        expected = [layer.ref(x) for x in xs]
        tols = [_tolerance(layer, plan, x) for x in xs]
        failures = [(t, k) for t in range(plan.trials) if (k := _first_bad(g[t], expected[t], tols[t])) is not None]
        if not failures:
            return Verification(str(layer.spec), layer.in_shape[1:], probe.framework or "numpy", dtype, plan.exact,
                                plan.trials, 2 * plan.xmax + 1, plan.log2_bound, probe.calls, tolerance, bias_text,
                                plan.resolution, plan.tau)
    lines = [f"the function is not {layer.what} (compared {tolerance})."]
    for description, variant in layer.variants:
        try:
            first = variant(w, xs[0])
        except (ValueError, TypeError):
            continue  # this mistake has no output for this configuration
        if first.shape != g.shape[1:]:
            continue
        if all(_first_bad(g[t], variant(w, xs[t]), _tolerance(layer, plan, xs[t], variant)) is None
               for t in range(plan.trials)):
            lines.append(f"diagnosis: your function equals {description}.")
            lines.append(f"(it equals that variant of the numeric reference at the same {plan.trials} random inputs; "
                         f"a different linear map would pass with probability <= 2^{plan.log2_bound:.1f}"
                         + (f" if one of its entries differs by more than {plan.resolution:.3g})" if not plan.exact
                            else ")"))
            raise AssertionError("\n".join(lines))
    if not shape_ok:
        lines.append(f"the function returns shape {f0.shape}, symconv expects {tuple(layer.out_shape)} "
                     f"(channels, *spatial) for input {layer.in_shape}; no known mistake produces it")
        raise AssertionError("\n".join(lines))
    t, k = failures[0]
    if plan.exact and all(_first_bad(g[s], expected[s], 2.0**-20 * (layer.reference(np.abs(w), np.abs(xs[s])) + 1))
                          is None for s in range(plan.trials)):
        lines.append("note: the differences are within float rounding: the function does not compute exactly on "
                     "integers (a Winograd or FFT algorithm?); pass rtol= to compare within a tolerance")
    lines.extend(_explain_difference(probe, layer, plan, xs[t], g[t], expected[t], tols[t], k, f0, t))
    raise AssertionError("\n".join(lines))


# ---------------------------------------------------------------------------------------------------------
# explaining a difference from local probes


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


# ---------------------------------------------------------------------------------------------------------
# the catalogue of convention mistakes, as variants of the numeric reference


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
        ("a transposed convolution with output_padding on the left instead of the right",
         lambda w, y: _gather(tspec, good(w), y, pads=tuple(
             (left + a, right - a) for (left, right), a in zip(view.padding, tspec.output_padding)))),
        ("a transposed convolution that inserts s zeros between inputs instead of s - 1",
         lambda w, y: _gather(tspec, good(w), y, factor=tuple(s + 1 for s in tspec.stride))),
    ]
    if tspec.in_channels == tspec.out_channels and tspec.groups == 1:
        cases.append(("a transposed convolution whose channels are not swapped",
                      lambda w, y: _gather(tspec, flip_kernel(w, nd), y)))
    if not any(tspec.output_padding):
        cases = [c for c in cases if "output_padding on the left" not in c[0]]
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
    return cases


def diagnose_transposed(tspec: TransposedConvSpec, weight: Any, input_shape: Any) -> list[tuple[str, np.ndarray]]:
    """Matrices of the usual wrong implementations of a transposed convolution, with what each gets wrong.

    Probed from the catalogue's numpy variants (small shapes: dense, refused beyond ``DENSE_LIMIT``).

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


# ---------------------------------------------------------------------------------------------------------
# public assertions


def _weight_values(spec, weight: Any) -> np.ndarray:
    arr = None
    if not isinstance(weight, (str, bytes)) and getattr(weight, "dtype", None) is not None:
        arr = np.asarray(getattr(weight, "detach", lambda: weight)())  # numpy, or a torch/jax array
    if arr is None or arr.dtype.kind not in "iuf":
        as_weight(spec, weight)  # validates shape and entries with the package's messages
        try:
            arr = np.asarray(weight, dtype=np.float64)
        except (TypeError, ValueError):
            raise SpecTypeError("the weight must hold numbers (a symbolic weight cannot be compared with a "
                                "function)") from None
    if arr.shape != tuple(spec.weight_shape):
        raise ShapeError(f"weight has shape {arr.shape}, expected {tuple(spec.weight_shape)} = (channels, "
                         f"channels // groups, *kernel_size) for {spec}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise SpecError("weight entries must be finite numbers (found inf or nan)")
    return arr


def _bias_values(spec, bias: Any) -> np.ndarray | None:
    if bias is None:
        return None
    try:
        b = np.asarray(bias, dtype=np.float64)
    except (TypeError, ValueError):
        raise SpecTypeError(f"bias must be None or numbers, got {bias!r}") from None
    if b.shape != (spec.out_channels,):
        raise ShapeError(f"bias has shape {b.shape}, expected ({spec.out_channels},) (one per output channel)")
    return b


def assert_is_convolution(fn: Callable, spec: ConvSpec, weight: Any, input_shape: Any, *, bias: Any = None,
                          rtol: float | None = None, batched: bool = False, framework: str | None = None,
                          dtype: Any = None, bound: float = DEFAULT_BOUND, seed: int = 0) -> Verification:
    """Assert that ``fn`` is the convolution ``spec`` with ``weight`` (and ``bias``) on inputs of ``input_shape``.

    Parameters
    ----------
    fn : callable
        numpy, PyTorch or JAX function of one batch element ``(C_in, *spatial)`` (or of a batch, ``batched=True``).
    spec, weight, input_shape
        The layer, its weight ``(C_out, C_in/g, *k)`` and the spatial input shape.
    bias : None or array of shape (C_out,)
        None: the function must be linear.
    rtol : float, optional
        Override the derived float tolerance (per entry, times ``|W||x| + |b|``).
    framework, dtype : optional
        Override detection (``'numpy'``, ``'torch'``, ``'jax'``; a dtype name).
    bound : float
        Probability bound to reach (default ``2**-60``).

    Returns
    -------
    Verification
        What was established, with the bound reached.

    >>> import numpy as np
    >>> from symconv import ConvSpec, numeric
    >>> spec, w = ConvSpec(3, padding=1), np.array([[[1, 2, 3]]])
    >>> assert_is_convolution(lambda x: numeric.conv(spec, w, x), spec, w, (5,)).log2_bound <= -60
    True
    """
    shape = spec.check_input_shape(input_shape)
    w = _weight_values(spec, weight)
    layer = _Layer(spec, w, _bias_values(spec, bias), (spec.in_channels,) + shape,
                   (spec.out_channels,) + spec.output_shape(shape), lambda wv, x: numeric.conv(spec, wv, x),
                   _conv_variants(spec), f"the convolution {spec}")
    probe = _Probe(fn, layer.in_shape, batched=batched, framework=framework, dtype=dtype)
    return _verify(probe, layer, rtol=rtol, bound=bound, seed=seed)


def assert_is_transposed_convolution(fn: Callable, tspec: TransposedConvSpec, weight: Any, input_shape: Any, *,
                                     bias: Any = None, rtol: float | None = None, batched: bool = False,
                                     framework: str | None = None, dtype: Any = None, bound: float = DEFAULT_BOUND,
                                     seed: int = 0) -> Verification:
    """Assert that ``fn`` is the transposed convolution ``tspec`` (PyTorch's semantics) with ``weight``.

    Parameters as :func:`assert_is_convolution`; the weight has shape ``(C_in, C_out/g, *k)``.  On failure the
    catalogue of convention mistakes is run (each as a variant of the numeric reference, by the same randomized
    test) and the one that matches is named; otherwise the first differing output entry is explained from a
    few local probes.

    >>> import numpy as np
    >>> from symconv import TransposedConvSpec, numeric
    >>> t, w = TransposedConvSpec(3, stride=2), np.array([[[1, 2, 3]]])
    >>> print(assert_is_transposed_convolution(lambda y: numeric.conv_transpose(t, w, y), t, w, (4,)).statement)
    a linear map other than the layer's passes each of the 3 trials with probability <= 1/|S| = 1/2097153 (Schwartz-Zippel, degree 1), all of them with probability <= 2^-63.0
    >>> unflipped = lambda y: numeric.conv_transpose(t, w[:, :, ::-1], y)
    >>> assert_is_transposed_convolution(unflipped, t, w, (4,))
    Traceback (most recent call last):
    ...
    AssertionError: the function is not the transposed convolution ConvTranspose1d(...) (compared exact: ...).
    diagnosis: your function equals a transposed convolution whose kernel is not flipped (JAX's lax.conv_transpose default, transpose_kernel=False).
    ...
    """
    shape = tspec.check_input_shape(input_shape)
    w = _weight_values(tspec, weight)
    layer = _Layer(tspec, w, _bias_values(tspec, bias), (tspec.in_channels,) + shape,
                   (tspec.out_channels,) + tspec.output_shape(shape), lambda wv, y: numeric.conv_transpose(tspec, wv, y),
                   _transposed_variants(tspec), f"the transposed convolution {tspec}")
    probe = _Probe(fn, layer.in_shape, batched=batched, framework=framework, dtype=dtype)
    return _verify(probe, layer, rtol=rtol, bound=bound, seed=seed)


def _module_parts(layer: Any, transposed: bool):
    if not _is_torch_module(layer):
        raise SpecTypeError(f"layer must be a torch.nn module, got {type(layer).__name__}")
    cls = TransposedConvSpec if transposed else ConvSpec
    torch = sys.modules["torch"]
    names = [f"ConvTranspose{n}d" if transposed else f"Conv{n}d" for n in (1, 2, 3)]
    base = next((c for c in type(layer).__mro__ if c.__name__ in names and getattr(torch.nn, c.__name__) is c), None)
    source = layer
    if base is not None and base is not type(layer):
        # a subclass (e.g. with its own forward): read the arguments it declares as its torch base class
        source = type(base.__name__, (), {})()
        for attr in ("kernel_size", "stride", "padding", "dilation", "in_channels", "out_channels", "groups",
                     "padding_mode", "bias", "output_padding"):
            setattr(source, attr, getattr(layer, attr, None))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the bias is declared below, not ignored
        spec = cls.from_torch(source)
    weight = layer.weight.detach().cpu().double().numpy()
    bias = None if layer.bias is None else layer.bias.detach().cpu().double().numpy()
    return spec, weight, bias, layer.weight.dtype, layer.weight.device


def assert_module_is_convolution(layer: Any, input_shape: Any, *, rtol: float | None = None,
                                 bound: float = DEFAULT_BOUND, seed: int = 0) -> Verification:
    """Assert that a ``torch.nn.Conv{1,2,3}d`` computes the convolution its arguments, weight and bias declare.

    The module is probed in its own dtype and device with one batch of random integer inputs (after ``f(0)``).
    """
    spec, weight, bias, dtype, device = _module_parts(layer, transposed=False)
    shape = spec.check_input_shape(input_shape)
    lay = _Layer(spec, weight, bias, (spec.in_channels,) + shape, (spec.out_channels,) + spec.output_shape(shape),
                 lambda wv, x: numeric.conv(spec, wv, x), _conv_variants(spec), f"the convolution {spec}")
    probe = _Probe(layer, lay.in_shape, batched=True, framework="torch", dtype=dtype, device=device)
    return _verify(probe, lay, rtol=rtol, bound=bound, seed=seed)


def assert_module_is_transposed_convolution(layer: Any, input_shape: Any, *, rtol: float | None = None,
                                            bound: float = DEFAULT_BOUND, seed: int = 0) -> Verification:
    """Assert that a ``torch.nn.ConvTranspose{1,2,3}d`` computes the transposed convolution it declares.

    Reads the spec (:meth:`TransposedConvSpec.from_torch`), the weight and the bias from the module; the module's
    dtype (float32 by default) and device are used as they are.
    """
    spec, weight, bias, dtype, device = _module_parts(layer, transposed=True)
    shape = spec.check_input_shape(input_shape)
    lay = _Layer(spec, weight, bias, (spec.in_channels,) + shape, (spec.out_channels,) + spec.output_shape(shape),
                 lambda wv, y: numeric.conv_transpose(spec, wv, y), _transposed_variants(spec),
                 f"the transposed convolution {spec}")
    probe = _Probe(layer, lay.in_shape, batched=True, framework="torch", dtype=dtype, device=device)
    return _verify(probe, lay, rtol=rtol, bound=bound, seed=seed)


# ---------------------------------------------------------------------------------------------------------
# the probed matrix (small shapes) and the dot test


def linear_map_matrix(fn: Callable, in_channels: int, input_shape: Any, *, dtype: Any = None,
                      framework: str | None = None, batched: bool = False, seed: int = 0,
                      max_entries: int | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """The dense matrix of ``fn`` by probing with basis tensors, and its bias (None when fn(0) = 0).

    For small shapes only: refused with :class:`SizeLimitError` beyond ``DENSE_LIMIT`` entries (use the
    ``assert_*`` functions, which need no matrix, for production sizes).  Raises AssertionError when ``fn``
    is not affine (checked at random small-integer inputs).

    >>> M, bias = linear_map_matrix(lambda x: 2 * x[:, ::-1], 1, (3,))
    >>> M.tolist(), bias
    ([[0.0, 0.0, 2.0], [0.0, 2.0, 0.0], [2.0, 0.0, 0.0]], None)
    """
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

    Returns ``((rows, cols, values, shape), bias)`` with flat row-major indices of ``(channels, *spatial)``.

    >>> import numpy as np
    >>> from symconv import ConvSpec, numeric
    >>> spec = ConvSpec(2, stride=2)
    >>> (rows, cols, values, shape), bias = linear_map_coo(lambda x: numeric.conv(spec, [[[1, 2]]], x), spec, (4,))
    >>> rows.tolist(), cols.tolist(), values.tolist(), shape, bias
    ([0, 0, 1, 1], [0, 1, 2, 3], [1.0, 2.0, 1.0, 2.0], (2, 4), None)
    """
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

    >>> from symconv import ConvSpec, numeric
    >>> spec, w = ConvSpec(3, stride=2), np.array([[[1, -2, 3]]])
    >>> assert_adjoint(lambda x: numeric.conv(spec, w, x),
    ...                lambda y: numeric.conv_transpose(spec.transpose((7,)), w, y), 1, (7,))
    """
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
