"""Ports that run: every target on a grid of layers, verified in the target framework by symconv.testing.

Flax, Keras (JAX backend), ONNX and ONNX Runtime are test extras: without them these tests skip with the reason,
and in CI (CI=true) they fail.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from symconv import ConvSpec, SpecError, TransposedConvSpec
from symconv.translate import TARGETS, port, porting_mistakes, verify_function

os.environ.setdefault("KERAS_BACKEND", "jax")  # before keras is imported anywhere in the test run

_EXTRA = {"torch": ["torch"], "jax": ["jax"], "flax": ["jax", "flax"], "keras": ["jax", "keras"],
          "onnx": ["onnx", "onnxruntime"]}


def need(target):
    from conftest import require_module

    for name in _EXTRA[target]:
        require_module(name, "ports" if name in ("flax", "keras", "onnx", "onnxruntime") else name)
    if target == "keras":
        import keras

        if keras.backend.backend() != "jax":
            pytest.fail(f"keras was imported with the {keras.backend.backend()!r} backend; the tests need "
                        "KERAS_BACKEND=jax")


GRID = [
    TransposedConvSpec((4, 4), stride=2, padding=1, in_channels=3, out_channels=2),
    TransposedConvSpec((3, 3), stride=2, padding=((0, 1), (0, 1)), in_channels=2, out_channels=3),  # Keras 'same'
    TransposedConvSpec((3, 2), stride=(2, 3), padding=((2, 0), (1, 1)), output_padding=(1, 2), in_channels=2,
                       out_channels=2),
    TransposedConvSpec((2, 3), stride=(2, 1), padding=((4, 0), (1, 2)), output_padding=(1, 0), dilation=(2, 1),
                       in_channels=1, out_channels=2),  # padding beyond d(k-1): a crop
    TransposedConvSpec((3, 3), stride=2, padding=1, in_channels=4, out_channels=6, groups=2),
    TransposedConvSpec((2, 2), stride=(1, 2), padding=((0, 0), (1, 0)), output_padding=(1, 1), dilation=(3, 2),
                       in_channels=1, out_channels=1),  # a >= s (allowed because d > s)
    TransposedConvSpec(3, stride=3, padding=((1, 0),), output_padding=2, in_channels=2, out_channels=1),
    TransposedConvSpec((2, 1, 2), stride=(2, 1, 1), padding=((1, 0), (0, 0), (0, 1)), in_channels=1, out_channels=2),
    ConvSpec((3, 3), stride=2, padding=((0, 1), (1, 2)), in_channels=4, out_channels=2, groups=2),
    ConvSpec((3, 3), stride=(2, 1), dilation=2, padding=1, in_channels=2, out_channels=3),
    ConvSpec(4, stride=3, padding=((2, 1),), in_channels=1, out_channels=2),
]
SHAPES = {1: (7,), 2: (5, 6), 3: (3, 2, 4)}


def expressible(spec, target):
    """The documented refusals: Keras' ConvTranspose has no groups; ONNX Runtime's output_padding < stride."""
    if target == "keras" and isinstance(spec, TransposedConvSpec) and spec.groups > 1:
        return "has no groups"
    if target == "onnx" and isinstance(spec, TransposedConvSpec) and any(
            a - pr >= s for (_, pr), a, s in zip(spec.padding, spec.output_padding, spec.stride)):
        return "output_padding < stride"
    return None


@pytest.mark.parametrize("target", TARGETS)
def test_every_target_on_the_grid(target):
    need(target)
    checked = 0
    for spec in GRID:
        shape = SHAPES[spec.ndim]
        refusal = expressible(spec, target)
        if refusal:
            with pytest.raises(SpecError, match=refusal):
                port(spec, target, input_shape=shape)
            continue
        for layout in ("channels_first", "channels_last"):
            made = port(spec, target, input_shape=shape, layout=layout)
            verification = made.verify()
            assert verification.log2_bound <= -60, (target, spec, layout)
            checked += 1
    assert checked >= 16


@pytest.mark.parametrize("target", TARGETS)
def test_fn_matches_pytorch_output_and_weights_round_trip(target, torch):
    """port.fn(x, port.weight(w), port.bias(b)) is PyTorch's layer's output, in the target's layout."""
    need(target)
    layer = torch.nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1)
    made = port(layer, target, input_shape=(5, 6))
    x = torch.randn(2, 3, 5, 6)
    want = layer(x).detach().numpy()
    xt = x.numpy()
    if made.layout.endswith("C"):
        xt, want = np.moveaxis(xt, 1, -1), np.moveaxis(want, 1, -1)
    got = made.fn(made.to_array(np.ascontiguousarray(xt)), made.weight(layer.weight), made.bias(layer.bias))
    np.testing.assert_allclose(np.asarray(made.to_numpy(got)), want, rtol=1e-5, atol=1e-5)
    w = layer.weight.detach().numpy()
    np.testing.assert_array_equal(made.weight_to_torch(made.weight(w)), w)


