"""sympy's matrix habits on :class:`~symconv.ConvMatrix`: names in ``subs``, slices, ``rows``, ``diff``, ``lambdify``.

:class:`SympyMatrixHabits` is a mixin of ``ConvMatrix`` (it reads the structure
and the weight through ConvMatrix's own attributes).  What a user of sympy's
``MatrixBase`` expects either works on the ConvMatrix itself or is refused with
an ``AttributeError`` that names the route, ``sympy.Matrix(M)``.

The kernel symbols carry ``real=True`` (a layer's weights are real numbers:
``conjugate(w_0)`` is ``w_0`` and the adjoint and gradient identities need no
conjugates), so ``sympy.Symbol("w_0")``, without assumptions, is a different
symbol.  The methods here that take symbols (:meth:`~SympyMatrixHabits.subs`,
:meth:`~SympyMatrixHabits.xreplace`, :meth:`~SympyMatrixHabits.diff`) therefore
match a name (a string) or a plain symbol to the kernel symbol of that name, and
refuse one that names no symbol of the matrix instead of changing nothing.

>>> import sympy
>>> from symconv import ConvSpec, conv_matrix, kernel_symbols
>>> spec = ConvSpec(3, stride=2, padding=1)
>>> M = conv_matrix(spec, kernel_symbols(spec), (5,))
>>> M.rows, M.cols, len(M)
(3, 5, 15)
>>> M.subs({"w_2": 7})[0, :]
Matrix([[w_1, 7, 0, 0, 0]])
>>> M.subs(sympy.Symbol("w_0"), 5)[1, 1]
5
>>> M[:, sympy.Integer(1)].T
Matrix([[w_2, w_0, 0]])
"""

from __future__ import annotations

import operator
from collections import defaultdict
from typing import Any

import numpy as np
import sympy

from .errors import SpecError, SpecTypeError
from .structure import CONSTANT

__all__ = ["SympyMatrixHabits"]

ROUTE = "sympy.Matrix(M)"
"""How to reach every sympy matrix method (the explicit matrix; ``M.to_sympy()`` is its sparse twin)."""


def _index(value: Any, size: int, what: str) -> int:
    """An int-like index (int, numpy or sympy integer) in ``[-size, size)``, made non-negative."""
    if isinstance(value, bool):
        raise SpecTypeError(f"{what} index must be an integer, got {value!r}")
    try:
        i = operator.index(value)
    except TypeError:
        raise SpecTypeError(f"{what} index must be an integer, a slice or a list of integers, got {value!r} "
                            f"of type {type(value).__name__}") from None
    if not -size <= i < size:
        raise IndexError(f"{what} index {i} is out of range for {size} {what}s")
    return i % size


def _selection(key: Any, size: int, what: str) -> list[int] | None:
    """The positions a slice or a list selects (None for a single index)."""
    if isinstance(key, slice):
        return list(range(*key.indices(size)))
    if isinstance(key, (list, np.ndarray)) or (isinstance(key, sympy.Basic) and getattr(key, "is_Matrix", False)):
        return [_index(v, size, what) for v in np.asarray(key, dtype=object).ravel().tolist()]
    return None


