"""Each effect on its own: what it does to known signals, and that it only reads the past."""

import numpy as np
import pytest
import tensorflow as tf

from augmentation import band_reject
from augmentation.additive_noise import add_noise, bank_segments, coloured_noise
from augmentation.fft_convolution import causal_convolution
from augmentation.pitch_shift import max_lag, pitch_shift
from augmentation.room_reverb import room_impulse_responses

RATE, SAMPLES = 16000, 8192
SEED = tf.constant([3, 4], tf.int64)


def _sine(frequency, samples=SAMPLES, batch=1):
    return np.sin(2 * np.pi * frequency * np.arange(samples) / RATE).astype(np.float32)[None].repeat(batch, 0)


def _level_db(signal):
    return 10 * np.log10(np.mean(np.square(signal)))


def _centroid(signal, low, high):
    power = np.abs(np.fft.rfft(signal * np.hanning(signal.size))) ** 2
    frequencies = np.fft.rfftfreq(signal.size, 1 / RATE)
    band = (frequencies > low) & (frequencies < high)
    return float((power[band] * frequencies[band]).sum() / power[band].sum())


EFFECTS = {
    "pitch up": lambda audio: pitch_shift(audio, tf.fill([audio.shape[0]], 250.0)),
    "pitch down": lambda audio: pitch_shift(audio, tf.fill([audio.shape[0]], -170.0)),
    "reverb": lambda audio: causal_convolution(
        audio,
        room_impulse_responses(SEED, audio.shape[0], tf.fill([audio.shape[0]], 0.3), tf.fill([audio.shape[0]], 3.0)),
    ),
    "band reject": lambda audio: causal_convolution(
        audio, band_reject.band_reject_filters(tf.fill([audio.shape[0]], 1000.0), tf.fill([audio.shape[0]], 400.0))
    ),
    "noise": lambda audio: add_noise(
        audio,
        coloured_noise(SEED, audio.shape[0], audio.shape[1], tf.fill([audio.shape[0]], 1.0)),
        tf.fill([audio.shape[0]], 10.0),
    ),
}


@pytest.mark.parametrize("effect", EFFECTS)
def test_every_effect_is_causal(effect):
    rng = np.random.default_rng(0)
    clean = rng.normal(0, 0.2, (2, SAMPLES)).astype(np.float32)
    changed = clean.copy()
    changed[:, 5000:] = rng.normal(0, 0.5, (2, SAMPLES - 5000))
    before, after = EFFECTS[effect](tf.constant(clean)).numpy(), EFFECTS[effect](tf.constant(changed)).numpy()
    np.testing.assert_allclose(before[:, :5000], after[:, :5000], atol=1e-6)
    assert np.abs(before[:, 5000:] - after[:, 5000:]).max() > 0.1
    assert before.shape == clean.shape and before.dtype == np.float32


@pytest.mark.parametrize("cents", [300.0, -300.0])
def test_pitch_shift_moves_a_sine_by_the_cents_and_keeps_the_length(cents):
    shifted = pitch_shift(tf.constant(_sine(440.0, 20480)), tf.constant([cents])).numpy()[0]
    assert shifted.shape == (20480,)
    target = 440.0 * 2 ** (cents / 1200)
    # Grains half a grain apart make a comb of 31.25 Hz lines around the target: its centre
    # lies within 2 % (a third of a semitone).
    assert abs(_centroid(shifted[4096:], 0.8 * target, 1.25 * target) / target - 1) < 0.02
    # The peak is the line of that comb nearest the target: within half the 31.25 Hz spacing.
    fine = np.fft.rfft(shifted[4096:] * np.hanning(16384), 1 << 18)
    assert abs(np.fft.rfftfreq(1 << 18, 1 / RATE)[np.argmax(np.abs(fine))] - target) < 31.25 / 2
    # Overlapping grains add with unrelated phases, which costs a little level (1-3 dB).
    assert -3 < _level_db(shifted[4096:]) - _level_db(_sine(440.0, 16384)) < 0.5


@pytest.mark.parametrize("cents", [300.0, -300.0, 50.0])
def test_pitch_shift_lags_its_input_by_at_most_max_lag(cents):
    click = np.zeros((1, SAMPLES), np.float32)
    click[0, 5000] = 1.0
    heard = np.flatnonzero(np.abs(pitch_shift(tf.constant(click), tf.constant([cents])).numpy()[0]) > 1e-7)
    assert heard.min() >= 5000
    assert heard.max() <= 5000 + max_lag(abs(cents))


def test_no_pitch_shift_returns_the_signal():
    audio = np.random.default_rng(1).normal(size=(2, SAMPLES)).astype(np.float32)
    np.testing.assert_allclose(pitch_shift(tf.constant(audio), tf.zeros([2])).numpy(), audio, atol=1e-5)


