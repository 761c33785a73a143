"""Padding modes (reflect, replicate, circular): specs, the padding operator and its fold, the transposed layer
PyTorch refuses, checked against PyTorch's autograd, and the proofs (instance and all sizes)."""

from __future__ import annotations

import itertools
import types

import numpy as np
import pytest
import sympy

from symconv import ConvSpec, TransposedConvSpec, kernel_symbols, matrices, numeric
from symconv import formulas as F
from symconv import padding_modes as PM
from symconv.cli import main
from symconv.errors import ShapeError, SpecError, SpecTypeError
from symconv.proofs import prove_transpose
from symconv.proofs.padding_modes import prove_padding_mode, prove_padding_mode_general, torch_padding_map

MODES = ("reflect", "replicate", "circular")


# --- specs -----------------------------------------------------------------------------------------------------

def test_spec_carries_the_mode():
    spec = ConvSpec(3, stride=2, padding=((1, 2),), padding_mode="reflect")
    assert "padding_mode='reflect'" in str(spec)
    assert "padding_mode" not in str(ConvSpec(3, padding=1))
    t = spec.transpose((6,))
    assert t.padding_mode == "reflect" and "padding_mode='reflect'" in str(t)
    assert t.transpose() == spec
    assert ConvSpec(3).padding_mode == "zeros"


@pytest.mark.parametrize("value, error, words", [
    ("mirror", SpecError, "padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular', got 'mirror'"),
    (1, SpecTypeError, "padding_mode must be a string, got 1"),
])
def test_bad_mode_is_refused(value, error, words):
    with pytest.raises(error, match=words):
        ConvSpec(3, padding_mode=value)


@pytest.mark.parametrize("mode, padding, shape, words", [
    ("reflect", ((3, 0),), (3,), r"axis 0: the left padding 3 must be smaller than the input size 3"),
    ("reflect", (0, (1, 4)), (5, 4), r"axis 1: the right padding 4 must be smaller than the input size 4"),
    ("circular", ((4, 1),), (3,), r"axis 0: the left padding 4 must be at most the input size 3"),
])
def test_fpad_rules_per_axis(mode, padding, shape, words):
    spec = ConvSpec((1,) * len(shape), padding=padding, padding_mode=mode)
    with pytest.raises(ShapeError, match=words):
        spec.check_input_shape(shape)


def test_fpad_rules_match_torch(torch):
    """Exactly the amounts F.pad refuses are refused."""
    x = torch.zeros(1, 1, 3)
    for mode, pl, pr in itertools.product(MODES, range(6), range(6)):
        try:
            torch.nn.functional.pad(x, (pl, pr), mode=mode)
            torch_ok = True
        except RuntimeError:
            torch_ok = False
        try:
            ConvSpec(1, padding=((pl, pr),), padding_mode=mode).check_input_shape((3,))
            ours = True
        except ShapeError:
            ours = False
        assert ours == torch_ok, (mode, pl, pr)


def test_transposed_spec_checks_its_output_size():
    t = TransposedConvSpec(3, padding=2, padding_mode="reflect")
    with pytest.raises(ShapeError, match="the left padding 2 must be smaller than the output size 1"):
        t.check_input_shape((3,))
    with pytest.raises(SpecError, match="as_convolution"):
        t.as_convolution()


def test_translation_refuses_and_points_to_the_recipe():
    from symconv.translate import to_torch

    with pytest.raises(SpecError, match="torch_recipe"):
        to_torch(TransposedConvSpec(3, padding=1, padding_mode="reflect"))


def test_from_torch_reads_the_mode(torch):
    spec = ConvSpec.from_torch(torch.nn.Conv2d(2, 4, 3, padding=(1, 2), padding_mode="circular", bias=False))
    assert spec.padding_mode == "circular" and spec.padding == ((1, 1), (2, 2))


# --- formulas: branch-free, on ints, numpy and sympy -----------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_formulas_are_pytorchs_maps(mode):
    for n in range(1, 6):
        limit = n - 1 if mode == "reflect" else n if mode == "circular" else 7
        for pl, pr in itertools.product(range(limit + 1), repeat=2):
            want = torch_padding_map(mode, n, pl, pr)
            assert PM.source_table(mode, n, (pl, pr)).tolist() == want
            fn = getattr(F, PM.POSITION[mode])
            assert [fn(t, n, pl) for t in range(n + pl + pr)] == want
            t, nn, p = sympy.symbols("t n p_l", integer=True)
            expr = fn(t, nn, p)
            assert [int(expr.subs({t: v, nn: n, p: pl})) for v in range(n + pl + pr)] == want


# --- the matrices and the numeric definitions against PyTorch ---------------------------------------------------

def _torch_layer(torch, spec):
    cls = [torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Conv3d][spec.ndim - 1]
    padding = tuple(pl for pl, _ in spec.padding)
    if any(pl != pr for pl, pr in spec.padding):
        padding = "same"
    return cls(spec.in_channels, spec.out_channels, spec.kernel_size, stride=spec.stride, padding=padding,
               dilation=spec.dilation, groups=spec.groups, bias=False, padding_mode=spec.padding_mode).double()


