"""Every model file the toolkit writes loads in Keras's safe mode, and no code loads data unsafely.

Safe mode refuses the one Keras layer that holds Python bytecode (``Lambda``); pickles run code
when read, so nothing may read them.
"""

import ast
import pathlib

import keras
import numpy as np
import pytest

import kws_eval.kws_model  # noqa: F401  (registers the custom layers for loading)
from artefacts.atomic_files import save_model
from kws_eval.front_end import build_front_end, load_audio_encoder
from kws_eval.kws_model import kws_model, linear_kws_model
from kws_eval.kws_row import ROWS
from models.ar_model import ar_model
from models.context_model import context_model
from models.cpc_model_file import CpcModelFile
from models.encoder_spec import resolve_encoder_spec
from models.genc_model import genc_model
from models.model_file_error import ModelFileError
from models.time_step import flat_layers
from probes.feature_rows import load_feature_network
from probes.probe_config import ProbeConfig

REPO = pathlib.Path(__file__).resolve().parents[2]
NOT_SOURCE = {"tests", "outputs", "data"}
"""Top-level folders that hold no toolkit code (besides hidden ones): the tests may load what they like."""

UNPICKLERS = {"pickle", "_pickle", "cPickle", "dill", "joblib", "cloudpickle", "shelve", "marshal"}
UNSAFE_YAML = {"load", "load_all", "full_load", "full_load_all", "unsafe_load", "unsafe_load_all"}
EXTRACTORS = {"extractall", "unpack_archive", "get_file"}
"""Archive extraction, which would need a check that no member lands outside the target."""

MODEL_FILES = ["genc.h5", "genc.keras", "gar.keras", "logmel.keras", "cpc_ft.keras", "cpc_linear.keras"]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Each kind of model file the toolkit writes, saved as it saves them: name → (path, model)."""
    folder = tmp_path_factory.mktemp("models")
    spec = resolve_encoder_spec("seed")
    keras.utils.set_random_seed(0)
    encoder = genc_model(spec)
    models = {
        # train.py (pretraining/cpc_pretraining.py)
        "genc.h5": encoder,
        "genc.keras": encoder,
        "gar.keras": context_model(encoder, ar_model(spec.dim_z, dim_c=6)),
        # python -m kws_eval (kws_eval/row_training.py): <row>.keras
        "logmel.keras": kws_model(build_front_end(ROWS["logmel"], None), 3, "image", (4, 8, 16)),
        "cpc_ft.keras": kws_model(build_front_end(ROWS["cpc_ft"], encoder), 3, "temporal", (4, 8, 16)),
        "cpc_linear.keras": linear_kws_model(
            build_front_end(ROWS["cpc_linear"], encoder), np.zeros(40), np.ones(40), np.ones((40, 3)), np.zeros(3)
        ),
    }
    for name, model in models.items():
        save_model(model, folder / name)
    return {name: (folder / name, model) for name, model in models.items()}


@pytest.fixture(scope="module")
def with_lambda(tmp_path_factory):
    """An audio → features model holding a Lambda layer, as .keras and .h5 files."""
    folder = tmp_path_factory.mktemp("lambda")
    audio = keras.Input((None,), name="audio")
    frames = keras.layers.Lambda(lambda samples: samples[..., None])(audio)
    model = keras.Model(audio, keras.layers.Conv1D(4, 16, strides=8)(frames))
    paths = [folder / "lambda.keras", folder / "lambda.h5"]
    for path in paths:
        model.save(path)
    return paths


@pytest.mark.parametrize("name", MODEL_FILES)
def test_every_written_model_loads_in_safe_mode_with_the_same_outputs(written, name):
    path, model = written[name]
    loaded = keras.models.load_model(path, safe_mode=True)
    # .h5 files are read by Keras's legacy loader: no Lambda layer means nothing to unmarshal.
    assert not [layer.name for layer in flat_layers(loaded) if isinstance(layer, keras.layers.Lambda)]
    audio = np.random.default_rng(0).uniform(-0.5, 0.5, (2, 16000)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(loaded(audio)), np.asarray(model(audio)), rtol=1e-5, atol=1e-5)


def test_the_toolkits_loaders_read_the_written_models(written):
    for name in ("genc.h5", "genc.keras", "gar.keras"):
        assert CpcModelFile.load(written[name][0]).spec.hop == 256
    assert load_audio_encoder(written["genc.h5"][0]).output_shape == (None, None, 40)
    _, geometry = load_feature_network(ProbeConfig(model=written["gar.keras"][0]))
    assert geometry.hop == 256


def test_every_loader_refuses_a_model_holding_python_code(with_lambda):
    for path in with_lambda:
        with pytest.raises(ModelFileError, match=rf"{path.name}: not a loadable Keras model \(.*Lambda"):
            CpcModelFile.load(path)
        with pytest.raises(ModelFileError, match=rf"{path.name}: not a loadable Keras model \(.*Lambda"):
            load_audio_encoder(path)
        with pytest.raises(ModelFileError, match=rf"{path.name}: cannot load a Keras model \(.*Lambda"):
            load_feature_network(ProbeConfig(model=path))


def unsafe_loads(source: str) -> list[str]:
    """``line: what`` for every unsafe load in Python source, found on its syntax tree."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                if module.split(".")[0] in UNPICKLERS:
                    found.append(f"{node.lineno}: imports {module}")
            if isinstance(node, ast.ImportFrom) and node.module == "numpy" and "load" in {a.name for a in node.names}:
                found.append(f"{node.lineno}: imports numpy's load (call np.load with allow_pickle=False)")
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        owner = getattr(function.value, "id", "") if isinstance(function, ast.Attribute) else ""
        keywords = {keyword.arg: keyword.value for keyword in node.keywords}
        if (name == "load_model" or "safe_mode" in keywords) and not _is_constant(keywords.get("safe_mode"), True):
            found.append(f"{node.lineno}: {name} without safe_mode=True")
        if name == "load" and owner in ("np", "numpy") and not _is_constant(keywords.get("allow_pickle"), False):
            found.append(f"{node.lineno}: np.load without allow_pickle=False")
        if name in UNSAFE_YAML and owner == "yaml":
            found.append(f"{node.lineno}: yaml.{name} (use yaml.safe_load)")
        if name == "enable_unsafe_deserialization":
            found.append(f"{node.lineno}: enables Keras's unsafe deserialization")
        if name in EXTRACTORS:
            found.append(f"{node.lineno}: {name} extracts an archive")
    return found


