"""How often training draws from each of several converted splits: by their hours of audio."""

from collections.abc import Sequence

from librispeech.manifest import Manifest


def split_weights(manifests: Sequence[Manifest]) -> list[float]:
    """Each split's share of the hours of audio, the probability that a training window comes from it.

    Kept apart from the input pipeline so that settings are checked without loading TensorFlow.
    """
    total = sum(manifest.total_hours for manifest in manifests)
    return [manifest.total_hours / total for manifest in manifests]
