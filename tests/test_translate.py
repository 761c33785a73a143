"""The translations run on the real functions: PyTorch and JAX (CPU, 64-bit), random configurations."""

import numpy as np
import pytest

from symconv import SpecError, TransposedConvSpec, numeric
from symconv.translate import to_jax_conv_general_dilated, to_jax_conv_transpose, to_torch, translation_text


def random_tspecs(seed, count, groups=True, symmetric=False):
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        ndim = int(rng.integers(1, 4))
        g = int(rng.integers(1, 3)) if groups else 1
        k = tuple(int(v) for v in rng.integers(1, 4, ndim))
        s = tuple(int(v) for v in rng.integers(1, 4, ndim))
        d = tuple(int(v) for v in rng.integers(1, 4, ndim))
        a = tuple(int(rng.integers(0, max(si, di))) for si, di in zip(s, d))
        if symmetric:
            pad = tuple(int(rng.integers(0, 4)) for _ in range(ndim))
        else:
            pad = tuple((int(rng.integers(0, 5)), int(rng.integers(0, 5))) for _ in range(ndim))
        t = TransposedConvSpec(k, s, pad, a, d, g * int(rng.integers(1, 3)), g * int(rng.integers(1, 3)), g)
        shape = tuple(int(v) for v in rng.integers(1, 5, ndim))
        try:
            t.output_shape(shape)
        except ValueError:
            continue
        w = rng.integers(-3, 4, t.weight_shape).astype(np.float64)
        y = rng.integers(-3, 4, (t.in_channels,) + shape).astype(np.float64)
        out.append((t, w, y))
    return out


def _crop(x, crop):
    return x[(slice(None), slice(None)) + tuple(slice(left, x.shape[2 + ax] - right) for ax, (left, right) in enumerate(crop))]


def test_torch_translation(torch):
    for t, w, y in random_tspecs(0, 60, symmetric=True):
        args = to_torch(t)
        fn = getattr(torch.nn.functional, args["function"].rsplit(".", 1)[1])
        got = fn(torch.from_numpy(y)[None], torch.from_numpy(w), stride=args["stride"], padding=args["padding"],
                 output_padding=args["output_padding"], groups=args["groups"], dilation=args["dilation"])[0].numpy()
        np.testing.assert_array_equal(got, numeric.conv_transpose(t, w, y), err_msg=str(t))


def test_torch_refuses_asymmetric_padding():
    with pytest.raises(SpecError, match=r"padding\[0\] = \(1, 2\)"):
        to_torch(TransposedConvSpec(3, padding=((1, 2),)))


def test_jax_conv_general_dilated(jax):
    lax = jax.lax
    for t, w, y in random_tspecs(1, 80):
        args = to_jax_conv_general_dilated(t)
        out = lax.conv_general_dilated(
            jax.numpy.asarray(y[None]), jax.numpy.asarray(np.asarray(args["kernel"](w))),
            window_strides=args["window_strides"], padding=args["padding"], lhs_dilation=args["lhs_dilation"],
            rhs_dilation=args["rhs_dilation"], dimension_numbers=args["dimension_numbers"],
            feature_group_count=args["feature_group_count"])
        got = _crop(np.asarray(out), args["crop"])[0]
        np.testing.assert_array_equal(got, numeric.conv_transpose(t, w, y), err_msg=str(t))


@pytest.mark.parametrize("transpose_kernel", [True, False])
def test_jax_conv_transpose(jax, transpose_kernel):
    lax = jax.lax
    for t, w, y in random_tspecs(2, 60, groups=False):
        args = to_jax_conv_transpose(t, transpose_kernel=transpose_kernel)
        out = lax.conv_transpose(
            jax.numpy.asarray(y[None]), jax.numpy.asarray(np.asarray(args["kernel"](w))), strides=args["strides"],
            padding=args["padding"], rhs_dilation=args["rhs_dilation"], dimension_numbers=args["dimension_numbers"],
            transpose_kernel=args["transpose_kernel"])
        got = _crop(np.asarray(out), args["crop"])[0]
        np.testing.assert_array_equal(got, numeric.conv_transpose(t, w, y), err_msg=str(t))


def test_jax_default_is_the_unflipped_mistake(jax):
    """Passing PyTorch's weight to lax.conv_transpose unchanged (transpose_kernel=False) is diagnosed."""
    from symconv.testing import assert_is_transposed_convolution

    t = TransposedConvSpec(3, stride=2, padding=1, in_channels=2, out_channels=2)
    w = np.arange(1, 13, dtype=np.float64).reshape(t.weight_shape)
    args = to_jax_conv_transpose(t, transpose_kernel=True)

    def jax_default(y):
        out = jax.lax.conv_transpose(jax.numpy.asarray(y[None]), jax.numpy.asarray(np.swapaxes(w, 0, 1)),
                                     strides=args["strides"], padding=args["padding"],
                                     dimension_numbers=args["dimension_numbers"])
        return _crop(np.asarray(out), args["crop"])[0]

    with pytest.raises(AssertionError, match="kernel is not flipped"):
        assert_is_transposed_convolution(jax_default, t, w, (4,))


def test_conv_transpose_refuses_groups_and_text():
    t = TransposedConvSpec(3, stride=2, in_channels=2, out_channels=2, groups=2)
    with pytest.raises(SpecError, match="feature_group_count"):
        to_jax_conv_transpose(t)
    text = translation_text(t)
    assert "not expressible" in text and "lhs_dilation=(2,)" in text and "Justification" in text
