"""Moderators' label files -> one tidy frame of labelled rows, with a report of what was used.

Accepted files (by extension; CSV/TSV/JSON Lines may end in ``.gz``):

* **tables** (``.csv``, ``.tsv``, ``.jsonl``, ``.parquet``): a text column (``text``, ``comment``,
  ``comment_text``, ``body`` or ``--text-col``) and any subset of the label columns
  :data:`LABEL_COLUMNS`. A label cell is ``0``/``1``, a fraction of raters in [0, 1], a boolean
  (``true``/``false``, ``yes``/``no``), or empty (not labelled). ``off_topic`` also takes the
  guideline's words: ``on`` -> 0, ``off`` and ``generic`` -> 1. Optional columns: ``article``
  (the article's text, with an optional ``title``) or ``article_id`` (needed for ``off_topic``;
  joined to ``--articles``), ``comment_id``,
  ``labeler`` (or ``labeller``), ``labeled_at`` (or ``labelled_at``; any date pandas reads, UTC
  assumed when no zone is given).
* **Label Studio JSON exports** (``.json``): the list of tasks Label Studio writes with
  *Export -> JSON*, made with the labelling config shipped in ``data/labels/labelstudio/config.xml``.
  Every (not cancelled) annotation becomes one row: the ``incivility`` choices give 1 for each
  chosen label and 0 for the others (``none`` alone = all 0); the ``off_topic`` choice gives
  ``on`` -> 0, ``off``/``generic`` -> 1. ``completed_by`` is the labeler and ``updated_at``
  (else ``created_at``) the time. A control named after a label with ``yes``/``no`` choices
  works too.

Nothing is dropped silently. A row is **skipped, with its reason**, when its text is empty, a
label value cannot be read, its ``labeled_at`` is not a date, or it has no usable label. An
``off_topic`` value on a row with neither ``article`` nor ``article_id`` is ignored (the row's
other labels are kept) and counted. Unknown columns are reported.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from moderate.corpora import normalise_key
from moderate.errors import InputError
from moderate.schema import LABELS, OFF_TOPIC, TEXT_COLUMN_CANDIDATES

#: Every label a label file may carry, in this order.
LABEL_COLUMNS: tuple[str, ...] = (*LABELS, OFF_TOPIC)
#: Optional columns, with the spellings accepted for each.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "article": ("article", "article_text"),
    "title": ("title", "article_title"),
    "article_id": ("article_id",),
    "comment_id": ("comment_id", "id"),
    "labeler": ("labeler", "labeller", "annotator"),
    "labeled_at": ("labeled_at", "labelled_at", "annotated_at"),
}
#: Columns of :attr:`LabelFile.rows`.
ROW_COLUMNS: tuple[str, ...] = (
    "text", "key", *LABEL_COLUMNS, "article", "title", "article_id", "comment_id", "labeler", "labeled_at", "file", "line",
)
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}
_OFFTOPIC_WORDS = {"on": 0.0, "off": 1.0, "generic": 1.0}
#: How many skipped rows the command prints one by one (all are counted, and --skipped writes all).
MAX_LISTED = 10


@dataclass
class LabelFileReport:
    """What reading one file did: counts, reasons and the first bad rows."""

    path: str
    format: str
    sha256: str
    rows_read: int = 0
    rows_used: int = 0
    skipped: Counter = field(default_factory=Counter)  # reason -> rows
    #: (row, reason) of every skipped row; rows count data rows from 1 (a Label Studio export: tasks)
    bad_rows: list[tuple[int, str]] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    label_counts: dict[str, int] = field(default_factory=dict)  # label -> rows with a value
    notes: Counter = field(default_factory=Counter)  # e.g. "off_topic ignored: no article or article_id"

    def skip(self, line: int, reason: str) -> None:
        self.skipped[reason] += 1
        self.bad_rows.append((line, reason))

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "format": self.format, "sha256": self.sha256,
            "rows_read": self.rows_read, "rows_used": self.rows_used,
            "skipped": dict(self.skipped), "unknown_columns": self.unknown_columns,
            "label_counts": self.label_counts, "notes": dict(self.notes),
        }


@dataclass
class LabelFile:
    """The usable rows of one file (:data:`ROW_COLUMNS`; labels are float, NaN = not labelled)."""

    rows: pd.DataFrame
    report: LabelFileReport


def sha256_of(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parse_label_value(value: Any, label: str) -> float | None:
    """A cell as a float in [0, 1]; NaN when empty; None when it cannot be read."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        return number if 0.0 <= number <= 1.0 else None
    text = str(value).strip().lower()
    if not text:
        return math.nan
    if label == OFF_TOPIC and text in _OFFTOPIC_WORDS:
        return _OFFTOPIC_WORDS[text]
    if text in _TRUE:
        return 1.0
    if text in _FALSE:
        return 0.0
    try:
        number = float(text)
    except ValueError:
        return None
    return number if 0.0 <= number <= 1.0 else None


def _read_table(path: Path) -> pd.DataFrame:
    from moderate.io import check_readable, iter_table_chunks

    check_readable(path)
    chunks = list(iter_table_chunks(path, 100_000))
    return pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {str(c).casefold(): c for c in columns}
    for name in names:
        if name in lowered:
            return lowered[name]
    return None


