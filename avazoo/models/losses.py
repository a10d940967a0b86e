"""The AVA action-classification loss (multi-label BCE, optionally focal)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

__all__ = ["ava_action_loss"]


def ava_action_loss(
    logits: Tensor, targets: Tensor, *, focal_alpha: float = 1.0, focal_gamma: float = 0.0
) -> Tensor:
    """Mean ``α (1 - p_t)^γ · BCE(z, y)`` over the RoIs that carry at least one action.

    As in MMAction2, column 0 (the reserved class) is dropped from logits and targets, and RoIs
    whose targets are all zero (negatives) do not enter the loss. ``p_t = exp(-BCE)``: the
    predicted probability of the true label. With ``α = 1, γ = 0`` this is the plain mean BCE.

    Args:
        logits: ``[K, C]`` raw scores.
        targets: ``[K, C]`` multi-hot float labels (0 or 1).

    Returns:
        A scalar. If no RoI has a label it is an exact zero that still carries the graph
        (MMAction2 would return NaN, the mean of nothing).
    """
    if logits.shape != targets.shape:
        raise ValueError(f"logits {tuple(logits.shape)} and targets {tuple(targets.shape)} differ")
    targets = targets[:, 1:]
    positive = targets.sum(dim=1) > 0
    if not bool(positive.any()):
        return logits.sum() * 0.0
    z, y = logits[positive, 1:], targets[positive].to(logits.dtype)
    bce = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    if focal_gamma == 0.0:
        return focal_alpha * bce.mean()
    return (focal_alpha * (1.0 - (-bce).exp()) ** focal_gamma * bce).mean()
