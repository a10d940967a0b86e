"""IoU and greedy matching of detections to ground truth, vectorized over all keyframes.

Matching rule (the same in every protocol): within one (keyframe, class) group, detections are
visited in order; detection d takes g* = the first ground-truth box of maximal IoU with d. d is a
true positive iff IoU(d, g*) >= 0.5 and g* is not taken yet; g* is then taken. There is no
fallback to the second-best box. Hence d is a true positive exactly when it is a *candidate*
(best IoU >= 0.5) and the first candidate of its group to pick its g*, which needs no loop.
"""

from __future__ import annotations

import numpy as np

__all__ = ["greedy_match", "pair_iou"]


def pair_iou(det: np.ndarray, gt: np.ndarray, *, dtype: type) -> np.ndarray:
    """IoU of row-paired boxes, float64 [P], with the arithmetic of the official ``np_box_ops``.

    Args:
        det, gt: float64 [P, 4] normalised ``x1, y1, x2, y2`` (pair i is ``det[i]``, ``gt[i]``).
        dtype: the box precision, float32 (MMAction2 1.x) or float64 (0.x, ActivityNet). Side
            differences and areas are computed in ``dtype``; the clamp at 0 is against a float64
            zero, so the intersection and the IoU are float64, and the union is
            ``float64(area_det + area_gt) - intersection``.

    A zero union (two empty boxes) gives NaN, as in the official code.
    """
    x1d, y1d, x2d, y2d = np.asarray(det, dtype=dtype).T  # no copy in float64
    x1g, y1g, x2g, y2g = np.asarray(gt, dtype=dtype).T
    inter = _side(y1d, y2d, y1g, y2g)
    inter *= _side(x1d, x2d, x1g, x2g)
    area = (y2d - y1d) * (x2d - x1d)
    area += (y2g - y1g) * (x2g - x1g)
    union = _float64(area)
    union -= inter
    with np.errstate(invalid="ignore", divide="ignore"):
        inter /= union
    return inter


def _side(low_d: np.ndarray, high_d: np.ndarray, low_g: np.ndarray, high_g: np.ndarray):
    """float64 ``max(0, min(high) - max(low))``, the difference computed in the boxes' dtype."""
    side = np.minimum(high_d, high_g)
    side -= np.maximum(low_d, low_g)
    side = _float64(side)
    return np.maximum(side, 0.0, out=side)


def _float64(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def greedy_match(
    det_boxes: np.ndarray,
    gt_boxes: np.ndarray,
    gt_start: np.ndarray,
    gt_count: np.ndarray,
    *,
    dtype: type,
    threshold: float = 0.5,
) -> np.ndarray:
    """True-positive flags of detections, bool [N].

    Args:
        det_boxes: float64 [N, 4] ``x1, y1, x2, y2`` of the detections, sorted by group and,
            within a group, in the order the protocol visits them (descending score).
        gt_boxes: float64 [M, 4], sorted by group, within a group in the protocol's order.
        gt_start, gt_count: int64 [N], the ground-truth rows ``gt_start[i] : gt_start[i] +
            gt_count[i]`` of detection i's group (count 0: no ground truth, a false positive).
        dtype: box precision for :func:`pair_iou`.
        threshold: minimal IoU of a match (inclusive).
    """
    tp = np.zeros(len(det_boxes), dtype=bool)
    total = int(gt_count.sum())
    if total == 0:
        return tp
    dets = np.flatnonzero(gt_count > 0)
    counts = gt_count[dets]
    seg_start = np.cumsum(counts) - counts
    pair_det = np.repeat(np.arange(len(dets)), counts)
    pair_gt = np.repeat(gt_start[dets] - seg_start, counts) + np.arange(total)
    iou = pair_iou(det_boxes[dets[pair_det]], gt_boxes[pair_gt], dtype=dtype)
    best = np.maximum.reduceat(iou, seg_start)  # NaN if any IoU of the segment is NaN
    candidate = best >= threshold  # the official argmax picks a NaN first: never a match
    hit = np.flatnonzero(candidate[pair_det] & (iou == best[pair_det]))
    first = np.ones(len(hit), dtype=bool)  # the first maximum of each detection's row
    first[1:] = pair_det[hit][1:] != pair_det[hit][:-1]
    picked = pair_gt[hit[first]]  # g* of each candidate, candidates in visiting order
    taker = np.full(len(gt_boxes), len(picked))
    np.minimum.at(taker, picked, np.arange(len(picked)))  # the first candidate to pick g
    tp[dets[pair_det[hit[first]][taker[picked] == np.arange(len(picked))]]] = True
    return tp
