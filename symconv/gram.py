"""The round trip MᵀM: the Gram matrix of a convolution, computed sparsely from the structure of M.

With ``F = M x`` the transpose paints ``Mᵀ F = (MᵀM) x``.  Every entry of ``MᵀM`` is a sum of products of
two kernel weights, so its truth is an integer structure of (row, column, tap, tap, coefficient) terms.
:func:`gram_structure` computes it as a sparse join of M's structure with itself over the rows of M (the
outputs): the terms ``w[t] x`` and ``w[t'] x'`` of one output row give ``w[t] w[t']`` at ``(x, x')``.

Away from the borders the Gram matrix depends only on the lag and on the phase of its row: its entries are
the phase autocorrelations :func:`phase_autocorrelation`, its diagonal the phase energies
:func:`phase_energies`; with stride 1 there is a single phase, the kernel's autocorrelation
:func:`autocorrelation` ``R[τ] = Σ_m w[m] w[m + τ]``.

>>> from symconv import ConvSpec, kernel_symbols
>>> spec = ConvSpec(3, stride=2, padding=1)
>>> w = kernel_symbols(spec)
>>> G = gram_structure(spec, w, (7,))
>>> G.entry(3, 3, w), G.entry(4, 4, w), G.entry(3, 4, w), G.entry(4, 5, w)
(w_0**2 + w_2**2, w_1**2, w_0*w_1, w_1*w_2)
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from .errors import ShapeError, SizeLimitError, SpecTypeError
from .kernels import object_array
from .matrices import conv_matrix
from .spec import ConvSpec

__all__ = [
    "GramStructure",
    "gram_structure",
    "gram_matrix",
    "gram_interior",
    "autocorrelation",
    "phase_autocorrelation",
    "phase_energies",
    "GRAM_DENSE_LIMIT",
]

GRAM_DENSE_LIMIT = 1_000_000
"""Largest number of entries :func:`gram_matrix` materialises as a sympy matrix."""

DENSE_SLOTS = 50_000_000
"""Largest (row, tap, tap) slot table :meth:`GramStructure.equals` builds instead of sorting."""

_I64 = np.int64


@dataclass(frozen=True, eq=False)
class GramStructure:
    """The terms of a matrix whose entries are quadratic in the weight.

    A term ``(r, c, a, b, q)`` stands for ``q · w[a] · w[b]`` at ``(r, c)`` (tap ids index the flattened
    weight; builders put the tap reaching the row first).  The arrays are kept as built; the canonical form (one
    sorted array of distinct keys ``((r · n_cols + c) · n_taps + min(a, b)) · n_taps + max(a, b)`` with summed,
    nonzero coefficients) is computed on demand.
    Two Gram matrices over one weight of pairwise distinct symbols are equal exactly when their canonical forms
    are; :meth:`equals` decides that without sorting when it can (see there).

    Examples
    --------
    >>> a = GramStructure.build((2, 2), [0, 1], [1, 0], [0, 1], [1, 0], n_taps=2)  # w0 w1 at (0, 1) and (1, 0)
    >>> b = GramStructure.build((2, 2), [1, 0], [0, 1], [0, 1], [1, 0], n_taps=2)  # the same, listed otherwise
    >>> a.equals(b), a.size, a.terms_at(0, 1)
    (True, 2, [(0, 1, 1)])
    """

    shape: tuple[int, int]
    n_taps: int
    rows: np.ndarray
    cols: np.ndarray
    taps_a: np.ndarray
    taps_b: np.ndarray
    coefs: np.ndarray | None = None  # None: every coefficient is 1

    @classmethod
    def build(cls, shape: Any, rows: Any, cols: Any, taps_a: Any, taps_b: Any, coefs: Any = None,
              n_taps: int | None = None) -> GramStructure:
        """Validate term arrays; nothing is sorted (the canonical form orders each tap pair and sorts).

        Index arrays of int32 or int64 are kept as they are (no copy; every key is computed in int64), others are
        converted to int64; a one-dimensional array with stride 0 (``np.broadcast_to(0, n)``, the second tap of a
        structure that has one) stays a view.
        """
        shape = (int(shape[0]), int(shape[1]))
        rows, cols, a, b = (_index_array(x) for x in (rows, cols, taps_a, taps_b))
        if not (rows.shape == cols.shape == a.shape == b.shape):
            raise ShapeError("Gram term arrays differ in length")
        if rows.size:
            lo_a, hi_a = int(a.min()), int(a.max())
            lo_b, hi_b = (lo_a, hi_a) if b is a else (int(b.min()), int(b.max()))
            span = max(hi_a, hi_b) + 1 if n_taps is None else int(n_taps)
            if rows.min() < 0 or rows.max() >= shape[0] or cols.min() < 0 or cols.max() >= shape[1]:
                raise ShapeError(f"Gram terms fall outside the shape {shape}")
            if min(lo_a, lo_b) < 0 or max(hi_a, hi_b) >= span:
                raise ShapeError(f"Gram terms name taps outside [0, {span})")
        else:
            span = 1 if n_taps is None else int(n_taps)
        if shape[0] * shape[1] * span * span >= 2**62:
            raise SizeLimitError(f"a {shape} Gram matrix over {span} taps is too large to index in int64")
        if coefs is not None:
            coefs = np.ascontiguousarray(np.broadcast_to(np.asarray(coefs, dtype=_I64), rows.shape))
            if bool(np.all(coefs == 1)):
                coefs = None
        return cls(shape, span, rows, cols, a, b, coefs)

    @functools.cached_property
    def _canonical(self) -> tuple[np.ndarray, np.ndarray]:
        """Sorted distinct keys and their summed nonzero coefficients."""
        span = self.n_taps
        lo, hi = np.minimum(self.taps_a, self.taps_b), np.maximum(self.taps_a, self.taps_b)
        key = ((_wide(self.rows) * self.shape[1] + self.cols) * span + lo) * span + hi
        if not key.size:
            return key, key.copy()
        if self.coefs is None:  # sort the keys alone: the run lengths are the coefficients
            key = np.sort(key)
            starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
            return key[starts], np.diff(np.append(starts, key.size)).astype(_I64)
        order = np.argsort(key)  # no stability needed: equal keys are summed into one term
        key = key[order]
        starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        summed = np.add.reduceat(self.coefs[order], starts)
        keep = summed != 0
        return key[starts][keep], summed[keep]

    @property
    def keys(self) -> np.ndarray:
        """The canonical keys (sorted, distinct)."""
        return self._canonical[0]

    @property
    def canonical_coefs(self) -> np.ndarray:
        """The coefficients of :attr:`keys`."""
        return self._canonical[1]

    @property
    def size(self) -> int:
        """Number of distinct terms."""
        return int(self.keys.size)

    def _slot_index(self) -> np.ndarray | None:
        """For each (row, tap_a, tap_b) slot, the one stored term in it (-1 if none); None when a slot holds two
        terms, when coefficients are not all 1, or when the table would be large.

        In a Gram matrix ``MᵀM`` the tap ``a`` at column ``r`` of M fixes the row of M, so ``(r, a, b)`` fixes the
        column; that is verified here (last writer wins: a slot written twice is seen when read back).
        """
        size = self.shape[0] * self.n_taps * self.n_taps
        if self.coefs is not None or size > DENSE_SLOTS:
            return None
        itype = np.int32 if self.rows.size < 2**31 - 1 else _I64
        order = np.arange(self.rows.size, dtype=itype)
        slot = self._slots()
        table = np.full(size, -1, dtype=itype)
        table[slot] = order
        return table if bool(np.array_equal(table[slot], order)) else None

    def _slots(self) -> np.ndarray:
        return (_wide(self.rows) * self.n_taps + self.taps_a) * self.n_taps + self.taps_b

    def equals(self, other: GramStructure) -> bool:
        """Identical canonical terms (hence, over pairwise distinct symbols, identical matrices).

        Identical term arrays (same order) are equal at once.  When both sides hold the same number of unit terms
        and this one has at most one term per (row, tap, tap) slot, a one-to-one matching of the other's terms onto these (same slot, same column) proves equality
        without a sort; in every other case, including a failed matching (a tap pair may be written in the other
        order), the canonical forms decide.
        """
        if (self.shape, self.n_taps) != (other.shape, other.n_taps):
            return False
        if self._identical(other):  # the same terms in the same order: the same canonical form, nothing to sort
            return True
        if self.rows.size == other.rows.size and other.coefs is None:
            table = self._slot_index()
            if table is not None:
                hit = table[other._slots()]
                if bool(np.all(hit >= 0)) and bool(np.array_equal(self.cols[hit], other.cols)):
                    covered = np.zeros(self.rows.size, dtype=bool)
                    covered[hit] = True
                    if bool(covered.all()):  # as many terms on each side, every one matched: a bijection
                        return True
        return (self.size == other.size and bool(np.array_equal(self.keys, other.keys))
                and bool(np.array_equal(self.canonical_coefs, other.canonical_coefs)))

    def equals_ordered(self, other: GramStructure) -> bool:
        """Identical terms ``(row, column, tap_a, tap_b)`` as written, a tap pair not read in the other order.

        Stronger than :meth:`equals`: it compares which tap reaches the row, not only the matrix (the pattern
        from which a product over axes is assembled).
        """
        if (self.shape, self.n_taps) != (other.shape, other.n_taps):
            return False
        if self._identical(other):  # the same terms in the same order, tap pairs as written
            return True
        return bool(np.array_equal(self._ordered, other._ordered))

    @functools.cached_property
    def _ordered(self) -> np.ndarray:
        """:func:`_ordered_terms` of this structure (computed once: a blind-spot test compares one sample with
        several changed copies)."""
        return _ordered_terms(self)

    def _identical(self, other: GramStructure) -> bool:
        """The same term arrays, element for element (coefficients included): then every form derived from them,
        canonical or ordered, is the same."""
        if self.rows.size != other.rows.size or (self.coefs is None) != (other.coefs is None):
            return False
        pairs = [(self.rows, other.rows), (self.cols, other.cols), (self.taps_a, other.taps_a),
                 (self.taps_b, other.taps_b)]
        if self.coefs is not None:
            pairs.append((self.coefs, other.coefs))
        return all(bool(np.array_equal(a, b)) for a, b in pairs)

    def restrict(self, keep: np.ndarray) -> GramStructure:
        """The terms marked in the boolean array ``keep`` (one flag per stored term)."""
        keep = np.asarray(keep, dtype=bool)
        return GramStructure(self.shape, self.n_taps, self.rows[keep], self.cols[keep], self.taps_a[keep],
                             self.taps_b[keep], None if self.coefs is None else self.coefs[keep])

    def restrict_rows(self, keep: np.ndarray) -> GramStructure:
        """The terms whose row is marked in the boolean array ``keep`` (length ``shape[0]``)."""
        return self.restrict(np.asarray(keep, dtype=bool)[self.rows])

    def first_difference(self, other: GramStructure) -> tuple[int, int] | None:
        """The first (row, column), in row-major order, where the terms differ (None when identical)."""
        block = self.n_taps * self.n_taps
        only = np.setxor1d(self.keys, other.keys, assume_unique=True)
        common, mine, theirs = np.intersect1d(self.keys, other.keys, assume_unique=True, return_indices=True)
        changed = common[self.canonical_coefs[mine] != other.canonical_coefs[theirs]]
        keys = np.concatenate([only, changed])
        if not keys.size:
            return None
        first = int(keys.min()) // block
        return divmod(first, self.shape[1])

    def terms_at(self, row: int, col: int) -> list[tuple[int, int, int]]:
        """The ``(tap_a, tap_b, coef)`` terms at one position."""
        block = self.n_taps * self.n_taps
        base = (row * self.shape[1] + col) * block
        lo, hi = np.searchsorted(self.keys, [base, base + block])
        return [(*divmod(int(key) - base, self.n_taps), int(q))
                for key, q in zip(self.keys[lo:hi].tolist(), self.canonical_coefs[lo:hi].tolist())]

    def entry(self, row: int, col: int, weight: Any) -> Any:
        """The entry at ``(row, col)`` as a sympy expression in ``weight``'s entries."""
        flat = _flat(weight)
        return sympy.Add(*(q * flat[a] * flat[b] for a, b, q in self.terms_at(row, col)))

    def diagonal_counts(self) -> np.ndarray:
        """The diagonal with every weight set to 1: the sum of the coefficients on each diagonal position."""
        on = self.rows == self.cols
        weights = None if self.coefs is None else self.coefs[on]
        return np.bincount(self.rows[on], weights=weights, minlength=self.shape[0]).astype(_I64)

    def to_numpy(self, weight_values: Any) -> np.ndarray:
        """The dense matrix for numeric weights (shape bounded by :data:`GRAM_DENSE_LIMIT`)."""
        if self.shape[0] * self.shape[1] > GRAM_DENSE_LIMIT:
            raise SizeLimitError(f"a dense {self.shape} Gram matrix has over GRAM_DENSE_LIMIT={GRAM_DENSE_LIMIT} "
                                 "entries; use its terms (rows, cols, taps_a, taps_b, coefs) instead")
        values = np.asarray(weight_values, dtype=float).ravel()
        out = np.zeros(self.shape)
        coefs = 1 if self.coefs is None else self.coefs
        np.add.at(out, (self.rows, self.cols), coefs * values[self.taps_a] * values[self.taps_b])
        return out


