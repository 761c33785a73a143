import re
import subprocess

import pytest

from symconv import (
    ConvSpec,
    SizeLimitError,
    TransposedConvSpec,
    conv_matrix,
    kernel_symbols,
    prove_adjoint,
    prove_overlap,
    prove_size_relations,
    prove_transpose,
    prove_transpose_general,
    transposed_conv_matrix,
)
from symconv.latex.documents import document, proof_document
from symconv.latex.formulas import formula_latex
from symconv.latex.printing import escape_text, math_latex, matrix_latex, matrix_window, spec_latex, text_latex


@pytest.mark.parametrize(
    "text, expected",
    [
        (r"\input{/etc/passwd}", r"\textbackslash{}input\{/etc/passwd\}"),
        (r"\write18{id}", r"\textbackslash{}write18\{id\}"),
        ("}{", r"\}\{"),
        ("100%", r"100\%"),
        ("$x$", r"\$x\$"),
        ("^^5c", r"\textasciicircum{}\textasciicircum{}5c"),
        ("a_b & c # ~", r"a\_b \& c \# \textasciitilde{}"),
        ("Ω", "[U+03A9]"),
    ],
)
def test_escape_text(text, expected):
    assert escape_text(text) == expected


@pytest.mark.parametrize(
    "spec, expected",
    [
        (ConvSpec(3, stride=2, padding=1),
         r"\mathrm{Conv1d}\bigl(C_{\mathrm{in}}=1,\ C_{\mathrm{out}}=1,\ k=3,\ s=2,\ p_{l}=p_{r}=1,\ d=1,\ g=1\bigr)"),
        # a parameter that differs across axes makes every per-axis parameter a tuple: no "p_r = 0" among tuples
        (TransposedConvSpec((3, 2), padding=((1, 0), (0, 0)), in_channels=2, groups=2, out_channels=2),
         r"\mathrm{ConvTranspose2d}\bigl(C_{\mathrm{in}}=2,\ C_{\mathrm{out}}=2,\ k=(3, 2),\ s=(1, 1),\ p_{l}=(1, 0),\ "
         r"p_{r}=(0, 0),\ a=(0, 0),\ d=(1, 1),\ g=2\bigr)"),
        (TransposedConvSpec((3, 3), stride=2, padding=1), r"\mathrm{ConvTranspose2d}\bigl(C_{\mathrm{in}}=1,\ "
         r"C_{\mathrm{out}}=1,\ k=3,\ s=2,\ p_{l}=p_{r}=1,\ a=0,\ d=1,\ g=1\bigr)"),
    ],
)
def test_spec_latex(spec, expected):
    assert spec_latex(spec) == expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("tap_position", r"\operatorname{tap}(i, m, s, p_{l}, d) = s i + d m - p_{l}"),
        ("flip_tap", r"\operatorname{flip}(m, k) = k - 1 - m"),
        ("zero_insertion_position", r"\operatorname{ins}(i, s) = s i"),
        ("output_padding_for", r"a_{\mathrm{rt}}(n, k, s, p_{l}, p_{r}, d) = \mathopen{}\left( n + p_{l} + p_{r} - d \cdot "
                               r"\mathopen{}\left( k - 1 \mathclose{}\right) - 1 \mathclose{}\right) \bmod s"),
        ("group_local", r"\operatorname{loc}(c, \gamma, b) = c - \gamma \cdot b"),
    ],
)
def test_formulas_rendered_by_latexify(name, expected):
    assert formula_latex(name) == expected


def test_matrix_latex_full_dots_and_elided():
    spec = ConvSpec(2)
    M = conv_matrix(spec, kernel_symbols(spec), (3,))
    assert matrix_latex(M, zeros="dots") == r"\begin{bmatrix} w_{0} & w_{1} & \cdot \\ \cdot & w_{0} & w_{1} \end{bmatrix}"
    big = conv_matrix(ConvSpec(3), kernel_symbols(ConvSpec(3)), (40,))
    text = matrix_latex(big)
    assert r"\ddots" in text and r"w_{0}" in text
    with pytest.raises(SizeLimitError, match="HARD_LIMIT"):
        matrix_latex(conv_matrix(ConvSpec(3), kernel_symbols(ConvSpec(3)), (100,)), full=True)


