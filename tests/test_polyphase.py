"""The polyphase (sub-pixel) view: its factors, the recipe in numbers and in PyTorch, and its proofs."""

from __future__ import annotations

import itertools
import math
import re
import types

import numpy as np
import pytest
import sympy

import symconv.formulas as F
import symconv.polyphase as polyphase
from symconv import (
    Conv,
    ConvSpec,
    ConvTranspose,
    ShapeError,
    SpecError,
    SpecTypeError,
    TransposedConvSpec,
    kernel_symbols,
    prove_polyphase_general,
    prove_transpose,
    transposed_conv_matrix,
)
from symconv.numeric import conv_transpose

LAYERS = [
    (TransposedConvSpec(3, stride=2, padding=1), (4,)),
    (TransposedConvSpec(4, stride=2, padding=1), (5,)),  # DCGAN: k = 4, s = 2, p = 1
    (TransposedConvSpec(5, stride=3, padding=((4, 0),), output_padding=2), (3,)),  # zero-extension past the phases
    (TransposedConvSpec(3, stride=2, dilation=2, output_padding=1), (4,)),  # gcd(s, d) = 2: an empty phase
    (TransposedConvSpec(2, stride=1, dilation=3, output_padding=2), (4,)),  # a >= s (d > s)
    (TransposedConvSpec(2, stride=4, padding=3), (3,)),  # a phase of the full grid cropped away entirely
    (TransposedConvSpec((3, 2), stride=(2, 3), padding=((1, 0), (2, 1)), output_padding=(1, 2), dilation=(1, 2),
                        in_channels=4, out_channels=6, groups=2), (3, 4)),
    (TransposedConvSpec((2, 3, 2), stride=(2, 1, 3), padding=(0, 1, 1), in_channels=2, out_channels=3), (2, 3, 2)),
]


@pytest.mark.parametrize("tspec, shape", LAYERS)
def test_view_is_the_transposed_convolution(tspec, shape):
    w = kernel_symbols(tspec)
    product, Phi, Q = polyphase.polyphase_view(tspec, w, shape)
    T = transposed_conv_matrix(tspec, w, shape)
    assert product == T
    phases = math.prod(tspec.stride)
    n_u = tuple(F.phase_length(n, k, s, d) for n, k, s, d in zip(shape, tspec.kernel_size, tspec.stride,
                                                                   tspec.dilation))
    assert Phi.row_shape == (tspec.out_channels * phases,) + n_u and Q.col_shape == Phi.row_shape
    # Q is 0/1 with at most one entry per row and per column (interleave and crop)
    q = Q.structure
    assert q.is_pattern and q.unit
    assert len(set(q.rows.tolist())) == q.size == len(set(q.cols.tolist()))


