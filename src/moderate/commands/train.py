"""``moderate train``: rebuild the incivility model from the shipped corpora, or retrain it with a
site's own labels (``--labels``: compare with the current model, promote only when not worse)."""

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
        help="train a model from data/ (and your labels) and write models/<model_id>/",
        description="Train the incivility model on the shipped corpora (data/comments), "
        "choose thresholds on the dev split, write a model folder and make it current. "
        "With --labels: add your moderators' labels (CSV / TSV / JSON Lines / Parquet with a text "
        "column and any of the label columns, or a Label Studio JSON export) to the labels the "
        "current model was trained with, train a candidate, compare it with the current model on "
        "the shipped test split and on a held-out slice of your labels, and promote it only when "
        "it is better there and not worse on the test split (see docs in README, 'Retraining').",
    )
    parser.add_argument("--labels", nargs="+", metavar="FILE", help="label files to retrain with")
    parser.add_argument("--text-col", metavar="NAME", help="text column of the label files (default: text, comment, ...)")
    parser.add_argument("--duplicates", choices=("latest", "majority"), default="latest",
                        help="same text labelled more than once: latest labeled_at wins (default) or the mean of the votes")
    parser.add_argument("--site-weight", type=float, default=10.0, metavar="W",
                        help="training weight of your labels (the corpora weigh 1.0; default 10, chosen in benchmarks/retrain_loop.py on a simulated site)")
    parser.add_argument("--holdout-share", type=float, default=None, metavar="S",
                        help="share of your labelled texts held out for the comparison, by text hash (default 0.2; "
                             "a retrained model keeps its parent's share, which cannot be changed within a lineage)")
    parser.add_argument("--tolerance", type=float, default=0.005,
                        help="largest ROC AUC drop per label on the shipped test split that still allows promotion (default 0.005)")
    # default None, resolved in _retrain: moderate.retrain.compare needs numpy and pandas, not wanted at CLI start-up
    parser.add_argument("--min-gain", type=float, default=None, metavar="G",
                        help="promote only if the mean ROC AUC on the held-out slice of your labels rises by more "
                             "than G (default 0: any improvement)")
    parser.add_argument("--articles", metavar="TABLE",
                        help="articles table (article_id + text, optional title) for label rows that give an article_id "
                             "with off_topic")
    parser.add_argument("--article-id-col", default="article_id", metavar="NAME", help="join column (default: article_id)")
    parser.add_argument("--force", action="store_true", help="promote even if the comparison says no (recorded as forced)")
    parser.add_argument("--skipped", metavar="CSV", help="write every skipped label row (file, row, reason) to this CSV")
    parser.add_argument("--by", metavar="NAME", help="who runs this, for models/registry.jsonl (default: $MODERATE_USER or the login name)")
    parser.add_argument("--reason", default="", metavar="TEXT", help="why, for models/registry.jsonl")
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
    if args.labels:
        return _retrain(args, params)
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


def _retrain(args: argparse.Namespace, params: dict[str, Any]) -> int:
    from moderate.retrain.compare import DEFAULT_MIN_GAIN, comparison_lines
    from moderate.retrain.merge import MergePolicy
    from moderate.retrain.run import retrain

    articles = None
    if args.articles:
        from moderate.score import read_articles

        articles = read_articles(args.articles, id_col=args.article_id_col)
    explicit = args.holdout_share is not None
    policy = MergePolicy(duplicates=args.duplicates, site_weight=args.site_weight,
                         **({"holdout_share": args.holdout_share} if explicit else {}))
    run = retrain(
        args.labels, models_dir=args.models_dir, data_dir=args.data_dir, policy=policy, tolerance=args.tolerance,
        min_gain=DEFAULT_MIN_GAIN if args.min_gain is None else args.min_gain, holdout_share_explicit=explicit,
        force=args.force, promote=not args.no_promote, seed=args.seed, params=params, sources=args.sources,
        text_col=args.text_col, articles=articles, by=args.by, reason=args.reason, skipped_path=args.skipped,
        log=lambda message: print(message, file=sys.stderr, flush=True),
    )
    for result in run.results:
        family_dir = args.models_dir if result.family == "incivility" else args.models_dir / "offtopic"
        print(f"\n{result.family} candidate {result.model_id} -> {result.folder} (parent {result.parent or 'none'})")
        if result.comparison is not None:
            print("\n".join(comparison_lines(result.comparison)))
        for line in result.metadata["lineage"]["decision"]["reasons"]:
            print(f"- {line}")
        if result.promoted:
            print(f"promoted{' (forced)' if result.forced else ''}: {family_dir}/CURRENT -> {result.model_id}")
        else:
            print(f"kept, not promoted: {family_dir}/CURRENT unchanged" + ("" if args.no_promote else " (--force promotes anyway)"))
    return 0
