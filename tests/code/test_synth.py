"""Synthetic page generator: truth invariants for every layout, both formats, determinism."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from lxml import html as lxml_html

from moderate.pages import labels as L
from moderate.pages import synth

ARTICLE = {
    "title": "Palmyra falls again to Islamic State fighters",
    "paragraphs": [
        "Islamic State fighters retook the ancient city of Palmyra on Sunday, officials in Damascus said.",
        "The Syrian Army had captured the city in March with Russian air support. Reports say 4,000 militants took part in the assault.",
        "Russian goals",
        "UNESCO called the loss a tragedy for world heritage and asked both sides to spare the Roman amphitheatre.",
        "Analysts in Beirut said the attack was a propaganda coup. \"They needed a victory,\" one said.",
    ],
    "related_titles": [
        "German girl who joined ISIS wants to leave Iraq",
        "New Gorran leader: We can achieve objectives through dialogue",
        "Sergey Lavrov: Referendum is an expression of aspirations",
        "Al-Qaida in Syria close to snuffing out competition",
        "Oil prices climb as supply worries grow",
    ],
}

COMMENTS = [
    "I agree with this.",
    "This is nonsense.\n\nSecond paragraph of the same comment.",
    "Why would anyone believe the Russian press?",
    "lol",
    "Palmyra was handed over by Assad, plain and simple.\nAnd everyone knew it.",
    "The militants will destroy it all this time.",
    "Another reader's view, with some more words in it than the others.",
    "Source? I would like to read more about the troop numbers.",
    "Good article, thanks.",
    "History repeats itself, first as tragedy, then as farce.",
    "Nobody in Europe cares about this any more.",
    "They should have protected the site when they had the chance.",
]

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$")
SEEDS = (0, 1, 2)


def _render(layout: str, seed: int, fmt: str, comments=COMMENTS) -> synth.RenderedPage:
    return synth.render_page(ARTICLE, list(comments), layout, np.random.default_rng(seed), fmt)


def _check_comment_truth(page: synth.RenderedPage) -> None:
    n = len(page.comments)
    assert [c["index"] for c in page.comments] == list(range(n))
    for c in page.comments:
        assert set(c) == {"index", "author", "posted_at", "text", "reply_to", "about"}
        if c["reply_to"] is not None:
            assert 0 <= c["reply_to"] < c["index"]
        if c["posted_at"] is not None:
            assert ISO.match(c["posted_at"]), c["posted_at"]
        if c["about"] is not None:
            assert c["about"] in ARTICLE["related_titles"]
    art = page.article
    assert art["body"] == "\n\n".join(ARTICLE["paragraphs"])
    assert art["title"] in ("", ARTICLE["title"])
    if art["published"] is not None:
        assert ISO.match(art["published"])


def test_layout_sets():
    assert len(synth.LAYOUTS) >= 16
    assert len(synth.HELDOUT_LAYOUTS) >= 4
    assert not set(synth.HELDOUT_LAYOUTS) & set(synth.TRAIN_LAYOUTS)
    assert not set(synth.EXPERIMENTAL_LAYOUTS) & (set(synth.TRAIN_LAYOUTS) | set(synth.HELDOUT_LAYOUTS))
    assert set(synth.HELDOUT_LAYOUTS) | set(synth.TRAIN_LAYOUTS) | set(synth.EXPERIMENTAL_LAYOUTS) == set(synth.LAYOUTS)
    assert len(set(synth.LAYOUTS)) == len(synth.LAYOUTS)


@pytest.mark.parametrize("layout", synth.LAYOUTS)
def test_text_pages(layout):
    for seed in SEEDS:
        page = _render(layout, seed, "text")
        assert page.fmt == "text" and page.layout == layout
        assert "\n".join(g.text for g in page.lines) == page.text
        by_comment: dict[int, list] = {}
        for g in page.lines:
            if g.text.strip():
                assert g.label in L.LINE_LABELS, g
            else:
                assert g.label is None and g.comment is None
            if g.label in L.COMMENT_LABELS:
                assert g.comment is not None, g
                by_comment.setdefault(g.comment, []).append(g)
            else:
                assert g.comment is None, g
        _check_comment_truth(page)
        assert sorted(by_comment) == list(range(len(page.comments)))
        for c in page.comments:
            lines = by_comment[c["index"]]
            texts = [g.text for g in lines if g.label == L.COMMENT_TEXT]
            for para in filter(None, c["text"].split("\n\n")):
                assert any(para in t for t in texts), (layout, seed, para, texts)
            if c["author"] is not None:
                assert any(c["author"] in g.text for g in lines), (layout, seed, c["author"], lines)
        titles = [g.text.strip() for g in page.lines if g.label == L.TITLE]
        assert all(t == ARTICLE["title"] for t in titles)
        body = [g.text.strip() for g in page.lines if g.label == L.BODY]
        assert body == ARTICLE["paragraphs"]


def _visible_text_nodes(body):
    skip = {"script", "style", "noscript", "template"}
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag in skip:
            continue
        if el.text and el.text.strip():
            yield el, el.text
        parent = el.getparent()
        if el is not body and el.tail and el.tail.strip() and parent is not None and parent.tag not in skip:
            yield parent, el.tail


def _gold_of(el):
    while el is not None:
        if el.get("data-gold") is not None:
            return el
        el = el.getparent()
    return None


@pytest.mark.parametrize("layout", synth.LAYOUTS)
def test_html_pages(layout):
    for seed in SEEDS:
        page = _render(layout, seed, "html")
        assert page.fmt == "html" and page.lines == []
        _check_comment_truth(page)
        doc = lxml_html.document_fromstring(page.text)
        body = doc.find("body")
        assert body is not None
        for el, text in _visible_text_nodes(body):
            assert _gold_of(el) is not None, (layout, seed, el.tag, text)
        gold = body.xpath("//*[@data-gold]")
        assert gold
        texts: dict[int, str] = {}
        for el in gold:
            label = el.get("data-gold")
            assert label in L.LINE_LABELS
            assert el.xpath("ancestor::*[@data-gold]") == []  # gold elements are not nested
            if label in L.COMMENT_LABELS:
                idx = int(el.get("data-comment"))
                texts[idx] = texts.get(idx, "") + "\n" + el.text_content()
            else:
                assert el.get("data-comment") is None
        assert sorted(texts) == list(range(len(page.comments)))
        for c in page.comments:
            for para in filter(None, c["text"].split("\n\n")):
                assert para in texts[c["index"]], (layout, seed, para)
        if page.article["title"]:
            assert any(el.get("data-gold") == L.TITLE and el.text_content().strip() == page.article["title"] for el in gold)


@pytest.mark.parametrize("fmt", ["text", "html"])
def test_deterministic(fmt):
    for layout in ("wordpress", "disqus", "guestbook"):
        a = _render(layout, 7, fmt)
        b = _render(layout, 7, fmt)
        assert a.text == b.text and a.comments == b.comments and a.article == b.article
    assert _render("wordpress", 7, fmt).text != _render("wordpress", 8, fmt).text


def test_zero_and_empty_comments():
    for layout in synth.LAYOUTS:
        page = _render(layout, 3, "text", comments=[])
        assert page.comments == [] or all(c["about"] is None for c in page.comments)
        page = _render(layout, 3, "text", comments=["", "   ", "\n\n"])
        assert page.comments == []


def test_unknown_layout_and_format():
    with pytest.raises(ValueError):
        _render("nope", 0, "text")
    with pytest.raises(ValueError):
        _render("wordpress", 0, "pdf")


def test_synthetic_pages_tiny_sources():
    articles = [ARTICLE | {"title": f"{ARTICLE['title']} {k}"} for k in range(4)]
    for a in articles:
        a.pop("related_titles", None)
    sources = (articles, COMMENTS * 6)
    pages = synth.synthetic_pages(30, seed=5, layouts=synth.TRAIN_LAYOUTS, sources=sources)
    again = synth.synthetic_pages(30, seed=5, layouts=synth.TRAIN_LAYOUTS, sources=sources)
    assert [p.text for p in pages] == [p.text for p in again]
    assert len(pages) == 30
    assert {p.layout for p in pages} <= set(synth.TRAIN_LAYOUTS)
    assert len({p.layout for p in pages}) == len(synth.TRAIN_LAYOUTS)  # round-robin covers all
    counts = [len(p.comments) for p in pages]
    assert max(counts) <= 60
    html_pages = synth.synthetic_pages(5, seed=5, layouts=synth.HELDOUT_LAYOUTS, fmt="html", sources=sources)
    assert all(p.fmt == "html" and p.layout in synth.HELDOUT_LAYOUTS for p in html_pages)


def test_widget_comments_have_about():
    seen_about = False
    for seed in range(6):
        page = _render("widgets", seed, "text")
        for c in page.comments:
            if c["about"] is not None:
                seen_about = True
                lines = [g for g in page.lines if g.comment == c["index"]]
                assert lines
        widget_titles = [g.text.strip() for g in page.lines if g.label == L.WIDGET_TITLE]
        assert all(t in ARTICLE["related_titles"] for t in widget_titles)
    assert seen_about


@pytest.mark.slow
def test_load_sources_real_data():
    data = Path(__file__).resolve().parents[2] / "data"
    if not (data / "pages" / "scrapinghub" / "ground-truth.json").exists():
        pytest.skip("scrapinghub data not available")
    articles, comments = synth.load_sources(data)
    assert len(articles) > 50 and len(comments) > 1000
    for a in articles:
        assert a["title"] and a["paragraphs"] and all(p.strip() for p in a["paragraphs"])
    assert all(c.strip() and len(c) <= 1500 for c in comments)
    pages = synth.synthetic_pages(10, seed=0, layouts=synth.LAYOUTS, sources=(articles, comments))
    assert len(pages) == 10


def _comment_rows(page: synth.RenderedPage) -> dict[int, list[tuple[int, str, str]]]:
    rows: dict[int, list[tuple[int, str, str]]] = {}
    for pos, g in enumerate(page.lines):
        if g.comment is not None:
            rows.setdefault(g.comment, []).append((pos, g.label, g.text))
    return rows


def _text_pages(layout: str, seeds: int, **kw):
    """``(seed, page, rows, comments)`` for text pages of ``layout``: each comment's lines
    (:func:`_comment_rows`) and the comments of the page's own section (not widget ones)."""
    for seed in range(seeds):
        page = _render(layout, seed, "text", **kw)
        yield seed, page, _comment_rows(page), [c for c in page.comments if c["about"] is None]


