"""The recipes' train and test pipelines: decoded frames + normalised boxes -> model input.

Train (MMAction2 0.x): boxes to pixels, ``RandomRescale`` (short side uniform in
``train_scale_range``), ``RandomCrop(train_crop_size)``, ``Flip(flip_ratio)``, ``Normalize``.
Test: boxes to pixels, ``Resize`` to short side ``test_short_side``, ``Normalize``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from avazoo.data import transforms as T
from avazoo.recipes.types import DataConfig

__all__ = ["PipelineOutput", "train_pipeline", "eval_pipeline"]


@dataclass(frozen=True)
class PipelineOutput:
    """One transformed clip.

    Attributes:
        clip: float32 ``[3, T, H, W]``, normalised.
        boxes: float32 ``[N, 4]`` pixel ``(x1, y1, x2, y2)`` in ``clip``'s frame.
        img_shape: ``(H, W)`` of ``clip``.
        flipped: whether the clip was mirrored.
    """

    clip: torch.Tensor
    boxes: torch.Tensor
    img_shape: tuple[int, int]
    flipped: bool = False


def _to_pixels(frames: torch.Tensor, boxes: torch.Tensor) -> torch.Tensor:
    _, height, width, _ = frames.shape
    return T.boxes_to_pixels(boxes, height=height, width=width)


def train_pipeline(
    frames: torch.Tensor, boxes: torch.Tensor, *, config: DataConfig, rng: np.random.Generator
) -> PipelineOutput:
    """Augment uint8 ``[T, H, W, 3]`` frames and normalised ``[N, 4]`` boxes for training."""
    pixels = _to_pixels(frames, boxes)
    frames, pixels = T.random_rescale(frames, pixels, scale_range=config.train_scale_range, rng=rng)
    frames, pixels = T.random_crop(frames, pixels, size=config.train_crop_size, rng=rng)
    frames, pixels, flipped = T.random_hflip(frames, pixels, ratio=config.flip_ratio, rng=rng)
    clip = T.normalize(frames, mean=config.mean, std=config.std)
    return PipelineOutput(clip, pixels, (clip.shape[2], clip.shape[3]), flipped)


def eval_pipeline(
    frames: torch.Tensor, boxes: torch.Tensor, *, config: DataConfig
) -> PipelineOutput:
    """Resize uint8 ``[T, H, W, 3]`` frames to the test short side; boxes follow in pixels."""
    pixels = _to_pixels(frames, boxes)
    frames, pixels = T.rescale_short_side(frames, pixels, short_side=config.test_short_side)
    clip = T.normalize(frames, mean=config.mean, std=config.std)
    return PipelineOutput(clip, pixels, (clip.shape[2], clip.shape[3]))
