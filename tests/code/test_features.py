"""The subword and word feature transformers."""

import numpy as np
import pytest
import skops.io as sio

from moderate.features import SubwordNgrams, WordNgrams, word_ngram_buckets

TEXTS = [
    "you are an idiot",
    "what a stupid idea",
    "thanks for the article",
    "the council voted on the budget",
    "idiot idea from an idiot",
    "stupid council",
] * 3


def test_buckets_are_stable_and_marked() -> None:
    # crc32, not Python's salted hash(): the same word gives the same buckets in any process
    assert word_ngram_buckets("idiot", (2, 3)) == word_ngram_buckets("idiot", (2, 3))
    assert len(word_ngram_buckets("ab", (2, 2))) == 3  # <a ab b>


def test_subwords_shape_and_norm() -> None:
    model = SubwordNgrams(min_df=1, max_features=500).fit(TEXTS)
    X = model.transform(TEXTS)
    assert X.shape == (len(TEXTS), len(model.buckets_))
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1))).ravel()
    assert np.allclose(norms, 1.0, atol=1e-5)


def test_unseen_word_shares_features_with_its_spelling() -> None:
    model = SubwordNgrams(min_df=1, max_features=5000, n_cached_words=3).fit(TEXTS)
    a, b, c = model.transform(["idiot", "idiiot", "budget"])
    sim = lambda x, y: float(x.multiply(y).sum())  # noqa: E731 (rows are l2-normalised)
    assert sim(a, b) > 0.5
    assert sim(a, c) < 0.2


def test_cache_does_not_change_features() -> None:
    small = SubwordNgrams(min_df=1, max_features=5000, n_cached_words=1).fit(TEXTS)
    large = SubwordNgrams(min_df=1, max_features=5000, n_cached_words=1000).fit(TEXTS)
    diff = abs(small.transform(TEXTS) - large.transform(TEXTS))
    assert diff.max() < 1e-6


def test_invalid_ngram_range() -> None:
    with pytest.raises(ValueError, match="ngram_range"):
        SubwordNgrams(ngram_range=(3, 2)).fit(TEXTS)


def test_transformers_round_trip_through_skops() -> None:
    for transformer in (WordNgrams(min_df=1), SubwordNgrams(min_df=1)):
        transformer.fit(TEXTS)
        blob = sio.dumps(transformer)
        loaded = sio.loads(blob, trusted=sio.get_untrusted_types(data=blob))
        assert (loaded.transform(TEXTS) != transformer.transform(TEXTS)).nnz == 0
    # saving must not strip the fitted vocabulary from the live object
    assert hasattr(transformer, "buckets_")
    words = WordNgrams(min_df=1).fit(TEXTS)
    sio.dumps(words)
    assert words.transform(["idiot"]).nnz == 1
