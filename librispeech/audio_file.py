"""Reading audio files with every check a conversion needs, and normalising them as training does.

Every reader of audio in the toolkit (the converter, Speech Commands, noise folders, feature
extraction) reads through `AudioReader` (`read_pcm16`, `pcm16_blocks`); every CPC input is
normalised by the one formula here: its mean removed, divided by its peak about the mean (at
least `PEAK_FLOOR`).
"""

import contextlib
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
    with AudioReader(path) as audio:
        audio.require(sample_rate=None, mono=False)
        return audio.header


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
    with AudioReader(path) as audio:
        audio.require(sample_rate, mono)
        return audio.whole(mono)


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
    with AudioReader(path) as audio:
        audio.require(sample_rate, mono)
        yield from audio.blocks(block_frames, mono)


class AudioReader:
    """An audio file opened once: its header, then its samples as 16-bit PCM.

    A context manager; entering it opens the file and reads the header.

    Attributes:
        path: The file.
        header: What its header declares (set on entering).

    Raises:
        CorpusError: On entering, the file is missing, unreadable or corrupt; the message
            names the file.
    """

    def __init__(self, path: pathlib.Path | str):
        self.path = path
        self.header = None
        self._audio = None

    def __enter__(self) -> "AudioReader":
        _check_size(self.path)
        with _as_corpus_error(self.path):
            self._audio = soundfile.SoundFile(str(self.path))
        self.header = AudioHeader(self._audio.samplerate, self._audio.channels, self._audio.frames)
        return self

    def __exit__(self, *exception) -> None:
        self._audio.close()

    def require(self, sample_rate: int | None, mono: bool) -> None:
        """Refuses a file at another rate than ``sample_rate`` (None takes any), of several channels
        if ``mono``, or that declares no sample.

        Raises:
            CorpusError: Naming the file and what it holds.
        """
        if sample_rate is not None and self.header.sample_rate != sample_rate:
            raise CorpusError(f"{self.path}: sample rate is {self.header.sample_rate} Hz, expected {sample_rate} Hz")
        if mono and self.header.channels != 1:
            raise CorpusError(f"{self.path}: has {self.header.channels} channels, expected mono")
        if self.header.frames == 0:
            raise CorpusError(f"{self.path}: empty audio (0 samples)")

    def whole(self, mono: bool = True) -> np.ndarray:
        """Every sample, as `blocks` gives them, in one array."""
        # Block by block: memory follows the data present, not the length a corrupt header declares.
        blocks = list(self.blocks(_BLOCK_FRAMES, mono))
        return blocks[0] if len(blocks) == 1 else np.concatenate(blocks)

    def blocks(self, block_frames: int, mono: bool = True) -> Iterator[np.ndarray]:
        """The samples from the start, ``block_frames`` at a time.

        Yields:
            ``(block_frames,)`` int16 arrays if ``mono``, else ``(block_frames, channels)``;
            the last one shorter (never empty).

        Raises:
            CorpusError: The file is corrupt, holds NaN or Inf samples, or, after its last
                block, holds fewer samples than its header declares.
        """
        floating = self._audio.subtype in _FLOAT_SUBTYPES
        read = 0
        while True:
            with _as_corpus_error(self.path):
                block = self._audio.read(block_frames, dtype="float64" if floating else "int16", always_2d=not mono)
            read += len(block)
            if len(block):
                yield _float_to_pcm16(self.path, block) if floating else block
            if len(block) < block_frames:
                break
        if read != self.header.frames:
            raise CorpusError(
                f"{self.path}: truncated, header declares {self.header.frames} samples but {read} could be read"
            )


@contextlib.contextmanager
def _as_corpus_error(path: pathlib.Path | str) -> Iterator[None]:
    """Turns libsndfile's errors in the block into a `CorpusError` naming ``path``."""
    try:
        yield
    except soundfile.LibsndfileError as error:
        raise CorpusError(f"{path}: unreadable or corrupt audio ({error.error_string})") from None
    except (RuntimeError, EOFError) as error:
        raise CorpusError(f"{path}: unreadable or corrupt audio ({error})") from None


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
