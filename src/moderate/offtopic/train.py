"""Train the off-topic model and write ``models/offtopic/<model_id>/``.

What is fitted on what (only the ``train`` part of ``data/labels/offtopic``; the ``test`` part,
including the seed page, is never read here):

1. the featurizer's vocabularies and topic space: the training articles and every comment of
   their dragnet pages (text only, no labels);
2. ``relevance``: weak swapped-article pairs built from those pages' comments (the human-labelled
   comments left out);
3. ``text``: the human training labels, comment text only;
4. ``head``: the human training labels plus the weak pairs at a small total weight
   (``weak_in_head``), with ``relevance`` and ``text`` given as out-of-fold predictions (folds
   grouped by site, so a site's comments never score their own site);
5. the ``review`` threshold: the one maximising F1 on the head's own out-of-fold predictions.

A retraining with a site's labels (:mod:`moderate.retrain.offtopic`) passes ``exclude_keys``, the
:func:`moderate.corpora.normalise_key` of the site's held-out texts: human training pairs and weak
pairs with those texts are dropped (2-4), so a held-out text is never trained on through them.
Without it (``moderate train-offtopic``) nothing is dropped and the fit is the same as ever.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score
from sklearn.model_selection import GroupKFold

from moderate import registry
from moderate.offtopic import data as D
from moderate.offtopic import features as F
from moderate.offtopic.features import RelevanceFeaturizer
from moderate.offtopic.model import (
    RELEVANCE_COLUMNS,
    OffTopicModel,
    head_inputs,
    make_head,
    make_relevance,
    make_text,
)

SUBDIR = "offtopic"
N_FOLDS = 5
#: ``weak_in_head``: total weight of the weak pairs in the head, as a share of the human rows'
#: (0.3 chosen on grouped cross-validation of the training labels, ``benchmarks/offtopic_cv.py``:
#: 0.1 / 0.3 / 0.5 / 1.0 give human AUC 0.859 / 0.850 / 0.841 / 0.823 and swapped-pair AUC
#: 0.911 / 0.929 / 0.934 / 0.938; without weak pairs the head learns too little of the article and
#: a comment moved under another story barely moves).
#: ``discussion_hidden``: share of the weak and of the human training pairs whose ``cos_discussion``
#: is hidden (NaN), so that the model also judges a comment with no discussion around it (a lone
#: comment, a table row) and stays calibrated for it. 0.3 chosen on the same cross-validation
#: (weak pairs only: human AUC 0.865, swapped 0.947; 0.916 without the feature; hiding none
#: 0.860 / 0.950, 0.6 0.868 / 0.938). Hiding it in the human rows too keeps the scores of lone
#: comments in line (mean P on / off rows 0.147 / 0.498 alone, 0.133 / 0.493 with the
#: discussion; 0.208 / 0.602 alone when only weak rows hide it) at the same AUCs (0.863 / 0.947).
DEFAULT_PARAMS: dict[str, Any] = {"head_C": 0.1, "text_C": 1.0, "n_components": 100, "weak_title_only": 0.2,
                                  "weak_in_head": 0.3, "discussion_hidden": 0.3}


@dataclass
class Prepared:
    featurizer: RelevanceFeaturizer
    human: pd.DataFrame
    X_human: np.ndarray
    weak: pd.DataFrame
    X_weak: np.ndarray
    #: with ``exclude_keys``: ``{"shipped_pairs_held_out": n, "weak_pairs_held_out": n}``, the training
    #: pairs dropped because their text is held out (None when no exclusion was asked for)
    held_out: dict[str, int] | None = None


def pair_features(featurizer: RelevanceFeaturizer, data: D.OffTopicData, frame: pd.DataFrame,
                  discussions: dict[str, list[str]] | None = None) -> np.ndarray:
    """Features of a frame of pairs (``article_id, text, parent`` and optional ``title_only``).

    ``discussions`` (:func:`moderate.offtopic.data.discussions`): the comments under each
    article. A pair's comment is compared with those of its article other than itself (a
    swapped pair's comment with the whole discussion of the story it was moved under); without
    them, or for an article with no other comment, ``cos_discussion`` is NaN.
    """
    ids = sorted(set(frame["article_id"]))
    position = {a: k for k, a in enumerate(ids)}
    articles = data.article_tuples(ids)
    title_only = frame["title_only"].tolist() if "title_only" in frame else [False] * len(frame)
    articles = articles + [(title, "") for title, _ in articles]
    article_of = [position[a] + (len(ids) if t else 0) for a, t in zip(frame["article_id"], title_only)]
    parents = frame["parent"].where(frame["parent"].notna(), None).tolist() if "parent" in frame else None
    texts = frame["text"].tolist()
    discussion = None
    if discussions is not None:
        known = [a for a in ids if discussions.get(a)]
        group = {a: g for g, a in enumerate(known)}
        members = [discussions[a] for a in known]
        if known:
            flat = [t for texts_of in members for t in texts_of]
            codes = featurizer.topic_codes_of(flat)
            of = np.repeat(np.arange(len(known)), [len(m) for m in members])
            sums = F.discussion_sums(codes, of, len(known))
        else:
            sums = np.zeros((0, featurizer.svd_.components_.shape[0] + 1), dtype=np.int64)
        member_sets = [set(m) for m in members]
        of_row = np.array([group.get(a, -1) for a in frame["article_id"]], dtype=np.int64)
        # the discussion lists each text once: a pair's comment is one of them (1) or not (0)
        copies = np.array([int(g >= 0 and t in member_sets[g]) for g, t in zip(of_row, texts)], dtype=np.int64)
        discussion = F.Discussion(of_row, sums, copies)
    return featurizer.transform(texts, article_of, articles, parents, discussion)


def _drop_keys(frame: pd.DataFrame, keys: set[str] | frozenset[str]) -> tuple[pd.DataFrame, int]:
    """``frame`` without the rows whose :func:`moderate.corpora.normalise_key` of ``text`` is in
    ``keys`` (the others in their order), and how many were dropped."""
    from moderate.corpora import normalise_key

    drop = frame["text"].map(normalise_key).isin(keys).to_numpy(dtype=bool) if len(frame) else np.zeros(0, bool)
    if not drop.any():
        return frame, 0
    return frame[~drop].reset_index(drop=True), int(drop.sum())


def prepare(data_dir: Path, params: dict[str, Any], seed: int,
            site: tuple[pd.DataFrame, pd.DataFrame] | None = None,
            exclude_keys: set[str] | frozenset[str] | None = None) -> tuple[D.OffTopicData, Prepared]:
    """The featurizer fitted and every training pair featurized. ``site``: ``(articles, pairs)`` of a
    site's own labels (:mod:`moderate.retrain.offtopic`), added to the training part.
    ``exclude_keys``: normalised texts (:func:`moderate.corpora.normalise_key`) never to train on,
    such as a site's held-out slice: the human training pairs and the weak pairs with those texts
    are dropped and counted (``Prepared.held_out``). The weak pairs are drawn as without it and the
    excluded ones dropped afterwards, so the others keep their swapped articles; with no exclusion
    (the default) the training rows are those of a plain fit."""
    data = D.load(data_dir)
    if site is not None:
        data = D.OffTopicData(pd.concat([data.articles, site[0]]), pd.concat([data.pairs, site[1]], ignore_index=True))
    articles = data.articles[data.articles["split"] == "train"]
    page_comments = D.page_comments(data_dir, split="train")
    featurizer = RelevanceFeaturizer(n_components=params["n_components"], random_state=seed)
    featurizer.fit(data.article_tuples(list(articles.index)), page_comments["text"].tolist())
    human = data.pairs[data.pairs["split"] == "train"].reset_index(drop=True)
    # the weak pairs leave out every human-labelled comment, the dropped ones too
    weak = D.weak_pairs(page_comments, articles[articles["source"] != "site"], seed=seed,
                        title_only_share=params["weak_title_only"], exclude=set(human["text"]))
    held_out = None
    if exclude_keys is not None:
        human, human_dropped = _drop_keys(human, exclude_keys)
        weak, weak_dropped = _drop_keys(weak, exclude_keys)
        held_out = {"shipped_pairs_held_out": human_dropped, "weak_pairs_held_out": weak_dropped}
    discussions = D.discussions(data, page_comments)
    if exclude_keys:  # a held-out text is not even context for the training rows
        from moderate.corpora import normalise_key

        discussions = {a: [t for t in texts if normalise_key(t) not in exclude_keys] for a, texts in discussions.items()}
    X_weak = pair_features(featurizer, data, weak, discussions)
    X_human = pair_features(featurizer, data, human, discussions)
    # some rows of both kinds without their discussion: the parts learn to judge a lone comment too,
    # and the head stays calibrated for it
    hide_discussion(X_weak, params["discussion_hidden"], seed)
    hide_discussion(X_human, params["discussion_hidden"], seed + 1)
    prepared = Prepared(featurizer, human, X_human, weak, X_weak, held_out)
    return data, prepared


def hide_discussion(X: np.ndarray, share: float, seed: int) -> None:
    """Set ``cos_discussion`` to NaN in a random ``share`` of the rows of ``X`` (in place)."""
    if share > 0 and len(X):
        hide = np.random.default_rng(seed).random(len(X)) < share
        X[hide, F.FEATURES.index("cos_discussion")] = np.nan


def _fit_head(params: dict[str, Any], human_inputs: np.ndarray, y: np.ndarray, weak_inputs: np.ndarray,
              y_weak: np.ndarray):
    """The head on human rows (weight 1 each) and weak rows (``weak_in_head`` of that in total)."""
    share = params["weak_in_head"] * len(y) / max(1, len(y_weak))
    weights = np.r_[np.ones(len(y)), np.full(len(y_weak), share)]
    return make_head(params["head_C"]).fit(np.r_[human_inputs, weak_inputs], np.r_[y, y_weak], lr__sample_weight=weights)


def _out_of_fold(p: Prepared, params: dict[str, Any], seed: int) -> dict[str, np.ndarray]:
    """Out-of-fold probabilities, folds grouped by site: relevance and text for the human rows,
    relevance for the weak rows, and the head's own for the human rows."""
    y = p.human["target"].to_numpy()
    y_weak = p.weak["target"].to_numpy()
    groups = p.human["group"].to_numpy()
    weak_groups = p.weak["group"].to_numpy()
    relevance, text, head = (np.zeros(len(y)) for _ in range(3))
    weak_relevance = np.zeros(len(y_weak))
    for train, val in GroupKFold(N_FOLDS).split(p.X_weak, y_weak, weak_groups):
        rel = make_relevance(seed).fit(p.X_weak[train][:, RELEVANCE_COLUMNS], y_weak[train])
        weak_relevance[val] = rel.predict_proba(p.X_weak[val][:, RELEVANCE_COLUMNS])[:, 1]
    folds = list(GroupKFold(N_FOLDS).split(p.X_human, y, groups))
    for train, val in folds:
        keep = ~np.isin(weak_groups, list(set(groups[val])))
        rel = make_relevance(seed).fit(p.X_weak[keep][:, RELEVANCE_COLUMNS], y_weak[keep])
        relevance[val] = rel.predict_proba(p.X_human[val][:, RELEVANCE_COLUMNS])[:, 1]
        txt = make_text(params["text_C"]).fit(p.human["text"].iloc[train].tolist(), y[train])
        text[val] = txt.predict_proba(p.human["text"].iloc[val].tolist())[:, 1]
    # the text model never sees weak comments (they exclude the human-labelled ones)
    weak_text = make_text(params["text_C"]).fit(p.human["text"].tolist(), y).predict_proba(p.weak["text"].tolist())[:, 1]
    weak_inputs = head_inputs(p.X_weak, weak_relevance, weak_text)
    for train, val in folds:
        keep = ~np.isin(weak_groups, list(set(groups[val])))
        hd = _fit_head(params, head_inputs(p.X_human[train], relevance[train], text[train]), y[train],
                       weak_inputs[keep], y_weak[keep])
        head[val] = hd.predict_proba(head_inputs(p.X_human[val], relevance[val], text[val]))[:, 1]
    return {"relevance": relevance, "text": text, "head": head, "weak_inputs": weak_inputs}


