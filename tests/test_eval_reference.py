"""avazoo's AVA metric against the numbers of the real MMAction2 1.2.0, MMAction2 0.x and
ActivityNet code on every shared reference case (shared/reference/eval).

Equal scores are ranked by numpy's unstable argsort, whose order depends on the CPU's SIMD level.
So every class is checked against tie bounds computed independently from our TP/FP flags (equal
scores FP-first and TP-first): where the bounds coincide no tie is decisive and the AP must equal
the reference to 1e-12; elsewhere the reference and our AP lie inside them. The official values
themselves are reproduced bit-for-bit in a subprocess pinned to the reference's SIMD level.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import avazoo.eval.metric as metric
from avazoo.eval import ava_map
from tests._eval_helpers import (
    CASE_NAMES,
    PROTOCOL_NAMES,
    ap_values,
    case_files,
    expected,
    tie_bounds,
)

TOL = 1e-12


def _evaluate(case: str, protocol: str):
    """ava_map on a case, recording each class's (scores, tp, npos) as ranked by the metric."""
    files = case_files(case)
    options = json.loads(files["expected"].read_text())["options"]
    calls = []
    original = metric.average_precision

    def record(scores, tp, num_gt):
        calls.append((scores.copy(), tp.copy(), num_gt))
        return original(scores, tp, num_gt)

    metric.average_precision = record
    try:
        result = ava_map(
            files["gt"],
            files["det"],
            files["label_map"],
            excluded=files["excluded"],
            custom_classes=options["custom_classes"],
            protocol=protocol,
        )
    finally:
        metric.average_precision = original
    return result, dict(zip(result.per_class, calls, strict=True))


@pytest.fixture(scope="module")
def evaluations():
    return {(c, p): _evaluate(c, p) for c in CASE_NAMES for p in PROTOCOL_NAMES}


PAIRS = [(c, p) for c in CASE_NAMES for p in PROTOCOL_NAMES]


@pytest.mark.parametrize(("case", "protocol"), PAIRS)
def test_reported_classes_match(evaluations, case, protocol):
    result, _ = evaluations[case, protocol]
    reference = ap_values(expected(case, protocol))
    assert list(result.per_class) == sorted(reference)
    for class_id, value in reference.items():
        assert math.isnan(value) == math.isnan(result.per_class[class_id]), class_id


@pytest.mark.parametrize("case", CASE_NAMES)
def test_counts_match_mmaction2_1x(evaluations, case):
    result, _ = evaluations[case, "mmaction2-1.x"]
    block = expected(case, "mmaction2-1.x")
    as_int = {
        name: {int(k): v for k, v in block[name].items()}
        for name in ("num_gt", "num_evaluated_detections", "num_true_positives")
    }
    assert result.num_gt == as_int["num_gt"]
    assert result.num_detections == as_int["num_evaluated_detections"]
    assert result.num_true_positives == as_int["num_true_positives"]
    assert list(result.classes_in_map) == block["classes_in_mAP"]


@pytest.mark.parametrize(("case", "protocol"), PAIRS)
def test_per_class_ap_within_tie_bounds(evaluations, case, protocol):
    result, calls = evaluations[case, protocol]
    reference = ap_values(expected(case, protocol))
    low_sum = high_sum = 0.0
    count = 0
    for class_id, (scores, tp, num_gt) in calls.items():
        low, high, _ = tie_bounds(scores, tp, num_gt)
        ours, theirs = result.per_class[class_id], reference[class_id]
        if math.isnan(theirs):
            assert math.isnan(ours) and num_gt == 0
            continue
        count += 1
        low_sum, high_sum = low_sum + low, high_sum + high
        if high - low <= TOL:  # no decisive tie: exact on every platform
            assert ours == pytest.approx(theirs, abs=TOL), class_id
        else:
            assert low - TOL <= theirs <= high + TOL, class_id
            assert low - TOL <= ours <= high + TOL, class_id
    reference_map = expected(case, protocol)["mAP"]
    if high_sum - low_sum <= TOL:
        assert result.map == pytest.approx(reference_map, abs=TOL)
    else:
        assert low_sum / count - TOL <= reference_map <= high_sum / count + TOL
        assert low_sum / count - TOL <= result.map <= high_sum / count + TOL


