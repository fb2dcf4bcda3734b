"""Command line: `python -m demo {librispeech,speechcommands} OUT [flags]`."""

from __future__ import annotations

import cli.tensorflow_environment

import argparse
import dataclasses
import functools
import sys
from pathlib import Path

from cli.one_line_error_parser import OneLineErrorParser
from cli.reported_errors import run_reporting_errors
from cli.usable_cores import usable_cores
from demo.librispeech_corpus import LibriSpeechCorpus, LibriSpeechDemoConfig
from demo.speechcommands_corpus import SpeechCommandsCorpus, SpeechCommandsDemoConfig


def _config_default(config_class: type, field_name: str):
    """The dataclass default of a config field, so flags and API agree."""
    return next(field.default for field in dataclasses.fields(config_class) if field.name == field_name)


def _build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="python -m demo",
        description="Synthesize small demo corpora with espeak-ng: no download, no root "
        "needed, byte-identical output for a given --seed.",
    )
    subcommands = parser.add_subparsers(dest="corpus", required=True, metavar="CORPUS")
    librispeech_default = functools.partial(_config_default, LibriSpeechDemoConfig)
    speechcommands_default = functools.partial(_config_default, SpeechCommandsDemoConfig)
    workers_help = (
        "processes generating speakers in parallel (default: "
        f"{usable_cores()}, the cores available); does not change the output"
    )

    librispeech = subcommands.add_parser(
        "librispeech",
        help="LibriSpeech-layout corpus with CPC-format phone alignments",
        description="Write a LibriSpeech root (SPEAKERS.TXT, CHAPTERS.TXT, "
        "<split>/<speaker>/<chapter>/*.flac and *.trans.txt) with a training and a "
        "development split of disjoint speakers, plus alignments/ with frame-level "
        "phone labels in the CPC paper's format.",
    )
    librispeech.add_argument(
        "output_dir", type=Path, metavar="OUT", help="corpus root to create; an earlier demo corpus there is replaced"
    )
    librispeech.add_argument(
        "--seed",
        type=int,
        default=librispeech_default("seed"),
        help="seed of all random choices (default: %(default)s)",
    )
    librispeech.add_argument(
        "--train-split",
        default=librispeech_default("train_split"),
        help="name of the training split (default: %(default)s)",
    )
    librispeech.add_argument(
        "--dev-split",
        default=librispeech_default("dev_split"),
        help="name of the development split (default: %(default)s)",
    )
    librispeech.add_argument(
        "--train-speakers",
        type=int,
        default=librispeech_default("train_speakers"),
        help="speakers in the training split (default: %(default)s)",
    )
    librispeech.add_argument(
        "--dev-speakers",
        type=int,
        default=librispeech_default("dev_speakers"),
        help="speakers in the development split (default: %(default)s)",
    )
    librispeech.add_argument(
        "--utterances-per-speaker",
        type=int,
        default=librispeech_default("utterances_per_speaker"),
        help="2-15 s utterances read by each speaker, at least 2 (default: %(default)s)",
    )
    librispeech.add_argument("--workers", type=int, default=usable_cores(), help=workers_help)

    speechcommands = subcommands.add_parser(
        "speechcommands",
        help="Speech Commands v0.01-layout keyword-spotting set",
        description="Write a Speech Commands v0.01 root: <word>/<speaker>_nohash_<n>.wav clips "
        "of 1 s for the 30 words, validation_list.txt and testing_list.txt made "
        "with the dataset's hashing rule, and _background_noise_/.",
    )
    speechcommands.add_argument(
        "output_dir", type=Path, metavar="OUT", help="dataset root to create; an earlier demo set there is replaced"
    )
    speechcommands.add_argument(
        "--seed",
        type=int,
        default=speechcommands_default("seed"),
        help="seed of all random choices (default: %(default)s)",
    )
    speechcommands.add_argument(
        "--speakers",
        type=int,
        default=speechcommands_default("speakers"),
        help="speakers, at least 5 so that validation and testing get 2 each (default: %(default)s)",
    )
    speechcommands.add_argument(
        "--repetitions",
        type=int,
        default=speechcommands_default("repetitions"),
        help="clips per word per speaker (default: %(default)s)",
    )
    speechcommands.add_argument("--workers", type=int, default=usable_cores(), help=workers_help)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs the command line.

    Args:
        argv: Arguments after `python -m demo`; None reads sys.argv.

    Returns:
        The exit status: 0 on success, 2 for a bad flag, an unusable output directory
        or a failed write (a full disk), reported in one line naming the file.
    """
    arguments = _build_parser().parse_args(argv)
    return run_reporting_errors(lambda: _generate(arguments))


def _generate(arguments: argparse.Namespace) -> int:
    if arguments.corpus == "librispeech":
        corpus = LibriSpeechCorpus(
            LibriSpeechDemoConfig(
                output_dir=arguments.output_dir,
                seed=arguments.seed,
                train_split=arguments.train_split,
                dev_split=arguments.dev_split,
                train_speakers=arguments.train_speakers,
                dev_speakers=arguments.dev_speakers,
                utterances_per_speaker=arguments.utterances_per_speaker,
                workers=arguments.workers,
            )
        )
    else:
        corpus = SpeechCommandsCorpus(
            SpeechCommandsDemoConfig(
                output_dir=arguments.output_dir,
                seed=arguments.seed,
                speakers=arguments.speakers,
                repetitions=arguments.repetitions,
                workers=arguments.workers,
            )
        )
    print(corpus.generate().describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
