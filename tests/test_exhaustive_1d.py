"""Every small 1-D configuration: matrices against the numeric reference; the instance proof (T = (S M)^T,
gather and scatter views) holds everywhere."""

import functools
import itertools

import numpy as np
import pytest

from symconv import (
    ConvSpec,
    ShapeError,
    TransposedConvSpec,
    conv_matrix,
    kernel_symbols,
    numeric,
    prove_transpose,
    transposed_conv_matrix,
)

RNG = np.random.default_rng(0)


@functools.cache
def symbols(k):
    return kernel_symbols(ConvSpec(k))


def grid():
    for k, s, d in itertools.product(range(1, 5), range(1, 4), range(1, 4)):
        top = d * (k - 1) + s
        for pl, pr in itertools.product(range(top + 1), repeat=2):
            yield k, s, d, pl, pr


GRID = list(grid())


@pytest.mark.parametrize("k, s, d", sorted({g[:3] for g in GRID}))
def test_conv_matrix_matches_reference(k, s, d):
    checked = invalid = 0
    for _, _, _, pl, pr in (g for g in GRID if g[:3] == (k, s, d)):
        spec = ConvSpec(k, stride=s, padding=((pl, pr),), dilation=d)
        for n in range(1, 9):
            if n + pl + pr < d * (k - 1) + 1:
                with pytest.raises(ShapeError, match="too small"):
                    conv_matrix(spec, symbols(k), (n,))
                invalid += 1
                continue
            w = RNG.integers(-5, 6, size=(1, 1, k))
            x = RNG.integers(-5, 6, size=(1, n))
            M = conv_matrix(spec, w, (n,))
            np.testing.assert_array_equal(M.to_numpy() @ x.ravel(), numeric.conv(spec, w, x).ravel())
            np.testing.assert_array_equal(M.matvec(x), numeric.conv(spec, w, x))
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("k, s, d", sorted({g[:3] for g in GRID}))
def test_transposed_matrix_matches_reference_and_instance_proof(k, s, d):
    checked = 0
    for _, _, _, pl, pr in (g for g in GRID if g[:3] == (k, s, d)):
        for a in range(max(s, d)):
            t = TransposedConvSpec(k, stride=s, padding=((pl, pr),), output_padding=a, dilation=d)
            for n in range(1, 9):
                n_t = (n - 1) * s - pl - pr + d * (k - 1) + a + 1
                if n_t < 1:
                    with pytest.raises(ShapeError, match="empty output"):
                        transposed_conv_matrix(t, symbols(k), (n,))
                    continue
                proof = prove_transpose(t, (n,))  # T = (S M)^T, gather and scatter views, exactly
                assert proof.holds, proof.failure
                assert proof.data["M"].shape[0] == n + a // s
                assert proof.data["selection_is_identity"] == (a < s)
                wn = RNG.integers(-5, 6, size=(1, 1, k))
                y = RNG.integers(-5, 6, size=(1, n))
                Tn = transposed_conv_matrix(t, wn, (n,))
                np.testing.assert_array_equal(Tn.matvec(y), numeric.conv_transpose(t, wn, y))
                checked += 1
    assert checked > 0