GRID = [
    (dict(kernel_size=3, stride=2, padding=2), (6,)),
    (dict(kernel_size=3, stride=1, padding=1, dilation=2, in_channels=2, out_channels=4, groups=2), (5,)),
    (dict(kernel_size=4, padding="same"), (6,)),  # asymmetric: (1, 2)
    (dict(kernel_size=2, stride=3, padding=1, dilation=3), (7,)),  # a >= s on the transpose
    (dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), dilation=(1, 2), in_channels=4, out_channels=2,
          groups=2), (5, 4)),
    (dict(kernel_size=(2, 3), padding="same", dilation=(1, 2)), (4, 5)),  # asymmetric on axis 0
    (dict(kernel_size=(2, 2, 3), stride=(1, 2, 1), padding=(1, 1, 2), in_channels=2, out_channels=2), (3, 4, 4)),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kwargs, shape", GRID)
def test_transpose_is_autograds_input_gradient(torch, mode, kwargs, shape):
    """T y equals the vector-Jacobian product of Conv{N}d(padding_mode=...) in float64, exactly; M x its output."""
    spec = ConvSpec(**kwargs, padding_mode=mode)
    layer = _torch_layer(torch, spec)
    rng = np.random.default_rng(0)
    W = rng.integers(-4, 5, spec.weight_shape).astype(np.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(W))
    x = rng.integers(-4, 5, (spec.in_channels,) + shape).astype(np.float64)
    xt = torch.from_numpy(x)[None].requires_grad_()
    out = layer(xt)
    y = rng.integers(-4, 5, out.shape[1:]).astype(np.float64)
    (grad,) = torch.autograd.grad(out, xt, torch.from_numpy(y)[None])
    M = matrices.conv_matrix(spec, W, shape)
    assert np.array_equal(np.ravel(M.matvec(x.ravel())), out.detach().numpy().ravel())
    assert np.array_equal(numeric.conv(spec, W, x), out.detach().numpy()[0])
    tspec = spec.transpose(shape)
    T = matrices.transposed_conv_matrix(tspec, W, out.shape[2:])
    assert np.array_equal(np.ravel(T.matvec(y.ravel())), grad.numpy().ravel())
    assert np.array_equal(numeric.conv_transpose(tspec, W, y), grad.numpy()[0])
    # the recipe symconv emits for PyTorch: conv_transpose with padding 0, then the fold
    scope: dict = {}
    exec(PM.torch_recipe(tspec), scope)  # noqa: S102 - symconv's own emitted source
    module = next(v for k, v in scope.items() if k.endswith("Fold"))(torch.from_numpy(W))
    assert np.array_equal(module(torch.from_numpy(y)[None]).detach().numpy(), grad.numpy())


def test_matrix_is_built_from_its_own_definition():
    spec = ConvSpec(3, stride=2, padding=2, padding_mode="reflect")
    w = kernel_symbols(spec)
    M = matrices.conv_matrix(spec, w, (6,))
    T = matrices.transposed_conv_matrix(spec.transpose((6,)), w, spec.output_shape((6,)))
    assert T == M.T and T.origin[0] == "transposed" and M.origin[0] == "conv"
    P = PM.padding_operator(1, (6,), ((2, 2),), "reflect")
    assert PM.fold_operator(1, (6,), ((2, 2),), "reflect") == P.T


def test_testing_accepts_padding_mode_modules(torch):
    from symconv.testing import assert_module_is_convolution

    layer = torch.nn.Conv2d(2, 2, 3, padding=1, padding_mode="reflect", bias=False).double()
    assert_module_is_convolution(layer, (4, 5))


# --- proofs --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kwargs, shape", GRID[:5])
def test_instance_proof_holds(mode, kwargs, shape):
    spec = ConvSpec(**kwargs, padding_mode=mode)
    proof = prove_transpose(spec, shape)
    assert proof.holds, proof.failure
    names = [step.name for step in proof.steps]
    assert "padding convention" in names and "fold of the gather view" in names
    assert ("circular gather view" in names) == (mode == "circular")


def test_bad_input_is_refused_before_the_proof():
    spec = ConvSpec(3, padding=1, padding_mode="reflect")
    with pytest.raises(SpecError):
        prove_padding_mode(spec, (5,), name="w}\\input{x")
    with pytest.raises(SpecError, match="padding_mode in"):
        prove_padding_mode(ConvSpec(3, padding=1), (5,))
    with pytest.raises(ShapeError, match="must be smaller than the input size 1"):
        prove_padding_mode(spec, (1,))
    with pytest.raises(SpecError, match="mode must be one of"):
        prove_padding_mode_general("zeros")


def test_instance_proof_of_a_transposed_spec_with_selection():
    t = TransposedConvSpec(2, stride=1, dilation=3, output_padding=2, padding=1, padding_mode="circular")
    proof = prove_padding_mode(t, (4,))
    assert proof.holds, proof.failure
    assert proof.data["S"] is not None


