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


def test_evaluate_needs_the_recipe_of_a_bare_checkpoint(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="pass --recipe NAME"):
        main(["evaluate", str(tmp_path / "x.pth"), "--data-root", str(tmp_path)])


def test_evaluate_rejects_a_model_for_other_classes(
    synthetic: SyntheticAVA, tmp_path: Path
) -> None:
    model = avazoo.create_model("slowonly_r50_4x16_ava21", num_classes=4)
    checkpoint = tmp_path / "other.pth"
    torch.save({"state_dict": model.state_dict()}, checkpoint)
    with pytest.raises(SystemExit, match="the model has 4 outputs"):
        main(
            [
                "evaluate", str(checkpoint), "--recipe", "slowonly_r50_4x16_ava21",
                "--data-root", str(synthetic.root), "--device", "cpu",
            ]
        )  # fmt: skip