def test_elision_shows_the_first_nonzero_band():
    """A large matrix is shown where its entries are, and the window names the rows and columns it shows."""
    spec = TransposedConvSpec((3, 3), stride=2, padding=1, output_padding=1, dilation=2, in_channels=4, out_channels=2,
                              groups=2)
    w = kernel_symbols(spec)
    T = transposed_conv_matrix(spec, w, (4, 4))
    window = matrix_window(T, max_rows=5, max_cols=6)
    first = int(T.structure.rows.min())
    assert first > 0 and window.rows[0] == first  # not the corner of zeros above the first nonzero row
    text = matrix_latex(T, zeros="dots", window=window)
    assert text.count("w_{") >= 5 and text.startswith(r"\begin{bmatrix} \vdots")
    assert f"rows ${first}$--${first + 4}$" in window.caption() and "200" in window.caption()
    corner = matrix_latex(T, zeros="dots", rows=range(5), cols=range(6))
    assert "w_{" not in corner  # what a corner elision shows: nothing


def test_symbol_names_and_relation_chains():
    import sympy

    n, j, p = sympy.symbols("n_in j p_l")
    assert math_latex(sympy.And(sympy.Le(0, j), sympy.Lt(j, n + p))) == r"0 \le j < n_{\mathrm{in}} + p_{l}"
    assert math_latex(sympy.Transpose(sympy.MatrixSymbol("M", 2, 3))) == r"M^{\top}"
    assert text_latex("C_flip and output_padding < stride") == r"$C_{\mathrm{flip}}$ and output padding $<$ stride"


def test_repr_latex_hooks():
    spec = ConvSpec(3, stride=2, padding=1)
    M = conv_matrix(spec, kernel_symbols(spec), (5,))
    assert M._repr_latex_().startswith(r"$$\displaystyle \begin{bmatrix}")
    assert spec._repr_latex_().startswith(r"$\displaystyle \mathrm{Conv1d}")
    notebook = prove_transpose(spec, (5,))._repr_latex_()
    for forbidden in (r"\begin{theorem}", r"\section", r"\subsection", r"\begin{proof}", r"\textbf", r"\emph",
                      r"\paragraph", r"\noindent"):
        assert forbidden not in notebook
    # the Conventions come first: the theorem uses the symbols they define
    assert "$$" in notebook and notebook.startswith("Conventions.") and "\n\nTheorem (" in notebook


def test_markdown():
    proof = prove_transpose_general(1)
    text = proof.to_markdown()
    # the Conventions come first (the issue asks for notation and definitions: symbols are defined before use)
    assert text.startswith("## Conventions\n") and "**Lemma 1 (definition).**" in text
    assert text.index("## Conventions") < text.index("## Theorem (") < text.index("### Proof")
    assert text.count("$$") % 2 == 0 and "Checked by z3: 2 claims" in text and "\n- " in text
    for section in ("## Conventions", "### Definitions", "### Proof", "### Checked claims"):
        assert section in text
    assert r"\text{sift, Lemma 2; 3 claims}" in text  # the chain's lines carry their justification
    assert "### Notation" in text and "$p_{l}$ the padding on the left" in text
    assert proof._repr_markdown_() == text  # notebooks show the Markdown
    assert text.count("- (H1) ") == 1  # the hypotheses are stated once, in the theorem
    assert r"\begin{theorem}" not in text and r"\textbf" not in text


def _compile(tmp_path, name, text, pdflatex):
    tex = tmp_path / f"{name}.tex"
    tex.write_text(text)
    result = subprocess.run([pdflatex, "-no-shell-escape", "-halt-on-error", "-interaction=nonstopmode", tex.name],
                            cwd=tmp_path, capture_output=True, text=True, errors="replace", timeout=300)
    log = (tmp_path / f"{name}.log").read_text(errors="replace")
    assert result.returncode == 0, [line for line in log.splitlines() if line.startswith("!")][:3]
    assert "Undefined control sequence" not in log
    assert not re.findall(r"(Overfull|Underfull) \\hbox", log)
    return log


