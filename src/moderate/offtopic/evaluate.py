"""The off-topic model measured on the fixed test part of ``data/labels/offtopic``.

Sections (all on rows no fitting or tuning touched):

* **human** - ROC AUC and average precision of ``off``+``generic`` versus ``on`` on the held-out
  human labels, for the model and, on the same rows, three baselines: TF-IDF cosine
  similarity between comment and article (scored as ``1 - cosine``) twice, in the model's own
  word space (``tfidf_cosine``: its vocabulary, English stop words dropped, sublinear counts)
  and with scikit-learn's ``TfidfVectorizer`` at its defaults, fitted on the training part's
  articles and comments (``plain_tfidf_cosine``: stop words kept, which makes it partly a
  length cue), and a comment-only classifier with no article (the model's own comment-only
  part, fitted on the human training labels). The margin is the model's over the best of the
  three, with a DeLong standard error. Also ``off`` vs ``on`` and ``generic``
  vs ``on`` separately.
* **swapped** - every held-out comment labelled ``on`` with its own article (negative) and with
  another held-out article of the corpus (positive), the comment's parent (the comment it replies
  to) kept in both: only the article changes; the same with the other article taken from the
  same site (harder: a food blog's other recipe); the same without the parents (the comment
  alone); the same without the discussion (the other comments under the article); and every
  comment of the held-out pages, labelled or not (weak truth: some own-article pairs are
  off-topic). A comment is compared with the other comments of its page (``cos_discussion``); a
  comment moved under another story with the whole discussion of that story.
* **seeds** - the seed page's comments paired with its own article (the Palmyra story): the
  ordering the issue asks for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from moderate.metrics import paired_auc_difference
from moderate.offtopic import data as D
from moderate.offtopic.features import FEATURES
from moderate.offtopic.model import OffTopicModel, make_text

COSINES = ("tfidf_cosine", "plain_tfidf_cosine")

FLOORS = {"human_roc_auc": 0.88, "swapped_roc_auc": 0.95, "margin_over_best_baseline": 0.05}
SEED_PAGE = "seed-004_dc72d3cab54b6f82"
SEED_ON_TOPIC_AUTHORS = ("Dutchman", "Free Kurdistan")
SEED_NOT_REAL_AUTHOR = "jens holm"


def _score(model: OffTopicModel, data: D.OffTopicData, frame: pd.DataFrame,
           discussions: dict[str, list[str]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Model probabilities and plain cosine for a frame of pairs (each comment with the other
    comments under its article as its discussion, when ``discussions`` are given)."""
    from moderate.offtopic.train import pair_features

    X = pair_features(model.featurizer, data, frame, discussions)
    return model.predict_from_features(frame["text"].tolist(), X), X[:, FEATURES.index("cos_word")]


class PlainCosine:
    """The ``plain_tfidf_cosine`` baseline: scikit-learn's ``TfidfVectorizer`` at its defaults,
    fitted on the training part's articles and the comments of their pages; ``1 - cosine``."""

    def __init__(self, data: D.OffTopicData, train_comments: pd.DataFrame) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.data = data
        articles = data.articles[data.articles["split"] == "train"]
        texts = [self._text(a) for a in data.article_tuples(list(articles.index))] + train_comments["text"].tolist()
        self.vectorizer = TfidfVectorizer().fit(texts)

    @staticmethod
    def _text(article: tuple[str | None, str]) -> str:
        return f"{article[0] or ''}\n\n{article[1] or ''}"

    def __call__(self, frame: pd.DataFrame) -> np.ndarray:
        ids = list(dict.fromkeys(frame["article_id"]))
        A = self.vectorizer.transform([self._text(a) for a in self.data.article_tuples(ids)])
        rows = A[[ids.index(a) for a in frame["article_id"]]] if len(frame) else A[:0]
        C = self.vectorizer.transform(frame["text"].tolist())
        return 1 - np.asarray(C.multiply(rows).sum(axis=1)).ravel()


def _metrics(y: np.ndarray, scores: dict[str, np.ndarray]) -> dict[str, Any]:
    out: dict[str, Any] = {"rows": int(len(y)), "positives": int(y.sum())}
    for name, s in scores.items():
        out[name] = {"roc_auc": float(roc_auc_score(y, s)), "average_precision": float(average_precision_score(y, s))}
    return out


def _compare(y: np.ndarray, model: np.ndarray, baselines: dict[str, np.ndarray]) -> dict[str, Any]:
    best = max(baselines, key=lambda k: roc_auc_score(y, baselines[k]))
    diff = paired_auc_difference(y, model, baselines[best])
    return {"best_baseline": best, "difference": diff[0] if diff else None, "se": diff[1] if diff else None}


