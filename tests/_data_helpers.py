"""Fixtures for the data-pipeline tests: a hand-written tiny AVA folder and a small synthetic set.

The tiny folder is written here with plain ``pickle``/PIL/text (not avazoo's writers), so the
dataset tests check avazoo's readers against files made independently.
"""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from avazoo.data.synth import SyntheticAVA, make_synthetic_ava
from avazoo.recipes.types import DataConfig

SHARED = Path(__file__).resolve().parents[2] / "shared"

TINY_GT = """\
vidA,0902,0.1,0.2,0.5,0.9,12,3
vidA,0902,0.1,0.2,0.5,0.9,17,3
vidA,0902,0.6,0.1,0.9,0.8,80,4
vidA,0902,0.1,0.2,0.5,0.9,79,9
vidA,0903,0.2,0.2,0.4,0.4,1,5
vidB,0902,0.0,0.0,1.0,1.0,17,1
"""

TINY_LABELS = """\
item {
  name: "bend/bow (at the waist)"
  id: 1
}
item {
  name: "stand"
  id: 12
}
item {
  name: "carry/hold (an object)"
  id: 17
}
item {
  name: "talk to (e.g., self, a person, a group)"
  id: 79
}
item {
  name: "watch (a person)"
  id: 80
}
"""

TINY_PROPOSALS = {
    "vidA,0902": np.array(
        [
            [0.11, 0.21, 0.49, 0.88, 0.95],
            [0.0, 0.0, 0.2, 0.2, 0.5],
            [0.61, 0.12, 0.88, 0.79, 0.92],
            [0.3, 0.3, 0.4, 0.4, 0.3],
        ]
    ),
    # every score below 0.9: thr = max = 0.85, both 0.85 boxes kept (>=)
    "vidA,0903": np.array(
        [[0.2, 0.2, 0.4, 0.4, 0.7], [0.21, 0.2, 0.4, 0.41, 0.85], [0.5, 0.5, 0.6, 0.6, 0.85]]
    ),
    # vidB,0902 is missing: whole frame, counted
}

TINY_FRAME_SIZE = (24, 32)  # (H, W)
TINY_FRAMES = 130


def tiny_config(**changes: object) -> DataConfig:
    """A 4x16 config over the tiny folder, with a small test short side so nothing resizes."""
    config = DataConfig(
        ava_version="2.2",
        clip_len=4,
        frame_interval=16,
        train_ann_file="train.csv",
        val_ann_file="val.csv",
        train_exclude_file="train_excluded.csv",
        val_exclude_file="val_excluded.csv",
        label_file="labels.pbtxt",
        train_proposal_file="proposals.pkl",
        val_proposal_file="proposals.pkl",
        train_scale_range=(24, 30),
        train_crop_size=24,
        test_short_side=24,
    )
    return replace(config, **changes)


def frame_value(index: int) -> int:
    """The grey level of the tiny videos' frame ``index`` (1-based): it identifies the frame."""
    return (index * 2) % 251


def write_tiny_ava(root: Path) -> Path:
    """Write the tiny AVA folder (video vidA with 130 frames; vidB has none) under ``root``."""
    annotations = root / "annotations"
    annotations.mkdir(parents=True)
    (annotations / "train.csv").write_text(TINY_GT)
    (annotations / "val.csv").write_text(TINY_GT)
    (annotations / "train_excluded.csv").write_text("vidA,0903\n")
    (annotations / "val_excluded.csv").write_text("vidA,0903\n")
    (annotations / "labels.pbtxt").write_text(TINY_LABELS)
    with open(annotations / "proposals.pkl", "wb") as handle:
        pickle.dump(TINY_PROPOSALS, handle)
    frames = root / "rawframes" / "vidA"
    frames.mkdir(parents=True)
    height, width = TINY_FRAME_SIZE
    for k in range(1, TINY_FRAMES + 1):
        image = np.full((height, width, 3), frame_value(k), dtype=np.uint8)
        Image.fromarray(image).save(frames / f"img_{k:05d}.jpg", quality=95)
    return root


_SHARED_SYNTHETIC: list[SyntheticAVA] = []


def shared_synthetic(factory: pytest.TempPathFactory) -> SyntheticAVA:
    """A small synthetic set (2 videos x 3 keyframes per split), written once per session and
    shared by the tests that only read it. Test modules wrap it in a session fixture."""
    if not _SHARED_SYNTHETIC:
        root = factory.mktemp("synth") / "ava"
        _SHARED_SYNTHETIC.append(make_synthetic_ava(root, videos=2, keyframes=3, seed=11))
    return _SHARED_SYNTHETIC[0]
