"""``avazoo models``: the recipe table, the pattern filter and ``--info``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from avazoo.cli import main
from tests._recipes_helpers import spec_by_name


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["models", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def listed_names(out: str) -> list[str]:
    """First column of the table, without the header line."""
    lines = out.splitlines()
    assert lines[0].split() == ["name", "aliases", "AVA", "mAP", "1.x", "mAP"]
    return [line.split()[0] for line in lines[1:]]


def test_lists_every_recipe_sorted_with_aliases_and_map(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys)
    assert (code, err) == (0, "")
    specs = spec_by_name()
    assert listed_names(out) == sorted(specs)
    for line in out.splitlines()[1:]:
        spec = specs[line.split()[0]]
        assert ", ".join(spec["aliases"]) in line
        assert f"  {spec['ava_version']}  " in line


def test_table_shows_published_and_1x_map(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(capsys, "slowfast_r50_8x8_ava22_temporal_max")
    (line,) = out.splitlines()[1:]
    assert line.split()[-2:] == ["26.4", "26.41"]  # RECIPES.md row 11


def test_pattern_filters_by_name_or_alias(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(capsys, "slowfast*ava22*")
    assert listed_names(out) == [
        "slowfast_r50_8x8_ava22",
        "slowfast_r50_8x8_ava22_temporal_max",
        "slowfast_r50_8x8_ava22_temporal_max_focal",
    ]
    _, out, _ = run_cli(capsys, "slowfast_focal")
    assert listed_names(out) == ["slowfast_r50_8x8_ava22_temporal_max_focal"]


def test_pattern_without_match_fails_with_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "x3d*")
    assert (code, out) == (1, "")
    assert "'x3d*'" in err and "avazoo models" in err


def test_info_prints_the_key_facts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--info", "slowfast_temporal_max_focal")
    spec = spec_by_name()["slowfast_r50_8x8_ava22_temporal_max_focal"]
    assert code == 0
    assert out.splitlines()[0] == spec["registry_name"]
    for fact in (
        spec["seed_name"],
        spec["mmaction2_1x"]["config"],
        spec["results"]["checkpoint_url"],
        spec["results"]["sha256_prefix"],
        spec["mmaction2_1x"]["checkpoint_url"],
        spec["optimization"]["load_from"],
        "ava_action_list_v2.2_for_activitynet_2019.pbtxt",
        "focal α 3 γ 1",
        "32x2 (slow 8 / fast 32)",
        "26.8",
        "26.65",
        "cosine",
        'avazoo.load("slowfast_r50_8x8_ava22_temporal_max_focal")',
    ):
        assert fact in out, fact


def test_info_lists_custom_classes(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(capsys, "--info", "slowonly_custom")
    assert "3, 6, 10, 27, 29, 38, 41, 48, 51, 53, 54, 59, 61, 64, 70, 72" in out
    assert "17 outputs" in out


def test_info_unknown_name_exits_2_with_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--info", "slowfast_focl")
    assert (code, out) == (2, "")
    assert "unknown model 'slowfast_focl'" in err
    assert "slowfast_focal" in err


def test_pattern_and_info_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["models", "slowfast*", "--info", "slowfast_focal"])
    assert exit_info.value.code == 2
    assert "not allowed" in capsys.readouterr().err


def test_module_entry_point_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "avazoo", "models", "slowonly_r101*"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert listed_names(proc.stdout) == ["slowonly_r101_8x8_ava21", "slowonly_r101_8x8_omni_ava21"]
