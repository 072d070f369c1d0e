"""Candidate versus current model on the same rows, and the promotion rule.

Two sets of rows, both scored by both models in the same run:

* the shipped **test split** (never trained on by either model);
* the **held-out slice of the site's labels** (:func:`moderate.retrain.merge.in_holdout`).

The rule (recorded with every comparison):

* a label counts on the held-out slice when it has at least :data:`MIN_CLASS` positive and
  :data:`MIN_CLASS` negative rows there; the candidate must beat the current model's mean ROC AUC
  over those labels by more than ``min_gain`` (default 0: any improvement);
* on the shipped test split no label's ROC AUC may drop by more than ``tolerance``
  (default 0.005).

If the held-out slice has no label that counts, nothing shows an improvement and the candidate
is not promoted (``--force`` overrides, and is recorded).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from moderate import metrics
from moderate.schema import LABELS

DEFAULT_TOLERANCE = 0.005
DEFAULT_MIN_GAIN = 0.0
#: Positives and negatives a label needs on the held-out slice to count.
MIN_CLASS = 5


def _auc_table(frame: pd.DataFrame, parent: np.ndarray, candidate: np.ndarray,
               labels: Sequence[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for j, label in enumerate(labels):
        if label not in frame:
            continue
        known, y = metrics.binary_truth(frame[label])
        n, n_pos = int(known.sum()), int(y[known].sum())
        row: dict[str, Any] = {"n": n, "n_pos": n_pos, "parent": None, "candidate": None, "delta": None,
                               "parent_ap": None, "candidate_ap": None}
        if 0 < n_pos < n:  # label_metrics gives ranking figures only when both classes are present
            before = metrics.label_metrics(y[known], parent[known, j], 0.5)
            after = metrics.label_metrics(y[known], candidate[known, j], 0.5)
            row.update(parent=before["roc_auc"], candidate=after["roc_auc"], delta=after["roc_auc"] - before["roc_auc"],
                       parent_ap=before["average_precision"], candidate_ap=after["average_precision"])
        out[label] = row
    return out


def compare(test: pd.DataFrame, parent_test: np.ndarray, candidate_test: np.ndarray,
            holdout: pd.DataFrame, parent_holdout: np.ndarray, candidate_holdout: np.ndarray,
            tolerance: float = DEFAULT_TOLERANCE, min_gain: float = DEFAULT_MIN_GAIN,
            labels: Sequence[str] = LABELS) -> dict[str, Any]:
    """The comparison and the decision: ``{"shipped_test": {label: {...}}, "site_holdout": ...,
    "holdout_mean": {...}, "rule": {...}, "promote": bool, "reasons": [str]}``.

    The probability arrays are ``(rows, len(labels))`` for the rows of ``test`` / ``holdout``.
    """
    shipped = _auc_table(test, parent_test, candidate_test, labels)
    site = _auc_table(holdout, parent_holdout, candidate_holdout, labels) if len(holdout) else {}
    counted = [label for label, row in site.items()
               if row["n_pos"] >= MIN_CLASS and row["n"] - row["n_pos"] >= MIN_CLASS]
    reasons: list[str] = []
    promote = True
    mean: dict[str, Any] = {"labels": counted, "parent": None, "candidate": None, "delta": None}
    if not counted:
        promote = False
        reasons.append(
            f"no label has {MIN_CLASS} positive and {MIN_CLASS} negative rows in the held-out slice of the site's "
            f"labels ({len(holdout)} rows): nothing shows an improvement"
        )
    else:
        mean["parent"] = float(np.mean([site[label]["parent"] for label in counted]))
        mean["candidate"] = float(np.mean([site[label]["candidate"] for label in counted]))
        mean["delta"] = mean["candidate"] - mean["parent"]
        if mean["delta"] > min_gain:
            reasons.append(f"held-out site labels: mean ROC AUC {mean['parent']:.3f} -> {mean['candidate']:.3f} "
                           f"({mean['delta']:+.3f}) over {', '.join(counted)}")
        else:
            promote = False
            reasons.append(f"held-out site labels: mean ROC AUC {mean['parent']:.3f} -> {mean['candidate']:.3f} "
                           f"({mean['delta']:+.3f}) does not improve by more than {min_gain}")
    drops = [(label, row["delta"]) for label, row in shipped.items()
             if row["delta"] is not None and row["delta"] < -tolerance]
    if drops:
        promote = False
        reasons.extend(f"shipped test: {label} ROC AUC drops by {-d:.4f} (tolerance {tolerance})" for label, d in drops)
    else:
        worst = min((row["delta"] for row in shipped.values() if row["delta"] is not None), default=None)
        if worst is not None:
            reasons.append(f"shipped test: no label drops by more than {tolerance} (worst change {worst:+.4f})")
    return {
        "rule": {"tolerance": tolerance, "min_gain": min_gain, "min_class": MIN_CLASS},
        "shipped_test": shipped,
        "site_holdout": site,
        "site_holdout_rows": len(holdout),
        "holdout_mean": mean,
        "promote": promote,
        "reasons": reasons,
    }


def comparison_lines(comparison: dict[str, Any]) -> list[str]:
    """A plain-text table of a comparison (for the terminal and the model card)."""
    lines = [f"{'rows':<13}{'label':<17}{'n':>7}{'pos':>7}{'current':>9}{'candidate':>11}{'change':>9}"]
    for title, table in (("held-out", comparison["site_holdout"]), ("shipped test", comparison["shipped_test"])):
        for label, row in table.items():
            if not row["n"]:
                continue

            def f(v: Any) -> str:
                return "n/a" if v is None else f"{v:.3f}"
            change = "n/a" if row["delta"] is None else f"{row['delta']:+.3f}"
            lines.append(f"{title:<13}{label:<17}{row['n']:>7,}{row['n_pos']:>7,}{f(row['parent']):>9}"
                         f"{f(row['candidate']):>11}{change:>9}")
    return lines
