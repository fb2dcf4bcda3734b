"""The voice of one synthetic speaker: synthesizer settings plus a channel.

A real corpus speaker differs from another in timbre, pitch, speaking rate and
in the microphone and room they were recorded with. The demo speakers imitate
that with an espeak-ng voice variant, prosody parameters, a fixed random
equalizer ("channel colour"), a recording level and a background-noise level.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.fft
import scipy.signal

from demo.espeak_synthesizer import EspeakSynthesizer, Synthesis

MALE_VARIANTS = (
    "m1",
    "m2",
    "m3",
    "m4",
    "m5",
    "m6",
    "m7",
    "m8",
    "Alex",
    "Andy",
    "Denis",
    "Gene",
    "Jacky",
    "Lee",
    "Mario",
    "Michael",
    "Mike",
    "antonio",
    "david",
    "edward",
    "gustave",
    "ian",
    "john",
    "marcelo",
    "michel",
    "miguel",
    "norbert",
    "paul",
    "pedro",
    "quincy",
    "robert",
    "travis",
    "victor",
)
"""espeak-ng voice variants (from `espeak-ng-data/voices/!v`) that sound male."""

FEMALE_VARIANTS = (
    "f1",
    "f2",
    "f3",
    "f4",
    "f5",
    "Alicia",
    "Andrea",
    "Annie",
    "anika",
    "aunty",
    "belinda",
    "linda",
    "shelby",
    "steph",
)
"""espeak-ng voice variants that sound female."""

ACCENTS = ("en-us", "en-US-nyc", "en", "en-GB-x-rp", "en-GB-scotland", "en-029", "en-GB-x-gbclan")
"""espeak-ng English voices a speaker's accent is drawn from."""

ACCENT_WEIGHTS = (0.5, 0.1, 0.15, 0.1, 0.05, 0.05, 0.05)
"""Probability of each entry of ACCENTS; mostly US English, as in LibriSpeech clean."""

CHANNEL_FREQUENCIES_HZ = (0.0, 150.0, 400.0, 1000.0, 2500.0, 5000.0, 8000.0)
"""Frequencies at which `SpeakerVoice.channel_gains_db` are given (up to 16 kHz Nyquist)."""

PEAK_LIMIT = 0.9
"""Largest absolute sample value of synthesized speech (about -1 dBFS), so
that added noise and 16-bit quantization never clip."""

_CHANNEL_FILTER_TAPS = 63


