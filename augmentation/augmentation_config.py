"""Which effects augment the past, how often and how strongly; and the ``--augment`` syntax."""

import dataclasses
import pathlib

from augmentation.augmentation_error import AugmentationError
from augmentation.noise_folder import noise_files

EFFECTS = ("pitch", "noise", "reverb", "band_reject")
"""Every effect, in the order ``--augment`` lists them."""

DEFAULT_PROBABILITY = 0.5
"""Chance that an effect is applied to a window when ``--augment`` gives none: half the windows
keep each effect off, so the clean signal stays as common as any single distortion of it."""


@dataclasses.dataclass(frozen=True)
class AugmentConfig:
    """Augmentation of the past, one independent draw per window and effect.

    Defaults follow the ranges of Kharitonov et al. (2020), adapted to synthetic impulse
    responses and to a noise level measured causally.

    Attributes:
        pitch: Probability of a duration-preserving pitch shift.
        noise: Probability of additive noise.
        reverb: Probability of reverberation by a synthetic room impulse response.
        band_reject: Probability of a band-reject (notch) filter.
        pitch_cents: Largest shift, in cents: the shift is uniform in ``[-pitch_cents, pitch_cents]``.
        noise_snr_db: Range of the signal-to-noise ratio, in dB, relative to the level of
            the audio so far.
        reverb_rt60_s: Range of the reverberation time (60 dB decay), in seconds.
        reverb_drr_db: Range of the direct-to-reverberant energy ratio, in dB.
        band_reject_hz: Range of the rejected band's centre frequency, in Hz.
        band_reject_width_hz: Range of the rejected band's width, in Hz.
        noise_dir: Folder of noise recordings (WAV, FLAC, any format libsndfile reads, 16 kHz
            mono) for the noise effect; None synthesizes coloured noise, from white to brown.
        sample_rate: Sample rate of the audio, in Hz.
    """

    pitch: float = 0.0
    noise: float = 0.0
    reverb: float = 0.0
    band_reject: float = 0.0
    pitch_cents: float = 300.0
    noise_snr_db: tuple[float, float] = (5.0, 20.0)
    reverb_rt60_s: tuple[float, float] = (0.1, 0.5)
    reverb_drr_db: tuple[float, float] = (0.0, 10.0)
    band_reject_hz: tuple[float, float] = (200.0, 6000.0)
    band_reject_width_hz: tuple[float, float] = (200.0, 1000.0)
    noise_dir: pathlib.Path | None = None
    sample_rate: int = 16000

    def __post_init__(self):
        for effect in EFFECTS:
            probability = getattr(self, effect)
            if not 0.0 <= probability <= 1.0:
                raise AugmentationError(f"--augment: probability of {effect} must be in [0, 1], got {probability}")
        if not self.pitch_cents > 0:
            raise AugmentationError(f"--augment: pitch_cents must be positive, got {self.pitch_cents}")
        for name in ("noise_snr_db", "reverb_drr_db", "reverb_rt60_s", "band_reject_hz", "band_reject_width_hz"):
            low, high = getattr(self, name)
            if low > high:
                raise AugmentationError(f"--augment: {name} must be a range from low to high, got {low}..{high}")
        for name in ("reverb_rt60_s", "band_reject_hz", "band_reject_width_hz"):
            if getattr(self, name)[0] <= 0:
                raise AugmentationError(f"--augment: {name} must be positive, got {getattr(self, name)[0]}")
        if self.band_reject_hz[1] + self.band_reject_width_hz[1] / 2 >= self.sample_rate / 2:
            raise AugmentationError(
                f"--augment: the rejected band reaches {self.sample_rate / 2:g} Hz, half the sample rate"
            )

    @property
    def enabled(self) -> tuple[str, ...]:
        """The effects with a probability above 0."""
        return tuple(effect for effect in EFFECTS if getattr(self, effect) > 0)


def parse_augment(text: str, noise_dir: pathlib.Path | str | None = None) -> AugmentConfig:
    """Reads the ``--augment`` value.

    Args:
        text: ``"default"`` (every effect at ``DEFAULT_PROBABILITY``) or comma-separated
            effects, each optionally with its probability: ``"pitch:0.3,noise"``. Effects
            not named are off.
        noise_dir: Folder of noise recordings for the noise effect, or None.

    Returns:
        The configuration.

    Raises:
        AugmentationError: Empty text, an unknown or repeated effect, a probability that is
            not a number in [0, 1], or a noise folder that is missing or holds no audio file.
    """
    if text.strip() == "default":
        probabilities = dict.fromkeys(EFFECTS, DEFAULT_PROBABILITY)
    else:
        probabilities = {}
        for part in text.split(","):
            name, _, probability = part.strip().partition(":")
            if not name:
                raise AugmentationError(f"--augment: empty effect in {text!r} (choose from {', '.join(EFFECTS)})")
            if name not in EFFECTS:
                raise AugmentationError(f"--augment: unknown effect {name!r} (choose from {', '.join(EFFECTS)})")
            if name in probabilities:
                raise AugmentationError(f"--augment: {name} is given twice")
            try:
                probabilities[name] = float(probability) if probability else DEFAULT_PROBABILITY
            except ValueError:
                raise AugmentationError(f"--augment: probability of {name} is not a number: {probability!r}") from None
    if noise_dir is not None:
        noise_files(noise_dir)
    return AugmentConfig(**probabilities, noise_dir=None if noise_dir is None else pathlib.Path(noise_dir))
