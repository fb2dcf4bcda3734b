"""One utterance of a corpus: a source audio file, as a scan lists it."""

import dataclasses
import pathlib


@dataclasses.dataclass(frozen=True)
class Utterance:
    """An utterance of the corpus, before its audio is read.

    A long file of an audio tree becomes several records when it is converted (see
    `audio_pieces.piece_ids`); it is still one utterance here.

    Attributes:
        utterance_id: LibriSpeech id ``<speaker>-<chapter>-<utt>``, e.g. ``"19-198-0001"``;
            in an audio tree, the file's relative path without its extension.
        speaker_id: Numeric speaker id: in LibriSpeech the first part of the utterance id,
            in an audio tree the number given to its speaker folder.
        chapter_id: Numeric chapter id, the second part of the utterance id; 0 in an audio tree.
        path: The audio file.
        transcript: The transcript line's text (upper case in LibriSpeech); empty where the
            corpus has no transcripts.
    """

    utterance_id: str
    speaker_id: int
    chapter_id: int
    path: pathlib.Path
    transcript: str
