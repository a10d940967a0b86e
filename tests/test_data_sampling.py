"""Frame indices of a keyframe's clip, against values worked out by hand from RECIPES.md §3.

centre = 30 * (t - 900) + 1; start = centre - (clip_len // 2) * interval;
indices start + k * interval; train jitter per index in [floor(-interval / 2),
(interval + 1) // 2); clip to [0, 26999]; file number = index + start_index.
"""

from __future__ import annotations

import numpy as np
import pytest

from avazoo.data.sampling import FIRST_FRAME, clip_frame_indices, jitter_bounds, keyframe_index


def test_keyframe_index_examples_from_recipes_md() -> None:
    assert keyframe_index(902, fps=30, timestamp_start=900) == 61
    assert keyframe_index(1350, fps=30, timestamp_start=900) == 13501
    assert keyframe_index(1798, fps=30, timestamp_start=900) == 26941


# (timestamp, clip_len, interval) -> indices, computed by hand.
HAND = {
    # start of a video: t = 902, centre 61
    (902, 32, 2): list(range(29, 92, 2)),  # 29, 31, ..., 91 (RECIPES.md example)
    (902, 4, 16): [29, 45, 61, 77],
    (902, 8, 8): [29, 37, 45, 53, 61, 69, 77, 85],
    # middle: t = 1350, centre 13501
    (1350, 4, 16): [13469, 13485, 13501, 13517],
    (1350, 8, 8): [13469, 13477, 13485, 13493, 13501, 13509, 13517, 13525],
    # end: t = 1798, centre 26941
    (1798, 32, 2): list(range(26909, 26972, 2)),  # 26909 .. 26971
    (1798, 4, 16): [26909, 26925, 26941, 26957],
}


@pytest.mark.parametrize(("key", "expected"), HAND.items(), ids=[str(k) for k in HAND])
def test_test_mode_indices(key: tuple[int, int, int], expected: list[int]) -> None:
    t, clip_len, interval = key
    got = clip_frame_indices(t, clip_len=clip_len, frame_interval=interval)
    assert got.tolist() == expected
    assert got[clip_len // 2] == keyframe_index(t, fps=30, timestamp_start=900)


def test_start_index_is_added_after_clipping() -> None:
    got = clip_frame_indices(902, clip_len=4, frame_interval=16, start_index=1)
    assert got.tolist() == [30, 46, 62, 78]


@pytest.mark.parametrize(
    ("interval", "low", "high"), [(1, -1, 1), (2, -1, 1), (8, -4, 4), (16, -8, 8), (5, -3, 3)]
)
def test_jitter_bounds(interval: int, low: int, high: int) -> None:
    assert jitter_bounds(interval) == (low, high)


@pytest.mark.parametrize(("clip_len", "interval"), [(32, 2), (4, 16), (8, 8)])
@pytest.mark.parametrize("t", [902, 1350, 1798])
def test_train_jitter_stays_in_range_and_covers_it(clip_len: int, interval: int, t: int) -> None:
    base = clip_frame_indices(t, clip_len=clip_len, frame_interval=interval)
    low, high = -(interval // 2), (interval + 1) // 2  # by hand: {-1,0}, {-8..7}, {-4..3}
    seen: set[int] = set()
    rng = np.random.default_rng(0)
    for _ in range(200):
        offsets = clip_frame_indices(t, clip_len=clip_len, frame_interval=interval, rng=rng) - base
        assert offsets.min() >= low and offsets.max() < high
        seen.update(offsets.tolist())
    assert seen == set(range(low, high))


def test_jitter_is_drawn_per_index() -> None:
    rng = np.random.default_rng(1)
    offsets = clip_frame_indices(902, clip_len=32, frame_interval=2, rng=rng) - np.arange(29, 92, 2)
    assert len(set(offsets.tolist())) == 2  # independent draws: both -1 and 0 among 32 indices


def test_same_generator_state_gives_same_clip() -> None:
    a = clip_frame_indices(1000, clip_len=8, frame_interval=8, rng=np.random.default_rng(7))
    b = clip_frame_indices(1000, clip_len=8, frame_interval=8, rng=np.random.default_rng(7))
    assert a.tolist() == b.tolist()


def test_clipping_at_the_end_of_the_shot() -> None:
    # t = 1800: centre 27001, start 26969; the shot ends at index 26999 (27000 frames).
    got = clip_frame_indices(1800, clip_len=32, frame_interval=2)
    expected = [min(26969 + 2 * k, 26999) for k in range(32)]
    assert got.tolist() == expected
    assert got[-1] == 26999 and got[14] == 26997


def test_clipping_at_the_start_reads_the_first_frame() -> None:
    # t = 900: centre 1, start -31; MMAction2 would clip to 0 and read img_00000.jpg (absent).
    got = clip_frame_indices(900, clip_len=32, frame_interval=2)
    expected = [max(-31 + 2 * k, FIRST_FRAME) for k in range(32)]
    assert got.tolist() == expected
    assert got[0] == 1 and got[16] == 1 and got[17] == 3


def test_invalid_lengths_are_rejected() -> None:
    with pytest.raises(ValueError, match="clip_len"):
        clip_frame_indices(902, clip_len=0, frame_interval=2)
