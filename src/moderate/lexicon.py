"""A word-level incivility lexicon learned from Toxic Spans annotations.

Toxic Spans raters marked *which characters* of a comment are toxic, and of what type.
:func:`span_word_table` turns that into, for every (normalised) word and label, the share
of its occurrences that raters marked as part of a span of that label: ``idiot`` is marked
as an insult most of the time it appears, ``the`` never. Only comments of the requested
split (``train`` when training) are read, so the lexicon never sees dev or test text.

:class:`SpanLexicon` turns a comment into a few dense features per label (the highest word
score, the log of the summed scores, the log of the number of words scoring at least
``strong``). They give the linear heads a direct signal of *explicit* abusive words,
which bag-of-n-gram weights learned from comment-level labels blur. The table is stored
in the transformer, so a model folder carries its own lexicon.

``identity_attack`` is left out on purpose: raters mark the identity words themselves
(``gay``, ``muslims``, ``blacks``) as the span of an identity attack, so such a lexicon
would teach the model that mentioning a group is an attack.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from moderate import corpora
from moderate.features import WORD_PATTERN
from moderate.normalise import normalise
from moderate.schema import LABELS

#: Labels whose lexicon scores become features (see the module docstring for why not all).
LEXICON_LABELS: tuple[str, ...] = ("toxicity", "insult", "obscene", "threat")
_RAW_WORD_RE = re.compile(r"\w+")
_WORD_RE = re.compile(WORD_PATTERN)


def span_word_table(
    data_dir: Path | None = None, split: str | None = "train", min_count: int = 3
) -> pd.DataFrame:
    """Per normalised word: ``count`` (comments containing it) and, per label, ``inside``.

    ``inside[label]`` sums, over those comments, the fraction of the comment's annotators
    whose spans of that label cover at least half of the word (``toxicity``: a span of any
    type). Only words seen in at least ``min_count`` comments are kept.
    """
    root = corpora._resolve_dir(data_dir)
    f_com, f_ann, f_spn = corpora.SOURCES["toxic_spans"].files
    comments = corpora._read_csv(root, f_com, dtype={"comment_text": "str"})
    annotations = corpora._read_csv(root, f_ann)
    spans = corpora._read_csv(root, f_spn, dtype={"type": "str"}).drop_duplicates()
    comments = comments[comments["comment_text"].notna()]
    if split is not None:
        comments = comments[comments["comment_text"].map(corpora.split_of) == split]
    annotators = annotations.groupby("comment_id")["annotation"].nunique()
    spans = spans.merge(annotations[["annotation", "comment_id"]], on="annotation")
    by_comment: dict[Any, list[tuple[Any, str | None, int, int]]] = defaultdict(list)
    for row in spans.itertuples(index=False):
        label = corpora._SPAN_TYPES.get(row.type)
        by_comment[row.comment_id].append((row.annotation, label, int(row.start), int(row.end)))

    count: dict[str, int] = defaultdict(int)
    inside: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(LABELS)))
    for comment_id, text in zip(comments["comment_id"], comments["comment_text"]):
        n_annotators = int(annotators.get(comment_id, 0))
        if n_annotators == 0:
            continue
        matches = list(_RAW_WORD_RE.finditer(text))
        if not matches:
            continue
        starts = np.array([m.start() for m in matches])
        ends = np.array([m.end() for m in matches])
        # one character mask per (annotator, label); toxicity takes spans of every type
        marks: dict[tuple[Any, int], np.ndarray] = {}
        for annotation, label, begin, stop in by_comment.get(comment_id, ()):
            for j in {0, LABELS.index(label)} if label else {0}:
                mask = marks.setdefault((annotation, j), np.zeros(len(text), dtype=np.int32))
                mask[max(0, begin) : max(0, min(len(text), stop))] = 1
        # share[t, j]: fraction of annotators whose label-j spans cover half of token t
        share = np.zeros((len(matches), len(LABELS)))
        for (_, j), mask in marks.items():
            cumulative = np.concatenate([[0], np.cumsum(mask)])
            covered = (cumulative[ends] - cumulative[starts]) / (ends - starts)
            share[:, j] += covered >= 0.5
        share /= n_annotators
        seen: set[str] = set()
        for t, match in enumerate(matches):
            word = normalise(match.group(0))
            if not word or word in seen or " " in word:
                continue
            seen.add(word)
            count[word] += 1
            inside[word] += share[t]
    words = sorted(w for w, c in count.items() if c >= min_count)
    table = pd.DataFrame({"word": words, "count": [count[w] for w in words]})
    values = np.array([inside[w] for w in words]).reshape(len(words), len(LABELS))
    for j, label in enumerate(LABELS):
        table[label] = values[:, j]
    return table


def word_scores(
    table: pd.DataFrame, labels: Sequence[str] = LEXICON_LABELS, prior: float = 2.0
) -> np.ndarray:
    """Smoothed share of a word's occurrences marked with each label: (n_words, len(labels))."""
    counts = table["count"].to_numpy(dtype=float)[:, None]
    return table[list(labels)].to_numpy(dtype=float) / (counts + prior)


class SpanLexicon(TransformerMixin, BaseEstimator):
    """Dense lexicon features for normalised texts (see the module docstring).

    Parameters
    ----------
    words : the lexicon's words (normalised), or None for an empty lexicon.
    scores : array (len(words), len(labels)) of word scores in [0, 1].
    labels : the labels the score columns stand for (names of the output features).
    strong : a word scoring at least this much for a label counts as a strong cue.
    """

    def __init__(
        self,
        words: Sequence[str] | np.ndarray | None = None,
        scores: np.ndarray | None = None,
        labels: Sequence[str] = LEXICON_LABELS,
        strong: float = 0.3,
    ) -> None:
        self.words = words
        self.scores = scores
        self.labels = labels
        self.strong = strong

    def fit(self, texts: Sequence[str], y: object = None) -> SpanLexicon:
        words = np.asarray([] if self.words is None else self.words, dtype=str)
        n_labels = len(self.labels)
        scores = np.zeros((0, n_labels)) if self.scores is None else np.asarray(self.scores)
        if scores.shape != (len(words), n_labels):
            raise ValueError(f"scores must have shape ({len(words)}, {n_labels})")
        self.words_ = words
        self.scores_ = scores.astype(np.float32)
        self.n_features_in_ = 1
        return self

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())
        state.pop("_index", None)  # a lookup cache, rebuilt on demand
        return state

    def _lookup(self) -> dict[str, int]:
        index = getattr(self, "_index", None)
        if index is None:
            index = self._index = {word: i for i, word in enumerate(self.words_.tolist())}
        return index

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        check_is_fitted(self, "scores_")
        index = self._lookup()
        rows: list[int] = []
        cols: list[int] = []
        for i, text in enumerate(texts):
            found = {index[w] for w in _WORD_RE.findall(text) if w in index}
            rows.extend([i] * len(found))
            cols.extend(found)
        present = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)),
            shape=(len(texts), len(self.words_)),
        )
        strongest = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        for j in range(len(self.labels)):
            weighted = present.multiply(self.scores_[:, j]).tocsr()
            strongest[:, j] = weighted.max(axis=1).toarray().ravel()
        total = np.log1p(present @ self.scores_)
        strong = np.log1p(present @ (self.scores_ >= self.strong).astype(np.float32))
        return sp.csr_matrix(np.hstack([strongest, total, strong]).astype(np.float32))

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        kinds = ("max", "sum", "strong")
        names = [f"lexicon_{kind}_{label}" for kind in kinds for label in self.labels]
        return np.array(names, dtype=object)
