"""Worker: training rates of the reference port, one batch held in memory.

    TF_ENABLE_ONEDNN_OPTS=0 python -m bench.reference_tf2 --batch-size 64 --window 20480 --steps 20 --repeats 2

Prints the windows per second of each timed run as a JSON list on its last stdout line.
"""

import cli.tensorflow_environment

import argparse
import json

import keras
import tensorflow as tf

from bench.cpc_step import training_rates
from bench.reference_tf2.training_model import training_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--window", type=int, default=20480)
    parser.add_argument("--steps", type=int, default=20, help="training steps per timed run (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs after the warm-up (default: %(default)s)")
    parser.add_argument(
        "--t-skip", type=int, default=4, help="unscored initial positions; 4 scores ours' 65 (default: %(default)s)"
    )
    args = parser.parse_args()

    keras.utils.set_random_seed(0)
    model, _ = training_model(args.window, t_skip=args.t_skip)
    audio = tf.random.stateless_uniform((args.batch_size, args.window), seed=(0, 1), minval=-1.0, maxval=1.0)
    # The model outputs its loss; "mae" against zeros makes that the loss fit minimises.
    dataset = tf.data.Dataset.from_tensors((audio, tf.zeros(args.batch_size))).repeat()
    print(json.dumps(training_rates(model, dataset, args.batch_size, args.steps, args.repeats)))


if __name__ == "__main__":
    main()
