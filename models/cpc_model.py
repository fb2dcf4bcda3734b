"""The CPC training model: encoder, GRU, prediction heads and InfoNCE loss."""

import copy

import keras
import tensorflow as tf

from cli.user_error import UserError
from losses.ar_loss import ARLoss
from losses.gen_targets import GenTargets
from models.encoder_forward import encode
from models.encoder_spec import PREDICTORS
from models.transformer_predictor import TransformerPredictor


class CPCModelError(UserError):
    """An encoder and a GRU that cannot be joined into a `CPCModel`."""


@keras.saving.register_keras_serializable(package="cpc")
class CPCModel(keras.Model):
    """Contrastive Predictive Coding on raw audio.

    Encodes audio into z_t, summarises z_0..z_t into c_t with the
    autoregressive net, predicts z_{t+k} for k = 1..K from c_t (as
    W_k c_t + b_k, or with a causal transformer layer before the heads; the
    prediction network belongs to this training model, not to the encoder)
    and scores each prediction against the positive and `num_neg` negatives
    drawn by `GenTargets`, with the `ARLoss` InfoNCE loss.

    Train it without labels: `compile(optimizer=...)` then `fit` on a
    dataset of float32 audio batches `(batch, window)`, or of pairs
    `(context_audio, target_audio)` for augmentation of the past (Kharitonov
    et al., 2020): the contexts are computed from `context_audio` (e.g.
    augmented), the targets z_{t+k} from `target_audio` (the clean
    windows). `fit` and `evaluate`
    log `loss` and `accuracy_1` .. `accuracy_K` (top-1 accuracy of step k,
    chance level about `1 / (1 + num_neg)`), averaged over the examples of
    the epoch.

    Args:
        encoder: Encoder model `(batch, samples)` -> `(batch, frames, dim_z)`.
        ar: Autoregressive model `(batch, frames, dim_z)` ->
            `(batch, frames, dim_c)`, e.g. from `ar_model`.
        pred_steps: Number of predicted future frames K.
        num_neg: Number of negatives per positive.
        negatives: "sequence" (negatives from the same sequence), "speaker"
            (from the sequences of the same speaker group) or "batch" (from
            the other sequences of the batch), see `GenTargets`.
        t_skip: Number of initial context steps that are not scored.
        predictor: "linear" (K affine maps) or "transformer"
            (`TransformerPredictor`).
        predictor_dropout: Dropout rate on c_t before the prediction network
            (and inside the transformer layer).
        windows_per_speaker: Windows per speaker group in "speaker" mode.
        targets_gradient: Whether gradients flow into the targets, see
            `GenTargets`.
        seed: Seed of the negative sampler, or None for a random one.
        **kwargs: Base `keras.Model` arguments (e.g. `name`).

    Call arguments:
        audio: float32 `(batch, samples)`, the audio the contexts are
            computed from.
        target_audio: float32 `(batch, samples)` the targets are encoded
            from; None takes `audio`.
        training: Passed to the encoder, the autoregressive net and the
            prediction network.

    Returns:
        A dict with `loss` (scalar) and `accuracy` (`(pred_steps,)`), as
        computed by `ARLoss`.
    """

    def __init__(
        self,
        encoder,
        ar,
        pred_steps=10,
        num_neg=10,
        negatives="sequence",
        t_skip=5,
        targets_gradient=False,
        seed=None,
        predictor="linear",
        predictor_dropout=0.0,
        windows_per_speaker=1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if predictor not in PREDICTORS:
            raise CPCModelError(f"CPCModel: predictor must be one of {', '.join(PREDICTORS)}, got {predictor!r}")
        dim_z = encoder.outputs[0].shape[-1]
        ar_input_dim = ar.inputs[0].shape[-1]
        if dim_z != ar_input_dim:
            raise CPCModelError(
                f"CPCModel: encoder {encoder.name!r} outputs dim_z={dim_z} but "
                f"GRU model {ar.name!r} takes {ar_input_dim} features"
            )
        self.encoder = encoder
        self.ar = ar
        self.pred_steps = pred_steps
        self.num_neg = num_neg
        self.negatives = negatives
        self.t_skip = t_skip
        self.targets_gradient = targets_gradient
        self.seed = seed
        self.predictor_kind = predictor
        self.predictor_dropout = predictor_dropout
        self.windows_per_speaker = windows_per_speaker
        self.gen_targets = GenTargets(
            pred_steps=pred_steps,
            num_neg=num_neg,
            negatives=negatives,
            t_skip=t_skip,
            targets_gradient=targets_gradient,
            seed=seed,
            windows_per_speaker=windows_per_speaker,
            name="gen_targets",
        )
        self.context_dropout = keras.layers.Dropout(predictor_dropout, seed=seed, name="context_dropout")
        if predictor == "transformer":
            self.predictor = TransformerPredictor(pred_steps, dim_z, dropout=predictor_dropout, name="predictor")
        else:
            self.predictor = keras.layers.EinsumDense(
                "btc,ckd->btkd",
                output_shape=(None, pred_steps, dim_z),
                bias_axes="kd",
                name="predictor",
            )
        self.ar_loss = ARLoss(negatives=negatives, name="ar_loss")
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.accuracy_trackers = [keras.metrics.Mean(name=f"accuracy_{k}") for k in range(1, pred_steps + 1)]
        # All weights exist from construction on, so saved weights load
        # without a first call on data.
        self.build()

    def build(self, input_shape=None):
        self.predictor.build((None, None, self.ar.outputs[0].shape[-1]))

    @property
    def chance_accuracy(self):
        """Top-1 accuracy of guessing: `1 / (1 + num_neg)`."""
        return 1.0 / (1 + self.num_neg)

    @property
    def metrics(self):
        return [self.loss_tracker, *self.accuracy_trackers]

    def call(self, audio, target_audio=None, training=None):
        z = encode(self.encoder, audio, training=training)
        target_z = z if target_audio is None else encode(self.encoder, target_audio, training=training)
        return self.contrast(z, target_z, training=training)

    def contrast(self, z, target_z, training=None):
        """The contrastive task on encoded audio: contexts, predictions, sampled targets, InfoNCE.

        Args:
            z: Encoder output the contexts are computed from, `(batch, frames, dim_z)`.
            target_z: Encoder output the targets are drawn from, the same shape (``z`` itself
                unless the past was augmented).
            training: Passed to the layers.

        Returns:
            ``{"loss": scalar, "accuracy": (pred_steps,)}``.
        """
        context = self.ar(z, training=training)
        targets, indices = self.gen_targets(target_z)
        # The last K contexts have no future to predict; the first t_skip ones are computed but
        # not scored, since the transformer predictor attends over them.
        context = self.context_dropout(context[:, : -self.pred_steps], training=training)
        predictions = self.predictor(context, training=training)[:, self.t_skip :]
        loss, accuracy = self.ar_loss(predictions, targets, indices)
        return {"loss": loss, "accuracy": accuracy}

    def train_step(self, data):
        audio, target_audio, _ = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            outputs = self(audio, target_audio, training=True)
            loss = self._total_loss(outputs)
            # Under tf.distribute the optimizer sums the replicas' gradients, so each
            # replica contributes its share of the global-batch mean.
            replica_share = loss / tf.distribute.get_strategy().num_replicas_in_sync
            scaled_loss = self.optimizer.scale_loss(replica_share)
        gradients = tape.gradient(scaled_loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        return self._record(audio, loss, outputs["accuracy"])

    def test_step(self, data):
        audio, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        outputs = self(audio, training=False)
        return self._record(audio, self._total_loss(outputs), outputs["accuracy"])

    def _total_loss(self, outputs):
        if self.losses:
            return outputs["loss"] + tf.add_n(self.losses)
        return outputs["loss"]

    def _record(self, audio, loss, accuracy):
        # Weighting each batch by its size makes the epoch value the mean
        # over examples even when the last batch is smaller.
        batch_size = tf.cast(tf.shape(audio)[0], tf.float32)
        weighted = tf.concat([loss[None], accuracy], axis=0) * batch_size
        context = tf.distribute.get_replica_context()
        if context is not None and context.num_replicas_in_sync > 1:
            # Every replica tracks the global-batch values, so that averaging
            # the replicas' metrics, as Keras does, gives them exactly.
            totals = context.all_reduce(tf.distribute.ReduceOp.SUM, tf.concat([weighted, batch_size[None]], axis=0))
            weighted, batch_size = totals[:-1], totals[-1]
        means = weighted / batch_size
        self.loss_tracker.update_state(means[0], sample_weight=batch_size)
        for k, tracker in enumerate(self.accuracy_trackers):
            tracker.update_state(means[k + 1], sample_weight=batch_size)
        results = {metric.name: metric.result() for metric in self.metrics}
        if _spans_several_workers(tf.distribute.get_strategy()):
            # Keras averages per-replica values along axis 0 across workers, which
            # fails for scalars (tensorflow/tensorflow#72388): hand it vectors.
            results = {name: value[None] for name, value in results.items()}
        return results

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "encoder": keras.saving.serialize_keras_object(self.encoder),
                "ar": keras.saving.serialize_keras_object(self.ar),
                "pred_steps": self.pred_steps,
                "num_neg": self.num_neg,
                "negatives": self.negatives,
                "t_skip": self.t_skip,
                "targets_gradient": self.targets_gradient,
                "seed": self.seed,
                "predictor": self.predictor_kind,
                "predictor_dropout": self.predictor_dropout,
                "windows_per_speaker": self.windows_per_speaker,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        # Deserialising consumes the nested dicts; keep the caller's intact.
        config = copy.deepcopy(config)
        config["encoder"] = keras.saving.deserialize_keras_object(config["encoder"])
        config["ar"] = keras.saving.deserialize_keras_object(config["ar"])
        return cls(**config)


def _spans_several_workers(strategy):
    """Whether `strategy` is a multi-worker collective strategy with more than one task."""
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return False
    return sum(len(tasks) for tasks in strategy.cluster_resolver.cluster_spec().as_dict().values()) > 1
