"""The SlowFast backbone: a slow and a fast ResNet3d pathway with lateral connections."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from avazoo.models.config import SlowFastConfig
from avazoo.models.resnet3d import ResNet3dPathway

__all__ = ["SlowFast"]


class SlowFast(nn.Module):
    """Two pathways on one clip, fused slow-ward after the stem and after stages 1-3.

    Input ``[N, 3, T, H, W]`` (T = 32 in every AVA recipe). The slow pathway sees frames
    ``0, τ, 2τ, ...`` (τ = ``resample_rate``), the fast pathway every
    ``resample_rate // speed_ratio``-th frame. Each lateral conv maps the fast features to the
    slow frame rate (temporal stride ``speed_ratio``) and is concatenated after the slow
    features on the channel axis.

    Returns ``(x_slow [N, 2048, T/τ, H/16, W/16], x_fast [N, 256, T·α/τ, H/16, W/16])``.
    """

    def __init__(self, cfg: SlowFastConfig) -> None:
        super().__init__()
        if not cfg.slow.lateral or cfg.fast.lateral:
            raise ValueError("SlowFastConfig: the slow pathway must be lateral, the fast one not")
        self.cfg = cfg
        self.slow_path = ResNet3dPathway(cfg.slow)
        self.fast_path = ResNet3dPathway(cfg.fast)

    @staticmethod
    def _every(x: Tensor, rate: int) -> Tensor:
        """Frames 0, rate, 2·rate, ... (PyTorch's nearest resampling by ``1/rate`` along T)."""
        return x if rate == 1 else x[:, :, : x.shape[2] // rate * rate : rate]

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        cfg = self.cfg
        slow = self.slow_path.stem(self._every(x, cfg.resample_rate))
        fast = self.fast_path.stem(self._every(x, cfg.resample_rate // cfg.speed_ratio))
        slow = torch.cat((slow, self.slow_path.conv1_lateral(fast)), dim=1)
        stages = zip(self.slow_path.stage_names, self.fast_path.stage_names, strict=True)
        for i, (slow_name, fast_name) in enumerate(stages):
            slow = getattr(self.slow_path, slow_name)(slow)
            fast = getattr(self.fast_path, fast_name)(fast)
            if i + 1 < len(self.slow_path.lateral_names):
                lateral = getattr(self.slow_path, self.slow_path.lateral_names[i + 1])
                slow = torch.cat((slow, lateral(fast)), dim=1)
        return slow, fast

    def init_weights(self) -> None:
        self.slow_path.init_weights()
        self.fast_path.init_weights()