@pytest.mark.parametrize("mode", MODES)
def test_instance_proof_fails_on_a_wrong_padding_formula(monkeypatch, mode):
    """The executed table off by one at the left border (clamped into range): the convention step fails."""
    real = getattr(F, PM.POSITION[mode])
    monkeypatch.setattr(F, PM.POSITION[mode], lambda t, n, p_l: np.clip(real(t + 1, n, p_l), 0, n - 1))
    proof = prove_padding_mode(ConvSpec(3, stride=2, padding=2, padding_mode=mode), (6,))
    assert not proof.holds
    assert proof.failed_step.name == "padding convention"


@pytest.mark.parametrize("mode", MODES)
def test_instance_proof_fails_on_a_wrong_numeric_fold(monkeypatch, mode):
    real = PM.fold
    monkeypatch.setattr(PM, "fold", lambda m, g, padding: real(m, g, padding) * 2)
    proof = prove_padding_mode(ConvSpec(3, padding=1, padding_mode=mode), (5,))
    assert not proof.holds
    assert proof.failed_step.name == "padding convention"


def test_instance_proof_fails_when_fold_is_replaced_by_the_plain_crop(monkeypatch):
    """A fold that drops the borders (the zero-padding crop) is caught by the anchors and the transpose."""
    def crop(channels, shape, padding, mode):  # padded -> input, keeping only the data positions
        padded = tuple(n + pl + pr for n, (pl, pr) in zip(shape, padding))
        return matrices.padding_matrix(channels, padded, tuple((-pl, -pr) for pl, pr in padding))
    monkeypatch.setattr(PM, "fold_operator", crop)
    proof = prove_padding_mode(ConvSpec(3, padding=1, padding_mode="circular"), (5,))
    assert not proof.holds


def test_instance_transpose_lemma_is_an_equation_and_fails_on_a_wrong_M(monkeypatch):
    """The transpose lemma states T = (S M)^T with S defined in the theorem; the theorem names the layer by its
    parameters (PyTorch's module in parentheses, no module name in a formula); a wrong M fails the lemma."""
    import dataclasses

    t = TransposedConvSpec(2, stride=1, dilation=3, output_padding=2, padding=1, padding_mode="reflect")
    proof = prove_padding_mode(t, (6,))
    step = next(s for s in proof.steps if s.name == "transpose")
    assert step.rule.startswith(r"$T = (S M)^{\top}$: ") and step.holds
    assert "($S$ the $0/1$ matrix that keeps the rows of $M$ whose output position is below $6$" in proof.statement
    assert r"(PyTorch's \textsf{Conv1d})" in proof.statement and r"\mathrm{Conv1d}" not in proof.statement
    real = PM.conv_matrix
    monkeypatch.setattr(PM, "conv_matrix", lambda spec, w, shape: real(
        dataclasses.replace(spec, padding_mode="replicate"), w, shape))  # M of another padding
    proof = prove_padding_mode(ConvSpec(3, stride=2, padding=1, padding_mode="reflect"), (6,))
    assert not proof.holds and next(s for s in proof.steps if s.name == "transpose").holds is False


def test_instance_proof_fails_on_a_wrong_circular_view(monkeypatch):
    real = F.gather_padding_left
    monkeypatch.setattr(F, "gather_padding_left", lambda k, p_l, d: real(k, p_l, d) + 1)
    proof = prove_padding_mode(ConvSpec(3, stride=2, padding=1, padding_mode="circular"), (6,))
    assert not proof.holds
    assert proof.failed_step.name in ("fold of the gather view", "circular gather view")


@pytest.mark.parametrize("mode", MODES)
def test_parametric_theorem_holds(mode):
    proof = prove_padding_mode_general(mode)
    assert proof.holds, proof.failure
    assert all(claim.witness is not None for claim in proof.claims)
    # the statement is generated from the ranges handed to the solver (one Ranges object, printed as (H1), ...)
    ranges = proof.data["ranges"]
    assert ranges.relations() == tuple(proof.assumptions)
    for number, hypothesis in enumerate(ranges.latex(), 1):
        assert rf"\item[(H{number})] ${hypothesis}$" in proof.statement


@pytest.mark.parametrize("mode", MODES)
def test_parametric_theorem_carries_every_hypothesis_its_claims_use(mode):
    proof = prove_padding_mode_general(mode)
    assumed = set(proof.assumptions)
    for claim in proof.claims:  # a hypothesis on the parameters alone (no position i, m, j, t) is the theorem's
        on_parameters = [h for h in claim.hypotheses if not {str(x) for x in h.free_symbols} & {"i", "m", "j", "t"}]
        assert set(on_parameters) <= assumed, (claim.name, set(on_parameters) - assumed)


def _formulas(**changes):
    ns = types.SimpleNamespace(**{name: getattr(F, name) for name in F.__all__ + list(F.PADDING_FORMULAS)})
    for key, value in changes.items():
        setattr(ns, key, value)
    return ns


@pytest.mark.parametrize("mode, wrong, step", [
    ("reflect", lambda t, n, p_l: (n - 1) - abs((n - 1) - abs(t - p_l + 1)), "padding map"),
    ("replicate", lambda t, n, p_l: F.replicate_position(t + 1, n, p_l), "padding map"),
    ("circular", lambda t, n, p_l: (t - p_l) % (n + 1), "padding map"),
    ("circular", lambda t, n, p_l: (t + p_l) % n, "padding map"),
])
def test_parametric_theorem_fails_on_a_wrong_map(mode, wrong, step):
    proof = prove_padding_mode_general(mode, formulas=_formulas(**{PM.POSITION[mode]: wrong}))
    assert not proof.holds
    assert proof.failed_step.name == step
    assert proof.failed_step.counterexample


