"""Time to port and verify a 64 -> 32 channel ConvTranspose2d(4, stride=2, padding=1) on 28x28, per target
(run: python tests/benchmarks/bench_translate.py).

Not a test (pytest does not collect it).  Each target runs in its own process, so that one framework's import,
threads and caches do not touch another's; the framework's import is excluded from the time.  The baseline,
measured in the same run and the same way, is symconv.testing's check of the torch module itself
(assert_module_is_transposed_convolution, no port).  Printed: the first (cold: tracing, XLA compilation, ONNX
session) port + verify, the median of the next REPEAT, and both against the baseline.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
TARGETS = ("torch", "jax", "flax", "keras", "onnx")

_CHILD = r"""
import json, os, sys, time
os.environ.setdefault("KERAS_BACKEND", "jax")
target, repeat = sys.argv[1], int(sys.argv[2])
imports = {"torch": ["torch"], "jax": ["jax"], "flax": ["jax", "flax.linen"], "keras": ["jax", "keras"],
           "onnx": ["onnx", "onnxruntime"], "baseline": ["torch"]}[target]
t0 = time.perf_counter()
for name in imports:
    __import__(name)
import torch
torch.set_num_threads(1)
from symconv import TransposedConvSpec
from symconv.translate import port
from symconv.testing import assert_module_is_transposed_convolution
import_s = time.perf_counter() - t0
spec = TransposedConvSpec((4, 4), stride=2, padding=1, in_channels=64, out_channels=32)
times, bounds = [], []
for _ in range(1 + repeat):
    t = time.perf_counter()
    if target == "baseline":
        layer = torch.nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1)
        v = assert_module_is_transposed_convolution(layer, (28, 28))
    else:
        v = port(spec, target, input_shape=(28, 28)).verify()
    times.append(time.perf_counter() - t)
    bounds.append(v.log2_bound)
print(json.dumps(dict(target=target, import_s=import_s, times=times, log2_bound=max(bounds))))
"""


def run(target: str) -> dict:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""), OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-c", _CHILD, target, str(REPEAT)], capture_output=True, text=True,
                          env=env, timeout=1800)
    if proc.returncode != 0:
        raise SystemExit(f"{target}: the child failed\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    base = run("baseline")
    base_cold, base_warm = base["times"][0], statistics.median(base["times"][1:])
    print("64 -> 32 channel ConvTranspose2d(4, stride=2, padding=1) on 28x28, port + verify (float32, exact, "
          f"bound <= 2^-60); import excluded; warm = median of {REPEAT}")
    print(f"baseline (testing.assert_module_is_transposed_convolution on the torch module): cold {base_cold:.3f} s, "
          f"warm {base_warm:.3f} s")
    print(f"{'target':8} {'import':>8} {'cold':>8} {'warm':>8} {'cold/base':>10} {'warm/base':>10} {'bound':>8}")
    worst = 0.0
    for target in TARGETS:
        r = run(target)
        cold, warm = r["times"][0], statistics.median(r["times"][1:])
        worst = max(worst, cold)
        print(f"{target:8} {r['import_s']:7.2f}s {cold:7.3f}s {warm:7.3f}s {cold / base_cold:10.2f} "
              f"{warm / base_warm:10.2f} {r['log2_bound']:8.1f}")
    print(f"slowest cold port + verify: {worst:.3f} s (budget 2 s): {'within' if worst <= 2 else 'OVER'}")


if __name__ == "__main__":
    main()
