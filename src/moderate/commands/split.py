"""``moderate split PAGE... [-o pages.jsonl]``: pages in, article + individual comments out."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import Any

HELP = "split scraped pages (text or HTML) into the article and its individual comments"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "split",
        help=HELP,
        description=(
            "Split each page (.txt, .html, .htm, optionally .gz; folders are searched) into its "
            "article (title, byline, published, body) and its comments (author, posted_at, text, "
            "reply_to, about), and write one JSON object per page (JSON Lines). Boilerplate is "
            "listed separately. Encodings (UTF-8, cp1252, UTF-16 with BOM) and HTML vs text are "
            "detected from the content."
        ),
    )
    parser.add_argument("inputs", nargs="+", metavar="PAGE", help="page files or folders of pages")
    parser.add_argument("-o", "--output", metavar="PATH.jsonl", help="output file (default: stdout)")
    parser.add_argument("--splitter", metavar="PATH", help="splitter model folder (default: models/splitter/CURRENT)")
    parser.add_argument(
        "--lines", action="store_true",
        help="also write every block with its label and comment index (to audit a split)",
    )
    parser.add_argument("--jobs", type=int, default=-1, metavar="N",
                        help="processes that read pages and compute features (default: -1, every core)")
    parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar on stderr")
    parser.set_defaults(run=run)
    return parser


def page_record(split: Any, with_lines: bool = False) -> dict[str, Any]:
    record = split.to_dict()
    if with_lines:
        record["lines"] = [
            {"line": b.line, "label": label, "comment": k, "text": b.text}
            for b, label, k in zip(split.blocks, split.labels, split.comment_of)
        ]
    return record


def _show_warning(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
    print(f"moderate split: warning: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from moderate.pages.batch import atomic_text_writer, iter_splits

    stats = {"pages": 0, "comments": 0, "failed": 0}
    progress = False if args.no_progress or not args.output else None
    with warnings.catch_warnings(), atomic_text_writer(args.output) as handle:
        warnings.showwarning = _show_warning  # one line per skipped page; restored on exit
        for split in iter_splits(args.inputs, args.splitter, progress=progress, stats=stats, n_jobs=args.jobs):
            handle.write(json.dumps(page_record(split, args.lines), ensure_ascii=False) + "\n")
            stats["comments"] += len(split.comments)
    failed = f", {stats['failed']} skipped (unreadable or unsplittable, see warnings)" if stats["failed"] else ""
    target = f" -> {args.output}" if args.output else ""
    print(f"moderate split: {stats['pages']} pages, {stats['comments']} comments{failed}{target}", file=sys.stderr)
    return 0
