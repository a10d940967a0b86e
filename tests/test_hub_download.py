"""avazoo.hub.download against a real HTTP server on 127.0.0.1 serving a generated checkpoint."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import sys
import time
from pathlib import Path

import pytest
import torch

from avazoo.errors import ChecksumError, DownloadError, OfflineError
from avazoo.hub import cache_root, checkpoint_path, download, load_state_dict
from avazoo.hub.cache import OFFLINE_VARIABLES
from avazoo.hub.transfer import MAX_ATTEMPTS
from tests._http_server import FileServer, unused_port
from tests._hub_helpers import isolate_cache

NAME = "tiny_ckpt.pth"


@pytest.fixture(scope="module")
def state_dict() -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return {
        "backbone.conv1.conv.weight": torch.randn(64, 3, 1, 7, 7, generator=generator),
        "roi_head.bbox_head.fc_cls.weight": torch.randn(81, 2048, generator=generator),
    }


@pytest.fixture(scope="module")
def payload(state_dict: dict[str, torch.Tensor]) -> bytes:
    """An MMAction2-style checkpoint file, ~700 kB."""
    buffer = io.BytesIO()
    torch.save({"meta": {"epoch": 20}, "state_dict": state_dict}, buffer)
    return buffer.getvalue()


@pytest.fixture
def digest(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


@pytest.fixture
def server(payload: bytes):
    with FileServer({NAME: payload}) as running:
        yield running


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty avazoo cache in AVAZOO_HOME, online."""
    return isolate_cache(monkeypatch, tmp_path / "avazoo")


def cache_listing(home: Path) -> list[str]:
    folder = home / "checkpoints"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_clean_download_is_verified_and_cached(server, home, payload, digest):
    path = download(server.url(NAME), sha256=digest, progress=False)
    assert path == home / "checkpoints" / NAME
    assert path.read_bytes() == payload
    assert cache_listing(home) == [NAME]  # no .partial left behind
    assert download(server.url(NAME), sha256=digest[:8], progress=False) == path
    assert len(server.requests) == 1  # the second call was a cache hit


def test_tampered_file_raises_and_leaves_nothing_in_the_cache(server, home, payload, digest):
    tampered = bytearray(payload)
    tampered[len(tampered) // 2] ^= 0xFF
    server.files[NAME] = bytes(tampered)
    with pytest.raises(ChecksumError) as caught:
        download(server.url(NAME), sha256=digest, progress=False)
    message = str(caught.value)
    assert server.url(NAME) in message
    assert digest in message
    assert hashlib.sha256(tampered).hexdigest() in message
    assert cache_listing(home) == []


def test_prefix_in_an_mmaction2_file_name_is_checked(home, payload, digest):
    good, bad = f"model_20201217-{digest[:8]}.pth", "model_20201217-00000000.pth"
    with FileServer({good: payload, bad: payload}) as server:
        assert download(server.url(good), progress=False).read_bytes() == payload
        with pytest.raises(ChecksumError, match="00000000"):
            download(server.url(bad), progress=False)
    assert cache_listing(home) == [good]


def test_connection_cut_half_way_is_resumed_with_range(server, home, payload, digest):
    half = len(payload) // 2
    server.cut_next(half)
    path = download(server.url(NAME), sha256=digest, progress=False)
    assert path.read_bytes() == payload
    first, second = server.requests
    assert first.range is None
    resumed_at = int(second.range.removeprefix("bytes=").removesuffix("-"))
    assert 0 < resumed_at <= half  # continued from the bytes received, not from scratch
    assert cache_listing(home) == [NAME]


def test_partial_file_from_an_earlier_run_is_resumed(server, home, payload, digest):
    partial = home / "checkpoints" / f"{NAME}.partial"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(payload[:1000])
    assert download(server.url(NAME), sha256=digest, progress=False).read_bytes() == payload
    assert [r.range for r in server.requests] == ["bytes=1000-"]


def test_server_ignoring_range_restarts_from_scratch(server, home, payload, digest):
    partial = home / "checkpoints" / f"{NAME}.partial"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(payload[:1000])
    server.ignore_range = True
    assert download(server.url(NAME), sha256=digest, progress=False).read_bytes() == payload
    assert len(server.requests) == 1


def test_partial_longer_than_the_file_starts_over(server, home, payload, digest):
    partial = home / "checkpoints" / f"{NAME}.partial"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(payload + b"junk")
    assert download(server.url(NAME), sha256=digest, progress=False).read_bytes() == payload
    assert [r.range for r in server.requests] == [f"bytes={len(payload) + 4}-", None]


def test_corrupt_partial_is_caught_by_the_checksum(server, home, payload, digest):
    partial = home / "checkpoints" / f"{NAME}.partial"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"\0" * 1000)
    with pytest.raises(ChecksumError):
        download(server.url(NAME), sha256=digest, progress=False)
    assert cache_listing(home) == []
    assert download(server.url(NAME), sha256=digest, progress=False).read_bytes() == payload


