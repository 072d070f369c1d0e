"""Block features for the line classifier.

Each block gets a vector of layout-independent facts: shape of its text, dates and times,
name-like tokens, comment-furniture and boilerplate vocabulary (from the word lists in
``resources/``), position, repetition on the page (comment headers repeat their shape,
captions repeat exactly, pull quotes repeat a body sentence), similarity to neighbours,
indentation, and for HTML the DOM around it. :func:`window_features` then adds the
neighbours' vectors, which makes the classifier see sequences.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import cache, lru_cache

import numpy as np

from moderate.pages.blocks import Block
from moderate.pages.dates import date_facts
from moderate.pages.resources import load_phrases

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_URL = re.compile(r"https?://|www\.|\.(?:com|org|net|co\.uk)\b", re.IGNORECASE)
_VOTE = re.compile(r"^[+\-−–]?\s?\d[\d,.]*\s*[kK]?\s*(?:points?|likes?|votes?|pts|upvotes?|recommends?|△|▽|▲|▼|↑|↓|👍|👎)?$|[△▽▲▼↑↓👍👎♥❤]", re.IGNORECASE)
_COUNT_LINE = re.compile(r"^\(?\d[\d,.]*\)?\s+\w+(?:\s\w+)?$|^\(\d+\)$|^\w+(?:\s\w+)?\s\(\d+\)$")
_SEP = re.compile(r"\s[|•·–—-]\s|\s[|•·]|[|•·]\s")
_PAREN_DIGITS = re.compile(r"\(\s?#?\s?\d[\d ,.]*\)")
_HEADER_LEAD = frozenset({"by", "posted", "submitted", "written", "from", "von", "par", "por", "di", "door", "de", "av", "af"})
_HASH_NUM = re.compile(r"^#\s?\d+")
_BULLET = re.compile(r"^[-–—•·*>»›]\s")
_HANDLE = re.compile(r"^[@]?[A-Za-z][A-Za-z0-9_.\-]*\d+[A-Za-z0-9_.]*$|^[a-z]+[A-Z][A-Za-z]+$|^[A-Za-z]+_[A-Za-z0-9_]+$")
_SENT_END = ('.', '!', '?', '…', '"', '”', '’', ')', "'")
_DIGITS = re.compile(r"\d+")
#: A line that starts with up to four capitalised words and a separator, "says", "wrote" or "on".
_NAME_LEAD = re.compile(r"^([A-Z][\w'’.\-]*(?:\s+[A-Z][\w'’.\-]*){0,3})\s*(?:[|•·:,–—-]|says|wrote|on\b|\(|$)")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_UPPER = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-Ž]")
_DIGIT = re.compile(r"\d")
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_CAPWORD = re.compile(r"(?<=\w )[A-Z][a-z]{3,}\b")
_NONWORD = re.compile(r"[^\w\s']+", re.UNICODE)


@cache
def _header_words() -> frozenset[str]:
    return load_phrases("header_words")


@cache
def _furniture() -> frozenset[str]:
    return load_phrases("furniture")


@cache
def _boilerplate() -> frozenset[str]:
    return load_phrases("boilerplate")


@cache
def _furniture_words() -> frozenset[str]:
    return frozenset(p for p in _furniture() if " " not in p)


_COMMENT_WORDS = frozenset({
    "comment", "comments", "reply", "replies", "discussion", "conversation", "responses", "response",
    "kommentar", "kommentare", "commentaire", "commentaires", "comentario", "comentarios", "commento",
    "commenti", "reactie", "reacties", "comentário", "comentários", "say", "opinion", "reader", "readers",
})


@lru_cache(maxsize=65536)
def _norm_line(text: str) -> str:
    """Lower case, digits and punctuation gone, spaces collapsed (cached: each line is asked twice)."""
    t = _DIGITS.sub(" ", text.lower())
    t = _NONWORD.sub(" ", t)
    return " ".join(t.split())


def _shape(text: str) -> str:
    """A coarse signature: words become ``a``/``A``, digit runs ``0``, punctuation kept, runs merged."""
    out = []
    prev = ""
    for ch in text[:80]:
        if ch.isdigit():
            c = "0"
        elif ch.isalpha():
            c = "a"
        elif ch.isspace():
            c = " "
        else:
            c = ch
        if c != prev or c not in "a0 ":
            out.append(c)
        prev = c
    return "".join(out)


_WORD_RUN = re.compile(r"[^\W\d_]+(?:[ '’.\-][^\W\d_]+)*")


def coarse_shape(text: str) -> str:
    """Like :func:`_shape`, but a run of words is one ``a``: "Ikran teacher | 12/12/2016" and
    "Dutchman | 13/12/2016" share the shape ``a | 0/0/0``."""
    return _shape(_WORD_RUN.sub("a", text[:120]))


@cache
def _phrase_starts(phrases: frozenset[str]) -> frozenset[str]:
    return frozenset(p.split()[0] for p in phrases if " " in p)


def _phrase_hits(words: list[str], phrases: frozenset[str]) -> int:
    """How many 1-3 word sequences of ``words`` are in ``phrases``."""
    hits = sum(map(phrases.__contains__, words))
    starts = _phrase_starts(phrases)
    n = len(words)
    for i in range(n - 1):
        if words[i] in starts:
            hits += (" ".join(words[i:i + 2]) in phrases) + (i + 2 < n and " ".join(words[i:i + 3]) in phrases)
    return hits


TEXT_FEATURES = (
    "log_chars", "log_words", "upper_frac", "digit_frac", "punct_frac", "ends_sentence", "ends_colon",
    "starts_at", "starts_hash_num", "starts_bullet", "n_seps", "has_url", "titlecase_frac", "starts_upper",
    "all_caps", "paren_digits", "name_lead", "date_numeric", "date_worded", "has_time", "has_ampm",
    "has_relative", "date_frac", "has_weekday", "has_year", "header_words", "header_word_end",
    "furniture_line", "furniture_frac", "vote_like", "boiler_hits", "boiler_line", "copyright",
    "count_line", "short", "name_like", "handle_like", "comment_word", "quote_start", "question",
    "long_words_frac", "first_person", "second_person", "header_lead",
)
PAGE_FEATURES = (
    "rel_pos", "rel_char_pos", "log_index", "log_from_end", "exact_repeat", "shape_repeat",
    "contained_in_longer", "jacc_prev", "jacc_next", "len_ratio", "indent", "indent_delta_prev",
    "indent_delta_next", "blank_before", "blank_after", "is_html", "h1", "h2_3", "h4_6", "tag_p", "tag_li",
    "tag_td", "tag_button", "link_ratio", "depth", "hint_comment", "self_comment", "hint_author",
    "self_author", "hint_date", "self_date", "hint_actions", "hint_nav", "hint_chrome", "hint_article",
    "self_title", "hint_caption", "hint_widget", "nest", "nest_delta_prev", "same_container_prev",
    "headerlike", "frac_prev_headerlike", "frac_next_headerlike", "dist_prev_headerlike",
    "dist_next_headerlike", "comment_marker_before", "long_after", "long_before", "title_sim",
    "shape_repeat_nbr", "before_first_long", "to_first_long", "headline_like", "starts_with_name_line",
    "body_overlap", "brand_token",
)
BASE_FEATURES = TEXT_FEATURES + PAGE_FEATURES
#: Features of the neighbours that the window adds (a subset keeps the vector small).
WINDOW_FEATURES = (
    "log_chars", "ends_sentence", "date_frac", "has_relative", "header_words", "furniture_line",
    "vote_like", "boiler_hits", "name_like", "short", "indent", "nest", "headerlike", "shape_repeat",
    "blank_before", "starts_at", "same_container_prev", "hint_comment", "hint_chrome", "exact_repeat",
    "count_line", "comment_word", "titlecase_frac", "link_ratio", "self_author", "self_date",
)
WINDOW_OFFSETS = (-3, -2, -1, 1, 2, 3)
_WINDOW_INDEX = np.array([BASE_FEATURES.index(name) for name in WINDOW_FEATURES])


@lru_cache(maxsize=65536)
def text_features(text: str) -> tuple[float, ...]:
    """Facts about one block's text alone (cached: the same lines recur across pages)."""
    n = len(text)
    words = _WORD.findall(text)
    lower_words = list(map(str.lower, words))
    nw = len(words)
    head = text[:500]  # character shares are stable on a prefix; long lines cost no more
    nh = len(head)
    letters = _LETTER.subn("", head)[1]
    upper = _UPPER.subn("", head)[1]
    digits = _DIGIT.subn("", head)[1]
    punct = _PUNCT.subn("", head)[1]
    stripped = text.rstrip()
    facts = date_facts(text[:300])
    titled = sum(map(str.isupper, (w[0] for w in words)))
    norm = _norm_line(text)
    furniture_line = 1.0 if norm and norm in _furniture() else 0.0
    furniture_frac = (sum(map(_furniture_words().__contains__, lower_words)) / nw) if nw else 0.0
    boiler_hits = _phrase_hits(lower_words, _boilerplate())
    header_hits = sum(map(_header_words().__contains__, lower_words))
    header_end = 1.0 if lower_words and lower_words[-1] in _HEADER_END else 0.0
    lead = n < 120 and _NAME_LEAD.match(text) is not None
    name_like = 1.0 if (1 <= nw <= 4 and n <= 40 and not stripped.endswith(_SENT_END[:3]) and (titled == nw or _HANDLE.match(text.strip()))) else 0.0
    long_words = sum(map((7).__le__, map(len, words)))
    first_person = sum(map(_FIRST_PERSON.__contains__, lower_words))
    second_person = sum(map(_SECOND_PERSON.__contains__, lower_words))
    return (
        math.log1p(n), math.log1p(nw), upper / letters if letters else 0.0, digits / nh if nh else 0.0,
        punct / nh if nh else 0.0, 1.0 if stripped.endswith(_SENT_END) else 0.0, 1.0 if stripped.endswith(":") else 0.0,
        1.0 if text.startswith("@") else 0.0, 1.0 if _HASH_NUM.match(text) else 0.0,
        1.0 if _BULLET.match(text) else 0.0, float(len(_SEP.findall(text))), 1.0 if _URL.search(text) else 0.0,
        titled / nw if nw else 0.0, 1.0 if text[:1].isupper() else 0.0,
        1.0 if letters >= 3 and upper == letters else 0.0, 1.0 if _PAREN_DIGITS.search(text) else 0.0,
        1.0 if lead else 0.0,
        float(facts.numeric), float(facts.worded), float(facts.time), float(facts.ampm), float(facts.relative),
        facts.covered / min(n, 300) if n else 0.0, float(facts.weekday), float(facts.year), float(min(header_hits, 5)), header_end,
        furniture_line, furniture_frac, 1.0 if n < 30 and _VOTE.search(text) else 0.0, float(min(boiler_hits, 5)),
        1.0 if norm and norm in _boilerplate() else 0.0, 1.0 if "©" in text or "(c)" in text.lower() else 0.0,
        1.0 if _COUNT_LINE.match(text.strip()) and n < 40 else 0.0, 1.0 if nw <= 3 else 0.0, name_like,
        1.0 if _HANDLE.match(text.strip()) else 0.0,
        1.0 if any(w in _COMMENT_WORDS for w in lower_words) and nw <= 8 else 0.0,
        1.0 if text[:1] in "\"“«>" else 0.0, float(text.count("?")),
        long_words / nw if nw else 0.0, first_person / nw if nw else 0.0, second_person / nw if nw else 0.0,
        1.0 if lower_words and lower_words[0] in _HEADER_LEAD and nw <= 12 else 0.0,
    )


