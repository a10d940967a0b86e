"""PASCAL VOC "all points" average precision of one class, as the official AVA code computes it."""

from __future__ import annotations

import numpy as np

__all__ = ["average_precision", "ranked_average_precision"]


def average_precision(scores: np.ndarray, tp: np.ndarray, num_gt: int) -> float:
    """AP of one class.

    Args:
        scores: [K] detection scores (float32 or float64: the precision decides which scores
            tie), in the protocol's concatenation order.
        tp: bool [K] true-positive flags in the same order.
        num_gt: number of ground-truth instances (npos).

    Detections are ranked with ``np.argsort(scores)[::-1]`` (numpy's default, non-stable sort,
    exactly as the official code, so equal scores are ordered as there on the same platform).
    precision = TP / (TP + FP) and recall = TP / npos along the ranking; the points (0, 0) and
    (1, 0) are added at both ends, precision is made non-increasing from the right, and AP is
    the sum of precision times the recall step where recall changes. npos = 0 gives NaN; no
    detection gives 0.
    """
    if num_gt == 0:
        return float("nan")
    return ranked_average_precision(tp[np.argsort(scores)[::-1]], num_gt)


def ranked_average_precision(ranked_tp: np.ndarray, num_gt: int) -> float:
    """AP of true-positive flags bool [K] already in rank order (see :func:`average_precision`)."""
    if num_gt == 0:
        return float("nan")
    if not len(ranked_tp):
        return 0.0
    count = len(ranked_tp)
    cum_tp = np.cumsum(ranked_tp, dtype=np.int64)
    recall = np.empty(count + 2)
    recall[0], recall[-1] = 0.0, 1.0
    np.divide(cum_tp, num_gt, out=recall[1:-1])
    precision = np.empty(count + 2)
    precision[0] = precision[-1] = 0.0
    np.divide(cum_tp, np.arange(1, count + 1), out=precision[1:-1])  # TP / (TP + FP)
    precision = np.maximum.accumulate(precision[::-1])[::-1]
    steps = np.flatnonzero(recall[1:] != recall[:-1]) + 1
    return float(np.sum((recall[steps] - recall[steps - 1]) * precision[steps]))
