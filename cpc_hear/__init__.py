"""The HEAR 2021 API (https://hearbenchmark.com/hear-api.html) over a trained CPC model file.

HEAR names a submission by its module, so ``cpc_hear`` is what its tools import::

    hear-validator cpc_hear -m outputs/gar.keras

`load_model` takes ``outputs/gar.keras`` (embeddings are c_t) or ``outputs/genc.h5`` (z_t);
`get_timestamp_embeddings` and `get_scene_embeddings` normalise each sound as in training first.
"""

# HEAR's tools import this module as the entry point, so it sets TensorFlow's environment first.
import cli.tensorflow_environment

from cpc_hear.hear_api import CPCHearModel, get_scene_embeddings, get_timestamp_embeddings, load_model

__all__ = ["CPCHearModel", "get_scene_embeddings", "get_timestamp_embeddings", "load_model"]
