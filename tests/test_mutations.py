"""A catalog of mathematical mistakes: each one, applied alone, must make the proofs fail.

Every mutation monkeypatches one formula or one builder.  The instance proof
(on configurations that exercise it) must return ``holds=False`` naming a step
(never raise), and where the mistake is in a formula the parametric proof uses,
``prove_transpose_general(1)`` and ``(2)`` must fail too (the channel formulas only in 2-D).  Run this file as a
script to print the outcome table that README.md shows:

    python tests/test_mutations.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import symconv.formulas as F
import symconv.matrices as matrices
import symconv.numeric as numeric
import symconv.padding_modes as padding_modes
import symconv.proofs.anchors as anchors
import symconv.proofs.identities as identities
import symconv.proofs.instance as instance
import symconv.proofs.weight_gradient as weight_gradient
import symconv.structure as structure
import symconv.weights as weights
from symconv import (
    ConvSpec,
    TransposedConvSpec,
    autocorrelation,
    kernel_symbols,
    overlap_counts,
    prove_adjoint,
    prove_gradient,
    prove_gram,
    prove_gram_general,
    prove_overlap,
    prove_transpose,
    prove_transpose_general,
    prove_weight_gradient,
    prove_weight_gradient_general,
)

# a layer that exercises every parameter: 2-D, stride, asymmetric padding, output padding, dilation, groups
GROUPED = (TransposedConvSpec((3, 2), stride=(2, 3), padding=((1, 0), (2, 1)), output_padding=(1, 2),
                              dilation=(1, 2), in_channels=4, out_channels=6, groups=2), (3, 4))
# output_padding >= stride (allowed since dilation > stride): M has an extra row, S is not the identity
SELECTING = (TransposedConvSpec(2, stride=1, dilation=3, output_padding=2), (4,))
# a convolution, whose transpose the proof computes (output padding from the round trip)
CONV = (ConvSpec((3, 2), stride=(2, 3), padding=((1, 0), (2, 1)), dilation=(1, 2), in_channels=6, out_channels=4,
                 groups=2), (9, 12))


# padding modes (issue 21): 2-D, stride, asymmetric padding, dilation, groups
def _padded(mode):
    return (ConvSpec((3, 2), stride=(2, 1), padding=((2, 1), (1, 1)), dilation=(1, 2), in_channels=4, out_channels=2,
                     groups=2, padding_mode=mode), (6, 5))


def _symmetric(t, n, p_l):
    """Reflect with the edge repeated (numpy's 'symmetric'), on ints and arrays."""
    u = np.asarray(t - p_l)
    return np.where(u < 0, -u - 1, np.where(u >= n, 2 * n - 1 - u, u))


def _crop_fold(channels, shape, padding, mode):
    """The zero-padding crop in place of the fold: border values are dropped, not added back."""
    padded = tuple(n + pl + pr for n, (pl, pr) in zip(shape, padding))
    return matrices.padding_matrix(channels, padded, tuple((-pl, -pr) for pl, pr in padding))


def _repeated_symbols(spec, name="w"):
    """The kernel with its last symbol replaced by the first: the structures no longer determine the matrix."""
    w = kernel_symbols(spec, name)
    flat = list(w.reshape(len(w)) if hasattr(w, "reshape") else w)
    flat[-1] = flat[0]
    import sympy

    return sympy.ImmutableDenseNDimArray(flat, w.shape)


def _draw_from(values):
    def draw(rng, bound, shape):
        return rng.choice(np.array(values, dtype=np.int64), size=shape)

    return draw


def _plain_swap(weight, groups):
    arr = np.asarray(weight)
    return np.swapaxes(arr, 0, 1).reshape((arr.shape[1] * groups, arr.shape[0] // groups) + arr.shape[2:])


def _flipped_enumeration(original):
    def enumerate_flipped(a_shape, b_shape, k_shape, b_index, itype):
        a, b, m = original(a_shape, b_shape, k_shape, b_index, itype)
        return a, b, (int(np.prod(k_shape)) - 1 - m).astype(m.dtype)

    return enumerate_flipped


def _identity_selection(channels, full_shape, keep_shape):
    return matrices.selection_matrix(channels, full_shape, full_shape)


# name -> (list of (module, attribute, replacement), configurations, dimensions of the parametric proof that use it)
CATALOG = {
    "s zeros instead of s - 1": ([(F, "zero_insertion_position", lambda i, s: (s + 1) * i),
                                  (F, "zero_inserted_size", lambda n, s: (s + 1) * (n - 1) + 1)], [GROUPED], (1, 2)),
    "zero insertion at 2 s i": ([(F, "zero_insertion_position", lambda i, s: 2 * s * i)], [GROUPED], (1, 2)),
    "gather padding off by one": ([(F, "gather_padding_left", lambda k, p_l, d: d * (k - 1) - p_l + 1)], [GROUPED],
                                  (1, 2)),
    "output padding on the left": ([(F, "gather_padding_left", lambda k, p_l, d: d * (k - 1) - p_l + 1),
                                    (F, "gather_padding_right", lambda k, p_r, d, a: d * (k - 1) - p_r)],
                                   [(TransposedConvSpec(3, stride=2, padding=1, output_padding=1), (4,))], (1, 2)),
    "dilation ignored in the gather padding": ([(F, "gather_padding_left", lambda k, p_l, d: (k - 1) - p_l),
                                                (F, "gather_padding_right", lambda k, p_r, d, a: (k - 1) - p_r + a)],
                                               [GROUPED], (1, 2)),
    "flip removed in the gather view": ([(weights, "flip_kernel", lambda weight, ndim: np.asarray(weight))],
                                        [GROUPED], ()),
    "flip removed from the re-indexing": ([(F, "flip_tap", lambda m, k: m)], [], (1, 2)),
    "channels swapped ignoring groups": ([(weights, "swap_channel_groups", _plain_swap)], [GROUPED], ()),
    "+p_l instead of -p_l": ([(F, "tap_position", lambda i, m, s, p_l, d: s * i + d * m + p_l)], [GROUPED], (1, 2)),
    "dilation ignored in the index map": ([(F, "tap_position", lambda i, m, s, p_l, d: s * i + m - p_l)], [GROUPED],
                                          (1, 2)),
    "taps enumerated flipped in the shared enumerator": (
        [(matrices, "_spatial_entries", _flipped_enumeration(matrices._spatial_entries))], [GROUPED], ()),
    "row selection always the identity": ([(instance, "selection_matrix", _identity_selection)], [SELECTING], ()),
    "transposed output size off by one": (
        [(F, "transposed_output_size", lambda n, k, s, p_l, p_r, d, a: (n - 1) * s - p_l - p_r + d * (k - 1) + a + 2)],
        [GROUPED], (1, 2)),
    "channel group by remainder": ([(F, "channel_group", lambda c, per_group: c % per_group)], [GROUPED], (2,)),
    "output length for a >= s plus floor(a/s)": (
        [(F, "transposed_output_size",
          lambda n, k, s, p_l, p_r, d, a: (n - 1) * s - p_l - p_r + d * (k - 1) + a + 1 + a // s)], [SELECTING],
        (1, 2)),
    "round-trip output padding off by s": (
        [(F, "output_padding_for", lambda n, k, s, p_l, p_r, d: (n + p_l + p_r - d * (k - 1) - 1) % s + s)], [CONV],
        ()),
    "output size with true division": (
        [(F, "conv_output_size", lambda n, k, s, p_l, p_r, d: (n + p_l + p_r - d * (k - 1) - 1) / s + 1)], [CONV],
        (1, 2)),
    "flat index column-major": ([(F, "flat_index", lambda x, y, B: x + y * B)], [GROUPED], (2,)),
    "flip_tap the identity (now run by the builders too)": ([(F, "flip_tap", lambda m, k: m)], [GROUPED], (1, 2)),
    "repeated kernel symbols": ([(instance, "kernel_symbols", _repeated_symbols)], [GROUPED], ()),
    "anchors drawing from {0, 1}": ([(anchors, "_draw", _draw_from([0, 1]))], [GROUPED], ()),
    "anchors drawing one point for every trial": (
        [(anchors, "_draw", lambda rng, bound, shape: np.broadcast_to(rng.integers(-bound, bound + 1, shape[1:]),
                                                                      shape).copy())], [GROUPED], ()),
    "anchors drawing +B everywhere but once": (
        [(anchors, "_draw", lambda rng, bound, shape: np.concatenate(
            [np.full(int(np.prod(shape)) - 1, bound), [-bound]]).reshape(shape))], [GROUPED], ()),
    "structure comparison ignoring taps": (
        [(structure.Structure, "equals", lambda self, other: self.shape == other.shape and self.size == other.size
          and bool(np.array_equal(self.row_major.rows, other.row_major.rows))
          and bool(np.array_equal(self.row_major.cols, other.row_major.cols)))], [GROUPED], ()),
    "anchors running no trial": ([(anchors, "_draw", lambda rng, bound, shape: np.zeros((0,) + shape[1:], np.int64))],
                                 [GROUPED], ()),
    "reflect padding repeating the edge": ([(F, "reflect_position", _symmetric)], [_padded("reflect")], ()),
    "reflect repeating the edge in the tables and numpy alike": (
        [(F, "reflect_position", _symmetric), (padding_modes, "_NUMPY_MODE", dict(padding_modes._NUMPY_MODE,
                                                                                  reflect="symmetric"))],
        [_padded("reflect")], ()),
    "circular padding wrapped the wrong way": ([(F, "circular_position", lambda t, n, p_l: (t + p_l) % n)],
                                               [_padded("circular")], ()),
    "replicate wrapping at the right edge": ([(F, "replicate_position", lambda t, n, p_l: np.maximum(t - p_l, 0) % n)],
                                             [_padded("replicate")], ()),
    "fold replaced by the zero-padding crop": ([(padding_modes, "fold_operator", _crop_fold)],
                                               [_padded("reflect"), _padded("circular")], ()),
    "polyphase input read at u + shift": ([(F, "phase_input", lambda u, m, t, s, d: u + (d * m - t) // s)], [GROUPED],
                                          ()),
    "phases interleaved without the crop": ([(F, "interleave_position", lambda t, u, s, p_l: s * u + t)], [GROUPED],
                                            ()),
}


def _apply(monkeypatch, name):
    for module, attribute, replacement in CATALOG[name][0]:
        monkeypatch.setattr(module, attribute, replacement)


def outcomes(monkeypatch, name) -> dict[str, str]:
    """Which step of each proof caught the mutation ('-' where the proof does not use the mutated code)."""
    _apply(monkeypatch, name)
    _, configs, dims = CATALOG[name]
    out = {}
    for number, (tspec, shape) in enumerate(configs):
        proof = prove_transpose(tspec, shape)
        out[f"instance {number}"] = proof.failed_step.name if proof.failed_step else "HOLDS"
    for ndim in dims:
        proof = prove_transpose_general(ndim)
        out[f"general {ndim}-D"] = proof.failed_step.name if proof.failed_step else "HOLDS"
    return out


def test_catalog_is_large_enough():
    assert len(CATALOG) >= 12


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_mutation_makes_the_proofs_fail(monkeypatch, name):
    found = outcomes(monkeypatch, name)
    assert found, f"{name}: no proof exercises this mutation"
    assert "HOLDS" not in found.values(), f"{name}: {found}"
    assert {f"general {ndim}-D" for ndim in CATALOG[name][2]} <= set(found)


def test_unmutated_configurations_hold():
    for tspec, shape in (GROUPED, SELECTING, CONV):
        assert prove_transpose(tspec, shape).holds
    assert prove_transpose_general(1).holds and prove_transpose_general(2).holds


# -- consistent mistakes: the same wrong convention in every builder and in the numeric reference ---------------
# Every comparison between them agrees; only the convention step, which restates PyTorch's written definitions
# by hand, can catch these.

_CONV, _CONV_T = numeric.conv, numeric.conv_transpose


def _interleaved_conv(spec, weight, x):
    """Channel c in group c mod g (not PyTorch's blocks of consecutive channels), output o likewise."""
    w, x = np.asarray(weight), np.asarray(x)
    g, per_in = spec.groups, spec.in_channels // spec.groups
    one = ConvSpec(spec.kernel_size, stride=spec.stride, padding=spec.padding, dilation=spec.dilation,
                   in_channels=per_in)
    return np.stack([_CONV(one, w[o:o + 1], x[o % g::g])[0] for o in range(spec.out_channels)])


def _interleaved_conv_transpose(tspec, weight, y):
    w, y = np.asarray(weight), np.asarray(y)
    g, per_out = tspec.groups, tspec.out_channels // tspec.groups
    one = TransposedConvSpec(tspec.kernel_size, stride=tspec.stride, padding=tspec.padding,
                             output_padding=tspec.output_padding, dilation=tspec.dilation, out_channels=per_out)
    out = None
    for c in range(tspec.in_channels):
        part = _CONV_T(one, w[c:c + 1], y[c:c + 1])
        if out is None:
            out = np.zeros((tspec.out_channels,) + part.shape[1:], dtype=part.dtype)
        out[c % g::g] += part
    return out


def _flipped_conv(spec, weight, x):
    """A true convolution (kernel flipped) instead of PyTorch's cross-correlation."""
    w = np.asarray(weight)
    return _CONV(spec, np.flip(w, axis=tuple(range(2, w.ndim))), x)


def _flipped_conv_transpose(tspec, weight, y):
    w = np.asarray(weight)
    return _CONV_T(tspec, np.flip(w, axis=tuple(range(2, w.ndim))), y)


def _third_group_reads_the_first(original, transposed):
    """Group 2 reads (or adds into) group 0, the others are PyTorch's: a mistake that two groups cannot show."""
    def run(spec, weight, x):
        g = spec.groups
        if g < 3:
            return original(spec, weight, x)
        x = np.asarray(x)
        per = x.shape[0] // g
        if not transposed:
            moved = x.copy()
            moved[2 * per:3 * per] = x[0:per]
            return original(spec, weight, moved)
        out = original(spec, weight, x)
        w = np.asarray(weight)
        part = original(spec, np.where(np.arange(w.shape[0])[(...,) + (None,) * (w.ndim - 1)] // (w.shape[0] // g) == 2,
                                       w, 0), x)
        per_out = out.shape[0] // g
        out = out - part
        out[0:per_out] += part[2 * per_out:3 * per_out]
        return out
    return run


CONSISTENT = {
    "groups interleaved (channel c in group c mod g) in the numeric reference": (
        [(numeric, "conv", _interleaved_conv), (numeric, "conv_transpose", _interleaved_conv_transpose)],
        [lambda: prove_transpose(*GROUPED), lambda: prove_adjoint(*GROUPED), lambda: prove_overlap(*GROUPED),
         lambda: prove_gradient(*CONV)]),
    "group 2 routed to group 0 in the numeric reference": (
        [(numeric, "conv", _third_group_reads_the_first(_CONV, False)),
         (numeric, "conv_transpose", _third_group_reads_the_first(_CONV_T, True)),
         (identities, "conv", _third_group_reads_the_first(_CONV, False)),
         (identities, "conv_transpose", _third_group_reads_the_first(_CONV_T, True))],
        [lambda: prove_adjoint(ConvSpec(3, stride=2, padding=1, in_channels=3, out_channels=3, groups=3), (5,))]),
    "convolution with the kernel flipped in the numeric reference": (
        [(numeric, "conv", _flipped_conv), (numeric, "conv_transpose", _flipped_conv_transpose),
         (identities, "conv", _flipped_conv), (identities, "conv_transpose", _flipped_conv_transpose)],
        [lambda: prove_gradient(ConvSpec(3, stride=2, padding=1), (7,)), lambda: prove_adjoint(*GROUPED),
         lambda: prove_weight_gradient(*CONV)]),
}


@pytest.mark.parametrize("name", sorted(CONSISTENT))
def test_consistent_mistakes_fail_at_the_convention(monkeypatch, name):
    patches, proofs = CONSISTENT[name]
    for module, attribute, replacement in patches:
        monkeypatch.setattr(module, attribute, replacement)
    for make in proofs:
        proof = make()
        assert not proof.holds and proof.failed_step.name == "convention", (name, proof.failure)


# -- mistakes in the other proofs' own code ---------------------------------------------------------------------

def test_weight_gradient_with_stride_and_dilation_not_traded(monkeypatch):
    monkeypatch.setattr(weight_gradient, "gradient_layer", lambda n_out, s, p_l, p_r, d: (n_out, s, p_l, p_r, d))
    general = prove_weight_gradient_general()
    assert not general.holds and general.failed_step.name == "stride and dilation trade places"
    instance_proof = prove_weight_gradient(ConvSpec(3, stride=2, padding=1), (7,))
    assert not instance_proof.holds


def test_repeated_symbols_are_a_result_in_the_gradient_proof(monkeypatch):
    monkeypatch.setattr(identities, "kernel_symbols", _repeated_symbols)
    proof = prove_gradient(ConvSpec(3, stride=2, padding=1), (7,))
    assert not proof.holds and proof.failure


def test_a_mistake_after_validation_is_a_result_but_bad_input_is_refused(monkeypatch):
    from symconv import ShapeError

    with pytest.raises(ShapeError):  # the user's input: refused before the proof starts
        prove_transpose(ConvSpec(3), (0,))
    monkeypatch.setattr(F, "output_padding_for", lambda n, k, s, p_l, p_r, d: s + 5)
    proof = prove_transpose(ConvSpec(3, stride=2, padding=1), (7,))
    assert not proof.holds and "construction" == proof.failed_step.name


# -- the round trip MᵀM (prove_gram, prove_gram_general) ----------------------------------------------------------

import symconv.proofs.gram as gram_proof  # noqa: E402

GRAM_LAYERS = [(ConvSpec(3, stride=2, padding=1), (11,)),
               (ConvSpec((3, 2), stride=(2, 1), padding=((1, 0), (0, 1)), dilation=(1, 2), in_channels=4,
                         out_channels=6, groups=2), (7, 6))]


def _flipped_product(original):
    def product(spec, weight, shape):
        G = original(spec, weight, shape)
        taps = np.arange(G.n_taps).reshape(spec.weight_shape)[..., ::-1].ravel()  # the kernel flipped
        return gram_proof.GramStructure(G.shape, G.n_taps, G.rows, G.cols, taps[G.taps_a], taps[G.taps_b], G.coefs)

    return product


def _interior_one_wider(original):
    def interior(spec, shape):
        return tuple(range(max(r.start - 1, 0), r.stop) for r in original(spec, shape))

    return interior


# name -> (patches, {layer number or "general": the step that must fail})
GRAM_MUTATIONS = {
    "Gram partner j + d(m - m')": ([(F, "gram_partner", lambda j, m, m2, d: j + d * (m - m2))],
                                   {0: "entries", 1: "entries", "general": "convention"}),
    "phase off by one": ([(F, "phase_of", lambda j, s, p_l: (j + p_l + 1) % s)],
                         {0: "interior", "general": "convention"}),
    "sift with -p_l": ([(F, "sifted_position", lambda j, m, s, p_l, d: (j - p_l - d * m) // s),
                        (F, "sift_residue", lambda j, m, s, p_l, d: (j - p_l - d * m) % s)],
                       {0: "entries", 1: "entries", "general": "convention"}),
    "product with the kernel flipped": ([(gram_proof, "gram_structure", _flipped_product(gram_proof.gram_structure))],
                                        {0: "entries", 1: "entries"}),
    "interior one position wider": ([(gram_proof, "gram_interior", _interior_one_wider(gram_proof.gram_interior))],
                                    {0: "interior bounds", 1: "interior bounds"}),
    "autocorrelation shifted by one tap": ([(gram_proof, "autocorrelation",
                                             lambda w, lag, c=0, c2=None: autocorrelation(w, lag, c, c2)
                                             + autocorrelation(w, tuple(x + 1 for x in lag), c, c2)
                                             if any(lag) else autocorrelation(w, lag, c, c2))],
                                           {0: "Cauchy--Schwarz", 1: "Cauchy--Schwarz"}),
    "overlap counts doubled": ([(gram_proof, "overlap_counts", lambda t, s: 2 * overlap_counts(t, s))],
                               {0: "overlap", 1: "overlap"}),
    "+p_l instead of -p_l in the index map": ([(F, "tap_position", lambda i, m, s, p_l, d: s * i + d * m + p_l)],
                                              {0: "M is the convolution", 1: "M is the convolution",
                                               "general": "convention"}),
    "repeated kernel symbols": ([(gram_proof, "kernel_symbols", _repeated_symbols)], {0: "entries", 1: "entries"}),
    "convolution output length off by one": (
        [(F, "conv_output_size", lambda n, k, s, p_l, p_r, d: (n + p_l + p_r - d * (k - 1) - 1) // s + 2)],
        {0: "convention", 1: "convention", "general": "convention"}),
    "Gram comparison that always agrees": ([(gram_proof.GramStructure, "equals", lambda self, other: True)],
                                           {0: "M by axes", 1: "M by axes"}),
    "a diagonal lag that is not m = m'": ([(F, "gram_partner", lambda j, m, m2, d: j + d * (m2 - m) * (m2 - m))],
                                          {"general": "convention"}),
}


@pytest.mark.parametrize("name", sorted(GRAM_MUTATIONS))
def test_gram_mutation_makes_the_gram_proofs_fail(monkeypatch, name):
    patches, expected = GRAM_MUTATIONS[name]
    for module, attribute, replacement in patches:
        monkeypatch.setattr(module, attribute, replacement)
    for where, step in expected.items():
        proof = prove_gram_general() if where == "general" else prove_gram(*GRAM_LAYERS[where])
        assert not proof.holds, (name, where)
        assert proof.failed_step.name == step, (name, where, proof.failure)


def test_gram_unmutated_holds():
    assert all(prove_gram(*layer).holds for layer in GRAM_LAYERS) and prove_gram_general().holds


def table() -> str:
    """The outcome table in Markdown (mutation -> the step of each proof that caught it)."""
    mp = pytest.MonkeyPatch()
    lines = ["| mistake | prove_transpose | prove_transpose_general(1) | prove_transpose_general(2) |",
             "|---|---|---|---|"]
    for name in CATALOG:
        with mp.context() as m:
            found = outcomes(m, name)
        inst = ", ".join(v for k, v in found.items() if k.startswith("instance")) or "not used"
        lines.append(f"| {name} | {inst} | {found.get('general 1-D', 'not used')} | "
                     f"{found.get('general 2-D', 'not used')} |")
    return "\n".join(lines)


def test_readme_shows_the_current_table():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert table() in readme, "README's mutation table is stale: run python tests/test_mutations.py"


if __name__ == "__main__":
    sys.stdout.write(table() + "\n")


def test_a_wrong_output_size_is_refuted_by_its_own_display(monkeypatch):
    """A mutated n_T fails at the convention lemma, and the refuted display is the size (the executed formula at
    the proof's sizes against PyTorch's value), not the convolution's definition, which did not fail."""
    from symconv import TransposedConvSpec, prove_transpose

    original = F.transposed_output_size

    def one_too_many(n, k, s, p_l, p_r, d, a):
        return original(n, k, s, p_l, p_r, d, a) + 1

    monkeypatch.setattr(F, "transposed_output_size", one_too_many)
    proof = prove_transpose(TransposedConvSpec(3, stride=2, padding=1, output_padding=1), (3,))
    assert proof.holds is False
    failed = [s for s in proof.steps if not s.holds]
    assert failed[0].name == "convention"
    assert str(failed[0].lhs) == "transposed_output_size(3, 3, 2, 1, 1, 1, 1)" and failed[0].rhs == 6
    tex = proof.to_document()
    assert r"\neq 6" in tex and r"\operatorname{conv}(x)\left[i\right] &\neq" not in tex
    # the refuted line is shown once, with the value of the function that ran, and that function is named apart
    # from PyTorch's n_T of the Conventions
    line = r"n^{\ast}_{T}\left(3, 3, 2, 1, 1, 1, 1\right) = 7 &\neq 6"
    assert tex.count(line) == 1 and tex.count(r"&\neq 6") == 1, tex
    assert r"Here $n^{\ast}_{T}$ is the function evaluated in place of PyTorch's $n_{T}$ of the Conventions" in tex
    assert r"n^{\ast}_{T}(n, k, s, p_{l}, p_{r}, d, a) &=" in tex



def test_a_true_convolution_with_a_flipped_subpixel_weight_fails_the_polyphase_proof(monkeypatch):
    """A consistent mistake across the sub-pixel recipe: numeric ``conv`` a true convolution (kernel flipped) and
    ``subpixel_weight`` returning the flipped sub-kernels, so the recipe's numbers are still T y.  The recipe runs
    a convolution, so the polyphase proof checks the convolution's half of the convention too and fails there
    (an adversary found it survived when only the transposed half was checked)."""
    import numpy as np

    import symconv.numeric as N
    import symconv.polyphase as PP
    from symconv import TransposedConvSpec, prove_polyphase

    conv, weight = N.conv, PP.subpixel_weight
    spatial = lambda w: tuple(range(2, np.ndim(w)))  # noqa: E731

    def true_conv(spec, w, x, *args, **kwargs):
        return conv(spec, np.flip(np.asarray(w), axis=spatial(w)), x, *args, **kwargs)

    def flipped_weight(tspec, w):
        out = weight(tspec, w)
        return np.flip(out, axis=spatial(out))

    monkeypatch.setattr(N, "conv", true_conv)
    monkeypatch.setattr(PP, "subpixel_weight", flipped_weight)
    proof = prove_polyphase(TransposedConvSpec(3, stride=2, padding=1), (4,))
    assert proof.holds is False
    assert next(s for s in proof.steps if not s.holds).name == "convention"


def _patch_numeric(monkeypatch, name, replacement):
    """Replace ``symconv.numeric.<name>`` and every module-level copy of it (a consistent mistake)."""
    import sys

    import symconv.numeric as N

    original = getattr(N, name)
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("symconv") and getattr(module, name, None) is original:
            monkeypatch.setattr(module, name, replacement)


def test_a_mistake_beyond_the_reduced_layer_fails_the_convention(monkeypatch):
    """The convention's encoded check reads a reduced layer (two channels per group, a short input); a mistake made
    alike in both numeric definitions only at positions >= 11 (or only in channel 3 of a group) is caught by its
    trials on the whole layer (an adversary found the adjoint, gradient, gram, overlap and weight-gradient proofs
    held before)."""
    import numpy as np

    import symconv.numeric as N
    from symconv import TransposedConvSpec, prove_adjoint

    conv, conv_t = N.conv, N.conv_transpose

    def short_t(spec, w, y, *args, **kwargs):
        y = np.array(y, copy=True)
        y[..., 11:] = 0
        return conv_t(spec, w, y, *args, **kwargs)

    def short_conv(spec, w, x, *args, **kwargs):
        out = np.array(conv(spec, w, x, *args, **kwargs), copy=True)
        out[..., 11:] = 0
        return out

    _patch_numeric(monkeypatch, "conv_transpose", short_t)
    _patch_numeric(monkeypatch, "conv", short_conv)
    proof = prove_adjoint(TransposedConvSpec(3, stride=2, padding=1), (14,))
    assert proof.holds is False
    assert next(s for s in proof.steps if not s.holds).name == "convention"
    monkeypatch.undo()

    def swapped(x, axis):  # in-group channels 2 and 3 exchanged (groups of four)
        x = np.array(x, copy=True)
        index = [slice(None)] * x.ndim
        for base in range(0, x.shape[axis], 4):
            a, b = list(index), list(index)
            a[axis], b[axis] = base + 2, base + 3
            x[tuple(a)], x[tuple(b)] = x[tuple(b)].copy(), x[tuple(a)].copy()
        return x

    _patch_numeric(monkeypatch, "conv", lambda spec, w, x, *a, **k: conv(spec, w, swapped(x, -spec.ndim - 1), *a, **k))
    _patch_numeric(monkeypatch, "conv_transpose",
                   lambda spec, w, y, *a, **k: swapped(conv_t(spec, w, y, *a, **k), -spec.ndim - 1))
    proof = prove_adjoint(TransposedConvSpec(3, stride=2, padding=1, in_channels=8, out_channels=8, groups=2), (6,))
    assert proof.holds is False
    assert next(s for s in proof.steps if not s.holds).name == "convention"
