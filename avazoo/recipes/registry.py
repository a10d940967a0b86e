"""The 14 AVA recipes of the MMAction2 0.x model zoo, written out as data.

Every value is transcribed from ``shared/spec/recipes.json`` (MMAction2 0.x configs, README and
metafile; 1.x configs for the ``*_1x`` fields). Files are named relative to the AVA
``annotations`` folder; the dataset code joins them with ``DataConfig.annotations_dir``.
The order of :data:`ALL_RECIPES` is the order of RECIPES.md.
"""

from __future__ import annotations

from dataclasses import replace

from avazoo.models.config import (
    DetectorConfig,
    NonLocalConfig,
    PathwayConfig,
    RoIHeadConfig,
    SlowFastConfig,
)
from avazoo.recipes.types import CheckpointRef, DataConfig, Recipe, Results, Schedule

__all__ = ["ALL_RECIPES", "CUSTOM_CLASSES_16"]

# --- architectures -------------------------------------------------------------------------

_NON_LOCAL_5 = NonLocalConfig(
    stages=((0, 0, 0), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 0, 0)),
    sub_sample=True,
    use_scale=True,
    reduction=2,
)
_SLOWONLY_R50 = PathwayConfig(
    depth=50,
    base_channels=64,
    conv1_kernel=(1, 7, 7),
    conv1_stride_t=1,
    pool1_stride_t=1,
    spatial_strides=(1, 2, 2, 1),
    inflate=(0, 0, 1, 1),
)
_SLOWONLY_R50_NL = replace(_SLOWONLY_R50, non_local=_NON_LOCAL_5)
_SLOWONLY_R101 = replace(_SLOWONLY_R50, depth=101)
_FAST_R50 = PathwayConfig(
    depth=50,
    base_channels=8,
    conv1_kernel=(5, 7, 7),
    conv1_stride_t=1,
    pool1_stride_t=1,
    spatial_strides=(1, 2, 2, 1),
    inflate=(1, 1, 1, 1),
)
# tau 8, alpha 8: slow pathway sees 4 of 32 frames; lateral conv kernel 5, stride 8.
_SLOWFAST_R50_4X16 = SlowFastConfig(
    slow=replace(_SLOWONLY_R50, lateral=True, speed_ratio=8, channel_ratio=8, fusion_kernel=5),
    fast=_FAST_R50,
    resample_rate=8,
    speed_ratio=8,
    channel_ratio=8,
)
# tau 4, alpha 4: slow pathway sees 8 of 32 frames; lateral conv kernel 7, stride 4.
_SLOWFAST_R50_8X8 = SlowFastConfig(
    slow=replace(_SLOWONLY_R50, lateral=True, speed_ratio=4, channel_ratio=8, fusion_kernel=7),
    fast=_FAST_R50,
    resample_rate=4,
    speed_ratio=4,
    channel_ratio=8,
)
_HEAD_SLOWONLY = RoIHeadConfig(in_channels=2048, num_classes=81, dropout_ratio=0.5)
_HEAD_SLOWFAST = RoIHeadConfig(in_channels=2304, num_classes=81, dropout_ratio=0.5)

# --- data ----------------------------------------------------------------------------------

CUSTOM_CLASSES_16: tuple[int, ...] = (3, 6, 10, 27, 29, 38, 41, 48, 51, 53, 54, 59, 61, 64, 70, 72)

_LABELS_AVA21 = "ava_action_list_v2.1_for_activitynet_2018.pbtxt"
_LABELS_AVA21_ALL = "ava_action_list_v2.1.pbtxt"
_LABELS_AVA22 = "ava_action_list_v2.2_for_activitynet_2019.pbtxt"

