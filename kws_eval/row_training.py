"""Training one row's keyword spotter once and measuring it on every split, clean and noisy."""

import math
import time
from pathlib import Path

import keras
import numpy as np

from artefacts.atomic_files import save_model
from cli.progress_display import keras_verbosity
from kws_eval.front_end import FrontEnd, build_front_end
from kws_eval.kws_config import KwsConfig
from kws_eval.kws_model import kws_model, linear_kws_model, mean_frame_model
from kws_eval.kws_row import KwsRow
from kws_eval.linear_softmax import fit_linear_softmax
from kws_eval.row_result import RowResult
from speechcommands.background_noise import mix_at_snr
from speechcommands.label_budget import clips_per_word
from speechcommands.speech_commands_dataset import CLIP_SAMPLES, SpeechCommandsDataset

_PREDICT_BATCH = 64


def train_row(
    row: KwsRow,
    data: SpeechCommandsDataset,
    encoder: keras.Model | None,
    config: KwsConfig,
    seed: int,
    train_per_word: int | None = None,
    noise: np.ndarray | None = None,
    model_path: Path | None = None,
    verbose: int | str = "auto",
) -> RowResult:
    """Trains the row with the shared recipe, evaluates it and optionally saves it.

    CNN rows: weights, shuffling and time shifts seeded by `seed` (reset for
    every row, so the random rows start from the same encoder weights), Adam
    at `config.lr` with `config.lr_schedule`, sparse softmax cross-entropy on
    the logits, `config.epochs` epochs of `config.batch_size` clips of which
    there are at least `config.min_steps` in all, validation after every
    epoch. Linear rows: the mean frame of every clip, standardised, and an
    exactly fitted linear softmax whose L2 strength is chosen on validation.

    Args:
        row: The row to train.
        data: The loaded clips.
        encoder: The loaded encoder; None is fine for the log-mel rows.
        config: The recipe.
        seed: The seed of this run.
        train_per_word: The label budget: train on this many clips per word,
            drawn with `seed`; None trains on every training clip.
        noise: `(test clips, CLIP_SAMPLES)` unit-RMS noise segments to mix
            into the test clips at every SNR of `config.test_snr`; None
            when there is no SNR to score.
        model_path: Where the trained model goes (`.keras`), written under a
            temporary name first; None saves nothing.
        verbose: Keras `fit` verbosity; "auto" shows a progress bar (a line per epoch when
            stdout is not a terminal).

    Returns:
        The `RowResult`.
    """
    started = time.monotonic()
    if train_per_word is None:
        train_indices = np.arange(len(data.labels["training"]))
    else:
        train_indices = clips_per_word(data.labels["training"], train_per_word, seed, data.words)
    keras.utils.set_random_seed(seed)
    front_end = build_front_end(row, encoder)
    classifier = "linear" if row.head == "linear" else config.classifier_for(row)
    if classifier == "linear":
        model, history, steps = _fit_linear(front_end, data, train_indices, config.crop_frames)
    else:
        model, history, steps = _fit_cnn(front_end, classifier, data, config, seed, train_indices, verbose)
    clean = {
        "training": data.float_audio("training", train_indices),
        "validation": data.float_audio("validation"),
        "testing": data.float_audio("testing"),
    }
    expected = {
        "training": data.labels["training"][train_indices],
        "validation": data.labels["validation"],
        "testing": data.labels["testing"],
    }
    predicted = {split: _classes(model, audio) for split, audio in clean.items()}
    accuracies = {split: float(np.mean(predicted[split] == expected[split])) for split in predicted}
    noisy = {}
    for snr in config.test_snr:
        mixed = mix_at_snr(clean["testing"], noise, snr)
        noisy[snr] = float(np.mean(_classes(model, mixed) == expected["testing"]))
    confusion = np.zeros((len(data.words), len(data.words)), np.int64)
    np.add.at(confusion, (expected["testing"], predicted["testing"]), 1)
    if model_path is not None:
        save_model(model, model_path)
    frames, features = front_end.feature_shape(CLIP_SAMPLES)
    return RowResult(
        row=row,
        seed=seed,
        classifier=classifier,
        train_per_word=train_per_word,
        train_clips=len(train_indices),
        train_acc=accuracies["training"],
        val_acc=accuracies["validation"],
        test_acc=accuracies["testing"],
        noisy_test_acc=noisy,
        confusion=confusion,
        history=history,
        frames=frames,
        features=features,
        hop=front_end.hop,
        receptive_field=front_end.receptive_field,
        trainable_params=sum(int(np.prod(weight.shape)) for weight in model.trainable_weights),
        total_params=model.count_params(),
        steps=steps,
        wall_seconds=round(time.monotonic() - started, 3),
    )


def steps_per_epoch(train_clips: int, config: KwsConfig) -> int:
    """Batches per epoch: one pass over the clips, more if `config.min_steps` needs them."""
    return max(math.ceil(train_clips / config.batch_size), math.ceil(config.min_steps / config.epochs))


def _fit_cnn(front_end: FrontEnd, classifier: str, data, config: KwsConfig, seed: int, train_indices, verbose):
    model = kws_model(
        front_end, len(data.words), classifier, config.filters, config.input_norm, CLIP_SAMPLES, config.crop_frames
    )
    per_epoch = steps_per_epoch(len(train_indices), config)
    total_steps = config.epochs * per_epoch
    rate = (
        keras.optimizers.schedules.CosineDecay(config.lr, total_steps) if config.lr_schedule == "cosine" else config.lr
    )
    model.compile(
        optimizer=keras.optimizers.Adam(rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    training = data.batches(
        "training",
        config.batch_size,
        shuffle=True,
        seed=seed,
        indices=train_indices,
        max_shift=config.max_shift_samples,
    )
    history = model.fit(
        training.repeat(),
        epochs=config.epochs,
        steps_per_epoch=per_epoch,
        validation_data=data.batches("validation", config.batch_size),
        callbacks=[keras.callbacks.TerminateOnNaN()],
        verbose=keras_verbosity(verbose),
        shuffle=False,  # The pipeline shuffles; Keras cannot shuffle a tf.data.Dataset.
    ).history
    return model, {key: [float(value) for value in values] for key, values in history.items()}, total_steps


def _fit_linear(front_end: FrontEnd, data, train_indices, crop_frames: int):
    pooled = mean_frame_model(front_end, CLIP_SAMPLES, crop_frames)
    train_audio = data.float_audio("training", train_indices)
    val_audio = data.float_audio("validation")
    softmax = fit_linear_softmax(
        pooled.predict(train_audio, batch_size=_PREDICT_BATCH, verbose=0),
        data.labels["training"][train_indices],
        pooled.predict(val_audio, batch_size=_PREDICT_BATCH, verbose=0),
        data.labels["validation"],
        len(data.words),
    )
    model = linear_kws_model(
        front_end, softmax.mean, softmax.variance, softmax.kernel, softmax.bias, CLIP_SAMPLES, crop_frames
    )
    return model, {}, 0


def _classes(model: keras.Model, audio: np.ndarray) -> np.ndarray:
    return np.argmax(model.predict(audio, batch_size=_PREDICT_BATCH, verbose=0), axis=-1)