def test_parametric_circular_wrap_fails_on_a_wrong_gather_padding():
    proof = prove_padding_mode_general(
        "circular", formulas=_formulas(gather_padding_left=lambda k, p_l, d: d * (k - 1) - p_l + 1))
    assert not proof.holds
    assert proof.failed_step.name == "circular wrap"


# --- the command ---------------------------------------------------------------------------------------------------

def test_cli_prove_padding_mode(tmp_path, capsys):
    out = tmp_path / "proof.md"
    assert main(["prove", "--padding-mode", "circular", "--input", "6", "--format", "md", "-o", str(out)]) == 0
    text = out.read_text()
    assert "circular" in text and "fold" in text
    assert main(["prove", "--padding-mode", "reflect", "--padding", "5", "--input", "4"]) == 2
    assert "the left padding 5 must be smaller than the input size 4" in capsys.readouterr().err
    assert main(["prove", "--padding-mode", "reflect", "--identity", "adjoint"]) == 2



def test_cli_matrix_and_shapes_with_a_padding_mode(capsys):
    assert main(["matrix", "--padding-mode", "circular", "--kernel", "3", "--stride", "1", "--input", "4"]) == 0
    out = capsys.readouterr().out
    assert "P (padding operator, circular), 6x4" in out and "P^T (the fold), 4x6" in out
    assert main(["shapes", "--padding-mode", "reflect", "--input", "6"]) == 0
    out = capsys.readouterr().out
    assert "then the fold of its (8,) outputs onto (6,)" in out
    assert PM.torch_recipe(ConvSpec(3, stride=2, padding=1, padding_mode="reflect").transpose((6,))) in out



@pytest.mark.parametrize("mode", MODES)
def test_every_claim_is_rechecked_by_cvc5(mode):
    """The exported SMT-LIB, claim by claim in a fresh cvc5 (as an auditor would run each check): the hypotheses
    are sat and the negation unsat for cvc5 as well (one solver for the whole script lets cvc5 time out)."""
    from test_smt import _cvc5_verdicts

    proof = prove_padding_mode_general(mode)
    assert proof.to_smtlib().count("(check-sat)") == 2 * len(proof.claims)
    for claim in proof.claims:
        assert _cvc5_verdicts("(set-logic ALL)\n" + claim.sat_smtlib) == ["sat"], claim.name
        assert _cvc5_verdicts("(set-logic ALL)\n" + claim.smtlib) == ["unsat"], claim.name


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_testing_accepts_transposed_padding_modes_and_names_the_mistake(mode):
    """symconv.testing checks the transposed layer of a padding-mode convolution, and diagnoses an unflipped
    kernel through the fold."""
    from symconv.testing import assert_is_transposed_convolution

    t = ConvSpec(3, stride=2, padding=1, padding_mode=mode).transpose((8,))
    w = np.array([[[1.0, 2.0, 5.0]]])
    assert assert_is_transposed_convolution(lambda y: numeric.conv_transpose(t, w, y), t, w, (4,))
    with pytest.raises(AssertionError, match=f"not flipped.*{mode} fold"):
        assert_is_transposed_convolution(lambda y: numeric.conv_transpose(t, w[..., ::-1].copy(), y), t, w, (4,))


# --- the documents as a reader reads them (issue 18) -----------------------------------------------------------

def _document(proof):
    from symconv.latex import proof_document

    return proof_document(proof)


def _definitions_block(tex):
    import re

    match = re.search(r"\\subsection\*\{Definitions\}(.*?)\\end\{align\*\}", tex, re.S)
    assert match, "the document has no Definitions"
    return match.group(1)


_INSTANCE = {"circular": (ConvSpec(3, stride=2, padding=2, padding_mode="circular"), (6,)),
             "reflect": (ConvSpec(3, stride=2, padding=2, padding_mode="reflect"), (6,)),
             "replicate": (ConvSpec((2, 3), stride=(1, 2), padding=((2, 2), (1, 2)), padding_mode="replicate"), (5, 6))}


@pytest.mark.parametrize("mode", MODES)
def test_documents_define_the_mode_map_they_use_from_the_function_that_ran(mode):
    """circ, refl and repl are defined in the Definitions (rendered from symconv.formulas), not used undefined."""
    from symconv.latex.formulas import formula_latex

    name = F.LATEX_NAMES[PM.POSITION[mode]]
    for proof in (prove_padding_mode(*_INSTANCE[mode]), prove_padding_mode_general(mode)):
        tex = _document(proof)
        assert name in tex.split(r"\subsection*{Definitions}")[1]  # used after it
        assert formula_latex(PM.POSITION[mode]).replace(" = ", " &= ", 1) in _definitions_block(tex)
        assert "rendered from its source" not in tex  # not a second, separate rendering in a note


