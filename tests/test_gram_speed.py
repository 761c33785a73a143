"""The round trip's fast paths keep every comparison able to fail (issue 24's performance work, the trust rules).

The statement of M is enumerated in M's own order so that an equal M is seen equal without a sort; the anchor
counts repeated draws by one sort, checks nine-product layers by its pairs scheme, draws with a raw-bit rejection
sampler and evaluates M x in chunks; Gram structures keep int32 arrays; Cauchy-Schwarz checks all lags at once;
the statement of M is int32 below a guard, its row counts a product over the axes; the overlap counts are the
product of the axes' T row counts; the numeric convolution with one input channel per group is a broadcast product.
Each shortcut is broken on purpose here, and each mutation of M is found.
"""

from __future__ import annotations

import numpy as np
import pytest

import symconv.proofs.gram as gram_proof
import symconv.proofs.overlap as overlap_proof
from symconv import ConvSpec, TransposedConvSpec, conv_matrix, kernel_symbols, overlap_counts, prove_gram
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


# -- the anchor's pairs scheme, its sampler and its chunked evaluation (each broken on purpose) ------------------

import math
from fractions import Fraction

import symconv.proofs.anchors as anchors
from symconv.numeric import conv
from symconv.proofs.anchors import anchor_step, pairs_bound_reached

NINE = (ConvSpec((3, 3), stride=2, padding=1), (9, 8))  # nine products per output: the pairs scheme runs


def _anchor(spec, shape, **kwargs):
    M = conv_matrix(spec, kernel_symbols(spec), shape)
    per_in = spec.in_channels // spec.groups
    return anchor_step("M is the convolution", M, lambda wv, x: conv(spec, wv, x), spec.weight_shape,
                       int(np.prod(spec.kernel_size)) * per_in, None, None, "", **kwargs)


def test_the_pairs_scheme_runs_where_trials_would_need_three_inputs_and_reaches_its_bound():
    step = _anchor(*NINE)
    assert step.holds, step.detail
    assert "two inputs" in step.detail and "three evaluations" in step.detail and "2^-60" in step.detail
    small = _anchor(ConvSpec(3, stride=2, padding=1), (11,))  # three products: two independent trials suffice
    assert small.holds and small.detail.startswith("2 trials")


@pytest.mark.parametrize("count", [1, 3, 9, 12, 54, 576, 10**6])
@pytest.mark.parametrize("bits", [40, 60, 80])
def test_the_pairs_plan_fits_int64_and_its_bound_is_the_exact_one(count, bits):
    b_w, b_x, k, k2, l = anchors._pairs_plan(count, bits)
    assert count * b_w * b_x <= 2**63 - 1 and 1 <= k2 <= k
    sw, sx = 2 * b_w + 1, 2 * b_x + 1
    later = Fraction(1) if l == 1 else Fraction(1, sx ** (l - 1)) + Fraction(1, sw**k2)
    exact = Fraction(1, sw**k) + later / sx  # |S_w|^-K + |S_x|^-1 (|S_x|^-(L-1) + |S_w|^-K'), in rationals
    assert exact <= Fraction(1, 2**bits)
    assert abs(-math.log2(exact) - anchors._pairs_bits(b_w, b_x, k, k2, l)) < 1e-9


def _perturbed_evaluation(which):
    original = anchors._evaluate

    def evaluate(matrix, ws, xs, pairs):
        out = original(matrix, ws, xs, pairs)
        out[which(len(pairs))] += 1  # one output of one evaluation wrong
        return out

    return evaluate


@pytest.mark.parametrize("which", [lambda n: (0, 3), lambda n: (n - 1, 5)], ids=["first pair", "last pair"])
def test_every_evaluation_of_the_pairs_scheme_is_compared(monkeypatch, which):
    monkeypatch.setattr(anchors, "_evaluate", _perturbed_evaluation(which))
    step = _anchor(*NINE)
    assert step.holds is False and "1 of" in step.detail and "outputs differ" in step.detail, step.detail


