import keras
import numpy as np
import pytest
import tensorflow as tf

from frontends.log_mel_spectrogram import LogMelSpectrogram
from frontends.mfcc import Mfcc
from models.ar_model import ar_model
from models.context_model import context_model
from models.encoder_spec import resolve_encoder_spec
from models.frame_geometry import FrameGeometry
from models.genc_model import genc_model
from models.model_file_error import ModelFileError
from probes.frame_mapping import FrameMappingError, check_label_count, frame_labels

# A hand-made 0.1 s utterance: 1600 samples, ten 10 ms labels 10, 11, ..., 19 (label i = 10 + i).
SAMPLES = 1600
LABELS = np.arange(10, 20)


@pytest.fixture(scope="module")
def encoders():
    return {name: genc_model(resolve_encoder_spec(name)) for name in ("seed", "paper")}


def _span_of_each_frame(encoder, num_samples):
    """The input samples each output frame really depends on, found by gradients.

    With every weight made positive, no bias and an all-ones input, every ReLU is active, so the
    gradient of a frame is positive exactly on the samples it depends on.
    """
    for variable in encoder.weights:
        variable.assign(tf.abs(variable) if len(variable.shape) > 1 else tf.zeros_like(variable))
    audio = tf.ones((1, num_samples))
    spans = []
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(audio)
        frames = encoder(audio)
        sums = [tf.reduce_sum(frames[0, j]) for j in range(frames.shape[1])]
    for frame_sum in sums:
        support = np.flatnonzero(tape.gradient(frame_sum, audio)[0].numpy() > 0)
        spans.append((support[0], support[-1]))
    return spans


@pytest.mark.parametrize(
    ("preset", "geometry"),
    [("seed", FrameGeometry(256, 512, -256)), ("paper", FrameGeometry(160, 465, -305))],
)
def test_encoder_geometry_is_the_samples_each_frame_depends_on(encoders, preset, geometry):
    encoder = encoders[preset]
    assert FrameGeometry.of_encoder(encoder) == geometry
    spans = _span_of_each_frame(keras.models.clone_model(encoder), SAMPLES)
    for frame, (first, last) in enumerate(spans):
        # Frame j covers the samples ending at (j + 1) * hop - 1; those before 0 are left padding.
        assert last == (frame + 1) * geometry.hop - 1
        assert first == max(0, geometry.first_sample + frame * geometry.hop)


def test_seed_frames_take_the_label_at_their_centre(encoders):
    geometry = FrameGeometry.of_encoder(encoders["seed"])
    num_frames = encoders["seed"](np.zeros((1, SAMPLES), np.float32)).shape[1]
    assert num_frames == 6
    # Centres 256 j - 0.5: -0.5 (left padding, first label), 255.5, 511.5, 767.5, 1023.5, 1279.5.
    np.testing.assert_allclose(geometry.centres(num_frames), [-0.5, 255.5, 511.5, 767.5, 1023.5, 1279.5])
    np.testing.assert_array_equal(frame_labels("u", LABELS, geometry, num_frames, SAMPLES), [10, 11, 13, 14, 16, 17])


def test_paper_frames_take_the_label_at_their_centre(encoders):
    geometry = FrameGeometry.of_encoder(encoders["paper"])
    num_frames = encoders["paper"](np.zeros((1, SAMPLES), np.float32)).shape[1]
    assert num_frames == 10
    # Centres 160 j - 73: frame j (ending at sample 160 j + 159) is centred in label j - 1.
    np.testing.assert_allclose(geometry.centres(3), [-73, 87, 247])
    np.testing.assert_array_equal(
        frame_labels("u", LABELS, geometry, num_frames, SAMPLES), [10, 10, 11, 12, 13, 14, 15, 16, 17, 18]
    )


def test_log_mel_25_ms_frames_take_the_label_at_their_centre():
    log_mel = LogMelSpectrogram(400, 160)
    geometry = log_mel.geometry
    assert geometry == FrameGeometry(160, 400, 0)
    num_frames = log_mel(np.zeros((1, SAMPLES), np.float32)).shape[1]
    assert num_frames == 8
    # Frame i covers samples 160 i .. 160 i + 399, centred on 160 i + 199.5, in label i + 1.
    np.testing.assert_array_equal(frame_labels("u", LABELS, geometry, num_frames, SAMPLES), np.arange(11, 19))


def test_mfcc_deltas_widen_the_field_around_the_same_centres():
    geometry = Mfcc().geometry
    assert geometry == FrameGeometry(160, 1680, -640)
    np.testing.assert_allclose(geometry.centres(8), LogMelSpectrogram(400, 160).geometry.centres(8))


def test_a_window_shifts_the_centres_by_its_start(encoders):
    geometry = FrameGeometry.of_encoder(encoders["seed"])
    labels = np.arange(100)
    # A window from sample 3200 (label 20): its frame j is centred on 3200 + 256 j - 0.5.
    np.testing.assert_array_equal(frame_labels("u", labels, geometry, 4, 16000, start=3200), [19, 21, 23, 24])


@pytest.mark.parametrize("num_labels", [8, 12])
def test_two_frames_of_label_mismatch_are_tolerated(num_labels):
    check_label_count("19-198-0000", num_labels, SAMPLES)


@pytest.mark.parametrize("num_labels", [7, 13, 1])
def test_a_bigger_mismatch_names_the_utterance(num_labels):
    message = rf"utterance 19-198-0000: {num_labels} phone labels of 10 ms but its 1600 samples make 10 frames"
    with pytest.raises(FrameMappingError, match=message):
        frame_labels("19-198-0000", np.zeros(num_labels, np.int32), FrameGeometry(160, 400, 0), 8, SAMPLES)


def test_encoder_geometry_follows_causal_and_same_padding():
    audio = keras.Input((None,))
    x = keras.layers.Reshape((-1, 1))(audio)
    x = keras.layers.Conv1D(2, 4, padding="causal")(x)
    x = keras.layers.Conv1D(2, 3, padding="same")(x)
    x = keras.layers.Conv1D(2, 2, strides=2)(x)
    # Field 1 + 3 + 2 + 1 = 7 samples, starting 3 (causal) + 1 (same) samples before frame 0's.
    assert FrameGeometry.of_encoder(keras.Model(audio, x)) == FrameGeometry(2, 7, -4)


def test_models_whose_frames_cannot_be_placed_are_refused(encoders):
    context = context_model(encoders["seed"], ar_model(40, 40))
    with pytest.raises(ModelFileError, match="not a 1D convolution"):
        FrameGeometry.of_encoder(context)
    audio = keras.Input((None,))
    strided_same = keras.layers.Conv1D(2, 4, strides=2, padding="same")(keras.layers.Reshape((-1, 1))(audio))
    with pytest.raises(ModelFileError, match="pads 'same' with stride 2"):
        FrameGeometry.of_encoder(keras.Model(audio, strided_same))
