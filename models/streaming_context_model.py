"""The CPC encoder and GRU as a stream processor: audio chunks in, feature frames out."""

import keras
import numpy as np
import tensorflow as tf

from models.cpc_model_file import FEATURES, CpcModelFile
from models.model_file_error import ModelFileError
from models.streaming_conv1d import StreamingConv1D
from models.streaming_error import StreamingError
from models.streaming_gru import StreamingGRU

_AGREEMENT_TOLERANCE = 1e-4


@keras.saving.register_keras_serializable(package="cpc")
class StreamingContextModel(keras.Model):
    """g_enc (and g_ar) over audio that arrives in chunks of any length.

    Every call takes the next chunk and the state the previous call returned, and gives
    the frames completed by that chunk. Concatenated, they are the offline model's
    output for the concatenated audio (to float rounding), whatever the chunk lengths:
    the convolutions keep the input frames later frames still need (`StreamingConv1D`)
    and the GRU its hidden state (`StreamingGRU`). A frame comes out of the call that
    brings its last sample (`EncoderSpec.last_sample`); for the presets, frame `j` once
    `(j + 1) * hop` samples are in, so the latency is that of the offline model.

    The model does not normalise: the offline model's input in training is the whole
    utterance minus its mean, divided by its peak, which a stream cannot know in
    advance. Feed audio at that scale (e.g. divided by a running or expected peak).

    Args:
        convolutions: Keyword arguments of each `StreamingConv1D`, input side first.
        recurrent: Keyword arguments of the `StreamingGRU` after them, or None for an
            encoder alone.
        features: "z" (encoder output) or "c" (GRU output, needs `recurrent`).
        **kwargs: Base model arguments.

    Call arguments:
        chunk: `(batch, samples)` float32 audio, any number of samples (0 included).
        state: Dict of state tensors from `initial_state` or the last call.

    Returns:
        `(features, state)`: `(batch, new_frames, dim)` frames completed by the chunk and
        the state for the next call.
    """

    def __init__(self, convolutions: list[dict], recurrent: dict | None = None, features: str = "c", **kwargs):
        super().__init__(**kwargs)
        if features not in FEATURES:
            raise StreamingError(f"features must be one of {', '.join(FEATURES)}, got {features!r}")
        if features == "c" and recurrent is None:
            raise StreamingError("features 'c' need a GRU (recurrent); an encoder alone gives 'z'")
        self.convolutions = [dict(arguments) for arguments in convolutions]
        self.recurrent = None if recurrent is None else dict(recurrent)
        self.features = features
        self.conv_layers = [
            StreamingConv1D(**arguments, name=f"conv_{number}")
            for number, arguments in enumerate(self.convolutions, start=1)
        ]
        self.gru = None
        if self.recurrent is not None and features == "c":
            self.gru = StreamingGRU(**self.recurrent, name="gru")
        channels = 1
        for layer in self.conv_layers:
            layer.build((None, None, channels))
            channels = layer.filters
        if self.gru is not None:
            self.gru.build((None, None, channels))
        self.built = True
        self._compiled_call = None

    @property
    def dim(self) -> int:
        """Size of one output frame."""
        return self.gru.units if self.gru is not None else self.conv_layers[-1].filters

    @property
    def hop(self) -> int:
        """Samples per output frame."""
        return int(np.prod([layer.strides for layer in self.conv_layers]))

    @property
    def state_names(self) -> list[str]:
        """Keys of the state dict, in a fixed order."""
        names = [f"{layer.name}_{part}" for layer in self.conv_layers for part in ("buffer", "offset")]
        return names + (["gru_state"] if self.gru is not None else [])

    def initial_state(self, batch_size: int = 1) -> dict[str, tf.Tensor]:
        """The state before the first sample of `batch_size` streams.

        Returns:
            `{"conv_<n>_buffer": (batch_size, frames, channels) float32,
            "conv_<n>_offset": () int32, ..., "gru_state": (batch_size, dim_c) float32}`;
            all streams of a batch advance by the same number of samples per call.
        """
        state = {}
        for layer in self.conv_layers:
            state[f"{layer.name}_buffer"], state[f"{layer.name}_offset"] = layer.initial_state(batch_size)
        if self.gru is not None:
            state["gru_state"] = self.gru.initial_state(batch_size)
        return state

    def call(self, chunk, state):
        missing = [name for name in self.state_names if name not in state]
        if missing:
            raise StreamingError(f"the state lacks {', '.join(missing)}; start from initial_state()")
        frames = tf.expand_dims(tf.convert_to_tensor(chunk, tf.float32), -1)
        new_state = {}
        for layer in self.conv_layers:
            buffer, offset = f"{layer.name}_buffer", f"{layer.name}_offset"
            frames, new_state[buffer], new_state[offset] = layer(frames, state[buffer], state[offset])
        if self.gru is not None:
            frames, new_state["gru_state"] = self.gru(frames, state["gru_state"])
        return frames, new_state

    def stream(self, audio, chunk_lengths) -> np.ndarray:
        """Runs whole audio through the model in chunks of the given lengths.

        Args:
            audio: `(batch, samples)` float32.
            chunk_lengths: Lengths summing to `samples`.

        Returns:
            `(batch, frames, dim)`: the features of all chunks, concatenated.
        """
        audio = np.asarray(audio, np.float32)
        if sum(chunk_lengths) != audio.shape[1]:
            raise StreamingError(f"chunk lengths sum to {sum(chunk_lengths)}, not the {audio.shape[1]} samples")
        return self._run_chunks(self.compiled_step(), audio, chunk_lengths)

    def compiled_step(self):
        """``call`` as one ``tf.function`` for every chunk length and batch size.

        Returns:
            ``step(chunk, state) -> (features, state)``, with ``chunk`` of shape
            ``(batch, samples)`` float32 and the state from ``initial_state``.
        """
        if self._compiled_call is None:
            # Eager calls would step the GRU in Python.
            state_spec = {
                name: tf.TensorSpec((None, *tensor.shape[1:]) if tensor.shape.rank else (), tensor.dtype)
                for name, tensor in self.initial_state(1).items()
            }
            self._compiled_call = tf.function(
                self.call, input_signature=[tf.TensorSpec((None, None), tf.float32), state_spec]
            )
        return self._compiled_call

    def _run_chunks(self, call, audio: np.ndarray, chunk_lengths) -> np.ndarray:
        state, outputs, start = self.initial_state(audio.shape[0]), [], 0
        for length in chunk_lengths:
            features, state = call(audio[:, start : start + length], state)
            outputs.append(np.asarray(features))
            start += length
        return np.concatenate(outputs, axis=1)

    @classmethod
    def from_model_file(cls, model_file: CpcModelFile, features: str | None = None) -> "StreamingContextModel":
        """Builds the streaming form of a loaded model and copies its trained weights.

        The result is checked against the offline model on a few chunks of noise.

        Args:
            model_file: The loaded `gar.keras` or `genc.h5`.
            features: "z" or "c"; None for the file's default (c if it has a GRU).

        Returns:
            The `StreamingContextModel`.

        Raises:
            ModelFileError: "c" asked of an encoder file, or the streaming form disagrees
                with the file's model (a structure this reader does not understand).
        """
        features = features or model_file.default_features()
        network = model_file.network(features)
        convolutions = [
            {
                "filters": conv.filters,
                "kernel_size": layer.kernel_size,
                "strides": layer.stride,
                "dilation_rate": layer.dilation,
                "left_padding": layer.padding,
                "activation": activation,
                "use_bias": conv.use_bias,
            }
            for conv, layer, activation in zip(model_file.convolutions, model_file.spec.layers, model_file.activations)
        ]
        recurrent = None
        if model_file.gru is not None:
            gru = model_file.gru
            recurrent = {
                "units": gru.units,
                "activation": keras.activations.serialize(gru.activation),
                "recurrent_activation": keras.activations.serialize(gru.recurrent_activation),
                "use_bias": gru.use_bias,
                "reset_after": gru.reset_after,
            }
        model = cls(convolutions, recurrent, features, name=f"streaming_{features}")
        for streaming, conv in zip(model.conv_layers, model_file.convolutions):
            streaming.set_weights(conv.get_weights())
        if model.gru is not None:
            model.gru.set_weights(model_file.gru.get_weights())
        spec = model_file.spec
        length = 2 * spec.receptive_field + 3 * spec.hop + 5
        audio = np.random.default_rng(1).uniform(-1.0, 1.0, (1, length)).astype(np.float32)
        expected = np.asarray(network(audio))
        # Three uneven chunks, called eagerly: cheaper than tracing for so few.
        lengths = [spec.hop // 2 + 1, length // 2]
        streamed = model._run_chunks(model, audio, [*lengths, length - sum(lengths)])
        scale = max(float(np.abs(expected).max()), 1.0)
        if streamed.shape != expected.shape or np.abs(streamed - expected).max() > _AGREEMENT_TOLERANCE * scale:
            raise ModelFileError(str(model_file.path), f"the streaming form does not reproduce the model's {features}")
        return model

    def get_config(self):
        config = super().get_config()
        config.update({"convolutions": self.convolutions, "recurrent": self.recurrent, "features": self.features})
        return config
