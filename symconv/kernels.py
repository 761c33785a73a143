"""Kernel symbols and weight validation, in PyTorch's weight layouts."""

from __future__ import annotations

import itertools
import re
from typing import Any

import numpy as np
import sympy

from .errors import ShapeError, SizeLimitError, SpecError, SpecTypeError

__all__ = ["kernel_symbols", "as_weight", "SYMBOL_LIMIT"]

SYMBOL_LIMIT = 1_000_000
"""Largest number of weight symbols :func:`kernel_symbols` creates (settable)."""

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")


def check_name(name: Any, what: str = "name") -> str:
    """Accept a plain ASCII identifier without underscores (it becomes TeX)."""
    if not isinstance(name, str):
        raise SpecTypeError(f"{what} must be a string, got {name!r} of type {type(name).__name__}")
    if not _NAME.match(name):
        raise SpecError(
            f"{what} must be a plain identifier (an ASCII letter, then letters or digits), got {name!r}"
        )
    return name


def kernel_symbols(spec: Any, name: str = "w") -> sympy.ImmutableDenseNDimArray:
    """Real symbols for every weight entry, in PyTorch's layout.

    The shape is ``spec.weight_shape``: ``(out_channels, in_channels // groups,
    *kernel_size)`` for a :class:`~symconv.ConvSpec`, ``(in_channels,
    out_channels // groups, *kernel_size)`` for a
    :class:`~symconv.TransposedConvSpec`.  Symbols carry the spatial tap index;
    channel indices are prepended when the weight has several channel pairs.

    The symbols carry ``real=True`` (a layer's weights are real numbers); a
    :class:`~symconv.ConvMatrix` matches a plain symbol or a name to them in
    ``subs``, ``xreplace`` and ``diff``.

    Parameters
    ----------
    spec : ConvSpec or TransposedConvSpec
        The layer, for ``spec.weight_shape``.
    name : str
        The symbols' name, a plain identifier (it becomes TeX).

    Returns
    -------
    sympy.ImmutableDenseNDimArray
        One symbol per weight entry, of shape ``spec.weight_shape``.

    Raises
    ------
    SpecError, SpecTypeError
        For a name that is no plain identifier.
    SizeLimitError
        Over ``SYMBOL_LIMIT`` symbols.

    Examples
    --------
    >>> from symconv import ConvSpec
    >>> kernel_symbols(ConvSpec(3))
    [[[w_0, w_1, w_2]]]
    >>> kernel_symbols(ConvSpec((2, 2)), "v")[0, 0]
    [[v_{0,0}, v_{0,1}], [v_{1,0}, v_{1,1}]]
    >>> kernel_symbols(ConvSpec(1, in_channels=2), "w")[0, 1, 0]
    w_{0,1,0}
    >>> kernel_symbols(ConvSpec(3), "w_1")
    Traceback (most recent call last):
    ...
    symconv.errors.SpecError: name must be a plain identifier (an ASCII letter, then letters or digits), got 'w_1'
    """
    check_name(name)
    shape = spec.weight_shape
    size = 1
    for n in shape:
        size *= n
    if size > SYMBOL_LIMIT:
        raise SizeLimitError(
            f"kernel_symbols would create {size} symbols for the weight shape {shape} (kernel_size "
            f"{spec.kernel_size}), over SYMBOL_LIMIT={SYMBOL_LIMIT}; raise symconv.kernels.SYMBOL_LIMIT to allow it"
        )
    with_channels = shape[0] * shape[1] > 1
    symbols = []
    for idx in itertools.product(*(range(n) for n in shape)):
        sub = idx if with_channels else idx[2:]
        text = f"{name}_{sub[0]}" if len(sub) == 1 else f"{name}_{{{','.join(map(str, sub))}}}"
        symbols.append(sympy.Symbol(text, real=True))
    return sympy.ImmutableDenseNDimArray(symbols, shape)


