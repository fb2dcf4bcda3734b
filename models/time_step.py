"""What each layer of a model does to the time axis: the one walk over a model's layers."""

import dataclasses

import keras

# Layers that act on each frame separately: they change neither the hop nor the receptive field.
_FRAMEWISE_LAYERS = (
    keras.layers.InputLayer,
    keras.layers.Reshape,
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
_CONVOLUTIONS = (keras.layers.Conv1D, keras.layers.SeparableConv1D, keras.layers.DepthwiseConv1D)
_POOLINGS = (keras.layers.MaxPooling1D, keras.layers.AveragePooling1D)
_RECURRENT_LAYERS = (keras.layers.GRU, keras.layers.LSTM, keras.layers.SimpleRNN)

KINDS = ("frame-wise", "padding", "convolution", "pooling", "recurrent", "other")
CHAIN_KINDS = frozenset({"frame-wise", "padding", "convolution", "pooling"})
"""Kinds of the layers that map one tensor to one frame by frame or window by window: a model
made of them alone is the chain of its layers in `flat_layers` order."""


@dataclasses.dataclass(frozen=True)
class TimeStep:
    """One layer, and how its output frames sit on its input frames.

    Output frame ``j`` reads the input frames ``j * stride - left`` to ``j * stride - left + span
    - 1`` (those before 0 or past the end are padding).

    Attributes:
        layer: The layer.
        kind: One of `KINDS`: ``"frame-wise"`` (each frame alone), ``"padding"``
            (``ZeroPadding1D``, or ``Cropping1D`` with negative amounts), ``"convolution"``,
            ``"pooling"``, ``"recurrent"`` (a GRU, LSTM or simple RNN: every earlier frame) or
            ``"other"`` (an effect this walk does not know).
        span: Input frames one output frame reads (1 but for convolutions and poolings).
        stride: Input frames between consecutive output frames.
        left: Frames the layer adds before its input (negative: removes), None where that
            depends on the input length ("same" padding with a stride).
        right: Frames it adds after its input, None as for ``left``.
    """

    layer: keras.layers.Layer
    kind: str
    span: int = 1
    stride: int = 1
    left: int | None = 0
    right: int | None = 0


def flat_layers(model):
    """Yields a model's layers in order, with nested models replaced by their own layers."""
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from flat_layers(layer)
        else:
            yield layer


def time_steps(model: keras.Model) -> list[TimeStep]:
    """The `TimeStep` of every layer of `flat_layers(model)`, input side first, input layers left out."""
    return [_time_step(layer) for layer in flat_layers(model) if not isinstance(layer, keras.layers.InputLayer)]


def _time_step(layer: keras.layers.Layer) -> TimeStep:
    if isinstance(layer, keras.layers.ZeroPadding1D):
        return TimeStep(layer, "padding", left=layer.padding[0], right=layer.padding[1])
    if isinstance(layer, keras.layers.Cropping1D):
        return TimeStep(layer, "padding", left=-layer.cropping[0], right=-layer.cropping[1])
    if isinstance(layer, _CONVOLUTIONS):
        span = (layer.kernel_size[0] - 1) * layer.dilation_rate[0] + 1
        return TimeStep(layer, "convolution", span, layer.strides[0], *_padding(layer.padding, span, layer.strides[0]))
    if isinstance(layer, _POOLINGS):
        span = layer.pool_size[0]
        return TimeStep(layer, "pooling", span, layer.strides[0], *_padding(layer.padding, span, layer.strides[0]))
    if isinstance(layer, _FRAMEWISE_LAYERS):
        return TimeStep(layer, "frame-wise")
    if isinstance(layer, _RECURRENT_LAYERS):
        return TimeStep(layer, "recurrent")
    return TimeStep(layer, "other")


def _padding(mode: str, span: int, stride: int) -> tuple[int | None, int | None]:
    """Frames a convolution or pooling pads before and after its input."""
    if mode == "causal":
        return span - 1, 0
    if mode == "same":
        # With a stride, Keras pads by what the input length leaves over.
        return ((span - 1) // 2, span - 1 - (span - 1) // 2) if stride == 1 else (None, None)
    return 0, 0
