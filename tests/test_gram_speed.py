"""The round trip's fast paths keep every comparison able to fail (issue 24's performance work, the trust rules).

The statement of M is enumerated in M's own order so that an equal M is seen equal without a sort; the anchor
counts repeated draws by hashing.  Each shortcut is broken on purpose here, and each mutation of M is found.
"""

from __future__ import annotations

import numpy as np
import pytest

import symconv.proofs.gram as gram_proof
from symconv import ConvSpec, conv_matrix, kernel_symbols, prove_gram
from symconv.gram import GramStructure
from symconv.proofs.anchors import bound_reached, repeated_values
from symconv.proofs.gram_compare import compare, m_structure
from symconv.proofs.gram_statement import m_statement

LAYERS = [
    (ConvSpec(3, stride=2, padding=1), (11,)),
    (ConvSpec((3, 3), stride=2, padding=1), (9, 8)),
    (ConvSpec((3, 2), stride=(2, 1), padding=((1, 0), (0, 1)), dilation=(1, 2), in_channels=4, out_channels=6,
              groups=2), (7, 6)),
    (ConvSpec((2, 3, 2), stride=(1, 2, 3), padding=1, in_channels=2, out_channels=4, groups=2), (5, 6, 7)),
]


def _terms(g: GramStructure) -> list[np.ndarray]:
    coefs = np.ones(g.rows.size, dtype=np.int64) if g.coefs is None else g.coefs
    return [g.rows.copy(), g.cols.copy(), g.taps_a.copy(), g.taps_b.copy(), coefs.copy()]


