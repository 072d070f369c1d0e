"""``moderate evaluate-split``: the splitter on held-out real sites, held-out layouts, and the seeds."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from moderate.errors import InputError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "evaluate-split",
        help="measure the page splitter on held-out sites and layouts",
        description=(
            "Evaluate the page splitter on pages it never trained on: dragnet held-out sites, "
            "rendered pages in held-out layout families (and, separately, fresh pages in the "
            "training families), scrapinghub held-out article pages, the trafilatura pages and "
            "the seed pages. Writes evaluation.md and evaluation.json into the splitter folder "
            "(or -o PATH.md). Exit status 1 when one of the issue's floors is not met."
        ),
    )
    parser.add_argument("--splitter", metavar="PATH", help="splitter folder (default: models/splitter/CURRENT)")
    parser.add_argument("--data-dir", type=Path, default=Path("data"), help="default: data")
    parser.add_argument("--seeds", type=Path, default=Path("tests") / "data" / "seeds", help="seed pages folder (default: tests/data/seeds)")
    parser.add_argument("--rendered", type=int, default=None, metavar="N",
                        help="rendered pages per section (default: 30 per held-out layout family)")
    parser.add_argument("-o", "--output", type=Path, metavar="PATH.md", help="report path (JSON twin beside it)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from moderate.pages.report import evaluate_splitter, to_markdown
    from moderate.pages.split import Splitter, resolve_splitter_dir
    from moderate.registry import write_json, write_text_atomic

    folder = resolve_splitter_dir(args.splitter)
    splitter = Splitter.load(folder)
    md_path = Path(args.output) if args.output else folder / "evaluation.md"
    if not md_path.parent.is_dir():  # checked before minutes of work, not after
        raise InputError(f"output folder does not exist: {md_path.parent}")
    report = evaluate_splitter(splitter, args.data_dir, args.seeds, args.rendered,
                               log=lambda m: print(m, file=sys.stderr, flush=True))
    write_text_atomic(md_path, to_markdown(report))
    write_json(md_path.with_suffix(".json"), report)
    for name, s in report["sections"].items():
        if "comment_f1" in s:
            print(f"{name:<30} pages {s['pages']:>4}  boundary F1 {s['boundary_f1']:.3f}  comment F1 {s['comment_f1']:.3f}")
    for name, s in report.get("seeds", {}).items():
        print(f"seed {name}: {s['passed']}/{s['total']} fields")
    print(f"report -> {md_path}")
    return 0 if all(m["met"] for metrics in report["floors"].values() for m in metrics.values()) else 1
