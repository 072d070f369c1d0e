"""Count matrices of texts against a fitted vocabulary, without a Python loop per n-gram.

scikit-learn's vectorizers build every n-gram of every text as a string and look each one up.
For a small vocabulary of word 1-2 grams that is most of the cost of scoring. Here each token
is looked up once (``map(dict.get)``, a loop in C), bigrams are paired as integer keys in numpy,
and the matrix is assembled in one step. The result is the same matrix as
``CountVectorizer.transform`` (same counts, dtype and sorted indices): the tests compare them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp


class NgramTable:
    """A word 1-2 gram vocabulary re-indexed for integer lookups."""

    def __init__(self, vocabulary: Mapping[str, int]) -> None:
        self.n_features = len(vocabulary)
        self.unigrams = {t: j for t, j in vocabulary.items() if " " not in t}
        firsts: dict[str, int] = {}
        seconds: dict[str, int] = {}
        keys, columns = [], []
        for term, j in vocabulary.items():
            a, space, b = term.partition(" ")
            if not space:
                continue
            if " " in b:
                raise ValueError(f"not a word 1-2 gram vocabulary: {term!r}")
            fa = firsts.setdefault(a, len(firsts))
            sb = seconds.setdefault(b, len(seconds))
            keys.append((fa, sb))
            columns.append(j)
        self.firsts, self.seconds = firsts, seconds
        width = max(len(seconds), 1)
        key = np.array([fa * width + sb for fa, sb in keys], dtype=np.int64)
        order = np.argsort(key)
        self.width = width
        self.bigram_keys = key[order]
        self.bigram_columns = np.asarray(columns, dtype=np.int64)[order]


def fast_ngrams_apply(vectorizer) -> bool:
    """Whether :func:`word_ngram_counts` reproduces ``vectorizer``'s counts exactly."""
    v = vectorizer
    return (v.analyzer == "word" and tuple(v.ngram_range) in ((1, 1), (1, 2)) and v.lowercase
            and v.preprocessor is None and v.tokenizer is None and v.stop_words is None
            and v.strip_accents is None and not v.binary and v.input == "content"
            and re.compile(v.token_pattern).groups == 0)


@lru_cache(maxsize=8)
def _pattern(token_pattern: str) -> re.Pattern:
    return re.compile(token_pattern)


def word_ngram_counts(docs: Sequence[str], token_pattern: str, table: NgramTable, dtype=np.float64) -> sp.csr_matrix:
    """Counts of ``table``'s word 1-2 grams in lower-cased ``docs`` tokenised by ``token_pattern``."""
    find = _pattern(token_pattern).findall
    tokens = [find(d.lower()) for d in docs]
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    flat = list(chain.from_iterable(tokens))
    doc_of = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    return ngram_counts(doc_of, *token_codes(flat, table), len(docs), table, dtype)


def token_codes(tokens: Sequence[str], table: NgramTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per token: its unigram column, its code as a bigram's first word and as a second word
    (-1 when none): what :func:`ngram_counts` needs of each token."""
    n = len(tokens)
    return tuple(np.fromiter(map(d.get, tokens, repeat(-1)), dtype=np.int64, count=n)
                 for d in (table.unigrams, table.firsts, table.seconds))


def ngram_counts(doc_of: np.ndarray, uni: np.ndarray, first: np.ndarray, second: np.ndarray,
                 n_docs: int, table: NgramTable, dtype=np.float64) -> sp.csr_matrix:
    """The count matrix of a run of tokens, ``doc_of[k]`` being token ``k``'s document (documents in
    order), given the tokens' unigram columns and bigram codes (:func:`token_codes`)."""
    n = len(uni)
    rows, cols = [doc_of[uni >= 0]], [uni[uni >= 0]]
    if len(table.bigram_keys) and n > 1:
        ok = (first[:-1] >= 0) & (second[1:] >= 0) & (doc_of[:-1] == doc_of[1:])
        at = np.flatnonzero(ok)
        key = first[at] * table.width + second[at + 1]
        pos = np.minimum(np.searchsorted(table.bigram_keys, key), len(table.bigram_keys) - 1)
        hit = table.bigram_keys[pos] == key
        rows.append(doc_of[at[hit]])
        cols.append(table.bigram_columns[pos[hit]])
    return count_matrix(np.concatenate(rows), np.concatenate(cols), n_docs, table.n_features, dtype)


def count_matrix(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int, dtype=np.float64) -> sp.csr_matrix:
    """The CSR matrix counting each ``(rows[k], cols[k])`` pair, indices sorted.

    scipy's COO-to-CSR conversion places the entries row by row and sums the duplicates within
    each row (linear time), which is a few times faster than sorting all the keys at once."""
    X = sp.csr_matrix((np.ones(len(rows)), (np.asarray(rows), np.asarray(cols))), shape=(n_rows, n_cols))
    X.sum_duplicates()  # also sorts each row's indices; counts summed in float64 (exact), then cast
    if X.dtype != dtype:
        X.data = X.data.astype(dtype)
    return X
