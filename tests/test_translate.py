"""The translations run on the real functions: PyTorch and JAX (CPU, 64-bit), random configurations."""

import numpy as np
import pytest

from symconv import SpecError, TransposedConvSpec, numeric
from symconv.translate import to_jax_conv_general_dilated, to_jax_conv_transpose, to_torch, translation_text


def random_tspecs(seed, count, groups=True, symmetric=False):
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        ndim = int(rng.integers(1, 4))
        g = int(rng.integers(1, 3)) if groups else 1
        k = tuple(int(v) for v in rng.integers(1, 4, ndim))
        s = tuple(int(v) for v in rng.integers(1, 4, ndim))
        d = tuple(int(v) for v in rng.integers(1, 4, ndim))
        a = tuple(int(rng.integers(0, max(si, di))) for si, di in zip(s, d))
        if symmetric:
            pad = tuple(int(rng.integers(0, 4)) for _ in range(ndim))
        else:
            pad = tuple((int(rng.integers(0, 5)), int(rng.integers(0, 5))) for _ in range(ndim))
        t = TransposedConvSpec(k, stride=s, padding=pad, output_padding=a, dilation=d, in_channels=g * int(rng.integers(1, 3)), out_channels=g * int(rng.integers(1, 3)), groups=g)
        shape = tuple(int(v) for v in rng.integers(1, 5, ndim))
        try:
            t.output_shape(shape)
        except ValueError:
            continue
        w = rng.integers(-3, 4, t.weight_shape).astype(np.float64)
        y = rng.integers(-3, 4, (t.in_channels,) + shape).astype(np.float64)
        out.append((t, w, y))
    return out


def _crop(x, crop):
    return x[(slice(None), slice(None)) + tuple(slice(left, x.shape[2 + ax] - right) for ax, (left, right) in enumerate(crop))]


def test_torch_translation(torch):
    for t, w, y in random_tspecs(0, 60, symmetric=True):
        args = to_torch(t)
        fn = getattr(torch.nn.functional, args["function"].rsplit(".", 1)[1])
        got = fn(torch.from_numpy(y)[None], torch.from_numpy(w), stride=args["stride"], padding=args["padding"],
                 output_padding=args["output_padding"], groups=args["groups"], dilation=args["dilation"])[0].numpy()
        np.testing.assert_array_equal(got, numeric.conv_transpose(t, w, y), err_msg=str(t))


def test_torch_refuses_asymmetric_padding():
    with pytest.raises(SpecError, match=r"padding\[0\] = \(1, 2\)"):
        to_torch(TransposedConvSpec(3, padding=((1, 2),)))


# The JAX translations run in a child process: an XLA abort (SIGABRT) there is a test failure naming the
# configuration, not a dead test run.
_CHILD = r"""
import json, sys
import numpy as np
import jax
jax.config.update("jax_enable_x64", True)
from jax import lax
from symconv import TransposedConvSpec, numeric
from symconv.translate import to_jax_conv_general_dilated, to_jax_conv_transpose

for index, case in enumerate(json.loads(sys.stdin.read())):
    print("START", index, flush=True)
    k, s, p, a, d, cin, cout, g = case["spec"]
    t = TransposedConvSpec(k, stride=s, padding=p, output_padding=a, dilation=d, in_channels=cin, out_channels=cout,
                           groups=g)
    rng = np.random.default_rng(index)
    w = rng.integers(-3, 4, t.weight_shape).astype(np.float64)
    y = rng.integers(-3, 4, (t.in_channels,) + tuple(case["shape"])).astype(np.float64)
    shape = case["shape"] if case["with_shape"] else None
    if case["kind"] == "general":
        args = to_jax_conv_general_dilated(t, shape)
    else:
        args = to_jax_conv_transpose(t, shape, transpose_kernel=case["kind"] == "transpose_true")
    yp = np.pad(y[None], [(0, 0), (0, 0)] + [tuple(p) for p in args["input_padding"]])
    kernel = jax.numpy.asarray(np.asarray(args["kernel"](w)))
    if case["kind"] == "general":
        out = lax.conv_general_dilated(
            jax.numpy.asarray(yp), kernel, window_strides=args["window_strides"], padding=args["padding"],
            lhs_dilation=args["lhs_dilation"], rhs_dilation=args["rhs_dilation"],
            dimension_numbers=args["dimension_numbers"], feature_group_count=args["feature_group_count"])
    else:
        out = lax.conv_transpose(jax.numpy.asarray(yp), kernel, strides=args["strides"], padding=args["padding"],
                                 rhs_dilation=args["rhs_dilation"], dimension_numbers=args["dimension_numbers"],
                                 transpose_kernel=args["transpose_kernel"])
    out = np.asarray(out)
    got = out[(0, slice(None)) + tuple(slice(lo, out.shape[2 + ax] - hi) for ax, (lo, hi) in enumerate(args["crop"]))]
    want = numeric.conv_transpose(t, w, y)
    same = got.shape == want.shape and bool(np.array_equal(got, want))
    print("OK" if same else "WRONG", index, bool(args["note"]), flush=True)
"""


