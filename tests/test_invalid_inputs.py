"""Generated invalid input: every case raises symconv's own ValueError/TypeError naming the parameter."""

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv import (
    ConvSpec,
    SymconvError,
    TransposedConvSpec,
    conv_matrix,
    kernel_symbols,
    prove_transpose,
    transposed_conv_matrix,
)

KINDS: Counter = Counter()

BAD_SCALARS = [0, -1, -(10**9), 1.5, float("nan"), "3", None, True, False, [], {}, 2 + 0j]
FIELDS = ["kernel_size", "stride", "padding", "dilation", "in_channels", "out_channels", "groups", "output_padding"]


@st.composite
def invalid_cases(draw):
    ndim = draw(st.integers(1, 3))
    transposed = draw(st.booleans())
    base = dict(kernel_size=(3,) * ndim, stride=(2,) * ndim, padding=(1,) * ndim, dilation=(1,) * ndim,
                in_channels=2, out_channels=4, groups=2)
    if transposed:
        base["output_padding"] = (0,) * ndim
    target = draw(st.sampled_from(["spec", "spec", "spec", "shape", "weight"]))
    shape = (6,) * ndim
    weight = None
    if target == "spec":
        field = draw(st.sampled_from([f for f in FIELDS if transposed or f != "output_padding"]))
        how = draw(st.sampled_from(["scalar", "per_axis_item", "length"]))
        bad = draw(st.sampled_from(BAD_SCALARS))
        if bad == 0 and not isinstance(bad, bool) and field in ("padding", "output_padding"):
            bad = -1  # zero padding is valid
        if field in ("in_channels", "out_channels", "groups"):
            if how == "length":
                bad = 3 if field == "groups" else 5  # groups not dividing channels
            base[field] = bad
        elif how == "scalar":
            base[field] = bad
        elif how == "per_axis_item":
            items = list(base[field])
            items[draw(st.integers(0, ndim - 1))] = bad
            base[field] = tuple(items)
        else:
            base[field] = tuple(base[field]) + (1,) if draw(st.booleans()) else tuple(base[field])[:-1] or ()
        if field == "output_padding" and draw(st.booleans()):
            base[field] = (2,) * ndim  # >= max(stride, dilation) = 2
        if field == "padding" and draw(st.booleans()):
            base[field] = draw(st.sampled_from(["full", ((1, 2, 3),) * ndim, ((-1, 0),) * ndim, "same"]))
            if base[field] == "same" and not transposed:
                base["stride"] = (2,) * ndim  # "same" needs stride 1
        param = field
        if field == "kernel_size" and how == "length" and base[field]:
            param = ("kernel_size", "stride", "padding", "dilation", "output_padding")  # ndim mismatch: either side
    elif target == "shape":
        how = draw(st.sampled_from(["length", "item", "small"]))
        if how == "length":
            shape = (6,) * (ndim + draw(st.sampled_from([-ndim, 1, 2])))
        elif how == "item":
            items = list(shape)
            items[draw(st.integers(0, ndim - 1))] = draw(st.sampled_from([0, -5, 2.5, "5", None, True]))
            shape = tuple(items)
        else:
            # conv: larger than the padded input; transposed: over the size bounds
            low, high = (10**7, 10**12) if transposed else (10, 10**5)
            base["kernel_size"] = (draw(st.integers(low, high)),) * ndim
            base["padding"] = (0,) * ndim
        param = "input_shape"
        if how == "small" and transposed:  # a huge kernel is valid for a transposed layer: its size is bounded
            param = ("SYMBOL_LIMIT", "MATRIX_LIMIT", "INSTANCE_LIMIT")
    else:
        spec = (TransposedConvSpec if transposed else ConvSpec)(**base)
        good = spec.weight_shape
        how = draw(st.sampled_from(["shape", "ndim", "entry"]))
        if how == "shape":
            weight = np.ones(good[:-1] + (good[-1] + 1,))
        elif how == "ndim":
            weight = np.ones(good[:-1])
        else:
            weight = np.ones(good, dtype=object)
            weight.flat[draw(st.integers(0, weight.size - 1))] = draw(st.sampled_from(["x", None, True, [1, 2]]))
        param = "weight"
    return transposed, base, shape, weight, param


def _run(transposed, base, shape, weight):
    cls = TransposedConvSpec if transposed else ConvSpec
    spec = cls(**base)
    spec.output_shape(shape)  # as every builder does first
    w = kernel_symbols(spec) if weight is None else weight
    if transposed:
        transposed_conv_matrix(spec, w, shape)
    else:
        conv_matrix(spec, w, shape)
    prove_transpose(spec, shape)


@settings(max_examples=1200)
@given(invalid_cases())
def test_invalid_input_raises_named_symconv_error(case):
    transposed, base, shape, weight, param = case
    with pytest.raises((ValueError, TypeError)) as info:
        _run(transposed, base, shape, weight)
    exc = info.value
    assert isinstance(exc, SymconvError), f"{type(exc).__name__}: {exc}"
    assert type(exc).__name__ in ("SpecError", "SpecTypeError", "ShapeError", "SizeLimitError")
    message = str(exc)
    names = set(param) if isinstance(param, tuple) else {param}
    if param in ("in_channels", "out_channels", "groups"):
        names.add("groups")
    assert any(name in message for name in names), message
    KINDS[type(exc).__name__] += 1  # tallied for reports: python -c "...; print(test_invalid_inputs.KINDS)"

