"""Training: labelled corpora -> fitted estimator -> thresholds and metrics -> model folder.

The steps, all deterministic for the same data, parameters and seed:

1. ``load_corpora()`` gives the labelled frame with its text-hash split.
2. :func:`training_targets` fills *implied negatives*: a comment that raters found not
   toxic (toxicity <= 0.1) is not an insult, obscene, an identity attack or a threat
   either, so those unknown labels become 0. Without this the sub-label heads would only
   ever see the toxic-skewed Toxic Spans rows and never a civil comment.
3. A word lexicon is learned from the Toxic Spans annotations of the train split
   (:mod:`moderate.lexicon`), and the estimator (:func:`moderate.model.build_estimator`)
   is fitted on the train split, with per-domain sample weights.
4. On the dev split: per-label thresholds (``review`` = best F1, ``reject`` = precision
   >= 0.9 and probability >= :data:`REJECT_MIN_PROBABILITY`), metrics and reliability
   tables. The test split is only scored for the
   summary table; nothing is chosen on it.
5. The model folder is written atomically and, unless told otherwise, made current.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from moderate import corpora, metrics, registry
from moderate.card import render_model_card
from moderate.lexicon import span_word_table
from moderate.model import DEFAULT_PARAMS, build_estimator
from moderate.schema import LABELS, SUBTYPES

#: Per-domain sample weights. Twitter corpora are large, profane and label offensive
#: *language* rather than abuse; halving them keeps them from setting the tone for news
#: comments, the product's target.
DEFAULT_DOMAIN_WEIGHTS: dict[str, float] = {
    "news": 1.0,
    "wikipedia": 1.0,
    "reddit": 1.0,
    "twitter": 0.5,
}
IMPLIED_NEGATIVE_MAX_TOXICITY = 0.1
#: ``reject`` needs >= 90% precision on dev *and* at least this probability. Probabilities
#: are calibrated on the pooled dev split, which is far more toxic than a real comment
#: stream; on C3's news comments (~10% toxic) a 90%-precision-on-dev threshold alone had
#: 29% precision. Automatic rejection is kept for near-certain cases; the rest is review.
REJECT_MIN_PROBABILITY = 0.9


@dataclass
class TrainResult:
    """What :func:`train_model` produced."""

    model_id: str
    folder: Path
    metadata: dict[str, Any]
    estimator: Any = field(repr=False)
    seconds: float = 0.0


def training_targets(frame: pd.DataFrame) -> np.ndarray:
    """Label matrix (n, 5) for training, with implied negatives filled (see module doc)."""
    targets = frame[list(LABELS)].to_numpy(dtype=float, copy=True)
    tox = targets[:, LABELS.index("toxicity")]
    clean = ~np.isnan(tox) & (tox <= IMPLIED_NEGATIVE_MAX_TOXICITY)
    for label in SUBTYPES:
        j = LABELS.index(label)
        fill = clean & np.isnan(targets[:, j])
        targets[fill, j] = 0.0
    return targets


def sample_weights(frame: pd.DataFrame, domain_weights: Mapping[str, float]) -> np.ndarray:
    domains = frame["source"].map(lambda s: corpora.SOURCES[s].domain)
    return domains.map(lambda d: domain_weights.get(d, 1.0)).to_numpy(dtype=float)


def split_metrics(
    frame: pd.DataFrame, probs: np.ndarray, thresholds: Mapping[str, Mapping[str, float]]
) -> dict[str, dict[str, Any]]:
    """Pooled metrics per label (truth = raw label >= 0.5 where known)."""
    out = {}
    for j, label in enumerate(LABELS):
        known, y = metrics.binary_truth(frame[label])
        out[label] = metrics.label_metrics(y[known], probs[known, j], thresholds[label]["review"])
    return out


def _model_id(created: datetime, fingerprint: str) -> str:
    return f"incivility-{created:%Y%m%d}-{fingerprint[:8]}"


@dataclass
class Candidate:
    """A fitted model with its thresholds and figures, not yet written anywhere."""

    estimator: Any = field(repr=False)
    metadata: dict[str, Any]  # everything but model_id / created / training_seconds
    fingerprint: dict[str, Any]  # what the model id hashes
    test: pd.DataFrame = field(repr=False)
    test_probs: np.ndarray = field(repr=False)
    merged: Any = None  # moderate.retrain.merge.Merged when site labels were given
    started: float = 0.0


def fit_candidate(
    data_dir: Path | None = None,
    params: Mapping[str, Any] | None = None,
    seed: int = 0,
    domain_weights: Mapping[str, float] | None = None,
    sources: Sequence[str] | None = None,
    site: pd.DataFrame | None = None,
    policy: Any = None,
    corpus: pd.DataFrame | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> Candidate:
    """Steps 1-4 of the module doc. ``site``: resolved site labels (one row per key, see
    :func:`moderate.retrain.merge.resolve_duplicates`) joined by ``policy``
    (:class:`moderate.retrain.merge.MergePolicy`). ``corpus``: a labelled frame with
    :data:`moderate.schema.CORPUS_COLUMNS` to use instead of the shipped corpora (tests, and
    experiments on a subset)."""
    started = time.perf_counter()
    params = {**DEFAULT_PARAMS, **(params or {}), "random_state": seed}
    domain_weights = {**DEFAULT_DOMAIN_WEIGHTS, **(domain_weights or {})}

    if corpus is None:
        log("loading corpora")
        frame = corpora.load_corpora(data_dir, sources=sources)
        data_description = corpora.describe_data(data_dir, sources=sources)
    else:
        frame = corpus.reset_index(drop=True)
        data_description = [
            {"source": name, "licence": corpora.SOURCES[name].licence, "non_commercial": corpora.SOURCES[name].non_commercial,
             "domain": corpora.SOURCES[name].domain, "files": [], "rows": int(n)}
            for name, n in frame["source"].value_counts(sort=False).items()
        ]
    parts = {name: frame[frame["split"] == name].reset_index(drop=True) for name in ("train", "dev", "test")}
    train, dev, test = parts["train"], parts["dev"], parts["test"]
    merged = None
    if site is None:
        weights = sample_weights(train, domain_weights)
    else:
        from moderate.retrain.merge import merge

        merged = merge(frame, site, policy, pd.Series(sample_weights(frame, domain_weights), index=frame.index))
        train = merged.train.drop(columns="weight")
        weights = merged.train["weight"].to_numpy(dtype=float)
        log(f"  site labels: {merged.stats['site_train_incivility']:,} rows trained on "
            f"({merged.stats['corpus_rows_replaced']:,} corpus rows replaced), {merged.stats['site_holdout']:,} held out")
    log(f"  {len(train):,} train / {len(dev):,} dev / {len(test):,} test rows")

    lexicon = None
    if "toxic_spans" in {row["source"] for row in data_description}:
        log("learning the span lexicon from the train split of toxic_spans")
        lexicon = span_word_table(data_dir, split="train", min_count=params["lexicon_min_count"])
    log("fitting the estimator")
    estimator = build_estimator(lexicon=lexicon, **params)
    targets = training_targets(train)
    estimator.fit(train["text"].tolist(), targets, heads__sample_weight=weights)

    log("choosing thresholds on dev")
    dev_probs = estimator.predict_proba(dev["text"].tolist())
    thresholds: dict[str, dict[str, float]] = {}
    reliability: dict[str, list[dict[str, Any]]] = {}
    for j, label in enumerate(LABELS):
        known, y = metrics.binary_truth(dev[label])
        chosen = metrics.choose_thresholds(
            y[known], dev_probs[known, j], min_reject_score=REJECT_MIN_PROBABILITY
        )
        thresholds[label] = {kind: float(value) for kind, value in chosen.items()}
        reliability[label] = metrics.reliability_table(y[known], dev_probs[known, j])
    test_probs = estimator.predict_proba(test["text"].tolist())
    figures = {
        "dev": split_metrics(dev, dev_probs, thresholds),
        "test": split_metrics(test, test_probs, thresholds),
    }

    # the labelled frame itself, so a change of label mapping gives a new model id too
    corpus_sha256 = hashlib.sha256(
        pd.util.hash_pandas_object(frame[["source", "text", *LABELS, "split"]], index=False)
        .to_numpy()
        .tobytes()
    ).hexdigest()
    fingerprint: dict[str, Any] = {
        "data": data_description,
        "corpus": corpus_sha256,
        "params": params,
        "weights": domain_weights,
        "thresholds": thresholds,
    }
    if merged is not None:
        fingerprint["site"] = hashlib.sha256(
            pd.util.hash_pandas_object(site[["key", *LABELS]], index=False).to_numpy().tobytes()
        ).hexdigest()
        fingerprint["policy"] = policy.to_dict()
    non_commercial = sorted(d["source"] for d in data_description if d["non_commercial"])
    metadata: dict[str, Any] = {
        "kind": "incivility",
        "labels": list(LABELS),
        "thresholds": thresholds,
        "decision_rule": (
            "reject if any label >= its reject threshold; else review if any label >= its "
            "review threshold; else approve"
        ),
        "threshold_rule": (
            "review: F1-optimal on dev; reject: lowest score with precision >= 0.9 on dev, "
            f"and at least {REJECT_MIN_PROBABILITY}"
        ),
        "parameters": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},
        "seed": seed,
        "domain_weights": domain_weights,
        "implied_negatives": (
            f"sub-labels set to 0 where toxicity <= {IMPLIED_NEGATIVE_MAX_TOXICITY}"
        ),
        "data": data_description,
        "corpus_sha256": corpus_sha256,
        "non_commercial_sources": non_commercial,
        "licence_note": (
            "Trained on CC BY-NC-SA 4.0 corpora ("
            + ", ".join(non_commercial)
            + "): the model inherits their non-commercial, share-alike terms."
            if non_commercial
            else "No non-commercial training data."
        ),
        "split_sizes": {"train": len(train), "dev": len(dev), "test": len(test)},
        "split_rule": "sha1 of the normalised text: 80% train, 10% dev, 10% test",
        "lexicon_words": 0 if lexicon is None else len(lexicon),
        "rows_per_head": getattr(estimator.named_steps["heads"], "n_rows_", {}),
        "metrics": figures,
        "reliability_dev": reliability,
    }
    return Candidate(estimator, metadata, fingerprint, test, test_probs, merged, started)


def write_candidate(
    candidate: Candidate,
    models_dir: Path = Path("models"),
    extra_metadata: Mapping[str, Any] | None = None,
    extra_files: Mapping[str, bytes] | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> TrainResult:
    """Step 5: write ``models_dir/<model_id>/`` atomically (not made current here)."""
    created = datetime.now(UTC).replace(microsecond=0)
    fingerprint = hashlib.sha256(
        json.dumps(candidate.fingerprint, sort_keys=True, default=str).encode()
    ).hexdigest()
    model_id = _model_id(created, fingerprint)
    seconds = time.perf_counter() - candidate.started
    metadata: dict[str, Any] = {
        "model_id": model_id,
        "created": created.isoformat(),
        **candidate.metadata,
        **(extra_metadata or {}),
        "training_seconds": round(seconds, 1),
        "versions": registry.runtime_versions(),
    }
    folder = Path(models_dir) / model_id
    log(f"writing {folder}")
    registry.save_model_folder(folder, candidate.estimator, metadata, card=render_model_card(metadata),
                               extra_files=extra_files)
    return TrainResult(model_id, folder, registry.read_metadata(folder), candidate.estimator, seconds)


def train_model(
    data_dir: Path | None = None,
    models_dir: Path = Path("models"),
    params: Mapping[str, Any] | None = None,
    seed: int = 0,
    domain_weights: Mapping[str, float] | None = None,
    sources: Sequence[str] | None = None,
    promote: bool = True,
    log: Callable[[str], None] = lambda message: None,
) -> TrainResult:
    """Train on the shipped corpora, evaluate on dev, and write ``models_dir/<model_id>/``;
    return what was made. With ``promote`` the folder becomes current (logged in the registry)."""
    candidate = fit_candidate(data_dir, params, seed, domain_weights, sources, log=log)
    result = write_candidate(candidate, models_dir, log=log)
    if promote:
        from moderate.history import promote as promote_model

        promote_model(Path(models_dir), result.model_id, reason="moderate train: rebuilt from the shipped corpora")
    return result
