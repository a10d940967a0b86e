"""Parse the text of an AVA box CSV into columns: two fast paths and an exact fallback.

First :mod:`avazoo.data._plain_csv` (plain text: short decimal numbers, as the official and
MMAction2 files are written, parsed 8 bytes at a time); then numpy's C ``loadtxt`` (it converts
numbers with Python's own correctly rounded ``PyOS_string_to_double``). Anything neither covers
(blank lines, quotes, lone ``\\r``, rows of 7 columns, long video ids, spellings that Python
accepts and numpy does not) goes through the fallback, which reads rows with ``csv.reader`` and
converts fields with ``int()``/``float()`` exactly as the official readers do, and which names the
offending line when a row is malformed. All paths give identical columns on the same valid text.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable

import numpy as np

from avazoo.data._plain_csv import parse_plain
from avazoo.errors import DataFormatError

_NUMBER_FIELDS = [
    ("timestamp", "i8"),
    ("x1", "f8"),
    ("y1", "f8"),
    ("x2", "f8"),
    ("y2", "f8"),
    ("action_id", "i8"),
    ("score", "f8"),
]
_VIDEO_WIDTHS = (16, 64)  # fast-path widths of the video id; longer ids go to the fallback
_BOX_NAMES = ("x1", "y1", "x2", "y2")

Columns = tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""(videos, video_index int32 [N], timestamp int64 [N], boxes f64 [N,4], action_id, score)."""


def parse_box_csv(data: bytes | np.ndarray, *, path: object, eighth: str) -> Columns:
    """Columns of a 7/8-column AVA CSV text (bytes or uint8 [S]); ``eighth`` names column 8
    in error messages."""
    plain = parse_plain(data)
    if plain is not None:
        return (*_run_videos(*plain[:2], total=len(plain[2]), path=path), *plain[2:])
    data = data.tobytes() if isinstance(data, np.ndarray) else data
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    table = _fast_table(data)
    categories = None if table is None else _categories(table["video"], path=path)
    if categories is None:
        return _slow_columns(data, path=path, eighth=eighth)
    boxes = np.stack([table[name] for name in _BOX_NAMES], axis=1)
    score = table["score"]
    _check_finite(boxes, score, path=path, eighth=eighth)
    return (*categories, table["timestamp"], boxes, table["action_id"], score)


def _run_videos(
    ids: list[bytes], runs: np.ndarray, *, total: int, path: object
) -> tuple[tuple[str, ...], np.ndarray]:
    """Distinct video ids in order of first appearance and int32 [N] row -> position, from the
    id of each run of rows (``runs``: first rows)."""
    index_of: dict[bytes, int] = {}
    run_index = np.array([index_of.setdefault(i, len(index_of)) for i in ids], dtype=np.int32)
    videos = []
    for value in index_of:
        try:
            videos.append(value.decode("utf-8"))
        except UnicodeDecodeError:
            row = int(runs[ids.index(value)])
            raise DataFormatError(path, row + 1, "video_id is not valid UTF-8") from None
    return tuple(videos), np.repeat(run_index, np.diff(np.append(runs, total)))


def _fast_table(data: bytes) -> np.ndarray | None:
    """The rows as a structured array, or None where the fallback must decide."""
    if not data or b"\r" in data:
        return None
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    for width in _VIDEO_WIDTHS:
        dtype = np.dtype([("video", f"S{width}"), *_NUMBER_FIELDS])
        try:
            table = np.loadtxt(
                io.BytesIO(data), delimiter=",", dtype=dtype, comments=None, ndmin=1, encoding=None
            )
        except ValueError:
            return None
        if len(table) != lines:  # loadtxt skips blank lines; the official reader fails on them
            return None
        last_byte = table.view(np.uint8).reshape(len(table), dtype.itemsize)[:, width - 1]
        if not last_byte.any():  # else an id of `width` bytes or more may have been cut
            return table
    return None


