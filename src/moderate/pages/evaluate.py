"""Measuring the splitter on pages with truth.

* **boundary F1**: the page is cut where the first predicted comment line starts; characters
  before the cut are "article side", after it "comment side". F1 of each side against the
  true cut (dragnet's marker, or the first true comment line), averaged over the two sides
  and over pages (pages without a true comment section count only their article side).
* **comment detection**: a predicted comment matches a true one when their normalised texts
  are near-identical (similarity >= 0.9; two empty texts match when the authors do).
  Matching is one-to-one, greedy by similarity. Precision, recall and F1 are pooled over pages.
* **author accuracy** on matched comments (case-insensitive exact name), **reply accuracy**
  on matched comments whose true parent is known, **reply precision**: of the matched comments
  given a parent, how many got the right one; **exact count**: pages where the number of
  predicted comments equals the true number.
* **line accuracy** and per-label F1 of the classifier itself.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

import numpy as np

from moderate.pages import labels as L
from moderate.pages.assemble import PageSplit

MATCH_SIMILARITY = 0.9
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_text(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


def similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    m = SequenceMatcher(None, a, b, autojunk=False)
    if m.real_quick_ratio() < MATCH_SIMILARITY or m.quick_ratio() < MATCH_SIMILARITY:
        return 0.0
    return m.ratio()


def match_comments(predicted: Sequence[dict[str, Any]], truth: Sequence[dict[str, Any]]) -> list[tuple[int, int]]:
    """One-to-one pairs ``(predicted index, true index)`` of near-identical comments."""
    pn = [normalise_text(c.get("text") or "") for c in predicted]
    tn = [normalise_text(c.get("text") or "") for c in truth]
    by_text: dict[str, list[int]] = {}
    for j, t in enumerate(tn):
        by_text.setdefault(t, []).append(j)
    candidates: list[tuple[float, int, int]] = []
    for i, p in enumerate(pn):
        if not p:
            for j, t in enumerate(tn):
                if not t and _same_author(predicted[i].get("author"), truth[j].get("author")):
                    candidates.append((1.0, i, j))
            continue
        exact = by_text.get(p)
        if exact:
            candidates.extend((1.0, i, j) for j in exact)
            continue
        for j, t in enumerate(tn):
            if t and abs(len(t) - len(p)) <= 0.2 * max(len(t), len(p)):
                s = similarity(p, t)
                if s >= MATCH_SIMILARITY:
                    candidates.append((s, i, j))
    candidates.sort(key=lambda c: (-c[0], abs(c[1] - c[2])))
    used_p, used_t, pairs = set(), set(), []
    for _, i, j in candidates:
        if i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
            pairs.append((i, j))
    return pairs


def _same_author(a: str | None, b: str | None) -> bool:
    return (a or "").strip().lower() == (b or "").strip().lower()


def boundary_scores(split: PageSplit, true_boundary: int) -> tuple[float, float | None]:
    """F1 of the article side and of the comment side (None when the page has no comments)."""
    lengths = np.array([len(b.text) for b in split.blocks], dtype=np.float64)
    pred_boundary = next((i for i, lab in enumerate(split.labels) if lab in L.COMMENT_LABELS), len(split.blocks))
    sides = []
    for side in ("article", "comment"):
        if side == "article":
            t = np.arange(len(lengths)) < true_boundary
            p = np.arange(len(lengths)) < pred_boundary
        else:
            t = np.arange(len(lengths)) >= true_boundary
            p = np.arange(len(lengths)) >= pred_boundary
        tp = lengths[t & p].sum()
        if not t.any() or lengths[t].sum() == 0:
            sides.append(None if side == "comment" else (1.0 if not p.any() else 0.0))
            continue
        precision = tp / lengths[p].sum() if lengths[p].sum() else 0.0
        recall = tp / lengths[t].sum()
        sides.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sides[0], sides[1]


def evaluate_pages(splits: Sequence[PageSplit], pages: Sequence[Any]) -> dict[str, Any]:
    """Scores of ``splits`` against the truth of ``pages`` (:class:`~moderate.pages.data.LabelledPage`)."""
    tp = n_pred = n_true = 0
    author_ok = author_n = reply_ok = reply_n = exact = 0
    linked = linked_ok = 0  # matched comments given a parent, and how many of those are right
    boundary = []
    y_true: list[str] = []
    y_pred: list[str] = []
    per_page = []
    for split, page in zip(splits, pages):
        truth = page.comments or []
        predicted = [c.to_dict() for c in split.comments]
        pairs = match_comments(predicted, truth)
        tp += len(pairs)
        n_pred += len(predicted)
        n_true += len(truth)
        exact += int(len(predicted) == len(truth))
        index_map = dict(pairs)
        page_authors = page_authors_ok = 0
        for i, j in pairs:
            if truth[j].get("author"):
                page_authors += 1
                page_authors_ok += int(_same_author(predicted[i].get("author"), truth[j]["author"]))
            true_parent = truth[j].get("reply_to")
            pred_parent = predicted[i].get("reply_to")
            right = int(pred_parent is not None and index_map.get(pred_parent) == true_parent)
            if true_parent is not None:
                reply_n += 1
                reply_ok += right
            if pred_parent is not None:
                linked += 1
                linked_ok += right
        a, c = boundary_scores(split, page.boundary if page.boundary is not None else len(page.blocks))
        boundary.append(a if c is None else (a + c) / 2)
        y_true.extend(page.labels)
        y_pred.extend(split.labels)
        author_n += page_authors
        author_ok += page_authors_ok
        per_page.append({"id": page.id, "group": page.group, "true": len(truth), "predicted": len(predicted), "matched": len(pairs),
                         "authors": page_authors, "authors_right": page_authors_ok, "boundary_f1": boundary[-1]})
    precision = tp / n_pred if n_pred else (1.0 if not n_true else 0.0)
    recall = tp / n_true if n_true else 1.0
    f1 = float(pooled_f1(tp, n_pred, n_true))
    interval, site_mean = group_f1_spread(per_page)
    return {
        "pages": len(pages),
        "boundary_f1": float(np.mean(boundary)) if boundary else None,
        "comment_precision": precision,
        "comment_recall": recall,
        "comment_f1": f1,
        "comment_f1_interval": interval,
        "comment_f1_site_mean": site_mean,
        "true_comments": n_true,
        "predicted_comments": n_pred,
        "author_accuracy": author_ok / author_n if author_n else None,
        "reply_accuracy": reply_ok / reply_n if reply_n else None,
        "reply_precision": linked_ok / linked if linked else None,
        "exact_count_pages": exact / len(pages) if pages else None,
        "line_accuracy": float(np.mean([a == b for a, b in zip(y_true, y_pred)])) if y_true else None,
        "label_f1": label_f1(y_true, y_pred),
        "per_page": per_page,
    }


def pooled_f1(matched: Any, predicted: Any, true: Any) -> np.ndarray:
    """Comment F1 from counts of matched, predicted and true comments (arrays or numbers): a
    precision of 1 when nothing was predicted and nothing was due, F1 0 when neither side has
    a match."""
    matched, predicted, true = (np.asarray(x, dtype=float) for x in (matched, predicted, true))
    precision = np.divide(matched, predicted, out=np.where(true == 0, 1.0, 0.0), where=predicted > 0)
    recall = np.divide(matched, true, out=np.ones_like(matched, dtype=float), where=true > 0)
    total = precision + recall
    return np.divide(2 * precision * recall, total, out=np.zeros_like(total), where=total > 0)


def group_f1_spread(per_page: Sequence[dict[str, Any]], n: int = 2000, seed: int = 0,
                    ) -> tuple[list[float] | None, float | None]:
    """How much the pooled comment F1 owes to which sites (page groups) were drawn.

    Returns the 95 % interval of the pooled F1 over ``n`` bootstrap draws of the groups (pages of
    one site move together: they share a layout), and the mean of the per-group F1s, which a
    site with one very long page cannot dominate. ``(None, None)`` with fewer than two groups.
    """
    groups: dict[Any, list[int]] = {}
    for row in per_page:
        g = groups.setdefault(row.get("group"), [0, 0, 0])
        g[0] += row["matched"]
        g[1] += row["predicted"]
        g[2] += row["true"]
    if len(groups) < 2:
        return None, None
    counts = np.array(list(groups.values()), dtype=float)
    draws = np.random.default_rng(seed).integers(0, len(counts), size=(n, len(counts)))
    summed = counts[draws].sum(axis=1)
    f1s = pooled_f1(summed[:, 0], summed[:, 1], summed[:, 2])
    lo, hi = np.percentile(f1s, [2.5, 97.5])
    return [float(lo), float(hi)], float(np.mean(pooled_f1(counts[:, 0], counts[:, 1], counts[:, 2])))


def label_f1(y_true: Sequence[str], y_pred: Sequence[str]) -> dict[str, float]:
    out = {}
    counts = Counter(zip(y_true, y_pred))
    for label in L.LINE_LABELS:
        tp = counts[(label, label)]
        p = sum(v for (a, b), v in counts.items() if b == label)
        t = sum(v for (a, b), v in counts.items() if a == label)
        if t == 0 and p == 0:
            continue
        out[label] = 2 * tp / (p + t) if p + t else 0.0
    return out
