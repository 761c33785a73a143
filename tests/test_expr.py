"""symconv.expr: convolutions of symbolic size as sympy matrix expressions."""

from __future__ import annotations

import itertools

import pytest
import sympy
from sympy import KroneckerDelta, MatMul, Transpose

from symconv import (
    Conv,
    ConvSpec,
    ConvTranspose,
    Pad,
    ShapeError,
    SpecError,
    SpecTypeError,
    TransposedConvSpec,
    ZeroInsert,
    conv_matrix,
    kernel_symbols,
    padding_matrix,
    transposed_conv_matrix,
    zero_insertion_matrix,
)
from symconv.expr import Select

n = sympy.Symbol("n", integer=True, positive=True)
i, j = sympy.symbols("i j", integer=True)

GRID_1D = [
    dict(kernel_size=k, stride=s, padding=p, dilation=d)
    for k, s, p, d in itertools.product((1, 3), (1, 2, 3), (1, (0, 2)), (1, 2))
]


def _spec(**kw):
    p = kw.pop("padding")
    return ConvSpec(padding=((p,) if isinstance(p, tuple) else p), **kw)


@pytest.mark.parametrize("kw", GRID_1D, ids=str)
def test_conv_explicit_equals_conv_matrix_over_a_grid(kw):
    spec = _spec(**kw)
    w = kernel_symbols(spec)
    C = Conv(spec, w, n)
    for size in range(1, 8):
        try:
            spec.check_input_shape((size,))
        except ShapeError:
            with pytest.raises(ShapeError):
                C.subs(n, size)
            continue
        explicit = C.subs(n, size).as_explicit()
        assert explicit == conv_matrix(spec, w, (size,)).to_sympy().as_immutable()
        assert C.subs(n, size).doit() == explicit


@pytest.mark.parametrize("kw", GRID_1D, ids=str)
def test_transpose_and_gather_rewrite_over_a_grid(kw):
    spec = _spec(**kw)
    w = kernel_symbols(spec)
    T = Conv(spec, w, n).T
    assert isinstance(T, ConvTranspose)
    assert sympy.simplify(T.shape[0] - n) == 0  # the round trip: back to length n
    G = T.rewrite("gather")
    assert isinstance(G, MatMul) and [type(f) for f in G.args] == [Conv, Pad, ZeroInsert]
    for size in range(1, 6):
        try:
            spec.check_input_shape((size,))
        except ShapeError:
            continue
        t = spec.transpose((size,))
        expected = transposed_conv_matrix(t, w, spec.output_shape((size,))).to_sympy().as_immutable()
        Ts = T.subs(n, size)
        assert Ts.tspec == t
        assert Ts.as_explicit() == expected
        assert G.subs(n, size).doit() == expected


TRANSPOSED_GRID = [
    dict(kernel_size=k, stride=s, padding=p, dilation=d, output_padding=a)
    for k, s, p, d, a in itertools.product((3,), (1, 2, 3), (0, 2), (1, 3), (0, 1, 2))
    if a < max(s, d)
]


@pytest.mark.parametrize("kw", TRANSPOSED_GRID, ids=str)
def test_conv_transpose_own_definition_over_a_grid(kw):
    t = TransposedConvSpec(**kw)
    w = kernel_symbols(t)
    T = ConvTranspose(t, w, n)
    G = T.rewrite("gather")
    back = T.T
    stride, a = kw["stride"], kw["output_padding"]
    # with a >= s the transpose is a row selection of the convolution
    assert isinstance(back, MatMul if a >= stride else Conv)
    if a >= stride:
        assert isinstance(back.args[0], Select)
    for size in range(1, 4):
        try:
            t.check_input_shape((size,))
        except ShapeError:
            continue
        expected = transposed_conv_matrix(t, w, (size,)).to_sympy().as_immutable()
        assert T.subs(n, size).as_explicit() == expected
        assert G.subs(n, size).doit() == expected
        assert back.subs(n, size).doit() == expected.T


