"""Pure ``nn.Module`` models: ResNet3d pathways, SlowFast, the AVA RoI head and detector.

Public names are imported lazily, so ``avazoo.models.config`` (plain dataclasses, used by the
recipe registry) imports without torch.
"""

from __future__ import annotations

from avazoo._lazy import lazy_exports

_CONFIG = "avazoo.models.config"
_EXPORTS = {
    "DetectorConfig": _CONFIG,
    "NonLocalConfig": _CONFIG,
    "PathwayConfig": _CONFIG,
    "RoIHeadConfig": _CONFIG,
    "SlowFastConfig": _CONFIG,
    "AVADetector": "avazoo.models.detector",
    "boxes_to_rois": "avazoo.models.detector",
    "build_detector": "avazoo.models.detector",
    "ava_action_loss": "avazoo.models.losses",
    "NonLocal3d": "avazoo.models.nonlocal_block",
    "Bottleneck3d": "avazoo.models.resnet3d",
    "ResNet3dPathway": "avazoo.models.resnet3d",
    "AVABBoxHead": "avazoo.models.roi_head",
    "AVARoIHead": "avazoo.models.roi_head",
    "RoIExtractor3d": "avazoo.models.roi_head",
    "SlowFast": "avazoo.models.slowfast",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
