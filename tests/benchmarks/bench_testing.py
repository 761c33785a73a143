"""symconv.testing at production sizes (run: python tests/benchmarks/bench_testing.py).

Not a test (pytest does not collect it).  Each measurement runs in its own
subprocess (so that its peak RSS is its own), with torch and BLAS single-threaded.
Targets (issue 13): each verification <= 10 s and <= 1 GB peak RSS; calls constant
in the image side; time and memory growth exponents in the number of inputs <= 1.15
between the two largest sizes; and the ratio against the dense route
(torch.autograd.functional.jacobian) on the largest size that route holds in 1 GB.
Set BENCH_QUICK=1 for a short run.

Before and after (issue 19): the same cases are measured in the same run with the
symconv of a baseline commit (BENCH_BASELINE, by default the parent of the commit
that made symconv.testing a package), exported with git archive, and the ratios
printed; the 64-channel 56×56 layer must stay within 1.5× in time and memory.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

QUICK = os.environ.get("BENCH_QUICK") == "1"
REPEAT = 1 if QUICK else 3
SIDES = (14, 28, 56) if QUICK else (14, 28, 56, 112)
JACOBIAN_SIDES = (2, 4, 6, 8) if QUICK else (2, 4, 6, 8, 10, 12)
MEMORY_BUDGET_MB = 1024
ENV = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONPATH=os.getcwd())


def _rss_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(field)


def _conv_layer(torch, side_unused=None):
    torch.manual_seed(0)
    layer = torch.nn.Conv2d(64, 64, 3, padding=1)
    with torch.no_grad():  # integer-valued weights and bias, float32 as the layer comes
        layer.weight.copy_(torch.randint(-8, 9, layer.weight.shape))
        layer.bias.copy_(torch.randint(-8, 9, layer.bias.shape))
    return layer


def child(kind: str, side: int) -> dict:
    """One measurement in this process: the run's time, peak RSS and the RSS it added."""
    import numpy as np
    import torch

    torch.set_num_threads(1)
    from symconv import TransposedConvSpec
    from symconv.testing import (
        assert_is_transposed_convolution,
        assert_module_is_convolution,
        assert_module_is_transposed_convolution,
    )

    # warm-up on a tiny layer (first-call costs of torch and numpy are not the method's)
    assert_module_is_convolution(torch.nn.Conv2d(2, 2, 3, padding=1), (5, 5))
    result: dict = {"kind": kind, "side": side}
    if kind == "conv":
        layer = _conv_layer(torch)
        run = lambda: assert_module_is_convolution(layer, (side, side))  # noqa: E731
        result["inputs"] = 64 * side * side
    elif kind == "transposed":
        torch.manual_seed(0)
        layer = torch.nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1)
        run = lambda: assert_module_is_transposed_convolution(layer, (side, side))  # noqa: E731
        result["inputs"] = 64 * side * side
    elif kind == "unflipped":
        torch.manual_seed(0)
        layer = torch.nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1)
        spec = TransposedConvSpec((4, 4), stride=2, padding=1, in_channels=64, out_channels=32)
        w, b = layer.weight.detach(), layer.bias.detach()
        wrong = torch.flip(w, (2, 3))  # the kernel deliberately left unflipped in the gather view

        def fn(y):
            return torch.nn.functional.conv_transpose2d(y, wrong, b, stride=2, padding=1)

        def run():
            try:
                assert_is_transposed_convolution(fn, spec, w.numpy(), (side, side), bias=b.numpy(), batched=True)
            except AssertionError as exc:
                return str(exc)
            raise RuntimeError("the unflipped kernel was not detected")

        result["inputs"] = 64 * side * side
    elif kind == "jacobian":
        layer = _conv_layer(torch)
        x = torch.zeros(1, 64, side, side)

        def run():
            return torch.autograd.functional.jacobian(layer, x, vectorize=True)

        result["inputs"] = 64 * side * side
    elif kind == "jacobian_symconv":
        layer = _conv_layer(torch)
        run = lambda: assert_module_is_convolution(layer, (side, side))  # noqa: E731
        result["inputs"] = 64 * side * side
    else:
        raise ValueError(kind)
    before = _rss_mb("VmRSS")
    start = time.perf_counter()
    out = run()
    result["seconds"] = time.perf_counter() - start
    result["peak_mb"] = _rss_mb("VmHWM")
    result["added_mb"] = result["peak_mb"] - before
    if hasattr(out, "calls"):
        result.update(calls=out.calls, log2_bound=out.log2_bound, exact=out.exact, trials=out.trials)
    elif isinstance(out, str):
        result["diagnosis"] = next((line for line in out.splitlines() if line.startswith("diagnosis")), out[:200])
    del np
    return result


def measure(kind: str, side: int, repeat: int = REPEAT, env: dict | None = None) -> dict | None:
    runs = []
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, __file__, "--child", kind, str(side)], capture_output=True, text=True,
                              env=env or ENV)
        if proc.returncode != 0:
            return None if kind == "jacobian" else sys.exit(proc.stderr)
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    best = dict(runs[0])
    best["seconds"] = statistics.median(r["seconds"] for r in runs)
    best["peak_mb"] = statistics.median(r["peak_mb"] for r in runs)
    best["added_mb"] = statistics.median(r["added_mb"] for r in runs)
    return best


