"""scikit-learn transformers that turn comments into features.

* :class:`TextNormaliser` applies :func:`moderate.normalise.normalise` to every text.
* :class:`SubwordNgrams` gives character n-gram TF-IDF features computed per *word*
  (fastText-style subwords): every word's n-grams (with ``<`` and ``>`` marking its ends)
  are hashed into buckets, the ``max_features`` buckets most frequent in training are kept,
  and a document's vector is its word counts times the word-by-bucket matrix. The
  n-grams of frequent words are cached at fit time and those of any other word are
  computed when it is seen, so a misspelt or obfuscated word (``stoopid``) still shares
  most features with the real one, and the whole thing costs one sparse product per batch
  instead of a Python loop over every character of every comment.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from itertools import chain

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from moderate.normalise import normalise

#: Words as the feature extractors see them (after normalisation).
WORD_PATTERN = r"(?u)\b\w+\b"
_WORD_RE = re.compile(WORD_PATTERN)
_N_HASH = 1 << 22


class TextNormaliser(TransformerMixin, BaseEstimator):
    """Normalise texts (see :mod:`moderate.normalise`); stateless."""

    def fit(self, texts: Sequence[str], y: object = None) -> TextNormaliser:
        self.n_features_in_ = 1
        return self

    def transform(self, texts: Iterable[str]) -> list[str]:
        return [normalise(text) for text in texts]


class WordNgrams(TfidfVectorizer):
    """``TfidfVectorizer`` whose saved state keeps the vocabulary as two numpy arrays.

    skops stores a dict of numpy integers one node per entry, which makes a 100k-term
    vocabulary take minutes and tens of MB to save; as arrays it takes milliseconds and
    compresses to a few MB. Behaviour is exactly ``TfidfVectorizer``'s.
    """

    #: :func:`moderate.packing.pack_for_saving` leaves this class's vocabulary to it
    saves_vocabulary_itself = True

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # a copy: the parent may return __dict__ itself
        vocabulary = state.pop("vocabulary_", None)
        if vocabulary is not None:
            terms = sorted(vocabulary, key=vocabulary.__getitem__)
            state["vocabulary_terms_"] = np.array(terms, dtype=str)
        return state

    def __setstate__(self, state: dict) -> None:
        terms = state.pop("vocabulary_terms_", None)
        if terms is not None:
            state["vocabulary_"] = {term: i for i, term in enumerate(terms.tolist())}
        super().__setstate__(state)


def word_ngram_buckets(word: str, ngram_range: tuple[int, int]) -> list[int]:
    """Hash buckets of the character n-grams of ``<word>`` (stable across processes)."""
    marked = f"<{word}>"
    low, high = ngram_range
    return [
        zlib.crc32(marked[i : i + n].encode("utf-8")) % _N_HASH
        for n in range(low, high + 1)
        for i in range(len(marked) - n + 1)
    ]


class SubwordNgrams(TransformerMixin, BaseEstimator):
    """Character n-gram TF-IDF features built from per-word n-grams (see module doc).

    Parameters
    ----------
    ngram_range : n-gram lengths, counting the ``<``/``>`` word-boundary marks.
    max_features : number of hash buckets kept (the most frequent in training).
    min_df : a bucket must occur in at least this many training documents.
    n_cached_words : how many of the most frequent training words keep their n-gram
        rows in the fitted model (a speed cache only: other words give the same features).
    sublinear_tf : use ``1 + log(tf)`` instead of raw counts.
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (2, 5),
        max_features: int = 150_000,
        min_df: int = 3,
        n_cached_words: int = 50_000,
        sublinear_tf: bool = True,
    ) -> None:
        self.ngram_range = ngram_range
        self.max_features = max_features
        self.min_df = min_df
        self.n_cached_words = n_cached_words
        self.sublinear_tf = sublinear_tf

    # -- helpers ---------------------------------------------------------------
    def _tokenise(self, texts: Iterable[str]) -> list[list[str]]:
        return [_WORD_RE.findall(text) for text in texts]

    def _word_rows(self, words: Sequence[str], columns: np.ndarray | None) -> sp.csr_matrix:
        """Word-by-column n-gram counts; ``columns`` maps hash buckets to kept columns."""
        buckets = [word_ngram_buckets(word, tuple(self.ngram_range)) for word in words]
        indptr = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in buckets], out=indptr[1:])
        indices = np.fromiter(chain.from_iterable(buckets), dtype=np.int64, count=int(indptr[-1]))
        if columns is None:
            matrix = sp.csr_matrix(
                (np.ones(len(indices), dtype=np.float32), indices, indptr),
                shape=(len(words), _N_HASH),
            )
        else:
            position = np.searchsorted(columns, indices)
            position[position == len(columns)] = 0
            found = columns[position] == indices
            rows = np.repeat(np.arange(len(words)), np.diff(indptr))
            matrix = sp.csr_matrix(
                (np.ones(int(found.sum()), dtype=np.float32), (rows[found], position[found])),
                shape=(len(words), len(columns)),
            )
        matrix.sum_duplicates()
        return matrix

    @staticmethod
    def _doc_word_counts(
        docs: list[list[str]], index: dict[str, int]
    ) -> tuple[sp.csr_matrix, list[str]]:
        """Document-by-word counts; words missing from ``index`` are appended to it."""
        new_words: list[str] = []
        start = len(index)
        ids: list[list[int]] = []
        for tokens in docs:
            row = []
            for token in tokens:
                col = index.get(token)
                if col is None:
                    col = index[token] = start + len(new_words)
                    new_words.append(token)
                row.append(col)
            ids.append(row)
        indptr = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in ids], out=indptr[1:])
        indices = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(indptr[-1]))
        counts = sp.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), indices, indptr),
            shape=(len(docs), len(index)),
        )
        counts.sum_duplicates()
        return counts, new_words

    # -- sklearn API -----------------------------------------------------------
    def fit(self, texts: Sequence[str], y: object = None) -> SubwordNgrams:
        low, high = self.ngram_range
        if not 1 <= low <= high:
            raise ValueError(f"invalid ngram_range {self.ngram_range!r}")
        docs = self._tokenise(texts)
        index: dict[str, int] = {}
        doc_words, words = self._doc_word_counts(docs, index)
        word_buckets = self._word_rows(words, None)
        bucket_counts = (doc_words @ word_buckets).tocsc()
        df = np.diff(bucket_counts.indptr)
        candidates = np.flatnonzero(df >= self.min_df)
        # most frequent first; ties broken by bucket id so the choice is deterministic
        order = np.lexsort((candidates, -df[candidates]))[: self.max_features]
        self.buckets_ = np.sort(candidates[order]).astype(np.int64)
        counts = bucket_counts[:, self.buckets_].tocsr()
        self.tfidf_ = TfidfTransformer(sublinear_tf=self.sublinear_tf).fit(counts)
        word_df = np.asarray((doc_words > 0).sum(axis=0)).ravel()
        top = np.lexsort((np.arange(len(words)), -word_df))[: self.n_cached_words]
        self.cached_words_ = np.array([words[i] for i in top], dtype=str)
        self.cached_rows_ = self._word_rows(self.cached_words_.tolist(), self.buckets_)
        self.n_features_in_ = 1
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        check_is_fitted(self, "buckets_")
        docs = self._tokenise(texts)
        index = {word: i for i, word in enumerate(self.cached_words_.tolist())}
        doc_words, new_words = self._doc_word_counts(docs, index)
        rows = self.cached_rows_
        if new_words:
            rows = sp.vstack([rows, self._word_rows(new_words, self.buckets_)], format="csr")
        counts = (doc_words @ rows).tocsr()
        return self.tfidf_.transform(counts).astype(np.float32)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "buckets_")
        return np.array([f"subword_{b}" for b in self.buckets_], dtype=object)
