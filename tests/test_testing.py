"""symconv.testing on the numpy reference, on deliberately wrong implementations, and on PyTorch's layers."""

import warnings

import numpy as np
import pytest

from symconv import ConvSpec, ShapeError, SizeLimitError, SpecError, SpecTypeError, TransposedConvSpec, numeric
from symconv.testing import (
    assert_adjoint,
    assert_is_convolution,
    assert_is_transposed_convolution,
    assert_module_is_convolution,
    assert_module_is_transposed_convolution,
    diagnose_transposed,
    linear_map_matrix,
)
from symconv.weights import flip_kernel, swap_channel_groups

T = TransposedConvSpec((3, 2), stride=(2, 3), padding=(1, 0), output_padding=(1, 2), dilation=(1, 2),
                       in_channels=4, out_channels=4, groups=2)
SHAPE = (3, 3)
W = np.random.default_rng(0).integers(-4, 5, T.weight_shape)


def reference(y):
    return numeric.conv_transpose(T, W, y)


def test_reference_passes():
    assert_is_transposed_convolution(reference, T, W, SHAPE)
    spec = T.transpose()
    x_shape = T.output_shape(SHAPE)
    assert_is_convolution(lambda x: numeric.conv(spec, W, x), spec, W, x_shape)
    assert_adjoint(lambda x: numeric.conv(spec, W, x)[(slice(None),) + tuple(slice(0, n) for n in SHAPE)],
                   reference, spec.in_channels, x_shape)


def _gather_impl(conv_weight, factor=None, pads=None):
    view = T.as_convolution()
    factor = factor or view.zero_insertion
    pads = pads or view.padding

    def fn(y):
        z0 = np.zeros((y.shape[0],) + tuple(s * (n - 1) + 1 for n, s in zip(y.shape[1:], factor)))
        z0[(slice(None),) + tuple(slice(None, None, s) for s in factor)] = y
        big = np.pad(z0, [(0, 0)] + [(max(left, 0), max(right, 0)) for left, right in pads])
        window = tuple(slice(max(-left, 0), big.shape[1 + ax] - max(-right, 0)) for ax, (left, right) in enumerate(pads))
        return numeric.conv(view.conv, conv_weight, big[(slice(None),) + window])

    return fn


GOOD = T.as_convolution().transform_weight(W)


def test_gather_implementation_is_right():
    assert_is_transposed_convolution(_gather_impl(GOOD), T, W, SHAPE)


@pytest.mark.parametrize(
    "impl, words",
    [
        (_gather_impl(swap_channel_groups(W, 2)), "kernel is not flipped"),
        (_gather_impl(flip_kernel(np.swapaxes(W, 0, 1).reshape(GOOD.shape), 2)), "without regard to groups"),
        (_gather_impl(GOOD, pads=((1, 1 + 1), (0, 0 + 2))), "input padding"),
        (_gather_impl(GOOD, pads=((1 + 1, 2 - 1), (2 + 2, 4 - 2))), "output_padding on the left"),
        (_gather_impl(GOOD, factor=(3, 4)), "s zeros between inputs instead of s - 1"),
    ],
)
def test_diagnosis_names_the_mistake(impl, words):
    with pytest.raises(AssertionError) as info:
        assert_is_transposed_convolution(impl, T, W, SHAPE)
    assert words in str(info.value)


def test_unknown_mistake_shows_first_difference():
    def off(y):
        out = reference(y)
        out[0, 1, 1] += y[0, 0, 0]
        return out

    with pytest.raises(AssertionError) as info:
        assert_is_transposed_convolution(off, T, W, SHAPE)
    text = str(info.value)
    assert "first differing output entry (trial 0): (0, 1, 1)" in text and "axis 0" in text
    # the local probes find the input the function reads and the reference does not
    assert "trace it to input entry (0, 0, 0): the function multiplies it by 1, the reference by 0" in text


def test_true_convolution_is_diagnosed():
    spec, w = ConvSpec(3, padding=1), np.array([[[1, 2, 4]]])
    with pytest.raises(AssertionError, match="flipped kernel"):
        assert_is_convolution(lambda x: numeric.conv(spec, w[:, :, ::-1], x), spec, w, (5,))


