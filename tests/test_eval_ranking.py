"""The metric's orders (packed-key sorting, score ranks, group lookup) against plain
references: np.lexsort and loops."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from avazoo.eval.ranking import descending_ranks, group_matches, keyframe_ranks, ranked_order

SCORES = st.sampled_from(
    [
        [0.5, 0.25, 0.0, -0.0, 1.0, 0.1234],  # a decimal grid, both zeros
        [0.1, 0.2, 0.30000000000000004, 1e-300, 3.0, -2.5],  # off any grid
        [902.0, 1798.0, 0.0, 3.0],  # integers (person ids)
    ]
)


@st.composite
def rows(draw) -> tuple[np.ndarray, ...]:
    n = draw(st.integers(1, 200))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = np.array(draw(SCORES))
    cls = rng.integers(0, 4, n).astype(np.int16)
    rank = rng.integers(0, 30, n).astype(np.int32)
    score = values[rng.integers(0, len(values), n)]
    tiebreak = rng.integers(0, 3, n) if draw(st.booleans()) else None
    return cls, rank, score, tiebreak


def reference_order(cls, rank, score, tiebreak, num_ranks):
    group = cls.astype(np.int64) * num_ranks + rank
    keys = [np.arange(len(cls)), np.zeros(len(cls)) if tiebreak is None else tiebreak]
    return np.lexsort([*keys, -score, group]), group


@settings(max_examples=150, deadline=None)
@given(rows(), st.sampled_from([30, 2**50]))
def test_ranked_order_is_the_stable_order_by_group_then_score(case, num_ranks):
    """num_ranks 2**50 is too wide to pack: the lexsort fallback must agree."""
    cls, rank, score, tiebreak = case
    order, group = ranked_order(cls, rank, score, tiebreak, num_ranks=num_ranks)
    expected, groups = reference_order(cls, rank, score, tiebreak, num_ranks)
    assert np.array_equal(order, expected)
    assert np.array_equal(group, groups[expected])


@settings(max_examples=100, deadline=None)
@given(rows())
def test_descending_ranks_order_and_tie_like_the_scores(case):
    score = case[2]
    ranks, bound = descending_ranks(score)
    assert ranks.min() >= 0 and ranks.max() < bound
    higher = score[:, None] > score[None, :]
    assert np.array_equal(ranks[:, None] < ranks[None, :], higher)
    assert np.array_equal(ranks[:, None] == ranks[None, :], score[:, None] == score[None, :])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 12), max_size=40).map(sorted),
    st.lists(st.integers(0, 12), max_size=60).map(sorted),
)
def test_group_matches_finds_each_detections_ground_truth(gt, det):
    gt_group, det_group = np.array(gt, dtype=np.int64), np.array(det, dtype=np.int64)
    found, start, count = group_matches(gt_group, det_group)
    expected = [i for i, g in enumerate(det) if g in gt]
    assert found.tolist() == expected
    assert start.tolist() == [gt.index(det[i]) for i in expected]
    assert count.tolist() == [gt.count(det[i]) for i in expected]


def test_keyframe_ranks_follow_first_appearance():
    ranks, count = keyframe_ranks(np.array([7, 7, 2, 9, 2, 7, 0], dtype=np.int32), 10)
    assert count == 4
    assert ranks.tolist() == [3, -1, 1, -1, -1, -1, -1, 0, -1, 2]
