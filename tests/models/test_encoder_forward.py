import keras
import numpy as np
import pytest
import tensorflow as tf

from models import encoder_forward
from models.encoder_forward import encode, is_chain, is_product_convolution
from models.encoder_spec import ConvLayerSpec, EncoderSpec, resolve_encoder_spec
from models.genc_model import genc_model
from models.time_step import time_steps

# Product convolutions (kernel a multiple of the stride: 1, 2 and 3 shifts, patches narrower and
# wider than the outputs) after causal pads and beside ordinary ones (kernel 5, stride 2).
MIXED_SPEC = EncoderSpec(
    layers=(
        ConvLayerSpec(1, 6, 4, 4, 0),
        ConvLayerSpec(6, 5, 6, 3, 3),
        ConvLayerSpec(5, 4, 5, 2, 3),
        ConvLayerSpec(4, 9, 3, 1, 2),
        ConvLayerSpec(9, 3, 6, 2, 0),
    ),
    dim_z=3,
)
# The modern preset's shape: the paper's overlapping layers, each normalised over its channels.
CHANNEL_NORM_SPEC = EncoderSpec(
    layers=(
        ConvLayerSpec(1, 8, 10, 5, 5),
        ConvLayerSpec(8, 8, 8, 4, 4),
        ConvLayerSpec(8, 8, 4, 2, 2),
    ),
    dim_z=8,
    norm="channel",
    activate_last=True,
)


@pytest.fixture
def products_everywhere(monkeypatch):
    """Every product convolution computed as products, however small, so that the tests cover them."""
    monkeypatch.setattr(encoder_forward, "_WIDE_PRODUCTS_MIN_MULTIPLY_ADDS", 0)


def random_audio(batch, samples, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (batch, samples)).astype(np.float32)


def outputs_and_gradients(encoder, audio, forward):
    """The encoder output and the gradients of a fixed nonlinear function of it."""
    audio = tf.constant(audio)
    with tf.GradientTape() as tape:
        tape.watch(audio)
        z = forward(audio)
        objective = tf.reduce_sum(tf.sin(z) * tf.range(1.0, z.shape[-1] + 1.0))
    gradients = tape.gradient(objective, [audio, *encoder.trainable_variables])
    return z.numpy(), [gradient.numpy() for gradient in gradients]


@pytest.mark.parametrize(
    "spec, samples",
    [
        (resolve_encoder_spec("seed"), 2048),
        (resolve_encoder_spec("seed"), 2000),
        (resolve_encoder_spec("paper"), 1600),
        (resolve_encoder_spec("paper"), 1703),
        (MIXED_SPEC, 401),
        (CHANNEL_NORM_SPEC, 389),
    ],
    ids=[
        "seed-whole-frames",
        "seed-leftover-samples",
        "paper-whole-frames",
        "paper-leftover-samples",
        "mixed-layers",
        "channel-norm",
    ],
)
def test_encode_equals_the_keras_call_with_the_same_gradients(spec, samples, products_everywhere):
    keras.utils.set_random_seed(3)
    encoder = genc_model(spec)
    audio = random_audio(3, samples)

    fast, fast_gradients = outputs_and_gradients(encoder, audio, lambda a: encode(encoder, a, training=True))
    reference, reference_gradients = outputs_and_gradients(encoder, audio, lambda a: encoder(a, training=True))

    assert is_chain(encoder)
    assert fast.shape == (3, spec.num_frames(samples), spec.dim_z)
    np.testing.assert_allclose(fast, reference, rtol=1e-5, atol=1e-5)
    assert len(fast_gradients) == 1 + len(encoder.trainable_variables)
    for fast_gradient, reference_gradient in zip(fast_gradients, reference_gradients, strict=True):
        # A gradient entry is a float32 sum of many products, so the two summation orders differ by
        # an error in proportion to the tensor's largest entries, not to the entry itself: an
        # entry of 0.24 beside entries of 70 may move by 4e-5.
        scale = max(1.0, float(np.abs(reference_gradient).max()))
        np.testing.assert_allclose(fast_gradient, reference_gradient, rtol=1e-4, atol=1e-6 * scale)


