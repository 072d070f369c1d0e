"""Text normalisation that undoes the usual obfuscation of abusive words.

``normalise(text)`` is what every model sees. It is pure and deterministic:

1. HTML entities are unescaped, Unicode is NFKC-folded and case-folded, accents are
   stripped and look-alike letters from other scripts map to Latin ones
   (``resources/homoglyphs.tsv``);
2. links become ``url``; ``@mentions`` and a leading retweet marker are dropped, because
   they tell which platform a text came from, not whether it is civil;
3. letters spelled out with spaces or dots (``f u c k``, ``i.d.i.o.t``) are joined;
4. runs of three or more identical letters collapse to one (``stuuuupid`` -> ``stupid``);
5. words mixing letters with digits or symbols are restored: first against a short list
   of commonly masked words when exactly one fits (``f*ck``, ``1d10t``, ``a$$hole``;
   ``resources/masked_words.txt``), else by undoing leetspeak between letters
   (``l0ser`` -> ``loser``, ``resources/leet.tsv``); trailing digits (``covid19``) and
   ordinals (``2nd``) are left alone;
6. white space is collapsed.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from importlib import resources

_RESOURCES = "moderate.resources"


def _resource_lines(name: str) -> list[str]:
    text = resources.files(_RESOURCES).joinpath(name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _resource_map(name: str) -> dict[str, str]:
    pairs = (line.split("\t") for line in _resource_lines(name))
    return {src: dst for src, dst in pairs}


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], dict[str, str], dict[int, list[str]]]:
    homoglyphs = str.maketrans(_resource_map("homoglyphs.tsv"))
    leet = _resource_map("leet.tsv")
    masked_by_length: dict[int, list[str]] = {}
    for word in _resource_lines("masked_words.txt"):
        masked_by_length.setdefault(len(word), []).append(word.strip())
    return homoglyphs, leet, masked_by_length


_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\b[a-z0-9.-]+\.(?:com|org|net|co\.uk|ly)(?:/\S*)?\b")
_MENTION_RE = re.compile(r"(?<![\w@])@\w+")
_RETWEET_RE = re.compile(r"^\s*rt\b:?")
# Three or more single letters separated by one space, dot, dash or underscore.
_SPACED_RE = re.compile(r"(?<!\S)[a-z](?: [a-z]){2,}(?!\S)")
_SPACED_TOKEN_RE = re.compile(r"^[a-z](?:[._-][a-z]){2,}[._-]?$")
_REPEAT_RE = re.compile(r"([^\W\d_])\1{2,}")
_SYMBOLS = "0-9@$!|*#%€£¡"
# A token where a letter touches a digit/symbol (in either order) somewhere inside.
_MIXED_RE = re.compile(
    rf"[a-z{_SYMBOLS}.'-]*(?:[a-z][{_SYMBOLS}]|[{_SYMBOLS}][a-z])[a-z{_SYMBOLS}.'-]*"
)
_ORDINAL_RE = re.compile(r"\d+(?:st|nd|rd|th|s|am|pm|k|m|x|d|h|p|g|gb|mb|kg|km|v)?")
_WILDCARD = set("0123456789@$!|*#%€£¡.-")
_SPACE_RE = re.compile(r"\s+")
_INNER_LEET_RE = re.compile(r"(?<=[a-z])[0-9@$!|€£¡]+(?=[a-z])")
_WORD_RE = re.compile(r"\w+")
_SEPARATORS_RE = re.compile(r"[ ._-]")


def _unmix_scripts(match: re.Match[str]) -> str:
    """Map look-alike letters in a word that mixes Latin with other scripts ("іdiот")."""
    word = match.group(0)
    if word.isascii() or not any("a" <= ch <= "z" for ch in word):
        return word
    return word.translate(_tables()[0])


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped)


def _join_spaced(match: re.Match[str]) -> str:
    return _SEPARATORS_RE.sub("", match.group(0))


def _unmask(core: str, masked_by_length: dict[int, list[str]]) -> str | None:
    """The one listed word that ``core`` spells with symbols in some letters' places."""
    letters = sum(ch.isalpha() for ch in core)
    if letters < 1 or letters * 2 < len(core):
        return None
    fits = [
        word
        for word in masked_by_length.get(len(core), ())
        if all(c == w or c in _WILDCARD for c, w in zip(core, word))
    ]
    return fits[0] if len(fits) == 1 else None


def _deobfuscate(match: re.Match[str]) -> str:
    token = match.group(0)
    _, leet, masked_by_length = _tables()
    # Trailing punctuation is punctuation ("really!!", "you?"), not a masked letter.
    core = token.rstrip("!?.,'-")
    tail = token[len(core) :]
    core = core.lstrip(".'-")
    if not core or _ORDINAL_RE.fullmatch(core) or core.isdigit():
        return token
    restored = _unmask(core, masked_by_length)
    if restored is None:
        # leet is undone only in runs of symbols between letters ("l0ser", "n00b"),
        # and for one leading symbol before letters ("$hit"); "covid19" keeps its digits
        restored = _INNER_LEET_RE.sub(lambda m: "".join(leet[c] for c in m.group(0)), core)
        if len(restored) > 2 and restored[0] in leet and restored[1:].isalpha():
            restored = leet[restored[0]] + restored[1:]
    return restored + tail


#: Normalised form of each token seen so far. Tokens repeat a lot across comments, so
#: the per-token work (repeats, masks, leetspeak) runs once per distinct token.
_TOKEN_CACHE: dict[str, str] = {}
_TOKEN_CACHE_LIMIT = 500_000
_URL_GATE_RE = re.compile(r"://|www\.|\.(?:com|org|net|ly|co\.uk)\b")


def _normalise_token(token: str) -> str:
    if len(token) > 2:
        token = _REPEAT_RE.sub(r"\1", token)
        if not token.isalpha():
            token = _SPACED_TOKEN_RE.sub(_join_spaced, token)
            token = _MIXED_RE.sub(_deobfuscate, token)
    if len(_TOKEN_CACHE) >= _TOKEN_CACHE_LIMIT:
        _TOKEN_CACHE.clear()
    return token


def normalise(text: str) -> str:
    """The normalised form of one comment (see the module docstring for the steps)."""
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = _strip_accents(_WORD_RE.sub(_unmix_scripts, text))
    if _URL_GATE_RE.search(text):
        text = _URL_RE.sub(" url ", text)
    if "@" in text:
        text = _MENTION_RE.sub(" ", text)
    if text.startswith("rt", text.find("r") if text[:1].isspace() else 0):
        text = _RETWEET_RE.sub(" ", text)
    text = _SPACED_RE.sub(_join_spaced, text)
    cache = _TOKEN_CACHE
    out = []
    for token in text.split():
        norm = cache.get(token)
        if norm is None:
            norm = cache[token] = _normalise_token(token)
        out.append(norm)
    return " ".join(out)
