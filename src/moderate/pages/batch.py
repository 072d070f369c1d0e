"""Splitting many pages: folders, progress, per-page failures, and the comment table.

A page that cannot be read (binary junk, a broken gzip file) or split (over
:data:`moderate.pages.split.MAX_BLOCKS` blocks) is reported as a one-line warning and skipped;
the run fails only when no page at all could be split.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import pandas as pd

from moderate.errors import InputError
from moderate.pages.assemble import PageSplit
from moderate.pages.read import expand_page_paths, read_page
from moderate.pages.split import Splitter
from moderate.registry import _umask

#: Columns of a page's comments, in the order ``moderate score`` writes them.
COMMENT_COLUMNS = ("source", "index", "author", "posted_at", "reply_to", "about", "text")


class PageSkippedWarning(UserWarning):
    """A page could not be read and was skipped."""


def _readable(paths: Sequence[Path], stats: dict[str, int]) -> Iterator[Any]:
    first_error: InputError | None = None
    for path in paths:
        try:
            yield read_page(path)
        except InputError as exc:
            stats["failed"] = stats.get("failed", 0) + 1
            first_error = first_error or exc
            if len(paths) > 1:
                warnings.warn(f"skipped {exc}", PageSkippedWarning, stacklevel=2)
    if stats.get("pages", 0) == 0 and first_error is not None and stats["failed"] == len(paths):
        raise first_error


def iter_splits(
    inputs: Sequence[str | os.PathLike[str]], splitter: Splitter | str | None = None,
    progress: bool | None = None, stats: dict[str, int] | None = None, batch_size: int = 256,
    n_jobs: int | None = None,
) -> Iterator[PageSplit]:
    """Split every page of ``inputs`` (files or folders), in order."""
    stats = stats if stats is not None else {}
    paths = expand_page_paths([os.fspath(p) for p in inputs])
    model = splitter if isinstance(splitter, Splitter) else Splitter.load(splitter)
    from tqdm import tqdm

    show = sys.stderr.isatty() if progress is None else progress
    unsplittable: list[InputError] = []

    def skip(exc: InputError) -> None:  # a page read but not splittable (too many blocks)
        if len(paths) == 1:
            raise exc
        stats["failed"] = stats.get("failed", 0) + 1
        unsplittable.append(exc)
        warnings.warn(f"skipped {exc}", PageSkippedWarning, stacklevel=2)

    with tqdm(total=len(paths), unit="pages", file=sys.stderr, disable=not show, dynamic_ncols=True) as bar:
        for split in model.split_raw(_readable(paths, stats), batch_size=batch_size, n_jobs=n_jobs, on_error=skip):
            stats["pages"] = stats.get("pages", 0) + 1
            bar.update(1)
            yield split
    if unsplittable and stats.get("pages", 0) == 0:
        raise unsplittable[0]


@contextlib.contextmanager
def atomic_text_writer(path: str | os.PathLike[str] | None) -> Iterator[IO[str]]:
    """Write text to ``path`` via a temporary file renamed into place (stdout when None)."""
    if path is None:
        yield sys.stdout
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def comments_frame(splits: Sequence[PageSplit]) -> pd.DataFrame:
    """One row per comment of the given pages."""
    rows = [
        {"source": s.source, "index": c.index, "author": c.author, "posted_at": c.posted_at,
         "reply_to": c.reply_to, "about": c.about, "text": c.text}
        for s in splits for c in s.comments
    ]
    frame = pd.DataFrame(rows, columns=list(COMMENT_COLUMNS))
    frame["index"] = frame["index"].astype("Int64")
    frame["reply_to"] = frame["reply_to"].astype("Int64")
    for column in ("source", "author", "posted_at", "about", "text"):
        frame[column] = frame[column].astype(object)
    return frame
