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


def test_group_spread_of_the_comment_f1():
    from moderate.pages.evaluate import group_f1_spread

    def page(group, matched, predicted, true):
        return {"group": group, "matched": matched, "predicted": predicted, "true": true}

    # two sites scoring the same: every draw pools to the same F1
    same = [page("a", 8, 10, 10), page("b", 4, 5, 5)]
    interval, mean = group_f1_spread(same)
    assert interval == pytest.approx([0.8, 0.8]) and mean == pytest.approx(0.8)
    # one site with a long page split badly, nine small sites split well: the pooled F1 is
    # dragged down, the site mean is not, and the interval shows how much the draw of sites matters
    pages = [page("big", 10, 100, 100)] + [page(f"s{k}", 10, 10, 10) for k in range(9)]
    (lo, hi), mean = group_f1_spread(pages)
    assert mean == pytest.approx((0.1 + 9 * 1.0) / 10)
    assert lo < 100 / 190 < hi  # pooled: 100 of 190 comments matched, precision = recall = F1
    assert hi - lo > 0.3
    # a site that found nothing on a page without comments is right (precision 1 when nothing is due)
    assert group_f1_spread([page("a", 0, 0, 0), page("b", 0, 0, 0)]) == ([1.0, 1.0], 1.0)
    assert group_f1_spread([page("a", 1, 1, 1)]) == (None, None)
