"""Weights I/O speed: avazoo.hub against torch.hub, the path MMAction2 (via mmcv) fetches with.

A checkpoint with the real SlowOnly-R50 layout (``{"meta", "state_dict"}``, ~127 MB) is served
from a local HTTP server; each round runs the two contenders back to back (A B A B ...) and the
medians are compared:

1. fresh verified download: ``avazoo.hub.download(url, sha256=<full>)`` vs
   ``torch.hub.download_url_to_file(url, dst, hash_prefix=<full>)``;
2. state dict from an already cached URL: ``avazoo.hub.load_state_dict(url)`` (re-hashes the
   cached file, then reads it) vs ``torch.hub.load_state_dict_from_url(url)`` (torch.hub never
   re-verifies a cache hit);
3. weights from a local file into a built model: ``avazoo.hub.read_checkpoint_file`` on
   avazoo's ``model.safetensors`` vs ``torch.load(weights_only=True)`` on the MMAction2
   ``.pth``, each followed by ``model.load_state_dict`` (which touches every byte).

Run: ``.venv/bin/python benchmarks/bench_hub.py [--rounds 3]``. Needs no network.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import torch

import avazoo
from avazoo.hub import download, load_state_dict, read_checkpoint_file
from avazoo.hub.export import ExportConfig, save_safetensors

RECIPE = "slowonly_r50_4x16_ava21"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(folder: Path) -> ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _write_sources(folder: Path) -> tuple[Path, Path]:
    """The MMAction2-style ``.pth`` and avazoo's ``model.safetensors`` of the same weights."""
    state = avazoo.create_model(RECIPE).state_dict()
    pth = folder / "slowonly_r50_bench.pth"
    torch.save({"meta": {"epoch": 20}, "state_dict": state}, pth)
    safetensors = folder / "model.safetensors"
    save_safetensors(state, safetensors, config=ExportConfig(RECIPE, num_classes=81))
    return pth, safetensors


def _timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _race(
    name: str, rounds: int, avazoo_run: Callable, peer_run: Callable, setup: Callable
) -> None:
    times: dict[str, list[float]] = {"avazoo": [], "torch.hub": []}
    for _ in range(rounds):
        for label, run in (("avazoo", avazoo_run), ("torch.hub", peer_run)):
            setup()
            times[label].append(_timed(run))
    ours, theirs = (statistics.median(times[k]) for k in ("avazoo", "torch.hub"))
    print(
        f"{name:<44} avazoo {ours:7.3f} s   torch.hub {theirs:7.3f} s   "
        f"ratio avazoo/torch.hub {ours / theirs:5.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "served").mkdir()
        pth, safetensors = _write_sources(root / "served")
        digest = hashlib.sha256(pth.read_bytes()).hexdigest()
        size_mb = pth.stat().st_size / 2**20
        server = _serve(root / "served")
        url = f"http://127.0.0.1:{server.server_address[1]}/{pth.name}"
        ours_cache, peer_cache = root / "avazoo", root / "torch_hub"
        print(f"checkpoint: {RECIPE} layout, {size_mb:.0f} MB, {args.rounds} rounds, medians")

        def clear_caches() -> None:
            for cached in (ours_cache / "checkpoints" / pth.name, peer_cache / pth.name):
                cached.unlink(missing_ok=True)

        _race(
            "1. fresh download, sha256 verified",
            args.rounds,
            lambda: download(url, sha256=digest, cache_dir=ours_cache, progress=False),
            lambda: torch.hub.download_url_to_file(
                url, str(peer_cache / pth.name), hash_prefix=digest, progress=False
            ),
            setup=lambda: (clear_caches(), peer_cache.mkdir(exist_ok=True)),
        )
        _race(
            "2. state dict from a cached URL",
            args.rounds,
            lambda: load_state_dict(url, sha256=digest, cache_dir=ours_cache),
            lambda: torch.hub.load_state_dict_from_url(
                url, model_dir=str(peer_cache), check_hash=False, weights_only=True
            ),
            setup=lambda: None,
        )
        model = avazoo.create_model(RECIPE)
        _race(
            "3. local checkpoint into a built model",
            args.rounds,
            lambda: model.load_state_dict(read_checkpoint_file(safetensors)),
            lambda: model.load_state_dict(
                torch.load(pth, map_location="cpu", weights_only=True)["state_dict"]
            ),
            setup=lambda: None,
        )
        server.shutdown()


if __name__ == "__main__":
    main()
