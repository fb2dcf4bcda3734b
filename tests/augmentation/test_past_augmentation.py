"""PastAugmentation in tf.data, and the --augment syntax."""

import numpy as np
import pytest
import soundfile
import tensorflow as tf

from augmentation import band_reject
from augmentation.additive_noise import load_noise_bank
from augmentation.augmentation_config import DEFAULT_PROBABILITY, EFFECTS, AugmentConfig, parse_augment
from augmentation.augmentation_error import AugmentationError
from augmentation.past_augmentation import PastAugmentation
from augmentation.pitch_shift import max_lag
from librispeech.corpus_error import CorpusError

WINDOW = 4096
SEED = tf.constant([5, 6], tf.int64)
EVERY_EFFECT = AugmentConfig(pitch=1.0, noise=1.0, reverb=1.0, band_reject=1.0)


def _speech_like(batch=4, seed=0):
    return np.random.default_rng(seed).normal(0, 0.2, (batch, WINDOW)).astype(np.float32)


def test_every_effect_together_is_causal():
    augmentation = PastAugmentation(EVERY_EFFECT)
    clean = _speech_like()
    changed = clean.copy()
    changed[:, 3000:] = np.random.default_rng(9).normal(0, 0.5, (4, WINDOW - 3000))
    before, after = augmentation.augment(tf.constant(clean), SEED), augmentation.augment(tf.constant(changed), SEED)
    np.testing.assert_allclose(before.numpy()[:, :3000], after.numpy()[:, :3000], atol=1e-6)
    assert np.all(np.abs(before.numpy()[:, 3000:] - after.numpy()[:, 3000:]).max(axis=1) > 0.1)


def test_the_delay_adds_the_band_reject_filter_and_the_pitch_shift():
    assert max_lag(300.0) == 194  # ceil((2 ** 0.25 - 1) * 1024)
    assert PastAugmentation(EVERY_EFFECT).max_delay == band_reject.DELAY + 194 == 322
    assert PastAugmentation(AugmentConfig(band_reject=0.5, reverb=1.0, noise=1.0)).max_delay == band_reject.DELAY
    assert PastAugmentation(AugmentConfig(pitch=0.5, pitch_cents=100.0)).max_delay == max_lag(100.0) == 61


def test_probability_zero_leaves_windows_as_they_are_and_one_changes_every_window():
    clean = _speech_like()
    untouched = PastAugmentation(AugmentConfig()).augment(tf.constant(clean), SEED).numpy()
    np.testing.assert_array_equal(untouched, clean)
    assert PastAugmentation(AugmentConfig()).max_delay == 0
    augmented = PastAugmentation(EVERY_EFFECT).augment(tf.constant(clean), SEED).numpy()
    assert np.all(np.abs(augmented - clean).max(axis=1) > 0.05)


def test_each_window_draws_each_effect_on_its_own():
    clean = _speech_like(batch=64)
    augmented = PastAugmentation(AugmentConfig(noise=0.5)).augment(tf.constant(clean), SEED).numpy()
    changed = np.any(augmented != clean, axis=1)
    assert 16 < changed.sum() < 48


def test_turning_an_effect_on_leaves_the_draws_of_the_others():
    clean = tf.constant(_speech_like())
    noise_only = PastAugmentation(AugmentConfig(noise=1.0)).augment(clean, SEED).numpy()
    # On, but never drawn: the noise must come from the same draws.
    with_pitch = PastAugmentation(AugmentConfig(noise=1.0, pitch=1e-9)).augment(clean, SEED).numpy()
    np.testing.assert_array_equal(with_pitch, noise_only)


def test_noise_lands_within_the_configured_ratios():
    clean = 0.3 * np.sin(2 * np.pi * 220 * np.arange(WINDOW) / 16000).astype(np.float32)[None].repeat(32, 0)
    config = AugmentConfig(noise=1.0, noise_snr_db=(5.0, 20.0))
    added = PastAugmentation(config).augment(tf.constant(clean), SEED).numpy() - clean
    # Over the whole window: the noise has unit RMS there, and the level so far settles on the
    # sine's within its first period.
    snr_db = 10 * np.log10(np.mean(clean**2, axis=1) / np.mean(added**2, axis=1))
    assert np.all((snr_db > 4.8) & (snr_db < 20.2))
    assert snr_db.max() - snr_db.min() > 7.5  # spread over the range, not one value


def test_draws_follow_the_seed_and_the_batch_index():
    augmentation = PastAugmentation(parse_augment("default"), seed=3)
    clean = tf.constant(_speech_like())
    first, second = augmentation(tf.constant(0, tf.int64), clean), augmentation(tf.constant(0, tf.int64), clean)
    np.testing.assert_array_equal(first[0].numpy(), second[0].numpy())
    np.testing.assert_array_equal(first[1].numpy(), clean.numpy())
    other = augmentation(tf.constant(1, tf.int64), clean)[0].numpy()
    assert not np.array_equal(other, first[0].numpy())
    reseeded = PastAugmentation(parse_augment("default"), seed=4)(tf.constant(0, tf.int64), clean)[0].numpy()
    assert not np.array_equal(reseeded, first[0].numpy())


