"""The layer under test as the identity test sees it: spec, weight and bias values, and the numeric reference."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ShapeError, SpecError, SpecTypeError
from ..kernels import as_weight
from ..spec import ConvSpec, TransposedConvSpec
from .probing import _to_numpy


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



def _weight_values(spec, weight: Any) -> np.ndarray:
    weight = _to_numpy(weight)
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
    bias = _to_numpy(bias)
    try:
        b = np.asarray(bias, dtype=np.float64)
    except (TypeError, ValueError):
        raise SpecTypeError(f"bias must be None or numbers, got {bias!r}") from None
    if b.shape != (spec.out_channels,):
        raise ShapeError(f"bias has shape {b.shape}, expected ({spec.out_channels},) (one per output channel)")
    return b
