import numpy as np
import pytest
import soundfile

from librispeech.audio_file import read_pcm16
from librispeech.corpus_error import CorpusError


def _flac(path, samples, rate=16000):
    soundfile.write(path, samples, rate, subtype="PCM_16")
    return path


def test_reads_pcm16_exactly(tmp_path):
    samples = np.array([0, 5, -5, 32767, -32768] * 1000, dtype=np.int16)
    np.testing.assert_array_equal(read_pcm16(_flac(tmp_path / "ok.flac", samples)), samples)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b""), "zero-length file"),
        (lambda p: p.write_bytes(b"fLaC" + bytes(range(200))), "unreadable or corrupt audio"),
        (lambda p: p.write_bytes(np.random.default_rng(0).bytes(4000)), "unreadable or corrupt audio"),
        (lambda p: _flac(p, np.zeros(800, np.int16), rate=8000), "sample rate is 8000 Hz, expected 16000 Hz"),
        (lambda p: _flac(p, np.zeros((800, 2), np.int16)), "has 2 channels, expected mono"),
        (lambda p: soundfile.write(p, np.zeros(0, np.int16), 16000, format="WAV"), "empty audio (0 samples)"),
    ],
)
def test_bad_files_raise_one_line_naming_the_file(tmp_path, make, message):
    path = tmp_path / "bad.flac"
    make(path)
    with pytest.raises(CorpusError) as error:
        read_pcm16(path)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_truncated_flac_is_an_error(tmp_path):
    path = _flac(tmp_path / "cut.flac", (np.random.default_rng(1).standard_normal(64000) * 5000).astype(np.int16))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorpusError, match=r"cut\.flac: (truncated|unreadable or corrupt)"):
        read_pcm16(path)


def test_float_wav_with_nan_is_refused_and_finite_float_is_converted(tmp_path):
    finite = tmp_path / "finite.wav"
    soundfile.write(finite, np.array([0.0, 0.5, -0.5, -1.0], np.float32), 16000, subtype="FLOAT")
    np.testing.assert_array_equal(read_pcm16(finite), [0, 16384, -16384, -32768])

    broken = tmp_path / "nan.wav"
    soundfile.write(broken, np.array([0.0, np.nan, 0.1], np.float32), 16000, subtype="FLOAT")
    with pytest.raises(CorpusError, match=r"nan\.wav: holds NaN or Inf samples"):
        read_pcm16(broken)


@pytest.mark.parametrize("subtype", ["FLOAT", "DOUBLE"])
def test_float_wav_with_inf_is_refused(tmp_path, subtype):
    broken = tmp_path / "inf.wav"
    soundfile.write(broken, np.array([0.0, -np.inf, 0.1], np.float64), 16000, subtype=subtype)
    with pytest.raises(CorpusError, match=r"^\S*inf\.wav: holds NaN or Inf samples$"):
        read_pcm16(broken)


def test_the_normalisation_formula_matches_a_float64_reference():
    from librispeech.audio_file import PEAK_FLOOR, normalized_pcm16, peak_about_mean

    samples = np.array([-300, 20, 1000, -7, 4], dtype=np.int16)
    mean = float(samples.mean(dtype=np.float64))
    peak = peak_about_mean(mean, float(samples.min()), float(samples.max()))
    assert peak == np.abs(samples - mean).max() == 1000 - 143.4
    reference = (samples.astype(np.float64) - mean) / peak
    np.testing.assert_allclose(normalized_pcm16(samples, mean, peak), reference, rtol=1e-6)
    assert np.abs(normalized_pcm16(samples, mean, peak)).max() == np.float32(1.0)
    silence = np.zeros(4, np.int16)
    assert PEAK_FLOOR == 1.0 and normalized_pcm16(silence, 0.0, 0.0).tolist() == [0.0] * 4
