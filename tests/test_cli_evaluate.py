"""``avazoo evaluate``: a local checkpoint over a synthetic val split, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

import avazoo
from avazoo.cli import main
from avazoo.data import ava_files
from avazoo.data.synth import SyntheticAVA
from tests._data_helpers import shared_synthetic


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> SyntheticAVA:
    return shared_synthetic(tmp_path_factory)


def test_evaluate_a_checkpoint_on_synthetic_data(
    synthetic: SyntheticAVA, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = avazoo.create_model("slowonly_r50_4x16_ava21", num_classes=6)
    checkpoint = tmp_path / "mine.pth"
    torch.save({"state_dict": model.state_dict()}, checkpoint)
    out, report = tmp_path / "det.csv", tmp_path / "result.json"
    code = main(
        [
            "evaluate", str(checkpoint), "--recipe", "slowonly_r50_4x16_ava21",
            "--data-root", str(synthetic.root), "--short-side", "40", "--batch-size", "3",
            "--workers", "0", "--device", "cpu", "--out", str(out), "--json", str(report),
            "--quiet",
        ]
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "mAP@0.5IoU (mmaction2-0.x)" in printed and "change colour" in printed
    result = json.loads(report.read_text())
    assert result["protocol"] == "mmaction2-0.x" and 0 <= result["mAP"] <= 1
    detections = ava_files.read_detections_csv(out)
    assert set(detections.action_id.tolist()) <= set(range(1, 6))


def test_a_converted_folder_needs_no_recipe(
    synthetic: SyntheticAVA, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = avazoo.create_model("slowonly_r50_4x16_ava21", num_classes=6)
    torch.save({"state_dict": model.state_dict()}, tmp_path / "mine.pth")
    folder = tmp_path / "model"
    avazoo.convert(tmp_path / "mine.pth", recipe="slowonly_r50_4x16_ava21", out_dir=folder)
    code = main(
        [
            "evaluate", str(folder), "--data-root", str(synthetic.root), "--short-side", "40",
            "--workers", "0", "--device", "cpu", "--quiet",
        ]
    )  # fmt: skip
    assert code == 0
    assert "mAP@0.5IoU (mmaction2-0.x)" in capsys.readouterr().out


def test_evaluate_needs_the_recipe_of_a_bare_checkpoint(
    synthetic: SyntheticAVA, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = avazoo.create_model("slowonly_r50_4x16_ava21", num_classes=6)
    torch.save({"state_dict": model.state_dict()}, tmp_path / "x.pth")
    code = main(["evaluate", str(tmp_path / "x.pth"), "--data-root", str(synthetic.root)])
    assert code == 2
    assert "recipe" in capsys.readouterr().err


def test_evaluate_rejects_a_model_for_other_classes(
    synthetic: SyntheticAVA, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = avazoo.create_model("slowonly_r50_4x16_ava21", num_classes=4)
    checkpoint = tmp_path / "other.pth"
    torch.save({"state_dict": model.state_dict()}, checkpoint)
    code = main(
        [
            "evaluate", str(checkpoint), "--recipe", "slowonly_r50_4x16_ava21",
            "--data-root", str(synthetic.root), "--device", "cpu",
        ]
    )  # fmt: skip
    assert code == 2
    assert "the model has 4 outputs" in capsys.readouterr().err


def test_evaluate_refuses_an_unknown_protocol_before_loading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the model path does not exist: the parser must stop first, naming the valid protocols
    args = ["evaluate", str(tmp_path / "absent.pth"), "--data-root", str(tmp_path)]
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--protocol", "mmaction2-2.x"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'mmaction2-2.x'" in capsys.readouterr().err
