"""CPC features of raw waveforms from a preset folder, preprocessing included."""

import json
import pathlib

import keras
import numpy as np

from librispeech.audio_file import PEAK_FLOOR, SAMPLE_RATE, peak_about_mean
from models.audio_feature_model import AudioFeatureModel
from models.feature_batch import FeatureBatch
from models.layer_features import LayerFeatures
from models.layer_outputs import LayerOutputs, valid_frames
from models.peak_normalization import INT16_STEP
from models.preset_architecture import PresetArchitecture
from models.preset_error import PresetError

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.weights.h5"
PREPROCESSOR_FILE = "preprocessor.json"
METADATA_FILE = "metadata.json"


class CPCFeatures:
    """z and c of 16 kHz waveforms of any lengths, normalised as in pretraining.

    Each waveform has its own mean removed and is divided by its own peak about that mean (at least one
    int16 step), the float form of `librispeech.audio_file.normalized_pcm16`; the batch is padded with 0
    on the right to the longest, and the frames that read any padding are masked out. The encoder is
    causal, so a kept frame equals the model's output for its waveform alone.

    Args:
        model: Audio ``(batch, samples)`` → c ``(batch, frames, dim_c)``, e.g. a loaded ``gar.keras``.
        hidden_states: Whether each call returns every layer's output too.
        subject: What error messages call the model.

    Raises:
        ModelFileError: The model is not an encoder followed by recurrent layers.
    """

    def __init__(self, model: keras.Model, hidden_states: bool = False, subject: str = "model"):
        self.layers = LayerOutputs.of(AudioFeatureModel.from_model(model, subject))
        if "c" not in self.layers.names:
            raise PresetError(f"{subject}: an encoder alone gives no c; CPCFeatures needs encoder + GRU")
        self.model = model
        self.hidden_states = hidden_states

    @classmethod
    def from_preset(cls, folder: pathlib.Path | str, hidden_states: bool = False) -> "CPCFeatures":
        """Rebuilds the model of a preset folder (`python -m export preset`) from its config and weights.

        Args:
            folder: The preset folder.
            hidden_states: As for the constructor.

        Raises:
            PresetError: A file is missing, is not the JSON a preset holds, or the weights do not fit.
        """
        folder = pathlib.Path(folder)
        if not folder.is_dir():
            raise PresetError(f"{folder}: no such preset folder")
        architecture = PresetArchitecture.from_json(read_json(folder / CONFIG_FILE), str(folder / CONFIG_FILE))
        _check_preprocessor(read_json(folder / PREPROCESSOR_FILE), str(folder / PREPROCESSOR_FILE))
        weights = folder / WEIGHTS_FILE
        if not weights.is_file():
            raise PresetError(f"{weights}: no such file")
        model = architecture.build()
        try:
            model.load_weights(weights)
        except Exception as error:  # noqa: BLE001  (Keras and h5py report unreadable weights with many types)
            detail = " ".join(str(error).split())[:200]
            raise PresetError(
                f"{weights}: weights do not load into {folder / CONFIG_FILE}'s model ({detail})"
            ) from None
        return cls(model, hidden_states, str(folder))

    def __call__(self, waveforms: list[np.ndarray]) -> FeatureBatch:
        """The features of a list of waveforms.

        Args:
            waveforms: 1-D float arrays at 16 kHz, any lengths (at least one sample each).

        Returns:
            The `FeatureBatch`; ``hidden_states`` filled when the object was made with ``hidden_states``.

        Raises:
            ValueError: No waveform, or one that is not 1-D, empty or not finite.
        """
        audio, lengths = self.padded(waveforms)
        outputs = [
            self._layer_features(name, geometry, output, lengths)
            for name, geometry, output in zip(self.layers.names, self.layers.geometries, self.layers(audio))
        ]
        z, c = outputs[-2], outputs[-1]
        return FeatureBatch(z.features, c.features, z.mask, z.times, tuple(outputs) if self.hidden_states else None)

    @staticmethod
    def padded(waveforms: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Each waveform normalised by its own statistics, right-padded with 0 to the longest.

        Returns:
            Audio ``(batch, samples)`` float32 and each waveform's length ``(batch,)``.
        """
        if len(waveforms) == 0:
            raise ValueError("CPCFeatures needs at least one waveform")
        lengths = np.array([np.size(waveform) for waveform in waveforms])
        audio = np.zeros((len(waveforms), lengths.max()), np.float32)
        for number, waveform in enumerate(waveforms):
            waveform = np.asarray(waveform, np.float64)
            if waveform.ndim != 1 or not waveform.size or not np.isfinite(waveform).all():
                raise ValueError(f"waveform {number}: expected a non-empty 1-D array of finite samples")
            mean = float(waveform.mean())
            peak = peak_about_mean(mean, float(waveform.min()), float(waveform.max()))
            audio[number, : waveform.size] = (waveform - mean) / max(peak, INT16_STEP)
        return audio, lengths

    @staticmethod
    def _layer_features(name, geometry, output, lengths) -> LayerFeatures:
        frames = output.shape[1]
        valid = np.array([min(frames, valid_frames(geometry, int(length))) for length in lengths])
        mask = np.arange(frames)[None, :] < valid[:, None]
        times = np.broadcast_to(geometry.centres(frames) / SAMPLE_RATE, mask.shape).copy()
        return LayerFeatures(name, geometry, output, mask, times)


def read_json(path: pathlib.Path) -> dict:
    """A preset file's JSON object.

    Raises:
        PresetError: The file is missing, unreadable or not a JSON object.
    """
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PresetError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PresetError(f"{path}: not readable JSON ({error})") from None
    if not isinstance(content, dict):
        raise PresetError(f"{path}: expected a JSON object")
    return content


def preprocessor_config() -> dict:
    """The content of ``preprocessor.json``: what `CPCFeatures.padded` does to raw waveforms."""
    return {
        "sampling_rate": SAMPLE_RATE,
        "normalization": {
            "per_waveform": True,
            "remove_mean": True,
            "divide_by": "peak_about_mean",
            "formula": "(x - mean(x)) / max(max(|x - mean(x)|), floor)",
            "floor": INT16_STEP,
            "floor_int16_steps": PEAK_FLOOR,
        },
        "padding_value": 0.0,
        "padding_side": "right",
        "return_attention_mask": True,
    }


def _check_preprocessor(config: dict, subject: str) -> None:
    expected = preprocessor_config()
    for key in ("sampling_rate", "padding_value", "padding_side", "normalization"):
        if config.get(key) != expected[key]:
            raise PresetError(f"{subject}: {key} must be {expected[key]!r}, got {config.get(key)!r}")
