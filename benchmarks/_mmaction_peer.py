"""Building MMAction2's own SlowFast/SlowOnly detector parts beside avazoo (benchmarks only).

MMAction2 is an optional peer: install it into a folder of its own (see benchmarks/README.md)
and pass that folder as ``--mmaction-path``. mmcv-lite has no compiled ops, so, as in the
shared reference data, a stand-in ``mmcv._ext`` is put in ``sys.modules`` whose only working
kernel, ``roi_align_forward``, calls ``torchvision.ops.roi_align`` with the same arguments.
"""

from __future__ import annotations

import sys
import types

import torch
import torchvision
from torch import nn


def _roi_align_forward(inp, rois, output, argmax_y, argmax_x, **kw) -> None:
    size = (kw["aligned_height"], kw["aligned_width"])
    out = torchvision.ops.roi_align(
        inp, rois, size, kw["spatial_scale"], kw["sampling_ratio"], kw["aligned"]
    )
    output.copy_(out)


def _install_ext_stub() -> None:
    stub = types.ModuleType("mmcv._ext")

    def missing(name: str):
        if name.startswith("__"):
            raise AttributeError(name)

        def kernel(*args, **kwargs):
            raise NotImplementedError(f"mmcv._ext.{name} is not available in this benchmark")

        return kernel

    stub.__getattr__ = missing  # type: ignore[attr-defined]
    stub.roi_align_forward = _roi_align_forward  # type: ignore[attr-defined]
    sys.modules["mmcv._ext"] = stub


def import_mmaction(path: str) -> types.SimpleNamespace:
    """Import MMAction2's backbone, RoI extractor and head classes from ``path``."""
    sys.path.insert(0, path)
    _install_ext_stub()
    from mmaction.models.backbones import ResNet3dSlowFast, ResNet3dSlowOnly
    from mmaction.models.roi_heads.bbox_heads.bbox_head import BBoxHeadAVA
    from mmaction.models.roi_heads.roi_extractors.single_straight3d import SingleRoIExtractor3D

    return types.SimpleNamespace(
        ResNet3dSlowFast=ResNet3dSlowFast,
        ResNet3dSlowOnly=ResNet3dSlowOnly,
        BBoxHeadAVA=BBoxHeadAVA,
        SingleRoIExtractor3D=SingleRoIExtractor3D,
    )


class MMActionDetector(nn.Module):
    """backbone -> bbox_roi_extractor -> bbox_head, as ``AVARoIHead._bbox_forward`` runs them."""

    def __init__(self, backbone: nn.Module, extractor: nn.Module, head: nn.Module) -> None:
        super().__init__()
        self.backbone = backbone
        self.roi_head = nn.Module()
        self.roi_head.bbox_roi_extractor = extractor
        self.roi_head.bbox_head = head

    def forward(self, clips: torch.Tensor, rois: torch.Tensor) -> torch.Tensor:
        feats = self.backbone(clips)
        roi_feats, _ = self.roi_head.bbox_roi_extractor(feats, rois)
        return self.roi_head.bbox_head(roi_feats)


def slowfast_r50_8x8(mm: types.SimpleNamespace) -> MMActionDetector:
    """The ``slowfast_kinetics_pretrained_r50_8x8x1_20e_ava_rgb`` model, from its 0.x config."""
    common = {"depth": 50, "pretrained": None, "conv1_stride_t": 1, "pool1_stride_t": 1}
    backbone = mm.ResNet3dSlowFast(
        pretrained=None,
        resample_rate=4,
        speed_ratio=4,
        channel_ratio=8,
        slow_pathway={
            **common,
            "type": "resnet3d",
            "lateral": True,
            "fusion_kernel": 7,
            "conv1_kernel": (1, 7, 7),
            "dilations": (1, 1, 1, 1),
            "inflate": (0, 0, 1, 1),
            "spatial_strides": (1, 2, 2, 1),
        },
        fast_pathway={
            **common,
            "type": "resnet3d",
            "lateral": False,
            "base_channels": 8,
            "conv1_kernel": (5, 7, 7),
            "spatial_strides": (1, 2, 2, 1),
        },
    )
    extractor = mm.SingleRoIExtractor3D(
        roi_layer_type="RoIAlign", output_size=8, with_temporal_pool=True
    )
    head = mm.BBoxHeadAVA(
        background_class=True, in_channels=2304, num_classes=81, multilabel=True, dropout_ratio=0.5
    )
    return MMActionDetector(backbone, extractor, head)
