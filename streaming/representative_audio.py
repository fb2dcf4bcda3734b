"""Speech for calibrating the int8 TFLite file: synthesized demo speech or the user's audio files.

Either way each utterance is normalised as in training (16-bit PCM, mean removed, divided by
the peak about the mean), so the calibration sees the value ranges the model sees in use.
"""

import pathlib

import numpy as np

from demo.espeak_synthesizer import EspeakSynthesizer
from demo.speaker_voice import SpeakerVoice
from demo.vocabulary import SentenceGenerator
from librispeech.audio_file import SAMPLE_RATE, normalized_pcm16, peak_about_mean, read_pcm16
from models.streaming_error import StreamingError

AUDIO_SUFFIXES = (".flac", ".wav")
_WORDS_PER_UTTERANCE = 12


def synthetic_speech(seed: int, utterances: int) -> list[np.ndarray]:
    """Demo-corpus-like utterances (espeak-ng voices, speaker channels, pink background noise).

    The same seed gives the same audio on every run, so an export is reproducible; a different
    seed gives other speakers and sentences, e.g. held-out audio for a test.

    Args:
        seed: Seed of the speakers, sentences and noise.
        utterances: How many utterances, one speaker each.

    Returns:
        `(samples,)` float32 utterances, normalised as in training.
    """
    rng = np.random.default_rng(seed)
    synthesizer = EspeakSynthesizer(SAMPLE_RATE)
    sentences = SentenceGenerator(rng)
    speech = []
    for voice in SpeakerVoice.random_speakers(rng, utterances):
        clauses = sentences.sentence(_WORDS_PER_UTTERANCE)
        samples = voice.speak(synthesizer, ", ".join(" ".join(clause) for clause in clauses) + ".").samples
        samples = voice.add_background_noise(samples, rng)
        speech.append(_normalised(np.round(np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.int16)))
    return speech


def audio_folder(folder: pathlib.Path) -> list[np.ndarray]:
    """Every FLAC and WAV file under `folder` (16 kHz mono), sorted by path.

    Raises:
        StreamingError: The folder holds no such file.
        CorpusError: A file is unreadable, not 16 kHz or not mono.
    """
    paths = sorted(path for path in pathlib.Path(folder).rglob("*") if path.suffix.lower() in AUDIO_SUFFIXES)
    if not paths:
        raise StreamingError(f"{folder}: no {' or '.join(AUDIO_SUFFIXES)} files for the representative dataset")
    return [_normalised(read_pcm16(path)) for path in paths]


def _normalised(pcm16: np.ndarray) -> np.ndarray:
    mean = float(pcm16.mean(dtype=np.float64))
    return normalized_pcm16(pcm16, mean, peak_about_mean(mean, float(pcm16.min()), float(pcm16.max())))
