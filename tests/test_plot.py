"""symconv.plot: the pictures' data against independent arithmetic and the numeric reference.

The data tests need no matplotlib; the drawing tests read the drawn patches back
(cell positions and colours) and render headless (Agg, no pyplot; one test imports pyplot in a child process).
"""

import importlib
import math
import pathlib
import sys

import numpy as np
import pytest
from conftest import require_module

from symconv import (
    ConvSpec,
    TransposedConvSpec,
    cli,
    conv_matrix,
    kernel_symbols,
    numeric,
    prove_overlap,
    transposed_conv_matrix,
)
from symconv import plot as P
from symconv.errors import ShapeError, SizeLimitError, SpecError, SpecTypeError

# transposed layers of every kind the pictures must handle: stride, asymmetric padding, dilation, output padding,
# a negative gather padding (cropping), 2-D, channels and groups
LAYERS = [
    (TransposedConvSpec(3, stride=2, padding=1), (3,)),                                   # the default layer's T
    (TransposedConvSpec(4, stride=3, padding=((2, 0),), output_padding=2), (4,)),
    (TransposedConvSpec(3, stride=2, padding=((0, 1),), dilation=2, output_padding=1), (4,)),
    (TransposedConvSpec(3, stride=3, padding=((5, 0),), dilation=2, output_padding=1), (4,)),  # L = -1: crop
    (TransposedConvSpec(2, stride=1, padding=0, dilation=3, output_padding=2), (3,)),      # a >= s (d > s)
    (TransposedConvSpec((3, 2), stride=(2, 1), padding=((1, 0), (0, 1))), (3, 4)),
    (TransposedConvSpec((3, 3), stride=2, padding=1, dilation=(1, 2), output_padding=(1, 0)), (2, 3)),
    (TransposedConvSpec(3, stride=2, padding=1, in_channels=4, out_channels=2, groups=2), (3,)),
]
IDS = ["default", "asym-a2", "dilated", "crop", "a>=s", "2d-asym", "2d-dilated", "groups"]

CONVS = [
    (ConvSpec(3, stride=2, padding=1), (5,)),
    (ConvSpec(4, stride=3, padding=((2, 1),), dilation=2), (9,)),
    (ConvSpec((3, 2), stride=(2, 1), padding=((1, 0), (0, 1))), (5, 4)),
    (ConvSpec(3, stride=2, padding=1, in_channels=4, out_channels=2, groups=2), (6,)),
]


@pytest.fixture(scope="module")
def mpl():
    """matplotlib with the headless Agg backend (the `figures` extra)."""
    module = require_module("matplotlib", "figures")
    module.use("Agg")
    return module


def _random(shape, seed):
    return np.random.default_rng(seed).integers(-4, 5, size=shape)


