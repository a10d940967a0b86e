"""Where avazoo keeps downloaded files, and whether it may use the network.

Layout under the cache root (``$AVAZOO_HOME``, else ``$XDG_CACHE_HOME/avazoo``, else
``~/.cache/avazoo``)::

    checkpoints/<file name>            verified files, named as at their URL
    checkpoints/<file name>.partial    a download in progress (resumed on the next try)
    locks/<file name>.lock             inter-process locks (empty files)

Offline mode (``AVAZOO_OFFLINE=1``, or Hugging Face's ``HF_HUB_OFFLINE=1``) serves files from
the cache only. Both flags are read when a file is needed, not at import.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["OFFLINE_VARIABLES", "cache_root", "checkpoint_path", "lock_path", "offline_flag"]

OFFLINE_VARIABLES = ("AVAZOO_OFFLINE", "HF_HUB_OFFLINE")
_TRUE_VALUES = frozenset({"1", "true", "yes", "on"})


def cache_root(cache_dir: str | Path | None = None) -> Path:
    """The cache root: ``cache_dir`` if given, else ``$AVAZOO_HOME``, else the user cache dir."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    home = os.environ.get("AVAZOO_HOME")
    if home:
        return Path(home).expanduser()
    user_cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(user_cache).expanduser() / "avazoo"


def checkpoint_path(file_name: str, *, cache_dir: str | Path | None = None) -> Path:
    """Where the verified file ``file_name`` lives in the cache (it may not exist yet)."""
    if not file_name or "/" in file_name or file_name in {".", ".."}:
        raise ValueError(f"file_name must be a plain file name, got {file_name!r}")
    return cache_root(cache_dir) / "checkpoints" / file_name


def lock_path(target: Path) -> Path:
    """The lock file that guards writing ``target`` (a path from :func:`checkpoint_path`)."""
    return target.parent.parent / "locks" / f"{target.name}.lock"


def offline_flag() -> str | None:
    """The name of the environment variable that turns offline mode on, or None when online."""
    for name in OFFLINE_VARIABLES:
        if os.environ.get(name, "").strip().lower() in _TRUE_VALUES:
            return name
    return None
