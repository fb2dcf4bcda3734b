"""The reference TF2 port of `bench/`: its geometry, line-up, loss and stop_gradient, and its worker."""

import json
import pathlib
import subprocess
import sys

import numpy as np
import tensorflow as tf

from bench.reference_tf2.ar_loss import ARLoss
from bench.reference_tf2.ar_model import ar_model
from bench.reference_tf2.gen_targets import GenTargets
from bench.reference_tf2.genc_model import genc_model
from bench.reference_tf2.training_model import training_model
from models.encoder_spec import resolve_encoder_spec
from models.genc_model import genc_model as our_genc_model

REPO = pathlib.Path(__file__).resolve().parents[2]
SEED = resolve_encoder_spec("seed")


def test_encoder_has_the_seed_geometry_of_ours():
    port, ours = genc_model(40), our_genc_model(SEED)
    audio = tf.zeros((1, 20480))
    assert port(audio).shape == ours(audio).shape == (1, SEED.num_frames(20480), 40) == (1, 80, 40)
    assert port.count_params() == ours.count_params()


def test_encoder_is_causal():
    port = genc_model(40)
    hop = 256
    audio = np.random.default_rng(0).uniform(-1, 1, (1, 8 * hop)).astype(np.float32)
    perturbed = audio.copy()
    # Frame j of causal convolutions ends at sample j * hop: frames 0..3 end before sample 3 * hop + 1.
    perturbed[:, 3 * hop + 1 :] += 1.0
    frames, perturbed_frames = port(audio).numpy(), port(perturbed).numpy()
    np.testing.assert_array_equal(frames[:, :4], perturbed_frames[:, :4])
    assert not np.allclose(frames[:, 4], perturbed_frames[:, 4])


def test_ar_model_predicts_every_step_from_the_scored_contexts():
    batch, frames, dim_z, dim_c, pred_steps, t_skip = 2, 12, 3, 5, 4, 2
    target_len = frames - t_skip - pred_steps - 1
    ar = ar_model(t_skip, pred_steps, dim_c, dim_z)
    z = tf.random.stateless_normal((batch, frames, dim_z), seed=(0, 1))
    ar.get_layer("predict").bias.assign(np.arange(1, dim_z + 1, dtype=np.float32))
    predictions = ar(z).numpy()
    context = ar.get_layer("gru")(z).numpy()[:, t_skip : t_skip + target_len]
    # Conv2DTranspose kernels are (rows, columns, filters, input channels): column k maps c_t to z_hat_{t+k+1}.
    kernel, bias = ar.get_layer("predict").kernel.numpy()[0], ar.get_layer("predict").bias.numpy()
    expected = np.einsum("bsc,kdc->bskd", context, kernel) + bias
    assert predictions.shape == (batch, target_len, pred_steps, dim_z)
    np.testing.assert_allclose(predictions, expected, rtol=1e-5, atol=1e-6)


def numpy_loss_and_accuracy(z, predictions, negatives, t_skip, num_neg):
    """Loss of each sequence and accuracy of each step, one (sequence, position, step) at a time."""
    batch, target_len, pred_steps, _ = predictions.shape
    drawn = negatives.reshape(num_neg, target_len, pred_steps)
    losses, correct = np.zeros((batch, target_len, pred_steps)), np.zeros((batch, target_len, pred_steps))
    for b in range(batch):
        for s in range(target_len):
            for k in range(pred_steps):
                candidates = np.stack([z[b, t_skip + s + k + 1], *z[b, drawn[:, s, k]]])
                logits = candidates @ predictions[b, s, k]
                losses[b, s, k] = np.log(np.sum(np.exp(logits))) - logits[0]
                correct[b, s, k] = np.argmax(logits) == 0
    return losses.mean(axis=(1, 2)), correct.mean(axis=(0, 1))


