"""A site adopting moderate: does retraining with its labels help, and do queue picks help faster?

    PYTHONPATH=src python benchmarks/retrain_loop.py [--site-source olid] [--sizes 200 500 1000 2000]
        [--strategies random queue] [--timing-labels 5000] [--out benchmarks/results/retrain_loop]

1. **Base model**: the default recipe trained on every shipped corpus except ``--site-source``
   (the "site"; default OLID, 13k tweets with offensive/insult/profanity/identity labels), made
   current in a temporary ``models/`` directory.
2. **The site's labels**: the site-source rows. The fixed held-out slice of the merge policy
   (SHA-1 of the text, 20 %) is given in every label file and never trained on; it is the
   held-out set the comparison and the curve use. The other rows are the pool labels come from.
3. For each strategy and each size ``n``: a label file with ``n`` rows from the pool plus the held-out
   rows, then ``moderate train --labels`` (:func:`moderate.retrain.run.retrain`, not promoted, so
   every candidate is compared with the same base). ``random``: the first ``n`` of a fixed
   shuffle (nested sizes). ``queue``: :func:`moderate.queue.select` on the base model's scores of
   the pool (what ``moderate queue`` would hand the moderators). ``iterative``: the weekly loop
   a site would run: the first size is the same random sample as ``random`` (a cold start: the
   base model knows nothing of the site yet), and each later size adds queue picks chosen by the
   model retrained on everything labelled so far (already labelled rows excluded).
4. **Timing**: one retraining with ``--timing-labels`` random pool rows (5,000 by default).

Writes ``results.json``, ``results.md`` and ``curve.png`` (held-out mean ROC AUC against the
number of new labels, per strategy; needs ``pip install -e '.[bench]'``) to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from score_throughput import cpu_model, peak_rss_mb


def site_frames(site_source: str, policy) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pool, held-out) rows of the site source, with their labels."""
    from moderate.corpora import load_corpora
    from moderate.retrain.merge import in_holdout

    frame = load_corpora(sources=[site_source])
    held = frame["key"].map(lambda k: in_holdout(k, policy))
    return frame[~held].reset_index(drop=True), frame[held].reset_index(drop=True)


