"""Property: splitting never loses or invents text.

Every non-blank line of a page is accounted for exactly once - as the title, the byline,
body, a comment's header or text, a widget story title, or boilerplate - whatever the
classifier says, on arbitrary pages (hypothesis), including junk.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderate.errors import InputError
from moderate.pages import labels as L
from moderate.pages.read import looks_binary, page_from_bytes
from moderate.pages.split import Splitter, prepare

LINE_POOL = [
    "Council approves new budget", "By Jane Doe | 3 March 2014", "Sarah says:", "March 4, 2014 at 6:57 am",
    "Reply", "Share", "12 Comments", "@Sarah: no way", "What You Say", "| yesterday at 11:45 | (10)",
    "Adstar | 7/25/2017 3:38:26 AM", "Ikran teacher | 12/12/2016", "    by bob (2)", "        Indented reply text.",
    "The city council approved a budget on Tuesday that adds money for parks.", "— Ann, 12 March 2014 10:32",
    "Privacy policy", "Sign In / Up", "\u00a0", "    ", "",
]

line = st.one_of(
    st.sampled_from(LINE_POOL),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), max_size=60),
)


@pytest.fixture(scope="module")
def splitter(tiny_splitter_dir):
    return Splitter.load(tiny_splitter_dir)


def _check(split, page_text):
    expected = [l.replace("\t", "    ").replace("\xa0", " ").strip() for l in page_text.split("\n")]
    expected = [l for l in expected if l]
    assert [b.text for b in split.blocks] == expected
    assert len(split.labels) == len(split.blocks) == len(split.comment_of)
    comment_lines = {}
    for i, (label, k) in enumerate(zip(split.labels, split.comment_of)):
        assert label in L.LINE_LABELS
        assert (k is not None) == (label in L.COMMENT_LABELS)
        if k is not None:
            comment_lines.setdefault(k, []).append(i)
    assert sorted(comment_lines) == list(range(len(split.comments)))
    for k, comment in enumerate(split.comments):
        assert comment.index == k and comment.blocks == comment_lines[k]
        texts = [split.blocks[i].text for i in comment.blocks if split.labels[i] == L.COMMENT_TEXT]
        assert comment.text == "\n\n".join(texts)
        assert comment.reply_to is None or 0 <= comment.reply_to < k
    body = [b.text for b, lab in zip(split.blocks, split.labels) if lab == L.BODY]
    assert split.article["body"] == "\n\n".join(body)
    boiler = [b.text for b, lab in zip(split.blocks, split.labels) if lab in (L.BOILERPLATE, L.FURNITURE)]
    assert split.boilerplate == boiler
    titles = {b.text for b, lab in zip(split.blocks, split.labels) if lab == L.WIDGET_TITLE}
    assert all(c.about is None or c.about in titles for c in split.comments)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(line, max_size=40))
def test_every_line_accounted_for_once(splitter, lines):
    text = "\n".join(lines)
    try:
        raw = page_from_bytes(text.encode("utf-8"), "<text>", "text")
    except InputError:
        assert looks_binary(text)  # mostly control characters: a one-line error, by design
        return
    split = splitter.split_prepared([prepare(raw)])[0]
    _check(split, raw.text)  # the decoded page: line ends normalised, NUL bytes dropped


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(LINE_POOL), min_size=1, max_size=30), st.permutations(list(L.LINE_LABELS)))
def test_any_labelling_assembles_consistently(splitter, lines, order):
    """Assembly invariants hold for every possible label sequence, not only the model's."""
    from moderate.pages.assemble import assemble
    from moderate.pages.blocks import text_blocks

    text = "\n".join(lines)
    blocks = text_blocks(text)
    labels = [order[(i * 7 + len(b.text)) % len(order)] for i, b in enumerate(blocks)]
    _check(assemble(blocks, labels), text)


def test_large_page_is_handled(splitter):
    text = ("Sarah says:\nMarch 4, 2014 at 6:57 am\n" + "A comment line that goes on for a while. " * 5 + "\nReply\n") * 21000
    assert len(text.encode()) > 5_000_000
    split = splitter.split_text(text)
    assert len(split.blocks) == 84000  # processed in full, not crashed or truncated
