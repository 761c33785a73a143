"""The integer structure of a convolution matrix.

Every entry of the matrices symconv builds is a sum of ``coef * w[tap]`` terms
(or a plain integer ``coef`` for 0/1 matrices such as zero insertion, marked by
``tap = -1``).  A :class:`Structure` stores those terms as four int64 arrays in
canonical form: sorted by (row, column, tap), duplicates summed, zeros dropped.
Two matrices over one weight of distinct symbols are equal exactly when their
canonical structures are equal, so comparisons run at numpy speed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .errors import ShapeError

__all__ = ["Structure", "CONSTANT"]

CONSTANT = -1
"""Tap id of a term with no weight factor (entries of 0/1 matrices)."""

_I64 = np.int64


def _index(values) -> np.ndarray:
    """An index array as int32 or int64 (builders use int32 when every index fits)."""
    arr = np.asarray(values)
    return arr if arr.dtype in (np.int32, np.int64) else arr.astype(_I64)


def _wide(values: np.ndarray) -> np.ndarray:
    """The array as int64, for arithmetic whose results may exceed int32."""
    return values if values.dtype == _I64 else values.astype(_I64)


@dataclass(frozen=True, eq=False)
class Structure:
    """Canonical (row, column, tap, coefficient) arrays of a sparse matrix.

    ``order`` is ``"row"`` (sorted by row, column, tap) or ``"col"`` (sorted by
    column, row, tap); transposing flips it without sorting, and two structures
    are compared in one order (converting one of them only when they differ).
    """

    shape: tuple[int, int]
    rows: np.ndarray
    cols: np.ndarray
    taps: np.ndarray
    coefs: np.ndarray
    order: str = "row"

    @classmethod
    def build(cls, shape, rows, cols, taps, coefs=None) -> Structure:
        """Canonicalise arbitrary term arrays (sort, sum duplicates, drop zeros)."""
        rows = np.asarray(rows, dtype=_I64).ravel()
        cols = np.asarray(cols, dtype=_I64).ravel()
        taps = np.broadcast_to(np.asarray(taps, dtype=_I64), rows.shape).ravel()
        coefs = np.ones_like(rows) if coefs is None else np.broadcast_to(np.asarray(coefs, dtype=_I64), rows.shape).ravel()
        shape = (int(shape[0]), int(shape[1]))
        if rows.size:
            if rows.min() < 0 or rows.max() >= shape[0] or cols.min() < 0 or cols.max() >= shape[1]:
                raise ShapeError(f"structure entries fall outside the shape {shape}")
            span = int(taps.max()) + 2
            if shape[0] * shape[1] * span < 2**62:
                key = (rows * shape[1] + cols) * span + (taps + 1)
                if bool(np.all(key[1:] > key[:-1])):  # already canonical: the builders' usual case
                    if bool(np.all(coefs != 0)):
                        return cls(shape, rows, cols, taps, np.ascontiguousarray(coefs))
                    order = np.arange(rows.size)
                    new = np.ones(rows.size, dtype=bool)
                else:
                    order = np.argsort(key, kind="stable")
                    key = key[order]
                    new = np.empty(key.size, dtype=bool)
                    new[0] = True
                    np.not_equal(key[1:], key[:-1], out=new[1:])
            else:
                order = np.lexsort((taps, cols, rows))
                r, c, t = rows[order], cols[order], taps[order]
                new = np.empty(r.size, dtype=bool)
                new[0] = True
                new[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1]) | (t[1:] != t[:-1])
            starts = np.flatnonzero(new)
            sorted_coefs = coefs[order]
            summed = np.add.reduceat(sorted_coefs, starts) if not new.all() else sorted_coefs
            first = order[starts]
            keep = summed != 0
            rows, cols, taps, coefs = rows[first][keep], cols[first][keep], taps[first][keep], summed[keep]
        return cls(shape, rows, cols, taps, np.ascontiguousarray(coefs))

    @classmethod
    def canonical(cls, shape, rows, cols, taps, order: str = "row") -> Structure:
        """Wrap arrays that a builder produced in canonical order, with coefficients 1, without re-sorting.

        The order is verified, not trusted (one pass over the sort keys): a
        builder that emitted a term twice or out of order gets the general path,
        :meth:`build`, which sorts and sums duplicates.  Two canonical structures
        are then equal exactly when their matrices are.
        """
        shape = (int(shape[0]), int(shape[1]))
        rows, cols, taps = _index(rows), _index(cols), _index(taps)
        first, second = (rows, cols) if order == "row" else (cols, rows)
        n_second = shape[1] if order == "row" else shape[0]
        ok = rows.size == 0 or (
            int(rows.min()) >= 0 and int(rows.max()) < shape[0] and int(cols.min()) >= 0 and int(cols.max()) < shape[1]
            and int(taps.min()) >= CONSTANT and (int(taps.max()) + 2) * shape[0] * shape[1] < 2**62
        )
        if ok and rows.size > 1:
            span = int(taps.max()) + 2
            key = (_wide(first) * n_second + second) * span + (taps + 1)
            ok = bool(np.all(key[1:] > key[:-1]))
        if not ok:  # build sorts (in row order) and sums duplicates; it rejects entries outside the shape
            return cls.build(shape, rows, cols, taps)
        ones = np.broadcast_to(np.int64(1), np.shape(rows))  # read-only, no memory
        return cls(shape, rows, cols, taps, ones, order)

    @functools.cached_property
    def row_major(self) -> Structure:
        """This structure in row order (itself when it already is)."""
        if self.order == "row":
            return self
        # canonical in column order: a stable sort by (row, column) is a pure permutation (no duplicates to merge)
        order = np.argsort(_wide(self.rows) * self.shape[1] + self.cols, kind="stable")
        coefs = self.coefs if self.unit and self.coefs.strides == (0,) else self.coefs[order]
        return Structure(self.shape, self.rows[order], self.cols[order], self.taps[order], coefs, "row")

    @property
    def size(self) -> int:
        """Number of stored terms."""
        return int(self.rows.size)

    @functools.cached_property
    def is_pattern(self) -> bool:
        """True when no term carries a weight (a 0/1 or integer matrix)."""
        return bool(np.all(self.taps == CONSTANT))

    @functools.cached_property
    def unit(self) -> bool:
        """True when every coefficient is 1."""
        return bool(np.all(self.coefs == 1))

    def nnz(self) -> int:
        """Number of distinct (row, column) positions holding a term."""
        if not self.rows.size:
            return 0
        return 1 + int(np.count_nonzero((self.rows[1:] != self.rows[:-1]) | (self.cols[1:] != self.cols[:-1])))

    def transpose(self) -> Structure:
        """Swap rows and columns; the order flips, nothing is sorted."""
        flipped = "col" if self.order == "row" else "row"
        return Structure(self.shape[::-1], self.cols, self.rows, self.taps, self.coefs, flipped)

    def __add__(self, other: Structure) -> Structure:
        if self.shape != other.shape:
            raise ShapeError(f"cannot add matrices of shapes {self.shape} and {other.shape}")
        cat = np.concatenate
        return Structure.build(
            self.shape, cat([self.rows, other.rows]), cat([self.cols, other.cols]),
            cat([self.taps, other.taps]), cat([self.coefs, other.coefs]),
        )

    def matmul(self, other: Structure) -> Structure:
        """Sparse product, a join over the inner index; one factor must be a pattern."""
        if self.shape[1] != other.shape[0]:
            raise ShapeError(f"cannot multiply matrices of shapes {self.shape} and {other.shape}")
        if not (other.is_pattern or self.is_pattern):
            raise ShapeError("a product needs one factor without weights (a 0/1 or integer matrix)")
        other = other.row_major
        shape = (self.shape[0], other.shape[1])
        if other.size and bool(np.all(other.rows[1:] > other.rows[:-1])):
            # at most one term per inner index: join through a dense lookup table
            itype = np.int32 if other.size < 2**31 - 1 else _I64
            lookup = np.full(other.shape[0], -1, dtype=itype)
            lookup[other.rows] = np.arange(other.size, dtype=itype)
            hit = np.take(lookup, self.cols)
            kept = np.flatnonzero(hit >= 0)  # positions, then take(): far cheaper than boolean indexing
            right = hit.take(kept)
            cols = other.cols.take(right)
            rows = self.rows.take(kept)
            if other.is_pattern and other.unit:
                taps = self.taps.take(kept)
                coefs = np.broadcast_to(np.int64(1), taps.shape) if self.unit else self.coefs.take(kept)
            else:
                taps = np.maximum(self.taps.take(kept), other.taps.take(right))
                coefs = self.coefs.take(kept) * other.coefs.take(right)
            if bool(np.all(other.cols[1:] > other.cols[:-1])):
                # an order-preserving injection keeps self's canonical order: no sort
                return Structure(shape, rows, cols, taps, coefs, self.order)
            return Structure.build(shape, rows, cols, taps, coefs)
        # other is canonical, hence sorted by row: each inner index's run, from the run lengths (one pass,
        # cheaper than a binary search per term when self's columns are not sorted)
        runs = np.bincount(other.rows, minlength=other.shape[0])
        start = (np.cumsum(runs) - runs).take(self.cols)
        counts = runs.take(self.cols)
        total = int(counts.sum())
        left = np.repeat(np.arange(self.size), counts)
        offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        right = np.repeat(start, counts) + offsets
        taps = np.maximum(self.taps[left], other.taps[right])
        return Structure.build(
            (self.shape[0], other.shape[1]), self.rows[left], other.cols[right], taps,
            self.coefs[left] * other.coefs[right],
        )

    def retap(self, mapping: np.ndarray) -> Structure:
        """Rename taps: ``tap -> mapping[tap]`` (constants stay constants)."""
        mapping = np.asarray(mapping, dtype=_I64)
        taps = mapping[self.taps] if not self.is_pattern and bool(np.all(self.taps >= 0)) else np.where(
            self.taps == CONSTANT, CONSTANT, mapping[np.maximum(self.taps, 0)])
        if self.nnz() == self.size:  # one term per position: renaming taps keeps the canonical order
            return Structure(self.shape, self.rows, self.cols, taps, self.coefs, self.order)
        return Structure.build(self.shape, self.rows, self.cols, taps, self.coefs)

    def equals(self, other: Structure) -> bool:
        if self.order != other.order:
            return self.row_major.equals(other.row_major)
        return (
            self.shape == other.shape
            and self.size == other.size
            and bool(np.array_equal(self.rows, other.rows))
            and bool(np.array_equal(self.cols, other.cols))
            and bool(np.array_equal(self.taps, other.taps))
            and bool(np.array_equal(self.coefs, other.coefs))
        )

    def first_difference(self, other: Structure) -> tuple[int, int] | None:
        """The first (row, column), in row-major order, where the terms differ."""
        if self.shape != other.shape:
            raise ShapeError(f"shapes differ: {self.shape} and {other.shape}")
        a = set(self.row_major.terms_by_position())
        b = set(other.row_major.terms_by_position())
        diff = a.symmetric_difference(b)
        if not diff:
            return None
        return min((r, c) for r, c, _ in diff)

    def terms_by_position(self):
        """Yield ``(row, col, ((tap, coef), ...))`` per stored position."""
        if not self.rows.size:
            return
        change = np.flatnonzero((self.rows[1:] != self.rows[:-1]) | (self.cols[1:] != self.cols[:-1])) + 1
        bounds = np.concatenate([[0], change, [self.size]])
        taps, coefs = self.taps.tolist(), self.coefs.tolist()
        rows, cols = self.rows.tolist(), self.cols.tolist()
        for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
            yield rows[lo], cols[lo], tuple(zip(taps[lo:hi], coefs[lo:hi]))

    def terms_at(self, row: int, col: int) -> list[tuple[int, int]]:
        """The (tap, coef) terms at one position."""
        s = self.row_major
        key = _wide(s.rows) * s.shape[1] + s.cols
        lo = np.searchsorted(key, row * s.shape[1] + col, side="left")
        hi = np.searchsorted(key, row * s.shape[1] + col, side="right")
        return list(zip(s.taps[lo:hi].tolist(), s.coefs[lo:hi].tolist()))
