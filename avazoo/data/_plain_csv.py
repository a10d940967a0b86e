"""The fast path of the AVA box-CSV reader: plain 8-column text parsed 8 bytes at a time (numpy).

*Plain* text: every line ends with ``\\n`` (the last one may not) and has 8 comma-separated
fields; the video id has 1 to 16 bytes and no quote, ``\\r`` or NUL; the 7 numbers have 1 to 8
characters, digits with at most one ``.`` (none in the timestamp and the class id). The official
files and MMAction2's result files are written so. For any other text :func:`parse_plain` returns
None, and the caller's exact general readers decide.

Method: the text goes in chunks of whole lines (about 1 MiB, in worker threads: numpy releases
the GIL) through a scratch buffer padded with zero bytes, so that the 8 bytes ending at any
separator read as one little-endian ``uint64`` with the field in its top ``w`` bytes (``w`` from
the separator positions). Each column is parsed under a layout, the number ``k`` of digits after
the point of its first row: an XOR with ``"0"`` bytes (``"."`` at the point) and a mask keeping
the field and the point byte turn digits into byte values 0-9 and the point into 0; one add flags
any other byte; two masks and a shift squeeze the point out; three multiply-shift steps sum the
digits into the integer mantissa ``M < 10**8``. A number is ``M / 10**k``: one correctly rounded
division of two exactly represented numbers, so bit for bit what Python's ``float()`` gives for
the text; an integer is ``M``. Cells with another ``k`` are parsed again under their own.

Costs, for the record (numpy 2.4, 1.5e6 lines): finding the separators and reading the words are
a third of the time each, the arithmetic the last third; copying fixed blocks of a line instead
of one word per field (see :func:`_field_words`) saves most of the reading.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["parse_plain"]

Plain = tuple[list[bytes], np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""(video id of each run of rows with one id, the runs' first rows int64 [V], timestamp int64
[N], boxes float64 [N, 4], action_id int64 [N], score float64 [N])."""

CHUNK = 1 << 20  # bytes of text per chunk (then up to the next newline)
_CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
WORKERS = min(4, _CPUS or 1)  # threads per file (measured on 2 cores only)
_MAX_LINE = 1 << 16  # longer lines are not plain
_FRONT, _BACK = 8, 40  # scratch padding: words end up to 8 bytes early, blocks read 40 late
_INTEGER = (True, False, False, False, False, True, False)  # timestamp and action_id
_ALL = 2**64 - 1
_ZEROS = int.from_bytes(b"0" * 8, "little")
_HIGH_BITS = np.uint64(0x8080808080808080)
_SWAR_STEPS = [  # (x * (10**k << 8k + 1)) >> 8k: adjacent lanes of k digits -> one of 2k
    (np.uint64(10 << 8 | 1), np.uint64(8), np.uint64(0x00FF00FF00FF00FF)),
    (np.uint64(100 << 16 | 1), np.uint64(16), np.uint64(0x0000FFFF0000FFFF)),
    (np.uint64(10000 << 32 | 1), np.uint64(32), None),
]
_ID_MASKS = np.array(
    [
        [(1 << 8 * min(w, 8)) - 1 for w in range(17)],
        [(1 << 8 * max(w - 8, 0)) - 1 for w in range(17)],
    ],
    dtype=np.uint64,
)
_ROW_OF_COLUMN = (9 * np.arange(7))[:, None]
_POWERS = np.array([10.0**k for k in range(9)])  # exact: 10**k < 2**53


def parse_plain(
    source: bytes | np.ndarray, *, workers: int = WORKERS, chunk: int = CHUNK
) -> Plain | None:
    """The columns of a plain 8-column AVA CSV text (``bytes`` or uint8 [S]), or None; chunks
    of about ``chunk`` bytes go to ``workers`` threads."""
    data = source if isinstance(source, np.ndarray) else np.frombuffer(source, dtype=np.uint8)
    bounds = _chunks(data, chunk)
    if not bounds:
        return None
    _keep_freed_memory()
    with ThreadPoolExecutor(max(1, min(workers, len(bounds)))) as pool:
        counts = list(pool.map(lambda b: int(np.count_nonzero(data[b[0] : b[1]] == 10)), bounds))
        counts[-1] += int(data[-1] != 10)
        total = sum(counts)
        out = (np.empty(total, np.int64), np.empty((total, 4)), np.empty(total, np.int64))
        out += (np.empty(total),)
        first = np.cumsum([0, *counts]).tolist()
        parts = list(
            pool.map(
                lambda k: _parse_chunk(
                    data[bounds[k][0] : bounds[k][1]], [o[first[k] : first[k + 1]] for o in out]
                ),
                range(len(bounds)),
            )
        )
    if any(part is None for part in parts):
        return None
    ids = [i for part in parts for i in part[0]]
    runs = np.concatenate([part[1] + row for part, row in zip(parts, first[:-1], strict=True)])
    return ids, runs, *out


