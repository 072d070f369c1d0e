"""``moderate train --labels FILE...``: a site's labels -> a candidate model -> compared -> promoted or kept.

1. Read the label files (:mod:`moderate.retrain.labelfile`); print what was read, used, skipped.
2. Add them to the labels the current model was trained with (its ``site_labels.csv.gz``), so
   each week's labels build on the last; a file already in that lineage (same sha256) is not
   added twice.
3. Resolve duplicates and hold out the fixed slice (:mod:`moderate.retrain.merge`).
4. Fit a candidate on the shipped corpora plus the site's training rows.
5. Score the shipped test split and the held-out slice with both models and apply the rule
   (:mod:`moderate.retrain.compare`).
6. Write the candidate's folder (atomic; a crash before this leaves nothing behind and the
   current model untouched) with its lineage, and promote it when the rule says so or
   ``force`` is set. Both are logged in ``models/registry.jsonl``.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from moderate import history, registry
from moderate.errors import InputError
from moderate.retrain.compare import DEFAULT_MIN_GAIN, DEFAULT_TOLERANCE, compare
from moderate.retrain.labelfile import (
    LABEL_COLUMNS,
    ROW_COLUMNS,
    LabelFileReport,
    read_label_file,
)
from moderate.retrain.merge import MergePolicy, resolve_duplicates
from moderate.schema import LABELS, OFF_TOPIC

SITE_LABELS_NAME = "site_labels.csv.gz"


@dataclass
class RetrainResult:
    """What :func:`retrain` did."""

    model_id: str
    folder: Path
    parent: str | None
    promoted: bool
    forced: bool
    comparison: dict[str, Any] | None
    reports: list[LabelFileReport]
    metadata: dict[str, Any] = field(repr=False, default_factory=dict)


def _read_site_labels(folder: Path) -> pd.DataFrame:
    path = folder / SITE_LABELS_NAME
    if not path.is_file():
        return pd.DataFrame(columns=list(ROW_COLUMNS))
    frame = pd.read_csv(path, dtype={"article_id": str, "comment_id": str, "labeler": str}, keep_default_na=True)
    frame["labeled_at"] = pd.to_datetime(frame["labeled_at"], utc=True)
    for label in LABEL_COLUMNS:
        frame[label] = frame[label].astype("float64")
    return frame[list(ROW_COLUMNS)]


def _site_labels_bytes(rows: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False)
    return gzip.compress(buffer.getvalue().encode("utf-8"), mtime=0)


def load_label_files(paths: Sequence[str | Path], text_col: str | None = None, first_index: int = 0,
                     skip_sha256: set[str] | frozenset[str] = frozenset()) -> tuple[pd.DataFrame, list[LabelFileReport]]:
    """Read every file; returns the usable rows of all of them and one report per file."""
    frames, reports = [], []
    for offset, path in enumerate(paths):
        label_file = read_label_file(path, text_col=text_col, file_index=first_index + offset)
        if label_file.report.sha256 in skip_sha256:
            label_file.report.notes["already in the current model's labels: not added again"] = label_file.report.rows_used
            label_file.report.rows_used = 0
            reports.append(label_file.report)
            continue
        frames.append(label_file.rows)
        reports.append(label_file.report)
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(ROW_COLUMNS))
    return rows, reports


def retrain(
    label_paths: Sequence[str | Path],
    models_dir: Path = Path("models"),
    data_dir: Path | None = None,
    policy: MergePolicy | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    min_gain: float = DEFAULT_MIN_GAIN,
    force: bool = False,
    promote: bool = True,
    seed: int = 0,
    params: Mapping[str, Any] | None = None,
    sources: Sequence[str] | None = None,
    text_col: str | None = None,
    by: str | None = None,
    reason: str = "",
    corpus: pd.DataFrame | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> RetrainResult:
    """Run steps 1-6 of the module doc and return what happened."""
    from moderate.train import fit_candidate, write_candidate

    policy = policy or MergePolicy()
    models_dir = Path(models_dir)
    parent_folder = None
    parent_meta: dict[str, Any] = {}
    if (models_dir / registry.CURRENT_NAME).is_file():
        parent_folder = models_dir / registry.current_model_id(models_dir)
        parent_meta = registry.read_metadata(parent_folder)
    # a file entry's "added_in" is "self" in the model that added it, that model's id once inherited
    inherited_files = [
        {**f, "added_in": parent_meta["model_id"] if f.get("added_in") == "self" else f.get("added_in")}
        for f in parent_meta.get("lineage", {}).get("label_files", [])
    ]
    inherited = _read_site_labels(parent_folder) if parent_folder is not None else pd.DataFrame(columns=list(ROW_COLUMNS))
    new_rows, reports = load_label_files(label_paths, text_col, first_index=len(inherited_files),
                                         skip_sha256={f["sha256"] for f in inherited_files})
    for report in reports:
        log(report_line(report))
    if new_rows.empty:
        raise InputError("no usable label rows in " + ", ".join(map(str, label_paths)) + " (see the reasons above)")
    all_rows = pd.concat([inherited, new_rows], ignore_index=True) if len(inherited) else new_rows
    resolved, merged_away = resolve_duplicates(all_rows, policy.duplicates)
    log(f"site labels: {len(all_rows):,} rows ({len(inherited):,} inherited from {parent_meta.get('model_id', 'no parent')}), "
        f"{merged_away:,} merged as duplicates ({policy.duplicates}) -> {len(resolved):,} texts")
    n_offtopic = int(resolved[OFF_TOPIC].notna().sum())
    if n_offtopic:
        log(f"off_topic: {n_offtopic:,} labelled texts kept in the label set; the incivility model does not train on them "
            "and the off-topic model does not take site labels yet")

    candidate = fit_candidate(data_dir, params, seed, sources=sources, site=resolved, policy=policy, corpus=corpus, log=log)
    merged = candidate.merged
    comparison = None
    if parent_folder is not None:
        log(f"scoring the shipped test split and {len(merged.holdout):,} held-out site rows with {parent_folder.name}")
        parent = registry.load_model(parent_folder)
        hold_texts = merged.holdout["text"].tolist()
        comparison = compare(
            candidate.test, parent.predict_proba(candidate.test["text"].tolist()), candidate.test_probs,
            merged.holdout, parent.predict_proba(hold_texts), candidate.estimator.predict_proba(hold_texts)
            if hold_texts else np.zeros((0, len(LABELS))),
            tolerance=tolerance, min_gain=min_gain,
        )
    files = inherited_files + [{**r.to_dict(), "added_in": "self"} for r in reports if r.rows_used]
    lineage = {
        "parent": parent_meta.get("model_id"),
        "label_files": files,
        "site_rows": {
            "total": len(all_rows), "inherited": len(inherited), "new": len(new_rows),
            "duplicates_merged": merged_away, "texts": len(resolved), "off_topic_texts": n_offtopic,
            **merged.stats,
        },
        "merge_policy": policy.to_dict(),
        "comparison": comparison,
    }
    promoted_by_rule = comparison["promote"] if comparison is not None else True
    do_promote = promote and (promoted_by_rule or force)
    forced = do_promote and not promoted_by_rule
    lineage["decision"] = {
        "promoted": do_promote, "forced": forced,
        "reasons": comparison["reasons"] if comparison is not None else ["no current model to compare with"],
    }
    result = write_candidate(candidate, models_dir, extra_metadata={"lineage": lineage},
                             extra_files={SITE_LABELS_NAME: _site_labels_bytes(all_rows[list(ROW_COLUMNS)])}, log=log)
    history.log_event(models_dir, {"event": "trained", "model_id": result.model_id, "parent": lineage["parent"],
                                   "promoted": do_promote, "forced": forced, "by": by,
                                   "reason": reason or "; ".join(lineage["decision"]["reasons"])})
    if do_promote:
        summary = "; ".join(lineage["decision"]["reasons"])
        history.promote(models_dir, result.model_id, by=by, forced=forced,
                        reason=(reason + ": " if reason else "") + ("forced: " if forced else "") + summary)
    return RetrainResult(result.model_id, result.folder, lineage["parent"], do_promote, forced, comparison,
                         reports, result.metadata)


def report_line(report: LabelFileReport) -> str:
    """One paragraph per file: read, used, skipped and why, unknown columns."""
    parts = [f"{report.path} ({report.format}): {report.rows_read:,} rows read, {report.rows_used:,} used"]
    if report.skipped:
        parts.append("skipped " + ", ".join(f"{n:,} {reason}" for reason, n in report.skipped.most_common()))
    for note, n in report.notes.items():
        parts.append(f"{n:,} {note}")
    if report.label_counts:
        parts.append("labels " + ", ".join(f"{label} {n:,}" for label, n in report.label_counts.items()))
    if report.unknown_columns:
        parts.append("unknown columns ignored: " + ", ".join(report.unknown_columns))
    text = "; ".join(parts)
    if report.bad_rows:
        text += "\n  first skipped rows: " + "; ".join(f"row {line}: {reason}" for line, reason in report.bad_rows[:10])
    return text
