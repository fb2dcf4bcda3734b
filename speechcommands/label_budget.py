"""Training subsets of a few labelled clips per word, the few-label regime of representation studies."""

from __future__ import annotations

import numpy as np

from speechcommands.speech_commands_error import SpeechCommandsError


def clips_per_word(labels: np.ndarray, per_word: int, seed: int, words: tuple[str, ...]) -> np.ndarray:
    """Draws `per_word` training clips of every word, without replacement.

    Args:
        labels: `(clips,)` word index of every training clip.
        per_word: Clips to keep of each word.
        seed: Seed of the draw; every word's clips are drawn from the same generator, word by
            word in label order, so equal seeds give equal subsets.
        words: The word of every label, named in errors.

    Returns:
        `(len(words) * per_word,)` int64 positions into `labels`, sorted.

    Raises:
        SpeechCommandsError: A word has fewer than `per_word` training clips.
    """
    rng = np.random.default_rng(seed)
    chosen = []
    for label, word in enumerate(words):
        positions = np.flatnonzero(labels == label)
        if len(positions) < per_word:
            raise SpeechCommandsError(
                f"--train-per-word {per_word}: word {word!r} has only {len(positions)} training clips"
            )
        chosen.append(rng.choice(positions, per_word, replace=False))
    return np.sort(np.concatenate(chosen)).astype(np.int64)
