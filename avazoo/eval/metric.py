"""``ava_map``: the AVA frame-level mAP under each protocol, vectorized with numpy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from avazoo.data.ava_files import AVARows, LabelMap
from avazoo.errors import DataFormatError, DatasetError
from avazoo.eval.ap import average_precision
from avazoo.eval.heap import heap_cap, heap_positions
from avazoo.eval.inputs import (
    BoxTable,
    Keyframes,
    PathLike,
    box_table,
    class_index,
    code_set,
    evaluated_classes,
    keyframe_codes,
    load_excluded,
    load_label_map,
    load_rows,
)
from avazoo.eval.matching import greedy_match
from avazoo.eval.protocols import Protocol, get_protocol
from avazoo.eval.ranking import group_matches, keyframe_ranks, ranked_order
from avazoo.eval.result import GROUPS, AVAResult, group_of, nanmean

__all__ = ["ava_map"]


def ava_map(
    gt: PathLike | AVARows,
    detections: PathLike | AVARows,
    label_map: PathLike | LabelMap | Mapping[int, str],
    *,
    excluded: PathLike | Iterable[tuple[str, int]] | None = None,
    custom_classes: Sequence[int] | None = None,
    protocol: str = "mmaction2-0.x",
) -> AVAResult:
    """Frame-level AVA mAP at IoU 0.5, exactly as the chosen protocol computes it.

    Args:
        gt: ground-truth CSV path (plain or ``.csv.gz``) or :class:`AVARows`.
        detections: detection CSV path or :class:`AVARows` (boxes normalised x1, y1, x2, y2).
        label_map: ``.pbtxt`` path (either layout), :class:`LabelMap` or ``{id: name}``; its ids
            are the evaluated classes.
        excluded: excluded-timestamps CSV path, ``(video_id, timestamp)`` pairs, or None.
        custom_classes: evaluate only these label-map ids (without MMAction2's leading 0).
        protocol: ``"mmaction2-0.x"`` (default; it produced the published numbers),
            ``"mmaction2-1.x"`` or ``"activitynet"`` (see :mod:`avazoo.eval.protocols`).

    Raises:
        ValueError: unknown protocol, or custom classes missing from the label map.
        DataFormatError: malformed files, or boxes with x2 < x1 or y2 < y1 where the official
            code fails on them.
        DatasetError: no ground truth of any evaluated class.
    """
    rules = get_protocol(protocol)
    labels = load_label_map(label_map)
    classes = evaluated_classes(labels, custom_classes)
    gt_rows, gt_name = load_rows(gt, what="ground truth")
    det_rows, det_name = load_rows(detections, what="detections")
    frames = keyframe_codes(gt_rows, det_rows, load_excluded(excluded))
    gt_cls = class_index(gt_rows.action_id, classes)
    gt_table = box_table(gt_name, gt_rows.score, gt_rows.boxes, frames.gt, gt_cls, gt_cls >= 0)
    det_cls = class_index(det_rows.action_id, classes)
    detections_of = _Detections(det_name, det_rows.score, det_rows.boxes, det_cls)
    del gt_rows, det_rows  # read from files, their other columns are freed here
    if not len(gt_table):
        raise DatasetError(
            f"{gt_name} has no ground truth of the {len(classes)} evaluated "
            "classes; check the label map and custom_classes"
        )
    _reject_inverted(gt_table, what="ground-truth")
    chosen = _select(rules, gt_table, detections_of, frames, len(classes))
    return _score(rules, chosen, classes, labels.as_dict())


@dataclass(frozen=True)
class _Detections:
    """Every detection row: what is left of its file, and its class index."""

    name: str
    score: np.ndarray  # float64 [N]
    boxes: np.ndarray  # float64 [N, 4]
    cls: np.ndarray  # int16 [N], -1 where the class is not evaluated


@dataclass(frozen=True)
class _Selection:
    """What a protocol evaluates: npos per class and the rows to match, with keyframe ranks."""

    num_gt: np.ndarray  # int64 [C], per evaluated class (sorted ids)
    gt: BoxTable
    gt_rank: np.ndarray  # int32 [M] rank of the row's keyframe in concatenation order
    det: BoxTable
    det_rank: np.ndarray  # int32 [N]
    num_keyframes: int


def _select(
    rules: Protocol, gt: BoxTable, det_of: _Detections, frames: Keyframes, num_classes: int
) -> _Selection:
    """The rows ``rules`` evaluate. Detections are filtered in one pass over all rows, except
    under the heap reader, which must see every detection of an evaluated class first."""
    evaluated = det_of.cls >= 0
    if rules.heap_reader:
        det = box_table(det_of.name, det_of.score, det_of.boxes, frames.det, det_of.cls, evaluated)
        gt, det = _read_through_heap(gt, det, capacity=rules.max_detections_per_keyframe or 0)
    gt_free = ~frames.excluded[gt.kf]
    counted = gt.cls if rules.count_excluded_gt else gt.cls[gt_free]
    num_gt = np.bincount(counted, minlength=num_classes)
    gt = _subset(gt, gt_free)
    gt_frames = None if rules.empty_keyframes_count else code_set(gt.kf, frames.count)
    if rules.heap_reader:
        keep = _keep_detections(rules, det.kf, det.row, det.file_boxes, frames, gt_frames)
        det = _subset(det, keep)
    else:
        keep = _keep_detections(rules, frames.det, None, det_of.boxes, frames, gt_frames)
        keep &= evaluated
        det = box_table(det_of.name, det_of.score, det_of.boxes, frames.det, det_of.cls, keep)
    if not rules.drop_degenerate:
        _reject_inverted(det, what="detection")
    ranks, num_keyframes = keyframe_ranks(
        gt.kf if rules.keyframe_order == "gt" else det.kf, frames.count
    )
    gt_rank = ranks[gt.kf]
    matched = gt_rank >= 0
    return _Selection(
        num_gt, _subset(gt, matched), gt_rank[matched], det, ranks[det.kf], num_keyframes
    )


def _keep_detections(
    rules: Protocol,
    kf: np.ndarray,
    rows: np.ndarray | None,
    boxes: np.ndarray,
    frames: Keyframes,
    gt_frames: np.ndarray | None,
) -> np.ndarray:
    """bool [N]: detections with keyframe codes ``kf`` [N] that ``rules`` evaluate: not on an
    excluded keyframe, on one in ``gt_frames`` (bool by code) unless that is None, and not
    degenerate where the rules drop those (boxes of the file; ``rows``: their rows, None for
    all)."""
    keep = ~frames.excluded[kf]
    if gt_frames is not None:
        keep &= gt_frames[kf]
    if rules.drop_degenerate:
        proper = (boxes[:, 0] < boxes[:, 2]) & (boxes[:, 1] < boxes[:, 3])
        keep &= proper if rows is None else proper[rows]
    return keep


def _subset(table: BoxTable, keep: np.ndarray) -> BoxTable:
    """The rows of ``table`` where bool ``keep`` [N] is True (the table itself if all are)."""
    return table if keep.all() else table.take(np.flatnonzero(keep))


def _read_through_heap(gt: BoxTable, det: BoxTable, *, capacity: int) -> tuple[BoxTable, BoxTable]:
    """Apply ActivityNet's heap reader: the cap on detections and heap order for equal scores."""
    det_boxes = det.boxes
    keep = (
        heap_cap(det.kf, det.score, det.cls, det_boxes, capacity=capacity)
        if capacity
        else np.ones(len(det), dtype=bool)
    )
    det_pos = heap_positions(det.kf, det.score, det.cls, det_boxes, keep, capacity=capacity)
    gt_pos = heap_positions(
        gt.kf, gt.score, gt.cls, gt.boxes, np.ones(len(gt), dtype=bool), capacity=0
    )
    return replace(gt, tiebreak=gt_pos), replace(det, tiebreak=det_pos).take(keep)


def _reject_inverted(table: BoxTable, *, what: str) -> None:
    boxes = table.file_boxes
    inverted = ((boxes[:, 2] < boxes[:, 0]) | (boxes[:, 3] < boxes[:, 1]))[table.row]
    if inverted.any():
        row = int(table.row[np.argmax(inverted)])
        raise DataFormatError(
            table.source,
            row + 1,
            f"{what} box {boxes[row].tolist()} has x2 < x1 or y2 < y1 "
            "(expected x1,y1,x2,y2 with x1 <= x2 and y1 <= y2)",
        )


def _score(
    rules: Protocol, chosen: _Selection, classes: np.ndarray, names: dict[int, str]
) -> AVAResult:
    det, gt, num_ranks = chosen.det, chosen.gt, chosen.num_keyframes
    det_order, det_group = ranked_order(
        det.cls, chosen.det_rank, det.score, det.tiebreak, num_ranks=num_ranks
    )
    gt_order, gt_group = ranked_order(
        gt.cls, chosen.gt_rank, gt.score, gt.tiebreak, num_ranks=num_ranks
    )
    matchable, start, count = group_matches(gt_group, det_group)
    tp = np.zeros(len(det_order), dtype=bool)
    tp[matchable] = greedy_match(
        det.file_boxes[det.row[det_order[matchable]]],
        gt.file_boxes[gt.row[gt_order]],
        start,
        count,
        dtype=rules.score_dtype,
    )
    scores = det.score[det_order].astype(rules.score_dtype, copy=False)
    bounds = np.searchsorted(det_group, np.arange(len(classes) + 1) * chosen.num_keyframes)
    return _result(rules, classes, names, chosen.num_gt, scores, tp, bounds)


def _result(
    rules: Protocol,
    classes: np.ndarray,
    names: dict[int, str],
    num_gt: np.ndarray,
    scores: np.ndarray,
    tp: np.ndarray,
    bounds: np.ndarray,
) -> AVAResult:
    per_class, num_dets, num_tp = {}, {}, {}
    for j, class_id in enumerate(classes.tolist()):
        lo, hi = bounds[j], bounds[j + 1]
        if hi == lo and not rules.zero_ap_without_detections:
            continue
        per_class[class_id] = average_precision(scores[lo:hi], tp[lo:hi], int(num_gt[j]))
        num_dets[class_id] = int(hi - lo)
        num_tp[class_id] = int(tp[lo:hi].sum())
    by_id = np.full(int(classes.max()), np.nan)  # the official mean runs over ids 1..max
    by_id[np.array(list(per_class), dtype=np.int64) - 1] = list(per_class.values())
    groups = {
        name: nanmean([ap for c, ap in per_class.items() if group_of(c) == name]) for name in GROUPS
    }
    return AVAResult(
        protocol=rules.name,
        map=nanmean(by_id.tolist()),
        per_class=per_class,
        **groups,
        class_names={c: names[c] for c in classes.tolist()},
        num_gt={c: int(n) for c, n in zip(classes.tolist(), num_gt.tolist(), strict=True) if n},
        num_detections=num_dets,
        num_true_positives=num_tp,
    )