def _pair(spec):
    """The last connected channel pair (exercises the block selection)."""
    c_in, c_out, g = spec.in_channels, spec.out_channels, spec.groups
    ci = c_in - 1
    co = (ci // (c_in // g)) * (c_out // g)
    return ci, co


def _only(y, ci):
    out = np.zeros_like(y)
    out[ci] = y[ci]
    return out


# -- data ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("tspec, shape", LAYERS, ids=IDS)
def test_stamps_sum_to_the_numeric_transposed_convolution(tspec, shape):
    y = _random((tspec.in_channels,) + shape, 1)
    w = _random(tspec.weight_shape, 2)
    ci, co = _pair(tspec)
    d = P.stamps_data(tspec, y, w, channels=(ci, co))
    reference = numeric.conv_transpose(tspec, w, _only(y, ci))[co]
    assert np.array_equal(d.output, reference)
    # the visible window of the summed canvas is the output; the rest is what the padding crops
    window = tuple(slice(o, o + n) for o, n in zip(d.origin, reference.shape))
    assert np.array_equal(d.canvas[window], reference)
    assert d.visible[window].all() and d.visible.sum() == reference.size
    assert d.origin == tspec.padding_left
    # each stamp is y[i] times the kernel, dilated by d, at s*i - p_l (independent arithmetic)
    k_shape, ndim = tspec.kernel_size, tspec.ndim
    co_l = co - (co // (tspec.out_channels // tspec.groups)) * (tspec.out_channels // tspec.groups)
    for i, pos in enumerate(np.ndindex(*shape)):
        expected = np.zeros(d.stamps.shape[1:], dtype=d.stamps.dtype)
        expected_taps = np.full(d.stamps.shape[1:], -1)
        for m in np.ndindex(*k_shape):
            at = tuple(s * p + dil * mm for s, p, dil, mm in zip(tspec.stride, pos, tspec.dilation, m))
            expected[at] += y[(ci,) + pos] * w[(ci, co_l) + m]
            expected_taps[at] = np.ravel_multi_index((ci, co_l) + m, tspec.weight_shape)
        assert np.array_equal(d.stamps[i], expected), pos
        assert np.array_equal(d.taps[i], expected_taps), pos
        assert d.offsets[i].tolist() == [s * p - pl for s, p, pl in zip(tspec.stride, pos, tspec.padding_left)]
    assert d.n_frames == math.prod(shape) and ndim == len(d.origin)


def _gather_reference(tspec, y_ci):
    """z0, z and the kind of every z cell, by plain numpy (zero insertion by slicing, padding by a window)."""
    z0 = np.zeros(tuple(s * (n - 1) + 1 for s, n in zip(tspec.stride, y_ci.shape)), dtype=y_ci.dtype)
    z0[tuple(slice(None, None, s) for s in tspec.stride)] = y_ci
    data0 = np.zeros(z0.shape, dtype=bool)
    data0[tuple(slice(None, None, s) for s in tspec.stride)] = True
    pads = [(d * (k - 1) - pl, d * (k - 1) - pr + a) for k, (pl, pr), d, a in
            zip(tspec.kernel_size, tspec.padding, tspec.dilation, tspec.output_padding)]
    z_shape = tuple(n + left + right for n, (left, right) in zip(z0.shape, pads))
    z = np.zeros(z_shape, dtype=y_ci.dtype)
    kind = np.full(z_shape, P.PADDING)
    for t in np.ndindex(*z_shape):
        src = tuple(ti - left for ti, (left, _) in zip(t, pads))
        if all(0 <= si < n for si, n in zip(src, z0.shape)):
            z[t] = z0[src]
            kind[t] = P.DATA if data0[src] else P.INSERTED
    return z0, z, kind, pads


@pytest.mark.parametrize("tspec, shape", LAYERS, ids=IDS)
def test_gather_frames_are_stride_one_windows_of_the_zero_inserted_padded_input(tspec, shape):
    y = _random((tspec.in_channels,) + shape, 3)
    w = _random(tspec.weight_shape, 4)
    ci, co = _pair(tspec)
    d = P.gather_data(tspec, y, w, channels=(ci, co))
    z0, z, kind, pads = _gather_reference(tspec, y[ci])
    assert np.array_equal(d.inserted, z0) and np.array_equal(d.canvas, z) and np.array_equal(d.kind, kind)
    assert d.shift == tuple(left for left, _ in pads)
    assert d.cropped.sum() == sum(1 for t in np.ndindex(*z0.shape)
                                  if not all(0 <= ti + left < n for ti, (left, _), n in zip(t, pads, z.shape)))
    # frame j: the kernel taps m' at j + d m' (stride 1), carrying the flipped kernel w[k-1-m']
    out_shape = tspec.output_shape(shape)
    assert d.n_frames == math.prod(out_shape) and d.output.shape == out_shape
    co_l = co % (tspec.out_channels // tspec.groups)
    for f, j in enumerate(np.ndindex(*out_shape)):
        taps = list(np.ndindex(*tspec.kernel_size))
        want = [tuple(jj + dil * mm for jj, dil, mm in zip(j, tspec.dilation, m)) for m in taps]
        assert [tuple(p) for p in d.windows[f].tolist()] == want, j
        flipped = [tuple(k - 1 - mm for k, mm in zip(tspec.kernel_size, m)) for m in taps]
        assert d.window_taps[f].tolist() == [np.ravel_multi_index((ci, co_l) + m, tspec.weight_shape) for m in flipped]
    assert np.array_equal(d.output, numeric.conv_transpose(tspec, w, _only(y, ci))[co])


@pytest.mark.parametrize("spec, shape", CONVS)
def test_conv_frames_slide_with_the_stride_over_the_padded_input(spec, shape):
    x = _random((spec.in_channels,) + shape, 5)
    w = _random(spec.weight_shape, 6)
    ci, co = _pair(spec)
    d = P.conv_data(spec, x, w, channels=(ci, co))
    padded = np.zeros(tuple(n + pl + pr for n, (pl, pr) in zip(shape, spec.padding)), dtype=x.dtype)
    padded[tuple(slice(pl, pl + n) for n, (pl, _) in zip(shape, spec.padding))] = x[ci]
    assert np.array_equal(d.canvas, padded)
    assert (d.kind == P.DATA).sum() == math.prod(shape)
    out_shape = spec.output_shape(shape)
    assert d.n_frames == math.prod(out_shape)
    for f, i in enumerate(np.ndindex(*out_shape)):
        want = [tuple(s * ii + dil * mm for s, ii, dil, mm in zip(spec.stride, i, spec.dilation, m))
                for m in np.ndindex(*spec.kernel_size)]
        assert [tuple(p) for p in d.windows[f].tolist()] == want
    assert np.array_equal(d.output, numeric.conv(spec, w, _only(x, ci))[co])


@pytest.mark.parametrize("tspec, shape", LAYERS, ids=IDS)
def test_overlap_counts_are_the_stamps_reaching_each_position(tspec, shape):
    d = P.overlap_data(tspec, shape)
    ones = np.ones((tspec.in_channels,) + shape, dtype=np.int64)
    stamps = P.stamps_data(tspec, ones, channels=_pair(tspec))
    reached = (stamps.taps >= 0).sum(axis=0)
    window = tuple(slice(o, o + n) for o, n in zip(stamps.origin, d.counts.shape))
    assert np.array_equal(d.counts, reached[window])
    proof = prove_overlap(tspec, shape)
    assert d.holds == proof.holds and d.uniform == tuple(proof.data["uniform"])


def test_matrix_data_is_the_structure_with_its_taps():
    spec = ConvSpec((3, 2), stride=(2, 1), padding=((1, 0), (0, 1)), in_channels=2, out_channels=4, groups=2)
    w = kernel_symbols(spec)
    M = conv_matrix(spec, w, (5, 4))
    d = P.matrix_data(M)
    dense = M.to_sympy()
    flat = list(np.array(w.tolist(), dtype=object).ravel())
    assert len(d.cells) == sum(1 for v in dense if v != 0)
    for (r, c), tap in d.cells.items():
        assert tap >= 0 and dense[r, c] == flat[tap]
    assert d.labels[0] == "w_{0,0,0,0}"


def test_animation_data_counts_frames_per_view():
    spec, shape = ConvSpec(3, stride=2, padding=1), (5,)
    assert P.animation_data(spec, shape, "gather").n_frames == 5          # outputs of T (n = 5)
    assert P.animation_data(spec, shape, "stamps").n_frames == 3          # inputs of T
    assert P.animation_data(spec, shape, "conv").n_frames == 3            # outputs of M
    tspec = spec.transpose(shape)
    assert P.animation_data(tspec, (3,), "conv").canvas.shape == (7,)     # M on T's output, padded by 1 + 1


def test_bad_input_gets_symconv_errors():
    t = TransposedConvSpec(3, stride=2, padding=1)
    with pytest.raises(ShapeError, match="1-D and 2-D"):
        P.stamps_data(TransposedConvSpec((2, 2, 2)), np.ones((1, 2, 2, 2)))
    with pytest.raises(ShapeError, match=r"weight has shape \(3,\)"):
        P.gather_data(t, [1, 2, 3], [1, 2, 3])
    with pytest.raises(SpecTypeError, match="real numbers"):
        P.gather_data(t, ["a", "b", "c"])
    with pytest.raises(ShapeError, match="not connected"):
        P.stamps_data(TransposedConvSpec(3, in_channels=2, out_channels=2, groups=2), np.ones((2, 3)), channels=(0, 1))
    with pytest.raises(ShapeError, match="2 input and 2 output channels"):
        P.gather_data(TransposedConvSpec(3, in_channels=2, out_channels=2), np.ones((2, 3)), channels=(2, 0))
    with pytest.raises(SpecError, match="view='scatter'"):
        P.animation_data(ConvSpec(3), (5,), "scatter")
    with pytest.raises(SpecTypeError, match="ConvSpec or a TransposedConvSpec"):
        P.animation_data("conv", (5,))
    old = P.PLOT_LIMIT
    try:
        P.PLOT_LIMIT = 10
        with pytest.raises(SizeLimitError, match="PLOT_LIMIT=10"):
            P.gather_data(t, np.ones(9))
    finally:
        P.PLOT_LIMIT = old


# -- drawing ---------------------------------------------------------------------------------------

def _cells(ax):
    """Filled unit rectangles drawn in an axes: {(x, y): facecolor}."""
    from matplotlib.patches import Rectangle

    out = {}
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and patch.get_fill() and patch.get_width() == 1:
            out[(round(patch.get_x()), round(patch.get_y()))] = patch.get_facecolor()
    return out


def _texts(ax):
    return {(round(t.get_position()[0] - 0.5), round(t.get_position()[1] - 0.5)): t.get_text() for t in ax.texts}


def test_plot_matrix_colours_exactly_the_nonzeros_by_tap(mpl):
    spec = ConvSpec(3, stride=2, padding=1, in_channels=2, out_channels=2)
    w = kernel_symbols(spec)
    M = conv_matrix(spec, w, (5,))
    T = transposed_conv_matrix(spec.transpose((5,)), w, spec.output_shape((5,)))
    fig = P.plot_matrix(M, T)
    colors = P.tap_colors(math.prod(spec.weight_shape))
    for ax, matrix in zip(fig.axes, (M, T)):
        drawn = _cells(ax)
        rows, cols, taps, _ = matrix.coo()
        assert set(drawn) == set(zip(cols.tolist(), rows.tolist()))
        for r, c, t in zip(rows.tolist(), cols.tolist(), taps.tolist()):
            assert np.allclose(drawn[(c, r)], mpl.colors.to_rgba(colors[t]))
    # the same colours transposed: T's cell (r, c) has M's colour at (c, r)
    m_cells, t_cells = _cells(fig.axes[0]), _cells(fig.axes[1])
    assert {(y, x): col for (x, y), col in m_cells.items()} == t_cells
    assert [d.shape for d in fig.symconv_data] == [M.shape, T.shape]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:2] == ["$w_{0,0,0}$", "$w_{0,0,1}$"] and len(legend) == 12


def test_plot_stamps_draws_one_stamp_per_nonzero_input(mpl):
    t = TransposedConvSpec(3, stride=2, padding=1)
    fig = P.plot_stamps(t, [0, 2, 0], [[[1, 2, 3]]])
    ax = fig.axes[0]
    texts = _texts(ax)
    # one stamp row (row 0) at s*1 - p = 1: values 2, 4, 6; then the sum row
    assert [texts[(x, 0)] for x in (1, 2, 3)] == ["2", "4", "6"]
    assert (0, 0) not in _cells(ax)
    fig2 = P.plot_stamps(t, [1, 1, 0], [[[1, 2, 3]]])
    rows = {y for _, y in _cells(fig2.axes[0])}
    assert len(rows) == 3  # two stamps and the sum: the overlap adds
    assert fig2.symconv_data.output.tolist() == [2, 3 + 1, 2, 3, 0]


def test_plot_gather_marks_inserted_zeros_padding_and_the_window(mpl):
    t = TransposedConvSpec(3, stride=2, padding=1)
    fig = P.plot_gather(t, [4, 5, 6], [[[1, 2, 3]]], frame=1)
    d = fig.symconv_data
    ax = fig.axes[0]
    hatched = {(round(p.get_x()), round(p.get_y())) for p in ax.patches if p.get_hatch() == "///"}
    canvas_row = 2.8
    assert {x for x, y in hatched} == {int(i) for i in np.nonzero(d.kind == P.PADDING)[0]}
    grey = {(round(p.get_x()), p.get_y()) for p in ax.patches
            if p.get_fill() and np.allclose(p.get_facecolor(), mpl.colors.to_rgba("0.85"))}
    assert {x for x, y in grey if y == canvas_row} == {int(i) for i in np.nonzero(d.kind == P.INSERTED)[0]}
    kernel = sorted((round(p.get_x()), p.get_facecolor()) for p in ax.patches
                    if p.get_fill() and np.isclose(p.get_y(), canvas_row + 1.15))
    colors = P.tap_colors(3)
    assert [x for x, _ in kernel] == [1, 2, 3]
    assert [tuple(c) for _, c in kernel] == [mpl.colors.to_rgba(colors[m]) for m in (2, 1, 0)]  # flipped


@pytest.mark.parametrize("tspec, shape", [LAYERS[3], LAYERS[6]], ids=["crop", "2d-dilated"])
def test_every_view_renders_headless(mpl, tmp_path, tspec, shape):
    from PIL import Image

    y = P.default_values(tspec.in_channels, shape)
    ch = _pair(tspec)
    w = kernel_symbols(tspec)
    M = conv_matrix(tspec.transpose(), w, tspec.output_shape(shape))
    figures = {
        "matrix": P.plot_matrix(M, transposed_conv_matrix(tspec, w, shape)),
        "stamps": P.plot_stamps(tspec, y, channels=ch),
        "gather": P.plot_gather(tspec, y, channels=ch, frame=1),
        "overlap": P.plot_overlap(tspec, shape),
        "conv": P.plot_conv(tspec.transpose(), P.default_values(tspec.out_channels, tspec.output_shape(shape)),
                            channels=ch[::-1]),
    }
    for name, fig in figures.items():
        path = P.save_figure(fig, tmp_path / f"{name}.png")
        with Image.open(path) as image:
            assert image.size[0] > 200 and image.size[1] > 100
            pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
            assert len(np.unique(pixels, axis=0)) > 3  # more than a blank canvas
    assert P.save_figure(figures["stamps"], tmp_path / "stamps.svg").read_text().startswith("<?xml")
    assert P.save_figure(figures["overlap"], tmp_path / "overlap.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(SpecError, match="png, pdf, svg"):
        P.save_figure(figures["overlap"], tmp_path / "overlap.jpg")


@pytest.mark.parametrize("view, frames", [("gather", 5), ("stamps", 3), ("conv", 3)])
def test_animation_has_one_frame_per_position(mpl, tmp_path, view, frames):
    from PIL import Image

    anim = P.animate(ConvSpec(3, stride=2, padding=1), (5,), view)
    assert anim.symconv_frames == frames
    path = P.save_animation(anim, tmp_path / f"{view}.gif")
    with Image.open(path) as gif:
        assert gif.n_frames == frames


def test_2d_animation_frames(mpl, tmp_path):
    from PIL import Image

    anim = P.animate(TransposedConvSpec((2, 2), stride=2, in_channels=2, out_channels=2, groups=2), (1, 1), "gather",
                     channels=(1, 1))
    assert anim.symconv_frames == 2 * 2
    with Image.open(P.save_animation(anim, tmp_path / "g.gif")) as gif:
        assert gif.n_frames == 4


def test_default_layer_four_views_against_the_numeric_reference(mpl, tmp_path):
    """k = 3, s = 2, p = 1 on n = 5: the matrices, the stamps, the gather view and the overlap."""
    spec, n = ConvSpec(3, stride=2, padding=1), (5,)
    tspec, t_in = spec.transpose(n), spec.output_shape(n)
    w_num = np.array([[[2, -1, 3]]])
    x, y = np.array([[1, 4, -2, 3, 5]]), np.array([[2, -3, 1]])
    W = kernel_symbols(spec)
    M, T = conv_matrix(spec, W, n), transposed_conv_matrix(tspec, W, t_in)
    matrix = P.plot_matrix(M, T)
    dM, dT = matrix.symconv_data
    dense_m = np.zeros(dM.shape, dtype=np.int64)
    np.add.at(dense_m, (dM.rows, dM.cols), dM.coefs * w_num.ravel()[dM.taps])
    dense_t = np.zeros(dT.shape, dtype=np.int64)
    np.add.at(dense_t, (dT.rows, dT.cols), dT.coefs * w_num.ravel()[dT.taps])
    assert np.array_equal(dense_m @ x[0], numeric.conv(spec, w_num, x)[0])
    assert np.array_equal(dense_t @ y[0], numeric.conv_transpose(tspec, w_num, y)[0])
    reference = numeric.conv_transpose(tspec, w_num, y)[0]
    stamps = P.plot_stamps(tspec, y, w_num)
    assert np.array_equal(stamps.symconv_data.output, reference)
    assert np.array_equal(stamps.symconv_data.stamps.sum(axis=0)[1:6], reference)
    gather = P.plot_gather(tspec, y, w_num)
    assert np.array_equal(gather.symconv_data.output, reference)
    assert gather.symconv_data.canvas.tolist() == [0, 2, 0, -3, 0, 1, 0]
    overlap = P.plot_overlap(tspec, t_in)
    assert overlap.symconv_data.counts.tolist() == [1, 2, 1, 2, 1] and overlap.symconv_data.uniform == (False,)
    for name, fig in (("matrix", matrix), ("stamps", stamps), ("gather", gather), ("overlap", overlap)):
        assert P.save_figure(fig, tmp_path / f"{name}.png").stat().st_size > 5000


# -- the command -----------------------------------------------------------------------------------

def _run(argv, capsys):
    code = cli.main(argv)
    return code, capsys.readouterr().err


@pytest.mark.parametrize("drawing, suffix", [("matrix", "png"), ("stamps", "svg"), ("gather", "pdf"),
                                             ("overlap", "png"), ("animation", "gif")])
def test_draw_command(mpl, tmp_path, capsys, drawing, suffix):
    target = tmp_path / f"out.{suffix}"
    code, err = _run(["draw", drawing, "-o", str(target), "--kernel", "3", "--stride", "2", "--padding", "1:0",
                      "--input", "6"], capsys)
    assert code == 0, err
    assert target.stat().st_size > 1000 and [p.name for p in tmp_path.iterdir()] == [target.name]


def test_draw_command_values_weight_channels(mpl, tmp_path, capsys):
    code, err = _run(["draw", "animation", "--view", "stamps", "-o", str(tmp_path / "a.gif"), "--kernel", "3,3",
                      "--input", "4,4", "--values", "1,0,0,2", "--in-channels", "2", "--channels", "0,1"], capsys)
    assert code == 0, err  # the conv's 2 input channels are the transposed layer's output channels
    code, err = _run(["draw", "gather", "-o", str(tmp_path / "g.png"), "--weight", "1,2"], capsys)
    assert code == 2 and "--weight: 2 values given, the shape (1, 1, 3) needs 3" in err


def test_draw_command_errors(mpl, tmp_path, capsys, monkeypatch):
    code, err = _run(["draw", "gather", "-o", str(tmp_path / "g.gif")], capsys)
    assert code == 2 and "gather is written as png, pdf, svg" in err
    code, err = _run(["draw", "animation", "-o", str(tmp_path / "a.png")], capsys)
    assert code == 2 and "animation is written as gif, mp4" in err
    code, err = _run(["draw", "stamps", "-o", str(tmp_path / "missing" / "s.png")], capsys)
    assert code == 4
    monkeypatch.setattr(P, "ffmpeg_available", lambda: False)
    code, err = _run(["draw", "animation", "-o", str(tmp_path / "a.mp4")], capsys)
    assert code == 3 and "ffmpeg" in err
    assert list(tmp_path.iterdir()) == []


def test_draw_command_without_matplotlib(tmp_path, capsys, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, err = _run(["draw", "stamps", "-o", str(tmp_path / "s.png")], capsys)
    assert code == 3 and "pip install 'symconv[figures]'" in err
    assert list(tmp_path.iterdir()) == []


def test_make_figures_writes_every_listed_file(mpl, tmp_path):
    from PIL import Image

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "derivations"))
    try:
        module = importlib.import_module("make_figures")
    finally:
        sys.path.pop(0)
    written = module.draw(tmp_path)
    assert sorted(p.name for p in written) == sorted(module.FILES) == sorted(p.name for p in tmp_path.iterdir())
    with Image.open(tmp_path / "gather.gif") as gif:
        assert gif.n_frames == 5  # one per output position of T (n_T = 5)
    for name in module.FILES:
        if name.endswith(".pdf"):
            assert (tmp_path / name).read_bytes().startswith(b"%PDF")


# -- matplotlib's habits: ax= / fig=, pyplot figures, titles that fit ---------------------------------

def _views(tspec, shape):
    """Every plot_* on one layer: name -> function of (ax=..., fig=...)."""
    y = P.default_values(tspec.in_channels, shape)
    ch = _pair(tspec)
    w = kernel_symbols(tspec)
    conv, x_shape = tspec.transpose(), tspec.output_shape(shape)
    M = conv_matrix(conv, w, x_shape)
    return {
        "matrix": lambda **kw: P.plot_matrix(M, **kw),
        "stamps": lambda **kw: P.plot_stamps(tspec, y, channels=ch, **kw),
        "gather": lambda **kw: P.plot_gather(tspec, y, channels=ch, frame=1, **kw),
        "overlap": lambda **kw: P.plot_overlap(tspec, shape, **kw),
        "conv": lambda **kw: P.plot_conv(conv, P.default_values(conv.in_channels, x_shape), channels=ch[::-1], **kw),
        "polyphase": lambda **kw: P.plot_polyphase(tspec, shape, **kw),
    }


@pytest.mark.parametrize("tspec, shape", [LAYERS[0], LAYERS[3], LAYERS[7]], ids=["default", "crop", "groups"])
def test_every_plot_draws_into_the_users_axes_and_figure(mpl, tspec, shape):
    from matplotlib.figure import Figure

    for name, draw in _views(tspec, shape).items():
        alone = draw()
        host = Figure(layout="constrained")
        ax, other = host.subplots(1, 2)
        got = draw(ax=ax)
        assert got is ax and host.axes[1] is other, name  # drawn into the given Axes, the other left alone
        assert not other.patches and not other.texts
        assert _cells(ax) == _cells(alone.axes[0]) and _texts(ax) == _texts(alone.axes[0]), name
        assert type(got.symconv_data) is type(alone.symconv_data)
        has_legend = bool(alone.legends or alone.axes[0].get_legend())  # every view but the polyphase has one
        assert has_legend or name == "polyphase", name
        assert got.get_title() and (got.get_legend() is not None) == has_legend, name  # set after the content
        sub = Figure(layout="constrained").subfigures(1, 2)[1]
        assert draw(fig=sub) is sub and _cells(sub.axes[0]) == _cells(alone.axes[0]), name


def test_plot_matrix_takes_one_axes_per_matrix(mpl):
    from matplotlib.figure import Figure

    spec = ConvSpec(3, stride=2, padding=1)
    w = kernel_symbols(spec)
    M = conv_matrix(spec, w, (5,))
    T = transposed_conv_matrix(spec.transpose((5,)), w, (3,))
    axes = Figure().subplots(1, 2)
    got = P.plot_matrix(M, T, ax=axes)
    assert got == list(axes) and [d.shape for d in axes[0].symconv_data] == [(3, 5), (5, 3)]
    assert len(_cells(axes[0])) == M.nnz and len(_cells(axes[1])) == T.nnz
    with pytest.raises(ShapeError, match="ax has 1 axes for 2 matrices"):
        P.plot_matrix(M, T, ax=[axes[0]])
    with pytest.raises(SpecError, match="pass fig="):
        P.plot_matrix(M, T, ax=axes[0])


def test_ax_and_fig_are_checked(mpl):
    from matplotlib.figure import Figure

    t2 = TransposedConvSpec((2, 2), stride=2)
    ax = Figure().subplots()
    with pytest.raises(SpecError, match="this picture has .* panels: pass fig="):
        P.plot_stamps(t2, np.ones((1, 2, 2)), ax=ax)
    with pytest.raises(SpecError, match="pass fig="):
        P.plot_gather(t2, np.ones((1, 2, 2)), ax=ax)
    t = TransposedConvSpec(3, stride=2)
    with pytest.raises(SpecError, match="not both"):
        P.plot_overlap(t, (4,), ax=ax, fig=ax.figure)
    with pytest.raises(SpecError, match="already holds 1 axes"):
        P.plot_overlap(t, (4,), fig=ax.figure)
    with pytest.raises(SpecTypeError, match="ax must be a matplotlib Axes, got str"):
        P.plot_stamps(t, [1, 2], ax="left")
    with pytest.raises(SpecTypeError, match="fig must be a matplotlib Figure or SubFigure"):
        P.plot_stamps(t, [1, 2], fig=3)
    assert P.plot_stamps(t2, np.ones((1, 2, 2)), fig=Figure()).axes  # a 2-D picture goes into a figure


PYPLOT_SCRIPT = """
import sys
import symconv.plot as P
from symconv import TransposedConvSpec
t = TransposedConvSpec(3, stride=2, padding=1)
fig = P.plot_stamps(t, [1, 0, 1])
assert "matplotlib.pyplot" not in sys.modules, "drawing imported pyplot"
assert type(fig.canvas).__name__ == "FigureCanvasAgg"
import matplotlib.pyplot as plt
fig = P.plot_gather(t, [1, 2, 3])
assert plt.get_fignums() == [fig.number] and plt.gcf() is fig, plt.get_fignums()
anim = P.animate(t, (3,), "stamps")
assert plt.get_fignums() == [fig.number, anim.symconv_figure.number]
plt.close("all")
print("ok")
"""


def test_pyplot_figures_when_pyplot_is_in_use(mpl):
    """Without pyplot the figures are headless; once pyplot is imported they are pyplot's, so plt.show() shows them."""
    import os
    import subprocess

    env = dict(os.environ, MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, "-c", PYPLOT_SCRIPT], capture_output=True, text=True, timeout=300,
                            env=env, cwd=pathlib.Path(__file__).resolve().parent.parent)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def _outside(fig):
    """Texts (titles, labels, legends) that reach outside the figure once it is drawn: their strings."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    texts = [t for t in fig.findobj(mpl_text_class()) if t.get_visible() and t.get_text()]
    out = []
    for t in texts:
        ext = t.get_window_extent(renderer)
        if ext.x0 < box.x0 - 1 or ext.x1 > box.x1 + 1 or ext.y0 < box.y0 - 1 or ext.y1 > box.y1 + 1:
            out.append(t.get_text())
    return out


def mpl_text_class():
    from matplotlib.text import Text

    return Text


FIT_LAYERS = [(TransposedConvSpec((3, 3), stride=2, padding=1), (3, 3)),   # the issue's: overlap of k 3,3 s 2 on 6,6
              (TransposedConvSpec((3, 3), stride=2, padding=1, output_padding=1), (2, 2)),
              *LAYERS[:2], LAYERS[6], LAYERS[7]]


@pytest.mark.parametrize("tspec, shape", FIT_LAYERS, ids=["issue", "2d-small", *IDS[:2], IDS[6], IDS[7]])
def test_titles_fit_in_the_figure(mpl, tspec, shape):
    for name, draw in _views(tspec, shape).items():
        assert _outside(draw()) == [], name


def test_titles_fit_because_they_are_wrapped(mpl, monkeypatch):
    """Break the wrapping on purpose: the issue's overlap picture clips its title again."""
    from symconv.plot import draw as D

    tspec, shape = FIT_LAYERS[0]
    assert _outside(P.plot_overlap(tspec, shape)) == []
    monkeypatch.setattr(D, "fit_text", lambda text, width, fontsize: text)
    assert _outside(P.plot_overlap(tspec, shape))


def test_the_issues_overlap_command_fits_its_title(mpl, tmp_path, capsys, monkeypatch):
    seen = []
    monkeypatch.setattr(P, "save_figure", lambda fig, path: seen.append(fig))
    code, err = _run(["draw", "overlap", "--kernel", "3,3", "--stride", "2", "--input", "6,6", "-o",
                      str(tmp_path / "o.png")], capsys)
    assert code == 0, err
    assert len(seen) == 1 and _outside(seen[0]) == []


def test_plot_polyphase_2d_refuses_one_axes(mpl):
    from matplotlib.figure import Figure

    with pytest.raises(SpecError, match="plot_polyphase: a 2-D layer is drawn in several panels: pass fig="):
        P.plot_polyphase(TransposedConvSpec((3, 3), stride=2), (3, 3), ax=Figure().subplots())


# -- the style of every picture, and the figures the documents print -------------------------------------

DERIVATIONS = pathlib.Path(__file__).resolve().parent.parent / "derivations"


def _derivation_module(name):
    sys.path.insert(0, str(DERIVATIONS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.pop(0)


def test_every_picture_is_drawn_in_the_documents_fonts_and_leaves_rcparams_alone(mpl, tmp_path):
    import matplotlib
    from matplotlib.text import Text
    from matplotlib.ticker import ScalarFormatter

    before = dict(matplotlib.rcParams)
    tspec, shape = LAYERS[0]
    for name, draw in _views(tspec, shape).items():
        fig = draw()
        texts = [t for t in fig.findobj(Text) if t.get_text().strip()]
        assert texts and all(t.get_fontproperties().get_family() == ["cmr10", "DejaVu Serif"] for t in texts), name
        assert all(t.get_fontproperties().get_math_fontfamily() == "cm" for t in texts), name
        for ax in fig.axes:
            formatter = ax.xaxis.get_major_formatter()
            assert not isinstance(formatter, ScalarFormatter) or formatter.get_useMathText(), name
        path = P.save_figure(fig, tmp_path / f"{name}.pdf")
        data = path.read_bytes()
        assert b"/Type3" not in data and b"LastResort" not in data, name  # TrueType fonts, no missing glyph
    assert dict(matplotlib.rcParams) == before


def test_the_round_trip_pictures_keep_their_glyphs_under_the_users_rcparams(mpl, tmp_path):
    import matplotlib

    kernel = np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]).reshape(1, 1, 3, 3)
    with matplotlib.rc_context({"font.family": "serif", "font.serif": ["cmr10"]}):  # cmr10 alone: no minus, no Σ
        figures = {"autocorrelation": P.plot_autocorrelation(kernel),
                   "gram": P.plot_gram(ConvSpec(3, stride=2, padding=1), (12,), [[[1, 2, 3]]])}
        for name, fig in figures.items():
            data = P.save_figure(fig, tmp_path / f"{name}.pdf").read_bytes()
            assert b"LastResort" not in data and b"/Type3" not in data, name  # every glyph found, TrueType


def test_no_text_is_set_in_cmr10_with_a_glyph_it_misdraws(mpl):
    import re

    from matplotlib.text import Text

    from symconv.plot.host import CMR10_MISDRAWN

    kernel = np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]).reshape(1, 1, 3, 3)
    t2 = TransposedConvSpec((3, 3), stride=2, padding=1)
    figures = [draw() for tspec, shape in (LAYERS[0], LAYERS[5]) for draw in _views(tspec, shape).values()
               if not (tspec.ndim == 2 and draw is None)]
    figures += [P.plot_autocorrelation(kernel), P.plot_gram(ConvSpec(3, stride=2, padding=1), (9,)),
                P.plot_polyphase(t2, (3, 3))]
    checked = 0
    for fig in figures:
        for text in fig.findobj(Text):
            plain = re.sub(r"(?<!\\)\$.*?(?<!\\)\$", "", text.get_text())
            if "cmr10" in text.get_fontproperties().get_family():
                assert not CMR10_MISDRAWN.intersection(plain), text.get_text()
                checked += 1
    assert checked > 100
    # a plain-text "‖w‖²" (cmr10 would draw the square as the ligature ffl) is set in DejaVu Serif
    from matplotlib.figure import Figure

    @P.styled
    def titled():
        fig = Figure()
        fig.subplots().set_title("R[0] = ‖w‖² is the largest")
        return fig

    title = [t for t in titled().findobj(Text) if "²" in t.get_text()]
    assert title and all(t.get_fontfamily() == ["DejaVu Serif"] for t in title)


