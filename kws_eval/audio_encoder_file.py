"""Loading a pretrained audio encoder file and checking that it is one."""

import re
from pathlib import Path

import keras
import numpy as np

from kws_eval.kws_config_error import KwsConfigError

_DECORATION = re.compile(r"\x1b\[[0-9;]*m|\{\{function_node [^}]*\}\}\s*")


def load_audio_encoder(path: Path | str, clip_samples: int = 16000) -> keras.Model:
    """Loads an encoder saved by `train.py` (or any Keras model of that contract).

    Any file that `keras.models.load_model` reads (.h5, .keras) is accepted if
    it maps audio `(batch, samples)` to `(batch, frames, features)`: it is run
    once on a silent clip to make sure, and copied once to make sure the
    random and fine-tuned rows can have their own copies.

    Args:
        path: The encoder file, e.g. `outputs/genc.h5`.
        clip_samples: Samples per clip the encoder will be given.

    Returns:
        The loaded model, uncompiled.

    Raises:
        KwsConfigError: The file is missing, is not a loadable Keras model,
            does not map `(batch, samples)` to `(batch, frames, features)`,
            gives no frame for `clip_samples` samples, or cannot be copied.
    """
    path = Path(path)
    label = f"encoder {path}"
    if not path.is_file():
        raise KwsConfigError(
            f"{label}: no such file (train one with train.py, or leave the random and cpc rows out of --rows)"
        )
    try:
        encoder = keras.models.load_model(path, compile=False, safe_mode=True)
    except Exception as error:  # noqa: BLE001  (Keras reports corrupt files with many types)
        raise KwsConfigError(f"{label}: not a loadable Keras model ({_first_line(error)})") from None
    inputs = getattr(encoder, "inputs", None) or []
    outputs = getattr(encoder, "outputs", None) or []
    if len(inputs) != 1 or len(outputs) != 1:
        raise KwsConfigError(f"{label}: not an audio encoder (a model with one input and one output)")
    input_shape, output_shape = tuple(inputs[0].shape), tuple(outputs[0].shape)
    if len(input_shape) != 2 or len(output_shape) != 3 or input_shape[1] not in (None, clip_samples):
        raise KwsConfigError(
            f"{label}: not an audio encoder: it maps {input_shape} to {output_shape}, "
            f"expected (batch, samples) with {clip_samples} samples allowed to (batch, frames, features)"
        )
    try:
        features = np.asarray(encoder(np.zeros((1, clip_samples), np.float32)))
    except Exception as error:  # noqa: BLE001  (whatever the model's own layers raise)
        raise KwsConfigError(f"{label}: fails on a {clip_samples}-sample clip ({_first_line(error)})") from None
    if features.ndim != 3 or features.shape[1] < 1 or features.shape[2] < 1:
        raise KwsConfigError(
            f"{label}: gives features of shape {features.shape} for one "
            f"{clip_samples}-sample clip, expected (1, frames, features)"
        )
    try:
        keras.models.clone_model(encoder)
    except Exception as error:  # noqa: BLE001
        raise KwsConfigError(f"{label}: cannot be copied for the random rows ({_first_line(error)})") from None
    return encoder


def _first_line(error: Exception) -> str:
    """The error's type and most telling line, without Keras's wrapping and terminal colours."""
    text = _DECORATION.sub("", str(error))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    telling = [line for line in lines if not line.startswith("Exception encountered when calling")]
    message = (telling or lines or [""])[0]
    return f"{type(error).__name__}: {message[:200]}" if message else type(error).__name__
