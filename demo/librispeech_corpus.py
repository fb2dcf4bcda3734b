"""A small synthetic corpus in LibriSpeech's layout, with CPC phone alignments.

The corpus mirrors a real LibriSpeech root closely enough that code written
for LibriSpeech runs on it unchanged:

    OUT/README.TXT, OUT/SPEAKERS.TXT, OUT/CHAPTERS.TXT
    OUT/<split>/<speaker>/<chapter>/<speaker>-<chapter>-<utt:04d>.flac
    OUT/<split>/<speaker>/<chapter>/<speaker>-<chapter>.trans.txt

It also carries the frame-level phone labels in the format of the CPC paper's
LibriSpeech labels (which ship separately from LibriSpeech itself):

    OUT/alignments/converted_aligned_phones.txt  "<utt-id> l1 l2 ..." per utterance
    OUT/alignments/train_split.txt, test_split.txt  training-split utterance ids
    OUT/alignments/phones.txt  "<id> <symbol>", id 0 is silence

There is one label per 10 ms frame (160 samples): utterance of N samples has
floor(N / 160) labels, label i being the phone sounding at sample 160 i + 80,
the frame's centre. Labels come from espeak-ng's phoneme events, mapped onto
the 39 ARPAbet phones of the CMU dictionary plus silence.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from cli.usable_cores import usable_cores
from demo import (
    DEMO_SIGNATURE,
    DemoConfigError,
    run_in_fresh_processes,
    staged_output_directory,
    write_pcm16,
)
from demo.espeak_synthesizer import PAUSE_MNEMONICS, EspeakSynthesizer, PhonemeEvent
from demo.speaker_voice import SpeakerVoice
from demo.vocabulary import SentenceGenerator

SAMPLE_RATE = 16000
"""Sample rate of the corpus audio in Hz, as in LibriSpeech."""

FRAME_SAMPLES = 160
"""Samples per alignment frame: 10 ms at 16 kHz."""

MIN_UTTERANCE_SECONDS = 2.0
"""Shortest utterance generated, silences included."""

MAX_UTTERANCE_SECONDS = 15.0
"""Longest utterance generated, silences included."""

PHONES = (
    "SIL",
    "AA",
    "AE",
    "AH",
    "AO",
    "AW",
    "AY",
    "EH",
    "ER",
    "EY",
    "IH",
    "IY",
    "OW",
    "OY",
    "UH",
    "UW",
    "B",
    "CH",
    "D",
    "DH",
    "F",
    "G",
    "HH",
    "JH",
    "K",
    "L",
    "M",
    "N",
    "NG",
    "P",
    "R",
    "S",
    "SH",
    "T",
    "TH",
    "V",
    "W",
    "Y",
    "Z",
    "ZH",
)
"""Phone symbols in id order (the line order of phones.txt); id 0 is silence."""

VOWELS = frozenset(PHONES[1:16])
"""The vowel and diphthong symbols among PHONES."""

ESPEAK_TO_PHONE = {
    "0": "AA",
    "0#": "AA",
    "A:": "AA",
    "A@": "AA",
    "a": "AE",
    "aa": "AE",
    "@": "AH",
    "@2": "AH",
    "@5": "AH",
    "a#": "AH",
    "V": "AH",
    "O": "AO",
    "O:": "AO",
    "O2": "AO",
    "O@": "AO",
    "o@": "AO",
    "aU": "AW",
    "aU@": "AW",
    "aI": "AY",
    "aI2": "AY",
    "aI3": "AY",
    "aI@": "AY",
    "E": "EH",
    "e": "EH",
    "e@": "EH",
    "3": "ER",
    "3:": "ER",
    "IR": "ER",
    "VR": "ER",
    "eI": "EY",
    "I": "IH",
    "I#": "IH",
    "I2": "IH",
    "i@": "IH",
    "i@3": "IH",
    "i": "IY",
    "i:": "IY",
    "oU": "OW",
    "oU#": "OW",
    "OI": "OY",
    "U": "UH",
    "U@": "UH",
    "u": "UW",
    "u:": "UW",
    "b": "B",
    "tS": "CH",
    "d": "D",
    "d#": "D",
    "D": "DH",
    "f": "F",
    "g": "G",
    "h": "HH",
    "dZ": "JH",
    "k": "K",
    "x": "K",
    "l": "L",
    "l/": "L",
    "@L": "L",
    "m": "M",
    "n": "N",
    "n-": "N",
    "N": "NG",
    "p": "P",
    "r": "R",
    "r-": "R",
    "s": "S",
    "S": "SH",
    "t": "T",
    "t#": "T",
    "t2": "T",
    "t[": "T",
    "?": "T",
    "T": "TH",
    "v": "V",
    "w": "W",
    "w#": "W",
    "W": "W",
    "j": "Y",
    ";": "Y",
    "z": "Z",
    "z#": "Z",
    "Z": "ZH",
}
"""espeak-ng English phoneme mnemonics (stress marks removed) to PHONES symbols.

