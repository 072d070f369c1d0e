"""Labelled pages for training and evaluating the splitter.

* **dragnet** (``data/pages/dragnet``, AGPL-3.0): 300 real 2012 pages whose gold text has an
  article/comments marker; every line annotated by hand (``data/pages/annotations/dragnet``,
  see ``data/pages/annotations/GUIDELINES.md``). Pages are grouped into sites by shared
  lines, and whole sites are held out.
* **rendered**: real articles and comments rendered into layout families
  (:mod:`moderate.pages.synth`); whole layout families are held out.
* **scrapinghub** (``data/pages/scrapinghub``): real HTML with gold article bodies and no
  comments; blocks found in the gold body are ``body``, the rest ``boilerplate``.
* **trafilatura** (``data/pages/trafilatura_eval``): 16 real HTML pages with snippets of the
  article and of the comments; evaluation only.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moderate.pages import labels as L
from moderate.pages.blocks import Block, html_blocks, page_title, text_blocks
from moderate.pages.read import decode

MARKER = re.compile(r"^[ \t!@#$%^&*()]*[!@#$%^&*()]{3,}[ \t!@#$%^&*()]*COMMENTS[ \t\r]*$")
TEST_SHARE = 0.3


@dataclass
class LabelledPage:
    """A page with line-level truth."""

    id: str
    source: str  # dragnet | rendered | scrapinghub
    group: str  # site or layout family: the unit held out
    fmt: str
    text: str
    blocks: list[Block]
    labels: list[str]
    comments: list[dict[str, Any]] | None = None
    split: str = "train"
    doc_title: str | None = None
    #: index of the first block of the comment section (the true article/comments boundary)
    boundary: int | None = None
    #: the true comment (index or annotation number) of every block, None outside comments
    comment_ids: list[int | None] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _held_out(group: str, share: float = TEST_SHARE) -> bool:
    h = int(hashlib.sha1(group.encode("utf-8")).hexdigest()[:8], 16)
    return h / 0xFFFFFFFF < share


# ------------------------------------------------------------------------------------- dragnet


def _dragnet_text(path: Path) -> tuple[str, int | None]:
    text, _ = decode(path.read_bytes())
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    marker = None
    for i, line in enumerate(lines):
        if MARKER.match(line):
            marker = i + 1
            lines[i] = ""
            break
    return "\n".join(lines), marker


def _read_annotation(path: Path) -> dict[int, tuple[str, int | None, str, int | None]]:
    rows = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        parts = (raw.split("\t") + ["", "", "", ""])[:5]
        number, code, comment, author, reply = parts
        rows[int(number)] = (
            L.CODES[code.strip()],
            int(comment) if comment.strip() else None,
            author.strip(),
            int(reply) if reply.strip() else None,
        )
    return rows


def dragnet_pages(data_dir: Path = Path("data")) -> list[LabelledPage]:
    """The annotated dragnet pages, with site groups and the held-out split."""
    root = data_dir / "pages" / "dragnet"
    ann_dir = data_dir / "pages" / "annotations" / "dragnet"
    pages = []
    for ann in sorted(ann_dir.glob("*.tsv")):
        pid = ann.stem
        text, marker = _dragnet_text(root / "Corrected" / f"{pid}.html.corrected.txt")
        try:
            rows = _read_annotation(ann)
        except (ValueError, KeyError) as exc:
            warnings.warn(f"{ann}: unreadable annotation ({exc}); page skipped", stacklevel=2)
            continue
        blocks = text_blocks(text)
        labels, comment_ids = [], []
        for b in blocks:
            label, comment, _, _ = rows.get(b.line, (L.BOILERPLATE, None, "", None))
            labels.append(label)
            comment_ids.append(comment)
        comments = _truth_comments(blocks, labels, comment_ids, rows)
        boundary = next((i for i, b in enumerate(blocks) if marker is not None and b.line > marker), len(blocks))
        ids = [c if lab in L.COMMENT_LABELS else None for c, lab in zip(comment_ids, labels)]
        pages.append(LabelledPage(pid, "dragnet", "", "text", text, blocks, labels, comments, boundary=boundary, comment_ids=ids))
    for page, group in zip(pages, site_groups(pages)):
        page.group = group
        page.split = "test" if _held_out(group) else "train"
    return pages


def _truth_comments(blocks, labels, comment_ids, rows) -> list[dict[str, Any]]:
    by_number: dict[int, dict[str, Any]] = {}
    order: list[int] = []
    for b, label, number in zip(blocks, labels, comment_ids):
        if number is None or label not in L.COMMENT_LABELS:
            continue
        if number not in by_number:
            by_number[number] = {"author": None, "texts": [], "reply": None}
            order.append(number)
        entry = by_number[number]
        _, _, author, reply = rows[b.line]
        if author and entry["author"] is None:
            entry["author"] = author
        if reply is not None and entry["reply"] is None:
            entry["reply"] = reply
        if label == L.COMMENT_TEXT:
            entry["texts"].append(b.text)
    position = {number: k for k, number in enumerate(order)}
    return [
        {
            "index": k,
            "author": by_number[number]["author"],
            "text": "\n\n".join(by_number[number]["texts"]),
            "reply_to": position.get(by_number[number]["reply"]),
        }
        for k, number in enumerate(order)
    ]


def _site_signature(page: LabelledPage) -> set[str]:
    """Lines that identify a site's template: headers' shapes and repeated chrome."""
    from moderate.pages.features import _norm_line, _shape

    sig = set()
    for b, label in zip(page.blocks, page.labels):
        if label in (L.FURNITURE, L.BOILERPLATE) and 6 <= len(b.text) <= 80:
            sig.add("line:" + _norm_line(b.text))
        if label == L.COMMENT_HEADER:
            sig.add("shape:" + _shape(re.sub(r"[A-Za-z]+", "a", b.text)))
    return sig


def site_groups(pages: list[LabelledPage], threshold: float = 0.3) -> list[str]:
    """Cluster pages whose template signatures overlap (single link): one group per site."""
    sigs = [_site_signature(p) for p in pages]
    # items shared by many pages are generic (WordPress's "Leave a Reply"), not a site's own
    counts: dict[str, int] = defaultdict(int)
    for sig in sigs:
        for item in sig:
            counts[item] += 1
    limit = max(3, int(0.03 * len(pages)))
    sigs = [{item for item in sig if counts[item] <= limit} for sig in sigs]
    parent = list(range(len(pages)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index: dict[str, list[int]] = defaultdict(list)
    for i, sig in enumerate(sigs):
        for item in sig:
            index[item].append(i)
    for i, sig in enumerate(sigs):
        candidates = {j for item in sig for j in index[item] if j > i}
        for j in candidates:
            inter = len(sig & sigs[j])
            if inter >= 2 and inter / min(len(sig), len(sigs[j])) >= threshold:
                parent[find(i)] = find(j)
    return ["site-" + min(pages[j].id for j in range(len(pages)) if find(j) == find(i)) for i in range(len(pages))]


# ------------------------------------------------------------------------------------- rendered


def rendered_pages(n: int, seed: int, layouts, fmt: str, split: str, data_dir: Path = Path("data"), sources=None) -> list[LabelledPage]:
    from moderate.pages.synth import synthetic_pages

    out = []
    for k, page in enumerate(synthetic_pages(n, seed=seed, layouts=layouts, fmt=fmt, data_dir=data_dir, sources=sources)):
        if page.fmt == "html":
            blocks = html_blocks(page.text)
            labels = [b.gold or L.BOILERPLATE for b in blocks]
            title = page_title(page.text)
        else:
            blocks = text_blocks(page.text)
            gold = {i + 1: g for i, g in enumerate(page.lines)}
            labels = [gold[b.line].label or L.BOILERPLATE for b in blocks]
            for b in blocks:
                b.gold_comment = gold[b.line].comment
            title = None
        first_comment = next((i for i, lab in enumerate(labels) if lab in L.COMMENT_LABELS), len(blocks))
        out.append(LabelledPage(
            f"{fmt}-{seed}-{k}", "rendered", page.layout, page.fmt, page.text, blocks, labels,
            comments=page.comments, split=split, doc_title=title, boundary=first_comment,
            comment_ids=[b.gold_comment if lab in L.COMMENT_LABELS else None for b, lab in zip(blocks, labels)],
            extra={"article": page.article},
        ))
    return out


# ------------------------------------------------------------------------------------- scrapinghub


def _norm_ws(text: str) -> str:
    return " ".join(text.split()).lower()


def scrapinghub_pages(data_dir: Path = Path("data"), english_only: bool = True) -> list[LabelledPage]:
    root = data_dir / "pages" / "scrapinghub"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for pid, entry in sorted(truth.items()):
        body = entry.get("articleBody") or ""
        if english_only and sum(w in {"the", "and", "of", "to", "a", "in"} for w in body.lower().split()) < 20:
            continue
        html, _ = decode(gzip.decompress((root / "html" / f"{pid}.html.gz").read_bytes()))
        blocks = html_blocks(html)
        gold = _norm_ws(body)
        labels = []
        for b in blocks:
            t = _norm_ws(b.text)
            labels.append(L.BODY if len(t) >= 20 and t in gold else L.BOILERPLATE)
        pages.append(LabelledPage(
            pid[:12], "scrapinghub", "sh-" + pid[:12], "html", html, blocks, labels, comments=[],
            split="test" if _held_out("sh-" + pid) else "train", doc_title=page_title(html),
            boundary=len(blocks), extra={"body": body, "url": entry.get("url")},
        ))
    return pages


def trafilatura_pages(data_dir: Path = Path("data")) -> list[dict[str, Any]]:
    """The 16 trafilatura evaluation pages: raw HTML plus their snippets."""
    root = data_dir / "pages" / "trafilatura_eval"
    entries = json.loads((root / "evaldata_16_pages.json").read_text(encoding="utf-8"))
    out = []
    for url, entry in sorted(entries.items(), key=lambda kv: kv[1]["file"]):
        html, _ = decode((root / "html" / entry["file"]).read_bytes())
        out.append({"url": url, "file": entry["file"], "html": html, **{k: entry.get(k) for k in ("with", "without", "comments", "author", "title")}})
    return out
