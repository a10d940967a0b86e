"""The synthetic mini-AVA: written in the real layout, read back through AVADataset unchanged,
drawn where its annotations say, deterministic, atomic."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from avazoo.data import ava_files
from avazoo.data.dataset import AVADataset
from avazoo.data.sampling import clip_frame_indices, keyframe_index
from avazoo.data.synth import (
    FRAME_HEIGHT,
    FRAME_WIDTH,
    SYNTH_CLASSES,
    SyntheticAVA,
    make_synthetic_ava,
    read_synthetic_config,
    synthetic_data_config,
)
from avazoo.errors import DatasetError
from avazoo.recipes import get_recipe
from tests._data_helpers import shared_synthetic


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> SyntheticAVA:
    return shared_synthetic(tmp_path_factory)


SCALE = np.array([FRAME_WIDTH, FRAME_HEIGHT, FRAME_WIDTH, FRAME_HEIGHT])


def test_real_layout(synthetic: SyntheticAVA) -> None:
    root, config = synthetic.root, synthetic.config
    for name in (
        config.train_ann_file,
        config.val_ann_file,
        config.train_exclude_file,
        config.val_exclude_file,
        config.label_file,
        config.train_proposal_file,
        config.val_proposal_file,
    ):
        assert (root / "annotations" / name).is_file(), name
    assert config.train_proposal_file == "ava_dense_proposals_train.FAIR.recall_93.9.pkl"
    for video in synthetic.videos["train"] + synthetic.videos["val"]:
        frames = sorted((root / "rawframes" / video.video_id).iterdir())
        assert [f.name for f in frames] == [
            f"img_{k:05d}.jpg" for k in range(1, video.num_frames + 1)
        ]
    assert not [p for p in root.parent.iterdir() if p.name.startswith(".")]  # no temp folder left


def test_label_map_names_the_classes(synthetic: SyntheticAVA) -> None:
    labels = ava_files.read_label_map(synthetic.root / "annotations" / synthetic.config.label_file)
    assert labels.as_dict() == SYNTH_CLASSES
    assert synthetic.config.num_classes == len(SYNTH_CLASSES) + 1


@pytest.mark.parametrize("split", ["train", "val"])
def test_dataset_reproduces_the_generated_boxes_and_labels(
    synthetic: SyntheticAVA, split: str
) -> None:
    data = AVADataset(read_synthetic_config(synthetic.root), synthetic.root, split=split)
    by_key = {(k.video_id, k.timestamp): k for k in data.keyframes}
    excluded = set(synthetic.excluded[split])
    expected_keys = {(v.video_id, t) for v in synthetic.videos[split] for t in v.timestamps} - (
        excluded if split == "train" else set()
    )
    assert set(by_key) == expected_keys
    for video in synthetic.videos[split]:
        for t in video.timestamps:
            if (video.video_id, t) not in by_key:
                continue
            keyframe = by_key[(video.video_id, t)]
            frame = keyframe_index(t, fps=30, timestamp_start=900)
            assert keyframe.entity_ids.tolist() == [f.person_id for f in video.figures]
            for figure, box, labels in zip(
                video.figures, keyframe.boxes, keyframe.labels, strict=True
            ):
                np.testing.assert_allclose(
                    box * SCALE, figure.box(frame), atol=0.0005 * FRAME_WIDTH
                )
                assert np.flatnonzero(labels).tolist() == sorted(figure.actions(frame))


def test_exclusion_listed_and_observable(synthetic: SyntheticAVA) -> None:
    root, config = synthetic.root, synthetic.config
    for split, name in (("train", config.train_exclude_file), ("val", config.val_exclude_file)):
        listed = ava_files.read_excluded(root / "annotations" / name)
        assert listed == list(synthetic.excluded[split]) and listed
    train = AVADataset(config, root, split="train")
    assert train.excluded_keyframes == len(synthetic.excluded["train"])


def test_keyframe_pixels_show_the_annotated_figures(synthetic: SyntheticAVA) -> None:
    data = AVADataset(synthetic.config, synthetic.root, split="val")
    for keyframe in data.keyframes:
        video = next(v for v in synthetic.videos["val"] if v.video_id == keyframe.video_id)
        frame = keyframe_index(keyframe.timestamp, fps=30, timestamp_start=900)
        path = synthetic.root / "rawframes" / video.video_id / f"img_{frame:05d}.jpg"
        image = np.asarray(Image.open(path).convert("RGB"), dtype=np.float64)
        for figure, box in zip(video.figures, keyframe.boxes, strict=True):
            x1, y1, x2, y2 = np.rint(box * SCALE).astype(int)
            body = image[y1 + (y2 - y1) // 4 + 2 : y2 - 2, x1 + 2 : x2 - 2]
            np.testing.assert_allclose(body.mean(axis=(0, 1)), figure.colour_at(frame), atol=12)
            left_of = image[y1 + 2 : y2 - 2, max(x1 - 3, 0) : max(x1 - 1, 0)]
            if left_of.size:
                assert np.abs(left_of.mean(axis=(0, 1)) - figure.colour_at(frame)).max() > 40


def test_proposals_cover_every_person_with_a_high_score(synthetic: SyntheticAVA) -> None:
    proposals = ava_files.read_proposals(
        synthetic.root / "annotations" / synthetic.config.val_proposal_file
    )
    data = AVADataset(synthetic.config, synthetic.root, split="val")
    assert data.missing_proposals == 0
    for keyframe in data.keyframes:
        found = proposals[keyframe.key]
        assert found.shape == (len(keyframe.boxes) + 1, 5)  # one distractor per keyframe
        assert (found[:, 4] < 0.9).sum() == 1
        for box in keyframe.boxes:
            iou = _iou(found[:, :4], box)
            assert iou.max() > 0.8 and found[iou.argmax(), 4] >= 0.9


def _iou(boxes: np.ndarray, box: np.ndarray) -> np.ndarray:
    lt = np.maximum(boxes[:, :2], box[:2])
    rb = np.minimum(boxes[:, 2:], box[2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=1)
    area = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
    return inter / (area + np.prod(box[2:] - box[:2]) - inter)


@pytest.mark.parametrize(("clip_len", "interval"), [(32, 2), (4, 16), (8, 8)])
def test_frames_cover_every_recipe_clip_with_jitter(
    synthetic: SyntheticAVA, clip_len: int, interval: int
) -> None:
    low, high = -(interval // 2), (interval + 1) // 2 - 1
    for video in synthetic.videos["train"]:
        for t in video.timestamps:
            base = clip_frame_indices(t, clip_len=clip_len, frame_interval=interval)
            assert base.min() + low >= 1 and base.max() + high <= video.num_frames


def test_config_from_manifest_and_from_a_recipe(synthetic: SyntheticAVA) -> None:
    assert read_synthetic_config(synthetic.root) == synthetic_data_config()
    recipe = get_recipe("slowonly_r50_4x16_ava21")
    config = read_synthetic_config(synthetic.root, base=recipe.data)
    assert (config.clip_len, config.frame_interval) == (4, 16)
    assert config.num_classes == 6 and config.label_file == synthetic.config.label_file
    assert dataclasses.replace(config, num_classes=81).train_scale_range == (256, 320)


def test_not_a_synthetic_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="avazoo data synth"):
        read_synthetic_config(tmp_path)


def _file_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    a = _file_bytes(make_synthetic_ava(tmp_path / "a", videos=1, keyframes=1, seed=3).root)
    b = _file_bytes(make_synthetic_ava(tmp_path / "b", videos=1, keyframes=1, seed=3).root)
    c = _file_bytes(make_synthetic_ava(tmp_path / "c", videos=1, keyframes=1, seed=4).root)
    assert a == b
    assert a != c


def test_refuses_a_non_empty_folder_and_leaves_it_alone(tmp_path: Path) -> None:
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(DatasetError, match="not empty"):
        make_synthetic_ava(out, videos=1, keyframes=1)
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_bad_sizes() -> None:
    with pytest.raises(ValueError, match="videos and keyframes"):
        make_synthetic_ava("unused", videos=0)