@pytest.mark.parametrize("target", ["jax", "flax", "keras"])
def test_jax_targets_are_jitted(target):
    need(target)
    import jax

    spec = TransposedConvSpec((3, 3), stride=2, padding=((0, 1), (1, 1)), in_channels=2, out_channels=3)
    made = port(spec, target, input_shape=(4, 4))
    shape = (1, 2, 4, 4) if made.layout == "NCHW" else (1, 4, 4, 2)
    w = made.weight(np.ones(spec.weight_shape, np.float32))
    lowered = made.fn.lower(jax.numpy.zeros(shape, jax.numpy.float32), w, None)  # only a jitted function lowers
    assert "conv" in lowered.as_text()
    assert jax.jit(made.fn)(jax.numpy.zeros(shape, jax.numpy.float32), w).shape[0] == 1


def test_sources_run_as_printed_in_a_clean_process():
    """Every target's printed program, pasted into a fresh interpreter without symconv, gives the layer."""
    for target in TARGETS:
        need(target)
    spec = TransposedConvSpec((3, 3), stride=2, padding=((0, 1), (0, 1)), in_channels=2, out_channels=3)
    rng = np.random.default_rng(0)
    w = rng.integers(-3, 4, spec.weight_shape).astype(np.float32)
    b = rng.integers(-3, 4, spec.out_channels).astype(np.float32)
    x = rng.integers(-3, 4, (1, 2, 4, 5)).astype(np.float32)
    from symconv.translate.core import reference

    want = reference(spec, w.astype(np.float64), x[0].astype(np.float64), b)
    programs = []
    for target in TARGETS:
        made = port(spec, target, layout="channels_first")
        programs.append(made.source)
    driver = "\n".join([
        "import json, sys, numpy as np",
        "programs, w, b, x = json.loads(sys.stdin.read())",
        "w, b, x = (np.asarray(v, np.float32) for v in (w, b, x))",
        "for source in programs:",
        "    ns = {}",
        "    exec(source, ns)",
        "    xin = __import__('torch').from_numpy(x) if 'import torch\\n' in source else x",
        "    out = ns['fn'](xin, ns['weight'](w), ns['bias'](b))",
        "    print(json.dumps(np.asarray(out.detach() if hasattr(out, 'detach') else out).tolist()))",
        "assert 'symconv' not in sys.modules"])
    import json

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KERAS_BACKEND")}
    proc = subprocess.run([sys.executable, "-c", driver], input=json.dumps([programs, w.tolist(), b.tolist(),
                                                                           x.tolist()]),
                          capture_output=True, text=True, env=env, timeout=600, cwd="/")
    assert proc.returncode == 0, proc.stderr[-2000:]
    outputs = [np.asarray(json.loads(line)) for line in proc.stdout.splitlines()]
    assert len(outputs) == len(TARGETS)
    for target, out in zip(TARGETS, outputs):
        np.testing.assert_array_equal(out[0], want, err_msg=target)


def test_notes_say_what_was_done():
    need("jax")
    keras_same = TransposedConvSpec((3, 3), stride=2, padding=((0, 1), (0, 1)))
    torch_notes = " ".join(port(keras_same, "torch").notes)
    assert "asymmetric padding" in torch_notes and "cropped" in torch_notes and "nn.Module" in torch_notes
    assert "class CroppedConvTranspose2d(torch.nn.Module)" in port(keras_same, "torch").source
    plain = port(TransposedConvSpec((4, 4), stride=2, padding=1), "jax", input_shape=(28, 28))
    assert not any("XLA" in n for n in plain.notes)  # no workaround where the input shape does not need it
    short = port(TransposedConvSpec((2, 3), stride=(2, 1), padding=1), "jax", input_shape=(3, 1))
    assert any("XLA workaround" in n and "axis 1: input 1 < dilated kernel 3" in n for n in short.notes)
    assert "jnp.pad" in short.source
    unknown = port(TransposedConvSpec((2, 3), stride=(2, 1), padding=1), "jax")
    assert any("input_shape not given" in n for n in unknown.notes)
    with pytest.raises(ValueError, match="shorter than the dilated kernel"):  # refused, not an XLA abort
        unknown.fn(np.zeros((1, 1, 3, 1), np.float32), unknown.weight(np.ones((1, 1, 2, 3), np.float32)))
    assert short.verify().log2_bound <= -60


