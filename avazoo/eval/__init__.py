"""AVA evaluation: the frame-level mAP metric (numpy) and, from the model side, the Evaluator.

>>> from avazoo.eval import ava_map
>>> result = ava_map("ava_val_v2.2.csv", "results.csv", "ava_v2.2_for_activitynet_2019.pbtxt",
...                  excluded="ava_val_excluded_timestamps_v2.2.csv")   # doctest: +SKIP
>>> print(result.table())                                              # doctest: +SKIP
"""

from __future__ import annotations

from avazoo.eval.metric import ava_map
from avazoo.eval.protocols import PROTOCOLS, Protocol, get_protocol
from avazoo.eval.result import AVAResult

__all__ = ["PROTOCOLS", "AVAResult", "Evaluator", "Protocol", "ava_map", "get_protocol"]


def __getattr__(name: str) -> object:
    """``Evaluator`` (a model over a dataset, then ``ava_map``) is imported on first use, so
    that the metric itself stays numpy-only and imports without torch."""
    if name == "Evaluator":
        from avazoo.eval.evaluator import Evaluator

        return Evaluator
    raise AttributeError(f"module 'avazoo.eval' has no attribute {name!r}")
