"""The model card of an off-topic model folder."""

from __future__ import annotations

from typing import Any


def offtopic_card(meta: dict[str, Any]) -> str:
    tm = meta.get("train_metrics", {})
    test = meta.get("test_metrics")
    th = meta["thresholds"]["off_topic"]
    from moderate.card import what_changed

    lines = [
        f"# Off-topic model {meta['model_id']}",
        "",
        *what_changed(meta),
        "**What it does.** For a reader comment and the article it sits under (title and body, any length),",
        "the calibrated probability that a moderator would call the comment off-topic: about something else",
        "(another story, spam, a feud that left the subject) or content-free filler that could sit under any",
        "article (`off` or `generic` in `data/labels/offtopic/GUIDELINES.md`).",
        "",
        "**How.** Relevance features (TF-IDF cosine over words and character n-grams, to the title, to the",
        "best-matching passage, in an LSA topic space; rank of the own article among reference articles;",
        "shared rare words, names, numbers, quoted 5-grams; the parent comment's relevance; the similarity to",
        "the other comments under the same article, when there are any) and comment-only",
        "cues (links, promotional and generic phrasing, length). A gradient-boosted relevance model fitted on",
        "weak swapped-article pairs and a comment-only word n-gram model feed a logistic regression fitted",
        "on the human training labels (see `moderate.offtopic.model`).",
        "",
        "**Data.** Human labels: "
        f"{meta['data']['human_train_rows']} training pairs ({tm.get('positives')} off or generic), "
        f"{meta['data']['human_test_rows']} held-out pairs; {meta['data']['weak_train_pairs']} weak pairs. "
        "Real comments from 2012 blogs and news sites (dragnet, AGPL-3.0), trafilatura's evaluation pages and",
        "the seed pages; labelled by assistant sessions against written guidelines (see the labels' README).",
        "",
        f"**Decision.** `review` at off_topic >= {th['review']} (the F1-best cut on out-of-fold training",
        f"predictions); `reject` at {th['reject']} (off-topic alone never rejects unless you lower it).",
        "",
        "**Training (out-of-fold on the training labels).** "
        f"ROC AUC {tm.get('oof_roc_auc', float('nan')):.3f}, average precision {tm.get('oof_average_precision', float('nan')):.3f} "
        "(the featurizer fitted on every training site, so optimistic: `benchmarks/offtopic_cv.py` refits it per fold).",
    ]
    if test:
        lines += ["", "**Held-out test.** "
                  f"Human labels ROC AUC {test['human_roc_auc']:.3f} (AP {test['human_average_precision']:.3f}); "
                  f"swapped-article pairs ROC AUC {test['swapped_roc_auc']:.3f}; seed ordering checks "
                  f"{'passed' if test.get('seed_checks_passed') else 'NOT passed'}."]
        if test.get("human_best_baseline"):
            diff = test["human_roc_auc"] - test["human_best_baseline_roc_auc"]
            lines[-1] += (f" The best baseline on the same human-labelled rows, {test['human_best_baseline']}, scores "
                          f"{test['human_best_baseline_roc_auc']:.3f} ({'model ahead by' if diff >= 0 else 'model behind by'} "
                          f"{abs(diff):.3f}).")
        lines[-1] += " Details in `evaluation.md`."
    lines += [
        "",
        "**Limits.** English only. 2012 blog and news comments; thread drift, site matters (\"the link is",
        "broken\") and short reactions that only fit one post (\"Congratulations!\") are the hardest cases.",
        "Comments judged against a widget story know only its title. A comment with no other comment under",
        "its article is judged against the article alone (the model is trained for both cases; on the",
        "held-out labels both figures are in `evaluation.md`).",
        "",
        "**Licence.** Trained on text derived from dragnet (AGPL-3.0): the model is AGPL-3.0 too.",
    ]
    return "\n".join(lines) + "\n"
