"""The two reference systems the evaluation report compares the model against.

* ``alt-profanity-check``: the off-the-shelf profanity classifier. Its one probability
  (``profanity_check.predict_prob``) stands in for every label, with threshold 0.5.
* ``tfidf-logreg``: a plain bag-of-n-grams baseline trained on the same train split as the
  model. One ``TfidfVectorizer`` (word unigrams + bigrams, ``sublinear_tf``, ``min_df=2``,
  at most 200,000 features) fitted on the train texts, then per label a
  ``LogisticRegression(C=4.0, solver="liblinear", max_iter=1000)`` fitted on the train rows
  where that label is known (binarised at 0.5). Each label's threshold is the F1-optimal one
  on the dev rows where it is known (:func:`moderate.evaluate.choose_thresholds`).

Nothing is cached on disk; the baseline is refitted on every evaluation run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from moderate.errors import MissingExtraError
from moderate.evaluate import (
    PROFANITY_CHECK_SYSTEM,
    TFIDF_SYSTEM,
    SystemScores,
    binary_truth,
    choose_thresholds,
)
from moderate.schema import LABELS

__all__ = [
    "PROFANITY_CHECK_SYSTEM",
    "TFIDF_SYSTEM",
    "TfidfLogRegBaseline",
    "profanity_check_scores",
    "tfidf_logreg_scores",
]


def _texts(values: Any) -> list[str]:
    return pd.Series(values, dtype=object).fillna("").astype(str).tolist()


def profanity_check_scores(texts: Sequence[str], labels: Sequence[str] = LABELS) -> SystemScores:
    """alt-profanity-check's probability, repeated for every label, threshold 0.5."""
    try:
        from profanity_check import predict_prob
    except ImportError:
        raise MissingExtraError(
            "alt-profanity-check", "test", "the reference system (use --no-baselines to skip it)"
        ) from None

    texts = _texts(texts)
    prob = np.asarray(predict_prob(texts), dtype=float) if texts else np.zeros(0)
    return SystemScores(
        probs=np.repeat(prob[:, None], len(labels), axis=1),
        thresholds={label: 0.5 for label in labels},
        description=(
            "alt-profanity-check predict_prob, the same score for every label, threshold 0.5"
        ),
    )


class TfidfLogRegBaseline:
    """Word 1-2-gram TF-IDF + one logistic regression per label.

    ``fit(frame)`` takes a corpus frame (``text`` and one float column per label, NaN =
    unknown); ``predict_proba(texts)`` returns ``(n, len(labels))``. A label with a single
    class (or no rows) in the training data predicts its training base rate (0 if unknown).
    ``tune_thresholds(dev_frame)`` sets ``thresholds_[label]`` to the dev F1-optimal
    threshold (0.5 for a label with no dev rows).
    """

    def __init__(
        self,
        labels: Sequence[str] = LABELS,
        *,
        C: float = 4.0,
        max_features: int = 200_000,
        min_df: int = 2,
        max_iter: int = 1000,
        random_state: int = 0,
    ) -> None:
        self.labels = labels
        self.C = C
        self.max_features = max_features
        self.min_df = min_df
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, frame: pd.DataFrame) -> TfidfLogRegBaseline:
        self.vectorizer_ = TfidfVectorizer(
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=self.min_df,
            max_features=self.max_features,
            dtype=np.float32,
        )
        features = self.vectorizer_.fit_transform(_texts(frame["text"]))
        self.classifiers_: dict[str, LogisticRegression | float] = {}
        self.n_train_: dict[str, int] = {}
        for label in self.labels:
            if label not in frame.columns:
                self.classifiers_[label], self.n_train_[label] = 0.0, 0
                continue
            known, y = binary_truth(frame[label])
            y = y[known]
            self.n_train_[label] = int(known.sum())
            if len(y) == 0 or y.min() == y.max():
                self.classifiers_[label] = float(y.mean()) if len(y) else 0.0
                continue
            classifier = LogisticRegression(
                C=self.C, solver="liblinear", max_iter=self.max_iter, random_state=self.random_state
            )
            self.classifiers_[label] = classifier.fit(features[np.flatnonzero(known)], y)
        self.thresholds_ = {label: 0.5 for label in self.labels}
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        texts = _texts(texts)
        out = np.zeros((len(texts), len(self.labels)), dtype=float)
        if not texts:
            return out
        features = self.vectorizer_.transform(texts)
        for j, label in enumerate(self.labels):
            classifier = self.classifiers_[label]
            if isinstance(classifier, LogisticRegression):
                out[:, j] = classifier.predict_proba(features)[:, 1]
            else:
                out[:, j] = classifier
        return out

    def tune_thresholds(self, frame: pd.DataFrame) -> TfidfLogRegBaseline:
        probs = self.predict_proba(frame["text"])
        for j, label in enumerate(self.labels):
            if label not in frame.columns:
                continue
            known, y = binary_truth(frame[label])
            if known.any():
                self.thresholds_[label] = choose_thresholds(y[known], probs[known, j])["review"]
        return self

    def describe(self) -> str:
        return (
            "TfidfVectorizer(word 1-2-grams, sublinear_tf, min_df="
            f"{self.min_df}, max_features={self.max_features:,}) + per-label "
            f"LogisticRegression(C={self.C}, liblinear, max_iter={self.max_iter}) fitted on the "
            "train split; thresholds F1-optimal on the dev split"
        )


def tfidf_logreg_scores(
    train: pd.DataFrame,
    dev: pd.DataFrame,
    texts: Sequence[str],
    labels: Sequence[str] = LABELS,
    *,
    random_state: int = 0,
) -> SystemScores:
    """Fit :class:`TfidfLogRegBaseline` on ``train``, tune on ``dev``, score ``texts``."""
    baseline = TfidfLogRegBaseline(labels, random_state=random_state).fit(train)
    baseline.tune_thresholds(dev)
    return SystemScores(
        probs=baseline.predict_proba(texts),
        thresholds=dict(baseline.thresholds_),
        description=baseline.describe(),
        details={
            "n_train": dict(baseline.n_train_),
            "n_features": len(baseline.vectorizer_.vocabulary_),
        },
    )
