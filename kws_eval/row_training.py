"""Training one row's keyword spotter and measuring it on every split."""

import math
import time
from pathlib import Path

import keras
import numpy as np

from kws_eval.front_end import build_front_end
from kws_eval.kws_config import KwsConfig
from kws_eval.kws_model import kws_model
from kws_eval.kws_row import KwsRow
from kws_eval.row_result import RowResult
from speechcommands.speech_commands_dataset import CLIP_SAMPLES, SpeechCommandsDataset
from tracking.artefact_files import save_model


def train_row(
    row: KwsRow,
    data: SpeechCommandsDataset,
    encoder: keras.Model | None,
    config: KwsConfig,
    model_path: Path,
    verbose: int | str = "auto",
) -> RowResult:
    """Trains the row's model with the shared recipe, evaluates it and saves it.

    The recipe: weights and shuffling seeded by `config.seed` (reset for every
    row, so the random rows start from the same encoder weights), Adam with
    the learning rate following a cosine from `config.lr` to 0 over all
    steps, sparse softmax cross-entropy on the logits, `config.epochs` epochs
    of `config.batch_size` clips, validation after every epoch.

    Args:
        row: The row to train.
        data: The loaded clips.
        encoder: The loaded encoder; None is fine for the log-mel row.
        config: The recipe.
        model_path: Where the trained model goes (`.keras`), written under a
            temporary name first.
        verbose: Keras `fit` verbosity; "auto" shows a progress bar.

    Returns:
        The `RowResult`.
    """
    started = time.monotonic()
    keras.utils.set_random_seed(config.seed)
    front_end = build_front_end(row, encoder)
    model = kws_model(front_end, len(data.words), config.filters, CLIP_SAMPLES, name=f"kws_{row.name}")
    steps_per_epoch = math.ceil(len(data.labels["training"]) / config.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(config.lr, config.epochs * steps_per_epoch)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    history = model.fit(
        data.batches("training", config.batch_size, shuffle=True, seed=config.seed),
        epochs=config.epochs,
        validation_data=data.batches("validation", config.batch_size),
        callbacks=[keras.callbacks.TerminateOnNaN()],
        verbose=verbose,
        shuffle=False,  # The pipeline shuffles; Keras cannot shuffle a tf.data.Dataset.
    ).history
    predicted = {
        split: np.argmax(model.predict(data.batches(split, config.batch_size), verbose=0), axis=-1)
        for split in ("training", "validation", "testing")
    }
    accuracies = {split: float(np.mean(predicted[split] == data.labels[split])) for split in predicted}
    confusion = np.zeros((len(data.words), len(data.words)), np.int64)
    np.add.at(confusion, (data.labels["testing"], predicted["testing"]), 1)
    save_model(model, model_path)
    frames, features = front_end.feature_shape(CLIP_SAMPLES)
    return RowResult(
        row=row,
        train_acc=accuracies["training"],
        val_acc=accuracies["validation"],
        test_acc=accuracies["testing"],
        confusion=confusion,
        history={key: [float(value) for value in values] for key, values in history.items()},
        frames=frames,
        features=features,
        hop=front_end.hop,
        receptive_field=front_end.receptive_field,
        trainable_params=sum(int(np.prod(weight.shape)) for weight in model.trainable_weights),
        total_params=model.count_params(),
        wall_seconds=round(time.monotonic() - started, 3),
    )
