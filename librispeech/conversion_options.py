"""What every conversion into sharded TFRecords is told, whatever its source."""

import abc
import dataclasses
import pathlib

from librispeech.audio_pieces import AudioPieces
from librispeech.split_scan import SplitScan


@dataclasses.dataclass(kw_only=True)
class ConversionOptions(abc.ABC):
    """How a conversion writes, shared by its sources (a LibriSpeech split, a tree of audio files).

    A source says what it holds (`scan`), how its audio becomes records (`audio_pieces`) and
    what the converted split is called; `split_converter.convert_split` does the rest.

    Attributes:
        output_dir: Where the shards and ``manifest.json`` go; see `resolved_output_dir`.
        shards: Number of shard files; by default one per ~48 MB of input audio, at least 8.
        workers: Worker processes; by default one per available core.
        on_error: ``"fail"`` stops at the first bad file, ``"skip"`` leaves it out and
            lists it in the manifest.
        show_progress: Show a progress bar on stderr.
    """

    output_dir: pathlib.Path | None = None
    shards: int | None = None
    workers: int | None = None
    on_error: str = "fail"
    show_progress: bool = True

    @abc.abstractmethod
    def split_name(self) -> str:
        """The converted split's name, as its manifest records it."""

    @abc.abstractmethod
    def shard_prefix(self) -> str:
        """What shard file names start with: ``<prefix>-NNNNN-of-NNNNN.tfrecord``."""

    @abc.abstractmethod
    def source_dir(self) -> pathlib.Path:
        """The folder the source lies in, which the output folder must lie outside."""

    @abc.abstractmethod
    def resolved_output_dir(self) -> pathlib.Path:
        """The output folder, ``output_dir`` or the source's default."""

    @abc.abstractmethod
    def scan(self) -> SplitScan:
        """Lists the source's utterances and the problems found on the way.

        Raises:
            CorpusError: The source is missing or holds no audio file.
        """

    @abc.abstractmethod
    def audio_pieces(self) -> AudioPieces:
        """How each source file's audio becomes records."""