def _shows_year(iso: str, text: str) -> bool:
    """Whether ``text`` shows the year of an ISO date: '2021', or '21' ending a numeric date ('3/4/21')."""
    return iso[:4] in text or re.search(rf"\d[/.-]{iso[2:4]}\b", text) is not None


def test_letters_signoff_after_the_text():
    """letters: a contribution's sign-off lines (name, place, date) are comment_header lines after all of its
    text lines, and the named author is in one of them; a headline is the first paragraph of ``text``, on a
    line of its own above the rest; an editor's note (no author, no header, no sign in ``text``) replies to the
    letter just above it; a posted_at shows its year in a header line."""
    layouts = synth._res("layouts")["letters"]
    pool = re.compile("|".join(re.escape(t).replace(r"\{ent\}", ".+") for t in layouts["headlines"]))
    signs = tuple(s.strip() for s in layouts["editor"]["signs"])
    letters = named = withheld = dated = headlines = notes = 0
    for seed, page, rows, own in _text_pages("letters", 24):
        for c in own:
            lines = rows[c["index"]]
            heads = [(pos, t) for pos, label, t in lines if label == L.COMMENT_HEADER]
            texts = [(pos, t.strip()) for pos, label, t in lines if label == L.COMMENT_TEXT]
            paras, at = c["text"].split("\n\n"), [-1]
            for para in paras:  # in order (the same paragraph may come twice)
                at.append(next(pos for pos, t in texts if pos >= at[-1] and para in t))
            at = at[1:]
            if not heads:
                notes += 1
                assert c["author"] is None and c["posted_at"] is None and c["reply_to"] == c["index"] - 1, (seed, c)
                assert not c["text"].endswith(signs) and len(texts) == 1, (seed, c)
                continue
            letters += 1
            assert texts and max(pos for pos, _ in texts) < min(pos for pos, _ in heads), (seed, c)
            assert c["reply_to"] is None
            if c["author"] is None:
                withheld += 1
            else:
                named += 1
                assert any(c["author"] in t for _, t in heads), (seed, c, heads)
            if c["posted_at"] is not None:
                dated += 1
                assert any(_shows_year(c["posted_at"], t) for _, t in heads), (seed, c, heads)
            if len(paras) > 1 and (pool.fullmatch(paras[0]) or paras[1].startswith(paras[0])):
                headlines += 1
                assert texts[0] == (at[0], paras[0]) and at[1] > at[0], (seed, c)
    assert letters and named and withheld and dated and headlines and notes