def read_label_file(path: str | os.PathLike[str], text_col: str | None = None, file_index: int = 0) -> LabelFile:
    """Read one label file (see the module docstring). ``file_index`` is stored in the ``file`` column."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"label file not found: {path}")
    if path.suffix.lower() == ".json":
        records, fmt = _labelstudio_records(path), "labelstudio"
        frame = pd.DataFrame(records)
        text_name = "text"
    else:
        frame, fmt = _read_table(path), _format_name(path)
        if frame.empty and not len(frame.columns):
            raise InputError(f"{path}: no rows")
        text_name = _text_column(list(frame.columns), text_col, path)
    report = LabelFileReport(str(path), fmt, sha256_of(path))
    columns = [str(c) for c in frame.columns]
    label_cols = {label: _find(columns, (label,)) for label in LABEL_COLUMNS}
    optional = {name: _find(columns, spellings) for name, spellings in OPTIONAL_COLUMNS.items()}
    if fmt != "labelstudio":
        if not any(label_cols.values()):
            raise InputError(f"{path}: no label column; expected any of {', '.join(LABEL_COLUMNS)} "
                             f"(columns: {', '.join(columns) or 'none'})")
        known = {text_name, *filter(None, label_cols.values()), *filter(None, optional.values())}
        report.unknown_columns = [c for c in columns if c not in known]
    report.rows_read = len(frame)
    out: list[dict[str, Any]] = []
    for position, record in enumerate(frame.to_dict("records")):
        line = int(record.pop("_line", position + 1))
        if record.pop("_no_annotation", False) is True:
            report.skip(line, "Label Studio task without an annotation")
            continue
        row = _row(record, text_name, label_cols, optional, report, line)
        if row is not None:
            row["file"], row["line"] = file_index, line
            out.append(row)
    rows = pd.DataFrame(out, columns=list(ROW_COLUMNS))
    for label in LABEL_COLUMNS:
        rows[label] = rows[label].astype("float64")
    rows["labeled_at"] = pd.to_datetime(rows["labeled_at"], utc=True)
    report.rows_used = len(rows)
    report.label_counts = {label: int(rows[label].notna().sum()) for label in LABEL_COLUMNS if rows[label].notna().any()}
    return LabelFile(rows, report)


def _format_name(path: Path) -> str:
    from moderate.io import table_format

    return table_format(path).name


def _text_column(columns: list[str], text_col: str | None, path: Path) -> str:
    from moderate.score import find_text_column

    try:
        return find_text_column(columns, text_col)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


def _cell(record: dict[str, Any], column: str | None) -> Any:
    if column is None:
        return None
    value = record.get(column)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _row(record: dict[str, Any], text_name: str, label_cols: dict[str, str | None],
         optional: dict[str, str | None], report: LabelFileReport, line: int) -> dict[str, Any] | None:
    text = record.get(text_name)
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
        report.skip(line, "empty text")
        return None
    text = str(text)
    key = normalise_key(text)
    if not key:
        report.skip(line, "text has no letters or digits")
        return None
    row: dict[str, Any] = {"text": text, "key": key}
    for name, column in optional.items():
        value = _cell(record, column)
        row[name] = None if value is None else str(value) if name != "labeled_at" else value
    if row["labeled_at"] is not None:
        stamp = pd.to_datetime(row["labeled_at"], utc=True, errors="coerce")
        if pd.isna(stamp):
            report.skip(line, "labeled_at is not a date")
            return None
        row["labeled_at"] = stamp
    for label in LABEL_COLUMNS:
        column = label_cols[label]
        value = parse_label_value(record.get(column), label) if column is not None else math.nan
        if value is None:
            allowed = "0/1, a fraction in [0, 1], or on/off/generic" if label == OFF_TOPIC else "0/1 or a fraction in [0, 1]"
            report.skip(line, f"{label}: value is not {allowed}")
            return None
        row[label] = value
    if not math.isnan(row[OFF_TOPIC]) and row["article"] is None and row["article_id"] is None:
        report.notes["off_topic ignored: no article or article_id"] += 1
        row[OFF_TOPIC] = math.nan
    if all(math.isnan(row[label]) for label in LABEL_COLUMNS):
        report.skip(line, "no label value")
        return None
    return row


# --------------------------------------------------------------------------- Label Studio


def _labelstudio_records(path: Path) -> list[dict[str, Any]]:
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a Label Studio JSON export ({exc})") from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list) or not all(isinstance(t, dict) and "data" in t for t in tasks):
        raise InputError(f"{path}: not a Label Studio JSON export (expected a list of tasks with 'data')")
    records: list[dict[str, Any]] = []
    for number, task in enumerate(tasks, start=1):
        data = task.get("data") or {}
        text = next((data.get(c) for c in TEXT_COLUMN_CANDIDATES if data.get(c) is not None), None)
        base = {
            "_line": number, "text": text, "article": data.get("article"), "title": data.get("title"),
            "article_id": data.get("article_id"),
            "comment_id": data.get("comment_id", task.get("id")),
        }
        annotations = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
        if not annotations:
            records.append({**base, "_no_annotation": True})
            continue
        for annotation in annotations:
            labels = _choices_to_labels(annotation.get("result") or [])
            who = annotation.get("completed_by")
            if isinstance(who, dict):
                who = who.get("email") or who.get("id")
            records.append({**base, **labels, "labeler": who,
                            "labeled_at": annotation.get("updated_at") or annotation.get("created_at")})
    return records


def _choices_to_labels(results: list[dict[str, Any]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for result in results:
        if result.get("type") != "choices":
            continue
        name = str(result.get("from_name", ""))
        chosen = [str(c).strip().lower() for c in (result.get("value") or {}).get("choices", [])]
        if name == "incivility":
            for label in LABELS:
                out[label] = 1.0 if label in chosen else 0.0
        elif name == OFF_TOPIC and chosen:
            if chosen[0] in _OFFTOPIC_WORDS:
                out[OFF_TOPIC] = _OFFTOPIC_WORDS[chosen[0]]
        elif name in LABEL_COLUMNS and chosen:
            value = parse_label_value(chosen[0], name)
            if value is not None:
                out[name] = value
    return out
