"""Exporting the streaming model of a trained file as a SavedModel and a TFLite file.

Layout of the output folder:

* `saved_model/`: `tf.saved_model.load(...)` gives `initial_state()` and
  `step(chunk, state)`; signatures `serving_default` (flat, named tensors) and
  `initial_state`.
* `streaming.tflite`: the `serving_default` signature (the TFLite file has no
  `initial_state`: every initial state tensor is a constant, listed in the metadata).
* `streaming.json`: features, sizes, hop, receptive field, chunk length and every
  state tensor's shape, dtype and initial value.

Each artefact is written under a temporary name and renamed when complete; `saved_model/`
is swapped with the old one in a single step.
"""

import ctypes
import dataclasses
import errno
import json
import os
import pathlib
import shutil
import warnings

import numpy as np
import tensorflow as tf

from artefacts.atomic_files import flush_folder_entries, flush_to_disk, naming_path, replace_durably
from artefacts.folder_lock import FolderLock
from cli.error_lines import first_line
from librispeech.audio_file import SAMPLE_RATE
from models.cpc_model_file import CpcModelFile
from models.streaming_context_model import StreamingContextModel
from models.streaming_error import StreamingError
from streaming.streaming_export_config import StreamingExportConfig
from streaming.streaming_module import StreamingModule

_AGREEMENT_TOLERANCE = 1e-4


@dataclasses.dataclass(frozen=True)
class StreamingExport:
    """What an export wrote.

    Attributes:
        saved_model: The SavedModel folder.
        tflite: The TFLite file, None when not asked for.
        metadata: The `streaming.json` file.
        features: "z" or "c".
        dim: Size of one feature frame.
        hop: Samples per frame.
        receptive_field: Samples one frame depends on.
    """

    saved_model: pathlib.Path
    tflite: pathlib.Path | None
    metadata: pathlib.Path
    features: str
    dim: int
    hop: int
    receptive_field: int


def export_streaming(config: StreamingExportConfig) -> StreamingExport:
    """Builds the streaming model of `config.model` and writes its exports.

    Both exports are loaded back and checked against the streaming Keras model (itself
    checked against the offline model) on a few chunks of noise.

    Args:
        config: Model file, output folder, features and TFLite settings.

    Returns:
        The `StreamingExport` record.

    Raises:
        ModelFileError: The model file is missing or not a causal CPC model.
        StreamingError: The TFLite conversion failed, or an export disagrees with the model.
        FolderLockedError: Another run is writing into the output folder.
    """
    model_file = CpcModelFile.load(config.model)
    model = StreamingContextModel.from_model_file(model_file, config.features)
    with FolderLock(config.output_dir):
        return _write_exports(config, model_file, model)


