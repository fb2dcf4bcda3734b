import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.ar_model import ar_model
from models.context_model import context_model
from models.encoder_spec import ConvLayerSpec, EncoderSpec, resolve_encoder_spec
from models.frame_geometry import FrameGeometry
from models.genc_model import genc_model
from models.model_file_error import ModelFileError

TINY_YAML = "conv_dims:\n  - [1, 4, 4, 2, 1, 1]\n  - [4, 4, 3, 1, 4, 2]\n  - [4, 3, 2, 2, 0, 1]\n  - 3\n"


def tiny_yaml_spec(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY_YAML)
    return resolve_encoder_spec(str(path))


def averaging_encoder(spec):
    """Encoder whose frames are positive weighted averages of their samples.

    With all-positive weights, zero biases and positive input the ReLUs are
    the identity, so a frame changes exactly when a sample it depends on
    changes.
    """
    model = genc_model(spec)
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv1D):
            kernel, bias = layer.get_weights()
            layer.set_weights([np.full_like(kernel, 1.0 / (kernel.shape[0] * kernel.shape[1])), np.zeros_like(bias)])
    return model


def changed_frames(model, num_samples, positions):
    """For each position, the frames that change when that sample changes."""
    audio = np.ones((1 + len(positions), num_samples), np.float32)
    for row, position in enumerate(positions, start=1):
        audio[row, position] = 2.0
    z = np.asarray(model(audio))
    difference = np.abs(z[1:] - z[:1]).max(axis=-1)
    return [set(np.flatnonzero(row > 1e-6).tolist()) for row in difference]


