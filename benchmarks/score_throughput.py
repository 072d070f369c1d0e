"""Scoring throughput: ``moderate.score_frame`` against alt-profanity-check, same texts, same run.

    PYTHONPATH=src python benchmarks/score_throughput.py \\
        [--n 100000] [--model PATH] [--repeat 3] [--json OUT]

Draws ``--n`` comments from ``load_corpora()`` (all splits; with replacement only if the
corpora are smaller than ``--n``; fixed seed), loads the model, warms both systems up on
1,000 rows, then times each ``--repeat`` times. Reports the median comments/s (and every
run), the ratio, mean text length, peak RSS of the process and the machine. See README.md
for the floor.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: The floor the README promises, in comments per second on 2 cores.
FLOOR_COMMENTS_PER_SECOND = 10_000
WARMUP_ROWS = 1_000


def sample_texts(n: int, seed: int = 0, data_dir: str | None = None) -> list[str]:
    """``n`` corpus texts, without replacement when the corpora have at least ``n`` rows."""
    from moderate.corpora import load_corpora

    texts = load_corpora(data_dir)["text"].astype(str).to_numpy()
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(texts), size=n, replace=n > len(texts))
    return texts[idx].tolist()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20  # KiB on Linux, bytes on macOS


def _time(fn: Any, repeat: int) -> list[float]:
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return seconds


def run_benchmark(n: int, model_path: str | None, repeat: int, seed: int = 0) -> dict[str, Any]:
    from profanity_check import predict_prob

    from moderate.registry import load_model
    from moderate.score import score_frame

    texts = sample_texts(n, seed)
    frame = pd.DataFrame({"text": texts})
    model = load_model(model_path)

    score_frame(frame.iloc[:WARMUP_ROWS], text_col="text", model=model)
    predict_prob(texts[:WARMUP_ROWS])

    model_seconds = _time(lambda: score_frame(frame, text_col="text", model=model), repeat)
    apc_seconds = _time(lambda: predict_prob(texts), repeat)
    model_rate = n / statistics.median(model_seconds)
    apc_rate = n / statistics.median(apc_seconds)
    return {
        "n": n,
        "repeat": repeat,
        "seed": seed,
        "model_id": model.model_id,
        "model_path": str(model.path),
        "mean_text_chars": float(np.mean([len(t) for t in texts])),
        "model": {
            "seconds": [round(s, 3) for s in model_seconds],
            "comments_per_second": round(model_rate, 1),
        },
        "alt_profanity_check": {
            "seconds": [round(s, 3) for s in apc_seconds],
            "comments_per_second": round(apc_rate, 1),
        },
        "model_over_profanity_check": round(model_rate / apc_rate, 3),
        "floor_comments_per_second": FLOOR_COMMENTS_PER_SECOND,
        "meets_floor": model_rate >= FLOOR_COMMENTS_PER_SECOND,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "machine": {
            "nproc": os.cpu_count(),
            "usable_cpus": (
                len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
            ),
            "cpu_model": cpu_model(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }


def format_result(result: dict[str, Any]) -> str:
    machine = result["machine"]
    apc = result["alt_profanity_check"]
    lines = [
        f"model {result['model_id']}  ({result['model_path']})",
        f"{result['n']:,} comments, mean length {result['mean_text_chars']:.0f} chars, "
        f"median of {result['repeat']} run(s)",
        f"  moderate score_frame  {result['model']['comments_per_second']:>12,.0f} comments/s  "
        f"runs {result['model']['seconds']} s",
        f"  alt-profanity-check   {apc['comments_per_second']:>12,.0f} comments/s  "
        f"runs {apc['seconds']} s",
        f"  ratio model / alt-profanity-check: {result['model_over_profanity_check']:.2f}",
        f"  floor {result['floor_comments_per_second']:,} comments/s: "
        + ("met" if result["meets_floor"] else "NOT MET"),
        f"peak RSS {result['peak_rss_mb']:.0f} MB; machine: {machine['nproc']} CPUs "
        f"({machine['usable_cpus']} usable), {machine['cpu_model']}, Python {machine['python']}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--n", type=int, default=100_000, help="comments to score (default 100,000)"
    )
    parser.add_argument("--model", metavar="PATH", help="model folder (default: models/CURRENT)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per system (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    parser.add_argument(
        "--json", metavar="OUT", help="also write the result as JSON to OUT ('-' = stdout)"
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.repeat < 1:
        parser.error("--n and --repeat must be positive")
    result = run_benchmark(args.n, args.model, args.repeat, args.seed)
    emit(result, args.json, format_result)
    return 0


def emit(result: dict[str, Any], json_path: str | None, format_result: Any) -> None:
    """Print the result (JSON only with ``--json -``), and write it as JSON to ``--json PATH``."""
    if json_path == "-":
        print(json.dumps(result, indent=2))
        return
    print(format_result(result))
    if json_path:
        Path(json_path).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
