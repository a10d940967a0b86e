"""MODEL_ZOO.md, generated from the registry.

Print it with ``python -m avazoo.recipes.model_zoo``, or rewrite the file in place with
``python -m avazoo.recipes.model_zoo --write MODEL_ZOO.md``. A test fails when the committed file
differs from :func:`render_model_zoo`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import torch

from avazoo.atomic import write_text_atomic
from avazoo.models import build_detector
from avazoo.recipes import RECIPES, Recipe
from avazoo.recipes.describe import describe_backbone, describe_input, describe_map

__all__ = ["count_parameters", "main", "render_model_zoo"]

REGENERATE_COMMAND = "python -m avazoo.recipes.model_zoo --write MODEL_ZOO.md"

_COLUMNS = (
    "name",
    "aliases",
    "backbone",
    "input",
    "pretrain",
    "AVA",
    "mAP",
    "1.x mAP",
    "params",
    "checkpoint",
)


def count_parameters(recipe: Recipe) -> int:
    """Number of parameter elements of the recipe's detector (buffers excluded).

    The model is built on the meta device: nothing is allocated or initialised.
    """
    with torch.device("meta"):
        model = build_detector(recipe.model)
    return sum(p.numel() for p in model.parameters())


def _row(recipe: Recipe) -> list[str]:
    results = recipe.results
    mean_ap = describe_map(results.map)
    if recipe.data.custom_classes is not None:
        mean_ap += f" ({len(recipe.data.custom_classes)} custom classes)"
    checkpoint = f"[0.x]({recipe.weights.url})"
    if recipe.weights_1x is not None:
        checkpoint += f" · [1.x]({recipe.weights_1x.url})"
    return [
        f"`{recipe.name}`",
        ", ".join(f"`{alias}`" for alias in recipe.aliases),
        describe_backbone(recipe),
        describe_input(recipe),
        f"[{recipe.pretrain}]({recipe.pretrained.url})",
        recipe.ava_version,
        mean_ap,
        describe_map(results.map_1x),
        f"{count_parameters(recipe):,}",
        checkpoint,
    ]


def _table_line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def render_model_zoo() -> str:
    """The full MODEL_ZOO.md text: a short header, then one table row per recipe."""
    lines = [
        "# avazoo model zoo",
        "",
        f"<!-- Generated from avazoo/recipes/registry.py by `{REGENERATE_COMMAND}`;"
        " do not edit by hand. -->",
        "",
        f"The {len(RECIPES)} spatio-temporal action-detection recipes of the MMAction2 AVA"
        " model zoo. Load one, pretrained and in eval mode, by name or alias:",
        "",
        "```python",
        "import avazoo",
        'model = avazoo.load("slowfast_temporal_max_focal")',
        "```",
        "",
        "List them with `avazoo models [PATTERN]`; `avazoo models --info NAME` prints one recipe's"
        " details. mAP is the published frame-level mAP@0.5IoU in percent on AVA val (MMAction2"
        ' 0.x README; "1.x mAP": the MMAction2 1.x re-trained checkpoint). Input is frames x'
        " frame interval; params counts the detector's parameters.",
        "",
        _table_line(_COLUMNS),
        _table_line(["---"] * len(_COLUMNS)),
    ]
    lines += [_table_line(_row(recipe)) for recipe in RECIPES.values()]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Print MODEL_ZOO.md, or write it with ``--write PATH``; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m avazoo.recipes.model_zoo",
        description="Print MODEL_ZOO.md as generated from the recipe registry.",
    )
    parser.add_argument("--write", metavar="PATH", type=Path, help="write the file (atomically)")
    args = parser.parse_args(argv)
    text = render_model_zoo()
    if args.write is None:
        sys.stdout.write(text)
    else:
        write_text_atomic(args.write, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
