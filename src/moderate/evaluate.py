"""The evaluation report: metrics per label, per source, per domain and pooled, for the
model and the reference systems on the same rows.

Metric functions live in :mod:`moderate.metrics`; the Markdown rendering in
:mod:`moderate.report`.

Pure functions: arrays and frames in, numbers and dicts out. Nothing here reads files,
prints, or looks at argv; ``moderate.commands.evaluate`` does that.

Conventions shared by every function:

* ``y_true`` is a 1-D array of 0/1 ints (or bools); ``prob`` a same-length float array in
  [0, 1]. A row is predicted positive when ``prob >= threshold``.
* In a corpus frame a label is a float in [0, 1] with NaN = unknown; the truth is
  ``label >= 0.5`` on the rows where the label is known (see :func:`binary_truth`).
* Undefined ranking metrics (ROC AUC, average precision on a slice with one class) are
  ``None``, never NaN, so reports serialise to strict JSON. Precision, recall and F1 follow
  scikit-learn's ``zero_division=0`` convention and are always floats.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd

from moderate.metrics import (
    METRIC_KEYS,
    binary_truth,
    choose_thresholds,
    expected_calibration_error,
    label_metrics,
    paired_auc_difference,
    reliability_table,
)

#: Report layout version (bump when keys change incompatibly).
REPORT_VERSION = 1
#: Name of the evaluated model in the report's ``systems`` and metric rows.
MODEL_SYSTEM = "model"
#: Reference system names (the systems themselves live in ``moderate.baselines``).
PROFANITY_CHECK_SYSTEM = "alt-profanity-check"
TFIDF_SYSTEM = "tfidf-logreg"
#: Slice name for "all rows".
POOLED = "pooled"
#: Labels tried, in order, for a source's headline AUC when toxicity has only one class there.
HEADLINE_LABELS: tuple[str, ...] = ("toxicity", "insult", "obscene", "identity_attack", "threat")


@dataclass
class SystemScores:
    """One system's probabilities on the evaluated rows and its per-label thresholds.

    ``probs`` has shape ``(n_rows, n_labels)`` with columns in the report's label order;
    ``thresholds[label]`` is the single cut-off its F1 / precision / recall are taken at.
    """

    probs: np.ndarray
    thresholds: dict[str, float]
    description: str = ""
    details: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- slices


def _threshold_for(thresholds: Mapping[str, Any], label: str) -> float:
    value = thresholds[label]
    if isinstance(value, Mapping):  # a model's {"review": r, "reject": j}
        value = value["review"]
    return float(value)


def with_domain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``domain`` column (from ``moderate.corpora.SOURCES``) if it lacks one."""
    if "domain" in frame.columns:
        return frame
    from moderate.corpora import SOURCES

    domains = {
        name: getattr(SOURCES.get(name), "domain", "unknown") for name in frame["source"].unique()
    }
    return frame.assign(domain=frame["source"].map(domains))


def metrics_frame(
    frame: pd.DataFrame,
    probs: np.ndarray,
    labels: Sequence[str],
    thresholds: Mapping[str, Any],
    by: str | Sequence[str] | None = "source",
    *,
    system: str = MODEL_SYSTEM,
) -> list[dict[str, Any]]:
    """Per-slice, per-label metric rows for one system.

    ``frame`` holds the evaluated rows (a column per label, NaN = unknown); ``probs`` is
    ``(len(frame), len(labels))`` in ``labels`` order; ``thresholds[label]`` is a float or
    a ``{"review": ...}`` mapping. ``by`` names the column(s) to slice on (``"domain"`` is
    derived from the source when missing); a ``pooled`` slice over all rows is always
    added. Each row is ``{"system", "by", "slice", "label", "threshold", **label_metrics}``
    where ``by`` is the slicing column or ``"pooled"``. Slices where the label is unknown
    on every row are left out.
    """
    probs = np.asarray(probs, dtype=float)
    if probs.shape != (len(frame), len(labels)):
        raise ValueError(f"probs has shape {probs.shape}, expected {(len(frame), len(labels))}")
    groupings = [by] if isinstance(by, str) else list(by or ())
    if "domain" in groupings:
        frame = with_domain(frame)
    slice_values = {col: frame[col].astype(str).to_numpy() for col in groupings}
    rows: list[dict[str, Any]] = []
    for j, label in enumerate(labels):
        if label not in frame.columns:
            continue
        known, y = binary_truth(frame[label])
        threshold = _threshold_for(thresholds, label)
        slices: list[tuple[str, str, np.ndarray]] = []
        for col in groupings:
            values = slice_values[col]
            for value in sorted(set(values[known])):
                slices.append((col, value, known & (values == value)))
        slices.append((POOLED, POOLED, known))
        for kind, name, mask in slices:
            if not mask.any():
                continue
            rows.append(
                {
                    "system": system,
                    "by": kind,
                    "slice": name,
                    "label": label,
                    "threshold": threshold,
                    **label_metrics(y[mask], probs[mask, j], threshold),
                }
            )
    return rows


