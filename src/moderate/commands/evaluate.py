"""``moderate evaluate``: the test-split report for a model, against two reference systems.

Writes ``<model folder>/evaluation.md`` and ``evaluation.json`` (or ``-o PATH.md`` and
``PATH.json``), prints the pooled per-label ROC AUC of every system, and reports each stage
on stderr. The worker, :func:`build_report`, takes a loaded model and a corpus frame and
returns the report dict; tests call it directly.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from moderate.errors import InputError
from moderate.schema import SPLITS


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "evaluate",
        help="evaluate a model on the test split against two reference systems",
        description=(
            "Score the test split of the shipped corpora with the model, alt-profanity-check "
            "and a TF-IDF + logistic-regression baseline (fitted on the train split in this "
            "run), and write a Markdown report with a JSON twin."
        ),
    )
    parser.add_argument(
        "--model",
        metavar="PATH",
        help="model folder or models/ directory (default: models/CURRENT)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="PATH.md",
        help="report path; the JSON goes next to it with a .json suffix "
        "(default: <model folder>/evaluation.md)",
    )
    parser.add_argument(
        "--split", choices=SPLITS, default="test", help="split to evaluate (default: test)"
    )
    parser.add_argument(
        "--no-baselines", action="store_true", help="evaluate the model only (no reference systems)"
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="corpora folder passed to load_corpora (default: shipped data)",
    )
    parser.add_argument(
        "--offtopic-model",
        metavar="PATH",
        help="off-topic model folder for the off-topic section (default: models/offtopic/CURRENT)",
    )
    parser.add_argument(
        "--no-offtopic", action="store_true",
        help="skip the off-topic section (held-out human labels, swapped-article pairs, seed page)",
    )
    parser.set_defaults(run=run)
    return parser


# Indirections so tests can substitute a tiny corpus and a fake model.
def _load_corpora(data_dir: str | None) -> Any:
    from moderate.corpora import load_corpora

    return load_corpora(data_dir)


def _load_model(path: str | None) -> Any:
    from moderate.registry import load_model

    return load_model(path)


def _describe_data(data_dir: str | None) -> Any:
    from moderate.corpora import describe_data

    return describe_data(data_dir)


def _stderr_progress(message: str) -> None:
    print(f"moderate evaluate: {message}", file=sys.stderr, flush=True)


def build_report(
    model: Any,
    corpus: Any,
    *,
    split: str = "test",
    baselines: bool = True,
    data_dir: str | None = None,
    provenance: Any = None,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Evaluate ``model`` on ``corpus[corpus.split == split]`` and return the report dict.

    With ``baselines``, alt-profanity-check scores the same rows and the TF-IDF baseline is
    fitted on the ``train`` rows and tuned on the ``dev`` rows of ``corpus``. ``provenance``
    (per-source files and checksums) goes into ``report["data"]``. Stage timings
    (seconds) go into ``report["timings"]``.
    """
    from moderate import baselines as refs
    from moderate.evaluate import evaluate_model

    labels = tuple(model.labels)
    rows = corpus[corpus["split"] == split].reset_index(drop=True)
    if rows.empty:
        raise InputError(f"the corpora have no rows in split {split!r}")
    texts = rows["text"].fillna("").astype(str).tolist()
    timings: dict[str, float] = {}

    progress(f"scoring {len(rows):,} {split} comments with model {model.model_id}")
    start = time.perf_counter()
    probs = model.predict_proba(texts)
    timings["model_scoring"] = time.perf_counter() - start

    systems = {}
    if baselines:
        progress(f"scoring {len(rows):,} comments with alt-profanity-check")
        start = time.perf_counter()
        systems[refs.PROFANITY_CHECK_SYSTEM] = refs.profanity_check_scores(texts, labels)
        timings["profanity_check_scoring"] = time.perf_counter() - start

        train = corpus[corpus["split"] == "train"]
        dev = corpus[corpus["split"] == "dev"]
        if train.empty or dev.empty:
            raise InputError("the TF-IDF baseline needs train and dev rows (or use --no-baselines)")
        progress(
            f"fitting the TF-IDF baseline on {len(train):,} train comments, "
            f"tuning on {len(dev):,} dev comments"
        )
        start = time.perf_counter()
        systems[refs.TFIDF_SYSTEM] = refs.tfidf_logreg_scores(train, dev, texts, labels)
        timings["tfidf_baseline_fit_and_score"] = time.perf_counter() - start

    progress("computing metrics")
    start = time.perf_counter()
    description = {
        "corpus": "moderate.corpora.load_corpora()",
        "data_dir": data_dir or "(shipped data)",
        "corpus_rows": int(len(corpus)),
        "split_rows": {
            str(k): int(v) for k, v in corpus["split"].value_counts().sort_index().items()
        },
    }
    if provenance is not None:
        description["provenance"] = provenance
    report = evaluate_model(
        model, rows, systems, probs=probs, split=split, data_description=description
    )
    timings["metrics"] = time.perf_counter() - start
    report["timings"] = {k: round(v, 2) for k, v in timings.items()}
    return report


