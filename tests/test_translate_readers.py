"""translate.read: Flax, Keras, ONNX and PyTorch layers into (spec, weight, bias), checked against each framework's
own output; refusals with the reason; ONNX files as untrusted input."""

from __future__ import annotations

import os

import numpy as np
import pytest

from symconv import ConvSpec, SizeLimitError, SpecError, SymconvError, TransposedConvSpec
from symconv.translate import read, verify_function

os.environ.setdefault("KERAS_BACKEND", "jax")


def need(*names):
    from conftest import require_module

    return [require_module(name, "jax" if name == "jax" else "ports") for name in names]


def _ints(rng, shape):
    return rng.integers(-3, 4, shape).astype(np.float32)


# --- Keras -------------------------------------------------------------------------------------------------

KERAS = [("Conv2DTranspose", 3, 2, dict(padding="same")), ("Conv2DTranspose", 4, 2, dict(padding="same")),
         ("Conv2DTranspose", 3, 2, dict(padding="valid")), ("Conv2DTranspose", 1, 3, dict(padding="valid")),
         ("Conv2DTranspose", 3, 2, dict(padding="same", output_padding=1)),
         ("Conv2DTranspose", 2, 1, dict(padding="same", dilation_rate=2)),
         ("Conv1DTranspose", 5, 3, dict(padding="same")),
         ("Conv2D", 3, 2, dict(padding="same")), ("Conv2D", 4, 1, dict(padding="same", dilation_rate=2)),
         ("Conv1D", 3, 1, dict(padding="causal", dilation_rate=2)), ("Conv2D", 3, 1, dict(padding="valid", groups=3))]


@pytest.mark.parametrize("name,k,s,options", KERAS)
def test_keras_layers_read_and_verified_against_keras(name, k, s, options):
    (keras,) = need("keras")
    rng = np.random.default_rng(0)
    nd = int(name[4])
    shape = (5, 6)[:nd] if nd == 2 else (7,)
    layer = getattr(keras.layers, name)(6, k, strides=s, **options)
    layer.build((None,) + shape + (3,))
    layer.set_weights([_ints(rng, w.shape) for w in layer.get_weights()])
    spec, w, b = read(layer, input_shape=shape)

    def keras_fn(x):
        return np.moveaxis(np.asarray(layer(np.moveaxis(x, 1, -1))), -1, 1)

    assert verify_function(keras_fn, spec, w, shape, bias=b, framework="numpy", dtype="float32").log2_bound <= -60


def test_keras_same_is_padding_0_1():
    (keras,) = need("keras")
    layer = keras.layers.Conv2DTranspose(1, 3, strides=2, padding="same")
    layer.build((None, 16, 16, 1))
    spec, _, _ = read(layer)
    assert spec.padding == ((0, 1), (0, 1)) and spec.output_padding == (0, 0)


def test_keras_refusals():
    (keras,) = need("keras")
    with pytest.raises(SpecError, match="not built"):
        read(keras.layers.Conv2D(2, 3))
    layer = keras.layers.Conv2D(2, 3, strides=2, padding="same")
    layer.build((None, 5, 5, 1))
    with pytest.raises(SpecError, match="input_shape"):
        read(layer)  # 'same' with stride 2 depends on the input length
    dense = keras.layers.Dense(3)
    dense.build((None, 4))
    with pytest.raises(TypeError, match="not a convolution"):
        read(dense)


# --- Flax --------------------------------------------------------------------------------------------------

FLAX = [("ConvTranspose", 3, 2, dict(padding="SAME", transpose_kernel=True)),
        ("ConvTranspose", 3, 2, dict(padding="VALID")),  # Flax's default transpose_kernel=False, read either way
        ("ConvTranspose", 4, 2, dict(padding=((2, 2), (1, 2)), transpose_kernel=True)),
        ("ConvTranspose", 1, 3, dict(padding="VALID", transpose_kernel=True)),
        ("ConvTranspose", 3, 2, dict(padding=((2, 3), (2, 4)), kernel_dilation=2)),
        ("Conv", 3, 2, dict(padding="SAME")), ("Conv", 3, 1, dict(padding=1, feature_group_count=3)),
        ("Conv", 2, 2, dict(padding=((0, 1), (1, 0)), kernel_dilation=(1, 2)))]


