"""Score comments: a DataFrame (:func:`score_frame`) or table files in chunks (:func:`score_files`).

Both append :data:`moderate.schema.SCORE_COLUMNS` to the user's columns: one probability
per incivility label (NaN when the row was not scored), ``off_topic`` (NaN unless the row
has an article: see :class:`Articles`), the ``decision`` (see :mod:`moderate.decision`;
``None`` when not scored), the row ``status`` (``ok``, ``no_article``,
``article_not_found``, ``empty_text`` or ``missing_text``), the ``model_id`` and the
``offtopic_model_id``. Only rows with non-blank text are sent to the models.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from moderate import io as table_io
from moderate.decision import decide, override_thresholds
from moderate.errors import InputError, ModelError
from moderate.registry import LoadedModel, load_model
from moderate.schema import (
    DECISIONS,
    LABELS,
    OFF_TOPIC,
    SCORE_COLUMNS,
    SCORED_STATUSES,
    STATUS_ARTICLE_NOT_FOUND,
    STATUS_EMPTY,
    STATUS_MISSING,
    STATUS_NO_ARTICLE,
    STATUS_OK,
    TEXT_COLUMN_CANDIDATES,
)

ModelLike = LoadedModel | str | os.PathLike[str] | None

#: Column naming the source file when several inputs are scored into one output.
INPUT_FILE_COLUMN = "input_file"
#: Suffix given to user columns whose names clash with the columns scoring adds.
CLASH_SUFFIX = "_input"
#: Texts per ``predict_proba`` call.
DEFAULT_BATCH_SIZE = 4096


# --------------------------------------------------------------------------- helpers


def resolve_model(
    model: ModelLike, thresholds: Mapping[str, Mapping[str, float]] | None = None
) -> LoadedModel:
    """``model`` itself if it is a :class:`LoadedModel`, else ``registry.load_model(model)``;
    with ``thresholds``, a copy whose thresholds are overridden (see
    :func:`moderate.decision.override_thresholds`)."""
    loaded = model if isinstance(model, LoadedModel) else load_model(model)
    missing = [label for label in LABELS if label not in loaded.labels]
    if missing:
        raise ModelError(
            f"model {loaded.model_id} has no output for label(s): {', '.join(missing)}"
        )
    no_thresholds = [label for label in LABELS if label not in loaded.thresholds]
    if no_thresholds:
        raise ModelError(
            f"model {loaded.model_id} has no thresholds for label(s): {', '.join(no_thresholds)}"
        )
    if thresholds:
        loaded = replace(loaded, thresholds=override_thresholds(loaded.thresholds, thresholds))
    return loaded


def find_text_column(columns: Iterable[Any], text_col: str | None = None) -> Any:
    """The name of the text column among ``columns``.

    ``text_col`` if given (an exact match, else a unique case-insensitive one);
    otherwise the first of :data:`~moderate.schema.TEXT_COLUMN_CANDIDATES` present,
    exact names before case-insensitive matches. :class:`InputError` listing the
    available columns if there is none.
    """
    columns = list(columns)
    wanted = [text_col] if text_col is not None else list(TEXT_COLUMN_CANDIDATES)
    for name in wanted:
        if name in columns:
            return name
    for name in wanted:
        matches = [c for c in columns if isinstance(c, str) and c.casefold() == name.casefold()]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise InputError(f"text column {name!r} is ambiguous: {', '.join(map(repr, matches))}")
    available = ", ".join(repr(str(c)) for c in columns) or "(none)"
    if text_col is not None:
        raise InputError(f"no column {text_col!r}; available columns: {available}")
    raise InputError(
        "no text column found (looked for "
        + ", ".join(repr(c) for c in TEXT_COLUMN_CANDIDATES)
        + f"); available columns: {available}; name one with --text-col"
    )


def clash_renames(
    columns: Iterable[Any], reserved: Iterable[str] = SCORE_COLUMNS
) -> dict[Any, str]:
    """``{column: new_name}`` for user columns named like a column scoring adds.

    The new name is ``<name>_input`` (or ``<name>_input_2`` ... if that is taken too).
    """
    columns = list(columns)
    taken = set(columns) | set(reserved)
    renames: dict[Any, str] = {}
    for column in columns:
        if column in reserved:
            new = f"{column}{CLASH_SUFFIX}"
            n = 2
            while new in taken:
                new = f"{column}{CLASH_SUFFIX}_{n}"
                n += 1
            taken.add(new)
            renames[column] = new
    return renames


def _warn_renames(renames: dict[Any, str], stacklevel: int) -> None:
    if renames:
        pairs = ", ".join(f"{old!r} -> {new!r}" for old, new in renames.items())
        warnings.warn(
            f"input column(s) renamed because scoring writes columns of the same name: {pairs}",
            UserWarning,
            stacklevel=stacklevel + 1,
        )


def _text_statuses(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Per-row status and the list of texts to score (for rows with status ``ok``)."""
    statuses = np.empty(len(values), dtype=object)
    texts: list[str] = []
    for position, value in enumerate(values.tolist()):
        if value is None or (not isinstance(value, str) and _is_missing(value)):
            statuses[position] = STATUS_MISSING
            continue
        text = value if isinstance(value, str) else str(value)
        if text.strip():
            statuses[position] = STATUS_OK
            texts.append(text)
        else:
            statuses[position] = STATUS_EMPTY
    return statuses, texts


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays: not a missing scalar
        return False


#: Fewer texts than this are scored in the calling process: starting workers and
#: sending them the model (~10 MB) costs more than it saves.
PARALLEL_MIN_TEXTS = 8192


def effective_jobs(n_jobs: int | None) -> int:
    """Worker processes to use: ``None`` or ``-1`` mean every core."""
    cores = os.cpu_count() or 1
    if n_jobs is None or n_jobs < 0:
        return cores
    return max(1, min(n_jobs, cores))


