"""``manifest.json``: what a converted split holds, written last so that it marks completion.

The manifest is the list of a split's shards: readers open the files it lists and no
others, so a file in the folder that it does not list (e.g. left by a conversion with
other ``--shards``) is ignored.
"""

import collections
import dataclasses
import json
import pathlib

from artefacts.atomic_files import write_text
from librispeech.corpus_error import CorpusError
from librispeech.record_schema import SCHEMA_VERSION

MANIFEST_NAME = "manifest.json"


@dataclasses.dataclass
class ShardEntry:
    """One complete shard file.

    Attributes:
        file: File name, relative to the split's TFRecord folder.
        num_bytes: File size, to notice a shard that was truncated or replaced.
        utterance_ids: The utterances it holds, in file order.
        num_samples: Each utterance's length in samples, in the same order.
        speakers: The speaker numbers it holds, sorted.
        speaker_ids: Each utterance's speaker number, in file order; None in manifests written
            before they were recorded, whose (LibriSpeech) utterance ids name their speakers.
    """

    file: str
    num_bytes: int
    utterance_ids: list[str]
    num_samples: list[int]
    speakers: list[int]
    speaker_ids: list[int] | None = None

    @property
    def num_records(self) -> int:
        return len(self.utterance_ids)

    def check_file(self, directory: pathlib.Path) -> None:
        """Checks that the shard file is in ``directory`` with the recorded size.

        Raises:
            CorpusError: The file is missing or has another size.
        """
        path = directory / self.file
        if not path.is_file():
            raise CorpusError(f"{path}: shard listed in {MANIFEST_NAME} is missing")
        size = path.stat().st_size
        if size != self.num_bytes:
            raise CorpusError(f"{path}: {size} bytes, {MANIFEST_NAME} records {self.num_bytes}")


@dataclasses.dataclass
class Manifest:
    """A converted split.

    Attributes:
        schema_version: ``record_schema.SCHEMA_VERSION`` of the records.
        split: The split's name, e.g. ``"dev-clean"``.
        source_dir: The LibriSpeech split folder it was converted from.
        sample_rate: Samples per second of every record.
        shards: Every shard, in order.
        skipped: Files left out with ``--on-error skip``, each ``{"path", "reason"}``.
        num_records: Total records over all shards.
        speakers: Every speaker number, sorted.
        total_hours: Total audio, in hours.
        transcripts: Whether the source had transcripts; without, every record's is empty.
        speaker_names: The speaker folder name behind each speaker number, for a converted
            tree of audio files; empty for LibriSpeech, whose folder names are the numbers.
        resampled_from: The original sample rate of every record resampled to ``sample_rate``.
        too_short: Source files left out as shorter than the conversion's minimum.

    The last four were added later: a manifest without them reads as LibriSpeech's
    (transcribed, nothing resampled or left out).
    """

    schema_version: int
    split: str
    source_dir: str
    sample_rate: int
    shards: list[ShardEntry]
    skipped: list[dict]
    num_records: int = 0
    speakers: list[int] = dataclasses.field(default_factory=list)
    total_hours: float = 0.0
    transcripts: bool = True
    speaker_names: dict[str, int] = dataclasses.field(default_factory=dict)
    resampled_from: dict[str, int] = dataclasses.field(default_factory=dict)
    too_short: int = 0

    def __post_init__(self):
        self.num_records = sum(shard.num_records for shard in self.shards)
        self.speakers = sorted({speaker for shard in self.shards for speaker in shard.speakers})
        total_samples = sum(sum(shard.num_samples) for shard in self.shards)
        self.total_hours = total_samples / self.sample_rate / 3600

    def shard_paths(self, directory: pathlib.Path | str) -> list[str]:
        """The shard files' paths under ``directory``, in order."""
        return [str(pathlib.Path(directory) / shard.file) for shard in self.shards]

    def count_shorter_than(self, num_samples: int) -> int:
        """How many records have fewer than ``num_samples`` samples."""
        return sum(length < num_samples for shard in self.shards for length in shard.num_samples)

    def grouped_windows(self, num_samples: int, windows_per_speaker: int) -> int:
        """Records of at least ``num_samples`` samples left once put in whole groups of
        ``windows_per_speaker`` records of one speaker each.

        Speakers are read off each shard's ``speaker_ids`` (of older manifests, off the
        LibriSpeech ids ``<speaker>-<chapter>-<utterance>``), so no shard is opened.
        """
        per_speaker = collections.Counter(
            speaker
            for shard in self.shards
            for speaker, length in zip(
                shard.speaker_ids or [utterance_id.split("-", 1)[0] for utterance_id in shard.utterance_ids],
                shard.num_samples,
                strict=True,
            )
            if length >= num_samples
        )
        return sum(count // windows_per_speaker for count in per_speaker.values()) * windows_per_speaker


def write_manifest(directory: pathlib.Path, manifest: Manifest) -> None:
    """Writes ``manifest.json`` atomically (temporary name, then rename)."""
    write_text(directory / MANIFEST_NAME, json.dumps(dataclasses.asdict(manifest), indent=1) + "\n")


def read_manifest(directory: pathlib.Path | str, verify_files: bool = True) -> Manifest:
    """Reads a converted split's manifest and checks that its shards are there.

    Args:
        directory: The split's TFRecord folder.
        verify_files: Also check that every shard exists with the recorded size.

    Raises:
        CorpusError: No manifest (not a converted split, or an unfinished conversion),
            an unreadable one, another schema version, or shards that disagree with it.
    """
    directory = pathlib.Path(directory).expanduser()
    path = directory / MANIFEST_NAME
    if not directory.is_dir():
        raise CorpusError(f"{directory}: TFRecord directory does not exist (run tfrecords.py first)")
    if not path.is_file():
        raise CorpusError(f"{directory}: no {MANIFEST_NAME}, not a complete conversion (run tfrecords.py)")
    try:
        fields = json.loads(path.read_text())
        fields["shards"] = [ShardEntry(**shard) for shard in fields["shards"]]
        # A field missing from an older manifest takes its default; one without a default is required.
        known = {field.name for field in dataclasses.fields(Manifest) if field.init}
        manifest = Manifest(**{name: value for name, value in fields.items() if name in known})
    except (ValueError, KeyError, TypeError) as error:
        raise CorpusError(f"{path}: not a valid manifest ({error})") from None
    if manifest.schema_version != SCHEMA_VERSION:
        raise CorpusError(
            f"{path}: records use schema version {manifest.schema_version}, this code reads {SCHEMA_VERSION} "
            "(convert again)"
        )
    if verify_files:
        for shard in manifest.shards:
            shard.check_file(directory)
    return manifest
