"""Model folders: save, resolve, load, refuse."""

import json
import os
import warnings
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio

from moderate import registry
from moderate.errors import ModelError
from moderate.model import build_estimator
from moderate.schema import LABELS

TEXTS = ["you idiot", "thanks a lot", "shut up moron", "nice work", "i will kill you all"] * 4
Y = np.array(
    [[1, 1, 0, 0, 0], [0, 0, 0, 0, 0], [1, 1, 1, 1, 0], [0, 0, 0, 0, 0], [1, 0, 0, 0, 1]] * 4,
    dtype=float,
)
THRESHOLDS = {label: {"review": 0.5, "reject": 0.9} for label in LABELS}


@pytest.fixture(scope="module")
def estimator():
    return build_estimator(
        word_min_df=1, char_min_df=1, isotonic_min_positives=10**9, n_jobs=1
    ).fit(TEXTS, Y)


def _save(tmp: Path, estimator, model_id: str = "m-1") -> Path:
    meta = {"model_id": model_id, "labels": list(LABELS), "thresholds": THRESHOLDS}
    return registry.save_model_folder(tmp / model_id, estimator, meta, card="# card\n")


def test_round_trip(tmp_path: Path, estimator) -> None:
    folder = _save(tmp_path, estimator)
    assert sorted(p.name for p in folder.iterdir()) == ["MODEL_CARD.md", "metadata.json", "model.skops"]
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["format_version"] == registry.FORMAT_VERSION
    assert {"python", "scikit-learn", "skops", "moderate"} <= set(meta["versions"])
    loaded = registry.load_model(folder)
    assert loaded.model_id == "m-1" and loaded.labels == LABELS
    assert np.array_equal(loaded.predict_proba(TEXTS), estimator.predict_proba(TEXTS))
    assert loaded.predict_proba([]).shape == (0, len(LABELS))
    assert not list(tmp_path.glob(".m-1.*")), "staging folder left behind"


def test_models_dir_and_current(tmp_path: Path, estimator, monkeypatch) -> None:
    _save(tmp_path, estimator, "a")
    _save(tmp_path, estimator, "b")
    registry.set_current(tmp_path, "b")
    assert registry.resolve_model_dir(tmp_path) == tmp_path / "b"
    monkeypatch.setenv(registry.MODEL_ENV, str(tmp_path / "a"))
    assert registry.resolve_model_dir() == tmp_path / "a"
    with pytest.raises(ModelError, match="no model folder"):
        registry.set_current(tmp_path, "missing")


def test_current_found_from_working_directory(tmp_path: Path, estimator, monkeypatch) -> None:
    models = tmp_path / "models"
    _save(models, estimator, "c")
    registry.set_current(models, "c")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    monkeypatch.delenv(registry.MODEL_ENV, raising=False)
    assert registry.resolve_model_dir() == models / "c"


def test_missing_and_incomplete_folders(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="model not found"):
        registry.load_model(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="not a model folder"):
        registry.load_model(tmp_path / "empty")


def test_garbage_artifact_is_a_model_error(tmp_path: Path, estimator) -> None:
    folder = _save(tmp_path, estimator)
    (folder / "model.skops").write_bytes(b"not a zip file at all")
    with pytest.raises(ModelError, match="unreadable model file"):
        registry.load_model(folder)


class Sneaky:  # a type outside the allow-list
    def __init__(self) -> None:
        self.payload = "rm -rf /"


def test_untrusted_type_is_refused(tmp_path: Path, estimator) -> None:
    folder = _save(tmp_path, estimator)
    sio.dump({"estimator": Sneaky()}, folder / "model.skops")
    with pytest.raises(ModelError, match="allow-list.*Sneaky"):
        registry.load_model(folder)


def test_version_mismatch_is_reported(tmp_path: Path, estimator) -> None:
    folder = _save(tmp_path, estimator)
    meta = json.loads((folder / "metadata.json").read_text())
    meta["versions"]["scikit-learn"] = "0.24.2"
    (folder / "metadata.json").write_text(json.dumps(meta))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        registry.load_model(folder)
    assert any("saved with scikit-learn 0.24.2" in str(w.message) for w in caught)
    meta["format_version"] = 99
    (folder / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="model format 99"):
        registry.load_model(folder)


def test_write_text_atomic_leaves_no_temp_files(tmp_path: Path) -> None:
    registry.write_text_atomic(tmp_path / "x.txt", "hello")
    assert os.listdir(tmp_path) == ["x.txt"]


def test_saved_files_follow_the_umask(tmp_path: Path, estimator) -> None:
    old = os.umask(0o022)
    try:
        folder = _save(tmp_path, estimator)
        registry.set_current(tmp_path, folder.name)
    finally:
        os.umask(old)
    assert (folder.stat().st_mode & 0o777) == 0o755
    assert ((tmp_path / "CURRENT").stat().st_mode & 0o777) == 0o644


def test_vocabularies_are_saved_packed(tmp_path: Path) -> None:
    """skops writes a dict's every term as a schema node, and a vectorizer that cut its features
    holds numpy ints (one file each): an off-topic model took seconds to load. Saved, a
    vocabulary is one buffer; loaded, it is the same dict (plain ints) and transforms the same."""
    import zipfile

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    docs = [f"word{i} wörd{i % 7} shared text number {i % 13} \u00e9t\u00e9 \U0001f600{i % 3}" for i in range(300)]
    vectorizer = TfidfVectorizer(max_features=200).fit(docs)  # cutting features sorts: numpy ints
    assert any(isinstance(v, np.integer) for v in vectorizer.vocabulary_.values())
    original = dict(vectorizer.vocabulary_)
    before = vectorizer.transform(docs).toarray()
    folder = registry.save_model_folder(tmp_path / "m", make_pipeline(vectorizer, FunctionTransformer()), {"model_id": "m"})
    assert vectorizer.vocabulary_ == original  # the fitted object is left as it was
    with zipfile.ZipFile(folder / registry.ARTIFACT_NAME) as z:
        assert len(z.namelist()) < 20  # not one file per term
        assert "word17" not in z.read("schema.json").decode()  # nor a schema node per term
    loaded, _ = registry.load_artifact(folder)
    vocabulary = loaded[0].vocabulary_
    assert vocabulary == original and list(vocabulary) == list(original)
    assert all(type(v) is int for v in vocabulary.values())
    np.testing.assert_array_equal(loaded.transform(docs).toarray(), before)
