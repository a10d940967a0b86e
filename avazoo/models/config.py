"""Typed, frozen architecture configs: the plain data a detector is built from.

These mirror the resolved MMAction2 arguments of RECIPES.md, with the inert ones left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "STAGE_BLOCKS",
    "NonLocalConfig",
    "PathwayConfig",
    "SlowFastConfig",
    "RoIHeadConfig",
    "DetectorConfig",
]

# Bottleneck3d blocks per stage for each supported depth.
STAGE_BLOCKS: dict[int, tuple[int, int, int, int]] = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3)}


@dataclass(frozen=True)
class NonLocalConfig:
    """Embedded-Gaussian NonLocal3d blocks inserted after chosen bottlenecks.

    Attributes:
        stages: one tuple per res stage, one flag per block (1 = a block follows it).
        sub_sample: max-pool g and phi by (1, 2, 2).
        use_scale: divide the affinity by sqrt(inter_channels).
        reduction: inter_channels = channels // reduction.
    """

    stages: tuple[tuple[int, ...], ...]
    sub_sample: bool = True
    use_scale: bool = True
    reduction: int = 2


@dataclass(frozen=True)
class PathwayConfig:
    """One ResNet3d pathway (the SlowOnly backbone, or one half of SlowFast).

    ``inflate`` has one flag per stage (1 = every block of the stage has a (3, 1, 1) conv1).
    ``lateral`` adds the fast-to-slow lateral convs (slow pathway of SlowFast only).
    """

    depth: int = 50
    in_channels: int = 3
    base_channels: int = 64
    conv1_kernel: tuple[int, int, int] = (1, 7, 7)
    conv1_stride_t: int = 1
    conv1_stride_s: int = 2
    pool1_stride_t: int = 1
    pool1_stride_s: int = 2
    spatial_strides: tuple[int, int, int, int] = (1, 2, 2, 1)
    temporal_strides: tuple[int, int, int, int] = (1, 1, 1, 1)
    dilations: tuple[int, int, int, int] = (1, 1, 1, 1)
    inflate: tuple[int, int, int, int] = (0, 0, 1, 1)
    non_local: NonLocalConfig | None = None
    lateral: bool = False
    speed_ratio: int = 8
    channel_ratio: int = 8
    fusion_kernel: int = 5
    bn_eps: float = 1e-5
    bn_momentum: float = 0.1
    frozen_stages: int = -1
    norm_eval: bool = False

    @property
    def stage_blocks(self) -> tuple[int, int, int, int]:
        return STAGE_BLOCKS[self.depth]


@dataclass(frozen=True)
class SlowFastConfig:
    """The two-pathway SlowFast backbone.

    Attributes:
        resample_rate: slow pathway sees every ``resample_rate``-th input frame (tau).
        speed_ratio: frame-rate ratio fast/slow (alpha); the lateral conv's temporal stride.
        channel_ratio: channel ratio slow/fast (beta inverse).
    """

    slow: PathwayConfig
    fast: PathwayConfig
    resample_rate: int = 8
    speed_ratio: int = 8
    channel_ratio: int = 8


@dataclass(frozen=True)
class RoIHeadConfig:
    """The 3D RoI feature extractor plus the AVA bbox head.

    Attributes:
        in_channels: channels of the pooled RoI feature fed to ``fc_cls``.
        num_classes: logits per RoI, including the unused class 0 (81 for AVA).
        temporal_pool_mode: how the extractor pools the feature maps over time.
        with_global: concatenate a global context feature to every RoI feature.
        focal_alpha, focal_gamma: focal-loss weighting (1, 0 = plain BCE).
    """

    in_channels: int
    num_classes: int = 81
    temporal_pool_mode: Literal["avg", "max"] = "avg"
    with_global: bool = False
    output_size: int = 8
    featmap_stride: int = 16
    sampling_ratio: int = 0
    dropout_ratio: float = 0.5
    focal_alpha: float = 1.0
    focal_gamma: float = 0.0
    topk: tuple[int, ...] = (3, 5)


@dataclass(frozen=True)
class DetectorConfig:
    """A full AVA detector: backbone + RoI head, and the clip length (frames) it expects."""

    backbone: PathwayConfig | SlowFastConfig
    head: RoIHeadConfig
    clip_len: int
