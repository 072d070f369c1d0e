"""Normalisation undoes obfuscation and leaves ordinary text alone."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moderate.normalise import normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("You are a 1d10t", "you are a idiot"),
        ("f*ck you", "fuck you"),
        ("what the f**k", "what the fuck"),
        ("sh!t happens", "shit happens"),
        ("a$$hole", "asshole"),
        ("$hit", "shit"),
        ("b!tch", "bitch"),
        ("k1ll yourself", "kill yourself"),
        ("l0ser", "loser"),
        ("stuuuuupid", "stupid"),
        ("f u c k off", "fuck off"),
        ("i.d.i.o.t", "idiot"),
        ("ＩＤＩＯＴ", "idiot"),  # full-width letters (NFKC)
        ("іdiот", "idiot"),  # Cyrillic look-alikes inside a Latin word
        ("Café", "cafe"),
        ("RT @someone: hello &amp; bye http://example.com/x", ": hello & bye url"),
    ],
)
def test_obfuscation_is_undone(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "covid19 cases rose in the 2nd wave",
        "the 1990s were fine, mp3 players too",
        "really?!",
        "well-known o'neil don't",
        "дурак",  # a word wholly in another script is not transliterated
        "hello... world",
    ],
)
def test_ordinary_text_is_kept(text: str) -> None:
    assert normalise(text) == text.casefold()


def test_whitespace_is_collapsed() -> None:
    assert normalise("  a  lot\n\nof\tspace ") == "a lot of space"


@given(st.text(max_size=200))
def test_normalise_is_total_and_idempotent_on_whitespace(text: str) -> None:
    out = normalise(text)
    assert isinstance(out, str)
    assert out == out.strip()
    assert "  " not in out


@given(st.text(alphabet=st.characters(categories=["Ll", "Lu", "Nd", "Zs", "Po"]), max_size=80))
def test_normalise_is_deterministic(text: str) -> None:
    assert normalise(text) == normalise(text)
