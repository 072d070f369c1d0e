"""From labelled blocks to comments: grouping, authors, dates, replies, widgets."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moderate.pages.assemble import assemble, clean_name, end_tight_sections
from moderate.pages.blocks import text_blocks

T, Y, B, X, F, H, C, W = "title", "byline", "body", "boilerplate", "furniture", "comment_header", "comment_text", "widget_title"


def split(lines_and_labels, fmt="text"):
    """Assemble hand-labelled lines; a label written ``"+label"`` marks where the segmenter
    would start a new comment (without any marks, the built-in default applies)."""
    text = "\n".join(line for line, _ in lines_and_labels)
    blocks = text_blocks(text)
    raw = [label for line, label in lines_and_labels if line.strip()]
    labels = [label.lstrip("+") for label in raw]
    starts = [label.startswith("+") for label in raw] if any(l.startswith("+") for l in raw) else None
    assert len(blocks) == len(labels)
    return assemble(blocks, labels, "page.txt", fmt, starts=starts)


NH, NC = "+" + H, "+" + C


@pytest.mark.parametrize("line, name", [
    ("Ikran teacher | 12/12/2016", "Ikran teacher"),
    ("by justforgetme (1814588) on Tuesday July 24, @01:06PM (#40751967) Homepage", "justforgetme"),
    ("Sarah says:", "Sarah"),
    ("#3 Bob wrote:", "Bob"),
    ("Soup Waiter • 3 years ago", "Soup Waiter"),
    ("Posted 10/18/2012 at 12:18 pm", None),
    ("by Anonymous Coward", "Anonymous Coward"),
    ("1. Jane Doe — 3 hours ago", "Jane Doe"),
    ("— Bob Smith, 12 March 2014 10:32", "Bob Smith"),
    ("Published: Updated:", None),
    ("Reply", None),
    ("Hans schrieb am 3. März 2014:", "Hans"),
    ("21 Nicole | June 25th, 2014 at 2:39 p.m.", "Nicole"),
    ("Comment #1 by andrewwalker on Jan 3, 2016 6:37p.m.", "andrewwalker"),
    ("Écrit par françoisebonnet le 06/04/2010 à 21h17", "françoisebonnet"),
    ("Geplaatst door:", None),
    ("Cheers, rider_anon", "rider_anon"),
    ("abdulhill Top Commenter", "abdulhill"),
    ("Top Commenter", None),
    ("Moderator", "Moderator"),
    ("[–] John 0 points 3 years ago", "John"),
    ("[-] free_observer score hidden 2 years ago", "free_observer"),
    ("Francisco Fernandes → Carmela · 3 months ago", "Francisco Fernandes"),
    # Blogger's "said…" (one ellipsis character)
    ("Petra P. said…", "Petra P."),
    # relative times in languages whose unit words are not listed, weekdays in lower case
    ("Posted by giuseppe1976 1 anno fa", "giuseppe1976"),
    ("Anna vor 3 Tagen", "Anna"),
    ("lundi 2 mars 2020 à 15h48", None),
    # prepositions inside names stay; a preposition before a cut date or a weekday ends the name
    ("Sammy de Leon — July 10th, 2012, 7:53 pm", "Sammy de Leon"),
    ("14 White on Rice Couple November 12, 2012 at 12:40 pm", "White on Rice Couple"),
    ("Submitted by Martine in Halifax on 5/4/2014 2:53:58 am", "Martine in Halifax"),
    ("Samantha in Torino disse:", "Samantha in Torino"),
    ("Posted by Jane at 10:05 pm", "Jane"),
    ("John on Tuesday", "John"),
    ("Bob in reply to Ann", "Bob"),
    ("carolyn1995 in A Man Developed 'Feather Duvet Lung' After Getting New Bedding", "carolyn1995"),
    # a place in capitals after the name (data: places.txt), not a surname in capitals
    ("Robert NETHERLANDS", "Robert"),
    ("dija SAUDI ARABIA", "dija"),
    ("Kazim ŞENOCAK | November 9, 2012 7:51 AM |", "Kazim ŞENOCAK"),
    ("Beatriz in UNITED STATES 7mo", "Beatriz in UNITED STATES"),
    # vote counts after the name
    ("xdwyer 5 pts", "xdwyer"),
    # recent-comment widgets in other languages (data: name_prepositions.txt, header_verbs.txt)
    ("Alessandro Marchetti su “WeWork employees to be laid off this week”", "Alessandro Marchetti"),
    ("Hans Müller zu „Streik legt Bahnverkehr lahm“", "Hans Müller"),
    ("Hans Müller kommentierte Streik legt Bahnverkehr lahm", "Hans Müller"),
    ("Jean Dupont dans « Le gouvernement annonce un plan »", "Jean Dupont"),
    ("João Silva em “Governo anuncia plano”", "João Silva"),
    # a name particle is not cut by a long title after it (data: name_particles.txt)
    ("Jan de Vries op Kabinet valt over stikstof", "Jan de Vries"),
    ("María de la Cruz en “Título largo aquí”", "María de la Cruz"),
    ("Brian en Antwerpen", "Brian en Antwerpen"),
    # a handle's "@" is part of the name shown (as the dragnet annotators read "@bkajino"); a
    # stray "@" is not
    ("@bkajinoAugust 5, 2012 3:24 PM", "@bkajino"),
    ("Posted by @jack on May 3, 2012", "@jack"),
    ("@Omar · 2 years ago (edited)", "@Omar"),
    ("Carol@inthetrenches said,", "Carol@inthetrenches"),
    ("John @ 3:15 pm", "John"),
    ("@ John", "John"),
    # form labels are not names (data: field_labels.txt)
    ("Name:", None),
    ("Name: Horst", "Horst"),
    ("Your name", None),  # a label without its colon, above the value
    ("Respondent:", None),
    ("Name withheld", None),  # data: withheld_names.txt
    ("Name and address supplied", None),
    ("Date: 12.03.2014", None),
    ("Horst  Date: 12/3/2014", "Horst"),
    ("Autor: Hans Müller", "Hans Müller"),
    # a month and a two-digit year (Discourse) is a date, not part of the name
    ("rachelmartin Oct '14", "rachelmartin"),
    ("Mar '06", None),
    # a username beside the same person's full name (Discourse): the full name; a verified mark
    # is a badge; "Name @blog" is the name as shown (the dragnet annotators' "Heidi @foodiecrush")
    ("pamelajones Pamela Jones", "Pamela Jones"),
    ("Pamela Jones pamelajones · 5h", "Pamela Jones"),
    ("Rose Rose Rose", "Rose Rose Rose"),
    ("@liberty_smart ✔", "@liberty_smart"),
    ("Heidi @foodiecrush", "Heidi @foodiecrush"),
])
def test_clean_name(line, name):
    assert clean_name(line) == name


def test_seed_like_section_with_an_empty_comment_and_widget():
    s = split([
        ("Palmyra falls", T), ("By Paul Iddon 12/12/2016", Y), ("Body one.", B), ("", None), ("Body two.", B),
        ("Ikran teacher | 12/12/2016", NH),
        ("Dutchman | 12/12/2016", NH), ("First comment.", C),
        ("Free Kurdistan | 13/12/2016", NH), ("Second comment.", C),
        ("Why | 13/12/2016", NH), ("@Free Kurdistan: you are wrong", C),
        ("What You Say", F),
        ("Adstar | 7/25/2017 3:38:26 AM", NH), ("Widget comment.", C),
        ("Other story title", W), ("| yesterday at 11:45 | (10)", F),
        ("kurd | 7/25/2017 11:33:27 AM", NH), ("Another widget comment.", C),
        ("Third story", W),
    ])
    assert s.article == {"title": "Palmyra falls", "byline": "Paul Iddon", "published": "2016-12-12", "body": "Body one.\n\nBody two."}
    got = [(c.author, c.posted_at, c.text, c.reply_to, c.about) for c in s.comments]
    assert got == [
        ("Ikran teacher", "2016-12-12", "", None, None),
        ("Dutchman", "2016-12-12", "First comment.", None, None),
        ("Free Kurdistan", "2016-12-13", "Second comment.", None, None),
        ("Why", "2016-12-13", "@Free Kurdistan: you are wrong", 2, None),
        ("Adstar", "2017-07-25T03:38:26", "Widget comment.", None, "Other story title"),
        ("kurd", "2017-07-25T11:33:27", "Another widget comment.", None, "Third story"),
    ]
    assert s.boilerplate == ["What You Say", "| yesterday at 11:45 | (10)"]


def test_default_grouping_two_line_headers_and_multi_paragraph_comments():
    s = split([
        ("Jeanne P", H), ("Posted 10/18/2012 at 12:18 pm", H), ("Para one.", C), ("", None), ("Para two.", C), ("Reply", F),
        ("Kathy", H), ("Posted 10/18/2012 at 12:40 pm", H), ("Wow.", C),
    ])
    assert [(c.author, c.posted_at, c.text) for c in s.comments] == [
        ("Jeanne P", "2012-10-18T12:18", "Para one.\n\nPara two."),
        ("Kathy", "2012-10-18T12:40", "Wow."),
    ]


def test_footer_headers_belong_to_the_comment_the_segmenter_says():
    s = split([("Great post!", NC), ("— Ann, 12 March 2014 10:32", H), ("I disagree.", NC), ("More.", C), ("— Bob, 13 March 2014 09:00", H)])
    assert [(c.author, c.text) for c in s.comments] == [("Ann", "Great post!"), ("Bob", "I disagree.\n\nMore.")]


def test_indentation_gives_replies():
    s = split([
        ("by alice (1)", H), ("Top.", C),
        ("    by bob (2)", H), ("    Reply to alice.", C),
        ("        by carol (3)", H), ("        Reply to bob.", C),
        ("    by dave (4)", H), ("    Also to alice.", C),
        ("by erin (5)", H), ("New thread.", C),
    ])
    assert [c.reply_to for c in s.comments] == [None, 0, 1, 0, None]


def test_headerless_comments_and_every_line_accounted():
    s = split([("Title", T), ("Body.", B), ("First reader.", NC), ("Reply", F), ("Second reader.", NC), ("Still second.", C), ("Report", F), ("Third.", NC)])
    assert [c.text for c in s.comments] == ["First reader.", "Second reader.\n\nStill second.", "Third."]
    assert all((k is not None) == (lab in (H, C)) for lab, k in zip(s.labels, s.comment_of))


def test_leading_widget_titles():
    s = split([
        ("Body.", B), ("Recent comments", F),
        ("Story A", W), ("ann | 3 hours ago", H), ("On A.", C),
        ("Story B", W), ("bob | 2 hours ago", H), ("On B.", C),
    ])
    assert [(c.author, c.about, c.posted_at) for c in s.comments] == [("ann", "Story A", "3 hours ago"), ("bob", "Story B", "2 hours ago")]


def test_no_comments_and_empty_page():
    s = split([("Title", T), ("Body.", B), ("Share", X)])
    assert s.comments == [] and s.boilerplate == ["Share"]
    empty = assemble([], [], "e.txt")
    assert empty.to_dict() == {"source": "e.txt", "article": {"title": None, "byline": None, "published": None, "body": ""}, "comments": [], "boilerplate": []}


def test_inline_names_become_authors_only_when_the_page_does_it_consistently():
    s = split([("Ann: I liked it.", NC), ("Bob Smith: Me too, and more.", NC), ("carol99: No.", NC)])
    assert [(c.author, c.text) for c in s.comments] == [("Ann", "I liked it."), ("Bob Smith", "Me too, and more."), ("carol99", "No.")]
    lone = split([("Update: the council voted.", NC), ("I agree with that.", NC), ("So do I, really.", NC)])
    assert [c.author for c in lone.comments] == [None, None, None]



def test_inline_names_with_a_header_verb_a_dash_or_brackets():
    s = split([("ANDREW KELLY says: Spot on.", NC), ("nurse_99 wrote: Nobody wants that.", NC),
               ("Mary Smith — yes indeed.", NC), ("<bob> hello there", NC), ("Pierre a écrit : oui.", NC)])
    assert [(c.author, c.text) for c in s.comments] == [
        ("ANDREW KELLY", "Spot on."), ("nurse_99", "Nobody wants that."), ("Mary Smith", "yes indeed."),
        ("bob", "hello there"), ("Pierre", "oui.")]


def test_chat_lines_give_their_authors_when_the_page_writes_them_so():
    # a chat log's clock time before the name, a photo app's bare handle before the text
    s = split([("[12:03] <jane> hello there", NC), ("12:04 PM bob_77 No way.", NC), ("0:42 kim.lee: me too", NC)])
    assert [(c.author, c.text) for c in s.comments] == [("jane", "hello there"), ("bob_77", "No way."), ("kim.lee", "me too")]
    app = split([("janedoe_88 This is so true", NC), ("mark.t so good", NC), ("Lovely photo!", NC)])
    assert [(c.author, c.text) for c in app.comments] == [("janedoe_88", "This is so true"), ("mark.t", "so good"), (None, "Lovely photo!")]
    # one "H1N1 ..." paragraph among plain comments is no handle
    plain = split([("H1N1 cases rose again.", NC), ("I agree with that.", NC), ("So do I, really.", NC)])
    assert [c.author for c in plain.comments] == [None, None, None]


def test_a_quote_header_on_its_own_line_is_not_an_inline_author():
    # forum quotes: "Name wrote:" alone on a line, then the quoted text; the verb must be followed
    # by text on the same line
    s = split([("Sam wrote:", NC), ("Keep smoking.", C), ("Yes, and more.", C),
               ("Kim wrote:", NC), ("No.", C), ("Agreed.", NC)])
    assert [c.author for c in s.comments] == [None, None, None]


def test_two_complete_headers_are_two_comments_even_if_grouped():
    s = split([("Ikran teacher | 12/12/2016", NH), ("Dutchman | 12/12/2016", H), ("Text.", C),
               ("Jeanne P", NH), ("Posted 10/18/2012 at 12:18 pm", H), ("Hi.", C)])
    assert [(c.author, c.text) for c in s.comments] == [("Ikran teacher", ""), ("Dutchman", "Text."), ("Jeanne P", "Hi.")]


def _tight(lines, chrome_words=("Rudaw",)):
    text = "\n".join(line for line, _ in lines)
    blocks = text_blocks(text)
    labels = [label for line, label in lines if line.strip()]
    chrome = [any(w in b.text for w in chrome_words) for b in blocks]
    return end_tight_sections(blocks, labels, chrome)


TIGHT = [("Ann | 12/12/2016", H), ("Text one.", C), ("Bob | 13/12/2016", H), ("Text two.", C),
         ("Cy | 13/12/2016", H), ("Text three.", C)]


def test_a_tight_comment_section_ends_at_its_first_blank_line_before_site_chrome():
    got = _tight(TIGHT + [("", None), ("Be Part of Your Rudaw!", C), ("", None),
                          ("Share your stories with Rudaw.", C), ("", None), ("What You Say", F)])
    assert got[6:] == [X, X, F]
    assert got[:6] == [H, C, H, C, H, C]


@pytest.mark.parametrize("tail", [
    [("", None), ("A second paragraph of Cy's comment.", C)],  # not chrome: a comment's paragraph
    [("", None), ("Rudaw is great.", C), ("Dee | 14/12/2016", H), ("More.", C)],  # a header follows
])
def test_a_tight_section_keeps_what_is_not_chrome_or_is_followed_by_a_header(tail):
    got = _tight(TIGHT + tail)
    assert X not in got


def test_a_loose_section_is_left_alone():
    loose = [x for pair in zip(TIGHT, [("", None)] * len(TIGHT)) for x in pair]
    got = _tight(loose + [("Be Part of Your Rudaw!", C)])
    assert got[-1] == C


@pytest.mark.parametrize("opening", ["@Ann ", "Re Ann: ", "Re: Ann ", "To Ann: ", "↪ Ann\n\n", "In reply to Ann: "])
def test_a_reply_that_names_an_earlier_author_links_to_that_comment(opening):
    s = split([("Ann | 12/12/2016", NH), ("First.", C), ("Bob | 12/12/2016", NH), ("Second.", C),
               ("Cy | 13/12/2016", NH), (opening.replace("\n\n", " ") + "you are right.", C)])
    assert [c.reply_to for c in s.comments] == [None, None, 0]


def test_a_text_starting_with_an_earlier_author_links_only_without_nesting_and_for_real_names():
    s = split([("Ann Lee | 12/12/2016", NH), ("First.", C), ("Bob | 12/12/2016", NH), ("Second.", C),
               ("Cy | 13/12/2016", NH), ("Ann Lee, I agree.", C), ("Di | 13/12/2016", NH), ("Annoying.", C),
               ("Ed | 13/12/2016", NH), ("Bo said so.", C)])
    assert [c.reply_to for c in s.comments] == [None, None, 0, None, None]


@given(st.lists(st.integers(0, 4), max_size=40))
def test_nearest_lower_level_is_the_backward_scan(levels):
    from moderate.pages.assemble import nearest_lower

    def scan(k):
        return next((j for j in range(k - 1, -1, -1) if levels[j] < levels[k]), None)

    assert nearest_lower(levels) == [scan(k) for k in range(len(levels))]


NAMES = ["Ann", "ann", "Ann Lee", "Al", "Bob", "bo", "Ann-Marie", "@bo", "@Ann Lee", "@", "", None]


@given(st.lists(st.sampled_from(NAMES), max_size=12),
       st.sampled_from(["Ann", "ann lee, no", "Ann-Marie: yes", "Bob", "bob's", "Al,", "bo", "Annie", "Ann Lee", "@bo hi", "@ann lee"]),
       st.integers(1, 3))
def test_the_author_index_answers_like_the_definition(authors, addressed, min_len):
    """_Authors (one lookup per word boundary) picks the comment a scan of every earlier one picks."""
    from moderate.pages.assemble import Comment, _Authors

    def _latest_author(previous, addressed, min_len):  # the definition: the latest, longest name
        target = addressed.lower()
        best, best_len = None, 0
        for j in range(len(previous) - 1, -1, -1):
            name = (previous[j].author or "").lower()
            for author in {name, name[1:] if name.startswith("@") else name}:  # "@bo" is addressed as "bo" too
                if len(author) < min_len:
                    continue
                at_boundary = len(target) == len(author) or not target[len(author):][:1].isalnum()
                if author and target.startswith(author) and len(author) > best_len and at_boundary:
                    best, best_len = j, len(author)
        return best

    comments = [Comment(k, a, None, "") for k, a in enumerate(authors)]
    index = _Authors()
    for k, c in enumerate(comments):
        assert index.latest(addressed, min_len) == _latest_author(comments[:k], addressed, min_len)
        index.add(k, c.author)
    assert index.latest(addressed, min_len) == _latest_author(comments, addressed, min_len)


@pytest.mark.parametrize("names, author", [
    (["IR", "Ikran Richardson"], "Ikran Richardson"),  # an avatar's letters above the name
    (["O", "@Omar"], "@Omar"),
    (["DO", "data_oak"], "data_oak"),
    (["RC", "ReasonCat"], "ReasonCat"),
    (["AJ"], "AJ"),  # nothing better: the letters are what the page shows
    (["Bob", "Alice"], "Bob"),  # two names: the first
    (["JD", "Alice Smith"], "JD"),  # not Alice's letters
    ([], None),
    ([None, "IR", None, "Ikran Richardson"], "Ikran Richardson"),  # lines that show no name
    (iter(["Bob", None]), "Bob"),
])
def test_pick_author_skips_avatar_letters(names, author):
    from moderate.pages.assemble import pick_author

    assert pick_author(names) == author


@pytest.mark.parametrize("line, name", [
    ("I agree. —Jane Doe (talk) 12:03, 3 March 2021 (UTC)", "Jane Doe"),
    ("Understood. --ruud79 (talk) 01:35, 27 October 2023 (UTC) [reply]", "ruud79"),
    ("Caveat Emptor. paul (talk) 11:25, 24 July 2014 (UTC) Reply", "paul"),  # a wiki signature without a dash
    ("Great point -- Ann, 3/4/2014", "Ann"),
    ("Nice one. Posted by Ray Anderson at 3:30 AM on 20 March 2014", "Ray Anderson"),  # a lead phrase (name_leads.txt)
    ("I agree with all of it. (Ann, Leeds, 3 March 2021)", "Ann"),  # in brackets after a sentence
    ("Quote (msoak @ Aug 23rd, 2016)", None),  # a bracket after one word is a quote header
    ("The bill was approved by Congress on March 3, 2014", None),  # a lone "by" is a sentence's
    ("see the article from March 3, 2012", None),  # a date, no signature
    ("It happened on March 3, 2012 - a Tuesday.", None),  # the line does not end with the date
    ("Thanks, Jane", None),
])
def test_signature_at_the_end_of_a_line(line, name):
    from moderate.pages.assemble import signature

    found = signature(line)
    assert (found[1] if found else None) == name
    if found:
        assert name in line[found[0]:] and name not in line[:found[0]]  # the signature starts at the cut ...
        assert line.endswith(found[2]) and found[2] not in line[:found[0]]  # ... and ends with its date


def test_signed_lines_end_their_comments():
    """On a page that signs its comments, a signed text line ends its comment (the next line
    starts another), and the signature gives the author and date and leaves the text."""
    s = split([
        ("Talk: Trams", T), ("The city will run trams again.", B),
        ("Sources", F),
        ("The date is wrong. —Jane Doe (talk) 12:03, 3 March 2021 (UTC)", C),
        (":Fixed it, thanks. --Bob (talk) 14:10, 3 March 2021 (UTC)", C),
        ("First line of a long comment.", C),
        ("Its second line, signed. —Ann Lee (talk) 09:00, 4 March 2021 (UTC)", C),
    ])
    got = [(c.author, c.posted_at, c.text) for c in s.comments]
    assert got == [
        ("Jane Doe", "2021-03-03T12:03", "The date is wrong."),
        ("Bob", "2021-03-03T14:10", ":Fixed it, thanks."),
        ("Ann Lee", "2021-03-04T09:00", "First line of a long comment.\n\nIts second line, signed."),
    ]
    # one signed line is not a layout: the comment stays as the labels made it
    one = split([("Story", T), ("Body.", B), ("Ann says:", H), ("Nice. -- Ann, 3/4/2014", C), ("More text.", C)])
    assert [(c.author, c.text) for c in one.comments] == [("Ann", "Nice. -- Ann, 3/4/2014\n\nMore text.")]
