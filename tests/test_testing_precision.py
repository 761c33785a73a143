"""symconv.testing on layers as they really run: low and mixed precision, TF32, modules that change as they run."""

import numpy as np
import pytest

from symconv import SpecError, TransposedConvSpec, numeric
from symconv.testing import (
    assert_is_convolution,
    assert_is_transposed_convolution,
    assert_module_is_transposed_convolution,
)

SEEDS = range(5)


def _layer(torch, bias=True, dtype=None):
    torch.manual_seed(0)
    layer = torch.nn.ConvTranspose2d(4, 6, 4, stride=2, padding=1, bias=bias)
    return layer if dtype is None else layer.to(dtype)


def tf32(torch, t):
    """TF32 on the CPU: round a float32 tensor to 10 explicit mantissa bits (to nearest, ties to even)."""
    bits = t.contiguous().view(torch.int32)
    bits = (bits + 0xFFF + ((bits >> 13) & 1)) & ~0x1FFF
    return bits.view(torch.float32)


# --- bfloat16: a correct layer passes with a resolution well below its weights, a broken one never passes ----


@pytest.mark.parametrize("bias", [True, False])
def test_bf16_module_passes_with_a_resolution_below_one_percent(torch, bias):
    layer = _layer(torch, bias, torch.bfloat16)
    for seed in SEEDS:
        v = assert_module_is_transposed_convolution(layer, (8, 8), seed=seed)
        assert v.dtype == v.compute_dtype == "bfloat16" and not v.exact
        assert v.pattern_probes == 4 * 2 * 2 and 0 < v.relative_resolution < 0.01
        assert v.random_resolution > 1.0 > v.resolution  # the random test alone would be blind
        assert "pattern" in v.statement and f"{v.relative_resolution:.2%} of max|w|" in v.statement


class _Broken:
    """ConvTranspose2d subclasses whose forward is wrong in a small way."""

    @staticmethod
    def make(torch, kind, bias):
        F = torch.nn.functional

        class Broken(torch.nn.ConvTranspose2d):
            def forward(self, y):
                w = self.weight
                if kind == "dropped tap":
                    w = w.clone()
                    w[:, :, 1, 2] = 0
                out = F.conv_transpose2d(y, w, self.bias, stride=2, padding=1)
                return out * 1.05 if kind == "scaled by 1.05" else out

        torch.manual_seed(0)
        return Broken(4, 6, 4, stride=2, padding=1, bias=bias).to(torch.bfloat16)


@pytest.mark.parametrize("kind", ["dropped tap", "scaled by 1.05"])
@pytest.mark.parametrize("bias", [True, False])
def test_broken_bf16_layer_fails_at_every_seed(torch, kind, bias):
    layer = _Broken.make(torch, kind, bias)
    for seed in SEEDS:
        with pytest.raises(AssertionError, match="is not the transposed convolution"):
            assert_module_is_transposed_convolution(layer, (8, 8), seed=seed)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_low_precision_grouped_strided_conv(torch, dtype):
    """The convolution's pattern probes, with groups, stride and dilation; a 2 % error in one tap fails."""
    from symconv.testing import assert_module_is_convolution

    F = torch.nn.functional
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(4, 6, 3, stride=2, padding=(1, 2), dilation=(1, 2), groups=2).to(getattr(torch, dtype))
    v = assert_module_is_convolution(conv, (9, 10))
    assert v.compute_dtype == dtype and v.pattern_probes == 4 * 3 * 5 and v.relative_resolution < 0.01

    class OneTapOff(torch.nn.Conv2d):
        def forward(self, x):
            w = self.weight.clone()
            w[5, 1, 2, 0] *= 1.02 if abs(float(w[5, 1, 2, 0])) > 0.5 * float(w.abs().max()) else 50.0
            return F.conv2d(x, w, self.bias, self.stride, self.padding, self.dilation, self.groups)

    broken = OneTapOff(4, 6, 3, stride=2, padding=(1, 2), dilation=(1, 2), groups=2).to(getattr(torch, dtype))
    broken.load_state_dict(conv.state_dict())
    for seed in SEEDS:
        with pytest.raises(AssertionError, match=r"weight\[5, 1, 2, 0\]"):
            assert_module_is_convolution(broken, (9, 10), seed=seed)


