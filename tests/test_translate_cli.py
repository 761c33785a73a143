"""The `symconv port` command: the layer flags of `prove`, read in the --from framework's terms."""

from __future__ import annotations

import numpy as np
import pytest

from symconv import TransposedConvSpec
from symconv.cli import main
from symconv.translate.readers import spec_from_arguments


def test_the_issue_command_prints_code_that_runs(capsys, torch):
    argv = ["port", "--from", "keras", "--to", "torch", "--kernel", "3", "--stride", "2", "--padding", "same",
            "--input", "16,16", "--transposed"]
    assert main(argv) == 0
    source = capsys.readouterr().out
    assert "padding=((0, 1), (0, 1))" in source and "F.conv_transpose2d" in source
    namespace: dict = {}
    exec(source, namespace)  # runnable as printed
    spec = TransposedConvSpec((3, 3), stride=2, padding=((0, 1), (0, 1)))
    w = np.arange(9, dtype=np.float32).reshape(1, 1, 3, 3)
    y = np.random.default_rng(0).integers(-3, 4, (1, 1, 16, 16)).astype(np.float32)
    from symconv import numeric

    got = namespace["fn"](torch.from_numpy(y), namespace["weight"](w)).numpy()
    np.testing.assert_array_equal(got[0], numeric.conv_transpose(spec, w.astype(np.float64), y[0].astype(np.float64)))
    assert got.shape[-2:] == (32, 32)  # Keras' 'same': n * s


def test_the_issue_command_as_written(capsys, torch):
    """Without --transposed the flags are Keras' Conv2D: 'same' with stride 2 on 16 is padding (0, 1)."""
    assert main(["port", "--from", "keras", "--to", "torch", "--kernel", "3", "--stride", "2", "--padding", "same",
                 "--input", "16,16"]) == 0
    out = capsys.readouterr().out
    assert "F.pad(x, (0, 1, 0, 1))" in out and "F.conv2d" in out


def test_verify_and_output_file(tmp_path, capsys, jax):
    target = tmp_path / "port.py"
    assert main(["port", "--to", "jax", "--kernel", "4,4", "--stride", "2", "--padding", "1", "--transposed",
                 "--input", "6", "--verify", "-o", str(target)]) == 0
    text = target.read_text()
    assert "lax.conv_transpose" in text and "# verified on inputs of shape (6, 6)" in text and "2^-63" in text


@pytest.mark.parametrize("argv,message", [
    (["--to", "keras", "--kernel", "3", "--transposed", "--groups", "2", "--in-channels", "2", "--out-channels", "2"],
     "has no groups"),
    (["--from", "keras", "--to", "torch", "--kernel", "3", "--padding", "1"], "Keras pads 'same' or 'valid'"),
    (["--from", "flax", "--to", "torch", "--kernel", "3", "--padding", "3:0", "--transposed"],
     r"beyond the dilated kernel's reach d\(k-1\) = 2"),
    (["--to", "onnx", "--kernel", "2", "--stride", "1", "--dilation", "2", "--padding", "0", "--transposed",
      "--output-padding", "1"],
     "output_padding < stride"),
    (["--to", "tensorflow", "--kernel", "3"], "invalid choice"),
])
def test_refusals_exit_2_with_the_reason(argv, message, capsys):
    assert main(["port"] + argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("symconv: error:") and len(err.strip().splitlines()) == 1
    import re

    assert re.search(message, err), err


def test_spec_from_arguments_matches_the_readers():
    keras_same = spec_from_arguments("keras", transposed=True, kernel_size=(3, 3), stride=2, padding="same")
    assert keras_same.padding == ((0, 1), (0, 1)) and keras_same.output_padding == (0, 0)
    flax_pairs = spec_from_arguments("flax", transposed=True, kernel_size=(4,), stride=2, padding=((2, 2),))
    assert flax_pairs.padding == ((1, 1),)  # Flax's pairs pad the zero-inserted input: d(k-1) - p
    onnx_same = spec_from_arguments("onnx", transposed=True, kernel_size=(3,), stride=2, padding="same",
                                    input_shape=(5,))
    assert onnx_same.output_shape((5,)) == (10,)