class SympyMatrixHabits:
    """The part of :class:`~symconv.ConvMatrix` that behaves like sympy's ``MatrixBase``.

    Notes
    -----
    Works on a ConvMatrix: ``M.rows``, ``M.cols``, ``M.shape``, ``len(M)``,
    ``M[i, j]`` with sympy integers, ``M[0, :]``, ``M[:, j]``, ``M[a:b, [c, d]]``
    (an ``ImmutableSparseMatrix``), ``M[k]`` (row-major, as sympy), ``M.subs``,
    ``M.xreplace`` and ``M.diff`` with names, plain symbols or kernel symbols,
    ``M.rank()``, ``M.transpose()``, ``M.tolist()``, ``M.row(i)``, ``M.col(j)``,
    ``M.as_explicit()`` and ``sympy.lambdify(symbols, M)`` (what lambdify makes
    of a sparse sympy matrix: a SciPy sparse matrix; ``sympy.lambdify(symbols,
    sympy.Matrix(M))`` returns a dense numpy array).  Any other attribute
    of sympy's matrices raises an ``AttributeError`` naming ``sympy.Matrix(M)``.
    """

    __slots__ = ()

    _iterable = False
    """sympy's ``iterable(M)`` is False, so ``lambdify`` reads M as one matrix (``sympy.sympify(M)``, sparse)
    instead of recursing into its entries; ``sympy.lambdify(w, sympy.Matrix(M))`` gives a dense array."""

    # -- sizes ----------------------------------------------------------------------------------
    @property
    def rows(self) -> int:
        """Number of rows (sympy's ``Matrix.rows``).

        Returns
        -------
        int
        """
        return self.shape[0]

    @property
    def cols(self) -> int:
        """Number of columns (sympy's ``Matrix.cols``).

        Returns
        -------
        int
        """
        return self.shape[1]

    @property
    def is_square(self) -> bool:
        """Whether the matrix has as many rows as columns."""
        return self.shape[0] == self.shape[1]

    def __len__(self) -> int:
        """The number of entries, rows times columns, as ``len`` of a sympy matrix."""
        return self.shape[0] * self.shape[1]

    # -- indexing -------------------------------------------------------------------------------
    def _values_in(self, rows: set[int], cols: set[int]) -> dict:
        """``{(row, column): value}`` of the nonzero entries inside the given rows and columns."""
        s = self._structure
        mask = np.isin(s.rows, np.fromiter(rows, dtype=np.int64)) & np.isin(s.cols, np.fromiter(cols, dtype=np.int64))
        sums: dict = defaultdict(list)
        for r, c, t, k in zip(s.rows[mask].tolist(), s.cols[mask].tolist(), s.taps[mask].tolist(),
                              s.coefs[mask].tolist()):
            sums[(r, c)].append(self._term_value(t, k))
        values = {key: sympy.Add(*terms) for key, terms in sums.items()}
        return {key: v for key, v in values.items() if v != 0}

    def _block(self, rows: list[int], cols: list[int]) -> sympy.ImmutableSparseMatrix:
        """The submatrix of the given rows and columns (repeats allowed), as sympy's slicing gives it."""
        at_row: dict = defaultdict(list)
        at_col: dict = defaultdict(list)
        for a, r in enumerate(rows):
            at_row[r].append(a)
        for b, c in enumerate(cols):
            at_col[c].append(b)
        entries = {(a, b): v for (r, c), v in self._values_in(set(rows), set(cols)).items()
                   for a in at_row[r] for b in at_col[c]}
        return sympy.ImmutableSparseMatrix(len(rows), len(cols), entries)

    def _getitem_sympy(self, key: Any) -> Any:
        """sympy's indexing forms, or None when ``key`` is ConvMatrix's own ``M[i, j]``."""
        if isinstance(key, tuple) and len(key) == 2:
            rows = _selection(key[0], self.shape[0], "row")
            cols = _selection(key[1], self.shape[1], "column")
            if rows is None and cols is None:
                return None
            if rows is None:
                rows = [self._flat_index(key[0], self.row_shape, "row")]
            if cols is None:
                cols = [self._flat_index(key[1], self.col_shape, "column")]
            return self._block(rows, cols)
        if isinstance(key, slice):
            flat = list(range(*key.indices(len(self))))
            return [self[divmod(k, self.shape[1])] for k in flat]
        if not isinstance(key, tuple):
            i, j = divmod(_index(key, len(self), "entry"), self.shape[1])
            return self[i, j]
        return None

    # -- substitution -----------------------------------------------------------------------------
    def _symbols_by_name(self) -> dict:
        weight = self.weight
        return {} if weight is None else {str(v): v for v in weight.free_symbols}

    def _kernel_symbol(self, key: Any, names: dict, method: str) -> Any:
        """``key`` as the kernel symbol it names (a string or a plain symbol), else unchanged."""
        if isinstance(key, str) or isinstance(key, sympy.Symbol):
            name = key if isinstance(key, str) else key.name
            match = names.get(name)
            if match is None:
                shown = ", ".join(sorted(names)[:8]) + (", ..." if len(names) > 8 else "")
                raise SpecError(f"M.{method}: {key!r} names no symbol of this matrix's weight "
                                f"({'its symbols: ' + shown if names else 'it has no symbols'}); nothing would change")
            return match
        return key

    def _rule(self, args: tuple, method: str) -> list:
        """sympy's ``subs`` arguments (old, new), a dict or pairs, with names matched to the kernel symbols."""
        if len(args) == 2:
            pairs = [args]
        elif len(args) == 1:
            arg = args[0]
            pairs = list(arg.items()) if isinstance(arg, dict) else [tuple(pair) for pair in arg]
        else:
            raise SpecTypeError(f"M.{method} takes (old, new), a dict or a sequence of pairs, got {len(args)} arguments")
        names = self._symbols_by_name()
        return [(self._kernel_symbol(old, names, method), new) for old, new in pairs]

    def _with_weight(self, weight: Any) -> Any:
        return type(self)(self._structure, weight, self.row_shape, self.col_shape, self._origin)

    def subs(self, *args: Any, **kwargs: Any) -> Any:
        """The matrix with a substitution in its weight: same structure, substituted weight.

        Parameters
        ----------
        *args
            sympy's forms: ``(old, new)``, a dict ``{old: new}`` or a sequence of
            pairs.  ``old`` may be a kernel symbol, a plain ``sympy.Symbol`` of the
            same name or the name as a string.
        **kwargs
            Passed to sympy's ``subs`` (e.g. ``simultaneous=True``).

        Returns
        -------
        ConvMatrix

        Raises
        ------
        SpecError
            When a name or symbol is no symbol of the matrix's weight (sympy would change nothing).

        Examples
        --------
        >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
        >>> spec = ConvSpec(2)
        >>> M = conv_matrix(spec, kernel_symbols(spec), (3,))
        >>> M.subs({"w_0": 1, "w_1": 2}).to_numpy().tolist()
        [[1.0, 2.0, 0.0], [0.0, 1.0, 2.0]]
        >>> M.subs("v_0", 1)
        Traceback (most recent call last):
        ...
        symconv.errors.SpecError: M.subs: 'v_0' names no symbol of this matrix's weight (its symbols: w_0, w_1); nothing would change
        """
        rule = self._rule(args, "subs")
        if self.weight is None:
            return self
        return self._with_weight(self.weight.subs(rule, **kwargs))

    def xreplace(self, rule: dict) -> Any:
        """The matrix with sympy's structural replacement ``xreplace`` applied to its weight.

        Parameters
        ----------
        rule : dict
            ``{old: new}``; an ``old`` that is a name or a plain symbol means the kernel symbol of that name.

        Returns
        -------
        ConvMatrix

        Raises
        ------
        SpecError
            When a name or symbol is no symbol of the matrix's weight.

        Examples
        --------
        >>> import sympy
        >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
        >>> spec = ConvSpec(2)
        >>> M = conv_matrix(spec, kernel_symbols(spec), (3,))
        >>> M.xreplace({"w_1": sympy.Symbol("b")})[0, 1]
        b
        """
        if not isinstance(rule, dict):
            raise SpecTypeError(f"M.xreplace takes a dict {{old: new}}, got {type(rule).__name__}")
        pairs = dict(self._rule((rule,), "xreplace"))
        if self.weight is None:
            return self
        return self._with_weight(self.weight.xreplace(pairs))

    def diff(self, *symbols: Any, **kwargs: Any) -> Any:
        """The entry-wise derivative, as sympy's ``Matrix.diff``.

        Every entry is a sum of integer multiples of weight entries, so the
        derivative has the same structure with the differentiated weight.

        Parameters
        ----------
        *symbols
            What to differentiate by (sympy's forms, e.g. ``w0`` or ``(w0, 2)``);
            a name or a plain symbol means the kernel symbol of that name.
        **kwargs
            Passed to sympy's ``diff``.

        Returns
        -------
        ConvMatrix, or a sympy SparseMatrix when the matrix has entries without a weight

        Raises
        ------
        SpecError
            When a name or symbol is no symbol of the matrix's weight.

        Examples
        --------
        >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
        >>> spec = ConvSpec(2)
        >>> M = conv_matrix(spec, kernel_symbols(spec), (3,))
        >>> M.diff("w_1").to_numpy().tolist()
        [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
        """
        names = self._symbols_by_name()
        by = [tuple([self._kernel_symbol(s[0], names, "diff"), *s[1:]]) if isinstance(s, tuple)
              else self._kernel_symbol(s, names, "diff") if isinstance(s, (str, sympy.Symbol)) else s
              for s in symbols]
        if self.weight is None or bool(np.any(self._structure.taps == CONSTANT)):
            return self.to_sympy().diff(*by, **kwargs)
        return self._with_weight(self.weight.diff(*by, **kwargs))

    # -- sympy's other habits ---------------------------------------------------------------------
    def rank(self, **kwargs: Any) -> int:
        """The rank over the field of the entries (sympy's ``Matrix.rank`` on the sparse matrix).

        Returns
        -------
        int

        Examples
        --------
        >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
        >>> spec = ConvSpec(3, stride=2, padding=1)
        >>> conv_matrix(spec, kernel_symbols(spec), (5,)).rank()
        3
        """
        return self.to_sympy().rank(**kwargs)

    def transpose(self) -> Any:
        """The transpose, ``M.T`` (a ConvMatrix).

        Returns
        -------
        ConvMatrix
            The transpose, rows and columns exchanged.

        Examples
        --------
        >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
        >>> spec = ConvSpec(2, stride=2)
        >>> M = conv_matrix(spec, kernel_symbols(spec), (4,))
        >>> M.transpose().shape
        (4, 2)
        """
        return self.T

    def tolist(self) -> list:
        """The entries as a list of rows (sympy's ``Matrix.tolist``).

        Returns
        -------
        list of list
            The entries, as sympy objects.

        Examples
        --------
        >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
        >>> spec = ConvSpec(2, stride=2)
        >>> M = conv_matrix(spec, kernel_symbols(spec), (4,))
        >>> M.tolist()
        [[w_0, w_1, 0, 0], [0, 0, w_0, w_1]]
        """
        return self._object_dense().tolist()

    def row(self, i: Any) -> sympy.ImmutableSparseMatrix:
        """Row ``i`` as a 1-row sympy matrix (``M[i, :]``).

        Parameters
        ----------
        i : int
            The row (an int or a sympy integer; negative counts from the end).

        Returns
        -------
        sympy.ImmutableSparseMatrix
            The row.

        Raises
        ------
        ShapeError
            For a row out of range.

        Examples
        --------
        >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
        >>> spec = ConvSpec(2, stride=2)
        >>> M = conv_matrix(spec, kernel_symbols(spec), (4,))
        >>> M.row(1)
        Matrix([[0, 0, w_0, w_1]])
        """
        return self[i, :]

    def col(self, j: Any) -> sympy.ImmutableSparseMatrix:
        """Column ``j`` as a 1-column sympy matrix (``M[:, j]``).

        Parameters
        ----------
        j : int
            The column (an int or a sympy integer; negative counts from the end).

        Returns
        -------
        sympy.ImmutableSparseMatrix
            The column.

        Raises
        ------
        ShapeError
            For a column out of range.

        Examples
        --------
        >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
        >>> spec = ConvSpec(2, stride=2)
        >>> M = conv_matrix(spec, kernel_symbols(spec), (4,))
        >>> M.col(1).T
        Matrix([[w_1, 0]])
        """
        return self[:, j]

    def as_explicit(self) -> sympy.ImmutableSparseMatrix:
        """The explicit matrix, ``sympy.sympify(M)`` (sympy's ``MatrixExpr.as_explicit``).

        Returns
        -------
        sympy.ImmutableSparseMatrix
            The entries.

        Examples
        --------
        >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
        >>> spec = ConvSpec(2, stride=2)
        >>> M = conv_matrix(spec, kernel_symbols(spec), (4,))
        >>> M.as_explicit()
        Matrix([
        [w_0, w_1,   0,   0],
        [  0,   0, w_0, w_1]])
        """
        return self._sympy_()

    def __getattr__(self, name: str) -> Any:
        """Refuse sympy's other matrix attributes with the route to them."""
        if not name.startswith("_") and hasattr(sympy.MutableSparseMatrix, name):
            raise AttributeError(f"ConvMatrix has no .{name}; it is a method of sympy's matrices: use "
                                 f"{ROUTE}.{name} (or M.to_sympy().{name} for the sparse matrix)")
        raise AttributeError(f"'{type(self).__name__}' object has no attribute {name!r}")
