"""``moderate score INPUT... -o OUTPUT``: score comment tables into one output table."""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import Any

from moderate.schema import DECISIONS

HELP = "score comments in tables (CSV / TSV / JSON Lines / Parquet) or in pages (text / HTML)"


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``score`` on the ``moderate`` sub-command parser."""
    parser = subparsers.add_parser(
        "score",
        help=HELP,
        description=(
            "Score every comment in the input tables and write the input columns plus one "
            "probability per label, a decision (reject / review / approve), a status and the "
            "model id. Formats follow the extensions: .csv, .tsv/.tab, .jsonl/.ndjson "
            "(optionally .gz), .parquet/.pq. Pages (.txt, .html, .htm, optionally .gz, or folders "
            "of them) are first split into their comments (see moderate split); the output then "
            "has one row per comment with source, index, author, posted_at, reply_to and about."
        ),
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="comment table(s), or pages / folders of pages")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUTPUT",
        help="output table (format from its extension)",
    )
    parser.add_argument(
        "--text-col",
        metavar="NAME",
        help="column holding the comment text (default: the first of text, comment, "
        "comment_text, body)",
    )
    parser.add_argument(
        "--model",
        metavar="PATH",
        help="model folder or models/ directory (default: $MODERATE_MODEL, else models/CURRENT)",
    )
    parser.add_argument(
        "--splitter",
        metavar="PATH",
        help="page splitter model folder, for pages (default: models/splitter/CURRENT)",
    )
    articles = parser.add_argument_group(
        "articles (for off_topic)",
        "off_topic says whether a comment is about its article. Pages bring their own articles; for "
        "tables give the article text as a column or as a separate table. Without either, off_topic "
        "is empty and status is no_article. A comment is also compared with the other comments under "
        "the same article (on a page, the page's; in tables, every row with that article: tables are "
        "read twice, the discussions first).",
    )
    articles.add_argument("--article-col", metavar="NAME", help="column holding each comment's article text")
    articles.add_argument("--title-col", metavar="NAME", help="column holding the article's title (with --article-col)")
    articles.add_argument(
        "--articles",
        metavar="TABLE",
        help="articles table (CSV / JSONL / Parquet ...) with article_id, the text (article, body, text, "
        "article_text or content) and optionally title; joined on the comments' article_id column",
    )
    articles.add_argument(
        "--article-id-col", default="article_id", metavar="NAME",
        help="the join column, in both tables (default: article_id)",
    )
    articles.add_argument("--parent-col", metavar="NAME", help="column holding the text of the comment replied to (optional)")
    articles.add_argument(
        "--offtopic-model",
        metavar="PATH",
        help="off-topic model folder (default: $MODERATE_OFFTOPIC, else models/offtopic/CURRENT)",
    )
    parser.add_argument(
        "--chunk-size",
        type=_positive_int,
        default=20_000,
        metavar="N",
        help="rows read, scored and written at a time (default: 20000)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=-1,
        metavar="N",
        help="worker processes (default: -1, every core; 1 scores in this process)",
    )
    parser.add_argument(
        "--threshold",
        action="append",
        default=[],
        metavar="LABEL.KIND=VALUE",
        help="override a decision threshold, e.g. toxicity.reject=0.95, insult.review=0.4 or "
        "off_topic.review=0.6 (repeatable; default: the models' own)",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="do not show a progress bar on stderr"
    )
    parser.set_defaults(run=run)
    return parser


def format_summary(summary: dict[str, Any]) -> str:
    """One line describing a :func:`moderate.score.score_files` summary."""
    unscored = []
    if summary["empty"]:
        unscored.append(f"{summary['empty']} empty")
    if summary["missing"]:
        unscored.append(f"{summary['missing']} missing")
    not_scored = f" ({', '.join(unscored)} text)" if unscored else ""
    off = ""
    if summary.get("offtopic_model_id") or summary.get("no_article") or summary.get("article_not_found"):
        parts = [f"off_topic for {summary.get('off_topic_scored', 0)}"]
        if summary.get("no_article"):
            parts.append(f"{summary['no_article']} without an article")
        if summary.get("article_not_found"):
            parts.append(f"{summary['article_not_found']} with an article_id not in --articles")
        off = "; " + ", ".join(parts)
    decisions = ", ".join(f"{d} {summary['decisions'][d]}" for d in DECISIONS)
    pages = ""
    if "pages" in summary:
        failed = f", {summary['failed_pages']} skipped" if summary.get("failed_pages") else ""
        pages = f"{summary['pages']} pages{failed}: "
    return (
        f"{pages}scored {summary['scored']} of {summary['rows']} rows{not_scored}{off}: {decisions}"
        f" -> {summary['output']} (model {summary['model_id']}, {summary['seconds']:.1f} s)"
    )


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """Print a warning as one line, without the source location meant for developers."""
    print(f"moderate score: warning: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Run ``moderate score``; expected failures raise :class:`~moderate.errors.ModerateError`."""
    from moderate.decision import parse_threshold_options
    from moderate.score import score_files

    with warnings.catch_warnings():
        warnings.showwarning = _show_warning  # restored when the block exits
        summary = score_files(
            args.inputs,
            args.output,
            text_col=args.text_col,
            model=args.model,
            chunk_size=args.chunk_size,
            n_jobs=args.jobs,
            thresholds=parse_threshold_options(args.threshold),
            progress=False if args.no_progress else None,
            splitter=args.splitter,
            article_col=args.article_col,
            title_col=args.title_col,
            articles=args.articles,
            article_id_col=args.article_id_col,
            parent_col=args.parent_col,
            offtopic_model=args.offtopic_model,
        )
    print(f"moderate score: {format_summary(summary)}", file=sys.stderr)
    return 0