def test_definitions_show_the_replaced_map_of_a_failing_general_proof():
    wrong = lambda t, n, p_l: (t - p_l + 1) % n  # noqa: E731 - a lambda: rendered through sympy
    proof = prove_padding_mode_general("circular", formulas=_formulas(circular_position=wrong))
    assert not proof.holds
    assert r"\operatorname{circ}(t, n, p_{l}) &= " in _definitions_block(_document(proof))
    assert "+ 1" in _definitions_block(_document(proof)).split(r"\operatorname{circ}")[1]


@pytest.mark.parametrize("mode", MODES)
def test_instance_document_never_gives_n_T_the_padded_length(mode):
    """n_T is T's output length; the padding-0 layers' output is written n_T + p_l + p_r (fails on 'n_T = 10')."""
    import re

    spec, shape = _INSTANCE[mode]
    proof = prove_padding_mode(spec, shape)
    tex = _document(proof)
    n_t = "x".join(map(str, proof.data["tspec"].output_shape(proof.data["input_shape"])))
    assert re.findall(r"\$n_\{T\}\$ = ([\dx]+)", tex) in ([], [n_t] * len(re.findall(r"\$n_\{T\}\$ = ", tex)))
    convention = next(step for step in proof.steps if step.name == "convention")
    # the detail is plain text: the padded length is said in words there, the rule names it n_T + p_l + p_r
    assert "n_T + p_l + p_r" in convention.rule and "n_T = " not in convention.detail
    padded = [n + pl + pr for n, (pl, pr) in zip(shape, spec.padding)]  # lengths, said per axis (not as a shape)
    said = (str(padded[0]) if len(padded) == 1 else f"{padded[0]} on each axis" if len(set(padded)) == 1
            else ", ".join(map(str, padded[:-1])) + f" and {padded[-1]} on the two axes")
    assert f"the padded length {said} and" in convention.detail


def test_general_circular_theorem_defines_T_and_concludes_with_the_formula():
    proof = prove_padding_mode_general("circular")
    statement = proof.statement
    assert r"let $T = (S M)^{\top} = P^{\top} (S C)^{\top}$ be the transposed layer" in statement  # T defined
    assert r"((S C)^{\top} y)[t] = \sum_{i=0}^{n_{\mathrm{in}} - 1}" in statement  # and (S C)^T: C is one map
    assert r"C^{\top} y" not in statement.replace(r"(S C)^{\top} y", "")  # no second meaning of C^T
    assert r"z_{\circ}[q] = \sum_{i=0}^{n_{\mathrm{in}} - 1} [s i \bmod n = q]\, y[i]" in statement
    assert r"\[ (T y)[j] = \sum_{m'=0}^{k-1} \tilde w[m']\, z_{\circ}\bigl[(j + d m' - p'_{l}) \bmod n\bigr]" \
        in statement
    assert "n = n_{T}, \\text{ where } n_{T} = " in statement  # one length: the signal is T's output
    assert statement.count("n_{T}") == 3  # that item and "whose output length n_T is n": no second circle length
    for claim in proof.claims:
        assert "n_T" not in {str(x) for x in claim.statement.free_symbols}, claim.name
    tex = _document(proof)
    assert r"(T y)[j] = " in tex.split(r"\begin{proof}")[1]  # the chain starts from T's definition
    for symbol in (r"\item[(H1)] $n \ge 1$", r"$n_{\mathrm{in}}, k, s, d \ge 1$", r"0 \le a < \max"):
        assert symbol in statement  # sizes >= 1, the output padding's range


@pytest.mark.parametrize("mode", MODES)
def test_general_documents_state_pytorchs_map_with_disjoint_cases(mode):
    proof = prove_padding_mode_general(mode)
    assert r"\text{for}\: p_{l} \le t < n + p_{l}" in proof.statement  # not "t < n + p_l" after "t < p_l"
    rule = {"reflect": r"\item[(H3)] $p_{l} < n$", "circular": r"\item[(H3)] $p_{l} \le n$",
            "replicate": r"\item[(H2)] $p_{l}, p_{r} \ge 0$"}[mode]
    assert rule in proof.statement


_PROGRAM_TEXT = ("F.pad", "numpy", "padding_mode", "_position", "symconv.", "src_f", r"\mathrm{left}", "left}",
                 r"\_", "gammap", "len(", "()")


@pytest.mark.parametrize("mode", MODES)
def test_documents_show_no_program_names(mode):
    import re

    for proof in (prove_padding_mode(*_INSTANCE[mode]), prove_padding_mode_general(mode)):
        tex = _document(proof)
        body = tex.split(r"\begin{document}")[1].split(r"\subsection*{Checked claims}")[0]
        for word in _PROGRAM_TEXT:
            assert word not in body, (mode, word)
        assert not re.search(r"\\operatorname\{pad\}\(t, p\)", tex)  # p is the padding on both sides
        for match in re.finditer(r"\\mathrm\{([A-Za-z]+)\}", body):
            assert match.group(1) in {"in", "out", "flip", "Pad", "Circ", "Conv", "ConvTranspose"}, match.group(0)


def test_general_fold_fails_on_a_wrong_data_position():
    """The fold claim (displayed with j + p_l) still checks the executed padded_position."""
    proof = prove_padding_mode_general("reflect", formulas=_formulas(padded_position=lambda t, left: t + left + 1))
    assert not proof.holds
    assert proof.failed_step.name == "fold"