def _predict(
    model: LoadedModel, texts: Sequence[str], batch_size: int, n_jobs: int | None = 1
) -> np.ndarray:
    """Probabilities for ``texts`` in :data:`LABELS` order, shape ``(len(texts), len(LABELS))``.

    With more than one job and at least :data:`PARALLEL_MIN_TEXTS` texts, the texts are
    cut into one contiguous part per worker process; each row's score is the same either way.
    """
    jobs = effective_jobs(n_jobs)
    if jobs > 1 and len(texts) >= PARALLEL_MIN_TEXTS:
        from joblib import Parallel, delayed

        bounds = np.linspace(0, len(texts), jobs + 1).astype(int)
        parts = Parallel(n_jobs=jobs)(
            delayed(_predict)(model, list(texts[lo:hi]), batch_size, 1)
            for lo, hi in zip(bounds[:-1], bounds[1:])
        )
        return np.concatenate(parts) if parts else np.zeros((0, len(LABELS)))
    order = [model.labels.index(label) for label in LABELS]
    probs = np.empty((len(texts), len(LABELS)), dtype=np.float64)
    for start in range(0, len(texts), batch_size):
        batch = list(texts[start : start + batch_size])
        out = np.asarray(model.predict_proba(batch), dtype=np.float64)
        if out.shape != (len(batch), len(model.labels)):
            raise ModelError(
                f"model {model.model_id} returned shape {out.shape} for {len(batch)} texts, "
                f"expected {(len(batch), len(model.labels))}"
            )
        probs[start : start + len(batch)] = out[:, order]
    return probs


#: ``article_of`` values: no article for the row / its article_id is not in the articles table.
NO_ARTICLE, ARTICLE_NOT_FOUND = -1, -2
_DISCUSSION_COLUMN = 35  # moderate.offtopic.features.FEATURES.index("cos_discussion") (checked by a test)


