"""``avazoo models [PATTERN]`` lists the recipes; ``avazoo models --info NAME`` shows one."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from avazoo.recipes import Recipe, get_recipe, list_models
from avazoo.recipes.describe import (
    describe_backbone,
    describe_head,
    describe_input,
    describe_map,
    describe_schedule,
)

__all__ = ["format_info", "format_table", "register"]

_HEADER = ("name", "aliases", "AVA", "mAP", "1.x mAP")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``models`` sub-command to the ``avazoo`` parser."""
    parser = subparsers.add_parser(
        "models",
        help="list the recipes of the model zoo",
        description="List the recipes (name, aliases, AVA version, published mAP), or print "
        "one recipe's details with --info.",
    )
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument(
        "pattern",
        nargs="?",
        help="only recipes whose name or an alias matches this shell-style pattern, "
        "e.g. 'slowfast*ava22*' (case-insensitive)",
    )
    choice.add_argument("--info", metavar="NAME", help="print the key facts of one recipe")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the table or one recipe's facts; exit code 1 when the pattern matches nothing."""
    if args.info is not None:
        print(format_info(get_recipe(args.info)))
        return 0
    names = list_models(args.pattern)
    if not names:
        print(
            f"avazoo models: no recipe name or alias matches {args.pattern!r}; "
            "run `avazoo models` to see all of them",
            file=sys.stderr,
        )
        return 1
    print(format_table([get_recipe(name) for name in names]))
    return 0


def format_table(recipes: Sequence[Recipe]) -> str:
    """One aligned text line per recipe under a header: name, aliases, AVA, mAP, 1.x mAP."""
    rows = [_HEADER] + [
        (
            r.name,
            ", ".join(r.aliases),
            r.ava_version,
            describe_map(r.results.map),
            describe_map(r.results.map_1x),
        )
        for r in recipes
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def format_info(recipe: Recipe) -> str:
    """The facts a user needs to pick, load or retrain one recipe, one per line."""
    data, results = recipe.data, recipe.results
    classes = f"{recipe.num_classes} outputs (class 0 unused)"
    if data.custom_classes is not None:
        classes += f"; custom classes {', '.join(map(str, data.custom_classes))}"
    facts = [
        ("aliases", ", ".join(recipe.aliases)),
        ("MMAction2 0.x", f"configs/detection/ava/{recipe.seed_name}.py"),
        ("MMAction2 1.x", recipe.seed_name_1x or "-"),
        ("architecture", f"{recipe.arch}; {describe_backbone(recipe)}"),
        ("RoI head", describe_head(recipe)),
        ("input", f"{describe_input(recipe)} (frames x interval)"),
        ("pretrain", f"{recipe.pretrain}: {recipe.pretrained.url}"),
        ("AVA", f"v{recipe.ava_version}, evaluated with {results.eval_label_file}"),
        ("classes", classes),
        ("mAP", f"{describe_map(results.map)} ({results.metric}, percent)"),
        ("1.x mAP", describe_map(results.map_1x)),
        ("weights", f"{recipe.weights.url} (sha256 {recipe.weights.sha256}...)"),
        ("1.x weights", _checkpoint_line(recipe)),
        ("schedule", describe_schedule(recipe)),
        ("load", f'avazoo.load("{recipe.name}")'),
    ]
    width = max(len(key) for key, _ in facts)
    return "\n".join([recipe.name] + [f"  {key.ljust(width)}  {value}" for key, value in facts])


def _checkpoint_line(recipe: Recipe) -> str:
    ref = recipe.weights_1x
    return "-" if ref is None else f"{ref.url} (sha256 {ref.sha256}...)"