def test_general_circular_wrap_fails_on_a_wrong_transposed_length():
    """n = n_T with a wrong n_T: the padding-0 layer no longer fills n + p_l + p_r outputs."""
    proof = prove_padding_mode_general(
        "circular", formulas=_formulas(transposed_output_size=lambda n, k, s, p_l, p_r, d, a:
                                       (n - 1) * s - p_l - p_r + d * (k - 1) + a))
    assert not proof.holds
    assert not next(step for step in proof.steps if step.name == "circular wrap").holds  # (the sizes fail too)


# --- the derivation (derivations/padding_modes.py) -------------------------------------------------------------

def _derivation():
    import importlib
    import pathlib
    import sys

    here = pathlib.Path(__file__).resolve().parent.parent / "derivations"
    sys.path.insert(0, str(here))
    try:
        return importlib.import_module("padding_modes"), here
    finally:
        sys.path.remove(str(here))


def test_derivation_fold_figure_is_legible_at_print_width():
    pytest.importorskip("matplotlib")
    from symconv.plot import min_label_size

    module, here = _derivation()
    fig = module.figure()
    common = importlib_common(here)
    assert fig.get_figwidth() == pytest.approx(common.TEXT_WIDTH)  # drawn at the width it is printed at
    tex = (here / "padding_modes.tex").read_text()
    assert rf"\includegraphics[width=\linewidth]{{{module.FIGURE}}}" in tex
    assert min_label_size(fig) >= 7
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    n, (pl, pr) = module.FIGURE_N, module.FIGURE_PADDING
    assert all(str(t) in texts for t in range(n + pl + pr))  # the padded positions t are numbered
    assert r"\caption{" in tex and r"Figure~\ref{fig:fold}" in tex


def importlib_common(here):
    import importlib
    import sys

    sys.path.insert(0, str(here))
    try:
        return importlib.import_module("_common")
    finally:
        sys.path.remove(str(here))


def test_derivation_states_its_lemmas_and_one_length_for_the_circle():
    _, here = _derivation()
    tex = (here / "padding_modes.tex").read_text()
    before_proof = tex.split(r"\begin{proof}")[0]
    for lemma in (r"\textbf{Lemma 1} (the map)", r"\textbf{Lemma 2} (the fold)", r"\textbf{Lemma 3} (the sizes)",
                  r"\textbf{Lemma 4} (the wrap)"):
        assert lemma in before_proof  # stated before the proof cites them
    for name in (r"\operatorname{refl}(t, n, p_{l}) =", r"\operatorname{repl}(t, n, p_{l}) =",
                 r"\operatorname{circ}(t, n, p_{l}) ="):
        assert name in before_proof.split(r"\begin{theorem}")[0]  # defined before the theorem
    theorem = before_proof.split(r"\begin{theorem}")[1]
    assert r"$T = P^{\top} (S C)^{\top} = (S M)^{\top}$" in theorem and r"((S C)^{\top} y)[t] =" in theorem
    assert r"when $a < s$, $T = M^{\top}$" in theorem  # the transpose claim only where it is true
    assert r"n = n_{T}, \text{ where } n_{T} = " in theorem
    assert r"\bmod n_T" not in tex and r"\bmod n_{T}" not in tex  # the circle has the signal's length n
    assert "Every row of $M$ wraps" not in tex  # false for the example (only its first row wraps)


# --- review of issue 24: one C, T = M^T exactly when a < s, the fold's border claims, the wrap exercised ---------

def test_the_transpose_is_M_transposed_exactly_when_a_is_below_the_stride():
    """s = 1, d = 2, k = 2, a = 1, n_in = 3, p = 0 meets (H1)-(H7) and gives n = 6, but M has 4 outputs:
    T (6 x 3) is (S M)^T, not M^T; the theorem claims T = M^T only for a < s, and its sizes lemma says so."""
    n = F.transposed_output_size(3, 2, 1, 0, 0, 2, 1)
    assert n == 6 and F.conv_output_size(n, 2, 1, 0, 0, 2) == 4
    tspec = TransposedConvSpec(2, stride=1, dilation=2, output_padding=1, padding=0, padding_mode="circular")
    proof = prove_padding_mode(tspec, (3,))
    assert proof.holds, proof.failure
    assert proof.data["T"].shape == (6, 3) and proof.data["M"].shape == (4, 6) and proof.data["S"] is not None
    assert r"$(S M)^{\top}$" in proof.statement and r"equals $M^{\top}$" not in proof.statement
    general = prove_padding_mode_general("circular")
    sizes = next(step for step in general.steps if step.name == "circular sizes")
    values = {sympy.Symbol(k, integer=True): v for k, v in dict(n=6, n_in=3, k=2, s=1, d=2, p_l=0, p_r=0, a=1).items()}
    for claim in sizes.claims:
        assert all(bool(h.subs(values)) for h in claim.hypotheses)  # the counterexample meets the hypotheses
    assert len(sizes.claims) == 2
    for claim in sizes.claims:  # and the claims hold there: n_out = 4 = n_in + 1, and not n_in since a >= s
        executed = claim.conclusion.subs(values).replace(  # the displayed n_out, evaluated by the executed formula
            lambda e: getattr(e.func, "__name__", "") == "conv_output_size", lambda e: F.conv_output_size(*e.args))
        assert executed == sympy.true, claim.name
    assert r"when $a < s$, $T = M^{\top}$" in general.statement
    assert r"$T = M^{\top}$ exactly when $a < s$" in general.conclusion


