"""Float and int8 streaming TFLite files under the LiteRT interpreter: size, chunk latency, agreement.

Saves an untrained `seed` encoder + GRU as `gar.keras` (latency and size do not depend on the
weights; agreement of trained weights may differ), exports it with `python -m streaming export
--quantize int8`'s code path, and serves held-out synthesized demo speech to both files with
`ai_edge_litert` in 160 ms chunks, carrying the state. Per-chunk latency is the median over
all chunks of a pass, after warm-up chunks, and the figure the median of several passes.
Writes the table into the `litert` section of BENCHMARKS.md.

    python -m bench.litert
"""

import cli.tensorflow_environment

import argparse
import datetime
import pathlib
import statistics
import tempfile
import time

import keras
import numpy as np
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter

from bench.quality_file import update_section
from bench.timing import machine
from models.ar_model import ar_model
from models.context_model import context_model
from models.encoder_spec import resolve_encoder_spec
from models.genc_model import genc_model
from streaming.representative_audio import synthetic_speech
from streaming.streaming_export import INT8_CHECK_CHUNK, export_streaming
from streaming.streaming_export_config import StreamingExportConfig
from streaming.tflite_chunks import cosine_similarities, run_in_chunks

REPO = pathlib.Path(__file__).resolve().parents[1]
# Seed 0 is the export's own int8 check speech; this one is held out from it.
HELD_OUT_SEED = 1
WARM_UP_CHUNKS = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--utterances", type=int, default=8, help="held-out utterances (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes per file (default: %(default)s)")
    parser.add_argument("--benchmarks-file", type=pathlib.Path, default=REPO / "BENCHMARKS.md")
    args = parser.parse_args()

    speech = synthetic_speech(HELD_OUT_SEED, args.utterances)
    chunks = [audio[start : start + INT8_CHECK_CHUNK] for audio in speech for start in _starts(audio)]
    with tempfile.TemporaryDirectory() as scratch:
        scratch = pathlib.Path(scratch)
        keras.utils.set_random_seed(0)
        spec = resolve_encoder_spec("seed")
        context_model(genc_model(spec), ar_model(spec.dim_z, 40)).save(scratch / "gar.keras")
        export = export_streaming(StreamingExportConfig(scratch / "gar.keras", scratch / "out", quantize="int8"))
        state = {
            name: np.asarray(tensor)
            for name, tensor in tf.saved_model.load(str(export.saved_model)).initial_state().items()
        }
        files = {"float32": export.tflite, "int8 weights": export.tflite_int8}
        rows = {
            name: {"size": path.stat().st_size, "interpreter": Interpreter(model_path=str(path))}
            for name, path in files.items()
        }
        for repeat in range(args.repeats):
            # The two files alternate, so that a slower spell of the shared machine hits both.
            for row in rows.values():
                row.setdefault("latencies", []).append(_median_chunk_seconds(row["interpreter"], state, chunks))
            print(
                f"pass {repeat + 1}: "
                + ", ".join(f"{name} {row['latencies'][-1] * 1e3:.2f} ms" for name, row in rows.items())
            )
        reference = [_features(rows["float32"]["interpreter"], state, audio) for audio in speech]
        for row in rows.values():
            similarities = np.concatenate(
                [
                    cosine_similarities(_features(row["interpreter"], state, audio), expected)
                    for audio, expected in zip(speech, reference, strict=True)
                ]
            )
            row["cosine"] = (float(similarities.mean()), float(similarities.min()))

    seconds = sum(len(audio) for audio in speech) / 16000
    lines = [
        "## Streaming TFLite under LiteRT: float32 and int8 (issue 19)",
        "",
        f"Command: `python -m bench.litert` (an untrained `seed` encoder + 40-unit GRU, exported by "
        f"`python -m streaming export --quantize int8`; {len(speech)} held-out synthesized demo utterances, "
        f"{seconds:.1f} s, in {len(chunks)} chunks of {INT8_CHECK_CHUNK} samples = 160 ms, state carried; "
        f"`ai_edge_litert` interpreter with its default threads; latency per chunk is the median over the chunks "
        f"of a pass after {WARM_UP_CHUNKS} warm-up chunks, median of {args.repeats} passes). "
        f"Machine: {machine()}, another job sharing the CPU. Date: {datetime.date.today().isoformat()}.",
        "",
        "| file | size (KiB) | latency per chunk (median) | all passes (ms) | cosine to float (mean / lowest frame) |",
        "|---|---:|---:|---|---|",
    ]
    for name, row in rows.items():
        lines.append(
            f"| {name} | {row['size'] / 1024:.0f} | {statistics.median(row['latencies']) * 1e3:.2f} ms | "
            f"{', '.join(f'{latency * 1e3:.2f}' for latency in row['latencies'])} | "
            f"{row['cosine'][0]:.5f} / {row['cosine'][1]:.5f} |"
        )
    lines += [
        "",
        "int8 is dynamic-range quantisation (int8 weights, float32 activations and state): with int8 "
        "activations as well, the state carried between chunks drifted (frames down to 0.5 cosine, some all "
        "zeros). Cosine similarity of trained weights was not measured here.",
    ]
    print("\n".join(lines))
    update_section(args.benchmarks_file, "litert", "\n".join(lines))


def _starts(audio: np.ndarray) -> range:
    return range(0, len(audio) - INT8_CHECK_CHUNK + 1, INT8_CHECK_CHUNK)


def _features(interpreter, state: dict[str, np.ndarray], audio: np.ndarray) -> np.ndarray:
    return run_in_chunks(interpreter, state, audio, [INT8_CHECK_CHUNK] * len(_starts(audio)))


def _median_chunk_seconds(interpreter, state: dict[str, np.ndarray], chunks: list[np.ndarray]) -> float:
    """Median seconds of one chunk's call, over all chunks after the warm-up, state carried."""
    run = interpreter.get_signature_runner("serving_default")
    seconds = []
    for number, chunk in enumerate(chunks):
        started = time.perf_counter()
        result = run(chunk=chunk, **state)
        elapsed = time.perf_counter() - started
        result.pop("features")
        state = result
        if number >= WARM_UP_CHUNKS:
            seconds.append(elapsed)
    return statistics.median(seconds)


if __name__ == "__main__":
    main()
