"""Batching ``AVASample``s: clips stacked, boxes and labels kept as per-clip lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import torch

from avazoo.data.dataset import AVADataset, AVASample

__all__ = ["AVABatch", "collate_samples", "shape_batches"]


@dataclass(frozen=True, eq=False)
class AVABatch:
    """A batch of ``B`` keyframes.

    Attributes:
        clips: float32 ``[B, 3, T, H, W]``.
        proposals, gt_boxes: ``B`` float32 tensors ``[k_i, 4]`` of pixel ``(x1, y1, x2, y2)``.
        gt_labels: ``B`` float32 tensors ``[n_i, num_classes]``.
        samples: the samples themselves (keyframe ids, shapes, scores, ...), clips included.
    """

    clips: torch.Tensor
    proposals: list[torch.Tensor]
    gt_boxes: list[torch.Tensor]
    gt_labels: list[torch.Tensor]
    samples: tuple[AVASample, ...]

    def to(self, device: torch.device | str, *, non_blocking: bool = False) -> AVABatch:
        """The batch with its tensors (clips, boxes, labels) on ``device``."""

        def move(ts: list[torch.Tensor]) -> list[torch.Tensor]:
            return [t.to(device, non_blocking=non_blocking) for t in ts]

        return replace(
            self,
            clips=self.clips.to(device, non_blocking=non_blocking),
            proposals=move(self.proposals),
            gt_boxes=move(self.gt_boxes),
            gt_labels=move(self.gt_labels),
        )

    def pin_memory(self) -> AVABatch:
        """Page-locked copies, for ``DataLoader(pin_memory=True)``."""
        return replace(self, clips=self.clips.pin_memory())

    def __len__(self) -> int:
        return self.clips.shape[0]


def collate_samples(samples: Sequence[AVASample]) -> AVABatch:
    """Stack the clips of ``samples`` (all of one shape) and keep their boxes as lists.

    Raises:
        ValueError: the clips differ in shape (test-time frames of different sizes); batch them
            with :func:`shape_batches` or use batch size 1.
    """
    if not samples:
        raise ValueError("cannot collate an empty list of samples")
    shapes = {tuple(s.clip.shape) for s in samples}
    if len(shapes) > 1:
        raise ValueError(
            f"clips of different shapes {sorted(shapes)} cannot be stacked; group samples with "
            "avazoo.data.shape_batches(dataset, batch_size=...) or use batch_size=1"
        )
    return AVABatch(
        clips=torch.stack([s.clip for s in samples]),
        proposals=[s.proposals for s in samples],
        gt_boxes=[s.gt_boxes for s in samples],
        gt_labels=[s.gt_labels for s in samples],
        samples=tuple(samples),
    )


def shape_batches(dataset: AVADataset, *, batch_size: int) -> list[list[int]]:
    """Consecutive sample indices in batches of at most ``batch_size`` whose frames share one size.

    At test time clips keep their aspect ratio, so videos of different frame sizes give clips of
    different shapes; this batch sampler keeps dataset order and never mixes them.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    batches: list[list[int]] = []
    sizes: dict[str, tuple[int, int]] = {}
    previous = None
    for index, keyframe in enumerate(dataset.keyframes):
        if keyframe.video_id not in sizes:
            sizes[keyframe.video_id] = dataset.frame_size(index)
        size = sizes[keyframe.video_id]
        if not batches or size != previous or len(batches[-1]) == batch_size:
            batches.append([])
        batches[-1].append(index)
        previous = size
    return batches
