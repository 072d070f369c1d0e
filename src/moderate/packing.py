"""Writing models compactly: what skops would otherwise store as thousands of entries.

skops writes every array of a model as a file of its own in the model's zip and every dict
entry as a node of its schema, and checks each one on loading. Two kinds of state made that slow:

* a fitted ``HistGradientBoostingClassifier`` keeps each tree as a ``TreePredictor`` holding three
  small arrays: the page splitter (three boosters of 100 rounds x 8 classes, plus its segmenter)
  held 5,963 arrays and took 1.8 s to load. :class:`PackedTrees` holds all the trees of one
  booster in three arrays plus their sizes;
* a vectorizer's ``vocabulary_`` dict: the off-topic model's 56,000 terms (with numpy-int values,
  a file each) took 4 s. :class:`PackedVocabulary` holds one as a UTF-8 buffer and two arrays.

:func:`pack_for_saving` swaps both in, in place, while :func:`moderate.registry.save_model_folder`
writes a model (and :func:`restore` swaps the originals back); :func:`unpack_loaded` undoes it
after :func:`moderate.registry.load_artifact` has read one. In memory and in pickles a model is
unchanged, and so is every prediction.
"""

from __future__ import annotations

from collections.abc import Iterator
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


def _owners(obj: Any, seen: set[int]) -> Iterator[Any]:
    """Every scikit-learn or moderate object inside ``obj`` (through attributes, lists, tuples,
    dicts; not into vocabularies, whose values are only column numbers)."""
    if id(obj) in seen or obj is None or isinstance(obj, (str, bytes, int, float, np.ndarray)):
        return
    seen.add(id(obj))
    if isinstance(obj, dict):
        children = list(obj.values())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        children = list(obj)
    elif hasattr(obj, "__dict__") and type(obj).__module__.split(".")[0] in ("sklearn", "moderate"):
        yield obj
        children = [value for name, value in vars(obj).items() if name != "vocabulary_"]
    else:
        return
    for child in children:
        yield from _owners(child, seen)


def _packable(owner: Any) -> tuple[str, type] | None:
    """The attribute of ``owner`` to pack and how, if any."""
    state = vars(owner)
    if isinstance(state.get("_predictors"), list) and "_bin_mapper" in state:
        return "_predictors", PackedTrees
    # WordNgrams (the incivility model's) writes its vocabulary as arrays itself
    if isinstance(state.get("vocabulary_"), dict) and not getattr(type(owner), "saves_vocabulary_itself", False):
        return "vocabulary_", PackedVocabulary
    return None


def pack_for_saving(obj: Any) -> list[tuple[Any, str, Any]]:
    """Pack every booster's trees and every vocabulary inside ``obj``, in place; returns what
    :func:`restore` needs to put the originals back."""
    packed = []
    for owner in _owners(obj, set()):
        how = _packable(owner)
        if how is not None:
            name, kind = how
            original = getattr(owner, name)
            setattr(owner, name, kind(original))
            packed.append((owner, name, original))
    return packed


def restore(packed: list[tuple[Any, str, Any]]) -> None:
    for owner, name, original in packed:
        setattr(owner, name, original)


def unpack_loaded(obj: Any) -> int:
    """Turn every :class:`PackedTrees` and :class:`PackedVocabulary` inside a loaded ``obj`` back
    into what the estimators expect, in place; how many were unpacked (models written before
    packing have none)."""
    count = 0
    for owner in _owners(obj, set()):
        for name, value in list(vars(owner).items()):
            if isinstance(value, (PackedTrees, PackedVocabulary)):
                setattr(owner, name, value.unpack())
                count += 1
    return count
