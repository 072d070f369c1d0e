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
from collections import Counter, OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, compress, repeat
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from moderate.offtopic.counts import count_matrix

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
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"\b\d[\d,.]*\d\b|\b\d\b")
_LINK = re.compile(r"https?://|www\.|\b[a-z0-9-]+\.(?:com|net|org|info|biz|ru|co\.uk|io)\b", re.I)
_YOU = frozenset({"you", "your", "youre", "u", "ur"})  # tokens; "you're" is "you" + "re"
_LINK_HINTS = ("http", "www.", ".com", ".net", ".org", ".info", ".biz", ".ru", ".co.uk", ".io")
_LINK_HINT = re.compile("|".join(map(re.escape, _LINK_HINTS)))  # cheap test before the _LINK regex
_RUN_OF_5 = bytes([1] * 5)  # five True flags in a row
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
_ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())
_ASCII_NON_CAPITALS = bytes(b for b in range(128) if not chr(b).isupper())


def _letters_and_capitals(text: str) -> tuple[int, int]:
    """How many characters of ``text`` are letters, and how many capitals (C speed for ASCII)."""
    if text.isascii():
        data = text.encode("ascii")
        return len(data.translate(None, _ASCII_NON_LETTERS)), len(data.translate(None, _ASCII_NON_CAPITALS))
    return sum(map(str.isalpha, text)), sum(map(str.isupper, text))


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


@lru_cache(maxsize=16)
def _phrases(phrases: tuple[str, ...]) -> _Phrases:
    return _Phrases(phrases)


def _l2_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def _rowdot(a: sp.csr_matrix, b: sp.csr_matrix) -> np.ndarray:
    """Row-wise dot products of two sparse matrices of the same shape."""
    return np.asarray(a.multiply(b).sum(axis=1)).ravel()