# --------------------------------------------------------------------------- the report


def _as_system(value: np.ndarray | SystemScores, labels: Sequence[str]) -> SystemScores:
    if isinstance(value, SystemScores):
        return value
    return SystemScores(np.asarray(value, dtype=float), {label: 0.5 for label in labels})


def _find(
    rows: Iterable[dict[str, Any]], system: str, by: str, slice_name: str, label: str
) -> dict[str, Any] | None:
    for row in rows:
        if (
            row["system"] == system
            and row["by"] == by
            and row["slice"] == slice_name
            and row["label"] == label
        ):
            return row
    return None


def _headline(
    rows: list[dict[str, Any]],
    frame: pd.DataFrame,
    labels: Sequence[str],
    systems: Mapping[str, SystemScores],
) -> dict[str, Any]:
    pooled = {}
    if "toxicity" in labels:
        for name in systems:
            row = _find(rows, name, POOLED, POOLED, "toxicity")
            pooled[name] = row["roc_auc"] if row else None
    news_sources = sorted(frame.loc[frame["domain"] == "news", "source"].astype(str).unique())
    per_source = []
    for source in news_sources:
        chosen = None
        for label in (lab for lab in HEADLINE_LABELS if lab in labels):
            row = _find(rows, MODEL_SYSTEM, "source", source, label)
            if row is not None and row["roc_auc"] is not None:
                chosen = (label, row)
                break
        if chosen is None:
            per_source.append({"source": source, "label": None, "beats_profanity_check": None})
            continue
        label, model_row = chosen
        auc = {}
        for name in systems:
            row = _find(rows, name, "source", source, label)
            auc[name] = row["roc_auc"] if row else None
        reference = auc.get(PROFANITY_CHECK_SYSTEM)
        beats = None if reference is None else bool(auc[MODEL_SYSTEM] > reference)
        difference = None
        if PROFANITY_CHECK_SYSTEM in systems:
            j = list(labels).index(label)
            known, y = binary_truth(frame[label])
            mask = known & (frame["source"].astype(str).to_numpy() == source)
            difference = paired_auc_difference(
                y[mask],
                systems[MODEL_SYSTEM].probs[mask, j],
                systems[PROFANITY_CHECK_SYSTEM].probs[mask, j],
            )
        per_source.append(
            {
                "source": source,
                "label": label,
                "n": model_row["n"],
                "n_pos": model_row["n_pos"],
                **auc,
                "beats_profanity_check": beats,
                "auc_minus_profanity_check": difference[0] if difference else None,
                "auc_difference_se": difference[1] if difference else None,
            }
        )
    return {
        "pooled_toxicity_auc": pooled,
        "news_sources": per_source,
        "flagged_sources": [s["source"] for s in per_source if s["beats_profanity_check"] is False],
    }


def _data_summary(frame: pd.DataFrame, labels: Sequence[str]) -> dict[str, Any]:
    sources = {}
    for source, part in frame.groupby("source", sort=True):
        per_label = {}
        for label in labels:
            if label in part.columns:
                known, y = binary_truth(part[label])
                per_label[label] = {"n_known": int(known.sum()), "n_pos": int(y[known].sum())}
        sources[str(source)] = {
            "domain": str(part["domain"].iloc[0]),
            "n": int(len(part)),
            "labels": per_label,
        }
    hash_cols = [c for c in ("source", "key", "text", *labels) if c in frame.columns]
    row_hashes = pd.util.hash_pandas_object(frame[hash_cols], index=False).to_numpy()
    return {
        "n_rows": int(len(frame)),
        "splits": sorted(frame["split"].astype(str).unique()) if "split" in frame else [],
        "sha256": hashlib.sha256(np.ascontiguousarray(row_hashes).tobytes()).hexdigest(),
        "sources": sources,
    }


def library_versions() -> dict[str, str | None]:
    """Versions of the libraries the metrics and reference systems depend on."""
    from importlib import metadata

    import sklearn

    from moderate import __version__

    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    return {
        "moderate": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scikit-learn": sklearn.__version__,
        "alt-profanity-check": version("alt-profanity-check"),
    }


