"""The AVA annotation file formats: readers and writers (numpy and the standard library only).

Formats (see ``shared/reference/eval/README.md`` for the full description):

* **Box CSVs** (ground truth ``ava_val_v2.2.csv`` and detection/result files), no header, one row
  per (box, action): ``video_id,timestamp,x1,y1,x2,y2,action_id[,score]``. Boxes are normalised
  to [0, 1], (0, 0) is the top-left corner, x is horizontal. In ground truth the 8th column is
  the ``person_id``; in detections it is the score. A 7-column row has score 1.0, as in the
  official reader. Plain text or gzip (``.csv.gz``, detected by content).
* **Label maps** (``.pbtxt``) in both layouts, ``item {name, id}`` and
  ``label {name, label_id, label_type}``, read line by line as the official code does.
* **Excluded timestamps**: ``video_id,timestamp`` per row; an empty file excludes nothing.
* **Proposals pickle** (the FAIR person proposals): a dict ``"video_id,TTTT"`` -> float array
  [n, 4] or [n, 5] of normalised ``x1, y1, x2, y2[, score]``. Read with a restricted unpickler
  that only rebuilds numpy arrays, never arbitrary objects.

A keyframe is ``(video_id, timestamp)``; its official string key is ``keyframe_key``. Malformed
input raises :class:`avazoo.errors.DataFormatError` naming the file, the line and what was
expected. Every writer is atomic (temporary file in the same folder, then ``os.replace``).
"""

from __future__ import annotations

import codecs
import gzip
import io
import mmap
import os
import pickle
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from avazoo.atomic import atomic_path
from avazoo.data import _ava_csv
from avazoo.errors import DataFormatError

__all__ = [
    "AVARows",
    "LabelMap",
    "keyframe_key",
    "read_detections_csv",
    "read_excluded",
    "read_gt_csv",
    "read_label_map",
    "read_proposals",
    "write_detections_csv",
    "write_excluded",
    "write_gt_csv",
    "write_label_map",
    "write_proposals",
]

PathLike = str | os.PathLike


def keyframe_key(video_id: str, timestamp: int) -> str:
    """The official keyframe key, ``"video_id,%04d"`` (so ``902`` and ``0902`` are one key)."""
    return f"{video_id},{int(timestamp):04d}"


