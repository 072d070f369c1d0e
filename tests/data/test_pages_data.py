"""The page data in data/pages: copies intact, annotations complete and consistent, splits by site."""

import hashlib
from pathlib import Path

import pytest

from moderate.pages import labels as L
from moderate.pages.data import MARKER, _dragnet_text, _read_annotation, dragnet_pages

DATA = Path(__file__).resolve().parents[2] / "data"
PAGES = DATA / "pages"
ARTICLE_CODES = {L.TITLE, L.BYLINE, L.BODY, L.BOILERPLATE}
COMMENT_CODES = {L.COMMENT_HEADER, L.COMMENT_TEXT, L.FURNITURE, L.WIDGET_TITLE, L.BOILERPLATE}


def test_copied_page_files_match_their_checksums():
    lines = (PAGES / "SHA256SUMS.txt").read_text().splitlines()
    assert len(lines) > 1000
    for line in lines[::25]:  # a sample keeps this fast; the README documents the full check
        digest, name = line.split(maxsplit=1)
        assert hashlib.sha256((PAGES / name).read_bytes()).hexdigest() == digest, name


def test_every_marked_dragnet_page_is_annotated():
    marked = []
    for path in (PAGES / "dragnet" / "Corrected").glob("*.txt"):
        _, marker = _dragnet_text(path)
        if marker is not None:
            marked.append(path.name.split(".")[0])
    annotated = {p.stem for p in (PAGES / "annotations" / "dragnet").glob("*.tsv")}
    assert len(marked) == 300
    assert set(marked) == annotated


@pytest.fixture(scope="module")
def annotated():
    return dragnet_pages(DATA)


def test_annotations_cover_every_line_with_a_label_valid_for_its_part(annotated):
    assert len(annotated) == 300
    for page in annotated:
        rows = _read_annotation(PAGES / "annotations" / "dragnet" / f"{page.id}.tsv")
        assert {b.line for b in page.blocks} == set(rows), page.id
        for i, (block, label) in enumerate(zip(page.blocks, page.labels)):
            allowed = ARTICLE_CODES if i < page.boundary else COMMENT_CODES
            assert label in allowed, (page.id, block.line, label)
        assert not any(MARKER.match(b.text) for b in page.blocks)


def test_truth_comments_are_consistent(annotated):
    total = 0
    for page in annotated:
        for k, c in enumerate(page.comments):
            assert c["index"] == k
            assert c["reply_to"] is None or 0 <= c["reply_to"] < k, (page.id, k)
        total += len(page.comments)
    assert total > 5000


def test_held_out_sites_are_disjoint_from_training_sites(annotated):
    train = {p.group for p in annotated if p.split == "train"}
    test = {p.group for p in annotated if p.split == "test"}
    assert train and test and not train & test
    assert 0.2 < sum(p.split == "test" for p in annotated) / len(annotated) < 0.45
