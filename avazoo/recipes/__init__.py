"""The recipe registry: every published AVA model as a frozen record, found by name or alias.

Names are matched case-insensitively. ``list_models(pattern)`` filters with shell-style
wildcards (``fnmatch``) over each recipe's canonical name *and* its aliases, and always returns
canonical names: ``list_models("slowfast_focal")`` gives
``["slowfast_r50_8x8_ava22_temporal_max_focal"]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from types import MappingProxyType

from avazoo.errors import UnknownModelError
from avazoo.recipes.registry import ALL_RECIPES, CUSTOM_CLASSES_16
from avazoo.recipes.types import (
    CheckpointRef,
    DataConfig,
    Recipe,
    Results,
    Schedule,
    TrainSampling,
)

__all__ = [
    "CUSTOM_CLASSES_16",
    "RECIPES",
    "CheckpointRef",
    "DataConfig",
    "Recipe",
    "Results",
    "Schedule",
    "TrainSampling",
    "get_recipe",
    "list_models",
]


def build_lookup(recipes: Iterable[Recipe]) -> dict[str, str]:
    """Map every name and alias (lower case) to its recipe's canonical name.

    Raises:
        ValueError: a name or alias is used twice, or is not lower case.
    """
    lookup: dict[str, str] = {}
    for recipe in recipes:
        for key in (recipe.name, *recipe.aliases):
            if key != key.lower():
                raise ValueError(f"recipe name or alias {key!r} must be lower case")
            if key in lookup:
                raise ValueError(
                    f"recipe name or alias {key!r} of {recipe.name!r} is already used by "
                    f"{lookup[key]!r}; every name and alias must be unique"
                )
            lookup[key] = recipe.name
    return lookup


RECIPES: Mapping[str, Recipe] = MappingProxyType({r.name: r for r in ALL_RECIPES})
_LOOKUP: dict[str, str] = build_lookup(ALL_RECIPES)


def get_recipe(name: str) -> Recipe:
    """The recipe called ``name`` (a canonical name or an alias, any case).

    Raises:
        UnknownModelError: (a KeyError) no recipe has that name; it suggests close names.
        TypeError: ``name`` is not a string.
    """
    if not isinstance(name, str):
        raise TypeError(f"recipe name must be a str, got {type(name).__name__}: {name!r}")
    canonical = _LOOKUP.get(name.strip().lower())
    if canonical is None:
        raise UnknownModelError(name, _LOOKUP)
    return RECIPES[canonical]


def list_models(pattern: str | None = None) -> list[str]:
    """Canonical recipe names, sorted; with ``pattern``, only recipes whose name or an alias
    matches it (``fnmatch`` wildcards ``*``, ``?``, ``[...]``; case-insensitive).

    Example: ``list_models("slowfast*ava22*")`` lists the three AVA 2.2 SlowFast recipes.
    """
    if pattern is None:
        return sorted(RECIPES)
    if not isinstance(pattern, str):
        raise TypeError(f"pattern must be a str or None, got {type(pattern).__name__}")
    wanted = pattern.strip().lower()
    return sorted(
        recipe.name
        for recipe in RECIPES.values()
        if any(fnmatchcase(key, wanted) for key in (recipe.name, *recipe.aliases))
    )
