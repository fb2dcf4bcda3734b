"""Tests of the Speech Commands hashing rule for train/validation/test splits."""

import hypothesis
import hypothesis.strategies as st
import pytest

from speechcommands.splits import which_split

SPEAKER_NAMES = st.text(alphabet="0123456789abcdef", min_size=8, max_size=8)


def test_hand_computed_percentage_of_abc():
    # SHA-1("abc") = a9993e36...c26c9cd0d89d; its low 27 bits are 0x4d0d89d =
    # 80795805, and 80795805 * 100 / (2**27 - 1) = 60.1976.
    assert which_split("abc_nohash_0.wav") == "training"
    assert which_split("abc_nohash_0.wav", validation_percentage=60.2) == "validation"
    assert which_split("abc_nohash_0.wav", validation_percentage=60.19) == "testing"
    assert which_split("abc_nohash_0.wav", validation_percentage=60.19, testing_percentage=0.0) == "training"
    assert which_split("abc_nohash_0.wav", validation_percentage=50.0, testing_percentage=10.2) == "testing"
    assert which_split("abc_nohash_0.wav", validation_percentage=50.0, testing_percentage=10.19) == "training"


@pytest.mark.parametrize(
    "clip, split",
    [
        # Entries of the real dataset's validation_list.txt and testing_list.txt.
        ("bed/026290a7_nohash_0.wav", "validation"),  # 0.68 %
        ("bed/060cd039_nohash_0.wav", "validation"),  # 7.82 %
        ("bed/0c40e715_nohash_0.wav", "testing"),  # 16.40 %
        ("bed/0ea0e2f4_nohash_0.wav", "testing"),  # 18.73 %
        ("bed/00176480_nohash_0.wav", "training"),  # 69.80 %
        ("e0b84a5e_nohash_3.wav", "validation"),  # 3.21 %
    ],
)
def test_known_clips(clip, split):
    assert which_split(clip) == split


def test_only_the_part_before_nohash_counts():
    # Everything from the first "_nohash_" on is ignored, so the empty name's
    # percentage (98.05 % for SHA-1 of b"") decides this clip.
    assert which_split("_nohash_abc_nohash_0.wav") == "training"
    assert which_split("_nohash_abc_nohash_0.wav", validation_percentage=98.1) == "validation"
    assert which_split("_nohash_abc_nohash_0.wav", validation_percentage=98.0, testing_percentage=0.0) == "training"


@hypothesis.given(speaker=SPEAKER_NAMES, word=st.sampled_from(["yes", "no", "marvin"]), repetition=st.integers(0, 9))
def test_all_clips_of_a_speaker_share_a_split(speaker, word, repetition):
    assert which_split(f"/data/{word}/{speaker}_nohash_{repetition}.wav") == which_split(f"{speaker}_nohash_0.wav")


@hypothesis.given(speaker=SPEAKER_NAMES)
def test_zero_percentages_put_everything_in_training(speaker):
    assert which_split(f"{speaker}_nohash_0.wav", 0.0, 0.0) == "training"


def test_split_sizes_follow_the_percentages():
    splits = [which_split(f"{number:08x}_nohash_0.wav") for number in range(4000)]
    assert 0.08 < splits.count("validation") / len(splits) < 0.12
    assert 0.08 < splits.count("testing") / len(splits) < 0.12
