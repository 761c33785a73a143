"""The figures of the derivations and of README, drawn by symconv.plot from the proved structures.

    python derivations/make_figures.py               # every figure below, into derivations/figures/
    python derivations/make_figures.py --notebook    # also re-run derivations/tour.ipynb and save its outputs

Each figure's data is checked against the numeric reference before it is written.
Needs matplotlib (pip install 'symconv[figures]'); --notebook also needs nbclient,
ipykernel and torch.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np

from symconv import ConvSpec, TransposedConvSpec, numeric, plot

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _common import FIGURE_STYLE, TEXT_WIDTH  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
FIGURES = HERE / "figures"

# the seed question: the north-west diagonal detector (3x3, 1 on the diagonal, -1 elsewhere; stride 1, padding 1)
DETECTOR_KERNEL = np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]).reshape(1, 1, 3, 3)
DETECTOR = ConvSpec((3, 3), stride=1, padding=1)
DETECTOR_SIZE = (7, 7)
# the teaching layer of the seed derivation: k = 3, s = 2, p = 1 on n = 5, and its transpose on 3 inputs
TEACHING = ConvSpec(3, stride=2, padding=1)
TEACHING_SIZE = (5,)
TEACHING_WEIGHT = np.array([[[1, 2, 3]]])
TEACHING_Y = np.array([[2, -1, 3]])
# the layers of the checkerboard derivation (on 8 inputs), and a 2-D one
CHECKERBOARD = {
    "k3_s2": TransposedConvSpec(3, stride=2),
    "k4_s2": TransposedConvSpec(4, stride=2),
    "k4_s2_d2": TransposedConvSpec(4, stride=2, dilation=2),
}
CHECKERBOARD_SIZE = (8,)
CHECKERBOARD_2D = TransposedConvSpec((3, 3), stride=2)
CHECKERBOARD_2D_SIZE = (6, 6)
# the polyphase derivation: the phases of a 2-D output, and a 1-D layer with unequal phases
POLYPHASE_2D, POLYPHASE_2D_SIZE = TransposedConvSpec((3, 3), stride=2, padding=1), (5, 5)
POLYPHASE_1D, POLYPHASE_1D_SIZE = TransposedConvSpec(4, stride=3, padding=1), (6,)

# the two spikes of the seed derivation's stamps (its display of M^T (e_(3,2) + e_(3,4)) and its Figure 1)
DETECTOR_SPIKES = ((3, 2), (3, 4))

# file name -> what it shows (the documents include them by these names)
FILES = {
    "seed_stamps.pdf": "detector: the spikes e_(3,2) + e_(3,4) stamp the kernel twice; the stamps add in the shared column",
    "seed_gather.pdf": "teaching layer: the flipped kernel over the zero-inserted, padded input (output position 1)",
    "seed_teaching_stamps.pdf": "teaching layer: every input stamps a scaled kernel, and the stamps add",
    "checkerboard_overlap_k3_s2.pdf": "taps per output position, k = 3, s = 2 (uneven)",
    "checkerboard_overlap_k4_s2.pdf": "taps per output position, k = 4, s = 2 (uniform)",
    "checkerboard_overlap_k4_s2_d2.pdf": "taps per output position, k = 4, s = 2, d = 2 (uneven)",
    "checkerboard_overlap_2d.pdf": "taps per output position, 3x3, stride 2: the checkerboard",
    "polyphase_phases_2d.pdf": "polyphase: the four phases of a 3x3, stride-2 output, each with its sub-kernel",
    "polyphase_phases_1d.pdf": "polyphase: k = 4, s = 3: three phases with 2, 1, 1 taps",
    "readme_stamps.png": "README: the stamps of the teaching layer",
    "readme_gather_frame.png": "README: frame 3 of the gather animation",
    "gather.gif": "README: the gather animation, one frame per output position",
}


PRINTED = {
    "seed_stamps.pdf": 1.0,
    "seed_gather.pdf": 0.85,
    "seed_teaching_stamps.pdf": 0.85,
    "checkerboard_overlap_k3_s2.pdf": 0.8,
    "checkerboard_overlap_k4_s2.pdf": 0.8,
    "checkerboard_overlap_k4_s2_d2.pdf": 0.8,
    "checkerboard_overlap_2d.pdf": 0.6,
    "polyphase_phases_2d.pdf": 1.0,
    "polyphase_phases_1d.pdf": 0.8,
}
"""The width each document prints a figure at, as a fraction of the text width (its ``\\includegraphics``).

