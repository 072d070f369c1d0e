"""Synthetic news pages with line-level truth, for training and evaluating the page splitter.

Real article bodies (``data/pages/scrapinghub``) and real reader comments (the comment corpora)
are rendered into many comment-system layouts and page skeletons, as a plain-text dump (what a
scraper's text extraction gives) or as an HTML document whose text-bearing elements carry
``data-gold`` / ``data-comment`` attributes.

Public API
----------
* :class:`GoldLine`, :class:`RenderedPage` - the output.
* :data:`LAYOUTS`, :data:`TRAIN_LAYOUTS`, :data:`HELDOUT_LAYOUTS`, :data:`EXPERIMENTAL_LAYOUTS`,
  :data:`LAYOUT_DESCRIPTIONS`.
* :func:`load_sources` - real articles and comment texts.
* :func:`render_page` - one page from one article and a list of comment texts.
* :func:`synthetic_pages` - ``n`` deterministic pages for a seed.

Conventions of the truth
------------------------
* ``article["title"]`` is ``""`` when the page shows no title line; ``byline`` is the author name(s)
  as shown (``None`` if no author is shown); ``published`` is the ISO date shown in a byline line.
* ``comments[i]["author"]`` is a substring of one of the comment's header lines (usually the first;
  a later one for date-first two-line headers or when the extractor splits a header into fragments),
  or, for "Name: text" layouts, the inline comments of ``qa`` ("text – Name Mar 3, 2021 at 5:14") and
  the signed paragraphs of ``wikitalk`` ("text —Jane (talk) 12:03, 3 March 2021 (UTC)") and ``signed``
  ("text -- Ann, 3/4/2014") and the first
  lines of ``instagram`` ("janedoe_88 This is so true") and ``chat`` ("12:03 PM janedoe_88 This is so
  true", "Q. Jane from Leeds: ..."), of its text line (those lines are
  ``comment_text``: their main job is the text); ``None`` when no name is shown.
  ``posted_at`` is the ISO form of an absolute date shown with a year (``YYYY-MM-DD``,
  ``YYYY-MM-DDTHH:MM`` or ``...:SS``); relative ("3 years ago") or year-less times give ``None``.
* ``text`` is the comment as shown: paragraphs joined by a blank line (``"\\n\\n"``), including an
  "@Name" prefix or a quoted passage when the page shows one; widget comments are truncated as shown.
* ``reply_to`` is set only when the page shows the relation (nesting, "@Name", "In reply to ...",
  a quote of the parent) and always points to an earlier comment.
* Whitespace-only lines of a text dump are blank lines (label ``None``).
* Labelling choices: slashdot subject/score lines, "Like · Reply · 2y", vote counts, "In reply to X"
  and widget headings are ``furniture``; a Facebook affiliation line under the name is
  ``comment_header``; the WordPress widget line "Name on Story title" is the ``comment_header`` of a
  comment with empty text; widget story titles are ``widget_title`` and their "| 11:45 | (10)" meta
  lines ``boilerplate``; a sign-in/guest form above the article is ``boilerplate``, inside the
  comment section ``furniture``.
* ``letters`` (readers' letters and reader contributions: a newspaper's letters page, "Your views" /
  "Readers respond" pages, BBC-Have-Your-Say-like and Yahoo-Answers-like lists): the writer comes AFTER
  the text. The sign-off lines are the ``comment_header``: the name line ("Jane Doe", "JANE DOE", "— Jane
  Doe, Leeds", "Jane Doe, Springfield, Ill.", "Jane Doe, via email", "Name and address supplied", "Jane
  · 9 years ago"), a place or "Via email" line under it and the date line ("Posted 3 March 2021",
  "Published: 03/03/2021 12:03", "Added: 12:03 3 March 2021"). ``author`` is the name as shown (with a
  title or a second signer when shown: "Dr Jane Doe", "Jane Doe and John Smith"), none for "Name ...
  supplied / withheld"; ``posted_at`` is the date line's. A letter's headline is a ``comment_text`` line
  and the first paragraph of ``text`` (as a review's title); a heading over several letters on one
  subject is ``furniture``. A 'Re “Title” (news article, March 1):' lead and an answer's "Source(s):
  ..." are part of ``text``. Counts ("Recommended by 23 people", thumbs "0 0"), "Report", "Complain
  about this comment", "Best Answer", section headings and notes ("Letters to the editor", "Write to us
  at ...", "Read more letters") are ``furniture``. An editor's note under a letter is a comment of its
  own, without author, replying to the letter: an "Editor's note: " lead is part of its ``text``, a
  "— Ed." sign ending it is not.
* ``signed`` (comments signed at the end of their text: old blogs, guestbooks, newspaper comment
  archives, message boards): as in ``wikitalk``, the signature ("... -- Ann, 3/4/2014", "... ~Bob from
  Ohio", "... Posted by Ann at 10:32 AM on March 3, 2014", "... (Ann, Leeds, 3 March 2021)") ends the
  line of the last paragraph, which stays ``comment_text``; ``text`` is the paragraphs without it,
  ``author`` the name in it as shown ("Ann K.", a handle, "Anonymous") and ``posted_at`` its date. A
  signature on a line of its own right after the text is the ``comment_header``; a comment with none
  has no author and no date. Replies show by nesting (indentation, nested lists, never ':') or by an
  "@Ann" / "Re: Ann -" lead, which is part of ``text``. Headings, rules ("-----"), "Reply | Report",
  "permalink" and comment numbers ("#3") are ``furniture``.
* ``social`` (replies under a post of X, Mastodon, Bluesky, Threads): ``author`` is the display name
  when the header shows one, else the handle exactly as shown (with its "@" and instance when shown:
  "@jane@mastodon.social"; "janedoe" on Threads). Name, handle and time lines are ``comment_header``;
  "Replying to @x" lines, count and action rows ("💬 3  🔁 12  ❤ 45", bare "3" / "12" lines, "Reply
  Repost Like Share"), "Show more" and the embed's chrome are ``furniture``; an "@x" mention that
  starts a reply is part of its ``text``. Replies to the page's own post ("Replying to @site",
  "@site ...") have no ``reply_to``.
* ``qa`` (Stack-Exchange-like): the question is the article; the answers and the short comments under
  the question and under the answers are the comments. An answer's vote count, accepted mark, "Share
  Improve this answer Follow", edit card ("edited <date>", the editor's name and reputation) and
  reputation / badge lines are ``furniture``; the owner card AFTER the text ("answered <date>" and the
  name) is its ``comment_header``, ``author`` that name. A comment "text – Name date" is one
  ``comment_text`` line (``text`` without " – Name date", ``author`` and ``posted_at`` from the name and
  date in it); it replies to the answer above it, or to the earlier comment it addresses with
  "@Name"; comments under the question reply to nothing (unless they address one another).
* ``wikitalk`` (MediaWiki talk pages): a comment is its paragraphs; the signature ("—Jane Doe (talk)
  12:03, 3 March 2021 (UTC)", "[[User:Jane|Jane]] ([[User talk:Jane|talk]]) ..." in wikitext dumps, or
  an autosigned "— Preceding unsigned comment added by 203.0.113.7 (talk) ...") ends the line of the
  last paragraph, which stays ``comment_text``; ``text`` is the paragraphs without the signature and
  without the "Reply" link after it. ``author`` is the user name or IP address as shown in the
  signature (a substring of that line), ``posted_at`` its date and time; a signature or autosigned note
  on a line of its own is the ``comment_header``; a comment with neither has no author. Replies show by
  indentation (":" characters in wikitext dumps, spaces, nested ``dl``/``dd``); an "@Name:" / "{{ping|Name}}"
  or "(edit conflict)" at the start is part of ``text``, and without visible indentation only the
  "@Name" shows the reply. Section headings ("== Sources ==", "Sources[edit]"), "Latest comment: 3 days
  ago by Name" / "4 comments" lines, "Reply" links, banners, archive, guideline and project boxes, the
  contents list and "Start a new discussion" are ``furniture``.
* ``reviews`` (customer / reader reviews): ``author`` is the reviewer's name as shown ("Amazon Customer"
  included). The name line and the date line ("Reviewed in the United States on March 3, 2021", "By Jane
  on ...", "Jane, 03/03/2021") are ``comment_header``, with the stars or a badge when they share that line
  ("Jane rated it really liked it"). The review title is what the reviewer wrote: a ``comment_text`` line
  (also when the stars precede it: "4.0 out of 5 stars Great read") and the first paragraph of ``text``.
  Stars, badges and "Verified Purchase" / "Format: ..." on lines of their own are ``furniture``, as are
  "12 people found this helpful", "Helpful | Report", "Read more", the rating summary and histogram,
  sort and filter lines, "Write a review" and "See all N reviews". A seller's or developer's response
  under a review replies to it; its author is the name it shows ("Response from <site>"), none for
  "Developer Response".
* ``instagram`` (photo-app comments: Instagram, TikTok, Facebook mobile): a comment's first line is the
  user name as shown (a handle on Instagram, the nickname on TikTok, the full name on Facebook, emoji
  included), maybe a verified mark or an "Author" / "Creator" badge and, on TikTok, "▸ Parent" for a reply
  to a reply, then the text on the same line: it is ``comment_text`` (its main job is the text, as in
  ``inline``), ``author`` is that name (a substring of the line) and ``text`` the comment without the
  name, marks, badge and "▸ Parent". An "@name" (on Facebook often the bare name) that starts a reply is
  part of ``text``. The meta line under the text ("3d  12 likes  Reply", "2021-3-4   Reply", "5h  Like
  Reply") is the ``comment_header``: it holds the comment's time (TikTok's dates with a year give
  ``posted_at``, compact ages such as "3d", "2w", "1y" none); when the age, the likes and the actions are
  elements of their own, only the age line is the header. Like counts on a line of their own, "View
  replies (3)" / "Hide replies" / "View 2 more replies", "Liked by author", "Pinned", "Top fan", "See
  translation", "See more", the post's own header ("View this post on Instagram", "1,234 likes", "Liked
  by jane and 88 others"), "View all 123 comments", "Add a comment…" and "Log in to like or comment." are
  ``furniture``. Replies are listed under the first comment of their thread (one visible level); a reply
  to a reply names its parent ("@name", "▸ name") and replies to it; a reply that names nobody replies to
  the thread's first comment when the nesting shows (HTML, indented text dumps), else to nothing.
* ``chat`` (live-chat replays and live Q&A transcripts: YouTube live chat, Twitch chat, IRC / Matrix logs, a
  newspaper's live chat): a message is one ``comment_text`` line that opens with its time and / or the user
  name ("12:03 PM janedoe_88 This is so true", "0:42 Jane Doe ...", "[12:03] <jane> ...", "janedoe_88  ...",
  "jane: ..." on Twitch), maybe with a badge between the name and the text ("🔧", "Member (6 months)", "VIP",
  "MOD", "Owner", an inline Super Chat amount): ``author`` is the name as shown (a substring of the line,
  without an IRC mode mark such as the "@" of "<@jane>"), ``text`` the message without time, name, badge and
  separator. A chat message is one paragraph (a comment's paragraphs joined by a space, cut at the platform's
  limit: 200 characters on YouTube, 500 on Twitch, 450 on IRC); where a text dump wraps a long message onto
  continuation lines (some IRC logs, Twitch and widget dumps) those lines are ``comment_text`` too and
  ``text`` has one paragraph per line shown. Only times shown with a date with a year give ``posted_at``
  ("[2021-03-03 12:03:44] #chan jane: ..."); stream offsets ("1:02:13"), bare clock times and the date of a
  "--- Day changed ..." line above give none. A reply starts with "@name" (on IRC often "name: " or
  "name, "), part of ``text``, and replies to that user's latest earlier message. System lines ("Welcome to
  live chat! ...", "Jane joined", "Chat was paused", "Slow mode is on", "Super Chat $5.00" amount lines,
  "Top chat replay", "Show chat replay", "Pinned by ...", "-!- jane [...] has joined #chan", "jane
  changed their display name to ...", subscription and time-out notices, log opened / closed lines) are
  ``furniture``; a pinned message under "Pinned by ..." is the channel's own comment. Live Q&A transcripts
  (the Washington-Post-like "Springfield, Va.: question", "Q. Jane from Leeds: ...", CoverItLive's
  "[Comment From Jane: ] ..."): the question line is ``comment_text``, ``author`` the asker's name ("Jane",
  not the place) or ``None`` when only a place is shown ("Springfield, Va.:", "Q. Leeds:"); the host's
  answer ("Tom Smith: ...", "A. Tom Smith: ...") replies to the question just above it; further paragraphs
  are ``comment_text`` lines of their own; the host's opening and closing notes are comments that reply to
  nothing; heading, "Hosted by ...", the chat's date and the editor's notes are ``furniture``.
* ``forms`` (comments as labelled fields: consultation responses, petition reasons for signing, reader
  submission boards, letters published as Outlook e-mails): lines that name the commenter or date the comment
  are ``comment_header`` ("Name: Jane Doe", "Date: 3 March 2021", "Submitted by Jane Doe on Wed, 03/03/2021
  - 12:03", "Signed by Jane Doe (Leeds) on ...", Outlook's "From: Jane Doe <jane@example.com>" and "Sent:
  Tuesday, March 3, 2021 12:03 PM"), also the "Name" / "Date" label when it stands on a line of its own
  above its value (a dt or a cell of its own); the other fields are ``furniture``, label and value ("Location:
  Leeds", "Organisation: (individual)", "Response #123", "Respondent ID: 4567", "To: Letters Desk", "Cc:",
  "Subject: RE: <title>", "Importance: High", yes/no questions with their answers, the "Comment:" label
  alone). "Comment: text" (the text beside its label, or in the next cell of a table row) is
  ``comment_text`` and ``text`` leaves the label out; the comment's other paragraphs are ``comment_text``
  lines of their own. ``author`` is the name as shown (Drupal's " (not verified)" left out; the address
  when an Outlook From line shows no display name); a value that says the name is not published ("Name
  withheld", "Withheld", "Not provided", "[Redacted]") gives ``None`` (a pseudonym such as "Anonymous"
  stays the author, as in the other families). ``posted_at`` is the date field's date when it shows a
  year (petitions' "signed 2 years ago" give none). A greeting ("Dear Editor,") is part of a letter's
  ``text``. Forms show no replies.
* ``newsgroup`` (the reader discussion as a mailing-list / newsgroup archive thread below the article:
  Pipermail, raw headers as on public-inbox or Usenet archives, Google Groups, mail-archive.com): the lines
  naming the sender and the date are the ``comment_header`` ("From: Jane Doe <jane@example.org>", "Date:
  Tue, 3 Mar 2021 12:03:44 +0100", Pipermail's "Jane Doe jane at example.org" and "Tue Mar  3 12:03:44 CET
  2021", Google Groups' name and date lines, mail-archive's "Jane Doe  Tue, 03 Mar 2021 ..."); ``author``
  is the display name of the From line, or the address as shown when it has none ("jane@example.org",
  "jane at example.org", "jan...@gmail.com"); ``posted_at`` is that date (always shown with a year). The
  other header lines ("Subject: Re: ...", "To:", "Cc:", "Message-ID:", "In-Reply-To:", "References:",
  "Newsgroups:", "Organization:", "User-Agent:", subject headings, "to list", "unread,") are
  ``furniture``, as are the archive's navigation ("Previous message: ...", "Messages sorted by: [ date ]
  [ thread ] [ subject ] [ author ]", "More information about the ... mailing list"), thread indexes
  ("Re: title   Jane Doe", "2021-03-03 12:03 ` Jane Doe"), the list footer the list software appends
  ("______", "Foo mailing list", the listinfo URL), "permalink raw reply ...", "Reply all  Reply to author
  Forward" and "- show quoted text -" / "- hide quoted text -". The body is ``comment_text``, and ``text``
  is every line it shows, one paragraph per line: the attribution line ("On Tue, Mar 3, 2021 at 12:03 PM
  Bob <bob@example.org> wrote:"), the quoted lines with their "> " / ">> " marks (no marks when the quote
  is a nested blockquote), "[...]" snips, the reply (above a top-posted quote, or interleaved with the
  quote) and the "-- " signature block ("--", name, motto, URL: the sender wrote or chose it). A message
  replies to its parent when it quotes it (attribution or quoted lines), or when its headers show the
  parent's Message-ID (In-Reply-To / References lines on a page that shows Message-ID lines); a hidden
  quote ("- show quoted text -") shows nothing, and a first message quoting the article has no
  ``reply_to``.
* ``giscus`` (GitHub-backed widgets: giscus on Discussions, utterances on issues): ``author`` is the GitHub
  login as shown ("ghost" for a deleted account). The line "login commented 3 years ago" / "login
  commented on Mar 3, 2021" (replies: "login 3 years ago", "login replied ..."), with an "· edited" mark or an
  association badge ("Owner", "Author", "Member", ...) that shares it, is the ``comment_header``;
  ``posted_at`` comes from an absolute date with a year ("on Mar 3, 2021"; "on Mar 3" and relative times give
  none). The text is the rendered markdown: a quote reply's quoted excerpt (a blockquote, no "> ") is its
  first paragraph and shows the reply; an "@login" that starts a reply is part of ``text`` and shows it too.
  giscus replies are listed under their thread's first comment (one level): a reply to a later reply names
  it ("@login") and replies to it; one that names nobody replies to the thread's first comment when the
  nesting shows (HTML, indented text dumps), else to nothing; utterances lists are flat, so only a quote or
  an "@login" shows a reply. A minimized comment shows its header and no text. Badges on lines of their
  own, reaction and upvote rows, "2 replies", "Write a reply", "12 comments · 4 replies – powered by
  giscus", "N reactions", sort buttons, "N hidden items" / "Load more…", "This comment has been
  minimized." / "Show comment" and the composer ("Write", "Preview", "Sign in with GitHub", "Styling with
  Markdown is supported") are ``furniture``.
* ``livejournal`` (LiveJournal / Dreamwidth comment threads): the user name line ("jane_doe", Dreamwidth's
  "From: [personal profile] jane_doe", OpenID "jane.livejournal.com"), the date line ("2021-03-03 12:03 pm
  (UTC)", "Date: ...", "March 3 2021, 12:03:44 UTC") and the old one-line "jane_doe  2021-03-03 12:03 pm
  (UTC) (link)" are ``comment_header``; ``author`` is the user name as shown ("Anonymous" for
  "(Anonymous)"), ``posted_at`` the date (always with a year). A collapsed comment is one ``comment_header``
  line "Re: subject - jane_doe - Expand" with empty ``text`` and no ``posted_at``. Subject lines ("Re: ...",
  "(no subject)", a subject the commenter typed, even the first words of the text) are ``furniture``, as
  are the "(Reply) (Thread) (Parent) (Link)" rows, "(deleted comment)" / "(screened comment)" placeholders,
  view switches, pagers, notices ("Anonymous comments are screened.") and the reply form; the entry's
  "Current Mood:" / "Current Music:" / "Tags:" lines are ``boilerplate``. Replies show only by indentation
  (margins in HTML, indented text dumps): without it no ``reply_to``.
* ``portal`` (Naver-, Daum-, Yahoo!-News-Japan-like news-portal lists): ``author`` is the nickname when the
  page shows one (also in "Nick(jane****)"), else the masked ID as shown ("jane****"). The name line (with a
  "BEST" badge when it shares it) is a ``comment_header``; so is the time: on its own line under the text on
  Naver ("2021.03.03. 12:03"), after the name on Daum and Yahoo ("3 hours ago", "2021.03.03 12:03", "3/3(Wed)
  12:03", the last without a year: no ``posted_at``). "Replies 3", like / dislike and reaction counts,
  "Report", "Fold replies", sort tabs, counts and statistics lines (gender and age shares), "This comment was
  deleted by the author." placeholders, notices, "More comments" and the log-in / write box are
  ``furniture``. Replies are listed under their comment (one level, often folded and then not on the page);
  they reply to it when the nesting shows (HTML, indented text dumps), else to nothing.

Data (names, furniture and boilerplate strings in seven languages, date formats, ...) lives in
``resources/synth/*.json``.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import hashlib
import html as _html
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from moderate.pages import labels as _L

__all__ = [
    "EXPERIMENTAL_LAYOUTS",
    "HELDOUT_LAYOUTS",
    "LAYOUTS",
    "LAYOUT_DESCRIPTIONS",
    "TRAIN_LAYOUTS",
    "GoldLine",
    "RenderedPage",
    "load_sources",
    "render_page",
    "synthetic_pages",
]

TITLE, BYLINE, BODY, BOILER = _L.TITLE, _L.BYLINE, _L.BODY, _L.BOILERPLATE
FURN, HEAD, CTEXT, WTITLE = _L.FURNITURE, _L.COMMENT_HEADER, _L.COMMENT_TEXT, _L.WIDGET_TITLE

_RES = Path(__file__).resolve().parent / "resources" / "synth"
LANGS = ("en", "de", "fr", "es", "it", "nl", "pt")


@cache
def _res(name: str) -> dict:
    return json.loads((_RES / f"{name}.json").read_text(encoding="utf-8"))


def _T(layout: str, key: str):
    """Templates of one layout family (resources/synth/layouts.json)."""
    return _res("layouts")[layout][key]


# =========================================================================== public types


@dataclass
class GoldLine:
    """One line of a text page (blank lines included, with label ``None``)."""

    text: str
    label: str | None
    comment: int | None


@dataclass
class RenderedPage:
    text: str
    fmt: str
    layout: str
    lines: list[GoldLine]
    article: dict
    comments: list[dict]


LAYOUT_DESCRIPTIONS: dict[str, str] = {
    "wordpress": "WordPress comment-list: 'Name says:' / date line / text / 'Reply', nested ol.children, 'Leave a Reply' form",
    "disqus": "Disqus: 'Name • 3 years ago' / text / 'Reply • Share ›' / '△ 12 ▽', Disqus chrome, relative times",
    "pipe": "one-line 'Name | 12/12/2016' headers (Rudaw-like), '@Name:' replies, often a guest sign-in form above the title",
    "forum": "forum posts: '#3 Name wrote:' / user info / quoted parent posts / 'Quote Reply Report'",
    "slashdot": "slashdot: subject+score line, 'by Name (12345) on Tuesday July 24, @01:06PM (#4075..)', deep indentation, whitespace junk",
    "reddit": "reddit: '[–] Name 12 points 5 hours ago' / text / 'permalink save report reply', or new-reddit 'level 2' / Name / '· 5h'",
    "footer": "header after the text: 'Posted by: Name at October 11, 2012 7:45 AM', '— Name, 12 March 2014 10:32', 'by Name on ...'",
    "letters": "readers' letters and reader contributions, the writer AFTER the text: letters pages ('Letters to the editor', a headline, the paragraphs, then 'Jane Doe' / 'JANE DOE' / '— Jane Doe, Leeds' / 'Jane Doe, Springfield, Ill.' / 'Jane Doe, via email' / 'Name and address supplied', a place line, 'Posted 3 March 2021'), 'Your views' / 'Readers respond' pages, BBC-Have-Your-Say-like lists ('Jane, London' / 'Added: 12:03 3 March 2021' / 'Recommended by 23 people'), Yahoo-Answers-like lists ('Jane · 9 years ago' / '0 0' / 'Report'), editor's notes under a letter ('Editor's note: ...', '... — Ed.')",
    "signed": "comments signed at the end of their last text line (old blogs, guestbooks, comment archives, message boards): '... great article. -- Ann, 3/4/2014', '... ~Bob from Ohio', '... Posted by Ann at 10:32 AM on March 3, 2014', '... (Ann, Leeds, 3 March 2021)', '... — Ann K., 03.03.2021 12:03', the signature sometimes on a line of its own or missing, replies by indentation or '@Ann' / 'Re: Ann -' leads, on some pages rules, 'Reply | Report' or 'permalink' between comments",
    "twoline": "two-line headers: name (maybe with place) then date (or date then name), text sometimes indented",
    "facebook": "Facebook comments plugin: Name / affiliation / text / 'Like · Reply · 2y', 'View 3 more replies'",
    "guardian": "Guardian-like: Name / '12 Mar 2014 10:32' / text / 'Recommend 23' 'Report' 'Share', one reply level + 'in reply to'",
    "numbered": "numbered comments '1. Name — 3 hours ago', '#4 Name says:', '@3' style replies",
    "headerless": "comment texts only (no names or dates), separated by blank lines, rules or Reply/Report links",
    "inline": "name and text share one line ('Name: text...'), optional date line after",
    "chat": "live-chat replays and live Q&A transcripts (YouTube live chat replay, Twitch chat, IRC/Matrix logs, a newspaper's live chat): one line per message, '12:03 PM janedoe_88 This is so true' / '0:42 Jane Doe text' / '[12:03] <jane> text' / 'janedoe_88  text', badges ('🔧', 'Member (6 months)', 'VIP', 'MOD') between the name and the text, '@name' replies, wrapped continuation lines in some logs, system lines ('Welcome to live chat! ...', 'Jane joined', 'Chat was paused', 'Super Chat $5.00', 'Pinned by ...', '-!- jane has joined #news'); live Q&A: 'Springfield, Va.: question' / 'Q. Jane from Leeds: ...' answered by 'A. Tom Smith: ...'",
    "forms": "comments as labelled fields: consultation responses ('Response #123', 'Name: Jane Doe', 'Organisation: (individual)', 'Date: 3 March 2021', 'Do you support the proposal? Yes', 'Comment: text'), petition reasons for signing ('Signed by Jane Doe on ...', 'Reason for signing: ...'), reader-submission boards ('Submitted by Jane Doe on Wed, 03/03/2021 - 12:03'), letters as Outlook e-mails ('From:' / 'Sent:' / 'To: Letters Desk' / 'Subject: RE: <title>'); a value beside its label, under it, or in dt/dd and th/td cells",
    "localized": "non-English comment sections (de/fr/es/it/nl/pt headers, dates, relative times and chrome)",
    "widgets": "small main section plus 'recent comments on other stories' widgets in both orders (comments→title→meta, title→comments)",
    "blogger": "Blogger: 'Name said...' / text / timestamp footer / 'Delete', threaded 'Replies'",
    "smf": "SMF/vBulletin-like forum posts: poster block (name, rank, joined, counts) before each post, 'Re: title' subject, '« Reply #3 on: date »', quick buttons",
    "hn": "Hacker-News-like: 'name 3 hours ago | parent | next [–]' / text / 'reply', nesting by spacer width",
    "phpbb": "phpBB/vBulletin table posts: 'Post subject: Re: ...' / 'Posted: ...' / author / Joined/Posts lines / text with quotes",
    "cards": "video-site cards: Name / '2 years ago (edited)' / text / 'Read more' / likes / 'REPLY' / 'View 3 replies'",
    "coral": "Coral-Talk-like: Name / '3h ago' / 'Replying to Name' / text / 'Reply Share Report' / 'Respect 12', featured tab",
    "discourse": "Discourse-embedded topics: username and full name, compact dates ('5h', 'Mar 3', 'Mar \'21'), reply-to tabs, 'name:' quote blocks, like counts, 'Continue discussion'",
    "guestbook": "guestbook: 'Entry #12' / 'Name from City wrote on 12.03.2014:' / text / owner replies 'Comment from the owner:'",
    "social": "social-network replies (X/Mastodon/Bluesky/Threads embeds): 'Name @handle · 3h' (or name / handle lines, or the handle alone), verified marks, 'Replying to @x' lines or '@x' mentions, count rows ('💬 3  🔁 12  ❤ 45', bare '3' '12' '45', 'Reply Repost Like Share'), 'Show more replies', 'Post your reply'",
    "qa": "Q&A answers (Stack-Exchange-like): vote count and accepted mark before the text, 'Share Improve this answer Follow' and the 'answered Mar 3, 2021 at 5:12' / Name / reputation card AFTER the text, inline comments 'text – Name Mar 3, 2021 at 5:14', 'Add a comment', 'N Answers', 'Your Answer'",
    "wikitalk": "wiki talk pages (MediaWiki-like): '== Sources ==' / 'Sources[edit]' section headings, paragraphs ending in a signature '—Jane Doe (talk) 12:03, 3 March 2021 (UTC)' (or '[[User:Jane|Jane]] ...', '— Preceding unsigned comment added by 203.0.113.7 ...'), replies indented by ':' / spaces / nested dl, '@Name:' pings, '(edit conflict)', 'Latest comment: ... by Name' and 'Reply' links, talk-header banners, archive boxes, 'Start a new discussion'",
    "reviews": "customer / reader reviews (Amazon-, Goodreads-, app-store- and shop-like): name, stars ('4.0 out of 5 stars', '★★★★☆', 'Rated 4 out of 5'), title and date ('Reviewed in the United States on March 3, 2021') in a per-page order, badges and 'Verified Purchase', '12 people found this helpful', 'Helpful | Report', 'Read more', rating summary and histogram, sort lines, 'Write a review', seller / developer responses",
    "instagram": "photo-app comments (Instagram / TikTok / Facebook-mobile-like): user name and text on one line ('janedoe_88 This is so true 😂', verified marks, 'Name ▸ Parent' on TikTok), a meta line under it ('3d  12 likes  Reply', '2d ago   Reply', '5h  Like  Reply'), like counts, one reply level under 'View replies (3)' / 'Hide replies' with '@name' mentions, 'Liked by author', 'Pinned', 'See translation', 'View all 123 comments', 'Add a comment…', 'Log in to like or comment.'",
    "newsgroup": "mailing-list / newsgroup archive threads below the article (Pipermail, raw 'From:' / 'Date:' / 'Subject: Re: ...' / 'Message-ID:' headers, Google Groups, mail-archive.com): attribution lines ('On Tue, Mar 3, 2021 at 12:03 PM Bob <bob@example.org> wrote:'), '> ' / '>> ' quoted parents (or nested blockquotes, '- show quoted text -'), top-posting and interleaved replies, '-- ' signatures, list footers, 'Previous message' / 'Messages sorted by: [ date ] [ thread ] ...' navigation, thread indexes",
    "giscus": "GitHub-backed comment widgets (giscus on GitHub Discussions, utterances on GitHub issues): 'janedoe commented 3 years ago' / 'commented on Mar 3, 2021' headers with Owner / Author badges and '· edited', markdown text with quote replies and '@login' mentions, reaction and upvote rows, '2 replies' / 'Write a reply', '12 comments · 4 replies – powered by giscus', Oldest / Newest, 'Sign in with GitHub', minimized comments",
    "livejournal": "LiveJournal / Dreamwidth comment threads: subject lines ('Re: ...', '(no subject)'), user name and '2021-03-03 12:03 pm (UTC)' lines (Dreamwidth 'Date:' / 'From:'), old one-line 'name date (link)' headers, margin-indented nesting, '(Reply) (Thread) (Parent) (Link)' rows, collapsed 'subject - name - Expand' lines, (Anonymous), deleted / screened placeholders, mood / music entry meta, pagers",
    "portal": "East-Asian news-portal comment lists (Naver-, Daum-, Yahoo!-News-Japan-like, English interface): masked IDs ('jane****', 'Nick(jane****)'), BEST badges, '2021.03.03. 12:03' or '3/3(Wed) 12:03' times, like / dislike and reaction counts, 'Replies 3' with folded reply lists, sort tabs, comment statistics by gender and age, deleted / Clean-bot placeholders",
}

LAYOUTS: tuple[str, ...] = tuple(LAYOUT_DESCRIPTIONS)
HELDOUT_LAYOUTS: tuple[str, ...] = ("hn", "phpbb", "cards", "coral", "guestbook", "discourse", "social", "qa", "wikitalk", "reviews",
                                    "instagram", "newsgroup", "giscus", "livejournal", "portal")
#: Families written and measured but not trained on by the shipped splitter (``benchmarks/split_dev.py
#: --layouts ... smf`` renders them; data/pages/README.md says why they are not in the training set).
EXPERIMENTAL_LAYOUTS: tuple[str, ...] = ("smf", "letters", "signed", "chat", "forms")
TRAIN_LAYOUTS: tuple[str, ...] = tuple(x for x in LAYOUTS if x not in HELDOUT_LAYOUTS and x not in EXPERIMENTAL_LAYOUTS)


# =========================================================================== randomness


class _R:
    """Thin convenience wrapper over a numpy Generator (the only source of randomness)."""

    __slots__ = ("g",)

    def __init__(self, g: np.random.Generator):
        self.g = g

    def p(self, prob: float) -> bool:
        return float(self.g.random()) < prob

    def i(self, lo: int, hi: int) -> int:  # inclusive
        return int(self.g.integers(lo, hi + 1))

    def u(self, lo: float, hi: float) -> float:
        return float(self.g.uniform(lo, hi))

    def c(self, seq):
        return seq[int(self.g.integers(len(seq)))]

    def w(self, pairs):
        items = [p[0] for p in pairs]
        ws = np.asarray([p[1] for p in pairs], dtype=float)
        return items[int(self.g.choice(len(items), p=ws / ws.sum()))]

    def sample(self, seq, k: int) -> list:
        k = max(0, min(k, len(seq)))
        if k == 0:
            return []
        idx = self.g.choice(len(seq), size=k, replace=False)
        return [seq[int(j)] for j in idx]

    def shuffle(self, seq: list) -> list:
        order = self.g.permutation(len(seq))
        return [seq[int(j)] for j in order]


_PH = re.compile(r"\{(\w+)\}")


def _fmt(template: str, **kw) -> str:
    """Fill ``{key}`` placeholders that are given; leave the others untouched."""
    return _PH.sub(lambda m: str(kw[m.group(1)]) if m.group(1) in kw else m.group(0), template)


# =========================================================================== locale and dates


class _Loc:
    def __init__(self, lang: str):
        self.lang = lang
        self.cal = _res("lang")[lang]
        self.dates = _res("dates")[lang]
        self._f = _res("furniture")
        self._b = _res("boilerplate")

    def fl(self, key: str) -> list[str]:
        return self._f[self.lang].get(key) or self._f["en"][key]

    def bl(self, key: str) -> list[str]:
        return self._b[self.lang].get(key) or self._b["en"][key]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_TIME_TOKENS = ("{H}", "{HH}", "{I}", "{II}")


def _fill_date(template: str, dt: _dt.datetime, cal: dict, ampm: int = 0) -> tuple[str, str | None]:
    """Format ``dt`` with a template of dates.json; return (text, ISO or None if no year shown)."""
    h12 = dt.hour % 12 or 12
    ap = cal["am"] if dt.hour < 12 else cal["pm"]
    vals = {
        "Y": str(dt.year), "y": f"{dt.year % 100:02d}", "m": str(dt.month), "mm": f"{dt.month:02d}",
        "d": str(dt.day), "dd": f"{dt.day:02d}", "do": _ordinal(dt.day),
        "B": cal["months"][dt.month - 1], "b": cal["months_abbr"][dt.month - 1],
        "A": cal["weekdays"][dt.weekday()], "a": cal["weekdays_abbr"][dt.weekday()],
        "H": str(dt.hour), "HH": f"{dt.hour:02d}", "I": str(h12), "II": f"{h12:02d}",
        "MM": f"{dt.minute:02d}", "SS": f"{dt.second:02d}", "p": ap[ampm % len(ap)],
    }
    text = _fmt(template, **vals)
    iso = None
    if "{Y}" in template or "{y}" in template:
        if any(t in template for t in _TIME_TOKENS):
            iso = dt.strftime("%Y-%m-%dT%H:%M:%S" if "{SS}" in template else "%Y-%m-%dT%H:%M")
        else:
            iso = dt.date().isoformat()
    return text, iso


_UNITS = (("year", 365 * 86400), ("month", 30 * 86400), ("week", 7 * 86400), ("day", 86400),
          ("hour", 3600), ("minute", 60))


def _relative(seconds: float, cal: dict, pick: int) -> str:
    rel = cal["relative"]
    if seconds < 60:
        forms = rel["just_now"]
        return forms[min(pick, len(forms) - 1)]
    for unit, size in _UNITS:
        n = int(seconds // size)
        if n >= 1:
            if unit == "week" and n > 4:
                continue
            forms = rel[unit]["one" if n == 1 else "many"]
            return _fmt(forms[min(pick, len(forms) - 1)], n=n)
    return rel["just_now"][0]


class _When:
    """A page's way of showing comment times: absolute (one template) or relative."""

    def __init__(self, ctx: _Ctx, kinds=None, lang: str | None = None):
        r = ctx.r
        self.loc = _Loc(lang) if lang else ctx.loc
        self.kind = r.w(kinds or [("datetime", 45), ("date", 18), ("relative", 30), ("noyear", 4)])
        self.now = ctx.now
        self.ampm = r.i(0, 2)
        self.pick = r.w([(0, 4), (1, 2), (2, 1), (3, 2)])
        if self.kind == "relative":
            self.tpl = None
        else:
            self.tpl = r.c(self.loc.dates[self.kind])  # 'time' shows no date: no ISO value
        self.time_tpl = r.c(self.loc.dates["time"])

    def __call__(self, dt: _dt.datetime) -> tuple[str, str | None]:
        if self.kind == "relative":
            return _relative((self.now - dt).total_seconds(), self.loc.cal, self.pick), None
        return _fill_date(self.tpl, dt, self.loc.cal, self.ampm)

    def time(self, dt: _dt.datetime) -> str:
        return _fill_date(self.time_tpl, dt, self.loc.cal, self.ampm)[0]


# =========================================================================== page tree


@dataclass(eq=False)
class _Cm:
    """One reader comment while a page is built."""

    paras: list[str]
    author: str | None
    dt: _dt.datetime
    parent: _Cm | None = None
    kids: list = field(default_factory=list)
    depth: int = 0
    about: str | None = None
    posted: str | None = None
    votes: int = 0
    shows_author: bool = True
    reply_shown: bool = False
    idx: int = -1

    @property
    def text(self) -> str:
        return "\n\n".join(self.paras)


@dataclass(eq=False)
class _Line:
    """A block element holding inline content: one text line (more if it contains <br>)."""

    label: str
    parts: list
    tag: str = "div"
    attrs: dict = field(default_factory=dict)
    cm: _Cm | None = None
    ind: int = 0  # extra indentation levels in text dumps

    def text(self) -> str:
        return "".join(_part_text(p) for p in self.parts)


@dataclass(eq=False)
class _Box:
    tag: str
    attrs: dict
    kids: list
    nest: int = 0  # +levels of indentation for the subtree in text dumps
    gap: int | None = None  # blank lines before, None = text style decides
    junk: bool = False  # may be followed by whitespace-only lines in text dumps
    lg: tuple | None = None  # line-gap weights for the subtree


@dataclass(eq=False)
class _Void:
    tag: str
    attrs: dict


def _part_text(p) -> str:
    if isinstance(p, str):
        return p
    content = p[2]
    if isinstance(content, list):
        return "".join(_part_text(q) for q in content)
    if isinstance(content, tuple):
        return _part_text(content)
    return content


def _walk_lines(node):
    if isinstance(node, _Line):
        yield node
    elif isinstance(node, _Box):
        for k in node.kids:
            yield from _walk_lines(k)


# =========================================================================== text style and rendering


@dataclass
class _TextStyle:
    lg_article: tuple
    lg_comments: tuple
    box_gap: tuple
    indent: str
    body_indent: str
    blank: tuple
    trail: float
    junk: float
    lead: int
    split_inline: bool  # some extractors put every text node on its own line (get_text("\n"))

    @staticmethod
    def random(r: _R, indent_p: float = 0.45) -> _TextStyle:
        modes = {
            "tight": ((1, 0, 0), (0.75, 0.25, 0, 0)),
            "loose": ((0, 1, 0), (0, 0.5, 0.35, 0.15)),
            "grouped": ((0.9, 0.1, 0), (0, 0.6, 0.3, 0.1)),
            "messy": ((0.5, 0.35, 0.15), (0.3, 0.3, 0.2, 0.2)),
        }
        weights = [("tight", 25), ("loose", 30), ("grouped", 25), ("messy", 20)]
        mode = r.w(weights)
        lg_a, box = modes[mode]
        lg_c = modes[r.w(weights)][0] if r.p(0.35) else lg_a
        indent = r.w([("    ", 40), ("  ", 20), ("\t", 15), ("        ", 15), (" ", 10)]) if r.p(indent_p) else ""
        return _TextStyle(
            lg_article=lg_a,
            lg_comments=lg_c,
            box_gap=box,
            indent=indent,
            body_indent=r.w([("    ", 5), ("  ", 2), ("\t", 2)]),
            blank=("",) if r.p(0.7) else ("", "", " ", "  ", "\t", "      ", "   \t"),
            trail=0.0 if r.p(0.7) else r.u(0.05, 0.6),
            junk=0.0 if r.p(0.6) else r.u(0.2, 0.9),
            lead=r.w([(0, 6), (1, 1), (3, 1), (5, 1)]),
            split_inline=r.p(0.12),
        )


def _weighted(r: _R, weights: tuple) -> int:
    return r.w(list(enumerate(weights)))


def _render_text(root: _Box, ctx: _Ctx) -> list[GoldLine]:
    r, ts = ctx.r, ctx.ts
    out: list[GoldLine] = [GoldLine(r.c(ts.blank), None, None) for _ in range(ts.lead)]
    pending = [0]
    started = [False]

    def blank() -> GoldLine:
        return GoldLine(r.c(ts.blank), None, None)

    def req(n: int) -> None:
        pending[0] = max(pending[0], n)

    def flush() -> None:
        if started[0]:
            out.extend(blank() for _ in range(pending[0]))
        pending[0] = 0
        started[0] = True

    def walk(node, depth: int, lg: tuple) -> None:
        if isinstance(node, _Box):
            lg = node.lg or lg
            req(node.gap if node.gap is not None else _weighted(r, ts.box_gap))
            d = depth + node.nest
            for kid in node.kids:
                walk(kid, d, lg)
            if node.junk and ts.junk and r.p(ts.junk):
                flush()
                for _ in range(r.i(1, 3)):
                    out.append(GoldLine(r.c((" ", "      ", " \t", "  ", "        ")) + ts.indent * d, None, None))
            req(node.gap if node.gap is not None else 0)
        elif isinstance(node, _Line):
            req(_weighted(r, lg))
            flush()
            levels = depth + node.ind
            unit = ts.indent if ts.indent else ""
            prefix = unit * depth + (ts.indent or ts.body_indent) * node.ind if levels else ""
            comment = node.cm.idx if node.cm is not None and node.label in (HEAD, CTEXT) else None
            if ts.split_inline and node.label != CTEXT and len(node.parts) > 1:
                subs = [x for p in node.parts for x in _part_text(p).split("\n")]
            else:
                subs = node.text().split("\n")
            for sub in subs:
                sub = sub.strip()
                if not sub:
                    out.append(blank())
                    continue
                tail = r.c((" ", "  ", "\t", " \t")) if ts.trail and r.p(ts.trail) else ""
                out.append(GoldLine(prefix + sub + tail, node.label, comment))

    walk(root, 0, ts.lg_article)
    while out and not out[-1].text.strip() and len(out) > 1 and r.p(0.5):
        out.pop()
    return out


def _attrs(d: dict) -> str:
    return "".join(f' {k}="{_html.escape(str(v), quote=True)}"' for k, v in d.items() if v is not None)


def _inline_html(p) -> str:
    if isinstance(p, str):
        return _html.escape(p, quote=False).replace("\n", "<br>")
    tag, attrs, content = p
    if tag == "br":
        return "<br>"
    inner = "".join(_inline_html(q) for q in content) if isinstance(content, list) else _inline_html(content)
    return f"<{tag}{_attrs(attrs or {})}>{inner}</{tag}>"


_VOID = {"img", "input", "hr", "br", "meta", "link", "source"}


def _render_html(root: _Box, ctx: _Ctx, head_title: str) -> str:
    r = ctx.r
    pretty = r.p(0.6)
    buf: list[str] = []

    def walk(node, lvl: int) -> None:
        pad = ("\n" + "  " * lvl) if pretty else ("\n" if r.p(0.1) else "")
        if isinstance(node, _Void):
            buf.append(f"{pad}<{node.tag}{_attrs(node.attrs)}>")
        elif isinstance(node, _Box):
            buf.append(f"{pad}<{node.tag}{_attrs(node.attrs)}>")
            for kid in node.kids:
                walk(kid, lvl + 1)
            buf.append(f"{pad}</{node.tag}>")
        else:
            attrs = dict(node.attrs)
            attrs["data-gold"] = node.label
            if node.cm is not None and node.label in (HEAD, CTEXT):
                attrs["data-comment"] = str(node.cm.idx)
            inner = "".join(_inline_html(p) for p in node.parts)
            buf.append(f"{pad}<{node.tag}{_attrs(attrs)}>{inner}</{node.tag}>")

    hres = _res("html")
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{ctx.loc.lang}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_html.escape(head_title, quote=False)}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ]
    if r.p(0.6):
        head.append(f'<meta property="og:site_name" content="{_html.escape(ctx.site)}">')
    if r.p(0.5):
        head.append(f'<link rel="stylesheet" href="/assets/main.{hashlib.sha1(ctx.salt.encode()).hexdigest()[:8]}.css">')
    for _ in range(r.i(0, 2)):
        head.append(f"<style>{r.c(hres['styles'])}</style>")
    for _ in range(r.i(0, 2)):
        head.append(f"<script>{_fmt(r.c(hres['scripts']), n=r.i(1000, 99999))}</script>")
    head.append("</head>")
    walk(root, 0)
    tail = []
    for _ in range(r.i(0, 3)):
        if r.p(0.5):
            tail.append(f'<script src="/js/app.{r.i(100, 999)}.js" async></script>')
        else:
            tail.append(f"<script>{_fmt(r.c(hres['scripts']), n=r.i(1000, 99999))}</script>")
    return "\n".join(head) + "".join(buf) + "\n" + "\n".join(tail) + "\n</html>\n"


# =========================================================================== names


class _Names:
    """Commenter / author names in many real-world styles."""

    def __init__(self, ctx: _Ctx):
        self.r = ctx.r
        self.lang = ctx.loc.lang
        self.data = _res("names")
        self.used: list[str] = []

    def _lang(self) -> str:
        r = self.r
        if self.lang != "en" and r.p(0.7):
            return self.lang
        return "en" if r.p(0.75) else r.c(LANGS)

    def person(self, lang: str | None = None) -> str:
        lang = lang or self._lang()
        return f"{self.r.c(self.data['first'][lang])} {self.r.c(self.data['last'][lang])}"

    def _handle(self) -> str:
        r, d = self.r, self.data
        style = r.w([("cat", 3), ("under", 2), ("camel", 3), ("spaced", 1), ("the", 1)])
        words = [r.c(d["handle_words"]) for _ in range(r.i(2, 3))]
        if style == "cat":
            name = "".join(words)
        elif style == "under":
            name = "_".join(words[:2])
        elif style == "camel":
            name = "".join(r.c(d["camel_words"]) for _ in range(r.i(2, 3)))
        elif style == "spaced":
            name = " ".join(words)
        else:
            name = "The" + "".join(w.capitalize() for w in words[:2])
        if r.p(0.3):
            name += str(r.c((r.i(1, 99), r.i(1950, 2005), r.i(100, 9999))))
        return name

    def new(self, reuse: float = 0.0) -> str:
        r = self.r
        if self.used and r.p(reuse):
            return r.c(self.used)
        lang = self._lang()
        first, last = r.c(self.data["first"][lang]), r.c(self.data["last"][lang])
        style = r.w([("full", 26), ("first", 12), ("initial", 6), ("lower", 5), ("digits", 7), ("handle", 26),
                     ("anon", 3), ("mr", 2), ("firstplace", 2), ("lowerfirst", 5), ("initials", 1), ("dotted", 3),
                     ("fullcaps", 2)])
        if style == "full":
            name = f"{first} {last}"
        elif style == "first":
            name = first
        elif style == "initial":
            name = f"{first} {last[0]}."
        elif style == "lower":
            name = re.sub(r"[^\w]", "", (first + last).lower())
        elif style == "digits":
            name = re.sub(r"[^\w]", "", first.lower()) + str(r.c((r.i(1, 99), r.i(1950, 2010))))
        elif style == "handle":
            name = self._handle()
        elif style == "anon":
            name = r.c(self.data["anon"][lang])
        elif style == "mr":
            name = f"{r.c(('Mr.', 'Mrs.', 'Dr.', 'Mr', 'Ms'))} {last}"
        elif style == "firstplace":
            name = f"{first} in {r.c(self.data['places'])}"
        elif style == "lowerfirst":
            name = first.lower()
        elif style == "initials":
            name = f"{first[0]}{last[0]}"
        elif style == "dotted":
            name = re.sub(r"[^\w.]", "", f"{first}.{last}".lower())
        else:
            name = f"{first} {last}".upper()
        name = name.strip() or "Guest"
        self.used.append(name)
        return name


# =========================================================================== context


class _Ctx:
    """Everything a page shares: randomness, language, site, styles, dates, names."""

    def __init__(self, rng: np.random.Generator, layout: str, fmt: str, article: dict, spec: _Spec):
        r = self.r = _R(rng)
        self.layout, self.fmt, self.spec = layout, fmt, spec
        self.salt = f"{r.i(0, 10**9):x}"
        if spec.lang == "foreign":
            lang = r.c(LANGS[1:])
        elif spec.lang == "en":
            lang = "en"
        else:
            lang = "en" if r.p(0.8) else r.c(LANGS[1:])
        self.loc = _Loc(lang)
        self.B = _res("boilerplate")[lang]
        self.names = _Names(self)
        self.site = self._site_name()
        self.domain = re.sub(r"[^a-z0-9]", "", self.site.lower()) + r.c((".com", ".net", ".org", ".co.uk", ".ca", ".de", ".fr", ".es", ".it", ".nl", ".pt", ".com.br"))
        base = _dt.datetime(2006, 1, 1) + _dt.timedelta(days=r.i(0, 18 * 365))
        self.published = base.replace(hour=r.i(5, 22), minute=r.i(0, 59), second=r.i(0, 59))
        self.now = self.published + _dt.timedelta(seconds=r.i(3600, 4 * 365 * 86400))
        self.ts = _TextStyle.random(r, spec.indent_p)
        self.cls_mode = r.w(spec.cls_modes)
        self.obf = r.c(("hash", "sc", "css", "module"))
        self._cmap: dict[str, str] = {}
        self._memo: dict = {}
        self.title = _clean(article.get("title") or "")
        self.paras = [p for p in (_clean(x) for x in article.get("paragraphs", [])) if p]
        others = [t for t in (_clean(x) for x in article.get("related_titles") or []) if t and t != self.title]
        self.others = others or _fallback_titles(self.paras, r)
        self.ents = _entities(self.paras) or [self.site]
        self.sentences = _sentences(self.paras)
        self.comment_when = _When(self, spec.when)

    # ---------------------------------------------------------------- strings
    def pick(self, key, options):
        """A choice made once per page (real sites render every comment with one template)."""
        if key not in self._memo:
            self._memo[key] = self.r.c(options)
        return self._memo[key]

    def chance(self, key, p: float) -> bool:
        if key not in self._memo:
            self._memo[key] = self.r.p(p)
        return self._memo[key]

    def fl(self, key: str, vary: bool = False, **kw) -> str:
        options = self.loc.fl(key)
        t = self.r.c(options) if vary else self.pick(("fl", key), options)
        return _fmt(t, **self._kw(kw))

    def bl(self, key: str, **kw) -> str:
        return _fmt(self.r.c(self.loc.bl(key)), **self._kw(kw))

    def sy(self, system: str, key: str, vary: bool = False, **kw) -> str:
        """A string of one comment system's chrome (furniture.json[lang][system][key], 'en' fallback)."""
        table = self.loc._f[self.loc.lang].get(system) or self.loc._f["en"][system]
        value = table.get(key) or self.loc._f["en"][system][key]
        if isinstance(value, list):
            value = self.r.c(value) if vary else self.pick(("sy", system, key), value)
        return _fmt(value, **self._kw(kw))

    def _kw(self, kw: dict) -> dict:
        r = self.r
        base = {"site": self.site, "n": r.i(2, 250), "k": r.i(0, 40), "year": self.now.year, "title": self.title or r.c(self.others)}
        base.update(kw)
        return base

    def _site_name(self) -> str:
        r = self.r
        words = _res("boilerplate")["en"]["site_words"]
        style = r.w([("paper", 6), ("blog", 3), ("brand", 2)])
        if style == "paper":
            name = f"{r.c(words['prefix'])} {r.c(words['place'])} {r.c(words['noun'])}".strip()
        elif style == "blog":
            name = _fmt(r.c(words["blog"]), name=self.names.person().split()[0], place=r.c(words["place"]),
                        noun=r.c(words["noun"]), topic=r.c(self.loc.bl("topics")).title(), role=r.c(self.loc.bl("author_roles")).title())
        else:
            name = r.c(words["place"]).split()[0] + r.c(words["noun"])
        return name

    # ---------------------------------------------------------------- html classes
    def c(self, names: str | None) -> str | None:
        if not names:
            return None
        if self.cls_mode == "semantic":
            return names
        if self.cls_mode == "none":
            return None
        out = []
        for n in names.split():
            if n not in self._cmap:
                self._cmap[n] = self._obfuscate(n)
            out.append(self._cmap[n])
        return " ".join(out)

    def _obfuscate(self, name: str) -> str:
        h = hashlib.sha1((self.salt + name).encode()).hexdigest()
        if self.cls_mode == "utility":
            vocab = _res("html")["utility_classes"]
            return " ".join(vocab[int(h[i:i + 2], 16) % len(vocab)] for i in range(0, 2 * (1 + int(h[-1], 16) % 4), 2))
        letters = "".join(chr(ord("a") + int(ch, 16) % 26) for ch in h[:12])
        if self.obf == "hash":
            return f"c-{h[:4]}"
        if self.obf == "sc":
            return f"sc-{letters[:6]} {letters[6:12]}"
        if self.obf == "css":
            return f"css-{h[:7]}"
        camel = "".join(w.capitalize() for w in re.split(r"[-_]", name) if w)
        return f"{camel}_{name.split('-')[-1]}__{h[:5]}"

    # ---------------------------------------------------------------- node helpers
    def L(self, label: str, *parts, tag: str = "div", cls: str | None = None, cm: _Cm | None = None,
          ind: int = 0, **attrs) -> _Line:
        a = {"class": self.c(cls)} if cls else {}
        a.update({k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
        parts = [p for p in parts if p != ""]
        if tag in ("a", "button") and any(not isinstance(p, str) for p in parts):
            tag = "div"  # no links inside links/buttons
        return _Line(label, parts, tag, a, cm, ind)

    def X(self, tag: str, cls: str | None, kids: list, nest: int = 0, gap: int | None = None,
          junk: bool = False, lg: tuple | None = None, **attrs) -> _Box:
        a = {"class": self.c(cls)} if cls else {}
        a.update({k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
        return _Box(tag, a, [k for k in kids if k is not None], nest, gap, junk, lg)

    def a(self, text: str, href: str | None = None, cls: str | None = None, **attrs):
        a = {"href": href or self.href(), "class": self.c(cls) if cls else None}
        a.update({k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
        return ("a", a, text)

    def span(self, text: str, cls: str | None = None, tag: str = "span", **attrs):
        a = {"class": self.c(cls) if cls else None}
        a.update({k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
        return (tag, a, text)

    def href(self, slug: str | None = None) -> str:
        r = self.r
        slug = slug or r.c(("#", "/", f"/{r.i(1000, 99999)}", f"#comment-{r.i(1000, 99999)}", f"/news/{r.i(100, 9999)}"))
        return slug

    def img(self, cls: str | None = "avatar", alt: str = "") -> _Void:
        return _Void("img", {"class": self.c(cls), "src": f"/img/{self.r.i(1, 9999)}.jpg", "alt": alt, "width": "48", "height": "48"})

    def when(self, cm: _Cm, style: _When | None = None) -> str:
        text, iso = (style or self.comment_when)(cm.dt)
        if cm.posted is None:
            cm.posted = iso
        return text

    def time_el(self, cm: _Cm, style: _When | None = None, cls: str | None = None):
        text = self.when(cm, style)
        return ("time", {"datetime": cm.dt.strftime("%Y-%m-%dT%H:%M:%S"), "class": self.c(cls) if cls else None}, text)


# =========================================================================== source text helpers

_WS = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean(text: str) -> str:
    return _WS.sub(" ", _CTRL.sub("", str(text))).strip()


def _paragraphs(text: str) -> list[str]:
    out = []
    for line in str(text).replace("\r", "\n").split("\n"):
        line = _clean(line)
        if line.startswith("|") or line.endswith("|"):
            line = line.strip("| ").strip()
        if line and re.search(r"\w", line):
            out.append(line)
    return out


_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"'‘])")


def _sentences(paras: list[str]) -> list[str]:
    out = []
    for p in paras:
        for s in _SENT.split(p):
            s = s.strip()
            if 40 <= len(s) <= 260:
                out.append(s)
    return out




def _entities(paras: list[str]) -> list[str]:
    stop = set(_res("text")["not_entity_starts"])
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for p in paras[:40]:
        for m in re.finditer(r"\b[A-Z][\w’'.-]*[a-z][\w’'-]*(?:\s+(?:of\s+|de\s+|al-)?[A-Z][\w’'-]+){0,3}", p):
            ent = m.group(0).strip(" .")
            if ent.split()[0] in stop or len(ent) < 4:
                continue
            counts[ent] = counts.get(ent, 0) + 1
            first.setdefault(ent, len(first))
    ranked = sorted(counts, key=lambda e: (-counts[e], first[e]))
    return ranked[:20]


def _fallback_titles(paras: list[str], r: _R) -> list[str]:
    out = []
    for s in _sentences(paras)[:40]:
        words = s.split()
        if len(words) >= 6:
            out.append(" ".join(words[: r.i(6, min(13, len(words)))]).rstrip(",;:"))
    return out or ["Latest news", "More stories"]


def _truncate(text: str, n: int) -> str:
    if len(text) <= n:
        return text
    cut = text[:n].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "..."


def _shorten_words(text: str, k: int) -> str:
    words = text.split()
    return " ".join(words[:k])


# =========================================================================== comments: texts and threads


def _prepare(ctx: _Ctx, texts: Sequence[str], allow_empty: bool) -> list[list[str]]:
    """Comment texts -> paragraph lists, with the variations real sections show."""
    r = ctx.r
    cres = _res("comments")
    out: list[list[str]] = []
    for raw in texts:
        paras = _paragraphs(raw)
        if not paras:
            continue
        roll = r.u(0, 1)
        if roll < 0.05:  # very short comment
            lang = ctx.loc.lang if r.p(0.6) else "en"
            paras = [r.c(cres["short"][lang])]
        elif roll < 0.09 and ctx.sentences:  # quote the article
            q = r.c(ctx.sentences)
            if r.p(0.4):
                q = _shorten_words(q, r.i(6, 14)).rstrip(",;:") + r.c(("...", "…", ""))
            quote = _fmt(r.c(cres["quote_forms"]), q=q)
            if r.p(0.6):
                paras = [quote] + paras
            else:
                paras = [quote + " " + paras[0]] + paras[1:]
        elif roll < 0.13:  # a link
            url = f"{r.c(('http://', 'https://', 'https://www.', 'www.'))}{r.c(cres['url_domains'])}/{r.c(cres['url_paths'])}"
            link = _fmt(r.c(cres["url_intros"]), url=url)
            if r.p(0.5):
                paras = paras + [link]
            else:
                paras[-1] = paras[-1] + " " + link
        if allow_empty and r.p(0.025):
            paras = []
        out.append(paras)
    return out


def _new_comments(ctx: _Ctx, paras_list: list[list[str]], start: _dt.datetime | None = None) -> list[_Cm]:
    """Comments in chronological order with authors, times and votes."""
    r = ctx.r
    t = start or (ctx.published + _dt.timedelta(minutes=r.i(3, 600)))
    span = max(600.0, (ctx.now - t).total_seconds() * r.u(0.02, 0.6))
    times = sorted(r.u(0, 1) ** r.u(1.0, 3.0) * span for _ in paras_list)
    out = []
    reuse = r.u(0.0, 0.25)
    for paras, dt in zip(paras_list, times):
        when = t + _dt.timedelta(seconds=dt + r.i(0, 59))
        if when > ctx.now:
            when = ctx.now - _dt.timedelta(seconds=r.i(60, 3600))
        out.append(_Cm(paras=list(paras), author=ctx.names.new(reuse), dt=when,
                       votes=int(r.u(0, 1) ** 3 * r.c((5, 20, 60, 300)))))
    return out


def _thread(ctx: _Ctx, cms: list[_Cm], mode: str, max_depth: int = 6, p_reply: float | None = None,
            newest_first: bool = False) -> list[_Cm]:
    """Link replies (mode 'nested' or 'indicator'; 'flat' = none); return display order (pre-order).

    In 'nested' mode children are shown under their parent; in 'indicator' mode the list stays
    chronological and the family shows the relation ("@Name", "In reply to ...").
    """
    r = ctx.r
    if mode == "flat" or len(cms) < 2:
        roots = list(cms)
        return roots[::-1] if newest_first and mode == "flat" else roots
    p = r.u(0.15, 0.6) if p_reply is None else p_reply
    roots = [cms[0]]
    for i, cm in enumerate(cms[1:], start=1):
        if r.p(p):
            j = max(0, i - 1 - int(r.u(0, 1) ** 2 * i))
            parent = cms[j]
            if parent.depth >= max_depth:
                parent = parent.parent or parent
                if parent.depth >= max_depth:
                    roots.append(cm)
                    continue
            cm.parent = parent
            cm.depth = parent.depth + 1
            cm.reply_shown = True
            if cm.dt <= parent.dt:
                cm.dt = parent.dt + _dt.timedelta(seconds=r.i(30, 20000))
            parent.kids.append(cm)
            if r.p(0.25) and parent.parent is not None and parent.parent.author:
                cm.author = parent.parent.author  # back-and-forth
        else:
            roots.append(cm)
    if mode == "indicator":
        return list(cms)
    if newest_first:
        roots = roots[::-1]
    return _preorder(roots)


def _descendants(cm: _Cm) -> list[_Cm]:
    out: list[_Cm] = []
    for k in cm.kids:
        out.append(k)
        out.extend(_descendants(k))
    return out


def _preorder(roots: Sequence[_Cm]) -> list[_Cm]:
    """Each root followed by its replies, depth first (a thread as a page lists it)."""
    return [c for root in roots for c in (root, *_descendants(root))]


def _reply_prefix(ctx: _Ctx, cm: _Cm) -> None:
    """Show a reply as '@Name ...' at the start of its text (indicator mode)."""
    if cm.parent is None or not cm.parent.author:
        cm.reply_shown = False
        return
    prefix = _fmt(ctx.r.c(_res("comments")["reply_prefixes"]), name=cm.parent.author)
    if cm.paras:
        cm.paras[0] = prefix + cm.paras[0]
    else:
        cm.paras = [prefix.strip()]
    cm.reply_shown = True


# =========================================================================== page skeleton


@dataclass
class _Spec:
    build: Callable  # (ctx, paras_list) -> _Box | None
    lang: str = "any"  # "any" | "en" | "foreign"
    indent_p: float = 0.45
    cls_modes: tuple = (("semantic", 55), ("obf", 25), ("utility", 12), ("none", 8))
    when: tuple | None = None
    headers: bool = True
    widget_p: float = 0.12
    signin_top: float = 0.06


def _join_or_list(ctx: _Ctx, label: str, items: list[str], cls: str, box_tag: str = "ul",
                  joined_p: float = 0.4, links: bool = True) -> _Box | _Line:
    """A menu/list: one line with separators, or one line per item."""
    r = ctx.r
    items = [_fmt(it, site=ctx.site, name=ctx.site, handle=re.sub(r"\W", "", ctx.site.lower())) for it in items]
    if r.p(joined_p):
        sep = r.c((" | ", " · ", "  ", " ", " / ", " • ", " - "))
        parts: list = []
        for k, it in enumerate(items):
            if k:
                parts.append(sep)
            parts.append(ctx.a(it) if links else it)
        return ctx.L(label, *parts, tag="div", cls=cls)
    kid_tag = "li" if box_tag in ("ul", "ol") else "div"
    return ctx.X(box_tag, cls, [ctx.L(label, ctx.a(it) if links else it, tag=kid_tag) for it in items])


def _nav(ctx: _Ctx) -> list:
    r = ctx.r
    out: list = []
    if r.p(0.35):
        out.append(_join_or_list(ctx, BOILER, r.sample(ctx.loc.bl("nav_utility"), r.i(2, 6)), "utility-nav", joined_p=0.5))
    if r.p(0.75):
        out.append(ctx.L(BOILER, ctx.a(ctx.site, "/"), tag=r.c(("div", "p", "span")), cls="site-title"))
    if r.p(0.2):
        out.append(ctx.L(BOILER, ctx.fl("sign_in"), tag="div", cls="login"))
    if r.p(0.75):
        items = r.sample(ctx.loc.bl("nav_sections"), r.i(4, 14))
        if r.p(0.5):
            items = [ctx.loc.bl("nav_sections")[0]] + [x for x in items if x != ctx.loc.bl("nav_sections")[0]]
        out.append(ctx.X("nav", "main-nav", [_join_or_list(ctx, BOILER, items, "menu", joined_p=0.35)]))
    if r.p(0.12):
        out.append(ctx.L(BOILER, r.c(ctx.loc.bl("misc")) + r.c((" ", ": ", " | ")), ctx.a(r.c(ctx.others)), tag="div", cls="ticker"))
    if r.p(0.15):
        out.append(ctx.L(BOILER, r.c(ctx.loc.bl("ads")), tag="div", cls="ad-label"))
    return out


def _cookie(ctx: _Ctx) -> _Box:
    r = ctx.r
    kids = [ctx.L(BOILER, ctx.bl("cookie"), tag="p")]
    buttons = r.sample(ctx.loc.bl("cookie_buttons"), r.i(1, 3))
    if r.p(0.5):
        kids.append(ctx.L(BOILER, *[("a", {"href": "#"}, b) if k == 0 else ("span", {}, " " + b) for k, b in enumerate(buttons)], tag="div"))
    else:
        kids += [ctx.L(BOILER, b, tag="button") for b in buttons]
    return ctx.X("div", "cookie-banner", kids, id=ctx.c("cookie-notice"))


def _signin_box(ctx: _Ctx, label: str) -> _Box:
    """A sign-in / guest comment form (boilerplate above the title, furniture in the section)."""
    r = ctx.r
    pool = ctx.loc.fl("sign_in")
    kids: list = []
    for _ in range(r.i(2, 7)):
        t = _fmt(r.c(pool), name=ctx.names.new())
        kids.append(ctx.L(label, t, tag=r.c(("div", "p", "a", "span", "h4"))))
        if r.p(0.3):
            kids.append(ctx.L(label, r.c(ctx.loc.fl("email_notice")), tag="p"))
    if r.p(0.3):
        kids += kids[: r.i(1, len(kids))]  # mobile + desktop copies of the same form
        kids = [ctx.L(k.label, *k.parts, tag=k.tag) for k in kids]
    return ctx.X("div", "login-box", kids)


def _form(ctx: _Ctx, label: str = FURN) -> _Box:
    """'Leave a Reply' comment form."""
    r = ctx.r
    kids: list = [ctx.L(label, ctx.fl("leave_reply"), tag=r.c(("h3", "h2", "h4", "div")), cls="comment-reply-title")]
    if r.p(0.3):
        kids.append(ctx.L(label, _fmt(r.c(ctx.loc.fl("sign_in")), name=ctx.names.new()), tag="p", cls="logged-in-as"))
    if r.p(0.7):
        kids.append(ctx.L(label, ctx.fl("email_notice"), tag="p", cls="comment-notes"))
    fields = r.sample(ctx.loc.fl("form_fields"), r.i(0, 4))
    for f_ in fields:
        if r.p(0.5):
            kids.append(ctx.X("div", "comment-form-field", [ctx.L(label, f_, tag="label"), _Void("input", {"type": "text", "name": "f"})]))
        else:
            kids.append(_Void("input", {"type": "text", "placeholder": f_}))
    if r.p(0.5):
        kids.append(_Box("textarea", {"name": "comment", "rows": "8"}, []))
    for cb in r.sample(ctx.loc.fl("form_checkbox"), r.w([(0, 3), (1, 3), (2, 1)])):
        kids.append(ctx.L(label, cb, tag="label"))
    if r.p(0.8):
        kids.append(ctx.L(label, ctx.fl("submit"), tag="button", type="submit"))
    if r.p(0.35):
        kids.append(ctx.L(label, ctx.fl("spam_notice"), tag="p", cls="akismet_comment_form_privacy_notice"))
    return ctx.X("div", "comment-respond", [ctx.X("form", "comment-form", kids, action="/wp-comments-post.php", method="post")], id=ctx.c("respond"))


def _byline(ctx: _Ctx) -> tuple[list, list, str | None, str | None]:
    """(lines near the title, lines after the body, author shown, ISO date shown)."""
    r = ctx.r
    style = r.w([("none", 9), ("name", 22), ("name_date", 30), ("two", 19), ("date_only", 10), ("footer", 10)])
    if r.p(0.07):
        author = r.c(("admin", "editor", "staff", "webmaster", ctx.site))
    else:
        author = ctx.names.person(ctx.loc.lang if r.p(0.7) else "en")
        if r.p(0.07):
            author = f"{author} {r.c(('and', '&', 'with'))} {ctx.names.person()}"
    role = r.c(ctx.loc.bl("author_roles"))
    date_kind = r.w([("date", 65), ("datetime", 35)])
    tpl = r.c(ctx.loc.dates[date_kind])
    ampm = r.i(0, 2)
    date_txt, iso = _fill_date(tpl, ctx.published, ctx.loc.cal, ampm)
    later = ctx.published + _dt.timedelta(minutes=r.i(20, 5000))
    dt2_txt, _ = _fill_date(r.c(ctx.loc.dates["datetime"]), later, ctx.loc.cal, ampm)
    dt_txt, dt_iso = _fill_date(r.c(ctx.loc.dates["datetime"]), ctx.published, ctx.loc.cal, ampm)
    section = r.c(ctx.loc.bl("nav_sections"))
    name_tpls = [t for t in ctx.loc.bl("byline") if "{date" not in t]
    date_tpls = [t for t in ctx.loc.bl("byline") if "{date" in t]
    cls = r.c(("byline", "author", "entry-meta", "post-meta", "article-author", "meta"))

    def name_part():
        return ctx.a(author, f"/author/{re.sub(r'[^a-z]+', '-', author.lower())}") if r.p(0.6) else author

    def fill(t: str):
        nonlocal iso
        shown = None
        if "{datetime}" in t:
            shown = dt_iso
        elif "{date}" in t:
            shown = iso
        pieces = re.split(r"(\{name\})", _fmt(t, role=role, date=date_txt, datetime=dt_txt, datetime2=dt2_txt,
                                              site=ctx.site, section=section, n=r.i(0, 120),
                                              time=_fill_date(r.c(ctx.loc.dates["time"]), ctx.published, ctx.loc.cal, ampm)[0]))
        parts = [name_part() if p == "{name}" else p for p in pieces if p]
        return parts, shown

    head: list = []
    foot: list = []
    shown_author: str | None = None
    shown_date: str | None = None
    if style in ("name", "two"):
        parts, _ = fill(r.c(name_tpls))
        head.append(ctx.L(BYLINE, *parts, tag=r.c(("div", "p", "span")), cls=cls))
        shown_author = author
        if r.p(0.12):
            head.append(ctx.L(BYLINE, author, tag="div", cls="author-name"))
    if style == "name_date":
        parts, shown_date = fill(r.c(date_tpls))
        head.append(ctx.L(BYLINE, *parts, tag=r.c(("div", "p")), cls=cls))
        shown_author = author
    if style in ("two", "date_only"):
        parts, shown_date = fill(r.c(ctx.loc.bl("byline_date")))
        head.append(ctx.L(BYLINE, *parts, tag=r.c(("div", "p", "time")), cls="date"))
    if style == "footer":
        parts, shown_date = fill(r.c(ctx.loc.bl("byline_footer")))
        foot.append(ctx.L(BYLINE, *parts, tag="div", cls="postmetadata"))
        shown_author = author
    if style == "two" and r.p(0.3):
        head = head[::-1]
    return head, foot, shown_author, shown_date


def _caption(ctx: _Ctx) -> _Box:
    r = ctx.r
    credit = ctx.bl("credits", agency=r.c(ctx.loc.bl("agencies")), person=ctx.names.person())
    kind = r.w([("tpl", 5), ("sent", 2), ("credit", 2)])
    lines: list[str]
    if kind == "credit":
        lines = [credit]
    else:
        if kind == "tpl":
            cap = ctx.bl("captions", ent=r.c(ctx.ents), ent2=r.c(ctx.ents), place=r.c(_res("names")["places"]),
                         weekday=r.c(ctx.loc.cal["weekdays"]), year=ctx.published.year - r.i(0, 10))
        else:
            cap = _shorten_words(r.c(ctx.sentences), r.i(7, 16)).rstrip(",;:") + "." if ctx.sentences else credit
        lines = r.c(([cap + " " + credit], [cap, credit], [cap]))
    kids: list = [_Void("img", {"src": f"/media/{r.i(1, 99999)}.jpg", "alt": lines[0][:80] if r.p(0.5) else ""})]
    kids.append(ctx.L(BOILER, lines[0], tag="figcaption", cls="caption"))
    for extra in lines[1:]:
        kids.append(ctx.L(BOILER, extra, tag="div", cls="credit"))
    if r.p(0.15):
        kids.append(ctx.L(BOILER, lines[0], tag="div", cls="caption-mobile"))  # shown twice
    return ctx.X("figure", "wp-caption", kids)


def _pullquote(ctx: _Ctx, author: str | None) -> _Box | None:
    r = ctx.r
    if not ctx.sentences:
        return None
    kids: list = [ctx.L(BOILER, r.c(ctx.sentences), tag="blockquote" if r.p(0.3) else "div", cls="pullquote")]
    if author and r.p(0.5):
        kids.append(ctx.L(BOILER, author, tag="div", cls="pullquote-author"))
    return ctx.X("aside", "pull-quote", kids)


def _titles_list(ctx: _Ctx, heading_key: str, numbered: bool, cls: str, label: str = BOILER) -> _Box:
    r = ctx.r
    section = r.c(ctx.loc.bl("nav_sections"))
    kids: list = [ctx.L(label, ctx.bl(heading_key, section=section), tag=r.c(("h3", "h2", "div", "h4")), cls="widget-title")]
    titles = r.sample(ctx.others, r.i(3, 7))
    extra = r.w([("none", 5), ("time", 2), ("snippet", 1), ("dup", 1), ("count", 1)])
    items: list = []
    for k, t in enumerate(titles):
        text = f"{k + 1}{r.c(('.', '', ' '))} {t}" if numbered and r.p(0.7) else t
        sub: list = []
        if numbered and r.p(0.3):
            sub.append(ctx.L(label, str(k + 1), tag="span", cls="rank"))
            text = t
        if extra == "time":
            sub.append(ctx.L(label, ctx.a(text), " " + _relative(r.i(600, 90000), ctx.loc.cal, r.i(0, 1)) + r.c((" |", "", " ·")), tag="div"))
        else:
            sub.append(ctx.L(label, ctx.a(text), tag="div"))
        if extra == "dup":
            sub.append(ctx.L(label, t, tag="div"))
        if extra == "snippet" and ctx.sentences:
            sub.append(ctx.L(label, _shorten_words(r.c(ctx.sentences), r.i(5, 9)) + " more", tag="p"))
        if extra == "count":
            sub.append(ctx.L(label, f"({r.i(1, 300)})", tag="span"))
        items.append(ctx.X("li", None, sub))
    kids.append(ctx.X("ol" if numbered else "ul", "post-list", items))
    return ctx.X("section", cls, kids)


def _after_article(ctx: _Ctx, author: str | None) -> list:
    r = ctx.r
    out: list = []
    if r.p(0.3):
        tags = r.sample(ctx.ents, r.i(2, 6)) + r.sample(ctx.loc.bl("topics"), r.i(0, 2))
        if r.p(0.6):
            links = [x for t in tags for x in (ctx.a(t, "/tag/" + re.sub(r"\W+", "-", t.lower())), ", ")][:-1]
            out.append(ctx.L(BOILER, ctx.bl("tags_prefix") + " ", *links, tag="div", cls="tags"))
        else:
            out.append(ctx.X("div", "tags", [ctx.L(BOILER, ctx.bl("tags_prefix"), tag="span")] + [ctx.L(BOILER, ctx.a(t), tag="div") for t in tags]))
    if r.p(0.4):
        items = r.sample(ctx.loc.bl("share"), r.i(2, 7))
        out.append(_join_or_list(ctx, BOILER, items, "share-bar", joined_p=0.45))
    if r.p(0.18):
        who = author or ctx.names.person()
        first = who.split()[0]
        kids = []
        if r.p(0.5):
            kids.append(ctx.L(BOILER, ctx.bl("author_box", name=who), tag="h4"))
        kids.append(ctx.L(BOILER, ctx.bl("bios", name=who if r.p(0.7) else first, role=r.c(ctx.loc.bl("author_roles")),
                                         handle=re.sub(r"\W", "", who.lower())[:15], place=r.c(_res("names")["places"]),
                                         topic=r.c(ctx.loc.bl("topics")), email=f"{first.lower()}@{ctx.domain}", n=r.i(3, 30)), tag="p"))
        out.append(ctx.X("div", "author-bio", kids))
    if r.p(0.15):
        out.append(ctx.L(BOILER, ctx.bl("disclaimers"), tag="p", cls="disclaimer"))
    if r.p(0.18):
        out.append(ctx.X("nav", "post-navigation", [ctx.L(BOILER, ctx.bl("prevnext", title=r.c(ctx.others)), tag="div") for _ in range(r.i(1, 2))]))
    if r.p(0.12):
        out.append(ctx.X("div", "follow", [ctx.L(BOILER, ctx.bl("follow", handle=re.sub(r"\W", "", ctx.site.lower())), tag="p")]))
    return r.shuffle(out) if r.p(0.3) else out


def _newsletter(ctx: _Ctx) -> _Box:
    r = ctx.r
    items = ctx.loc.bl("newsletter")
    heading = items[0] if r.p(0.5) else r.c(items)
    kids = [ctx.L(BOILER, _fmt(heading, site=ctx.site), tag="h3")]
    for t in r.sample([x for x in items if x != heading], r.i(1, 3)):
        kids.append(ctx.L(BOILER, _fmt(t, site=ctx.site), tag="p"))
    kids.append(_Void("input", {"type": "email", "placeholder": "email"}))
    return ctx.X("div", "newsletter-signup", kids)


def _article(ctx: _Ctx) -> tuple[list, dict]:
    r = ctx.r
    head_lines, foot_lines, author, pub = _byline(ctx)
    truth = {"title": "", "byline": author, "published": pub, "body": "\n\n".join(ctx.paras)}
    title_nodes: list = []
    if ctx.title and r.p(0.94):
        truth["title"] = ctx.title
        tag = r.w([("h1", 8), ("h2", 1), ("div", 1)])
        title_nodes.append(ctx.L(TITLE, ctx.title, tag=tag, cls=r.c(("entry-title", "article-title", "headline", "post-title", "story-title", "title"))))
        if r.p(0.08):
            title_nodes.insert(0, ctx.L(TITLE, ctx.title, tag="div", cls="print-title"))
    kicker = ctx.L(BOILER, r.c(ctx.loc.bl("nav_sections" if r.p(0.7) else "misc")), tag="div", cls="kicker") if r.p(0.22) else None
    standfirst = None
    if r.p(0.3) and ctx.sentences:
        sf = r.c(ctx.sentences[:8]) if r.p(0.6) else _shorten_words(r.c(ctx.sentences), r.i(8, 18)).rstrip(",;:")
        standfirst = ctx.L(BOILER, sf, tag=r.c(("p", "h2", "div")), cls="standfirst")
    extras = []
    if r.p(0.2):
        extras.append(ctx.L(BOILER, ctx.bl("reading", n=r.i(2, 15)), tag="div", cls="reading-time"))
    if r.p(0.15):
        extras.append(_join_or_list(ctx, BOILER, r.sample(ctx.loc.bl("share"), r.i(2, 5)), "share-top", joined_p=0.5))
    # arrangement of the head
    order = r.w([("t_s_b", 5), ("t_b_s", 3), ("b_t_s", 1), ("k_t_b", 2)])
    head: list = []
    if kicker is not None and order == "k_t_b":
        head.append(kicker)
        kicker = None
    if order == "b_t_s":
        head += head_lines + title_nodes + ([standfirst] if standfirst else [])
    elif order == "t_b_s":
        head += title_nodes + head_lines + ([standfirst] if standfirst else [])
    else:
        head += title_nodes + ([standfirst] if standfirst else []) + head_lines
    if kicker is not None:
        head.insert(0, kicker)
    head += extras
    if ctx.layout == "slashdot" and r.p(0.6):
        words = re.sub(r"[^a-z ]", "", r.c(ctx.sentences).lower()).split()[:5] if ctx.sentences else ["news"]
        head.append(ctx.L(BOILER, f"from the {'-'.join(words)} dept.", tag="div", cls="dept-text"))
    body: list = []
    if r.p(0.45):
        body.append(_caption(ctx))
    ins_ad, ins_rel, ins_fig, ins_pq = (r.p(0.3), r.p(0.3), r.p(0.25), r.p(0.18))
    n = len(ctx.paras)
    p_tag = r.w([("p", 9), ("div", 1)])
    for i, para in enumerate(ctx.paras):
        tag = p_tag
        if len(para) < 70 and not para.endswith((".", "?", "!", "”", '"', ":")) and 0 < i < n - 1 and r.p(0.7):
            tag = r.c(("h2", "h3", "strong")) if r.p(0.8) else p_tag
            if tag == "strong":
                body.append(ctx.L(BODY, ("strong", {}, para), tag="p"))
                continue
        body.append(ctx.L(BODY, para, tag=tag))
        if i < n - 1:
            if ins_ad and r.p(0.12):
                body.append(ctx.X("div", "ad-slot", [ctx.L(BOILER, r.c(ctx.loc.bl("ads")), tag="div")]))
            if ins_rel and r.p(0.08):
                body.append(ctx.L(BOILER, ctx.bl("inline_related", title=r.c(ctx.others)), tag="p", cls="related-inline"))
            if ins_fig and r.p(0.08):
                body.append(_caption(ctx))
            if ins_pq and i > 0 and r.p(0.08):
                pq = _pullquote(ctx, author)
                if pq is not None:
                    body.append(pq)
    nodes = head + [ctx.X("div", r.c(("entry-content", "article-body", "story-body", "post-content", "content")), body)] + foot_lines
    return [ctx.X("article", "post hentry", nodes)], truth


def _footer(ctx: _Ctx) -> _Box | None:
    r = ctx.r
    kids: list = []
    if r.p(0.65):
        kids.append(_join_or_list(ctx, BOILER, r.sample(ctx.loc.bl("footer_links"), r.i(3, 10)), "footer-links", joined_p=0.4))
    if r.p(0.65):
        kids.append(ctx.L(BOILER, ctx.bl("copyright", year=ctx.now.year), tag="p", cls="copyright"))
    if r.p(0.12):
        kids.append(ctx.L(BOILER, ctx.bl("page_timer", s=f"{r.u(0.05, 2.5):.3f}", ms=r.i(20, 900), q=r.i(10, 120)), tag="div", cls="timer"))
    return ctx.X("footer", "site-footer", kids) if kids else None


def _sidebar(ctx: _Ctx, widgets: list) -> _Box | None:
    r = ctx.r
    kids: list = []
    if r.p(0.3):
        kids.append(_titles_list(ctx, "most_read", numbered=r.p(0.6), cls="most-read"))
    kids += widgets
    if r.p(0.2):
        kids.append(_newsletter(ctx))
    if r.p(0.2):
        kids.append(ctx.X("div", "ad", [ctx.L(BOILER, r.c(ctx.loc.bl("ads")), tag="div")]))
    if r.p(0.15):
        kids.append(_titles_list(ctx, "related_heading", numbered=False, cls="widget_recent_entries"))
    kids = r.shuffle(kids) if len(kids) > 1 and r.p(0.5) else kids
    return ctx.X("aside", r.c(("sidebar", "widget-area", "rail", "col-md-4")), kids) if kids else None


def _assemble(ctx: _Ctx, section: _Box | None, widgets: list) -> tuple[_Box, dict]:
    r = ctx.r
    top: list = []
    cookie = r.w([("none", 68), ("top", 20), ("bottom", 12)])
    if cookie == "top":
        top.append(_cookie(ctx))
    if r.p(ctx.spec.signin_top):
        top.append(_signin_box(ctx, BOILER))
    header = ctx.X("header", "site-header", _nav(ctx))
    if r.p(0.2):
        crumbs = ctx.L(BOILER, ctx.bl("breadcrumb", section=r.c(ctx.loc.bl("nav_sections")),
                                      topic=r.c(ctx.ents), title=ctx.title or r.c(ctx.others)), tag="div", cls="breadcrumbs")
        header.kids.append(crumbs)
    art_nodes, truth = _article(ctx)
    after = _after_article(ctx, truth["byline"])
    if r.p(0.2):
        after.append(_newsletter(ctx))
    related = _titles_list(ctx, "related_heading", numbered=False, cls="related-posts") if r.p(0.4) else None
    side_where = r.w([("after_main", 5), ("before_main", 2), ("between", 2), ("after_comments", 2)])
    sidebar = _sidebar(ctx, widgets if side_where != "between" else [])
    if side_where == "between" and widgets:
        sidebar_between = ctx.X("div", "widgets", list(widgets))
    else:
        sidebar_between = None
    rel_before = r.p(0.5)
    main: list = list(art_nodes) + after
    if related is not None and rel_before:
        main.append(related)
    if side_where == "between" and sidebar_between is not None:
        main.append(sidebar_between)
    comments_in_main = side_where != "after_comments"
    if comments_in_main and section is not None:
        main.append(section)
    if related is not None and not rel_before:
        main.append(related)
    if ctx.layout == "blogger" and r.p(0.6):
        main.append(_join_or_list(ctx, BOILER, ctx.loc.fl("blogger")["pager"], "blog-pager", joined_p=0.7))
        main.append(ctx.L(BOILER, ctx.loc.fl("blogger")["feeds"], tag="div", cls="post-feeds"))
    wrapper = r.c(_res("html")["wrapper_classes"])
    body: list = top + [header]
    main_box = ctx.X("main", wrapper, main, id=ctx.c("main"))
    if side_where == "before_main":
        body += [sidebar, main_box]
    else:
        body += [main_box, sidebar]
    if not comments_in_main and section is not None:
        body.append(ctx.X("div", "comments-wrap", [section]))
    body.append(_footer(ctx))
    if cookie == "bottom":
        body.append(_cookie(ctx))
    root = ctx.X("body", r.c(("single single-post", "article-page", "post-template-default", "page")), [b for b in body if b is not None])
    return root, truth


# =========================================================================== comment-section helpers


def _nest_visible(ctx: _Ctx) -> bool:
    return ctx.fmt == "html" or bool(ctx.ts.indent)


def _mode(ctx: _Ctx, nested: float = 0, indicator: float = 0, flat: float = 0) -> str:
    pairs = [("nested", nested if _nest_visible(ctx) else 0), ("indicator", indicator), ("flat", flat)]
    pairs = [p for p in pairs if p[1] > 0]
    return ctx.r.w(pairs) if pairs else "flat"


def _ctext(ctx: _Ctx, cm: _Cm, tag: str = "p", cls: str | None = None, ind: int = 0, br: float = 0.25,
           box: str | None = None, box_cls: str | None = None) -> list:
    """The comment's paragraphs: one element each, or one element with <br> breaks."""
    if not cm.paras:
        return []
    if len(cm.paras) > 1 and ctx.chance(("br", br), br):
        sep = ctx.pick("br_sep", ("\n\n", "\n\n", "\n"))
        lines = [ctx.L(CTEXT, sep.join(cm.paras), tag="div" if tag == "p" else tag, cls=cls, cm=cm, ind=ind)]
    else:
        lines = [ctx.L(CTEXT, p, tag=tag, cls=cls, cm=cm, ind=ind) for p in cm.paras]
    if box:
        return [ctx.X(box, box_cls, lines)]
    return lines


def _hdr(ctx: _Ctx, tpl: str, cm: _Cm, name=None, when: _When | None = None, **extra) -> list:
    """Fill a header template; ``{name}`` becomes ``name`` (a string or an inline element)."""
    when = when or ctx.comment_when
    vals = dict(extra)
    if "{date}" in tpl and "{time}" in tpl:
        d_txt, iso = _fill_date(ctx.pick(("date_tpl", id(when)), when.loc.dates["date"]), cm.dt, when.loc.cal)
        vals["date"], vals["time"] = d_txt, when.time(cm.dt)
        if cm.posted is None and iso:
            cm.posted = iso + cm.dt.strftime("T%H:%M")
    else:
        for key in ("datetime", "date", "when"):
            if "{" + key + "}" in tpl:
                vals[key] = ctx.when(cm, when)
        if "{time}" in tpl:
            vals["time"] = when.time(cm.dt)
    if "{place}" in tpl:
        vals["place"] = ctx.r.c(_res("names")["places"])
    text = _fmt(tpl, **vals)
    name = cm.author if name is None else name
    return [name if p == "{name}" else p for p in re.split(r"(\{name\})", text) if p]


def _indicate(ctx: _Ctx, cm: _Cm, line_p: float = 0.4, cls: str = "in-reply-to") -> _Line | None:
    """Show a reply in a flat list: an 'In reply to X' line (returned) or an '@X' text prefix."""
    if cm.parent is None:
        return None
    if ctx.r.p(line_p) and cm.parent.author:
        cm.reply_shown = True
        return ctx.L(FURN, ctx.fl("in_reply_to", name=cm.parent.author), tag="div", cls=cls)
    _reply_prefix(ctx, cm)
    return None


def _actions(ctx: _Ctx, items: list[str], cls: str = "comment-actions", joined_p: float = 0.6) -> _Box | _Line:
    return _join_or_list(ctx, FURN, [i for i in items if i], cls, box_tag=ctx.pick(("actions_box", cls), ("ul", "div")), joined_p=joined_p)


def _count_line(ctx: _Ctx, n: int, cls: str = "comments-title", tag: str | None = None) -> _Line:
    r = ctx.r
    if n == 0:
        text = ctx.fl(r.c(("zero", "zero", "closed")))
    elif n == 1 and r.p(0.7):
        text = ctx.fl("count_one")
    else:
        text = ctx.fl("count", n=n if r.p(0.8) else n + r.i(1, 200))
    return ctx.L(FURN, text, tag=tag or r.c(("h2", "h3", "div", "h4")), cls=cls)


def _maybe_ad(ctx: _Ctx, k: int, p: float) -> _Box | None:
    """Boilerplate between comments (ads, newsletter boxes)."""
    r = ctx.r
    if k > 0 and k % r.i(4, 9) == 0 and r.p(p):
        if r.p(0.8):
            return ctx.X("div", "ad-container", [ctx.L(BOILER, r.c(ctx.loc.bl("ads")), tag="div")])
        return _newsletter(ctx)
    return None


def _with_ads(ctx: _Ctx, cms: Sequence[_Cm], p: float, render: Callable) -> list:
    """``render(cm)`` for each comment, maybe with an ad before it (as ``_maybe_ad`` decides)."""
    out: list = []
    for k, cm in enumerate(cms):
        ad = _maybe_ad(ctx, k, p)
        if ad is not None:
            out.append(ad)
        out.append(render(cm))
    return out


def _section(ctx: _Ctx, kids: list, cls: str = "comments-area", tag: str = "section", **attrs) -> _Box:
    return ctx.X(tag, cls, kids, lg=ctx.ts.lg_comments, **attrs)


def _votes(ctx: _Ctx, cm: _Cm, tpl: str | None = None) -> str:
    return _fmt(tpl or ctx.r.c(ctx.loc.fl("votes")), n=cm.votes, k=ctx.r.i(0, max(1, cm.votes // 3)))


# =========================================================================== families (train)


def _fam_wordpress(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, nested=6, indicator=1, flat=3)
    order = _thread(ctx, cms, mode, max_depth=r.i(2, 5))
    hstyle = r.w([("says2", 5), ("name_date", 3), ("oneline", 2), ("date_first", 1)])
    says = r.c(ctx.loc.fl("says"))
    one_tpl = r.c([t for t in ctx.loc.fl("header_oneline") if "{name}" in t])
    reply_tpl = r.c(ctx.loc.fl("reply"))
    luv, moder, avatar_alt = r.p(0.12), r.p(0.05), r.p(0.08)

    def one(cm: _Cm, k: int) -> _Box:
        name = ctx.span(cm.author, "fn", tag="b") if r.p(0.6) else ("b", {"class": ctx.c("fn")}, [ctx.a(cm.author, "http://" + ctx.domain, cls="url")])
        meta: list = []
        if avatar_alt:
            meta.append(ctx.L(FURN, _fmt(ctx.pick("avatar_alt", _T("wordpress", "avatar_alt")), name=cm.author), tag="span", cls="avatar-alt"))
        else:
            meta.append(ctx.img("avatar avatar-64 photo"))
        if hstyle == "oneline":
            meta.append(ctx.L(HEAD, *_hdr(ctx, one_tpl, cm, name=name), tag="div", cls="comment-author vcard", cm=cm))
        else:
            author_parts = [name] + ([" ", ctx.span(says, "says")] if hstyle in ("says2", "date_first") else [])
            author = ctx.L(HEAD, *author_parts, tag="div", cls="comment-author vcard", cm=cm)
            date = ctx.L(HEAD, ("a", {"href": f"#comment-{r.i(100, 99999)}"}, [ctx.time_el(cm)]),
                         tag="div", cls="comment-metadata", cm=cm)
            meta += [date, author] if hstyle == "date_first" else [author, date]
        if moder and r.p(0.1):
            meta.append(ctx.L(FURN, ctx.fl("moderation", vary=True), tag="em", cls="comment-awaiting-moderation"))
        kids: list = [ctx.X("footer", "comment-meta", meta)]
        ind = _indicate(ctx, cm) if mode == "indicator" else None
        if ind is not None:
            kids.append(ind)
        kids.append(ctx.X("div", "comment-content", _ctext(ctx, cm)))
        if luv and r.p(0.3):
            kids.append(ctx.L(FURN, ctx.fl("commentluv", name=cm.author, title=r.c(ctx.others)), tag="p", cls="cluv"))
        if r.p(0.85):
            kids.append(ctx.L(FURN, ctx.a(_fmt(reply_tpl, name=cm.author), cls="comment-reply-link"), tag="div", cls="reply"))
        body = ctx.X("article", "comment-body", kids, id=f"div-comment-{k}")
        items: list = [body]
        if mode == "nested" and cm.kids:
            items.append(ctx.X("ol", "children", [one(c, k * 10 + j) for j, c in enumerate(cm.kids)], nest=1))
        return ctx.X("li", f"comment depth-{cm.depth + 1}", items, id=f"comment-{r.i(100, 99999)}")

    roots = [c for c in order if c.parent is None] if mode == "nested" else order
    lst: list = []
    for k, cm in enumerate(roots):
        ad = _maybe_ad(ctx, k, 0.15)
        if ad is not None:
            lst.append(ctx.X("li", "ad-item", [ad]))
        lst.append(one(cm, k))
    kids: list = []
    if r.p(0.85) or not cms:
        kids.append(_count_line(ctx, len(cms), "comments-title"))
    if cms and r.p(0.1):
        kids.append(ctx.L(FURN, ctx.fl("pagination", n=r.i(2, 5)), tag="nav", cls="comment-navigation"))
    if lst:
        kids.append(ctx.X("ol", "comment-list", lst))
    if cms and r.p(0.12):
        kids.append(ctx.L(FURN, ctx.fl("pagination", n=r.i(2, 5)), tag="nav", cls="comment-navigation"))
    if r.p(0.8):
        form = _form(ctx)
        kids = [form] + kids if r.p(0.15) else kids + [form]
    return _section(ctx, kids, "comments-area", id=ctx.c("comments"))


def _fam_disqus(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, nested=7, indicator=1, flat=2)
    order = _thread(ctx, cms, mode, max_depth=r.i(3, 6), newest_first=r.p(0.25))
    when = _When(ctx, [("relative", 1)])
    avatar = r.p(0.3)
    two_line = r.p(0.25)
    act_style = r.w([("split", 3), ("one", 2), ("lines", 1)])
    sep = r.c(_T("disqus", "byline_sep"))
    top: list = []
    head_items = [ctx.fl("count", n=len(cms)) if cms else "0 Comments", ctx.site, ctx.sy("disqus", "login")]
    if r.p(0.4):
        head_items.append(str(r.i(1, 3)))
    if r.p(0.6):
        head_items += [ctx.sy("disqus", "recommend"), str(r.i(0, 40))]
    if r.p(0.5):
        head_items += [ctx.sy("disqus", "tweet"), ctx.sy("disqus", "share")]
    head_items.append(ctx.sy("disqus", "sort"))
    if r.p(0.5):
        top.append(_join_or_list(ctx, FURN, head_items, "nav-tab", joined_p=0.3, links=False))
    else:
        top += [ctx.L(FURN, t, tag=r.c(("span", "div", "a"))) for t in head_items]
    top.append(ctx.L(FURN, ctx.sy("disqus", "join" if cms else "start"), tag="div", cls="textarea"))
    if r.p(0.45):
        for key in ("login_with", "signup", "name"):
            top.append(ctx.L(FURN, ctx.sy("disqus", key), tag="div"))
        if r.p(0.5):
            top.append(ctx.L(FURN, ctx.sy("disqus", "privacy"), tag="p"))

    def one(cm: _Cm) -> _Box:
        kids: list = []
        if avatar:
            kids.append(ctx.L(FURN, "Avatar", tag="span", cls="avatar"))
        else:
            kids.append(ctx.X("div", "avatar", [ctx.img("user")]))
        author = ctx.a(cm.author, f"https://disqus.com/by/{re.sub(r'[^a-z0-9]', '', cm.author.lower())}/", cls="author")
        arrow = [" → ", ctx.span(cm.parent.author, "parent-link")] if (cm.parent is not None and mode == "nested" and r.p(0.5)) else []
        t = ctx.a(ctx.when(cm, when), f"#comment-{r.i(10**6, 10**7)}", cls="time-ago", title=cm.dt.strftime("%A, %B %d, %Y %I:%M %p"))
        badge = [" ", ctx.span(ctx.sy("disqus", "badges", vary=True), "badge")] if r.p(0.04) else []
        if two_line:
            kids.append(ctx.L(HEAD, author, *badge, *arrow, tag="span", cls="post-byline", cm=cm))
            kids.append(ctx.L(HEAD, t, tag="span", cls="post-meta", cm=cm))
        else:
            kids.append(ctx.L(HEAD, author, *badge, *arrow, sep, t, tag="header", cls="post-byline", cm=cm))
        ind = _indicate(ctx, cm, 0.2) if mode == "indicator" else None
        if ind is not None:
            kids.append(ind)
        kids += _ctext(ctx, cm, box="div", box_cls="post-message")
        if len(cm.text) > 500 and r.p(0.4):
            kids.append(ctx.L(FURN, ctx.sy("disqus", "see_more"), tag="a", cls="post-message-see-more"))
        v = str(cm.votes) if cm.votes else ""
        acts = ctx.sy("disqus", "actions")
        if act_style == "split":
            kids.append(ctx.L(FURN, acts, tag="menu", cls="post-menu"))
            kids.append(ctx.L(FURN, _fmt(ctx.pick("votes_tpl", _T("disqus", "votes")), v=v).replace("  ", " ").strip(), tag="div", cls="voting"))
        elif act_style == "one":
            kids.append(ctx.L(FURN, f"{v} △ ▽ • {acts}".strip(), tag="footer"))
        else:
            kids.append(ctx.X("menu", "post-menu", [ctx.L(FURN, x, tag="li") for x in ([v] if v else []) + ["△", "▽"] + acts.split(" • ")]))
        items = [ctx.X("div", "post-content", kids)]
        if mode == "nested" and cm.kids:
            items.append(ctx.X("ul", "children", [one(c) for c in cm.kids], nest=1))
        return ctx.X("li", "post", items, id=f"post-{r.i(10**8, 10**9)}")

    roots = [c for c in order if c.parent is None] if mode == "nested" else order
    kids = top + ([ctx.X("ul", "post-list", [one(c) for c in roots], id=ctx.c("post-list"))] if roots else [])
    if len(cms) > 8 and r.p(0.5):
        kids.append(ctx.L(FURN, ctx.fl("load_more", n=len(cms)), tag="a", cls="load-more__button"))
    foot = r.sample(ctx.loc.fl("disqus")["footer"], r.i(1, 4))
    kids.append(_join_or_list(ctx, FURN, foot, "disqus-footer", joined_p=0.4))
    if r.p(0.25):
        kids.append(_titles_list(ctx, "related_heading", numbered=False, cls="discovery"))
    return _section(ctx, [ctx.X("div", "layout", kids, id=ctx.c("layout"))], "disqus_thread", tag="div", id=ctx.c("disqus_thread"))


def _fam_pipe(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, nested=1, indicator=4, flat=4)
    order = _thread(ctx, cms, mode, max_depth=2)
    tpl = r.c(_T("pipe", "header"))
    place_fixed = {}
    actions = r.p(0.3)
    kids: list = []
    if r.p(0.6):
        kids.append(ctx.L(FURN, ctx.fl(r.c(("comments_heading", "comments_heading", "count")), n=len(cms)), tag="h3"))
    if r.p(0.3):
        kids.append(_form(ctx))

    def one(cm: _Cm) -> _Box:
        t = tpl
        if "{place}" in t:
            place_fixed.setdefault(cm.author, r.c(_res("names")["places"]))
            t = t.replace("{place}", place_fixed[cm.author])
        name = ctx.span(cm.author, "name", tag="b") if r.p(0.5) else cm.author
        parts: list = [ctx.L(HEAD, *_hdr(ctx, t, cm, name=name), tag=ctx.pick("hdr_tag", ("div", "p", "h4")), cls="comment-header", cm=cm)]
        if mode == "indicator" and cm.parent is not None:
            _reply_prefix(ctx, cm)
        parts += _ctext(ctx, cm, cls="comment-text", br=0.5)
        if actions:
            parts.append(_actions(ctx, [ctx.fl("reply", name=cm.author), ctx.fl("report")]))
        items = [ctx.X("div", "comment", parts)]
        if mode == "nested" and cm.kids:
            items.append(ctx.X("div", "replies", [one(c) for c in cm.kids], nest=1))
        return ctx.X("div", "comment-wrap", items)

    roots = [c for c in order if c.parent is None] if mode == "nested" else order
    kids.append(ctx.X("div", "comments-list", [one(c) for c in roots]))
    if not cms and r.p(0.5):
        kids.append(ctx.L(FURN, ctx.fl("zero"), tag="p"))
    if r.p(0.35):
        kids.append(_signin_box(ctx, FURN))
    return _section(ctx, kids, "comments")


def _fam_forum(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, indicator=5, flat=5)
    order = _thread(ctx, cms, mode, max_depth=1)
    offset = 0 if r.p(0.7) else r.c((10, 15, 20, 25))
    hstyle = r.w([("numwrote", 3), ("wrote_num", 2), ("split", 2), ("arrow", 2), ("postby", 1)])
    subj = r.p(0.45)
    info = r.p(0.5)
    wrote = r.c(ctx.loc.fl("wrote"))
    stats: dict = {}
    kids: list = []
    if r.p(0.5):
        kids.append(ctx.L(FURN, ctx.sy("forum", "page", n=max(1, len(cms) // 15 + 1), k=len(cms) + offset), tag="div", cls="pagination"))
    posts = []
    for k, cm in enumerate(order):
        num = offset + k + 1
        parts: list = []
        if subj:
            parts.append(ctx.L(FURN, ("Re: " if k or offset else "") + (ctx.title or r.c(ctx.others)), tag="h3", cls="post-subject"))
        name = ctx.a(cm.author, f"/member/{r.i(100, 99999)}", cls="username")
        if hstyle == "numwrote":
            parts.append(ctx.L(HEAD, f"#{num} ", name, f" {wrote}", tag="div", cls="postauthor", cm=cm))
        elif hstyle == "wrote_num":
            parts.append(ctx.L(FURN, f"#{num}", tag="a", cls="postcounter", href=f"#post{num}"))
            parts.append(ctx.L(HEAD, name, f" {wrote}", tag="div", cls="postauthor", cm=cm))
        elif hstyle == "split":
            parts.append(ctx.L(FURN, f"#{num}", tag="span", cls="postcounter"))
            parts.append(ctx.L(HEAD, name, tag="div", cls="postauthor", cm=cm))
        elif hstyle == "arrow":
            parts.append(ctx.L(HEAD, *_hdr(ctx, _T("forum", "arrow"), cm, name=name), tag="p", cls="author", cm=cm))
        else:
            parts.append(ctx.L(HEAD, *_hdr(ctx, _T("forum", "postby").replace("{k}", str(num)), cm, name=name), tag="div", cls="postauthor", cm=cm))
        if info:
            st = stats.setdefault(cm.author, (ctx.sy("forum", "ranks", vary=True), r.i(1, 12000), cm.dt - _dt.timedelta(days=r.i(30, 3000)),
                                              r.c(_res("names")["places"])))
            joined = _fill_date(r.c(ctx.loc.dates["date"]), st[2], ctx.loc.cal)[0]
            pool = [st[0], ctx.sy("forum", "posts", n=st[1]), ctx.sy("forum", "joined", date=joined),
                    ctx.sy("forum", "location", place=st[3]), ctx.sy("forum", "status", vary=True)]
            for j in ctx.pick("f_info", [sorted(r.sample(range(5), r.i(1, 3)))]):
                parts.append(ctx.L(FURN, pool[j], tag="dd"))
        if hstyle in ("numwrote", "wrote_num", "split"):
            tpl = ctx.pick("posted_tpl", ("{datetime}", ctx.sy("forum", "posted"), "{datetime}"))
            parts.append(ctx.L(HEAD, *_hdr(ctx, tpl, cm), tag="div", cls="postdate", cm=cm))
        if mode == "indicator" and cm.parent is not None and cm.parent.paras:
            quoted = _truncate(cm.parent.paras[0], r.i(60, 300))
            qh = f"{cm.parent.author} {wrote}" if r.p(0.7) else _fmt(ctx.sy("forum", "quote_head"), name=cm.parent.author,
                                                                         date=_fill_date(r.c(ctx.loc.dates["date"]), cm.parent.dt, ctx.loc.cal)[0])
            cm.paras = [qh, quoted] + cm.paras
            cm.reply_shown = True
        parts += _ctext(ctx, cm, tag="div", cls="postbody", br=0.2)
        acts = [ctx.sy("forum", "quote"), ctx.sy("forum", "reply"), ctx.sy("forum", "report"), ctx.sy("forum", "thanks"), ctx.sy("forum", "back")]
        parts.append(_actions(ctx, [acts[j] for j in ctx.pick("f_acts", [sorted(r.sample(range(5), r.i(1, 4)))])], "postbuttons"))
        ad = _maybe_ad(ctx, k, 0.2)
        if ad is not None:
            posts.append(ad)
        posts.append(ctx.X("div", "post", parts, id=f"p{r.i(10**5, 10**6)}"))
    kids.append(ctx.X("div", "posts", posts))
    if r.p(0.5):
        kids.append(ctx.L(FURN, ctx.sy("forum", "post_reply"), tag="a", cls="button"))
    if r.p(0.3):
        kids.append(_form(ctx))
    return _section(ctx, kids, "topic")


def _fam_slashdot(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, nested=8, indicator=1, flat=1)
    order = _thread(ctx, cms, mode, max_depth=r.i(4, 8), p_reply=r.u(0.4, 0.8))
    with_year = r.p(0.3)
    when = _When(ctx, [("noyear", 1)], lang="en")
    when.tpl = _T("slashdot", "date_year" if with_year else "date_noyear")
    when.ampm = 1
    uids: dict = {}
    subjects = r.p(0.6)
    email_p = r.u(0, 0.3)
    subj: dict = {}
    kids: list = []
    if r.p(0.4):
        kids.append(ctx.L(FURN, ctx.sy("slashdot", "chrome", n=r.i(1, 200)), tag="div", cls="commentControl"))
    for cm in cms:
        if r.p(0.08):
            cm.author = ctx.sy("slashdot", "anon")

    def one(cm: _Cm) -> _Box:
        parts: list = []
        words = " ".join(cm.paras[0].split()[: r.i(2, 6)]) if cm.paras else "Hmm"
        subj[id(cm)] = subj.get(id(cm.parent), words) if cm.parent is not None else words
        if subjects:
            score = r.i(-1, 5)
            t = ctx.sy("slashdot", "subject", subject=subj[id(cm)], n=score, mod=ctx.sy("slashdot", "mods", vary=True))
            if cm.parent is None and t.startswith("Re:"):
                t = t[3:]
            parts.append(ctx.L(FURN, ctx.a(t), tag="h4", cls="commentTop"))
        anon = cm.author == ctx.sy("slashdot", "anon")
        uid = uids.setdefault(cm.author, r.i(1000, 3000000))
        collapsed = cm.depth >= 2 and r.p(0.35)
        name = ctx.a(cm.author, f"//slashdot.org/~{cm.author}") if not anon else cm.author
        bits: list = ["by ", name]
        if not anon:
            bits.append(f" ({uid})")
            if r.p(email_p):
                dom = r.c(_res("comments")["email_domains"]).replace(".", "@", 1)
                bits.append(f" <{re.sub(r'[^a-z0-9]', '', cm.author.lower())}.{dom}>")
        if not collapsed:
            bits += [" on ", ctx.when(cm, when), f" (#{r.i(30000000, 49999999)})", ctx.sy("slashdot", "suffix", vary=True)]
        parts.append(ctx.L(HEAD, *bits, tag="div", cls="details", cm=cm))
        if mode == "indicator" and cm.parent is not None:
            _reply_prefix(ctx, cm)
        parts += _ctext(ctx, cm, tag="p", br=0.3, box="div", box_cls="commentBody")
        if r.p(0.15):
            parts.append(_actions(ctx, r.sample(ctx.loc.fl("slashdot")["actions"], r.i(1, 3)), "commentSub"))
        items: list = [ctx.X("div", "commentTop", parts, junk=True)]
        if mode == "nested" and cm.kids:
            items.append(ctx.X("ul", "commtree", [one(c) for c in cm.kids], nest=1))
        return ctx.X("li", "comment", items, id=f"tree_{r.i(10**7, 10**8)}")

    roots = [c for c in order if c.parent is None] if mode == "nested" else order
    kids.append(ctx.X("ul", "commentlisting", [one(c) for c in roots], id=ctx.c("commentlisting")))
    if r.p(0.3):
        kids.append(ctx.L(FURN, ctx.sy("slashdot", "chrome", n=r.i(1, 200)), tag="div"))
    return _section(ctx, kids, "comments", tag="div", id=ctx.c("comments"))


def _fam_reddit(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, nested=8, indicator=0, flat=2)
    order = _thread(ctx, cms, mode, max_depth=r.i(3, 9), p_reply=r.u(0.3, 0.75))
    when = _When(ctx, [("relative", 9), ("datetime", 1)])
    new = r.p(0.45)
    op = ctx.names.new() if r.p(0.3) else None
    for cm in cms:
        if r.p(0.04):
            cm.author = ctx.sy("reddit", "deleted")
            if r.p(0.5):
                cm.paras = [ctx.sy("reddit", "removed", vary=True)]
        if op and r.p(0.1):
            cm.author = op
    old_actions = ctx.sy("reddit", "old_actions")
    new_actions = ctx.sy("reddit", "new_actions")
    kids: list = []
    if r.p(0.7):
        kids.append(ctx.L(FURN, ctx.sy("reddit", "all", n=len(cms)), tag="div", cls="panestack-title"))
    if r.p(0.6):
        kids.append(ctx.L(FURN, ctx.sy("reddit", "sorted"), tag="div", cls="menuarea"))
    if r.p(0.3):
        kids.append(ctx.L(FURN, ctx.sy("reddit", "comment_as", name=ctx.names.new()), tag="div"))

    def one(cm: _Cm) -> _Box:
        parts: list = []
        name = ctx.a(cm.author, f"/user/{cm.author}", cls="author")
        flair = [" ", ctx.span(ctx.sy("reddit", "op"), "submitter")] if op and cm.author == op else []
        edited = [" ", ctx.sy("reddit", "edited")] if r.p(0.05) else []
        if new:
            if r.p(0.7):
                parts.append(ctx.L(FURN, ctx.sy("reddit", "level", n=cm.depth + 1), tag="span", cls="level"))
            parts.append(ctx.L(HEAD, name, *flair, tag="div", cls="author-line", cm=cm))
            parts.append(ctx.L(HEAD, ctx.pick("age_dot", ("· ", "")) + ctx.when(cm, when), *edited, tag="span", cls="age", cm=cm))
        else:
            pts = "score hidden" if r.p(0.05) else ("1 point" if cm.votes == 1 else f"{cm.votes} points")
            coll = ctx.sy("reddit", "collapse") + " " if r.p(0.8) else ""
            parts.append(ctx.L(HEAD, coll, name, *flair, f" {pts} ", ctx.time_el(cm, when), *edited, tag="p", cls="tagline", cm=cm))
        parts += _ctext(ctx, cm, br=0.0, box="div", box_cls="usertext-body md")
        if new:
            if r.p(0.6):
                parts.append(ctx.L(FURN, str(cm.votes) if r.p(0.8) else ctx.sy("reddit", "vote"), tag="div", cls="score"))
            parts.append(_actions(ctx, re.findall(r"Give Award|\S+", new_actions), "actions", joined_p=0.5))
        else:
            parts.append(_actions(ctx, re.findall(r"give award|\S+", old_actions), "flat-list buttons", joined_p=0.85))
        items = [ctx.X("div", "entry", parts)]
        if mode == "nested" and cm.kids:
            kid_items = [one(c) for c in cm.kids]
            if r.p(0.1):
                kid_items.append(ctx.L(FURN, ctx.sy("reddit", "more", n=r.i(1, 30)), tag="span", cls="morecomments"))
            items.append(ctx.X("div", "child", [ctx.X("div", "sitetable", kid_items)], nest=1))
        return ctx.X("div", "thing comment", items, id=f"thing_t1_{r.i(10**6, 10**7):x}")

    roots = [c for c in order if c.parent is None] if mode == "nested" else order
    kids.append(ctx.X("div", "sitetable nestedlisting", [one(c) for c in roots]))
    if len(cms) > 10 and r.p(0.4):
        kids.append(ctx.L(FURN, ctx.sy("reddit", "more", n=r.i(5, 300)), tag="div"))
    return _section(ctx, kids, "commentarea", tag="div")


def _fam_footer(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, nested=1, indicator=3, flat=6)
    order = _thread(ctx, cms, mode, max_depth=2)
    ctx.comment_when = _When(ctx, [("datetime", 6), ("date", 2), ("relative", 1)])
    tpl = r.c(ctx.loc.fl("posted_footer"))
    if ctx.comment_when.kind == "relative":
        tpl = r.c(_T("footer", "relative"))
    extra = r.w([("none", 5), ("inline", 2), ("line", 2)])
    kids: list = []
    if r.p(0.7):
        kids.append(_count_line(ctx, len(cms)) if r.p(0.5) else ctx.L(FURN, ctx.fl("comments_heading"), tag="h3"))

    def one(cm: _Cm) -> _Box:
        parts: list = []
        if mode == "indicator" and cm.parent is not None:
            _reply_prefix(ctx, cm)
        parts += _ctext(ctx, cm, br=0.2, box="div", box_cls="comment-body")
        name = ctx.a(cm.author, "http://" + ctx.domain) if r.p(0.5) else cm.author
        bits = _hdr(ctx, tpl, cm, name=name)
        if extra == "inline":
            bits += [" | ", ctx.a(ctx.fl(ctx.pick("footer_link", ("reply", "permalink", "report")), name=cm.author))]
        parts.append(ctx.L(HEAD, *bits, tag=ctx.pick("footer_tag", ("p", "div", "span")), cls="comment-footer", cm=cm))
        if extra == "line":
            parts.append(ctx.L(FURN, ctx.fl(ctx.pick("footer_link", ("reply", "permalink", "report")), name=cm.author), tag="div", cls="comment-link"))
        items = [ctx.X("div", "comment-content", parts)]
        if mode == "nested" and cm.kids:
            items.append(ctx.X("div", "comment-replies", [one(c) for c in cm.kids], nest=1))
        return ctx.X("div", "comment", items, id=f"c{r.i(10**5, 10**6)}")

    roots = [c for c in order if c.parent is None] if mode == "nested" else order
    lst = _with_ads(ctx, roots, 0.12, one)
    kids.append(ctx.X("div", "comments-content", lst))
    if r.p(0.25):
        kids.append(ctx.L(FURN, ctx.fl("closed"), tag="p"))
    elif r.p(0.6):
        kids.append(_form(ctx))
    return _section(ctx, kids, "comments")


# --------------------------------------------------------------------------- families (train): the writer after the text


def _sign_name(name: str, r: _R, p_short: float) -> str:
    """A writer's name as signed: with chance ``p_short`` a 'First Last' name is shortened ('Ann K.',
    'A. Kent', 'A.K.', 'Ann K'); other names (handles, single names) stay as they are, but '[deleted]'
    becomes 'Anonymous'."""
    if name.startswith("["):  # '[deleted]' is a forum's mark, not a name anyone signs
        return "Anonymous"
    words = name.split()
    if len(words) == 2 and all(w[:1].isupper() and w.isalpha() for w in words) and r.p(p_short):
        first, last = words
        return r.c((f"{first} {last[0]}.", f"{first[0]}. {last}", f"{first[0]}.{last[0]}.", f"{first} {last[0]}"))
    return name


def _sign_fill(ctx: _Ctx, tpl: str, cm: _Cm, dates: dict, name, ampm: int, **extra) -> list:
    """A sign-off template as inline parts: ``{date}`` / ``{datetime}`` / ``{time}`` become the dates.json
    templates in ``dates``, the dates.json tokens then ``cm``'s time (a year shown sets ``cm.posted``, with
    the time when one is shown), ``{name}`` becomes ``name`` (a string or an inline element) and the
    other placeholders come from ``extra``."""
    for key, token in dates.items():
        tpl = tpl.replace("{" + key + "}", token)
    text, iso = _fill_date(tpl, cm.dt, ctx.loc.cal, ampm)
    if iso and cm.posted is None:
        cm.posted = iso
    text = _fmt(text, **extra)
    if name is None or isinstance(name, str):  # plain text: one piece
        return [text.replace("{name}", name or "")]
    return [name if p == "{name}" else p for p in re.split(r"(\{name\})", text) if p]


def _fam_letters(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    S = _res("layouts")["letters"]
    plat = r.w(S["platforms"])
    cms = _new_comments(ctx, [p for p in pl if p])  # a letter always has a text
    if not cms and r.p(0.5):
        return None
    ampm = r.i(0, 2)
    dates = {"date": r.c(ctx.loc.dates["date"]), "datetime": r.c(ctx.loc.dates["datetime"]), "time": r.c(ctx.loc.dates["time"])}
    name_tpl = r.w(S["names"][plat])
    places = S["places"]["world" if plat == "hys" else r.c(("uk", "uk", "us"))]
    place_of: dict = {}
    # the writers: letters pages print full names, the other platforms the name a reader gave
    upper = plat == "letters" and r.p(0.15)
    p_person = {"letters": 0.85, "views": 0.4}.get(plat, 0.0)
    p_short = r.u(0.0, 0.25) if r.p(0.6) else 0.0
    p_title = 0.05 if plat == "letters" else 0.0
    p_pair = 0.03 if plat == "letters" else 0.0
    writers: dict = {}
    for cm in cms:
        if cm.author not in writers:
            name = ctx.names.person() if r.p(p_person) else cm.author.split(" in ")[0]  # 'Jane in Leeds' signs 'Jane, Leeds'
            name = _sign_name(name, r, p_short)
            if r.p(p_title) and " " in name:
                name = f"{r.c(S['titles'])} {name}"
            if r.p(p_pair):
                name += r.c(S["joiners"]) + ctx.names.person()
            writers[cm.author] = name.upper() if upper else name
        cm.author = writers[cm.author]
    p_withheld = r.u(0.02, 0.1) if plat in ("letters", "views") and r.p(0.4) else 0.0
    p_date = {"letters": 0.35, "views": 0.75, "hys": 0.95}.get(plat, 0.0)
    date_tpl = r.w(S["dates"][plat]) if r.p(p_date) else None
    date_at = r.w([("after", 6), ("before", 2), ("joined", 2 if "\n" not in name_tpl and plat in ("letters", "views") else 0)])
    date_sep = r.c((", ", " | ", " · ", " — "))
    sign_tag = r.c(("p", "p", "div", "address"))
    name_tag = r.c(("strong", "b", None, None)) if plat != "answers" else None
    link_names = plat == "answers" and r.p(0.6)
    # the text: headlines, the NYT-like 'Re “Title” (news article, March 1):' lead, Yahoo's 'Source(s):'
    heads = {"letters": [("each", 5), ("groups", 2), ("none", 3)], "views": [("each", 2), ("none", 5)]}.get(plat, [("none", 1)])
    head_mode = r.w(heads)
    p_headline = r.u(0.8, 1.0)
    head_tag = r.c(("h3", "h4", "h2", "strong"))
    lifted_p = r.u(0.0, 0.5)
    p_re = r.u(0.3, 0.7) if plat == "letters" and r.p(0.2) else 0.0
    p_source = r.u(0.05, 0.3) if plat == "answers" and r.p(0.6) else 0.0
    A = S["answers"]
    E = S["editor"]
    p_editor = {"letters": r.u(0.04, 0.2) if r.p(0.4) else 0.0, "views": r.u(0.03, 0.1) if r.p(0.2) else 0.0}.get(plat, 0.0)
    editor_lead = r.p(0.6)
    rule = r.c(S["rules"]) if plat == "letters" and r.p(0.2) else None
    view_act = r.c(S["actions"]["views"]) if plat == "views" and r.p(0.4) else None
    hys_acts = sorted(r.sample(range(len(S["actions"]["hys"])), r.i(0, 3))) if plat == "hys" else []
    thumbs = r.c(A["thumbs"]) if r.p(0.85) else None
    ans_acts = r.c(A["actions"]) if r.p(0.8) else None
    best = r.c(A["best"]) if plat == "answers" and r.p(0.5) else None

    def headline(cm: _Cm) -> str | None:
        if head_mode != "each" or not r.p(p_headline):
            return None
        first, *rest = _SENT.split(cm.paras[0], 1) if cm.paras else [""]
        if r.p(lifted_p) and 12 <= len(first) <= 70 and first.endswith((".", "!", "?")) and rest:
            return first.rstrip(".").rstrip()  # the editors lift a line of the letter
        return _fmt(r.c(S["headlines"]), ent=r.c(ctx.ents[:4]))  # the article's main names

    def name_el(cm: _Cm):
        if link_names:
            return ctx.a(cm.author, "/activity/" + re.sub(r"[^a-z0-9]+", "-", cm.author.lower()), cls="user-name")
        return (name_tag, {}, cm.author) if name_tag else cm.author

    def signoff(cm: _Cm) -> list:
        place = place_of.setdefault(cm.author, r.c(places))
        if r.p(p_withheld):
            cm.shows_author = False
            parts: list = [_fmt(r.c(S["withheld"]), place=place)]
        else:
            when = _relative((ctx.now - cm.dt).total_seconds(), ctx.loc.cal, 0)
            parts = _sign_fill(ctx, name_tpl, cm, dates, name_el(cm), ampm, place=place, when=when, lv=r.i(1, 7))
        lines = [parts]
        if date_tpl is not None:
            date = _sign_fill(ctx, date_tpl, cm, dates, None, ampm)
            if date_at == "joined":
                lines = [parts + [date_sep] + date]
            else:
                lines = [date, parts] if date_at == "before" else [parts, date]
        return [ctx.L(HEAD, *p, tag=sign_tag, cls="letter-author" if k == len(lines) - 1 else "letter-date", cm=cm) for k, p in enumerate(lines)]

    def after(cm: _Cm, first: bool) -> list:
        out: list = []
        if plat == "views" and view_act and (cm.votes or "people" not in view_act):
            out.append(ctx.L(FURN, _fmt(view_act, n=cm.votes), tag="div", cls="actions"))
        for j in hys_acts:
            t = S["actions"]["hys"][j]
            if "{n}" in t and not cm.votes:
                continue
            if t == "Editors' pick" and not r.p(0.1):
                continue
            out.append(ctx.L(FURN, _fmt(t, n=cm.votes).replace("by 1 people", "by 1 person"), tag="div", cls="hys-action"))
        if plat == "answers":
            if first and best and r.p(0.3):
                out.append(ctx.L(FURN, r.c(A["asker"]), tag="div", cls="asker-rating"))
            if thumbs:
                out.append(ctx.L(FURN, _fmt(thumbs, up=cm.votes, down=int(r.u(0, 1) ** 3 * (cm.votes + 2))), tag="div", cls="thumbs"))
            if ans_acts:
                out.append(ctx.L(FURN, ans_acts, tag="div", cls="answer-actions"))
        return out

    def editor_note(letter: _Cm) -> _Box:
        note = _fmt(r.c(E["notes"]), ent=r.c(ctx.ents))
        cm = _Cm(paras=[], author=None, dt=min(ctx.now, letter.dt + _dt.timedelta(hours=r.i(1, 72))), parent=letter,
                 shows_author=False, reply_shown=True)
        if editor_lead:
            cm.paras = [r.c(E["leads"]) + note]
            line = ctx.L(CTEXT, ("em", {}, cm.paras[0]), tag="p", cls="editor-note", cm=cm)
        else:  # signed '— Ed.': the sign is not part of the text, and names no one
            cm.paras = [note]
            line = ctx.L(CTEXT, ("em", {}, note), r.c(E["signs"]), tag="p", cls="editor-note", cm=cm)
        return ctx.X("div", "editor-reply", [line], nest=1)

    def letter(cm: _Cm, first: bool) -> list:
        parts: list = []
        if first and best:
            parts.append(ctx.L(FURN, best, tag="div", cls="best-answer"))
        title = headline(cm)
        if cm.paras and r.p(p_re):
            kind, day = r.c(S["re_kinds"]), _fill_date("{B} {d}", ctx.published, ctx.loc.cal)[0]
            cm.paras[0] = _fmt(r.c(S["re_leads"]), title=ctx.title or r.c(ctx.others), kind=kind, when=day) + " " + cm.paras[0]
        if r.p(p_source):
            src = _fmt(r.c(A["source_texts"]), ent=r.c(ctx.ents), slug=r.c(ctx.ents).replace(" ", "_"))
            cm.paras = cm.paras + [_fmt(r.c(A["sources"]), src=src)]
        if title:
            parts.append(ctx.L(CTEXT, ("strong", {}, title) if head_tag == "strong" else title,
                               tag="p" if head_tag == "strong" else head_tag, cls="letter-headline", cm=cm))
        parts += _ctext(ctx, cm, br=0.15)
        if title:
            cm.paras = [title] + cm.paras  # the headline leads the letter's text
        parts += signoff(cm)
        parts += after(cm, first)
        box: list = [ctx.X("article" if plat in ("letters", "views") else "div", "letter" if plat == "letters" else "comment", parts)]
        if r.p(p_editor):
            box.append(editor_note(cm))
        return box

    if plat == "hys":
        shown = sorted(cms, key=lambda c: c.dt, reverse=True) if r.p(0.6) else sorted(cms, key=lambda c: -c.votes)
    elif plat == "answers":
        shown = sorted(cms, key=lambda c: -c.votes) if r.p(0.7) else list(cms)
    else:
        shown = r.shuffle(list(cms)) if r.p(0.5) else list(cms)
    kw = {"n": len(cms), "k": min(len(cms), 20), "pages": len(cms) // 20 + 1, "more": r.i(1, 30), "ent": r.c(ctx.ents), "title": ctx.title or r.c(ctx.others), "domain": ctx.domain, "site": ctx.site}
    kids: list = []
    if r.p(0.9):
        kids.append(ctx.L(FURN, _fmt(r.c(S["headings"][plat]), **kw), tag=r.c(("h2", "h3", "div")), cls="letters-heading"))
    if r.p(0.4):
        kids.append(ctx.L(FURN, _fmt(r.c(S["intros"][plat]), **kw), tag="p", cls="letters-intro"))
    if not cms and plat != "letters":
        kids.append(ctx.L(FURN, ctx.fl("zero"), tag="p"))
    groups: list[list[_Cm]] = [shown]
    if head_mode == "groups" and len(shown) >= 4:  # one heading over two or more letters on one subject
        n_groups = r.i(2, min(3, len(shown) // 2))
        cuts = sorted(r.sample(range(2, len(shown) - 1), n_groups - 1)) if n_groups > 1 else []
        cuts = [c for k, c in enumerate(cuts) if c - ([0] + cuts)[k] >= 2 and len(shown) - c >= 2]
        groups = [shown[a:b] for a, b in zip([0] + cuts, cuts + [len(shown)])]
    k = 0
    for g, group in enumerate(groups):
        items: list = []
        if head_mode == "groups" and len(group) >= 2:
            items.append(ctx.L(FURN, _fmt(r.c(S["group_headings"]), **dict(kw, ent=r.c(ctx.ents))), tag="h3", cls="letters-topic"))
        for j, cm in enumerate(group):
            ad = _maybe_ad(ctx, k, 0.1)
            if ad is not None:
                items.append(ad)
            if rule and j:
                items.append(ctx.L(FURN, rule, tag="div", cls="separator"))
            items += letter(cm, k == 0)
            k += 1
        kids.append(ctx.X("div", "letters-group", items))
    for t in r.sample(S["footers"][plat], r.i(0, 2)):
        kids.append(ctx.L(FURN, _fmt(t, **kw), tag=r.c(("p", "div", "a")), cls="letters-footer"))
    if plat in ("views", "hys") and r.p(0.3):
        kids.append(_form(ctx))
    return _section(ctx, kids, "letters" if plat == "letters" else "comments", tag="div")


def _fam_signed(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    S = _res("layouts")["signed"]
    style = r.w(S["styles"])
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, nested=5, indicator=4, flat=3)
    order = _thread(ctx, cms, mode, max_depth=r.i(1, 4), newest_first=style == "guestbook" and r.p(0.6))
    p_short = r.u(0.1, 0.4) if r.p(0.5) else 0.0
    shown: dict = {}
    for cm in cms:  # after _thread, which may give a reply its grandparent's author
        cm.author = shown.setdefault(cm.author, _sign_name(cm.author, r, p_short))
    ampm = r.i(0, 2)
    datetimes = [t for t in ctx.loc.dates["datetime"] if not t.startswith("{HH}:{MM}, ")]  # not a wiki talk page's stamp

    def date_set() -> dict:
        return {"date": r.c(ctx.loc.dates["date"]), "datetime": r.c(datetimes), "time": r.c(ctx.loc.dates["time"])}

    typed = r.p(S["typed_share"][style])
    page_sig = (r.w(S["generated"][style]), date_set())
    sigs: dict = {}
    places: dict = {}

    def sig_of(cm: _Cm) -> tuple:
        if cm.author not in sigs:
            sigs[cm.author] = (r.w(S["typed"]), date_set()) if typed else page_sig
            if "{place}" in sigs[cm.author][0] and " in " in cm.author:  # 'Jane in Toronto' signs without a place
                sigs[cm.author] = (" — {name}", sigs[cm.author][1])
        return sigs[cm.author]

    p_alone = r.w([(0.0, 5), (r.u(0.02, 0.2), 4), (r.u(0.5, 1.0), 1)])
    p_unsigned = r.u(0.03, 0.2) if r.p(0.5) else 0.0
    kind: dict = {}
    for cm in cms:
        k = "none" if r.p(p_unsigned) else "alone" if r.p(p_alone) else "inline"
        if not cm.paras:
            k = "alone"  # a signature with nothing above it
        kind[id(cm)] = k
        cm.shows_author = k != "none"
    p_at = r.u(0.1, 0.4) if mode == "nested" else r.u(0.5, 1.0)
    lead_tpl = r.c(S["reply_prefixes"])
    for cm in order:  # '@Ann' / 'Re: Ann -' start a reply's text
        parent, addressed = cm.parent, False
        if (parent is not None and kind[id(parent)] != "none" and parent.author != cm.author and cm.paras
                and r.p(p_at)):
            cm.paras[0] = _fmt(lead_tpl, name=parent.author) + cm.paras[0]
            addressed = True
        if mode != "nested":
            cm.reply_shown = addressed
    sig_tag = r.c(("span", "i", "em", "small", "b", None))  # None: plain text at the end of the paragraph
    sig_cls = r.c(("signature", "sig", "comment-author", "byline"))
    link_names = not typed and r.p(0.4)
    br = r.p(0.2)
    p_tag = r.c(("p", "p", "div"))
    sep = r.w([("none", 4), ("rule", 2), ("actions", 2), ("permalink", 1), ("number", 1)])
    sep_text = {"rule": S["rules"], "actions": S["actions"], "permalink": S["permalinks"], "number": S["numbers"]}
    sep_tpl = r.c(sep_text[sep]) if sep != "none" else ""

    def signature(cm: _Cm, alone: bool) -> list:
        tpl, dates = sig_of(cm)
        body = tpl.lstrip()
        slug = re.sub(r"[^a-z0-9]+", "-", cm.author.lower()).strip("-") or "guest"
        name = ctx.a(cm.author, f"/users/{slug}") if link_names else cm.author
        place = places.setdefault(cm.author, r.c(S["places"]))
        parts = _sign_fill(ctx, body, cm, dates, name, ampm, place=place)
        if alone:
            return parts
        lead = tpl[: len(tpl) - len(body)]
        return [lead, (sig_tag, {"class": ctx.c(sig_cls)}, parts)] if sig_tag else [lead, *parts]

    def lines_of(cm: _Cm, num: int) -> list:
        k = kind[id(cm)]
        out: list = []
        if sep == "number":
            out.append(ctx.L(FURN, _fmt(sep_tpl, n=num), tag="div", cls="comment-number"))
        paras = ["\n\n".join(cm.paras)] if br and len(cm.paras) > 1 else cm.paras
        for j, para in enumerate(paras):
            parts: list = [para]
            if j == len(paras) - 1 and k == "inline":
                parts += signature(cm, False)
            out.append(ctx.L(CTEXT, *parts, tag=p_tag, cls="comment-text", cm=cm))
        if k == "alone":
            out.append(ctx.L(HEAD, *signature(cm, True), tag=r.c(("p", "div")), cls=sig_cls, cm=cm))
        if sep in ("rule", "actions", "permalink"):
            out.append(ctx.L(FURN, ctx.a(sep_tpl) if sep == "permalink" else sep_tpl, tag="div", cls="comment-" + sep))
        return out

    count = [0]

    def item(cm: _Cm) -> _Box:
        count[0] += 1
        box: list = [ctx.X("div", "comment-body", lines_of(cm, count[0]))]
        if mode == "nested" and cm.kids:
            box.append(ctx.X("ul" if r.p(0.5) else "div", "children", [item(c) for c in cm.kids], nest=1))
        return ctx.X("li" if style != "board" else "div", "comment", box, id=f"c{r.i(10**4, 10**7)}")

    roots = [c for c in order if c.parent is None] if mode == "nested" else order
    kw = {"n": len(cms), "title": ctx.title or r.c(ctx.others)}
    kids: list = []
    if r.p(0.8):
        kids.append(ctx.L(FURN, _fmt(r.c(S["headings"][style]), **kw), tag=r.c(("h2", "h3", "h4", "div")), cls="comments-title"))
    if style == "guestbook" and r.p(0.3):
        kids.append(ctx.L(FURN, ctx.a(S["closings"]["guestbook"][0]), tag="div", cls="sign-link"))
    if not cms and r.p(0.6):
        kids.append(ctx.L(FURN, ctx.fl("zero"), tag="p"))
    lst = _with_ads(ctx, roots, 0.1, item)
    if lst:
        kids.append(ctx.X("ol" if style != "board" else "div", "commentlist", lst))
    if style == "blog" and r.p(0.4):
        kids.append(_form(ctx))
    elif r.p(0.6):
        kids.append(ctx.L(FURN, r.c(S["closings"][style]), tag=r.c(("p", "div", "a")), cls="comments-closing"))
    return _section(ctx, kids, "comments", id=ctx.c("comments"))


def _fam_twoline(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, nested=5, indicator=2, flat=4)
    order = _thread(ctx, cms, mode, max_depth=r.i(1, 4))
    name_tpl = r.w(_T("twoline", "name"))
    date_tpl = r.w(_T("twoline", "date"))
    date_first = r.p(0.2)
    body_ind = 1 if r.p(0.3) else 0
    places: dict = {}
    act = r.p(0.45)
    kids: list = []
    if r.p(0.6):
        kids.append(_count_line(ctx, len(cms)))

    def one(cm: _Cm) -> _Box:
        place = places.setdefault(cm.author, r.c(_res("names")["places"]))
        nt = name_tpl.replace("{PLACE}", place.upper()).replace("{place}", place)
        name = ctx.a(cm.author, "#") if r.p(0.4) else ctx.span(cm.author, "name", tag="strong")
        nl = ctx.L(HEAD, *_hdr(ctx, nt, cm, name=name), tag=ctx.pick("name_tag", ("div", "span", "h4", "p")), cls="comment-author", cm=cm)
        dl = ctx.L(HEAD, *_hdr(ctx, date_tpl, cm), tag=ctx.pick("date_tag", ("div", "span", "small")), cls="comment-date", cm=cm)
        parts: list = [dl, nl] if date_first else [nl, dl]
        ind = _indicate(ctx, cm, 0.35) if mode == "indicator" else None
        if ind is not None:
            parts.append(ind)
        parts += _ctext(ctx, cm, ind=body_ind, box="div", box_cls="comment-text")
        if act:
            parts.append(ctx.L(FURN, ctx.fl("reply", name=cm.author), tag="a", cls="reply", ind=body_ind))
        items = [ctx.X("div", "comment-body", parts)]
        if mode == "nested" and cm.kids:
            items.append(ctx.X("ul", "children", [one(c) for c in cm.kids], nest=1))
        return ctx.X("li", "comment", items)

    roots = [c for c in order if c.parent is None] if mode == "nested" else order
    kids.append(ctx.X("ol", "commentlist", [one(c) for c in roots]))
    if r.p(0.5):
        kids.append(_form(ctx))
    return _section(ctx, kids, "comments")


def _fam_facebook(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, nested=6, indicator=3, flat=1)
    order = _thread(ctx, cms, mode, max_depth=1, newest_first=r.p(0.3))
    when = _When(ctx, [("relative", 1)])
    when.pick = r.c((3, 3, 0))
    aff_p = r.u(0, 0.5)
    affs: dict = {}
    names = _res("names")
    act_style = r.w([("dots", 5), ("spaces", 2), ("lines", 1)])
    kids: list = []
    head = [ctx.fl("count", n=len(cms)) if cms else ctx.fl("zero"), ctx.sy("facebook", "sort"), ctx.sy("facebook", "orders")]
    if r.p(0.5):
        kids.append(ctx.L(FURN, " ".join(head[:1]), tag="span"))
        kids.append(ctx.L(FURN, " ".join(head[1:]), tag="div"))
    else:
        kids += [ctx.L(FURN, h, tag="span") for h in head]
    kids.append(ctx.L(FURN, ctx.sy("facebook", "add"), tag="div", cls="UFIAddComment"))
    if r.p(0.3):
        kids.append(ctx.L(FURN, ctx.sy("facebook", "posting_as", name=ctx.names.new()), tag="div"))
        kids.append(ctx.L(FURN, ctx.sy("facebook", "post"), tag="button"))

    def affiliation(author: str) -> str:
        t = r.c(names["affiliations"])
        return _fmt(t, org=r.c(names["orgs"]), role=r.c(names["roles"]), school=r.c(names["schools"]), place=r.c(names["places"]))

    def one(cm: _Cm) -> _Box:
        parts: list = [ctx.img("img UFIActorImage")]
        badge = [" · ", ctx.span(ctx.sy("facebook", "badges", vary=True), "badge")] if r.p(0.05) else []
        parts.append(ctx.L(HEAD, ctx.a(cm.author, "https://www.facebook.com/profile.php?id=" + str(r.i(10**9, 10**10)), cls="UFICommentActorName"), *badge, tag="span", cls="_2uma", cm=cm))
        if r.p(aff_p):
            parts.append(ctx.L(HEAD, affs.setdefault(cm.author, affiliation(cm.author)), tag="div", cls="_3-8w", cm=cm))
        if mode == "indicator" and cm.parent is not None and cm.parent.author:
            prefix = cm.parent.author + " " if r.p(0.6) else f"@{cm.parent.author} "
            cm.paras = [prefix + (cm.paras[0] if cm.paras else "")] + cm.paras[1:]
            cm.paras[0] = cm.paras[0].strip()
            cm.reply_shown = True
        parts += _ctext(ctx, cm, tag="span", cls="_5mdd", br=0.6)
        t = ctx.when(cm, when)
        likes = str(cm.votes) if cm.votes and r.p(0.6) else ""
        items = [ctx.sy("facebook", "like"), ctx.sy("facebook", "reply")] + ([likes] if likes else []) + [t]
        if act_style == "dots":
            parts.append(ctx.L(FURN, " · ".join(items), tag="div", cls="_2vq9"))
        elif act_style == "spaces":
            parts.append(ctx.L(FURN, " ".join(items), tag="div", cls="_2vq9"))
        else:
            parts.append(ctx.X("div", "_2vq9", [ctx.L(FURN, it, tag="span") for it in items]))
        items_box: list = [ctx.X("div", "_3-8y", parts)]
        if mode == "nested" and cm.kids:
            shown = cm.kids
            reps: list = [one(c) for c in shown]
            if r.p(0.2):
                reps.append(ctx.L(FURN, ctx.sy("facebook", "more_replies", n=r.i(2, 30)), tag="a"))
            items_box.append(ctx.X("div", "_44ri", reps, nest=1))
        return ctx.X("div", "_3-8y _5nz1", items_box)

    roots = [c for c in order if c.parent is None] if mode == "nested" else order
    kids.append(ctx.X("div", "_4k-6", [one(c) for c in roots]))
    if len(cms) > 8 and r.p(0.5):
        kids.append(ctx.L(FURN, ctx.sy("facebook", "load"), tag="button"))
    if r.p(0.7):
        kids.append(ctx.L(FURN, ctx.sy("facebook", "plugin"), tag="div", cls="_5lm5"))
    return _section(ctx, [ctx.X("div", "fb-comments", kids, data_href=f"https://{ctx.domain}/")], "fb-comments-wrap", tag="div")


def _fam_guardian(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, nested=7, indicator=0, flat=3)
    order = _thread(ctx, cms, mode, max_depth=8)
    when = _When(ctx, [("datetime", 8), ("relative", 2)])
    if when.kind == "datetime" and ctx.loc.lang == "en":
        when.tpl = r.c(_T("guardian", "dates_en"))
    rec_style = r.w([("inline", 3), ("split", 2), ("num", 1)])
    kids: list = []
    kids.append(ctx.L(FURN, ctx.sy("guardian", "count", n=len(cms)), tag="h2"))
    for key in r.sample(["signin", "sort", "per_page", "threads", "loading", "open_for", "avatars"], r.i(1, 4)):
        kids.append(ctx.L(FURN, ctx.sy("guardian", key), tag=r.c(("div", "span", "p"))))

    def one(cm: _Cm, responses_parent: _Cm | None) -> _Box:
        meta: list = [ctx.L(HEAD, ctx.a(cm.author, f"/profile/{re.sub(r'[^a-z0-9]', '', cm.author.lower())}"), tag="span", cls="d-comment__author", cm=cm)]
        if r.p(0.04):
            meta.append(ctx.L(FURN, ctx.sy("guardian", "staff", vary=True), tag="span", cls="d-comment__staff"))
        if responses_parent is not None and cm.parent is not None and (cm.parent is not responses_parent or r.p(0.5)):
            meta.append(ctx.L(FURN, ctx.pick("g_reply", _T("guardian", "reply_to")) + cm.parent.author, tag="span", cls="d-comment__reply-to-author"))
            cm.reply_shown = True
        meta.append(ctx.L(HEAD, ctx.a(ctx.when(cm, when), "#comment-" + str(r.i(10**7, 10**8)), cls="d-comment__timestamp"), tag="div", cls="d-comment__timestamp", cm=cm))
        parts: list = [ctx.X("div", "d-comment__meta", meta)]
        parts += _ctext(ctx, cm, box="div", box_cls="d-comment__body")
        acts: list = []
        if rec_style == "inline":
            acts.append(ctx.L(FURN, f"{ctx.sy('guardian', 'recommend')} {cm.votes}", tag="div", cls="d-comment__recommend"))
        elif rec_style == "split":
            acts.append(ctx.L(FURN, str(cm.votes), tag="span", cls="d-comment__recommend-count"))
            acts.append(ctx.L(FURN, ctx.sy("guardian", "recommend"), tag="span"))
        else:
            acts.append(ctx.L(FURN, str(cm.votes), tag="span"))
        for key in ctx.pick("g_acts", [r.sample(["reply", "report", "share", "pick", "social"], r.i(1, 3)) for _ in range(1)]):
            acts.append(ctx.L(FURN, ctx.sy("guardian", key), tag="button"))
        parts.append(ctx.X("div", "d-comment__actions", acts))
        return ctx.X("li", "d-comment", [ctx.X("div", "d-comment__inner", parts)])

    items: list = []
    if mode == "nested":
        for root in [c for c in order if c.parent is None]:
            desc = _descendants(root)
            box = [one(root, None)]
            if desc:
                resp = [one(c, root) for c in desc]
                if r.p(0.2):
                    resp.append(ctx.L(FURN, ctx.sy("guardian", "more_replies", n=r.i(1, 20)), tag="button"))
                box.append(ctx.X("ul", "d-thread--responses", resp, nest=1))
            items.append(ctx.X("li", "d-thread__item", box))
    else:
        items = [one(c, None) for c in order]
    kids.append(ctx.X("ul", "d-thread d-thread--comments", items))
    if len(cms) > 10 and r.p(0.5):
        kids.append(ctx.L(FURN, ctx.sy("guardian", "view_more"), tag="button"))
    if r.p(0.15):
        kids.append(ctx.L(FURN, ctx.sy("guardian", "closed"), tag="p"))
    return _section(ctx, kids, "discussion", tag="div", id=ctx.c("comments"))


def _fam_numbered(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, indicator=5, flat=5)
    order = _thread(ctx, cms, mode, max_depth=1)
    offset = 0 if r.p(0.8) else r.c((20, 50))
    tpl = r.c(_T("numbered", "header"))
    split_num = r.p(0.2)
    ref_tpl = r.w(_T("numbered", "reply_refs"))
    act = r.p(0.5)
    nums: dict = {}
    kids: list = []
    if r.p(0.7):
        kids.append(_count_line(ctx, len(cms)))
    lst: list = []
    for k, cm in enumerate(order):
        num = offset + k + 1
        nums[id(cm)] = num
        t = tpl.replace("{k}", str(num))
        if "says:" in t:
            t = t.replace("says:", r.c(ctx.loc.fl("says")))
        parts: list = []
        if split_num:
            t = re.sub(r"^#?\d+[.)]?\s*(\|\s*)?(-\s*)?", "", t)
            parts.append(ctx.L(FURN, _fmt(ctx.pick("num_fmt", _T("numbered", "number")), n=num), tag="span", cls="comment-number"))
        parts.append(ctx.L(HEAD, *_hdr(ctx, t, cm, name=ctx.span(cm.author, "author", tag="strong")), tag="div", cls="comment-head", cm=cm))
        if mode == "indicator" and cm.parent is not None:
            pn = nums.get(id(cm.parent))
            prefix = _fmt(ref_tpl, k=pn, name=cm.parent.author)
            cm.paras = [prefix + (cm.paras[0] if cm.paras else "")] + cm.paras[1:]
            cm.paras[0] = cm.paras[0].strip()
            cm.reply_shown = True
        parts += _ctext(ctx, cm, box="div", box_cls="comment-text")
        if act:
            keys = ctx.pick("n_acts", [r.sample(["report", "permalink", "reply", "like"], r.i(1, 3))])
            parts.append(_actions(ctx, [ctx.fl(k, name=cm.author) for k in keys]))
        ad = _maybe_ad(ctx, k, 0.12)
        if ad is not None:
            lst.append(ad)
        lst.append(ctx.X("li" if r.p(0.5) else "div", "comment", parts))
    kids.append(ctx.X("div", "comment-list", lst))
    if r.p(0.5):
        kids.append(_form(ctx))
    return _section(ctx, kids, "comments")


def _fam_headerless(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    sep = r.w([("blank", 4), ("links", 3), ("rule", 1), ("likes", 1), ("numbers", 1)])
    rule = r.c(_T("headerless", "rules"))
    kids: list = []
    if r.p(0.6):
        kids.append(ctx.L(FURN, ctx.fl(r.c(("comments_heading", "count"))), tag="h3"))
    lst: list = []
    for k, cm in enumerate(cms):
        cm.shows_author = False
        if sep == "blank" and len(cm.paras) > 1:
            cm.paras = [" ".join(cm.paras)]
        parts: list = []
        if sep == "numbers":
            parts.append(ctx.L(FURN, _fmt(ctx.pick("num_fmt", _T("headerless", "number")), n=k + 1), tag="span"))
        parts += _ctext(ctx, cm, br=0.3)
        if r.p(0.04) and cm.author:
            parts.append(ctx.L(HEAD, _fmt(r.c(_res("comments")["signoffs"]), name=cm.author), tag="p", cls="signature", cm=cm))
            cm.shows_author = True
        if sep == "links":
            keys = ctx.pick("h_acts", [r.sample(["reply", "report", "like"], r.i(1, 2))])
            parts.append(_actions(ctx, [ctx.fl(k, name="").strip() for k in keys]))
        elif sep == "rule":
            parts.append(ctx.L(FURN, rule, tag="div", cls="sep"))
        elif sep == "likes":
            parts.append(ctx.L(FURN, _votes(ctx, cm), tag="div", cls="likes"))
        lst.append(ctx.X("div", "comment", parts, gap=1 if sep == "blank" else None))
    kids.append(ctx.X("div", "comments", lst))
    if r.p(0.4):
        kids.append(_form(ctx))
    return _section(ctx, kids, "comments-section")


def _fam_inline(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, nested=2, indicator=3, flat=5)
    order = _thread(ctx, cms, mode, max_depth=3)
    joiner = r.c(_T("inline", "joiners"))
    bracket = r.p(0.1)
    name_tag = r.c(("strong", "b", "span", "a"))
    after = r.w([("none", 6), ("date", 3), ("actions", 2)])
    after_tpl = r.c(_T("inline", "after"))
    kids: list = []
    if r.p(0.6):
        kids.append(_count_line(ctx, len(cms)))

    def one(cm: _Cm) -> _Box:
        if mode == "indicator" and cm.parent is not None:
            _reply_prefix(ctx, cm)
        name_el = (name_tag, {"class": ctx.c("commenter")} if name_tag != "a" else {"href": "#"}, f"<{cm.author}>" if bracket else cm.author)
        first = [name_el, " " if bracket else joiner, cm.paras[0]]
        parts: list = [ctx.L(CTEXT, *first, tag="p", cm=cm)]
        parts += [ctx.L(CTEXT, p, tag="p", cm=cm) for p in cm.paras[1:]]
        if after == "date":
            parts.append(ctx.L(HEAD, *_hdr(ctx, after_tpl, cm), tag="small", cls="date", cm=cm))
        elif after == "actions":
            parts.append(_actions(ctx, [ctx.fl("reply", name=cm.author), ctx.fl("report")]))
        items = [ctx.X("div", "comment", parts)]
        if mode == "nested" and cm.kids:
            items.append(ctx.X("div", "replies", [one(c) for c in cm.kids], nest=1))
        return ctx.X("div", "comment-wrap", items)

    roots = [c for c in order if c.parent is None] if mode == "nested" else order
    kids.append(ctx.X("div", "comment-stream", [one(c) for c in roots]))
    if r.p(0.4):
        kids.append(_form(ctx))
    return _section(ctx, kids, "comments")


def _fam_localized(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, nested=4, indicator=3, flat=3)
    order = _thread(ctx, cms, mode, max_depth=r.i(1, 4), newest_first=r.p(0.2))
    hstyle = r.w([("oneline", 5), ("two", 3), ("footer", 2)])
    tpl = r.c(ctx.loc.fl("header_oneline")) if hstyle != "footer" else r.c(ctx.loc.fl("posted_footer"))
    if "{n}" in tpl:
        tpl = tpl.replace("#{n} ", "")
    when_tpl = r.c(_T("localized", "when"))
    acts = r.sample(["reply", "report", "like", "votes", "share", "permalink"], r.i(0, 3))
    kids: list = []
    if r.p(0.75):
        kids.append(_count_line(ctx, len(cms)) if r.p(0.6) else ctx.L(FURN, ctx.fl("comments_heading"), tag="h2"))
    if r.p(0.35):
        kids.append(ctx.L(FURN, ctx.fl("sort"), tag="div"))
    if r.p(0.25):
        kids.append(_form(ctx))

    def one(cm: _Cm) -> _Box:
        parts: list = []
        name = ctx.span(cm.author, "user", tag=ctx.pick("name_tag", ("b", "strong", "a", "span")))
        if hstyle == "oneline":
            parts.append(ctx.L(HEAD, *_hdr(ctx, tpl, cm, name=name), tag="div", cls="kommentar-kopf", cm=cm))
        elif hstyle == "two":
            parts.append(ctx.L(HEAD, name, tag="div", cls="autor", cm=cm))
            parts.append(ctx.L(HEAD, *_hdr(ctx, when_tpl, cm), tag="div", cls="datum", cm=cm))
        ind = _indicate(ctx, cm, 0.5) if mode == "indicator" else None
        if ind is not None:
            parts.append(ind)
        parts += _ctext(ctx, cm, box="div", box_cls="kommentar-text")
        if hstyle == "footer":
            parts.append(ctx.L(HEAD, *_hdr(ctx, tpl, cm, name=name), tag="div", cls="kommentar-fuss", cm=cm))
        if acts:
            items = [_votes(ctx, cm) if a == "votes" else ctx.fl(a, name=cm.author) for a in acts]
            parts.append(_actions(ctx, items))
        box = [ctx.X("div", "kommentar", parts)]
        if mode == "nested" and cm.kids:
            box.append(ctx.X("div", "antworten", [one(c) for c in cm.kids], nest=1))
        return ctx.X("article", "comment", box)

    roots = [c for c in order if c.parent is None] if mode == "nested" else order
    lst = _with_ads(ctx, roots, 0.15, one)
    kids.append(ctx.X("div", "kommentare", lst))
    if len(cms) > 10 and r.p(0.5):
        kids.append(ctx.L(FURN, ctx.fl(r.c(("load_more", "pagination")), n=r.i(2, 9)), tag="button"))
    if r.p(0.5):
        kids.append(_form(ctx))
    return _section(ctx, kids, "comments")


def _fam_smf(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, indicator=5, flat=5)
    order = _thread(ctx, cms, mode, max_depth=1)
    j = r.i(0, len(_T("smf", "posted")) - 1)
    posted_tpl, first_tpl = _T("smf", "posted")[j], _T("smf", "first_posted")[j]
    subject = ctx.chance("smf_subject", 0.7)
    extras = sorted(r.sample(range(len(_T("smf", "extras"))), r.i(0, 3)))
    info = sorted(r.sample(range(4), r.i(0, 3)))
    acts = sorted(r.sample(range(len(_T("smf", "actions"))), r.i(1, 4)))
    offset = 0 if r.p(0.75) else r.c((15, 20, 30))
    stats: dict = {}
    kids: list = []
    for key in r.sample(["page", "post_reply"], r.i(0, 2)):
        kids.append(ctx.L(FURN, ctx.sy("forum", key, n=max(1, len(cms) // 20 + 1), k=len(cms)), tag="div", cls="pagelinks"))
    posts: list = []
    for k, cm in enumerate(order):
        num = offset + k
        st = stats.setdefault(cm.author, (ctx.sy("forum", "ranks", vary=True), r.i(1, 20000), cm.dt - _dt.timedelta(days=r.i(30, 4000)),
                                          r.c(_res("names")["places"]), r.i(0, 300), r.i(0, 40)))
        joined = _fill_date(ctx.pick("smf_joined", ctx.loc.dates["date"]), st[2], ctx.loc.cal)[0]
        poster = [ctx.L(HEAD, ctx.a(cm.author, f"index.php?action=profile;u={r.i(2, 99999)}"), tag="h4", cm=cm)]
        pool = [st[0], ctx.sy("forum", "posts", n=st[1]), ctx.sy("forum", "joined", date=joined), ctx.sy("forum", "location", place=st[3])]
        poster += [ctx.L(FURN, pool[i], tag="li") for i in info]
        poster += [ctx.L(FURN, _fmt(_T("smf", "extras")[i], n=st[4], m=st[5]), tag="li") for i in extras]
        head: list = []
        if subject:
            head.append(ctx.L(FURN, ctx.a(("Re: " if num else "") + (ctx.title or r.c(ctx.others)), f"#msg{r.i(10**4, 10**6)}"), tag="h5"))
        tpl = (posted_tpl if num else first_tpl).replace("{k}", str(num)).replace("{n}", str(num + 1))
        head.append(ctx.L(HEAD, *_hdr(ctx, tpl, cm), tag="div", cls="smalltext", cm=cm))
        if mode == "indicator" and cm.parent is not None and cm.parent.paras:
            qh = _fmt(ctx.sy("forum", "quote_head"), name=cm.parent.author,
                      date=_fill_date(ctx.pick("smf_quote_date", ctx.loc.dates["date"]), cm.parent.dt, ctx.loc.cal)[0])
            cm.paras = [qh, _truncate(cm.parent.paras[-1], r.i(60, 250))] + cm.paras
            cm.reply_shown = True
        body = _ctext(ctx, cm, tag="div", cls="inner", br=0.3)
        foot = _actions(ctx, [_T("smf", "actions")[i] for i in acts], "quickbuttons")
        post = ctx.X("div", "postarea", head + body + [foot])
        block = ctx.X("div", "poster", poster)
        posts.append(ctx.X("div", "windowbg", [block, post], id=f"msg{r.i(10**4, 10**6)}"))
        ad = _maybe_ad(ctx, k, 0.15)
        if ad is not None:
            posts.append(ad)
    kids.append(ctx.X("div", "forumposts", posts))
    if r.p(0.4):
        kids.append(_form(ctx))
    return _section(ctx, kids, "main_content", tag="div")


def _fam_widgets(ctx: _Ctx, pl: list) -> _Box | None:
    """A small main section in a simple style; the widgets themselves are added by render_page."""
    r = ctx.r
    if not pl and r.p(0.4):
        return None
    return r.c((_fam_pipe, _fam_twoline, _fam_numbered, _fam_footer))(ctx, pl)


def _fam_blogger(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    threaded = r.p(0.4)
    mode = _mode(ctx, nested=5, flat=1) if threaded else "flat"
    order = _thread(ctx, cms, mode, max_depth=1)
    when = _When(ctx, [("datetime", 7), ("date", 1), ("time", 2)])
    admin = ctx.names.new()
    for cm in cms:
        if r.p(0.1):
            cm.author = admin
    kids: list = [ctx.L(FURN, ctx.sy("blogger", "count", n=len(cms)) if cms else ctx.fl("zero"), tag="h4")]
    if not threaded:
        items: list = []
        for cm in order:
            name = ctx.a(cm.author, f"https://www.blogger.com/profile/{r.i(10**15, 10**16)}")
            said = ctx.sy("blogger", "said")
            items.append(ctx.L(HEAD, *[name if p == "{name}" else p for p in re.split(r"(\{name\})", said) if p], tag="dt", cls="comment-author", cm=cm))
            if cm.paras:
                items.append(ctx.L(CTEXT, "\n\n".join(cm.paras) if r.p(0.6) else "\n".join(cm.paras), tag="dd", cls="comment-body", cm=cm))
            foot = [ctx.span(ctx.a(ctx.when(cm, when), f"#c{r.i(10**15, 10**16)}"), "comment-timestamp")]
            if r.p(0.5):
                items.append(ctx.L(HEAD, *foot, tag="dd", cls="comment-footer", cm=cm))
                items.append(ctx.L(FURN, ctx.sy("blogger", "delete"), tag="dd", cls="item-control"))
            else:
                items.append(ctx.L(HEAD, *foot, tag="dd", cls="comment-footer", cm=cm))
        kids.append(ctx.X("dl", "comments-block", items, id=ctx.c("comments-block")))
    else:
        def one(cm: _Cm) -> _Box:
            parts: list = [ctx.L(HEAD, ctx.a(cm.author, "#"), tag=ctx.pick("name_tag", ("cite", "div")), cls="user", cm=cm)]
            if cm.author == admin and r.p(0.5):
                parts.append(ctx.L(FURN, ctx.sy("blogger", "admin"), tag="span", cls="icon blog-author"))
            parts.append(ctx.L(HEAD, ctx.a(ctx.when(cm, when), "#"), tag="span", cls="datetime secondary-text", cm=cm))
            parts += _ctext(ctx, cm, box="p", box_cls="comment-content", br=1.0, tag="span")
            parts.append(_actions(ctx, [ctx.sy("blogger", "reply"), ctx.sy("blogger", "delete")], "comment-actions secondary-text"))
            box: list = [ctx.X("div", "comment-block", parts)]
            if mode == "nested" and cm.kids:
                box.append(ctx.X("div", "comment-replies", [ctx.L(FURN, ctx.sy("blogger", "replies"), tag="div", cls="thread-toggle"),
                                                              ctx.X("ol", "thread-chrome", [one(c) for c in cm.kids], nest=1),
                                                              ctx.L(FURN, ctx.sy("blogger", "reply"), tag="div", cls="continue")]))
            return ctx.X("li", "comment", box)

        roots = [c for c in order if c.parent is None] if mode == "nested" else order
        kids.append(ctx.X("ol", "comment-thread", [one(c) for c in roots]))
        if r.p(0.6):
            kids.append(_actions(ctx, [ctx.sy("blogger", "add"), ctx.sy("blogger", "load")], "loadmore"))
    form = [ctx.L(FURN, ctx.sy("blogger", "post"), tag="h4")]
    for key in r.sample(["comment_as", "select", "publish", "preview", "notify", "member"], r.i(1, 4)):
        form.append(ctx.L(FURN, ctx.sy("blogger", key), tag="div"))
    if r.p(0.85):
        kids.append(ctx.X("div", "comment-form", form))
    return _section(ctx, kids, "comments", tag="div", id=ctx.c("comments"))


# =========================================================================== families (train): live chats, labelled-field forms


def _live_times(ctx: _Ctx, cms: list[_Cm]) -> _dt.datetime:
    """Re-time ``cms`` as the messages of one live chat (a few minutes to three hours long); return its start."""
    r = ctx.r
    length = r.i(15, 180) * 60
    start = min(ctx.published + _dt.timedelta(minutes=r.i(0, 240)), ctx.now - _dt.timedelta(seconds=length + 60))
    for cm, s in zip(cms, sorted(r.i(5, length) for _ in cms)):
        cm.dt = start + _dt.timedelta(seconds=s)
    return start


def _stream_time(seconds: int) -> str:
    """A time into a stream as a chat replay shows it: '0:42', '12:03', '1:02:13'."""
    h, rest = divmod(max(0, seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _cut_words(text: str, n: int) -> str:
    """``text`` cut to at most ``n`` characters at a word boundary (a chat's message limit: nothing more was sent)."""
    if len(text) <= n:
        return text
    return text[: n + 1].rsplit(" ", 1)[0].rstrip() or text[:n]


def _wrap_words(text: str, first: int, width: int) -> list[str]:
    """``text`` wrapped at word boundaries: the first line at most ``first`` characters, the others ``width``."""
    lines: list[str] = []
    cur = ""
    for w in text.split():
        if cur and len(cur) + 1 + len(w) > (width if lines else first):
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    return lines + [cur] if cur else lines


def _tpl_parts(tpl: str, key: str, el) -> list:
    """``tpl`` split around ``{key}``, which becomes the inline element ``el``."""
    return [el if p == "{" + key + "}" else p for p in re.split("(\\{" + key + "\\})", tpl) if p]


def _fam_chat(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    start = _live_times(ctx, cms)
    style = r.w(_T("chat", "styles"))
    if style == "liveqa":
        return _chat_qa(ctx, cms, start)
    S = _T("chat", style)
    F = r.w(S["formats"])
    cal = ctx.loc.cal
    ampm = 1 if style == "youtube" else r.i(0, 2)
    clock = r.c(S["clock"])
    dated = r.c(S["dated"]) if S["dated"] else clock
    sep = r.c(F["sep"])
    chan = (_ascii_name(ctx.site, r, ("", "-")) or "news")[:20]
    kind = r.w(S["names"])
    people: dict = {}

    def shown(name: str) -> str:
        """A participant's name as this chat shows it."""
        if name not in people:
            handle = _ascii_name(name, r, ("", "_", ".")) or f"user{r.i(100, 99999)}"
            if kind == "display":
                people[name] = (re.sub(r"\W", "", name) or handle) if style == "twitch" else name  # Twitch: no spaces
            elif kind == "handle":  # YouTube's '@janedoe-x7y'
                people[name] = "@" + handle.replace(".", "")[:20] + r.c(("", str(r.i(1, 9999)), "-" + _ascii_name(ctx.names.person(), r, ("",))[:3]))
            elif kind == "login":
                people[name] = handle.replace(".", "_")[:25] + (str(r.i(1, 999)) if r.p(0.3) else "")
            else:  # an IRC nick
                people[name] = (handle.replace(".", "")[: r.i(4, 12)].rstrip("_") or "nick") + r.c(("", "", "", "_", "`", str(r.i(1, 99))))
        return people[name]

    owner = ctx.site if style in ("youtube", "twitch") else ctx.names.person()
    if style == "twitch":
        people[owner] = chan
    p_owner = r.u(0.0, 0.08) if style != "irc" else 0.0
    for cm in cms:
        if r.p(p_owner):
            cm.author = owner  # the channel / the page's own reporter joins in
        cm.author = shown(cm.author)
        text = " ".join(cm.paras)
        cm.paras = [_cut_words(text, S["max_chars"]) if S["max_chars"] else text] if text else []
    owner = shown(owner)
    pinned = cms[0] if cms and S.get("pinned") and r.p(0.15) else None
    if pinned is not None:
        pinned.author = owner  # the channel's (the host's) own message, pinned above the chat
    B = S.get("badges") or {}
    p_member = r.u(0.0, 0.35) if B and r.p(0.6) else 0.0
    badges: dict = {}

    def badge(name: str) -> str:
        if not F["badges"] or not B:
            return ""
        if name not in badges:
            if name == owner:
                badges[name] = ctx.pick("chat_owner", B["owner"])
            elif r.p(0.04):
                badges[name] = ctx.pick("chat_mod", B["mod"])
            elif r.p(0.03):
                badges[name] = ctx.pick("chat_verified", B["verified"])
            elif r.p(p_member):
                badges[name] = r.c(B["member"])
            else:
                badges[name] = ""
        return badges[name]

    modes: dict = {}
    p_mode = r.u(0.0, 0.2) if style == "irc" and "<" in F["n"] and r.p(0.4) else 0.0
    # replies: an "@name" (IRC: "name: ") at the start replies to that user's latest earlier message
    mention = r.w([("{name}: ", 4), ("{name}, ", 1), ("@{name} ", 1)]) if style == "irc" else "@{name} "
    p_reply = r.u(0.05, 0.35)
    latest: dict = {}
    for cm in cms:
        others = sorted((c for n, c in latest.items() if n != cm.author), key=lambda c: c.dt)
        if others and cm.paras and r.p(p_reply):
            par = others[max(0, len(others) - 1 - int(r.u(0, 1) ** 2 * len(others)))]
            cm.parent, cm.depth, cm.reply_shown = par, 1, True
            who = par.author
            prefix = f"{who} " if who.startswith("@") else _fmt(mention, name=who)
            cm.paras = [prefix + cm.paras[0]]
        latest[cm.author] = cm
    wrap = ctx.fmt == "text" and r.p(S["wrap"])
    width = r.i(60, 110)
    cont_ind = r.c((0, 1, 1))
    p_sys = r.u(0.0, 0.12)
    p_super = r.u(0.02, 0.12) if S.get("superchat") and r.p(0.5) else 0.0
    super_inline = r.p(0.4)
    line_tag = r.c(("div", "div", "li", "p"))
    sys_lines = S.get(F.get("system", "system"))
    sys_kw = {"site": ctx.site, "chan": chan, "host": owner, "title": ctx.title or r.c(ctx.others)}

    def stamp(dt: _dt.datetime) -> tuple[list, str | None]:
        """The parts that show a message's time, and its ISO date when a year shows."""
        if F["time"] == "none":
            return [], None
        iso = None
        if F["time"] == "offset":
            t = _stream_time(int((dt - start).total_seconds()))
        elif F["time"] == "clock":
            t = _fill_date(clock, dt, cal, ampm)[0]
        else:
            t, iso = _fill_date(dated, dt, cal, ampm)
        text = _fmt(F["t"], t=t, chan=chan)
        return [ctx.span(text.rstrip(), "timestamp"), text[len(text.rstrip()):]], iso

    def system(dt: _dt.datetime) -> _Line:
        joiner = shown(ctx.names.new())
        handle = _ascii_name(joiner, r, ("",))[:10] or "user"
        t = _fmt(r.c(sys_lines), name=joiner, name2=shown(ctx.names.new()), user=handle, mask=_fmt(r.c(S.get("masks") or ["{user}"]), user=handle, n=r.i(2, 254)), n=r.i(2, 60),
                 topic=_fmt(r.c(S.get("topics") or [""]), title=sys_kw["title"]), amount="", **sys_kw)
        return ctx.L(FURN, *stamp(dt)[0], t, tag=line_tag, cls="system-message")

    def message(cm: _Cm, timed: bool = True) -> list:
        parts, iso = stamp(cm.dt) if timed else ([], None)
        if iso and cm.posted is None:
            cm.posted = iso
        pre, post = F["n"].split("{n}")
        if cm.author not in modes:
            modes[cm.author] = r.c(S["modes"]) if p_mode and r.p(p_mode) else ""
        parts += [pre + modes[cm.author], ctx.span(cm.author, ctx.pick("chat_name_cls", ("author-name", "username", "nick", "chat-author"))), post]
        out: list = []
        b = badge(cm.author)
        if b:
            parts += [" ", ctx.span(b, "badge")]
        if p_super and r.p(p_super):
            amount = r.c(S["amounts"])
            if super_inline:
                parts += [" ", ctx.span(amount, "purchase-amount")]
            else:
                out.append(ctx.L(FURN, _fmt(ctx.pick("chat_super", S["superchat"]), amount=amount), tag=line_tag, cls="paid-header"))
        text = cm.paras[0] if cm.paras else ""
        chunks = [text]
        if wrap and len(text) > width // 2:
            chunks = _wrap_words(text, max(20, width - len("".join(_part_text(p) for p in parts))), width - 4 * cont_ind)
            cm.paras = chunks  # one paragraph per line shown, as a wrapped log shows them
        out.append(ctx.L(CTEXT, *parts, sep, ctx.span(chunks[0], "message"), tag=line_tag, cls="chat-line", cm=cm))
        out += [ctx.L(CTEXT, c, tag=line_tag, cls="chat-cont", cm=cm, ind=cont_ind) for c in chunks[1:]]
        return out

    kids: list = []
    if S["top"] and r.p(0.75):
        first = cms[0].dt if cms else start
        for t in r.sample(S["top"], r.w([(1, 3), (2, 1)])):
            kids.append(ctx.L(FURN, _fmt(_fill_date(t, first, cal, ampm)[0], n=r.i(12, 4000),
                                         topic=_fmt(r.c(S.get("topics") or [""]), title=sys_kw["title"]), **sys_kw),
                              tag=r.c(("h3", "div", "div")), cls="chat-header"))
    if S["welcome"] and r.p(0.5):
        kids.append(ctx.L(FURN, r.c(S["welcome"]), tag="div", cls="chat-banner"))
        if S["learn"] and r.p(0.4):
            kids.append(ctx.L(FURN, r.c(S["learn"]), tag="a", cls="chat-banner-link"))
    flow = [cm for cm in cms if cm is not pinned]
    if pinned is not None:
        kids.append(ctx.X("div", "pinned-message", [ctx.L(FURN, _fmt(r.c(S["pinned"]), **sys_kw), tag="div", cls="pinned-by")] + message(pinned, timed=False)))
    items: list = []
    prev = None
    for cm in flow:
        if prev is not None:
            if "day" in S and F["time"] == "clock" and cm.dt.date() != prev.dt.date():
                items.append(ctx.L(FURN, _fill_date(S["day"], cm.dt, cal)[0], tag=line_tag, cls="day-change"))
            if sys_lines and r.p(p_sys):
                items.append(system(prev.dt + (cm.dt - prev.dt) / 2))
        items += message(cm)
        prev = cm
    lg = (1, 0, 0) if wrap or r.p(0.6) else None
    kids.append(ctx.X("ul" if line_tag == "li" else "div", "chat-items", items, lg=lg))
    if S["bottom"] and r.p(0.5):
        last = cms[-1].dt if cms else start
        for t in r.sample(S["bottom"], r.i(1, 2)):
            kids.append(ctx.L(FURN, _fmt(_fill_date(t, last, cal, ampm)[0], name=shown(ctx.names.new()), **sys_kw), tag="div", cls="chat-footer"))
    return _section(ctx, kids, "live-chat", tag="div")


def _chat_qa(ctx: _Ctx, cms: list[_Cm], start: _dt.datetime) -> _Box:
    """A live Q&A transcript: readers' questions ('Springfield, Va.: ...', 'Q. Jane from Leeds: ...', '[Comment From
    Jane: ] ...'), each answered by the host ('A. Tom Smith: ...') as a reply."""
    r = ctx.r
    Q = _T("chat", "liveqa")
    var = r.w(Q["variants"])
    hosts = [ctx.names.person("en")] + ([ctx.names.person("en")] if r.p(0.2) else [])
    role = r.c(ctx.loc.bl("author_roles"))
    ans_tpl = r.c(Q["answers"][var])
    clock = r.c(Q["clock"]) if var == "civ" and r.p(0.7) else None
    places = Q["places"] if var == "wapo" else Q["places"] + _res("names")["places"]
    p_answer = r.u(0.6, 1.0)
    p_first = r.u(0.0, 0.6)
    seq: list[_Cm] = []
    asks: dict = {}  # id(question) -> its lead ('Springfield, Va.: ', 'Q. {name} from Leeds: ')
    if cms and r.p(0.4):
        seq.append(_Cm(paras=[r.c(Q["opener"])], author=hosts[0], dt=start))
    i = 0
    while i < len(cms):
        q = cms[i]
        i += 1
        tpl = r.w(Q["asks"][var])
        if var != "civ":
            q.author = ctx.names.person("en")
            if r.p(p_first):
                q.author = q.author.split()[0]
        if "{name}" not in tpl:
            q.shows_author = False
        seq.append(q)
        asks[id(q)] = _fmt(tpl, place=r.c(places))
        if i < len(cms) and r.p(p_answer):
            a = cms[i]
            i += 1
            a.author = r.c(hosts)
            a.parent, a.depth, a.reply_shown = q, 1, True
            q.kids.append(a)
            seq.append(a)
    if seq and r.p(0.3):
        seq.append(_Cm(paras=[r.c(Q["closer"])], author=hosts[0], dt=seq[-1].dt + _dt.timedelta(seconds=r.i(30, 300))))
    bold = r.c(("b", "strong", "span"))
    sep = r.c((" ", " ", "  "))
    kw = {"site": ctx.site, "title": ctx.title or r.c(ctx.others), "host": " and ".join(hosts), "role": role}

    def lines(cm: _Cm) -> list:
        parts: list = []
        if clock:
            parts += [ctx.span(_fill_date(clock, cm.dt, ctx.loc.cal)[0], "time"), " "]
        ask = asks.get(id(cm))
        tpl = ask if ask is not None else ans_tpl.replace("{host}", "{name}")
        name_el = ctx.span(cm.author, "name") if r.p(0.5) else cm.author
        lead = _tpl_parts(tpl.rstrip(), "name", name_el)
        parts += [(bold, {"class": ctx.c("asker" if ask is not None else "host")}, lead), sep]
        paras = cm.paras or [""]
        out = [ctx.L(CTEXT, *parts, paras[0], tag="p", cls="chat-entry", cm=cm)]
        return out + [ctx.L(CTEXT, p, tag="p", cm=cm) for p in paras[1:]]

    kids: list = [ctx.L(FURN, _fmt(r.c(Q["headings"]), **kw), tag=r.c(("h2", "h3")), cls="chat-title")]
    if r.p(0.7):
        kids.append(ctx.L(FURN, _fmt(r.c(Q["hosted"]), **kw), tag="p", cls="chat-host"))
    if r.p(0.5):
        kids.append(ctx.L(FURN, _fill_date(r.c(Q["when"]), start, ctx.loc.cal)[0], tag="p", cls="chat-time"))
    for t in r.sample(Q["notes"], r.i(0, 2)):
        kids.append(ctx.L(FURN, _fmt(t, **kw), tag="p", cls="chat-note"))
    entries = [ctx.X("div", "chat-entry", lines(cm)) for cm in seq]
    kids.append(ctx.X("div", "chat-transcript", entries))
    if r.p(0.4):
        kids.append(ctx.X("form", "chat-ask", [ctx.L(FURN, t, tag=r.c(("label", "div", "button"))) for t in r.sample(Q["bottom"], r.i(1, 3))]))
    return _section(ctx, kids, "live-qa", tag="div")


def _fam_forms(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    G = _T("forms", "labels")
    style = r.w(_T("forms", "styles"))
    S = _T("forms", style)
    lay = "same" if style == "outlook" else r.w(_T("forms", "layouts"))
    colon = ":" if lay == "same" else r.c((":", "", ""))
    label_tag = r.c(("b", "strong", "span", "label"))
    cell_sep = r.c((" ", "  ", "\t", "   "))
    ampm = r.i(0, 2)
    cal = ctx.loc.cal
    title = ctx.title or r.c(ctx.others)
    kw = {"site": ctx.site, "domain": ctx.domain, "title": title}
    date_tpl = r.c(S["dates"] if "dates" in S else _T("forms", "dates"))
    p_person = 0.95 if style == "outlook" else 0.8
    p_withheld = r.u(0.05, 0.3) if style in ("consult", "petition") and r.p(0.5) else 0.0
    withheld = r.c(_T("forms", "withheld"))
    names: dict = {}
    for cm in cms:
        if cm.author not in names:
            names[cm.author] = ctx.names.person() if r.p(p_person) else cm.author
        cm.author = names[cm.author]
        if r.p(p_withheld):
            cm.shows_author = False  # 'Name withheld' is no name
    if style in ("petition",) and r.p(0.6):
        cms = cms[::-1]  # newest signatures first

    def date(cm: _Cm) -> str:
        text, iso = _fill_date(date_tpl, cm.dt, cal, ampm)
        if cm.posted is None:
            cm.posted = iso
        return text

    def who(cm: _Cm):
        if not cm.shows_author:
            return withheld
        return ctx.span(cm.author, ctx.pick("form_name_cls", ("field-name", "username", "respondent-name", "author")))

    def fld(name: str, value, kind: str, cm: _Cm) -> list:
        """One labelled field in the page's layout; ``kind`` 'head' (names or dates the comment), 'furn' or 'text'
        (``value`` = the comment's paragraphs; the label alone is furniture)."""
        line_label = {"head": HEAD, "furn": FURN, "text": CTEXT}[kind]
        owner = cm if kind != "furn" else None
        if kind == "text" and not value:
            return []
        lab = name + (colon if not name.endswith("?") else "")
        if lay == "same":
            first = value[0] if kind == "text" else value
            out = [ctx.L(line_label, ctx.span(lab, "field-label", tag=label_tag), " ", first, tag="div", cls="field", cm=owner)]
            return out + ([ctx.L(CTEXT, p, tag="p", cm=cm) for p in value[1:]] if kind == "text" else [])
        if lay == "table":
            cell = "\n\n".join(value) if kind == "text" else value
            return [ctx.L(line_label, ("th", {}, lab + cell_sep), ("td", {}, cell), tag="tr", cm=owner)]
        lt, vt = ("dt", "dd") if lay == "dl" else ("div", "div")
        out = [ctx.L(HEAD if kind == "head" else FURN, lab, tag=lt, cls="field-label", cm=cm if kind == "head" else None)]
        if kind == "text":
            out.append(ctx.X(vt, "field-value", [ctx.L(CTEXT, p, tag="p", cm=cm) for p in value]))
        else:
            out.append(ctx.L(line_label, value, tag=vt, cls="field-value", cm=owner))
        return out

    def group(rows: list, cls: str) -> _Box:
        tag = {"table": "table", "dl": "dl"}.get(lay, "div")
        return ctx.X(tag, cls, rows)

    total = len(cms) + (r.i(0, 900) if r.p(0.5) else 0)
    first_no = r.i(1, 9000) if r.p(0.5) else 1
    kids: list = []
    if r.p(0.8):
        kids.append(ctx.L(FURN, _fmt(r.c(S["headings"]), n=total, **kw), tag=r.c(("h2", "h3", "div")), cls="responses-title"))
    for t in r.sample(S["notes"], r.i(0, 2)):
        kids.append(ctx.L(FURN, _fmt(t, n=total, k=max(total, 10) * 2, a=1, b=min(len(cms), 20) or 1, **kw), tag="p", cls="responses-note"))
    items: list = []
    if style == "consult":
        ids = r.c(_T("forms", "ids")) if r.p(0.7) else None
        qs = r.sample(_T("forms", "questions"), r.w([(0, 3), (1, 3), (2, 2), (3, 1)]))
        order = ["name", "date"] if r.p(0.7) else ["date", "name"]
        if not r.p(0.85):
            order.remove("date")
        for f, p in (("org", 0.4), ("location", 0.5)):
            if r.p(p):
                order.insert(r.i(1, len(order)), f)
        order += ["comment", "questions"] if r.p(0.15) else ["questions", "comment"]
        labels = {k: r.c(G[k]) for k in ("name", "date", "location", "org", "comment")}
        ref = (_ascii_name(ctx.site, r, ("",))[:4] or "cons").upper()
        for k, cm in enumerate(cms):
            rows: list = []
            for f in order:
                if f == "name":
                    rows += fld(labels["name"], who(cm), "head", cm)
                elif f == "date":
                    rows += fld(labels["date"], date(cm), "head", cm)
                elif f == "org":
                    rows += fld(labels["org"], _fmt(r.c(_T("forms", "org_values")), org=r.c(_res("names")["orgs"])), "furn", cm)
                elif f == "location":
                    rows += fld(labels["location"], r.c(_res("names")["places"]), "furn", cm)
                elif f == "questions":
                    for q in qs:
                        rows += fld(q, r.c(_T("forms", "answers")), "furn", cm)
                else:
                    rows += fld(labels["comment"], cm.paras, "text", cm)
            box: list = []
            if ids:
                box.append(ctx.L(FURN, _fmt(ids, n=first_no + k, k=total, ref=f"{ref}-{cm.dt.year}-{r.i(1, 9999):04d}"), tag=r.c(("h4", "div")), cls="response-id"))
            box.append(group(rows, "response-fields"))
            items.append(ctx.X("div", "response", box))
    elif style == "petition":
        signed = r.p(0.7)
        relative = signed and r.p(0.3)
        tpl = r.c(S["relative"] if relative else S["signed"])
        number = r.c(S["numbers"]) if r.p(0.5) else None
        label = r.c(G["reason"])
        name_label, date_label = r.c(G["name"]), r.c(G["date"])
        reason_label = r.p(0.6) or not signed
        acts = r.sample(S["actions"], r.i(1, 2)) if r.p(0.4) else []
        for k, cm in enumerate(cms):
            rows = []
            if number:
                rows.append(ctx.L(FURN, _fmt(number, n=first_no + len(cms) - k), tag="div", cls="signature-number"))
            fields: list = []
            if signed:
                when = _relative((ctx.now - cm.dt).total_seconds(), cal, 0) if relative else date(cm)
                parts = _tpl_parts(_fmt(tpl, date=when, when=when, place=r.c(_res("names")["places"]), n=first_no + k), "name", who(cm))
                rows.append(ctx.L(HEAD, *parts, tag="div", cls="signer", cm=cm))
            else:
                fields += fld(name_label, who(cm), "head", cm) + fld(date_label, date(cm), "head", cm)
            if reason_label:
                fields += fld(label, cm.paras, "text", cm)
            if fields:
                rows.append(group(fields, "signature-fields"))
            if not reason_label:
                rows += _ctext(ctx, cm, cls="reason")
            if acts:
                rows.append(_actions(ctx, acts, "signature-actions"))
            items.append(ctx.X("div", "signature", rows))
    elif style == "board":
        tpl = r.c(S["submitted"])
        p_unverified = r.u(0.1, 0.6) if r.p(0.4) else 0.0
        subject = r.p(0.3)
        loc = r.p(0.4)
        loc_label = r.c(G["location"])
        labelled = r.p(0.5)
        label = r.c(G["comment"])
        acts = r.sample(S["actions"], r.i(1, 2)) if r.p(0.5) else []
        for cm in cms:
            rows = []
            if subject and cm.paras:
                rows.append(ctx.L(FURN, ctx.a(_truncate(cm.paras[0], 29)), tag="h3", cls="comment-title"))
            name = who(cm)
            if cm.shows_author and r.p(p_unverified):
                name = ("span", {"class": ctx.c("username")}, [cm.author, S["unverified"]])  # Drupal's anonymous commenter
            parts = _tpl_parts(_fmt(tpl, date=date(cm)), "name", name)
            rows.append(ctx.L(HEAD, *parts, tag="div", cls="submitted", cm=cm))
            fields = fld(loc_label, r.c(_res("names")["places"]), "furn", cm) if loc else []
            if labelled:
                fields += fld(label, cm.paras, "text", cm)
            if fields:
                rows.append(group(fields, "fields"))
            if not labelled:
                rows += _ctext(ctx, cm, box="div", box_cls="field-item")
            if acts:
                rows.append(_actions(ctx, acts, "links inline"))
            items.append(ctx.X("div", "comment views-row", rows))
    else:  # outlook
        sent = r.c(S["sent"])
        from_tpl = r.w(S["from"])
        order = r.c((["from", "sent", "to", "subject"], ["from", "sent", "to", "cc", "subject"], ["from", "to", "sent", "subject"]))
        extra = r.c(S["extra"]) if r.p(0.15) else None
        greet = r.u(0.0, 0.5)
        mails: dict = {}
        for cm in cms:
            if cm.author not in mails:
                mails[cm.author] = f"{_ascii_name(cm.author, r, ('.', '', '_')) or 'reader'}@{r.c(S['email_domains'])}"
            if r.p(greet) and cm.paras:
                cm.paras = [ctx.pick("greeting", S["greetings"])] + cm.paras
            rows = []
            for f in order:
                if f == "from":
                    bare = r.p(0.05)
                    if bare:
                        cm.author = mails[cm.author]  # no display name: the address as shown
                        value: list = [ctx.span(cm.author, "sender")]
                    else:
                        value = _tpl_parts(_fmt(from_tpl, email=mails[cm.author]), "name", ctx.span(cm.author, "sender"))
                    rows.append(ctx.L(HEAD, ctx.span("From:", None, tag=label_tag), " ", *value, tag="div", cls="MsoNormal", cm=cm))
                elif f == "sent":
                    rows.append(ctx.L(HEAD, ctx.span(sent + ":", None, tag=label_tag), " ", date(cm), tag="div", cls="MsoNormal", cm=cm))
                elif f == "cc" and r.p(0.5):
                    rows.append(ctx.L(FURN, ctx.span("Cc:", None, tag=label_tag), " ", _fmt(r.c(S["cc"]), **kw), tag="div", cls="MsoNormal"))
                elif f in ("to", "subject"):
                    rows.append(ctx.L(FURN, ctx.span(f.capitalize() + ":", None, tag=label_tag), " ", _fmt(ctx.pick(("ol", f), S[f]), **kw), tag="div", cls="MsoNormal"))
            if extra:
                rows.append(ctx.L(FURN, extra, tag="div", cls="MsoNormal"))
            body = [ctx.L(CTEXT, p, tag="p", cls="MsoNormal", cm=cm) for p in cm.paras]
            items.append(ctx.X("div", "letter", [ctx.X("div", "mail-header", rows), ctx.X("div", "WordSection1", body)]))
    if r.p(0.5):
        items = [x for it in items for x in (it, _Void("hr", {}))]
    kids.append(ctx.X("div", "responses", items))
    if "pager" in S and r.p(0.4):
        kids.append(ctx.L(FURN, _fmt(r.c(S["pager"]), k=max(2, total // 20)), tag="div", cls="pager"))
    if style == "board" and r.p(0.4):
        kids.append(_form(ctx))
    return _section(ctx, kids, "responses-section", tag="div")


# =========================================================================== families (held out)


def _fam_hn(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, nested=8, flat=2)
    order = _thread(ctx, cms, mode, max_depth=r.i(3, 10), p_reply=r.u(0.4, 0.8))
    when = _When(ctx, [("relative", 9), ("date", 1)])
    head_tpl = ctx.sy("hn", "head")
    kids: list = []
    if r.p(0.5):
        kids.append(ctx.L(FURN, ctx.sy("hn", "add"), tag="button"))
    rows: list = []
    for cm in order:
        depth = cm.depth if mode == "nested" else 0
        spacer = ctx.X("td", "ind", [_Void("img", {"src": "s.gif", "height": "1", "width": str(40 * depth)})], indent=str(depth))
        tpl = head_tpl if cm.parent is not None else head_tpl.replace(" | root", "").replace(" | parent", "")
        head = ctx.L(HEAD, *_hdr(ctx, tpl, cm, name=ctx.a(cm.author, f"user?id={cm.author}", cls="hnuser"), when=when),
                     tag="span", cls="comhead", cm=cm)
        body = _ctext(ctx, cm, tag="p", br=0.0, box="div", box_cls="commtext c00")
        reply = ctx.L(FURN, ctx.a(ctx.sy("hn", "reply"), f"reply?id={r.i(10**7, 10**8)}"), tag="div", cls="reply")
        cell = ctx.X("td", "default", [ctx.X("div", None, [head])] + body + [reply])
        row = ctx.X("tr", "athing comtr", [ctx.X("td", None, [ctx.X("table", None, [ctx.X("tbody", None, [ctx.X("tr", None, [spacer, cell])])])])],
                    nest=depth, id=str(r.i(10**7, 10**8)))
        rows.append(row)
    kids.append(ctx.X("table", "comment-tree", [ctx.X("tbody", None, rows)]))
    return _section(ctx, kids, "comments-hn", tag="div")


def _fam_phpbb(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, indicator=5, flat=5)
    order = _thread(ctx, cms, mode, max_depth=1)
    table = r.p(0.5)
    when = _When(ctx, [("datetime", 1)])
    if ctx.loc.lang == "en" and r.p(0.6):
        when.tpl = r.c(_T("phpbb", "dates_en"))
    wrote = r.c(ctx.loc.fl("wrote"))
    stats: dict = {}
    kids: list = []
    top = r.sample(["page", "display", "post_reply"], r.i(1, 3))
    for key in top:
        kids.append(ctx.L(FURN, ctx.sy("forum", key, n=max(1, len(cms) // 20 + 1), k=len(cms)), tag="div", cls="pagination"))
    posts: list = []
    for k, cm in enumerate(order):
        st = stats.setdefault(cm.author, (ctx.sy("forum", "ranks", vary=True), r.i(1, 20000), cm.dt - _dt.timedelta(days=r.i(30, 4000)), r.c(_res("names")["places"])))
        joined = _fill_date(r.c(ctx.loc.dates["date"]), st[2], ctx.loc.cal)[0]
        prof = [ctx.L(HEAD, ctx.a(cm.author, f"memberlist.php?mode=viewprofile&u={r.i(2, 99999)}", cls="username"), tag="b" if table else "dt", cm=cm)]
        pool = [st[0], ctx.sy("forum", "posts", n=st[1]), ctx.sy("forum", "joined", date=joined), ctx.sy("forum", "location", place=st[3])]
        for t in [pool[j] for j in ctx.pick("p_info", [sorted(r.sample(range(4), r.i(1, 3)))])]:
            prof.append(ctx.L(FURN, t, tag="span" if table else "dd"))
        subject = ("Re: " if k else "") + (ctx.title or r.c(ctx.others))
        if mode == "indicator" and cm.parent is not None and cm.parent.paras:
            cm.paras = [f"{cm.parent.author} {wrote}", _truncate(cm.parent.paras[-1], r.i(60, 250))] + cm.paras
            cm.reply_shown = True
        body = _ctext(ctx, cm, tag="div", cls="content", br=0.3)
        foot = _actions(ctx, [ctx.sy("forum", "back"), ctx.sy("forum", "profile")], "postbuttons")
        if table:
            subj_line = ctx.L(FURN, f"Post subject: {subject}", tag="span", cls="postdetails")
            posted = ctx.L(HEAD, *_hdr(ctx, ctx.sy("forum", "posted"), cm, when=when), tag="span", cls="postdetails", cm=cm)
            left = ctx.X("td", "row1", prof if ctx.chance("bb_full_profile", 0.5) else [prof[0]])
            right = ctx.X("td", "row1", [subj_line, posted] + body + [foot] if ctx.chance("bb_subject_first", 0.5) else [posted, subj_line] + body + [foot])
            posts.append(ctx.X("tr", None, [left, right]))
        else:
            head = [ctx.L(FURN, ctx.a(subject), tag="h3")]
            head.append(ctx.L(HEAD, *_hdr(ctx, ctx.pick("bb_tpl", _T("phpbb", "byline")), cm,
                                          name=ctx.a(cm.author, "#", cls="username"), when=when), tag="p", cls="author", cm=cm))
            postbody = ctx.X("div", "postbody", head + body)
            profile = ctx.X("dl", "postprofile", prof)
            posts.append(ctx.X("div", "post bg2", ([postbody, profile] if ctx.chance("bb_profile_after", 0.6) else [profile, postbody]) + [foot], id=f"p{r.i(10**5, 10**6)}"))
    if table:
        kids.append(ctx.X("table", "forumline", [ctx.X("tbody", None, posts)]))
    else:
        kids.append(ctx.X("div", "topic-posts", posts))
    if r.p(0.5):
        kids.append(ctx.L(FURN, ctx.sy("forum", "return", section=r.c(ctx.loc.bl("nav_sections"))), tag="p"))
    return _section(ctx, kids, "page-body", tag="div")


def _fam_cards(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, nested=6, indicator=3, flat=1)
    order = _thread(ctx, cms, mode, max_depth=1, newest_first=r.p(0.4))
    when = _When(ctx, [("relative", 1)])
    handle = r.p(0.4)
    initials = r.p(0.3)
    one_line = r.p(0.35)
    if handle:
        for cm in cms:
            cm.author = "@" + re.sub(r"\s+", "", cm.author)
    kids: list = [ctx.L(FURN, ctx.sy("cards", "count", n=len(cms)), tag="h2")]
    if r.p(0.6):
        kids.append(ctx.L(FURN, ctx.sy("cards", "sort"), tag="div"))
    kids.append(ctx.L(FURN, ctx.sy("cards", "add"), tag="div", cls="placeholder"))
    pinned = r.p(0.2)

    def one(cm: _Cm, first: bool) -> _Box:
        parts: list = []
        if pinned and first:
            parts.append(ctx.L(FURN, ctx.sy("cards", "pinned"), tag="span", cls="pinned"))
        if initials:
            letters = "".join(w[0] for w in re.findall(r"[A-Za-z]+", cm.author)[:2]).upper() or "U"
            parts.append(ctx.L(FURN, letters, tag="div", cls="avatar-initials"))
        shown = cm.author
        edited = " " + ctx.sy("cards", "edited") if r.p(0.08) else ""
        if one_line:
            parts.append(ctx.L(HEAD, ctx.a(shown, "#", cls="author-text"), ctx.pick("card_sep", _T("cards", "sep")), ctx.a(ctx.when(cm, when) + edited, "#"), tag="div", cls="header-author", cm=cm))
        else:
            parts.append(ctx.L(HEAD, ctx.a(shown, "#", cls="author-text"), tag="h3", cm=cm))
            parts.append(ctx.L(HEAD, ctx.a(ctx.when(cm, when) + edited, "#"), tag="span", cls="published-time-text", cm=cm))
        if mode == "indicator" and cm.parent is not None:
            if handle:
                cm.paras = [f"{cm.parent.author} " + (cm.paras[0] if cm.paras else "")] + cm.paras[1:]
                cm.paras[0] = cm.paras[0].strip()
                cm.reply_shown = True
            else:
                _reply_prefix(ctx, cm)
        parts += _ctext(ctx, cm, tag="span", br=0.7, box="div", box_cls="content-text")
        if len(cm.text) > 300 and r.p(0.6):
            parts.append(ctx.L(FURN, ctx.sy("cards", "read_more"), tag="span", cls="more-button"))
        acts: list = []
        if cm.votes:
            acts.append(ctx.L(FURN, str(cm.votes), tag="span", cls="vote-count"))
        if r.p(0.05):
            acts.append(ctx.L(FURN, ctx.sy("cards", "liked"), tag="span"))
        acts.append(ctx.L(FURN, ctx.sy("cards", "reply"), tag="button"))
        parts.append(ctx.X("div", "toolbar", acts))
        box: list = [ctx.X("div", "comment-renderer", parts)]
        if mode == "nested" and cm.kids:
            reps: list = [ctx.L(FURN, ctx.sy("cards", "view_replies", n=len(cm.kids)), tag="button")] if r.p(0.7) else []
            reps += [one(c, False) for c in cm.kids]
            if r.p(0.3):
                reps.append(ctx.L(FURN, ctx.sy("cards", r.c(("hide", "more_replies"))), tag="button"))
            box.append(ctx.X("div", "replies", reps, nest=1))
        return ctx.X("div", "comment-thread-renderer", box)

    roots = [c for c in order if c.parent is None] if mode == "nested" else order
    kids.append(ctx.X("div", "contents", [one(c, k == 0) for k, c in enumerate(roots)]))
    return _section(ctx, kids, "comments-cards", tag="div")


def _fam_coral(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, nested=6, indicator=4)
    order = _thread(ctx, cms, mode, max_depth=3, newest_first=r.p(0.5))
    when = _When(ctx, [("relative", 6), ("datetime", 3)])
    kids: list = []
    for key in r.sample(["conversation", "viewing", "guidelines", "signin"], r.i(1, 3)):
        kids.append(ctx.L(FURN, ctx.sy("coral", key, n=r.i(2, 400)), tag="div"))
    kids.append(_actions(ctx, r.sample(ctx.loc.fl("coral")["tabs"], r.i(1, 3)), "tabs", joined_p=0.3))
    if r.p(0.6):
        kids.append(ctx.L(FURN, ctx.sy("coral", "sort"), tag="div"))
    react = r.p(0.7)

    def one(cm: _Cm) -> _Box:
        parts: list = [ctx.L(HEAD, ctx.span(cm.author, "username"), tag="div", cls="coral-username", cm=cm)]
        if r.p(0.04):
            parts.append(ctx.L(FURN, ctx.sy("coral", "badges", vary=True), tag="span"))
        parts.append(ctx.L(HEAD, ctx.time_el(cm, when), tag="div", cls="coral-timestamp", cm=cm))
        if cm.parent is not None and (mode == "indicator" or cm.depth > 1 or r.p(0.3)):
            parts.append(ctx.L(FURN, ctx.sy("coral", "replying", name=cm.parent.author), tag="div", cls="coral-in-reply-to"))
            cm.reply_shown = True
        parts += _ctext(ctx, cm, box="div", box_cls="coral-content")
        acts = [ctx.L(FURN, ctx.sy("coral", "actions"), tag="div", cls="coral-actions")]
        if react:
            acts.append(ctx.L(FURN, ctx.sy("coral", "respect", n=cm.votes), tag="button", cls="coral-reaction"))
        parts.append(ctx.X("div", "coral-comment-footer", acts if r.p(0.5) else acts[::-1]))
        box: list = [ctx.X("div", "coral-comment", parts)]
        if mode == "nested" and cm.kids:
            reps: list = [one(c) for c in cm.kids]
            if r.p(0.2):
                reps.append(ctx.L(FURN, ctx.sy("coral", "more_replies", n=r.i(1, 9)), tag="button"))
            box.append(ctx.X("div", "coral-replies", reps, nest=1))
        return ctx.X("article", "coral-comment-wrap", box)

    roots = [c for c in order if c.parent is None] if mode == "nested" else order
    kids.append(ctx.X("div", "coral-stream", [one(c) for c in roots]))
    if len(cms) > 8 and r.p(0.6):
        kids.append(ctx.L(FURN, ctx.sy("coral", "load"), tag="button"))
    return _section(ctx, kids, "coral-container", tag="div", id=ctx.c("coral_thread"))


def _fam_guestbook(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    when = _When(ctx, [("date", 5), ("datetime", 5)])
    header = ctx.sy("guestbook", "header")
    two = r.p(0.25)
    kids: list = [ctx.L(FURN, ctx.sy("guestbook", "title"), tag="h2")]
    for key in r.sample(["sign", "entries", "read", "write"], r.i(1, 2)):
        kids.append(ctx.L(FURN, ctx.sy("guestbook", key, a=1, b=min(10, len(cms)), n=len(cms) + r.i(0, 300)), tag="div"))
    entries: list = []
    pool = list(cms)[::-1] if r.p(0.7) else list(cms)
    total = len(pool) + r.i(0, 200)
    k = 0
    i = 0
    while i < len(pool):
        cm = pool[i]
        i += 1
        parts: list = [ctx.L(FURN, ctx.sy("guestbook", "entry", n=total - k), tag="div", cls="entry-no")]
        k += 1
        if two:
            parts.append(ctx.L(HEAD, "Name: ", ctx.span(cm.author, "gb-name", tag="b"), tag="div", cm=cm))
            parts.append(ctx.L(HEAD, *_hdr(ctx, ctx.pick("gb_date", _T("guestbook", "date")), cm, when=when), tag="div", cm=cm))
        else:
            parts.append(ctx.L(HEAD, *_hdr(ctx, header, cm, name=ctx.span(cm.author, "gb-name", tag="b"), when=when), tag="div", cls="gb-head", cm=cm))
        parts += _ctext(ctx, cm, box="div", box_cls="gb-text")
        if r.p(0.3):
            parts.append(ctx.L(FURN, ctx.sy("guestbook", "homepage"), tag="div"))
        box: list = [ctx.X("div", "gb-entry", parts)]
        if i < len(pool) and r.p(0.2):
            reply = pool[i]
            i += 1
            reply.parent, reply.reply_shown, reply.shows_author, reply.author = cm, True, False, None
            box.append(ctx.X("div", "gb-owner", [ctx.L(HEAD, ctx.sy("guestbook", "owner"), tag="div", cm=reply)] + _ctext(ctx, reply), nest=1))
        entries.append(ctx.X("div", "gb-item", box))
    kids.append(ctx.X("div", "gb-entries", entries))
    if r.p(0.5):
        kids.append(ctx.L(FURN, ctx.sy("guestbook", "pager"), tag="div"))
    return _section(ctx, kids, "guestbook", tag="div")


# =========================================================================== widgets of other stories' comments


def _widget(ctx: _Ctx, pl: list) -> _Box:
    """'Recent comments' on OTHER stories: comments with `about` = that story's title."""
    r = ctx.r
    n_groups = max(1, min(len(pl), r.i(1, 4)))
    titles = r.sample(ctx.others, n_groups) if len(ctx.others) >= n_groups else [r.c(ctx.others) for _ in range(n_groups)]
    start = ctx.now - _dt.timedelta(hours=r.i(2, 72))
    cms = _new_comments(ctx, pl, start=start)
    if any(c.dt > ctx.now for c in cms):
        for c in cms:
            c.dt = min(c.dt, ctx.now)
    groups: list[list[_Cm]] = [[] for _ in range(n_groups)]
    for k, cm in enumerate(cms):
        groups[k if k < n_groups else r.i(0, n_groups - 1)].append(cm)
    order = r.w([("after", 4), ("before", 4), ("on", 1)])
    lang = ctx.loc.lang if r.p(0.8) else "en"
    when = _When(ctx, [("datetime", 5), ("relative", 3), ("date", 1)], lang=lang)
    trunc = r.p(0.6)
    hdr_tpl = r.c(_T("widget", "header"))
    inline = r.p(0.25)
    meta_tpl = ctx.fl("widget_meta")
    meta_p = r.u(0.3, 1.0)
    kids: list = [ctx.L(FURN, ctx.fl("widget_heading", vary=True), tag=r.c(("h3", "h2", "div")), cls="widget-title")]
    for title, members in zip(titles, groups):
        for cm in members:
            cm.about = title
            if trunc and cm.paras:
                cm.paras = [_truncate(" ".join(cm.paras), r.i(80, 200))]
        title_line = ctx.L(WTITLE, ctx.a(title, "/news/" + str(r.i(1000, 99999))), tag=ctx.pick("wt_tag", ("h4", "div", "a", "p")), cls="story-title")
        meta = ctx.L(BOILER, _fmt(meta_tpl, when=_relative((ctx.now - members[-1].dt).total_seconds() + r.i(60, 7200), _Loc(lang).cal, r.i(0, 1))
                                  if r.p(0.5) else _fill_date(r.c(_Loc(lang).dates["time"]), members[-1].dt, _Loc(lang).cal)[0],
                                  n=len(members) + r.i(0, 30)), tag="div", cls="story-meta") if r.p(meta_p) else None
        items: list = []
        for cm in members:
            if order == "on":
                cm.paras = []
                on_tpl = r.c(ctx.loc.fl("widget_on"))
                pieces = re.split(r"(\{name\}|\{title\})", on_tpl)
                parts = [cm.author if p == "{name}" else ctx.a(title) if p == "{title}" else p for p in pieces if p]
                items.append(ctx.L(HEAD, *parts, tag="li", cls="recentcomments", cm=cm))
                continue
            if inline and cm.paras:
                cm.paras = [" ".join(cm.paras)]
                items.append(ctx.X("div", "wc", [ctx.L(CTEXT, ctx.span(cm.author, "wc-author", tag="b"), ": ", cm.paras[0], tag="p", cm=cm)]))
            else:
                head = ctx.L(HEAD, *_hdr(ctx, hdr_tpl, cm, when=when), tag="div", cls="wc-head", cm=cm)
                items.append(ctx.X("div", "wc", [head] + _ctext(ctx, cm, br=0.0)))
        if order == "after":
            group = items + [title_line] + ([meta] if meta is not None else [])
        elif order == "before":
            group = [title_line] + ([meta] if meta is not None else []) + items
        else:
            group = items
        kids.append(ctx.X("div" if order != "on" else "ul", "widget-group", group))
    return ctx.X("section", "widget recent-comments", kids)


def _short_when(ctx: _Ctx, cm: _Cm) -> str:
    """Discourse's compact post dates: '12m', '5h', '3d', 'Mar 3' (this year), 'Mar '21'."""
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    seconds = (ctx.now - cm.dt).total_seconds()
    if seconds < 3600:
        return f"{max(1, int(seconds // 60))}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    if seconds < 30 * 86400:
        return f"{int(seconds // 86400)}d"
    # no posted_at: "Mar 3" shows no year and "Mar '21" no day (the truth conventions above)
    if cm.dt.year == ctx.now.year:
        return f"{months[cm.dt.month - 1]} {cm.dt.day}"
    return f"{months[cm.dt.month - 1]} '{cm.dt.year % 100:02d}"


def _fam_discourse(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    mode = _mode(ctx, nested=2, indicator=6, flat=2)
    order = _thread(ctx, cms, mode, max_depth=2)
    handles: dict = {}
    for cm in cms:
        handles.setdefault(cm.author, re.sub(r"[^a-z0-9_]", "", cm.author.lower().replace(" ", r.c(("", "_", ".")))) or "user")
    names = r.w([("both", 4), ("handle", 4), ("full", 2)])  # what the post header shows
    same_line = r.p(0.4)  # name(s) and date on one line
    likes = r.p(0.75)
    kids: list = []
    if r.p(0.7):
        kids.append(ctx.L(FURN, r.c(_T("discourse", "top")), tag="h3"))
    if r.p(0.5):
        kids.append(ctx.L(FURN, _fmt(r.c(_T("discourse", "stats")), n=len(cms), k=r.i(20, 9000), m=r.i(2, 60)), tag="div"))

    def one(cm: _Cm) -> _Box:
        handle = handles[cm.author]
        show = "handle" if names == "both" and " " not in cm.author.strip() else names  # no full name set
        shown = {"both": f"{handle} {cm.author}", "handle": handle, "full": cm.author}[show]
        cm.author = handle if show == "handle" else cm.author
        parts: list = []
        if r.p(0.3):
            parts.append(ctx.L(FURN, (handle[:1] or "U").upper(), tag="div", cls="avatar"))
        date = ctx.a(_short_when(ctx, cm), f"/t/{r.i(100, 9999)}/{r.i(2, 300)}", cls="post-date")
        if same_line:
            parts.append(ctx.L(HEAD, ctx.a(shown, f"/u/{handle}", cls="username"), "  ", date, tag="div", cls="names", cm=cm))
        else:
            parts.append(ctx.L(HEAD, ctx.a(shown, f"/u/{handle}", cls="username"), tag="div", cls="names", cm=cm))
            parts.append(ctx.L(HEAD, date, tag="div", cls="post-info", cm=cm))
        if cm.parent is not None and mode == "indicator":
            if r.p(0.6):
                parts.append(ctx.L(FURN, _fmt(ctx.pick("dc_reply_tab", _T("discourse", "reply_tab")), name=handles.get(cm.parent.author, cm.parent.author)), tag="a", cls="reply-to-tab"))
                cm.reply_shown = True
            elif cm.parent.paras:
                quote = _truncate(cm.parent.paras[-1], r.i(60, 220))
                cm.paras = [_fmt(ctx.pick("dc_quote", _T("discourse", "quote_head")), name=handles.get(cm.parent.author, cm.parent.author)), quote] + cm.paras
                cm.reply_shown = True
        parts += _ctext(ctx, cm, tag="p", br=0.1, box="div", box_cls="cooked")
        acts: list = []
        if likes and cm.votes:
            acts.append(ctx.L(FURN, _fmt(ctx.pick("dc_likes", _T("discourse", "likes")), n=cm.votes), tag="button", cls="like-count"))
        acts.append(ctx.L(FURN, ctx.pick("dc_reply", _T("discourse", "reply")), tag="button", cls="reply"))
        if mode == "nested" and cm.kids:
            acts.append(ctx.L(FURN, _fmt(ctx.pick("dc_replies", _T("discourse", "replies")), n=len(cm.kids)), tag="button", cls="show-replies"))
        parts.append(ctx.X("section", "post-menu-area", acts))
        box: list = [ctx.X("div", "topic-body", parts)]
        if mode == "nested" and cm.kids:
            box.append(ctx.X("section", "embedded-posts bottom", [one(c) for c in cm.kids], nest=1))
        return ctx.X("article", "topic-post", box, id=f"post_{r.i(2, 999)}")

    roots = [c for c in order if c.parent is None] if mode == "nested" else order
    kids.append(ctx.X("div", "posts", [one(c) for c in roots]))
    if r.p(0.8):
        kids.append(ctx.L(FURN, r.c(_T("discourse", "bottom")), tag="a", cls="button"))
    if r.p(0.3):
        kids.append(ctx.L(FURN, "Powered by Discourse", tag="div"))
    return _section(ctx, kids, "discourse-comments", tag="div", id=ctx.c("discourse-comments"))


def _count_text(n: int) -> str:
    """A social count as shown: '999', '1.2K', '12K', '1.5M'."""
    if n < 1000:
        return str(n)
    if n < 10**6:
        return f"{n / 1000:.1f}".rstrip("0").rstrip(".") + "K"
    return f"{n / 10**6:.1f}".rstrip("0").rstrip(".") + "M"


def _compact_when(ctx: _Ctx, cm: _Cm, dates: Sequence[str], units: dict, days: int) -> str:
    """Social-network post times: '45s', '12m', '3h' (and '5d', '2w' when ``days`` > 1) for recent posts,
    then a date (``dates`` = (this year's template, other years' template)); a year shown gives ``posted_at``."""
    seconds = max(1.0, (ctx.now - cm.dt).total_seconds())
    if seconds < days * 86400:
        for unit, size in (("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
            if seconds >= size:
                return _fmt(units[unit], n=int(seconds // size))
    text, iso = _fill_date(dates[0] if cm.dt.year == ctx.now.year else dates[1], cm.dt, ctx.loc.cal)
    if cm.posted is None:
        cm.posted = iso
    return text


def _cut_paras(paras: list[str], n: int) -> list[str]:
    """The paragraphs shown before a 'Show more' link (about ``n`` characters)."""
    out: list[str] = []
    used = 0
    for p in paras:
        if used + len(p) > n:
            out.append(_truncate(p, max(40, n - used)))
            break
        out.append(p)
        used += len(p)
    return out


def _fam_social(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    plat = r.w(_T("social", "platforms"))
    P = _T("social", plat)
    mode = _mode(ctx, nested=5, indicator=4, flat=1)
    order = _thread(ctx, cms, mode, max_depth=r.i(2, 5), newest_first=r.p(0.2))
    for cm in cms:
        if r.p(0.04):
            cm.author = ctx.site  # the publisher's own account answers a reader
    both = plat != "threads" and r.p(0.8)  # display name and handle; else the handle alone
    hlines = r.w([("one", 5), ("two", 3), ("three", 1)])  # 'Name @h · 3h' | 'Name' / '@h · 3h' | 'Name' / '@h' / '3h'
    sep = r.c(_T("social", "sep"))
    mark = r.c(_T("social", "marks"))
    kind = r.w([("compact", 7), ("full", 2), ("relative", 1)])
    dates = r.w(_T("social", "compact_dates"))
    full_tpl = r.c(_T("social", "full_dates"))
    days = r.c((1, 1, 7, 30))
    ampm = r.i(0, 2)
    rel_pick = r.c((0, 1))
    row = r.w([("counts", 3), ("icons", 3), ("words", 2), ("bare", 3), ("none", 1)])
    row_sep = r.c(_T("social", "row_sep"))
    words_split = r.p(0.4)
    reply_line = r.p(0.75 if plat == "x" else 0.4)  # 'Replying to @x' line; else an '@x' mention starts the text
    root_shown = r.p(0.5)  # top-level replies show the page's own post ('Replying to @site', '@site ...'): no reply_to
    verified_p = r.u(0.0, 0.3)
    trunc = plat == "x" and r.p(0.5)
    time_dot = r.p(0.5)
    site_base = re.sub(r"[^a-z0-9]", "", ctx.site.lower())[:15] or "news"
    people: dict = {}

    def person(name: str) -> tuple:
        """(display name, handle as shown, badge) of one account, drawn once."""
        if name not in people:
            if name == ctx.site:
                base = site_base
            else:
                base = re.sub(r"[^a-z0-9_]", "", name.lower().replace(" ", r.c(("", "_", "")))) or f"user{r.i(100, 99999)}"
                if r.p(0.25):
                    base += str(r.i(1, 999))
            if plat == "x":
                base = base[:15]
            elif plat == "bluesky":
                base = base.replace("_", "-").strip("-") or "user"
            handle = _fmt(r.w(P["handle"]), h=base, inst=r.c(P.get("instances", ["social"])), tld=r.c(P.get("tlds", ["com"])))
            display = f"{name} {r.c(P['name_emoji'])}" if name != ctx.site and r.p(0.06) else name
            if name == ctx.site:
                badge = ctx.pick("soc_badge", _T("social", "author_badge"))
            else:
                badge = mark if r.p(verified_p) else ""
            people[name] = (display, handle, badge)
        return people[name]

    shown = {id(cm): person(cm.author) for cm in cms}
    site = person(ctx.site)
    for cm in cms:
        cm.author = shown[id(cm)][0] if both else shown[id(cm)][1]

    def mention(acc: tuple) -> str:
        return "@" + acc[1].lstrip("@")

    def when(cm: _Cm) -> str:
        if kind == "relative":
            return _relative((ctx.now - cm.dt).total_seconds(), ctx.loc.cal, rel_pick)
        if kind == "full":
            text, iso = _fill_date(full_tpl, cm.dt, ctx.loc.cal, ampm)
            if cm.posted is None:
                cm.posted = iso
            return text
        return _compact_when(ctx, cm, dates, _T("social", "units"), days)

    def header(cm: _Cm) -> list:
        display, handle, badge = shown[id(cm)]
        t = ("a", {"href": f"/{handle.lstrip('@')}/status/{r.i(10**15, 10**16)}", "class": ctx.c("post-time")},
             [("time", {"datetime": cm.dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")}, when(cm))])
        name = ctx.a(display if both else handle, f"/{handle}", cls="display-name")
        marks = [" ", ctx.span(badge, "badge")] if badge else []
        h = ctx.span(handle, "handle")
        if both and hlines == "one":
            return [ctx.L(HEAD, name, *marks, " ", h, sep, t, tag="div", cls="post-header", cm=cm)]
        if not both and hlines == "one":
            return [ctx.L(HEAD, name, *marks, sep, t, tag="div", cls="post-header", cm=cm)]
        first = ctx.L(HEAD, name, *marks, tag="div", cls="display-name", cm=cm)
        if both and hlines == "two":
            return [first, ctx.L(HEAD, h, sep, t, tag="div", cls="handle-line", cm=cm)]
        rest = [ctx.L(HEAD, h, tag="div", cls="handle-line", cm=cm)] if both else []
        return [first] + rest + [ctx.L(HEAD, sep.strip() + " " if time_dot else "", t, tag="div", cls="post-time", cm=cm)]

    def replying(acc: tuple, also: tuple | None = None) -> str:
        names = mention(acc) + (ctx.pick("soc_and", P["and"]) + mention(also) if also else "")
        return _fmt(ctx.pick("soc_replying", P["replying"]), names=names, name=acc[0] if both else acc[1])

    def actions(cm: _Cm) -> list:
        vals = [len(cm.kids) + (r.i(1, 9) if r.p(0.1) else 0), int(cm.votes * r.u(0.0, 0.6)), cm.votes * (10 if r.p(0.1) else 1)]
        if row == "counts":
            forms = ctx.pick("soc_counts", P["count_words"])
            items = [_fmt(f[0] if v == 1 else f[1], n=_count_text(v)) for f, v in zip(forms, vals) if v]
            return [ctx.L(FURN, row_sep.join(items), tag="div", cls="post-stats")] if items else []
        if row == "icons":
            icons = ctx.pick("soc_icons", P["icons"])
            return [ctx.L(FURN, row_sep.join(f"{ic} {_count_text(v)}" if v else ic for ic, v in zip(icons, vals)), tag="div", cls="post-actions")]
        if row == "words":
            words = ctx.pick("soc_words", P["words"])
            if words_split:
                return [ctx.X("div", "post-actions", [ctx.L(FURN, w, tag="button") for w in words.split()])]
            return [ctx.L(FURN, words, tag="div", cls="post-actions")]
        if row == "bare" and any(vals):
            return [ctx.X("div", "post-actions", [ctx.L(FURN, _count_text(v), tag="div", cls="count") for v in vals if v])]
        return []

    def one(cm: _Cm) -> _Box:
        parts: list = []
        if ctx.chance("soc_avatar", 0.7):
            parts.append(ctx.img("avatar"))
        parts += header(cm)
        if mode == "indicator":
            parent = shown[id(cm.parent)] if cm.parent is not None else None
            if parent is not None or root_shown:
                acc = parent or site
                if reply_line:
                    grand = shown[id(cm.parent.parent)] if cm.parent is not None and cm.parent.parent is not None and r.p(0.3) else None
                    parts.append(ctx.L(FURN, replying(acc, grand), tag="div", cls="replying-to"))
                else:
                    prefix = mention(acc) + " "
                    cm.paras = [prefix + cm.paras[0]] + cm.paras[1:] if cm.paras else [prefix.strip()]
                cm.reply_shown = parent is not None
        more = False
        if trunc and len(cm.text) > 280:
            cm.paras = _cut_paras(cm.paras, r.i(240, 280))
            more = True
        parts += _ctext(ctx, cm, tag="p" if plat == "mastodon" else "div", br=0.5, box="div", box_cls="post-text")
        if more:
            parts.append(ctx.L(FURN, ctx.pick("soc_more", _T("social", "show_more")), tag="button", cls="show-more"))
        parts += actions(cm)
        box: list = [ctx.X("article", "post", parts)]
        if mode == "nested" and cm.kids:
            reps: list = [one(c) for c in cm.kids]
            if r.p(0.15):
                reps.append(ctx.L(FURN, r.c(P["thread"]), tag="button"))
            box.append(ctx.X("div", "replies", reps, nest=1))
        elif r.p(0.06):
            box.append(ctx.L(FURN, ctx.pick("soc_thread", P["thread"]), tag="a"))
        return ctx.X("div", "thread-item", box)

    kids: list = []
    if r.p(0.6):
        kids.append(ctx.L(FURN, r.c(P["heading"]), tag=r.c(("h2", "h3", "div"))))
    if r.p(0.35):
        n = [_count_text(2 + int(r.u(0, 1) ** 2 * r.c((50, 500, 5000)))) for _ in range(5)]
        kids.append(ctx.L(FURN, _fmt(r.c(P["root_stats"]), r=n[0], b=n[1], q=n[2], l=n[3], k=n[4]), tag="div", cls="root-stats"))
    if r.p(0.4):
        kids.append(ctx.L(FURN, _fmt(r.c(P["join"]), n=len(cms) + r.i(0, 50)), tag="p"))
    if "who_can_reply" in P and r.p(0.15):
        kids += [ctx.L(FURN, _fmt(t, site=site_base), tag="div") for t in r.c(P["who_can_reply"])]
    compose = [ctx.L(FURN, _fmt(t, site=site[0]), tag="div" if k == 0 else "button") for k, t in enumerate(r.c(P["compose"]))]
    compose_at = r.w([("top", 4), ("bottom", 2), ("none", 3)])
    if compose_at == "top":
        kids += compose
    if r.p(0.25):
        kids.append(ctx.L(FURN, r.c(P["sort"]), tag="div", cls="sort"))
    roots = [c for c in order if c.parent is None] if mode == "nested" else order
    kids.append(ctx.X("div", "replies-list", [one(c) for c in roots]))
    if r.p(0.5 if len(cms) > 5 else 0.15):
        kids.append(ctx.L(FURN, r.c(P["more"]), tag="button", cls="load-more"))
    if compose_at == "bottom":
        kids += compose
    return _section(ctx, kids, "social-replies", tag="div")


def _qa_when(ctx: _Ctx, dt: _dt.datetime, style: str) -> tuple[str, str | None]:
    """Stack-Exchange-like times: '3 hours ago' (under two days), 'Mar 3 at 5:12' (this year),
    'Mar 3, 2021 at 5:12' or "Mar 3 '21 at 5:12"; (text, ISO when a year is shown)."""
    d = _T("qa", "dates")[style]
    seconds = max(0.0, (ctx.now - dt).total_seconds())
    if d["year"] is None or (d["recent"] and seconds < 2 * 86400):
        return _relative(seconds, ctx.loc.cal, 0), None
    return _fill_date(d["this_year"] if dt.year == ctx.now.year else d["year"], dt, ctx.loc.cal)


def _rep_text(n: int) -> str:
    """Reputation as shown: '1,234', '45.6k', '1.2m'."""
    if n < 10000:
        return f"{n:,}"
    if n < 10**6:
        return f"{n / 1000:.1f}".rstrip("0").rstrip(".") + "k"
    return f"{n / 10**6:.1f}".rstrip("0").rstrip(".") + "m"


def _fam_qa(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    date_style = r.w(_T("qa", "date_styles"))
    short_max = r.i(150, 600)  # comments are short; longer texts are answers
    p_comment = r.u(0.2, 0.6)
    p_qcomment = r.u(0.05, 0.35) if r.p(0.6) else 0.0
    p_mention = r.u(0.2, 0.7)
    p_user_id = r.u(0.0, 0.12)
    cap = r.i(3, 8)  # comments shown under one post (the others hide behind 'Show N more comments')
    answers: list[_Cm] = []
    qcomments: list[_Cm] = []
    under: dict[int, list[_Cm]] = {}
    for cm in cms:
        if r.p(p_user_id):
            cm.author = _fmt(r.c(_T("qa", "user_ids")), n=r.i(10**5, 3 * 10**7))
        flat = " ".join(cm.paras)
        role = "answer"
        if cm.paras and len(flat) <= short_max:
            if len(qcomments) < cap and r.p(p_qcomment):
                role = "question"
            elif answers and r.p(p_comment):
                role = "comment"
        target = None
        if role == "comment":
            target = answers[max(0, len(answers) - 1 - int(r.u(0, 1) ** 2 * len(answers)))]
            if len(under[id(target)]) >= cap:
                role, target = "answer", None
        if role == "answer":
            answers.append(cm)
            under[id(cm)] = []
            continue
        cm.paras = [flat]
        if target is None:
            thread = qcomments
        else:
            thread = under[id(target)]
            if r.p(0.2) and target.author:
                cm.author = target.author  # the answerer replies in the comments
        earlier = [c for c in thread if c.author != cm.author]
        if earlier and r.p(p_mention):
            parent = earlier[-1] if r.p(0.7) else r.c(earlier)
            cm.paras = [_fmt(ctx.pick("qa_mention", _T("qa", "mention")), name=re.sub(r"\s+", "", parent.author)) + flat]
            cm.parent = parent
        else:
            cm.parent = target  # a comment under an answer answers it; under the question: no reply_to
        if cm.parent is not None:
            cm.reply_shown = True
            if cm.dt <= cm.parent.dt:
                cm.dt = min(ctx.now, cm.parent.dt + _dt.timedelta(seconds=r.i(30, 20000)))
        thread.append(cm)
    score = {id(a): a.votes - (r.i(1, 6) if r.p(0.12) else 0) for a in answers}
    cscore = {id(c): c.votes // 3 for c in cms}
    accepted = None
    if answers and r.p(0.55):
        accepted = r.c(sorted(answers, key=lambda a: -score[id(a)])[:2])
    sort = r.w([("score", 6), ("oldest", 2), ("newest", 1)])
    if sort == "score":
        shown = sorted(answers, key=lambda a: -score[id(a)])
        if accepted is not None and r.p(0.5):
            shown = [accepted] + [a for a in shown if a is not accepted]  # the accepted answer pinned first
    else:
        shown = list(answers) if sort == "oldest" else answers[::-1]
    vote_lines = _T("qa", "votes")[r.w(_T("qa", "vote_styles"))]
    minus = r.c(_T("qa", "minus"))
    acc_mark = r.c(_T("qa", "accepted"))
    menu = r.c(_T("qa", "menu"))
    menu_sep = r.c((" ", " ", "|", " | ")) if r.p(0.6) else None  # None: one line per link
    show_menu = r.p(0.85)
    card = r.w([("time_name", 6), ("name_time", 2)])
    rep_style = r.w(_T("qa", "rep_styles"))
    edit_p = r.u(0.05, 0.35)
    comment_tpl = r.c(_T("qa", "comment"))
    add_tpl = r.c(_T("qa", "add_comment"))
    more_tpl = r.c(_T("qa", "more_comments"))
    add_shown = r.p(0.85)
    add_joined = r.p(0.5)
    cnest = r.p(0.4)
    cscore_shown = r.p(0.8)
    users: dict = {}

    def user(name: str) -> tuple:
        if name not in users:
            rep = 1 + int(r.u(0, 1) ** 3 * r.c((200, 5000, 100000, 1500000)))
            b = r.i(0, min(999, 1 + rep // 300)) if rep > 1 else 0
            s = r.i(0, b // 2 + 1) if b else 0
            g = r.i(0, s // 4) if s else 0
            users[name] = (rep, g, s, b, r.i(1000, 2 * 10**7))
        return users[name]

    def profile(name: str, cls: str = "user-details"):
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "user"
        return ctx.a(name, f"/users/{user(name)[4]}/{slug}", cls=cls)

    def rep_lines(name: str) -> list:
        rep, g, s, b, _ = user(name)
        nums = [(n, k) for k, n in enumerate((g, s, b)) if n]
        if rep_style == "none":
            return []
        if rep_style == "rep":
            return [ctx.L(FURN, _rep_text(rep), tag="div", cls="reputation-score")]
        if rep_style == "lines":
            return [ctx.L(FURN, _rep_text(rep), tag="span", cls="reputation-score")] + [ctx.L(FURN, str(n), tag="span", cls="badge") for n, _ in nums]
        if rep_style == "aria":
            forms = _T("qa", "badges_aria")
            text = _rep_text(rep) + "".join(f" {n} " + _fmt(forms[k][0 if n == 1 else 1], n=n) for n, k in nums)
        else:
            text = _rep_text(rep) + "".join(_T("qa", "badge_sep")[rep_style] + str(n) for n, _ in nums)
        return [ctx.L(FURN, text, tag="div", cls="-flair")]

    def timed(tpl: str, dt: _dt.datetime) -> tuple[list, str | None]:
        text, iso = _qa_when(ctx, dt, date_style)
        pre, _, post = tpl.partition("{when}")
        return [pre, ctx.span(text, "relativetime", title=dt.strftime("%Y-%m-%d %H:%M:%SZ")), post], iso

    def menu_box(post: str):
        items = [_fmt(x, post=post) for x in menu]
        if menu_sep is not None:
            parts = [x for k, it in enumerate(items) for x in ([menu_sep] if k else []) + [ctx.a(it)]]
            return ctx.L(FURN, *parts, tag="div", cls="js-post-menu")
        return ctx.X("div", "js-post-menu", [ctx.L(FURN, ctx.a(it), tag="div") for it in items])

    def signature(cm: _Cm) -> list:
        out: list = []
        if r.p(edit_p):
            edt = cm.dt + (ctx.now - cm.dt) * r.u(0.0, 1.0) ** 2 + _dt.timedelta(seconds=r.i(60, 600))
            edt = min(edt, ctx.now)
            eparts, _ = timed(ctx.pick("qa_edited", _T("qa", "edited")), edt)
            elines: list = [ctx.L(FURN, *eparts, tag="div", cls="user-action-time")]
            editor = ctx.names.new() if r.p(0.5) else None
            if editor and editor != cm.author:
                elines += [ctx.L(FURN, profile(editor), tag="div", cls="user-details")] + rep_lines(editor)
            out.append(ctx.X("div", "post-signature", elines))
        if not cm.author:
            return out
        tparts, iso = timed(ctx.pick("qa_answered", _T("qa", "answered")), cm.dt)
        if cm.posted is None:
            cm.posted = iso
        time_line = ctx.L(HEAD, *tparts, tag="div", cls="user-action-time", cm=cm)
        name_line = ctx.L(HEAD, profile(cm.author), tag="div", cls="user-details", cm=cm)
        lines = [time_line, name_line] + rep_lines(cm.author) if card == "time_name" else [name_line] + rep_lines(cm.author) + [time_line]
        if user(cm.author)[0] < 50 and r.p(0.3):
            lines += [ctx.L(FURN, _fmt(t, name=cm.author), tag="div", cls="new-contributor") for t in ctx.pick("qa_new", _T("qa", "new_contributor"))]
        out.append(ctx.X("div", "post-signature owner", lines))
        return out

    def comments(thread: list) -> _Box | None:
        items: list = []
        for c in thread:
            li: list = []
            if cscore_shown and cscore[id(c)] > 0:
                li.append(ctx.L(FURN, str(cscore[id(c)]), tag="div", cls="comment-score"))
            text, iso = _qa_when(ctx, c.dt, date_style)
            if c.posted is None:
                c.posted = iso
            parts: list = []
            for piece in re.split(r"(\{text\}|\{name\}|\{when\})", comment_tpl):
                if piece == "{text}":
                    parts.append(ctx.span(c.paras[0], "comment-copy"))
                elif piece == "{name}":
                    parts.append(profile(c.author, "comment-user"))
                elif piece == "{when}":
                    parts.append(ctx.span(text, "comment-date", title=c.dt.strftime("%Y-%m-%d %H:%M:%SZ")))
                elif piece:
                    parts.append(piece)
            li.append(ctx.L(CTEXT, *parts, tag="div", cls="comment-body", cm=c))
            items.append(ctx.X("li", "comment", li))
        foot: list = []
        if add_shown:
            foot.append(ctx.a(add_tpl, cls="js-add-link"))
        if thread and r.p(0.2):
            foot.append(ctx.a(_fmt(more_tpl, n=r.i(1, 15)), cls="js-show-link"))
        kids: list = [ctx.X("ul", "comments-list", items)] if items else []
        if foot and add_joined:
            kids.append(ctx.L(FURN, *[x for k, f in enumerate(foot) for x in ([" | "] if k else []) + [f]], tag="div"))
        else:
            kids += [ctx.L(FURN, f, tag="div") for f in foot]
        return ctx.X("div", "comments", kids, nest=1 if cnest else 0) if kids else None

    def answer(cm: _Cm) -> _Box:
        v = score[id(cm)]
        num = str(v) if v >= 0 else minus + str(-v)
        votes = [ctx.L(FURN, _fmt(t, v=num), tag="div", cls="js-vote-count" if "{v}" in t else "js-vote-button") for t in vote_lines]
        if cm is accepted:
            votes.append(ctx.L(FURN, acc_mark, tag="div", cls="js-accepted-answer-indicator"))
        cell: list = _ctext(ctx, cm, tag="p", br=0.1, box="div", box_cls="s-prose js-post-body")
        if show_menu:
            cell.append(menu_box("answer"))
        cell += signature(cm)
        return ctx.X("div", "answer js-answer", [ctx.X("div", "votecell", votes), ctx.X("div", "answercell", cell),
                                                 comments(under[id(cm)])], id=f"answer-{r.i(10**6, 10**8)}")

    kids: list = []
    if show_menu and r.p(0.5):
        kids.append(menu_box("question"))
    if qcomments or r.p(0.5):
        kids.append(comments(qcomments))
    if answers:
        head: list = [ctx.L(FURN, _fmt(r.c(_T("qa", "answers"))[0 if len(answers) != 1 else 1], n=len(answers)), tag="h2", cls="answers-header")]
        sorts = r.c(_T("qa", "sort"))
        if r.p(0.4):
            head.append(ctx.L(FURN, " ".join(sorts), tag="div", cls="answer-sort"))
        else:
            head.append(ctx.X("div", "answer-sort", [ctx.L(FURN, s, tag="div") for s in sorts]))
        kids.append(ctx.X("div", "answers-header", head))
    elif r.p(0.7):
        kids.append(ctx.L(FURN, r.c(_T("qa", "know_someone")), tag="p"))
    lst = _with_ads(ctx, shown, 0.1, answer)
    kids.append(ctx.X("div", "answers", lst, id=ctx.c("answers")))
    if r.p(0.08):
        kids.append(ctx.L(FURN, r.c(_T("qa", "protected")), tag="p"))
    elif r.p(0.6):
        form: list = [ctx.L(FURN, r.c(_T("qa", "your_answer")), tag="h2")]
        pool = _T("qa", "form")
        form += [ctx.L(FURN, _fmt(pool[j], site=ctx.site), tag="div") for j in sorted(r.sample(range(len(pool)), r.i(1, 7)))]
        form.append(_Box("textarea", {"name": "post-text", "rows": "15"}, []))
        form.append(ctx.L(FURN, r.c(_T("qa", "post_button")), tag="button", type="submit"))
        if r.p(0.5):
            form.append(ctx.L(FURN, r.c(_T("qa", "terms")), tag="p"))
        kids.append(ctx.X("form", "post-form", form, id=ctx.c("post-form")))
    if r.p(0.5):
        tags = " ".join(re.sub(r"\W+", "-", t.lower()).strip("-") for t in r.sample(ctx.loc.bl("topics"), r.i(1, 4)))
        kids.append(ctx.L(FURN, _fmt(r.c(_T("qa", "not_the_answer")), tags=tags), tag="h2", cls="bottom-notice"))
    if r.p(0.25):
        rel: list = [ctx.L(BOILER, r.c(_T("qa", "related")), tag="h4")]
        scores = r.p(0.5)
        for t in r.sample(ctx.others, r.i(3, 8)):
            rel.append(ctx.L(BOILER, *([ctx.span(str(r.i(0, 400)), "answer-votes"), " "] if scores else []), ctx.a(t), tag="div"))
        kids.append(ctx.X("div", "related-questions", rel))
    return _section(ctx, kids, "answers-area", tag="div", id=ctx.c("answers-area"))


# =========================================================================== families (held out): wiki talk pages, reviews


def _ip_address(r: _R) -> str:
    """An unregistered editor as a wiki shows them: an IPv4 or IPv6 address."""
    if r.p(0.75):
        return f"{r.i(1, 223)}.{r.i(0, 255)}.{r.i(0, 255)}.{r.i(1, 254)}"
    return f"{r.i(0x2001, 0x2A10):X}:" + ":".join(f"{r.i(0, 0xFFFF):X}" for _ in range(7))


def _flat_text(parts: list) -> list:
    """Inline parts as one string (wikitext dumps have no elements to split)."""
    return ["".join(_part_text(p) for p in parts)]


def _fam_wikitalk(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    colons = ctx.fmt == "text" and r.p(0.4)  # a wikitext dump: ':' indentation, '== Heading ==' lines
    raw = colons and r.p(0.4)  # ... with links and templates as typed ('[[User:Jane|Jane]]', '{{ping|Jane}}')
    visible = ctx.fmt == "html" or colons or bool(ctx.ts.indent)  # the indentation shows who answers whom
    threaded = r.p(0.9)
    order = _thread(ctx, cms, "nested" if threaded else "flat", max_depth=r.i(3, 8), p_reply=r.u(0.3, 0.8))
    nested = threaded and visible  # else the threads keep their order but lose the indentation
    date_tpl = r.w(_T("wikitalk", "dates"))
    sigs = _T("wikitalk", "signatures_raw" if raw else "signatures")
    sig_page = r.w(sigs)
    p_own_sig = r.u(0.0, 0.5)  # users with a signature of their own
    unsigned_tpl = r.w(_T("wikitalk", "unsigned_raw" if raw else "unsigned"))
    undated_tpl = r.c(_T("wikitalk", "undated"))
    p_unsigned = r.u(0.03, 0.25) if r.p(0.6) else 0.0
    p_alone = r.u(0.0, 0.08)  # the signature on a line of its own
    p_ping = r.u(0.05, 0.4) if nested else r.u(0.3, 0.9)
    ping_tpl = r.c(_T("wikitalk", "pings_raw" if raw else "pings"))
    p_ec = r.u(0.0, 0.05) if r.p(0.3) else 0.0
    ec_tpl = r.c(_T("wikitalk", "edit_conflict"))
    colon_sep = r.c(("", "", " "))
    reply = "none" if colons else r.w([("none", 5), ("inline", 3), ("line", 2)])
    reply_word = r.c(_T("wikitalk", "reply_links"))
    br = not colons and r.p(0.15)  # a comment's paragraphs in one element, <br>-separated
    h_tpl = r.c(_T("wikitalk", "raw_headings"))
    edit = r.w(_T("wikitalk", "edit_links"))
    h_tag = r.c(("h2", "h2", "h3"))
    ips: dict = {}
    own: dict = {}
    kind: dict = {}
    for cm in cms:  # how each comment is signed
        k = "sig"
        if r.p(p_unsigned):
            k = r.w([("unsigned", 5), ("unsigned_line", 4), ("undated", 1), ("none", 1)])
            if k != "undated" and r.p(0.7):
                cm.author = ips.setdefault(cm.author, _ip_address(r))
        elif r.p(p_alone):
            k = "alone"
        if not cm.paras and k != "unsigned_line":
            k = "alone"
        cm.shows_author = k != "none"
        kind[id(cm)] = k
    anon = set(ips.values())
    for cm in order:  # '@Name:' pings and '(edit conflict)' start the text
        pinged = False
        if (cm.parent is not None and cm.paras and kind[id(cm.parent)] != "none" and cm.parent.author != cm.author
                and r.p(p_ping)):
            cm.paras[0] = _fmt(ping_tpl, name=cm.parent.author) + cm.paras[0]
            pinged = True
        if not nested:
            cm.reply_shown = pinged
        if cm.paras and r.p(p_ec):
            cm.paras[0] = ec_tpl + cm.paras[0]

    def sig_of(cm: _Cm) -> str:
        if cm.author not in own:
            own[cm.author] = r.w(sigs) if r.p(p_own_sig) and cm.author not in anon else sig_page
        return own[cm.author]

    def user_link(name: str):
        if name in anon:
            return ctx.a(name, f"/wiki/Special:Contributions/{name}", cls="mw-anonuserlink")
        return ctx.a(name, "/wiki/User:" + name.replace(" ", "_"), cls="mw-userlink")

    def signed(cm: _Cm, tpl: str) -> list:
        """A signature-like template: the user name (a link on rendered pages) and the UTC time."""
        when, iso = _fill_date(date_tpl, cm.dt, ctx.loc.cal)
        if cm.posted is None:
            cm.posted = iso
        out: list = []
        for piece in re.split(r"(\{name\})", _fmt(tpl, when=when)):
            if piece == "{name}":
                out.append(cm.author if colons else user_link(cm.author))
            elif piece:
                out.append(piece)
        return out

    def lines_of(cm: _Cm, depth: int) -> list:
        tag = "dd" if depth else "p"
        pre = ":" * depth + colon_sep if colons and depth else ""
        k = kind[id(cm)]
        tail: list = []
        if k == "sig":
            tail = signed(cm, sig_of(cm))
        elif k == "undated":
            tail = signed(cm, sig_of(cm).replace(" {when}", "") + undated_tpl)
        elif k == "unsigned":
            tail = [" "] + signed(cm, unsigned_tpl)
        link = [" ", ctx.span(reply_word, "ext-discussiontools-init-replylink-buttons")] if reply == "inline" else []
        out: list = []
        paras = ["\n\n".join(cm.paras)] if br and len(cm.paras) > 1 else cm.paras
        for j, para in enumerate(paras):
            parts: list = ([pre] if pre else []) + [para]
            if j == len(paras) - 1 and tail:
                parts += tail + link
            out.append(ctx.L(CTEXT, *(_flat_text(parts) if colons else parts), tag=tag, cm=cm))
        if k in ("alone", "unsigned_line"):
            parts = ([pre] if pre else []) + signed(cm, sig_of(cm).lstrip(" ") if k == "alone" else unsigned_tpl)
            if colons:
                parts = _flat_text(parts)
            elif k == "unsigned_line":
                parts = [("small", {"class": ctx.c("autosigned")}, parts)]
            out.append(ctx.L(HEAD, *parts, tag=tag, cls="signature", cm=cm))
        if (reply == "line" or (link and k in ("alone", "unsigned_line"))) and k != "none":
            out.append(ctx.L(FURN, ctx.a(reply_word, "#"), tag=tag, cls="reply-link"))
        return out

    def subtree(cm: _Cm, depth: int) -> list:
        nodes = lines_of(cm, depth)
        if nested and cm.kids:
            kids = [n for c in cm.kids for n in subtree(c, depth + 1)]
            if colons:
                nodes += kids
            elif depth == 0:
                nodes.append(ctx.X("dl", None, kids, nest=1))
            else:
                nodes.append(ctx.X("dd", None, [ctx.X("dl", None, kids, nest=1)]))
        return nodes

    units = [c for c in order if c.parent is None] if nested else order
    p_new = r.u(0.35, 0.9)
    one_section = r.p(0.1)
    sections: list[list[_Cm]] = []
    for c in units:
        if not sections or (c.parent is None and not one_section and r.p(p_new)):
            sections.append([])
        sections[-1].append(c)
    pool = r.shuffle(list(_T("wikitalk", "headings")))
    titles = [_fmt(pool[k % len(pool)], ent=r.c(ctx.ents), date=_fill_date(_T("wikitalk", "heading_dates")[0], sec[0].dt, ctx.loc.cal)[0])
              for k, sec in enumerate(sections)]
    meta = "none" if colons or r.p(0.6) else r.w([("joined", 3), ("lines", 2)])
    meta_sep = r.c(_T("wikitalk", "latest_seps"))
    p_closed = r.u(0.05, 0.2) if r.p(0.25) else 0.0

    def heading(text: str) -> _Line:
        if colons:
            return ctx.L(FURN, _fmt(h_tpl, h=text), tag=h_tag)
        parts: list = [ctx.span(text, "mw-headline", id=re.sub(r"\W+", "_", text))]
        if edit:
            parts.append(ctx.span(edit, "mw-editsection"))
        return ctx.L(FURN, *parts, tag=h_tag)

    def meta_lines(sec: list) -> list:
        everyone = [c for top in sec for c in [top] + (_descendants(top) if nested else [])]
        signers = [c for c in everyone if kind[id(c)] != "none"]
        if meta == "none" or not signers:
            return []
        last = max(signers, key=lambda c: c.dt)
        n, people = len(everyone), len({c.author for c in signers})
        items = [_fmt(_T("wikitalk", "latest"), when=_relative((ctx.now - last.dt).total_seconds(), ctx.loc.cal, 0), name=last.author),
                 _fmt(_T("wikitalk", "n_comments")[n != 1], n=n), _fmt(_T("wikitalk", "n_people")[people != 1], n=people)]
        if meta == "joined":
            return [ctx.L(FURN, meta_sep.join(items), tag="div", cls="ext-discussiontools-ui-sectionMetaItems")]
        return [ctx.X("div", "ext-discussiontools-ui-sectionMetaItems", [ctx.L(FURN, it, tag="span" if k else "div") for k, it in enumerate(items)])]

    kids: list = []
    title = ctx.title or r.c(ctx.others)
    if r.p(0.3):
        kids.append(ctx.L(FURN, _fmt(r.c(_T("wikitalk", "talk_title")), title=title), tag="h1", cls="firstHeading"))
    if r.p(0.3):
        kids.append(_join_or_list(ctx, FURN, r.c(_T("wikitalk", "tabs")), "vector-tabs", joined_p=0.4))
    if r.p(0.55):
        banner = _T("wikitalk", "banner")
        picked = [_fmt(banner[j], title=title) for j in sorted(r.sample(range(len(banner)), r.i(1, 8)))]
        if r.p(0.3):
            picked = [" ".join(picked)]
        kids.append(ctx.X("div", "tmbox talkheader", [ctx.L(FURN, t, tag="div") for t in picked]))
    if r.p(0.3):
        proj = _T("wikitalk", "project")
        cls, imp = r.c(_T("wikitalk", "project_classes")), r.c(_T("wikitalk", "project_importance"))
        lines = [proj[0], proj[1]] if r.p(0.5) else []
        for topic in r.sample(_T("wikitalk", "project_topics"), r.i(1, 3)):
            lines.append(proj[2] if r.p(0.7) else r.c(proj[3:]))
            lines[-1] = _fmt(lines[-1], topic=topic, imp=imp if r.p(0.5) else r.c(_T("wikitalk", "project_importance")))
        kids.append(ctx.X("div", "wpb", [ctx.L(FURN, _fmt(t, cls=cls, imp=imp), tag="div") for t in lines]))
    if r.p(0.1):
        day = _fill_date("{d} {B} {Y}", ctx.published + _dt.timedelta(days=r.i(0, 3)), ctx.loc.cal)[0]
        kids.append(ctx.L(FURN, _fmt(r.c(_T("wikitalk", "in_the_news")), date=day), tag="div", cls="tmbox"))
    if r.p(0.25):
        n_arch = r.i(1, 12)
        arch: list = [ctx.L(FURN, r.c(_T("wikitalk", "archive_heads")), tag="div")]
        if r.p(0.5):
            arch.append(ctx.L(FURN, ", ".join(str(k) for k in range(1, n_arch + 1)), tag="div"))
        else:
            arch += [ctx.L(FURN, f"Archive {k}", tag="li") for k in range(1, n_arch + 1)]
        if r.p(0.5):
            arch.append(ctx.L(FURN, _fmt(r.c(_T("wikitalk", "archive_auto")), n=r.c((7, 14, 30, 60, 90, 365))), tag="div"))
        kids.append(ctx.X("div", "archive-box", arch))
    guide = ctx.X("div", "talk-guidelines", [ctx.L(FURN, t, tag="div") for t in r.c(_T("wikitalk", "guidelines"))]) if r.p(0.2) else None
    new_topic = ctx.L(FURN, r.c(_T("wikitalk", "new_topic")), tag="button", cls="mw-ui-button")
    new_at = r.w([("top", 2), ("bottom", 2), ("none", 3)])
    if guide is not None and r.p(0.5):
        kids.append(guide)
        guide = None
    if new_at == "top":
        kids.append(new_topic)
    if len(sections) >= 2 and r.p(0.3):
        toc = [ctx.L(FURN, f"{k + 1} {t}", tag="li") for k, t in enumerate(titles)]
        kids.append(ctx.X("div", "toc", [ctx.L(FURN, r.c(_T("wikitalk", "contents")), tag="div", cls="toctitle"), ctx.X("ul", None, toc)]))
    if not cms and r.p(0.6):
        kids.append(ctx.X("div", "empty-state", [ctx.L(FURN, t, tag="div") for t in r.c(_T("wikitalk", "empty"))]))
    for sec, text in zip(sections, titles):
        box: list = [heading(text)] + meta_lines(sec)
        closed = r.p(p_closed)
        if closed:
            box.append(ctx.L(FURN, r.c(_T("wikitalk", "closed_top")), tag="div", cls="archived-discussion"))
        for c in sec:
            box += subtree(c, 0) if nested else lines_of(c, 0)
        if closed:
            box.append(ctx.L(FURN, r.c(_T("wikitalk", "closed_bottom")), tag="div", cls="archived-discussion"))
        kids.append(ctx.X("div", "talk-section", box))
    if new_at == "bottom":
        kids.append(new_topic)
    if guide is not None:
        kids.append(guide)
    return _section(ctx, kids, "mw-parser-output", tag="div", id=ctx.c("mw-content-text"))


def _stars_text(form, n: int, glyphs, verdicts) -> str:
    """A 1-5 star rating as shown: '4.0 out of 5 stars', '★★★★☆', 'rated it really liked it'."""
    if isinstance(form, list):
        form = form[0] if n == 1 else form[1]
    return _fmt(form, n=n, glyphs=glyphs[0] * n + glyphs[1] * (5 - n), verdict=verdicts[n - 1])


def _review_rows(r: _R) -> list:
    """A review widget's order of header parts: name or stars first, the date before or after the
    title, neighbours sometimes on one line (never the title with the name or date), a 'Verified'
    line under the name, sometimes the name and date after the text."""
    head = ["name", "stars"] if r.p(0.5) else ["stars", "name"]
    tail = (["date", "title"] if r.p(0.5) else ["title", "date"]) if r.p(0.85) else ["date"]
    rows: list = [[head[0]]]
    for slot in head[1:] + tail:
        prev = rows[-1]
        pair = set(prev) | {slot}
        if len(prev) == 1 and not ("title" in pair and pair & {"name", "date"}) and r.p(0.4):
            prev.append(slot)
        else:
            rows.append([slot])
    if r.p(0.4):
        rows.insert(next(k for k, row in enumerate(rows) if "name" in row) + 1, ["verified"])
    if r.p(0.15):
        foot = [row for row in rows if set(row) <= {"name", "date", "verified"}]
        if any("name" in row for row in foot):
            rows = [row for row in rows if row not in foot] + [["text"]] + foot
    return rows


def _fam_reviews(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    plat = r.w(_T("reviews", "platforms"))
    P = _T("reviews", plat)
    rows = [list(row) for row in r.c(P["rows"])] if P["rows"] else _review_rows(r)
    has_title = any("title" in row for row in rows)
    glyphs = r.w(_T("reviews", "glyphs"))
    verdicts = _T("reviews", "verdicts")
    star_form = r.c(P["stars"])
    star_name_form = r.c(P["stars_after_name"]) if "stars_after_name" in P else None
    name_tpl = r.c(P["name"])
    name_date_tpl = r.c(P["name_date"])
    date_wrap, date_fmt = r.c(P["date"])
    rel_pick = r.c((0, 0, 1))
    joiner = r.c((" ", " ", "  ", " · ", " | "))
    link_names = r.p(0.6)
    p_anon = r.u(0.02, 0.15) if P["anon"] and r.p(0.5) else 0.0
    p_badge = r.u(0.02, 0.2) if r.p(0.5) else 0.0
    badge_row = any("badge" in row for row in rows) or r.p(0.5)  # else the badge follows the name on its line
    if not any("badge" in row for row in rows) and badge_row:
        rows.insert(next(k for k, row in enumerate(rows) if "name" in row) + 1, ["badge"])
    p_verified = r.u(0.3, 0.95) if P["verified"] and any("verified" in row for row in rows) else 0.0
    verified_tpl = r.c(P["verified"]) if P["verified"] else ""
    title_kinds = [("pool", 6), ("derived", 3)]
    title_kind = r.w(title_kinds) if r.p(0.7) else None  # None: each review its own kind
    p_auto = r.u(0.1, 0.4) if plat == "amazon" and r.p(0.4) else 0.0  # 'Five Stars': the title given when none was written
    trunc = r.i(180, 500) if r.p(0.45) else 0
    read_more = r.c(P["read_more"])
    helpful = r.c(P["helpful"]) if r.p(0.85) else None
    acts = r.c(P["actions"]) if r.p(0.8) else []
    p_resp = r.u(0.05, 0.3) if P["response"] and r.p(0.5) else 0.0
    resp_tpl = r.w(P["response"]) if P["response"] else ""
    resp_merged = r.p(0.5)
    p_stats = r.u(0.3, 1.0) if "stats" in P and r.p(0.4) else 0.0
    p_shelves = r.u(0.1, 0.5) if plat == "goodreads" and r.p(0.3) else 0.0
    p_rec = r.u(0.2, 0.8) if "recommend" in P and r.p(0.35) else 0.0
    p_vine = 0.03 if plat == "amazon" else 0.0
    avatar = r.p(0.5)
    title_tag = r.c(("h3", "h4", "div", "p"))
    name_tag = r.c(("div", "div", "h4", "p"))
    body_tag = r.c(("span", "p", "div"))
    sort = r.w([("top", 5), ("recent", 4), ("asis", 1)])
    ratings = _T("reviews", "ratings")
    rating: dict = {}
    title: dict = {}
    badges: dict = {}
    reviews: list[_Cm] = []
    responses: dict = {}

    def make_title(cm: _Cm, n: int) -> str:
        if r.p(p_auto):
            return _T("reviews", "auto_titles")[n - 1]
        k = title_kind or r.w(title_kinds)
        if k == "derived" and cm.paras:  # a short first sentence is the title, the review goes on below it
            first, *rest = _SENT.split(cm.paras[0], 1)
            clean = (first.endswith((".", "!", "?")) and len(first.split()) >= 2 and first.count("(") == first.count(")")
                     and first.count('"') % 2 == 0 and not re.search(r"\b(?:i\.e|e\.g|etc|vs|Mr|Dr|St)\.$", first))
            if clean and len(first) <= 70 and (rest or len(cm.paras) > 1):
                cm.paras = rest + cm.paras[1:]
                return first.rstrip(".") if r.p(0.5) and not first.endswith("..") else first
        return r.c(_T("reviews", "titles")["pos" if n >= 4 else "mid" if n == 3 else "neg"])

    i = 0
    while i < len(cms):
        cm = cms[i]
        i += 1
        if r.p(p_anon):
            cm.author = r.c(P["anon"])
        rating[id(cm)] = r.w(ratings)
        if cm.author not in badges:
            badges[cm.author] = r.c(P["badges"]) if P["badges"] and r.p(p_badge) else ""
        if has_title:
            title[id(cm)] = make_title(cm, rating[id(cm)])
        reviews.append(cm)
        if i < len(cms) and r.p(p_resp):  # the seller's / developer's answer to this review
            resp = cms[i]
            i += 1
            resp.parent, resp.reply_shown = cm, True
            resp.author = ctx.site
            resp.shows_author = "{site}" in resp_tpl
            if resp.dt <= cm.dt:
                resp.dt = min(ctx.now, cm.dt + _dt.timedelta(seconds=r.i(3600, 30 * 86400)))
            responses[id(cm)] = resp
    if sort == "top":
        shown = sorted(reviews, key=lambda c: -c.votes)
    elif sort == "recent":
        shown = sorted(reviews, key=lambda c: c.dt, reverse=True)
    else:
        shown = list(reviews)

    def date_text(cm: _Cm) -> str:
        if date_fmt == "relative":
            return _relative((ctx.now - cm.dt).total_seconds(), ctx.loc.cal, rel_pick)
        text, iso = _fill_date(date_fmt, cm.dt, ctx.loc.cal)
        if cm.posted is None:
            cm.posted = iso
        return text

    def name_el(cm: _Cm):
        slug = re.sub(r"[^a-z0-9]+", "-", cm.author.lower()).strip("-") or "user"
        return ctx.a(cm.author, f"/profile/{slug}", cls="profile-name") if link_names else ctx.span(cm.author, "profile-name")

    def fill(tpl: str, cm: _Cm) -> list:
        out: list = []
        for piece in re.split(r"(\{name\}|\{date\}|\{site\})", tpl):
            if piece in ("{name}", "{site}"):
                out.append(name_el(cm))
            elif piece == "{date}":
                out.append(ctx.span(date_text(cm), "review-date"))
            elif piece:
                out.append(piece)
        return out

    def slot(cm: _Cm, name: str, after_name: bool) -> list:
        if name == "name":
            badge = badges[cm.author]
            return fill(name_tpl, cm) + ([" ", ctx.span(badge, "badge")] if badge and not badge_row else [])
        if name == "stars":
            form = star_name_form if after_name and star_name_form else star_form
            return [ctx.span(_stars_text(form, rating[id(cm)], glyphs, verdicts), "a-icon-alt")]
        if name == "title":
            return [ctx.span(title[id(cm)], "review-title")] if title.get(id(cm)) else []
        if name == "date":
            return fill(date_wrap, cm)
        if name == "badge":
            return [badges[cm.author]] if badges[cm.author] else []
        if name == "verified" and r.p(p_verified):
            return [_fmt(verified_tpl, format=r.c(_T("reviews", "formats")))]
        return []

    def row_line(cm: _Cm, row: list) -> _Line | None:
        if row == ["name", "date"]:
            parts = fill(name_date_tpl, cm)
        else:
            parts = []
            for k, s in enumerate(row):
                got = slot(cm, s, k > 0 and row[k - 1] == "name")
                if got and parts:
                    plain = {row[k - 1], s} == {"stars", "title"} or (s == "stars" and star_name_form and row[k - 1] == "name")
                    parts.append(" " if plain else joiner)
                parts += got
        shown_slots = {s for s in row if s != "title" or title.get(id(cm))}
        if not parts:
            return None
        if "title" in shown_slots:
            return ctx.L(CTEXT, *parts, tag=title_tag, cls="review-title", cm=cm)
        if shown_slots & {"name", "date"}:
            return ctx.L(HEAD, *parts, tag=name_tag if "name" in row else "div", cls="review-byline", cm=cm)
        return ctx.L(FURN, *parts, tag="div", cls="review-" + row[0])

    def body(cm: _Cm) -> list:
        more = bool(trunc) and len(cm.text) > trunc
        if more:
            cm.paras = _cut_paras(cm.paras, trunc)
        lines = _ctext(ctx, cm, tag=body_tag, br=0.3, box="div", box_cls="review-text")
        if more:
            lines.append(ctx.L(FURN, read_more, tag="div", cls="read-more"))
        return lines

    def counts(cm: _Cm) -> list:
        out: list = []
        v = cm.votes
        if helpful is not None and v:
            out.append(ctx.L(FURN, _fmt(helpful[0 if v == 1 else 1], n=v, k=r.i(0, max(1, v // 3))), tag="div", cls="helpful-count"))
        if acts:
            out.append(_actions(ctx, list(acts), "review-actions", joined_p=0.6))
        return out

    def response(cm: _Cm) -> _Box:
        head = fill(resp_tpl, cm)
        parts: list = []
        if resp_merged:
            parts.append(ctx.L(HEAD, *head, joiner, ctx.span(date_text(cm), "review-date"), tag="div", cls="response-head", cm=cm))
        else:
            parts.append(ctx.L(HEAD, *head, tag="div", cls="response-head", cm=cm))
            parts.append(ctx.L(HEAD, date_text(cm), tag="div", cls="response-date", cm=cm))
        parts += _ctext(ctx, cm, tag=body_tag, br=0.3, box="div", box_cls="review-text")
        return ctx.X("div", "review-response", parts, nest=1)

    def review(cm: _Cm) -> _Box:
        parts: list = [ctx.img("avatar")] if avatar else []
        text_done = False
        for row in rows:
            if row == ["text"]:
                parts += body(cm)
                text_done = True
                continue
            line = row_line(cm, row)
            if line is not None:
                parts.append(line)
            if "name" in row and r.p(p_stats):
                parts.append(ctx.L(FURN, _fmt(r.c(P["stats"]), n=r.i(1, 900), k=r.i(0, 5000)), tag="div", cls="reviewer-stats"))
            if "verified" in row and r.p(p_vine):
                parts.append(ctx.L(FURN, P["vine"], tag="div", cls="vine"))
        if not text_done:
            parts += body(cm)
        if title.get(id(cm)):
            cm.paras = [title[id(cm)]] + cm.paras  # the title leads the review's text
        if r.p(p_shelves):
            shelves = ", ".join(r.sample(_T("reviews", "shelves"), r.i(1, 4)))
            parts.append(ctx.L(FURN, f"Shelves: {shelves}", tag="div", cls="shelves"))
        if r.p(p_rec):
            parts.append(ctx.L(FURN, r.c(P["recommend"]), tag="div", cls="recommend"))
        parts += counts(cm)
        box: list = [ctx.X("div", "review", parts)]
        if id(cm) in responses:
            box.append(response(responses[id(cm)]))
        return ctx.X("div", "review-item", box, id=f"R{r.i(10**9, 10**10):X}")

    # the rating summary above the list
    n_rev = len(reviews)
    total = n_rev + int(r.u(0, 1) ** 2 * r.c((50, 800, 12000)))
    n_ratings = total + r.i(0, total * 3)
    base = (0.5, 0.2, 0.1, 0.07, 0.13)
    ws = [b * r.u(0.3, 1.0) for b in base]
    pct = [round(100 * w / sum(ws)) for w in ws]
    pct[0] += 100 - sum(pct)
    avg = sum((5 - k) * p for k, p in enumerate(pct)) / 100
    fill_kw = {"avg": f"{avg:.1f}", "total": f"{n_ratings:,}", "reviews": f"{total:,}", "shown": min(n_rev, 10),
               "p5": pct[0] + pct[1], "glyphs": glyphs[0] * round(avg) + glyphs[1] * (5 - round(avg))}
    kids: list = []
    if r.p(0.9):
        kids.append(ctx.L(FURN, _fmt(r.c(P["heading"]), **fill_kw), tag=r.c(("h2", "h3")), cls="reviews-heading"))
    if n_rev and r.p(0.75):
        summ = P["summary"]
        kids.append(ctx.X("div", "rating-summary", [ctx.L(FURN, _fmt(summ[j], **fill_kw), tag="div")
                                                    for j in sorted(r.sample(range(len(summ)), r.i(1, 3)))]))
    if n_rev and r.p(0.6):
        form = r.c(P["hist"])
        split = len(form) > 1 and r.p(0.6)
        hist: list = []
        for k in range(5):
            pieces = [_fmt(f, k=5 - k, p=pct[k], c=f"{round(n_ratings * pct[k] / 100):,}") for f in form]
            hist += [ctx.L(FURN, x, tag="div") for x in pieces] if split else [ctx.L(FURN, " ".join(pieces), tag="div")]
        kids.append(ctx.X("div", "histogram", hist))
    if n_rev and r.p(0.3):
        kids.append(ctx.L(FURN, _fmt(r.c(P["how"]), **fill_kw), tag="div"))
    write = [_fmt(t, **fill_kw) for t in r.c(P["write"])]
    write_at = r.w([("top", 4), ("bottom", 2), ("none", 2)])
    if write_at == "top":
        kids.append(ctx.X("div", "write-review", [ctx.L(FURN, t, tag="div" if k < len(write) - 1 else "button") for k, t in enumerate(write)]))
    if n_rev:
        for key, p in (("top", 0.35), ("filter", 0.25), ("sort", 0.45), ("showing", 0.25)):
            if r.p(p):
                item = r.c(P[key])
                items = [_fmt(t, **fill_kw) for t in (item if isinstance(item, list) else [item])]
                kids.append(_join_or_list(ctx, FURN, items, "reviews-" + key, box_tag="div", joined_p=0.4, links=False))
    elif r.p(0.7):
        kids.append(ctx.L(FURN, r.c(_T("reviews", "empty")), tag="p"))
    lst = _with_ads(ctx, shown, 0.1, review)
    kids.append(ctx.X("div", "review-list", lst))
    if n_rev and r.p(0.6):
        kids.append(ctx.L(FURN, _fmt(r.c(P["more"]), **fill_kw), tag="a" if r.p(0.5) else "button", cls="see-all"))
    if write_at == "bottom":
        kids.append(ctx.L(FURN, write[-1], tag="button"))
    return _section(ctx, kids, "reviews", tag="div", id=ctx.c("customer-reviews"))


# =========================================================================== families (held out): photo-app comments, mailing-list archives


def _ascii_name(name: str, r: _R, seps: Sequence[str] = ("", "_", ".")) -> str:
    """A user name or mail address part made of a name: lower-case ASCII letters, digits, '_' and '.'."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9_.]", "", folded.replace(" ", r.c(seps))).strip("._")


def _app_when(ctx: _Ctx, cm: _Cm, units: dict, days: float, dates: Sequence[str]) -> str:
    """A photo app's comment age: the largest unit of ``units`` ('2w', '3d ago', '1y') under ``days``
    days, then a date (``dates`` = (this year's template, other years' template)); a year shown gives
    ``posted_at``."""
    seconds = max(1.0, (ctx.now - cm.dt).total_seconds())
    if seconds < days * 86400:
        for unit, size in (("y", 365 * 86400), ("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
            if unit in units and seconds >= size:
                return _fmt(units[unit], n=int(seconds // size))
    text, iso = _fill_date(dates[0] if cm.dt.year == ctx.now.year else dates[1], cm.dt, ctx.loc.cal)
    if cm.posted is None:
        cm.posted = iso
    return text


def _fam_instagram(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    plat = r.w(_T("instagram", "platforms"))
    P = _T("instagram", plat)
    order = _thread(ctx, cms, "nested", max_depth=r.i(1, 4), p_reply=r.u(0.1, 0.6), newest_first=r.p(0.3))
    nested = _nest_visible(ctx)  # replies visibly under their thread's first comment
    for cm in cms:
        if r.p(0.04):
            cm.author = ctx.site  # the page's own account answers a reader
    site_handle = (_ascii_name(ctx.site, r, ("",)) or "news")[:24]
    mark = r.c(P["marks"])
    site_badge = r.c(P["site_badge"])
    verified_p = r.u(0.0, 0.15)
    emoji_p = 0.0 if P["names"] == "handle" else r.u(0.0, 0.1)
    fan_p = r.u(0.03, 0.2) if "top_fan" in P and r.p(0.5) else 0.0
    people: dict = {}

    def account(name: str) -> tuple:
        """(name as shown, profile link, badge after the name, badge line above it) of one account."""
        if name not in people:
            handle = _ascii_name(name, r) or f"user{r.i(100, 99999)}"
            if name == ctx.site:
                handle = site_handle
                shown = handle if P["names"] == "handle" else ctx.site
                badge = " ".join(x for x in (mark, site_badge) if x)
            else:
                if r.p(0.3):
                    handle += r.c((str(r.i(1, 99)), f"_{r.i(1, 999)}", "_", str(r.i(1960, 2010))))
                handle = handle[:30]
                if P["names"] == "handle":
                    shown = handle
                elif P["names"] == "person":
                    shown = ctx.names.person()
                else:
                    shown = name
                if r.p(emoji_p):
                    shown = f"{shown} {r.c(_T('instagram', 'name_emoji'))}"
                badge = mark if r.p(verified_p) else ""
            if plat == "instagram":
                link = f"/{handle}/"
            elif plat == "tiktok":
                link = f"/@{handle}"
            else:
                link = "https://m.facebook.com/" + (_ascii_name(shown, r, (".",)) or handle)
            fan = ctx.pick("ig_fan", P["top_fan"]) if fan_p and name != ctx.site and r.p(fan_p) else ""
            people[name] = (shown, link, badge, fan)
        return people[name]

    acc = {id(cm): account(cm.author) for cm in cms}
    for cm in cms:
        cm.author = acc[id(cm)][0]
    roots = [c for c in order if c.parent is None]
    p_at = r.u(*P["p_mention"])
    plain_tag = plat == "fbmobile" and r.p(0.6)  # Facebook tags the parent's name without '@'
    arrow: dict = {}
    for root in roots:
        for c in _descendants(root):
            par = c.parent
            if plat == "tiktok" and par is not root:
                arrow[id(c)] = par  # 'Name ▸ Parent text'
                c.reply_shown = True
            elif par is not root or r.p(p_at):
                prefix = ("" if plain_tag else "@") + par.author + " "
                c.paras = [prefix + c.paras[0]] + c.paras[1:] if c.paras else [prefix.strip()]
                c.reply_shown = True
            else:
                c.reply_shown = nested
    sep = r.c(P["meta_seps"])
    likes_form = r.c(P["likes"])
    acts = r.c(P["actions"])
    meta_split = r.p(0.2)  # age, likes and actions as elements of their own (only the age line is the header)
    days, dates = r.c(P["days"]), r.c(P["dates"])
    likes_before = r.p(0.5)  # a like count of its own: before or after the meta line
    p_tr = r.u(0.02, 0.15) if r.p(0.5) else 0.0
    p_liked = r.u(0.02, 0.2) if r.p(0.4) else 0.0
    liked_tpl = r.c(P["liked"])
    liked_before = r.p(0.4)
    p_edit = r.u(0.0, 0.05)
    pinned = r.p(0.2)
    br = r.p(0.3)  # all paragraphs in the first element, <br>-separated
    br_sep = r.c(("\n", "\n\n"))
    trunc = r.i(150, 320) if P["see_more"] and r.p(0.4) else 0
    see_more = r.c(P["see_more"]) if P["see_more"] else ""
    toggle = r.w(P["toggles"])  # 'View replies (3)' above the replies, 'Hide replies' above (or below) them, or none
    item_tag = r.c(("li", "div"))
    text_tag = r.c(("div", "div", "p"))

    def age(cm: _Cm):
        text = _app_when(ctx, cm, P["units"], days, dates)
        if r.p(p_edit):
            text = f"{text} · {P['edited']}" if r.p(0.5) else f"{P['edited']} · {text}"
        return ctx.a(("time", {"datetime": cm.dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")}, text), f"/c/{r.i(10**15, 10**16)}/", cls="comment-age")

    def likes(cm: _Cm) -> str:
        return _fmt(likes_form[0 if cm.votes == 1 else 1], n=_count_text(cm.votes)) if cm.votes else ""

    def meta(cm: _Cm) -> list:
        row = [age(cm)]
        extra = [] if P["likes_line"] else [likes(cm)]
        extra = [x for x in extra + list(acts) if x]
        if P["translate_in_row"] and r.p(p_tr):
            extra.append(ctx.pick("ig_tr", P["translate"]))
        if meta_split:
            return [ctx.X("div", "comment-meta", [ctx.L(HEAD, *row, tag="div", cm=cm)] +
                          [ctx.L(FURN, x, tag=r.c(("div", "button")), cls="comment-action") for x in extra])]
        parts: list = list(row)
        for x in extra:
            parts += [sep, ctx.span(x, "comment-action")]
        return [ctx.L(HEAD, *parts, tag="div", cls="comment-meta", cm=cm)]

    def first_lines(cm: _Cm) -> list:
        shown, link, badge, _ = acc[id(cm)]
        head: list = [ctx.a(shown, link, cls="commenter-handle")]
        if badge:
            head += [" ", ctx.span(badge, "verified-badge")]
        if id(cm) in arrow:
            head += [" ▸ ", ctx.a(arrow[id(cm)].author, acc[id(arrow[id(cm)])][1], cls="reply-target")]
        if br and len(cm.paras) > 1:
            return [ctx.L(CTEXT, *head, " ", br_sep.join(cm.paras), tag=text_tag, cls="comment-text", cm=cm)]
        return ([ctx.L(CTEXT, *head, " ", cm.paras[0], tag=text_tag, cls="comment-text", cm=cm)]
                + [ctx.L(CTEXT, p, tag=text_tag, cls="comment-text", cm=cm) for p in cm.paras[1:]])

    def comment(cm: _Cm, first: bool) -> _Box:
        parts: list = []
        if pinned and first:
            parts.append(ctx.L(FURN, _fmt(ctx.pick("ig_pinned", P["pinned"]), site=ctx.site), tag="div", cls="pinned"))
        if acc[id(cm)][3]:
            parts.append(ctx.L(FURN, acc[id(cm)][3], tag="div", cls="fan-badge"))
        more = bool(trunc) and len(cm.text) > trunc
        if more:
            cm.paras = _cut_paras(cm.paras, trunc)
        parts += first_lines(cm)
        if more:
            parts.append(ctx.L(FURN, see_more, tag="div", cls="see-more"))
        if not P["translate_in_row"] and r.p(p_tr):
            parts.append(ctx.L(FURN, ctx.pick("ig_tr", P["translate"]), tag="div", cls="see-translation"))
        count = [ctx.L(FURN, likes(cm), tag="div", cls="like-count")] if P["likes_line"] and cm.votes else []
        liked = [ctx.L(FURN, liked_tpl, tag="div", cls="creator-liked")] if r.p(p_liked) else []
        parts += (count if likes_before else []) + (liked if liked_before else []) + meta(cm)
        parts += ([] if likes_before else count) + ([] if liked_before else liked)
        return ctx.X(item_tag, "comment", parts)

    def thread(root: _Cm, first: bool) -> _Box:
        box: list = [comment(root, first)]
        reps = sorted(_descendants(root), key=lambda c: c.dt)
        if reps:
            n = len(reps) + (r.i(1, 8) if r.p(0.15) else 0)
            items: list = []
            if toggle == "view":
                items.append(ctx.L(FURN, _fmt(ctx.pick("ig_view", P["view_replies"])[n != 1], n=n), tag="button", cls="view-replies"))
            elif toggle == "hide" and not P["hide_after"]:
                items.append(ctx.L(FURN, ctx.pick("ig_hide", P["hide_replies"]), tag="button", cls="view-replies"))
            items += [comment(c, False) for c in reps]
            if n > len(reps):
                items.append(ctx.L(FURN, _fmt(r.c(P["more_replies"])[n - len(reps) != 1], n=n - len(reps)), tag="button", cls="more-replies"))
            elif toggle == "hide" and P["hide_after"]:
                items.append(ctx.L(FURN, ctx.pick("ig_hide", P["hide_replies"]), tag="button", cls="view-replies"))
            box.append(ctx.X("ul", "replies", items, nest=1))
        return ctx.X(item_tag, "comment-thread", box)

    kids: list = []
    if r.p(0.3):
        post = P["post"]
        pdate = _fill_date(r.c(P["post_dates"]), ctx.published, ctx.loc.cal, 1)[0]
        lines = [_fmt(post[j], site=ctx.site, handle=site_handle, n=_count_text(r.i(20, 90000)), k=_count_text(len(cms) + r.i(0, 900)),
                      name=account(ctx.names.new())[0], date=pdate.upper() if plat == "instagram" and r.p(0.5) else pdate)
                 for j in sorted(r.sample(range(len(post)), r.i(1, 4)))]
        kids.append(ctx.X("header", "post-header", [ctx.L(FURN, t, tag="div") for t in lines]))
    total = len(cms) + (r.i(1, 400) if r.p(0.5) else 0)
    if cms and r.p(0.7):
        kids.append(ctx.L(FURN, _fmt(r.c(P["heading"]), n=_count_text(total)), tag=r.c(("div", "a", "h2")), cls="comments-count"))
    elif not cms and r.p(0.7):
        kids.append(ctx.L(FURN, r.c(P["empty"]), tag="div", cls="empty-comments"))
    compose = [ctx.L(FURN, _fmt(t, name=ctx.names.person()), tag="div" if k == 0 else "button") for k, t in enumerate(r.c(P["compose"]))]
    compose_at = r.w([("bottom", 4), ("top", 2 if plat == "fbmobile" else 1), ("none", 2)])
    if compose_at == "top":
        kids.append(ctx.X("form", "comment-form", compose))
    kids.append(ctx.X("ul", "comment-list", [thread(c, k == 0) for k, c in enumerate(roots)]))
    if cms and total > len(cms) and r.p(0.6):
        kids.append(ctx.L(FURN, _fmt(r.c(P["more"]), n=total - len(cms)), tag="button", cls="load-more"))
    if compose_at == "bottom":
        kids.append(ctx.X("form", "comment-form", compose))
    if r.p(0.4):
        kids.append(ctx.L(FURN, r.c(P["login"]), tag="div", cls="login-prompt"))
    return _section(ctx, kids, "app-comments", tag="div")


def _fam_newsgroup(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    cms = _new_comments(ctx, pl)
    style = r.w(_T("newsgroup", "styles"))
    S = _T("newsgroup", style)
    _thread(ctx, cms, "indicator", max_depth=r.i(3, 8), p_reply=r.u(0.35, 0.85))
    for cm in cms:
        cm.reply_shown = False  # set below where the page shows the parent
    order = _preorder([c for c in cms if c.parent is None]) if r.p(0.5) else list(cms)  # thread order, else date order
    slug = (_ascii_name(ctx.site, r, ("",)) or "news")[:14]
    lst = _fmt(r.c(_T("newsgroup", "lists")), slug=slug)
    kw = {"list": lst, "List": lst[:1].upper() + lst[1:], "domain": ctx.domain, "slug": slug}
    title = ctx.title or r.c(ctx.others)
    group = _fmt(r.c(_T("newsgroup", "newsgroups")), slug=slug)
    ampm = r.c((1, 1, 0))
    p_bare = r.u(0.0, 0.12) if r.p(0.5) else 0.0
    p_sig = r.u(0.0, 0.5)
    p_quote = r.u(0.5, 0.95)  # replies that quote their parent
    p_attr = r.u(0.6, 1.0)  # ... under an attribution line
    p_art = r.u(0.05, 0.3) if r.p(0.35) else 0.0  # first messages that quote the article
    p_cut = r.u(0.2, 0.8)  # quotes cut after a few paragraphs
    p_snip = r.u(0.0, 0.6)
    p_gap = r.u(0.0, 1.0)  # bare '>' lines between quoted paragraphs
    compact = r.p(0.65)  # '>> text', else '> > text'
    max_level = r.i(2, 4)
    blockquote = style == "groups" and r.p(0.5)  # quotes in nested <blockquote>s, without '>' marks
    hide = style == "groups" and r.p(0.4)  # '- show quoted text -' instead of the quote
    pre = style != "groups" and r.p(0.7)  # a message body is one <pre> (else one element per line)
    people: dict = {}

    def address(email: str) -> str:
        """An address as the archive shows it: 'jane at example.org' (Pipermail), 'jan...@example.org'."""
        if style == "pipermail":
            return email.replace("@", " at ")
        if style == "groups":
            user, dom = email.split("@", 1)
            return f"{user[:max(1, min(len(user) - 1, r.i(3, 8)))]}...@{dom}"
        return email

    def person(name: str) -> dict:
        if name not in people:
            local = _ascii_name(name, r, (".", "", "_")) or f"user{r.i(10, 9999)}"
            if r.p(0.2):
                local += str(r.i(1, 99))
            email = f"{local}@{r.c(_T('newsgroup', 'domains'))}"
            shown_email = address(email)
            tz, tzname = r.c(_T("newsgroup", "zones"))
            sig: list[str] = []
            if r.p(p_sig):
                pool = [name if r.p(0.7) else name.split()[0], _fmt(r.c(_T("newsgroup", "sig_roles")), place=r.c(_res("names")["places"])),
                        _fmt(r.c(_T("newsgroup", "sig_mottos")), hex=f"{r.i(0, 16**8 - 1):08X}", n=r.i(1000, 599999)),
                        _fmt(r.c(_T("newsgroup", "sig_urls")), h=local.split(".")[0] or "home")]
                sig = [pool[j] for j in sorted(r.sample(range(4), r.i(1, 3)))]
            people[name] = {
                "email": email, "shown_email": shown_email, "tz": tz, "tzname": tzname, "bare": r.p(p_bare), "sig": sig,
                "attr": r.w(_T("newsgroup", "attributions")), "habit": r.w([("bottom", 6), ("top", 2), ("inline", 2)]),
                "re": "RE: " if r.p(0.1) else "Re: ", "org": _fmt(r.c(_T("newsgroup", "headers")["orgs"]), place=r.c(_res("names")["places"])),
                "agent": r.c(_T("newsgroup", "headers")["agents"]),
            }
        return people[name]

    rec = {id(cm): person(cm.author) for cm in cms}
    for cm in cms:
        if rec[id(cm)]["bare"]:
            cm.author = rec[id(cm)]["shown_email"]  # no display name: the address as shown
    msgid: dict = {}
    for cm in cms:
        dom = rec[id(cm)]["email"].split("@", 1)[1]
        if dom == "gmail.com":
            msgid[id(cm)] = "CA+" + "".join(r.c("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") for _ in range(r.i(24, 40))) + "@mail.gmail.com"
        else:
            msgid[id(cm)] = f"{r.i(10**9, 10**10):x}.{r.i(100, 99999)}@{r.c(('', 'mail.', 'news.', 'smtp.'))}{dom}"
    subject: dict = {}
    for cm in cms:
        if cm.parent is None and r.p(0.4):
            subject[id(cm)] = title
        else:
            subject[id(cm)] = rec[id(cm)]["re"] + title

    def attribution(cm: _Cm, name: str, email: str, dt: _dt.datetime, tz: str, mid: str) -> str:
        tpl = rec[id(cm)]["attr"]
        if name == email:
            tpl = tpl.replace("{name} <{email}>", "{email}")
        text, _ = _fill_date(tpl, dt, ctx.loc.cal, ampm)
        return _fmt(text, name=name, email=email, tz=tz, msgid=mid)

    def quoted(blocks: list, cut: bool) -> list:
        """The lines of ``blocks`` one quote level deeper; own paragraphs cut after a few when ``cut``."""
        out: list = []
        own_left = r.i(1, 3) if cut else 10**6
        gap = r.p(p_gap)
        for block in blocks:
            kind = block[0][2]
            if kind == "sig" and r.p(0.8):
                continue
            if kind == "own":
                if own_left <= 0:
                    if r.p(p_snip):
                        out.append((0, r.c(_T("newsgroup", "snips")), "snip"))
                    break
                own_left -= 1
            lines = [(lv + 1, t, "quote") for lv, t, _ in block if lv + 1 <= max_level]
            if lines and out and gap:
                out.append((1, "", "gap"))
            out += lines
        return out

    bodies: dict = {}  # id -> blocks of (quote level, text, kind)
    hidden: dict = {}  # id -> where a hidden quote was ('- show quoted text -')
    for cm in cms:
        own = [[(0, p, "own")] for p in cm.paras]
        me = rec[id(cm)]
        sig = [[(0, "-- ", "sig")] + [(0, s, "sig") for s in me["sig"]]] if me["sig"] else []
        par = cm.parent
        quote: list = []
        habit = me["habit"]
        if par is not None and r.p(p_quote) and bodies[id(par)]:
            pr = rec[id(par)]
            attr = blockquote or r.p(p_attr)  # Gmail's blockquotes always come under an attribution line
            head = [(0, attribution(cm, par.author, pr["shown_email"], par.dt, pr["tz"], msgid[id(par)]), "attr")] if attr else []
            if habit == "inline" and len(own) >= 2 and sum(b[0][2] == "own" for b in bodies[id(par)]) >= 2:
                pown = [b for b in bodies[id(par)] if b[0][2] == "own"]
                blocks: list = []
                for j, block in enumerate(own):
                    if j < len(pown):
                        blocks.append((head if j == 0 else []) + quoted([pown[j]], False))
                    blocks.append(block)
                bodies[id(cm)] = blocks + sig
                cm.reply_shown = True
                continue
            quote = head + quoted(bodies[id(par)], r.p(p_cut))
            if quote and hide:
                hidden[id(cm)] = habit
                quote = []
            elif quote:
                cm.reply_shown = True
        elif par is None and r.p(p_art) and ctx.sentences:
            lines = [(1, s, "quote") for s in r.sample(ctx.sentences[:12], r.i(1, 2))]
            email = address(f"news@{ctx.domain}")
            quote = [(0, attribution(cm, ctx.site, email, ctx.published, "+0000", f"{r.i(10**6, 10**7)}@{ctx.domain}"), "attr")] + lines
        if habit == "top" and (quote or id(cm) in hidden):
            bodies[id(cm)] = own + sig + ([quote] if quote else [])
        else:
            bodies[id(cm)] = ([quote] if quote else []) + own + sig

    def shown(lv: int, t: str) -> str:
        if blockquote or lv == 0:
            return t.rstrip()
        return ((">" * lv + " ") if compact else "> " * lv) + t if t else (">" * lv if compact else "> " * lv).rstrip()

    for cm in cms:  # the text is what the body shows, line by line
        cm.paras = [s.strip() for block in bodies[id(cm)] for lv, t, _ in block for s in [shown(lv, t)] if s.strip()]

    def nest_lines(cm: _Cm, lines: list, level: int) -> list:
        out: list = []
        i = 0
        while i < len(lines):
            lv, t, _ = lines[i]
            if lv <= level:
                if t:
                    out.append(ctx.L(CTEXT, t, tag="div", cm=cm))
                i += 1
                continue
            j = i
            while j < len(lines) and lines[j][0] > level:
                j += 1
            out.append(ctx.X("blockquote", "gmail_quote", nest_lines(cm, lines[i:j], level + 1), nest=1))
            i = j
        return out

    def body(cm: _Cm) -> list:
        blocks = [[s for lv, t, _ in block for s in [shown(lv, t)] if s.strip()] for block in bodies[id(cm)]]
        blocks = [b for b in blocks if b]
        marker = None
        if id(cm) in hidden:
            marker = ctx.L(FURN, S["show"], tag="div", cls="quoted-text-toggle")
        if pre:
            out: list = [ctx.L(CTEXT, "\n\n".join("\n".join(b) for b in blocks), tag="pre", cm=cm)] if blocks else []
        else:
            out = []
            for block in bodies[id(cm)]:
                if blockquote:
                    lines = nest_lines(cm, block, 0)
                else:
                    lines = [ctx.L(CTEXT, s, tag=ctx.pick("ng_line_tag", ("div", "p", "div")), cm=cm) for lv, t, _ in block for s in [shown(lv, t)] if s.strip()]
                if lines:
                    out.append(ctx.X("div", None, lines, gap=1, lg=(1, 0, 0)))
            if style == "groups" and not hide and any(b[0][2] == "attr" or b[0][0] > 0 for b in bodies[id(cm)]) and r.p(0.3):
                k = next(k for k, b in enumerate(bodies[id(cm)]) if b[0][2] == "attr" or b[0][0] > 0)
                out.insert(min(k, len(out)), ctx.L(FURN, S["hide"], tag="div", cls="quoted-text-toggle"))
        if marker is not None:  # where the quote was: above the reply, or below a top-posted one
            out = out + [marker] if hidden[id(cm)] == "top" else [marker] + out
        return out

    def date_of(cm: _Cm, tpl: str) -> str:
        me = rec[id(cm)]
        text, iso = _fill_date(tpl, cm.dt, ctx.loc.cal, ampm)
        if cm.posted is None:
            cm.posted = iso
        return _fmt(text, tz=me["tz"], tzname=me["tzname"], e=f"{cm.dt.day:>2}")

    idx = {id(c): k for k, c in enumerate(order)}

    def neighbour(cm: _Cm, step: int) -> str:
        k = idx[id(cm)] + step
        return subject[id(order[k])] if 0 <= k < len(order) else (rec[id(cm)]["re"] if r.p(0.5) else "") + r.c(ctx.others)

    H = _T("newsgroup", "headers")
    fields = ["from", "date", "subject"]
    if style == "headers":
        fields = [f for f in r.c(H["orders"]) if f in ("from", "date", "subject") or r.p(0.6)]
    from_tpl, bare_tpl = r.w(H["from"]), r.c(H["from_bare"])
    date_tpl = r.c(H["date"]) if style == "headers" else r.c(S["date"])
    by_msgid = "msgid" in fields and ("inreplyto" in fields or "references" in fields)  # a reply shows its parent's Message-ID
    after = r.c(H["after"]) if style == "headers" and r.p(0.5) else None
    p_org, p_agent = r.u(0.3, 1.0), r.u(0.3, 1.0)
    subj_shown = r.p(0.8)
    nav = r.w([("none", 3), ("top", 2), ("both", 1)]) if style in ("pipermail", "mailarchive") else "none"
    g_order = r.c((("name", "date", "to"), ("name", "unread", "date", "to"), ("name", "date"), ("name", "to", "date")))
    g_acts = r.c(S["actions"]) if style == "groups" else []
    g_joined = r.p(0.5)
    ma_one_line = r.p(0.6)
    ma_reply = r.p(0.5)
    footer = _T("newsgroup", "footer") if style in ("pipermail", "headers") and r.p(0.3) else None

    def nav_box(cm: _Cm) -> _Box:
        if style == "pipermail":
            items = [_fmt(t, prev=neighbour(cm, -1), next=neighbour(cm, 1), **kw) for t in S["nav"]]
        else:
            items = list(S["nav"])
        return _join_or_list(ctx, FURN, items, "message-nav", joined_p=0.3 if style == "mailarchive" else 0.0)

    def header(cm: _Cm) -> list:
        me = rec[id(cm)]
        name = cm.author
        out: list = []
        if style == "headers":
            par = cm.parent
            for f in fields:
                if f == "from":
                    tpl = bare_tpl if me["bare"] else from_tpl
                    out.append(ctx.L(HEAD, _fmt(tpl, name=name, email=me["email"]), tag="div", cls="mail-from", cm=cm))
                elif f == "date":
                    out.append(ctx.L(HEAD, date_of(cm, date_tpl), tag="div", cls="mail-date", cm=cm))
                elif f in ("inreplyto", "references", "cc") and par is None:
                    continue
                elif (f == "organization" and not r.p(p_org)) or (f == "agent" and not r.p(p_agent)):
                    continue
                else:
                    chain = []
                    a = par
                    while a is not None:
                        chain.insert(0, f"<{msgid[id(a)]}>")
                        a = a.parent
                    t = _fmt(H["other"][f], subject=subject[id(cm)], msgid=msgid[id(cm)], parent_msgid=msgid[id(par)] if par is not None else "",
                             parent_email=rec[id(par)]["email"] if par is not None else "", refs=" ".join(chain[-4:]), newsgroup=group,
                             org=me["org"], agent=me["agent"], **kw)
                    out.append(ctx.L(FURN, t, tag="div", cls="mail-header"))
            if par is not None and by_msgid:
                cm.reply_shown = True
        elif style == "pipermail":
            if subj_shown:
                out.append(ctx.L(FURN, _fmt(ctx.pick("pm_subj", S["subject"]), subject=subject[id(cm)], **kw), tag="h1"))
            email = ctx.a(me["shown_email"], f"mailto:{lst}%40lists.{ctx.domain}?Subject={subject[id(cm)][:40]}")
            out.append(ctx.L(HEAD, ctx.span(name, None, tag="b"), ctx.pick("pm_sep", (" ", "  ", " ")), email, tag="div", cls="from", cm=cm))
            out.append(ctx.L(HEAD, ctx.span(date_of(cm, date_tpl), None, tag="i"), tag="div", cls="date", cm=cm))
        elif style == "groups":
            for f in g_order:
                if f == "name":
                    out.append(ctx.L(HEAD, ctx.span(name, "sender-name", tag="span"), tag="div", cls="message-sender", cm=cm))
                elif f == "date":
                    out.append(ctx.L(HEAD, date_of(cm, date_tpl), tag="div", cls="message-date", cm=cm))
                elif f == "unread" and r.p(0.5):
                    out.append(ctx.L(FURN, ctx.pick("gg_unread", S["unread"]), tag="span"))
                elif f == "to":
                    out.append(ctx.L(FURN, _fmt(ctx.pick("gg_to", S["to"]), **kw), tag="div", cls="message-to"))
        else:
            if subj_shown:
                out.append(ctx.L(FURN, _fmt(ctx.pick("ma_subj", S["subject"]), subject=subject[id(cm)], **kw), tag="h1", cls="subject"))
            sender = ctx.span(name, "sender")
            date = ctx.span(date_of(cm, date_tpl), "date")
            if ma_one_line:
                out.append(ctx.L(HEAD, sender, ctx.pick("ma_sep", ("  ", " ", " | ")), date, tag="div", cls="msgHead", cm=cm))
            else:
                out += [ctx.L(HEAD, sender, tag="div", cls="msgHead", cm=cm), ctx.L(HEAD, date, tag="div", cls="msgHead", cm=cm)]
        return out

    def message(cm: _Cm) -> _Box:
        parts: list = header(cm)
        if nav in ("top", "both"):
            parts.append(nav_box(cm))
        if style == "pipermail" and r.p(0.5):
            parts.append(_Void("hr", {}))
        parts += body(cm)
        if footer is not None:
            parts.append(ctx.X("div", "list-footer", [ctx.L(FURN, _fmt(t, **kw), tag="div") for t in footer]))
        if after is not None:
            parts.append(ctx.L(FURN, _fmt(after, n=len(cms)), tag="div", cls="permalink"))
        if style == "groups":
            if g_joined:
                parts.append(ctx.L(FURN, "  ".join(g_acts), tag="div", cls="message-actions"))
            else:
                parts.append(ctx.X("div", "message-actions", [ctx.L(FURN, a, tag="button") for a in g_acts]))
        if style == "mailarchive" and ma_reply:
            parts.append(ctx.L(FURN, ctx.pick("ma_reply", S["reply"]), tag="div", cls="reply-via"))
        if nav == "both":
            parts.append(nav_box(cm))
        return ctx.X("div", "message", parts, id=f"msg{r.i(10**4, 10**7)}")

    def thread_index() -> _Box:
        roots = [c for c in cms if c.parent is None]
        tree = _preorder(roots)
        if style == "headers":
            tpl, mark, itpl = r.c(H["index"]), r.c(H["tree"]), r.c(H["index_dates"])
            lines: list = [ctx.L(FURN, _fmt(tpl, date=_fill_date(itpl, c.dt, ctx.loc.cal)[0], name=c.author,
                                            tree=("  " * (c.depth - 1) + mark) if c.depth else ""), tag="div") for c in tree]
        else:
            tpl = r.c(S["index"])

            def entry(c: _Cm) -> _Box:
                kids: list = [ctx.L(FURN, _fmt(tpl, subject=subject[id(c)], name=c.author), tag="div")]
                if c.kids:
                    kids.append(ctx.X("ul", None, [entry(k) for k in c.kids], nest=1))
                return ctx.X("li", None, kids)

            lines = [ctx.X("ul", None, [entry(c) for c in roots])]
        head = ctx.L(FURN, _fmt(r.c(_T("newsgroup", "thread_heads")), n=len(cms)), tag=r.c(("h3", "div", "b")))
        return ctx.X("div", "thread-index", [head] + lines)

    kids: list = []
    if r.p(0.6):
        kids.append(ctx.L(FURN, _fmt(r.c(_T("newsgroup", "headings")), **kw), tag=r.c(("h2", "h3", "div")), cls="discussion-heading"))
    if style == "groups":
        top = S["top"]
        picked = [0] + sorted(r.sample(range(1, len(top)), r.i(0, 3))) if r.p(0.8) else sorted(r.sample(range(1, len(top)), r.i(1, 3)))
        kids += [ctx.L(FURN, _fmt(top[j], subject=title, n=r.i(20, 9000), k=len(cms), **kw), tag="h2" if j == 0 else "div") for j in picked]
    elif style in ("pipermail", "mailarchive") and r.p(0.5):
        top = S["top"]
        first, last = (min(cms, key=lambda c: c.dt), max(cms, key=lambda c: c.dt)) if cms else (None, None)
        picked = sorted(r.sample(range(len(top)), r.i(1, 4)))
        for j in picked:
            t = top[j]
            if "{start}" in t or "{end}" in t:
                if first is None:
                    continue
                dt = (first if "{start}" in t else last).dt
                fill = _fmt(_fill_date(S["date"][0], dt, ctx.loc.cal)[0], tz="+0000", tzname="UTC", e=f"{dt.day:>2}")
                t = _fmt(t, start=fill, end=fill)
            kids.append(ctx.L(FURN, _fmt(t, n=len(cms), **kw), tag="div"))
    index_at = r.w([("top", 2), ("bottom", 3), ("none", 4)]) if style != "groups" and cms else "none"
    if index_at == "top":
        kids.append(thread_index())
    if not cms and r.p(0.6):
        kids.append(ctx.L(FURN, r.c(("No messages in this thread yet.", "This thread has no replies.", "No messages")), tag="p"))
    kids.append(ctx.X("div", "messages", [message(c) for c in order]))
    if index_at == "bottom":
        kids.append(thread_index())
    if style == "pipermail" and r.p(0.7):
        kids.append(ctx.L(FURN, _fmt(r.c(S["more"]), **kw), tag="div", cls="list-info"))
    if style == "groups" and r.p(0.5):
        kids += [ctx.L(FURN, t, tag="div") for t in r.sample(S["bottom"], r.i(1, 2))]
    return _section(ctx, kids, "mail-archive", tag="div")


def _gh_login(name: str, r: _R) -> str:
    """A GitHub login made of a name: lower-case ASCII letters, digits and single hyphens."""
    base = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", _ascii_name(name, r, ("", "-")))).strip("-")[:39]
    return base or f"user{r.i(100, 99999)}"


def _gh_when(ctx: _Ctx, cm: _Cm, style: str, pick: int, k: int) -> str:
    """GitHub times: '3 years ago' (relative), 'on Mar 3, 2021' (absolute), or relative for a month, then
    'on Mar 3' this year and 'on Mar 3, 2021' before; a year shown gives ``posted_at``."""
    seconds = max(1.0, (ctx.now - cm.dt).total_seconds())
    if style == "relative" or (style == "mixed" and seconds < 30 * 86400):
        return _relative(seconds, ctx.loc.cal, pick)
    year = style == "absolute" or cm.dt.year != ctx.now.year
    text, iso = _fill_date(_T("giscus", "on_date" if year else "on_date_noyear")[k], cm.dt, ctx.loc.cal)
    if cm.posted is None:
        cm.posted = iso
    return text


def _fam_giscus(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    G = _res("layouts")["giscus"]
    cms = _new_comments(ctx, pl)
    system = r.w(G["systems"])
    nested = _nest_visible(ctx)
    newest = system == "giscus" and r.p(0.2)
    if system == "giscus":
        order = _thread(ctx, cms, "nested", max_depth=r.i(1, 3), p_reply=r.u(0.15, 0.6), newest_first=newest)
    else:
        order = _thread(ctx, cms, "indicator", p_reply=r.u(0.1, 0.45))
    site_login = _gh_login(ctx.site, r)[:39]
    for cm in cms:
        if r.p(0.05):
            cm.author = ctx.site  # the blog's owner answers
        elif r.p(0.015):
            cm.author = G["ghost"]  # a deleted GitHub account
    logins: dict = {ctx.site: site_login, G["ghost"]: G["ghost"]}
    for cm in cms:
        if cm.author not in logins:
            login = _gh_login(cm.author, r)
            if r.p(0.25):
                login += r.c((str(r.i(1, 99)), f"-{r.i(1, 999)}", str(r.i(1970, 2010))))
            logins[cm.author] = login
    owner_badge = r.c(G["badges"][:2])
    badges = {id(cm): owner_badge if cm.author == ctx.site else (r.c(G["badges"][2:]) if r.p(0.04) else "") for cm in cms}
    for cm in cms:
        cm.author = logins[cm.author]
    style = r.w([("relative", 5), ("absolute", 2), ("mixed", 3)])
    pick, k = 0, r.i(0, 1)
    head_top, head_reply = r.c(G["head_top"]), r.c(G["head_reply"])
    edited = r.c(G["edited"])
    p_edit = r.u(0.0, 0.15)
    badge_line = r.p(0.3)  # the association badge as an element of its own
    react_p = r.u(0.1, 0.6)
    upvotes = system == "giscus" and r.p(0.5)
    upvote = r.c(G["upvote"])
    quotes: dict = {}

    def mention(cm: _Cm, who: _Cm) -> None:
        cm.paras = ["@" + who.author + " " + cm.paras[0]] + cm.paras[1:] if cm.paras else ["@" + who.author]
        cm.reply_shown = True

    if system == "giscus":
        roots = [c for c in order if c.parent is None]
        p_at = r.u(0.0, 0.3)
        for root in roots:
            for c in _descendants(root):
                if c.parent is not root or r.p(p_at):
                    mention(c, c.parent)
                else:
                    c.reply_shown = nested
    else:
        roots = order
        p_quote, p_at = r.u(0.1, 0.6), r.u(0.2, 0.7)
        for c in cms:
            if c.parent is None:
                continue
            c.reply_shown = False
            if c.parent.paras and r.p(p_quote):
                q = c.parent.paras[0]
                if len(q.split()) > 24 or r.p(0.4):
                    q = _shorten_words(q, r.i(5, 20))
                quotes[id(c)] = q
                c.paras = [q] + c.paras
                c.reply_shown = True
                if r.p(0.3):
                    c.paras[1:2] = ["@" + c.parent.author + " " + c.paras[1]] if len(c.paras) > 1 else []
            elif r.p(p_at):
                mention(c, c.parent)
    quoted = {id(c.parent) for c in cms if id(c) in quotes}
    minimized = {id(c) for c in cms if r.p(0.025) and id(c) not in quotes and id(c) not in quoted}
    for c in cms:
        if id(c) in minimized:
            c.paras = []

    def header(cm: _Cm, top: bool) -> list:
        url = f"https://github.com/{site_login}/comments/discussions/{r.i(1, 400)}#discussioncomment-{r.i(10**6, 10**7)}"
        when = ("time", {"datetime": cm.dt.strftime("%Y-%m-%dT%H:%M:%SZ"), "title": cm.dt.strftime("%b %d, %Y, %I:%M %p UTC")},
                _gh_when(ctx, cm, style, pick, k))
        tpl = head_top if top or system == "utterances" else head_reply
        parts: list = []
        for piece in re.split(r"(\{login\}|\{when\})", tpl):
            if piece == "{login}":
                parts.append(ctx.a(cm.author, f"https://github.com/{cm.author}", cls="gsc-comment-author"))
            elif piece == "{when}":
                parts.append(ctx.a([when], url, cls="gsc-comment-time"))
            elif piece:
                parts.append(piece)
        if r.p(p_edit):
            parts.append(ctx.span(edited, "gsc-comment-edited"))
        lines = [ctx.L(HEAD, *parts, tag="div", cls="gsc-comment-author-header", cm=cm)]
        if badges[id(cm)]:
            if badge_line:
                lines.append(ctx.L(FURN, badges[id(cm)], tag="span", cls="gsc-comment-author-association"))
            else:
                lines[0].parts += [" ", ctx.span(badges[id(cm)], "gsc-comment-author-association")]
        return lines

    def body(cm: _Cm) -> list:
        if id(cm) in minimized:
            return [ctx.X("div", "gsc-comment-minimized", [ctx.L(FURN, ctx.pick("gh_min", G["minimized"]), tag="em"),
                                                           ctx.L(FURN, ctx.pick("gh_show", G["show"]), tag="button")])]
        lines: list = []
        paras = list(cm.paras)
        if id(cm) in quotes:
            lines.append(ctx.X("blockquote", None, [ctx.L(CTEXT, paras[0], tag="p", cm=cm)]))
            paras = paras[1:]
        lines += [ctx.L(CTEXT, p, tag="p", cm=cm) for p in paras]
        return [ctx.X("div", "markdown gsc-comment-content", lines)]

    def reactions(cm: _Cm) -> list:
        out: list = []
        if upvotes and cm.votes:
            out.append(ctx.L(FURN, _fmt(upvote, n=cm.votes), tag="button", cls="gsc-upvote-button"))
        if cm.votes and r.p(react_p):
            icons = r.sample(G["reactions"], r.i(1, 4))
            counts = [max(1, int(cm.votes * r.u(0.05, 1.0))) for _ in icons]
            if ctx.chance("gh_react_split", 0.4):
                out.append(ctx.X("div", "gsc-reactions", [ctx.L(FURN, f"{ic} {n}", tag="button") for ic, n in zip(icons, counts)]))
            else:
                out.append(ctx.L(FURN, "  ".join(f"{ic} {n}" for ic, n in zip(icons, counts)), tag="div", cls="gsc-reactions"))
        return out

    def comment(cm: _Cm, top: bool) -> _Box:
        parts: list = []
        if ctx.chance("gh_avatar", 0.8):
            parts.append(ctx.img("gsc-comment-author-avatar", alt="@" + cm.author))
        parts += header(cm, top) + body(cm) + reactions(cm)
        return ctx.X("div", "gsc-comment" if top else "gsc-reply", parts)

    def thread(root: _Cm) -> _Box:
        box: list = [comment(root, True)]
        reps = sorted(_descendants(root), key=lambda c: c.dt)
        if system == "giscus" and reps:
            items: list = []
            if r.p(0.6):
                items.append(ctx.L(FURN, _fmt(r.c(G["replies_count"])[len(reps) != 1], n=len(reps)), tag="div", cls="gsc-replies-count"))
            if len(reps) > 3 and r.p(0.15):
                items.append(ctx.L(FURN, _fmt(r.c(G["more_replies"]), n=r.i(1, 9)), tag="button"))
            items += [comment(c, False) for c in reps]
            if r.p(0.5):
                items.append(ctx.L(FURN, ctx.pick("gh_write", G["write_reply"]), tag="button", cls="gsc-reply-box"))
            box.append(ctx.X("div", "gsc-replies", items, nest=1))
        elif system == "giscus" and r.p(0.3):
            box.append(ctx.L(FURN, ctx.pick("gh_write", G["write_reply"]), tag="button", cls="gsc-reply-box"))
        return ctx.X("div", "gsc-timeline-item", box)

    kids: list = []
    n_replies = sum(1 for c in cms if c.parent is not None)
    if system == "giscus" and r.p(0.5):
        counts = [int(r.u(0, 1) ** 3 * 30) for _ in G["reactions"]]
        n = sum(counts)
        kids.append(ctx.L(FURN, _fmt(G["reaction_words"][n != 1], n=n), tag="h4", cls="gsc-reactions-count"))
        kids.append(ctx.L(FURN, "  ".join(f"{ic} {c}" for ic, c in zip(G["reactions"], counts)) if n else " ".join(G["reactions"]), tag="div", cls="gsc-reactions-list"))
    if not cms and r.p(0.6):
        kids.append(ctx.L(FURN, r.c(G["zero"]), tag="h4", cls="gsc-comments-count"))
    elif cms and r.p(0.85):
        top = r.c(G["giscus_top" if system == "giscus" else "utterances_top"])
        kids.append(ctx.L(FURN, _fmt(top, c=len(roots), r=n_replies), tag="h4", cls="gsc-comments-count"))
    if system == "giscus" and r.p(0.5):
        kids.append(ctx.X("div", "gsc-comments-order", [ctx.L(FURN, s, tag="button") for s in r.c(G["sort"])]))
    composer = ctx.X("div", "gsc-comment-box", [ctx.L(FURN, t, tag="button" if j else "div") for j, t in enumerate(r.c(G["composer"]))])
    at_top = system == "giscus" and r.p(0.25)
    if at_top:
        kids.append(composer)
    items = []
    hide_at = r.i(3, len(roots) - 3) if len(roots) > 10 and r.p(0.3) else -1
    for j, root in enumerate(roots):
        if j == hide_at:
            items.append(ctx.L(FURN, _fmt(r.c(G["hidden_items"]), n=r.i(2, 40)), tag="div", cls="gsc-pagination"))
        items.append(thread(root))
    kids.append(ctx.X("div", "gsc-timeline", items))
    if not at_top and r.p(0.85):
        kids.append(composer)
    frame = ctx.X("div", "gsc-main" if system == "giscus" else "utterances", kids)
    return _section(ctx, [frame], "giscus" if system == "giscus" else "utterances-frame", tag="div")


def _lj_name(name: str, r: _R) -> str:
    """A LiveJournal / Dreamwidth user name: lower-case letters, digits and '_', at most 15 characters."""
    base = re.sub(r"_+", "_", re.sub(r"[^a-z0-9_]", "_", _ascii_name(name, r, ("", "_")))).strip("_")[:15].strip("_")
    return base or f"user{r.i(100, 99999)}"


def _fam_livejournal(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    J = _res("layouts")["livejournal"]
    cms = _new_comments(ctx, pl)
    sysname = r.w(J["systems"])
    order = _thread(ctx, cms, "nested", max_depth=r.i(3, 12), p_reply=r.u(0.3, 0.85))
    nested = _nest_visible(ctx)
    for cm in cms:
        cm.reply_shown = cm.parent is not None and nested
    p_anon = r.u(0.0, 0.25) if r.p(0.6) else 0.0
    p_openid = r.u(0.0, 0.3) if sysname == "dw" and r.p(0.4) else 0.0
    names: dict = {}
    icon_of: dict = {}
    for cm in cms:
        if r.p(p_anon):
            cm.author = J["anon_name"]
            continue
        if cm.author not in names:
            login = _lj_name(cm.author, r)
            if r.p(p_openid):  # an OpenID account: its journal address, an 'identity profile' icon
                names[cm.author] = login + ".livejournal.com"
                icon_of[names[cm.author]] = J["icons"][1]
            else:
                names[cm.author] = login
                icon_of[login] = J["icons"][0]
        cm.author = names[cm.author]
    date_tpl = r.c(J["dates"][sysname])
    ampm = r.i(0, 1)
    date_line, from_line = r.c(J["date_line"][sysname]), r.c(J["from_line"][sysname])
    classic_head = r.c(J["classic_head"])
    icons = ctx.fmt == "text" and sysname == "dw" and r.p(0.7)
    links = r.c(J["links"][sysname])
    links_joined = r.p(0.6)
    subj_p = r.u(0.1, 0.9)
    no_subject = sysname == "dw" and r.p(0.5)
    subj_first = sysname != "lj" or r.p(0.5)
    collapse_depth = r.i(2, 6) if r.p(0.45) else 99
    collapsed_tpl = r.c(J["collapsed"][sysname])
    userpics = r.p(0.7)
    subjects: dict = {}

    def subject(cm: _Cm) -> str | None:
        if id(cm) not in subjects:
            s = None
            par = subjects.get(id(cm.parent)) if cm.parent is not None else None
            if par and r.p(0.7):
                s = par if par.startswith("Re: ") else "Re: " + par
            elif r.p(subj_p):
                if cm.paras and r.p(0.3):
                    s = _shorten_words(cm.paras[0], r.i(2, 5)).rstrip(",;:.") + r.c(("...", "", "…"))
                else:
                    s = r.c(J["subjects"])
            subjects[id(cm)] = s
        return subjects[id(cm)]

    def shown(cm: _Cm) -> str:
        return J["anon"] if cm.author == J["anon_name"] else cm.author

    def name_el(cm: _Cm):
        if cm.author == J["anon_name"]:
            return J["anon"]
        base = "livejournal.com" if sysname != "dw" else "dreamwidth.org"
        url = f"https://{cm.author}/" if cm.author.endswith(".com") else f"https://{cm.author.replace('_', '-')}.{base}/"
        return ctx.a(cm.author, url, cls="ljuser")

    def date_el(cm: _Cm):
        text, iso = _fill_date(date_tpl, cm.dt, ctx.loc.cal, ampm)
        cm.posted = iso
        return ctx.a(("span", {"class": ctx.c("datetime")}, text), f"?thread={r.i(10**5, 10**8)}#t{r.i(10**5, 10**8)}", cls="permalink")

    def full(cm: _Cm) -> list:
        parts: list = []
        if userpics and cm.author != J["anon_name"]:
            parts.append(ctx.img("userpic", alt=cm.author))
        subj = subject(cm)
        subj_line = ctx.L(FURN, subj, tag="h3" if sysname == "dw" else "div", cls="comment-title") if subj else (
            ctx.L(FURN, J["no_subject"], tag="h3", cls="comment-title") if no_subject else None)
        head: list = []
        if sysname == "classic":
            bits = []
            for piece in re.split(r"(\{name\}|\{date\})", classic_head):
                if piece == "{name}":
                    bits.append(name_el(cm))
                elif piece == "{date}":
                    bits.append(date_el(cm))
                elif piece:
                    bits.append(piece)
            head.append(ctx.L(HEAD, *bits, tag="div", cls="comment-head", cm=cm))
        else:
            d = ctx.L(HEAD, *[date_el(cm) if p == "{date}" else p for p in re.split(r"(\{date\})", date_line) if p], tag="div", cls="datetime", cm=cm)
            icon = icon_of.get(cm.author, "") if icons else ""
            n = ctx.L(HEAD, *[name_el(cm) if p == "{name}" else p for p in re.split(r"(\{name\})", _fmt(from_line, icon=icon)) if p],
                      tag="div", cls="poster", cm=cm)
            head += [d, n] if sysname == "dw" else [n, d]
        if subj_line is not None:
            parts += [subj_line] + head if subj_first else head + [subj_line]
        else:
            parts += head
        parts += _ctext(ctx, cm, tag="div", br=0.7, box="div", box_cls="comment-content")
        items = links if cm.parent is not None or len(links) < 3 else [x for x in links if "Parent" not in x]
        if links_joined:
            sep = " " if sysname != "lj" else r.c((" ", " | ", "  "))
            parts.append(ctx.L(FURN, *[x for j, it in enumerate(items) for x in ((sep,) if j else ()) + (ctx.a(it),)], tag="div", cls="comment-links"))
        else:
            parts.append(ctx.X("ul", "comment-links", [ctx.L(FURN, ctx.a(it), tag="li") for it in items]))
        return parts

    def collapsed(cm: _Cm) -> list:
        cm.paras = []
        subj = subject(cm) or J["no_subject"]
        bits: list = []
        for piece in re.split(r"(\{name\}|\{subject\})", collapsed_tpl):
            if piece == "{name}":
                bits.append(name_el(cm))
            elif piece == "{subject}":
                bits.append(ctx.a(subj))
            elif piece:
                bits.append(piece)
        return [ctx.L(HEAD, *bits, tag="div", cls="comment-collapsed", cm=cm)]

    kids: list = []
    if r.p(0.35):
        meta = r.sample(J["entry_meta"], r.i(1, 3))
        kids.append(ctx.X("div", "entry-meta", [ctx.L(BOILER, _fmt(m, tags=", ".join(t.lower() for t in r.sample(ctx.ents, r.i(1, 4))),
                                                                     mood=r.c(J["moods"]), music=r.c(J["music"]), place=r.c(_res("names")["places"])), tag="div")
                                                 for m in meta]))
    if r.p(0.8):
        kids.append(ctx.L(FURN, _fmt(r.c(J["top"]), n=len(cms)), tag="div", cls="entry-readlink"))
    if cms and r.p(0.4):
        kids.append(ctx.L(FURN, r.c(J["views"]), tag="div", cls="comment-pages"))
    many = len(cms) > 15 and r.p(0.5)
    pager = _fmt(r.c(J["pager"]), k=r.i(2, 4)) if many else ""
    if pager:
        kids.append(ctx.L(FURN, pager, tag="div", cls="comment-pages"))
    rows: list = []
    for cm in order:
        if r.p(0.03):
            rows.append(ctx.X("div", "comment-wrapper", [ctx.L(FURN, r.c(J["placeholders"]), tag="div", cls="comment-deleted")],
                              nest=cm.depth, style=f"margin-left: {25 * cm.depth}px"))
        parts = collapsed(cm) if cm.depth >= collapse_depth else full(cm)
        rows.append(ctx.X("div", "comment-wrapper", [ctx.X("div", "dwexpcomment comment", parts)], nest=cm.depth,
                          style=f"margin-left: {25 * cm.depth}px", id=f"ljcmt{r.i(10**5, 10**8)}"))
    kids.append(ctx.X("div", "comment-thread", rows, id=ctx.c("comments")))
    if pager and r.p(0.7):
        kids.append(ctx.L(FURN, pager, tag="div", cls="comment-pages"))
    if r.p(0.3):
        kids.append(ctx.L(FURN, r.c(J["notices"]), tag="p", cls="notice"))
    if r.p(0.45):
        form = J["form"]
        chosen = [form[0]] + sorted(r.sample(form[1:], r.i(2, len(form) - 1)), key=form.index)
        kids.append(ctx.X("form", "talkform", [ctx.L(FURN, t, tag="button" if t in ("Post Comment", "Preview") else "div") for t in chosen]))
    return _section(ctx, kids, "comments", tag="div")


def _fam_portal(ctx: _Ctx, pl: list) -> _Box | None:
    r = ctx.r
    Q = _res("layouts")["portal"]
    sysname = r.w(Q["systems"])
    P = Q[sysname]
    cms = _new_comments(ctx, pl)
    _thread(ctx, cms, "nested", max_depth=1, p_reply=r.u(0.05, 0.45))
    nested = _nest_visible(ctx)
    for cm in cms:
        cm.reply_shown = cm.parent is not None and nested
    name_tpl = r.w(P["name"])
    stars = r.c(("****", "****", "***", "**"))
    shown: dict = {}
    for cm in cms:
        if cm.author not in shown:
            login = _ascii_name(cm.author, r, ("", "")).replace(".", "").replace("_", "") or f"user{r.i(10, 999)}"
            masked = login[: r.c((3, 4, 4))] + stars
            nick = re.sub(r"\s+", "", cm.author) if sysname == "naver" else cm.author
            text = _fmt(name_tpl, id=masked, nick=nick)
            shown[cm.author] = (text, nick if "{nick}" in name_tpl else masked)
    names = {id(cm): shown[cm.author][0] for cm in cms}
    for cm in cms:
        cm.author = shown[cm.author][1]
    sort = r.w([("likes", 5), ("newest", 3), ("oldest", 1)])
    roots = [c for c in cms if c.parent is None]
    if sort == "likes":
        roots = sorted(roots, key=lambda c: -c.votes)
    elif sort == "newest":
        roots = roots[::-1]
    n_best = r.i(1, 3) if sort == "likes" and sysname != "yahoo" and r.p(0.7) else 0
    rel_pick = r.c((0, 1))
    date_tpl = r.c(P["dates"])
    daum_rel = r.p(0.7)
    counts_tpl = r.c(P["counts"])
    tools_joined = r.p(0.5)
    open_p = r.u(0.2, 0.9)
    mult = r.c((1, 3, 10, 40))
    br = r.p(0.5)

    def when(cm: _Cm) -> str:
        seconds = max(1.0, (ctx.now - cm.dt).total_seconds())
        if sysname == "daum" and daum_rel and seconds < 86400:
            return _relative(seconds, ctx.loc.cal, rel_pick)
        if sysname == "yahoo":
            tpl = P["dates"][0] if cm.dt.year == ctx.now.year else P["dates"][1]
        else:
            tpl = date_tpl
        text, iso = _fill_date(tpl, cm.dt, ctx.loc.cal)
        if cm.posted is None:
            cm.posted = iso
        return text

    def tools(cm: _Cm, top: bool, n_rep: int) -> list:
        like = cm.votes * mult
        vals = {"n": _count_text(like), "k": _count_text(int(like * r.u(0.0, 0.4))), "j": _count_text(int(like * r.u(0.0, 0.2)))}
        items: list = []
        if top and (n_rep or sysname != "yahoo"):
            items.append(_fmt(ctx.pick("pt_rep", P["replies"]), n=n_rep))
        items += [_fmt(t, **vals) for t in counts_tpl]
        if r.p(0.5):
            items.append(ctx.pick("pt_report", Q["report"]))
        if tools_joined:
            return [ctx.L(FURN, "  ".join(items), tag="div", cls="u_cbox_tool")]
        return [ctx.X("div", "u_cbox_tool", [ctx.L(FURN, it, tag="a" if j == 0 and top else "span") for j, it in enumerate(items)])]

    def comment(cm: _Cm, top: bool, best: bool, n_rep: int) -> list:
        badge = [ctx.span(P["best"], "u_cbox_ico_best"), " "] if best else []
        name = ctx.span(names[id(cm)], "u_cbox_nick", tag="strong")
        parts: list = []
        if ctx.chance("pt_avatar", 0.5 if sysname != "naver" else 0.2):
            parts.append(ctx.img("u_cbox_thumb"))
        if sysname == "naver":
            parts.append(ctx.L(HEAD, *badge, name, tag="div", cls="u_cbox_info", cm=cm))
        else:
            sep = ctx.pick("pt_sep", ("  ", " · ", " "))
            parts.append(ctx.L(HEAD, *badge, name, sep, ctx.span(when(cm), "u_cbox_date"), tag="div", cls="u_cbox_info", cm=cm))
        parts += _ctext(ctx, cm, tag="span" if br else "p", br=1.0 if br else 0.0, box="div", box_cls="u_cbox_text_wrap")
        if sysname == "naver":
            parts.append(ctx.L(HEAD, ctx.span(when(cm), "u_cbox_date"), tag="div", cls="u_cbox_info_base", cm=cm))
        parts += tools(cm, top, n_rep)
        return parts

    kids: list = []
    total = len(cms) + (r.i(0, 3000) if r.p(0.5) else 0)
    if r.p(0.85):
        kids.append(ctx.L(FURN, _fmt(r.c(P["heading"]), n=f"{total:,}"), tag=r.c(("h3", "div", "h2")), cls="u_cbox_title"))
    if r.p(0.4):
        kids.append(ctx.L(FURN, _fmt(r.c(P["stats"]), n=f"{total:,}", k=r.i(0, 90), j=r.i(0, 40), p=r.i(0, 9)), tag="div", cls="u_cbox_comment_count"))
    if r.p(0.35):
        kids.append(ctx.X("div", "u_cbox_mine", [ctx.L(FURN, t, tag="a") for t in r.sample(P["mine"], r.i(1, 3))]))
    if sysname == "naver" and cms and r.p(0.45):
        a = r.i(30, 85)
        p = [r.i(0, 20) for _ in range(6)]
        p[r.i(2, 4)] += 100 - sum(p) if sum(p) < 100 else 0
        box = [ctx.L(FURN, r.c(Q["stats_title"]), tag="h4"),
               ctx.L(FURN, _fmt(r.c(Q["gender"]), a=a, b=100 - a), tag="div"),
               ctx.L(FURN, _fmt(r.c(Q["ages"]), **{f"p{j + 1}": v for j, v in enumerate(p)}), tag="div")]
        kids.append(ctx.X("div", "u_cbox_chart", box))
    login = r.p(0.7)
    if login and r.p(0.6):
        kids.append(ctx.X("div", "u_cbox_write", [ctx.L(FURN, r.c(Q["login"]), tag="div"), ctx.L(FURN, r.c(Q["submit"]), tag="button")]))
        login = False
    if r.p(0.25):
        kids.append(ctx.L(FURN, _fmt(r.c(Q["banner"]), site=ctx.site), tag="p", cls="u_cbox_notice"))
    if cms and r.p(0.75):
        tabs = ctx.pick("pt_tabs", P["tabs"])
        kids.append(_join_or_list(ctx, FURN, tabs, "u_cbox_sort", joined_p=0.4))
    items: list = []
    for j, root in enumerate(roots):
        if r.p(0.04):
            items.append(ctx.X("li", "u_cbox_comment", [ctx.L(FURN, r.c(Q["deleted"]), tag="span", cls="u_cbox_delete_contents")]))
        reps = sorted(root.kids, key=lambda c: c.dt)
        box: list = comment(root, True, j < n_best, len(reps))
        if reps and r.p(open_p):
            sub: list = []
            for c in reps:
                sub.append(ctx.X("li", "u_cbox_comment reply", comment(c, False, False, 0)))
            if r.p(0.6):
                sub.append(ctx.L(FURN, ctx.pick("pt_fold", P["fold"]), tag="a", cls="u_cbox_btn_fold"))
            box.append(ctx.X("ul", "u_cbox_reply_list", sub, nest=1))
        items.append(ctx.X("li", "u_cbox_comment", box))
    kids.append(ctx.X("ul", "u_cbox_list", items))
    if total > len(cms) and r.p(0.6):
        kids.append(ctx.L(FURN, _fmt(r.c(Q["more"]), n=f"{total:,}"), tag="a", cls="u_cbox_btn_more"))
    if login:
        kids.append(ctx.X("div", "u_cbox_write", [ctx.L(FURN, r.c(Q["login"]), tag="div"), ctx.L(FURN, r.c(Q["submit"]), tag="button")]))
    return _section(ctx, [ctx.X("div", "u_cbox", kids)], "news-comments", tag="div")


# =========================================================================== specs and public functions


_SPECS: dict[str, _Spec] = {
    "wordpress": _Spec(_fam_wordpress),
    "disqus": _Spec(_fam_disqus, indent_p=0.55, cls_modes=(("semantic", 70), ("obf", 20), ("none", 10))),
    "pipe": _Spec(_fam_pipe, widget_p=0.45, signin_top=0.35, indent_p=0.2),
    "forum": _Spec(_fam_forum, indent_p=0.2),
    "slashdot": _Spec(_fam_slashdot, lang="en", indent_p=0.9),
    "reddit": _Spec(_fam_reddit, lang="en", indent_p=0.7),
    "footer": _Spec(_fam_footer, indent_p=0.25),
    "letters": _Spec(_fam_letters, lang="en", indent_p=0.15, widget_p=0.05),
    "signed": _Spec(_fam_signed, lang="en", indent_p=0.5),
    "twoline": _Spec(_fam_twoline, indent_p=0.5),
    "facebook": _Spec(_fam_facebook, cls_modes=(("semantic", 50), ("obf", 40), ("none", 10)), indent_p=0.4),
    "guardian": _Spec(_fam_guardian, indent_p=0.5),
    "numbered": _Spec(_fam_numbered, indent_p=0.2),
    "headerless": _Spec(_fam_headerless, headers=False, indent_p=0.1),
    "inline": _Spec(_fam_inline, headers=False, indent_p=0.3),
    "chat": _Spec(_fam_chat, lang="en", headers=False, indent_p=0.25, widget_p=0.05, cls_modes=(("semantic", 45), ("obf", 35), ("utility", 10), ("none", 10))),
    "forms": _Spec(_fam_forms, lang="en", indent_p=0.2, widget_p=0.05, cls_modes=(("semantic", 60), ("obf", 15), ("utility", 10), ("none", 15))),
    "localized": _Spec(_fam_localized, lang="foreign", when=(("datetime", 45), ("date", 15), ("relative", 40))),
    "widgets": _Spec(_fam_widgets, widget_p=1.0, signin_top=0.15, indent_p=0.2),
    "blogger": _Spec(_fam_blogger, indent_p=0.4),
    "smf": _Spec(_fam_smf, indent_p=0.2),
    "hn": _Spec(_fam_hn, lang="en", indent_p=0.6),
    "phpbb": _Spec(_fam_phpbb, indent_p=0.2),
    "cards": _Spec(_fam_cards, cls_modes=(("semantic", 30), ("obf", 50), ("utility", 15), ("none", 5))),
    "coral": _Spec(_fam_coral, cls_modes=(("semantic", 40), ("obf", 40), ("utility", 20))),
    "guestbook": _Spec(_fam_guestbook, indent_p=0.3),
    "discourse": _Spec(_fam_discourse, lang="en", indent_p=0.3, cls_modes=(("semantic", 60), ("obf", 20), ("none", 20))),
    "social": _Spec(_fam_social, lang="en", indent_p=0.5, cls_modes=(("semantic", 35), ("obf", 45), ("utility", 15), ("none", 5))),
    "qa": _Spec(_fam_qa, lang="en", indent_p=0.2, cls_modes=(("semantic", 60), ("obf", 15), ("utility", 15), ("none", 10))),
    "wikitalk": _Spec(_fam_wikitalk, lang="en", indent_p=0.6, cls_modes=(("semantic", 75), ("obf", 10), ("none", 15))),
    "reviews": _Spec(_fam_reviews, lang="en", indent_p=0.15, cls_modes=(("semantic", 40), ("obf", 35), ("utility", 20), ("none", 5))),
    "instagram": _Spec(_fam_instagram, lang="en", headers=False, indent_p=0.5, cls_modes=(("semantic", 25), ("obf", 45), ("utility", 25), ("none", 5))),
    "newsgroup": _Spec(_fam_newsgroup, lang="en", indent_p=0.2, cls_modes=(("semantic", 45), ("obf", 10), ("none", 45))),
    "giscus": _Spec(_fam_giscus, lang="en", indent_p=0.4, cls_modes=(("semantic", 55), ("obf", 25), ("utility", 15), ("none", 5))),
    "livejournal": _Spec(_fam_livejournal, lang="en", indent_p=0.6, cls_modes=(("semantic", 60), ("obf", 10), ("none", 30))),
    "portal": _Spec(_fam_portal, lang="en", indent_p=0.4, cls_modes=(("semantic", 45), ("obf", 35), ("utility", 15), ("none", 5))),
}
assert set(_SPECS) == set(LAYOUTS)


def render_page(article: dict, comments: list[str], layout: str, rng: np.random.Generator, fmt: str = "text") -> RenderedPage:
    """Render one page.

    ``article``: ``{"title", "paragraphs", optional "related_titles"}`` (titles of other stories for
    related lists and comment widgets). ``comments``: raw comment texts (newlines = paragraphs);
    empty ones are skipped. Some comments may go to a "recent comments" widget of other stories.
    """
    if layout not in _SPECS:
        raise ValueError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
    if fmt not in ("text", "html"):
        raise ValueError(f"fmt must be 'text' or 'html', not {fmt!r}")
    spec = _SPECS[layout]
    ctx = _Ctx(rng, layout, fmt, article, spec)
    r = ctx.r
    pl = _prepare(ctx, comments, allow_empty=spec.headers)
    widgets: list = []
    if len(pl) >= 2 and r.p(spec.widget_p):
        if layout == "widgets":
            k = r.i(2, len(pl)) if len(pl) <= 8 else r.i(len(pl) // 3, len(pl) - r.i(0, 6))
        else:
            k = r.i(2, min(len(pl), 6))
        wpl, pl = pl[len(pl) - k:], pl[: len(pl) - k]
        if layout == "widgets" and k >= 4 and r.p(0.4):
            half = k // 2
            widgets += [_widget(ctx, wpl[:half]), _widget(ctx, wpl[half:])]
        else:
            widgets.append(_widget(ctx, wpl))
    section = spec.build(ctx, pl) if (pl or r.p(0.75)) else None
    root, truth = _assemble(ctx, section, widgets)
    cms: list[_Cm] = []
    seen: set[int] = set()
    for line in _walk_lines(root):
        cm = line.cm
        if cm is not None and line.label in (HEAD, CTEXT) and id(cm) not in seen:
            seen.add(id(cm))
            cm.idx = len(cms)
            cms.append(cm)
    comments_truth = []
    for cm in cms:
        parent = cm.parent
        reply_to = parent.idx if (parent is not None and cm.reply_shown and id(parent) in seen and parent.idx < cm.idx) else None
        comments_truth.append({
            "index": cm.idx,
            "author": cm.author if cm.shows_author else None,
            "posted_at": cm.posted,
            "text": cm.text,
            "reply_to": reply_to,
            "about": cm.about,
        })
    if fmt == "text":
        lines = _render_text(root, ctx)
        text = "\n".join(g.text for g in lines)
    else:
        lines = []
        title = truth["title"] or ctx.title or ctx.site
        text = _render_html(root, ctx, f"{title} {r.c(_T('page', 'title_seps'))} {ctx.site}" if r.p(0.8) else title)
    return RenderedPage(text=text, fmt=fmt, layout=layout, lines=lines, article=truth, comments=comments_truth)


# --------------------------------------------------------------------------- sources

_NEWS_SOURCES = ("c3", "ucc_unhealthy", "kaggle_insults", "toxic_spans", "ruddit", "wiki_talk_context")
_MAX_COMMENT_CHARS = 1500
_TITLE_SEPS = re.compile(r"\s+(?:\||-|–|—|::|»|·)\s+")


def _is_english(text: str) -> bool:
    words = re.findall(r"[a-z']+", text[:4000].lower())
    if len(words) < 30:
        return False
    common = set(_res("text")["english_common"])
    return sum(w in common for w in words) / len(words) >= _res("text")["min_english_share"]


def _decode_html(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        m = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", raw[:4000])
        enc = m.group(1).decode("ascii") if m else "cp1252"
        try:
            return raw.decode(enc, errors="replace")
        except LookupError:
            return raw.decode("cp1252", errors="replace")


def _page_title(doc) -> str:
    og = [t for t in doc.xpath('//meta[@property="og:title"]/@content') if t.strip()]
    head = doc.find(".//title")
    cands = [_clean(t) for t in og[:1] + ([head.text_content()] if head is not None else []) if _clean(t)]
    stripped = []
    for c in cands:
        parts = [p for p in _TITLE_SEPS.split(c) if p.strip()]
        stripped.append(max(parts, key=len) if parts else c)
    h1s = [_clean(h.text_content()) for h in doc.iter("h1")][:3]
    best = stripped[0] if stripped else ""
    if best:
        words = set(re.findall(r"\w+", best.lower()))
        for h in h1s:
            hw = set(re.findall(r"\w+", h.lower()))
            if h and len(h) <= 250 and words and len(words & hw) / len(words) >= 0.6:
                return h
        return best
    return next((h for h in h1s if len(h.split()) >= 3), "")


@lru_cache(maxsize=4)
def _load_sources_cached(data_dir: str) -> tuple[tuple, tuple]:
    from lxml import html as lxml_html

    from moderate.corpora import load_corpora

    base = Path(data_dir)
    gt_path = base / "pages" / "scrapinghub" / "ground-truth.json"
    truth = json.loads(gt_path.read_text(encoding="utf-8"))
    articles = []
    for key in sorted(truth):
        body = truth[key].get("articleBody") or ""
        paras = [p for p in (_clean(x) for x in body.split("\n")) if p]
        if len(" ".join(paras)) < 300 or not _is_english(body):
            continue
        html_path = base / "pages" / "scrapinghub" / "html" / f"{key}.html.gz"
        title = ""
        if html_path.exists():
            try:
                doc = lxml_html.document_fromstring(_decode_html(gzip.decompress(html_path.read_bytes())))
                title = _page_title(doc)
            except (ValueError, OSError):
                title = ""
        if not title:
            continue
        articles.append({"title": title, "paragraphs": paras})
    comments_dir = base / "comments" if (base / "comments").is_dir() else base
    frame = load_corpora(comments_dir, sources=list(_NEWS_SOURCES))
    texts = []
    for t in frame["text"]:
        t = str(t).strip()
        if t and len(t) <= _MAX_COMMENT_CHARS and _paragraphs(t):
            texts.append(t)
    return tuple(articles), tuple(texts)


def load_sources(data_dir: Path = Path("data")) -> tuple[list[dict], list[str]]:
    """Real articles and real comment texts.

    Articles: ``data/pages/scrapinghub/ground-truth.json`` bodies (one paragraph per line) with the
    title from the page's og:title / <title> (site name removed), replaced by the <h1> when that
    matches; English pages only. Comments: the news-comment corpora (c3, ucc_unhealthy,
    kaggle_insults, toxic_spans, ruddit, wiki_talk_context) via :func:`moderate.corpora.load_corpora`,
    without empty or very long (> 1500 characters) texts.
    """
    articles, texts = _load_sources_cached(str(Path(data_dir).resolve()))
    return [dict(a, paragraphs=list(a["paragraphs"])) for a in articles], list(texts)


def _n_comments(r: _R) -> int:
    bucket = r.w([("zero", 10), ("few", 20), ("some", 35), ("many", 25), ("long", 10)])
    return {"zero": 0, "few": r.i(1, 3), "some": r.i(4, 12), "many": r.i(13, 30), "long": r.i(31, 60)}[bucket]


def synthetic_pages(n: int, seed: int, layouts: Sequence[str], fmt: str = "text", data_dir: Path = Path("data"),
                    sources: tuple[list[dict], list[str]] | None = None) -> list[RenderedPage]:
    """``n`` pages, deterministic for ``seed``; layouts are used in shuffled round-robin order.

    Each page gets a random article, titles of other articles (for related lists and widgets) and
    0-60 random comments (some pages none, some a few, some long threads).
    """
    layouts = tuple(layouts)
    if not layouts:
        raise ValueError("no layouts given")
    unknown = [x for x in layouts if x not in _SPECS]
    if unknown:
        raise ValueError(f"unknown layouts: {unknown}")
    articles, texts = sources if sources is not None else load_sources(Path(data_dir))
    if not articles:
        raise ValueError("no articles to render")
    rng = np.random.default_rng(seed)
    order: list[str] = []
    while len(order) < n:
        order += [layouts[int(j)] for j in rng.permutation(len(layouts))]
    titles = [a["title"] for a in articles]
    pages = []
    for i in range(n):
        prng = np.random.default_rng([abs(int(seed)), i])
        r = _R(prng)
        art = articles[r.i(0, len(articles) - 1)]
        others = [t for t in r.sample(titles, 25) if t != art["title"]]
        k = min(_n_comments(r), len(texts))
        if order[i] == "widgets" and texts:
            k = max(k, min(len(texts), r.i(3, 12)))
        chosen = [texts[int(j)] for j in prng.choice(len(texts), size=k, replace=False)] if k else []
        pages.append(render_page({**art, "related_titles": others}, chosen, order[i], prng, fmt))
    return pages
