"""Audio to context vectors: g_enc followed by g_ar."""

import keras


def context_model(encoder: keras.Model, ar: keras.Model, name: str = "context") -> keras.Model:
    """Chains the encoder and the GRU into one model computing c_t from audio.

    The returned model shares its layers (and weights) with `encoder` and
    `ar`. It is what downstream probes load (saved as `gar.keras`).

    Args:
        encoder: Encoder model `(batch, samples)` -> `(batch, frames, dim_z)`.
        ar: Context model `(batch, frames, dim_z)` -> `(batch, frames, dim_c)`.
        name: Name of the model.

    Returns:
        A `keras.Model` mapping `(batch, samples)` to `(batch, frames, dim_c)`.
    """
    audio = keras.Input(shape=(None,), dtype="float32", name="audio")
    return keras.Model(audio, ar(encoder(audio)), name=name)
