"""symconv.testing on the numpy reference, on deliberately wrong implementations, and on PyTorch's layers."""

import numpy as np
import pytest

from symconv import ConvSpec, SpecError, SpecTypeError, TransposedConvSpec, numeric
from symconv.testing import (
    assert_adjoint,
    assert_is_convolution,
    assert_is_transposed_convolution,
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
    assert "first differing entry: row" in text and "axis 0" in text


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
    with pytest.raises(SpecError, match="padding_mode='reflect'"):
        ConvSpec.from_torch(torch.nn.Conv1d(1, 1, 3, padding=1, padding_mode="reflect"))
    with pytest.raises(SpecTypeError, match="torch.nn.Conv1d"):
        ConvSpec.from_torch(torch.nn.ConvTranspose1d(1, 1, 3))
    with pytest.warns(UserWarning, match="bias"):
        spec = ConvSpec.from_torch(torch.nn.Conv2d(2, 4, 3, padding="same", bias=True))
    assert spec.padding == ((1, 1), (1, 1))