@dataclass(frozen=True, eq=False)
class AVARows:
    """Rows of an AVA box CSV (ground truth or detections), column-wise, in file order.

    Attributes:
        videos: the distinct video ids, in order of first appearance.
        video_index: int32 [N], the row's video as a position in ``videos``.
        timestamp: int64 [N], keyframe second.
        boxes: float64 [N, 4], normalised ``x1, y1, x2, y2`` (top-left origin, x horizontal).
        action_id: int64 [N], class id (1..80 in AVA).
        score: float64 [N], the 8th column: the detection score, or the ``person_id`` in ground
            truth (the official reader treats both as a score); 1.0 for 7-column rows.
    """

    videos: tuple[str, ...]
    video_index: np.ndarray
    timestamp: np.ndarray
    boxes: np.ndarray
    action_id: np.ndarray
    score: np.ndarray

    def __post_init__(self) -> None:
        coerce = {
            "video_index": np.int32,
            "timestamp": np.int64,
            "boxes": np.float64,
            "action_id": np.int64,
            "score": np.float64,
        }
        for name, dtype in coerce.items():
            object.__setattr__(self, name, np.ascontiguousarray(getattr(self, name), dtype))
        object.__setattr__(self, "videos", tuple(self.videos))
        n = len(self.video_index)
        if self.boxes.shape != (n, 4):
            raise ValueError(f"boxes must have shape [{n}, 4], got {list(self.boxes.shape)}")
        for name in ("timestamp", "action_id", "score"):
            if getattr(self, name).shape != (n,):
                raise ValueError(
                    f"{name} must have shape [{n}], got {list(getattr(self, name).shape)}"
                )
        if n and (self.video_index.min() < 0 or self.video_index.max() >= len(self.videos)):
            raise ValueError("video_index must index into videos")
        if not (_all_finite(self.boxes) and _all_finite(self.score)):
            raise ValueError("boxes and scores must be finite (no NaN or inf)")

    @classmethod
    def from_arrays(
        cls,
        *,
        video_id: Sequence[str] | np.ndarray,
        timestamp: Sequence[int] | np.ndarray,
        boxes: Sequence[Sequence[float]] | np.ndarray,
        action_id: Sequence[int] | np.ndarray,
        score: Sequence[float] | np.ndarray | None = None,
    ) -> AVARows:
        """Build rows from per-row arrays (``video_id`` [N] str, ``boxes`` [N, 4] x1,y1,x2,y2)."""
        ids = np.asarray(video_id, dtype=str).reshape(-1)
        uniq, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        n = len(ids)
        return cls(
            videos=tuple(str(v) for v in uniq[order]),
            video_index=rank[inverse.reshape(-1)] if n else np.zeros(0, np.int32),
            timestamp=np.asarray(timestamp).reshape(-1),
            boxes=np.asarray(boxes, dtype=np.float64).reshape(-1, 4),
            action_id=np.asarray(action_id).reshape(-1),
            score=np.ones(n) if score is None else np.asarray(score).reshape(-1),
        )

    def __len__(self) -> int:
        return len(self.video_index)

    @property
    def video_id(self) -> np.ndarray:
        """str [N], each row's video id."""
        return np.asarray(self.videos, dtype=str)[self.video_index]

    @property
    def person_id(self) -> np.ndarray:
        """int64 [N], the 8th column of a ground-truth file read as the person id."""
        ids = self.score.astype(np.int64)
        if not np.array_equal(ids, self.score):
            raise ValueError("the 8th column holds non-integer values, not person ids")
        return ids

    def keyframes(self) -> tuple[list[tuple[str, int]], np.ndarray]:
        """The distinct keyframes in order of first appearance, and int64 [N] row -> keyframe."""
        if not len(self):
            return [], np.zeros(0, dtype=np.int64)
        t0 = int(self.timestamp.min())
        span = int(self.timestamp.max()) - t0 + 1
        code = self.video_index.astype(np.int64) * span + (self.timestamp - t0)
        _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        keys = [(self.videos[self.video_index[i]], int(self.timestamp[i])) for i in first[order]]
        return keys, rank[inverse.reshape(-1)].astype(np.int64)

    def subset(self, index: np.ndarray) -> AVARows:
        """The rows selected by a bool [N] mask or an int index array, same ``videos``."""
        return AVARows(
            self.videos,
            self.video_index[index],
            self.timestamp[index],
            self.boxes[index],
            self.action_id[index],
            self.score[index],
        )