def _ordered_terms(g: GramStructure) -> np.ndarray:
    """Sorted distinct ``(row, column, tap_a, tap_b)`` keys with their summed coefficients, as one array."""
    span = g.n_taps
    key = ((_wide(g.rows) * g.shape[1] + g.cols) * span + g.taps_a) * span + g.taps_b
    coefs = np.ones_like(key) if g.coefs is None else g.coefs
    order = np.argsort(key, kind="stable")
    key, coefs = key[order], coefs[order]
    if not key.size:
        return np.zeros((2, 0), dtype=_I64)
    starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    summed = np.add.reduceat(coefs, starts)
    keep = summed != 0
    return np.stack([key[starts][keep], summed[keep]])


def _index_array(values: Any) -> np.ndarray:
    """A one-dimensional int32 or int64 array of ``values`` (int32 and int64 arrays as they are, without a copy)."""
    arr = np.asarray(values)
    if arr.dtype not in (np.dtype(np.int32), _I64):
        arr = arr.astype(_I64)
    return arr if arr.ndim == 1 else arr.ravel()


def _wide(values: np.ndarray) -> np.ndarray:
    """``values`` as int64 (a key made of int32 arrays and Python ints would be computed in int32)."""
    return values if values.dtype == _I64 else values.astype(_I64)


