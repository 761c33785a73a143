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
    "overlap": ["--identity", "overlap", "--transposed", "--kernel", "3,4", "--stride", "2", "--padding", "0",
                "--input", "5,5"],
}

PROGRAM_TEXT = re.compile(r"\*|<=|>=|!=|<->|\^|_")


def check_pdf(directory: pathlib.Path, stem: str, pdflatex: str, pdffonts: str, pdftotext: str) -> None:
    result = subprocess.run([pdflatex, "-no-shell-escape", "-halt-on-error", "-interaction=nonstopmode", f"{stem}.tex"],
                            cwd=directory, capture_output=True, text=True, errors="replace", timeout=300)
    log = (directory / f"{stem}.log").read_text(errors="replace")
    assert result.returncode == 0, [line for line in log.splitlines() if line.startswith("!")][:3]
    boxes = [line for line in log.splitlines() if re.match(r"(Overfull|Underfull) \\[hv]box", line)]
    assert not boxes, boxes[:5]
    fonts = subprocess.run([pdffonts, f"{stem}.pdf"], cwd=directory, capture_output=True, text=True, timeout=60)
    assert fonts.returncode == 0 and "Type 3" not in fonts.stdout, fonts.stdout
    text = subprocess.run([pdftotext, "-enc", "UTF-8", f"{stem}.pdf", "-"], cwd=directory, capture_output=True,
                          text=True, timeout=60).stdout
    bad = [line for line in text.splitlines() if PROGRAM_TEXT.search(line)]
    assert not bad, bad[:5]


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
    ("a != b", True), ("a ≤ b, ⟨x, T y⟩", False),
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


def test_a_failed_proof_shows_the_step_the_claim_and_the_counterexample(tmp_path, pdflatex, pdffonts, pdftotext):
    from symconv import prove_transpose_general

    proof = prove_transpose_general(1, formulas=_broken_formulas())
    assert not proof.holds
    step = proof.failed_step
    text = proof.to_document()
    number = proof.steps.index(step) + 1
    assert rf"\textbf{{Step {number}:" in text and r"\textbf{(does not hold)}" in text
    assert r"\textbf{(refuted)}" in text and "Counterexample:" in text
    assert r"\textbf{The proof does not hold:}" in text and "for example at" in text
    (tmp_path / "failed.tex").write_text(text)
    result = subprocess.run([pdflatex, "-no-shell-escape", "-halt-on-error", "-interaction=nonstopmode", "failed.tex"],
                            cwd=tmp_path, capture_output=True, text=True, errors="replace", timeout=300)
    assert result.returncode == 0
    markdown = proof.to_markdown()
    assert "(does not hold)" in markdown and "(refuted)" in markdown and "Counterexample:" in markdown
