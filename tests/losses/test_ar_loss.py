import numpy as np
import pytest
import tensorflow as tf

from losses.ar_loss import ARLoss
from losses.gen_targets import GenTargets, TargetSamplingError

BATCH, FRAMES, DIM, STEPS_K, NUM_NEG, T_SKIP = 4, 10, 4, 3, 5, 2
GROUP = 2
"""Windows per speaker group in "speaker" mode."""
STEPS = FRAMES - STEPS_K - T_SKIP


def numpy_reference(predictions, z, indices, negatives):
    """Loss and accuracy with explicitly built candidate vectors."""
    candidates = np.zeros(indices.shape + (z.shape[-1],), np.float64)
    for b, s, k, n in np.ndindex(*indices.shape):
        if negatives == "sequence":
            candidates[b, s, k, n] = z[b, indices[b, s, k, n]]
        elif negatives == "speaker":
            window, frame = divmod(indices[b, s, k, n], FRAMES)
            candidates[b, s, k, n] = z[b // GROUP * GROUP + window, frame]
        else:
            candidates[b, s, k, n] = z[indices[b, s, k, n], T_SKIP + s + k + 1]
    logits = np.einsum("bskd,bsknd->bskn", predictions.astype(np.float64), candidates)
    peak = logits.max(axis=-1, keepdims=True)
    log_normaliser = np.log(np.exp(logits - peak).sum(axis=-1)) + peak[..., 0]
    loss = np.mean(log_normaliser - logits[..., 0])
    correct = np.ones(indices.shape[:3], bool)
    for b, s, k in np.ndindex(*indices.shape[:3]):
        for n in range(1, indices.shape[-1]):
            if indices[b, s, k, n] != indices[b, s, k, 0] and logits[b, s, k, n] >= logits[b, s, k, 0]:
                correct[b, s, k] = False
    return loss, correct.mean(axis=(0, 1))


def given_indices(rng, negatives):
    """Fixed candidate indices, positive first, with some repeated positives."""
    shape = (BATCH, STEPS, STEPS_K)
    if negatives in ("sequence", "speaker"):
        positive = np.broadcast_to(T_SKIP + np.arange(STEPS)[:, None] + np.arange(1, STEPS_K + 1), shape)
        drawn = rng.integers(0, FRAMES, size=shape + (NUM_NEG,))
        if negatives == "speaker":
            offsets = (np.arange(BATCH) % GROUP * FRAMES)[:, None, None]
            positive = positive + offsets
            drawn = rng.integers(0, GROUP * FRAMES, size=shape + (NUM_NEG,))
    else:
        positive = np.broadcast_to(np.arange(BATCH)[:, None, None], shape)
        drawn = rng.integers(0, BATCH, size=shape + (NUM_NEG,))
    drawn[:, :, :, 0] = positive
    return np.concatenate([positive[..., None], drawn], axis=-1).astype(np.int32)


@pytest.mark.parametrize("negatives", ["sequence", "batch", "speaker"])
def test_loss_and_accuracy_match_numpy(negatives):
    rng = np.random.default_rng(4)
    z = rng.normal(size=(BATCH, FRAMES, DIM)).astype(np.float32)
    predictions = rng.normal(size=(BATCH, STEPS, STEPS_K, DIM)).astype(np.float32)
    indices = given_indices(rng, negatives)
    group = GROUP if negatives == "speaker" else 1
    sampler = GenTargets(
        pred_steps=STEPS_K, num_neg=NUM_NEG, negatives=negatives, t_skip=T_SKIP, windows_per_speaker=group
    )
    targets, _ = sampler(z)
    loss, accuracy = ARLoss(negatives=negatives)(predictions, targets, indices)
    expected_loss, expected_accuracy = numpy_reference(predictions, z, indices, negatives)
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-5)
    np.testing.assert_allclose(accuracy, expected_accuracy, atol=1e-6)
    assert 0.0 < expected_accuracy.min() and expected_accuracy.max() < 1.0

    # The same with the layer's own random indices.
    targets, indices = sampler(z)
    loss, accuracy = ARLoss(negatives=negatives)(predictions, targets, indices)
    expected_loss, expected_accuracy = numpy_reference(predictions, z, indices.numpy(), negatives)
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-5)
    np.testing.assert_allclose(accuracy, expected_accuracy, atol=1e-6)


def test_ties_count_as_wrong_unless_the_rival_is_the_positive_itself():
    # Frames: 0 is the positive, 1 an identical but different frame, 2 a
    # worse frame, 3 a better one. Step k uses the k-th candidate list.
    targets = tf.constant([[[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [2.0, 0.0]]])
    predictions = tf.constant([[[[1.0, 0.0]] * 4]])
    indices = tf.constant([[[[0, 2, 2], [0, 0, 2], [0, 1, 2], [0, 3, 2]]]])
    _, accuracy = ARLoss()(predictions, targets, indices)
    np.testing.assert_array_equal(accuracy, [1.0, 1.0, 0.0, 0.0])


def test_perfect_predictions_give_full_accuracy_and_a_loss_only_from_redrawn_positives():
    z = tf.constant(np.eye(FRAMES, dtype=np.float32)[None].repeat(2, axis=0))
    future = GenTargets(pred_steps=STEPS_K, t_skip=T_SKIP).future_frames(STEPS)
    predictions = 30.0 * tf.gather(z, future, axis=1)
    targets, indices = GenTargets(pred_steps=STEPS_K, num_neg=NUM_NEG, t_skip=T_SKIP, seed=0)(z)
    loss, accuracy = ARLoss()(predictions, targets, indices)
    np.testing.assert_array_equal(accuracy, np.ones(STEPS_K))
    # A positive drawn again as a negative shares the softmax mass: with m
    # copies the loss is log(m + (1 + num_neg - m) * exp(-30)).
    copies = np.sum(indices.numpy() == indices.numpy()[..., :1], axis=-1)
    assert copies.max() > 1
    expected = np.mean(np.log(copies + (1 + NUM_NEG - copies) * np.exp(-30.0)))
    np.testing.assert_allclose(loss, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("negatives", ["sequence", "batch"])
@pytest.mark.parametrize("targets_gradient", [False, True])
def test_gradient_reaches_z_through_the_targets_only_when_asked(negatives, targets_gradient):
    rng = np.random.default_rng(0)
    z = tf.Variable(rng.normal(size=(BATCH, FRAMES, DIM)).astype(np.float32))
    predictions = tf.constant(rng.normal(size=(BATCH, STEPS, STEPS_K, DIM)).astype(np.float32))
    sampler = GenTargets(
        pred_steps=STEPS_K,
        num_neg=NUM_NEG,
        negatives=negatives,
        t_skip=T_SKIP,
        targets_gradient=targets_gradient,
    )
    with tf.GradientTape() as tape:
        loss, _ = ARLoss(negatives=negatives)(predictions, *sampler(z))
    gradient = tape.gradient(loss, z, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    norm = float(tf.norm(gradient))
    if targets_gradient:
        assert norm > 1e-3
    else:
        assert norm == 0.0


def test_mode_and_target_layout_must_agree():
    with pytest.raises(TargetSamplingError, match="negatives='batch' expects rank-4 targets"):
        ARLoss(negatives="batch")(tf.zeros((2, 3, 2, 4)), tf.zeros((2, 7, 4)), tf.zeros((2, 3, 2, 3), tf.int32))
    with pytest.raises(TargetSamplingError, match="negatives must be one of"):
        ARLoss(negatives="frames")
    assert ARLoss.from_config(ARLoss(negatives="batch").get_config()).negatives == "batch"
