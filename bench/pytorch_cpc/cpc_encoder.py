"""The convolutional encoder g_enc, audio to z_t."""

import torch
from torch import nn
from torch.nn import functional

from bench.pytorch_cpc.channel_norm import ChannelNorm


class CPCEncoder(nn.Module):
    """Causal 1-D convolutions from raw audio to frames z_t.

    Each layer pads its input with zeros on the left only, so no frame depends on a later
    sample. With ``norm == "none"`` every convolution but the last is followed by a ReLU; with
    ``"channel"`` each activated convolution is followed by a `ChannelNorm` and a ReLU. The
    last convolution is activated (and normalised) only with ``activate_last``.

    Args:
        conv_dims: One row ``[in_channels, out_channels, kernel_size, stride, padding,
            dilation]`` per convolution, input side first; ``padding`` zeros go on the left.
        norm: "none" or "channel".
        activate_last: Whether the last convolution is activated like the others.
    """

    def __init__(self, conv_dims: list[list[int]], norm: str, activate_last: bool):
        super().__init__()
        if norm not in ("none", "channel"):
            raise ValueError(f"CPCEncoder: norm must be 'none' or 'channel', got {norm!r}")
        self.paddings = [row[4] for row in conv_dims]
        self.convolutions = nn.ModuleList(
            nn.Conv1d(channels_in, channels_out, kernel, stride=stride, dilation=dilation)
            for channels_in, channels_out, kernel, stride, _, dilation in conv_dims
        )
        self.activated = [number < len(conv_dims) - 1 or activate_last for number in range(len(conv_dims))]
        self.norms = nn.ModuleList(
            ChannelNorm(row[1]) if norm == "channel" and activated else nn.Identity()
            for row, activated in zip(conv_dims, self.activated)
        )

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        """Encodes ``audio`` `(batch, samples)` into z `(batch, frames, dim_z)`."""
        x = audio[:, None, :]
        for padding, convolution, norm, activated in zip(self.paddings, self.convolutions, self.norms, self.activated):
            x = convolution(functional.pad(x, (padding, 0)))
            if activated:
                x = functional.relu(norm(x))
        return x.transpose(1, 2)
