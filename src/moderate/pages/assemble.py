"""From labelled blocks to records: the article, each comment, and the boilerplate.

The classifier says what each block is; this module decides which blocks make one comment,
who wrote it and when, which comment it answers, and which story a widget comment is about.
Every block ends up in exactly one place (``PageSplit.labels`` and ``PageSplit.comment_of``
record where), so nothing on the page is lost or invented.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from moderate.pages import labels as L
from moderate.pages.blocks import Block
from moderate.pages.dates import DateReader, date_spans
from moderate.pages.resources import load_phrases

_SEPARATORS = re.compile(r"\s*(?:\||•|·|–|—|\s/\s|(?<!:):\s|:$|,\s|\(|\)|\[|\]|›|»|→|↪|▸|▶)\s*")  # arrows: "Ann → Bob" (a reply)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# "#3 Bob", "3. Bob", "3) Bob", and a bare comment number before a word: "21 Nicole | June 25th"
_NUMBER_TOKEN = re.compile(r"#?\d+[.):]?")
_LEADING_NUMBER = re.compile(r"^\s*(?:#\s?\d+|\d+[.)]|\d{1,4}(?=\s+[^\W\d_]))\s*")
_PAREN_NUM = re.compile(r"\(#?\d+\)|#\d{3,}")
_REPLY_TO = re.compile(r"^\s*(?:in reply to|replying to|reply to|re:|antwort an|en réponse à|en respuesta a|in risposta a)\s+@?(.+?)\s*:?\s*$", re.IGNORECASE)
#: "1 anno fa", "2 dagen geleden", "vor 3 Tagen": a number, any unit word and an "ago" word, in any
#: language (relative_time.txt lists the common units; a header must not keep an unlisted one).
_AGO = re.compile(r"(?<!\w)(?:\d+|an?|one|un[oae]?|ein(?:e[mr]?)?)\s+\w+\s+(?:ago|fa|geleden|atrás|sedan|siden|temu)\b"
                  r"|\b(?:vor|il y a|hace|há)\s+(?:\d+|einem|einer|un[ea]?|uno|una)\s+\w+", re.IGNORECASE)


@dataclass
class Comment:
    index: int
    author: str | None
    posted_at: str | None
    text: str
    reply_to: int | None = None
    about: str | None = None
    blocks: list[int] = field(default_factory=list)
    level: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index, "author": self.author, "posted_at": self.posted_at, "text": self.text,
            "reply_to": self.reply_to, "about": self.about,
        }


@dataclass
class PageSplit:
    """The split of one page. ``labels[i]`` and ``comment_of[i]`` say where block ``i`` went."""

    source: str
    article: dict[str, Any]
    comments: list[Comment]
    boilerplate: list[str]
    blocks: list[Block]
    labels: list[str]
    comment_of: list[int | None]
    fmt: str = "text"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "article": dict(self.article),
            "comments": [c.to_dict() for c in self.comments],
            "boilerplate": list(self.boilerplate),
        }


#: Displayed names that are also furniture words: keep them as authors.
_NAME_WORDS = frozenset({"anonymous", "guest", "member", "moderator", "staff", "verified", "name"})


@cache
def _not_names() -> frozenset[str]:
    words = (load_phrases("furniture") - _NAME_WORDS) | {"published", "updated", "posted", "last", "modified"}
    return frozenset(words) | load_phrases("name_prepositions") | load_phrases("weekdays")  # "lundi 2 mars 2020": the date goes, "lundi" too


@cache
def _leads() -> tuple[tuple[str, ...], ...]:
    """Words before a name ("posted by", "écrit par"; data: name_leads.txt), longest first."""
    return tuple(sorted((tuple(p.split()) for p in load_phrases("name_leads")), key=len, reverse=True))


def _strip_badges(words: list[str]) -> list[str]:
    """``words`` without a trailing badge ("Top Commenter"; data: name_badges.txt) or vote count
    ("John 0 points" leaves "John 0"), as long as a name remains."""
    badges = load_phrases("name_badges")
    changed = True
    while changed and len(words) > 1:
        changed = False
        if words[-1].isdigit():
            words, changed = words[:-1], True
            continue
        for k in (3, 2, 1):
            if len(words) > k and " ".join(words[-k:]).lower().strip(".,:;!·•") in badges:
                words, changed = words[:-k], True
                break
    return words


_OPENING_QUOTES = frozenset("“„«‘‚\"'")


def _ends_name(word: str, rest: list[str]) -> bool:
    """Whether the preposition ``word`` followed by ``rest`` ends the name before it: "Ann on"
    (its date was cut out), "Ann at 5 pm", "Ann on Tuesday", "Ann in reply to Bob", "Giulia su
    “<title>”", "Ann on <a story's title>"; not "Sammy de Leon", "Martine in Halifax" or "White on
    Rice Couple", names the sites show whole (at most three words after the preposition). A name
    particle ("Jan de Vries op <title>") needs more than a long rest: nothing after it, a
    furniture word or a non-word."""
    strong = (not rest or rest[0] in _not_names() or not any(ch.isalpha() for ch in rest[0])
              or rest[0][0] in _OPENING_QUOTES)  # "Ana em “Brexit”": a quoted title follows
    return strong or (len(rest) > 3 and word not in load_phrases("name_particles"))


def _strip_place(words: list[str]) -> list[str]:
    """``words`` without a trailing place printed in capitals ("Robert NETHERLANDS", "dija SAUDI
    ARABIA"; data: places.txt), as long as a name remains. A surname in capitals ("Kazim
    ŞENOCAK", "Patrice VIALOR") is not a place and stays."""
    for k in (3, 2, 1):
        tail = words[-k:]
        if (len(words) > k and all(w.isupper() for w in tail) and " ".join(tail).lower().strip(".,") in load_phrases("places")
                and words[-k - 1].lower() not in load_phrases("name_prepositions")):  # "Beatriz in UNITED STATES" is the name shown
            return words[:-k]
    return words


@cache
def _field_labels() -> re.Pattern[str]:
    """A form label and its colon ("Name: Horst", "Date: 12.03.2014", a lone "Name:" line;
    data: field_labels.txt): never the name itself."""
    alternatives = sorted((_phrase_pattern(p) for p in load_phrases("field_labels")), key=len, reverse=True)
    return re.compile(r"(?:^|(?<=\s))(?:" + "|".join(alternatives) + r")\s*:(?=\s|$)", re.IGNORECASE)


def _trim_name(text: str) -> str:
    """``text`` without surrounding separators and stray "@"s, but a handle's "@" stays
    ("@bkajino" is the name the page shows)."""
    name = text.strip(" ,:;-–—'\"/@")
    if text.lstrip(" ,:;-–—'\"/").startswith("@" + name[:1]) and (name[:1].isalnum() or name[:1] == "_"):
        name = "@" + name
    return name


def _letters(text: str) -> str:
    return re.sub(r"[\W_]", "", text).lower()


def _drop_handle_twin(words: list[str]) -> list[str]:
    """A username shown beside the same person's full name ("pamelajones Pamela Jones", "Pamela
    Jones pamelajones"): the full name."""
    if len(words) >= 3:
        if _letters(words[0]) == _letters("".join(words[1:])):
            return words[1:]
        if _letters(words[-1]) == _letters("".join(words[:-1])):
            return words[:-1]
    return words


@lru_cache(maxsize=65536)
def clean_name(line: str) -> str | None:
    """The person's name in a comment header or byline line, if it shows one (cached: a comment's
    header lines are read more than once, and a site repeats its staff's)."""
    text = _field_labels().sub(" | ", line)
    text = _AGO.sub(" | ", text)
    for a, b in reversed(date_spans(text)):
        text = text[:a] + " | " + text[b:]
    text = _PAREN_NUM.sub(" | ", text)
    text = _URL.sub(" | ", text)
    text = _LEADING_NUMBER.sub("", text)
    for chunk in _SEPARATORS.split(text):
        words = chunk.split()
        lowered = [w.lower().strip(".,:;…") for w in words]
        # strip leading "by" / "posted by"
        whole = " ".join(lowered)
        if whole in load_phrases("signoffs") or whole in load_phrases("withheld_names") or whole in load_phrases("field_labels") or (
                whole in load_phrases("name_badges") and whole not in _NAME_WORDS):
            continue  # "Cheers, rider_anon", "Top Commenter", "Name withheld", a label without its colon: the name is elsewhere
        changed = True
        while changed and lowered:
            changed = False
            for parts in _leads():
                if tuple(lowered[:len(parts)]) == parts:
                    words, lowered = words[len(parts):], lowered[len(parts):]
                    changed = True
                    break
            # "Comment #1 by andrewwalker": furniture words and numbers before a lead go too
            if not changed and len(words) > 1 and (lowered[0].strip(".,:;!") in _not_names()
                                                   or _NUMBER_TOKEN.fullmatch(lowered[0])):
                words, lowered = words[1:], lowered[1:]
                changed = True
        cut = len(words)
        verbs = load_phrases("header_verbs")
        prepositions = load_phrases("name_prepositions")
        for i, w in enumerate(lowered):
            if any(" ".join(lowered[i:i + k]) in verbs for k in (1, 2, 3)) or (i > 0 and w in prepositions and _ends_name(w, lowered[i + 1:])):
                cut = i
                break
        words = words[:cut]
        while words and words[-1].lower().strip(".,:;!") in _not_names():
            words = words[:-1]
        words = _drop_handle_twin(_strip_place(_strip_badges(words)))
        while words and words[0].lower().strip(".,:;!") in _not_names():
            words = words[1:]
        name = _trim_name(" ".join(words))
        last = name.rsplit(" ", 1)[-1]
        if name.endswith(".") and not (len(last) <= 4 or "." in last[:-1]):
            name = name.rstrip(".")
        if name and len(name) <= 60 and len(words) <= 6 and any(ch.isalpha() for ch in name):
            return name
    return None


def _initials(name: str) -> str:
    """First letters of a name's words, also at inner capitals ("ReasonCat": "RC")."""
    return "".join(re.findall(r"(?:(?<![^\W\d_])|(?<=[a-z])(?=[A-Z]))([^\W\d_])", name)).upper()


def _monogram(short: str, name: str) -> bool:
    """Whether ``short`` is an avatar's letters for ``name`` ("IR" for "Ikran Richardson", "O"
    for "@Omar", "DO" for "data_oak"): one to three capitals that start its initials."""
    return (len(short) <= 3 and short.isalpha() and short.isupper() and len(name) > len(short)
            and (_initials(name).startswith(short) or name.lstrip("@").upper().startswith(short)))


def pick_author(names: Iterable[str | None]) -> str | None:
    """The comment's author among the names read off its header lines (None where a line shows
    none): the first, unless it is only the avatar's letters of the next name (card layouts show
    "JD" above "Jane Doe"). Reads no further than it needs (``names`` may be lazy)."""
    letters = None
    for name in names:
        if not name:
            continue
        if letters is not None:
            return name if _monogram(letters, name) else letters
        if not (len(name) <= 3 and name.isalpha() and name.isupper()):
            return name
        letters = name
    return letters


def date_text(line: str) -> str | None:
    spans = date_spans(line)
    if not spans:
        return None
    return line[spans[0][0]:spans[-1][1]].strip(" |,") or None


def assemble(
    blocks: list[Block], labels: list[str], source: str = "<page>", fmt: str = "text",
    starts: list[bool] | None = None,
) -> PageSplit:
    """Build the page's records from block labels; ``starts[i]`` says whether comment block ``i``
    starts a new comment (from :class:`~moderate.pages.segment.CommentSegmenter`; without it a
    comment starts at every header that follows a non-header)."""
    n = len(blocks)
    labels = list(labels)
    reader = DateReader(b.text for b, lab in zip(blocks, labels) if lab in (L.COMMENT_HEADER, L.BYLINE))
    comment_of: list[int | None] = [None] * n
    signed = _signatures(blocks, labels)
    groups = _split_after_signatures(_one_header_each(_group_comments(labels, starts), blocks, labels), labels, signed)
    comments: list[Comment] = []
    for k, members in enumerate(groups):
        for i in members:
            comment_of[i] = k
        headers = [blocks[i].text for i in members if labels[i] == L.COMMENT_HEADER]
        text_rows = [i for i in members if labels[i] == L.COMMENT_TEXT]
        texts = [blocks[i].text for i in text_rows]
        author = pick_author(map(clean_name, headers))
        posted = None
        for h in headers:
            posted = reader.read(h)
            if posted:
                break
        if posted is None:
            posted = next((d for d in map(date_text, headers) if d), None)
        if author is None and text_rows and text_rows[-1] in signed:  # "... —Jane (talk) 12:03, 3 March 2021"
            cut, author, stamp = signed[text_rows[-1]]
            texts[-1] = texts[-1][:cut].rstrip()
            posted = posted or reader.read(stamp) or date_text(stamp)
        first = blocks[members[0]]
        level = first.nest if fmt == "html" else first.indent
        comments.append(Comment(k, author, posted, "\n\n".join(texts), blocks=members, level=level))
    _inline_authors(comments)
    _link_replies(comments, blocks, labels)
    _attach_widgets(comments, labels, blocks, comment_of)
    article = _article(blocks, labels, reader)
    boilerplate = [b.text for b, lab in zip(blocks, labels) if lab in (L.BOILERPLATE, L.FURNITURE)]
    return PageSplit(source, article, comments, boilerplate, blocks, labels, comment_of, fmt)


#: What may follow a signature's date at the end of a line: a time zone, a reply link.
_AFTER_SIGNATURE = re.compile(r"[\s.,;)\]]*(?:\((?:UTC|GMT|CET|CEST|EST|EDT|PST|PDT)\))?[\s.]*(?:\[?reply\]?)?\s*", re.IGNORECASE)
#: The mark before a signature: a dash or two, or "~".
_SIGNATURE_MARK = re.compile(r"(?:—|–|--|~|(?<=\s)-)\s*")
_DIGIT = re.compile(r"\d")
_WIKI_SIGNATURE = re.compile(r"(?:^|(?<=\s))(?=\S+(?: \S+){0,2} \((?:talk|contribs)\b)")


@cache
def _signature_leads() -> re.Pattern[str]:
    """A signature's opening words ("... Posted by Ann at 10:32 AM on March 3, 2014"): the
    phrases of name_leads.txt of two words or more ("posted by", "écrit par"; a lone "by" is
    too common in a sentence), or a "(" ("... (Ann, Leeds, 3 March 2021)")."""
    phrases = sorted((p for p in load_phrases("name_leads") if " " in p), key=len, reverse=True)
    return re.compile(r"(?:(?:^|(?<=\s))(?:" + "|".join(map(_phrase_pattern, phrases)) + r")|(?<=\s)\()\s*", re.IGNORECASE)


def signature(text: str) -> tuple[int, str, str] | None:
    """A signature ending a comment's text line ("... —Jane Doe (talk) 12:03, 3 March 2021 (UTC)",
    "... -- Ann, 3/4/2014"): where it starts, the name and the date text; None without one (the
    line must end with a date, after a dash and at most a short name)."""
    if not _DIGIT.search(text, max(len(text) - 40, 0)):  # cheap: most lines end far from any digit
        return None
    tail_start = max(len(text) - 200, 0)
    tail = text[tail_start:]
    if not _SIGNATURE_MARK.search(tail) and not _signature_leads().search(tail):
        return None  # no dash, "~", lead phrase or " (" (a wiki's " (talk)" too): no signature to find
    spans = date_spans(tail)
    if not spans or not _AFTER_SIGNATURE.fullmatch(tail, spans[-1][1]) or not _DIGIT.search(tail, spans[-1][0], spans[-1][1]):
        return None  # no date at the end (a weekday alone is not a stamp)
    date_start = spans[-1][0]
    while len(spans) > 1 and spans[-2][1] >= date_start - 4:  # "12:03, 3 March 2021", "3:30 AM on 20 March 2014": one stamp
        spans = spans[:-1]
        date_start = spans[-1][0]
    marks = list(_SIGNATURE_MARK.finditer(tail, max(date_start - 80, 0), date_start))
    # a "(" opens a signature only after a sentence ("Quote (msoak @ Aug 23rd, 2016)" is none) and
    # when it closes after the date, not "(talk)" before it
    marks += (m for m in _signature_leads().finditer(tail, max(date_start - 80, 0), date_start)
              if not m.group().startswith("(")
              or (")" not in tail[m.end():date_start] and len(text[:tail_start + m.start()].split()) >= 3))
    marks.sort(key=lambda m: m.start())
    if not marks:  # a wiki's "Jane Doe (talk) 12:03, ..." has no dash: the name starts a sentence
        words = list(_WIKI_SIGNATURE.finditer(tail, max(date_start - 80, 0), date_start))
        marks = [m for m in words if not tail[:m.start()].strip() or tail[:m.start()].rstrip()[-1] in ".!?)"][-1:] or words[-1:]
    if not marks:
        return None
    name = clean_name(tail[marks[-1].end():date_start])
    if not name:
        return None
    return tail_start + marks[-1].start(), name, tail[date_start:]


def _signatures(blocks: list[Block], labels: list[str]) -> dict[int, tuple[int, str, str]]:
    """The comment-text blocks that end with a signature, when the page signs its comments (at
    least two such blocks: one dash and date at the end of a comment is not a layout)."""
    found = {i: sig for i, b in enumerate(blocks) if labels[i] == L.COMMENT_TEXT and (sig := signature(b.text))}
    return found if len(found) >= 2 else {}


def _split_after_signatures(groups: list[list[int]], labels: list[str], signed: dict) -> list[list[int]]:
    """A signed text line ends its comment: what follows it starts another one."""
    if not signed:
        return groups
    out: list[list[int]] = []
    for group in groups:
        current: list[int] = []
        for k, i in enumerate(group):
            current.append(i)
            if i in signed and k + 1 < len(group) and labels[group[k + 1]] == L.COMMENT_TEXT:
                out.append(current)
                current = []
        if current:
            out.append(current)
    return out


def end_tight_sections(blocks: list[Block], labels: list[str], chrome: list[bool], min_tight: int = 4) -> list[str]:
    """A text page whose comment section runs without a single blank line (headers and texts on
    consecutive lines) ends that section at its first blank line: comment-text blocks after a
    blank line, up to the next non-comment block, are boilerplate when every one of them looks
    like site chrome (``chrome[i]``: the site's own name or boilerplate vocabulary; a site's
    promotion box right after the last comment) and no comment header follows them (which would
    show the section goes on). Needs ``min_tight`` blank-free steps and two headers in the run
    before the blank line."""
    out = list(labels)
    comment = (L.COMMENT_HEADER, L.COMMENT_TEXT)
    i, n = 0, len(blocks)
    while i < n:
        if out[i] not in comment:
            i += 1
            continue
        tight, headers = 0, int(out[i] == L.COMMENT_HEADER)
        i += 1
        while i < n and out[i] in comment and not blocks[i].blank_before:
            tight += 1
            headers += out[i] == L.COMMENT_HEADER
            i += 1
        if i >= n or out[i] != L.COMMENT_TEXT or tight < min_tight or headers < 2:
            continue
        tail = i
        while tail < n and out[tail] == L.COMMENT_TEXT:
            tail += 1
        if (tail < n and out[tail] == L.COMMENT_HEADER) or not all(chrome[i:tail]):
            i = tail
            continue
        for k in range(i, tail):
            out[k] = L.BOILERPLATE
        i = tail
    return out


def _has_date(text: str) -> bool:
    return bool(date_spans(text))


def _group_comments(labels: list[str], starts: list[bool] | None) -> list[list[int]]:
    groups: list[list[int]] = []
    previous = None
    for i, lab in enumerate(labels):
        if lab not in L.COMMENT_LABELS:
            continue
        if starts is not None:
            new = starts[i] or not groups
        else:
            new = not groups or (lab == L.COMMENT_HEADER and previous != L.COMMENT_HEADER)
        if new:
            groups.append([i])
        else:
            groups[-1].append(i)
        previous = lab
    return groups


_INLINE_NAME = re.compile(r"([^\s:]{1,30}(?: [^\s:]{1,30}){0,2})(?:: | [-–—] )(?=\S)")
_INLINE_BRACKET = re.compile(r"<([^\s<>]{1,30}(?: [^\s<>]{1,30}){0,2})> (?=\S)")


def _phrase_pattern(phrase: str) -> str:
    """A data-file phrase as a regex: literal, any run of whitespace between its words."""
    return re.escape(phrase).replace("\\ ", r"\s+")


@cache
def _inline_verb() -> re.Pattern[str]:
    """ "Name says: text", "Name wrote - text": a name, a header verb (data: header_verbs.txt), then the text."""
    verbs = sorted(load_phrases("header_verbs"), key=len, reverse=True)
    alternatives = "|".join(map(_phrase_pattern, verbs))
    return re.compile(r"([^\s:]{1,30}(?: [^\s:]{1,30}){0,2}?)[ \t]+(?:" + alternatives + r")[ \t]*(?:[:,]|[-–—])[ \t]+(?=\S)",
                      re.IGNORECASE)


#: A chat log's clock time or stream offset before the name ("12:03 PM", "[12:03]", "0:42").
_CLOCK_LEAD = re.compile(r"[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp]\.?[Mm]\.?)?[\])]?\s+(?=\S)")
#: A handle opening the text with no separator ("janedoe_88 This is so true"): it has a digit,
#: "_" or "." inside and does not end with a dot ("e.g.").
_INLINE_HANDLE = re.compile(r"([A-Za-z][A-Za-z0-9]*[_\d.][A-Za-z0-9._]*[A-Za-z0-9_])\s+(?=\S)")
#: After a chat log's clock time, the next word is the nick ("12:33 MichellePape text",
#: "14:41 saskiav │ Agreed.").
_CHAT_NICK = re.compile(r"([^\s:│|<>\[\]]{1,30})(?:\s+[│|])?\s+(?=\S)")


def _inline_name(text: str, chat: bool = False) -> re.Match[str] | None:
    """The match of an author's name opening ``text`` in one of the inline forms ("Name: text",
    "Name says: text", "Name - text", "<Name> text"; group 1 the name), or None: the prefix must
    read as a name as it stands and not be a paragraph's lead ("Update:", "I think:").
    ``chat``: also after a clock time ("[12:03] <jane> text") and a bare handle ("janedoe_88 text")."""
    start = 0
    if chat and (lead := _CLOCK_LEAD.match(text)):
        start = lead.end()
    m = _INLINE_BRACKET.match(text, start) or _inline_verb().match(text, start) or _INLINE_NAME.match(text, start)
    if m is None and chat:
        m = _INLINE_HANDLE.match(text, start) or (_CHAT_NICK.match(text, start) if start else None)
    return m if m and clean_name(m.group(1)) == m.group(1) and not _text_lead(m.group(1)) else None


def inline_named(text: str) -> bool:
    """Whether ``text`` opens with an author's name in one of the inline forms."""
    return _inline_name(text) is not None


@cache
def _text_leads() -> frozenset[str]:
    """Paragraph leads that are not names (data: text_leads.txt), dots removed."""
    return frozenset(lead.replace(".", "") for lead in load_phrases("text_leads"))


def _text_lead(name: str) -> bool:
    """Whether a would-be inline name is really a paragraph's lead: its first word, first two
    words or whole text is in text_leads.txt ("Update", "I think", "Side note")."""
    leads = _text_leads()
    words = name.lower().replace(".", "").strip(",:;!<>-").split()
    return bool(words) and (words[0] in leads or " ".join(words[:2]) in leads or " ".join(words) in leads)


def _inline_authors(comments: list[Comment]) -> None:
    """Headerless comments written "Name: text" (or "Name says: text", "Name - text",
    "<Name> text"; failing those, a chat log's "[12:03] jane: text" or a photo app's
    "janedoe_88 text") take their author from the prefix - but only when most headerless
    comments of the page do it (a lone "Update: ..." is not a name)."""
    candidates = [c for c in comments if c.author is None and c.text]
    for chat in (False, True):  # the chat forms only where the plain ones do not make the page
        hits = [(c, m) for c, m in ((c, _inline_name(c.text, chat)) for c in candidates) if m]
        if len(hits) >= 2 and len(hits) >= 0.6 * len(candidates):
            break
    else:
        return
    for c, m in hits:
        c.author = m.group(1)
        c.text = c.text[m.end():]


def _one_header_each(groups: list[list[int]], blocks: list[Block], labels: list[str]) -> list[list[int]]:
    """A comment has one author: a header line that names someone else and dates the comment
    again starts a new comment (two header-only comments in a row are two comments)."""
    out: list[list[int]] = []
    for group in groups:
        current: list[int] = []
        seen_name = None
        for i in group:
            name = None
            if labels[i] == L.COMMENT_HEADER and _has_date(blocks[i].text):
                name = clean_name(blocks[i].text)
            if name and seen_name and name != seen_name and current:
                out.append(current)
                current = []
            if name:
                seen_name = name
            current.append(i)
        out.append(current)
    return out


def _link_replies(comments: list[Comment], blocks: list[Block], labels: list[str]) -> None:
    """``reply_to`` from nesting (the nearest earlier comment one level up), overridden by a
    reply that names an earlier comment's author ("@Ann", "Re Ann:", "To Ann:", "↪ Ann", a
    "Replying to Ann" line); a text that merely starts with an earlier author's name ("Ann, I
    agree") links to that author when nesting says nothing."""
    levels = [c.level for c in comments]
    up = nearest_lower(levels) if len(set(levels)) > 1 else [None] * len(comments)
    authors = _Authors()
    for k, c in enumerate(comments):
        parent = up[k]
        name, explicit = _addressed_name(c, blocks, labels)
        if name and (explicit or parent is None):
            match = authors.latest(name, min_len=2 if explicit else 3)
            if match is not None:
                parent = match
        c.reply_to = parent
        authors.add(k, c.author)


@cache
def _reply_prefix() -> re.Pattern[str]:
    """A reply's opening words (data: reply_prefixes.txt), then the name replied to."""
    phrases = sorted(load_phrases("reply_prefixes"), key=len, reverse=True)
    words = [_phrase_pattern(p) for p in phrases if p[-1:].isalnum()]
    marks = [re.escape(p) for p in phrases if not p[-1:].isalnum()]
    alternatives = [w + r"\s+" for w in words] + [m + r"\s*" for m in marks]
    return re.compile(r"^\s*(?:" + "|".join(alternatives) + r")@?", re.IGNORECASE)


def _addressed_name(c: Comment, blocks: list[Block], labels: list[str]) -> tuple[str | None, bool]:
    """The start of the text a reply addresses (a name, then anything) and whether a reply
    marker introduced it (False: the comment's text merely starts there)."""
    start, end = c.blocks[0], c.blocks[-1]
    for i in range(max(start - 1, 0), end + 1):
        m = _REPLY_TO.match(blocks[i].text)
        if m and labels[i] in (L.FURNITURE, L.COMMENT_HEADER, L.BOILERPLATE):
            return m.group(1), True
    text = c.text.lstrip()
    m = _reply_prefix().match(text)
    if m and m.end() < len(text):
        return text[m.end():m.end() + 80], True
    return (text[:80] or None), False


def nearest_lower(levels: list[int]) -> list[int | None]:
    """For each position, the nearest earlier position of a strictly lower level (None if none):
    a stack of earlier positions whose levels rise towards its top, one pass."""
    out: list[int | None] = []
    below: list[int] = []
    for k, level in enumerate(levels):
        while below and levels[below[-1]] >= level:
            below.pop()
        out.append(below[-1] if below else None)
        below.append(k)
    return out


class _Authors:
    """The comments seen so far by lower-cased author name (the latest of each). :meth:`latest`
    finds the latest earlier comment whose author's name (at least ``min_len`` characters)
    starts the addressed text and ends at a word boundary, the longest such name winning, with
    one lookup per word boundary instead of a pass over every earlier comment (a page of 21,000
    comments took minutes)."""

    def __init__(self) -> None:
        self._latest: dict[str, int] = {}

    def add(self, index: int, author: str | None) -> None:
        if author:
            self._latest[author.lower()] = index
            if author.startswith("@") and len(author) > 1:  # "@debbie" is addressed as "@debbie" or "debbie"
                self._latest[author[1:].lower()] = index

    def latest(self, addressed: str, min_len: int = 1) -> int | None:
        target = addressed.lower()
        for end in range(len(target), max(min_len, 1) - 1, -1):  # longest name first
            if end == len(target) or not target[end:end + 1].isalnum():
                j = self._latest.get(target[:end])
                if j is not None:
                    return j
        return None


def _attach_widgets(comments: list[Comment], labels: list[str], blocks: list[Block], comment_of: list[int | None]) -> None:
    titles = [i for i, lab in enumerate(labels) if lab == L.WIDGET_TITLE]
    if not titles:
        return
    trailing = titles[0] > 0 and labels[titles[0] - 1] in L.COMMENT_LABELS
    for t in titles:
        text = blocks[t].text
        step = -1 if trailing else 1
        j = t + step
        if not trailing:
            while 0 <= j < len(labels) and labels[j] in (L.FURNITURE, L.BOILERPLATE) and j - t <= 2:
                j += step
        while 0 <= j < len(labels) and labels[j] in L.COMMENT_LABELS:
            k = comment_of[j]
            if k is not None and comments[k].about is None:
                comments[k].about = text
            j += step
    for c in comments:
        if c.about is not None and c.reply_to is not None and comments[c.reply_to].about != c.about:
            c.reply_to = None


def _article(blocks: list[Block], labels: list[str], reader: DateReader) -> dict[str, Any]:
    title_parts: list[str] = []
    for i, lab in enumerate(labels):
        if lab == L.TITLE:
            if title_parts and labels[i - 1] != L.TITLE:
                break
            if blocks[i].text not in title_parts:
                title_parts.append(blocks[i].text)
    byline = None
    published = None
    for b, lab in zip(blocks, labels):
        if lab != L.BYLINE:
            continue
        if byline is None:
            name = clean_name(b.text)
            if name and not _has_date(name):
                byline = name
        if published is None:
            published = reader.read(b.text)
    body = "\n\n".join(b.text for b, lab in zip(blocks, labels) if lab == L.BODY)
    return {"title": " ".join(title_parts) or None, "byline": byline, "published": published, "body": body}
