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
from moderate.pages.resources import load_dom_hints

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

    def flush(self) -> None:
        if not self.parts:
            return
        text = _WS.sub(" ", "".join(self.parts)).strip()
        if text and self.owner_ctx is not None:
            tag, heading, depth, hints, nest, container, _ = self.owner_ctx
            self.blocks.append(Block(
                text=text, line=len(self.blocks) + 1, tag=tag, heading=heading, depth=depth,
                link_chars=min(self.link_chars, len(text)), hints=hints, nest=nest, container=container,
                gold=self.gold, gold_comment=self.gold_comment,
            ))
        self.parts = []
        self.link_chars = 0
        self.gold = None
        self.gold_comment = None

    def add(self, text: str | None, in_link: bool, gold: tuple[str | None, int | None]) -> None:
        if not text:
            return
        if text.strip() and self.gold is None and gold[0] is not None:
            self.gold, self.gold_comment = gold
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
        self.add(el.text, link, gold)
        for child in el:
            self.walk(child, child_ctx, link, gold)
            if is_block:
                self.owner_ctx = child_ctx
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
