"""Grouped cross-validation of the off-topic model on the *training* part of the labels.

    PYTHONPATH=src python benchmarks/offtopic_cv.py [--param NAME=VALUE ...] [--drop FEATURE ...] [--char-ngrams 3 5]
        [--relevance NAME=VALUE ...] [--no-discussion] [--weak-only]

This is where the model's design choices are measured (the held-out part is never read). Folds
are grouped by site, as in training. Two figures, defined like the evaluation's:

* **human ROC AUC**: the head's out-of-fold predictions on the human training labels;
* **swapped ROC AUC**: every human-labelled ``on`` comment of the validation sites with its own
  article (negative) and with another training article (positive), scored by the parts fitted
  without those sites (a moved comment compared with the whole discussion of its new story);
  with plain TF-IDF cosine on the same pairs for comparison;
* **each comment alone**: the human rows scored out-of-fold with no discussion (as a comment
  table with one comment per article would be), and the mean probabilities of the on / off rows
  both ways (the model should be calibrated for both).

Runs in about a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="override a training parameter (see moderate.offtopic.train.DEFAULT_PARAMS)")
    parser.add_argument("--drop", action="append", default=[], metavar="FEATURE",
                        help="set a feature to a constant (measures what it adds)")
    parser.add_argument("--no-char", action="store_true", help="fit the featurizer without character n-grams")
    parser.add_argument("--char-ngrams", type=int, nargs=2, metavar=("MIN", "MAX"),
                        help="character n-gram range of the featurizer (default: the shipped one)")
    parser.add_argument("--relevance", action="append", default=[], metavar="NAME=VALUE",
                        help="override a parameter of the relevance model (make_relevance), e.g. max_iter=100")
    parser.add_argument("--weak-only", action="store_true",
                        help="hide cos_discussion in the weak training rows only (training hides it in a share "
                             "discussion_hidden of the human rows too)")
    parser.add_argument("--no-discussion", action="store_true",
                        help="leave cos_discussion out (a constant): the model without the other comments")
    args = parser.parse_args(argv)

    import moderate.offtopic.features as F
    import moderate.offtopic.model as M
    import moderate.offtopic.train as T
    from moderate.offtopic import data as D
    from moderate.offtopic.model import RELEVANCE_COLUMNS, head_inputs

    params = dict(T.DEFAULT_PARAMS)
    for item in args.param:
        name, _, value = item.partition("=")
        if name not in params:
            parser.error(f"unknown parameter {name!r}; known: {', '.join(params)}")
        params[name] = type(params[name])(float(value))
    if args.char_ngrams:
        base = F.TfidfVectorizer

        def vectorizer(**kw):
            if kw.get("analyzer") == "char_wb":
                kw["ngram_range"] = tuple(args.char_ngrams)
            return base(**kw)

        F.TfidfVectorizer = vectorizer
    if args.relevance:
        overrides = {}
        for item in args.relevance:
            name, _, value = item.partition("=")
            overrides[name] = float(value) if "." in value or "e" in value else int(value)
        base_relevance = M.make_relevance

        def make_relevance(random_state: int = 0, **params):
            return base_relevance(random_state, **{**overrides, **params})

        M.make_relevance = T.make_relevance = make_relevance
    drop = [F.FEATURES.index(name) for name in args.drop]
    seed = 0
    started = time.perf_counter()
    data = D.load(args.data_dir)
    articles = data.articles[data.articles["split"] == "train"]
    page_comments = D.page_comments(args.data_dir, split="train")
    featurizer = F.RelevanceFeaturizer(n_components=params["n_components"], random_state=seed, char=not args.no_char)
    featurizer.fit(data.article_tuples(list(articles.index)), page_comments["text"].tolist())
    human = data.pairs[data.pairs["split"] == "train"].reset_index(drop=True)
    weak = D.weak_pairs(page_comments, articles, seed=seed, title_only_share=params["weak_title_only"],
                        exclude=set(human["text"]))
    discussions = D.discussions(data, page_comments)
    if args.no_discussion:
        drop.append(F.FEATURES.index("cos_discussion"))
    X_human, X_weak = T.pair_features(featurizer, data, human, discussions), T.pair_features(featurizer, data, weak, discussions)
    T.hide_discussion(X_weak, params["discussion_hidden"], seed)
    if not args.weak_only:
        T.hide_discussion(X_human, params["discussion_hidden"], seed + 1)
    X_alone = X_human.copy()
    X_alone[:, F.FEATURES.index("cos_discussion")] = np.nan
    # swapped pairs of the human `on` comments, built like the evaluation's (other article from anywhere)
    on = human[(human["label"] == "on") & (human["source"] == "dragnet")]
    swapped = D.weak_pairs(on.assign(parent=None), articles[articles["source"] == "dragnet"], seed=1000,
                           title_only_share=0.0, same_site_share=0.0)
    X_swapped = T.pair_features(featurizer, data, swapped, discussions)
    for X in (X_human, X_weak, X_swapped):
        X[:, drop] = 0.0
    prepared = T.Prepared(featurizer, human, X_human, weak, X_weak)
    oof = T._out_of_fold(prepared, params, seed)

    y, groups = human["target"].to_numpy(), human["group"].to_numpy()
    y_weak, weak_groups = weak["target"].to_numpy(), weak["group"].to_numpy()
    y_swapped, swapped_groups = swapped["target"].to_numpy(), swapped["group"].to_numpy()
    text_of = dict(zip(human["text"], oof["text"]))
    inputs = head_inputs(X_human, oof["relevance"], oof["text"])
    p_swapped = np.full(len(y_swapped), np.nan)
    p_alone = np.full(len(y), np.nan)
    for train, val in GroupKFold(T.N_FOLDS).split(X_human, y, groups):
        held = list(set(groups[val]))
        keep = ~np.isin(weak_groups, held)
        relevance = M.make_relevance(seed).fit(X_weak[keep][:, RELEVANCE_COLUMNS], y_weak[keep])
        head = T._fit_head(params, inputs[train], y[train], oof["weak_inputs"][keep], y_weak[keep])
        r_alone = relevance.predict_proba(X_alone[val][:, RELEVANCE_COLUMNS])[:, 1]
        p_alone[val] = head.predict_proba(head_inputs(X_alone[val], r_alone, oof["text"][val]))[:, 1]
        rows = np.isin(swapped_groups, held)
        if rows.any():
            r = relevance.predict_proba(X_swapped[rows][:, RELEVANCE_COLUMNS])[:, 1]
            t = np.array([text_of[x] for x in swapped["text"][rows]])
            p_swapped[rows] = head.predict_proba(head_inputs(X_swapped[rows], r, t))[:, 1]
    ok = ~np.isnan(p_swapped)
    cosine = -X_swapped[:, F.FEATURES.index("cos_word")]
    print(f"human ROC AUC {roc_auc_score(y, oof['head']):.4f} ({len(y)} pairs, {int(y.sum())} off-topic); "
          f"swapped ROC AUC {roc_auc_score(y_swapped[ok], p_swapped[ok]):.4f} "
          f"(cosine {roc_auc_score(y_swapped[ok], cosine[ok]):.4f}, {int(ok.sum())} pairs); "
          f"{time.perf_counter() - started:.0f} s", file=sys.stdout)
    labels = human["label"].to_numpy()
    for name, kind in (("off vs on", "off"), ("generic vs on", "generic")):
        rows = (labels == kind) | (labels == "on")
        print(f"{name}: head {roc_auc_score(y[rows], oof['head'][rows]):.4f}, comment-only part "
              f"{roc_auc_score(y[rows], oof['text'][rows]):.4f}, relevance part {roc_auc_score(y[rows], oof['relevance'][rows]):.4f} "
              f"({int(rows.sum())} pairs)", file=sys.stdout)
    print(f"each comment alone (no discussion): human ROC AUC {roc_auc_score(y, p_alone):.4f}; mean P(off-topic) of the "
          f"on / off rows {oof['head'][y == 0].mean():.3f} / {oof['head'][y == 1].mean():.3f} as trained, "
          f"{p_alone[y == 0].mean():.3f} / {p_alone[y == 1].mean():.3f} alone", file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
