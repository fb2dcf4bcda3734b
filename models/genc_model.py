"""The CPC encoder g_enc built from an `EncoderSpec`, and its geometry."""

import dataclasses

import keras

from models.encoder_spec import EncoderSpec

# Layers that act on each frame separately: they change neither the hop nor
# the receptive field of an encoder.
_FRAMEWISE_LAYERS = (
    keras.layers.InputLayer,
    keras.layers.Reshape,
    keras.layers.ZeroPadding1D,
    keras.layers.Cropping1D,
    keras.layers.Activation,
    keras.layers.ReLU,
    keras.layers.LeakyReLU,
    keras.layers.PReLU,
    keras.layers.ELU,
    keras.layers.Softmax,
    keras.layers.BatchNormalization,
    keras.layers.LayerNormalization,
    keras.layers.GroupNormalization,
    keras.layers.UnitNormalization,
    keras.layers.Dropout,
    keras.layers.SpatialDropout1D,
    keras.layers.GaussianNoise,
    keras.layers.GaussianDropout,
    keras.layers.Dense,
    keras.layers.Rescaling,
    keras.layers.Identity,
)
_CONV_LAYERS = (
    keras.layers.Conv1D,
    keras.layers.SeparableConv1D,
    keras.layers.DepthwiseConv1D,
)
_POOLING_LAYERS = (keras.layers.MaxPooling1D, keras.layers.AveragePooling1D)
CHAIN_LAYERS = (*_FRAMEWISE_LAYERS, *_CONV_LAYERS, *_POOLING_LAYERS)
"""Layers that map one tensor to one: an encoder made of them alone is the chain of its
layers in `flat_layers` order, as `encoder_geometry` reads it."""


class EncoderGeometryError(ValueError):
    """A model is not a `(batch, samples) -> (batch, frames, channels)` conv encoder."""


@dataclasses.dataclass(frozen=True)
class EncoderGeometry:
    """Time geometry of a convolutional encoder.

    Attributes:
        hop: Samples between consecutive frames.
        receptive_field: Number of consecutive samples one frame depends on.
    """

    hop: int
    receptive_field: int


def genc_model(spec: EncoderSpec, name: str = "genc") -> keras.Model:
    """Builds the encoder g_enc as a Functional model of built-in layers.

    Each spec layer becomes `ZeroPadding1D((padding, 0))` (causal padding,
    left only) followed by a "valid" `Conv1D`. With `spec.norm == "none"`
    every layer but the last is followed by a ReLU (fused into the Conv1D);
    with "channel" every conv is followed by `LayerNormalization` over the
    channels of each frame and a ReLU, the last one included when
    `spec.activate_last`. Only built-in layers are used, so the saved model
    (`.h5` or `.keras`, safe mode included) loads with a plain
    `keras.models.load_model` and no custom objects.

    Args:
        spec: `EncoderSpec` describing the convolutions.
        name: Name of the model.

    Returns:
        A `keras.Model` mapping float32 audio `(batch, samples)` to
        `(batch, spec.num_frames(samples), spec.dim_z)`.
    """
    audio = keras.Input(shape=(None,), dtype="float32", name="audio")
    x = keras.layers.Reshape((-1, 1), name="add_channel")(audio)
    last = len(spec.layers)
    for number, layer in enumerate(spec.layers, start=1):
        activated = number < last or spec.activate_last
        if layer.padding:
            x = keras.layers.ZeroPadding1D((layer.padding, 0), name=f"causal_pad_{number}")(x)
        x = keras.layers.Conv1D(
            layer.out_channels,
            layer.kernel_size,
            strides=layer.stride,
            padding="valid",
            dilation_rate=layer.dilation,
            activation="relu" if activated and spec.norm == "none" else None,
            kernel_initializer="he_uniform",
            name=f"conv_{number}",
        )(x)
        if spec.norm == "channel" and activated:
            # Statistics of each frame alone: causal, and the same in training and inference.
            x = keras.layers.LayerNormalization(axis=-1, epsilon=1e-5, name=f"channel_norm_{number}")(x)
            x = keras.layers.ReLU(name=f"relu_{number}")(x)
    return keras.Model(audio, x, name=name)


def flat_layers(model):
    """Yields a model's layers in order, with nested models replaced by their own layers."""
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from flat_layers(layer)
        else:
            yield layer


def encoder_geometry(model: keras.Model) -> EncoderGeometry:
    """Reads hop and receptive field off any loaded convolutional encoder.

    Walks the layers in order, so it also works on encoders that were not
    built by `genc_model` (e.g. a `genc.h5` written by another tool), as long
    as they are a chain of 1D convolutions, 1D poolings and frame-wise layers.

    Args:
        model: A `keras.Model` mapping `(batch, samples)` to
            `(batch, frames, channels)`.

    Returns:
        The `EncoderGeometry`.

    Raises:
        EncoderGeometryError: The model has other input/output ranks, no
            convolution, or a layer whose effect on the time axis is unknown
            (e.g. a recurrent layer).
    """
    label = f"model {model.name!r}"
    try:
        inputs, outputs = model.inputs, model.outputs
    except (AttributeError, ValueError):
        inputs = outputs = None
    if not inputs or not outputs or len(inputs) != 1 or len(outputs) != 1:
        raise EncoderGeometryError(f"{label} is not a single-input, single-output built model")
    in_rank, out_rank = len(inputs[0].shape), len(outputs[0].shape)
    if in_rank != 2 or out_rank != 3:
        raise EncoderGeometryError(
            f"{label} maps rank {in_rank} to rank {out_rank}; an encoder maps "
            "(batch, samples) to (batch, frames, channels)"
        )
    hop, field, convolutions = 1, 1, 0
    for layer in flat_layers(model):
        if isinstance(layer, _CONV_LAYERS):
            kernel, stride, dilation = layer.kernel_size[0], layer.strides[0], layer.dilation_rate[0]
            convolutions += 1
        elif isinstance(layer, _POOLING_LAYERS):
            kernel, stride, dilation = layer.pool_size[0], layer.strides[0], 1
        elif isinstance(layer, _FRAMEWISE_LAYERS):
            continue
        else:
            raise EncoderGeometryError(
                f"{label}: layer {layer.name!r} ({type(layer).__name__}) is not a "
                "1D convolution, pooling or frame-wise layer"
            )
        field += (kernel - 1) * dilation * hop
        hop *= stride
    if not convolutions:
        raise EncoderGeometryError(f"{label} has no Conv1D layer")
    return EncoderGeometry(hop=hop, receptive_field=field)
