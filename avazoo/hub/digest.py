"""sha256 digests: validating expected values, hashing files, comparing full digests or prefixes.

MMAction2 publishes checkpoints as ``<name>-<first 8 hex digits of the sha256>.pth``, so a
registry may know only a prefix; avazoo accepts any prefix of at least 8 hex digits.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

__all__ = [
    "MIN_PREFIX_DIGITS",
    "digest_matches",
    "file_sha256",
    "hash_file",
    "normalize_sha256",
    "sha256_from_file_name",
]

MIN_PREFIX_DIGITS = 8
_FULL_DIGITS = 64
_CHUNK_BYTES = 1 << 20
_PUBLISHED_NAME = re.compile(r"-([0-9a-f]{8,64})\.(?:pth|safetensors)$")


def normalize_sha256(sha256: str) -> str:
    """Lower-case ``sha256`` after checking that it is 8 to 64 hex digits (a digest or prefix)."""
    value = sha256.strip().lower()
    is_hex = all(char in "0123456789abcdef" for char in value)
    if not (is_hex and MIN_PREFIX_DIGITS <= len(value) <= _FULL_DIGITS):
        raise ValueError(
            f"sha256 must be a full sha256 digest (64 hex digits) or a prefix of at least "
            f"{MIN_PREFIX_DIGITS} hex digits, got {sha256!r}"
        )
    return value


def sha256_from_file_name(file_name: str) -> str | None:
    """The digest prefix in an MMAction2-published file name (``...-40061d5f.pth``), if any."""
    match = _PUBLISHED_NAME.search(file_name)
    return match.group(1) if match else None


def file_sha256(path: str | Path) -> str:
    """The hex sha256 digest of the file at ``path``."""
    return hash_file(path).hexdigest()


def hash_file(path: str | Path) -> hashlib._Hash:
    """A sha256 hasher fed with the bytes of ``path``, ready to be fed more (a resumed file)."""
    hasher = hashlib.sha256()
    with Path(path).open("rb") as file:
        while chunk := file.read(_CHUNK_BYTES):
            hasher.update(chunk)
    return hasher


def digest_matches(actual: str, expected: str | None) -> bool:
    """Whether the full hex digest ``actual`` starts with ``expected`` (None matches anything)."""
    return expected is None or actual.startswith(expected)
