"""Tests of reading Speech Commands clips into memory and batching them with tf.data."""

import numpy as np
import pytest
import soundfile
import tensorflow as tf

from speechcommands.speech_commands_dataset import CLIP_SAMPLES, load_speech_commands, time_shift
from speechcommands.speech_commands_error import SpeechCommandsError


def test_clips_are_padded_at_the_end_or_cropped_to_one_second(tiny_speech_commands):
    root, written = tiny_speech_commands
    data = load_speech_commands(root, progress=False)
    lengths = set()
    for split, clips in data.index.clips.items():
        assert data.audio[split].shape == (len(clips), CLIP_SAMPLES)
        assert data.audio[split].dtype == np.int16
        for row, clip in enumerate(clips):
            samples = written[clip]
            lengths.add(samples.size)
            kept = min(samples.size, CLIP_SAMPLES)
            np.testing.assert_array_equal(data.audio[split][row, :kept], samples[:kept])
            assert not data.audio[split][row, kept:].any()
    assert lengths == {9000, 16000, 20000}


def test_labels_follow_the_words(tiny_speech_commands):
    root, _ = tiny_speech_commands
    data = load_speech_commands(root, ["up", "yes"], workers=1, progress=False)
    assert data.words == ("up", "yes")
    for split, clips in data.index.clips.items():
        assert data.labels[split].tolist() == [("up", "yes").index(clip.split("/")[0]) for clip in clips]


def test_batches_convert_to_float_per_batch_in_order(tiny_speech_commands):
    root, _ = tiny_speech_commands
    data = load_speech_commands(root, progress=False)
    batches = list(data.batches("training", batch_size=4))
    assert [len(labels) for _, labels in batches] == [4, 2]
    audio = np.concatenate([np.asarray(batch) for batch, _ in batches])
    assert audio.dtype == np.float32
    np.testing.assert_array_equal(audio, data.audio["training"] / 32768.0)
    np.testing.assert_array_equal(np.concatenate([labels for _, labels in batches]), data.labels["training"])
    # The batches and float_audio agree to the bit, for a whole split and for a subset.
    np.testing.assert_array_equal(data.float_audio("training"), audio)
    np.testing.assert_array_equal(data.float_audio("training", np.array([4, 1])), audio[[4, 1]])


def test_shuffled_batches_visit_every_clip_once_per_epoch_in_a_new_seeded_order(tiny_speech_commands):
    root, _ = tiny_speech_commands
    data = load_speech_commands(root, progress=False)
    row_of = {row.tobytes(): index for index, row in enumerate(data.audio["training"])}
    assert len(row_of) == 6

    def epoch_orders(dataset, epochs=3):
        return [
            [
                row_of[np.round(row * 32768).astype(np.int16).tobytes()]
                for batch, _ in dataset
                for row in np.asarray(batch)
            ]
            for _ in range(epochs)
        ]

    first = epoch_orders(data.batches("training", 4, shuffle=True, seed=3))
    again = epoch_orders(data.batches("training", 4, shuffle=True, seed=3))
    assert all(sorted(order) == list(range(6)) for order in first)
    assert first == again
    assert len({tuple(order) for order in first}) > 1


@pytest.mark.parametrize(
    "write_bad_clip, message",
    [
        (
            lambda path: soundfile.write(path, np.zeros(8000, np.int16), 8000),
            "sample rate is 8000 Hz, expected 16000 Hz",
        ),
        (lambda path: soundfile.write(path, np.zeros((16000, 2), np.int16), 16000), "has 2 channels, expected mono"),
        (lambda path: path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk"), "unreadable or corrupt audio"),
        (lambda path: path.write_bytes(b""), "zero-length file"),
    ],
)
def test_a_bad_clip_is_named(tiny_speech_commands, write_bad_clip, message):
    root, written = tiny_speech_commands
    bad = root / sorted(written)[4]
    write_bad_clip(bad)
    with pytest.raises(SpeechCommandsError) as error:
        load_speech_commands(root, progress=False)
    assert str(error.value).startswith(f"{bad}: ")
    assert message in str(error.value)


def test_layout_errors_come_before_any_audio_is_read(tiny_speech_commands):
    root, written = tiny_speech_commands
    (root / sorted(written)[0]).write_bytes(b"not audio")
    with pytest.raises(SpeechCommandsError, match="nope: is not a word folder"):
        load_speech_commands(root, ["nope"], progress=False)


def test_time_shift_delays_or_advances_each_clip_filling_with_zeros():
    audio = tf.constant(np.tile(np.arange(1, 11, dtype=np.float32), (64, 1)))
    shifted = time_shift(audio, 3, tf.constant([4, 2], tf.int64)).numpy()
    delays = set()
    for clip in shifted:
        delay = int(np.flatnonzero(clip == 1)[0]) if 1 in clip else -(int(clip[0]) - 1)
        delays.add(delay)
        expected = np.zeros(10, np.float32)
        source = np.arange(1, 11, dtype=np.float32)
        if delay >= 0:
            expected[delay:] = source[: 10 - delay]
        else:
            expected[: 10 + delay] = source[-delay:]
        np.testing.assert_array_equal(clip, expected)
    assert delays == {-3, -2, -1, 0, 1, 2, 3}  # 64 clips draw every delay of [-3, 3]
    np.testing.assert_array_equal(time_shift(audio, 3, tf.constant([4, 2], tf.int64)), shifted)


def test_batches_of_a_subset_with_time_shifts(tiny_speech_commands):
    root, _ = tiny_speech_commands
    data = load_speech_commands(root, progress=False)
    subset = np.array([0, 2, 5])

    def epochs(seed):
        dataset = data.batches("training", 8, shuffle=True, seed=seed, indices=subset, max_shift=800)
        return [[(np.asarray(audio), np.asarray(labels)) for audio, labels in dataset] for _ in range(2)]

    first, second = epochs(3)
    clean = data.audio["training"][subset].astype(np.float32) / 32768
    for audio, labels in (first[0], second[0]):
        assert audio.shape == (3, CLIP_SAMPLES)
        assert sorted(labels.tolist()) == sorted(data.labels["training"][subset].tolist())
        # Every clip is a clean clip of the subset, shifted by at most 800 samples.
        for clip in audio:
            assert any(
                np.array_equal(clip, np.roll(source, delay) * _kept(delay))
                for source in clean
                for delay in range(-800, 801)
            )
    assert not np.array_equal(first[0][0], second[0][0])  # new shifts (or order) every epoch
    again, _ = epochs(3)
    np.testing.assert_array_equal(again[0][0], first[0][0])  # the same for the same seed


def _kept(delay):
    """The mask of samples a shift by `delay` keeps (the rest are filled with zeros)."""
    mask = np.ones(CLIP_SAMPLES, np.float32)
    if delay > 0:
        mask[:delay] = 0
    elif delay < 0:
        mask[delay:] = 0
    return mask
