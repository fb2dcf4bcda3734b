"""A faster evaluation of a convolutional encoder, with the same output and gradients.

CPC encoders are chains of strided convolutions whose kernel is a whole multiple of their
stride: the `seed` preset's first three layers have kernel = stride (8/8, 4/4, 4/4), the
paper's have kernel = 2 × stride (10/5, 8/4, 4/2). Cut the input into stride-sized patches,
`(batch, steps, channels)` -> `(batch, steps / stride, stride * channels)`: a kernel of m ×
stride then reads m consecutive patches, so the convolution is m matrix products over the
patches, each shifted by one patch more than the last, summed. TensorFlow's CPU kernels run a
Conv1D (and above all its two backward passes) as a general 2-D convolution of height 1, which
on 2 cores is much slower than matrix products of the same size: see `BENCHMARKS.md`. The
encoder itself stays a Functional model of built-in Conv1D layers, so `genc.h5` and every
other artefact keep their plain, loadable form; only the way training and extraction evaluate
it changes.
"""

import keras
import tensorflow as tf

from models.time_step import CHAIN_KINDS, time_steps

_WIDE_PRODUCTS_MIN_MULTIPLY_ADDS = 10_000


def is_product_convolution(layer: keras.layers.Layer) -> bool:
    """Whether `layer` is a Conv1D whose kernel spans whole strides: a sum of matrix products."""
    return (
        type(layer) is keras.layers.Conv1D
        and layer.kernel_size[0] % layer.strides[0] == 0
        and layer.dilation_rate[0] == 1
        and layer.groups == 1
        and layer.padding == "valid"
        and layer.data_format == "channels_last"
    )


def is_chain(encoder: keras.Model) -> bool:
    """Whether `encoder` is a plain chain (see `CHAIN_KINDS`) with a product convolution in it."""
    steps = time_steps(encoder)
    return (
        len(encoder.inputs) == 1
        and len(encoder.outputs) == 1
        and all(step.kind in CHAIN_KINDS for step in steps)
        and any(is_product_convolution(step.layer) for step in steps)
    )


def encode(encoder: keras.Model, audio, training=None):
    """Runs `encoder` on `audio`, computing convolutions over whole strides as matrix products.

    A convolution is computed as products where that was measured faster than TensorFlow's
    Conv1D (see `_products_pay`), and called otherwise. Equal to `encoder(audio,
    training=training)` up to float rounding, with gradients reaching the same variables.
    Encoders that are not a plain chain of Conv1D and frame-wise layers (see `is_chain`) are
    simply called.

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
    hop = 1
    for step in time_steps(encoder):
        hop *= step.stride
        if is_product_convolution(step.layer) and _products_pay(step.layer, hop):
            x = _product_convolution(step.layer, x)
        else:
            x = step.layer(x, training=training)
    return x


def _products_pay(layer: keras.layers.Conv1D, hop: int) -> bool:
    """Whether the matrix products beat TensorFlow's Conv1D for `layer`, whose frames are `hop` samples apart.

    Measured on 2 cores with oneDNN (`BENCHMARKS.md`): non-overlapping layers and narrow
    first layers always pay; overlapping layers over wide patches pay only when they are
    large enough for the products' peak rate to outweigh the extra slices and sums, which
    happens between 6,554 multiply-adds per input sample (the paper's last layer: slower)
    and 13,107 (its fourth: faster).
    """
    stride = layer.strides[0]
    in_channels = layer.kernel.shape[1]
    if layer.kernel_size[0] == stride or stride * in_channels < layer.filters:
        return True
    multiply_adds_per_sample = layer.kernel_size[0] * in_channels * layer.filters / hop
    return multiply_adds_per_sample >= _WIDE_PRODUCTS_MIN_MULTIPLY_ADDS


def _product_convolution(layer: keras.layers.Conv1D, x):
    """`layer(x)` for a Conv1D with kernel = shifts × stride: `(batch, steps, in)` -> `(batch, frames, out)`."""
    stride = layer.strides[0]
    shifts = layer.kernel_size[0] // stride
    dtype = layer.compute_dtype
    x = tf.cast(x, dtype)
    in_channels = x.shape[-1]
    steps = x.shape[1] if x.shape[1] is not None else tf.shape(x)[1]
    # A "valid" convolution gives (steps - kernel) // stride + 1 frames (none when the input is
    # shorter than the kernel) and drops the samples after the last whole window; its windows
    # cover frames + shifts - 1 patches, or what there is of them when there are no frames.
    if isinstance(steps, tf.Tensor):
        frames = tf.maximum((steps - layer.kernel_size[0]) // stride + 1, 0)
        patches = tf.minimum(frames + shifts - 1, steps // stride)
    else:
        frames = max((steps - layer.kernel_size[0]) // stride + 1, 0)
        patches = min(frames + shifts - 1, steps // stride)
    if isinstance(steps, tf.Tensor) or steps != patches * stride:
        x = x[:, : patches * stride]
    patch_size = stride * in_channels
    batch_size = tf.shape(x)[0]
    kernel = tf.cast(layer.kernel, dtype)
    # Products are 2-D, `(batch * frames, rows) @ (rows, columns)`: on CPU a batched product
    # of the same size is slower.
    if shifts == 1:
        y = tf.matmul(tf.reshape(x, (-1, patch_size)), tf.reshape(kernel, (patch_size, layer.filters)))
    elif patch_size < layer.filters:
        # Narrow patches (the first layer reads 5 samples of 1 channel): lay the `shifts`
        # patches each frame reads side by side, then one product with the whole kernel.
        # This copies the input `shifts` times, less than the products' outputs would be.
        x = tf.reshape(x, (batch_size, patches, patch_size))
        windows = tf.concat([x[:, shift : shift + frames] for shift in range(shifts)], axis=-1)
        y = tf.matmul(tf.reshape(windows, (-1, shifts * patch_size)), tf.reshape(kernel, (-1, layer.filters)))
    else:
        # Wide patches: one product of every patch with all shifts' matrices side by side,
        # then the shifted slices summed; this never copies the (larger) input.
        # kernel[j * stride + i, c, o] is row (i * in_channels + c) of shift j's matrix.
        stacked = tf.reshape(
            tf.transpose(tf.reshape(kernel, (shifts, patch_size, layer.filters)), (1, 0, 2)),
            (patch_size, shifts * layer.filters),
        )
        products = tf.matmul(tf.reshape(x, (-1, patch_size)), stacked)
        products = tf.reshape(products, (batch_size, patches, shifts * layer.filters))
        y = products[:, :frames, : layer.filters]
        for shift in range(1, shifts):
            y += products[:, shift : shift + frames, shift * layer.filters : (shift + 1) * layer.filters]
    if layer.use_bias:
        y = tf.nn.bias_add(y, tf.cast(layer.bias, dtype))
    return tf.reshape(layer.activation(y), (batch_size, frames, layer.filters))
