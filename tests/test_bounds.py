"""Bounded resources: huge requests are refused quickly with a message naming the bound and the way out."""

import numpy as np
import pytest

import symconv.kernels
import symconv.matrices
from symconv import (
    ConvSpec,
    SizeLimitError,
    TransposedConvSpec,
    cli,
    conv_matrix,
    kernel_symbols,
    numeric,
    prove_transpose,
)


def test_kernel_symbols_bound():
    with pytest.raises(SizeLimitError, match="SYMBOL_LIMIT"):
        kernel_symbols(TransposedConvSpec(10**9))


def test_matrix_bound_is_settable(monkeypatch):
    spec = ConvSpec((3, 3))
    w = np.ones(spec.weight_shape)
    with pytest.raises(SizeLimitError, match="prove_transpose_general"):
        conv_matrix(spec, w, (5000, 5000))
    monkeypatch.setattr(symconv.matrices, "MATRIX_LIMIT", 100)
    with pytest.raises(SizeLimitError, match="MATRIX_LIMIT=100"):
        conv_matrix(spec, w, (8, 8))


def test_instance_proof_bound():
    with pytest.raises(SizeLimitError, match="max_terms"):
        prove_transpose(ConvSpec((3, 3)), (4000, 4000))
    assert prove_transpose(ConvSpec((3, 3)), (20, 20), max_terms=10**4).holds


def test_numeric_bound():
    t = TransposedConvSpec(2, stride=10**6)
    with pytest.raises(SizeLimitError, match="NUMERIC_LIMIT"):
        numeric.conv_transpose(t, np.ones((1, 1, 2)), np.ones((1, 1000)))


def test_cli_huge_request_exit_2(capsys, tmp_path):
    code = cli.main(["prove", "--kernel", "3,3", "--stride", "1", "--input", "9000,9000", "-o", str(tmp_path / "x.tex")])
    err = capsys.readouterr().err
    assert code == 2 and "prove_transpose_general" in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_symbol_limit_settable(monkeypatch):
    monkeypatch.setattr(symconv.kernels, "SYMBOL_LIMIT", 5)
    with pytest.raises(SizeLimitError):
        kernel_symbols(ConvSpec((3, 3)))