def _flat(weight: Any) -> list:
    return list(object_array(weight).ravel())


def gram_structure(spec: ConvSpec, weight: Any, input_shape: Any) -> GramStructure:
    """``MᵀM`` for the convolution ``spec`` on inputs of ``input_shape``, from the structure of M.

    The product is a sparse join over M's rows: every pair of terms ``w[t]`` at ``(r, x)`` and ``w[t']`` at
    ``(r, x')`` of one row ``r`` contributes ``w[t] w[t']`` at ``(x, x')``.  Nothing here uses the lag or the
    phase: those are what :func:`symconv.proofs.gram.prove_gram` checks the product against.

    Parameters
    ----------
    spec : ConvSpec
        The convolution.
    weight : array_like
        Its weight in PyTorch's layout (symbols or numbers); the terms name its flattened entries by index.
    input_shape : tuple of int
        Spatial input shape.

    Returns
    -------
    GramStructure
        The terms ``(row, column, tap, tap, coefficient)`` of ``MᵀM``, rows and columns flat (channel, position).

    Raises
    ------
    SpecTypeError
        If ``spec`` is not a :class:`~symconv.ConvSpec` (the round trip of a transposed layer is not this).
    ShapeError
        For a weight or input shape that does not fit ``spec``.

    Examples
    --------
    >>> from symconv import ConvSpec, kernel_symbols
    >>> spec = ConvSpec(2)
    >>> gram_structure(spec, kernel_symbols(spec), (3,)).entry(1, 1, kernel_symbols(spec))
    w_0**2 + w_1**2
    """
    if not isinstance(spec, ConvSpec):
        raise SpecTypeError(f"spec must be a ConvSpec (MᵀM is the round trip of a convolution), got "
                            f"{type(spec).__name__}")
    M = conv_matrix(spec, weight, input_shape)
    s = M.structure.row_major
    n_rows = M.shape[0]
    per_row = np.bincount(s.rows, minlength=n_rows)
    width = int(per_row.max()) if s.size else 0
    # the terms of each row in a dense table (row, slot), -1 where a row has fewer terms
    start = np.cumsum(per_row) - per_row
    slot = np.arange(s.size) - start[s.rows]
    table = np.full((n_rows, width), -1, dtype=_I64)
    table[s.rows, slot] = np.arange(s.size)
    left = np.broadcast_to(table[:, :, None], (n_rows, width, width)).ravel()
    right = np.broadcast_to(table[:, None, :], (n_rows, width, width)).ravel()
    both = np.flatnonzero((left >= 0) & (right >= 0))
    left, right = left[both], right[both]
    coefs = None if s.unit else np.asarray(s.coefs)[left] * np.asarray(s.coefs)[right]  # M's are 1
    n_taps = int(object_array(M.weight).size)
    return GramStructure.build((M.shape[1], M.shape[1]), s.cols[left], s.cols[right], s.taps[left], s.taps[right],
                               coefs, n_taps=n_taps)