def _swapped(data: D.OffTopicData, comments: pd.DataFrame, seed: int, same_site_share: float = 0.0) -> pd.DataFrame:
    articles = data.articles[data.articles["split"] == "test"]
    articles = articles[articles["source"] == "dragnet"]
    return D.weak_pairs(comments, articles, seed=seed, title_only_share=0.0, same_site_share=same_site_share)


def seed_checks(model: OffTopicModel, data: D.OffTopicData) -> dict[str, Any]:
    seeds = data.pairs[data.pairs["article_id"] == SEED_PAGE].reset_index(drop=True)
    if seeds.empty:
        return {"available": False}
    prob, _ = _score(model, data, seeds.assign(parent=None), D.discussions(data))
    rows = [{"author": a, "about": ab if isinstance(ab, str) else None, "off_topic": round(float(p), 4), "text": t[:80]}
            for a, ab, p, t in zip(seeds["author"], seeds["about"], prob, seeds["text"])]
    page = {r["author"]: r["off_topic"] for r in rows if r["about"] is None}
    widget = [r["off_topic"] for r in rows if r["about"] is not None]
    on_topic = [page[a] for a in SEED_ON_TOPIC_AUTHORS if a in page]
    checks = {
        "on_topic_below_every_widget": bool(on_topic and widget and max(on_topic) < min(widget)),
        "not_a_real_comment_above_on_topic": bool(on_topic and SEED_NOT_REAL_AUTHOR in page
                                                  and page[SEED_NOT_REAL_AUTHOR] > max(on_topic)),
    }
    return {"available": True, "comments": rows, "widget_comments": len(widget), "checks": checks,
            "passed": all(checks.values())}


def evaluate_offtopic(model: OffTopicModel, data_dir: Path = Path("data"), seed: int = 1000) -> dict[str, Any]:
    data = D.load(data_dir)
    train = data.pairs[data.pairs["split"] == "train"]
    test = data.pairs[data.pairs["split"] == "test"].reset_index(drop=True)
    y = test["target"].to_numpy()
    all_test = D.page_comments(data_dir, split="test")
    discussions = D.discussions(data, all_test)
    prob, cosine = _score(model, data, test, discussions)
    comment_only = make_text().fit(train["text"].tolist(), train["target"].to_numpy())
    plain = PlainCosine(data, D.page_comments(data_dir, split="train"))
    baselines = {"tfidf_cosine": 1 - cosine, "plain_tfidf_cosine": plain(test),
                 "comment_only": comment_only.predict_proba(test["text"].tolist())[:, 1]}
    human = _metrics(y, {"model": prob, **baselines})
    human["comparison"] = _compare(y, prob, baselines)
    # the same rows scored without their discussions (a comment table with no other comment of the story)
    human["model_alone"] = _metrics(y, {"model": _score(model, data, test)[0]})["model"]
    human["by_label"] = {}
    for label in ("off", "generic"):
        keep = test["label"].isin(["on", label]).to_numpy()
        human["by_label"][label] = _metrics(y[keep], {"model": prob[keep], **{k: v[keep] for k, v in baselines.items()}})
    human["by_source"] = {
        src: _metrics(y[m], {"model": prob[m], **{k: baselines[k][m] for k in COSINES}})
        for src in sorted(test["source"].unique()) if len(set(y[(m := (test["source"] == src).to_numpy())])) == 2
    }

    swapped: dict[str, Any] = {}
    on_test = test[(test["label"] == "on") & (test["source"] == "dragnet")][["article_id", "group", "text", "parent"]]
    variants = (("human_on_comments", on_test, 0.0, True), ("human_on_comments_same_site", on_test, 1.0, True),
                ("human_on_comments_no_thread", on_test.assign(parent=None), 0.0, True),
                ("human_on_comments_no_discussion", on_test, 0.0, False),
                ("all_page_comments", all_test, 0.0, True))
    for name, comments, same_site, with_discussion in variants:
        pairs = _swapped(data, comments, seed, same_site)
        p, c = _score(model, data, pairs, discussions if with_discussion else None)
        ys = pairs["target"].to_numpy()
        cosines = {"tfidf_cosine": 1 - c, "plain_tfidf_cosine": plain(pairs)}
        swapped[name] = _metrics(ys, {"model": p, **cosines})
        swapped[name]["comparison"] = _compare(ys, p, cosines)

    seeds = seed_checks(model, data)
    floors = {
        "human_roc_auc": {"floor": FLOORS["human_roc_auc"], "value": human["model"]["roc_auc"]},
        "human_margin_over_best_baseline": {"floor": FLOORS["margin_over_best_baseline"],
                                            "value": human["model"]["roc_auc"] - human[human["comparison"]["best_baseline"]]["roc_auc"]},
        "swapped_roc_auc": {"floor": FLOORS["swapped_roc_auc"], "value": swapped["human_on_comments"]["model"]["roc_auc"]},
        "swapped_margin_over_cosine": {"floor": FLOORS["margin_over_best_baseline"],
                                       "value": swapped["human_on_comments"]["model"]["roc_auc"]
                                       - max(swapped["human_on_comments"][k]["roc_auc"] for k in COSINES)},
    }
    for f in floors.values():
        f["met"] = bool(f["value"] >= f["floor"])
    summary = {
        "human_roc_auc": human["model"]["roc_auc"], "human_average_precision": human["model"]["average_precision"],
        "swapped_roc_auc": swapped["human_on_comments"]["model"]["roc_auc"],
        "human_best_baseline": human["comparison"]["best_baseline"],
        "human_best_baseline_roc_auc": human[human["comparison"]["best_baseline"]]["roc_auc"],
        "seed_checks_passed": seeds.get("passed"),
    }
    return {"human": human, "swapped": swapped, "seeds": seeds, "floors": floors, "summary": summary}


