"""Pages to blocks: text lines with indentation, HTML with DOM hints."""

from moderate.pages.blocks import html_blocks, page_title, text_blocks


def test_text_blocks_keep_indentation_and_blank_lines():
    blocks = text_blocks("Title\n\n  \tIndented line\nNext\n\n\n")
    assert [(b.text, b.line, b.indent, b.blank_before, b.blank_after) for b in blocks] == [
        ("Title", 1, 0, True, True), ("Indented line", 3, 6, True, False), ("Next", 4, 0, False, True)]


HTML = """<!doctype html><html><head><title>Story | Site</title><style>p{}</style></head><body>
<nav class="main-menu"><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1 class="entry-title">The story</h1><p>First <b>bold</b> paragraph.<br>After break.</p></article>
<div hidden>secret</div><div style="display: none">also hidden</div>
<ol class="comment-list"><li class="comment" id="comment-1"><div class="comment-author vcard"><span class="fn">Ann</span> says:</div>
<div class="comment-content"><p>Nice.</p></div>
<ol class="children"><li class="comment"><div class="comment-author">Bob</div><p data-gold="comment_text" data-comment="1">Thanks <i>Ann</i>.</p></li></ol></li></ol>
<script>var x = "not text";</script></body></html>"""


def test_html_blocks_text_order_and_invisible_content():
    blocks = html_blocks(HTML)
    texts = [b.text for b in blocks]
    assert texts == ["Home News", "The story", "First bold paragraph.", "After break.", "Ann says:", "Nice.", "Bob", "Thanks Ann."]
    assert page_title(HTML) == "Story | Site"


def test_html_blocks_carry_dom_hints_nesting_and_gold():
    blocks = {b.text: b for b in html_blocks(HTML)}
    assert blocks["The story"].heading == 1 and blocks["The story"].hints.get("self_title")
    assert blocks["Home News"].hints.get("nav") and blocks["Home News"].link_chars == len("HomeNews")
    assert blocks["Ann says:"].hints.get("self_author") and blocks["Ann says:"].hints.get("comment")
    assert blocks["Thanks Ann."].nest > blocks["Nice."].nest > 0
    assert blocks["Thanks Ann."].gold == "comment_text" and blocks["Thanks Ann."].gold_comment == 1
    assert blocks["Nice."].gold is None


def test_html_junk_does_not_crash():
    assert html_blocks("") == []
    assert [b.text for b in html_blocks("<p>unclosed <b>tags<div>more")] == ["unclosed tags", "more"]


def test_every_comment_container_gets_its_own_number_every_time():
    """Comment containers are numbered in page order, never by id() of a (reused) lxml proxy."""
    html = "<html><body>" + "".join(
        f'<div class="comment"><span class="author">user{k}</span><p>comment text number {k}</p></div>'
        for k in range(60)) + "</body></html>"
    first = [b.container for b in html_blocks(html)]
    assert first == [b.container for b in html_blocks(html)]
    assert sorted(set(first)) == list(range(60))
    assert first == sorted(first)
