"""Converting a LibriSpeech split, or a tree of audio files, into sharded TFRecords, in parallel and resumably.

Each shard is written by one worker process from its own list of utterances, so memory
holds one utterance per worker whatever the corpus size. A shard is written under a
temporary name and renamed when complete; a small record of it in ``.progress/`` then
marks it done, so that a rerun after a crash or a kill converts only what is missing.
``manifest.json`` is written last: a folder without it is not a finished conversion.

The source is a `ConversionOptions`: this module's `ConversionConfig` for a LibriSpeech
split, `audio_tree_config.AudioTreeConfig` for any tree of audio files; both convert here.
"""

import bisect
import collections
import concurrent.futures
import ctypes
import dataclasses
import hashlib
import itertools
import json
import math
import multiprocessing
import os
import pathlib
import queue
import re
import signal
import sys
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import tqdm

from artefacts.atomic_files import naming_path, replace_durably, write_json
from artefacts.folder_lock import FolderLock
from cli.held_interrupt import HeldInterrupt
from cli.progress_display import progress_bar_options
from cli.usable_cores import usable_cores
from librispeech.audio_file import SAMPLE_RATE, AudioReader
from librispeech.audio_pieces import AudioPieces, piece_ids
from librispeech.conversion_options import ConversionOptions
from librispeech.corpus_error import CorpusError
from librispeech.manifest import MANIFEST_NAME, Manifest, ShardEntry, write_manifest
from librispeech.record_schema import SCHEMA_VERSION, UtteranceRecord, serialized_pieces
from librispeech.split_scan import SkippedFile, SplitScan, scan_split
from librispeech.tfrecord_file import TFRecordFileWriter
from librispeech.utterance import Utterance

PROGRESS_DIR = ".progress"
MIN_DEFAULT_SHARDS = 8
"""Lower bound of the default shard count, so that several readers can share a small split."""
FLAC_BYTES_PER_SHARD = 48 * 2**20
"""FLAC input per shard by default: about 90 MB of int16 records per shard."""


class WorkerDiedError(RuntimeError):
    """A worker process died mid-conversion (killed, out of memory); complete shards are kept."""


@dataclasses.dataclass
class ConversionConfig(ConversionOptions):
    """A LibriSpeech split to convert; the options of how are those of `ConversionOptions`.

    Its files must be 16 kHz mono, each one record; ``output_dir`` is by default
    ``<librispeech_dir>/../tfrecords/<split>``.

    Attributes:
        librispeech_dir: The LibriSpeech root, holding one folder per split.
        split: The split to convert, e.g. ``"train-clean-100"``.
    """

    librispeech_dir: pathlib.Path
    split: str

    def __post_init__(self):
        # Tab completion adds a slash to a folder name; the split is named without it.
        self.split = self.split.rstrip("/" + os.sep) or self.split

    def split_name(self) -> str:
        return self.split

    def shard_prefix(self) -> str:
        return self.split

    def source_dir(self) -> pathlib.Path:
        return pathlib.Path(self.librispeech_dir).expanduser()

    def resolved_output_dir(self) -> pathlib.Path:
        if self.output_dir is not None:
            return pathlib.Path(self.output_dir).expanduser()
        return self.source_dir().parent / "tfrecords" / self.split

    def scan(self) -> SplitScan:
        if os.sep in self.split or "/" in self.split or self.split in ("", ".", ".."):
            raise CorpusError(
                f"split {self.split!r}: give the name of a folder in {self.librispeech_dir} "
                "(e.g. dev-clean), not a path"
            )
        return scan_split(self.librispeech_dir, self.split)

    def audio_pieces(self) -> AudioPieces:
        return AudioPieces()


@dataclasses.dataclass
class ConversionSummary:
    """What a conversion did.

    Attributes:
        output_dir: The folder holding the shards and the manifest.
        manifest: The manifest written.
        shards_converted: Shards written by this run (the others were already complete).
        wall_seconds: Time the run took.
        shards_changed: Of those, shards that an earlier run had completed but whose audio
            or transcripts (or speaker numbers) changed since.
    """

    output_dir: pathlib.Path
    manifest: Manifest
    shards_converted: int
    wall_seconds: float
    shards_changed: int = 0

    def final_line(self) -> str:
        """One line: utterances, audio hours, wall seconds, audio hours per minute."""
        hours = self.manifest.total_hours
        rate = hours / (self.wall_seconds / 60) if self.wall_seconds > 0 else float("inf")
        line = (
            f"{self.manifest.num_records} utterances, {hours:.2f} h of audio in {len(self.manifest.shards)} shards "
            f"({self.shards_converted} written now), {self.wall_seconds:.1f} s wall, {rate:.2f} h of audio per minute"
        )
        if self.shards_changed:
            line += f"; {self.shards_changed} of them reconverted because their audio or transcripts changed"
        if self.manifest.skipped:
            line += f"; {len(self.manifest.skipped)} files skipped (listed in {MANIFEST_NAME})"
        if self.manifest.too_short:
            line += f"; {self.manifest.too_short} files shorter than the minimum left out"
        return line


