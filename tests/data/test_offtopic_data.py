"""The off-topic labels: complete, consistent, and with a fixed held-out part."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderate.offtopic import data as D
from moderate.offtopic.pool import split_of

ROOT = Path(__file__).resolve().parents[2] / "data"
OFFTOPIC = ROOT / "labels" / "offtopic"


@pytest.fixture(scope="module")
def data() -> D.OffTopicData:
    return D.load(ROOT)


def test_documents_exist():
    for name in ("GUIDELINES.md", "README.md", "labels.tsv", "pairs.jsonl", "articles.jsonl"):
        assert (OFFTOPIC / name).is_file(), name


def test_at_least_600_human_labels_every_pair_labelled(data):
    labels = D.read_labels(OFFTOPIC / "labels.tsv")
    assert len(labels) >= 600
    pairs = D._read_jsonl(OFFTOPIC / "pairs.jsonl")
    assert set(labels["pair_id"]) == set(pairs["pair_id"])
    assert set(labels["label"]) == set(D.LABEL_VALUES)
    assert labels["labeller"].str.len().gt(0).all()


def test_the_held_out_part_is_fixed_by_group(data):
    pairs = data.pairs
    assert (pairs["split"] == pairs["group"].map(split_of)).all()
    assert pairs.groupby("group")["split"].nunique().eq(1).all()  # no site on both sides
    test = pairs[pairs["split"] == "test"]
    assert len(test) >= 200 and test["target"].sum() >= 40
    assert set(pairs.loc[pairs["source"] == "seeds", "split"]) == {"test"}


def test_every_pair_has_its_article(data):
    assert set(data.pairs["article_id"]) <= set(data.articles.index)
    assert (data.articles["body"].str.len() > 0).all()


def test_weak_pairs_swap_within_the_given_articles(data):
    comments = D.page_comments(ROOT, split="train").head(200)
    articles = data.articles[data.articles["split"] == "train"]
    weak = D.weak_pairs(comments, articles, seed=3)
    assert len(weak) == 2 * len(comments)
    own, swapped = weak.iloc[::2], weak.iloc[1::2]
    assert (own["target"] == 0).all() and (swapped["target"] == 1).all()
    assert (own["article_id"].to_numpy() != swapped["article_id"].to_numpy()).all()
    assert set(swapped["article_id"]) <= set(articles.index)
    # only the article changes: a reply keeps its parent in both members (no "has a parent" shortcut)
    assert comments["parent"].notna().any()
    assert (own["parent"].fillna("").to_numpy() == swapped["parent"].fillna("").to_numpy()).all()


def test_the_pool_is_reproducible():
    """``python -m moderate.offtopic.pool`` drew the dragnet pairs deterministically: drawing again
    gives exactly the committed batch-1 and batch-2 ids (the labels refer to them)."""
    from moderate.offtopic.pool import _dragnet

    committed = D._read_jsonl(OFFTOPIC / "pairs.jsonl")
    committed = committed[committed["source"] == "dragnet"]
    _, drawn = _dragnet(ROOT)
    assert len({p["pair_id"] for p in drawn}) == len(drawn)  # a text posted twice under one article is one pair
    for batch in (1, 2):
        ids = {p["pair_id"] for p in drawn if p["batch"] == batch}
        assert ids == set(committed.loc[committed["batch"] == batch, "pair_id"]), batch


def test_batch_3_adds_training_pairs_only():
    """Batch 3 (``pool.extend3``) comes from the training sites' remaining comments: it leaves the
    held-out part as it was, repeats no earlier pair, keeps to the per-page cap and records how
    each pair was picked."""
    from moderate.offtopic.pool import BATCH_3, BATCH_3_PER_PAGE, BATCH_3_TOP, _dragnet

    committed = D._read_jsonl(OFFTOPIC / "pairs.jsonl")
    third = committed[committed["batch"] == 3]
    assert 0 < len(third) <= BATCH_3
    assert set(third["split"]) == {"train"} and set(third["source"]) == {"dragnet"}
    assert not set(third["pair_id"]) & set(committed.loc[committed["batch"] != 3, "pair_id"])
    assert third["article_id"].value_counts().max() <= BATCH_3_PER_PAGE
    assert set(third["picked"]) == {"model", "random"}
    assert (third["picked"] == "model").sum() == BATCH_3_TOP
    # every batch-3 pair is a real comment of its page, outside the first two draws
    _, drawn = _dragnet(ROOT, remaining=True)
    remaining = {p["pair_id"] for p in drawn if p["batch"] == 3}
    assert set(third["pair_id"]) <= remaining


def test_batch_3_is_drawn_once():
    from moderate.offtopic.pool import extend3

    with pytest.raises(ValueError, match="already holds batch 3"):
        extend3(None, out=OFFTOPIC, data_dir=ROOT)
