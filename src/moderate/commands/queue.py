"""``moderate queue INPUT... -o OUTPUT``: the comments whose labels would teach the model most."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from moderate.commands.score import _positive_int

HELP = "pick the comments most worth labelling next (uncertain, spread over labels and threads)"


def _share(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0 < number <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {number}")
    return number


def _label_list(value: str) -> list[str]:
    return [label.strip() for label in value.split(",") if label.strip()]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``queue`` on the ``moderate`` sub-command parser."""
    parser = subparsers.add_parser(
        "queue",
        help=HELP,
        description=(
            "Score the comments and pick --n of them to label next: those closest to a label's "
            "review threshold (where the model's decision could flip), taken in turn for each "
            "label, with exact duplicates collapsed, near-duplicates skipped and at most "
            "--max-group-share of the picks from one thread. Memory stays bounded however large "
            "the input. The output (CSV / TSV / JSONL / Parquet by extension) lists the picks in "
            "order with queue_rank, picked_for, why, margin, duplicates, the text, ids and scores. "
            "Texts already labelled (--labelled files, and the site labels the model was trained "
            "with unless --include-labelled) are never picked. --random picks a seeded random "
            "sample instead: on low-prevalence sites the project's benchmark found random samples "
            "taught the model more than uncertainty picks (benchmarks/README.md, C3)."
        ),
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="comment table(s): .csv, .tsv, .jsonl, .parquet")
    parser.add_argument("-o", "--output", required=True, metavar="OUTPUT", help="queue table (format from its extension)")
    parser.add_argument("--labelstudio", metavar="PATH", help="also write a Label Studio import JSON here")
    parser.add_argument("--n", type=_positive_int, default=200, metavar="N", help="comments to pick (default: 200)")
    parser.add_argument("--text-col", metavar="NAME",
                        help="column holding the comment text (default: the first of text, comment, comment_text, body)")
    parser.add_argument("--model", metavar="PATH",
                        help="model folder or models/ directory (default: $MODERATE_MODEL, else models/CURRENT)")
    parser.add_argument("--group-col", metavar="NAME", help="thread / article id column, to spread picks over groups")
    parser.add_argument("--max-group-share", type=_share, default=0.1, metavar="SHARE",
                        help="at most ceil(N*SHARE) picks (at least 1) per group (default: 0.1); lifted if "
                        "that leaves fewer than N picks")
    parser.add_argument("--similarity", type=_share, default=0.8, metavar="COSINE",
                        help="skip a comment whose TF-IDF cosine to an already picked one is at least this "
                        "(default: 0.8)")
    parser.add_argument("--labels", type=_label_list, action="extend", metavar="LABEL[,LABEL...]",
                        help="labels to queue for (default: all the model's labels; off_topic with --article-col)")
    parser.add_argument("--article-col", metavar="NAME",
                        help="column with each comment's article text: off_topic is scored and queued for too")
    parser.add_argument("--offtopic-model", metavar="PATH",
                        help="off-topic model folder (default: $MODERATE_OFFTOPIC, else models/offtopic/CURRENT)")
    parser.add_argument("--chunk-size", type=_positive_int, default=50_000, metavar="N",
                        help="rows read and scored at a time (default: 50000)")
    parser.add_argument("--jobs", type=int, default=-1, metavar="N",
                        help="scoring worker processes (default: -1, every core; 1 scores in this process)")
    parser.add_argument("--seed", type=int, metavar="N",
                        help="break ties between equally uncertain comments by a seeded hash (default: input order); "
                        "with --random, the sample's seed (default: 0)")
    parser.add_argument("--labelled", nargs="+", action="extend", metavar="FILE",
                        help="label files (any format moderate train --labels reads): skip their texts")
    parser.add_argument("--include-labelled", action="store_true",
                        help="do not skip the texts in the model's site labels (site_labels.csv.gz in its "
                        "folder, the labels it was trained with); --labelled files are still skipped")
    parser.add_argument("--random", action="store_true",
                        help="pick a seeded random sample of N distinct comments instead of uncertain ones "
                        "(why = 'random sample'); on low-prevalence sites the project's benchmark found "
                        "random samples taught the model more than uncertainty picks (benchmarks/README.md, C3)")
    parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar on stderr")
    parser.set_defaults(run=run)
    return parser


