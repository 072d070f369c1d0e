"""The off-topic data: articles, real pairs, human labels, and weak (swapped-article) pairs.

Files in ``data/labels/offtopic/`` (see its README.md):

* ``articles.jsonl`` - ``article_id, group, source, title, body, split``;
* ``pairs.jsonl`` - ``pair_id, article_id, group, source, author, text, parent, about, split``:
  real comments shown under those articles;
* ``labels.tsv`` - the human labels (``pair_id, label, labeller, note``).

A pair is **positive** (off-topic in the broad sense a moderator acts on) when its label is
``off`` or ``generic``. The ``split`` of a pair is that of its article's group, fixed by hash
(:func:`moderate.offtopic.pool.split_of`): the ``test`` part is never used for fitting or tuning.

**Weak pairs** (:func:`weak_pairs`) are made, not labelled: a comment of a page with its own
article (target 0) and the same comment with another article of the same part (target 1;
from the same site when there is one, so the two stories are often on related subjects).
They are extra training signal and a separate measurement, never reported as human labels.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from moderate.errors import InputError

LABEL_VALUES = ("on", "off", "generic")
POSITIVE = frozenset({"off", "generic"})
OFFTOPIC_DIR = Path("labels") / "offtopic"


@dataclass
class OffTopicData:
    articles: pd.DataFrame  # index article_id
    pairs: pd.DataFrame  # pairs with their human label (rows without a label dropped)

    def article_tuples(self, ids: list[str]) -> list[tuple[str | None, str]]:
        sub = self.articles.loc[ids]
        return list(zip(sub["title"].where(sub["title"].notna(), None), sub["body"].fillna("")))


def _read_jsonl(path: Path) -> pd.DataFrame:
    try:
        with open(path, encoding="utf-8") as fh:
            return pd.DataFrame([json.loads(line) for line in fh if line.strip()])
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None


def read_labels(path: Path) -> pd.DataFrame:
    labels = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, quoting=3)
    missing = {"pair_id", "label", "labeller"} - set(labels.columns)
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    bad = labels[~labels["label"].isin(LABEL_VALUES)]
    if len(bad):
        raise InputError(f"{path}: unknown label(s) {sorted(set(bad['label']))[:5]}; expected {LABEL_VALUES}")
    if labels["pair_id"].duplicated().any():
        raise InputError(f"{path}: pair_id {labels.loc[labels['pair_id'].duplicated(), 'pair_id'].iloc[0]} labelled twice")
    return labels


def load(data_dir: Path = Path("data")) -> OffTopicData:
    root = Path(data_dir) / OFFTOPIC_DIR
    articles = _read_jsonl(root / "articles.jsonl").set_index("article_id")
    pairs = _read_jsonl(root / "pairs.jsonl")
    labels = read_labels(root / "labels.tsv")
    unknown = set(labels["pair_id"]) - set(pairs["pair_id"])
    if unknown:
        raise InputError(f"{root / 'labels.tsv'}: {len(unknown)} pair_id(s) not in pairs.jsonl, e.g. {sorted(unknown)[0]}")
    pairs = pairs.merge(labels[["pair_id", "label", "labeller", "note"]], on="pair_id", how="inner")
    pairs["target"] = pairs["label"].isin(POSITIVE).astype(int)
    return OffTopicData(articles, pairs.reset_index(drop=True))


def page_comments(data_dir: Path = Path("data"), split: str = "train") -> pd.DataFrame:
    """Every comment with text of the dragnet pages behind the pool's articles of ``split``:
    ``article_id, group, text, parent`` (the pool holds only a sample of them)."""
    from moderate.pages.data import dragnet_pages
    from moderate.offtopic.pool import split_of

    rows = []
    for page in dragnet_pages(Path(data_dir)):
        if page.split != "train" or split_of(page.group) != split:
            continue
        for c in page.comments:
            if c["text"].strip():
                parent = page.comments[c["reply_to"]]["text"] if c.get("reply_to") is not None else None
                rows.append({"article_id": f"dragnet-{page.id}", "group": page.group, "text": c["text"], "parent": parent})
    return pd.DataFrame(rows, columns=["article_id", "group", "text", "parent"])


def discussions(data: OffTopicData, *comment_frames: pd.DataFrame) -> dict[str, list[str]]:
    """The comments under each article, for the ``cos_discussion`` feature: the texts of
    ``comment_frames`` (:func:`page_comments`: every comment of the dragnet pages) by
    ``article_id``, and for the other articles (trafilatura pages, the seeds, a site's own
    labels) the texts of their pairs. Texts only: no label is read."""
    out: dict[str, list[str]] = {}
    for frame in comment_frames:
        for article_id, text in zip(frame["article_id"], frame["text"]):
            out.setdefault(article_id, []).append(text)
    covered = set(out)
    for article_id, text in zip(data.pairs["article_id"], data.pairs["text"]):
        if article_id not in covered:
            out.setdefault(article_id, []).append(text)
    return {k: list(dict.fromkeys(v)) for k, v in out.items()}


def weak_pairs(comments: pd.DataFrame, articles: pd.DataFrame, seed: int = 0,
               title_only_share: float = 0.2, exclude: set[str] | frozenset[str] = frozenset(),
               same_site_share: float = 0.5) -> pd.DataFrame:
    """Each comment twice: with its own article (target 0) and a swapped one (target 1).

    With probability ``same_site_share`` the swapped article comes from the same site (when the
    site has another article), else from anywhere in ``articles``. A share of pairs (both members alike) use the article's title
    only, as widget comments do. Comments whose text is in ``exclude`` are skipped.

    Both members keep the comment's parent (the comment it replies to): only the article changes.
    (Giving the parent to the own-article member alone would let a model learn "has a parent,
    so it is under its own article", a shortcut that says nothing about relevance.)
    """
    rng = random.Random(seed)
    commented = set(comments["article_id"])
    ids = [a for a in articles.index if a in commented]
    by_group: dict[str, list[str]] = defaultdict(list)
    for a in ids:
        by_group[articles.at[a, "group"]].append(a)
    rows = []
    for rec in comments.itertuples(index=False):
        if rec.text in exclude or rec.article_id not in articles.index:
            continue
        same_site = [a for a in by_group[rec.group] if a != rec.article_id]
        pool = same_site if same_site and rng.random() < same_site_share else ids
        other = rec.article_id
        while other == rec.article_id:
            other = rng.choice(pool)
        title_only = rng.random() < title_only_share
        for article_id, target in ((rec.article_id, 0), (other, 1)):
            rows.append({"article_id": article_id, "group": rec.group, "text": rec.text,
                         "parent": rec.parent, "title_only": title_only, "target": target})
    return pd.DataFrame(rows)
