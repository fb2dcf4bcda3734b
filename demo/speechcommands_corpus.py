"""A small synthetic keyword-spotting set in Speech Commands v0.01's layout.

    OUT/README.md
    OUT/<word>/<speaker>_nohash_<n>.wav   1 s, 16 kHz, mono, 16-bit PCM
    OUT/validation_list.txt, OUT/testing_list.txt   "<word>/<file>.wav" lines
    OUT/_background_noise_/*.wav   longer noise recordings for augmentation

`<speaker>` is 8 lowercase hex digits and `<n>` the repetition. Splits follow
the dataset's own hashing rule (speechcommands.splits.which_split), so every
speaker's clips are in one split; speakers are drawn until validation and
testing hold at least two speakers each.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
import scipy.signal

from cli.usable_cores import usable_cores
from demo import (
    DEMO_SIGNATURE,
    DemoConfigError,
    run_in_fresh_processes,
    staged_output_directory,
    write_pcm16,
)
from demo.espeak_synthesizer import PAUSE_MNEMONICS, EspeakSynthesizer
from demo.speaker_voice import SpeakerVoice, pink_noise
from speechcommands.splits import which_split

WORDS = (
    "bed",
    "bird",
    "cat",
    "dog",
    "down",
    "eight",
    "five",
    "four",
    "go",
    "happy",
    "house",
    "left",
    "marvin",
    "nine",
    "no",
    "off",
    "on",
    "one",
    "right",
    "seven",
    "sheila",
    "six",
    "stop",
    "three",
    "tree",
    "two",
    "up",
    "wow",
    "yes",
    "zero",
)
"""The 30 words of Speech Commands v0.01, one directory each."""

SAMPLE_RATE = 16000
"""Sample rate of every clip in Hz."""

CLIP_SAMPLES = 16000
"""Length of every clip: one second."""

BACKGROUND_NOISE_SECONDS = 10
"""Length of each file in `_background_noise_`."""

MIN_SPEAKERS_PER_EVALUATION_SPLIT = 2
"""Speakers guaranteed in each of validation and testing."""

# Random streams are keyed (seed, corpus, purpose[, speaker index]); the
# corpus key keeps these speakers apart from the LibriSpeech demo's.
_SPEECHCOMMANDS_STREAM = 2
_PLAN_PURPOSE, _SPEAKER_PURPOSE, _NOISE_PURPOSE = range(3)
_WORD_MARGIN_SAMPLES = 480
_MAX_RATE = 450
_PUNCTUATION_CHOICES = (".", ".", "!", "?")


@dataclasses.dataclass(frozen=True)
class SpeechCommandsDemoConfig:
    """What `python -m demo speechcommands` generates.

    Attributes:
        output_dir: Dataset root to write; see staged_output_directory for
            what may already be there.
        seed: Seed of every random choice; equal seeds give identical files.
        speakers: Number of speakers; each says every word.
        repetitions: How many clips each speaker records of each word.
        workers: Processes generating speakers in parallel.
    """

    output_dir: Path
    seed: int = 0
    speakers: int = 30
    repetitions: int = 1
    workers: int = dataclasses.field(default_factory=usable_cores)

    def __post_init__(self):
        if self.seed < 0:
            raise DemoConfigError(f"--seed must be non-negative, got {self.seed}")
        minimum_speakers = 2 * MIN_SPEAKERS_PER_EVALUATION_SPLIT + 1
        for flag, value, minimum in (
            ("--speakers", self.speakers, minimum_speakers),
            ("--repetitions", self.repetitions, 1),
            ("--workers", self.workers, 1),
        ):
            if value < minimum:
                raise DemoConfigError(f"{flag} must be at least {minimum}, got {value}")


@dataclasses.dataclass(frozen=True)
class SpeechCommandsDemoSummary:
    """What a generation run produced.

    Attributes:
        output_dir: The dataset root.
        clips: Number of word clips written.
        speakers: Number of speakers per split ("training", "validation", "testing").
        elapsed_seconds: Wall-clock time the generation took.
    """

    output_dir: Path
    clips: int
    speakers: dict[str, int]
    elapsed_seconds: float

    def describe(self) -> str:
        """One line summarizing the run, for the command line."""
        split_counts = ", ".join(f"{count} {split}" for split, count in self.speakers.items())
        return (
            f"wrote Speech Commands demo set to {self.output_dir} ({self.clips} clips of "
            f"{len(WORDS)} words from {sum(self.speakers.values())} speakers: {split_counts}) "
            f"in {self.elapsed_seconds:.1f} s"
        )


@dataclasses.dataclass(frozen=True)
class _SpeakerJob:
    staging_dir: Path
    speaker: str
    voice: SpeakerVoice
    repetitions: int
    seed: tuple[int, ...]


class SpeechCommandsCorpus:
    """Generator of the synthetic Speech Commands-layout set.

    Every speaker and clip is decided by `config.seed`; each speaker is
    rendered by a fresh worker process so the files do not depend on
    `config.workers`.

    Args:
        config: What to generate and where.
    """

    def __init__(self, config: SpeechCommandsDemoConfig):
        self.config = config
        rng = np.random.default_rng(self._stream_key(_PLAN_PURPOSE))
        self._speakers = _draw_speakers(rng, config.speakers)
        self._voices = SpeakerVoice.random_speakers(rng, config.speakers)

    @property
    def speaker_voices(self) -> dict[str, SpeakerVoice]:
        """The voice of every speaker, by the speaker's 8-digit hex name."""
        return dict(zip(self._speakers, self._voices))

    def generate(self) -> SpeechCommandsDemoSummary:
        """Writes the set to `config.output_dir`, showing a progress bar.

        Returns:
            Counts of what was written.

        Raises:
            DemoConfigError: If the output directory cannot be used.
        """
        started = time.monotonic()
        with staged_output_directory(self.config.output_dir, "README.md") as staging_dir:
            for word in WORDS:
                (staging_dir / word).mkdir()
            jobs = [
                _SpeakerJob(
                    staging_dir, speaker, voice, self.config.repetitions, self._stream_key(_SPEAKER_PURPOSE, index)
                )
                for index, (speaker, voice) in enumerate(zip(self._speakers, self._voices))
            ]
            clip_lists = run_in_fresh_processes(
                _generate_speaker, jobs, self.config.workers, "speechcommands", "speaker"
            )
            clips = sorted(clip for clip_list in clip_lists for clip in clip_list)
            for split in ("validation", "testing"):
                (staging_dir / f"{split}_list.txt").write_text(
                    "".join(f"{clip}\n" for clip in clips if which_split(clip) == split), encoding="utf-8"
                )
            self._write_background_noise(staging_dir / "_background_noise_")
            (staging_dir / "README.md").write_text(
                f"{DEMO_SIGNATURE}\n\n"
                "Spoken words synthesized with espeak-ng, laid out like the Speech Commands\n"
                "dataset v0.01 (one directory per word, 1 s 16 kHz clips named\n"
                "<speaker>_nohash_<n>.wav, validation_list.txt and testing_list.txt made with\n"
                "the dataset's hashing rule). For trying the toolkit without data only.\n\n"
                f"seed: {self.config.seed}\n",
                encoding="utf-8",
            )
        speakers = {
            split: sum(which_split(speaker) == split for speaker in self._speakers)
            for split in ("training", "validation", "testing")
        }
        return SpeechCommandsDemoSummary(self.config.output_dir, len(clips), speakers, time.monotonic() - started)

    def _stream_key(self, *purpose: int) -> tuple[int, ...]:
        return (self.config.seed, _SPEECHCOMMANDS_STREAM, *purpose)

    def _write_background_noise(self, directory: Path) -> None:
        directory.mkdir()
        rng = np.random.default_rng(self._stream_key(_NOISE_PURPOSE))
        num_samples = BACKGROUND_NOISE_SECONDS * SAMPLE_RATE
        noises = {
            "white_noise": 0.1 * rng.standard_normal(num_samples),
            "pink_noise": 0.1 * pink_noise(rng, num_samples),
            "running_tap": _running_tap(rng, num_samples),
            "exercise_bike": _exercise_bike(rng, num_samples),
        }
        for name, samples in noises.items():
            write_pcm16(directory / f"{name}.wav", samples, SAMPLE_RATE, "WAV")
        (directory / "README.md").write_text(
            "Longer synthetic noise recordings to mix into clips as background noise:\n"
            + "".join(f"- {name}.wav\n" for name in noises),
            encoding="utf-8",
        )


