"""tf.distribute on CPU: two logical devices, and two worker processes on localhost."""

import json
import os
import socket
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MIRRORED_SCRIPT = r"""
import json, sys
import numpy as np
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras
from models.ar_model import ar_model
from models.cpc_model import CPCModel
from models.encoder_spec import resolve_encoder_spec
from models.genc_model import genc_model


def fixed_indices(batch_size, frames, gen_targets):
    # The same candidates for every example, so that splitting the batch changes nothing.
    steps = gen_targets.num_steps(frames)
    shape = (batch_size, steps, gen_targets.pred_steps)
    positives = tf.broadcast_to(gen_targets.future_frames(steps)[None], shape)
    pattern = (tf.range(steps)[:, None, None] * 3 + tf.range(gen_targets.pred_steps)[None, :, None] * 5
               + tf.range(gen_targets.num_neg)[None, None, :] * 7) % frames
    negatives = tf.broadcast_to(pattern[None], (*shape, gen_targets.num_neg))
    return tf.concat([positives[..., None], tf.cast(negatives, tf.int32)], axis=-1)


def run(strategy):
    keras.utils.set_random_seed(0)
    with strategy.scope():
        spec = resolve_encoder_spec("seed")
        model = CPCModel(genc_model(spec), ar_model(40, 40), seed=0)
        model.gen_targets.sample_indices = lambda b, f: fixed_indices(b, f, model.gen_targets)
        model.compile(optimizer=keras.optimizers.SGD(0.1))
    audio = np.random.default_rng(1).uniform(-1, 1, (4, 8192)).astype("float32")
    data = tf.data.Dataset.from_tensors(audio)
    loss = model.evaluate(data, verbose=0, return_dict=True)["loss"]
    model.fit(data, epochs=1, verbose=0, shuffle=False)
    return loss, [np.asarray(w).tolist() for w in model.encoder.weights[:2]]


one_loss, one_weights = run(tf.distribute.OneDeviceStrategy("/cpu:0"))
two = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
assert two.num_replicas_in_sync == 2
two_loss, two_weights = run(two)
gap = max(float(np.max(np.abs(np.array(a) - np.array(b)))) for a, b in zip(one_weights, two_weights))
print(json.dumps({"one": one_loss, "two": two_loss, "weight_gap": gap}))
"""


@pytest.mark.slow
def test_two_mirrored_cpu_replicas_match_one_device():
    result = subprocess.run(
        [sys.executable, "-c", MIRRORED_SCRIPT],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": REPO, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["two"] == pytest.approx(values["one"], rel=1e-5)
    # One SGD step on the summed replica gradients equals the single-device step.
    assert values["weight_gap"] < 1e-5


def _free_port():
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def converted_root(tmp_path_factory):
    import numpy as np
    import soundfile

    from librispeech.split_converter import ConversionConfig, convert_split

    root = tmp_path_factory.mktemp("mw") / "LibriSpeech"
    rng = np.random.default_rng(0)
    for split, speakers in (("train-clean-100", (1, 2, 3, 4)), ("dev-clean", (5, 6))):
        for speaker in speakers:
            chapter_dir = root / split / str(speaker) / "9"
            chapter_dir.mkdir(parents=True)
            lines = []
            for index in range(4):
                utterance_id = f"{speaker}-9-{index:04d}"
                samples = (rng.standard_normal(12000) * 2000).astype(np.int16)
                soundfile.write(chapter_dir / f"{utterance_id}.flac", samples, 16000)
                lines.append(f"{utterance_id} X")
            (chapter_dir / f"{speaker}-9.trans.txt").write_text("\n".join(lines) + "\n")
        convert_split(ConversionConfig(root, split, shards=4, workers=1, show_progress=False))
    return root.parent / "tfrecords"


@pytest.mark.slow
def test_two_workers_on_localhost_train_together_and_write_one_encoder(converted_root, tmp_path):
    ports = [_free_port(), _free_port()]
    cluster = {"worker": [f"localhost:{port}" for port in ports]}
    output_dir = tmp_path / "outputs"
    command = [
        sys.executable,
        "train.py",
        "--data-dir",
        str(converted_root),
        "--distribute",
        "multiworker",
        "--batch-size",
        "4",
        "--window",
        "8192",
        "--epochs",
        "2",
        "--steps-per-epoch",
        "3",
        "--output-dir",
        str(output_dir),
    ]
    processes = []
    for index in range(2):
        environment = {
            **os.environ,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}}),
        }
        processes.append(
            subprocess.Popen(
                command, cwd=REPO, env=environment, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        )
    outputs = [process.communicate(timeout=300) for process in processes]
    for process, (_, stderr) in zip(processes, outputs):
        assert process.returncode == 0, stderr[-3000:]
    assert "encoder saved to" in outputs[0][0]
    metrics = json.loads((output_dir / "metrics.json").read_text())
    assert (metrics["epochs"], metrics["steps"]) == (2, 6)
    assert sorted(p.name for p in output_dir.glob("genc.*")) == ["genc.h5", "genc.keras"]
    assert not list(tmp_path.glob("cpc-worker-*"))


def test_multiworker_without_tf_config_is_one_line(converted_root):
    environment = {key: value for key, value in os.environ.items() if key != "TF_CONFIG"}
    result = subprocess.run(
        [sys.executable, "train.py", "--data-dir", str(converted_root), "--distribute", "multiworker"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "error: --distribute multiworker needs TF_CONFIG describing the cluster and this task"
    )