def _spec_args(t):
    return [list(t.kernel_size), list(t.stride), [list(p) for p in t.padding], list(t.output_padding),
            list(t.dilation), t.in_channels, t.out_channels, t.groups]


def _run_in_child(cases):
    """Run the cases in a child process; returns {index: (status, workaround used)}; a crash fails the test."""
    import json
    import os
    import subprocess
    import sys

    import symconv

    root = os.path.dirname(os.path.dirname(os.path.abspath(symconv.__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", _CHILD], input=json.dumps(cases), capture_output=True, text=True,
                          env=env, timeout=1200)
    results, last = {}, None
    for line in proc.stdout.splitlines():
        word, index, *rest = line.split()
        if word == "START":
            last = int(index)
        else:
            results[int(index)] = (word, rest == ["True"])
    if proc.returncode != 0:
        where = f"case {last}: {cases[last]}" if last is not None and last not in results else "outside the cases"
        pytest.fail(f"the child process died (return code {proc.returncode}) at {where}\n{proc.stderr[-2000:]}")
    return results


# the issue's reproducer: ConvTranspose2d(1, 1, kernel_size=(2, 3), stride=(2, 1), padding=1) on a 3x1 input
ISSUE_CASE = (TransposedConvSpec((2, 3), stride=(2, 1), padding=1), (3, 1))


def _small_2d_grid(count, seed):
    """Random small 2-D layers with inputs as short as 1: where XLA's simplifier bug lives."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        k = tuple(int(v) for v in rng.integers(1, 4, 2))
        s = tuple(int(v) for v in rng.integers(1, 3, 2))
        d = tuple(int(v) for v in rng.integers(1, 3, 2))
        p = tuple(int(rng.integers(0, dd * (kk - 1) + 1)) for kk, dd in zip(k, d))
        t = TransposedConvSpec(k, stride=s, padding=p, output_padding=0, dilation=d)
        shape = tuple(int(v) for v in rng.integers(1, 4, 2))
        try:
            t.output_shape(shape)
        except ValueError:
            continue
        out.append((t, shape))
    return out


def test_jax_translations_in_a_child_process(jax):
    """The JAX tests' configuration grid, the issue's reproducer and small 2-D layers, for both JAX functions,
    with and without the input shape: no crash, and every output equal to the numeric reference."""
    cases = []
    for n, (t, _w, y) in enumerate(random_tspecs(1, 80)):
        cases.append(dict(kind="general", spec=_spec_args(t), shape=list(y.shape[1:]), with_shape=True))
        if n % 4 == 0:
            cases.append(dict(kind="general", spec=_spec_args(t), shape=list(y.shape[1:]), with_shape=False))
    for kernel_kind in ("transpose_true", "transpose_false"):
        for t, _w, y in random_tspecs(2, 60, groups=False):
            cases.append(dict(kind=kernel_kind, spec=_spec_args(t), shape=list(y.shape[1:]), with_shape=True))
    for t, shape in [ISSUE_CASE] + _small_2d_grid(16, 5):
        for kind in ("general", "transpose_true"):
            for with_shape in (True, False):
                cases.append(dict(kind=kind, spec=_spec_args(t), shape=list(shape), with_shape=with_shape))
    results = _run_in_child(cases)
    wrong = [cases[i] for i, (word, _) in results.items() if word != "OK"]
    assert len(results) == len(cases) and not wrong, wrong[:3]
    issue = [i for i, c in enumerate(cases) if c["spec"] == _spec_args(ISSUE_CASE[0]) and c["shape"] == [3, 1]]
    assert all(results[i][1] for i in issue)  # the workaround was used (and said so) where the abort lives


def test_the_workaround_is_needed(jax):
    """Without input_padding, the issue's arguments abort XLA:CPU: the workaround is not decoration.

    (If a later XLA fixes the bug this test says so, and the workaround may go.)"""
    import subprocess
    import sys

    code = ("import numpy as np; from jax import lax; lax.conv_general_dilated(np.ones((1,1,3,1),np.float32), "
            "np.ones((1,1,2,3),np.float32), (1,1), [(0,0),(1,1)], lhs_dilation=(2,1), "
            "dimension_numbers=('NCHW','OIHW','NCHW')).block_until_ready()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0, "XLA no longer aborts on the issue's reproducer: the workaround may be retired"


def test_workaround_arguments_and_text():
    t, shape = ISSUE_CASE
    plain = to_jax_conv_general_dilated(t, (8, 8))
    assert plain["note"] == "" and plain["input_padding"] == [(0, 0), (0, 0)]
    assert plain["padding"] == [(0, 0), (1, 1)] and plain["crop"] == [(0, 0), (0, 0)]
    fixed = to_jax_conv_general_dilated(t, shape)
    assert fixed["input_padding"] == [(0, 0), (0, 2)] and fixed["padding"] == [(0, 0), (1, 0)]
    assert fixed["crop"] == [(0, 0), (0, 1)] and "axis 1: input 1 < dilated kernel 3" in fixed["note"]
    unknown = to_jax_conv_transpose(t)
    assert unknown["input_padding"] == [(0, 1), (0, 2)] and "input shape is not given" in unknown["note"]
    assert to_jax_conv_general_dilated(TransposedConvSpec(3, stride=1, padding=1))["note"] == ""
    text = translation_text(t, shape)
    assert "pad y by [(0, 0), (0, 2)], then lax.conv_general_dilated" in text and "Workaround: XLA:CPU" in text


def test_jax_default_is_the_unflipped_mistake(jax):
    """Passing PyTorch's weight to lax.conv_transpose unchanged (transpose_kernel=False) is diagnosed."""
    from symconv.testing import assert_is_transposed_convolution

    t = TransposedConvSpec(3, stride=2, padding=1, in_channels=2, out_channels=2)
    w = np.arange(1, 13, dtype=np.float64).reshape(t.weight_shape)
    args = to_jax_conv_transpose(t, (4,), transpose_kernel=True)
    assert args["note"] == ""

    def jax_default(y):
        out = jax.lax.conv_transpose(jax.numpy.asarray(y[None]), jax.numpy.asarray(np.swapaxes(w, 0, 1)),
                                     strides=args["strides"], padding=args["padding"],
                                     dimension_numbers=args["dimension_numbers"])
        return _crop(np.asarray(out), args["crop"])[0]

    with pytest.raises(AssertionError, match="kernel is not flipped"):
        assert_is_transposed_convolution(jax_default, t, w, (4,))


def test_conv_transpose_refuses_groups_and_text():
    t = TransposedConvSpec(3, stride=2, in_channels=2, out_channels=2, groups=2)
    with pytest.raises(SpecError, match="feature_group_count"):
        to_jax_conv_transpose(t)
    text = translation_text(t)
    assert "not expressible" in text and "lhs_dilation=(2,)" in text and "Justification" in text