def test_pattern_probes_fail_when_the_reference_is_broken(torch, monkeypatch):
    """Break the expected value of a pattern probe on purpose: a correct bf16 layer must then fail."""
    from symconv.testing import pattern

    layer = _layer(torch, False, torch.bfloat16)
    original = pattern._expected

    def off_by_two_percent(*args):
        want, *rest = original(*args)
        return (want * 1.02, *rest)

    monkeypatch.setattr(pattern, "_expected", off_by_two_percent)
    with pytest.raises(AssertionError, match="under a pattern probe") as info:
        assert_module_is_transposed_convolution(layer, (8, 8))
    assert "the function multiplies it by" in str(info.value) and "index equation" in str(info.value)


def test_too_coarse_a_check_is_refused_never_passed(torch):
    layer = _layer(torch, False, torch.bfloat16)
    with pytest.raises(SpecError, match=r"too coarse to mean anything.*integer-valued weights.*compute_dtype="):
        assert_module_is_transposed_convolution(layer, (8, 8), resolution=0.001)
    with pytest.raises(SpecError, match="resolution must be a positive"):
        assert_module_is_transposed_convolution(layer, (8, 8), resolution=0)
    with pytest.raises(SpecError, match=r"compute_dtype must be one of .*'float8'"):
        assert_module_is_transposed_convolution(layer, (8, 8), compute_dtype="float8")


def test_float32_result_states_its_resolution_relative_to_the_weights(torch):
    layer = _layer(torch, True)
    v = assert_module_is_transposed_convolution(layer, (8, 8))
    wmax = float(layer.weight.detach().abs().max())
    assert v.pattern_probes == 0 and v.relative_resolution == pytest.approx(v.resolution / wmax)
    assert f"({v.relative_resolution:.2g} of max|w|)" in v.statement


def test_integer_weights_in_bf16_are_compared_exactly(torch):
    layer = _layer(torch, True)
    with torch.no_grad():
        layer.weight.copy_(torch.randint(-3, 4, layer.weight.shape))
        layer.bias.copy_(torch.randint(-3, 4, layer.bias.shape))
    v = assert_module_is_transposed_convolution(layer.to(torch.bfloat16), (8, 8))
    assert v.exact and v.resolution == 0 and "below 2^8" in v.tolerance


# --- mixed precision and TF32 --------------------------------------------------------------------------------


def _mixed(torch, layer, rounding):
    F = torch.nn.functional
    w, b = layer.weight.detach(), None if layer.bias is None else layer.bias.detach()

    def fn(y):  # computes in a lower precision, takes and returns float32
        if rounding == "bfloat16":
            return F.conv_transpose2d(y.bfloat16(), w.bfloat16(), None if b is None else b.bfloat16(), stride=2,
                                      padding=1).float()
        return F.conv_transpose2d(tf32(torch, y), tf32(torch, w), b, stride=2, padding=1)

    return fn, w, b


def test_mixed_bf16_function_is_named_then_checked_in_its_precision(torch):
    layer = _layer(torch, False)
    spec = TransposedConvSpec.from_torch(layer)
    fn, w, _ = _mixed(torch, layer, "bfloat16")
    with pytest.raises(AssertionError, match="compute_dtype='bfloat16'"):
        assert_is_transposed_convolution(fn, spec, w, (8, 8), batched=True)
    for seed in SEEDS:
        v = assert_is_transposed_convolution(fn, spec, w, (8, 8), batched=True, compute_dtype="bfloat16", seed=seed)
        assert v.dtype == "float32" and v.compute_dtype == "bfloat16" and v.relative_resolution < 0.01
        assert "computing in bfloat16" in str(v)


def test_mixed_bf16_with_bias_states_its_resolution_or_is_refused(torch):
    layer = _layer(torch, True)
    spec = TransposedConvSpec.from_torch(layer)
    fn, w, b = _mixed(torch, layer, "bfloat16")
    with pytest.raises(AssertionError, match="its bias f.0. = .* differs.*\n.*compute_dtype='bfloat16'"):
        assert_is_transposed_convolution(fn, spec, w, (8, 8), bias=b, batched=True)
    # rounded weights plus the sum with the bias: 4u = 1.6% of max|w|, above the default 1%: refused
    with pytest.raises(SpecError, match=r"1\.\d\d% of the largest weight.*resolution="):
        assert_is_transposed_convolution(fn, spec, w, (8, 8), bias=b, batched=True, compute_dtype="bf16")
    v = assert_is_transposed_convolution(fn, spec, w, (8, 8), bias=b, batched=True, compute_dtype="bf16",
                                         resolution=0.02)
    assert 0.01 < v.relative_resolution < 0.02


