"""Tests of drawing a few training clips per word."""

import numpy as np
import pytest

from speechcommands.label_budget import clips_per_word
from speechcommands.speech_commands_error import SpeechCommandsError


def test_every_word_gets_its_budget_and_the_seed_fixes_the_draw():
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 0])
    chosen = clips_per_word(labels, 2, seed=0, words=("a", "b", "c"))
    assert chosen.dtype == np.int64 and list(chosen) == sorted(chosen)
    assert np.bincount(labels[chosen]).tolist() == [2, 2, 2]
    assert len(set(chosen.tolist())) == 6
    np.testing.assert_array_equal(clips_per_word(labels, 2, seed=0, words=("a", "b", "c")), chosen)
    draws = {tuple(clips_per_word(labels, 2, seed=seed, words=("a", "b", "c"))) for seed in range(10)}
    assert len(draws) > 1
    # Golden draw, so that a change to the sampling shows.
    assert chosen.tolist() == [1, 2, 7, 8, 9, 10]


def test_all_clips_of_a_word_when_the_budget_equals_its_count():
    labels = np.array([0, 0, 1, 1])
    assert clips_per_word(labels, 2, seed=5, words=("a", "b")).tolist() == [0, 1, 2, 3]


def test_a_word_with_too_few_clips_is_refused():
    with pytest.raises(SpeechCommandsError, match="--train-per-word 3: word 'b' has only 1 training clips"):
        clips_per_word(np.array([0, 0, 0, 1]), 3, seed=0, words=("a", "b"))
