"""The round trip's instance proof against the transpose proof's gather-view step (run: python tests/benchmarks/bench_gram.py).

Not a test (pytest does not collect it).  Everything is measured in one run, interleaved: each round runs the
gather-view step, the Gram proof and the Gram proof's anchor once each, in that order, so that a change in the
shared machine's load falls on all three alike.  Reported: the least process CPU time of the rounds (the
machine's other jobs add to it, never take from it) and the median wall time, each with its ratio to the gather
step's.  The layer is bench_scale's: 2-D, one channel, 3x3 symbolic kernel, stride 2, padding 1.  Set
BENCH_QUICK=1 for a short run, BENCH_ROUNDS to choose the number of rounds.

The gather-view step (the yardstick) builds the gather view's factors (zero insertion, padding, the stride-1
convolution of the flipped kernel), multiplies them and compares the product with T term by term; it has no
anchor.  The Gram proof is ``prove_gram`` whole: the convention, the anchor "M is the convolution", building M,
"M by axes", each axis's sparse product and its comparisons, the overlap counts, Cauchy-Schwarz.
"""

from __future__ import annotations

import gc
import os
import statistics
import time

from symconv import ConvSpec, prove_gram, prove_transpose
from symconv.numeric import conv
from symconv.proofs.anchors import anchor_step
from symconv.proofs.assembly import gather_factors
from symconv.proofs.instance import equality_step

QUICK = os.environ.get("BENCH_QUICK") == "1"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 5 if QUICK else 30))
SIZES = (64, 128) if QUICK else (64, 128, 256)
SPEC = ConvSpec((3, 3), stride=2, padding=1)


def measure(n: int) -> None:
    shape = (n, n)
    proof = prove_transpose(SPEC, shape)
    assert proof.holds
    tspec, w, t_in, T = proof.data["tspec"], proof.data["weight"], proof.data["input_shape"], proof.data["T"]
    M = proof.data["M"]

    def gather_step():
        step = equality_step("gather view", T, lambda: gather_factors(tspec, w, t_in)[0], None, None, "")
        assert step.holds

    def gram_proof():
        result = prove_gram(SPEC, shape)
        assert result.holds, result.failure
        return result

    def anchor():
        step = anchor_step("M is the convolution", M, lambda wv, x: conv(SPEC, wv, x), SPEC.weight_shape, 9,
                           None, None, "")
        assert step.holds, step.detail

    cases = {"gather": gather_step, "gram": gram_proof, "anchor": anchor}
    cpu = {name: [] for name in cases}
    wall = {name: [] for name in cases}
    for _ in range(ROUNDS):
        for name, fn in cases.items():
            gc.collect()
            c0, w0 = time.process_time(), time.perf_counter()
            fn()
            cpu[name].append(time.process_time() - c0)
            wall[name].append(time.perf_counter() - w0)
    best = {name: min(v) for name, v in cpu.items()}
    med = {name: statistics.median(v) for name, v in wall.items()}
    result = gram_proof()
    terms = sum(int(p.rows.size) for p in result.data["gram_axes"])
    print(f"{n}x{n:<5} {best['gather'] * 1e3:9.2f} {best['gram'] * 1e3:9.2f} {best['gram'] / best['gather']:6.2f} "
          f"{best['anchor'] * 1e3:9.2f} {best['anchor'] / best['gather']:6.2f} "
          f"{med['gather'] * 1e3:9.2f} {med['gram'] * 1e3:9.2f} {med['gram'] / med['gather']:6.2f} "
          f"{terms:10d} {T.structure.size:8d}")


def main() -> None:
    print(f"{ROUNDS} interleaved rounds; cpu = least process CPU time (ms), wall = median wall time (ms)")
    print(f"{'input':>9} {'gather':>9} {'gram':>9} {'ratio':>6} {'anchor':>9} {'ratio':>6} "
          f"{'gather':>9} {'gram':>9} {'ratio':>6} {'axis terms':>10} {'T terms':>8}")
    print(f"{'':>9} {'cpu':>9} {'cpu':>9} {'':>6} {'cpu':>9} {'':>6} {'wall':>9} {'wall':>9}")
    for n in SIZES:
        measure(n)


if __name__ == "__main__":
    main()