@pytest.mark.parametrize("case", CASE_NAMES)
def test_tie_facts_of_mmaction2_1x(evaluations, case):
    """Our flags give exactly the recorded tie analysis: which case has decisive ties, each
    class's [min, max] range, the bounds of the mAP and the stable-order mAP."""
    result, calls = evaluations[case, "mmaction2-1.x"]
    ties = json.loads(case_files(case)["expected"].read_text())["tie_order"]
    bounds = {c: tie_bounds(*args) for c, args in calls.items()}
    decisive = {str(c): [lo, hi] for c, (lo, hi, _) in bounds.items() if hi - lo > TOL}
    assert bool(decisive) == ties["decisive_ties"]
    assert decisive.keys() == ties["per_class_range"].keys()
    for class_id, (lo, hi) in decisive.items():
        assert ties["per_class_range"][class_id] == pytest.approx([lo, hi], abs=TOL)
    in_mean = [b for c, b in bounds.items() if not math.isnan(result.per_class[c])]
    for k, name in enumerate(
        ("mAP_min_false_positives_first", "mAP_max_true_positives_first", "mAP_stable_descending")
    ):
        assert np.mean([b[k] for b in in_mean]) == pytest.approx(ties[name], abs=TOL)


@pytest.mark.parametrize("case", CASE_NAMES)
def test_group_means_of_mmaction2_1x(evaluations, case):
    result, _ = evaluations[case, "mmaction2-1.x"]
    block = expected(case, "mmaction2-1.x")
    tolerance = 2e-3 if block["tie_order"]["decisive_ties"] else TOL
    assert result.group_map == pytest.approx(block["group_mAP"], abs=tolerance)


_PINNED_RUN = """
import json, math, sys
from avazoo.eval import ava_map
from tests._eval_helpers import CASE_NAMES, PROTOCOL_NAMES, case_files
out = {}
for case in CASE_NAMES:
    files = case_files(case)
    custom = json.loads(files["expected"].read_text())["options"]["custom_classes"]
    for protocol in PROTOCOL_NAMES:
        r = ava_map(files["gt"], files["det"], files["label_map"], excluded=files["excluded"],
                    custom_classes=custom, protocol=protocol)
        out[case + "/" + protocol] = [r.map, {str(c): None if math.isnan(v) else v
                                              for c, v in r.per_class.items()}]
print(json.dumps(out))
"""


def _run_pinned(disabled: list[str]) -> dict:
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": " ".join(disabled)}
    done = subprocess.run(
        [sys.executable, "-c", _PINNED_RUN],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _simd_features() -> tuple[list[str], bool]:
    """(dispatched features above AVX2 found on this CPU, whether X86_V3 (AVX2) is there)."""
    from numpy._core import _multiarray_umath as umath

    found = [f for f in umath.__cpu_dispatch__ if umath.__cpu_features__.get(f)]
    above = [f for f in found if f not in ("X86_V2", "X86_V3")]
    return above, "X86_V3" in found


def test_official_tie_order_bit_for_bit():
    """Under the reference's numpy and SIMD level (AVX2), every protocol gives the official
    numbers on every case, the tied ``medium`` included; without SIMD sorting, the official
    code's SIMD-disabled number."""
    if np.__version__ != "2.4.6":
        pytest.skip(f"the official tie order was recorded with numpy 2.4.6, not {np.__version__}")
    above, has_avx2 = _simd_features()
    if not has_avx2:
        pytest.skip("the official tie order was recorded with AVX2 sorting; this CPU lacks it")
    pinned = _run_pinned(above)
    for case in CASE_NAMES:
        for protocol in PROTOCOL_NAMES:
            block = expected(case, protocol)
            ours_map, ours = pinned[f"{case}/{protocol}"]
            assert ours_map == pytest.approx(block["mAP"], abs=TOL), (case, protocol)
            for class_id, value in block["per_class_AP"].items():
                assert (ours[class_id] is None) == (value is None)
                if value is not None:
                    assert ours[class_id] == pytest.approx(value, abs=TOL), (case, class_id)
    no_simd = _run_pinned([*above, "X86_V3"])
    ties = json.loads(case_files("medium")["expected"].read_text())["tie_order"]
    assert no_simd["medium/mmaction2-1.x"][0] == pytest.approx(
        ties["mAP_official_code_numpy_simd_sort_disabled"], abs=TOL
    )