def test_broken_mixed_bf16_function_fails(torch):
    layer = _layer(torch, False)
    spec = TransposedConvSpec.from_torch(layer)
    fn, w, _ = _mixed(torch, layer, "bfloat16")
    for seed in SEEDS:
        with pytest.raises(AssertionError):
            assert_is_transposed_convolution(lambda y: fn(y) * 1.05, spec, w, (8, 8), batched=True,
                                             compute_dtype="bfloat16", seed=seed)


def test_tf32_emulated_on_the_cpu(torch):
    """TF32 as cuDNN computes float32 convolutions on current NVIDIA GPUs, emulated: inputs and weights rounded
    to 10-bit mantissas.  Always runs."""
    layer = _layer(torch, True)
    spec = TransposedConvSpec.from_torch(layer)
    fn, w, b = _mixed(torch, layer, "tf32")
    with pytest.raises(AssertionError, match="compute_dtype='tf32'"):
        assert_is_transposed_convolution(fn, spec, w, (8, 8), bias=b, batched=True)
    v = assert_is_transposed_convolution(fn, spec, w, (8, 8), bias=b, batched=True, compute_dtype="tf32")
    assert v.compute_dtype == "tfloat32" and v.relative_resolution < 0.005 and "u = 2^-11" in v.tolerance
    for seed in SEEDS:  # a 1 % error is far above TF32's resolution
        with pytest.raises(AssertionError):
            assert_is_transposed_convolution(lambda y: fn(y) * 1.01, spec, w, (8, 8), bias=b, batched=True,
                                             compute_dtype="tf32", seed=seed)


def test_tf32_detected_from_pytorchs_settings(torch):
    from symconv.testing.probing import _tf32_convolutions, _torch_compute

    conv = torch.backends.cudnn.conv
    before = conv.fp32_precision
    try:
        conv.fp32_precision = "tf32"
        assert _tf32_convolutions(torch) and _torch_compute("cuda", "float32") == "tfloat32"
        assert _torch_compute("cuda", "float64") is None and _torch_compute("cpu", "float32") is None
        conv.fp32_precision = "ieee"
        assert not _tf32_convolutions(torch) and _torch_compute("cuda", "float32") is None
    finally:
        conv.fp32_precision = before


def test_cuda_module_probed_on_its_device_with_tf32(torch):
    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU here (torch.cuda.is_available() is False): the TF32 path is emulated on the CPU "
                    "in test_tf32_emulated_on_the_cpu")
    layer = _layer(torch, True).cuda()
    v = assert_module_is_transposed_convolution(layer, (8, 8))
    expected = "tfloat32" if torch.backends.cudnn.conv.fp32_precision == "tf32" else "float32"
    assert v.compute_dtype == expected and v.relative_resolution < 0.01
    assert layer.weight.device.type == "cuda"


def test_autocast_is_detected(torch):
    layer = _layer(torch, False)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        v = assert_module_is_transposed_convolution(layer, (8, 8))
    assert v.dtype == "float32" and v.compute_dtype == "bfloat16" and v.relative_resolution < 0.01
    with torch.autocast("cpu", dtype=torch.bfloat16), pytest.raises(SpecError, match="too coarse"):
        assert_module_is_transposed_convolution(_layer(torch, True), (8, 8))


# --- the module is left as it was ------------------------------------------------------------------------------


