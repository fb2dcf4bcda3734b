"""Unlabelled real speech at 8, 11.025 and 16 kHz, one recording in stereo, as a plain tree:
converted with no transcript anywhere (resampled, the stereo one downmixed), then trained on."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
import soundfile

from librispeech.manifest import read_manifest

from .conftest import REAL_SPEECH, REPO

pytestmark = pytest.mark.slow

SPLIT = "real-speech"


def _tree_files() -> dict[str, tuple[np.ndarray, int]]:
    """Every recording by its tree id (relative path without the extension): int16 samples, rate."""
    files = {}
    for path in sorted(REAL_SPEECH.rglob("*.flac")):
        samples, rate = soundfile.read(path, dtype="int16")
        files[path.relative_to(REAL_SPEECH).with_suffix("").as_posix()] = (samples, rate)
    return files


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """``tfrecords.py --audio-dir tests/data/real_speech``: its folder and what it printed."""
    output_dir = tmp_path_factory.mktemp("tree") / SPLIT
    command = [
        sys.executable,
        "tfrecords.py",
        "--audio-dir",
        REAL_SPEECH,
        "--output-dir",
        output_dir,
        "--downmix",
        "--quiet",
    ]
    result = subprocess.run([str(part) for part in command], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return output_dir, result.stdout


def test_every_recording_converts_without_transcripts_resampled_and_downmixed(
    converted, split_records, resampled_to_16khz
):
    output_dir, printed = converted
    files = _tree_files()
    manifest = read_manifest(output_dir)
    records = split_records(output_dir)
    assert sorted(records) == sorted(files) and len(files) == 25
    assert manifest.transcripts is False and manifest.num_records == len(files)
    assert manifest.resampled_from == {name: rate for name, (_, rate) in files.items() if rate != 16000}
    assert sorted(set(manifest.resampled_from.values())) == [8000, 11025]
    # The first folder level names the speaker.
    assert sorted(manifest.speaker_names) == ["codec2", "librivox", "pocketsphinx"]
    for name, (samples, rate) in files.items():
        record = records[name]
        np.testing.assert_array_equal(np.frombuffer(record["audio"], dtype="<i2"), resampled_to_16khz(samples, rate))
        assert record["sample_rate"] == 16000 and record["transcript"] == b""
        assert record["speaker_id"] == manifest.speaker_names[name.split("/")[0]]
    hours = sum(len(resampled_to_16khz(samples, rate)) for samples, rate in files.values()) / 16000 / 3600
    assert manifest.total_hours == pytest.approx(hours)
    assert f"{manifest.num_records} utterances" in printed


def test_the_downmixed_stereo_recording_is_its_mono_twin_resampled(converted, split_records, resampled_to_16khz):
    stereo, rate = _tree_files()["pocketsphinx/stereo-11khz/chan3.2chan"]
    # Both channels carry the same signal, so the average is either channel.
    assert stereo.shape[1] == 2 and np.array_equal(stereo[:, 0], stereo[:, 1])
    converted_audio = np.frombuffer(
        split_records(converted[0])["pocketsphinx/stereo-11khz/chan3.2chan"]["audio"], "<i2"
    )
    np.testing.assert_array_equal(converted_audio, resampled_to_16khz(stereo[:, 0], rate))
    assert len(converted_audio) == math.ceil(len(stereo) * 640 / 441)


def test_resampling_keeps_the_speech_band_of_an_8khz_recording(converted, split_records):
    samples, rate = _tree_files()["codec2/8khz/big_dog"]
    resampled = np.frombuffer(split_records(converted[0])["codec2/8khz/big_dog"]["audio"], dtype="<i2")
    assert rate == 8000 and len(resampled) == 2 * len(samples)
    # Every other sample of the 16 kHz signal lies close to the 8 kHz original, and nothing is
    # added above the original's 4 kHz Nyquist limit.
    every_other = resampled[::2].astype(np.float64)
    error = np.sqrt(np.mean((every_other - samples) ** 2)) / np.sqrt(np.mean(samples.astype(np.float64) ** 2))
    assert error < 0.05
    spectrum = np.abs(np.fft.rfft(resampled.astype(np.float64))) ** 2
    frequencies = np.fft.rfftfreq(len(resampled), 1 / 16000)
    assert spectrum[frequencies > 4200].sum() < 1e-3 * spectrum.sum()


def test_training_on_the_unlabelled_tree_stays_finite(converted, tmp_path):
    output_dir, _ = converted
    arguments = {
        "--data-dir": output_dir.parent,
        "--train-split": SPLIT,
        "--val-split": SPLIT,
        "--window": 16384,
        "--batch-size": 4,
        "--epochs": 1,
        "--steps-per-epoch": 10,
        "--seed": 0,
        "--output-dir": tmp_path / "outputs",
    }
    command = [sys.executable, "train.py", *(str(part) for pair in arguments.items() for part in pair)]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((tmp_path / "outputs" / "metrics.json").read_text())
    assert metrics["steps"] == 10
    assert np.isfinite([metrics["train_loss"], metrics["val_loss"], *metrics["val_accuracy_per_step"].values()]).all()
    assert f"{SPLIT}: 25 utterances" in result.stdout
