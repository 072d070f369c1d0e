"""Shared fixtures: a deterministic fake model, a tiny real model folder, small comment tables."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moderate.registry import LoadedModel, save_model_folder
from moderate.schema import LABELS

#: Thresholds used by both test models: review at 0.5, reject at 0.9, for every label.
TEST_THRESHOLDS: dict[str, dict[str, float]] = {
    label: {"review": 0.5, "reject": 0.9} for label in LABELS
}

# Words that raise one label each in the fake model (label index in LABELS).
_FAKE_WORDS: dict[str, tuple[int, ...]] = {
    "idiot": (0, 1),
    "stupid": (0, 1),
    "crap": (0, 2),
    "shit": (0, 2),
    "kill": (0, 4),
    "immigrants": (0, 3),
}
_WORD = re.compile(r"\w+")


class KeywordEstimator:
    """A deterministic stand-in for a fitted model.

    Each label's probability is ``0.05 + 0.45 * hits`` (capped at 0.99), where ``hits``
    counts the words in :data:`_FAKE_WORDS` that raise that label, plus a small
    text-length term so that different texts get different scores. It depends only on
    the text itself, never on the batch it arrives in.
    """

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), len(LABELS)))
        for row, text in enumerate(texts):
            assert isinstance(text, str), f"model got {type(text).__name__}, not str"
            hits = np.zeros(len(LABELS))
            for word in _WORD.findall(text.lower()):
                for label_index in _FAKE_WORDS.get(word, ()):
                    hits[label_index] += 1
            out[row] = np.minimum(0.05 + 0.45 * hits + (len(text) % 7) / 1000, 0.99)
        return out


@pytest.fixture(scope="session")
def fake_model() -> LoadedModel:
    """A :class:`LoadedModel` around :class:`KeywordEstimator` (no files involved)."""
    return LoadedModel(
        model_id="fake-0",
        estimator=KeywordEstimator(),
        labels=LABELS,
        thresholds=TEST_THRESHOLDS,
    )


# --------------------------------------------------------------------------- tiny real model

#: ~60 labelled texts: (text, toxicity, insult, obscene, identity_attack, threat).
TINY_CORPUS: list[tuple[str, int, int, int, int, int]] = [
    ("thanks for the thoughtful article", 0, 0, 0, 0, 0),
    ("great reporting, very informative", 0, 0, 0, 0, 0),
    ("i disagree with the council but respect the process", 0, 0, 0, 0, 0),
    ("the budget numbers look right to me", 0, 0, 0, 0, 0),
    ("where can i find the meeting schedule", 0, 0, 0, 0, 0),
    ("lovely photos of the park", 0, 0, 0, 0, 0),
    ("the bus service has improved a lot this year", 0, 0, 0, 0, 0),
    ("could you publish the full report please", 0, 0, 0, 0, 0),
    ("my kids love the new library", 0, 0, 0, 0, 0),
    ("good point about the school funding", 0, 0, 0, 0, 0),
    ("the restaurant was excellent, friendly staff", 0, 0, 0, 0, 0),
    ("i appreciate the balanced coverage", 0, 0, 0, 0, 0),
    ("the weather has been wonderful lately", 0, 0, 0, 0, 0),
    ("well written and fair piece", 0, 0, 0, 0, 0),
    ("the mayor answered questions at the meeting", 0, 0, 0, 0, 0),
    ("traffic on elm street is bad in the morning", 0, 0, 0, 0, 0),
    ("helpful summary of the election results", 0, 0, 0, 0, 0),
    ("i will attend the meeting on thursday", 0, 0, 0, 0, 0),
    ("the article missed the pension numbers", 0, 0, 0, 0, 0),
    ("nice to see local news covering this", 0, 0, 0, 0, 0),
    ("thank you for the correction", 0, 0, 0, 0, 0),
    ("the new bike lanes are a good idea", 0, 0, 0, 0, 0),
    ("interesting interview with the teacher", 0, 0, 0, 0, 0),
    ("the power came back this morning", 0, 0, 0, 0, 0),
    ("please fix the typo in the headline", 0, 0, 0, 0, 0),
    ("you are an idiot", 1, 1, 0, 0, 0),
    ("what a stupid idiot", 1, 1, 0, 0, 0),
    ("shut up you moron", 1, 1, 0, 0, 0),
    ("the author is a pathetic loser", 1, 1, 0, 0, 0),
    ("only an idiot would believe this", 1, 1, 0, 0, 0),
    ("you stupid clown", 1, 1, 0, 0, 0),
    ("what a moron this reporter is", 1, 1, 0, 0, 0),
    ("you are a loser and a fool", 1, 1, 0, 0, 0),
    ("this is crap", 1, 0, 1, 0, 0),
    ("what a load of shit", 1, 0, 1, 0, 0),
    ("fuck this newspaper", 1, 0, 1, 0, 0),
    ("shit article, total crap", 1, 0, 1, 0, 0),
    ("this fucking council is useless", 1, 0, 1, 0, 0),
    ("bullshit from start to finish", 1, 0, 1, 0, 0),
    ("you stupid shit", 1, 1, 1, 0, 0),
    ("fuck you idiot", 1, 1, 1, 0, 0),
    ("immigrants are ruining this country", 1, 0, 0, 1, 0),
    ("women are too emotional to lead", 1, 0, 0, 1, 0),
    ("muslims should be banned", 1, 0, 0, 1, 0),
    ("those people do not belong here", 1, 0, 0, 1, 0),
    ("immigrants should all go back", 1, 0, 0, 1, 0),
    ("women should not be allowed to vote", 1, 0, 0, 1, 0),
    ("i will kill you", 1, 0, 0, 0, 1),
    ("someone should shoot the mayor", 1, 0, 0, 0, 1),
    ("i know where you live, watch out", 1, 0, 0, 0, 1),
    ("i will burn your house down", 1, 0, 0, 0, 1),
    ("go die, i will kill you myself", 1, 0, 0, 0, 1),
    ("i am going to hurt you", 1, 0, 0, 0, 1),
    ("i will shoot you, idiot", 1, 1, 0, 0, 1),
    ("the stupid budget is a mess", 1, 0, 0, 0, 0),
    ("this policy is dumb", 1, 0, 0, 0, 0),
    ("what a ridiculous waste of money", 1, 0, 0, 0, 0),
    ("nobody cares about your opinion", 1, 0, 0, 0, 0),
    ("terrible, lazy journalism", 1, 0, 0, 0, 0),
    ("the council meeting ran late again", 0, 0, 0, 0, 0),
]

#: Parameters that make build_estimator work on a corpus this small, and quickly.
TINY_PARAMS = {
    "word_min_df": 1,
    "char_min_df": 1,
    "word_max_features": 2000,
    "char_max_features": 2000,
    "calibration_folds": 2,
}


def fit_tiny_estimator():
    """Fit ``moderate.model.build_estimator`` on :data:`TINY_CORPUS` (skips if unavailable)."""
    model = pytest.importorskip("moderate.model")
    texts = [row[0] for row in TINY_CORPUS]
    Y = np.array([row[1:] for row in TINY_CORPUS], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on a toy corpus
        return model.build_estimator(**TINY_PARAMS).fit(texts, Y)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real model folder ``.../tiny-0`` saved with the registry (skops + metadata)."""
    estimator = fit_tiny_estimator()
    folder = tmp_path_factory.mktemp("models") / "tiny-0"
    save_model_folder(
        folder,
        estimator,
        {"model_id": "tiny-0", "labels": list(LABELS), "thresholds": TEST_THRESHOLDS},
    )
    return folder


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir: Path) -> LoadedModel:
    """The tiny real model, loaded through :func:`moderate.registry.load_model`."""
    from moderate.registry import load_model

    return load_model(tiny_model_dir)


