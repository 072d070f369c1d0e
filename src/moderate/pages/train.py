"""Training the splitter: assemble labelled pages, fit the line classifier, save a model folder.

Training pages: the dragnet sites not held out, pages rendered in the training layout
families (text and HTML), and the scrapinghub pages not held out. Nothing from the held-out
sites or layouts, the trafilatura pages or the seed pages is used.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from moderate.errors import InputError
from moderate.pages.data import (
    LabelledPage,
    dragnet_pages,
    rendered_pages,
    scrapinghub_pages,
)
from moderate.pages.features import feature_names, page_features
from moderate.pages.labels import LINE_LABELS
from moderate.pages.model import LabellerEnsemble, LineLabeller
from moderate.pages.segment import N_FEATURES as SEGMENT_FEATURES

DEFAULT_RENDERED_TEXT = 1200
DEFAULT_RENDERED_HTML = 600
#: Rendered pages weigh less than real ones: there are more of them and they are tidier.
RENDERED_WEIGHT = 0.5


def training_pages(data_dir: Path, seed: int, n_text: int, n_html: int, log=print) -> list[LabelledPage]:
    from moderate.pages.synth import TRAIN_LAYOUTS, load_sources

    started = time.perf_counter()
    pages = [p for p in dragnet_pages(data_dir) if p.split == "train"]
    log(f"dragnet: {len(pages)} training pages ({time.perf_counter() - started:.1f} s)")
    sources = load_sources(data_dir)
    rendered = rendered_pages(n_text, seed, TRAIN_LAYOUTS, "text", "train", data_dir, sources)
    rendered += rendered_pages(n_html, seed + 1, TRAIN_LAYOUTS, "html", "train", data_dir, sources)
    log(f"rendered: {len(rendered)} pages in {len(TRAIN_LAYOUTS)} training layouts ({time.perf_counter() - started:.1f} s)")
    sh = [p for p in scrapinghub_pages(data_dir) if p.split == "train"]
    log(f"scrapinghub: {len(sh)} training pages ({time.perf_counter() - started:.1f} s)")
    return pages + rendered + sh


def page_weight(page: LabelledPage) -> float:
    return RENDERED_WEIGHT if page.source == "rendered" else 1.0


def featurise(pages: list[LabelledPage]) -> list[np.ndarray]:
    return [page_features(p.blocks, is_html=p.fmt == "html", doc_title=p.doc_title) for p in pages]


def fit_splitter(pages: list[LabelledPage], params: dict[str, Any] | None = None, seed: int = 0) -> LineLabeller:
    X = featurise(pages)
    model = LineLabeller(random_state=seed, **(params or {}))
    return model.fit(
        X, [p.labels for p in pages], weights=[page_weight(p) for p in pages],
        blocks=[p.blocks for p in pages], comment_ids=[p.comment_ids or [None] * len(p.blocks) for p in pages],
    )


def fingerprint(pages: list[LabelledPage], params: dict[str, Any], seed: int) -> str:
    h = hashlib.sha256()
    for p in pages:
        h.update(p.id.encode())
        h.update("\x1f".join(p.labels).encode())
        h.update(p.text[:2000].encode("utf-8", "replace"))
    # every parameter of the labeller (defaults too), so a change of method is a new id
    h.update(repr(sorted(LineLabeller(**params).get_params().items())).encode())
    h.update(",".join(feature_names()).encode())
    h.update(f"segmenter:{SEGMENT_FEATURES}".encode())
    h.update(method_digest().encode())
    h.update(str(seed).encode())
    return h.hexdigest()[:8]


def method_digest() -> str:
    """A hash of the code and data files that turn a page into features and decide comment
    starts (blocks, features, dates, names, the segmenter, the labeller, training, ``resources/``): a
    changed method gives a new model id even when the training pages are the same."""
    from moderate.pages import assemble, blocks, dates, features, labels, model, resources, segment
    from moderate.registry import source_digest

    root = Path(resources.__file__).parent
    data = [path for path in sorted(root.rglob("*")) if path.is_file() and path.suffix in (".txt", ".tsv", ".json")]
    code = [module.__file__ for module in (assemble, blocks, dates, features, labels, model, segment)] + [__file__]
    names = ",".join(path.relative_to(root).as_posix() for path in data)  # a renamed data file is a change too
    return hashlib.sha256((source_digest([*code, *data]) + names).encode()).hexdigest()


def train_and_save(
    data_dir: Path, models_dir: Path, seed: int = 0, n_text: int = DEFAULT_RENDERED_TEXT,
    n_html: int = DEFAULT_RENDERED_HTML, params: dict[str, Any] | None = None, promote: bool = True, log=print,
    members: int = 1,
) -> Path:
    """Fit the splitter and write its folder. ``members`` > 1: that many line labellers, each on its
    own draw of rendered pages (seeds ``seed``, ``seed + 1``, ...), averaged
    (:class:`~moderate.pages.model.LabellerEnsemble`); the page counts in the metadata are one
    member's."""
    from collections import Counter

    from moderate.registry import save_model_folder, set_current

    params = dict(params or {})
    if members < 1:
        raise ValueError("members must be at least 1")
    started = time.perf_counter()
    fitted, prints = [], []
    for member in range(members):
        if members > 1:
            log(f"member {member + 1} of {members} (seed {seed + member})")
        pages = training_pages(data_dir, seed + member, n_text, n_html, log)
        counts = Counter(label for p in pages for label in p.labels)
        log(f"training on {len(pages)} pages, {sum(counts.values())} blocks: " + ", ".join(f"{k} {counts[k]}" for k in LINE_LABELS))
        fitted.append(fit_splitter(pages, params, seed + member))
        prints.append(fingerprint(pages, params, seed + member))
        log(f"fitted in {time.perf_counter() - started:.0f} s")
    model = fitted[0] if members == 1 else LabellerEnsemble(fitted)
    seconds = time.perf_counter() - started
    digest = prints[0] if members == 1 else hashlib.sha256(":".join(prints).encode()).hexdigest()[:8]
    model_id = f"splitter-{datetime.now(UTC):%Y%m%d}-{digest}"
    sources = Counter(p.source for p in pages)
    metadata = {
        "model_id": model_id,
        "kind": "page-splitter",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "labels": list(LINE_LABELS),
        "params": fitted[0].get_params(),
        "seed": seed,
        "members": members,
        "member_seeds": [seed + k for k in range(members)],
        "features": feature_names(),
        "training": {
            "pages": dict(sources),
            "blocks": dict(counts),
            "rendered_text_pages": n_text,
            "rendered_html_pages": n_html,
            "rendered_weight": RENDERED_WEIGHT,
            "seconds": round(seconds, 1),
        },
        "licence_note": (
            "Trained on dragnet gold texts (AGPL-3.0) and their annotations, on real comments from "
            "the corpora in data/comments (some CC BY-NC-SA: non-commercial), and on scrapinghub pages."
        ),
    }
    folder = save_model_folder(models_dir / model_id, model, metadata, card=splitter_card(metadata))
    if promote:
        set_current(models_dir, model_id)
    log(f"saved {folder}{' (now CURRENT)' if promote else ''}")
    return folder


