"""Tests of mixing the dataset's background noise into test clips at a chosen SNR."""

import numpy as np
import pytest
import soundfile

from speechcommands.background_noise import load_background_noise, mix_at_snr
from speechcommands.speech_commands_error import SpeechCommandsError


@pytest.mark.parametrize("snr_db", [20.0, 5.0, 0.0, -5.0])
def test_mixture_has_the_asked_snr(snr_db):
    rng = np.random.default_rng(0)
    clips = (0.3 * rng.standard_normal((4, 16000)) + 0.05).astype(np.float32)
    noise = rng.standard_normal((4, 16000))
    noise = ((noise - noise.mean(1, keepdims=True)) / noise.std(1, keepdims=True)).astype(np.float32)
    mixed = mix_at_snr(clips, noise, snr_db)
    added = mixed.astype(np.float64) - clips
    signal = clips - clips.mean(axis=1, keepdims=True)
    measured = 10 * np.log10(np.mean(signal.astype(np.float64) ** 2, axis=1) / np.mean(added**2, axis=1))
    np.testing.assert_allclose(measured, snr_db, atol=1e-3)


def test_silent_clip_gets_no_noise():
    clips = np.zeros((1, 100), np.float32)
    np.testing.assert_array_equal(mix_at_snr(clips, np.ones((1, 100), np.float32), 0.0), clips)


def test_segments_are_fixed_by_the_seed_unit_rms_and_cut_from_the_recordings(tmp_path):
    folder = tmp_path / "_background_noise_"
    folder.mkdir()
    rng = np.random.default_rng(1)
    recordings = {name: rng.integers(-3000, 3000, 40000).astype(np.int16) for name in ("a.wav", "b.wav")}
    for name, samples in recordings.items():
        soundfile.write(folder / name, samples, 16000, subtype="PCM_16")
    noise = load_background_noise(tmp_path, 16000)
    assert list(noise.recordings) == ["a.wav", "b.wav"]
    segments = noise.segments(6, 16000, seed=3)
    assert segments.shape == (6, 16000) and segments.dtype == np.float32
    np.testing.assert_allclose(np.sqrt(np.mean(segments.astype(np.float64) ** 2, axis=1)), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(noise.segments(6, 16000, seed=3), segments)
    assert not np.array_equal(noise.segments(6, 16000, seed=4), segments)
    # Each segment is a stretch of one recording, mean removed and scaled.
    for segment in segments:
        correlations = [
            max(np.corrcoef(segment, samples[start : start + 16000])[0, 1] for start in range(0, 24001, 1000))
            for samples in recordings.values()
        ]
        assert max(correlations) > 0.0


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda folder: None, "no background noise recordings"),
        (lambda folder: soundfile.write(folder / "short.wav", np.ones(800, np.int16), 16000), "shorter than one"),
        (lambda folder: soundfile.write(folder / "quiet.wav", np.zeros(20000, np.int16), 16000), "silent"),
        (lambda folder: soundfile.write(folder / "slow.wav", np.ones(20000, np.int16), 8000), "8000 Hz"),
    ],
)
def test_unusable_noise_is_one_line_naming_the_file(tmp_path, make, message):
    folder = tmp_path / "_background_noise_"
    folder.mkdir()
    make(folder)
    with pytest.raises(SpeechCommandsError, match=message) as error:
        load_background_noise(tmp_path, 16000)
    assert "\n" not in str(error.value) and str(folder) in str(error.value)