def test_runs_inside_tf_data_as_pairs_of_augmented_and_clean_windows():
    windows = _speech_like(batch=8)
    dataset = (
        tf.data.Dataset.from_tensor_slices(windows)
        .batch(4)
        .enumerate()
        .map(PastAugmentation(parse_augment("default")), num_parallel_calls=tf.data.AUTOTUNE)
    )
    batches = tf.TensorSpec((None, WINDOW), tf.float32)
    assert dataset.element_spec == (batches, batches)
    pairs = list(dataset)
    assert len(pairs) == 2
    for index, (augmented, clean) in enumerate(pairs):
        assert augmented.shape == (4, WINDOW)
        np.testing.assert_array_equal(clean.numpy(), windows[4 * index : 4 * index + 4])


def test_noise_from_a_folder_is_made_of_its_recordings(tmp_path):
    hum = (0.25 * np.sin(2 * np.pi * 50 * np.arange(32000) / 16000) * 32767).astype(np.int16)
    soundfile.write(tmp_path / "hum.wav", hum, 16000, subtype="PCM_16")
    (tmp_path / "notes.txt").write_text("not audio")
    np.testing.assert_allclose(load_noise_bank(tmp_path), hum / 32768.0)
    augmentation = PastAugmentation(AugmentConfig(noise=1.0, noise_dir=tmp_path))
    clean = 0.1 * np.ones((2, WINDOW), np.float32)
    added = augmentation.augment(tf.constant(clean), SEED).numpy() - clean
    spectrum = np.abs(np.fft.rfft(added[:, 1000:], axis=1))
    assert np.all(np.argmax(spectrum, axis=1) == round(50 * (WINDOW - 1000) / 16000))


def test_noise_folders_without_audio_are_named(tmp_path):
    with pytest.raises(AugmentationError, match=f"^--noise-dir {tmp_path}: holds no audio file$"):
        PastAugmentation(AugmentConfig(noise=1.0, noise_dir=tmp_path))
    # The flag's parser checks the folder the same way, before any model is built.
    with pytest.raises(AugmentationError, match=f"^--noise-dir {tmp_path}: holds no audio file$"):
        parse_augment("noise", tmp_path)
    with pytest.raises(AugmentationError, match=f"^--noise-dir {tmp_path / 'gone'}: no such folder$"):
        parse_augment("noise", tmp_path / "gone")
    soundfile.write(tmp_path / "fast.wav", np.zeros(800, np.int16), 8000, subtype="PCM_16")
    with pytest.raises(CorpusError, match="fast.wav"):
        load_noise_bank(tmp_path)


def test_parse_augment_reads_the_default_a_choice_and_probabilities():
    assert parse_augment("default") == AugmentConfig(**dict.fromkeys(EFFECTS, DEFAULT_PROBABILITY))
    assert parse_augment("pitch,noise") == AugmentConfig(pitch=DEFAULT_PROBABILITY, noise=DEFAULT_PROBABILITY)
    config = parse_augment(" pitch:0.3, reverb ")
    assert (config.pitch, config.noise, config.reverb, config.band_reject) == (0.3, 0.0, DEFAULT_PROBABILITY, 0.0)
    assert config.enabled == ("pitch", "reverb")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("echo", "--augment: unknown effect 'echo' (choose from pitch, noise, reverb, band_reject)"),
        ("pitch,,noise", "--augment: empty effect in 'pitch,,noise' (choose from pitch, noise, reverb, band_reject)"),
        ("noise,noise:0.2", "--augment: noise is given twice"),
        ("pitch:often", "--augment: probability of pitch is not a number: 'often'"),
        ("reverb:1.5", "--augment: probability of reverb must be in [0, 1], got 1.5"),
    ],
)
def test_bad_augment_text_is_one_line(text, message):
    with pytest.raises(AugmentationError) as error:
        parse_augment(text)
    assert str(error.value) == message


def test_bad_ranges_are_refused():
    with pytest.raises(AugmentationError) as error:
        AugmentConfig(noise_snr_db=(20.0, 5.0))
    assert str(error.value) == "--augment: noise_snr_db must be a range from low to high, got 20.0..5.0"
    with pytest.raises(AugmentationError, match="reaches 8000 Hz, half the sample rate"):
        AugmentConfig(band_reject_hz=(200.0, 7800.0))


def test_golden_samples_of_the_default_augmentation():
    # Computed by this code once the behaviour tests above passed: a change to any draw or
    # effect shows here. Tolerance for FFT summation order across CPUs.
    augmented, _ = PastAugmentation(parse_augment("default"), seed=7)(tf.constant(3, tf.int64), _speech_like())
    np.testing.assert_allclose(
        augmented.numpy()[:, [0, 1000, 4095]],
        [
            [7.1972609e-06, -9.6923381e-02, 6.4193480e-02],
            [-3.5567930e-01, -2.6819024e-03, -4.2908773e-02],
            [-6.7576766e-06, 1.1719365e-01, 7.4421257e-02],
            [1.9050820e-01, 1.4064866e-01, 1.7432474e-01],
        ],
        rtol=1e-4,
        atol=1e-6,
    )
