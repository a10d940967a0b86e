"""Video files: exact frames decoded on the fly, extract-frames with the count checked, and the
dataset reading a video instead of extracted frames.

Each test video is written here with PyAV; frame k (1-based) is a flat grey of level 3k, so a
decoded frame tells its own number (lossy codecs move levels by a unit or so)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from avazoo.data.dataset import AVADataset
from avazoo.data.extract import declared_frame_count, extract_frames
from avazoo.data.video import VideoFileSource
from avazoo.errors import DatasetError
from tests._data_helpers import tiny_config, write_tiny_ava

av = pytest.importorskip("av")


@pytest.fixture
def tiny_root(tmp_path: Path) -> Path:
    return write_tiny_ava(tmp_path / "ava")


CODECS = {".mp4": "libx264", ".mkv": "mpeg4", ".webm": "libvpx-vp9"}


def write_video(
    path: Path, *, frames: int = 60, fps: int = 30, size: tuple[int, int] = (48, 64)
) -> Path:
    """Frame k is grey level 3k (k = 1..frames <= 85), ``size`` = (H, W)."""
    height, width = size
    options = {"movflags": "faststart"} if path.suffix == ".mp4" else {}  # header first
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream(CODECS[path.suffix], rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.bit_rate = 20_000_000
        if path.suffix == ".mp4":
            stream.options = {"g": "12"}  # a keyframe every 12 frames: seeking matters
        for k in range(1, frames + 1):
            image = np.full((height, width, 3), 3 * k, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def frame_numbers(frames: torch.Tensor) -> list[int]:
    """The frame number each decoded grey frame shows."""
    levels = frames.to(torch.float64).mean(dim=(1, 2, 3))
    return [round(level / 3) for level in levels.tolist()]


@pytest.mark.parametrize("suffix", sorted(CODECS))
def test_decodes_the_exact_frames(tmp_path: Path, suffix: str) -> None:
    video = write_video(tmp_path / f"v{suffix}")
    wanted = [5, 13, 24, 25, 26, 37, 60, 13, 1]  # across keyframes, repeats, first and last
    frames = VideoFileSource(video).read(wanted)
    assert frames.shape == (len(wanted), 48, 64, 3) and frames.dtype == torch.uint8
    assert frame_numbers(frames) == wanted


def test_frame_size(tmp_path: Path) -> None:
    video = write_video(tmp_path / "v.mp4", size=(40, 72))
    assert VideoFileSource(video).frame_size() == (40, 72)


def test_video_shorter_than_the_clip(tmp_path: Path) -> None:
    video = write_video(tmp_path / "v.mp4", frames=30)
    with pytest.raises(DatasetError, match=r"v\.mp4 ends at frame 30, but the clip needs frame 31"):
        VideoFileSource(video).read([29, 31])


def test_wrong_frame_rate(tmp_path: Path) -> None:
    video = write_video(tmp_path / "v.mp4", fps=25)
    with pytest.raises(DatasetError, match="runs at 25 fps"):
        VideoFileSource(video).read([1])


def test_missing_video(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"video file .*nope\.mp4 does not exist"):
        VideoFileSource(tmp_path / "nope.mp4").read([1])


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_extract_frames_writes_every_frame(tmp_path: Path, suffix: str) -> None:
    video = write_video(tmp_path / f"v{suffix}", frames=45)
    out = tmp_path / "rawframes" / "v"
    assert extract_frames(video, out, expected_frames=45) == 45
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"img_{k:05d}.jpg" for k in range(1, 46)]
    from PIL import Image

    for k in (1, 20, 45):
        level = np.asarray(Image.open(out / f"img_{k:05d}.jpg")).mean()
        assert round(level / 3) == k


def test_extract_frames_count_mismatch_keeps_nothing(tmp_path: Path) -> None:
    video = write_video(tmp_path / "v.mp4", frames=20)
    out = tmp_path / "frames" / "v"
    with pytest.raises(DatasetError, match=r"decoded 20 frames .* expected exactly 27030"):
        extract_frames(video, out, expected_frames=27030)
    assert list((tmp_path / "frames").iterdir()) == []


def test_extract_frames_checks_the_declared_count(tmp_path: Path) -> None:
    video = write_video(tmp_path / "v.mp4", frames=20)
    assert declared_frame_count(video) == 20
    truncated = tmp_path / "cut.mp4"
    data = video.read_bytes()
    truncated.write_bytes(data[: len(data) * 2 // 3])  # header intact, frames lost
    with pytest.raises(DatasetError):
        extract_frames(truncated, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_extract_frames_refuses_an_existing_folder(tmp_path: Path) -> None:
    video = write_video(tmp_path / "v.mp4", frames=5)
    (tmp_path / "out").mkdir()
    with pytest.raises(DatasetError, match="already exists"):
        extract_frames(video, tmp_path / "out")


def test_dataset_reads_a_video_like_its_extracted_frames(tiny_root: Path, tmp_path: Path) -> None:
    config = dataclasses.replace(tiny_config(), test_short_side=48)
    videos = tiny_root / "videos_15min"
    videos.mkdir()
    write_video(videos / "vidA.mp4", frames=80)
    shutil.rmtree(tiny_root / "rawframes" / "vidA")
    mean, std = torch.tensor(config.mean), torch.tensor(config.std)
    as_pixels = lambda s: s.clip.permute(1, 2, 3, 0) * std + mean  # noqa: E731
    from_video = AVADataset(config, tiny_root, split="val")[0]
    assert frame_numbers(as_pixels(from_video)) == [29, 45, 61, 77]
    extract_frames(videos / "vidA.mp4", tiny_root / "rawframes" / "vidA", expected_frames=80)
    from_frames = AVADataset(config, tiny_root, split="val")[0]
    assert from_frames.frame_indices.tolist() == from_video.frame_indices.tolist()
    torch.testing.assert_close(from_frames.proposals, from_video.proposals)
    assert (as_pixels(from_frames) - as_pixels(from_video)).abs().max() < 4  # JPEG re-encoding
