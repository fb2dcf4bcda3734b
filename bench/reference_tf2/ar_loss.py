"""The reference's InfoNCE loss and prediction accuracy, scored on the materialised line-up."""

import keras
import tensorflow as tf


class ARLoss(keras.layers.Layer):
    """Softmax cross-entropy of each prediction against its line-up, the true frame as class 0.

    The logits are dot products written as the reference writes them, an elementwise product
    with the predictions broadcast over the candidates and a sum over dim_z, not a matrix
    product. The layer has no weights and no arguments of its own.

    Call arguments:
        inputs: A pair `(line_up, predictions)`: line_up `(batch, 1 + num_neg, target_len,
            pred_steps, dim_z)` from `GenTargets` and predictions `(batch, target_len,
            pred_steps, dim_z)` from `ar_model`.

    Returns:
        A pair `(loss, accuracy)`: the loss of each sequence, its mean over positions and
        steps, `(batch,)`; and the accuracy of each step, the share of (sequence, position)
        whose true frame has the largest logit, `(pred_steps,)`.
    """

    def call(self, inputs):
        line_up, predictions = inputs
        logits = tf.reduce_sum(line_up * predictions[:, None], axis=-1)
        log_likelihood = logits[:, 0] - tf.reduce_logsumexp(logits, axis=1)
        loss = -tf.reduce_mean(log_likelihood, axis=[1, 2])
        correct = tf.cast(tf.equal(tf.argmax(logits, axis=1), 0), tf.float32)
        return loss, tf.reduce_mean(correct, axis=[0, 1])
