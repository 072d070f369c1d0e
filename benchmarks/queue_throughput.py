"""Active-learning queue throughput: ``moderate.queue.build_queue`` on a 100,000-comment Parquet dump.

    PYTHONPATH=src python benchmarks/queue_throughput.py \\
        [--n-comments 100000] [--threads 2000] [--n 200] [--model PATH] [--chunk-size 50000] [--json OUT]

Samples ``--n-comments`` texts from ``load_corpora()`` (with replacement; fixed seed), gives each
a ``comment_id`` and one of ``--threads`` ``thread_id`` values, writes them to a Parquet file in a
temporary folder, then times one ``build_queue(..., n=200, group_col="thread_id")`` with the shipped
model: reading, scoring, pooling and selecting. Reports wall-clock seconds, comments/s, peak RSS,
picks per label and the number of distinct threads picked. See README.md for the goal.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: The goal the README states: this many comments within this many seconds, on 2 cores.
GOAL_COMMENTS = 100_000
GOAL_SECONDS = 120.0


sys.path.insert(0, str(Path(__file__).resolve().parent))
from score_throughput import cpu_model, emit, peak_rss_mb  # noqa: E402


def write_dump(path: Path, n_comments: int, threads: int, seed: int = 0) -> float:
    """Write the sampled dump to ``path``; returns the mean text length in characters."""
    from moderate.corpora import load_corpora

    texts = load_corpora()["text"].astype(str).to_numpy()
    rng = np.random.default_rng(seed)
    sampled = texts[rng.choice(len(texts), size=n_comments, replace=True)]
    frame = pd.DataFrame({
        "comment_id": [f"c{i:07d}" for i in range(n_comments)],
        "thread_id": [f"t{t:05d}" for t in rng.integers(0, threads, size=n_comments)],
        "text": sampled,
    })
    frame.to_parquet(path, index=False)
    return float(np.mean([len(t) for t in sampled]))


def run_benchmark(n_comments: int, threads: int, n: int, model_path: str | None, chunk_size: int,
                  seed: int = 0) -> dict[str, Any]:
    from moderate.queue import build_queue
    from moderate.registry import load_model

    model = load_model(model_path)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "comments.parquet"
        mean_chars = write_dump(path, n_comments, threads, seed)
        picks, summary = build_queue([path], n=n, model=model, group_col="thread_id", chunk_size=chunk_size)
    seconds = summary["seconds"]
    return {
        "n_comments": n_comments,
        "threads": threads,
        "n": n,
        "chunk_size": chunk_size,
        "model_id": model.model_id,
        "mean_text_chars": round(mean_chars, 1),
        "seconds": round(seconds, 2),
        "comments_per_second": round(summary["rows_read"] / seconds, 1),
        "rows_scored": summary["rows_scored"],
        "candidates": summary["candidates"],
        "picks": summary["picks"],
        "picks_per_label": summary["picks_per_label"],
        "distinct_threads_picked": int(picks["thread_id"].nunique()),
        "max_picks_per_thread": int(picks["thread_id"].value_counts().max()) if len(picks) else 0,
        "distinct_duplicates_collapsed": int((picks["duplicates"] > 1).sum()),
        "relaxed": summary["relaxed"],
        "goal": f"{GOAL_COMMENTS:,} comments in {GOAL_SECONDS:.0f} s",
        "meets_goal": seconds * GOAL_COMMENTS / n_comments <= GOAL_SECONDS,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "machine": {
            "nproc": os.cpu_count(),
            "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
            "cpu_model": cpu_model(),
            "python": platform.python_version(),
        },
    }


def format_result(result: dict[str, Any]) -> str:
    machine = result["machine"]
    per_label = ", ".join(f"{label} {count}" for label, count in result["picks_per_label"].items())
    return "\n".join([
        (f"model {result['model_id']}; {result['n_comments']:,} comments in {result['threads']:,} threads, "
        f"mean length {result['mean_text_chars']:.0f} chars, chunk size {result['chunk_size']:,}"),
        f"  build_queue n={result['n']}: {result['seconds']:.1f} s, {result['comments_per_second']:,.0f} comments/s",
        f"  candidates {result['candidates']:,}; picks {result['picks']}: {per_label}",
        (f"  distinct threads picked {result['distinct_threads_picked']} (max {result['max_picks_per_thread']} per "
        f"thread); picks standing for several copies {result['distinct_duplicates_collapsed']}; "
        f"group cap relaxed: {result['relaxed']}"),
        f"  goal {result['goal']}: " + ("met" if result["meets_goal"] else "NOT MET"),
        (f"peak RSS {result['peak_rss_mb']:.0f} MB; machine: {machine['nproc']} CPUs "
        f"({machine['usable_cpus']} usable), {machine['cpu_model']}, Python {machine['python']}"),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-comments", type=int, default=GOAL_COMMENTS, help="comments in the dump (default 100,000)")
    parser.add_argument("--threads", type=int, default=2_000, help="distinct thread_id values (default 2,000)")
    parser.add_argument("--n", type=int, default=200, help="picks (default 200)")
    parser.add_argument("--model", metavar="PATH", help="model folder (default: models/CURRENT)")
    parser.add_argument("--chunk-size", type=int, default=50_000, help="rows per chunk (default 50,000)")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    parser.add_argument("--json", metavar="OUT", help="also write the result as JSON to OUT ('-' = stdout)")
    args = parser.parse_args(argv)
    if min(args.n_comments, args.threads, args.n, args.chunk_size) < 1:
        parser.error("--n-comments, --threads, --n and --chunk-size must be positive")
    result = run_benchmark(args.n_comments, args.threads, args.n, args.model, args.chunk_size, args.seed)
    emit(result, args.json, format_result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
