import numpy as np
import pytest
import tensorflow as tf

from losses.gen_targets import GenTargets, TargetSamplingError


def labelled_frames(batch, frames):
    """z whose frame (b, t) is the vector [b, t], so a candidate tells where it came from."""
    b, t = np.meshgrid(np.arange(batch), np.arange(frames), indexing="ij")
    return tf.constant(np.stack([b, t], axis=-1).astype(np.float32))


def test_sequence_negatives_come_uniformly_from_the_same_example():
    layer = GenTargets(pred_steps=3, num_neg=50, t_skip=2, seed=7)
    batch, frames = 4, 12
    z = labelled_frames(batch, frames)
    targets, indices = layer(z)
    indices = indices.numpy()
    steps = frames - 3 - 2
    assert indices.shape == (batch, steps, 3, 51)
    np.testing.assert_array_equal(targets, z)
    expected_positive = 2 + np.arange(steps)[:, None] + np.arange(1, 4)[None, :]
    np.testing.assert_array_equal(indices[..., 0], np.broadcast_to(expected_positive, (batch, steps, 3)))
    candidates = layer.gather(targets, indices).numpy()
    assert candidates.shape == (batch, steps, 3, 51, 2)
    np.testing.assert_array_equal(
        candidates[..., 0], np.broadcast_to(np.arange(batch)[:, None, None, None], indices.shape)
    )
    np.testing.assert_array_equal(candidates[..., 1], indices)
    negatives = indices[..., 1:]
    # Every frame of the sequence, scored or not, is drawn about equally often.
    counts = np.bincount(negatives.ravel(), minlength=frames)
    assert counts.size == frames
    expected = negatives.size / frames
    assert np.all(np.abs(counts - expected) < 0.25 * expected)
    # Draws are independent across examples: about 1 / frames coincide.
    same = np.mean(negatives[0] == negatives[1])
    assert 0.02 < same < 0.2


def test_batch_negatives_come_from_other_examples_at_the_same_frame():
    layer = GenTargets(pred_steps=2, num_neg=100, negatives="batch", t_skip=1, seed=3)
    batch, frames = 5, 9
    z = labelled_frames(batch, frames)
    targets, indices = layer(z)
    indices = indices.numpy()
    steps = frames - 2 - 1
    assert targets.shape == (batch, steps, 2, 2)
    assert indices.shape == (batch, steps, 2, 101)
    np.testing.assert_array_equal(indices[..., 0], np.broadcast_to(np.arange(batch)[:, None, None], (batch, steps, 2)))
    candidates = layer.gather(targets, indices).numpy()
    future = 1 + np.arange(steps)[:, None] + np.arange(1, 3)[None, :]
    np.testing.assert_array_equal(candidates[..., 1], np.broadcast_to(future[None, :, :, None], indices.shape))
    np.testing.assert_array_equal(candidates[..., 0], indices)
    negatives = indices[..., 1:]
    own = np.arange(batch)[:, None, None, None]
    assert np.all(negatives != own) and np.all((negatives >= 0) & (negatives < batch))
    for b in range(batch):
        counts = np.bincount(negatives[b].ravel(), minlength=batch)
        expected = negatives[b].size / (batch - 1)
        assert counts[b] == 0
        assert np.all(np.abs(np.delete(counts, b) - expected) < 0.25 * expected)


