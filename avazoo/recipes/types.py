"""The recipe record types: frozen, typed, data only."""

from __future__ import annotations

from dataclasses import dataclass

from avazoo.models.config import DetectorConfig

__all__ = [
    "CheckpointRef",
    "DataConfig",
    "Schedule",
    "TrainSampling",
    "Results",
    "Recipe",
]

IMAGENET_MEAN = (123.675, 116.28, 103.53)
IMAGENET_STD = (58.395, 57.12, 57.375)


@dataclass(frozen=True)
class CheckpointRef:
    """A checkpoint file at a URL.

    Attributes:
        url: where the file is published.
        sha256: the known part of its sha256 (MMAction2 names carry the first 8 hex digits),
            or the full digest.
        format: ``"mmaction_pth"`` (a torch pickle ``{"state_dict", "meta"}``) or
            ``"safetensors"``.
    """

    url: str
    sha256: str
    format: str = "mmaction_pth"

    @property
    def file_name(self) -> str:
        return self.url.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class DataConfig:
    """Dataset and pipeline parameters (MMAction2 0.x semantics; paths relative to the data root).

    Frame ``k`` (1-based file ``img_{k:05}.jpg``) shows time ``timestamp_start + (k - 1) / fps``.
    """

    ava_version: str
    clip_len: int
    frame_interval: int
    train_ann_file: str
    val_ann_file: str
    train_exclude_file: str
    val_exclude_file: str
    label_file: str
    train_proposal_file: str
    val_proposal_file: str
    num_classes: int = 81
    custom_classes: tuple[int, ...] | None = None
    person_det_score_thr: float = 0.9
    num_max_proposals: int = 1000
    fps: int = 30
    timestamp_start: int = 900
    timestamp_end: int = 1800
    start_index: int = 0
    filename_tmpl: str = "img_{:05}.jpg"
    frames_dir: str = "rawframes"
    annotations_dir: str = "annotations"
    train_scale_range: tuple[int, int] = (256, 320)
    train_crop_size: int = 256
    flip_ratio: float = 0.5
    test_short_side: int = 256
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    action_thr: float = 0.002


@dataclass(frozen=True)
class TrainSampling:
    """How training RoIs are chosen (MaxIoUAssignerAVA + RandomSampler)."""

    pos_iou_thr: float = 0.9
    neg_iou_thr: float = 0.9
    min_pos_iou: float = 0.9
    num_rois: int = 32
    pos_fraction: float = 1.0
    add_gt_as_proposals: bool = True


@dataclass(frozen=True)
class Schedule:
    """Optimizer and learning-rate schedule (MMAction2 0.x, mmcv LR-hook semantics).

    Attributes:
        lr_policy: ``"step"`` (x ``gamma`` at each epoch in ``steps``) or ``"cosine"``
            (per iteration over the whole run, down to ``min_lr``).
        warmup_iters: warmup length, in epochs if ``warmup_by_epoch`` else in iterations.
        gpus: GPUs of the published run (None where the sources do not say).
    """

    lr: float
    weight_decay: float
    epochs: int
    lr_policy: str
    steps: tuple[int, ...] = ()
    gamma: float = 0.1
    min_lr: float = 0.0
    warmup_iters: int = 0
    warmup_by_epoch: bool = True
    warmup_ratio: float = 0.1
    momentum: float = 0.9
    nesterov: bool = False
    grad_clip_norm: float = 40.0
    videos_per_gpu: int = 1
    gpus: int | None = None
    workers_per_gpu: int = 2


@dataclass(frozen=True)
class Results:
    """Published frame-mAP@0.5IoU in percent, and where it was measured."""

    map: float
    eval_label_file: str
    map_1x: float | None = None
    metric: str = "frame-level mAP@0.5IoU"


@dataclass(frozen=True)
class Recipe:
    """One published AVA model of the MMAction2 model zoo, fully resolved.

    Attributes:
        name: canonical registry name, e.g. ``slowfast_r50_8x8_ava22_temporal_max_focal``.
        aliases: other names that resolve to this recipe.
        seed_name: the MMAction2 0.x config name (``configs/detection/ava/<seed_name>.py``).
        arch: a one-line description of the architecture.
        pretrain: the recognition dataset the backbone was pretrained on.
        model: the architecture.
        weights: the official AVA checkpoint.
        weights_1x: the MMAction2 1.x re-trained checkpoint, where one exists.
        seed_name_1x: the MMAction2 1.x config name
            (``configs/detection/{slowonly|slowfast}/<seed_name_1x>.py``), where one exists.
        pretrained: the Kinetics / OmniSource recognition checkpoint training starts from.
    """

    name: str
    aliases: tuple[str, ...]
    seed_name: str
    arch: str
    pretrain: str
    model: DetectorConfig
    weights: CheckpointRef
    pretrained: CheckpointRef
    data: DataConfig
    schedule: Schedule
    results: Results
    weights_1x: CheckpointRef | None = None
    seed_name_1x: str | None = None
    sampling: TrainSampling = TrainSampling()

    @property
    def ava_version(self) -> str:
        return self.data.ava_version

    @property
    def num_classes(self) -> int:
        return self.model.head.num_classes