def flat_entries(array: sympy.NDimArray) -> list:
    """The entries of a sympy Array in row-major order."""
    stored = getattr(array, "_array", None)  # dense sympy arrays keep their entries as a flat list
    if isinstance(stored, list):
        return list(stored)
    size = 1
    for n in array.shape:
        size *= n
    return list(array.reshape(size))


def object_array(weight: Any) -> np.ndarray:
    """``weight`` as a numpy object array of its shape.

    A sympy Array is read from its flat entries, not by ``np.asarray``'s walk through its sub-arrays (~100x
    slower: 0.5 ms for nine symbols).

    Parameters
    ----------
    weight : array_like
        A sympy Array, a numpy array or nested lists.

    Returns
    -------
    numpy.ndarray
        The entries, dtype object, in ``weight``'s shape.

    Examples
    --------
    >>> w = sympy.Array(sympy.symbols("a b c d")).reshape(2, 2)
    >>> object_array(w)[1, 0], object_array(w).shape
    (c, (2, 2))
    """
    if isinstance(weight, sympy.NDimArray):
        entries = flat_entries(weight)
        arr = np.empty(len(entries), dtype=object)
        arr[:] = entries
        return arr.reshape(tuple(weight.shape))
    return np.asarray(weight, dtype=object)


def as_weight(spec: Any, weight: Any) -> sympy.ImmutableDenseNDimArray:
    """Validate a weight (sympy Array, numpy array or nested lists) against ``spec``.

    Returns it as a sympy immutable Array of ``spec.weight_shape``.

    Parameters
    ----------
    spec : ConvSpec or TransposedConvSpec
        The layer.
    weight : sympy Array, array_like or torch.Tensor
        The weight, in PyTorch's layout ``spec.weight_shape``.

    Returns
    -------
    sympy.ImmutableDenseNDimArray
        The weight's entries as sympy numbers or expressions.

    Raises
    ------
    ShapeError
        For a weight of the wrong shape, or ragged nested lists.
    SpecTypeError
        For entries that are not numbers or sympy expressions (booleans, strings).

    Examples
    --------
    >>> from symconv import ConvSpec
    >>> as_weight(ConvSpec(2), [[[1, 2]]])
    [[[1, 2]]]
    """
    expected = tuple(spec.weight_shape)
    if hasattr(weight, "detach") and hasattr(weight, "numpy"):  # a torch tensor: a Parameter, on any device
        weight = weight.detach().cpu()
        weight = (weight.double() if weight.is_floating_point() else weight).numpy()
    if isinstance(weight, sympy.NDimArray):
        if tuple(weight.shape) != expected:
            raise ShapeError(
                f"weight has shape {tuple(weight.shape)}, expected {expected} = (channels, channels // groups, "
                f"*kernel_size) for {spec}"
            )
        return weight if isinstance(weight, sympy.ImmutableDenseNDimArray) else sympy.ImmutableDenseNDimArray(weight)
    else:
        try:
            arr = np.asarray(weight, dtype=object)
        except ValueError as exc:  # ragged nested lists
            raise ShapeError(f"weight must be a rectangular array of shape {expected}: {exc}") from None
        shape, flat = arr.shape, list(arr.ravel())
    if shape != expected:
        raise ShapeError(
            f"weight has shape {shape}, expected {expected} = (channels, channels // groups, *kernel_size) for {spec}"
        )
    values = []
    for v in flat:
        if isinstance(v, (bool, np.bool_)) or isinstance(v, str):
            raise SpecTypeError(f"weight entries must be numbers or sympy expressions, got {v!r}")
        try:
            values.append(sympy.sympify(v.item() if isinstance(v, np.generic) else v, strict=True))
        except (sympy.SympifyError, TypeError):
            raise SpecTypeError(f"weight entries must be numbers or sympy expressions, got {v!r}") from None
    return sympy.ImmutableDenseNDimArray(values, expected)
