"""AVA file formats: readers against Python's csv module and the real files, writers against the
official layout, and clear errors for malformed input."""

from __future__ import annotations

import csv
import gzip
import io
import os
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avazoo.data import ava_files
from avazoo.data.ava_files import AVARows, LabelMap
from avazoo.errors import DataFormatError
from tests._eval_helpers import AVA_DATA, case_files

# The 20 AVA ids outside the 60-class evaluation list (shared/reference/eval/README.md).
NOT_IN_VAL_60 = {2, 16, 18, 19, 21, 23, 25, 31, 32, 33, 35, 39, 40, 42, 44, 50, 53, 55, 71, 75}


def python_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def assert_matches_csv_module(rows: AVARows, text: str) -> None:
    """Every column equals what csv.reader + int()/float() give (the official reader)."""
    expected = python_rows(text)
    assert len(rows) == len(expected)
    assert rows.video_id.tolist() == [r[0] for r in expected]
    assert rows.timestamp.tolist() == [int(r[1]) for r in expected]
    assert rows.boxes.tolist() == [[float(v) for v in r[2:6]] for r in expected]
    assert rows.action_id.tolist() == [int(r[6]) for r in expected]
    assert rows.score.tolist() == [float(r[7]) if len(r) == 8 else 1.0 for r in expected]


@pytest.mark.parametrize("case", ["tiny", "small", "medium", "custom_classes"])
def test_reference_files_read_like_the_csv_module(case):
    files = case_files(case)
    for key, reader in (("gt", ava_files.read_gt_csv), ("det", ava_files.read_detections_csv)):
        raw = files[key].read_bytes()
        text = (gzip.decompress(raw) if files[key].suffix == ".gz" else raw).decode()
        assert_matches_csv_module(reader(files[key]), text)


FIELD_TEXT = st.tuples(
    st.sampled_from(["-5KQ66BBWC4", "_a1", "vid", "x" * 40]),
    st.integers(0, 2000).flatmap(lambda t: st.sampled_from([str(t), f"{t:04d}", f"+{t}"])),
    st.lists(
        st.floats(0, 1, allow_nan=False).flatmap(
            lambda v: st.sampled_from([f"{v:.3f}", f"{v:.4f}", repr(v), f"{v:.2e}"])
        ),
        min_size=4,
        max_size=4,
    ),
    st.integers(1, 80).map(str),
    st.one_of(st.none(), st.floats(0, 1).map(lambda v: f"{v:.6f}")),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(FIELD_TEXT, min_size=1, max_size=30), st.booleans(), st.booleans())
def test_any_valid_spelling_reads_like_the_csv_module(tmp_path_factory, records, crlf, gz):
    lines = [",".join([v, t, *box, a] + ([] if s is None else [s])) for v, t, box, a, s in records]
    text = ("\r\n" if crlf else "\n").join(lines) + "\n"
    path = tmp_path_factory.mktemp("csv") / ("d.csv.gz" if gz else "d.csv")
    path.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
    assert_matches_csv_module(ava_files.read_detections_csv(path), text)


def test_gt_file_round_trips_byte_for_byte(tmp_path):
    source = case_files("tiny")["gt"]
    out = tmp_path / "gt.csv"
    ava_files.write_gt_csv(out, ava_files.read_gt_csv(source))
    assert out.read_bytes() == source.read_bytes()


def test_detection_writer_formats(tmp_path):
    rows = AVARows.from_arrays(
        video_id=["-abc"],
        timestamp=[902],
        boxes=[[0.07125, 0.1, 0.29, 0.8204]],
        action_id=[12],
        score=[0.87314],
    )
    ava_files.write_detections_csv(tmp_path / "d4.csv", rows)
    ava_files.write_detections_csv(tmp_path / "d3.csv.gz", rows, decimals=3)
    assert (tmp_path / "d4.csv").read_text() == "-abc,902,0.0712,0.1000,0.2900,0.8204,12,0.8731\n"
    assert gzip.decompress((tmp_path / "d3.csv.gz").read_bytes()).decode() == (
        "-abc,902,0.071,0.100,0.290,0.820,12,0.873\n"
    )
    with pytest.raises(ValueError, match="decimals"):
        ava_files.write_detections_csv(tmp_path / "d.csv", rows, decimals=5)


