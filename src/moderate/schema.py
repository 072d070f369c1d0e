"""Names shared by every module: labels, output columns, decisions, row statuses."""

from __future__ import annotations

#: Incivility labels, in the order every model, frame and file uses.
LABELS: tuple[str, ...] = ("toxicity", "insult", "obscene", "identity_attack", "threat")

#: The labels that refine toxicity (a comment that is none of them may still be toxic).
SUBTYPES: tuple[str, ...] = LABELS[1:]

#: Column names tried, in order, when the user does not name the text column.
TEXT_COLUMN_CANDIDATES: tuple[str, ...] = ("text", "comment", "comment_text", "body")

#: Moderation decisions, from most to least severe.
REJECT, REVIEW, APPROVE = "reject", "review", "approve"
DECISIONS: tuple[str, ...] = (REJECT, REVIEW, APPROVE)

#: The off-topic score: is the comment about the article it sits under? (moderate.offtopic)
OFF_TOPIC = "off_topic"

#: Row statuses written next to the scores.
STATUS_OK = "ok"  # every score, off_topic included
STATUS_NO_ARTICLE = "no_article"  # incivility scored; no article for this row, so no off_topic
STATUS_ARTICLE_NOT_FOUND = "article_not_found"  # incivility scored; its article_id is not in --articles
STATUS_EMPTY = "empty_text"  # text is blank after stripping whitespace
STATUS_MISSING = "missing_text"  # text cell is null / NaN
#: Statuses of rows whose text was scored.
SCORED_STATUSES: frozenset[str] = frozenset({STATUS_OK, STATUS_NO_ARTICLE, STATUS_ARTICLE_NOT_FOUND})

#: Columns that scoring appends to the user's columns, in this order.
SCORE_COLUMNS: tuple[str, ...] = (*LABELS, OFF_TOPIC, "decision", "status", "model_id", "offtopic_model_id")

#: Corpus frame columns (see moderate.corpora).
SPLITS: tuple[str, ...] = ("train", "dev", "test")
