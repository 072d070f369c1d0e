"""``moderate train``: rebuild the default incivility model from the shipped corpora."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from moderate.errors import InputError
from moderate.schema import LABELS


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train a model from data/ and write models/<model_id>/",
        description="Train the incivility model on the shipped corpora (data/comments), "
        "choose thresholds on the dev split, write a model folder and make it current.",
    )
    parser.add_argument("--data-dir", type=Path, help="corpora folder (default: data/comments)")
    parser.add_argument("--models-dir", type=Path, default=Path("models"), help="default: models")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a model parameter (JSON value), e.g. --param C=2; repeatable",
    )
    parser.add_argument("--sources", nargs="+", help="train on these corpora only")
    parser.add_argument(
        "--no-promote", action="store_true", help="write the model folder but keep models/CURRENT"
    )
    parser.set_defaults(run=run)


def parse_params(items: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name:
            raise InputError(f"--param expects NAME=VALUE, got {item!r}")
        try:
            params[name] = json.loads(raw)
        except json.JSONDecodeError:
            params[name] = raw
    return params


def run(args: argparse.Namespace) -> int:
    from moderate.model import DEFAULT_PARAMS
    from moderate.train import train_model

    params = parse_params(args.param)
    unknown = set(params) - set(DEFAULT_PARAMS)
    if unknown:
        raise InputError(
            f"unknown parameter(s) {', '.join(sorted(unknown))}; known: {', '.join(DEFAULT_PARAMS)}"
        )
    result = train_model(
        data_dir=args.data_dir,
        models_dir=args.models_dir,
        params=params,
        seed=args.seed,
        sources=args.sources,
        promote=not args.no_promote,
        log=lambda message: print(message, file=sys.stderr, flush=True),
    )
    meta = result.metadata
    print(f"model {result.model_id} -> {result.folder} ({result.seconds:.0f} s)")
    print(f"{'label':<16}{'dev AUC':>9}{'dev AP':>8}{'dev F1':>8}{'dev ECE':>9}{'test AUC':>10}{'review':>8}{'reject':>8}")
    for label in LABELS:
        dev = meta["metrics"]["dev"][label]
        test = meta["metrics"]["test"][label]
        thr = meta["thresholds"][label]
        print(
            f"{label:<16}{_f(dev['roc_auc']):>9}{_f(dev['average_precision']):>8}{_f(dev['f1']):>8}"
            f"{_f(dev['ece']):>9}{_f(test['roc_auc']):>10}{thr['review']:>8.3f}{thr['reject']:>8.3f}"
        )
    if not args.no_promote:
        print(f"models/CURRENT -> {result.model_id}")
    return 0


def _f(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
