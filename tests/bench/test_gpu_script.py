"""bench/gpu.sh on a machine whose TensorFlow sees no GPU: it says so and succeeds."""

import os
import pathlib
import subprocess

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "bench" / "gpu.sh"


def test_without_a_gpu_the_script_says_so_and_exits_0():
    assert os.access(SCRIPT, os.X_OK)
    # An empty CUDA_VISIBLE_DEVICES hides any GPU, so the test means the same on every machine.
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run([str(SCRIPT)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["no GPU: TensorFlow lists none on this machine, so there is nothing to measure"]
