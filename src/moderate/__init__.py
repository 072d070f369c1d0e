"""moderate: reader-comment moderation toolkit.

Public API (imported lazily so ``import moderate`` stays cheap)::

    split_page(path_or_text) -> PageSplit      (article + individual comments of a page)
    Splitter.load(path=None) -> Splitter       (split many pages with one loaded model)
    score_frame(df, text_col=None, model=None) -> DataFrame
    load_model(path=None) -> LoadedModel
    load_corpora(data_dir=None) -> DataFrame
    train(...)
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "score_frame": "moderate.score",
    "score_files": "moderate.score",
    "load_model": "moderate.registry",
    "LoadedModel": "moderate.registry",
    "load_corpora": "moderate.corpora",
    "train_model": "moderate.train",
    "LABELS": "moderate.schema",
    "split_page": "moderate.pages.split",
    "Splitter": "moderate.pages.split",
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'moderate' has no attribute {name!r}")
