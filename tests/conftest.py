"""Shared pytest setup: CPU threads, the GPU marker, and the shared reference folder."""

from __future__ import annotations

import pytest
import torch

from tests._reference import SHARED

torch.set_num_threads(2)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if torch.cuda.is_available():
        return
    skip_gpu = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip_gpu)


@pytest.fixture(scope="session")
def shared_dir():
    if not SHARED.is_dir():
        pytest.fail(f"the shared reference folder {SHARED} is missing (it sits beside the checkout)")
    return SHARED
