"""The rows of a probe table: which network turns audio into features, and how it is probed."""

import dataclasses

import keras

from frontends.log_mel_spectrogram import LogMelSpectrogram
from frontends.mfcc import Mfcc
from models.audio_feature_model import AudioFeatureModel
from models.frame_geometry import FrameGeometry
from models.model_file_error import ModelFileError
from probes.probe_config import MODEL_ROWS, ProbeConfig, ProbeConfigError

# The usual speech front-end framing: 25 ms windows every 10 ms at 16 kHz.
_FRONTEND_FRAME_LENGTH = 400
_FRONTEND_FRAME_STEP = 160


@dataclasses.dataclass
class FeatureRow:
    """One row of a probe table.

    Attributes:
        name: The row's name: ``cpc``, ``random``, ``mfcc``, ``logmel`` or ``supervised``.
        description: What the features are, for the results table.
        network: Maps audio ``(batch, samples)`` to features ``(batch, frames, feature_dim)``.
        geometry: Where its frames sit in the audio, to place the 10 ms phone labels.
        pooling: How the speaker probe turns a window's frames into one vector: ``"last"``
            frame (c_t has seen the whole window) or ``"mean"``.
        trainable: False: a linear head is trained on the frozen features. True: the network is
            trained end to end with the head (the supervised row).
        feature_dim: Features per frame.
    """

    name: str
    description: str
    network: keras.Layer
    geometry: FrameGeometry
    pooling: str
    trainable: bool
    feature_dim: int


def build_rows(config: ProbeConfig) -> list[FeatureRow]:
    """Builds the rows of ``config.rows``, in that order.

    The ``random`` and ``supervised`` rows copy the architecture of the CPC network (c_t, or
    z_t with ``features="z"``) with weights drawn fresh from ``config.seed``.

    Raises:
        ModelFileError: The model file cannot be loaded or does not map audio to features.
        ProbeConfigError: The model is not what the features need.
    """
    network = geometry = feature_dim = None
    if config.needs_model:
        network, geometry = load_feature_network(config)
        feature_dim = network.outputs[0].shape[-1]
    pooling = "last" if config.features == "c" else "mean"
    source = f"{'c_t' if config.features == 'c' else 'z_t'} of {config.model_path()}"
    descriptions = {
        "cpc": source,
        "random": f"{source}, random init, frozen",
        "supervised": f"{source}, trained end to end on the labels",
    }
    rows = []
    for name in config.rows:
        if name in MODEL_ROWS:
            copy = network if name == "cpc" else fresh_copy(network, config.seed)
            trainable = name == "supervised"
            rows.append(FeatureRow(name, descriptions[name], copy, geometry, pooling, trainable, feature_dim))
        else:
            rows.append(fixed_front_end_row(name))
    return rows


def fixed_front_end_row(name: str) -> FeatureRow:
    """The ``mfcc`` or ``logmel`` row: a fixed front end with the usual 25 ms / 10 ms framing."""
    if name == "mfcc":
        mfcc = Mfcc(_FRONTEND_FRAME_LENGTH, _FRONTEND_FRAME_STEP, name="mfcc")
        return FeatureRow(
            name, "13 MFCC + deltas + delta-deltas, 25 ms / 10 ms", mfcc, mfcc.geometry, "mean", False, mfcc.feature_dim
        )
    log_mel = LogMelSpectrogram(_FRONTEND_FRAME_LENGTH, _FRONTEND_FRAME_STEP, num_mel_bins=40, name="logmel")
    return FeatureRow(
        name, "40 log-mel bands, 25 ms / 10 ms", log_mel, log_mel.geometry, "mean", False, log_mel.num_mel_bins
    )


def fresh_copy(network: keras.Model, seed: int) -> keras.Model:
    """The same architecture with new weights, the same for every call with one seed."""
    keras.utils.set_random_seed(seed)
    # Cloning rebuilds every layer from its config, so the initialisers draw new weights.
    return keras.models.clone_model(network)


def check_window(rows: list[FeatureRow], window: int) -> None:
    """Checks that a window of ``window`` samples holds a whole frame of every row.

    Raises:
        ProbeConfigError: The window is shorter than a row's receptive field.
    """
    for row in rows:
        if window < row.geometry.receptive_field:
            raise ProbeConfigError(
                f"--window {window} is shorter than the receptive field of the {row.name} row "
                f"({row.geometry.receptive_field} samples)"
            )


def load_feature_network(config: ProbeConfig) -> tuple[keras.Model, FrameGeometry]:
    """Loads the network whose features the cpc row probes, with its frame geometry.

    With ``features="c"``: ``config.model`` (audio → c_t), placed on the frames of the encoder
    nested in it. With ``features="z"``: ``config.encoder`` if given, else ``config.model``
    if it is itself an encoder, else the encoder nested in it.

    Raises:
        ModelFileError: The file does not load or does not map audio ``(batch, samples)`` to
            ``(batch, frames, features)``; the message names the flag.
        ProbeConfigError: It holds no convolutional encoder, or is one where c_t is asked.
    """
    path = config.model_path()
    flag = "--encoder" if config.encoder is not None else "--model"
    try:
        loaded = AudioFeatureModel.load(path, f"{flag} {path}")
    except ModelFileError as error:
        # The probes' users have always read this wording.
        raise error.reworded(problems={ModelFileError.UNLOADABLE: "cannot load a Keras model"}) from None
    if loaded.encoder is None:
        raise ProbeConfigError(
            f"{flag} {path}: holds no convolutional encoder (audio → z_t) to place its frames; "
            "expected train.py's gar.keras"
        )
    if config.features == "z":
        return loaded.encoder, loaded.geometry
    if loaded.is_encoder:
        raise ProbeConfigError(
            f"{flag} {path}: an encoder alone (audio → z_t); probe it with --features z, or give gar.keras for c_t"
        )
    return loaded.model, loaded.geometry