def test_min_label_size_reads_the_print_size(mpl):
    fig = P.plot_overlap(*LAYERS[0])
    smallest = P.min_label_size(fig)
    assert smallest >= 7
    assert P.min_label_size(fig, fig.get_figwidth() / 2) == pytest.approx(smallest / 2)


def test_make_figures_refuses_a_figure_printed_too_small(mpl, monkeypatch):
    module = _derivation_module("make_figures")
    name = "checkerboard_overlap_k3_s2.pdf"
    layer, size = module.CHECKERBOARD["k3_s2"], module.CHECKERBOARD_SIZE
    fig = module._fit(P.plot_overlap(layer, size), name)
    assert fig.get_figwidth() == pytest.approx(module.PRINTED[name] * module.TEXT_WIDTH)
    assert P.min_label_size(fig) >= module.MIN_LABEL == 7.5  # no script in it: its smallest text, the ticks
    small = P.plot_overlap(layer, size)
    small.axes[0].set_xlabel("a label in 6 pt", fontsize=6)
    with pytest.raises(SystemExit, match=f"{name}: .*“a label in 6 pt” at 6.0 pt"):
        module._fit(small, name)
    ticks = P.plot_overlap(layer, size)
    ticks.axes[0].tick_params(labelsize=7)  # 7 pt ticks: under 7.5 pt
    with pytest.raises(SystemExit, match=f"{name}: .*" + r"“\$\\mathdefault\{0\}\$” at 7.0 pt"):
        module._fit(ticks, name)
    script = P.plot_overlap(layer, size)
    script.axes[0].set_xlabel("output position $j_1$", fontsize=9)  # 9 pt, its subscript 6.3 pt: under 7 pt
    with pytest.raises(SystemExit, match=f"{name}: .*" + r"“output position \$j_1\$” at 9.0 pt"):
        module._fit(script, name)
    script.axes[0].set_xlabel("output position $j_1$", fontsize=10)  # its subscript at 7 pt
    module._fit(script, name)
    monkeypatch.setitem(module.PRINTED, name, 0.2)  # a quarter of its printed width: the picture does not fit
    with pytest.warns(UserWarning, match="constrained_layout"), pytest.raises(SystemExit, match="runs off the figure"):
        module._fit(P.plot_overlap(layer, size), name)


