"""Real (article, comment) pairs for off-topic labelling, frozen into ``data/labels/offtopic``.

Run once (``python -m moderate.offtopic.pool``); the output files are committed and the human
labels refer to their ids, so re-running must reproduce the same ids (it is deterministic).
``python -m moderate.offtopic.pool --extend`` adds the second dragnet batch to the frozen files;
``--extend3`` the third (training sites only, half of it picked by the shipped model, see
:func:`extend3`).

Sources (see ``data/labels/offtopic/README.md``):

* **dragnet training sites** (AGPL-3.0): the article (title, byline, body) and comments of every
  annotated page whose site is *not* held out for the splitter; up to ``PER_PAGE`` comments a
  page, drawn with a fixed seed (batch 1), then up to ``PER_PAGE_2`` more of the page's other
  comments, drawn with another fixed seed (batch 2, labelled later);
* **trafilatura pages** (third-party web content, research use): comments the splitter finds;
* **the seeds**: every comment with text, paired with the page's own article (the widget
  comments too: they are shown under that article, which is the moderator's question).

Every article belongs to a *group* (a dragnet site, ``trafilatura``, ``seeds``); whole groups are
assigned to the fixed ``test`` part by hash, and the seeds always are.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

from moderate.pages import labels as L

PER_PAGE = 5
PER_PAGE_2 = 8
#: batch 3: this many pairs of the training sites' remaining comments, ``BATCH_3_TOP`` of them the
#: ones the model of the day scores most off-topic, the rest drawn from what those left (see extend3)
BATCH_3 = 600
BATCH_3_TOP = 360
BATCH_3_PER_PAGE = 15  # at most this many of a page (a few pages have hundreds of comments)
TEST_SHARE = 0.35
OUT = Path("data/labels/offtopic")


def _hash_share(key: str) -> float:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF


def split_of(group: str) -> str:
    if group == "seeds":
        return "test"
    return "test" if _hash_share("offtopic:" + group) < TEST_SHARE else "train"


def _pair_id(article_id: str, text: str) -> str:
    return hashlib.sha1(f"{article_id}\n{text}".encode("utf-8")).hexdigest()[:12]


def _dragnet(data_dir: Path, remaining: bool = False) -> tuple[list[dict], list[dict]]:
    """Articles and batch-1/2 pairs; with ``remaining``, every other comment too (``batch`` 3: the
    candidates of :func:`extend3`)."""
    from moderate.pages.data import dragnet_pages

    articles, pairs = [], []
    for page in dragnet_pages(data_dir):
        if page.split != "train":
            continue
        title = next((b.text for b, lab in zip(page.blocks, page.labels) if lab == L.TITLE), None)
        body = "\n\n".join(b.text for b, lab in zip(page.blocks, page.labels) if lab == L.BODY)
        if not body.strip() or not page.comments:
            continue
        aid = f"dragnet-{page.id}"
        articles.append({"article_id": aid, "group": page.group, "source": "dragnet", "title": title, "body": body})
        comments = [c for c in page.comments if c["text"].strip()]
        rng = random.Random(f"pool:{page.id}")
        chosen = sorted(rng.sample(range(len(comments)), min(PER_PAGE, len(comments))))
        first = set(chosen)
        rest = [k for k in range(len(comments)) if k not in first]
        second = sorted(random.Random(f"pool2:{page.id}").sample(rest, min(PER_PAGE_2, len(rest))))
        seen: set[str] = set()
        taken = set(second)
        others = [k for k in rest if k not in taken] if remaining else []
        for k in chosen + second + others:
            c = comments[k]
            pair_id = _pair_id(aid, c["text"])
            if pair_id in seen:  # a text posted twice under one article is one pair
                continue
            seen.add(pair_id)
            parent = None
            if c.get("reply_to") is not None and c["reply_to"] < len(page.comments):
                parent = page.comments[c["reply_to"]]["text"]
            pairs.append({"pair_id": pair_id, "article_id": aid, "group": page.group,
                          "source": "dragnet", "author": c.get("author"), "text": c["text"], "parent": parent,
                          "about": None, "batch": 1 if k in first else 2 if k in second else 3})
    return articles, pairs


def _trafilatura(data_dir: Path) -> tuple[list[dict], list[dict]]:
    from moderate.pages.data import trafilatura_pages
    from moderate.pages.split import Splitter

    splitter = Splitter.load()
    articles, pairs = [], []
    for page in trafilatura_pages(data_dir):
        split = splitter.split_text(page["html"], source=page["file"], fmt="html")
        body = split.article["body"] or ""
        comments = [c for c in split.comments if len(c.text) >= 15 and c.about is None]
        if not body.strip() or not comments:
            continue
        aid = f"trafilatura-{Path(page['file']).stem}"
        articles.append({"article_id": aid, "group": "trafilatura", "source": "trafilatura",
                         "title": split.article["title"] or page.get("title"), "body": body})
        for c in comments[:6]:
            parent = split.comments[c.reply_to].text if c.reply_to is not None else None
            pairs.append({"pair_id": _pair_id(aid, c.text), "article_id": aid, "group": "trafilatura",
                          "source": "trafilatura", "author": c.author, "text": c.text, "parent": parent, "about": None,
                          "batch": 1})
    return articles, pairs


def _seeds(seeds_dir: Path) -> tuple[list[dict], list[dict]]:
    articles, pairs = [], []
    for path in sorted(seeds_dir.glob("*.expected.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        comments = [c for c in truth.get("comments", []) if (c.get("text") or "").strip()]
        if not comments:
            continue
        art = truth["article"]
        aid = "seed-" + path.name.split(".")[0]
        body = "\n\n".join(art.get("body_paragraphs") or [art.get("body", "")])
        articles.append({"article_id": aid, "group": "seeds", "source": "seeds", "title": art.get("title"), "body": body})
        for c in comments:
            pairs.append({"pair_id": _pair_id(aid, c["text"]), "article_id": aid, "group": "seeds", "source": "seeds",
                          "author": c.get("author"), "text": c["text"], "parent": None, "about": c.get("about"),
                          "batch": 1})
    return articles, pairs


def build(data_dir: Path = Path("data"), seeds_dir: Path = Path("tests/data/seeds")) -> tuple[list[dict], list[dict]]:
    articles, pairs = [], []
    for a, p in (_dragnet(data_dir), _trafilatura(data_dir), _seeds(seeds_dir)):
        articles += a
        pairs += p
    for row in articles + pairs:
        row["split"] = split_of(row["group"])
    return articles, pairs


def extend(out: Path = OUT, data_dir: Path = Path("data")) -> list[dict]:
    """Add the dragnet batch-2 pairs to the frozen ``pairs.jsonl`` (batch-1 rows are kept byte for
    byte in meaning: the trafilatura rows depend on the splitter of the day and must not move)."""
    existing = [json.loads(line) for line in (out / "pairs.jsonl").read_text(encoding="utf-8").splitlines() if line]
    known = {p["pair_id"] for p in existing}
    _, dragnet = _dragnet(data_dir)
    added = [p for p in dragnet if p["batch"] == 2 and p["pair_id"] not in known]
    for row in added:
        row["split"] = split_of(row["group"])
    for row in existing:
        row.setdefault("batch", 1)
    return existing + added


def extend3(model, out: Path = OUT, data_dir: Path = Path("data")) -> list[dict]:
    """Add batch 3 to the frozen ``pairs.jsonl``: comments of the **training** sites' pages not in
    batches 1-2 (the held-out part stays as it is). ``BATCH_3_TOP`` are those ``model`` (a loaded
    off-topic model) scores most off-topic against their own article, to find more of the rare
    off-topic and generic comments the training part is short of; the other ``BATCH_3 -
    BATCH_3_TOP`` are drawn (seeded) from what those picks left, so the batch still holds
    ordinary comments. At most ``BATCH_3_PER_PAGE`` pairs come from one page (two thirds of
    that from the model's picks); where a page had few comments left, the draw took them all, so
    that part (``picked`` = ``random``) is not a random sample of all comments. Deterministic for
    a given model (its id is in the README). Runs once: a second run would exceed the cap."""
    import numpy as np
    import pandas as pd

    from moderate.offtopic import data as D
    from moderate.offtopic.train import pair_features

    existing = [json.loads(line) for line in (out / "pairs.jsonl").read_text(encoding="utf-8").splitlines() if line]
    if any(p.get("batch") == 3 for p in existing):
        raise ValueError(f"{out / 'pairs.jsonl'} already holds batch 3: extend3 runs once")
    known = {p["pair_id"] for p in existing}
    _, dragnet = _dragnet(data_dir, remaining=True)
    seen: set[str] = set()
    candidates = []
    for p in dragnet:
        if p["batch"] == 3 and p["pair_id"] not in known and p["pair_id"] not in seen and split_of(p["group"]) == "train":
            seen.add(p["pair_id"])
            candidates.append(p)
    frame = pd.DataFrame(candidates)
    articles = pd.read_json(out / "articles.jsonl", lines=True, dtype={"article_id": str}).set_index("article_id", drop=False)
    data = D.OffTopicData(articles, frame)
    X = pair_features(model.estimator.featurizer, data, frame)
    prob = model.estimator.predict_from_features(frame["text"].tolist(), X)
    order = sorted(range(len(candidates)), key=lambda k: (-round(float(prob[k]), 9), candidates[k]["pair_id"]))
    per_page: dict[str, int] = {}

    def take(ks, n: int, cap: int) -> list[int]:
        out = []
        for k in ks:
            a = candidates[k]["article_id"]
            if len(out) < n and per_page.get(a, 0) < cap:
                per_page[a] = per_page.get(a, 0) + 1
                out.append(k)
        return out

    top = take(order, BATCH_3_TOP, BATCH_3_PER_PAGE * 2 // 3)
    chosen = set(top)
    rest = sorted((k for k in order if k not in chosen), key=lambda k: candidates[k]["pair_id"])
    drawn = take(random.Random("pool3").sample(rest, len(rest)), BATCH_3 - len(top), BATCH_3_PER_PAGE)
    added = []
    for k in sorted(top + drawn, key=lambda k: (candidates[k]["article_id"], candidates[k]["pair_id"])):
        row = dict(candidates[k], split="train", picked="model" if k in chosen else "random")
        added.append(row)
    return existing + added


def _write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> None:
    import sys

    argv = sys.argv[1:] if argv is None else argv
    OUT.mkdir(parents=True, exist_ok=True)
    if "--extend3" in argv:
        from moderate.offtopic.load import load_offtopic

        # --model PATH: the model folder that picks (default: models/offtopic/CURRENT); batch 3
        # was picked by offtopic-20261122-e625da2e (in git history at commit 944ad16)
        model = load_offtopic(argv[argv.index("--model") + 1] if "--model" in argv else None)
        pairs = extend3(model)
        print(f"batch 3 picked with {model.model_id}")
    elif "--extend" in argv:
        pairs = extend()
    else:
        articles, pairs = build()
        _write(OUT / "articles.jsonl", articles)
    _write(OUT / "pairs.jsonl", pairs)
    n_test = sum(p["split"] == "test" for p in pairs)
    print(f"{len(pairs)} pairs ({n_test} test; {sum(p.get('batch') == 2 for p in pairs)} in batch 2, "
          f"{sum(p.get('batch') == 3 for p in pairs)} in batch 3)")


if __name__ == "__main__":
    main()