_DATA_AVA21_4X16 = DataConfig(
    ava_version="2.1",
    clip_len=4,
    frame_interval=16,
    train_ann_file="ava_train_v2.1.csv",
    val_ann_file="ava_val_v2.1.csv",
    train_exclude_file="ava_train_excluded_timestamps_v2.1.csv",
    val_exclude_file="ava_val_excluded_timestamps_v2.1.csv",
    label_file=_LABELS_AVA21,
    train_proposal_file="ava_dense_proposals_train.FAIR.recall_93.9.pkl",
    val_proposal_file="ava_dense_proposals_val.FAIR.recall_93.9.pkl",
    num_classes=81,
    person_det_score_thr=0.9,
)
_DATA_AVA21_8X8 = replace(_DATA_AVA21_4X16, clip_len=8, frame_interval=8)
_DATA_AVA21_32X2 = replace(_DATA_AVA21_4X16, clip_len=32, frame_interval=2)
_DATA_AVA22_32X2 = replace(
    _DATA_AVA21_32X2,
    ava_version="2.2",
    train_ann_file="ava_train_v2.2.csv",
    val_ann_file="ava_val_v2.2.csv",
    train_exclude_file="ava_train_excluded_timestamps_v2.2.csv",
    val_exclude_file="ava_val_excluded_timestamps_v2.2.csv",
    label_file=_LABELS_AVA22,
)


def _custom16(data: DataConfig) -> DataConfig:
    """The 16-custom-class variant of an AVA 2.1 data config (class 0 + 16 outputs)."""
    return replace(
        data, label_file=_LABELS_AVA21_ALL, num_classes=17, custom_classes=CUSTOM_CLASSES_16
    )


# --- schedules -----------------------------------------------------------------------------

_STEP_20E = Schedule(
    lr=0.2,
    weight_decay=1e-5,
    epochs=20,
    lr_policy="step",
    steps=(10, 15),
    warmup_iters=5,
    warmup_by_epoch=True,
    warmup_ratio=0.1,
    nesterov=False,
    videos_per_gpu=16,
    gpus=8,
)
_STEP_NL_10E = Schedule(
    lr=0.3,
    weight_decay=1e-6,
    epochs=10,
    lr_policy="step",
    steps=(4, 6, 8),
    warmup_iters=800,
    warmup_by_epoch=False,
    warmup_ratio=0.01,
    nesterov=True,
    videos_per_gpu=12,
    gpus=8,
)
_COSINE_10E = Schedule(
    lr=0.075,
    weight_decay=1e-5,
    epochs=10,
    lr_policy="cosine",
    min_lr=0.0,
    warmup_iters=2,
    warmup_by_epoch=True,
    warmup_ratio=0.1,
    nesterov=False,
    videos_per_gpu=6,
    gpus=8,
)

# --- recognition checkpoints that training starts from (load_from) ------------------------

_K400_SLOWONLY_R50_4X16 = CheckpointRef(
    url="https://download.openmmlab.com/mmaction/recognition/slowonly/slowonly_r50_4x16x1_256e_kinetics400_rgb/slowonly_r50_4x16x1_256e_kinetics400_rgb_20200704-a69556c6.pth",
    sha256="a69556c6",
)
_K400_SLOWFAST_R50_4X16 = CheckpointRef(
    url="https://download.openmmlab.com/mmaction/recognition/slowfast/slowfast_r50_4x16x1_256e_kinetics400_rgb/slowfast_r50_4x16x1_256e_kinetics400_rgb_20200704-bcde7ed7.pth",
    sha256="bcde7ed7",
)
_K400_SLOWFAST_R50_8X8 = CheckpointRef(
    url="https://download.openmmlab.com/mmaction/recognition/slowfast/slowfast_r50_8x8x1_256e_kinetics400_rgb/slowfast_r50_8x8x1_256e_kinetics400_rgb_20200716-73547d2b.pth",
    sha256="73547d2b",
)

# --- the recipes ---------------------------------------------------------------------------

