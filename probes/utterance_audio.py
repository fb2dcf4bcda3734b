"""Whole utterances of a converted split, held in memory for the probes."""

import dataclasses
import pathlib

import numpy as np
import tensorflow as tf
import tqdm

from cli.progress_display import progress_bar_options
from librispeech.audio_file import normalized_pcm16
from librispeech.manifest import read_manifest
from librispeech.record_schema import tf_feature_spec
from probes.probe_error import ProbeError

_PARSE_BATCH = 64


class UtteranceAudioError(ProbeError):
    """An utterance the probe needs is not in the converted split."""


@dataclasses.dataclass
class UtteranceAudio:
    """One utterance as the converted split stores it.

    Attributes:
        utterance_id: ``<speaker>-<chapter>-<utt>``.
        speaker_id: LibriSpeech speaker number.
        samples: The audio, ``(samples,)`` int16 (half the memory of float32).
        dc_offset: Mean of the samples, in int16 units.
        peak: Peak absolute value after removing ``dc_offset``.
    """

    utterance_id: str
    speaker_id: int
    samples: np.ndarray
    dc_offset: float
    peak: float

    @property
    def num_samples(self) -> int:
        return len(self.samples)

    def normalized(self, start: int = 0, length: int | None = None) -> np.ndarray:
        """Samples ``start .. start + length - 1`` normalised as in training.

        The mean is removed and the result divided by the peak, both of the whole utterance
        (``librispeech.input_pipeline`` does the same to its windows).

        Returns:
            ``(length,)`` float32; the rest of the utterance when ``length`` is None.
        """
        end = None if length is None else start + length
        return normalized_pcm16(self.samples[start:end], self.dc_offset, self.peak)


def converted_lengths(tfrecords_dir: pathlib.Path | str, wanted: dict[str, str]) -> dict[str, int]:
    """The length in samples of every wanted utterance, from the split's manifest alone.

    Args:
        tfrecords_dir: The split's TFRecord folder (written by ``tfrecords.py``).
        wanted: Utterance ids, each mapped to where it was listed (named in errors).

    Returns:
        Samples by utterance id, in the order of ``wanted``.

    Raises:
        librispeech.corpus_error.CorpusError: Not a complete conversion.
        UtteranceAudioError: A wanted utterance is not in the split.
    """
    tfrecords_dir = pathlib.Path(tfrecords_dir).expanduser()
    stored = stored_lengths(tfrecords_dir)
    missing = next((utterance for utterance in wanted if utterance not in stored), None)
    if missing is not None:
        raise UtteranceAudioError(
            f"{tfrecords_dir}: utterance {missing} (listed in {wanted[missing]}) is not in this converted split"
        )
    return {utterance: stored[utterance] for utterance in wanted}


def stored_lengths(tfrecords_dir: pathlib.Path | str) -> dict[str, int]:
    """The length in samples of every utterance of a converted split, from its manifest alone.

    Raises:
        librispeech.corpus_error.CorpusError: Not a complete conversion.
    """
    manifest = read_manifest(pathlib.Path(tfrecords_dir).expanduser())
    return {
        utterance: length
        for shard in manifest.shards
        for utterance, length in zip(shard.utterance_ids, shard.num_samples)
    }


def read_utterances(
    tfrecords_dir: pathlib.Path | str, wanted: dict[str, str], show_progress: bool = False
) -> dict[str, UtteranceAudio]:
    """Reads the wanted utterances of a converted split into memory.

    Memory: 2 bytes per sample, 115 MB per hour of audio (train-clean-100: about 11.5 GB).

    Args:
        tfrecords_dir: The split's TFRecord folder (written by ``tfrecords.py``).
        wanted: Utterance ids to read, each mapped to where it was listed (named in errors).
        show_progress: Show a progress bar over the records read.

    Returns:
        The utterances by id, in the order of ``wanted``.

    Raises:
        librispeech.corpus_error.CorpusError: Not a complete conversion.
        UtteranceAudioError: A wanted utterance is not in the split.
    """
    converted_lengths(tfrecords_dir, wanted)
    tfrecords_dir = pathlib.Path(tfrecords_dir).expanduser()
    shards = [shard for shard in read_manifest(tfrecords_dir).shards if any(u in wanted for u in shard.utterance_ids)]
    dataset = tf.data.TFRecordDataset([str(tfrecords_dir / shard.file) for shard in shards])
    dataset = dataset.batch(_PARSE_BATCH).map(lambda serialized: tf.io.parse_example(serialized, tf_feature_spec()))
    found = {}
    progress = tqdm.tqdm(
        **progress_bar_options(),
        total=sum(shard.num_records for shard in shards),
        desc="reading audio",
        unit="utt",
        disable=not show_progress,
    )
    with progress:
        for batch in dataset.as_numpy_iterator():
            for index, raw_id in enumerate(batch["utterance_id"]):
                utterance = raw_id.decode()
                if utterance in wanted:
                    found[utterance] = UtteranceAudio(
                        utterance_id=utterance,
                        speaker_id=int(batch["speaker_id"][index]),
                        samples=np.frombuffer(batch["audio"][index], dtype="<i2").astype(np.int16),
                        dc_offset=float(batch["dc_offset"][index]),
                        peak=float(batch["peak"][index]),
                    )
            progress.update(len(batch["utterance_id"]))
    return {utterance: found[utterance] for utterance in wanted}
