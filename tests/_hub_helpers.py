"""Shared pieces of the weights tests: an isolated online cache, a pickle that runs code."""

from __future__ import annotations

from pathlib import Path

import pytest

from avazoo.hub.cache import OFFLINE_VARIABLES

__all__ = ["RunsCode", "isolate_cache"]


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
