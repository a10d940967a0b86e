"""ActivityNet's per-keyframe min-heap reader: which detections survive its cap, and in which
order rows of equal score come out.

``get_ava_performance.py`` reads each keyframe's rows, in file order, into a min-heap of
``(score, action_id, y1, x1, y2, x2)`` tuples of capacity 50 (ground truth: no capacity): a row is
pushed while the heap is not full; afterwards it replaces the minimum only if its score is
*strictly* greater. The heap list is then sorted by descending score, stably, so rows of equal
score keep their heap positions, not their file order.

**Survivors, without simulating.** Let s* be the 50th highest score of the keyframe. Every row
above s* survives and every row below it is dropped. Of the rows scoring exactly s*, call *phase
two* the part of the file after the 50th row scoring >= s*. Until then no row >= s* is ever
evicted; from then on the heap holds only rows >= s*, each new row at s* is refused (not
strictly greater than the minimum), and each new row above s* evicts the smallest tuple among
the s* rows. So the survivors at s* are the s* rows among the first 50 rows >= s*, minus their
m smallest tuples, m being the number of rows above s* in phase two.

**Order of equal scores.** Heap positions depend on the whole push sequence, so they are
simulated with ``heapq``, but only for the keyframes where two surviving rows of one class have
the same score: elsewhere no order of equal scores can be observed.
"""

from __future__ import annotations

import heapq

import numpy as np

from avazoo.eval.ranking import descending_ranks

__all__ = ["heap_cap", "heap_positions"]


def heap_cap(
    kf: np.ndarray, score: np.ndarray, cls: np.ndarray, boxes: np.ndarray, *, capacity: int
) -> np.ndarray:
    """bool [N]: the rows that survive the per-keyframe heap of ``capacity``.

    Args:
        kf: int [N] keyframe codes, rows in file order.
        score: float64 [N]; cls: int64 [N]; boxes: float64 [N, 4] ``x1, y1, x2, y2`` (the tuple
            order of the heap is score, class, y1, x1, y2, x2).
        capacity: heap size (50 in ActivityNet).
    """
    keep = np.ones(len(kf), dtype=bool)
    _, inverse, counts = np.unique(kf, return_inverse=True, return_counts=True)
    rows = np.flatnonzero(counts[inverse] > capacity)
    if not len(rows):
        return keep
    order = rows[np.lexsort((-score[rows], kf[rows]))]  # by keyframe, then score descending
    starts = _group_starts(kf[order])
    s_star = score[order[starts + capacity - 1]]
    s_star_of = s_star[np.searchsorted(kf[order[starts]], kf[rows])]
    above, tied = score[rows] > s_star_of, score[rows] == s_star_of
    keep[rows] = above
    _keep_tied(keep, rows, above, tied, kf, cls, boxes, capacity=capacity)
    return keep


def _keep_tied(
    keep: np.ndarray,
    rows: np.ndarray,
    above: np.ndarray,
    tied: np.ndarray,
    kf: np.ndarray,
    cls: np.ndarray,
    boxes: np.ndarray,
    *,
    capacity: int,
) -> None:
    """Set ``keep`` for the rows scoring exactly s* (see the module docstring)."""
    ge = rows[above | tied]  # rows >= s*, file order
    ge_above = above[above | tied]
    by_kf = np.argsort(kf[ge], kind="stable")
    keys = kf[ge][by_kf]
    starts = _group_starts(keys)
    nth = np.arange(len(ge)) - np.repeat(starts, np.diff(np.append(starts, len(ge))))
    early = np.empty(len(ge), dtype=bool)
    early[by_kf] = nth < capacity  # among the first `capacity` rows >= s* of its keyframe
    late_above = np.bincount(
        _group_of(kf[ge], keys[starts]), weights=ge_above & ~early, minlength=len(starts)
    ).astype(np.int64)
    first = ge[early & ~ge_above]  # the s* rows that entered the heap
    x1, y1, x2, y2 = (boxes[first, k] for k in range(4))
    heap_order = np.lexsort((x2, y2, x1, y1, cls[first], kf[first]))
    ordered = first[heap_order]
    group = _group_of(kf[ordered], keys[starts])
    first_of_group = np.searchsorted(group, group, side="left")
    evicted = (np.arange(len(ordered)) - first_of_group) < late_above[group]
    keep[ordered[~evicted]] = True


def _group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Start positions of the runs of equal values in a sorted array."""
    if not len(sorted_keys):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))


def _group_of(values: np.ndarray, distinct_sorted: np.ndarray) -> np.ndarray:
    return np.searchsorted(distinct_sorted, values)


def heap_positions(
    kf: np.ndarray,
    score: np.ndarray,
    cls: np.ndarray,
    boxes: np.ndarray,
    keep: np.ndarray,
    *,
    capacity: int,
) -> np.ndarray:
    """int64 [N]: each surviving row's position in its keyframe's final heap list.

    Args:
        kf, score, cls, boxes: every row read, in file order, as for :func:`heap_cap`.
        keep: bool [N], the survivors (:func:`heap_cap`; all rows when there is no cap).
        capacity: heap size, or 0 for no cap.

    Only keyframes holding two rows of one class with one score are simulated; every other row
    gets 0, since no order of equal scores can be observed there.
    """
    positions = np.zeros(len(kf), dtype=np.int64)
    for rows in _keyframes_with_ties(kf, score, cls):
        records = list(
            zip(
                score[rows].tolist(),
                cls[rows].tolist(),
                boxes[rows, 1].tolist(),
                boxes[rows, 0].tolist(),
                boxes[rows, 3].tolist(),
                boxes[rows, 2].tolist(),
                strict=True,
            )
        )
        slots: dict[tuple, list[int]] = {}
        for position, record in enumerate(_replay(records, capacity)):
            slots.setdefault(record, []).append(position)
        for row, record in zip(rows.tolist(), records, strict=True):
            if keep[row]:  # identical records are interchangeable: any free slot will do
                positions[row] = slots[record].pop()
    return positions


def _replay(records: list[tuple], capacity: int) -> list[tuple]:
    """The final heap list after reading ``records`` as ActivityNet's ``read_csv`` does."""
    heap: list[tuple] = []
    for record in records:
        if capacity < 1 or len(heap) < capacity:
            heapq.heappush(heap, record)
        elif record[0] > heap[0][0]:
            heapq.heapreplace(heap, record)
    return heap


def _keyframes_with_ties(kf: np.ndarray, score: np.ndarray, cls: np.ndarray) -> list[np.ndarray]:
    """Row indices (file order) of each keyframe holding two rows of one class and score."""
    if not len(kf):
        return []
    score_rank, levels = descending_ranks(score)
    class_rank = cls.astype(np.int64) - int(cls.min())
    width = (int(class_rank.max()) + 1) * levels
    if (int(kf.max()) + 1) * width < 2**62:
        key = kf.astype(np.int64) * width + class_rank * levels
        key = np.sort(key + score_rank)
        tied = np.unique(key[1:][key[1:] == key[:-1]] // width)
    else:
        order = np.lexsort((score, cls, kf))
        same = (
            (kf[order][1:] == kf[order][:-1])
            & (cls[order][1:] == cls[order][:-1])
            & (score[order][1:] == score[order][:-1])
        )
        tied = np.unique(kf[order][1:][same])
    rows = np.flatnonzero(np.isin(kf, tied))
    rows = rows[np.argsort(kf[rows], kind="stable")]
    return np.split(rows, _group_starts(kf[rows])[1:]) if len(rows) else []
