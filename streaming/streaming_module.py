"""The streaming model as a `tf.Module` that serves one chunk of one stream per call."""

import tensorflow as tf

from models.streaming_context_model import StreamingContextModel


class StreamingModule(tf.Module):
    """What the SavedModel and TFLite exports hold: `initial_state` and `step` for one stream.

    Functions (all `tf.function`s with fixed signatures):

    * `initial_state()` → dict of state tensors (`conv_<n>_buffer` `(1, frames,
      channels)` float32, `conv_<n>_offset` `()` int32, `gru_state` `(1, dim_c)`).
    * `step(chunk, state)` → `(features, state)`: `chunk` `(samples,)` float32,
      `features` `(frames, dim)` completed by the chunk.
    * `serve(chunk, **state)` → `{"features": ..., **state}`: the same with flat named
      inputs and outputs, for the `serving_default` signature and TFLite. Output state
      names equal the input ones, so each call's outputs feed the next call.

    Args:
        model: The streaming model whose weights are served.
        chunk_length: Samples per chunk; None for any length.
    """

    def __init__(self, model: StreamingContextModel, chunk_length: int | None = None):
        super().__init__(name="streaming_cpc")
        self.model = model
        # The TFLite converter turns into constants only the variables that the module
        # itself tracks; Keras variables wrap theirs, so they are listed unwrapped.
        self.model_weights = [weight.value for weight in model.weights]
        self.chunk_length = chunk_length
        self.state_spec = {
            name: tf.TensorSpec(tensor.shape, tensor.dtype, name=name)
            for name, tensor in model.initial_state(1).items()
        }
        self.chunk_spec = tf.TensorSpec((chunk_length,), tf.float32, name="chunk")
        self.initial_state = tf.function(lambda: self.model.initial_state(1), input_signature=[])
        self.step = tf.function(self._step, input_signature=[self.chunk_spec, self.state_spec])
        self.serve = tf.function(self._serve)

    def signatures(self) -> dict:
        """`serving_default` (flat `serve`) and `initial_state`, for `tf.saved_model.save`."""
        return {
            "serving_default": self.serve.get_concrete_function(chunk=self.chunk_spec, **self.state_spec),
            "initial_state": self.initial_state.get_concrete_function(),
        }

    def _step(self, chunk, state):
        features, state = self.model(chunk[None, :], state)
        return features[0], state

    def _serve(self, chunk, **state):
        features, state = self._step(chunk, state)
        return {"features": features, **state}
