"""The InfoNCE loss of CPC and its per-step top-1 accuracy."""

import keras
import tensorflow as tf

from losses.gen_targets import TargetSamplingError
from losses.negative_modes import NEGATIVE_MODES


@keras.saving.register_keras_serializable(package="cpc")
class ARLoss(keras.layers.Layer):
    """Softmax cross-entropy of each prediction against its candidates.

    The logit of a candidate is its dot product with the prediction
    W_k c_t; the positive is candidate 0. The loss is the cross-entropy
    against candidate 0, averaged over batch, context steps and future steps.

    Scores are computed against the whole target pool with one batched
    matmul and the candidate scores are then picked by index, which is far
    cheaper than gathering `(batch, steps, pred_steps, 1 + num_neg, dim_z)`
    candidate vectors.

    Top-1 accuracy: a prediction counts as correct when the positive's logit
    is strictly greater than the logit of every negative that is a different
    frame ("sequence" mode) or sequence ("batch" mode). A negative that is
    the positive drawn again is ignored, since it cannot be beaten; any
    other tie counts as wrong, so a collapsed encoder giving identical
    frames scores 0, not 1. Chance level is about `1 / (1 + num_neg)`.

    Args:
        negatives: "sequence", "speaker" or "batch": the layout of the
            targets, as produced by a `GenTargets` layer with the same mode.
        **kwargs: Base `keras.layers.Layer` arguments.

    Call arguments:
        predictions: `(batch, steps, pred_steps, dim_z)`, W_k c_t for every
            scored context step and future step k.
        targets: Target pool from `GenTargets`: `(batch, frames, dim_z)` in
            "sequence" mode, `(groups, windows_per_speaker * frames, dim_z)`
            in "speaker" mode, `(batch, steps, pred_steps, dim_z)` in "batch"
            mode.
        indices: int `(batch, steps, pred_steps, 1 + num_neg)` candidate
            indices from `GenTargets`, positive first.

    Returns:
        A tuple `(loss, accuracy)`: scalar mean loss and float32
        `(pred_steps,)` top-1 accuracy for each future step k = 1..K.
    """

    def __init__(self, negatives="sequence", **kwargs):
        super().__init__(**kwargs)
        if negatives not in NEGATIVE_MODES:
            raise TargetSamplingError(
                f"ARLoss: negatives must be one of {', '.join(NEGATIVE_MODES)}, got {negatives!r}"
            )
        self.negatives = negatives

    def logits(self, predictions, targets, indices):
        """Dot products of the predictions with their candidates.

        Args:
            predictions: `(batch, steps, pred_steps, dim_z)`.
            targets: Target pool, see the class docstring.
            indices: `(batch, steps, pred_steps, 1 + num_neg)`.

        Returns:
            `(batch, steps, pred_steps, 1 + num_neg)` logits, positive first.
        """
        targets = tf.convert_to_tensor(targets)
        expected_rank = 4 if self.negatives == "batch" else 3
        if targets.shape.rank != expected_rank:
            raise TargetSamplingError(
                f"ARLoss: negatives={self.negatives!r} expects rank-{expected_rank} targets, "
                f"got shape {tuple(targets.shape)}"
            )
        if self.negatives == "sequence":
            # Score against every frame of the same sequence, then keep the
            # sampled candidates.
            scores = tf.einsum("bskd,btd->bskt", predictions, targets)
            return tf.gather(scores, indices, axis=3, batch_dims=3)
        if self.negatives == "speaker":
            # Score against every frame of the speaker group's windows.
            groups = tf.shape(targets)[0]
            shape = tf.shape(predictions)
            grouped = tf.reshape(predictions, tf.concat([[groups, -1], shape[1:]], axis=0))
            scores = tf.einsum("gnskd,gtd->gnskt", grouped, targets)
            scores = tf.reshape(scores, tf.concat([shape[:3], [-1]], axis=0))
            return tf.gather(scores, indices, axis=3, batch_dims=3)
        # Score against frame t+k of every sequence. With (step, future
        # step) leading, this is one batched matmul, about twice as fast on
        # CPU as the equivalent einsum.
        by_step = (1, 2, 0, 3)
        scores = tf.matmul(tf.transpose(predictions, by_step), tf.transpose(targets, by_step), transpose_b=True)
        logits = tf.gather(scores, tf.transpose(indices, by_step), axis=3, batch_dims=3)
        return tf.transpose(logits, (2, 0, 1, 3))

    def call(self, predictions, targets, indices):
        # Scores and loss stay in float32 under a mixed-precision policy: float16
        # dot products over dim_z lose the small differences the softmax ranks.
        predictions = tf.cast(predictions, tf.float32)
        targets = tf.cast(targets, tf.float32)
        indices = tf.convert_to_tensor(indices, dtype=tf.int32)
        logits = self.logits(predictions, targets, indices)
        positive = logits[..., 0]
        loss = tf.reduce_mean(tf.reduce_logsumexp(logits, axis=-1) - positive)
        repeats_positive = tf.equal(indices[..., 1:], indices[..., :1])
        rivals = tf.where(repeats_positive, tf.constant(-float("inf")), logits[..., 1:])
        correct = tf.cast(positive > tf.reduce_max(rivals, axis=-1), tf.float32)
        accuracy = tf.reduce_mean(correct, axis=(0, 1))
        return loss, accuracy

    def get_config(self):
        config = super().get_config()
        config.update({"negatives": self.negatives})
        return config
