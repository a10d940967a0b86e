"""``avazoo eval GT.csv DET.csv --label-map LM.pbtxt``: the AVA frame-mAP of a result file."""

from __future__ import annotations

import argparse
import json
import sys

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``eval`` sub-command."""
    from avazoo.eval.protocols import PROTOCOLS

    parser = subparsers.add_parser(
        "eval",
        help="frame-mAP@0.5 of an AVA detection CSV against ground truth",
        description="Compute the AVA frame-level mAP at IoU 0.5 of a detection (result) CSV, "
        "exactly as the chosen protocol does, and print the per-class table. CSV files may be "
        "gzipped.",
    )
    parser.add_argument("gt", help="ground-truth CSV, e.g. ava_val_v2.2.csv")
    parser.add_argument("detections", help="detection CSV (video,timestamp,x1,y1,x2,y2,id,score)")
    parser.add_argument("--label-map", required=True, help="label map .pbtxt (evaluated classes)")
    parser.add_argument("--exclude", default=None, help="excluded-timestamps CSV")
    parser.add_argument(
        "--protocol",
        choices=tuple(PROTOCOLS),
        default="mmaction2-0.x",
        help="metric rules (default mmaction2-0.x, which produced the published numbers)",
    )
    parser.add_argument(
        "--custom-classes",
        type=_class_list,
        default=None,
        help="comma-separated class ids to evaluate, e.g. 3,6,10 (a subset of the label map)",
    )
    parser.add_argument("--json", default=None, metavar="OUT", help="also write the result here")
    parser.set_defaults(func=run)


def _class_list(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, got {text!r}"
        ) from None


def run(args: argparse.Namespace) -> int:
    """Evaluate, print the table and the mAP, and write the JSON if asked."""
    from avazoo.atomic import write_text_atomic
    from avazoo.eval import ava_map

    try:
        result = ava_map(
            args.gt,
            args.detections,
            args.label_map,
            excluded=args.exclude,
            custom_classes=args.custom_classes,
            protocol=args.protocol,
        )
    except (ValueError, FileNotFoundError) as err:
        print(f"avazoo eval: error: {err}", file=sys.stderr)
        return 2
    print(result.table())
    if args.json:
        write_text_atomic(args.json, json.dumps(result.to_dict(), indent=1) + "\n")
        print(f"wrote {args.json}")
    return 0
