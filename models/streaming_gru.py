"""A GRU that runs over a stream of frames in pieces, carrying its hidden state."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="cpc")
class StreamingGRU(keras.layers.Layer):
    """The recurrence of `keras.layers.GRU`, one piece of the sequence per call.

    A GRU's only memory is its hidden state, so running it over the pieces of a sequence
    in turn, each starting from the state the last one ended with, gives the outputs of
    one run over the whole sequence. Weights have the shapes and gate order (update,
    reset, candidate) of `keras.layers.GRU`, so `set_weights(gru.get_weights())` copies a
    trained one. Pieces may be empty.

    Args:
        units: Size of the hidden state and of the outputs.
        activation: Activation of the candidate state (Keras: "tanh").
        recurrent_activation: Activation of the gates (Keras: "sigmoid").
        use_bias: Whether the layer adds biases.
        reset_after: Keras's default (True, the cuDNN form) applies the reset gate after
            the recurrent matmul; False applies it before.
        **kwargs: Base layer arguments.

    Call arguments:
        frames: `(batch, frames, features)` the next piece of the sequence.
        state: `(batch, units)` hidden state from `initial_state` or the last call.

    Returns:
        `(outputs, state)`: the hidden state after every frame `(batch, frames, units)`
        and the last one `(batch, units)`.
    """

    def __init__(
        self,
        units: int,
        activation: str = "tanh",
        recurrent_activation: str = "sigmoid",
        use_bias: bool = True,
        reset_after: bool = True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = units
        self.activation = activation
        self.recurrent_activation = recurrent_activation
        self.use_bias = use_bias
        self.reset_after = reset_after
        self._activation = keras.activations.get(activation)
        self._recurrent_activation = keras.activations.get(recurrent_activation)

    def build(self, input_shape):
        gates = 3 * self.units
        self.kernel = self.add_weight(shape=(input_shape[-1], gates), initializer="glorot_uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, gates), initializer="orthogonal", name="recurrent_kernel"
        )
        self.bias = None
        if self.use_bias:
            bias_shape = (2, gates) if self.reset_after else (gates,)
            self.bias = self.add_weight(shape=bias_shape, initializer="zeros", name="bias")

    def initial_state(self, batch_size: int = 1) -> tf.Tensor:
        """The hidden state before the first frame: `(batch_size, units)` zeros, as Keras."""
        return tf.zeros((batch_size, self.units), tf.float32)

    def call(self, frames, state):
        units = self.units
        # Weights read once per call, not once per step of the loop.
        recurrent_kernel = tf.convert_to_tensor(self.recurrent_kernel)
        input_bias = recurrent_bias = None
        if self.bias is not None:
            bias = tf.convert_to_tensor(self.bias)
            input_bias, recurrent_bias = (bias[0], bias[1]) if self.reset_after else (bias, None)
        # The input projections of all frames at once; only the recurrence is sequential.
        projected = tf.einsum("btf,fg->btg", frames, self.kernel)
        if input_bias is not None:
            projected = projected + input_bias
        steps = tf.transpose(projected, [1, 0, 2])
        count = tf.shape(steps)[0]

        def step(index, hidden, outputs):
            x_z, x_r, x_h = tf.split(steps[index], 3, axis=-1)
            if self.reset_after:
                inner = tf.matmul(hidden, recurrent_kernel)
                if recurrent_bias is not None:
                    inner = inner + recurrent_bias
                r_z, r_r, r_h = tf.split(inner, 3, axis=-1)
                update = self._recurrent_activation(x_z + r_z)
                reset = self._recurrent_activation(x_r + r_r)
                candidate = self._activation(x_h + reset * r_h)
            else:
                inner = tf.matmul(hidden, recurrent_kernel[:, : 2 * units])
                r_z, r_r = tf.split(inner, 2, axis=-1)
                update = self._recurrent_activation(x_z + r_z)
                reset = self._recurrent_activation(x_r + r_r)
                candidate = self._activation(x_h + tf.matmul(reset * hidden, recurrent_kernel[:, 2 * units :]))
            hidden = update * hidden + (1.0 - update) * candidate
            return index + 1, hidden, outputs.write(index + 1, hidden)

        # Slot 0 holds the incoming state: TensorArray cannot stack zero elements of a shape
        # with an unknown batch size, and an empty piece is a valid call. The state's static
        # shape (fully known when exported for one stream) lets TFLite lower the array.
        outputs = tf.TensorArray(tf.float32, size=count + 1, element_shape=state.shape)
        outputs = outputs.write(0, state)
        _, state, outputs = tf.while_loop(lambda index, *_: index < count, step, (0, state, outputs))
        return tf.transpose(outputs.stack()[1:], [1, 0, 2]), state

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "activation": self.activation,
                "recurrent_activation": self.recurrent_activation,
                "use_bias": self.use_bias,
                "reset_after": self.reset_after,
            }
        )
        return config
