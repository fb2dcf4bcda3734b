"""Built-in demo corpora synthesized with espeak-ng: no download, no root.

`python -m demo librispeech OUT` writes a small LibriSpeech-layout corpus with
CPC-style frame-level phone alignments; `python -m demo speechcommands OUT`
writes a small Speech Commands v0.01-layout keyword-spotting set. Both are
byte-identical for a given `--seed`, whatever the number of workers.

This module holds what both corpora share: the user-error exception, the
staged writing of an output directory and the process pool that keeps
espeak-ng's output reproducible.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
import soundfile
import tqdm

from cli.progress_display import progress_bar_options
from cli.user_error import UserError

DEMO_SIGNATURE = "Synthetic demo corpus written by `python -m demo`"
"""First line of the README a demo corpus carries; marks a directory as safe to replace."""

_Job = TypeVar("_Job")
_Result = TypeVar("_Result")


class DemoConfigError(UserError):
    """A demo-corpus setting or output location is unusable (a user error)."""


@contextlib.contextmanager
def staged_output_directory(output_dir: Path, readme_name: str) -> Iterator[Path]:
    """Lets a corpus be written next to `output_dir` and moved there when complete.

    Writing into a hidden sibling and renaming it at the end means an
    interrupted run never leaves a half-written corpus at `output_dir`, and a
    re-run never mixes in stale files from an earlier, differently sized run.

    Args:
        output_dir: Where the finished corpus goes. It may be missing, an empty
            directory, or an earlier demo corpus (recognized by the first line
            of its README), which is replaced.
        readme_name: File name of the corpus's README inside `output_dir`.

    Yields:
        The empty staging directory to write the corpus into.

    Raises:
        DemoConfigError: If `output_dir` holds something else, or its parent
            cannot be written.
    """
    output_dir = Path(output_dir)
    if output_dir.exists() and not _is_replaceable(output_dir, readme_name):
        raise DemoConfigError(
            f"output directory {output_dir} exists and is not an earlier demo corpus; choose a new or empty directory"
        )
    staging_dir = output_dir.parent / f".{output_dir.name}.partial-{os.getpid()}"
    try:
        output_dir.parent.mkdir(parents=True, exist_ok=True)
        if staging_dir.exists():
            shutil.rmtree(staging_dir)
        staging_dir.mkdir()
    except OSError as error:
        raise DemoConfigError(f"cannot write output directory {output_dir}: {error.strerror or error}") from error
    try:
        yield staging_dir
    except BaseException:
        shutil.rmtree(staging_dir, ignore_errors=True)
        raise
    if output_dir.exists():
        retired_dir = output_dir.parent / f".{output_dir.name}.old-{os.getpid()}"
        output_dir.rename(retired_dir)
        staging_dir.rename(output_dir)
        shutil.rmtree(retired_dir)
    else:
        staging_dir.rename(output_dir)


def _is_replaceable(output_dir: Path, readme_name: str) -> bool:
    if not output_dir.is_dir():
        return False
    if not any(output_dir.iterdir()):
        return True
    readme = output_dir / readme_name
    try:
        with readme.open(encoding="utf-8") as file:
            return file.readline().strip() == DEMO_SIGNATURE
    except (OSError, UnicodeDecodeError):
        return False


def run_in_fresh_processes(
    function: Callable[[_Job], _Result], jobs: Sequence[_Job], workers: int, description: str, unit: str
) -> list[_Result]:
    """Runs `function` on every job, each in a process of its own.

    espeak-ng's output depends on what its process synthesized before (see
    demo.espeak_synthesizer), so every job starts from a fresh process; that
    makes results independent of scheduling and of the worker count. Processes
    are forked from a server that has already imported `function`'s module,
    which keeps the start-up cost to a few milliseconds per job.

    Args:
        function: Module-level function to call on each job.
        jobs: Picklable job descriptions.
        workers: Number of jobs run at the same time.
        description: Label of the progress bar.
        unit: What one job is, for the progress bar (e.g. "speaker").

    Returns:
        The results, in the order of `jobs`.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", function.__module__])
    results: list[_Result | None] = [None] * len(jobs)
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=context, max_tasks_per_child=1
    ) as executor:
        futures = {executor.submit(function, job): index for index, job in enumerate(jobs)}
        with tqdm.tqdm(**progress_bar_options(), total=len(jobs), desc=description, unit=unit) as progress:
            for future in concurrent.futures.as_completed(futures):
                results[futures[future]] = future.result()
                progress.update()
    return results


def write_pcm16(path: Path, samples: np.ndarray, sample_rate: int, audio_format: str) -> None:
    """Writes mono audio as 16-bit PCM, clipping to the representable range.

    Args:
        path: Destination file.
        samples: Float audio in [-1, 1], shape `(samples,)`.
        sample_rate: Sample rate in Hz.
        audio_format: libsndfile container, "FLAC" or "WAV".
    """
    quantized = np.clip(np.round(samples * 32767.0), -32768, 32767).astype(np.int16)
    soundfile.write(path, quantized, sample_rate, subtype="PCM_16", format=audio_format)
