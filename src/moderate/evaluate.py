"""Evaluation metrics, threshold choice, and the evaluation report.

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
from sklearn.metrics import average_precision_score, roc_auc_score

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
#: The metric keys :func:`label_metrics` returns, in order.
METRIC_KEYS: tuple[str, ...] = (
    "n",
    "n_pos",
    "roc_auc",
    "average_precision",
    "f1",
    "precision",
    "recall",
    "ece",
)


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


# --------------------------------------------------------------------------- validation


def _binary_and_prob(y_true: Any, prob: Any) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true)
    p = np.asarray(prob, dtype=float)
    if y.ndim != 1 or p.ndim != 1:
        raise ValueError(f"y_true and prob must be 1-D, got shapes {y.shape} and {p.shape}")
    if len(y) != len(p):
        raise ValueError(f"y_true has {len(y)} rows but prob has {len(p)}")
    if y.dtype == bool:
        y = y.astype(int)
    if len(y) and not np.isin(y, (0, 1)).all():
        raise ValueError("y_true must hold only 0 and 1")
    if len(p) and not (np.isfinite(p).all() and p.min() >= 0.0 and p.max() <= 1.0):
        raise ValueError("prob must hold finite values in [0, 1]")
    return y.astype(int), p


def binary_truth(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(known, y)`` for a label column: ``known`` = not NaN, ``y`` = ``value >= 0.5`` as int."""
    raw = np.asarray(values, dtype=float)
    known = ~np.isnan(raw)
    with np.errstate(invalid="ignore"):
        y = (raw >= 0.5).astype(int)
    return known, y


# --------------------------------------------------------------------------- calibration


def _bin_index(prob: np.ndarray, n_bins: int) -> np.ndarray:
    if n_bins < 1:
        raise ValueError(f"n_bins must be >= 1, got {n_bins}")
    return np.clip(np.floor(prob * n_bins).astype(int), 0, n_bins - 1)


def expected_calibration_error(y_true: Any, prob: Any, n_bins: int = 10) -> float:
    """Expected calibration error over ``n_bins`` equal-width bins of [0, 1].

    The count-weighted mean of ``|mean(prob) - mean(y)|`` over non-empty bins (the last bin
    is closed: a probability of 1.0 falls in it). NaN for empty input.
    """
    y, p = _binary_and_prob(y_true, prob)
    if len(p) == 0:
        return float("nan")
    idx = _bin_index(p, n_bins)
    sum_p = np.bincount(idx, weights=p, minlength=n_bins)
    sum_y = np.bincount(idx, weights=y, minlength=n_bins)
    # sum_b (n_b / N) * |sum_p_b / n_b - sum_y_b / n_b| == sum_b |sum_p_b - sum_y_b| / N
    return float(np.abs(sum_p - sum_y).sum() / len(p))


def reliability_table(y_true: Any, prob: Any, n_bins: int = 10) -> list[dict[str, Any]]:
    """One row per non-empty equal-width bin: ``bin_lo, bin_hi, n, mean_prob, frac_positive``."""
    y, p = _binary_and_prob(y_true, prob)
    idx = _bin_index(p, n_bins)
    counts = np.bincount(idx, minlength=n_bins)
    sum_p = np.bincount(idx, weights=p, minlength=n_bins)
    sum_y = np.bincount(idx, weights=y, minlength=n_bins)
    return [
        {
            "bin_lo": b / n_bins,
            "bin_hi": (b + 1) / n_bins,
            "n": int(counts[b]),
            "mean_prob": float(sum_p[b] / counts[b]),
            "frac_positive": float(sum_y[b] / counts[b]),
        }
        for b in range(n_bins)
        if counts[b] > 0
    ]


# --------------------------------------------------------------------------- per-label metrics


def label_metrics(y_true: Any, prob: Any, threshold: float) -> dict[str, Any]:
    """Ranking, threshold and calibration metrics for one label on one slice.

    Returns ``{"n", "n_pos", "roc_auc", "average_precision", "f1", "precision", "recall",
    "ece"}``. ``roc_auc`` and ``average_precision`` are ``None`` unless both classes are
    present; ``ece`` is ``None`` for an empty slice. F1 / precision / recall are for
    ``prob >= threshold`` and are 0.0 where undefined (no predicted or no true positives).
    """
    y, p = _binary_and_prob(y_true, prob)
    n, n_pos = len(y), int(y.sum())
    both_classes = 0 < n_pos < n
    predicted = p >= threshold
    tp = int((predicted & (y == 1)).sum())
    fp = int((predicted & (y == 0)).sum())
    fn = n_pos - tp
    return {
        "n": n,
        "n_pos": n_pos,
        "roc_auc": float(roc_auc_score(y, p)) if both_classes else None,
        "average_precision": float(average_precision_score(y, p)) if both_classes else None,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0,
        "precision": tp / (tp + fp) if tp else 0.0,
        "recall": tp / n_pos if tp else 0.0,
        "ece": expected_calibration_error(y, p) if n else None,
    }


