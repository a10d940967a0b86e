"""AVADataset on a hand-written tiny AVA folder: grouping, custom classes, proposals, exclusion,
frame reading, and the error cases. Expected values are worked out from RECIPES.md §3 by hand."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from avazoo.data.collate import collate_samples, shape_batches
from avazoo.data.dataset import AVADataset
from avazoo.errors import DataFormatError, DatasetError
from tests._data_helpers import TINY_FRAME_SIZE, frame_value, tiny_config, write_tiny_ava


@pytest.fixture
def tiny_root(tmp_path: Path) -> Path:
    return write_tiny_ava(tmp_path / "ava")


def labels_of(row: np.ndarray) -> list[int]:
    return np.flatnonzero(row).tolist()


def test_keyframes_and_entities(tiny_root: Path) -> None:
    data = AVADataset(tiny_config(), tiny_root, split="val")
    assert [(k.video_id, k.timestamp) for k in data.keyframes] == [
        ("vidA", 902),
        ("vidA", 903),
        ("vidB", 902),
    ]
    first = data.keyframes[0]
    # rows 1, 2 and 4 share a box: one entity (grouped by box, not person id), id of its first row
    np.testing.assert_array_equal(
        first.boxes, np.float32([[0.1, 0.2, 0.5, 0.9], [0.6, 0.1, 0.9, 0.8]])
    )
    assert [labels_of(r) for r in first.labels] == [[12, 17, 79], [80]]
    assert first.labels.shape == (2, 81) and first.labels.dtype == np.float32
    assert first.entity_ids.tolist() == [3, 4]
    assert first.labels[:, 0].sum() == 0


def test_custom_classes_remap_to_positions(tiny_root: Path) -> None:
    data = AVADataset(tiny_config(custom_classes=(80, 17), num_classes=3), tiny_root, split="val")
    # (0, 80, 17): id 80 -> label 1, id 17 -> label 2; vidA,0903 only has id 1 -> no sample
    assert [(k.video_id, k.timestamp) for k in data.keyframes] == [("vidA", 902), ("vidB", 902)]
    first = data.keyframes[0]
    assert [labels_of(r) for r in first.labels] == [[2], [1]]
    assert first.labels.shape == (2, 3)


@pytest.mark.parametrize(
    ("custom", "num_classes", "message"),
    [
        ((17, 80), 4, "num_classes must be"),
        ((0, 17), 3, "must not contain 0"),
        ((17, 2), 3, r"\[2\] are not in the label map"),
    ],
)
def test_bad_custom_classes(tiny_root: Path, custom: tuple, num_classes: int, message: str) -> None:
    config = tiny_config(custom_classes=custom, num_classes=num_classes)
    with pytest.raises(ValueError, match=message):
        AVADataset(config, tiny_root, split="val")


def test_excluded_keyframes_removed_in_training_only(tiny_root: Path) -> None:
    train = AVADataset(tiny_config(), tiny_root, split="train")
    val = AVADataset(tiny_config(), tiny_root, split="val")
    assert [(k.video_id, k.timestamp) for k in train.keyframes] == [("vidA", 902), ("vidB", 902)]
    assert train.excluded_keyframes == 1
    assert len(val) == 3


def test_proposal_filtering(tiny_root: Path) -> None:
    data = AVADataset(tiny_config(), tiny_root, split="val")
    height, width = TINY_FRAME_SIZE
    scale = torch.tensor([width, height, width, height], dtype=torch.float32)
    sample = data[0]  # scores 0.95, 0.5, 0.92, 0.3 with thr 0.9: rows 0 and 2, in file order
    expected = torch.tensor([[0.11, 0.21, 0.49, 0.88], [0.61, 0.12, 0.88, 0.79]]) * scale
    torch.testing.assert_close(sample.proposals, expected)
    torch.testing.assert_close(sample.scores, torch.tensor([0.95, 0.92]))
    edge = data[1]  # no score reaches 0.9: thr = max = 0.85, and 0.85 >= 0.85 is kept
    torch.testing.assert_close(edge.scores, torch.tensor([0.85, 0.85]))
    assert edge.proposals.shape == (2, 4)


def test_missing_keyframe_gets_whole_frame_and_is_counted(tiny_root: Path) -> None:
    data = AVADataset(tiny_config(), tiny_root, split="val")
    assert data.missing_proposals == 1
    (tiny_root / "rawframes" / "vidB").symlink_to(tiny_root / "rawframes" / "vidA")
    sample = data[2]
    height, width = TINY_FRAME_SIZE
    torch.testing.assert_close(sample.proposals, torch.tensor([[0.0, 0.0, width, height]]))
    torch.testing.assert_close(sample.scores, torch.tensor([1.0]))


def test_four_column_proposals_kept_as_they_are_up_to_the_maximum(tiny_root: Path) -> None:
    four = {
        "vidA,0902": np.array([[0.1, 0.1, 0.2, 0.2], [0.3, 0.3, 0.5, 0.5], [0.6, 0.6, 0.9, 0.9]])
    }
    with open(tiny_root / "annotations" / "proposals.pkl", "wb") as handle:
        pickle.dump(four, handle)
    data = AVADataset(tiny_config(num_max_proposals=2), tiny_root, split="val")
    sample = data[0]
    assert sample.scores is None
    height, width = TINY_FRAME_SIZE
    scale = torch.tensor([width, height, width, height], dtype=torch.float32)
    torch.testing.assert_close(
        sample.proposals, torch.tensor(four["vidA,0902"][:2]).float() * scale
    )


def test_test_mode_reads_the_hand_computed_frames(tiny_root: Path) -> None:
    data = AVADataset(tiny_config(), tiny_root, split="val")
    sample = data[0]
    assert sample.frame_indices.tolist() == [29, 45, 61, 77]  # t = 902, 4x16
    assert sample.clip.shape == (3, 4, 24, 32)
    mean, std = data.config.mean[0], data.config.std[0]
    grey = (sample.clip[0, :, 12, 16] * std + mean).round().to(torch.int64)
    assert grey.tolist() == [frame_value(k) for k in (29, 45, 61, 77)]


def test_clip_past_the_last_frame_names_the_file(tiny_root: Path) -> None:
    for k in range(101, 131):  # keep frames 1..100 only
        (tiny_root / "rawframes" / "vidA" / f"img_{k:05d}.jpg").unlink()
    data = AVADataset(tiny_config(), tiny_root, split="val")
    assert data.frame_indices(1).tolist() == [59, 75, 91, 107]  # t = 903
    with pytest.raises(DatasetError, match=r"img_00107\.jpg does not exist"):
        data[1]


def test_missing_frame_names_the_file(tiny_root: Path) -> None:
    (tiny_root / "rawframes" / "vidA" / "img_00045.jpg").unlink()
    data = AVADataset(tiny_config(), tiny_root, split="val")
    with pytest.raises(DatasetError, match=r"vidA/img_00045\.jpg does not exist"):
        data[0]


def test_corrupt_frame_names_the_file(tiny_root: Path) -> None:
    (tiny_root / "rawframes" / "vidA" / "img_00061.jpg").write_bytes(b"not a jpeg")
    data = AVADataset(tiny_config(), tiny_root, split="val")
    with pytest.raises(DatasetError, match=r"cannot decode frame file .*img_00061\.jpg"):
        data[0]


def test_video_without_frames_or_file(tiny_root: Path) -> None:
    data = AVADataset(tiny_config(), tiny_root, split="val")
    with pytest.raises(DatasetError, match=r"no frames for video 'vidB'.*rawframes/vidB"):
        data[2]


def test_train_samples_are_reproducible_per_seed_and_epoch(tiny_root: Path) -> None:
    data = AVADataset(tiny_config(), tiny_root, split="train", seed=5)
    a, b = data[0], data[0]
    assert torch.equal(a.clip, b.clip) and np.array_equal(a.frame_indices, b.frame_indices)
    assert a.clip.shape == (3, 4, 24, 24)
    base = np.array([29, 45, 61, 77])
    draws = set()
    for epoch in range(6):
        data.set_epoch(epoch)
        offsets = data[0].frame_indices - base
        assert offsets.min() >= -8 and offsets.max() <= 7
        draws.add(tuple(offsets.tolist()))
    assert len(draws) > 1


def test_train_sample_boxes_and_labels(tiny_root: Path) -> None:
    data = AVADataset(tiny_config(), tiny_root, split="train", seed=0)
    sample = data[0]
    assert sample.gt_boxes.shape == (2, 4) and sample.proposals.shape == (2, 4)
    assert sample.gt_labels.shape == (2, 81)
    assert ((sample.gt_boxes >= 0) & (sample.gt_boxes <= 23)).all()  # clipped to the 24 crop


def test_missing_annotation_file(tiny_root: Path) -> None:
    (tiny_root / "annotations" / "val.csv").unlink()
    with pytest.raises(DatasetError, match=r"missing annotation file .*val\.csv"):
        AVADataset(tiny_config(), tiny_root, split="val")


def test_missing_exclusion_file_in_training(tiny_root: Path) -> None:
    (tiny_root / "annotations" / "train_excluded.csv").unlink()
    with pytest.raises(DatasetError, match=r"train_excluded\.csv"):
        AVADataset(tiny_config(), tiny_root, split="train")


def test_malformed_row_names_file_and_line(tiny_root: Path) -> None:
    path = tiny_root / "annotations" / "val.csv"
    lines = path.read_text().splitlines()
    lines[2] = "vidA,0902,0.6,0.1,0.9"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFormatError, match=r"val\.csv, line 3"):
        AVADataset(tiny_config(), tiny_root, split="val")


def test_action_id_beyond_num_classes_names_file_and_line(tiny_root: Path) -> None:
    path = tiny_root / "annotations" / "val.csv"
    path.write_text(path.read_text() + "vidA,0904,0.1,0.1,0.2,0.2,81,7\n")
    with pytest.raises(DataFormatError, match=r"val\.csv, line 7: action id 81 is outside 1\.\.80"):
        AVADataset(tiny_config(), tiny_root, split="val")


def test_empty_proposal_array_is_an_error(tiny_root: Path) -> None:
    with open(tiny_root / "annotations" / "proposals.pkl", "wb") as handle:
        pickle.dump({"vidA,0902": np.zeros((0, 5))}, handle)
    with pytest.raises(DatasetError, match="'vidA,0902' has an empty proposal array"):
        AVADataset(tiny_config(), tiny_root, split="val")


def test_bad_split_and_backend(tiny_root: Path) -> None:
    with pytest.raises(ValueError, match="split"):
        AVADataset(tiny_config(), tiny_root, split="test")
    with pytest.raises(ValueError, match="JPEG backend"):
        AVADataset(tiny_config(), tiny_root, split="val", jpeg_backend="nope")


def test_jpeg_backends_decode_identically(tiny_root: Path) -> None:
    tv = AVADataset(tiny_config(), tiny_root, split="val", jpeg_backend="torchvision")[0]
    pil = AVADataset(tiny_config(), tiny_root, split="val", jpeg_backend="pil")[0]
    assert torch.equal(tv.clip, pil.clip)


def test_batches_never_mix_frame_sizes(tiny_root: Path) -> None:
    other = tiny_root / "rawframes" / "vidB"
    other.mkdir()
    for k in range(1, 81):
        Image.fromarray(np.zeros((30, 50, 3), np.uint8)).save(other / f"img_{k:05d}.jpg")
    data = AVADataset(tiny_config(), tiny_root, split="val")
    assert shape_batches(data, batch_size=2) == [[0, 1], [2]]
    assert shape_batches(data, batch_size=1) == [[0], [1], [2]]
    batch = collate_samples([data[0], data[1]])
    assert batch.clips.shape == (2, 3, 4, 24, 32) and len(batch) == 2
    assert [p.shape[0] for p in batch.proposals] == [2, 2]
    assert [g.shape for g in batch.gt_labels] == [(2, 81), (1, 81)]
    with pytest.raises(ValueError, match="different shapes"):
        collate_samples([data[0], data[2]])
