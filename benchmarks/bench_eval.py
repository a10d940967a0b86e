"""AVA frame-mAP at full validation scale: avazoo vs MMAction2 1.x and 0.x evaluation, one run.

A seeded synthetic case is generated in a temporary folder: 64 videos x 897 keyframes (at
``--scale 1``), about 2.5e5 ground-truth rows and 1.5e6 detection rows with 4-decimal scores,
written as MMAction2 1.x writes them, plus excluded keyframes and the real 60-class label map
(from ``shared/data/ava`` beside the checkout). Each contender then runs in fresh processes (wall
time, time of the evaluation call, CPU time, and peak RSS of the largest process of its tree;
medians of ``--repeats`` runs, after ``--warmup`` untimed ones: on a virtual machine the first
process to touch memory not used for a while pays for it, a tenth of a second for avazoo, noise
for a peer that runs a minute), and the mAPs and speed ratios are printed. avazoo reads the
files with its numpy reader (no optional accelerator is used).

Peers are MMAction2's own evaluation files, loaded by file path as packages of their own (no
torch/mmengine import): ``mmaction2==1.2.0`` (``mmaction/evaluation/functional``) and
``mmaction2==0.24.1`` (``mmaction/core/evaluation``). Unpack their wheels into folders and pass
them with ``--mmaction1-path`` / ``--mmaction0-path`` (or the environment variables
``AVAZOO_PEER_MMACTION1`` / ``AVAZOO_PEER_MMACTION0``), e.g.::

    pip download --no-deps mmaction2==1.2.0 mmaction2==0.24.1 -d /work/peers
    cd /work/peers && unzip -q mmaction2-1.2.0-*.whl -d mmaction2-1.2.0 \\
        && unzip -q mmaction2-0.24.1-*.whl -d mmaction2-0.24.1
    python benchmarks/bench_eval.py --mmaction1-path /work/peers/mmaction2-1.2.0 \\
        --mmaction0-path /work/peers/mmaction2-0.24.1

A missing peer is skipped with the reason. MMAction2 0.x takes minutes at full scale; use
``--scale`` for a smaller case, or ``--skip-0x``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np

LABEL_MAP = (  # the real 60-class evaluation list, beside the checkout
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "ava"
    / "ava_action_list_v2.1_for_activitynet_2018.pbtxt"
)
PEERS = {
    "mmaction2-1.x": ("mmaction1", "AVAZOO_PEER_MMACTION1", "mmaction/evaluation/functional"),
    "mmaction2-0.x": ("mmaction0", "AVAZOO_PEER_MMACTION0", "mmaction/core/evaluation"),
}


# ----------------------------------------------------------------------------- the synthetic case


def make_case(out: Path, *, videos: int, seed: int) -> dict[str, int]:
    """Write gt.csv, det.csv, excluded.csv and labelmap.pbtxt of a seeded AVA-val-like case."""
    from avazoo.data import ava_files

    rng = np.random.default_rng(seed)
    persons = _persons(rng, videos)
    owner, action = _labels(rng, len(persons["video"]))
    gt = _gt_rows(persons, owner, action)
    det = _detections(rng, persons, owner, action)
    ava_files.write_gt_csv(out / "gt.csv", gt)
    ava_files.write_detections_csv(out / "det.csv", det, decimals=4)
    keys = sorted(set(zip(gt.video_id.tolist(), gt.timestamp.tolist(), strict=True)))
    chosen = rng.choice(len(keys), size=max(1, len(keys) // 400), replace=False)
    ava_files.write_excluded(out / "excluded.csv", [keys[i] for i in sorted(chosen)])
    ava_files.write_label_map(out / "labelmap.pbtxt", ava_files.read_label_map(LABEL_MAP))
    return {"gt_rows": len(gt), "det_rows": len(det), "excluded": len(chosen)}


def _persons(rng: np.random.Generator, videos: int) -> dict[str, np.ndarray]:
    """One entry per person box: video, timestamp, person id, box [P, 4]."""
    stamps = np.arange(902, 1799)
    count = 1 + rng.poisson(1.7, size=(videos, len(stamps)))
    count[rng.random(count.shape) < 0.1] = 0
    crowd = rng.random(count.shape) < 0.01
    count[crowd] = rng.integers(8, 16, size=int(crowd.sum()))
    video = np.repeat(np.repeat(np.arange(videos), len(stamps)), count.ravel())
    stamp = np.repeat(np.tile(stamps, videos), count.ravel())
    person = np.concatenate([np.arange(n) for n in count.ravel()])
    center = rng.uniform(0.15, 0.85, size=(len(video), 2))
    size = rng.uniform(0.1, 0.45, size=(len(video), 2))
    boxes = np.clip(np.concatenate([center - size / 2, center + size / 2], axis=1), 0, 1)
    return {"video": video, "stamp": stamp, "person": person, "boxes": np.round(boxes, 3)}


def _class_frequencies() -> np.ndarray:
    weights = 1.0 / np.arange(1, 67) ** 1.1  # long tail over ids 15..80, like AVA's counts
    return weights / weights.sum()


def _labels(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """1-3 actions per person (about 1.7): a pose (1..14), then other ids by frequency."""
    count = 1 + rng.binomial(2, 0.35, size=n)
    owner = np.repeat(np.arange(n), count)
    first = np.concatenate(([True], owner[1:] != owner[:-1]))
    other = 15 + rng.choice(66, size=len(owner), p=_class_frequencies())
    action = np.where(first, rng.integers(1, 15, size=n)[owner], other)
    keep = np.concatenate(([True], (owner[1:] != owner[:-1]) | (action[1:] != action[:-1])))
    return owner[keep], action[keep]


def _video_ids(video: np.ndarray) -> np.ndarray:
    return np.char.add("vid", np.char.zfill(video.astype(str), 8))


def _gt_rows(persons: dict[str, np.ndarray], owner: np.ndarray, action: np.ndarray):
    from avazoo.data.ava_files import AVARows

    return AVARows.from_arrays(
        video_id=_video_ids(persons["video"][owner]),
        timestamp=persons["stamp"][owner],
        boxes=persons["boxes"][owner],
        action_id=action,
        score=persons["person"][owner],
    )


def _detections(
    rng: np.random.Generator, persons: dict[str, np.ndarray], owner: np.ndarray, action: np.ndarray
):
    """Proposals (jittered persons, duplicates, background boxes) scoring all 80 classes."""
    from avazoo.data.ava_files import AVARows

    n = len(persons["video"])
    truth = np.zeros((n + 1, 80), dtype=bool)  # row n: background, no action
    truth[owner, action - 1] = True
    source = np.concatenate([np.arange(n), rng.choice(n, size=n // 12)])
    source = np.sort(source[rng.random(len(source)) > 0.06])  # missed persons
    boxes = persons["boxes"][source] + rng.normal(0, 0.03, size=(len(source), 4))
    label_row = np.where(rng.random(len(source)) < 0.1, n, source)  # background proposals
    boxes[label_row == n] = rng.uniform(0, 1, size=(int((label_row == n).sum()), 4))
    boxes = np.round(np.clip(boxes, 0, 1), 4)
    boxes = np.concatenate(
        [np.minimum(boxes[:, :2], boxes[:, 2:]), np.maximum(boxes[:, :2], boxes[:, 2:])], axis=1
    )
    logits = rng.normal(-8.0, 1.5, size=(len(source), 80)).astype(np.float32)
    hits = truth[label_row]
    logits[hits] = rng.normal(-2.0, 2.5, size=int(hits.sum())).astype(np.float32)
    scores = 1 / (1 + np.exp(-logits))
    proposal, cls = np.nonzero(scores > 0.002)  # by proposal, then class: MMAction2's order
    return AVARows.from_arrays(
        video_id=_video_ids(persons["video"][source[proposal]]),
        timestamp=persons["stamp"][source[proposal]],
        boxes=boxes[proposal],
        action_id=cls + 1,
        score=np.round(scores[proposal, cls].astype(np.float64), 4),
    )


# ----------------------------------------------------------------------------- contenders (child)


def _load_peer(name: str, root: str) -> types.ModuleType:
    """MMAction2's ``ava_utils`` module loaded from ``root`` as a package of its own."""
    _, _, sub = PEERS[name]
    folder = Path(root) / sub
    if not (folder / "ava_utils.py").is_file():
        raise FileNotFoundError(f"{folder / 'ava_utils.py'} not found")
    np.NAN = np.nan  # removed in numpy 2, used by both versions
    np.float = float  # removed in numpy 1.24, used by 0.x
    package = types.ModuleType(f"_peer_{name.replace('.', '_').replace('-', '_')}")
    package.__path__ = [str(folder)]
    sys.modules[package.__name__] = package
    return importlib.import_module(f"{package.__name__}.ava_utils")


