"""Linear phone classification per frame, the CPC paper's LibriSpeech protocol.

Every row is trained on the frames of the ``train_split.txt`` utterances and scored on those of
``test_split.txt``, whole utterances, each frame labelled with the 10 ms phone at its centre.
Frozen rows: the features are computed once and a linear softmax (on standardised features) is
trained on them. The supervised row trains the same network from scratch with the linear
softmax, on non-overlapping windows of the training utterances, then is scored like the others.
"""

import keras
import numpy as np

from probes.audio_windows import AudioWindows, window_starts
from probes.feature_extraction import utterance_features
from probes.feature_rows import FeatureRow, build_rows, check_window
from probes.frame_mapping import check_label_count, frame_labels
from probes.linear_heads import compile_classifier, fit_frozen_head, frame_classifier, predict_classes
from probes.phone_alignments import TEST_SPLIT_NAME, TRAIN_SPLIT_NAME, PhoneAlignments, read_phone_alignments
from probes.probe_config import ProbeConfig, ProbeConfigError, check_config
from probes.probe_results import ProbeResults, majority_accuracy
from probes.probe_runner import Predictions, ProbeRunner
from probes.utterance_audio import UtteranceAudio, converted_lengths, read_utterances


def run_phone_probe(config: ProbeConfig) -> ProbeResults:
    """Runs every row of ``config.rows`` on the phone task.

    Args:
        config: The settings; ``config.task`` is ignored.

    Returns:
        The results, rows in the order asked.

    Raises:
        ProbeError: Bad settings, label files or model, or labels that do not fit the audio;
            all checked before any audio is read.
        librispeech.corpus_error.CorpusError: ``config.tfrecords_dir`` is not a converted split.
    """
    check_config(config)
    alignments = read_phone_alignments(config.alignments_dir)
    wanted = {utterance: TRAIN_SPLIT_NAME for utterance in alignments.train_ids}
    wanted.update({utterance: TEST_SPLIT_NAME for utterance in alignments.test_ids})
    lengths = converted_lengths(config.tfrecords_dir, wanted)
    for utterance, num_samples in lengths.items():
        check_label_count(utterance, len(alignments.labels[utterance]), num_samples)
    if "supervised" in config.rows and all(lengths[utterance] < config.window for utterance in alignments.train_ids):
        raise ProbeConfigError(
            f"--window {config.window}: no utterance of {TRAIN_SPLIT_NAME} is that long to train the supervised row"
        )
    rows = build_rows(config)
    check_window([row for row in rows if row.trainable], config.window)
    audio = read_utterances(config.tfrecords_dir, wanted, config.show_progress)
    train = [audio[utterance] for utterance in alignments.train_ids]
    test = [audio[utterance] for utterance in alignments.test_ids]

    runner = ProbeRunner(
        "phone",
        frozen=lambda row: _frozen_predictions(row, train, test, alignments, config),
        supervised=lambda row: _supervised_predictions(row, train, test, alignments, config),
        seed=config.seed,
        confusion_classes=alignments.num_classes,
    )
    results = runner.run(rows)
    train_labels = np.concatenate([alignments.labels[utterance] for utterance in alignments.train_ids])
    test_labels = np.concatenate([alignments.labels[utterance] for utterance in alignments.test_ids])
    recipe = {
        "task": "phone",
        "tfrecords": str(config.tfrecords_dir),
        "alignments": str(config.alignments_dir),
        "model": str(config.model_path()) if config.needs_model else None,
        "features": config.features,
        "classes": alignments.num_classes,
        "train_utterances": len(train),
        "test_utterances": len(test),
        "frozen_rows": "linear softmax on standardised features of whole utterances, frames labelled "
        "with the 10 ms phone at their centre",
        "supervised_row": f"the network and a linear softmax trained from random init on {config.window}-sample "
        "windows of the training utterances, scored on whole utterances",
        "optimizer": "adam",
        "epochs": config.epochs,
        "learning_rate": config.learning_rate,
        "supervised_epochs": config.end_to_end_epochs,
        "supervised_learning_rate": config.supervised_learning_rate,
        "frame_batch_size": config.frame_batch_size,
        "batch_size": config.batch_size,
        "window": config.window,
        "seed": config.seed,
    }
    majority = majority_accuracy(train_labels, test_labels)
    return ProbeResults("phone", results, alignments.class_names(), majority, recipe)


def _labels_of(
    row: FeatureRow, utterance: UtteranceAudio, alignments: PhoneAlignments, num_frames: int, start: int = 0
) -> np.ndarray:
    return frame_labels(
        utterance.utterance_id,
        alignments.labels[utterance.utterance_id],
        row.geometry,
        num_frames,
        utterance.num_samples,
        start,
    )


def _frozen_predictions(
    row: FeatureRow,
    train: list[UtteranceAudio],
    test: list[UtteranceAudio],
    alignments: PhoneAlignments,
    config: ProbeConfig,
) -> Predictions:
    """Trains a head on the row's frozen features; predicted and true labels of train and test frames."""
    groups = utterance_features(row.network, [train, test], config.show_progress, f"{row.name}: features")
    data = []
    for utterances in (train, test):
        # Popping frees each group's per-utterance arrays once concatenated: the feature cache
        # is the largest allocation of a run.
        features = groups.pop(0)
        labels = np.concatenate([_labels_of(row, u, alignments, len(f)) for u, f in zip(utterances, features)])
        data.append((np.concatenate(features), labels))
        del features
    (train_features, train_labels), (test_features, test_labels) = data
    head = fit_frozen_head(
        train_features,
        train_labels,
        alignments.num_classes,
        config.epochs,
        config.frame_batch_size,
        config.learning_rate,
        config.show_progress,
        f"{row.name}: linear head",
    )
    return (predict_classes(head, train_features), train_labels), (predict_classes(head, test_features), test_labels)


def _supervised_predictions(
    row: FeatureRow,
    train: list[UtteranceAudio],
    test: list[UtteranceAudio],
    alignments: PhoneAlignments,
    config: ProbeConfig,
) -> Predictions:
    """Trains network and head end to end on windows; predicted and true labels of train and test frames."""
    frames_per_window = int(row.network(np.zeros((1, config.window), np.float32)).shape[1])
    utterance_index, starts, labels = [], [], []
    for index, utterance in enumerate(train):
        for start in window_starts(utterance.num_samples, config.window):
            utterance_index.append(index)
            starts.append(start)
            labels.append(_labels_of(row, utterance, alignments, frames_per_window, start))
    windows = AudioWindows(train, np.array(utterance_index), np.array(starts), np.stack(labels), config.window)
    model = frame_classifier(row.network, alignments.num_classes)
    compile_classifier(model, config.supervised_learning_rate)
    model.fit(
        windows.dataset(config.batch_size, shuffle=True, seed=config.seed),
        epochs=config.end_to_end_epochs,
        verbose=config.fit_verbose,
        shuffle=False,
    )
    # The class of each frame rather than its probabilities: 41 times less memory on real data.
    classify = keras.Model(model.inputs, keras.ops.argmax(model.outputs[0], axis=-1))
    groups = utterance_features(classify, [train, test], config.show_progress, f"{row.name}: predictions")
    outcome = []
    for utterances, predicted in zip((train, test), groups):
        expected = np.concatenate([_labels_of(row, u, alignments, len(p)) for u, p in zip(utterances, predicted)])
        outcome.append((np.concatenate(predicted), expected))
    return tuple(outcome)
