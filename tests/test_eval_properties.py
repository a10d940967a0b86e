"""Properties of the AVA metric that must hold for any input (hypothesis), and its vectorized
parts against plain loops that follow the official code step by step."""

from __future__ import annotations

import heapq
import math
from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from avazoo.data.ava_files import AVARows
from avazoo.eval import PROTOCOLS, ava_map
from avazoo.eval.heap import heap_cap, heap_positions
from avazoo.eval.matching import greedy_match
from tests._eval_helpers import rows

LABELS = {11: "sit", 12: "stand", 17: "carry/hold", 64: "fight", 80: "watch"}
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
FAST = settings(max_examples=25, deadline=None)


def random_case(seed: int) -> tuple[AVARows, AVARows]:
    """Ground truth (persons in [0.2, 1]^2 with 1-2 labels) and detections (jittered persons,
    background boxes, other classes) with distinct scores: no tie anywhere."""
    rng = np.random.default_rng(seed)
    gt, det = [], []
    for video in ("-vidA", "_vidB"):
        for stamp in range(902, 902 + int(rng.integers(2, 5))):
            for person in range(int(rng.integers(0, 4))):
                x, y = rng.uniform(0.2, 0.7, size=2)
                box = (x, y, x + rng.uniform(0.1, 0.3), y + rng.uniform(0.1, 0.3))
                for label in rng.choice(list(LABELS), size=int(rng.integers(1, 3)), replace=False):
                    gt.append((video, stamp, *box, int(label), person))
                    if rng.random() < 0.7:
                        jitter = np.asarray(box) + rng.normal(0, 0.03, size=4)
                        corners = (
                            *np.minimum(jitter[:2], jitter[2:]),
                            *np.maximum(jitter[:2], jitter[2:]),
                        )
                        det.append((video, stamp, *corners, int(label)))
            for _ in range(int(rng.integers(0, 4))):
                x, y = rng.uniform(0.0, 0.7, size=2)
                det.append((video, stamp, x, y, x + 0.2, y + 0.25, int(rng.choice(list(LABELS)))))
    scores = rng.permutation(len(det)) / max(len(det), 1) + 0.01
    return rows(*gt), rows(*[(*d, s) for d, s in zip(det, scores, strict=True)])


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@FAST
@given(SEEDS, SEEDS)
def test_permuting_rows_does_not_change_an_untied_result(seed, shuffle_seed):
    gt, det = random_case(seed)
    if not len(gt):
        return
    rng = np.random.default_rng(shuffle_seed)
    gt2, det2 = gt.subset(rng.permutation(len(gt))), det.subset(rng.permutation(len(det)))
    for protocol in PROTOCOLS:
        first = ava_map(gt, det, LABELS, excluded=[("-vidA", 903)], protocol=protocol)
        second = ava_map(gt2, det2, LABELS, excluded=[("-vidA", 903)], protocol=protocol)
        assert first.per_class.keys() == second.per_class.keys()
        assert all(_same(first.per_class[c], second.per_class[c]) for c in first.per_class)
        assert _same(first.map, second.map)


@FAST
@given(SEEDS)
def test_perfect_detections_give_ap_one(seed):
    gt, _ = random_case(seed)
    if not len(gt):
        return
    scores = np.random.default_rng(seed).permutation(len(gt)) + 1.0
    perfect = AVARows(gt.videos, gt.video_index, gt.timestamp, gt.boxes, gt.action_id, scores)
    for protocol in PROTOCOLS:
        result = ava_map(gt, perfect, LABELS, protocol=protocol)
        assert result.map == 1.0
        assert all(result.per_class[c] == 1.0 for c in result.num_gt)


@FAST
@given(SEEDS, st.sampled_from(sorted(LABELS)), st.booleans())
def test_a_low_scored_false_positive_never_raises_ap(seed, label, on_new_keyframe):
    gt, det = random_case(seed)
    if not len(gt):
        return
    low = float(det.score.min()) / 2 if len(det) else 0.5
    stamp = 1500 if on_new_keyframe else int(gt.timestamp[0])
    extra = rows((gt.videos[gt.video_index[0]], stamp, 0.0, 0.0, 0.15, 0.15, label, low))
    more = AVARows.from_arrays(
        video_id=np.concatenate([det.video_id, extra.video_id]),
        timestamp=np.concatenate([det.timestamp, extra.timestamp]),
        boxes=np.concatenate([det.boxes, extra.boxes]),
        action_id=np.concatenate([det.action_id, extra.action_id]),
        score=np.concatenate([det.score, extra.score]),
    )
    for protocol in PROTOCOLS:
        before = ava_map(gt, det, LABELS, protocol=protocol)
        after = ava_map(gt, more, LABELS, protocol=protocol)
        for class_id, ap in after.per_class.items():
            if not math.isnan(before.per_class.get(class_id, math.nan)):
                assert ap <= before.per_class[class_id]
        if not math.isnan(before.map):
            assert after.map <= before.map


def _heap_read(records: list[tuple], capacity: int) -> list[tuple]:
    """ActivityNet's read_csv for one keyframe: heap push/replace, then a stable sort."""
    heap: list[tuple] = []
    for record in records:
        if capacity < 1 or len(heap) < capacity:
            heapq.heappush(heap, record)
        elif record[0] > heap[0][0]:
            heapq.heapreplace(heap, record)
    return sorted(heap, key=lambda r: -r[0])


TIED_ROWS = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.sampled_from([0.1, 0.2, 0.3, 0.5]),
        st.integers(1, 3),
        st.sampled_from([0.0, 0.25, 0.5]),
    ),
    min_size=1,
    max_size=60,
)