def gram_matrix(spec: ConvSpec, weight: Any, input_shape: Any) -> sympy.ImmutableSparseMatrix:
    """``MᵀM`` as a sympy matrix (at most :data:`GRAM_DENSE_LIMIT` entries).

    Parameters
    ----------
    spec, weight, input_shape
        As for :func:`gram_structure`.

    Returns
    -------
    sympy.ImmutableSparseMatrix
        The symmetric matrix ``MᵀM``, one row and column per (channel, position) of the input.

    Raises
    ------
    SizeLimitError
        When the matrix would have more than :data:`GRAM_DENSE_LIMIT` entries (use :func:`gram_structure`).
    SpecTypeError, ShapeError
        As :func:`gram_structure`.

    Examples
    --------
    >>> from symconv import ConvSpec, kernel_symbols
    >>> spec = ConvSpec(2)
    >>> gram_matrix(spec, kernel_symbols(spec), (3,))
    Matrix([
    [ w_0**2,         w_0*w_1,       0],
    [w_0*w_1, w_0**2 + w_1**2, w_0*w_1],
    [      0,         w_0*w_1,  w_1**2]])
    """
    G = gram_structure(spec, weight, input_shape)
    if G.shape[0] * G.shape[1] > GRAM_DENSE_LIMIT:
        raise SizeLimitError(f"a {G.shape} Gram matrix has over GRAM_DENSE_LIMIT={GRAM_DENSE_LIMIT} entries; "
                             "use gram_structure() for its terms")
    flat = _flat(weight)
    entries: dict = {}
    coefs = np.ones_like(G.rows) if G.coefs is None else G.coefs
    for r, c, a, b, q in zip(G.rows.tolist(), G.cols.tolist(), G.taps_a.tolist(), G.taps_b.tolist(), coefs.tolist()):
        entries[(r, c)] = entries.get((r, c), 0) + q * flat[a] * flat[b]
    return sympy.ImmutableSparseMatrix(G.shape[0], G.shape[1], entries)


