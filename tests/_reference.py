"""Access to ../shared/reference: key manifests, the deterministic weight rule, parity cases.

The weight rule is the one stated in shared/reference/README.md ("Deterministic weights");
:func:`rule_state_dict` is checked against the digests in ``summary.json`` before use.
"""

from __future__ import annotations

import hashlib
import json
import math
import zlib
from collections import OrderedDict
from functools import cache
from pathlib import Path

import numpy as np
import torch

SHARED = Path(__file__).resolve().parents[2] / "shared"
REFERENCE = SHARED / "reference"

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def read_manifest(seed_name: str) -> list[tuple[str, tuple[int, ...], str]]:
    """Rows ``(key, shape, dtype)`` of ``keys/<seed_name>.tsv`` in state_dict order."""
    lines = (REFERENCE / "keys" / f"{seed_name}.tsv").read_text().splitlines()
    assert lines[0].split("\t") == ["key", "shape", "dtype"]
    rows = []
    for line in lines[1:]:
        key, shape, dtype = line.split("\t")
        rows.append((key, tuple(int(d) for d in shape.split(",")) if shape else (), dtype))
    return rows


def _splitmix_top24(seed: int, n: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + np.arange(1, n + 1, dtype=np.uint64) * _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float32) * np.float32(2.0**-24)


def rule_tensor(key: str, shape: tuple[int, ...]) -> torch.Tensor:
    """The README's deterministic tensor for one manifest row."""
    if key.endswith(".num_batches_tracked"):
        return torch.zeros((), dtype=torch.int64)
    u = _splitmix_top24(zlib.crc32(key.encode("utf-8")), math.prod(shape)).reshape(shape)
    s = u * np.float32(2.0) - np.float32(1.0)
    if key.endswith((".running_mean", ".bias")):
        v = s * np.float32(0.125)
    elif key.endswith(".running_var"):
        v = u + np.float32(0.5)
    elif key.endswith(("conv3.bn.weight", "conv_out.bn.weight")):
        v = s * np.float32(0.125) + np.float32(0.5)
    elif len(shape) == 1:
        v = s * np.float32(0.25) + np.float32(1.0)
    else:
        v = s * np.float32(math.sqrt(3.0 / math.prod(shape[1:])))
    return torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32))


@cache
def rule_state_dict(seed_name: str) -> OrderedDict[str, torch.Tensor]:
    """All deterministic weights of a config, verified against summary.json's digest."""
    sd = OrderedDict((k, rule_tensor(k, shape)) for k, shape, _ in read_manifest(seed_name))
    digest = hashlib.sha256()
    for t in sd.values():
        digest.update(t.contiguous().numpy().tobytes())
    expected = summary()["configs"][seed_name]["weights_sha256"]
    assert digest.hexdigest() == expected, f"weight rule does not reproduce {seed_name}"
    return sd


@cache
def spec_records() -> tuple[dict, ...]:
    """The 14 records of shared/spec/recipes.json, in RECIPES.md order."""
    return tuple(json.loads((SHARED / "spec" / "recipes.json").read_text()))


@cache
def summary() -> dict:
    return json.loads((REFERENCE / "summary.json").read_text())


def parity_case(seed_name: str) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """``(stored tensors, model input clip [1, 3, T, 128, 160])`` of a parity case."""
    from safetensors.torch import load_file

    info = json.loads((REFERENCE / "parity" / f"{seed_name}.json").read_text())
    tensors = load_file(REFERENCE / "parity" / f"{seed_name}.safetensors")
    clip_int8 = load_file(REFERENCE / "parity" / info["clip_file"])["clip_int8"]
    return tensors, clip_int8.to(torch.float32) / 32