def _keep_freed_memory() -> None:
    """Free one 24 MiB block, so that glibc's malloc raises its dynamic thresholds and keeps the
    chunks' freed work arrays for the next chunks instead of giving their pages back to the
    system (a page fault for every 4 KiB on each chunk); elsewhere a harmless allocation."""
    np.empty(24 << 20, dtype=np.uint8)  # not touched: no page is ever mapped


def _chunks(data: np.ndarray, size: int) -> list[tuple[int, int]]:
    """``(start, stop)`` byte ranges of about ``size`` bytes, each ending after a newline (the
    last one at the end of the text); empty if the text is empty or has a line too long."""
    out, start = [], 0
    while start < len(data):
        stop = start + size
        if stop < len(data):
            newline = np.flatnonzero(data[stop : stop + _MAX_LINE] == 10)
            if len(newline):
                stop += int(newline[0]) + 1
            elif stop + _MAX_LINE < len(data):
                return []
            else:  # the last line, without its newline
                stop = len(data)
        out.append((start, min(stop, len(data))))
        start = stop
    return out


def _parse_chunk(text: np.ndarray, out: list[np.ndarray]) -> tuple | None:
    """Parse one chunk of whole lines into ``out`` (timestamp, boxes, action_id, score row
    slices); the chunk's video runs (ids, first rows), or None if it is not plain."""
    lines, size = len(out[0]), len(text) + int(text[-1] != 10)
    scratch = np.empty(_FRONT + size + _BACK, dtype=np.uint8)
    scratch[:_FRONT] = 0
    scratch[_FRONT : _FRONT + len(text)] = text
    scratch[_FRONT + len(text) :] = 0
    scratch[_FRONT + size - 1] = 10
    body = scratch[_FRONT : _FRONT + size]
    found = np.equal(body, 44)
    found |= body == 10
    sep = np.flatnonzero(found)
    if len(sep) != 8 * lines:
        return None
    sep = sep.reshape(lines, 8).T  # [8, n] (a view): 7 commas, then the newline
    if not (body[sep[7]] == 10).all():  # the chunk's `lines` newlines: the rest are commas
        return None
    values = _numbers(scratch, sep)
    line_start = np.empty(lines, dtype=np.int64)
    line_start[0] = 0
    line_start[1:] = sep[7, :-1] + 1
    videos = _video_runs(scratch, body, line_start, sep[0])
    if values is None or videos is None:
        return None
    out[0][:] = values[0]
    out[1][:] = values[1:5].T
    out[2][:] = values[5]
    out[3][:] = values[6]
    return videos


def _words(scratch: np.ndarray, size: int = 8) -> np.ndarray:
    """The ``size`` bytes starting at each position of ``scratch`` as one item (a view):
    uint64 for 8 bytes (then item ``p`` holds the 8 bytes of the text before its position
    ``p``), else raw ``V<size>``."""
    dtype = "<u8" if size == 8 else f"V{size}"
    return np.ndarray((len(scratch) - size + 1,), dtype, buffer=scratch, strides=(1,))


def _video_runs(
    scratch: np.ndarray, body: np.ndarray, line_start: np.ndarray, comma: np.ndarray
) -> tuple[list[bytes], np.ndarray] | None:
    """The video id of each run of rows with one id and the runs' first rows, or None."""
    width = comma - line_start
    narrow, wide = int(width.min()), int(width.max())
    if narrow < 1 or wide > 16:
        return None
    masks = _ID_MASKS[:, narrow] if narrow == wide else _ID_MASKS[:, width]
    head = _words(scratch, 16)[line_start + _FRONT].view(np.uint8).reshape(-1, 16)
    low = head[:, :8].view("<u8")[:, 0] & masks[0]  # the first 8 bytes of the id
    high = head[:, 8:].view("<u8")[:, 0] & masks[1]  # the next 8
    change = np.empty(len(width), dtype=bool)
    change[0] = True
    np.not_equal(low[1:], low[:-1], out=change[1:])
    change[1:] |= high[1:] != high[:-1]
    if narrow != wide:
        change[1:] |= width[1:] != width[:-1]
    runs = np.flatnonzero(change)
    bounds = zip(line_start[runs].tolist(), comma[runs].tolist(), strict=True)
    ids = [body[a:b].tobytes() for a, b in bounds]
    if any(b'"' in i or b"\r" in i or b"\0" in i for i in ids):
        return None
    return ids, runs


def _numbers(scratch: np.ndarray, sep: np.ndarray) -> np.ndarray | None:
    """float64 [7, n] values of the numeric fields of lines with separators ``sep`` [8, n], or
    None if one is not plain. Each column is parsed under the layout of its first row, then the
    cells that do not fit it under their own."""
    width = np.subtract(sep[1:], sep[:-1], order="C")
    width -= 1
    if width.min() < 1 or width.max() > 8:
        return None
    word = _field_words(scratch, sep, width)
    layouts = [_layout(int(word[f, 0]), int(width[f, 0]), f) for f in range(7)]
    if any(layout is None for layout in layouts):
        return None
    table = np.concatenate([layout[0] for layout in layouts])
    constants = np.array([layout[1:5] for layout in layouts], dtype=np.uint64).T[:, :, None]
    decimals = np.array([layout[5] for layout in layouts])[:, None]
    width += _ROW_OF_COLUMN
    mask = table.take(width)
    width -= _ROW_OF_COLUMN
    values, ok = _parse(word, mask, *constants, decimals)
    return values if ok is None else _refit(values, ok, word, width)


