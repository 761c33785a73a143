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


# -- every figure's text, at the size it prints ------------------------------------------------------------

import re  # noqa: E402  (this section's own import: the file above is shared)

_NUMBER = rb"[-+]?(?:\d+\.?\d*|\.\d+)"
_PDF_TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|\[|\]|/[^\s/\[\]()<>]+|" + _NUMBER + rb"|[A-Za-z'\"*]+")


def _pdf_text_sizes(path: pathlib.Path) -> list[float]:
    """The size, in PDF points, of every text shown in a PDF's content streams.

    A small reader of the content stream: the font size of ``Tf``, scaled by the text matrix (``Tm``) and the
    current transformation (``cm``, ``q``/``Q``) in force when the text is shown (``Tj``, ``TJ``, ``'``, ``"``).
    A sub- or superscript of mathtext is its own text at its own (smaller) size, so it is measured as printed.
    """
    import zlib

    import numpy as np

    sizes = []
    data = path.read_bytes()
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            stream = zlib.decompress(match.group(1))
        except zlib.error:
            stream = match.group(1)
        if not (re.search(rb"(?:^|\s)BT\s", stream) and re.search(rb"\d Tf\s", stream)):
            continue  # a font program or an image, not a content stream
        ctm, saved, tm, size, operands = np.eye(3), [], np.eye(3), None, []
        for token in _PDF_TOKEN.findall(stream):
            if re.fullmatch(_NUMBER, token):
                operands.append(float(token))
                continue
            if token[:1] in b"/([<]":
                operands.append(token)
                continue
            numbers = [o for o in operands if isinstance(o, float)]
            matrix = (np.array([[numbers[-6], numbers[-5], 0], [numbers[-4], numbers[-3], 0],
                                [numbers[-2], numbers[-1], 1]]) if len(numbers) >= 6 else None)
            if token == b"q":
                saved.append(ctm.copy())
            elif token == b"Q":
                ctm = saved.pop() if saved else np.eye(3)
            elif token == b"cm" and matrix is not None:
                ctm = matrix @ ctm
            elif token == b"BT":
                tm = np.eye(3)
            elif token == b"Tm" and matrix is not None:
                tm = matrix
            elif token == b"Tf" and numbers:
                size = numbers[-1]
            elif token in (b"Tj", b"TJ", b"'", b'"') and size is not None:
                sizes.append(size * abs(np.linalg.det((tm @ ctm)[:2, :2])) ** 0.5)
            operands = []
    return sizes


_INCLUDED = re.compile(r"\\includegraphics\[width=([0-9.]*)(\\linewidth|in|cm)\]\{([^}]+)\}")
MIN_PRINTED_PT = 7.0


def _printed_figures(tex: str) -> list[tuple[str, float]]:
    """(file, printed width in inches) of every figure a derivation includes, from its ``\\includegraphics``."""
    common = load("_common")
    out = []
    for fraction, unit, name in _INCLUDED.findall(tex):
        value = float(fraction or 1)
        out.append((name, value * {r"\linewidth": common.TEXT_WIDTH, "in": 1.0, "cm": 1 / 2.54}[unit]))
    return out


def _smallest_printed(pdf: pathlib.Path, width_in: float) -> float:
    box = re.search(rb"/MediaBox \[\s*([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)", pdf.read_bytes())
    scale = width_in * 72 / (float(box.group(3)) - float(box.group(1)))  # \includegraphics scales the whole page
    sizes = _pdf_text_sizes(pdf)
    assert sizes, f"{pdf.name}: no text found (the reader missed it, or the figure has none)"
    return min(sizes) * scale


@pytest.mark.parametrize("name", REGENERATE.NAMES)
def test_every_figure_text_prints_at_7pt_or_more(name):
    """Each figure PDF a derivation includes, read at the width it is printed at: no text under 7 pt."""
    tex = (HERE / f"{name}.tex").read_text()
    figures = _printed_figures(tex)
    assert len(figures) == tex.count(r"\includegraphics"), "an \\includegraphics whose width the test cannot read"
    if figures:  # the text width the widths are read against is the documents' (letter paper, margins 2.2 cm)
        assert r"\usepackage[margin=2.2cm]{geometry}" in tex and "a4paper" not in tex
    for figure, width in figures:
        smallest = _smallest_printed(HERE / figure, width)
        assert smallest >= MIN_PRINTED_PT - 1e-6, f"{name}: {figure} prints text at {smallest:.2f} pt"


def test_the_printed_size_check_fails_on_shrunk_labels(tmp_path):
    """The reader sees a shrunk label, a subscript at its own size, and a figure printed narrower than drawn."""
    from conftest import require_module

    require_module("matplotlib", "figures")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from symconv import plot

    def drawn(label: str, size: float) -> pathlib.Path:
        with matplotlib.rc_context(plot.STYLE):
            fig = Figure(figsize=(4, 2))
            ax = fig.add_subplot()
            ax.set_xlabel(label, fontsize=size)
            ax.tick_params(labelsize=8)
            path = tmp_path / f"{len(list(tmp_path.iterdir()))}.pdf"
            fig.savefig(path)
        return path

    assert _smallest_printed(drawn("output position", 10), 4.0) == pytest.approx(8.0)  # the ticks, 8 pt
    assert _smallest_printed(drawn("output position", 6), 4.0) == pytest.approx(6.0)  # a shrunk label
    assert _smallest_printed(drawn("output position", 10), 3.0) == pytest.approx(6.0)  # printed at 3/4 width
    subscript = _smallest_printed(drawn("$w_{0}$", 8), 4.0)
    assert 5.0 < subscript < 6.0  # mathtext's subscript is its own text, smaller: 8 pt with a 5.6 pt script
    figure, width = _printed_figures((HERE / "checkerboard.tex").read_text())[0]
    assert _smallest_printed(HERE / figure, 0.75 * width) < MIN_PRINTED_PT  # the golden figure, shrunk on the page


# -- every figure is vector, in the documents' fonts -------------------------------------------------------------

_FONT_NAME = re.compile(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([^\s/\[\]()<>]+)")


def _pdf_images_and_fonts(path: pathlib.Path) -> tuple[int, set[str]]:
    """How many raster images a PDF holds (``/Subtype /Image``) and the names of its fonts (subset tags dropped)."""
    data = path.read_bytes()
    images = len(re.findall(rb"/Subtype\s*/Image\b", data))
    return images, {name.decode() for name in _FONT_NAME.findall(data)}


@pytest.mark.parametrize("name", REGENERATE.NAMES)
def test_every_figure_is_vector_and_in_computer_modern(name):
    """Each figure PDF a derivation includes has no raster image (cells, colour bars and text are vector) and sets
    its text only in Computer Modern (matplotlib's cm set, the design of the documents' Latin Modern): no glyph
    from a fallback font such as STIX (whose ⋆ is not the text's) or DejaVu."""
    tex = (HERE / f"{name}.tex").read_text()
    for figure, _ in _printed_figures(tex):
        images, fonts = _pdf_images_and_fonts(HERE / figure)
        assert images == 0, f"{name}: {figure} holds {images} raster image(s)"
        assert fonts and all(font.lower().startswith("cm") for font in fonts), f"{name}: {figure} uses {sorted(fonts)}"


def test_the_vector_check_sees_an_image_and_a_fallback_font(tmp_path):
    """The reader counts an imshow as a raster image and names the font a glyph falls back to (STIX's ⋆)."""
    from conftest import require_module

    require_module("matplotlib", "figures")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from symconv import plot

    with matplotlib.rc_context(plot.STYLE):
        fig = Figure(figsize=(2, 2))
        fig.add_subplot().imshow([[0, 1], [1, 0]])
        fig.text(0.1, 0.1, "$\u22c6$")  # the star operator as a character: no cm glyph, so STIX's
        fig.savefig(tmp_path / "raster.pdf")
    images, fonts = _pdf_images_and_fonts(tmp_path / "raster.pdf")
    assert images >= 1 and any(font.startswith("STIX") for font in fonts)
