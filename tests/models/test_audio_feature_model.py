"""Tests of the one model-file contract: audio (batch, samples) → features (batch, frames, dim)."""

import ast
import pathlib

import keras
import numpy as np
import pytest
import soundfile

from extract.__main__ import main as extract_main
from kws_eval.front_end import load_audio_encoder
from models.ar_model import ar_model
from models.audio_feature_model import AudioFeatureModel
from models.context_model import context_model
from models.encoder_spec import resolve_encoder_spec
from models.frame_geometry import FrameGeometry
from models.genc_model import genc_model
from models.model_file_error import ModelFileError
from probes.feature_rows import load_feature_network
from probes.probe_config import ProbeConfig
from streaming.__main__ import main as streaming_main

REPO = pathlib.Path(__file__).resolve().parents[2]
EVALUATION_PACKAGES = ("kws_eval", "probes", "extract", "streaming")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """genc.h5 and gar.keras of the seed preset, and files that are no audio → features model."""
    folder = tmp_path_factory.mktemp("model_files")
    keras.utils.set_random_seed(0)
    encoder = genc_model(resolve_encoder_spec("seed"))
    encoder.save(folder / "genc.h5")
    context_model(encoder, ar_model(40, 8)).save(folder / "gar.keras")
    (folder / "text.h5").write_text("not a model")
    (folder / "text.keras").write_text("not a model")
    dense = keras.Input((10,))
    keras.Model(dense, keras.layers.Dense(3)(dense)).save(folder / "dense.keras")
    frames = keras.Input((None, 40))
    keras.Model(frames, keras.layers.GRU(4, return_sequences=True)(frames)).save(folder / "frames.keras")
    return folder


def test_genc_h5_geometry_is_read_off_its_layers(files):
    loaded = AudioFeatureModel.load(files / "genc.h5")
    # Seed preset rows [in, out, kernel, stride, padding]: [1, 64, 8, 8, 0], [64, 64, 4, 4, 0],
    # [64, 64, 4, 4, 0], [64, 40, 4, 2, 2]. Hop 8 * 4 * 4 * 2; field 1 + 7 + 3 * 8 + 3 * 32 +
    # 3 * 128; frame 0 starts 2 frames of 128 samples before the audio (the last layer's padding).
    assert loaded.geometry == FrameGeometry(hop=256, receptive_field=512, first_sample=-256)
    assert loaded.is_encoder and loaded.dim == 40 and loaded.subject == str(files / "genc.h5")
    spec = resolve_encoder_spec("seed")
    assert (loaded.geometry.hop, loaded.geometry.receptive_field) == (spec.hop, spec.receptive_field)
    # The file stays a plain Keras model.
    assert keras.models.load_model(files / "genc.h5").output_shape == (None, None, 40)


def test_paper_encoder_geometry_has_the_10_ms_hop(tmp_path):
    genc_model(resolve_encoder_spec("paper")).save(tmp_path / "genc.h5")
    # Strides 5, 4, 2, 2, 2 and kernels 10, 8, 4, 4, 4, each padded kernel - stride on the left.
    hop = 5 * 4 * 2 * 2 * 2
    field = 1 + 9 + 7 * 5 + 3 * 20 + 3 * 40 + 3 * 80
    first = -(5 + 4 * 5 + 2 * 20 + 2 * 40 + 2 * 80)
    assert (hop, field, first) == (160, 465, -305)
    assert AudioFeatureModel.load(tmp_path / "genc.h5").geometry == FrameGeometry(hop, field, first)


def test_an_encoder_and_gru_sits_on_the_frames_of_its_nested_encoder(files):
    loaded = AudioFeatureModel.load(files / "gar.keras", "--model gar.keras")
    assert not loaded.is_encoder and loaded.encoder.name == "genc" and loaded.dim == 8
    assert loaded.geometry == FrameGeometry(256, 512, -256)
    assert loaded.geometry.centres(2).tolist() == [-0.5, 255.5]


