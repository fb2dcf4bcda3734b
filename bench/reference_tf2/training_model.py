"""The reference's CPC training model and its accuracy model, sharing their layers."""

import keras

from bench.reference_tf2.ar_loss import ARLoss
from bench.reference_tf2.ar_model import ar_model
from bench.reference_tf2.gen_targets import GenTargets
from bench.reference_tf2.genc_model import genc_model


def training_model(
    window: int = 20480,
    dim_z: int = 40,
    dim_c: int = 40,
    pred_steps: int = 10,
    num_neg: int = 10,
    t_skip: int = 4,
    seed: int | None = 0,
) -> tuple[keras.Model, keras.Model]:
    """Builds the reference's two models; the first compiled to train by `fit` on (audio, zeros).

    Audio `(batch, window)` → `genc_model` → z `(batch, frames, dim_z)` → `ar_model` → the
    predictions; `GenTargets` lines up z and `ARLoss` scores the predictions on it. The
    training model outputs the loss of each window and is compiled, as the reference's, with
    ``loss="mae"`` against zero targets and Adam at 1e-3 (Keras's defaults otherwise, no XLA);
    the accuracy model outputs the accuracy of each step, for callbacks at an epoch's end, so
    it is no part of a train step.

    The reference scores `frames - t_skip - pred_steps - 1` positions: it crops one more frame
    at the end than have no future (the +1). Its default is ``t_skip=0``, with 12 steps; with
    our `seed` preset's 10 steps, ``t_skip=4`` scores the same 65 positions of a 20480-sample
    window (80 frames) as our `CPCModel` with its ``t_skip=5``.

    Args:
        window: Samples per window; fixed, as the reference's input layer is.
        dim_z: Dimension of the encoder frames.
        dim_c: Context size, the GRU's units.
        pred_steps: Number of predicted future frames K.
        num_neg: Number of negatives per true frame.
        t_skip: Number of initial positions that are not scored.
        seed: Op-level seed of the negative sampler, or None.

    Returns:
        The compiled training model, audio `(batch, window)` → loss `(batch,)`, and the
        uncompiled accuracy model, audio → accuracy `(pred_steps,)`.
    """
    audio = keras.Input(shape=(window,), dtype="float32", name="audio")
    z = genc_model(dim_z)(audio)
    predictions = ar_model(t_skip, pred_steps, dim_c, dim_z)(z)
    line_up = GenTargets(t_skip, pred_steps, num_neg, seed=seed, name="gen_targets")(z)
    loss, accuracy = ARLoss(name="ar_loss")([line_up, predictions])
    model = keras.Model(audio, loss, name="reference_cpc")
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mae")
    return model, keras.Model(audio, accuracy, name="reference_accuracy")
