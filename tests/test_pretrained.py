"""avazoo.load / convert / push_to_hub: MMAction2 checkpoint -> avazoo folder -> HF cache -> model.

The checkpoint holds the deterministic weights of shared/reference (the weights MMAction2 itself
ran), so a converted model is checked both bit for bit against the same weights loaded straight
from the ``.pth`` and, within float tolerance, against MMAction2's own logits.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import socket
import time
import traceback
from pathlib import Path

import huggingface_hub
import numpy as np
import pytest
import torch

import avazoo
from avazoo.cli import main
from avazoo.errors import AvazooError, CheckpointMismatchError, DownloadError, OfflineError
from avazoo.hub import checkpoint_path, read_checkpoint_file
from avazoo.pretrained import convert, load, push_to_hub
from tests._http_server import FileServer
from tests._hub_helpers import FakeHfApi, isolate_cache
from tests._reference import SHARED, parity_case, rule_state_dict

RECIPE = "slowonly_r50_4x16_ava21"  # the smallest recipe
TOL = {"rtol": 1e-4, "atol": 1e-4}  # shared/reference/README.md's tolerance for MMAction2 parity
COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture(autouse=True)
def online_and_isolated(tmp_path, monkeypatch):
    isolate_cache(monkeypatch, tmp_path / "avazoo")


@pytest.fixture(scope="module")
def mmaction_checkpoint(tmp_path_factory) -> Path:
    """An MMAction2-style checkpoint: {"meta", "state_dict"}, numpy scalars in meta included."""
    seed_name = avazoo.get_recipe(RECIPE).seed_name
    path = tmp_path_factory.mktemp("mmaction") / f"{seed_name}.pth"
    meta = {"mmcv_version": "1.3.1", "epoch": 20, "hook_msgs": {"best_score": np.float64(0.2)}}
    torch.save({"meta": meta, "state_dict": rule_state_dict(seed_name)}, path)
    return path


@pytest.fixture(scope="module")
def folder(mmaction_checkpoint, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("converted") / "model"
    argv = ["convert", str(mmaction_checkpoint), "--recipe", "slowonly_r50", "--out", str(out)]
    assert main(argv) == 0
    return out


@pytest.fixture(scope="module")
def parity():
    """(clip [1, 3, 4, 128, 160], rois [5, 5], MMAction2's logits [5, 81])."""
    tensors, clip = parity_case(avazoo.get_recipe(RECIPE).seed_name)
    return clip, tensors["rois"], tensors["cls_score"]


@pytest.fixture(scope="module")
def direct_logits(mmaction_checkpoint, parity) -> torch.Tensor:
    """Logits of the model with the .pth weights loaded directly (no conversion)."""
    model = avazoo.create_model(RECIPE)
    avazoo.load_weights(model, read_checkpoint_file(mmaction_checkpoint))
    return logits_of(model.eval(), parity)


def logits_of(model: avazoo.AVADetector, parity) -> torch.Tensor:
    clip, rois, _ = parity
    assert not model.training
    with torch.no_grad():
        return model(clip, rois)


def test_convert_then_load_is_bit_identical_and_matches_mmaction2(folder, parity, direct_logits):
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["README.md", "config.json", "model.safetensors"]
    logits = logits_of(load(folder), parity)
    assert torch.equal(logits, direct_logits)
    torch.testing.assert_close(logits, parity[2], **TOL)


@pytest.mark.gpu
def test_load_onto_a_gpu(folder, parity, direct_logits, monkeypatch):
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)  # plain fp32 as on the CPU
    monkeypatch.setattr(torch.backends.cuda.matmul, "allow_tf32", False)
    model = load(folder, device="cuda")
    assert {p.device.type for p in model.parameters()} == {"cuda"}
    clip, rois, _ = parity
    with torch.no_grad():
        logits = model(clip.cuda(), rois.cuda()).cpu()
    torch.testing.assert_close(logits, direct_logits, **TOL)


def test_folder_config_and_card(folder, mmaction_checkpoint):
    config = json.loads((folder / "config.json").read_text())
    recipe = avazoo.get_recipe(RECIPE)
    assert config == {
        "format": "avazoo-v1",
        "recipe": recipe.name,
        "num_classes": 81,
        "custom_classes": None,
        "class_names": None,
        "source": {
            "url": None,  # not the official file, so no official URL is claimed
            "sha256": hashlib.sha256(mmaction_checkpoint.read_bytes()).hexdigest(),
        },
    }
    card = (folder / "README.md").read_text()
    assert recipe.name in card
    assert config["source"]["sha256"] in card
    assert "not published" in card  # the published mAP belongs to the official weights only


