"""Boosters saved with packed trees predict exactly as before (and the original is untouched)."""

import pickle

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from moderate.packing import PackedTrees, pack_for_saving, restore, unpack_loaded


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
        trees = model._predictors
        pipeline = make_pipeline(FunctionTransformer(), model)
        packed = pack_for_saving(pipeline)
        assert len(packed) == 1 and isinstance(model._predictors, PackedTrees)
        restore(packed)
        assert model._predictors is trees  # the fitted model is given back as it was

        packed_copy = pickle.loads(pickle.dumps(model))
        packed_copy._predictors = PackedTrees(packed_copy._predictors)
        assert unpack_loaded(make_pipeline(packed_copy)) == 1
        np.testing.assert_array_equal(packed_copy.predict_proba(X), before)
        assert len(packed_copy._predictors) == len(trees)
        assert unpack_loaded(make_pipeline(packed_copy)) == 0  # nothing left to unpack


def test_packing_an_unfitted_or_empty_state():
    assert pack_for_saving({"a": None, "b": [1, 2]}) == []
    assert PackedTrees([]).unpack() == []


def test_chunked_predictions_are_the_same():
    from moderate.pages.model import chunked_proba

    model, X = _booster(3, True)
    np.testing.assert_array_equal(chunked_proba(model, X, rows=37), model.predict_proba(X))
    np.testing.assert_array_equal(chunked_proba(model, X[:5], rows=37), model.predict_proba(X[:5]))


def test_saved_boosters_are_packed_and_load_the_same(tmp_path):
    """Through the registry: a booster of 12 rounds x 3 classes (36 trees, 108 arrays unpacked) is
    written as a few arrays and loads to the same predictions; the fitted model is left as it was."""
    import zipfile

    from moderate import registry

    model, X = _booster(3, False)  # (a categorical booster holds a functools.partial, outside the allow-list)
    before, trees = model.predict_proba(X), model._predictors
    folder = registry.save_model_folder(tmp_path / "m", make_pipeline(model), {"model_id": "m"})
    assert model._predictors is trees
    with zipfile.ZipFile(folder / registry.ARTIFACT_NAME) as z:
        assert len(z.namelist()) < 60
    loaded, _ = registry.load_artifact(folder)
    assert isinstance(loaded[-1]._predictors, list)
    np.testing.assert_array_equal(loaded.predict_proba(X), before)
