"""``avazoo data synth`` and ``avazoo data extract-frames`` through the command-line entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from avazoo.cli import main
from avazoo.data.dataset import AVADataset
from avazoo.data.synth import read_synthetic_config


def test_synth_writes_a_loadable_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mini"
    code = main(["data", "synth", "--out", str(out), "--videos", "1", "--keyframes", "2"])
    assert code == 0
    assert "2 train and 2 val keyframes" in capsys.readouterr().out
    config = read_synthetic_config(out)
    assert len(AVADataset(config, out, split="val")) == 2
    assert len(AVADataset(config, out, split="train")) == 1  # its last keyframe is excluded


def test_synth_into_a_used_folder_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    assert main(["data", "synth", "--out", str(tmp_path / "used")]) == 2
    assert "already exists and is not empty" in capsys.readouterr().err


def test_extract_frames(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    av = pytest.importorskip("av")
    import numpy as np

    video = tmp_path / "clip.mkv"
    with av.open(str(video), "w") as container:
        stream = container.add_stream("mpeg4", rate=30)
        stream.width, stream.height, stream.pix_fmt = 32, 24, "yuv420p"
        for _ in range(12):
            frame = av.VideoFrame.from_ndarray(np.zeros((24, 32, 3), np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    out = tmp_path / "rawframes" / "clip"
    assert main(["data", "extract-frames", str(video), str(out), "--expected-frames", "13"]) == 2
    assert "decoded 12 frames" in capsys.readouterr().err and not out.exists()
    assert main(["data", "extract-frames", str(video), str(out), "--expected-frames", "12"]) == 0
    assert "wrote 12 frames" in capsys.readouterr().out
    assert len(list(out.iterdir())) == 12


def test_help_lists_both_actions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["data", "--help"])
    text = capsys.readouterr().out
    assert "synth" in text and "extract-frames" in text
