"""Active-learning queue: pick the comments whose labels would teach the model most.

The algorithm (:func:`select` on arrays in memory, :func:`build_queue` on table files):

1. **Uncertainty.** For each comment and label, the *margin* is
   ``|logit(p) - logit(t_review)|``, with ``p`` clipped to ``[PROB_EPS, 1 - PROB_EPS]``
   and ``t_review`` the label's review threshold. A small margin means the model's
   decision for that label could flip with a little more evidence. A missing score
   (NaN, e.g. ``off_topic`` without an article) has an infinite margin: never picked for it.
2. **Bounded pools.** Per label only the ``K = max(POOL_FACTOR * n, MIN_POOL)`` comments
   with the smallest margins are kept (ties broken by input order, or with ``seed`` by a
   seeded hash of the text). :func:`build_queue` streams the input in chunks and merges each
   chunk into these pools, so memory depends on ``n``, not on the size of the dump; a
   chunked run picks exactly what a one-chunk run picks.
3. **Exact duplicates collapse.** Texts with the same :func:`moderate.corpora.normalise_key`
   are one candidate (the first copy); ``duplicates`` counts the copies seen.
4. **Spread across labels.** Picks are made round-robin over the labels: each label in
   turn takes its most uncertain candidate not picked yet, so a queue of 200 is not 200
   toxicity borderline cases. A label whose pool is used up leaves the rotation.
5. **Diversity.** A candidate whose TF-IDF cosine (:data:`TFIDF_PARAMS`, fitted on the
   candidate pool only) to an already picked text is ``>= similarity`` is a near-duplicate
   and never picked. With ``groups`` (thread or article ids), no group gets more than
   ``max(1, ceil(n * max_group_share))`` picks. If the cap leaves fewer than ``n`` picks,
   a second round-robin pass runs without the cap and the result says ``relaxed``.
   Near-duplicates stay excluded even then, so a small input can give fewer than ``n`` picks.

**Already labelled texts** (``exclude_keys``: :func:`moderate.corpora.normalise_key` keys, as in
the ``key`` column of :func:`moderate.retrain.labelfile.read_label_file`) are dropped before
step 1: they are never picked and :func:`build_queue` does not even score them.

**Random sample** (:func:`build_queue` with ``random_sample=True``): instead of steps 1-2 and
4-5, the ``n`` distinct texts (after collapsing exact duplicates and dropping labelled ones)
with the smallest :func:`seeded_tie` hash of their key are taken, in hash order. That is a
uniform random sample, the same for the same seed whatever the chunk size, found in memory
bounded by ``n``; only the ``n`` picks are scored. On low-prevalence sites the project's
benchmark found random samples taught the model more than uncertainty picks
(``benchmarks/README.md``, C3).

Nothing here reads files except :func:`build_queue`; nothing prints.
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from moderate.corpora import normalise_key

#: Probabilities are clipped to ``[PROB_EPS, 1 - PROB_EPS]`` before taking logits.
PROB_EPS = 1e-6
#: Pool size per label: ``max(POOL_FACTOR * n, MIN_POOL)`` most uncertain candidates.
POOL_FACTOR = 20
MIN_POOL = 2000
#: A label whose margin (in logits) is under this is "just" above/below its threshold in
#: ``why``, and is listed there as "also uncertain" when it is not the label picked for.
NEAR_MARGIN = 1.0
#: At most this many other uncertain labels are named in ``why``.
MAX_ALSO_UNCERTAIN = 2
#: TF-IDF used for near-duplicate detection (word unigrams and bigrams).
TFIDF_PARAMS: dict[str, Any] = {"ngram_range": (1, 2), "sublinear_tf": True, "lowercase": True}
#: Columns copied from the input to the queue when present (besides text and group).
ID_COLUMNS: tuple[str, ...] = ("comment_id",)
#: Label Studio names, from the project's labelling config.
LS_FROM_NAME = "incivility"
LS_TO_NAME = "text"
LS_NONE_CHOICE = "none"

#: ``picked_for`` and ``why`` of a random-sample pick.
RANDOM_PICKED_FOR = "random"
RANDOM_WHY = "random sample"

#: Columns :func:`select` returns, in order.
SELECT_COLUMNS: tuple[str, ...] = ("row", "picked_for", "margin", "why", "duplicates")


def _check_options(n: int, max_group_share: float, similarity: float, error: type[Exception], prefix: str = "") -> None:
    if n < 1:
        raise error(f"{prefix}n must be at least 1, got {n}")
    if not 0 < max_group_share <= 1:
        raise error(f"{prefix}{'max-group-share' if prefix else 'max_group_share'} must be in (0, 1], got {max_group_share}")
    if not 0 < similarity <= 1:
        raise error(f"{prefix}similarity must be in (0, 1], got {similarity}")


def pool_size(n: int) -> int:
    """Candidates kept per label when picking ``n``: ``max(POOL_FACTOR * n, MIN_POOL)``."""
    return max(POOL_FACTOR * n, MIN_POOL)


def group_cap(n: int, max_group_share: float) -> int:
    """Most picks one group may get: ``max(1, ceil(n * max_group_share))``."""
    return max(1, math.ceil(n * max_group_share - 1e-9))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, PROB_EPS, 1 - PROB_EPS)
    return np.log(p) - np.log1p(-p)


def margins(probs: np.ndarray, review: Sequence[float]) -> np.ndarray:
    """``|logit(p) - logit(t)|`` per cell; ``probs`` is ``(rows, labels)``, ``review`` one
    threshold per label. NaN probabilities give ``inf``."""
    probs = np.asarray(probs, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        out = np.abs(_logit(probs) - _logit(np.asarray(review, dtype=np.float64))[None, :])
    out[np.isnan(out)] = np.inf
    return out


def _review_thresholds(labels: Sequence[str], thresholds: Mapping[str, Mapping[str, float]]) -> list[float]:
    missing = [label for label in labels if label not in thresholds or "review" not in thresholds[label]]
    if missing:
        raise ValueError(f"no review threshold for label(s): {', '.join(missing)}")
    return [float(thresholds[label]["review"]) for label in labels]


def _dedup_key(text: str) -> str:
    return normalise_key(text) or text.strip()


def seeded_tie(key: str, seed: int) -> float:
    """A tie-break key in [0, 1) from a text's dedup key and a seed: the same text gets the
    same key wherever it appears, so chunking and duplicates do not change the order."""
    digest = hashlib.blake2b(f"{seed}\x00{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _fmt(p: float, t: float) -> tuple[str, str]:
    """``p`` and ``t`` with 2 decimals, or up to 4 when fewer would make them look equal."""
    digits = 2
    while digits < 4 and f"{p:.{digits}f}" == f"{t:.{digits}f}":
        digits += 1
    return f"{p:.{digits}f}", f"{t:.{digits}f}"


def explain(probs_row: np.ndarray, margins_row: np.ndarray, labels: Sequence[str],
            review: Sequence[float], picked: int) -> str:
    """The ``why`` sentence for a row picked for ``labels[picked]``, e.g.
    ``"toxicity 0.41, just below its review threshold 0.43; also uncertain: insult 0.30 (threshold 0.35)"``."""
    p, t = float(probs_row[picked]), float(review[picked])
    side = "above" if p >= t else "below"
    near = "just " if margins_row[picked] < NEAR_MARGIN else ""
    shown_p, shown_t = _fmt(p, t)
    sentence = f"{labels[picked]} {shown_p}, {near}{side} its review threshold {shown_t}"
    others = [j for j in np.argsort(margins_row, kind="stable")
              if j != picked and margins_row[j] < NEAR_MARGIN][:MAX_ALSO_UNCERTAIN]
    if others:
        parts = []
        for j in others:
            op, ot = _fmt(float(probs_row[j]), float(review[j]))
            parts.append(f"{labels[j]} {op} (threshold {ot})")
        sentence += "; also uncertain: " + ", ".join(parts)
    return sentence


def _near_duplicate_matrix(texts: Sequence[str]) -> Any:
    """L2-normalised TF-IDF rows for ``texts`` (a sparse matrix), or None without a vocabulary."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        return TfidfVectorizer(**TFIDF_PARAMS).fit_transform(list(texts)).tocsr()
    except ValueError:  # empty vocabulary: only stop words / punctuation
        return None


