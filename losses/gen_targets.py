"""Sampling of the positive and negative targets of the CPC objective."""

import keras
import tensorflow as tf

from cli.user_error import UserError
from losses.negative_modes import NEGATIVE_MODES


class TargetSamplingError(UserError):
    """Target sampling settings or input shapes that cannot work."""


@keras.saving.register_keras_serializable(package="cpc")
class GenTargets(keras.layers.Layer):
    """Draws, for every context step and future step, a positive and negatives.

    Context steps are `t = t_skip, ..., frames - pred_steps - 1` (`steps` of
    them, `steps = frames - pred_steps - t_skip`); the first `t_skip`
    contexts have seen too little audio and are not scored. For step `t` and
    future step `k = 1..pred_steps` the candidates are the positive
    z_{t+k} (always at candidate index 0) followed by `num_neg` negatives:

    * `negatives="sequence"` (the reference implementation): frames drawn
      uniformly with replacement among all frames of the same sequence, so
      the positive frame itself may be drawn again. Draws are independent
      for every example of the batch.
    * `negatives="batch"` (the paper's InfoNCE form): the frame t+k of other
      sequences of the batch, the sequence drawn uniformly with replacement
      among the other `batch - 1` ones (so the batch needs at least 2
      sequences).
    * `negatives="speaker"` (modified CPC): frames drawn uniformly with
      replacement among all frames of the `windows_per_speaker` sequences
      of the same speaker, its own included. The batch must hold
      consecutive groups of `windows_per_speaker` windows of one speaker
      each, as the input pipeline's speaker grouping gives; with groups of
      1 this is "sequence" mode.

    The candidate vectors are not materialised, since they would take
    `(num_neg + 1)` times the memory of the predictions: the layer returns a
    target pool and integer indices into it, and `gather` builds the
    candidates explicitly when needed.

    Args:
        pred_steps: Number of predicted future frames K.
        num_neg: Number of negatives per positive.
        negatives: "sequence" or "batch", see above.
        t_skip: Number of initial context steps that are not scored.
        windows_per_speaker: Size of the speaker groups in "speaker" mode
            (the batch must be a multiple of it); 1 in the other modes.
        targets_gradient: If False (the reference), the targets are under
            `stop_gradient`, so the encoder learns only through the context
            path. If True, gradients also flow into the targets (the paper).
        seed: Seed of the sampler, or None for a random one.
        **kwargs: Base `keras.layers.Layer` arguments.

    Call arguments:
        z: Encoder output `(batch, frames, dim_z)`.

    Returns:
        A tuple `(targets, indices)`. In "sequence" mode `targets` is
        `(batch, frames, dim_z)` and candidate `n` of `(b, s, k)` is
        `targets[b, indices[b, s, k, n]]`. In "speaker" mode `targets` is
        `(batch / windows_per_speaker, windows_per_speaker * frames, dim_z)`,
        the frames of each group end to end, and candidate `n` is
        `targets[b // windows_per_speaker, indices[b, s, k, n]]`. In "batch" mode `targets` is
        `(batch, steps, pred_steps, dim_z)` holding z_{t+k} and candidate `n`
        is `targets[indices[b, s, k, n], s, k]`. `indices` is int32
        `(batch, steps, pred_steps, 1 + num_neg)`.
    """

    def __init__(
        self,
        pred_steps=10,
        num_neg=10,
        negatives="sequence",
        t_skip=5,
        targets_gradient=False,
        seed=None,
        windows_per_speaker=1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        for name, value, lowest in (
            ("pred_steps", pred_steps, 1),
            ("num_neg", num_neg, 1),
            ("t_skip", t_skip, 0),
            ("windows_per_speaker", windows_per_speaker, 1),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < lowest:
                raise TargetSamplingError(f"GenTargets: {name} must be an integer >= {lowest}, got {value!r}")
        if negatives not in NEGATIVE_MODES:
            raise TargetSamplingError(
                f"GenTargets: negatives must be one of {', '.join(NEGATIVE_MODES)}, got {negatives!r}"
            )
        if windows_per_speaker > 1 and negatives != "speaker":
            raise TargetSamplingError(
                f"GenTargets: windows_per_speaker={windows_per_speaker} needs negatives='speaker', got {negatives!r}"
            )
        self.pred_steps = pred_steps
        self.num_neg = num_neg
        self.negatives = negatives
        self.windows_per_speaker = windows_per_speaker
        self.t_skip = t_skip
        self.targets_gradient = targets_gradient
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def num_steps(self, frames):
        """Number of scored context steps for `frames` encoder frames."""
        return frames - self.pred_steps - self.t_skip

    def check_shape(self, batch_size, frames):
        """Raises `TargetSamplingError` for statically known impossible shapes."""
        if frames is not None and self.num_steps(frames) < 1:
            raise TargetSamplingError(
                f"GenTargets: {frames} frames leave no context step to score; need more than "
                f"t_skip + pred_steps = {self.t_skip + self.pred_steps} frames (use longer windows)"
            )
        if self.negatives == "batch" and batch_size is not None and batch_size < 2:
            raise TargetSamplingError(
                f"GenTargets: negatives='batch' draws from other sequences and needs a batch of "
                f"at least 2, got {batch_size}"
            )
        if batch_size is not None and batch_size % self.windows_per_speaker:
            raise TargetSamplingError(
                f"GenTargets: a batch of {batch_size} is not made of groups of "
                f"windows_per_speaker={self.windows_per_speaker} windows"
            )

    def future_frames(self, steps):
        """Frame index t+k for each scored step and future step, `(steps, pred_steps)`."""
        t = self.t_skip + tf.range(steps)[:, None]
        return t + tf.range(1, self.pred_steps + 1)[None, :]

    def sample_indices(self, batch_size, frames):
        """Draws candidate indices, positive first.

        Args:
            batch_size: Number of sequences (int or scalar tensor).
            frames: Number of encoder frames (int or scalar tensor).

        Returns:
            int32 `(batch_size, steps, pred_steps, 1 + num_neg)`: frame
            indices within the same sequence ("sequence" mode) or within
            the frames of the speaker group end to end ("speaker" mode), or
            sequence indices at frame t+k ("batch" mode).
        """
        steps = self.num_steps(frames)
        shape = (batch_size, steps, self.pred_steps)
        seed = self.seed_generator.next()
        if self.negatives in ("sequence", "speaker"):
            group = self.windows_per_speaker
            # Each window's own frames come at its place within its group's pool.
            offsets = (tf.range(batch_size) % group * frames)[:, None, None]
            positives = offsets + self.future_frames(steps)[None]
            negatives = tf.random.stateless_uniform(
                (*shape, self.num_neg), seed, minval=0, maxval=group * frames, dtype=tf.int32
            )
        else:
            enough = tf.debugging.assert_greater_equal(
                batch_size, 2, message="GenTargets: negatives='batch' needs a batch of at least 2"
            )
            with tf.control_dependencies([enough]):
                others = tf.random.stateless_uniform(
                    (*shape, self.num_neg), seed, minval=0, maxval=batch_size - 1, dtype=tf.int32
                )
            positives = tf.broadcast_to(tf.range(batch_size)[:, None, None], shape)
            # Drawing among batch - 1 values and skipping over the own index
            # gives a uniform draw over the other sequences.
            negatives = others + tf.cast(others >= positives[..., None], tf.int32)
        return tf.concat([positives[..., None], negatives], axis=-1)

    def call(self, z):
        z = tf.convert_to_tensor(z)
        self.check_shape(z.shape[0], z.shape[1])
        # Static sizes where known keep the sampled shapes static (cheaper
        # graphs, XLA friendly).
        batch_size = z.shape[0] if z.shape[0] is not None else tf.shape(z)[0]
        frames = z.shape[1] if z.shape[1] is not None else tf.shape(z)[1]
        targets = z if self.targets_gradient else tf.stop_gradient(z)
        if self.negatives == "batch":
            targets = tf.gather(targets, self.future_frames(self.num_steps(frames)), axis=1)
        elif self.negatives == "speaker":
            groupable = tf.debugging.assert_equal(
                batch_size % self.windows_per_speaker,
                0,
                message="GenTargets: the batch is not made of whole speaker groups",
            )
            with tf.control_dependencies([groupable]):
                targets = tf.reshape(targets, (-1, self.windows_per_speaker * frames, z.shape[-1]))
        return targets, self.sample_indices(batch_size, frames)

    def gather(self, targets, indices):
        """Materialises the candidates that `indices` select from `targets`.

        Args:
            targets: Target pool as returned by `call`.
            indices: Candidate indices as returned by `call`.

        Returns:
            `(batch, steps, pred_steps, 1 + num_neg, dim_z)`, positive first.
        """
        if self.negatives == "sequence":
            return tf.gather(targets, indices, axis=1, batch_dims=1)
        if self.negatives == "speaker":
            return tf.gather(tf.repeat(targets, self.windows_per_speaker, axis=0), indices, axis=1, batch_dims=1)
        pool = tf.transpose(targets, (1, 2, 0, 3))
        candidates = tf.gather(pool, tf.transpose(indices, (1, 2, 0, 3)), axis=2, batch_dims=2)
        return tf.transpose(candidates, (2, 0, 1, 3, 4))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "pred_steps": self.pred_steps,
                "num_neg": self.num_neg,
                "negatives": self.negatives,
                "t_skip": self.t_skip,
                "targets_gradient": self.targets_gradient,
                "seed": self.seed,
                "windows_per_speaker": self.windows_per_speaker,
            }
        )
        return config