def test_nonlinear_and_affine():
    with pytest.raises(AssertionError, match="not linear"):
        linear_map_matrix(lambda x: x**2, 1, (3,))
    M, bias = linear_map_matrix(lambda x: x + 1, 1, (2,))
    assert bias.tolist() == [[1.0, 1.0]] and M.tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_not_adjoint():
    with pytest.raises(AssertionError, match="not adjoint"):
        assert_adjoint(lambda x: 2 * x, lambda y: y, 1, (4,))


def test_torch_layers(torch):
    torch.manual_seed(0)
    layer = torch.nn.ConvTranspose2d(4, 4, (3, 2), stride=(2, 3), padding=(1, 0), output_padding=(1, 2),
                                     dilation=(1, 2), groups=2, bias=False).double()
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(W.astype(np.float64)))
    spec = TransposedConvSpec.from_torch(layer)
    assert spec == T

    def fn(y):
        return layer(torch.from_numpy(y)[None]).detach().numpy()[0]

    assert_is_transposed_convolution(fn, spec, W, SHAPE)
    conv = torch.nn.Conv2d(4, 4, (3, 2), stride=(2, 3), padding=(1, 0), dilation=(1, 2), groups=2, bias=False).double()
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(W.astype(np.float64)))
    cspec = ConvSpec.from_torch(conv)
    assert cspec == T.transpose()
    x_shape = T.output_shape(SHAPE)
    assert_is_convolution(lambda x: conv(torch.from_numpy(x)[None]).detach().numpy()[0], cspec, W, x_shape)


def test_torch_float32_layer_is_exact_for_small_integers(torch):
    layer = torch.nn.ConvTranspose1d(1, 1, 3, stride=2, bias=False)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[[1.0, -2.0, 3.0]]]))
    spec = TransposedConvSpec.from_torch(layer)
    assert_is_transposed_convolution(lambda y: layer(torch.from_numpy(y).float()[None]).detach().numpy()[0],
                                     spec, np.array([[[1, -2, 3]]]), (5,))


