"""Outputs equal MMAction2's on the shared parity cases, with weights loaded from a checkpoint.

The deterministic weights of shared/reference/README.md are wrapped as an MMAction2
checkpoint (``{"state_dict", "meta"}``), saved as ``.pth`` and read back through
``avazoo.hub.load_state_dict``; tolerances are the README's recommended ones.
"""

from __future__ import annotations

import pytest
import torch

import avazoo
from avazoo.hub import load_state_dict
from tests._reference import parity_case, rule_state_dict

TOL = {"rtol": 1e-4, "atol": 1e-4}


@pytest.fixture(scope="module")
def checkpoint_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("checkpoints")


def load_reference_model(name: str, folder) -> avazoo.AVADetector:
    recipe = avazoo.get_recipe(name)
    path = folder / f"{recipe.seed_name}.pth"
    state = rule_state_dict(recipe.seed_name)
    torch.save({"state_dict": state, "meta": {"mmaction_version": "0.24.1"}}, path)
    model = avazoo.create_model(name)
    avazoo.load_weights(model, load_state_dict(path))
    return model.eval()


@pytest.mark.parametrize("name", avazoo.list_models())
def test_outputs_match_mmaction2(name, checkpoint_dir):
    model = load_reference_model(name, checkpoint_dir)
    ref, clip = parity_case(model.recipe.seed_name)
    assert clip.shape[2] == model.recipe.model.clip_len
    rois = ref["rois"]
    with torch.no_grad():
        feats = model.backbone(clip)
        maps = feats if isinstance(feats, tuple) else (feats,)
        assert len(maps) == len([k for k in ref if k.endswith("_chanmean")])
        for k, fmap in enumerate(maps):
            torch.testing.assert_close(fmap.mean(dim=(0, 2, 3, 4)), ref[f"feat{k}_chanmean"], **TOL)
            if f"feat{k}_sub" in ref:
                torch.testing.assert_close(fmap[:, 0::4], ref[f"feat{k}_sub"], **TOL)
        roi_feats = model.roi_head.bbox_roi_extractor(feats, rois)
        if "roi_feats_sub" in ref:
            torch.testing.assert_close(roi_feats[:, 0::16], ref["roi_feats_sub"], **TOL)
        pooled = model.roi_head.bbox_head.pool(roi_feats)
        torch.testing.assert_close(pooled, ref["roi_feat_pooled"], **TOL)
        logits = model(clip, rois)
        torch.testing.assert_close(logits, ref["cls_score"], **TOL)
    scores = model.predict(clip, [rois[:, 1:]])
    assert len(scores) == 1
    torch.testing.assert_close(scores[0], ref["scores"], **TOL)