# --------------------------------------------------------------------------- comment tables


@pytest.fixture
def comments() -> pd.DataFrame:
    """Eight comments covering civil, rude, empty, missing, numeric and multi-line text."""
    return pd.DataFrame(
        {
            "comment_id": ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"],
            "author": ["ann", "bob", "cy", "di", "ed", "fay", "gus", "hal"],
            "text": [
                "Thanks, a fair and useful article.",
                "You stupid idiot.",
                "",
                None,
                "   ",
                "Line one,\nline two with \"quotes\", and a comma",
                "Ça va très bien, merci ✓",
                "I will kill you",
            ],
        }
    )


# --------------------------------------------------------------------------- tiny splitter

#: Hand-made pages in two layouts, labelled line by line, to fit a tiny splitter quickly.
_TINY_PAGE = [
    ("Council approves new budget for {n} parks", "title"),
    ("By Jane Doe | 3 March 2014", "byline"),
    ("The city council approved a budget on Tuesday that adds money for parks and libraries.", "body"),
    ("Officials said the plan would take {n} years to complete, with work starting next spring.", "body"),
    ("Share this article", "boilerplate"),
    ("{n} Comments", "furniture"),
    ("Sarah says:", "comment_header"),
    ("March {n}, 2014 at 6:57 am", "comment_header"),
    ("Great news for families in the north of the city, finally some green space.", "comment_text"),
    ("Reply", "furniture"),
    ("Tom{n} says:", "comment_header"),
    ("March {n}, 2014 at 7:12 am", "comment_header"),
    ("I wonder where the money comes from though, taxes are already high enough.", "comment_text"),
    ("Reply", "furniture"),
    ("Privacy policy | Terms of use", "boilerplate"),
]


def tiny_labelled_pages(count: int = 12):
    """(text, labels) pairs rendered from :data:`_TINY_PAGE` with small variations."""
    pages = []
    for n in range(1, count + 1):
        lines = [(line.format(n=n), label) for line, label in _TINY_PAGE]
        if n % 2:
            lines = [(f"{line}" if label not in ("comment_header",) else line.replace(" says:", f" | {n}/3/2014"), label)
                     for line, label in lines if not line.startswith("March")]
        pages.append(("\n".join(line for line, _ in lines), [label for _, label in lines]))
    return pages


@pytest.fixture(scope="session")
def tiny_splitter_dir(tmp_path_factory) -> Path:
    """A real splitter folder (models/splitter layout) fitted on :func:`tiny_labelled_pages`."""
    from moderate.pages.blocks import text_blocks
    from moderate.pages.features import page_features
    from moderate.pages.model import LineLabeller
    from moderate.registry import set_current

    X, y = [], []
    for text, labels in tiny_labelled_pages():
        blocks = text_blocks(text)
        assert len(blocks) == len(labels)
        X.append(page_features(blocks))
        y.append(labels)
    labeller = LineLabeller(max_iter=20, stacked=False, max_leaf_nodes=8).fit(X, y)
    root = tmp_path_factory.mktemp("splitter")
    save_model_folder(root / "splitter-tiny", labeller, {"model_id": "splitter-tiny", "kind": "page-splitter", "labels": []})
    set_current(root, "splitter-tiny")
    return root
