"""AVA data: annotation files, frame/video decoding, clip + box transforms, the dataset and a
synthetic mini-AVA.

Public names are imported lazily, so ``import avazoo.data.ava_files`` (numpy only) stays light.
"""

from __future__ import annotations

from avazoo._lazy import lazy_exports

_EXPORTS = {
    "AVADataset": "avazoo.data.dataset",
    "AVASample": "avazoo.data.dataset",
    "AVABatch": "avazoo.data.collate",
    "collate_samples": "avazoo.data.collate",
    "shape_batches": "avazoo.data.collate",
    "clip_frame_indices": "avazoo.data.sampling",
    "keyframe_index": "avazoo.data.sampling",
    "RawFrameSource": "avazoo.data.frames",
    "VideoFileSource": "avazoo.data.video",
    "extract_frames": "avazoo.data.extract",
    "make_synthetic_ava": "avazoo.data.synth",
    "read_synthetic_config": "avazoo.data.synth",
    "synthetic_data_config": "avazoo.data.synth",
    "train_pipeline": "avazoo.data.pipeline",
    "eval_pipeline": "avazoo.data.pipeline",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
