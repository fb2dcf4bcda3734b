"""Tests of the synthetic speakers' voices and channels."""

import dataclasses

import numpy as np
import pytest

from demo.espeak_synthesizer import EspeakSynthesizer
from demo.speaker_voice import FEMALE_VARIANTS, MALE_VARIANTS, PEAK_LIMIT, SpeakerVoice, pink_noise


@pytest.fixture(scope="module")
def synthesizer():
    return EspeakSynthesizer(16000)


def _variant(voice):
    return voice.espeak_voice.split("+")[1]


def test_random_speakers_are_balanced_distinct_and_reproducible():
    voices = SpeakerVoice.random_speakers(np.random.default_rng(7), 20)

    assert voices == SpeakerVoice.random_speakers(np.random.default_rng(7), 20)
    assert voices != SpeakerVoice.random_speakers(np.random.default_rng(8), 20)
    assert [voice.sex for voice in voices].count("F") == 10
    assert len({_variant(voice) for voice in voices}) == 20
    for voice in voices:
        assert _variant(voice) in (MALE_VARIANTS if voice.sex == "M" else FEMALE_VARIANTS)
        assert 30.0 <= voice.snr_db <= 40.0


def test_variants_repeat_only_after_all_are_used():
    voices = SpeakerVoice.random_speakers(np.random.default_rng(0), 2 * len(FEMALE_VARIANTS) + 2)
    female_variants = [_variant(voice) for voice in voices if voice.sex == "F"]
    assert set(female_variants[: len(FEMALE_VARIANTS)]) == set(FEMALE_VARIANTS)


def _rms_db(samples):
    return 20 * np.log10(np.sqrt(np.mean(np.square(samples))))


def test_speech_is_at_the_voice_level_and_phonemes_unchanged(synthesizer):
    voice = dataclasses.replace(SpeakerVoice.random_speakers(np.random.default_rng(1), 1)[0], level_db=-30.0)
    speech = voice.speak(synthesizer, "the old man saw a small dog.")
    plain = synthesizer.synthesize(
        "the old man saw a small dog.",
        voice.espeak_voice,
        rate=voice.rate,
        pitch=voice.pitch,
        pitch_range=voice.pitch_range,
    )

    assert _rms_db(speech.samples) == pytest.approx(-30.0, abs=0.01)
    assert [event.mnemonic for event in speech.phonemes] == [event.mnemonic for event in plain.phonemes]


def test_loud_voices_are_limited_below_full_scale(synthesizer):
    voice = dataclasses.replace(SpeakerVoice.random_speakers(np.random.default_rng(1), 1)[0], level_db=-3.0)
    speech = voice.speak(synthesizer, "the old man saw a small dog.")

    assert np.abs(speech.samples).max() == pytest.approx(PEAK_LIMIT)
    assert _rms_db(speech.samples) < -6.0


def test_channel_colour_shapes_the_spectrum(synthesizer):
    voice = SpeakerVoice.random_speakers(np.random.default_rng(2), 1)[0]
    bass_heavy = dataclasses.replace(voice, channel_gains_db=(6, 6, 6, 0, -6, -6, -6))
    treble_heavy = dataclasses.replace(voice, channel_gains_db=(-6, -6, -6, 0, 6, 6, 6))

    def high_to_low_ratio(speaker):
        spectrum = np.abs(np.fft.rfft(speaker.speak(synthesizer, "she sells sea shells.").samples))
        frequencies = np.fft.rfftfreq(2 * spectrum.size - 2, 1 / 16000)
        return spectrum[frequencies > 3000].sum() / spectrum[frequencies < 500].sum()

    # 12 dB more treble relative to bass on both sides: a ratio of about 16.
    assert high_to_low_ratio(treble_heavy) > 6 * high_to_low_ratio(bass_heavy)


def test_background_noise_sits_snr_below_the_speech_level():
    voice = SpeakerVoice.random_speakers(np.random.default_rng(3), 1)[0]
    noisy_silence = voice.add_background_noise(np.zeros(48000, np.float32), np.random.default_rng(0))
    assert _rms_db(noisy_silence) == pytest.approx(voice.level_db - voice.snr_db, abs=0.1)


def test_pink_noise_has_unit_rms_and_falling_spectrum():
    noise = pink_noise(np.random.default_rng(0), 16001)
    assert noise.shape == (16001,)
    assert np.sqrt(np.mean(np.square(noise))) == pytest.approx(1.0)
    power = np.abs(np.fft.rfft(noise)) ** 2
    # 1/f power: each octave carries the same energy, so per-bin power in
    # 100-200 bins is about 16 times that in 1600-3200 bins.
    assert power[100:200].mean() > 8 * power[1600:3200].mean()
