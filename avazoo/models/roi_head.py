"""The RoI head: a 3D RoI feature extractor and the AVA per-box classifier.

Boxes are RoIs ``[K, 5] = (batch index, x1, y1, x2, y2)`` in input-pixel coordinates
(x right, y down, corners as given; RoIAlign's ``aligned=True`` shifts them by -0.5 px).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torchvision.ops import roi_align

from avazoo.models.config import RoIHeadConfig

__all__ = ["RoIExtractor3d", "AVABBoxHead", "AVARoIHead"]


def _nearest_source_frames(t_in: int, t_out: int, device: torch.device) -> Tensor:
    """Which input frame each of ``t_out`` output frames copies under nearest resizing."""
    ramp = torch.arange(t_in, dtype=torch.float32, device=device).view(1, 1, t_in, 1, 1)
    picked = F.interpolate(ramp, size=(t_out, 1, 1), mode="nearest")
    return picked.view(t_out).long()


class RoIExtractor3d(nn.Module):
    """Pools every feature map over time, then RoIAligns each box to ``8x8``.

    For SlowFast's two maps, each is first stretched to the longest T by nearest resizing, then
    pooled (mean or max over T), then concatenated on channels, slow first. The stretch is done
    implicitly: the mean over the stretched frames is the mean over the source frames weighted by
    how often each is repeated, and the max is the max over the repeated frames.

    Args (in ``forward``): feats, one ``[N, C_i, T_i, H, W]`` map or a tuple of them; rois
    ``[K, 5]``. Returns ``[K, C', 1, 8, 8]`` where ``C' = Σ C_i`` (doubled ``with_global``).
    """

    def __init__(self, cfg: RoIHeadConfig) -> None:
        super().__init__()
        self.cfg = cfg

    def pool_time(self, feats: Tensor | tuple[Tensor, ...]) -> Tensor:
        """Temporal pooling and channel concatenation: ``-> [N, C, H, W]``."""
        maps = (feats,) if isinstance(feats, Tensor) else tuple(feats)
        t_max = max(f.shape[2] for f in maps)
        pooled = [self._pool_one(f, t_max) for f in maps]
        return pooled[0] if len(pooled) == 1 else torch.cat(pooled, dim=1)

    def _pool_one(self, feat: Tensor, t_max: int) -> Tensor:
        t = feat.shape[2]
        if t != t_max:
            source = _nearest_source_frames(t, t_max, feat.device)
            counts = torch.bincount(source, minlength=t)
            if self.cfg.temporal_pool_mode == "max":
                return feat[:, :, counts > 0].amax(dim=2)
            if not bool((counts == counts[0]).all()):
                weights = (counts.to(feat.dtype) / t_max).view(1, 1, t, 1, 1)
                return (feat * weights).sum(dim=2)
        return feat.amax(dim=2) if self.cfg.temporal_pool_mode == "max" else feat.mean(dim=2)

    def forward(self, feats: Tensor | tuple[Tensor, ...], rois: Tensor) -> Tensor:
        fmap = self.pool_time(feats)
        size = self.cfg.output_size
        out = roi_align(
            fmap,
            rois.to(fmap.dtype),
            (size, size),
            spatial_scale=1.0 / self.cfg.featmap_stride,
            sampling_ratio=self.cfg.sampling_ratio,
            aligned=True,
        )
        if self.cfg.with_global:
            context = F.adaptive_avg_pool2d(fmap, size)[rois[:, 0].long()]
            out = torch.cat((out, context), dim=1)
        return out.unsqueeze(2)


class AVABBoxHead(nn.Module):
    """Per-RoI multi-label classifier: dropout, avg-pool T, max-pool H·W, linear.

    ``forward``: RoI features ``[K, C, T, H, W]`` -> logits ``[K, num_classes]``; column 0 is
    the reserved class that is never trained or output.
    """

    def __init__(self, cfg: RoIHeadConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.dropout = nn.Dropout(cfg.dropout_ratio) if cfg.dropout_ratio > 0 else nn.Identity()
        self.fc_cls = nn.Linear(cfg.in_channels, cfg.num_classes)

    def pool(self, roi_feats: Tensor) -> Tensor:
        """The input of ``fc_cls``: ``[K, C, T, H, W] -> [K, C]``."""
        x = self.dropout(roi_feats)
        x = x.mean(dim=2, keepdim=True)
        return x.amax(dim=(3, 4)).flatten(1)

    def forward(self, roi_feats: Tensor) -> Tensor:
        return self.fc_cls(self.pool(roi_feats))

    def init_weights(self) -> None:
        """MMAction2 0.x init: weight ~ Normal(0, 0.01), bias 0."""
        nn.init.normal_(self.fc_cls.weight, std=0.01)
        nn.init.zeros_(self.fc_cls.bias)


class AVARoIHead(nn.Module):
    """Extractor + bbox head, named ``bbox_roi_extractor`` / ``bbox_head`` as in MMAction2."""

    def __init__(self, cfg: RoIHeadConfig) -> None:
        super().__init__()
        self.bbox_roi_extractor = RoIExtractor3d(cfg)
        self.bbox_head = AVABBoxHead(cfg)

    def forward(self, feats: Tensor | tuple[Tensor, ...], rois: Tensor) -> Tensor:
        return self.bbox_head(self.bbox_roi_extractor(feats, rois))
