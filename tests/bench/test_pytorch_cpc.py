"""The PyTorch reference of the CPC train step: its architecture, its environment and, inside
that environment, its loss, its causality and its worker."""

import ast
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import yaml

from bench.pytorch_cpc import environment
from bench.pytorch_cpc.architecture import architecture

REPO = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = REPO / "bench" / "pytorch_cpc"
WORKER_MODULES = ("__init__", "__main__", "channel_norm", "cpc_encoder", "cpc_model")
TINY = {
    "conv_dims": [[1, 4, 4, 2, 2, 1], [4, 6, 4, 2, 2, 1]],
    "dim_z": 6,
    "norm": "channel",
    "activate_last": True,
    "ar": "gru",
    "ar_layers": 1,
    "dim_c": 5,
    "pred_steps": 3,
    "num_neg": 4,
    "t_skip": 2,
}
"""A model small enough to check by hand: 80 samples give 20 frames, 15 of them scored."""

# Run by the environment's Python: dumps what the test checks with numpy.
TORCH_SIDE = """
import json, sys
import numpy as np
import torch
from bench.pytorch_cpc.cpc_model import CPCModel

tiny, paper, modified, out = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
torch.manual_seed(0)
model = CPCModel(tiny)
audio = torch.rand((2, 80), generator=torch.Generator().manual_seed(1)) * 2 - 1
z, c = model(audio)
negatives = model.sample_negatives(2, z.shape[1], torch.Generator().manual_seed(2))
arrays = {
    "z": z, "c": c, "negatives": negatives, "loss": model.infonce(z, c, negatives),
    "weights": torch.stack([p.weight for p in model.predictors]),
    "biases": torch.stack([p.bias for p in model.predictors]),
}
audio = torch.rand((2, 3200), generator=torch.Generator().manual_seed(3)) * 2 - 1
changed = audio.clone()
changed[:, 1600:] = torch.rand((2, 1600), generator=torch.Generator().manual_seed(4))
for name, sizes in (("paper", paper), ("modified", modified)):
    model = CPCModel(sizes)
    for which, signal in (("clean", audio), ("changed", changed)):
        arrays[f"{name}_{which}_z"], arrays[f"{name}_{which}_c"] = model(signal)
np.savez(out, **{name: value.detach().numpy() for name, value in arrays.items()})
"""


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("paper", {"norm": "none", "activate_last": False, "ar": "gru", "ar_layers": 1, "num_neg": 10}),
        ("modified", {"norm": "channel", "activate_last": True, "ar": "lstm", "ar_layers": 2, "num_neg": 128}),
    ],
)
def test_the_architecture_is_the_presets(preset, expected):
    document = yaml.safe_load((REPO / "models" / "presets" / f"{preset}.yaml").read_text())
    sizes = architecture(preset)
    assert sizes["conv_dims"] == document["conv_dims"][:-1]
    assert sizes["conv_dims"][0] == [1, document["conv_dims"][-1], 10, 5, 5, 1]
    assert sizes["dim_z"] == document["conv_dims"][-1]
    assert (sizes["dim_c"], sizes["pred_steps"], sizes["t_skip"]) == (document["dim_c"], 12, 5)
    assert {key: sizes[key] for key in expected} == expected
    assert json.loads(json.dumps(sizes)) == sizes


def test_the_worker_imports_only_torch_numpy_and_the_standard_library():
    allowed = {"torch", "numpy", *sys.stdlib_module_names}
    for module in WORKER_MODULES:
        path = PACKAGE / f"{module}.py"
        for node in ast.walk(ast.parse(path.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module]
            for name in names:
                inside = name.startswith("bench.pytorch_cpc.") and name.rsplit(".", 1)[1] in WORKER_MODULES
                assert inside or name.split(".")[0] in allowed, f"{path.name} imports {name}"


def test_our_side_of_it_needs_no_tensorflow():
    check = "import sys, bench.pytorch_cpc.architecture, bench.pytorch_cpc.environment; print(sorted(sys.modules))"
    modules = subprocess.run([sys.executable, "-c", check], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert "'bench.pytorch_cpc.architecture'" in modules
    assert "tensorflow" not in modules and "keras" not in modules


def test_the_environment_is_installed_again_only_when_its_requirements_are_newer(tmp_path, monkeypatch):
    venv, commands = tmp_path / "venv", []

    def run(command, **_):
        commands.append(command[1:3])
        if command[1:3] == ["-m", "venv"]:
            (venv / "bin").mkdir(parents=True)
            (venv / "bin" / "python").touch()

    monkeypatch.setattr(environment.subprocess, "run", run)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("torch==2.13.0\n")
    assert environment.torch_python(venv, requirements) == venv / "bin" / "python"
    assert commands == [["-m", "venv"], ["-m", "pip"]]
    environment.torch_python(venv, requirements)
    assert len(commands) == 2
    newer = (venv / ".installed").stat().st_mtime + 10
    os.utime(requirements, (newer, newer))
    environment.torch_python(venv, requirements)
    assert commands[2:] == [["-m", "pip"]]


@pytest.mark.slow
def test_in_its_environment_the_reference_scores_as_numpy_is_causal_and_times_steps(tmp_path):
    python = environment.torch_python(tmp_path / "venv-torch")
    script = tmp_path / "torch_side.py"
    script.write_text(TORCH_SIDE)
    sizes = [json.dumps(TINY), json.dumps(architecture("paper")), json.dumps(architecture("modified"))]
    environ = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([python, script, *sizes, tmp_path / "out.npz"], check=True, cwd=REPO, env=environ)
    arrays = np.load(tmp_path / "out.npz")

    z, c, negatives = arrays["z"].astype(np.float64), arrays["c"].astype(np.float64), arrays["negatives"]
    steps, pred_steps = negatives.shape[1:3]
    t = TINY["t_skip"] + np.arange(steps)
    predictions = np.einsum("kdc,bsc->bskd", arrays["weights"], c[:, t]) + arrays["biases"]
    positives = np.broadcast_to(t[:, None] + np.arange(1, pred_steps + 1), negatives.shape[:3])[..., None]
    candidates = np.concatenate([positives, negatives], axis=-1)
    vectors = z[np.arange(len(z))[:, None, None, None], candidates]
    logits = np.einsum("bskd,bsknd->bskn", predictions, vectors)
    peak = logits.max(axis=-1, keepdims=True)
    expected = np.mean(np.log(np.exp(logits - peak).sum(axis=-1)) + peak[..., 0] - logits[..., 0])
    np.testing.assert_allclose(arrays["loss"], expected, rtol=1e-5)

    # Samples from 1600 on changed: with hop 160, frames 0-9 end before them and frame 10 covers them.
    for name in ("paper", "modified"):
        for output in ("z", "c"):
            clean, changed = arrays[f"{name}_clean_{output}"], arrays[f"{name}_changed_{output}"]
            np.testing.assert_allclose(changed[:, :10], clean[:, :10], atol=1e-6, err_msg=f"{name} {output}")
            assert np.abs(changed[:, 10] - clean[:, 10]).max() > 1e-4, f"{name} {output}"

    worker = subprocess.run(
        [python, "-m", "bench.pytorch_cpc", "--architecture", json.dumps(TINY), "--batch-size", "2"]
        + ["--window", "800", "--steps", "1", "--repeats", "1", "--threads", "1"],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=environ,
    )
    rates = json.loads(worker.stdout.splitlines()[-1])
    assert len(rates) == 1 and rates[0] > 0
