"""Running a trained CPC model over a folder of audio files, one `.npy` of features per file.

Files are grouped by length into batches, padded with zeros at the END to the longest
one, and each output is trimmed to its own file's frame count. The padding cannot change
the kept frames: the encoder's convolutions are causal (frame `j` reads samples up to
`(j + 1) * hop - 1` for the presets, never later) and the GRU runs forwards, so a frame and
its context depend on earlier samples only; `CpcModelFile.load` refuses any model for
which that is not so. The trimmed output is therefore the model's output for the file
alone, up to float rounding.

Reading the next batch (decoding, checking, normalising) overlaps with running the
model on the current one.

A file longer than a batch may hold (`max_batch_seconds`) is never loaded whole: it is
read in chunks and run through the streaming form of the model (`StreamingContextModel`), whose
output equals the offline model's up to float rounding, and its features are written
into the `.npy` file as they come.
"""

import concurrent.futures
import dataclasses
import os
import pathlib
import time

import numpy as np
import soundfile
import tensorflow as tf
import tqdm

from artefacts.atomic_files import write_json, write_npy, write_npy_header, written_atomically
from artefacts.folder_lock import FolderLock
from cli.progress_display import progress_bar_options
from extract.audio_source import AudioSource
from extract.extraction_config import ExtractionConfig
from extract.extraction_error import ExtractionError
from extract.extraction_summary import ExtractionSummary
from librispeech.audio_file import SAMPLE_RATE, normalized_pcm16, pcm16_blocks, peak_about_mean, read_pcm16
from librispeech.corpus_error import CorpusError
from models.audio_feature_model import AudioFeatureModel
from models.cpc_model_file import CpcModelFile
from models.layer_outputs import LayerOutputs, valid_frames
from models.streaming_context_model import StreamingContextModel
from tracking.run_record import RunRecord


def extract_features(config: ExtractionConfig) -> ExtractionSummary:
    """Writes the features of every audio file under `config.audio_dir`.

    Each file is normalised as in training (its mean removed, divided by its peak),
    then `(frames, dim)` float32 features go to the same relative path under
    `config.output_dir` with the suffix `.npy`, written under a temporary name and
    renamed when complete. `config.output_dir/run.json` records the run (`tracking.run_record`),
    and once it completes the summary under `extra.extraction` (`ExtractionSummary.record`).

    Args:
        config: Folders, model, features and batching.

    Returns:
        The `ExtractionSummary` (files, frames, audio and wall seconds).

    Raises:
        ExtractionError: Missing folder, no audio file, two files with the same output
            (`a.flac` and `a.wav`), or an unreadable, corrupt, empty, non-16 kHz or
            non-mono file.
        ModelFileError: The model file is missing or not a causal audio → features model.
        FolderLockedError: Another run is writing into the output folder.
    """
    files = list_audio_files(config)
    model_file = CpcModelFile.load(config.model)
    features = config.features or model_file.default_features()
    model_file.check_features(features)
    with FolderLock(config.output_dir):
        with RunRecord.start(config.output_dir, dataclasses.asdict(config)) as record:
            if config.layers:
                summary = _write_layers(config, files, LayerOutputs.of(AudioFeatureModel.from_model(model_file.model)))
            else:
                summary = _write_features(config, files, model_file, features)
            record.finish("completed", {"extraction": summary.record()})
    return summary


LAYERS_FILE = "layers.json"


def _write_layers(config: ExtractionConfig, files: list[AudioSource], layers: LayerOutputs) -> ExtractionSummary:
    """Every layer's output (`LayerOutputs`): one ``.npz`` per file of ``layer_<i>`` arrays
    ``(valid frames_i, dim_i)`` float32, and ``layers.json`` naming each layer with its hop and dim."""
    max_batch_samples = int(config.max_batch_seconds * SAMPLE_RATE)
    for audio_file in files:
        if audio_file.samples > max_batch_samples:
            raise ExtractionError(
                f"{audio_file.path}: longer than --max-batch-seconds {config.max_batch_seconds:g}, and --layers "
                "does not stream; raise --max-batch-seconds"
            )
    described = [
        {
            "index": index,
            "name": name,
            "hop": geometry.hop,
            "receptive_field": geometry.receptive_field,
            "first_sample": geometry.first_sample,
            "dim": dim,
        }
        for index, (name, geometry, dim) in enumerate(zip(layers.names, layers.geometries, layers.dims()))
    ]
    write_json(config.output_dir / LAYERS_FILE, {"layers": described})
    start, frames_written = time.perf_counter(), 0
    with tqdm.tqdm(total=len(files), unit="file", desc="extracting", disable=not config.show_progress) as progress:
        for batch in _batches(files, config.batch_size, max_batch_samples):
            outputs = layers(_read_batch(batch))
            for row, audio_file in enumerate(batch):
                arrays = {
                    f"layer_{index}": np.ascontiguousarray(
                        output[row, : valid_frames(geometry, audio_file.samples)], "<f4"
                    )
                    for index, (geometry, output) in enumerate(zip(layers.geometries, outputs))
                }
                path = audio_file.output.with_suffix(".npz")
                path.parent.mkdir(parents=True, exist_ok=True)
                with written_atomically(path, path.with_name(f".{path.stem}.tmp.npz")) as temporary:
                    np.savez(temporary, **arrays)
                frames_written += len(arrays[f"layer_{len(arrays) - 1}"])
            progress.update(len(batch))
    return ExtractionSummary(
        output_dir=config.output_dir,
        files=len(files),
        frames=frames_written,
        features=layers.names[-1],
        dim=layers.dims()[-1],
        hop=layers.geometries[-1].hop,
        audio_seconds=sum(audio_file.samples for audio_file in files) / SAMPLE_RATE,
        wall_seconds=time.perf_counter() - start,
    )