def paired_auc_difference(y_true: Any, prob_a: Any, prob_b: Any) -> tuple[float, float] | None:
    """``(AUC(a) - AUC(b), standard error)`` for two scores of the same rows (DeLong 1988).

    ``None`` unless there are at least two positives and two negatives. The standard error
    accounts for the pairing, so ``|difference| < 1.96 * se`` means the two systems are
    not told apart on this slice at the 5% level.
    """
    from scipy.stats import rankdata

    y, a = _binary_and_prob(y_true, prob_a)
    _, b = _binary_and_prob(y_true, prob_b)
    pos, neg = y == 1, y == 0
    m, n = int(pos.sum()), int(neg.sum())
    if m < 2 or n < 2:
        return None
    aucs, v_pos, v_neg = [], [], []
    for score in (a, b):
        rank_pos, rank_neg = rankdata(score[pos]), rankdata(score[neg])
        rank_all = rankdata(np.r_[score[pos], score[neg]])
        aucs.append((rank_all[:m].sum() - m * (m + 1) / 2) / (m * n))
        v_pos.append((rank_all[:m] - rank_pos) / n)  # per positive: share of negatives below
        v_neg.append(1.0 - (rank_all[m:] - rank_neg) / m)  # per negative: share of positives above
    s_pos, s_neg = np.cov(v_pos), np.cov(v_neg)
    var = (s_pos[0, 0] + s_pos[1, 1] - 2 * s_pos[0, 1]) / m + (
        s_neg[0, 0] + s_neg[1, 1] - 2 * s_neg[0, 1]
    ) / n
    return float(aucs[0] - aucs[1]), float(np.sqrt(max(var, 0.0)))