def test_signed_signature_ends_the_text_line():
    """signed: the signature ends the comment's last text line (the writer and, when shown, the date; never part
    of ``text``) or stands alone as the header right after the text; an unsigned comment has no author, date or
    header; a reply is indented deeper than its parent or starts by addressing it ('@Ann', 'Re: Ann -'); and
    nothing looks like a wiki talk page."""
    leads = synth._res("layouts")["signed"]["reply_prefixes"]
    inline = alone = unsigned = replies = dated = 0
    for seed, page, rows, own in _text_pages("signed", 24):
        wiki = re.compile(r"\((?:talk|UTC)\)|\[\[|\{\{")
        assert not any(wiki.search(g.text) for g in page.lines if g.label != L.COMMENT_TEXT), seed
        for c in own:
            lines = rows[c["index"]]
            paras = c["text"].split("\n\n")
            typed = {p[:2] for p in paras}  # a ':' the writer typed (':-)'), not an indentation
            assert not any(t.lstrip().startswith(":") and t.lstrip()[:2] not in typed for _, _, t in lines), (seed, lines)
            heads = [(pos, t.strip()) for pos, label, t in lines if label == L.COMMENT_HEADER]
            texts = [(pos, t.strip()) for pos, label, t in lines if label == L.COMMENT_TEXT]
            para = paras[-1]
            if c["author"] is None:
                unsigned += 1
                assert not heads and c["posted_at"] is None and texts[-1][1] == para, (seed, c, lines)
                continue
            if heads:
                alone += 1
                assert all(pos < heads[0][0] for pos, _ in texts), (seed, c, lines)  # one line, or its pieces
                signature = " ".join(t for _, t in heads)
            else:
                inline += 1
                last = texts[-1][1]
                assert last.startswith(para) and len(last) > len(para), (seed, c, last)
                signature = last[len(para):]
            assert c["author"] in signature and not wiki.search(signature), (seed, c, signature)
            if c["posted_at"] is not None:
                dated += 1
                assert _shows_year(c["posted_at"], signature), (seed, c, signature)
            if c["reply_to"] is not None:
                replies += 1
                parent = page.comments[c["reply_to"]]
                addressed = parent["author"] is not None and c["text"].startswith(tuple(t.format(name=parent["author"]) for t in leads))
                assert addressed or _lead(lines[0][2]) > _lead(rows[parent["index"]][0][2]), (seed, c, parent)
    assert inline and alone and unsigned and replies and dated