def write_labels(path: Path, rows: pd.DataFrame, labels: list[str]) -> Path:
    rows[["text", *labels]].assign(labeler="simulated", labeled_at="2026-11-22").to_csv(path, index=False)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site-source", default="olid")
    parser.add_argument("--sizes", nargs="+", type=int, default=[200, 500, 1000, 2000])
    parser.add_argument("--strategies", nargs="+", default=["random", "queue"], choices=["random", "queue", "hybrid", "queue-site", "iterative"])
    parser.add_argument("--timing-labels", type=int, default=5000, help="0 skips the timing run")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/retrain_loop"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--site-weights", nargs="+", type=float, default=None,
                        help="site weights to compare (default: the merge policy's default only)")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite results.md and curve.png from --out/results.json (after an interrupted run)")
    args = parser.parse_args(argv)
    if args.report_only:
        results = json.loads((args.out / "results.json").read_text(encoding="utf-8"))
        results.setdefault("peak_rss_mb", None)
        (args.out / "results.md").write_text(markdown(results), encoding="utf-8")
        plot(results, args.out / "curve.png")
        print(markdown(results))
        return 0

    from moderate import corpora, history, registry
    from moderate.queue import select
    from moderate.retrain.merge import MergePolicy
    from moderate.retrain.run import retrain
    from moderate.train import fit_candidate, write_candidate

    log = lambda message: print(message, file=sys.stderr, flush=True)
    policy = MergePolicy()
    weights = args.site_weights or [policy.site_weight]
    sources = [s for s in corpora.SOURCES if s != args.site_source]
    labels = [label for label in corpora.SOURCES[args.site_source].labels]
    pool, held = site_frames(args.site_source, policy)
    log(f"site {args.site_source}: {len(pool):,} pool rows, {len(held):,} held out; labels {labels}")
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"site_source": args.site_source, "labels": labels, "pool_rows": len(pool),
                               "held_out_rows": len(held), "sizes": args.sizes, "runs": [],
                               "machine": {"cpu": cpu_model(), "cores": __import__("os").cpu_count()}}
    with tempfile.TemporaryDirectory(prefix="retrain-loop-") as tmp:
        models_dir = Path(tmp) / "models"
        t0 = time.perf_counter()
        base = write_candidate(fit_candidate(sources=sources, seed=args.seed, log=log), models_dir)
        history.promote(models_dir, base.model_id, reason="benchmark base (site source left out)")
        results["base"] = {"model_id": base.model_id, "seconds": round(time.perf_counter() - t0, 1)}
        log(f"base {base.model_id} in {results['base']['seconds']} s")
        base_model = registry.load_model(models_dir / base.model_id)
        rng = np.random.default_rng(args.seed)
        order = rng.permutation(len(pool))
        pool_probs = None
        loop: dict[float, tuple[np.ndarray, str | None]] = {}  # iterative: site weight -> (rows so far, last model)
        for strategy, n, weight in ((s, n, w) for s in args.strategies for n in sorted(args.sizes) for w in weights):
            if strategy == "random" or (strategy == "iterative" and weight not in loop):
                picked = pool.iloc[order[:n]]
                if strategy == "iterative":
                    loop[weight] = (order[:n], None)
            elif strategy == "iterative":
                rows_so_far, last = loop[weight]
                last_model = registry.load_model(models_dir / last)
                rest = np.setdiff1d(np.arange(len(pool)), rows_so_far)
                probs = last_model.predict_proba(pool["text"].iloc[rest].tolist())
                cols = [last_model.labels.index(label) for label in labels]
                picks = select(pool["text"].iloc[rest].tolist(), probs[:, cols], labels, last_model.thresholds,
                               n - len(rows_so_far))
                rows = np.r_[rows_so_far, rest[picks["row"].to_numpy()]]
                loop[weight] = (rows, last)
                picked = pool.iloc[rows]
            else:
                if pool_probs is None:
                    pool_probs = base_model.predict_proba(pool["text"].tolist())
                cols = [base_model.labels.index(label) for label in labels]
                k = n // 2 if strategy == "hybrid" else n
                thresholds = base_model.thresholds
                if strategy == "queue-site":  # margins to the site's own boundary: the (1 - expected prevalence) quantile
                    thresholds = {label: {"review": float(np.quantile(pool_probs[:, c], 1 - pool_probs[:, c].mean()))}
                                  for label, c in zip(labels, cols)}
                picks = select(pool["text"].tolist(), pool_probs[:, cols], labels, thresholds, k)
                rows = picks["row"].to_numpy()
                if strategy == "hybrid":  # half uncertain, half the fixed random order (skipping the uncertain picks)
                    taken = set(rows.tolist())
                    rows = np.r_[rows, [i for i in order if i not in taken][: n - len(rows)]]
                picked = pool.iloc[rows]
            path = write_labels(Path(tmp) / f"{strategy}-{n}.csv", pd.concat([picked, held]), labels)
            t1 = time.perf_counter()
            result = retrain([path], models_dir=models_dir, promote=False, seed=args.seed, sources=sources,
                             policy=MergePolicy(site_weight=weight), families=("incivility",),
                             log=lambda m: None).incivility
            seconds = time.perf_counter() - t1
            if strategy == "iterative":
                loop[weight] = (loop[weight][0], result.model_id)
            comparison = result.comparison
            mean = comparison["holdout_mean"]
            drops = {label: row["delta"] for label, row in comparison["shipped_test"].items() if row["delta"] is not None}
            run = {
                "strategy": strategy, "n": n, "site_weight": weight, "labels_trained": len(picked),
                "positives_trained": {label: int((picked[label] >= 0.5).sum()) for label in labels},
                "held_out_labels": mean["labels"],
                "base_auc": mean["parent"], "candidate_auc": mean["candidate"], "gain": mean["delta"],
                "per_label": {label: {k: row[k] for k in ("n", "n_pos", "parent", "candidate", "delta")}
                              for label, row in comparison["site_holdout"].items() if row["n"]},
                "shipped_test_deltas": drops, "worst_shipped_test_delta": min(drops.values()),
                "would_promote": comparison["promote"], "reasons": comparison["reasons"],
                "seconds": round(seconds, 1), "model_id": result.model_id,
            }
            results["runs"].append(run)
            log(f"{strategy:>6} n={n:>5} w={weight:g}: held-out mean AUC {mean['parent']:.4f} -> {mean['candidate']:.4f} "
                f"({mean['delta']:+.4f}); worst shipped-test change {run['worst_shipped_test_delta']:+.4f}; "
                f"promote={comparison['promote']} ({seconds:.0f} s)")
            (args.out / "results.json").write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
        if args.timing_labels:
            picked = pool.iloc[order[: args.timing_labels]]
            path = write_labels(Path(tmp) / "timing.csv", picked, labels)
            t1 = time.perf_counter()
            result = retrain([path], models_dir=models_dir, promote=False, seed=args.seed, sources=sources,
                             families=("incivility",), log=lambda m: None).incivility
            results["timing"] = {"new_labels": len(picked), "seconds": round(time.perf_counter() - t1, 1),
                                 "model_id": result.model_id}
            log(f"retraining with {len(picked):,} new labels: {results['timing']['seconds']} s")
    results["peak_rss_mb"] = round(peak_rss_mb(), 0)
    (args.out / "results.json").write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    (args.out / "results.md").write_text(markdown(results), encoding="utf-8")
    plot(results, args.out / "curve.png")
    print(markdown(results))
    return 0


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"Site: `{results['site_source']}` ({results['pool_rows']:,} pool rows, {results['held_out_rows']:,} held out), "
        f"labels {', '.join(results['labels'])}; base `{results['base']['model_id']}` "
        f"(every other shipped corpus, {results['base']['seconds']} s).",
        "",
        "| strategy | new labels | site weight | held-out mean ROC AUC: base | retrained | gain | worst shipped-test change | promoted by the rule | seconds |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in results["runs"]:
        lines.append(f"| {r['strategy']} | {r['n']:,} | {r['site_weight']:g} | {r['base_auc']:.4f} | {r['candidate_auc']:.4f} | {r['gain']:+.4f} | "
                     f"{r['worst_shipped_test_delta']:+.4f} | {'yes' if r['would_promote'] else 'no'} | {r['seconds']} |")
    if "timing" in results:
        lines += ["", f"Retraining with {results['timing']['new_labels']:,} new labels on top of the shipped corpora: "
                      f"{results['timing']['seconds']} s."]
    lines += ["", f"Machine: {results['machine']['cores']} cores, {results['machine']['cpu']}; peak RSS "
                  f"{results.get('peak_rss_mb')} MB."]
    return "\n".join(lines) + "\n"


def plot(results: dict[str, Any], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no plot: matplotlib is missing (pip install -e '.[bench]')", file=sys.stderr)
        return
    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    base = None
    weights = sorted({r["site_weight"] for r in results["runs"]})
    names = {"random": "random picks", "queue": "moderate queue picks (base model)",
             "iterative": "weekly loop: random first, then the queue"}
    for strategy in names:
        for weight in weights:
            runs = [r for r in results["runs"] if r["strategy"] == strategy and r["site_weight"] == weight]
            if runs:
                base = runs[0]["base_auc"]
                name = names[strategy]
                ax.plot([r["n"] for r in runs], [r["candidate_auc"] for r in runs], marker="o",
                        label=name + (f", site weight {weight:g}" if len(weights) > 1 else ""))
    if base is not None:
        ax.axhline(base, color="grey", linestyle="--", label="base model (no site labels)")
    ax.set_xscale("log")
    ax.minorticks_off()
    ax.set_xticks(results["sizes"], [str(n) for n in results["sizes"]])
    ax.set_xlabel("new labels from the site")
    ax.set_ylabel("held-out mean ROC AUC")
    ax.set_title(f"Retraining with a site's labels ({results['site_source']})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)


if __name__ == "__main__":
    sys.exit(main())
