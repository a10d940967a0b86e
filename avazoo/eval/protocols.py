"""The three AVA frame-mAP protocols in use, as data.

All three compute per-class VOC all-points AP at IoU >= 0.5 with greedy, no-fallback matching
and average with ``nanmean``; they differ in the rules below (see
``shared/reference/eval/README.md``, section 3, for the full table).

* ``"mmaction2-0.x"``: MMAction2 up to 0.24.1 and 1.0.0rc0-rc3 (the TensorFlow
  object-detection-API port). It produced the published numbers of the seed model zoo.
* ``"mmaction2-1.x"``: MMAction2 >= 1.0.0 (``ava_eval`` rewritten with multiprocessing).
* ``"activitynet"``: the ActivityNet challenge script ``get_ava_performance.py`` (commit
  3fee089): the 0.x rules plus a cap of the 50 highest-scored detections per keyframe.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

__all__ = ["PROTOCOLS", "Protocol", "get_protocol"]


@dataclass(frozen=True)
class Protocol:
    """The rules of one AVA evaluation protocol.

    Attributes:
        name: the protocol's name, a key of :data:`PROTOCOLS`.
        count_excluded_gt: ground truth on excluded keyframes counts in npos (always missed).
        score_dtype: precision of scores for ranking and of boxes for IoU (float32 or float64).
        drop_degenerate: detections with x2 <= x1 or y2 <= y1 are removed before matching
            (otherwise they are kept and, with zero area, are false positives).
        empty_keyframes_count: detections on (not excluded) keyframes without ground truth of an
            evaluated class are false positives (otherwise they are ignored).
        zero_ap_without_detections: a class with ground truth but no evaluated detection gets
            AP 0 and enters the mean (otherwise it is left out).
        keyframe_order: the order in which keyframes are concatenated per class before ranking,
            ``"gt"`` (first appearance in the ground truth) or ``"detections"``; it only decides
            the order of equal scores.
        heap_reader: rows are read per keyframe through a min-heap (ActivityNet), so rows of
            equal score come out in heap order instead of file order.
        max_detections_per_keyframe: the heap's capacity for detections: only this many
            highest-scored detections per keyframe are kept; None for no cap.
    """

    name: str
    count_excluded_gt: bool
    score_dtype: type
    drop_degenerate: bool
    empty_keyframes_count: bool
    zero_ap_without_detections: bool
    keyframe_order: str
    heap_reader: bool
    max_detections_per_keyframe: int | None


_MMACTION2_0X = Protocol(
    name="mmaction2-0.x",
    count_excluded_gt=False,
    score_dtype=np.float64,
    drop_degenerate=True,
    empty_keyframes_count=True,
    zero_ap_without_detections=True,
    keyframe_order="detections",
    heap_reader=False,
    max_detections_per_keyframe=None,
)

PROTOCOLS: dict[str, Protocol] = {
    "mmaction2-0.x": _MMACTION2_0X,
    "mmaction2-1.x": Protocol(
        name="mmaction2-1.x",
        count_excluded_gt=True,
        score_dtype=np.float32,
        drop_degenerate=False,
        empty_keyframes_count=False,
        zero_ap_without_detections=False,
        keyframe_order="gt",
        heap_reader=False,
        max_detections_per_keyframe=None,
    ),
    "activitynet": replace(
        _MMACTION2_0X, name="activitynet", heap_reader=True, max_detections_per_keyframe=50
    ),
}
"""Every protocol by name; ``"mmaction2-0.x"`` is the default of :func:`avazoo.eval.ava_map`."""


def get_protocol(name: str) -> Protocol:
    """The protocol called ``name``; unknown names raise ValueError listing the valid ones."""
    try:
        return PROTOCOLS[name]
    except (KeyError, TypeError):
        valid = ", ".join(repr(k) for k in PROTOCOLS)
        raise ValueError(f"unknown protocol {name!r}; expected one of {valid}") from None
