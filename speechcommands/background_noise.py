"""Test clips mixed with the dataset's own background noise at a chosen signal-to-noise ratio.

Speech Commands ships longer recordings of noise in `_background_noise_/` (white and pink
noise, a running tap, an exercise bike, ...). Every test clip gets one fixed segment of one of
them, drawn from a seed, and the same segment is mixed in at every SNR, so that the accuracies
along an SNR curve differ only by the noise level.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from librispeech.audio_file import INT16_FULL_SCALE, read_pcm16
from librispeech.corpus_error import CorpusError
from speechcommands.speech_commands_error import SpeechCommandsError

NOISE_FOLDER = "_background_noise_"
"""The dataset's folder of noise recordings."""

_SILENT_POWER = 1e-12
"""Mean-square power below which a clip or noise segment counts as silent."""


@dataclasses.dataclass(frozen=True)
class BackgroundNoise:
    """The noise recordings of a Speech Commands folder, as float32 in [-1, 1).

    Attributes:
        recordings: Name of every `.wav` file of `_background_noise_/` and its samples, sorted by name.
    """

    recordings: dict[str, np.ndarray]

    def segments(self, num_clips: int, clip_samples: int, seed: int) -> np.ndarray:
        """One noise segment per clip, each from a random recording and offset.

        Args:
            num_clips: How many segments.
            clip_samples: Samples per segment.
            seed: Seed of the choice of recording and offset.

        Returns:
            `(num_clips, clip_samples)` float32, every segment scaled to unit RMS.
        """
        rng = np.random.default_rng(seed)
        sources = list(self.recordings.values())
        segments = np.empty((num_clips, clip_samples), np.float32)
        for clip in range(num_clips):
            recording = sources[int(rng.integers(len(sources)))]
            start = int(rng.integers(len(recording) - clip_samples + 1))
            segment = recording[start : start + clip_samples].astype(np.float64)
            segment -= segment.mean()
            power = np.mean(np.square(segment))
            segments[clip] = segment / np.sqrt(power) if power > _SILENT_POWER else 0.0
        return segments


def load_background_noise(root: Path | str, clip_samples: int, sample_rate: int = 16000) -> BackgroundNoise:
    """Reads every `.wav` recording of `<root>/_background_noise_/`.

    Args:
        root: The Speech Commands folder.
        clip_samples: Samples per clip: every recording must hold at least that many.
        sample_rate: The rate every recording must have.

    Returns:
        The `BackgroundNoise`.

    Raises:
        SpeechCommandsError: The folder is missing or holds no `.wav` file, or a recording is
            unreadable, not at `sample_rate`, not mono, silent or shorter than one clip.
    """
    folder = Path(root) / NOISE_FOLDER
    paths = sorted(folder.glob("*.wav")) if folder.is_dir() else []
    if not paths:
        raise SpeechCommandsError(
            f"{folder}: no background noise recordings (.wav files) to mix into the test clips for --test-snr"
        )
    recordings = {}
    for path in paths:
        try:
            samples = read_pcm16(path, sample_rate)
        except CorpusError as error:
            raise SpeechCommandsError(str(error)) from None
        if len(samples) < clip_samples:
            raise SpeechCommandsError(f"{path}: {len(samples)} samples, shorter than one {clip_samples}-sample clip")
        if not np.any(samples != samples[0]):
            raise SpeechCommandsError(f"{path}: silent, no noise to mix in")
        recordings[path.name] = samples.astype(np.float32) / INT16_FULL_SCALE
    return BackgroundNoise(recordings)


def mix_at_snr(clips: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """Adds noise to clips at a signal-to-noise ratio.

    The signal's power is each clip's mean square after removing its mean; the noise, of unit
    RMS, is scaled so that `10 log10(signal power / noise power) = snr_db`. A silent clip gets
    no noise. Nothing is clipped: the models normalise every clip by its own peak.

    Args:
        clips: `(clips, samples)` float32 audio.
        noise: `(clips, samples)` float32 noise of unit RMS (`BackgroundNoise.segments`).
        snr_db: The ratio in dB.

    Returns:
        `(clips, samples)` float32, the noisy clips.
    """
    centred = clips.astype(np.float64) - clips.mean(axis=1, keepdims=True)
    signal_power = np.mean(np.square(centred), axis=1, keepdims=True)
    noise_rms = np.sqrt(signal_power / 10.0 ** (snr_db / 10.0))
    noise_rms[signal_power <= _SILENT_POWER] = 0.0
    return (clips + noise_rms * noise).astype(np.float32)