def output_paths(output: str | None, model: Any) -> tuple[Path, Path]:
    """(Markdown path, JSON path) for ``-o`` or the model folder."""
    if output:
        markdown = Path(output)
        if markdown.suffix.lower() != ".md":
            markdown = markdown.with_name(markdown.name + ".md")
    else:
        if getattr(model, "path", None) is None:
            raise InputError("the model has no folder to write into: pass -o PATH.md")
        markdown = Path(model.path) / "evaluation.md"
    return markdown, markdown.with_suffix(".json")


def summary_lines(report: dict[str, Any]) -> list[str]:
    """Pooled per-label ROC AUC, one line per label, for the terminal."""
    from moderate.evaluate import pooled_auc_table

    systems = list(report["systems"])
    table = pooled_auc_table(report)
    width = max(len(s) for s in systems) + 2
    lines = [
        f"pooled ROC AUC on {report['split']} ({report['n_rows']:,} comments), "
        f"model {report['model_id']}"
    ]
    lines.append(f"{'label':<16}" + "".join(f"{s:>{width}}" for s in systems))
    for label in report["labels"]:
        cells = []
        for system in systems:
            value = table.get(label, {}).get(system)
            cells.append(f"{'-' if value is None else f'{value:.3f}':>{width}}")
        lines.append(f"{label:<16}" + "".join(cells))
    flagged = report["headline"]["flagged_sources"]
    if flagged:
        lines.append(
            "news sources where the model does not beat alt-profanity-check: " + ", ".join(flagged)
        )
    return lines


def run(args: argparse.Namespace) -> int:
    from moderate.evaluate import render_markdown
    from moderate.registry import write_json, write_text_atomic

    started = time.perf_counter()
    _stderr_progress("loading model")
    model = _load_model(args.model)
    markdown_path, json_path = output_paths(args.output, model)
    if not markdown_path.parent.is_dir():
        raise InputError(f"output folder does not exist: {markdown_path.parent}")
    _stderr_progress("loading corpora")
    corpus = _load_corpora(args.data_dir)
    provenance = _describe_data(args.data_dir)
    report = build_report(
        model,
        corpus,
        split=args.split,
        baselines=not args.no_baselines,
        data_dir=args.data_dir,
        provenance=provenance,
        progress=_stderr_progress,
    )
    markdown = render_markdown(report)
    if not args.no_offtopic:
        offtopic = offtopic_section(args.offtopic_model, args.data_dir)
        report["off_topic"] = offtopic
        markdown += "\n" + offtopic["markdown"]
    report["timings"]["total"] = round(time.perf_counter() - started, 2)
    _stderr_progress(f"writing {markdown_path} and {json_path}")
    write_text_atomic(markdown_path, markdown)
    write_json(json_path, report)
    print("\n".join(summary_lines(report)))
    if not args.no_offtopic:
        print("\n".join(offtopic_summary_lines(report["off_topic"])))
    return 0


def _offtopic_data_dir(data_dir: str | None) -> Path:
    """The ``data/`` folder holding ``labels/offtopic`` (``--data-dir`` names the corpora folder)."""
    from moderate.corpora import _resolve_dir

    comments = _resolve_dir(data_dir)
    for candidate in (comments.parent, comments):
        if (candidate / "labels" / "offtopic" / "labels.tsv").is_file():
            return candidate
    raise InputError(f"no labels/offtopic/labels.tsv next to {comments} (or pass --no-offtopic)")


def offtopic_section(model_path: str | None, data_dir: str | None) -> dict[str, Any]:
    """The off-topic report (see :mod:`moderate.offtopic.evaluate`), with its Markdown."""
    from moderate.offtopic.evaluate import evaluate_offtopic, to_markdown
    from moderate.offtopic.load import load_offtopic

    _stderr_progress("off-topic: loading model")
    loaded = load_offtopic(model_path)
    root = _offtopic_data_dir(data_dir)
    _stderr_progress(f"off-topic: evaluating {loaded.model_id} on the held-out labels of {root / 'labels' / 'offtopic'}")
    report = evaluate_offtopic(loaded.estimator, root)
    report["model_id"] = loaded.model_id
    report["markdown"] = to_markdown(report, loaded.model_id).replace("\n# Off-topic", "\n## Off-topic", 1)
    return report


def offtopic_summary_lines(report: dict[str, Any]) -> list[str]:
    human, swapped = report["human"], report["swapped"]["human_on_comments"]
    lines = [f"off-topic, model {report['model_id']}: ROC AUC (held-out human labels: {human['rows']} pairs, "
             f"{human['positives']} off or generic; swapped-article pairs: {swapped['rows']})"]
    lines.append(f"{'scorer':<20}{'human':>10}{'swapped':>10}")
    for name in ("model", "tfidf_cosine", "plain_tfidf_cosine", "comment_only"):
        if name not in human:
            continue
        sw = swapped.get(name, {}).get("roc_auc")
        lines.append(f"{name:<20}{human[name]['roc_auc']:>10.3f}{'-' if sw is None else f'{sw:.3f}':>10}")
    missed = [name for name, f in report["floors"].items() if not f["met"]]
    if missed:
        lines.append("off-topic floors not met: " + ", ".join(missed))
    seeds = report["seeds"]
    if seeds.get("available"):
        lines.append(f"seed page ordering checks: {'passed' if seeds['passed'] else 'NOT passed'}")
    return lines