def _tied_arrays(rows: list[tuple]) -> tuple[np.ndarray, ...]:
    kf, score, cls, corner = (np.array(column) for column in zip(*rows, strict=True))
    boxes = np.stack([corner, corner / 2, corner + 0.5, corner / 2 + 0.5], axis=1)
    return kf.astype(np.int64), score.astype(np.float64), cls.astype(np.int64), boxes


def _records(kf, score, cls, boxes, index) -> list[tuple]:
    """(score, class, y1, x1, y2, x2) tuples, the official heap entries."""
    return [
        (score[i], int(cls[i]), boxes[i, 1], boxes[i, 0], boxes[i, 3], boxes[i, 2]) for i in index
    ]


@settings(max_examples=60, deadline=None)
@given(TIED_ROWS, st.integers(1, 8))
def test_heap_cap_keeps_what_the_heap_keeps(rows, capacity):
    kf, score, cls, boxes = _tied_arrays(rows)
    keep = heap_cap(kf, score, cls, boxes, capacity=capacity)
    for frame in np.unique(kf):
        index = np.flatnonzero(kf == frame)
        expected = Counter(_heap_read(_records(kf, score, cls, boxes, index), capacity))
        assert Counter(_records(kf, score, cls, boxes, index[keep[index]])) == expected


@settings(max_examples=60, deadline=None)
@given(TIED_ROWS, st.integers(0, 8))
def test_heap_positions_order_equal_scores_as_the_heap(rows, capacity):
    kf, score, cls, boxes = _tied_arrays(rows)
    keep = (
        heap_cap(kf, score, cls, boxes, capacity=capacity)
        if capacity
        else np.ones(len(kf), dtype=bool)
    )
    position = heap_positions(kf, score, cls, boxes, keep, capacity=capacity)
    for frame in np.unique(kf):
        index = np.flatnonzero((kf == frame) & keep)
        ours = index[np.lexsort((position[index], -score[index]))]  # stable: then file order
        official = _heap_read(
            _records(kf, score, cls, boxes, np.flatnonzero(kf == frame)), capacity
        )
        for label in np.unique(cls[index]):
            mine = _records(kf, score, cls, boxes, ours[cls[ours] == label])
            assert mine == [r for r in official if r[1] == label]


def _official_tp(det: np.ndarray, gt: np.ndarray, dtype: type) -> np.ndarray:
    """The official per-(keyframe, class) loop: np_box_ops.iou as a matrix, argmax, no
    fallback."""
    det_yx = det[:, [1, 0, 3, 2]].astype(dtype)
    gt_yx = gt[:, [1, 0, 3, 2]].astype(dtype)
    tp = np.zeros(len(det), dtype=bool)
    if not len(gt):
        return tp
    y1, x1, y2, x2 = np.split(det_yx, 4, axis=1)
    gy1, gx1, gy2, gx2 = np.split(gt_yx, 4, axis=1)
    zeros = np.zeros((len(det), len(gt)))  # float64, as in np_box_ops.intersection
    heights = np.maximum(zeros, np.minimum(y2, gy2.T) - np.maximum(y1, gy1.T))
    widths = np.maximum(zeros, np.minimum(x2, gx2.T) - np.maximum(x1, gx1.T))
    inter = heights * widths
    area_det = (det_yx[:, 2] - det_yx[:, 0]) * (det_yx[:, 3] - det_yx[:, 1])
    area_gt = (gt_yx[:, 2] - gt_yx[:, 0]) * (gt_yx[:, 3] - gt_yx[:, 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = inter / (area_det[:, None] + area_gt[None, :] - inter)
    taken = np.zeros(len(gt), dtype=bool)
    for i, best in enumerate(np.argmax(iou, axis=1)):
        if iou[i, best] >= 0.5 and not taken[best]:
            tp[i] = taken[best] = True
    return tp


GRID = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])
BOX = st.tuples(GRID, GRID, GRID, GRID).map(
    lambda b: (min(b[0], b[2]), min(b[1], b[3]), max(b[0], b[2]), max(b[1], b[3]))
)
GROUPS = st.lists(
    st.tuples(st.lists(BOX, max_size=6), st.lists(BOX, max_size=5)), min_size=1, max_size=6
)


@settings(max_examples=80, deadline=None)
@given(GROUPS, st.sampled_from([np.float32, np.float64]))
def test_greedy_match_equals_the_official_loop(groups, dtype):
    """Groups of boxes on a coarse grid: exact IoU ties, IoU of exactly 0.5, empty boxes."""
    det = np.array([b for dets, _ in groups for b in dets], dtype=np.float64).reshape(-1, 4)
    gt = np.array([b for _, gts in groups for b in gts], dtype=np.float64).reshape(-1, 4)
    gt_sizes = np.array([len(gts) for _, gts in groups])
    gt_first = np.cumsum(gt_sizes) - gt_sizes
    of_det = np.repeat(np.arange(len(groups)), [len(dets) for dets, _ in groups])
    tp = greedy_match(det, gt, gt_first[of_det], gt_sizes[of_det], dtype=dtype)
    expected = np.concatenate(
        [
            _official_tp(np.array(dets).reshape(-1, 4), np.array(gts).reshape(-1, 4), dtype)
            for dets, gts in groups
        ]
    )
    assert np.array_equal(tp, expected)


def test_random_cases_have_no_ties():
    """The generator's scores are distinct, so the permutation property is about untied data."""
    for seed in range(5):
        _, det = random_case(seed)
        assert len(np.unique(det.score)) == len(det)
