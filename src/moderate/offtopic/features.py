"""Features of a (comment, article) pair: how much the comment is about the article.

:class:`RelevanceFeaturizer` is fitted once on article and comment text (never on labels) and
then describes every pair with

* **similarity in several spaces**: TF-IDF cosine over words, over character 4-grams, to the
  title alone, to the best-matching passage of the article (so a long article is read whole,
  and a comment about one of its paragraphs is not drowned by the rest), and in a latent topic
  space (LSA: truncated SVD of the word TF-IDF);
* **what the comment shares with the article**: the share of its content words, of its rare
  words, of its capitalised names and of its numbers found in the article, and the share of
  its word 5-grams found there (quoting);
* **how generic it is**: its similarity to the average article (words like "article", "post"
  match everything), the comment's similarity to the article *minus* that, and the *rank* of
  its own article among reference articles (a few hundred of the fitting articles) by
  similarity to the comment: a comment about its story is closer to it than to most others, a
  content-free one is no closer to it than to any;
* **its thread**: when the comment replies to another, the parent's similarity to the article
  and the comment's similarity to its parent (a reply to someone who engaged with the story);
* **its discussion**: the similarity (in the topic space) between the comment and the other
  comments under the same article, when they are known (:class:`Discussion`): a comment moved
  under another story matches neither that story nor the conversation there;
* **the comment alone**: length, links, promotional and generic-praise phrasing (data files in
  ``resources/``), questions, exclamations, capitals, second-person address, an ``@name``.

An article is ``(title, body)``; the body may be empty (a widget comment whose story is known
only by its title). Article representations are computed once per distinct article in a call.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, compress, count, islice, repeat
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from moderate.offtopic.counts import NgramTable, count_matrix, token_codes

Article = tuple[str | None, str]

FEATURES: tuple[str, ...] = (
    "cos_word", "cos_char", "cos_title", "cos_passage", "cos_lsa", "cos_lsa_title",
    "cos_background", "cos_word_minus_background", "cos_lsa_minus_background",
    "rank_word", "rank_char", "rank_lsa",
    "shared_words", "shared_rare_words", "n_shared_rare_words", "shared_names", "n_names",
    "shared_numbers", "quoted_5grams",
    "parent_cos_article", "cos_parent",
    "log_chars", "log_content_words", "n_links", "promo_hits", "generic_hits", "generic_whole",
    "questions", "exclamations", "caps_share", "you_share", "starts_with_at", "letters_share",
    "article_log_words", "article_has_body",
    # last, so that models fitted before it (35 features) still load: they get the first 35 columns
    "cos_discussion",
)

_RAW_TOKEN = re.compile(r"\w+", re.UNICODE)
# a capitalised word that does not start the text or a sentence; the capital comes first so the
# regex engine only tries the lookbehinds at capitals (same matches as
# ``(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z]{2,}``, three times faster)
_NAME = re.compile(r"[A-Z](?<!^[A-Z])(?<!\w[A-Z])(?<![.!?]\s[A-Z])[a-zA-Z]{2,}")
_NUMBER = re.compile(r"\b\d[\d,.]*\d\b|\b\d\b")
_LINK = re.compile(r"https?://|www\.|\b[a-z0-9-]+\.(?:com|net|org|info|biz|ru|co\.uk|io)\b", re.I)
_YOU = frozenset({"you", "your", "youre", "u", "ur"})  # tokens; "you're" is "you" + "re"
_LINK_HINTS = ("http", "www.", ".com", ".net", ".org", ".info", ".biz", ".ru", ".co.uk", ".io")
_LINK_HINT = re.compile("|".join(map(re.escape, _LINK_HINTS)))  # cheap test before the _LINK regex
_PARAGRAPHS = re.compile(r"\n\s*\n")


def _lexicon(name: str) -> list[str]:
    text = resources.files("moderate.offtopic").joinpath("resources", name).read_text(encoding="utf-8")
    return [line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")]


#: The columns :meth:`RelevanceFeaturizer._lexical` fills, in the order it computes them.
_LEXICAL = (
    "shared_words", "shared_rare_words", "n_shared_rare_words", "shared_names", "n_names", "shared_numbers",
    "quoted_5grams", "log_chars", "log_content_words", "n_links", "promo_hits", "generic_hits", "generic_whole",
    "questions", "exclamations", "caps_share", "you_share", "starts_with_at", "letters_share",
    "article_log_words", "article_has_body",
)
#: Per ASCII code (and 128 for any other): 1 for a letter, + 2 for a capital; 4 for not ASCII.
_ASCII_KIND = np.array([chr(b).isalpha() + 2 * chr(b).isupper() for b in range(128)] + [4], dtype=np.uint8)


class _Phrases:
    """Counts occurrences of word phrases in a comment's tokens (``\\w+`` runs, lower case),
    longest phrase first, no overlaps; phrases that are not plain words (``+1``) by a regex."""

    def __init__(self, phrases: Sequence[str]) -> None:
        self.by_length: dict[int, frozenset[tuple[str, ...]]] = {}
        other = []
        for phrase in phrases:
            tokens = tuple(_RAW_TOKEN.findall(phrase))
            if " ".join(tokens) == phrase:
                self.by_length.setdefault(len(tokens), set()).add(tokens)
            else:
                other.append(re.escape(phrase))
        self.by_length = {n: frozenset(v) for n, v in self.by_length.items()}
        self.lengths = sorted(self.by_length, reverse=True)
        # the lengths of the phrases starting with each word: most tokens start none
        starts: dict[str, set[int]] = {}
        for n, group in self.by_length.items():
            for tokens in group:
                starts.setdefault(tokens[0], set()).add(n)
        self.starts = {w: sorted(v, reverse=True) for w, v in starts.items()}
        self.other = re.compile(r"(?<!\w)(?:" + "|".join(other) + r")(?!\w)", re.I) if other else None
        # phrases without letters (``+1``) match only where they occur literally: a cheap test first
        plain = [p for p in phrases if " ".join(_RAW_TOKEN.findall(p)) != p]
        self.other_literals = tuple(plain) if plain and not any(c.isalpha() for p in plain for c in p) else None
        self.literal = re.compile("|".join(map(re.escape, self.other_literals))) if self.other_literals else None

    def count(self, tokens: list[str], text: str) -> tuple[int, int]:
        """``(hits, characters covered)`` in ``text``, whose lower-cased tokens are ``tokens``."""
        hits = covered = 0
        starts = self.starts
        i, n = 0, len(tokens)
        # only the positions whose token starts a phrase (found by a loop in C) are tried
        for p in compress(range(n), map(starts.__contains__, tokens)):
            if p < i:
                continue
            for k in starts[tokens[p]]:
                if p + k <= n and (k == 1 or tuple(tokens[p:p + k]) in self.by_length[k]):
                    hits += 1
                    covered += sum(len(t) for t in tokens[p:p + k]) + k - 1
                    i = p + k
                    break
        if self.other is not None and (self.other_literals is None or any(p in text for p in self.other_literals)):
            for match in self.other.findall(text):
                hits += 1
                covered += len(match)
        return hits, covered

    def count_batch(self, batch: _Batch) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`count` of every text of ``batch`` at once: ``(hits, covered)``, two int64 arrays.

        The longest phrase starting at each token is found by array comparisons of token ids,
        only at the tokens that start a phrase, and only where it ends within the same text;
        the hits are then taken left to right, each one skipped when it starts inside the
        previous one, as :meth:`count` does (a phrase never spans two texts, so the previous hit
        of another text never overlaps). The other phrases are searched in the texts that
        contain one of them literally, or in all texts, with :meth:`count`'s regex.
        """
        n, ids, text_of, table = batch.n, batch.tokens, batch.token_text, batch.table
        hits = np.zeros(n, dtype=np.int64)
        covered = np.zeros(n, dtype=np.int64)
        get = table.token_ids.get
        # a phrase with a word the table has never seen occurs in no text
        coded = [(k, ids_) for k in self.lengths for phrase in sorted(self.by_length[k])
                 if -1 not in (ids_ := [get(w, -1) for w in phrase])]
        if coded and len(ids):
            at = np.flatnonzero(np.isin(ids, [c[0] for _, c in coded]))  # tokens that start a phrase
            first, text_end = ids[at], batch.token_ptr[text_of[at] + 1]
            longest = np.zeros(len(at), dtype=np.int64)
            for k, c in coded:
                sel = np.flatnonzero(first == c[0])
                sel = sel[at[sel] + k <= text_end[sel]]
                for j in range(1, k):
                    sel = sel[ids[at[sel] + j] == c[j]]
                longest[sel] = np.maximum(longest[sel], k)
            found = np.flatnonzero(longest)
            taken, end = [], -1
            for p, k in zip(at[found].tolist(), longest[found].tolist()):
                if p >= end:
                    taken.append((p, k))
                    end = p + k
            if taken:
                start, k = np.array(taken, dtype=np.int64).T
                chars = np.concatenate([[0], np.cumsum(table.length[ids])])
                hits += np.bincount(text_of[start], minlength=n)
                covered += np.bincount(text_of[start], weights=chars[start + k] - chars[start] + k - 1,
                                       minlength=n).astype(np.int64)
        if self.other is not None:
            texts = range(n) if self.other_literals is None else batch.texts_matching(self.literal)
            for i in texts:
                for match in self.other.findall(batch.texts[i]):
                    hits[i] += 1
                    covered[i] += len(match)
        return hits, covered


