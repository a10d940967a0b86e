"""``Evaluator``: a detector over the validation split of an ``AVADataset``, scored like MMAction2.

Test-time rules (MMAction2 0.x, RECIPES.md section 5): the dataset gives each keyframe's
proposals (``score >= min(person_det_score_thr, max score)``) in pixels of the resized clip; the
model scores every box for every class; boxes are divided by the clip's ``(W, H)`` to give [0, 1]
coordinates of the original frame (the crop undo is the identity at test time); for each class
``c >= 1`` the boxes with ``score_c > action_thr`` (strictly) become detections of class ``c``, or
of ``custom_classes[c - 1]``. Rows are written in MMAction2's order (keyframe in dataset order,
then class, then proposal) with 3 decimals, as 0.x's ``results2csv`` does, and the metric reads
that file back, so the rounding is MMAction2's too.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import torch
from torch.utils.data import DataLoader

from avazoo.data.ava_files import AVARows, write_detections_csv
from avazoo.data.collate import AVABatch, collate_samples, shape_batches
from avazoo.data.dataset import AVADataset
from avazoo.eval.protocols import get_protocol

if TYPE_CHECKING:
    from avazoo.eval import AVAResult

__all__ = ["Evaluator", "Predictor", "scores_to_detections"]


class Predictor(Protocol):
    """Anything with ``AVADetector.predict``'s signature."""

    def predict(self, clips: torch.Tensor, boxes: list[torch.Tensor]) -> list[torch.Tensor]: ...


