"""Every document the package and the derivations produce, compiled and read as a reader would.

For each document: pdflatex exits 0; its log has no Overfull or Underfull
``\\hbox``; ``pdffonts`` lists no Type 3 (bitmap) font; and the text that
``pdftotext`` extracts has no program text (``*``, ``<=``, ``>=``, ``!=``,
``<->``, ``^``, ``_`` as characters): every formula reached the page as
mathematics.  TeX and poppler-utils are optional locally (the test skips with
the reason) and required in CI.
"""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess

import numpy as np
import pytest

from symconv import cli

DERIVATIONS = pathlib.Path(__file__).resolve().parent.parent / "derivations"

COMMANDS = {
    "default": [],
    "general_1d": ["--general"],
    "general_2d": ["--general", "--kernel", "3,3"],
    "grouped_2d": ["--kernel", "3,3", "--stride", "2", "--padding", "1:2,0", "--dilation", "2,1", "--in-channels", "4",
                   "--out-channels", "2", "--groups", "2", "--input", "9,8"],
    "instance_3d": ["--kernel", "2,2,2", "--stride", "2", "--padding", "1", "--input", "4,4,4"],
    "transposed": ["--transposed", "--kernel", "2", "--stride", "1", "--dilation", "3", "--padding", "0",
                   "--output-padding", "2", "--input", "4"],
    "adjoint": ["--identity", "adjoint", "--kernel", "2,2", "--stride", "2", "--in-channels", "2", "--out-channels", "2",
                "--groups", "2", "--input", "4,4"],
    "gradient": ["--identity", "gradient", "--kernel", "3", "--stride", "2", "--input", "5"],
    "sizes": ["--identity", "sizes"],
    "weight_gradient_general": ["--identity", "weight-gradient", "--general"],
    "weight_gradient": ["--identity", "weight-gradient", "--kernel", "3", "--stride", "2", "--input", "7"],
    "padding_circular": ["--padding-mode", "circular", "--kernel", "3", "--stride", "2", "--padding", "2", "--input", "6"],
    "padding_reflect_general": ["--padding-mode", "reflect", "--general"],
    "padding_replicate": ["--padding-mode", "replicate", "--kernel", "2,3", "--stride", "1,2", "--padding", "2,1:2",
                          "--input", "4,5"],
    "gram": ["--identity", "gram", "--kernel", "3,3", "--stride", "2", "--padding", "1", "--input", "6,7",
             "--in-channels", "4", "--out-channels", "2", "--groups", "2"],
    "gram_general": ["--identity", "gram", "--general"],
    "overlap": ["--identity", "overlap", "--transposed", "--kernel", "3,4", "--stride", "2", "--padding", "0",
                "--input", "5,5"],
    "overlap_1d": ["--identity", "overlap", "--transposed", "--kernel", "4", "--stride", "3", "--padding", "2",
                   "--dilation", "2", "--input", "6"],
    "overlap_general": ["--identity", "overlap", "--general"],
    "overlap_general_2d": ["--identity", "overlap", "--general", "--kernel", "3,3"],
    "polyphase": ["--identity", "polyphase", "--kernel", "4,3", "--stride", "2,3", "--padding", "1", "--in-channels", "2",
                  "--out-channels", "2", "--groups", "2", "--input", "5,4"],
    "polyphase_general_2d": ["--identity", "polyphase", "--general", "--kernel", "3,3"],
}

PROGRAM_TEXT = re.compile(r"\*|<=|>=|!=|<->|\^(?=[\w({\-−])|_")
"""Program spellings: a product star, ASCII comparisons, a caret raising to a power (``M^T``, ``2^-60``), an
underscore.  A caret followed by a space or the end of a line is an accent that pdftotext extracts from a
figure's mathtext (``\\hat{x}`` comes out as ``x^``), not an exponent."""


def _package_identifiers() -> set[str]:
    """Names of the package's own code: its modules, and the functions and classes they define.

    Built from the modules themselves, so the check grows with the package.  Only names that cannot be
    English words on a page are kept: those with an underscore or a digit, or mixed case.
    """
    import importlib
    import inspect
    import pkgutil

    import symconv

    names = set()
    for info in pkgutil.walk_packages(symconv.__path__, "symconv."):
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional dependency (matplotlib, ...) missing
            continue
        names.add(info.name.rsplit(".", 1)[-1])
        for name, value in vars(module).items():
            if (inspect.isfunction(value) or inspect.isclass(value)) and getattr(value, "__module__", "") == info.name:
                names.add(name.strip("_"))
    return {n for n in names if re.search(r"_|\d|[a-z][A-Z]", n) and len(n) > 2}


IDENTIFIERS = _package_identifiers()
CALLS = re.compile(r"\b[A-Za-z_]\w*\(\)|\b(?:len|range|int|str|abs|sorted|round)\(")
GREEK_SPELLED = re.compile(r"\b(?:gamma|alpha|delta|sigma|lambda|theta|epsilon)\w*", re.IGNORECASE)
HYPHEN_MINUS = re.compile(r"(?<![A-Za-z0-9])-\d|[\[(,=]\s?-\d")
REPEAT_LIMIT = 2