def _load_avazoo_metric(package_import: bool):
    """``avazoo.eval.ava_map``; unless ``package_import``, loaded like the peers: as a package
    of its own, without running ``avazoo/__init__.py`` (which imports torch for the models)."""
    if not package_import:
        package = types.ModuleType("avazoo")
        package.__path__ = [str(Path(__file__).resolve().parents[1] / "avazoo")]
        sys.modules["avazoo"] = package
    from avazoo.eval import ava_map

    return ava_map


def run_child(
    contender: str, case: Path, peer_root: str | None, *, package_import: bool = False
) -> dict:
    """Evaluate ``case`` with one contender in this process; returns mAP and timings."""
    files = {
        k: str(case / f)
        for k, f in (
            ("gt", "gt.csv"),
            ("det", "det.csv"),
            ("ex", "excluded.csv"),
            ("lm", "labelmap.pbtxt"),
        )
    }
    start = time.perf_counter()
    if contender.startswith("avazoo:"):
        ava_map = _load_avazoo_metric(package_import)
        imported = time.perf_counter()
        result = ava_map(
            files["gt"],
            files["det"],
            files["lm"],
            excluded=files["ex"],
            protocol=contender.split(":", 1)[1],
        )
        value = result.map
    else:
        peer = _load_peer(contender, peer_root)
        imported = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            stdout, sys.stdout = sys.stdout, quiet
            try:
                value = _run_peer(contender, peer, files)
            finally:
                sys.stdout = stdout
    done = time.perf_counter()
    return {"map": float(value), "import_s": imported - start, "eval_s": done - imported}


