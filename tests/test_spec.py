import numpy as np
import pytest
import sympy

from symconv import ConvSpec, ShapeError, SpecError, SpecTypeError, TransposedConvSpec, kernel_symbols
from symconv import formulas as F


@pytest.mark.parametrize(
    "padding, expected",
    [
        (1, ((1, 1), (1, 1))),
        ((1, 2), ((1, 1), (2, 2))),
        (((1, 2), 0), ((1, 2), (0, 0))),
        ("valid", ((0, 0), (0, 0))),
        ("same", ((1, 1), (2, 2))),
    ],
)
def test_padding_forms(padding, expected):
    assert ConvSpec((3, 5), padding=padding).padding == expected


def test_same_padding_puts_extra_zero_right():
    assert ConvSpec(4, padding="same").padding == ((1, 2),)
    assert ConvSpec(4, padding="same", dilation=3).padding == ((4, 5),)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(kernel_size=0), SpecError, "kernel_size must be positive, got 0"),
        (dict(kernel_size=3, stride=0), SpecError, "stride"),
        (dict(kernel_size=3, dilation=-1), SpecError, "dilation"),
        (dict(kernel_size=3, padding=-1), SpecError, "padding"),
        (dict(kernel_size=3, padding=(1, 2)), SpecError, "((left, right),)"),
        (dict(kernel_size=3, stride=True), SpecTypeError, "stride must be an integer, got True"),
        (dict(kernel_size=2.0), SpecTypeError, "kernel_size"),
        (dict(kernel_size=3, padding="full"), SpecError, "'valid' or 'same'"),
        (dict(kernel_size=3, stride=2, padding="same"), SpecError, "stride 1"),
        (dict(kernel_size=3, in_channels=3, groups=2), SpecError, "in_channels must be divisible by groups"),
        (dict(kernel_size=3, in_channels=2, out_channels=3, groups=2), SpecError, "out_channels"),
        (dict(kernel_size=(3, 3), stride=(1, 2, 3)), SpecError, "one entry per spatial axis (2)"),
        (dict(kernel_size=()), SpecError, "kernel_size"),
    ],
)
def test_conv_spec_errors(kwargs, error, words):
    with pytest.raises(error) as info:
        ConvSpec(**kwargs)
    assert words in str(info.value)


def test_errors_are_builtin_subclasses():
    with pytest.raises(ValueError):
        ConvSpec(3, stride=0)
    with pytest.raises(TypeError):
        ConvSpec(3, stride=1.5)


def test_transposed_output_padding_rule():
    TransposedConvSpec(3, stride=1, dilation=3, output_padding=2)  # a < max(s, d)
    with pytest.raises(SpecError, match=r"output_padding\[0\]=2 must be smaller than max\(stride, dilation\)"):
        TransposedConvSpec(3, stride=2, dilation=1, output_padding=2)
    with pytest.raises(SpecError, match="strings are not accepted"):
        TransposedConvSpec(3, padding="same")


def test_input_shape_errors():
    spec = ConvSpec((3, 3))
    with pytest.raises(ShapeError, match="too small"):
        spec.output_shape((2, 5))
    with pytest.raises(ShapeError, match="one size per axis"):
        spec.output_shape((5,))
    with pytest.raises(ShapeError, match="positive"):
        spec.output_shape((0, 5))
    with pytest.raises(ShapeError, match="empty output"):
        TransposedConvSpec(1, padding=1).output_shape((1,))


def test_transpose_round_trip_restores_shape():
    spec = ConvSpec((3, 4), stride=(2, 3), padding=((1, 0), (2, 1)), dilation=(1, 2), in_channels=4, out_channels=6, groups=2)
    shape = (11, 13)
    t = spec.transpose(shape)
    assert (t.in_channels, t.out_channels) == (6, 4)
    assert t.output_shape(spec.output_shape(shape)) == shape
    assert t.transpose() == spec
    assert t.weight_shape == spec.weight_shape


def test_gather_view_data():
    t = TransposedConvSpec((3, 2), stride=(2, 1), padding=((1, 2), (0, 0)), output_padding=(1, 0), dilation=(1, 2))
    g = t.as_convolution()
    assert g.zero_insertion == (2, 1)
    assert g.padding == ((1, 1), (2, 2))
    assert g.conv.stride == (1, 1) and g.conv.padding == ((0, 0), (0, 0)) and g.conv.dilation == (1, 2)


def test_weight_transform_is_group_wise_swap_and_flip():
    t = TransposedConvSpec(2, in_channels=4, out_channels=6, groups=2)
    w = np.arange(np.prod(t.weight_shape)).reshape(t.weight_shape)  # (4, 3, 2)
    out = t.as_convolution().transform_weight(w)
    assert out.shape == (6, 2, 2)
    for co in range(6):
        for cl in range(2):
            grp = co // 3
            np.testing.assert_array_equal(out[co, cl], w[grp * 2 + cl, co - grp * 3, ::-1])
    perm = t.as_convolution().tap_permutation
    assert sorted(perm.tolist()) == list(range(w.size))


def test_weight_transform_on_sympy_array():
    t = TransposedConvSpec(3, in_channels=2, out_channels=2, groups=2)
    w = kernel_symbols(t)
    out = t.as_convolution().transform_weight(w)
    assert isinstance(out, sympy.NDimArray)
    assert out[1, 0, 0] == w[1, 0, 2]


# every formula runs on ints and on sympy symbols
n, k, s, pl, pr, d, a, i, m, t, left = sympy.symbols("n k s p_l p_r d a i m t left", integer=True)


@pytest.mark.parametrize(
    "fn, args, symbolic",
    [
        (F.conv_output_size, (7, 3, 2, 1, 0, 2), sympy.floor((n + pl + pr - d * (k - 1) - 1) / s) + 1),
        (F.transposed_output_size, (3, 3, 2, 1, 0, 2, 1), (n - 1) * s - pl - pr + d * (k - 1) + a + 1),
        (F.output_padding_for, (7, 3, 2, 1, 0, 2), sympy.Mod(n + pl + pr - d * (k - 1) - 1, s)),
        (F.tap_position, (2, 1, 2, 1, 3), s * i + d * m - pl),
        (F.flip_tap, (1, 4), k - 1 - m),
        (F.zero_insertion_position, (3, 2), s * i),
        (F.zero_inserted_size, (3, 2), s * (n - 1) + 1),
        (F.padded_position, (2, -1), t + left),
        (F.gather_padding_left, (3, 1, 2), d * (k - 1) - pl),
        (F.gather_padding_right, (3, 1, 2, 1), d * (k - 1) - pr + a),
    ],
)
def test_formulas_on_ints_and_symbols(fn, args, symbolic):
    assert fn.__name__ in F.__all__
    names = fn.__code__.co_varnames[: fn.__code__.co_argcount]
    table = dict(n=n, k=k, s=s, p_l=pl, p_r=pr, d=d, a=a, i=i, m=m, t=t, left=left)
    value = fn(*(table[x] for x in names))
    assert sympy.simplify(value - symbolic) == 0
    assert isinstance(fn(*args), int)
    assert fn(*args) == symbolic.subs(dict(zip((table[x] for x in names), args)))


def test_everything_after_kernel_size_is_keyword_only():
    # PyTorch's Conv1d(in, out, kernel_size) order must not silently mean kernel, stride, padding here
    with pytest.raises(TypeError, match="positional"):
        ConvSpec(16, 8, 4)
    with pytest.raises(TypeError, match="positional"):
        TransposedConvSpec(3, 2)
    assert ConvSpec(3, stride=2).stride == (2,)