def read_page_text(text: str) -> list[str]:
    """What a reader would object to in the extracted text of a document (an empty list when nothing)."""
    problems = [f"program text: {line}" for line in text.splitlines() if PROGRAM_TEXT.search(line)]
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    problems += [f"identifier of the package's code: {w}" for w in sorted(words & IDENTIFIERS)]
    problems += [f"a call in program syntax: {m}" for m in CALLS.findall(text)]
    problems += [f"a Greek letter spelled out: {m}" for m in GREEK_SPELLED.findall(text)]
    problems += [f"a hyphen-minus before a digit: {text[max(0, m.start() - 20):m.end() + 5]!r}"
                 for m in HYPHEN_MINUS.finditer(text)]
    flat = re.sub(r"\s+", " ", text)
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", flat) if len(s.strip()) > 40]
    counts: dict[str, int] = {}
    for s in sentences:
        counts[s] = counts.get(s, 0) + 1
    problems += [f"a sentence repeated {n} times: {s[:80]}" for s, n in counts.items() if n > REPEAT_LIMIT]
    for match in re.finditer(r"Theorem \d+ \(", text):
        following = flat_after(text, match.end())
        if not re.search(r"\(H1\)|\bLet\b|\bFor (?:all|every|the)\b|\bIf\b|\bWhen\b|\bwith\b", following):
            problems.append(f"a theorem without hypotheses: {following[:80]}")
    return problems


CHAIN = re.compile(r"(?:Proof|Refutation)\.(.*?)(?=Each line is justified|The claim is refuted|Lemma \d+\.\d+ \()", re.S)
"""A proof's chain on the page: from its head to the sentence after it (or to the first lemma's statement)."""


def lemma_order_problems(text: str) -> list[str]:
    """The chains whose lemmas are not numbered in the order the chain first cites them (Lemma 1 justifies the
    first line, ...), read from the page text as ``pdftotext -layout`` extracts it (each tag on its line)."""
    problems = []
    for match in CHAIN.finditer(text):
        first: list[tuple[int, int]] = []
        for theorem, lemma in re.findall(r"Lemma (\d+)\.(\d+)", match.group(1)):
            if (int(theorem), int(lemma)) not in first:
                first.append((int(theorem), int(lemma)))
        if first != sorted(first):
            problems.append("lemmas cited out of order in a chain: " + ", ".join(f"{a}.{b}" for a, b in first))
    return problems


def flat_after(text: str, start: int, size: int = 600) -> str:
    return re.sub(r"\s+", " ", text[start:start + size])


def check_pdf(directory: pathlib.Path, stem: str, pdflatex: str, pdffonts: str, pdftotext: str) -> str:
    source = (directory / f"{stem}.tex").read_text(errors="replace")
    runs = 2 if re.search(r"\\(ref|eqref|pageref|cite)\{", source) else 1  # a reference resolves on the second run
    for _ in range(runs):
        result = subprocess.run([pdflatex, "-no-shell-escape", "-halt-on-error", "-interaction=nonstopmode",
                                 f"{stem}.tex"], cwd=directory, capture_output=True, text=True, errors="replace",
                                timeout=300)
        if result.returncode:
            break
    log = (directory / f"{stem}.log").read_text(errors="replace")
    assert result.returncode == 0, [line for line in log.splitlines() if line.startswith("!")][:3]
    boxes = [line for line in log.splitlines() if re.match(r"(Overfull|Underfull) \\[hv]box", line)]
    assert not boxes, boxes[:5]
    fonts = subprocess.run([pdffonts, f"{stem}.pdf"], cwd=directory, capture_output=True, text=True, timeout=60)
    assert fonts.returncode == 0 and "Type 3" not in fonts.stdout, fonts.stdout
    text = subprocess.run([pdftotext, "-enc", "UTF-8", f"{stem}.pdf", "-"], cwd=directory, capture_output=True,
                          text=True, timeout=60).stdout
    problems = read_page_text(text)
    assert not problems, problems[:5]
    # the page as laid out (a chain's tags on their lines): each chain cites its lemmas in increasing order
    laid_out = subprocess.run([pdftotext, "-layout", "-enc", "UTF-8", f"{stem}.pdf", "-"], cwd=directory,
                              capture_output=True, text=True, timeout=60).stdout
    order = lemma_order_problems(laid_out)
    assert not order, order
    assert "??" not in text, "an unresolved reference on the page"
    return text


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_documents_are_typeset(name, tmp_path, capsys, pdflatex, pdffonts, pdftotext):
    code = cli.main(["prove", *COMMANDS[name], "-o", str(tmp_path / f"{name}.tex")])
    assert code == 0, capsys.readouterr().err
    check_pdf(tmp_path, name, pdflatex, pdffonts, pdftotext)


@pytest.mark.parametrize("name", sorted(p.stem for p in DERIVATIONS.glob("*.tex")))
def test_derivations_are_typeset(name, tmp_path, pdflatex, pdffonts, pdftotext):
    shutil.copy(DERIVATIONS / f"{name}.tex", tmp_path)
    shutil.copytree(DERIVATIONS / "figures", tmp_path / "figures")
    check_pdf(tmp_path, name, pdflatex, pdffonts, pdftotext)


@pytest.mark.parametrize("text, bad", [
    ("w0 x1 + w1 x2", False), ("s*i - p_l", True), ("0 <= j", True), ("M^T", True), ("0 <-> k", True),
    ("a != b", True), ("a ≤ b, ⟨x, T y⟩", False), ("2^-60", True), ("x^(n)", True), ("x^ (output)", False),
    ("^ = 3 · 2", False),
])
def test_the_program_text_pattern(text, bad):
    assert bool(PROGRAM_TEXT.search(text)) is bad


