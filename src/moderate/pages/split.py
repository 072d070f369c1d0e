"""Splitting pages: read, cut into blocks, describe, label, assemble.

``split_page(path_or_text)`` is the one-call Python API; :class:`Splitter` keeps a loaded
model and splits many pages in batches (one classifier call per batch, which is what makes
hundreds of pages per second possible).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from moderate.errors import InputError
from moderate.pages.assemble import PageSplit, assemble, end_tight_sections
from moderate.pages.blocks import Block, html_blocks, page_title, text_blocks
from moderate.pages.features import BASE_FEATURES, page_features
from moderate.pages.read import HTML, RawPage, page_from_bytes, read_page

SPLITTER_DIR = "splitter"
SPLITTER_ENV = "MODERATE_SPLITTER"
#: Pages with more text blocks than this are refused with a one-line error (a 5 MB page has ~100k).
MAX_BLOCKS = 250_000


@dataclass
class PreparedPage:
    raw: RawPage
    blocks: list[Block]
    features: Any


def prepare(raw: RawPage) -> PreparedPage:
    if raw.fmt == HTML:
        blocks = html_blocks(raw.text)
        title = page_title(raw.text)
    else:
        blocks = text_blocks(raw.text)
        title = None
    if len(blocks) > MAX_BLOCKS:
        raise InputError(f"{raw.source}: {len(blocks)} text blocks; pages over {MAX_BLOCKS} blocks are not supported")
    return PreparedPage(raw, blocks, page_features(blocks, is_html=raw.fmt == HTML, doc_title=title))


#: Batches smaller than this are prepared in this process (worker start-up would cost more).
PARALLEL_MIN_PAGES = 64


def _prepare_all(raws: list[RawPage], n_jobs: int | None) -> list[PreparedPage]:
    jobs = (os.cpu_count() or 1) if n_jobs in (None, -1) else max(int(n_jobs), 1)
    if jobs == 1 or len(raws) < PARALLEL_MIN_PAGES:
        return [prepare(raw) for raw in raws]
    from joblib import Parallel, delayed

    return Parallel(n_jobs=jobs, batch_size="auto")(delayed(prepare)(raw) for raw in raws)


_BRAND, _BOILER = BASE_FEATURES.index("brand_token"), BASE_FEATURES.index("boiler_hits")


def _chrome(features: np.ndarray) -> list[bool]:
    """Blocks that look like site chrome: the site's own name, or boilerplate vocabulary."""
    if features.shape[0] == 0:
        return []
    return ((features[:, _BRAND] > 0) | (features[:, _BOILER] > 0)).tolist()


def resolve_splitter_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """``--splitter`` (a model folder or a folder with CURRENT), else ``$MODERATE_SPLITTER``,
    else ``models/splitter/CURRENT`` found from the working directory upwards or beside the package."""
    from moderate.registry import resolve_model_dir

    return resolve_model_dir(path, env=SPLITTER_ENV, subdir=SPLITTER_DIR, option="--splitter")


class Splitter:
    """A loaded line classifier plus the assembly step."""

    def __init__(self, labeller: Any, model_id: str = "unsaved", metadata: dict[str, Any] | None = None) -> None:
        self.labeller = labeller
        self.model_id = model_id
        self.metadata = metadata or {}

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Splitter:
        from moderate.registry import load_artifact

        folder = resolve_splitter_dir(path)
        labeller, metadata = load_artifact(folder)
        return cls(labeller, str(metadata.get("model_id", folder.name)), metadata)

    def label(self, prepared: Sequence[PreparedPage]) -> list[list[str]]:
        return self.labeller.predict_pages([p.features for p in prepared])

    def split_prepared(self, prepared: Sequence[PreparedPage]) -> list[PageSplit]:
        labelled = [end_tight_sections(p.blocks, labels, _chrome(p.features)) if p.raw.fmt == "text" else labels
                    for p, labels in zip(prepared, self.label(prepared))]
        segmenter = getattr(self.labeller, "segmenter_", None)
        if segmenter is not None:
            starts = segmenter.starts_pages([(p.blocks, labels, p.features) for p, labels in zip(prepared, labelled)])
        else:
            starts = [None] * len(prepared)
        return [
            assemble(p.blocks, labels, p.raw.source, p.raw.fmt, starts=s)
            for p, labels, s in zip(prepared, labelled, starts)
        ]

    def split_raw(self, raws: Iterable[RawPage], batch_size: int = 256, n_jobs: int | None = None) -> Iterator[PageSplit]:
        """Split pages in batches; reading blocks and features runs on ``n_jobs`` processes
        (None or -1: every core; 1: this process) when a batch is large enough to pay for it."""
        batch: list[RawPage] = []
        for raw in raws:
            batch.append(raw)
            if len(batch) >= batch_size:
                yield from self.split_prepared(_prepare_all(batch, n_jobs))
                batch = []
        if batch:
            yield from self.split_prepared(_prepare_all(batch, n_jobs))

    def split_files(self, paths: Iterable[str | os.PathLike[str]], batch_size: int = 256, n_jobs: int | None = None) -> Iterator[PageSplit]:
        return self.split_raw((read_page(p) for p in paths), batch_size, n_jobs)

    def split_text(self, text: str, source: str = "<text>", fmt: str | None = None) -> PageSplit:
        raw = page_from_bytes(text.encode("utf-8"), source, fmt)
        return self.split_prepared([prepare(raw)])[0]


_DEFAULT: Splitter | None = None


def split_page(page: str | os.PathLike[str] | bytes, splitter: Splitter | None = None, fmt: str | None = None) -> PageSplit:
    """Split one page given as a path, as bytes, or as the page's text (a str containing a newline)."""
    global _DEFAULT
    if splitter is None:
        if _DEFAULT is None:
            _DEFAULT = Splitter.load()
        splitter = _DEFAULT
    if isinstance(page, bytes):
        raw = page_from_bytes(page, "<bytes>", fmt)
        return splitter.split_prepared([prepare(raw)])[0]
    if isinstance(page, str) and ("\n" in page or "<" in page[:200]):
        return splitter.split_text(page, fmt=fmt)
    return splitter.split_prepared([prepare(read_page(page, fmt))])[0]
