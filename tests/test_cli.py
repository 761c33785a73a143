import os

import pytest

from symconv import cli
from symconv.latex import output


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_default_prove_to_stdout(capsys):
    code, out, err = run(["prove"], capsys)
    assert code == 0 and err == ""
    assert out.startswith(r"\documentclass") and "ConvTranspose1d" in out and r"\end{document}" in out


def test_prove_writes_file(tmp_path, capsys):
    target = tmp_path / "proof.tex"
    code, out, _ = run(["prove", "--kernel", "3,3", "--stride", "2,1", "--padding", "1:2,0", "--input", "6,5",
                        "--in-channels", "4", "--out-channels", "2", "--groups", "2", "-o", str(target)], capsys)
    assert code == 0 and out == ""
    text = target.read_text()
    assert "Conv2d" in text and "first differing" not in text
    assert [p.name for p in tmp_path.iterdir()] == ["proof.tex"]
    plain = tmp_path / "plain.txt"
    plain.write_text("")
    assert target.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777  # as open() would create it


def test_prove_transposed_and_general(tmp_path, capsys):
    code, out, _ = run(["prove", "--transposed", "--kernel", "2", "--stride", "1", "--dilation", "3", "--padding", "0",
                        "--output-padding", "2", "--input", "4"], capsys)
    assert code == 0 and "S M" in out
    code, out, _ = run(["prove", "--general", "--kernel", "3,3"], capsys)
    assert code == 0 and "separability" in out


def test_prove_pdf(tmp_path, capsys, pdflatex):
    target = tmp_path / "proof.tex"
    code, _, err = run(["prove", "-o", str(target), "--pdf"], capsys)
    assert code == 0, err
    assert (tmp_path / "proof.pdf").stat().st_size > 1000


def test_matrix_and_shapes(capsys):
    code, out, _ = run(["matrix"], capsys)
    assert code == 0 and "M (convolution), 3x5" in out and "Z (zero insertion), 5x3" in out
    code, out, _ = run(["matrix", "--latex", "--zeros", "dots"], capsys)
    assert code == 0 and r"\begin{bmatrix}" in out and r"\cdot" in out
    code, out, _ = run(["matrix", "--latex", "--blocks", "--kernel", "2,2", "--stride", "1", "--padding", "0",
                        "--input", "3,3"], capsys)
    assert code == 0 and r"B_{0} = \begin{bmatrix}" in out
    code, out, _ = run(["shapes", "--kernel", "4", "--stride", "2", "--input", "7"], capsys)
    assert code == 0 and "n_out = floor((7 + 1 + 1 - 1*(4-1) - 1)/2) + 1 = 3" in out


BAD = [
    (["prove", "--stride", "0"], "stride must be positive"),
    (["prove", "--kernel", "a"], "--kernel"),
    (["prove", "--padding", "1:2:3"], "--padding"),
    (["prove", "--output-padding", "1"], "--transposed"),
    (["prove", "--transposed", "--output-padding", "5"], "output_padding"),
    (["prove", "--transposed", "--padding", "same"], "strings are not accepted"),
    (["prove", "--groups", "2"], "divisible by groups"),
    (["prove", "--input", "1", "--padding", "0"], "too small"),
    (["prove", "--kernel", "3,3", "--stride", "1,2,3"], "one per axis"),
    (["prove", "--name", "\\input"], "plain identifier"),
    (["prove", "--pdf"], "--pdf needs -o"),
    (["prove", "--bogus"], "unrecognized"),
    (["prove", "--general", "--stride", "1"], "--general"),
    (["prove", "--general", "--max-terms", "10"], "--max-terms"),
    (["prove", "--identity", "sizes", "--kernel", "3"], "no layer flags"),
    (["prove", "--identity", "gradient", "--transposed"], "drop --transposed"),
    (["prove", "--identity", "adjoint", "--general"], "--general"),
    (["prove", "--identity", "weight-gradient", "--general", "--kernel", "3"], "no layer flags"),
    (["prove", "--identity", "adjoint", "--max-terms", "5"], "--max-terms"),
    (["prove", "--kernel", "3,3", "--input", "5,5,5"], "the number of axes comes from --kernel"),
    (["prove", "--input", "5,5"], "the number of axes comes from --kernel"),
    (["prove", "--keep-tex-files"], "needs --pdf"),
    (["prove", "--format", "md", "--pdf"], "--format md"),
    (["prove", "--max-terms", "10"], "--max-terms N"),
    (["matrix", "--blocks"], "needs --latex"),
    (["matrix", "--zeros", "dots"], "needs --latex"),
    (["matrix", "--latex", "--blocks"], "2-D layer with one input and one output channel"),
    (["shapes", "--name", "v"], "unrecognized"),
    (["nothing"], "invalid choice"),
    ([], "required"),
]


