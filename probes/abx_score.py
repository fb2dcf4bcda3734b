"""ABX error rates of one feature set over triphone items, within and across speakers.

For a triplet (A, B, X) where A and X are the same triphone category (central phone and
context) and B differs from A only by its central phone, the features discriminate when X is
closer to A than to B under the DTW distance; a tie counts half. Within speakers A, B and X share
a speaker; across speakers A and B share one and X comes from another. As in ZeroSpeech and
Libri-light, the error of every (A phone, B phone, context, speakers) cell is the mean over its
token triplets; cells are averaged over speakers, then over contexts, then over phone pairs.
"""

import dataclasses
import itertools
from collections import defaultdict

import numpy as np

from probes.abx_items import TriphoneItem
from probes.dtw_distance import angular_distances, dtw_distances

MODES = ("within", "across")
"""Speaker modes: X from A's speaker, or from another speaker."""

_DTW_BATCH = 512


@dataclasses.dataclass(frozen=True)
class AbxScore:
    """The ABX error rates of one feature set.

    Attributes:
        within_error: Error within speakers, in [0, 1]; None with no within-speaker triplet.
        across_error: Error across speakers; None with no across-speaker triplet.
        within_triplets: Triplets scored within speakers.
        across_triplets: Triplets scored across speakers.
        pairs: Phone pairs (A, B) the errors average over, per mode.
    """

    within_error: float | None
    across_error: float | None
    within_triplets: int
    across_triplets: int
    pairs: dict[str, int]

    def error(self, mode: str) -> float | None:
        """The error of a speaker mode."""
        return self.within_error if mode == "within" else self.across_error


def sample_groups(items: list[TriphoneItem], max_per_group: int, seed: int) -> list[int]:
    """Keeps at most `max_per_group` items of every (category, speaker), drawn with `seed`.

    Returns:
        Indices into `items` of the kept ones, sorted.
    """
    groups = defaultdict(list)
    for index, item in enumerate(items):
        groups[(item.context, item.phone, item.speaker_id)].append(index)
    rng = np.random.default_rng(seed)
    kept = []
    for key in sorted(groups):
        members = groups[key]
        kept.extend(members if len(members) <= max_per_group else rng.choice(members, max_per_group, replace=False))
    return sorted(int(index) for index in kept)


def abx_score(items: list[TriphoneItem], features: list[np.ndarray]) -> AbxScore:
    """Scores every within- and across-speaker triplet of the items.

    Args:
        items: The triphone items (already thinned by `sample_groups` where wanted).
        features: `(frames, dim)` features of every item, at least one frame each.

    Returns:
        The `AbxScore`.
    """
    cells = defaultdict(list)  # (context, phone, speaker) -> item indices
    for index, item in enumerate(items):
        cells[(item.context, item.phone, item.speaker_id)].append(index)
    by_context = defaultdict(lambda: defaultdict(dict))  # context -> phone -> speaker -> item indices
    for (context, phone, speaker), members in cells.items():
        by_context[context][phone][speaker] = members
    triplets = {mode: [] for mode in MODES}  # (a_phone, b_phone, context, speakers, A, B, X)
    for context, phones in by_context.items():
        for a_phone, b_phone in itertools.permutations(sorted(phones), 2):
            for speaker, a_items in phones[a_phone].items():
                b_items = phones[b_phone].get(speaker)
                if not b_items:
                    continue
                key = (a_phone, b_phone, context)
                if len(a_items) > 1:
                    triplets["within"] += [
                        (key, speaker, a, b, x) for a in a_items for b in b_items for x in a_items if x != a
                    ]
                for x_speaker, x_items in phones[a_phone].items():
                    if x_speaker != speaker:
                        triplets["across"] += [
                            (key, (speaker, x_speaker), a, b, x) for a in a_items for b in b_items for x in x_items
                        ]
    needed = sorted({pair for mode in MODES for _, _, a, b, x in triplets[mode] for pair in ((a, x), (b, x))})
    distance = dict(zip(needed, _distances(needed, features)))
    errors = {mode: _aggregate(triplets[mode], distance) for mode in MODES}
    return AbxScore(
        within_error=errors["within"][0],
        across_error=errors["across"][0],
        within_triplets=len(triplets["within"]),
        across_triplets=len(triplets["across"]),
        pairs={mode: errors[mode][1] for mode in MODES},
    )


def _distances(pairs: list[tuple[int, int]], features: list[np.ndarray]) -> list[float]:
    values = []
    for start in range(0, len(pairs), _DTW_BATCH):
        batch = pairs[start : start + _DTW_BATCH]
        values.extend(dtw_distances([angular_distances(features[first], features[second]) for first, second in batch]))
    return values


def _aggregate(triplets: list, distance: dict) -> tuple[float | None, int]:
    """Mean over cells, then speakers, contexts and phone pairs; and the number of phone pairs."""
    cell_scores = defaultdict(list)  # (phone pair, context, speakers) -> triplet scores
    for key, speakers, a, b, x in triplets:
        to_a, to_b = distance[(a, x)], distance[(b, x)]
        cell_scores[(key, speakers)].append(1.0 if to_a < to_b else 0.5 if to_a == to_b else 0.0)
    over_speakers = defaultdict(list)  # (phone pair, context) -> one score per speaker cell
    for (key, _), scores in cell_scores.items():
        over_speakers[key].append(np.mean(scores))
    over_contexts = defaultdict(list)  # phone pair -> one score per context
    for (a_phone, b_phone, _), scores in over_speakers.items():
        over_contexts[(a_phone, b_phone)].append(np.mean(scores))
    if not over_contexts:
        return None, 0
    accuracy = float(np.mean([np.mean(scores) for scores in over_contexts.values()]))
    return 1.0 - accuracy, len(over_contexts)