def test_encode_handles_a_length_unknown_until_run_time(products_everywhere):
    keras.utils.set_random_seed(4)
    encoder = genc_model(MIXED_SPEC)
    run = tf.function(lambda audio: encode(encoder, audio), input_signature=[tf.TensorSpec((None, None), tf.float32)])
    for samples in (144, 401, 480):
        audio = random_audio(2, samples, seed=samples)
        np.testing.assert_allclose(run(audio).numpy(), encoder(audio).numpy(), rtol=1e-5, atol=1e-6)


def test_only_convolutions_over_whole_strides_are_products():
    assert is_product_convolution(keras.layers.Conv1D(4, 8, strides=8))
    assert is_product_convolution(keras.layers.Conv1D(4, 8, strides=4))
    assert is_product_convolution(keras.layers.Conv1D(4, 3, strides=1))
    assert not is_product_convolution(keras.layers.Conv1D(4, 5, strides=2))
    assert not is_product_convolution(keras.layers.Conv1D(4, 4, strides=4, padding="causal"))
    assert not is_product_convolution(keras.layers.Conv1D(4, 1, strides=1, dilation_rate=2))
    assert not is_product_convolution(keras.layers.Conv1D(4, 4, strides=4, groups=2))


@pytest.mark.parametrize("samples", [0, 3, 7, 9, 16, 17])
def test_encode_gives_no_frames_for_audio_shorter_than_a_window(samples, products_everywhere):
    keras.utils.set_random_seed(6)
    spec = EncoderSpec(layers=(ConvLayerSpec(1, 4, 16, 4, 0), ConvLayerSpec(4, 3, 6, 2, 0)), dim_z=3)
    encoder = genc_model(spec)
    run = tf.function(lambda audio: encode(encoder, audio), input_signature=[tf.TensorSpec((None, None), tf.float32)])
    # 16 samples make one frame of the first layer, 16 + 2 * 4 the first frame of the second.
    assert run(random_audio(2, samples)).shape == (2, 0, 3)
    assert encode(encoder, random_audio(2, samples)).shape == (2, 0, 3)


@pytest.mark.parametrize(
    "preset, as_products",
    [
        # Non-overlapping layers, then the last (kernel 4, stride 2, 40 filters) too small to pay.
        ("seed", [True, True, True, False]),
        # The narrow first layer, then every 512-channel layer but the last, the slowest-framed.
        ("paper", [True, True, True, True, False]),
    ],
)
def test_products_are_used_where_they_were_measured_faster(preset, as_products):
    encoder = genc_model(resolve_encoder_spec(preset))
    hop, chosen = 1, []
    for step in time_steps(encoder):
        hop *= step.stride
        if is_product_convolution(step.layer):
            chosen.append(encoder_forward._products_pay(step.layer, hop))
    assert chosen == as_products


def test_an_encoder_that_is_not_a_chain_is_simply_called():
    audio_input = keras.Input(shape=(None,))
    channels = keras.layers.Reshape((-1, 1))(audio_input)
    left = keras.layers.Conv1D(3, 4, strides=4)(channels)
    right = keras.layers.Conv1D(3, 4, strides=4)(channels)
    encoder = keras.Model(audio_input, keras.layers.Add()([left, right]))
    audio = random_audio(2, 64)

    assert not is_chain(encoder)
    np.testing.assert_array_equal(encode(encoder, audio).numpy(), encoder(audio).numpy())


def test_an_encoder_without_product_convolutions_is_simply_called():
    spec = EncoderSpec(layers=(ConvLayerSpec(1, 4, 5, 2, 3), ConvLayerSpec(4, 3, 3, 2, 1)), dim_z=3)
    encoder = genc_model(spec)
    audio = random_audio(2, 64)

    assert not is_chain(encoder)
    np.testing.assert_array_equal(encode(encoder, audio).numpy(), encoder(audio).numpy())


def test_encode_computes_in_the_mixed_precision_compute_dtype():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        keras.utils.set_random_seed(5)
        encoder = genc_model(resolve_encoder_spec("seed"))
        audio = random_audio(2, 1024)
        fast = encode(encoder, audio)
        reference = encoder(audio)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert fast.dtype == reference.dtype == tf.float16
    np.testing.assert_allclose(fast.numpy(), reference.numpy(), rtol=1e-2, atol=1e-2)