def clear_caches() -> None:
    """Forget cached per-line results (benchmarks clear them between runs)."""
    from moderate.pages.assemble import clean_name
    from moderate.pages.dates import _scan

    text_features.cache_clear()
    _norm_line.cache_clear()
    _scan.cache_clear()
    clean_name.cache_clear()


#: Verbs that end a comment header ("Sarah says:"); the single-word ones of header_verbs.txt
#: that the model was trained with.
_HEADER_END = frozenset({"says", "said", "wrote", "writes", "schrieb", "sagt", "dit", "escribió", "dice", "scrive", "zegt", "schreef", "escreveu", "disse"})
_FIRST_PERSON = frozenset({"i", "i'm", "my", "me", "we", "our", "i've", "i'd"})
_SECOND_PERSON = frozenset({"you", "your", "you're", "u"})


def _word_set(text: str) -> frozenset[str]:
    return frozenset(map(str.lower, _WORD.findall(text)))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


_F = {name: i for i, name in enumerate(BASE_FEATURES)}


def page_features(blocks: list[Block], is_html: bool = False, doc_title: str | None = None) -> np.ndarray:
    """The base feature matrix ``(len(blocks), len(BASE_FEATURES))`` of one page."""
    n = len(blocks)
    X = np.zeros((n, len(BASE_FEATURES)), dtype=np.float32)
    if n == 0:
        return X
    nt = len(TEXT_FEATURES)
    texts = [b.text for b in blocks]
    for i, text in enumerate(texts):
        X[i, :nt] = text_features(text[:2000])
    lengths = np.array([len(t) for t in texts], dtype=np.float64)
    total = lengths.sum() or 1.0
    before = np.concatenate([[0.0], np.cumsum(lengths)[:-1]])
    median = float(np.median(lengths)) or 1.0
    norms = [_norm_line(t) for t in texts]
    exact = Counter(norms)
    shapes = [coarse_shape(t) for t in texts]
    shape_counts = Counter(shapes)
    word_sets = [_word_set(t) for t in texts]
    title_words = _word_set(doc_title) if doc_title else frozenset()
    contained = _pull_quotes(norms, lengths)
    idx = np.arange(n, dtype=np.float64)
    X[:, _F["rel_pos"]] = idx / max(n - 1, 1)
    X[:, _F["rel_char_pos"]] = before / total
    X[:, _F["log_index"]] = np.log1p(idx)
    X[:, _F["log_from_end"]] = np.log1p(n - 1 - idx)
    X[:, _F["len_ratio"]] = np.log((lengths + 1) / (median + 1))
    X[:, _F["is_html"]] = 1.0 if is_html else 0.0
    for i, b in enumerate(blocks):
        X[i, _F["exact_repeat"]] = math.log(exact[norms[i]]) if norms[i] else 0.0
        X[i, _F["shape_repeat"]] = math.log(shape_counts[shapes[i]])
        X[i, _F["contained_in_longer"]] = contained[i]
        X[i, _F["jacc_prev"]] = _jaccard(word_sets[i], word_sets[i - 1]) if i else 0.0
        X[i, _F["jacc_next"]] = _jaccard(word_sets[i], word_sets[i + 1]) if i + 1 < n else 0.0
        X[i, _F["indent"]] = math.log1p(b.indent)
        X[i, _F["indent_delta_prev"]] = np.sign(b.indent - blocks[i - 1].indent) if i else 0.0
        X[i, _F["indent_delta_next"]] = np.sign(blocks[i + 1].indent - b.indent) if i + 1 < n else 0.0
        X[i, _F["blank_before"]] = float(b.blank_before)
        X[i, _F["blank_after"]] = float(b.blank_after)
        if is_html:
            X[i, _F["h1"]] = float(b.heading == 1)
            X[i, _F["h2_3"]] = float(b.heading in (2, 3))
            X[i, _F["h4_6"]] = float(b.heading >= 4)
            X[i, _F["tag_p"]] = float(b.tag == "p")
            X[i, _F["tag_li"]] = float(b.tag == "li")
            X[i, _F["tag_td"]] = float(b.tag in ("td", "th"))
            X[i, _F["tag_button"]] = float(b.tag in ("button", "label", "form"))
            X[i, _F["link_ratio"]] = b.link_chars / max(len(b.text), 1)
            X[i, _F["depth"]] = math.log1p(b.depth)
            h = b.hints
            for name in ("comment", "author", "date", "actions", "nav", "chrome", "article", "caption", "widget"):
                X[i, _F["hint_" + name]] = min(h.get(name, 0.0), 4.0)
            for name in ("comment", "author", "date", "title"):
                X[i, _F["self_" + name]] = h.get("self_" + name, 0.0)
            X[i, _F["nest"]] = min(b.nest, 10)
            X[i, _F["nest_delta_prev"]] = np.sign(b.nest - blocks[i - 1].nest) if i else 0.0
            X[i, _F["same_container_prev"]] = float(i > 0 and b.container >= 0 and b.container == blocks[i - 1].container)
        if title_words:
            X[i, _F["title_sim"]] = _jaccard(word_sets[i], title_words)
    # header-like lines (short, mostly date/time or a name with a separator) and where they are
    headerlike = (
        (X[:, _F["log_chars"]] < math.log1p(120))
        & ((X[:, _F["date_frac"]] > 0.15) | (X[:, _F["header_word_end"]] > 0) | (X[:, _F["paren_digits"]] > 0))
    ).astype(np.float32)
    X[:, _F["headerlike"]] = headerlike
    cum = np.cumsum(headerlike)
    X[:, _F["frac_prev_headerlike"]] = np.concatenate([[0.0], cum[:-1]]) / np.maximum(idx, 1)
    X[:, _F["frac_next_headerlike"]] = (cum[-1] - cum) / np.maximum(n - 1 - idx, 1)
    X[:, _F["dist_prev_headerlike"]] = _distance(headerlike, forward=True)
    X[:, _F["dist_next_headerlike"]] = _distance(headerlike, forward=False)
    marker = ((X[:, _F["comment_word"]] > 0) & (X[:, _F["log_words"]] < math.log1p(8))).astype(np.float32)
    X[:, _F["comment_marker_before"]] = np.minimum(np.concatenate([[0.0], np.cumsum(marker)[:-1]]), 5)
    long = (lengths >= 150).astype(np.float64)
    cl = np.cumsum(long)
    X[:, _F["long_before"]] = np.log1p(np.concatenate([[0.0], cl[:-1]]))
    X[:, _F["long_after"]] = np.log1p(cl[-1] - cl)
    long_idx = np.flatnonzero(lengths >= 150)
    first_long = int(long_idx[0]) if len(long_idx) else n
    X[:, _F["before_first_long"]] = (idx < first_long).astype(np.float32)
    X[:, _F["to_first_long"]] = np.sign(first_long - idx) * np.log1p(np.abs(first_long - idx))
    name_lines = {t for t, k in zip(texts, X[:, _F["name_like"]]) if k > 0 and " " in t}
    for i, t in enumerate(texts):
        nw = len(t.split())
        X[i, _F["headline_like"]] = float(4 <= nw <= 20 and t[:1].isupper() and not t.rstrip().endswith((".", ":", "!", "?")))
        if name_lines and lengths[i] > 40:
            X[i, _F["starts_with_name_line"]] = float(any(t.startswith(name + " ") for name in name_lines))
    # share of a line's content words that the page's long lines (its prose) also use
    content = [frozenset(w for w in ws if len(w) >= 4) for ws in word_sets]
    vocab: Counter = Counter()
    for i in long_idx:
        vocab.update(content[i])
    for i, ws in enumerate(content):
        if ws:
            own = 1 if lengths[i] >= 150 else 0
            X[i, _F["body_overlap"]] = sum(vocab[w] - own > 0 for w in ws) / len(ws)
    # the site's own name: a capitalised word repeated in several short lines and no long one
    # ("Be Part of Your Rudaw!", "Elsewhere on Rudaw") marks chrome wherever it appears
    short_caps: Counter = Counter()
    long_caps: set[str] = set()
    caps = [frozenset(_CAPWORD.findall(t[:300])) for t in texts]
    for i, c in enumerate(caps):
        if lengths[i] < 100:
            short_caps.update(c)
        else:
            long_caps.update(c)
    brands = {w for w, k in short_caps.items() if k >= 3 and w not in long_caps}
    if brands:
        for i, c in enumerate(caps):
            X[i, _F["brand_token"]] = float(bool(c & brands))
    sr = X[:, _F["shape_repeat"]]
    X[:, _F["shape_repeat_nbr"]] = np.maximum(np.concatenate([[0.0], sr[:-1]]), np.concatenate([sr[1:], [0.0]]))
    return X


