"""What each training-speed change bought: the CPC train step with and without each one.

Runs the `seed` preset's train step (batch 64, window 20480, one batch held in memory, or
fed by the TFRecord pipeline from the demo corpus) in a fresh process per variant, since
oneDNN and the thread pools are fixed when TensorFlow starts, and interleaves the variants
over several rounds so that a slower spell of the machine hits all of them alike. Prints, per
variant, the median windows per second over all timed runs and its ratio to the first
variant, the code as it was before the changes.

    python -m bench.train_ablation                 # all variants, 3 rounds
    python -m bench.train_ablation --rounds 5 --variants eigen-conv,onednn-patch
    python -m bench.train_ablation --rounds 5 --variants onednn-patch,pipeline
    python -m bench.train_ablation --encoder paper --batch-size 32 --variants onednn-patch
    python -m bench.train_ablation --variants gpu-float32,gpu-mixed,gpu-mirrored   # a GPU; see bench/gpu.sh

``--encoder`` trains another preset's model instead, with the sizes and recurrent net it
suggests (``train.py --encoder``'s defaults), the linear predictor and negatives within the
window; `bench.pytorch_peer` runs it beside the PyTorch reference.

The ``gpu-`` variants, run only when named, train on the GPU with the cuDNN GRU (required:
Keras fails rather than fall back) in float32, in mixed precision (``train.py
--mixed-precision``) and in mixed precision mirrored over every local GPU (``train.py
--distribute mirrored``; the batch is then split among them).
"""

import cli.tensorflow_environment

import argparse
import dataclasses
import json
import os
import pathlib
import statistics
import sys
import tempfile


@dataclasses.dataclass(frozen=True)
class Variant:
    """One way of running the train step.

    Attributes:
        name: Short name, used with ``--variants``.
        description: What differs, for the printed table.
        onednn: Whether TensorFlow's oneDNN CPU kernels are on (``TF_ENABLE_ONEDNN_OPTS``).
        patch_products: Whether the encoder's convolutions over whole strides run as matrix
            products (``models.encoder_forward.encode``) rather than Keras's Conv1D call.
        inter_op_threads: TensorFlow's inter-op thread pool size; 0 leaves TensorFlow's choice.
        jit_compile: Whether the train step is compiled with XLA (the GRU then runs without
            cuDNN, as Keras requires).
        pipeline: Whether the batches come from the TFRecord input pipeline (demo corpus)
            rather than one batch held in memory.
        gpu: Whether the variant needs a GPU: the GRU must run on cuDNN, and ``--variants``
            runs it only when named.
        mixed_precision: Whether the model computes in float16 (Keras's ``mixed_float16``).
        distribute: ``train.py --distribute``'s mode the model is built under.
    """

    name: str
    description: str
    onednn: bool
    patch_products: bool
    inter_op_threads: int = 0
    jit_compile: bool = False
    pipeline: bool = False
    gpu: bool = False
    mixed_precision: bool = False
    distribute: str = "none"


VARIANTS = (
    Variant("eigen-conv", "before: Eigen kernels, Keras Conv1D", onednn=False, patch_products=False),
    Variant("onednn-conv", "oneDNN kernels, Keras Conv1D", onednn=True, patch_products=False),
    Variant("eigen-patch", "Eigen kernels, convolutions as matrix products", onednn=False, patch_products=True),
    Variant("onednn-patch", "oneDNN + convolutions as matrix products (default now)", onednn=True, patch_products=True),
    Variant("onednn-patch-inter1", "same, 1 inter-op thread", onednn=True, patch_products=True, inter_op_threads=1),
    Variant(
        "onednn-patch-xla",
        "same, XLA (jit_compile, GRU without cuDNN)",
        onednn=True,
        patch_products=True,
        jit_compile=True,
    ),
    Variant(
        "pipeline",
        "same, fed by the TFRecord pipeline (4 crops per read)",
        onednn=True,
        patch_products=True,
        pipeline=True,
    ),
    Variant("gpu-float32", "GPU, float32, cuDNN GRU", onednn=True, patch_products=True, gpu=True),
    Variant(
        "gpu-mixed", "GPU, mixed precision, cuDNN GRU", onednn=True, patch_products=True, gpu=True, mixed_precision=True
    ),
    Variant(
        "gpu-mirrored",
        "GPU, mixed precision, cuDNN GRU, mirrored over every GPU",
        onednn=True,
        patch_products=True,
        gpu=True,
        mixed_precision=True,
        distribute="mirrored",
    ),
)


