"""The comment segmenter alone, on the development split: refit it in variants, keep the line labeller.

    PYTHONPATH=src python benchmarks/segmenter_dev.py --labeller dev0.joblib [--seed 0]
        [--rendered-text N] [--rendered-html N] [--layouts LAYOUT ...]
        [--without LAYOUT ...] [--weights 0.1 0.3] [--json out.json]

A splitter is two trained steps: the line labeller (what each block is) and the comment
segmenter (which comment block starts a new comment). ``split_dev.py`` refits both, which takes
15-25 minutes here; the segmenter alone fits in seconds. This script takes a line labeller saved
by ``split_dev.py --save`` (same ``--seed``, ``--rendered-*`` and ``--layouts`` as that run, so
the training pages are the same draw), rebuilds those training pages and refits only the
segmenter: on all of them, without the families of ``--without``, and with those families'
pages down-weighted by each of ``--weights``. Every variant is scored with the saved labeller's
line labels on the development dragnet pages (the sites ``split_dev.py`` holds out) and on
fresh rendered pages of the training families (comment F1 per family for the ``--without``
ones), so a family's gain can be set against the real pages' loss. The first variant (all
pages, weight 1) is the saved labeller's own segmenter refitted, and reproduces its figures.
``--json`` also writes each variant's figures per development page (comments true, predicted and
matched, authors right), to see which pages a change moves.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from split_dev import fresh_pages, is_dev  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labeller", type=Path, required=True, help="a line labeller saved by split_dev.py --save")
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--dev-share", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rendered-text", type=int, default=None)
    parser.add_argument("--rendered-html", type=int, default=None)
    parser.add_argument("--layouts", nargs="+", default=None, help="rendered training families (default: all training ones)")
    parser.add_argument("--without", nargs="+", default=[], help="families to leave out of the segmenter's pages")
    parser.add_argument("--weights", nargs="*", type=float, default=[], help="also fit with the --without families at these weights")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    import joblib

    from moderate.pages import synth
    from moderate.pages import train as T
    from moderate.pages.data import dragnet_pages, rendered_pages, scrapinghub_pages
    from moderate.pages.evaluate import evaluate_pages
    from moderate.pages.model import fit_segmenter
    from moderate.pages.report import prepare_labelled
    from moderate.pages.split import Splitter

    started = time.perf_counter()
    layouts = tuple(args.layouts or synth.TRAIN_LAYOUTS)
    unknown = sorted(set(args.without) - set(layouts))
    if unknown:
        parser.error(f"--without names families not trained on: {', '.join(unknown)}")
    labeller = joblib.load(args.labeller)
    dragnet = [p for p in dragnet_pages(args.data_dir) if p.split == "train"]
    dev = [p for p in dragnet if is_dev(p.group, args.dev_share)]
    sources = synth.load_sources(args.data_dir)
    pages = [p for p in dragnet if not is_dev(p.group, args.dev_share)]
    pages += rendered_pages(args.rendered_text or T.DEFAULT_RENDERED_TEXT, args.seed, layouts, "text", "train", args.data_dir, sources)
    pages += rendered_pages(args.rendered_html or T.DEFAULT_RENDERED_HTML, args.seed + 1, layouts, "html", "train", args.data_dir, sources)
    pages += [p for p in scrapinghub_pages(args.data_dir) if p.split == "train"]
    X = T.featurise(pages)
    fresh = fresh_pages(layouts, args.data_dir, sources)
    print(f"{len(pages)} training pages, {len(dev)} development pages ({time.perf_counter() - started:.0f} s)", file=sys.stderr)

    # the line labels do not depend on the segmenter: label every evaluation page once
    sets = {"dev": dev, **fresh}
    prepared = {name: prepare_labelled(ps) for name, ps in sets.items()}
    line_labels = {name: Splitter(labeller, "segmenter-dev").label(pp) for name, pp in prepared.items()}

    def split(model, name):
        splitter = Splitter(model, "segmenter-dev")
        splitter.label = lambda _pages: line_labels[name]  # the same labeller: reuse its labels
        return splitter.split_prepared(prepared[name])

    def left_out(page) -> bool:
        return page.source == "rendered" and page.group in args.without

    variants = [("all families", 1.0)]
    if args.without:
        variants.append((f"without {' '.join(args.without)}", 0.0))
        variants += [(f"{' '.join(args.without)} at weight {w:g}", w) for w in args.weights]
    results, pages_of = {}, {}
    for name, weight in variants:
        keep = [k for k, p in enumerate(pages) if weight > 0 or not left_out(p)]
        model = copy.copy(labeller)
        model.segmenter_ = fit_segmenter(
            [X[k] for k in keep], [pages[k].labels for k in keep], [pages[k].blocks for k in keep],
            [pages[k].comment_ids or [None] * len(pages[k].blocks) for k in keep],
            [T.page_weight(pages[k]) * (weight if left_out(pages[k]) else 1.0) for k in keep], args.seed)
        r = evaluate_pages(split(model, "dev"), dev)
        row = {k: r[k] for k in ("comment_f1", "comment_f1_site_mean", "author_accuracy")}
        pages_of[name] = r["per_page"]
        for fmt, fp in fresh.items():
            rr = evaluate_pages(split(model, fmt), fp)
            row[f"rendered_{fmt}"] = rr["comment_f1"]
            for family in args.without:
                m = [(pp, pg) for pp, pg in zip(rr["per_page"], fp) if pg.group == family]
                true, pred = sum(pp["true"] for pp, _ in m), sum(pp["predicted"] for pp, _ in m)
                row[f"{family}_{fmt}"] = 2 * sum(pp["matched"] for pp, _ in m) / max(true + pred, 1)
        results[name] = row
        print(f"{name}: " + ", ".join(f"{k} {v:.3f}" for k, v in row.items()), f"({time.perf_counter() - started:.0f} s)", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"labeller": str(args.labeller), "seed": args.seed, "layouts": list(layouts),
                                         "without": args.without, "variants": results,
                                         "development_pages": pages_of}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
