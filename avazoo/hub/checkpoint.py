"""Reading checkpoint files safely: MMAction2 ``.pth`` pickles and ``.safetensors``.

Pickles are read with ``torch.load(weights_only=True)``, which refuses any object that would
run code on load; a refused file raises :class:`~avazoo.errors.UnsafeCheckpointError`.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import torch
from safetensors.torch import load_file

from avazoo.errors import CheckpointMismatchError, UnsafeCheckpointError

__all__ = ["load_state_dict", "read_checkpoint_file"]

SAFETENSORS_SUFFIX = ".safetensors"


def read_checkpoint_file(path: str | Path) -> dict[str, torch.Tensor]:
    """Read the tensors of a local ``.pth`` (MMAction2 layout) or ``.safetensors`` file.

    An MMAction2 checkpoint is a dict ``{"meta": ..., "state_dict": {key: tensor}, ...}``; a plain
    ``{key: tensor}`` dict is accepted too. Keys are returned unchanged (avazoo's layout is
    MMAction2's); a ``module.`` prefix left by DistributedDataParallel is stripped.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint file {path} does not exist")
    if path.suffix == SAFETENSORS_SUFFIX:
        return load_file(path)
    state = _torch_load_safely(path)
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
    ):
        raise CheckpointMismatchError(
            f"{path}: expected an MMAction2 checkpoint (a dict with a 'state_dict' of tensors) "
            "or a plain dict of tensors; found something else"
        )
    return {_strip_ddp_prefix(k): v for k, v in state.items()}


def load_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Read a checkpoint's ``state_dict`` in avazoo's (= MMAction2's) key layout.

    Args:
        path: a local ``.pth`` or ``.safetensors`` file.
    """
    return read_checkpoint_file(path)


def _torch_load_safely(path: Path) -> object:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        raise UnsafeCheckpointError(
            f"{path} holds pickled objects other than tensors and plain containers, and loading "
            "it would execute code, so avazoo refused it. If you trust the file, convert it "
            "once with torch.load(..., weights_only=False) in a separate session and save only "
            f"its state_dict (or a .safetensors file). Details: {str(err).splitlines()[0]}"
        ) from None


def _strip_ddp_prefix(key: str) -> str:
    return key[len("module.") :] if key.startswith("module.") else key