_INCLUDE = r"\\includegraphics\[width=([0-9.]*)\\linewidth\]\{figures/([^}]+)\}"
_ANY_INCLUDE = r"\\includegraphics(?:\[[^\]]*\])?\{figures/([^}]+)\}"  # any width (gram's are in inches)


def _figures_of(tex: str):
    """(width fraction, file, the figure environment around it) for every figure a document includes."""
    import re

    out = []
    for match in re.finditer(_INCLUDE, tex):
        start = tex.rfind(r"\begin{figure}", 0, match.start())
        end = tex.find(r"\end{figure}", match.end())
        env = tex[start:end] if start >= 0 and end >= 0 and tex.rfind(r"\end{figure}", 0, match.start()) < start else ""
        out.append((float(match.group(1) or 1), match.group(2), env))
    return out


def _pdf_width_in(path: pathlib.Path) -> float:
    import re

    box = re.search(rb"/MediaBox \[\s*([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)", path.read_bytes())
    return (float(box.group(3)) - float(box.group(1))) / 72


@pytest.mark.parametrize("document", [p.stem for p in sorted(DERIVATIONS.glob("*.tex"))])
def test_every_derivation_figure_is_numbered_captioned_and_referred_to(document):
    import re

    tex = (DERIVATIONS / f"{document}.tex").read_text()
    included = re.findall(_ANY_INCLUDE, tex)
    assert len(included) == tex.count(r"\includegraphics")  # every figure is one of figures/
    for name in included:  # whatever its width: in a figure environment, captioned, labelled and referred to
        at = tex.index("{figures/" + name + "}")
        start, end = tex.rfind(r"\begin{figure}", 0, at), tex.find(r"\end{figure}", at)
        assert start >= 0 and end >= 0 and tex.rfind(r"\end{figure}", 0, at) < start, name
        env = tex[start:end]
        label = re.search(r"\\label\{([^}]+)\}", env)
        assert r"\caption{" in env and label and rf"\ref{{{label.group(1)}}}" in tex.replace(env, ""), name
    for _, name, env in _figures_of(tex):
        assert env and r"\caption{" in env, name  # a figure environment (numbered) with a caption
        label = re.search(r"\\label\{([^}]+)\}", env)
        assert label and rf"\ref{{{label.group(1)}}}" in tex.replace(env, ""), name  # referred to in the text
        assert name.endswith(".pdf"), name  # vector
        assert (DERIVATIONS / "figures" / name).exists(), name


