"""Pages as sequences of blocks: one per non-blank line of a text dump, one per text block of HTML.

A :class:`Block` carries its text plus the layout facts a reader uses to see structure:
indentation and blank lines for text dumps; for HTML, the DOM around it (tag, heading level,
nesting of comment containers, class/id hints such as ``comment``, ``reply``, ``disqus``,
``byline``, ``nav``). ``data-gold``/``data-comment`` attributes (present only on rendered
training pages) are read into ``gold``/``gold_comment`` and never into features.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from moderate.errors import MissingExtraError
from moderate.pages.dates import date_spans
from moderate.pages.resources import load_dom_hints, load_phrases

_WS = re.compile(r"\s+")
_SPLIT_NAME = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])")

#: Elements whose content never shows on the page.
INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "head", "title", "object", "canvas", "select", "option", "textarea"})
#: Elements that start a new block of text.
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "button", "caption", "dd", "details", "dialog", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "html", "label", "legend", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
#: Words of running text after a leading author element (class/id hint ``author``) that make the
#: author a block of its own: "Name" then the comment, as the Facebook plugin shows them. A
#: header such as "Name • 3 years ago" stays one block.
AUTHOR_SPLIT_WORDS = 6
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


@dataclass
class Block:
    """One unit of page text, with its layout context."""

    text: str
    line: int
    indent: int = 0
    blank_before: bool = False
    blank_after: bool = False
    # HTML only (zeros for text dumps)
    tag: str = ""
    heading: int = 0
    depth: int = 0
    link_chars: int = 0
    hints: dict[str, float] = field(default_factory=dict)
    nest: int = 0
    container: int = -1
    # rendered training pages only
    gold: str | None = None
    gold_comment: int | None = None


def text_blocks(text: str) -> list[Block]:
    """One block per non-blank line; indentation counts tabs as four spaces."""
    lines = text.split("\n")
    blocks: list[Block] = []
    previous_blank = True
    for number, raw in enumerate(lines, 1):
        line = raw.replace("\t", "    ").replace("\xa0", " ").rstrip()
        stripped = line.lstrip(" ")
        if not stripped.strip():
            previous_blank = True
            if blocks:
                blocks[-1].blank_after = True
            continue
        blocks.append(Block(text=stripped.strip(), line=number, indent=len(line) - len(stripped), blank_before=previous_blank))
        previous_blank = False
    return blocks


# --------------------------------------------------------------------------------------------- HTML


def _lxml_html():
    try:
        import lxml.html
    except ImportError:  # pragma: no cover - lxml is a core dependency
        raise MissingExtraError("lxml", "html", "Reading HTML pages") from None
    return lxml.html


@lru_cache(maxsize=4096)
def _hint_scores(attr_text: str) -> tuple[tuple[str, float], ...]:
    tokens = {t.lower() for t in _SPLIT_NAME.split(attr_text) if t}
    joined = " ".join(sorted(tokens))
    out = []
    for name, pattern in load_dom_hints().items():
        if pattern.search(joined):
            out.append((name, 1.0))
    return tuple(out)


def _attr_text(el) -> str:
    parts = [el.get("class") or "", el.get("id") or "", el.get("role") or "", el.get("itemprop") or "", el.get("rel") or ""]
    return " ".join(p for p in parts if p)


def _hidden(el) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


_URL_WORD = re.compile(r"[^a-z0-9]+")


def _profile_link(href: str | None) -> bool:
    """Whether a link points at a person's profile (``resources/profile_links.txt``)."""
    return bool(href) and not load_phrases("profile_links").isdisjoint(_URL_WORD.split(href.lower()))


_SENTENCE_END = re.compile(r"[.!?…]['\")]*\s*$")


def _running_text(text: str) -> bool:
    """Whether ``text`` (what follows a leading author element) reads as a comment rather than
    the rest of a header ("• 3 years ago", "says:", "February 23, 2017 at 12:33 pm Reply")."""
    words = text.split()
    if not words or not (words[0][0].isalnum() or words[0][0] in "@\"'“"):
        return False
    first = words[0].lower().strip(".,:;!?\"'“”")
    if first in load_phrases("header_verbs") or first in load_phrases("header_words") or first in load_phrases("furniture"):
        return False
    if len(words) < AUTHOR_SPLIT_WORDS and any(ch.isdigit() for ch in text):
        return False
    if len(words) < 3 * AUTHOR_SPLIT_WORDS and date_spans(" ".join(words[:AUTHOR_SPLIT_WORDS + 2])):
        return False  # a date near the start: the header goes on
    return len(words) > 1 or bool(_SENTENCE_END.search(text))


