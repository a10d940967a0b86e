"""Weights commands: ``avazoo download``, ``avazoo convert`` and ``avazoo push-to-hub``."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``download``, ``convert`` and ``push-to-hub`` sub-commands."""
    download = subparsers.add_parser(
        "download",
        help="fetch a recipe's checkpoint into the cache",
        description="Download a recipe's official AVA checkpoint (or, with --pretrain, the "
        "recognition checkpoint its training starts from) into the avazoo cache, verify its "
        "sha256 and print its path.",
    )
    download.add_argument("name", help="recipe name or alias, e.g. slowfast_temporal_max_focal")
    download.add_argument(
        "--pretrain", action="store_true", help="the Kinetics / OmniSource recognition checkpoint"
    )
    download.add_argument(
        "--cache-dir", type=Path, help="cache root (default: $AVAZOO_HOME or ~/.cache/avazoo)"
    )
    download.set_defaults(func=run_download)

    conv = subparsers.add_parser(
        "convert",
        help="convert an MMAction2 checkpoint into an avazoo model folder",
        description="Write model.safetensors, config.json and a README.md model card into a "
        "folder that avazoo.load(FOLDER) loads and that can be uploaded to the Hugging Face Hub "
        "as it is. Pickles are read safely: code in a .pth file is never executed.",
    )
    conv.add_argument("checkpoint", type=Path, help="an MMAction2 .pth (or .safetensors) file")
    conv.add_argument("--recipe", required=True, help="the recipe the checkpoint was trained with")
    conv.add_argument("--out", required=True, type=Path, help="the folder to write")
    conv.add_argument(
        "--custom-classes",
        type=_id_list,
        metavar="ID,ID,...",
        help="AVA ids of output columns 1.. of a checkpoint fine-tuned on a class subset",
    )
    conv.add_argument(
        "--label-map", type=Path, help="a .pbtxt label map: store the class names in config.json"
    )
    conv.add_argument("--source-url", help="where the checkpoint came from (recorded in the card)")
    conv.set_defaults(func=run_convert)

    push = subparsers.add_parser(
        "push-to-hub",
        help="upload an avazoo model folder to the Hugging Face Hub",
        description="Create the model repository if needed and upload the folder written by "
        "`avazoo convert`. Needs a token: `hf auth login` or HF_TOKEN.",
    )
    push.add_argument("folder", type=Path, help="a folder written by `avazoo convert`")
    push.add_argument("repo_id", help="the Hub repository, as org/name")
    push.add_argument("--private", action="store_true", help="create the repository as private")
    push.set_defaults(func=run_push)


def run_download(args: argparse.Namespace) -> int:
    from avazoo.pretrained import fetch

    print(fetch(args.name, pretrain=args.pretrain, cache_dir=args.cache_dir))
    return 0


def run_convert(args: argparse.Namespace) -> int:
    from avazoo.data.ava_files import read_label_map
    from avazoo.pretrained import convert

    names = read_label_map(args.label_map).as_dict() if args.label_map else None
    folder = convert(
        args.checkpoint,
        recipe=args.recipe,
        out_dir=args.out,
        custom_classes=args.custom_classes,
        class_names=names,
        source_url=args.source_url,
    )
    print(f"wrote {folder}: load it with avazoo.load({str(folder)!r})")
    return 0


def run_push(args: argparse.Namespace) -> int:
    from avazoo.pretrained import push_to_hub

    print(push_to_hub(args.folder, args.repo_id, private=args.private))
    return 0


def _id_list(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated AVA class ids like 3,6,10, got {text!r}"
        ) from None