def test_loss_and_accuracy_equal_a_numpy_reference():
    rng = np.random.default_rng(1)
    batch, frames, dim_z, pred_steps, num_neg, t_skip = 3, 11, 4, 2, 3, 2
    target_len = frames - t_skip - pred_steps - 1
    z = rng.normal(size=(batch, frames, dim_z)).astype(np.float32)
    predictions = rng.normal(size=(batch, target_len, pred_steps, dim_z)).astype(np.float32)
    negatives = rng.integers(t_skip, frames - 1, num_neg * target_len * pred_steps).astype(np.int32)
    gen_targets = GenTargets(t_skip, pred_steps, num_neg)
    gen_targets.build(z.shape)
    line_up = gen_targets.line_up(tf.constant(z), tf.constant(negatives))
    loss, accuracy = ARLoss()([line_up, tf.constant(predictions)])
    expected_loss, expected_accuracy = numpy_loss_and_accuracy(z, predictions, negatives, t_skip, num_neg)
    assert loss.shape == (batch,) and accuracy.shape == (pred_steps,)
    np.testing.assert_allclose(loss.numpy(), expected_loss, rtol=1e-5)
    np.testing.assert_allclose(accuracy.numpy(), expected_accuracy)
    assert 0 < expected_accuracy.mean() < 1


def test_line_up_holds_the_true_future_first_and_negatives_shared_by_the_batch():
    batch, frames, dim_z, pred_steps, num_neg, t_skip = 3, 16, 5, 3, 20, 1
    target_len = frames - t_skip - pred_steps - 1
    z = tf.random.stateless_normal((batch, frames, dim_z), seed=(0, 2)).numpy()
    line_up = GenTargets(t_skip, pred_steps, num_neg, seed=4)(z).numpy()
    assert line_up.shape == (batch, 1 + num_neg, target_len, pred_steps, dim_z)
    for k in range(pred_steps):
        np.testing.assert_array_equal(line_up[:, 0, :, k], z[:, t_skip + k + 1 : t_skip + k + 1 + target_len])
    # Frames of normal noise are all distinct, so each negative names one frame index.
    matches = np.all(line_up[:, 1:, :, :, None] == z[:, None, None, None], axis=-1)
    assert (matches.sum(axis=-1) == 1).all()
    indices = matches.argmax(axis=-1)
    assert (indices == indices[:1]).all()
    assert indices.min() == t_skip and indices.max() == frames - 2


def test_line_up_passes_no_gradient_to_the_encoder_output():
    batch, frames, dim_z, pred_steps, num_neg, t_skip = 2, 12, 3, 3, 4, 1
    target_len = frames - t_skip - pred_steps - 1
    z = tf.random.stateless_normal((batch, frames, dim_z), seed=(0, 3))
    predictions = tf.random.stateless_normal((batch, target_len, pred_steps, dim_z), seed=(0, 4))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([z, predictions])
        loss, _ = ARLoss()([GenTargets(t_skip, pred_steps, num_neg, seed=5)(z), predictions])
    assert tape.gradient(loss, z) is None
    assert np.abs(tape.gradient(loss, predictions).numpy()).sum() > 0


def test_training_model_scores_our_65_positions_and_trains_the_encoder_through_the_predictions():
    model, accuracy_model = training_model(20480)
    assert model.get_layer("gen_targets").output.shape == (None, 11, 65, 10, 40)
    audio = tf.random.stateless_uniform((2, 20480), seed=(0, 6), minval=-1.0, maxval=1.0)
    with tf.GradientTape() as tape:
        loss = model(audio)
    assert loss.shape == (2,) and accuracy_model(audio).shape == (10,)
    gradients = tape.gradient(loss, model.get_layer("genc").trainable_weights)
    assert all(gradient is not None and np.abs(gradient.numpy()).sum() > 0 for gradient in gradients)


def test_worker_prints_a_json_list_of_rates():
    child = subprocess.run(
        [sys.executable, "-m", "bench.reference_tf2", "--batch-size", "2", "--window", "5120", "--steps", "1"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    rates = json.loads(child.stdout.strip().splitlines()[-1])
    assert len(rates) == 2 and all(rate > 0 for rate in rates)
