"""Off-topic features, scoring options and statuses (code behaviour, tiny fitted parts)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderate.decision import decide
from moderate.errors import InputError
from moderate.offtopic.features import FEATURES, RelevanceFeaturizer, passages
from moderate.schema import LABELS, OFF_TOPIC

ARTICLES = [
    ("Council approves new tram line", "The city council voted on Tuesday to build a tram line from the station "
     "to the university. The line will cost 120 million euros and open in 2027.\n\nResidents of the old town "
     "objected to the noise of construction."),
    ("Chocolate cake recipe", "Melt the butter and the chocolate, whisk in eggs and sugar, fold in flour and bake "
     "for forty minutes.\n\nServe the cake with cream."),
    ("Local team wins the cup", "The football club won the regional cup final after a penalty shoot-out in front "
     "of eight thousand supporters."),
]
COMMENTS = ["The tram line will cost 120 million euros? The council should ask residents first.",
            "I baked this chocolate cake with less sugar and it was great.",
            "What a penalty shoot-out, the supporters were amazing."]


@pytest.fixture(scope="module")
def featurizer() -> RelevanceFeaturizer:
    return RelevanceFeaturizer(n_components=3, min_df=1, n_reference=3).fit(ARTICLES, COMMENTS)


@pytest.fixture(scope="module")
def offtopic():
    from moderate.offtopic.load import load_offtopic

    return load_offtopic()


def column(X: np.ndarray, name: str) -> np.ndarray:
    return X[:, FEATURES.index(name)]


def test_own_article_is_more_similar_than_another(featurizer):
    own = featurizer.transform(COMMENTS, [0, 1, 2], ARTICLES)
    swapped = featurizer.transform(COMMENTS, [1, 2, 0], ARTICLES)
    assert own.shape == (3, len(FEATURES))
    for name in ("cos_word", "cos_char", "cos_lsa", "cos_passage", "shared_words"):
        assert (column(own, name) > column(swapped, name)).all(), name
    assert column(own, "shared_numbers")[0] == 1  # "120"
    assert column(swapped, "shared_numbers")[0] == 0


def test_a_word_never_met_counts_as_rare(featurizer):
    # common: in more than rare_df (1 %) of the six fitting texts, so every word met; a word the
    # featurizer never met is rare
    assert featurizer.is_rare("palmyra") and featurizer.is_rare("citadel")
    assert not featurizer.is_rare("tram") and not featurizer.is_rare("euros")
    article = [("Palmyra retaken", "Syrian troops entered Palmyra on Sunday.")]
    X = featurizer.transform(["Palmyra again? Who holds the citadel now?", "Palmyra"], [0, 0], article)
    assert column(X, "n_shared_rare_words").tolist() == [1, 1]
    assert column(X, "shared_rare_words")[0] == pytest.approx(1 / 3)  # palmyra, holds, citadel
    # a model fitted before the rule (rare_words_ and no common_words_) keeps its own reading
    import copy

    old = copy.deepcopy(featurizer)
    del old.common_words_
    old.__dict__.pop("_common_set", None)
    old.rare_words_ = ["euros"]
    assert not old.is_rare("palmyra") and old.is_rare("euros")


TRICKY = COMMENTS + ["", "tram tram tram line", "unknownword only", "a b c I  x\t\ty\u00a0z", "Ünïcode ÀB ÉCOLE",
                     "!!! ?? +1", "tram-line's cost: 120,000,000 €.", "\n\n  \t", "Tram TRAM tRaM"]


def test_word_rows_equal_the_vectorizer(featurizer):
    analyzer = featurizer.word_.build_analyzer()
    batch = featurizer._batch(TRICKY)
    assert batch.content() == [analyzer(t) for t in TRICKY]
    expected = featurizer.word_.transform(TRICKY).toarray()
    got = featurizer._word_rows(batch).toarray()
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_char_rows_equal_the_vectorizer(featurizer):
    for _ in range(2):  # cold, then from the word cache
        got = featurizer._char_rows([t.lower() for t in TRICKY])
        expected = featurizer.char_.transform(TRICKY)
        assert got.shape == expected.shape and got.has_sorted_indices
        np.testing.assert_array_equal(got.indptr, expected.indptr)
        np.testing.assert_array_equal(got.indices, expected.indices)
        np.testing.assert_array_equal(got.data, expected.data)
    from moderate.offtopic.features import _TABLES

    assert "tram" in _TABLES[featurizer.fingerprint_].word_ids
    assert not any("cache" in key for key in featurizer.__getstate__())


def test_text_part_counts_equal_scikit_learn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from moderate.offtopic.model import make_text

    texts = TRICKY + ["nice post! nice post?", "nice", "post nice post"]
    vectorizer = make_text().fit(texts * 2, [0, 1] * len(texts))[0]  # min_df=2: every term of texts is kept
    for batch in (texts, texts[:1], ["", "?"]):
        expected = TfidfVectorizer.transform(vectorizer, batch)
        got = vectorizer.transform(batch)
        assert got.shape == expected.shape
        np.testing.assert_array_equal(got.indptr, expected.indptr)
        np.testing.assert_array_equal(got.indices, expected.indices)
        np.testing.assert_array_equal(got.data, expected.data)
    assert "_ngram_table" not in vectorizer.__getstate__()


def test_prepared_articles_are_cached_and_give_the_same_features(featurizer):
    from moderate.offtopic import features as F

    F._VIEWS.clear()
    first = featurizer.transform(COMMENTS, [0, 1, 2], ARTICLES)
    assert len(F._VIEWS) == 3
    again = featurizer.transform(COMMENTS, [2, 1, 0], ARTICLES[::-1])  # same pairs, articles in another order
    np.testing.assert_array_equal(np.nan_to_num(first, nan=-9), np.nan_to_num(again, nan=-9))
    assert len(F._VIEWS) == 3
    other = RelevanceFeaturizer(n_components=2, min_df=1, n_reference=3).fit(ARTICLES, COMMENTS)
    other.transform(COMMENTS[:1], [0], ARTICLES[:1])
    assert len(F._VIEWS) == 4  # another fitted featurizer never reuses these views


def test_phrases_are_counted_on_tokens():
    from moderate.offtopic.features import _RAW_TOKEN, _Phrases

    phrases = _Phrases(["nice post", "thanks for sharing", "thanks", "+1"])

    def count(text):
        return phrases.count(_RAW_TOKEN.findall(text.lower()), text)

    assert count("Nice post! Thanks for sharing.") == (2, len("nice post") + len("thanks for sharing"))
    assert count("+1, thanks") == (2, 8)
    assert count("a nice poster") == (0, 0)


def test_parent_features_are_missing_without_a_parent(featurizer):
    X = featurizer.transform(COMMENTS[:2], [0, 1], ARTICLES, parents=[None, "the cake recipe"])
    assert np.isnan(column(X, "cos_parent")[0]) and not np.isnan(column(X, "cos_parent")[1])


def test_a_long_article_is_read_to_the_end(offtopic):
    featurizer = offtopic.estimator.featurizer
    filler = "\n\n".join(f"Paragraph {k} talks about the weather and nothing else at all today." for k in range(800))
    long_article = ("A long report", filler + "\n\nFinally the council approved the tram line to the university.")
    assert len(long_article[1]) > 50_000
    X = featurizer.transform([COMMENTS[0]], [0], [long_article])
    # the matching passage is the last one; a truncating reader would see nothing of it
    assert column(X, "cos_passage")[0] > 0.1
    assert column(X, "cos_passage")[0] > 2 * column(X, "cos_word")[0]


def test_title_only_article(featurizer):
    X = featurizer.transform(["The tram line is noisy"], [0], [("Council approves new tram line", "")])
    assert column(X, "article_has_body")[0] == 0 and column(X, "cos_title")[0] > 0


def test_passages_keep_every_paragraph():
    body = "\n\n".join(f"word{k} " * 30 for k in range(7))
    parts = passages(body, min_words=60)
    assert "".join(parts).replace("\n", "").replace(" ", "") == body.replace("\n", "").replace(" ", "")
    assert all(len(p.split()) >= 30 for p in parts)


def test_decision_ignores_a_missing_off_topic_score():
    thresholds = {label: {"review": 0.5, "reject": 0.9} for label in (*LABELS, OFF_TOPIC)}
    probs = np.array([[0.1] * 5 + [np.nan], [0.1] * 5 + [0.6], [np.nan] * 6, [0.95] + [0.1] * 4 + [np.nan]])
    assert decide(probs, (*LABELS, OFF_TOPIC), thresholds).tolist() == ["approve", "review", None, "reject"]


# ----------------------------------------------------------------------- scoring options


def test_score_frame_with_an_article_column(fake_model, offtopic):
    from moderate.score import score_frame

    df = pd.DataFrame({"text": [COMMENTS[0], COMMENTS[0], "", COMMENTS[1]],
                       "article": [ARTICLES[0][1], ARTICLES[1][1], ARTICLES[0][1], None]})
    out = score_frame(df, model=fake_model, article_col="article", offtopic_model=offtopic)
    assert out["status"].tolist() == ["ok", "ok", "empty_text", "no_article"]
    assert out[OFF_TOPIC].iloc[0] < out[OFF_TOPIC].iloc[1]  # the same comment under the wrong story
    assert np.isnan(out[OFF_TOPIC].iloc[2]) and np.isnan(out[OFF_TOPIC].iloc[3])
    assert out["offtopic_model_id"].iloc[0] == offtopic.model_id


def test_score_frame_with_an_articles_table(fake_model, offtopic):
    from moderate.score import score_frame

    articles = pd.DataFrame({"article_id": [1, 2], "title": [ARTICLES[0][0], ARTICLES[1][0]],
                             "body": [ARTICLES[0][1], ARTICLES[1][1]]})
    df = pd.DataFrame({"text": COMMENTS, "article_id": [1, "2", 9]})
    out = score_frame(df, model=fake_model, articles=articles, offtopic_model=offtopic)
    assert out["status"].tolist() == ["ok", "ok", "article_not_found"]
    assert out[OFF_TOPIC].notna().tolist() == [True, True, False]


def test_without_articles_off_topic_is_empty_and_the_model_is_not_needed(fake_model):
    from moderate.score import score_frame

    out = score_frame(pd.DataFrame({"text": COMMENTS}), model=fake_model, offtopic_model="/no/such/folder")
    assert out[OFF_TOPIC].isna().all() and set(out["status"]) == {"no_article"}


def test_article_options_are_checked(fake_model):
    from moderate.score import score_frame

    df = pd.DataFrame({"text": COMMENTS})
    with pytest.raises(InputError, match="not both"):
        score_frame(df, model=fake_model, article_col="a", articles={"1": (None, "x")})
    with pytest.raises(InputError, match="no column"):
        score_frame(df, model=fake_model, article_col="article")
    with pytest.raises(InputError, match="needs --article-col"):
        score_frame(df, model=fake_model, title_col="title")


def test_off_topic_threshold_override(fake_model, offtopic):
    from moderate.score import score_frame

    df = pd.DataFrame({"text": [COMMENTS[0]], "article": [ARTICLES[1][1]]})
    out = score_frame(df, model=fake_model, article_col="article", offtopic_model=offtopic,
                      thresholds={"off_topic": {"review": 0.0, "reject": 0.0}})
    assert out["decision"].tolist() == ["reject"]


def test_cli_articles_table(tmp_path, tiny_model_dir, capsys):
    from moderate.cli import main

    pd.DataFrame({"article_id": ["a", "b"], "article": [ARTICLES[0][1], ARTICLES[2][1]]}).to_csv(tmp_path / "arts.csv", index=False)
    pd.DataFrame({"text": COMMENTS, "article_id": ["a", "b", "zzz"]}).to_csv(tmp_path / "c.csv", index=False)
    out = tmp_path / "out.csv"
    assert main(["score", str(tmp_path / "c.csv"), "--articles", str(tmp_path / "arts.csv"), "-o", str(out),
                 "--model", str(tiny_model_dir), "--no-progress"]) == 0
    frame = pd.read_csv(out)
    assert frame["status"].tolist() == ["ok", "ok", "article_not_found"]
    assert "1 with an article_id not in --articles" in capsys.readouterr().err


def test_cli_duplicate_article_ids_are_refused(tmp_path, tiny_model_dir, capsys):
    from moderate.cli import main

    pd.DataFrame({"article_id": ["a", "a"], "article": ["x", "y"]}).to_csv(tmp_path / "arts.csv", index=False)
    pd.DataFrame({"text": ["hi"], "article_id": ["a"]}).to_csv(tmp_path / "c.csv", index=False)
    assert main(["score", str(tmp_path / "c.csv"), "--articles", str(tmp_path / "arts.csv"), "-o",
                 str(tmp_path / "o.csv"), "--model", str(tiny_model_dir)]) == 2
    assert "appears more than once" in capsys.readouterr().err


def test_duplicate_article_ids_are_refused_in_a_frame_too(fake_model):
    from moderate.score import score_frame

    articles = pd.DataFrame({"article_id": [1, "1"], "body": ["x", "y"]})
    with pytest.raises(InputError, match="appears more than once"):
        score_frame(pd.DataFrame({"text": ["hi"], "article_id": [1]}), model=fake_model, articles=articles)


def test_parallel_off_topic_scores_equal_serial_ones(offtopic, monkeypatch):
    """Workers get only the articles their comments need; the scores do not change."""
    from moderate import score

    monkeypatch.setattr(score, "PARALLEL_MIN_TEXTS", 10)
    texts = [COMMENTS[k % 3] + f" ({k})" for k in range(40)]
    article_of = np.array([(k * 7) % 3 if k % 5 else -1 for k in range(40)])  # some rows without an article
    serial = score._offtopic_scores(offtopic, texts, article_of, ARTICLES, None, n_jobs=1)
    parallel = score._offtopic_scores(offtopic, texts, article_of, ARTICLES, None, n_jobs=2)
    np.testing.assert_allclose(parallel, serial)
    assert np.isnan(serial[article_of < 0]).all() and not np.isnan(serial[article_of >= 0]).any()


@pytest.fixture()
def parallel_rounds(monkeypatch):
    """A list that gets one item per ``joblib.Parallel`` round run from here on."""
    import joblib

    rounds = []

    class CountingParallel(joblib.Parallel):
        def __call__(self, iterable):
            rounds.append(1)
            return super().__call__(iterable)

    monkeypatch.setattr(joblib, "Parallel", CountingParallel)
    return rounds


def test_incivility_and_off_topic_share_one_round_of_workers(fake_model, offtopic, monkeypatch, parallel_rounds):
    """With many rows, each worker scores its share for both models in one round; the scores
    equal one process's, with and without an article, blank texts included."""
    from moderate import score

    monkeypatch.setattr(score, "PARALLEL_MIN_TEXTS", 10)
    n = 41
    texts = [COMMENTS[k % 3] + f" ({k})" if k % 11 else "  " for k in range(n)]
    bodies = [ARTICLES[(k * 7) % 3][1] if k % 5 else None for k in range(n)]  # some rows without an article
    frame = pd.DataFrame({"text": texts, "article": bodies})
    serial = score.score_frame(frame, model=fake_model, article_col="article", offtopic_model=offtopic, n_jobs=1)
    assert not parallel_rounds
    parallel = score.score_frame(frame, model=fake_model, article_col="article", offtopic_model=offtopic, n_jobs=2)
    assert len(parallel_rounds) == 1
    pd.testing.assert_frame_equal(parallel, serial)
    assert serial[OFF_TOPIC].notna().sum() == sum(1 for t, b in zip(texts, bodies) if t.strip() and b)
    # every row of one share without an article: that worker has no off-topic part
    first_half = frame.assign(article=[None] * 21 + bodies[21:])
    pd.testing.assert_frame_equal(
        score.score_frame(first_half, model=fake_model, article_col="article", offtopic_model=offtopic, n_jobs=2),
        score.score_frame(first_half, model=fake_model, article_col="article", offtopic_model=offtopic, n_jobs=1))