def test_a_matrix_with_one_tap_changed_fails_the_pairs_scheme(monkeypatch):
    original = anchors._terms

    def one_tap_changed(matrix, n_weights):
        rows, cols, taps, coefs = original(matrix, n_weights)
        taps = taps.copy()
        taps[len(taps) // 2] = (taps[len(taps) // 2] + 1) % n_weights  # one term reads the neighbouring tap
        return rows, cols, taps, coefs

    monkeypatch.setattr(anchors, "_terms", one_tap_changed)
    step = _anchor(*NINE)
    assert step.holds is False and "1 of" in step.detail and "outputs differ" in step.detail, step.detail


def test_a_matrix_of_another_layer_fails_the_pairs_scheme():
    spec, shape = NINE
    other = conv_matrix(ConvSpec((3, 3), stride=2, padding=((2, 0), (1, 1))), kernel_symbols(spec), shape)  # shifted
    step = anchor_step("M", other, lambda wv, x: conv(spec, wv, x), spec.weight_shape, 9, None, None, "")
    assert step.holds is False and "outputs differ" in step.detail and "weights 1 on input 1" in step.detail


def _one_outside(values, bound):
    values.flat[0] = bound + 1  # one value just outside the set
    return values


@pytest.mark.parametrize("draw, why", [
    (lambda rng, bound, shape: np.broadcast_to(rng.integers(-bound, bound + 1, shape[1:]), shape).copy(),
     "repeat earlier ones"),
    (lambda rng, bound, shape: rng.integers(-(bound // 1000), bound // 1000 + 1, shape), "lie between"),
    (lambda rng, bound, shape: rng.integers(-3, 4, shape), "repeat earlier ones"),
    (lambda rng, bound, shape: _one_outside(rng.integers(-bound, bound + 1, shape), bound), "outside"),
    (lambda rng, bound, shape: np.zeros((0,) + tuple(shape[1:]), np.int64), "no point was drawn"),
], ids=["one point repeated", "a narrow range", "a tiny set", "outside the set", "no draw"])
def test_the_pairs_scheme_refuses_draws_that_are_not_what_it_claims(monkeypatch, draw, why):
    monkeypatch.setattr(anchors, "_draw", draw)
    step = _anchor(*NINE)
    assert step.holds is False and why in step.detail, step.detail


def test_pairs_bound_reached_counts_distinct_weights_and_inputs():
    rng = np.random.default_rng(3)
    b_w, b_x, k, k2, l = anchors._pairs_plan(9, 60)
    ws, xs = rng.integers(-b_w, b_w + 1, (k, 9)), rng.integers(-b_x, b_x + 1, (l, 5000))
    assert pairs_bound_reached(ws, xs, b_w, b_x, 60, later=k2)[1] == ""
    same = np.concatenate([ws[:1], ws[:1]])  # a weight drawn twice: its nine values repeat
    assert "repeat earlier ones" in pairs_bound_reached(same, xs, b_w, b_x, 60, later=k2)[1]
    assert "repeat earlier ones" in pairs_bound_reached(ws, np.concatenate([xs[:1]] * 2), b_w, b_x, 60, later=k2)[1]
    short = pairs_bound_reached(ws[:1], xs, b_w, b_x, 60, later=k2)[1]  # one weight: the bound is about 2^-31
    assert short.startswith("one distinct weight and two distinct inputs reach a false-pass bound of 2^-30"), short
    assert "one distinct input" in pairs_bound_reached(ws, xs[:1], b_w, b_x, 60, later=k2)[1]


@pytest.mark.parametrize("bound", [1, 5, 2**15, 2**30 - 1, 2**30, 954437177, 2**31 - 1, 2**31])
def test_the_sampler_draws_the_whole_set_and_nothing_else(bound):
    values = anchors._draw(np.random.default_rng(bound), bound, (4, 50_000))
    assert values.shape == (4, 50_000) and values.dtype == np.int64
    assert values.min() >= -bound and values.max() <= bound
    size = 2 * bound + 1
    if size <= 11:  # every value, each about equally often
        counts = np.bincount(values.ravel() + bound, minlength=size)
        assert counts.min() > 0.9 * values.size / size and counts.max() < 1.1 * values.size / size
    else:  # reaches both ends, centred, spread as a uniform variable is (variance size^2 / 12)
        assert values.min() < -bound + size * 1e-3 and values.max() > bound - size * 1e-3
        assert abs(values.mean()) < 0.01 * bound
        assert abs(values.astype(float).std() / (size / math.sqrt(12)) - 1) < 0.01


def test_the_sampler_keeps_only_words_below_the_set_size(monkeypatch):
    # a generator whose raw words are all 2^32 - 1: every word is rejected except the ones made acceptable
    class Raw:
        def __init__(self):
            self.calls = 0

        def random_raw(self, n):
            self.calls += 1
            words = np.full(n, np.uint64(2**64 - 1))
            if self.calls > 1:
                words[:] = np.uint64(0)
            return words

    class Rng:
        bit_generator = Raw()

    values = anchors._draw(Rng(), 2**30, (10,))  # |S| = 2^31 + 1: the top 32 bits, and 2^32 - 1 is too large
    assert np.all(values == -(2**30)) and Rng.bit_generator.calls == 2


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 14])
@pytest.mark.parametrize("spec, shape", LAYERS)
@pytest.mark.parametrize("coefficients", [False, True])
def test_the_chunked_evaluation_is_the_plain_sum_term_by_term(monkeypatch, chunk, spec, shape, coefficients):
    monkeypatch.setattr(anchors, "_CHUNK", chunk)  # rows cut by chunk ends, many times
    M = conv_matrix(spec, kernel_symbols(spec), shape)
    n_weights = int(np.prod(spec.weight_shape))
    original = anchors._terms

    def terms(matrix, n):
        rows, cols, taps, coefs = original(matrix, n)
        if coefficients:  # integer coefficients, and every fifth term a constant tap (the appended weight 1)
            coefs = 1 + np.arange(rows.size, dtype=np.int64) % 3
            taps = np.where(np.arange(rows.size) % 5 == 0, n, taps)
        return rows, cols, taps, coefs

    monkeypatch.setattr(anchors, "_terms", terms)
    rows, cols, taps, coefs = terms(M, n_weights)
    rng = np.random.default_rng(chunk)
    ws = rng.integers(-1000, 1001, (3,) + tuple(spec.weight_shape))
    xs = rng.integers(-1000, 1001, (2,) + tuple(M.col_shape))
    pairs = [(0, 0), (1, 0), (2, 0), (0, 1), (2, 1)]
    got = anchors._evaluate(M, ws, xs, pairs)
    for at, (k, l) in enumerate(pairs):
        weights = np.append(ws[k].ravel(), 1)
        want = np.zeros(M.shape[0], dtype=np.int64)
        one = np.ones(rows.size, dtype=np.int64) if coefs is None else coefs
        np.add.at(want, rows, one * weights[taps] * xs[l].ravel()[cols])  # every term on its own
        assert np.array_equal(got[at], want), (at, chunk)


def test_an_evaluation_reading_outside_the_input_is_a_failed_step(monkeypatch):
    original = anchors._terms

    def outside(matrix, n_weights):
        rows, cols, taps, coefs = original(matrix, n_weights)
        cols = cols.copy()
        cols[-1] = matrix.shape[1]  # one column past the end: the clipping takes must not read it as the last
        return rows, cols, taps, coefs

    monkeypatch.setattr(anchors, "_terms", outside)
    step = _anchor(*NINE)
    assert step.holds is False and "cannot be evaluated" in step.detail and "column" in step.detail


# -- GramStructure keeps int32 arrays: keys are computed in int64 -------------------------------------------------

def test_int32_term_arrays_are_kept_and_their_keys_do_not_overflow():
    shape = (70_000, 70_000)  # (row * n_cols + col) * taps^2 is far beyond int32
    rows = np.array([69_999, 3, 69_999], dtype=np.int32)
    cols = np.array([69_998, 5, 69_999], dtype=np.int32)
    a = np.array([2, 0, 1], dtype=np.int32)
    b = np.array([1, 0, 2], dtype=np.int32)
    small = GramStructure.build(shape, rows, cols, a, b, n_taps=3)
    wide = GramStructure.build(shape, *(x.astype(np.int64) for x in (rows, cols, a, b)), n_taps=3)
    assert small.rows is rows and small.rows.dtype == np.int32  # not copied
    assert np.array_equal(small.keys, wide.keys) and small.keys.dtype == np.int64
    assert small.keys.max() == ((69_999 * 70_000 + 69_999) * 3 + 1) * 3 + 2
    assert small.equals(wide) and wide.equals(small) and small.equals_ordered(wide)
    moved = GramStructure.build(shape, rows, np.array([69_998, 5, 69_998], dtype=np.int32), a, b, n_taps=3)
    assert not small.equals(moved) and small.first_difference(moved) == (69_999, 69_998)


def test_a_stride_zero_second_tap_stays_a_view_and_compares_as_zeros():
    spec, shape = LAYERS[1]
    M = conv_matrix(spec, kernel_symbols(spec), shape)
    product = m_structure(M, int(np.prod(spec.weight_shape)))
    assert product.taps_b.strides == (0,) and product.rows is M.structure.row_major.rows
    statement = m_statement(spec, shape)
    assert product.equals(statement) and product.size == statement.size


def test_a_comparison_blind_to_the_tap_order_is_refused(monkeypatch):
    monkeypatch.setattr(GramStructure, "equals_ordered", lambda self, other: self.equals(other))
    proof = prove_gram(ConvSpec((3, 3), stride=2, padding=1), (6, 7))
    assert proof.holds is False and proof.failed_step.name == "entries"
    assert "other order" in proof.failed_step.detail


# -- Cauchy-Schwarz checks every lag at once: it still names the first lag, in the lags' order, that fails ---------

def _doubled_at(target):
    from symconv.gram import autocorrelation

    def wrong(w, lag, c=0, c2=None):
        value = autocorrelation(w, lag, c, c2)
        return 2 * value if tuple(lag) == target else value

    return wrong


def _not_quadratic_at(target):
    import sympy
    from symconv.gram import autocorrelation

    def wrong(w, lag, c=0, c2=None):
        value = autocorrelation(w, lag, c, c2)
        return value + sympy.Symbol("w_{0,0}", real=True) ** 3 if tuple(lag) == target else value

    return wrong


@pytest.mark.parametrize("target", [(-2, -2), (0, 1), (1, 1), (2, 2)])
def test_cauchy_schwarz_names_the_lag_where_the_identity_fails(monkeypatch, target):
    spec = ConvSpec((3, 3), stride=2, padding=1)
    monkeypatch.setattr(gram_proof, "autocorrelation", _doubled_at(target))
    step = gram_proof._cauchy_schwarz(spec, kernel_symbols(spec))
    assert step.holds is False and step.detail.startswith(f"channel 0, lag ({target[0]}, {target[1]}), sign +1"), \
        step.detail


def test_cauchy_schwarz_reports_an_earlier_failed_identity_before_a_later_form_that_is_no_quadratic(monkeypatch):
    spec = ConvSpec((3, 3), stride=2, padding=1)
    doubled, cubic = _doubled_at((0, 1)), _not_quadratic_at((1, 1))
    monkeypatch.setattr(gram_proof, "autocorrelation",
                        lambda w, lag, c=0, c2=None: cubic(w, lag, c, c2) if tuple(lag) == (1, 1) else doubled(w, lag, c, c2))
    step = gram_proof._cauchy_schwarz(spec, kernel_symbols(spec))
    assert step.holds is False and step.detail.startswith("channel 0, lag (0, 1), sign +1"), step.detail
    monkeypatch.setattr(gram_proof, "autocorrelation", _not_quadratic_at((0, 1)))
    step = gram_proof._cauchy_schwarz(spec, kernel_symbols(spec))
    assert step.holds is False and "lag (0, 1): R[tau] is not an integer quadratic form" in step.detail, step.detail


# overlap_counts: the product over the axes of each axis's T row counts, instead of the whole T's
OVERLAP_LAYERS = [
    (TransposedConvSpec(3, stride=2), (4,)),
    (TransposedConvSpec((3, 3), stride=2, padding=1, output_padding=1), (9, 8)),
    (TransposedConvSpec((3, 2), stride=(2, 1), padding=((1, 0), (0, 1)), dilation=(1, 2), in_channels=4,
                        out_channels=6, groups=2), (7, 6)),
    (TransposedConvSpec((2, 3, 5), stride=(1, 2, 3), padding=(1, 0, 4), output_padding=(0, 1, 2), dilation=(2, 1, 1)),
     (5, 6, 7)),
    (TransposedConvSpec((4, 1), stride=(3, 2), padding=(4, 0), dilation=(2, 1)), (2, 3)),  # taps cut at both ends
]


@pytest.mark.parametrize("tspec, shape", OVERLAP_LAYERS)
def test_overlap_counts_are_the_whole_t_s_row_counts(tspec, shape):
    single = overlap_proof._spatial(tspec)
    whole = overlap_proof._counts(overlap_proof._single_matrix(single, shape), single.output_shape(shape))
    counts = overlap_counts(tspec, shape)
    assert counts.shape == whole.shape == tspec.output_shape(shape)
    assert np.array_equal(counts, whole)


def _index_map_broken(original):  # T built with j = s i + d m - p_l - 1 or + 1 (the output size kept), for the counts
    def broken(tspec, weight, shape):
        padding = tuple((l + 1, r - 1) if r else (l - 1, r + 1) for l, r in zip(tspec.padding_left, tspec.padding_right))
        return original(TransposedConvSpec(tspec.kernel_size, stride=tspec.stride, padding=padding,
                                           output_padding=tspec.output_padding, dilation=tspec.dilation), weight, shape)

    return broken


@pytest.mark.parametrize("spec, shape, mutation", [
    (*layer, mutation) for layer in (LAYERS[0], LAYERS[2]) for mutation in ("T's index map", "one axis's count")]
    + [(*LAYERS[2], "the axes exchanged")])  # in one dimension no mistake
def test_overlap_counts_broken_fail_the_gram_proof_at_overlap(monkeypatch, spec, shape, mutation):
    if mutation == "T's index map":
        monkeypatch.setattr(overlap_proof, "transposed_conv_matrix",
                            _index_map_broken(overlap_proof.transposed_conv_matrix))
    elif mutation == "one axis's count":
        original = overlap_proof._counts
        monkeypatch.setattr(overlap_proof, "_counts", lambda T, out: np.roll(original(T, out), 1))
    else:  # each axis's layer read with the other axis's input length
        original_axes = overlap_proof._axes
        monkeypatch.setattr(overlap_proof, "_axes", lambda t: original_axes(t)[::-1])
    proof = prove_gram(spec, shape)
    assert not proof.holds
    assert proof.failed_step.name == "overlap", proof.failure


# m_statement's grid: int32 when every value fits, row counts as a product over the axes, one block per (o, i, l)
import itertools

import symconv.proofs.gram_statement as gram_statement

STATEMENT_LAYERS = LAYERS + [
    (ConvSpec((4, 3), stride=(3, 1), padding=((4, 0), (0, 5)), dilation=(2, 3)), (6, 5)),  # taps cut at both ends
    (ConvSpec((2, 2), stride=2, padding=(1, 0), dilation=(1, 2), in_channels=3, out_channels=2), (5, 6)),  # one group, 3 and 2 channels
]


def _m_terms_by_loops(spec, shape):
    """M's terms (row, column, tap) by plain loops over (o, i, l, m), in that order, from PyTorch's rules."""
    out, per_in, per_out = spec.output_shape(shape), spec.in_channels // spec.groups, spec.out_channels // spec.groups
    terms = []
    for o in range(spec.out_channels):
        for i in itertools.product(*(range(n) for n in out)):
            for l in range(per_in):
                for m in itertools.product(*(range(k) for k in spec.kernel_size)):
                    j = [s * a + d * b - p for a, b, s, d, p in zip(i, m, spec.stride, spec.dilation,
                                                                    spec.padding_left)]
                    if all(0 <= x < n for x, n in zip(j, shape)):
                        c = (o // per_out) * per_in + l
                        terms.append((int(np.ravel_multi_index((o,) + i, (spec.out_channels,) + out)),
                                      int(np.ravel_multi_index((c,) + tuple(j), (spec.in_channels,) + shape)),
                                      int(np.ravel_multi_index((o, l) + m, spec.weight_shape))))
    return np.array(terms, dtype=np.int64).reshape(-1, 3)


@pytest.mark.parametrize("limit", [gram_statement.INT32_LIMIT, 0], ids=["int32", "int64"])
@pytest.mark.parametrize("spec, shape", STATEMENT_LAYERS)
def test_the_statement_of_m_is_the_loops_terms_in_their_order(monkeypatch, spec, shape, limit):
    monkeypatch.setattr(gram_statement, "INT32_LIMIT", limit)
    G = m_statement(spec, shape)
    assert G.rows.dtype == G.cols.dtype == G.taps_a.dtype == (np.int32 if limit else np.int64)
    got = np.stack([G.rows, G.cols, G.taps_a], axis=1).astype(np.int64)
    assert np.array_equal(got, _m_terms_by_loops(spec, shape))


def test_the_statement_of_m_widens_to_int64_when_a_tap_position_would_not_fit(monkeypatch):
    spec, shape = STATEMENT_LAYERS[4]
    # the bound on the flat tap positions before the range test is the product over the axes of n + s n_out + d k
    # + |p_l| (here the largest value): int32 below the limit, int64 from it on
    reach = 1
    for n, n_out, k, s, p, d in zip(shape, spec.output_shape(shape), spec.kernel_size, spec.stride,
                                    spec.padding_left, spec.dilation):
        reach *= n + s * n_out + d * k + abs(p)
    assert reach > spec.in_channels * int(np.prod(shape))
    monkeypatch.setattr(gram_statement, "INT32_LIMIT", reach + 1)
    assert m_statement(spec, shape).cols.dtype == np.int32
    monkeypatch.setattr(gram_statement, "INT32_LIMIT", reach)
    assert m_statement(spec, shape).cols.dtype == np.int64


@pytest.mark.parametrize("name", sorted(WRONG_FORMULAS))
@pytest.mark.parametrize("layer", [4, 5], ids=["one channel, taps cut at both ends", "one group of several channels"])
def test_the_statement_of_m_reads_every_formula_on_each_path(name, layer):
    spec, shape = STATEMENT_LAYERS[layer]
    w = kernel_symbols(spec)
    product = m_structure(conv_matrix(spec, w, shape), int(np.prod(spec.weight_shape)))
    step = compare("M by axes", product, lambda: m_statement(spec, shape, formulas=_Formulas(**WRONG_FORMULAS[name])),
                   None, None, "", w)
    assert not step.holds, (name, step.detail)
    assert compare("M by axes", product, lambda: m_statement(spec, shape, formulas=_Formulas()), None, None, "",
                   w).holds


# numeric.conv: with one input channel per group, the sum over c is a broadcast product (no tensordot)
import sympy


def _conv_by_loops(spec, w, x):
    """y[o, i] = sum_{c in o's group, m} w[o, c_l, m] x[c, s i + d m - p_l], the zero extension outside x."""
    out, per_in, per_out = spec.output_shape(x.shape[1:]), spec.in_channels // spec.groups, spec.out_channels // spec.groups
    y = np.zeros((spec.out_channels,) + out, dtype=object)
    for o in range(spec.out_channels):
        for i in itertools.product(*(range(n) for n in out)):
            total = 0
            for l in range(per_in):
                for m in itertools.product(*(range(k) for k in spec.kernel_size)):
                    j = tuple(s * a + d * b - p for a, b, s, d, p in zip(i, m, spec.stride, spec.dilation,
                                                                         spec.padding_left))
                    if all(0 <= v < n for v, n in zip(j, x.shape[1:])):
                        total += w[(o, l) + m] * x[((o // per_out) * per_in + l,) + j]
            y[(o,) + i] = total
    return y


CONV_LAYERS = [
    (ConvSpec((3, 3), stride=2, padding=1), (9, 8)),  # one channel: the broadcast product
    (ConvSpec((3, 2), stride=(2, 1), padding=((1, 0), (0, 1)), dilation=(1, 2), in_channels=3, out_channels=6,
              groups=3), (7, 6)),  # depthwise, two outputs per group: the broadcast product
    (ConvSpec(3, stride=2, padding=((2, 1),), in_channels=4, out_channels=2, groups=2), (9,)),  # tensordot
]


@pytest.mark.parametrize("kind", ["int64", "float", "sympy"])
@pytest.mark.parametrize("spec, shape", CONV_LAYERS)
def test_numeric_conv_is_the_plain_sum(spec, shape, kind):
    from symconv.numeric import conv as numeric_conv

    rng = np.random.default_rng(7)
    w = rng.integers(-9, 10, spec.weight_shape)
    x = rng.integers(-9, 10, (spec.in_channels,) + shape)
    if kind == "float":
        w, x = w / 4.0, x / 8.0
    elif kind == "sympy":
        w = np.array(sympy.symbols(f"w:{w.size}"), dtype=object).reshape(w.shape)
    got, expected = numeric_conv(spec, w, x), _conv_by_loops(spec, w, x)
    assert got.shape == expected.shape
    if kind == "sympy":
        assert all(sympy.expand(a - b) == 0 for a, b in zip(got.ravel(), expected.ravel()))
    else:
        assert np.array_equal(got, expected.astype(got.dtype))


def test_a_conv_that_drops_a_tap_fails_the_anchor(monkeypatch):
    import symconv.numeric as numeric

    spec, shape = CONV_LAYERS[0]
    original = numeric.conv

    def dropped(spec_, w, x):  # the last tap's product left out
        w = np.array(w, copy=True)
        w[(...,) + tuple(k - 1 for k in spec_.kernel_size)] = 0
        return original(spec_, w, x)

    monkeypatch.setattr(gram_proof, "conv", dropped)  # the reference the anchor evaluates
    proof = prove_gram(spec, shape)
    assert not proof.holds and proof.failed_step.name == "M is the convolution", proof.failure
