"""Scoring throughput with and without ``off_topic``, same comments, same run.

    PYTHONPATH=src python benchmarks/offtopic_throughput.py [--n 100000] [--articles 200] [--repeat 3] [--jobs -1] [--cold] [--fresh]

Draws ``--n`` corpus comments (fixed seed) and gives each one of ``--articles`` real articles
(the bodies in ``data/labels/offtopic/articles.jsonl``, median 2,500 characters, up to 43,000),
as a comment table with an ``article`` column would. Times ``score_frame`` on the same frame
incivility-only (no article) and with ``article_col="article"`` (incivility + off_topic),
alternating, ``--repeat`` times each after a warm-up. Reports the median comments/s and the
ratio; the issue asks for the off-topic path to stay within 30 % of the incivility-only one
(ratio >= 0.70). Prepared articles are cached per process (a dump scored in batches repeats its
articles); ``--cold`` shuts the worker processes down and clears that cache before every timed
run, so each run starts workers and prepares every article again. The featurizer also keeps, per
process, what it worked out for each distinct word it has met; a dump brings new words all the
time, while the repeated runs here score the same comments: ``--fresh`` gives every repeat its own
draw of comments (the two kinds score the same draw), so the new words of each run are counted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from score_throughput import sample_texts  # noqa: E402

TARGET_RATIO = 0.70


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=-1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--cold", action="store_true", help="restart workers and clear the article cache before each run")
    parser.add_argument("--fresh", action="store_true", help="a new draw of comments for every repeat")
    args = parser.parse_args(argv)

    from moderate.offtopic.load import load_offtopic
    from moderate.registry import load_model
    from moderate.score import score_frame

    articles = pd.read_json(Path("data/labels/offtopic/articles.jsonl"), lines=True).head(args.articles)

    def draw(seed: int) -> pd.DataFrame:
        texts = sample_texts(args.n, seed=seed)
        pick = np.random.default_rng(seed).integers(0, len(articles), size=len(texts))
        return pd.DataFrame({"text": texts, "title": articles["title"].to_numpy()[pick],
                             "article": articles["body"].to_numpy()[pick]})

    frame = draw(0)
    texts = frame["text"].tolist()
    model, offtopic = load_model(), load_offtopic()
    runs = {"incivility_only": [], "with_off_topic": []}

    def run(kind: str, rows: pd.DataFrame) -> float:
        if args.cold:
            from joblib.externals.loky import get_reusable_executor

            from moderate.offtopic.features import clear_view_cache

            clear_view_cache()
            get_reusable_executor().shutdown(wait=True)
        start = time.perf_counter()
        if kind == "incivility_only":
            score_frame(rows, model=model, n_jobs=args.jobs)
        else:
            score_frame(rows, model=model, n_jobs=args.jobs, article_col="article", title_col="title",
                        offtopic_model=offtopic)
        return len(rows) / (time.perf_counter() - start)

    for kind in runs:  # warm-up (imports, worker start)
        run(kind, frame.head(2_000))
    for r in range(args.repeat):
        rows = draw(r + 1) if args.fresh else frame
        for kind in runs:
            runs[kind].append(run(kind, rows))
            print(f"{kind}: {runs[kind][-1]:,.0f} comments/s", file=sys.stderr, flush=True)
    medians = {k: statistics.median(v) for k, v in runs.items()}
    ratio = medians["with_off_topic"] / medians["incivility_only"]
    result = {
        "comments": len(frame), "articles": int(len(articles)), "jobs": args.jobs, "cold": args.cold, "fresh": args.fresh,
        "mean_comment_chars": float(np.mean([len(t) for t in texts])),
        "mean_article_chars": float(articles["body"].str.len().mean()),
        "median_comments_per_second": {k: round(v) for k, v in medians.items()},
        "runs": {k: [round(x) for x in v] for k, v in runs.items()},
        "ratio": round(ratio, 3), "target_ratio": TARGET_RATIO, "met": ratio >= TARGET_RATIO,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
