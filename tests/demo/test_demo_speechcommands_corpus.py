"""Tests of the synthetic Speech Commands-layout keyword-spotting set."""

import re

import numpy as np
import pytest
import soundfile

from demo.librispeech_corpus import LibriSpeechCorpus, LibriSpeechDemoConfig
from demo.speechcommands_corpus import WORDS, SpeechCommandsCorpus, SpeechCommandsDemoConfig
from speechcommands.splits import which_split

SPEAKERS = 5


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("speechcommands") / "speech_commands"
    config = SpeechCommandsDemoConfig(root, seed=3, speakers=SPEAKERS, repetitions=1, workers=2)
    summary = SpeechCommandsCorpus(config).generate()
    return root, summary


def _files(root):
    return {path.relative_to(root): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def _clips(root):
    return sorted(f"{path.parent.name}/{path.name}" for word in WORDS for path in (root / word).glob("*.wav"))


def test_same_seed_gives_identical_bytes_whatever_the_workers(dataset, tmp_path):
    root, _ = dataset
    again = tmp_path / "again"
    SpeechCommandsCorpus(SpeechCommandsDemoConfig(again, seed=3, speakers=SPEAKERS, workers=1)).generate()
    assert _files(again) == _files(root)


def test_layout_matches_speech_commands_v001(dataset):
    root, summary = dataset
    assert sorted(path.name for path in root.iterdir()) == sorted(
        [*WORDS, "README.md", "_background_noise_", "testing_list.txt", "validation_list.txt"]
    )
    assert len(WORDS) == 30
    speakers = set()
    for word in WORDS:
        names = sorted(path.name for path in (root / word).iterdir())
        assert len(names) == SPEAKERS
        for name in names:
            match = re.fullmatch(r"([0-9a-f]{8})_nohash_0\.wav", name)
            assert match
            speakers.add(match.group(1))
    assert len(speakers) == SPEAKERS
    assert summary.clips == len(_clips(root)) == SPEAKERS * len(WORDS)


def test_clips_are_one_second_of_16khz_mono_pcm16_with_the_word_inside(dataset):
    root, _ = dataset
    offsets = []
    for clip in _clips(root):
        info = soundfile.info(root / clip)
        assert (info.format, info.subtype, info.samplerate, info.channels, info.frames) == (
            "WAV",
            "PCM_16",
            16000,
            1,
            16000,
        )
        audio, _ = soundfile.read(root / clip)
        frame_rms = np.sqrt(np.mean(np.square(audio.reshape(100, 160)), axis=1))
        loud = np.flatnonzero(frame_rms > 0.1 * frame_rms.max())
        # Speech stands out of the light noise floor by more than 20 dB.
        assert frame_rms.max() > 10 * np.median(np.sort(frame_rms)[:20])
        offsets.append(loud[0])
    assert len(set(offsets)) > len(offsets) // 4


def test_lists_follow_the_hashing_rule_and_keep_speakers_apart(dataset):
    root, summary = dataset
    clips = _clips(root)
    listed = {}
    for split in ("validation", "testing"):
        lines = (root / f"{split}_list.txt").read_text().splitlines()
        assert lines == sorted(clip for clip in clips if which_split(clip) == split)
        listed[split] = {line.split("/")[1].split("_nohash_")[0] for line in lines}
        assert len(listed[split]) >= 2
    training = {clip.split("/")[1].split("_nohash_")[0] for clip in clips} - set().union(*listed.values())
    assert listed["validation"].isdisjoint(listed["testing"])
    assert training
    assert summary.speakers == {"training": len(training), "validation": 2, "testing": 2}


def test_background_noise_files(dataset):
    root, _ = dataset
    noise_dir = root / "_background_noise_"
    wavs = sorted(noise_dir.glob("*.wav"))
    assert {"white_noise.wav", "pink_noise.wav", "running_tap.wav"} <= {wav.name for wav in wavs}
    for wav in wavs:
        audio, sample_rate = soundfile.read(wav)
        assert sample_rate == 16000 and audio.ndim == 1 and audio.size >= 5 * 16000
        assert 0.01 < np.sqrt(np.mean(np.square(audio))) < 0.5
        assert np.abs(audio).max() < 1.0


def test_speakers_differ_from_the_librispeech_demo(tmp_path):
    keyword_voices = SpeechCommandsCorpus(SpeechCommandsDemoConfig(tmp_path / "kws")).speaker_voices.values()
    reading_voices = LibriSpeechCorpus(LibriSpeechDemoConfig(tmp_path / "ls")).speaker_voices.values()
    assert set(keyword_voices).isdisjoint(reading_voices)
    assert len(set(keyword_voices)) == 30
