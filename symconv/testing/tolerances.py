"""Tolerances: exact integer arithmetic when it is possible, else a rounding bound and the resolution it leaves."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import SpecError, SpecTypeError
from .reference import _Layer

DEFAULT_BOUND = 2.0**-60
"""Probability bound the identity test reaches by default (a wrong linear map passes with at most this)."""

# Significand bits (integers up to 2**p are exact); integers are compared in float64, hence 53.
_BITS = {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}
_MAX_FINITE = {"float16": 65504.0, "bfloat16": 3.3e38, "float32": 3.4e38, "float64": 1.7e308}
_XMAX_CAP = 2**20
_MAX_TRIALS = 64


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
