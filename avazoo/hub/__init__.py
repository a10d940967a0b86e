"""Weights I/O: verified, cached, resumable downloads; safe checkpoint reading; the HF Hub.

This package knows files, URLs and tensors only; tying them to recipes and models is
:mod:`avazoo.pretrained`'s job.
"""

from avazoo.hub.cache import cache_root, checkpoint_path, offline_flag
from avazoo.hub.checkpoint import load_state_dict, read_checkpoint_file
from avazoo.hub.download import download
from avazoo.hub.export import ExportConfig, read_export_config, read_safetensors_config
from avazoo.hub.hf import HubRef, parse_hf_ref

__all__ = [
    "ExportConfig",
    "HubRef",
    "cache_root",
    "checkpoint_path",
    "download",
    "load_state_dict",
    "offline_flag",
    "parse_hf_ref",
    "read_checkpoint_file",
    "read_export_config",
    "read_safetensors_config",
]
