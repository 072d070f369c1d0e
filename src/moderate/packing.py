"""Saving gradient-boosted models compactly.

A fitted ``HistGradientBoostingClassifier`` keeps each tree as a ``TreePredictor`` holding three
small arrays, and skops writes every array as a file of its own in the model's zip: the page
splitter (three boosters of 100 rounds x 8 classes, plus its segmenter) held 5,959 arrays and
took 1.8 s to load, most of it opening them. :class:`PackedTrees` holds all the trees of one
model in three arrays (plus their sizes); estimators that own boosters pack them in
``__getstate__`` (:func:`pack_state`) and unpack them in ``__setstate__`` (:func:`unpack_boosters`).
The trees, and so every prediction, are the same.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np


class PackedTrees:
    """The ``_predictors`` of a fitted histogram gradient boosting model, in a few arrays."""

    def __init__(self, predictors: list[list[Any]] | None = None) -> None:
        predictors = predictors or []
        flat = [tree for per_iteration in predictors for tree in per_iteration]
        self.shape = np.array([len(predictors), len(predictors[0]) if predictors else 0], dtype=np.int64)
        self.node_counts = np.array([len(t.nodes) for t in flat], dtype=np.int64)
        self.binned_counts = np.array([len(t.binned_left_cat_bitsets) for t in flat], dtype=np.int64)
        self.raw_counts = np.array([len(t.raw_left_cat_bitsets) for t in flat], dtype=np.int64)
        self.nodes = _concat([t.nodes for t in flat])
        self.binned = _concat([t.binned_left_cat_bitsets for t in flat])
        self.raw = _concat([t.raw_left_cat_bitsets for t in flat])

    def unpack(self) -> list[list[Any]]:
        from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor

        if self.nodes is None:
            return []
        nodes = np.split(self.nodes, np.cumsum(self.node_counts)[:-1])
        binned = np.split(self.binned, np.cumsum(self.binned_counts)[:-1])
        raw = np.split(self.raw, np.cumsum(self.raw_counts)[:-1])
        trees = [TreePredictor(n, b, r) for n, b, r in zip(nodes, binned, raw)]
        iterations, per_iteration = (int(v) for v in self.shape)
        return [trees[i * per_iteration:(i + 1) * per_iteration] for i in range(iterations)]


def _concat(arrays: list[np.ndarray]) -> np.ndarray | None:
    return np.ascontiguousarray(np.concatenate(arrays)) if arrays else None


def _is_booster(value: Any) -> bool:
    return isinstance(getattr(value, "_predictors", None), list) and hasattr(value, "_bin_mapper")


def pack_state(state: dict[str, Any]) -> dict[str, Any]:
    """``state`` (an estimator's ``__dict__`` or ``__getstate__()``) with every fitted booster among
    its values, directly or in a list, replaced by a shallow copy whose trees are packed."""
    def packed(value: Any) -> Any:
        if _is_booster(value):
            value = copy.copy(value)
            value._predictors = PackedTrees(value._predictors)
        return value

    out = dict(state)
    for key, value in state.items():
        if isinstance(value, list):
            out[key] = [packed(v) for v in value]
        else:
            out[key] = packed(value)
    return out


def unpack_boosters(obj: Any) -> None:
    """Undo :func:`pack_state` on ``obj``'s attributes, in place (models saved unpacked load as they are)."""
    def restore(value: Any) -> None:
        if isinstance(getattr(value, "_predictors", None), PackedTrees):
            value._predictors = value._predictors.unpack()

    for value in vars(obj).values():
        for item in value if isinstance(value, list) else (value,):
            restore(item)