def _broken_formulas():
    import types

    import symconv.formulas as F

    broken = types.SimpleNamespace(**{name: getattr(F, name) for name in F.__all__})
    broken.flip_tap = lambda m, k: k - m  # the classic off-by-one of the flip
    broken.LATEX_NAMES = F.LATEX_NAMES
    return broken


def test_a_failed_proof_reads_as_a_refuted_claim(tmp_path, pdflatex, pdffonts, pdftotext):
    from symconv import prove_transpose_general

    proof = prove_transpose_general(1, formulas=_broken_formulas())
    assert not proof.holds
    step = proof.failed_step
    number = proof.steps.index(step) + 1
    text = proof.to_document()
    assert r"\begin{refuted}" in text and r"\begin{theorem}" not in text
    assert r"\begin{proof}" not in text  # no proof environment, so no end-of-proof mark
    assert r"&\neq" in text and r"refuted}" in text  # the refuted line of the chain reads with the inequality sign
    # the chain's lines carry no numbers: the failure names the lemma by its number and name (issue 18)
    assert rf"Lemma~\thetheorem.{number} ({step.name}) fails" in text and "for example at" in text
    assert "of the proof) fails" not in text
    assert r"\operatorname{flip}(m, k) &= k - m" in text  # the definition shown is the one that ran, not a cache
    # the flip that ran reads w[k]: the claim says how the kernel reads outside its taps before it is used
    claim = text.split(r"\begin{refuted}")[1].split(r"\end{refuted}")[0]
    assert r"be a kernel, read as $w[u] = 0$ for $u$ outside $0 \le u < k$," in claim
    # the counterexample is small and inside the theorem's ranges
    values = step.counterexample
    assert max(abs(v) for v in values.values()) <= 4, values
    assert values["k"] >= 1 and values["s"] >= 1 and values["d"] >= 1 and values["n_in"] >= 1
    (tmp_path / "failed.tex").write_text(text)
    page = check_pdf(tmp_path, "failed", pdflatex, pdffonts, pdftotext)
    assert "Claim 1 (refuted):" in page and "Theorem 1" not in page and "Refutation." in page
    assert "Claim (refuted) 1" not in page  # numbered like its lemmas (1.x), before the verdict
    markdown = proof.to_markdown()
    assert markdown.startswith("## Conventions") and "\n\n## Claim (refuted)" in markdown and "### Refutation" in markdown and "Counterexample:" in markdown


def _ends_of_the_claim(F, values, weights):
    """T and C_flip P Z of the 1-D theorem at concrete sizes, built here as explicit matrices from ``F`` (the
    formulas that ran), independently of the prover's search."""
    n, k, s, d, pl, pr, a = (values[x] for x in ("n_in", "k", "s", "d", "p_l", "p_r", "a"))
    n_t = F.transposed_output_size(n, k, s, pl, pr, d, a)
    T = np.zeros((n_t, n), dtype=np.int64)
    for i in range(n):
        for m in range(k):
            j = F.tap_position(i, m, s, pl, d)
            if 0 <= j < n_t:
                T[j, i] += weights[m]
    n_z0, left = F.zero_inserted_size(n, s), F.gather_padding_left(k, pl, d)
    n_z = n_z0 + left + F.gather_padding_right(k, pr, d, a)
    Z = np.zeros((n_z0, n), dtype=np.int64)
    for i in range(n):
        Z[F.zero_insertion_position(i, s), i] = 1
    P = np.zeros((n_z, n_z0), dtype=np.int64)
    for t in range(n_z0):
        if 0 <= F.padded_position(t, left) < n_z:
            P[F.padded_position(t, left), t] = 1
    n_c = F.conv_output_size(n_z, k, 1, 0, 0, d)
    C = np.zeros((n_c, n_z), dtype=np.int64)
    for j in range(n_c):
        for mp in range(k):
            tap = F.flip_tap(mp, k)
            if 0 <= tap < k:  # w[u] = 0 outside the kernel
                C[j, F.tap_position(j, mp, 1, 0, d)] += weights[tap]
    return T, C @ P @ Z


def test_a_refuted_general_claim_is_refuted_by_a_counterexample_to_the_claim():
    """A failed lemma refutes the proof, not the claim: the refutation is a counterexample to T = C_flip P Z itself
    (checked here with explicit matrices), the failing lemma is where the proof breaks, and the other part of the
    claim, which rests on lemmas that hold, is not said to be false (issue 18)."""
    from symconv import prove_transpose_general

    broken = _broken_formulas()
    proof = prove_transpose_general(1, formulas=broken)
    found = proof.data["refutation"]
    assert found is not None
    T, CPZ = _ends_of_the_claim(broken, found["values"], [3, 5, 7, 11])
    assert T.shape != CPZ.shape or not np.array_equal(T, CPZ), (T, CPZ)
    text = proof.to_document()
    verdict = text[text.index(r"\textbf{The claim is refuted:}"):].split("\n", 1)[0]
    assert "it fails at $n_{\\mathrm{in}} = " in verdict and r"\neq" in verdict
    assert r"(C_{\mathrm{flip}} P Z)[" in verdict and verdict.index(r"\neq") < verdict.index("The proof breaks")
    assert r"The proof breaks where Lemma~\thetheorem.5 (flip) fails" in verdict
    assert r"The other part of the claim, $T = (S M)^{\top}$, is not refuted" in verdict
    assert r"\title{Refuted claim: " in text  # the title does not assert what the document refutes
    # the refuted lemma names each of its false claims (two of four), with its counterexample
    assert r"of its 4 claims, ``the flip used is PyTorch's (it reverses the taps)'' is false" in text
    assert r"and ``the flip maps taps to taps'' is false, for example at $k = 1$, $m' = 0$" in text
    assert r"\text{ that is } k - m' = 1 \ge k = 1" in text  # the false part of a range, with its numbers
    assert "sat for a refuted claim" in text  # the SMT-LIB note is true of the refuted claims


