"""Page-splitting throughput: pages per second on real text pages and real HTML pages.

Text: the 966 dragnet gold-text pages (data/pages/dragnet/Corrected, real 2012 pages; typical
size a few kB). HTML: the 181 scrapinghub article pages (gzipped, decompressed once up front).
Reading from disk is excluded; the per-line caches are cleared and the worker processes shut
down before every run, so each run pays for worker start-up (two workers on two cores); decoding, block extraction, features, classification and
assembly are all timed. ``--passes 3`` splits the pages three times in each run, so that the
start-up (a second or two: the workers import scikit-learn and read the model) is paid once. Pages are split in batches as ``moderate split`` does.

    PYTHONPATH=src python benchmarks/split_throughput.py [--splitter PATH] [--repeat 3] [--passes 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from score_throughput import cpu_model  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--splitter", help="splitter folder (default: models/splitter/CURRENT)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--passes", type=int, default=1,
                        help="split the pages this many times in one run (the start-up is paid once; "
                             "the per-line caches see the lines again, as they see a site's chrome on its every page)")
    parser.add_argument("--json", help="write the result as JSON to this path ('-' for stdout only)")
    args = parser.parse_args()

    from joblib.externals.loky import get_reusable_executor

    from moderate.pages.features import clear_caches
    from moderate.pages.read import page_from_bytes
    from moderate.pages.split import Splitter

    splitter = Splitter.load(args.splitter)
    text_pages = [p.read_bytes() for p in sorted((ROOT / "data/pages/dragnet/Corrected").glob("*.txt"))]
    html_pages = [gzip.decompress(p.read_bytes()) for p in sorted((ROOT / "data/pages/scrapinghub/html").glob("*.html.gz"))]
    result = {"splitter": splitter.model_id, "machine": {"cpus": os.cpu_count(), "cpu": cpu_model(), "python": platform.python_version()}}
    for name, pages in (("text", text_pages), ("html", html_pages)):
        sizes = sorted(len(p) for p in pages)
        list(splitter.split_raw((page_from_bytes(p, "warm") for p in pages[:20]), args.batch_size))  # warm-up
        runs = []
        comments = 0
        for _ in range(args.repeat):
            clear_caches()  # repeated runs must not reuse the previous run's per-line results ...
            get_reusable_executor().shutdown(wait=True)  # ... nor warm worker processes (start-up is timed)
            started = time.perf_counter()
            stream = (page_from_bytes(p, "bench") for _ in range(args.passes) for p in pages)
            comments = sum(len(s.comments) for s in splitter.split_raw(stream, args.batch_size)) // args.passes
            runs.append(time.perf_counter() - started)
        seconds = statistics.median(runs)
        result[name] = {
            "pages": len(pages), "median_bytes": sizes[len(sizes) // 2], "mean_bytes": round(sum(sizes) / len(sizes)),
            "passes": args.passes, "seconds": [round(r, 2) for r in runs],
            "pages_per_second": round(args.passes * len(pages) / seconds, 1), "comments_found": comments,
        }
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if args.json != "-":
        for name in ("text", "html"):
            r = result[name]
            print(f"{name:>4}: {r['pages']} pages (median {r['median_bytes'] / 1000:.1f} kB): {r['pages_per_second']} pages/s "
                  f"(runs {r['seconds']} s), {r['comments_found']} comments found")
        print(f"peak RSS {result['peak_rss_mb']} MB; {result['machine']['cpus']} CPUs, {result['machine']['cpu']}; splitter {result['splitter']}")
    if args.json:
        text = json.dumps(result, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
