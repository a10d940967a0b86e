"""The ResNet3d pathway: SlowOnly backbone, and each half of SlowFast.

Layout and key names follow MMAction2's ``ResNet3d`` / ``ResNet3dPathway`` so official
checkpoints load strictly: ``conv1``, ``layer1..4`` (``Bottleneck3d`` blocks), and for a
lateral (slow) pathway ``conv1_lateral`` and ``layer{1,2,3}_lateral`` after the layers.
"""

from __future__ import annotations

from torch import Tensor, nn

from avazoo.models.config import NonLocalConfig, PathwayConfig
from avazoo.models.layers import ConvBNAct, same_padding
from avazoo.models.nonlocal_block import NonLocal3d

__all__ = ["Bottleneck3d", "ResNet3dPathway"]

EXPANSION = 4


class Bottleneck3d(nn.Module):
    """A 1x1x1 → 1x3x3 → 1x1x1 bottleneck ("pytorch" style: the stride sits on conv2).

    An inflated block's conv1 has kernel (3, 1, 1). An optional non-local block follows the
    final ReLU. Input ``[N, inplanes, T, H, W]``, output ``[N, 4·planes, T/st, H/ss, W/ss]``.
    """

    def __init__(
        self,
        inplanes: int,
        planes: int,
        *,
        spatial_stride: int = 1,
        temporal_stride: int = 1,
        dilation: int = 1,
        inflate: bool = False,
        non_local: NonLocalConfig | None = None,
        bn_eps: float = 1e-5,
        bn_momentum: float = 0.1,
    ) -> None:
        super().__init__()
        bn = {"bn_eps": bn_eps, "bn_momentum": bn_momentum}
        k1 = (3, 1, 1) if inflate else (1, 1, 1)
        self.conv1 = ConvBNAct(inplanes, planes, k1, padding=same_padding(k1), **bn)
        self.conv2 = ConvBNAct(
            planes,
            planes,
            (1, 3, 3),
            stride=(temporal_stride, spatial_stride, spatial_stride),
            padding=(0, dilation, dilation),
            dilation=(1, dilation, dilation),
            **bn,
        )
        self.conv3 = ConvBNAct(planes, planes * EXPANSION, (1, 1, 1), act=False, **bn)
        self.downsample: ConvBNAct | None = None
        if spatial_stride != 1 or temporal_stride != 1 or inplanes != planes * EXPANSION:
            self.downsample = ConvBNAct(
                inplanes,
                planes * EXPANSION,
                (1, 1, 1),
                stride=(temporal_stride, spatial_stride, spatial_stride),
                act=False,
                **bn,
            )
        self.relu = nn.ReLU(inplace=True)
        self.non_local_block = (
            NonLocal3d(planes * EXPANSION, non_local, bn_eps=bn_eps) if non_local else None
        )

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.conv3(self.conv2(self.conv1(x)))
        out = self.relu(out + identity)
        if self.non_local_block is not None:
            out = self.non_local_block(out)
        return out


