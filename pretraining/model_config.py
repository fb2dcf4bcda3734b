"""The model settings of a pretraining run."""

import dataclasses

from models.encoder_spec import AR_CELLS, PREDICTORS
from pretraining.config_setting import setting


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """The encoder g_enc, the autoregressive net g_ar and the predictor.

    Each field's ``help`` (shown by ``train.py -h``) documents it; None takes the encoder's
    default.
    """

    encoder: str = setting(
        "seed",
        "'seed' (reference encoder: 4 conv layers, hop 256, receptive field 512), 'paper' (CPC paper: 5 layers, "
        "hop 160, 512 channels, GRU 256, 12 steps), 'modified' (modified CPC: the paper's geometry, 256 channels, "
        "channel norm, 2-layer LSTM, transformer predictor, 128 negatives within the speaker), 'modified-small' "
        "(the same ideas sized for a 2-core CPU) or a conv_dims YAML file; the settings left out take the "
        "encoder's defaults",
    )
    dim_z: int | None = setting(None, "encoder output size (default: the encoder's, 40 for seed)")
    dim_c: int | None = setting(None, "context size (default: the encoder's, 40 for seed, 256 for paper)")
    ar: str | None = setting(
        None, "recurrent cell of g_ar (default: the encoder's, gru; lstm for modified)", choices=AR_CELLS
    )
    ar_layers: int | None = setting(None, "stacked recurrent layers (default: the encoder's, 1; 2 for modified)")
    predictor: str | None = setting(
        None,
        "'linear': one affine map of c_t per step (reference); 'transformer': one causal self-attention layer "
        "over c, then a head per step (modified CPC); default: the encoder's",
        choices=PREDICTORS,
    )
    predictor_dropout: float | None = setting(
        None, "dropout on the contexts entering the predictor, in training (default: the encoder's)"
    )
    pred_steps: int | None = setting(
        None, "future steps predicted, K (default: the encoder's, 10 for seed, 12 for paper)"
    )
