"""One LibriSpeech utterance as listed by its chapter's transcript."""

import dataclasses
import pathlib


@dataclasses.dataclass(frozen=True)
class Utterance:
    """An utterance of the corpus, before its audio is read.

    Attributes:
        utterance_id: LibriSpeech id ``<speaker>-<chapter>-<utt>``, e.g. ``"19-198-0001"``.
        speaker_id: Numeric speaker id, the first part of the utterance id.
        chapter_id: Numeric chapter id, the second part of the utterance id.
        path: The FLAC file.
        transcript: The transcript line's text (upper case in LibriSpeech).
    """

    utterance_id: str
    speaker_id: int
    chapter_id: int
    path: pathlib.Path
    transcript: str