def test_writers_are_atomic(tmp_path):
    target = tmp_path / "gt.csv"
    target.write_text("old\n")
    rows = AVARows.from_arrays(
        video_id=["v"], timestamp=[902], boxes=[[0, 0, 1, 1]], action_id=[1], score=[1.5]
    )
    with pytest.raises(ValueError, match="non-integer"):
        ava_files.write_gt_csv(target, rows)  # fails before writing: the old file stays
    assert target.read_text() == "old\n"
    ava_files.write_excluded(target, [("v", 902)])
    assert target.read_text() == "v,0902\n"
    assert os.listdir(tmp_path) == ["gt.csv"]  # no temporary file left behind


def test_seven_column_rows_score_one(tmp_path):
    path = tmp_path / "gt.csv"
    path.write_text("v,0902,0.1,0.2,0.3,0.4,12\nv,0902,0.1,0.2,0.3,0.4,13,7\n")
    rows = ava_files.read_gt_csv(path)
    assert rows.score.tolist() == [1.0, 7.0]
    assert rows.person_id.tolist() == [1, 7]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("v,902,0,0,1,1,12,0.5\n\nv,903,0,0,1,1,12,0.5\n", 2, "blank line"),
        ("v,902,0,0,1,1,12,0.5\n\n", 2, "blank line"),
        ("v,902,0,0,1,1,12,0.5\nv,903,0,0,1,1\n", 2, "found 6 columns"),
        ("v,902,0,0,1,1,12,0.5\nv,902.0,0,0,1,1,12,0.5\n", 2, "timestamp must be an integer"),
        ("v,902,0,0,1,1,12,0.5\nv,902,0,nan,1,1,12,0.5\n", 2, "must be finite"),
        ("v,902,0,0,1,1,12,0.5\nv,902,0,0,1,1,12,high\n", 2, "score must be a number"),
        (",902,0,0,1,1,12,0.5\n", 1, "empty video_id"),
    ],
)
def test_malformed_detections_name_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "det.csv"
    path.write_text(text)
    with pytest.raises(DataFormatError, match=message) as caught:
        ava_files.read_detections_csv(path)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}, line {line}:")


def test_label_maps_of_both_layouts():
    val60 = ava_files.read_label_map(AVA_DATA / "ava_action_list_v2.1_for_activitynet_2018.pbtxt")
    full = ava_files.read_label_map(AVA_DATA / "ava_action_list_v2.2.pbtxt")
    assert list(val60.ids) == sorted(set(range(1, 81)) - NOT_IN_VAL_60)
    assert list(full.ids) == list(range(1, 81))
    assert full.as_dict()[2] == "crawl" and val60.as_dict()[1] == "bend/bow (at the waist)"
    assert set(val60.ids) <= set(full.ids)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("item {\n  id: 3\n}\n", 2, "no name line"),
        ('item {\n  name: "a"\n  id: 3\n}\nitem {\n  name: "b"\n  id: 3\n}\n', 7, "appears twice"),
        ('item {\n  name: "a"\n  id: three\n}\n', 3, "integer class id"),
        ("item {\n  name: a\n  id: 3\n}\n", 2, "quotes"),
        ("nothing here\n", None, "no classes found"),
    ],
)
def test_malformed_label_maps(tmp_path, text, line, message):
    path = tmp_path / "lm.pbtxt"
    path.write_text(text)
    with pytest.raises(DataFormatError, match=message) as caught:
        ava_files.read_label_map(path)
    assert caught.value.line == line


@pytest.mark.parametrize("style", ["item", "label"])
def test_label_map_writer_matches_the_real_files(tmp_path, style):
    name = (
        "ava_action_list_v2.1_for_activitynet_2018.pbtxt"
        if style == "item"
        else "ava_action_list_v2.2.pbtxt"
    )
    out = tmp_path / "lm.pbtxt"
    ava_files.write_label_map(out, ava_files.read_label_map(AVA_DATA / name), style=style)
    assert out.read_text() == (AVA_DATA / name).read_text()