@pytest.mark.parametrize("name,k,s,options", FLAX)
def test_flax_modules_read_and_verified_against_flax(name, k, s, options):
    jax, _ = need("jax", "flax")
    import flax.linen as nn
    import jax.numpy as jnp

    rng = np.random.default_rng(1)
    module = getattr(nn, name)(features=6, kernel_size=(k, k), strides=s, **options)
    params = module.init(jax.random.key(0), jnp.zeros((1, 5, 6, 3)))["params"]
    params = jax.tree_util.tree_map(lambda a: jnp.asarray(_ints(rng, a.shape)), params)
    spec, w, b = read(module, {"params": params}, input_shape=(5, 6))

    def flax_fn(x):
        return np.moveaxis(np.asarray(module.apply({"params": params}, jnp.asarray(np.moveaxis(x, 1, -1)))), -1, 1)

    assert verify_function(flax_fn, spec, w, (5, 6), bias=b, framework="numpy", dtype="float32").log2_bound <= -60


def test_flax_refusals():
    jax, _ = need("jax", "flax")
    import flax.linen as nn
    import jax.numpy as jnp

    beyond = nn.ConvTranspose(features=1, kernel_size=(3,), strides=(2,), padding=((3, 2),))
    params = beyond.init(jax.random.key(0), jnp.zeros((1, 4, 1)))
    with pytest.raises(SpecError, match=r"beyond the dilated kernel's reach d\(k-1\) = 2"):
        read(beyond, params)
    with pytest.raises(SpecError, match="pass its params"):
        read(beyond)
    circular = nn.ConvTranspose(features=1, kernel_size=(3,), padding="CIRCULAR")
    with pytest.raises(SpecError, match="CIRCULAR"):
        read(circular, circular.init(jax.random.key(0), jnp.zeros((1, 4, 1))))


# --- PyTorch -----------------------------------------------------------------------------------------------


def test_torch_modules(torch):
    layer = torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2)
    spec, w, b = read(layer)
    assert spec == TransposedConvSpec.from_torch(layer) and w.shape == spec.weight_shape and b.shape == (6,)
    spec, w, b = read(torch.nn.Conv1d(2, 3, 3, bias=False))
    assert isinstance(spec, ConvSpec) and b is None


# --- ONNX --------------------------------------------------------------------------------------------------


