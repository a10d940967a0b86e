"""avazoo: the MMAction2 AVA action-detection model zoo as a small, dependable library.

>>> import avazoo
>>> model = avazoo.load("slowfast_temporal_max_focal")   # pretrained, verified, cached, eval mode
>>> model = avazoo.create_model("slowfast_temporal_max_focal")   # architecture, random init
>>> avazoo.list_models("slowonly*")[:2]
['slowonly_r101_8x8_ava21', 'slowonly_r101_8x8_omni_ava21']
"""

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
from avazoo.factory import create_model, load_weights
from avazoo.models import AVADetector
from avazoo.pretrained import convert, load, push_to_hub
from avazoo.recipes import Recipe, get_recipe, list_models

__version__ = "0.1.0"

__all__ = [
    "AVADetector",
    "AvazooError",
    "CheckpointMismatchError",
    "ChecksumError",
    "DataFormatError",
    "DatasetError",
    "DownloadError",
    "OfflineError",
    "Recipe",
    "UnknownModelError",
    "UnsafeCheckpointError",
    "__version__",
    "convert",
    "create_model",
    "get_recipe",
    "list_models",
    "load",
    "load_weights",
    "push_to_hub",
]
