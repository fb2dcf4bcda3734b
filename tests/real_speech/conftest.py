"""Real recorded speech from tests/data/real_speech, laid out and converted once per session.

The LibriVox recordings (one reader, 16 kHz) become a LibriSpeech corpus of two splits,
``librivox-train`` (3 utterances) and ``librivox-dev`` (2), so that training can be scored
on speech it never saw; ``tfrecords.py`` converts each split once. See
tests/data/real_speech/README.md for where the recordings come from.
"""

import dataclasses
import pathlib
import shutil
import subprocess
import sys

import keras
import numpy as np
import pytest
import soundfile

from models.ar_model import ar_model
from models.context_model import context_model
from models.encoder_spec import resolve_encoder_spec
from models.genc_model import genc_model

REPO = pathlib.Path(__file__).resolve().parents[2]
REAL_SPEECH = REPO / "tests" / "data" / "real_speech"
LIBRIVOX = REAL_SPEECH / "librivox"
CODEC2_16K = REAL_SPEECH / "codec2" / "16khz"
LIBRIVOX_STEM = "sense_and_sensibility_01_austen_64kb-"
# One reader of one book section: LibriSpeech speaker and chapter numbers of our choosing.
SPEAKER, CHAPTER = 1, 1
SPLITS = {"librivox-train": ("0870", "0890", "0920"), "librivox-dev": ("0880", "0930")}


@dataclasses.dataclass(frozen=True)
class RealUtterance:
    """A LibriVox recording as laid out in the LibriSpeech corpus.

    Attributes:
        utterance_id: ``<speaker>-<chapter>-<utt>``.
        speaker_id: Its LibriSpeech speaker number.
        chapter_id: Its LibriSpeech chapter number.
        split: The split folder it is in.
        source: The FLAC file under tests/data/real_speech.
        samples: Its int16 samples, as soundfile reads them.
        transcript: The upper-case word transcript of its ``.txt`` file.
    """

    utterance_id: str
    speaker_id: int
    chapter_id: int
    split: str
    source: pathlib.Path
    samples: np.ndarray
    transcript: str


def librivox_utterances() -> dict[str, RealUtterance]:
    """Every LibriVox recording by utterance id, in split order."""
    utterances = {}
    for split, numbers in SPLITS.items():
        for number in numbers:
            source = LIBRIVOX / f"{LIBRIVOX_STEM}{number}.flac"
            samples, rate = soundfile.read(source, dtype="int16")
            assert rate == 16000 and samples.ndim == 1, source
            # The .txt files are lower case, some with a leading space; LibriSpeech's are upper case.
            transcript = " ".join(source.with_suffix(".txt").read_text().split()).upper()
            utterance_id = f"{SPEAKER}-{CHAPTER}-{number}"
            utterances[utterance_id] = RealUtterance(utterance_id, SPEAKER, CHAPTER, split, source, samples, transcript)
    return utterances


def _run(*arguments) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, *map(str, arguments)], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="session")
def real_utterances() -> dict[str, RealUtterance]:
    """The LibriVox recordings by utterance id (see `RealUtterance`)."""
    return librivox_utterances()


@pytest.fixture(scope="session")
def real_corpus(tmp_path_factory, real_utterances) -> pathlib.Path:
    """A LibriSpeech root holding the LibriVox recordings as the splits of SPLITS, with transcripts."""
    root = tmp_path_factory.mktemp("real") / "LibriSpeech"
    for split in SPLITS:
        chapter_dir = root / split / str(SPEAKER) / str(CHAPTER)
        chapter_dir.mkdir(parents=True)
        lines = []
        for utterance in real_utterances.values():
            if utterance.split == split:
                shutil.copyfile(utterance.source, chapter_dir / f"{utterance.utterance_id}.flac")
                lines.append(f"{utterance.utterance_id} {utterance.transcript}\n")
        (chapter_dir / f"{SPEAKER}-{CHAPTER}.trans.txt").write_text("".join(lines))
    return root


@pytest.fixture(scope="session")
def real_tfrecords(real_corpus) -> pathlib.Path:
    """The TFRecord root beside `real_corpus`, each split converted by ``tfrecords.py --quiet``."""
    for split in SPLITS:
        _run("tfrecords.py", split, "--librispeech-dir", real_corpus, "--quiet")
    return real_corpus.parent / "tfrecords"


@pytest.fixture(scope="session")
def audio_16k_dir(tmp_path_factory) -> pathlib.Path:
    """A plain folder of every 16 kHz recording: three voices, in two sub-folders, no transcripts."""
    root = tmp_path_factory.mktemp("audio16k")
    for source_dir, name in ((LIBRIVOX, "librivox"), (CODEC2_16K, "codec2")):
        (root / name).mkdir()
        for source in sorted(source_dir.glob("*.flac")):
            shutil.copyfile(source, root / name / source.name)
    return root


@pytest.fixture(scope="session")
def untrained_seed_models(tmp_path_factory) -> dict:
    """``{"gar": gar.keras path, "context": model, "encoder": model}``: the seed encoder and a GRU, untrained.

    Untrained weights suffice where the tests compare two ways of running the same network.
    """
    folder = tmp_path_factory.mktemp("models")
    keras.utils.set_random_seed(11)
    encoder = genc_model(resolve_encoder_spec("seed"))
    context = context_model(encoder, ar_model(40, 40))
    context.save(folder / "gar.keras")
    return {"gar": folder / "gar.keras", "context": context, "encoder": encoder}


def random_chunk_lengths(rng: np.random.Generator, total: int) -> list[int]:
    """Random chunk lengths summing to ``total``: empty, single samples, and from 2 samples up to 0.5 s.

    Sizes are log-uniform, so that chunks shorter than a hop are as common as long ones.
    """
    lengths, left = [0, 1], total - 1
    while left > 0:
        size = 0 if rng.random() < 0.05 else int(np.exp(rng.uniform(0, np.log(8000))))
        lengths.append(min(size, left))
        left -= lengths[-1]
    return lengths


@pytest.fixture
def chunk_lengths():
    """`random_chunk_lengths`, for the tests (conftest helpers are not importable)."""
    return random_chunk_lengths


@pytest.fixture(scope="session")
def split_records():
    """A reader of every record of a converted folder, parsed by TensorFlow, by utterance id."""
    import tensorflow as tf

    from librispeech.record_schema import tf_feature_spec
    from librispeech.tfrecord_file import read_records

    def read(split_dir: pathlib.Path) -> dict[str, dict]:
        parsed = {}
        for shard in sorted(split_dir.glob("*.tfrecord")):
            for payload in read_records(shard):
                features = tf.io.parse_example(tf.constant(payload), tf_feature_spec())
                values = {name: tensor.numpy() for name, tensor in features.items()}
                parsed[values["utterance_id"].decode()] = values
        return parsed

    return read
