"""A faster evaluation of a convolutional encoder, with the same output and gradients.

CPC encoders start with convolutions whose kernel equals their stride (the `seed` preset's
first three layers: 8/8, 4/4, 4/4). Their windows do not overlap, so each is exactly one
matrix product over reshaped frames, `(batch * frames, kernel * in_channels) @ (kernel *
in_channels, out_channels)`. TensorFlow's CPU kernels run such a Conv1D (and above all its
two backward passes) as a general 2-D convolution, which on 2 Zen 3 cores with oneDNN is
about twice as slow as the matrix product: see `BENCHMARKS.md`. The encoder itself stays a
Functional model of built-in Conv1D layers, so `genc.h5` and every other artefact keep their
plain, loadable form; only the way training and extraction evaluate it changes.
"""

import keras
import tensorflow as tf

from models.time_step import CHAIN_KINDS, flat_layers, time_steps


def is_patch_convolution(layer: keras.layers.Layer) -> bool:
    """Whether `layer` is a Conv1D over non-overlapping windows, i.e. one matrix product."""
    return (
        type(layer) is keras.layers.Conv1D
        and layer.kernel_size[0] == layer.strides[0]
        and layer.dilation_rate[0] == 1
        and layer.groups == 1
        and layer.padding == "valid"
        and layer.data_format == "channels_last"
    )


def is_chain(encoder: keras.Model) -> bool:
    """Whether `encoder` is a plain chain (see `CHAIN_KINDS`) with a patch convolution in it."""
    steps = time_steps(encoder)
    return (
        len(encoder.inputs) == 1
        and len(encoder.outputs) == 1
        and all(step.kind in CHAIN_KINDS for step in steps)
        and any(is_patch_convolution(step.layer) for step in steps)
    )


def encode(encoder: keras.Model, audio, training=None):
    """Runs `encoder` on `audio`, computing non-overlapping convolutions as matrix products.

    Equal to `encoder(audio, training=training)` up to float rounding, with gradients
    reaching the same variables. Encoders that are not a plain chain of Conv1D and frame-wise
    layers (see `is_chain`) are simply called.

    Args:
        encoder: Encoder `(batch, samples)` -> `(batch, frames, dim_z)`, e.g. from
            `genc_model`.
        audio: float32 `(batch, samples)`.
        training: Passed to the layers.

    Returns:
        `(batch, frames, dim_z)`, in the encoder's compute dtype.
    """
    if not is_chain(encoder):
        return encoder(audio, training=training)
    x = audio
    for layer in flat_layers(encoder):
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if is_patch_convolution(layer):
            x = _patch_product(layer, x)
        else:
            x = layer(x, training=training)
    return x


def _patch_product(layer: keras.layers.Conv1D, x):
    """`layer(x)` for a Conv1D with kernel == stride: `(batch, steps, in)` -> `(batch, frames, out)`."""
    width = layer.kernel_size[0]
    dtype = layer.compute_dtype
    x = tf.cast(x, dtype)
    steps = x.shape[1] if x.shape[1] is not None else tf.shape(x)[1]
    frames = steps // width
    if isinstance(steps, tf.Tensor) or steps % width:
        # A "valid" convolution drops the samples after the last whole window.
        x = x[:, : frames * width]
    patch_size = width * x.shape[-1]
    kernel = tf.cast(tf.reshape(layer.kernel, (patch_size, layer.filters)), dtype)
    y = tf.matmul(tf.reshape(x, (-1, patch_size)), kernel)
    if layer.use_bias:
        y = tf.nn.bias_add(y, tf.cast(layer.bias, dtype))
    y = layer.activation(y)
    return tf.reshape(y, (tf.shape(x)[0], frames, layer.filters))