def test_general_circular_sizes_fail_on_a_wrong_output_size():
    """The sizes lemma checks the executed conv_output_size (one output too many)."""
    proof = prove_padding_mode_general(
        "circular", formulas=_formulas(conv_output_size=lambda n, k, s, p_l, p_r, d: F.conv_output_size(n, k, s, p_l,
                                                                                                       p_r, d) + 1))
    sizes = next(step for step in proof.steps if step.name == "circular sizes")
    assert not proof.holds and not sizes.holds
    assert all(not claim.holds for claim in sizes.claims)


def test_general_circular_sizes_fail_when_the_transposed_layer_drops_the_output_padding():
    """With n_T computed without a, the padded signal has n_in outputs whatever a is: the 'exactly when a < s'
    claim is then false (a >= s with d > s), and the step fails."""
    proof = prove_padding_mode_general(
        "circular", formulas=_formulas(transposed_output_size=lambda n, k, s, p_l, p_r, d, a:
                                       (n - 1) * s - p_l - p_r + d * (k - 1) + 1))
    sizes = next(step for step in proof.steps if step.name == "circular sizes")
    assert not sizes.holds
    assert not next(claim for claim in sizes.claims if "exactly when" in claim.name).holds


@pytest.mark.parametrize("mode", MODES)
def test_general_fold_checks_both_borders_with_witnesses_in_them(mode):
    proof = prove_padding_mode_general(mode)
    fold = next(step for step in proof.steps if step.name == "fold")
    left, right = (next(c for c in fold.claims if c.name.startswith(side)) for side in ("a left-border", "a right-border"))
    assert left.witness["p_l"] >= 1 and left.witness["t"] < left.witness["p_l"]  # a border branch is exercised
    assert right.witness["p_r"] >= 1


@pytest.mark.parametrize("mode", MODES)
def test_general_fold_fails_on_a_map_wrong_in_the_borders_only(mode):
    """A map that is right on the data and leaves [0, n) in the borders: the border claims of the fold fail."""
    proof = prove_padding_mode_general(mode, formulas=_formulas(**{PM.POSITION[mode]: lambda t, n, p_l: t - p_l}))
    fold = next(step for step in proof.steps if step.name == "fold")
    assert not fold.holds
    failed = {claim.name for claim in fold.claims if not claim.holds}
    assert failed == {"a left-border position folds onto an input position",
                      "a right-border position folds onto an input position"}


def test_general_wrap_line_reads_the_theorems_position():
    proof = prove_padding_mode_general("circular")
    wrap = next(step for step in proof.steps if step.name == "circular wrap")
    from symconv.latex.printing import math_latex

    assert "p'_{l}" in math_latex(wrap.rhs) and "tap" not in math_latex(wrap.rhs)


def test_instance_says_whether_the_wrap_adds_entries():
    adds = prove_padding_mode(ConvSpec(3, stride=2, padding=2, padding_mode="circular"), (6,))
    rule = next(step.rule for step in adds.steps if step.name == "circular gather view")
    assert "here the wrap adds entries" in rule and "its 7 positions wrap onto 6" in rule
    plain = prove_padding_mode(ConvSpec(3, stride=2, padding=1, padding_mode="circular"), (6,))
    rule = next(step.rule for step in plain.steps if step.name == "circular gather view")
    assert "no two entries add" in rule
    for proof in (adds, plain):
        for step in proof.steps:
            if step.name == "transpose":  # a statement, not a phrase: T = M^T, said as an equation
                assert step.rule.startswith(r"$T = M^{\top} = P^{\top} C^{\top}$: "), step.rule
            elif step.name in ("fold of the gather view", "circular gather view"):
                assert " equals " in step.rule, step.name  # a statement, not a phrase


def test_instance_sizes_line_shows_the_output_size_formula():
    from symconv.latex.printing import math_latex

    proof = prove_padding_mode(ConvSpec(3, stride=2, padding=2, padding_mode="circular"), (6,))
    sizes = next(step for step in proof.steps if step.name == "sizes")
    assert math_latex(sizes.lhs) != math_latex(sizes.rhs) and r"n_{\mathrm{out}}" in math_latex(sizes.lhs)
    text = _document(proof)
    assert "print alike" not in text and r"w_{\dots}" not in text


def test_two_dimensional_instance_says_positions_are_tuples():
    proof = prove_padding_mode(ConvSpec((3, 3), stride=2, padding=1, padding_mode="circular"), (5, 5))
    assert "are tuples, one entry per axis" in proof.statement


