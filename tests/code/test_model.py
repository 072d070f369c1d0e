"""LabelHeads and build_estimator on tiny inline corpora."""

import numpy as np
import pytest

from moderate.model import DEFAULT_PARAMS, LabelHeads, _soft_targets, build_estimator
from moderate.schema import LABELS

TEXTS = [
    "you are an idiot",
    "nice article, thanks",
    "what a moron",
    "i agree with this",
    "go to hell you filthy pigs, all of your people",
    "great point about taxes",
    "i will kill you",
    "the council voted today",
] * 6
ROW_LABELS = [
    [1, 1, 0, 0, 0],
    [0, 0, 0, 0, 0],
    [1, 1, 0, 0, 0],
    [0, 0, 0, 0, 0],
    [1, 0.5, 1, 1, 0.3],
    [0, 0, 0, 0, 0],
    [1, 0, 0, 0, 1],
    [0, np.nan, 0, 0, 0],
]
Y = np.array(ROW_LABELS * 6, dtype=float)
SMALL = {"word_min_df": 1, "char_min_df": 1, "isotonic_min_positives": 10**9, "n_jobs": 1}


def test_soft_targets_expand_fractions() -> None:
    rows, target, weight = _soft_targets(np.array([1.0, 0.0, 0.25]))
    pairs = sorted(zip(rows.tolist(), target.tolist(), weight.tolist()))
    assert pairs == [(0, 1, 1.0), (1, 0, 1.0), (2, 0, 0.75), (2, 1, 0.25)]


def test_fit_predict_shapes_and_range() -> None:
    est = build_estimator(**SMALL).fit(TEXTS, Y)
    probs = est.predict_proba(["you idiot", "thanks for the article", ""])
    assert probs.shape == (3, len(LABELS))
    assert np.all((probs >= 0) & (probs <= 1))
    assert probs[0, 0] > probs[1, 0]


def test_each_head_uses_only_known_rows() -> None:
    est = build_estimator(**SMALL).fit(TEXTS, Y)
    n_rows = est.named_steps["heads"].n_rows_
    assert n_rows["insult"] == len(TEXTS) - 6  # the NaN insult rows are left out
    assert n_rows["toxicity"] == len(TEXTS)


def test_fit_is_deterministic_and_independent_of_jobs() -> None:
    a = build_estimator(**SMALL).fit(TEXTS, Y).predict_proba(TEXTS[:8])
    b = build_estimator(**{**SMALL, "n_jobs": 2}).fit(TEXTS, Y).predict_proba(TEXTS[:8])
    assert np.array_equal(a, b)


def test_label_without_both_classes_is_an_error() -> None:
    bad = Y.copy()
    bad[:, LABELS.index("threat")] = 0.0
    with pytest.raises(ValueError, match="threat"):
        build_estimator(**SMALL).fit(TEXTS, bad)


def test_labels_out_of_range_are_an_error() -> None:
    bad = Y.copy()
    bad[0, 0] = 2.0
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        LabelHeads().fit(np.eye(len(TEXTS)), bad)


def test_unknown_parameter_is_an_error() -> None:
    with pytest.raises(TypeError, match="bogus"):
        build_estimator(bogus=1)
    assert set(SMALL) <= set(DEFAULT_PARAMS)
