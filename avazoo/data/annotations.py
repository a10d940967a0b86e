"""AVA annotations as MMAction2 0.x's ``AVADataset`` sees them: keyframes, entities, proposals.

- Ground-truth rows are grouped per keyframe (order of first appearance in the CSV). Inside a
  keyframe, rows with exactly equal boxes are one entity (order of first appearance) whose
  labels are a float32 multi-hot vector of length ``num_classes`` (column 0 never set) and whose
  id is the ``person_id`` of its first row.
- With ``custom_classes = (c1, ..., cK)`` only rows of those ids are kept and id ``c_i`` becomes
  label ``i``; a keyframe left without rows is no sample (both as in MMAction2).
- Proposals: a ``[n, 5]`` array keeps the boxes with ``score >= min(thr, max score)``, then the
  first ``num_max_proposals``; a ``[n, 4]`` array keeps its first ``num_max_proposals``; a
  keyframe missing from the file gets the whole frame ``[0, 0, 1, 1]`` with score 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from avazoo.data.ava_files import AVARows, LabelMap
from avazoo.errors import DataFormatError, DatasetError

__all__ = [
    "Keyframe",
    "Proposals",
    "check_custom_classes",
    "group_keyframes",
    "select_proposals",
    "check_proposals",
]

WHOLE_FRAME = np.array([[0.0, 0.0, 1.0, 1.0]], dtype=np.float32)


@dataclass(frozen=True, eq=False)
class Keyframe:
    """The ground truth of one keyframe.

    Attributes:
        video_id, timestamp: the keyframe (``timestamp`` in whole seconds).
        boxes: float32 ``[n, 4]`` normalised ``(x1, y1, x2, y2)``, one per entity.
        labels: float32 ``[n, num_classes]`` multi-hot (label positions, see custom classes).
        entity_ids: int64 ``[n]`` person ids.
    """

    video_id: str
    timestamp: int
    boxes: np.ndarray
    labels: np.ndarray
    entity_ids: np.ndarray

    @property
    def key(self) -> str:
        """``"video_id,TTTT"``, the official keyframe key."""
        return f"{self.video_id},{self.timestamp:04d}"


@dataclass(frozen=True, eq=False)
class Proposals:
    """The person boxes given to the model for one keyframe.

    Attributes:
        boxes: float32 ``[p, 4]`` normalised ``(x1, y1, x2, y2)``.
        scores: float32 ``[p]`` detector scores, or ``None`` for a 4-column proposal file.
        missing: the keyframe was not in the proposal file (whole-frame box used).
    """

    boxes: np.ndarray
    scores: np.ndarray | None
    missing: bool = False


def check_custom_classes(
    custom_classes: Sequence[int], *, num_classes: int, label_map: LabelMap, label_file: object
) -> None:
    """Raise ``ValueError`` unless ``custom_classes`` is usable, as MMAction2 asserts."""
    if 0 in custom_classes:
        raise ValueError("custom_classes must not contain 0 (the reserved class)")
    if len(set(custom_classes)) != len(custom_classes):
        raise ValueError(f"custom_classes has repeated ids: {list(custom_classes)}")
    if num_classes != len(custom_classes) + 1:
        raise ValueError(
            f"num_classes must be len(custom_classes) + 1 = {len(custom_classes) + 1}, "
            f"got {num_classes}"
        )
    unknown = sorted(set(custom_classes) - set(label_map.ids))
    if unknown:
        raise ValueError(f"custom_classes {unknown} are not in the label map {label_file}")


def _label_positions(
    rows: AVARows, *, num_classes: int, custom_classes: Sequence[int] | None, path: object
) -> tuple[np.ndarray, np.ndarray]:
    """Rows kept and their label position (the id itself, or its 1-based custom position)."""
    ids = rows.action_id
    if custom_classes is not None:
        custom = np.asarray(custom_classes, dtype=np.int64)
        order = np.argsort(custom)
        keep = np.isin(ids, custom)
        return keep, order[np.searchsorted(custom, ids[keep], sorter=order)] + 1
    bad = np.flatnonzero((ids < 1) | (ids >= num_classes))
    if bad.size:
        raise DataFormatError(
            path,
            int(bad[0]) + 1,
            f"action id {int(ids[bad[0]])} is outside 1..{num_classes - 1} "
            f"(num_classes={num_classes}); fix the row or use a recipe with more classes",
        )
    return np.ones(len(rows), dtype=bool), ids


def group_keyframes(
    rows: AVARows,
    *,
    num_classes: int,
    custom_classes: Sequence[int] | None = None,
    path: object = "<annotations>",
) -> list[Keyframe]:
    """Group ground-truth rows into keyframes of entities (see the module docstring).

    Args:
        rows: a ground-truth CSV as read by :func:`avazoo.data.ava_files.read_gt_csv`.
        num_classes: length of the multi-hot vectors (81 for AVA, ``K + 1`` for custom classes).
        custom_classes: the original ids ``c1..cK`` to keep, or ``None`` for all.
        path: the file, for error messages.
    """
    keep, positions = _label_positions(
        rows, num_classes=num_classes, custom_classes=custom_classes, path=path
    )
    rows = rows.subset(keep)
    if not len(rows):
        return []
    persons = rows.person_id
    keys, row_key = rows.keyframes()
    boxes = rows.boxes + 0.0  # -0.0 and 0.0 are one coordinate, as np.array_equal says
    entity_code = np.concatenate([row_key[:, None].astype(np.float64), boxes], axis=1)
    _, first_row, row_entity = np.unique(
        entity_code, axis=0, return_index=True, return_inverse=True
    )
    row_entity = row_entity.reshape(-1)
    labels = np.zeros((len(first_row), num_classes), dtype=np.float32)
    labels[row_entity, positions] = 1.0
    order = np.lexsort((first_row, row_key[first_row]))  # by keyframe, then first appearance
    counts = np.bincount(row_key[first_row], minlength=len(keys))
    out = []
    for (video_id, timestamp), entities in zip(
        keys, np.split(order, np.cumsum(counts)[:-1]), strict=True
    ):
        rows_of = first_row[entities]
        out.append(
            Keyframe(
                video_id=video_id,
                timestamp=timestamp,
                boxes=rows.boxes[rows_of].astype(np.float32),
                labels=labels[entities],
                entity_ids=persons[rows_of],
            )
        )
    return out


def check_proposals(proposals: Mapping[str, np.ndarray], *, path: str | Path) -> None:
    """Raise :class:`DatasetError` for a keyframe whose proposal array is empty.

    MMAction2 fails on such an entry (``max()`` of an empty sequence); a keyframe that is simply
    absent gets the whole-frame box instead, which is what to do with it.
    """
    for key, boxes in proposals.items():
        if len(boxes) == 0:
            raise DatasetError(
                f"proposal file {path}: keyframe {key!r} has an empty proposal array; delete the "
                "entry (the whole frame is then used, as MMAction2 does for missing keyframes) "
                "or add person boxes"
            )


def select_proposals(
    proposals: Mapping[str, np.ndarray],
    key: str,
    *,
    score_thr: float,
    max_proposals: int,
) -> Proposals:
    """The proposals of keyframe ``key`` after MMAction2 0.x's filtering (module docstring)."""
    found = proposals.get(key)
    if found is None:
        return Proposals(WHOLE_FRAME.copy(), np.ones(1, dtype=np.float32), missing=True)
    if found.shape[1] == 4:
        return Proposals(found[:max_proposals].astype(np.float32), None)
    scores = found[:, 4]
    thr = min(score_thr, float(scores.max()))
    kept = found[scores >= thr][:max_proposals]
    return Proposals(kept[:, :4].astype(np.float32), kept[:, 4].astype(np.float32))
