"""Where a CPC train step's time goes: the encoder's two evaluations, the rest, the whole step.

In one process (one batch of random audio held in memory, oneDNN as TensorFlow starts), times
the forward and backward pass of:

* the encoder called as its Keras Conv1D layers;
* the encoder through `models.encoder_forward.encode` (convolutions over whole strides as
  matrix products), the path training takes;
* everything after the encoder (recurrent net, predictor, target sampling, InfoNCE), from a
  fixed z;

and the whole train step inside `fit` (`bench.cpc_step.training_rates`), with the FLOPs of each
part and their rate against this process's float32 matmul rate.

    python -m bench.step_profile                        # seed preset, batch 64
    python -m bench.step_profile --encoder paper --batch-size 32
"""

import cli.tensorflow_environment

import argparse
import statistics
import time

import keras
import tensorflow as tf

from bench.cpc_step import (
    encoder_flops_per_window,
    forward_flops_per_window,
    matmul_gflops,
    preset_model,
    training_rates,
)
from bench.timing import machine
from models.encoder_forward import encode
from models.encoder_spec import resolve_encoder_spec


def _median_ms(step, argument, repeats: int) -> float:
    step(argument)  # traces
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        tf.nest.map_structure(lambda tensor: tensor.numpy(), step(argument))
        seconds.append(time.perf_counter() - started)
    return 1000 * statistics.median(seconds)


def _gradient_step(forward, variables):
    """A compiled forward and backward pass of ``forward``, with a loss that uses every output."""

    @tf.function
    def step(inputs):
        with tf.GradientTape() as tape:
            outputs = forward(inputs)
            loss = tf.add_n([tf.reduce_sum(tf.cast(tensor, tf.float32) ** 2) for tensor in tf.nest.flatten(outputs)])
        return loss, tape.gradient(loss, variables)

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoder", default="seed", help="preset (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--window", type=int, default=20480)
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per part (default: %(default)s)")
    parser.add_argument("--steps", type=int, default=10, help="train steps per timed run (default: %(default)s)")
    args = parser.parse_args()

    spec = resolve_encoder_spec(args.encoder)
    keras.utils.set_random_seed(0)
    model = preset_model(args.encoder)
    audio = tf.random.stateless_uniform((args.batch_size, args.window), seed=(0, 1), minval=-1.0, maxval=1.0)
    encoder = model.encoder
    z = tf.Variable(encoder(audio))
    encoder_weights = {id(weight) for weight in encoder.trainable_variables}
    after_encoder = [variable for variable in model.trainable_variables if id(variable) not in encoder_weights]

    times = {
        "encoder, Keras Conv1D": _median_ms(
            _gradient_step(lambda a: encoder(a, training=True), encoder.trainable_variables), audio, args.repeats
        ),
        "encoder, matrix products (training's path)": _median_ms(
            _gradient_step(lambda a: encode(encoder, a, training=True), encoder.trainable_variables),
            audio,
            args.repeats,
        ),
        "recurrent net, predictor, targets, loss": _median_ms(
            _gradient_step(lambda fixed_z: model.contrast(fixed_z, fixed_z, training=True)["loss"], after_encoder),
            z,
            args.repeats,
        ),
    }
    dataset = tf.data.Dataset.from_tensors(audio).repeat()
    rates = training_rates(model, dataset, args.batch_size, args.steps, repeats=2)
    times["whole train step in fit"] = 1000 * args.batch_size / statistics.median(rates)
    matmul = statistics.median(matmul_gflops())

    total_flops = 3 * forward_flops_per_window(
        spec,
        args.window,
        spec.default_dim_c,
        spec.default_pred_steps,
        spec.default_num_neg,
        cell=spec.default_ar,
        ar_layers=spec.default_ar_layers,
    )
    encoder_flops = 3 * encoder_flops_per_window(spec, args.window)
    flops = {
        "encoder, Keras Conv1D": encoder_flops,
        "encoder, matrix products (training's path)": encoder_flops,
        "recurrent net, predictor, targets, loss": total_flops - encoder_flops,
        "whole train step in fit": total_flops,
    }
    print(f"machine: {machine()}")
    print(
        f"{args.encoder} preset, batch {args.batch_size}, window {args.window}; forward + backward, median of "
        f"{args.repeats} calls per part; float32 matmul rate {matmul:.0f} GFLOP/s in this process"
    )
    print("| part | ms per batch | GFLOP/s | of the matmul rate |")
    print("|---|---:|---:|---:|")
    for part, milliseconds in times.items():
        rate = flops[part] * args.batch_size / milliseconds / 1e6
        print(f"| {part} | {milliseconds:.0f} | {rate:.0f} | {rate / matmul:.0%} |")


if __name__ == "__main__":
    main()
