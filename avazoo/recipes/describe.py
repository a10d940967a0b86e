"""Short human-readable summaries of a recipe, shared by MODEL_ZOO.md and ``avazoo models``."""

from __future__ import annotations

from avazoo.models.config import PathwayConfig, SlowFastConfig
from avazoo.recipes.types import Recipe

__all__ = [
    "describe_backbone",
    "describe_head",
    "describe_input",
    "describe_map",
    "describe_schedule",
]


def describe_backbone(recipe: Recipe) -> str:
    """E.g. ``"SlowOnly R50 + 5 NonLocal"`` or ``"SlowFast R50 (τ 4, α 4)"``."""
    backbone = recipe.model.backbone
    if isinstance(backbone, SlowFastConfig):
        return (
            f"SlowFast R{backbone.slow.depth} "
            f"(τ {backbone.resample_rate}, α {backbone.speed_ratio})"
        )
    return f"SlowOnly R{backbone.depth}{_non_local_suffix(backbone)}"


def _non_local_suffix(pathway: PathwayConfig) -> str:
    if pathway.non_local is None:
        return ""
    blocks = sum(sum(stage) for stage in pathway.non_local.stages)
    return f" + {blocks} NonLocal"


def describe_head(recipe: Recipe) -> str:
    """E.g. ``"RoIAlign 8x8, temporal max pool, 2304 -> 81 logits, focal α 3 γ 1"``."""
    head = recipe.model.head
    parts = [
        f"RoIAlign {head.output_size}x{head.output_size}",
        f"temporal {head.temporal_pool_mode} pool",
    ]
    if head.with_global:
        parts.append("global context")
    parts.append(f"{head.in_channels} -> {head.num_classes} logits")
    if (head.focal_alpha, head.focal_gamma) != (1.0, 0.0):
        parts.append(f"focal α {head.focal_alpha:g} γ {head.focal_gamma:g}")
    return ", ".join(parts)


def describe_input(recipe: Recipe) -> str:
    """Frames sampled x interval, e.g. ``"4x16"``; for SlowFast also the frames per pathway,
    e.g. ``"32x2 (slow 8 / fast 32)"``."""
    data = recipe.data
    sampled = f"{data.clip_len}x{data.frame_interval}"
    backbone = recipe.model.backbone
    if not isinstance(backbone, SlowFastConfig):
        return sampled
    slow = recipe.model.clip_len // backbone.resample_rate
    fast = recipe.model.clip_len // (backbone.resample_rate // backbone.speed_ratio)
    return f"{sampled} (slow {slow} / fast {fast})"


def describe_map(value: float | None) -> str:
    """A published mAP in percent as printed in the tables (``"-"`` where none exists)."""
    return "-" if value is None else f"{value:g}"


def describe_schedule(recipe: Recipe) -> str:
    """E.g. ``"SGD lr 0.2, wd 1e-05, 20 epochs, step [10, 15], warmup 5 epochs (ratio 0.1),
    batch 8 GPUs x 16 videos"``."""
    s = recipe.schedule
    policy = f"step {list(s.steps)}" if s.lr_policy == "step" else "cosine"
    unit = "epochs" if s.warmup_by_epoch else "iterations"
    if s.gpus is None:
        batch = f"{s.videos_per_gpu} videos per GPU (GPU count not published)"
    else:
        batch = f"{s.gpus} GPUs x {s.videos_per_gpu} videos"
    nesterov = " nesterov," if s.nesterov else ""
    return (
        f"SGD lr {s.lr:g},{nesterov} wd {s.weight_decay:g}, {s.epochs} epochs, {policy}, "
        f"warmup {s.warmup_iters} {unit} (ratio {s.warmup_ratio:g}), batch {batch}"
    )
