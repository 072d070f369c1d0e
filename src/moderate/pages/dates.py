"""Dates and times in page text: finding them (features) and reading them (ISO 8601).

Numeric dates are ambiguous (``12/12/2016``, ``7/25/2017``). A page's dates are read
together: dates written the same way (same separators, same clock) share one order, and a
group is day-first when any of its dates only makes sense day-first (``13/12/2016``) and
month-first when any only makes sense month-first (``7/25/2017``). Groups with no evidence
follow the page's other groups, then the clock (a 12-hour clock suggests US month-first),
then day-first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from moderate.pages.resources import load_months, load_phrases

NUMERIC_DATE = re.compile(r"(?<![\d/.\-])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/\-]|\.\d)")
ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?(?!\d)")
TIME = re.compile(r"(?<![\d:])(\d{1,2})[:h](\d{2})(?::(\d{2}))?(?![\d:])\s*([ap]\.?\s?m\.?)?", re.IGNORECASE)
AMPM_HOUR = re.compile(r"(?<![\d:])(\d{1,2})\s*([ap]\.?m\.?)(?!\w)", re.IGNORECASE)
YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)")


@cache
def _month_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    names = sorted(load_months(), key=len, reverse=True)
    alt = "|".join(re.escape(n) for n in names)
    day_first = re.compile(
        rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?({alt})\.?(?:\s+de)?,?\s+(\d{{4}})(?!\d)", re.IGNORECASE
    )
    # "KellyOctober 29, 2012": a capitalised month glued to a name still starts a date
    month_first = re.compile(rf"(?:\b|(?<=[a-z])(?=(?-i:[A-Z])))({alt})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.IGNORECASE)
    # "Mar 3", and Discourse's "Oct '14" (a month and a two-digit year)
    month_only = re.compile(rf"\b({alt})\.?\s+(?:(\d{{1,2}})(?:st|nd|rd|th)?\b(?!:)|['’]\d{{2}}\b)", re.IGNORECASE)
    return day_first, month_first, month_only


@cache
def _relative_pattern() -> re.Pattern[str]:
    words = sorted(load_phrases("relative_time"), key=len, reverse=True)
    alt = "|".join(re.escape(w) for w in words)
    return re.compile(
        rf"(?:\b(?:\d+|an?|one|ein|eine|einem|einer|un|une|uno|una)\s*(?:{alt})\b.{{0,8}}?\b(?:ago|geleden|fa|atrás)\b"
        rf"|\b(?:vor|il y a|hace|há)\s+(?:\d+|einem|einer|un|une|uno|una)\s+(?:{alt})\b"
        rf"|\b(?:yesterday|today|just now|gestern|heute|hier|aujourd'hui|ayer|hoy|ieri|oggi|gisteren|vandaag|ontem|hoje)\b"
        rf"|(?<![\w:])\d+\s?(?:s|m|min|h|hr|d|w|wk|mo|y|yr)\b(?![\w'])"
        rf"|\b(?:\d+|an?|one)\s+(?:{alt})\s+ago\b)",
        re.IGNORECASE,
    )


@cache
def _weekday_pattern() -> re.Pattern[str]:
    alt = "|".join(re.escape(w) for w in sorted(load_phrases("weekdays"), key=len, reverse=True))
    return re.compile(rf"\b(?:{alt})\b\.?", re.IGNORECASE)


@dataclass(frozen=True)
class DateFacts:
    """What kinds of date/time text a line contains, and how much of it is date/time."""

    numeric: bool
    worded: bool
    time: bool
    ampm: bool
    relative: bool
    weekday: bool
    year: bool
    covered: int


def date_facts(text: str) -> DateFacts:
    facts, _ = _scan(text)
    return facts


def date_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of every date, time and relative time in ``text``, merged, in order."""
    _, spans = _scan(text)
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