def gram_interior(spec: ConvSpec, input_shape: Any) -> tuple[range, ...]:
    """Per axis, the positions ``j`` whose row of ``MᵀM`` has every term of the unbounded layer.

    ``d(k-1) <= j``, ``j + p_l <= s(n_out - 1)`` and ``j + d(k-1) <= n - 1``: every tap that reaches ``j`` from
    the uncropped grid reads an output that exists, and every partner ``j + d(μ - m)`` is an input position.
    (With ``p_l >= 0`` the first bound also gives ``i >= 0``.)

    Parameters
    ----------
    spec : ConvSpec
        The convolution.
    input_shape : tuple of int
        Spatial input shape.

    Returns
    -------
    tuple of range
        One range of positions per axis (empty when no row is complete).

    Raises
    ------
    ShapeError
        For an input shape that does not fit ``spec``.

    Examples
    --------
    >>> gram_interior(ConvSpec(3, stride=2, padding=1), (9,))
    (range(2, 7),)
    """
    shape = spec.check_input_shape(input_shape)
    out = spec.output_shape(shape)
    ranges = []
    for n, n_out, k, s, p_l, d in zip(shape, out, spec.kernel_size, spec.stride, spec.padding_left, spec.dilation):
        lo = d * (k - 1)
        hi = min(s * (n_out - 1) - p_l, n - 1 - d * (k - 1))
        ranges.append(range(lo, max(lo, hi + 1)))
    return tuple(ranges)