def test_speaker_negatives_come_from_every_window_of_the_same_speaker_group():
    layer = GenTargets(pred_steps=2, num_neg=300, negatives="speaker", t_skip=1, windows_per_speaker=3, seed=5)
    batch, frames = 6, 8
    z = labelled_frames(batch, frames)
    targets, indices = layer(z)
    steps = frames - 2 - 1
    assert targets.shape == (2, 3 * frames, 2) and indices.shape == (batch, steps, 2, 301)
    candidates = layer.gather(targets, indices).numpy()
    sequence, frame = candidates[..., 0], candidates[..., 1]
    own = np.broadcast_to(np.arange(batch)[:, None, None], (batch, steps, 2))
    np.testing.assert_array_equal(sequence[..., 0], own)
    np.testing.assert_array_equal(
        frame[..., 0], np.broadcast_to(1 + np.arange(steps)[:, None] + np.arange(1, 3), own.shape)
    )
    for example in range(batch):
        group = example // 3
        assert set(np.unique(sequence[example, ..., 1:]).tolist()) == {3 * group, 3 * group + 1, 3 * group + 2}
    # Every frame of the group's windows is drawn about equally often.
    pooled = (sequence[..., 1:] % 3 * frames + frame[..., 1:]).astype(int)
    counts = np.bincount(pooled.ravel(), minlength=3 * frames)
    assert counts.size == 3 * frames
    assert np.all(np.abs(counts - pooled.size / counts.size) < 0.15 * pooled.size / counts.size)


def test_speaker_groups_of_one_draw_exactly_as_sequence_mode():
    z = tf.random.stateless_normal((4, 10, 3), (1, 2))
    sequence = GenTargets(pred_steps=3, num_neg=7, seed=11)(z)
    speaker = GenTargets(pred_steps=3, num_neg=7, negatives="speaker", windows_per_speaker=1, seed=11)(z)
    for expected, got in zip(sequence, speaker, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_seeded_sampling_is_reproducible_and_advances():
    z = tf.zeros((2, 20, 3))
    first, second = GenTargets(seed=11), GenTargets(seed=11)
    a1, a2 = first(z)[1].numpy(), first(z)[1].numpy()
    np.testing.assert_array_equal(second(z)[1], a1)
    assert np.mean(a1[..., 1:] == a2[..., 1:]) < 0.2


def test_dynamic_shapes_inside_a_graph():
    layer = GenTargets(pred_steps=2, num_neg=3, negatives="batch", t_skip=0, seed=1)

    @tf.function(input_signature=[tf.TensorSpec((None, None, 4))])
    def sample(z):
        return layer(z)

    targets, indices = sample(tf.zeros((3, 7, 4)))
    assert targets.shape == (3, 5, 2, 4) and indices.shape == (3, 5, 2, 4)
    assert np.all(indices.numpy()[..., 1:] != np.arange(3)[:, None, None, None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="needs a batch of at least 2"):
        sample(tf.zeros((1, 7, 4)))


def test_impossible_settings_raise_clear_errors():
    with pytest.raises(TargetSamplingError, match="negatives='batch' .* at least 2, got 1"):
        GenTargets(negatives="batch")(tf.zeros((1, 30, 2)))
    with pytest.raises(TargetSamplingError, match="15 frames leave no context step .* t_skip \\+ pred_steps = 15"):
        GenTargets()(tf.zeros((2, 15, 2)))
    with pytest.raises(TargetSamplingError, match="negatives must be one of sequence, batch, speaker, got 'other'"):
        GenTargets(negatives="other")
    with pytest.raises(TargetSamplingError, match="num_neg must be an integer >= 1, got 0"):
        GenTargets(num_neg=0)
    with pytest.raises(TargetSamplingError, match="windows_per_speaker=2 needs negatives='speaker', got 'sequence'"):
        GenTargets(windows_per_speaker=2)
    with pytest.raises(TargetSamplingError, match="a batch of 5 is not made of groups of windows_per_speaker=2"):
        GenTargets(negatives="speaker", windows_per_speaker=2)(tf.zeros((5, 30, 2)))


def test_config_round_trip():
    layer = GenTargets(pred_steps=4, num_neg=6, negatives="batch", t_skip=3, targets_gradient=True, seed=5)
    clone = GenTargets.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert (
        clone.pred_steps,
        clone.num_neg,
        clone.negatives,
        clone.t_skip,
        clone.targets_gradient,
        clone.seed,
    ) == (
        4,
        6,
        "batch",
        3,
        True,
        5,
    )
