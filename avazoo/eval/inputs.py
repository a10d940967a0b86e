"""The inputs of :func:`avazoo.eval.ava_map` (files or in-memory data) as filtered box tables.

A keyframe ``(video_id, timestamp)`` becomes one int32 code shared by the ground truth, the
detections and the excluded list, and a class id its index among the evaluated ids (int16), so
that all later steps work on small integer arrays.
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
    "Keyframes",
    "box_table",
    "class_index",
    "code_set",
    "evaluated_classes",
    "keyframe_codes",
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
        kf: int32 [N] keyframe code (shared with the other tables of the same evaluation).
        cls: int16 [N] class index: position of the class id among the sorted evaluated ids.
        score: float64 [N] detection score, or person id for ground truth.
        row: int64 [N] index of the row in its file (0-based; line = row + 1).
        tiebreak: int64 [N] order of rows of equal score within a keyframe (equal values: file
            order), see :func:`avazoo.eval.heap.heap_positions`; None where it is all zero.
        file_boxes: float64 [R, 4] ``x1, y1, x2, y2`` of every row of the file (not copied by
            :meth:`take`; a row's box is ``file_boxes[row]``).
    """

    source: str
    kf: np.ndarray
    cls: np.ndarray
    score: np.ndarray
    row: np.ndarray
    tiebreak: np.ndarray | None
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
            None if self.tiebreak is None else self.tiebreak[index],
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


@dataclass(frozen=True)
class Keyframes:
    """Keyframe codes shared by the ground truth, the detections and the excluded list.

    Attributes:
        gt: int32 [Ng] code of every ground-truth row; det: int32 [Nd] of every detection row.
        excluded: bool [count], True at the codes of excluded keyframes.
        count: the number of codes; every code lies in ``[0, count)``, so sets of keyframes
            are bool tables indexed by code.
    """

    gt: np.ndarray
    det: np.ndarray
    excluded: np.ndarray
    count: int


def keyframe_codes(gt: AVARows, det: AVARows, excluded: list[tuple[str, int]]) -> Keyframes:
    """The keyframe codes of every row of ``gt`` and ``det`` and of the ``excluded`` pairs."""
    names: dict[str, int] = {}
    gt_video = _video_numbers(gt.videos, names)
    det_video = _video_numbers(det.videos, names)
    ex_video = np.array([names.setdefault(v, len(names)) for v, _ in excluded], dtype=np.int64)
    ex_stamp = np.array([t for _, t in excluded], dtype=np.int64)
    codes, count = _keyframe_codes(
        [
            (gt_video, gt.video_index, gt.timestamp),
            (det_video, det.video_index, det.timestamp),
            (ex_video, np.arange(len(excluded)), ex_stamp),
        ],
        len(names),
    )
    return Keyframes(codes[0], codes[1], code_set(codes[2], count), count)


def box_table(
    source: str,
    score: np.ndarray,
    boxes: np.ndarray,
    code: np.ndarray,
    cls: np.ndarray,
    keep: np.ndarray,
) -> BoxTable:
    """The rows of a file where bool ``keep`` [N] is True, given its columns ``score`` float64
    [N] and ``boxes`` float64 [N, 4], keyframe ``code`` int32 [N] and class index ``cls``
    int16 [N]."""
    index = np.flatnonzero(keep)
    return BoxTable(source, code[index], cls[index], score[index], index, None, boxes)


def class_index(ids: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """int16 [N]: the position of each of ``ids`` in the sorted ``classes`` (ids >= 1), or -1."""
    if classes[-1] >= 1 << 20:  # ids too sparse for a table
        at = np.minimum(np.searchsorted(classes, ids), len(classes) - 1)
        return np.where(classes[at] == ids, at, -1).astype(np.int16)
    table = np.full(int(classes[-1]) + 2, -1, dtype=np.int16)
    table[classes] = np.arange(len(classes))
    return table.take(ids, mode="clip")  # ids below 1 or above the last class: -1


def _video_numbers(videos: tuple[str, ...], names: dict[str, int]) -> np.ndarray:
    return np.array([names.setdefault(v, len(names)) for v in videos], dtype=np.int64)


def _keyframe_codes(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], num_videos: int
) -> tuple[list[np.ndarray], int]:
    """Dense int32 codes of the pairs ``(numbers[index], stamp)`` of each part (video numbers
    by distinct video, row -> distinct video, timestamps), and the size of the code range.

    Codes are ``video * span + (timestamp - first)``, or, when timestamps spread too far for
    that range to be small, the ranks of the distinct pairs.
    """
    filled = [stamp for *_, stamp in parts if len(stamp)]
    low = min((int(stamp.min()) for stamp in filled), default=0)
    high = max((int(stamp.max()) for stamp in filled), default=0)
    total = sum(len(stamp) for *_, stamp in parts)
    span = high - low + 1
    if span * max(num_videos, 1) <= max(4 * total, 1 << 20):
        codes = []
        for numbers, index, stamp in parts:  # int32: the range is small
            code = (numbers * span - low).astype(np.int32).take(index)
            codes.append(np.add(code, stamp, out=code, casting="unsafe"))
        return codes, span * max(num_videos, 1)
    stamps = np.unique(np.concatenate([stamp for *_, stamp in parts]))
    pairs = [
        numbers[index] * len(stamps) + np.searchsorted(stamps, stamp)
        for numbers, index, stamp in parts
    ]
    distinct, inverse = np.unique(np.concatenate(pairs), return_inverse=True)
    inverse = inverse.reshape(-1).astype(np.int32)
    bounds = np.cumsum([0] + [len(p) for p in pairs])
    return [inverse[a:b] for a, b in itertools.pairwise(bounds)], len(distinct)


def code_set(codes: np.ndarray, num_codes: int) -> np.ndarray:
    """bool [num_codes], True at ``codes``."""
    table = np.zeros(num_codes, dtype=bool)
    table[codes] = True
    return table
