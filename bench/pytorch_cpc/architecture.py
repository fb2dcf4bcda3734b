"""A preset's training model as the PyTorch reference takes it: a JSON-ready dict.

Runs on our side (it reads the preset with `models.encoder_spec`, which needs PyYAML but not
TensorFlow); the worker receives the dict as JSON.
"""

import dataclasses

from models.encoder_spec import resolve_encoder_spec
from pretraining.loss_config import LossConfig


def architecture(preset: str) -> dict:
    """The sizes ``train.py --encoder PRESET`` trains with, by the preset's defaults.

    The predictor is the linear one and the negatives are drawn within the window whatever
    the preset suggests: those are what the reference implements, and our side of the
    comparison is built alike (`bench.train_ablation --encoder`).

    Args:
        preset: A preset name (``seed``, ``paper``, ``modified``, ``modified-small``) or the
            path of a ``conv_dims`` YAML file.

    Returns:
        ``conv_dims`` (rows ``[in, out, kernel, stride, padding, dilation]``, padding on the
        left), ``dim_z``, ``norm``, ``activate_last``, ``ar`` ("gru" or "lstm"),
        ``ar_layers``, ``dim_c``, ``pred_steps``, ``num_neg`` and ``t_skip``.
    """
    spec = resolve_encoder_spec(preset)
    return {
        "conv_dims": [[getattr(layer, field.name) for field in dataclasses.fields(layer)] for layer in spec.layers],
        "dim_z": spec.dim_z,
        "norm": spec.norm,
        "activate_last": spec.activate_last,
        "ar": spec.default_ar,
        "ar_layers": spec.default_ar_layers,
        "dim_c": spec.default_dim_c,
        "pred_steps": spec.default_pred_steps,
        "num_neg": spec.default_num_neg,
        "t_skip": LossConfig().t_skip,
    }
