"""Tests of the synthetic LibriSpeech-layout corpus and its phone alignments."""

import re

import numpy as np
import pytest
import soundfile

from demo.espeak_synthesizer import EspeakSynthesizer
from demo.librispeech_corpus import FRAME_SAMPLES, PHONES, VOWELS, LibriSpeechCorpus, LibriSpeechDemoConfig, phone_id
from demo.speaker_voice import ACCENTS
from demo.vocabulary import ALL_WORDS

TINY = dict(train_speakers=3, dev_speakers=2, utterances_per_speaker=3)
TRAIN, DEV = "train-clean-100", "dev-clean"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("librispeech") / "LibriSpeech"
    summary = LibriSpeechCorpus(LibriSpeechDemoConfig(root, seed=5, workers=2, **TINY)).generate()
    return root, summary


def _files(root):
    return {path.relative_to(root): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def _rows(path):
    return [
        [field.strip() for field in line.split("|")]
        for line in path.read_text().splitlines()
        if not line.startswith(";")
    ]


def _speaker_dirs(root, split):
    return sorted(path for path in (root / split).iterdir())


def _alignments(root):
    lines = (root / "alignments" / "converted_aligned_phones.txt").read_text().splitlines()
    return {line.split()[0]: np.array(line.split()[1:], dtype=int) for line in lines}


def test_same_seed_gives_identical_bytes_whatever_the_workers(corpus, tmp_path):
    root, _ = corpus
    again = tmp_path / "again"
    LibriSpeechCorpus(LibriSpeechDemoConfig(again, seed=5, workers=1, **TINY)).generate()
    assert _files(again) == _files(root)


def test_other_seed_gives_other_speakers_and_audio(corpus, tmp_path):
    root, _ = corpus
    other = tmp_path / "other"
    LibriSpeechCorpus(LibriSpeechDemoConfig(other, seed=6, workers=2, **TINY)).generate()
    audio = {path.read_bytes() for path in root.rglob("*.flac")}
    other_audio = {path.read_bytes() for path in other.rglob("*.flac")}
    assert audio.isdisjoint(other_audio)
    assert (root / "SPEAKERS.TXT").read_text() != (other / "SPEAKERS.TXT").read_text()


def test_layout_matches_librispeech(corpus):
    root, summary = corpus
    assert sorted(path.name for path in root.iterdir()) == [
        "CHAPTERS.TXT",
        "README.TXT",
        "SPEAKERS.TXT",
        "alignments",
        DEV,
        TRAIN,
    ]
    for split, speaker_count in ((TRAIN, 3), (DEV, 2)):
        speakers = _speaker_dirs(root, split)
        assert len(speakers) == speaker_count == summary.speakers[split]
        for speaker_dir in speakers:
            assert re.fullmatch(r"[1-9]\d*", speaker_dir.name)
            chapters = sorted(speaker_dir.iterdir())
            assert 1 <= len(chapters) <= 2
            utterance_count = 0
            for chapter_dir in chapters:
                prefix = f"{speaker_dir.name}-{chapter_dir.name}"
                flacs = sorted(path.name for path in chapter_dir.glob("*.flac"))
                assert flacs == [f"{prefix}-{number:04d}.flac" for number in range(len(flacs))]
                assert sorted(path.name for path in chapter_dir.iterdir()) == sorted(flacs + [f"{prefix}.trans.txt"])
                lines = (chapter_dir / f"{prefix}.trans.txt").read_text().splitlines()
                assert [line.split(" ", 1)[0] + ".flac" for line in lines] == flacs
                for line in lines:
                    assert re.fullmatch(r"[A-Z']+( [A-Z']+)+", line.split(" ", 1)[1])
                utterance_count += len(flacs)
            assert utterance_count == 3


def test_audio_is_16khz_mono_pcm16_flac_of_2_to_15_seconds(corpus):
    root, summary = corpus
    flacs = sorted(root.rglob("*.flac"))
    assert len(flacs) == 15 == sum(summary.utterances.values())
    total_seconds = 0.0
    for flac in flacs:
        info = soundfile.info(flac)
        assert (info.format, info.subtype, info.samplerate, info.channels) == ("FLAC", "PCM_16", 16000, 1)
        assert 2.0 <= info.duration <= 15.0
        total_seconds += info.duration
    assert total_seconds == pytest.approx(sum(summary.seconds.values()))


def test_speakers_and_chapters_tables(corpus):
    root, _ = corpus
    speaker_rows = _rows(root / "SPEAKERS.TXT")
    assert {(row[0], row[2]) for row in speaker_rows} == {
        (speaker_dir.name, split) for split in (TRAIN, DEV) for speaker_dir in _speaker_dirs(root, split)
    }
    for speaker_id, sex, split, minutes, name in speaker_rows:
        assert sex in {"M", "F"}
        seconds = sum(soundfile.info(path).duration for path in (root / split / speaker_id).rglob("*.flac"))
        assert float(minutes) == pytest.approx(seconds / 60, abs=0.006)
        assert name.startswith("espeak-ng en")
    chapter_rows = _rows(root / "CHAPTERS.TXT")
    assert {(row[0], row[1], row[3]) for row in chapter_rows} == {
        (chapter_dir.name, chapter_dir.parent.name, split)
        for split in (TRAIN, DEV)
        for chapter_dir in (root / split).glob("*/*")
    }
    assert all(len(row) == 8 for row in chapter_rows)


def test_dev_and_train_speakers_are_disjoint(corpus):
    root, _ = corpus
    train = {path.name for path in _speaker_dirs(root, TRAIN)}
    dev = {path.name for path in _speaker_dirs(root, DEV)}
    assert train.isdisjoint(dev)


def test_one_alignment_line_per_utterance_with_a_label_per_10ms(corpus):
    root, _ = corpus
    alignments = _alignments(root)
    flacs = {path.stem: path for path in root.rglob("*.flac")}
    assert alignments.keys() == flacs.keys()
    phone_lines = (root / "alignments" / "phones.txt").read_text().splitlines()
    assert phone_lines == [f"{index} {symbol}" for index, symbol in enumerate(PHONES)]
    assert phone_lines[0] == "0 SIL"
    for utterance_id, labels in alignments.items():
        assert labels.size == soundfile.info(flacs[utterance_id]).frames // FRAME_SAMPLES
        assert labels.min() >= 0 and labels.max() < len(PHONES)
        assert labels[0] == 0 and labels[-1] == 0
        assert len(set(labels.tolist())) >= 8


def test_phone_split_covers_every_training_speaker_on_both_sides(corpus):
    root, _ = corpus
    train_ids = (root / "alignments" / "train_split.txt").read_text().split()
    test_ids = (root / "alignments" / "test_split.txt").read_text().split()
    training_utterances = {path.stem for path in (root / TRAIN).rglob("*.flac")}
    assert set(train_ids).isdisjoint(test_ids)
    assert set(train_ids) | set(test_ids) == training_utterances
    assert len(test_ids) == 3  # one of each training speaker's three utterances
    speakers = {path.name for path in _speaker_dirs(root, TRAIN)}
    assert {utterance.split("-")[0] for utterance in train_ids} == speakers
    assert {utterance.split("-")[0] for utterance in test_ids} == speakers


def test_labels_line_up_with_the_audio(corpus):
    root, _ = corpus
    vowel_ids = [index for index, symbol in enumerate(PHONES) if symbol in VOWELS]
    for utterance_id, labels in _alignments(root).items():
        speaker, chapter, _ = utterance_id.split("-")
        split = TRAIN if (root / TRAIN / speaker).exists() else DEV
        audio, _ = soundfile.read(root / split / speaker / chapter / f"{utterance_id}.flac")
        frames = audio[: labels.size * FRAME_SAMPLES].reshape(labels.size, FRAME_SAMPLES)
        frame_rms = np.sqrt(np.mean(np.square(frames), axis=1))
        silence_rms = frame_rms[labels == 0].mean()
        vowel_rms = frame_rms[np.isin(labels, vowel_ids)].mean()
        assert vowel_rms > 10 * silence_rms, utterance_id
        # Frames that vowel labels shifted by 50 ms would wrongly claim are quieter.
        shifted_vowels = np.isin(np.roll(labels, 5), vowel_ids)
        assert vowel_rms > 1.5 * frame_rms[shifted_vowels & ~np.isin(labels, vowel_ids)].mean()


def test_every_vocabulary_word_maps_to_phones_in_every_accent():
    synthesizer = EspeakSynthesizer(16000)
    words = list(ALL_WORDS)
    for accent in ACCENTS:
        for start in range(0, len(words), 40):
            text = ", ".join(words[start : start + 40]) + "."
            for event in synthesizer.synthesize(text, accent).phonemes:
                phone_id(event.mnemonic)


def test_phone_ids_ignore_stress_and_map_pauses_to_silence():
    assert phone_id("'a") == phone_id("a") == PHONES.index("AE")
    assert phone_id(",eI") == PHONES.index("EY")
    assert phone_id("t#") == PHONES.index("T")
    assert phone_id("_:") == phone_id("_") == 0
    with pytest.raises(KeyError):
        phone_id("not-a-phoneme")