_ANY_DIGIT = re.compile(r"\d")
#: Cheap tests before the big relative-time pattern, on the lower-cased line: a word that every
#: non-numeric relative time contains, or a number with a unit ("3h", "2 d").
_RELATIVE_HINT_WORDS = (
    "ago", "vor ", "il y a", "hace", "há ", "geleden", "atrás", "yesterday", "today", "just now", "gestern", "heute",
    "aujourd", "ayer", "ieri", "oggi", "gisteren", "vandaag", "ontem", "hoje",
)
#: ... and the short ones that must stand as whole words
_RELATIVE_HINT_SHORT = ("fa", "hier", "hoy")
_RELATIVE_HINT_BOUNDED = re.compile(r"\b(?:" + "|".join(_RELATIVE_HINT_SHORT) + r")\b")
_RELATIVE_HINT_UNIT = re.compile(r"\d\s?(?:s|m|min|h|hr|d|w|wk|mo|y|yr)\b")


def _relative_hint(lowered: str, has_digit: bool) -> bool:
    """Whether a lower-cased line may hold a relative time (substring tests first: they are fast)."""
    if any(map(lowered.__contains__, _RELATIVE_HINT_WORDS)):
        return True
    if any(map(lowered.__contains__, _RELATIVE_HINT_SHORT)) and _RELATIVE_HINT_BOUNDED.search(lowered):
        return True
    return has_digit and _RELATIVE_HINT_UNIT.search(lowered) is not None


_CAPITAL = re.compile(r"\b[A-ZÀ-Þ]")
#: Words, with camel case split so that a month glued to a name ("KellyOctober") is seen.
_ALPHA = re.compile(r"[A-ZÀ-Þ]?[^\W\d_A-ZÀ-Þ]+|[A-ZÀ-Þ]+(?![^\W\d_A-ZÀ-Þ])")


@cache
def _month_words() -> frozenset[str]:
    return frozenset(load_months())


@cache
def _weekday_stems() -> tuple[str, ...]:
    """The weekday words that contain no shorter one ("mon" covers "monday" and "montag"): a
    line without any of them has no weekday."""
    words = load_phrases("weekdays")
    return tuple(sorted(w for w in words if not any(o != w and o in w for o in words)))


def _words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _ALPHA.findall(text))


@lru_cache(maxsize=65536)
def _scan(text: str) -> tuple[DateFacts, tuple[tuple[int, int], ...]]:
    """Date facts and spans of a line (cached: pages repeat lines, and several steps ask)."""
    spans: list[tuple[int, int]] = []
    numeric = worded = time = ampm = relative = weekday = year = False
    lowered = text.lower()
    words: frozenset[str] | None = None
    has_digit = _ANY_DIGIT.search(text) is not None
    if has_digit:
        for m in NUMERIC_DATE.finditer(text):
            numeric = True
            spans.append(m.span())
        for m in ISO_DATE.finditer(text):
            numeric = True
            spans.append(m.span())
        day_first, month_first, month_only = _month_patterns()
        words = _words(text)
        has_month = not _month_words().isdisjoint(words)
        for pattern in (day_first, month_first) if has_month else ():
            for m in pattern.finditer(text):
                worded = True
                spans.append(m.span())
        if not worded and has_month:
            for m in month_only.finditer(text):
                if m.group(1)[:1].isupper():
                    worded = True
                    spans.append(m.span())
        for m in TIME.finditer(text):
            if int(m.group(1)) <= 24:
                time = True
                ampm = ampm or bool(m.group(4))
                spans.append(m.span())
        for m in AMPM_HOUR.finditer(text):
            time = ampm = True
            spans.append(m.span())
        year = bool(YEAR.search(text))
    if _relative_hint(lowered, has_digit):
        for m in _relative_pattern().finditer(text):
            relative = True
            spans.append(m.span())
    if _CAPITAL.search(text) and any(map(lowered.__contains__, _weekday_stems())):
        if words is None:
            words = _words(text)
        if not load_phrases("weekdays").isdisjoint(words):
            for m in _weekday_pattern().finditer(text):
                if m.group(0)[:1].isupper():
                    weekday = True
                    spans.append(m.span())
    return DateFacts(numeric, worded, time, ampm, relative, weekday, year, _covered(spans)), tuple(spans)


def _covered(spans: list[tuple[int, int]]) -> int:
    total = 0
    end = -1
    for a, b in sorted(spans):
        if b <= end:
            continue
        total += b - max(a, end)
        end = b
    return total


# ------------------------------------------------------------------------------------- reading