def fit(p: Prepared, params: dict[str, Any], seed: int) -> tuple[OffTopicModel, dict[str, Any]]:
    y = p.human["target"].to_numpy()
    oof = _out_of_fold(p, params, seed)
    relevance_oof, text_oof, head_oof = oof["relevance"], oof["text"], oof["head"]
    relevance = make_relevance(seed).fit(p.X_weak[:, RELEVANCE_COLUMNS], p.weak["target"].to_numpy())
    text = make_text(params["text_C"]).fit(p.human["text"].tolist(), y)
    head = _fit_head(params, head_inputs(p.X_human, relevance_oof, text_oof), y, oof["weak_inputs"],
                     p.weak["target"].to_numpy())
    model = OffTopicModel(p.featurizer, relevance, text, head)
    precision, recall, cuts = precision_recall_curve(y, head_oof)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    best = int(np.argmax(f1[:-1]))
    train_metrics = {
        "rows": int(len(y)), "positives": int(y.sum()), "weak_pairs": int(len(p.weak)),
        "oof_roc_auc": float(roc_auc_score(y, head_oof)),
        "oof_average_precision": float(average_precision_score(y, head_oof)),
        "oof_relevance_roc_auc": float(roc_auc_score(y, relevance_oof)),
        "oof_text_roc_auc": float(roc_auc_score(y, text_oof)),
        "review_threshold": float(cuts[best]), "oof_f1_at_threshold": float(f1[best]),
    }
    return model, train_metrics