def test_impulse_responses_start_with_the_direct_path_decay_and_have_unit_energy():
    responses = room_impulse_responses(SEED, 2, tf.constant([0.2, 0.5]), tf.constant([0.0, 10.0])).numpy()
    assert responses.shape == (2, 8000)
    np.testing.assert_allclose(np.square(responses).sum(axis=1), 1.0, rtol=1e-5)
    direct = np.square(responses[:, 0])
    tail = np.square(responses[:, 1:]).sum(axis=1)
    np.testing.assert_allclose(10 * np.log10(direct / tail), [0.0, 10.0], atol=1e-3)
    # The shorter room loses 60 dB in 0.2 s: its energy in 0.2-0.3 s is far below 0-0.1 s.
    early, late = np.square(responses[0, 1:1600]).sum(), np.square(responses[0, 3200:4800]).sum()
    assert 10 * np.log10(early / late) > 45
    impulse = np.zeros((2, SAMPLES), np.float32)
    impulse[:, 0] = 1.0
    response_of_convolution = causal_convolution(tf.constant(impulse), tf.constant(responses)).numpy()
    np.testing.assert_allclose(response_of_convolution[:, :8000], responses, atol=1e-6)
    np.testing.assert_allclose(response_of_convolution[:, 8000:], 0.0, atol=1e-6)


def test_reverberation_keeps_the_level_of_noise():
    audio = np.random.default_rng(2).normal(0, 0.1, (4, 20480)).astype(np.float32)
    responses = room_impulse_responses(SEED, 4, tf.fill([4], 0.4), tf.fill([4], 2.0))
    wet = causal_convolution(tf.constant(audio), responses).numpy()
    assert abs(_level_db(wet[:, 8000:]) - _level_db(audio)) < 0.5


def test_band_reject_removes_its_band_and_passes_the_rest():
    filters = band_reject.band_reject_filters(tf.constant([1000.0, 1000.0]), tf.constant([600.0, 600.0]))
    assert filters.shape == (2, band_reject.TAPS)
    audio = np.concatenate([_sine(1000.0), _sine(3000.0)])
    filtered = causal_convolution(tf.constant(audio), filters).numpy()
    settled = slice(band_reject.TAPS, None)
    assert _level_db(filtered[0, settled]) - _level_db(audio[0, settled]) < -20
    assert abs(_level_db(filtered[1, settled]) - _level_db(audio[1, settled])) < 1
    # A linear-phase filter kept causal: the passed sine lags by DELAY samples.
    np.testing.assert_allclose(
        filtered[1, 1000:2000], audio[1, 1000 - band_reject.DELAY : 2000 - band_reject.DELAY], atol=0.05
    )


@pytest.mark.parametrize("snr_db", [5.0, 20.0])
def test_noise_is_added_at_the_ratio_to_the_level_so_far(snr_db):
    audio = 0.3 * _sine(300.0, 20480, batch=2)
    noise = coloured_noise(SEED, 2, 20480, tf.constant([0.0, 2.0]))
    mixed = add_noise(tf.constant(audio), noise, tf.fill([2], snr_db)).numpy()
    added = mixed - audio
    # The sine's level so far settles within a few periods; the noise has unit RMS over the
    # whole window (brown noise wanders, so it is measured over almost all of it).
    measured = _level_db(audio[:, 800:]) - 10 * np.log10(np.mean(added[:, 800:] ** 2, axis=1))
    np.testing.assert_allclose(measured, snr_db, atol=0.75)


def test_silence_gets_no_noise():
    silent = np.zeros((1, SAMPLES), np.float32)
    mixed = add_noise(tf.constant(silent), coloured_noise(SEED, 1, SAMPLES, tf.constant([1.0])), tf.constant([5.0]))
    assert not np.any(mixed.numpy())


def test_coloured_noise_has_its_spectral_slope():
    noise = coloured_noise(SEED, 2, 1 << 16, tf.constant([0.0, 2.0])).numpy()
    power = np.abs(np.fft.rfft(noise, axis=1)) ** 2
    low, high = power[:, 100:200].mean(axis=1), power[:, 1000:2000].mean(axis=1)
    ratio_db = 10 * np.log10(low / high)
    # A decade of frequency (~150 → ~1500 bins): 0 dB for white, 20 dB for brown.
    np.testing.assert_allclose(ratio_db, [0.0, 20.0], atol=1.5)


def test_coloured_noise_of_one_slope_for_the_whole_batch_keeps_the_batch_in_a_graph():
    # A constant slope once lost the batch dimension to a Grappler rewrite of tf.pow.
    for slope in (0.0, 1.0, 2.0):
        noise = tf.function(lambda slope=slope: coloured_noise(SEED, 3, 1024, tf.fill([3], slope)))()
        assert noise.shape == (3, 1024)


def test_bank_segments_are_stretches_of_the_bank_wrapping_around():
    bank = tf.range(10, dtype=tf.float32)
    segments = bank_segments(bank, tf.constant([0, 7]), 5).numpy()
    np.testing.assert_array_equal(segments, [[0, 1, 2, 3, 4], [7, 8, 9, 0, 1]])
