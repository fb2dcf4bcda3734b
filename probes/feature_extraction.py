"""Running a frozen feature network over utterances or windows, once, into memory.

Memory: 4 bytes per feature per frame, held twice while the per-utterance arrays are joined. A
phone probe on the whole of train-clean-100 (about 100 hours: 36 M frames of 10 ms, 23 M of
16 ms) caches 5.8 GB for a 40-dimensional row at 10 ms (log-mel), 3.6 GB for the seed encoder's
c_t at 16 ms and 37 GB for the paper encoder's 256-dimensional c_t. The speaker probe caches one
vector per window, a few hundred MB at most.
"""

import keras
import numpy as np
import tensorflow as tf
import tqdm

from cli.progress_display import progress_bar_options
from probes.audio_windows import AudioWindows
from probes.linear_heads import pool_frames
from probes.utterance_audio import UtteranceAudio


def utterance_features(
    network: keras.Layer, groups: list[list[UtteranceAudio]], show_progress: bool = False, description: str = ""
) -> list[list[np.ndarray]]:
    """The features of every whole utterance of every group (e.g. the training and test splits).

    Utterances go through one at a time: padding them into batches would change the last
    frames of non-causal features (the deltas of MFCCs). The network is traced once for all.

    Args:
        network: Audio ``(batch, samples)`` to ``(batch, frames, features)``.
        groups: Lists of utterances, normalised as in training before they go in.
        show_progress: Show a progress bar.
        description: Label of the progress bar.

    Returns:
        Per group, ``(frames, features)`` float32 per utterance, in order.
    """
    run = _compiled(network, tf.TensorSpec((1, None), tf.float32))
    with tqdm.tqdm(
        **progress_bar_options(), total=sum(map(len, groups)), desc=description, unit="utt", disable=not show_progress
    ) as progress:
        features = []
        for utterances in groups:
            features.append([])
            for utterance in utterances:
                features[-1].append(run(utterance.normalized()[None])[0].numpy())
                progress.update()
    return features


def window_features(
    network: keras.Layer,
    groups: list[AudioWindows],
    pooling: str | None,
    batch_size: int,
    show_progress: bool = False,
    description: str = "",
) -> list[np.ndarray]:
    """One feature vector per window, for every group of windows (e.g. training and test).

    Args:
        network: Audio ``(batch, samples)`` to ``(batch, frames, features)``.
        groups: Windows of one length, in order.
        pooling: ``"last"`` frame or ``"mean"`` of the frames; None for a network that already
            gives one vector per window.
        batch_size: Windows per forward pass.
        show_progress: Show a progress bar.
        description: Label of the progress bar.

    Returns:
        Per group, ``(windows, features)`` float32.
    """
    run = _compiled(network, tf.TensorSpec((None, groups[0].length), tf.float32), pooling)
    total = sum(len(windows) for windows in groups)
    with tqdm.tqdm(
        **progress_bar_options(), total=total, desc=description, unit="window", disable=not show_progress
    ) as progress:
        vectors = []
        for windows in groups:
            pooled = []
            for audio, _ in windows.dataset(batch_size, shuffle=False):
                pooled.append(run(audio).numpy())
                progress.update(len(pooled[-1]))
            vectors.append(np.concatenate(pooled))
    return vectors


def _compiled(network, signature: tf.TensorSpec, pooling: str | None = None):
    # One trace for every length: calling the network eagerly would step its GRU in Python.
    def run(audio):
        features = network(audio, training=False)
        return features if pooling is None else pool_frames(features, pooling)

    return tf.function(run, input_signature=[signature])
