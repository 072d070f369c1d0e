"""Find and load an off-topic model folder (``models/offtopic/CURRENT`` by default)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from moderate import registry
from moderate.errors import ModelError

ENV = "MODERATE_OFFTOPIC"
SUBDIR = "offtopic"
OPTION = "--offtopic-model"


@dataclass
class LoadedOffTopic:
    model_id: str
    estimator: Any  # moderate.offtopic.model.OffTopicModel
    thresholds: dict[str, dict[str, float]]  # {"off_topic": {"review": r, "reject": j}}
    metadata: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def predict_proba(self, comments: Sequence[str], article_of: Sequence[int],
                      articles: Sequence[tuple[str | None, str]], parents: Sequence[str | None] | None = None,
                      discussion: Any = None) -> np.ndarray:
        """See :meth:`moderate.offtopic.model.OffTopicModel.predict_proba`."""
        if discussion is None:
            return np.asarray(self.estimator.predict_proba(comments, article_of, articles, parents), dtype=float)
        return np.asarray(self.estimator.predict_proba(comments, article_of, articles, parents, discussion), dtype=float)

    def features_and_codes(self, comments: Sequence[str], article_of: Sequence[int],
                           articles: Sequence[tuple[str | None, str]],
                           parents: Sequence[str | None] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What needs the texts, for a worker process: the features without the discussion, the
        comments' topic codes (to gather discussions; int32 on the wire, they fit: see
        :data:`~moderate.offtopic.features.TOPIC_SCALE`) and the comment-only probabilities."""
        comments = [c if isinstance(c, str) else str(c) for c in comments]
        if hasattr(self.estimator, "features_and_text"):  # the comments read once for both
            X, codes, text_p = self.estimator.features_and_text(comments, article_of, articles, parents)
        else:
            X, codes = self.estimator.features(comments, article_of, articles, parents, None, True)
            text_p = self.estimator.text_proba(comments)
        return X, codes.astype(np.int32), text_p

    def topic_codes(self, comments: Sequence[str]) -> np.ndarray:
        """The comments' topic codes alone (a first pass gathering a table's discussions)."""
        comments = [c if isinstance(c, str) else str(c) for c in comments]
        fz = self.estimator.featurizer
        return fz.topic_codes_of(comments)

    def predict_from_features(self, comments: Sequence[str], X: np.ndarray, text_p: np.ndarray | None = None) -> np.ndarray:
        comments = [c if isinstance(c, str) else str(c) for c in comments]
        return np.asarray(self.estimator.predict_from_features(comments, X, text_p), dtype=float)


def resolve_offtopic_dir(path: str | os.PathLike[str] | None = None) -> Path:
    return registry.resolve_model_dir(path, env=ENV, subdir=SUBDIR, option=OPTION)


def load_offtopic(path: str | os.PathLike[str] | LoadedOffTopic | None = None) -> LoadedOffTopic:
    """Load an off-topic model folder: ``path``, ``$MODERATE_OFFTOPIC`` or ``models/offtopic/CURRENT``."""
    if isinstance(path, LoadedOffTopic):
        return path
    folder = resolve_offtopic_dir(path)
    estimator, metadata = registry.load_artifact(folder)
    if metadata.get("kind") != "offtopic":
        raise ModelError(f"{folder} is not an off-topic model (kind {metadata.get('kind')!r})")
    return LoadedOffTopic(str(metadata["model_id"]), estimator, metadata["thresholds"], metadata, folder)
