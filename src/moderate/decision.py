"""The moderation decision rule.

Every label has two thresholds, chosen on the dev split when the model is trained and
stored in its metadata (``thresholds[label] = {"review": r, "reject": j}``, ``r <= j``):

* ``reject``  if any label's probability is at or above its ``reject`` threshold;
* ``review``  else, if any label's probability is at or above its ``review`` threshold;
* ``approve`` otherwise.

Rows without scores (empty or missing text) get no decision (``None``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from moderate.schema import APPROVE, REJECT, REVIEW


def decide(
    probs: np.ndarray,
    labels: Sequence[str],
    thresholds: Mapping[str, Mapping[str, float]],
) -> np.ndarray:
    """Decisions for an ``(n, len(labels))`` probability array; NaN rows give ``None``."""
    probs = np.asarray(probs, dtype=float).reshape(-1, len(labels))
    review = np.array([thresholds[label]["review"] for label in labels])
    reject = np.array([thresholds[label]["reject"] for label in labels])
    out = np.full(len(probs), APPROVE, dtype=object)
    out[(probs >= review).any(axis=1)] = REVIEW
    out[(probs >= reject).any(axis=1)] = REJECT
    out[np.isnan(probs).any(axis=1)] = None
    return out