def test_letters_and_signed_dates_are_fill_date_templates():
    """The dates the letters and signed families show are dates.json templates ({date}, {datetime}, {time}) or
    written in its tokens, so _fill_date gives their posted_at (year shown: the ISO date, with the time if shown)."""
    tokens = {"Y", "y", "m", "mm", "d", "dd", "do", "B", "b", "A", "a", "H", "HH", "I", "II", "MM", "SS", "p"}
    other = {"name", "place", "date", "datetime", "time", "when", "lv"}
    letters, signed = synth._res("layouts")["letters"], synth._res("layouts")["signed"]
    templates = [t for forms in (*letters["dates"].values(), *letters["names"].values()) for t, _ in forms]
    templates += [t for forms in (signed["typed"], *signed["generated"].values()) for t, _ in forms]
    for t in templates:
        assert set(re.findall(r"\{(\w+)\}", t)) <= tokens | other, t


def test_qa_answer_card_after_text_and_inline_comments():
    """qa: an answer's header card comes after its text; a comment 'text – Name date' is one text line."""
    answers = inline = 0
    for seed, page, comment_rows, own in _text_pages("qa", 12, comments=COMMENTS + [COMMENTS[6] + " " + COMMENTS[9] * 12]):
        for c in own:
            rows = comment_rows[c["index"]]
            heads = [pos for pos, label, _ in rows if label == L.COMMENT_HEADER]
            texts = [pos for pos, label, _ in rows if label == L.COMMENT_TEXT]
            if heads:
                answers += 1
                assert not texts or max(texts) < min(heads), (seed, c)
                assert c["reply_to"] is None  # answers answer the question (the article)
            else:
                inline += 1
                line = next(t for _, label, t in rows if label == L.COMMENT_TEXT)
                assert c["author"] and c["author"] in line and c["text"] in line
                assert line.strip().startswith(c["text"]) and len(line.strip()) > len(c["text"])  # name and date follow
    assert answers and inline


