"""Fixed-length labelled windows of utterances held in memory, batched on demand."""

import numpy as np
import tensorflow as tf

from probes.utterance_audio import UtteranceAudio


class AudioWindows:
    """Windows of ``length`` samples cut from utterances, each with a label or a label per frame.

    Only the window positions are stored; the float32 audio of a batch is made when the batch
    is drawn, so memory stays that of the int16 utterances.

    Args:
        utterances: The utterances the windows are cut from.
        utterance_index: Utterance of each window, ``(windows,)``.
        starts: First sample of each window in its utterance, ``(windows,)``.
        labels: A class per window ``(windows,)`` or per frame ``(windows, frames)``, integers.
        length: Samples per window.
    """

    def __init__(
        self,
        utterances: list[UtteranceAudio],
        utterance_index: np.ndarray,
        starts: np.ndarray,
        labels: np.ndarray,
        length: int,
    ):
        self.utterances = utterances
        self.utterance_index = np.asarray(utterance_index, dtype=np.int64)
        self.starts = np.asarray(starts, dtype=np.int64)
        self.labels = np.asarray(labels)
        self.length = length

    def __len__(self) -> int:
        return len(self.starts)

    def audio(self, rows: np.ndarray) -> np.ndarray:
        """Normalised audio of the windows ``rows``, ``(len(rows), length)`` float32."""
        return np.stack(
            [self.utterances[self.utterance_index[row]].normalized(self.starts[row], self.length) for row in rows]
        )

    def dataset(self, batch_size: int, shuffle: bool, seed: int = 0) -> tf.data.Dataset:
        """Batches of ``(audio (batch, length) float32, labels)``, the last one possibly smaller.

        Args:
            batch_size: Windows per batch.
            shuffle: A new order at every pass (every epoch), drawn from ``seed``.
            seed: Seed of the orders.
        """
        rng = np.random.default_rng(seed)
        label_shape = (None, *self.labels.shape[1:])

        def batches():
            order = rng.permutation(len(self)) if shuffle else np.arange(len(self))
            for begin in range(0, len(order), batch_size):
                rows = order[begin : begin + batch_size]
                yield self.audio(rows), self.labels[rows].astype(np.int32)

        signature = (
            tf.TensorSpec((None, self.length), tf.float32),
            tf.TensorSpec(label_shape, tf.int32),
        )
        dataset = tf.data.Dataset.from_generator(batches, output_signature=signature)
        # A known length gives Keras a complete progress bar from the first epoch on.
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(-(-len(self) // batch_size)))
        return dataset.prefetch(2)


def window_starts(num_samples: int, length: int) -> np.ndarray:
    """Starts of the non-overlapping windows of ``length`` samples that fit in an utterance.

    The windows are centred: the samples left over are split between both ends.
    """
    count = num_samples // length
    return (num_samples - count * length) // 2 + np.arange(count) * length
