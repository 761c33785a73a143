import numpy as np
import pytest
import sympy

from symconv import (
    ConvSpec,
    ShapeError,
    SizeLimitError,
    SpecError,
    SpecTypeError,
    TransposedConvSpec,
    conv_matrix,
    kernel_symbols,
    numeric,
    padding_matrix,
    scatter_matrix,
    selection_matrix,
    transposed_conv_matrix,
    zero_insertion_matrix,
)

RNG = np.random.default_rng(1)


def random_spec(rng, ndim):
    g = int(rng.integers(1, 3))
    k = tuple(int(v) for v in rng.integers(1, 4, ndim))
    d = tuple(int(v) for v in rng.integers(1, 3, ndim))
    s = tuple(int(v) for v in rng.integers(1, 4, ndim))
    pad = tuple((int(rng.integers(0, 3)), int(rng.integers(0, 3))) for _ in range(ndim))
    cin, cout = g * int(rng.integers(1, 3)), g * int(rng.integers(1, 3))
    spec = ConvSpec(k, stride=s, padding=pad, dilation=d, in_channels=cin, out_channels=cout, groups=g)
    shape = tuple(int(max(1, d_ * (k_ - 1) + 1 - p[0] - p[1])) + int(rng.integers(0, 4)) for k_, d_, p in zip(k, d, pad))
    return spec, shape


@pytest.mark.parametrize("seed", range(40))
def test_nd_with_channels_and_groups_matches_reference(seed):
    rng = np.random.default_rng(seed)
    ndim = 2 if seed < 30 else 3
    spec, shape = random_spec(rng, ndim)
    w = rng.integers(-4, 5, spec.weight_shape)
    x = rng.integers(-4, 5, (spec.in_channels,) + shape)
    M = conv_matrix(spec, w, shape)
    np.testing.assert_array_equal(M.matvec(x), numeric.conv(spec, w, x))
    t = spec.transpose(shape)
    y = rng.integers(-4, 5, (t.in_channels,) + spec.output_shape(shape))
    T = transposed_conv_matrix(t, w, y.shape[1:])
    np.testing.assert_array_equal(T.matvec(y), numeric.conv_transpose(t, w, y))
    # the transposed conv of the adjoint pair is the transpose, with symbols
    ws = kernel_symbols(spec)
    assert transposed_conv_matrix(t, ws, y.shape[1:]) == conv_matrix(spec, ws, shape).T
    assert scatter_matrix(t, ws, y.shape[1:]) == conv_matrix(spec, ws, shape).T


def test_gather_product_equals_transposed_matrix():
    t = TransposedConvSpec((3, 2), stride=(2, 3), padding=((1, 0), (2, 1)), output_padding=(1, 2), dilation=(1, 3),
                           in_channels=4, out_channels=2, groups=2)
    w = kernel_symbols(t)
    shape = (3, 4)
    g = t.as_convolution()
    Z = zero_insertion_matrix(t.in_channels, shape, g.zero_insertion)
    P = padding_matrix(t.in_channels, Z.row_shape[1:], g.padding)
    C = conv_matrix(g.conv, g.transform_weight(w), P.row_shape[1:])
    assert C @ (P @ Z) == transposed_conv_matrix(t, w, shape)
    # the unflipped kernel is not the gather view's weight
    good = g.transform_weight(w)
    unflipped = sympy.ImmutableDenseNDimArray(
        np.flip(np.array(good.tolist(), dtype=object), axis=(2, 3)).ravel().tolist(), good.shape
    )
    assert conv_matrix(g.conv, unflipped, P.row_shape[1:]) @ (P @ Z) != transposed_conv_matrix(t, w, shape)


def test_conv_matrix_entries_and_api():
    spec = ConvSpec(3, stride=2, padding=1)
    w = kernel_symbols(spec)
    M = conv_matrix(spec, w, (5,))
    assert M.shape == (3, 5) and M.nnz == 7
    assert M[0, 0] == w[0, 0, 1] and M[0, 3] == 0 and M[(0, 2), (0, 4)] == w[0, 0, 1]
    A, B = M.to_sympy(), M.to_sympy()
    A[0, 0] = 99
    assert B[0, 0] == w[0, 0, 1] and M[0, 0] == w[0, 0, 1]
    assert M.T.shape == (5, 3) and M.T.T == M
    assert "m = 1" in M.explain(0, 0) and "no tap" in M.explain(0, 3)
    with pytest.raises(ShapeError):
        M[3, 0]
    with pytest.raises(SpecTypeError):
        M[0.5, 0]


def test_explain_names_group_for_zero_block():
    spec = ConvSpec(1, in_channels=2, out_channels=2, groups=2)
    M = conv_matrix(spec, kernel_symbols(spec), (1,))
    assert "is not in output channel 0's group 0" in M.explain((0, 0), (1, 0))


def test_equality_by_values_for_numeric_weights():
    spec = ConvSpec(2)
    M1 = conv_matrix(spec, [[[1, 2]]], (3,))
    M2 = conv_matrix(spec, np.array([[[1.0, 2.0]]]), (3,))
    M3 = conv_matrix(spec, [[[1, 3]]], (3,))
    assert M1 == M2 and M1 != M3
    assert M1.first_difference(M3) == (0, 1)


def test_repeated_symbols_compare_by_value():
    a, b = sympy.symbols("a b")
    spec = ConvSpec(2)
    M1 = conv_matrix(spec, [[[a, a]]], (3,))
    M2 = conv_matrix(spec, [[[a, a]]], (3,))
    M3 = conv_matrix(spec, [[[a, b]]], (3,))
    assert M1 == M2 and M1 != M3


