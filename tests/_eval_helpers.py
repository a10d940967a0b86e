"""Helpers of the AVA metric tests: the shared reference cases, small in-memory inputs, and an
independent AP formula for tie bounds."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from avazoo.data.ava_files import AVARows

SHARED = Path(__file__).resolve().parents[2] / "shared"
EVAL_CASES = SHARED / "reference" / "eval"
CASE_NAMES = ("tiny", "small", "medium", "medium_untied", "custom_classes")
ALTERNATIVE_KEY = {"mmaction2-0.x": "mmaction2_0.x", "activitynet": "activitynet_3fee089"}
PROTOCOL_NAMES = ("mmaction2-1.x", "mmaction2-0.x", "activitynet")
AVA_DATA = SHARED / "data" / "ava"


def case_files(name: str) -> dict[str, Path]:
    """Paths of a reference case (gt/det may be ``.csv.gz``)."""
    folder = EVAL_CASES / name

    def pick(stem: str) -> Path:
        plain = folder / f"{stem}.csv"
        return plain if plain.exists() else folder / f"{stem}.csv.gz"

    return {
        "gt": pick("gt"),
        "det": pick("det"),
        "excluded": folder / "excluded.csv",
        "label_map": folder / "labelmap.pbtxt",
        "expected": folder / "expected.json",
    }


def expected(name: str, protocol: str) -> dict:
    """The expected.json block of ``protocol`` (1.x: the top level)."""
    data = json.loads(case_files(name)["expected"].read_text())
    return data if protocol == "mmaction2-1.x" else data["alternatives"][ALTERNATIVE_KEY[protocol]]


def ap_values(block: dict) -> dict[int, float]:
    """``per_class_AP`` of an expected block with NaN for null."""
    return {int(k): math.nan if v is None else v for k, v in block["per_class_AP"].items()}


def rows(*records: tuple) -> AVARows:
    """AVARows from ``(video, timestamp, x1, y1, x2, y2, action_id, score)`` tuples."""
    if not records:
        return AVARows.from_arrays(
            video_id=[], timestamp=[], boxes=np.zeros((0, 4)), action_id=[], score=[]
        )
    video, stamp, x1, y1, x2, y2, action, score = zip(*records, strict=True)
    return AVARows.from_arrays(
        video_id=list(video),
        timestamp=list(stamp),
        boxes=np.stack([x1, y1, x2, y2], axis=1),
        action_id=list(action),
        score=list(score),
    )


def envelope_ap(ranked_tp: np.ndarray, num_gt: int) -> float:
    """AP as (1/npos) * sum over true positives of the best precision at that rank or later:
    the VOC all-points area written differently from the library's recall-step sum."""
    if num_gt == 0:
        return math.nan
    if not len(ranked_tp):
        return 0.0
    hits = np.cumsum(ranked_tp)
    precision = hits / np.arange(1, len(ranked_tp) + 1)
    best_after = np.maximum.accumulate(precision[::-1])[::-1]
    return float(best_after[ranked_tp.astype(bool)].sum() / num_gt)


def tie_bounds(scores: np.ndarray, tp: np.ndarray, num_gt: int) -> tuple[float, float, float]:
    """AP with equal scores ordered false positives first, true positives first, and stably."""
    worst = np.lexsort((tp, -scores.astype(np.float64)))
    best = np.lexsort((~tp, -scores.astype(np.float64)))
    stable = np.argsort(-scores.astype(np.float64), kind="stable")
    return (
        envelope_ap(tp[worst], num_gt),
        envelope_ap(tp[best], num_gt),
        envelope_ap(tp[stable], num_gt),
    )