def phase_autocorrelation(spec: ConvSpec, weight: Any, phase: Any, c: int, c2: int, lag: Any) -> Any:
    """``R_t[c, c', τ] = Σ_o Σ_m w[o, c, m] w[o, c', m + τ]`` over the taps ``m`` of phase ``t``.

    Tap ``m`` belongs to phase ``t`` (one residue per axis) when ``d m ≡ t (mod s)`` on every axis; ``c`` and
    ``c'`` are input channels (zero unless they share a group), ``o`` runs over the output channels of their
    group.  In the interior, ``(MᵀM)[(c, j), (c', j + d τ)] = R_{phase(j)}[c, c', τ]``.

    Parameters
    ----------
    spec : ConvSpec
        The convolution.
    weight : array_like
        Its weight in PyTorch's layout.
    phase : tuple of int
        One residue ``0 <= t < s`` per axis.
    c, c2 : int
        Input channels.
    lag : tuple of int
        The tap lag ``τ`` per axis.

    Returns
    -------
    sympy.Expr
        The sum (``0`` when ``c`` and ``c2`` lie in different groups or no tap pair fits).

    Raises
    ------
    IndexError
        For a channel outside the layer.

    Examples
    --------
    >>> from symconv import ConvSpec, kernel_symbols
    >>> spec = ConvSpec(3, stride=2, padding=1)
    >>> w = kernel_symbols(spec)
    >>> phase_autocorrelation(spec, w, (0,), 0, 0, (1,)), phase_autocorrelation(spec, w, (1,), 0, 0, (0,))
    (w_0*w_1, w_1**2)
    """
    w = object_array(weight)
    per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    if c // per_in != c2 // per_in:
        return sympy.Integer(0)
    group = c // per_in
    total = sympy.Integer(0)
    for o in range(group * per_out, (group + 1) * per_out):
        for m in itertools.product(*(range(k) for k in spec.kernel_size)):
            m2 = tuple(a + b for a, b in zip(m, lag))
            if not all(0 <= x < k for x, k in zip(m2, spec.kernel_size)):
                continue
            if all((d * x - t) % s == 0 for x, t, s, d in zip(m, phase, spec.stride, spec.dilation)):
                total += w[(o, c - group * per_in) + m] * w[(o, c2 - group * per_in) + m2]
    return total


def phase_energies(spec: ConvSpec, weight: Any, channel: int = 0) -> dict:
    """The diagonal of ``MᵀM`` in the interior: ``Σ_o Σ_{m of phase t} w[o, c, m]²`` for every phase ``t``.

    Parameters
    ----------
    spec : ConvSpec
        The convolution.
    weight : array_like
        Its weight in PyTorch's layout.
    channel : int, default 0
        The input channel.

    Returns
    -------
    dict
        Phase (a tuple, one residue per axis) to its energy (a sympy expression).

    Raises
    ------
    IndexError
        For a channel outside the layer.

    Examples
    --------
    >>> from symconv import ConvSpec, kernel_symbols
    >>> spec = ConvSpec(3, stride=2, padding=1)
    >>> phase_energies(spec, kernel_symbols(spec))
    {(0,): w_0**2 + w_2**2, (1,): w_1**2}
    """
    zero = (0,) * len(spec.kernel_size)
    return {t: phase_autocorrelation(spec, weight, t, channel, channel, zero)
            for t in itertools.product(*(range(s) for s in spec.stride))}


def autocorrelation(weight: Any, lag: Any, channel: int = 0, channel2: int | None = None) -> Any:
    """The kernel's autocorrelation ``R[τ] = Σ_o Σ_m w[o, c, m] w[o, c', m + τ]`` (one group's weight block).

    ``weight`` has PyTorch's layout ``(C_out, C_in/g, k...)``; the sum runs over all its output channels.
    With stride 1 this is the interior of ``MᵀM``; ``R[0] = ‖w‖²`` is its largest value (Cauchy–Schwarz).

    Parameters
    ----------
    weight : array_like
        A weight block ``(C_out, C_in/g, k...)`` (symbols or numbers).
    lag : tuple of int
        The lag ``τ``, one entry per spatial axis.
    channel, channel2 : int
        The input channels ``c`` and ``c'`` inside the block (``channel2`` defaults to ``channel``).

    Returns
    -------
    sympy.Expr
        The sum (``0`` for a lag no tap pair fits).

    Raises
    ------
    ShapeError
        If ``lag`` has not one entry per spatial axis.

    Examples
    --------
    >>> from symconv import ConvSpec, kernel_symbols
    >>> w = kernel_symbols(ConvSpec(3))
    >>> autocorrelation(w, (0,)), autocorrelation(w, (1,)), autocorrelation(w, (-2,))
    (w_0**2 + w_1**2 + w_2**2, w_0*w_1 + w_1*w_2, w_0*w_2)
    """
    w = object_array(weight)
    channel2 = channel if channel2 is None else channel2
    kernel = w.shape[2:]
    lag = tuple(int(x) for x in lag)
    if len(lag) != len(kernel):
        raise ShapeError(f"lag {lag} has {len(lag)} axes, the kernel {len(kernel)}")
    products = []
    for o in range(w.shape[0]):
        for m in itertools.product(*(range(k) for k in kernel)):
            m2 = tuple(a + b for a, b in zip(m, lag))
            if all(0 <= x < k for x, k in zip(m2, kernel)):
                products.append(w[(o, channel) + m] * w[(o, channel2) + m2])
    return sympy.Add(*products)  # one sum (the same expression as adding term by term, without its quadratic cost)

