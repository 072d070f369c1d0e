"""Saving gradient-boosted models compactly.

A fitted ``HistGradientBoostingClassifier`` keeps each tree as a ``TreePredictor`` holding three
small arrays, and skops writes every array as a file of its own in the model's zip: the page
splitter (three boosters of 100 rounds x 8 classes, plus its segmenter) held 5,959 arrays and
took 1.8 s to load, most of it opening them. :class:`PackedTrees` holds all the trees of one
model in three arrays (plus their sizes); estimators that own boosters pack them in
``__getstate__`` (:func:`pack_state`) and unpack them in ``__setstate__`` (:func:`unpack_boosters`).
The trees, and so every prediction, are the same.

Vectorizers' ``vocabulary_`` dicts are the other bulk: skops writes every term as a node of its
schema and checks each on loading (the off-topic model's 56,000 terms took seconds).
:func:`pack_vocabularies` swaps them for :class:`PackedVocabulary` (the terms as one UTF-8
buffer, their columns as one array) while a model is written, and :func:`unpack_vocabularies`
swaps them back after loading; in memory and in pickles they stay plain dicts.
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


class PackedVocabulary:
    """A ``vocabulary_`` dict (term -> column) as a UTF-8 buffer, term lengths and columns, in the dict's order."""

    def __init__(self, vocabulary: dict[str, int] | None = None) -> None:
        vocabulary = vocabulary or {}
        encoded = [term.encode("utf-8", "surrogatepass") for term in vocabulary]
        self.buffer = np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()
        self.lengths = np.array([len(e) for e in encoded], dtype=np.int64)
        self.columns = np.array([int(v) for v in vocabulary.values()], dtype=np.int64)

    def unpack(self) -> dict[str, int]:
        data = self.buffer.tobytes()
        ends = np.cumsum(self.lengths).tolist()
        starts = [0, *ends[:-1]]
        terms = [data[a:b].decode("utf-8", "surrogatepass") for a, b in zip(starts, ends)]
        return dict(zip(terms, self.columns.tolist()))


def _owners(obj: Any, seen: set[int]):
    """Every scikit-learn or moderate object inside ``obj`` (through attributes, lists, tuples, dicts)."""
    if id(obj) in seen or obj is None or isinstance(obj, (str, bytes, int, float, np.ndarray)):
        return
    seen.add(id(obj))
    if isinstance(obj, dict):
        children = list(obj.values())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        children = list(obj)
    elif hasattr(obj, "__dict__") and type(obj).__module__.split(".")[0] in ("sklearn", "moderate"):
        yield obj
        children = list(vars(obj).values())
    else:
        return
    for child in children:
        yield from _owners(child, seen)


def pack_vocabularies(obj: Any) -> list[tuple[Any, dict]]:
    """Replace every ``vocabulary_`` dict inside ``obj`` by a :class:`PackedVocabulary`, in place;
    returns ``(owner, dict)`` pairs for :func:`restore_vocabularies`."""
    packed = []
    for owner in _owners(obj, set()):
        vocabulary = vars(owner).get("vocabulary_")
        if isinstance(vocabulary, dict) and not getattr(type(owner), "saves_vocabulary_itself", False):
            owner.vocabulary_ = PackedVocabulary(vocabulary)
            packed.append((owner, vocabulary))
    return packed


def restore_vocabularies(packed: list[tuple[Any, dict]]) -> None:
    for owner, vocabulary in packed:
        owner.vocabulary_ = vocabulary


def unpack_vocabularies(obj: Any) -> int:
    """Turn every :class:`PackedVocabulary` inside a loaded ``obj`` back into a dict; how many."""
    count = 0
    for owner in _owners(obj, set()):
        if isinstance(vars(owner).get("vocabulary_"), PackedVocabulary):
            owner.vocabulary_ = owner.vocabulary_.unpack()
            count += 1
    return count
