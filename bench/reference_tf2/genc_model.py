"""The reference's encoder: a Keras stack of causal Conv1D layers."""

import keras


def genc_model(dim_z: int = 40, name: str = "genc") -> keras.Sequential:
    """Builds g_enc as the reference does: 4 `Conv1D(padding="causal")`, He-uniform kernels.

    The first layer adds the channel axis; the convolutions have 64, 64, 64 and ``dim_z``
    filters, kernels and strides 8/8, 4/4, 4/4 and 4/2 (hop 256, so 80 frames for a
    20480-sample window, as our `seed` preset), and a ReLU on all but the last. Keras's causal
    padding puts ``kernel - 1`` zeros on the left, so frame ``j`` ends at sample ``256 j``.

    Args:
        dim_z: Output dimension, the filters of the last convolution.
        name: Name of the model.

    Returns:
        A `keras.Sequential` mapping float32 audio `(batch, samples)` to
        `(batch, samples // 256, dim_z)`.
    """
    layers = [keras.Input(shape=(None,), dtype="float32", name="audio"), keras.layers.Reshape((-1, 1), name="channel")]
    geometry = ((64, 8, 8, "relu"), (64, 4, 4, "relu"), (64, 4, 4, "relu"), (dim_z, 4, 2, None))
    for number, (filters, kernel, stride, activation) in enumerate(geometry, start=1):
        layers.append(
            keras.layers.Conv1D(
                filters,
                kernel,
                strides=stride,
                padding="causal",
                activation=activation,
                kernel_initializer="he_uniform",
                name=f"conv_{number}",
            )
        )
    return keras.Sequential(layers, name=name)
