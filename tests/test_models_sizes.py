"""The models are size-agnostic: at input sizes other than the reference's they agree with an
independent functional implementation (tests/_oracle.py) that is itself checked against
MMAction2's reference outputs first."""

from __future__ import annotations

import pytest
import torch

import avazoo
from tests import _oracle
from tests._reference import parity_case, rule_state_dict

TOL = {"rtol": 1e-4, "atol": 1e-4}

# (recipe, [(T, H, W), ...]) — odd sizes, other clip lengths, batch of two.
CASES = {
    "slowonly_r50_4x16_ava21": [(4, 96, 128), (6, 100, 150)],
    "slowonly_r50_nl_8x8_ava21": [(8, 112, 96)],
    "slowfast_r50_4x16_ava21_context": [(16, 96, 128), (32, 72, 136)],
    "slowfast_r50_8x8_ava22_temporal_max": [(24, 80, 112)],
    "slowfast_r50_8x8_ava21": [(32, 97, 131)],
}


def _model(name: str) -> avazoo.AVADetector:
    model = avazoo.create_model(name)
    avazoo.load_weights(model, rule_state_dict(model.recipe.seed_name))
    return model.eval()


def _rois(h: int, w: int) -> torch.Tensor:
    return torch.tensor(
        [
            [0, 4.0, 6.0, w * 0.5, h - 8.0],
            [1, w * 0.3, h * 0.2, w - 1.0, h * 0.9],
            [1, 10.5, 12.25, 30.0, 27.5],
            [0, w * 0.7, h * 0.6, w + 15.0, h + 9.0],
        ]
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_oracle_reproduces_mmaction2_reference(name):
    seed = avazoo.get_recipe(name).seed_name
    sd, facts = rule_state_dict(seed), _oracle.recipe_facts(seed)
    ref, clip = parity_case(seed)
    with torch.no_grad():
        feats = _oracle.backbone(sd, facts, clip)
        pooled, logits = _oracle.head(sd, facts, feats, ref["rois"])
    torch.testing.assert_close(feats[0].mean(dim=(0, 2, 3, 4)), ref["feat0_chanmean"], **TOL)
    torch.testing.assert_close(pooled, ref["roi_feat_pooled"], **TOL)
    torch.testing.assert_close(logits, ref["cls_score"], **TOL)


@pytest.mark.parametrize(("name", "size"), [(n, s) for n, sizes in CASES.items() for s in sizes])
def test_model_matches_oracle_at_other_sizes(name, size):
    model = _model(name)
    seed = model.recipe.seed_name
    sd, facts = rule_state_dict(seed), _oracle.recipe_facts(seed)
    t, h, w = size
    clip = torch.randn((2, 3, t, h, w), generator=torch.Generator().manual_seed(t * h + w))
    rois = _rois(h, w)
    with torch.no_grad():
        want_feats = _oracle.backbone(sd, facts, clip)
        want_pooled, want_logits = _oracle.head(sd, facts, want_feats, rois)
        feats = model.backbone(clip)
        feats = feats if isinstance(feats, tuple) else (feats,)
        for got, want in zip(feats, want_feats, strict=True):
            assert got.shape == want.shape
            torch.testing.assert_close(got, want, **TOL)
        roi_feats = model.roi_head.bbox_roi_extractor(feats if len(feats) > 1 else feats[0], rois)
        torch.testing.assert_close(model.roi_head.bbox_head.pool(roi_feats), want_pooled, **TOL)
        torch.testing.assert_close(model(clip, rois), want_logits, **TOL)