def _field_words(scratch: np.ndarray, sep: np.ndarray, width: np.ndarray) -> np.ndarray:
    """uint64 [7, n]: the 8 bytes of text before the separator after each numeric field.

    Where fields after an anchor have one width per column (fixed decimals, as the files are
    written), one block per line is copied instead of a word per field, and the words are read
    at fixed offsets in it (copying a block costs about what a word does): the timestamp and
    the 4 boxes (48 bytes from the timestamp's word), the class id and the score (24 bytes).
    """
    out = np.empty(width.shape, dtype=np.uint64)
    for first, last, size in ((0, 4, 48), (5, 6, 24)):
        fixed = (width[first + 1 : last + 1, :1] == width[first + 1 : last + 1]).all()
        if not fixed:
            out[first : last + 1] = _words(scratch)[sep[first + 1 : last + 2]]
            continue
        block = _words(scratch, size)[sep[first + 1]].view(np.uint8).reshape(-1, size)
        for f in range(first, last + 1):
            offset = int(sep[f + 1, 0] - sep[first + 1, 0])
            out[f] = block[:, offset : offset + 8].view("<u8")[:, 0]
    return out


def _refit(
    values: np.ndarray, ok: np.ndarray, word: np.ndarray, width: np.ndarray
) -> np.ndarray | None:
    """Parse the cells not ``ok`` under their own layouts, one layout at a time."""
    field, row = np.nonzero(~ok)
    while len(row):
        f, r = int(field[0]), int(row[0])
        layout = _layout(int(word[f, r]), int(width[f, r]), f)
        if layout is None:
            return None
        same = np.flatnonzero(field == f)
        cells = row[same]
        mask = layout[0].take(width[f, cells])
        constants = (np.uint64(c) for c in layout[1:5])
        got, fits = _parse(word[f, cells], mask, *constants, layout[5])
        if fits is None:
            fits = np.ones(len(cells), dtype=bool)
        values[f, cells[fits]] = got[fits]
        if not fits[0]:  # a byte other than a digit or the point
            return None
        keep = np.ones(len(row), dtype=bool)
        keep[same[fits]] = False
        field, row = field[keep], row[keep]
    return values


def _layout(word: int, width: int, field: int) -> tuple | None:
    """The layout of the field of ``width`` characters at the top of ``word`` (numeric field
    number ``field``): (mask by width uint64 [9], xor, add, high, low, decimals), or None if
    that field is not plain. Decimals is -1 for a number without a point."""
    text = word.to_bytes(8, "little")[8 - width :]
    point = text.find(b".")
    if point < 0:
        masks = [(_ALL << 8 * (8 - w)) & _ALL for w in range(9)]
        return np.array(masks, np.uint64), _ZEROS, 0x7676767676767676, _ALL, 0, -1
    if _INTEGER[field] or width == 1:
        return None
    decimals = width - 1 - point
    place = 7 - decimals  # byte of the point in the word
    point_byte = 0xFF << 8 * place
    # a field too short to hold the point gets the whole word: the comma before it fails
    masks = [(_ALL << 8 * (8 - w)) & _ALL | point_byte if w > decimals else _ALL for w in range(9)]
    low = (1 << 8 * place) - 1
    return (
        np.array(masks, np.uint64),
        _ZEROS ^ 0x1E << 8 * place,  # "0" bytes, "." at the point
        0x7676767676767676 + (0x09 << 8 * place),  # overflows into the top bit unless 0-9 (0)
        _ALL ^ (low | point_byte),
        low,
        decimals,
    )


def _parse(word, mask, xor, add, high, low, decimals) -> tuple[np.ndarray, np.ndarray | None]:
    """float64 values of the fields at the top of ``word`` under one layout (arguments broadcast
    together), and bool where a field fits the layout (None: everywhere). In place where it
    can: each temporary costs as much as an operation."""
    digits = np.bitwise_xor(word, xor)
    digits &= mask
    work = np.add(digits, add)
    work |= digits
    work &= _HIGH_BITS
    fits = None if not work.any() else work == 0
    np.bitwise_and(digits, low, out=work)  # squeeze the point out: shift the integer part up
    work <<= np.uint64(8)
    digits &= high
    digits |= work
    for factor, shift, keep in _SWAR_STEPS:
        digits *= factor
        digits >>= shift
        if keep is not None:
            digits &= keep
    values = digits.astype(np.float64)
    values /= _POWERS[np.maximum(decimals, 0)]
    return values, fits
