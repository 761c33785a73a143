"""Speed and scale of symconv against the naive way and the numeric floor (run: python tests/benchmarks/bench_scale.py).

Not a test (pytest does not collect it).  Everything is measured in one run on
one machine; the ratios are what matters.  Set BENCH_QUICK=1 for a short run.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import sympy

import symconv
from symconv import ConvSpec, kernel_symbols, prove_transpose, prove_transpose_general

QUICK = os.environ.get("BENCH_QUICK") == "1"
REPEAT = 3 if QUICK else 9
SIZES = (32, 64, 128) if QUICK else (32, 64, 128, 256)
SPEC = ConvSpec((3, 3), stride=2, padding=1)


def timed(fn, repeat=REPEAT):
    """Median wall time of ``fn()``; garbage from earlier stages is collected first, so that
    no stage pays for another's objects."""
    import gc

    gc.collect()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def floor_pattern(n):
    """Baseline 2: M's sparsity pattern as numpy does it plainly (one meshgrid, mask, masked arrays)."""
    n_out = (n + 2 - 2 - 1) // 2 + 1
    oi, oj, mi, mj = np.meshgrid(np.arange(n_out), np.arange(n_out), np.arange(3), np.arange(3), indexing="ij")
    ii, jj = 2 * oi + mi - 1, 2 * oj + mj - 1
    mask = (ii >= 0) & (ii < n) & (jj >= 0) & (jj < n)
    rows = (oi * n_out + oj)[mask]
    cols = (ii * n + jj)[mask]
    taps = (mi * 3 + mj)[mask]
    return rows, cols, taps


def naive(n):
    """Baseline 1: dense sympy matrices filled in a Python loop, compared by generic arithmetic."""
    w = kernel_symbols(SPEC)
    n_out = (n - 1) // 2 + 1
    M = sympy.zeros(n_out * n_out, n * n)
    T = sympy.zeros(n * n, n_out * n_out)
    for oi in range(n_out):
        for oj in range(n_out):
            for mi in range(3):
                for mj in range(3):
                    i, j = 2 * oi + mi - 1, 2 * oj + mj - 1
                    if 0 <= i < n and 0 <= j < n:
                        M[oi * n_out + oj, i * n + j] = w[0, 0, mi, mj]
                        T[i * n + j, oi * n_out + oj] = w[0, 0, mi, mj]
    return (M.T - T).is_zero_matrix


def anchors_only(proof):
    """The two anchor steps of an instance proof alone (M and T against the numeric definitions)."""
    from symconv.numeric import conv, conv_transpose
    from symconv.proofs.anchors import anchor_step

    d = proof.data
    tspec, cspec = d["tspec"], d["conv_spec"]
    a = anchor_step("M", d["M"], lambda w, x: conv(cspec, w, x), cspec.weight_shape, 9, None, None, "")
    b = anchor_step("T", d["T"], lambda w, y: conv_transpose(tspec, w, y), tspec.weight_shape, 9, None, None, "")
    assert a.holds and b.holds


def view_steps(proof):
    """The gather-view step and the polyphase-view step of an instance proof, each built again from its factors."""
    from symconv.proofs.assembly import gather_factors
    from symconv.proofs.instance import equality_step
    from symconv.proofs.polyphase import polyphase_step

    d = proof.data
    tspec, w, T, shape = d["tspec"], d["weight"], d["T"], d["input_shape"]
    t_gather, g = timed(lambda: equality_step("gather view", T, lambda: gather_factors(tspec, w, shape)[0],
                                              None, None, ""))
    t_poly, p = timed(lambda: polyphase_step(tspec, w, shape, T))
    assert g.holds and p.holds
    return t_gather, t_poly


def child(code):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


PEAK = ("import json, re\nprint(json.dumps(int(re.search(r'VmHWM:\\s+(\\d+)', "
        "open('/proc/self/status').read()).group(1)) / 1024))")


def rss_of(call):
    """Peak RSS (MB) of a fresh interpreter running ``call`` (VmHWM: reset at exec, unlike ru_maxrss)."""
    return child(f"import symconv\nfrom symconv import *\n{call}\n{PEAK}")


def run_time(argv):
    """Wall time of a whole command."""
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def import_time(module):
    """Median time of ``import module`` in fresh interpreters.

    symconv's bytecode is compiled first, as pip does for an installed package (with
    PYTHONDONTWRITEBYTECODE set, an editable checkout would otherwise recompile its
    sources on every import, which sympy's installed bytecode never does).
    """
    import compileall
    import pathlib

    compileall.compile_dir(str(pathlib.Path(symconv.__file__).parent), quiet=1)
    code = f"import time, json\nt = time.perf_counter()\nimport {module}\nprint(json.dumps(time.perf_counter() - t))"
    return statistics.median(child(code) for _ in range(REPEAT))


def fit(xs, ts):
    return math.log(ts[-1] / ts[-2]) / math.log(xs[-1] / xs[-2])


