import keras
import numpy as np
import pytest

from frontends.log_mel_spectrogram import LogMelSpectrogram


def _hertz_to_mel(hertz):
    return 1127.0 * np.log1p(hertz / 700.0)


def _numpy_log_mel(signal, frame_length, frame_step, fft_length, num_mel_bins, sample_rate, lower, upper, floor):
    """Log-mel written out in numpy: periodic Hann frames, |rfft|^2, triangular HTK mel bands."""
    frames = np.stack(
        [signal[start : start + frame_length] for start in range(0, len(signal) - frame_length + 1, frame_step)]
    )
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(frame_length) / frame_length)
    power = np.abs(np.fft.rfft(frames * window, n=fft_length)) ** 2
    bin_mels = _hertz_to_mel(np.linspace(0.0, sample_rate / 2, fft_length // 2 + 1))
    edges = np.linspace(_hertz_to_mel(lower), _hertz_to_mel(upper), num_mel_bins + 2)
    left, centre, right = edges[:-2], edges[1:-1], edges[2:]
    rising = (bin_mels[:, None] - left) / (centre - left)
    falling = (right - bin_mels[:, None]) / (right - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights[0] = 0.0  # the DC bin carries no band
    return np.log(power @ weights + floor)


@pytest.mark.parametrize(("frame_length", "frame_step", "bins"), [(512, 256, 40), (400, 160, 40), (400, 160, 23)])
def test_equals_a_numpy_computation(frame_length, frame_step, bins):
    rng = np.random.default_rng(0)
    time = np.arange(16000) / 16000
    signal = (0.5 * np.sin(2 * np.pi * 440 * time) + 0.1 * rng.standard_normal(16000)).astype(np.float32)
    layer = LogMelSpectrogram(frame_length, frame_step, num_mel_bins=bins)
    fft_length = 512
    expected = _numpy_log_mel(
        signal.astype(np.float64), frame_length, frame_step, fft_length, bins, 16000, 20.0, 8000.0, 1e-6
    )
    actual = np.asarray(layer(signal[None, :]))[0]
    assert actual.shape == expected.shape == (1 + (16000 - frame_length) // frame_step, bins)
    np.testing.assert_allclose(actual, expected, atol=2e-3, rtol=1e-4)


def test_contract_and_serialisation(tmp_path):
    layer = LogMelSpectrogram()
    assert (layer.hop, layer.receptive_field) == (256, 512)
    audio = keras.Input((16000,))
    model = keras.Model(audio, LogMelSpectrogram(name="logmel")(audio))
    assert model.output_shape == (None, 61, 40)
    path = tmp_path / "logmel.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    signal = np.random.default_rng(1).standard_normal((2, 16000)).astype(np.float32)
    np.testing.assert_array_equal(restored(signal), model(signal))
    assert restored.layers[-1].get_config()["frame_length"] == 512


def test_silence_stays_finite_at_the_floor():
    features = np.asarray(LogMelSpectrogram()(np.zeros((1, 4000), np.float32)))
    np.testing.assert_allclose(features, np.log(1e-6), rtol=1e-6)