def _fingerprint(data_dir: Path, params: dict[str, Any], seed: int, extra: str = "") -> str:
    h = hashlib.sha256()
    for name in ("articles.jsonl", "pairs.jsonl", "labels.tsv"):
        h.update((Path(data_dir) / D.OFFTOPIC_DIR / name).read_bytes())
    h.update(repr(sorted(params.items())).encode())
    h.update(str(seed).encode())
    h.update(extra.encode())  # e.g. a site's own labels (moderate train --labels)
    # the method too: the code of the featurizer, the model, the training pairs (weak pairs are
    # made in ``data``) and the fitting (a changed method is a new model id)
    from moderate.offtopic import data, features, model
    from moderate.registry import source_digest

    h.update(source_digest([data.__file__, features.__file__, model.__file__, __file__]).encode())
    return h.hexdigest()


def fit_offtopic(data_dir: Path = Path("data"), seed: int = 0, params: dict[str, Any] | None = None,
                 site: tuple[pd.DataFrame, pd.DataFrame] | None = None,
                 exclude_keys: set[str] | frozenset[str] | None = None) -> tuple[D.OffTopicData, OffTopicModel, dict[str, Any], float]:
    """Fit on the training part (plus ``site``, less ``exclude_keys``, see :func:`prepare`):
    ``(data, model, train_metrics, seconds)``. With ``exclude_keys``, ``train_metrics`` also counts
    the pairs dropped (``shipped_pairs_held_out``, ``weak_pairs_held_out``)."""
    params = {**DEFAULT_PARAMS, **(params or {})}
    started = time.perf_counter()
    data, prepared = prepare(Path(data_dir), params, seed, site, exclude_keys)
    model, train_metrics = fit(prepared, params, seed)
    if prepared.held_out is not None:
        train_metrics.update(prepared.held_out)
    return data, model, train_metrics, time.perf_counter() - started


