"""Probing a function in its own framework and dtype: numpy batches in, float64 numpy arrays out."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import ShapeError, SpecError, SpecTypeError
from .tolerances import _BITS


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


def _to_numpy(value: Any) -> Any:
    """A torch tensor (a Parameter, one that requires grad, on any device, bfloat16) as a numpy array; others as is."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        t = value.detach()
        if t.device.type != "cpu":
            t = t.cpu()
        if t.dtype == torch.bfloat16 or t.dtype == torch.float16:
            t = t.float()
        return t.numpy()
    if getattr(getattr(value, "dtype", None), "name", None) == "bfloat16":  # JAX or ml_dtypes
        return np.asarray(value).astype(np.float32)
    return value


def _tf32_convolutions(torch: Any) -> bool:
    """Whether PyTorch lets cuDNN convolutions compute float32 in TF32 (its default on current NVIDIA GPUs)."""
    cudnn = torch.backends.cudnn
    for setting in (getattr(getattr(cudnn, "conv", None), "fp32_precision", None),
                    getattr(cudnn, "fp32_precision", None), getattr(torch.backends, "fp32_precision", None)):
        if setting in ("tf32", "ieee"):
            return setting == "tf32"
    return bool(getattr(cudnn, "allow_tf32", False))


def _torch_compute(device: Any, dtype: str | None) -> str | None:
    """The precision a torch convolution computes in, when PyTorch's settings make it differ from the dtype."""
    torch = sys.modules["torch"]
    kind = torch.device(device or "cpu").type
    try:
        if torch.is_autocast_enabled(kind):
            return _dtype_name(torch.get_autocast_dtype(kind))
    except (TypeError, RuntimeError):  # a device type autocast does not know
        pass
    if kind == "cuda" and dtype == "float32" and _tf32_convolutions(torch):
        return "tfloat32"
    return None


@contextlib.contextmanager
def _preserved(fn: Any):
    """Leave a torch module as it was: its state_dict (parameters, buffers, spectral_norm's u and v, ...) and the
    weight attributes hooks set are restored after probing."""
    if not _is_torch_module(fn):
        yield
        return
    torch = sys.modules["torch"]
    with torch.no_grad():
        saved = {k: v.detach().clone() for k, v in fn.state_dict(keep_vars=True).items() if isinstance(v, torch.Tensor)}
    attrs = [(m, name, m.__dict__[name]) for m in fn.modules() for name in ("weight", "bias") if name in m.__dict__]
    try:
        yield
    finally:
        with torch.no_grad():
            for key, value in fn.state_dict(keep_vars=True).items():
                if key in saved and isinstance(value, torch.Tensor) and value.shape == saved[key].shape:
                    value.copy_(saved[key])
        for m, name, value in attrs:
            m.__dict__[name] = value


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
        self._first: tuple[Any, np.ndarray] | None = None  # f(0), once computed
        self.compute: str | None = None  # detected: autocast's dtype, or TF32 for a CUDA float32 convolution

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
        if torch is not None:  # also a numpy wrapper around a torch layer: probing records no graph
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
        batch axis left in.  Computed once (a module's warm-up call is its f(0))."""
        if self._first is not None and self._first[0] == expected:
            return self._first[1]
        self._first = (expected, self._first_call(expected))
        return self._first[1]

    def _first_call(self, expected: tuple[int, ...] | None) -> np.ndarray:
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
        if self.framework == "torch":
            self.compute = _torch_compute(self.device, self.dtype)
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
