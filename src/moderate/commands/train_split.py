"""``moderate train-split``: train the page splitter and write models/splitter/<id>/."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from moderate.commands.train import parse_params
from moderate.errors import InputError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "train-split",
        help="train the page splitter (line classifier) and write models/splitter/<id>/",
        description=(
            "Train the page splitter on the annotated dragnet pages (held-out sites excluded), "
            "pages rendered in the training layout families and the scrapinghub pages (held-out "
            "pages excluded); write a model folder under models/splitter/ and make it current."
        ),
    )
    parser.add_argument("--data-dir", type=Path, default=Path("data"), help="default: data")
    parser.add_argument("--models-dir", type=Path, default=Path("models") / "splitter", help="default: models/splitter")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--rendered-text", type=int, default=None, metavar="N", help="rendered text pages to train on")
    parser.add_argument("--rendered-html", type=int, default=None, metavar="N", help="rendered HTML pages to train on")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="override a LineLabeller parameter, e.g. --param max_iter=300; repeatable")
    parser.add_argument("--members", type=int, default=1, metavar="N",
                        help="train N line labellers on different draws of rendered pages (seeds --seed, --seed+1, ...) "
                             "and average them (default: 1; each takes a full training's time)")
    parser.add_argument("--combine", nargs="+", type=Path, default=None, metavar="FOLDER",
                        help="train nothing: average these saved splitters (trained with different --seed) into a new folder")
    parser.add_argument("--no-promote", action="store_true", help="write the folder but keep models/splitter/CURRENT")
    parser.add_argument("--segmenter-only", action="store_true",
                        help="keep the current splitter's line classifier (or --splitter's) and refit only the comment "
                             "segmenter (about a minute)")
    parser.add_argument("--splitter", type=Path, default=None, metavar="PATH",
                        help="with --segmenter-only: the splitter folder to start from (default: models/splitter/CURRENT)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from moderate.pages.model import LineLabeller
    from moderate.pages.train import (
        DEFAULT_RENDERED_HTML,
        DEFAULT_RENDERED_TEXT,
        refit_segmenter_and_save,
        train_and_save,
    )

    params = parse_params(args.param)
    unknown = set(params) - set(LineLabeller().get_params()) | ({"random_state"} & set(params))
    if unknown:
        raise InputError(f"unknown parameter(s) {', '.join(sorted(unknown))}; known: {', '.join(LineLabeller().get_params())}")
    if not (args.data_dir / "pages" / "annotations" / "dragnet").is_dir():
        raise InputError(f"{args.data_dir}: no pages/annotations/dragnet folder (run from the repository root or pass --data-dir)")
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    if args.members < 1:
        raise InputError("--members must be at least 1")
    if args.combine is not None:
        if args.segmenter_only or args.members != 1 or params or args.rendered_text is not None or args.rendered_html is not None:
            raise InputError("--combine trains nothing: --segmenter-only, --members, --param and --rendered-* do not apply")
        if len(args.combine) < 2:
            raise InputError("--combine needs at least two splitter folders")
        from moderate.pages.train import combine_and_save

        print(combine_and_save(args.combine, args.models_dir, promote=not args.no_promote, log=log))
        return 0
    if args.segmenter_only:
        if args.members != 1:
            raise InputError("--segmenter-only keeps the line classifier: --members does not apply")
        if params or args.rendered_text is not None or args.rendered_html is not None:
            raise InputError("--segmenter-only keeps the line classifier: --param and --rendered-* do not apply")
        print(refit_segmenter_and_save(args.data_dir, args.models_dir, args.splitter, promote=not args.no_promote, log=log))
        return 0
    folder = train_and_save(
        args.data_dir, args.models_dir, seed=args.seed,
        n_text=DEFAULT_RENDERED_TEXT if args.rendered_text is None else args.rendered_text,
        n_html=DEFAULT_RENDERED_HTML if args.rendered_html is None else args.rendered_html,
        params=params, promote=not args.no_promote, log=log, members=args.members,
    )
    print(folder)
    return 0