def _year(text: str) -> int:
    y = int(text)
    if len(text) == 2:
        y += 2000 if y < 50 else 1900
    return y


def _shape(m: re.Match[str], rest: str) -> tuple[str, bool, bool]:
    t = TIME.search(rest)
    return m.group(2), bool(t), bool(t and t.group(4))


class DateReader:
    """Reads the dates of one page, with day/month order decided from the whole page."""

    def __init__(self, texts: Iterable[str]) -> None:
        evidence: dict[tuple[str, bool, bool], list[int]] = {}
        for text in texts:
            for m in NUMERIC_DATE.finditer(text):
                a, b = int(m.group(1)), int(m.group(3))
                key = _shape(m, text[m.end():m.end() + 20])
                votes = evidence.setdefault(key, [0, 0])
                if a > 12 and b <= 12:
                    votes[0] += 1
                elif b > 12 and a <= 12:
                    votes[1] += 1
        self._order: dict[tuple[str, bool, bool], bool] = {}
        page_day, page_month = sum(v[0] for v in evidence.values()), sum(v[1] for v in evidence.values())
        for key, (day, month) in evidence.items():
            if day or month:
                self._order[key] = day >= month
            elif page_day != page_month:
                self._order[key] = page_day > page_month
            else:
                self._order[key] = not key[2]  # a 12-hour clock suggests month/day/year

    def day_first(self, key: tuple[str, bool, bool]) -> bool:
        return self._order.get(key, not key[2])

    def read(self, text: str) -> str | None:
        """The first date in ``text`` as ISO 8601 (with the time when one is shown), else None."""
        date = None
        end = 0
        m = ISO_DATE.search(text)
        if m:
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            date, end = (y, mo, d), m.end()
            if m.group(4):
                return _iso(date, (int(m.group(4)), int(m.group(5)), int(m.group(6)) if m.group(6) else None))
        if date is None:
            m = NUMERIC_DATE.search(text)
            if m:
                a, b, y = int(m.group(1)), int(m.group(3)), _year(m.group(4))
                key = _shape(m, text[m.end():m.end() + 20])
                day, month = (a, b) if self.day_first(key) else (b, a)
                if month > 12 and day <= 12:
                    day, month = month, day
                date, end = (y, month, day), m.end()
        if date is None:
            date, end = _worded_date(text)
        if date is None or not _valid(date):
            return None
        t = TIME.search(text, end) or TIME.search(text)
        clock = None
        if t:
            hour, minute = int(t.group(1)), int(t.group(2))
            second = int(t.group(3)) if t.group(3) else None
            suffix = (t.group(4) or "").lower().replace(".", "").replace(" ", "")
            if suffix == "pm" and hour < 12:
                hour += 12
            elif suffix == "am" and hour == 12:
                hour = 0
            if hour < 24 and minute < 60:
                clock = (hour, minute, second)
        else:
            h = AMPM_HOUR.search(text, end)
            if h:
                hour = int(h.group(1)) % 12 + (12 if h.group(2).lower().startswith("p") else 0)
                clock = (hour, 0, None)
        return _iso(date, clock)


def _worded_date(text: str) -> tuple[tuple[int, int, int] | None, int]:
    months = load_months()
    day_first, month_first, _ = _month_patterns()
    best = None
    for pattern, order in ((day_first, "dmy"), (month_first, "mdy")):
        m = pattern.search(text)
        if m and (best is None or m.start() < best[0].start()):
            best = (m, order)
    if best is None:
        return None, 0
    m, order = best
    if order == "dmy":
        day, month, year = int(m.group(1)), months[m.group(2).lower()], int(m.group(3))
    else:
        month, day, year = months[m.group(1).lower()], int(m.group(2)), int(m.group(3))
    return (year, month, day), m.end()


def _valid(date: tuple[int, int, int]) -> bool:
    y, m, d = date
    return 1900 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31


def _iso(date: tuple[int, int, int], clock: tuple[int, int, int | None] | None) -> str:
    y, m, d = date
    out = f"{y:04d}-{m:02d}-{d:02d}"
    if clock:
        h, mi, s = clock
        out += f"T{h:02d}:{mi:02d}" + (f":{s:02d}" if s is not None else "")
    return out
