"""Decoding AVA clips straight from video files (mp4, mkv, webm) with PyAV.

The video must be the 15-minute cut MMAction2's ``tools/data/ava/cut_videos.sh`` makes (from second
900, re-encoded at 30 fps), i.e. the file ``rawframes/`` is extracted from: frame ``k`` (1-based) of
the video is ``img_{k:05}.jpg``. Frame ``k`` is the one whose presentation time is
``(k - 1) / fps`` after the stream start, which for such constant-rate files is the k-th decoded
frame, the same frame ``extract_frames`` writes as file ``k``.

PyAV (``pip install av``; its wheels bundle FFmpeg) is imported only when a video is read.
torchvision's own video reading is deprecated, so avazoo does not use it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from avazoo.errors import DatasetError

__all__ = [
    "VIDEO_SUFFIXES",
    "VideoFileSource",
    "import_av",
    "iter_video_frames",
    "unreadable",
]

VIDEO_SUFFIXES = (".mp4", ".mkv", ".webm")


def import_av() -> Any:
    """Import PyAV, or raise an error that says how to install it."""
    try:
        import av
    except ImportError as err:
        raise DatasetError(
            "reading video files needs PyAV: run `pip install av` "
            "(or extract the frames to JPEG files first)"
        ) from err
    return av


def _frame_number(frame: Any, stream: Any, fps: int) -> int:
    """The 1-based frame number of a decoded frame, from its presentation time."""
    start = stream.start_time or 0
    if frame.pts is None:
        raise DatasetError(f"a frame of {stream.container.name} has no timestamp; re-encode it")
    seconds = float((frame.pts - start) * stream.time_base)
    return round(seconds * fps) + 1


def iter_video_frames(path: str | Path) -> Iterator[np.ndarray]:
    """Every frame of the first video stream in order, as RGB uint8 ``[H, W, 3]`` arrays.

    Raises :class:`DatasetError` naming the file when it is missing or cannot be decoded.
    """
    av = import_av()
    path = Path(path)
    _check_exists(path)
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for frame in container.decode(stream):
                yield frame.to_ndarray(format="rgb24")
    except av.error.FFmpegError as err:
        raise unreadable(path, err) from err


def unreadable(path: Path, err: Exception) -> DatasetError:
    """The error for a video file FFmpeg cannot read."""
    return DatasetError(
        f"cannot read video file {path} ({err}); it is damaged or truncated: download or cut "
        "it again"
    )


def _check_exists(path: Path) -> None:
    if not path.is_file():
        raise DatasetError(
            f"video file {path} does not exist; put the cut 15-minute video there "
            "or extract its frames to rawframes/"
        )


class VideoFileSource:
    """The frames of one video file, read at exact 1-based frame numbers.

    Args:
        path: the video file.
        fps: the frame rate the AVA timeline assumes (30); a file at another rate is an error,
            since its frame numbers would not match MMAction2's.
    """

    def __init__(self, path: str | Path, *, fps: int = 30) -> None:
        self.path = Path(path)
        self.fps = fps

    def _open(self) -> tuple[Any, Any]:
        """The open container and its first video stream, checked for the frame rate."""
        av = import_av()
        _check_exists(self.path)
        try:
            container = av.open(str(self.path))
        except av.error.FFmpegError as err:
            raise unreadable(self.path, err) from err
        stream = container.streams.video[0]
        rate = stream.average_rate
        if rate is None or abs(float(rate) - self.fps) > 1e-3:
            container.close()
            raise DatasetError(
                f"video file {self.path} runs at {rate} fps, but AVA frame numbers assume "
                f"{self.fps}; re-encode it at {self.fps} fps (ffmpeg -r {self.fps}, as "
                "MMAction2's cut_videos.sh does)"
            )
        return container, stream

    def frame_size(self) -> tuple[int, int]:
        """``(height, width)`` of the video stream."""
        container, stream = self._open()
        with container:
            return stream.codec_context.height, stream.codec_context.width

    def read(self, indices: Sequence[int] | np.ndarray) -> torch.Tensor:
        """Decode frames ``indices`` (1-based, repeats allowed) to uint8 ``[T, H, W, 3]``.

        Seeks to the nearest keyframe before the first wanted frame and decodes forward (from the
        start if the seek overshoots). Raises :class:`DatasetError` when the video ends before the
        last wanted frame or lacks one of them.
        """
        wanted = sorted({int(i) for i in indices})
        container, stream = self._open()
        av = import_av()
        with container:
            try:
                found, last_seen = self._collect(container, stream, wanted, seek=True)
                if wanted[0] not in found:
                    found, last_seen = self._collect(container, stream, wanted, seek=False)
            except av.error.FFmpegError as err:
                raise unreadable(self.path, err) from err
        if last_seen < wanted[-1]:
            raise DatasetError(
                f"video file {self.path} ends at frame {last_seen}, but the clip needs frame "
                f"{wanted[-1]}; the video is shorter than the AVA timeline (15 min 1 s from "
                "second 900): re-cut it, or remove the keyframes near its end from the annotations"
            )
        missing = [k for k in wanted if k not in found]
        if missing:
            raise DatasetError(
                f"video file {self.path} has no frame numbered {missing[0]} (frame numbers come "
                f"from timestamps at {self.fps} fps); re-encode it at a constant {self.fps} fps"
            )
        return torch.from_numpy(np.stack([found[int(i)] for i in indices]))

    def _collect(
        self, container: Any, stream: Any, wanted: list[int], *, seek: bool
    ) -> tuple[dict[int, np.ndarray], int]:
        """Decode from a seek point up to ``wanted[-1]``; returns the wanted frames found and the
        number of the last frame decoded."""
        start = stream.start_time or 0
        offset = (wanted[0] - 1) / self.fps if seek else 0.0
        container.seek(start + int(offset / stream.time_base), stream=stream, backward=True)
        keep = set(wanted)
        found: dict[int, np.ndarray] = {}
        number = 0
        for frame in container.decode(stream):
            number = _frame_number(frame, stream, self.fps)
            if number in keep:
                found[number] = frame.to_ndarray(format="rgb24")
            if number >= wanted[-1]:
                break
        return found, number
