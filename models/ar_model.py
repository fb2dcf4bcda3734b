"""The autoregressive context network g_ar of CPC."""

import keras


def ar_model(dim_z: int, dim_c: int = 40, name: str = "gar", use_cudnn: bool | str = "auto") -> keras.Model:
    """Builds g_ar: a GRU summarising z_0 .. z_t into the context c_t.

    Args:
        dim_z: Dimension of the encoder output z_t.
        dim_c: Number of GRU units, the dimension of c_t.
        name: Name of the model.
        use_cudnn: Passed to `keras.layers.GRU`: "auto" uses the cuDNN kernel
            when a GPU allows it, False forces the generic (XLA-compilable)
            implementation.

    Returns:
        A `keras.Model` mapping `(batch, frames, dim_z)` to
        `(batch, frames, dim_c)`, one context vector per frame.
    """
    z = keras.Input(shape=(None, dim_z), dtype="float32", name="z")
    c = keras.layers.GRU(dim_c, return_sequences=True, use_cudnn=use_cudnn, name="gru")(z)
    return keras.Model(z, c, name=name)
