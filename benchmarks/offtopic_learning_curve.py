"""Does the off-topic model still gain from more human labels? A learning curve on the training
part of ``data/labels/offtopic`` (the held-out part is never read).

    PYTHONPATH=src python benchmarks/offtopic_learning_curve.py [--fractions 0.25 0.5 0.75 1] [--repeats 5]

Grouped cross-validation by site, as in training. In each fold the human training rows are
subsampled to a fraction (``--repeats`` draws), the comment-only part and the head are refitted on
them (the relevance part learns from weak pairs only, so it does not change), and the head's
out-of-fold ROC AUC is measured on the whole validation folds, counting only the rows of batches
1 and 2 (seeded draws of each page's comments). Batch 3 is training rows only, never scored
here: its model picks are the comments the model found most off-topic, and its other rows are
what those picks left. ``--without-picks`` leaves batch 3's model picks out of training;
``--fold-draws N`` repeats the whole curve over N assignments of sites to folds.

About a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.25, 0.5, 0.75, 1.0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--without-picks", action="store_true", help="leave batch 3's model picks out of training")
    parser.add_argument("--fold-draws", type=int, default=1, help="assignments of sites to folds (default 1)")
    args = parser.parse_args(argv)

    import moderate.offtopic.train as T
    from moderate.offtopic.model import RELEVANCE_COLUMNS, head_inputs, make_relevance, make_text

    started = time.perf_counter()
    params, seed = dict(T.DEFAULT_PARAMS), 0
    _, p = T.prepare(args.data_dir, params, seed)
    pairs = args.data_dir / "labels" / "offtopic" / "pairs.jsonl"
    rows = [json.loads(line) for line in pairs.read_text(encoding="utf-8").splitlines() if line]
    picked = {row["pair_id"]: row.get("picked") for row in rows}
    batch = {row["pair_id"]: row.get("batch", 1) for row in rows}
    y, groups = p.human["target"].to_numpy(), p.human["group"].to_numpy()
    is_pick = np.array([picked.get(i) == "model" for i in p.human["pair_id"]])
    in_batch_3 = np.array([batch.get(i) == 3 for i in p.human["pair_id"]])
    y_weak, weak_groups = p.weak["target"].to_numpy(), p.weak["group"].to_numpy()
    texts = p.human["text"].tolist()

    def folds_of(draw: int) -> list:
        """Folds grouped by site; draw 0 is training's own assignment, later draws relabel the sites."""
        if draw == 0:
            return list(GroupKFold(T.N_FOLDS).split(p.X_human, y, groups))
        names = np.unique(groups)
        relabel = dict(zip(names, np.random.default_rng(draw).permutation(len(names))))
        return list(GroupKFold(T.N_FOLDS).split(p.X_human, y, np.array([relabel[g] for g in groups])))

    def relevance_of(folds: list) -> np.ndarray:
        out = np.zeros(len(y))
        for _, val in folds:
            keep = ~np.isin(weak_groups, list(set(groups[val])))
            model = make_relevance(seed).fit(p.X_weak[keep][:, RELEVANCE_COLUMNS], y_weak[keep])
            out[val] = model.predict_proba(p.X_human[val][:, RELEVANCE_COLUMNS])[:, 1]
        return out

    draws = [(folds, relevance_of(folds)) for folds in map(folds_of, range(args.fold_draws))]
    weak_relevance = np.zeros(len(y_weak))
    for train, val in GroupKFold(T.N_FOLDS).split(p.X_weak, y_weak, weak_groups):
        model = make_relevance(seed).fit(p.X_weak[train][:, RELEVANCE_COLUMNS], y_weak[train])
        weak_relevance[val] = model.predict_proba(p.X_weak[val][:, RELEVANCE_COLUMNS])[:, 1]
    scored = ~in_batch_3
    usable = ~is_pick if args.without_picks else np.ones(len(y), dtype=bool)
    print(f"{int(usable.sum())} training rows ({int(y[usable].sum())} off-topic); AUC on the {int(scored.sum())} "
          f"rows of batches 1-2 ({int(y[scored].sum())} off-topic); {args.fold_draws} fold draw(s)", flush=True)

    def text_model(rows: np.ndarray):
        return make_text(params["text_C"]).fit([texts[i] for i in rows], y[rows])

    for fraction in args.fractions:
        aucs = []
        for rep, (folds, relevance) in ((r, d) for r in range(args.repeats if fraction < 1 else 1) for d in draws):
            rng = np.random.default_rng(rep)
            head = np.zeros(len(y))
            for train, val in folds:
                train = train[usable[train]]
                sub = train[rng.random(len(train)) < fraction] if fraction < 1 else train
                inner = np.zeros(len(sub))  # out-of-fold comment-only probabilities for the head's rows
                for itr, iva in GroupKFold(4).split(sub, y[sub], groups[sub]):
                    inner[iva] = text_model(sub[itr]).predict_proba([texts[i] for i in sub[iva]])[:, 1]
                text = text_model(sub)
                weak_inputs = head_inputs(p.X_weak, weak_relevance, text.predict_proba(p.weak["text"].tolist())[:, 1])
                keep = ~np.isin(weak_groups, list(set(groups[val])))
                fitted = T._fit_head(params, head_inputs(p.X_human[sub], relevance[sub], inner), y[sub],
                                     weak_inputs[keep], y_weak[keep])
                val_text = text.predict_proba([texts[i] for i in val])[:, 1]
                head[val] = fitted.predict_proba(head_inputs(p.X_human[val], relevance[val], val_text))[:, 1]
            aucs.append(roc_auc_score(y[scored], head[scored]))
        spread = f" ± {np.std(aucs):.4f} over {len(aucs)} runs" if len(aucs) > 1 else ""
        print(f"fraction {fraction:.2f} (~{int(round(fraction * usable.sum()))} labels): "
              f"head ROC AUC {np.mean(aucs):.4f}{spread}", flush=True)
    print(f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
