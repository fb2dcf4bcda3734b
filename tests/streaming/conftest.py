"""Untrained CPC models and random chunkings shared by the streaming tests."""

import keras
import numpy as np
import pytest

from models.ar_model import ar_model
from models.context_model import context_model
from models.cpc_model_file import CpcModelFile
from models.encoder_spec import resolve_encoder_spec
from models.genc_model import genc_model
from models.streaming_context_model import StreamingContextModel

# Dilation 2 on the middle layer; the first layer pads less than kernel - stride.
DILATED_YAML = "conv_dims:\n  - [1, 4, 4, 2, 1, 1]\n  - [4, 4, 3, 1, 4, 2]\n  - [4, 3, 2, 2, 0, 1]\n  - 3\n"
# Edge cases of the buffering: a kernel shorter than its stride (samples skipped), a
# 1-wide kernel with more padding than it spans, dilation 3 with no padding at all.
ODD_YAML = "conv_dims:\n  - [1, 5, 2, 3, 0, 1]\n  - [5, 4, 1, 1, 2, 1]\n  - [4, 3, 3, 1, 0, 3]\n  - 3\n"


def encoder_spec(name, tmp_path):
    """The spec of a preset, or of one of the YAML encoders above written under `tmp_path`."""
    if name in ("seed", "paper"):
        return resolve_encoder_spec(name)
    path = tmp_path / f"{name}.yaml"
    path.write_text({"dilated": DILATED_YAML, "odd": ODD_YAML}[name])
    return resolve_encoder_spec(str(path))


@pytest.fixture
def models_for(tmp_path):
    """Builds `(spec, encoder, context)` for an encoder name, untrained, with a 6-unit GRU."""

    def build(name, seed=0):
        spec = encoder_spec(name, tmp_path)
        keras.utils.set_random_seed(seed)
        encoder = genc_model(spec)
        return spec, encoder, context_model(encoder, ar_model(spec.dim_z, dim_c=6))

    return build


def random_chunk_lengths(rng: np.random.Generator, total: int, hop: int) -> list[int]:
    """Random lengths summing to `total`: empty, 1-sample, shorter than a hop and long chunks."""
    lengths, left = [0, 1], total - 1
    while left > 0:
        kind = rng.integers(4)
        size = [0, 1, int(rng.integers(1, hop)), int(rng.integers(hop, 4 * hop))][kind]
        size = min(size, left)
        lengths.append(size)
        left -= size
    return lengths


@pytest.fixture(scope="session")
def dilated_pair(tmp_path_factory):
    """`(streaming, audio, c)`: the streaming form of an untrained dilated-YAML context model,
    120 samples of noise and their offline context."""
    spec = encoder_spec("dilated", tmp_path_factory.mktemp("dilated"))
    keras.utils.set_random_seed(2)
    context = context_model(genc_model(spec), ar_model(spec.dim_z, dim_c=5))
    audio = np.random.default_rng(0).normal(size=(1, 120)).astype(np.float32)
    streaming = StreamingContextModel.from_model_file(CpcModelFile.from_model(context, "dilated"))
    return streaming, audio, np.asarray(context(audio))


@pytest.fixture
def chunk_lengths():
    """`random_chunk_lengths` for the tests (conftest helpers are not importable)."""
    return random_chunk_lengths