def select(texts: Sequence[str], probs: np.ndarray, labels: Sequence[str],
           thresholds: Mapping[str, Mapping[str, float]], n: int,
           groups: Sequence[Any] | None = None, max_group_share: float = 0.1,
           similarity: float = 0.8, *, copies: Sequence[int] | None = None,
           seed: int | None = None, tiebreak: Sequence[float] | None = None,
           exclude_keys: Collection[str] | None = None) -> pd.DataFrame:
    """Pick up to ``n`` rows to label (see the module docstring for the algorithm).

    Args:
        texts: the comment texts, length ``rows`` (non-blank strings).
        probs: ``(rows, len(labels))`` probabilities, columns in ``labels`` order.
        labels: the label names to queue for.
        thresholds: ``{label: {"review": t, ...}}``; every label needs a review threshold.
        n: picks wanted (at least 1).
        groups: optional group id per row (thread / article); missing ids are not capped.
        max_group_share: a group gets at most ``max(1, ceil(n * share))`` picks (0 < share <= 1).
        similarity: TF-IDF cosine at or above which a text is a near-duplicate (0 < s <= 1).
        copies: optional count of copies each row already stands for (default 1 each).
        seed: break ties between equal margins randomly (default: by row order).
        tiebreak: explicit tie-break keys per row (smaller first); overrides ``seed``.
        exclude_keys: keys of texts already labelled (:func:`moderate.corpora.normalise_key`,
            the ``key`` column of a label file); rows whose text has one are never picked.

    Returns:
        One row per pick in rank order, with columns ``row`` (position in ``texts``),
        ``picked_for`` (label), ``margin`` (logit distance to the review threshold), ``why``
        (a sentence) and ``duplicates`` (copies of this text among the rows, at least 1).
        ``DataFrame.attrs`` holds ``candidates`` (distinct texts in the pools), ``relaxed``
        (True when the group cap had to be lifted to reach ``n``) and ``excluded`` (rows, counted
        with their ``copies``, skipped as already labelled).
    """
    texts = list(texts)
    labels = list(labels)
    probs = np.asarray(probs, dtype=np.float64)
    if probs.shape != (len(texts), len(labels)):
        raise ValueError(f"probs has shape {probs.shape}, expected ({len(texts)}, {len(labels)})")
    _check_options(n, max_group_share, similarity, ValueError)
    if groups is not None and len(groups) != len(texts):
        raise ValueError(f"groups has {len(groups)} values for {len(texts)} texts")
    review = _review_thresholds(labels, thresholds)

    # 3. exact duplicates: the first copy stands for all
    counts = np.ones(len(texts), dtype=np.int64) if copies is None else np.asarray(copies, dtype=np.int64)
    first_of: dict[str, int] = {}
    dup_total: dict[int, int] = {}
    excluded = 0
    for position, text in enumerate(texts):
        key = _dedup_key(text)
        if exclude_keys and key in exclude_keys:
            excluded += int(counts[position])
            continue
        first = first_of.setdefault(key, position)
        dup_total[first] = dup_total.get(first, 0) + int(counts[position])
    distinct = np.fromiter(dup_total.keys(), dtype=np.int64, count=len(dup_total))

    # 1-2. margins and bounded per-label pools
    if tiebreak is not None:
        ties = np.asarray(tiebreak, dtype=np.float64)
    elif seed is not None:
        ties = np.array([seeded_tie(_dedup_key(text), seed) for text in texts], dtype=np.float64)
    else:
        ties = np.arange(len(texts), dtype=np.float64)
    distinct_margins = margins(probs[distinct], review)
    k = pool_size(n)
    orders = []
    for j in range(len(labels)):
        order = np.lexsort((ties[distinct], distinct_margins[:, j]))[:k]
        orders.append(order[np.isfinite(distinct_margins[order, j])])
    pool = np.unique(np.concatenate(orders)) if orders else np.zeros(0, dtype=np.int64)
    local_of = {int(d): i for i, d in enumerate(pool)}
    pool_rows = distinct[pool]
    per_label = [np.array([local_of[int(d)] for d in order], dtype=np.int64) for order in orders]

    matrix = _near_duplicate_matrix([texts[r] for r in pool_rows]) if len(pool_rows) else None
    pool_groups: list[Any] = [None] * len(pool_rows)
    if groups is not None:
        pool_groups = [None if _is_missing(groups[r]) else groups[r] for r in pool_rows]

    # 4-5. round robin over labels with near-duplicate and group-cap checks
    picks: list[tuple[int, int]] = []  # (pool-local index, label index)
    taken = np.zeros(len(pool_rows), dtype=bool)
    blocked = np.zeros(len(pool_rows), dtype=bool)
    per_group: Counter[Any] = Counter()
    capped_out = False

    def round_robin(cap: int | None) -> None:
        nonlocal capped_out
        pointers = [0] * len(labels)
        active = [j for j in range(len(labels)) if len(per_label[j])]
        while active and len(picks) < n:
            for j in list(active):
                if len(picks) >= n:
                    break
                candidates = per_label[j]
                while pointers[j] < len(candidates):
                    c = int(candidates[pointers[j]])
                    pointers[j] += 1
                    if taken[c] or blocked[c]:
                        continue
                    group = pool_groups[c]
                    if cap is not None and group is not None and per_group[group] >= cap:
                        capped_out = True
                        continue
                    picks.append((c, j))
                    taken[c] = True
                    if group is not None:
                        per_group[group] += 1
                    if matrix is not None:
                        cosine = np.asarray((matrix @ matrix[c].T).todense()).ravel()
                        blocked[cosine >= similarity] = True
                    break
                else:
                    active.remove(j)

    round_robin(group_cap(n, max_group_share) if groups is not None else None)
    relaxed = False
    if len(picks) < n and capped_out:
        before = len(picks)
        round_robin(None)
        relaxed = len(picks) > before

    rows, picked_for, margin_values, whys, duplicates = [], [], [], [], []
    for c, j in picks:
        row = int(pool_rows[c])
        d = int(pool[c])
        rows.append(row)
        picked_for.append(labels[j])
        margin_values.append(float(distinct_margins[d, j]))
        whys.append(explain(probs[row], distinct_margins[d], labels, review, j))
        duplicates.append(dup_total[row])
    out = pd.DataFrame({
        "row": pd.Series(rows, dtype="int64"),
        "picked_for": pd.Series(picked_for, dtype=object),
        "margin": pd.Series(margin_values, dtype="float64"),
        "why": pd.Series(whys, dtype=object),
        "duplicates": pd.Series(duplicates, dtype="int64"),
    })
    out.attrs["candidates"] = len(pool_rows)
    out.attrs["relaxed"] = relaxed
    out.attrs["excluded"] = excluded
    return out


