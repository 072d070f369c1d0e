"""A site's ``off_topic`` labels -> an off-topic candidate, compared with the current off-topic model.

Each labelled row is a (comment, article) pair: the article is the row's ``article`` text (and
``title``), or its ``article_id`` joined to an articles table. The same merge policy applies as for
incivility (:mod:`moderate.retrain.merge`): duplicates resolved by the chosen rule, and the fixed
text-hash slice held out and never trained on. Site pairs join the human training labels of
``data/labels/offtopic`` with weight 1, like them (the off-topic head is fitted on a few
thousand rows, where a heavier weight would let a few hundred site rows dominate); each site
article is its own group in the grouped cross-validation. A held-out site text is not trained on
through the shipped data either: shipped training pairs and weak (swapped-article) pairs with the
same :func:`moderate.corpora.normalise_key` are dropped (``shipped_pairs_held_out``,
``weak_pairs_held_out``), as :func:`moderate.retrain.merge.merge` drops corpus rows.

The comparison uses the same rule (:func:`moderate.retrain.compare.compare` with the single label
``off_topic``) on the held-out human labels of ``data/labels/offtopic`` and on the held-out site pairs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from moderate.offtopic import data as D
from moderate.retrain.merge import MergePolicy, in_holdout
from moderate.schema import OFF_TOPIC

SITE_SOURCE = "site"


def _digest(*parts: str) -> str:
    return hashlib.sha1("\0".join(parts).encode("utf-8")).hexdigest()[:12]


def site_pairs(rows: pd.DataFrame, policy: MergePolicy,
               guard_keys: set[str] | frozenset[str] = frozenset()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(articles, pairs)`` shaped like :class:`moderate.offtopic.data.OffTopicData`'s frames, from
    resolved rows with an ``off_topic`` value and an ``article`` text. Held-out pairs (the policy's
    slice, and texts in ``guard_keys``: the shipped held-out human labels) get split ``holdout``
    (never ``train``); an article only they use is not fitted on either."""
    rows = rows[rows[OFF_TOPIC].notna() & rows["article"].notna()].reset_index(drop=True)
    titles = rows["title"].where(rows["title"].notna(), None).tolist()
    article_ids = [f"site-{_digest(str(t or ''), str(b))}" for t, b in zip(titles, rows["article"])]
    held = [in_holdout(k, policy) or k in guard_keys for k in rows["key"]]
    pairs = pd.DataFrame({
        "pair_id": [f"site-{_digest(k, a)}" for k, a in zip(rows["key"], article_ids)],
        "article_id": article_ids, "group": article_ids, "source": SITE_SOURCE, "author": None,
        "text": rows["text"], "parent": None, "about": None,
        "split": ["holdout" if h else "train" for h in held],
        "label": np.where(rows[OFF_TOPIC].to_numpy() >= 0.5, "off", "on"),
        "labeller": rows["labeler"], "note": "", "target": (rows[OFF_TOPIC].to_numpy() >= 0.5).astype(int),
    })
    trained = set(pairs.loc[pairs["split"] == "train", "article_id"])
    first = pd.DataFrame({"article_id": article_ids, "title": titles, "body": rows["article"]}).drop_duplicates("article_id")
    articles = first.assign(
        group=first["article_id"], source=SITE_SOURCE,
        split=["train" if a in trained else "holdout" for a in first["article_id"]],
    ).set_index("article_id")[["group", "source", "title", "body", "split"]]
    return articles, pairs


def score_pairs(model: Any, data: D.OffTopicData, frame: pd.DataFrame,
                discussions: dict[str, list[str]] | None = None) -> np.ndarray:
    """Off-topic probabilities of a frame of pairs whose articles are in ``data`` (the evaluation's
    scorer), each comment with the other comments of its article when ``discussions`` are given."""
    from moderate.offtopic.evaluate import _score

    return _score(model, data, frame, discussions)[0] if len(frame) else np.zeros(0)


def comparison_rows(data: D.OffTopicData, pairs: pd.DataFrame, parent: Any, candidate: Any,
                    data_dir: Path | None = None) -> dict[str, Any]:
    """Frames and ``(rows, 1)`` probabilities of both models on the shipped held-out human labels and
    on the held-out site pairs (arguments for :func:`moderate.retrain.compare.compare`). Comments
    are scored with their discussions, as ``moderate evaluate`` does: the held-out pages' comments
    (from ``data_dir``) and, for a site's articles, the site's pairs."""
    discussions = D.discussions(data, *([D.page_comments(Path(data_dir), "test")] if data_dir is not None else []))
    test = data.pairs[(data.pairs["split"] == "test") & (data.pairs["source"] != SITE_SOURCE)].reset_index(drop=True)
    hold = pairs[pairs["split"] == "holdout"].reset_index(drop=True)
    frame = lambda f: pd.DataFrame({OFF_TOPIC: f["target"].to_numpy(dtype=float)})  # noqa: E731
    col = lambda p: np.asarray(p, dtype=float).reshape(-1, 1)  # noqa: E731
    return {
        "test": frame(test), "parent_test": col(score_pairs(parent, data, test, discussions)),
        "candidate_test": col(score_pairs(candidate, data, test, discussions)),
        "holdout": frame(hold), "parent_holdout": col(score_pairs(parent, data, hold, discussions)),
        "candidate_holdout": col(score_pairs(candidate, data, hold, discussions)),
    }


def fit_site_offtopic(data_dir: Path, rows: pd.DataFrame, policy: MergePolicy, seed: int = 0,
                      params: dict[str, Any] | None = None) -> tuple[D.OffTopicData, Any, dict[str, Any], float, pd.DataFrame]:
    """Fit an off-topic candidate with the site's pairs: ``(data, model, train_metrics, seconds, pairs)``.
    Shipped training pairs and weak pairs whose text is a held-out site text are not trained on;
    ``train_metrics`` counts them (``shipped_pairs_held_out``, ``weak_pairs_held_out``)."""
    from moderate.corpora import normalise_key
    from moderate.offtopic.train import fit_offtopic

    shipped = D.load(data_dir).pairs
    guard = {normalise_key(t) for t in shipped.loc[shipped["split"] == "test", "text"]}
    articles, pairs = site_pairs(rows, policy, guard)
    held = {normalise_key(t) for t in pairs.loc[pairs["split"] == "holdout", "text"]}
    data, model, metrics, seconds = fit_offtopic(data_dir, seed, params, site=(articles, pairs), exclude_keys=held)
    return data, model, metrics, seconds, pairs
