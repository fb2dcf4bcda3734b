"""Speech Commands clips in memory and the tf.data pipeline that batches them.

Every clip is read once with soundfile, checked (16 kHz, mono, readable),
padded with zeros at the end or cropped to one second, and kept as int16:
the real v0.01 set (about 65,000 clips) then takes about 2 GB, half of what
float32 would. Batches are gathered from those arrays by index and converted
to float32 one batch at a time, so the arrays are never copied into the
TensorFlow graph.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
from pathlib import Path

import numpy as np
import tensorflow as tf
import tqdm

from cli.progress_display import progress_bar_options
from cli.usable_cores import usable_cores
from librispeech.audio_file import INT16_FULL_SCALE, read_pcm16
from librispeech.corpus_error import CorpusError
from speechcommands.speech_commands_error import SpeechCommandsError
from speechcommands.speech_commands_index import SPLITS, SpeechCommandsIndex, scan_speech_commands

SAMPLE_RATE = 16000
"""The dataset's sample rate in Hz; every clip must have it."""

CLIP_SAMPLES = 16000
"""Samples per clip after padding or cropping: one second."""


@dataclasses.dataclass(frozen=True)
class SpeechCommandsDataset:
    """Every clip of the selected words, by split, as int16 in memory.

    Attributes:
        index: The clips' paths, labels and the source of the splits.
        audio: For each split, `(clips, CLIP_SAMPLES)` int16, in the order of
            `index.clips[split]`.
        labels: For each split, `(clips,)` int32 word indices into `index.words`.
    """

    index: SpeechCommandsIndex
    audio: dict[str, np.ndarray]
    labels: dict[str, np.ndarray]

    @property
    def words(self) -> tuple[str, ...]:
        """The class names, in label order."""
        return self.index.words

    def float_audio(self, split: str, indices: np.ndarray | None = None) -> np.ndarray:
        """The clips of a split, or those at `indices` within it, as `(clips, CLIP_SAMPLES)` float32 in [-1, 1)."""
        audio = self.audio[split] if indices is None else self.audio[split][indices]
        return audio.astype(np.float32) / INT16_FULL_SCALE

    def batches(
        self,
        split: str,
        batch_size: int,
        shuffle: bool = False,
        seed: int = 0,
        indices: np.ndarray | None = None,
        max_shift: int = 0,
    ) -> tf.data.Dataset:
        """A tf.data pipeline over one split.

        Args:
            split: "training", "validation" or "testing".
            batch_size: Clips per batch; the last batch may be smaller.
            shuffle: Visit the clips in a new random order every epoch
                (seeded by `seed`); otherwise in index order.
            seed: Seed of the shuffling and of the time shifts.
            indices: Positions of the clips to use within the split (a label
                budget's subset); None uses every clip.
            max_shift: Shift every clip by a random whole number of samples
                in `[-max_shift, max_shift]`, filling with silence (time-shift
                augmentation); the shifts differ in every epoch and are the
                same for equal seeds. 0 leaves the clips as they are.

        Returns:
            A dataset of `(audio, labels)`: audio `(batch, CLIP_SAMPLES)`
            float32 in [-1, 1), labels `(batch,)` int32.
        """
        audio, labels = self.audio[split], self.labels[split]
        if indices is None:
            indices = np.arange(len(labels))
        indices = np.asarray(indices, np.int64)

        def gather(rows):
            samples, batch_labels = tf.numpy_function(
                lambda chosen: (audio[chosen], labels[chosen]), [rows], (tf.int16, tf.int32), stateful=False
            )
            samples = tf.ensure_shape(samples, (None, CLIP_SAMPLES))
            batch_labels = tf.ensure_shape(batch_labels, (None,))
            return tf.cast(samples, tf.float32) / INT16_FULL_SCALE, batch_labels

        dataset = tf.data.Dataset.from_tensor_slices(indices)
        if shuffle:
            dataset = dataset.shuffle(len(indices), seed=seed, reshuffle_each_iteration=True)
        dataset = dataset.batch(batch_size).map(gather, num_parallel_calls=tf.data.AUTOTUNE)
        if max_shift:
            # One random seed per batch, drawn afresh each epoch: stateless shifts stay
            # reproducible under the parallel map.
            batch_seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
            dataset = tf.data.Dataset.zip(dataset, batch_seeds).map(
                lambda batch, batch_seed: (time_shift(batch[0], max_shift, batch_seed), batch[1]),
                num_parallel_calls=tf.data.AUTOTUNE,
            )
        return dataset.prefetch(tf.data.AUTOTUNE)