def _draw_speakers(rng: np.random.Generator, count: int) -> list[str]:
    """Draws distinct speaker hashes until every split has its share."""
    evaluation_quota = max(MIN_SPEAKERS_PER_EVALUATION_SPLIT, round(0.1 * count))
    quotas = {"validation": evaluation_quota, "testing": evaluation_quota, "training": count - 2 * evaluation_quota}
    speakers: list[str] = []
    while len(speakers) < count:
        speaker = f"{int(rng.integers(0, 2**32)):08x}"
        split = which_split(speaker)
        if quotas[split] > 0 and speaker not in speakers:
            quotas[split] -= 1
            speakers.append(speaker)
    return speakers


def _generate_speaker(job: _SpeakerJob) -> list[str]:
    """Synthesizes and writes all clips of one speaker (worker side).

    Returns:
        The clips' paths relative to the dataset root, e.g. "yes/0a7c2a8d_nohash_0.wav".
    """
    synthesizer = EspeakSynthesizer(SAMPLE_RATE)
    rng = np.random.default_rng(job.seed)
    clips = []
    for word in WORDS:
        for repetition in range(job.repetitions):
            # A person never says a word twice the same way.
            voice = dataclasses.replace(
                job.voice,
                pitch=int(np.clip(job.voice.pitch + rng.integers(-4, 5), 0, 100)),
                rate=int(job.voice.rate + rng.integers(-10, 11)),
            )
            text = word + _PUNCTUATION_CHOICES[int(rng.integers(len(_PUNCTUATION_CHOICES)))]
            clip = _record_clip(synthesizer, voice, text, rng)
            relative_path = f"{word}/{job.speaker}_nohash_{repetition}.wav"
            write_pcm16(job.staging_dir / relative_path, clip, SAMPLE_RATE, "WAV")
            clips.append(relative_path)
    return clips