class ResNet3dPathway(nn.Module):
    """A ResNet3d: stem conv + max-pool, then four stages of ``Bottleneck3d`` blocks.

    ``forward`` runs the whole pathway: ``[N, 3, T, H, W] -> [N, 32·base, T, H/16, W/16]``
    for the AVA configs (spatial strides 1, 2, 2, 1 after the stride-4 stem). SlowFast drives
    the stem, stages and laterals itself through :meth:`stem` and the ``layerN`` attributes.
    With ``cfg.lateral`` the first block of stages 1-4 also takes the fast pathway's lateral
    channels, ``2·C_slow / channel_ratio``.
    """

    def __init__(self, cfg: PathwayConfig) -> None:
        super().__init__()
        self.cfg = cfg
        bn = {"bn_eps": cfg.bn_eps, "bn_momentum": cfg.bn_momentum}
        s = cfg.conv1_stride_s
        self.conv1 = ConvBNAct(
            cfg.in_channels,
            cfg.base_channels,
            cfg.conv1_kernel,
            stride=(cfg.conv1_stride_t, s, s),
            padding=same_padding(cfg.conv1_kernel),
            **bn,
        )
        p = cfg.pool1_stride_s
        self.maxpool = nn.MaxPool3d((1, 3, 3), stride=(cfg.pool1_stride_t, p, p), padding=(0, 1, 1))
        inplanes = cfg.base_channels
        self.stage_names: list[str] = []
        for i, num_blocks in enumerate(cfg.stage_blocks):
            lateral_in = inplanes * 2 // cfg.channel_ratio if cfg.lateral else 0
            planes = cfg.base_channels * 2**i
            self.add_module(f"layer{i + 1}", self._make_stage(i, inplanes + lateral_in, num_blocks))
            self.stage_names.append(f"layer{i + 1}")
            inplanes = planes * EXPANSION
        self.lateral_names: list[str] = []
        if cfg.lateral:
            widths = [cfg.base_channels] + [cfg.base_channels * 2**i * EXPANSION for i in range(3)]
            names = ["conv1_lateral"] + [f"layer{i + 1}_lateral" for i in range(3)]
            for name, width in zip(names, widths, strict=True):
                self.add_module(name, self._make_lateral(width // cfg.channel_ratio))
                self.lateral_names.append(name)
        self._freeze_stages()

    def _make_stage(self, index: int, inplanes: int, num_blocks: int) -> nn.Sequential:
        cfg = self.cfg
        planes = cfg.base_channels * 2**index
        nl_flags = cfg.non_local.stages[index] if cfg.non_local else (0,) * num_blocks
        blocks = []
        for b in range(num_blocks):
            blocks.append(
                Bottleneck3d(
                    inplanes if b == 0 else planes * EXPANSION,
                    planes,
                    spatial_stride=cfg.spatial_strides[index] if b == 0 else 1,
                    temporal_stride=cfg.temporal_strides[index] if b == 0 else 1,
                    dilation=cfg.dilations[index],
                    inflate=bool(cfg.inflate[index]),
                    non_local=cfg.non_local if nl_flags[b] else None,
                    bn_eps=cfg.bn_eps,
                    bn_momentum=cfg.bn_momentum,
                )
            )
        return nn.Sequential(*blocks)

    def _make_lateral(self, in_channels: int) -> ConvBNAct:
        k = self.cfg.fusion_kernel
        return ConvBNAct(
            in_channels,
            in_channels * 2,
            (k, 1, 1),
            stride=(self.cfg.speed_ratio, 1, 1),
            padding=((k - 1) // 2, 0, 0),
            norm=False,
            act=False,
            bias=False,
        )

    def stem(self, x: Tensor) -> Tensor:
        """conv1 + max-pool: ``[N, 3, T, H, W] -> [N, base, T, H/4, W/4]``."""
        return self.maxpool(self.conv1(x))

    def forward(self, x: Tensor) -> Tensor:
        x = self.stem(x)
        for name in self.stage_names:
            x = getattr(self, name)(x)
        return x

    def _freeze_stages(self) -> None:
        """Stop gradients through the stem and the first ``frozen_stages`` stages (-1: none)."""
        if self.cfg.frozen_stages < 0:
            return
        stages = [getattr(self, n) for n in self.stage_names[: self.cfg.frozen_stages]]
        for module in [self.conv1, *stages]:
            module.eval()
            for param in module.parameters():
                param.requires_grad_(False)

    def train(self, mode: bool = True) -> ResNet3dPathway:
        """Like ``nn.Module.train``, keeping frozen stages and (with ``norm_eval``) BN in eval."""
        super().train(mode)
        self._freeze_stages()
        if mode and self.cfg.norm_eval:
            for m in self.modules():
                if isinstance(m, nn.modules.batchnorm._BatchNorm):
                    m.eval()
        return self

    def init_weights(self) -> None:
        """MMAction2's from-scratch init: Kaiming convs, unit BN, zero last BN of each branch."""
        for m in self.modules():
            if isinstance(m, nn.Conv3d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm3d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        for m in self.modules():
            if isinstance(m, Bottleneck3d):
                nn.init.zeros_(m.conv3.bn.weight)
            elif isinstance(m, NonLocal3d):
                m.init_weights()