@pytest.mark.parametrize("tspec, shape", LAYERS)
def test_phase_tables_against_a_direct_count(tspec, shape):
    for n, n_t, k, s, pl, d in zip(shape, tspec.output_shape(shape), tspec.kernel_size, tspec.stride,
                                   tspec.padding_left, tspec.dilation):
        ax = polyphase.phase_axis(n, n_t, k, s, pl, d)
        j, t, u = (x.tolist() for x in ax.crop)
        # the crop table, built from interleave_position, is phase_of and phase_position read backwards
        reached = [jj for jj in range(n_t) if F.phase_position(jj, s, pl) < ax.n_u]
        assert j == reached
        assert t == [F.phase_of(jj, s, pl) for jj in j] and u == [F.phase_position(jj, s, pl) for jj in j]
        taps = polyphase.phase_taps(k, s, d)
        assert taps == tuple(tuple(m for m in range(k) if (d * m - t) % s == 0) for t in range(s))
        assert sum(len(q) for q in taps) == k  # every tap lies in exactly one phase
        if d == 1:
            assert polyphase.phase_tap_counts(k, s, d) == tuple(-(-(k - t) // s) if t < k else 0 for t in range(s))
        if math.gcd(s, d) > 1:
            assert all(not taps[t] for t in range(s) if t % math.gcd(s, d))


def test_numeric_recipe_equals_the_definition():
    rng = np.random.default_rng(0)
    for tspec, shape in LAYERS:
        w = rng.standard_normal(tspec.weight_shape)
        y = rng.standard_normal((tspec.in_channels,) + shape)
        ref, got = conv_transpose(tspec, w, y), polyphase.polyphase_numeric(tspec, w, y)
        assert got.shape == ref.shape
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12)


def test_subpixel_weight_layout():
    t = TransposedConvSpec(4, stride=2, in_channels=2, out_channels=4, groups=2)
    w = np.arange(np.prod(t.weight_shape), dtype=float).reshape(t.weight_shape)  # (2, 2, 4)
    W = polyphase.subpixel_weight(t, w)
    assert W.shape == (8, 1, 2)
    # output channel co = 3 (group 1, c_l = 1) reads input channel 1 = (group 1, local 0): w[1, 1, m]
    # phase 0 taps m = 0, 2 (shifts 0, 1), flipped: [w[1,1,2], w[1,1,0]]; phase 1 taps m = 1, 3
    assert W[6, 0].tolist() == [w[1, 1, 2], w[1, 1, 0]] and W[7, 0].tolist() == [w[1, 1, 3], w[1, 1, 1]]


def test_bad_input_is_refused():
    with pytest.raises(SpecTypeError, match="TransposedConvSpec"):
        polyphase.polyphase_view(ConvSpec(3), kernel_symbols(ConvSpec(3)), (4,))
    t = TransposedConvSpec(3, stride=2)
    with pytest.raises(ShapeError, match="expected"):
        polyphase.subpixel_weight(t, np.zeros((1, 1, 4)))
    with pytest.raises(SpecError, match="ndim"):
        prove_polyphase_general(0)


TORCH_LAYERS = [
    ((4, 4), (2, 2), (1, 1), (0, 0), (1, 1), 1, 1, 1, (5, 6)),  # DCGAN
    ((3, 3), (2, 2), (1, 1), (1, 1), (1, 1), 2, 3, 1, (4, 4)),
    ((5, 3), (3, 3), (2, 0), (2, 1), (1, 1), 4, 2, 2, (3, 5)),
    ((3, 2), (2, 2), (0, 1), (1, 0), (2, 1), 2, 4, 2, (4, 3)),
    ((3, 3), (2, 3), (1, 2), (1, 0), (1, 2), 2, 2, 1, (3, 4)),  # unequal strides: reshape and permute
    ((2, 2), (4, 4), (3, 0), (0, 3), (1, 1), 1, 1, 1, (3, 3)),
    ((3, 3), (2, 2), (0, 0), (1, 1), (2, 2), 1, 2, 1, (4, 4)),  # gcd(s, d) = 2: empty phases
]


@pytest.mark.parametrize("layer", TORCH_LAYERS)
def test_pytorch_recipe_equals_conv_transpose2d(torch, layer):
    k, s, p, a, d, cin, cout, g, shape = layer
    tspec = TransposedConvSpec(k, stride=s, padding=p, output_padding=a, dilation=d, in_channels=cin,
                               out_channels=cout, groups=g)
    gen = torch.Generator().manual_seed(0)
    w = torch.randn(tspec.weight_shape, generator=gen, dtype=torch.float64)
    y = torch.randn((2, cin) + shape, generator=gen, dtype=torch.float64)
    ref = torch.nn.functional.conv_transpose2d(y, w, stride=s, padding=p, output_padding=a, dilation=d, groups=g)
    got = polyphase.polyphase_torch(tspec, w, y)
    assert got.shape == ref.shape
    assert torch.allclose(got, ref, rtol=0, atol=1e-12)


def test_pytorch_recipe_in_1d_and_3d(torch):
    fns = {1: torch.nn.functional.conv_transpose1d, 3: torch.nn.functional.conv_transpose3d}
    for tspec, shape in (LAYERS[1], LAYERS[2], LAYERS[-1]):
        if tspec.padding_left != tuple(p for _, p in tspec.padding):
            continue  # PyTorch has no asymmetric padding
        w = torch.randn(tspec.weight_shape, dtype=torch.float64)
        y = torch.randn((1, tspec.in_channels) + shape, dtype=torch.float64)
        ref = fns[tspec.ndim](y, w, stride=tspec.stride, padding=tspec.padding_left,
                              output_padding=tspec.output_padding, dilation=tspec.dilation, groups=tspec.groups)
        assert torch.allclose(polyphase.polyphase_torch(tspec, w, y), ref, rtol=0, atol=1e-12)


def test_shuffle_is_pixelshuffle(torch):
    x = np.arange(2 * 9 * 3 * 4, dtype=float).reshape(2 * 9, 3, 4)
    ref = torch.nn.PixelShuffle(3)(torch.from_numpy(x)[None])[0].numpy()
    assert np.array_equal(polyphase.pixel_shuffle(x, (3, 3)), ref)


def test_instance_proof_has_the_polyphase_step():
    proof = prove_transpose(ConvSpec((4, 4), stride=2, padding=1, in_channels=2, out_channels=4, groups=2), (8, 6))
    step = proof.steps[-1]
    assert proof.holds and step.name == "polyphase view" and step.checker == "exact structure"


def _mutant(name, replacement):
    ns = types.SimpleNamespace(**{k: getattr(F, k) for k in F.__all__})
    setattr(ns, name, replacement)
    return ns


MISTAKES = {
    "phase of j without p_l": ("phase_of", lambda j, s, p_l: j % s),
    "phase position off by one": ("phase_position", lambda j, s, p_l: (j + p_l) // s + 1),
    "residue with +t": ("phase_residue", lambda m, t, s, d: (d * m + t) % s),
    "input with +shift": ("phase_input", lambda u, m, t, s, d: u + (d * m - t) // s),
    "shift ignores dilation": ("phase_tap", lambda m, t, s, d: (m - t) // s),
    "sub-kernel one tap short": ("phase_kernel_size", lambda k, s, d: d * (k - 1) // s),
    "phases one position short": ("phase_length", lambda n, k, s, d: n + d * (k - 1) // s - 1),
    "interleaving without the crop": ("interleave_position", lambda t, u, s, p_l: s * u + t),
    "phase channels phase-major": ("phase_channel", lambda c, t, phases: t * phases + c),
}


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_parametric_proof_catches_a_mistake(name):
    attribute, replacement = MISTAKES[name]
    proof = prove_polyphase_general(2, formulas=_mutant(attribute, replacement))
    assert not proof.holds and proof.failed_step is not None, name


INSTANCE_MISTAKES = ["residue with +t", "input with +shift", "phases one position short",
                     "interleaving without the crop", "phase channels phase-major"]


@pytest.mark.parametrize("name", INSTANCE_MISTAKES)
def test_instance_step_catches_a_mistake(monkeypatch, name):
    attribute, replacement = MISTAKES[name]
    monkeypatch.setattr(F, attribute, replacement)
    tspec, shape = LAYERS[6]
    proof = prove_transpose(tspec, shape)  # a mistake is a result, never an exception
    assert not proof.holds and proof.failed_step.name == "polyphase view", (name, proof.failure)


def test_instance_step_fails_when_a_factor_is_wrong(monkeypatch):
    original = polyphase.interleave_matrix

    def no_crop(tspec, input_shape):  # Q of a layer without left padding: the crop forgotten
        return original(TransposedConvSpec(tspec.kernel_size, stride=tspec.stride, output_padding=tspec.output_padding,
                                           dilation=tspec.dilation, out_channels=tspec.out_channels,
                                           in_channels=tspec.in_channels, groups=tspec.groups), input_shape)

    monkeypatch.setattr(polyphase, "interleave_matrix", no_crop)
    proof = prove_transpose(TransposedConvSpec(3, stride=2, padding=1), (4,))
    assert not proof.holds and proof.failed_step.name == "polyphase view"


def test_parametric_proof_holds_and_its_statement_comes_from_the_ranges():
    for ndim in (1, 2):
        proof = prove_polyphase_general(ndim)
        assert proof.holds and all(c.checker == "z3" for c in proof.claims)
        ranges = proof.data["ranges"]  # one object: the solver's relations and the statement's (H1), (H2), ...
        assert ranges.relations() == tuple(proof.assumptions)
        assert all(rf"\item[(H{n})] ${h}$" in proof.statement for n, h in enumerate(ranges.latex(), 1))
    assert [s.name for s in proof.steps][-4:] == ["separability", "the 2-D sift", "the 2-D phase convolution",
                                                  "phase channels"]


def _failed_claims(step):
    return [c.name for c in step.claims if not c.holds]


def test_read_claim_says_the_read_is_position_minus_the_shift():
    """The read claim relates the read to the position u (not only the shift): an input that reads one position too
    far fails it, as a result (holds False), while the shift claim, about the shift alone, still holds."""
    proof = prove_polyphase_general(1, formulas=_mutant("phase_input", lambda u, m, t, s, d: u + 1 - (d * m - t) // s))
    step = {s.name: s for s in proof.steps}["sub-kernels"]
    assert not step.holds
    assert "the read is position minus the shift $(d m - t)/s$" in _failed_claims(step)
    assert r"the shift is $(d m - t)/s$" not in _failed_claims(step)
    read = next(c for c in prove_polyphase_general(1).claims if c.name.startswith("the read is"))
    assert read.holds and "u" in str(read.conclusion)  # the read, not the shift again


@pytest.mark.parametrize("attribute, replacement", [
    ("phase_input", lambda u, m, t, s, d: u + 1 - (d * m - t) // s),
    ("phase_residue", lambda m, t, s, d: (d * m + t) % s),
    ("tap_position", lambda i, m, s, p_l, d: s * i + m - p_l),
], ids=["read off by one", "residue with +t", "index map without dilation"])
def test_the_nd_sift_step_catches_a_mistake(attribute, replacement):
    for ndim in (2, 3):
        proof = prove_polyphase_general(ndim, formulas=_mutant(attribute, replacement))
        step = {s.name: s for s in proof.steps}[f"the {ndim}-D sift"]
        assert not step.holds and _failed_claims(step), (attribute, ndim)
        assert {s.name: s for s in prove_polyphase_general(ndim).steps}[f"the {ndim}-D sift"].holds


REWRITE_CASES = [
    (TransposedConvSpec(3, stride=2, padding=1, output_padding=1), (1, 2, 3)),
    (TransposedConvSpec(4, stride=2, padding=1), (1, 2, 3)),
    (TransposedConvSpec(3, stride=2, dilation=2, output_padding=1, padding=((0, 2),)), (2, 3)),  # an empty phase
    (TransposedConvSpec(2, stride=3, padding=((2, 0),), output_padding=2), (1, 2)),  # zero-extension
    (TransposedConvSpec((2, 3), stride=(2, 1), padding=1, in_channels=2, out_channels=4, groups=2), ((2, 2),)),
]


@pytest.mark.parametrize("tspec, sizes", REWRITE_CASES, ids=str)
def test_rewrite_polyphase_is_the_matrix(tspec, sizes):
    symbols = sympy.symbols(f"n0:{tspec.ndim}", integer=True, positive=True)
    T = ConvTranspose(tspec, kernel_symbols(tspec), symbols)
    R = T.rewrite("polyphase")
    assert isinstance(R, sympy.MatMul) and [type(f) for f in R.args] == [polyphase.Interleave, Conv]
    for size in sizes:
        at = dict(zip(symbols, size if isinstance(size, tuple) else (size,)))
        assert R.subs(at).doit() == T.subs(at).as_explicit()


def test_rewrite_polyphase_of_a_transpose_with_symbolic_output_padding():
    n = sympy.Symbol("n", integer=True, positive=True)
    spec = ConvSpec(3, stride=2, padding=1)
    T = Conv(spec, kernel_symbols(spec), n).T  # output padding (n + 1) mod 2
    R = T.rewrite("polyphase")
    for size in (3, 4, 5):
        assert R.subs(n, size).doit() == T.subs(n, size).as_explicit()


# -- the picture and the command ----------------------------------------------------------------------


@pytest.mark.parametrize("tspec, shape", [LAYERS[1], LAYERS[2], LAYERS[3], (TransposedConvSpec((3, 3), stride=2), (4, 3))])
def test_picture_data_are_the_phases(tspec, shape):
    from symconv import overlap_counts
    from symconv.plot import polyphase_data

    d = polyphase_data(tspec, shape)
    assert np.array_equal(d.counts, overlap_counts(tspec, shape))  # the terms each output sums
    strides, ndim = tspec.stride, tspec.ndim
    for j in np.ndindex(*d.phase.shape):
        pos = [F.phase_position(jj, s, pl) for jj, s, pl in zip(j, strides, tspec.padding_left)]
        n_u = [F.phase_length(n, k, s, dd) for n, k, s, dd in zip(shape, tspec.kernel_size, strides, tspec.dilation)]
        if any(u >= nu for u, nu in zip(pos, n_u)):
            assert d.phase[j] == -1  # the zero-extension
            continue
        flat = 0
        for ax in range(ndim):
            flat = flat * strides[ax] + F.phase_of(j[ax], strides[ax], tspec.padding_left[ax])
        assert d.phase[j] == flat
    per_axis = [polyphase.phase_taps(k, s, dd) for k, s, dd in zip(tspec.kernel_size, strides, tspec.dilation)]
    for flat, t in enumerate(np.ndindex(*strides)):
        expected = sorted(int(np.ravel_multi_index(m, tspec.kernel_size))
                          for m in itertools.product(*(per_axis[ax][t[ax]] for ax in range(ndim))))
        assert list(d.taps[flat]) == expected


def test_plot_polyphase_colours_each_phase(tmp_path):
    from conftest import require_module

    require_module("matplotlib", "figures")
    from matplotlib.patches import Rectangle

    from symconv.plot import plot_polyphase, save_figure

    fig = plot_polyphase(TransposedConvSpec((3, 3), stride=2, padding=1), (4, 4))
    d = fig.symconv_data
    main = fig.axes[0]
    faces = {tuple(p.get_facecolor()) for p in main.patches if isinstance(p, Rectangle)}
    assert len(faces) == 4 and len(fig.axes) == 1 + 4  # the output in four colours, one panel per phase
    assert [len(t) for t in d.taps] == [4, 2, 2, 1]
    assert save_figure(fig, tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")


def _run(argv, capsys):
    from symconv.cli import main

    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_prove_identity_polyphase_from_the_command(capsys):
    code, out, err = _run(["prove", "--identity", "polyphase", "--kernel", "4", "--stride", "2", "--padding", "1",
                           "--input", "6"], capsys)
    assert code == 0, err
    assert out.startswith(r"\documentclass") and "polyphase" in out
    code, out, err = _run(["prove", "--identity", "polyphase", "--general", "--kernel", "3,3"], capsys)
    assert code == 0, err
    assert "2-D, all sizes" in out
    code, _, err = _run(["prove", "--identity", "polyphase", "--general", "--kernel", "3", "--stride", "2"], capsys)
    assert code == 2 and "--stride" in err


def test_draw_polyphase_from_the_command(tmp_path, capsys):
    from conftest import require_module

    require_module("matplotlib", "figures")
    target = tmp_path / "phases.png"
    code, _, err = _run(["draw", "polyphase", "--kernel", "3,3", "--stride", "2", "--padding", "1", "--input", "6,6",
                         "-o", str(target)], capsys)
    assert code == 0, err
    assert target.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("tspec, shape", LAYERS)
def test_instance_proof_of_the_view_holds(tspec, shape):
    from symconv import prove_polyphase

    proof = prove_polyphase(tspec, shape)
    assert proof.holds and [s.name for s in proof.steps] == ["convention", "T is the transposed convolution",
                                                              "polyphase view", "sub-pixel form"]


SUBPIXEL_MISTAKES = {
    "two sub-kernel entries exchanged": ("subpixel_weight", lambda real: lambda t, w: _swap_first(real(t, w))),
    "sub-kernel not flipped": ("subpixel_weight", lambda real: lambda t, w: np.flip(real(t, w), tuple(range(2, 2 + t.ndim))).copy()),
    "phases shuffled in reverse": ("pixel_shuffle", lambda real: lambda x, s: real(np.asarray(x)[::-1].copy(), s)),
    "crop without p_l": ("_crop", lambda real: lambda x, t, shape, zeros: real(
        x, TransposedConvSpec(t.kernel_size, stride=t.stride, output_padding=t.output_padding, dilation=t.dilation,
                              in_channels=t.in_channels, out_channels=t.out_channels, groups=t.groups),
        shape, zeros)),
}


def _swap_first(weight):
    out = np.array(weight)
    flat = out.reshape(-1)
    nonzero = np.flatnonzero(flat != 0)
    flat[nonzero[0]], flat[nonzero[1]] = flat[nonzero[1]], flat[nonzero[0]]
    return out


@pytest.mark.parametrize("name", sorted(SUBPIXEL_MISTAKES))
def test_the_sub_pixel_recipe_is_checked_against_T(monkeypatch, name):
    from symconv import prove_polyphase

    attribute, wrap = SUBPIXEL_MISTAKES[name]
    monkeypatch.setattr(polyphase, attribute, wrap(getattr(polyphase, attribute)))
    for tspec, shape in LAYERS:
        if tspec.padding_left == (0,) * tspec.ndim and attribute == "_crop":
            continue  # without left padding the crop starts at 0 either way
        if attribute == "pixel_shuffle" and tspec.out_channels * int(np.prod(tspec.stride)) == 1:
            continue  # one channel of one phase: reversed, it is the same
        if name == "sub-kernel not flipped" and all(F.phase_kernel_size(k, s, d) == 1 for k, s, d in
                                                    zip(tspec.kernel_size, tspec.stride, tspec.dilation)):
            continue  # sub-kernels of one tap: flipped, they are the same
        proof = prove_polyphase(tspec, shape)
        assert not proof.holds and proof.failed_step.name == "sub-pixel form", (name, tspec, proof.failure)


def test_breakage_is_a_result_not_an_exception(monkeypatch):
    from symconv import prove_polyphase

    proof = prove_polyphase_general(1, formulas=_mutant("phase_position", lambda j, s, p_l: (j + p_l) / s))
    assert not proof.holds  # a division that is not an integer: the claims are not about integers
    monkeypatch.setattr(F, "phase_length", lambda n, k, s, d: -1)  # a builder that can no longer build
    proof = prove_polyphase(TransposedConvSpec(3, stride=2), (4,))
    assert not proof.holds and proof.failed_step.name == "polyphase view"
    with pytest.raises(SpecTypeError):  # bad input is still refused before the proof starts
        prove_polyphase("not a spec", (4,))


# -- issue 18: the equal-taps criterion, proved and enumerated; every read of the input in range ------------------

def test_equal_taps_enumeration_counts_from_the_definition():
    check = polyphase.check_equal_taps()
    assert check.holds and (check.k_max, check.s_max, check.d_max) == (24, 8, 8) and check.triples == 24 * 8 * 8
    assert check.common_factor == sum(1 for s in range(1, 9) for d in range(1, 9) if math.gcd(s, d) > 1) * 24
    for k, s, d in itertools.product(range(1, 9), range(1, 5), range(1, 5)):  # the count is the definition's
        assert [polyphase.phase_tap_count(k, s, d, t) for t in range(s)] == list(polyphase.phase_tap_counts(k, s, d))


def test_equal_taps_proof_holds():
    from symconv.proofs.polyphase import prove_equal_taps

    proof = prove_equal_taps()
    assert proof.holds and [s.name for s in proof.steps] == ["an empty phase", "coprime counts",
                                                             "the equal-taps criterion"]
    assert all(s.checker == "enumeration" for s in proof.steps)
    text = proof.to_document()
    assert r"1 \le k \le 24" in text and r"\gcd(s, d)" in text


EQUAL_TAPS_MISTAKES = {  # each breaks one lemma: that step, and no earlier one, must fail
    "criterion without the gcd": ("equal_taps_criterion", lambda k, s, d: k % s == 0, "the equal-taps criterion"),
    "criterion without s | k": ("equal_taps_criterion", lambda k, s, d: math.gcd(s, d) == 1,
                                "the equal-taps criterion"),
    "coprime count without the inverse": ("coprime_phase_count", lambda k, s, d, t: -(-(k - t) // s), "coprime counts"),
    "count that ignores the dilation": ("phase_tap_count", lambda k, s, d, t: sum(1 for m in range(k) if (m - t) % s == 0),
                                        "an empty phase"),
}


@pytest.mark.parametrize("name", sorted(EQUAL_TAPS_MISTAKES))
def test_equal_taps_proof_catches_a_mistake(monkeypatch, name):
    from symconv.proofs.polyphase import prove_equal_taps

    attribute, replacement, step = EQUAL_TAPS_MISTAKES[name]
    monkeypatch.setattr(polyphase, attribute, replacement)
    proof = prove_equal_taps()
    assert not proof.holds and proof.failed_step.name == step, (name, proof.failure)


def test_overlap_uniformity_step_uses_the_criterion(monkeypatch):
    from symconv import prove_overlap

    layer = TransposedConvSpec(4, stride=2, dilation=2)  # s | k, gcd(s, d) = 2: one phase holds every tap
    assert prove_overlap(layer, (6,)).holds
    monkeypatch.setattr(polyphase, "equal_taps_criterion", lambda k, s, d: k % s == 0)
    proof = prove_overlap(layer, (6,))
    assert not proof.holds and proof.failed_step.name.startswith("uniformity"), proof.failure


def test_crop_step_catches_a_phase_length_too_long():
    proof = prove_polyphase_general(1, formulas=_mutant("phase_length", lambda n, k, s, d: n + d * (k - 1) // s + 1))
    assert not proof.holds and proof.failed_step.name == "crop and zero-extension"


_bare_read = re.compile(r"(?<!\\hat )(?<!\\hat{)y\s*(\\left)?\[\s*(c,\s*)?u")
"""A read of y (not of its zero extension) at a phase position u: it can leave the input's range."""


def test_every_read_of_the_input_is_in_range_on_the_page():
    """The phases read the zero extension ŷ, defined in the statement before use; Φ is defined as a true
    convolution; no program name (pch) and no axis named q."""
    from symconv import prove_polyphase

    general = [prove_polyphase_general(n) for n in (1, 2)]
    instance = prove_polyphase(TransposedConvSpec(4, stride=2, padding=1), (4,))
    lemma = prove_transpose(ConvSpec((4, 3), stride=2, padding=1, in_channels=2, out_channels=4, groups=2), (6, 5))
    for proof in general + [instance]:
        assert r"\hat y" in proof.statement and not _bare_read.search(proof.statement), proof.title
    for proof in general:
        assert r"(\Phi y)[" in proof.statement and r"\hat y[i] = y[i]" in proof.statement.replace("c, i_1, i_2", "i")
        assert "pch" not in proof.to_document() and r"\prod_q" not in proof.to_document()
    step = next(s for s in lemma.steps if s.name == "polyphase view")
    assert r"\hat y[u - (d m - t)/s]" in step.rule and not _bare_read.search(step.rule)
    assert "input channels of the output channel's group" in step.rule
    nd = general[1].statement
    assert all(x in nd for x in ("t_1, t_2", "q_1, q_2", r"\sum_{c = \gamma C_{\mathrm{in}}/g}", "u_1 - q_1"))


def test_instance_theorem_states_the_sub_pixel_form():
    """The chain's last line, T y = crop(shuffle(conv_K(y))), is in the theorem, with its three maps defined there
    (padding K - 1 and the flipped kernel of conv_K); channel and axis words only for a layer that has them."""
    from symconv import ConvSpec, prove_polyphase

    one = prove_polyphase(ConvSpec(4, stride=2, padding=1), (6,))
    assert one.holds and one.steps[-1].name == "sub-pixel form"
    for proof in (one, prove_polyphase(TransposedConvSpec((3, 2), stride=2, in_channels=2, out_channels=2), (3, 2))):
        text = proof.statement
        assert r"T y = \operatorname{crop}(\operatorname{shuffle}(\operatorname{conv}_{K}(y)))" in text
        assert "padded by $K - 1$" in text and "flipped" in text and "cross-correlation" in text
        assert r"$\operatorname{crop}$ keeps" in text and r"$\operatorname{shuffle}$ moves" in text
    assert "every axis" not in one.statement and "channel $(o, t)$" not in one.statement


def test_overlap_general_product_is_a_chain_line_resting_on_separability(monkeypatch):
    """count[j_1, j_2] = count_1[j_1] count_2[j_2] is a step of its own, checked from the separability lemma; the
    per-axis count is count_nu throughout, count the N-D one only."""
    import dataclasses

    from symconv.latex import math_latex
    from symconv.proofs import overlap
    from symconv.proofs.evaluate import Indicator
    from symconv.proofs.overlap import prove_overlap_general

    proof = prove_overlap_general(2)
    assert proof.holds and [s.name for s in proof.steps][-2:] == ["separability", "product"]
    assert r"\operatorname{count}_{\nu}[j]" in proof.statement and "for $\\operatorname{count}_{\\nu}$" not in proof.statement
    assert all(r"\operatorname{count}\left[j\right]" not in math_latex(s.lhs)
               for s in proof.steps[:3])
    separability = next(s for s in proof.steps if s.name == "separability")
    wrong = dataclasses.replace(separability, rhs=Indicator(*separability.rhs.args[0].args))  # one axis dropped
    assert not overlap._product_step(2, wrong).holds
    failed = dataclasses.replace(separability, holds=False)
    assert not overlap._product_step(2, failed).holds
    monkeypatch.setattr(overlap, "_split_sum", lambda expr: expr)  # the sum not split by the axes
    assert not overlap._product_step(2, separability).holds
    monkeypatch.undo()
    # the separability lemma holds for positions in range only: a count over every tap, its position in the
    # output or not, must not pass (the taps that fall outside add to no output)
    monkeypatch.setattr(overlap, "_layer_summand", lambda js, f, sizes, flat: Indicator(flat(js), flat(f)))
    assert not overlap._product_step(2, separability).holds
    assert not prove_overlap_general(2).holds


def test_overlap_instance_reports_its_anchor_trials():
    """The anchor of T reports its trials and bound on the page (a LaTeX shape in the report made it program
    text, and the document dropped it: "Checked by randomized identity." alone)."""
    from symconv import prove_overlap

    document = prove_overlap(TransposedConvSpec((3, 3), stride=2, padding=1, output_padding=1), (3, 3)).to_document()
    assert r"\emph{Checked} by randomized identity." not in document
    assert "axis 2 alone on inputs of length 3" in document and "2^{-60}" in document.replace("2^-60", "2^{-60}")
    assert r"\mathrm{ConvTranspose2d}" not in document and r"(PyTorch's \textsf{ConvTranspose2d})" in document


def test_the_phases_lemma_is_in_the_sift_not_a_chain_line():
    """j = s floor((j + p_l)/s) + (j + p_l) mod s - p_l does not follow from (T y)[j]: the phases lemma is part of the
    sift's justification (its claims there), and a broken interleaving fails the sift (holds False)."""
    proof = prove_polyphase_general(1)
    assert [s.name for s in proof.steps] == ["definition", "sift into the phase", "sub-kernels",
                                             "crop and zero-extension"]
    sift = proof.steps[1]
    assert "the interleaving used is the one stated" in [c.name for c in sift.claims]
    assert r"\operatorname{interleave}(t, u, s, p_l) = s u + t - p_l" in sift.rule
    broken = prove_polyphase_general(1, formulas=_mutant("interleave_position", lambda t, u, s, p_l: s * u + t))
    step = {s.name: s for s in broken.steps}["sift into the phase"]
    assert not step.holds and "the interleaving used is the one stated" in _failed_claims(step)


@pytest.mark.parametrize("ndim", [2, 3])
def test_the_nd_chain_starts_at_ty_and_reaches_the_theorem(ndim):
    """The N-D chain names (T y)[o, j]: its first line is the definition with groups, the flat index equation carried
    to the axes' (separability, flat(j) = flat(f) shown), the sift continues from that sum, and the last line is the
    theorem's conclusion, Phi inside the phases and 0 otherwise."""
    from symconv.latex import math_latex

    proof = prove_polyphase_general(ndim)
    steps = {s.name: s for s in proof.steps}
    first, sift, last = steps["separability"], steps[f"the {ndim}-D sift"], steps[f"the {ndim}-D phase convolution"]
    js = ", ".join(f"j_{v}" for v in range(1, ndim + 1))
    assert math_latex(first.lhs) == "(T y)[o, " + ", ".join(f"j_{{{v}}}" for v in range(1, ndim + 1)) + "]"
    assert first.rhs == sift.lhs and sift.rhs == last.lhs  # one chain
    # the flat equation with the Definitions' three-argument flat(alpha, beta, B), axis after axis
    # the axes' sizes are the output sizes n_T^(nu) (n is an input length in these documents)
    assert (r"\operatorname{flat}(j_1, j_2, n_T^{(2)}" in first.rule
            and r"\operatorname{flat}(f_1, f_2, n_T^{(2)}" in first.rule)
    assert r"\operatorname{flat}(" + js + ")" not in first.rule
    assert r"(\Phi y)[o, " in math_latex(last.rhs) and r"0 & \text{otherwise}" in math_latex(last.rhs)
    assert last.holds and all(c.checker == "z3" for c in last.claims)


def test_the_nd_phase_convolution_step_catches_a_mistake():
    """A phase length one short lets a read past the phases land inside the input: the N-D phase convolution step
    fails (holds False), as a result."""
    proof = prove_polyphase_general(2, formulas=_mutant("phase_length", lambda n, k, s, d: n + d * (k - 1) // s - 1))
    step = {s.name: s for s in proof.steps}["the 2-D phase convolution"]
    assert not step.holds and _failed_claims(step)


def test_the_nd_definition_line_catches_a_wrong_flattening():
    """The first N-D line rests on the separability claims, with the injected formulas: column-major flattening
    (not row-major) fails it (holds False)."""
    proof = prove_polyphase_general(2, formulas=_mutant("flat_index", lambda q, r, B: r * B + q))
    step = {s.name: s for s in proof.steps}["separability"]
    assert not step.holds and _failed_claims(step)


def test_the_sub_pixel_weight_index_is_the_position_in_the_group():
    proof = prove_polyphase_general(2)
    assert r"input channel $c - \gamma C_{\mathrm{in}}/g$ of its group" in proof.statement


def test_the_count_is_taps_everywhere_and_no_inserted_zero_claim_is_broad():
    """One name for a phase's tap count (taps[t], as the overlap theorems write it; tau is a lag elsewhere), and
    the instance conclusion says which zeros are never multiplied (those inserted by the stride)."""
    from symconv import prove_polyphase
    from symconv.proofs.polyphase import prove_equal_taps

    text = prove_equal_taps((6, 3, 3)).to_document()
    assert r"\tau" not in text and r"\operatorname{taps}[t] = \#" in text
    proof = prove_polyphase(TransposedConvSpec(4, stride=3), (3,))
    assert "no zero inserted by the stride is multiplied" in proof.conclusion


def test_the_instance_displays_its_factors():
    """Q and Phi of a small instance are displayed in full (and T, their product); a large one is not."""
    from symconv import prove_polyphase
    from symconv.latex.printing import matrix_latex

    proof = prove_polyphase(TransposedConvSpec(3, stride=2, padding=1), (3,))
    note = proof.notes[-1]
    Q = polyphase.interleave_matrix(proof.data["tspec"], (3,))
    Phi = polyphase.phase_convolutions(proof.data["tspec"], proof.data["weight"], (3,))
    assert matrix_latex(Q, full=True) in note and matrix_latex(Phi, full=True) in note and "$K = 2$" in note
    assert (Q @ Phi).to_sympy() == proof.data["T"].to_sympy()
    big = prove_polyphase(TransposedConvSpec(3, stride=2, padding=1), (12,))
    assert not any(r"\Phi =" in n for n in big.notes)


def test_the_overlap_step_names_its_source_replaceably():
    """The uniformity step names the criterion's source by data["cited_step"], so a document that proves the
    criterion (the polyphase derivation's Theorem 4) can say so."""
    from symconv import prove_overlap

    proof = prove_overlap(TransposedConvSpec(3, stride=2), (6,))
    step = next(s for s in proof.steps if s.name.startswith("uniformity"))
    assert proof.data["cited_step"] in step.rule and "doi:10.23915/distill.00003" in proof.conclusion