def test_repeated_cuts_give_up_then_resume_on_the_next_call(server, home, payload, digest):
    server.cut_next(len(payload) // 5, times=MAX_ATTEMPTS)
    with pytest.raises(DownloadError, match="run the same call again to resume"):
        download(server.url(NAME), sha256=digest, progress=False)
    ranges = [r.range for r in server.requests]
    assert len(ranges) == MAX_ATTEMPTS
    assert ranges[0] is None and None not in ranges[1:]  # every retry resumed
    assert cache_listing(home) == [f"{NAME}.partial"]
    kept = (home / "checkpoints" / f"{NAME}.partial").stat().st_size
    assert download(server.url(NAME), sha256=digest, progress=False).read_bytes() == payload
    assert server.requests[-1].range == f"bytes={kept}-"


def test_server_down_gives_a_clear_error_fast(home, digest):
    url = f"http://127.0.0.1:{unused_port()}/{NAME}"
    started = time.monotonic()
    with pytest.raises(DownloadError) as caught:
        download(url, sha256=digest, progress=False)
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert url in message
    assert str(home / "checkpoints" / NAME) in message
    assert "AVAZOO_OFFLINE" in message
    assert caught.value.__cause__ is None  # no chained traceback from inside requests
    assert cache_listing(home) == []


def test_missing_file_names_the_http_status(server, home):
    with pytest.raises(DownloadError, match="HTTP 404"):
        download(server.url("missing.pth"), sha256="0" * 8, progress=False)


def _download_in_child(url: str, sha256: str, cache_dir: str, barrier, results) -> None:
    barrier.wait()
    results.put(str(download(url, sha256=sha256, cache_dir=cache_dir, progress=False)))


def test_two_processes_downloading_the_same_url(server, tmp_path, payload, digest):
    server.delay_s = 0.5  # keep the first download in flight while the second one starts
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    args = (server.url(NAME), digest, str(tmp_path), barrier, results)
    children = [context.Process(target=_download_in_child, args=args) for _ in range(2)]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=30)
    assert [child.exitcode for child in children] == [0, 0]
    paths = {results.get(timeout=1), results.get(timeout=1)}
    assert paths == {str(tmp_path / "checkpoints" / NAME)}
    assert Path(paths.pop()).read_bytes() == payload
    assert len(server.requests) == 1  # the second process found the verified file
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == [NAME]


@pytest.mark.parametrize("variable", OFFLINE_VARIABLES)
def test_offline_mode_uses_only_the_cache(server, home, monkeypatch, variable, payload, digest):
    url = server.url(NAME)
    monkeypatch.setenv(variable, "1")
    with pytest.raises(OfflineError) as caught:
        download(url, sha256=digest, progress=False)
    assert url in str(caught.value)
    assert str(home / "checkpoints" / NAME) in str(caught.value)
    assert server.requests == []
    monkeypatch.delenv(variable)
    download(url, sha256=digest, progress=False)
    monkeypatch.setenv(variable, "1")
    assert download(url, sha256=digest, progress=False).read_bytes() == payload
    assert len(server.requests) == 1


def test_corrupted_cache_entry_is_replaced(server, home, payload, digest):
    cached = download(server.url(NAME), sha256=digest, progress=False)
    cached.write_bytes(b"bit rot")
    with pytest.warns(UserWarning, match="deleted"):
        assert download(server.url(NAME), sha256=digest, progress=False).read_bytes() == payload
    assert len(server.requests) == 2


@pytest.mark.parametrize("bad", ["abc1234", "g" * 8, "0" * 65, ""])
def test_malformed_sha256_is_rejected(server, home, bad):
    with pytest.raises(ValueError, match="at least 8 hex digits"):
        download(server.url(NAME), sha256=bad, progress=False)
    assert server.requests == []


def test_cache_location(tmp_path, monkeypatch):
    monkeypatch.delenv("AVAZOO_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_root() == tmp_path / ".cache" / "avazoo"
    monkeypatch.setenv("AVAZOO_HOME", str(tmp_path / "elsewhere"))
    assert checkpoint_path("a.pth") == tmp_path / "elsewhere" / "checkpoints" / "a.pth"
    assert checkpoint_path("a.pth", cache_dir=tmp_path) == tmp_path / "checkpoints" / "a.pth"


def test_load_state_dict_from_a_url(server, home, state_dict, digest):
    loaded = load_state_dict(server.url(NAME), sha256=digest)
    assert loaded.keys() == state_dict.keys()
    assert all(torch.equal(loaded[k], state_dict[k]) for k in state_dict)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("progress", "shown"), [(True, True), (False, False)])
def test_progress_bar_only_on_a_terminal_when_asked(server, home, monkeypatch, progress, shown):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    download(server.url(NAME), progress=progress)
    assert (NAME in terminal.getvalue() and "100%" in terminal.getvalue()) == shown


def test_no_progress_bar_when_stderr_is_not_a_terminal(server, home, monkeypatch):
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    download(server.url(NAME), progress=True)
    assert piped.getvalue() == ""
