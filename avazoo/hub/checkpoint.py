"""Reading checkpoint files safely: MMAction2 ``.pth`` pickles and ``.safetensors``.

Pickles are read with ``torch.load(weights_only=True)``, which refuses any object that would
run code on load; a refused file raises :class:`~avazoo.errors.UnsafeCheckpointError`.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file

from avazoo.errors import CheckpointMismatchError, DataFormatError, UnsafeCheckpointError
from avazoo.hub.download import URL_SCHEMES, download

__all__ = ["SAFETENSORS_SUFFIX", "load_state_dict", "read_checkpoint_file"]

SAFETENSORS_SUFFIX = ".safetensors"


def _numpy_scalar_globals() -> list[object]:
    """What unpickling numpy scalars needs: MMAction2 keeps e.g. ``meta.hook_msgs.best_score``
    as a numpy float. Building a scalar or a dtype runs no user code, so these are safe."""
    scalar = np.float64(0).__reduce__()[0]  # numpy's scalar-rebuilding function
    dtype_classes = {type(np.dtype(code)) for code in "?bhilqBHILQefdgFDG"}
    return [
        np.dtype,
        *dtype_classes,
        (scalar, "numpy._core.multiarray.scalar"),
        (scalar, "numpy.core.multiarray.scalar"),  # the name in pickles written by numpy 1.x
    ]


_SAFE_GLOBALS = _numpy_scalar_globals()
# Phrases of torch's weights-only unpickler when it refuses an object (rather than bad bytes).
_REFUSAL_PHRASES = ("GLOBAL", "allowlisted", "NEWOBJ")


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
        return _load_safetensors(path)
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


def load_state_dict(
    path_or_url: str | Path, *, sha256: str | None = None, cache_dir: str | Path | None = None
) -> dict[str, torch.Tensor]:
    """Read a checkpoint's ``state_dict`` in avazoo's (= MMAction2's) key layout.

    Args:
        path_or_url: a local ``.pth`` or ``.safetensors`` file, or an http(s) URL of one, which
            is fetched into the cache and verified first (see :func:`avazoo.hub.download`).
        sha256: for a URL, the file's sha256 or a prefix of at least 8 hex digits (default:
            the prefix in an MMAction2-published file name).
        cache_dir: for a URL, the cache root.
    """
    if isinstance(path_or_url, str) and path_or_url.startswith(URL_SCHEMES):
        path_or_url = download(path_or_url, sha256=sha256, cache_dir=cache_dir)
    elif sha256 is not None or cache_dir is not None:
        raise ValueError("sha256= and cache_dir= apply only to a URL, not to a local path")
    return read_checkpoint_file(path_or_url)


def _torch_load_safely(path: Path) -> object:
    try:
        with torch.serialization.safe_globals(_SAFE_GLOBALS):
            return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        detail = _unpickling_detail(err)
        if any(phrase in detail for phrase in _REFUSAL_PHRASES):
            raise UnsafeCheckpointError(
                f"{path} holds pickled objects other than tensors, plain containers and numpy "
                "scalars, and loading it could execute code, so avazoo refused it. If you trust "
                "the file, convert it once with torch.load(..., weights_only=False) in a "
                "separate session and save only its state_dict (or a .safetensors file). "
                f"Refused: {detail}"
            ) from None
        raise _not_a_checkpoint(path, detail) from None
    except (RuntimeError, EOFError, KeyError, ValueError) as err:  # truncated or foreign bytes
        raise _not_a_checkpoint(path, f"{type(err).__name__}: {err}") from None


def _load_safetensors(path: Path) -> dict[str, torch.Tensor]:
    try:
        return load_file(path)
    except SafetensorError as err:
        raise DataFormatError(
            path, None, f"not a readable safetensors file ({err}): download or export it again"
        ) from None


def _not_a_checkpoint(path: Path, detail: str) -> DataFormatError:
    return DataFormatError(
        path,
        None,
        f"not a readable PyTorch checkpoint ({detail}); the file may be truncated or not a "
        "checkpoint at all (e.g. an error page): download it again",
    )


def _unpickling_detail(err: pickle.UnpicklingError) -> str:
    """torch's message is long; keep the part that says what was refused or unreadable."""
    text = str(err)
    _, marker, rest = text.partition("WeightsUnpickler error:")
    detail = " ".join((rest if marker else text).split("Check the documentation")[0].split())
    return detail.split(". ")[0]  # drop torch's advice on how to allow the refused object


def _strip_ddp_prefix(key: str) -> str:
    return key[len("module.") :] if key.startswith("module.") else key
