"""Convolution matrices as :class:`ConvMatrix`, built on the integer structure.

Matrices act on tensors of shape ``(channels, *spatial)`` flattened row-major,
one batch element.  Every builder is vectorised numpy index arithmetic driven
by the functions of :mod:`symconv.formulas`.

>>> from symconv import ConvSpec, kernel_symbols
>>> spec = ConvSpec(3, stride=2, padding=1)
>>> M = conv_matrix(spec, kernel_symbols(spec), (5,))
>>> M.shape, M.nnz
((3, 5), 7)
>>> M[1, 2]
w_1
"""

from __future__ import annotations

import gc
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy

from . import formulas as F
from .convmatrix_sympy import SympyMatrixHabits
from .errors import ShapeError, SizeLimitError, SpecTypeError
from .kernels import as_weight, flat_entries
from .spec import ConvSpec, TransposedConvSpec
from .structure import CONSTANT, Structure

__all__ = [
    "ConvMatrix",
    "conv_matrix",
    "transposed_conv_matrix",
    "scatter_matrix",
    "zero_insertion_matrix",
    "padding_matrix",
    "selection_matrix",
    "DENSE_LIMIT",
]

DENSE_LIMIT = 2**24
"""Largest number of entries ``to_numpy``/``__array__`` make dense by default."""

MATRIX_LIMIT = 50_000_000
"""Largest number of candidate (position, tap) pairs a matrix builder enumerates (settable)."""


def _sparse_from_dod(dod: dict, shape: tuple[int, int], cls: Any = sympy.SparseMatrix) -> Any:
    """A sympy sparse matrix from ``{row: {col: value}}`` through DomainMatrix (EXRAW), skipping entry checks."""
    try:
        from sympy.polys.domains import EXRAW
        from sympy.polys.matrices import DomainMatrix

        return cls._fromrep(DomainMatrix(dod, shape, EXRAW))
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - older or newer sympy
        return cls(*shape, {(r, c): v for r, row in dod.items() for c, v in row.items()})


def _check_terms(what: str, count: int) -> None:
    if count > MATRIX_LIMIT:
        raise SizeLimitError(
            f"{what} would enumerate {count} (position, tap) pairs, over MATRIX_LIMIT={MATRIX_LIMIT}; use "
            "prove_transpose_general() for a proof that covers every size, or raise symconv.matrices.MATRIX_LIMIT"
        )

STR_LIMIT = 24
"""Matrices with more rows or columns than this print as a summary."""