_WORDY = st.lists(st.sampled_from(["tram", "Tram", "line", "cake", "a", "I", "!", "?", "+1", "120", "ÉCOLE", "é",
                                   " ", "  ", "\t", "\n", "\u00a0", "-", "'s", ".", "x"]), max_size=30).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(_WORDY, st.text(max_size=40)), min_size=1, max_size=6))
def test_fast_counts_equal_scikit_learn_on_any_text(featurizer, texts):
    from moderate.offtopic.counts import NgramTable, word_ngram_counts
    from moderate.offtopic.model import TEXT_TOKENS
    from sklearn.feature_extraction.text import CountVectorizer

    got = featurizer._char_rows([t.lower() for t in texts])
    expected = featurizer.char_.transform(texts)
    np.testing.assert_array_equal(got.toarray(), expected.toarray())
    analyzer = featurizer.word_.build_analyzer()
    assert featurizer._batch(texts).content() == [analyzer(t) for t in texts]
    counter = CountVectorizer(token_pattern=TEXT_TOKENS, ngram_range=(1, 2)).fit(COMMENTS + ["tram line ! ? +1 a"])
    table = NgramTable(counter.vocabulary_)
    np.testing.assert_array_equal(word_ngram_counts(texts, TEXT_TOKENS, table).toarray(), counter.transform(texts).toarray())