def test_card_of_the_official_checkpoint_gives_published_map(tmp_path, monkeypatch):
    recipe = avazoo.get_recipe(RECIPE)
    ckpt = tmp_path / recipe.weights.file_name
    torch.save({"state_dict": rule_state_dict(recipe.seed_name)}, ckpt)
    digest = hashlib.sha256(ckpt.read_bytes()).hexdigest()
    official = type(recipe.weights)(url=recipe.weights.url, sha256=digest[:8])
    monkeypatch.setattr(avazoo.pretrained, "get_recipe", lambda name: _with_weights(name, official))
    out = convert(ckpt, recipe=RECIPE, out_dir=tmp_path / "out")
    config = json.loads((out / "config.json").read_text())
    assert config["source"] == {"url": recipe.weights.url, "sha256": digest}
    assert f"| frame-mAP@0.5IoU (%) | {recipe.results.map} " in (out / "README.md").read_text()


def _with_weights(name, weights):
    return dataclasses.replace(avazoo.get_recipe(name), weights=weights)


def place_in_hf_cache(folder: Path, hub_cache: Path, repo_id: str) -> None:
    """Lay ``folder`` out as huggingface_hub's cache does after a download of ``repo_id``."""
    repo = hub_cache / f"models--{repo_id.replace('/', '--')}"
    shutil.copytree(folder, repo / "snapshots" / COMMIT)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(COMMIT)