def _f(x: Any) -> str:
    return "—" if x is None else f"{x:.3f}"


def to_markdown(report: dict[str, Any], model_id: str) -> str:
    h = report["human"]
    lines = [f"# Off-topic evaluation: {model_id}", "",
             "Rows no fitting or tuning touched: the `test` part of `data/labels/offtopic` (see `moderate.offtopic.evaluate`).", "",
             f"## Held-out human labels ({h['rows']} pairs, {h['positives']} off or generic)", "",
             "| scorer | ROC AUC | average precision |", "|---|---|---|"]
    for name in ("model", *COSINES, "comment_only"):
        if name in h:  # a report written before plain_tfidf_cosine has no such row
            lines.append(f"| {name} | {_f(h[name]['roc_auc'])} | {_f(h[name]['average_precision'])} |")
    if "model_alone" in h:
        lines.append(f"| model, each comment alone (no discussion) | {_f(h['model_alone']['roc_auc'])} | "
                     f"{_f(h['model_alone']['average_precision'])} |")
    c = h["comparison"]
    if c["difference"] is not None:
        lines += ["", f"Model minus the best baseline ({c['best_baseline']}): {c['difference']:+.3f} ± {1.96 * c['se']:.3f} (DeLong, 95%)."]
    def plain(m: dict[str, Any]) -> str:
        return _f(m.get("plain_tfidf_cosine", {}).get("roc_auc"))

    lines += ["", "| slice | rows | positives | model AUC | cosine AUC | plain cosine AUC | comment-only AUC |",
              "|---|---|---|---|---|---|---|"]
    for label, m in h["by_label"].items():
        lines.append(f"| {label} vs on | {m['rows']} | {m['positives']} | {_f(m['model']['roc_auc'])} | "
                     f"{_f(m['tfidf_cosine']['roc_auc'])} | {plain(m)} | {_f(m['comment_only']['roc_auc'])} |")
    lines += ["", "## Swapped-article pairs", "", "| comments | pairs | model AUC | cosine AUC | plain cosine AUC |",
              "|---|---|---|---|---|"]
    for name, m in report["swapped"].items():
        lines.append(f"| {name} | {m['rows']} | {_f(m['model']['roc_auc'])} | {_f(m['tfidf_cosine']['roc_auc'])} | {plain(m)} |")
    lines += ["", "`human_on_comments`: held-out comments labelled `on`, each with its own article and with another",
              "held-out article of the corpus (a reply keeps its parent comment in both: only the article changes).",
              "`..._same_site`: the other article comes from the same site (harder). `..._no_thread`: without",
              "the parent comments. `..._no_discussion`: without the other comments of the page (the comment",
              "is judged against the article alone). Elsewhere a comment moved under another story is compared",
              "with the whole discussion there.",
              "`all_page_comments`: every comment of the held-out pages (some own-article pairs are really",
              "off-topic, so this AUC has a ceiling below 1)."]
    lines += ["", "## Floors", "", "| floor | required | value | met |", "|---|---|---|---|"]
    for name, f in report["floors"].items():
        lines.append(f"| {name} | {f['floor']} | {_f(f['value'])} | {'yes' if f['met'] else 'NO'} |")
    s = report["seeds"]
    if s.get("available"):
        lines += ["", "## Seed page (every comment with text against the Palmyra story)", "",
                  "| author | widget story | off_topic | text |", "|---|---|---|---|"]
        for r in s["comments"]:
            text = r["text"].replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {r['author']} | {r['about'] or ''} | {r['off_topic']:.3f} | {text} |")
        lines += [""] + [f"- {name}: {'yes' if ok else 'NO'}" for name, ok in s["checks"].items()]
    return "\n".join(lines) + "\n"