_NAMEY = st.lists(st.sampled_from(["Anna", "anna", "AB", "Abc", "x", ".", "!", "?", " ", "  ", "\n", "\u00a0", "é",
                                   "À", "_", "1", "Ghi", "McDonald", "'"]), max_size=25).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(_NAMEY, st.text(max_size=40)))
def test_name_pattern_matches_the_plain_definition(text):
    """The reordered name regex (capital first, for speed) finds what the plain definition finds:
    capitalised words of 3+ letters that neither start the text nor follow a sentence end."""
    import re

    from moderate.offtopic.features import _NAME

    plain = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z]{2,}")
    assert _NAME.findall(text) == plain.findall(text)


# ----------------------------------------------------------------------- discussions


TRAM_TALK = ["The tram line will be noisy for the old town.", "120 million euros for a tram line is too much.",
             "A tram to the university, finally.", "The council should have asked residents about the tram."]


def test_topic_codes_are_those_transform_uses(featurizer):
    from moderate.offtopic.features import Discussion

    texts = TRICKY + TRAM_TALK
    X, codes = featurizer.transform(texts, [0] * len(texts), ARTICLES, return_codes=True)
    np.testing.assert_array_equal(codes, featurizer.topic_codes_of(texts))
    assert np.isnan(column(X, "cos_discussion")).all()  # no discussion given: each comment alone
    with_talk = featurizer.transform(texts, [0] * len(texts), ARTICLES, discussion=Discussion(np.zeros(len(texts), int)))
    others = [k for k in range(len(FEATURES)) if FEATURES[k] != "cos_discussion"]
    np.testing.assert_array_equal(with_talk[:, others], X[:, others])  # the other features do not change


