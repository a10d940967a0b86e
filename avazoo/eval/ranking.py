"""The orders in which the protocols visit rows, each from one sort of a packed integer key."""

from __future__ import annotations

import numpy as np

__all__ = ["descending_ranks", "group_matches", "keyframe_ranks", "ranked_order"]

_MAX_DECIMALS = 9
_BLOCK = 1 << 16


def ranked_order(
    cls: np.ndarray,
    rank: np.ndarray,
    score: np.ndarray,
    tiebreak: np.ndarray | None = None,
    *,
    num_ranks: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The order in which rows are visited: by group ``cls * num_ranks + rank``, then by
    descending ``score``, then ``tiebreak``, then position (a stable order).

    Args:
        cls: int [N] >= 0; rank: int [N] in ``[0, num_ranks)``; score: float [N];
        tiebreak: int64 [N] >= 0, or None for zeros.

    Returns:
        The order, int64 [N] row indices, and the rows' groups in that order, int64 [N].

    The keys and the position are packed into one int64 (all distinct, so numpy's fast
    unstable sort gives the stable order) where they fit, else ``np.lexsort``.
    """
    n = len(cls)
    if not n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    descending, levels = descending_ranks(score)
    ties = 1 if tiebreak is None else int(tiebreak.max()) + 1
    per_group = levels * ties * n
    if (int(cls.max()) + 1) * num_ranks * per_group >= 2**63:
        group = cls.astype(np.int64) * num_ranks + rank
        keys = [descending, group] if tiebreak is None else [tiebreak, descending, group]
        order = np.lexsort(keys)
        return order, group[order]
    packed = cls.astype(np.int64)
    packed *= num_ranks
    packed += rank
    packed *= levels
    packed += descending
    del descending
    if tiebreak is not None:
        packed *= ties
        packed += tiebreak
    packed *= n
    packed += np.arange(n)
    packed.sort()
    group = packed // per_group
    packed %= n
    return packed, group


def descending_ranks(score: np.ndarray) -> tuple[np.ndarray, int]:
    """int64 [N] ranks of ``score`` from the highest (0), equal for equal scores, and an upper
    bound of the ranks plus one. Scores on a decimal grid (``k <= 9`` decimals, as read from
    text) are ranked by their integer multiple of ``10**-k`` without sorting; others by
    ``np.unique``."""
    grid = _decimal_grid(score)
    if grid is not None:
        high, low = int(grid.max()), int(grid.min())
        np.subtract(high, grid, out=grid)
        return grid, high - low + 1
    distinct, inverse = np.unique(score, return_inverse=True)
    return len(distinct) - 1 - inverse.reshape(-1), len(distinct)


def _decimal_grid(values: np.ndarray) -> np.ndarray | None:
    """int64 [N] integers ``q`` with ``q / 10**k == values`` exactly, for the smallest ``k``
    that fits the first values, or None. Such ``q`` order and tie exactly like ``values``
    (division by ``10**k`` is monotonic and here one-to-one)."""
    if not len(values):
        return None
    head = values[:64]
    for decimals in range(_MAX_DECIMALS + 1):
        scale = 10.0**decimals
        if np.array_equal(np.rint(head * scale) / scale, head):
            break
    else:
        return None
    grid = values * scale
    np.rint(grid, out=grid)
    with np.errstate(invalid="ignore", over="ignore"):
        if not max(-grid.min(), grid.max()) < 2**53:
            return None
        whole = grid.view(np.int64)
        for start in range(0, len(grid), _BLOCK):  # blocks: no second full-size array
            block = grid[start : start + _BLOCK]
            if not np.array_equal(block / scale, values[start : start + _BLOCK]):
                return None
            whole[start : start + _BLOCK] = block  # to int64 in place
    return whole


def group_matches(
    gt_group: np.ndarray, det_group: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The detections that have ground truth of their group, and where it is.

    Args:
        gt_group: int64 [M] sorted group of each ground-truth row.
        det_group: int64 [N] sorted group of each detection.

    Returns:
        ``det`` int64 [D] (ascending positions in ``det_group``), and ``start``, ``count``
        int64 [D]: the ground-truth rows ``start : start + count`` of each one's group.
    """
    if not len(gt_group):
        return (np.zeros(0, dtype=np.int64),) * 3
    heads = np.flatnonzero(np.concatenate(([True], gt_group[1:] != gt_group[:-1])))
    groups = gt_group[heads]
    sizes = np.diff(np.append(heads, len(gt_group)))
    low = np.searchsorted(det_group, groups, side="left")
    found = np.searchsorted(det_group, groups, side="right") - low
    which = np.repeat(np.arange(len(groups)), found)
    offset = np.arange(len(which)) - np.repeat(np.cumsum(found) - found, found)
    return low[which] + offset, heads[which], sizes[which]


def keyframe_ranks(source: np.ndarray, num_codes: int) -> tuple[np.ndarray, int]:
    """int32 [num_codes]: each keyframe code's rank by first appearance in ``source`` (-1 if
    absent), and the number of ranked keyframes."""
    heads = np.ones(len(source), dtype=bool)
    heads[1:] = source[1:] != source[:-1]  # a code's first sighting always starts a run
    distinct, first = np.unique(source[heads], return_index=True)
    ranks = np.full(num_codes, -1, dtype=np.int32)
    ranks[distinct[np.argsort(first, kind="stable")]] = np.arange(len(distinct))
    return ranks, len(distinct)
