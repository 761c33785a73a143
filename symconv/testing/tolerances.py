"""Tolerances: exact integer arithmetic when it is possible, else a rounding bound and the resolution it leaves."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import SpecError, SpecTypeError

if TYPE_CHECKING:
    from .reference import _Layer

DEFAULT_BOUND = 2.0**-60
"""Probability bound the identity test reaches by default (a wrong linear map passes with at most this)."""

DEFAULT_RESOLUTION = 0.01
"""The coarsest resolution a check accepts, as a fraction of the largest weight (``resolution=`` overrides it)."""

# Significand bits (integers up to 2**p are exact); integers are compared in float64, hence 53.  TF32 keeps
# float32's exponent and 10 explicit mantissa bits.
_BITS = {"float16": 11, "bfloat16": 8, "tfloat32": 11, "float32": 24, "float64": 53}
_MAX_FINITE = {"float16": 65504.0, "bfloat16": 3.3e38, "tfloat32": 3.4e38, "float32": 3.4e38, "float64": 1.7e308}
_XMAX_CAP = 2**20
_MAX_TRIALS = 64
_ALIASES = {"tf32": "tfloat32", "half": "float16", "bf16": "bfloat16", "fp16": "float16", "fp32": "float32",
            "float": "float32", "double": "float64", "fp64": "float64"}


def _precision_name(value: Any) -> str | None:
    """A compute precision given as a name (``'tf32'``, ``'bfloat16'``) or a torch/numpy/jax dtype; None stays None."""
    if value is None:
        return None
    name = str(value).replace("torch.", "")
    if name.startswith("<class 'numpy."):
        name = name[len("<class 'numpy."):-2]
    name = _ALIASES.get(name.lower(), name.lower())
    if name not in _BITS:
        raise SpecError(f"compute_dtype must be one of {', '.join(_BITS)} (or 'tf32'), got {value!r}")
    return name


def _representable(values: np.ndarray, p: int) -> bool:
    """Whether every value is exactly a p-bit float (rounding the weights to the compute precision is exact)."""
    finite = values[values != 0]  # zeros are exact at any precision
    if finite.size == 0 or p >= 53:
        return True
    mant, _ = np.frexp(finite)
    return bool(np.all(np.ldexp(mant, p) == np.round(np.ldexp(mant, p))))


@dataclass
class _Plan:
    exact: bool
    xmax: int
    trials: int
    log2_bound: float
    scale: float  # tolerance factor on |W||x| + |b| (0 when exact)
    text: str
    resolution: float = 0.0  # the random test's resolution
    tau: float = 0.0
    compute: str = ""
    unit: float = 0.0  # u of the compute precision
    wmax: float = 0.0
    pattern: _PatternPlan | None = None  # the sharper probes along the layer's pattern, when the random test is coarse

    @property
    def guaranteed(self) -> float:
        """The resolution the whole check reaches (the pattern probes', when they run)."""
        return self.pattern.resolution if self.pattern is not None else self.resolution


@dataclass
class _PatternPlan:
    """Probes along the layer's pattern: each output sums one weight times ``value`` (plus the bias)."""

    value: float  # a power of two: the products are exact
    weight_factor: float  # tolerance of an entry: weight_factor * value * |w| + bias_factor * |b|
    bias_factor: float
    resolution: float
    text: str


def _pattern_plan(weight: np.ndarray, bias: np.ndarray | None, p: int, compute: str, row_sum: float,
                  rtol: float | None) -> _PatternPlan:
    u = 2.0**-p
    wmax = float(np.abs(weight).max(initial=0))
    bmax = float(np.abs(bias).max(initial=0)) if bias is not None else 0.0
    # one rounding of each output (to the compute precision), one of the weights unless they are p-bit floats
    # already, and f(0)'s rounding of the bias; u^2 terms absorbed by (1 + 4u)
    # A product of a p-bit weight and a power of two is exact: the roundings are the weight's (unless it is a
    # p-bit float already) and the sum with the bias (none without a bias; one u is kept for the algorithm).
    rounded = not _representable(weight, p)
    roundings = max(1, int(rounded) + int(bias is not None))
    if rtol is not None:
        wf, bf = float(rtol), 2 * float(rtol)
        how = f"rtol = {float(rtol):g} (given)"
    else:
        wf, bf = roundings * u * (1 + 4 * u), 3 * u * (1 + 4 * u)
        parts = (["the weight's rounding"] if rounded else []) + (["the sum with the bias"] if bias is not None else [])
        how = (f"{roundings}u |w| + 3u |b| per entry ({' and '.join(parts) or 'one rounding'}), u = 2^-{p} "
               f"({compute})")
    room = _MAX_FINITE.get(compute, 1e300) / 4
    j = max(0, math.ceil(math.log2(256 * bmax / wmax))) if bmax > 0 and wmax > 0 else 0
    while j > 0 and 2.0**j * max(row_sum, wmax) + bmax > room:
        j -= 1
    value = 2.0**j
    resolution = 2 * (wf * wmax + bf * bmax / value)
    return _PatternPlan(value, wf, bf, resolution,
                        f"pattern probes (value {value:g} at every P-th position of one input channel, so that each "
                        f"output sums one weight): |got - expected| <= {how}; an entry off by more than "
                        f"{resolution:.3g} fails")


def _plan(dtype: str, weight: np.ndarray, bias: np.ndarray | None, row_sum: float, total: float, n_terms: int,
          rtol: float | None, bound: float, compute: str | None = None,
          max_resolution: float | None = None) -> _Plan:
    if not 0 < bound < 1:
        raise SpecError(f"bound must be a probability in (0, 1), got {bound!r}")
    bits = -math.log2(bound)
    kind_int = dtype.startswith("int") or dtype.startswith("uint")
    p_store = 53 if kind_int else _BITS.get(dtype)
    if p_store is None:
        raise SpecTypeError(f"cannot probe a function of dtype {dtype}: expected float16, bfloat16, float32, float64 "
                            "or an integer type")
    compute = compute or dtype
    p = min(p_store, 53 if compute.startswith(("int", "uint")) else _BITS[compute])
    limit = DEFAULT_RESOLUTION if max_resolution is None else float(max_resolution)
    if not limit > 0:
        raise SpecError(f"resolution must be a positive fraction of the largest weight, got {max_resolution!r}")
    bmax = float(np.abs(bias).max(initial=0)) if bias is not None else 0.0
    wmax = float(np.abs(weight).max(initial=0))
    integral = bool(np.all(np.mod(weight, 1) == 0)) and (bias is None or bool(np.all(np.mod(bias, 1) == 0)))
    in_text = f"{dtype}" if compute == dtype else f"{compute} (probed in {dtype})"
    if integral and rtol is None and row_sum > 0:
        xmax = min(int((2.0**p - bmax) // row_sum), _XMAX_CAP, int(2.0**53 // max(total, 1.0)))
        if xmax >= 1:
            size = 2 * xmax + 1
            trials = max(1, math.ceil(bits / math.log2(size)))
            if trials <= _MAX_TRIALS:
                return _Plan(True, xmax, trials, -trials * math.log2(size), 0.0,
                             f"exact: integer weights and inputs |x| <= {xmax}, every partial sum an integer "
                             f"below 2^{p} that {in_text} represents exactly", compute=compute, unit=2.0**-p,
                             wmax=wmax)
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
        # the terms, the bias, and the weights' own rounding when the compute precision is coarser than they are
        n = n_terms + (1 if bias is not None else 0) + (0 if _representable(weight, p) else 1)
        if n * u >= 0.5:
            raise SpecError(f"{compute} accumulation over n = {n} terms: n u = {n * u:g} >= 1/2 gives no useful "
                            "rounding bound; pass rtol=")
        scale = n * u / (1 - n * u) + u
        how = (f"|got - expected| <= (n u / (1 - n u) + u) (|W||x| + |b|) per entry, n = {n} terms, "
               f"u = 2^-{p} ({in_text}): factor {scale:.3g}")
    room = _MAX_FINITE.get(compute, 1e300) / 4
    xmax = min(_XMAX_CAP, 2 ** (p - 1), int(max(1.0, (room - bmax) / max(row_sum, 1e-300))))
    size = 2 * xmax + 1
    if size <= 2:
        raise SpecError(f"the weights are too large for {compute}: no integer input range is safe")
    # One wrong entry c of the function's matrix moves its output by c x_j; with the other inputs fixed, the
    # trial passes only if c x_j falls in an interval of width 2 tau (tau: the largest tolerance), which holds
    # for at most 2 tau / |c| + 1 of the |S| values of x_j.  Enough trials make that small for |c| > resolution.
    tau = scale * (row_sum * xmax + bmax)
    trials = max(math.ceil(bits / math.log2(size / 2)), math.ceil(bits / 3))
    per_trial = 2.0 ** (-bits / trials)
    resolution = 2 * tau / (size * per_trial - 1)
    log2_bound = trials * math.log2((2 * tau / resolution + 1) / size) if tau > 0 else -trials * math.log2(size)
    plan = _Plan(False, xmax, trials, log2_bound, scale,
                 how + f"; the bound holds for entries off by more than {resolution:.3g}", resolution, tau,
                 compute=compute, unit=u, wmax=wmax)
    if resolution > limit * wmax:
        # The random test cannot see errors this small: each of its outputs sums n rounded terms.  Probes under
        # which each output sums one weight see an error per weight.
        plan.pattern = _pattern_plan(weight, bias, p, compute, row_sum, rtol)
        if plan.pattern.resolution > limit * wmax:
            raise SpecError(
                f"a check in {in_text} of these weights would be too coarse to mean anything: the smallest error it "
                f"can see is {plan.pattern.resolution:.3g} = {plan.pattern.resolution / max(wmax, 1e-300):.2%} of the largest "
                f"weight {wmax:.3g}, above resolution = {limit:g} ({limit:.2%}); make it meaningful with "
                "integer-valued weights (compared exactly), a higher compute precision (compute_dtype=, e.g. "
                "float32 instead of bfloat16), or accept a coarser check with resolution=")
    return plan


def _magnitude(layer: _Layer, x: np.ndarray, reference=None) -> np.ndarray:
    """``|W||x| + |b|`` per output entry (the scale of its rounding error)."""
    reference = reference or layer.reference
    mag = reference(np.abs(layer.weight), np.abs(x))
    if layer.bias is not None and mag.shape[0] == layer.bias.shape[0]:
        mag = mag + np.abs(layer.bias).reshape((-1,) + (1,) * (mag.ndim - 1))
    return mag


def _tolerance(layer: _Layer, plan: _Plan, x: np.ndarray, reference=None) -> np.ndarray | float:
    if plan.exact:
        return 0.0
    return plan.scale * _magnitude(layer, x, reference)


def _first_bad(got: np.ndarray, want: np.ndarray, tol) -> int | None:
    bad = np.flatnonzero(np.abs(got - want) > tol)
    return None if bad.size == 0 else int(bad[0])
