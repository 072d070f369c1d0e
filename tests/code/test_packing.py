"""Boosters saved with packed trees predict exactly as before (and the original is untouched)."""

import types

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from moderate.packing import PackedTrees, pack_state, unpack_boosters


def _booster(n_classes: int, categorical: bool):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 4))
    X[:, 3] = rng.integers(0, 6, size=400)  # a categorical column: trees with bitsets
    y = (X[:, 0] + (X[:, 3] % 2) > 0.5).astype(int) + (X[:, 1] > 1) * (n_classes - 2)
    model = HistGradientBoostingClassifier(max_iter=12, categorical_features=[3] if categorical else None,
                                           random_state=0).fit(X, y)
    return model, X


def test_packed_trees_predict_the_same():
    for n_classes, categorical in ((2, False), (3, True)):
        model, X = _booster(n_classes, categorical)
        before = model.predict_proba(X)
        state = pack_state({"first_": model, "members": [model], "other": 3})
        assert isinstance(state["first_"]._predictors, PackedTrees)
        assert isinstance(state["members"][0]._predictors, PackedTrees)
        assert isinstance(model._predictors, list)  # the fitted model itself is not changed
        holder = types.SimpleNamespace(**state)
        unpack_boosters(holder)
        np.testing.assert_array_equal(holder.first_.predict_proba(X), before)
        np.testing.assert_array_equal(holder.members[0].predict_proba(X), before)
        assert len(holder.first_._predictors) == len(model._predictors)


def test_packing_an_unfitted_or_empty_state():
    assert pack_state({"a": None, "b": [1, 2]}) == {"a": None, "b": [1, 2]}
    assert PackedTrees([]).unpack() == []


def test_chunked_predictions_are_the_same():
    from moderate.pages.model import chunked_proba

    model, X = _booster(3, True)
    np.testing.assert_array_equal(chunked_proba(model, X, rows=37), model.predict_proba(X))
    np.testing.assert_array_equal(chunked_proba(model, X[:5], rows=37), model.predict_proba(X[:5]))
