"""The result of an AVA evaluation: mAP, per-class APs, group means, counts, and a table."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["GROUPS", "AVAResult", "group_of", "nanmean"]

GROUPS = ("person_movement", "object_manipulation", "person_interaction")
"""AVA's three action groups: ids <= 14, 15..63, >= 64."""


def group_of(class_id: int) -> str:
    """The AVA group of a class id."""
    if class_id <= 14:
        return GROUPS[0]
    return GROUPS[1] if class_id < 64 else GROUPS[2]


def nanmean(values: list[float]) -> float:
    """``np.nanmean`` without its warning: NaN when no value is a number."""
    array = np.asarray(values, dtype=np.float64)
    return float(np.nanmean(array)) if (~np.isnan(array)).any() else float("nan")


@dataclass(frozen=True)
class AVAResult:
    """Frame-level AVA mAP at IoU 0.5 and its parts.

    Attributes:
        protocol: the protocol that produced it (see :data:`avazoo.eval.PROTOCOLS`).
        map: mean AP over the classes in the mean, a fraction in [0, 1] (NaN if none).
        per_class: ``{class id: AP}`` for the classes the protocol reports, in id order; NaN
            where a class has detections but no ground truth (left out of the mean).
        person_movement, object_manipulation, person_interaction: means over the groups.
        class_names: ``{class id: name}`` of every evaluated class.
        num_gt: ``{class id: npos}`` for classes with ground truth, counted the protocol's way.
        num_detections: ``{class id: detections evaluated}`` for classes in ``per_class``.
        num_true_positives: ``{class id: true positives}`` for classes in ``per_class``.
    """

    protocol: str
    map: float
    per_class: dict[int, float]
    person_movement: float
    object_manipulation: float
    person_interaction: float
    class_names: dict[int, str]
    num_gt: dict[int, int]
    num_detections: dict[int, int]
    num_true_positives: dict[int, int]

    @property
    def classes_in_map(self) -> tuple[int, ...]:
        """The class ids averaged into :attr:`map`."""
        return tuple(c for c, ap in self.per_class.items() if not math.isnan(ap))

    @property
    def group_map(self) -> dict[str, float]:
        """The three group means by name."""
        return {name: getattr(self, name) for name in GROUPS}

    def to_dict(self) -> dict:
        """A JSON-ready dict (NaN becomes None; class ids become strings)."""

        def clean(value: float) -> float | None:
            return None if math.isnan(value) else value

        return {
            "protocol": self.protocol,
            "mAP": clean(self.map),
            "group_mAP": {k: clean(v) for k, v in self.group_map.items()},
            "per_class_AP": {str(c): clean(ap) for c, ap in self.per_class.items()},
            "classes_in_mAP": list(self.classes_in_map),
            "class_names": {str(c): n for c, n in self.class_names.items()},
            "num_gt": {str(c): n for c, n in self.num_gt.items()},
            "num_evaluated_detections": {str(c): n for c, n in self.num_detections.items()},
            "num_true_positives": {str(c): n for c, n in self.num_true_positives.items()},
        }

    def table(self) -> str:
        """A readable per-class table followed by the group means and the mAP."""
        width = max([len(n) for n in self.class_names.values()] + [len("class")])
        lines = [f"{'id':>3}  {'class':<{width}}  {'AP':>7}  {'npos':>6}  {'dets':>8}  {'TP':>6}"]
        for class_id, ap in self.per_class.items():
            shown = "    n/a" if math.isnan(ap) else f"{100 * ap:7.2f}"
            lines.append(
                f"{class_id:>3}  {self.class_names.get(class_id, ''):<{width}}  {shown}  "
                f"{self.num_gt.get(class_id, 0):>6}  {self.num_detections.get(class_id, 0):>8}"
                f"  {self.num_true_positives.get(class_id, 0):>6}"
            )
        lines.append("")
        for name, value in self.group_map.items():
            lines.append(f"{name.replace('_', ' ')} mAP: {_percent(value)}")
        lines.append(
            f"mAP@0.5IoU ({self.protocol}): {_percent(self.map)} over "
            f"{len(self.classes_in_map)} classes"
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def _percent(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{100 * value:.2f}%  ({value:.6f})"
