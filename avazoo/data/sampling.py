"""Which frames make the clip of an AVA keyframe (MMAction2 0.x ``SampleAVAFrames``).

Frame files are numbered from 1: file ``k`` (``img_{k:05}.jpg``) shows time
``timestamp_start + (k - 1) / fps``. For a keyframe at second ``t``:

- centre index ``c = fps * (t - timestamp_start) + 1`` (for ``t = 902``: 61, the frame at ``t``);
- base indices ``c - (clip_len // 2) * interval + k * interval`` for ``k < clip_len`` (the keyframe
  sits at position ``clip_len // 2``);
- in training each index gets its own integer jitter, uniform in
  ``[floor(-interval / 2), (interval + 1) // 2)``; at test time none;
- indices are clipped to the shot ``[0, (timestamp_end - timestamp_start) * fps - 1]``, then
  ``start_index`` is added to give the file number.

One deliberate difference: MMAction2 would read ``img_00000.jpg`` (which ffmpeg never writes) for
a clip that starts before the first frame, and fail. avazoo reads the first frame instead, the
same edge padding the shot clipping does. This only happens for keyframes in the first second.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["FIRST_FRAME", "keyframe_index", "clip_frame_indices", "jitter_bounds"]

FIRST_FRAME = 1
"""Number of the first frame file (ffmpeg numbers ``img_%05d.jpg`` from 1)."""


def keyframe_index(timestamp: int, *, fps: int, timestamp_start: int) -> int:
    """The centre index of keyframe ``timestamp`` (seconds): ``fps * (t - start) + 1``."""
    return fps * (timestamp - timestamp_start) + 1


def jitter_bounds(frame_interval: int) -> tuple[int, int]:
    """The training jitter range ``[low, high)`` for one index: ``{-1, 0}`` for interval 2."""
    return math.floor(-frame_interval / 2), (frame_interval + 1) // 2


def clip_frame_indices(
    timestamp: int,
    *,
    clip_len: int,
    frame_interval: int,
    fps: int = 30,
    timestamp_start: int = 900,
    timestamp_end: int = 1800,
    start_index: int = 0,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """The frame file numbers of the clip around keyframe ``timestamp``.

    Args:
        timestamp: the keyframe second (e.g. 902).
        clip_len: number of frames in the clip.
        frame_interval: distance between consecutive sampled frames.
        fps, timestamp_start, timestamp_end: the frame timeline (30, 900, 1800 for AVA).
        start_index: added to the clipped indices (0 in MMAction2 0.x).
        rng: training mode when given: per-index jitter drawn from it; ``None`` = test mode.

    Returns:
        int64 array ``[clip_len]`` of 1-based frame file numbers, in time order.
    """
    if clip_len < 1 or frame_interval < 1:
        raise ValueError(
            f"clip_len and frame_interval must be >= 1, got {clip_len} and {frame_interval}"
        )
    centre = keyframe_index(timestamp, fps=fps, timestamp_start=timestamp_start)
    start = centre - (clip_len // 2) * frame_interval
    indices = start + frame_interval * np.arange(clip_len, dtype=np.int64)
    if rng is not None:
        low, high = jitter_bounds(frame_interval)
        indices = indices + rng.integers(low, high, size=clip_len, dtype=np.int64)
    shot_end = (timestamp_end - timestamp_start) * fps
    indices = np.clip(indices, 0, shot_end - 1) + start_index
    return np.maximum(indices, FIRST_FRAME)