def test_derivation_example_exercises_the_wrap_and_lists_its_checks():
    _, here = _derivation()
    tex = (here / "padding_modes.tex").read_text()
    assert "so the wrap adds inputs that land on one position" in tex
    assert "double precision" not in tex
    example = tex.split(r"\section*{An example}")[1].split(r"\section*{Checked claims}")[0]
    assert example.count(r"\item ") == 9  # the instance's checked steps, each named here
    claims = tex.split(r"\section*{Checked claims}")[1]
    assert r"0 \le \operatorname{circ}" in claims  # the formulas z3 proved, not only their names


@pytest.mark.parametrize("mode", MODES)
def test_instance_anchor_of_T_names_the_fold_of_the_padding_0_layer(mode):
    """The numeric definition of T is the fold of conv_0^T (the Conventions' conv^T is the zero-padding layer)."""
    from symconv.latex.printing import math_latex

    proof = prove_padding_mode(*_INSTANCE[mode])
    anchor = next(step for step in proof.steps if step.name == "T is the transposed layer")
    assert math_latex(anchor.rhs) == r"P^{\top} \operatorname{conv}_{0}^{\top}(y)"
    assert r"with $p_l = p_r = 0$" in anchor.rule
    assert r"\operatorname{conv}^{\top}(y)" not in _document(proof).split(r"\begin{proof}")[1]


def test_instance_circular_view_names_its_own_convolution_and_defines_circ():
    proof = prove_padding_mode(*_INSTANCE["circular"])
    fold, view = (next(step for step in proof.steps if step.name == name)
                  for name in ("fold of the gather view", "circular gather view"))
    assert r"C_{\mathrm{flip}}" in str(fold.rhs) and r"C^{\circ}_{\mathrm{flip}}" in str(view.rhs)
    assert r"$\operatorname{circ}(t^{\circ}, n_T, p'_{l})$" in view.rule  # Circ, the matrix, through circ, the map
    tspec = proof.data["tspec"]
    C, Circ, _, _ = PM.circular_gather_view(tspec, kernel_symbols(tspec), (4,))
    assert C.shape[0] == proof.data["T"].shape[0] == 6  # C°_flip has n_T outputs, the fold's C_flip n_T + p_l + p_r
    left = F.gather_padding_left(3, 2, 1)  # p'_l = d(k - 1) - p_l
    dense = Circ.to_sympy()
    assert [list(dense.row(t)).index(1) for t in range(dense.rows)] == [F.circular_position(t, 6, left)
                                                                        for t in range(8)]  # row t: circ(t, n_T, p'_l)


def test_general_statement_opens_its_sentences_and_leaves_iverson_to_the_conventions():
    for mode in MODES:
        statement = prove_padding_mode_general(mode).statement
        assert "is $1$ when $Q$ holds" not in statement
        assert "\nLet $P$ be PyTorch's" in statement and "\nlet $P$" not in statement
        assert "satisfying the following hypotheses" in statement


def test_replicate_clamp_is_the_function_that_runs():
    from symconv.proofs.padding_modes import replicate_clamp

    tex, claim = replicate_clamp()
    assert claim.holds and claim.checker == "z3"
    assert tex == r"\operatorname{repl}(t, n, p_{l}) = \min\{\max\{t - p_{l}, 0\}, n - 1\}"
    for n in range(1, 5):
        for pl in range(0, 4):
            assert [int(F.replicate_position(t, n, pl)) for t in range(-2, n + 2 * pl + 2)] == \
                [min(max(t - pl, 0), n - 1) for t in range(-2, n + 2 * pl + 2)]


def test_derivation_defines_what_its_claims_apply_and_numbers_rows_from_zero():
    module, here = _derivation()
    tex = (here / "padding_modes.tex").read_text()
    assert module._undefined(tex) == []
    for head in (r"n_{\mathrm{out}}(n, k, s, p_{l}, p_{r}, d) &=", r"\operatorname{tap}(i, m, s, p_{l}, d) &=",
                 r"\operatorname{flip}(m, k) &="):
        assert head in tex.split(r"\begin{theorem}")[0]  # defined before the theorem and the claims use them
    assert r"\min\{\max\{t - p_{l}, 0\}, n - 1\}" in tex and r"\left\lfloor\frac{\left\lfloor" not in tex
    assert "is $1$ when $Q$ holds" not in tex  # the Conventions define Iverson brackets
    assert "Rows 0 and 3 of $M$ (the first and the last; rows are numbered from 0)" in tex
    assert module._rows_words([0], 3, "$M$") == "Row 0 of $M$ (the first; rows are numbered from 0)"
    assert tex.index(r"\begin{figure}[t]") < tex.index(r"\begin{theorem}")  # not inside the example's list


def test_derivation_names_the_instance_document_and_its_checkers():
    from symconv.cli import _layer, _parser

    module, here = _derivation()
    args = _parser().parse_args(list(module.EXAMPLE_COMMAND))
    assert _layer(args) == (module.EXAMPLE, module.EXAMPLE_SIZE)  # the command writes the example's proof
    tex = (here / "padding_modes.tex").read_text()
    example = tex.split(r"\section*{An example}")[1].split(r"\section*{Checked claims}")[0]
    assert r"\emph{Transpose of a convolution with circular padding (instance)}" in example
    for checker in ("arithmetic", "enumeration", "randomized identity", "exact structure"):
        assert rf"\emph{{{checker}}}: " in example
