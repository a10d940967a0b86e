"""Every recipe's model has exactly the state_dict layout of the official MMAction2 checkpoints."""

from __future__ import annotations

import pytest

import avazoo
from tests._reference import read_manifest, summary

RECIPE_NAMES = avazoo.list_models()


def test_all_fourteen_recipes_are_registered():
    assert len(RECIPE_NAMES) == 14
    seeds = {avazoo.get_recipe(n).seed_name for n in RECIPE_NAMES}
    assert seeds == set(summary()["configs"])


@pytest.mark.parametrize("name", RECIPE_NAMES)
def test_state_dict_matches_manifest(name):
    recipe = avazoo.get_recipe(name)
    state = avazoo.create_model(name).state_dict()
    rows = read_manifest(recipe.seed_name)
    assert list(state) == [key for key, _, _ in rows], "keys or their order differ"
    for key, shape, dtype in rows:
        assert tuple(state[key].shape) == shape, key
        assert str(state[key].dtype).removeprefix("torch.") == dtype, key


@pytest.mark.parametrize("name", RECIPE_NAMES)
def test_parameter_counts_match_mmaction2(name):
    recipe = avazoo.get_recipe(name)
    model = avazoo.create_model(name)
    facts = summary()["configs"][recipe.seed_name]
    assert sum(p.numel() for p in model.parameters()) == facts["total_parameters"]
    assert sum(p.numel() for p in model.backbone.parameters()) == facts["backbone_parameters"]
    assert sum(p.numel() for p in model.roi_head.parameters()) == facts["head_parameters"]
