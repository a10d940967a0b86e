"""An independent functional forward pass of the MMAction2 AVA detectors, for any input size.

Written from the facts of shared/spec/recipes.json and the state_dict key names only (it uses
none of avazoo's modules), and following MMAction2's algorithm literally where avazoo takes a
shortcut (the RoI extractor really stretches every map to the longest T before pooling). The
tests first check it against the MMAction2 reference at 128x160, then use it at other sizes.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torchvision.ops import roi_align

from tests._reference import spec_records

Tensor = torch.Tensor


def recipe_facts(seed_name: str) -> dict:
    return next(r for r in spec_records() if r["seed_name"] == seed_name)


def _conv(sd: dict, p: str, x: Tensor, stride=(1, 1, 1), relu: bool = True) -> Tensor:
    w = sd[f"{p}.conv.weight"]
    pad = tuple((k - 1) // 2 for k in w.shape[2:])
    x = F.conv3d(x, w, sd.get(f"{p}.conv.bias"), stride, pad)
    if f"{p}.bn.weight" in sd:
        x = F.batch_norm(
            x, sd[f"{p}.bn.running_mean"], sd[f"{p}.bn.running_var"],
            sd[f"{p}.bn.weight"], sd[f"{p}.bn.bias"], False, 0.0, 1e-5,
        )
    return F.relu(x) if relu else x


def _non_local(sd: dict, p: str, x: Tensor) -> Tensor:
    n, c = x.shape[:2]
    pool = lambda t: F.max_pool3d(t, (1, 2, 2))  # noqa: E731
    g = pool(_conv(sd, f"{p}.g.0", x, relu=False)).view(n, c // 2, -1).permute(0, 2, 1)
    theta = _conv(sd, f"{p}.theta", x, relu=False).view(n, c // 2, -1).permute(0, 2, 1)
    phi = pool(_conv(sd, f"{p}.phi.0", x, relu=False)).view(n, c // 2, -1)
    weight = (theta @ phi / (c // 2) ** 0.5).softmax(dim=-1)
    y = (weight @ g).permute(0, 2, 1).reshape(n, c // 2, *x.shape[2:])
    return x + _conv(sd, f"{p}.conv_out", y, relu=False)


def _block(sd: dict, p: str, x: Tensor, stride: int) -> Tensor:
    s = (1, stride, stride)
    identity = x
    if f"{p}.downsample.conv.weight" in sd:
        identity = _conv(sd, f"{p}.downsample", x, s, relu=False)
    out = _conv(sd, f"{p}.conv2", _conv(sd, f"{p}.conv1", x), s)
    out = F.relu(_conv(sd, f"{p}.conv3", out, relu=False) + identity)
    if f"{p}.non_local_block.g.0.conv.weight" in sd:
        out = _non_local(sd, f"{p}.non_local_block", out)
    return out


def _stem(sd: dict, p: str, x: Tensor) -> Tensor:
    return F.max_pool3d(_conv(sd, f"{p}.conv1", x, (1, 2, 2)), (1, 3, 3), (1, 2, 2), (0, 1, 1))


def _stage(sd: dict, p: str, i: int, x: Tensor, strides: list[int]) -> Tensor:
    b = 0
    while f"{p}.layer{i + 1}.{b}.conv1.conv.weight" in sd:
        x = _block(sd, f"{p}.layer{i + 1}.{b}", x, strides[i] if b == 0 else 1)
        b += 1
    return x


def _lateral(sd: dict, name: str, x: Tensor, speed: int) -> Tensor:
    w = sd[f"backbone.slow_path.{name}.conv.weight"]
    return F.conv3d(x, w, None, (speed, 1, 1), ((w.shape[2] - 1) // 2, 0, 0))


def backbone(sd: dict, facts: dict, clip: Tensor) -> tuple[Tensor, ...]:
    bb = facts["backbone"]
    if bb["type"] == "ResNet3dSlowOnly":
        x = _stem(sd, "backbone", clip)
        for i in range(4):
            x = _stage(sd, "backbone", i, x, bb["spatial_strides"])
        return (x,)
    rate, speed = bb["resample_rate"], bb["speed_ratio"]
    slow = F.interpolate(clip, mode="nearest", scale_factor=(1.0 / rate, 1.0, 1.0))
    fast = F.interpolate(clip, mode="nearest", scale_factor=(1.0 / (rate // speed), 1.0, 1.0))
    slow, fast = _stem(sd, "backbone.slow_path", slow), _stem(sd, "backbone.fast_path", fast)
    slow = torch.cat((slow, _lateral(sd, "conv1_lateral", fast, speed)), dim=1)
    strides = bb["slow_pathway"]["spatial_strides"]
    for i in range(4):
        slow = _stage(sd, "backbone.slow_path", i, slow, strides)
        fast = _stage(sd, "backbone.fast_path", i, fast, bb["fast_pathway"]["spatial_strides"])
        if i < 3:
            slow = torch.cat((slow, _lateral(sd, f"layer{i + 1}_lateral", fast, speed)), dim=1)
    return (slow, fast)


def head(sd: dict, facts: dict, feats: tuple[Tensor, ...], rois: Tensor) -> tuple[Tensor, Tensor]:
    """``(input of fc_cls [K, C], logits [K, num_classes])``, literally as MMAction2 does it."""
    ext = facts["roi_extractor"]
    t_max = max(f.shape[2] for f in feats)
    if len(feats) > 1:
        feats = tuple(F.interpolate(f, (t_max, *f.shape[3:])) for f in feats)
    if ext["temporal_pool_mode"] == "max":
        feats = [f.max(dim=2, keepdim=True)[0] for f in feats]
    else:
        feats = [f.mean(dim=2, keepdim=True) for f in feats]
    fmap = torch.cat(feats, dim=1)[:, :, 0]
    roi = roi_align(fmap, rois, (8, 8), spatial_scale=1 / 16, sampling_ratio=0, aligned=True)
    if ext["with_global"]:
        roi = torch.cat((roi, F.adaptive_avg_pool2d(fmap, 8)[rois[:, 0].long()]), dim=1)
    x = F.adaptive_avg_pool3d(roi.unsqueeze(2), (1, None, None))
    pooled = F.adaptive_max_pool3d(x, (None, 1, 1)).flatten(1)
    w, b = sd["roi_head.bbox_head.fc_cls.weight"], sd["roi_head.bbox_head.fc_cls.bias"]
    return pooled, F.linear(pooled, w, b)