@dataclasses.dataclass
class _ShardTask:
    index: int
    file: str
    utterances: list[Utterance]
    output_dir: pathlib.Path
    on_error: str
    pieces: AudioPieces


def plan_shards(utterances: list[Utterance], num_shards: int) -> list[list[Utterance]]:
    """Splits utterances in order into contiguous shards of about equal file size.

    Args:
        utterances: The split's utterances, in conversion order.
        num_shards: Wanted shard count; fewer are made if there are fewer utterances.

    Returns:
        ``min(num_shards, len(utterances))`` non-empty lists that concatenate to ``utterances``.
    """
    count = len(utterances)
    num_shards = max(1, min(num_shards, count))
    cumulative = list(itertools.accumulate(utterance.path.stat().st_size for utterance in utterances))
    bounds = [0]
    for index in range(1, num_shards):
        cut = bisect.bisect_left(cumulative, cumulative[-1] * index / num_shards) + 1
        # Every shard keeps at least one utterance.
        bounds.append(min(max(cut, bounds[-1] + 1), count - (num_shards - index)))
    bounds.append(count)
    return [utterances[start:end] for start, end in zip(bounds, bounds[1:])]


def default_shard_count(utterances: list[Utterance]) -> int:
    """One shard per ``FLAC_BYTES_PER_SHARD`` of input, at least ``MIN_DEFAULT_SHARDS``."""
    flac_bytes = sum(utterance.path.stat().st_size for utterance in utterances)
    return max(MIN_DEFAULT_SHARDS, math.ceil(flac_bytes / FLAC_BYTES_PER_SHARD))


def convert_split(config: ConversionOptions) -> ConversionSummary:
    """Converts a split (or any `ConversionOptions` source) to TFRecords, resuming a conversion that was interrupted.

    Raises:
        CorpusError: Bad input with ``on_error="fail"``, or a missing corpus or split; the
            message names the file and the problem. Complete shards are kept for a rerun,
            partial ones are removed, and no manifest is written.
        WorkerDiedError: A worker process died (killed, out of memory); shards are kept or
            removed as for a `CorpusError`.
        FolderLockedError: Another conversion is writing into the output folder.
        KeyboardInterrupt: Ctrl-C, raised once the workers have stopped and partial shards are
            removed, or, for a press after the last shard, once the manifest is written.
    """
    started = time.monotonic()
    if config.on_error not in ("fail", "skip"):
        raise CorpusError(f"on_error must be 'fail' or 'skip', not {config.on_error!r}")
    pieces = config.audio_pieces()
    scan = config.scan()
    if scan.problems and config.on_error == "fail":
        first = scan.problems[0]
        raise CorpusError(f"{first.path}: {first.reason}")
    if not scan.utterances:
        raise CorpusError(f"{scan.split_dir}: no convertible utterance (all {len(scan.problems)} files skipped)")

    output_dir = config.resolved_output_dir()
    _check_output_dir(config.source_dir(), config.split_name(), output_dir)
    with FolderLock(output_dir):
        return _convert_into(config, scan, pieces, output_dir, started)


