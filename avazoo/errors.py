"""Errors raised by avazoo.

Every error says what was expected, what was found and what to do. All of them derive from
:class:`AvazooError`, so ``except avazoo.AvazooError`` catches anything avazoo raises on purpose.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "AvazooError",
    "UnknownModelError",
    "CheckpointMismatchError",
    "UnsafeCheckpointError",
    "ChecksumError",
    "DownloadError",
    "OfflineError",
    "DataFormatError",
    "DatasetError",
]


class AvazooError(Exception):
    """Base class of every error avazoo raises deliberately."""


class UnknownModelError(AvazooError, KeyError):
    """A recipe name or alias that the registry does not know.

    Args:
        name: the name that was asked for.
        known: every valid name and alias, used to suggest close matches.
    """

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.suggestions = difflib.get_close_matches(name, sorted(known), n=5, cutoff=0.5)
        hint = (
            f" Did you mean: {', '.join(self.suggestions)}?"
            if self.suggestions
            else " Run avazoo.list_models() to see every recipe."
        )
        super().__init__(f"unknown model {name!r}.{hint}")

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class CheckpointMismatchError(AvazooError):
    """A checkpoint whose keys or shapes do not fit the model it is loaded into."""


class UnsafeCheckpointError(AvazooError):
    """A checkpoint that cannot be read without executing arbitrary pickled code."""


class ChecksumError(AvazooError):
    """A downloaded or cached file whose sha256 differs from the expected one."""


class DownloadError(AvazooError):
    """A file could not be downloaded (server down, HTTP error, connection lost)."""


class OfflineError(AvazooError):
    """Offline mode is on and the needed file is not in the cache."""


class DataFormatError(AvazooError, ValueError):
    """A malformed input file: the message names the file, the line and what was expected."""

    def __init__(self, path: object, line: int | None, problem: str) -> None:
        self.path = str(path)
        self.line = line
        where = f"{self.path}, line {line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


class DatasetError(AvazooError):
    """A dataset on disk that is incomplete or inconsistent (missing frames, videos, files)."""
