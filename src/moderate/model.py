"""The incivility estimator, built in one place.

``build_estimator(lexicon=None, **params)`` returns a scikit-learn ``Pipeline``::

    texts -> TextNormaliser -> FeatureUnion(word 1-2-gram TF-IDF, subword char n-gram TF-IDF,
                                            [span lexicon features])
          -> LabelHeads (one calibrated logistic regression per label)

``lexicon`` is a table from :func:`moderate.lexicon.span_word_table` (train split only);
without it the pipeline has no lexicon features.

``fit(texts, Y)`` takes ``Y`` of shape ``(n, n_labels)`` with values in [0, 1] and NaN
where a label is unknown; each head trains only on the rows where its label is known.
``predict_proba(texts)`` returns calibrated probabilities of shape ``(n, n_labels)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.validation import check_is_fitted

from moderate.features import WORD_PATTERN, SubwordNgrams, TextNormaliser, WordNgrams
from moderate.lexicon import SpanLexicon, word_scores
from moderate.schema import LABELS

#: Default hyper-parameters; ``build_estimator`` accepts overrides of any of them.
DEFAULT_PARAMS: dict[str, Any] = {
    "word_ngram_max": 2,
    "word_max_features": 120_000,
    "word_min_df": 3,
    "char_ngram_range": (2, 5),
    "char_max_features": 150_000,
    "char_min_df": 3,
    "C": 2.0,
    "calibration_folds": 3,
    "isotonic_min_positives": 1000,
    "lexicon_min_count": 3,
    "lexicon_prior": 2.0,
    "random_state": 0,
    "n_jobs": 2,
}


def _soft_targets(
    y: np.ndarray, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expand soft labels into weighted 0/1 rows: a row with y=0.7 becomes (1, w=.7), (0, w=.3).

    Fitting on these rows minimises the expected log loss under the raters' label
    distribution. Returns (row index into y, binary target, sample weight).
    """
    base = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    pos = y > 0
    neg = y < 1
    rows = np.concatenate([np.flatnonzero(pos), np.flatnonzero(neg)])
    target = np.concatenate([np.ones(pos.sum(), dtype=int), np.zeros(neg.sum(), dtype=int)])
    weight = np.concatenate([y[pos] * base[pos], (1 - y[neg]) * base[neg]])
    return rows, target, weight


