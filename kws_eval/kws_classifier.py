"""The keyword-spotting CNNs over a clip's frames: the recipe's temporal one and the reference's image one."""

import keras

BATCH_NORM_MOMENTUM = 0.9
"""Weight of the old moving statistics per step (PyTorch's default, not Keras's 0.99): they
settle within a few dozen steps, which a small set's short runs need for sane inference."""


def kws_classifier(
    kind: str,
    num_features: int,
    num_classes: int,
    filters: tuple[int, int, int],
    input_norm: bool = True,
    name: str = "classifier",
) -> keras.Model:
    """Builds the classifier of one kind, see `temporal_classifier` and `image_classifier`.

    Raises:
        ValueError: An unknown kind.
    """
    if kind == "temporal":
        return temporal_classifier(num_features, num_classes, filters, input_norm, name)
    if kind == "image":
        return image_classifier(num_features, num_classes, filters, input_norm, name)
    raise ValueError(f"unknown classifier {kind!r}; the classifiers are temporal, image")


def _input_features(num_features: int, input_norm: bool):
    """The classifier's input, batch-normalised per feature if `input_norm`.

    Batch normalisation of the input features puts every front end on one scale: log-mel
    energies around -10 and raw encoder outputs of any size alike.
    """
    features = keras.Input((None, num_features), name="features")
    if not input_norm:
        return features, features
    return features, keras.layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM, name="input_bn")(features)


def temporal_classifier(
    num_features: int,
    num_classes: int,
    filters: tuple[int, int, int],
    input_norm: bool = True,
    name: str = "classifier",
) -> keras.Model:
    """A CNN over time that reads every frame's features as channels.

    A learned encoder's features have no order along the feature axis (any
    permutation of z is as good), so a 2D convolution's 3-wide neighbourhoods
    along it mean nothing; here every convolution sees all features of 3
    consecutive frames, as in temporal-convolution keyword spotters (Choi et
    al., 2019, TC-ResNet). The input features are batch-normalised first
    (unless `input_norm` is false). Then three blocks of (conv → conv →
    max pool over 2 frames), every conv of kernel 3 followed by batch
    normalisation and ReLU, a kernel-3 conv to one map per class and global
    average pooling over time give the logits. "same" padding everywhere, so
    any number of frames works (62 become 31, 16, 8).

    Args:
        num_features: Feature size of a frame.
        num_classes: Number of words.
        filters: Filters of the convolutions of blocks 1, 2 and 3.
        input_norm: Batch-normalise every input feature first.
        name: Name of the model.

    Returns:
        A `keras.Model` mapping `(batch, frames, num_features)` float32 to
        logits `(batch, num_classes)`.
    """
    features, x = _input_features(num_features, input_norm)
    logits = _conv_blocks(
        x, filters, num_classes, keras.layers.Conv1D, keras.layers.MaxPooling1D, keras.layers.GlobalAveragePooling1D
    )
    return keras.Model(features, logits, name=name)


def image_classifier(
    num_features: int,
    num_classes: int,
    filters: tuple[int, int, int],
    input_norm: bool = False,
    name: str = "classifier",
) -> keras.Model:
    """The reference's CNN, which reads the features as a one-channel image `(frames, features, 1)`.

    Three blocks of (3×3 conv → 3×3 conv → 2×2 max pool), every conv followed
    by batch normalisation and ReLU, then a 3×3 conv to one map per class and
    global average pooling give the logits. "same" padding everywhere, so any
    number of frames works (61 × 40 becomes 31 × 20, 16 × 10, 8 × 5).

    Args:
        num_features: Feature size of a frame (40 for log-mel and `seed`).
        num_classes: Number of words.
        filters: Filters of the convolutions of blocks 1, 2 and 3 (the
            reference's 32, 64, 128: doubled at every pooling as the image halves).
        input_norm: Batch-normalise every input feature first (the reference does not).
        name: Name of the model.

    Returns:
        A `keras.Model` mapping `(batch, frames, num_features)` float32 to
        logits `(batch, num_classes)`.
    """
    features, x = _input_features(num_features, input_norm)
    image = keras.layers.Reshape((-1, num_features, 1), name="as_image")(x)
    logits = _conv_blocks(
        image, filters, num_classes, keras.layers.Conv2D, keras.layers.MaxPooling2D, keras.layers.GlobalAveragePooling2D
    )
    return keras.Model(features, logits, name=name)


def _conv_blocks(x, filters, num_classes: int, conv_layer, pool_layer, global_pool_layer):
    """Three blocks of (conv → conv → max pool by 2), a conv to one map per class, global average pooling.

    Every conv has kernel 3 along each axis and is followed by batch
    normalisation and ReLU; the layer classes set the number of axes.
    """
    for block, block_filters in enumerate(filters, start=1):
        for conv in (1, 2):
            prefix = f"block{block}_conv{conv}"
            # No bias: the batch normalisation that follows has its own offset.
            x = conv_layer(block_filters, 3, padding="same", use_bias=False, name=prefix)(x)
            x = keras.layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM, name=f"{prefix}_bn")(x)
            x = keras.layers.ReLU(name=f"{prefix}_relu")(x)
        x = pool_layer(2, padding="same", name=f"block{block}_pool")(x)
    x = conv_layer(num_classes, 3, padding="same", name="class_maps")(x)
    return global_pool_layer(name="logits")(x)
