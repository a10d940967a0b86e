"""Reading extracted JPEG frames (``rawframes/<video_id>/img_00001.jpg``) as RGB uint8 tensors.

Two decoders ship with avazoo's own dependencies: ``"torchvision"`` (``torchvision.io.decode_jpeg``,
libjpeg-turbo) and ``"pil"`` (Pillow). Both give bit-identical pixels to each other and to the
OpenCV decoder MMAction2 uses (checked on libjpeg-turbo builds). torchvision is the default: it
decodes a 340x256 AVA frame about 1.4x faster than Pillow, as fast as simplejpeg and OpenCV
(``benchmarks/bench_data.py``). torchvision 0.29 deprecates its image decoders in favour of
TorchCodec; where ``decode_jpeg`` is gone, the default falls back to Pillow.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from avazoo.errors import DatasetError

__all__ = [
    "JPEG_BACKENDS",
    "DEFAULT_JPEG_BACKEND",
    "check_backend",
    "decode_jpeg_file",
    "RawFrameSource",
]

JPEG_BACKENDS = ("torchvision", "pil")


def _torchvision_decodes_jpeg() -> bool:
    try:
        from torchvision.io import decode_jpeg  # noqa: F401
    except ImportError:
        return False
    return True


DEFAULT_JPEG_BACKEND = "torchvision" if _torchvision_decodes_jpeg() else "pil"


def _decode_torchvision(path: Path) -> torch.Tensor:
    from torchvision.io import ImageReadMode, decode_jpeg, read_file

    with warnings.catch_warnings():  # torchvision 0.29 announces a move to TorchCodec
        warnings.simplefilter("ignore", DeprecationWarning)
        chw = decode_jpeg(read_file(str(path)), mode=ImageReadMode.RGB)
    return chw.permute(1, 2, 0)


def _decode_pil(path: Path) -> torch.Tensor:
    from PIL import Image

    with Image.open(path) as image:
        return torch.from_numpy(np.array(image.convert("RGB")))


_DECODERS = {"torchvision": _decode_torchvision, "pil": _decode_pil}


def check_backend(backend: str) -> None:
    """Raise a ``ValueError`` naming the choices when ``backend`` is not a known JPEG decoder."""
    if backend not in _DECODERS:
        raise ValueError(f"unknown JPEG backend {backend!r}; choose one of {JPEG_BACKENDS}")


def _require_frame(path: Path) -> Path:
    """``path``, or a :class:`DatasetError` saying how to get the missing frame file."""
    if not path.is_file():
        raise DatasetError(
            f"frame file {path} does not exist; extract the video's frames "
            "(`avazoo data extract-frames VIDEO DIR`) or check the data root and filename template"
        )
    return path


def decode_jpeg_file(path: str | Path, *, backend: str = DEFAULT_JPEG_BACKEND) -> torch.Tensor:
    """Decode one JPEG file to an RGB uint8 tensor ``[H, W, 3]``.

    Raises:
        DatasetError: the file is missing or is not a decodable JPEG (the message names it).
    """
    check_backend(backend)
    path = _require_frame(Path(path))
    try:
        return _DECODERS[backend](path)
    except (OSError, RuntimeError, ValueError) as err:
        raise DatasetError(
            f"cannot decode frame file {path} as JPEG ({err}); re-extract this video's frames"
        ) from err


class RawFrameSource:
    """The extracted frames of one video: ``frame_dir / filename_tmpl.format(k)``, k from 1.

    Args:
        frame_dir: the video's frame folder (``<root>/rawframes/<video_id>``).
        filename_tmpl: file name template with one integer field, e.g. ``"img_{:05}.jpg"``.
        backend: JPEG decoder, one of :data:`JPEG_BACKENDS`.
    """

    def __init__(
        self,
        frame_dir: str | Path,
        *,
        filename_tmpl: str = "img_{:05}.jpg",
        backend: str = DEFAULT_JPEG_BACKEND,
    ) -> None:
        check_backend(backend)
        self.frame_dir = Path(frame_dir)
        self.filename_tmpl = filename_tmpl
        self.backend = backend

    def path(self, index: int) -> Path:
        """The file of frame ``index`` (1-based)."""
        return self.frame_dir / self.filename_tmpl.format(int(index))

    def read(self, indices: Sequence[int] | np.ndarray) -> torch.Tensor:
        """Decode frames ``indices`` (1-based, repeats allowed) to uint8 ``[T, H, W, 3]``.

        Each distinct frame is decoded once. Raises :class:`DatasetError` naming the first missing
        or undecodable file, or frames of different sizes.
        """
        cache: dict[int, torch.Tensor] = {}
        frames = []
        for index in (int(i) for i in indices):
            if index not in cache:
                cache[index] = decode_jpeg_file(self.path(index), backend=self.backend)
            frames.append(cache[index])
        shapes = {tuple(f.shape) for f in frames}
        if len(shapes) > 1:
            raise DatasetError(
                f"frames in {self.frame_dir} have different sizes {sorted(shapes)}; "
                "re-extract the video's frames so that they all have one size"
            )
        return torch.stack(frames)

    def frame_size(self) -> tuple[int, int]:
        """``(height, width)`` of the first frame, read from the file header only."""
        from PIL import Image

        with Image.open(_require_frame(self.path(1))) as image:
            width, height = image.size
        return height, width