def _is_constant(node: ast.expr | None, value: bool) -> bool:
    return isinstance(node, ast.Constant) and node.value is value


def test_no_toolkit_module_loads_unsafely():
    sources = []
    for top in sorted(REPO.iterdir()):
        if top.name not in NOT_SOURCE and not top.name.startswith("."):
            sources.extend(top.rglob("*.py") if top.is_dir() else [top] if top.suffix == ".py" else [])
    assert len(sources) > 50 and REPO / "models" / "cpc_model_file.py" in sources
    found = [f"{path.relative_to(REPO)}:{finding}" for path in sources for finding in unsafe_loads(path.read_text())]
    assert not found


def test_the_source_check_reads_code_not_text():
    unsafe = """
import pickle
import joblib.numpy_pickle
from dill import loads
from numpy import load
keras.models.load_model(path)
load_model(path, compile=False)
keras.saving.load_model(path, safe_mode=False)
keras.models.load_model(path, safe_mode=flag)
np.load(path)
numpy.load(path, allow_pickle=True)
yaml.load(text)
keras.config.enable_unsafe_deserialization()
tarfile.open(path).extractall(target)
"""
    assert [int(finding.split(":")[0]) for finding in unsafe_loads(unsafe)] == list(range(2, 15))
    safe = '''
# import pickle; keras.models.load_model(path); np.load(path)
"""np.load(path) and pickle.load(handle) in a docstring"""
keras.models.load_model(path, compile=False, safe_mode=True)
np.load(path, allow_pickle=False)
yaml.safe_load(text)
zipfile.is_zipfile(path)
'''
    assert unsafe_loads(safe) == []
