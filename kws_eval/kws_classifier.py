"""The reference's keyword-spotting CNN over a frames × features image."""

import keras

BATCH_NORM_MOMENTUM = 0.9
"""Weight of the old moving statistics per step (PyTorch's default, not Keras's 0.99): they
settle within a few dozen steps, which a small set's short runs need for sane inference."""


def kws_classifier(
    num_features: int, num_classes: int, filters: tuple[int, int, int], name: str = "classifier"
) -> keras.Model:
    """Builds the classifier as a Functional model of built-in layers.

    The features are read as a one-channel image `(frames, features, 1)`.
    Three blocks of (3×3 conv → 3×3 conv → 2×2 max pool), every conv followed
    by batch normalisation and ReLU, then a 3×3 conv to one map per class and
    global average pooling give the logits. "same" padding everywhere, so any
    number of frames works (61 × 40 becomes 31 × 20, 16 × 10, 8 × 5).

    Args:
        num_features: Feature size of a frame (40 for log-mel and `seed`).
        num_classes: Number of words.
        filters: Filters of the convolutions of blocks 1, 2 and 3
            (`KwsConfig` defaults to 32, 64, 128: doubled at every pooling
            as the image halves).
        name: Name of the model.

    Returns:
        A `keras.Model` mapping `(batch, frames, num_features)` float32 to
        logits `(batch, num_classes)`.
    """
    features = keras.Input((None, num_features), name="features")
    x = keras.layers.Reshape((-1, num_features, 1), name="as_image")(features)
    for block, block_filters in enumerate(filters, start=1):
        for conv in (1, 2):
            prefix = f"block{block}_conv{conv}"
            # No bias: the batch normalisation that follows has its own offset.
            x = keras.layers.Conv2D(block_filters, 3, padding="same", use_bias=False, name=prefix)(x)
            x = keras.layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM, name=f"{prefix}_bn")(x)
            x = keras.layers.ReLU(name=f"{prefix}_relu")(x)
        x = keras.layers.MaxPooling2D(2, padding="same", name=f"block{block}_pool")(x)
    x = keras.layers.Conv2D(num_classes, 3, padding="same", name="class_maps")(x)
    logits = keras.layers.GlobalAveragePooling2D(name="logits")(x)
    return keras.Model(features, logits, name=name)