def test_the_padding_modes_fold_is_drawn_in_the_documents_fonts_and_leaves_rcparams_alone(mpl, tmp_path, monkeypatch):
    module = _derivation_module("padding_modes")
    (tmp_path / "figures").mkdir()
    monkeypatch.setattr(module, "HERE", tmp_path)  # draw a copy; the golden figure is regenerate.py's
    before = dict(mpl.rcParams)
    path = pathlib.Path(module.draw())
    assert dict(mpl.rcParams) == before  # drawn inside rc_context: nothing leaks into the figures drawn after it
    data = path.read_bytes()
    assert path.parent == tmp_path / "figures" and b"/Type3" not in data and b"CMR10" in data.upper()


def test_the_figures_drawn_here_are_printed_at_the_width_they_were_drawn_for():
    common = _derivation_module("_common")
    module = _derivation_module("make_figures")
    seed = _derivation_module("seed_question")
    drawn_here = {pathlib.Path(seed.FIGURE).name, pathlib.Path(seed.AUTOCORRELATION).name}
    seen = set()
    for tex_path in sorted(DERIVATIONS.glob("*.tex")):
        for fraction, name, _ in _figures_of(tex_path.read_text()):
            if name in module.PRINTED or name in drawn_here:  # drawn by make_figures and the seed script
                want = module.PRINTED.get(name, 1.0)
                assert fraction == want, (tex_path.name, name)
                width = _pdf_width_in(DERIVATIONS / "figures" / name)
                assert width == pytest.approx(want * common.TEXT_WIDTH, abs=0.01), (tex_path.name, name)
                seen.add(name)
    assert seen == set(module.PRINTED) | drawn_here  # each is included somewhere, at the width it was drawn for