def _record_clip(
    synthesizer: EspeakSynthesizer, voice: SpeakerVoice, text: str, rng: np.random.Generator
) -> np.ndarray:
    """Returns one second of noise with the spoken word at a random offset."""
    while True:
        speech = voice.speak(synthesizer, text)
        spoken = [event.start_sample for event in speech.phonemes if event.mnemonic not in PAUSE_MNEMONICS]
        final_pause = speech.phonemes[-1].start_sample
        start = max(0, spoken[0] - _WORD_MARGIN_SAMPLES)
        end = min(speech.samples.size, final_pause + _WORD_MARGIN_SAMPLES)
        if end - start <= CLIP_SAMPLES or voice.rate >= _MAX_RATE:
            break
        voice = dataclasses.replace(voice, rate=min(_MAX_RATE, int(voice.rate * 1.25)))
    word = speech.samples[start : start + CLIP_SAMPLES]
    offset = int(rng.integers(0, CLIP_SAMPLES - word.size + 1))
    clip = np.zeros(CLIP_SAMPLES, np.float32)
    clip[offset : offset + word.size] = word
    return voice.add_background_noise(clip, rng)


def _running_tap(rng: np.random.Generator, num_samples: int) -> np.ndarray:
    """Hiss of flowing water with a wandering level and droplet plinks."""
    sos = scipy.signal.butter(4, (400, 5000), btype="bandpass", fs=SAMPLE_RATE, output="sos")
    hiss = scipy.signal.sosfilt(sos, rng.standard_normal(num_samples))
    hiss /= np.sqrt(np.mean(np.square(hiss)))
    wander = scipy.signal.sosfilt(
        scipy.signal.butter(2, 2, fs=SAMPLE_RATE, output="sos"), rng.standard_normal(num_samples)
    )
    envelope = np.clip(1.0 + 0.3 * wander / np.std(wander), 0.3, 2.0)
    plinks = np.zeros(num_samples)
    decay = np.exp(-np.arange(800) / 120.0)
    for onset in rng.integers(0, num_samples - decay.size, size=8 * BACKGROUND_NOISE_SECONDS):
        frequency = rng.uniform(600, 2500)
        plinks[onset : onset + decay.size] += decay * np.sin(
            2 * np.pi * frequency * np.arange(decay.size) / SAMPLE_RATE
        )
    return 0.08 * hiss * envelope + 0.05 * plinks


def _exercise_bike(rng: np.random.Generator, num_samples: int) -> np.ndarray:
    """Rhythmic whoosh of a flywheel over a low mechanical hum."""
    seconds = np.arange(num_samples) / SAMPLE_RATE
    sos = scipy.signal.butter(4, 1500, fs=SAMPLE_RATE, output="sos")
    whoosh = scipy.signal.sosfilt(sos, rng.standard_normal(num_samples))
    whoosh /= np.sqrt(np.mean(np.square(whoosh)))
    pedalling_hz = rng.uniform(1.0, 1.6)
    rhythm = (0.6 + 0.4 * np.sin(2 * np.pi * pedalling_hz * seconds)) ** 2
    hum_hz = rng.uniform(70, 110)
    hum = sum(np.sin(2 * np.pi * harmonic * hum_hz * seconds) / harmonic for harmonic in (1, 2, 3))
    return 0.08 * whoosh * rhythm + 0.02 * hum
