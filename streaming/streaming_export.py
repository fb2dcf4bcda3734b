"""Exporting the streaming model of a trained file as a SavedModel and a TFLite file.

Layout of the output folder:

* `saved_model/`: `tf.saved_model.load(...)` gives `initial_state()` and
  `step(chunk, state)`; signatures `serving_default` (flat, named tensors) and
  `initial_state`.
* `streaming.tflite`: the `serving_default` signature (the TFLite file has no
  `initial_state`: every initial state tensor is a constant, listed in the metadata).
* `streaming_int8.tflite` (with `quantize="int8"`): the same with int8 weights. It is
  dynamic-range quantisation: activations and the carried state stay float32, because
  full-integer quantisation (int8 activations, calibrated on speech) degraded the features
  the state carries from chunk to chunk (cosine similarity to the float features down to
  0.5 on some frames of the untrained seed model, and frames of zeros) where int8 weights
  alone keep them above 0.999. The export checks it on speech (synthesized demo speech or
  `representative_dir`) against the float features.
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
from streaming.representative_audio import audio_folder, synthetic_speech
from streaming.streaming_export_config import INT8_MIN_COSINE, StreamingExportConfig
from streaming.streaming_module import StreamingModule
from streaming.tflite_chunks import cosine_similarities, run_in_chunks

_AGREEMENT_TOLERANCE = 1e-4
# Chunks of 160 ms for the int8 check; a fixed-chunk file takes its own length.
INT8_CHECK_CHUNK = 2560
# Demo utterances the int8 file is checked on when no folder is given (about 36 s).
_SYNTHETIC_SEED, _SYNTHETIC_UTTERANCES = 0, 8


@dataclasses.dataclass(frozen=True)
class StreamingExport:
    """What an export wrote.

    Attributes:
        saved_model: The SavedModel folder.
        tflite: The TFLite file, None when not asked for.
        tflite_int8: The int8 TFLite file, None when not asked for.
        int8_cosine: Mean frame cosine similarity of the int8 features to the float ones
            on the check speech; None without the int8 file.
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
    tflite_int8: pathlib.Path | None = None
    int8_cosine: float | None = None


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
        StreamingError: The TFLite conversion failed, an export disagrees with the model, or
            the int8 features stray from the float ones.
        CorpusError: A file of `config.representative_dir` is unreadable.
        FolderLockedError: Another run is writing into the output folder.
    """
    model_file = CpcModelFile.load(config.model)
    model = StreamingContextModel.from_model_file(model_file, config.features)
    # Read before the output folder is touched, so that unreadable audio leaves it as it was.
    speech = _int8_check_speech(config) if config.quantize else None
    with FolderLock(config.output_dir):
        return _write_exports(config, model_file, model, speech)


def _write_exports(
    config: StreamingExportConfig,
    model_file: CpcModelFile,
    model: StreamingContextModel,
    speech: list[np.ndarray] | None,
) -> StreamingExport:
    """The exports proper, once the model is built, the int8 check speech read and the folder locked."""
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

    tflite_int8 = int8_cosine = None
    if config.quantize:
        tflite_int8 = output_dir / "streaming_int8.tflite"
        content = _convert_tflite(fixed, config.tflite_chunk, quantize=True)
        _replace(tflite_int8, lambda temporary: temporary.write_bytes(content))
        int8_cosine = _check_int8(tflite_int8, model, speech, config.tflite_chunk or INT8_CHECK_CHUNK)

    metadata = output_dir / "streaming.json"
    content = {
        "source_model": str(config.model),
        "features": model.features,
        "dim": model.dim,
        "sample_rate": SAMPLE_RATE,
        "hop": spec.hop,
        "receptive_field": spec.receptive_field,
        "chunk_samples": {"saved_model": None, "tflite": config.tflite_chunk if config.tflite else None},
        "int8": None
        if tflite_int8 is None
        else {
            "file": tflite_int8.name,
            "quantization": "dynamic range: int8 weights, float32 activations and state",
            "check_audio": str(config.representative_dir or "synthesized demo speech"),
            "mean_cosine_to_float": round(int8_cosine, 6),
        },
        "state": {
            name: {"shape": list(tensor.shape), "dtype": tensor.dtype.name, "initial_value": _constant(tensor).item()}
            for name, tensor in model.initial_state(1).items()
        },
    }
    _replace(metadata, lambda temporary: temporary.write_text(json.dumps(content, indent=2) + "\n"))
    return StreamingExport(
        saved_model,
        tflite,
        metadata,
        model.features,
        model.dim,
        spec.hop,
        spec.receptive_field,
        tflite_int8,
        int8_cosine,
    )


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


def _convert_tflite(module: StreamingModule, chunk_length: int | None, quantize: bool = False) -> bytes:
    converter = tf.lite.TFLiteConverter.from_concrete_functions([module.signatures()["serving_default"]], module)
    if quantize:
        # Without a representative dataset, DEFAULT is dynamic-range: int8 weights, float state.
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
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


def _interpreter(path: pathlib.Path) -> tf.lite.Interpreter:
    with warnings.catch_warnings():
        # tf.lite.Interpreter warns that it moves to the ai-edge-litert package; it still works,
        # and the export need not depend on a second runtime.
        warnings.simplefilter("ignore", UserWarning)
        return tf.lite.Interpreter(model_path=str(path))


def _initial_state(model: StreamingContextModel) -> dict[str, np.ndarray]:
    return {name: np.asarray(tensor) for name, tensor in model.initial_state(1).items()}


def _check_tflite(path, model, audio, lengths) -> None:
    actual = run_in_chunks(_interpreter(path), _initial_state(model), audio, lengths)
    _compare(path, actual, _expected(model, audio, lengths))


def _int8_check_speech(config: StreamingExportConfig) -> list[np.ndarray]:
    if config.representative_dir is None:
        return synthetic_speech(_SYNTHETIC_SEED, _SYNTHETIC_UTTERANCES)
    return audio_folder(config.representative_dir)


def _check_int8(path: pathlib.Path, model: StreamingContextModel, speech: list[np.ndarray], chunk: int) -> float:
    """Mean frame cosine similarity of the int8 file's features to the float model's on `speech`."""
    interpreter, similarities = _interpreter(path), []
    for audio in speech:
        lengths = [chunk] * (len(audio) // chunk)
        if lengths:
            actual = run_in_chunks(interpreter, _initial_state(model), audio, lengths)
            similarities.append(cosine_similarities(actual, _expected(model, audio, lengths)))
    if not similarities:
        raise StreamingError(f"no utterance of the int8 check audio fills one {chunk}-sample chunk")
    mean = float(np.concatenate(similarities).mean())
    if mean < INT8_MIN_COSINE:
        raise StreamingError(
            f"{path}: the int8 features stray from the float ones (mean cosine similarity {mean:.4f} "
            f"< {INT8_MIN_COSINE})"
        )
    return mean


def _compare(path, actual, expected) -> None:
    scale = max(float(np.abs(expected).max(initial=0.0)), 1.0)
    if actual.shape != expected.shape or np.abs(actual - expected).max(initial=0.0) > _AGREEMENT_TOLERANCE * scale:
        raise StreamingError(f"{path}: the export does not reproduce the streaming model")