def variant_model(variant: Variant, encoder: str = "seed"):
    """``encoder``'s `preset_model` built as ``variant`` trains it: its dtype policy, under its strategy."""
    import keras

    from bench.cpc_step import preset_model
    from pretraining.distribution import make_strategy

    keras.mixed_precision.set_dtype_policy("mixed_float16" if variant.mixed_precision else "float32")
    with make_strategy(variant.distribute).scope():
        return preset_model(encoder, variant.jit_compile, cudnn=variant.gpu)


def measure(
    variant: Variant,
    steps: int,
    repeats: int,
    batch_size: int,
    window: int,
    data_dir: pathlib.Path | None,
    encoder: str = "seed",
) -> list[float]:
    """Windows per second of ``repeats`` timed runs of ``steps`` steps of ``encoder``'s model, in this process."""
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if variant.onednn else "0"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    from bench.cpc_step import pipeline_windows, training_rates
    from models import cpc_model

    if variant.inter_op_threads:
        tf.config.threading.set_inter_op_parallelism_threads(variant.inter_op_threads)
    if not variant.patch_products:
        cpc_model.encode = lambda encoder, audio, training=None: encoder(audio, training=training)
    keras.utils.set_random_seed(0)
    model = variant_model(variant, encoder)
    if variant.pipeline:
        dataset = pipeline_windows(data_dir, batch_size, window)
    else:
        audio = tf.random.stateless_uniform((batch_size, window), seed=(0, 1), minval=-1.0, maxval=1.0)
        dataset = tf.data.Dataset.from_tensors(audio).repeat()
    return training_rates(model, dataset, batch_size, steps, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--variants",
        default=",".join(variant.name for variant in VARIANTS if not variant.gpu),
        help="comma-separated variant names (default: every variant but the gpu- ones)",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="processes per variant, interleaved (default: %(default)s)"
    )
    parser.add_argument("--steps", type=int, default=15, help="training steps per timed run (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per process (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--window", type=int, default=20480)
    parser.add_argument("--encoder", default="seed", help="the preset whose model is trained (default: %(default)s)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--matmul", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=pathlib.Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    by_name = {variant.name: variant for variant in VARIANTS}
    if args.child:
        variant = by_name[args.child]
        rates = measure(variant, args.steps, args.repeats, args.batch_size, args.window, args.data_dir, args.encoder)
        if args.matmul:
            # The same process's matrix-product rate, the ceiling its training FLOP rate is read against.
            from bench.cpc_step import matmul_gflops

            print(json.dumps({"windows_per_s": rates, "matmul_gflops": matmul_gflops()}))
        else:
            print(json.dumps(rates))
        return
    names = args.variants.split(",")
    unknown = [name for name in names if name not in by_name]
    if unknown:
        parser.error(f"unknown variants {', '.join(unknown)}; known: {', '.join(by_name)}")
    from bench.demo_data import demo_tfrecords
    from bench.timing import child_lines, machine

    rates = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as scratch:
        data_args = []
        if any(by_name[name].pipeline for name in names):
            data_args = ["--data-dir", str(demo_tfrecords(pathlib.Path(scratch)))]
        for number in range(1, args.rounds + 1):
            for name in names:
                lines = child_lines(
                    [
                        sys.executable,
                        "-m",
                        "bench.train_ablation",
                        "--child",
                        name,
                        "--steps",
                        str(args.steps),
                        "--repeats",
                        str(args.repeats),
                        "--batch-size",
                        str(args.batch_size),
                        "--window",
                        str(args.window),
                        "--encoder",
                        args.encoder,
                        *data_args,
                    ]
                )
                rates[name] += json.loads(lines[-1])
                print(
                    f"round {number}/{args.rounds} {name}: "
                    f"{', '.join(f'{rate:.0f}' for rate in rates[name][-args.repeats :])}",
                    file=sys.stderr,
                )

    print(f"machine: {machine()}")
    print(
        f"{args.encoder} preset, batch {args.batch_size}, window {args.window}; {args.rounds} processes x "
        f"{args.repeats} runs x {args.steps} steps per variant"
    )
    baseline = statistics.median(rates[names[0]])
    print("| variant | windows/s (median) | vs first | all runs |")
    print("|---|---|---|---|")
    for name in names:
        median = statistics.median(rates[name])
        print(
            f"| {by_name[name].description} | {median:.0f} | {median / baseline:.2f}× | "
            f"{', '.join(f'{rate:.0f}' for rate in rates[name])} |"
        )


if __name__ == "__main__":
    main()