def _no_nan(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _no_nan(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_no_nan(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def evaluate_model(
    model: Any,
    frame: pd.DataFrame,
    systems: Mapping[str, np.ndarray | SystemScores] | None = None,
    *,
    probs: np.ndarray | None = None,
    split: str | None = None,
    data_description: Mapping[str, Any] | None = None,
    n_bins: int = 10,
) -> dict[str, Any]:
    """The full evaluation report for ``model`` on the rows of ``frame``.

    ``model`` needs ``model_id``, ``labels``, ``thresholds[label]["review"|"reject"]`` and
    ``predict_proba(texts) -> (n, len(labels))`` (a :class:`moderate.registry.LoadedModel`).
    ``frame`` is the evaluated rows (normally the test split of ``load_corpora()``) with
    ``source``, ``text`` and one column per label. ``systems`` maps a reference system's
    name to its probabilities on the same rows, in ``model.labels`` order, either bare
    (threshold 0.5) or as :class:`SystemScores`. Pass ``probs`` to reuse model scores
    already computed for ``frame``.

    The report has ``model_id``, ``split``, ``n_rows``, ``data`` (per-source counts and a
    hash of the evaluated rows), ``systems`` (description and thresholds), ``headline``,
    ``metrics`` (rows from :func:`metrics_frame` for every system, by source, by domain and
    pooled), ``reliability`` (model, pooled, per label), ``model_reject`` (model metrics at
    the ``reject`` thresholds), ``versions`` and ``created_utc``. It holds no NaN.

    ``headline`` is ``{"pooled_toxicity_auc": {system: auc}, "news_sources": [...],
    "flagged_sources": [source, ...]}``; each news-source row is ``{"source", "label", "n",
    "n_pos", <system>: auc for every system, "beats_profanity_check",
    "auc_minus_profanity_check", "auc_difference_se"}`` (label = toxicity, or the first
    label with both classes in that source; the difference and its paired DeLong standard
    error are None without alt-profanity-check).
    """
    labels = tuple(model.labels)
    frame = with_domain(frame.reset_index(drop=True))
    if probs is None:
        probs = model.predict_proba(frame["text"].fillna("").astype(str).tolist())
    all_systems: dict[str, SystemScores] = {
        MODEL_SYSTEM: SystemScores(
            np.asarray(probs, dtype=float),
            {label: float(model.thresholds[label]["review"]) for label in labels},
            description=f"{model.model_id} at its stored review thresholds",
        )
    }
    for name, value in (systems or {}).items():
        if name == MODEL_SYSTEM:
            raise ValueError(f"system name {MODEL_SYSTEM!r} is reserved for the evaluated model")
        all_systems[name] = _as_system(value, labels)

    rows: list[dict[str, Any]] = []
    for name, scores in all_systems.items():
        rows += metrics_frame(
            frame, scores.probs, labels, scores.thresholds, by=("source", "domain"), system=name
        )

    model_probs = all_systems[MODEL_SYSTEM].probs
    reliability, model_reject = {}, {}
    for j, label in enumerate(labels):
        if label not in frame.columns:
            continue
        known, y = binary_truth(frame[label])
        if not known.any():
            continue
        reliability[label] = {
            "ece": expected_calibration_error(y[known], model_probs[known, j], n_bins),
            "bins": reliability_table(y[known], model_probs[known, j], n_bins),
        }
        reject = float(model.thresholds[label]["reject"])
        model_reject[label] = {
            "threshold": reject,
            **label_metrics(y[known], model_probs[known, j], reject),
            "reject_rate": float((model_probs[known, j] >= reject).mean()),
        }

    report = {
        "report_version": REPORT_VERSION,
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model_id": str(model.model_id),
        "model_path": str(getattr(model, "path", None) or ""),
        "split": split,
        "n_rows": int(len(frame)),
        "labels": list(labels),
        "data": {**dict(data_description or {}), **_data_summary(frame, labels)},
        "systems": {
            name: {
                "description": scores.description,
                "thresholds": scores.thresholds,
                **scores.details,
            }
            for name, scores in all_systems.items()
        },
        "headline": _headline(rows, frame, labels, all_systems),
        "metrics": rows,
        "reliability": reliability,
        "model_reject": model_reject,
        "versions": library_versions(),
    }
    return _no_nan(report)


def pooled_auc_table(report: Mapping[str, Any]) -> dict[str, dict[str, float | None]]:
    """``{label: {system: pooled ROC AUC}}`` from a report."""
    table: dict[str, dict[str, float | None]] = {}
    for row in report["metrics"]:
        if row["by"] == POOLED:
            table.setdefault(row["label"], {})[row["system"]] = row["roc_auc"]
    return table


def render_markdown(report: Mapping[str, Any]) -> str:
    """The report as Markdown (see :mod:`moderate.report`)."""
    from moderate.report import render_markdown as render

    return render(report)


__all__ = [
    "METRIC_KEYS",
    "SystemScores",
    "binary_truth",
    "choose_thresholds",
    "evaluate_model",
    "expected_calibration_error",
    "label_metrics",
    "metrics_frame",
    "paired_auc_difference",
    "pooled_auc_table",
    "reliability_table",
    "render_markdown",
    "with_domain",
]
