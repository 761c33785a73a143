"""A document's glossary of checkers, Definitions and Conventions, read off the golden derivations (reading 8)."""

import pathlib
import re

import pytest

from symconv.latex.documents import conventions
from symconv.latex.notation import NOTATION

HERE = pathlib.Path(__file__).resolve().parent.parent / "derivations"


@pytest.mark.parametrize("name", ["gram", "seed_question"])
def test_each_sampling_scheme_that_ran_is_described_once_under_one_heading(name):
    text = (HERE / f"{name}.tex").read_text()
    assert text.count("How each lemma was checked") == 1
    # both schemes ran in these documents (paired points in one theorem, independent trials in another)
    assert text.count("drawn independently and uniformly") == 1
    assert text.count(r"at paired points ($N_w$ weights") == 1
    assert r"|\mathcal{S}_w|^{-N_w}" in text


def test_the_randomized_glossary_uses_letters_of_its_own():
    text = (HERE / "gram.tex").read_text()
    assert r"\sum_\varepsilon w_\varepsilon \lambda_\varepsilon(x)" in text and "e_c" not in text
    assert r"\item[$r$]" not in text  # r was the glossary's only: it is no longer in the Notation


def test_definitions_define_every_function_a_claim_uses():
    text = (HERE / "theorem_general.tex").read_text()
    defined = " ".join(re.findall(r"\\subsection\*\{(?:Further )?[Dd]efinitions\}(.*?)\\end\{align\*\}", text, re.S))
    for name in ("flat", "ins", "ch", "loc", "grp", "tap", "flip"):
        if rf"\operatorname{{{name}}}\left(" in text:
            assert rf"\operatorname{{{name}}}(" in defined, name


def test_the_conventions_position_is_a_letter_no_entry_of_the_notation_uses():
    text = conventions("zeros", body=r"channel $c$ and $\operatorname{conv}(x)$ on two spatial axes")
    assert r"\tilde x[\xi] = x[\xi]" in text and r"\tilde x[u]" not in text
    assert r"\xi" not in {symbol for symbol, _ in NOTATION}
    assert "k_1" not in text and "n_1" not in text and r"k^{(\nu)}" in text and r"n^{(\nu)}" in text


def test_no_entry_of_the_notation_holds_a_control_character():
    """A meaning written without a raw string turns ``\\v`` of ``\\varepsilon`` into a vertical tab (TeX fails)."""
    from symconv.latex.notation import VARIANTS

    texts = [part for entry in NOTATION for part in entry] + [part for entry in VARIANTS for part in entry]
    assert not [text for text in texts if any(ord(ch) < 32 for ch in text)]
