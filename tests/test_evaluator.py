"""The Evaluator: test-time rules by hand, ground truth fed through it scores mAP 1.0, and a
real (randomly initialised) SlowOnly runs end to end on the synthetic set."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch

import avazoo
from avazoo.data import ava_files
from avazoo.data.annotations import Keyframe
from avazoo.data.dataset import AVADataset
from avazoo.data.synth import SyntheticAVA, read_synthetic_config
from avazoo.eval.evaluator import Evaluator, scores_to_detections
from tests._data_helpers import shared_synthetic


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> SyntheticAVA:
    return shared_synthetic(tmp_path_factory)


class Oracle:
    """Scores each box with the labels of the ground-truth box it overlaps (IoU > 0.5), else 0.

    It is handed the keyframes in dataset order and checks them off one clip at a time, so it
    also fails if the Evaluator reorders keyframes or mis-scales boxes.
    """

    def __init__(self, keyframes: list[Keyframe]) -> None:
        self.queue = list(keyframes)
        self.boxes_seen: list[torch.Tensor] = []

    def predict(self, clips: torch.Tensor, boxes: list[torch.Tensor]) -> list[torch.Tensor]:
        height, width = clips.shape[-2:]
        scale = torch.tensor([width, height, width, height], dtype=torch.float32)
        out = []
        for pixel_boxes in boxes:
            keyframe = self.queue.pop(0)
            normalised = pixel_boxes.cpu() / scale
            self.boxes_seen.append(normalised)
            gt = torch.from_numpy(keyframe.boxes)
            lt = torch.maximum(normalised[:, None, :2], gt[None, :, :2])
            rb = torch.minimum(normalised[:, None, 2:], gt[None, :, 2:])
            inter = (rb - lt).clamp(min=0).prod(-1)
            area = lambda b: (b[..., 2:] - b[..., :2]).prod(-1)  # noqa: E731
            iou = inter / (area(normalised)[:, None] + area(gt)[None, :] - inter)
            best = iou.max(dim=1)
            labels = torch.from_numpy(keyframe.labels)[best.indices]
            out.append(labels * (best.values > 0.5)[:, None])
        return out


def val_set(synthetic: SyntheticAVA, **changes: object) -> AVADataset:
    config = dataclasses.replace(read_synthetic_config(synthetic.root), **changes)
    return AVADataset(config, synthetic.root, split="val")


# ----------------------------------------------------------------------------- rules by hand


def test_scores_to_detections_threshold_order_and_ids() -> None:
    scores = np.array(
        [
            [0.99, 0.5, 0.002, 0.0021],  # column 0 never output; 0.002 is not > 0.002
            [0.1, 0.001, 0.7, 0.3],
        ],
        dtype=np.float32,
    )
    boxes = np.array([[0.1, 0.1, 0.2, 0.2], [0.5, 0.5, 0.9, 0.9]], dtype=np.float32)
    out_boxes, ids, kept = scores_to_detections(
        scores, boxes, action_thr=0.002, class_ids=[10, 20, 30]
    )
    # class-major: class 10 (box 0), class 20 (box 1), class 30 (box 0, box 1)
    assert ids.tolist() == [10, 20, 30, 30]
    np.testing.assert_array_equal(out_boxes, boxes[[0, 1, 0, 1]])
    np.testing.assert_array_equal(kept, np.float32([0.5, 0.7, 0.0021, 0.3]))


def test_scores_to_detections_checks_the_class_count() -> None:
    with pytest.raises(ValueError, match="2 class ids are needed"):
        scores_to_detections(np.zeros((1, 3)), np.zeros((1, 4)), action_thr=0.0, class_ids=[1])


def test_needs_a_test_mode_dataset(synthetic: SyntheticAVA) -> None:
    train = AVADataset(synthetic.config, synthetic.root, split="train")
    with pytest.raises(ValueError, match="test-mode"):
        Evaluator(Oracle([]), train)


def test_unknown_protocol_fails_before_any_inference(synthetic: SyntheticAVA) -> None:
    with pytest.raises(ValueError, match=r"unknown protocol 'mmaction2-2\.x'"):
        Evaluator(Oracle([]), val_set(synthetic), protocol="mmaction2-2.x")


# ----------------------------------------------------------------------------- ground truth -> 1.0


@pytest.mark.parametrize("batch_size", [1, 4])
def test_ground_truth_through_the_evaluator_scores_map_one(
    synthetic: SyntheticAVA, tmp_path: Path, batch_size: int
) -> None:
    data = val_set(synthetic)
    oracle = Oracle(data.keyframes)
    out = tmp_path / "detections.csv"
    workers = 1 if batch_size > 1 else 0  # frames decoded in a worker process too
    evaluator = Evaluator(oracle, data, batch_size=batch_size, num_workers=workers, progress=False)
    result = evaluator.evaluate(out_file=out)
    assert not oracle.queue
    assert result.map == 1.0
    assert result.num_gt and all(result.per_class[c] == 1.0 for c in result.num_gt)
    # boxes handed to the model, divided by the clip size, are the proposals of the file
    proposals = ava_files.read_proposals(
        synthetic.root / "annotations" / data.config.val_proposal_file
    )
    for keyframe, seen in zip(data.keyframes, oracle.boxes_seen, strict=True):
        kept = proposals[keyframe.key]
        kept = kept[kept[:, 4] >= min(0.9, kept[:, 4].max()), :4]
        torch.testing.assert_close(seen, torch.from_numpy(kept).float(), atol=1e-6, rtol=0)
    # MMAction2 0.x writes 3 decimals, keyframes in dataset order, then class, then box
    rows = [line.split(",") for line in out.read_text().splitlines()]
    assert all(len(r) == 8 and all(len(v.split(".")[1]) == 3 for v in r[2:6] + r[7:]) for r in rows)
    order = [(r[0], int(r[1])) for r in rows]
    keys = [(k.video_id, k.timestamp) for k in data.keyframes]
    assert order == sorted(order, key=keys.index)


def test_custom_classes_are_mapped_back(synthetic: SyntheticAVA, tmp_path: Path) -> None:
    data = val_set(synthetic, custom_classes=(3, 5), num_classes=3)
    out = tmp_path / "detections.csv"
    result = Evaluator(Oracle(data.keyframes), data, progress=False).evaluate(out_file=out)
    assert set(ava_files.read_detections_csv(out).action_id.tolist()) <= {3, 5}
    assert set(result.per_class) <= {3, 5} and result.map == 1.0


def test_wrong_labels_score_below_one(synthetic: SyntheticAVA) -> None:
    data = val_set(synthetic)

    class Shifted(Oracle):
        def predict(self, clips: torch.Tensor, boxes: list[torch.Tensor]) -> list[torch.Tensor]:
            return [s.roll(1, dims=1) for s in super().predict(clips, boxes)]

    result = Evaluator(Shifted(data.keyframes), data, progress=False).evaluate()
    assert result.map < 0.75


# ----------------------------------------------------------------------------- a real model


def test_real_slowonly_runs_over_the_synthetic_set(synthetic: SyntheticAVA, tmp_path: Path) -> None:
    recipe = avazoo.get_recipe("slowonly_r50_4x16_ava21")
    config = dataclasses.replace(
        read_synthetic_config(synthetic.root, base=recipe.data), test_short_side=48
    )
    data = AVADataset(config, synthetic.root, split="val")
    model = avazoo.create_model(recipe.name, num_classes=config.num_classes)
    modes = []
    predict = model.predict

    def spy(clips: torch.Tensor, boxes: list[torch.Tensor]) -> list[torch.Tensor]:
        modes.append(model.training)
        assert clips.shape[1:3] == (3, 4) and clips.shape[-2] == 48  # 4x16 clips, short side 48
        return predict(clips, boxes)

    model.predict = spy
    out = tmp_path / "detections.csv"
    result = Evaluator(model, data, batch_size=3, progress=False).evaluate(out_file=out)
    assert modes == [False, False]  # 6 keyframes in batches of 3, in eval mode
    assert model.training  # the caller's mode is restored
    detections = ava_files.read_detections_csv(out)
    assert len(detections) > 0
    assert set(detections.action_id.tolist()) <= set(range(1, 6))
    assert ((detections.score > 0.002) & (detections.score <= 1)).all()
    assert 0.0 <= result.map <= 1.0
