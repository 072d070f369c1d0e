"""The line labels of the page splitter and their one-letter annotation codes."""

from __future__ import annotations

TITLE = "title"
BYLINE = "byline"
BODY = "body"
BOILERPLATE = "boilerplate"
FURNITURE = "furniture"
COMMENT_HEADER = "comment_header"
COMMENT_TEXT = "comment_text"
WIDGET_TITLE = "widget_title"

#: Every non-blank line (text pages) or text block (HTML pages) gets exactly one of these.
LINE_LABELS = (TITLE, BYLINE, BODY, BOILERPLATE, FURNITURE, COMMENT_HEADER, COMMENT_TEXT, WIDGET_TITLE)

#: One-letter codes used in the annotation files (data/pages/annotations/GUIDELINES.md).
CODES = {
    "T": TITLE,
    "Y": BYLINE,
    "B": BODY,
    "X": BOILERPLATE,
    "F": FURNITURE,
    "H": COMMENT_HEADER,
    "C": COMMENT_TEXT,
    "W": WIDGET_TITLE,
}

ARTICLE_LABELS = frozenset({TITLE, BYLINE, BODY})
COMMENT_LABELS = frozenset({COMMENT_HEADER, COMMENT_TEXT})
