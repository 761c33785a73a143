"""Cross-check against PyTorch (torch==2.13.0, the `torch` extra) on random configurations."""

import numpy as np
import pytest

from symconv import ConvSpec, TransposedConvSpec, conv_matrix, numeric, transposed_conv_matrix

N_CASES = 300


def _cases(seed):
    rng = np.random.default_rng(seed)
    for case in range(N_CASES):
        ndim = 1 + case % 3
        g = int(rng.integers(1, 3))
        cin, cout = g * int(rng.integers(1, 3)), g * int(rng.integers(1, 3))
        k = tuple(int(v) for v in rng.integers(1, 4, ndim))
        s = tuple(int(v) for v in rng.integers(1, 4, ndim))
        d = tuple(int(v) for v in rng.integers(1, 4, ndim))
        yield rng, ndim, g, cin, cout, k, s, d


def _conv_fn(torch, ndim):
    return getattr(torch.nn.functional, f"conv{ndim}d")


@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_conv_against_torch(torch):
    F = torch.nn.functional
    for rng, ndim, g, cin, cout, k, s, d in _cases(0):
        same = rng.random() < 0.15
        if same:
            s = (1,) * ndim
            spec = ConvSpec(k, stride=s, padding="same", dilation=d, in_channels=cin, out_channels=cout, groups=g)
        else:
            spec = ConvSpec(k, stride=s, padding=tuple((int(rng.integers(0, 4)), int(rng.integers(0, 4))) for _ in range(ndim)), dilation=d, in_channels=cin, out_channels=cout, groups=g)
        shape = tuple(max(1, dd * (kk - 1) + 1 - pl - pr) + int(rng.integers(0, 5))
                      for kk, dd, (pl, pr) in zip(k, d, spec.padding))
        w = rng.integers(-3, 4, spec.weight_shape).astype(np.float64)
        x = rng.integers(-3, 4, (cin,) + shape).astype(np.float64)
        xt, wt = torch.from_numpy(x)[None], torch.from_numpy(w)
        if same:
            ref = _conv_fn(torch, ndim)(xt, wt, stride=s, padding="same", dilation=d, groups=g)
        else:
            pad = [p for pair in reversed(spec.padding) for p in pair]  # F.pad lists the last axis first
            ref = _conv_fn(torch, ndim)(F.pad(xt, pad), wt, stride=s, padding=0, dilation=d, groups=g)
        ref = ref[0].numpy()
        M = conv_matrix(spec, w, shape)
        assert M.row_shape == ref.shape, spec
        np.testing.assert_array_equal(M.matvec(x), ref, err_msg=str(spec))
        np.testing.assert_array_equal(numeric.conv(spec, w, x), ref, err_msg=str(spec))


def test_conv_transpose_against_torch(torch):
    ge_s = ran = 0
    for rng, ndim, g, cin, cout, k, s, d in _cases(1):
        a = tuple(int(rng.integers(0, max(ss, dd))) for ss, dd in zip(s, d))
        ge_s += any(aa >= ss for aa, ss in zip(a, s))
        asymmetric = rng.random() < 0.3
        if asymmetric:
            pad = tuple((int(rng.integers(0, 4)), int(rng.integers(0, 4))) for _ in range(ndim))
        else:
            pad = tuple(int(rng.integers(0, 4)) for _ in range(ndim))
        t = TransposedConvSpec(k, stride=s, padding=pad, output_padding=a, dilation=d, in_channels=cin, out_channels=cout, groups=g)
        shape = tuple(int(rng.integers(1, 5)) for _ in range(ndim))
        try:
            t.output_shape(shape)
        except ValueError:
            shape = tuple(n + 3 for n in shape)
            try:
                t.output_shape(shape)
            except ValueError:
                continue
        w = rng.integers(-3, 4, t.weight_shape).astype(np.float64)
        y = rng.integers(-3, 4, (cin,) + shape).astype(np.float64)
        fn = getattr(torch.nn.functional, f"conv_transpose{ndim}d")
        yt, wt = torch.from_numpy(y)[None], torch.from_numpy(w)
        if asymmetric:  # torch has no pairs: transpose with padding 0, then crop p_l / p_r
            full = fn(yt, wt, stride=s, padding=0, output_padding=a, dilation=d, groups=g)[0].numpy()
            ref = full[(slice(None),) + tuple(slice(pl, full.shape[1 + ax] - pr) for ax, (pl, pr) in enumerate(t.padding))]
        else:
            ref = fn(yt, wt, stride=s, padding=pad, output_padding=a, dilation=d, groups=g)[0].numpy()
        T = transposed_conv_matrix(t, w, shape)
        assert T.row_shape == ref.shape, t
        np.testing.assert_array_equal(T.matvec(y), ref, err_msg=str(t))
        np.testing.assert_array_equal(numeric.conv_transpose(t, w, y), ref, err_msg=str(t))
        ran += 1
    assert ran > 250
    assert ge_s > 10  # output_padding >= stride (allowed when dilation > stride) is exercised