CHANNEL_CASES = [
    (ConvSpec(2, stride=2, padding=1, in_channels=2, out_channels=4, groups=2), 4),
    (ConvSpec(3, stride=1, padding=(( 0, 1),), in_channels=3, out_channels=2), 3),
    (ConvSpec((2, 3), stride=(2, 1), padding=1, in_channels=2, out_channels=2, groups=2), (3, 3)),
    (ConvSpec((2, 2), stride=2, dilation=(1, 2), in_channels=1, out_channels=2), (3, 4)),
]


@pytest.mark.parametrize("spec,size", CHANNEL_CASES, ids=str)
def test_channels_groups_and_axes(spec, size):
    w = kernel_symbols(spec)
    sizes = size if isinstance(size, tuple) else (size,)
    symbols = sympy.symbols(f"n0:{len(sizes)}", integer=True, positive=True)
    C = Conv(spec, w, symbols)
    at = dict(zip(symbols, sizes))
    explicit = C.subs(at).as_explicit()
    assert explicit == conv_matrix(spec, w, sizes).to_sympy().as_immutable()
    t = spec.transpose(sizes)
    T = C.T
    assert T.subs(at).as_explicit() == transposed_conv_matrix(t, w, spec.output_shape(sizes)).to_sympy().as_immutable()
    assert T.rewrite("gather").subs(at).doit() == explicit.T


