"""Pieces shared by the training benchmarks: the model, its inputs, rates and FLOPs."""

import pathlib
import time

import keras
import tensorflow as tf

from librispeech.input_pipeline import PipelineConfig, audio_windows
from models.ar_model import ar_model
from models.cpc_model import CPCModel
from models.encoder_spec import EncoderSpec, resolve_encoder_spec
from models.genc_model import genc_model


def build_model(
    encoder: str = "seed",
    num_neg: int = 10,
    pred_steps: int = 10,
    dim_c: int = 40,
    jit_compile: bool = False,
    cell: str = "gru",
    ar_layers: int = 1,
    cudnn: bool = False,
) -> CPCModel:
    """The CPC training model of ``train.py``'s defaults, compiled with Adam.

    With ``jit_compile`` the train step is compiled with XLA, and the recurrent net is built
    without cuDNN, since Keras otherwise turns XLA off without a word. With ``cudnn`` the
    recurrent layers must run on cuDNN; otherwise they do when a GPU allows it.
    """
    spec = resolve_encoder_spec(encoder)
    use_cudnn = False if jit_compile else (True if cudnn else "auto")
    ar = ar_model(spec.dim_z, dim_c, use_cudnn=use_cudnn, cell=cell, layers=ar_layers)
    model = CPCModel(genc_model(spec), ar, pred_steps=pred_steps, num_neg=num_neg, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), jit_compile=jit_compile)
    if model.jit_compile != jit_compile:
        raise RuntimeError(f"Keras set jit_compile={model.jit_compile}, not {jit_compile}")
    return model


def preset_model(encoder: str, jit_compile: bool = False, cudnn: bool = False) -> CPCModel:
    """`build_model` with the sizes ``encoder`` suggests: dim_c, prediction steps, negatives, cell, layers.

    These are what ``train.py --encoder`` falls back on (`pretraining.resolved_pretraining`), with
    the linear predictor and negatives within the window; for ``seed`` this is `build_model`'s
    model.
    """
    spec = resolve_encoder_spec(encoder)
    return build_model(
        encoder,
        num_neg=spec.default_num_neg,
        pred_steps=spec.default_pred_steps,
        dim_c=spec.default_dim_c,
        jit_compile=jit_compile,
        cell=spec.default_ar,
        ar_layers=spec.default_ar_layers,
        cudnn=cudnn,
    )


def pipeline_windows(
    tfrecord_dir: pathlib.Path,
    batch_size: int,
    window: int,
    crops_per_utterance: int = PipelineConfig.crops_per_utterance,
) -> tf.data.Dataset:
    """The real training input: endless random crops from the TFRecords."""
    config = PipelineConfig(
        window=window, batch_size=batch_size, crops_per_utterance=crops_per_utterance, repeat=True, seed=0
    )
    return audio_windows(tfrecord_dir, config, training=True)


def in_memory_windows(tfrecord_dir: pathlib.Path, batch_size: int, window: int) -> tf.data.Dataset:
    """One real batch repeated: training with no input cost."""
    batch = next(iter(pipeline_windows(tfrecord_dir, batch_size, window)))
    return tf.data.Dataset.from_tensors(batch).repeat()


class _BatchClock(keras.callbacks.Callback):
    """Records the time at which each training batch ends."""

    def __init__(self):
        super().__init__()
        self.ends = []

    def on_train_begin(self, logs=None):
        self.ends.append(time.perf_counter())

    def on_train_batch_end(self, batch, logs=None):
        self.ends.append(time.perf_counter())


def training_rates(
    model: keras.Model, dataset: tf.data.Dataset, batch_size: int, steps: int, repeats: int
) -> list[float]:
    """Windows per second of ``repeats`` consecutive runs of ``steps`` training steps.

    All runs are timed within one ``fit``, as in a real epoch, after ``steps`` warm-up steps
    (tracing the step function, filling the input pipeline).
    """
    clock = _BatchClock()
    model.fit(dataset, epochs=1, steps_per_epoch=steps * (1 + repeats), verbose=0, shuffle=False, callbacks=[clock])
    ends = clock.ends[steps:]
    return [steps * batch_size / (ends[(run + 1) * steps] - ends[run * steps]) for run in range(repeats)]


def matmul_gflops(size: int = 1024, repeats: int = 5) -> list[float]:
    """float32 matrix-product rates of this machine, in GFLOP/s, for the same process settings."""
    left = tf.random.uniform((size, size))
    right = tf.random.uniform((size, size))
    product = tf.function(lambda a, b: tf.reduce_sum(tf.matmul(a, b)))
    product(left, right).numpy()
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(10):
            product(left, right).numpy()
        rates.append(10 * 2 * size**3 / (time.perf_counter() - started) / 1e9)
    return rates


def encoder_flops_per_window(spec: EncoderSpec, window: int) -> int:
    """Multiply-adds × 2 of the encoder's convolutions on one window (forward)."""
    flops, length = 0, window
    for layer in spec.layers:
        length = (length + layer.padding - (layer.kernel_size - 1) * layer.dilation - 1) // layer.stride + 1
        flops += 2 * length * layer.out_channels * layer.in_channels * layer.kernel_size
    return flops


_GATES = {"gru": 3, "lstm": 4}


def forward_flops_per_window(
    spec: EncoderSpec,
    window: int,
    dim_c: int,
    pred_steps: int,
    num_neg: int,
    t_skip: int = 5,
    cell: str = "gru",
    ar_layers: int = 1,
) -> int:
    """Multiply-adds × 2 of one window's forward pass: convolutions, recurrent net, prediction heads, scores.

    Training costs about three times this (forward, and backward for inputs and weights).
    The scores count the model's formulation: every prediction against every frame of its
    window, before the sampled candidates are picked.
    """
    flops = encoder_flops_per_window(spec, window)
    frames = spec.num_frames(window)
    # The first recurrent layer reads z, every stacked one the c below it.
    inputs = spec.dim_z + (ar_layers - 1) * dim_c
    flops += frames * _GATES[cell] * 2 * (inputs * dim_c + ar_layers * dim_c * dim_c)
    steps = frames - t_skip - pred_steps
    flops += steps * pred_steps * 2 * dim_c * spec.dim_z
    flops += steps * pred_steps * 2 * spec.dim_z * frames
    return flops
