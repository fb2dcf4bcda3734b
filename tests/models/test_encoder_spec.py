import pytest

from models.encoder_spec import (
    PRESETS_DIR,
    ConvLayerSpec,
    EncoderSpec,
    EncoderSpecError,
    resolve_encoder_spec,
)

VALID_ROWS = "  - [1, 16, 4, 2, 2, 1]\n  - [16, 8, 3, 1, 2, 1]\n  - 8\n"


@pytest.mark.parametrize(
    "name, hop, receptive_field, frames_per_second, dim_z, dim_c, pred_steps, depth",
    [
        ("seed", 256, 512, 62, 40, 40, 10, 4),
        ("paper", 160, 465, 100, 512, 256, 12, 5),
    ],
)
def test_presets_declare_their_geometry(name, hop, receptive_field, frames_per_second, dim_z, dim_c, pred_steps, depth):
    spec = resolve_encoder_spec(name)
    assert spec == EncoderSpec.from_yaml(PRESETS_DIR / f"{name}.yaml")
    assert len(spec.layers) == depth
    assert (spec.hop, spec.receptive_field) == (hop, receptive_field)
    assert spec.num_frames(16000) == frames_per_second
    assert (spec.dim_z, spec.default_dim_c, spec.default_pred_steps) == (dim_z, dim_c, pred_steps)
    # padding = kernel - stride: frame j ends at sample (j + 1) * hop - 1.
    assert [spec.last_sample(j) for j in (0, 1, 7)] == [hop - 1, 2 * hop - 1, 8 * hop - 1]
    assert all(layer.padding == layer.kernel_size - layer.stride for layer in spec.layers)


def test_seed_preset_layers_match_the_reference():
    spec = resolve_encoder_spec("seed")
    assert [layer.out_channels for layer in spec.layers] == [64, 64, 64, 40]
    assert [layer.kernel_size for layer in spec.layers] == [8, 4, 4, 4]
    assert [layer.stride for layer in spec.layers] == [8, 4, 4, 2]


def test_dim_z_override_changes_only_the_last_layer():
    base = resolve_encoder_spec("paper")
    spec = resolve_encoder_spec("paper", dim_z=64)
    assert spec.dim_z == 64
    assert spec.layers[-1].out_channels == 64
    assert spec.layers[:-1] == base.layers[:-1]
    assert (spec.hop, spec.receptive_field) == (base.hop, base.receptive_field)
    assert base.with_dim_z(64) == spec