def time_shift(audio: tf.Tensor, max_shift: int, seed: tf.Tensor) -> tf.Tensor:
    """Shifts every clip by its own random number of samples, filling with zeros.

    Args:
        audio: `(batch, samples)` float32.
        max_shift: Largest shift in samples, either way.
        seed: Two int64 values: the seed of the stateless draw.

    Returns:
        `(batch, samples)`: clip `i` delayed by `d_i` samples, `d_i` uniform
        in `[-max_shift, max_shift]` (negative: advanced), the samples shifted
        past either end dropped.
    """
    clips, samples = tf.shape(audio)[0], tf.shape(audio)[1]
    delays = tf.random.stateless_uniform([clips], seed, -max_shift, max_shift + 1, dtype=tf.int32)
    padded = tf.pad(audio, [[0, 0], [max_shift, max_shift]])
    starts = max_shift - delays
    return tf.gather(padded, starts[:, None] + tf.range(samples)[None, :], batch_dims=1)


def load_speech_commands(
    root: Path | str,
    words: tuple[str, ...] | list[str] | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> SpeechCommandsDataset:
    """Scans a Speech Commands folder and reads every clip of the selected words.

    Args:
        root: The dataset folder (v0.01 or v0.02 layout).
        words: The words to keep, in label order; None keeps every word, sorted.
        workers: Threads reading files; None takes the number of cores.
        progress: Show a progress bar while reading.

    Returns:
        The `SpeechCommandsDataset`.

    Raises:
        SpeechCommandsError: A layout problem (see `scan_speech_commands`) or
            a clip that is unreadable, empty, not 16 kHz or not mono.
    """
    return read_speech_commands(scan_speech_commands(root, words), workers, progress)


def read_speech_commands(
    index: SpeechCommandsIndex, workers: int | None = None, progress: bool = True
) -> SpeechCommandsDataset:
    """Reads every clip of a scanned folder (`scan_speech_commands`).

    Args:
        index: The clips to read.
        workers: Threads reading files; None takes the number of cores.
        progress: Show a progress bar while reading.

    Returns:
        The `SpeechCommandsDataset`.

    Raises:
        SpeechCommandsError: A clip is unreadable, empty, not 16 kHz or not mono.
    """
    workers = workers or usable_cores()
    audio = {split: np.zeros((len(index.clips[split]), CLIP_SAMPLES), np.int16) for split in SPLITS}
    jobs = [(split, row, index.root / clip) for split in SPLITS for row, clip in enumerate(index.clips[split])]

    def read(job):
        split, row, path = job
        try:
            samples = read_pcm16(path, SAMPLE_RATE)
        except CorpusError as error:
            raise SpeechCommandsError(str(error)) from None
        audio[split][row, : min(samples.size, CLIP_SAMPLES)] = samples[:CLIP_SAMPLES]

    with (
        tqdm.tqdm(
            **progress_bar_options(), total=len(jobs), desc="loading clips", unit="clip", disable=not progress
        ) as bar,
        concurrent.futures.ThreadPoolExecutor(workers) as pool,
    ):
        futures = [pool.submit(read, job) for job in jobs]
        try:
            for future in concurrent.futures.as_completed(futures):
                future.result()
                bar.update()
        except BaseException:
            # Stop at the first bad clip instead of reading the tens of thousands queued, and
            # clear the bar so that the error is what is left on the terminal.
            pool.shutdown(cancel_futures=True)
            bar.leave = False
            raise
    labels = {split: np.asarray(index.labels[split], np.int32) for split in SPLITS}
    return SpeechCommandsDataset(index, audio, labels)