def _pull_quotes(norms: list[str], lengths: np.ndarray) -> list[float]:
    """1.0 for lines (25-400 chars) that are a strict substring of a longer line of the page."""
    out = [0.0] * len(norms)
    candidates = [i for i, ln in enumerate(lengths) if 25 <= ln < 400 and norms[i]]
    long_lines = [nm for nm, ln in zip(norms, lengths) if ln >= 80]
    if not candidates or not long_lines:
        return out
    big = "\n".join(long_lines)
    if len(big) * len(candidates) < 30_000_000:  # plain substring counts are fastest on normal pages
        equal = Counter(long_lines)
        for i in candidates:
            out[i] = 1.0 if big.count(norms[i]) > equal[norms[i]] else 0.0
        return out
    index = _shingle_index(long_lines)  # huge pages: index long lines by word 4-grams
    for i in candidates:
        out[i] = _contained(norms[i], index)
    return out


def _shingle_index(long_lines: list[str]) -> dict[str, list[str]]:
    """Long lines indexed by each of their word 4-grams (for the pull-quote feature)."""
    index: dict[str, list[str]] = {}
    for line in set(long_lines):
        words = line.split()
        for k in range(max(len(words) - 3, 1)):
            bucket = index.setdefault(" ".join(words[k:k + 4]), [])
            if len(bucket) < 8:
                bucket.append(line)
    return index


