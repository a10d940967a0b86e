"""Clip + box transforms: sizes and offsets by hand, and boxes that move exactly with the pixels.

The pixel checks draw a bright rectangle whose edges are the box, run the transform, and look at
the output pixels: those whose centres lie well inside the transformed box must still be bright,
those well outside must still be dark. The only tolerance is the bilinear blending band at the
edges (up to one input pixel, i.e. ``max(1, scale)`` output pixels).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from avazoo.data import transforms as T
from avazoo.data.pipeline import eval_pipeline, train_pipeline
from avazoo.data.synth import synthetic_data_config

CONFIG = synthetic_data_config()


def drawn(height: int, width: int, box: tuple[int, int, int, int], *, frames: int = 3):
    """Frames ``[T, H, W, 3]``: dark background, value 250 on pixel edges x1..x2, y1..y2."""
    x1, y1, x2, y2 = box
    images = torch.full((frames, height, width, 3), 5, dtype=torch.uint8)
    images[:, y1:y2, x1:x2] = 250
    return images, torch.tensor([box], dtype=torch.float32)


def assert_box_on_rectangle(frames: torch.Tensor, box: torch.Tensor, *, band: float) -> None:
    """Pixels with centres > ``band`` inside ``box`` are bright, > ``band`` outside are dark."""
    _, height, width, _ = frames.shape
    x1, y1, x2, y2 = box.tolist()
    cx = torch.arange(width, dtype=torch.float32) + 0.5
    cy = torch.arange(height, dtype=torch.float32) + 0.5
    inside_x = (cx > x1 + band) & (cx < x2 - band)
    inside_y = (cy > y1 + band) & (cy < y2 - band)
    inside = inside_y[:, None] & inside_x[None, :]
    outside_x = (cx < x1 - band) | (cx > x2 + band)
    outside_y = (cy < y1 - band) | (cy > y2 + band)
    outside = outside_y[:, None] | outside_x[None, :]
    assert inside.any() and outside.any()
    values = frames[..., 0].to(torch.int32)
    assert (values[:, inside] >= 245).all()
    assert (values[:, outside] <= 10).all()


# ----------------------------------------------------------------------------- sizes by hand


@pytest.mark.parametrize(
    ("hw", "short", "expected"),
    [
        ((256, 340), 256, (256, 340)),
        ((256, 340), 288, (288, 383)),  # 340 * 1.125 = 382.5 -> int(383.0)
        ((256, 340), 320, (320, 425)),
        ((360, 640), 256, (256, 455)),  # 640 * 256 / 360 = 455.1
        ((257, 300), 256, (256, 299)),  # 300 * 256 / 257 = 298.8
        ((168, 224), 256, (256, 341)),  # 224 * 256 / 168 = 341.33
        ((400, 300), 256, (341, 256)),  # portrait: the width is the short side
    ],
)
def test_rescaled_size(hw: tuple[int, int], short: int, expected: tuple[int, int]) -> None:
    assert T.rescaled_size(*hw, short_side=short) == expected


def test_resize_scales_boxes_per_axis() -> None:
    frames = torch.zeros(2, 100, 200, 3, dtype=torch.uint8)
    boxes = torch.tensor([[10.0, 20.0, 110.0, 90.0]])
    out, moved = T.resize(frames, boxes, size=(50, 300))
    assert out.shape == (2, 50, 300, 3)
    torch.testing.assert_close(moved, torch.tensor([[15.0, 10.0, 165.0, 45.0]]))


def test_resize_is_bilinear_half_pixel_like_pil_when_upscaling() -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(24, 32, 3), dtype=np.uint8)
    out, _ = T.resize(torch.from_numpy(image)[None], torch.zeros(0, 4), size=(57, 77))
    reference = np.asarray(Image.fromarray(image).resize((77, 57), Image.BILINEAR))
    diff = np.abs(out[0].numpy().astype(int) - reference.astype(int))
    assert diff.max() <= 1


def test_boxes_to_pixels_multiplies_by_width_and_height() -> None:
    boxes = torch.tensor([[0.1, 0.2, 0.5, 1.0]])
    torch.testing.assert_close(
        T.boxes_to_pixels(boxes, height=256, width=340),
        torch.tensor([[34.0, 51.2, 170.0, 256.0]]),
    )


# ----------------------------------------------------------------------------- crop and flip


def test_random_crop_offsets_follow_numpy_randint_exclusive() -> None:
    # MMAction2: np.random.randint(0, dim - size), the upper bound excluded.
    frames = torch.zeros(1, 300, 280, 3, dtype=torch.uint8)
    frames[0, :, :, 0] = torch.arange(280, dtype=torch.uint8)[None, :] % 251
    frames[0, :, :, 1] = (torch.arange(300)[:, None] % 251).to(torch.uint8)
    rng = np.random.default_rng(0)
    xs, ys = set(), set()
    for _ in range(3000):
        out, _ = T.random_crop(frames, torch.zeros(0, 4), size=256, rng=rng)
        xs.add(int(out[0, 0, 0, 0]))
        ys.add(int(out[0, 0, 0, 1]))
    assert xs == set(range(0, 24)) and ys == set(range(0, 44))


def test_random_crop_without_slack_has_offset_zero() -> None:
    frames = (
        torch.arange(256 * 256, dtype=torch.int64).reshape(1, 256, 256, 1).expand(1, 256, 256, 3)
    )
    out, _ = T.random_crop(frames, torch.zeros(0, 4), size=256, rng=np.random.default_rng(0))
    assert torch.equal(out, frames)


def test_random_crop_shifts_and_clips_boxes() -> None:
    frames = torch.zeros(1, 256, 300, 3, dtype=torch.uint8)
    frames[0, 0, :, 0] = torch.arange(300) % 256
    boxes = torch.tensor([[50.0, 10.0, 290.0, 250.0], [0.0, -5.0, 20.0, 300.0]])
    out, moved = T.random_crop(frames, boxes, size=256, rng=np.random.default_rng(3))
    x0 = int(out[0, 0, 0, 0])
    expected = torch.tensor(
        [[50.0 - x0, 10.0, min(290.0 - x0, 255.0), 250.0], [0.0, 0.0, max(20.0 - x0, 0.0), 255.0]]
    )
    torch.testing.assert_close(moved, expected)


def test_crop_larger_than_frames_is_an_error() -> None:
    with pytest.raises(ValueError, match="crop size 256"):
        T.random_crop(
            torch.zeros(1, 200, 300, 3, dtype=torch.uint8),
            torch.zeros(0, 4),
            size=256,
            rng=np.random.default_rng(0),
        )


def test_hflip_formula_and_pixels() -> None:
    frames, box = drawn(40, 100, (10, 5, 30, 25))
    out, moved = T.hflip(frames, box)
    torch.testing.assert_close(moved, torch.tensor([[70.0, 5.0, 90.0, 25.0]]))  # W - x2, W - x1
    assert_box_on_rectangle(out, moved[0], band=0.0)
    back, again = T.hflip(out, moved)
    assert torch.equal(back, frames) and torch.equal(again, box)


def test_random_hflip_ratio() -> None:
    rng = np.random.default_rng(0)
    frames, box = drawn(8, 8, (1, 1, 3, 3), frames=1)
    flips = [T.random_hflip(frames, box, ratio=0.5, rng=rng)[2] for _ in range(2000)]
    assert 900 < sum(flips) < 1100
    assert not any(T.random_hflip(frames, box, ratio=0.0, rng=rng)[2] for _ in range(50))


def test_normalize_values_and_layout() -> None:
    frames = torch.zeros(2, 3, 4, 3, dtype=torch.uint8)
    frames[1, 2, 3] = torch.tensor([200, 100, 50], dtype=torch.uint8)
    out = T.normalize(frames, mean=CONFIG.mean, std=CONFIG.std)
    assert out.shape == (3, 2, 3, 4) and out.dtype == torch.float32
    expected = [(200 - 123.675) / 58.395, (100 - 116.28) / 57.12, (50 - 103.53) / 57.375]
    torch.testing.assert_close(out[:, 1, 2, 3], torch.tensor(expected), rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(out[0, 0, 0, 0], torch.tensor(-123.675 / 58.395))


# ----------------------------------------------------------------------------- boxes follow pixels


@pytest.mark.parametrize("short", [256, 291, 320])
def test_rescale_moves_box_with_rectangle(short: int) -> None:
    frames, box = drawn(168, 224, (40, 30, 100, 130))
    out, moved = T.rescale_short_side(frames, box, short_side=short)
    assert_box_on_rectangle(out, moved[0], band=short / 168 + 0.5)


def test_downscale_moves_box_with_rectangle() -> None:
    frames, box = drawn(480, 640, (100, 60, 400, 300))
    out, moved = T.rescale_short_side(frames, box, short_side=256)
    assert out.shape[1:3] == (256, 341)
    assert_box_on_rectangle(out, moved[0], band=1.5)


@pytest.mark.parametrize("seed", range(12))
def test_train_pipeline_moves_box_with_rectangle(seed: int) -> None:
    frames, box = drawn(256, 340, (120, 70, 200, 190))
    normalised = box / torch.tensor([340.0, 256.0, 340.0, 256.0])
    out = train_pipeline(frames, normalised, config=CONFIG, rng=np.random.default_rng(seed))
    assert out.clip.shape == (3, 3, 256, 256) and out.img_shape == (256, 256)
    mean, std = CONFIG.mean[0], CONFIG.std[0]
    pixels = (out.clip[0] * std + mean).round().clamp(0, 255).to(torch.uint8)  # red channel
    assert_box_on_rectangle(pixels[..., None], out.boxes[0], band=2.0)


def test_train_pipeline_flips_about_half_the_time() -> None:
    frames, box = drawn(256, 340, (120, 70, 200, 190), frames=1)
    normalised = box / torch.tensor([340.0, 256.0, 340.0, 256.0])
    flips = [
        train_pipeline(frames, normalised, config=CONFIG, rng=np.random.default_rng(s)).flipped
        for s in range(60)
    ]
    assert 15 < sum(flips) < 45


def test_eval_pipeline_resizes_to_short_side_and_keeps_box() -> None:
    frames, box = drawn(168, 224, (20, 40, 90, 160))
    normalised = box / torch.tensor([224.0, 168.0, 224.0, 168.0])
    out = eval_pipeline(frames, normalised, config=CONFIG)
    assert out.img_shape == (256, 341) and not out.flipped
    torch.testing.assert_close(out.boxes / 256.0 * 168.0, box, rtol=0, atol=0.3)
    pixels = (out.clip[0] * CONFIG.std[0] + CONFIG.mean[0]).round().to(torch.uint8)
    assert_box_on_rectangle(pixels[..., None], out.boxes[0], band=2.0)