def test_seed_stamps_figure_draws_the_spikes_the_page_displays(mpl):
    module = _derivation_module("make_figures")
    seed = _derivation_module("seed_question")
    data = seed.compute()
    fig = module.seed_stamps()  # what make_figures writes to seed_stamps.pdf
    assert np.array_equal(fig.symconv_data.y, data["spikes"]["two"][0])
    assert np.array_equal(fig.symconv_data.output, data["spikes"]["two"][1])
    tex = (DERIVATIONS / "seed_question.tex").read_text()
    assert seed.bmatrix(data["spikes"]["two"][1]) in tex


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pictures_refuse_a_padding_mode_they_would_draw_as_zeros(mode):
    from symconv.views import scatter_view

    conv = ConvSpec(3, padding=1, padding_mode=mode)
    tspec = TransposedConvSpec(3, padding=1, padding_mode=mode)
    rule = f"padding_mode='{mode}'"
    with pytest.raises(SpecError, match=f"the convolution view draws a zero-padded layer; this layer has {rule}"):
        P.conv_data(conv, [[1, 2, 3, 4]])
    with pytest.raises(SpecError, match=f"plot_stamps draws a zero-padded layer; this layer has {rule}"):
        P.stamps_data(tspec, [[1, 2, 3, 4]])
    with pytest.raises(SpecError, match=f"plot_gather draws a zero-padded layer; this layer has {rule}"):
        P.gather_data(tspec, [[1, 2, 3, 4]])
    with pytest.raises(SpecError, match=f"the scatter view is the transpose of a zero-padded layer; {rule}"):
        scatter_view(tspec, kernel_symbols(tspec), (4,))
    zeros = TransposedConvSpec(3, padding=1)  # the same layer with zero padding draws, and equals T
    assert scatter_view(zeros, kernel_symbols(zeros), (4,)) == transposed_conv_matrix(zeros, kernel_symbols(zeros), (4,))