class _Walker:
    """Collects text into blocks while walking the DOM once."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.gold: str | None = None
        self.gold_comment: int | None = None
        self.owner_ctx: tuple | None = None
        self.containers = 0  # comment containers seen so far: their numbers
        # where a leading author element ends, when running text follows it in the same block
        self.split_at: int | None = None
        self.split_links = 0
        self.gold_after: tuple[str | None, int | None] | None = None

    def has_text(self) -> bool:
        return any(p.strip() for p in self.parts)

    def flush(self) -> None:
        if not self.parts:
            return
        pieces = [("".join(self.parts), self.link_chars, (self.gold, self.gold_comment))]
        if self.split_at is not None:
            head, rest = "".join(self.parts[: self.split_at]), "".join(self.parts[self.split_at:])
            if _running_text(rest):
                # "Name" + the comment's text inline in one element (the Facebook plugin, "Name: text")
                pieces = [(head, self.split_links, (self.gold, self.gold_comment)),
                          (rest, self.link_chars - self.split_links, self.gold_after or (self.gold, self.gold_comment))]
        if self.owner_ctx is not None:
            tag, heading, depth, hints, nest, container, _ = self.owner_ctx
            for raw, links, (gold, gold_comment) in pieces:
                text = _WS.sub(" ", raw).strip()
                if text:
                    self.blocks.append(Block(
                        text=text, line=len(self.blocks) + 1, tag=tag, heading=heading, depth=depth,
                        link_chars=min(links, len(text)), hints=hints, nest=nest, container=container,
                        gold=gold, gold_comment=gold_comment,
                    ))
        self.parts = []
        self.link_chars = 0
        self.gold = None
        self.gold_comment = None
        self.split_at = None
        self.split_links = 0
        self.gold_after = None

    def add(self, text: str | None, in_link: bool, gold: tuple[str | None, int | None]) -> None:
        if not text:
            return
        if text.strip() and self.gold is None and gold[0] is not None:
            self.gold, self.gold_comment = gold
        if self.split_at is not None and text.strip() and self.gold_after is None and gold[0] is not None:
            self.gold_after = gold
        self.parts.append(text)
        if in_link:
            self.link_chars += len(text.strip())

    def walk(self, el, ctx: tuple, in_link: bool, gold: tuple[str | None, int | None]) -> None:
        parent_gold = gold  # an element's tail text belongs to its parent
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag:  # comments, processing instructions
            return
        tag = tag.lower().rsplit("}", 1)[-1]
        if tag in INVISIBLE_TAGS or _hidden(el):
            return
        if el.get("data-gold") is not None:
            comment = el.get("data-comment")
            gold = (el.get("data-gold"), int(comment) if comment not in (None, "") else None)
        own = dict(_hint_scores(_attr_text(el)))
        _tag, heading, depth, hints, nest, container, sigs = ctx
        merged = dict(hints)
        for key in own:
            merged[key] = merged.get(key, 0.0) + 1.0
            merged["self_" + key] = 1.0
        signature = _signature(tag, el.get("class"))
        if signature is not None:
            counts = dict(sigs)
            counts[signature] = counts.get(signature, 0) + 1
            sigs = counts
            nest = max(nest, counts[signature])
        if "comment" in own:
            # a number of our own: id() of an lxml proxy is reused once the proxy is freed, so two
            # containers could share one (and the pages' features changed from run to run)
            self.containers += 1
            container = self.containers
        for key in list(merged):
            if key.startswith("self_") and key[5:] not in own:
                del merged[key]
        is_block = tag in BLOCK_TAGS
        child_ctx = (tag if is_block else _tag, HEADINGS.get(tag, heading), depth + 1, merged, nest, container, sigs)
        if tag == "br":
            self.flush()
            self.add(el.tail, in_link, gold)
            return
        if is_block:
            self.flush()
            self.owner_ctx = child_ctx
        elif self.owner_ctx is None:
            self.owner_ctx = child_ctx
        link = in_link or tag == "a"
        leads = not is_block and not self.has_text()  # an inline element the block starts with
        author_lead = leads and self.split_at is None and ("author" in own or (tag == "a" and _profile_link(el.get("href"))))
        self.add(el.text, link, gold)
        for child in el:
            self.walk(child, child_ctx, link, gold)
            if is_block:
                self.owner_ctx = child_ctx
        if author_lead and self.has_text() and self.split_at is None:
            self.split_at, self.split_links = len(self.parts), self.link_chars
        elif leads and self.split_at is not None and len("".join(self.parts[self.split_at:]).split()) <= 3:
            # the author's name sits in a wrapper with a badge ("Name · Author"): cut after the wrapper
            self.split_at, self.split_links = len(self.parts), self.link_chars
        if is_block:
            self.flush()
            self.owner_ctx = ctx if ctx[0] else None
        self.add(el.tail, in_link, parent_gold)


_VOLATILE_CLASS = re.compile(r"\d|^(?:odd|even|alt|first|last|active|open|closed|collapsed|expanded|hidden|new|unread|thread-odd|thread-even|thread-alt|bypostauthor|byuser)$")


def _signature(tag: str, classes: str | None) -> str | None:
    """Tag plus stable class tokens: a nested reply repeats its parent's signature."""
    if not classes or tag not in BLOCK_TAGS:
        return None
    tokens = sorted(t for t in classes.split() if not _VOLATILE_CLASS.search(t))
    return tag + "." + ".".join(tokens) if tokens else None



def html_blocks(html: str) -> list[Block]:
    """Parse HTML with lxml and return its visible text as blocks in reading order."""
    lxml_html = _lxml_html()
    if not html.strip():
        return []
    try:
        root = lxml_html.document_fromstring(html)
    except Exception:  # noqa: BLE001 - lxml raises several types for junk input
        try:
            root = lxml_html.fragment_fromstring(html, create_parent="div")
        except Exception:  # noqa: BLE001
            return text_blocks(re.sub(r"<[^>]+>", "\n", html))
    walker = _Walker()
    body = root.find("body")
    start = body if body is not None else root
    walker.walk(start, ("", 0, 0, {}, 0, -1, {}), False, (None, None))
    walker.flush()
    blocks = walker.blocks
    _renumber_containers(blocks)
    return blocks


def _renumber_containers(blocks: list[Block]) -> None:
    mapping: dict[int, int] = {}
    for block in blocks:
        if block.container >= 0:
            block.container = mapping.setdefault(block.container, len(mapping))


def page_title(html: str) -> str | None:
    """The document's ``<title>`` text, if any (used as a hint for the article title)."""
    m = re.search(r"<title[^>]*>(.*?)</title>", html[:200000], re.IGNORECASE | re.DOTALL)
    if not m:
        return None
    title = _WS.sub(" ", re.sub(r"<[^>]+>", "", m.group(1))).strip()
    return title or None