Each figure is drawn at exactly that width (``TEXT_WIDTH`` inches times the fraction), so its labels print
at the sizes matplotlib set; :func:`_fit` refuses a figure with a text that would print under ``MIN_LABEL``
points, or a sub- or superscript under ``MIN_SCRIPT`` points.  tests/test_plot.py checks the documents include each figure at this width.
"""

MIN_LABEL, MIN_SCRIPT = 7.5, 7.0
"""Smallest sizes, in points at print size, of a figure a document includes: of a text (tick, colour-bar tick,
label, legend, number), and of a sub- or superscript (:data:`symconv.plot.host.SCRIPT_SCALE` of its label's size;
a subscript is text)."""


def _fit(fig, name: str):
    """Resize ``fig`` to the width it is printed at (:data:`PRINTED`) and check its labels are legible there."""
    from matplotlib.text import Text

    from symconv.plot.host import SCRIPT_SCALE, _has_script, fit_text

    width = PRINTED[name] * TEXT_WIDTH
    w, h = fig.get_size_inches()
    fig.set_size_inches(width, h * width / w)  # the same shape: cells keep their aspect
    fig.canvas.draw()
    titles = [(getattr(fig, "_suptitle", None), width)] + [(ax.title, ax.get_position().width * width) for ax in fig.axes]
    for title, room in titles:  # re-wrap the lines that no longer fit the narrower figure
        if title is not None and title.get_text():
            title.set_text(fit_text(title.get_text(), max(room, 0.8 * width), title.get_fontsize()))
    fig.canvas.draw()  # the texts made at draw time (ticks, legends) exist, at the printed width
    scale = width / fig.get_figwidth()  # 1: the figure is drawn at its printed width
    small = []
    for text in fig.findobj(Text):
        if text.get_visible() and text.get_text().strip():
            size = text.get_fontsize() * scale
            if size < MIN_LABEL or (_has_script(text.get_text()) and size * SCRIPT_SCALE < MIN_SCRIPT):
                small.append(f"“{text.get_text()}” at {size:.1f} pt")
    if small:
        raise SystemExit(f"{name}: at the width {width:.2f} in, text under {MIN_LABEL} pt or a sub- or superscript "
                         f"under {MIN_SCRIPT} pt ({SCRIPT_SCALE:.0%} of its label): {'; '.join(small[:5])}")
    fig.canvas.draw()
    box = fig.bbox
    for text in fig.findobj(Text):
        if text.get_visible() and text.get_text().strip():
            extent = text.get_window_extent()
            if extent.x0 < box.x0 - 1 or extent.x1 > box.x1 + 1 or extent.y0 < box.y0 - 1 or extent.y1 > box.y1 + 1:
                raise SystemExit(f"{name}: the text {text.get_text()!r} runs off the figure at {width:.2f} in")
    return fig


def _save(fig, out: pathlib.Path, name: str, **kwargs) -> pathlib.Path:
    if name in PRINTED:
        _fit(fig, name)
    return plot.save_figure(fig, out / name, **kwargs)


def _check(name: str, got: np.ndarray, want: np.ndarray) -> None:
    if not np.array_equal(got, want):
        raise SystemExit(f"{name}: the picture's data differ from the numeric reference: {got} != {want}")


def draw(out: pathlib.Path = FIGURES) -> list[pathlib.Path]:
    """Write every file of FILES into ``out``, in the documents' fonts (:data:`FIGURE_STYLE`); returns the paths."""
    import matplotlib

    with matplotlib.rc_context(FIGURE_STYLE):
        return _draw(out)


def seed_stamps():
    """The seed derivation's Figure 1: the detector's stamps of the spikes :data:`DETECTOR_SPIKES`, and their sum."""
    detector_t = DETECTOR.transpose(DETECTOR_SIZE)
    two = np.zeros((1,) + DETECTOR_SIZE, dtype=np.int64)
    for position in DETECTOR_SPIKES:
        two[(0,) + position] = 1
    fig = plot.plot_stamps(detector_t, two, DETECTOR_KERNEL, names=("F", "U"), title=False)  # the text's names
    _check("seed_stamps", fig.symconv_data.output, numeric.conv_transpose(detector_t, DETECTOR_KERNEL, two)[0])
    return fig


