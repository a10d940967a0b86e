"""Building detectors from recipes and loading weights into them with clear diagnostics."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from functools import cache

import torch

from avazoo.errors import CheckpointMismatchError
from avazoo.models import AVADetector, DetectorConfig, build_detector
from avazoo.recipes import RECIPES, Recipe, get_recipe

__all__ = ["HEAD_KEYS", "create_model", "load_weights", "model_config", "recipes_fitting"]

Shapes = dict[str, tuple[int, ...]]
HEAD_KEYS = ("roi_head.bbox_head.fc_cls.weight", "roi_head.bbox_head.fc_cls.bias")
"""The classifier's keys: weight ``[num_classes, C]`` and bias ``[num_classes]``."""
_LISTED = 8  # keys shown per category in a mismatch message


def model_config(
    recipe: Recipe,
    *,
    num_classes: int | None = None,
    custom_classes: Sequence[int] | None = None,
) -> DetectorConfig:
    """The recipe's architecture, with the classifier resized for ``num_classes`` outputs.

    ``custom_classes`` (original AVA ids) implies ``num_classes = len(custom_classes) + 1``
    (output 0 is the reserved class, output i stands for ``custom_classes[i - 1]``).
    """
    if custom_classes is not None:
        ids = list(custom_classes)
        if not ids or len(set(ids)) != len(ids) or 0 in ids:
            raise ValueError(
                f"custom_classes={ids}: expected distinct AVA action ids >= 1 (class 0 is reserved)"
            )
        if num_classes is not None and num_classes != len(ids) + 1:
            raise ValueError(
                f"num_classes={num_classes} contradicts custom_classes ({len(ids)} ids need "
                f"num_classes={len(ids) + 1}); pass only one of them"
            )
        num_classes = len(ids) + 1
    if num_classes is None or num_classes == recipe.model.head.num_classes:
        return recipe.model
    if num_classes < 2:
        raise ValueError(f"num_classes={num_classes}: need at least 2 (class 0 is reserved)")
    head = dataclasses.replace(recipe.model.head, num_classes=num_classes)
    return dataclasses.replace(recipe.model, head=head)


def create_model(
    name: str,
    *,
    pretrained: bool = False,
    num_classes: int | None = None,
    custom_classes: Sequence[int] | None = None,
) -> AVADetector:
    """An AVA detector for the recipe ``name`` (a canonical name or an alias).

    Args:
        name: e.g. ``"slowfast_temporal_max_focal"``; see :func:`avazoo.list_models`.
        pretrained: load the recipe's official AVA checkpoint (downloaded, verified, cached).
            With a different ``num_classes`` every weight but the classifier is loaded and the
            classifier keeps its random init, ready for fine-tuning.
        num_classes: outputs per box including the reserved class 0 (default: the recipe's).
        custom_classes: AVA action ids the model should output, in order.

    Returns:
        The model in training mode; ``model.recipe`` is the resolved recipe.
    """
    recipe = get_recipe(name)
    cfg = model_config(recipe, num_classes=num_classes, custom_classes=custom_classes)
    model = build_detector(cfg)
    if pretrained:
        from avazoo.hub import load_state_dict
        from avazoo.pretrained import fetch  # imports this module: import on use

        state = load_state_dict(fetch(recipe.name))
        if cfg.head.num_classes != recipe.model.head.num_classes:
            state = {k: v for k, v in state.items() if k not in HEAD_KEYS}
            load_weights(model, state, ignore=HEAD_KEYS)
        else:
            load_weights(model, state)
    model.recipe = recipe
    return model


def load_weights(
    model: AVADetector, state_dict: Mapping[str, torch.Tensor], *, ignore: Sequence[str] = ()
) -> None:
    """Load ``state_dict`` strictly, or raise an error that says exactly what does not fit.

    Args:
        ignore: model keys allowed to be missing from ``state_dict`` (they keep their values).

    Raises:
        CheckpointMismatchError: listing missing, unexpected and shape-mismatched keys, and
            naming the recipes whose architecture matches the checkpoint.
    """
    expected = _shapes(model.state_dict())
    found = _shapes(state_dict)
    missing = [k for k in expected if k not in found and k not in ignore]
    unexpected = [k for k in found if k not in expected]
    mismatched = [k for k in expected if k in found and expected[k] != found[k]]
    if missing or unexpected or mismatched:
        problems = {"missing": missing, "unexpected": unexpected, "mismatched": mismatched}
        raise CheckpointMismatchError(_mismatch_message(expected, found, problems))
    model.load_state_dict(dict(state_dict), strict=not ignore)


def recipes_fitting(state_dict: Mapping[str, torch.Tensor]) -> list[tuple[str, int]]:
    """``(recipe name, num_classes)`` of every recipe whose architecture has these keys and shapes.

    The classifier may have any number of classes (a fine-tuned head still fits its recipe).
    """
    return _fitting(_shapes(state_dict))


def _fitting(found: Shapes) -> list[tuple[str, int]]:
    head = found.get(HEAD_KEYS[0])
    fits = []
    for name in RECIPES:
        arch = _architecture_shapes(name, head[0] if head else None)
        if arch == found:
            fits.append((name, head[0] if head else RECIPES[name].num_classes))
    return fits


@cache
def _architecture_shapes(name: str, num_classes: int | None) -> Shapes:
    cfg = model_config(RECIPES[name], num_classes=num_classes if num_classes else None)
    with torch.device("meta"):
        model = build_detector(cfg)
    return _shapes(model.state_dict())


def _shapes(state_dict: Mapping[str, torch.Tensor]) -> Shapes:
    return {k: tuple(v.shape) for k, v in state_dict.items()}


def _mismatch_message(expected: Shapes, found: Shapes, problems: dict[str, list[str]]) -> str:
    lines = ["the checkpoint does not fit this model:"]
    for label in ("missing", "unexpected"):
        keys = problems[label]
        if keys:
            more = f", ... ({len(keys)} in all)" if len(keys) > _LISTED else ""
            lines.append(f"  {label} keys: {', '.join(keys[:_LISTED])}{more}")
    if problems["mismatched"]:
        lines.append(f"  shape mismatches ({len(problems['mismatched'])}):")
        lines += [
            f"    {k}: model {expected[k]}, checkpoint {found[k]}"
            for k in problems["mismatched"][:_LISTED]
        ]
    fits = _fitting(found)
    if fits:
        names = ", ".join(f"{n} (num_classes={c})" for n, c in fits)
        lines.append(f"  the checkpoint fits these recipes: {names}; load it with one of them")
    else:
        lines.append("  no avazoo recipe has this architecture; is it an AVA detection checkpoint?")
    return "\n".join(lines)