def test_social_headers_before_text():
    """social: the author (display name, else the handle as shown) is in a header line above the text."""
    replies = 0
    for seed, page, rows, own in _text_pages("social", 12):
        for c in own:
            heads = [(pos, t) for pos, label, t in rows[c["index"]] if label == L.COMMENT_HEADER]
            texts = [pos for pos, label, _ in rows[c["index"]] if label == L.COMMENT_TEXT]
            assert heads and any(c["author"] in t for _, t in heads), (seed, c)
            assert not texts or min(texts) > max(pos for pos, _ in heads)
            replies += c["reply_to"] is not None
        for g in page.lines:
            if g.text.strip().startswith(("Replying to @", "Reply to @")):
                assert g.label == L.FURNITURE
    assert replies


def _lead(line: str) -> tuple[int, int]:
    """(':' characters, whitespace) before a text dump line's words: its indentation."""
    stripped = line.lstrip()
    return len(stripped) - len(stripped.lstrip(":")), len(line) - len(stripped)


def test_wikitalk_signature_ends_the_text_line():
    """wikitalk: the signature ends the last paragraph's comment_text line (or stands alone as the
    header) and is never part of ``text``; a reply is indented deeper than its parent or starts with
    "@Parent"."""
    signed = alone = replies = 0
    for seed, page, rows, own in _text_pages("wikitalk", 16):
        for c in own:
            assert "(UTC)" not in c["text"] and "Preceding" not in c["text"] and "[reply]" not in c["text"]
            lines = rows[c["index"]]
            if c["author"] is None:  # unsigned, not autosigned
                assert c["posted_at"] is None and {label for _, label, _ in lines} == {L.COMMENT_TEXT}
                continue
            assert ISO.match(c["posted_at"]) and "T" in c["posted_at"]
            last_text = [t for _, label, t in lines if label == L.COMMENT_TEXT][-1:]
            heads = [t for _, label, t in lines if label == L.COMMENT_HEADER]
            if heads:
                alone += 1
                assert any(c["author"] in t for t in heads) and any("(UTC)" in t for t in heads)
            else:
                signed += 1
                assert c["author"] in last_text[0] and "(UTC)" in last_text[0], (seed, c, lines)
            if c["reply_to"] is not None:
                replies += 1
                parent = page.comments[c["reply_to"]]
                first, parent_first = lines[0][2], rows[parent["index"]][0][2]
                words = re.sub(r"^\((?:edit conflict|ec)\) ", "", c["text"])
                assert _lead(first) > _lead(parent_first) or words.startswith("@" + parent["author"]), (seed, c)
    assert signed and alone and replies