def _onnx_model(op="ConvTranspose", w_shape=(2, 3, 3, 3), x_shape=("N", 2, 5, 6), initializer=True, check=True,
                **attrs):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(2)
    w = _ints(rng, w_shape)
    c_out = w_shape[1] * attrs.get("group", 1) if op == "ConvTranspose" else w_shape[0]
    b = _ints(rng, (c_out,))
    node = helper.make_node(op, ["X", "W", "B"], ["Y"], **attrs)
    inits = [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")] if initializer else []
    inputs = [helper.make_tensor_value_info("X", TensorProto.FLOAT, list(x_shape))]
    if not initializer:
        inputs += [helper.make_tensor_value_info("W", TensorProto.FLOAT, list(w_shape)),
                   helper.make_tensor_value_info("B", TensorProto.FLOAT, [c_out])]
    graph = helper.make_graph([node], "g", inputs, [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["n", "c", "h", "w"])],
                              initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    if check:
        onnx.checker.check_model(model)
    return model


def _ort_fn(model):
    import onnxruntime

    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return lambda x: session.run(None, {"X": np.asarray(x, np.float32)})[0]


ONNX = [dict(kernel_shape=[3, 3], strides=[2, 2], pads=[0, 1, 1, 0]),
        dict(strides=[2, 2], auto_pad="SAME_UPPER"), dict(strides=[2, 2], auto_pad="SAME_LOWER"),
        dict(strides=[2, 3], output_padding=[1, 2]), dict(strides=[2, 2], output_shape=[10, 12]),
        dict(strides=[2, 2], dilations=[2, 1], pads=[1, 0, 2, 0]), dict(strides=[3, 3], auto_pad="VALID"),
        dict(strides=[2, 2], output_shape=[11, 12], auto_pad="SAME_UPPER")]


@pytest.mark.parametrize("attrs", ONNX)
def test_onnx_conv_transpose_read_and_verified_against_onnxruntime(attrs):
    need("onnx", "onnxruntime")
    model = _onnx_model(**attrs)
    spec, w, b = read(model)
    got = verify_function(_ort_fn(model), spec, w, (5, 6), bias=b, framework="numpy", dtype="float32")
    assert got.log2_bound <= -60


@pytest.mark.parametrize("attrs", [dict(strides=[2, 2], pads=[1, 0, 0, 2]), dict(strides=[2, 2], auto_pad="SAME_UPPER"),
                                   dict(strides=[2, 2], auto_pad="SAME_LOWER"), dict(group=2, dilations=[1, 2])])
def test_onnx_conv_read_and_verified_against_onnxruntime(attrs):
    need("onnx", "onnxruntime")
    model = _onnx_model("Conv", w_shape=(4, 1 if "group" in attrs else 2, 3, 3), **attrs)
    spec, w, b = read(model)
    got = verify_function(_ort_fn(model), spec, w, (5, 6), bias=b, framework="numpy", dtype="float32")
    assert got.log2_bound <= -60


def test_onnx_node_with_its_model_and_a_bare_node():
    need("onnx")
    model = _onnx_model(strides=[2, 2], initializer=False)
    spec, w, b = read(model.graph.node[0], model)
    assert spec.weight_shape == (2, 3, 3, 3) and w is None and b is None
    weights = {"W": np.ones((2, 3, 3, 3)), "B": np.zeros(3)}
    spec2, w2, _ = read(model.graph.node[0], weights)
    assert spec2 == spec and w2.shape == (2, 3, 3, 3)
    with pytest.raises(SpecError, match="weight's shape is unknown"):
        read(model.graph.node[0])


def test_onnx_layers_without_pytorch_meaning_are_refused():
    need("onnx")
    with pytest.raises(SpecError, match="negative begin pad -1"):
        read(_onnx_model(strides=[2, 2], pads=[-1, 0, 0, 0]))
    with pytest.raises(SpecError, match="output_padding 2 >= max"):
        read(_onnx_model(strides=[2, 2], pads=[0, 0, -1, 0], output_padding=[1, 0]))  # a = 2 >= s on axis 0
    assert read(_onnx_model(strides=[2, 2], output_shape=[12, 11]))[0].output_padding == (1, 0)  # a negative end pad
    with pytest.raises(SpecError, match="onnx.checker: Unrecognized attribute: foo"):
        read(_onnx_model(strides=[2, 2], foo=1, check=False))
    odd = _onnx_model(strides=[2, 2], foo=1, check=False)
    with pytest.raises(SpecError, match="attribute 'foo' is not one of"):
        read(odd.graph.node[0], {"W": np.ones((2, 3, 3, 3))})
    with pytest.raises(SpecError, match="pads has 3 entries"):
        read(_onnx_model(pads=[1, 1, 1], check=False))


def test_onnx_untrusted_files(tmp_path):
    """Malformed, truncated, oversized, non-convolution, external data: a symconv error naming what is wrong."""
    need("onnx")
    import onnx
    from onnx import TensorProto, helper

    model = _onnx_model(strides=[2, 2])
    data = model.SerializeToString()
    assert read(data)[0].stride == (2, 2)
    with pytest.raises(SpecError, match="empty"):
        read(b"")
    with pytest.raises(SpecError, match="cannot be parsed"):
        read(b"\xff\xff\xff\xff garbage")
    with pytest.raises(SizeLimitError, match="max_bytes=100"):
        read(data, max_bytes=100)
    path = tmp_path / "model.onnx"
    path.write_bytes(data)
    assert read(str(path))[0] == read(data)[0]
    with pytest.raises(SizeLimitError, match="refused unread"):
        read(path, max_bytes=len(data) - 1)
    with pytest.raises(SpecError, match="cannot read the ONNX file"):
        read(str(tmp_path / "missing.onnx"))
    # every truncation is refused by a symconv error, never a parser's traceback or a partial read
    for cut in range(0, len(data) - 1, 7):
        with pytest.raises(SymconvError):
            read(data[:cut])
    relu = helper.make_model(helper.make_graph(
        [helper.make_node("Relu", ["X"], ["Y"])], "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1])]), opset_imports=[helper.make_opsetid("", 17)])
    with pytest.raises(TypeError, match="no Conv or ConvTranspose node .*Relu"):
        read(relu.SerializeToString())
    external = onnx.ModelProto()
    external.CopyFrom(model)
    tensor = external.graph.initializer[0]
    tensor.ClearField("raw_data")
    tensor.ClearField("float_data")
    tensor.data_location = TensorProto.EXTERNAL
    tensor.external_data.add(key="location", value="/etc/passwd")
    with pytest.raises(SpecError, match="external data"):
        read(external.SerializeToString())
    broken = onnx.ModelProto()
    broken.CopyFrom(model)
    broken.graph.node[0].input[1] = "nowhere"
    with pytest.raises(SpecError, match="onnx.checker"):
        read(broken)
    short = onnx.ModelProto()
    short.CopyFrom(model)
    short.graph.initializer[0].raw_data = short.graph.initializer[0].raw_data[:-4]
    with pytest.raises(SpecError, match="W"):
        read(short.SerializeToString())


def test_read_refuses_other_objects():
    with pytest.raises(TypeError, match="read takes"):
        read(3.5)
    spec = ConvSpec(3)
    assert read(spec) == (spec, None, None)


# --- JAX lax arguments -------------------------------------------------------------------------------------

LAX = [("conv_transpose", dict(strides=(2, 2), padding="SAME", transpose_kernel=True), (3, 3, 2, 3)),
       ("conv_transpose", dict(strides=(2, 1), padding=((1, 2), (2, 2))), (3, 3, 3, 2)),  # jax's default: unflipped
       ("conv_transpose", dict(strides=(2, 2), padding=((1, 1), (0, 1)), rhs_dilation=(2, 1),
                               use_consistent_padding=True, transpose_kernel=True), (3, 2, 2, 3)),
       ("conv_transpose", dict(strides=(3, 3), padding="VALID", dimension_numbers=("NCHW", "OIHW", "NCHW"),
                               transpose_kernel=True), (3, 2, 2, 2)),
       ("conv_general_dilated", dict(window_strides=(1, 1), padding=((2, 1), (0, 3)), lhs_dilation=(2, 3),
                                     feature_group_count=3, dimension_numbers=("NHWC", "HWIO", "NHWC")), (3, 3, 1, 6)),
       ("conv_general_dilated", dict(window_strides=(2, 1), padding="SAME", rhs_dilation=(1, 2)), (6, 3, 3, 2))]


@pytest.mark.parametrize("function,arguments,kernel_shape", LAX)
def test_lax_arguments_read_and_verified_against_lax(function, arguments, kernel_shape):
    jax, = need("jax")
    from symconv.translate import read_lax

    rng = np.random.default_rng(3)
    kernel = _ints(rng, kernel_shape)
    spec, w, b = read_lax(function, kernel, input_shape=(5, 6), **arguments)
    assert b is None
    layout = (arguments.get("dimension_numbers") or ("NCHW" if function == "conv_general_dilated" else "NHWC",))[0]

    def lax_fn(x):
        xin = np.moveaxis(x, 1, -1) if layout == "NHWC" else x
        out = getattr(jax.lax, function)(jax.numpy.asarray(xin), jax.numpy.asarray(kernel), **arguments)
        return np.moveaxis(np.asarray(out), -1, 1) if layout == "NHWC" else np.asarray(out)

    assert verify_function(lax_fn, spec, w, (5, 6), framework="numpy", dtype="float32").log2_bound <= -60


def test_lax_refusals():
    from symconv.translate import read_lax

    k = np.zeros((1, 1, 3))
    with pytest.raises(SpecError, match="lhs_dilation"):
        read_lax("conv_general_dilated", k, window_strides=(2,), padding=((0, 0),), lhs_dilation=(2,))
    with pytest.raises(SpecError, match="unknown arguments"):
        read_lax("conv_transpose", k, stride=(2,))
    with pytest.raises(SpecError, match="beyond the dilated kernel's reach"):
        read_lax("conv_transpose", k, strides=(2,), padding=((3, 0),), dimension_numbers=("NCH", "OIH", "NCH"))