def test_min_label_size_counts_a_subscript_at_its_printed_size(mpl):
    from matplotlib.figure import Figure

    from symconv.plot.host import SCRIPT_SCALE, min_label_size

    for label in ("$w_{0,0}$", "w₀,₀ = 1", "$x^2$"):
        fig = Figure(figsize=(4, 2))
        fig.text(0.5, 0.5, label, fontsize=8)
        assert min_label_size(fig) == pytest.approx(8 * SCRIPT_SCALE), label  # 5.6 pt printed: under 7 pt
    fig = Figure(figsize=(4, 2))
    fig.text(0.5, 0.5, "w = 1 costs $5", fontsize=8)  # no script (a lone dollar sign is no mathtext)
    assert min_label_size(fig) == 8


def test_the_seed_figure_names_its_input_and_kernel_as_the_text_does(mpl):
    from matplotlib.text import Text

    fig = _derivation_module("make_figures").seed_stamps()
    texts = [t.get_text() for t in fig.findobj(Text) if t.get_visible()]
    assert any(t.startswith("$F_{3,2} = 1$") for t in texts) and "$U_{0,0} = 1$" in texts  # the kernel is U on the page
    assert not any("y_" in t or "w_" in t or "x = sum" in t for t in texts)
    assert not (fig._suptitle and fig._suptitle.get_text())  # the caption says what the figure shows
    with pytest.raises(SpecError, match="plain identifier"):
        P.plot_stamps(TransposedConvSpec(3, stride=2), [1, 1], names=("y", "w}"))
    with pytest.raises(SpecError, match="two names"):
        P.plot_stamps(TransposedConvSpec(3, stride=2), [1, 1], names="yw")


@pytest.mark.parametrize("draw", ["overlap", "polyphase", "gather"])
def test_title_false_leaves_the_figure_without_a_title(mpl, draw):
    layer = TransposedConvSpec((3, 3), stride=2)
    fig = {"overlap": lambda: P.plot_overlap(layer, (3, 3), title=False),
           "polyphase": lambda: P.plot_polyphase(layer, (3, 3), title=False),
           "gather": lambda: P.plot_gather(layer, np.ones((1, 3, 3)), title=False)}[draw]()
    assert not (fig._suptitle and fig._suptitle.get_text())
    assert all(not ax.get_title() or ax.get_title().startswith("phase") or ax.get_title().startswith(("input", "$z$", "output"))
               for ax in fig.axes)