def _run_peer(contender: str, peer: types.ModuleType, files: dict[str, str]) -> float:
    if contender == "mmaction2-1.x":
        out = peer.ava_eval(
            files["det"],
            "mAP",
            files["lm"],
            files["gt"],
            files["ex"],
            verbose=False,
            ignore_empty_frames=True,
        )
        return out["overall"]
    out = peer.ava_eval(
        files["det"], "mAP", files["lm"], files["gt"], files["ex"], verbose=True
    )  # 0.x applies the exclusion only when verbose
    return out["mAP@0.5IOU"]


# ----------------------------------------------------------------------------- parent


def measure(
    contender: str,
    case: Path,
    peer_root: str | None,
    timeout: float,
    *,
    package_import: bool = False,
) -> dict:
    """Run one contender in a fresh process tree; wall time and peak RSS of its largest process."""
    command = [sys.executable, __file__, "--child", contender, "--case", str(case)]
    if peer_root:
        command += ["--peer-root", peer_root]
    if package_import:
        command += ["--package-import"]
    wrapper = [sys.executable, "-c", _WRAPPER, json.dumps(command), str(timeout)]
    done = subprocess.run(wrapper, capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode or len(lines) < 2:
        raise RuntimeError(f"{contender} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return {**json.loads(lines[-2]), **json.loads(lines[-1])}


_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
out = subprocess.run(json.loads(sys.argv[1]), capture_output=True, text=True,
                     timeout=float(sys.argv[2]))
wall = time.perf_counter() - start
sys.stderr.write(out.stderr[-4000:])
if out.returncode:
    sys.exit(out.returncode)
print(out.stdout.strip().splitlines()[-1])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
                  "peak_rss_mb": usage.ru_maxrss / 1024}))
"""


def _peer_paths(args: argparse.Namespace) -> dict[str, str | None]:
    paths = {}
    for name, (attr, env, sub) in PEERS.items():
        root = getattr(args, f"{attr}_path") or os.environ.get(env)
        if name == "mmaction2-0.x" and args.skip_0x:
            print(f"skipping {name}: --skip-0x")
            root = None
        elif not root:
            print(f"skipping {name}: pass --{attr}-path or set {env}")
        elif not (Path(root) / sub / "ava_utils.py").is_file():
            print(f"skipping {name}: {Path(root) / sub / 'ava_utils.py'} not found")
            root = None
        paths[name] = root
    return paths


def _report(name: str, runs: list[dict], ours: list[dict] | None) -> None:
    """One line: mAP, medians of process wall, evaluation-call wall and process-tree CPU time,
    peak RSS, and the speed ratios against avazoo's medians."""
    keys = ("wall_s", "eval_s", "cpu_s")
    mine = {k: statistics.median(r[k] for r in runs) for k in keys}
    peak = max(r["peak_rss_mb"] for r in runs)
    line = (
        f"{name:24s} mAP {runs[0]['map']:.10f}  process {mine['wall_s']:6.2f} s  "
        f"evaluation {mine['eval_s']:6.2f} s  CPU {mine['cpu_s']:6.2f} s  "
        f"peak RSS {peak:5.0f} MB"
    )
    if ours:
        base = {k: statistics.median(r[k] for r in ours) for k in keys}
        ratios = {k: mine[k] / base[k] for k in keys}
        line += (
            f"\n{'':24s} avazoo is faster by {ratios['eval_s']:.1f}x (evaluation call), "
            f"{ratios['wall_s']:.1f}x (process), {ratios['cpu_s']:.1f}x (CPU time)"
        )
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 64 videos")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3, help="runs of avazoo (median)")
    parser.add_argument("--peer-repeats", type=int, default=1, help="runs of each peer")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs of avazoo first")
    parser.add_argument(
        "--peer-warmup", type=int, default=0, help="untimed runs of each peer first (minutes)"
    )
    parser.add_argument("--mmaction1-path", help="unpacked mmaction2 1.2.0 wheel")
    parser.add_argument("--mmaction0-path", help="unpacked mmaction2 0.24.1 wheel")
    parser.add_argument("--skip-0x", action="store_true", help="do not run MMAction2 0.x")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per peer run")
    parser.add_argument("--keep", help="write the case here instead of a temporary folder")
    parser.add_argument(
        "--package-import",
        action="store_true",
        help="import avazoo normally (with torch) instead of its eval files only",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--peer-root", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(
            json.dumps(
                run_child(
                    args.child, Path(args.case), args.peer_root, package_import=args.package_import
                )
            )
        )
        return
    paths = _peer_paths(args)
    with tempfile.TemporaryDirectory() as tmp:
        case = Path(args.keep or tmp)
        case.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        stats = make_case(case, videos=max(1, round(64 * args.scale)), seed=args.seed)
        print(f"case: {stats} in {case} (generated in {time.perf_counter() - start:.1f} s)")
        _compare(case, paths, args)