def refit_segmenter_and_save(
    data_dir: Path, models_dir: Path, source: str | Path | None = None, promote: bool = True, log=print,
) -> Path:
    """Keep a splitter's line classifier and refit only its comment segmenter (about a minute,
    against about 11 for a full training) on the same training pages; write a new folder."""
    import copy

    from moderate.pages.model import fit_segmenter
    from moderate.pages.split import Splitter
    from moderate.registry import save_model_folder, set_current

    started = time.perf_counter()
    splitter = Splitter.load(source if source is not None else models_dir)
    parent = splitter.metadata
    t = parent.get("training", {})
    seed = int(parent.get("seed", 0))
    n_text = int(t.get("rendered_text_pages", DEFAULT_RENDERED_TEXT))
    n_html = int(t.get("rendered_html_pages", DEFAULT_RENDERED_HTML))
    pages = training_pages(data_dir, seed, n_text, n_html, log)
    labeller = copy.copy(splitter.labeller)
    labeller.segmenter_ = fit_segmenter(
        featurise(pages), [p.labels for p in pages], [p.blocks for p in pages],
        [p.comment_ids or [None] * len(p.blocks) for p in pages], [page_weight(p) for p in pages], seed)
    seconds = time.perf_counter() - started
    log(f"segmenter refitted in {seconds:.0f} s")
    params = {k: v for k, v in labeller.get_params().items() if k != "random_state"}
    digest = hashlib.sha256(f"{fingerprint(pages, params, seed)}:segmenter-refit:{parent.get('model_id')}".encode())
    model_id = f"splitter-{datetime.now(UTC):%Y%m%d}-{digest.hexdigest()[:8]}"
    metadata = {
        **parent,
        "model_id": model_id,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "segmenter": {
            "refitted_from": parent.get("model_id"),
            "line_classifier": f"kept from {parent.get('model_id')} (trained {parent.get('created')})",
            "trained_on": "the true line labels of the same training pages",
            "seconds": round(seconds, 1),
        },
    }
    folder = save_model_folder(models_dir / model_id, labeller, metadata, card=splitter_card(metadata))
    if promote:
        set_current(models_dir, model_id)
    log(f"saved {folder}{' (now CURRENT)' if promote else ''}")
    return folder