ALL_RECIPES: tuple[Recipe, ...] = (
    # 1
    Recipe(
        name="slowonly_r50_4x16_ava21",
        aliases=("slowonly_r50", "slowonly_4x16", "slowonly_r50_4x16"),
        seed_name="slowonly_kinetics_pretrained_r50_4x16x1_20e_ava_rgb",
        arch="SlowOnly",
        pretrain="Kinetics-400",
        model=DetectorConfig(backbone=_SLOWONLY_R50, head=_HEAD_SLOWONLY, clip_len=4),
        weights=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/detection/ava/slowonly_kinetics_pretrained_r50_4x16x1_20e_ava_rgb/slowonly_kinetics_pretrained_r50_4x16x1_20e_ava_rgb_20201217-40061d5f.pth",
            sha256="40061d5f",
        ),
        pretrained=_K400_SLOWONLY_R50_4X16,
        data=_DATA_AVA21_4X16,
        schedule=_STEP_20E,
        results=Results(map=20.1, map_1x=20.72, eval_label_file=_LABELS_AVA21),
        weights_1x=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/v1.0/detection/slowonly/slowonly_kinetics400-pretrained-r50_8xb16-4x16x1-20e_ava21-rgb/slowonly_kinetics400-pretrained-r50_8xb16-4x16x1-20e_ava21-rgb_20220906-953ef5fe.pth",
            sha256="953ef5fe",
        ),
        seed_name_1x="slowonly_kinetics400-pretrained-r50_8xb16-4x16x1-20e_ava21-rgb",
    ),
    # 2
    Recipe(
        name="slowonly_r50_4x16_omni_ava21",
        aliases=("slowonly_omni", "slowonly_r50_omni"),
        seed_name="slowonly_omnisource_pretrained_r50_4x16x1_20e_ava_rgb",
        arch="SlowOnly",
        pretrain="OmniSource (Kinetics-400 label space)",
        model=DetectorConfig(backbone=_SLOWONLY_R50, head=_HEAD_SLOWONLY, clip_len=4),
        weights=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/detection/ava/slowonly_omnisource_pretrained_r50_4x16x1_20e_ava_rgb/slowonly_omnisource_pretrained_r50_4x16x1_20e_ava_rgb_20201217-0c6d2e98.pth",
            sha256="0c6d2e98",
        ),
        pretrained=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/recognition/slowonly/omni/slowonly_r50_omni_4x16x1_kinetics400_rgb_20200926-51b1f7ea.pth",
            sha256="51b1f7ea",
        ),
        data=_DATA_AVA21_4X16,
        schedule=_STEP_20E,
        results=Results(map=21.8, eval_label_file=_LABELS_AVA21),
    ),
    # 3
    Recipe(
        name="slowonly_r50_nl_4x16_ava21",
        aliases=("slowonly_nl", "slowonly_nl_4x16"),
        seed_name="slowonly_nl_kinetics_pretrained_r50_4x16x1_10e_ava_rgb",
        arch="SlowOnly + NonLocal (embedded Gaussian)",
        pretrain="Kinetics-400 (SlowOnly-NL)",
        model=DetectorConfig(backbone=_SLOWONLY_R50_NL, head=_HEAD_SLOWONLY, clip_len=4),
        weights=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/detection/ava/slowonly_nl_kinetics_pretrained_r50_4x16x1_10e_ava_rgb/slowonly_nl_kinetics_pretrained_r50_4x16x1_10e_ava_rgb_20210316-959829ec.pth",
            sha256="959829ec",
        ),
        pretrained=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/recognition/slowonly/slowonly_nl_embedded_gaussian_r50_4x16x1_150e_kinetics400_rgb/slowonly_nl_embedded_gaussian_r50_4x16x1_150e_kinetics400_rgb_20210308-0d6e5a69.pth",
            sha256="0d6e5a69",
        ),
        data=_DATA_AVA21_4X16,
        schedule=_STEP_NL_10E,
        results=Results(map=21.75, map_1x=21.55, eval_label_file=_LABELS_AVA21),
        weights_1x=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/v1.0/detection/slowonly/slowonly_kinetics400-pretrained-r50-nl_8xb16-4x16x1-20e_ava21-rgb/slowonly_kinetics400-pretrained-r50-nl_8xb16-4x16x1-20e_ava21-rgb_20220906-5ae3f91b.pth",
            sha256="5ae3f91b",
        ),
        seed_name_1x="slowonly_kinetics400-pretrained-r50-nl_8xb16-4x16x1-20e_ava21-rgb",
    ),
    # 4
    Recipe(
        name="slowonly_r50_nl_8x8_ava21",
        aliases=("slowonly_nl_8x8",),
        seed_name="slowonly_nl_kinetics_pretrained_r50_8x8x1_10e_ava_rgb",
        arch="SlowOnly + NonLocal (embedded Gaussian)",
        pretrain="Kinetics-400 (SlowOnly-NL)",
        model=DetectorConfig(backbone=_SLOWONLY_R50_NL, head=_HEAD_SLOWONLY, clip_len=8),
        weights=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/detection/ava/slowonly_nl_kinetics_pretrained_r50_8x8x1_10e_ava_rgb/slowonly_nl_kinetics_pretrained_r50_8x8x1_10e_ava_rgb_20210316-5742e4dd.pth",
            sha256="5742e4dd",
        ),
        pretrained=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/recognition/slowonly/slowonly_nl_embedded_gaussian_r50_8x8x1_150e_kinetics400_rgb/slowonly_nl_embedded_gaussian_r50_8x8x1_150e_kinetics400_rgb_20210308-e8dd9e82.pth",
            sha256="e8dd9e82",
        ),
        data=_DATA_AVA21_8X8,
        schedule=replace(_STEP_NL_10E, lr=0.15, warmup_iters=1600, videos_per_gpu=6, gpus=16),
        results=Results(map=23.79, map_1x=23.77, eval_label_file=_LABELS_AVA21),
        weights_1x=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/v1.0/detection/slowonly/slowonly_kinetics400-pretrained-r50-nl_8xb16-8x8x1-20e_ava21-rgb/slowonly_kinetics400-pretrained-r50-nl_8xb16-8x8x1-20e_ava21-rgb_20220906-9760eadb.pth",
            sha256="9760eadb",
        ),
        seed_name_1x="slowonly_kinetics400-pretrained-r50-nl_8xb16-8x8x1-20e_ava21-rgb",
    ),
    # 5
    Recipe(
        name="slowonly_r101_8x8_ava21",
        aliases=("slowonly_r101", "slowonly_r101_8x8"),
        seed_name="slowonly_kinetics_pretrained_r101_8x8x1_20e_ava_rgb",
        arch="SlowOnly",
        pretrain="Kinetics-400 (the 'without_omni' R101 baseline of the OmniSource release)",
        model=DetectorConfig(backbone=_SLOWONLY_R101, head=_HEAD_SLOWONLY, clip_len=8),
        weights=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/detection/ava/slowonly_kinetics_pretrained_r101_8x8x1_20e_ava_rgb/slowonly_kinetics_pretrained_r101_8x8x1_20e_ava_rgb_20201217-1c9b4117.pth",
            sha256="1c9b4117",
        ),
        pretrained=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/recognition/slowonly/omni/slowonly_r101_without_omni_8x8x1_kinetics400_rgb_20200926-0c730aef.pth",
            sha256="0c730aef",
        ),
        data=_DATA_AVA21_8X8,
        schedule=replace(_STEP_20E, lr=0.075, videos_per_gpu=6, gpus=16),
        results=Results(map=24.6, map_1x=24.83, eval_label_file=_LABELS_AVA21),
        weights_1x=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/v1.0/detection/slowonly/slowonly_kinetics400-pretrained-r101_8xb16-8x8x1-20e_ava21-rgb/slowonly_kinetics400-pretrained-r101_8xb16-8x8x1-20e_ava21-rgb_20220906-43f16877.pth",
            sha256="43f16877",
        ),
        seed_name_1x="slowonly_kinetics400-pretrained-r101_8xb16-8x8x1-20e_ava21-rgb",
    ),
    # 6
    Recipe(
        name="slowonly_r101_8x8_omni_ava21",
        aliases=("slowonly_r101_omni",),
        seed_name="slowonly_omnisource_pretrained_r101_8x8x1_20e_ava_rgb",
        arch="SlowOnly",
        pretrain="OmniSource (Kinetics-400 label space)",
        model=DetectorConfig(backbone=_SLOWONLY_R101, head=_HEAD_SLOWONLY, clip_len=8),
        weights=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/detection/ava/slowonly_omnisource_pretrained_r101_8x8x1_20e_ava_rgb/slowonly_omnisource_pretrained_r101_8x8x1_20e_ava_rgb_20201217-16378594.pth",
            sha256="16378594",
        ),
        pretrained=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/recognition/slowonly/omni/slowonly_r101_omni_8x8x1_kinetics400_rgb_20200926-b5dbb701.pth",
            sha256="b5dbb701",
        ),
        data=_DATA_AVA21_8X8,
        schedule=replace(_STEP_20E, lr=0.075, videos_per_gpu=6, gpus=16),
        results=Results(map=25.9, eval_label_file=_LABELS_AVA21),
    ),
    # 7
    Recipe(
        name="slowfast_r50_4x16_ava21",
        aliases=("slowfast_4x16", "slowfast_ava21", "slowfast_r50_4x16"),
        seed_name="slowfast_kinetics_pretrained_r50_4x16x1_20e_ava_rgb",
        arch="SlowFast",
        pretrain="Kinetics-400",
        model=DetectorConfig(backbone=_SLOWFAST_R50_4X16, head=_HEAD_SLOWFAST, clip_len=32),
        weights=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/detection/ava/slowfast_kinetics_pretrained_r50_4x16x1_20e_ava_rgb/slowfast_kinetics_pretrained_r50_4x16x1_20e_ava_rgb_20201217-6e7c704d.pth",
            sha256="6e7c704d",
        ),
        pretrained=_K400_SLOWFAST_R50_4X16,
        data=_DATA_AVA21_32X2,
        schedule=replace(_STEP_20E, lr=0.1125, videos_per_gpu=9, gpus=16),
        results=Results(map=24.4, map_1x=24.32, eval_label_file=_LABELS_AVA21),
        weights_1x=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/v1.0/detection/slowfast/slowfast_kinetics400-pretrained-r50_8xb16-4x16x1-20e_ava21-rgb/slowfast_kinetics400-pretrained-r50_8xb16-4x16x1-20e_ava21-rgb_20220906-5180ea3c.pth",
            sha256="5180ea3c",
        ),
        seed_name_1x="slowfast_kinetics400-pretrained-r50_8xb16-4x16x1-20e_ava21-rgb",
    ),
    # 8
    Recipe(
        name="slowfast_r50_4x16_ava21_context",
        aliases=("slowfast_context", "slowfast_4x16_context"),
        seed_name="slowfast_context_kinetics_pretrained_r50_4x16x1_20e_ava_rgb",
        arch="SlowFast + global context",
        pretrain="Kinetics-400",
        model=DetectorConfig(
            backbone=_SLOWFAST_R50_4X16,
            head=replace(_HEAD_SLOWFAST, in_channels=4608, with_global=True),
            clip_len=32,
        ),
        weights=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/detection/ava/slowfast_context_kinetics_pretrained_r50_4x16x1_20e_ava_rgb/slowfast_context_kinetics_pretrained_r50_4x16x1_20e_ava_rgb_20201222-f4d209c9.pth",
            sha256="f4d209c9",
        ),
        pretrained=_K400_SLOWFAST_R50_4X16,
        data=_DATA_AVA21_32X2,
        schedule=replace(_STEP_20E, lr=0.1125, videos_per_gpu=9, gpus=16),
        results=Results(map=25.4, map_1x=25.34, eval_label_file=_LABELS_AVA21),
        weights_1x=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/v1.0/detection/slowfast/slowfast_kinetics400-pretrained-r50-context_8xb16-4x16x1-20e_ava21-rgb/slowfast_kinetics400-pretrained-r50-context_8xb16-4x16x1-20e_ava21-rgb_20220906-5bb4f6f2.pth",
            sha256="5bb4f6f2",
        ),
        seed_name_1x="slowfast_kinetics400-pretrained-r50-context_8xb16-4x16x1-20e_ava21-rgb",
    ),
    # 9
    Recipe(
        name="slowfast_r50_8x8_ava21",
        aliases=("slowfast_8x8_ava21",),
        seed_name="slowfast_kinetics_pretrained_r50_8x8x1_20e_ava_rgb",
        arch="SlowFast",
        pretrain="Kinetics-400",
        model=DetectorConfig(backbone=_SLOWFAST_R50_8X8, head=_HEAD_SLOWFAST, clip_len=32),
        weights=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/detection/ava/slowfast_kinetics_pretrained_r50_8x8x1_20e_ava_rgb/slowfast_kinetics_pretrained_r50_8x8x1_20e_ava_rgb_20201217-ae225e97.pth",
            sha256="ae225e97",
        ),
        pretrained=_K400_SLOWFAST_R50_8X8,
        data=_DATA_AVA21_32X2,
        schedule=replace(_STEP_20E, lr=0.075, videos_per_gpu=5, gpus=16),
        results=Results(map=25.5, map_1x=25.80, eval_label_file=_LABELS_AVA21),
        weights_1x=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/v1.0/detection/slowfast/slowfast_kinetics400-pretrained-r50_8xb8-8x8x1-20e_ava21-rgb/slowfast_kinetics400-pretrained-r50_8xb8-8x8x1-20e_ava21-rgb_20220906-39133ec7.pth",
            sha256="39133ec7",
        ),
        seed_name_1x="slowfast_kinetics400-pretrained-r50_8xb8-8x8x1-20e_ava21-rgb",
    ),
    # 10
    Recipe(
        name="slowfast_r50_8x8_ava22",
        aliases=("slowfast_ava22", "slowfast_8x8_ava22"),
        seed_name="slowfast_kinetics_pretrained_r50_8x8x1_cosine_10e_ava22_rgb",
        arch="SlowFast",
        pretrain="Kinetics-400",
        model=DetectorConfig(backbone=_SLOWFAST_R50_8X8, head=_HEAD_SLOWFAST, clip_len=32),
        weights=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/detection/ava/slowfast_kinetics_pretrained_r50_8x8x1_cosine_10e_ava22_rgb/slowfast_kinetics_pretrained_r50_8x8x1_cosine_10e_ava22_rgb-b987b516.pth",
            sha256="b987b516",
        ),
        pretrained=_K400_SLOWFAST_R50_8X8,
        data=_DATA_AVA22_32X2,
        schedule=_COSINE_10E,
        results=Results(map=26.1, map_1x=25.90, eval_label_file=_LABELS_AVA22),
        weights_1x=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/v1.0/detection/slowfast/slowfast_kinetics400-pretrained-r50_8xb6-8x8x1-cosine-10e_ava22-rgb/slowfast_kinetics400-pretrained-r50_8xb6-8x8x1-cosine-10e_ava22-rgb_20220906-d934a48f.pth",
            sha256="d934a48f",
        ),
        seed_name_1x="slowfast_kinetics400-pretrained-r50_8xb6-8x8x1-cosine-10e_ava22-rgb",
    ),
    # 11
    Recipe(
        name="slowfast_r50_8x8_ava22_temporal_max",
        aliases=("slowfast_temporal_max",),
        seed_name="slowfast_temporal_max_kinetics_pretrained_r50_8x8x1_cosine_10e_ava22_rgb",
        arch="SlowFast + temporal max pooling in RoI extractor",
        pretrain="Kinetics-400",
        model=DetectorConfig(
            backbone=_SLOWFAST_R50_8X8,
            head=replace(_HEAD_SLOWFAST, temporal_pool_mode="max"),
            clip_len=32,
        ),
        weights=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/detection/ava/slowfast_temporal_max_kinetics_pretrained_r50_8x8x1_cosine_10e_ava22_rgb/slowfast_temporal_max_kinetics_pretrained_r50_8x8x1_cosine_10e_ava22_rgb-874e0845.pth",
            sha256="874e0845",
        ),
        pretrained=_K400_SLOWFAST_R50_8X8,
        data=_DATA_AVA22_32X2,
        schedule=_COSINE_10E,
        results=Results(map=26.4, map_1x=26.41, eval_label_file=_LABELS_AVA22),
        weights_1x=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/v1.0/detection/slowfast/slowfast_kinetics400-pretrained-r50-temporal-max_8xb6-8x8x1-cosine-10e_ava22-rgb/slowfast_kinetics400-pretrained-r50-temporal-max_8xb6-8x8x1-cosine-10e_ava22-rgb_20220906-13a9078e.pth",
            sha256="13a9078e",
        ),
        seed_name_1x="slowfast_kinetics400-pretrained-r50-temporal-max_8xb6-8x8x1-cosine-10e_ava22-rgb",
    ),
    # 12
    Recipe(
        name="slowfast_r50_8x8_ava22_temporal_max_focal",
        aliases=("slowfast_temporal_max_focal", "slowfast_focal"),
        seed_name="slowfast_temporal_max_focal_alpha3_gamma1_kinetics_pretrained_r50_8x8x1_cosine_10e_ava22_rgb",
        arch="SlowFast + temporal max pooling + focal loss",
        pretrain="Kinetics-400",
        model=DetectorConfig(
            backbone=_SLOWFAST_R50_8X8,
            head=replace(
                _HEAD_SLOWFAST, temporal_pool_mode="max", focal_alpha=3.0, focal_gamma=1.0
            ),
            clip_len=32,
        ),
        weights=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/detection/ava/slowfast_temporal_max_focal_alpha3_gamma1_kinetics_pretrained_r50_8x8x1_cosine_10e_ava22_rgb/slowfast_temporal_max_focal_alpha3_gamma1_kinetics_pretrained_r50_8x8x1_cosine_10e_ava22_rgb-345618cd.pth",
            sha256="345618cd",
        ),
        pretrained=_K400_SLOWFAST_R50_8X8,
        data=_DATA_AVA22_32X2,
        schedule=_COSINE_10E,
        results=Results(map=26.8, map_1x=26.65, eval_label_file=_LABELS_AVA22),
        weights_1x=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/v1.0/detection/slowfast/slowfast_r50-k400-pre-temporal-max-focal-alpha3-gamma1_8xb6-8x8x1-cosine-10e_ava22-rgb/slowfast_r50-k400-pre-temporal-max-focal-alpha3-gamma1_8xb6-8x8x1-cosine-10e_ava22-rgb_20220906-dd59e26f.pth",
            sha256="dd59e26f",
        ),
        seed_name_1x="slowfast_r50-k400-pre-temporal-max-focal-alpha3-gamma1_8xb6-8x8x1-cosine-10e_ava22-rgb",
    ),
    # 13: mAP over the 16 custom classes only (README custom-classes table, 0.3311).
    Recipe(
        name="slowonly_r50_4x16_ava21_custom16",
        aliases=("slowonly_custom_classes", "slowonly_custom"),
        seed_name="slowonly_kinetics_pretrained_r50_4x16x1_20e_ava_rgb_custom_classes",
        arch="SlowOnly",
        pretrain="Kinetics-400",
        model=DetectorConfig(
            backbone=_SLOWONLY_R50, head=replace(_HEAD_SLOWONLY, num_classes=17), clip_len=4
        ),
        weights=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/detection/ava/slowonly_kinetics_pretrained_r50_4x16x1_20e_ava_rgb_custom_classes/slowonly_kinetics_pretrained_r50_4x16x1_20e_ava_rgb_custom_classes-4ab80419.pth",
            sha256="4ab80419",
        ),
        pretrained=_K400_SLOWONLY_R50_4X16,
        data=_custom16(_DATA_AVA21_4X16),
        schedule=replace(_STEP_20E, gpus=None),
        results=Results(
            map=33.11,
            eval_label_file=_LABELS_AVA21_ALL,
            metric="frame-level mAP@0.5IoU over the 16 custom classes",
        ),
    ),
    # 14: mAP over the 16 custom classes only (README custom-classes table, 0.3785).
    Recipe(
        name="slowfast_r50_4x16_ava21_custom16",
        aliases=("slowfast_custom_classes", "slowfast_custom"),
        seed_name="slowfast_kinetics_pretrained_r50_4x16x1_20e_ava_rgb_custom_classes",
        arch="SlowFast",
        pretrain="Kinetics-400",
        model=DetectorConfig(
            backbone=_SLOWFAST_R50_4X16, head=replace(_HEAD_SLOWFAST, num_classes=17), clip_len=32
        ),
        weights=CheckpointRef(
            url="https://download.openmmlab.com/mmaction/detection/ava/slowfast_kinetics_pretrained_r50_4x16x1_20e_ava_rgb_custom_classes/slowfast_kinetics_pretrained_r50_4x16x1_20e_ava_rgb_custom_classes_20210305-c6225546.pth",
            sha256="c6225546",
        ),
        pretrained=_K400_SLOWFAST_R50_4X16,
        data=_custom16(_DATA_AVA21_32X2),
        schedule=replace(_STEP_20E, lr=0.1125, videos_per_gpu=9, gpus=None, warmup_ratio=0.05),
        results=Results(
            map=37.85,
            eval_label_file=_LABELS_AVA21_ALL,
            metric="frame-level mAP@0.5IoU over the 16 custom classes",
        ),
    ),
)