@dataclass
class Articles:
    """Where each comment's article comes from, for ``off_topic``.

    * ``column``: the article text is in the comment table itself (``--article-col``), with
      an optional title column (``--title-col``);
    * ``table``: an articles table (``--articles``) keyed by ``id_col``, joined on the comment
      table's column of the same name (``article_id`` by default);
    * ``parent_col``: optionally, the text of the comment each row replies to.
    """

    column: Any = None
    title_col: Any = None
    table: dict[Any, tuple[str | None, str]] | None = None
    id_col: Any = "article_id"
    parent_col: Any = None

    @property
    def given(self) -> bool:
        return self.column is not None or self.table is not None

    def required_columns(self) -> list[Any]:
        wanted = [self.column, self.title_col, self.parent_col]
        if self.table is not None:
            wanted.append(self.id_col)
        return [c for c in wanted if c is not None]

    def rows(self, frame: pd.DataFrame) -> tuple[np.ndarray, list[tuple[str | None, str]], list[str | None] | None]:
        """``article_of`` per row (an index into the returned distinct articles, or NO_ARTICLE /
        ARTICLE_NOT_FOUND) and the rows' parent texts."""
        n = len(frame)
        article_of = np.full(n, NO_ARTICLE, dtype=np.int64)
        distinct: dict[tuple[str | None, str], int] = {}
        if self.column is not None:
            bodies = frame[self.column]
            titles = frame[self.title_col] if self.title_col is not None else None
            if _string_like(bodies) and (titles is None or _string_like(titles)):
                # a dump repeats a few articles over many rows: find the distinct (title, body)
                # values at C speed, then clean each distinct one once (first-appearance order)
                body_codes, body_values = pd.factorize(bodies)
                title_codes, title_values = (pd.factorize(titles) if titles is not None
                                             else (np.full(n, -1, dtype=np.int64), []))
                width = len(title_values) + 1  # codes are -1 for missing values, hence the + 1s
                pairs, keys = pd.factorize((body_codes.astype(np.int64) + 1) * width + title_codes + 1)
                cells = [(title_values[k % width - 1] if k % width else None,
                          body_values[k // width - 1] if k // width else None) for k in map(int, keys)]
            else:  # numbers, lists, mixed types: every row on its own (1 and 1.0 are different texts)
                pairs = np.arange(n)
                cells = list(zip(titles.tolist() if titles is not None else [None] * n, bodies.tolist()))
            lookup = np.full(len(cells), NO_ARTICLE, dtype=np.int64)
            for j, (title, body) in enumerate(cells):
                title = title if isinstance(title, str) and title.strip() else None
                body = body if isinstance(body, str) else ("" if body is None or _is_missing(body) else str(body))
                if body.strip() or title:
                    lookup[j] = distinct.setdefault((title, body), len(distinct))
            if n:
                article_of = lookup[pairs]
        elif self.table is not None:
            for i, key in enumerate(frame[self.id_col].tolist()):
                if key is None or _is_missing(key):
                    continue
                article = self.table.get(_article_key(key))
                if article is None:
                    article_of[i] = ARTICLE_NOT_FOUND
                else:
                    article_of[i] = distinct.setdefault(article, len(distinct))
        parents = None
        if self.parent_col is not None:
            parents = [p if isinstance(p, str) and p.strip() else None for p in frame[self.parent_col].tolist()]
        return article_of, list(distinct), parents


def _string_like(values: pd.Series) -> bool:
    """Whether every non-missing cell of ``values`` is a ``str`` (the fast path's condition)."""
    return pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")


def _article_key(value: Any) -> str:
    """Join keys compare as text: ``7``, ``7.0`` and ``"7"`` are the same article."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


ARTICLE_TEXT_COLUMNS: tuple[str, ...] = ("article", "body", "text", "article_text", "content")


def articles_from_frame(frame: pd.DataFrame, id_col: str = "article_id", text_col: str | None = None,
                        title_col: str | None = "title", where: str = "articles") -> dict[str, tuple[str | None, str]]:
    """An articles frame as ``{article_id: (title, body)}``.

    The body is ``text_col``, else the first of :data:`ARTICLE_TEXT_COLUMNS`; the title is
    ``title_col`` when present. Duplicate ids are an error.
    """
    columns = ", ".join(map(str, frame.columns))
    if id_col not in frame.columns:
        raise InputError(f"{where}: no column {id_col!r} (the article id); columns: {columns}")
    candidates = [text_col] if text_col else list(ARTICLE_TEXT_COLUMNS)
    body_col = next((c for c in candidates if c in frame.columns), None)
    if body_col is None:
        raise InputError(f"{where}: no article text column (looked for {', '.join(candidates)}); columns: {columns}")
    keys = [_article_key(k) for k in frame[id_col].tolist()]
    duplicated = pd.Series(keys).duplicated().to_numpy()
    if duplicated.any():
        raise InputError(f"{where}: article_id {keys[int(np.argmax(duplicated))]!r} appears more than once")
    titles = frame[title_col].tolist() if title_col and title_col in frame.columns else [None] * len(frame)
    return {
        key: (title if isinstance(title, str) and title.strip() else None, body if isinstance(body, str) else "")
        for key, title, body in zip(keys, titles, frame[body_col].tolist())
    }


def read_articles(path: str | os.PathLike[str], id_col: str = "article_id", text_col: str | None = None,
                  title_col: str | None = "title") -> dict[str, tuple[str | None, str]]:
    """An articles table (any format :mod:`moderate.io` reads): see :func:`articles_from_frame`."""
    table_io.check_readable(path)
    chunks = list(table_io.iter_table_chunks(path, 100_000))
    frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()
    return articles_from_frame(frame, id_col, text_col, title_col, where=os.fspath(path))


class _OffTopicRows:
    """The rows of one call that get ``off_topic`` (those with an article), and what their
    discussions need: the parts :func:`_offtopic_scores` and :func:`_score_both` share."""

    def __init__(self, texts: list[str], article_of: np.ndarray, parents: list[str | None] | None,
                 discussion_of: np.ndarray | None, gathered: np.ndarray | None, copies: np.ndarray | None) -> None:
        self.rows = rows = np.flatnonzero(article_of >= 0)
        self.article_of = article_of
        self.texts = [texts[i] for i in rows]
        self.parents = [parents[i] for i in rows] if parents is not None else None
        self.groups, self.of = np.unique((article_of if discussion_of is None else np.asarray(discussion_of))[rows],
                                         return_inverse=True)
        self.sums = np.asarray(gathered)[self.groups] if gathered is not None else None
        self.copies = np.asarray(copies)[rows] if copies is not None else None

    def task(self, lo: int, hi: int, articles: list[tuple[str | None, str]]) -> tuple:
        """Arguments of ``offtopic.features_and_codes`` for the rows ``lo:hi`` of :attr:`rows`:
        each worker gets only the articles its comments need."""
        used, local = np.unique(self.article_of[self.rows[lo:hi]], return_inverse=True)
        return (self.texts[lo:hi], local, [articles[k] for k in used],
                self.parents[lo:hi] if self.parents is not None else None)

    def finish(self, offtopic: Any, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> np.ndarray:
        """P(off-topic) of :attr:`rows` from the workers' features, codes and comment-only
        probabilities (in row order): the discussions (every worker's comments count) and the two
        small classifiers run here."""
        from moderate.offtopic.features import copies_within, discussion_cosine

        X = np.concatenate([x for x, _, _ in parts])
        codes = np.concatenate([c for _, c, _ in parts]).astype(np.int64)
        text_p = np.concatenate([t for _, _, t in parts])
        if X.shape[1] > _DISCUSSION_COLUMN:  # models fitted before cos_discussion have no such column
            copies = self.copies if self.copies is not None or self.sums is not None else copies_within(self.texts, self.of)
            X[:, _DISCUSSION_COLUMN] = discussion_cosine(codes, self.of, self.sums, copies)
        return offtopic.predict_from_features(self.texts, X, text_p)


def _offtopic_scores(
    offtopic: Any, texts: list[str], article_of: np.ndarray, articles: list[tuple[str | None, str]],
    parents: list[str | None] | None, n_jobs: int | None = 1, discussion_of: np.ndarray | None = None,
    gathered: np.ndarray | None = None, copies: np.ndarray | None = None,
) -> np.ndarray:
    """P(off-topic) for rows with an article (``article_of >= 0``); NaN for the others.

    Each comment is judged with the other comments of its discussion: ``discussion_of[i]`` (the
    rows' article by default). ``gathered[g]`` and ``copies[i]``: discussion ``g``'s sums and
    how often row ``i``'s text occurs in its discussion, gathered beforehand over the whole input
    (:class:`Discussions`; they include these rows); by default the rows of this call are the
    whole discussion.
    """
    out = np.full(len(texts), np.nan)
    if offtopic is None or not (np.asarray(article_of) >= 0).any():
        return out
    from moderate.offtopic.features import Discussion

    ot = _OffTopicRows(texts, np.asarray(article_of), parents, discussion_of, gathered, copies)
    jobs = effective_jobs(n_jobs)
    if jobs > 1 and len(ot.rows) >= PARALLEL_MIN_TEXTS:
        from joblib import Parallel, delayed

        # what needs the texts (features, topic codes, the comment-only part) in the workers
        bounds = np.linspace(0, len(ot.rows), jobs + 1).astype(int)
        parts = Parallel(n_jobs=jobs)(delayed(offtopic.features_and_codes)(*ot.task(lo, hi, articles))
                                      for lo, hi in zip(bounds[:-1], bounds[1:]))
        out[ot.rows] = ot.finish(offtopic, parts)
    else:
        out[ot.rows] = offtopic.predict_proba(ot.texts, ot.article_of[ot.rows], articles, ot.parents,
                                              Discussion(ot.of, ot.sums, ot.copies))
    return out


def _both_part(model: LoadedModel, texts: list[str], batch_size: int, offtopic: Any, task: tuple | None) -> tuple:
    """A worker's share of :func:`_score_both`: the incivility probabilities of its texts and the
    off-topic features of those that have an article."""
    return _predict(model, texts, batch_size, 1), (offtopic.features_and_codes(*task) if task is not None else None)


def _score_both(
    model: LoadedModel, texts: list[str], batch_size: int, jobs: int, offtopic: Any, article_of: np.ndarray,
    articles: list[tuple[str | None, str]], parents: list[str | None] | None, discussion_of: np.ndarray | None,
    gathered: np.ndarray | None, copies: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The incivility probabilities and ``off_topic`` of ``texts`` in one round of worker
    processes (each takes a contiguous share of the texts and does both for it), where two rounds
    paid for two hand-overs and two waits for the slower worker. The same numbers as
    :func:`_predict` followed by :func:`_offtopic_scores`."""
    from joblib import Parallel, delayed

    ot = _OffTopicRows(texts, np.asarray(article_of), parents, discussion_of, gathered, copies)
    bounds = np.linspace(0, len(texts), jobs + 1).astype(int)
    cuts = np.searchsorted(ot.rows, bounds)  # the off-topic rows of each share
    tasks = []
    for (lo, hi), (a, b) in zip(zip(bounds[:-1], bounds[1:]), zip(cuts[:-1], cuts[1:])):
        task = ot.task(a, b, articles) if b > a else None
        tasks.append(delayed(_both_part)(model, list(texts[lo:hi]), batch_size, offtopic, task))
    parts = Parallel(n_jobs=jobs)(tasks)
    probs = np.concatenate([p for p, _ in parts]) if parts else np.zeros((0, len(LABELS)))
    off = np.full(len(texts), np.nan)
    features = [f for _, f in parts if f is not None]
    if features:
        off[ot.rows] = ot.finish(offtopic, features)
    return probs, off


def _topic_codes(offtopic: Any, texts: list[str], n_jobs: int | None = 1) -> np.ndarray:
    """The texts' topic codes (:func:`moderate.offtopic.features.topic_codes`), in worker
    processes for many texts."""
    jobs = effective_jobs(n_jobs)
    parts = max(1, min(jobs, len(texts) // (PARALLEL_MIN_TEXTS // 2))) if jobs > 1 else 1
    if parts == 1:
        return offtopic.topic_codes(texts)
    from joblib import Parallel, delayed

    bounds = np.linspace(0, len(texts), parts + 1).astype(int)
    return np.concatenate(Parallel(n_jobs=parts)(
        delayed(offtopic.topic_codes)(texts[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])))


def discussion_key(article: tuple[str | None, str]) -> bytes:
    """A short key naming an article ``(title, body)`` (an article column's discussions)."""
    import hashlib

    title, body = article
    h = hashlib.blake2b(digest_size=16)
    h.update(b"\x00" if title is None else b"\x01" + title.encode("utf-8", "surrogatepass"))
    h.update(b"\x1f" + (body or "").encode("utf-8", "surrogatepass"))
    return h.digest()


def _id_key(article_id: Any) -> bytes:
    """A short key naming an article by its id (an articles table's discussions)."""
    import hashlib

    return hashlib.blake2b(b"id\x00" + _article_key(article_id).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _text_hash(key: bytes, text: str) -> int:
    import hashlib

    return int.from_bytes(hashlib.blake2b(key + b"\x1e" + text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def uses_discussion(offtopic: Any) -> bool:
    """Whether an off-topic model reads the discussion (models fitted before it was added do not)."""
    fz = getattr(getattr(offtopic, "estimator", None), "featurizer", None)
    return fz is not None and getattr(fz, "n_features_out_", 0) > _DISCUSSION_COLUMN


class Discussions:
    """The discussions of a whole comment table, gathered in a first pass (:func:`add_discussions`
    per chunk, then :meth:`finish`), so that every comment is judged with all the comments of its
    story whatever chunk it is scored in.

    Per discussion (an article: its id with ``--articles``, its title and text with
    ``--article-col``): the summed topic codes and their number (about 1 kB per article). And how
    often each text occurs in its discussion, so that copies of a comment (spam posted many times)
    do not count as agreeing with each other: 8 bytes per row while gathering, then only the texts
    that occur more than once.
    """

    def __init__(self) -> None:
        self.sums: dict[bytes, np.ndarray] = {}
        self._hashes: list[np.ndarray] = []
        self.repeated: dict[int, int] | None = None

    def add(self, keys: list[bytes], texts: list[str], codes: np.ndarray) -> None:
        from moderate.offtopic.features import discussion_sums

        if not keys:
            return
        index: dict[bytes, int] = {}
        of = np.array([index.setdefault(k, len(index)) for k in keys], dtype=np.int64)
        for key, row in zip(index, discussion_sums(codes, of, len(index))):
            if key in self.sums:
                self.sums[key] += row
            else:
                self.sums[key] = row.copy()
        self._hashes.append(np.fromiter((_text_hash(k, t) for k, t in zip(keys, texts)), dtype=np.uint64, count=len(keys)))

    def finish(self) -> Discussions:
        hashes = np.concatenate(self._hashes) if self._hashes else np.zeros(0, dtype=np.uint64)
        values, counts = np.unique(hashes, return_counts=True)
        self.repeated = dict(zip(values[counts > 1].tolist(), counts[counts > 1].tolist()))
        self._hashes = []
        return self

    def lookup(self, keys: list[bytes], texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(of, sums, copies)`` for rows with these discussion keys and texts."""
        if self.repeated is None:
            self.finish()
        index: dict[bytes, int] = {}
        of = np.array([index.setdefault(k, len(index)) for k in keys], dtype=np.int64)
        missing = [k for k in index if k not in self.sums]
        if missing:
            raise InputError(f"{len(missing)} article(s) of these rows are not in the gathered discussions "
                             "(gather them over the same input, with the same article options)")
        width = next(iter(self.sums.values())).shape[0] if self.sums else 1
        sums = np.stack([self.sums[k] for k in index]) if index else np.zeros((0, width), dtype=np.int64)
        repeated = self.repeated or {}
        copies = np.array([repeated.get(_text_hash(k, t), 1) if repeated else 1 for k, t in zip(keys, texts)],
                          dtype=np.int64)
        return of, sums, copies


def _discussion_keys(articles: Articles, frame: pd.DataFrame, article_of: np.ndarray,
                     distinct: list[tuple[str | None, str]]) -> list[bytes | None]:
    """Each row's discussion key: its article id's with an articles table (two ids with the same
    text are two stories), its article's (title, text) with an article column; None without one."""
    if articles.table is not None:
        return [_id_key(key) if a >= 0 else None for key, a in zip(frame[articles.id_col].tolist(), article_of)]
    by_article = [discussion_key(a) for a in distinct]
    return [by_article[a] if a >= 0 else None for a in article_of]


def add_discussions(total: Discussions, frame: pd.DataFrame, text_column: Any, offtopic: Any,
                    articles: Articles, n_jobs: int | None = 1) -> None:
    """Add the discussions of ``frame``'s rows (those that will be scored against an article)
    to ``total``: one chunk of the first pass over a table."""
    text_values = frame[text_column]
    if isinstance(text_values, pd.DataFrame):
        raise InputError(f"column {text_column!r} appears more than once")
    statuses, texts = _text_statuses(text_values)
    scored_rows = np.flatnonzero(statuses == STATUS_OK)
    article_of, distinct, _ = articles.rows(frame)
    keys = _discussion_keys(articles, frame, np.asarray(article_of), distinct)
    picked = [(keys[i], t) for i, t in zip(scored_rows, texts) if keys[i] is not None]
    if picked:
        sub_texts = [t for _, t in picked]
        total.add([k for k, _ in picked], sub_texts, _topic_codes(offtopic, sub_texts, n_jobs))


def _score_columns(
    frame: pd.DataFrame,
    text_column: Any,
    model: LoadedModel,
    batch_size: int,
    n_jobs: int | None = 1,
    offtopic: Any = None,
    articles: Articles | tuple | None = None,
    discussions: Discussions | None = None,
) -> dict[str, Any]:
    """The score columns for ``frame`` (keyed by name, aligned with ``frame.index``).

    ``articles`` is an :class:`Articles` spec, or an already resolved ``(article_of, articles,
    parents, discussion_of)`` tuple (pages: ``discussion_of`` puts the comments under one article
    of one page together); ``offtopic`` a loaded off-topic model (needed when there are articles).
    ``discussions``: with an :class:`Articles` spec, the discussions gathered over the whole input
    (:class:`Discussions`); without them the rows of ``frame`` are the whole discussion.
    """
    text_values = frame[text_column]
    if isinstance(text_values, pd.DataFrame):
        raise InputError(f"column {text_column!r} appears more than once")
    statuses, texts = _text_statuses(text_values)
    scored = statuses == STATUS_OK
    probs = np.full((len(frame), len(LABELS) + 1), np.nan, dtype=np.float64)
    scored_rows = np.flatnonzero(scored)
    discussion_of, sums, copies = None, None, None  # per scored row / per discussion / per scored row
    if isinstance(articles, Articles):
        article_of, distinct, parents = articles.rows(frame) if articles.given else (
            np.full(len(frame), NO_ARTICLE), [], None)
        article_of = np.asarray(article_of)
        if distinct and offtopic is not None and uses_discussion(offtopic):
            keys = _discussion_keys(articles, frame, article_of, distinct)
            have = [j for j, i in enumerate(scored_rows) if keys[i] is not None]
            discussion_of = np.full(len(scored_rows), -1, dtype=np.int64)
            if have:
                row_keys = [keys[scored_rows[j]] for j in have]
                if discussions is not None:
                    of, sums, have_copies = discussions.lookup(row_keys, [texts[j] for j in have])
                    copies = np.ones(len(scored_rows), dtype=np.int64)
                    copies[have] = have_copies
                else:
                    index: dict[bytes, int] = {}
                    of = np.array([index.setdefault(k, len(index)) for k in row_keys], dtype=np.int64)
                discussion_of[have] = of
    elif articles is not None:
        article_of, distinct, parents, *rest = articles
        article_of = np.asarray(article_of)
        discussion_of = np.asarray(rest[0])[scored_rows] if rest and rest[0] is not None else None
    else:
        article_of, distinct, parents = np.full(len(frame), NO_ARTICLE), [], None
    scored_parents = [parents[i] for i in scored_rows] if parents is not None else None
    jobs = effective_jobs(n_jobs)
    if (offtopic is not None and jobs > 1 and len(texts) >= PARALLEL_MIN_TEXTS
            and (article_of[scored_rows] >= 0).sum() >= PARALLEL_MIN_TEXTS):
        probs[scored, : len(LABELS)], probs[scored_rows, len(LABELS)] = _score_both(
            model, texts, batch_size, jobs, offtopic, article_of[scored_rows], distinct, scored_parents,
            discussion_of, sums, copies)
    else:
        probs[scored, : len(LABELS)] = _predict(model, texts, batch_size, n_jobs)
        probs[scored_rows, len(LABELS)] = _offtopic_scores(
            offtopic, texts, article_of[scored_rows], distinct, scored_parents, n_jobs, discussion_of, sums, copies)
    statuses[scored & (article_of == NO_ARTICLE)] = STATUS_NO_ARTICLE
    statuses[scored & (article_of == ARTICLE_NOT_FOUND)] = STATUS_ARTICLE_NOT_FOUND
    thresholds = dict(model.thresholds)
    thresholds[OFF_TOPIC] = (offtopic.thresholds[OFF_TOPIC] if offtopic is not None
                             else {"review": 1.0, "reject": 1.0})
    decisions = decide(probs, (*LABELS, OFF_TOPIC), thresholds)
    index = frame.index
    columns: dict[str, Any] = {
        label: pd.Series(probs[:, i], index=index, dtype="float64")
        for i, label in enumerate((*LABELS, OFF_TOPIC))
    }
    columns["decision"] = pd.Series(decisions, index=index, dtype=object)
    columns["status"] = pd.Series(statuses, index=index, dtype="str")
    columns["model_id"] = pd.Series([model.model_id] * len(frame), index=index, dtype="str")
    offtopic_id = offtopic.model_id if offtopic is not None else ""
    columns["offtopic_model_id"] = pd.Series([offtopic_id] * len(frame), index=index, dtype="str")
    return columns


def _scored(
    frame: pd.DataFrame,
    text_column: Any,
    model: LoadedModel,
    batch_size: int,
    renames: dict[Any, str],
    n_jobs: int | None = 1,
    offtopic: Any = None,
    articles: Any = None,
    discussions: Discussions | None = None,
) -> pd.DataFrame:
    scores = _score_columns(frame, text_column, model, batch_size, n_jobs, offtopic, articles, discussions)
    out = frame.rename(columns=renames) if renames else frame.copy()
    return pd.concat([out, pd.DataFrame(scores, index=frame.index)], axis=1)


# --------------------------------------------------------------------------- in memory


def score_frame(
    df: pd.DataFrame,
    text_col: str | None = None,
    model: ModelLike = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    n_jobs: int | None = None,
    thresholds: Mapping[str, Mapping[str, float]] | None = None,
    article_col: str | None = None,
    title_col: str | None = None,
    articles: pd.DataFrame | Mapping[Any, tuple[str | None, str]] | str | os.PathLike[str] | None = None,
    article_id_col: str = "article_id",
    parent_col: str | None = None,
    offtopic_model: Any = None,
    discussions: Discussions | None = None,
) -> pd.DataFrame:
    """Score the comments in ``df``.

    Args:
        df: any DataFrame with a text column; it is not modified.
        text_col: the text column; by default the first of
            :data:`~moderate.schema.TEXT_COLUMN_CANDIDATES` present.
        model: a :class:`~moderate.registry.LoadedModel`, a model folder path, or None
            for the default model (see :func:`moderate.registry.load_model`).
        batch_size: how many texts go to ``predict_proba`` at once.
        n_jobs: worker processes for large frames (None or -1: every core; 1: none).
            Frames under 8,192 texts are always scored in this process.
        thresholds: overrides of the model's decision thresholds, e.g.
            ``{"toxicity": {"reject": 0.95}, "off_topic": {"review": 0.6}}``.
        article_col: column of ``df`` holding each comment's article text; ``off_topic`` is
            scored against it (the whole text, whatever its length).
        title_col: optional column with the article's title.
        articles: instead of ``article_col``: the articles, as a DataFrame with
            ``article_id_col`` and a text column (``article``, ``body``, ``text``, ...;
            optional ``title``), a ``{article_id: (title, body)}`` mapping, or a table path;
            joined to ``df`` on ``article_id_col``.
        article_id_col: the join column (in ``df`` and in ``articles``).
        parent_col: optional column with the text of the comment each row replies to.
        offtopic_model: an off-topic model folder or loaded model (default:
            ``models/offtopic/CURRENT``); only loaded when there are articles.
        discussions: ``off_topic`` judges each comment with the other comments under the same
            article: by default those among ``df``'s rows. To score a larger input in parts with
            the same result, gather the discussions of the whole input first (a
            :class:`Discussions`, :func:`add_discussions` over every part) and pass it for each part.

    Returns:
        A new DataFrame with all of ``df``'s rows (same order, same index) and columns,
        followed by :data:`~moderate.schema.SCORE_COLUMNS`: the label probabilities
        (float64, NaN where not scored), ``off_topic`` (NaN without an article),
        ``decision`` (None where not scored), ``status`` (``ok``; ``no_article`` or
        ``article_not_found`` when ``off_topic`` could not be scored; ``empty_text``,
        ``missing_text``), ``model_id`` and ``offtopic_model_id``. A user column named like one of these is renamed
        to ``<name>_input``, with a warning. Non-string texts are scored as ``str(value)``.

    Raises:
        InputError: no text column. ModelError: the model cannot be loaded.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    text_column = find_text_column(df.columns, text_col)
    spec = article_spec(article_col, title_col, articles, article_id_col, parent_col)
    check_article_columns(spec, df.columns)
    offtopic = load_offtopic_if(spec.given, offtopic_model, thresholds)
    loaded = resolve_model(model, _without_offtopic(thresholds))
    renames = clash_renames(df.columns)
    _warn_renames(renames, stacklevel=2)
    return _scored(df, text_column, loaded, batch_size, renames, n_jobs, offtopic, spec, discussions)


def article_spec(article_col: Any = None, title_col: Any = None, articles: Any = None,
                 article_id_col: Any = "article_id", parent_col: Any = None) -> Articles:
    """Check the article options and turn them into an :class:`Articles` spec."""
    if article_col is not None and articles is not None:
        raise InputError("give the article text either as a column (--article-col) or as a table (--articles), not both")
    if title_col is not None and article_col is None:
        raise InputError("--title-col needs --article-col (an articles table has its own title column)")
    table = None
    if articles is not None:
        if isinstance(articles, pd.DataFrame):
            table = articles_from_frame(articles, id_col=article_id_col)
        elif isinstance(articles, Mapping):
            table = {_article_key(k): tuple(v) for k, v in articles.items()}
        else:
            table = read_articles(articles, id_col=article_id_col)
    return Articles(article_col, title_col, table, article_id_col, parent_col)


def check_article_columns(spec: Articles, columns: Iterable[Any], where: str = "") -> None:
    columns = list(columns)
    missing = [c for c in spec.required_columns() if c not in columns]
    if missing:
        prefix = f"{where}: " if where else ""
        raise InputError(f"{prefix}no column(s) {', '.join(map(repr, missing))}; available: {', '.join(map(repr, map(str, columns)))}")


def _without_offtopic(thresholds: Mapping[str, Mapping[str, float]] | None) -> dict[str, Mapping[str, float]] | None:
    if not thresholds:
        return None
    return {k: v for k, v in thresholds.items() if k != OFF_TOPIC} or None


def load_offtopic_if(needed: bool, offtopic_model: Any, thresholds: Mapping[str, Mapping[str, float]] | None) -> Any:
    """The off-topic model when articles are given (with ``off_topic`` threshold overrides applied)."""
    if not needed:
        return None
    from moderate.offtopic.load import load_offtopic

    loaded = load_offtopic(offtopic_model)
    if thresholds and OFF_TOPIC in thresholds:
        loaded = replace(loaded, thresholds=override_thresholds(loaded.thresholds, {OFF_TOPIC: thresholds[OFF_TOPIC]}))
    return loaded


# --------------------------------------------------------------------------- files


@dataclass
class _Input:
    """One input file as seen in its first chunk."""

    path: str
    text_column: Any  # None for a file without rows or columns
    columns: list[Any]
    dtypes: dict[Any, Any]


@dataclass
class _Layout:
    """The output's columns, shared by every chunk of every input."""

    input_columns: list[Any]  # union of the inputs' columns, in order of appearance
    dtypes: dict[Any, Any]  # first dtype seen per input column
    renames: dict[Any, str]  # input columns clashing with added ones -> new names
    with_input_file: bool
    columns: list[Any]  # everything written, in order


def _peek(path: str, text_col: str | None, chunk_size: int) -> _Input:
    chunks = table_io.iter_table_chunks(path, chunk_size)
    try:
        first = next(chunks, None)
    finally:
        chunks.close()  # type: ignore[attr-defined]
    if first is None:  # an empty JSON Lines file: no rows, no columns
        return _Input(path, None, [], {})
    try:
        text_column = find_text_column(first.columns, text_col)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    return _Input(path, text_column, list(first.columns), dict(first.dtypes.items()))


def _layout(inputs: Sequence[_Input]) -> _Layout:
    columns: list[Any] = []
    dtypes: dict[Any, Any] = {}
    for item in inputs:
        for column in item.columns:
            if column not in dtypes:
                columns.append(column)
                dtypes[column] = item.dtypes[column]
    with_input_file = len(inputs) > 1
    reserved = (*SCORE_COLUMNS, INPUT_FILE_COLUMN) if with_input_file else SCORE_COLUMNS
    renames = clash_renames(columns, reserved)
    out_columns = [
        *([INPUT_FILE_COLUMN] if with_input_file else []),
        *(renames.get(c, c) for c in columns),
        *SCORE_COLUMNS,
    ]
    return _Layout(columns, dtypes, renames, with_input_file, out_columns)


def _null_column(index: pd.Index, dtype: Any) -> pd.Series:
    """An all-missing column of ``dtype`` (or the nearest type that can hold nulls)."""
    try:
        return pd.Series(None, index=index, dtype=dtype)
    except (TypeError, ValueError):  # e.g. numpy int64 or bool cannot hold NaN
        return pd.Series(None, index=index, dtype=object)


def _conform(chunk: pd.DataFrame, layout: _Layout) -> pd.DataFrame:
    """``chunk`` with exactly the layout's input columns, in order; missing ones all-null."""
    columns = layout.input_columns
    if list(chunk.columns) == columns:
        return chunk
    missing = {
        c: _null_column(chunk.index, layout.dtypes[c]) for c in columns if c not in chunk.columns
    }
    if missing:
        chunk = pd.concat([chunk, pd.DataFrame(missing, index=chunk.index)], axis=1)
    return chunk[columns]


def _empty_output(layout: _Layout) -> pd.DataFrame:
    """A zero-row output frame with the columns and types a scored chunk has."""
    index = pd.RangeIndex(0)
    types: dict[Any, Any] = {
        layout.renames.get(c, c): layout.dtypes[c] for c in layout.input_columns
    }
    types.update({label: "float64" for label in (*LABELS, OFF_TOPIC)})
    types.update({"decision": object, "status": "str", "model_id": "str", "offtopic_model_id": "str"})
    if layout.with_input_file:
        types[INPUT_FILE_COLUMN] = "str"
    return pd.DataFrame({c: _null_column(index, types[c]) for c in layout.columns}, index=index)


def _input_chunks(inputs: Sequence[_Input], layout: _Layout, chunk_size: int,
                  warn: bool = True) -> Iterator[tuple[_Input, pd.DataFrame]]:
    """Every input read again chunk by chunk, laid out like the first chunks."""
    warned: set[Any] = set()
    for item in inputs:
        if item.text_column is None:
            continue
        for chunk in table_io.iter_table_chunks(item.path, chunk_size):
            late = [c for c in chunk.columns if c not in layout.dtypes]
            if late:
                # CSV headers and Parquet schemas are fixed by then; dropping is the
                # only consistent choice, and it must not be silent.
                if warn and (new := [c for c in late if c not in warned]):
                    warned.update(new)
                    warnings.warn(
                        f"{item.path}: column(s) {', '.join(map(repr, new))} first appear "
                        "after the first chunk and are not written (a larger chunk size "
                        "reads more rows first)",
                        UserWarning,
                        stacklevel=4,
                    )
                chunk = chunk.drop(columns=late)
            yield item, _conform(chunk, layout)


def _scored_chunks(
    inputs: Sequence[_Input],
    layout: _Layout,
    model: LoadedModel,
    chunk_size: int,
    n_jobs: int | None = 1,
    offtopic: Any = None,
    articles: Articles | None = None,
    discussions: Discussions | None = None,
) -> Iterator[pd.DataFrame]:
    """Every input read again chunk by chunk, scored and laid out for the writer."""
    for item, chunk in _input_chunks(inputs, layout, chunk_size):
        scored = _scored(
            chunk, item.text_column, model, DEFAULT_BATCH_SIZE, layout.renames, n_jobs,
            offtopic, articles, discussions,
        )
        if layout.with_input_file:
            source = pd.Series(item.path, index=scored.index, dtype="str")
            scored.insert(0, INPUT_FILE_COLUMN, source)
        yield scored[layout.columns]


def gather_discussions(inputs: Sequence[_Input], layout: _Layout, chunk_size: int, offtopic: Any,
                       articles: Articles, n_jobs: int | None = 1, bar: Any = None) -> Discussions:
    """The first pass over comment tables: every article's discussion (see :class:`Discussions`)."""
    total = Discussions()
    for item, chunk in _input_chunks(inputs, layout, chunk_size, warn=False):
        add_discussions(total, chunk, item.text_column, offtopic, articles, n_jobs)
        if bar is not None:
            bar.update(len(chunk))
    return total.finish()


def _show_progress(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _progress_total(paths: Sequence[str]) -> int | None:
    counts = [table_io.count_rows_cheaply(p) for p in paths]
    return None if any(c is None for c in counts) else sum(c for c in counts if c is not None)


def _check_paths(paths: Sequence[str], output: Path) -> None:
    """Fail on unknown formats, missing inputs and a missing output folder."""
    if not paths:
        raise InputError("no input files given")
    table_io.table_format(output)
    if not output.parent.is_dir():
        raise InputError(f"{output}: output folder {output.parent} does not exist")
    resolved_output = output.resolve()
    for path in paths:
        if _input_kind(path) == "table":
            table_io.check_readable(path)
        elif not Path(path).exists():
            raise InputError(f"{path}: no such file or folder")
        if Path(path).resolve() == resolved_output:
            raise InputError(f"{path}: the output file cannot also be an input")


def score_files(
    inputs: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    text_col: str | None = None,
    model: ModelLike = None,
    chunk_size: int = 20_000,
    progress: bool | None = None,
    n_jobs: int | None = None,
    thresholds: Mapping[str, Mapping[str, float]] | None = None,
    splitter: Any = None,
    article_col: str | None = None,
    title_col: str | None = None,
    articles: Any = None,
    article_id_col: str = "article_id",
    parent_col: str | None = None,
    offtopic_model: Any = None,
) -> dict[str, Any]:
    """Score comment tables (or pages, split into comments first) chunk by chunk into one table.

    Every input is checked (it exists, its format is known, it has a text column) and
    the model is loaded before anything is written; the output appears only when all
    rows were written (see :class:`moderate.io.TableWriter`). With several inputs the
    output starts with an ``input_file`` column (the path as given) and has the union
    of the inputs' columns, in order of first appearance (taken from each input's
    first chunk; a column first seen later is dropped with a warning).

    Args:
        inputs: input paths (``.csv``, ``.tsv``, ``.jsonl``, ``.parquet``, ...).
        output: output path; its extension picks the format.
        text_col: the text column (default: detected per input).
        model: as for :func:`score_frame`; loaded once.
        chunk_size: rows read, scored and written at a time.
        progress: show a progress bar on stderr; None means "if stderr is a terminal".
        n_jobs: worker processes per chunk (None or -1: every core; 1: none).
        thresholds: overrides of the model's decision thresholds (as for score_frame).
        splitter: for pages: a :class:`~moderate.pages.split.Splitter` or its folder
            (default: ``models/splitter/CURRENT``).
        article_col, title_col, articles, article_id_col, parent_col, offtopic_model: where
            each comment's article is, for ``off_topic`` (as for :func:`score_frame`; ``articles``
            is a table path here). Pages bring their own articles.

    Pages (``.txt``, ``.html``, ``.htm``, gzipped, or folders of them) are split first; the
    output has one row per comment with ``source``, ``index``, ``author``, ``posted_at``,
    ``reply_to``, ``about`` and ``text`` before the scores, and the summary adds ``pages``.
    Each comment's ``off_topic`` is judged against its page's article (title and body), or,
    for a widget comment (``about`` set), against the title of the story it belongs to.

    Returns:
        A summary: ``rows``, ``scored``, ``empty``, ``missing``, ``decisions`` (count
        per decision), ``seconds``, ``model_id``, ``output`` and ``inputs``.
    """
    started = time.perf_counter()
    if chunk_size < 1:
        raise InputError(f"chunk size must be positive, got {chunk_size}")
    paths = [os.fspath(p) for p in inputs]
    _check_paths(paths, Path(output))
    kinds = {_input_kind(p) for p in paths}
    if kinds == {"pages"}:
        if article_col is not None or articles is not None:
            raise InputError("pages bring their own articles: --article-col and --articles are for comment tables")
        return score_pages(paths, output, model, splitter, chunk_size, progress, n_jobs, thresholds, started,
                           offtopic_model)
    if len(kinds) > 1:
        raise InputError("pass either pages (.txt/.html/.htm or folders of them) or comment tables, not both")
    spec = article_spec(article_col, title_col, articles, article_id_col, parent_col)
    offtopic = load_offtopic_if(spec.given, offtopic_model, thresholds)
    loaded = resolve_model(model, _without_offtopic(thresholds))
    peeked = [_peek(path, text_col, chunk_size) for path in paths]
    for item in peeked:
        if item.text_column is not None:
            check_article_columns(spec, item.columns, item.path)
    layout = _layout(peeked)
    _warn_renames(layout.renames, stacklevel=2)

    from tqdm import tqdm

    show = _show_progress(progress)
    statuses: Counter[str] = Counter()
    decisions: Counter[str] = Counter()
    total = _progress_total(paths) if show else None
    discussions = None
    if spec.given and uses_discussion(offtopic):
        # first pass: the discussions (each comment is judged with the other comments of its story)
        with tqdm(total=total, unit="comments", file=sys.stderr, disable=not show, dynamic_ncols=True,
                  desc="reading discussions") as bar:
            discussions = gather_discussions(peeked, layout, chunk_size, offtopic, spec, n_jobs, bar)
    with tqdm(
        total=total,
        unit="comments",
        file=sys.stderr,
        disable=not show,
        dynamic_ncols=True,
        desc="scoring" if discussions is not None else None,
    ) as bar:
        with table_io.TableWriter(output) as writer:
            for scored in _scored_chunks(peeked, layout, loaded, chunk_size, n_jobs, offtopic, spec, discussions):
                writer.write(scored)
                statuses.update(scored["status"].tolist())
                decisions.update(d for d in scored["decision"].tolist() if d is not None)
                bar.update(len(scored))
            if writer.rows_written == 0:  # still write the header / schema
                writer.write(_empty_output(layout))
        if show and bar.total is not None and bar.n != bar.total:
            bar.total = bar.n  # the total was a line-count estimate
            bar.refresh()

    return _summary(statuses, decisions, started, loaded, output, paths, offtopic=offtopic)


def _summary(
    statuses: Counter[str], decisions: Counter[str], started: float, loaded: LoadedModel,
    output: str | os.PathLike[str], paths: Sequence[str], offtopic: Any = None, **extra: Any,
) -> dict[str, Any]:
    return {
        "rows": sum(statuses.values()),
        "scored": sum(statuses[s] for s in SCORED_STATUSES),
        "off_topic_scored": statuses[STATUS_OK],
        "no_article": statuses[STATUS_NO_ARTICLE],
        "article_not_found": statuses[STATUS_ARTICLE_NOT_FOUND],
        "offtopic_model_id": offtopic.model_id if offtopic is not None else None,
        "empty": statuses[STATUS_EMPTY],
        "missing": statuses[STATUS_MISSING],
        "decisions": {decision: decisions[decision] for decision in DECISIONS},
        "seconds": time.perf_counter() - started,
        "model_id": loaded.model_id,
        "output": os.fspath(output),
        "inputs": list(paths),
        **extra,
    }


# --------------------------------------------------------------------------- pages


def _input_kind(path: str) -> str:
    from moderate.pages.read import PAGE_EXTENSIONS

    p = Path(path)
    if p.is_dir() or p.name.lower().endswith(PAGE_EXTENSIONS):
        return "pages"
    return "table"


def page_articles(splits: Sequence[Any]) -> tuple[np.ndarray, list[tuple[str | None, str]], list[str | None], np.ndarray]:
    """``(article_of, articles, parents, discussion_of)`` for the rows of ``comments_frame(splits)``:
    a comment's article is its page's (title, body), or ``(about, "")`` for a widget comment; its
    parent is the text of the comment it replies to; its discussion, the comments of the same
    page under the same article (so a page scores the same whatever pages it is batched with).
    A page without article text gives NO_ARTICLE."""
    distinct: dict[tuple[str | None, str], int] = {}
    article_of: list[int] = []
    parents: list[str | None] = []
    groups: dict[tuple[int, int], int] = {}
    discussion_of: list[int] = []
    for page, split in enumerate(splits):
        title, body = split.article.get("title"), split.article.get("body") or ""
        for comment in split.comments:
            if comment.about:
                article_of.append(distinct.setdefault((comment.about, ""), len(distinct)))
            elif body.strip() or title:
                article_of.append(distinct.setdefault((title, body), len(distinct)))
            else:
                article_of.append(NO_ARTICLE)
            reply = comment.reply_to
            parents.append(split.comments[reply].text if reply is not None and 0 <= reply < len(split.comments) else None)
            a = article_of[-1]
            discussion_of.append(groups.setdefault((page, a), len(groups)) if a >= 0 else -1)
    return (np.asarray(article_of, dtype=np.int64), list(distinct), parents,
            np.asarray(discussion_of, dtype=np.int64))


def score_pages(
    paths: Sequence[str],
    output: str | os.PathLike[str],
    model: ModelLike,
    splitter: Any,
    chunk_size: int,
    progress: bool | None,
    n_jobs: int | None,
    thresholds: Mapping[str, Mapping[str, float]] | None,
    started: float,
    offtopic_model: Any = None,
) -> dict[str, Any]:
    """Split pages into comments and score them (see :func:`score_files`)."""
    from moderate.pages.batch import comments_frame, iter_splits
    from moderate.pages.split import Splitter

    offtopic = load_offtopic_if(True, offtopic_model, thresholds)
    loaded = resolve_model(model, _without_offtopic(thresholds))
    splitter = splitter if isinstance(splitter, Splitter) else Splitter.load(splitter)
    statuses: Counter[str] = Counter()
    decisions: Counter[str] = Counter()
    stats: dict[str, int] = {"pages": 0, "failed": 0}

    def write(writer: Any, splits: list[Any]) -> None:
        frame = comments_frame(splits)
        scored = _scored(frame, "text", loaded, DEFAULT_BATCH_SIZE, {}, n_jobs, offtopic, page_articles(splits))
        writer.write(scored)
        statuses.update(scored["status"].tolist())
        decisions.update(d for d in scored["decision"].tolist() if d is not None)

    with table_io.TableWriter(output) as writer:
        pending: list[Any] = []
        count = 0
        for split in iter_splits(paths, splitter, progress=progress, stats=stats, n_jobs=n_jobs):
            pending.append(split)
            count += len(split.comments)
            if count >= chunk_size:
                write(writer, pending)
                pending, count = [], 0
        if pending or writer.rows_written == 0:
            write(writer, pending)
    return _summary(
        statuses, decisions, started, loaded, output, paths, offtopic=offtopic,
        splitter_id=splitter.model_id, pages=stats["pages"], failed_pages=stats["failed"],
    )