def combine_and_save(folders: list[Path], models_dir: Path, promote: bool = True, log=print) -> Path:
    """Average saved splitters (each trained on its own draw of rendered pages, e.g. on different
    machines) into one :class:`~moderate.pages.model.LabellerEnsemble` folder; members that are
    ensembles themselves contribute their members."""
    from moderate.pages.split import Splitter
    from moderate.registry import save_model_folder, set_current

    if len(folders) < 2:
        raise InputError("combining needs at least two splitter folders")
    splitters = [Splitter.load(folder) for folder in folders]
    labellers, seeds = [], []
    for splitter in splitters:
        labeller, meta = splitter.labeller, splitter.metadata
        if meta.get("kind") != "page-splitter":
            raise InputError(f"{splitter.model_id} is not a page splitter (kind {meta.get('kind')!r})")
        if isinstance(labeller, LabellerEnsemble):
            labellers.extend(labeller.members)
            seeds.extend(meta.get("member_seeds", [meta.get("seed")] * len(labeller.members)))
        else:
            labellers.append(labeller)
            seeds.append(meta.get("seed"))
    if len(set(seeds)) < len(seeds):
        log(f"warning: members share a seed ({seeds}): they saw the same rendered pages")
    ids = [splitter.model_id for splitter in splitters]
    digest = hashlib.sha256(("combined:" + ":".join(ids)).encode()).hexdigest()[:8]
    model_id = f"splitter-{datetime.now(UTC):%Y%m%d}-{digest}"
    metadata = {
        **splitters[0].metadata,
        "model_id": model_id,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "members": len(labellers),
        "member_seeds": seeds,
        "member_models": ids,
    }
    metadata.pop("segmenter", None)
    card = splitter_card(metadata) if "training" in metadata else None  # folders made by train-split have it
    folder = save_model_folder(models_dir / model_id, LabellerEnsemble(labellers), metadata, card=card)
    if promote:
        set_current(models_dir, model_id)
    log(f"saved {folder}: the average of {', '.join(ids)}{' (now CURRENT)' if promote else ''}")
    return folder


def splitter_card(metadata: dict[str, Any]) -> str:
    """The splitter's MODEL_CARD.md, from its metadata."""
    t = metadata["training"]
    pages = ", ".join(f"{k} {v}" for k, v in t["pages"].items())
    seg = metadata.get("segmenter")
    segmenter_note = (
        f"**Comment segmenter.** Refitted on {seg['trained_on']} (`moderate train-split --segmenter-only`); "
        f"the line classifier is {seg['line_classifier']}.{' ' + seg['note'] if seg.get('note') else ''}\n\n"
        if seg else ""
    )
    blocks = ", ".join(f"{k} {v}" for k, v in t["blocks"].items())
    n = int(metadata.get("members", 1))
    seeds = ", ".join(str(x) for x in metadata.get("member_seeds", []))
    combined = ", ".join(metadata.get("member_models", []))
    ensemble = (
        f"\nAn average of {n} such labellers and segmenters (`LabellerEnsemble`), each trained on its own draw "
        f"of rendered pages (seeds {seeds}{'; the models ' + combined if combined else ''}; the page counts below "
        "are one member's): one training's real-page figures move by several points with the draw alone."
        if n > 1 else ""
    )
    return f"""# Model card: {metadata['model_id']} (page splitter)

**What it does.** Labels every block of a scraped page (a text dump's lines or HTML's text
blocks) as one of {', '.join(metadata['labels'])}, and decides which comment blocks start a
new comment. `moderate split` / `moderate score` turn that into the article and its comments.

**Model.** `moderate.pages.model.LineLabeller`: scikit-learn gradient boosting over block
features plus a window of neighbours, stacked on out-of-fold probabilities of wider context,
Viterbi decoding with learned transitions; `moderate.pages.segment.CommentSegmenter`
(gradient boosting) for comment boundaries. Parameters and seed are in `metadata.json`.{ensemble}

**Training data** (pages: {pages}; blocks: {blocks}):
- dragnet gold texts of real 2012 pages, annotated line by line (held-out sites excluded);
- pages rendered from real articles and comments in the training layout families
  ({t['rendered_text_pages']} text, {t['rendered_html_pages']} HTML; weight {t['rendered_weight']});
- scrapinghub HTML article pages (held-out pages excluded).

{segmenter_note}**Evaluation.** `evaluation.md` (written by `moderate evaluate-split`): held-out dragnet sites,
held-out layout families, in-distribution rendered pages, held-out scrapinghub pages, the
trafilatura pages and the two seed pages. Nothing in it was used for training or tuning.

**Licence.** {metadata['licence_note']} The model is therefore distributed under the AGPL-3.0.

**Limits.** English-centred vocabulary with furniture words in several European languages;
2012-era text dumps and rendered layouts are the training material, so unusual page
structures (comments inside tables of forum software, infinite-scroll widgets rendered as one
block) may be split less well. Reply links are read from what the page shows; flattened
threads give none. Authors are read from header lines by rules after the classifier has
found them; a name glued to other text may come out wrong.
"""