def _threshold_curve(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct thresholds (descending) with true and false positives at ``prob >= t``."""
    order = np.argsort(-p, kind="mergesort")
    p_sorted, y_sorted = p[order], y[order]
    tp = np.cumsum(y_sorted)
    fp = np.cumsum(1 - y_sorted)
    group_end = np.r_[np.nonzero(np.diff(p_sorted))[0], len(p_sorted) - 1]
    return p_sorted[group_end], tp[group_end], fp[group_end]


def choose_thresholds(
    y_true: Any,
    prob: Any,
    min_reject_precision: float = 0.9,
    *,
    min_reject_positives: int = 10,
) -> dict[str, float]:
    """The ``review`` and ``reject`` thresholds for one label, from dev-split scores.

    * ``review``: the threshold (one of the observed probabilities) that maximises F1; on a
      tie, the higher threshold.
    * ``reject``: the smallest observed threshold whose precision is at least
      ``min_reject_precision`` with at least ``min_reject_positives`` true positives at or
      above it. If there is none, just above the highest probability of any negative
      (``nextafter(max_neg, inf)``, so no negative seen would be rejected), or ``review``
      if there are no negatives. Always ``reject >= review``.
    """
    y, p = _binary_and_prob(y_true, prob)
    if len(y) == 0:
        raise ValueError("choose_thresholds needs at least one row")
    thresholds, tp, fp = _threshold_curve(y, p)
    n_pos = int(y.sum())
    f1 = 2 * tp / (tp + fp + n_pos)  # tp + fp > 0 at every observed threshold
    review = float(thresholds[int(np.argmax(f1))])  # argmax takes the first = highest t

    precision = tp / (tp + fp)
    ok = (precision >= min_reject_precision) & (tp >= min_reject_positives)
    if ok.any():
        reject = float(thresholds[np.nonzero(ok)[0][-1]])  # last in descending = smallest t
    elif n_pos < len(y):
        reject = float(np.nextafter(p[y == 0].max(), np.inf))
    else:
        reject = review
    return {"review": review, "reject": max(reject, review)}


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
        raise ValueError(
            f"probs has shape {probs.shape}, expected {(len(frame), len(labels))}"
        )
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
            per_source.append(
                {"source": source, "label": None, "auc": {}, "beats_profanity_check": None}
            )
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
                "auc": auc,
                "beats_profanity_check": beats,
                "auc_minus_profanity_check": difference[0] if difference else None,
                "auc_difference_se": difference[1] if difference else None,
            }
        )
    return {
        "pooled_toxicity_roc_auc": pooled,
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


# --------------------------------------------------------------------------- markdown


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(header: Sequence[str], body: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in body]
    return lines + [""]


class _Rows:
    """Metric rows of a report, looked up by (system, by, slice, label)."""

    def __init__(self, report: Mapping[str, Any]) -> None:
        self.systems: list[str] = list(report["systems"])
        self.index = {(r["system"], r["by"], r["slice"], r["label"]): r for r in report["metrics"]}
        self.sources = sorted({r["slice"] for r in report["metrics"] if r["by"] == "source"})
        self.domains = sorted({r["slice"] for r in report["metrics"] if r["by"] == "domain"})

    def get(self, system: str, by: str, name: str, label: str) -> dict[str, Any] | None:
        return self.index.get((system, by, name, label))

    def each_system(self, by: str, name: str, label: str, key: str) -> list[Any]:
        rows = (self.get(s, by, name, label) for s in self.systems)
        return [row[key] if row else None for row in rows]


def _md_intro(report: Mapping[str, Any]) -> list[str]:
    systems = ", ".join(f"`{s}`" for s in report["systems"])
    return [
        f"# Evaluation of `{report['model_id']}`",
        "",
        f"Split **{report.get('split') or 'given rows'}**, {report['n_rows']:,} comments from "
        f"{len(report['data'].get('sources', {}))} sources; created {report['created_utc']}. "
        f"Systems: {systems}. Truth is `label >= 0.5` on the rows where a source supplies the "
        "label; F1 / precision / recall are at each system's threshold (the model's `review` "
        "threshold). `–` = undefined (one class in the slice).",
        "",
    ]


def _md_headline(report: Mapping[str, Any]) -> list[str]:
    systems = list(report["systems"])
    head = report["headline"]
    out = ["## Headline", ""]
    if head["pooled_toxicity_roc_auc"]:
        out += ["Pooled toxicity ROC AUC:", ""]
        pooled = head["pooled_toxicity_roc_auc"]
        out += _table(["system", "ROC AUC"], [(s, pooled.get(s)) for s in systems])
    if not head["news_sources"]:
        return out
    out += [
        "ROC AUC per news source (label = toxicity, or the first label with both classes "
        "there); **flag** = the model does not beat alt-profanity-check. The difference to "
        "alt-profanity-check is given ± 1.96 paired (DeLong) standard errors: a flag whose "
        "interval spans 0 is within noise.",
        "",
    ]
    body = []
    for item in head["news_sources"]:
        diff, se = item.get("auc_minus_profanity_check"), item.get("auc_difference_se")
        body.append(
            (
                item["source"],
                item["label"],
                item.get("n"),
                item.get("n_pos"),
                *(item["auc"].get(s) for s in systems),
                "–" if diff is None else f"{diff:+.3f} ± {1.96 * se:.3f}",
                "**flag**" if item["beats_profanity_check"] is False else "",
            )
        )
    header = ["source", "label", "n", "n_pos", *systems, "model − alt-profanity-check", ""]
    out += _table(header, body)
    if head["flagged_sources"]:
        out += [f"Flagged: {', '.join(head['flagged_sources'])}.", ""]
    return out


def _md_pooled(report: Mapping[str, Any], rows: _Rows) -> list[str]:
    labels, systems = report["labels"], rows.systems
    out = ["## Pooled metrics", "", "ROC AUC, label x system:", ""]
    body = [(lab, *rows.each_system(POOLED, POOLED, lab, "roc_auc")) for lab in labels]
    out += _table(["label", *systems], body)
    out += ["All pooled metrics:", ""]
    keys = ("n", "n_pos", "roc_auc", "average_precision", "f1", "precision", "recall", "ece")
    body = []
    for label in labels:
        for system in systems:
            row = rows.get(system, POOLED, POOLED, label)
            if row is not None:
                body.append((label, system, *(row[k] for k in keys), row["threshold"]))
    header = ["label", "system", "n", "n_pos", "ROC AUC", "AP", "F1", "precision", "recall"]
    return out + _table([*header, "ECE", "threshold"], body)


def _md_toxicity_per_source(report: Mapping[str, Any], rows: _Rows) -> list[str]:
    if "toxicity" not in report["labels"]:
        return []
    systems, data_sources = rows.systems, report["data"].get("sources", {})
    body = []
    for source in rows.sources:
        model = rows.get(MODEL_SYSTEM, "source", source, "toxicity")
        if model is None:
            continue
        body.append(
            (
                source,
                data_sources.get(source, {}).get("domain"),
                model["n"],
                model["n_pos"],
                *rows.each_system("source", source, "toxicity", "roc_auc"),
                *rows.each_system("source", source, "toxicity", "average_precision"),
                model["f1"],
                model["ece"],
            )
        )
    header = ["source", "domain", "n", "n_pos", *(f"AUC {s}" for s in systems)]
    header += [*(f"AP {s}" for s in systems), "F1 model", "ECE model"]
    return ["## Toxicity per source", "", *_table(header, body)]


def _md_per_domain(report: Mapping[str, Any], rows: _Rows) -> list[str]:
    body = []
    for domain in rows.domains:
        for label in report["labels"]:
            model = rows.get(MODEL_SYSTEM, "domain", domain, label)
            if model is not None:
                aucs = rows.each_system("domain", domain, label, "roc_auc")
                body.append((domain, label, model["n"], model["n_pos"], *aucs, model["f1"]))
    header = ["domain", "label", "n", "n_pos", *rows.systems, "F1 model"]
    intro = "ROC AUC per system, and the model's F1:"
    return ["## Per domain", "", intro, "", *_table(header, body)]


def _md_per_source_label(report: Mapping[str, Any], rows: _Rows) -> list[str]:
    out = ["## Per source and label", ""]
    model_keys = ("f1", "precision", "recall", "ece")
    for label in report["labels"]:
        body = []
        for source in rows.sources:
            model = rows.get(MODEL_SYSTEM, "source", source, label)
            if model is not None:
                aucs = rows.each_system("source", source, label, "roc_auc")
                body.append(
                    (source, model["n"], model["n_pos"], *aucs, *(model[k] for k in model_keys))
                )
        if body:
            header = ["source", "n", "n_pos", *(f"AUC {s}" for s in rows.systems)]
            header += ["F1 model", "P model", "R model", "ECE model"]
            out += [f"### {label}", "", *_table(header, body)]
    return out


def _bin_name(row: Mapping[str, Any]) -> str:
    return f"{row['bin_lo']:.1f}–{row['bin_hi']:.1f}"


def _md_model_detail(report: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    if report.get("model_reject"):
        keys = ("threshold", "reject_rate", "precision", "recall", "f1", "n_pos")
        body = [(lab, *(m[k] for k in keys)) for lab, m in report["model_reject"].items()]
        header = ["label", "reject threshold", "reject rate", "precision", "recall", "F1", "n_pos"]
        out += ["## Model at its reject thresholds (pooled)", "", *_table(header, body)]
    if report.get("reliability"):
        out += ["## Model calibration (pooled reliability)", ""]
        for label, rel in report["reliability"].items():
            body = [
                (_bin_name(b), b["n"], b["mean_prob"], b["frac_positive"])
                for b in rel["bins"]
            ]
            out += [f"### {label} (ECE {_fmt(rel['ece'])})", ""]
            out += _table(["bin", "n", "mean prob", "fraction positive"], body)
    return out


def _md_systems(report: Mapping[str, Any]) -> list[str]:
    out = ["## Systems", ""]
    for name, info in report["systems"].items():
        thresholds = ", ".join(f"{lab} {_fmt(t)}" for lab, t in info["thresholds"].items())
        out.append(f"- `{name}`: {info.get('description') or ''} (thresholds: {thresholds})")
    out.append("")
    if len(report["systems"]) > 1:
        out += ["Reference systems are scored on the same rows in the same run as the model.", ""]
    return out


def _md_data(report: Mapping[str, Any]) -> list[str]:
    data, labels = report["data"], report["labels"]
    out = ["## Data", ""]
    summary_keys = ("sources", "sha256", "n_rows", "splits")
    for key, value in data.items():
        if key in summary_keys or isinstance(value, (list, tuple)):
            continue  # provenance lists are in the JSON only
        if isinstance(value, Mapping):
            value = ", ".join(f"{k} {_fmt(v)}" for k, v in value.items())
        out.append(f"- {key}: {value}")
    out.append(f"- rows: {data['n_rows']:,}; splits: {', '.join(data.get('splits', [])) or '–'}")
    out += [f"- sha256 of the evaluated rows: `{data['sha256']}`", ""]

    def counts(info: Mapping[str, Any], label: str) -> str:
        known = info["labels"].get(label, {})
        return f"{known['n_pos']}/{known['n_known']}" if known.get("n_known") else "–"

    body = [
        (source, info["domain"], info["n"], *(counts(info, lab) for lab in labels))
        for source, info in data.get("sources", {}).items()
    ]
    return out + _table(["source", "domain", "n", *(f"{lab} pos/known" for lab in labels)], body)


def _md_footer(report: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    if report.get("timings"):
        out += ["## Run time", "", *(f"- {k}: {v} s" for k, v in report["timings"].items()), ""]
    out += ["## Versions", "", *(f"- {k}: {v}" for k, v in report["versions"].items()), ""]
    return out


def render_markdown(report: Mapping[str, Any]) -> str:
    """The report as Markdown: headline, pooled tables, per-source tables, calibration, data."""
    rows = _Rows(report)
    sections = (
        _md_intro(report),
        _md_headline(report),
        _md_pooled(report, rows),
        _md_toxicity_per_source(report, rows),
        _md_per_domain(report, rows),
        _md_per_source_label(report, rows),
        _md_model_detail(report),
        _md_systems(report),
        _md_data(report),
        _md_footer(report),
    )
    return "\n".join(line for section in sections for line in section)
