"""Shared facts for the recipe-registry tests: ../shared/spec/recipes.json and
../shared/reference/summary.json, both produced independently of avazoo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests._reference import spec_records, summary

__all__ = [
    "REPO",
    "file_name",
    "plain",
    "reference_summary",
    "spec_by_name",
    "spec_records",
]

REPO = Path(__file__).resolve().parents[1]


def spec_by_name() -> dict[str, dict[str, Any]]:
    return {record["registry_name"]: record for record in spec_records()}


def reference_summary() -> dict[str, dict[str, Any]]:
    """``configs`` of reference/summary.json: per MMAction2 seed config, its parameter counts."""
    return summary()["configs"]


def plain(value: Any) -> Any:
    """Tuples (recursively) as lists, to compare with JSON values."""
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    return value


def file_name(path: str) -> str:
    """``data/ava/annotations/x.csv`` -> ``x.csv``."""
    return path.rsplit("/", 1)[-1]
