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


def _texts(html: str) -> list[str]:
    return [b.text for b in html_blocks(html)]


def test_a_leading_profile_link_followed_by_the_comment_becomes_its_own_block():
    # the Facebook comments plugin: name link and text inline in one element, obfuscated classes
    html = ('<div class="x1"><a href="https://www.facebook.com/profile.php?id=123">Ann Lee</a>'
            '<span class="x2" data-gold="comment_text" data-comment="0">Sickening. Pieces of trash</span></div>'
            '<div><a href="/user/bob">bob</a> Same here.</div>'
            '<div><span class="author">Carla</span> <span>I paid 120 euros for it and it broke after two days</span></div>')
    blocks = html_blocks(html)
    assert [b.text for b in blocks] == ["Ann Lee", "Sickening. Pieces of trash", "bob", "Same here.", "Carla",
                                        "I paid 120 euros for it and it broke after two days"]
    assert blocks[0].link_chars == len("Ann Lee") and blocks[1].link_chars == 0
    assert (blocks[1].gold, blocks[1].gold_comment) == ("comment_text", 0)


def test_a_name_wrapped_with_a_badge_is_cut_after_the_wrapper():
    html = ('<div><span class="_2uma"><a href="/profile/kc">Kathleen Collins</a> · <span>Author</span></span>'
            '<span>Yes, and a similar style of contributions on talk pages.</span></div>')
    assert _texts(html) == ["Kathleen Collins · Author", "Yes, and a similar style of contributions on talk pages."]


def test_header_lines_that_start_with_an_author_stay_whole():
    for html, line in [
        ('<header><span class="author">Chris Anamani</span> <a href="#c96"><time>February 23, 2017 at 12:33 pm</time></a>'
         ' <span class="reply"><a href="#c96">Reply</a></span></header>', "Chris Anamani February 23, 2017 at 12:33 pm Reply"),
        ('<div><a href="https://disqus.com/by/ann/">Ann</a> • 3 years ago</div>', "Ann • 3 years ago"),
        ('<div><b class="fn">Sarah</b> <span class="says">says:</span></div>', "Sarah says:"),
        ('<div><a href="/user/jo">jo</a> replied to Ann</div>', "jo replied to Ann"),
        ('<p><a href="https://example.com/news">Reuters</a> reported that the council voted on Tuesday.</p>',
         "Reuters reported that the council voted on Tuesday."),  # not a profile link: body text stays whole
    ]:
        assert _texts(html) == [line]