class LabelHeads(ClassifierMixin, BaseEstimator):
    """One logistic-regression head per label, each fitted on the rows where its label is known.

    Calibration: out-of-fold decision scores (``calibration_folds`` folds, a text's
    soft-label copies always in the same fold) are mapped to probabilities by isotonic
    regression when a label has at least ``isotonic_min_positives`` positive rows, else by
    Platt scaling; the head used at prediction time is then refitted on all rows.

    ``fit(X, Y)``: ``Y`` of shape (n, n_labels), values in [0, 1], NaN = unknown.
    ``predict_proba(X)``: (n, n_labels) calibrated probabilities.
    Heads are fitted in parallel over ``n_jobs`` processes; results do not depend on it.
    """

    def __init__(
        self,
        labels: Sequence[str] = LABELS,
        C: float | dict[str, float] = 4.0,
        calibration_folds: int = 3,
        isotonic_min_positives: int = 1000,
        random_state: int = 0,
        n_jobs: int | None = None,
    ) -> None:
        self.labels = labels
        self.C = C
        self.calibration_folds = calibration_folds
        self.isotonic_min_positives = isotonic_min_positives
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _head(self, label: str) -> LogisticRegression:
        c = self.C[label] if isinstance(self.C, dict) else self.C
        return LogisticRegression(C=c, solver="liblinear", max_iter=1000)

    def fit(self, X: Any, Y: np.ndarray, sample_weight: np.ndarray | None = None) -> LabelHeads:
        X = sp.csr_matrix(X)
        Y = np.asarray(Y, dtype=float).reshape(X.shape[0], len(self.labels))
        finite = Y[~np.isnan(Y)]
        if finite.size and (finite.min() < 0 or finite.max() > 1):
            raise ValueError("labels must lie in [0, 1] (NaN for unknown)")
        rng = np.random.RandomState(self.random_state)
        folds = rng.randint(0, self.calibration_folds, size=X.shape[0])
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        # the largest heads first, so two workers finish at about the same time
        order = np.argsort(-(~np.isnan(Y)).sum(axis=0), kind="stable")
        fitted = Parallel(n_jobs=self.n_jobs)(
            delayed(self._fit_head)(X, Y[:, j], weights, folds, self.labels[j]) for j in order
        )
        n_labels = len(self.labels)
        self.coef_ = np.zeros((X.shape[1], n_labels), dtype=np.float32)
        self.intercept_ = np.zeros(n_labels)
        self.calibrators_: list[dict[str, Any]] = [{} for _ in range(n_labels)]
        self.n_rows_: dict[str, int] = {}
        for j, (coef, intercept, calibrator, n_rows) in zip(order, fitted):
            self.coef_[:, j] = coef
            self.intercept_[j] = intercept
            self.calibrators_[j] = calibrator
            self.n_rows_[self.labels[j]] = n_rows
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = X.shape[1]
        return self

    def _fit_head(
        self,
        X: sp.csr_matrix,
        y_all: np.ndarray,
        sample_weight: np.ndarray | None,
        folds: np.ndarray,
        label: str,
    ) -> tuple[np.ndarray, float, dict[str, Any], int]:
        known = np.flatnonzero(~np.isnan(y_all))
        y = y_all[known]
        if known.size == 0 or np.all(y >= 0.5) or np.all(y < 0.5):
            raise ValueError(f"label {label!r} needs known rows of both classes")
        weights = None if sample_weight is None else sample_weight[known]
        rows, target, weight = _soft_targets(y, weights)
        rows = known[rows]
        scores = np.zeros(len(rows))
        for fold in range(self.calibration_folds):
            held = folds[rows] == fold
            head = self._head(label).fit(X[rows[~held]], target[~held], weight[~held])
            scores[held] = head.decision_function(X[rows[held]])
        calibrator = self._fit_calibrator(scores, target, weight, int((y >= 0.5).sum()))
        head = self._head(label).fit(X[rows], target, weight)
        return head.coef_.ravel().astype(np.float32), float(head.intercept_[0]), calibrator, int(known.size)

    def _fit_calibrator(
        self, scores: np.ndarray, target: np.ndarray, weight: np.ndarray, n_pos: int
    ) -> dict[str, Any]:
        if n_pos >= self.isotonic_min_positives:
            iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
            iso.fit(scores, target, sample_weight=weight)
            return {
                "method": "isotonic",
                "x": np.asarray(iso.X_thresholds_, dtype=float),
                "y": np.asarray(iso.y_thresholds_, dtype=float),
            }
        platt = LogisticRegression(C=1e6, solver="lbfgs").fit(
            scores.reshape(-1, 1), target, sample_weight=weight
        )
        return {
            "method": "sigmoid",
            "a": float(platt.coef_[0, 0]),
            "b": float(platt.intercept_[0]),
        }

    def decision_function(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return np.asarray(X @ self.coef_, dtype=float) + self.intercept_

    def predict_proba(self, X: Any) -> np.ndarray:
        scores = self.decision_function(X)
        probs = np.empty_like(scores)
        for j, cal in enumerate(self.calibrators_):
            if cal["method"] == "isotonic":
                probs[:, j] = np.interp(scores[:, j], cal["x"], cal["y"])
            else:
                probs[:, j] = 1.0 / (1.0 + np.exp(-(cal["a"] * scores[:, j] + cal["b"])))
        return np.clip(probs, 0.0, 1.0)

    def predict(self, X: Any) -> np.ndarray:
        return (self.predict_proba(X) >= 0.5).astype(int)


def build_estimator(lexicon: pd.DataFrame | None = None, **overrides: Any) -> Pipeline:
    """The incivility pipeline with :data:`DEFAULT_PARAMS` updated by ``overrides``."""
    unknown = set(overrides) - set(DEFAULT_PARAMS) - {"labels"}
    if unknown:
        raise TypeError(f"unknown parameters: {', '.join(sorted(unknown))}")
    p = {**DEFAULT_PARAMS, **overrides}
    words = WordNgrams(
        lowercase=False,
        token_pattern=WORD_PATTERN,
        ngram_range=(1, p["word_ngram_max"]),
        min_df=p["word_min_df"],
        max_features=p["word_max_features"],
        sublinear_tf=True,
        dtype=np.float32,
    )
    chars = SubwordNgrams(
        ngram_range=tuple(p["char_ngram_range"]),
        max_features=p["char_max_features"],
        min_df=p["char_min_df"],
    )
    heads = LabelHeads(
        labels=tuple(overrides.get("labels", LABELS)),
        C=p["C"],
        calibration_folds=p["calibration_folds"],
        isotonic_min_positives=p["isotonic_min_positives"],
        random_state=p["random_state"],
        n_jobs=p["n_jobs"],
    )
    features = [("words", words), ("subwords", chars)]
    if lexicon is not None:
        scores = word_scores(lexicon, prior=p["lexicon_prior"])
        features.append(("lexicon", SpanLexicon(lexicon["word"].to_numpy(dtype=str), scores)))
    return Pipeline(
        [
            ("normalise", TextNormaliser()),
            ("features", FeatureUnion(features)),
            ("heads", heads),
        ]
    )