@pytest.mark.parametrize("name", ["text.h5", "text.keras"])
def test_a_file_that_is_no_model_raises_the_one_error_in_one_line(files, name):
    with pytest.raises(ModelFileError) as error:
        AudioFeatureModel.load(files / name, f"--model {files / name}")
    assert error.value.problem == ModelFileError.UNLOADABLE
    assert str(error.value).startswith(f"--model {files / name}: not a loadable Keras model (")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    "name, message",
    [
        ("dense.keras", "maps (None, 10) to (None, 3)"),
        ("frames.keras", "maps (None, None, 40) to (None, None, 4)"),
    ],
)
def test_a_model_of_the_wrong_ranks_is_refused(files, name, message):
    with pytest.raises(ModelFileError) as error:
        AudioFeatureModel.load(files / name)
    assert str(error.value) == (
        f"{files / name}: not an audio → features model: it {message}, "
        "expected (batch, samples) of any length to (batch, frames, features)"
    )


def test_a_fixed_length_is_accepted_only_where_asked():
    audio = keras.Input((16000,))
    model = keras.Model(audio, keras.layers.Conv1D(2, 400, strides=160)(keras.layers.Reshape((-1, 1))(audio)))
    assert AudioFeatureModel.from_model(model, samples=16000).geometry == FrameGeometry(160, 400, 0)
    with pytest.raises(ModelFileError, match=r"^model: not an audio → features model: it maps \(None, 16000\)"):
        AudioFeatureModel.from_model(model)


def test_rewording_keeps_the_detail():
    error = ModelFileError("genc.h5", ModelFileError.UNLOADABLE, " (OSError: truncated)")
    reworded = error.reworded("--encoder genc.h5", {ModelFileError.UNLOADABLE: "cannot load a Keras model"})
    assert str(reworded) == "--encoder genc.h5: cannot load a Keras model (OSError: truncated)"
    assert str(error.reworded()) == str(error)


def _wav_folder(folder: pathlib.Path) -> pathlib.Path:
    audio = folder / "audio"
    audio.mkdir(exist_ok=True)
    soundfile.write(audio / "a.wav", np.zeros(1600, np.int16), 16000, subtype="PCM_16")
    return audio


def _loaders(tmp_path, capsys):
    """Each evaluation's way in, from a path to None (accepted) or its one-line error (refused)."""

    def kws(path):
        load_audio_encoder(path)

    def probes(path):
        load_feature_network(ProbeConfig(model=path, features="z"))

    def command(main, arguments):
        capsys.readouterr()
        if main(arguments) != 0:
            message = capsys.readouterr().err.strip()
            assert message.startswith("error: ") and "\n" not in message
            raise ModelFileError("command", message)

    def extract(path):
        command(extract_main, [str(_wav_folder(tmp_path)), str(tmp_path / "features"), "--model", str(path)])

    def streaming(path):
        command(streaming_main, ["export", "--model", str(path), "--output-dir", str(tmp_path / "export")])

    return {"kws": kws, "probes": probes, "extract": extract, "streaming": streaming}


@pytest.mark.parametrize("name", ["genc.h5", "gar.keras", "text.h5", "text.keras", "dense.keras", "frames.keras"])
def test_every_evaluation_accepts_and_refuses_the_same_files(files, tmp_path, capsys, name):
    expected_error = None
    try:
        AudioFeatureModel.load(files / name)
    except ModelFileError as error:
        expected_error = error
    for evaluation, load in _loaders(tmp_path, capsys).items():
        if expected_error is None:
            load(files / name)
            continue
        with pytest.raises(ModelFileError) as error:
            load(files / name)
        assert str(files / name) in str(error.value), evaluation
        # Up to the input lengths allowed, which the keyword-spotting clips fix.
        assert expected_error.detail.split(", expected")[0] in str(error.value), evaluation


def test_no_evaluation_loads_a_model_file_but_through_the_one_loader():
    callers = []
    for package in EVALUATION_PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                function = getattr(node, "func", None)
                name = getattr(function, "attr", None) or getattr(function, "id", None)
                if isinstance(node, ast.Call) and name == "load_model":
                    callers.append(str(path.relative_to(REPO)))
    assert callers == []