@pytest.mark.parametrize("target", ["flax", "jax"])
def test_xla_workaround_ports_run(target):
    """The short-input configuration that aborts XLA:CPU runs through the workaround in each JAX target."""
    need(target)
    spec = TransposedConvSpec((2, 3), stride=(2, 1), padding=1, in_channels=1, out_channels=2)
    assert port(spec, target, input_shape=(3, 1)).verify().log2_bound <= -60


def test_a_broken_port_fails_verification(monkeypatch):
    """Break the arithmetic the targets share (the crop of p_l): verification fails, it does not pass quietly."""
    need("jax")
    from symconv.translate import core

    # p_l = 3 > d(k-1) = 2: the gather padding is negative on the left, so the ports crop it
    spec = TransposedConvSpec((3, 3), stride=2, padding=((3, 0), (1, 1)), in_channels=2, out_channels=2)
    assert port(spec, "jax", input_shape=(5, 5)).verify().log2_bound <= -60
    assert any(p.crop[0] for p in core.transposed_plan(spec, (5, 5), full=False))
    original = core.transposed_plan

    def no_left_crop(*args, **kwargs):
        return [core.AxisPlan(p.extra, p.pads, (0, p.crop[1] + p.crop[0])) for p in original(*args, **kwargs)]

    monkeypatch.setattr(core, "transposed_plan", no_left_crop)
    from symconv.translate import to_flax, to_jax

    monkeypatch.setattr(to_jax, "transposed_plan", no_left_crop)
    monkeypatch.setattr(to_flax, "transposed_plan", no_left_crop)
    for target in ("jax", "flax"):
        with pytest.raises(AssertionError, match="is not the transposed convolution"):
            port(spec, target, input_shape=(5, 5)).verify()


def test_flax_default_transpose_kernel_is_diagnosed_by_name():
    """A user's Flax ConvTranspose with the default transpose_kernel=False and PyTorch's weight."""
    need("flax")
    import flax.linen as nn
    import jax.numpy as jnp

    spec = TransposedConvSpec((3, 3), stride=2, padding=1, in_channels=2, out_channels=2)
    w = np.random.default_rng(1).integers(-3, 4, spec.weight_shape).astype(np.float32)
    layer = nn.ConvTranspose(features=2, kernel_size=(3, 3), strides=(2, 2), padding=((1, 1), (1, 1)))
    kernel = jnp.asarray(np.transpose(w, (2, 3, 0, 1)))  # (*k, C_in, C_out): the usual port

    def user(x):
        out = layer.apply({"params": {"kernel": kernel, "bias": jnp.zeros(2)}}, jnp.moveaxis(x, 1, -1))
        return jnp.moveaxis(out, -1, 1)

    with pytest.raises(AssertionError, match="transpose_kernel=False") as info:
        verify_function(user, spec, w, (4, 4), framework="jax", dtype="float32")
    assert "porting mistake" in str(info.value)


def test_keras_same_ported_as_padding_1_output_padding_1_is_diagnosed_by_name(torch):
    """Keras' Conv2DTranspose(3, strides=2, padding='same') is padding (0, 1); the common port is shifted."""
    need("keras")
    import keras

    from symconv.translate import read

    layer = keras.layers.Conv2DTranspose(2, 3, strides=2, padding="same")
    layer.build((None, 6, 6, 2))
    spec, w, b = read(layer)
    assert spec.padding == ((0, 1), (0, 1)) and spec.output_padding == (0, 0)
    wt, bt = torch.from_numpy(w).float(), torch.from_numpy(b).float()

    def common_port(y):
        return torch.nn.functional.conv_transpose2d(y, wt, bt, stride=2, padding=1, output_padding=1)

    with pytest.raises(AssertionError, match="padding=\\(1, 1\\), output_padding=\\(1, 1\\)") as info:
        verify_function(common_port, spec, w, (6, 6), bias=b, framework="torch", dtype="float32")
    assert "values shifted by one pixel" in str(info.value)
    # and the port symconv writes is the layer
    assert port(spec, "torch", input_shape=(6, 6)).verify(w, b).log2_bound <= -60


def test_porting_mistakes_are_real_mistakes():
    """Each catalogued mistake computes something else than the layer (else naming it would be vacuous)."""
    from symconv import numeric

    spec = TransposedConvSpec((3, 3), stride=2, padding=((0, 1), (0, 1)), in_channels=2, out_channels=2)
    rng = np.random.default_rng(0)
    w = rng.integers(-3, 4, spec.weight_shape).astype(np.float64)
    y = rng.integers(-3, 4, (2, 4, 4)).astype(np.float64)
    names = []
    for name, wrong, transform in porting_mistakes(spec):
        names.append(name)
        assert wrong.output_shape((4, 4)) == spec.output_shape((4, 4))
        assert not np.array_equal(numeric.conv_transpose(wrong, transform(w), y), numeric.conv_transpose(spec, w, y))
    assert len(names) == 2


