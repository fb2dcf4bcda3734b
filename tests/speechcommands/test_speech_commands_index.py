"""Tests of scanning a Speech Commands folder: words, splits and layout errors."""

import numpy as np
import pytest
import soundfile

from speechcommands.speech_commands_error import SpeechCommandsError
from speechcommands.speech_commands_index import scan_speech_commands
from speechcommands.splits import which_split


def test_every_word_folder_is_a_class_and_underscored_or_hidden_folders_are_not(tiny_speech_commands):
    root, clips = tiny_speech_commands
    (root / ".cache").mkdir()
    soundfile.write(root / ".cache" / "a_nohash_0.wav", np.zeros(100, np.int16), 16000)
    index = scan_speech_commands(root)
    assert index.words == ("no", "up", "yes")
    assert sorted(clip for split_clips in index.clips.values() for clip in split_clips) == sorted(clips)
    for split in index.clips:
        assert [index.words[label] for label in index.labels[split]] == [
            clip.split("/")[0] for clip in index.clips[split]
        ]


def test_splits_come_from_the_list_files(tiny_speech_commands, split_speakers):
    root, _ = tiny_speech_commands
    # Lists that contradict the hashing rule prove that the lists, not the rule, decide.
    moved = f"yes/{split_speakers['training'][0]}_nohash_0.wav"
    (root / "validation_list.txt").write_text(f"{moved}\n")
    (root / "testing_list.txt").write_text(f"no/{split_speakers['validation'][1]}_nohash_0.wav\n\n")
    index = scan_speech_commands(root)
    assert index.split_source == "lists"
    assert index.clips["validation"] == [moved]
    assert index.clips["testing"] == [f"no/{split_speakers['validation'][1]}_nohash_0.wav"]
    assert index.counts() == {"training": 16, "validation": 1, "testing": 1}


def test_splits_follow_the_hashing_rule_without_list_files(speech_commands_writer, tmp_path, split_speakers):
    root = tmp_path / "sc"
    clips = speech_commands_writer(root, lists=False)
    index = scan_speech_commands(root)
    assert index.split_source == "hashing"
    for split, split_clips in index.clips.items():
        assert split_clips == sorted(clip for clip in clips if which_split(clip) == split)
        assert {clip.split("/")[1].split("_")[0] for clip in split_clips} == set(split_speakers[split])
    assert index.counts() == {"training": 6, "validation": 6, "testing": 6}


def test_words_select_classes_in_the_given_order(tiny_speech_commands):
    root, _ = tiny_speech_commands
    index = scan_speech_commands(root, ["yes", "no"])
    assert index.words == ("yes", "no")
    assert index.counts() == {"training": 4, "validation": 4, "testing": 4}
    assert {clip.split("/")[0] for split_clips in index.clips.values() for clip in split_clips} == {"yes", "no"}
    assert all(
        (label == 0) == clip.startswith("yes/")
        for split in index.clips
        for clip, label in zip(index.clips[split], index.labels[split])
    )


def test_list_entries_of_unselected_words_are_ignored(tiny_speech_commands):
    root, _ = tiny_speech_commands
    with (root / "testing_list.txt").open("a") as lists:
        lists.write("wow/0000dead_nohash_0.wav\n")
    assert scan_speech_commands(root, ["up"]).counts()["testing"] == 2


@pytest.mark.parametrize(
    "setup, words, message",
    [
        (lambda root: None, ["yes", "maybe"], "maybe: is not a word folder"),
        (lambda root: (root / "maybe").mkdir(), ["maybe"], "maybe: has no .wav clip"),
        (lambda root: None, ["yes", "yes"], "word 'yes' is selected twice"),
        (lambda root: None, ["_background_noise_"], "_background_noise_: is not a word folder"),
        (lambda root: None, [], "no word selected"),
        (lambda root: (root / "testing_list.txt").unlink(), None, "has validation_list.txt but no testing_list.txt"),
        (
            lambda root: (root / "validation_list.txt").write_text("yes/cafecafe_nohash_0.wav\n"),
            None,
            "validation_list.txt:1: yes/cafecafe_nohash_0.wav does not exist",
        ),
        (
            lambda root: (root / "testing_list.txt").write_text((root / "validation_list.txt").read_text()),
            None,
            "is also in validation_list.txt",
        ),
        (
            lambda root: (root / "testing_list.txt").write_bytes(b"\xff\xfe\x00bad"),
            None,
            "testing_list.txt: unreadable",
        ),
        (lambda root: (root / "testing_list.txt").write_text(""), None, "no testing clip among the words"),
    ],
)
def test_layout_errors_name_the_problem(tiny_speech_commands, setup, words, message):
    root, _ = tiny_speech_commands
    setup(root)
    with pytest.raises(SpeechCommandsError) as error:
        scan_speech_commands(root, words)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_missing_folder(tmp_path):
    with pytest.raises(SpeechCommandsError, match="no such folder"):
        scan_speech_commands(tmp_path / "nowhere")


def test_folder_without_word_folders(tmp_path):
    (tmp_path / "_background_noise_").mkdir()
    soundfile.write(tmp_path / "_background_noise_" / "noise.wav", np.zeros(100, np.int16), 16000)
    (tmp_path / "empty_word").mkdir()
    (tmp_path / "clip.wav").write_bytes(b"")
    with pytest.raises(SpeechCommandsError, match="not a Speech Commands folder"):
        scan_speech_commands(tmp_path)
