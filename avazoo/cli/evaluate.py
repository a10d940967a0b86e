"""``avazoo evaluate MODEL --data-root DIR``: a pretrained detector over the val split, scored."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from avazoo.recipes.types import DataConfig

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``evaluate`` sub-command to the ``avazoo`` parser."""
    from avazoo.eval.protocols import PROTOCOLS

    parser = subparsers.add_parser(
        "evaluate",
        help="run a detector over an AVA val split and print its frame mAP",
        description="Load MODEL (a recipe name or alias, a checkpoint file or folder, or "
        "hf-hub:org/repo), run it over the val split under --data-root with the recipe's test "
        "pipeline, write the detections CSV and print the per-class AP table and the mAP. A "
        "synthetic set (avazoo data synth) is recognised by its manifest.",
    )
    parser.add_argument("model", help="recipe name/alias, checkpoint path, or hf-hub:org/repo")
    parser.add_argument("--data-root", required=True, help="AVA data root (rawframes/, ...)")
    parser.add_argument(
        "--recipe", help="the recipe of a checkpoint that does not record it (.pth files)"
    )
    parser.add_argument("--batch-size", type=int, default=1, help="keyframes per forward pass")
    parser.add_argument("--device", default=None, help="e.g. cpu, cuda (default: cuda if any)")
    parser.add_argument("--workers", type=int, default=2, help="DataLoader workers (default 2)")
    parser.add_argument("--out", help="where to write the detections CSV (default: not kept)")
    parser.add_argument(
        "--protocol",
        choices=tuple(PROTOCOLS),
        default="mmaction2-0.x",
        help="metric protocol (default mmaction2-0.x, which produced the published numbers)",
    )
    parser.add_argument(
        "--short-side",
        type=int,
        default=None,
        help="test short side in pixels (default: the recipe's, 256); smaller is faster "
        "but no longer the published setting",
    )
    parser.add_argument("--json", help="also write the result as JSON to this file")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def _data_config(recipe_name: str, data_root: Path, short_side: int | None) -> DataConfig:
    from avazoo.data.synth import MANIFEST_NAME, read_synthetic_config
    from avazoo.recipes import get_recipe

    config = get_recipe(recipe_name).data
    if (data_root / MANIFEST_NAME).is_file():
        config = read_synthetic_config(data_root, base=config)
    if short_side is not None:
        config = dataclasses.replace(config, test_short_side=short_side)
    return config


def run(args: argparse.Namespace) -> int:
    """Load, evaluate, print; exit code 0."""
    import torch

    from avazoo.atomic import write_text_atomic
    from avazoo.data.dataset import AVADataset
    from avazoo.eval import Evaluator
    from avazoo.pretrained import load

    root = Path(args.data_root)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    model = load(args.model, recipe=args.recipe, device=device)
    config = _data_config(model.recipe.name, root, args.short_side)
    if model.num_classes != config.num_classes:
        raise ValueError(
            f"the model has {model.num_classes} outputs but the data under {root} has "
            f"{config.num_classes - 1} classes (+1); use a model trained on this data"
        )
    data = AVADataset(config, root, split="val")
    evaluator = Evaluator(
        model,
        data,
        batch_size=args.batch_size,
        device=device,
        num_workers=args.workers,
        progress=not args.quiet,
        protocol=args.protocol,
    )
    result = evaluator.evaluate(out_file=args.out)
    print(result.table())
    if data.missing_proposals:
        print(f"{data.missing_proposals} keyframes had no proposals: the whole frame was used")
    if args.json:
        write_text_atomic(Path(args.json), json.dumps(result.to_dict(), indent=2))
    return 0
