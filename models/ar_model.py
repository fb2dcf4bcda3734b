"""The autoregressive context network g_ar of CPC."""

import keras

from models.encoder_spec import AR_CELLS

_RECURRENT_LAYERS = {"gru": keras.layers.GRU, "lstm": keras.layers.LSTM}


def ar_model(
    dim_z: int,
    dim_c: int = 40,
    name: str = "gar",
    use_cudnn: bool | str = "auto",
    cell: str = "gru",
    layers: int = 1,
) -> keras.Model:
    """Builds g_ar: recurrent layers summarising z_0 .. z_t into the context c_t.

    Args:
        dim_z: Dimension of the encoder output z_t.
        dim_c: Units of every recurrent layer; the last one's output is c_t.
        name: Name of the model.
        use_cudnn: Passed to the recurrent layers: "auto" uses the cuDNN
            kernel when a GPU allows it, False forces the generic
            (XLA-compilable) implementation.
        cell: "gru" (the paper, the reference) or "lstm" (modified CPC).
        layers: Number of stacked recurrent layers. A single layer is named
            after its cell ("gru", "lstm"), stacked ones "gru_1", "gru_2", ...

    Returns:
        A `keras.Model` mapping `(batch, frames, dim_z)` to
        `(batch, frames, dim_c)`, one context vector per frame.

    Raises:
        ValueError: Unknown cell or fewer than one layer.
    """
    if cell not in AR_CELLS:
        raise ValueError(f"ar_model: cell must be one of {', '.join(AR_CELLS)}, got {cell!r}")
    if layers < 1:
        raise ValueError(f"ar_model: layers must be at least 1, got {layers}")
    z = keras.Input(shape=(None, dim_z), dtype="float32", name="z")
    c = z
    for number in range(1, layers + 1):
        layer_name = cell if layers == 1 else f"{cell}_{number}"
        c = _RECURRENT_LAYERS[cell](dim_c, return_sequences=True, use_cudnn=use_cudnn, name=layer_name)(c)
    return keras.Model(z, c, name=name)
