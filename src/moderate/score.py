"""Score comments: a DataFrame (:func:`score_frame`) or table files in chunks (:func:`score_files`).

Both append :data:`moderate.schema.SCORE_COLUMNS` to the user's columns: one probability
per label (NaN when the row was not scored), the ``decision`` (see
:mod:`moderate.decision`; ``None`` when not scored), the row ``status`` (``ok``,
``empty_text`` or ``missing_text``) and the ``model_id``. Only rows with non-blank text
are sent to the model.
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
    SCORE_COLUMNS,
    STATUS_EMPTY,
    STATUS_MISSING,
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


def _score_columns(
    frame: pd.DataFrame,
    text_column: Any,
    model: LoadedModel,
    batch_size: int,
    n_jobs: int | None = 1,
) -> dict[str, Any]:
    """The score columns for ``frame`` (keyed by name, aligned with ``frame.index``)."""
    text_values = frame[text_column]
    if isinstance(text_values, pd.DataFrame):
        raise InputError(f"column {text_column!r} appears more than once")
    statuses, texts = _text_statuses(text_values)
    probs = np.full((len(frame), len(LABELS)), np.nan, dtype=np.float64)
    probs[statuses == STATUS_OK] = _predict(model, texts, batch_size, n_jobs)
    decisions = decide(probs, LABELS, model.thresholds)
    index = frame.index
    columns: dict[str, Any] = {
        label: pd.Series(probs[:, i], index=index, dtype="float64")
        for i, label in enumerate(LABELS)
    }
    columns["decision"] = pd.Series(decisions, index=index, dtype=object)
    columns["status"] = pd.Series(statuses, index=index, dtype="str")
    columns["model_id"] = pd.Series([model.model_id] * len(frame), index=index, dtype="str")
    return columns


def _scored(
    frame: pd.DataFrame,
    text_column: Any,
    model: LoadedModel,
    batch_size: int,
    renames: dict[Any, str],
    n_jobs: int | None = 1,
) -> pd.DataFrame:
    scores = _score_columns(frame, text_column, model, batch_size, n_jobs)
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
            ``{"toxicity": {"reject": 0.95}}``.

    Returns:
        A new DataFrame with all of ``df``'s rows (same order, same index) and columns,
        followed by :data:`~moderate.schema.SCORE_COLUMNS`: the label probabilities
        (float64, NaN where not scored), ``decision`` (None where not scored),
        ``status`` and ``model_id``. A user column named like one of these is renamed
        to ``<name>_input``, with a warning. Non-string texts are scored as ``str(value)``.

    Raises:
        InputError: no text column. ModelError: the model cannot be loaded.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    text_column = find_text_column(df.columns, text_col)
    loaded = resolve_model(model, thresholds)
    renames = clash_renames(df.columns)
    _warn_renames(renames, stacklevel=2)
    return _scored(df, text_column, loaded, batch_size, renames, n_jobs)


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
    types.update({label: "float64" for label in LABELS})
    types.update({"decision": object, "status": "str", "model_id": "str"})
    if layout.with_input_file:
        types[INPUT_FILE_COLUMN] = "str"
    return pd.DataFrame({c: _null_column(index, types[c]) for c in layout.columns}, index=index)


def _scored_chunks(
    inputs: Sequence[_Input],
    layout: _Layout,
    model: LoadedModel,
    chunk_size: int,
    n_jobs: int | None = 1,
) -> Iterator[pd.DataFrame]:
    """Every input read again chunk by chunk, scored and laid out for the writer."""
    warned: set[Any] = set()
    for item in inputs:
        if item.text_column is None:
            continue
        for chunk in table_io.iter_table_chunks(item.path, chunk_size):
            late = [c for c in chunk.columns if c not in layout.dtypes]
            if late:
                # CSV headers and Parquet schemas are fixed by then; dropping is the
                # only consistent choice, and it must not be silent.
                if new := [c for c in late if c not in warned]:
                    warned.update(new)
                    warnings.warn(
                        f"{item.path}: column(s) {', '.join(map(repr, new))} first appear "
                        "after the first chunk and are not written (a larger chunk size "
                        "reads more rows first)",
                        UserWarning,
                        stacklevel=3,
                    )
                chunk = chunk.drop(columns=late)
            chunk = _conform(chunk, layout)
            scored = _scored(
                chunk, item.text_column, model, DEFAULT_BATCH_SIZE, layout.renames, n_jobs
            )
            if layout.with_input_file:
                source = pd.Series(item.path, index=scored.index, dtype="str")
                scored.insert(0, INPUT_FILE_COLUMN, source)
            yield scored[layout.columns]


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

    Pages (``.txt``, ``.html``, ``.htm``, gzipped, or folders of them) are split first; the
    output has one row per comment with ``source``, ``index``, ``author``, ``posted_at``,
    ``reply_to``, ``about`` and ``text`` before the scores, and the summary adds ``pages``.

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
        return score_pages(paths, output, model, splitter, chunk_size, progress, n_jobs, thresholds, started)
    if len(kinds) > 1:
        raise InputError("pass either pages (.txt/.html/.htm or folders of them) or comment tables, not both")
    loaded = resolve_model(model, thresholds)
    peeked = [_peek(path, text_col, chunk_size) for path in paths]
    layout = _layout(peeked)
    _warn_renames(layout.renames, stacklevel=2)

    from tqdm import tqdm

    show = _show_progress(progress)
    statuses: Counter[str] = Counter()
    decisions: Counter[str] = Counter()
    with tqdm(
        total=_progress_total(paths) if show else None,
        unit="comments",
        file=sys.stderr,
        disable=not show,
        dynamic_ncols=True,
    ) as bar:
        with table_io.TableWriter(output) as writer:
            for scored in _scored_chunks(peeked, layout, loaded, chunk_size, n_jobs):
                writer.write(scored)
                statuses.update(scored["status"].tolist())
                decisions.update(d for d in scored["decision"].tolist() if d is not None)
                bar.update(len(scored))
            if writer.rows_written == 0:  # still write the header / schema
                writer.write(_empty_output(layout))
        if show and bar.total is not None and bar.n != bar.total:
            bar.total = bar.n  # the total was a line-count estimate
            bar.refresh()

    return _summary(statuses, decisions, started, loaded, output, paths)


def _summary(
    statuses: Counter[str], decisions: Counter[str], started: float, loaded: LoadedModel,
    output: str | os.PathLike[str], paths: Sequence[str], **extra: Any,
) -> dict[str, Any]:
    return {
        "rows": sum(statuses.values()),
        "scored": statuses[STATUS_OK],
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
) -> dict[str, Any]:
    """Split pages into comments and score them (see :func:`score_files`)."""
    from moderate.pages.batch import comments_frame, iter_splits
    from moderate.pages.split import Splitter

    loaded = resolve_model(model, thresholds)
    splitter = splitter if isinstance(splitter, Splitter) else Splitter.load(splitter)
    statuses: Counter[str] = Counter()
    decisions: Counter[str] = Counter()
    stats: dict[str, int] = {"pages": 0, "failed": 0}

    def write(writer: Any, splits: list[Any]) -> None:
        frame = comments_frame(splits)
        scored = _scored(frame, "text", loaded, DEFAULT_BATCH_SIZE, {}, n_jobs)
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
        statuses, decisions, started, loaded, output, paths,
        splitter_id=splitter.model_id, pages=stats["pages"], failed_pages=stats["failed"],
    )
