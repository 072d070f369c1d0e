"""A development split for the page splitter: train without some dragnet training sites, score on them.

    PYTHONPATH=src python benchmarks/split_dev.py [--dev-share 0.25] [--rendered-text N] [--rendered-html N]
        [--rendered-weight W] [--layouts LAYOUT ...] [--json out.json] [--save labeller.joblib]
        [--members a.joblib b.joblib ...]

``moderate evaluate-split`` reports on the held-out sites, which must not steer design choices.
This script holds out a further share of the *training* sites (chosen by a salted hash of the
site group, so the same sites every run), fits a splitter the way ``moderate train-split`` does
on the rest, and reports on those development sites: boundary F1, comment precision / recall /
F1 (and the mean of per-site F1s, which one long page cannot dominate) and author accuracy,
the figures a change to the training data (a new rendered layout family, say) can break on real
pages. ``--layouts`` replaces the rendered training families
(default: ``synth.TRAIN_LAYOUTS``), so a family can be tried before it joins them. It also
reports fresh rendered pages of the families trained on. The model is saved only with ``--save``;
``--members`` fits nothing and scores the average of saved labellers (an ensemble of trainings on
different rendered draws).

A full fit takes about 12 minutes on 2 cores (more when the machine is shared).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time
from pathlib import Path

DEV_SALT = "dev:"


def is_dev(group: str, share: float) -> bool:
    """Whether a training site is in the development share (salted hash: never the held-out rule)."""
    h = int(hashlib.sha1((DEV_SALT + group).encode("utf-8")).hexdigest()[:8], 16)
    return h / 16**8 < share


def fresh_pages(layouts, data_dir: Path, sources) -> dict:
    """150 fresh rendered test pages of the training families per format (the same every run)."""
    from moderate.pages.data import rendered_pages
    from moderate.pages.report import EVAL_SEED

    return {fmt: rendered_pages(150, EVAL_SEED + off, layouts, fmt, "test", data_dir, sources)
            for fmt, off in (("text", 2), ("html", 3))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--dev-share", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rendered-text", type=int, default=None)
    parser.add_argument("--rendered-html", type=int, default=None)
    parser.add_argument("--rendered-weight", type=float, default=None,
                        help="weight of a rendered page against a real one (default: train.RENDERED_WEIGHT)")
    parser.add_argument("--layouts", nargs="+", default=None, help="rendered training families (default: all training ones)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--members", nargs="+", type=Path, default=None,
                        help="do not fit: score the average of these saved labellers (from --save runs)")
    parser.add_argument("--save", type=Path, help="also write the fitted line labeller here (joblib), e.g. to compare ensembles")
    args = parser.parse_args(argv)

    from moderate.pages import synth
    from moderate.pages import train as T
    from moderate.pages.data import dragnet_pages, rendered_pages, scrapinghub_pages
    from moderate.pages.evaluate import evaluate_pages
    from moderate.pages.report import _split_labelled
    from moderate.pages.split import Splitter

    layouts = tuple(args.layouts or synth.TRAIN_LAYOUTS)
    held = [x for x in layouts if x in synth.HELDOUT_LAYOUTS]
    if held:
        parser.error(f"held-out layout families cannot be trained on: {', '.join(held)}")
    n_text = args.rendered_text or T.DEFAULT_RENDERED_TEXT
    if args.rendered_weight is not None:
        T.RENDERED_WEIGHT = args.rendered_weight
    n_html = args.rendered_html or T.DEFAULT_RENDERED_HTML
    started = time.perf_counter()
    dragnet = [p for p in dragnet_pages(args.data_dir) if p.split == "train"]
    dev = [p for p in dragnet if is_dev(p.group, args.dev_share)]
    fit_on = [p for p in dragnet if not is_dev(p.group, args.dev_share)]
    sources = synth.load_sources(args.data_dir)
    if args.members:
        import joblib

        from moderate.pages.model import LabellerEnsemble

        print(f"dev: {len(dev)} dragnet pages of {len({p.group for p in dev})} training sites; "
              f"the average of {len(args.members)} saved labellers", file=sys.stderr)
        splitter = Splitter(LabellerEnsemble([joblib.load(path) for path in args.members]), "dev-ensemble")
    else:
        rendered = rendered_pages(n_text, args.seed, layouts, "text", "train", args.data_dir, sources)
        rendered += rendered_pages(n_html, args.seed + 1, layouts, "html", "train", args.data_dir, sources)
        sh = [p for p in scrapinghub_pages(args.data_dir) if p.split == "train"]
        print(f"dev: {len(dev)} dragnet pages of {len({p.group for p in dev})} training sites; fitting on "
              f"{len(fit_on)} dragnet, {len(rendered)} rendered ({len(layouts)} families), {len(sh)} scrapinghub pages",
              file=sys.stderr)
        splitter = Splitter(T.fit_splitter(fit_on + rendered + sh, None, args.seed), "dev-fit")
    fitted = time.perf_counter() - started
    if args.save:
        import joblib

        joblib.dump(splitter.labeller, args.save, compress=3)
    sections = {"dragnet_dev": evaluate_pages(_split_labelled(splitter, dev), dev)}
    for fmt, fresh in fresh_pages(layouts, args.data_dir, sources).items():
        sections[f"rendered_{fmt}"] = evaluate_pages(_split_labelled(splitter, fresh), fresh)
    keys = ("boundary_f1", "comment_precision", "comment_recall", "comment_f1", "comment_f1_site_mean", "author_accuracy",
            "exact_count_pages")
    print("| section | " + " | ".join(keys) + " |")
    print("|---|" + "---|" * len(keys))
    for name, result in sections.items():
        print(f"| {name} | " + " | ".join("—" if result.get(k) is None else f"{result[k]:.3f}" for k in keys) + " |")
    print(f"fitted in {fitted:.0f} s, {time.perf_counter() - started:.0f} s in all", file=sys.stderr)
    if args.json:
        summary = {name: {k: r.get(k) for k in (*keys, "comment_f1_interval", "per_page")} for name, r in sections.items()}
        args.json.write_text(json.dumps({"dev_share": args.dev_share, "layouts": list(layouts), "sections": summary,
                                         "dev_pages": len(dev), "seconds": round(time.perf_counter() - started, 1),
                                         "machine": {"python": platform.python_version(), "platform": platform.platform()}},
                                        indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
