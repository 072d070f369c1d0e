"""The off-topic model: P(a moderator calls this comment off-topic under this article).

Three parts, stacked (see ``train.py`` for how each is fitted):

* ``relevance`` - gradient boosting over the *relevance* features only (similarities, shared
  words, ranks, thread), fitted on weak swapped-article pairs: how likely is it that this
  article is not the comment's own?
* ``text`` - a comment-only classifier (word 1-2 gram TF-IDF, logistic regression) fitted on
  the human training labels: praise, spam and filler phrasing, whatever the article;
* ``head`` - a logistic regression over every feature of
  :class:`~moderate.offtopic.features.RelevanceFeaturizer` plus the logits of the two above,
  fitted on the human training labels (the two inputs out-of-fold there). Being a logistic
  regression fitted on the real mix of comments, its output is the calibrated probability.

"Off-topic" is ``off`` or ``generic`` in ``data/labels/offtopic/GUIDELINES.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from moderate.offtopic.features import FEATURES, Article, Discussion, RelevanceFeaturizer
from moderate.offtopic.counts import NgramTable, fast_ngrams_apply, ngram_counts, word_ngram_counts

EPS = 1e-4
#: Features the weakly supervised relevance part sees: nothing about the comment alone, since
#: both members of a swapped pair share the comment.
RELEVANCE_FEATURES: tuple[str, ...] = tuple(
    f for f in FEATURES
    if f.startswith(("cos_", "rank_", "shared_", "n_shared", "quoted", "parent_", "article_"))
)
RELEVANCE_COLUMNS = [FEATURES.index(f) for f in RELEVANCE_FEATURES]


def relevance_columns(n_features: int) -> list[int]:
    """The relevance columns of a feature matrix of ``n_features`` columns (a model fitted before
    ``cos_discussion`` was added has one column fewer)."""
    return [k for k in RELEVANCE_COLUMNS if k < n_features]


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return np.log(p / (1 - p))


def make_relevance(random_state: int = 0, **params) -> HistGradientBoostingClassifier:
    # 40 rounds at 0.2 score like 200 at 0.05 in grouped CV (benchmarks/README) and predict 5x faster
    defaults = dict(max_iter=40, learning_rate=0.2, max_leaf_nodes=15, min_samples_leaf=30,
                    l2_regularization=1.0, random_state=random_state)
    defaults.update(params)
    return HistGradientBoostingClassifier(**defaults)


class _CompactTfidf(TfidfVectorizer):
    """A TF-IDF vectorizer that forgets the terms it cut (``stop_words_``) once fitted, and
    transforms word 1-2 grams without building every n-gram string (the same matrix, a few
    times faster; see :func:`moderate.offtopic.counts.word_ngram_counts`)."""

    def fit_transform(self, raw_documents, y=None):
        out = super().fit_transform(raw_documents, y)
        if hasattr(self, "stop_words_"):
            del self.stop_words_
        return out

    def ngram_table(self) -> NgramTable:
        table = self.__dict__.get("_ngram_table")
        if table is None:
            table = self.__dict__["_ngram_table"] = NgramTable(self.vocabulary_)
        return table

    def transform_read(self, batch) -> sp.csr_matrix | None:
        """``transform`` of texts a :class:`~moderate.offtopic.features.RelevanceFeaturizer` has
        read (:meth:`~moderate.offtopic.features.RelevanceFeaturizer.read`): the same matrix, from the
        batch's tokens under this vectorizer's pattern, with no string looked up twice; None
        when that does not reproduce this vectorizer."""
        check_is_fitted(self, "vocabulary_")
        if not fast_ngrams_apply(self) or self.token_pattern not in WORD_LOCAL_PATTERNS:
            return None
        table = self.ngram_table()
        ids, doc_of = batch.pattern_tokens(self.token_pattern)
        uni, first, second = (codes[ids] for codes in batch.table.ngram_codes(table))
        return self._tfidf.transform(ngram_counts(doc_of, uni, first, second, batch.n, table, self.dtype), copy=False)

    def transform(self, raw_documents):
        check_is_fitted(self, "vocabulary_")
        if not isinstance(raw_documents, str) and fast_ngrams_apply(self):
            docs = list(raw_documents)
            if all(isinstance(d, str) for d in docs):
                return self._tfidf.transform(word_ngram_counts(docs, self.token_pattern, self.ngram_table(), self.dtype),
                                             copy=False)
            raw_documents = docs
        return super().transform(raw_documents)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_ngram_table", None)  # rebuilt on first use, never saved
        return state


#: Words, ``!`` and ``?`` as tokens of the comment-only part (word 1-2 grams: as good as
#: character 2-4 grams on grouped cross-validation, 0.804 vs 0.798 ROC AUC, at a fraction of the cost).
TEXT_TOKENS = r"(?u)\b\w+\b|[!?]"
#: Token patterns whose tokens in a text are those of its whitespace-separated words one after the
#: other (no match holds whitespace; a ``\b`` at a word's edge sees what it sees in the text).
WORD_LOCAL_PATTERNS = frozenset({TEXT_TOKENS, r"(?u)\b\w\w+\b"})


def make_text(C: float = 1.0) -> Pipeline:
    return Pipeline([
        ("tfidf", _CompactTfidf(ngram_range=(1, 2), token_pattern=TEXT_TOKENS, sublinear_tf=True, min_df=2,
                                dtype=np.float32)),
        ("lr", LogisticRegression(C=C, max_iter=2000, class_weight="balanced")),
    ])


def make_head(C: float = 0.1) -> Pipeline:
    return Pipeline([
        ("impute", SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)),
        ("scale", StandardScaler()),
        ("lr", LogisticRegression(C=C, max_iter=3000)),
    ])


def head_inputs(X: np.ndarray, relevance_p: np.ndarray, text_p: np.ndarray) -> np.ndarray:
    return np.column_stack([X, logit(relevance_p), logit(text_p)])


class OffTopicModel(BaseEstimator):
    """Featurizer + relevance + text + head, all fitted (see ``moderate.offtopic.train``)."""

    def __init__(self, featurizer: RelevanceFeaturizer | None = None, relevance=None, text=None, head=None) -> None:
        self.featurizer = featurizer
        self.relevance = relevance
        self.text = text
        self.head = head

    def features(self, comments: Sequence[str], article_of: Sequence[int], articles: Sequence[Article],
                 parents: Sequence[str | None] | None = None, discussion: Discussion | None = None,
                 return_codes: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        return self.featurizer.transform(comments, article_of, articles, parents, discussion, return_codes)

    def features_and_text(self, comments: Sequence[str], article_of: Sequence[int], articles: Sequence[Article],
                          parents: Sequence[str | None] | None = None, discussion: Discussion | None = None,
                          return_codes: bool = True) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """``features(..., return_codes)`` and :meth:`text_proba`, the comments read once for both:
        ``(X, codes or None, text_p)``."""
        comments = [c if isinstance(c, str) else str(c) for c in comments]
        if not comments:
            X, codes = self.features(comments, article_of, articles, parents, discussion, True)
            return X, codes if return_codes else None, np.zeros(0)
        batch = self.featurizer.read(comments)
        out = self.featurizer.transform(comments, article_of, articles, parents, discussion, return_codes, batch=batch)
        X, codes = out if return_codes else (out, None)
        return X, codes, self._text_proba_read(comments, batch)

    def _text_proba_read(self, comments: list[str], batch) -> np.ndarray:
        """:meth:`text_proba` from comments the featurizer has read (the same numbers)."""
        first = self.text.steps[0][1]
        counts = first.transform_read(batch) if isinstance(first, _CompactTfidf) else None
        if counts is None:
            return self.text_proba(comments)
        return self.text[1:].predict_proba(counts)[:, 1]

    def parts(self, comments: Sequence[str], X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The relevance and comment-only probabilities."""
        relevance = self.relevance.predict_proba(X[:, relevance_columns(X.shape[1])])[:, 1]
        text = self.text.predict_proba(list(comments))[:, 1]
        return relevance, text

    def predict_proba(self, comments: Sequence[str], article_of: Sequence[int], articles: Sequence[Article],
                      parents: Sequence[str | None] | None = None, discussion: Discussion | None = None) -> np.ndarray:
        """Calibrated P(off-topic) of comment ``i`` under ``articles[article_of[i]]``, shape ``(n,)``.

        An article is ``(title, body)``; ``parents[i]`` is the text comment ``i`` replies to, or None;
        ``discussion`` says which comments are under the same article (see
        :class:`~moderate.offtopic.features.Discussion`; without it each comment is judged alone).
        """
        check_is_fitted(self.head)
        if len(comments) == 0:
            return np.zeros(0)
        X, _, text_p = self.features_and_text(comments, article_of, articles, parents, discussion, return_codes=False)
        return self.predict_from_features(comments, X, text_p)

    def text_proba(self, comments: Sequence[str]) -> np.ndarray:
        """The comment-only part's probabilities (they need the texts, not the features)."""
        return self.text.predict_proba(list(comments))[:, 1]

    def predict_from_features(self, comments: Sequence[str], X: np.ndarray, text_p: np.ndarray | None = None) -> np.ndarray:
        """:meth:`predict_proba` for features already computed by :meth:`features` (and, if given,
        the comment-only probabilities from :meth:`text_proba`)."""
        if text_p is None:
            relevance, text = self.parts(comments, X)
        else:
            relevance = self.relevance.predict_proba(X[:, relevance_columns(X.shape[1])])[:, 1]
            text = np.asarray(text_p, dtype=np.float64)
        return np.clip(self.head.predict_proba(head_inputs(X, relevance, text))[:, 1], EPS, 1 - EPS)

    def shared_words(self, comments: Sequence[str], article_of: Sequence[int], articles: Sequence[Article],
                     top: int = 5) -> list[str]:
        """The comment's words also found in its article, rarest first: why it looks on-topic."""
        fz = self.featurizer
        analyzer = fz.word_.build_analyzer()
        idf, vocab = fz.word_.idf_, fz.word_.vocabulary_
        cache: dict[int, set[str]] = {}
        out = []
        for text, j in zip(comments, article_of):
            if j not in cache:
                title, body = articles[j]
                cache[j] = set(analyzer(f"{title or ''}\n{body or ''}"))
            shared = {w for w in analyzer(str(text)) if w in cache[j]}
            ranked = sorted(shared, key=lambda w: (-idf[vocab[w]] if w in vocab else 0.0, w))
            out.append(" ".join(ranked[:top]))
        return out
