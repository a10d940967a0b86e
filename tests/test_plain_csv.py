"""The fast reader of plain AVA CSV text against Python's csv module, int() and float() (the
official readers), bit for bit, and its refusal of anything it does not cover."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avazoo.data import ava_files
from avazoo.data._plain_csv import parse_plain
from avazoo.errors import DataFormatError

ID_CHARS = "abcXYZ019-_"
DIGITS = st.text("0123456789", min_size=1, max_size=4)


def _number(draw, *, integer: bool) -> str:
    """A plain number of 1 to 8 characters: digits, and for floats at most one point."""
    if integer:
        return draw(st.text("0123456789", min_size=1, max_size=8))
    whole = draw(st.text("0123456789", min_size=0, max_size=4))
    form = draw(st.sampled_from(["int", "point", "fraction"]))
    if form == "int":
        return whole or "0"
    fraction = draw(st.text("0123456789", min_size=1 if not whole else 0, max_size=7 - len(whole)))
    return f"{whole}.{fraction}" if whole or fraction else "0"


@st.composite
def plain_rows(draw) -> list[str]:
    """Lines of plain text: a few ids (1-16 characters), any mix of number layouts per row."""
    ids = draw(st.lists(st.text(ID_CHARS, min_size=1, max_size=16), min_size=1, max_size=4))
    rows = []
    for _ in range(draw(st.integers(1, 40))):
        fields = [draw(st.sampled_from(ids)), _number(draw, integer=True)]
        fields += [_number(draw, integer=False) for _ in range(4)]
        fields += [_number(draw, integer=True), _number(draw, integer=False)]
        rows.append(",".join(fields))
    return rows


def official(text: str) -> list[list]:
    """Rows as the official readers convert them: csv.reader, then int() and float()."""
    out = []
    for row in csv.reader(io.StringIO(text)):
        out.append([row[0], int(row[1]), *(float(v) for v in row[2:6]), int(row[6]), float(row[7])])
    return out


def parsed(text: bytes, **options) -> list[list]:
    """Rows from parse_plain, in the same form; floats compared bit for bit below."""
    plain = parse_plain(text, **options)
    assert plain is not None
    ids, runs, stamp, boxes, action, score = plain
    video = np.repeat(np.arange(len(ids)), np.diff(np.append(runs, len(stamp))))
    return [
        [ids[v].decode(), t, *b, a, s]
        for v, t, b, a, s in zip(
            video.tolist(),
            stamp.tolist(),
            boxes.tolist(),
            action.tolist(),
            score.tolist(),
            strict=True,
        )
    ]


def assert_same(ours: list[list], theirs: list[list]) -> None:
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert a[0] == b[0] and a[1] == b[1] and a[6] == b[6]
        ours, theirs = np.array([*a[2:6], a[7]]), np.array([*b[2:6], b[7]])
        assert np.array_equal(ours.view(np.int64), theirs.view(np.int64))  # bit for bit


@settings(max_examples=60, deadline=None)
@given(plain_rows(), st.booleans(), st.sampled_from([1, 40, 1 << 20]), st.sampled_from([1, 2]))
def test_plain_text_reads_like_the_official_readers(rows, final_newline, chunk, workers):
    """Any mix of layouts, chunks of one line or many, one or two threads."""
    text = "\n".join(rows) + ("\n" if final_newline else "")
    assert_same(parsed(text.encode(), chunk=chunk, workers=workers), official(text))


def test_a_field_too_short_for_its_columns_point_is_parsed_on_its_own():
    """Column 5 has 4 decimals in row 1; in row 2 its field "123" is too short to hold the
    point, and the byte where the point would be is the "." that ends the field before it."""
    text = "v,1,0.5,0.5,1.2345,0.5,3,0.5\nv,1,0.5,5.,123,0.5,3,0.5\nv,1,0.5,5.,1234.5,.5,3,7\n"
    assert_same(parsed(text.encode()), official(text))


def test_ids_that_differ_only_after_their_eighth_byte_are_different_videos():
    text = "".join(f"{v},902,0.1,0.2,0.3,0.4,5,0.5\n" for v in ("abcdefgh1", "abcdefgh2", "a" * 16))
    assert [r[0] for r in parsed(text.encode(), chunk=1)] == ["abcdefgh1", "abcdefgh2", "a" * 16]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "v,902,0.1,0.2,0.3,0.4,5\n",  # 7 columns
        "v,902,0.1,0.2,0.3,0.4,5,0.5,1\n",  # 9 columns
        "v,902,-0.1,0.2,0.3,0.4,5,0.5\n",  # a sign
        "v,+902,0.1,0.2,0.3,0.4,5,0.5\n",
        "v,902,1e-3,0.2,0.3,0.4,5,0.5\n",  # an exponent
        "v,902,0.123456789,0.2,0.3,0.4,5,0.5\n",  # 11 characters
        "v,902.0,0.1,0.2,0.3,0.4,5,0.5\n",  # a point in an integer
        "v,902,0.1,0.2,0.3,0.4,5,.\n",  # a point and no digit
        "v,902,0.1,,0.3,0.4,5,0.5\n",  # an empty field
        "v,902,0.1,0.2,0.3,0.4,5,0.5\r\n",
        '"v",902,0.1,0.2,0.3,0.4,5,0.5\n',
        "v,902,0.1,0.2,0.3,0.4,5,0.5\n\n",  # a blank line
        ",902,0.1,0.2,0.3,0.4,5,0.5\n",  # an empty id
        "x" * 17 + ",902,0.1,0.2,0.3,0.4,5,0.5\n",  # an id of 17 bytes
        "v,9 2,0.1,0.2,0.3,0.4,5,0.5\n",
    ],
)
def test_anything_else_is_left_to_the_general_readers(text):
    assert parse_plain(text.encode()) is None


def test_a_long_file_reads_through_the_reader_like_the_official_readers(tmp_path):
    """Many chunks and both threads, through the memory-mapped file, and gzipped."""
    rng = np.random.default_rng(0)
    lines = [
        f"vid{v:08d},{t},{a:.4f},{b:.4f},{c:.3f},{d:.2f},{k},{s:.4f}\n"
        for v, t, (a, b, c, d), k, s in zip(
            rng.integers(0, 3, 60_000).cumsum() // 8000,
            rng.integers(0, 2000, 60_000),
            rng.random((60_000, 4)) * 1.5,
            rng.integers(1, 81, 60_000),
            rng.random(60_000),
            strict=True,
        )
    ]
    text = "".join(lines)
    for name, data in (("d.csv", text.encode()), ("d.csv.gz", _gzip(text))):
        (tmp_path / name).write_bytes(data)
        rows = ava_files.read_detections_csv(tmp_path / name)
        ours = [
            [v, t, *b, k, s]
            for v, t, b, k, s in zip(
                rows.video_id.tolist(),
                rows.timestamp.tolist(),
                rows.boxes.tolist(),
                rows.action_id.tolist(),
                rows.score.tolist(),
                strict=True,
            )
        ]
        assert_same(ours, official(text))


def test_a_video_id_that_is_not_utf8_names_its_line(tmp_path):
    path = tmp_path / "det.csv"
    path.write_bytes(b"v,902,0.1,0.2,0.3,0.4,5,0.5\n\xff\xfe,902,0.1,0.2,0.3,0.4,5,0.5\n")
    with pytest.raises(DataFormatError, match="not valid UTF-8") as caught:
        ava_files.read_detections_csv(path)
    assert caught.value.line == 2


def _gzip(text: str) -> bytes:
    import gzip

    return gzip.compress(text.encode())


@given(DIGITS)
def test_integers_keep_leading_zeros_out(digits):
    text = f"v,{digits},0.1,0.2,0.3,0.4,{digits},0.5\n"
    row = parsed(text.encode())[0]
    assert row[1] == row[6] == int(digits)
