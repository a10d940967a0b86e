"""``download``: fetch a URL into the cache, verified, atomic, resumable and process-safe."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

from filelock import FileLock

from avazoo.errors import ChecksumError, DownloadError, OfflineError
from avazoo.hub.cache import checkpoint_path, lock_path, offline_flag
from avazoo.hub.digest import (
    digest_matches,
    file_sha256,
    normalize_sha256,
    sha256_from_file_name,
)
from avazoo.hub.transfer import TransferError, fetch

__all__ = ["URL_SCHEMES", "download", "file_name_of"]

URL_SCHEMES = ("http://", "https://")  # what download() fetches
PARTIAL_SUFFIX = ".partial"


def download(
    url: str,
    *,
    sha256: str | None = None,
    cache_dir: str | Path | None = None,
    progress: bool = True,
) -> Path:
    """Download ``url`` into ``<cache root>/checkpoints/<file name>`` and return that path.

    Args:
        url: an http(s) URL; the last path segment names the cached file.
        sha256: the file's full sha256 or a prefix of at least 8 hex digits. When None, the
            prefix in an MMAction2-published name (``...-40061d5f.pth``) is used if present;
            otherwise the file is not verified.
        cache_dir: the cache root (default ``$AVAZOO_HOME`` or ``~/.cache/avazoo``).
        progress: show a progress bar (only when stderr is a terminal).

    A file already in the cache is re-hashed before it is returned; one that no longer matches
    is deleted (with a warning) and fetched again. Bytes stream into ``<file>.partial`` beside
    the target, which becomes the target by an atomic rename only once its sha256 matches.
    A lock makes concurrent processes fetch the file once.

    Raises:
        ValueError: ``sha256`` is not 8 to 64 hex digits.
        ChecksumError: the downloaded bytes do not match ``sha256`` (nothing is kept).
        OfflineError: offline mode is on and the file is not cached.
        DownloadError: the server cannot be reached or the transfer failed.
    """
    name = file_name_of(url)
    expected = normalize_sha256(sha256) if sha256 is not None else sha256_from_file_name(name)
    target = checkpoint_path(name, cache_dir=cache_dir)
    lock = lock_path(target)
    lock.parent.mkdir(parents=True, exist_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(lock):
        if target.is_file() and _cached_file_is_good(target, expected):
            return target
        flag = offline_flag()
        if flag is not None:
            raise OfflineError(
                f"offline mode is on ({flag} is set) and {target} is not in the cache. "
                f"Download {url} on a machine with internet access and put it at {target}, "
                f"or unset {flag}."
            )
        _fetch_verified(url, target, expected, progress=progress)
    return target


def file_name_of(url: str) -> str:
    """The file name an http(s) URL points at (its last path segment, unquoted)."""
    parts = urlsplit(url)
    name = unquote(parts.path.rsplit("/", 1)[-1])
    if parts.scheme not in ("http", "https") or not parts.netloc or not name:
        raise ValueError(f"expected an http(s) URL ending in a file name, got {url!r}")
    return name


def _cached_file_is_good(target: Path, expected: str | None) -> bool:
    actual = file_sha256(target) if expected is not None else None
    if actual is None or digest_matches(actual, expected):
        return True
    target.unlink()
    warnings.warn(
        f"the cached file {target} had sha256 {actual}, expected {expected}: it was deleted "
        "and will be downloaded again",
        stacklevel=3,
    )
    return False


def _fetch_verified(url: str, target: Path, expected: str | None, *, progress: bool) -> None:
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    try:
        actual = fetch(url, partial, progress=progress)
    except TransferError as err:
        raise DownloadError(_download_advice(url, target, partial, err)) from None
    if not digest_matches(actual, expected):
        partial.unlink()
        raise ChecksumError(
            f"the file downloaded from {url} has sha256 {actual}, but {expected} was expected"
            f"{' (a prefix)' if expected and len(expected) < 64 else ''}. It was deleted, so "
            "nothing unverified is in the cache. The bytes were corrupted on the way or the file "
            "at the URL has changed: try again, and if the error repeats, do not use that file."
        )
    os.replace(partial, target)


def _download_advice(url: str, target: Path, partial: Path, err: TransferError) -> str:
    kept = (
        f" The {partial.stat().st_size} bytes received are kept in {partial}; run the same "
        "call again to resume."
        if err.cut and partial.is_file()
        else ""
    )
    return (
        f"could not download {url}: {err.reason}.{kept} To install the file by hand, download "
        f"it elsewhere and put it at {target} (avazoo verifies it before use); set "
        "AVAZOO_OFFLINE=1 to use only files already in the cache."
    )
