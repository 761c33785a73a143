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


class _PrintedText(tuple):
    """One text object of a PDF (``BT`` ... ``ET``): what it shows and the size of each of its runs, in PDF points."""

    @property
    def text(self) -> str:
        return self[0]

    @property
    def sizes(self) -> list[float]:
        return self[1]

    @property
    def base(self) -> float:
        """The size of the text proper: its largest run (mathtext sets a label and its scripts in one text object)."""
        return max(self.sizes)

    @property
    def scripts(self) -> list[float]:
        """The sizes of its runs smaller than its base: the sub- and superscripts, as printed."""
        return [size for size in self.sizes if size < self.base - 1e-6]


def _pdf_texts(path: pathlib.Path) -> list[_PrintedText]:
    """Every text object shown in a PDF's content streams, with the printed size of each run it shows.

    A small reader of the content stream: the font size of ``Tf``, scaled by the text matrix (``Tm``) and the
    current transformation (``cm``, ``q``/``Q``) in force when the text is shown (``Tj``, ``TJ``, ``'``, ``"``).
    The size of a run is ``Tf`` times the square root of the determinant of the matrix: the same for a label
    turned 90 degrees as for one set level (a reader of page boxes, ``pdftotext -bbox``, reports the *width* of
    a turned glyph as its height: the 3.5 pt of a turned 7 pt "1" is its advance, half an em).  A sub- or
    superscript of mathtext is a run of its own, at its own smaller ``Tf``, inside its label's text object.

    Text drawn otherwise is refused, not missed: a glyph painted as a form XObject (``Do``, as matplotlib does for
    Type 3 fonts) or a ``Tz``/``Ts`` (horizontal scaling, rise) the sizes would not account for raises.
    """
    import zlib

    import numpy as np

    texts = []
    data = path.read_bytes()
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            stream = zlib.decompress(match.group(1))
        except zlib.error:
            stream = match.group(1)
        if not (re.search(rb"(?:^|\s)BT\s", stream) and re.search(rb"\d Tf\s", stream)):
            continue  # a font program or an image, not a content stream
        ctm, saved, tm, size, operands, shown, runs = np.eye(3), [], np.eye(3), None, [], [], []
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
                tm, shown, runs = np.eye(3), [], []
            elif token == b"ET":
                if runs:
                    texts.append(_PrintedText(("".join(shown), runs)))
                shown, runs = [], []
            elif token == b"Tm" and matrix is not None:
                tm = matrix
            elif token == b"Tf" and numbers:
                size = numbers[-1]
            elif token in (b"Tz", b"Ts") and numbers and numbers[-1] != (100 if token == b"Tz" else 0):
                raise AssertionError(f"{path.name}: text scaled or raised by {token.decode()}, which the reader does not measure")
            elif token == b"Do":
                raise AssertionError(f"{path.name}: an XObject painted ({operands[-1:]}): a glyph drawn as a form?")
            elif token in (b"Tj", b"TJ", b"'", b'"') and size is not None:
                runs.append(size * abs(np.linalg.det((tm @ ctm)[:2, :2])) ** 0.5)
                for string in (o for o in operands if isinstance(o, bytes) and o[:1] == b"("):
                    raw = re.sub(rb"\\(.)", lambda m: {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(m.group(1), m.group(1)),
                                 string[1:-1], flags=re.S)
                    shown.append(raw.decode("utf-16-be", "replace") if len(raw) % 2 == 0 and raw[:1] == b"\0"
                                 else raw.decode("latin-1"))
            operands = []
    return texts


def _pdf_text_sizes(path: pathlib.Path) -> list[float]:
    """The size, in PDF points, of every run of text shown in a PDF (:func:`_pdf_texts`, flattened)."""
    return [size for text in _pdf_texts(path) for size in text.sizes]


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


MIN_TEXT_PT, MIN_SCRIPT_PT = 7.5, 7.0
"""The rule of the figures at print size: ticks, colour-bar ticks, labels, legends and numbers at 7.5 pt or more;
a sub- or superscript (mathtext's, about 70% of its label) at 7 pt or more: a subscript is text."""


def _smallest_text_and_script(pdf: pathlib.Path, width_in: float) -> tuple[tuple[float, str], tuple[float, str]]:
    """(size, text) of the smallest text proper and of the smallest sub- or superscript of a figure, printed at
    ``width_in`` inches; a figure with no script gives ``(inf, "")`` for it."""
    box = re.search(rb"/MediaBox \[\s*([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)", pdf.read_bytes())
    scale = width_in * 72 / (float(box.group(3)) - float(box.group(1)))
    texts = _pdf_texts(pdf)
    assert texts, f"{pdf.name}: no text found (the reader missed it, or the figure has none)"
    base = min((t.base * scale, t.text) for t in texts)
    script = min(((min(t.scripts) * scale, t.text) for t in texts if t.scripts), default=(float("inf"), ""))
    return base, script


@pytest.mark.parametrize("name", REGENERATE.NAMES)
def test_every_figure_prints_its_text_at_7_5pt_and_its_scripts_at_7pt(name):
    """Each figure a derivation includes, at the width it is printed at: every text (tick, colour-bar tick, label,
    legend, number) at 7.5 pt or more, and every sub- or superscript, measured as its own run, at 7 pt or more."""
    tex = (HERE / f"{name}.tex").read_text()
    small = []
    for figure, width in _printed_figures(tex):
        (base, text), (script, label) = _smallest_text_and_script(HERE / figure, width)
        if base < MIN_TEXT_PT - 1e-6:
            small.append(f"{figure}: {text!r} at {base:.2f} pt")
        if script < MIN_SCRIPT_PT - 1e-6:
            small.append(f"{figure}: the script of {label!r} at {script:.2f} pt")
    assert not small, f"{name}: " + "; ".join(small)


def test_the_script_check_sees_a_turned_label_and_a_small_tick(tmp_path):
    """The reader finds a label's subscript as its own run, at its printed size, also on a label turned 90 degrees
    (where a page-box reader reports the glyph's width), and a tick under 7.5 pt."""
    from conftest import require_module

    require_module("matplotlib", "figures")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from symconv import plot

    def drawn(ylabel: float, ticks: float) -> pathlib.Path:
        with matplotlib.rc_context(plot.STYLE):
            fig = Figure(figsize=(4, 2))
            ax = fig.add_subplot()
            ax.set_ylabel("row $j_1$", fontsize=ylabel)  # turned 90 degrees
            ax.tick_params(labelsize=ticks)
            path = tmp_path / f"{len(list(tmp_path.iterdir()))}.pdf"
            fig.savefig(path)
        return path

    (base, _), (script, label) = _smallest_text_and_script(drawn(10, 8), 4.0)
    assert base == pytest.approx(8.0) and label.startswith("row") and script == pytest.approx(7.0, abs=0.05)
    (base, _), (script, _) = _smallest_text_and_script(drawn(8, 7), 4.0)
    assert base == pytest.approx(7.0) and base < MIN_TEXT_PT
    assert script == pytest.approx(5.6, abs=0.05) and script < MIN_SCRIPT_PT
    (_, _), (script, _) = _smallest_text_and_script(drawn(10, 8), 3.0)  # printed at 3/4 of its width
    assert script == pytest.approx(5.25, abs=0.05)


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