def test_entries_are_kronecker_sums():
    spec = ConvSpec(3, stride=2, padding=1)
    w = kernel_symbols(spec)
    C = Conv(spec, w, n)
    expected = sum(w[0, 0, m] * KroneckerDelta(j, 2 * i + m - 1) for m in range(3))
    assert C[i, j] == expected
    assert C.shape == ((n + 1) // 2 + 0 * n, n) or sympy.simplify(C.shape[0] - (sympy.floor((n - 1) / 2) + 1)) == 0
    # a mistake in the index map is visible: tap 1 sits at j = 2i, not 2i + 1
    assert C[i, j].subs({i: 1, j: 2}) == w[0, 0, 1]
    assert C[i, j].subs({i: 1, j: 3}) == w[0, 0, 2]
    T = ConvTranspose(TransposedConvSpec(3, stride=2, padding=1), w, n)
    assert T[j, i] == expected  # the same index equation, read from the input side


def test_sympy_operations():
    spec = ConvSpec(3, stride=2, padding=1)
    w = kernel_symbols(spec)
    C = Conv(spec, w, n)
    assert C.T.T == C
    assert Transpose(C).doit() == C.T
    assert sympy.transpose(C) == C.T
    product = MatMul(C.T, C)
    assert product.shape == (n, n)
    assert C.free_symbols == {n, *w[0, 0]}
    assert C.subs(n, 5).shape == (3, 5)
    assert C.subs(w[0, 0, 0], 7).subs(n, 5).as_explicit()[1, 1] == 7
    X = sympy.MatrixSymbol("X", n, 1)
    assert (C * X).shape == (C.shape[0], 1)
    # as_explicit needs integer sizes
    with pytest.raises(ValueError):
        C.as_explicit()
    assert C.doit() == C
    # a ConvMatrix compares entry-wise with the expression at an integer size
    assert conv_matrix(spec, w, (5,)) == C.subs(n, 5)
    assert conv_matrix(spec, w, (6,)) != C.subs(n, 5)
    explicit = (C.T * C).subs(n, 5).doit()
    assert explicit == (conv_matrix(spec, w, (5,)).to_sympy().T * conv_matrix(spec, w, (5,)).to_sympy())


def test_gather_factors_alone():
    Z = ZeroInsert(3, n)
    assert Z.shape == (3 * n - 2, n)
    assert Z.subs(n, 4).as_explicit() == zero_insertion_matrix(1, (4,), (3,)).to_sympy().as_immutable()
    P = Pad(-1, 2, n, channels=2)
    assert P.subs(n, 3).as_explicit() == padding_matrix(2, (3,), ((-1, 2),)).to_sympy().as_immutable()
    S = Select(2, n)
    assert S.subs(n, 3).as_explicit() == sympy.Matrix([[1, 0, 0], [0, 1, 0]])
    assert Z[6, 2] == 1 and Z[5, 2] == 0 and Z[i, j] == KroneckerDelta(i, 3 * j)


@pytest.mark.parametrize(
    "expr,latex",
    [
        (lambda: Conv(ConvSpec(3, stride=2, padding=1), "w", n), r"\mathcal{C}_{k=3,s=2,p=1}(w)"),
        (lambda: Conv(ConvSpec(3, padding=((0, 1),), dilation=2), "v", n), r"\mathcal{C}_{k=3,s=1,p=(0, 1),d=2}(v)"),
        (lambda: Conv(ConvSpec(2, in_channels=2, out_channels=4, groups=2), "w", n),
         r"\mathcal{C}_{k=2,s=1,p=0,c=2\to 4,g=2}(w)"),
        (lambda: ConvTranspose(TransposedConvSpec(3, stride=2, padding=1, output_padding=1), "w", n),
         r"\mathcal{T}_{k=3,s=2,p=1,a=1}(w)"),
        (lambda: ZeroInsert(2, n), r"Z_{2}"),
        (lambda: Pad(1, -2, n), r"P_{1,-2}"),
        (lambda: Conv(ConvSpec(3, stride=2, padding=1), "w", n).T.rewrite("gather"),
         r"\mathcal{C}_{k=3,s=1,p=0}(\tilde{w}) P_{1,\left(\left(n + 1\right) \bmod 2\right) + 1} Z_{2}"),
        (lambda: Conv(ConvSpec(2), [[[1, 2]]], n), r"\mathcal{C}_{k=2,s=1,p=0}(\left[\begin{matrix}1 & 2\end{matrix}\right])"),
    ],
)
def test_latex(expr, latex):
    assert sympy.latex(expr()) == latex


def test_latex_of_an_identity_is_a_paper_line():
    C = Conv(ConvSpec(3, stride=2, padding=1), "w", n)
    line = sympy.latex(sympy.Eq(C.T, C.T.rewrite("gather"), evaluate=False))
    assert line.startswith(r"\mathcal{T}_{k=3,s=2,p=1,a=\left(n + 1\right) \bmod 2}(w) = \mathcal{C}_{k=3,s=1,p=0}(\tilde{w})")
    assert "_" not in line.replace("_{", "")  # no stray underscores


def test_pretty_and_str():
    C = Conv(ConvSpec(3, stride=2, padding=1), "w", n)
    text = sympy.pretty(C.T.rewrite("gather"), use_unicode=True)
    assert text.splitlines()[0].startswith("\N{MATHEMATICAL SCRIPT CAPITAL C}")
    assert "k=3,s=1,p=0" in text.splitlines()[1] and "w\N{COMBINING TILDE}" in text
    assert str(C) == "Conv(k=3, s=2, p=1)(w, n)"
    assert str(ZeroInsert(2, n, channels=3)) == "ZeroInsert(2, n, channels=3)"


def test_bad_input():
    spec = ConvSpec(3)
    with pytest.raises(SpecTypeError, match="integer"):
        Conv(spec, "w", sympy.Symbol("x"))
    with pytest.raises(SpecTypeError, match="ConvSpec"):
        Conv(TransposedConvSpec(3), "w", n)
    with pytest.raises(ShapeError, match="too small"):
        Conv(spec, "w", 2)
    with pytest.raises(ShapeError, match="expected"):
        Conv(spec, [[[1, 2]]], n)
    with pytest.raises(ShapeError, match="leaves nothing"):
        Pad(-2, -1, 3)
    with pytest.raises(SpecError, match="channels"):
        ZeroInsert(2, n, channels=0)
    with pytest.raises(ShapeError, match="empty output"):
        ConvTranspose(TransposedConvSpec(3, padding=3), "w", 1)
    with pytest.raises(SpecTypeError, match="symbolic"):
        _ = Conv(ConvSpec(3, stride=2), "w", n).T.tspec