# --------------------------------------------------------------------------- streaming


@dataclass
class _Candidate:
    """One distinct text kept in at least one label's pool."""

    text: str
    probs: np.ndarray  # one probability per model label (and off_topic, if scored)
    tie: float
    extras: dict[str, Any]
    copies: int = 1


@dataclass
class CandidatePools:
    """Per-label pools of the ``k`` most uncertain distinct texts, fed chunk by chunk.

    ``add`` takes a chunk's texts, probabilities ``(rows, len(all_labels))``, tie-break keys
    and extra columns; afterwards only texts in some pool are held (``candidates``).
    """

    queue_labels: list[int]  # indices into the probability columns
    review: list[float]  # review threshold per queue label
    k: int
    candidates: dict[str, _Candidate] = field(default_factory=dict)
    _pools: list[tuple[np.ndarray, np.ndarray, list[str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._pools = [(np.zeros(0), np.zeros(0), []) for _ in self.queue_labels]

    def add(self, texts: Sequence[str], probs: np.ndarray, ties: np.ndarray,
            extras: Mapping[str, Sequence[Any]], keys: Sequence[str] | None = None) -> None:
        fresh: dict[str, int] = {}  # key -> position in this chunk
        fresh_copies: Counter[str] = Counter()
        if keys is None:
            keys = [_dedup_key(text) for text in texts]
        for position, key in enumerate(keys):
            known = self.candidates.get(key)
            if known is not None:
                known.copies += 1
            else:
                fresh.setdefault(key, position)
                fresh_copies[key] += 1
        if not fresh:
            return
        fresh_keys = list(fresh)
        positions = np.fromiter(fresh.values(), dtype=np.int64, count=len(fresh))
        chunk_margins = margins(probs[positions][:, self.queue_labels], self.review)
        chunk_ties = ties[positions]
        kept: set[str] = set()
        for j, (pool_margins, pool_ties, pool_keys) in enumerate(self._pools):
            all_margins = np.concatenate([pool_margins, chunk_margins[:, j]])
            all_ties = np.concatenate([pool_ties, chunk_ties])
            all_keys = pool_keys + fresh_keys
            order = np.lexsort((all_ties, all_margins))[: self.k]
            order = order[np.isfinite(all_margins[order])]
            new_keys = [all_keys[i] for i in order]
            self._pools[j] = (all_margins[order], all_ties[order], new_keys)
            kept.update(new_keys)
        for key, position in fresh.items():
            if key in kept:
                self.candidates[key] = _Candidate(
                    texts[position], probs[position].copy(), float(ties[position]),
                    {name: values[position] for name, values in extras.items()}, fresh_copies[key])
        for key in [key for key in self.candidates if key not in kept]:
            del self.candidates[key]


@dataclass
class RandomSample:
    """A seeded uniform sample of ``n`` distinct texts, fed chunk by chunk.

    Keeps the ``n`` distinct keys with the smallest ``(seeded_tie(key, seed), key)``: a key not
    among them when first seen never will be, so the sample, its order and the ``copies`` counts
    do not depend on the chunking, and memory is bounded by ``n``.
    """

    n: int
    seed: int
    candidates: dict[str, _Candidate] = field(default_factory=dict)

    def add(self, texts: Sequence[str], keys: Sequence[str], extras: Mapping[str, Sequence[Any]]) -> None:
        limit = (max((c.tie, key) for key, c in self.candidates.items())
                 if len(self.candidates) >= self.n else None)
        fresh: dict[str, _Candidate] = {}
        for position, (text, key) in enumerate(zip(texts, keys)):
            known = self.candidates.get(key) or fresh.get(key)
            if known is not None:
                known.copies += 1
                continue
            tie = seeded_tie(key, self.seed)
            if limit is not None and (tie, key) > limit:
                continue
            fresh[key] = _Candidate(text, np.zeros(0), tie, {name: values[position] for name, values in extras.items()})
        if fresh:
            self.candidates.update(fresh)
            if len(self.candidates) > self.n:
                kept = sorted(self.candidates, key=lambda k: (self.candidates[k].tie, k))[: self.n]
                self.candidates = {key: self.candidates[key] for key in kept}

    def picks(self) -> list[_Candidate]:
        """The sample in hash order (a random order)."""
        return [self.candidates[key] for key in sorted(self.candidates, key=lambda k: (self.candidates[k].tie, k))]


def _scorable(values: Sequence[Any]) -> tuple[np.ndarray, list[str]]:
    """Mask of rows with non-blank text, and those texts (``str(value)`` for non-strings)."""
    mask = np.zeros(len(values), dtype=bool)
    texts: list[str] = []
    for position, value in enumerate(values):
        if value is None or (not isinstance(value, str) and _is_missing(value)):
            continue
        text = value if isinstance(value, str) else str(value)
        if text.strip():
            mask[position] = True
            texts.append(text)
    return mask, texts


@dataclass
class _Source:
    """Where a chunk comes from, and the columns found in its file's first chunk."""

    path: str
    text_column: Any


def _chunks(paths: Sequence[str], text_col: str | None, required: Sequence[str],
            chunk_size: int) -> Iterator[tuple[_Source, pd.DataFrame]]:
    from moderate import io as table_io
    from moderate.errors import InputError
    from moderate.score import find_text_column

    for path in paths:
        source: _Source | None = None
        for chunk in table_io.iter_table_chunks(path, chunk_size):
            if source is None:
                try:
                    source = _Source(path, find_text_column(chunk.columns, text_col))
                except InputError as exc:
                    raise InputError(f"{path}: {exc}") from None
                missing = [c for c in required if c not in chunk.columns]
                if missing:
                    available = ", ".join(repr(str(c)) for c in chunk.columns)
                    raise InputError(f"{path}: no column(s) {', '.join(map(repr, missing))}; available: {available}")
            yield source, chunk


def build_queue(paths: Sequence[str | os.PathLike[str]], n: int = 200, text_col: str | None = None,
                model: Any = None, group_col: str | None = None, labels: Sequence[str] | None = None,
                max_group_share: float = 0.1, similarity: float = 0.8, chunk_size: int = 50_000,
                progress: bool = False, seed: int | None = None, article_col: str | None = None,
                offtopic_model: Any = None, n_jobs: int | None = None,
                exclude_keys: Collection[str] | None = None,
                random_sample: bool = False) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Stream comment tables, keep bounded candidate pools, and :func:`select` from them.

    Args:
        paths: comment tables (CSV / TSV / JSON Lines / Parquet, as for ``moderate score``).
        n: picks wanted.
        text_col: the text column (default: detected per file, as for ``moderate score``).
        model: a :class:`~moderate.registry.LoadedModel`, a model folder, or None (models/CURRENT).
        group_col: thread / article id column for the group cap (optional).
        labels: labels to queue for (default: all the model's labels, plus ``off_topic``
            with ``article_col``).
        max_group_share, similarity: as for :func:`select`.
        chunk_size: rows read and scored at a time.
        progress: show a progress bar on stderr.
        seed: break ties between equal margins randomly (default: by input order); with
            ``random_sample``, the sample's seed (default 0).
        article_col: column with each comment's article text; ``off_topic`` is then scored
            (:func:`moderate.score.score_frame`) and queued for, with the off-topic model's
            review threshold. Rows without an article are never picked for ``off_topic``.
        offtopic_model: off-topic model folder or loaded model (default models/offtopic/CURRENT).
        n_jobs: scoring worker processes (None: every core; 1: none).
        exclude_keys: keys of texts already labelled (:func:`moderate.corpora.normalise_key`, the
            ``key`` column of :func:`moderate.retrain.labelfile.read_label_file`); rows whose
            text has one are skipped (not scored, never picked) and counted.
        random_sample: pick a seeded uniform random sample of ``n`` distinct texts instead of
            uncertain ones (see :class:`RandomSample`); only the picks are scored. ``picked_for``
            is ``"random"``, ``why`` ``"random sample"``, ``margin`` the smallest over the queued
            labels; the group cap and the near-duplicate check do not apply.

    Returns:
        ``(picks, summary)``. ``picks`` has one row per pick in rank order: ``queue_rank``
        (1..), ``picked_for``, ``why``, ``margin``, ``duplicates``, the text (under the first
        file's text column name), ``comment_id`` / the group column / the article column when
        present, ``input_file``, ``input_row`` (0-based row in that file), one probability column
        per model label (and ``off_topic``), and ``model_id``. ``summary`` has ``rows_read``,
        ``rows_scored`` (rows with text, not already labelled; with ``random_sample`` only the
        picks are actually scored), ``rows_skipped`` (blank / missing text), ``rows_labelled``
        (skipped as already labelled), ``candidates``, ``picks``, ``picks_per_label``,
        ``relaxed``, ``strategy`` (``"uncertainty"`` or ``"random"``), ``seed``, ``seconds``,
        ``model_id``, ``text_column``, ``labels`` and ``thresholds`` (review and reject per
        queued label).

    Raises:
        InputError: a missing file, an unknown format, no text column, an unknown label, a
        missing group or article column. ModelError: the model cannot be loaded.
    """
    from moderate.errors import InputError
    from moderate.io import check_readable
    from moderate.schema import OFF_TOPIC
    from moderate.score import (
        Articles,
        Discussions,
        add_discussions,
        load_offtopic_if,
        resolve_model,
        score_frame,
        uses_discussion,
    )

    started = time.perf_counter()
    _check_options(n, max_group_share, similarity, InputError, prefix="--")
    if chunk_size < 1:
        raise InputError(f"chunk size must be positive, got {chunk_size}")
    path_list = [os.fspath(p) for p in paths]
    if not path_list:
        raise InputError("no input files given")
    for path in path_list:
        check_readable(path)
    if random_sample and seed is None:
        seed = 0
    exclude = exclude_keys if exclude_keys else None

    loaded = resolve_model(model)
    offtopic = load_offtopic_if(article_col is not None, offtopic_model, None)
    score_labels = [*loaded.labels, *([OFF_TOPIC] if offtopic is not None else [])]
    all_thresholds: dict[str, Mapping[str, float]] = dict(loaded.thresholds)
    if offtopic is not None:
        all_thresholds[OFF_TOPIC] = offtopic.thresholds[OFF_TOPIC]
    queue_labels = list(labels) if labels else list(score_labels)
    unknown = [label for label in queue_labels if label not in score_labels]
    if unknown:
        extra = " (off_topic needs --article-col)" if OFF_TOPIC in unknown else ""
        raise InputError(f"unknown label(s) {', '.join(map(repr, unknown))}{extra}; "
                         f"the model has: {', '.join(score_labels)}")
    queue_labels = list(dict.fromkeys(queue_labels))
    review = _review_thresholds(queue_labels, all_thresholds)
    queue_idx = [score_labels.index(label) for label in queue_labels]
    pools = CandidatePools(queue_idx, review, pool_size(n))
    sample = RandomSample(n, int(seed)) if random_sample else None

    required = [c for c in (group_col, article_col) if c is not None]
    from tqdm import tqdm

    discussions = None
    if offtopic is not None and uses_discussion(offtopic):
        # a first pass: every story's discussion over the whole input (off_topic judges a comment
        # with the other comments under its article, whatever chunk or sample it is scored in;
        # already-labelled comments are part of the discussion too)
        discussions = Discussions()
        with tqdm(unit="comments", file=sys.stderr, disable=not progress, dynamic_ncols=True,
                  desc="reading discussions") as bar:
            for source, chunk in _chunks(path_list, text_col, required, chunk_size):
                mask, texts = _scorable(chunk[source.text_column].tolist())
                if texts:
                    part = pd.DataFrame({"text": texts, "article": chunk.loc[mask, article_col].to_numpy(dtype=object)})
                    add_discussions(discussions, part, "text", offtopic, Articles(column="article"), n_jobs)
                bar.update(len(chunk))
        discussions.finish()

    def score(texts: list[str], articles: Sequence[Any] | None) -> np.ndarray:
        frame = pd.DataFrame({"text": texts})
        if offtopic is not None:
            frame["article"] = np.asarray(articles, dtype=object)
            scored = score_frame(frame, text_col="text", model=loaded, article_col="article",
                                 offtopic_model=offtopic, n_jobs=n_jobs, discussions=discussions)
        else:
            scored = score_frame(frame, text_col="text", model=loaded, n_jobs=n_jobs)
        return scored[score_labels].to_numpy(dtype=np.float64)

    rows_read = rows_scored = rows_labelled = rows_blank = 0
    first_text_column: Any = None

    with tqdm(unit="comments", file=sys.stderr, disable=not progress, dynamic_ncols=True) as bar:
        for source, chunk in _chunks(path_list, text_col, required, chunk_size):
            if first_text_column is None:
                first_text_column = source.text_column
            mask, texts = _scorable(chunk[source.text_column].tolist())
            rows_blank += len(chunk) - len(texts)
            keys = [_dedup_key(t) for t in texts]
            if exclude is not None:
                fresh = [key not in exclude for key in keys]
                labelled = len(keys) - sum(fresh)
                if labelled:
                    rows_labelled += labelled
                    mask[np.flatnonzero(mask)[~np.asarray(fresh, dtype=bool)]] = False
                    texts = [t for t, keep in zip(texts, fresh) if keep]
                    keys = [k for k, keep in zip(keys, fresh) if keep]
            # tie-break keys that do not depend on the chunking: input order, or a seeded hash
            ties = (np.array([seeded_tie(key, seed) for key in keys], dtype=np.float64)
                    if seed is not None and sample is None
                    else np.arange(rows_read, rows_read + len(chunk), dtype=np.float64)[mask])
            rows_read += len(chunk)
            bar.update(len(chunk))
            if not texts:
                continue
            rows_scored += len(texts)
            kept = chunk.loc[mask]
            extras: dict[str, Sequence[Any]] = {
                "input_file": [source.path] * len(texts),
                "input_row": kept.index.to_numpy(),
            }
            for column in (*ID_COLUMNS, group_col, article_col):
                if column is not None and column in kept.columns and column not in extras:
                    extras[column] = kept[column].tolist()
            if sample is not None:
                sample.add(texts, keys, extras)
                continue
            articles = kept[article_col].to_numpy(dtype=object) if offtopic is not None else None
            pools.add(texts, score(texts, articles), ties, extras, keys=keys)

    if sample is not None:
        candidates = sample.picks()
        cand_probs = (score([c.text for c in candidates],
                            [c.extras.get(article_col) for c in candidates] if offtopic is not None else None)
                      if candidates else np.zeros((0, len(score_labels))))
        cand_margins = margins(cand_probs[:, queue_idx], review)
        chosen = pd.DataFrame({
            "row": pd.Series(np.arange(len(candidates)), dtype="int64"),
            "picked_for": pd.Series([RANDOM_PICKED_FOR] * len(candidates), dtype=object),
            "margin": pd.Series(cand_margins.min(axis=1), dtype="float64"),
            "why": pd.Series([RANDOM_WHY] * len(candidates), dtype=object),
            "duplicates": pd.Series([c.copies for c in candidates], dtype="int64"),
        })
        chosen.attrs.update(candidates=len(candidates), relaxed=False)
    else:
        candidates = list(pools.candidates.values())
        cand_probs = (np.vstack([c.probs for c in candidates]) if candidates
                      else np.zeros((0, len(score_labels))))
        if candidates:
            chosen = select(
                [c.text for c in candidates], cand_probs[:, queue_idx], queue_labels, all_thresholds, n,
                groups=[c.extras.get(group_col) for c in candidates] if group_col is not None else None,
                max_group_share=max_group_share, similarity=similarity,
                copies=[c.copies for c in candidates], tiebreak=[c.tie for c in candidates],
            )
        else:
            chosen = pd.DataFrame({c: [] for c in SELECT_COLUMNS})
            chosen.attrs.update(candidates=0, relaxed=False)

    text_name = first_text_column if first_text_column is not None else "text"
    picked = [candidates[int(r)] for r in chosen["row"]]
    columns: dict[str, Any] = {
        "queue_rank": np.arange(1, len(chosen) + 1, dtype=np.int64),
        "picked_for": chosen["picked_for"].to_numpy(dtype=object),
        "why": chosen["why"].to_numpy(dtype=object),
        "margin": chosen["margin"].to_numpy(dtype=np.float64),
        "duplicates": chosen["duplicates"].to_numpy(dtype=np.int64),
        text_name: [c.text for c in picked],
    }
    for column in (*ID_COLUMNS, group_col, article_col):
        if column is not None and column not in columns and any(column in c.extras for c in candidates):
            columns[column] = [c.extras.get(column) for c in picked]
    columns["input_file"] = [c.extras["input_file"] for c in picked]
    columns["input_row"] = np.array([int(c.extras["input_row"]) for c in picked], dtype=np.int64)
    for i, label in enumerate(score_labels):
        if label not in columns:
            columns[label] = cand_probs[chosen["row"].to_numpy(dtype=np.int64), i] if len(chosen) else []
    columns["model_id"] = [loaded.model_id] * len(chosen)
    out = pd.DataFrame(columns)
    for column in ("picked_for", "why", text_name, "input_file", "model_id"):
        out[column] = out[column].astype(object)

    per_label = Counter(out["picked_for"].tolist())
    summary: dict[str, Any] = {
        "rows_read": rows_read,
        "rows_scored": rows_scored,
        "rows_skipped": rows_blank,
        "rows_labelled": rows_labelled,
        "candidates": int(chosen.attrs.get("candidates", 0)),
        "n": n,
        "picks": len(out),
        "picks_per_label": ({RANDOM_PICKED_FOR: len(out)} if random_sample
                            else {label: per_label[label] for label in queue_labels}),
        "relaxed": bool(chosen.attrs.get("relaxed", False)),
        "strategy": "random" if random_sample else "uncertainty",
        "seed": seed,
        "seconds": time.perf_counter() - started,
        "model_id": loaded.model_id,
        "offtopic_model_id": offtopic.model_id if offtopic is not None else None,
        "text_column": text_name,
        "labels": queue_labels,
        "score_labels": score_labels,
        "thresholds": {label: dict(all_thresholds[label]) for label in score_labels},
        "inputs": path_list,
    }
    return out, summary


# --------------------------------------------------------------------------- Label Studio


def _jsonable(value: Any) -> Any:
    """A JSON-serialisable version of a table cell (numpy scalars -> Python, NA -> None)."""
    if value is None or _is_missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def uncertainty_score(margin: float) -> float:
    """``1 / (1 + margin)``: 1 at the threshold, towards 0 far from it (Label Studio's
    prediction score, so sorting tasks by it puts the most uncertain first)."""
    return 1.0 / (1.0 + float(margin))


def labelstudio_tasks(picks: pd.DataFrame, text_col: str, labels: Sequence[str],
                      thresholds: Mapping[str, Mapping[str, float]], model_id: str,
                      article_col: str | None = None) -> list[dict[str, Any]]:
    """Label Studio import tasks for ``picks`` (the frame :func:`build_queue` returns).

    Each task: ``{"data": {"text", "comment_id"?, "article"?}, "meta": {"queue_rank",
    "picked_for", "why"}, "predictions": [{"model_version", "score", "result": [one
    "incivility" choices result: the ``labels`` whose probability is at or above their
    review threshold, or ["none"]]}]}``. ``labels`` are the incivility labels (columns of
    ``picks``); ``off_topic`` is not a choice of the ``incivility`` control and is skipped.
    The prediction score is :func:`uncertainty_score` of the margin.
    """
    choice_labels = [label for label in labels if label in picks.columns and label != "off_topic"]
    tasks = []
    for record in picks.to_dict(orient="records"):
        data: dict[str, Any] = {"text": _jsonable(record[text_col])}
        if "comment_id" in record:
            data["comment_id"] = _jsonable(record["comment_id"])
        if article_col is not None and article_col in record:
            data["article"] = _jsonable(record[article_col])
        choices = [label for label in choice_labels
                   if not _is_missing(record[label]) and float(record[label]) >= float(thresholds[label]["review"])]
        tasks.append({
            "data": data,
            "meta": {
                "queue_rank": int(record["queue_rank"]),
                "picked_for": str(record["picked_for"]),
                "why": str(record["why"]),
            },
            "predictions": [{
                "model_version": str(model_id),
                "score": round(uncertainty_score(record["margin"]), 6),
                "result": [{
                    "from_name": LS_FROM_NAME,
                    "to_name": LS_TO_NAME,
                    "type": "choices",
                    "value": {"choices": choices or [LS_NONE_CHOICE]},
                }],
            }],
        })
    return tasks
