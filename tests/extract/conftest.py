"""Untrained model files and a small folder of audio files shared by the extraction tests."""

import keras
import numpy as np
import pytest
import soundfile

from models.ar_model import ar_model
from models.context_model import context_model
from models.encoder_spec import resolve_encoder_spec
from models.genc_model import genc_model

# Relative path → (samples, DC offset, amplitude): lengths not multiples of the hop,
# one shorter than the receptive field, one sub-folder two levels deep, WAV and FLAC.
AUDIO_FILES = {
    "a.wav": (16000 + 77, 0, 12000),
    "long.flac": (3 * 16000 + 5, 300, 20000),
    "speaker/one.flac": (8000, -150, 3000),
    "speaker/chapter/two.WAV": (400, 0, 9000),
    "speaker/chapter/three.flac": (2 * 16000 + 255, 40, 30000),
}


@pytest.fixture(scope="session")
def model_files(tmp_path_factory):
    """`{"gar": gar.keras, "genc": genc.h5, "context": model, "encoder": model}`, untrained seed."""
    folder = tmp_path_factory.mktemp("models")
    keras.utils.set_random_seed(6)
    encoder = genc_model(resolve_encoder_spec("seed"))
    context = context_model(encoder, ar_model(40, 40))
    context.save(folder / "gar.keras")
    encoder.save(folder / "genc.h5")
    return {"gar": folder / "gar.keras", "genc": folder / "genc.h5", "context": context, "encoder": encoder}


@pytest.fixture
def audio_files():
    """AUDIO_FILES, for the tests (conftest values are not importable)."""
    return AUDIO_FILES


@pytest.fixture
def audio_dir(tmp_path):
    """A folder of int16 audio files (see AUDIO_FILES) and a non-audio file."""
    root = tmp_path / "audio"
    rng = np.random.default_rng(0)
    for relative, (samples, dc_offset, amplitude) in AUDIO_FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        waveform = np.clip(rng.normal(dc_offset, amplitude / 3, samples), -32768, 32767).astype(np.int16)
        file_format = "WAV" if path.suffix.lower() == ".wav" else "FLAC"
        soundfile.write(path, waveform, 16000, subtype="PCM_16", format=file_format)
    (root / "speaker" / "notes.txt").write_text("not audio")
    return root