def _write_features(
    config: ExtractionConfig, files: list[AudioSource], model_file: CpcModelFile, features: str
) -> ExtractionSummary:
    """The extraction proper, once the files and the model are checked and the output folder locked."""
    spec = model_file.spec
    run = tf.function(
        lambda audio: model_file.features_of(audio, features),
        input_signature=[tf.TensorSpec((None, None), tf.float32)],
    )
    max_batch_samples = int(config.max_batch_seconds * SAMPLE_RATE)
    long_files = [audio_file for audio_file in files if audio_file.samples > max_batch_samples]
    batches = _batches(
        [audio_file for audio_file in files if audio_file.samples <= max_batch_samples],
        config.batch_size,
        max_batch_samples,
    )
    streaming = StreamingContextModel.from_model_file(model_file, features) if long_files else None
    total_samples = sum(audio_file.samples for audio_file in files)
    frames_written, done_samples = 0, 0
    start = time.perf_counter()
    with (
        concurrent.futures.ThreadPoolExecutor(max_workers=1) as reader,
        tqdm.tqdm(
            **progress_bar_options(), total=len(files), unit="file", desc="extracting", disable=not config.show_progress
        ) as progress,
    ):
        for audio_file in long_files:
            frames_written += _extract_in_chunks(
                audio_file, streaming, spec.num_frames(audio_file.samples), max_batch_samples
            )
            done_samples += audio_file.samples
            progress.update(1)
        upcoming = reader.submit(_read_batch, batches[0]) if batches else None
        for number, batch in enumerate(batches):
            audio = upcoming.result()
            if number + 1 < len(batches):
                upcoming = reader.submit(_read_batch, batches[number + 1])
            outputs = run(audio).numpy()
            for audio_file, output in zip(batch, outputs):
                frames = spec.num_frames(audio_file.samples)
                write_npy(audio_file.output, output[:frames])
                frames_written += frames
            done_samples += sum(audio_file.samples for audio_file in batch)
            progress.update(len(batch))
            elapsed = time.perf_counter() - start
            progress.set_postfix_str(f"{done_samples / SAMPLE_RATE / elapsed:.0f}x real time", refresh=False)
    return ExtractionSummary(
        output_dir=config.output_dir,
        files=len(files),
        frames=frames_written,
        features=features,
        dim=model_file.dim(features),
        hop=spec.hop,
        audio_seconds=total_samples / SAMPLE_RATE,
        wall_seconds=time.perf_counter() - start,
    )


def list_audio_files(config: ExtractionConfig) -> list[AudioSource]:
    """The audio files under `config.audio_dir` with their outputs and lengths, in path order.

    Only file headers are read here, so that an unreadable file stops the run before
    any work.

    Raises:
        ExtractionError: See `extract_features`.
    """
    audio_dir = config.audio_dir
    if not audio_dir.is_dir():
        raise ExtractionError(f"{audio_dir}: no such folder")
    if config.output_dir.exists() and not config.output_dir.is_dir():
        raise ExtractionError(f"{config.output_dir}: exists and is not a folder")
    suffixes = {f".{extension}" for extension in config.extensions}
    paths = sorted(path for path in _walk(audio_dir) if path.suffix.lower() in suffixes and path.is_file())
    if not paths:
        listed = ", ".join(f".{extension}" for extension in config.extensions)
        raise ExtractionError(f"{audio_dir}: no audio files ({listed}) in it or its subfolders")
    files, sources = [], {}
    for path in paths:
        output = config.output_dir / path.relative_to(audio_dir).with_suffix(".npy")
        if output in sources:
            raise ExtractionError(f"{path}: its features would overwrite those of {sources[output]} ({output})")
        sources[output] = path
        files.append(AudioSource(path, output, _header_samples(path)))
    return files


