"""Small building blocks shared by the backbones."""

from __future__ import annotations

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
        x = self.conv(x)
        if self.bn is not None:
            x = self.bn(x)
        if self.act is not None:
            x = self.act(x)
        return x
