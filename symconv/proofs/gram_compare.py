"""The round trip's comparisons: exact structure equality of a computed product with a statement, self-tested.

:func:`compare` is one step of :func:`~symconv.proofs.gram.prove_gram`; it refuses to give a verdict when
:func:`blind_spot` finds the comparison unable to see a changed term (the trust rules: every comparison must be
able to fail).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import SizeLimitError
from ..gram import GramStructure
from .core import Step

__all__ = ["compare", "blind_spot", "merge", "m_structure", "per_axis"]

def compare(name: str, product: GramStructure, statement: Any, lhs: Any, rhs: Any, rule: str,
             weight: Any, what: str = "(row, column, tap, tap)", ordered: bool = False, zero_rows: bool = False) -> Step:
    """Exact structure equality of the product with the statement (a callable that builds it: a statement that
    cannot be built, e.g. with terms outside the matrix, is a failed step).

    A statement with no terms compares nothing and fails, except with ``zero_rows``: rows that the statement says
    are zero (their phase has no tap) hold when the product has no terms there either."""
    if callable(statement):
        try:
            statement = statement()
        except (MemoryError, SizeLimitError):
            raise
        except Exception as exc:  # noqa: BLE001 - a statement that breaks is a failed step
            return Step(lhs, rhs, rule, "exact structure", False,
                        f"the statement could not be built: {type(exc).__name__}: {exc}", name=name)
    if product.shape != statement.shape:
        return Step(lhs, rhs, rule, "exact structure", False,
                    f"shapes differ: {product.shape} and {statement.shape}", name=name)
    blind = blind_spot(product, ordered)
    if blind:  # the comparison itself must be able to see a difference
        return Step(lhs, rhs, rule, "exact structure", False, blind, name=name)
    if statement.rows.size == 0:
        if zero_rows and product.rows.size == 0 and product.shape[0]:
            return Step(lhs, rhs, rule, "exact structure", True, "no tap has the phase of these rows, so the "
                        "statement makes them zero, and the product has no term in them either", name=name)
        return Step(lhs, rhs, rule, "exact structure", False, "the statement has no terms here, so nothing was "
                    "compared", name=name)
    if (product.equals_ordered if ordered else product.equals)(statement):
        return Step(lhs, rhs, rule, "exact structure", True,
                    f"{statement.rows.size} terms {what}, identical", name=name)
    where = product.first_difference(statement)
    detail = f"the structures differ ({product.rows.size} and {statement.rows.size} terms)"
    if where is None and ordered:
        detail += (": the same products of taps, but at some entry the two taps in the other order (the tap "
                   "reaching the row is not the statement's)")
    if where is not None:
        r, c = where
        detail = (f"first differing entry at row {r}, column {c}: the product gives {product.entry(r, c, weight)}, "
                  f"the statement {statement.entry(r, c, weight)}")
    return Step(lhs, rhs, rule, "exact structure", False, detail, name=name)


def blind_spot(product: GramStructure, ordered: bool = False) -> str:
    """Why :meth:`GramStructure.equals` could not see a difference here ('' when it can).

    It is run on a few of the product's terms against an unchanged copy (must be equal) and against copies with
    one term's second tap, column or row changed (each must be unequal); with ``ordered``, also against a copy
    with one term's two different taps exchanged.
    """
    keep = min(product.rows.size, 16)
    if keep == 0:
        return ""
    base = [np.array(x[:keep], dtype=np.int64) for x in (product.rows, product.cols, product.taps_a, product.taps_b)]
    # the sample's own corner of the matrix (room for a changed row and column): the comparison's code paths are
    # the same, its tables the size of the sample
    shape = (min(product.shape[0], int(base[0].max()) + 2), min(product.shape[1], int(base[1].max()) + 2))

    def sample(arrays: list, coefs: Any = None) -> GramStructure:
        # the product's own terms, each changed one kept inside the shape: valid by construction, so built
        # directly (GramStructure.build would validate sixteen terms at the cost of a dozen array passes)
        return GramStructure(shape, product.n_taps, *arrays, coefs)

    reference = sample(base)
    same = (lambda a, b: a.equals_ordered(b)) if ordered else (lambda a, b: a.equals(b))
    if not same(reference, sample([x.copy() for x in base])):
        return "the Gram comparison finds a matrix unequal to its copy, so its verdict would mean nothing"
    for what, field, size in (("second tap", 3, product.n_taps), ("first tap", 2, product.n_taps),
                              ("column", 1, shape[1]), ("row", 0, shape[0])):
        if size < 2:
            continue
        arrays = [x.copy() for x in base]
        arrays[field][-1] = (int(arrays[field][-1]) + 1) % size
        if same(reference, sample(arrays)):
            return f"the Gram comparison cannot see a changed {what}, so its verdict would mean nothing"
    coefs = np.ones(keep, dtype=np.int64) if product.coefs is None else np.array(product.coefs[:keep])
    doubled = coefs.copy()
    doubled[-1] = doubled[-1] * 2 if doubled[-1] != 0 else 1
    if same(sample(base, None if bool(np.all(coefs == 1)) else coefs), sample(base, doubled)):
        return "the Gram comparison cannot see a changed coefficient, so its verdict would mean nothing"
    mixed = np.flatnonzero(base[2] != base[3])
    if ordered and mixed.size:
        arrays = [x.copy() for x in base]
        at = int(mixed[0])
        arrays[2][at], arrays[3][at] = base[3][at], base[2][at]
        if same(reference, sample(arrays)):
            return "the Gram comparison cannot see a tap pair written in the other order, so its verdict would mean nothing"
    return ""


def m_structure(M: Any, n_taps: int) -> GramStructure:
    """M's terms as a Gram-type structure: tap ids in ``taps_a``, 0 in ``taps_b`` (a stride-0 view: M's arrays are
    used as they are, not copied)."""
    s = M.structure.row_major
    return GramStructure.build(M.shape, s.rows, s.cols, s.taps, np.broadcast_to(np.zeros((), dtype=s.taps.dtype),
                                                                                   s.taps.shape),
                               None if s.unit else s.coefs, n_taps=n_taps)


def merge(name: str, steps: list[Step], lhs: Any, rhs: Any, rule: str) -> Step:
    """One step from the per-axis comparisons: it holds when every axis's does."""
    ndim = len(steps)
    detail = "; ".join((f"axis {ax}: " if ndim > 1 else "") + s.detail for ax, s in enumerate(steps))
    bad = [s for s in steps if not s.holds]
    if bad:
        detail = "; ".join(f"axis {ax}: {s.detail}" if ndim > 1 else s.detail for ax, s in enumerate(steps)
                           if not s.holds)
    return Step(lhs, rhs, rule, "exact structure", not bad, detail, name=name)