class ConvMatrix(SympyMatrixHabits):
    """An immutable sparse matrix whose entries are integer multiples of weight entries.

    Do not construct directly: use :func:`conv_matrix`,
    :func:`transposed_conv_matrix` and the building-block functions.

    Attributes
    ----------
    shape : (int, int)
        The number of rows and columns.
    row_shape, col_shape : tuple of int
        The tensor shapes ``(channels, *spatial)`` that rows and columns flatten.
    weight : sympy Array or None
        The weight the taps index (None for 0/1 matrices).  For a product of two
        weighted matrices, a 1-D Array of the distinct products of their weight
        entries.

    Notes
    -----
    A ConvMatrix works with sympy: ``sympy.Matrix(M)`` and the other matrix
    constructors (through ``__array__``), ``sympy.sympify(M)`` (an
    ImmutableSparseMatrix), ``sympy.latex(M)``, ``sympy.pretty(M)``, ``==``
    with any sympy matrix, ``@`` and ``*`` with ConvMatrix objects, sympy
    matrices, matrix expressions and numpy arrays, :meth:`subs`,
    :attr:`free_symbols` and :meth:`applyfunc`; sympy's indexing, sizes,
    ``diff``, ``xreplace``, ``rank`` and ``lambdify`` come from
    :class:`symconv.convmatrix_sympy.SympyMatrixHabits`.

    Examples
    --------
    >>> import sympy
    >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
    >>> spec = ConvSpec(2, stride=2)
    >>> M = conv_matrix(spec, kernel_symbols(spec), (4,))
    >>> M.shape, M.row_shape, M.col_shape
    ((2, 4), (1, 2), (1, 4))
    >>> sympy.Matrix(M.subs({"w_0": 7}))
    Matrix([
    [7, w_1, 0,   0],
    [0,   0, 7, w_1]])
    """

    __slots__ = ("_structure", "weight", "row_shape", "col_shape", "_origin", "_flat_cache")

    def __init__(self, structure: Structure, weight, row_shape, col_shape, origin=None, flat=None):
        self._structure = structure
        self.weight = weight
        self.row_shape = tuple(row_shape)
        self.col_shape = tuple(col_shape)
        self._origin = origin
        self._flat_cache: tuple | None = flat

    @property
    def _flat(self) -> tuple | None:
        """The weight's entries in row-major order (tap id -> entry)."""
        if self.weight is None:
            return None
        if self._flat_cache is None:
            self._flat_cache = tuple(flat_entries(self.weight))
        return self._flat_cache

    # -- basic properties -------------------------------------------------
    @property
    def structure(self) -> Structure:
        """The canonical integer structure (read-only arrays)."""
        return self._structure

    @property
    def shape(self) -> tuple[int, int]:
        return self._structure.shape

    @property
    def nnz(self) -> int:
        """Number of structurally nonzero entries."""
        return self._structure.nnz()

    @property
    def origin(self) -> tuple | None:
        """How the matrix was built: ``(kind, spec, input_shape)`` or None."""
        return self._origin

    @property
    def T(self) -> ConvMatrix:
        return ConvMatrix(self._structure.transpose(), self.weight, self.col_shape, self.row_shape, flat=self._flat_cache)

    def coo(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Copies of the (row, column, tap, coefficient) arrays (int64); tap -1 means no weight.

        Returns
        -------
        rows, cols, taps, coefs : numpy.ndarray
            One entry per term: the entry ``M[row, col]`` holds ``coef`` times the flat weight entry ``tap``.

        Examples
        --------
        >>> from symconv import ConvSpec, kernel_symbols
        >>> spec = ConvSpec(2, stride=2)
        >>> M = conv_matrix(spec, kernel_symbols(spec), (4,))
        >>> [a.tolist() for a in M.coo()]
        [[0, 0, 1, 1], [0, 1, 2, 3], [0, 1, 0, 1], [1, 1, 1, 1]]
        """
        s = self._structure
        return tuple(np.array(x, dtype=np.int64) for x in (s.rows, s.cols, s.taps, s.coefs))  # type: ignore[return-value]

    # -- algebra ----------------------------------------------------------
    _op_priority = 20.0
    """Above sympy's matrices (10.01) and matrix expressions (11): ``N @ M`` and ``N * M`` call ``M.__rmatmul__``."""

    __array_ufunc__ = None  # numpy operators defer to ConvMatrix's reflected methods

    def __matmul__(self, other: Any) -> Any:
        """``M @ N`` for a ConvMatrix, a sympy matrix or vector, a sympy matrix expression or a numpy array.

        A product of two ConvMatrix objects is a ConvMatrix.  When one factor is
        a 0/1 matrix, it is the join of the two structures (the proofs' fast
        path).  When both carry weights, every entry is a sum of products of
        weight entries: the inner join runs on the structures and each distinct
        product of two weight entries becomes one entry of the product's weight
        (a 1-D sympy Array), so the result stays sparse and exact.  A sympy
        matrix gives a sympy matrix of the same class, a numpy array a numpy array.
        """
        if isinstance(other, ConvMatrix):
            if self.weight is not None and other.weight is not None:
                return self._weighted_product(other)
            source = self if self.weight is not None else other
            return ConvMatrix(self._structure.matmul(other._structure), source.weight, self.row_shape, other.col_shape,
                              flat=source._flat_cache)
        if isinstance(other, sympy.MatrixBase):
            return self._times_sympy(other)
        if isinstance(other, sympy.Basic) and getattr(other, "is_Matrix", False):
            return sympy.MatMul(self._sympy_(), other)
        if isinstance(other, np.ndarray):
            return self._times_numpy(other)
        return NotImplemented

    def __rmatmul__(self, other: Any) -> Any:
        if isinstance(other, sympy.MatrixBase):
            return self.T._times_sympy(other.T).T
        if isinstance(other, sympy.Basic) and getattr(other, "is_Matrix", False):
            return sympy.MatMul(other, self._sympy_())
        if isinstance(other, np.ndarray):
            return self.T._times_numpy(other.T).T
        return NotImplemented

    def __mul__(self, other: Any) -> Any:
        """``M * N`` is ``M @ N`` for matrices (sympy's convention); a scalar scales the weight."""
        if isinstance(other, (ConvMatrix, sympy.MatrixBase, np.ndarray)) or getattr(other, "is_Matrix", False):
            return self.__matmul__(other)
        return self._scaled(other)

    def __rmul__(self, other: Any) -> Any:
        if isinstance(other, (sympy.MatrixBase, np.ndarray)) or getattr(other, "is_Matrix", False):
            return self.__rmatmul__(other)
        return self._scaled(other)

    def __neg__(self) -> ConvMatrix:
        return self._scaled(-1)

    def _scaled(self, factor: Any) -> Any:
        try:
            c = sympy.sympify(factor, strict=True)
        except sympy.SympifyError:
            return NotImplemented
        if not isinstance(c, sympy.Expr) or getattr(c, "is_Matrix", False):
            return NotImplemented
        s = self._structure
        if c.is_Integer and c != 0:
            return ConvMatrix(Structure(s.shape, s.rows, s.cols, s.taps, s.coefs * int(c), s.order), self.weight,
                              self.row_shape, self.col_shape, self._origin, self._flat_cache)
        if self.weight is None or not bool(np.all(s.taps >= 0)):
            return self.to_sympy() * c
        weight = self.weight.applyfunc(lambda v: c * v)
        return ConvMatrix(s, weight, self.row_shape, self.col_shape)

    def _weighted_product(self, other: ConvMatrix) -> ConvMatrix:
        """Both factors weighted: entries are sums of products of weight entries, kept sparse."""
        if self.shape[1] != other.shape[0]:
            raise ShapeError(f"cannot multiply matrices of shapes {self.shape} and {other.shape}")
        a, b = self._structure, other._structure.row_major
        start = np.searchsorted(b.rows, a.cols, side="left")
        counts = np.searchsorted(b.rows, a.cols, side="right") - start
        total = int(counts.sum())
        _check_terms("this product", total)
        left = np.repeat(np.arange(a.size), counts)
        right = np.repeat(start, counts) + np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        # tap + 1: 0 stands for a term without weight (value 1)
        values_a = [sympy.Integer(1), *(self._flat or ())]
        values_b = [sympy.Integer(1), *(other._flat or ())]
        span = len(values_b)
        pairs = (a.taps[left].astype(np.int64) + 1) * span + (b.taps[right].astype(np.int64) + 1)
        unique, inverse = np.unique(pairs, return_inverse=True)
        ids: dict = {}
        mapping = np.array([ids.setdefault(values_a[p // span] * values_b[p % span], len(ids))
                            for p in unique.tolist()], dtype=np.int64)
        weight = sympy.ImmutableDenseNDimArray(list(ids), (len(ids),))
        structure = Structure.build((self.shape[0], other.shape[1]), a.rows[left], b.cols[right],
                                    mapping[inverse.ravel()], a.coefs[left] * b.coefs[right])
        return ConvMatrix(structure, weight, self.row_shape, other.col_shape)

    def _times_sympy(self, B: Any) -> Any:
        """``M B`` for a sympy matrix ``B``, sparse over M's terms and B's nonzero entries."""
        if B.rows != self.shape[1]:
            raise ShapeError(f"cannot multiply a {self.shape[0]}x{self.shape[1]} ConvMatrix by a {B.rows}x{B.cols} "
                             "matrix: the inner sizes differ")
        by_row: dict = {}
        for (r, c), v in B.todok().items():
            by_row.setdefault(r, []).append((c, v))
        sums: dict = {}
        s = self._structure
        for r, c, t, k in zip(s.rows.tolist(), s.cols.tolist(), s.taps.tolist(), s.coefs.tolist()):
            row = by_row.get(c)
            if row:
                value = self._term_value(t, k)
                for col, b in row:
                    sums.setdefault((r, col), []).append(value * b)
        dod: dict = {}
        for (r, col), terms in sums.items():
            total = sympy.Add(*terms)
            if total != 0:
                dod.setdefault(r, {})[col] = total
        product = _sparse_from_dod(dod, (self.shape[0], B.cols))
        return product if isinstance(B, sympy.MutableSparseMatrix) else type(B)(product)

    def _times_numpy(self, x: np.ndarray) -> np.ndarray:
        """``M x`` for a numpy vector or matrix (numeric, or object arrays of sympy entries)."""
        if x.ndim not in (1, 2) or x.shape[0] != self.shape[1]:
            raise ShapeError(f"cannot multiply a {self.shape[0]}x{self.shape[1]} ConvMatrix by an array of shape {x.shape}")
        if x.ndim == 1:
            return self.matvec(x).ravel()
        return np.stack([self.matvec(x[:, col]).ravel() for col in range(x.shape[1])], axis=1)

    def __add__(self, other: ConvMatrix) -> ConvMatrix:
        if not isinstance(other, ConvMatrix):
            return NotImplemented
        if self.weight is not None and other.weight is not None and self.weight != other.weight:
            raise ShapeError("can only add ConvMatrix objects over the same weight")
        if (self.weight is None) != (other.weight is None):
            raise ShapeError("cannot add a weighted matrix and a 0/1 matrix")
        return ConvMatrix(self._structure + other._structure, self.weight, self.row_shape, self.col_shape)

    def _symbol_taps(self) -> dict | None:
        """Map tap -> symbol when the weight holds distinct symbols, else None."""
        if self._flat is None or not all(isinstance(v, sympy.Symbol) for v in self._flat):
            return None
        if len(set(self._flat)) != len(self._flat):
            return None
        return {i: v for i, v in enumerate(self._flat)}

    def _shared_tap_structures(self, other: ConvMatrix) -> tuple[Structure, Structure] | None:
        """Both structures in one tap space, or None if that is not exact."""
        if self.weight is None and other.weight is None:
            return self._structure, other._structure
        if self.weight is None or other.weight is None:
            return None
        a = self._symbol_taps()
        if a is None:
            return None
        if self.weight is other.weight or self._flat == other._flat:
            return self._structure, other._structure
        b = other._symbol_taps()
        if b is None:
            return None
        # rename other's taps into self's tap space (symbols only in other get new ids)
        ids = {sym: i for i, sym in a.items()}
        mapping = np.empty(len(b), dtype=np.int64)
        for i, sym in b.items():
            mapping[i] = ids.setdefault(sym, len(ids))
        return self._structure, other._structure.retap(mapping)

    def __eq__(self, other: object) -> bool:
        """Entry-wise equality with a ConvMatrix or any sympy matrix (entries compared after ``expand``)."""
        if isinstance(other, sympy.MatrixBase) or (isinstance(other, sympy.Basic) and getattr(other, "is_Matrix", False)):
            return self._equals_sympy(other)
        if not isinstance(other, ConvMatrix):
            return NotImplemented
        if self.shape != other.shape:
            return False
        shared = self._shared_tap_structures(other)
        if shared is not None:
            return shared[0].equals(shared[1])
        return self.first_difference(other) is None

    __hash__ = None  # type: ignore[assignment]

    def _equals_sympy(self, other: Any) -> bool:
        if tuple(other.shape) != self.shape:
            return False
        if not isinstance(other, sympy.MatrixBase):
            if any(not isinstance(v, (int, sympy.Integer)) for v in other.shape):
                return False
            other = other.as_explicit()
        theirs = other.todok()
        ours = self._value_map()
        return all(sympy.expand(ours.get(key, 0) - theirs.get(key, 0)) == 0 for key in set(ours) | set(theirs))

    def first_difference(self, other: ConvMatrix) -> tuple[int, int] | None:
        """The first (row, column) in row-major order where the two matrices differ.

        Parameters
        ----------
        other : ConvMatrix
            A matrix of the same shape.

        Returns
        -------
        tuple of int or None
            The flat (row, column), or None when the matrices are equal.

        Raises
        ------
        ShapeError
            When the shapes differ.

        Examples
        --------
        >>> from symconv import ConvSpec, kernel_symbols
        >>> spec = ConvSpec(2, stride=2)
        >>> M = conv_matrix(spec, kernel_symbols(spec), (4,))
        >>> M.first_difference(M.subs({"w_1": 0})), M.first_difference(M)
        ((0, 1), None)
        """
        if self.shape != other.shape:
            raise ShapeError(f"shapes differ: {self.shape} and {other.shape}")
        shared = self._shared_tap_structures(other)
        if shared is not None:
            return shared[0].first_difference(shared[1])
        a, b = self._value_map(), other._value_map()
        bad = [key for key in set(a) | set(b) if sympy.expand(a.get(key, 0) - b.get(key, 0)) != 0]
        return min(bad) if bad else None

    # -- entries ----------------------------------------------------------
    def _term_value(self, tap: int, coef: int):
        if tap == CONSTANT:
            return sympy.Integer(coef)
        flat = self._flat
        assert flat is not None, "a weighted term needs a weight"
        return coef * flat[tap]

    def _value_map(self) -> dict:
        out = {}
        for r, c, terms in self._structure.terms_by_position():
            value = sympy.Add(*(self._term_value(t, k) for t, k in terms))
            if value != 0:
                out[(r, c)] = value
        return out

    def _flat_index(self, index: Any, shape: tuple[int, ...], what: str) -> int:
        size = math.prod(shape)
        if isinstance(index, (tuple, list)):
            if len(index) != len(shape) or any(not 0 <= int(v) < n for v, n in zip(index, shape)):
                raise ShapeError(f"{what} index {tuple(index)} is not a position of a tensor of shape {shape}")
            return int(np.ravel_multi_index(tuple(int(v) for v in index), shape))
        if isinstance(index, bool) or not isinstance(index, (int, np.integer, sympy.Integer)):
            raise SpecTypeError(f"{what} index must be an int or a (channel, *position) tuple, got {index!r}")
        index = int(index)
        if not -size <= index < size:
            raise ShapeError(f"{what} index {index} is out of range for {size} {what}s")
        return int(index) % size

    def _position(self, flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(int(v) for v in np.unravel_index(flat, shape))

    def __getitem__(self, key: tuple) -> sympy.Expr:
        """The entry ``M[i, j]`` as a sympy expression (flat ints or tensor positions).

        sympy's forms work too: slices and lists (``M[0, :]``, ``M[:, j]``) give a
        sympy ImmutableSparseMatrix, ``M[k]`` the entry ``k`` in row-major order.
        """
        block = self._getitem_sympy(key)
        if block is not None:
            return block
        if not isinstance(key, tuple) or len(key) != 2:
            raise SpecTypeError(f"index a ConvMatrix as M[i, j], got {key!r}")
        i = self._flat_index(key[0], self.row_shape, "row")
        j = self._flat_index(key[1], self.col_shape, "column")
        return sympy.Add(*(self._term_value(t, k) for t, k in self._structure.terms_at(i, j)))

    def explain(self, i: Any, j: Any) -> str:
        """Which kernel tap sits at ``M[i, j]`` and the index equation that puts it there.

        ``i`` and ``j`` are flat indices or ``(channel, *position)`` tuples.

        Parameters
        ----------
        i, j : int or tuple of int
            The row and the column.

        Returns
        -------
        str
            The entry, the channel rule and, per axis, the index equation solved for the tap.

        Raises
        ------
        ShapeError
            For an index out of range, or a tuple that is not a position of ``row_shape``/``col_shape``.
        SpecTypeError
            For an index that is neither an int nor a tuple.

        Examples
        --------
        >>> from symconv import ConvSpec, kernel_symbols
        >>> spec = ConvSpec(2, stride=2)
        >>> M = conv_matrix(spec, kernel_symbols(spec), (4,))
        >>> print(M.explain(1, 3).splitlines()[0])
        M[1, 3] (row (0, 1), column (0, 3)) = w_1
        """
        from .explain import explain_entry

        return explain_entry(self, self._flat_index(i, self.row_shape, "row"), self._flat_index(j, self.col_shape, "column"))

    # -- conversions ------------------------------------------------------
    def to_sympy(self) -> sympy.SparseMatrix:
        """A new mutable sympy SparseMatrix holding the entries (a fresh object each call).

        Built row by row as a dict of dicts handed to sympy's DomainMatrix (EXRAW
        domain), which skips the per-entry checks of the SparseMatrix constructor;
        the constructor is the fallback on sympy versions without that route.
        The cyclic garbage collector is paused meanwhile: the many new dicts would
        otherwise trigger collections whose cost grows with the matrix.

        Returns
        -------
        sympy.SparseMatrix
            The entries, as sympy expressions.

        Examples
        --------
        >>> from symconv import ConvSpec, kernel_symbols
        >>> spec = ConvSpec(2, stride=2)
        >>> M = conv_matrix(spec, kernel_symbols(spec), (4,))
        >>> M.to_sympy()
        Matrix([
        [w_0, w_1,   0,   0],
        [  0,   0, w_0, w_1]])
        """
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._to_sympy()
        finally:
            if enabled:
                gc.enable()

    def _to_sympy(self) -> sympy.SparseMatrix:
        return _sparse_from_dod(self._dod(), self.shape)

    def _dod(self) -> dict:
        """The nonzero entries as ``{row: {column: value}}`` (one sympy object per entry, none per zero)."""
        s = self._structure.row_major
        if self._flat is not None and s.size and s.unit and s.size == s.nnz():
            flat = self._flat
            values = [flat[t] for t in s.taps.tolist()]
            cols = s.cols.tolist()
            starts = [0, *(np.flatnonzero(np.diff(s.rows)) + 1).tolist(), s.size]
            row_ids = s.rows[starts[:-1]].tolist()
            dod = {r: dict(zip(cols[lo:hi], values[lo:hi])) for r, lo, hi in zip(row_ids, starts[:-1], starts[1:])}
        else:
            dod = {}
            for (r, c), value in self._value_map().items():
                dod.setdefault(r, {})[c] = value
        return dod

    def _sympy_(self) -> sympy.ImmutableSparseMatrix:
        """``sympy.sympify(M)``: the explicit matrix as an ImmutableSparseMatrix (the route of :meth:`to_sympy`)."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            return _sparse_from_dod(self._dod(), self.shape, sympy.ImmutableSparseMatrix)
        finally:
            if enabled:
                gc.enable()

    def _object_dense(self, max_entries: int = DENSE_LIMIT) -> np.ndarray:
        """The dense matrix as a numpy object array of sympy entries, filled from the structure."""
        if self.shape[0] * self.shape[1] > max_entries:
            raise SizeLimitError(
                f"a dense {self.shape[0]}x{self.shape[1]} matrix has more than max_entries={max_entries} entries; "
                "use .to_sympy() (sparse), .matvec(x) or .coo()"
            )
        dense = np.full(self.shape, sympy.S.Zero, dtype=object)
        for r, row in self._dod().items():
            dense[r, list(row)] = list(row.values())
        return dense

    def _is_numeric(self) -> bool:
        return self._flat is None or all(getattr(v, "is_number", False) for v in self._flat)

    @property
    def free_symbols(self) -> set:
        """The free symbols of the entries (of the weight entries the matrix uses)."""
        if self._flat is None:
            return set()
        taps = np.unique(self._structure.taps)
        return set().union(*(self._flat[t].free_symbols for t in taps.tolist() if t != CONSTANT))

    def applyfunc(self, f: Any) -> Any:
        """``f`` applied to every entry, as sympy's ``applyfunc``.

        When every entry is one weight entry (coefficient 1) and ``f(0) = 0``, the
        result is a ConvMatrix over ``f`` of the weight; otherwise a sympy SparseMatrix.

        Parameters
        ----------
        f : callable
            A function of one sympy expression.

        Returns
        -------
        ConvMatrix or sympy matrix
            The entries mapped by ``f``.

        Examples
        --------
        >>> from symconv import ConvSpec, kernel_symbols
        >>> spec = ConvSpec(2, stride=2)
        >>> M = conv_matrix(spec, kernel_symbols(spec), (4,))
        >>> M.applyfunc(lambda e: 2 * e).to_sympy()
        Matrix([
        [2*w_0, 2*w_1,     0,     0],
        [    0,     0, 2*w_0, 2*w_1]])
        """
        s = self._structure
        if (self._flat is not None and s.unit and s.size == s.nnz() and bool(np.all(s.taps >= 0))
                and sympy.sympify(f(sympy.S.Zero)) == 0):
            return ConvMatrix(s, self.weight.applyfunc(f), self.row_shape, self.col_shape, self._origin)
        if sympy.sympify(f(sympy.S.Zero)) == 0:
            return self.to_sympy().applyfunc(f)
        return sympy.Matrix(self._object_dense()).applyfunc(f)  # f(0) != 0 fills every zero: dense

    def _weight_values(self, weight_values: Any) -> np.ndarray:
        if weight_values is None:
            if self._flat is None:
                return np.zeros(0)
            try:
                return np.array([int(v) if v.is_Integer else float(v) for v in self._flat])
            except TypeError:
                raise SpecTypeError(
                    "this matrix has a symbolic weight: pass weight_values (an array of the weight's shape)"
                ) from None
        values = np.asarray(weight_values)
        if self.weight is not None and values.shape != tuple(self.weight.shape):
            raise ShapeError(f"weight_values has shape {values.shape}, expected {tuple(self.weight.shape)}")
        return values.ravel()

    def _term_values(self, weight_values: Any) -> np.ndarray:
        s = self._structure
        values = self._weight_values(weight_values)
        if values.size == 0:
            return s.coefs.copy()
        return np.where(s.taps == CONSTANT, 1, values[np.maximum(s.taps, 0)]) * s.coefs

    def to_numpy(self, weight_values: Any = None, *, max_entries: int = DENSE_LIMIT) -> np.ndarray:
        """The dense matrix for numeric weights (default: the matrix's own weight).

        Refused with :class:`SizeLimitError` above ``max_entries`` entries; use
        :meth:`matvec` or :meth:`coo` for large matrices.

        Parameters
        ----------
        weight_values : array_like, optional
            Numbers of the weight's shape (default: the matrix's own weight, which must then be numeric).
        max_entries : int
            The largest matrix returned.

        Returns
        -------
        numpy.ndarray
            The dense matrix.

        Raises
        ------
        SizeLimitError
            Over ``max_entries`` entries.
        SpecTypeError
            For a symbolic weight without ``weight_values``.
        ShapeError
            For ``weight_values`` of the wrong shape.

        Examples
        --------
        >>> from symconv import ConvSpec, kernel_symbols
        >>> spec = ConvSpec(2, stride=2)
        >>> M = conv_matrix(spec, kernel_symbols(spec), (4,))
        >>> M.to_numpy([[[1, 2]]]).tolist()
        [[1.0, 2.0, 0.0, 0.0], [0.0, 0.0, 1.0, 2.0]]
        """
        if self.shape[0] * self.shape[1] > max_entries:
            raise SizeLimitError(
                f"a dense {self.shape[0]}x{self.shape[1]} matrix has more than max_entries={max_entries} entries; "
                "use .matvec(x) or .coo(), or raise max_entries"
            )
        terms = self._term_values(weight_values)
        dense = np.zeros(self.shape, dtype=np.result_type(terms, np.float64) if terms.dtype != object else object)
        np.add.at(dense, (self._structure.rows, self._structure.cols), terms)
        return dense

    def __array__(self, dtype=None, copy=None):
        """``np.asarray(M)``: numbers for a numeric weight, else an object array of sympy entries.

        The object array is what ``sympy.Matrix(M)`` and ``sympy.ImmutableSparseMatrix(M)``
        read (sympy's constructors accept any object with ``__array__``); its entries
        come from the structure, never from per-entry lookups.
        """
        dense = self.to_numpy() if self._is_numeric() else self._object_dense()
        return dense if dtype is None else dense.astype(dtype)

    def matvec(self, x: Any, weight_values: Any = None) -> np.ndarray:
        """``M @ x`` for a tensor of shape ``col_shape`` (or flat); returns shape ``row_shape``.

        With a symbolic weight and no ``weight_values``, computes with sympy objects.

        Parameters
        ----------
        x : array_like
            The input, of shape ``col_shape`` or flat.
        weight_values : array_like, optional
            Numbers of the weight's shape (default: the matrix's own weight).

        Returns
        -------
        numpy.ndarray
            ``M @ x``, of shape ``row_shape``.

        Raises
        ------
        ShapeError
            For an ``x`` or ``weight_values`` of the wrong size or shape.

        Examples
        --------
        >>> from symconv import ConvSpec, kernel_symbols
        >>> spec = ConvSpec(2, stride=2)
        >>> M = conv_matrix(spec, kernel_symbols(spec), (4,))
        >>> M.matvec([1, 2, 3, 4]).tolist(), M.matvec([1, 2, 3, 4], [[[1, 2]]]).tolist()
        ([[w_0 + 2*w_1, 3*w_0 + 4*w_1]], [[5, 11]])
        """
        x = np.asarray(x)
        if x.size != self.shape[1]:
            raise ShapeError(f"x has {x.size} entries (shape {x.shape}), expected shape {self.col_shape}")
        s = self._structure
        if weight_values is None and self._flat is not None and self._symbol_taps() is not None:
            w = np.array(self._flat, dtype=object)
            terms = np.where(s.taps == CONSTANT, 1, w[np.maximum(s.taps, 0)]) * s.coefs
        else:
            terms = self._term_values(weight_values)
        contrib = terms * x.ravel()[s.cols]
        dtype = object if contrib.dtype.kind == "O" else np.result_type(contrib, np.int64)
        out = np.zeros(self.shape[0], dtype=dtype)
        if out.dtype.kind == "O":
            out[:] = 0
        np.add.at(out, s.rows, contrib)
        return out.reshape(self.row_shape)

    # -- printing ---------------------------------------------------------
    def __repr__(self) -> str:
        what = ""
        if self._origin is not None:
            what = f", {self._origin[0]} of {self._origin[1]} on input {self._origin[2]}"
        return f"<ConvMatrix {self.shape[0]}x{self.shape[1]}, nnz={self.nnz}{what}>"

    def band(self, rows: int = 6, cols: int = 10) -> tuple[int, int, int, int]:
        """The window ``(r0, r1, c0, c1)`` (half-open) of the first nonzero band.

        ``rows`` rows from the first row holding an entry (moved up only to stay
        inside the matrix); the columns from the first to the last column holding
        an entry in those rows, at least 4 (or all) and at most ``cols`` of them.

        Parameters
        ----------
        rows : int
            How many rows the window has.
        cols : int
            The most columns it has.

        Returns
        -------
        tuple of int
            ``(r0, r1, c0, c1)``, half-open.

        Examples
        --------
        >>> from symconv import ConvSpec, kernel_symbols
        >>> spec = ConvSpec(3, stride=2, padding=1)
        >>> conv_matrix(spec, kernel_symbols(spec), (40,)).band()
        (0, 6, 0, 10)
        """
        n_rows, n_cols = self.shape
        s = self._structure.row_major
        r0 = int(s.rows[0]) if s.size else 0
        r0 = max(0, min(r0, n_rows - rows))
        r1 = min(n_rows, r0 + rows)
        inside = (s.rows >= r0) & (s.rows < r1)
        c0, last = (int(s.cols[inside].min()), int(s.cols[inside].max())) if bool(inside.any()) else (0, 0)
        width = min(cols, max(last - c0 + 1, 4), n_cols)
        c1 = min(n_cols, c0 + width)
        return r0, r1, c1 - width, c1

    def _window(self, rows: int = 6, cols: int = 10) -> tuple[sympy.ImmutableMatrix, tuple[int, int, int, int]]:
        """The band's entries with ⋯, ⋮, ⋱ where rows or columns are left out."""
        r0, r1, c0, c1 = self.band(rows, cols)
        values = self._value_map()
        dots_h, dots_v, dots_d = (sympy.Symbol(c) for c in ("\N{MIDLINE HORIZONTAL ELLIPSIS}",
                                                            "\N{VERTICAL ELLIPSIS}",
                                                            "\N{DOWN RIGHT DIAGONAL ELLIPSIS}"))
        left, right, top, bottom = c0 > 0, c1 < self.shape[1], r0 > 0, r1 < self.shape[0]
        width = (c1 - c0) + left + right

        def edge() -> list:
            return ([dots_d] if left else []) + [dots_v] * (c1 - c0) + ([dots_d] if right else [])

        grid = [edge()] if top else []
        for r in range(r0, r1):
            grid.append(([dots_h] if left else []) + [values.get((r, c), sympy.S.Zero) for c in range(c0, c1)]
                        + ([dots_h] if right else []))
        if bottom:
            grid.append(edge())
        assert all(len(row) == width for row in grid)
        return sympy.ImmutableMatrix(grid), (r0, r1, c0, c1)

    def _window_caption(self, window: tuple[int, int, int, int]) -> str:
        r0, r1, c0, c1 = window
        return (f"ConvMatrix {self.shape[0]}x{self.shape[1]}, nnz={self.nnz}: rows {r0}..{r1 - 1}, "
                f"columns {c0}..{c1 - 1} (the first nonzero band)")

    def __str__(self) -> str:
        """The matrix, pretty printed; above STR_LIMIT rows or columns, its first nonzero band with ⋯."""
        if max(self.shape) > STR_LIMIT:
            grid, window = self._window()
            return self._window_caption(window) + "\n" + sympy.pretty(grid, use_unicode=True, wrap_line=False)
        return sympy.pretty(self.to_sympy().as_immutable(), use_unicode=True, wrap_line=False)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's pretty printer shows the matrix (its first band when large)."""
        printer.text(str(self))

    def _latex(self, printer: Any) -> str:
        """``sympy.latex(M)``: a bmatrix, in full when small, else the first nonzero band (rows and columns named)."""
        from .latex.printing import FULL_LIMIT, band_latex, matrix_latex

        if max(self.shape) <= FULL_LIMIT:
            return matrix_latex(self)
        return band_latex(self, printer=printer)

    def _pretty(self, printer: Any) -> Any:
        """``sympy.pretty(M)``: the matrix, or its first nonzero band when large."""
        if max(self.shape) > STR_LIMIT:
            return printer._print(self._window()[0])
        return printer._print(self.to_sympy().as_immutable())

    def _repr_latex_(self) -> str:
        return f"$$\\displaystyle {sympy.latex(self)}$$"


# ---------------------------------------------------------------------------
# index arithmetic shared by the builders


def _combine(per_axis: Sequence[tuple[np.ndarray, ...]], sizes: Sequence[tuple[int, ...]]) -> list[np.ndarray]:
    """Cartesian product over axes of per-axis index tuples, flattened row-major.

    ``per_axis[ax]`` holds equal-length arrays (one per index kind), ``sizes[ax]``
    the extent of each kind on that axis.  Returns one flat array per kind.
    """
    ndim = len(per_axis)
    kinds = len(per_axis[0])
    out = []
    for kind in range(kinds):
        total = np.zeros((1,) * ndim, dtype=np.int64)
        for ax in range(ndim):  # row-major, axis after axis (the flattening the parametric proof is about)
            shape = [1] * ndim
            shape[ax] = -1
            total = F.flat_index(total, np.asarray(per_axis[ax][kind], dtype=np.int64).reshape(shape),
                                 sizes[ax][kind])
        out.append(total.ravel())
    return out


def _channel_product(channels: int, flat_rows, flat_cols, n_rows: int, n_cols: int):
    """The same spatial 0/1 pattern in every channel (block diagonal)."""
    ch = np.arange(channels)[:, None]
    return F.flat_index(ch, flat_rows[None, :], n_rows).ravel(), F.flat_index(ch, flat_cols[None, :], n_cols).ravel()


def _spatial_entries(a_shape, b_shape, k_shape, b_index, itype):
    """The (a, b, tap) entries of one channel pair, row-major over (positions a, taps m).

    ``b_index(ax, a, m)`` must have the form ``f(a) + g(m)`` on every axis (every
    index map of a convolution does: ``s i + d m - p``); this is checked on the
    small per-axis tables.  The grid is then made by repeat/tile, and the pairs
    with ``b`` outside ``0 <= b < b_shape`` are dropped.
    """
    ndim = len(a_shape)
    n_a, n_k = math.prod(a_shape), math.prod(k_shape)
    f_flat = np.zeros(1, dtype=itype)
    g_flat = np.zeros(1, dtype=itype)
    invalid = []
    for ax in range(ndim):
        a = np.arange(a_shape[ax], dtype=itype)
        m = np.arange(k_shape[ax], dtype=itype)
        table = np.broadcast_to(np.asarray(b_index(ax, a[:, None], m[None, :]), dtype=itype), (a.size, m.size))
        f, g = table[:, 0], table[0, :] - table[0, 0]
        if not np.array_equal(table, f[:, None] + g[None, :]):
            raise ValueError("internal: an index map must be a sum of a position part and a tap part")
        n_b = itype(b_shape[ax])  # row-major, axis after axis; flat_index is linear, so f + g flattens to the sum
        f_flat = F.flat_index(f_flat[:, None], f[None, :], n_b).ravel()  # over the a-grid
        g_flat = F.flat_index(g_flat[:, None], g[None, :], n_b).ravel()  # over the m-grid
        invalid.append(np.nonzero((table < 0) | (table >= b_shape[ax])))
    b_flat = np.repeat(f_flat, n_k) + np.tile(g_flat, n_a)
    a_flat = np.repeat(np.arange(n_a, dtype=itype), n_k)
    m_flat = np.tile(np.arange(n_k, dtype=itype), n_a)
    if not any(bad[0].size for bad in invalid):
        return a_flat, b_flat, m_flat
    mask = np.ones(tuple(a_shape) + tuple(k_shape), dtype=bool)
    for ax, (bad_a, bad_m) in enumerate(invalid):
        # a view with this axis' (position, tap) dimensions first: clears every grid point of those pairs
        np.moveaxis(mask, (ax, ndim + ax), (0, 1))[bad_a, bad_m] = False
    keep = np.flatnonzero(mask)
    return a_flat.take(keep), b_flat.take(keep), m_flat.take(keep)


def _layer_entries(c_a: int, c_b: int, groups: int, a_shape, b_shape, k_shape, b_index):
    """Entries of a grouped layer, enumerated over (channel a, positions a, in-group channel b, taps m).

    ``b_index(ax, a, m)`` gives the axis-``ax`` position on side b paired with
    position ``a`` through tap ``m`` (see :func:`_spatial_entries`).  Returns flat
    (a, b, tap) index arrays in the enumeration order: row-major on side a and,
    within one a, increasing on side b whenever ``b_index`` increases with ``m``
    (then the arrays are canonical with side a as rows).  Channel a's entries
    repeat the spatial ones for every in-group channel b, by repeat/take.
    """
    per_b, per_a = c_b // groups, c_a // groups
    n_a, n_b, n_k = math.prod(a_shape), math.prod(b_shape), math.prod(k_shape)
    _check_terms("this matrix", c_a * n_a * per_b * n_k)
    # 32-bit indices halve the memory traffic when every flat index fits
    itype = np.int32 if max(c_a * n_a, c_b * n_b, c_a * per_b * n_k) < 2**31 - 1 else np.int64
    a_sp, b_sp, m_sp = _spatial_entries(a_shape, b_shape, k_shape, b_index, itype)
    if c_a == 1 and per_b == 1:
        return a_sp, b_sp, m_sp
    # blocks (channel a, position a, in-group channel b), each holding the spatial entries of that position
    counts = np.bincount(a_sp, minlength=n_a)
    starts = np.cumsum(counts) - counts
    block_a = np.tile(np.repeat(np.arange(n_a), per_b), c_a)
    sizes = counts[block_a]
    first = np.cumsum(sizes) - sizes
    pick = np.arange(int(sizes.sum())) + np.repeat(starts[block_a] - first, sizes)
    ca = np.repeat(np.repeat(np.arange(c_a, dtype=itype), n_a * per_b), sizes)
    cbl = np.repeat(np.tile(np.arange(per_b, dtype=itype), c_a * n_a), sizes)
    a_all = F.flat_index(ca, a_sp.take(pick), n_a)
    b_all = F.flat_index(F.group_channel(F.channel_group(ca, per_a), per_b, cbl), b_sp.take(pick), n_b)
    taps = F.flat_index(F.flat_index(ca, cbl, per_b), m_sp.take(pick), n_k)
    return a_all, b_all, taps


def conv_matrix(spec: ConvSpec, weight: Any, input_shape: Any) -> ConvMatrix:
    """The matrix M of a convolution: ``y = M x`` on row-major flattened tensors.

    ``M[(o, i), (c, j)] = w[o, c - group(o) * C_in/g, m]`` where ``j = s i + d m - p_l``
    on every axis, ``c`` in ``o``'s group; zero elsewhere.

    Parameters
    ----------
    spec : ConvSpec
        The layer.
    weight : array_like
        Its weight in PyTorch's layout ``spec.weight_shape`` (sympy symbols, numbers or expressions).
    input_shape : tuple of int
        Its spatial input shape (without channels).

    Returns
    -------
    ConvMatrix
        Rows and columns flatten ``(channels, *spatial)`` row-major.

    Raises
    ------
    ShapeError
        For a weight or input shape the layer cannot take.
    SpecTypeError
        For a spec of the wrong kind, or weight entries that are not numbers or sympy expressions.
    SizeLimitError
        Over ``MATRIX_LIMIT`` (position, tap) pairs.

    Examples
    --------
    >>> from symconv import ConvSpec, kernel_symbols
    >>> spec = ConvSpec(3, stride=2, padding=1)
    >>> print(conv_matrix(spec, kernel_symbols(spec), (5,)))
    ⎡w₁  w₂  0   0   0 ⎤
    ⎢                  ⎥
    ⎢0   w₀  w₁  w₂  0 ⎥
    ⎢                  ⎥
    ⎣0   0   0   w₀  w₁⎦
    """
    if not isinstance(spec, ConvSpec):
        raise SpecTypeError(f"spec must be a ConvSpec, got {type(spec).__name__}")
    if spec.padding_mode != "zeros":  # M = C P, the padding operator of the mode (symconv.padding_modes)
        from . import padding_modes

        return padding_modes.conv_matrix(spec, weight, input_shape)
    w = as_weight(spec, weight)
    in_shape = spec.check_input_shape(input_shape)
    out_shape = spec.output_shape(in_shape)
    s_, p_, d_ = spec.stride, spec.padding_left, spec.dilation
    rows, cols, taps = _layer_entries(
        spec.out_channels, spec.in_channels, spec.groups, out_shape, in_shape, spec.kernel_size,
        lambda ax, i, m: F.tap_position(i, m, s_[ax], p_[ax], d_[ax]),
    )
    shape = (spec.out_channels * math.prod(out_shape), spec.in_channels * math.prod(in_shape))
    return ConvMatrix(
        Structure.canonical(shape, rows, cols, taps), w,
        (spec.out_channels,) + out_shape, (spec.in_channels,) + in_shape, ("conv", spec, in_shape),
    )


def transposed_conv_matrix(tspec: TransposedConvSpec, weight: Any, input_shape: Any) -> ConvMatrix:
    """The matrix T of a transposed convolution, from its own definition.

    ``x[co, j] = sum_i sum_m w[ci, co_l, m] y[ci, i] [j = s i + d m - p_l]`` for
    ``0 <= j < n_T`` on every axis, where ``co = group(ci) * C_out/g + co_l``.
    It is never computed as a transpose of :func:`conv_matrix`.

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer.
    weight : array_like
        Its weight in PyTorch's layout ``tspec.weight_shape`` (sympy symbols, numbers or expressions).
    input_shape : tuple of int
        Its spatial input shape (without channels).

    Returns
    -------
    ConvMatrix
        Rows and columns flatten ``(channels, *spatial)`` row-major.

    Raises
    ------
    ShapeError
        For a weight or input shape the layer cannot take.
    SpecTypeError
        For a spec of the wrong kind, or weight entries that are not numbers or sympy expressions.
    SizeLimitError
        Over ``MATRIX_LIMIT`` (position, tap) pairs.

    Examples
    --------
    >>> from symconv import TransposedConvSpec, kernel_symbols
    >>> t = TransposedConvSpec(3, stride=2, padding=1)
    >>> print(transposed_conv_matrix(t, kernel_symbols(t), (3,)))
    ⎡w₁  0   0 ⎤
    ⎢          ⎥
    ⎢w₂  w₀  0 ⎥
    ⎢          ⎥
    ⎢0   w₁  0 ⎥
    ⎢          ⎥
    ⎢0   w₂  w₀⎥
    ⎢          ⎥
    ⎣0   0   w₁⎦
    """
    if isinstance(tspec, TransposedConvSpec) and tspec.padding_mode != "zeros":  # the fold of the padding-0 layer
        from . import padding_modes

        return padding_modes.transposed_conv_matrix(tspec, weight, input_shape)
    s_, p_, d_ = tspec.stride, tspec.padding_left, tspec.dilation
    # input (ci, i) writes output (co, j = s i + d m - p_l) through w[ci, co_l, m]
    return _from_inputs(tspec, weight, input_shape, "transposed",
                        lambda in_shape: lambda ax, i, m: F.tap_position(i, m, s_[ax], p_[ax], d_[ax]))


def scatter_matrix(tspec: TransposedConvSpec, weight: Any, input_shape: Any) -> ConvMatrix:
    """The scatter view: a sum over input positions of stamped kernel copies.

    Input ``(ci, i)`` stamps the kernel dilated by ``d`` (unflipped), scaled by
    ``y[ci, i]``, at offset ``s i - p_l`` into the output channels of its group;
    the stamp is clipped to the output.  Column ``(ci, i)`` of the result is
    that stamp, and the matrix is the sum of all of them.

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer.
    weight : array_like
        Its weight in PyTorch's layout ``tspec.weight_shape`` (sympy symbols, numbers or expressions).
    input_shape : tuple of int
        Its spatial input shape (without channels).

    Returns
    -------
    ConvMatrix
        Rows and columns flatten ``(channels, *spatial)`` row-major.

    Raises
    ------
    ShapeError
        For a weight or input shape the layer cannot take.
    SpecTypeError
        For a spec of the wrong kind, or weight entries that are not numbers or sympy expressions.
    SizeLimitError
        Over ``MATRIX_LIMIT`` (position, tap) pairs.

    Examples
    --------
    >>> from symconv import TransposedConvSpec, kernel_symbols, transposed_conv_matrix
    >>> t = TransposedConvSpec(3, stride=2, padding=1)
    >>> w = kernel_symbols(t)
    >>> scatter_matrix(t, w, (3,)) == transposed_conv_matrix(t, w, (3,))
    True
    """
    # the stamp of input i: the kernel dilated by d (tap m at d*m), shifted to offset s*i - p_l
    support = [F.tap_position(0, np.arange(k), 1, 0, d) for k, d in zip(tspec.kernel_size, tspec.dilation)]

    def stamps(in_shape):
        offsets = [F.tap_position(np.arange(n), 0, s, pl, 1) for n, s, pl in zip(in_shape, tspec.stride, tspec.padding_left)]
        return lambda ax, i, m: offsets[ax][i] + support[ax][m]

    return _from_inputs(tspec, weight, input_shape, "scatter", stamps)


def _from_inputs(tspec: TransposedConvSpec, weight: Any, input_shape: Any, kind: str, positions) -> ConvMatrix:
    """A transposed layer's matrix enumerated input by input: column (ci, i) lists where input i lands.

    ``positions(in_shape)`` returns ``b_index(ax, i, m)``, the output position of input ``i`` through tap ``m``.
    """
    if not isinstance(tspec, TransposedConvSpec):
        raise SpecTypeError(f"tspec must be a TransposedConvSpec, got {type(tspec).__name__}")
    w = as_weight(tspec, weight)
    in_shape = tspec.check_input_shape(input_shape)
    out_shape = tspec.output_shape(in_shape)
    cols, rows, taps = _layer_entries(tspec.in_channels, tspec.out_channels, tspec.groups, in_shape, out_shape,
                                      tspec.kernel_size, positions(in_shape))
    shape = (tspec.out_channels * math.prod(out_shape), tspec.in_channels * math.prod(in_shape))
    return ConvMatrix(
        Structure.canonical(shape, rows, cols, taps, order="col"), w,
        (tspec.out_channels,) + out_shape, (tspec.in_channels,) + in_shape, (kind, tspec, in_shape),
    )


def _pattern_matrix(channels: int, per_axis, out_shape, in_shape, kind: str, params) -> ConvMatrix:
    _check_terms(f"this {kind} matrix", channels * max(math.prod(in_shape), 1))
    rows_f, cols_f = _combine(per_axis, list(zip(out_shape, in_shape)))
    rows, cols = _channel_product(channels, rows_f, cols_f, math.prod(out_shape), math.prod(in_shape))
    shape = (channels * math.prod(out_shape), channels * math.prod(in_shape))
    return ConvMatrix(
        Structure.build(shape, rows, cols, CONSTANT), None,
        (channels,) + tuple(out_shape), (channels,) + tuple(in_shape), (kind, params, tuple(in_shape)),
    )


def _spatial(shape: Any, ndim: int | None = None) -> tuple[int, ...]:
    shape = tuple(shape)
    for ax, n in enumerate(shape):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ShapeError(f"shape[{ax}] must be a positive integer, got {n!r}")
    if ndim is not None and len(shape) != ndim:
        raise ShapeError(f"expected {ndim} spatial sizes, got {shape}")
    return shape


def zero_insertion_matrix(channels: int, input_shape: Sequence[int], factor: Sequence[int]) -> ConvMatrix:
    """Z: inserts ``s - 1`` zeros between neighbours on every axis (0/1 matrix).

    Parameters
    ----------
    channels : int
        Number of channels (the matrix acts on each alike).
    input_shape : tuple of int
        The spatial shape of the input.
    factor : tuple
        The stride ``s`` of every axis.

    Returns
    -------
    ConvMatrix
        A 0/1 matrix (no weight).

    Raises
    ------
    ShapeError
        For shapes or amounts that do not match or are out of range.

    Examples
    --------
    >>> print(zero_insertion_matrix(1, (2,), (2,)))
    ⎡1  0⎤
    ⎢    ⎥
    ⎢0  0⎥
    ⎢    ⎥
    ⎣0  1⎦
    """
    in_shape = _spatial(input_shape)
    factor = tuple(factor)
    out_shape = tuple(F.zero_inserted_size(n, s) for n, s in zip(in_shape, factor))
    per_axis = []
    for n, s in zip(in_shape, factor):
        i = np.arange(n)
        per_axis.append((F.zero_insertion_position(i, s), i))
    return _pattern_matrix(channels, per_axis, out_shape, in_shape, "zero insertion", factor)


def padding_matrix(channels: int, input_shape: Sequence[int], padding: Sequence[tuple[int, int]]) -> ConvMatrix:
    """Pad: the window ``z[t] = z0[t - L]`` for ``0 <= t < n + L + R`` (negative L or R crops).

    Parameters
    ----------
    channels : int
        Number of channels (the matrix acts on each alike).
    input_shape : tuple of int
        The spatial shape of the input.
    padding : tuple
        One ``(L, R)`` pair per axis; negative amounts crop.

    Returns
    -------
    ConvMatrix
        A 0/1 matrix (no weight).

    Raises
    ------
    ShapeError
        For shapes or amounts that do not match or are out of range.

    Examples
    --------
    >>> print(padding_matrix(1, (2,), ((1, -1),)))
    ⎡0  0⎤
    ⎢    ⎥
    ⎣1  0⎦
    """
    in_shape = _spatial(input_shape)
    out_shape = tuple(n + left + right for n, (left, right) in zip(in_shape, padding))
    for ax, (n, size) in enumerate(zip(in_shape, out_shape)):
        if size < 1:
            raise ShapeError(f"padding {tuple(padding[ax])} leaves nothing of axis {ax} (length {n})")
    per_axis = []
    for n, size, (left, _right) in zip(in_shape, out_shape, padding):
        t = np.arange(n)
        row = F.padded_position(t, left)
        ok = (row >= 0) & (row < size)
        per_axis.append((row[ok], t[ok]))
    return _pattern_matrix(channels, per_axis, out_shape, in_shape, "padding", tuple(padding))


def selection_matrix(channels: int, full_shape: Sequence[int], keep_shape: Sequence[int]) -> ConvMatrix:
    """S: keeps the positions ``< keep_shape`` on every axis, in every channel.

    Parameters
    ----------
    channels : int
        Number of channels (the matrix acts on each alike).
    full_shape : tuple of int
        The spatial shape of the input.
    keep_shape : tuple
        The spatial shape kept (at most ``full_shape`` on every axis).

    Returns
    -------
    ConvMatrix
        A 0/1 matrix (no weight).

    Raises
    ------
    ShapeError
        For shapes or amounts that do not match or are out of range.

    Examples
    --------
    >>> print(selection_matrix(1, (3,), (2,)))
    ⎡1  0  0⎤
    ⎢       ⎥
    ⎣0  1  0⎦
    """
    full, keep = _spatial(full_shape), _spatial(keep_shape, len(tuple(full_shape)))
    if any(k > n for k, n in zip(keep, full)):
        raise ShapeError(f"cannot keep {keep} positions out of {full}")
    per_axis = [(np.arange(k), np.arange(k)) for k in keep]
    return _pattern_matrix(channels, per_axis, keep, full, "selection", keep)
