"""Normalisation over the channels of every frame."""

import torch
from torch import nn


class ChannelNorm(nn.Module):
    """Normalises each frame over its channels, with a learned scale and offset per channel.

    As our encoder's ``LayerNormalization(axis=-1)``: the biased variance of each frame alone,
    no batch statistics, so the encoder stays causal and trains as it infers.

    Args:
        channels: Number of channels.
        epsilon: Added to the variance.
    """

    def __init__(self, channels: int, epsilon: float = 1e-5):
        super().__init__()
        self.epsilon = epsilon
        self.scale = nn.Parameter(torch.ones(1, channels, 1))
        self.offset = nn.Parameter(torch.zeros(1, channels, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalises ``x`` `(batch, channels, frames)` over its channels; same shape out."""
        mean = x.mean(dim=1, keepdim=True)
        variance = x.var(dim=1, keepdim=True, unbiased=False)
        return (x - mean) * torch.rsqrt(variance + self.epsilon) * self.scale + self.offset
