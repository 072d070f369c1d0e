"""The moderation decision rule.

Every label has two thresholds, chosen on the dev split when the model is trained and
stored in its metadata (``thresholds[label] = {"review": r, "reject": j}``, ``r <= j``):

* ``reject``  if any label's probability is at or above its ``reject`` threshold;
* ``review``  else, if any label's probability is at or above its ``review`` threshold;
* ``approve`` otherwise.

A missing score (NaN: ``off_topic`` of a comment without an article) takes no part; rows
without any score (empty or missing text) get no decision (``None``). Thresholds can be
overridden per run (:func:`override_thresholds`, ``moderate score --threshold``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from moderate.errors import InputError
from moderate.schema import APPROVE, REJECT, REVIEW


def decide(
    probs: np.ndarray,
    labels: Sequence[str],
    thresholds: Mapping[str, Mapping[str, float]],
) -> np.ndarray:
    """Decisions for an ``(n, len(labels))`` probability array; NaN scores are ignored, and
    rows with no score at all give ``None``."""
    probs = np.asarray(probs, dtype=float).reshape(-1, len(labels))
    review = np.array([thresholds[label]["review"] for label in labels])
    reject = np.array([thresholds[label]["reject"] for label in labels])
    out = np.full(len(probs), APPROVE, dtype=object)
    with np.errstate(invalid="ignore"):  # NaN compares False: it never triggers a decision
        out[(probs >= review).any(axis=1)] = REVIEW
        out[(probs >= reject).any(axis=1)] = REJECT
    out[np.isnan(probs).all(axis=1)] = None
    return out


def override_thresholds(
    base: Mapping[str, Mapping[str, float]],
    overrides: Mapping[str, Mapping[str, float]] | None,
) -> dict[str, dict[str, float]]:
    """``base`` with some thresholds replaced, e.g. ``{"toxicity": {"reject": 0.95}}``.

    Raises :class:`~moderate.errors.InputError` for an unknown label or kind, a value
    outside [0, 1], or a label whose ``review`` would end up above its ``reject``.
    """
    merged = {label: dict(kinds) for label, kinds in base.items()}
    for label, kinds in (overrides or {}).items():
        if label not in merged:
            raise InputError(f"unknown label {label!r} in thresholds; known: {', '.join(merged)}")
        for kind, value in kinds.items():
            if kind not in ("review", "reject"):
                raise InputError(f"unknown threshold kind {kind!r}: use review or reject")
            if not 0.0 <= float(value) <= 1.0:
                raise InputError(f"threshold {label}.{kind}={value} is outside [0, 1]")
            merged[label][kind] = float(value)
        if merged[label]["review"] > merged[label]["reject"]:
            raise InputError(
                f"{label}: review threshold {merged[label]['review']} is above "
                f"reject threshold {merged[label]['reject']}"
            )
    return merged


def parse_threshold_options(items: Sequence[str]) -> dict[str, dict[str, float]]:
    """``["toxicity.reject=0.95", "insult.review=0.4"]`` -> ``{"toxicity": {"reject": 0.95}, ...}``."""
    parsed: dict[str, dict[str, float]] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        label, dot, kind = name.strip().rpartition(".")
        try:
            value = float(raw)
        except ValueError:
            value = None
        if not sep or not dot or not label or value is None:
            raise InputError(f"--threshold expects LABEL.review=VALUE or LABEL.reject=VALUE, got {item!r}")
        parsed.setdefault(label, {})[kind] = value
    return parsed