DOCUMENTS = {
    "instance_1d": lambda: prove_transpose(ConvSpec(3, stride=2, padding=1), (5,)).to_document(),
    "instance_2d_channels": lambda: prove_transpose(
        ConvSpec((3, 3), stride=2, padding=1, dilation=(1, 2), in_channels=4, out_channels=2, groups=2), (9, 9)).to_document(),
    "general_1d": lambda: prove_transpose_general(1).to_document(),
    "general_3d": lambda: prove_transpose_general(3).to_document(),
    "sizes": lambda: prove_size_relations(spot_checks=5).to_document(),
    "adjoint": lambda: prove_adjoint(ConvSpec(3, stride=2), (5,)).to_document(),
    "overlap": lambda: prove_overlap(TransposedConvSpec((3, 4), stride=2), (5, 5)).to_document(),
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_documents_compile(name, tmp_path, pdflatex):
    _compile(tmp_path, name, DOCUMENTS[name](), pdflatex)


@pytest.mark.parametrize("title", [r"\input{/etc/passwd}", r"\write18{touch pwned}", "}{", "%", "$", "^^5c", "naïve Ω"])
def test_tex_injection_in_titles_is_inert(title, tmp_path, pdflatex):
    proof = prove_transpose(ConvSpec(2), (3,))
    log = _compile(tmp_path, "inj", proof_document(proof, title=title), pdflatex)
    assert "/etc/passwd" not in log.replace(escape_text(title), "")
    assert not (tmp_path / "pwned").exists()
    assert "root:" not in (tmp_path / "inj.pdf").read_bytes().decode("latin-1")


def test_document_escapes_body_title_only(tmp_path, pdflatex):
    _compile(tmp_path, "plain", document("a % title", "Body $x$."), pdflatex)


def test_the_notation_page_is_the_package_table():
    import pathlib

    from symconv.latex.notation import NOTATION, notation_table

    page = pathlib.Path(__file__).resolve().parent.parent / "docs" / "notation.md"
    assert page.read_text() == notation_table(), "docs/notation.md is stale: write notation_table() to it"
    meanings = [meaning for _, meaning in NOTATION]
    symbols = {}
    for symbol, meaning in NOTATION:
        symbols.setdefault(meaning, []).append(symbol)
    assert all(len(set(v)) <= 2 for v in symbols.values())  # at most two spellings of one symbol
    assert len({s for s, _ in NOTATION}) == len(NOTATION) and meanings  # no symbol with two meanings


def test_a_documents_notation_lists_exactly_the_symbols_it_uses():
    from symconv.latex.notation import notation_used

    text = prove_transpose_general(1).to_latex()
    section = text[text.index(r"\subsection*{Notation}"):text.index(r"\subsection*{Definitions}")]
    used = [symbol for symbol, _ in notation_used(text.replace(section, ""))]  # the symbols of the rest
    assert {"n_{\\mathrm{in}}", "p_{l}", "C_{\\mathrm{flip}}", "p'_{l}", "p'_{r}"} <= set(used)
    assert "g" not in used and "\\gamma" not in used and "\\ell" not in used and "R" not in used  # no groups, no loss in 1-D
    # a meaning may hold mathematics ("paired with $m$"): the listed symbols are the labels, exactly the used ones
    assert re.findall(r"\\item\[\$(.+?)\$\]", section) == used


def test_the_theorem_is_printed_from_the_ranges_the_solver_reads():
    import dataclasses

    import sympy

    import symconv.formulas as F
    from symconv.proofs import general
    from symconv.proofs.ranges import Hypothesis

    proof = prove_transpose_general(1)
    ranges = proof.data["ranges"]
    assert proof.assumptions == ranges.relations()  # what the document states is what every claim assumed
    for claim in proof.claims:
        if claim.variables and len(claim.hypotheses) >= len(ranges.relations()):
            assert claim.hypotheses[:len(ranges.relations())] == ranges.relations()
    assert r"0 \le a < \max\left(d, s\right)" in proof.statement
    # narrow a range: the statement follows, with no hand-typed copy left behind
    chain = general._Chain(F)
    a, s = general.SYMBOLS.a, general.SYMBOLS.s
    narrowed = tuple(Hypothesis(sympy.And(sympy.Le(0, a), sympy.Lt(a, s), evaluate=False))
                     if "Max" in sympy.srepr(h.relation) else h for h in chain.range_object.hypotheses)
    chain.range_object = dataclasses.replace(chain.range_object, hypotheses=narrowed)
    statement = general._statement(chain, 1)
    assert r"0 \le a < s" in statement and r"\max" not in statement


def test_axis_blocks_show_the_block_toeplitz_pattern_and_its_transpose():
    from symconv import transposed_conv_matrix
    from symconv.latex.blocks import axis_blocks

    spec = ConvSpec((3, 3), stride=2, padding=1)
    w = kernel_symbols(spec)
    M = conv_matrix(spec, w, (9, 9))
    known: dict = {}
    view = axis_blocks(M, known=known, max_rows=3, max_cols=5)
    rows = view.pattern.split(r" \\ ")
    assert rows[0].startswith(r"\begin{bmatrix} A_{1} & A_{2} & 0") and rows[1].startswith(r"0 & A_{0} & A_{1} & A_{2}")
    assert [name for name, _ in view.blocks] == ["A_{1}", "A_{2}", "A_{0}"]
    name, block = view.blocks[2]
    assert block.shape == (5, 9) and all(str(v).startswith("w_{0,") for v in block.to_sympy().free_symbols)
    tspec = spec.transpose((9, 9))
    T = transposed_conv_matrix(tspec, w, spec.output_shape((9, 9)))
    tview = axis_blocks(T, known=known, transpose=True, max_rows=5, max_cols=3)
    assert {name for name, _ in tview.blocks} == {r"A_{1}^{\top}", r"A_{2}^{\top}", r"A_{0}^{\top}"}
    cells = [row.replace(r"\begin{bmatrix} ", "").replace(r" \end{bmatrix}", "").split(" & ")
             for row in view.pattern.split(r" \\ ")]
    tcells = [row.replace(r"\begin{bmatrix} ", "").replace(r" \end{bmatrix}", "").split(" & ")
              for row in tview.pattern.split(r" \\ ")]
    for r in range(3):  # T's window of blocks is M's transposed, block by block
        for c in range(5):
            mine, theirs = cells[r][c], tcells[c][r]
            assert theirs == ("0" if mine == "0" else mine + r"^{\top}"), (r, c, mine, theirs)
    one_d = ConvSpec(3)
    assert axis_blocks(conv_matrix(one_d, kernel_symbols(one_d), (5,))) is None


def test_sizes_in_words_are_typeset_as_products():
    assert text_latex("a 9x8 matrix, then 2x3x4") == r"a $9 \times 8$ matrix, then $2 \times 3 \times 4$"
    assert text_latex("x1 and 0x") == "x1 and 0x"


def test_the_markdown_of_a_2d_instance_shows_sizes_as_products():
    from symconv import prove_transpose

    markdown = prove_transpose(ConvSpec((3, 3), stride=2, padding=1), (9, 8)).to_markdown()
    assert r"$9 \times 8$" in markdown and "9x8" not in markdown and "5x4" not in markdown


def test_a_symbol_reads_the_meaning_of_its_kind_of_document():
    """Issue 18: P is the mode's padding in a padding-mode document, the weight gradient's y and i name no transposed
    convolution, q's polyphase clause only where the shift is used, and a tag's words ("relationship 12c") are no
    symbols."""
    from symconv.latex.notation import notation_used

    def meaning(text, symbol):
        return dict(notation_used(text)).get(symbol)

    assert "padding mode" in meaning(r"with replicate padding, $M = C P$", "P")
    assert "cropping" in meaning(r"$M = C P$", "P")
    gradient = r"$\partial \ell/\partial w[m] = \sum_i \delta[i]\, x[i]$, $y = \operatorname{conv}(x)$"
    assert "transposed" not in meaning(gradient, "y") and "transposed" not in meaning(gradient, "i")
    assert "polyphase" not in meaning(r"$n = k + s q$", "q")
    assert "polyphase" in meaning(r"$n = k + s q$, shift $(d m - t)/s$", "q")
    assert "c" not in dict(notation_used(r"\begin{align*} n &= 1 \tag*{relationship 12c} \end{align*}"))


def test_block_corners_off_the_band_are_vertical_dots():
    from symconv import ConvSpec, conv_matrix, kernel_symbols
    from symconv.latex.printing import band_latex

    spec = ConvSpec(3, stride=2, padding=1)
    text = band_latex(conv_matrix(spec, kernel_symbols(spec), (40,)), rows=2, cols=4)
    last = text.split(r"\\")[-1]
    assert last.strip().split("&")[-1].strip().startswith(r"\ddots")  # bottom right, on the band's diagonal
