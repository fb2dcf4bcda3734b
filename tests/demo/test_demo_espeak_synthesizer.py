"""Tests of the ctypes wrapper around espeak-ng."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from demo.espeak_synthesizer import PAUSE_MNEMONICS, EspeakError, EspeakSynthesizer

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def synthesizer():
    return EspeakSynthesizer(16000)


def test_returns_float_audio_with_ordered_phonemes(synthesizer):
    result = synthesizer.synthesize("Hello world.", "en-us+m3")

    assert result.samples.dtype == np.float32
    assert 0.4 < result.samples.size / 16000 < 2.0
    assert 0.05 < np.abs(result.samples).max() <= 1.05
    starts = [event.start_sample for event in result.phonemes]
    assert starts == sorted(starts)
    assert result.phonemes[-1].mnemonic == "_"
    assert abs(result.phonemes[-1].start_sample - result.samples.size) <= 2
    spoken = [event.mnemonic for event in result.phonemes if event.mnemonic not in PAUSE_MNEMONICS]
    assert spoken == ["h", "@", "l", "'oU", "w", "'3:", "l", "d"]


def test_phoneme_positions_scale_with_the_output_rate(synthesizer):
    native = EspeakSynthesizer(22050).synthesize("the cat sat on the mat.", "en-us")
    resampled = synthesizer.synthesize("the cat sat on the mat.", "en-us")

    # Hidden engine state moves phonemes by a few samples from call to call.
    assert resampled.samples.size == pytest.approx(native.samples.size * 16000 / 22050, abs=60)
    for native_event, event in zip(native.phonemes, resampled.phonemes, strict=True):
        assert event.mnemonic == native_event.mnemonic
        assert event.start_sample == pytest.approx(native_event.start_sample * 16000 / 22050, abs=60)


def test_voice_and_prosody_change_the_audio(synthesizer):
    base = synthesizer.synthesize("seven", "en-us+m3")
    other_voice = synthesizer.synthesize("seven", "en-us+f2")
    faster = synthesizer.synthesize("seven", "en-us+m3", rate=300)

    assert faster.samples.size < 0.8 * base.samples.size
    spectrum = np.abs(np.fft.rfft(base.samples, 16000))
    other_spectrum = np.abs(np.fft.rfft(other_voice.samples, 16000))
    assert np.corrcoef(spectrum, other_spectrum)[0, 1] < 0.9


def test_unknown_voice_raises(synthesizer):
    with pytest.raises(EspeakError, match="no-such-voice"):
        synthesizer.synthesize("hello", "no-such-voice")


def test_fresh_processes_render_identically():
    # A breathy variant draws random noise, the hardest case for reproducibility.
    script = (
        "import hashlib; from demo.espeak_synthesizer import EspeakSynthesizer; "
        "s = EspeakSynthesizer(); "
        "r = [s.synthesize(t, 'en+f2').samples.tobytes() for t in ('one two.', 'three.')]; "
        "print(hashlib.sha256(b''.join(r)).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script], cwd=REPOSITORY_ROOT, check=True, capture_output=True, text=True
        ).stdout
        for _ in range(2)
    }
    assert len(digests) == 1
