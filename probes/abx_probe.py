"""ABX discriminability of frozen speech features on triphones, ZeroSpeech's metric of the CPC literature.

Every utterance of the converted split that has a phone alignment is featurised whole by every
row; the triphone items (`probes.abx_items`) are cut from the features by frame centre, and the
within- and across-speaker ABX errors (`probes.abx_score`) are computed with DTW over the
angular frame distance (`probes.dtw_distance`). Nothing is trained.
"""

import dataclasses
import time

import numpy as np

from probes.abx_config import AbxConfig, check_abx_config
from probes.abx_items import TriphoneItem, item_frames, silence_ids, triphone_items
from probes.abx_score import AbxScore, abx_score, sample_groups
from probes.feature_extraction import utterance_features
from probes.feature_rows import FeatureRow, fixed_front_end_row, fresh_copy, load_feature_network
from probes.frame_mapping import check_label_count
from probes.phone_alignments import ALIGNMENTS_NAME, read_labels
from probes.probe_config import ProbeConfig, ProbeConfigError
from probes.utterance_audio import read_utterances, stored_lengths


@dataclasses.dataclass
class AbxRowResult:
    """The ABX errors of one row.

    Attributes:
        name: The row's name.
        description: What the features are.
        score: The errors and counts.
        feature_dim: Features per frame.
        frame_ms: Milliseconds between frames.
        wall_seconds: Time the row took.
    """

    name: str
    description: str
    score: AbxScore
    feature_dim: int
    frame_ms: float
    wall_seconds: float

    def summary(self) -> dict:
        """The row as plain values, for results.json and results.csv."""
        return {
            "name": self.name,
            "description": self.description,
            "within_error": self.score.within_error,
            "across_error": self.score.across_error,
            "within_triplets": self.score.within_triplets,
            "across_triplets": self.score.across_triplets,
            "within_phone_pairs": self.score.pairs["within"],
            "across_phone_pairs": self.score.pairs["across"],
            "feature_dim": self.feature_dim,
            "frame_ms": self.frame_ms,
            "wall_seconds": self.wall_seconds,
        }


@dataclasses.dataclass
class AbxResults:
    """Every row of an ABX run.

    Attributes:
        rows: The rows in the order asked.
        recipe: What was scored and how.
    """

    rows: list[AbxRowResult]
    recipe: dict


def run_abx(config: AbxConfig) -> AbxResults:
    """Computes the within- and across-speaker ABX error of every row of ``config.rows``.

    Raises:
        ProbeError: Bad settings, label files or model, labels that do not fit the audio, or no
            utterance of the split with an alignment; all checked before any audio is read.
        librispeech.corpus_error.CorpusError: ``config.tfrecords_dir`` is not a converted split.
    """
    check_abx_config(config)
    phone_symbols, labels = read_labels(config.alignments_dir)
    lengths = {
        utterance: length for utterance, length in stored_lengths(config.tfrecords_dir).items() if utterance in labels
    }
    if not lengths:
        raise ProbeConfigError(
            f"{config.tfrecords_dir}: no utterance of this split is aligned in "
            f"{config.alignments_dir / ALIGNMENTS_NAME}"
        )
    for utterance, num_samples in lengths.items():
        check_label_count(utterance, len(labels[utterance]), num_samples)
    rows = _build_rows(config)
    audio = read_utterances(
        config.tfrecords_dir, {utterance: str(config.tfrecords_dir) for utterance in lengths}, config.show_progress
    )
    utterances = list(audio.values())
    silence = silence_ids(phone_symbols)
    items = [
        item
        for utterance in utterances
        for item in triphone_items(
            utterance.utterance_id, utterance.speaker_id, labels[utterance.utterance_id], silence
        )
    ]
    items = [items[index] for index in sample_groups(items, config.max_items_per_group, config.seed)]
    results = []
    for row in rows:
        started = time.monotonic()
        features = utterance_features(row.network, [utterances], config.show_progress, f"{row.name}: features")[0]
        by_utterance = {utterance.utterance_id: frames for utterance, frames in zip(utterances, features)}
        scored, item_features = _item_features(items, by_utterance, row)
        score = abx_score(scored, item_features)
        results.append(
            AbxRowResult(
                row.name,
                row.description,
                score,
                row.feature_dim,
                row.geometry.hop_ms,
                round(time.monotonic() - started, 2),
            )
        )
    recipe = {
        "task": "abx",
        "tfrecords": str(config.tfrecords_dir),
        "alignments": str(config.alignments_dir),
        "model": str(config.model) if config.needs_model else None,
        "utterances": len(utterances),
        "speakers": len({utterance.speaker_id for utterance in utterances}),
        "items": len(items),
        "max_items_per_group": config.max_items_per_group,
        "seed": config.seed,
        "items_from": "triphones of the frame alignments (silence neither centre nor context), spanning "
        "the three phones; frames whose centre lies in the span",
        "distance": "DTW, mean angular distance arccos(cos)/pi along the path",
        "averaging": "triplets per (phone pair, context, speakers) cell, then over speakers, contexts, phone pairs",
    }
    return AbxResults(results, recipe)


def _build_rows(config: AbxConfig) -> list[FeatureRow]:
    rows = []
    networks = {}
    for name in config.rows:
        if name in ("logmel", "mfcc"):
            rows.append(fixed_front_end_row(name))
            continue
        kind = name.split("_")[1]
        if kind not in networks:
            probe = ProbeConfig(task="phone", model=config.model, features=kind, rows=("cpc",))
            networks[kind] = load_feature_network(probe)
        network, geometry = networks[kind]
        source = f"{'c_t' if kind == 'c' else 'z_t'} of {config.model}"
        if name.startswith("random"):
            network, source = fresh_copy(network, config.seed), f"{source}, random init"
        rows.append(FeatureRow(name, source, network, geometry, "mean", False, network.outputs[0].shape[-1]))
    return rows


def _item_features(
    items: list[TriphoneItem], by_utterance: dict[str, np.ndarray], row: FeatureRow
) -> tuple[list[TriphoneItem], list[np.ndarray]]:
    """The frames of every item that holds at least one frame of the row, with those items."""
    kept, features = [], []
    centres = {}
    for item in items:
        frames = by_utterance[item.utterance_id]
        if item.utterance_id not in centres:
            centres[item.utterance_id] = row.geometry.centres(len(frames))
        chosen = frames[item_frames(centres[item.utterance_id], item)]
        if len(chosen):
            kept.append(item)
            features.append(chosen.astype(np.float64))
    return kept, features
