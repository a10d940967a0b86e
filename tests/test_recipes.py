"""The registry against shared/spec/recipes.json, field by field, and name lookup."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from avazoo.errors import UnknownModelError
from avazoo.models.config import PathwayConfig, SlowFastConfig
from avazoo.recipes import RECIPES, Recipe, build_lookup, get_recipe, list_models
from avazoo.recipes.registry import ALL_RECIPES
from tests._recipes_helpers import file_name, plain, spec_records

SPECS = spec_records()
by_spec = pytest.mark.parametrize("spec", SPECS, ids=[s["registry_name"] for s in SPECS])

# Stated in the brief (issue 2) for recipes 13 and 14.
CUSTOM_16 = [3, 6, 10, 27, 29, 38, 41, 48, 51, 53, 54, 59, 61, 64, 70, 72]

PATHWAY_FIELDS = (
    "depth",
    "in_channels",
    "base_channels",
    "conv1_kernel",
    "conv1_stride_t",
    "conv1_stride_s",
    "pool1_stride_t",
    "pool1_stride_s",
    "spatial_strides",
    "temporal_strides",
    "dilations",
    "inflate",
    "lateral",
    "speed_ratio",
    "channel_ratio",
    "fusion_kernel",
    "frozen_stages",
    "norm_eval",
)


def recipe_for(spec: dict[str, Any]) -> Recipe:
    return RECIPES[spec["registry_name"]]


# --- the records ---------------------------------------------------------------------------


def test_registry_holds_the_14_recipes_in_recipes_md_order() -> None:
    assert list(RECIPES) == [s["registry_name"] for s in SPECS]
    assert len(RECIPES) == 14


@by_spec
def test_identity(spec: dict[str, Any]) -> None:
    recipe = recipe_for(spec)
    assert recipe.aliases == tuple(spec["aliases"])
    assert recipe.seed_name == spec["seed_name"]
    assert recipe.arch == spec["arch"]
    assert recipe.pretrain == spec["pretrain"]
    assert recipe.ava_version == spec["ava_version"]
    assert recipe.seed_name_1x == spec["mmaction2_1x"]["config"]


def assert_pathway(cfg: PathwayConfig, spec: dict[str, Any]) -> None:
    for field in PATHWAY_FIELDS:
        assert plain(getattr(cfg, field)) == spec[field], field
    assert plain(cfg.stage_blocks) == spec["stage_blocks"]
    if spec["non_local"] == [0, 0, 0, 0]:
        assert cfg.non_local is None
        return
    nl_spec = spec["non_local_cfg"]
    assert cfg.non_local is not None
    assert plain(cfg.non_local.stages) == spec["non_local"]
    assert cfg.non_local.sub_sample == nl_spec["sub_sample"]
    assert cfg.non_local.use_scale == nl_spec["use_scale"]
    assert cfg.non_local.reduction == nl_spec["resolved_from_mmcv_NonLocal3d_defaults"]["reduction"]
    assert nl_spec["mode"] == "embedded_gaussian"  # the only mode avazoo implements


def assert_fixed_backbone_options(spec: dict[str, Any]) -> None:
    """Options avazoo hard-codes (not in its config) must have these values in every recipe."""
    assert spec["norm_cfg"] == {"type": "BN3d", "requires_grad": True}
    assert spec["conv_cfg"] == {"type": "Conv3d"}
    assert spec["act_cfg"]["type"] == "ReLU"
    assert spec["inflate_style"] == "3x1x1"
    assert spec["style"] == "pytorch"
    assert spec["lateral_norm"] is False
    assert spec["with_pool1"] is True


@by_spec
def test_backbone(spec: dict[str, Any]) -> None:
    backbone, spec_backbone = recipe_for(spec).model.backbone, spec["backbone"]
    if spec_backbone["type"] == "ResNet3dSlowOnly":
        assert isinstance(backbone, PathwayConfig)
        assert_pathway(backbone, spec_backbone)
        assert_fixed_backbone_options(spec_backbone)
        return
    assert spec_backbone["type"] == "ResNet3dSlowFast"
    assert isinstance(backbone, SlowFastConfig)
    for field in ("resample_rate", "speed_ratio", "channel_ratio"):
        assert getattr(backbone, field) == spec_backbone[field], field
    assert_pathway(backbone.slow, spec_backbone["slow_pathway"])
    assert_pathway(backbone.fast, spec_backbone["fast_pathway"])
    assert_fixed_backbone_options(spec_backbone["slow_pathway"])
    assert_fixed_backbone_options(spec_backbone["fast_pathway"])


@by_spec
def test_roi_head(spec: dict[str, Any]) -> None:
    head, extractor, bbox = recipe_for(spec).model.head, spec["roi_extractor"], spec["bbox_head"]
    for field in ("in_channels", "num_classes", "dropout_ratio", "focal_alpha", "focal_gamma"):
        assert getattr(head, field) == bbox[field], field
    assert plain(head.topk) == bbox["topk"]
    for field in ("output_size", "featmap_stride", "sampling_ratio", "temporal_pool_mode"):
        assert getattr(head, field) == extractor[field], field
    assert head.with_global == extractor["with_global"]
    # Hard-coded in avazoo's head; must hold for every recipe.
    assert (extractor["roi_layer_type"], extractor["pool_mode"]) == ("RoIAlign", "avg")
    assert extractor["aligned"] is True and extractor["with_temporal_pool"] is True
    assert (bbox["temporal_pool_type"], bbox["spatial_pool_type"]) == ("avg", "max")
    assert bbox["dropout_before_pool"] is True and bbox["multilabel"] is True


@by_spec
def test_input_frames(spec: dict[str, Any]) -> None:
    recipe, spec_input = recipe_for(spec), spec["input"]
    assert recipe.model.clip_len == spec_input["clip_len"]
    assert recipe.data.clip_len == spec_input["clip_len"]
    assert recipe.data.frame_interval == spec_input["frame_interval"]
    sampler = spec["data"]["train_pipeline"][0]
    assert sampler["type"] == "SampleAVAFrames"
    assert (sampler["clip_len"], sampler["frame_interval"]) == (
        recipe.data.clip_len,
        recipe.data.frame_interval,
    )
    backbone = recipe.model.backbone
    if isinstance(backbone, SlowFastConfig):
        assert recipe.model.clip_len // backbone.resample_rate == spec_input["slow_frames"]
    else:
        assert recipe.model.clip_len == spec_input["network_frames"]


@by_spec
def test_weights(spec: dict[str, Any]) -> None:
    recipe, results = recipe_for(spec), spec["results"]
    assert recipe.weights.url == results["checkpoint_url"]
    assert recipe.weights.sha256 == results["sha256_prefix"]
    assert recipe.weights.file_name == results["checkpoint_file"]
    assert recipe.weights.format == "mmaction_pth"
    # publish_model.py: the file name ends with -<first 8 hex digits of its sha256>.pth
    assert recipe.weights.url.endswith(f"-{recipe.weights.sha256}.pth")


@by_spec
def test_weights_1x(spec: dict[str, Any]) -> None:
    recipe, spec_1x = recipe_for(spec), spec["mmaction2_1x"]
    if spec_1x["config"] is None:
        assert recipe.weights_1x is None
        return
    assert recipe.weights_1x is not None
    assert recipe.weights_1x.url == spec_1x["checkpoint_url"]
    assert recipe.weights_1x.sha256 == spec_1x["sha256_prefix"]
    assert recipe.weights_1x.format == "mmaction_pth"
    assert recipe.weights_1x.url.endswith(f"-{recipe.weights_1x.sha256}.pth")


@by_spec
def test_pretrained_checkpoint(spec: dict[str, Any]) -> None:
    recipe, load_from = recipe_for(spec), spec["optimization"]["load_from"]
    assert recipe.pretrained.url == load_from
    assert recipe.pretrained.sha256 == load_from.removesuffix(".pth").rsplit("-", 1)[1]
    assert len(recipe.pretrained.sha256) == 8


@by_spec
def test_data_files(spec: dict[str, Any]) -> None:
    data, spec_data = recipe_for(spec).data, spec["data"]
    train, val = spec_data["train_dataset"], spec_data["val_dataset"]
    for split, ds in (("train", train), ("val", val)):
        assert getattr(data, f"{split}_ann_file") == file_name(ds["ann_file"])
        assert getattr(data, f"{split}_exclude_file") == file_name(ds["exclude_file"])
        assert getattr(data, f"{split}_proposal_file") == file_name(ds["proposal_file"])
        assert data.label_file == file_name(ds["label_file"])
        for key in ("ann_file", "exclude_file", "label_file", "proposal_file"):
            assert ds[key] == f"{spec_data['anno_root']}/{file_name(ds[key])}"
        assert ds["data_prefix"] == spec_data["data_root"]
    assert data.annotations_dir == file_name(spec_data["anno_root"])
    assert data.frames_dir == file_name(spec_data["data_root"])
    assert data.ava_version in data.train_ann_file


@by_spec
def test_dataset_options(spec: dict[str, Any]) -> None:
    data, recipe = recipe_for(spec).data, recipe_for(spec)
    for ds in (spec["data"]["train_dataset"], spec["data"]["val_dataset"]):
        for field in (
            "person_det_score_thr",
            "num_classes",
            "num_max_proposals",
            "fps",
            "timestamp_start",
            "timestamp_end",
            "start_index",
            "filename_tmpl",
        ):
            assert getattr(data, field) == ds[field], field
        assert plain(data.custom_classes) == ds["custom_classes"]
    assert data.num_classes == recipe.num_classes
    assert plain(data.custom_classes) == spec.get("custom_classes")


@by_spec
def test_pipeline_parameters(spec: dict[str, Any]) -> None:
    data = recipe_for(spec).data
    train = {step["type"]: step for step in spec["data"]["train_pipeline"]}
    val = {step["type"]: step for step in spec["data"]["val_pipeline"]}
    assert plain(data.train_scale_range) == train["RandomRescale"]["scale_range"]
    assert data.train_crop_size == train["RandomCrop"]["size"]
    assert data.flip_ratio == train["Flip"]["flip_ratio"]
    assert val["Resize"]["scale"] == [-1, data.test_short_side]
    for pipeline in (train, val):
        assert plain(data.mean) == pipeline["Normalize"]["mean"]
        assert plain(data.std) == pipeline["Normalize"]["std"]
        assert pipeline["Normalize"]["to_bgr"] is False
    assert data.action_thr == spec["test_cfg"]["rcnn"]["action_thr"]


@by_spec
def test_schedule(spec: dict[str, Any]) -> None:
    schedule, opt = recipe_for(spec).schedule, spec["optimization"]
    optimizer, lr_config = opt["optimizer"], opt["lr_config"]
    assert optimizer["type"] == "SGD"
    assert schedule.lr == optimizer["lr"]
    assert schedule.weight_decay == optimizer["weight_decay"]
    assert schedule.momentum == optimizer["momentum"]
    assert schedule.nesterov == optimizer["nesterov"]
    assert schedule.grad_clip_norm == opt["grad_clip"]["max_norm"]
    assert schedule.epochs == opt["total_epochs"]
    assert schedule.lr_policy == {"step": "step", "CosineAnnealing": "cosine"}[lr_config["policy"]]
    if schedule.lr_policy == "step":
        assert plain(schedule.steps) == lr_config["step"]
        assert schedule.gamma == lr_config["gamma"]
    else:
        assert schedule.steps == ()
        assert schedule.min_lr == lr_config["min_lr"]
    assert lr_config["warmup"] == "linear"
    assert schedule.warmup_iters == lr_config["warmup_iters"]
    assert schedule.warmup_by_epoch == lr_config["warmup_by_epoch"]
    assert schedule.warmup_ratio == lr_config["warmup_ratio"]


@by_spec
def test_batch(spec: dict[str, Any]) -> None:
    schedule, opt = recipe_for(spec).schedule, spec["optimization"]
    assert schedule.videos_per_gpu == opt["videos_per_gpu"] == spec["data"]["videos_per_gpu"]
    assert schedule.gpus == opt["gpus"]
    assert schedule.workers_per_gpu == spec["data"]["workers_per_gpu"]
    if opt["total_batch_size"] is not None:
        assert schedule.gpus * schedule.videos_per_gpu == opt["total_batch_size"]


@by_spec
def test_training_roi_sampling(spec: dict[str, Any]) -> None:
    sampling, rcnn = recipe_for(spec).sampling, spec["train_cfg"]["rcnn"]
    for field in ("pos_iou_thr", "neg_iou_thr", "min_pos_iou"):
        assert getattr(sampling, field) == rcnn["assigner"][field], field
    assert sampling.num_rois == rcnn["sampler"]["num"]
    assert sampling.pos_fraction == rcnn["sampler"]["pos_fraction"]
    assert sampling.add_gt_as_proposals == rcnn["sampler"]["add_gt_as_proposals"]


@by_spec
def test_results(spec: dict[str, Any]) -> None:
    recipe, results = recipe_for(spec), spec["results"]
    if results["mAP"] is not None:
        assert recipe.results.map == results["mAP"]
        assert "custom" not in recipe.results.metric
    else:  # custom-class recipes: only the README custom-classes table (a fraction) exists
        fraction = results["custom_classes_table_mAP"]["mAP_over_16_custom_classes"]
        assert recipe.results.map == pytest.approx(100 * fraction, abs=1e-9)
        assert "16 custom classes" in recipe.results.metric
    assert recipe.results.map_1x == spec["mmaction2_1x"].get("mAP")
    assert recipe.results.eval_label_file == file_name(spec["data"]["val_dataset"]["label_file"])


def test_custom_class_recipes() -> None:
    custom = [r.name for r in RECIPES.values() if r.data.custom_classes is not None]
    assert custom == ["slowonly_r50_4x16_ava21_custom16", "slowfast_r50_4x16_ava21_custom16"]
    for name in custom:
        recipe = RECIPES[name]
        assert list(recipe.data.custom_classes or ()) == CUSTOM_16
        assert recipe.num_classes == len(CUSTOM_16) + 1
        assert recipe.data.label_file == "ava_action_list_v2.1.pbtxt"


def test_records_are_frozen() -> None:
    recipe = RECIPES["slowonly_r50_4x16_ava21"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        recipe.name = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        recipe.model.head.num_classes = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        RECIPES["x"] = recipe  # type: ignore[index]


# --- lookup --------------------------------------------------------------------------------


@by_spec
def test_name_and_aliases_resolve(spec: dict[str, Any]) -> None:
    for key in (spec["registry_name"], *spec["aliases"]):
        assert get_recipe(key).name == spec["registry_name"]
        assert get_recipe(key.upper()).name == spec["registry_name"]


def test_focal_alias_from_the_issue_resolves() -> None:
    recipe = get_recipe("slowfast_temporal_max_focal")
    assert recipe.name == "slowfast_r50_8x8_ava22_temporal_max_focal"
    assert (recipe.model.head.focal_alpha, recipe.model.head.focal_gamma) == (3.0, 1.0)


def test_lookup_covers_every_name_and_alias() -> None:
    expected = {k: s["registry_name"] for s in SPECS for k in (s["registry_name"], *s["aliases"])}
    assert build_lookup(ALL_RECIPES) == expected
    assert len(expected) == 14 + 26  # RECIPES.md: 14 names, 26 aliases, all distinct


def test_unknown_name_is_a_keyerror_with_suggestions() -> None:
    with pytest.raises(UnknownModelError) as info:
        get_recipe("slowfast_temporal_max_focl")
    assert isinstance(info.value, KeyError)
    assert "slowfast_temporal_max_focal" in info.value.suggestions
    assert "slowfast_temporal_max_focal" in str(info.value)
    assert "slowfast_temporal_max_focl" in str(info.value)


@pytest.mark.parametrize("name", ["slowfast", "slowonly", "", "resnet50"])
def test_unassigned_names_raise(name: str) -> None:
    # RECIPES.md leaves the bare "slowfast" / "slowonly" deliberately unassigned.
    with pytest.raises(KeyError):
        get_recipe(name)


def test_non_string_name_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="str"):
        get_recipe(7)  # type: ignore[arg-type]


def test_duplicate_alias_is_rejected() -> None:
    first, second = ALL_RECIPES[0], ALL_RECIPES[1]
    clash = dataclasses.replace(second, aliases=(*second.aliases, first.aliases[0]))
    with pytest.raises(ValueError, match=first.aliases[0]):
        build_lookup([first, clash])
    with pytest.raises(ValueError, match="lower case"):
        build_lookup([dataclasses.replace(first, aliases=("SlowOnly_X",))])


# --- list_models ---------------------------------------------------------------------------


def test_list_models_is_sorted_and_complete() -> None:
    names = list_models()
    assert names == sorted(s["registry_name"] for s in SPECS)
    assert list_models("*") == names


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (
            "slowfast*ava22*",
            [
                "slowfast_r50_8x8_ava22",
                "slowfast_r50_8x8_ava22_temporal_max",
                "slowfast_r50_8x8_ava22_temporal_max_focal",
            ],
        ),
        ("slowonly_r101*", ["slowonly_r101_8x8_ava21", "slowonly_r101_8x8_omni_ava21"]),
        ("SLOWONLY_R101*", ["slowonly_r101_8x8_ava21", "slowonly_r101_8x8_omni_ava21"]),
        ("*focal", ["slowfast_r50_8x8_ava22_temporal_max_focal"]),
        ("slowonly_custom", ["slowonly_r50_4x16_ava21_custom16"]),  # an alias
        ("*_nl_*", ["slowonly_r50_nl_4x16_ava21", "slowonly_r50_nl_8x8_ava21"]),
        ("*omni*", ["slowonly_r101_8x8_omni_ava21", "slowonly_r50_4x16_omni_ava21"]),
        ("slowfast", []),
        ("x3d*", []),
    ],
)
def test_list_models_pattern(pattern: str, expected: list[str]) -> None:
    assert list_models(pattern) == expected


def test_list_models_slowfast_prefix_gives_the_7_slowfast_recipes() -> None:
    names = list_models("slowfast*")
    assert names == sorted(s["registry_name"] for s in SPECS if s["arch"].startswith("SlowFast"))
    assert len(names) == 7