@pytest.fixture
def hf_offline_cache(tmp_path, monkeypatch) -> Path:
    """An empty HF cache in HF_HUB_CACHE, with HF_HUB_OFFLINE=1 (both as huggingface_hub read
    them at import, hence patched in its constants too)."""
    hub_cache = tmp_path / "hf" / "hub"
    hub_cache.mkdir(parents=True)
    monkeypatch.setenv("HF_HUB_CACHE", str(hub_cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(hub_cache))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    return hub_cache


@pytest.mark.parametrize(
    "ref", ["hf-hub:avazoo-test/slowonly", f"hf-hub:avazoo-test/slowonly@{COMMIT}"]
)
def test_hf_hub_reference_loads_offline_from_the_cache(
    folder, hf_offline_cache, parity, direct_logits, ref
):
    place_in_hf_cache(folder, hf_offline_cache, "avazoo-test/slowonly")
    assert torch.equal(logits_of(load(ref), parity), direct_logits)


def test_hf_hub_reference_missing_from_the_cache_offline(hf_offline_cache):
    with pytest.raises(OfflineError, match=r"config\.json of hf-hub:avazoo-test/absent"):
        load("hf-hub:avazoo-test/absent")


@pytest.mark.parametrize("ref", ["hf-hub:no-slash", "hf-hub:a/b/c", "hf-hub:org/repo@"])
def test_malformed_hf_hub_reference(ref):
    with pytest.raises(ValueError, match="org/repo"):
        load(ref)


def test_lone_safetensors_file_records_its_recipe(folder, parity, direct_logits):
    assert torch.equal(logits_of(load(folder / "model.safetensors"), parity), direct_logits)


def test_pth_needs_recipe(mmaction_checkpoint, parity, direct_logits):
    with pytest.raises(ValueError, match=f"pass recipe=NAME.*{RECIPE}"):
        load(mmaction_checkpoint)
    model = load(mmaction_checkpoint, recipe="slowonly_r50")
    assert torch.equal(logits_of(model, parity), direct_logits)


def test_recipe_that_contradicts_the_folder(folder):
    with pytest.raises(ValueError, match="contradicts"):
        load(folder, recipe="slowfast_ava22")


def test_checkpoint_of_another_architecture_is_refused(mmaction_checkpoint, tmp_path):
    with pytest.raises(CheckpointMismatchError, match="slowonly_r50_4x16_ava21"):
        convert(mmaction_checkpoint, recipe="slowonly_nl_4x16", out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_class_names_from_a_label_map(mmaction_checkpoint, tmp_path):
    from avazoo.data.ava_files import read_label_map

    label_map = SHARED / "data" / "ava" / "ava_action_list_v2.2.pbtxt"
    names = read_label_map(label_map).as_dict()
    out = convert(mmaction_checkpoint, recipe=RECIPE, out_dir=tmp_path / "out", class_names=names)
    stored = json.loads((out / "config.json").read_text())["class_names"]
    assert stored == {str(i): names[i] for i in range(1, 81)}
    # The 60-class evaluation subset cannot name all 80 outputs.
    subset_map = label_map.with_name("ava_action_list_v2.2_for_activitynet_2019.pbtxt")
    subset = read_label_map(subset_map).as_dict()
    with pytest.raises(ValueError, match="no name for the model's class ids"):
        convert(mmaction_checkpoint, recipe=RECIPE, out_dir=tmp_path / "o2", class_names=subset)
    assert not (tmp_path / "o2").exists()


def test_load_from_a_url_verifies_the_published_hash(mmaction_checkpoint, parity, direct_logits):
    data = mmaction_checkpoint.read_bytes()
    prefix = hashlib.sha256(data).hexdigest()[:8]
    good, bad = f"ckpt_20201217-{prefix}.pth", "ckpt_20201217-00000000.pth"
    with FileServer({good: data, bad: b"an error page"}) as server:
        model = load(server.url(good), recipe=RECIPE)
        with pytest.raises(avazoo.ChecksumError):
            load(server.url(bad), recipe=RECIPE)
    assert torch.equal(logits_of(model, parity), direct_logits)


def _host_resolves(host: str) -> bool:
    try:
        socket.getaddrinfo(host, 443)
    except OSError:
        return False
    return True


def test_official_checkpoint_without_network_fails_fast_and_clearly(tmp_path):
    recipe = avazoo.get_recipe("slowfast_temporal_max_focal")
    if _host_resolves("download.openmmlab.com"):
        pytest.skip("this machine can reach download.openmmlab.com; the test is for offline ones")
    started = time.monotonic()
    with pytest.raises(DownloadError) as caught:
        avazoo.pretrained.load("slowfast_temporal_max_focal")
    assert time.monotonic() - started < 10
    assert recipe.weights.url in str(caught.value)
    assert str(checkpoint_path(recipe.weights.file_name)) in str(caught.value)
    shown = "".join(traceback.format_exception(caught.value))
    assert "requests" not in shown.replace(str(caught.value), "")  # no trace from inside requests


def test_offline_recipe_name_names_url_and_cache_path(monkeypatch):
    monkeypatch.setenv("AVAZOO_OFFLINE", "1")
    recipe = avazoo.get_recipe("slowfast_focal")
    with pytest.raises(OfflineError) as caught:
        load("slowfast_focal")
    assert recipe.weights.url in str(caught.value)
    assert str(checkpoint_path(recipe.weights.file_name)) in str(caught.value)


def test_unknown_names_and_missing_paths():
    with pytest.raises(avazoo.UnknownModelError, match="slowfast_focal"):
        load("slowfast_focl")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load("no/such/model.pth")


def test_push_to_hub_creates_the_repo_and_uploads_the_folder(folder, monkeypatch):
    FakeHfApi.calls = []
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeHfApi)
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: "hf_test_token")
    url = push_to_hub(folder, "org/slowonly", private=True)
    assert url == "https://huggingface.co/org/slowonly/commit/1"
    assert FakeHfApi.calls == [
        ("init", {"token": "hf_test_token"}),
        (
            "create_repo",
            {"repo_id": "org/slowonly", "repo_type": "model", "private": True, "exist_ok": True},
        ),
        (
            "upload_folder",
            {
                "repo_id": "org/slowonly",
                "folder_path": str(folder),
                "repo_type": "model",
                "commit_message": "Upload avazoo model",
            },
        ),
    ]


def test_push_to_hub_without_a_token_says_how_to_log_in(folder, monkeypatch):
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: None)
    monkeypatch.setattr(huggingface_hub, "HfApi", _unreachable)
    with pytest.raises(AvazooError, match="hf auth login"):
        push_to_hub(folder, "org/slowonly")


def test_push_to_hub_checks_the_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(huggingface_hub, "HfApi", _unreachable)
    with pytest.raises(FileNotFoundError, match=r"config\.json"):
        push_to_hub(tmp_path, "org/slowonly", token="hf_test_token")


def _unreachable(*args, **kwargs):
    raise AssertionError("the Hub API must not be called")
