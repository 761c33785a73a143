"""Property-based tests over the whole parameter space (hypothesis).

The default profile keeps CI within minutes; SYMCONV_HYPOTHESIS_PROFILE=long runs more examples.
"""

import numpy as np
from hypothesis import given, note
from hypothesis import strategies as st

from symconv import (
    ConvSpec,
    TransposedConvSpec,
    conv_matrix,
    numeric,
    prove_transpose,
    transposed_conv_matrix,
)
from symconv import (
    formulas as F,
)


@st.composite
def layers(draw, transposed):
    ndim = draw(st.integers(1, 3))
    groups = draw(st.integers(1, 3))
    cin = groups * draw(st.integers(1, 2))
    cout = groups * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    s = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    d = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    pads = tuple((draw(st.integers(0, di * (ki - 1) + si)), draw(st.integers(0, di * (ki - 1) + si)))
                 for ki, si, di in zip(k, s, d))
    if transposed:
        a = tuple(draw(st.integers(0, max(si, di) - 1)) for si, di in zip(s, d))
        spec = TransposedConvSpec(k, stride=s, padding=pads, output_padding=a, dilation=d, in_channels=cin, out_channels=cout, groups=groups)
        smallest = []
        for ki, si, di, (pl, pr), ai in zip(k, s, d, pads, a):
            n = 1
            while F.transposed_output_size(n, ki, si, pl, pr, di, ai) < 1:
                n += 1
            smallest.append(n)
    else:
        spec = ConvSpec(k, stride=s, padding=pads, dilation=d, in_channels=cin, out_channels=cout, groups=groups)
        smallest = [max(1, di * (ki - 1) + 1 - pl - pr) for ki, di, (pl, pr) in zip(k, d, pads)]
    budget = 3 if ndim == 3 else 4
    shape = tuple(n + draw(st.integers(0, budget)) for n in smallest)
    return spec, shape


@given(layers(transposed=False), st.integers(0, 2**32 - 1))
def test_conv_matrix_shapes_and_reference(layer, seed):
    spec, shape = layer
    note(f"{spec} on {shape}")
    rng = np.random.default_rng(seed)
    w = rng.integers(-3, 4, spec.weight_shape)
    x = rng.integers(-3, 4, (spec.in_channels,) + shape)
    M = conv_matrix(spec, w, shape)
    out = spec.output_shape(shape)
    # the number of window starts 0, s, 2s, ... whose window (span d(k-1)+1) fits the padded input
    windows = tuple(len(range(0, n + pl + pr - d * (k - 1), s)) for n, k, s, (pl, pr), d
                    in zip(shape, spec.kernel_size, spec.stride, spec.padding, spec.dilation))
    assert out == windows
    assert M.row_shape == (spec.out_channels,) + out and M.col_shape == (spec.in_channels,) + shape
    np.testing.assert_array_equal(M.matvec(x), numeric.conv(spec, w, x))
    assert spec.transpose(shape).output_shape(out) == shape


@given(layers(transposed=True), st.integers(0, 2**32 - 1))
def test_transposed_four_views_and_reference(layer, seed):
    tspec, shape = layer
    note(f"{tspec} on {shape}")
    proof = prove_transpose(tspec, shape)
    assert proof.holds, proof.failure
    rng = np.random.default_rng(seed)
    w = rng.integers(-3, 4, tspec.weight_shape)
    y = rng.integers(-3, 4, (tspec.in_channels,) + shape)
    T = transposed_conv_matrix(tspec, w, shape)
    assert T.row_shape == (tspec.out_channels,) + tspec.output_shape(shape)
    np.testing.assert_array_equal(T.matvec(y), numeric.conv_transpose(tspec, w, y))
    back = tspec.transpose().output_shape(tspec.output_shape(shape))
    assert back == tuple(n + a // s for n, a, s in zip(shape, tspec.output_padding, tspec.stride))
