"""A tree of audio files as the source of a conversion."""

import dataclasses
import pathlib
import re

from librispeech.audio_pieces import AudioPieces
from librispeech.audio_tree_scan import DEFAULT_EXTENSIONS, scan_audio_tree
from librispeech.conversion_options import ConversionOptions
from librispeech.corpus_error import CorpusError
from librispeech.split_scan import SplitScan

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
"""What a shard file name may not hold: anything but the characters every file system takes."""


@dataclasses.dataclass
class AudioTreeConfig(ConversionOptions):
    """Converting every audio file under a folder, at any rate, without transcripts.

    The result is a converted split like any other (``manifest.json`` and shards), with
    ``"transcripts": false``. Files at another rate than 16 kHz are resampled, and files
    longer than ``max_seconds`` are cut into pieces (see `audio_pieces.AudioPieces`).

    Attributes:
        audio_dir: The root of the tree.
        name: The converted split's name, in its manifest and (made safe) its shard file
            names; by default the output folder's name.
        extensions: File name endings of the audio files, without the dot.
        speaker_level: The folder level naming the speaker (see `audio_tree_scan.scan_audio_tree`).
        downmix: Average the channels of multi-channel files instead of refusing them.
        max_seconds: Longest record; longer files become consecutive pieces.
        min_seconds: Files shorter than this are left out and counted.
    """

    audio_dir: pathlib.Path
    name: str | None = None
    extensions: tuple[str, ...] = DEFAULT_EXTENSIONS
    speaker_level: int = 1
    downmix: bool = False
    max_seconds: float = 60.0
    min_seconds: float = 0.0

    def split_name(self) -> str:
        return self.name or self.resolved_output_dir().name

    def shard_prefix(self) -> str:
        # Leading dots would hide the shards; an all-odd name still needs a prefix.
        return _UNSAFE.sub("_", self.split_name()).lstrip(".") or "audio"

    def source_dir(self) -> pathlib.Path:
        return pathlib.Path(self.audio_dir).expanduser()

    def resolved_output_dir(self) -> pathlib.Path:
        if self.output_dir is None:
            raise CorpusError(f"{self.audio_dir}: give an output folder for the converted audio")
        return pathlib.Path(self.output_dir).expanduser()

    def scan(self) -> SplitScan:
        return scan_audio_tree(self.audio_dir, self.extensions, self.speaker_level)

    def audio_pieces(self) -> AudioPieces:
        return AudioPieces(
            resample=True, downmix=self.downmix, max_seconds=self.max_seconds, min_seconds=self.min_seconds
        )
