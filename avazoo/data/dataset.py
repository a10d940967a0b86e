"""``AVADataset``: the AVA keyframes of one split on MMAction2's on-disk layout, ready for a model.

Layout under ``data_root`` (file names come from the recipe's :class:`DataConfig`)::

    rawframes/<video_id>/img_00001.jpg ...          extracted frames, or instead
    videos_15min/<video_id>.mp4 (.mkv, .webm)       the cut video, decoded on the fly
    annotations/ava_{train,val}_v2.X.csv            ground truth
    annotations/ava_{train,val}_excluded_timestamps_v2.X.csv
    annotations/<label map>.pbtxt
    annotations/ava_dense_proposals_{train,val}.FAIR.recall_93.9.pkl

One sample per keyframe of the split's annotation CSV, in file order (MMAction2 0.x). Excluded
keyframes are removed in training only (``test_mode=False``), as MMAction2 does; at test time they
are inferred and the metric skips them. Keyframes missing from the proposal file get the
whole-frame box, counted in :attr:`AVADataset.missing_proposals`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch.utils.data import Dataset

from avazoo.data import ava_files
from avazoo.data.annotations import (
    Keyframe,
    check_custom_classes,
    check_proposals,
    group_keyframes,
    select_proposals,
)
from avazoo.data.frames import DEFAULT_JPEG_BACKEND, RawFrameSource, check_backend
from avazoo.data.pipeline import eval_pipeline, train_pipeline
from avazoo.data.sampling import clip_frame_indices
from avazoo.data.video import VIDEO_SUFFIXES, VideoFileSource
from avazoo.errors import DatasetError

if TYPE_CHECKING:
    from avazoo.recipes.types import DataConfig

__all__ = ["AVADataset", "AVASample", "SPLITS"]

SPLITS = ("train", "val")


@dataclass(frozen=True, eq=False)
class AVASample:
    """One keyframe, transformed.

    Attributes:
        clip: float32 ``[3, T, H, W]``, normalised.
        proposals: float32 ``[p, 4]`` pixel ``(x1, y1, x2, y2)`` in ``clip``'s frame.
        scores: float32 ``[p]`` proposal scores (``None`` for a 4-column proposal file).
        gt_boxes: float32 ``[n, 4]`` pixel boxes of the ground-truth entities.
        gt_labels: float32 ``[n, num_classes]`` multi-hot labels.
        entity_ids: int64 ``[n]``.
        video_id, timestamp: the keyframe.
        img_shape: ``(H, W)`` of ``clip``; original_shape: ``(h, w)`` of the decoded frames.
        frame_indices: int64 ``[T]`` frame numbers read.
        flipped: whether the clip was mirrored (training only).
    """

    clip: torch.Tensor
    proposals: torch.Tensor
    scores: torch.Tensor | None
    gt_boxes: torch.Tensor
    gt_labels: torch.Tensor
    entity_ids: torch.Tensor
    video_id: str
    timestamp: int
    img_shape: tuple[int, int]
    original_shape: tuple[int, int]
    frame_indices: np.ndarray
    flipped: bool = False


class AVADataset(Dataset):
    """The keyframes of one AVA split, configured by a recipe's :class:`DataConfig`.

    Args:
        config: the data config (file names, sampling, pipeline parameters).
        data_root: the folder holding ``rawframes/`` (or ``videos_dir``) and ``annotations/``.
        split: ``"train"`` or ``"val"``.
        test_mode: no augmentation and no exclusion; defaults to ``split == "val"``.
        seed: makes training augmentation reproducible: sample ``i`` of epoch ``e`` draws from
            ``numpy.random.default_rng([seed, e, i])``; ``None`` draws a seed from torch's RNG
            (which DataLoader workers seed differently).
        jpeg_backend: JPEG decoder (see :mod:`avazoo.data.frames`).
        videos_dir: where video files are looked for when a video has no frame folder.
    """

    def __init__(
        self,
        config: DataConfig,
        data_root: str | Path,
        *,
        split: str,
        test_mode: bool | None = None,
        seed: int | None = None,
        jpeg_backend: str = DEFAULT_JPEG_BACKEND,
        videos_dir: str = "videos_15min",
    ) -> None:
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        check_backend(jpeg_backend)
        self.config = config
        self.root = Path(data_root)
        self.split = split
        self.test_mode = split == "val" if test_mode is None else test_mode
        self.seed = seed
        self.epoch = 0
        self.jpeg_backend = jpeg_backend
        self.videos_dir = videos_dir
        self._sources: dict[str, RawFrameSource | VideoFileSource] = {}
        self.label_map = ava_files.read_label_map(self._require(self.label_file))
        self._check_classes()
        self.keyframes = self._load_keyframes()
        self.proposals = ava_files.read_proposals(self._require(self.proposal_file))
        check_proposals(self.proposals, path=self.proposal_file)
        self.missing_proposals = sum(k.key not in self.proposals for k in self.keyframes)
        """Keyframes not in the proposal file (they get the whole-frame box, as in MMAction2)."""

    # ------------------------------------------------------------------ files
    def _annotation_path(self, name: str) -> Path:
        return self.root / self.config.annotations_dir / name

    @property
    def ann_file(self) -> Path:
        """The split's ground-truth CSV."""
        c = self.config
        return self._annotation_path(c.train_ann_file if self.split == "train" else c.val_ann_file)

    @property
    def exclude_file(self) -> Path:
        """The split's excluded-timestamps CSV."""
        c = self.config
        name = c.train_exclude_file if self.split == "train" else c.val_exclude_file
        return self._annotation_path(name)

    @property
    def label_file(self) -> Path:
        """The label map (``.pbtxt``)."""
        return self._annotation_path(self.config.label_file)

    @property
    def proposal_file(self) -> Path:
        """The split's person-proposal pickle."""
        c = self.config
        name = c.train_proposal_file if self.split == "train" else c.val_proposal_file
        return self._annotation_path(name)

    def _require(self, path: Path) -> Path:
        if not path.is_file():
            raise DatasetError(
                f"missing annotation file {path}; put the AVA {self.split} files under "
                f"{self.root / self.config.annotations_dir} (or `avazoo data synth --out DIR` for "
                "a synthetic set)"
            )
        return path

    # ------------------------------------------------------------------ annotations
    def _check_classes(self) -> None:
        custom = self.config.custom_classes
        if custom is not None:
            check_custom_classes(
                custom,
                num_classes=self.config.num_classes,
                label_map=self.label_map,
                label_file=self.label_file,
            )

    def _load_keyframes(self) -> list[Keyframe]:
        path = self._require(self.ann_file)
        keyframes = group_keyframes(
            ava_files.read_gt_csv(path),
            num_classes=self.config.num_classes,
            custom_classes=self.config.custom_classes,
            path=path,
        )
        self.excluded_keyframes = 0
        """Keyframes removed because the exclusion file lists them (training only)."""
        if self.test_mode:
            return keyframes
        excluded = set(ava_files.read_excluded(self._require(self.exclude_file)))
        kept = [k for k in keyframes if (k.video_id, k.timestamp) not in excluded]
        self.excluded_keyframes = len(keyframes) - len(kept)
        return kept

    # ------------------------------------------------------------------ frames
    def frame_source(self, video_id: str) -> RawFrameSource | VideoFileSource:
        """Where the frames of ``video_id`` come from: its frame folder, else its video file."""
        source = self._sources.get(video_id)
        if source is None:
            source = self._sources[video_id] = self._find_source(video_id)
        return source

    def _find_source(self, video_id: str) -> RawFrameSource | VideoFileSource:
        frame_dir = self.root / self.config.frames_dir / video_id
        if frame_dir.is_dir():
            return RawFrameSource(
                frame_dir, filename_tmpl=self.config.filename_tmpl, backend=self.jpeg_backend
            )
        for suffix in VIDEO_SUFFIXES:
            video = self.root / self.videos_dir / f"{video_id}{suffix}"
            if video.is_file():
                return VideoFileSource(video, fps=self.config.fps)
        raise DatasetError(
            f"no frames for video {video_id!r}: expected the folder {frame_dir} "
            f"(img_00001.jpg, ...) or a video {self.root / self.videos_dir / video_id}"
            f"{{{','.join(VIDEO_SUFFIXES)}}}; download the video or extract its frames"
        )

    def frame_size(self, index: int) -> tuple[int, int]:
        """``(height, width)`` of the decoded frames of sample ``index`` (header only)."""
        return self.frame_source(self.keyframes[index].video_id).frame_size()

    # ------------------------------------------------------------------ samples
    def __len__(self) -> int:
        return len(self.keyframes)

    def set_epoch(self, epoch: int) -> None:
        """Use epoch ``epoch``'s augmentation draws (with a fixed ``seed``)."""
        self.epoch = epoch

    def _rng(self, index: int) -> np.random.Generator:
        if self.seed is None:
            return np.random.default_rng(int(torch.randint(0, 2**62, ()).item()))
        return np.random.default_rng([self.seed, self.epoch, index])

    def frame_indices(self, index: int, rng: np.random.Generator | None = None) -> np.ndarray:
        """Frame numbers of sample ``index``'s clip (jittered when ``rng`` is given)."""
        c = self.config
        return clip_frame_indices(
            self.keyframes[index].timestamp,
            clip_len=c.clip_len,
            frame_interval=c.frame_interval,
            fps=c.fps,
            timestamp_start=c.timestamp_start,
            timestamp_end=c.timestamp_end,
            start_index=c.start_index,
            rng=rng,
        )

    def __getitem__(self, index: int) -> AVASample:
        if not 0 <= index < len(self):
            raise IndexError(f"sample {index} out of range for {len(self)} keyframes")
        keyframe = self.keyframes[index]
        rng = None if self.test_mode else self._rng(index)
        indices = self.frame_indices(index, rng)
        frames = self.frame_source(keyframe.video_id).read(indices)
        c = self.config
        chosen = select_proposals(
            self.proposals,
            keyframe.key,
            score_thr=c.person_det_score_thr,
            max_proposals=c.num_max_proposals,
        )
        boxes = torch.from_numpy(np.concatenate([chosen.boxes, keyframe.boxes]))
        if rng is None:
            out = eval_pipeline(frames, boxes, config=c)
        else:
            out = train_pipeline(frames, boxes, config=c, rng=rng)
        num_proposals = len(chosen.boxes)
        return AVASample(
            clip=out.clip,
            proposals=out.boxes[:num_proposals],
            scores=None if chosen.scores is None else torch.from_numpy(chosen.scores),
            gt_boxes=out.boxes[num_proposals:],
            gt_labels=torch.from_numpy(keyframe.labels),
            entity_ids=torch.from_numpy(keyframe.entity_ids),
            video_id=keyframe.video_id,
            timestamp=keyframe.timestamp,
            img_shape=out.img_shape,
            original_shape=(frames.shape[1], frames.shape[2]),
            frame_indices=indices,
            flipped=out.flipped,
        )