def format_summary(summary: dict[str, Any], outputs: list[str], labelled_from: str | None = None) -> list[str]:
    """Lines describing a :func:`moderate.queue.build_queue` summary; ``labelled_from`` says where
    the already-labelled texts came from (a line counts the comments skipped as labelled)."""
    is_random = summary.get("strategy") == "random"
    lines = []
    if labelled_from is not None:
        lines.append(f"skipped {summary.get('rows_labelled', 0)} comments already labelled ({labelled_from})")
    if is_random:
        lines += [
            (f"read {summary['rows_read']} rows, {summary['rows_scored']} to sample from, "
             f"skipped {summary['rows_skipped']} (blank or missing text) "
             f"(model {summary['model_id']}, {summary['seconds']:.1f} s)"),
            f"picked {summary['picks']}: a random sample (seed {summary['seed']})",
        ]
    else:
        lines += [
            (f"read {summary['rows_read']} rows, scored {summary['rows_scored']}, "
             f"skipped {summary['rows_skipped']} (blank or missing text); "
             f"{summary['candidates']} candidates (model {summary['model_id']}, {summary['seconds']:.1f} s)"),
            "picked " + f"{summary['picks']}: "
            + ", ".join(f"{label} {count}" for label, count in summary["picks_per_label"].items()),
        ]
    if summary["picks"] < summary["n"]:
        left = "collapsing duplicates" if is_random else "collapsing duplicates and near-duplicates"
        lines.append(
            f"only {summary['picks']} of the {summary['n']} requested: every distinct comment left after "
            f"{left} was picked"
        )
    if summary["relaxed"]:
        lines.append("the per-group cap (--max-group-share) was lifted to reach that many picks")
    lines.append("wrote " + ", ".join(outputs))
    return lines


def _check_output(path: str, inputs: list[str]) -> None:
    from moderate.errors import InputError

    folder = Path(path).parent
    if not folder.is_dir():
        raise InputError(f"{path}: output folder {folder} does not exist")
    resolved = Path(path).resolve()
    if any(Path(p).resolve() == resolved for p in inputs):
        raise InputError(f"{path}: the output file cannot also be an input")


def labelled_keys(label_files: list[str] | None, model: str | None,
                  include_site_labels: bool) -> tuple[set[str], str | None]:
    """The keys (:func:`moderate.corpora.normalise_key`, as computed by the label-file reader) of
    the texts already labelled: those of ``label_files`` and, unless ``include_site_labels``, of
    the model's ``site_labels.csv.gz``. Also a phrase saying where they came from (None: no source)."""
    from moderate import registry
    from moderate.retrain.run import read_site_labels, read_label_files

    keys: set[str] = set()
    sources = []
    if label_files:
        rows, _reports = read_label_files(label_files)
        keys.update(rows["key"].dropna().astype(str))
        sources.append(f"{len(label_files)} --labelled file{'s' if len(label_files) != 1 else ''}")
    if not include_site_labels:
        folder = registry.resolve_model_dir(model)
        site = read_site_labels(folder)
        if len(site):
            keys.update(site["key"].dropna().astype(str))
            sources.append(f"site labels of {folder.name}")
    if not sources:
        return keys, None
    return keys, f"{len(keys)} labelled texts from " + " and ".join(sources)


def run(args: argparse.Namespace) -> int:
    """Run ``moderate queue``; expected failures raise :class:`~moderate.errors.ModerateError`."""
    from moderate import io as table_io
    from moderate.errors import InputError
    from moderate.queue import build_queue, labelstudio_tasks

    table_io.table_format(args.output)
    _check_output(args.output, args.inputs)
    if args.labelstudio:
        _check_output(args.labelstudio, args.inputs)
    for path in args.inputs:
        table_io.check_readable(path)
    exclude, labelled_from = labelled_keys(args.labelled, args.model, args.include_labelled)
    picks, summary = build_queue(
        args.inputs,
        n=args.n,
        text_col=args.text_col,
        model=args.model,
        group_col=args.group_col,
        labels=args.labels,
        max_group_share=args.max_group_share,
        similarity=args.similarity,
        chunk_size=args.chunk_size,
        progress=not args.no_progress and sys.stderr.isatty(),
        seed=args.seed,
        article_col=args.article_col,
        offtopic_model=args.offtopic_model,
        n_jobs=args.jobs,
        exclude_keys=exclude,
        random_sample=args.random,
    )
    if summary["rows_scored"] == 0:
        if summary["rows_labelled"]:
            raise InputError(f"nothing to queue: all {summary['rows_labelled']} comments with text in the input "
                             "are already labelled")
        what = "no rows" if summary["rows_read"] == 0 else f"{summary['rows_read']} rows, all with blank or missing text"
        raise InputError(f"nothing to queue: the input has {what}")
    with table_io.TableWriter(args.output) as writer:
        writer.write(picks)
    outputs = [os.fspath(args.output)]
    if args.labelstudio:
        tasks = labelstudio_tasks(picks, summary["text_column"], summary["score_labels"],
                                  summary["thresholds"], summary["model_id"], article_col=args.article_col)
        tmp = Path(f"{args.labelstudio}.tmp")
        tmp.write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, args.labelstudio)
        outputs.append(os.fspath(args.labelstudio))
    for line in format_summary(summary, outputs, labelled_from):
        print(f"moderate queue: {line}", file=sys.stderr)
    return 0
