"""Encoders and a demo Speech Commands corpus shared by the keyword-spotting tests."""

import keras
import pytest

from demo.speechcommands_corpus import SpeechCommandsCorpus, SpeechCommandsDemoConfig
from models.encoder_spec import resolve_encoder_spec
from models.genc_model import genc_model


@pytest.fixture(scope="session")
def seed_encoder_path(tmp_path_factory):
    """An untrained `seed` encoder saved as `genc.h5`, as train.py saves it."""
    path = tmp_path_factory.mktemp("encoder") / "genc.h5"
    keras.utils.set_random_seed(1)
    genc_model(resolve_encoder_spec("seed")).save(path)
    return path


@pytest.fixture(scope="session")
def demo_speech_commands(tmp_path_factory):
    """A 6-speaker demo corpus in the v0.01 layout (2 training, 2 validation, 2 testing speakers)."""
    root = tmp_path_factory.mktemp("kws") / "speech_commands"
    SpeechCommandsCorpus(SpeechCommandsDemoConfig(root, seed=0, speakers=6, workers=2)).generate()
    return root