def _all_finite(values: np.ndarray) -> bool:
    """No NaN or inf in float ``values``: a finite sum proves it without a mask as large as
    the data; an infinite one (NaN, inf, or an overflow) is checked value by value."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = values.sum()
    return bool(np.isfinite(total) or np.isfinite(values).all())


# ----------------------------------------------------------------------------- box CSVs


def read_gt_csv(path: PathLike) -> AVARows:
    """Read a ground-truth CSV (``...,action_id,person_id``; plain or gzip)."""
    return _read_box_csv(path, eighth="person_id")


def read_detections_csv(path: PathLike) -> AVARows:
    """Read a detection (result) CSV (``...,action_id,score``; plain or gzip)."""
    return _read_box_csv(path, eighth="score")


def _read_box_csv(path: PathLike, *, eighth: str) -> AVARows:
    return AVARows(*_ava_csv.parse_box_csv(_map_text(path), path=path, eighth=eighth))


def write_gt_csv(path: PathLike, rows: AVARows) -> None:
    """Write ground truth as the official files do: ``%04d`` timestamps, ``%.3f`` boxes, and the
    person id (``rows.score``, must be integral) as an int. ``.gz`` paths are gzipped."""
    person = rows.person_id.tolist()
    lines = [
        f"{v},{t:04d},{a:.3f},{b:.3f},{c:.3f},{d:.3f},{k},{p}\n"
        for v, t, (a, b, c, d), k, p in zip(
            rows.video_id.tolist(),
            rows.timestamp.tolist(),
            rows.boxes.tolist(),
            rows.action_id.tolist(),
            person,
            strict=True,
        )
    ]
    _atomic_write(path, "".join(lines).encode())


def write_detections_csv(path: PathLike, rows: AVARows, *, decimals: int = 4) -> None:
    """Write detections as MMAction2 does: plain int timestamps, boxes and scores with
    ``decimals`` digits (4 in MMAction2 1.x, 3 in 0.x). ``.gz`` paths are gzipped."""
    if decimals not in (3, 4):
        raise ValueError(f"decimals must be 3 (MMAction2 0.x) or 4 (1.x), got {decimals}")
    fmt = f"%s,%d,%.{decimals}f,%.{decimals}f,%.{decimals}f,%.{decimals}f,%d,%.{decimals}f\n"
    lines = [
        fmt % (v, t, a, b, c, d, k, s)
        for v, t, (a, b, c, d), k, s in zip(
            rows.video_id.tolist(),
            rows.timestamp.tolist(),
            rows.boxes.tolist(),
            rows.action_id.tolist(),
            rows.score.tolist(),
            strict=True,
        )
    ]
    _atomic_write(path, "".join(lines).encode())


# ----------------------------------------------------------------------------- excluded keyframes


def read_excluded(path: PathLike) -> list[tuple[str, int]]:
    """Read an excluded-timestamps CSV: ``video_id,timestamp`` per row -> list of keyframes."""
    rows = _ava_csv.read_rows(_read_bytes(path), path=path, columns=(2,))
    stamps = _ava_csv.convert(rows, 1, int, path=path, what="timestamp")
    return [(row[0], stamp) for row, stamp in zip(rows, stamps, strict=True)]


def write_excluded(path: PathLike, keyframes: Iterable[tuple[str, int]]) -> None:
    """Write excluded keyframes as ``video_id,%04d`` rows."""
    _atomic_write(path, "".join(f"{v},{int(t):04d}\n" for v, t in keyframes).encode())


# ----------------------------------------------------------------------------- label maps


@dataclass(frozen=True)
class LabelMap:
    """The classes of a label map, in file order: ``ids[i]`` is named ``names[i]``."""

    ids: tuple[int, ...]
    names: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.ids) != len(self.names):
            raise ValueError("a label map needs exactly one name per id")
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("label map ids must be distinct")

    @classmethod
    def from_dict(cls, mapping: Mapping[int, str]) -> LabelMap:
        """Build from ``{class id: name}``."""
        return cls(tuple(int(k) for k in mapping), tuple(str(v) for v in mapping.values()))

    def as_dict(self) -> dict[int, str]:
        """``{class id: name}`` in file order."""
        return dict(zip(self.ids, self.names, strict=True))

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, class_id: object) -> bool:
        return class_id in self.ids


def read_label_map(path: PathLike) -> LabelMap:
    """Read a ``.pbtxt`` label map of either layout, like the official line-based reader.

    A line starting with ``  name:`` sets the current name (text between the first two ``"``); a
    line starting with ``  id:`` or ``  label_id:`` adds a class with the current name. Other
    lines are ignored. Unlike the official reader, an id without its own name line, a repeated
    id and a file without ids are errors instead of silent surprises.
    """
    text = _read_bytes(path).decode("utf-8")
    ids: list[int] = []
    names: list[str] = []
    name: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("  name:"):
            parts = line.split('"')
            if len(parts) < 3:
                raise DataFormatError(path, number, 'expected name: "..." with quotes')
            name = parts[1]
        elif line.startswith(("  id:", "  label_id:")):
            class_id = _label_id(line, path, number)
            if name is None:
                raise DataFormatError(
                    path, number, f"class id {class_id} has no name line before it in its entry"
                )
            if class_id in ids:
                raise DataFormatError(path, number, f"class id {class_id} appears twice")
            ids.append(class_id)
            names.append(name)
            name = None
    if not ids:
        raise DataFormatError(
            path,
            None,
            "no classes found; expected '  id: N' or '  label_id: N' lines (pbtxt label map)",
        )
    return LabelMap(tuple(ids), tuple(names))


def _label_id(line: str, path: PathLike, number: int) -> int:
    token = line.strip().split(" ")[-1]
    try:
        return int(token)
    except ValueError:
        raise DataFormatError(
            path, number, f"expected an integer class id, found {token!r}"
        ) from None


def write_label_map(path: PathLike, label_map: LabelMap, *, style: str = "item") -> None:
    """Write a label map; ``style="item"`` (``item {name, id}``) or ``"label"``
    (``label {name, label_id, label_type}``, with ``label_type: PERSON_MOVEMENT`` etc. by id)."""
    if style not in ("item", "label"):
        raise ValueError(f"style must be 'item' or 'label', got {style!r}")
    out = []
    for class_id, name in zip(label_map.ids, label_map.names, strict=True):
        if style == "item":
            out.append(f'item {{\n  name: "{name}"\n  id: {class_id}\n}}\n')
        else:
            out.append(
                f'label {{\n  name: "{name}"\n  label_id: {class_id}\n'
                f"  label_type: {_label_type(class_id)}\n}}\n"
            )
    _atomic_write(path, "".join(out).encode())


def _label_type(class_id: int) -> str:
    if class_id <= 14:
        return "PERSON_MOVEMENT"
    return "OBJECT_MANIPULATION" if class_id < 64 else "PERSON_INTERACTION"


# ----------------------------------------------------------------------------- proposals pickle


_PICKLE_GLOBALS = frozenset(
    {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "scalar"),
        ("_codecs", "encode"),  # how protocol-2 pickles written by Python 3 store bytes
    }
)


class _ArrayUnpickler(pickle.Unpickler):
    """Rebuilds dicts, lists, strings, numbers and numpy arrays; refuses any other global."""

    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in _PICKLE_GLOBALS:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
        if module == "numpy":
            return getattr(np, name)
        if module == "_codecs":
            return codecs.encode
        try:
            from numpy._core import multiarray
        except ImportError:  # numpy < 2
            from numpy.core import multiarray
        return getattr(multiarray, name)


def read_proposals(path: PathLike) -> dict[str, np.ndarray]:
    """Read a proposals pickle -> ``{"video_id,TTTT": float [n, 4] or [n, 5]}``.

    Keys are normalised to :func:`keyframe_key` form. Only numpy arrays, dicts and plain values
    are unpickled (no code runs); Python-2 pickles are read with ``latin1`` strings.
    """
    try:
        data = _ArrayUnpickler(io.BytesIO(_read_bytes(path)), encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as err:
        raise DataFormatError(path, None, f"not a proposals pickle: {err}") from None
    if not isinstance(data, dict):
        raise DataFormatError(
            path, None, f"expected a dict of keyframe -> boxes, found {type(data).__name__}"
        )
    out: dict[str, np.ndarray] = {}
    for key, value in data.items():
        norm = _proposal_key(key, path)
        boxes = np.asarray(value)
        if boxes.ndim != 2 or boxes.shape[1] not in (4, 5) or boxes.dtype.kind != "f":
            raise DataFormatError(
                path,
                None,
                f"proposals of {key!r} must be a float array "
                f"[n, 4] or [n, 5], found {boxes.dtype} {list(boxes.shape)}",
            )
        if norm in out:
            raise DataFormatError(path, None, f"keyframe {norm!r} appears twice")
        out[norm] = boxes
    return out


def _proposal_key(key: object, path: PathLike) -> str:
    text = key.decode("latin1") if isinstance(key, bytes) else key
    if isinstance(text, str) and text.count(",") == 1:
        video, stamp = text.split(",")
        try:
            return keyframe_key(video, int(stamp))
        except ValueError:
            pass
    raise DataFormatError(path, None, f"proposal key {key!r} is not 'video_id,timestamp'")


def write_proposals(path: PathLike, proposals: Mapping[str, np.ndarray]) -> None:
    """Write ``{"video_id,TTTT": float [n, 4|5]}`` as a pickle readable by :func:`read_proposals`
    and by MMAction2."""
    data = {key: np.asarray(value) for key, value in proposals.items()}
    _atomic_write(path, pickle.dumps(data, protocol=4), compress=False)


# ----------------------------------------------------------------------------- file I/O


def _map_text(path: PathLike) -> bytes | np.ndarray:
    """The bytes of a file: memory-mapped as uint8 [S] if it is plain and not empty (no copy:
    the pages are the file cache's), else read and, if gzipped, decompressed."""
    with open(path, "rb") as handle:
        if handle.read(2) != b"\x1f\x8b" and handle.seek(0, os.SEEK_END) > 0:
            try:
                view = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):  # a file system without mapping: read it
                pass
            else:
                return np.frombuffer(view, dtype=np.uint8)
    return _read_bytes(path)


def _read_bytes(path: PathLike) -> bytes:
    data = Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as err:
            raise DataFormatError(path, None, f"damaged gzip file: {err}") from None
    return data


def _atomic_write(path: PathLike, data: bytes, *, compress: bool = True) -> None:
    """Write ``data`` to ``path`` atomically; gzip it when ``path`` ends with ``.gz``."""
    path = Path(path)
    if compress and path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
