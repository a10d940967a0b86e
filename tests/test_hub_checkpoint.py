"""Reading checkpoint files: never executing pickled code, accepting what MMAction2 writes."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from avazoo.errors import CheckpointMismatchError, DataFormatError, UnsafeCheckpointError
from avazoo.hub import load_state_dict
from tests._hub_helpers import RunsCode

WEIGHTS = {
    "backbone.conv1.conv.weight": torch.arange(24, dtype=torch.float32).reshape(2, 3, 1, 2, 2),
    "backbone.conv1.bn.num_batches_tracked": torch.tensor(7),
}


def assert_same_tensors(found: dict[str, torch.Tensor], expected: dict[str, torch.Tensor]) -> None:
    assert found.keys() == expected.keys()
    for key, value in expected.items():
        assert found[key].dtype == value.dtype
        assert torch.equal(found[key], value)


def test_pickle_that_would_run_code_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pth"
    torch.save({"state_dict": WEIGHTS, "meta": RunsCode(marker)}, path)
    # Control: an unrestricted load really would run the code.
    torch.load(path, weights_only=False)
    assert marker.exists()
    marker.unlink()
    with pytest.raises(UnsafeCheckpointError, match="refused") as caught:
        load_state_dict(path)
    assert str(path) in str(caught.value)
    assert "GLOBAL exec" in str(caught.value)  # names what it refused
    assert "add_safe_globals" not in str(caught.value)  # and gives no advice to allow it
    assert not marker.exists()


def test_mmaction2_checkpoint_with_numpy_scalars_in_meta(tmp_path):
    # mmcv's EvalHook stores the best score as a numpy float in meta["hook_msgs"].
    meta = {"epoch": 20, "hook_msgs": {"best_score": np.float64(0.2012), "n": np.int64(3)}}
    path = tmp_path / "ckpt.pth"
    torch.save({"meta": meta, "state_dict": WEIGHTS, "optimizer": {"lr": 0.1}}, path)
    assert_same_tensors(load_state_dict(path), WEIGHTS)


def test_checkpoint_pickled_under_numpy_1(tmp_path):
    # numpy 1.x pickles its scalars as numpy.core.multiarray.scalar (numpy 2: numpy._core).
    buffer = io.BytesIO()
    meta = {"hook_msgs": {"best_score": np.float32(0.5)}}
    torch.save({"meta": meta, "state_dict": WEIGHTS}, buffer, _use_new_zipfile_serialization=False)
    data = buffer.getvalue()
    if b"numpy._core.multiarray\n" in data:
        data = data.replace(b"numpy._core.multiarray\n", b"numpy.core.multiarray\n")
    assert b"numpy.core.multiarray\n" in data
    path = tmp_path / "legacy.pth"
    path.write_bytes(data)
    assert_same_tensors(load_state_dict(path), WEIGHTS)


def test_plain_state_dict_with_ddp_prefix(tmp_path):
    path = tmp_path / "plain.pth"
    torch.save({f"module.{k}": v for k, v in WEIGHTS.items()}, path)
    assert_same_tensors(load_state_dict(path), WEIGHTS)


def test_safetensors_file(tmp_path):
    path = tmp_path / "w.safetensors"
    save_file(WEIGHTS, str(path))
    assert_same_tensors(load_state_dict(path), WEIGHTS)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.pth", b"<html>404 Not Found</html>"),
        ("empty.pth", b""),
        ("bad.safetensors", b"\xff" * 64),
    ],
)
def test_bytes_that_are_no_checkpoint(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataFormatError) as caught:
        load_state_dict(path)
    assert str(path) in str(caught.value)


def test_truncated_checkpoint(tmp_path):
    path = tmp_path / "cut.pth"
    torch.save({"state_dict": WEIGHTS}, path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DataFormatError, match="truncated"):
        load_state_dict(path)


def test_pickle_without_tensors(tmp_path):
    path = tmp_path / "list.pth"
    torch.save([1, 2, 3], path)
    with pytest.raises(CheckpointMismatchError, match="state_dict"):
        load_state_dict(path)


def test_missing_file_and_misplaced_options(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_state_dict(tmp_path / "nope.pth")
    torch.save(WEIGHTS, tmp_path / "w.pth")
    with pytest.raises(ValueError, match="only to a URL"):
        load_state_dict(tmp_path / "w.pth", sha256="0" * 8)
