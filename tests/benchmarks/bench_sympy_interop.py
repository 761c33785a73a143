"""ConvMatrix with sympy: conversions and products against sympy's own routes (run: python tests/benchmarks/bench_sympy_interop.py).

Not a test (pytest does not collect it).  Every ratio compares two ways of
getting the same matrix, measured in one run on one machine.  2-D, one
channel, 3x3 symbolic kernel, stride 2, padding 1, as in bench_scale.py.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time

import sympy

from symconv import ConvSpec, conv_matrix, kernel_symbols

SPEC = ConvSpec((3, 3), stride=2, padding=1)
REPEAT = 5


def timed(fn, repeat=REPEAT):
    gc.collect()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def row(n: int, w) -> str:
    """One table row: the input n x n."""
    M = conv_matrix(SPEC, w, (n, n))
    S = M.to_sympy()
    t_sym, a = timed(lambda: sympy.sympify(M))
    t_imm, b = timed(lambda: M.to_sympy().as_immutable())
    assert a == b
    t_dense, c = timed(lambda: sympy.Matrix(M), repeat=1)
    t_entries, d = timed(lambda: sympy.Matrix(M.shape[0], M.shape[1], lambda i, j: M[int(i), int(j)]), repeat=1)
    assert c == d
    t_prod, e = timed(lambda: (M @ M.T).to_sympy(), repeat=3)  # made explicit, to compare like with like
    t_sp, f = timed(lambda: S * S.T, repeat=1)
    assert e == f
    return (f"| {n}x{n} | {M.shape[0]}x{M.shape[1]} | {M.nnz} | {t_sym * 1e3:.1f} ms | {t_imm * 1e3:.1f} ms | "
            f"{t_sym / t_imm:.2f} | {t_dense:.2f} s | {t_entries:.2f} s | {t_dense / t_entries:.2f} | "
            f"{t_prod * 1e3:.0f} ms | {t_sp:.2f} s | {t_prod / t_sp:.3f} |")


def main(sizes=(16, 32)) -> None:
    w = kernel_symbols(SPEC)
    print("| input | shape | nnz | sympify(M) | to_sympy().as_immutable() | ratio | sympy.Matrix(M) | "
          "Matrix(rows, cols, M[i, j]) | ratio | (M @ M.T).to_sympy() | S * S.T (sympy) | ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        print(row(n, w))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
