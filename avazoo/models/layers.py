"""Small building blocks shared by the backbones."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["ConvBNAct", "same_padding"]

Triple = tuple[int, int, int]


def same_padding(kernel: Triple, dilation: Triple = (1, 1, 1)) -> Triple:
    """Padding that keeps the size for stride 1: ``(k - 1) // 2 * d`` per axis."""
    return tuple((k - 1) // 2 * d for k, d in zip(kernel, dilation, strict=True))  # type: ignore[return-value]


class ConvBNAct(nn.Module):
    """Conv3d, then optional BatchNorm3d, then optional ReLU.

    The parameters live under ``conv.`` and ``bn.``, the layout of MMAction2's ``ConvModule``,
    so official checkpoints load unchanged. The conv has a bias only when there is no norm,
    unless ``bias`` says otherwise.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel: Triple,
        *,
        stride: Triple = (1, 1, 1),
        padding: Triple = (0, 0, 0),
        dilation: Triple = (1, 1, 1),
        norm: bool = True,
        act: bool = True,
        bias: bool | None = None,
        bn_eps: float = 1e-5,
        bn_momentum: float = 0.1,
    ) -> None:
        super().__init__()
        self.conv = nn.Conv3d(
            in_channels,
            out_channels,
            kernel,
            stride=stride,
            padding=padding,
            dilation=dilation,
            bias=not norm if bias is None else bias,
        )
        self.bn = nn.BatchNorm3d(out_channels, eps=bn_eps, momentum=bn_momentum) if norm else None
        self.act = nn.ReLU(inplace=True) if act else None

    def forward(self, x: Tensor) -> Tensor:
        if self.bn is not None and not self.bn.training:
            x = self._folded_conv(x, self.bn)
        else:
            x = self.conv(x)
            if self.bn is not None:
                x = self.bn(x)
        if self.act is not None:
            x = self.act(x)
        return x

    def _folded_conv(self, x: Tensor, bn: nn.BatchNorm3d) -> Tensor:
        """Conv + eval-mode BN as one conv: BN's affine map folded into the conv's weights.

        Mathematically the same as ``bn(conv(x))`` and differentiable in every parameter; it
        saves a full pass over the activations (~7% of SlowFast's CPU inference time).
        """
        scale = bn.weight * torch.rsqrt(bn.running_var + bn.eps)
        shift = bn.bias - bn.running_mean * scale
        if self.conv.bias is not None:
            shift = shift + self.conv.bias * scale
        weight = self.conv.weight * scale.view(-1, 1, 1, 1, 1)
        conv = self.conv
        return F.conv3d(x, weight, shift, conv.stride, conv.padding, conv.dilation, conv.groups)
