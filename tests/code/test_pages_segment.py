"""The comment segmenter learns where comments start, from rendered pages (no data files)."""

import numpy as np

from moderate import registry

from moderate.pages import labels as L
from moderate.pages import synth
from moderate.pages.blocks import text_blocks
from moderate.pages.features import page_features
from moderate.pages.model import LabellerEnsemble, LineLabeller
from moderate.pages.segment import CommentSegmenter

ARTICLE = {
    "title": "Council approves new budget for parks",
    "paragraphs": [
        "The city council approved a budget on Tuesday that adds money for parks and libraries across the city.",
        "Officials said the plan would take three years to complete, with work starting next spring.",
        "Residents at the meeting were divided, with some asking for more money for schools instead.",
    ],
    "related_titles": ["Bus fares rise again", "New library opens in the north", "Storm damages harbour wall"],
}
COMMENTS = [
    "Great news for families.", "Where does the money come from?\n\nTaxes are high enough already.",
    "lol", "The parks in the north have been neglected for years, so this is welcome.",
    "Schools first, parks later.", "I was at the meeting and it was chaos.", "+1",
    "Will the skate park be included this time?", "Finally!", "Another waste of money.",
]


def _page(layout: str, seed: int):
    page = synth.render_page(ARTICLE, COMMENTS, layout, np.random.default_rng(seed), "text")
    blocks = text_blocks(page.text)
    gold = {i + 1: g for i, g in enumerate(page.lines)}
    labels = [gold[b.line].label or L.BOILERPLATE for b in blocks]
    ids = [gold[b.line].comment if lab in L.COMMENT_LABELS else None for b, lab in zip(blocks, labels)]
    return blocks, labels, page_features(blocks), ids


def test_segmenter_learns_comment_starts_on_unseen_pages():
    layouts = ("wordpress", "pipe", "twoline", "footer")
    train = [_page(layout, seed) for layout in layouts for seed in range(12)]
    model = CommentSegmenter(max_iter=60).fit(train)
    right = total = baseline = 0
    for layout in layouts:
        for seed in range(100, 104):
            blocks, labels, X, ids = _page(layout, seed)
            starts = model.starts_pages([(blocks, labels, X)])[0]
            comment_idx = [i for i, lab in enumerate(labels) if lab in L.COMMENT_LABELS]
            truth = [k == 0 or ids[i] != ids[comment_idx[k - 1]] for k, i in enumerate(comment_idx)]
            right += sum(starts[i] == t for i, t in zip(comment_idx, truth))
            # the rule a model must beat: a comment starts at each header that follows a non-header
            rule = [k == 0 or (labels[i] == L.COMMENT_HEADER and labels[comment_idx[k - 1]] != L.COMMENT_HEADER)
                    for k, i in enumerate(comment_idx)]
            baseline += sum(r == t for r, t in zip(rule, truth))
            total += len(comment_idx)
    assert total > 100
    assert right / total > 0.9
    assert right > baseline


def test_segmenter_handles_pages_without_comments():
    blocks = text_blocks("Title\nBody text here.")
    model = CommentSegmenter(max_iter=5).fit([_page("wordpress", 0)])
    assert model.starts_pages([(blocks, ["title", "body"], page_features(blocks))]) == [[False, False]]


def test_inline_named_comment_lines():
    from moderate.pages.assemble import inline_named

    for text in ("Ann: I agree", "Ann Lee - good point", "<bob> hi there", "Bob says: yes", "northern_mom1951 - Thanks"):
        assert inline_named(text), text
    # paragraph leads are not names (data: text_leads.txt)
    for text in ("Update: the mayor resigned", "Note - this is old", "I think: no", "PS: see below", "Nothing here"):
        assert not inline_named(text), text



# --- an ensemble of line labellers averages its members (probabilities, decoding tables, comment starts)


def _data(seeds, layouts=("wordpress", "pipe", "footer")):
    pages = [_page(layout, seed) for layout in layouts for seed in seeds]
    X = [x for _, _, x, _ in pages]
    return pages, X, [labels for _, labels, _, _ in pages]


def _fit(seeds, **params):
    pages, X, y = _data(seeds)
    return LineLabeller(max_iter=5, max_leaf_nodes=8, stacked=False, **params).fit(
        X, y, blocks=[b for b, _, _, _ in pages], comment_ids=[ids for _, _, _, ids in pages])


def test_ensemble_averages_its_members(tmp_path):
    a, b = _fit(range(0, 2)), _fit(range(2, 4))
    pages, X, _ = _data(range(50, 52))
    one = LabellerEnsemble([a])
    assert one.predict_pages(X) == a.predict_pages(X)
    both = LabellerEnsemble([a, b])
    for pa, pb, pe in zip(a.page_probabilities(X), b.page_probabilities(X), both.page_probabilities(X)):
        np.testing.assert_allclose(pe, (pa + pb) / 2)
    np.testing.assert_allclose(both.log_transitions_, (a.log_transitions_ + b.log_transitions_) / 2)
    assert not np.array_equal(a.log_transitions_, b.log_transitions_)  # the members really differ
    # comment starts from the mean of the members' start probabilities
    blocks, labels, feats, _ = pages[0]
    rows, _ = a.segmenter_._page_rows(blocks, labels, feats)
    rows = np.vstack(rows)
    np.testing.assert_allclose(both.segmenter_.start_probabilities(rows),
                               (a.segmenter_.start_probabilities(rows) + b.segmenter_.start_probabilities(rows)) / 2)
    _, positions = a.segmenter_._page_rows(blocks, labels, feats)
    starts = both.segmenter_.starts_pages([(blocks, labels, feats)])[0]
    assert [starts[i] for i in positions] == list(both.segmenter_.start_probabilities(rows) >= 0.5)
    # saved and loaded like any splitter (skops allow-list), same output
    folder = registry.save_model_folder(tmp_path / "splitter-ens", both, {"model_id": "splitter-ens", "kind": "page-splitter"})
    loaded, _ = registry.load_artifact(folder)
    assert loaded.predict_pages(X) == both.predict_pages(X)
    text = "Title of a story\nSome body text that goes on.\nJane says:\nA comment here.\nReply"
    feats = page_features(text_blocks(text))
    assert len(loaded.predict_pages([feats])[0]) == 5
    assert set(loaded.predict_pages([feats])[0]) <= set(L.LINE_LABELS)
