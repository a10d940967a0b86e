"""MODEL_ZOO.md: in sync with the registry, and its parameter counts equal MMAction2's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from avazoo.recipes import RECIPES
from avazoo.recipes.model_zoo import (
    REGENERATE_COMMAND,
    main,
    render_model_zoo,
)
from tests._recipes_helpers import REPO, reference_summary, spec_by_name

MODEL_ZOO = REPO / "MODEL_ZOO.md"
by_name = pytest.mark.parametrize("name", list(RECIPES))


@pytest.fixture(scope="module")
def rendered() -> str:
    return render_model_zoo()


@pytest.fixture(scope="module")
def table_rows() -> dict[str, str]:
    """Rows of the committed MODEL_ZOO.md table, keyed by the recipe name in the first cell."""
    rows = {}
    for line in MODEL_ZOO.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            rows[line.split("`", 2)[1]] = line
    return rows


def test_model_zoo_md_is_up_to_date(rendered: str) -> None:
    assert MODEL_ZOO.exists(), f"MODEL_ZOO.md is missing; create it with `{REGENERATE_COMMAND}`"
    assert MODEL_ZOO.read_text(encoding="utf-8") == rendered, (
        f"MODEL_ZOO.md is stale: regenerate it with `{REGENERATE_COMMAND}`"
    )


def test_every_recipe_has_exactly_one_row(table_rows: dict[str, str]) -> None:
    assert list(table_rows) == list(spec_by_name())


@by_name
def test_row_facts_come_from_the_references(name: str, table_rows: dict[str, str]) -> None:
    row, spec = table_rows[name], spec_by_name()[name]
    cells = [cell.strip() for cell in row.strip("|").split(" | ")]
    assert len(cells) == 10
    params = reference_summary()[spec["seed_name"]]["total_parameters"]
    assert cells[8] == f"{params:,}"
    assert cells[1] == ", ".join(f"`{alias}`" for alias in spec["aliases"])
    assert cells[5] == spec["ava_version"]
    assert f"({spec['optimization']['load_from']})" in cells[4]
    assert f"[0.x]({spec['results']['checkpoint_url']})" in cells[9]
    url_1x = spec["mmaction2_1x"].get("checkpoint_url")
    assert (url_1x is not None) == ("[1.x]" in cells[9])
    if url_1x is not None:
        assert f"[1.x]({url_1x})" in cells[9]
        assert float(cells[7]) == spec["mmaction2_1x"]["mAP"]
    published = spec["results"]["mAP"]
    if published is not None:
        assert float(cells[6]) == published


def test_header_tells_how_to_regenerate_and_load(rendered: str) -> None:
    assert REGENERATE_COMMAND in rendered
    assert 'avazoo.load("' in rendered


def test_write_replaces_the_file_and_leaves_no_temporary(tmp_path: Path, rendered: str) -> None:
    target = tmp_path / "MODEL_ZOO.md"
    target.write_text("old")
    assert main(["--write", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == rendered
    assert os.listdir(tmp_path) == ["MODEL_ZOO.md"]


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "MODEL_ZOO.md"
    target.write_text("old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        main(["--write", str(target)])
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["MODEL_ZOO.md"]
