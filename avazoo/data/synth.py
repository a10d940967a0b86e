"""A synthetic mini-AVA in exactly the real on-disk layout, with learnable actions.

Each video shows one to three figures (a body with a head), one per horizontal lane, over a
static textured background. Every 2-4 seconds a figure picks a new motion: walk (class 1, left
or right, looking where it goes), jump (2), sit (3, shorter) or stand still (4), and half the time
it also changes colour every 5 frames meanwhile (5, a second label of the same person). Every
class shows in a clip through appearance and motion, no figure is tied to one class, and every
class is unchanged by a horizontal flip (the training augmentation), so a detector learns them
quickly on a CPU.

Written under ``out_dir`` (see :class:`avazoo.data.dataset.AVADataset` for the layout):
frames 1..N of each video as ``rawframes/<video_id>/img_%05d.jpg`` (N covers every keyframe's
clip for all recipes' samplers, jitter included), the train/val ground-truth CSVs, excluded
timestamps (the last keyframe of each split's first video, whose ground truth stays in the CSV so
that the exclusion is observable), an ``item {}`` label map, proposal pickles with scores (each
person's box jittered, score >= 0.91, plus one low-score distractor per keyframe), and
``avazoo_synth.json``, the manifest from which :func:`read_synthetic_config` rebuilds the
:class:`DataConfig`. Everything is deterministic for a seed and appears atomically.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from avazoo.data import ava_files
from avazoo.data.sampling import keyframe_index
from avazoo.errors import DatasetError

if TYPE_CHECKING:
    from avazoo.recipes.types import DataConfig

__all__ = [
    "SYNTH_CLASSES",
    "MANIFEST_NAME",
    "Figure",
    "SynthVideo",
    "SyntheticAVA",
    "make_synthetic_ava",
    "read_synthetic_config",
    "render_frame",
    "synthetic_data_config",
]

SYNTH_CLASSES = {1: "walk", 2: "jump", 3: "sit", 4: "stand", 5: "change colour"}
MANIFEST_NAME = "avazoo_synth.json"
FRAME_HEIGHT, FRAME_WIDTH = 168, 224
FIRST_KEYFRAME = 902
_LANES = 3
_LANE_HEIGHT = FRAME_HEIGHT // _LANES
_MARGIN = 40  # frames written around the keyframes: covers 32x2, 8x8 and 4x16 clips + jitter
_JUMP_PERIOD, _JUMP_HEIGHT = 12, 12
_WALK_SPEED = 0.5  # pixels per frame
_SIT_HEIGHT = 0.6  # a sitting figure's height, as a fraction of its standing height
_BLINK_HALF_PERIOD = 5
_FILES = {
    "ava_version": "2.2",
    "train_ann_file": "ava_train_v2.2.csv",
    "val_ann_file": "ava_val_v2.2.csv",
    "train_exclude_file": "ava_train_excluded_timestamps_v2.2.csv",
    "val_exclude_file": "ava_val_excluded_timestamps_v2.2.csv",
    "label_file": "ava_action_list_synth.pbtxt",
    "train_proposal_file": "ava_dense_proposals_train.FAIR.recall_93.9.pkl",
    "val_proposal_file": "ava_dense_proposals_val.FAIR.recall_93.9.pkl",
    "num_classes": len(SYNTH_CLASSES) + 1,
    "custom_classes": None,
}


@dataclass(frozen=True, eq=False)
class Figure:
    """One person of a synthetic video and its track, frame by frame (index ``frame - 1``).

    Attributes:
        person_id: 1-based id (its lane + 1).
        width, height: standing body size in pixels.
        colour, alt_colour: RGB; the figure alternates between them while it changes colour.
        x: float ``[N]`` left edge per frame; lift: int ``[N]`` pixels above the ground (jumps).
        motion: int ``[N]`` the motion class per frame (1-4); blink: bool ``[N]`` class 5.
        facing: int ``[N]`` -1 (left), 0 (ahead) or 1 (right): where the eye is.
    """

    person_id: int
    width: int
    height: int
    colour: tuple[int, int, int]
    alt_colour: tuple[int, int, int]
    x: np.ndarray
    lift: np.ndarray
    motion: np.ndarray
    blink: np.ndarray
    facing: np.ndarray

    def box(self, frame: int) -> tuple[int, int, int, int]:
        """Pixel edges ``(x1, y1, x2, y2)`` (``x2``/``y2`` exclusive) at 1-based ``frame``."""
        x = round(float(self.x[frame - 1]))
        height = round(self.height * _SIT_HEIGHT) if self.motion[frame - 1] == 3 else self.height
        y = self.person_id * _LANE_HEIGHT - 3 - height - int(self.lift[frame - 1])
        return x, y, x + self.width, y + height

    def actions(self, frame: int) -> tuple[int, ...]:
        """The class ids at 1-based ``frame``: the motion, plus 5 while changing colour."""
        motion = int(self.motion[frame - 1])
        return (motion, 5) if self.blink[frame - 1] else (motion,)

    def colour_at(self, frame: int) -> tuple[int, int, int]:
        """The body colour at 1-based ``frame``."""
        if self.blink[frame - 1] and ((frame - 1) // _BLINK_HALF_PERIOD) % 2:
            return self.alt_colour
        return self.colour


@dataclass(frozen=True)
class SynthVideo:
    """One synthetic video: its id, length, keyframe seconds and figures."""

    video_id: str
    num_frames: int
    timestamps: tuple[int, ...]
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class SyntheticAVA:
    """What :func:`make_synthetic_ava` wrote: the folder, its config and the scene of each split."""

    root: Path
    config: DataConfig
    videos: dict[str, tuple[SynthVideo, ...]]
    excluded: dict[str, tuple[tuple[str, int], ...]]


def synthetic_data_config(*, base: DataConfig | None = None) -> DataConfig:
    """The :class:`DataConfig` of a synthetic set: ``base``'s sampling and pipeline (a recipe's
    ``recipe.data``; default 32x2 clips) with the synthetic file names and 6 classes."""
    from avazoo.recipes.types import DataConfig

    if base is None:
        return DataConfig(clip_len=32, frame_interval=2, **_FILES)
    return dataclasses.replace(base, **_FILES)


def read_synthetic_config(root: str | Path, *, base: DataConfig | None = None) -> DataConfig:
    """The :class:`DataConfig` stored in ``root/avazoo_synth.json`` (or ``base`` + its files)."""
    path = Path(root) / MANIFEST_NAME
    if not path.is_file():
        raise DatasetError(
            f"{path} not found: {root} is not a synthetic AVA folder; create one with "
            "`avazoo data synth --out DIR`"
        )
    if base is not None:
        return synthetic_data_config(base=base)
    from avazoo.recipes.types import DataConfig

    fields = json.loads(path.read_text())["data_config"]
    return DataConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()})


# ---------------------------------------------------------------------------- scene generation


def _video_id(rng: np.random.Generator) -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return "".join(rng.choice(list(alphabet), size=11))


def _segment(motion: int, start: float, velocity: float, length: int) -> tuple[np.ndarray, ...]:
    """x positions and lifts of one action segment that starts at ``start``."""
    steps = np.arange(length)
    lift = np.zeros(length, dtype=np.int64)
    if motion == 2:
        lift = np.rint(_JUMP_HEIGHT * np.abs(np.sin(np.pi * steps / _JUMP_PERIOD))).astype(np.int64)
    return start + velocity * steps, lift


def _next_motion(
    position: float, length: int, bounds: tuple[float, float], rng: np.random.Generator
) -> tuple[int, float]:
    """A random motion for the next segment and its velocity (walks stay inside ``bounds``)."""
    room = _WALK_SPEED * length
    directions = [d for d in (-1, 1) if bounds[0] <= position + d * room <= bounds[1]]
    motion = int(rng.choice([1, 2, 3, 4] if directions else [2, 3, 4]))
    return motion, (_WALK_SPEED * float(rng.choice(directions)) if motion == 1 else 0.0)


def _figure(person_id: int, num_frames: int, rng: np.random.Generator) -> Figure:
    """A figure doing a random action every 2-4 s, always inside the frame."""
    width, height = int(rng.integers(14, 23)), int(rng.integers(28, 37))
    bounds = (4.0, float(FRAME_WIDTH - width - 4))
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("x", "lift", "motion", "blink", "face")}
    position, frame = rng.uniform(*bounds), 0
    while frame < num_frames:
        length = min(int(rng.integers(60, 121)), num_frames - frame)
        motion, velocity = _next_motion(position, length, bounds, rng)
        x, lift = _segment(motion, position, velocity, length)
        for key, value in zip(
            parts, (x, lift, motion, rng.random() < 0.5, np.sign(velocity)), strict=True
        ):
            parts[key].append(np.broadcast_to(value, (length,)))
        position = float(x[-1]) + velocity
        frame += length
    colour = tuple(int(c) for c in rng.permutation([230, int(rng.integers(40, 200)), 30]))
    alt = tuple(255 - c for c in colour)
    x, lift, motion, blink, facing = (np.concatenate(v) for v in parts.values())
    return Figure(person_id, width, height, colour, alt, x, lift, motion, blink, facing.astype(int))


def _make_split(
    videos: int, keyframes: int, rng: np.random.Generator, taken: set[str]
) -> tuple[SynthVideo, ...]:
    """``videos`` videos of ``keyframes`` keyframes (902, 903, ...) with 1-3 figures each."""
    timestamps = tuple(range(FIRST_KEYFRAME, FIRST_KEYFRAME + keyframes))
    num_frames = keyframe_index(timestamps[-1], fps=30, timestamp_start=900) + _MARGIN
    lanes = [
        sorted(rng.choice(_LANES, size=int(rng.integers(1, _LANES + 1)), replace=False))
        for _ in range(videos)
    ]
    out = []
    for video_lanes in lanes:
        video_id = _video_id(rng)
        while video_id in taken:
            video_id = _video_id(rng)
        taken.add(video_id)
        figures = tuple(_figure(int(lane) + 1, num_frames, rng) for lane in video_lanes)
        out.append(SynthVideo(video_id, num_frames, timestamps, figures))
    return tuple(out)


def _background(rng: np.random.Generator) -> np.ndarray:
    """A static, muted, textured RGB uint8 ``[H, W, 3]`` background."""
    top, bottom = rng.uniform(60, 140, size=(2, 3))
    ramp = np.linspace(0, 1, FRAME_HEIGHT)[:, None, None]
    image = np.broadcast_to(top + (bottom - top) * ramp, (FRAME_HEIGHT, FRAME_WIDTH, 3)).copy()
    for _ in range(12):
        x, y = rng.integers(0, FRAME_WIDTH), rng.integers(0, FRAME_HEIGHT)
        w, h = rng.integers(8, 40, size=2)
        image[y : y + h, x : x + w] += rng.uniform(-25, 25, size=3)
    return np.clip(image, 0, 255).astype(np.uint8)


def render_frame(background: np.ndarray, figures: tuple[Figure, ...], frame: int) -> np.ndarray:
    """RGB uint8 ``[H, W, 3]``: the figures drawn over ``background`` at 1-based ``frame``."""
    image = background.copy()
    for figure in figures:
        x1, y1, x2, y2 = figure.box(frame)
        image[y1:y2, x1:x2] = figure.colour_at(frame)
        head = max(4, (y2 - y1) // 4)
        inset = figure.width // 4
        image[y1 : y1 + head, x1 + inset : x2 - inset] = (235, 195, 160)
        eye = _eye_column(int(figure.facing[frame - 1]), x1 + inset, x2 - inset)
        image[y1 + head // 2 - 1 : y1 + head // 2 + 2, eye : eye + 3] = (40, 40, 40)
    return image


def _eye_column(facing: int, left: int, right: int) -> int:
    """The eye's first column on a head spanning ``left..right``: the side the figure walks to,
    else straight ahead (the centre)."""
    if facing < 0:
        return left
    if facing > 0:
        return right - 3
    return (left + right) // 2 - 1


# ---------------------------------------------------------------------------- annotations


def _normalised(box: tuple[int, int, int, int]) -> list[float]:
    x1, y1, x2, y2 = box
    return [x1 / FRAME_WIDTH, y1 / FRAME_HEIGHT, x2 / FRAME_WIDTH, y2 / FRAME_HEIGHT]


def _gt_rows(videos: tuple[SynthVideo, ...]) -> ava_files.AVARows:
    ids, stamps, boxes, actions, persons = [], [], [], [], []
    for video in videos:
        for t in video.timestamps:
            frame = keyframe_index(t, fps=30, timestamp_start=900)
            for figure in video.figures:
                for action in figure.actions(frame):
                    ids.append(video.video_id)
                    stamps.append(t)
                    boxes.append(_normalised(figure.box(frame)))
                    actions.append(action)
                    persons.append(figure.person_id)
    return ava_files.AVARows.from_arrays(
        video_id=ids, timestamp=stamps, boxes=boxes, action_id=actions, score=persons
    )


def _proposals(videos: tuple[SynthVideo, ...], rng: np.random.Generator) -> dict[str, np.ndarray]:
    out = {}
    for video in videos:
        for t in video.timestamps:
            frame = keyframe_index(t, fps=30, timestamp_start=900)
            rows = []
            for figure in video.figures:
                box = np.array(_normalised(figure.box(frame)))
                size = np.tile(box[2:] - box[:2], 2)
                jittered = np.clip(box + rng.uniform(-0.02, 0.02, 4) * size, 0, 1)
                rows.append([*jittered, rng.uniform(0.91, 0.999)])
            x1, y1 = rng.uniform(0, 0.8, 2)
            rows.append([x1, y1, x1 + 0.15, y1 + 0.2, rng.uniform(0.05, 0.8)])
            out[ava_files.keyframe_key(video.video_id, t)] = np.round(
                rng.permutation(np.array(rows)), 3
            )
    return out


# ---------------------------------------------------------------------------- writing


def _write_frames(folder: Path, video: SynthVideo, rng: np.random.Generator) -> None:
    from PIL import Image

    folder.mkdir(parents=True)
    background = _background(rng)
    for frame in range(1, video.num_frames + 1):
        image = Image.fromarray(render_frame(background, video.figures, frame))
        image.save(folder / f"img_{frame:05d}.jpg", quality=90)


def _write_split(
    root: Path, split: str, videos: tuple[SynthVideo, ...], rng: np.random.Generator
) -> tuple[tuple[str, int], ...]:
    annotations = root / "annotations"
    for video in videos:
        _write_frames(root / "rawframes" / video.video_id, video, rng)
    ava_files.write_gt_csv(annotations / _FILES[f"{split}_ann_file"], _gt_rows(videos))
    excluded = ((videos[0].video_id, videos[0].timestamps[-1]),)
    ava_files.write_excluded(annotations / _FILES[f"{split}_exclude_file"], excluded)
    ava_files.write_proposals(
        annotations / _FILES[f"{split}_proposal_file"], _proposals(videos, rng)
    )
    return excluded


def _manifest(config: DataConfig, *, seed: int, videos: int, keyframes: int) -> dict[str, Any]:
    return {
        "format": "avazoo-synthetic-ava-v1",
        "seed": seed,
        "videos_per_split": videos,
        "keyframes_per_video": keyframes,
        "frame_size": [FRAME_HEIGHT, FRAME_WIDTH],
        "classes": {str(k): v for k, v in SYNTH_CLASSES.items()},
        "data_config": dataclasses.asdict(config),
    }


def make_synthetic_ava(
    out_dir: str | Path, *, videos: int = 16, keyframes: int = 8, seed: int = 0
) -> SyntheticAVA:
    """Write a synthetic mini-AVA to ``out_dir`` (which must not exist or be empty).

    Args:
        out_dir: the data root to create.
        videos: videos per split (train and val each).
        keyframes: keyframes per video (seconds 902, 903, ...).
        seed: the same seed writes the same files.
    """
    if videos < 1 or keyframes < 1:
        raise ValueError(f"videos and keyframes must be >= 1, got {videos} and {keyframes}")
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DatasetError(f"{out} already exists and is not empty; choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    taken: set[str] = set()
    scene = {split: _make_split(videos, keyframes, rng, taken) for split in ("train", "val")}
    config = synthetic_data_config()
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (tmp / "annotations").mkdir()
        excluded = {split: _write_split(tmp, split, vids, rng) for split, vids in scene.items()}
        label_map = ava_files.LabelMap.from_dict(SYNTH_CLASSES)
        ava_files.write_label_map(tmp / "annotations" / _FILES["label_file"], label_map)
        manifest = _manifest(config, seed=seed, videos=videos, keyframes=keyframes)
        (tmp / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
        if out.exists():
            out.rmdir()
        os.rename(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return SyntheticAVA(out, config, scene, excluded)
