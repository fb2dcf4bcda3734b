"""``python -m extract`` on real recorded speech: one file of features per recording, as the model gives."""

import re
import subprocess
import sys

import numpy as np
import pytest

from extract.__main__ import main
from extract.feature_extraction import normalize_like_training
from librispeech.audio_file import read_pcm16
from models.encoder_spec import resolve_encoder_spec

SEED = resolve_encoder_spec("seed")
# Samples of every 16 kHz recording under tests/data/real_speech, by path in audio_16k_dir.
RECORDINGS = {
    **{
        f"librivox/sense_and_sensibility_01_austen_64kb-{number}.flac": samples
        for number, samples in (("0870", 113600), ("0880", 47840), ("0890", 84800), ("0920", 96800), ("0930", 52640))
    },
    "codec2/speech_orig_16k.flac": 172800,
    "codec2/wia_16kHz.flac": 16000,
}


def _offline(model, path):
    """The model's output for one recording alone, normalised as in training."""
    return np.asarray(model(normalize_like_training(read_pcm16(path))[None]))[0]


def _assert_features_of(out, audio_dir, model):
    written = sorted(str(path.relative_to(out)) for path in out.rglob("*.npy"))
    assert written == sorted(relative.replace(".flac", ".npy") for relative in RECORDINGS)
    for relative, samples in RECORDINGS.items():
        features = np.load(out / relative.replace(".flac", ".npy"))
        assert features.dtype == np.float32 and features.shape == (SEED.num_frames(samples), 40) == (samples // 256, 40)
        assert np.isfinite(features).all()
        expected = _offline(model, audio_dir / relative)
        np.testing.assert_allclose(features, expected, rtol=0, atol=1e-5 * max(float(np.abs(expected).max()), 1.0))
        # Real speech moves the features: silence, voiced and unvoiced frames differ.
        assert features.std(axis=0).mean() > 1e-3


@pytest.mark.slow
def test_the_command_line_writes_the_context_of_every_real_recording(audio_16k_dir, untrained_seed_models, tmp_path):
    out = tmp_path / "features"
    result = subprocess.run(
        [sys.executable, "-m", "extract", str(audio_16k_dir), str(out), "--model", str(untrained_seed_models["gar"])],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith(f"{len(RECORDINGS)} files") and re.search(r"real-time factor [1-9]\d*x", summary)
    _assert_features_of(out, audio_16k_dir, untrained_seed_models["context"])


def test_real_recordings_longer_than_a_batch_stream_in_chunks_to_the_same_features(
    audio_16k_dir, untrained_seed_models, tmp_path, monkeypatch
):
    from extract import feature_extraction

    read_whole = []
    original = feature_extraction.read_pcm16
    monkeypatch.setattr(feature_extraction, "read_pcm16", lambda path: read_whole.append(path) or original(path))
    out = tmp_path / "features"
    # 2 s batches: six of the seven recordings (all but the 1 s one) are run in 2 s chunks through the streaming model.
    model = str(untrained_seed_models["gar"])
    assert main([str(audio_16k_dir), str(out), "--model", model, "--max-batch-seconds", "2"]) == 0
    assert [path.name for path in read_whole] == ["wia_16kHz.flac"]
    _assert_features_of(out, audio_16k_dir, untrained_seed_models["context"])
