"""ConvMatrix with sympy's own operations (issue 14): conversions, products, equality, printing."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from symconv import (
    ConvMatrix,
    ConvSpec,
    ShapeError,
    SizeLimitError,
    TransposedConvSpec,
    conv_matrix,
    kernel_symbols,
    overlap_counts,
    padding_matrix,
    transposed_conv_matrix,
    zero_insertion_matrix,
)
from symconv.latex.printing import band_latex, matrix_latex

SPEC = ConvSpec(3, stride=2, padding=1)
W = kernel_symbols(SPEC)
W0, W1, W2 = W[0, 0]


def small():
    return conv_matrix(SPEC, W, (5,))


CASES = [
    (ConvSpec(3, stride=2, padding=1), (7,)),
    (ConvSpec(2, stride=1, padding=((0, 1),), dilation=2, in_channels=2, out_channels=4, groups=2), (5,)),
    (ConvSpec((2, 2), stride=(2, 1), padding=1, in_channels=2, out_channels=2), (3, 4)),
]


# -- conversions -------------------------------------------------------------


def test_sympy_constructors_and_sympify():
    M = small()
    explicit = M.to_sympy()
    for cls in (sympy.Matrix, sympy.ImmutableMatrix, sympy.SparseMatrix, sympy.ImmutableSparseMatrix):
        converted = cls(M)
        assert isinstance(converted, cls)
        assert converted == explicit and converted.shape == (3, 5)
    S = sympy.sympify(M)
    assert isinstance(S, sympy.ImmutableSparseMatrix) and S == explicit
    # the conversion reads the entries from the structure: a product ConvMatrix converts too
    P = M @ M.T
    assert sympy.Matrix(P) == explicit * explicit.T


def test_numpy_arrays():
    M = small()
    values = {W0: 1, W1: 2, W2: 3}
    N = M.subs(values)
    dense = np.asarray(N)
    assert dense.dtype.kind in "iuf" and dense.tolist() == [[2, 3, 0, 0, 0], [0, 1, 2, 3, 0], [0, 0, 0, 1, 2]]
    symbolic = np.asarray(M)
    assert symbolic.dtype == object and symbolic[1, 2] == W1 and symbolic[0, 4] == 0
    x = np.arange(5)
    assert (N @ x).tolist() == (dense @ x).tolist()
    assert (np.arange(3) @ N).tolist() == (np.arange(3) @ dense).tolist()
    assert (N @ np.eye(5)).tolist() == dense.tolist()
    with pytest.raises(ShapeError):
        N @ np.ones(4)
    with pytest.raises(SizeLimitError):
        M._object_dense(max_entries=10)


# -- equality -----------------------------------------------------------------


def test_equality_with_any_sympy_matrix():
    M = small()
    dense = sympy.Matrix(M.to_sympy())
    assert M == dense and M == dense.as_immutable() and M == M.to_sympy().as_immutable()
    assert dense == M and M.to_sympy() == M  # sympy's side compares through _sympy_
    # equal entries written differently: compared after expand
    written = dense.copy()
    written[1, 2] = (W1 + W0) ** 2 - W0**2 - 2 * W0 * W1 - W1**2 + W1
    assert M == written
    changed = dense.copy()
    changed[2, 3] = W1
    assert M != changed and not (M == changed)
    assert M != sympy.zeros(3, 6)
    X = sympy.MatrixSymbol("X", 3, 5)
    assert M != X
    assert M == sympy.ImmutableMatrix(dense)


# -- products -----------------------------------------------------------------


@pytest.mark.parametrize("spec,shape", CASES, ids=str)
def test_products_of_weighted_matrices_match_sympy(spec, shape):
    w = kernel_symbols(spec)
    M = conv_matrix(spec, w, shape)
    T = transposed_conv_matrix(spec.transpose(shape), w, spec.output_shape(shape))
    Ms, Ts = M.to_sympy(), T.to_sympy()
    for product, expected in ((M @ M.T, Ms * Ms.T), (M.T @ M, Ms.T * Ms), (T @ M, Ts * Ms), (M @ T, Ms * Ts)):
        assert isinstance(product, ConvMatrix)
        assert product.shape == expected.shape
        got = product.to_sympy()
        assert all(sympy.expand(got[key] - expected[key]) == 0 for key in set(got.todok()) | set(expected.todok()))
        assert product == expected
    # a product of three, and of two different weights
    assert (M @ T) @ M == Ms * Ts * Ms
    v = kernel_symbols(spec, "v")
    V = conv_matrix(spec, v, shape)
    assert M @ V.T == Ms * V.to_sympy().T and V.T @ M == V.to_sympy().T * Ms


def test_product_entries_are_sums_of_products_of_weights():
    M = small()
    G = M @ M.T
    assert G[1, 1] == W0**2 + W1**2 + W2**2
    assert G[0, 1] == W0 * W2 and G[0, 2] == 0
    assert sympy.expand(G.to_sympy()[1, 0] - W2 * W0) == 0
    # products of one weight are merged into one term: w0 w2 and w2 w0 are one entry of the product weight
    H = M.T @ M
    assert H[3, 1] == W0 * W2 and len(set(H.weight)) == len(H.weight)


def test_gram_diagonal_holds_the_overlap_counts():
    spec = ConvSpec(3, stride=2)
    w = kernel_symbols(spec)
    M = conv_matrix(spec, w, (9,))
    ones = {v: 1 for v in w[0, 0]}
    gram = (M.T @ M).subs(ones)
    diagonal = [gram[j, j] for j in range(9)]
    assert diagonal == overlap_counts(spec.transpose((9,)), spec.output_shape((9,))).tolist()
    assert diagonal == [1, 1, 2, 1, 2, 1, 2, 1, 1]


def test_products_with_sympy_vectors_and_matrices():
    M = small()
    x = sympy.Matrix(sympy.symbols("x0:5"))
    expected = M.to_sympy() * x
    for result in (M * x, M @ x):
        assert isinstance(result, sympy.MutableDenseMatrix) and result == expected
    assert isinstance(M @ x.as_immutable(), sympy.ImmutableDenseMatrix)
    assert isinstance(M @ sympy.SparseMatrix(x), sympy.SparseMatrix)
    y = sympy.Matrix(sympy.symbols("y0:3"))
    assert y.T * M == y.T * M.to_sympy() and y.T @ M == y.T * M.to_sympy()
    assert sympy.eye(3) * M == M.to_sympy()
    with pytest.raises(ShapeError, match="inner sizes"):
        M @ sympy.Matrix([1, 2, 3])
    X = sympy.MatrixSymbol("X", 5, 2)
    product = M @ X
    assert isinstance(product, sympy.MatMul) and product.shape == (3, 2)
    assert (X.T @ M.T).shape == (2, 3)


def test_scalars():
    M = small()
    assert 2 * M == 2 * M.to_sympy() and M * W0 == M.to_sympy() * W0 and -M == -M.to_sympy()
    Z = zero_insertion_matrix(1, (2,), (2,))
    assert W0 * Z == W0 * Z.to_sympy()


def test_zero_one_fast_path_is_kept():
    from symconv import TransposedConvSpec

    t = TransposedConvSpec(3, stride=2, padding=1)
    g = t.as_convolution()
    w = kernel_symbols(t)
    Z = zero_insertion_matrix(1, (3,), g.zero_insertion)
    P = padding_matrix(1, Z.row_shape[1:], g.padding)
    C = conv_matrix(g.conv, g.transform_weight(w), P.row_shape[1:])
    product = C @ (P @ Z)
    assert product.weight is C.weight  # the weighted factor's weight, not a product weight
    assert product == transposed_conv_matrix(t, w, (3,))


# -- subs, free_symbols, applyfunc -------------------------------------------


def test_subs_free_symbols_applyfunc():
    M = small()
    assert M.free_symbols == {W0, W1, W2}
    a = sympy.Symbol("a")
    N = M.subs(W1, a)
    assert isinstance(N, ConvMatrix) and N[0, 0] == a and N.free_symbols == {W0, a, W2}
    assert M.subs({W0: 0, W1: 0, W2: 0}) == sympy.zeros(3, 5)
    assert zero_insertion_matrix(1, (2,), (2,)).free_symbols == set()
    doubled = M.applyfunc(lambda v: 2 * v)
    assert isinstance(doubled, ConvMatrix) and doubled == 2 * M.to_sympy()
    shifted = M.applyfunc(lambda v: v + 1)  # f(0) = 1: every zero changes
    assert shifted == sympy.Matrix(M).applyfunc(lambda v: v + 1)
    assert shifted[0, 4] == 1
    squared = (M @ M.T).applyfunc(sympy.factor)
    assert squared == (M @ M.T).to_sympy().applyfunc(sympy.factor)
    # one weight entry appears in several dilated/strided positions: the gram's free symbols
    assert (M @ M.T).free_symbols == {W0, W1, W2}


# -- printing -----------------------------------------------------------------


def test_latex_small_and_large():
    M = small()
    assert sympy.latex(M) == matrix_latex(M)
    assert M._repr_latex_() == rf"$$\displaystyle {matrix_latex(M)}$$"
    big = conv_matrix(SPEC, W, (40,))
    text = sympy.latex(big)
    assert text == band_latex(big)
    assert text.startswith(r"\begin{bmatrix} w_{1} & w_{2} & 0")
    assert text.endswith(r"_{\text{rows } 0\text{--}5,\ \text{columns } 0\text{--}7 \text{ of } 20 \times 40}")
    assert r"\mathtt" not in text and big._repr_latex_() == rf"$$\displaystyle {text}$$"


def test_large_matrices_show_the_first_band_not_zeros():
    t = TransposedConvSpec(3, stride=1, padding=0)
    T = transposed_conv_matrix(t, kernel_symbols(t), (30,))
    text = str(T)
    assert text.splitlines()[0] == "ConvMatrix 32x30, nnz=90: rows 0..5, columns 0..5 (the first nonzero band)"
    assert "w₀" in text and "⋮" in text and "⋯" in text
    spec = ConvSpec(3, padding=0, in_channels=1, out_channels=2)
    M = conv_matrix(spec, kernel_symbols(spec), (40,))
    band = M.band()
    assert band == (0, 6, 0, 8)
    r0, r1, c0, c1 = band
    assert any(M[r, c] != 0 for r in range(r0, r1) for c in range(c0, c1))
    # a matrix whose entries are far from the corner: cropping 20 of the zero-inserted positions
    Z = zero_insertion_matrix(1, (30,), (2,))
    P = padding_matrix(1, Z.row_shape[1:], ((-20, 0),))
    product = P @ Z
    r0, r1, c0, c1 = product.band()
    assert (r0, c0) == (0, 10) and product[0, 10] == 1
    text = str(product)
    assert "⋯" in text.splitlines()[1] and "1" in text


def test_jupyter_and_sympy_pretty():
    big = conv_matrix(SPEC, W, (40,))

    class Printer:
        def __init__(self):
            self.out = []

        def text(self, value):
            self.out.append(value)

    printer = Printer()
    big._repr_pretty_(printer, False)
    assert printer.out == [str(big)]
    assert "w₁" in sympy.pretty(big) and "⋱" in sympy.pretty(big)
    assert sympy.pretty(small()) == str(small())


# -- sympy's MatrixBase habits (issue 22) -------------------------------------------------------

from symconv import SpecError, SpecTypeError  # noqa: E402


def test_subs_with_names_plain_symbols_and_kernel_symbols():
    M = small()
    explicit = M.to_sympy()
    expected = explicit.subs(W2, 7)
    for rule in ({"w_2": 7}, {sympy.Symbol("w_2"): 7}, {W2: 7}, [("w_2", 7)]):
        assert M.subs(rule) == expected, rule
    assert M.subs(sympy.Symbol("w_0"), 5) == explicit.subs(W0, 5) and M.subs("w_0", 5)[1, 1] == 5
    assert M.subs(sympy.Symbol("w_0"), 5) != M  # it changed something
    # the symbols stay real: that is the deliberate assumption (weights are real; conjugates vanish)
    assert all(v.is_real for v in M.free_symbols) and sympy.conjugate(M[1, 1]) == M[1, 1]
    # a name that matches nothing is refused, not a silent no-op
    for bad in ("v_0", sympy.Symbol("w_9")):
        with pytest.raises(SpecError, match="names no symbol of this matrix's weight .*w_0, w_1, w_2"):
            M.subs(bad, 1)
    with pytest.raises(SpecTypeError, match=r"\(old, new\), a dict or a sequence of pairs"):
        M.subs(1, 2, 3)


def test_slicing_gives_sympy_matrices():
    M = small()
    explicit = M.to_sympy()
    for key in [(0, slice(None)), (slice(None), 3), (slice(1, 3), slice(0, 5, 2)), ([2, 0, 0], [4, 1]),
                (slice(None, None, -1), slice(None)), (-1, slice(None)), (sympy.Integer(1), slice(2, None))]:
        got = M[key]
        assert isinstance(got, sympy.ImmutableSparseMatrix), key
        assert got == sympy.ImmutableSparseMatrix(explicit[key]), key
    assert M[0, :].shape == (1, 5) and M[:, 2].shape == (3, 1)
    assert M.row(1) == explicit.row(1) and M.col(3) == explicit.col(3)
    # sympy integers and numpy integers as indices, flat row-major M[k] and M[a:b] as sympy
    assert M[sympy.Integer(0), sympy.Integer(1)] == W2 == M[np.int64(0), 1]
    assert [M[k] for k in range(len(M))] == list(explicit) == M[:] and M[-1] == explicit[-1]
    with pytest.raises(IndexError, match="out of range"):
        M[15]
    with pytest.raises(SpecTypeError, match="index must be an int"):
        M[0, 1.5]
    # a product's slice sums its terms
    G = M.T @ M
    assert G[1:4, 1:4] == (explicit.T * explicit)[1:4, 1:4]


def test_sizes_like_sympy():
    M = small()
    assert (M.rows, M.cols, M.shape, len(M)) == (3, 5, (3, 5), 15)
    assert not M.is_square and (M.T @ M).is_square
    assert M.tolist() == M.to_sympy().tolist() and M.transpose() == M.T


def test_diff_xreplace_rank():
    M = small()
    explicit = M.to_sympy()
    assert M.diff(W1) == explicit.diff(W1) and M.diff("w_1") == explicit.diff(W1)
    assert M.diff(sympy.Symbol("w_1")) == explicit.diff(W1) != sympy.zeros(3, 5)
    G = M.T @ M
    assert G.diff("w_0") == (explicit.T * explicit).diff(W0) and G.diff(("w_0", 2)) == (explicit.T * explicit).diff(W0, 2)
    b = sympy.Symbol("b")
    assert M.xreplace({"w_1": b}) == explicit.xreplace({W1: b}) and M.xreplace({W1: b})[0, 0] == b
    with pytest.raises(SpecError, match="M.xreplace"):
        M.xreplace({"u": 1})
    assert M.rank() == explicit.rank() == 3
    assert M.subs({W0: 0, W1: 0, W2: 0}).rank() == 0
    # a 0/1 matrix has no symbols to differentiate by
    with pytest.raises(SpecError, match="it has no symbols"):
        padding_matrix(1, (3,), ((1, 1),)).diff(b)
    # entries without a weight (tap CONSTANT) beside weighted ones: the derivative is sympy's, the constant drops
    from symconv.structure import CONSTANT, Structure

    mixed = ConvMatrix(Structure.build((1, 2), [0, 0], [0, 1], [CONSTANT, 0], [3, 1]), sympy.Array([W0**2]), (1, 1), (1, 2))
    assert mixed.to_sympy() == sympy.Matrix([[3, W0**2]])
    assert mixed.diff("w_0") == sympy.Matrix([[0, 2 * W0]])


def test_lambdify_and_the_route_to_other_methods():
    M = small()
    f = sympy.lambdify(list(W[0, 0]), sympy.Matrix(M))
    assert f(1, 2, 3).tolist() == [[2, 3, 0, 0, 0], [0, 1, 2, 3, 0], [0, 0, 0, 1, 2]]
    g = sympy.lambdify(list(W[0, 0]), M)  # sympy's sparse matrix: what lambdify makes of one
    dense = g(1, 2, 3)
    assert np.asarray(dense.toarray() if hasattr(dense, "toarray") else dense).tolist() == f(1, 2, 3).tolist()
    with pytest.raises(AttributeError, match=r"use sympy.Matrix\(M\).det"):
        M.det()
    with pytest.raises(AttributeError, match="has no attribute 'no_such_thing'"):
        _ = M.no_such_thing
    assert not hasattr(M, "inv") and hasattr(M, "rows")