def test_reviews_name_in_header_title_in_text():
    """reviews: the reviewer's name is in a comment_header line; a review title is the first paragraph of
    ``text``, on a comment_text line above the rest; stars on a line of their own are furniture; a
    seller's / developer's response replies to the review just above it."""
    titles = set(synth._T("reviews", "auto_titles")) | {t for band in synth._T("reviews", "titles").values() for t in band}
    stars = re.compile(r"^(?:[★☆⭐]+|Rated \d out of 5(?: stars)?|\d\.0 out of 5 stars|\d/5|\d out of 5(?: stars\.)?|Rating \d out of 5)$")
    titled = responses = 0
    for seed, page, rows, own in _text_pages("reviews", 16):
        for c in own:
            lines = rows[c["index"]]
            heads = [t for _, label, t in lines if label == L.COMMENT_HEADER]
            assert heads, (seed, c)
            assert c["author"] is None or any(c["author"] in t for t in heads), (seed, c, heads)
            if c["reply_to"] is not None:
                responses += 1
                assert c["reply_to"] == c["index"] - 1
            paras = c["text"].split("\n\n") if c["text"] else []
            texts = [(pos, t) for pos, label, t in lines if label == L.COMMENT_TEXT]
            at = [next(pos for pos, t in texts if p in t) for p in paras]
            assert at == sorted(at), (seed, c)
            if paras and paras[0] in titles:
                titled += 1
                line = next(t for _, t in texts if paras[0] in t).strip()
                assert line.endswith(paras[0]) and len(set(at)) == len(at)  # a line of its own (stars may precede)
        doc = lxml_html.document_fromstring(_render("reviews", seed, "html").text)
        for el in doc.xpath("//*[@data-gold]"):  # whole lines (a text dump may split a header into fragments)
            if stars.match(el.text_content().strip()):
                assert el.get("data-gold") == L.FURNITURE, el.text_content()
    assert titled and responses


def test_instagram_name_starts_the_text_line():
    """instagram: a comment's first line is ``comment_text`` starting with the author's name, and ``text``
    is the comment without it; the meta line under the text is the header and never holds the name; a
    reply to a reply names its parent ("@name", "▸ name"), so a reply without a visible nesting does too."""
    replies = named = 0
    for seed, page, rows, own in _text_pages("instagram", 16):
        indented = any(g.text[:1] in (" ", "\t") for g in page.lines if g.label == L.COMMENT_TEXT)
        for c in own:
            lines = rows[c["index"]]
            texts = [(pos, t.strip()) for pos, label, t in lines if label == L.COMMENT_TEXT]
            heads = [(pos, t) for pos, label, t in lines if label == L.COMMENT_HEADER]
            assert texts and heads, (seed, c)
            first = texts[0][1]
            assert c["author"] and first.startswith(c["author"]), (seed, c, first)
            para = c["text"].split("\n\n")[0]
            assert first.endswith(para) and len(first) > len(para) + len(c["author"]), (seed, c, first)  # name, then the text
            assert min(pos for pos, _ in heads) > texts[0][0], (seed, c)  # the meta line comes after the text
            assert not any(c["author"] in t for _, t in heads), (seed, c, heads)
            if c["reply_to"] is not None:
                replies += 1
                parent = page.comments[c["reply_to"]]["author"]
                shows = c["text"].startswith(("@" + parent, parent)) or f"▸ {parent}" in first
                named += shows
                assert shows or indented, (seed, c, first)
    assert replies and named


def test_chat_name_opens_the_text_line():
    """chat: every message is a comment_text line (no header lines) whose text ends it, after the time and / or
    the name; a year-dated time shows its year there; an '@name' reply replies to that user's latest earlier
    message, a live Q&A answer to the question just above it; system lines are furniture."""
    system = re.compile(r"^\s*(?:\S+ )?(?:Chat was paused|Welcome to live chat!|Slow mode is on|Pinned by |Top chat replay|-!- |--- Log |"
                        r"--- Day changed)")
    lines_seen = replies = answers = dated = place_only = 0
    for seed, page, rows, own in _text_pages("chat", 40):
        for g in page.lines:
            if system.match(g.text):
                assert g.label == L.FURNITURE, (seed, g)
        for c in own:
            lines = rows[c["index"]]
            assert {label for _, label, _ in lines} == {L.COMMENT_TEXT}, (seed, lines)
            first = lines[0][2].strip()
            para = c["text"].split("\n\n")[0]
            assert first.endswith(para) and len(first) > len(para), (seed, c, first)
            lead = first[: len(first) - len(para)]
            lines_seen += 1
            if c["author"] is None:
                place_only += 1
            else:
                assert c["author"] in lead, (seed, c, first)
            if c["posted_at"] is not None:
                dated += 1
                assert c["posted_at"][:4] in lead, (seed, c, first)
            if c["reply_to"] is not None:
                parent = page.comments[c["reply_to"]]
                named = parent["author"] is not None and c["text"].startswith(
                    (parent["author"] + " ", "@" + parent["author"] + " ", parent["author"] + ": ", parent["author"] + ", "))
                if named:
                    replies += 1
                    between = page.comments[parent["index"] + 1: c["index"]]
                    assert all(b["author"] != parent["author"] for b in between), (seed, c)  # the user's latest message
                else:
                    answers += 1
                    assert c["reply_to"] == c["index"] - 1 and c["author"] is not None, (seed, c)
    assert lines_seen and replies and answers and dated and place_only


