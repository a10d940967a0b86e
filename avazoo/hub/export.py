"""The avazoo model folder: ``model.safetensors`` + ``config.json`` + a ``README.md`` model card.

The folder loads with ``avazoo.load(folder)`` and can be uploaded to the Hugging Face Hub as it
is. ``config.json`` (format ``avazoo-v1``)::

    {"format": "avazoo-v1", "recipe": "slowonly_r50_4x16_ava21", "num_classes": 81,
     "custom_classes": null,                 # or the AVA ids of output columns 1.., e.g. [3, 6]
     "class_names": null,                    # or {"<AVA id>": "<name>"} when a label map was given
     "source": {"url": "https://...pth", "sha256": "<full digest of the converted file>"}}

The same record is stored in the safetensors header (metadata key ``avazoo``), so a lone
``model.safetensors`` file still says which recipe it belongs to.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from avazoo.atomic import atomic_path, write_text_atomic
from avazoo.errors import DataFormatError

__all__ = [
    "CARD_FILE",
    "CONFIG_FILE",
    "EXPORT_FORMAT",
    "WEIGHTS_FILE",
    "ExportConfig",
    "model_card",
    "read_export_config",
    "read_safetensors_config",
    "save_safetensors",
    "write_export",
]

EXPORT_FORMAT = "avazoo-v1"
WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
CARD_FILE = "README.md"
_METADATA_KEY = "avazoo"


@dataclass(frozen=True)
class ExportConfig:
    """What ``config.json`` records about the weights beside it.

    Attributes:
        recipe: the canonical recipe name (the architecture).
        num_classes: rows of ``roi_head.bbox_head.fc_cls.weight`` (classes + background).
        custom_classes: the AVA ids of output columns 1.. when trained on a subset, else None.
        class_names: ``{AVA id: name}`` when known, else None.
        source_url: where the converted checkpoint came from, if known.
        source_sha256: the full sha256 of the converted checkpoint file.
    """

    recipe: str
    num_classes: int
    custom_classes: tuple[int, ...] | None = None
    class_names: Mapping[int, str] | None = None
    source_url: str | None = None
    source_sha256: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "format": EXPORT_FORMAT,
            "recipe": self.recipe,
            "num_classes": self.num_classes,
            "custom_classes": list(self.custom_classes) if self.custom_classes else None,
            "class_names": (
                {str(k): v for k, v in sorted(self.class_names.items())}
                if self.class_names
                else None
            ),
            "source": {"url": self.source_url, "sha256": self.source_sha256},
        }

    @classmethod
    def from_json(cls, data: object, *, origin: str | Path) -> ExportConfig:
        """Parse a ``config.json`` record; ``origin`` names its file in error messages."""
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise DataFormatError(
                origin,
                None,
                f'expected a JSON object with "format": "{EXPORT_FORMAT}" '
                "(as written by `avazoo convert`)",
            )
        source = data.get("source") or {}
        try:
            return cls(
                recipe=_typed(data, "recipe", str),
                num_classes=_typed(data, "num_classes", int),
                custom_classes=_int_tuple(data.get("custom_classes")),
                class_names=_class_names(data.get("class_names")),
                source_url=source.get("url"),
                source_sha256=source.get("sha256"),
            )
        except (TypeError, ValueError, AttributeError) as err:
            raise DataFormatError(origin, None, f"invalid avazoo config: {err}") from None


def _typed(data: dict, key: str, kind: type) -> object:
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f'"{key}" must be a {kind.__name__}, got {value!r}')
    return value


def _int_tuple(value: object) -> tuple[int, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(type(v) is int for v in value):
        raise TypeError(f'"custom_classes" must be null or a list of ints, got {value!r}')
    return tuple(value)


def _class_names(value: object) -> dict[int, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise TypeError(f'"class_names" must be null or {{"<id>": "<name>"}}, got {value!r}')
    return {int(k): v for k, v in value.items()}


def save_safetensors(
    state_dict: Mapping[str, torch.Tensor], path: str | Path, *, config: ExportConfig
) -> None:
    """Write ``state_dict`` to ``path`` atomically, with ``config`` in the header metadata."""
    tensors = {key: value.detach().cpu().contiguous() for key, value in state_dict.items()}
    metadata = {"format": "pt", _METADATA_KEY: json.dumps(config.to_json())}
    with atomic_path(path) as temporary:
        save_file(tensors, str(temporary), metadata=metadata)


def read_safetensors_config(path: str | Path) -> ExportConfig | None:
    """The :class:`ExportConfig` in a ``.safetensors`` header; None if avazoo did not write it."""
    try:
        with safe_open(str(path), framework="pt") as file:
            metadata = file.metadata() or {}
    except SafetensorError as err:
        raise DataFormatError(path, None, f"not a readable safetensors file ({err})") from None
    if _METADATA_KEY not in metadata:
        return None
    try:
        record = json.loads(metadata[_METADATA_KEY])
    except json.JSONDecodeError as err:
        raise DataFormatError(path, None, f"the avazoo header record is not JSON ({err})") from None
    return ExportConfig.from_json(record, origin=path)


def write_export(
    folder: str | Path,
    state_dict: Mapping[str, torch.Tensor],
    config: ExportConfig,
    *,
    card: str,
) -> Path:
    """Write the weights, ``config.json`` and the model card ``card`` into ``folder``."""
    folder = Path(folder)
    save_safetensors(state_dict, folder / WEIGHTS_FILE, config=config)
    write_text_atomic(folder / CONFIG_FILE, json.dumps(config.to_json(), indent=2) + "\n")
    write_text_atomic(folder / CARD_FILE, card)
    return folder


def read_export_config(folder: str | Path) -> ExportConfig:
    """Read ``config.json`` of an avazoo model folder."""
    path = Path(folder) / CONFIG_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist: an avazoo model folder holds {CONFIG_FILE} and "
            f"{WEIGHTS_FILE} (written by `avazoo convert`)"
        )
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise DataFormatError(path, err.lineno, f"invalid JSON: {err.msg}") from None
    return ExportConfig.from_json(record, origin=path)


def model_card(config: ExportConfig, *, description: str, published_map: float | None) -> str:
    """A Hugging Face model card (README.md) for a converted checkpoint.

    Args:
        description: one line on the architecture and data, e.g. from the recipe.
        published_map: the published frame-mAP@0.5IoU in percent when the weights are the
            official checkpoint, else None.
    """
    classes = (
        f"{len(config.custom_classes)} custom AVA classes {list(config.custom_classes)}"
        if config.custom_classes
        else f"{config.num_classes - 1} AVA classes"
    )
    accuracy = (
        f"{published_map} (published for the official checkpoint)"
        if published_map is not None
        else "not published (these are not the official weights)"
    )
    rows = [
        ("recipe", f"`{config.recipe}`"),
        ("classes", f"{classes}; output column 0 is background"),
        ("frame-mAP@0.5IoU (%)", accuracy),
        ("converted from", config.source_url or "a local checkpoint file"),
        ("source sha256", f"`{config.source_sha256}`"),
    ]
    table = "\n".join(f"| {name} | {value} |" for name, value in rows)
    return (
        "---\nlibrary_name: avazoo\ntags:\n- video\n- action-detection\n- ava\n---\n\n"
        f"# {config.recipe}\n\n{description}\n\n| | |\n|---|---|\n{table}\n\n"
        "## Use\n\n```python\nimport avazoo\n\n"
        'model = avazoo.load("hf-hub:<org>/<repo>")  # or avazoo.load("<this folder>")\n'
        "scores = model.predict(clips, boxes)  # per box, per class, in [0, 1]\n```\n"
    )