Reduced and accent-specific variants fold into the nearest ARPAbet phone:
flaps and glottal stops count as T, r-coloured vowels as their vowel,
syllabic consonants as the consonant, and the linking glide `;` that espeak-ng
inserts between a final /i/ and a following vowel ("he almost") as Y.
"""

_STRESS_MARKS = "',%="
# Random streams are keyed (seed, corpus, purpose[, speaker index]) so that,
# e.g., the chapter tables never share numbers with a speaker's sentences.
_LIBRISPEECH_STREAM = 1
_PLAN_PURPOSE, _SPEAKER_PURPOSE, _TABLES_PURPOSE, _PHONE_SPLIT_PURPOSE = range(4)
_FIRST_SPEAKER_ID = 10
_LAST_SPEAKER_ID = 9999
_MAX_SENTENCE_ATTEMPTS = 50


@dataclasses.dataclass(frozen=True)
class LibriSpeechDemoConfig:
    """What `python -m demo librispeech` generates.

    Attributes:
        output_dir: LibriSpeech root to write; see staged_output_directory
            for what may already be there.
        seed: Seed of every random choice; equal seeds give identical files.
        train_split: Name of the training split directory.
        dev_split: Name of the development split directory.
        train_speakers: Number of speakers in the training split.
        dev_speakers: Number of speakers in the development split, disjoint
            from the training speakers.
        utterances_per_speaker: Utterances each speaker reads, spread over
            their one or two chapters.
        workers: Processes generating speakers in parallel.
    """

    output_dir: Path
    seed: int = 0
    train_split: str = "train-clean-100"
    dev_split: str = "dev-clean"
    train_speakers: int = 16
    dev_speakers: int = 4
    utterances_per_speaker: int = 8
    workers: int = dataclasses.field(default_factory=usable_cores)

    def __post_init__(self):
        if self.seed < 0:
            raise DemoConfigError(f"--seed must be non-negative, got {self.seed}")
        for flag, split in (("--train-split", self.train_split), ("--dev-split", self.dev_split)):
            if not split or split in {".", ".."} or "/" in split or "\\" in split or "|" in split:
                raise DemoConfigError(f"{flag} {split!r} is not a usable directory name")
        if self.train_split == self.dev_split:
            raise DemoConfigError(f"--train-split and --dev-split must differ, both are {self.train_split!r}")
        for flag, value, minimum in (
            ("--train-speakers", self.train_speakers, 1),
            ("--dev-speakers", self.dev_speakers, 1),
            ("--utterances-per-speaker", self.utterances_per_speaker, 2),
            ("--workers", self.workers, 1),
        ):
            if value < minimum:
                raise DemoConfigError(f"{flag} must be at least {minimum}, got {value}")
        available_ids = _LAST_SPEAKER_ID - _FIRST_SPEAKER_ID + 1
        if self.train_speakers + self.dev_speakers > available_ids:
            raise DemoConfigError(
                f"--train-speakers plus --dev-speakers must be at most {available_ids}, got "
                f"{self.train_speakers + self.dev_speakers}"
            )


@dataclasses.dataclass(frozen=True)
class LibriSpeechDemoSummary:
    """What a generation run produced.

    Attributes:
        output_dir: The corpus root.
        utterances: Number of utterances per split name.
        seconds: Total audio duration in seconds per split name.
        speakers: Number of speakers per split name.
        elapsed_seconds: Wall-clock time the generation took.
    """

    output_dir: Path
    utterances: dict[str, int]
    seconds: dict[str, float]
    speakers: dict[str, int]
    elapsed_seconds: float

    def describe(self) -> str:
        """One line summarizing the run, for the command line."""
        splits = ", ".join(
            f"{split}: {self.speakers[split]} speakers, {self.utterances[split]} utterances, "
            f"{self.seconds[split] / 60:.1f} min"
            for split in self.utterances
        )
        return f"wrote LibriSpeech demo corpus to {self.output_dir} ({splits}) in {self.elapsed_seconds:.1f} s"


@dataclasses.dataclass(frozen=True)
class _Chapter:
    chapter_id: int
    utterances: int


@dataclasses.dataclass(frozen=True)
class _SpeakerJob:
    staging_dir: Path
    split: str
    speaker_id: int
    voice: SpeakerVoice
    chapters: tuple[_Chapter, ...]
    seed: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class _UtteranceRecord:
    utterance_id: str
    chapter_id: int
    num_samples: int
    labels: np.ndarray


@dataclasses.dataclass(frozen=True)
class _SpeakerPlan:
    split: str
    speaker_id: int
    voice: SpeakerVoice
    chapters: tuple[_Chapter, ...]


class LibriSpeechCorpus:
    """Generator of the synthetic LibriSpeech-layout corpus.

    Every speaker, chapter and utterance is decided by `config.seed`; each
    speaker is rendered by a fresh worker process so the files do not depend
    on `config.workers`.

    Args:
        config: What to generate and where.
    """

    def __init__(self, config: LibriSpeechDemoConfig):
        self.config = config
        self._plans = self._plan_speakers()

    @property
    def speaker_voices(self) -> dict[int, SpeakerVoice]:
        """The voice of every speaker, by LibriSpeech speaker id."""
        return {plan.speaker_id: plan.voice for plan in self._plans}

    def generate(self) -> LibriSpeechDemoSummary:
        """Writes the corpus to `config.output_dir`, showing a progress bar.

        Returns:
            Counts and durations of what was written.

        Raises:
            DemoConfigError: If the output directory cannot be used.
        """
        started = time.monotonic()
        with staged_output_directory(self.config.output_dir, "README.TXT") as staging_dir:
            jobs = [
                _SpeakerJob(
                    staging_dir,
                    plan.split,
                    plan.speaker_id,
                    plan.voice,
                    plan.chapters,
                    self._stream_key(_SPEAKER_PURPOSE, index),
                )
                for index, plan in enumerate(self._plans)
            ]
            records = run_in_fresh_processes(_generate_speaker, jobs, self.config.workers, "librispeech", "speaker")
            self._write_metadata(staging_dir, records)
            self._write_alignments(staging_dir / "alignments", records)
        utterances: dict[str, int] = defaultdict(int)
        seconds: dict[str, float] = defaultdict(float)
        speakers: dict[str, int] = defaultdict(int)
        for plan, speaker_records in zip(self._plans, records):
            speakers[plan.split] += 1
            utterances[plan.split] += len(speaker_records)
            seconds[plan.split] += sum(r.num_samples for r in speaker_records) / SAMPLE_RATE
        return LibriSpeechDemoSummary(
            self.config.output_dir, dict(utterances), dict(seconds), dict(speakers), time.monotonic() - started
        )

    def _stream_key(self, *purpose: int) -> tuple[int, ...]:
        return (self.config.seed, _LIBRISPEECH_STREAM, *purpose)

    def _plan_speakers(self) -> list[_SpeakerPlan]:
        config = self.config
        rng = np.random.default_rng(self._stream_key(_PLAN_PURPOSE))
        total = config.train_speakers + config.dev_speakers
        speaker_ids = rng.choice(np.arange(_FIRST_SPEAKER_ID, _LAST_SPEAKER_ID + 1), total, replace=False)
        voices = SpeakerVoice.random_speakers(rng, total)
        chapter_ids = rng.choice(np.arange(1000, 400000), 2 * total, replace=False)
        splits = [config.train_split] * config.train_speakers + [config.dev_split] * config.dev_speakers
        plans = []
        for index, (split, speaker_id, voice) in enumerate(zip(splits, speaker_ids, voices)):
            chapter_count = 2 if rng.random() < 0.4 and config.utterances_per_speaker >= 4 else 1
            first_chapter_utterances = (
                int(rng.integers(2, config.utterances_per_speaker - 1))
                if chapter_count == 2
                else config.utterances_per_speaker
            )
            utterance_counts = [first_chapter_utterances, config.utterances_per_speaker - first_chapter_utterances]
            chapters = tuple(
                _Chapter(int(chapter_ids[2 * index + number]), count)
                for number, count in enumerate(utterance_counts[:chapter_count])
            )
            plans.append(_SpeakerPlan(split, int(speaker_id), voice, chapters))
        # Real listings keep each split's speakers in id order.
        return sorted(plans, key=lambda plan: (plan.split != config.train_split, plan.speaker_id))

    def _write_metadata(self, root: Path, records: list[list[_UtteranceRecord]]) -> None:
        (root / "README.TXT").write_text(
            f"{DEMO_SIGNATURE}\n\n"
            "Sentences from a built-in vocabulary read by espeak-ng voices, laid out like the\n"
            "LibriSpeech ASR corpus (openslr.org/12). For trying the toolkit without data only.\n\n"
            f"seed: {self.config.seed}\n"
            f"splits: {self.config.train_split} (training), {self.config.dev_split} (development)\n"
            "alignments/: frame-level phone labels in the format of the CPC paper's LibriSpeech\n"
            "labels, one label per 10 ms frame, floor(samples / 160) labels per utterance.\n",
            encoding="utf-8",
        )
        speaker_lines = [
            "; Readers of the synthetic demo corpus; every one is an espeak-ng voice.",
            "; Fields, pipe (|) separated: reader id, sex ('F' or 'M'), corpus subset,",
            "; minutes of speech in the corpus, name (here: the espeak-ng settings).",
            ";",
            ";ID  |SEX| SUBSET           |MINUTES| NAME",
        ]
        chapter_lines = [
            "; Chapters of the synthetic demo corpus.",
            "; Fields, pipe (|) separated: chapter id, reader id, minutes in the corpus, subset,",
            "; project id, book id, chapter title, project title (all invented).",
            ";",
            ";ID    |READER|MINUTES| SUBSET           | PROJ.|BOOK ID| CH. TITLE          | PROJECT TITLE",
        ]
        rng = np.random.default_rng(self._stream_key(_TABLES_PURPOSE))
        for plan, speaker_records in zip(self._plans, records):
            minutes = sum(record.num_samples for record in speaker_records) / SAMPLE_RATE / 60
            name = f"espeak-ng {plan.voice.espeak_voice} pitch {plan.voice.pitch} rate {plan.voice.rate}"
            speaker_lines.append(f"{plan.speaker_id:<5}| {plan.voice.sex} | {plan.split:<17}| {minutes:5.2f} | {name}")
            for number, chapter in enumerate(plan.chapters, start=1):
                chapter_minutes = (
                    sum(record.num_samples for record in speaker_records if record.chapter_id == chapter.chapter_id)
                    / SAMPLE_RATE
                    / 60
                )
                project_id = int(rng.integers(100, 20000))
                book_id = int(rng.integers(100, 60000))
                chapter_lines.append(
                    f"{chapter.chapter_id:<7}| {plan.speaker_id:<5}| {chapter_minutes:5.2f} | "
                    f"{plan.split:<17}| {project_id:<5}| {book_id:<6}| "
                    f"{f'Chapter {number:02d}':<19}| Demo Sentences, Volume {project_id % 7 + 1}"
                )
        (root / "SPEAKERS.TXT").write_text("\n".join(speaker_lines) + "\n", encoding="utf-8")
        (root / "CHAPTERS.TXT").write_text("\n".join(chapter_lines) + "\n", encoding="utf-8")

    def _write_alignments(self, directory: Path, records: list[list[_UtteranceRecord]]) -> None:
        directory.mkdir()
        (directory / "phones.txt").write_text(
            "".join(f"{index} {symbol}\n" for index, symbol in enumerate(PHONES)), encoding="utf-8"
        )
        all_records = sorted(
            (record for speaker_records in records for record in speaker_records),
            key=lambda record: record.utterance_id,
        )
        (directory / "converted_aligned_phones.txt").write_text(
            "".join(f"{record.utterance_id} {' '.join(map(str, record.labels.tolist()))}\n" for record in all_records),
            encoding="utf-8",
        )
        rng = np.random.default_rng(self._stream_key(_PHONE_SPLIT_PURPOSE))
        train_ids: list[str] = []
        test_ids: list[str] = []
        for plan, speaker_records in zip(self._plans, records):
            if plan.split != self.config.train_split:
                continue
            ids = [record.utterance_id for record in speaker_records]
            test_count = min(len(ids) - 1, max(1, round(0.2 * len(ids))))
            shuffled = [ids[i] for i in rng.permutation(len(ids))]
            test_ids.extend(shuffled[:test_count])
            train_ids.extend(shuffled[test_count:])
        (directory / "train_split.txt").write_text(
            "".join(f"{utterance_id}\n" for utterance_id in sorted(train_ids)), encoding="utf-8"
        )
        (directory / "test_split.txt").write_text(
            "".join(f"{utterance_id}\n" for utterance_id in sorted(test_ids)), encoding="utf-8"
        )


def phone_id(mnemonic: str) -> int:
    """Maps an espeak-ng phoneme mnemonic to its id in PHONES.

    Args:
        mnemonic: As reported in a phoneme event, stress marks included.

    Returns:
        0 for pauses, otherwise the index of the corresponding ARPAbet phone.

    Raises:
        KeyError: If the mnemonic is missing from ESPEAK_TO_PHONE.
    """
    if mnemonic in PAUSE_MNEMONICS:
        return 0
    return PHONES.index(ESPEAK_TO_PHONE[mnemonic.lstrip(_STRESS_MARKS)])


def frame_labels(phonemes: tuple[PhonemeEvent, ...], num_samples: int, offset: int = 0) -> np.ndarray:
    """Labels each 10 ms frame with the phone sounding at its centre.

    Args:
        phonemes: Phoneme events in time order; each phoneme lasts until the
            next event starts, the last one until the end of the audio.
        num_samples: Length of the audio the frames cover.
        offset: Samples of silence inserted before the synthesized audio;
            event positions are shifted by it.

    Returns:
        Phone ids of shape `(num_samples // FRAME_SAMPLES,)`, uint8; frames
        before the first event are silence.
    """
    centres = np.arange(num_samples // FRAME_SAMPLES) * FRAME_SAMPLES + FRAME_SAMPLES // 2
    starts = np.array([event.start_sample + offset for event in phonemes], dtype=np.int64)
    ids = np.array([0] + [phone_id(event.mnemonic) for event in phonemes], dtype=np.uint8)
    return ids[np.searchsorted(starts, centres, side="right")]


def _generate_speaker(job: _SpeakerJob) -> list[_UtteranceRecord]:
    """Synthesizes, writes and labels all utterances of one speaker (worker side)."""
    synthesizer = EspeakSynthesizer(SAMPLE_RATE)
    rng = np.random.default_rng(job.seed)
    sentences = SentenceGenerator(rng)
    records = []
    for chapter in job.chapters:
        chapter_dir = job.staging_dir / job.split / str(job.speaker_id) / str(chapter.chapter_id)
        chapter_dir.mkdir(parents=True)
        transcript_lines = []
        for number in range(chapter.utterances):
            utterance_id = f"{job.speaker_id}-{chapter.chapter_id}-{number:04d}"
            samples, labels, words = _synthesize_utterance(synthesizer, job.voice, sentences, rng)
            write_pcm16(chapter_dir / f"{utterance_id}.flac", samples, SAMPLE_RATE, "FLAC")
            transcript_lines.append(f"{utterance_id} {' '.join(words).upper()}\n")
            records.append(_UtteranceRecord(utterance_id, chapter.chapter_id, samples.size, labels))
        (chapter_dir / f"{job.speaker_id}-{chapter.chapter_id}.trans.txt").write_text(
            "".join(transcript_lines), encoding="utf-8"
        )
    return records


def _synthesize_utterance(
    synthesizer: EspeakSynthesizer, voice: SpeakerVoice, sentences: SentenceGenerator, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Returns audio, frame labels and words of one 2-15 s utterance."""
    words_per_second = voice.rate / 60.0
    for _ in range(_MAX_SENTENCE_ATTEMPTS):
        target_seconds = rng.uniform(MIN_UTTERANCE_SECONDS + 1.0, MAX_UTTERANCE_SECONDS - 3.0)
        clauses = sentences.sentence(max(3, round(target_seconds * words_per_second)))
        speech = voice.speak(synthesizer, ", ".join(" ".join(clause) for clause in clauses) + ".")
        lead_in = int(rng.uniform(0.15, 0.5) * SAMPLE_RATE)
        tail = int(rng.uniform(0.15, 0.5) * SAMPLE_RATE)
        num_samples = lead_in + speech.samples.size + tail
        seconds = num_samples / SAMPLE_RATE
        if MIN_UTTERANCE_SECONDS <= seconds <= MAX_UTTERANCE_SECONDS:
            padded = np.concatenate([np.zeros(lead_in, np.float32), speech.samples, np.zeros(tail, np.float32)])
            samples = voice.add_background_noise(padded, rng)
            labels = frame_labels(speech.phonemes, num_samples, offset=lead_in)
            return samples, labels, [word for clause in clauses for word in clause]
    raise RuntimeError(
        f"no sentence of {MIN_UTTERANCE_SECONDS}-{MAX_UTTERANCE_SECONDS} s for voice {voice} "
        f"in {_MAX_SENTENCE_ATTEMPTS} attempts"
    )
