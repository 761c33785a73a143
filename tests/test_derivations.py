"""The worked derivations: the golden .tex files are exactly what the regeneration script builds.

Compiling them (no box warnings, vector fonts, no program text) is in tests/test_documents.py.
"""

import importlib
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent.parent / "derivations"


def load(name):
    sys.path.insert(0, str(HERE))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(HERE))


REGENERATE = load("regenerate")


def test_the_script_regenerates_every_derivation():
    scripts = {p.stem for p in HERE.glob("*.py")} - {"_common", "regenerate", "make_figures"}
    assert set(REGENERATE.NAMES) == scripts
    assert {p.stem for p in HERE.glob("*.tex")} == scripts


@pytest.mark.parametrize("name", REGENERATE.NAMES)
def test_regenerating_gives_the_golden_file(name):
    golden = (HERE / f"{name}.tex").read_text()
    assert load(name).build() == golden, f"derivations/{name}.tex is stale: run python derivations/regenerate.py"


def test_stale_files_are_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(REGENERATE, "HERE", tmp_path)  # an empty directory: every golden file is missing
    monkeypatch.setattr(REGENERATE, "build_all", lambda: {"arithmetic": "x"})
    assert REGENERATE.stale() == ["arithmetic"]
    (tmp_path / "arithmetic.tex").write_text("x")
    assert REGENERATE.stale() == []


def test_seed_figure_is_drawn(tmp_path):
    from conftest import require_module  # skips without matplotlib; fails in CI

    require_module("matplotlib", "figures")
    module = load("seed_question")
    target = tmp_path / "figure.pdf"
    module.figure(module.compute(), target)
    data = target.read_bytes()
    assert data[:5] == b"%PDF-"  # a vector figure, not a raster
    assert b"/Type3" not in data and b"cmr10" in data.lower()  # the text's font, not bitmaps


def test_seed_views_agree():
    data = load("seed_question").compute()
    assert data["F"].max() == 3 and data["back"].max() == 18
    one, two = data["spikes"]["one"][1], data["spikes"]["two"][1]
    kernel = load("seed_question").KERNEL
    assert (one[2:5, 2:5] == kernel).all() and abs(one).sum() == abs(kernel).sum()
    assert (two == one[:, [*range(1, 7), 0]] + one[:, [6, *range(0, 6)]]).all()  # two shifted copies that add
