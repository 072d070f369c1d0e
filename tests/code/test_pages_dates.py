"""Dates in pages: page-level day/month order, clocks, worded and relative dates."""

from hypothesis import given
from hypothesis import strategies as st

from moderate.pages.dates import DateReader, date_facts, date_spans
from moderate.pages.resources import load_phrases


def test_day_first_when_the_page_proves_it():
    lines = ["Ikran teacher | 12/12/2016", "Free Kurdistan | 13/12/2016", "x | 01/02/2016"]
    reader = DateReader(lines)
    assert reader.read(lines[0]) == "2016-12-12"
    assert reader.read(lines[1]) == "2016-12-13"
    assert reader.read(lines[2]) == "2016-02-01"


def test_month_first_with_twelve_hour_clock_in_the_same_page():
    lines = ["a | 12/12/2016", "b | 13/12/2016", "Adstar | 7/25/2017 3:38:26 AM", "c | 7/25/2017 12:22:14 PM", "d | 7/5/2017 12:05:00 AM"]
    reader = DateReader(lines)
    assert reader.read(lines[2]) == "2017-07-25T03:38:26"
    assert reader.read(lines[3]) == "2017-07-25T12:22:14"
    assert reader.read(lines[4]) == "2017-07-05T00:05:00"  # same shape as the proven month-first dates
    assert reader.read(lines[0]) == "2016-12-12"


def test_month_first_evidence_flips_an_ambiguous_group():
    reader = DateReader(["x 03/04/2012", "y 03/25/2012"])
    assert reader.read("x 03/04/2012") == "2012-03-04"


def test_worded_dates_and_times():
    reader = DateReader([])
    assert reader.read("October 16th, 2012 at 6:57 am") == "2012-10-16T06:57"
    assert reader.read("Posted 10/18/2012 at 12:18 pm") == "2012-10-18T12:18"
    assert reader.read("3. März 2014 um 10:21") == "2014-03-03T10:21"
    assert reader.read("12 March 2014 10:32") == "2014-03-12T10:32"
    assert reader.read("2014-03-12 22:05") == "2014-03-12T22:05"
    assert reader.read("3 years ago") is None
    assert reader.read("on 31/02/2012") is None or reader.read("on 31/02/2012").startswith("2012")


def test_date_facts_and_spans():
    facts = date_facts("Soup Waiter • 3 years ago")
    assert facts.relative and not facts.numeric
    assert date_facts("vor 2 Tagen").relative
    assert date_facts("il y a 5 heures").relative
    assert date_facts("Reply").covered == 0
    text = "Bob | 7/25/2017 3:38:26 AM"
    (a, b), = date_spans(text)
    assert text[a:b].startswith("7/25/2017")
    assert not date_facts("I paid 3/4 of the price in 2012 for 10 apples").time


RELATIVE_WORDS = ["3 years ago", "vor 2 Tagen", "il y a 5 heures", "hace 3 días", "há 2 horas", "2 uur geleden",
                  "Yesterday", "TODAY", "just now", "Hier", "hoy", "5 ore fa", "3h", "12 min", "2 wk", "An hour AGO"]


@given(st.text(max_size=30), st.sampled_from(RELATIVE_WORDS), st.text(max_size=30))
def test_the_cheap_relative_time_test_never_hides_one(before, phrase, after):
    """The substring tests that guard the big relative-time pattern let every match through."""
    from moderate.pages.dates import _ANY_DIGIT, _relative_hint, _relative_pattern

    for text in (before + phrase + after, before + " " + phrase + " " + after, phrase):
        if _relative_pattern().search(text):
            assert _relative_hint(text.lower(), _ANY_DIGIT.search(text) is not None), text


@given(st.text(max_size=20), st.sampled_from(sorted(load_phrases("weekdays"))), st.text(max_size=20))
def test_the_weekday_stems_cover_every_weekday(before, day, after):
    from moderate.pages.dates import _weekday_stems

    text = (before + " " + day + " " + after).lower()
    assert any(stem in text for stem in _weekday_stems())
