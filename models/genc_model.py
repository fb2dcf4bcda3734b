"""The CPC encoder g_enc built from an `EncoderSpec`."""

import keras

from models.encoder_spec import EncoderSpec


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