def test_excluded_timestamps(tmp_path):
    path = AVA_DATA / "ava_val_excluded_timestamps_v2.2.csv"
    keys = ava_files.read_excluded(path)
    expected = [(r[0], int(r[1])) for r in python_rows(path.read_text())]
    assert keys == expected and keys[0] == ("5BDj0ow5hnA", 1038)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert ava_files.read_excluded(empty) == []
    bad = tmp_path / "bad.csv"
    bad.write_text("v,0902\nv,0903,1\n")
    with pytest.raises(DataFormatError, match="line 2: expected 2"):
        ava_files.read_excluded(bad)


def test_keyframes_and_keys():
    rows = AVARows.from_arrays(
        video_id=["b", "a", "b", "a"],
        timestamp=[903, 902, 903, 901],
        boxes=np.zeros((4, 4)),
        action_id=[1, 1, 2, 1],
    )
    keys, index = rows.keyframes()
    assert keys == [("b", 903), ("a", 902), ("a", 901)]
    assert index.tolist() == [0, 1, 0, 2]
    assert rows.videos == ("b", "a")
    assert ava_files.keyframe_key("-abc", 902) == "-abc,0902"
    assert rows.subset(np.array([1, 3])).timestamp.tolist() == [902, 901]


def test_rows_validate_shapes_and_values():
    with pytest.raises(ValueError, match=r"boxes must have shape \[2, 4\]"):
        AVARows.from_arrays(
            video_id=["a", "b"], timestamp=[1, 2], boxes=np.zeros((3, 4)), action_id=[1, 1]
        )
    with pytest.raises(ValueError, match="finite"):
        AVARows.from_arrays(video_id=["a"], timestamp=[1], boxes=[[0, 0, np.inf, 1]], action_id=[1])
    with pytest.raises(ValueError, match="finite"):
        AVARows.from_arrays(
            video_id=["a"], timestamp=[1], boxes=[[0, 0, 1, 1]], action_id=[1], score=[np.nan]
        )
    huge = [[1e308, 1e308, 1e308, 1e308]] * 2  # finite, though their sum is not
    assert (
        len(AVARows.from_arrays(video_id=["a"] * 2, timestamp=[1, 1], boxes=huge, action_id=[1, 1]))
        == 2
    )


def test_proposals_round_trip_and_keys(tmp_path):
    proposals = {
        "-abc,0902": np.array([[0.1, 0.2, 0.3, 0.4, 0.9]], dtype=np.float32),
        "_xyz,1798": np.zeros((0, 4)),
    }
    path = tmp_path / "proposals.pkl"
    ava_files.write_proposals(path, proposals)
    back = ava_files.read_proposals(path)
    assert back.keys() == proposals.keys()
    for key, value in proposals.items():
        assert back[key].dtype == value.dtype and np.array_equal(back[key], value)
    old = tmp_path / "py2.pkl"  # protocol 2, unpadded timestamp: normalised to the official key
    old.write_bytes(pickle.dumps({"-abc,902": np.ones((2, 5))}, protocol=2))
    assert list(ava_files.read_proposals(old)) == ["-abc,0902"]


class _Exploit:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"a,1": _Exploit()}, "refusing to load"),
        ([np.zeros((1, 4))], "expected a dict"),
        ({"a,1": np.zeros((2, 3))}, r"\[n, 4\] or \[n, 5\]"),
        ({"a": np.zeros((2, 4))}, "not 'video_id,timestamp'"),
    ],
)
def test_bad_proposal_pickles(tmp_path, monkeypatch, payload, message):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "p.pkl"
    path.write_bytes(pickle.dumps(payload))
    with pytest.raises(DataFormatError, match=message):
        ava_files.read_proposals(path)
    assert not (tmp_path / "pwned").exists()


def test_label_map_from_dict():
    labels = LabelMap.from_dict({12: "stand", 80: "watch (a person)"})
    assert labels.ids == (12, 80) and 80 in labels and len(labels) == 2
