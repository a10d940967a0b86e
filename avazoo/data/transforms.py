"""Clip + box transforms with MMAction2 0.x semantics, as plain functions over tensors.

Conventions for every function here:

- ``frames``: uint8 ``[T, H, W, 3]`` RGB (the decoders' layout). Resizing works on its
  ``[T, 3, H, W]`` channels-last view, which is what makes torch's uint8 bilinear kernel fast.
- ``boxes``: float32 ``[N, 4]`` ``(x1, y1, x2, y2)`` in pixels of the frames they go with.
  Every function returns the frames and the boxes moved with the pixels.
- Randomness comes only from the ``rng`` (a ``numpy.random.Generator``) passed in.

Resizing is bilinear with ``align_corners=False`` and no antialiasing on uint8 pixels, rounding
to uint8 as OpenCV's ``INTER_LINEAR`` (what MMAction2 uses) does; the two differ by at most 1 grey
level from fixed-point rounding.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

__all__ = [
    "boxes_to_pixels",
    "rescaled_size",
    "resize",
    "rescale_short_side",
    "random_rescale",
    "random_crop",
    "hflip",
    "random_hflip",
    "normalize",
]


def boxes_to_pixels(boxes: torch.Tensor, *, height: int, width: int) -> torch.Tensor:
    """Normalised ``[N, 4]`` boxes (0..1) to pixels: ``* (w, h, w, h)`` (``RawFrameDecode``)."""
    scale = torch.tensor([width, height, width, height], dtype=torch.float32)
    return boxes.to(torch.float32) * scale


def rescaled_size(height: int, width: int, *, short_side: int) -> tuple[int, int]:
    """``(new_h, new_w)`` with the short side at ``short_side``: ``int(x * s + 0.5)`` per axis.

    ``s = short_side / min(height, width)``, as mmcv's ``rescale_size`` with an infinite long-edge
    bound (``Resize(scale=(-1, short_side))``). Example: 340x256 to short side 288 gives 383x288.
    """
    scale = short_side / min(height, width)
    return int(height * scale + 0.5), int(width * scale + 0.5)


def resize(
    frames: torch.Tensor, boxes: torch.Tensor, *, size: tuple[int, int]
) -> tuple[torch.Tensor, torch.Tensor]:
    """Resize to ``size = (new_h, new_w)``; boxes scale by ``(new_w / w, new_h / h)`` per axis."""
    _, height, width, _ = frames.shape
    new_h, new_w = size
    if (new_h, new_w) != (height, width):
        chw = frames.permute(0, 3, 1, 2)
        out = F.interpolate(chw, size=size, mode="bilinear", align_corners=False, antialias=False)
        frames = out.permute(0, 2, 3, 1)
    factor = torch.tensor(
        [new_w / width, new_h / height, new_w / width, new_h / height], dtype=torch.float32
    )
    return frames, boxes * factor


def rescale_short_side(
    frames: torch.Tensor, boxes: torch.Tensor, *, short_side: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Resize keeping the aspect ratio so that the short side is ``short_side`` (test: 256)."""
    _, height, width, _ = frames.shape
    return resize(frames, boxes, size=rescaled_size(height, width, short_side=short_side))


def random_rescale(
    frames: torch.Tensor,
    boxes: torch.Tensor,
    *,
    scale_range: Sequence[int],
    rng: np.random.Generator,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Rescale the short side to an integer drawn uniformly from ``scale_range`` (inclusive)."""
    low, high = scale_range
    short_side = int(rng.integers(low, high + 1))
    return rescale_short_side(frames, boxes, short_side=short_side)


def random_crop(
    frames: torch.Tensor,
    boxes: torch.Tensor,
    *,
    size: int,
    rng: np.random.Generator,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Crop a ``size x size`` window at a random offset (MMAction2 ``RandomCrop``).

    Offsets follow MMAction2's ``np.random.randint(0, dim - size)`` (upper bound exclusive, so
    ``0 <= offset <= dim - size - 1``; 0 when ``dim == size``), y drawn before x. Boxes are
    shifted by the offset and clipped to ``[0, size - 1]``; they are never dropped, even when they
    become empty.
    """
    _, height, width, _ = frames.shape
    if size > height or size > width:
        raise ValueError(f"crop size {size} is larger than the frames ({height}x{width})")
    y0 = int(rng.integers(0, height - size)) if height > size else 0
    x0 = int(rng.integers(0, width - size)) if width > size else 0
    frames = frames[:, y0 : y0 + size, x0 : x0 + size]
    shifted = boxes - torch.tensor([x0, y0, x0, y0], dtype=torch.float32)
    return frames, shifted.clamp(0, size - 1)


def hflip(frames: torch.Tensor, boxes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mirror left-right: pixel column ``j`` goes to ``W - 1 - j``; boxes ``x1' = W - x2``,
    ``x2' = W - x1``."""
    width = frames.shape[2]
    flipped = torch.stack(
        [width - boxes[:, 2], boxes[:, 1], width - boxes[:, 0], boxes[:, 3]], dim=1
    )
    return frames.flip(2), flipped


def random_hflip(
    frames: torch.Tensor, boxes: torch.Tensor, *, ratio: float, rng: np.random.Generator
) -> tuple[torch.Tensor, torch.Tensor, bool]:
    """:func:`hflip` with probability ``ratio``; also returns whether it flipped."""
    if rng.random() < ratio:
        return (*hflip(frames, boxes), True)
    return frames, boxes, False


def normalize(frames: torch.Tensor, *, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """uint8 ``[T, H, W, 3]`` to the model's float32 ``[3, T, H, W]``: ``(x - mean) / std`` per RGB
    channel (multiplied by ``1 / std``, as mmcv's ``imnormalize`` does)."""
    mean_t = torch.tensor(mean, dtype=torch.float32).view(3, 1, 1, 1)
    inv_std = (1.0 / torch.tensor(std, dtype=torch.float64)).to(torch.float32).view(3, 1, 1, 1)
    out = torch.empty((3, *frames.shape[:3]), dtype=torch.float32)
    out.copy_(frames.permute(3, 0, 1, 2))  # one strided pass; the arithmetic below is in place
    return out.sub_(mean_t).mul_(inv_std)