def test_discussion_cosine_is_the_cosine_to_the_other_comments(featurizer):
    from moderate.offtopic.features import Discussion, _l2_rows

    texts = TRAM_TALK + [COMMENTS[1], COMMENTS[2]]
    of = np.array([0, 0, 0, 0, 1, -1])  # a discussion of four, one of one (alone), one outside any
    got = column(featurizer.transform(texts, [0] * 6, ARTICLES, discussion=Discussion(of)), "cos_discussion")
    V = _l2_rows(featurizer.svd_.transform(featurizer.word_.transform(texts)))
    for i in range(4):
        others = V[[j for j in range(4) if j != i]].sum(axis=0)
        expected = V[i] @ others / np.linalg.norm(others)
        assert got[i] == pytest.approx(expected, abs=1e-9)
    assert np.isnan(got[4]) and np.isnan(got[5])
    # a comment shown under another discussion (not one of its members) is compared with all of it
    copies = np.array([1, 1, 1, 1, 0, 0])
    moved = column(featurizer.transform(texts, [0] * 6, ARTICLES, discussion=Discussion(np.array([0, 0, 0, 0, 0, -1]),
                                                                                          copies=copies)), "cos_discussion")
    whole = V[:4].sum(axis=0)
    assert moved[4] == pytest.approx(V[4] @ whole / np.linalg.norm(whole), abs=1e-9)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.lists(st.integers(0, 12), min_size=1, max_size=4), seed=st.integers(0, 1000))
