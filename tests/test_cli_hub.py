"""The weights commands: ``avazoo download``, ``avazoo convert``, ``avazoo push-to-hub``.

The successful ``convert`` round trip is in test_pretrained.py; here: the wiring of each command,
its output and its one-line errors (exit code 2, no traceback).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

import huggingface_hub
import pytest
import torch

import avazoo
from avazoo.cli import main
from avazoo.hub import checkpoint_path
from avazoo.recipes import CheckpointRef
from tests._http_server import FileServer
from tests._hub_helpers import FakeHfApi, RunsCode, isolate_cache


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    isolate_cache(monkeypatch, tmp_path / "avazoo")


@pytest.mark.parametrize("pretrain", [False, True])
def test_download_offline_names_the_url_and_the_cache_path(monkeypatch, capsys, pretrain):
    monkeypatch.setenv("AVAZOO_OFFLINE", "1")
    recipe = avazoo.get_recipe("slowonly_r50")
    ref = recipe.pretrained if pretrain else recipe.weights
    assert main(["download", "slowonly_r50", *(["--pretrain"] if pretrain else [])]) == 2
    err = capsys.readouterr().err
    assert err.startswith("avazoo download: error: offline mode is on (AVAZOO_OFFLINE is set)")
    assert ref.url in err
    assert str(checkpoint_path(ref.file_name)) in err


def test_download_fetches_verifies_and_prints_the_path(tmp_path, monkeypatch, capsys):
    payload = b"checkpoint bytes" * 1000
    with FileServer({"w.pth": payload}) as server:
        ref = CheckpointRef(url=server.url("w.pth"), sha256=hashlib.sha256(payload).hexdigest())
        recipe = dataclasses.replace(avazoo.get_recipe("slowonly_r50"), weights=ref)
        monkeypatch.setattr(avazoo.pretrained, "get_recipe", lambda name: recipe)
        cache = tmp_path / "elsewhere"
        assert main(["download", "slowonly_r50", "--cache-dir", str(cache)]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == str(cache / "checkpoints" / "w.pth")
    assert (cache / "checkpoints" / "w.pth").read_bytes() == payload


def test_convert_refuses_a_pickle_that_runs_code(tmp_path, capsys):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pth"
    torch.save({"state_dict": {}, "meta": RunsCode(marker)}, path)
    out = tmp_path / "o"
    assert main(["convert", str(path), "--recipe", "slowonly_r50", "--out", str(out)]) == 2
    assert "refused" in capsys.readouterr().err
    assert not marker.exists()
    assert not out.exists()


def test_convert_reports_bad_input_in_one_line(tmp_path, capsys):
    out = str(tmp_path / "o")
    missing = tmp_path / "missing.pth"
    assert main(["convert", str(missing), "--recipe", "slowonly_r50", "--out", out]) == 2
    assert capsys.readouterr().err == (
        f"avazoo convert: error: checkpoint file {missing} does not exist\n"
    )
    assert main(["convert", str(missing), "--recipe", "slowonly_r5", "--out", out]) == 2
    assert "unknown model 'slowonly_r5'" in capsys.readouterr().err


def test_convert_rejects_malformed_class_ids(tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["convert", "x.pth", "--recipe", "slowonly", "--out", "o", "--custom-classes", "3,x"])
    assert caught.value.code == 2
    assert "comma-separated AVA class ids" in capsys.readouterr().err


def test_push_to_hub_prints_the_commit_url(tmp_path, monkeypatch, capsys):
    FakeHfApi.calls = []
    folder = tmp_path / "model"
    folder.mkdir()
    config = {"format": "avazoo-v1", "recipe": "slowonly_r50_4x16_ava21", "num_classes": 81}
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "model.safetensors").write_bytes(b"")
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeHfApi)
    monkeypatch.setenv("HF_TOKEN", "hf_test_token")
    assert main(["push-to-hub", str(folder), "org/m", "--private"]) == 0
    assert capsys.readouterr().out.strip() == "https://huggingface.co/org/m/commit/1"
    assert FakeHfApi.calls == [
        ("init", {"token": "hf_test_token"}),
        (
            "create_repo",
            {"repo_id": "org/m", "repo_type": "model", "private": True, "exist_ok": True},
        ),
        (
            "upload_folder",
            {
                "repo_id": "org/m",
                "folder_path": str(folder),
                "repo_type": "model",
                "commit_message": "Upload avazoo model",
            },
        ),
    ]


def test_push_to_hub_refuses_a_folder_that_is_not_a_model(tmp_path, capsys):
    (tmp_path / "config.json").write_text('{"format": "something else"}')
    assert main(["push-to-hub", str(tmp_path), "org/m"]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "config.json") in err
    assert "avazoo-v1" in err