def scores_to_detections(
    scores: np.ndarray,
    boxes: np.ndarray,
    *,
    action_thr: float,
    class_ids: Sequence[int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Detections of one keyframe, ordered by class, then box (MMAction2's ``bbox2result``).

    Args:
        scores: float ``[p, C]`` per-box class scores; column 0 (reserved) is never output.
        boxes: float ``[p, 4]`` normalised ``(x1, y1, x2, y2)``.
        action_thr: a detection needs ``score > action_thr``.
        class_ids: the ``C - 1`` class ids of columns ``1..C-1``.

    Returns:
        boxes ``[m, 4]``, class ids ``[m]`` and scores ``[m]`` of the ``m`` detections.
    """
    if len(class_ids) != scores.shape[1] - 1:
        raise ValueError(
            f"the model gives {scores.shape[1]} score columns, so {scores.shape[1] - 1} class "
            f"ids are needed, got {len(class_ids)}; check num_classes / custom_classes"
        )
    above = scores[:, 1:] > action_thr
    column, box = np.nonzero(above.T)  # class-major order
    ids = np.asarray(class_ids, dtype=np.int64)[column]
    return boxes[box], ids, scores[box, column + 1]


class Evaluator:
    """Runs ``model`` over ``dataset`` (test mode) and scores it with :func:`avazoo.eval.ava_map`.

    Args:
        model: an ``AVADetector`` or any object with its ``predict(clips, boxes)``.
        dataset: an :class:`AVADataset` in test mode (``split="val"``).
        batch_size: keyframes per forward pass (clips of one frame size only).
        device: where the model runs; defaults to the model's device (CPU if it has none).
        num_workers: DataLoader worker processes decoding frames.
        progress: show a progress bar.
        protocol: the metric protocol (default ``"mmaction2-0.x"``, the seed table's).
        decimals: digits written in the detections CSV: 3 (MMAction2 0.x) or 4 (1.x).
    """

    def __init__(
        self,
        model: Predictor,
        dataset: AVADataset,
        *,
        batch_size: int = 1,
        device: torch.device | str | None = None,
        num_workers: int = 0,
        progress: bool = True,
        protocol: str = "mmaction2-0.x",
        decimals: int = 3,
    ) -> None:
        if not dataset.test_mode:
            raise ValueError(
                "the Evaluator needs a test-mode dataset (split='val'); "
                "training augmentation would move the boxes"
            )
        get_protocol(protocol)  # an unknown name fails now, not after the whole inference run
        self.model = model
        self.dataset = dataset
        self.batch_size = batch_size
        self.device = torch.device(device) if device is not None else _model_device(model)
        self.num_workers = num_workers
        self.progress = progress
        self.protocol = protocol
        self.decimals = decimals

    def _loader(self) -> DataLoader:
        return DataLoader(
            self.dataset,
            batch_sampler=shape_batches(self.dataset, batch_size=self.batch_size),
            num_workers=self.num_workers,
            collate_fn=collate_samples,
            pin_memory=self.device.type == "cuda",
        )

    def _class_ids(self) -> list[int]:
        config = self.dataset.config
        if config.custom_classes is not None:
            return list(config.custom_classes)
        return list(range(1, config.num_classes))

    def detect(self) -> AVARows:
        """Run the model over every keyframe; the detections, with original class ids."""
        from tqdm.auto import tqdm

        columns: dict[str, list] = {k: [] for k in ("video", "time", "box", "id", "score")}
        class_ids = self._class_ids()
        thr = self.dataset.config.action_thr
        if isinstance(self.model, torch.nn.Module):
            self.model.to(self.device)
        with _eval_mode(self.model), torch.inference_mode():
            loader = self._loader()
            for batch in tqdm(loader, desc="evaluate", unit="batch", disable=not self.progress):
                batch = batch.to(self.device, non_blocking=True)
                scores = self.model.predict(batch.clips, batch.proposals)
                for sample, boxes, score in zip(
                    batch.samples, _normalised_boxes(batch), scores, strict=True
                ):
                    box, ids, kept = scores_to_detections(
                        score.float().cpu().numpy(), boxes, action_thr=thr, class_ids=class_ids
                    )
                    columns["video"] += [sample.video_id] * len(ids)
                    columns["time"] += [sample.timestamp] * len(ids)
                    columns["box"].append(box)
                    columns["id"].append(ids)
                    columns["score"].append(kept)
        return AVARows.from_arrays(
            video_id=columns["video"],
            timestamp=np.asarray(columns["time"], dtype=np.int64),
            boxes=_concat(columns["box"], (0, 4)),
            action_id=_concat(columns["id"], (0,)),
            score=_concat(columns["score"], (0,)),
        )

    def evaluate(self, *, out_file: str | Path | None = None) -> AVAResult:
        """Detect, write the detections CSV (to ``out_file`` if given) and score it."""
        from avazoo.eval import ava_map

        detections = self.detect()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(out_file) if out_file is not None else Path(tmp) / "detections.csv"
            write_detections_csv(path, detections, decimals=self.decimals)
            return ava_map(
                self.dataset.ann_file,
                path,
                self.dataset.label_file,
                excluded=self.dataset.exclude_file,
                custom_classes=self.dataset.config.custom_classes,
                protocol=self.protocol,
            )


def _normalised_boxes(batch: AVABatch) -> list[np.ndarray]:
    """Each clip's proposals divided by its ``(W, H, W, H)``: float32 ``[p, 4]`` in [0, 1]."""
    out = []
    for sample in batch.samples:
        height, width = sample.img_shape
        scale = torch.tensor([width, height, width, height], dtype=torch.float32)
        out.append((sample.proposals / scale).numpy())
    return out


def _concat(parts: list[np.ndarray], empty_shape: tuple[int, ...]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(empty_shape)


def _model_device(model: Predictor) -> torch.device:
    if isinstance(model, torch.nn.Module):
        for tensor in (*model.parameters(), *model.buffers()):
            return tensor.device
    return torch.device("cpu")


@contextmanager
def _eval_mode(model: object) -> Iterator[None]:
    """Put an ``nn.Module`` in eval mode for a block, then restore its previous mode."""
    if not isinstance(model, torch.nn.Module):
        yield
        return
    was_training = model.training
    model.eval()
    try:
        yield
    finally:
        model.train(was_training)