def _draw(out: pathlib.Path) -> list[pathlib.Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []

    written.append(_save(seed_stamps(), out, "seed_stamps.pdf"))

    tspec = TEACHING.transpose(TEACHING_SIZE)
    reference = numeric.conv_transpose(tspec, TEACHING_WEIGHT, TEACHING_Y)[0]
    fig = plot.plot_gather(tspec, TEACHING_Y, TEACHING_WEIGHT, frame=1, title=False, output_name="hat_x")
    _check("seed_gather", fig.symconv_data.output, reference)
    written.append(_save(fig, out, "seed_gather.pdf"))

    for key, layer in CHECKERBOARD.items():
        fig = plot.plot_overlap(layer, CHECKERBOARD_SIZE, title=False)  # the caption names the layer
        _check(f"checkerboard {key}", fig.symconv_data.counts,
               numeric.conv_transpose(layer, np.ones(layer.weight_shape, dtype=np.int64),
                                      np.ones((1,) + CHECKERBOARD_SIZE, dtype=np.int64))[0])
        written.append(_save(fig, out, f"checkerboard_overlap_{key}.pdf"))
    fig = plot.plot_overlap(CHECKERBOARD_2D, CHECKERBOARD_2D_SIZE, title=False)
    ones = np.ones(CHECKERBOARD_2D.weight_shape, dtype=np.int64)
    _check("checkerboard 2-D", fig.symconv_data.counts,
           numeric.conv_transpose(CHECKERBOARD_2D, ones, np.ones((1,) + CHECKERBOARD_2D_SIZE, dtype=np.int64))[0])
    written.append(_save(fig, out, "checkerboard_overlap_2d.pdf"))

    for name, layer, size in (("polyphase_phases_2d", POLYPHASE_2D, POLYPHASE_2D_SIZE),
                              ("polyphase_phases_1d", POLYPHASE_1D, POLYPHASE_1D_SIZE)):
        fig = plot.plot_polyphase(layer, size, title=False)
        ones = np.ones(layer.weight_shape, dtype=np.int64)
        _check(name, fig.symconv_data.counts,
               numeric.conv_transpose(layer, ones, np.ones((1,) + size, dtype=np.int64))[0])
        written.append(_save(fig, out, f"{name}.pdf"))

    fig = plot.plot_stamps(tspec, TEACHING_Y, TEACHING_WEIGHT, title=False)
    _check("seed_teaching_stamps", fig.symconv_data.output, reference)
    written.append(_save(fig, out, "seed_teaching_stamps.pdf"))
    fig = plot.plot_stamps(tspec, TEACHING_Y, TEACHING_WEIGHT)
    _check("readme_stamps", fig.symconv_data.output, reference)
    written.append(plot.save_figure(fig, out / "readme_stamps.png", dpi=100))

    anim = plot.animate(TEACHING, TEACHING_SIZE, "gather", weight=TEACHING_WEIGHT, values=TEACHING_Y)
    _check("gather animation", anim.symconv_data.output, reference)
    written.append(plot.save_frame(anim, 3, out / "readme_gather_frame.png", dpi=100))
    written.append(plot.save_animation(anim, out / "gather.gif", fps=1, dpi=80))
    return written


def run_notebook(path: pathlib.Path = HERE / "tour.ipynb") -> pathlib.Path:
    """Execute the tour from a clean kernel (in the repository root) and save it with its outputs."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # from scratch, and without timestamps (a re-run changes only what changed)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(HERE.parent)}}).execute()
    nbformat.write(nb, path)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=FIGURES, help="directory (default derivations/figures)")
    parser.add_argument("--notebook", action="store_true", help="also re-run derivations/tour.ipynb")
    args = parser.parse_args(argv)
    try:
        for path in draw(args.out):
            print(path)
    except ImportError as exc:
        raise SystemExit(str(exc)) from None
    if args.notebook:
        print(run_notebook())


if __name__ == "__main__":
    sys.exit(main())
