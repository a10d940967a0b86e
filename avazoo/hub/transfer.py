"""Streaming one URL into a ``.partial`` file over HTTP, resuming with Range requests.

This module knows HTTP and nothing about caches or checksums beyond hashing what it writes;
:mod:`avazoo.hub.download` decides where files go and whether they are good.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import requests
from tqdm import tqdm

from avazoo.hub.digest import hash_file

__all__ = ["CONNECT_TIMEOUT_S", "MAX_ATTEMPTS", "READ_TIMEOUT_S", "TransferError", "fetch"]

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 60.0
MAX_ATTEMPTS = 4  # the first request and up to 3 resumes after a cut connection
_CHUNK_BYTES = 1 << 16  # what a cut connection may lose of the last, unfinished read
_CONTENT_RANGE = re.compile(r"bytes (\d+)-\d+/(\d+|\*)")


class TransferError(Exception):
    """A transfer that failed; ``cut`` is True when it broke off mid-way and may be resumed."""

    def __init__(self, reason: str, *, cut: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.cut = cut


def fetch(url: str, partial: Path, *, progress: bool) -> str:
    """Complete ``partial`` with the bytes of ``url`` and return the sha256 of the whole file.

    Bytes already in ``partial`` are kept when the server honours a ``Range`` request (HTTP 206)
    and discarded when it answers 200. A connection cut mid-way is resumed, up to
    ``MAX_ATTEMPTS`` requests in all. Raises :class:`TransferError`; ``partial`` keeps whatever
    arrived, for a later resume.
    """
    reasons: list[str] = []
    for _ in range(MAX_ATTEMPTS):
        try:
            return _fetch_once(url, partial, progress=progress)
        except TransferError as err:
            if not err.cut:
                raise
            reasons.append(err.reason)
    raise TransferError(
        f"the connection broke off {len(reasons)} times; last: {reasons[-1]}", cut=True
    )


def _fetch_once(url: str, partial: Path, *, progress: bool) -> str:
    offset = partial.stat().st_size if partial.is_file() else 0
    with _request(url, offset) as response:
        start, total = _body_span(response, partial, offset)
        if start == 0:  # the body is the whole file
            partial.write_bytes(b"")
        hasher = hash_file(partial)
        with partial.open("ab") as file, _progress_bar(partial, start, total, progress) as bar:
            try:
                for chunk in response.iter_content(_CHUNK_BYTES):
                    file.write(chunk)
                    hasher.update(chunk)
                    bar.update(len(chunk))
            except requests.RequestException as err:
                raise TransferError(f"connection lost: {_describe(err)}", cut=True) from None
            finally:
                file.flush()
                os.fsync(file.fileno())
    size = partial.stat().st_size
    if total is not None and size != total:
        raise TransferError(f"received {size} of {total} bytes", cut=True)
    return hasher.hexdigest()


def _request(url: str, offset: int) -> requests.Response:
    headers = {"Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        response = requests.get(
            url, headers=headers, stream=True, timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
        )
    except requests.RequestException as err:
        raise TransferError(f"cannot connect: {_describe(err)}", cut=False) from None
    if response.status_code >= 400 and response.status_code != 416:
        response.close()
        raise TransferError(
            f"the server answered HTTP {response.status_code} {response.reason}", cut=False
        )
    return response


def _body_span(response: requests.Response, partial: Path, offset: int) -> tuple[int, int | None]:
    """(offset in the file where the body starts, file size or None when the server won't say).

    A 200 body starts at 0 (the server ignored ``Range``); a 206 body must start at ``offset``.
    A resume the server cannot serve (416, or another range) deletes ``partial`` to start over.
    """
    length = response.headers.get("Content-Length")
    if response.status_code not in (206, 416):
        return 0, int(length) if length is not None else None
    match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
    if response.status_code == 416 or match is None or int(match.group(1)) != offset:
        partial.unlink()
        raise TransferError(
            f"asked to resume at byte {offset}, the server answered HTTP "
            f"{response.status_code} with Content-Range "
            f"{response.headers.get('Content-Range')!r}; starting over",
            cut=True,
        )
    if match.group(2) != "*":
        return offset, int(match.group(2))
    return offset, offset + int(length) if length is not None else None


def _progress_bar(partial: Path, start: int, total: int | None, progress: bool) -> tqdm:
    return tqdm(
        total=total,
        initial=start,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=partial.name.removesuffix(".partial"),
        disable=not (progress and sys.stderr.isatty()),
    )


def _describe(err: requests.RequestException) -> str:
    """The first line of the innermost reason urllib3 gives (e.g. a DNS failure, a refusal)."""
    reason = getattr(err.args[0], "reason", None) if err.args else None
    text = str(reason or err).strip()
    return text.splitlines()[0] if text else type(err).__name__