def test_min_label_size_measures_the_texts_made_at_draw_time(mpl):
    """Tick labels exist only once the figure is drawn: measured before, a 4 pt tick label went unseen."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.tick_params(labelsize=4)
    ax.set_xlabel("position", fontsize=10)
    assert P.min_label_size(fig) == 4
    assert P.min_label_size(fig, 2.0) == pytest.approx(2.0)  # printed at half its width


def test_document_figures_draw_numbers_and_names_in_computer_modern(mpl, tmp_path):
    """A negative number is mathtext (cmr10 has no minus sign: it fell back to DejaVu), the names are mathematics,
    and the 2-D overlap is vector cells, not a raster image."""
    tspec = ConvSpec(3, stride=2, padding=1).transpose((5,))
    gather = P.plot_gather(tspec, np.array([[2, -1, 3]]), np.array([[[1, 2, 3]]]), frame=1, title=False)
    from matplotlib.text import Text

    texts = [t.get_text() for t in gather.findobj(Text) if t.get_text()]
    assert "$-1$" in texts and "$x$ (output)" in texts and not any("\N{MINUS SIGN}" in t for t in texts)
    overlap = P.plot_overlap(TransposedConvSpec((3, 3), stride=2), (4, 4), title=False)
    with mpl.rc_context(P.STYLE):
        for name, fig in (("gather", gather), ("overlap", overlap)):
            data = P.save_figure(fig, tmp_path / f"{name}.pdf").read_bytes()
            assert b"/Subtype /Image" not in data and b"DejaVu" not in data, name


def test_the_round_trip_pictures_are_vector(mpl, tmp_path):
    """MᵀM's band and the autocorrelation are drawn as vector cells (no raster image) with a vector colour bar."""
    import re

    from matplotlib.collections import QuadMesh

    kernel = np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]).reshape(1, 1, 3, 3)
    for name, fig in {"gram": P.plot_gram(ConvSpec(3, stride=2, padding=1), (9,), [[[1, 2, 3]]]),
                      "signed gram": P.plot_gram(ConvSpec(3, stride=1, padding=1), (6,), [[[1, -2, 1]]]),
                      "autocorrelation": P.plot_autocorrelation(kernel)}.items():
        assert not any(ax.get_images() for ax in fig.axes), name
        meshes = fig.findobj(QuadMesh)
        assert meshes and not any(mesh.get_rasterized() for mesh in meshes), name
        data = P.save_figure(fig, tmp_path / f"{name}.pdf").read_bytes()
        assert not re.search(rb"/Subtype\s*/Image\b", data), name
    d = P.plot_gram(ConvSpec(3, stride=2, padding=1), (9,), [[[1, 2, 3]]])
    mesh = d.axes[0].collections[0]
    assert np.array_equal(np.asarray(mesh.get_array()).reshape(9, 9), d.symconv_data.matrix)  # row 0 drawn first
    assert d.axes[0].get_ylim()[0] > d.axes[0].get_ylim()[1]  # row 0 on top, as a matrix is read


def test_star_is_the_documents_glyph(mpl, tmp_path):
    r"""``\star`` in a picture is drawn from Computer Modern (cmmi10, the documents' ⋆), not from STIX."""
    from matplotlib.figure import Figure

    @P.styled
    def starred():
        fig = Figure(figsize=(2, 1))
        fig.text(0.1, 0.5, r"$R \star x$")
        return fig

    data = P.save_figure(starred(), tmp_path / "star.pdf").read_bytes()
    assert b"STIX" not in data and b"Cmmi10" in data


def test_numbers_on_hatched_cells_sit_on_a_white_box(mpl):
    """A cropped (hatched) cell's number is read on a white box; an unhatched cell's has none."""
    from matplotlib.text import Text

    t = TransposedConvSpec(3, stride=2, padding=1)
    for fig in (P.plot_stamps(t, [[2, -1, 3]], [[[1, 2, 3]]]),
                P.plot_stamps(TransposedConvSpec((3, 3), stride=1, padding=1), np.eye(3, dtype=int)[None], None),
                P.plot_gather(t, [[2, -1, 3]], [[[1, 2, 3]]], frame=1)):
        patches = [p for ax in fig.axes for p in ax.patches if p.get_hatch()]
        assert patches
        boxed = plain = 0
        for ax in fig.axes:
            hatched = {(round(p.get_x() + 0.5, 3), round(p.get_y() + 0.5, 3)) for p in ax.patches if p.get_hatch()}
            for text in ax.findobj(Text):
                if not text.get_text().strip() or text is ax.title:
                    continue
                at = tuple(round(float(v), 3) for v in text.get_position())
                if at in hatched:
                    assert text.get_bbox_patch() is not None and text.get_bbox_patch().get_facecolor()[:3] == (1, 1, 1)
                    boxed += 1
                elif text.get_bbox_patch() is None:
                    plain += 1
        assert boxed and plain


def test_the_gather_sum_brackets_a_negative_factor(mpl):
    """x[1] = 3·2 + 2·0 + 1·(−1) = 5: a negative factor of the product is bracketed, never ``1·−1``."""
    from matplotlib.text import Text

    fig = P.plot_gather(TransposedConvSpec(3, stride=2, padding=1), [[2, -1, 3]], [[[1, 2, 3]]], frame=1)
    sums = [t.get_text() for t in fig.findobj(Text) if t.get_text().startswith("$x[1]")]
    assert sums == [r"$x[1] = 3 \cdot 2 + 2 \cdot 0 + 1 \cdot (-1) = 5$"]
    fig = P.plot_gather(TransposedConvSpec(3, stride=2, padding=1), [[2, -1, 3]], [[[-1, 2, 3]]], frame=1)
    text = next(t.get_text() for t in fig.findobj(Text) if t.get_text().startswith("$x[1]"))
    assert r"\cdot -" not in text and r"(-1) \cdot (-1)" in text


def test_the_gather_view_names_its_output_as_the_text_does(mpl):
    """``output_name`` follows the text (the seed derivation calls the painted output x̂); it must be an identifier."""
    from matplotlib.text import Text

    from symconv import SpecError

    spec = TransposedConvSpec(3, stride=2, padding=1)
    fig = P.plot_gather(spec, [[2, -1, 3]], [[[1, 2, 3]]], frame=1, output_name="hat_x")
    texts = [t.get_text() for t in fig.findobj(Text)]
    assert r"$\hat{x}$ (output)" in texts and any(t.startswith(r"$\hat{x}[1] = ") for t in texts)
    assert "$x$ (output)" not in texts
    with pytest.raises(SpecError, match="output's name"):
        P.plot_gather(spec, [[2, -1, 3]], frame=1, output_name="x}")
