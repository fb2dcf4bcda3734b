"""Linear speaker classification of 1.28 s windows, the CPC paper's LibriSpeech protocol.

The utterances of ``train_split.txt`` and ``test_split.txt`` are cut into non-overlapping
windows (``config.window`` samples, centred in the utterance; shorter utterances give none),
each labelled with its speaker; the classes are every speaker of both files. A window becomes
one vector: the last c_t (the GRU has then seen the whole window), or the mean of its frames
for z_t, MFCCs and log-mels. Frozen rows train a linear softmax on standardised vectors; the
supervised row trains the same network from scratch with the linear softmax, end to end.
"""

import numpy as np

from probes.audio_windows import AudioWindows, window_starts
from probes.feature_extraction import window_features
from probes.feature_rows import FeatureRow, build_rows, check_window
from probes.linear_heads import compile_classifier, fit_frozen_head, predict_classes, window_classifier
from probes.phone_alignments import TEST_SPLIT_NAME, TRAIN_SPLIT_NAME, read_splits
from probes.probe_config import ProbeConfig, ProbeConfigError, check_config
from probes.probe_results import ProbeResults, majority_accuracy
from probes.probe_runner import Predictions, ProbeRunner
from probes.utterance_audio import UtteranceAudio, converted_lengths, read_utterances

# Windows per forward pass when only computing (features, predictions): the training batch
# size is chosen for optimisation, not for speed.
_INFERENCE_BATCH = 32


def run_speaker_probe(config: ProbeConfig) -> ProbeResults:
    """Runs every row of ``config.rows`` on the speaker task.

    Args:
        config: The settings; ``config.task`` is ignored.

    Returns:
        The results, rows in the order asked.

    Raises:
        ProbeError: Bad settings, split files or model, or no window in a split; all checked
            before any audio is read.
        librispeech.corpus_error.CorpusError: ``config.tfrecords_dir`` is not a converted split.
    """
    check_config(config)
    train_ids, test_ids = read_splits(config.alignments_dir)
    wanted = {utterance: TRAIN_SPLIT_NAME for utterance in train_ids}
    wanted.update({utterance: TEST_SPLIT_NAME for utterance in test_ids})
    lengths = converted_lengths(config.tfrecords_dir, wanted)
    for source, ids in ((TRAIN_SPLIT_NAME, train_ids), (TEST_SPLIT_NAME, test_ids)):
        if all(lengths[utterance] < config.window for utterance in ids):
            raise ProbeConfigError(f"--window {config.window}: no utterance of {source} is that long")
    rows = build_rows(config)
    check_window(rows, config.window)
    audio = read_utterances(config.tfrecords_dir, wanted, config.show_progress)
    speakers = sorted({utterance.speaker_id for utterance in audio.values()})
    speaker_class = {speaker: index for index, speaker in enumerate(speakers)}
    train = _windows([audio[utterance] for utterance in train_ids], speaker_class, config.window)
    test = _windows([audio[utterance] for utterance in test_ids], speaker_class, config.window)

    runner = ProbeRunner(
        "speaker",
        frozen=lambda row: _frozen_predictions(row, train, test, len(speakers), config),
        supervised=lambda row: _supervised_predictions(row, train, test, len(speakers), config),
        seed=config.seed,
        records_pooling=True,
    )
    results = runner.run(rows)
    recipe = {
        "task": "speaker",
        "tfrecords": str(config.tfrecords_dir),
        "alignments": str(config.alignments_dir),
        "model": str(config.model_path()) if config.needs_model else None,
        "features": config.features,
        "classes": len(speakers),
        "train_utterances": len(train_ids),
        "test_utterances": len(test_ids),
        "utterances_shorter_than_window": sum(utterance.num_samples < config.window for utterance in audio.values()),
        "window": config.window,
        "windows": "non-overlapping, centred in the utterance",
        "frozen_rows": "linear softmax on the standardised vector of each window (last c_t, or mean of the frames)",
        "supervised_row": "the network, the same pooling and a linear softmax trained from random init",
        "optimizer": "adam",
        "epochs": config.epochs,
        "learning_rate": config.learning_rate,
        "supervised_epochs": config.end_to_end_epochs,
        "supervised_learning_rate": config.supervised_learning_rate,
        "batch_size": config.batch_size,
        "seed": config.seed,
    }
    class_names = [str(speaker) for speaker in speakers]
    return ProbeResults("speaker", results, class_names, majority_accuracy(train.labels, test.labels), recipe)


def _windows(utterances: list[UtteranceAudio], speaker_class: dict[int, int], window: int) -> AudioWindows:
    utterance_index, starts = [], []
    for index, utterance in enumerate(utterances):
        for start in window_starts(utterance.num_samples, window):
            utterance_index.append(index)
            starts.append(start)
    labels = np.array([speaker_class[utterances[index].speaker_id] for index in utterance_index])
    return AudioWindows(utterances, np.array(utterance_index), np.array(starts), labels, window)


def _frozen_predictions(
    row: FeatureRow, train: AudioWindows, test: AudioWindows, num_classes: int, config: ProbeConfig
) -> Predictions:
    """Trains a head on the row's frozen window vectors; predicted and true classes of train and test windows."""
    train_vectors, test_vectors = window_features(
        row.network, [train, test], row.pooling, _INFERENCE_BATCH, config.show_progress, f"{row.name}: features"
    )
    head = fit_frozen_head(
        train_vectors,
        train.labels,
        num_classes,
        config.epochs,
        config.batch_size,
        config.learning_rate,
        config.show_progress,
        f"{row.name}: linear head",
    )
    return (predict_classes(head, train_vectors), train.labels), (predict_classes(head, test_vectors), test.labels)


def _supervised_predictions(
    row: FeatureRow, train: AudioWindows, test: AudioWindows, num_classes: int, config: ProbeConfig
) -> Predictions:
    """Trains network and head end to end; predicted and true classes of train and test windows."""
    model = window_classifier(row.network, num_classes, row.pooling)
    compile_classifier(model, config.supervised_learning_rate)
    model.fit(
        train.dataset(config.batch_size, shuffle=True, seed=config.seed),
        epochs=config.end_to_end_epochs,
        verbose=config.fit_verbose,
        shuffle=False,
    )
    train_probabilities, test_probabilities = window_features(
        model, [train, test], None, _INFERENCE_BATCH, config.show_progress, f"{row.name}: predictions"
    )
    return (
        (np.argmax(train_probabilities, axis=-1), train.labels),
        (np.argmax(test_probabilities, axis=-1), test.labels),
    )