def _contained(norm: str, index: dict[str, list[str]]) -> float:
    """1.0 when the line is a strict substring of a longer line of the page (a pull quote)."""
    words = norm.split()
    for line in index.get(" ".join(words[:4]), ()):
        if norm != line and norm in line:
            return 1.0
    return 0.0


def _distance(flags: np.ndarray, forward: bool) -> np.ndarray:
    """log(1 + distance) to the nearest earlier (``forward``) or later flagged block, 6 if none."""
    n = len(flags)
    out = np.full(n, 6.0, dtype=np.float32)
    last = None
    order = range(n) if forward else range(n - 1, -1, -1)
    for i in order:
        if last is not None:
            out[i] = min(math.log1p(abs(i - last)), 6.0)
        if flags[i]:
            last = i
    return out


def shifted(M: np.ndarray, off: int) -> np.ndarray:
    """Row ``i`` of the result is row ``i + off`` of ``M`` (zeros past either end)."""
    n = M.shape[0]
    out = np.zeros_like(M)
    if off < 0 and n > -off:
        out[-off:] = M[:off]
    elif off > 0 and n > off:
        out[:-off] = M[off:]
    return out


def window_features(X: np.ndarray) -> np.ndarray:
    """Append the neighbours' window features at each offset (zeros past the page's ends)."""
    sub = X[:, _WINDOW_INDEX]
    return np.hstack([X, *(shifted(sub, off) for off in WINDOW_OFFSETS)])


def feature_names() -> list[str]:
    names = list(BASE_FEATURES)
    for off in WINDOW_OFFSETS:
        names.extend(f"{name}@{off:+d}" for name in WINDOW_FEATURES)
    return names
