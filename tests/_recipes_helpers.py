"""Shared facts for the recipe-registry tests: ../shared/spec/recipes.json and
../shared/reference/summary.json, both produced independently of avazoo."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2] / "shared"
REPO = Path(__file__).resolve().parents[1]


@cache
def spec_records() -> tuple[dict[str, Any], ...]:
    """The 14 records of spec/recipes.json, in RECIPES.md order."""
    return tuple(json.loads((SHARED / "spec" / "recipes.json").read_text()))


def spec_by_name() -> dict[str, dict[str, Any]]:
    return {record["registry_name"]: record for record in spec_records()}


@cache
def reference_summary() -> dict[str, dict[str, Any]]:
    """``configs`` of reference/summary.json: per MMAction2 seed config, its parameter counts."""
    return json.loads((SHARED / "reference" / "summary.json").read_text())["configs"]


def plain(value: Any) -> Any:
    """Tuples (recursively) as lists, to compare with JSON values."""
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    return value


def file_name(path: str) -> str:
    """``data/ava/annotations/x.csv`` -> ``x.csv``."""
    return path.rsplit("/", 1)[-1]