def _convert_into(
    config: ConversionOptions, scan: SplitScan, pieces: AudioPieces, output_dir: pathlib.Path, started: float
) -> ConversionSummary:
    """The conversion proper, once the output folder is checked and locked."""
    progress_dir = output_dir / PROGRESS_DIR
    progress_dir.mkdir(parents=True, exist_ok=True)
    plan = plan_shards(scan.utterances, config.shards or default_shard_count(scan.utterances))
    prefix = config.shard_prefix()
    files = [f"{prefix}-{index:05d}-of-{len(plan):05d}.tfrecord" for index in range(len(plan))]
    done, changed = {}, 0
    for file, shard in zip(files, plan):
        done[file], stale = _completed_shard(output_dir, file, shard, pieces)
        changed += stale
    pending = [
        _ShardTask(index, file, shard, output_dir, config.on_error, pieces)
        for index, (file, shard) in enumerate(zip(files, plan))
        if done[file] is None
    ]
    if pending:
        (output_dir / MANIFEST_NAME).unlink(missing_ok=True)
    _remove_leftovers(output_dir, prefix, set(files))

    already_done = len(scan.utterances) - sum(len(task.utterances) for task in pending)
    # Ctrl-C is held from the first worker's start until the manifest is written: the wait loop
    # turns a press into an orderly stop, and one after the last result lets the manifest be
    # written first, so no press leaves workers running or a manifest half made.
    with HeldInterrupt() as interrupt:
        done.update(_run_tasks(pending, config, already_done, interrupt))
        manifest = _write_split_manifest(config.split_name(), scan, output_dir, [done[file] for file in files])
    return ConversionSummary(output_dir, manifest, len(pending), time.monotonic() - started, changed)


def _write_split_manifest(split: str, scan: SplitScan, output_dir: pathlib.Path, records: list[dict]) -> Manifest:
    """Writes ``manifest.json`` from the progress records of every shard, in order; returns it."""
    skipped = [dataclasses.asdict(problem) for problem in scan.problems]
    resampled_from = {}
    for record in records:
        skipped.extend(record["skipped"])
        resampled_from.update(record["resampled_from"])
    manifest = Manifest(
        schema_version=SCHEMA_VERSION,
        split=split,
        source_dir=str(scan.split_dir.resolve()),
        sample_rate=SAMPLE_RATE,
        shards=[ShardEntry(**record["entry"]) for record in records],
        skipped=skipped,
        transcripts=scan.transcripts,
        speaker_names=scan.speaker_names,
        resampled_from=resampled_from,
        too_short=sum(record["too_short"] for record in records),
    )
    if manifest.num_records == 0:
        raise CorpusError(f"{scan.split_dir}: no convertible utterance (all files skipped or too short)")
    ids = collections.Counter(utterance_id for shard in manifest.shards for utterance_id in shard.utterance_ids)
    if (repeated := next((utterance_id for utterance_id, count in ids.items() if count > 1), None)) is not None:
        # A piece's id, <file id>#NNNN, can be another file's id; the records would be told apart by nothing.
        raise CorpusError(f"{scan.split_dir}: utterance id {repeated!r} is given to two records; rename one file")
    write_manifest(output_dir, manifest)
    return manifest


def _completed_shard(
    output_dir: pathlib.Path, file: str, shard: list[Utterance], pieces: AudioPieces
) -> tuple[dict | None, bool]:
    """The progress record of a shard complete for this exact plan, these rules and these sources,
    else None; and whether a record was complete but its sources changed since."""
    record_path = output_dir / PROGRESS_DIR / f"{file}.json"
    try:
        record = json.loads(record_path.read_text())
    except (OSError, ValueError):
        return None, False
    shard_path = output_dir / file
    planned = [utterance.utterance_id for utterance in shard]
    if (
        not isinstance(record, dict)
        or record.get("schema_version") != SCHEMA_VERSION
        or record.get("planned_ids") != planned
        or record.get("pieces") != dataclasses.asdict(pieces)
        or not shard_path.is_file()
        or shard_path.stat().st_size != record.get("entry", {}).get("num_bytes")
    ):
        return None, False
    if record.get("sources") != source_fingerprints(shard):
        return None, True
    return record, False


def source_fingerprints(utterances: list[Utterance]) -> list[list]:
    """What identifies each utterance's sources: audio size and modification time, transcript
    hash, speaker number.

    A rerun compares these with the progress records, so a shard whose audio or transcript
    changed since it was written is converted again, and so is one whose speakers were
    numbered otherwise (in an audio tree, a new speaker folder can renumber the others).
    """
    fingerprints = []
    for utterance in utterances:
        status = utterance.path.stat()
        transcript = hashlib.sha256(utterance.transcript.encode("utf-8")).hexdigest()[:16]
        fingerprints.append(
            [utterance.utterance_id, status.st_size, status.st_mtime_ns, transcript, utterance.speaker_id]
        )
    return fingerprints


