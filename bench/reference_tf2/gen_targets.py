"""The reference's target sampling: the true future frames and negatives, materialised."""

import keras
import tensorflow as tf


class GenTargets(keras.layers.Layer):
    """Lines up, for every scored position and future step, the true z_{t+k} and negatives.

    Positions are `t = t_skip, ..., frames - pred_steps - 2`: `target_len = frames - t_skip -
    pred_steps - 1` of them, one fewer than have a future, as in the reference. For position
    `t` and step `k = 1..pred_steps` the line-up is z_{t+k} followed by `num_neg` negatives.
    The negatives' frame indices are one vector of `num_neg * target_len * pred_steps` draws,
    uniform in `[t_skip, frames - 1)` with replacement (the true frame may be drawn), shared
    by every sequence of the batch. The encoder output is under `tf.stop_gradient`, so the
    encoder learns only through the predictions.

    Args:
        t_skip: Number of initial positions that are not scored.
        pred_steps: Number of predicted future frames K.
        num_neg: Number of negatives per true frame.
        seed: Op-level seed of `tf.random.uniform`, or None.
        **kwargs: Base `keras.layers.Layer` arguments.

    Call arguments:
        z: Encoder output `(batch, frames, dim_z)`, frames and dim_z known when built.

    Returns:
        `(batch, 1 + num_neg, target_len, pred_steps, dim_z)`, the true frames first.
    """

    def __init__(self, t_skip=4, pred_steps=10, num_neg=10, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.t_skip = t_skip
        self.pred_steps = pred_steps
        self.num_neg = num_neg
        self.seed = seed

    def build(self, input_shape):
        _, self.frames, self.dim_z = input_shape
        self.target_len = self.frames - self.t_skip - self.pred_steps - 1

    def draw_negatives(self):
        """Frame indices of the negatives, int32 `(num_neg * target_len * pred_steps,)`."""
        return tf.random.uniform(
            (self.num_neg * self.target_len * self.pred_steps,),
            self.t_skip,
            self.frames - 1,
            dtype=tf.int32,
            seed=self.seed,
        )

    def line_up(self, z, negatives):
        """The true future frames followed by the frames ``negatives`` picks, in every sequence.

        Args:
            z: `(batch, frames, dim_z)`.
            negatives: int32 `(num_neg * target_len * pred_steps,)` frame indices.

        Returns:
            `(batch, 1 + num_neg, target_len, pred_steps, dim_z)`.
        """
        drawn = tf.gather(z, negatives, axis=1)
        drawn = tf.reshape(drawn, (-1, self.num_neg, self.target_len, self.pred_steps, self.dim_z))
        z = z[:, :, None]
        shifted = [z[:, self.t_skip + k + 1 : self.t_skip + k + 1 + self.target_len] for k in range(self.pred_steps)]
        positives = tf.concat(shifted, axis=2)[:, None]
        return tf.concat([positives, drawn], axis=1)

    def call(self, z):
        return self.line_up(tf.stop_gradient(z), self.draw_negatives())

    def get_config(self):
        config = super().get_config()
        config.update(
            {"t_skip": self.t_skip, "pred_steps": self.pred_steps, "num_neg": self.num_neg, "seed": self.seed}
        )
        return config