def tie_bounds(case: Path, protocol: str) -> tuple[float, float]:
    """The lowest and highest mAP that any order of equal scores could give, from avazoo's
    true-positive flags (equal scores ranked false positives first, then true positives first)."""
    import avazoo.eval.metric as metric
    from avazoo.eval.ap import ranked_average_precision

    seen = []
    original = metric.average_precision

    def record(scores: np.ndarray, tp: np.ndarray, num_gt: int) -> float:
        seen.append((scores, tp, num_gt))
        return original(scores, tp, num_gt)

    metric.average_precision = record
    try:
        metric.ava_map(
            case / "gt.csv",
            case / "det.csv",
            case / "labelmap.pbtxt",
            excluded=case / "excluded.csv",
            protocol=protocol,
        )
    finally:
        metric.average_precision = original
    low = [ranked_average_precision(tp[np.lexsort((tp, -s))], n) for s, tp, n in seen if n]
    high = [ranked_average_precision(tp[np.lexsort((~tp, -s))], n) for s, tp, n in seen if n]
    return float(np.mean(low)), float(np.mean(high))


def _timed(
    contender: str,
    case: Path,
    root: str | None,
    args: argparse.Namespace,
    *,
    runs: int,
    warmup: int,
) -> list[dict]:
    """``runs`` measurements of ``contender``, after ``warmup`` untimed ones (fresh processes
    each: a first one pays for memory the machine has not handed out for a while)."""
    ours = contender.startswith("avazoo:")
    out = [
        measure(contender, case, root, args.timeout, package_import=args.package_import and ours)
        for _ in range(warmup + runs)
    ]
    return out[warmup:]


def _compare(case: Path, paths: dict[str, str | None], args: argparse.Namespace) -> None:
    print(
        f"(avazoo: median of {args.repeats} runs after {args.warmup} untimed; each peer: median "
        f"of {args.peer_repeats} after {args.peer_warmup})"
    )
    for protocol in ("mmaction2-1.x", "mmaction2-0.x", "activitynet"):
        ours = _timed(f"avazoo:{protocol}", case, None, args, runs=args.repeats, warmup=args.warmup)
        _report(f"avazoo ({protocol})", ours, None)
        peer = protocol  # the ActivityNet script is not packaged: avazoo only
        if paths.get(peer) is None:
            continue
        theirs = _timed(
            peer, case, paths[peer], args, runs=args.peer_repeats, warmup=args.peer_warmup
        )
        _report(f"MMAction2 {peer.split('-')[1]}", theirs, ours)
        low, high = tie_bounds(case, protocol)
        inside = all(low - 1e-12 <= r["map"] <= high + 1e-12 for r in theirs + ours)
        print(
            f"{'':24s} |mAP difference| {abs(theirs[0]['map'] - ours[0]['map']):.2e}; "
            f"orders of equal scores allow [{low:.10f}, {high:.10f}]; both inside: {inside}"
        )
    print(
        f"(peak RSS: the largest single process; this machine: {os.cpu_count()} CPUs, "
        f"python {sys.version.split()[0]}, numpy {np.__version__}; "
        f"self max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)"
    )


if __name__ == "__main__":
    main()