def _categories(raw: np.ndarray, *, path: object) -> tuple[tuple[str, ...], np.ndarray] | None:
    """Distinct byte strings in order of first appearance and int32 [N] row -> position;
    None if an id holds a quote (``csv`` quoting: the fallback reads it)."""
    heads = np.ones(len(raw), dtype=bool)
    heads[1:] = raw[1:] != raw[:-1]
    runs = np.flatnonzero(heads)
    ids = raw[runs].tolist()
    if any(b'"' in value for value in ids):
        return None
    if not all(ids):
        raise DataFormatError(path, int(runs[ids.index(b"")]) + 1, "empty video_id")
    return _run_videos(ids, runs, total=len(raw), path=path)


def _check_finite(boxes: np.ndarray, score: np.ndarray, *, path: object, eighth: str) -> None:
    bad = ~np.isfinite(boxes).all(axis=1) | ~np.isfinite(score)
    if bad.any():
        row = int(np.argmax(bad))
        raise DataFormatError(
            path,
            row + 1,
            f"box coordinates and {eighth} must be finite "
            f"numbers, found {boxes[row].tolist()} and {score[row]}",
        )


def read_rows(data: bytes, *, path: object, columns: tuple[int, ...]) -> list[list[str]]:
    """All rows of a CSV text via ``csv.reader``; each must have one of ``columns`` fields."""
    text = _decode(data, path=path)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for number, row in enumerate(rows, start=1):
        if len(row) not in columns:
            expected = " or ".join(str(c) for c in columns)
            problem = "blank line" if not row else f"{len(row)} columns: {','.join(row)[:120]!r}"
            raise DataFormatError(
                path, number, f"expected {expected} comma-separated columns, found {problem}"
            )
    return rows


def _decode(data: bytes, *, path: object) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise DataFormatError(path, line, "the file is not UTF-8 text") from None


def convert(
    rows: list[list[str]],
    column: int,
    kind: Callable,
    *,
    path: object,
    what: str,
    default: float | None = None,
) -> list:
    """``kind(row[column])`` for every row (``default`` where the row is too short); a field
    that does not convert raises a DataFormatError naming its line."""
    out = []
    for number, row in enumerate(rows, start=1):
        if column >= len(row):
            out.append(default)
            continue
        try:
            value = kind(row[column])
        except ValueError:
            noun = "an integer" if kind is int else "a number"
            raise DataFormatError(
                path, number, f"{what} must be {noun}, found {row[column]!r}"
            ) from None
        if kind is float and not math.isfinite(value):
            raise DataFormatError(path, number, f"{what} must be finite, found {row[column]!r}")
        if kind is int and not -(2**63) <= value < 2**63:
            raise DataFormatError(path, number, f"{what} {value} does not fit in 64 bits")
        out.append(value)
    return out


def _slow_columns(data: bytes, *, path: object, eighth: str) -> Columns:
    rows = read_rows(data, path=path, columns=(7, 8))
    for number, row in enumerate(rows, start=1):
        if not row[0]:
            raise DataFormatError(path, number, "empty video_id")
    index_of: dict[str, int] = {}
    video_index = np.array(
        [index_of.setdefault(row[0], len(index_of)) for row in rows], dtype=np.int32
    )
    timestamp = np.array(convert(rows, 1, int, path=path, what="timestamp"), dtype=np.int64)
    boxes = (
        np.array(
            [
                convert(rows, 2 + j, float, path=path, what=name)
                for j, name in enumerate(_BOX_NAMES)
            ],
            dtype=np.float64,
        )
        .reshape(4, -1)
        .T
    )
    action_id = np.array(convert(rows, 6, int, path=path, what="action_id"), dtype=np.int64)
    score = np.array(convert(rows, 7, float, path=path, what=eighth, default=1.0), dtype=np.float64)
    return tuple(index_of), video_index, timestamp, boxes, action_id, score