def test_a_failed_proof_without_a_counterexample_does_not_refute_its_claim(monkeypatch):
    """With the group of a channel computed by remainder, the 2-D proof fails at its pinning claim, but the claim
    as stated (with the floor) has no counterexample: the document says the proof fails, not that the claim is
    false."""
    import symconv.formulas as F
    from symconv import prove_transpose_general

    monkeypatch.setattr(F, "channel_group", lambda c, per_group: c % per_group)
    proof = prove_transpose_general(2)
    assert not proof.holds and proof.data["refutation"] is None
    text = proof.to_document()
    assert r"\begin{unproved}" in text and r"\begin{refuted}" not in text and "The claim is refuted" not in text
    assert r"\textbf{The proof fails:}" in text and "so the claim is not refuted" in text
    assert r"\title{Unproved claim: " in text



@pytest.mark.parametrize("text, problem", [
    ("the group gammap of c", "Greek"), ("read at len(z) positions", "call"), ("T = transpose()", "call"),
    ("weights [-1239850262, 3]", "hyphen-minus"), ("x = prove_transpose_general", "program text"),
    ("the executed conv_matrix", "program text"), ("k = −1 and 2−1", None), ("the 2-D layer, rows 0–3", None),
])
def test_the_page_reader_finds_what_a_reader_objects_to(text, problem):
    found = read_page_text(text)
    assert (problem is None and not found) or (problem is not None and any(problem in p for p in found)), found


def test_the_page_reader_finds_repeated_sentences_and_theorems_without_hypotheses():
    sentence = "Also evaluated exactly at 50 random instances (an extra check, not the proof). "
    assert any("repeated 3 times" in p for p in read_page_text(sentence * 3))
    assert not read_page_text(sentence * 2)
    assert any("without hypotheses" in p for p in read_page_text("Theorem 1 (Overlap). The overlap counts."))
    assert not read_page_text("Theorem 1 (Overlap). For the layer below, the counts are periodic.")


def test_the_page_reader_finds_lemmas_cited_out_of_order():
    chain = "Proof.\n(T y)[j] = a  definition, Lemma 1.1\n= b  sift, Lemma 1.3\n= c  phases, Lemma 1.2\nEach line is justified"
    assert any("out of order" in p for p in lemma_order_problems(chain))
    assert not lemma_order_problems(chain.replace("1.3", "1.x").replace("1.2", "1.3").replace("1.x", "1.2"))
    two = "Proof. The chain of Theorem 1 holds. Then: x = y  Lemma 2.1\n y = z  Lemma 2.2\nEach line is justified"
    assert not lemma_order_problems(two)


