"""The reference's autoregressive model: a GRU and all K predictions as one transposed convolution."""

import keras


def ar_model(t_skip: int, pred_steps: int, dim_c: int, dim_z: int, name: str = "ar") -> keras.Sequential:
    """Builds g_ar and the prediction heads as the reference does, in one `keras.Sequential`.

    A `GRU(dim_c)` gives the contexts c_t; an axis added at position 2 makes them a
    `(frames, 1)` image of ``dim_c`` channels, which a `Conv2DTranspose` of kernel
    `(1, pred_steps)` widens to `(frames, pred_steps)`: z_hat_{t+k} = W_k c_t + b for
    k = 1..pred_steps, the bias shared by all steps. `Cropping2D` then drops ``t_skip`` frames
    at the start and ``pred_steps + 1`` at the end, one more than have no future, so the
    output lines up with `GenTargets`.

    Args:
        t_skip: Number of initial contexts that are not scored.
        pred_steps: Number of predicted future frames K.
        dim_c: Context size, the GRU's units.
        dim_z: Dimension of the encoder frames, input and predicted.
        name: Name of the model.

    Returns:
        A `keras.Sequential` mapping z `(batch, frames, dim_z)` to the predictions
        `(batch, frames - t_skip - pred_steps - 1, pred_steps, dim_z)`.
    """
    return keras.Sequential(
        [
            keras.Input(shape=(None, dim_z), dtype="float32", name="z"),
            keras.layers.GRU(dim_c, return_sequences=True, name="gru"),
            keras.layers.Reshape((-1, 1, dim_c), name="image"),
            keras.layers.Conv2DTranspose(dim_z, (1, pred_steps), name="predict"),
            keras.layers.Cropping2D(((t_skip, pred_steps + 1), (0, 0)), name="crop"),
        ],
        name=name,
    )