@pytest.mark.parametrize("argv, words", BAD)
def test_bad_input_exit_2_one_line_no_file(argv, words, tmp_path, capsys):
    target = tmp_path / "out.tex"
    target.write_text("keep me")
    code, out, err = run(argv + ["-o", str(target)] if argv and argv[0] == "prove" and "--pdf" not in argv else argv, capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("symconv: error:") and words in err
    assert "Traceback" not in err
    assert target.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.tex"]


def test_write_failure_leaves_existing_file(tmp_path, capsys, monkeypatch):
    target = tmp_path / "out.tex"
    target.write_bytes(b"old bytes")

    def broken(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(output.os, "replace", broken)
    code, _, err = run(["prove", "-o", str(target)], capsys)
    assert code == 4 and "disk full" in err and err.count("\n") == 1
    assert target.read_bytes() == b"old bytes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.tex"]


def test_missing_tex_engine_exit_3(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(output.shutil, "which", lambda name: None)
    code, _, err = run(["prove", "-o", str(tmp_path / "p.tex"), "--pdf"], capsys)
    assert code == 3 and "pdflatex is not installed" in err


def test_help_exits_zero(capsys):
    assert cli.main(["--help"]) == 0
    assert "prove" in capsys.readouterr().out


def test_console_script_entry_point():
    from importlib.metadata import entry_points

    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    assert scripts.get("symconv") == "symconv.cli:main"
    assert os.path.exists(cli.__file__)


def test_refused_size_suggests_the_command_line_way_out(capsys):
    code, _, err = run(["prove", "--max-terms", "10"], capsys)
    assert code == 2 and "--general" in err and "--max-terms N" in err and err.count("\n") == 1
    code, out, _ = run(["prove", "--max-terms", "1000"], capsys)
    assert code == 0 and out.startswith(r"\documentclass")


def test_every_flag_has_help():
    parser = cli._parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, sub in [("symconv", parser), *commands.items()]:
        for action in sub._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help text"
        assert sub.description, f"{name} has no description"
    for name in ("prove", "matrix", "shapes"):
        text = commands[name].format_help()
        assert "examples:" in text and "exit codes:" in text and "1  a proof does not hold" in text


def test_version_and_python_dash_m(capsys):
    import subprocess
    import sys

    import symconv

    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"symconv {symconv.__version__}"
    root = os.path.dirname(os.path.dirname(symconv.__file__))
    result = subprocess.run([sys.executable, "-m", "symconv", "shapes", "--kernel", "4", "--input", "7"], cwd=root,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "n_out" in result.stdout
    result = subprocess.run([sys.executable, "-m", "symconv", "--help"], cwd=root, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and "exit codes:" in result.stdout


def test_unwritable_output_names_the_users_path(capsys):
    code, _, err = run(["prove", "-o", "/proc/x.tex"], capsys)
    assert code == 4 and "/proc/x.tex" in err and ".symconv-" not in err and ".tmp" not in err
    assert err.count("\n") == 1


def test_pdf_leaves_no_aux_or_log_unless_asked(tmp_path, capsys, pdflatex):
    code, _, err = run(["prove", "-o", str(tmp_path / "p.tex"), "--pdf"], capsys)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.pdf", "p.tex"]
    code, _, err = run(["prove", "-o", str(tmp_path / "q.tex"), "--pdf", "--keep-tex-files"], capsys)
    assert code == 0, err
    assert {"q.aux", "q.log", "q.pdf", "q.tex"} <= {p.name for p in tmp_path.iterdir()}


@pytest.mark.parametrize("identity, argv, words", [
    ("adjoint", ["--kernel", "3", "--stride", "2", "--input", "6"], r"\langle"),
    ("gradient", ["--kernel", "2", "--stride", "2", "--input", "4"], r"\partial \ell"),
    ("sizes", [], "relationship 15"),
    ("overlap", ["--kernel", "3", "--stride", "2", "--input", "6"], "checkerboard"),
    ("weight-gradient", ["--kernel", "3", "--stride", "2", "--input", "7"], "Weight"),
])
def test_identities_from_the_command(identity, argv, words, capsys):
    code, out, err = run(["prove", "--identity", identity, *argv], capsys)
    assert code == 0, err
    assert out.startswith(r"\documentclass") and words in out


def test_markdown_format(tmp_path, capsys):
    target = tmp_path / "proof.md"
    code, _, err = run(["prove", "--format", "md", "-o", str(target)], capsys)
    assert code == 0, err
    text = target.read_text()
    assert text.startswith("## Conventions") and "\n\n## Theorem (" in text and "$$" in text
    assert r"\begin{theorem}" not in text and r"\documentclass" not in text


def test_large_matrix_latex_names_the_shown_band(capsys):
    code, out, _ = run(["matrix", "--latex", "--kernel", "3", "--stride", "2", "--input", "40"], capsys)
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("% M (convolution), 20x40; shown: rows 0-4, columns 0-") and r"\cdots" in out


DRAW_VALUES = {"--view": "conv", "--values": "1,2,3", "--weight": "1,2,3", "--channels": "0,0", "--frame": "1",
               "--fps": "3", "--name": "v"}


@pytest.mark.parametrize("drawing", ["matrix", "stamps", "gather", "overlap", "animation"])
def test_draw_refuses_every_flag_the_drawing_does_not_read(drawing, tmp_path, capsys):
    from symconv._draw import APPLIES, DRAW_FLAGS

    suffix = "gif" if drawing == "animation" else "png"
    refused = [flag for flag in DRAW_FLAGS if flag not in APPLIES[drawing]]
    assert set(DRAW_VALUES) == set(DRAW_FLAGS)
    for flag in refused:
        code, _, err = run(["draw", drawing, "-o", str(tmp_path / f"x.{suffix}"), flag, DRAW_VALUES[flag]], capsys)
        assert code == 2 and err.count("\n") == 1, (drawing, flag, err)
        assert f"symconv draw {drawing} does not use {flag}" in err and "is read by" in err
    assert list(tmp_path.iterdir()) == []
    # the examples
    code, _, err = run(["draw", "stamps", "--frame", "2", "--fps", "9", "--view", "conv", "-o", str(tmp_path / "s.png")],
                       capsys)
    assert code == 2 and "--view, --frame, --fps" in err
    code, _, err = run(["draw", "matrix", "--values", "9,9", "-o", str(tmp_path / "m.png")], capsys)
    assert code == 2 and "--values" in err


def test_draw_passes_every_flag_it_accepts_to_the_drawing(tmp_path, capsys, monkeypatch):
    """A flag that is not refused reaches the plot call (recorded, nothing drawn)."""
    import symconv.plot as P

    calls = {}

    def recorder(name):
        def record(*args, **kwargs):
            calls[name] = (args, kwargs)
            return object()
        return record

    for name in ("plot_matrix", "plot_stamps", "plot_gather", "plot_overlap", "animate"):
        monkeypatch.setattr(P, name, recorder(name))
    monkeypatch.setattr(P, "save_figure", lambda fig, path: None)
    monkeypatch.setattr(P, "save_animation", lambda anim, path, fps: calls.setdefault("fps", fps))
    out = str(tmp_path / "x.png")
    assert run(["draw", "gather", "-o", out, "--frame", "2", "--values", "1,2,3", "--weight", "3,2,1"], capsys)[0] == 0
    args, kwargs = calls["plot_gather"]
    assert kwargs["frame"] == 2 and args[2].tolist() == [[[3, 2, 1]]] and args[1].tolist() == [[1, 2, 3]]
    assert run(["draw", "animation", "-o", str(tmp_path / "a.gif"), "--view", "conv", "--fps", "9"], capsys)[0] == 0
    assert calls["animate"][0][2] == "conv" and calls["fps"] == 9
    assert run(["draw", "matrix", "-o", out, "--name", "v"], capsys)[0] == 0
    assert "v_0" in str(calls["plot_matrix"][0][0].free_symbols)


def test_gram_without_input_proves_on_nine_inputs_per_axis(capsys, monkeypatch):
    """prove --identity gram without --input: 9 inputs per axis (the default layer's interior then holds several
    positions, so its period s is seen); --input overrides it, and the other identities keep the default 5."""
    from symconv import proofs
    from symconv.gram import gram_interior
    from symconv.spec import ConvSpec

    assert len(gram_interior(ConvSpec(3, stride=2, padding=1), (5,))[0]) == 1  # why 5 is not the default here
    assert len(gram_interior(ConvSpec(3, stride=2, padding=1), (9,))[0]) >= 2 * 2  # two periods of s = 2
    seen = []
    real = proofs.prove_gram

    def record(spec, shape, **kwargs):
        seen.append(tuple(shape))
        return real(spec, shape, **kwargs)

    monkeypatch.setattr(proofs, "prove_gram", record)
    code, out, err = run(["prove", "--identity", "gram"], capsys)
    assert code == 0, err
    assert out.startswith(r"\documentclass") and seen == [(9,)]
    assert run(["prove", "--identity", "gram", "--kernel", "3,3"], capsys)[0] == 0 and seen[-1] == (9, 9)
    assert run(["prove", "--identity", "gram", "--input", "7"], capsys)[0] == 0 and seen[-1] == (7,)
    parser_help = run(["prove", "--help"], capsys)[1]
    assert "9 inputs per axis" in " ".join(parser_help.split())