def test_forms_fields_name_and_date_the_comment():
    """forms: every response has a comment_header line that shows its author (unless withheld) and the year of
    its posted_at; other field lines are furniture; the text never holds its field label; nothing looks like a
    mailing-list archive."""
    labels = synth._res("layouts")["forms"]["labels"]
    comment_labels = tuple(f"{lab}{sep}" for lab in labels["comment"] + labels["reason"] for sep in (":", " ", "\t"))
    furniture = re.compile(r"^\s*(?:To|Cc|Subject|Importance|Attachments|Organi[sz]ation|Location|Respondent ID|Response ID):\s|^\s*Response #\d")
    withheld = set(synth._res("layouts")["forms"]["withheld"])
    named = anonymous = dated = 0
    for seed, page, rows, own in _text_pages("forms", 40):
        assert "Message-ID" not in page.text, seed
        assert not any(g.text.lstrip().startswith(">") for g in page.lines if g.label != L.COMMENT_TEXT), seed
        for g in page.lines:
            if furniture.match(g.text):
                assert g.label == L.FURNITURE, (seed, g)
        for c in own:
            lines = rows[c["index"]]
            heads = [t for _, label, t in lines if label == L.COMMENT_HEADER]
            assert heads, (seed, lines)
            assert not c["text"].startswith(comment_labels), (seed, c)
            assert c["reply_to"] is None
            if c["author"] is None:
                anonymous += 1
                assert any(w in t for t in heads for w in withheld), (seed, heads)
            else:
                named += 1
                assert any(c["author"] in t for t in heads), (seed, c, heads)
            if c["posted_at"] is not None:
                dated += 1
                assert any(c["posted_at"][:4] in t for t in heads), (seed, c, heads)
    assert named and anonymous and dated


def test_newsgroup_headers_quotes_and_signatures():
    """newsgroup: the author is in a From/name header line and the date (with a year) gives posted_at; the
    other header lines are furniture; quoted lines and '-- ' signatures are part of the text; a reply
    quotes its parent (attribution or '>' lines) unless the page shows Message-ID and In-Reply-To lines."""
    furniture_heads = ("Subject:", "Message-ID:", "In-Reply-To:", "References:", "To:", "Cc:", "Newsgroups:")
    quoted = signed = 0
    for seed, page, rows, own in _text_pages("newsgroup", 16):
        for g in page.lines:
            if g.text.strip().startswith(furniture_heads):
                assert g.label == L.FURNITURE, g
        with_ids = "Message-ID:" in page.text and ("In-Reply-To:" in page.text or "References:" in page.text)
        for c in own:
            lines = rows[c["index"]]
            heads = [t for _, label, t in lines if label == L.COMMENT_HEADER]
            assert any(c["author"] in t for t in heads), (seed, c, heads)
            assert c["posted_at"] and ISO.match(c["posted_at"]) and any(c["posted_at"][:4] in t or c["posted_at"][2:4] in t for t in heads)
            paras = c["text"].split("\n\n") if c["text"] else []
            texts = [t.strip() for _, label, t in lines if label == L.COMMENT_TEXT]
            assert all(p in texts for p in paras), (seed, c)  # one line per paragraph
            signed += "--" in paras
            if c["reply_to"] is not None:
                parent = page.comments[c["reply_to"]]
                shows = any(p.startswith(">") for p in paras) or any(parent["author"] in p for p in paras)
                quoted += shows
                assert shows or with_ids, (seed, c)
    assert quoted and signed


