"""Shared pieces of the weights tests: an isolated online cache, a pickle that runs code, and a
stand-in for ``huggingface_hub.HfApi``."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from avazoo.hub.cache import OFFLINE_VARIABLES

__all__ = ["FakeHfApi", "RunsCode", "isolate_cache"]


def isolate_cache(monkeypatch: pytest.MonkeyPatch, root: Path) -> Path:
    """Point AVAZOO_HOME at ``root`` and clear every offline flag; return ``root``."""
    monkeypatch.setenv("AVAZOO_HOME", str(root))
    for variable in OFFLINE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    return root


class RunsCode:
    """Pickles into a call of ``exec`` that creates the file ``marker`` when unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return exec, (f"open({str(self.marker)!r}, 'w').close()",)


class FakeHfApi:
    """Stands in for ``huggingface_hub.HfApi``: records the calls made to it in ``calls``
    (reset it before use) and answers an upload with a commit URL on huggingface.co."""

    calls: ClassVar[list[tuple[str, dict]]] = []

    def __init__(self, token: str | None = None) -> None:
        self.calls.append(("init", {"token": token}))

    def create_repo(self, repo_id: str, **kwargs: object) -> None:
        self.calls.append(("create_repo", {"repo_id": repo_id, **kwargs}))

    def upload_folder(self, **kwargs: object) -> object:
        self.calls.append(("upload_folder", kwargs))
        url = f"https://huggingface.co/{kwargs['repo_id']}/commit/1"
        return type("Commit", (), {"commit_url": url})()
