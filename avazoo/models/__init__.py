"""Pure ``nn.Module`` models: ResNet3d pathways, SlowFast, the AVA RoI head and detector."""

from avazoo.models.config import (
    DetectorConfig,
    NonLocalConfig,
    PathwayConfig,
    RoIHeadConfig,
    SlowFastConfig,
)
from avazoo.models.detector import AVADetector, boxes_to_rois, build_detector
from avazoo.models.losses import ava_action_loss
from avazoo.models.nonlocal_block import NonLocal3d
from avazoo.models.resnet3d import Bottleneck3d, ResNet3dPathway
from avazoo.models.roi_head import AVABBoxHead, AVARoIHead, RoIExtractor3d
from avazoo.models.slowfast import SlowFast

__all__ = [
    "AVABBoxHead",
    "AVADetector",
    "AVARoIHead",
    "Bottleneck3d",
    "DetectorConfig",
    "NonLocal3d",
    "NonLocalConfig",
    "PathwayConfig",
    "ResNet3dPathway",
    "RoIExtractor3d",
    "RoIHeadConfig",
    "SlowFast",
    "SlowFastConfig",
    "ava_action_loss",
    "boxes_to_rois",
    "build_detector",
]