def _check_output_dir(source_dir: pathlib.Path, split: str, output_dir: pathlib.Path) -> None:
    """Refuses an output folder where converting could mix with, or overwrite, files not its own.

    Raises:
        CorpusError: The folder is the corpus (LibriSpeech root or audio tree) or lies
            inside it, or holds the manifest of another split (or a ``manifest.json`` that
            is no manifest).
    """
    corpus, target = source_dir.resolve(), output_dir.resolve()
    if target == corpus or corpus in target.parents:
        raise CorpusError(f"{output_dir}: the output folder lies inside the corpus {corpus}; give one outside it")
    manifest = target / MANIFEST_NAME
    if manifest.exists():
        try:
            owner = json.loads(manifest.read_text()).get("split")
        except (OSError, ValueError, AttributeError):
            owner = None
        if owner != split:
            holds = (
                f"the manifest of split {owner!r}" if isinstance(owner, str) else f"a {MANIFEST_NAME} of unknown kind"
            )
            raise CorpusError(f"{output_dir}: the output folder holds {holds}; give each split a folder of its own")


def _remove_leftovers(output_dir: pathlib.Path, prefix: str, planned_files: set[str]) -> None:
    """Removes what an earlier run of this split left: partial files, shards of another plan.

    Only names this converter gives to this split's files are touched (``<prefix>-NNNNN-of-
    NNNNN.tfrecord``, the same with ``.tmp``, and their ``.progress/`` records), so the
    files of other splits, or of the user, in the same folder are never deleted.
    """
    shard_name = re.compile(rf"{re.escape(prefix)}-\d{{5,}}-of-\d{{5,}}\.tfrecord")
    progress_dir = output_dir / PROGRESS_DIR
    for path in output_dir.glob("*.tfrecord*"):
        if path.name.endswith(".tmp") and shard_name.fullmatch(path.name[: -len(".tmp")]):
            path.unlink()
        elif shard_name.fullmatch(path.name) and path.name not in planned_files:
            path.unlink()
            (progress_dir / f"{path.name}.json").unlink(missing_ok=True)
    for path in progress_dir.glob(".*.json.tmp"):
        if shard_name.fullmatch(path.name[1 : -len(".json.tmp")]):
            path.unlink()


def _run_tasks(
    tasks: list[_ShardTask], config: ConversionOptions, already_done: int, interrupt: HeldInterrupt
) -> dict[str, dict]:
    if not tasks:
        return {}
    workers = max(1, min(config.workers or usable_cores(), len(tasks)))
    # Spawned workers start clean: a process that has loaded TensorFlow must not fork.
    context = multiprocessing.get_context("spawn")
    # A lock-free flag: a worker killed while holding a lock (an Event's) would block the parent.
    progress_queue, stop = context.Queue(), context.RawValue("b", 0)
    results: dict[str, dict] = {}
    bar = tqdm.tqdm(
        **progress_bar_options(),
        total=already_done + sum(len(task.utterances) for task in tasks),
        initial=already_done,
        unit="utt",
        disable=not config.show_progress,
        desc=f"converting {config.split_name()}",
    )
    executor = None
    try:
        # Workers inherit the signal mask of the thread that spawns them: with Ctrl-C blocked
        # they never see it, not even while starting up. The parent alone handles it and stops them.
        unblocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            # Not multiprocessing.Pool: it waits forever for the task of a worker that was
            # killed, where the executor fails every unfinished task with BrokenProcessPool.
            executor = concurrent.futures.ProcessPoolExecutor(
                workers, mp_context=context, initializer=_start_worker, initargs=(progress_queue, stop)
            )
            pending = {executor.submit(_convert_shard, task) for task in tasks}
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)
        while pending:
            finished, pending = concurrent.futures.wait(
                pending, timeout=0.2, return_when=concurrent.futures.FIRST_COMPLETED
            )
            _drain(progress_queue, bar)
            if interrupt.pressed:
                raise KeyboardInterrupt
            for future in finished:
                outcome = future.result()
                if "error" in outcome:
                    raise CorpusError(outcome["error"])
                results[outcome["file"]] = outcome["record"]
        executor.shutdown()
    except BaseException as error:
        # The other workers stop after their current utterance and leave their shard unfinished.
        stop.value = 1
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        for task in tasks:
            (task.output_dir / f"{task.file}.tmp").unlink(missing_ok=True)
        if isinstance(error, BrokenProcessPool):
            raise WorkerDiedError(
                f"{config.resolved_output_dir()}: a worker process died (killed, or out of memory); "
                "complete shards are kept: rerun the same command to finish"
            ) from None
        raise
    finally:
        bar.close()
    return results


def _drain(progress_queue, bar) -> None:
    while True:
        try:
            bar.update(progress_queue.get_nowait())
        except queue.Empty:
            return