def test_discussion_sums_of_parts_add_up_exactly(featurizer, cut, seed):
    """Fixed-point sums: the discussions gathered chunk by chunk equal those of the whole input."""
    from moderate.offtopic.features import discussion_sums

    texts = (TRICKY + TRAM_TALK)[:13]
    of = np.random.default_rng(seed).integers(-1, 3, size=len(texts))
    codes = featurizer.topic_codes_of(texts)
    whole = discussion_sums(codes, of, 3)
    bounds = sorted({0, len(texts), *cut})
    parts = sum(discussion_sums(codes[lo:hi], of[lo:hi], 3) for lo, hi in zip(bounds[:-1], bounds[1:]))
    np.testing.assert_array_equal(parts, whole)
    assert whole[:, -1].sum() == (of >= 0).sum()


def test_copies_of_a_comment_do_not_agree_with_each_other(featurizer):
    """Spam posted three times is compared with the other comments only, as if posted once."""
    from moderate.offtopic.features import Discussion

    spam = "Cheap watches and casino bonus codes at www.example.com"
    once = featurizer.transform(TRAM_TALK + [spam], [0] * 5, ARTICLES, discussion=Discussion(np.zeros(5, int)))
    thrice = featurizer.transform(TRAM_TALK + [spam] * 3, [0] * 7, ARTICLES, discussion=Discussion(np.zeros(7, int)))
    k = FEATURES.index("cos_discussion")
    assert thrice[4, k] == pytest.approx(once[4, k], abs=1e-9)
    assert thrice[5, k] == thrice[6, k] == thrice[4, k]


def test_discussion_column_index_is_the_features():
    from moderate import score

    assert score._DISCUSSION_COLUMN == FEATURES.index("cos_discussion") == len(FEATURES) - 1


