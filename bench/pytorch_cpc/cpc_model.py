"""The CPC training model: encoder, recurrent context network, per-step predictors, InfoNCE."""

import torch
from torch import nn
from torch.nn import functional

from bench.pytorch_cpc.cpc_encoder import CPCEncoder

_RECURRENT = {"gru": nn.GRU, "lstm": nn.LSTM}


class CPCModel(nn.Module):
    """Contrastive Predictive Coding on raw audio, scored as our `models.cpc_model.CPCModel`.

    Encodes audio into z_t, summarises z_0..z_t into c_t with a GRU or LSTM, predicts z_{t+k}
    for k = 1..K as W_k c_t + b_k (one linear layer per step) and scores each prediction by
    its dot product with the positive z_{t+k} and with ``num_neg`` negatives: frames of the
    same window drawn uniformly with replacement, independently for every context step and
    future step. The first ``t_skip`` context steps and the last K are not scored. The
    targets are under stop-gradient, so the encoder learns through the contexts only.

    Args:
        architecture: The dict of `bench.pytorch_cpc.architecture.architecture`: ``conv_dims``,
            ``norm``, ``activate_last``, ``dim_z``, ``ar``, ``ar_layers``, ``dim_c``,
            ``pred_steps``, ``num_neg`` and ``t_skip``.
    """

    def __init__(self, architecture: dict):
        super().__init__()
        self.pred_steps = architecture["pred_steps"]
        self.num_neg = architecture["num_neg"]
        self.t_skip = architecture["t_skip"]
        dim_z, dim_c = architecture["dim_z"], architecture["dim_c"]
        self.encoder = CPCEncoder(architecture["conv_dims"], architecture["norm"], architecture["activate_last"])
        self.ar = _RECURRENT[architecture["ar"]](dim_z, dim_c, num_layers=architecture["ar_layers"], batch_first=True)
        self.predictors = nn.ModuleList(nn.Linear(dim_c, dim_z) for _ in range(self.pred_steps))

    def forward(self, audio: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Encodes ``audio`` `(batch, samples)` into z `(batch, frames, dim_z)` and c `(batch, frames, dim_c)`."""
        z = self.encoder(audio)
        c, _ = self.ar(z)
        return z, c

    def scored_steps(self, frames: int) -> int:
        """Number of scored context steps in a window of ``frames`` frames."""
        return frames - self.pred_steps - self.t_skip

    def sample_negatives(self, batch: int, frames: int, generator: torch.Generator) -> torch.Tensor:
        """Frame indices of the negatives, int64 `(batch, steps, pred_steps, num_neg)`."""
        shape = (batch, self.scored_steps(frames), self.pred_steps, self.num_neg)
        return torch.randint(0, frames, shape, generator=generator)

    def infonce(self, z: torch.Tensor, c: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
        """The InfoNCE loss, the mean over windows, scored steps and future steps.

        Args:
            z: Encoder output `(batch, frames, dim_z)`.
            c: Contexts `(batch, frames, dim_c)`.
            negatives: Frame indices `(batch, steps, pred_steps, num_neg)` from `sample_negatives`.

        Returns:
            The scalar loss: cross-entropy of each prediction's candidate scores, positive first.
        """
        batch, frames, dim_z = z.shape
        steps = self.scored_steps(frames)
        context = c[:, self.t_skip : self.t_skip + steps]
        predictions = torch.stack([predictor(context) for predictor in self.predictors], dim=2)
        # Scoring every frame with one batched product and picking the candidates costs less
        # than gathering (1 + num_neg) target vectors per prediction; our model does the same.
        scores = torch.bmm(predictions.reshape(batch, steps * self.pred_steps, dim_z), z.detach().transpose(1, 2))
        positives = self.t_skip + torch.arange(steps)[:, None] + torch.arange(1, self.pred_steps + 1)[None, :]
        candidates = torch.cat([positives.expand(batch, steps, self.pred_steps)[..., None], negatives], dim=-1)
        logits = scores.gather(2, candidates.reshape(batch, steps * self.pred_steps, 1 + self.num_neg))
        labels = torch.zeros(batch * steps * self.pred_steps, dtype=torch.int64)
        return functional.cross_entropy(logits.reshape(-1, 1 + self.num_neg), labels)

    def loss(self, audio: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """The InfoNCE loss of ``audio`` `(batch, samples)`, negatives drawn from ``generator``."""
        z, c = self(audio)
        return self.infonce(z, c, self.sample_negatives(z.shape[0], z.shape[1], generator))