def write_offtopic(model: OffTopicModel, train_metrics: dict[str, Any], seconds: float, data: D.OffTopicData,
                   data_dir: Path = Path("data"), models_dir: Path = Path("models"), seed: int = 0,
                   params: dict[str, Any] | None = None, evaluate: bool = True, fingerprint_extra: str = "",
                   extra_metadata: dict[str, Any] | None = None, extra_files: dict[str, bytes] | None = None) -> Path:
    """Write ``models_dir/offtopic/<model_id>/`` (atomic) with its evaluation; not made current here."""
    from moderate.offtopic.card import offtopic_card
    from moderate.offtopic.evaluate import evaluate_offtopic, to_markdown

    params = {**DEFAULT_PARAMS, **(params or {})}
    created = datetime.now(timezone.utc)
    fingerprint = _fingerprint(Path(data_dir), params, seed, fingerprint_extra)
    model_id = f"offtopic-{created:%Y%m%d}-{fingerprint[:8]}"
    labels = data.pairs
    metadata: dict[str, Any] = {
        "model_id": model_id,
        "kind": "offtopic",
        "created": created.isoformat(timespec="seconds"),
        "seed": seed,
        "params": params,
        "label": "off_topic",
        "positive": sorted(D.POSITIVE),
        "thresholds": {"off_topic": {"review": round(train_metrics["review_threshold"], 4), "reject": 1.0}},
        "data": {
            "labels": str(Path(data_dir) / D.OFFTOPIC_DIR / "labels.tsv"),
            "human_train_rows": train_metrics["rows"],
            "human_test_rows": int((labels["split"] == "test").sum()),
            "weak_train_pairs": train_metrics["weak_pairs"],
            "fingerprint": fingerprint,
        },
        "train_metrics": train_metrics,
        "training_seconds": round(seconds, 1),
        **(extra_metadata or {}),
    }
    files = dict(extra_files or {})
    if evaluate:
        report = evaluate_offtopic(model, Path(data_dir))
        metadata["test_metrics"] = report["summary"]
        files["evaluation.json"] = (json.dumps(report, indent=2, default=registry._json_default) + "\n").encode()
        files["evaluation.md"] = to_markdown(report, model_id).encode()
    folder = Path(models_dir) / SUBDIR / model_id
    registry.save_model_folder(folder, model, metadata, card=offtopic_card(metadata), extra_files=files)
    return folder


def train_and_save(data_dir: Path = Path("data"), models_dir: Path = Path("models"), seed: int = 0,
                   params: dict[str, Any] | None = None, promote: bool = True, evaluate: bool = True) -> Path:
    """Train, write the model folder (and its evaluation), and point ``models/offtopic/CURRENT`` at it."""
    data, model, train_metrics, seconds = fit_offtopic(data_dir, seed, params)
    folder = write_offtopic(model, train_metrics, seconds, data, data_dir, models_dir, seed, params, evaluate)
    if promote:
        from moderate.history import promote as promote_model

        promote_model(Path(models_dir) / SUBDIR, folder.name, reason="moderate train-offtopic: rebuilt from data/labels/offtopic")
    return folder
