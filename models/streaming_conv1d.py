"""A causal Conv1D that consumes its input in pieces of any length and carries a buffer."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="cpc")
class StreamingConv1D(keras.layers.Layer):
    """Causal strided convolution over a stream, equal to the offline layer frame by frame.

    The offline layer is `ZeroPadding1D((left_padding, 0))` followed by a "valid"
    `Conv1D(filters, kernel_size, strides, dilation_rate)`: output frame `j` reads the
    padded input frames `j * strides + i * dilation_rate` for `i < kernel_size`. The
    streaming layer sees the same padded input in pieces. Its state holds:

    * `buffer`: the last `buffer_length` input frames received (zeros before the stream,
      the left padding included), i.e. every frame a later output may still need. An
      output needs a span of `(kernel_size - 1) * dilation_rate + 1` frames and starts
      after the previous one's start, so once an output is missing the frames it would
      read, at most `span - 1` received frames are still needed; the buffer also
      holds at least the left padding, which the first output reads.
    * `offset`: where the next output starts, counted from the start of the buffer. It
      carries the stride remainder: how far past the buffer start the next window begins
      (and, for a kernel shorter than its stride, how many future frames it skips).

    Each call appends the new frames to the buffer, computes every output whose span is
    complete, and keeps the last `buffer_length` frames. The outputs of all calls,
    concatenated, are the offline outputs for the concatenated input, whatever the
    piece lengths (zero included).

    Args:
        filters: Output channels.
        kernel_size: Kernel width in input frames.
        strides: Stride in input frames.
        dilation_rate: Spacing of the kernel taps.
        left_padding: Zeros before the first input frame (the offline causal padding).
        activation: Name of the activation applied to the outputs (None: linear).
        use_bias: Whether the layer adds a bias.
        **kwargs: Base layer arguments.

    Call arguments:
        frames: `(batch, frames, channels)` new input frames.
        buffer: `(batch, buffer_length, channels)` from `initial_state` or the last call.
        offset: int32 scalar from `initial_state` or the last call.

    Returns:
        `(outputs, buffer, offset)`: the completed outputs `(batch, new_frames, filters)`
        and the state for the next call.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int,
        strides: int = 1,
        dilation_rate: int = 1,
        left_padding: int = 0,
        activation: str | None = None,
        use_bias: bool = True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = filters
        self.kernel_size = kernel_size
        self.strides = strides
        self.dilation_rate = dilation_rate
        self.left_padding = left_padding
        self.activation = activation
        self.use_bias = use_bias
        self._activation = keras.activations.get(activation)

    @property
    def span(self) -> int:
        """Input frames one output depends on."""
        return (self.kernel_size - 1) * self.dilation_rate + 1

    @property
    def buffer_length(self) -> int:
        """Input frames the state keeps (at least 1: TFLite dislikes empty tensors)."""
        return max(self.span - 1, self.left_padding, 1)

    def build(self, input_shape):
        self.input_channels = input_shape[-1]
        # The same shapes as keras.layers.Conv1D, so that its weights copy over as they are.
        self.kernel = self.add_weight(
            shape=(self.kernel_size, self.input_channels, self.filters), initializer="he_uniform", name="kernel"
        )
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias") if self.use_bias else None

    def initial_state(self, batch_size: int = 1) -> tuple[tf.Tensor, tf.Tensor]:
        """The state before the first frame: an all-zero buffer ending with the left padding.

        Args:
            batch_size: Streams run side by side.

        Returns:
            `(buffer, offset)`: `(batch_size, buffer_length, channels)` zeros and the
            int32 buffer index where the first output starts (the first padding zero).
        """
        buffer = tf.zeros((batch_size, self.buffer_length, self.input_channels), tf.float32)
        return buffer, tf.constant(self.buffer_length - self.left_padding, tf.int32)

    def call(self, frames, buffer, offset):
        joined = tf.concat([buffer, frames], axis=1)
        batch, length = tf.shape(joined)[0], tf.shape(joined)[1]
        # Floor division keeps the count at 0 (not 1) when the span is still incomplete.
        count = tf.maximum((length - offset - self.span) // self.strides + 1, 0)
        starts = offset + tf.range(count) * self.strides
        taps = tf.range(self.kernel_size) * self.dilation_rate
        patches = tf.gather(joined, starts[:, None] + taps[None, :], axis=1)
        width = self.kernel_size * self.input_channels
        # One 2D matmul over all windows, which also serves TFLite's FULLY_CONNECTED.
        outputs = tf.matmul(tf.reshape(patches, [-1, width]), tf.reshape(self.kernel, [width, self.filters]))
        if self.bias is not None:
            outputs = outputs + self.bias
        outputs = self._activation(tf.reshape(outputs, [batch, count, self.filters]))
        received = tf.shape(frames)[1]
        return outputs, joined[:, received:], offset + count * self.strides - received

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "dilation_rate": self.dilation_rate,
                "left_padding": self.left_padding,
                "activation": self.activation,
                "use_bias": self.use_bias,
            }
        )
        return config