@pytest.mark.parametrize("name", ["general_1d", "general_2d", "default", "weight_gradient", "adjoint"])
def test_compiled_chains_cite_their_lemmas_in_increasing_order(name, tmp_path, capsys, pdflatex, pdffonts,
                                                               pdftotext):
    """Read from the compiled page (pdftotext): the lemma numbers of each chain rise with their first citation."""
    code = cli.main(["prove", *COMMANDS[name], "-o", str(tmp_path / f"{name}.tex")])
    assert code == 0, capsys.readouterr().err
    check_pdf(tmp_path, name, pdflatex, pdffonts, pdftotext)
    text = subprocess.run([pdftotext, "-layout", "-enc", "UTF-8", f"{name}.pdf", "-"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60).stdout
    chains = CHAIN.findall(text)
    assert chains and all(re.search(r"Lemma \d+\.\d+", c) for c in chains)
    cited = [int(n) for n in re.findall(r"Lemma 1\.(\d+)", chains[0])]
    firsts = list(dict.fromkeys(cited))
    assert firsts == sorted(firsts) and firsts[0] == 1, firsts


def test_a_side_fact_displayed_after_its_chain_is_numbered_after_it():
    """The parametric polyphase proof displays its phase fact after the chain: it is the chain's last lemma."""
    from symconv import prove_polyphase_general

    tex = prove_polyphase_general(1).to_document()
    proof = tex[tex.index(r"\begin{proof}"):tex.index(r"\end{proof}")]
    cited = [int(n) for n in re.findall(r"Lemma~\\thetheorem\.(\d+)", proof)]
    firsts = list(dict.fromkeys(cited))
    assert firsts == sorted(firsts), firsts


def test_identifiers_are_read_from_the_package():
    assert {"conv_matrix", "prove_transpose_general", "tap_position"} <= IDENTIFIERS


@pytest.mark.parametrize("mutation", ["flip removed in the gather view", "+p_l instead of -p_l",
                                      "channel group by remainder"])
def test_documents_of_mistaken_formulas_read_as_refuted_claims(mutation, monkeypatch, tmp_path, pdflatex, pdffonts,
                                                              pdftotext):
    from test_mutations import CATALOG, _apply

    from symconv import prove_transpose, prove_transpose_general

    _apply(monkeypatch, mutation)
    _, configs, dims = CATALOG[mutation]
    proofs = [prove_transpose(tspec, shape) for tspec, shape in configs[:1]]
    proofs += [prove_transpose_general(ndim) for ndim in dims[-1:]]
    assert proofs
    for number, proof in enumerate(proofs):
        assert not proof.holds
        text = proof.to_document()
        # the channel group by remainder breaks the 2-D proof's pinning claim, but the claim as stated (with the
        # floor) has no counterexample: its document says that the proof fails, not that the claim is false
        refuted = not (mutation == "channel group by remainder" and number == len(proofs) - 1)
        env, words = ("refuted", "refuted") if refuted else ("unproved", "not proved")
        assert rf"\begin{{{env}}}" in text and r"\begin{proof}" not in text and r"\neq" in text
        stem = f"refuted{number}"
        (tmp_path / f"{stem}.tex").write_text(text)
        page = check_pdf(tmp_path, stem, pdflatex, pdffonts, pdftotext)
        assert f"Claim 1 ({words}):" in page and f"Claim ({words}) 1" not in page and "is refuted" in page



def test_a_failed_instance_document_shows_what_ran(monkeypatch, tmp_path, pdflatex, pdffonts, pdftotext):
    import symconv.formulas as F
    from symconv import ConvSpec, prove_transpose

    monkeypatch.setattr(F, "gather_padding_left", lambda k, p_l, d: d * (k - 1) - p_l + 1)
    proof = prove_transpose(ConvSpec((3, 3), stride=2, padding=((1, 2), (0, 0)), dilation=(2, 1), in_channels=4,
                                     out_channels=2, groups=2), (9, 8))
    assert not proof.holds
    text = proof.to_document()
    assert r"\begin{refuted}" in text and r"\begin{proof}" not in text and r"&\neq" in text
    definitions = text[text.index(r"\subsection*{Definitions}"):text.index(r"\subsection*{Matrices}")]
    assert r"p'_{l}(k, p_{l}, d) &=" in definitions and "+ 1" in definitions.split(r"p'_{l}(k, p_{l}, d) &=")[1].split(r"\\")[0]
    (tmp_path / "failed_instance.tex").write_text(text)
    subprocess.run([pdflatex, "-no-shell-escape", "-interaction=nonstopmode", "failed_instance.tex"], cwd=tmp_path,
                   capture_output=True, timeout=300)  # the first run writes the references the second reads
    page = check_pdf(tmp_path, "failed_instance", pdflatex, pdffonts, pdftotext)
    assert "??" not in page and "∎" not in page and "Error" not in page
    # what the checker found is said once, in the verdict; the refuted lemma points there (issue 18: no repeats)
    refuted = page[page.index("The claim is refuted"):][:300]
    assert "shapes differ" in refuted and "×" in refuted and not re.search(r"\(\d+, \d+\)", refuted), refuted
    assert page.count("shapes differ") == 1 and "is refuted: the verdict above says where" in page


def test_a_large_2d_document_shows_its_block_structure(tmp_path, capsys, pdflatex, pdffonts, pdftotext):
    code = cli.main(["prove", "--kernel", "3,3", "--stride", "2", "--padding", "1", "--in-channels", "4",
                     "--out-channels", "4", "--groups", "2", "--input", "32,32", "-o", str(tmp_path / "large.tex")])
    assert code == 0, capsys.readouterr().err
    text = (tmp_path / "large.tex").read_text()
    assert r"M_{0,0} = \begin{bmatrix} A_{1} & A_{2} & 0" in text  # block Toeplitz along the first axis
    assert r"A_{1}^{\top}" in text and "with the blocks of $M$ transposed" in text
    assert r"M_{0,1} & 0" in text  # the zero channel blocks outside the groups
    page = check_pdf(tmp_path, "large", pdflatex, pdffonts, pdftotext)
    assert "In blocks along the first spatial axis" in page


def test_a_refuted_claims_row_shows_its_denial_and_no_witness():
    """In a failed parametric proof the refuted claim's row reads 'Refuted: at ..., lhs ≠ rhs', without the
    'hypotheses met at' of a proved claim; the checker is named once in the appendix head, not in a column."""
    from symconv import prove_transpose_general

    proof = prove_transpose_general(1, formulas=_broken_formulas())
    text = proof.to_document()
    appendix = text[text.index(r"{Checked claims}"):]
    refuted = [line for line in appendix.splitlines() if r"\textbf{Refuted}" in line]
    assert refuted and all("hypotheses met at" not in line for line in refuted), refuted
    # the flip's range claim 0 <= k - m' < k is denied at the counterexample as k - m' < 0 or k - m' >= k
    assert any(r"k - m' < 0 \;\vee\; k - m' \ge k" in line or r"k - m' \ge k \;\vee\; k - m' < 0" in line
               for line in refuted), refuted
    assert any(r"\neq" in line for line in refuted)  # an equation is denied with the inequality sign
    # and its two sides are evaluated at the counterexample by the formulas that ran (the broken flip)
    assert any(re.search(r"\\text\{ that is \} -?\d+ \\neq -?\d+", line) for line in refuted), refuted
    assert r"\emph{checker}" not in appendix and "& z3" not in appendix
    assert "Checked} by z3" not in text  # the tables are pointed to once, not per lemma


def test_the_general_documents_state_the_nd_theorem_and_name_the_smtlib_option():
    from symconv import prove_transpose_general

    one, two = prove_transpose_general(1).to_document(), prove_transpose_general(2).to_document()
    for text in (one, two):
        assert r"\texttt{-{}-smtlib FILE}" in text
        assert "hypotheses met at $s = 0$" not in text and "$d = 0$" not in text
        assert r"n_{T}\left(n_{\mathrm{in}}, k, s, p_{l}, p_{r}, d, a\right) = n_{T}" not in text  # no tautology shown
    statement = two[two.index(r"\begin{theorem}"):two.index(r"\end{theorem}")]
    assert "on every axis" in statement and r"C_{\mathrm{in}} = g c_i" in statement and "(H5)" in statement
    assert r"\tilde w[c, o_l, m]" in statement and "Let $n_{\\mathrm{in}}" not in statement  # not the 1-D text again


def test_the_smtlib_option_writes_the_claims(tmp_path):
    code = cli.main(["prove", "--general", "-o", str(tmp_path / "g.tex"), "--smtlib", str(tmp_path / "g.smt2")])
    assert code == 0
    script = (tmp_path / "g.smt2").read_text()
    assert script.count("(check-sat)") == 2 * len(__import__("symconv").prove_transpose_general(1).claims)
    code = cli.main(["prove", "-o", str(tmp_path / "i.tex"), "--smtlib", str(tmp_path / "i.smt2")])
    assert code != 0 and not (tmp_path / "i.smt2").exists()  # an instance proof has no solver claims


def test_no_chain_line_has_identical_sides_and_no_display_repeats():
    """A line "(5) = (5)" says nothing, and a chain's display printed again as the start of another chain is
    the same display twice: neither occurs in the derivations."""
    for path in sorted(DERIVATIONS.glob("*.tex")):
        text = path.read_text()
        for block in re.findall(r"\\begin\{align\*\}(.*?)\\end\{align\*\}", text, re.S):
            sides = []
            for line in block.split("\\\\\n"):
                body = re.sub(r"\\tag\*\{.*", "", line, flags=re.S).strip()
                if "&=" in body:
                    left, right = (part.strip() for part in body.split("&=", 1))
                    assert not left or left != right, (path.name, body[:80])
                    assert not left or left not in sides, (path.name, "a display printed twice", left[:80])
                    sides.append(right)



def test_a_side_fact_does_not_break_the_chain():
    """In the polyphase proof the phases lemma (j = il(...)) sits between the definition and the sift: the chain
    goes on through it, so the definition's sum is displayed once, not again at the head of a second chain."""
    from symconv import prove_polyphase_general

    text = prove_polyphase_general(1).to_document()
    proof = text[text.index(r"\begin{proof}"):text.index(r"\end{proof}")]
    definition = re.search(r"\(T y\)\\left\[j\\right\] &= (.*?) \\tag", proof).group(1)
    assert proof.count(definition) == 1


# -- issue 18, after review: general documents ---------------------------------------------------------------

def test_general_heads_have_no_double_parentheses_and_one_meaning_per_symbol():
    """Theorem heads: "(… — 2-D, all sizes)", never "(…(…))"; the N-D claims use flat(α, β, B) as the Definitions
    do (q and r are the quotient and remainder by the stride, γ's group size is b), the axis index is ν, f_ν is
    defined, the separability line is the flat equation (not a tautology of tuples), and the axes are numbered 1, 2."""
    from symconv import prove_transpose_general

    tex = prove_transpose_general(2).to_document()
    heads = re.findall(r"\\begin\{(?:theorem|refuted)\}\[([^\]]*)\]", tex)
    assert heads and all(not h.endswith("))") and ")" not in h for h in heads), heads
    assert r"\operatorname{flat}\left(\alpha, \beta, B\right)" in tex and r"\operatorname{flat}\left(q, r, B\right)" not in tex
    assert r"\operatorname{grp}(c, b) = \lfloor c / b \rfloor" in tex and r"\operatorname{grp}(c, q)" not in tex and r"\gamma(c" not in tex
    # the axes' sizes are the transposed output lengths of the theorem, n_T^{(nu)}, not an undefined n_nu
    assert r"\left[n_T^{(2)} j_{1} + j_{2} = n_T^{(2)} f_{1} + f_{2}\right] &= \left[j_{1} = f_{1}\right]" in tex
    assert "n_{2}" not in tex and r"n_\nu" not in tex
    assert r"\left(j_{1}, j_{2}\right) = \left(f_{1}, f_{2}\right)" not in tex
    assert r"axes $\nu = 1, 2$" in tex and "axes $q =" not in tex
    assert r"$f_\nu = s i_\nu + d m_\nu - p_{l}$" in tex
    assert "j_{1}" in tex and "j_{0}" not in tex and "f_{0}" not in tex
    assert "Lemma~\\thetheorem.$q$" not in tex


def test_general_claims_are_not_vacuous_restatements():
    """No claim whose conclusion is its own hypothesis or an identity of the Definitions (issue 18, defect 3)."""
    from symconv import prove_transpose_general

    proof = prove_transpose_general(2)
    tex = proof.to_document()
    assert r"\operatorname{pad}\left(t, p'_{l}\right) - p'_{l} = t" not in tex
    assert "c = c \\wedge" not in tex and "\\left(c = c" not in tex
    for step in proof.steps:
        for claim in step.claims:
            assert not any(h == claim.conclusion for h in claim.hypotheses), claim.name
            parts = claim.conclusion.args if hasattr(claim.conclusion, "args") else ()
            if type(claim.conclusion).__name__ == "And":
                assert not set(parts) & set(claim.hypotheses), claim.name  # no conjunct repeats a hypothesis
    assert "check that the function evaluated computes the formula stated" in tex
    assert "the program ran" not in tex and "Reproducing the checks" in tex  # tool text only in that paragraph


def test_failed_general_proof_says_what_the_solver_did(monkeypatch):
    """A refutation's appendix does not say "z3 proved each claim"; the failure names the lemma, not a "line";
    the refuted size claim gives its two sides' values (n_z evaluated)."""
    import symconv.formulas as F
    from symconv import prove_transpose_general

    monkeypatch.setattr(F, "gather_padding_left", lambda k, p_l, d: d * (k - 1) - p_l + 1)
    tex = prove_transpose_general(1).to_document()
    assert "proved each claim" not in tex and "checked each claim" in tex
    assert "of the proof) fails" not in tex and r"Lemma~\thetheorem.6 (convolution) fails" in tex
    size_row = next(line for line in tex.splitlines() if line.startswith(r"\emph{output lengths agree}"))
    assert r"\text{ that is } 2 \neq 1" in size_row


def test_conventions_say_how_the_layer_pads():
    """Zero padding only where it is the layer's mode; the index is s i + d m - p_l, as in the theorems."""
    from symconv.latex.documents import conventions
    from symconv.latex.reading import _padding_mode_of

    assert "with zeros" in conventions("zeros") and "s i + d m - p_{l}" in conventions("zeros")
    assert "zeros" not in conventions("reflect") and "reflection" in conventions("reflect")
    assert "circularly" in conventions("circular")
    with pytest.raises(ValueError, match="padding_mode"):
        conventions("mirror")

    class Proof:
        data = {"mode": "reflect"}

    assert _padding_mode_of(Proof()) == "reflect"


def test_weight_gradient_documents_state_padding_and_the_first_k_outputs():
    from symconv import ConvSpec, prove_weight_gradient, prove_weight_gradient_general

    general = prove_weight_gradient_general()
    assert "the layer's padding, $p_{l}$ on the left and $p_{r}$ on the right" in general.statement
    instance = prove_weight_gradient(ConvSpec(3, stride=2, padding=1), (5,))
    tex = instance.to_document()
    assert "$(1)$" not in tex and "((1, 1))" not in tex
    assert "padding $1$ on both sides" in tex or "padding, $1$ on both sides" in tex
    assert r"\bigr)[m]" in tex and r"(stride $1$, dilation $2$, padding $1$ on both sides)" in tex
    assert r"\text{for } 0 \le m < k" in tex and r"\frac{\partial \ell}{\partial w[m]} &= \sum_{i=0}^{2}" in tex


def test_chain_tags_keep_the_name_when_a_line_is_wide():
    """Every tag keeps the lemma's name (readers lost it on 2-D chains): a one-line chain whose wide left side would
    push the tags past the margin is set in a display of its own instead of sharing the others' column."""
    from symconv import ConvSpec, prove_transpose

    for spec, shape in ((ConvSpec((3, 3), stride=2, padding=1, in_channels=4, out_channels=4, groups=2), (32, 32)),
                        (ConvSpec((3, 3), stride=2, padding=1, padding_mode="circular"), (5, 5))):
        tex = prove_transpose(spec, shape).to_document()
        tags = re.findall(r"\\tag\*\{([^}]*)\}", tex)
        assert tags and all(re.match(r"[^,]+, Lemma~", t) for t in tags), tags


def test_conventions_of_a_document_without_one_layer_name_no_single_mode():
    from symconv.latex.documents import conventions, document

    text = document("Several layers", "Body.")
    assert conventions(None, "Body.") in text and "unless the layer's padding mode" not in text  # decided from the body
    several = document("Several layers", r"Body $\tilde x$, reflect and zeros.")
    assert "unless the layer's padding mode" in several  # said only where another mode is named
    assert conventions("circular", "Body.") in document("One layer", "Body.", padding_mode="circular")
    assert "layouts" not in text and "layouts" in document("Layers", "channel $c$")  # only where there are channels


def test_claim_titles_state_mathematics_as_mathematics():
    """A claim's title is read out of context, in the appendix: its formulas are written as formulas ($...$), and
    no title reads as program text (m' = flip(m), src(j, m), "a < s" in prose, "interior: ...", "(witness c_l)")."""
    from symconv import prove_gram_general, prove_polyphase_general, prove_transpose_general
    from symconv.proofs.padding_modes import prove_padding_mode_general
    from symconv.proofs.weight_gradient import prove_weight_gradient_general

    program = re.compile(r"[=<>\[\]]|\w\(|\b[A-Za-z]'(?!s\b)|\(witness|^\w+:|\b\w+ [-+*/] \w")
    for bad in ("the same read at m' = flip(m)", "no extra rows exactly when a < s", "interior: the output exists",
                "a triple has residue 0 and output src(j, m)", "the shift is (d m - t)/s", "(witness c_l)"):
        assert program.search(bad), bad
    proofs = [prove_transpose_general(1), prove_transpose_general(2), prove_gram_general(1), prove_polyphase_general(1),
              prove_polyphase_general(2), prove_weight_gradient_general()]
    proofs += [prove_padding_mode_general(mode) for mode in ("reflect", "replicate", "circular")]
    for proof in proofs:
        for claim in proof.claims:
            parts = claim.name.split("$")
            assert len(parts) % 2 == 1, claim.name  # balanced: every formula closed
            prose = "".join(parts[0::2])
            assert not program.search(prose), (proof.title, claim.name)


def _notation_items(tex: str) -> list[str]:
    """The symbols of every Notation and Further notation section of a document, in order."""
    items = []
    for section in re.findall(r"\\subsection\*\{(?:Further n|N)otation\}(.*?)\\end\{list\}", tex, re.S):
        items += re.findall(r"\\item\[\$(.*?)\$\]", section)
    return items


@pytest.mark.parametrize("name", sorted(p.stem for p in DERIVATIONS.glob("*.tex")))
def test_notation_lists_each_symbol_once_in_one_spelling(name):
    """Across the theorem sections of a document, a symbol is explained once, in the prose's spelling (sympy's
    \\tilde{x} is the prose's \\tilde x)."""
    items = _notation_items((DERIVATIONS / f"{name}.tex").read_text())
    assert not any(r"\tilde{" in item for item in items), items
    assert len(items) == len(set(items)), sorted(i for i in items if items.count(i) > 1)


def test_the_randomized_identity_test_is_described_by_the_scheme_that_ran():
    """The appendix says what was drawn: independent trials print no paired-point glossary (S_w, N_w, ...), and a
    weight gradient, which draws no weights, says so."""
    from symconv import ConvSpec, prove_transpose, prove_weight_gradient
    from symconv.latex.checks import _randomized, _schemes_of

    tex = prove_transpose(ConvSpec(3, stride=2, padding=1), (5,)).to_document()
    described = re.search(r"\\item\[randomized identity\](.*)", tex).group(1)
    assert "Schwartz--Zippel" in described and "weights and the input were drawn" in described
    assert "S_w" not in described and r"\mathcal{S}_w" not in described and "paired" not in described
    tex = prove_weight_gradient(ConvSpec(3, stride=2), (7,)).to_document()
    described = re.search(r"\\item\[randomized identity\](.*)", tex).group(1)
    assert "no weights are drawn" in described and r"\mathcal{S}_w" not in described and "S_w" not in described
    assert _schemes_of("two weights drawn uniformly ... and two inputs ..., every weight on every input (four "
                       "evaluations); axis 1 alone: 2 trials with weights and inputs ...") == ["independent", "paired"]
    both = _randomized(("independent", "paired"))[1]
    assert "In each trial" in both and "At paired points ($N_w$ weights" in both and r"|\mathcal{S}_w|^{-N_w}" in both


def test_the_tables_sentence_names_only_lemmas_that_have_a_table():
    from symconv.proofs.overlap import prove_overlap_general

    import dataclasses

    proof = prove_overlap_general(2)
    # its last lemma checked by sympy alone (no table): the sentence names the others only
    steps = proof.steps[:-1] + (dataclasses.replace(proof.steps[-1], claims=()),)
    tex = dataclasses.replace(proof, steps=steps).to_document()
    assert "Table~\\thetheorem.5" not in tex
    tables = set(re.findall(r"\\textbf\{Table~\\thetheorem\.(\d+)\.\}", tex))
    sentence = re.search(r"\\medskip\\noindent (The claims of [^\n]*)", tex).group(1)
    assert "each lemma" not in sentence
    named = set(re.findall(r"\\thetheorem\.(\d+)", sentence.split(" are listed")[0]))
    assert named == tables and tables


def test_a_repeated_chain_says_plainly_what_was_checked():
    text = (DERIVATIONS / "theorem_general.tex").read_text()
    assert "proved again" not in text
    assert re.search(r"On each axis the chain of Theorem 1 holds with that axis's own parameters: its nine lemmas are "
                     r"statements about all parameters in the ranges of Theorem 1\. The \d+ claims of these lemmas, "
                     r"the same statements as Theorem 1's, were checked again by z3 when this theorem was proved", text)


def test_a_lemma_of_the_repeated_chain_is_cited_by_its_number_in_the_first_theorem():
    """Theorem 2 of theorem_general repeats Theorem 1's chain on each axis; its channel-blocks lemma cites the row
    selection lemma, which is Theorem 1's: it was cited as Lemma 2.0, a lemma that does not exist."""
    text = (DERIVATIONS / "theorem_general.tex").read_text()
    second = text.split(r"\begin{theorem}")[2]
    assert r"\thetheorem.0" not in text and "Lemma 0" not in text
    first = text.split(r"\begin{theorem}")[1]
    row_selection = re.search(r"\\tag\*\{row selection, Lemma~\\thetheorem\.(\d+);", first).group(1)
    assert f"(Lemma 1.{row_selection}, for that unit kernel)" in second


def test_a_wide_line_of_the_sizes_chain_keeps_its_tag_on_the_line():
    """Relationship 15 shared a display with a wide left column, and its tag fell onto a line of its own: it is set
    in a display of its own, its tag named."""
    from symconv.proofs.identities import prove_size_relations

    tex = prove_size_relations().to_document()
    display = next(d for d in re.findall(r"\\begin\{align\*\}.*?\\end\{align\*\}", tex, re.S)
                   if r"\tag*{relationship 15," in d)
    assert r"n_{z_0}\left(n', s\right), k, 1" not in display


def test_a_case_distinction_in_a_claims_cell_sits_on_its_own_line():
    from symconv.latex.appendix import _claim_cell
    from symconv.latex.claims import _Claim

    claim = _Claim("the map", "t", [], True, r"f(t) = \begin{cases} 0 & \text{for}\: t < 0 \\ t & \text{otherwise} "
                   r"\end{cases}", True, "", witness="$t = 0$")
    cell = _claim_cell(claim, "(H)")
    assert r"\newline\hspace*{1em}$f(t) = \begin{cases}" in cell and r"\newline{\small (hypotheses met" in cell
