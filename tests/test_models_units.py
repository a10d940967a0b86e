"""Hand-computed checks of the loss, the RoI extractor's temporal stretch, and the API edges."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

import avazoo
from avazoo.models import RoIExtractor3d, RoIHeadConfig, ava_action_loss, boxes_to_rois


def _bce(z: float, y: float) -> float:
    p = 1 / (1 + math.exp(-z))
    return -(y * math.log(p) + (1 - y) * math.log(1 - p))


def test_loss_drops_class_zero_and_negative_rois():
    logits = torch.tensor([[5.0, 0.5, -1.0], [9.0, 2.0, 3.0], [-3.0, 0.0, 1.0]])
    targets = torch.tensor([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    # Row 1 has only class 0 set: it is a negative and leaves the loss; column 0 is ignored.
    terms = [_bce(0.5, 1), _bce(-1.0, 0), _bce(0.0, 0), _bce(1.0, 1)]
    got = ava_action_loss(logits, targets)
    assert got.item() == pytest.approx(sum(terms) / 4, rel=1e-6)


def test_focal_loss_matches_formula():
    logits = torch.tensor([[0.0, 2.0, -0.5]])
    targets = torch.tensor([[0.0, 1.0, 1.0]])
    alpha, gamma = 3.0, 1.0
    terms = []
    for z in (2.0, -0.5):
        b = _bce(z, 1)
        terms.append(alpha * (1 - math.exp(-b)) ** gamma * b)
    got = ava_action_loss(logits, targets, focal_alpha=alpha, focal_gamma=gamma)
    assert got.item() == pytest.approx(sum(terms) / 2, rel=1e-6)


def test_loss_without_positive_rois_is_zero_with_gradient():
    logits = torch.randn(4, 5, requires_grad=True)
    loss = ava_action_loss(logits, torch.zeros(4, 5))
    loss.backward()
    assert loss.item() == 0.0
    assert logits.grad is not None


@pytest.mark.parametrize("mode", ["avg", "max"])
def test_extractor_stretch_equals_nearest_interpolation(mode):
    """Maps of T=3 and T=8: MMAction2 stretches the short one by nearest resizing first."""
    gen = torch.Generator().manual_seed(0)
    a, b = torch.randn(1, 4, 3, 6, 6, generator=gen), torch.randn(1, 2, 8, 6, 6, generator=gen)
    extractor = RoIExtractor3d(RoIHeadConfig(in_channels=6, temporal_pool_mode=mode))
    stretched = F.interpolate(a, (8, 6, 6))
    pool = (lambda x: x.amax(2)) if mode == "max" else (lambda x: x.mean(2))
    want = torch.cat((pool(stretched), pool(b)), dim=1)
    torch.testing.assert_close(extractor.pool_time((a, b)), want, rtol=1e-6, atol=1e-6)


def test_boxes_to_rois_numbers_clips():
    rois = boxes_to_rois([torch.ones(2, 4), torch.zeros(0, 4), 2 * torch.ones(1, 4)])
    assert rois[:, 0].tolist() == [0, 0, 2]
    assert rois[2, 1:].tolist() == [2, 2, 2, 2]


def test_custom_classes_resize_the_classifier():
    model = avazoo.create_model("slowonly_r50", custom_classes=[3, 6, 10])
    assert model.roi_head.bbox_head.fc_cls.weight.shape == (4, 2048)
    with pytest.raises(ValueError, match="contradicts"):
        avazoo.create_model("slowonly_r50", custom_classes=[3, 6], num_classes=5)
    with pytest.raises(ValueError, match="reserved"):
        avazoo.create_model("slowonly_r50", custom_classes=[0, 6])


def test_wrong_checkpoint_names_fitting_recipes(tmp_path):
    slowfast = avazoo.create_model("slowfast_r50_8x8_ava22")
    target = avazoo.create_model("slowonly_r50")
    with pytest.raises(avazoo.CheckpointMismatchError) as err:
        avazoo.load_weights(target, slowfast.state_dict())
    message = str(err.value)
    assert "missing keys: backbone.conv1.conv.weight" in message
    assert "unexpected keys: backbone.slow_path.conv1.conv.weight" in message
    for fitting in ("slowfast_r50_8x8_ava21", "slowfast_r50_8x8_ava22_temporal_max_focal"):
        assert fitting in message
    assert "slowfast_r50_4x16_ava21 (" not in message  # fusion kernel 5: does not fit


def test_predict_checks_box_lists():
    model = avazoo.create_model("slowonly_r50").eval()
    with pytest.raises(ValueError, match="2 clips but 1 box lists"):
        model.predict(torch.zeros(2, 3, 4, 64, 64), [torch.zeros(1, 4)])
