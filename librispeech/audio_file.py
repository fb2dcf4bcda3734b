"""Reading audio files with every check a conversion needs, and normalising them as training does.

Every reader of audio in the toolkit (the converter, Speech Commands, noise folders, feature
extraction) reads through `read_pcm16`; every CPC input is normalised by the one formula
here: its mean removed, divided by its peak about the mean (at least `PEAK_FLOOR`).
"""

import dataclasses
import pathlib
from collections.abc import Iterator

import numpy as np
import soundfile

from librispeech.corpus_error import CorpusError

SAMPLE_RATE = 16000
"""LibriSpeech's sample rate, in Hz, and that of every record: other rates are resampled or refused."""
INT16_FULL_SCALE = 32768.0
"""The int16 value of float audio's 1.0: int16 samples divided by it lie in [-1, 1)."""
PEAK_FLOOR = 1.0
"""Smallest peak an utterance is divided by, in int16 steps, so that silence stays finite."""

_FLOAT_SUBTYPES = {"FLOAT", "DOUBLE"}
_BLOCK_FRAMES = 2**20
"""Frames read at a time by ``read_pcm16``."""


@dataclasses.dataclass(frozen=True)
class AudioHeader:
    """What an audio file's header declares.

    Attributes:
        sample_rate: Samples per second, per channel.
        channels: Channel count.
        frames: Samples per channel.
    """

    sample_rate: int
    channels: int
    frames: int


def read_header(path: pathlib.Path | str) -> AudioHeader:
    """Reads an audio file's header, refusing what no reader can take (missing, empty, corrupt).

    Raises:
        CorpusError: The file is missing, unreadable or corrupt, or declares no sample.
            The message names the file.
    """
    _check_size(path)
    try:
        with soundfile.SoundFile(str(path)) as audio:
            header = AudioHeader(audio.samplerate, audio.channels, audio.frames)
    except soundfile.LibsndfileError as error:
        raise CorpusError(f"{path}: unreadable or corrupt audio ({error.error_string})") from None
    except (RuntimeError, EOFError) as error:
        raise CorpusError(f"{path}: unreadable or corrupt audio ({error})") from None
    if header.frames == 0:
        raise CorpusError(f"{path}: empty audio (0 samples)")
    return header


def read_pcm16(path: pathlib.Path | str, sample_rate: int | None = SAMPLE_RATE, mono: bool = True) -> np.ndarray:
    """Reads an audio file as 16-bit PCM.

    Args:
        path: The audio file (FLAC in LibriSpeech; any format libsndfile reads).
        sample_rate: The rate the file must have, in Hz; None takes any.
        mono: Refuse a file of several channels.

    Returns:
        The samples, shape ``(samples,)`` if ``mono``, else ``(samples, channels)``; dtype int16.

    Raises:
        CorpusError: The file is missing, unreadable or corrupt, truncated, empty, not at
            ``sample_rate``, not mono when ``mono``, or holds NaN or Inf samples. The message
            names the file.
    """
    # Block by block: memory follows the data present, not the length a corrupt header declares.
    blocks = list(pcm16_blocks(path, _BLOCK_FRAMES, sample_rate, mono))
    return blocks[0] if len(blocks) == 1 else np.concatenate(blocks)


def pcm16_blocks(
    path: pathlib.Path | str, block_frames: int, sample_rate: int | None = SAMPLE_RATE, mono: bool = True
) -> Iterator[np.ndarray]:
    """An audio file's samples as 16-bit PCM, ``block_frames`` at a time, for files too long to hold.

    The checks are those of ``read_pcm16``; a truncated file raises after its last block.

    Yields:
        ``(block_frames,)`` int16 arrays if ``mono``, else ``(block_frames, channels)``; the
        last one shorter (never empty).

    Raises:
        CorpusError: As ``read_pcm16``.
    """
    _check_size(path)
    read = 0
    try:
        with soundfile.SoundFile(str(path)) as audio:
            declared_frames, rate, channels, subtype = audio.frames, audio.samplerate, audio.channels, audio.subtype
            if sample_rate is not None and rate != sample_rate:
                raise CorpusError(f"{path}: sample rate is {rate} Hz, expected {sample_rate} Hz")
            if mono and channels != 1:
                raise CorpusError(f"{path}: has {channels} channels, expected mono")
            if declared_frames == 0:
                raise CorpusError(f"{path}: empty audio (0 samples)")
            floating = subtype in _FLOAT_SUBTYPES
            while True:
                block = audio.read(block_frames, dtype="float64" if floating else "int16", always_2d=not mono)
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


def _check_size(path: pathlib.Path | str) -> None:
    """Refuses a missing or zero-length file before libsndfile gives a vaguer message."""
    try:
        size = pathlib.Path(path).stat().st_size
    except FileNotFoundError:
        raise CorpusError(f"{path}: no such file") from None
    except OSError as error:
        raise CorpusError(f"{path}: cannot read ({error.strerror or error})") from None
    if size == 0:
        raise CorpusError(f"{path}: zero-length file")


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
