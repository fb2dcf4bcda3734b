"""The linear softmax classifiers of the probes, on frozen features or on a trained network."""

import keras
import numpy as np
import tqdm

from cli.progress_display import progress_bar_options

_PREDICT_BATCH = 8192


def frozen_head(feature_dim: int, num_classes: int, mean: np.ndarray, variance: np.ndarray) -> keras.Model:
    """A linear softmax classifier of standardised features.

    Standardising by the training features' statistics is an affine map, so the classifier
    stays linear; it only spares the optimiser the very different scales of the rows (log-mel
    energies around -10, GRU outputs in [-1, 1]).

    Args:
        feature_dim: Features per example.
        num_classes: Output classes.
        mean: Mean of every feature over the training examples, ``(feature_dim,)``.
        variance: Their variance, ``(feature_dim,)``.

    Returns:
        A model mapping ``(batch, feature_dim)`` to class probabilities ``(batch, num_classes)``.
    """
    features = keras.Input((feature_dim,), name="features")
    standardised = keras.layers.Normalization(mean=mean, variance=variance, name="standardise")(features)
    probabilities = keras.layers.Dense(num_classes, activation="softmax", name="linear")(standardised)
    return keras.Model(features, probabilities, name="linear_probe")


def fit_frozen_head(
    features: np.ndarray,
    labels: np.ndarray,
    num_classes: int,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    show_progress: bool = False,
    description: str = "linear head",
) -> keras.Model:
    """Trains `frozen_head` on cached features with Adam and cross-entropy.

    Args:
        features: Training examples, ``(examples, feature_dim)``.
        labels: Their classes, ``(examples,)`` integers below ``num_classes``.
        num_classes: Output classes.
        epochs: Passes over the examples, shuffled each time.
        batch_size: Examples per batch.
        learning_rate: Adam's learning rate.
        show_progress: Show one progress bar over the epochs, with the training accuracy.
        description: Label of the progress bar.

    Returns:
        The trained classifier.
    """
    features64 = features.astype(np.float64)
    head = frozen_head(features.shape[1], num_classes, features64.mean(axis=0), features64.var(axis=0))
    compile_classifier(head, learning_rate)
    with tqdm.tqdm(
        **progress_bar_options(), total=epochs, desc=description, unit="epoch", disable=not show_progress
    ) as progress:

        def epoch_done(epoch, logs):
            progress.set_postfix(accuracy=f"{logs['accuracy']:.3f}")
            progress.update()

        callback = keras.callbacks.LambdaCallback(on_epoch_end=epoch_done)
        head.fit(features, labels, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0, callbacks=[callback])
    return head


def frame_classifier(network: keras.Model, num_classes: int) -> keras.Model:
    """The network followed by a linear softmax on every frame, trained end to end.

    Returns:
        A model mapping audio ``(batch, samples)`` to ``(batch, frames, num_classes)``.
    """
    audio = keras.Input((None,), name="audio")
    probabilities = keras.layers.Dense(num_classes, activation="softmax", name="linear")(network(audio))
    return keras.Model(audio, probabilities, name="supervised_frames")


def window_classifier(network: keras.Model, num_classes: int, pooling: str) -> keras.Model:
    """The network, its frames pooled into one vector, then a linear softmax.

    Args:
        network: Audio ``(batch, samples)`` to ``(batch, frames, features)``.
        num_classes: Output classes.
        pooling: ``"last"`` takes the last frame, ``"mean"`` averages the frames.

    Returns:
        A model mapping audio ``(batch, samples)`` to ``(batch, num_classes)``.
    """
    audio = keras.Input((None,), name="audio")
    pooled = pool_frames(network(audio), pooling)
    probabilities = keras.layers.Dense(num_classes, activation="softmax", name="linear")(pooled)
    return keras.Model(audio, probabilities, name="supervised_windows")


def pool_frames(frames, pooling: str):
    """``(batch, frames, features)`` to ``(batch, features)``: the last frame, or the mean."""
    if pooling == "last":
        return frames[:, -1]
    return keras.ops.mean(frames, axis=1)


def compile_classifier(model: keras.Model, learning_rate: float) -> None:
    """Adam, sparse cross-entropy and accuracy, as every probe trains."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )


def predict_classes(head: keras.Model, features: np.ndarray) -> np.ndarray:
    """The most probable class of every example, ``(examples,)`` int64."""
    # Direct calls: `predict` would trace a new function for every head and batch shape.
    return np.concatenate(
        [
            np.argmax(head(features[begin : begin + _PREDICT_BATCH], training=False), axis=-1)
            for begin in range(0, len(features), _PREDICT_BATCH)
        ]
    )
