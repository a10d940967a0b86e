"""The inputs of :func:`avazoo.eval.ava_map` (files or in-memory data) as filtered box tables.

A keyframe ``(video_id, timestamp)`` becomes one int64 code shared by the ground truth, the
detections and the excluded list, so that all later steps work on integer arrays.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from avazoo.data.ava_files import (
    AVARows,
    LabelMap,
    read_detections_csv,
    read_excluded,
    read_gt_csv,
    read_label_map,
)

__all__ = [
    "BoxTable",
    "build_tables",
    "code_set",
    "evaluated_classes",
    "keyframe_ranks",
    "load_excluded",
    "load_label_map",
    "load_rows",
]

PathLike = str | os.PathLike


@dataclass(frozen=True)
class BoxTable:
    """Rows of one file restricted to the evaluated classes, in file order.

    Attributes:
        source: the file path, or a description of in-memory input, for error messages.
        kf: int64 [N] keyframe code (shared with the other tables of the same evaluation).
        cls: int64 [N] class id.
        score: float64 [N] detection score, or person id for ground truth.
        row: int64 [N] index of the row in its file (0-based; line = row + 1).
        tiebreak: int64 [N] order of rows of equal score within a keyframe (equal values: file
            order); see :func:`avazoo.eval.heap.heap_positions`.
        file_boxes: float64 [R, 4] ``x1, y1, x2, y2`` of every row of the file (not copied by
            :meth:`take`; a row's box is ``file_boxes[row]``).
    """

    source: str
    kf: np.ndarray
    cls: np.ndarray
    score: np.ndarray
    row: np.ndarray
    tiebreak: np.ndarray
    file_boxes: np.ndarray

    def __len__(self) -> int:
        return len(self.kf)

    @property
    def boxes(self) -> np.ndarray:
        """float64 [N, 4], the boxes of these rows (a copy)."""
        return self.file_boxes[self.row]

    def take(self, index: np.ndarray) -> BoxTable:
        """The rows selected by a bool mask or an index array."""
        return BoxTable(
            self.source,
            self.kf[index],
            self.cls[index],
            self.score[index],
            self.row[index],
            self.tiebreak[index],
            self.file_boxes,
        )


def load_rows(source: PathLike | AVARows, *, what: str) -> tuple[AVARows, str]:
    """``source`` as rows plus its name for messages; paths are read as ``what`` files."""
    if isinstance(source, AVARows):
        return source, f"<{what} rows>"
    if isinstance(source, (str, os.PathLike)):
        reader = read_gt_csv if what == "ground truth" else read_detections_csv
        return reader(source), os.fspath(source)
    raise TypeError(
        f"{what} must be a path to an AVA CSV file or avazoo.data.ava_files.AVARows,"
        f" got {type(source).__name__}"
    )


def load_label_map(source: PathLike | LabelMap | Mapping[int, str]) -> LabelMap:
    """A label map from a ``.pbtxt`` path, a LabelMap or a ``{class id: name}`` mapping."""
    if isinstance(source, LabelMap):
        return source
    if isinstance(source, Mapping):
        return LabelMap.from_dict(source)
    if isinstance(source, (str, os.PathLike)):
        return read_label_map(source)
    raise TypeError(
        f"label_map must be a .pbtxt path, a LabelMap or a dict id -> name, got "
        f"{type(source).__name__}"
    )


def load_excluded(source: PathLike | Iterable[tuple[str, int]] | None) -> list[tuple[str, int]]:
    """Excluded keyframes from a CSV path, an iterable of ``(video_id, timestamp)`` or None."""
    if source is None:
        return []
    if isinstance(source, (str, os.PathLike)):
        return read_excluded(source)
    pairs = []
    for item in source:
        if not (isinstance(item, Sequence) and len(item) == 2):
            raise TypeError(f"excluded keyframes must be (video_id, timestamp) pairs, got {item!r}")
        pairs.append((str(item[0]), int(item[1])))
    return pairs


def evaluated_classes(label_map: LabelMap, custom_classes: Sequence[int] | None) -> np.ndarray:
    """int64 [C] sorted ids that are evaluated: the label map's, or ``custom_classes``."""
    if min(label_map.ids, default=1) < 1:
        raise ValueError(
            f"label map class ids must be 1 or more (AVA ids are 1..80), got {min(label_map.ids)}"
        )
    if custom_classes is None:
        return np.array(sorted(label_map.ids), dtype=np.int64)
    ids = [int(c) for c in custom_classes]
    if not ids:
        raise ValueError("custom_classes is empty; pass None to evaluate every label-map class")
    missing = sorted(set(ids) - set(label_map.ids))
    if missing:
        hint = (
            " (do not include the leading 0 that MMAction2 configs prepend)"
            if missing == [0]
            else ""
        )
        raise ValueError(
            f"custom_classes {missing} are not in the label map{hint}; valid ids: "
            f"{sorted(label_map.ids)}"
        )
    return np.array(sorted(set(ids)), dtype=np.int64)


def build_tables(
    gt: AVARows,
    gt_name: str,
    det: AVARows,
    det_name: str,
    excluded: list[tuple[str, int]],
    classes: np.ndarray,
) -> tuple[BoxTable, BoxTable, np.ndarray, int]:
    """Ground-truth and detection tables restricted to ``classes``, int64 [E] codes of the
    excluded keyframes, and the number of codes: keyframe codes are shared by the three and lie
    in ``[0, num_codes)``, so sets of keyframes are bool tables indexed by code."""
    names: dict[str, int] = {}
    video_gt = _video_numbers(gt.videos, names)[gt.video_index]
    video_det = _video_numbers(det.videos, names)[det.video_index]
    video_ex = np.array([names.setdefault(v, len(names)) for v, _ in excluded], dtype=np.int64)
    stamp_ex = np.array([t for _, t in excluded], dtype=np.int64)
    keep_gt = np.flatnonzero(np.isin(gt.action_id, classes))
    keep_det = np.flatnonzero(np.isin(det.action_id, classes))
    codes, num_codes = _keyframe_codes(
        [
            (video_gt[keep_gt], gt.timestamp[keep_gt]),
            (video_det[keep_det], det.timestamp[keep_det]),
            (video_ex, stamp_ex),
        ],
        len(names),
    )
    tables = [
        BoxTable(
            name,
            code,
            rows.action_id[keep],
            rows.score[keep],
            keep,
            np.zeros(len(keep), dtype=np.int64),
            rows.boxes,
        )
        for rows, keep, code, name in (
            (gt, keep_gt, codes[0], gt_name),
            (det, keep_det, codes[1], det_name),
        )
    ]
    return tables[0], tables[1], codes[2], num_codes


def _video_numbers(videos: tuple[str, ...], names: dict[str, int]) -> np.ndarray:
    return np.array([names.setdefault(v, len(names)) for v in videos], dtype=np.int64)


def _keyframe_codes(
    parts: list[tuple[np.ndarray, np.ndarray]], num_videos: int
) -> tuple[list[np.ndarray], int]:
    """Dense int64 codes of (video number, timestamp) pairs, and the size of the code range.

    Codes are ``video * span + (timestamp - first)``, or, when timestamps spread too far for
    that range to be small, the ranks of the distinct pairs.
    """
    stamps = np.concatenate([stamp for _, stamp in parts] + [np.zeros(1, dtype=np.int64)])
    low, high = int(stamps.min()), int(stamps.max())
    total = sum(len(stamp) for _, stamp in parts)
    span = high - low + 1
    if span * max(num_videos, 1) <= max(4 * total, 1 << 20):
        return [video * span + (stamp - low) for video, stamp in parts], span * max(num_videos, 1)
    distinct_stamps = np.unique(stamps)
    pairs = [
        video * len(distinct_stamps) + np.searchsorted(distinct_stamps, stamp)
        for video, stamp in parts
    ]
    distinct, inverse = np.unique(np.concatenate(pairs), return_inverse=True)
    bounds = np.cumsum([0] + [len(p) for p in pairs])
    return [inverse[a:b] for a, b in itertools.pairwise(bounds)], len(distinct)


def keyframe_ranks(source: np.ndarray, num_codes: int) -> tuple[np.ndarray, int]:
    """int64 [num_codes]: each keyframe code's rank by first appearance in ``source`` (-1 if
    absent), and the number of ranked keyframes."""
    heads = np.ones(len(source), dtype=bool)
    heads[1:] = source[1:] != source[:-1]  # a code's first sighting always starts a run
    distinct, first = np.unique(source[heads], return_index=True)
    ranks = np.full(num_codes, -1, dtype=np.int64)
    ranks[distinct[np.argsort(first, kind="stable")]] = np.arange(len(distinct))
    return ranks, len(distinct)


def code_set(codes: np.ndarray, num_codes: int) -> np.ndarray:
    """bool [num_codes], True at ``codes``."""
    table = np.zeros(num_codes, dtype=bool)
    table[codes] = True
    return table