def per_axis(compare_one: Callable[[Any, tuple, GramStructure, Any], Step], axes: list) -> list[Step]:
    """``compare_one(spec_a, shape_a, product_a, w_a)`` for each axis, in order.

    An axis whose one-axis layer and size equal an earlier axis's, and whose computed product holds identical
    terms, is the same comparison on the same arrays (the statement is built from the layer and the size alone): it
    gets the earlier axis's step rather than running it again (a square layer's two axes, say).  The products are
    still computed axis by axis, so an axis whose product differs is compared on its own.

    Parameters
    ----------
    compare_one : callable
        ``(spec_a, shape_a, product_a, w_a) -> Step``, one axis's comparison.
    axes : list of tuple
        ``(spec_a, shape_a, product_a, w_a)`` per axis: the one-axis layer, its size, its computed product and
        its placeholder symbols.

    Returns
    -------
    list of Step
        One step per axis, in order.
    """
    steps: list[Step] = []
    for ax, (spec_a, shape_a, product_a, w_a) in enumerate(axes):
        same = next((steps[b] for b in range(ax) if axes[b][0] == spec_a and axes[b][1] == shape_a
                     and axes[b][2]._identical(product_a)), None)
        steps.append(same if same is not None else compare_one(spec_a, shape_a, product_a, w_a))
    return steps