def _table(n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    texts = [(TRAM_TALK + COMMENTS + TRICKY[3:])[k % 16] + f" #{k}" for k in range(n)]
    return pd.DataFrame({"text": texts, "article_id": rng.choice(["a", "b", "c", "zzz"], size=n)})


def test_table_scores_do_not_depend_on_the_chunk_size(tmp_path, fake_model, offtopic, monkeypatch, parallel_rounds):
    """Each comment is judged with every comment of its story in the input (a first pass gathers
    the discussions), so scoring in chunks of 7 gives the scores of one chunk, and of score_frame."""
    from moderate import score
    from moderate.score import score_files, score_frame

    monkeypatch.setattr(score, "PARALLEL_MIN_TEXTS", 4)  # the parallel paths too
    arts = pd.DataFrame({"article_id": ["a", "b", "c"], "title": [a[0] for a in ARTICLES], "body": [a[1] for a in ARTICLES]})
    arts.to_csv(tmp_path / "arts.csv", index=False)
    frame = _table()
    frame.to_csv(tmp_path / "c.csv", index=False)
    runs = {}
    for chunk_size, jobs in ((7, 1), (1000, 1), (20, 2)):
        out = tmp_path / f"o{chunk_size}-{jobs}.csv"
        score_files([tmp_path / "c.csv"], out, model=fake_model, articles=tmp_path / "arts.csv",
                    offtopic_model=offtopic, chunk_size=chunk_size, n_jobs=jobs, progress=False)
        runs[chunk_size, jobs] = pd.read_csv(out)[OFF_TOPIC].to_numpy()
    # equal up to the last bit of the classifiers' floating-point sums (BLAS blocks by batch size)
    np.testing.assert_allclose(runs[7, 1], runs[1000, 1], rtol=1e-12)
    np.testing.assert_allclose(runs[20, 2], runs[7, 1], rtol=1e-12)
    assert parallel_rounds  # the chunks of 20 rows went through worker processes
    whole = score_frame(frame, model=fake_model, articles=arts, offtopic_model=offtopic, n_jobs=1)[OFF_TOPIC].to_numpy()
    np.testing.assert_allclose(whole, runs[7, 1], rtol=1e-12)
    assert np.isnan(whole[frame["article_id"].eq("zzz").to_numpy()]).all()


def test_the_discussion_is_used(fake_model, offtopic):
    """The same comments under the same story score differently alone and together."""
    from moderate.score import score_frame

    frame = pd.DataFrame({"text": TRAM_TALK + [COMMENTS[1]], "article": [ARTICLES[0][1]] * 5})
    together = score_frame(frame, model=fake_model, article_col="article", offtopic_model=offtopic)[OFF_TOPIC]
    alone = [score_frame(frame.iloc[[k]], model=fake_model, article_col="article", offtopic_model=offtopic)[OFF_TOPIC].iloc[0]
             for k in range(5)]
    assert not np.allclose(together.to_numpy(), alone)


def test_articles_with_the_same_text_are_separate_discussions(fake_model, offtopic):
    """With an articles table, the discussion is the article id's: two daily "Open thread" posts
    with the same title are two discussions; and repeated spam scores as if posted once."""
    from moderate.score import score_frame

    arts = {"d1": ("Open thread", ""), "d2": ("Open thread", "")}
    spam = "Cheap watches and casino bonus codes at www.example.com"
    frame = pd.DataFrame({"text": TRAM_TALK[:3] + [COMMENTS[1]], "article_id": ["d1", "d1", "d1", "d2"]})
    together = score_frame(frame, model=fake_model, articles=arts, offtopic_model=offtopic)[OFF_TOPIC]
    alone = score_frame(frame.iloc[[3]], model=fake_model, articles=arts, offtopic_model=offtopic)[OFF_TOPIC]
    assert together.iloc[3] == pytest.approx(alone.iloc[0], abs=1e-12)  # d2's comment has no other comment
    base = pd.DataFrame({"text": TRAM_TALK, "article": [ARTICLES[0][1]] * 4})
    scores = [score_frame(pd.concat([base, pd.DataFrame({"text": [spam] * k, "article": [ARTICLES[0][1]] * k})],
                                    ignore_index=True), model=fake_model, article_col="article",
                          offtopic_model=offtopic)[OFF_TOPIC].iloc[4] for k in (1, 5)]
    assert scores[1] == pytest.approx(scores[0], abs=1e-9)


def test_pages_keep_their_discussions_apart():
    """Two pages with the same article: each page's comments are one discussion."""
    from types import SimpleNamespace

    from moderate.score import page_articles

    def page(n, about=None):
        comments = [SimpleNamespace(text=f"c{k}", about=about if k == 0 else None, reply_to=None) for k in range(n)]
        return SimpleNamespace(article={"title": "T", "body": "B"}, comments=comments)

    article_of, distinct, parents, discussion_of = page_articles([page(2), page(3, about="Other story")])
    assert distinct == [("T", "B"), ("Other story", "")]
    assert article_of.tolist() == [0, 0, 1, 0, 0]
    assert discussion_of.tolist() == [0, 0, 1, 2, 2]


def test_a_model_fitted_before_the_discussion_still_scores(fake_model):
    """Model folders saved before cos_discussion existed (35 features) load and score as before."""
    from pathlib import Path

    from moderate.offtopic.load import load_offtopic
    from moderate.score import score_frame, uses_discussion

    old = Path(__file__).resolve().parents[2] / "models" / "offtopic" / "offtopic-20261122-492d6e72"
    if not old.exists():
        pytest.skip("no pre-discussion model folder in this checkout")
    model = load_offtopic(old)
    assert not uses_discussion(model) and model.estimator.featurizer.n_features_out_ == len(FEATURES) - 1
    frame = pd.DataFrame({"text": TRAM_TALK, "article": [ARTICLES[0][1]] * 4})
    out = score_frame(frame, model=fake_model, article_col="article", offtopic_model=model)
    assert out[OFF_TOPIC].between(0, 1).all()


# ----------------------------------------------------------------------- fast paths against plain definitions
# RelevanceFeaturizer.transform reads the comments of a call once, together (features._Batch): one
# tokenisation into integer ids, then array operations and one pass of each regex over all
# comments. These tests pin each fast path to the plain per-comment definition it replaces.

_PIECES = ["The", "tram", "line", "Council", "council", "voted", "on Tuesday to build a tram line from the station",
           "120", "1,200", "2027", "3.5", "million", "euros", "Residents", "McDonald", "Anna", "ABC", "I agree",
           "nice post", "Thanks for sharing", "thanks", "+1", "buy", "cheap", "lol", "you", "your", "u", "@", "?",
           "!", ".", ". ", "! ", " ", "  ", "\n", "\t", "\u00a0", "\u2028", "\x1c", "\x00", "-", "'s", "_", "É",
           "école", "Σ", "ΑΣ", "İ", "ß", "ǅ", "\u0307", "日本", "www.example.com", "http://x.org/a", "see.ıo",
           "x.co.uk", "a", "x"]
_COMMENTS = st.lists(st.sampled_from(_PIECES), max_size=25).map("".join)
_ARTICLES_AND_MORE = ARTICLES + [("Only a title", ""), (None, "Tram line 120. Council"), ("", "")]


def _plain_lexical(featurizer, text: str, view) -> list[float]:
    """The lexical columns of one comment, computed alone with strings (the definition)."""
    import math

    from moderate.offtopic.features import _LINK, _LINK_HINT, _NAME, _NUMBER, _RAW_TOKEN, _YOU, _Phrases

    raw = _RAW_TOKEN.findall(text.lower())
    stop = featurizer.word_.get_stop_words()
    content = [w for w in raw if len(w) > 1 and w not in stop]
    rare = [w for w in content if featurizer.is_rare(w)]
    tokens = view.tokens
    names = [m.lower() for m in _NAME.findall(text)]
    numbers = [m.replace(",", "") for m in _NUMBER.findall(text)]
    grams = list(zip(raw, raw[1:], raw[2:], raw[3:], raw[4:]))
    letters, caps = sum(map(str.isalpha, text)), sum(map(str.isupper, text))
    generic, covered = _Phrases(featurizer.generic_).count(raw, text)
    nan = math.nan
    return [
        sum(w in tokens for w in content) / len(content) if content else nan,
        sum(w in tokens for w in rare) / len(rare) if rare else nan,
        sum(w in tokens for w in rare),
        sum(w in tokens for w in names) / len(names) if names else nan,
        len(names),
        sum(w in view.numbers for w in numbers),
        sum(hash(g) in view.grams for g in grams) / len(grams) if grams else 0.0,
        math.log1p(len(text)),
        math.log1p(len(content)),
        len(_LINK.findall(text)) if _LINK_HINT.search(text.lower()) else 0,
        _Phrases(featurizer.promo_).count(raw, text)[0],
        generic,
        covered / max(1, len(text.strip())),
        text.count("?"),
        text.count("!"),
        caps / letters if letters else 0.0,
        sum(w in _YOU for w in raw) / max(1, len(raw)),
        float(text.lstrip().startswith("@")),
        letters / max(1, len(text)),
        view.log_words,
        view.has_body,
    ]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(_COMMENTS, st.text(max_size=40)), min_size=1, max_size=8), data=st.data())
