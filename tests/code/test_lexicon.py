"""The span lexicon: learned from train-split annotations, turned into dense features."""

import numpy as np
import pandas as pd
import pytest

from moderate.lexicon import LEXICON_LABELS, SpanLexicon, span_word_table, word_scores
from moderate.schema import LABELS


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return span_word_table(split="train")


def test_abusive_words_score_high_and_function_words_low(table) -> None:
    scores = pd.DataFrame(word_scores(table, LABELS), index=table["word"], columns=list(LABELS))
    assert scores.loc["idiot", "insult"] > 0.4
    assert scores.loc["fuck", "obscene"] > 0.2
    assert scores.loc["kill", "threat"] > 0.1
    assert scores.loc["the"].max() < 0.05
    assert scores.to_numpy().min() >= 0 and scores.to_numpy().max() <= 1


def test_split_restricts_the_comments_read(table) -> None:
    test_table = span_word_table(split="test")
    # the test split is ~10% of the comments: far fewer occurrences of a common word
    common = table.set_index("word")["count"]["the"]
    assert test_table.set_index("word")["count"]["the"] < common / 4
    assert (table["count"] >= 3).all()


def test_features_reflect_words_present() -> None:
    words = np.array(["idiot", "kill", "the"])
    scores = np.array([[0.6, 0.6, 0.0, 0.0], [0.3, 0.0, 0.0, 0.2], [0.0, 0.0, 0.0, 0.0]])
    lexicon = SpanLexicon(words, scores).fit([])
    X = lexicon.transform(["you idiot", "i will kill the idiot", "nothing here", ""]).toarray()
    n = len(LEXICON_LABELS)
    assert X.shape == (4, 3 * n)
    assert X[0, 0] == pytest.approx(0.6)  # max toxicity word score
    assert X[1, LEXICON_LABELS.index("threat")] == pytest.approx(0.2)
    assert X[1, n] == pytest.approx(np.log1p(0.9))  # summed toxicity scores
    assert X[1, 2 * n] == pytest.approx(np.log1p(2))  # two strong toxicity words
    assert not X[2].any() and not X[3].any()
    assert len(lexicon.get_feature_names_out()) == X.shape[1]


def test_bad_scores_shape_is_an_error() -> None:
    with pytest.raises(ValueError, match="shape"):
        SpanLexicon(np.array(["a"]), np.zeros((2, 4))).fit([])