def _by_article(which: np.ndarray, n_articles: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows sorted by article (stable) and each article's ``[start, end)`` in that order."""
    order = np.argsort(which, kind="stable")
    return order, np.searchsorted(which[order], np.arange(n_articles + 1))


def _pair_dots(C: sp.csr_matrix, A: sp.csr_matrix, which: np.ndarray) -> np.ndarray:
    """``C[i] . A[which[i]]`` for every row ``i`` of ``C``.

    The rows of each article are multiplied by that article's row made dense: the work follows
    ``C``'s entries, where a product ``C @ A.T`` would score every comment against every article
    of the call (the values are the same, bit for bit).
    """
    n = C.shape[0]
    out = np.zeros(n)
    if n == 0:
        return out
    which = np.asarray(which)
    order, bounds = _by_article(which, A.shape[0])
    C = C.tocsr()[order]
    for a in np.flatnonzero(np.diff(bounds)):
        lo, hi = bounds[a], bounds[a + 1]
        out[order[lo:hi]] = C[lo:hi] @ A[a].toarray().ravel()
    return out


def _rank(own: np.ndarray, reference: np.ndarray, tol: float = 1e-6) -> np.ndarray:
    """Share of reference similarities below ``own`` (ties count half), per row."""
    below = (reference < own[:, None] - tol).mean(axis=1)
    ties = (np.abs(reference - own[:, None]) <= tol).mean(axis=1)
    return below + ties / 2


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


#: Distinct words whose character n-grams are kept per featurizer (the cache restarts when full).
CHAR_CACHE_WORDS = 200_000
_CHAR_CACHES: dict = {}

#: Prepared articles kept per process, keyed by (featurizer fingerprint, title, body); oldest dropped first.
VIEW_CACHE_SIZE = 512
_VIEWS: "OrderedDict[tuple[str, str, str], _ArticleView]" = OrderedDict()


def clear_view_cache() -> None:
    """Forget the prepared articles of this process (benchmarks time cold runs with it)."""
    _VIEWS.clear()


class _ArticleView:
    """What the features need of one article, computed once."""

    __slots__ = ("word", "char", "title", "lsa", "lsa_title", "passages", "tokens", "numbers", "grams",
                 "log_words", "has_body")


class RelevanceFeaturizer(BaseEstimator):
    """Describe (comment, article) pairs with :data:`FEATURES` (see the module docstring).

    Args:
        n_components: dimensions of the latent topic space.
        n_reference: fitting articles kept as the reference set of the rank features.
        min_df: minimum document frequency of a word.
        rare_df: a word is *rare* when it occurs in at most this share of the fitting texts.
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

    def __init__(self, n_components: int = 100, n_reference: int = 300, min_df: int = 2, rare_df: float = 0.01,
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
        # rare words: document frequency at most rare_df of the fitting texts
        idf = self.word_.idf_
        df_share = (len(texts) + 1) / np.exp(idf - 1) / (len(texts) + 1)
        vocab = self.word_.vocabulary_
        self.rare_words_ = sorted(w for w, i in vocab.items() if df_share[i] <= self.rare_df)
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
                  return_codes: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Features of comment ``i`` against ``articles[article_of[i]]``, shape ``(n, n_features_out_)``.

        ``parents[i]`` is the text of the comment that comment ``i`` replies to, or None.
        ``discussion``: the comments around each one (:class:`Discussion`); without it
        ``cos_discussion`` is NaN (a lone comment). ``return_codes``: also return the comments'
        :func:`topic_codes` (to gather discussions across calls).
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

        lowered = [c.lower() for c in comments]
        raws = [_RAW_TOKEN.findall(t) for t in lowered]  # tokenised once, for the matrices and the overlaps
        content = self._content(raws)
        cw = self._word_rows(content)
        # each comment against every distinct article of the call, then the pair that is asked for
        # (cheaper than gathering a copy of an article's row for every comment)
        A_word = sp.vstack([v.word for v in views]).tocsr()
        out[:, col["cos_word"]] = _pair_dots(cw, A_word, article_of)
        out[:, col["cos_title"]] = _pair_dots(cw, sp.vstack([v.title for v in views]).tocsr(), article_of)
        if self.char:
            cc = self._char_rows(lowered)
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
        out[:, col["rank_word"]] = _rank(out[:, col["cos_word"]], (cw @ self.ref_word_).toarray())
        if self.char:
            out[:, col["rank_char"]] = _rank(out[:, col["cos_char"]], (cc @ self.ref_char_).toarray())
        else:  # constant columns: a model fitted without them ignores them
            out[:, [col["cos_char"], col["rank_char"]]] = 0.0
        out[:, col["rank_lsa"]] = _rank(out[:, col["cos_lsa"]], c_lsa @ self.ref_lsa_)
        passage = np.zeros(n)  # the best passage of the comment's own article (similarities are >= 0)
        order, bounds = _by_article(article_of, len(views))
        sorted_cw = cw[order]
        for a in np.flatnonzero(np.diff(bounds)):
            if views[a].passages.shape[0]:
                lo, hi = bounds[a], bounds[a + 1]
                passage[order[lo:hi]] = (sorted_cw[lo:hi] @ views[a].passages.T).toarray().max(axis=1)
        out[:, col["cos_passage"]] = passage

        if parents is not None:
            has = np.array([isinstance(p, str) and bool(p.strip()) for p in parents])
            if has.any():
                idx = np.flatnonzero(has)
                pw = self.word_.transform([parents[i] for i in idx])
                out[idx, col["parent_cos_article"]] = _pair_dots(pw, A_word, article_of[idx])
                out[idx, col["cos_parent"]] = _rowdot(pw, cw[idx])

        self._lexical(comments, lowered, raws, content, article_of, views, out, col)
        out = out[:, :width]  # a model fitted before a feature was added gets the columns it knows
        return (out, codes) if return_codes else out

    def topic_codes_of(self, comments: Sequence[str]) -> np.ndarray:
        """The comments' :func:`topic_codes`, as ``transform(..., return_codes=True)`` gives them
        (the same numbers), without the rest of the features."""
        check_is_fitted(self, "svd_")
        comments = [c if isinstance(c, str) else str(c) for c in comments]
        if not comments:
            return np.zeros((0, self.svd_.components_.shape[0]), dtype=np.int64)
        raws = [_RAW_TOKEN.findall(c.lower()) for c in comments]
        return topic_codes(_l2_rows(self.svd_.transform(self._word_rows(self._content(raws)))))

    def _content(self, raws: Sequence[list[str]]) -> list[list[str]]:
        """``word_``'s analyzer applied to texts whose lower-cased ``\\w+`` runs are ``raws``: its
        token pattern keeps the runs of two or more characters, then the stop words go."""
        keep = self.__dict__.get("_keep_cache")  # token -> kept?, filled as tokens are seen
        if keep is None or len(keep) > CHAR_CACHE_WORDS:
            keep = self.__dict__["_keep_cache"] = {}
        stop = frozenset(self.word_.get_stop_words() or ())
        out = []
        for raw in raws:
            flags = list(map(keep.get, raw))
            if None in flags:
                for k, w in enumerate(raw):
                    if flags[k] is None:
                        flags[k] = keep[w] = len(w) > 1 and w not in stop
            out.append(list(compress(raw, flags)))
        return out

    def _char_rows(self, lowered: Sequence[str]) -> sp.csr_matrix:
        """``char_.transform`` of texts already lower-cased (the same matrix, built faster).

        ``char_wb`` n-grams never cross a word, so a text's n-gram counts are the sum of its
        words' counts: each distinct word is cut into n-grams once per process (kept in a bounded
        cache), and the texts' counts are one sparse product of text-by-word counts and
        word-by-n-gram counts, then weighted by the vectorizer's own TF-IDF step.
        """
        # per process and fitted state (a model sent to a worker process arrives as a new object)
        key = getattr(self, "fingerprint_", None) or id(self)
        cache = _CHAR_CACHES.get(key)
        if cache is None or len(cache) > CHAR_CACHE_WORDS:
            _CHAR_CACHES.clear()  # one model at a time in practice: keep memory bounded
            cache = _CHAR_CACHES[key] = {}
        vocab = self.char_.vocabulary_
        cut = self.char_._char_wb_ngrams
        split = [t.split() for t in lowered]
        flat = list(chain.from_iterable(split))
        words = list(dict.fromkeys(flat))
        local = {w: j for j, w in enumerate(words)}
        for w in words:
            if w not in cache:
                cache[w] = np.array([k for k in map(vocab.get, cut(w)) if k is not None], dtype=np.int32)
        grams = [cache[w] for w in words]
        lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
        W = sp.csr_matrix((np.ones(int(lengths.sum()), dtype=np.float32),
                           np.concatenate(grams) if grams else np.zeros(0, dtype=np.int32),
                           np.concatenate([[0], np.cumsum(lengths)])), shape=(len(words), len(vocab)))
        W.sum_duplicates()
        D = count_matrix(np.repeat(np.arange(len(split), dtype=np.int64), np.fromiter(map(len, split), dtype=np.int64,
                                                                                      count=len(split))),
                         np.fromiter(map(local.__getitem__, flat), dtype=np.int64, count=len(flat)),
                         len(split), len(words), np.float32)
        counts = (D @ W).tocsr()
        counts.sum_duplicates()
        counts.eliminate_zeros()
        counts.sort_indices()
        return self.char_._tfidf.transform(counts, copy=False)

    def _word_rows(self, token_lists: Sequence[list[str]]) -> sp.csr_matrix:
        """``word_.transform`` for texts already tokenised by its analyzer (same matrix)."""
        vocab = self.word_.vocabulary_
        flat = list(chain.from_iterable(token_lists))
        rows = np.repeat(np.arange(len(token_lists), dtype=np.int64),
                         np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists)))
        cols = np.fromiter(map(vocab.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
        known = cols >= 0
        X = count_matrix(rows[known], cols[known], len(token_lists), len(vocab), np.float32)
        np.log(X.data, X.data)
        X.data += 1.0
        X.data *= self.word_.idf_[X.indices].astype(np.float32)
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        X.data /= np.repeat(np.where(norms == 0, 1.0, norms), np.diff(X.indptr)).astype(np.float32)
        return X

    def __getstate__(self):
        state = super().__getstate__()
        for cache in ("_keep_cache",):  # rebuilt on first use, never saved
            state.pop(cache, None)
        return state

    def _lexical(self, comments: Sequence[str], lowered: Sequence[str], raws: Sequence[list[str]],
                 contents: Sequence[list[str]], article_of: np.ndarray, views: list[_ArticleView], out: np.ndarray,
                 col: dict[str, int]) -> None:
        rare = set(self.rare_words_)  # not kept on the object: a model file holds plain data only
        promo = _phrases(tuple(self.promo_))
        generic = _phrases(tuple(self.generic_))
        nan = math.nan
        rows = []
        for i, text in enumerate(comments):
            v = views[article_of[i]]
            tokens, numbers_in_article, grams_in_article = v.tokens, v.numbers, v.grams
            content, raw = contents[i], raws[i]
            n_content = len(content)
            in_article = tokens.__contains__
            shared = sum(map(in_article, content))
            rare_words = list(filter(rare.__contains__, content))
            shared_rare = sum(map(in_article, rare_words))
            names = [m.lower() for m in _NAME.findall(text)]
            numbers = [m.replace(",", "") for m in _NUMBER.findall(text)] if _DIGIT.search(text) else []
            n_grams = len(raw) - 4
            # a quoted 5-gram is five article words in a row: look for one only where such a run exists
            quoted = (len([1 for g in zip(raw, raw[1:], raw[2:], raw[3:], raw[4:]) if hash(g) in grams_in_article]) / n_grams
                      if n_grams > 0 and _RUN_OF_5 in bytes(map(in_article, raw)) else 0.0)
            letters, caps = _letters_and_capitals(text)
            generic_hits, covered = generic.count(raw, text)
            rows.append((
                shared / n_content if n_content else nan,
                shared_rare / len(rare_words) if rare_words else nan,
                shared_rare,
                len([n for n in names if n in tokens]) / len(names) if names else nan,
                len(names),
                len([n for n in numbers if n in numbers_in_article]),
                quoted,
                math.log1p(len(text)),
                math.log1p(n_content),
                len(_LINK.findall(text)) if _LINK_HINT.search(lowered[i]) else 0,
                promo.count(raw, text)[0],
                generic_hits,
                covered / max(1, len(text.strip())),
                text.count("?"),
                text.count("!"),
                caps / letters if letters else 0.0,
                sum(map(_YOU.__contains__, raw)) / max(1, len(raw)),
                float(text.lstrip().startswith("@")),
                letters / max(1, len(text)),
                v.log_words,
                v.has_body,
            ))
        if rows:
            out[:, [col[name] for name in _LEXICAL]] = np.asarray(rows, dtype=np.float64)
