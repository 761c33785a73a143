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