def normalize_like_training(samples: np.ndarray) -> np.ndarray:
    """Removes the mean and divides by the peak, as pretraining does to every utterance.

    Args:
        samples: `(samples,)` int16.

    Returns:
        `(samples,)` float32, zero mean, peak absolute value 1 (a silent file stays 0).
    """
    mean = float(samples.mean(dtype=np.float64))
    return normalized_pcm16(samples, mean, peak_about_mean(mean, int(samples.min()), int(samples.max())))


def _walk(folder: pathlib.Path):
    """Every file under `folder`, through symbolic links to folders too, but not round a loop of links."""
    for root, subfolders, names in os.walk(folder, followlinks=True):
        root = pathlib.Path(root)
        real = os.path.realpath(root)
        if root != folder and any(os.path.realpath(parent) == real for parent in root.parents):
            subfolders.clear()
            continue
        yield from (root / name for name in names)


def _header_samples(path: pathlib.Path) -> int:
    try:
        return soundfile.info(str(path)).frames
    except (soundfile.LibsndfileError, RuntimeError, EOFError) as error:
        detail = getattr(error, "error_string", None) or str(error)
        raise ExtractionError(f"{path}: unreadable or corrupt audio ({detail})") from None


def _batches(files: list[AudioSource], batch_size: int, max_batch_samples: int) -> list[list[AudioSource]]:
    """Files in batches of similar lengths, so that little of each batch is padding."""
    batches, current = [], []
    for audio_file in sorted(files, key=lambda audio_file: (audio_file.samples, audio_file.path)):
        # Sorted by length, so the file being added is the longest: it sets the padded size.
        if current and (len(current) == batch_size or (len(current) + 1) * audio_file.samples > max_batch_samples):
            batches.append(current)
            current = []
        current.append(audio_file)
    if current:
        batches.append(current)
    return batches


def _extract_in_chunks(audio_file: AudioSource, streaming: StreamingContextModel, frames: int, chunk: int) -> int:
    """Features of a file too long for memory, `chunk` samples at a time; returns the frames written.

    A first pass reads the mean and the peak, a second normalises each chunk as the whole
    file would be and runs it through the streaming model, whose state carries the
    convolutions' and the GRU's past from chunk to chunk. The features go straight into
    the `.npy` file, so memory holds one chunk whatever the file's length.
    """
    try:
        total, count, low, high = 0, 0, 0, 0
        for block in pcm16_blocks(audio_file.path, chunk):
            total, count = total + int(block.sum(dtype=np.int64)), count + len(block)
            low, high = min(low, int(block.min())), max(high, int(block.max()))
        # The exact integer sum keeps the mean identical to normalize_like_training's.
        mean = total / count
        peak = peak_about_mean(mean, low, high)
    except CorpusError as error:
        raise ExtractionError(str(error)) from None
    audio_file.output.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Appended chunk by chunk rather than through a memory map: on a full disk a write
        # fails with ENOSPC, where a store into a mapped page would kill the process (SIGBUS).
        with written_atomically(audio_file.output) as temporary, open(temporary, "wb") as output:
            write_npy_header(output, (frames, streaming.dim))
            step, state, written = streaming.compiled_step(), streaming.initial_state(1), 0
            for block in pcm16_blocks(audio_file.path, chunk):
                features, state = step(normalized_pcm16(block, mean, peak)[None], state)
                output.write(features[0].numpy().astype("<f4").tobytes())
                written += features.shape[1]
            if written != frames:
                raise RuntimeError(f"{audio_file.path}: streaming gave {written} frames, the model {frames}")
    except CorpusError as error:
        raise ExtractionError(str(error)) from None
    return written


def _read_batch(batch: list[AudioSource]) -> np.ndarray:
    """The batch's normalised audio, `(files, longest)` float32, zero-padded at the end."""
    waveforms = []
    for audio_file in batch:
        try:
            waveforms.append(normalize_like_training(read_pcm16(audio_file.path)))
        except CorpusError as error:
            raise ExtractionError(str(error)) from None
    audio = np.zeros((len(waveforms), max(len(waveform) for waveform in waveforms)), np.float32)
    for row, waveform in zip(audio, waveforms):
        row[: len(waveform)] = waveform
    return audio
