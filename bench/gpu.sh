#!/usr/bin/env bash
# The training benchmark on a GPU: float32, mixed precision and mixed precision mirrored over
# every GPU, all with the cuDNN GRU, for `seed` (batch 64) and `paper` (batch 32), the variants
# interleaved in fresh processes (python -m bench.train_ablation). Prints the GPUs, then a
# Markdown table per preset. On a machine where TensorFlow sees no GPU it says so and exits 0.
#
#     bench/gpu.sh                      # 3 rounds per preset
#     bench/gpu.sh --rounds 5 --steps 30
#
# Arguments are passed to both bench.train_ablation runs.
set -euo pipefail

cd "$(dirname "$0")/.."
python=python3
if [[ -x .venv/bin/python ]]; then
    python=.venv/bin/python
fi

# TensorFlow's start-up notices go to stderr; they are shown only if the listing fails.
notices=$(mktemp)
trap 'rm -f "$notices"' EXIT
if ! gpus=$("$python" -c '
import cli.tensorflow_environment
import tensorflow as tf
for gpu in tf.config.list_physical_devices("GPU"):
    print(tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name))
' 2>"$notices"); then
    cat "$notices" >&2
    echo "error: $python could not list the GPUs with TensorFlow" >&2
    exit 1
fi
if [[ -z "$gpus" ]]; then
    echo "no GPU: TensorFlow lists none on this machine, so there is nothing to measure"
    exit 0
fi
echo "GPUs: $(paste -sd ',' <<<"$gpus" | sed 's/,/, /g')"

variants=gpu-float32,gpu-mixed,gpu-mirrored
echo
"$python" -m bench.train_ablation --variants "$variants" --encoder seed --batch-size 64 "$@"
echo
"$python" -m bench.train_ablation --variants "$variants" --encoder paper --batch-size 32 "$@"
