"""Features of a (comment, article) pair: how much the comment is about the article.

:class:`RelevanceFeaturizer` is fitted once on article and comment text (never on labels) and
then describes every pair with

* **similarity in several spaces**: TF-IDF cosine over words, over character n-grams, to the
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
* **the comment alone**: length, links, promotional and generic-praise phrasing (data files in
  ``resources/``), questions, exclamations, capitals, second-person address, an ``@name``.

An article is ``(title, body)``; the body may be empty (a widget comment whose story is known
only by its title). Article representations are computed once per distinct article in a call.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

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
)

_RAW_TOKEN = re.compile(r"\w+", re.UNICODE)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z]{2,}")
_NUMBER = re.compile(r"\b\d[\d,.]*\d\b|\b\d\b")
_LINK = re.compile(r"https?://|www\.|\b[a-z0-9-]+\.(?:com|net|org|info|biz|ru|co\.uk|io)\b", re.I)
_YOU = re.compile(r"\b(?:you|your|you're|youre|u|ur)\b", re.I)
_PARAGRAPHS = re.compile(r"\n\s*\n")


def _lexicon(name: str) -> list[str]:
    text = resources.files("moderate.offtopic").joinpath("resources", name).read_text(encoding="utf-8")
    return [line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=16)
def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted((re.escape(p) for p in phrases), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.I)


def _l2_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def _rowdot(a: sp.csr_matrix, b: sp.csr_matrix) -> np.ndarray:
    """Row-wise dot products of two sparse matrices of the same shape."""
    return np.asarray(a.multiply(b).sum(axis=1)).ravel()


def _rank(own: np.ndarray, reference: np.ndarray, tol: float = 1e-6) -> np.ndarray:
    """Share of reference similarities below ``own`` (ties count half), per row."""
    below = (reference < own[:, None] - tol).mean(axis=1)
    ties = (np.abs(reference - own[:, None]) <= tol).mean(axis=1)
    return below + ties / 2


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
        char: use character n-gram similarity (3-5 grams within words).
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
            self.char_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
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
        ref_texts = [texts[k] for k in ref]
        self.ref_word_ = article_words[ref].T.tocsr()  # (vocabulary, references)
        self.ref_char_ = self.char_.transform(ref_texts).T.tocsr() if self.char else None
        self.ref_lsa_ = _l2_rows(self.svd_.transform(article_words[ref])).T.copy()
        # rare words: document frequency at most rare_df of the fitting texts
        idf = self.word_.idf_
        df_share = (len(texts) + 1) / np.exp(idf - 1) / (len(texts) + 1)
        vocab = self.word_.vocabulary_
        self.rare_words_ = sorted(w for w, i in vocab.items() if df_share[i] <= self.rare_df)
        for vectorizer in (self.word_, getattr(self, "char_", None)):
            if vectorizer is not None and hasattr(vectorizer, "stop_words_"):
                del vectorizer.stop_words_  # the terms cut by min_df / max_features: megabytes, never used
        self.promo_ = _lexicon("promo.txt")
        self.generic_ = _lexicon("generic.txt")
        self.n_features_out_ = len(FEATURES)
        return self

    @staticmethod
    def _article_text(article: Article) -> str:
        title, body = article
        return f"{title or ''}\n\n{body or ''}"

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array(FEATURES, dtype=object)

    # ------------------------------------------------------------------ articles

    def _prepare(self, articles: Sequence[Article]) -> list[_ArticleView]:
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
                  parents: Sequence[str | None] | None = None) -> np.ndarray:
        """Features of comment ``i`` against ``articles[article_of[i]]``, shape ``(n, len(FEATURES))``.

        ``parents[i]`` is the text of the comment that comment ``i`` replies to, or None.
        """
        check_is_fitted(self, "word_")
        n = len(comments)
        out = np.full((n, len(FEATURES)), np.nan, dtype=np.float64)
        if n == 0:
            return out
        article_of = np.asarray(article_of, dtype=np.int64)
        views = self._prepare(articles)
        col = {name: k for k, name in enumerate(FEATURES)}
        comments = [c if isinstance(c, str) else str(c) for c in comments]

        cw = self.word_.transform(comments)
        # one row per comment, gathered from the distinct articles' matrices (row indexing, no copies per row)
        a_word = sp.vstack([v.word for v in views]).tocsr()[article_of]
        a_title = sp.vstack([v.title for v in views]).tocsr()[article_of]
        out[:, col["cos_word"]] = _rowdot(cw, a_word)
        out[:, col["cos_title"]] = _rowdot(cw, a_title)
        if self.char:
            cc = self.char_.transform(comments)
            a_char = sp.vstack([v.char for v in views]).tocsr()[article_of]
            out[:, col["cos_char"]] = _rowdot(cc, a_char)
        c_lsa = _l2_rows(self.svd_.transform(cw))
        out[:, col["cos_lsa"]] = np.einsum("ij,ij->i", c_lsa, np.vstack([v.lsa for v in views])[article_of])
        out[:, col["cos_lsa_title"]] = np.einsum("ij,ij->i", c_lsa, np.vstack([v.lsa_title for v in views])[article_of])
        background = np.asarray(cw @ self.background_).ravel()
        out[:, col["cos_background"]] = background
        out[:, col["cos_word_minus_background"]] = out[:, col["cos_word"]] - background
        out[:, col["cos_lsa_minus_background"]] = out[:, col["cos_lsa"]] - c_lsa @ self.lsa_background_
        out[:, col["rank_word"]] = _rank(out[:, col["cos_word"]], (cw @ self.ref_word_).toarray())
        out[:, col["rank_lsa"]] = _rank(out[:, col["cos_lsa"]], c_lsa @ self.ref_lsa_)
        if self.char:
            out[:, col["rank_char"]] = _rank(out[:, col["cos_char"]], (cc @ self.ref_char_).toarray())
        passage = np.zeros(n)
        for j in np.unique(article_of):
            rows = np.flatnonzero(article_of == j)
            sims = (cw[rows] @ views[j].passages.T).toarray()
            passage[rows] = sims.max(axis=1) if sims.shape[1] else 0.0
        out[:, col["cos_passage"]] = passage

        if parents is not None:
            has = np.array([isinstance(p, str) and bool(p.strip()) for p in parents])
            if has.any():
                idx = np.flatnonzero(has)
                pw = self.word_.transform([parents[i] for i in idx])
                out[idx, col["parent_cos_article"]] = _rowdot(pw, a_word[idx])
                out[idx, col["cos_parent"]] = _rowdot(pw, cw[idx])

        self._lexical(comments, article_of, views, out, col)
        return out

    def _lexical(self, comments: Sequence[str], article_of: np.ndarray, views: list[_ArticleView],
                 out: np.ndarray, col: dict[str, int]) -> None:
        analyzer = self.word_.build_analyzer()
        rare = set(self.rare_words_)  # not kept on the object: a model file holds plain data only
        promo = _phrase_pattern(tuple(self.promo_))
        generic = _phrase_pattern(tuple(self.generic_))
        for i, text in enumerate(comments):
            v = views[article_of[i]]
            content = analyzer(text)
            raw = _RAW_TOKEN.findall(text.lower())
            n_content = len(content)
            shared = sum(w in v.tokens for w in content)
            rare_words = [w for w in content if w in rare]
            shared_rare = sum(w in v.tokens for w in rare_words)
            names = [m.lower() for m in _NAME.findall(text)]
            numbers = [m.replace(",", "") for m in _NUMBER.findall(text)]
            grams = [hash(tuple(raw[k : k + 5])) for k in range(len(raw) - 4)]
            letters = sum(ch.isalpha() for ch in text)
            caps = sum(ch.isupper() for ch in text)
            generic_hits = generic.findall(text)
            row = out[i]
            row[col["shared_words"]] = shared / n_content if n_content else np.nan
            row[col["shared_rare_words"]] = shared_rare / len(rare_words) if rare_words else np.nan
            row[col["n_shared_rare_words"]] = shared_rare
            row[col["shared_names"]] = sum(n in v.tokens for n in names) / len(names) if names else np.nan
            row[col["n_names"]] = len(names)
            row[col["shared_numbers"]] = sum(n in v.numbers for n in numbers)
            row[col["quoted_5grams"]] = sum(g in v.grams for g in grams) / len(grams) if grams else 0.0
            row[col["log_chars"]] = math.log1p(len(text))
            row[col["log_content_words"]] = math.log1p(n_content)
            row[col["n_links"]] = len(_LINK.findall(text))
            row[col["promo_hits"]] = len(promo.findall(text))
            row[col["generic_hits"]] = len(generic_hits)
            covered = sum(len(h) for h in generic_hits)
            row[col["generic_whole"]] = covered / max(1, len(text.strip()))
            row[col["questions"]] = text.count("?")
            row[col["exclamations"]] = text.count("!")
            row[col["caps_share"]] = caps / letters if letters else 0.0
            row[col["you_share"]] = len(_YOU.findall(text)) / max(1, len(raw))
            row[col["starts_with_at"]] = float(text.lstrip().startswith("@"))
            row[col["letters_share"]] = letters / max(1, len(text))
            row[col["article_log_words"]] = v.log_words
            row[col["article_has_body"]] = v.has_body
