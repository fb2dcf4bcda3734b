"""How a source audio file becomes the audio of records: 16 kHz, mono, int16, in pieces."""

import dataclasses
import math
from collections.abc import Iterator

import numpy as np

from librispeech.audio_file import SAMPLE_RATE, AudioHeader, AudioReader
from librispeech.corpus_error import CorpusError

PIECE_SEPARATOR = "#"
"""Between a file's utterance id and a piece's number: ``<id>#0000``, ``<id>#0001``, ..."""


def piece_ids(utterance_id: str, count: int) -> list[str]:
    """The record ids of a file cut into ``count`` pieces: its own id if it is one piece.

    Numbers have 4 digits, more past 9999, so that the ids of one file sort in order up
    to 10000 pieces (a week of audio in pieces of 60 s).
    """
    if count == 1:
        return [utterance_id]
    return [f"{utterance_id}{PIECE_SEPARATOR}{index:04d}" for index in range(count)]


@dataclasses.dataclass(frozen=True)
class AudioPieces:
    """The rules by which a source file's audio becomes the audio of one or more records.

    The defaults are LibriSpeech's: a file must be 16 kHz mono and is one record.

    Attributes:
        resample: Resample a file at another rate to ``SAMPLE_RATE`` with a polyphase filter
            (``scipy.signal.resample_poly``, up and down factors reduced by their gcd);
            otherwise such a file is refused.
        downmix: Average the channels of a multi-channel file; otherwise it is refused.
        max_seconds: Longest record: a longer file becomes consecutive pieces of at most
            this many seconds, each resampled on its own (so one piece is the filter
            applied to exactly its stretch of the source); None keeps every file whole.
        min_seconds: Files shorter than this are left out (see `too_short`), not refused.
    """

    resample: bool = False
    downmix: bool = False
    max_seconds: float | None = None
    min_seconds: float = 0.0

    def __post_init__(self):
        if self.max_seconds is not None and not self.max_seconds > 0:
            raise CorpusError(f"max_seconds must be positive, not {self.max_seconds}")
        if not self.min_seconds >= 0:
            raise CorpusError(f"min_seconds must be 0 or more, not {self.min_seconds}")

    def check(self, audio: AudioReader) -> AudioHeader:
        """Refuses an open file whose rate or channel count these rules do not take.

        Returns:
            The file's header.

        Raises:
            CorpusError: The file is at another rate than ``SAMPLE_RATE`` without ``resample``,
                or has several channels without ``downmix``.
        """
        audio.require(None if self.resample else SAMPLE_RATE, mono=not self.downmix)
        return audio.header

    def too_short(self, header: AudioHeader) -> bool:
        """Whether the file is shorter than ``min_seconds`` and left out."""
        return header.frames < self.min_seconds * header.sample_rate

    def piece_count(self, header: AudioHeader) -> int:
        """How many records the file becomes."""
        if self.max_seconds is None:
            return 1
        return math.ceil(header.frames / self._piece_frames(header.sample_rate))

    def pieces(self, audio: AudioReader) -> Iterator[np.ndarray]:
        """Reads the open file piece by piece, so that memory holds one piece whatever the file's length.

        Args:
            audio: The file, as checked by `check`, not read yet.

        Yields:
            `piece_count` pieces, each ``(samples,)`` int16 at ``SAMPLE_RATE``.

        Raises:
            CorpusError: As `AudioReader.blocks`; a truncated file raises after its last piece.
        """
        mono = not self.downmix
        rate = audio.header.sample_rate
        if self.max_seconds is None:
            blocks = iter([audio.whole(mono)])
        else:
            blocks = audio.blocks(self._piece_frames(rate), mono)
        for block in blocks:
            yield self._to_mono_16k(block, rate)

    def _piece_frames(self, rate: int) -> int:
        """Source frames per piece: at most ``max_seconds``, and where the rate allows a whole
        number of ``down`` steps, so that every piece but the last resamples to exactly
        ``up / down`` times its length."""
        up, down = _factors(rate)
        # The small offset keeps 0.3 s * 16000 from flooring to 4799.
        steps = math.floor(self.max_seconds * SAMPLE_RATE + 1e-6) // up
        # A rate in no simple ratio to 16 kHz (e.g. 44101 Hz) has steps of a second: pieces then
        # resample to a length within one sample of their share.
        return steps * down if steps else max(1, math.floor(self.max_seconds * rate + 1e-6))

    def _to_mono_16k(self, block: np.ndarray, rate: int) -> np.ndarray:
        """``(frames,)`` or ``(frames, channels)`` int16 at ``rate`` → ``(samples,)`` int16 at ``SAMPLE_RATE``."""
        if block.ndim == 1 and rate == SAMPLE_RATE:
            return block
        signal = block.mean(axis=1) if block.ndim == 2 else block.astype(np.float64)
        if rate != SAMPLE_RATE:
            # Imported here: it takes half a second, which every spawned conversion worker of a
            # 16 kHz corpus (LibriSpeech) would otherwise pay before its first file.
            import scipy.signal

            signal = scipy.signal.resample_poly(signal, *_factors(rate))
        # The filter overshoots near full scale: clipped, not wrapped around.
        return np.clip(np.round(signal), -32768, 32767).astype(np.int16)


def _factors(rate: int) -> tuple[int, int]:
    """``(up, down)``: ``SAMPLE_RATE / rate`` in lowest terms."""
    divisor = math.gcd(SAMPLE_RATE, rate)
    return SAMPLE_RATE // divisor, rate // divisor