def test_lexical_features_equal_the_plain_definition(featurizer, texts, data):
    """Every lexical column of transform equals the comment's own computation, bit for bit,
    whatever the texts (NUL in a comment takes the slower path of splitting)."""
    from moderate.offtopic.features import _LEXICAL

    article_of = data.draw(st.lists(st.integers(0, len(_ARTICLES_AND_MORE) - 1), min_size=len(texts),
                                    max_size=len(texts)))
    got = featurizer.transform(texts, article_of, _ARTICLES_AND_MORE)
    views = featurizer._prepare(_ARTICLES_AND_MORE)
    expected = np.array([_plain_lexical(featurizer, t, views[a]) for t, a in zip(texts, article_of)], dtype=float)
    np.testing.assert_array_equal(got[:, [FEATURES.index(name) for name in _LEXICAL]], expected)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(_COMMENTS, st.text(max_size=30)), max_size=6))
def test_batch_reads_what_each_text_alone_gives(featurizer, texts):
    """A batch's words and tokens are those of each lower-cased text alone (``str.split``,
    ``\\w+`` runs), whether the joined text is split once or each text alone (a NUL in one)."""
    from moderate.offtopic.features import _RAW_TOKEN, _SEP

    batch = featurizer._batch(texts)
    words = {w: k for w, k in batch.table.word_ids.items()}
    by_id = {k: w for w, k in words.items()}
    for i, text in enumerate(texts):
        assert [by_id[k] for k in batch.words[batch.word_ptr[i]:batch.word_ptr[i + 1]].tolist()] == text.lower().split()
        assert [batch.table.tokens[k] for k in batch.tokens[batch.token_ptr[i]:batch.token_ptr[i + 1]].tolist()] \
            == _RAW_TOKEN.findall(text.lower())
        assert batch.joined[batch.starts[i]:batch.ends[i]] == text
    assert (batch.token_text == np.repeat(np.arange(len(texts)), np.diff(batch.token_ptr))).all()
    if batch.lowered is not None:  # lower-casing the joined texts lower-cases each one alone
        assert batch.lowered == _SEP.join(t.lower() for t in texts)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(_COMMENTS, st.text(max_size=40)))
def test_fast_number_pattern_matches_the_plain_one(text):
    from moderate.offtopic.features import _NUMBER, _NUMBER_FAST

    assert [m.span() for m in _NUMBER_FAST.finditer(text)] == [m.span() for m in _NUMBER.finditer(text)]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(_COMMENTS, st.text(max_size=30)), min_size=1, max_size=6))
def test_phrases_of_a_batch_are_those_of_each_text(featurizer, texts):
    from moderate.offtopic.features import _RAW_TOKEN, _Phrases

    phrases = _Phrases(["nice post", "thanks for sharing", "thanks", "+1", "i agree", "tram line", "line",
                        "the tram line will", "a b"])
    hits, covered = phrases.count_batch(featurizer._batch(texts))
    expected = [phrases.count(_RAW_TOKEN.findall(t.lower()), t) for t in texts]
    assert list(zip(hits.tolist(), covered.tolist())) == expected


