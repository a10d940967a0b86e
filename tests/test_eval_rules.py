"""Each rule of the three AVA protocols on small cases computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from avazoo.errors import DataFormatError, DatasetError
from avazoo.eval import PROTOCOLS, ava_map
from avazoo.eval.ap import average_precision
from avazoo.eval.heap import heap_cap
from avazoo.eval.matching import pair_iou
from tests._eval_helpers import rows

LABELS = {
    11: "sit",
    12: "stand",
    14: "walk",
    17: "carry/hold",
    60: "turn",
    79: "talk to",
    80: "watch",
}
PERSON_A = (0.0, 0.25, 0.5, 1.0)
PERSON_B = (0.5, 0.25, 1.0, 1.0)
FAR_AWAY = (0.0, 0.0, 0.1, 0.1)


def box_row(video, stamp, box, action, score):
    return (video, stamp, *box, action, score)


def evaluate(gt, det, protocol, **options):
    return ava_map(gt, det, LABELS, protocol=protocol, **options)


@pytest.mark.parametrize(
    ("protocol", "expected_ap", "npos"),
    [("mmaction2-1.x", 0.5, 2), ("mmaction2-0.x", 1.0, 1), ("activitynet", 1.0, 1)],
)
def test_ground_truth_on_excluded_keyframes_counts_only_in_1x(protocol, expected_ap, npos):
    gt = rows(box_row("v", 902, PERSON_A, 12, 1), box_row("v", 903, PERSON_A, 12, 1))
    det = rows(box_row("v", 902, PERSON_A, 12, 0.9))
    result = evaluate(gt, det, protocol, excluded=[("v", 903)])
    assert result.per_class[12] == expected_ap
    assert result.num_gt[12] == npos


@pytest.mark.parametrize(
    ("protocol", "expected_ap"),
    [("mmaction2-1.x", 1.0), ("mmaction2-0.x", 0.5), ("activitynet", 0.5)],
)
def test_detections_on_keyframes_without_ground_truth(protocol, expected_ap):
    # 904 has no GT of an evaluated class (only class 2, not in the label map): a 0.95 detection
    # there is ignored by 1.x and a false positive ranked first for 0.x: AP = 1/2 * 1/2 ... = 0.5
    gt = rows(box_row("v", 902, PERSON_A, 12, 1), box_row("v", 904, PERSON_A, 2, 1))
    det = rows(box_row("v", 904, PERSON_A, 12, 0.95), box_row("v", 902, PERSON_A, 12, 0.9))
    assert evaluate(gt, det, protocol).per_class[12] == expected_ap


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_detections_on_excluded_keyframes_are_ignored(protocol):
    gt = rows(box_row("v", 902, PERSON_A, 12, 1), box_row("v", 903, PERSON_B, 80, 1))
    det = rows(box_row("v", 903, PERSON_A, 12, 0.99), box_row("v", 902, PERSON_A, 12, 0.5))
    result = evaluate(gt, det, protocol, excluded=[("v", 903)])
    assert result.per_class[12] == 1.0
    assert result.num_detections[12] == 1


@pytest.mark.parametrize(
    ("protocol", "per_class", "mean"),
    [
        ("mmaction2-1.x", {12: 1.0}, 1.0),
        (
            "mmaction2-0.x",
            {
                11: math.nan,
                12: 1.0,
                14: 0.0,
                17: math.nan,
                60: math.nan,
                79: math.nan,
                80: math.nan,
            },
            0.5,
        ),
    ],
)
def test_class_with_ground_truth_but_no_detection(protocol, per_class, mean):
    gt = rows(box_row("v", 902, PERSON_A, 12, 1), box_row("v", 902, PERSON_B, 14, 2))
    det = rows(box_row("v", 902, PERSON_A, 12, 0.9))
    result = evaluate(gt, det, protocol)
    assert result.per_class.keys() == per_class.keys()
    for class_id, value in per_class.items():
        assert result.per_class[class_id] == pytest.approx(value, nan_ok=True)
    assert result.map == mean


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_class_with_detections_but_no_ground_truth_is_nan_and_left_out(protocol):
    gt = rows(box_row("v", 902, PERSON_A, 12, 1))
    det = rows(box_row("v", 902, PERSON_A, 12, 0.9), box_row("v", 902, PERSON_A, 60, 0.2))
    result = evaluate(gt, det, protocol)
    assert math.isnan(result.per_class[60])
    assert result.map == 1.0
    assert 60 not in result.classes_in_map


@pytest.mark.parametrize(
    ("protocol", "expected_ap"),
    [("mmaction2-1.x", 0.5), ("mmaction2-0.x", 1.0), ("activitynet", 1.0)],
)
def test_zero_area_detection_is_a_false_positive_or_removed(protocol, expected_ap):
    zero_width = (0.5, 0.1, 0.5, 0.4)
    gt = rows(box_row("v", 903, (0.25, 0.0, 0.75, 0.5), 17, 0))
    det = rows(
        box_row("v", 903, zero_width, 17, 0.35), box_row("v", 903, (0.25, 0.0, 0.75, 0.5), 17, 0.3)
    )
    assert evaluate(gt, det, protocol).per_class[17] == expected_ap


def test_inverted_detection_box_fails_in_1x_and_is_removed_in_0x():
    gt = rows(box_row("v", 902, PERSON_A, 12, 1))
    det = rows(
        box_row("v", 902, PERSON_A, 12, 0.9), box_row("v", 902, (0.6, 0.2, 0.4, 0.9), 12, 0.95)
    )
    with pytest.raises(DataFormatError, match=r"line 2: detection box .* x2 < x1"):
        evaluate(gt, det, "mmaction2-1.x")
    assert evaluate(gt, det, "mmaction2-0.x").per_class[12] == 1.0


def test_inverted_ground_truth_box_fails_everywhere():
    gt = rows(box_row("v", 902, PERSON_A, 12, 1), box_row("v", 902, (0.6, 0.9, 0.7, 0.2), 12, 2))
    for protocol in PROTOCOLS:
        with pytest.raises(DataFormatError, match="line 2: ground-truth box"):
            evaluate(gt, rows(), protocol)


def test_iou_at_the_threshold_depends_on_float_precision():
    # IoU = 0.108 / 0.216 = 1/2 exactly in real numbers; float64 rounds below, float32 above.
    gt, det = (0.702, 0.294, 0.864, 0.768), (0.756, 0.294, 0.918, 0.768)
    as_array = np.array([det]), np.array([gt])
    assert pair_iou(*as_array, dtype=np.float64)[0] == 0.49999999999999967
    assert pair_iou(*as_array, dtype=np.float32)[0] == pytest.approx(0.50000028, abs=1e-8)
    gt_rows, det_rows = rows(box_row("v", 902, gt, 12, 1)), rows(box_row("v", 902, det, 12, 0.9))
    assert evaluate(gt_rows, det_rows, "mmaction2-1.x").per_class[12] == 1.0
    assert evaluate(gt_rows, det_rows, "mmaction2-0.x").per_class[12] == 0.0


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_iou_of_exactly_one_half_is_a_match(protocol):
    gt = rows(box_row("v", 902, (0.0, 0.0, 1.0, 1.0), 12, 1))
    det = rows(box_row("v", 902, (0.0, 0.0, 0.5, 1.0), 12, 0.9))
    assert evaluate(gt, det, protocol).per_class[12] == 1.0


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_no_fallback_to_the_second_best_ground_truth(protocol):
    # GT C and D overlap (IoU 0.6). The 0.75 detection overlaps C by 0.82 and D by 0.74; C is
    # taken, so it is a false positive although D is free: AP = 1/2 * 1 + 1/2 * 2/3.
    c, d = (0.25, 0.0, 0.75, 0.5), (0.375, 0.0, 0.875, 0.5)
    gt = rows(box_row("v", 903, c, 11, 0), box_row("v", 903, d, 11, 2))
    det = rows(
        box_row("v", 903, c, 11, 0.85),
        box_row("v", 903, (0.3, 0.0, 0.8, 0.5), 11, 0.75),
        box_row("v", 903, d, 11, 0.65),
    )
    assert evaluate(gt, det, protocol).per_class[11] == pytest.approx(0.5 + 0.5 * 2 / 3)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_equal_iou_goes_to_the_ground_truth_with_the_higher_person_id(protocol):
    # The 0.9 detection has the same IoU (7/13) with A (person 1) and B (person 2). GT rows are
    # ordered by descending person id, so it takes B and the 0.8 detection on B finds B taken.
    a, b = (0.0, 0.0, 0.625, 1.0), (0.375, 0.0, 1.0, 1.0)
    gt = rows(box_row("v", 902, a, 12, 1), box_row("v", 902, b, 12, 2))
    det = rows(
        box_row("v", 902, (0.1875, 0.0, 0.8125, 1.0), 12, 0.9), box_row("v", 902, b, 12, 0.8)
    )
    assert evaluate(gt, det, protocol).per_class[12] == 0.5


def test_average_precision_is_voc_all_points():
    # TP FP TP FP with npos 3: precision 1, 1/2, 2/3, 1/2 at recall 1/3, 1/3, 2/3, 2/3.
    # All points: 1/3 * 1 + 1/3 * 2/3 = 5/9 (11-point interpolation would give 6/11).
    tp = np.array([True, False, True, False])
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    assert average_precision(scores, tp, 3) == pytest.approx(5 / 9, abs=1e-15)
    assert average_precision(scores[::-1], tp[::-1], 3) == pytest.approx(5 / 9, abs=1e-15)
    assert math.isnan(average_precision(scores, tp, 0))
    assert average_precision(scores[:0], tp[:0], 2) == 0.0


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_mean_and_group_means(protocol):
    # sit: AP 1 (person movement); carry/hold: 1/2 (object manipulation); watch: TP then FP
    # with npos 2 = 1/2 (person interaction); turn: NaN (no GT). mAP = (1 + 1/2 + 1/2) / 3.
    gt = rows(
        box_row("v", 902, PERSON_A, 11, 1),
        box_row("v", 902, PERSON_B, 17, 2),
        box_row("v", 902, PERSON_A, 80, 1),
        box_row("v", 902, PERSON_B, 80, 2),
    )
    det = rows(
        box_row("v", 902, PERSON_A, 11, 0.9),
        box_row("v", 902, FAR_AWAY, 17, 0.8),
        box_row("v", 902, PERSON_B, 17, 0.7),
        box_row("v", 902, PERSON_A, 80, 0.6),
        box_row("v", 902, FAR_AWAY, 80, 0.5),
        box_row("v", 902, PERSON_A, 60, 0.4),
    )
    result = evaluate(gt, det, protocol)
    assert result.map == pytest.approx(2 / 3, abs=1e-15)
    assert result.person_movement == 1.0
    assert result.object_manipulation == 0.5
    assert result.person_interaction == 0.5
    detected = {c: n for c, n in result.num_true_positives.items() if result.num_detections[c]}
    assert detected == {11: 1, 17: 1, 60: 0, 80: 1}


def _capped_keyframe():
    """52 rows of one keyframe: 48 at 0.9, then three at 0.5 (classes 80, 11, 17) and a 0.95."""
    records = [box_row("v", 902, (0.0, 0.0, 0.2 + 0.01 * i, 0.2), 12, 0.9) for i in range(48)]
    records += [
        box_row("v", 902, PERSON_B, 80, 0.5),
        box_row("v", 902, PERSON_A, 11, 0.5),
        box_row("v", 902, PERSON_A, 17, 0.5),
        box_row("v", 902, PERSON_A, 14, 0.95),
    ]
    return records


def test_activitynet_cap_follows_the_min_heap():
    # The 50th highest score is 0.5. The heap is full after the rows of class 80 and 11; the
    # class-17 row (0.5, not greater than the minimum 0.5) is refused; the 0.95 row evicts the
    # smallest tuple, (0.5, 11, ...). Survivors: the 48 rows at 0.9, class 80 and the 0.95 row.
    records = _capped_keyframe()
    table = rows(*records)
    keep = heap_cap(
        np.zeros(len(table), dtype=np.int64), table.score, table.action_id, table.boxes, capacity=50
    )
    assert keep.sum() == 50
    assert [r[6] for r, k in zip(records, keep, strict=True) if not k] == [11, 17]


@pytest.mark.parametrize(
    ("protocol", "sit", "carry"),
    [("activitynet", 0.0, 0.0), ("mmaction2-0.x", 1.0, 1.0), ("mmaction2-1.x", 1.0, 1.0)],
)
def test_capped_detections_are_missed_only_by_activitynet(protocol, sit, carry):
    gt = rows(
        box_row("v", 902, PERSON_B, 80, 1),
        box_row("v", 902, PERSON_A, 11, 2),
        box_row("v", 902, PERSON_A, 17, 2),
        box_row("v", 902, PERSON_A, 14, 2),
    )
    result = evaluate(gt, rows(*_capped_keyframe()), protocol)
    assert (result.per_class[11], result.per_class[17]) == (sit, carry)
    assert result.per_class[80] == 1.0


def test_custom_classes_restrict_the_evaluation():
    gt = rows(box_row("v", 902, PERSON_A, 12, 1), box_row("v", 902, PERSON_B, 80, 2))
    det = rows(box_row("v", 902, PERSON_A, 12, 0.9), box_row("v", 902, FAR_AWAY, 80, 0.8))
    result = evaluate(gt, det, "mmaction2-1.x", custom_classes=[12])
    assert result.per_class == {12: 1.0}
    assert result.class_names == {12: "stand"}


@pytest.mark.parametrize(
    ("custom", "message"),
    [([12, 99], r"\[99\] are not in the label map"), ([0, 12], "leading 0"), ([], "empty")],
)
def test_bad_custom_classes(custom, message):
    gt = rows(box_row("v", 902, PERSON_A, 12, 1))
    with pytest.raises(ValueError, match=message):
        evaluate(gt, rows(), "mmaction2-0.x", custom_classes=custom)


def test_unknown_protocol_names_the_valid_ones():
    gt = rows(box_row("v", 902, PERSON_A, 12, 1))
    with pytest.raises(ValueError, match=r"'mmaction2-0\.x', 'mmaction2-1\.x', 'activitynet'"):
        evaluate(gt, rows(), "voc")


def test_no_ground_truth_of_the_evaluated_classes():
    gt = rows(box_row("v", 902, PERSON_A, 2, 1))
    with pytest.raises(DatasetError, match="no ground truth"):
        evaluate(gt, rows(), "mmaction2-0.x")


def test_default_protocol_is_mmaction2_0x():
    gt = rows(box_row("v", 902, PERSON_A, 12, 1), box_row("v", 903, PERSON_A, 12, 1))
    det = rows(box_row("v", 902, PERSON_A, 12, 0.9))
    result = ava_map(gt, det, LABELS, excluded=[("v", 903)])
    assert result.protocol == "mmaction2-0.x"
    assert result.per_class[12] == 1.0


@pytest.mark.parametrize(
    ("protocol", "reported"), [("mmaction2-1.x", {}), ("mmaction2-0.x", {12: 0.0, 80: 0.0})]
)
def test_detections_only_where_there_is_no_ground_truth(protocol, reported):
    """0.x counts them as false positives (AP 0; 80 has ground truth and no detection), 1.x
    ignores them and has no class left to report."""
    gt = rows(box_row("v", 902, PERSON_A, 12, 1), box_row("v", 902, PERSON_B, 80, 1))
    det = rows(box_row("v", 903, PERSON_A, 12, 0.9))
    result = evaluate(gt, det, protocol)
    assert {c: ap for c, ap in result.per_class.items() if not math.isnan(ap)} == reported


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_timestamps_far_apart(protocol):
    """Keyframes 10**12 seconds apart: a TP ranked first, then a false positive: AP 1/2."""
    gt = rows(box_row("v", 902, PERSON_A, 12, 1), box_row("v", 10**12, PERSON_B, 12, 1))
    det = rows(box_row("v", 10**12, PERSON_B, 12, 0.9), box_row("v", 902, FAR_AWAY, 12, 0.8))
    assert evaluate(gt, det, protocol).per_class[12] == 0.5


def test_class_ids_far_apart():
    rare = 2**21
    gt = rows(box_row("v", 902, PERSON_A, 12, 1), box_row("v", 902, PERSON_B, rare, 1))
    det = rows(box_row("v", 902, PERSON_B, rare, 0.9), box_row("v", 902, PERSON_B, 12, 0.8))
    result = ava_map(gt, det, {12: "stand", rare: "rare"})
    assert result.per_class == {12: 0.0, rare: 1.0}
    assert result.map == 0.5