def test_from_torch_refusals_and_bias(torch):
    # issue 21: padding modes are modelled now, so the mode is read rather than refused
    assert ConvSpec.from_torch(torch.nn.Conv1d(1, 1, 3, padding=1, padding_mode="reflect", bias=False)).padding_mode \
        == "reflect"
    with pytest.raises(SpecError, match="padding_mode must be one of"):
        ConvSpec(3, padding_mode="reflection")
    with pytest.raises(SpecTypeError, match="torch.nn.Conv1d"):
        ConvSpec.from_torch(torch.nn.ConvTranspose1d(1, 1, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a bias is PyTorch's default: no warning (a suite with -W error passes)
        spec = ConvSpec.from_torch(torch.nn.Conv2d(2, 4, 3, padding="same", bias=True))
    assert spec.padding == ((1, 1), (1, 1))


# --- bias, linearity, shapes -------------------------------------------------------------------------------


def test_reference_result_states_the_bound():
    v = assert_is_transposed_convolution(reference, T, W, SHAPE)
    assert v.exact and v.log2_bound <= -60 and v.bound <= 2.0**-60
    assert f"2^{v.log2_bound:.1f}" in str(v) and "Schwartz-Zippel" in str(v)
    assert v.trials * np.log2(v.set_size) == pytest.approx(-v.log2_bound)


def test_affine_function_fails_with_its_bias():
    with pytest.raises(AssertionError, match=r"the function has a bias b = \[5, 5, 5, 5\] \(per output channel\)"):
        assert_is_transposed_convolution(lambda y: reference(y) + 5, T, W, SHAPE)


def test_declared_bias_is_checked():
    b = np.array([1.0, -2.0, 3.0, 0.5])
    with_bias = lambda y: reference(y) + b[:, None, None]  # noqa: E731
    v = assert_is_transposed_convolution(with_bias, T, W, SHAPE, bias=b)
    assert "declared" in v.bias
    with pytest.raises(AssertionError, match=r"differs from the declared bias at \(1, 0, 0\): -2 != 2"):
        assert_is_transposed_convolution(with_bias, T, W, SHAPE, bias=[1.0, 2.0, 3.0, 0.5])
    with pytest.raises(ShapeError, match=r"bias has shape \(3,\), expected \(4,\)"):
        assert_is_transposed_convolution(with_bias, T, W, SHAPE, bias=[1.0, 2.0, 3.0])


def test_nonlinear_function_fails_as_not_linear():
    with pytest.raises(AssertionError, match="the function is not linear"):
        assert_is_transposed_convolution(lambda y: reference(y) + 0.001 * reference(y) ** 2, T, W, SHAPE)


def test_batch_dimension_left_in_is_an_error():
    with pytest.raises(ShapeError, match=r"a batch dimension of size 1 was left in \(expected \(4, 6, 11\)\)"):
        assert_is_transposed_convolution(lambda y: reference(y)[None], T, W, SHAPE)


def test_wrong_output_shape_is_reported():
    with pytest.raises(AssertionError, match=r"returns shape \(4, 5, 11\), symconv expects \(4, 6, 11\)"):
        assert_is_transposed_convolution(lambda y: reference(y)[:, :5], T, W, SHAPE)


def test_non_array_output_is_a_type_error():
    with pytest.raises(SpecTypeError, match="returned a list"):
        assert_is_transposed_convolution(lambda y: reference(y).tolist(), T, W, SHAPE)


def test_float_weights_use_a_stated_tolerance():
    spec = ConvSpec(3, padding=1, in_channels=2, out_channels=3)
    w = np.random.default_rng(1).standard_normal(spec.weight_shape)
    v = assert_is_convolution(lambda x: numeric.conv(spec, w, x), spec, w, (6,))
    assert not v.exact and "n = 6 terms, u = 2^-53 (float64)" in v.tolerance and v.log2_bound <= -60
    # a perturbation of one weight by 1e-6 is far above float64 rounding: caught, and traced to the tap
    bad = w.copy()
    bad[1, 0, 2] += 1e-6
    with pytest.raises(AssertionError) as info:
        assert_is_convolution(lambda x: numeric.conv(spec, bad, x), spec, w, (6,))
    text = str(info.value)
    assert "u = 2^-53 (float64)" in text and "weight[1, 0, 2]" in text


def test_linear_map_matrix_refuses_dense_beyond_the_limit():
    spec = ConvSpec(3, padding=1, in_channels=2, out_channels=2)
    w = np.ones(spec.weight_shape)
    with pytest.raises(SizeLimitError, match="DENSE_LIMIT"):
        linear_map_matrix(lambda x: numeric.conv(spec, w, x), 2, (4000,))
    with pytest.raises(SizeLimitError, match="more than 100 entries"):
        linear_map_matrix(lambda x: numeric.conv(spec, w, x), 2, (6,), max_entries=100)


def test_diagnose_transposed_matrices_are_probed_variants():
    out = dict(diagnose_transposed(T, W, SHAPE))
    unflipped = out["a transposed convolution whose kernel is not flipped (JAX's lax.conv_transpose default, "
                    "transpose_kernel=False)"]
    M, _ = linear_map_matrix(_gather_impl(swap_channel_groups(W, 2)), T.in_channels, SHAPE)
    np.testing.assert_array_equal(unflipped, M)


# --- production sizes: no matrix -------------------------------------------------------------------------


BIG = TransposedConvSpec((3, 3), stride=2, padding=1, output_padding=1, in_channels=6, out_channels=4)
BIG_SHAPE = (40, 40)  # 9 600 inputs, 25 600 outputs: a dense matrix would have 2.5e8 entries
BIG_W = np.random.default_rng(3).integers(-5, 6, BIG.weight_shape)


def test_production_size_needs_no_matrix():
    fn = lambda y: numeric.conv_transpose(BIG, BIG_W, y)  # noqa: E731
    with pytest.raises(SizeLimitError):
        linear_map_matrix(fn, BIG.in_channels, BIG_SHAPE)
    v = assert_is_transposed_convolution(fn, BIG, BIG_W, BIG_SHAPE)
    assert v.exact and v.bound <= 2.0**-60 and v.calls <= 10


def test_production_size_diagnosis():
    unflipped = lambda y: numeric.conv_transpose(BIG, BIG_W[:, :, ::-1, ::-1], y)  # noqa: E731
    with pytest.raises(AssertionError, match="kernel is not flipped"):
        assert_is_transposed_convolution(unflipped, BIG, BIG_W, BIG_SHAPE)

    def one_wrong_tap(y):
        out = numeric.conv_transpose(BIG, BIG_W, y)
        out[2, 17, 30] += 3 * y[4, 8, 15]  # an extra stamp of input (4, 8, 15) at output (2, 17, 30)
        return out

    with pytest.raises(AssertionError) as info:
        assert_is_transposed_convolution(one_wrong_tap, BIG, BIG_W, BIG_SHAPE)
    text = str(info.value)
    assert "first differing output entry (trial 0): (2, 17, 30)" in text
    assert "trace it to input entry (4, 8, 15)" in text
    assert f"the reference's entry is weight[4, 2, 2, 1] = {BIG_W[4, 2, 2, 1]}" in text
    assert f"the function multiplies it by {BIG_W[4, 2, 2, 1] + 3}, the reference by {BIG_W[4, 2, 2, 1]}" in text


# --- PyTorch ------------------------------------------------------------------------------------------------


def test_module_form_on_a_default_float32_layer(torch):
    """The README's recipe: an ordinary float32 layer with its bias, nothing converted by hand."""
    torch.manual_seed(0)
    layer = torch.nn.ConvTranspose2d(3, 5, 3, stride=2, padding=1, output_padding=1)
    v = assert_module_is_transposed_convolution(layer, (8, 8))
    assert v.framework == "torch" and v.dtype == "float32" and not v.exact and v.bound <= 2.0**-60
    assert v.calls == 2 and "u = 2^-24 (float32)" in v.tolerance
    conv = torch.nn.Conv2d(3, 4, 3, padding="same", groups=1)
    assert assert_module_is_convolution(conv, (7, 9)).bound <= 2.0**-60


def test_module_form_exact_for_integer_weights(torch):
    layer = torch.nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2)
    with torch.no_grad():
        layer.weight.copy_(torch.randint(-8, 9, layer.weight.shape))
        layer.bias.copy_(torch.tensor([1.0, -1.0, 2.0, 0.0, 3.0, 5.0]))
    v = assert_module_is_convolution(layer, (12, 10))
    assert v.exact and "below 2^24 that float32 represents exactly" in v.tolerance and v.bound <= 2.0**-60


def test_module_form_float64_and_1d_3d(torch):
    layer = torch.nn.ConvTranspose1d(2, 3, 4, stride=3, padding=2, output_padding=1, dilation=2).double()
    assert assert_module_is_transposed_convolution(layer, (9,)).dtype == "float64"
    layer3 = torch.nn.Conv3d(2, 2, (1, 2, 3), bias=False)
    assert assert_module_is_convolution(layer3, (3, 4, 5)).bias == "no bias (f(0) = 0)"


def test_torch_function_with_a_bias_fails_without_declaring_it(torch):
    torch.manual_seed(0)
    layer = torch.nn.ConvTranspose2d(3, 5, 3, stride=2, padding=1, output_padding=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spec = TransposedConvSpec.from_torch(layer)
    w = layer.weight.detach().numpy()
    with pytest.raises(AssertionError, match="the function has a bias b = "):
        assert_is_transposed_convolution(layer, spec, w, (8, 8), batched=True)
    v = assert_is_transposed_convolution(layer, spec, w, (8, 8), batched=True, bias=layer.bias.detach().numpy())
    assert v.framework == "torch" and v.dtype == "float32"


def test_torch_function_detected_and_grad_detached(torch):
    F = torch.nn.functional
    t = TransposedConvSpec(3, stride=2, padding=1, in_channels=2, out_channels=3)
    w = torch.randint(-4, 5, t.weight_shape).float().requires_grad_(True)
    fn = lambda y: F.conv_transpose1d(y[None], w, stride=2, padding=1)[0]  # noqa: E731 - a torch function, grad on
    v = assert_is_transposed_convolution(fn, t, w.detach().numpy(), (7,))
    assert v.framework == "torch" and v.dtype == "float32" and v.exact
    # the old recipe, a numpy wrapper around a float32 layer, works too (float32 numpy probes)
    layer = torch.nn.ConvTranspose1d(2, 3, 3, stride=2, padding=1, bias=False)
    old = lambda y: layer(torch.from_numpy(y)[None]).detach().numpy()[0]  # noqa: E731
    v = assert_is_transposed_convolution(old, t, layer.weight.detach().numpy(), (7,))
    assert v.framework == "numpy" and v.dtype == "float32"


def test_torch_unflipped_kernel_diagnosed_at_size(torch):
    F = torch.nn.functional
    torch.manual_seed(1)
    layer = torch.nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1)
    spec = TransposedConvSpec((4, 4), stride=2, padding=1, in_channels=8, out_channels=4)
    w, b = layer.weight.detach(), layer.bias.detach()
    wrong = lambda y: F.conv_transpose2d(y, torch.flip(w, (2, 3)), b, stride=2, padding=1)  # noqa: E731
    with pytest.raises(AssertionError) as info:
        assert_is_transposed_convolution(wrong, spec, w.numpy(), (32, 32), bias=b.numpy(), batched=True)
    text = str(info.value)
    assert "kernel is not flipped" in text and "u = 2^-24 (float32)" in text


def test_torch_module_with_a_changed_forward_is_explained(torch):
    class Shifted(torch.nn.Conv2d):
        def forward(self, x):  # reads the input one row too low: padding applied off by one
            return super().forward(torch.nn.functional.pad(x, (0, 0, 1, 0))[:, :, :-1])

    layer = Shifted(2, 2, 3, padding=1, bias=False)
    with torch.no_grad():
        layer.weight.copy_(torch.randint(1, 9, layer.weight.shape))
    with pytest.raises(AssertionError) as info:
        assert_module_is_convolution(layer, (6, 6))
    text = str(info.value)
    assert "first differing output entry" in text and "trace it to input entry" in text and "index equation" in text


# --- JAX -----------------------------------------------------------------------------------------------------


def test_jax_functions(jax):
    from symconv.translate import to_jax_conv_transpose

    t = TransposedConvSpec((3, 2), stride=(2, 1), padding=(1, 0), in_channels=2, out_channels=3)
    w = np.random.default_rng(0).integers(-4, 5, t.weight_shape).astype(np.float64)
    args = to_jax_conv_transpose(t, (5, 4))
    assert args["note"] == ""  # no workaround needed at this size: the plain arguments

    def fn(y):  # a batched JAX function
        out = jax.lax.conv_transpose(y, jax.numpy.asarray(w, dtype=y.dtype), strides=args["strides"], padding=args["padding"],
                                     rhs_dilation=args["rhs_dilation"], dimension_numbers=args["dimension_numbers"],
                                     transpose_kernel=True)
        crop = args["crop"]
        return out[(slice(None), slice(None)) + tuple(slice(lo, out.shape[2 + ax] - hi)
                                                      for ax, (lo, hi) in enumerate(crop))]

    v = assert_is_transposed_convolution(fn, t, w, (5, 4), batched=True)
    assert v.framework == "jax" and v.dtype == "float64" and v.exact and v.calls == 2
    v32 = assert_is_transposed_convolution(fn, t, w, (5, 4), batched=True, dtype="float32")
    assert v32.dtype == "float32" and v32.exact and "below 2^24" in v32.tolerance
    with pytest.raises(AssertionError, match="kernel is not flipped"):
        assert_is_transposed_convolution(fn, t, w[:, :, ::-1, ::-1].copy(), (5, 4), batched=True)


# --- the probed matrix along the layer's pattern ------------------------------------------------------------


@pytest.mark.parametrize("which", ["conv", "transposed"])
def test_linear_map_coo_equals_the_dense_probe(which):
    from symconv.testing import linear_map_coo

    if which == "conv":
        spec, shape = T.transpose(), T.output_shape(SHAPE)
        fn = lambda x: numeric.conv(spec, W, x)  # noqa: E731
    else:
        spec, shape, fn = T, SHAPE, reference
    (rows, cols, values, size), bias = linear_map_coo(fn, spec, shape)
    dense, _ = linear_map_matrix(fn, spec.in_channels, shape)
    sparse = np.zeros(size)
    np.add.at(sparse, (rows, cols), values)
    np.testing.assert_array_equal(sparse, dense)
    assert bias is None and len(values) == np.count_nonzero(dense)


def test_linear_map_coo_at_size_and_refusals():
    from symconv.testing import linear_map_coo

    fn = lambda y: numeric.conv_transpose(BIG, BIG_W, y)  # noqa: E731
    (rows, cols, values, size), _ = linear_map_coo(fn, BIG, BIG_SHAPE)
    assert size == (4 * 80 * 80, 6 * 40 * 40) and len(values) <= BIG_W.size * 40 * 40
    y = np.random.default_rng(9).integers(-3, 4, (6, 40, 40)).astype(np.float64)
    out = np.zeros(size[0])
    np.add.at(out, rows, values * y.ravel()[cols])
    np.testing.assert_array_equal(out.reshape(4, 80, 80), fn(y))

    def reaches_far(y):
        out = fn(y)
        out[0, 0, 0] += y[0, 30, 30]
        return out

    with pytest.raises(AssertionError, match="not local like"):
        linear_map_coo(reaches_far, BIG, BIG_SHAPE)
