"""The embedded-Gaussian non-local block (Wang et al., 2018) used by the ``_nl`` recipes."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from avazoo.models.config import NonLocalConfig
from avazoo.models.layers import ConvBNAct

__all__ = ["NonLocal3d"]

_ONE = (1, 1, 1)


class NonLocal3d(nn.Module):
    """``x + BN(W_out · softmax(θ(x)ᵀ φ(x) / √C') · g(x))`` over all T·H·W positions.

    With ``sub_sample`` the keys and values (``phi``, ``g``) are max-pooled by (1, 2, 2).
    The submodules are registered in the order ``g, conv_out, theta, phi``, as in mmcv, so the
    ``state_dict`` keys follow the official checkpoints. Input and output: ``[N, C, T, H, W]``.
    """

    def __init__(self, channels: int, cfg: NonLocalConfig, *, bn_eps: float = 1e-5) -> None:
        super().__init__()
        self.inter_channels = channels // cfg.reduction
        self.use_scale = cfg.use_scale
        inter = self.inter_channels
        self.g: nn.Module = ConvBNAct(channels, inter, _ONE, norm=False, act=False)
        self.conv_out = ConvBNAct(inter, channels, _ONE, act=False, bn_eps=bn_eps)
        self.theta = ConvBNAct(channels, inter, _ONE, norm=False, act=False)
        self.phi: nn.Module = ConvBNAct(channels, inter, _ONE, norm=False, act=False)
        if cfg.sub_sample:
            self.g = nn.Sequential(self.g, nn.MaxPool3d((1, 2, 2)))
            self.phi = nn.Sequential(self.phi, nn.MaxPool3d((1, 2, 2)))

    def forward(self, x: Tensor) -> Tensor:
        n = x.shape[0]
        inter = self.inter_channels
        values = self.g(x).reshape(n, inter, -1).transpose(1, 2)  # [N, P', C']
        queries = self.theta(x).reshape(n, inter, -1).transpose(1, 2)  # [N, P, C']
        keys = self.phi(x).reshape(n, inter, -1)  # [N, C', P']
        affinity = torch.matmul(queries, keys)  # [N, P, P']
        if self.use_scale:
            affinity = affinity / math.sqrt(inter)
        y = torch.matmul(affinity.softmax(dim=-1), values)  # [N, P, C']
        y = y.transpose(1, 2).reshape(n, inter, *x.shape[2:])
        return x + self.conv_out(y)

    def init_weights(self) -> None:
        """mmcv's init: projections from Normal(0, 0.01), output BN starting at zero."""
        for module in (self.g, self.theta, self.phi, self.conv_out):
            for m in module.modules():
                if isinstance(m, nn.Conv3d):
                    nn.init.normal_(m.weight, std=0.01)
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)
        nn.init.zeros_(self.conv_out.bn.weight)
        nn.init.zeros_(self.conv_out.bn.bias)
