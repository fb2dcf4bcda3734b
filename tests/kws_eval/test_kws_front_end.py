"""Tests of the front ends: shapes, frame rates, frozen or trainable, copies of the encoder."""

import keras
import numpy as np
import pytest

from kws_eval.front_end import build_front_end, load_audio_encoder
from kws_eval.kws_row import ROWS


@pytest.fixture(scope="module")
def encoder(seed_encoder_path):
    return load_audio_encoder(seed_encoder_path)


@pytest.mark.parametrize(
    "row, frames_per_second, frames_per_two_seconds, hop",
    [
        ("logmel", 61, 124, 256),  # 1 + (samples - 512) // 256
        ("cpc", 62, 125, 256),  # samples // 256, the seed encoder is causally padded
        ("random", 62, 125, 256),
        ("cpc_ft", 62, 125, 256),
        ("random_ft", 62, 125, 256),
    ],
)
def test_shape_and_frame_rate(encoder, row, frames_per_second, frames_per_two_seconds, hop):
    keras.utils.set_random_seed(0)
    front_end = build_front_end(ROWS[row], encoder)
    audio = np.random.default_rng(0).uniform(-1, 1, (2, 32000)).astype(np.float32)
    assert np.asarray(front_end.model(audio[:, :16000])).shape == (2, frames_per_second, 40)
    assert np.asarray(front_end.model(audio)).shape == (2, frames_per_two_seconds, 40)
    assert front_end.feature_shape(16000) == (frames_per_second, 40)
    assert (front_end.hop, front_end.receptive_field) == (hop, 512)


def test_cpc_rows_copy_the_encoder_and_random_rows_reinitialise_it(encoder):
    audio = np.random.default_rng(1).uniform(-1, 1, (1, 16000)).astype(np.float32)
    reference = np.asarray(encoder(audio))
    keras.utils.set_random_seed(0)
    cpc = build_front_end(ROWS["cpc_ft"], encoder)
    np.testing.assert_allclose(cpc.model(audio), reference, rtol=1e-6)
    cpc.model.trainable_weights[0].assign(cpc.model.trainable_weights[0] * 2)
    np.testing.assert_array_equal(encoder(audio), reference)
    keras.utils.set_random_seed(0)
    random = build_front_end(ROWS["random"], encoder)
    keras.utils.set_random_seed(0)
    random_ft = build_front_end(ROWS["random_ft"], encoder)
    assert [w.shape for w in random.model.weights] == [w.shape for w in encoder.weights]
    assert not np.allclose(random.model.weights[0], encoder.weights[0])
    # Same seed, same start: the frozen and fine-tuned random rows differ only in training.
    for frozen, tuned in zip(random.model.weights, random_ft.model.weights):
        np.testing.assert_array_equal(frozen, tuned)


def test_only_ft_rows_are_trainable(encoder):
    for name, row in ROWS.items():
        front_end = build_front_end(row, encoder)
        assert front_end.model.trainable is row.trainable
        expected = len(encoder.trainable_weights) if row.trainable else 0
        assert len(front_end.model.trainable_weights) == expected, name


def test_encoder_rows_need_an_encoder():
    assert np.asarray(build_front_end(ROWS["logmel"], None).model(np.zeros((1, 16000)))).shape == (1, 61, 40)
    with pytest.raises(ValueError, match="row 'cpc' needs an encoder"):
        build_front_end(ROWS["cpc"], None)
