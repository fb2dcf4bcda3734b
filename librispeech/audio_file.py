"""Reading audio files with every check a conversion needs, and normalising them as training does.

Every reader of audio in the toolkit (the converter, Speech Commands, noise folders, feature
extraction) reads through `read_pcm16`; every CPC input is normalised by the one formula
here: its mean removed, divided by its peak about the mean (at least `PEAK_FLOOR`).
"""

import pathlib
from collections.abc import Iterator

import numpy as np
import soundfile

from librispeech.corpus_error import CorpusError

SAMPLE_RATE = 16000
"""LibriSpeech's sample rate, in Hz; every file must have it."""
INT16_FULL_SCALE = 32768.0
"""The int16 value of float audio's 1.0: int16 samples divided by it lie in [-1, 1)."""
PEAK_FLOOR = 1.0
"""Smallest peak an utterance is divided by, in int16 steps, so that silence stays finite."""

_FLOAT_SUBTYPES = {"FLOAT", "DOUBLE"}
_BLOCK_FRAMES = 2**20
"""Frames read at a time by ``read_pcm16``."""


def read_pcm16(path: pathlib.Path | str, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Reads a mono audio file as 16-bit PCM.

    Args:
        path: The audio file (FLAC in LibriSpeech; any format libsndfile reads).
        sample_rate: The rate the file must have, in Hz.

    Returns:
        The samples, shape ``(samples,)``, dtype int16.

    Raises:
        CorpusError: The file is missing, unreadable or corrupt, truncated, empty, not at
            ``sample_rate``, not mono, or holds NaN or Inf samples. The message names the file.
    """
    # Block by block: memory follows the data present, not the length a corrupt header declares.
    blocks = list(pcm16_blocks(path, _BLOCK_FRAMES, sample_rate))
    return blocks[0] if len(blocks) == 1 else np.concatenate(blocks)


def pcm16_blocks(path: pathlib.Path | str, block_frames: int, sample_rate: int = SAMPLE_RATE) -> Iterator[np.ndarray]:
    """A mono audio file's samples as 16-bit PCM, ``block_frames`` at a time, for files too long to hold.

    The checks are those of ``read_pcm16``; a truncated file raises after its last block.

    Yields:
        ``(block_frames,)`` int16 arrays, the last one shorter (never empty).

    Raises:
        CorpusError: As ``read_pcm16``.
    """
    try:
        size = pathlib.Path(path).stat().st_size
    except FileNotFoundError:
        raise CorpusError(f"{path}: no such file") from None
    except OSError as error:
        raise CorpusError(f"{path}: cannot read ({error.strerror or error})") from None
    if size == 0:
        raise CorpusError(f"{path}: zero-length file")
    read = 0
    try:
        with soundfile.SoundFile(str(path)) as audio:
            declared_frames, rate, channels, subtype = audio.frames, audio.samplerate, audio.channels, audio.subtype
            if rate != sample_rate:
                raise CorpusError(f"{path}: sample rate is {rate} Hz, expected {sample_rate} Hz")
            if channels != 1:
                raise CorpusError(f"{path}: has {channels} channels, expected mono")
            if declared_frames == 0:
                raise CorpusError(f"{path}: empty audio (0 samples)")
            floating = subtype in _FLOAT_SUBTYPES
            while True:
                block = audio.read(block_frames, dtype="float64" if floating else "int16")
                read += len(block)
                if len(block):
                    yield _float_to_pcm16(path, block) if floating else block
                if len(block) < block_frames:
                    break
    except soundfile.LibsndfileError as error:
        raise CorpusError(f"{path}: unreadable or corrupt audio ({error.error_string})") from None
    except (RuntimeError, EOFError) as error:
        raise CorpusError(f"{path}: unreadable or corrupt audio ({error})") from None
    if read != declared_frames:
        raise CorpusError(f"{path}: truncated, header declares {declared_frames} samples but {read} could be read")


def _float_to_pcm16(path: pathlib.Path | str, samples: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(samples)):
        raise CorpusError(f"{path}: holds NaN or Inf samples")
    # Clipping first keeps huge finite values from overflowing the scaling.
    return np.clip(np.round(np.clip(samples, -1.0, 1.0) * INT16_FULL_SCALE), -32768, 32767).astype(np.int16)


def peak_about_mean(mean: float, low: float, high: float) -> float:
    """The largest distance of any sample from ``mean``, from the extremes ``low`` and ``high`` alone.

    A long file's peak follows from its running minimum and maximum, without a float copy.
    """
    return max(high - mean, mean - low)


def normalized_pcm16(samples: np.ndarray, mean: float, peak: float) -> np.ndarray:
    """Int16 samples with ``mean`` removed and divided by ``peak`` (at least `PEAK_FLOOR`).

    Args:
        samples: `(samples,)` int16, the whole utterance or a stretch of it.
        mean: The whole utterance's mean, in int16 steps.
        peak: The whole utterance's `peak_about_mean`.

    Returns:
        `(samples,)` float32; over a whole utterance, zero mean and peak absolute value 1.
    """
    return (samples.astype(np.float32) - np.float32(mean)) / np.float32(max(peak, PEAK_FLOOR))
