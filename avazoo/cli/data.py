"""``avazoo data synth`` writes a synthetic mini-AVA; ``avazoo data extract-frames`` extracts a
video's frames with the count checked."""

from __future__ import annotations

import argparse

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``data`` sub-command (with ``synth`` and ``extract-frames``)."""
    parser = subparsers.add_parser(
        "data",
        help="prepare AVA data: a synthetic set, frames from videos",
        description="Prepare data in MMAction2's AVA layout.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    synth = actions.add_parser(
        "synth",
        help="write a synthetic mini-AVA (real layout, learnable actions)",
        description="Write a synthetic mini-AVA in the real AVA layout: frames, CSVs, label "
        "map, excluded timestamps, proposals and a manifest (avazoo_synth.json).",
    )
    synth.add_argument("--out", required=True, help="data root to create (must not exist)")
    synth.add_argument("--videos", type=int, default=16, help="videos per split (default 16)")
    synth.add_argument("--keyframes", type=int, default=8, help="keyframes per video (default 8)")
    synth.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    synth.set_defaults(func=run_synth)

    extract = actions.add_parser(
        "extract-frames",
        help="extract a video's frames to img_00001.jpg, ... with the count checked",
        description="Decode every frame of VIDEO to OUT_DIR/img_00001.jpg, ... (as MMAction2's "
        "extract_rgb_frames_ffmpeg.sh does). The number written must equal the count the "
        "container declares and --expected-frames; otherwise nothing is kept.",
    )
    extract.add_argument("video", help="an mp4/mkv/webm file")
    extract.add_argument("out_dir", help="the frame folder to create, e.g. rawframes/VIDEO_ID")
    extract.add_argument(
        "--expected-frames",
        type=int,
        default=None,
        help="exact frame count required (27030 for a cut AVA video)",
    )
    extract.set_defaults(func=run_extract)


def run_synth(args: argparse.Namespace) -> int:
    """Write the synthetic set and print what was written."""
    from avazoo.data.synth import make_synthetic_ava

    data = make_synthetic_ava(
        args.out, videos=args.videos, keyframes=args.keyframes, seed=args.seed
    )
    counts = {split: sum(len(v.timestamps) for v in vids) for split, vids in data.videos.items()}
    print(
        f"wrote a synthetic AVA to {data.root}: {args.videos} videos per split, "
        f"{counts['train']} train and {counts['val']} val keyframes, "
        f"{data.config.num_classes - 1} classes"
    )
    return 0


def run_extract(args: argparse.Namespace) -> int:
    """Extract the frames and print how many were written."""
    from avazoo.data.extract import extract_frames

    count = extract_frames(args.video, args.out_dir, expected_frames=args.expected_frames)
    print(f"wrote {count} frames to {args.out_dir}")
    return 0