def main() -> None:
    print(f"symconv {symconv.__version__}, sympy {sympy.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}")
    rows, proof_t, floor_t, sympy_t, floor_sympy_t, nnzs, bare_t = [], [], [], [], [], [], []
    for n in SIZES:
        t_proof, proof = timed(lambda n=n: prove_transpose(SPEC, (n, n)))
        assert proof.holds
        t_anchors, _ = timed(lambda proof=proof: anchors_only(proof))
        bare_t.append(t_proof - t_anchors)
        t_floor, (r, _, _) = timed(lambda n=n: floor_pattern(n))
        M = proof.data["M"]
        t_sym, S = timed(lambda M=M: M.to_sympy())
        sympy_nnz = S.nnz()
        del S
        entries = dict(zip(zip(M.structure.rows.tolist(), M.structure.cols.tolist()),
                           [M.weight[(0, 0) + divmod(int(t), 3)] for t in M.structure.taps]))
        t_floor_sym, _ = timed(lambda entries=entries, M=M: sympy.SparseMatrix(M.shape[0], M.shape[1], entries))
        assert sympy_nnz == len(entries) == r.size
        del entries
        proof_t.append(t_proof)
        floor_t.append(t_floor)
        sympy_t.append(t_sym)
        floor_sympy_t.append(t_floor_sym)
        nnzs.append(r.size)
        rows.append((f"{n}x{n}", r.size, t_proof, t_floor, t_proof / t_floor, t_sym, t_floor_sym, t_sym / t_floor_sym))
    print("\n2-D, 1 channel, 3x3 symbolic kernel, stride 2, padding 1 (medians of", REPEAT, "runs)")
    print(f"{'input':>9} {'nnz':>8} {'proof s':>9} {'floor s':>9} {'proof/floor':>11} {'to_sympy s':>10} "
          f"{'SparseMatrix s':>14} {'ratio':>6}")
    for row in rows:
        print(f"{row[0]:>9} {row[1]:>8} {row[2]:9.4f} {row[3]:9.4f} {row[4]:11.1f} {row[5]:10.4f} {row[6]:14.4f} {row[7]:6.2f}")
    print("anchors (M and T against the numeric definitions, bound 2^-60): proof with / without anchors")
    for n, t_with, t_without in zip(SIZES, proof_t, bare_t):
        print(f"  {n}x{n}: {t_with:.4f} s / {t_without:.4f} s = {t_with / t_without:.2f}")
    print("views (each step builds its factors and multiplies them): gather view / polyphase view")
    for n in SIZES:
        t_gather, t_poly = view_steps(prove_transpose(SPEC, (n, n)))
        print(f"  {n}x{n}: gather {t_gather:.4f} s, polyphase {t_poly:.4f} s, polyphase/gather {t_poly / t_gather:.2f}")
    print(f"growth exponent in nnz (two largest sizes): proof {fit(nnzs, proof_t):.2f}, floor {fit(nnzs, floor_t):.2f}, "
          f"to_sympy {fit(nnzs, sympy_t):.2f}")

    print("\nbaseline 1 (naive dense sympy):")
    for n in (32, 64):
        t_naive, ok = timed(lambda n=n: naive(n), repeat=1 if n == 64 else 3)
        t_proof = proof_t[SIZES.index(n)]
        assert ok
        print(f"  {n}x{n}: naive {t_naive:.3f} s, symconv proof {t_proof:.4f} s, speed-up {t_naive / t_proof:.0f}x")

    extra = [
        ("3-D 3x3x3, s=2, p=1, 24^3", ConvSpec((3, 3, 3), stride=2, padding=1), (24, 24, 24)),
        ("8->8 channels, 2 groups, 32x32", ConvSpec((3, 3), stride=2, padding=1, in_channels=8, out_channels=8, groups=2), (32, 32)),
    ]
    for label, spec, shape in extra:
        t, proof = timed(lambda spec=spec, shape=shape: prove_transpose(spec, shape))
        assert proof.holds
        print(f"{label}: proof {t:.4f} s, nnz(M) {proof.data['M'].nnz}")

    print()
    for ndim in (1, 2, 3):
        t_general, proof = timed(lambda ndim=ndim: prove_transpose_general(ndim), repeat=3)
        assert proof.holds
        slowest = max(claim.seconds for claim in proof.claims)
        print(f"parametric proof ({ndim}-D, {len(proof.claims)} z3 claims): {t_general:.2f} s "
              f"(slowest claim {slowest:.3f} s)")
    cli = ("from symconv.cli import main\nimport tempfile, os\nd = tempfile.mkdtemp()\n"
           "raise SystemExit(main(['prove', '--general', '-o', os.path.join(d, 'g.tex')]))")
    t_cli = statistics.median(run_time([sys.executable, "-c", cli]) for _ in range(3))
    t_bare_sympy = statistics.median(run_time([sys.executable, "-c", "import sympy"]) for _ in range(3))
    print(f"`symconv prove --general` {t_cli:.2f} s, `python -c 'import sympy'` {t_bare_sympy:.2f} s, "
          f"ratio {t_cli / t_bare_sympy:.2f}")

    t_sym_import, t_conv_import = import_time("sympy"), import_time("symconv")
    print(f"import sympy {t_sym_import:.3f} s, import symconv {t_conv_import:.3f} s, ratio {t_conv_import / t_sym_import:.2f}")

    big = SIZES[-1]
    base = child(PEAK)
    rss_imp = rss_of("pass")
    rss_proof = rss_of(f"assert prove_transpose(ConvSpec((3, 3), stride=2, padding=1), ({big}, {big})).holds")
    rss_sym = rss_of(f"conv_matrix(ConvSpec((3, 3), stride=2, padding=1), kernel_symbols(ConvSpec((3, 3))), ({big}, {big})).to_sympy()")
    print(f"peak RSS (MB): bare python {base:.0f}, import symconv {rss_imp:.0f}, {big}x{big} proof {rss_proof:.0f}, "
          f"{big}x{big} to_sympy {rss_sym:.0f}")


if __name__ == "__main__":
    main()