def test_letters_and_capitals_count_every_character(featurizer):
    from moderate.offtopic.features import _letters_and_capitals

    texts = ["", "Abc", "ÀÉ ü \ud800 x", "Ⅷ ǅ İ ß", "\x00A", "日本 ABC"]
    letters, caps = _letters_and_capitals(featurizer._batch(texts))
    assert letters.tolist() == [sum(map(str.isalpha, t)) for t in texts]
    assert caps.tolist() == [sum(map(str.isupper, t)) for t in texts]


def _sparse(rng, rows, cols, density=0.3):
    import scipy.sparse as sp

    X = sp.random(rows, cols, density=density, format="csr", dtype=np.float32, random_state=rng)
    X.data[:] = rng.random(X.nnz).astype(np.float32)
    return X


@pytest.mark.parametrize("group_columns", [1 << 23, 12])  # all articles in one product; two or so per product
def test_pair_dots_and_passages_equal_a_product_per_article(monkeypatch, group_columns):
    """The sums per (comment, article) pair are the very float32 sums of a product per article."""
    from types import SimpleNamespace

    from moderate.offtopic import features as F

    monkeypatch.setattr(F, "GROUP_COLUMNS", group_columns)
    rng = np.random.default_rng(0)
    C, A = _sparse(rng, 60, 7), _sparse(rng, 9, 7)
    which = rng.integers(0, 9, size=60)
    expected = np.array([(C[i] @ A[which[i]].toarray().ravel())[0] for i in range(60)])
    np.testing.assert_array_equal(F._pair_dots(C, A, which), expected)
    views = [SimpleNamespace(passages=_sparse(rng, int(rng.integers(1, 4)), 7)) for _ in range(9)]
    expected = np.array([(C[i] @ views[which[i]].passages.T).toarray().max() for i in range(60)])
    np.testing.assert_array_equal(F._best_passages(C, which, views), expected)


def test_dense_products_and_ranks_equal_the_plain_ones():
    from moderate.offtopic.features import _dense_product, _rank

    rng = np.random.default_rng(1)
    X, R = _sparse(rng, 300, 40, 0.2), _sparse(rng, 40, 25, 0.3)
    reference = _dense_product(X, R)
    np.testing.assert_array_equal(reference, (X @ R).toarray())
    own = reference[np.arange(300), rng.integers(0, 25, size=300)].astype(np.float64)
    own[::3] += 5e-7  # ties within the tolerance
    for ref in (reference, reference.astype(np.float64)):
        plain = (ref < own[:, None] - 1e-6).mean(axis=1) + (np.abs(ref - own[:, None]) <= 1e-6).mean(axis=1) / 2
        np.testing.assert_array_equal(_rank(own, ref, chunk=64), plain)


def test_features_do_not_depend_on_the_table_starting_afresh(featurizer, monkeypatch):
    """The word and token ids are a cache: a table restarted between (or before) calls, and
    articles prepared under an earlier table, give the same features."""
    from moderate.offtopic import features as F

    texts = TRICKY + TRAM_TALK
    article_of = [k % 3 for k in range(len(texts))]
    before = featurizer.transform(texts, article_of, ARTICLES)
    monkeypatch.setattr(F, "CHAR_CACHE_WORDS", 5)  # every call starts a new table
    for _ in range(2):
        again = featurizer.transform(texts, article_of, ARTICLES)
        np.testing.assert_array_equal(again, before)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(_COMMENTS, st.text(max_size=30)), min_size=1, max_size=6))
def test_pattern_tokens_of_a_batch_are_those_of_each_text(featurizer, texts):
    """The comment-only model's tokens read off a batch are ``findall`` on each lower-cased text."""
    import re

    from moderate.offtopic.model import TEXT_TOKENS

    batch = featurizer.read(texts)
    ids, text_of = batch.pattern_tokens(TEXT_TOKENS)
    got = [[batch.table.tokens[k] for k in ids[text_of == i].tolist()] for i in range(len(texts))]
    assert got == [re.findall(TEXT_TOKENS, t.lower()) for t in texts]


def test_reading_the_comments_once_gives_the_same_probabilities(offtopic):
    """features_and_text (one reading for the features and the comment-only part) against the
    two parts computed alone, on the shipped model."""
    estimator = offtopic.estimator
    texts = COMMENTS + TRICKY + ["Great post!! Really?", "why ? ! why", "a\x00b !", "Σ! ??"]
    article_of = [k % len(ARTICLES) for k in range(len(texts))]
    X, codes, text_p = estimator.features_and_text(texts, article_of, ARTICLES)
    expected_X, expected_codes = estimator.features(texts, article_of, ARTICLES, None, None, True)
    np.testing.assert_array_equal(X, expected_X)
    np.testing.assert_array_equal(codes, expected_codes)
    np.testing.assert_array_equal(text_p, estimator.text_proba(texts))
    assert text_p.min() < text_p.max()  # the comment-only part is not constant here

