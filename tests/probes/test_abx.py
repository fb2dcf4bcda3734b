"""Tests of ABX: triphone items from alignments, and the error on a tiny hand-computed case."""

import numpy as np
import pytest

from probes.abx_items import TriphoneItem, item_frames, silence_ids, triphone_items
from probes.abx_score import abx_score, sample_groups


def test_items_are_triphones_without_silence_spanning_the_three_phones():
    #        frame: 0 1 2 3 4 5 6 7 8 9 10 11
    labels = np.array([0, 0, 1, 1, 2, 2, 2, 3, 1, 1, 0, 0])
    items = triphone_items("u", 7, labels, frozenset({0}))
    assert items == [
        TriphoneItem("u", 7, 2, (1, 3), 2 * 160, 8 * 160),
        TriphoneItem("u", 7, 3, (2, 1), 4 * 160, 10 * 160),
    ]
    assert triphone_items("u", 7, np.array([], np.int32), frozenset({0})) == []
    assert silence_ids({0: "SIL", 1: "AA", 2: "spn", 3: "B"}) == frozenset({0, 2})
    assert silence_ids(None) == frozenset({0})


def test_item_frames_are_those_centred_inside():
    item = TriphoneItem("u", 1, 2, (1, 3), 320, 1280)
    # [onset, offset) = [320, 1280): 1279.5 is inside, 1280 is not.
    centres = np.array([79.5, 239.5, 399.5, 559.5, 1279.5, 1280.0, 1439.5])
    assert item_frames(centres, item) == slice(2, 5)
    assert item_frames(np.array([0.0, 100.0]), item) == slice(2, 2)


def _item(speaker, phone, context=(5, 6)):
    return TriphoneItem(f"s{speaker}", speaker, phone, context, 0, 1)


def test_a_hand_computed_case():
    """Two speakers, phones 1 and 2 in one context; one-frame items, so each distance is one angle."""
    items = [_item(1, 1), _item(1, 1), _item(1, 2), _item(2, 1), _item(2, 2)]
    angle = {0: 0.0, 1: 0.1, 2: 0.5, 3: 0.2, 4: 0.3}  # direction of each item, in units of pi
    features = [np.array([[np.cos(np.pi * a), np.sin(np.pi * a)]]) for a in angle.values()]
    score = abx_score(items, features)
    # Within speaker 1 (A, X of phone 1; B of phone 2): (A=0, X=1): d(A,X)=0.1 < d(B,X)=0.4 right;
    # (A=1, X=0): 0.1 < 0.5 right. Phone 2 as A has one item only: no triplet. Speaker 2 has one
    # item per phone: none. Within error 0 over the one pair (1, 2).
    assert score.within_error == 0.0 and score.within_triplets == 2 and score.pairs["within"] == 1
    # Across, X from the other speaker:
    #   A phone 1 by speaker 1 (A = 0 or 1, B = 2), X = 3 (angle 0.2): d(A,X) 0.2 / 0.1 against
    #   d(B,X) 0.3: right, right -> 1.
    #   A phone 1 by speaker 2 (A = 3, B = 4), X = 0 or 1: d(A,X) = 0.2 / 0.1 against
    #   d(B,X) = 0.3 / 0.2: right, right -> 1.
    #   A phone 2 by speaker 1 (A = 2, B = 0 or 1), X = 4 (0.3): d(A,X) 0.2 against d(B,X) 0.3 /
    #   0.2 (a tie: half): (1 + 0.5) / 2 = 0.75.
    #   A phone 2 by speaker 2 (A = 4, B = 3), X = 2 (0.5): d(A,X) 0.2 < d(B,X) 0.3 -> 1.
    # Pair (1, 2): mean over its speaker cells (1, 1) = 1; pair (2, 1): (0.75, 1) = 0.875.
    assert score.across_triplets == 2 + 2 + 2 + 1
    assert score.across_error == pytest.approx(1 - (1.0 + 0.875) / 2)
    assert score.pairs["across"] == 2


def test_contexts_are_never_mixed_and_no_triplet_gives_no_error():
    items = [_item(1, 1, (5, 6)), _item(1, 1, (5, 6)), _item(1, 2, (7, 8))]
    features = [np.ones((2, 3))] * 3
    score = abx_score(items, features)
    assert (score.within_error, score.across_error, score.within_triplets, score.across_triplets) == (None, None, 0, 0)


def test_sample_groups_keeps_at_most_n_per_category_and_speaker():
    items = [_item(1, 1)] * 7 + [_item(1, 2)] * 2 + [_item(2, 1)] * 4
    kept = sample_groups(items, 3, seed=0)
    assert len(kept) == 3 + 2 + 3 and kept == sorted(kept)
    assert sum(1 for index in kept if index < 7) == 3
    assert sample_groups(items, 3, seed=0) == kept
