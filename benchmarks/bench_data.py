"""Training throughput of avazoo's AVA data pipeline against a plain PIL pipeline, per worker.

One worker = one process with one torch thread, as a DataLoader worker runs. Each "clip" is a
training sample of the 32x2 recipes: 32 JPEG frames of 340x256 (the size of MMAction2's extracted
AVA frames) decoded, rescaled to a random short side in [256, 320], randomly cropped to 256x256,
maybe flipped, normalised to float32 ``[3, 32, 256, 256]``, with the boxes moved along.

- avazoo: ``AVADataset(split="train")[i]`` (sampling, decoding, transforms, proposals), with each
  JPEG backend.
- PIL baseline: the same frame files, ``PIL.Image.open`` + ``resize(BILINEAR)`` per frame, numpy
  crop/flip/normalise: what a plain script would do.

Also times the JPEG decoders alone on one frame: torchvision.io.decode_jpeg and PIL (avazoo's
backends), plus simplejpeg and OpenCV when importable (not avazoo dependencies: pass
``--peers DIR`` pointing at a ``pip install --target DIR simplejpeg opencv-python-headless``).

Runs are interleaved (A B A B ...) and the medians reported. Usage:
    python benchmarks/bench_data.py [--clips 12] [--rounds 3] [--peers /work/peers/jpeg]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from avazoo.data import ava_files
from avazoo.data.dataset import AVADataset
from avazoo.data.sampling import clip_frame_indices, keyframe_index
from avazoo.data.synth import synthetic_data_config

HEIGHT, WIDTH = 256, 340
MEAN = np.array([123.675, 116.28, 103.53], dtype=np.float32)
STD = np.array([58.395, 57.12, 57.375], dtype=np.float32)


def natural_frame(rng: np.random.Generator, k: int) -> np.ndarray:
    """A 340x256 frame with smooth structure and texture (JPEG-compresses like video)."""
    small = rng.integers(0, 256, size=(9, 12, 3), dtype=np.uint8)
    base = np.asarray(Image.fromarray(small).resize((WIDTH, HEIGHT), Image.BICUBIC), np.float32)
    noise = rng.normal(0, 12, size=(HEIGHT, WIDTH, 3))
    base[60:200, (k * 3) % 200 : (k * 3) % 200 + 60] = (200, 40, 40)  # a moving block
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def write_dataset(root: Path, *, keyframes: int) -> None:
    """One video of 340x256 JPEG frames (quality 95) + annotations for ``keyframes`` keyframes."""
    rng = np.random.default_rng(0)
    stamps = list(range(902, 902 + keyframes))
    last = keyframe_index(stamps[-1], fps=30, timestamp_start=900) + 32
    frames = root / "rawframes" / "benchvideo0"
    frames.mkdir(parents=True)
    for k in range(1, last + 1):
        Image.fromarray(natural_frame(rng, k)).save(frames / f"img_{k:05d}.jpg", quality=95)
    config = synthetic_data_config()
    ann = root / "annotations"
    ann.mkdir()
    box = [0.3, 0.2, 0.6, 0.9]
    rows = ava_files.AVARows.from_arrays(
        video_id=["benchvideo0"] * keyframes,
        timestamp=stamps,
        boxes=[box] * keyframes,
        action_id=[1] * keyframes,
        score=[1] * keyframes,
    )
    ava_files.write_gt_csv(ann / config.train_ann_file, rows)
    ava_files.write_excluded(ann / config.train_exclude_file, [])
    ava_files.write_label_map(ann / config.label_file, ava_files.LabelMap((1,), ("move",)))
    props = {ava_files.keyframe_key("benchvideo0", t): np.array([[*box, 0.99]]) for t in stamps}
    ava_files.write_proposals(ann / config.train_proposal_file, props)


def pil_clip(frame_dir: Path, timestamp: int, rng: np.random.Generator) -> np.ndarray:
    """The plain PIL + numpy baseline for one training clip -> float32 [3, 32, 256, 256]."""
    indices = clip_frame_indices(timestamp, clip_len=32, frame_interval=2, rng=rng)
    short = int(rng.integers(256, 321))
    new_w = int(WIDTH * short / HEIGHT + 0.5)
    y0, x0 = (
        int(rng.integers(0, short - 256)) if short > 256 else 0,
        int(rng.integers(0, new_w - 256)),
    )
    flip = rng.random() < 0.5
    out = np.empty((32, 256, 256, 3), dtype=np.float32)
    for t, k in enumerate(indices):
        with Image.open(frame_dir / f"img_{k:05d}.jpg") as image:
            resized = np.asarray(image.convert("RGB").resize((new_w, short), Image.BILINEAR))
        crop = resized[y0 : y0 + 256, x0 : x0 + 256]
        out[t] = (crop[:, ::-1] if flip else crop).astype(np.float32)
    out = (out - MEAN) / STD
    return np.ascontiguousarray(out.transpose(3, 0, 1, 2))


def time_per_clip(run: Callable[[int], object], clips: int) -> float:
    """Seconds per clip over ``clips`` calls (after one warm-up call)."""
    run(0)
    start = time.perf_counter()
    for i in range(clips):
        run(i)
    return (time.perf_counter() - start) / clips


def decoder_table(jpeg: bytes, peers: Path | None) -> dict[str, float]:
    """Milliseconds to decode one JPEG to RGB uint8, per decoder available."""
    from torchvision.io import ImageReadMode, decode_jpeg

    data = torch.frombuffer(bytearray(jpeg), dtype=torch.uint8)
    decoders: dict[str, Callable[[], object]] = {
        "torchvision.io.decode_jpeg": lambda: decode_jpeg(data, mode=ImageReadMode.RGB),
        "PIL": lambda: np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB")),
    }
    if peers is not None:
        sys.path.append(str(peers))
    try:
        import simplejpeg

        decoders["simplejpeg"] = lambda: simplejpeg.decode_jpeg(jpeg, colorspace="RGB")
    except ImportError:
        print("simplejpeg not importable: skipped (pip install --target DIR simplejpeg)")
    try:
        import cv2

        buf = np.frombuffer(jpeg, np.uint8)
        decoders["OpenCV"] = lambda: cv2.cvtColor(
            cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
        )
    except ImportError:
        print("OpenCV not importable: skipped (pip install --target DIR opencv-python-headless)")
    results: dict[str, list[float]] = {name: [] for name in decoders}
    for _ in range(5):
        for name, decode in decoders.items():
            results[name].append(time_per_clip(lambda _i, d=decode: d(), 200) * 1e3)
    return {name: statistics.median(v) for name, v in results.items()}


def loader_rate(data: AVADataset, *, workers: int, clips: int) -> float:
    """Clips/s through a ``DataLoader`` with ``workers`` processes (batch 1, after warm-up)."""
    from torch.utils.data import DataLoader

    from avazoo.data.collate import collate_samples

    loader = DataLoader(
        data,
        batch_size=1,
        shuffle=True,
        num_workers=workers,
        collate_fn=collate_samples,
        persistent_workers=workers > 0,
    )
    for _ in loader:  # warm-up epoch: starts the workers
        pass
    start, seen = time.perf_counter(), 0
    while seen < clips:
        for _ in loader:
            seen += 1
    return seen / (time.perf_counter() - start)


def compare_pipelines(root: Path, *, clips: int, rounds: int) -> dict[str, list[float]]:
    """Seconds per clip of each contender, ``rounds`` interleaved rounds of ``clips`` clips."""
    frame_dir = root / "rawframes" / "benchvideo0"
    contenders: dict[str, Callable[[int], object]] = {}
    for backend in ("torchvision", "pil"):
        data = AVADataset(
            synthetic_data_config(), root, split="train", seed=0, jpeg_backend=backend
        )
        contenders[f"avazoo ({backend} decode)"] = lambda i, d=data: d[i % len(d)]
    rng = np.random.default_rng(0)
    contenders["plain PIL + numpy"] = lambda i: pil_clip(frame_dir, 902 + i % clips, rng)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            times[name].append(time_per_clip(run, clips))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clips", type=int, default=12, help="clips per timing round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--workers", type=int, default=2, help="DataLoader workers to also time")
    parser.add_argument("--peers", type=Path, default=None, help="folder with simplejpeg / cv2")
    args = parser.parse_args()
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_dataset(root, keyframes=max(args.clips, 4))
        times = compare_pipelines(root, clips=args.clips, rounds=args.rounds)
        data = AVADataset(synthetic_data_config(), root, split="train", seed=0)
        loader = loader_rate(data, workers=args.workers, clips=2 * args.clips)
        jpeg = (root / "rawframes" / "benchvideo0" / "img_00061.jpg").read_bytes()
        decode_ms = decoder_table(jpeg, args.peers)

    print(f"\nJPEG decode, one 340x256 frame ({len(jpeg) / 1024:.0f} KiB), median of 5 x 200:")
    for name, ms in sorted(decode_ms.items(), key=lambda kv: kv[1]):
        print(f"  {name:28s} {ms:6.3f} ms   x{decode_ms['PIL'] / ms:4.2f} vs PIL")
    baseline = statistics.median(times["plain PIL + numpy"])
    print(
        f"\nTraining clips/s per worker (1 process, 1 thread; 32x2 frames, 340x256 -> 256x256),"
        f" median of {args.rounds} rounds x {args.clips} clips:"
    )
    for name, values in times.items():
        seconds = statistics.median(values)
        print(
            f"  {name:28s} {1 / seconds:6.2f} clips/s  ({seconds * 1e3:6.1f} ms/clip)"
            f"   x{baseline / seconds:4.2f} vs plain PIL"
        )
    print(
        f"\navazoo through a DataLoader with {args.workers} workers: {loader:.2f} clips/s "
        f"(on {os.cpu_count()} CPU cores)"
    )


if __name__ == "__main__":
    main()
