"""Writing a trained ``gar.keras`` as a preset folder, the keras-hub layout.

``config.json`` (architecture and frame geometry), ``model.weights.h5``, ``preprocessor.json`` (what
`models.cpc_features.CPCFeatures` does to raw waveforms) and ``metadata.json`` (training data, steps,
final accuracy per prediction step, toolkit version and git commit, read from the files `train.py` writes
beside the model where they are there).
"""

import pathlib

import keras

from artefacts.atomic_files import save_weights, write_json
from artefacts.folder_lock import FolderLock
from export.toolkit_version import TOOLKIT_VERSION
from models.audio_feature_model import AudioFeatureModel
from models.cpc_features import (
    CONFIG_FILE,
    METADATA_FILE,
    PREPROCESSOR_FILE,
    WEIGHTS_FILE,
    preprocessor_config,
    read_json,
)
from models.layer_outputs import LayerOutputs
from models.preset_architecture import PresetArchitecture
from models.preset_error import PresetError

PRESET_FORMAT_VERSION = 1
_RESOLVED_KEY = "resolved"
"""Where ``config.json`` of a run keeps the settings as resolved (`pretraining.config_file.RESOLVED_KEY`)."""


def export_preset(model_path: pathlib.Path, output_dir: pathlib.Path) -> list[pathlib.Path]:
    """Writes the preset folder of a ``gar.keras``.

    Args:
        model_path: The model, e.g. ``outputs/gar.keras``; its folder's ``config.json``, ``metrics.json``
            and ``run.json`` go into ``metadata.json`` where present.
        output_dir: The preset folder, created if missing; only the four preset files are (re)written.

    Returns:
        The files written.

    Raises:
        ModelFileError: The model file is missing or not an audio → features model.
        PresetError: The model is not what `train.py` builds, a run file beside it is not readable
            JSON, or ``output_dir`` is not a folder.
        FolderLockedError: Another command is writing into ``output_dir``.
    """
    model_path, output_dir = pathlib.Path(model_path), pathlib.Path(output_dir)
    feature_model = AudioFeatureModel.load(model_path, subject=f"--model {model_path}")
    architecture = PresetArchitecture.of_model(feature_model.model, feature_model.subject)
    layers = LayerOutputs.of(feature_model)
    metadata = _metadata(model_path)
    if output_dir.exists() and not output_dir.is_dir():
        raise PresetError(f"{output_dir}: exists and is not a folder")
    rebuilt = architecture.build()
    rebuilt.set_weights(feature_model.model.get_weights())
    paths = [output_dir / name for name in (CONFIG_FILE, WEIGHTS_FILE, PREPROCESSOR_FILE, METADATA_FILE)]
    with FolderLock(output_dir):
        write_json(paths[0], _config(architecture, layers))
        save_weights(rebuilt, paths[1])
        write_json(paths[2], preprocessor_config())
        write_json(paths[3], metadata)
    return paths


def _config(architecture: PresetArchitecture, layers: LayerOutputs) -> dict:
    z = layers.geometries[layers.names.index("z")]
    return {
        "format": "cpc-preset",
        "format_version": PRESET_FORMAT_VERSION,
        **architecture.to_json(),
        "hop": z.hop,
        "receptive_field": z.receptive_field,
        "first_sample": z.first_sample,
        "dim_z": architecture.spec.dim_z,
        "dim_c": architecture.dim_c,
        "keras_version": keras.__version__,
        "hidden_states": [
            {
                "name": name,
                "hop": geometry.hop,
                "receptive_field": geometry.receptive_field,
                "first_sample": geometry.first_sample,
                "dim": dim,
            }
            for name, geometry, dim in zip(layers.names, layers.geometries, layers.dims())
        ],
    }


def _metadata(model_path: pathlib.Path) -> dict:
    """What the run beside the model recorded; None for what it did not."""
    run_files = {name: model_path.parent / f"{name}.json" for name in ("config", "metrics", "run")}
    config, metrics, run = (read_json(path) if path.is_file() else {} for path in run_files.values())
    resolved = config.get(_RESOLVED_KEY, {})
    return {
        "toolkit_version": TOOLKIT_VERSION,
        "git": run.get("git"),
        "source_model": str(model_path),
        "training_data": {
            "data": config.get("data"),
            "train_splits": resolved.get("train_splits"),
            "val_utterances": resolved.get("val_utterances"),
            "manifests": run.get("data"),
        },
        "steps": metrics.get("steps"),
        "epochs": metrics.get("epochs"),
        "stopped_by": metrics.get("stopped_by"),
        "val_accuracy_per_step": metrics.get("val_accuracy_per_step"),
        "train_accuracy_per_step": metrics.get("train_accuracy_per_step"),
        "chance_accuracy": metrics.get("chance_accuracy"),
    }
