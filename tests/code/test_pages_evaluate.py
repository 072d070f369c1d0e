"""Splitter metrics: comment matching and the character-level boundary F1."""

import pytest

from moderate.pages.assemble import assemble
from moderate.pages.blocks import text_blocks
from moderate.pages.evaluate import boundary_scores, match_comments


def test_near_identical_texts_match_one_to_one():
    truth = [{"text": "Great article, thanks!", "author": "a"}, {"text": "I disagree strongly with this.", "author": "b"}, {"text": "", "author": "c"}]
    predicted = [
        {"text": "great article thanks", "author": "a"},          # case and punctuation differ
        {"text": "I disagree strongly with this!!", "author": "b"},
        {"text": "I disagree strongly with this.", "author": "b"},  # a duplicate cannot match twice
        {"text": "", "author": "C"},                              # empty texts match on the author
        {"text": "Something else entirely", "author": "d"},
    ]
    pairs = sorted(match_comments(predicted, truth), key=lambda p: p[1])
    assert [j for _, j in pairs] == [0, 1, 2]
    assert pairs[0][0] == 0 and pairs[2][0] == 3


def test_merged_comments_do_not_match():
    truth = [{"text": "First reader comment here."}, {"text": "Second reader comment here."}]
    predicted = [{"text": "First reader comment here. Second reader comment here."}]
    assert match_comments(predicted, truth) == []


def test_boundary_scores():
    blocks = text_blocks("Title\nBody text here\nann | 1/2/2012\nnice")
    perfect = assemble(blocks, ["title", "body", "comment_header", "comment_text"])
    assert boundary_scores(perfect, true_boundary=2) == (1.0, 1.0)
    late = assemble(blocks, ["title", "body", "body", "comment_text"])
    article, comment = boundary_scores(late, true_boundary=2)
    assert article < 1.0 and comment < 1.0
    none = assemble(blocks, ["title", "body", "body", "body"])
    assert boundary_scores(none, true_boundary=4) == (1.0, None)
    assert boundary_scores(none, true_boundary=2)[1] == pytest.approx(0.0)
