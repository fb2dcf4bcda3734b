"""A run's settings as ``config.json`` records them, and the part a backup must share."""

import dataclasses
import hashlib

from librispeech.manifest import MANIFEST_NAME
from pretraining.config_file import RESOLVED_KEY, config_to_json, json_fields
from pretraining.resolved_pretraining import ResolvedPretraining
from pretraining.training_backup import DATA_KEY

UNCOMPARED_SETTINGS = ("epochs", "time_budget", "restart")
"""Settings a run may change and still resume a backup: how long it trains."""


def run_settings(resolved: ResolvedPretraining) -> dict:
    """Every setting as given (one object per group) plus what it resolves to, for ``config.json``.

    What it resolves to includes every training split with its utterances, hours and weight
    (the probability that a training window comes from it), and the counts of all of them.
    """
    config, spec = resolved.config, resolved.spec
    window, t_skip = config.data.window, config.loss.t_skip
    resolved_values = {
        "dim_z": spec.dim_z,
        "dim_c": resolved.dim_c,
        "pred_steps": resolved.pred_steps,
        "ar": resolved.ar,
        "ar_layers": resolved.ar_layers,
        "predictor": resolved.predictor,
        "predictor_dropout": resolved.predictor_dropout,
        "num_neg": resolved.num_neg,
        "negatives": resolved.negatives,
        "windows_per_speaker": resolved.windows_per_speaker,
        "augment": None if resolved.augment is None else json_fields(resolved.augment),
        "norm": spec.norm,
        "activate_last": spec.activate_last,
        "hop": spec.hop,
        "receptive_field": spec.receptive_field,
        "frames_per_window": resolved.frames_per_window,
        "scored_context_steps": resolved.frames_per_window - t_skip - resolved.pred_steps,
        "chance_accuracy": resolved.chance_accuracy,
        "conv_dims": [[getattr(layer, f.name) for f in dataclasses.fields(layer)] for layer in spec.layers]
        + [spec.dim_z],
        "train_splits": [
            {"split": split, "utterances": manifest.num_records, "hours": manifest.total_hours, "weight": weight}
            for split, manifest, weight in zip(
                resolved.train_splits, resolved.train_manifests, resolved.train_weights, strict=True
            )
        ],
        "train_utterances": sum(manifest.num_records for manifest in resolved.train_manifests),
        "train_utterances_shorter_than_window": sum(
            manifest.count_shorter_than(window) for manifest in resolved.train_manifests
        ),
        "val_utterances": resolved.val_manifest.num_records,
        "val_utterances_shorter_than_window": resolved.val_manifest.count_shorter_than(window),
    }
    return {**config_to_json(config), RESOLVED_KEY: resolved_values}


def resumable_settings(settings: dict, resolved: ResolvedPretraining) -> dict:
    """What a backup must share with the run resuming it: every setting but how long to train, and the data.

    The settings are keyed by field name alone (unique across the groups), as backups
    recorded them before the settings were grouped, so those backups still resume and a
    refusal names the setting (``lr differ``). The data are the sha256 of each split's
    ``manifest.json``, so a split converted again since the backup (other audio, other
    shards) is noticed, and so is another list of training splits (or, in another order,
    by ``train_split``).

    Args:
        settings: ``run_settings(resolved)``.
        resolved: The run's checked settings.
    """
    fields = {
        name: value
        for group, values in settings.items()
        if group != RESOLVED_KEY
        for name, value in values.items()
        if name not in UNCOMPARED_SETTINGS
    }
    manifests = {
        split: hashlib.sha256((directory / MANIFEST_NAME).read_bytes()).hexdigest()
        for split, directory in (
            *zip(resolved.train_splits, resolved.train_dirs, strict=True),
            (resolved.config.data.val_split, resolved.val_dir),
        )
    }
    return {**fields, RESOLVED_KEY: settings[RESOLVED_KEY], DATA_KEY: manifests}