def test_to_numpy_size_bound_and_symbolic_weight():
    spec = ConvSpec((3, 3))
    M = conv_matrix(spec, kernel_symbols(spec), (20, 20))
    with pytest.raises(SizeLimitError, match="max_entries"):
        M.to_numpy(np.ones((1, 1, 3, 3)), max_entries=1000)
    with pytest.raises(SpecTypeError, match="weight_values"):
        M.to_numpy()
    dense = M.to_numpy(np.ones((1, 1, 3, 3)))
    assert dense.sum() == 18 * 18 * 9
    assert np.asarray(conv_matrix(spec, np.ones((1, 1, 3, 3)), (4, 4))).shape == (4, 16)


@pytest.mark.parametrize(
    "weight, error, words",
    [
        (np.ones((1, 1, 2)), ShapeError, "expected (1, 1, 3)"),
        ([[[1, 2], [3]]], ShapeError, "expected (1, 1, 3)"),
        ([[[1, "x", 2]]], SpecTypeError, "weight entries"),
        ([[[True, 1, 2]]], SpecTypeError, "weight entries"),
    ],
)
def test_bad_weights(weight, error, words):
    with pytest.raises(error) as info:
        conv_matrix(ConvSpec(3), weight, (5,))
    assert words in str(info.value)


def test_bad_symbol_names():
    for name in ["w_1", "\\input", "", "1w", "w}", "ü"]:
        with pytest.raises(SpecError):
            kernel_symbols(ConvSpec(3), name)
    with pytest.raises(SpecTypeError):
        kernel_symbols(ConvSpec(3), 3)


def test_symbols_print_readably():
    w = kernel_symbols(ConvSpec((2, 2), in_channels=2))
    assert sympy.latex(w[0, 1, 1, 0]) == "w_{0,1,1,0}"
    assert sympy.latex(kernel_symbols(ConvSpec(3))[0, 0, 2]) == "w_{2}"
    assert all(s.is_real for s in sympy.flatten(w.tolist()))


def test_building_blocks():
    Z = zero_insertion_matrix(2, (3,), (3,))
    assert Z.shape == (14, 6) and Z[(1, 3), (1, 1)] == 1 and Z.nnz == 6
    P = padding_matrix(1, (3,), ((-1, 2),))
    assert P.shape == (4, 3) and P[0, 1] == 1 and P[1, 2] == 1 and P.nnz == 2
    S = selection_matrix(1, (3, 3), (2, 3))
    assert S.shape == (6, 9) and S.nnz == 6
    with pytest.raises(ShapeError):
        padding_matrix(1, (2,), ((-2, -1),))
    with pytest.raises(ShapeError):  # two weighted factors multiply (issue 14), but the inner sizes must agree
        conv_matrix(ConvSpec(3), kernel_symbols(ConvSpec(3)), (5,)) @ conv_matrix(ConvSpec(3), kernel_symbols(ConvSpec(3)), (5,))


def test_matvec_symbolic():
    spec = ConvSpec(2)
    w = kernel_symbols(spec)
    x = sympy.symbols("x0:3")
    y = conv_matrix(spec, w, (3,)).matvec(np.array(x, dtype=object))
    assert sympy.expand(y[0, 1] - (w[0, 0, 0] * x[1] + w[0, 0, 1] * x[2])) == 0


def test_wide_keys_with_32_bit_indices():
    """Builders store int32 indices when they fit; keys like row * n_cols + col must not overflow."""
    spec = ConvSpec(3, stride=2, padding=1)
    w = kernel_symbols(spec)
    n = 100_000  # rows * n_cols exceeds 2**31
    M = conv_matrix(spec, w, (n,))
    t = spec.transpose((n,))
    T = transposed_conv_matrix(t, w, M.row_shape[1:])
    assert T == M.T and T.structure.row_major.equals(M.T.structure)
    assert T[n - 1, M.shape[0] - 1] == w[0, 0, 2] and M[M.shape[0] - 1, n - 2] == w[0, 0, 1]
    rows = T.structure.row_major.rows
    assert bool(np.all(np.diff(rows.astype(np.int64)) >= 0))
    assert all(a.dtype == np.int64 for a in M.coo())


@pytest.mark.parametrize(
    "build",
    [
        lambda: conv_matrix(ConvSpec((2, 3), stride=(1, 2), in_channels=2, out_channels=4, groups=2),
                            kernel_symbols(ConvSpec((2, 3), in_channels=2, out_channels=4, groups=2)), (4, 5)),
        lambda: conv_matrix(ConvSpec(3, padding=1), [[[1, 2.5, -3]]], (4,)),
        lambda: zero_insertion_matrix(2, (3,), (3,)),
        lambda: padding_matrix(1, (4,), ((-1, 2),)),
    ],
)
def test_to_sympy_matches_entries(build):
    M = build()
    S = M.to_sympy()
    assert isinstance(S, sympy.MutableSparseMatrix) and S.shape == M.shape
    for i in range(M.shape[0]):
        for j in range(M.shape[1]):
            assert S[i, j] == M[i, j]


def test_to_sympy_restores_the_garbage_collector():
    import gc

    M = conv_matrix(ConvSpec(2), kernel_symbols(ConvSpec(2)), (4,))
    assert gc.isenabled()
    M.to_sympy()
    assert gc.isenabled()
    gc.disable()
    try:
        M.to_sympy()
        assert not gc.isenabled()
    finally:
        gc.enable()
