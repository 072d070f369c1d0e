"""The sequence-aware line classifier.

Three steps, all fitted on labelled pages:

1. a gradient-boosted classifier on each block's features plus its neighbours' (a window);
2. a second classifier that also sees the first one's probabilities for the neighbours and
   for wider stretches before and after (stacking; trained on out-of-fold probabilities so it
   learns how the first step errs on unseen pages);
3. Viterbi decoding with label-to-label transition probabilities counted on the training
   pages, so that e.g. a lone "body" line between two comments must be very likely to win.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold

from moderate.pages.features import shifted, window_features
from moderate.pages.labels import LINE_LABELS

K = len(LINE_LABELS)
#: Rows per ``predict_proba`` call. The booster runs every tree over all the rows it is given, so
#: a batch of 10,000 blocks x 257 features (20 MB as float64) is read from memory once per tree
#: (800 trees per step); 512 rows stay in the cache across the trees: 3x faster, same numbers.
PREDICT_ROWS = 512


def chunked_proba(model: Any, X: np.ndarray, rows: int | None = None) -> np.ndarray:
    """``model.predict_proba(X)``, ``rows`` (default :data:`PREDICT_ROWS`) rows at a time: the
    same output with much less memory traffic."""
    rows = rows or PREDICT_ROWS
    if X.shape[0] <= rows:
        return model.predict_proba(X)
    return np.vstack([model.predict_proba(X[i:i + rows]) for i in range(0, X.shape[0], rows)])


_CONTEXT_OFFSETS = (-3, -2, -1, 1, 2, 3)
_SPANS = (5, 20)


def _stack_features(P: np.ndarray) -> np.ndarray:
    """Neighbour probabilities and running means before/after each block."""
    n = P.shape[0]
    parts = [P, *(shifted(P, off) for off in _CONTEXT_OFFSETS)]
    cum = np.vstack([np.zeros((1, P.shape[1])), np.cumsum(P, axis=0)])
    idx = np.arange(n)
    for span in _SPANS:
        lo = np.maximum(idx - span, 0)
        parts.append((cum[idx] - cum[lo]) / np.maximum(idx - lo, 1)[:, None])
        hi = np.minimum(idx + 1 + span, n)
        parts.append((cum[hi] - cum[idx + 1]) / np.maximum(hi - idx - 1, 1)[:, None])
    parts.append(cum[idx] / np.maximum(idx, 1)[:, None])
    parts.append((cum[n] - cum[idx + 1]) / np.maximum(n - idx - 1, 1)[:, None])
    return np.hstack(parts).astype(np.float32)


class LineLabeller(ClassifierMixin, BaseEstimator):
    """Labels every block of a page with one of :data:`~moderate.pages.labels.LINE_LABELS`.

    ``fit`` and ``predict_pages`` take lists of per-page base feature matrices (from
    :func:`~moderate.pages.features.page_features`); windows are added here.
    """

    def __init__(
        self,
        max_iter: int = 100,
        learning_rate: float = 0.15,
        max_leaf_nodes: int = 31,
        l2_regularization: float = 1.0,
        stacked: bool = True,
        folds: int = 3,
        transition_weight: float = 1.0,
        prior_power: float = 0.5,
        random_state: int = 0,
    ) -> None:
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.l2_regularization = l2_regularization
        self.stacked = stacked
        self.folds = folds
        self.transition_weight = transition_weight
        self.prior_power = prior_power
        self.random_state = random_state

    def _booster(self) -> HistGradientBoostingClassifier:
        return HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            l2_regularization=self.l2_regularization,
            early_stopping=False,
            random_state=self.random_state,
        )

    def fit(self, pages: Sequence[np.ndarray], labels: Sequence[Sequence[str]], weights: Sequence[float] | None = None,
            blocks: Sequence[Sequence[Any]] | None = None, comment_ids: Sequence[Sequence[int | None]] | None = None):
        """Fit on per-page feature matrices and labels; with ``blocks`` and ``comment_ids`` (the
        true comment of every block) also fit the comment segmenter."""
        index = {label: k for k, label in enumerate(LINE_LABELS)}
        Xw = [window_features(X) for X in pages]
        ys = [np.array([index[label] for label in y], dtype=np.int64) for y in labels]
        X = np.vstack(Xw)
        y = np.concatenate(ys)
        groups = np.concatenate([np.full(len(v), i) for i, v in enumerate(ys)])
        sw = None
        if weights is not None:
            sw = np.concatenate([np.full(len(v), w, dtype=np.float64) for v, w in zip(ys, weights)])
        self.classes_ = np.array(LINE_LABELS)
        self.first_ = self._booster().fit(X, y, sample_weight=sw)
        if self.stacked:
            oof = np.zeros((len(y), K))
            for train, test in GroupKFold(n_splits=self.folds).split(X, y, groups):
                model = self._booster().fit(X[train], y[train], sample_weight=None if sw is None else sw[train])
                oof[test] = self._full_proba(model, X[test])
            stacked, start = [], 0
            for v in ys:
                stacked.append(_stack_features(oof[start:start + len(v)]))
                start += len(v)
            self.second_ = self._booster().fit(np.hstack([X, np.vstack(stacked)]), y, sample_weight=sw)
        counts = np.ones((K, K))
        start_counts = np.ones(K)
        for v in ys:
            if len(v):
                start_counts[v[0]] += 1
                np.add.at(counts, (v[:-1], v[1:]), 1)
        self.log_transitions_ = np.log(counts / counts.sum(axis=1, keepdims=True))
        self.log_start_ = np.log(start_counts / start_counts.sum())
        prior = np.bincount(y, minlength=K).astype(np.float64) + 1.0
        self.log_prior_ = np.log(prior / prior.sum())
        self.segmenter_ = None
        if blocks is not None and comment_ids is not None:
            self.segmenter_ = fit_segmenter(pages, labels, blocks, comment_ids, weights, self.random_state)
        return self

    @staticmethod
    def _full_proba(model: HistGradientBoostingClassifier, X: np.ndarray) -> np.ndarray:
        out = np.zeros((X.shape[0], K))
        out[:, model.classes_] = chunked_proba(model, X)
        return out

    def page_probabilities(self, pages: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Per-block label probabilities for each page (one batched call per step)."""
        sizes = [len(X) for X in pages]
        if not sum(sizes):
            return [np.zeros((0, K)) for _ in pages]
        P = self._probabilities(np.vstack([window_features(X) for X in pages]), sizes)
        out, start = [], 0
        for size in sizes:
            out.append(P[start:start + size])
            start += size
        return out

    def _probabilities(self, Xw: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
        """Probabilities of the stacked windowed features of pages of ``sizes`` blocks."""
        P = self._full_proba(self.first_, Xw)
        if getattr(self, "second_", None) is not None:
            stacked, start = [], 0
            for size in sizes:
                stacked.append(_stack_features(P[start:start + size]))
                start += size
            P = self._full_proba(self.second_, np.hstack([Xw, np.vstack(stacked)]))
        return P

    def decode(self, P: np.ndarray) -> np.ndarray:
        """Most likely label sequence (indices) given per-block probabilities."""
        n = P.shape[0]
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        emit = np.log(np.clip(P, 1e-9, 1.0)) - self.prior_power * self.log_prior_
        trans = self.transition_weight * self.log_transitions_
        score = self.transition_weight * self.log_start_ + emit[0]
        back = np.zeros((n, K), dtype=np.int64)
        for i in range(1, n):
            cand = score[:, None] + trans
            back[i] = np.argmax(cand, axis=0)
            score = cand[back[i], np.arange(K)] + emit[i]
        path = np.zeros(n, dtype=np.int64)
        path[-1] = int(np.argmax(score))
        for i in range(n - 1, 0, -1):
            path[i - 1] = back[i, path[i]]
        return path

    def predict_pages(self, pages: Sequence[np.ndarray]) -> list[list[str]]:
        return [[LINE_LABELS[k] for k in self.decode(P)] for P in self.page_probabilities(pages)]


class LabellerEnsemble(LineLabeller):
    """Line labellers trained on different draws of rendered pages, averaged.

    One training leans on the rendered pages it happened to draw: two trainings that differ only
    in their seed move real-page comment F1 by several points. The ensemble averages its members'
    per-block probabilities (and decodes with their mean transition, start and prior
    log-probabilities) and its segmenter averages the members' comment-start probabilities.
    """

    def __init__(self, members: Sequence[LineLabeller] = ()) -> None:
        self.members = list(members)

    def fit(self, *args, **kwargs):  # pragma: no cover - members are fitted one by one
        raise TypeError("LabellerEnsemble is built from fitted LineLabellers: LabellerEnsemble([m1, m2, ...])")

    @property
    def members(self) -> list[LineLabeller]:
        return self._members

    @members.setter
    def members(self, members: list[LineLabeller]) -> None:
        from moderate.pages.segment import SegmenterEnsemble

        self._members = members
        if not members:
            return
        self.classes_ = members[0].classes_
        self.transition_weight = members[0].transition_weight
        self.prior_power = members[0].prior_power
        for name in ("log_transitions_", "log_start_", "log_prior_"):
            setattr(self, name, np.mean([getattr(m, name) for m in members], axis=0))
        segmenters = [m.segmenter_ for m in members if getattr(m, "segmenter_", None) is not None]
        self.segmenter_ = SegmenterEnsemble(segmenters) if segmenters else None

    def _probabilities(self, Xw: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
        return np.mean([m._probabilities(Xw, sizes) for m in self.members], axis=0)


def fit_segmenter(pages: Sequence[np.ndarray], labels: Sequence[Sequence[str]],
                  blocks: Sequence[Sequence[Any]], comment_ids: Sequence[Sequence[int | None]],
                  weights: Sequence[float] | None = None, random_state: int = 0) -> Any:
    """The comment segmenter, learnt from the true line labels of every page with comments.

    (Adding each page a second time with the labels the line classifier predicts for it was tried:
    better on the held-out layouts, 0.913 vs 0.910 text, but worse on the real held-out dragnet
    sites, comment F1 0.841 vs 0.916; not kept.)"""
    from moderate.pages.segment import CommentSegmenter

    keep = [k for k, ids in enumerate(comment_ids) if any(i is not None for i in ids)]
    items = [(blocks[k], list(labels[k]), pages[k], comment_ids[k]) for k in keep]
    w = None if weights is None else [weights[k] for k in keep]
    return CommentSegmenter(random_state=random_state).fit(items, weights=w)
