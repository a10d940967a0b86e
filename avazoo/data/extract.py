"""Extracting a video's frames to ``img_00001.jpg, img_00002.jpg, ...`` with the count checked.

This is what MMAction2's ``extract_rgb_frames_ffmpeg.sh`` does with ffmpeg, done with PyAV: every
frame of the first video stream, in order, one JPEG per frame, numbered from 1. The number of
frames written must equal the frame count the container declares (when it declares one) and
``expected_frames`` (when given; 27,030 for a cut AVA video: 901 s at 30 fps), otherwise nothing is
kept. The folder appears atomically: frames go to a temporary folder beside it, renamed at the end.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from avazoo.data.video import import_av, iter_video_frames, unreadable
from avazoo.errors import DatasetError

__all__ = ["AVA_FRAMES_PER_VIDEO", "declared_frame_count", "extract_frames"]

AVA_FRAMES_PER_VIDEO = 27030
"""Frames of a cut AVA video (901 s from second 900 at 30 fps)."""


def declared_frame_count(video: str | Path) -> int | None:
    """The frame count the container header declares, or ``None`` where it declares none."""
    av = import_av()
    try:
        with av.open(str(video)) as container:
            frames = container.streams.video[0].frames
    except av.error.FFmpegError as err:
        raise unreadable(Path(video), err) from err
    return int(frames) if frames else None


def extract_frames(
    video: str | Path,
    out_dir: str | Path,
    *,
    expected_frames: int | None = None,
    filename_tmpl: str = "img_{:05}.jpg",
    quality: int = 95,
) -> int:
    """Write every frame of ``video`` as a JPEG in ``out_dir``; return the number written.

    Args:
        video: an mp4/mkv/webm file.
        out_dir: the frame folder to create (``<root>/rawframes/<video_id>``); must not exist yet.
        expected_frames: the exact number of frames required, if known.
        filename_tmpl: file name template, numbered from 1.
        quality: JPEG quality (1-95).

    Raises:
        DatasetError: ``out_dir`` exists, the video is missing or unreadable, or the count differs.
    """
    from PIL import Image

    video, out_dir = Path(video), Path(out_dir)
    if out_dir.exists():
        raise DatasetError(f"{out_dir} already exists; remove it or choose another output folder")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    declared = declared_frame_count(video) if video.is_file() else None
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        count = 0
        for count, rgb in enumerate(iter_video_frames(video), start=1):
            Image.fromarray(rgb).save(tmp / filename_tmpl.format(count), quality=quality)
        _check_count(video, count, declared=declared, expected=expected_frames)
        tmp.rename(out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return count


def _check_count(video: Path, count: int, *, declared: int | None, expected: int | None) -> None:
    if declared is not None and count != declared:
        raise DatasetError(
            f"decoded {count} frames from {video}, but its header declares {declared}; "
            "the file is probably truncated or damaged: download or cut it again"
        )
    if expected is not None and count != expected:
        raise DatasetError(
            f"decoded {count} frames from {video}, expected exactly {expected}; "
            "check that it is the cut 15-minute video at 30 fps (MMAction2's cut_videos.sh)"
        )
