"""The randomized identity test: is the function exactly the layer (Schwartz--Zippel), with its bound."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import numeric
from ..errors import SpecError
from ..spec import ConvSpec, TransposedConvSpec
from .catalogue import _conv_variants, _transposed_variants
from .diagnosis import _explain_difference
from .pattern import check_pattern, pattern_tolerance, probe_channel
from .probing import _preserved, _Probe
from .reference import _bias_values, _fmt, _Layer, _weight_values
from .tolerances import (
    DEFAULT_BOUND,
    DEFAULT_RESOLUTION,
    _first_bad,
    _magnitude,
    _PatternPlan,
    _Plan,
    _plan,
    _precision_name,
    _tolerance,
)


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
    compute_dtype : str
        The precision the function computes in (``dtype`` unless given or detected: TF32 on a GPU, autocast).
    relative_resolution : float
        ``resolution`` as a fraction of the largest weight ``max|w|`` (0 when exact).
    pattern_probes : int
        Probes along the layer's pattern (one weight per output) run because the random test alone was too
        coarse; 0 when it was not.
    random_resolution : float
        The random test's own resolution (``resolution`` when no pattern probes ran).

    Examples
    --------
    >>> import numpy as np
    >>> from symconv import ConvSpec, numeric
    >>> spec, w = ConvSpec(3, padding=1), np.array([[[1, 2, 3]]])
    >>> v = assert_is_convolution(lambda x: numeric.conv(spec, w, x), spec, w, (5,))
    >>> v.layer, v.exact, v.trials
    ('Conv1d(1, 1, kernel_size=3, stride=1, padding=1, dilation=1, groups=1)', True, 3)
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
    compute_dtype: str = ""
    relative_resolution: float = 0.0
    pattern_probes: int = 0
    random_resolution: float = 0.0

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
        sharp = ""
        if self.pattern_probes:
            sharp = (f"every weight of the function's matrix, read by {self.pattern_probes} probes along the layer's "
                     f"pattern (one weight per output), is within its rounding tolerance of the layer's: an entry off "
                     f"by more than {self.resolution:.3g} ({self.relative_resolution:.2%} of max|w|) fails for "
                     "certain, unless other wrong entries of the same probe cancel it at the same output, which the "
                     "random test bounds; and ")
        res = self.random_resolution or self.resolution
        rel = "" if self.pattern_probes or not self.relative_resolution else (
            f" ({self.relative_resolution:.2g} of max|w|)")
        return sharp + (f"a linear map with an entry that differs from the layer's by more than {res:.3g}{rel} passes "
                f"each of the {self.trials} trials with probability <= (2 tau / {res:.3g} + 1)/|S| = "
                f"2^{self.log2_bound / self.trials:.2f} (that entry's input alone is uniform on S, |S| = "
                f"{self.set_size}; tau = {self.tau:.3g} is the largest tolerance), all of them with probability "
                f"<= 2^{self.log2_bound:.1f}")

    def __str__(self) -> str:
        how = self.dtype if self.compute_dtype in ("", self.dtype) else f"{self.dtype}, computing in {self.compute_dtype}"
        return (f"{self.layer} on input {self.input_shape} ({self.framework}, {how}): equal to the numeric "
                f"reference at {self.trials} random integer inputs ({self.tolerance}); {self.bias}; linear at a random "
                f"combination; {self.statement}; {self.calls} calls.")



def _bias_text(b: np.ndarray) -> str:
    per_channel = b.reshape(b.shape[0], -1)
    if np.all(per_channel == per_channel[:, :1]):
        values = per_channel[:, 0]
        shown = ", ".join(_fmt(v) for v in values[:8]) + (", ..." if values.size > 8 else "")
        return f"[{shown}] (per output channel)"
    idx = tuple(int(i) for i in np.unravel_index(int(np.flatnonzero(b)[0]), b.shape))
    return f"f(0) with nonzero entries, the first at {idx}: {_fmt(b[idx])}"


def _check_bias(layer: _Layer, f0: np.ndarray, plan: _Plan) -> str:
    __tracebackhide__ = True
    if layer.bias is None:
        if np.any(f0 != 0):
            raise AssertionError(
                f"the function is not {layer.what}: the function has a bias b = {_bias_text(f0)}: f(0) != 0, so it "
                "is affine, not linear. Declare it (bias=...; a module's own bias is used by the module form) or "
                "remove it.")
        return "no bias (f(0) = 0)"
    want = np.broadcast_to(layer.bias.reshape((-1,) + (1,) * (f0.ndim - 1)), f0.shape)
    tol = 0.0 if plan.exact else 2 * plan.unit * np.abs(want)  # f(0) rounds the bias, which may be rounded itself
    bad = np.abs(f0 - want) > tol
    if np.any(bad):
        idx = tuple(int(i) for i in np.unravel_index(int(np.flatnonzero(bad)[0]), f0.shape))
        note = _coarser_note(plan, lambda u: bool(np.all(np.abs(f0 - want) <= 2 * u * np.abs(want))))
        raise AssertionError("\n".join([f"the function is not {layer.what}: its bias f(0) = {_bias_text(f0)} differs "
                                        f"from the declared bias at {idx}: {_fmt(f0[idx])} != {_fmt(want[idx])}"]
                                       + note))
    return f"bias f(0) equal to the declared one ({_bias_text(f0)})"



def _raise(layer: _Layer, headline: str, lines: list[str]) -> None:
    """The verdict and the diagnosis on the first line (pytest's short summary shows it), the evidence below."""
    __tracebackhide__ = True
    raise AssertionError("\n".join([f"the function is not {layer.what}: {headline}"] + lines))


_LOWER = ((24, "float32", "'float32'"), (11, "11-bit (float16 or TF32)", "'tf32' or 'float16'"),
          (8, "bfloat16", "'bfloat16'"))


def _note(p: int, name: str, which: str) -> list[str]:
    return [f"note: the differences are within {name} rounding (u = 2^-{p}): if the function computes in a lower "
            f"precision than it takes and returns (mixed precision, torch.autocast, TF32 on a GPU), pass "
            f"compute_dtype={which}"]


def _coarser_note(plan: _Plan, fits: Callable[[float], bool]) -> list[str]:
    """If the differences are within a lower precision's rounding (``fits(u)``), say which compute_dtype it is."""
    p_now = round(-math.log2(plan.unit)) if plan.unit else 53
    for p, name, which in _LOWER:
        if p < p_now and fits(2.0**-p):
            return _note(p, name, which)
    return []


def _precision_note(probe: _Probe, layer: _Layer, plan: _Plan, f0: np.ndarray) -> list[str]:
    """Which lower precision the function computes in, read from the pattern probes of input channel 0 (each
    output one weight, rounded once or twice in that precision); nothing when none fits."""
    p_now = round(-math.log2(plan.unit)) if plan.unit else 53
    if p_now <= 8:
        return []
    unit = _PatternPlan(1.0, 0.0, 0.0, 0.0, "")
    xs, ys = probe_channel(probe, layer, unit, f0, probe.carrier(), 0)
    wants = [layer.ref(x) for x in xs]
    for p, name, which in _LOWER:
        trial = _PatternPlan(1.0, 2 * 2.0**-p * (1 + 2.0**-p), 3 * 2.0**-p, 0.0, "")
        if all(_first_bad(y, want, pattern_tolerance(layer, trial, want)) is None for y, want in zip(ys, wants)):
            return _note(p, name, which)
    return []


def _verify(probe: _Probe, layer: _Layer, *, rtol: float | None, bound: float, seed: int, compute: Any = None,
            resolution: float | None = None, unchanged: Callable[[], None] | None = None) -> Verification:
    __tracebackhide__ = True
    f0 = probe.first(layer.out_shape)
    dtype = probe.dtype or "float64"
    compute = _precision_name(compute) or probe.compute or dtype
    w, b = layer.weight, layer.bias
    ones = np.ones(layer.in_shape)
    row_sum = float(layer.reference(np.abs(w), ones).max(initial=0))
    n_terms = layer.spec.in_channels // layer.spec.groups * math.prod(layer.spec.kernel_size)
    plan = _plan(dtype, w, b, row_sum, float(np.abs(w).sum()), n_terms, rtol, bound, compute, resolution)
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
    if unchanged is not None:
        unchanged()
    shape_ok = f0.shape == tuple(layer.out_shape)
    bias_text = _check_bias(layer, f0, plan) if shape_ok else ""
    g = outs - f0
    compared = f"compared {plan.text}."
    if shape_ok or outs.shape[1:] == f0.shape:
        gz, gx, gy = g[-1], g[-3], g[-2]
        if plan.exact:
            tol = 0.0
        elif shape_ok:
            tol = plan.scale * (_magnitude(layer, z) + abs(alpha) * _magnitude(layer, u[0])
                                + abs(beta) * _magnitude(layer, u[1]))
        else:
            tol = plan.scale * (np.abs(gz) + abs(alpha) * np.abs(gx) + abs(beta) * np.abs(gy))
        combo = alpha * gx + beta * gy
        k = _first_bad(gz, combo, tol)
        if k is not None:
            idx = tuple(int(i) for i in np.unravel_index(k, gz.shape))
            sign = "+" if beta > 0 else "-"
            _raise(layer, f"the function is not linear: with f(x) - f(0) = g(x), g({alpha} x {sign} {abs(beta)} y) != "
                          f"{alpha} g(x) {sign} {abs(beta)} g(y) at random integer x, y; first at output {idx}: "
                          f"{_fmt(gz[idx])} != {_fmt(combo[idx])}",
                   [compared] + (_precision_note(probe, layer, plan, f0) if shape_ok else []))
    g = g[:plan.trials]
    if shape_ok:
        expected = [layer.ref(x) for x in xs]
        tols = [_tolerance(layer, plan, x) for x in xs]  # 0 when exact: no magnitudes computed
        failures = [(t, k) for t in range(plan.trials) if (k := _first_bad(g[t], expected[t], tols[t])) is not None]
    if not shape_ok or failures:
        # in low precision the random test's tolerance is wide: a mistake it matches must match the pattern
        # probes (of input channel 0) too
        sharp = None if plan.pattern is None or not shape_ok else probe_channel(probe, layer, plan.pattern, f0,
                                                                                probe.carrier(), 0)
        named = _named_mistake(layer, plan, xs, g, sharp)
        if named is not None:
            _raise(layer, f"it is {named}", [compared, f"diagnosis: your function equals {named}.",
                   f"(it equals that variant of the numeric reference at the same {plan.trials} random inputs"
                   + (" and at the pattern probes of input channel 0" if sharp is not None else "") + "; a "
                   f"different linear map would pass with probability <= 2^{plan.log2_bound:.1f}"
                   + (f" if one of its entries differs by more than {plan.resolution:.3g})" if not plan.exact else ")")])
        if not shape_ok:
            _raise(layer, f"it returns shape {f0.shape}, symconv expects {tuple(layer.out_shape)} (channels, "
                          f"*spatial) for input {layer.in_shape}; no known mistake produces it", [compared])
        t, k = failures[0]
        lines = [compared]
        if plan.exact and all(_first_bad(g[s], expected[s], 2.0**-20 * (_magnitude(layer, xs[s]) + 1)) is None
                              for s in range(plan.trials)):
            lines.append("note: the differences are within float rounding: the function does not compute exactly on "
                         "integers (a Winograd or FFT algorithm?); pass rtol= to compare within a tolerance")
        lines += _precision_note(probe, layer, plan, f0)
        explained = _explain_difference(probe, layer, plan, xs[t], g[t], expected[t], tols[t], k, f0, t)
        idx = tuple(int(i) for i in np.unravel_index(k, g[t].shape))
        _raise(layer, f"output {idx} is {_fmt(g[t][idx] + f0[idx])}, expected {_fmt(expected[t][idx] + f0[idx])} "
                      f"(trial {t})", lines + explained)
    count = 0
    if plan.pattern is not None and getattr(layer.spec, "padding_mode", "zeros") != "zeros":
        raise SpecError(f"the random test's resolution {plan.resolution:.3g} is above resolution = "
                        f"{resolution or DEFAULT_RESOLUTION:g} of max|w|, and the pattern probes that would sharpen it "
                        f"model zero padding only (padding_mode={layer.spec.padding_mode!r}): use integer-valued "
                        "weights (compared exactly), a higher precision, or accept resolution=")
    if plan.pattern is not None:
        count, failed, data = check_pattern(probe, layer, plan.pattern, f0, probe.carrier())
        if unchanged is not None:
            unchanged()
        if failed is not None:
            assert data is not None
            c, pxs, pys = data
            named = _named_mistake(layer, plan, xs, g, (pxs, pys))
            compared_p = f"compared {plan.pattern.text}; the random test: {plan.text}."
            if named is not None:
                _raise(layer, f"it is {named}", [compared_p, f"diagnosis: your function equals {named}.",
                       f"(it equals that variant of the numeric reference at the {plan.trials} random inputs and at "
                       f"the pattern probes of input channel {c})"])
            _raise(layer, failed[0], [compared_p] + failed[1:])
    return Verification(str(layer.spec), layer.in_shape[1:], probe.framework or "numpy", dtype, plan.exact,
                        plan.trials, 2 * plan.xmax + 1, plan.log2_bound, probe.calls, plan.text
                        + (f"; then {plan.pattern.text}" if plan.pattern is not None else ""), bias_text,
                        plan.guaranteed, plan.tau, compute, plan.guaranteed / plan.wmax if plan.wmax else 0.0, count,
                        plan.resolution)


def _named_mistake(layer: _Layer, plan: _Plan, xs: np.ndarray, g: np.ndarray, pattern=None) -> str | None:
    """The first mistake of the catalogue that the function equals at the random inputs (and pattern probes)."""
    ref0 = layer.ref(xs[0])
    for description, variant in layer.variants:
        try:
            first = variant(layer.weight, xs[0])
        except (ValueError, TypeError):
            continue  # this mistake has no output for this configuration
        if first.shape != g.shape[1:] or np.array_equal(first, ref0):
            continue  # no output of this shape, or no mistake in this configuration (e.g. a plain swap, groups=1)
        if not all(_first_bad(g[t], variant(layer.weight, xs[t]), _tolerance(layer, plan, xs[t], variant)) is None
                   for t in range(plan.trials)):
            continue
        if pattern is not None:
            pxs, pys = pattern
            assert plan.pattern is not None
            if not all(_first_bad(y, want := variant(layer.weight, x), pattern_tolerance(layer, plan.pattern, want))
                       is None for x, y in zip(pxs, pys)):
                continue
        return description
    return None


def assert_is_convolution(fn: Callable, spec: ConvSpec, weight: Any, input_shape: Any, *, bias: Any = None,
                          rtol: float | None = None, batched: bool = False, framework: str | None = None,
                          dtype: Any = None, bound: float = DEFAULT_BOUND, seed: int = 0, compute_dtype: Any = None,
                          resolution: float | None = None) -> Verification:
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
    batched : bool
        Whether ``fn`` takes a batch ``(N, C_in, *spatial)`` (all probes in one call).
    framework, dtype : optional
        Override detection (``'numpy'``, ``'torch'``, ``'jax'``; a dtype name): how inputs are given.
    bound : float
        Probability bound to reach (default ``2**-60``).
    seed : int
        Seed of the random inputs.
    compute_dtype : optional
        The precision the function computes in when it differs from ``dtype``: ``'bfloat16'`` or ``'float16'``
        inside a float32 function (mixed precision), ``'tf32'`` (10-bit mantissa; detected for CUDA modules).
        Detected under ``torch.autocast``.  The tolerance and the linearity check follow it.
    resolution : float, optional
        The coarsest smallest-visible-error accepted, as a fraction of ``max|w|`` (default 0.01).  When the random
        test is coarser, probes along the layer's pattern (one weight per output) sharpen it; when they are
        coarser too, the check is refused (SpecError) rather than passed.  A larger value accepted by the random
        test alone skips the pattern probes (``C_in * prod(P)`` more inputs): faster, and coarser as stated.

    Returns
    -------
    Verification
        What was established, with the bound reached.

    Raises
    ------
    AssertionError
        When ``fn`` is not the layer: the verdict and the diagnosis on the first line (the named convention
        mistake, or the first differing output entry), the evidence below.
    ShapeError
        For an input, weight or bias shape the layer cannot take, or an output of the wrong shape.
    SpecTypeError
        When ``fn`` is not callable, returns no real array, or the weight is symbolic.
    SpecError
        For a bad ``bound``, ``rtol``, ``framework`` or ``compute_dtype``, non-finite weights, or a check coarser
        than ``resolution`` (refused, never passed).

    See Also
    --------
    assert_module_is_convolution : The same check, with the spec, weight and bias read from a PyTorch module.
    symconv.testing : How the randomized identity test decides, and its bound.

    Examples
    --------
    >>> import numpy as np
    >>> from symconv import ConvSpec, numeric
    >>> spec, w = ConvSpec(3, padding=1), np.array([[[1, 2, 3]]])
    >>> assert_is_convolution(lambda x: numeric.conv(spec, w, x), spec, w, (5,)).log2_bound <= -60
    True
    """
    __tracebackhide__ = True
    shape = spec.check_input_shape(input_shape)
    w = _weight_values(spec, weight)
    layer = _Layer(spec, w, _bias_values(spec, bias), (spec.in_channels,) + shape,
                   (spec.out_channels,) + spec.output_shape(shape), lambda wv, x: numeric.conv(spec, wv, x),
                   _conv_variants(spec), f"the convolution {spec}")
    probe = _Probe(fn, layer.in_shape, batched=batched, framework=framework, dtype=dtype)
    with _preserved(fn):
        return _verify(probe, layer, rtol=rtol, bound=bound, seed=seed, compute=compute_dtype, resolution=resolution)


def assert_is_transposed_convolution(fn: Callable, tspec: TransposedConvSpec, weight: Any, input_shape: Any, *,
                                     bias: Any = None, rtol: float | None = None, batched: bool = False,
                                     framework: str | None = None, dtype: Any = None, bound: float = DEFAULT_BOUND,
                                     seed: int = 0, compute_dtype: Any = None,
                                     resolution: float | None = None) -> Verification:
    """Assert that ``fn`` is the transposed convolution ``tspec`` (PyTorch's semantics) with ``weight``.

    On failure the catalogue of convention mistakes is run (each as a variant of the numeric reference, by the
    same randomized test) and the one that matches is named; otherwise the first differing output entry is
    explained from a few local probes.

    Parameters
    ----------
    fn : callable
        numpy, PyTorch or JAX function of one batch element ``(C_in, *spatial)`` (or of a batch, ``batched=True``).
    tspec : TransposedConvSpec
        The layer, as ``torch.nn.ConvTranspose{1,2,3}d`` declares it.
    weight : array_like
        Its weight, of shape ``(C_in, C_out/groups, *kernel_size)`` (PyTorch's layout).
    input_shape : tuple of int
        The spatial input shape.
    bias, rtol, batched, framework, dtype, bound, seed, compute_dtype, resolution
        As for :func:`assert_is_convolution`.

    Returns
    -------
    Verification
        What was established, with the bound reached.

    Raises
    ------
    AssertionError
        When ``fn`` is not the layer (the named mistake, or the first differing entry, on the first line).
    ShapeError, SpecTypeError, SpecError
        For bad input, as for :func:`assert_is_convolution`.

    See Also
    --------
    assert_is_convolution : The parameters and errors in full.
    assert_module_is_transposed_convolution : The same check for a ``torch.nn.ConvTranspose{1,2,3}d``.
    diagnose_transposed : Which convention mistake a function makes, without asserting.

    Examples
    --------
    >>> import numpy as np
    >>> from symconv import TransposedConvSpec, numeric
    >>> t, w = TransposedConvSpec(3, stride=2), np.array([[[1, 2, 3]]])
    >>> print(assert_is_transposed_convolution(lambda y: numeric.conv_transpose(t, w, y), t, w, (4,)).statement)
    a linear map other than the layer's passes each of the 3 trials with probability <= 1/|S| = 1/2097153 (Schwartz-Zippel, degree 1), all of them with probability <= 2^-63.0
    >>> unflipped = lambda y: numeric.conv_transpose(t, w[:, :, ::-1], y)
    >>> assert_is_transposed_convolution(unflipped, t, w, (4,))
    Traceback (most recent call last):
    ...
    AssertionError: the function is not the transposed convolution ConvTranspose1d(...): it is a transposed convolution whose kernel is not flipped (JAX's lax.conv_transpose default, transpose_kernel=False)
    compared exact: ...
    diagnosis: your function equals a transposed convolution whose kernel is not flipped (JAX's lax.conv_transpose default, transpose_kernel=False).
    ...
    """
    __tracebackhide__ = True
    shape = tspec.check_input_shape(input_shape)
    w = _weight_values(tspec, weight)
    layer = _Layer(tspec, w, _bias_values(tspec, bias), (tspec.in_channels,) + shape,
                   (tspec.out_channels,) + tspec.output_shape(shape), lambda wv, y: numeric.conv_transpose(tspec, wv, y),
                   _transposed_variants(tspec), f"the transposed convolution {tspec}")
    probe = _Probe(fn, layer.in_shape, batched=batched, framework=framework, dtype=dtype)
    with _preserved(fn):
        return _verify(probe, layer, rtol=rtol, bound=bound, seed=seed, compute=compute_dtype, resolution=resolution)
