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

#: Row statuses written next to the scores.
STATUS_OK = "ok"
STATUS_EMPTY = "empty_text"  # text is blank after stripping whitespace
STATUS_MISSING = "missing_text"  # text cell is null / NaN

#: Columns that scoring appends to the user's columns, in this order.
SCORE_COLUMNS: tuple[str, ...] = (*LABELS, "decision", "status", "model_id")

#: Corpus frame columns (see moderate.corpora).
SPLITS: tuple[str, ...] = ("train", "dev", "test")
