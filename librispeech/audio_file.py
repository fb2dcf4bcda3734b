"""Reading one utterance's audio with every check a conversion needs."""

import pathlib

import numpy as np
import soundfile

from librispeech.corpus_error import CorpusError

SAMPLE_RATE = 16000
"""LibriSpeech's sample rate, in Hz; every file must have it."""

_FLOAT_SUBTYPES = {"FLOAT", "DOUBLE"}
_BLOCK_FRAMES = 2**20
"""Frames read at a time: memory follows the data present, not the length a header declares."""


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
    try:
        size = pathlib.Path(path).stat().st_size
    except FileNotFoundError:
        raise CorpusError(f"{path}: no such file") from None
    except OSError as error:
        raise CorpusError(f"{path}: cannot read ({error.strerror or error})") from None
    if size == 0:
        raise CorpusError(f"{path}: zero-length file")
    try:
        with soundfile.SoundFile(str(path)) as audio:
            declared_frames, rate, channels, subtype = audio.frames, audio.samplerate, audio.channels, audio.subtype
            if rate != sample_rate:
                raise CorpusError(f"{path}: sample rate is {rate} Hz, expected {sample_rate} Hz")
            if channels != 1:
                raise CorpusError(f"{path}: has {channels} channels, expected mono")
            if declared_frames == 0:
                raise CorpusError(f"{path}: empty audio (0 samples)")
            if subtype in _FLOAT_SUBTYPES:
                samples = _float_to_pcm16(path, _read_blocks(audio, "float64"))
            else:
                samples = _read_blocks(audio, "int16")
    except soundfile.LibsndfileError as error:
        raise CorpusError(f"{path}: unreadable or corrupt audio ({error.error_string})") from None
    except (RuntimeError, EOFError) as error:
        raise CorpusError(f"{path}: unreadable or corrupt audio ({error})") from None
    if len(samples) != declared_frames:
        raise CorpusError(f"{path}: truncated, header declares {declared_frames} samples but {len(samples)} could be read")
    return samples


def _read_blocks(audio: soundfile.SoundFile, dtype: str) -> np.ndarray:
    """Every frame up to the declared count that the file really holds, as one mono array.

    ``SoundFile.read()`` would allocate the declared count at once, which a corrupt header can
    set to billions of frames.
    """
    blocks = []
    while True:
        block = audio.read(_BLOCK_FRAMES, dtype=dtype)
        blocks.append(block)
        if len(block) < _BLOCK_FRAMES:
            return blocks[0] if len(blocks) == 1 else np.concatenate(blocks)


def _float_to_pcm16(path: pathlib.Path | str, samples: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(samples)):
        raise CorpusError(f"{path}: holds NaN or Inf samples")
    # Clipping first keeps huge finite values from overflowing the scaling.
    return np.clip(np.round(np.clip(samples, -1.0, 1.0) * 32768.0), -32768, 32767).astype(np.int16)