def test_bad_arguments_are_symconv_errors():
    with pytest.raises(SpecError, match="to must be one of"):
        port(TransposedConvSpec(3), "tensorflow")
    with pytest.raises(SpecError, match="layout must be"):
        port(TransposedConvSpec((3, 3)), "torch", layout="NCWH")
    with pytest.raises(TypeError, match="layer must be"):
        port("ConvTranspose2d", "torch")
    with pytest.raises(SpecError, match="1 to 3 spatial axes"):
        port(TransposedConvSpec((1, 1, 1, 1)), "jax")


_SHORT_CHILD = r"""
import json, os, sys
os.environ.setdefault("KERAS_BACKEND", "jax")
from symconv import TransposedConvSpec
from symconv.translate import port
for index, (target, layout, spec, shape) in enumerate(json.loads(sys.stdin.read())):
    print("START", index, flush=True)
    t = TransposedConvSpec(spec[0], stride=spec[1], padding=spec[2], dilation=spec[3], in_channels=spec[4],
                           out_channels=spec[5])
    port(t, target, input_shape=shape, layout=layout).verify()
    print("OK", index, flush=True)
"""


def test_short_inputs_do_not_abort_xla_in_any_jax_target():
    """Inputs shorter than the dilated kernel, where XLA:CPU aborts without the workaround, in a child process
    (an abort is a failure naming the case, not a dead test run)."""
    import json

    for target in ("jax", "flax", "keras"):
        need(target)
    rng = np.random.default_rng(5)
    configs = [([2, 3], [2, 1], 1, [1, 1], 1, 1, [3, 1])]
    while len(configs) < 5:
        k = [int(v) for v in rng.integers(1, 4, 2)]
        s = [int(v) for v in rng.integers(1, 3, 2)]
        d = [int(v) for v in rng.integers(1, 3, 2)]
        p = [int(rng.integers(0, dd * (kk - 1) + 1)) for kk, dd in zip(k, d)]
        shape = [int(v) for v in rng.integers(1, 3, 2)]
        t = TransposedConvSpec(k, stride=s, padding=p, dilation=d)
        try:
            t.output_shape(shape)
        except ValueError:
            continue
        if max(s) > 1 and any(n < dd * (kk - 1) + 1 for n, kk, dd in zip(shape, k, d)):
            configs.append((k, s, p, d, 1, 2, shape))
    cases = [(target, layout, list(c[:6]), c[6]) for c in configs for target in ("jax", "flax", "keras")
             for layout in ("channels_first", "channels_last")]
    import symconv

    root = os.path.dirname(os.path.dirname(os.path.abspath(symconv.__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", _SHORT_CHILD], input=json.dumps(cases), capture_output=True,
                          text=True, env=env, timeout=1200)
    done = [int(line.split()[1]) for line in proc.stdout.splitlines() if line.startswith("OK")]
    started = [int(line.split()[1]) for line in proc.stdout.splitlines() if line.startswith("START")]
    if proc.returncode != 0:
        last = started[-1] if started else None
        pytest.fail(f"the child died (return code {proc.returncode}) at case {cases[last] if last is not None else '?'}"
                    f"\n{proc.stderr[-1500:]}")
    assert len(done) == len(cases)


def test_keras_model_with_set_weights_and_printing():
    """The Keras program's model(w, b): a keras.Sequential whose weights are set with set_weights, equal to fn."""
    need("keras")
    spec = TransposedConvSpec((3, 3), stride=2, padding=((0, 1), (1, 1)), output_padding=(0, 1), in_channels=2,
                              out_channels=3)
    made = port(spec, "keras", input_shape=(4, 5))
    assert str(made) == made.source and "set_weights" in made.source and "Cropping2D" in made.source
    rng = np.random.default_rng(4)
    w = rng.integers(-3, 4, spec.weight_shape).astype(np.float32)
    b = rng.integers(-3, 4, spec.out_channels).astype(np.float32)
    x = rng.integers(-3, 4, (2, 4, 5, 2)).astype(np.float32)
    net = made.namespace["model"](w, b)
    from symconv.translate.core import reference

    want = np.stack([np.moveaxis(reference(spec, w.astype(np.float64), np.moveaxis(xi, -1, 0), b), 0, -1) for xi in x])
    np.testing.assert_array_equal(np.asarray(net(x)), want)
    np.testing.assert_array_equal(np.asarray(made.fn(x, made.weight(w), made.bias(b))), want)
