"""Which comment lines start a new comment: a learned segmenter.

After the line classifier has said which blocks are comment headers and comment texts, this
step walks them in order and decides, for each, whether it starts a new comment or continues
the current one. Layouts disagree on every cue (a header may come before or after its text,
two-line headers exist, some sections have no headers at all, a reply may sit in a nested
container), so the decision is a trained classifier over cues that relate the block to the
previous comment block and to the comment being built, not a rule per layout.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingClassifier

from moderate.pages import labels as L
from moderate.pages.assemble import clean_name, inline_named
from moderate.pages.blocks import Block
from moderate.pages.dates import date_spans
from moderate.pages.features import BASE_FEATURES, coarse_shape

_SUBSET = (
    "log_chars", "ends_sentence", "ends_colon", "date_frac", "has_relative", "header_words", "header_word_end",
    "name_like", "starts_at", "furniture_frac", "header_lead", "paren_digits", "headerlike", "shape_repeat",
    "titlecase_frac", "quote_start", "starts_hash_num", "short",
)
_IDX = np.array([BASE_FEATURES.index(n) for n in _SUBSET])
N_FEATURES = 30 + 2 * len(_SUBSET)



def _features(i: int, j: int, h: int | None, run_start: int | None, run_len: int, text_since_header: bool,
              blocks: Sequence[Block], labels: Sequence[str], X: np.ndarray, shapes: list[str], dated: list[bool],
              complete: list[bool], page: tuple[float, float], inline: list[bool]) -> np.ndarray:
    """Cues relating comment block ``i`` to the previous comment block ``j`` and the previous header ``h``,
    plus the page's ``(first comment block is a header, last one is a header)``: whether headers lead
    or follow their texts is a property of the layout, the same for every comment on the page.
    ``inline[i]``: text block ``i`` opens with its author's name ("Name: text", "Name - text"), as
    comments without a header line do: such a block starts a comment whatever the page's
    headers do."""
    b, p = blocks[i], blocks[j]
    between = labels[j + 1:i]
    is_header = labels[i] == L.COMMENT_HEADER
    next_label = labels[i + 1] if i + 1 < len(labels) else ""
    hb = blocks[h] if h is not None else None
    f = [
        float(is_header), float(labels[j] == L.COMMENT_HEADER), math.log1p(i - j - 1),
        float(L.FURNITURE in between), float(L.BOILERPLATE in between), float(L.WIDGET_TITLE in between),
        float(b.blank_before), float(np.sign(b.indent - p.indent)), math.log1p(abs(b.indent - p.indent)),
        float(np.sign(b.nest - p.nest)),
        float(b.container >= 0 and b.container == p.container),
        float(hb is not None and b.container >= 0 and b.container == hb.container),
        float(b.container >= 0),
        float(h is not None), math.log1p(i - h) if h is not None else 6.0, float(text_since_header),
        float(min(run_len, 4)),
        float(h is not None and shapes[i] == shapes[h]),
        float(run_start is not None and shapes[i] == shapes[run_start]),
        float(dated[i]), float(h is not None and dated[h]),
        float(next_label == L.COMMENT_TEXT), float(next_label == L.COMMENT_HEADER),
        float(hb is not None and np.sign(b.indent - hb.indent) or 0.0),
        float(complete[i]), float(h is not None and complete[h]), *page,
        float(inline[i]), float(inline[j]),
    ]
    return np.concatenate([np.asarray(f, dtype=np.float32), X[i, _IDX], X[j, _IDX]])


class CommentSegmenter(BaseEstimator):
    """Binary classifier: does this comment block start a new comment?"""

    def __init__(self, max_iter: int = 150, learning_rate: float = 0.1, random_state: int = 0) -> None:
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.random_state = random_state

    @staticmethod
    def _page_rows(blocks, labels, X):
        """Feature rows for every comment block after the first, and their positions."""
        idx = [i for i, lab in enumerate(labels) if lab in L.COMMENT_LABELS]
        shapes = [coarse_shape(blk.text) if lab in L.COMMENT_LABELS else "" for blk, lab in zip(blocks, labels)]
        dated = [bool(date_spans(blk.text[:200])) if lab == L.COMMENT_HEADER else False for blk, lab in zip(blocks, labels)]
        # a header line that names someone and dates the comment is a whole header by itself
        complete = [d and clean_name(blk.text[:200]) is not None for blk, d in zip(blocks, dated)]
        inline = [lab == L.COMMENT_TEXT and inline_named(blk.text[:200]) for blk, lab in zip(blocks, labels)]
        rows, positions = [], []
        page = (float(bool(idx) and labels[idx[0]] == L.COMMENT_HEADER),
                float(bool(idx) and labels[idx[-1]] == L.COMMENT_HEADER))
        h = run_start = None
        run_len = 0
        text_since_header = False
        for n, i in enumerate(idx):
            if n:
                rows.append(_features(i, idx[n - 1], h, run_start, run_len, text_since_header, blocks, labels, X, shapes, dated, complete, page, inline))
                positions.append(i)
            if labels[i] == L.COMMENT_HEADER:
                if run_len == 0:
                    run_start = i
                run_len += 1
                h = i
                text_since_header = False
            else:
                run_len = 0
                text_since_header = True
        return rows, positions

    def fit(self, pages: Sequence[tuple[list[Block], list[str], np.ndarray, list[int | None]]], weights=None):
        """``pages``: ``(blocks, labels, X, ids)`` with ``ids[i]`` the true comment of block ``i``
        (None outside comments). ``labels`` may be the gold labels or labels a line classifier
        predicted: a block starts a comment when it belongs to a comment that no earlier comment
        block belonged to; a block wrongly labelled as a comment block never starts one (it is
        better attached to its neighbour than made a comment of its own)."""
        rows, ys, ws = [], [], []
        for k, (blocks, labels, X, ids) in enumerate(pages):
            r, _ = self._page_rows(blocks, labels, X)
            idx = [i for i, lab in enumerate(labels) if lab in L.COMMENT_LABELS]
            seen: set = set()
            for n, i in enumerate(idx):  # _page_rows made a row for every comment block after the first
                if n:
                    ys.append(int(ids[i] is not None and ids[i] not in seen))
                seen.add(ids[i])
            rows.extend(r)
            ws.extend([1.0 if weights is None else weights[k]] * len(r))
        X_all = np.vstack(rows) if rows else np.zeros((0, N_FEATURES), dtype=np.float32)
        self.model_ = HistGradientBoostingClassifier(
            max_iter=self.max_iter, learning_rate=self.learning_rate, early_stopping=False, random_state=self.random_state
        ).fit(X_all, np.array(ys), sample_weight=np.array(ws))
        return self

    def start_probabilities(self, rows: np.ndarray) -> np.ndarray:
        """Probability that each row's block starts a new comment."""
        from moderate.pages.model import chunked_proba

        return chunked_proba(self.model_, rows)[:, 1]

    def starts_pages(self, pages: Sequence[tuple[list[Block], list[str], np.ndarray]]) -> list[list[bool]]:
        """For every block of every page: True where a new comment starts (one batched call)."""
        outs, all_rows, where = [], [], []
        for k, (blocks, labels, X) in enumerate(pages):
            out = [False] * len(blocks)
            first = next((i for i, lab in enumerate(labels) if lab in L.COMMENT_LABELS), None)
            if first is not None:
                out[first] = True
            rows, positions = self._page_rows(blocks, labels, X)
            all_rows.extend(rows)
            where.extend((k, i) for i in positions)
            outs.append(out)
        if all_rows:
            p = self.start_probabilities(np.vstack(all_rows))
            for (k, i), prob in zip(where, p):
                outs[k][i] = bool(prob >= 0.5)
        return outs


class SegmenterEnsemble(CommentSegmenter):
    """Several fitted segmenters whose start probabilities are averaged (the same rows for all)."""

    def __init__(self, members: Sequence[CommentSegmenter] = ()) -> None:
        self.members = list(members)

    def start_probabilities(self, rows: np.ndarray) -> np.ndarray:
        return np.mean([m.start_probabilities(rows) for m in self.members], axis=0)
