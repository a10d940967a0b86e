"""CPU inference speed: avazoo vs MMAction2's own modules, SlowFast R50 8x8, side by side.

One clip ``[1, 3, 32, 256, 256]`` and 8 boxes through backbone + RoI head, the two models
holding the same weights (checked to give the same logits first). Contenders are interleaved
(A B A B ...) after a warm-up, and the medians and their ratio are printed.

    python benchmarks/bench_model.py --mmaction-path /path/to/mmaction-site [--repeats 5]

Without ``--mmaction-path`` only avazoo is timed. See benchmarks/README.md for installing the peer.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

import avazoo

RECIPE = "slowfast_r50_8x8_ava21"


def _inputs() -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    clip = torch.randn((1, 3, 32, 256, 256), generator=gen)
    xy = torch.rand((8, 2), generator=gen) * 160
    wh = 32 + torch.rand((8, 2), generator=gen) * 64
    rois = torch.cat((torch.zeros(8, 1), xy, xy + wh), dim=1)
    return clip, rois


def _time(model: torch.nn.Module, clip: torch.Tensor, rois: torch.Tensor) -> float:
    start = time.perf_counter()
    model(clip, rois)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mmaction-path", help="folder where mmaction2 1.2.0 is installed")
    parser.add_argument("--extra-path", action="append", default=[], help="more import folders")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    sys.path.extend(args.extra_path)

    ours = avazoo.create_model(RECIPE).eval()
    contenders = {"avazoo": ours}
    clip, rois = _inputs()
    if args.mmaction_path:
        sys.path.insert(0, str(Path(__file__).parent))
        import _mmaction_peer as peer

        theirs = peer.slowfast_r50_8x8(peer.import_mmaction(args.mmaction_path)).eval()
        theirs.load_state_dict(ours.state_dict(), strict=True)
        contenders["mmaction2"] = theirs
        with torch.inference_mode():
            diff = (ours(clip, rois) - theirs(clip, rois)).abs().max().item()
        print(f"same weights, max |logit difference| = {diff:.2e}")
    else:
        print("mmaction2 not given (--mmaction-path): timing avazoo alone")

    times: dict[str, list[float]] = {name: [] for name in contenders}
    with torch.inference_mode():
        for model in contenders.values():
            _time(model, clip, rois)  # warm-up
        for _ in range(args.repeats):
            for name, model in contenders.items():
                times[name].append(_time(model, clip, rois))
    print(f"{RECIPE}, 1 clip 32x256x256, 8 boxes, {args.threads} threads, fp32 CPU")
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    for name, med in medians.items():
        runs = ", ".join(f"{t:.2f}" for t in times[name])
        print(f"  {name:10s} median {med:.3f} s  (runs: {runs})")
    if "mmaction2" in medians:
        print(f"  speed-up avazoo vs mmaction2: {medians['mmaction2'] / medians['avazoo']:.2f}x")


if __name__ == "__main__":
    main()
