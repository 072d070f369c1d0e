"""How long the shipped models take to load (what every ``moderate`` command pays before its work).

    PYTHONPATH=src python benchmarks/model_load.py [--repeat 3] [--models-dir models] [PATH ...]

Times :func:`moderate.registry.load_artifact` (skops, with the type allow-list check) for the
current incivility, splitter and off-topic models, or for the model folders given, in one process
after the libraries are imported; prints the median of ``--repeat`` loads, the number of files in
each ``model.skops`` (skops writes one per array) and its size.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
import zipfile
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--models-dir", type=Path, default=Path("models"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import skops.io  # noqa: F401  (imported before timing)

    from moderate.registry import ARTIFACT_NAME, load_artifact

    folders = args.folders or [
        args.models_dir / (args.models_dir / "CURRENT").read_text().strip(),
        *(args.models_dir / sub / (args.models_dir / sub / "CURRENT").read_text().strip() for sub in ("splitter", "offtopic")),
    ]
    print(f"| model | load s (median of {args.repeat}) | files in model.skops | MB |")
    print("|---|---:|---:|---:|")
    for folder in folders:
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            load_artifact(folder)
            times.append(time.perf_counter() - started)
        artifact = folder / ARTIFACT_NAME
        with zipfile.ZipFile(artifact) as z:
            files = len(z.namelist())
        print(f"| {folder} | {statistics.median(times):.2f} | {files} | {artifact.stat().st_size / 1e6:.1f} |")
    print(f"Python {platform.python_version()}, {platform.platform()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
