import keras
import numpy as np
import pytest
import scipy.fft

from frontends.log_mel_spectrogram import LogMelSpectrogram
from frontends.mfcc import Mfcc


def _signal(seconds=1.0, seed=0):
    rng = np.random.default_rng(seed)
    time = np.arange(int(16000 * seconds)) / 16000
    chirp = np.sin(2 * np.pi * (200 + 1500 * time) * time)
    return (0.5 * chirp + 0.05 * rng.standard_normal(time.size)).astype(np.float32)


def _numpy_delta(features, width):
    padded = np.concatenate([np.repeat(features[:1], width, 0), features, np.repeat(features[-1:], width, 0)])
    frames = len(features)
    numerator = sum(
        n * (padded[width + n : width + n + frames] - padded[width - n : width - n + frames])
        for n in range(1, width + 1)
    )
    return numerator / (2 * sum(n * n for n in range(1, width + 1)))


def test_cepstra_are_the_dct_of_the_log_mel():
    signal = _signal()
    log_mel = np.asarray(LogMelSpectrogram(400, 160, num_mel_bins=40)(signal[None]))[0].astype(np.float64)
    # TensorFlow scales the unnormalised DCT-II by 1/sqrt(2 * bins): orthonormal except c0, sqrt(2) larger.
    expected = scipy.fft.dct(log_mel, type=2, norm="ortho", axis=-1)[:, :13]
    expected[:, 0] *= np.sqrt(2)
    actual = np.asarray(Mfcc(num_deltas=0)(signal[None]))[0]
    assert actual.shape == (1 + (16000 - 400) // 160, 13)
    np.testing.assert_allclose(actual, expected, atol=2e-3, rtol=1e-4)


def test_deltas_and_delta_deltas_follow_the_regression_formula():
    signal = _signal(seed=1)
    cepstra = np.asarray(Mfcc(num_deltas=0)(signal[None]))[0].astype(np.float64)
    features = np.asarray(Mfcc()(signal[None]))[0]
    assert features.shape == (98, 39)
    deltas = _numpy_delta(cepstra, 2)
    np.testing.assert_allclose(features[:, :13], cepstra, atol=1e-4)
    np.testing.assert_allclose(features[:, 13:26], deltas, atol=1e-3)
    np.testing.assert_allclose(features[:, 26:], _numpy_delta(deltas, 2), atol=1e-3)
    # A hand-checked value: the delta of a ramp 0, 1, 2, ... is 1 away from the edges.
    ramp = np.arange(10, dtype=np.float64)[:, None]
    np.testing.assert_allclose(_numpy_delta(ramp, 2)[2:-2], 1.0)


def test_contract_properties_and_serialisation(tmp_path):
    layer = Mfcc()
    assert (layer.hop, layer.feature_dim) == (160, 39)
    # 25 ms window plus 2 regressions reaching 2 frames either side: 400 + 8 * 160 samples.
    assert layer.receptive_field == 1680
    assert Mfcc(num_deltas=0).receptive_field == 400
    audio = keras.Input((16000,))
    model = keras.Model(audio, Mfcc(name="mfcc")(audio))
    assert model.output_shape == (None, 98, 39)
    path = tmp_path / "mfcc.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    signal = np.random.default_rng(2).standard_normal((2, 16000)).astype(np.float32)
    np.testing.assert_array_equal(restored(signal), model(signal))
    assert restored.layers[-1].get_config()["num_cepstra"] == 13


@pytest.mark.parametrize("arguments", [{"num_cepstra": 41}, {"num_deltas": 3}, {"delta_width": 0}])
def test_rejects_impossible_settings(arguments):
    with pytest.raises(ValueError, match="Mfcc"):
        Mfcc(**arguments)