def _moved(t):  # a term moved to the next column (kept inside the matrix)
    t[1][len(t[1]) // 2] = (t[1][len(t[1]) // 2] + 1) % (t[1].max() + 1)


def _tap_changed(t):
    t[2][len(t[2]) // 2] = (t[2][len(t[2]) // 2] + 1) % (t[2].max() + 1)


def _row_changed(t):
    t[0][len(t[0]) // 2] = (t[0][len(t[0]) // 2] + 1) % (t[0].max() + 1)


def _doubled(t):
    t[4][len(t[4]) // 2] = 2


def _dropped(t):
    keep = np.arange(len(t[0])) != len(t[0]) // 2
    t[:] = [x[keep] for x in t]


def _duplicated(t):
    t[:] = [np.append(x, x[len(x) // 2]) for x in t]


def _swapped_with_next(t):  # the same terms in another order: still M
    at = len(t[0]) // 2
    for x in t:
        x[at], x[at + 1] = x[at + 1].copy(), x[at].copy()


MUTATIONS = {"a term moved": _moved, "a tap changed": _tap_changed, "a row changed": _row_changed,
             "a coefficient doubled": _doubled, "a term dropped": _dropped, "a term duplicated": _duplicated}


def _mutated(structure: GramStructure, mutation) -> GramStructure:
    terms = _terms(structure)
    mutation(terms)
    return GramStructure.build(structure.shape, *terms, n_taps=structure.n_taps)


@pytest.mark.parametrize("spec, shape", LAYERS)
def test_the_statement_of_m_comes_in_m_s_own_order(spec, shape):
    w = kernel_symbols(spec)
    s = conv_matrix(spec, w, shape).structure.row_major
    statement = m_statement(spec, shape)
    assert all(np.array_equal(a, b) for a, b in ((statement.rows, s.rows), (statement.cols, s.cols),
                                                 (statement.taps_a, s.taps)))


@pytest.mark.parametrize("spec, shape", LAYERS)
@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_every_mutation_of_m_is_found_by_the_comparison(spec, shape, name):
    w = kernel_symbols(spec)
    M = conv_matrix(spec, w, shape)
    n_taps = int(np.prod(spec.weight_shape))
    product = m_structure(M, n_taps)
    step = compare("M by axes", product, lambda: m_statement(spec, shape), None, None, "", w)
    assert step.holds, step.detail
    step = compare("M by axes", _mutated(product, MUTATIONS[name]), lambda: m_statement(spec, shape), None, None,
                   "", w)
    assert not step.holds, name
    reordered = compare("M by axes", _mutated(product, _swapped_with_next), lambda: m_statement(spec, shape), None,
                        None, "", w)
    assert reordered.holds, reordered.detail  # another order is no other matrix: the slow path decides it


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_mutated_m_fails_the_proof_at_m_by_axes(monkeypatch, name):
    original = gram_proof._m_structure
    monkeypatch.setattr(gram_proof, "_m_structure", lambda M, n: _mutated(original(M, n), MUTATIONS[name]))
    for spec, shape in LAYERS[:3]:
        proof = prove_gram(spec, shape)
        assert not proof.holds and proof.failed_step.name == "M by axes", (name, spec, proof.failure)


def test_identical_arrays_that_are_always_identical_are_refused(monkeypatch):
    monkeypatch.setattr(GramStructure, "_identical", lambda self, other: True)
    proof = prove_gram(ConvSpec((3, 3), stride=2, padding=1), (6, 7))
    assert proof.holds is False and proof.failed_step.name == "M by axes"
    assert "cannot see a changed" in proof.failed_step.detail


def test_identical_arrays_compare_equal_and_a_changed_one_does_not():
    g = m_statement(ConvSpec((3, 3), stride=2, padding=1), (9, 8))
    copy = GramStructure.build(g.shape, *_terms(g)[:4], n_taps=g.n_taps)
    assert g._identical(copy) and g.equals(copy) and g.equals_ordered(copy)
    for mutation in MUTATIONS.values():
        other = _mutated(g, mutation)
        assert not g._identical(other) and not g.equals(other)


@pytest.mark.parametrize("n, bound", [(0, 5), (1, 5), (100, 3), (4095, 10**6), (4096, 10**6), (50_000, 10**4),
                                      (196_635, 715_827_882), (300_000, 2**31), (10_000, 2**62)])
def test_repeated_values_counts_exactly_as_a_sort(n, bound):
    rng = np.random.default_rng(n)
    values = rng.integers(-bound, bound + 1, n, dtype=np.int64)
    for sample in (values, np.concatenate([values, values[: n // 3]]), np.concatenate([values, np.zeros(n, int)])):
        ordered = np.sort(sample)
        assert repeated_values(sample) == int(np.count_nonzero(ordered[1:] == ordered[:-1]))


def test_repeated_values_finds_a_single_repeat_among_many():
    values = np.random.default_rng(1).permutation(np.arange(-10**5, 10**5, dtype=np.int64) * 7919)
    assert repeated_values(values) == 0
    values[12345] = values[67890]
    assert repeated_values(values) == 1


def test_draws_with_too_many_repeats_are_refused():
    rng = np.random.default_rng(0)
    bound = 715_827_882
    ws = rng.integers(-bound, bound + 1, (3, 9), dtype=np.int64)
    xs = rng.integers(-bound, bound + 1, (3, 65536), dtype=np.int64)
    assert bound_reached(ws, xs, bound, 60)[1] == ""
    xs[:, :20_000] = xs[:, 20_000:40_000]  # 60 000 draws repeat others: no uniform draw does that
    assert "repeat earlier ones" in bound_reached(ws, xs, bound, 60)[1]


def test_a_square_layer_s_second_axis_is_compared_when_its_product_differs(monkeypatch):
    # the two axes share layer and size; only identical products share a comparison
    original, calls = gram_proof.gram_structure, []

    def second_flipped(spec, weight, shape):
        g = original(spec, weight, shape)
        calls.append(shape)
        if len(calls) % 2:
            return g
        return GramStructure.build(g.shape, g.rows, g.cols, g.taps_a, g.n_taps - 1 - g.taps_b, n_taps=g.n_taps)

    monkeypatch.setattr(gram_proof, "gram_structure", second_flipped)
    proof = prove_gram(ConvSpec((3, 3), stride=2, padding=1), (9, 9))
    assert not proof.holds and proof.failed_step.name == "entries"
    assert "axis 1:" in proof.failed_step.detail and "axis 0:" not in proof.failed_step.detail


def test_a_square_layer_s_axes_share_their_comparisons_and_still_hold():
    proof = prove_gram(ConvSpec((3, 3), stride=2, padding=1), (9, 9))
    assert proof.holds
    for name in ("entries", "interior", "diagonal"):
        detail = next(s.detail for s in proof.steps if s.name == name)
        assert detail.count("axis 0:") == 1 and detail.count("axis 1:") == 1, detail


class _Formulas:
    """symconv.formulas with one formula replaced (the statement's own reading of it)."""

    def __init__(self, **replaced):
        import symconv.formulas as F

        self._F, self._replaced = F, replaced

    def __getattr__(self, name):
        return self._replaced.get(name, getattr(self._F, name))


WRONG_FORMULAS = {
    "tap position +p_l": dict(tap_position=lambda i, m, s, p_l, d: s * i + d * m + p_l),
    "tap position without dilation": dict(tap_position=lambda i, m, s, p_l, d: s * i + m - p_l),
    "channel of the next group": dict(group_channel=lambda g, per, l: ((g + 1) * per + l) % (2 * per)),
    "column-major flattening": dict(flat_index=lambda q, r, B: q + r * B),
}


@pytest.mark.parametrize("name", sorted(WRONG_FORMULAS))
def test_the_statement_of_m_reads_every_formula_it_names(name):
    spec, shape = LAYERS[2]  # two groups, dilation 2 on the second axis, two axes of different lengths
    w = kernel_symbols(spec)
    product = m_structure(conv_matrix(spec, w, shape), int(np.prod(spec.weight_shape)))
    formulas = _Formulas(**WRONG_FORMULAS[name])
    step = compare("M by axes", product, lambda: m_statement(spec, shape, formulas=formulas), None, None, "", w)
    assert not step.holds, (name, step.detail)
    assert compare("M by axes", product, lambda: m_statement(spec, shape, formulas=_Formulas()), None, None, "",
                   w).holds
