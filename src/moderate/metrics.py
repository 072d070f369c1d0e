"""Metrics for probabilistic binary labels: calibration, ranking, thresholds.

Pure functions on arrays. ``y_true`` is a 1-D array of 0/1 ints (or bools); ``prob`` a
same-length float array in [0, 1]; a row is predicted positive when ``prob >= threshold``.
Undefined ranking metrics (one class present) are ``None``, never NaN, so results
serialise to strict JSON. Precision, recall and F1 follow scikit-learn's
``zero_division=0`` convention and are always floats.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

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
    min_reject_score: float = 0.0,
) -> dict[str, float]:
    """The ``review`` and ``reject`` thresholds for one label, from dev-split scores.

    * ``review``: the threshold (one of the observed probabilities) that maximises F1; on a
      tie, the higher threshold.
    * ``reject``: the smallest observed threshold whose precision is at least
      ``min_reject_precision`` with at least ``min_reject_positives`` true positives at or
      above it. If there is none, just above the highest probability of any negative
      (``nextafter(max_neg, inf)``, so no negative seen would be rejected), or ``review``
      if there are no negatives. Never below ``min_reject_score`` (a floor for automatic
      rejection when dev precision overstates precision on real traffic). Always
      ``reject >= review``.
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
    return {"review": review, "reject": max(reject, review, min_reject_score)}
