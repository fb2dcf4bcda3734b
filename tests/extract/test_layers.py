"""`python -m extract --layers`: every layer's output, each at its own hop."""

import json
import pathlib

import numpy as np

from extract.__main__ import main


def test_every_layer_is_written_at_its_own_hop(audio_dir, audio_files, model_files, tmp_path):
    layers_out, c_out = tmp_path / "layers", tmp_path / "c"
    assert main([str(audio_dir), str(layers_out), "--model", str(model_files["gar"]), "--layers"]) == 0
    assert main([str(audio_dir), str(c_out), "--model", str(model_files["gar"])]) == 0
    described = json.loads((layers_out / "layers.json").read_text())["layers"]
    # The seed encoder: strides 8, 4, 4, 2; z is the last convolution's output, c sits on its frames.
    assert [(layer["name"], layer["hop"], layer["dim"]) for layer in described] == [
        ("conv_1", 8, 64),
        ("conv_2", 32, 64),
        ("conv_3", 128, 64),
        ("z", 256, 40),
        ("c", 256, 40),
    ]
    for relative, (samples, _, _) in audio_files.items():
        arrays = np.load(layers_out / pathlib.Path(relative).with_suffix(".npz"))
        assert sorted(arrays) == [f"layer_{index}" for index in range(5)]
        # No padding on the first three layers (frame j reads samples hop * j .. hop * (j + 1) - 1), causal
        # padding on the last: every layer gives samples // hop frames.
        for layer in described:
            assert arrays[f"layer_{layer['index']}"].shape == (samples // layer["hop"], layer["dim"])
        c = np.load(c_out / pathlib.Path(relative).with_suffix(".npy"))
        np.testing.assert_allclose(arrays["layer_4"], c, rtol=0, atol=1e-5)