def test_general_geometry_of_a_yaml_encoder(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text("conv_dims:\n  - [1, 4, 4, 2, 1, 1]\n  - [4, 4, 3, 1, 4, 2]\n  - [4, 3, 2, 2, 0, 1]\n  - 3\n")
    spec = resolve_encoder_spec(str(path))
    assert spec.hop == 4
    # 1 + (4 - 1) * 1 + (3 - 1) * 2 * 2 + (2 - 1) * 1 * 2
    assert spec.receptive_field == 14
    # Layer 1 pads one sample less than kernel - stride, so frames end one
    # sample later than (j + 1) * hop - 1 and 40 samples give 9 frames, not 10.
    assert spec.last_sample(0) == 4
    assert spec.last_sample(5) == 24
    assert spec.num_frames(40) == 9
    assert spec.num_frames(3) == 0
    assert (spec.default_dim_c, spec.default_pred_steps) == (40, 10)


def test_optional_model_defaults_are_read(tmp_path):
    path = tmp_path / "defaults.yaml"
    path.write_text("conv_dims:\n" + VALID_ROWS + "dim_c: 32\npred_steps: 4\n")
    spec = EncoderSpec.from_yaml(path)
    assert (spec.default_dim_c, spec.default_pred_steps) == (32, 4)


@pytest.mark.parametrize(
    "text, message",
    [
        ("conv_dims: [[1, 16, 4, 2, 2, 1], 16", "invalid YAML"),
        ("- [1, 16, 4, 2, 2, 1]\n- 16\n", "missing the 'conv_dims' key"),
        ("layers:\n" + VALID_ROWS, "missing the 'conv_dims' key"),
        ("conv_dims:\n" + VALID_ROWS + "dim_cc: 3\n", "unknown key(s) dim_cc"),
        ("conv_dims:\n  - 8\n", "at least one layer row"),
        ("conv_dims:\n  - [1, 16, 4, 2, 2, 1]\n  - [16, 8, 3, 1, 2]\n  - 8\n", "row 2 must be 6 integers"),
        ("conv_dims:\n  - [1, 16, 4.5, 2, 2, 1]\n  - 16\n", "row 1 must be 6 integers"),
        ("conv_dims:\n  - [1, 16, 0, 2, 2, 1]\n  - 16\n", "row 1: kernel_size must be a positive integer"),
        ("conv_dims:\n  - [1, 16, 4, 2, -1, 1]\n  - 16\n", "row 1: padding must be a non-negative integer"),
        (
            "conv_dims:\n  - [2, 16, 4, 2, 2, 1]\n  - 16\n",
            "layer 1 takes 2 input channels but the waveform has 1",
        ),
        (
            "conv_dims:\n  - [1, 16, 4, 2, 2, 1]\n  - [12, 8, 3, 1, 2, 1]\n  - 8\n",
            "layer 2 takes 12 input channels but the previous layer gives 16",
        ),
        (
            "conv_dims:\n  - [1, 16, 4, 2, 2, 1]\n  - 32\n",
            "last layer outputs 16 channels but the output dim is 32",
        ),
        (
            "conv_dims:\n  - [1, 16, 4, 2, 2, 1]\n  - [1, 16]\n",
            "the last conv_dims item must be the output dim",
        ),
        (
            "conv_dims:\n  - [1, 16, 4, 2, 2, 2]\n  - 16\n",
            "row 1: stride 2 together with dilation 2 is not supported by Keras Conv1D",
        ),
    ],
)
def test_yaml_errors_name_the_file_and_the_problem(tmp_path, text, message):
    path = tmp_path / "encoder.yaml"
    path.write_text(text)
    with pytest.raises(EncoderSpecError) as caught:
        resolve_encoder_spec(str(path))
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_and_unreadable_files(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(EncoderSpecError, match="nope.yaml: no such encoder spec file"):
        resolve_encoder_spec(str(missing))
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00conv")
    with pytest.raises(EncoderSpecError, match="binary.yaml: cannot read encoder spec"):
        EncoderSpec.from_yaml(binary)


def test_unknown_preset_and_bad_dim_z():
    with pytest.raises(EncoderSpecError, match="'large': not a preset"):
        resolve_encoder_spec("large")
    with pytest.raises(EncoderSpecError, match="dim_z must be a positive integer"):
        resolve_encoder_spec("seed", dim_z=0)


def test_dataclasses_validate_directly():
    with pytest.raises(EncoderSpecError, match="stride 4 together with dilation 2"):
        ConvLayerSpec(1, 8, 3, 4, 0, 2)
    with pytest.raises(EncoderSpecError, match="at least one conv layer"):
        EncoderSpec(layers=(), dim_z=8)
    assert EncoderSpec(layers=[ConvLayerSpec(1, 8, 3, 1, 2)], dim_z=8).layers == (ConvLayerSpec(1, 8, 3, 1, 2, 1),)


def _brute_force_samples_for_frames(spec, frames):
    samples = 1
    while spec.num_frames(samples) < frames:
        samples += 1
    return samples


@pytest.mark.parametrize("name", ["seed", "paper", "modified-small"])
@pytest.mark.parametrize("frames", [1, 2, 7, 16])
def test_samples_for_frames_is_the_fewest_samples_giving_that_many_frames(name, frames):
    spec = resolve_encoder_spec(name)
    assert spec.samples_for_frames(frames) == _brute_force_samples_for_frames(spec, frames)


def test_samples_for_frames_of_an_unpadded_dilated_encoder_and_a_large_count(tmp_path):
    path = tmp_path / "dilated.yaml"
    path.write_text("conv_dims:\n  - [1, 4, 5, 3, 0, 1]\n  - [4, 4, 3, 1, 1, 3]\n  - 4\n")
    spec = EncoderSpec.from_yaml(path)
    assert [spec.samples_for_frames(frames) for frames in (1, 2, 3)] == [
        _brute_force_samples_for_frames(spec, frames) for frames in (1, 2, 3)
    ]
    # 10^8 frames in closed form: the brute force would need billions of steps.
    samples = spec.samples_for_frames(10**8)
    assert spec.num_frames(samples) == 10**8 and spec.num_frames(samples - 1) == 10**8 - 1


def test_a_hop_past_one_second_is_refused(tmp_path):
    path = tmp_path / "long_hop.yaml"
    path.write_text("conv_dims:\n  - [1, 4, 200, 200, 0, 1]\n  - [4, 4, 100, 100, 0, 1]\n  - 4\n")
    with pytest.raises(EncoderSpecError, match="the strides multiply to a hop of 20000 samples, more than 16000"):
        EncoderSpec.from_yaml(path)
