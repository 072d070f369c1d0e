"""Splitting pages: read, cut into blocks, describe, label, assemble.

``split_page(path_or_text)`` is the one-call Python API; :class:`Splitter` keeps a loaded
model and splits many pages in batches (one classifier call per batch, which is what makes
hundreds of pages per second possible).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
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


#: Batches smaller than this are split in this process (worker start-up would cost more).
PARALLEL_MIN_PAGES = 64


def _n_jobs(n_jobs: int | None) -> int:
    return (os.cpu_count() or 1) if n_jobs in (None, -1) else max(int(n_jobs), 1)


def _split_or_error(splitter: Splitter, raws: list[RawPage]) -> list[PageSplit | InputError]:
    """Each page's split, or the :class:`InputError` that made it unsplittable (a page with too
    many blocks), so that one bad page does not sink its batch."""
    prepared: list[PreparedPage] = []
    errors: list[InputError | None] = []
    for raw in raws:
        try:
            prepared.append(prepare(raw))
            errors.append(None)
        except InputError as exc:
            errors.append(exc)
    splits = iter(splitter.split_prepared(prepared))
    return [next(splits) if exc is None else exc for exc in errors]


#: Splitters a worker process has unpickled, by the digest of their pickle (one at a time).
_WORKER_SPLITTERS: dict[str, Splitter] = {}


def _split_chunk(key: str, path: str, raws: list[RawPage]) -> list[PageSplit | InputError]:
    """A worker's part of a batch: the whole split (blocks, features, labels, assembly). The
    splitter is read from its pickle at ``path`` once per worker, not sent with every chunk."""
    splitter = _WORKER_SPLITTERS.get(key)
    if splitter is None:
        _WORKER_SPLITTERS.clear()
        splitter = _WORKER_SPLITTERS[key] = pickle.loads(Path(path).read_bytes())
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="openmp"):  # one worker per core: see _Batch.result
        return _split_or_error(splitter, raws)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


class _Batch:
    """A batch being split. On worker processes, started at once (so that they work while the
    caller consumes the previous batch); whatever chunks no worker has started when the result
    is asked for are split here instead (this process would only wait, and while the workers
    start up, which takes a second or two, it does the first batch's work). Small batches and
    ``n_jobs=1``: here, when the result is asked for."""

    def __init__(self, splitter: Splitter, raws: list[RawPage], jobs: int, shipped: tuple[str, str] | None) -> None:
        self.splitter = splitter
        self.chunks = [raws]
        self.futures: list[Any] = []
        if shipped is not None:
            from joblib.executor import get_memmapping_executor  # the executor joblib.Parallel reuses too

            executor = get_memmapping_executor(jobs)
            step = -(-len(raws) // (4 * jobs))  # several chunks per worker even out long pages
            self.chunks = [raws[i:i + step] for i in range(0, len(raws), step)]
            self.futures = [executor.submit(_split_chunk, *shipped, chunk) for chunk in self.chunks]

    def _here(self, chunk: list[RawPage]) -> list[PageSplit | InputError]:
        return _split_or_error(self.splitter, chunk)

    def result(self) -> list[PageSplit | InputError]:
        if not self.futures:
            return self._here(self.chunks[0])
        from threadpoolctl import threadpool_limits

        done: dict[int, list[PageSplit | InputError]] = {}
        # one OpenMP thread while the workers hold the cores: the tree ensembles' threads wait
        # for each other at every tree, and made a split twice as slow when a core was taken
        with threadpool_limits(limits=1, user_api="openmp"):
            for j in range(len(self.futures) - 1, -1, -1):  # the workers take chunks from the front
                if not self.futures[j].cancel():
                    break
                done[j] = self._here(self.chunks[j])
        try:
            return [split for j, future in enumerate(self.futures) for split in (done[j] if j in done else future.result())]
        finally:
            for future in self.futures:
                future.cancel()


def _report(results: list[PageSplit | InputError], on_error: Callable[[InputError], None] | None) -> Iterator[PageSplit]:
    for item in results:
        if isinstance(item, InputError):
            if on_error is None:
                raise item
            on_error(item)
        else:
            yield item


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

    def split_raw(self, raws: Iterable[RawPage], batch_size: int = 256, n_jobs: int | None = None,
                  on_error: Callable[[InputError], None] | None = None) -> Iterator[PageSplit]:
        """Split pages in batches of ``batch_size``. With ``n_jobs`` other than 1 (None or -1:
        every core), batches of at least :data:`PARALLEL_MIN_PAGES` pages are split on worker
        processes, one batch ahead: the workers split the next batch while the caller consumes
        this one (so at most two batches are held at once). A page that cannot be split (an
        :class:`InputError`, such as too many blocks) is passed to ``on_error`` and skipped, or,
        without ``on_error``, raised."""
        jobs = _n_jobs(n_jobs)
        pending: _Batch | None = None
        batch: list[RawPage] = []
        for raw in chain(raws, [None]):
            if raw is not None:
                batch.append(raw)
                if len(batch) < batch_size:
                    continue
            elif not batch:
                break
            parallel = jobs > 1 and len(batch) >= PARALLEL_MIN_PAGES
            started = _Batch(self, batch, jobs, self._shipped() if parallel else None)
            if pending is not None:
                yield from _report(pending.result(), on_error)
            pending, batch = started, []
        if pending is not None:
            yield from _report(pending.result(), on_error)

    def _shipped(self) -> tuple[str, str]:
        """The digest and path of this splitter's pickle, for worker processes (written once;
        removed when the splitter is garbage-collected or the interpreter exits)."""
        shipped = self.__dict__.get("_shipped_pickle")
        if shipped is None:
            payload = pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)
            fd, path = tempfile.mkstemp(prefix="moderate-splitter-", suffix=".pickle")
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
            weakref.finalize(self, _remove, path)
            shipped = self.__dict__["_shipped_pickle"] = (hashlib.sha1(payload).hexdigest(), path)
        return shipped

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_shipped_pickle"}

    def split_files(self, paths: Iterable[str | os.PathLike[str]], batch_size: int = 256, n_jobs: int | None = None,
                    on_error: Callable[[InputError], None] | None = None) -> Iterator[PageSplit]:
        return self.split_raw((read_page(p) for p in paths), batch_size, n_jobs, on_error)

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
