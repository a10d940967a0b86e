"""avazoo: the MMAction2 AVA action-detection model zoo as a small, dependable library.

>>> import avazoo
>>> model = avazoo.load("slowfast_temporal_max_focal")   # doctest: +SKIP
>>> model = avazoo.create_model("slowfast_temporal_max_focal")   # architecture, random init
>>> avazoo.list_models("slowonly*")[:2]
['slowonly_r101_8x8_ava21', 'slowonly_r101_8x8_omni_ava21']

``load`` gives a pretrained detector (verified, cached download) in eval mode. Public names
are imported on first use, so light parts (``avazoo.eval``'s metric, the recipes) do not
import torch.
"""

from __future__ import annotations

from avazoo._lazy import lazy_exports
from avazoo.errors import (
    AvazooError,
    CheckpointMismatchError,
    ChecksumError,
    DataFormatError,
    DatasetError,
    DownloadError,
    OfflineError,
    UnknownModelError,
    UnsafeCheckpointError,
)

__version__ = "0.1.0"

_EXPORTS = {
    "create_model": "avazoo.factory",
    "load_weights": "avazoo.factory",
    "AVADetector": "avazoo.models.detector",
    "convert": "avazoo.pretrained",
    "load": "avazoo.pretrained",
    "push_to_hub": "avazoo.pretrained",
    "Recipe": "avazoo.recipes",
    "get_recipe": "avazoo.recipes",
    "list_models": "avazoo.recipes",
}

__all__ = [
    "AvazooError",
    "CheckpointMismatchError",
    "ChecksumError",
    "DataFormatError",
    "DatasetError",
    "DownloadError",
    "OfflineError",
    "UnknownModelError",
    "UnsafeCheckpointError",
    "__version__",
    *sorted(_EXPORTS),
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
