"""``AVADetector``: a backbone plus the AVA RoI head, with given person boxes (no RPN)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from avazoo.models.config import DetectorConfig, SlowFastConfig
from avazoo.models.resnet3d import ResNet3dPathway
from avazoo.models.roi_head import AVARoIHead
from avazoo.models.slowfast import SlowFast

__all__ = ["AVADetector", "build_detector", "boxes_to_rois"]


def boxes_to_rois(boxes: list[Tensor]) -> Tensor:
    """Per-clip boxes ``[k_i, 4]`` -> RoIs ``[Σk_i, 5] = (clip index, x1, y1, x2, y2)``."""
    if not boxes:
        return torch.zeros((0, 5))
    rois = [
        torch.cat((b.new_full((b.shape[0], 1), float(i)), b[:, :4]), dim=1)
        for i, b in enumerate(boxes)
    ]
    return torch.cat(rois, dim=0)


class AVADetector(nn.Module):
    """Spatio-temporal action detector: per-box, per-class scores for person boxes in a clip.

    The state_dict layout is MMAction2's (``backbone.*``, ``roi_head.bbox_head.fc_cls.*``), so
    official AVA checkpoints load strictly.

    Args:
        cfg: the architecture (``create_model`` builds it from a recipe).
    """

    def __init__(self, cfg: DetectorConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.backbone: nn.Module = (
            SlowFast(cfg.backbone)
            if isinstance(cfg.backbone, SlowFastConfig)
            else ResNet3dPathway(cfg.backbone)
        )
        self.roi_head = AVARoIHead(cfg.head)

    @property
    def num_classes(self) -> int:
        return self.cfg.head.num_classes

    def forward(self, clips: Tensor, rois: Tensor) -> Tensor:
        """Logits for each RoI.

        Args:
            clips: normalized clips ``[B, 3, T, H, W]``; T is the recipe's clip length
                (SlowFast takes the full 32-frame clip and resamples it inside).
            rois: ``[K, 5] = (batch index, x1, y1, x2, y2)`` in input-pixel coordinates.

        Returns:
            ``[K, num_classes]`` logits (column 0 is the reserved class).
        """
        return self.roi_head(self.backbone(clips), rois)

    @torch.inference_mode()
    def predict(self, clips: Tensor, boxes: list[Tensor]) -> list[Tensor]:
        """Sigmoid scores per box, one ``[k_i, num_classes]`` tensor per clip.

        Args:
            clips: ``[B, 3, T, H, W]``, normalized.
            boxes: B tensors ``[k_i, 4]`` of (x1, y1, x2, y2) in input pixels of clip i.
        """
        if len(boxes) != clips.shape[0]:
            raise ValueError(f"predict: got {clips.shape[0]} clips but {len(boxes)} box lists")
        rois = boxes_to_rois([b.to(clips.device, clips.dtype) for b in boxes])
        scores = self(clips, rois).sigmoid()
        return list(scores.split([b.shape[0] for b in boxes]))

    def init_weights(self) -> None:
        """Random init as MMAction2 trains from scratch (pretrained weights replace it)."""
        self.backbone.init_weights()
        self.roi_head.bbox_head.init_weights()


def build_detector(cfg: DetectorConfig) -> AVADetector:
    """An ``AVADetector`` for ``cfg``, randomly initialised."""
    model = AVADetector(cfg)
    model.init_weights()
    return model
