"""The data settings of a pretraining run."""

import dataclasses
import pathlib

from pretraining.config_setting import setting


@dataclasses.dataclass(frozen=True)
class DataConfig:
    """Which splits a run trains and validates on, and how their utterances become windows.

    Each field's ``help`` (shown by ``train.py -h``) documents it.
    """

    data_dir: pathlib.Path = setting(
        pathlib.Path("~/Data/tfrecords"), "TFRecord root holding one folder per converted split"
    )
    train_split: str = setting(
        "train-clean-100",
        "split to train on, or a comma-separated list of them, e.g. 'train-clean-100,train-clean-360,my-corpus': "
        "each training window then comes from a split with probability its share of the hours of audio",
    )
    val_split: str = setting("dev-clean", "split to validate on after every epoch")
    window: int = setting(
        20480, "samples per training window (20480 = 1.28 s at 16 kHz); shorter utterances are left out"
    )
    crops_per_utterance: int = setting(
        4,
        "random windows cut from each training utterance read; reading costs far more than cropping, so this "
        "keeps the input pipeline's CPU share small; 1 = one window per read, as the reference",
    )
    normalize: bool = setting(True, "remove each utterance's mean and divide by its peak")
    augment: str | None = setting(
        None,
        "augment the past (the context side; targets stay clean): alone, the default set (pitch, noise, reverb, "
        "band_reject); or a comma-separated choice, each with an optional probability, e.g. 'pitch:0.3,noise'; "
        "default: clean audio",
        nargs="?",
        const="default",
        metavar="EFFECTS",
    )
    noise_dir: pathlib.Path | None = setting(
        None,
        "folder of noise recordings (WAV/FLAC, 16 kHz) for the noise effect (default: synthesized coloured noise)",
    )
    windows_per_speaker: int | None = setting(
        None, "with --negatives speaker: windows of one speaker batched together (default 4; 1 otherwise)"
    )
