"""Pretrained detectors: ``avazoo.load``, ``convert`` to an avazoo model folder, ``push_to_hub``.

This module ties the recipes, the models and the weights I/O of :mod:`avazoo.hub` together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from avazoo.factory import HEAD_KEYS, create_model, load_weights, recipes_fitting
from avazoo.hub import download, read_checkpoint_file
from avazoo.hub.checkpoint import SAFETENSORS_SUFFIX
from avazoo.hub.digest import digest_matches, file_sha256
from avazoo.hub.download import URL_SCHEMES
from avazoo.hub.export import (
    CONFIG_FILE,
    WEIGHTS_FILE,
    ExportConfig,
    model_card,
    read_export_config,
    read_safetensors_config,
    write_export,
)
from avazoo.hub.hf import HF_PREFIX, hf_fetch, parse_hf_ref, upload_folder
from avazoo.models import AVADetector
from avazoo.recipes import Recipe, get_recipe

__all__ = ["convert", "fetch", "load", "push_to_hub"]

_CHECKPOINT_SUFFIXES = (".pth", SAFETENSORS_SUFFIX)


@dataclass(frozen=True)
class _Weights:
    """Tensors to load, the recipe they belong to, and the avazoo record beside them if any."""

    state_dict: dict[str, torch.Tensor]
    recipe: str
    config: ExportConfig | None


def load(
    name_or_ref: str | Path,
    *,
    recipe: str | None = None,
    device: str | torch.device | None = None,
    cache_dir: str | Path | None = None,
) -> AVADetector:
    """A pretrained AVA detector in eval mode.

    Args:
        name_or_ref: one of
            - a recipe name or alias (``"slowfast_temporal_max_focal"``): its official
              checkpoint, downloaded once into the cache and verified;
            - a folder written by :func:`convert` (``config.json`` + ``model.safetensors``);
            - a ``.safetensors`` file written by avazoo, or any ``.pth`` / ``.safetensors``
              checkpoint together with ``recipe=``; an http(s) URL of one works too;
            - ``"hf-hub:org/repo"`` or ``"hf-hub:org/repo@revision"``: an avazoo model folder
              on the Hugging Face Hub (its cache and ``HF_HUB_OFFLINE`` apply).
            A local folder or file of the given name takes precedence over a recipe name.
        recipe: the recipe of a checkpoint that does not record it (MMAction2 ``.pth`` files).
        device: where to put the model (default: CPU).
        cache_dir: the avazoo cache root for downloads (default ``$AVAZOO_HOME`` or
            ``~/.cache/avazoo``); for ``hf-hub:`` references, the Hugging Face cache to use.
    """
    weights = _resolve(name_or_ref, recipe=recipe, cache_dir=cache_dir)
    model = _build(weights)
    model.eval()
    return model.to(device) if device is not None else model


def fetch(
    name: str, *, pretrain: bool = False, cache_dir: str | Path | None = None, progress: bool = True
) -> Path:
    """Download a recipe's official AVA checkpoint (or, with ``pretrain=True``, the Kinetics /
    OmniSource recognition checkpoint its training starts from) into the cache; return its path.
    """
    recipe = get_recipe(name)
    ref = recipe.pretrained if pretrain else recipe.weights
    return download(ref.url, sha256=ref.sha256, cache_dir=cache_dir, progress=progress)


def convert(
    checkpoint: str | Path,
    *,
    recipe: str,
    out_dir: str | Path,
    custom_classes: Sequence[int] | None = None,
    class_names: Mapping[int, str] | None = None,
    source_url: str | None = None,
) -> Path:
    """Convert an MMAction2 checkpoint into an avazoo model folder; return the folder.

    The folder holds ``model.safetensors``, ``config.json`` and a ``README.md`` model card; it
    loads with :func:`load` and can be uploaded to the Hub as it is (:func:`push_to_hub`).

    Args:
        checkpoint: a ``.pth`` (read safely, never executing pickled code) or ``.safetensors``.
        recipe: the recipe (architecture) the checkpoint was trained with.
        out_dir: the folder to write (created if needed; its three files are replaced).
        custom_classes: the AVA ids of output columns 1.. of a checkpoint fine-tuned on a class
            subset (default: the recipe's, when the classifier has the recipe's size).
        class_names: ``{AVA id: name}`` (e.g. a label map's), restricted to the model's classes.
        source_url: where the checkpoint came from (default: the recipe's official URL when the
            file is the official checkpoint).

    Raises:
        CheckpointMismatchError: the checkpoint does not fit ``recipe``.
        ValueError: ``class_names`` lacks a name for one of the model's classes.
    """
    spec = get_recipe(recipe)
    state = read_checkpoint_file(checkpoint)
    model = _build(_Weights(state, spec.name, None), custom_classes=custom_classes)
    digest = file_sha256(checkpoint)
    official = digest_matches(digest, spec.weights.sha256)
    classes = _custom_classes(spec, model.num_classes, custom_classes)
    config = ExportConfig(
        recipe=spec.name,
        num_classes=model.num_classes,
        custom_classes=classes,
        class_names=_names_of(classes or range(1, model.num_classes), class_names),
        source_url=source_url or (spec.weights.url if official else None),
        source_sha256=digest,
    )
    description = (
        f"{spec.arch} ({spec.pretrain} pretraining), trained on AVA v{spec.ava_version}; "
        f"MMAction2 config `{spec.seed_name}`, converted by avazoo."
    )
    published = spec.results.map if official else None
    card = model_card(config, description=description, published_map=published)
    return write_export(out_dir, state, config, card=card)


def push_to_hub(
    folder: str | Path, repo_id: str, *, private: bool = False, token: str | None = None
) -> str:
    """Upload an avazoo model folder to the Hub repository ``repo_id``; return the commit URL.

    The folder is checked first: it must hold a valid ``config.json`` and ``model.safetensors``.
    """
    folder = Path(folder)
    read_export_config(folder)
    if not (folder / WEIGHTS_FILE).is_file():
        raise FileNotFoundError(f"{folder / WEIGHTS_FILE} does not exist; run `avazoo convert`")
    return upload_folder(folder, repo_id, token=token, private=private)


def _resolve(
    name_or_ref: str | Path, *, recipe: str | None, cache_dir: str | Path | None
) -> _Weights:
    text = str(name_or_ref)
    if text.startswith(HF_PREFIX):
        ref = parse_hf_ref(text)
        hf_fetch(ref, CONFIG_FILE, cache_dir=cache_dir)
        folder = hf_fetch(ref, WEIGHTS_FILE, cache_dir=cache_dir).parent
        return _from_folder(folder, recipe)
    if text.startswith(URL_SCHEMES):
        return _from_file(download(text, cache_dir=cache_dir), recipe)
    path = Path(name_or_ref).expanduser()
    if path.is_dir():
        return _from_folder(path, recipe)
    if path.is_file():
        return _from_file(path, recipe)
    if isinstance(name_or_ref, Path) or "/" in text or text.endswith(_CHECKPOINT_SUFFIXES):
        raise FileNotFoundError(f"{path} does not exist (expected a checkpoint file or folder)")
    spec = get_recipe(text)
    if recipe is not None and get_recipe(recipe).name != spec.name:
        raise ValueError(f"recipe={recipe!r} contradicts the recipe name {text!r}; drop recipe=")
    return _Weights(read_checkpoint_file(fetch(spec.name, cache_dir=cache_dir)), spec.name, None)


def _from_folder(folder: Path, recipe: str | None) -> _Weights:
    config = read_export_config(folder)
    state = read_checkpoint_file(folder / WEIGHTS_FILE)
    return _Weights(state, _agreed_recipe(config, recipe, folder / CONFIG_FILE), config)


def _from_file(path: Path, recipe: str | None) -> _Weights:
    config = read_safetensors_config(path) if path.suffix == SAFETENSORS_SUFFIX else None
    state = read_checkpoint_file(path)
    if config is not None:
        return _Weights(state, _agreed_recipe(config, recipe, path), config)
    if recipe is None:
        fits = sorted({name for name, _ in recipes_fitting(state)})
        hint = f"; its architecture fits: {', '.join(fits)}" if fits else ""
        raise ValueError(
            f"{path} does not record its recipe: pass recipe=NAME (see avazoo.list_models()){hint}"
        )
    return _Weights(state, get_recipe(recipe).name, None)


def _agreed_recipe(config: ExportConfig, recipe: str | None, origin: Path) -> str:
    if recipe is not None and get_recipe(recipe).name != config.recipe:
        raise ValueError(f"recipe={recipe!r} contradicts {origin}, which records {config.recipe!r}")
    return config.recipe


def _build(weights: _Weights, *, custom_classes: Sequence[int] | None = None) -> AVADetector:
    """A model of the weights' recipe with their classifier size, the weights loaded strictly."""
    config = weights.config
    if config is not None:
        num_classes, custom_classes = config.num_classes, config.custom_classes
    else:
        head = weights.state_dict.get(HEAD_KEYS[0])
        num_classes = head.shape[0] if head is not None else None
    model = create_model(weights.recipe, num_classes=num_classes, custom_classes=custom_classes)
    load_weights(model, weights.state_dict)
    return model


def _custom_classes(
    recipe: Recipe, num_classes: int, custom_classes: Sequence[int] | None
) -> tuple[int, ...] | None:
    if custom_classes is not None:
        return tuple(custom_classes)
    return recipe.data.custom_classes if num_classes == recipe.num_classes else None


def _names_of(ids: Sequence[int], class_names: Mapping[int, str] | None) -> dict[int, str] | None:
    if class_names is None:
        return None
    missing = [i for i in ids if i not in class_names]
    if missing:
        raise ValueError(
            f"class_names has no name for the model's class ids {missing}; pass the label map "
            "that covers every output class (e.g. ava_action_list_v2.2.pbtxt)"
        )
    return {i: class_names[i] for i in ids}