def test_giscus_login_commented_header():
    """giscus: the GitHub login is in the header line above the text; a reply starts with '@parent' or the
    quoted excerpt of its parent's text, or is indented under its thread."""
    replies = quoted = 0
    for seed, page, rows, own in _text_pages("giscus", 16):
        indented = any(g.text[:1] in (" ", "\t") for g in page.lines if g.label == L.COMMENT_TEXT)
        for c in own:
            lines = rows[c["index"]]
            heads = [(pos, t) for pos, label, t in lines if label == L.COMMENT_HEADER]
            texts = [pos for pos, label, _ in lines if label == L.COMMENT_TEXT]
            assert heads and any(c["author"] in t for _, t in heads), (seed, c)
            assert not texts or min(texts) > max(pos for pos, _ in heads), (seed, c)
            assert c["posted_at"] is None or re.match(r"^\d{4}-\d{2}-\d{2}$", c["posted_at"])
            if c["reply_to"] is not None:
                replies += 1
                parent = page.comments[c["reply_to"]]
                first = c["text"].split("\n\n")[0]
                quote = bool(first) and parent["text"].startswith(first) and first != c["text"]
                quoted += quote
                assert c["text"].startswith("@" + parent["author"]) or quote or indented, (seed, c)
        for g in page.lines:
            if re.match(r"^\s*\d+ repl(y|ies)\s*$", g.text) or "powered by" in g.text:
                assert g.label == L.FURNITURE, g
    assert replies and quoted


def test_livejournal_subject_furniture_and_indented_replies():
    """livejournal: name and date lines are the header (a collapsed comment is one header line with no text
    and no date); subject and '(Reply) (Thread)' lines are furniture; a reply is indented deeper than its
    parent."""
    collapsed = replies = dated = 0
    for seed, page, rows, own in _text_pages("livejournal", 16):
        for c in own:
            lines = rows[c["index"]]
            heads = [t for _, label, t in lines if label == L.COMMENT_HEADER]
            assert heads and any(c["author"] in t for t in heads), (seed, c)
            if c["posted_at"] is None:  # collapsed
                collapsed += 1
                assert len(lines) == 1 and c["text"] == "", (seed, c)
            else:
                dated += 1
                assert "T" in c["posted_at"] and ISO.match(c["posted_at"]), (seed, c)
            if c["reply_to"] is not None:
                replies += 1
                parent_first = rows[page.comments[c["reply_to"]]["index"]][0][2]
                assert _lead(lines[0][2]) > _lead(parent_first), (seed, c)
        for g in page.lines:
            if g.text.strip().startswith(("Re: ", "(Reply", "(no subject)")) and g.comment is None:
                assert g.label == L.FURNITURE, g
            if g.text.strip().startswith(("Re: ", "(Reply)", "Link Reply")):
                assert g.label in (L.FURNITURE, L.COMMENT_HEADER), g
    assert collapsed and replies and dated


def test_portal_masked_names_and_counts():
    """portal: the name (nickname or masked ID) is in the first header line, before the text; on Naver-like
    pages the dated header line comes after the text; count rows are furniture; replies are indented."""
    after = replies = masked = 0
    for seed, page, rows, own in _text_pages("portal", 16):
        for c in own:
            lines = rows[c["index"]]
            heads = [(pos, t) for pos, label, t in lines if label == L.COMMENT_HEADER]
            texts = [pos for pos, label, _ in lines if label == L.COMMENT_TEXT]
            assert any(c["author"] in t for pos, t in heads if not texts or pos < min(texts)), (seed, c)
            masked += c["author"].endswith("**")
            below = [t for pos, t in heads if texts and pos > max(texts)]
            if below:
                after += 1
                assert len(below) == 1 and c["posted_at"] and c["author"] not in below[0], (seed, c)
            if c["reply_to"] is not None:
                replies += 1
                parent_first = rows[page.comments[c["reply_to"]]["index"]][0][2]
                assert _lead(lines[0][2]) > _lead(parent_first), (seed, c)
        for g in page.lines:
            if re.match(r"^\s*(Replies \d+|Like \d+|Agree \d+|Recommend \d+|Empathize \d+|Fold replies)", g.text):
                assert g.label == L.FURNITURE, g
    assert after and replies and masked
