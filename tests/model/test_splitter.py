"""Behaviour of the committed page splitter (models/splitter/CURRENT).

The seeds are checked field by field against their ``*.expected.json``; the stored
evaluation must meet the issue's floors; splitting must be invariant to encoding, line
endings and gzip, and must keep every line of real pages.
"""

from __future__ import annotations

import codecs
import gzip
import json
from pathlib import Path

import pytest

from moderate.pages import labels as L
from moderate.pages.read import page_from_bytes
from moderate.pages.split import Splitter, prepare, resolve_splitter_dir

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"
EXPECTED = sorted(SEEDS.glob("*.expected.json"))


@pytest.fixture(scope="module")
def splitter() -> Splitter:
    return Splitter.load()


def split_file(splitter: Splitter, path: Path):
    return splitter.split_prepared([prepare(page_from_bytes(path.read_bytes(), str(path)))])[0]


#: Seed fields the committed splitter gets wrong, with the reason (strict: fixing one fails
#: the test until it is removed from this list). See the splitter's evaluation.md.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def _fields(expected: dict, got: dict) -> dict[str, tuple]:
    """Every checked field: name -> (got, expected)."""
    out = {}
    art, exp_art = got["article"], expected["article"]
    for key in ("title", "byline", "published"):
        out[f"article.{key}"] = (art[key], exp_art.get(key))
    out["article.body"] = (art["body"].split("\n\n"), exp_art["body_paragraphs"])
    out["article.body_excludes"] = ([s for s in exp_art["body_must_not_contain"] if s in art["body"]], [])
    out["comment_count"] = (len(got["comments"]), len(expected["comments"]))
    for k, e in enumerate(expected["comments"]):
        c = got["comments"][k] if k < len(got["comments"]) else {}
        out[f"comments[{k}].index"] = (c.get("index"), k)
        for key in ("author", "posted_at", "text", "about"):
            out[f"comments[{k}].{key}"] = (c.get(key), e[key])
        parent = c.get("reply_to")
        parent_author = got["comments"][parent]["author"] if parent is not None else None
        out[f"comments[{k}].reply_to"] = (parent_author, e.get("reply_to_author"))
    return out


def _seed_cases():
    cases = []
    for path in EXPECTED:
        expected = json.loads(path.read_text(encoding="utf-8"))
        names = ["article.title", "article.byline", "article.published", "article.body", "article.body_excludes", "comment_count"]
        for k in range(len(expected["comments"])):
            names += [f"comments[{k}].{f}" for f in ("index", "author", "posted_at", "text", "about", "reply_to")]
        for name in names:
            gap = KNOWN_GAPS.get((expected["source"], name))
            marks = [pytest.mark.xfail(reason=gap, strict=True)] if gap else []
            cases.append(pytest.param(path.name, name, marks=marks, id=f"{expected['source'][:3]}-{name}"))
    return cases


@pytest.fixture(scope="module")
def seed_fields(splitter):
    out = {}
    for path in EXPECTED:
        expected = json.loads(path.read_text(encoding="utf-8"))
        got = split_file(splitter, SEEDS / expected["source"]).to_dict()
        out[path.name] = _fields(expected, got)
    return out


@pytest.mark.parametrize("seed_name, field", _seed_cases())
def test_seed_field(seed_fields, seed_name, field):
    got, expected = seed_fields[seed_name][field]
    assert got == expected


def test_opinion_page_has_no_comments(splitter):
    got = split_file(splitter, SEEDS / "000_4aaaeb5d82a7d66c.txt")
    assert got.comments == []


@pytest.mark.parametrize("encode", [
    lambda t: t.encode("utf-8"),
    lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    lambda t: t.encode("utf-16"),
    lambda t: t.replace("\n", "\r\n").encode("utf-8"),
    lambda t: gzip.compress(t.encode("utf-8")),
])
def test_split_is_invariant_to_encoding_line_ends_and_gzip(splitter, encode):
    text = (SEEDS / "004_dc72d3cab54b6f82.txt").read_text(encoding="utf-8")
    reference = splitter.split_prepared([prepare(page_from_bytes(text.encode("utf-8"), "p"))])[0].to_dict()
    got = splitter.split_prepared([prepare(page_from_bytes(encode(text), "p"))])[0].to_dict()
    assert got == reference


def test_only_comments_page(splitter):
    text = "\n".join(f"reader{k} | 1{k % 10}/03/2015\nI think point {k} of the plan is wrong, and here is why." for k in range(12))
    split = splitter.split_text(text)
    assert len(split.comments) == 12
    assert [c.author for c in split.comments] == [f"reader{k}" for k in range(12)]
    assert split.article["body"] == ""


#: Floors of the issue the committed splitter does not meet yet (strict: meeting one fails the
#: test until it is removed here). The figures are in the splitter's evaluation.md.
KNOWN_SHORTFALLS = {
    ("rendered_heldout_text", "comment_f1"): "0.758 on the fifteen held-out layout families (newsgroup 0.43, wikitalk 0.52, qa 0.58, instagram 0.74); floor 0.95",
    ("rendered_heldout_html", "comment_f1"): "0.765 on the fifteen held-out layout families (instagram 0.17, wikitalk 0.27, qa 0.54, newsgroup 0.55); floor 0.95",
}
FLOORS = [("dragnet_heldout", "boundary_f1"), ("dragnet_heldout", "comment_f1"),
          ("rendered_heldout_text", "comment_f1"), ("rendered_heldout_html", "comment_f1")]


@pytest.fixture(scope="module")
def stored_report():
    return json.loads((resolve_splitter_dir() / "evaluation.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("section, metric", [
    pytest.param(sec, met, marks=[pytest.mark.xfail(reason=KNOWN_SHORTFALLS[(sec, met)], strict=True)]
                 if (sec, met) in KNOWN_SHORTFALLS else [], id=f"{sec}-{met}")
    for sec, met in FLOORS
])
def test_stored_evaluation_meets_the_floor(stored_report, section, metric):
    row = stored_report["floors"][section][metric]
    assert row["met"], row


def test_stored_evaluation_is_for_this_model_and_seeds_match(stored_report, splitter):
    assert stored_report["splitter_id"] == splitter.model_id
    for name, seed in stored_report["seeds"].items():
        known = {field for (source, field) in KNOWN_GAPS if source == name}
        assert set(seed["failed"]) <= known, name


def test_every_line_of_real_pages_is_accounted_for(splitter):
    root = Path(__file__).resolve().parents[2] / "data" / "pages" / "dragnet" / "Corrected"
    for path in sorted(root.glob("*.txt"))[:40]:
        split = split_file(splitter, path)
        raw = page_from_bytes(path.read_bytes(), str(path))
        lines = [l.replace("\t", "    ").replace("\xa0", " ").strip() for l in raw.text.split("\n")]
        assert [b.text for b in split.blocks] == [l for l in lines if l]
        assert all((k is not None) == (lab in L.COMMENT_LABELS) for lab, k in zip(split.labels, split.comment_of))
