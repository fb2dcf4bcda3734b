import keras
import numpy as np

from models.peak_normalization import INT16_STEP, PeakNormalization


def test_removes_the_mean_and_divides_by_the_peak():
    audio = np.array([[1.0, 3.0, -1.0, 1.0], [0.5, 0.5, 0.5, 0.5], [0.0, 0.0, 0.0, 2e-5]], np.float32)
    normalised = np.asarray(PeakNormalization()(audio))
    np.testing.assert_allclose(normalised[0], [0.0, 1.0, -1.0, 0.0])
    # A constant clip has no peak left after removing its mean: it becomes silence, not NaN.
    np.testing.assert_array_equal(normalised[1], np.zeros(4))
    # Quieter than one int16 step: divided by the floor, not scaled up to a peak of 1.
    np.testing.assert_allclose(normalised[2], (np.array([0, 0, 0, 2e-5]) - 5e-6) / INT16_STEP, rtol=1e-5)


def test_is_independent_of_the_clip_scale_and_saves(tmp_path):
    rng = np.random.default_rng(0)
    audio = rng.standard_normal((2, 1000)).astype(np.float32)
    layer = PeakNormalization(floor=1e-3, name="norm")
    np.testing.assert_allclose(layer(audio), layer(0.01 * audio + 0.2), atol=1e-5)
    inputs = keras.Input((1000,))
    model = keras.Model(inputs, layer(inputs))
    model.save(tmp_path / "norm.keras")
    restored = keras.models.load_model(tmp_path / "norm.keras")
    assert restored.get_layer("norm").floor == 1e-3
    np.testing.assert_allclose(restored(audio), model(audio))