@pytest.mark.parametrize("name, num_samples", [("seed", 256 * 12), ("paper", 160 * 12), ("yaml", 64)])
def test_each_frame_depends_on_exactly_its_receptive_field(tmp_path, name, num_samples):
    spec = tiny_yaml_spec(tmp_path) if name == "yaml" else resolve_encoder_spec(name)
    model = averaging_encoder(spec)
    frames = spec.num_frames(num_samples)
    assert model(np.zeros((1, num_samples), np.float32)).shape == (1, frames, spec.dim_z)
    positions = [0, spec.hop - 1, spec.hop, spec.receptive_field, num_samples // 2 + 3, num_samples - 1]
    for position, changed in zip(positions, changed_frames(model, num_samples, positions), strict=True):
        expected = {
            j
            for j in range(frames)
            if spec.last_sample(j) - spec.receptive_field + 1 <= position <= spec.last_sample(j)
        }
        assert changed == expected, f"sample {position}"
        # Only the tail after the last frame of the YAML encoder is unused.
        assert changed or position > spec.last_sample(frames - 1)


@st.composite
def small_specs(draw):
    layers, channels = [], 1
    for _ in range(draw(st.integers(1, 3))):
        stride = draw(st.integers(1, 3))
        dilation = 1 if stride > 1 else draw(st.integers(1, 2))
        out = draw(st.integers(1, 3))
        # A kernel shorter than its stride skips samples: its receptive field is a span with holes,
        # where the first-tap and last-tap chains the test probes need not reach every end.
        kernel = draw(st.integers(stride, 5))
        layers.append(ConvLayerSpec(channels, out, kernel, stride, draw(st.integers(0, 5)), dilation))
        channels = out
    return EncoderSpec(layers=tuple(layers), dim_z=channels)


@settings(max_examples=20, deadline=None)
@given(spec=small_specs(), extra=st.integers(0, 40))
def test_declared_geometry_matches_any_built_encoder(spec, extra):
    num_samples = spec.receptive_field + spec.hop + extra
    frames = spec.num_frames(num_samples)
    model = averaging_encoder(spec)
    assert model(np.ones((1, num_samples), np.float32)).shape == (1, frames, spec.dim_z)
    geometry = FrameGeometry.of_encoder(model)
    assert (geometry.hop, geometry.receptive_field) == (spec.hop, spec.receptive_field)
    last = frames - 1
    end = spec.last_sample(last)
    start = end - spec.receptive_field + 1
    # The first and last samples of a receptive field are always reached
    # through the chain of first (last) kernel taps; their outer neighbours
    # never are.
    probes = [p for p in (start - 1, start, end, end + 1, end - spec.hop, end - spec.hop + 1) if 0 <= p < num_samples]
    for position, changed in zip(probes, changed_frames(model, num_samples, probes), strict=True):
        if position in (start - 1, start, end, end + 1):
            assert (last in changed) == (start <= position <= end)
        if frames > 1 and position in (end - spec.hop, end - spec.hop + 1):
            assert (last - 1 in changed) == (position == end - spec.hop)


@pytest.mark.parametrize("name", ["modified", "modified-small"])
def test_channel_norm_encoders_depend_on_exactly_their_receptive_field(name):
    spec = resolve_encoder_spec(name)
    keras.utils.set_random_seed(0)
    model = genc_model(spec)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("LayerNormalization") == kinds.count("ReLU") == len(spec.layers)
    num_samples = 12 * spec.hop
    frames = spec.num_frames(num_samples)
    audio = np.random.default_rng(1).normal(size=(1, num_samples)).astype(np.float32)
    positions = [0, spec.hop - 1, spec.hop, spec.receptive_field, num_samples // 2 + 3, num_samples - 1]
    perturbed = np.repeat(audio, len(positions) + 1, axis=0)
    for row, position in enumerate(positions, start=1):
        perturbed[row, position] += 1.0
    z = np.asarray(model(perturbed))
    assert z.shape == (len(positions) + 1, frames, spec.dim_z)
    # The channel norm leaves every frame with zero mean over channels before its ReLU.
    assert z.min() >= 0.0 and np.all(z.max(axis=-1) > 0)
    for row, position in enumerate(positions, start=1):
        changed = set(np.flatnonzero(np.abs(z[row] - z[0]).max(axis=-1) > 1e-6).tolist())
        expected = {
            j
            for j in range(frames)
            if spec.last_sample(j) - spec.receptive_field + 1 <= position <= spec.last_sample(j)
        }
        assert changed == expected, f"sample {position}"


def test_encoder_geometry_of_presets_yaml_and_foreign_encoders(tmp_path):
    presets = [resolve_encoder_spec(name) for name in ("seed", "paper", "modified", "modified-small")]
    for spec in (*presets, tiny_yaml_spec(tmp_path)):
        geometry = FrameGeometry.of_encoder(genc_model(spec))
        assert (geometry.hop, geometry.receptive_field) == (spec.hop, spec.receptive_field)
    foreign = keras.Sequential(
        [
            keras.Input((None,)),
            keras.layers.Reshape((-1, 1)),
            keras.layers.Conv1D(8, 4, strides=2, padding="causal"),
            keras.layers.LayerNormalization(),
            keras.layers.MaxPooling1D(2),
            keras.layers.Conv1D(4, 3, dilation_rate=2, padding="same"),
        ]
    )
    # hop 2 * 2; field 1 + 3 (conv) + 1 * 2 (pool) + 2 * 2 * 4 (dilated conv); first sample
    # -3 (causal conv) - 2 * 4 (half the dilated conv's span, "same" padding).
    assert FrameGeometry.of_encoder(foreign) == FrameGeometry(hop=4, receptive_field=22, first_sample=-11)


def test_encoder_geometry_rejects_non_encoders():
    spec = resolve_encoder_spec("seed")
    encoder, ar = genc_model(spec), ar_model(spec.dim_z)
    with pytest.raises(ModelFileError, match="layer 'gru' \\(GRU\\) is not a 1D convolution"):
        FrameGeometry.of_encoder(context_model(encoder, ar))
    with pytest.raises(ModelFileError, match="maps rank 3 to rank 3"):
        FrameGeometry.of_encoder(ar)
    dense_only = keras.Sequential([keras.Input((None,)), keras.layers.Reshape((-1, 1)), keras.layers.Dense(3)])
    with pytest.raises(ModelFileError, match="has no Conv1D layer"):
        FrameGeometry.of_encoder(dense_only)


RELOAD_SCRIPT = """
import json, sys
import keras, numpy as np
assert "models" not in sys.modules
audio = np.load("audio.npy")
outputs = {}
for path in ("genc.h5", "genc.keras", "gar.keras"):
    kwargs = {} if path.endswith(".h5") else {"safe_mode": True}
    model = keras.models.load_model(path, **kwargs)
    np.save(path + ".npy", np.asarray(model(audio)))
    outputs[path] = [type(layer).__module__.split(".")[0] for layer in model.layers]
print(json.dumps(outputs))
"""


@pytest.mark.parametrize("preset", ["seed", "modified-small"])
def test_saved_encoder_and_context_reload_in_a_fresh_process(tmp_path, preset):
    spec = resolve_encoder_spec(preset)
    encoder = genc_model(spec)
    context = context_model(
        encoder, ar_model(spec.dim_z, spec.default_dim_c, cell=spec.default_ar, layers=spec.default_ar_layers)
    )
    audio = np.random.default_rng(0).normal(size=(2, 3000)).astype(np.float32)
    np.save(tmp_path / "audio.npy", audio)
    encoder.save(tmp_path / "genc.h5")
    encoder.save(tmp_path / "genc.keras")
    context.save(tmp_path / "gar.keras")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-c", RELOAD_SCRIPT],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    modules = json.loads(result.stdout.strip().splitlines()[-1])
    assert all(module == "keras" for layers in modules.values() for module in layers)
    expected_z, expected_c = np.asarray(encoder(audio)), np.asarray(context(audio))
    assert expected_z.shape == (2, 11, spec.dim_z)
    np.testing.assert_allclose(np.load(tmp_path / "genc.h5.npy"), expected_z, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.load(tmp_path / "genc.keras.npy"), expected_z, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.load(tmp_path / "gar.keras.npy"), expected_c, rtol=1e-6, atol=1e-6)
    reloaded = keras.models.load_model(tmp_path / "genc.h5")
    assert FrameGeometry.of_encoder(reloaded) == FrameGeometry(256, 512, -256)