_progress_queue = None
_stop = None
_PR_SET_PDEATHSIG = 1


def _start_worker(progress_queue, stop) -> None:
    global _progress_queue, _stop
    _progress_queue, _stop = progress_queue, stop
    if sys.platform.startswith("linux"):
        # A worker must not outlive a killed parent and go on writing into the output folder.
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _convert_shard(task: _ShardTask) -> dict:
    """Writes one shard; runs in a worker process.

    Each source file becomes one record, or several if ``task.pieces`` cuts it, or none if
    it is too short.

    Returns:
        ``{"file", "record"}`` with the shard's progress record, ``{"error"}`` for bad input
        with ``on_error="fail"``, or ``{}`` if the run was stopped first.
    """
    if _stop.value:
        return {}
    temporary = task.output_dir / f"{task.file}.tmp"
    ids, lengths, speaker_ids, skipped, resampled_from = [], [], [], [], {}
    sources_done, too_short = 0, 0
    try:
        with naming_path(temporary), TFRecordFileWriter(temporary) as writer:
            for utterance in task.utterances:
                if _stop.value:
                    break
                start, written = writer.tell(), len(ids)
                try:
                    # One open per file: the header's checks, then its samples.
                    with AudioReader(utterance.path) as audio:
                        header = task.pieces.check(audio)
                        if task.pieces.too_short(header):
                            too_short += 1
                        else:
                            for piece_id, samples in _pieces(task.pieces, utterance, audio):
                                writer.write(serialized_pieces(_record(utterance, piece_id, samples)))
                                ids.append(piece_id)
                                lengths.append(len(samples))
                                speaker_ids.append(utterance.speaker_id)
                                if header.sample_rate != SAMPLE_RATE:
                                    resampled_from[piece_id] = header.sample_rate
                except CorpusError as error:
                    if task.on_error == "fail":
                        raise
                    # A file that fails after some of its pieces leaves none of them behind.
                    writer.truncate(start)
                    for piece_id in ids[written:]:
                        resampled_from.pop(piece_id, None)
                    del ids[written:], lengths[written:], speaker_ids[written:]
                    skipped.append(dataclasses.asdict(SkippedFile(str(utterance.path), _reason(error, utterance))))
                sources_done += 1
                _progress_queue.put(1)
    except CorpusError as error:
        temporary.unlink(missing_ok=True)
        return {"error": str(error)}
    if sources_done < len(task.utterances):  # Stopped mid-shard.
        temporary.unlink(missing_ok=True)
        return {}
    shard_path = task.output_dir / task.file
    replace_durably(temporary, shard_path)
    record = {
        "schema_version": SCHEMA_VERSION,
        "planned_ids": [utterance.utterance_id for utterance in task.utterances],
        "sources": source_fingerprints(task.utterances),
        "entry": dataclasses.asdict(
            ShardEntry(task.file, shard_path.stat().st_size, ids, lengths, sorted(set(speaker_ids)), speaker_ids)
        ),
        "skipped": skipped,
        "pieces": dataclasses.asdict(task.pieces),
        "resampled_from": resampled_from,
        "too_short": too_short,
    }
    write_json(task.output_dir / PROGRESS_DIR / f"{task.file}.json", record, indent=None)
    return {"file": task.file, "record": record}


def _pieces(pieces: AudioPieces, utterance: Utterance, audio: AudioReader) -> Iterator[tuple[str, np.ndarray]]:
    """``(record id, samples)`` of each piece of an open source file, checked against its header's length.

    Raises:
        CorpusError: As `AudioPieces.pieces`, or the file holds more audio than its header says.
    """
    ids = piece_ids(utterance.utterance_id, pieces.piece_count(audio.header))
    for index, samples in enumerate(pieces.pieces(audio)):
        if index == len(ids):
            raise CorpusError(
                f"{utterance.path}: holds more audio than its header declares ({audio.header.frames} samples)"
            )
        yield ids[index], samples


def _record(utterance: Utterance, record_id: str, samples: np.ndarray) -> UtteranceRecord:
    return UtteranceRecord(
        record_id, utterance.speaker_id, utterance.chapter_id, utterance.transcript, samples, SAMPLE_RATE
    )


def _reason(error: CorpusError, utterance: Utterance) -> str:
    """The error's message without the leading file name, which the skip entry holds."""
    message = str(error)
    prefix = f"{utterance.path}: "
    return message[len(prefix) :] if message.startswith(prefix) else message