def _state(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _same_state(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)


@pytest.mark.parametrize("style", ["hook", "parametrization"])
def test_spectral_norm_in_train_mode_is_reported_and_left_as_it_was(torch, style):
    torch.manual_seed(0)
    base = torch.nn.ConvTranspose2d(4, 6, 4, stride=2, padding=1)
    layer = (torch.nn.utils.spectral_norm(base) if style == "hook"
             else torch.nn.utils.parametrizations.spectral_norm(base))
    before = _state(layer)
    with pytest.raises(AssertionError, match=r"^the weight changed between calls: spectral_norm in train mode; call "
                                             r"\.eval\(\)"):
        assert_module_is_transposed_convolution(layer, (8, 8))
    assert _same_state(before, _state(layer))
    layer.eval()
    v = assert_module_is_transposed_convolution(layer, (8, 8))
    assert v.compute_dtype == "float32" and _same_state(before, _state(layer))


def test_a_deterministic_parametrization_passes_in_train_mode(torch):
    torch.manual_seed(0)
    layer = torch.nn.utils.parametrizations.weight_norm(torch.nn.ConvTranspose2d(4, 6, 4, stride=2, padding=1))
    before = _state(layer)
    v = assert_module_is_transposed_convolution(layer, (8, 8))
    assert layer.training and v.relative_resolution < 0.01 and _same_state(before, _state(layer))


def test_probing_runs_without_grad_and_restores_buffers(torch):
    seen = []

    class Counting(torch.nn.ConvTranspose2d):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.register_buffer("calls", torch.zeros(()))

        def forward(self, y):
            seen.append(torch.is_grad_enabled())
            self.calls += 1
            return super().forward(y)

    torch.manual_seed(0)
    layer = Counting(4, 6, 4, stride=2, padding=1)
    assert_module_is_transposed_convolution(layer, (8, 8))
    assert seen and not any(seen) and float(layer.calls) == 0 and layer.weight.grad is None


# --- what PyTorch users pass ----------------------------------------------------------------------------------


def test_parameters_compiled_lazy_and_subclassed_modules(torch):
    import warnings

    from symconv import ConvSpec, conv_matrix

    conv = torch.nn.Conv2d(2, 3, 3)
    m = conv_matrix(ConvSpec.from_torch(conv), conv.weight, (6, 6))
    assert m.shape == (48, 72)
    assert m == conv_matrix(ConvSpec.from_torch(conv), conv.weight.detach().numpy(), (6, 6))
    layer = _layer(torch, True)
    spec = TransposedConvSpec.from_torch(layer)
    v = assert_is_transposed_convolution(layer, spec, layer.weight, (8, 8), bias=layer.bias, batched=True)
    assert "equal to the declared one" in v.bias
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no UserWarning for a bias
        assert TransposedConvSpec.from_torch(torch.compile(layer, backend="eager")) == spec
        assert_module_is_transposed_convolution(torch.compile(layer, backend="eager"), (8, 8))

    class Sub(torch.nn.ConvTranspose2d):
        pass

    assert TransposedConvSpec.from_torch(Sub(4, 6, 4, stride=2, padding=1)) == spec
    lazy = torch.nn.LazyConvTranspose2d(6, 4, stride=2, padding=1)
    with pytest.raises(SpecError, match="lazy module.*call it once first"):
        assert_module_is_transposed_convolution(lazy, (8, 8))
    lazy(torch.zeros(1, 4, 8, 8))
    assert assert_module_is_transposed_convolution(lazy, (8, 8)).layer == str(spec)


# --- failures that read well in pytest ------------------------------------------------------------------------


def test_first_line_is_the_verdict_and_the_diagnosis():
    t = TransposedConvSpec(3, stride=2, in_channels=2, out_channels=3)
    w = np.random.default_rng(0).integers(-3, 4, t.weight_shape)
    with pytest.raises(AssertionError) as info:
        assert_is_transposed_convolution(lambda y: numeric.conv_transpose(t, w[:, :, ::-1], y), t, w, (5,))
    first, second = str(info.value).splitlines()[:2]
    assert first.startswith("the function is not the transposed convolution ConvTranspose1d(2, 3")
    assert first.endswith("kernel is not flipped (JAX's lax.conv_transpose default, transpose_kernel=False)")
    assert second.startswith("compared exact")


def test_pytest_hides_symconvs_frames(tmp_path):
    import os
    import subprocess
    import sys

    test = tmp_path / "test_user.py"
    test.write_text("import numpy as np\n"
                    "from symconv import TransposedConvSpec, numeric\n"
                    "from symconv.testing import assert_is_transposed_convolution\n"
                    "def test_port():\n"
                    "    t = TransposedConvSpec(3, stride=2)\n"
                    "    w = np.array([[[1, 2, 4]]])\n"
                    "    assert_is_transposed_convolution(lambda y: numeric.conv_transpose(t, w[:, :, ::-1], y), t, w,"
                    " (4,))\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root, COLUMNS="400")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    out = proc.stdout
    assert proc.returncode == 1, out
    assert "symconv/testing" not in out and "def _verify" not in out, out
    assert len(out.splitlines()) < 40, out
    summary = next(line for line in out.splitlines() if line.startswith("FAILED"))
    assert "kernel is not flipped" in summary


# --- more named diagnoses -------------------------------------------------------------------------------------


def test_output_shifted_by_one_is_named(torch):
    F = torch.nn.functional
    layer = _layer(torch, False, torch.float64)
    spec = TransposedConvSpec.from_torch(layer)
    w = layer.weight.detach()

    def cropped_on_the_wrong_side(y):  # crop 2 on the left and 0 on the right of axis 0, instead of 1 and 1
        return F.conv_transpose2d(y, w, stride=2)[:, :, 2:, 1:-1]

    with pytest.raises(AssertionError, match=r"^.*: it is a transposed convolution whose output is shifted by \+1 on "
                                             "axis 0"):
        assert_is_transposed_convolution(cropped_on_the_wrong_side, spec, w, (8, 8), batched=True, dtype=torch.float64)


def test_conv_padded_on_the_wrong_side_is_named(torch):
    from symconv import ConvSpec

    F = torch.nn.functional
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(3, 2, 3, padding=1, bias=False).double()
    spec = ConvSpec.from_torch(conv)
    w = conv.weight.detach()
    with pytest.raises(AssertionError, match=r": it is a convolution whose input is shifted by \+1 on axis 1: padded "
                                             r"\(0, 2\) instead of \(1, 1\)"):
        assert_is_convolution(lambda x: F.conv2d(F.pad(x, (0, 2, 1, 1)), w), spec, w, (6, 6), batched=True,
                              dtype=torch.float64)


def test_pytorch_weights_in_jax_default_conv_transpose_are_named(jax):
    from symconv.translate import to_jax_conv_transpose

    t = TransposedConvSpec((3, 3), stride=2, padding=1, in_channels=3, out_channels=3)
    w = np.random.default_rng(0).integers(-4, 5, t.weight_shape).astype(np.float64)
    args = to_jax_conv_transpose(t, (4, 4))
    lhs, _, out = args["dimension_numbers"]

    def fn(y):  # PyTorch's (in, out, kH, kW) weight declared OIHW, JAX's default transpose_kernel=False
        res = jax.lax.conv_transpose(y, jax.numpy.asarray(w), strides=args["strides"], padding=args["padding"],
                                     rhs_dilation=args["rhs_dilation"], dimension_numbers=(lhs, "OIHW", out))
        crop = args["crop"]
        return res[(slice(None), slice(None)) + tuple(slice(lo, res.shape[2 + ax] - hi)
                                                      for ax, (lo, hi) in enumerate(crop))]

    with pytest.raises(AssertionError, match="neither flipped nor channel-swapped"):
        assert_is_transposed_convolution(fn, t, w, (4, 4), batched=True)


# --- the package's stages -------------------------------------------------------------------------------------


def test_testing_is_a_small_package_by_stage():
    import pathlib

    import symconv.testing as testing

    folder = pathlib.Path(testing.__file__).parent
    stages = {p.stem for p in folder.glob("*.py")}
    assert {"probing", "identity", "tolerances", "diagnosis", "modules"} <= stages
    assert all(len(p.read_text().splitlines()) < 600 for p in folder.glob("*.py"))
    for name in testing.__all__:
        assert getattr(testing, name) is not None


def test_float32_inside_a_float64_function_is_named():
    t = TransposedConvSpec(3, stride=2, in_channels=2, out_channels=3)
    w = np.random.default_rng(0).normal(size=t.weight_shape)

    def fn(y):  # takes and returns float64, computes in float32
        return numeric.conv_transpose(t, w.astype(np.float32), y.astype(np.float32)).astype(np.float64)

    with pytest.raises(AssertionError, match="compute_dtype='float32'"):
        assert_is_transposed_convolution(fn, t, w, (6,))
    v = assert_is_transposed_convolution(fn, t, w, (6,), compute_dtype=np.float32)
    assert v.dtype == "float64" and v.compute_dtype == "float32" and v.relative_resolution < 1e-4
