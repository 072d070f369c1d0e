"""``moderate train-offtopic``: train the off-topic model and write models/offtopic/<id>/."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from moderate.commands.train import parse_params
from moderate.errors import InputError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "train-offtopic",
        help="train the off-topic model and write models/offtopic/<id>/",
        description=(
            "Train the off-topic model on the training part of data/labels/offtopic (human labels) and "
            "on weak swapped-article pairs from the same pages; evaluate it on the held-out part; write a "
            "model folder under models/offtopic/ and make it current."
        ),
    )
    parser.add_argument("--data-dir", type=Path, default=Path("data"), help="default: data")
    parser.add_argument("--models-dir", type=Path, default=Path("models"), help="default: models (the folder goes in models/offtopic/)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="override a training parameter (head_C, text_C, n_components, weak_title_only, weak_in_head)")
    parser.add_argument("--no-promote", action="store_true", help="write the folder but keep models/offtopic/CURRENT")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from moderate.offtopic.train import DEFAULT_PARAMS, train_and_save

    params = parse_params(args.param)
    unknown = set(params) - set(DEFAULT_PARAMS)
    if unknown:
        raise InputError(f"unknown parameter(s) {', '.join(sorted(unknown))}; known: {', '.join(DEFAULT_PARAMS)}")
    if not (args.data_dir / "labels" / "offtopic" / "labels.tsv").is_file():
        raise InputError(f"{args.data_dir}: no labels/offtopic/labels.tsv (run from the repository root or pass --data-dir)")
    folder = train_and_save(args.data_dir, args.models_dir, seed=args.seed, params=params, promote=not args.no_promote)
    print(folder)
    return 0
