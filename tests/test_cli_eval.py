"""``avazoo eval``: the table, the mAP and the JSON of the reference case ``tiny``."""

from __future__ import annotations

import json

import pytest

from avazoo.cli import main
from tests._eval_helpers import case_files, expected


def _args(*extra: str) -> list[str]:
    files = case_files("tiny")
    return [
        "eval",
        str(files["gt"]),
        str(files["det"]),
        "--label-map",
        str(files["label_map"]),
        "--exclude",
        str(files["excluded"]),
        *extra,
    ]


def test_prints_table_and_writes_json(tmp_path, capsys):
    out = tmp_path / "result.json"
    assert main(_args("--protocol", "mmaction2-1.x", "--json", str(out))) == 0
    printed = capsys.readouterr().out
    assert " 12  stand" in printed and "55.00" in printed
    assert "mAP@0.5IoU (mmaction2-1.x): 67.67%" in printed
    data = json.loads(out.read_text())
    reference = expected("tiny", "mmaction2-1.x")
    assert data["mAP"] == pytest.approx(reference["mAP"], abs=1e-12)
    assert data["per_class_AP"] == pytest.approx(reference["per_class_AP"], abs=1e-12)
    assert data["group_mAP"] == pytest.approx(reference["group_mAP"], abs=1e-12)


def test_default_protocol_is_mmaction2_0x(capsys):
    assert main(_args()) == 0
    printed = capsys.readouterr().out
    assert (
        f"mAP@0.5IoU (mmaction2-0.x): 63.89%  ({expected('tiny', 'mmaction2-0.x')['mAP']:.6f})"
        in printed
    )


def test_custom_classes(tmp_path):
    out = tmp_path / "r.json"
    assert (
        main(_args("--protocol", "mmaction2-1.x", "--custom-classes", "11,80", "--json", str(out)))
        == 0
    )
    assert json.loads(out.read_text())["per_class_AP"] == {"11": pytest.approx(5 / 6), "80": 1.0}


def test_errors_exit_with_a_message(tmp_path, capsys):
    assert main(_args("--custom-classes", "11,99")) == 2
    assert "[99] are not in the label map" in capsys.readouterr().err
    broken = tmp_path / "det.csv"
    broken.write_text("v,902,0,0,1,1,12,0.5\nv,903,0,0,1\n")
    files = case_files("tiny")
    assert (
        main(["eval", str(files["gt"]), str(broken), "--label-map", str(files["label_map"])]) == 2
    )
    assert f"{broken}, line 2: expected 7 or 8" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(_args("--protocol", "voc"))