def exponent(a: dict, b: dict, key: str) -> float:
    return math.log(b[key] / a[key]) / math.log(b["inputs"] / a["inputs"])


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()


def baseline_env(folder: str) -> tuple[str, dict]:
    """Export the baseline's symconv into ``folder``; the environment that imports it."""
    rev = os.environ.get("BENCH_BASELINE")
    if not rev:
        added = _git("log", "--diff-filter=A", "--format=%H", "--", "symconv/testing/__init__.py").splitlines()
        rev = f"{added[-1]}^"
    rev = _git("rev-parse", "--short", rev)
    archive = subprocess.run(["git", "archive", rev, "symconv"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
    return rev, dict(ENV, PYTHONPATH=folder)


def before_and_after() -> bool:
    """The three target cases with the baseline's symconv and with this one, interleaved, in this run."""
    cases = [("conv", 56, "Conv2d(64, 64, 3, padding=1), 56×56, integer weights"),
             ("transposed", 28, "ConvTranspose2d(64, 32, 4, stride=2, padding=1), 28×28, float weights"),
             ("unflipped", 28, "the same, kernel left unflipped: diagnose")]
    with tempfile.TemporaryDirectory() as folder:
        rev, env = baseline_env(folder)
        print(f"before (symconv at {rev}) and after (this tree), measured in this run, median of {REPEAT}:\n")
        print("| case | time before | time after | ratio | peak RSS before | after | ratio | RSS added before | "
              "after | ratio |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        ok = True
        for kind, side, name in cases:
            before, after = measure(kind, side, env=env), measure(kind, side)
            ratios = [after[k] / before[k] for k in ("seconds", "peak_mb", "added_mb")]
            print(f"| {name} | {before['seconds']:.2f} s | {after['seconds']:.2f} s | {ratios[0]:.2f}× | "
                  f"{before['peak_mb']:.0f} MB | {after['peak_mb']:.0f} MB | {ratios[1]:.2f}× | "
                  f"{before['added_mb']:.0f} MB | {after['added_mb']:.0f} MB | {ratios[2]:.2f}× |")
            if kind == "conv":
                ok = ratios[0] <= 1.5 and ratios[1] <= 1.5 and ratios[2] <= 1.5
        print(f"\n64-channel 56×56 layer within 1.5× of the baseline in time and memory: {'yes' if ok else 'NO'}\n")
    return ok


def main() -> None:
    before_and_after()
    if os.environ.get("BENCH_ONLY_BEFORE_AFTER") == "1":
        return
    rows = []
    targets = [measure("conv", 56), measure("transposed", 28), measure("unflipped", 28)]
    names = ["Conv2d(64, 64, 3, padding=1), 56×56, integer weights: verify",
             "ConvTranspose2d(64, 32, 4, stride=2, padding=1), 28×28, default float weights: verify",
             "the same with the kernel left unflipped: diagnose"]
    print("| case | time | peak RSS | calls | bound | target met |")
    print("|---|---|---|---|---|---|")
    for name, r in zip(names, targets):
        bound = f"2^{r['log2_bound']:.1f}" if "log2_bound" in r else "(diagnosis)"
        ok = r["seconds"] <= 10 and r["peak_mb"] <= MEMORY_BUDGET_MB
        print(f"| {name} | {r['seconds']:.2f} s | {r['peak_mb']:.0f} MB | {r.get('calls', '-')} | {bound} | "
              f"{'yes' if ok else 'NO'} |")
        rows.append(r)
    print(f"\ndiagnosis found: {targets[2].get('diagnosis')}\n")
    growth = [measure("conv", side) for side in SIDES]
    print("| Conv2d(64, 64, 3) side | inputs | calls | time | RSS added |")
    print("|---|---|---|---|---|")
    for r in growth:
        print(f"| {r['side']} | {r['inputs']} | {r['calls']} | {r['seconds']:.3f} s | {r['added_mb']:.0f} MB |")
    a, b = growth[-2], growth[-1]
    print(f"\ngrowth exponents between the two largest sizes: time {exponent(a, b, 'seconds'):.2f}, "
          f"RSS added {exponent(a, b, 'added_mb'):.2f} (target <= 1.15); calls {sorted({r['calls'] for r in growth})}")
    held = None
    for side in JACOBIAN_SIDES:
        r = measure("jacobian", side, repeat=1)
        if r is None or r["peak_mb"] > MEMORY_BUDGET_MB:
            break
        held = measure("jacobian", side)
    if held is None:
        print("\ntorch.autograd.functional.jacobian holds no size in the budget")
        return
    ours = measure("jacobian_symconv", held["side"])
    print(f"\ndense route: torch.autograd.functional.jacobian(vectorize=True) at {held['side']}×{held['side']} "
          f"({held['inputs']} inputs, the largest within {MEMORY_BUDGET_MB} MB): {held['seconds']:.2f} s, "
          f"{held['peak_mb']:.0f} MB peak; symconv at the same size: {ours['seconds']:.3f} s, {ours['peak_mb']:.0f} MB "
          f"peak; ratio {held['seconds'] / ours['seconds']:.0f}× (the Jacobian alone, before any comparison)")
    print(json.dumps({"targets": rows, "growth": growth, "jacobian": held, "symconv_at_jacobian_size": ours}))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], int(sys.argv[3]))))
    else:
        main()