@lru_cache(maxsize=16)
def _phrases(phrases: tuple[str, ...]) -> _Phrases:
    return _Phrases(phrases)


def _l2_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def _rowdot(a: sp.csr_matrix, b: sp.csr_matrix) -> np.ndarray:
    """Row-wise dot products of two sparse matrices of the same shape."""
    return np.asarray(a.multiply(b).sum(axis=1)).ravel()


#: Columns (articles times vocabulary) one product of :func:`_article_groups` may span: a call
#: with more articles is done in groups of articles (it bounds the dense rows of :func:`_pair_dots`
#: to 32 MB).
GROUP_COLUMNS = 1 << 23


def _article_groups(which: np.ndarray, width: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The rows by groups of articles, for products over all the pairs (row, article of the row)
    at once: ``(rows, block, articles)``, ``block[k]`` being the position of row ``rows[k]``'s
    article in ``articles`` (the group's articles, ascending). One group unless there are more
    than ``GROUP_COLUMNS // width`` articles."""
    articles, block = np.unique(np.asarray(which, dtype=np.int64), return_inverse=True)
    size = max(1, GROUP_COLUMNS // max(1, width))
    if len(articles) <= size:
        yield np.arange(len(block)), block, articles
        return
    order = np.argsort(block, kind="stable")
    bounds = np.searchsorted(block[order], np.arange(0, len(articles) + size, size))
    for g, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
        if hi > lo:
            rows = order[lo:hi]
            yield rows, block[rows] - g * size, articles[g * size:(g + 1) * size]


def _shifted(C: sp.csr_matrix, block: np.ndarray, width: int, n_blocks: int) -> sp.csr_matrix:
    """``C`` (``width`` columns) with row ``i``'s entries moved to block ``block[i]`` of ``n_blocks``
    blocks of columns side by side (column ``j`` becomes ``block[i] * width + j``), in the same
    order: a product with a matrix of the blocks' rows stacked pairs each row with its own
    block's alone."""
    shift = np.repeat(np.asarray(block, dtype=np.int64) * width, np.diff(C.indptr))
    return sp.csr_matrix((C.data, C.indices + shift, C.indptr), shape=(C.shape[0], n_blocks * width))


def _pair_dots(C: sp.csr_matrix, A: sp.csr_matrix, which: np.ndarray) -> np.ndarray:
    """``C[i] . A[which[i]]`` for every row ``i`` of ``C``.

    One sparse-times-dense product per group of articles (:func:`_article_groups`): the rows
    of ``C``, each in its article's block of columns (:func:`_shifted`), times the articles' rows
    made dense and laid end to end. The work follows ``C``'s entries (a product ``C @ A.T``
    would score every comment against every article of the call), and each row's sum is the
    one ``C[i] @ A[which[i]].toarray()`` makes: the same terms in the same order, bit for bit.
    """
    n = C.shape[0]
    out = np.zeros(n)
    if n == 0:
        return out
    C = C.tocsr()
    A = A.tocsr()
    width = C.shape[1]
    for rows, block, articles in _article_groups(which, width):
        part = C if len(rows) == n else C[rows]
        dense = A[articles].toarray().ravel()
        out[rows] = _shifted(part, block, width, len(articles)) @ dense
    return out


def _best_passages(C: sp.csr_matrix, which: np.ndarray, views: list[_ArticleView]) -> np.ndarray:
    """Per row ``i`` of ``C``: its largest dot product with a passage of article ``which[i]`` (0
    if none: similarities are >= 0).

    One sparse product per group of articles: the rows, each in its article's block of columns
    (:func:`_shifted`), times the passages of the articles, each in its article's block. A
    (row, passage) sum has the terms of ``C[i] @ passages.T`` of the row's own article alone, in
    the same order: the same numbers as a product per article, without the loop. The maximum
    of a row counts the pairs with no entry as 0, as the dense row of a product did."""
    n, width = C.shape
    out = np.zeros(n)
    C = C.tocsr()
    for rows, block, articles in _article_groups(which, width):
        parts = [views[a].passages for a in articles.tolist()]
        sizes = [p.shape[0] for p in parts]
        if not sum(sizes):
            continue
        passages_ = _shifted(sp.vstack(parts, format="csr"), np.repeat(np.arange(len(parts)), sizes), width, len(parts))
        part = C if len(rows) == n else C[rows]
        products = _shifted(part, block, width, len(parts)) @ passages_.T.tocsr()
        out[rows] = products.max(axis=1).toarray().ravel()
    return out


def _rank(own: np.ndarray, reference: np.ndarray, tol: float = 1e-6, chunk: int = 2048) -> np.ndarray:
    """Share of reference similarities below ``own`` (ties count half), per row (by chunks of
    rows, so the comparisons stay in the processor's cache)."""
    n, m = reference.shape
    below, ties = np.empty(n), np.empty(n)
    for lo in range(0, n, chunk):
        r, o = reference[lo:lo + chunk], own[lo:lo + chunk, None]
        below[lo:lo + chunk] = np.count_nonzero(r < o - tol, axis=1)
        ties[lo:lo + chunk] = np.count_nonzero(np.abs(r - o) <= tol, axis=1)
    return below / m + ties / m / 2


def _dense_product(X: sp.csr_matrix, R: sp.spmatrix) -> np.ndarray:
    """``(X @ R).toarray()``, the same numbers, faster: with ``R`` made dense, scipy adds each row's
    terms in the same order (its terms with a zero of ``R`` add +0.0 to a sum of non-negative
    terms: no change)."""
    return X @ R.toarray()


#: Topic vectors are summed as fixed-point integers (value * 2**30): integer sums are exact, so the
#: discussion of an article, and every score, is the same whatever order and chunk size the
#: comments come in. A unit vector's components are at most 1 in size, so an int64 sum cannot
#: overflow below 2**33 comments under one article; the precision (1e-9) is far below what matters.
TOPIC_SCALE = float(2**30)


def topic_codes(vectors: np.ndarray) -> np.ndarray:
    """Unit topic vectors as the fixed-point integers the discussions are summed in."""
    return np.rint(np.asarray(vectors, dtype=np.float64) * TOPIC_SCALE).astype(np.int64)


def discussion_sums(codes: np.ndarray, of: np.ndarray, n_groups: int) -> np.ndarray:
    """Per discussion ``g < n_groups``: the summed :func:`topic_codes` of the comments ``i`` with
    ``of[i] == g`` and, in the last column, their number (int64, shape ``(n_groups, k + 1)``).
    Rows with ``of[i] < 0`` belong to no discussion. Sums of sums add up exactly."""
    codes = np.asarray(codes, dtype=np.int64)
    of = np.asarray(of, dtype=np.int64)
    out = np.zeros((n_groups, codes.shape[1] + 1), dtype=np.int64)
    keep = of >= 0
    if keep.any():
        np.add.at(out[:, :-1], of[keep], codes[keep])
        np.add.at(out[:, -1], of[keep], 1)
    return out


def copies_within(texts: Sequence[str], of: np.ndarray) -> np.ndarray:
    """For each comment, how many comments of its discussion (itself included) have its exact
    text; 0 outside any discussion."""
    keys = list(zip(np.asarray(of, dtype=np.int64).tolist(), texts))
    counts = Counter(k for k in keys if k[0] >= 0)
    return np.array([counts[k] if k[0] >= 0 else 0 for k in keys], dtype=np.int64)


def discussion_cosine(codes: np.ndarray, of: np.ndarray, sums: np.ndarray | None,
                      copies: np.ndarray | None = None) -> np.ndarray:
    """Cosine between each comment's topic vector and the sum of those of the *other* comments of
    its discussion ``of[i]``: row ``of[i]`` of ``sums`` (when None, the sums of this call's
    comments with ``copies > 0``), minus ``copies[i]`` times the comment's own vector (default 1:
    the comment is one of those summed; 0: it is shown against a discussion it is not part of; n:
    n comments of the discussion have its very text, and none of them counts as agreeing with it).
    NaN when the comment has no discussion or nothing else is in it."""
    codes = np.asarray(codes, dtype=np.int64)
    of = np.asarray(of, dtype=np.int64)
    out = np.full(len(codes), np.nan)
    idx = np.flatnonzero(of >= 0)
    if len(idx) == 0:
        return out
    copies = np.ones(len(of), dtype=np.int64) if copies is None else np.asarray(copies, dtype=np.int64)
    if sums is None:  # the summed comments of this call are the whole discussion
        sums = discussion_sums(codes, np.where(copies > 0, of, -1), int(of.max()) + 1)
    m = copies[idx]
    g = of[idx]
    own = codes[idx]
    others = (sums[g, :-1] - own * m[:, None]).astype(np.float64) / TOPIC_SCALE
    n_others = sums[g, -1] - m
    dots = (own.astype(np.float64) / TOPIC_SCALE * others).sum(axis=1)
    norms = np.sqrt((others * others).sum(axis=1))
    cos = np.where(norms > 1e-9, dots / np.maximum(norms, 1e-9), 0.0)
    cos[n_others <= 0] = np.nan
    out[idx] = cos
    return out


@dataclass
class Discussion:
    """The comments around each comment of a call, for the ``cos_discussion`` feature.

    ``of[i]``: the discussion comment ``i`` belongs to (the comments under one article of one
    page or table; -1 for none). ``sums``: :func:`discussion_sums` over *every* comment of each
    discussion, gathered beforehand (a table read in chunks: the first pass); None when the
    comments of the call are the whole discussion. ``copies[i]``: how many of the summed
    comments have comment ``i``'s text (see :func:`discussion_cosine`); by default counted among
    the call's comments when ``sums`` is None, else 1.
    """

    of: np.ndarray
    sums: np.ndarray | None = None
    copies: np.ndarray | None = None


def passages(body: str, min_words: int = 60) -> list[str]:
    """The body cut at paragraph breaks into passages of at least ``min_words`` words."""
    out, current, words = [], [], 0
    for paragraph in _PARAGRAPHS.split(body):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        current.append(paragraph)
        words += paragraph.count(" ") + 1
        if words >= min_words:
            out.append("\n".join(current))
            current, words = [], 0
    if current:
        if out and words < min_words // 2:
            out[-1] += "\n" + "\n".join(current)
        else:
            out.append("\n".join(current))
    return out


#: Distinct words (and, four times as many, tokens) a featurizer's :class:`_Table` keeps per
#: process (about 250 bytes a word: some 50 MB); it starts afresh when full. (Starting afresh
#: with the half of its words met most often instead was no faster on a stream of 300,000 comments:
#: the common words are few and quickly worked out again.)
CHAR_CACHE_WORDS = 200_000
_TABLES: dict = {}
_TABLES_LOCK = threading.Lock()
_GENERATION = count()  # numbers the tables, so that an article's token ids know which table they are of

#: The texts of a call are joined with this between them and read in one pass (see :class:`_Batch`).
_NUL = "\x00"
_SEP = " " + _NUL + " "


class _Table:
    """Integer ids for the words (whitespace-separated runs) and tokens (``\\w+`` runs) of
    lower-cased text that one fitted featurizer has met in this process, and what the features
    need of each, worked out once per distinct string (a batch of texts is then two arrays of
    ids, and the features array operations):

    * per word: its tokens, in order (a ``\\w+`` run never contains whitespace, so a text's
      tokens are its words' tokens one after the other), and the columns of its character
      n-grams in ``char_`` (``char_wb`` n-grams never cross a word: a text's n-gram counts are
      the sum of its words');
    * per token: its length; its column in ``word_`` (-1 if none); whether ``word_``'s analyzer
      keeps it (two characters or more and not a stop word: a *content* word); whether it is
      a rare content word (:meth:`RelevanceFeaturizer.is_rare`), one of the second-person words.

    Ids are given in the order strings are first met; no feature depends on them.
    """

    def __init__(self, featurizer: RelevanceFeaturizer) -> None:
        self.generation = next(_GENERATION)
        self.lock = threading.RLock()  # ids are given under it: threads may share a featurizer
        self.vocabulary = featurizer.word_.vocabulary_
        self.stop = frozenset(featurizer.word_.get_stop_words() or ())
        self.is_rare_word = featurizer.is_rare
        char = featurizer.char_ if featurizer.char else None
        self.n_grams = len(char.vocabulary_) if char is not None else 0
        self.cut = char._char_wb_ngrams if char is not None else None
        low, high = char.ngram_range if char is not None else (0, 0)
        self.gram_size = low if char is not None and low == high and char.analyzer == "char_wb" else None
        self.char_vocabulary = char.vocabulary_ if char is not None else None
        self.word_ids: dict[str, int] = {}
        self.token_ids: dict[str, int] = {}
        self.tokens: list[str] = []  # id -> token
        # arrays of what is known, and the lists of what was added since they were last built
        self.length = self.column = np.zeros(0, dtype=np.int64)
        self.keep = self.is_rare = self.is_you = np.zeros(0, dtype=bool)
        self.word_token_ptr = self.word_gram_ptr = np.zeros(1, dtype=np.int64)
        self.word_tokens = np.zeros(0, dtype=np.int64)
        self.word_grams = np.zeros(0, dtype=np.int32)
        self._new_tokens: list[tuple[int, int, bool, bool, bool]] = []
        self._new_word_tokens: list[int] = []
        self._new_word_token_counts: list[int] = []
        self._new_word_grams: list[int] = []
        self._new_word_gram_counts: list[int] = []
        self._grams_matrix: sp.csr_matrix | None = None
        # per regex: every word's tokens under it (pattern_tokens); per n-gram table: every token's codes
        self._patterned: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._coded: dict[int, tuple[NgramTable, tuple[np.ndarray, ...]]] = {}

    def full(self) -> bool:
        return len(self.word_ids) > CHAR_CACHE_WORDS or len(self.token_ids) > 4 * CHAR_CACHE_WORDS

    def add_tokens(self, tokens: Iterable[str]) -> None:
        """Give an id to each token not met before."""
        ids, new = self.token_ids, self._new_tokens
        vocabulary, stop, is_rare = self.vocabulary, self.stop, self.is_rare_word
        for token in tokens:
            if token not in ids:
                ids[token] = len(self.tokens)
                self.tokens.append(token)
                content = len(token) > 1 and token not in stop
                new.append((len(token), vocabulary.get(token, -1), content, content and is_rare(token), token in _YOU))

    def add_words(self, words: Iterable[str]) -> None:
        """Give an id to each word (distinct, not met before): cut it into tokens and n-grams."""
        words = list(words)
        found = list(map(_RAW_TOKEN.findall, words))
        flat = list(chain.from_iterable(found))
        self.add_tokens(flat)
        start = len(self.word_ids)
        self.word_ids.update(zip(words, range(start, start + len(words))))
        self._new_word_tokens.extend(map(self.token_ids.__getitem__, flat))
        self._new_word_token_counts.extend(map(len, found))
        if self.cut is None or not words:
            return
        if self.gram_size is None:  # several n-gram sizes: scikit-learn's own cutting, word by word
            for word in words:
                grams = [k for k in map(self.char_vocabulary.get, self.cut(word)) if k is not None]
                self._new_word_grams.extend(grams)
                self._new_word_gram_counts.append(len(grams))
            return
        # ``char_wb`` n-grams of one size, for all the words at once (what ``cut`` gives: the word
        # padded with a space on each side, every n characters of it, or all of it when shorter)
        n = self.gram_size
        padded = [" " + w + " " for w in words]
        per = [max(1, len(p) - n + 1) for p in padded]
        grams = [p[i:i + n] for p, m in zip(padded, per) for i in range(m)]
        cols = np.fromiter(map(self.char_vocabulary.get, grams, repeat(-1)), dtype=np.int64, count=len(grams))
        keep = cols >= 0
        word_of = np.repeat(np.arange(len(words)), per)
        self._new_word_grams.extend(cols[keep].tolist())
        self._new_word_gram_counts.extend(np.bincount(word_of[keep], minlength=len(words)).tolist())

    def ids_of_words(self, words: list[str]) -> np.ndarray:
        """The ids of ``words`` (int64), adding those not met before."""
        ids = np.fromiter(map(self.word_ids.get, words, repeat(-1)), dtype=np.int64, count=len(words))
        missing = np.flatnonzero(ids < 0)
        if len(missing):
            new = [words[k] for k in missing.tolist()]
            self.add_words(dict.fromkeys(new))
            ids[missing] = np.fromiter(map(self.word_ids.__getitem__, new), dtype=np.int64, count=len(new))
        return ids

    def update(self) -> None:
        """Bring the arrays up to date with the words and tokens added."""
        if self._new_tokens:
            length, column, keep, rare, you = zip(*self._new_tokens)
            self.length = np.concatenate([self.length, np.array(length, dtype=np.int64)])
            self.column = np.concatenate([self.column, np.array(column, dtype=np.int64)])
            self.keep = np.concatenate([self.keep, np.array(keep, dtype=bool)])
            self.is_rare = np.concatenate([self.is_rare, np.array(rare, dtype=bool)])
            self.is_you = np.concatenate([self.is_you, np.array(you, dtype=bool)])
            self._new_tokens = []
        if self._new_word_token_counts:
            self.word_tokens = np.concatenate([self.word_tokens, np.array(self._new_word_tokens, dtype=np.int64)])
            self.word_token_ptr = np.concatenate([self.word_token_ptr, self.word_token_ptr[-1] + np.cumsum(
                self._new_word_token_counts, dtype=np.int64)])
            self._new_word_tokens, self._new_word_token_counts = [], []
        if self._new_word_gram_counts:
            self.word_grams = np.concatenate([self.word_grams, np.array(self._new_word_grams, dtype=np.int32)])
            self.word_gram_ptr = np.concatenate([self.word_gram_ptr, self.word_gram_ptr[-1] + np.cumsum(
                self._new_word_gram_counts, dtype=np.int64)])
            self._new_word_grams, self._new_word_gram_counts = [], []
            self._grams_matrix = None

    def grams_matrix(self) -> sp.csr_matrix:
        """Words by character n-grams: how many times each n-gram occurs in each word (float32)."""
        with self.lock:
            self.update()
            if self._grams_matrix is None or self._grams_matrix.shape[0] != len(self.word_gram_ptr) - 1:
                self._grams_matrix = sp.csr_matrix(
                    (np.ones(len(self.word_grams), dtype=np.float32), self.word_grams, self.word_gram_ptr),
                    shape=(len(self.word_gram_ptr) - 1, self.n_grams))
            return self._grams_matrix

    def pattern_tokens(self, pattern: str) -> tuple[np.ndarray, np.ndarray]:
        """Every word's tokens under the regex ``pattern``, as ids: ``(tokens, ptr)``, word ``w``'s
        being ``tokens[ptr[w]:ptr[w + 1]]``; worked out for the words not seen under it yet. For a
        pattern whose matches hold no whitespace and whose ``\\b`` sees whitespace as a text's
        edge, a text's tokens are its words' tokens one after the other."""
        with self.lock:
            tokens, ptr = self._patterned.get(pattern, (np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64)))
            done = len(ptr) - 1
            if done < len(self.word_ids):
                find = re.compile(pattern).findall
                found = [find(w) for w in islice(self.word_ids, done, None)]  # ids follow insertion order
                flat = list(chain.from_iterable(found))
                self.add_tokens(flat)
                ids = np.fromiter(map(self.token_ids.__getitem__, flat), dtype=np.int64, count=len(flat))
                counts = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
                tokens = np.concatenate([tokens, ids])
                ptr = np.concatenate([ptr, ptr[-1] + np.cumsum(counts)])
                self._patterned[pattern] = tokens, ptr
            return tokens, ptr

    def ngram_codes(self, ngrams: NgramTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every token's :func:`~moderate.offtopic.counts.token_codes` under ``ngrams``, by id."""
        with self.lock:
            held, codes = self._coded.get(id(ngrams), (ngrams, None))
            if held is not ngrams or codes is None:
                codes = tuple(np.zeros(0, dtype=np.int64) for _ in range(3))
            done = len(codes[0])
            if done < len(self.tokens):
                new = token_codes(self.tokens[done:], ngrams)
                codes = tuple(np.concatenate([old, add]) for old, add in zip(codes, new))
                self._coded[id(ngrams)] = ngrams, codes  # the table held: its id is not reused meanwhile
            return codes

    def article_tokens(self, view: _ArticleView) -> np.ndarray:
        """The ids of an article's tokens, sorted (every one of them gets an id: the ids of the
        view stay true while this table lives, whatever texts come later)."""
        if getattr(view, "table", None) != self.generation:
            with self.lock:
                self.add_tokens(view.tokens)
                ids = np.sort(np.fromiter(map(self.token_ids.__getitem__, view.tokens), dtype=np.int64,
                                          count=len(view.tokens)))
            view.token_ids, view.table = ids, self.generation
            return ids
        return view.token_ids


def _ragged(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices ``starts[k], ..., starts[k] + lengths[k] - 1`` for every ``k``, one after the other."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    return np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - lengths), lengths)


class _Batch:
    """The texts of one call read once, for every feature.

    ``joined``: the texts with :data:`_SEP` between them (``starts[i]``: where text ``i``
    begins), for the regexes to run once over all texts. No pattern run over it matches its
    NUL, so a match never spans two texts; its spaces are no ``\\w``, digit, comma or dot, so a
    ``\\b``, ``(?<!\\w)`` or ``(?!\\w)`` at a text's edge sees what it sees at the edge of the
    text alone, and ``str.split`` gives the NUL as a word of its own. Lower-casing changes none
    of its characters, and a space ends the context of a capital sigma (lower-cased by context)
    as a text's ends do: ``joined.lower()`` is the lower-cased texts joined the same way.

    ``words``, ``word_ptr``: the ids (:class:`_Table`) of the words of the lower-cased texts,
    ``str.split()``, text ``i``'s being ``words[word_ptr[i]:word_ptr[i + 1]]``. When no text
    contains a NUL, the lower-cased joined text is split once and the separators are the NUL
    words; otherwise each text is split alone (the same words).

    ``tokens``, ``token_ptr``, ``token_text``: the ids of the texts' lower-cased ``\\w+`` runs (the
    words' tokens one after the other: what ``_RAW_TOKEN.findall(text.lower())`` finds), and the
    text of each one.
    """

    def __init__(self, texts: Sequence[str], table: _Table, lower: bool = True) -> None:
        self.texts, self.table, self.n = texts, table, len(texts)
        n = self.n
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
        self.starts = np.concatenate([[0], np.cumsum(lengths + len(_SEP))]).astype(np.int64)
        self.ends = self.starts[:-1] + lengths
        self.joined = _SEP.join(texts)
        self.lowered = None  # the lower-cased joined text, when the fast split made it
        if n and self.joined.count(_NUL) == n - 1:  # the separators' NULs are the only ones
            self.lowered = self.joined.lower() if lower else self.joined
            if _NUL not in table.word_ids:
                table.add_words([_NUL])
            ids = table.ids_of_words(self.lowered.split())
            cut = np.flatnonzero(ids == table.word_ids[_NUL])
            counts = np.diff(np.concatenate([[-1], cut, [len(ids)]])) - 1
            ids = np.delete(ids, cut)
        else:
            split = [t.lower().split() if lower else t.split() for t in texts]
            counts = np.fromiter(map(len, split), dtype=np.int64, count=n)
            ids = table.ids_of_words(list(chain.from_iterable(split)))
        table.update()
        self.words = ids
        self.word_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.tokens, self.token_ptr, self.token_text = self._expand(table.word_tokens, table.word_token_ptr)

    def _expand(self, tokens: np.ndarray, ptr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The texts' tokens, one text after the other, from every word's tokens (word ``w``'s
        being ``tokens[ptr[w]:ptr[w + 1]]``): ``(ids, token_ptr, text of each token)``."""
        first = ptr[self.words]
        per_word = ptr[self.words + 1] - first
        token_ptr = np.concatenate([[0], np.cumsum(per_word)]).astype(np.int64)[self.word_ptr]
        return (tokens[_ragged(first, per_word)], token_ptr,
                np.repeat(np.arange(self.n, dtype=np.int64), np.diff(token_ptr)))

    def text_at(self, offsets: np.ndarray) -> np.ndarray:
        """The text each offset of ``joined`` falls in."""
        return np.searchsorted(self.starts, offsets, side="right") - 1

    def texts_matching(self, pattern: re.Pattern, lowered: bool = False) -> list[int]:
        """The texts (indices, ascending) in which ``pattern`` finds a match, searching the
        joined text once; ``lowered``: search the lower-cased texts."""
        if not lowered:
            found = self.text_at(np.array([m.start() for m in pattern.finditer(self.joined)], dtype=np.int64))
        elif self.lowered is not None:  # its texts are delimited by the NULs (lower-casing may change lengths)
            text = self.lowered
            nul = np.flatnonzero(np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32) == 0)
            found = np.searchsorted(nul, np.array([m.start() for m in pattern.finditer(text)], dtype=np.int64))
        else:
            return [i for i, t in enumerate(self.texts) if pattern.search(t.lower())]
        return np.unique(found).tolist()

    def pattern_tokens(self, pattern: str) -> tuple[np.ndarray, np.ndarray]:
        """The ids of the lower-cased texts' tokens under ``pattern`` (:meth:`_Table.pattern_tokens`),
        one text after the other, and the text of each token."""
        ids, _, text_of = self._expand(*self.table.pattern_tokens(pattern))
        return ids, text_of

    def content(self) -> list[list[str]]:
        """Each text's content words (``word_``'s analyzer), as strings (for tests and debugging)."""
        table, kept = self.table, self.table.keep[self.tokens]
        return [[table.tokens[t] for t in self.tokens[lo:hi][kept[lo:hi]].tolist()]
                for lo, hi in zip(self.token_ptr[:-1].tolist(), self.token_ptr[1:].tolist())]


def _letters_and_capitals(batch: _Batch) -> tuple[np.ndarray, np.ndarray]:
    """How many characters of each text are letters (``str.isalpha``), and how many capitals
    (``str.isupper``): one pass over the joined texts' code points, ASCII ones from a table,
    the others asked once per distinct character; the separators are neither."""
    code = np.frombuffer((batch.joined + _SEP).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    kind = _ASCII_KIND[np.minimum(code, 128)]  # 1: letter, 2: capital, 4: not ASCII
    other = np.flatnonzero(kind == 4)
    if len(other):
        distinct, where = np.unique(code[other], return_inverse=True)
        kinds = [c.isalpha() + 2 * c.isupper() for c in map(chr, distinct.tolist())]
        kind[other] = np.array(kinds, dtype=np.uint8)[where]
    starts = batch.starts[:-1]  # a text's sum runs to the next one's start, over a separator (kind 0)
    return (np.add.reduceat(kind & 1, starts, dtype=np.int64),
            np.add.reduceat(kind >> 1, starts, dtype=np.int64)) if batch.n else (np.zeros(0, np.int64),) * 2


#: ``_NUMBER`` with the digit first, so the regex engine only tries the word-boundary test at
#: digits (the same matches, three times faster; a test compares them).
_NUMBER_FAST = re.compile(r"\d(?<!\w\d)(?:[\d,.]*\d\b|\b)")


#: Prepared articles kept per process, keyed by (featurizer fingerprint, title, body); oldest dropped first.
VIEW_CACHE_SIZE = 512
_VIEWS: "OrderedDict[tuple[str, str, str], _ArticleView]" = OrderedDict()


def clear_view_cache() -> None:
    """Forget the prepared articles of this process (benchmarks time cold runs with it)."""
    _VIEWS.clear()


class _ArticleView:
    """What the features need of one article, computed once."""

    __slots__ = ("word", "char", "title", "lsa", "lsa_title", "passages", "tokens", "numbers", "grams",
                 "log_words", "has_body", "token_ids", "table")


class RelevanceFeaturizer(BaseEstimator):
    """Describe (comment, article) pairs with :data:`FEATURES` (see the module docstring).

    Args:
        n_components: dimensions of the latent topic space.
        n_reference: fitting articles kept as the reference set of the rank features.
        min_df: minimum document frequency of a word in the vocabulary of the similarities.
            1 (every word of the fitting texts): on cross-validation that refits the featurizer
            without the validation sites (``benchmarks/offtopic_cv.py``), 2 gave human ROC AUC
            0.857 and swapped-pair AUC 0.904 against 0.859 / 0.907 (both with unseen words rare).
        rare_df: a content word is *rare* unless it occurs in more than this share of the fitting
            texts (:meth:`is_rare`). A word the fitting texts never had is rare too: the names
            and terms of a story from a site the model never saw are exactly the words that
            tell whether a comment is about it. (Fitted before this rule, a model counted only
            rare words of its vocabulary and still does; the rule took the grouped
            cross-validation above from 0.843 / 0.894 to 0.859 / 0.907.)
        passage_words: minimum words of a passage for the best-passage similarity.
        char: use character 4-gram similarity (within words). It is the costliest feature; on
            grouped cross-validation of the training labels it adds 0.008 ROC AUC on
            swapped-article pairs (0.929 vs 0.921) and 0.005 on the human labels (0.850 vs
            0.844). 4-grams alone did as well as 3-5-grams (0.850 / 0.929 vs 0.849 / 0.928) at a
            third of the n-grams; 3-grams alone did worse (0.847 / 0.925). (A numpy hashing
            version of it was 3x faster to transform but no faster end to end, and slightly
            worse: not kept.)
        random_state: seed of the SVD.
    """

    def __init__(self, n_components: int = 100, n_reference: int = 300, min_df: int = 1, rare_df: float = 0.01,
                 passage_words: int = 60, char: bool = True, random_state: int = 0) -> None:
        self.n_components = n_components
        self.n_reference = n_reference
        self.min_df = min_df
        self.rare_df = rare_df
        self.passage_words = passage_words
        self.char = char
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting

    def fit(self, articles: Sequence[Article], comments: Sequence[str] = ()) -> RelevanceFeaturizer:
        texts = [self._article_text(a) for a in articles] + list(comments)
        self.word_ = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=self.min_df,
                                     max_df=0.5, dtype=np.float32)
        words = self.word_.fit_transform(texts)
        if self.char:
            self.char_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4), sublinear_tf=True,
                                         min_df=3, max_features=200_000, dtype=np.float32)
            self.char_.fit(texts)
        n_components = min(self.n_components, words.shape[1] - 1, words.shape[0] - 1)
        self.svd_ = TruncatedSVD(n_components, random_state=self.random_state).fit(words)
        article_words = words[: len(articles)]
        centroid = np.asarray(article_words.mean(axis=0)).ravel()
        self.background_ = (centroid / (np.linalg.norm(centroid) or 1.0)).astype(np.float32)
        lsa_centroid = self.svd_.transform(article_words).mean(axis=0)
        self.lsa_background_ = lsa_centroid / (np.linalg.norm(lsa_centroid) or 1.0)
        rng = np.random.default_rng(self.random_state)
        ref = np.sort(rng.choice(len(articles), size=min(self.n_reference, len(articles)), replace=False))
        self.ref_word_ = article_words[ref].T.tocsr()  # (vocabulary, references)
        self.ref_char_ = self.char_.transform([texts[k] for k in ref]).T.tocsr() if self.char else None
        self.ref_lsa_ = _l2_rows(self.svd_.transform(article_words[ref])).T.copy()
        # common words: document frequency above rare_df of the fitting texts; every other content
        # word is rare, one never met included (the words cut for max_df are common ones)
        idf = self.word_.idf_
        df_share = (len(texts) + 1) / np.exp(idf - 1) / (len(texts) + 1)
        vocab = self.word_.vocabulary_
        common = {w for w, i in vocab.items() if df_share[i] > self.rare_df}
        cut = sorted(getattr(self.word_, "stop_words_", ()))
        if cut:  # cut for min_df (rare) or max_df (common): count them to tell which
            counter = CountVectorizer(vocabulary=cut, binary=True, lowercase=True, token_pattern=self.word_.token_pattern)
            df_cut = np.asarray(counter.transform(texts).sum(axis=0)).ravel() / len(texts)
            common.update(w for w, share in zip(cut, df_cut) if share > self.rare_df)
        self.common_words_ = sorted(common)
        for vectorizer in (self.word_, getattr(self, "char_", None)):
            if vectorizer is not None and hasattr(vectorizer, "stop_words_"):
                del vectorizer.stop_words_  # the terms cut by min_df / max_features: megabytes, never used
        digest = hashlib.sha1(self.word_.idf_.tobytes())
        digest.update(self.svd_.components_.tobytes())
        digest.update(repr(sorted(self.get_params().items())).encode())
        self.fingerprint_ = digest.hexdigest()[:16]  # names this fitted state in the view cache
        self.promo_ = _lexicon("promo.txt")
        self.generic_ = _lexicon("generic.txt")
        self.n_features_out_ = len(FEATURES)
        return self

    def is_rare(self, word: str) -> bool:
        """Whether a content word (lower case; see :class:`_Table`) counts as rare: not common in
        the fitting texts (``common_words_``), or, for a model fitted before that rule, one of its
        vocabulary's rare words (``rare_words_``)."""
        common = self.__dict__.get("_common_set")
        if common is None:
            common = self.__dict__["_common_set"] = (
                frozenset(self.common_words_) if hasattr(self, "common_words_") else None)
        if common is not None:
            return word not in common
        rare = self.__dict__.get("_rare_set")
        if rare is None:
            rare = self.__dict__["_rare_set"] = frozenset(self.rare_words_)
        return word in rare

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_common_set", None)  # look-up sets, rebuilt on first use, never saved
        state.pop("_rare_set", None)
        return state

    @staticmethod
    def _article_text(article: Article) -> str:
        title, body = article
        return f"{title or ''}\n\n{body or ''}"

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array(FEATURES[: getattr(self, "n_features_out_", len(FEATURES))], dtype=object)

    # ------------------------------------------------------------------ articles

    def _prepare(self, articles: Sequence[Article]) -> list[_ArticleView]:
        """Views of ``articles``, from the process-wide cache when this fitted featurizer has
        prepared the same article before (a dump scored in batches repeats its articles)."""
        token = getattr(self, "fingerprint_", None)
        if token is None:
            return self._compute_views(articles)
        keys = [(token, a[0] or "", a[1] or "") for a in articles]
        missing = list(dict.fromkeys(k for k in keys if k not in _VIEWS))
        if missing:
            for key, view in zip(missing, self._compute_views([(k[1], k[2]) for k in missing])):
                _VIEWS[key] = view
            while len(_VIEWS) > VIEW_CACHE_SIZE:
                _VIEWS.popitem(last=False)
        return [_VIEWS[k] for k in keys]

    def _compute_views(self, articles: Sequence[Article]) -> list[_ArticleView]:
        texts = [self._article_text(a) for a in articles]
        titles = [a[0] or "" for a in articles]
        word = self.word_.transform(texts)
        title = self.word_.transform(titles)
        char = self.char_.transform(texts) if self.char else None
        lsa = _l2_rows(self.svd_.transform(word))
        lsa_title = _l2_rows(self.svd_.transform(title))
        chunks = [passages(a[1] or "", self.passage_words) or [self._article_text(a)] for a in articles]
        flat = [p for ps in chunks for p in ps]
        passage_matrix = self.word_.transform(flat) if flat else None
        views, start = [], 0
        for k, text in enumerate(texts):
            v = _ArticleView()
            v.word, v.title = word[k], title[k]
            v.char = char[k] if char is not None else None
            v.lsa, v.lsa_title = lsa[k], lsa_title[k]
            v.passages = passage_matrix[start : start + len(chunks[k])]
            start += len(chunks[k])
            raw = _RAW_TOKEN.findall(text.lower())
            v.tokens = frozenset(raw)
            v.numbers = frozenset(n.replace(",", "") for n in _NUMBER.findall(text))
            v.grams = frozenset(hash(tuple(raw[i : i + 5])) for i in range(len(raw) - 4))
            v.log_words = math.log1p(len(raw))
            v.has_body = float(bool((articles[k][1] or "").strip()))
            views.append(v)
        return views

    # ------------------------------------------------------------------ pairs

    def transform(self, comments: Sequence[str], article_of: Sequence[int], articles: Sequence[Article],
                  parents: Sequence[str | None] | None = None, discussion: Discussion | None = None,
                  return_codes: bool = False, batch: _Batch | None = None) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Features of comment ``i`` against ``articles[article_of[i]]``, shape ``(n, n_features_out_)``.

        ``parents[i]`` is the text of the comment that comment ``i`` replies to, or None.
        ``discussion``: the comments around each one (:class:`Discussion`); without it
        ``cos_discussion`` is NaN (a lone comment). ``return_codes``: also return the comments'
        :func:`topic_codes` (to gather discussions across calls). ``batch``: the comments already
        read by :meth:`read` (when something else reads them too).
        """
        check_is_fitted(self, "word_")
        n = len(comments)
        width = getattr(self, "n_features_out_", len(FEATURES))
        out = np.full((n, len(FEATURES)), np.nan, dtype=np.float64)
        if n == 0:
            empty = out[:, :width]
            return (empty, np.zeros((0, self.svd_.components_.shape[0]), dtype=np.int64)) if return_codes else empty
        article_of = np.asarray(article_of, dtype=np.int64)
        views = self._prepare(articles)
        col = {name: k for k, name in enumerate(FEATURES)}
        comments = [c if isinstance(c, str) else str(c) for c in comments]

        if batch is None:
            batch = self._batch(comments)  # read once, for the matrices and the overlaps
        cw = self._word_rows(batch)
        # each comment against every distinct article of the call, then the pair that is asked for
        # (cheaper than gathering a copy of an article's row for every comment)
        A_word = sp.vstack([v.word for v in views]).tocsr()
        out[:, col["cos_word"]] = _pair_dots(cw, A_word, article_of)
        out[:, col["cos_title"]] = _pair_dots(cw, sp.vstack([v.title for v in views]).tocsr(), article_of)
        if self.char:
            cc = self._char_rows(batch)
            out[:, col["cos_char"]] = _pair_dots(cc, sp.vstack([v.char for v in views]).tocsr(), article_of)
        c_lsa = _l2_rows(self.svd_.transform(cw))
        codes = topic_codes(c_lsa) if (discussion is not None or return_codes) else None
        if discussion is not None:
            copies = discussion.copies
            if copies is None and discussion.sums is None:
                copies = copies_within(comments, discussion.of)
            out[:, col["cos_discussion"]] = discussion_cosine(codes, discussion.of, discussion.sums, copies)
        out[:, col["cos_lsa"]] = np.einsum("ij,ij->i", c_lsa, np.vstack([v.lsa for v in views])[article_of])
        out[:, col["cos_lsa_title"]] = np.einsum("ij,ij->i", c_lsa, np.vstack([v.lsa_title for v in views])[article_of])
        background = np.asarray(cw @ self.background_).ravel()
        out[:, col["cos_background"]] = background
        out[:, col["cos_word_minus_background"]] = out[:, col["cos_word"]] - background
        # row by row (a matrix-vector product's rounding can depend on how many rows a call has)
        out[:, col["cos_lsa_minus_background"]] = out[:, col["cos_lsa"]] - (c_lsa * self.lsa_background_).sum(axis=1)
        out[:, col["rank_word"]] = _rank(out[:, col["cos_word"]], _dense_product(cw, self.ref_word_))
        if self.char:
            out[:, col["rank_char"]] = _rank(out[:, col["cos_char"]], _dense_product(cc, self.ref_char_))
        else:  # constant columns: a model fitted without them ignores them
            out[:, [col["cos_char"], col["rank_char"]]] = 0.0
        out[:, col["rank_lsa"]] = _rank(out[:, col["cos_lsa"]], c_lsa @ self.ref_lsa_)
        out[:, col["cos_passage"]] = _best_passages(cw, article_of, views)  # of the comment's own article

        if parents is not None:
            has = np.array([isinstance(p, str) and bool(p.strip()) for p in parents])
            if has.any():
                idx = np.flatnonzero(has)
                pw = self.word_.transform([parents[i] for i in idx])
                out[idx, col["parent_cos_article"]] = _pair_dots(pw, A_word, article_of[idx])
                out[idx, col["cos_parent"]] = _rowdot(pw, cw[idx])

        self._lexical(batch, article_of, views, out, col)
        out = out[:, :width]  # a model fitted before a feature was added gets the columns it knows
        return (out, codes) if return_codes else out

    def topic_codes_of(self, comments: Sequence[str]) -> np.ndarray:
        """The comments' :func:`topic_codes`, as ``transform(..., return_codes=True)`` gives them
        (the same numbers), without the rest of the features."""
        check_is_fitted(self, "svd_")
        comments = [c if isinstance(c, str) else str(c) for c in comments]
        if not comments:
            return np.zeros((0, self.svd_.components_.shape[0]), dtype=np.int64)
        return topic_codes(_l2_rows(self.svd_.transform(self._word_rows(self._batch(comments)))))

    def _table(self) -> _Table:
        """This fitted featurizer's :class:`_Table` in this process (a model sent to a worker
        process arrives as a new object: the table is found by its fingerprint)."""
        key = getattr(self, "fingerprint_", None) or id(self)
        with _TABLES_LOCK:
            table = _TABLES.get(key)
            if table is None or table.full():
                _TABLES.clear()  # one model at a time in practice: keep memory bounded
                table = _TABLES[key] = _Table(self)
            return table

    def read(self, comments: Sequence[str]) -> _Batch:
        """The comments read once (lower-cased words and tokens as ids), for :meth:`transform` and
        for other models reading the same comments (:meth:`_Batch.pattern_tokens`)."""
        check_is_fitted(self, "word_")
        return self._batch([c if isinstance(c, str) else str(c) for c in comments])

    def _batch(self, texts: Sequence[str], lower: bool = True) -> _Batch:
        """``texts`` read once (:class:`_Batch`); ``lower=False`` for texts already lower-cased."""
        table = self._table()
        with table.lock:
            return _Batch(texts, table, lower)

    def _word_rows(self, batch: _Batch) -> sp.csr_matrix:
        """``word_.transform`` of the batch's texts (the same matrix): its analyzer's tokens are the
        lower-cased ``\\w+`` runs of two characters or more that are not stop words (the table's
        *content* tokens); counted by vocabulary column, then weighted as the vectorizer does."""
        table, tokens = batch.table, batch.tokens
        cols = table.column[tokens]
        known = table.keep[tokens] & (cols >= 0)
        X = count_matrix(batch.token_text[known], cols[known], batch.n, len(self.word_.vocabulary_), np.float32)
        np.log(X.data, X.data)
        X.data += 1.0
        X.data *= self.word_.idf_[X.indices].astype(np.float32)
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        X.data /= np.repeat(np.where(norms == 0, 1.0, norms), np.diff(X.indptr)).astype(np.float32)
        return X

    def _char_rows(self, lowered: Sequence[str] | _Batch) -> sp.csr_matrix:
        """``char_.transform`` of the batch's texts, or of texts already lower-cased (the same matrix).

        ``char_wb`` n-grams never cross a word, so a text's n-gram counts are the sum of its
        words' counts: one sparse product of text-by-word counts and the table's word-by-n-gram
        counts (every count a small integer, exact in float32 in any order), then weighted by
        the vectorizer's own TF-IDF step.
        """
        batch = lowered if isinstance(lowered, _Batch) else self._batch(list(lowered), lower=False)
        grams = batch.table.grams_matrix()
        D = sp.csr_matrix((np.ones(len(batch.words), dtype=np.float32), batch.words, batch.word_ptr),
                          shape=(batch.n, grams.shape[0]))
        # computed transposed: turning the product back is a linear pass that leaves each row's
        # n-grams sorted (cheaper than sorting them)
        counts = (grams.T.tocsr() @ D.T.tocsr()).T.tocsr()
        counts.sum_duplicates()
        counts.eliminate_zeros()
        counts.sort_indices()
        return self.char_._tfidf.transform(counts, copy=False)

    def _lexical(self, batch: _Batch, article_of: np.ndarray, views: list[_ArticleView], out: np.ndarray,
                 col: dict[str, int]) -> None:
        """The :data:`_LEXICAL` columns of every comment at once: counts of the batch's token ids
        (:class:`_Table`) per comment, and the regexes run over all comments together."""
        n, table, texts = batch.n, batch.table, batch.texts
        tokens = batch.tokens
        in_article = _ArticleTokens(batch, article_of, views)
        shared = in_article(batch.token_text, tokens)
        content = table.keep[tokens]
        rare = content & table.is_rare[tokens]
        n_content, n_rare = _per_text(batch, content), _per_text(batch, rare)
        shared_content, shared_rare = _per_text(batch, content & shared), _per_text(batch, rare & shared)
        n_raw = np.diff(batch.token_ptr)

        name_text, names = _names(batch)
        name_ids = np.fromiter(map(table.token_ids.get, names, repeat(-1)), dtype=np.int64, count=len(names))
        n_names = np.bincount(name_text, minlength=n)
        shared_names = np.bincount(name_text[in_article(name_text, name_ids)], minlength=n)

        promo, _ = _phrases(tuple(self.promo_)).count_batch(batch)
        generic, covered = _phrases(tuple(self.generic_)).count_batch(batch)
        letters, caps = _letters_and_capitals(batch)
        lengths = batch.ends - batch.starts[:-1]
        log1p = _log1p_of_counts(np.concatenate([lengths, n_content]))
        stripped = np.fromiter(map(len, map(str.strip, texts)), dtype=np.int64, count=n)
        with np.errstate(divide="ignore", invalid="ignore"):  # the 0/0 cases are replaced
            values = {
                "shared_words": np.where(n_content > 0, shared_content / n_content, np.nan),
                "shared_rare_words": np.where(n_rare > 0, shared_rare / n_rare, np.nan),
                "n_shared_rare_words": shared_rare,
                "shared_names": np.where(n_names > 0, shared_names / n_names, np.nan),
                "n_names": n_names,
                "shared_numbers": _shared_numbers(batch, article_of, views),
                "quoted_5grams": _quoted(batch, shared, article_of, views),
                "log_chars": log1p[:n],
                "log_content_words": log1p[n:],
                "n_links": _links(batch),
                "promo_hits": promo,
                "generic_hits": generic,
                "generic_whole": covered / np.maximum(1, stripped),
                "questions": np.fromiter(map(str.count, texts, repeat("?")), dtype=np.int64, count=n),
                "exclamations": np.fromiter(map(str.count, texts, repeat("!")), dtype=np.int64, count=n),
                "caps_share": np.where(letters > 0, caps / letters, 0.0),
                "you_share": _per_text(batch, table.is_you[tokens]) / np.maximum(1, n_raw),
                "starts_with_at": np.fromiter((t.lstrip().startswith("@") for t in texts), dtype=np.float64, count=n),
                "letters_share": letters / np.maximum(1, lengths),
                "article_log_words": np.array([v.log_words for v in views])[article_of],
                "article_has_body": np.array([v.has_body for v in views])[article_of],
            }
        for name in _LEXICAL:
            out[:, col[name]] = values[name]


class _ArticleTokens:
    """Whether strings of the comments are tokens of their articles (``_ArticleView.tokens``),
    by token ids: called with the comment of each query and a token id (-1 for a string that
    has none, which is in no article: every token of the call's articles has one)."""

    def __init__(self, batch: _Batch, article_of: np.ndarray, views: list[_ArticleView]) -> None:
        used, self.block = np.unique(article_of, return_inverse=True)  # the articles of the call
        self.ids = [batch.table.article_tokens(views[a]) for a in used.tolist()]
        self.n_tokens = len(batch.table.tokens)

    def __call__(self, text: np.ndarray, token: np.ndarray) -> np.ndarray:
        return _in_articles(self.block[text], token, self.ids, self.n_tokens)


def _in_articles(article: np.ndarray, token: np.ndarray, token_ids: list[np.ndarray], n_tokens: int) -> np.ndarray:
    """Whether each token id ``token[k]`` (-1: none) is one of the ids ``token_ids[article[k]]``:
    the queries grouped by article, then for each article a look-up in flags over the ids, set
    for that article's tokens (and cleared for the next)."""
    out = np.zeros(len(token), dtype=bool)
    order = np.argsort(article.astype(np.uint16) if len(token_ids) < 2**16 else article, kind="stable")
    bounds = np.searchsorted(article[order], np.arange(len(token_ids) + 1))
    flags = np.zeros(n_tokens + 1, dtype=bool)  # the last one, for -1, never set
    for a, ids in enumerate(token_ids):
        lo, hi = bounds[a], bounds[a + 1]
        if hi > lo:
            flags[ids] = True
            at = order[lo:hi]
            out[at] = flags[token[at]]
            flags[ids] = False
    return out


def _per_text(batch: _Batch, flags: np.ndarray) -> np.ndarray:
    """Per text, how many of its tokens have ``flags`` set."""
    return np.bincount(batch.token_text[flags], minlength=batch.n)


def _log1p_of_counts(counts: np.ndarray) -> np.ndarray:
    """``math.log1p`` of each count (computed once per distinct count: the very numbers it gives)."""
    distinct, where = np.unique(counts, return_inverse=True)
    return np.array([math.log1p(k) for k in distinct.tolist()], dtype=np.float64)[where]


def _names(batch: _Batch) -> tuple[np.ndarray, list[str]]:
    """``_NAME``'s matches in every text (one ``findall`` per text, as fast as one over the joined
    texts, and its ``^`` is the text's start): the text of each one and the name, lower-cased."""
    found = list(map(_NAME.findall, batch.texts))
    counts = np.fromiter(map(len, found), dtype=np.int64, count=batch.n)
    return np.repeat(np.arange(batch.n, dtype=np.int64), counts), [name.lower() for name in chain.from_iterable(found)]


def _shared_numbers(batch: _Batch, article_of: np.ndarray, views: list[_ArticleView]) -> np.ndarray:
    """Per text, how many of its numbers (``_NUMBER``'s matches, commas dropped) are numbers of its article."""
    found = list(map(_NUMBER_FAST.findall, batch.texts))
    text_of = np.repeat(np.arange(batch.n, dtype=np.int64), np.fromiter(map(len, found), dtype=np.int64, count=batch.n))
    sets = [views[a].numbers for a in article_of[text_of].tolist()]
    hits = np.fromiter(map(frozenset.__contains__, sets, (n.replace(",", "") for n in chain.from_iterable(found))),
                       dtype=bool, count=len(text_of))
    return np.bincount(text_of[hits], minlength=batch.n).astype(np.int64)


def _links(batch: _Batch) -> np.ndarray:
    """Per text, the matches of ``_LINK``, counted in the texts whose lower-cased text has a hint
    of a link (``_LINK_HINT``; 0 in the others)."""
    out = np.zeros(batch.n, dtype=np.int64)
    for i in batch.texts_matching(_LINK_HINT, lowered=True):
        out[i] = len(_LINK.findall(batch.texts[i]))
    return out


def _quoted(batch: _Batch, in_article: np.ndarray, article_of: np.ndarray, views: list[_ArticleView]) -> np.ndarray:
    """Per text, the share of its word 5-grams (of its ``\\w+`` tokens) that are 5-grams of its
    article, looked up by ``hash`` of the tuple of tokens as the view keeps them; 0 without any.

    A 5-gram of the article is five article tokens in a row, so only the windows of five tokens
    of one text that are all in the article (``in_article``) are looked up: the same count (the
    plain loop over every window would also count a window with a token outside the article
    whose hash collided with one of the article's, a chance of about 2**-64 a window)."""
    n, tokens, token_text = batch.n, batch.tokens, batch.token_text
    out = np.zeros(n)
    if len(tokens) < 5:
        return out
    runs = np.concatenate([[0], np.cumsum(in_article, dtype=np.int64)])
    at = np.flatnonzero((runs[5:] - runs[:-5] == 5) & (token_text[:-4] == token_text[4:]))
    if len(at) == 0:
        return out
    strings = batch.table.tokens
    windows = tokens[at[:, None] + np.arange(5)].tolist()
    hits = np.zeros(n, dtype=np.int64)
    for i, window in zip(token_text[at].tolist(), windows):
        hits[i] += hash(tuple(map(strings.__getitem__, window))) in views[article_of[i]].grams
    n_grams = np.diff(batch.token_ptr) - 4
    found = hits > 0
    out[found] = hits[found] / n_grams[found]
    return out
