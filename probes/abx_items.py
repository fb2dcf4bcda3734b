"""Triphone items for ABX, cut from frame-level phone alignments.

An item is one occurrence of a phone with its two neighbours: the central phone is its category
and the neighbours its context, as in ZeroSpeech 2017/2021 and Libri-light's item files. It spans
the whole triphone, from the first 10 ms frame of the previous phone to the last of the next one.
Silence is neither a central phone nor a context: a phone next to a pause starts no item.
"""

import dataclasses

import numpy as np

from probes.phone_alignments import LABEL_SAMPLES

SILENCE_SYMBOLS = frozenset({"SIL", "sil", "SPN", "spn", "sp", "<eps>"})
"""Symbols of `phones.txt` that count as silence or noise, not as phones."""


@dataclasses.dataclass(frozen=True)
class TriphoneItem:
    """One triphone occurrence.

    Attributes:
        utterance_id: The utterance it is in.
        speaker_id: Its speaker.
        phone: The central phone's id, the item's category.
        context: The ids of the previous and the next phone.
        onset: First sample of the triphone (the previous phone's first 10 ms frame).
        offset: One past its last sample (the end of the next phone's last frame).
    """

    utterance_id: str
    speaker_id: int
    phone: int
    context: tuple[int, int]
    onset: int
    offset: int


def silence_ids(phone_symbols: dict[int, str] | None) -> frozenset[int]:
    """The phone ids that are silence: those whose symbol is in `SILENCE_SYMBOLS`, or id 0 without `phones.txt`."""
    if phone_symbols is None:
        return frozenset({0})
    return frozenset(index for index, symbol in phone_symbols.items() if symbol in SILENCE_SYMBOLS)


def triphone_items(
    utterance_id: str, speaker_id: int, labels: np.ndarray, silence: frozenset[int]
) -> list[TriphoneItem]:
    """Every triphone of one utterance.

    Args:
        utterance_id: The utterance.
        speaker_id: Its speaker.
        labels: `(frames,)` phone id per 10 ms frame.
        silence: Phone ids that are silence.

    Returns:
        The items in time order: one per run of equal labels that has a non-silent run on
        either side and is not silent itself.
    """
    if len(labels) == 0:
        return []
    boundaries = np.flatnonzero(np.diff(labels)) + 1
    starts = np.concatenate([[0], boundaries])
    ends = np.concatenate([boundaries, [len(labels)]])
    phones = labels[starts]
    items = []
    for index in range(1, len(phones) - 1):
        previous, phone, following = int(phones[index - 1]), int(phones[index]), int(phones[index + 1])
        if silence.intersection((previous, phone, following)):
            continue
        items.append(
            TriphoneItem(
                utterance_id,
                speaker_id,
                phone,
                (previous, following),
                int(starts[index - 1]) * LABEL_SAMPLES,
                int(ends[index + 1]) * LABEL_SAMPLES,
            )
        )
    return items


def item_frames(centres: np.ndarray, item: TriphoneItem) -> slice:
    """The feature frames of an item: those whose centre sample lies within `[onset, offset)`.

    Args:
        centres: `(frames,)` centre sample of every frame of the utterance (`FrameGeometry.centres`).
        item: The item.

    Returns:
        The slice of frames (empty if no centre falls inside).
    """
    first = int(np.searchsorted(centres, item.onset, side="left"))
    last = int(np.searchsorted(centres, item.offset, side="left"))
    return slice(first, last)