@dataclasses.dataclass(frozen=True)
class SpeakerVoice:
    """Everything that makes one synthetic speaker sound like themselves.

    Attributes:
        espeak_voice: espeak-ng voice name with variant, e.g. `"en-us+m3"`.
        sex: `"M"` or `"F"`, as in LibriSpeech's SPEAKERS.TXT.
        pitch: espeak-ng base pitch, 0-100 (50 is the variant's normal pitch).
        pitch_range: espeak-ng intonation range, 0-100 (50 is normal).
        rate: Speaking rate in words per minute.
        channel_gains_db: Gain of the speaker's fixed equalizer in dB at each
            of CHANNEL_FREQUENCIES_HZ, interpolated linearly in between.
        level_db: RMS level of the speech in dB relative to full scale; an
            utterance whose peaks would exceed PEAK_LIMIT is made quieter.
        snr_db: Ratio of speech RMS to background-noise RMS in dB.
    """

    espeak_voice: str
    sex: str
    pitch: int
    pitch_range: int
    rate: int
    channel_gains_db: tuple[float, ...]
    level_db: float
    snr_db: float

    @classmethod
    def random_speakers(
        cls, rng: np.random.Generator, count: int, snr_db_range: tuple[float, float] = (30.0, 40.0)
    ) -> list[SpeakerVoice]:
        """Draws `count` speakers, half of each sex, with distinct variants.

        Variants of one sex are only reused once all of them have been used,
        so small corpora never contain two speakers with the same timbre.

        Args:
            rng: Source of all random choices.
            count: Number of speakers.
            snr_db_range: Bounds of the uniform distribution of `snr_db`.

        Returns:
            The speakers' voices, sexes in random order.
        """
        sexes = np.array(["M", "F"] * (count // 2 + 1))[:count]
        rng.shuffle(sexes)
        variant_pools = {
            "M": _shuffled_cycle(rng, MALE_VARIANTS, count),
            "F": _shuffled_cycle(rng, FEMALE_VARIANTS, count),
        }
        voices = []
        for sex in sexes:
            accent = ACCENTS[int(rng.choice(len(ACCENTS), p=ACCENT_WEIGHTS))]
            voices.append(
                cls(
                    espeak_voice=f"{accent}+{variant_pools[str(sex)].pop()}",
                    sex=str(sex),
                    pitch=int(rng.integers(35, 66)),
                    pitch_range=int(rng.integers(35, 76)),
                    rate=int(rng.integers(145, 196)),
                    channel_gains_db=_random_channel_gains(rng),
                    level_db=round(float(rng.uniform(-28.0, -20.0)), 2),
                    snr_db=round(float(rng.uniform(*snr_db_range)), 2),
                )
            )
        return voices

    def speak(self, synthesizer: EspeakSynthesizer, text: str) -> Synthesis:
        """Synthesizes `text` in this voice, through the speaker's channel.

        Args:
            synthesizer: The engine; its sample rate is the output rate.
            text: What to say.

        Returns:
            Noise-free audio at `level_db` (or below, see PEAK_LIMIT) with its
            phoneme events; the equalizer is zero-phase, so phoneme positions
            are unchanged.
        """
        synthesis = synthesizer.synthesize(
            text, self.espeak_voice, rate=self.rate, pitch=self.pitch, pitch_range=self.pitch_range
        )
        coloured = scipy.signal.convolve(synthesis.samples, self._channel_filter(synthesizer.sample_rate), mode="same")
        rms = float(np.sqrt(np.mean(np.square(coloured)))) if coloured.size else 0.0
        if rms > 0.0:
            coloured *= 10.0 ** (self.level_db / 20.0) / rms
        peak = float(np.abs(coloured).max()) if coloured.size else 0.0
        if peak > PEAK_LIMIT:
            coloured *= PEAK_LIMIT / peak
        return Synthesis(coloured.astype(np.float32), synthesis.phonemes)

    def add_background_noise(self, samples: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Adds pink noise `snr_db` below the speaker's speech level.

        Args:
            samples: Audio of shape `(samples,)`, speech at `level_db`.
            rng: Source of the noise.

        Returns:
            Float32 audio of the same shape.
        """
        noise_rms = 10.0 ** ((self.level_db - self.snr_db) / 20.0)
        return (samples + noise_rms * pink_noise(rng, samples.size)).astype(np.float32)

    def _channel_filter(self, sample_rate: int) -> np.ndarray:
        nyquist = sample_rate / 2.0
        frequencies = [f for f in CHANNEL_FREQUENCIES_HZ if f < nyquist] + [nyquist]
        gains_db = np.interp(frequencies, CHANNEL_FREQUENCIES_HZ, self.channel_gains_db)
        return scipy.signal.firwin2(_CHANNEL_FILTER_TAPS, np.array(frequencies) / nyquist, 10.0 ** (gains_db / 20.0))


def pink_noise(rng: np.random.Generator, num_samples: int) -> np.ndarray:
    """Draws noise with a 1/f power spectrum and unit RMS.

    Args:
        rng: Source of the noise.
        num_samples: Length of the result.

    Returns:
        Float64 noise of shape `(num_samples,)`.
    """
    if num_samples == 0:
        return np.zeros(0)
    # Shaping a longer, FFT-friendly block and cropping it avoids the slow
    # transforms of lengths with large prime factors.
    block_size = scipy.fft.next_fast_len(num_samples, real=True)
    spectrum = scipy.fft.rfft(rng.standard_normal(block_size))
    frequencies = np.arange(spectrum.size, dtype=np.float64)
    frequencies[0] = 1.0
    noise = scipy.fft.irfft(spectrum / np.sqrt(frequencies), n=block_size)[:num_samples]
    noise -= noise.mean()
    rms = np.sqrt(np.mean(np.square(noise)))
    return noise / rms if rms > 0 else noise


def _random_channel_gains(rng: np.random.Generator) -> tuple[float, ...]:
    band_gains = [round(float(gain), 2) for gain in rng.uniform(-6.0, 6.0, len(CHANNEL_FREQUENCIES_HZ) - 1)]
    # The 0 Hz point only anchors the filter design; giving it the lowest
    # band's gain keeps the bass response flat below that band.
    return (band_gains[0], *band_gains)


def _shuffled_cycle(rng: np.random.Generator, items: tuple[str, ...], count: int) -> list[str]:
    """A stack of `count` or more items, each used once before any repeats."""
    stack: list[str] = []
    while len(stack) < count:
        stack = [str(item) for item in rng.permutation(items)] + stack
    return stack
