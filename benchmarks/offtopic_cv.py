"""Grouped cross-validation of the off-topic model on the *training* part of the labels.

    PYTHONPATH=src python benchmarks/offtopic_cv.py [--param NAME=VALUE ...] [--drop FEATURE ...] [--char-ngrams 3 5]
        [--relevance NAME=VALUE ...] [--featurizer NAME=VALUE ...] [--no-discussion] [--weak-only]
        [--shared-featurizer]

This is where the model's design choices are measured (the held-out part is never read). Folds
are grouped by site, as in training, and in each fold the **whole model is trained as
``moderate train-offtopic`` trains it, on the other sites only**: the featurizer's vocabulary,
IDF, topic space and reference articles too, so a validation site's articles and comments are
new to it, as the held-out sites' (and a user's) are. Figures, defined like the evaluation's:

* **human ROC AUC**: the validation sites' human labels scored by the model of their fold;
* **swapped ROC AUC**: every human-labelled ``on`` dragnet comment of the validation sites with its
  own article (negative) and with another validation-site article (positive; a moved comment is
  compared with the whole discussion of its new story), with plain TF-IDF cosine (``1 -
  cos_word``) on the same pairs for comparison;
* **each comment alone**: the human rows scored with no discussion (as a comment table with one
  comment per article would be), and the mean probabilities of the on / off rows both ways (the
  model should be calibrated for both).

``--shared-featurizer`` fits the featurizer once on all training sites (the validation sites
included) and refits only the parts on top, as this benchmark did before 2026-11-24: a little
faster (about 20 s against 25 s on 2 cores), but optimistic (the model of
`offtopic-20261123-0e2a69d6`'s design: 0.873 / 0.947 against 0.843 / 0.894), because the
validation sites' articles and comments were in its vocabulary, IDF and topic space.
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
    parser.add_argument("--featurizer", action="append", default=[], metavar="NAME=VALUE",
                        help="override a parameter of the RelevanceFeaturizer, e.g. min_df=2")
    parser.add_argument("--shared-featurizer", action="store_true",
                        help="fit the featurizer once on every training site (faster, optimistic; see above)")
    args = parser.parse_args(argv)

    import moderate.offtopic.features as F
    import moderate.offtopic.model as M
    import moderate.offtopic.train as T
    from moderate.offtopic import data as D

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
    if args.no_discussion:
        drop.append(F.FEATURES.index("cos_discussion"))
    featurizer_params = {"n_components": params["n_components"], "char": not args.no_char}
    for item in args.featurizer:
        name, _, value = item.partition("=")
        featurizer_params[name] = float(value) if "." in value or "e" in value else int(value)
    seed = 0
    started = time.perf_counter()
    data = D.load(args.data_dir)
    articles = data.articles[data.articles["split"] == "train"]
    page_comments = D.page_comments(args.data_dir, split="train")
    human = data.pairs[data.pairs["split"] == "train"].reset_index(drop=True)
    y, groups, labels = human["target"].to_numpy(), human["group"].to_numpy(), human["label"].to_numpy()
    all_discussions = D.discussions(data, page_comments)

    def features(featurizer, frame, discussions, hide_seed=None):
        X = T.pair_features(featurizer, data, frame, discussions)
        if hide_seed is not None:
            T.hide_discussion(X, params["discussion_hidden"], hide_seed)
        X[:, drop] = 0.0
        return X

    def fitted_featurizer(sites):
        fold_articles = articles[articles["group"].isin(sites)]
        featurizer = F.RelevanceFeaturizer(random_state=seed, **featurizer_params)
        return featurizer.fit(data.article_tuples(list(fold_articles.index)),
                              page_comments.loc[page_comments["group"].isin(sites), "text"].tolist())

    shared = fitted_featurizer(set(groups)) if args.shared_featurizer else None
    p_head, p_alone, p_relevance, p_text = (np.zeros(len(y)) for _ in range(4))
    swapped_y, swapped_p, swapped_cos = [], [], []
    for train, val in GroupKFold(T.N_FOLDS).split(human, y, groups):
        sites, held = set(groups[train]), set(groups[val])
        featurizer = shared or fitted_featurizer(sites)
        fold_articles = articles[articles["group"].isin(sites)]
        fold_comments = page_comments[page_comments["group"].isin(sites)]
        fold_human = human.iloc[train].reset_index(drop=True)
        # the weak pairs leave out every human-labelled comment, as in training
        weak = D.weak_pairs(fold_comments, fold_articles[fold_articles["source"] != "site"], seed=seed,
                            title_only_share=params["weak_title_only"], exclude=set(human["text"]))
        known = D.OffTopicData(data.articles, data.pairs[data.pairs["group"].isin(sites)])
        discussions = D.discussions(known, fold_comments)  # nothing of the validation sites
        prepared = T.Prepared(featurizer, fold_human, features(featurizer, fold_human, discussions, seed + 1),
                              weak, features(featurizer, weak, discussions, seed))
        if args.weak_only:
            prepared.X_human = features(featurizer, fold_human, discussions)
        model, _ = T.fit(prepared, params, seed)
        # the validation rows with the comments of their own pages around them, as the evaluation's
        rows = human.iloc[val]
        X = features(featurizer, rows, all_discussions)
        texts = rows["text"].tolist()
        p_head[val] = model.predict_from_features(texts, X)
        p_relevance[val], p_text[val] = model.parts(texts, X)
        X_alone = X.copy()
        X_alone[:, F.FEATURES.index("cos_discussion")] = np.nan
        p_alone[val] = model.predict_from_features(texts, X_alone)
        on = rows[(rows["label"] == "on") & (rows["source"] == "dragnet")]
        others = articles[articles["group"].isin(held) & (articles["source"] == "dragnet")]
        swapped = D.weak_pairs(on[["article_id", "group", "text", "parent"]], others, seed=1000,
                               title_only_share=0.0, same_site_share=0.0)
        if len(swapped):
            X_swapped = features(featurizer, swapped, all_discussions)
            swapped_y.append(swapped["target"].to_numpy())
            swapped_p.append(model.predict_from_features(swapped["text"].tolist(), X_swapped))
            swapped_cos.append(-X_swapped[:, F.FEATURES.index("cos_word")])
    y_swapped, p_swapped, cosine = (np.concatenate(v) for v in (swapped_y, swapped_p, swapped_cos))
    print(f"human ROC AUC {roc_auc_score(y, p_head):.4f} ({len(y)} pairs, {int(y.sum())} off-topic); "
          f"swapped ROC AUC {roc_auc_score(y_swapped, p_swapped):.4f} "
          f"(cosine {roc_auc_score(y_swapped, cosine):.4f}, {len(y_swapped)} pairs); "
          f"{time.perf_counter() - started:.0f} s{' (shared featurizer)' if shared is not None else ''}", file=sys.stdout)
    for name, kind in (("off vs on", "off"), ("generic vs on", "generic")):
        rows = (labels == kind) | (labels == "on")
        print(f"{name}: head {roc_auc_score(y[rows], p_head[rows]):.4f}, comment-only part "
              f"{roc_auc_score(y[rows], p_text[rows]):.4f}, relevance part {roc_auc_score(y[rows], p_relevance[rows]):.4f} "
              f"({int(rows.sum())} pairs)", file=sys.stdout)
    first = (human["batch"] != 3).to_numpy()
    print(f"batches 1-2 only (random draws; {int(first.sum())} pairs): human ROC AUC {roc_auc_score(y[first], p_head[first]):.4f}",
          file=sys.stdout)
    print(f"each comment alone (no discussion): human ROC AUC {roc_auc_score(y, p_alone):.4f}; mean P(off-topic) of the "
          f"on / off rows {p_head[y == 0].mean():.3f} / {p_head[y == 1].mean():.3f} as trained, "
          f"{p_alone[y == 0].mean():.3f} / {p_alone[y == 1].mean():.3f} alone", file=sys.stdout)
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