def _write_exports(
    config: StreamingExportConfig, model_file: CpcModelFile, model: StreamingContextModel
) -> StreamingExport:
    """The exports proper, once the model is built and the output folder locked."""
    spec = model_file.spec
    output_dir = config.output_dir
    saved_model = output_dir / "saved_model"
    module = StreamingModule(model)
    _replace(saved_model, lambda temporary: tf.saved_model.save(module, str(temporary), signatures=module.signatures()))
    length = max(2 * spec.receptive_field + 5 * spec.hop + 3, 3 * (config.tflite_chunk or 0))
    audio = np.random.default_rng(2).uniform(-1.0, 1.0, length).astype(np.float32)
    # Uneven chunks: one shorter than the hop, an empty one, then the rest in two.
    uneven = [spec.hop // 3 + 1, 0, spec.receptive_field]
    uneven.append(length - sum(uneven))
    _check_saved_model(saved_model, model, audio, uneven)

    tflite = None
    if config.tflite:
        tflite = output_dir / "streaming.tflite"
        fixed = StreamingModule(model, config.tflite_chunk) if config.tflite_chunk else module
        content = _convert_tflite(fixed, config.tflite_chunk)
        _replace(tflite, lambda temporary: temporary.write_bytes(content))
        chunk = config.tflite_chunk
        _check_tflite(tflite, model, audio, [chunk] * (length // chunk) if chunk else uneven)

    metadata = output_dir / "streaming.json"
    content = {
        "source_model": str(config.model),
        "features": model.features,
        "dim": model.dim,
        "sample_rate": SAMPLE_RATE,
        "hop": spec.hop,
        "receptive_field": spec.receptive_field,
        "chunk_samples": {"saved_model": None, "tflite": config.tflite_chunk if config.tflite else None},
        "state": {
            name: {"shape": list(tensor.shape), "dtype": tensor.dtype.name, "initial_value": _constant(tensor).item()}
            for name, tensor in model.initial_state(1).items()
        },
    }
    _replace(metadata, lambda temporary: temporary.write_text(json.dumps(content, indent=2) + "\n"))
    return StreamingExport(saved_model, tflite, metadata, model.features, model.dim, spec.hop, spec.receptive_field)


def _replace(path: pathlib.Path, write) -> None:
    """Writes a file or folder under a temporary name, then puts it in place of `path`.

    A folder replaces an existing one by exchanging the two names in one step, so that a
    kill at any moment leaves the old export or the new one in place, never neither.
    """
    temporary = path.with_name(f".{path.name}.tmp")
    _remove(temporary)
    try:
        with naming_path(temporary):
            write(temporary)
    except BaseException as error:
        _remove(temporary)
        # TensorFlow's savers report a full disk as an op error; it is the user's disk, not a bug.
        if isinstance(error, tf.errors.OpError) and os.strerror(errno.ENOSPC) in error.message:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(temporary)) from None
        raise
    if path.is_dir() and not path.is_symlink():
        flush_to_disk(temporary)
        exchange_names(temporary, path)
        flush_folder_entries(path.parent)
        _remove(temporary)
    else:
        replace_durably(temporary, path)


def exchange_names(first: pathlib.Path, second: pathlib.Path) -> None:
    """Swaps two paths, atomically where the system can (Linux ``renameat2``, ``RENAME_EXCHANGE``).

    Elsewhere (no ``renameat2``, or a filesystem without the flag) it falls back to three
    renames through a third name, which leaves a moment with only one of the two.

    Raises:
        OSError: A rename failed.
    """
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is not None:
        at_current_folder, rename_exchange = -100, 2
        if (
            renameat2(at_current_folder, os.fsencode(first), at_current_folder, os.fsencode(second), rename_exchange)
            == 0
        ):
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS):
            raise OSError(code, os.strerror(code), str(second))
    aside = second.with_name(f".{second.name}.old")
    _remove(aside)
    os.replace(second, aside)
    os.replace(first, second)
    os.replace(aside, first)


def _remove(path: pathlib.Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def _convert_tflite(module: StreamingModule, chunk_length: int | None) -> bytes:
    converter = tf.lite.TFLiteConverter.from_concrete_functions([module.signatures()["serving_default"]], module)
    try:
        return converter.convert()
    except Exception as error:  # noqa: BLE001  (the converter reports failures with many types)
        chunk = f"{chunk_length}-sample chunks" if chunk_length else "chunks of any length"
        raise StreamingError(f"TFLite conversion for {chunk} failed ({first_line(error)})") from None


def _constant(tensor: tf.Tensor) -> np.ndarray:
    values = np.asarray(tensor).ravel()
    if not np.all(values == values[0]):
        raise StreamingError("an initial state tensor is not constant, so streaming.json cannot describe it")
    return values[0]


def _expected(model: StreamingContextModel, audio: np.ndarray, lengths: list[int]) -> np.ndarray:
    return model.stream(audio[None, : sum(lengths)], lengths)[0]


def _check_saved_model(path, model, audio, lengths) -> None:
    loaded = tf.saved_model.load(str(path))
    state, outputs, start = loaded.initial_state(), [], 0
    for length in lengths:
        features, state = loaded.step(audio[start : start + length], state)
        outputs.append(features.numpy())
        start += length
    _compare(path, np.concatenate(outputs), _expected(model, audio, lengths))


def _check_tflite(path, model, audio, lengths) -> None:
    with warnings.catch_warnings():
        # tf.lite.Interpreter warns that it moves to the ai-edge-litert package; it still works.
        warnings.simplefilter("ignore", UserWarning)
        interpreter = tf.lite.Interpreter(model_path=str(path))
    run = interpreter.get_signature_runner("serving_default")
    state = {name: np.asarray(tensor) for name, tensor in model.initial_state(1).items()}
    outputs, start = [], 0
    for length in lengths:
        result = run(chunk=audio[start : start + length], **state)
        outputs.append(result.pop("features"))
        state = result
        start += length
    _compare(path, np.concatenate(outputs), _expected(model, audio, lengths))


def _compare(path, actual, expected) -> None:
    scale = max(float(np.abs(expected).max(initial=0.0)), 1.0)
    if actual.shape != expected.shape or np.abs(actual - expected).max(initial=0.0) > _AGREEMENT_TOLERANCE * scale:
        raise StreamingError(f"{path}: the export does not reproduce the streaming model")
