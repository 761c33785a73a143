"""The round trip's instance proof against the transpose proof's gather-view step (run: python tests/benchmarks/bench_gram.py).

Not a test (pytest does not collect it).  Everything is measured in one run; the ratios are what matters.
The layer is bench_scale's: 2-D, one channel, 3x3 symbolic kernel, stride 2, padding 1.  Set BENCH_QUICK=1
for a short run.
"""

from __future__ import annotations

import gc
import os
import statistics
import time

from symconv import ConvSpec, prove_gram, prove_transpose
from symconv.proofs.assembly import gather_factors
from symconv.proofs.instance import equality_step

QUICK = os.environ.get("BENCH_QUICK") == "1"
REPEAT = 3 if QUICK else 7
SIZES = (64, 128) if QUICK else (64, 128, 256)
SPEC = ConvSpec((3, 3), stride=2, padding=1)


def timed(fn, repeat=REPEAT):
    gc.collect()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def measure(n: int) -> None:
    shape = (n, n)
    proof = prove_transpose(SPEC, shape)
    assert proof.holds
    tspec, w, t_in, T = proof.data["tspec"], proof.data["weight"], proof.data["input_shape"], proof.data["T"]

    def gather_step():
        step = equality_step("gather view", T, lambda: gather_factors(tspec, w, t_in)[0], None, None, "")
        assert step.holds
        return step

    def gram_proof():
        result = prove_gram(SPEC, shape)
        assert result.holds, result.failure
        return result


    t_transpose, _ = timed(lambda: prove_transpose(SPEC, shape))
    t_gather, _ = timed(gather_step)
    t_gram, proof = timed(gram_proof)
    t_gather2, _ = timed(gather_step)  # again after: the machine's load drifts
    base = min(t_gather, t_gather2)
    terms = sum(int(p.rows.size) for p in proof.data["gram_axes"])
    print(f"{n}x{n:<5} {base:13.4f} {t_gram:12.4f} {t_gram / base:6.1f} {terms:12d} {T.structure.size:8d} "
          f"{t_transpose:12.4f} {t_gram / t_transpose:6.2f}")


def main() -> None:
    print(f"{'input':>9} {'gather step s':>13} {'gram proof s':>12} {'ratio':>6} {'axis terms':>12} "
          f"{'T terms':>8} {'transpose s':>12} {'ratio':>6}")
    for n in SIZES:
        measure(n)


if __name__ == "__main__":
    main()
