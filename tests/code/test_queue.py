"""moderate.queue (select, build_queue, labelstudio_tasks) and ``moderate queue`` through cli.main."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moderate import cli
from moderate import queue as q
from moderate.errors import InputError
from moderate.schema import LABELS

THRESHOLDS = {label: {"review": 0.5, "reject": 0.9} for label in ("a", "b", "c")}


def distinct_texts(count: int) -> list[str]:
    """Texts sharing no word at all, so no two are near-duplicates."""
    return [f"alpha{i} bravo{i} charlie{i}" for i in range(count)]


def one_label(probs: list[float]) -> np.ndarray:
    return np.asarray(probs, dtype=float)[:, None]


# --------------------------------------------------------------------------- select


def test_margin_is_zero_at_the_threshold_and_grows_away_from_it() -> None:
    m = q.margins(np.array([[0.5], [0.6], [0.9], [np.nan]]), [0.5])[:, 0]
    assert m[0] == pytest.approx(0.0)
    assert 0 < m[1] < m[2]
    assert m[3] == np.inf


def test_picks_are_the_most_uncertain() -> None:
    probs = one_label([0.01, 0.48, 0.99, 0.2, 0.53, 0.7])
    picks = q.select(distinct_texts(6), probs, ["a"], THRESHOLDS, n=3)
    assert picks["row"].tolist() == [1, 4, 5]
    assert list(picks.columns) == list(q.SELECT_COLUMNS)
    assert picks["margin"].is_monotonic_increasing
    assert picks["why"][0].startswith("a 0.48, just below its review threshold 0.50")


def test_labels_are_spread_round_robin() -> None:
    # label a is the most uncertain everywhere; b and c must still get their share
    rng = np.random.default_rng(0)
    probs = np.column_stack([np.full(30, 0.5) + rng.uniform(0, 0.01, 30),
                             rng.uniform(0.6, 0.9, 30), rng.uniform(0.6, 0.9, 30)])
    picks = q.select(distinct_texts(30), probs, ["a", "b", "c"], THRESHOLDS, n=9)
    assert picks["picked_for"].tolist() == ["a", "b", "c"] * 3
    assert picks["row"].is_unique
    b_rows = picks.loc[picks["picked_for"] == "b", "row"].tolist()
    remaining = [r for r in np.argsort(np.abs(probs[:, 1] - 0.5)) if r not in picks["row"].tolist()]
    # b's picks are no less uncertain than any row left unpicked
    assert max(abs(probs[b_rows, 1] - 0.5)) <= min(abs(probs[remaining, 1] - 0.5))


def test_exact_duplicates_collapse_and_are_counted() -> None:
    texts = ["You idiot!", "you IDIOT", "alpha bravo", "You... idiot"]
    picks = q.select(texts, one_label([0.5, 0.5, 0.9, 0.5]), ["a"], THRESHOLDS, n=10)
    assert picks["row"].tolist() == [0, 2]
    assert picks["duplicates"].tolist() == [3, 1]


def test_near_duplicates_are_skipped() -> None:
    texts = [
        "the council budget for the new parks is a disgrace and a waste",
        "the council budget for the new parks is a disgrace and a waste of time",
        "lovely photos of the harbour at sunset",
    ]
    picks = q.select(texts, one_label([0.5, 0.51, 0.7]), ["a"], THRESHOLDS, n=3)
    assert picks["row"].tolist() == [0, 2]
    # with the check off (cosine must be exactly 1) both are picked
    loose = q.select(texts, one_label([0.5, 0.51, 0.7]), ["a"], THRESHOLDS, n=3, similarity=1.0)
    assert loose["row"].tolist() == [0, 1, 2]


def test_group_cap_holds() -> None:
    groups = [i % 10 for i in range(100)]
    probs = one_label(list(np.linspace(0.45, 0.55, 100)))
    picks = q.select(distinct_texts(100), probs, ["a"], THRESHOLDS, n=20, groups=groups, max_group_share=0.1)
    counts = pd.Series([groups[r] for r in picks["row"]]).value_counts()
    assert len(picks) == 20 and counts.max() <= q.group_cap(20, 0.1) == 2
    assert picks.attrs["relaxed"] is False


def test_group_cap_is_relaxed_when_it_leaves_too_few() -> None:
    groups = ["t1"] * 8 + ["t2"] * 8
    picks = q.select(distinct_texts(16), one_label([0.5] * 16), ["a"], THRESHOLDS, n=10, groups=groups)
    assert len(picks) == 10
    assert picks.attrs["relaxed"] is True
    # the first picks respect the cap of one per group
    assert [groups[r] for r in picks["row"][:2]] == ["t1", "t2"]


def test_n_larger_than_input_picks_everything_distinct() -> None:
    picks = q.select(distinct_texts(4) + ["alpha0 bravo0 charlie0"], one_label([0.1, 0.3, 0.6, 0.9, 0.1]),
                     ["a"], THRESHOLDS, n=50)
    assert sorted(picks["row"]) == [0, 1, 2, 3]


def test_select_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="shape"):
        q.select(["x", "y"], one_label([0.5]), ["a"], THRESHOLDS, n=1)
    with pytest.raises(ValueError, match="review threshold"):
        q.select(["x"], one_label([0.5]), ["zzz"], THRESHOLDS, n=1)
    with pytest.raises(ValueError, match="similarity"):
        q.select(["x"], one_label([0.5]), ["a"], THRESHOLDS, n=1, similarity=0)


def test_seed_breaks_ties_but_is_reproducible() -> None:
    texts = distinct_texts(50)
    probs = one_label([0.5] * 50)
    by_order = q.select(texts, probs, ["a"], THRESHOLDS, n=5)
    assert by_order["row"].tolist() == [0, 1, 2, 3, 4]
    seeded = q.select(texts, probs, ["a"], THRESHOLDS, n=5, seed=3)
    assert seeded["row"].tolist() == q.select(texts, probs, ["a"], THRESHOLDS, n=5, seed=3)["row"].tolist()
    assert seeded["row"].tolist() != by_order["row"].tolist()


# --------------------------------------------------------------------------- build_queue


WORDS = ["idiot", "crap", "kill", "immigrants", "stupid", "shit", "council", "park", "budget", "bus"]


def dump(count: int, seed: int = 0) -> pd.DataFrame:
    """Comments for the fake model: a mix of trigger and plain words, some repeated, some blank."""
    rng = np.random.default_rng(seed)
    texts: list[str | None] = []
    for i in range(count):
        if i % 17 == 0:
            texts.append(texts[-1] if texts else "first")  # exact duplicate of the previous row
        elif i % 23 == 0:
            texts.append("   " if i % 2 else None)
        else:
            words = rng.choice(WORDS, size=rng.integers(1, 4)).tolist()
            texts.append(" ".join(words) + f" w{i}x" + "!" * int(rng.integers(0, 6)))
    return pd.DataFrame({"comment_id": [f"c{i}" for i in range(count)],
                         "thread_id": [f"t{i % 13}" for i in range(count)],
                         "text": texts})


@pytest.fixture
def dump_csv(tmp_path: Path) -> Path:
    path = tmp_path / "dump.csv"
    dump(400).to_csv(path, index=False)
    return path


def test_build_queue_counts_and_columns(dump_csv: Path, fake_model) -> None:
    picks, summary = q.build_queue([dump_csv], n=15, model=fake_model, group_col="thread_id", n_jobs=1)
    frame = dump(400)
    blank = frame["text"].isna() | (frame["text"].fillna("").str.strip() == "")
    assert summary["rows_read"] == 400
    assert summary["rows_skipped"] == int(blank.sum()) > 0
    assert summary["rows_scored"] == 400 - int(blank.sum())
    assert summary["picks"] == len(picks) == 15
    assert set(summary["picks_per_label"]) == set(LABELS) and all(summary["picks_per_label"].values())
    assert list(picks.columns[:6]) == ["queue_rank", "picked_for", "why", "margin", "duplicates", "text"]
    assert {"comment_id", "thread_id", "input_file", "input_row", *LABELS, "model_id"} <= set(picks.columns)
    assert picks["queue_rank"].tolist() == list(range(1, 16))
    # the text, id and scores belong to the same input row
    rows = frame.loc[picks["input_row"]]
    assert rows["text"].tolist() == picks["text"].tolist()
    assert rows["comment_id"].tolist() == picks["comment_id"].tolist()
    assert np.allclose(fake_model.predict_proba(picks["text"].tolist()), picks[list(LABELS)].to_numpy())
    assert picks["thread_id"].value_counts().max() <= q.group_cap(15, 0.1)


def test_chunked_run_equals_one_chunk_run_with_bounded_pools(
    dump_csv: Path, fake_model, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(q, "MIN_POOL", 6)
    monkeypatch.setattr(q, "POOL_FACTOR", 2)  # pools of max(2n, 6): far fewer than the rows
    n = 8
    whole, whole_summary = q.build_queue([dump_csv], n=n, model=fake_model, chunk_size=10_000, n_jobs=1)
    chunked, chunked_summary = q.build_queue([dump_csv], n=n, model=fake_model, chunk_size=7, n_jobs=1)
    pd.testing.assert_frame_equal(whole, chunked)
    assert whole_summary["candidates"] == chunked_summary["candidates"] <= q.pool_size(n) * len(LABELS)
    # and the streamed pools hold what select would keep from the whole dump in memory
    frame = dump(400)
    texts = [t for t in frame["text"] if isinstance(t, str) and t.strip()]
    direct = q.select(texts, fake_model.predict_proba(texts), LABELS, fake_model.thresholds, n)
    assert direct["why"].tolist() == whole["why"].tolist()
    assert direct["duplicates"].tolist() == whole["duplicates"].tolist()
    seeded = [q.build_queue([dump_csv], n=n, model=fake_model, chunk_size=size, seed=1, n_jobs=1)[0]
              for size in (7, 10_000)]
    pd.testing.assert_frame_equal(*seeded)


def test_build_queue_label_subset(dump_csv: Path, fake_model) -> None:
    picks, summary = q.build_queue([dump_csv], n=6, model=fake_model, labels=["threat", "obscene"], n_jobs=1)
    assert set(picks["picked_for"]) == {"threat", "obscene"}
    assert summary["picks_per_label"] == {"threat": 3, "obscene": 3}
    with pytest.raises(InputError, match="unknown label"):
        q.build_queue([dump_csv], n=6, model=fake_model, labels=["rudeness"])


def test_build_queue_missing_columns(tmp_path: Path, fake_model) -> None:
    path = tmp_path / "c.csv"
    pd.DataFrame({"body_text": ["hello"], "thread": ["t"]}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"c\.csv: no text column found"):
        q.build_queue([path], model=fake_model)
    with pytest.raises(InputError, match="no column.*'thread_id'"):
        q.build_queue([path], model=fake_model, text_col="body_text", group_col="thread_id")


# --------------------------------------------------------------------------- Label Studio


def test_labelstudio_tasks_shape(dump_csv: Path, fake_model) -> None:
    picks, _summary = q.build_queue([dump_csv], n=5, model=fake_model, n_jobs=1)
    tasks = q.labelstudio_tasks(picks, "text", LABELS, fake_model.thresholds, "fake-0")
    json.dumps(tasks)  # serialisable
    assert len(tasks) == 5
    for task, (_, pick) in zip(tasks, picks.iterrows()):
        assert task["data"] == {"text": pick["text"], "comment_id": pick["comment_id"]}
        assert task["meta"] == {"queue_rank": pick["queue_rank"], "picked_for": pick["picked_for"], "why": pick["why"]}
        (prediction,) = task["predictions"]
        assert prediction["model_version"] == "fake-0"
        assert 0 < prediction["score"] <= 1
        (result,) = prediction["result"]
        assert (result["from_name"], result["to_name"], result["type"]) == ("incivility", "text", "choices")
        expected = [label for label in LABELS if pick[label] >= 0.5] or ["none"]
        assert result["value"]["choices"] == expected


# --------------------------------------------------------------------------- CLI


def test_cli_end_to_end(dump_csv: Path, tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, ls = tmp_path / "to_label.csv", tmp_path / "to_label.json"
    code = cli.main(["queue", str(dump_csv), "--n", "12", "-o", str(out), "--labelstudio", str(ls),
                     "--model", str(tiny_model_dir), "--group-col", "thread_id", "--jobs", "1", "--no-progress"])
    assert code == 0
    picks = pd.read_csv(out)
    assert len(picks) == 12 and picks["queue_rank"].tolist() == list(range(1, 13))
    assert (picks["model_id"] == "tiny-0").all()
    tasks = json.loads(ls.read_text(encoding="utf-8"))
    assert [t["data"]["comment_id"] for t in tasks] == picks["comment_id"].tolist()
    err = capsys.readouterr().err
    assert "read 400 rows" in err and "picked 12" in err and str(out) in err


def test_cli_n_larger_than_input_says_so(tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, out = tmp_path / "few.jsonl", tmp_path / "q.parquet"
    pd.DataFrame({"text": ["you idiot", "nice park", "", "what a load of crap"]}).to_json(src, orient="records", lines=True)
    assert cli.main(["queue", str(src), "--n", "50", "-o", str(out), "--model", str(tiny_model_dir), "--no-progress"]) == 0
    assert len(pd.read_parquet(out)) == 3
    assert "only 3 of the 50 requested" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("table", "extra", "message"),
    [
        (pd.DataFrame({"body_text": ["hi"]}), [], "no text column found"),
        (pd.DataFrame({"text": ["hi"]}), ["--text-col", "comment"], "no column 'comment'"),
        (pd.DataFrame({"text": pd.Series([], dtype=str)}), [], "nothing to queue: the input has no rows"),
        (pd.DataFrame({"text": ["", " "]}), [], "all with blank or missing text"),
    ],
)
def test_cli_errors_are_one_line(
    table: pd.DataFrame, extra: list[str], message: str, tmp_path: Path, tiny_model_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "q.csv"
    table.to_csv(src, index=False)
    code = cli.main(["queue", str(src), "-o", str(out), "--model", str(tiny_model_dir), "--no-progress", *extra])
    assert code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("moderate queue: error: ")
    assert message in lines[0]
    assert not out.exists()


# --------------------------------------------------------------------------- already labelled, random sample


def dump_keys(frame: pd.DataFrame) -> list[str]:
    """The dedup key of every row with text, in order."""
    from moderate.corpora import normalise_key

    return [normalise_key(t) for t in frame["text"] if isinstance(t, str) and t.strip()]


def write_label_file(path: Path, texts: list[str]) -> Path:
    """A label CSV for ``texts``, shouted and with extra punctuation: only their normalised keys match."""
    pd.DataFrame({"text": [t.upper() + " ?!" for t in texts], "toxicity": [0] * len(texts)}).to_csv(path, index=False)
    return path


def test_select_never_picks_excluded_keys() -> None:
    texts = distinct_texts(6)
    probs = one_label([0.5, 0.52, 0.9, 0.2, 0.49, 0.7])
    assert q.select(texts, probs, ["a"], THRESHOLDS, n=2)["row"].tolist() == [0, 4]
    exclude = {"alpha0 bravo0 charlie0", "alpha4 bravo4 charlie4"}
    picks = q.select(texts + ["ALPHA0, bravo0 charlie0!"], one_label([0.5, 0.52, 0.9, 0.2, 0.49, 0.7, 0.5]),
                     ["a"], THRESHOLDS, n=2, exclude_keys=exclude)
    assert picks["row"].tolist() == [1, 5]
    assert picks.attrs["excluded"] == 3  # both copies of text 0, and text 4


def test_build_queue_skips_labelled_texts(dump_csv: Path, fake_model, tmp_path: Path) -> None:
    from moderate.retrain.labelfile import read_label_file

    first, _ = q.build_queue([dump_csv], n=15, model=fake_model, n_jobs=1)
    keys = set(read_label_file(write_label_file(tmp_path / "l.csv", first["text"].tolist())).rows["key"])
    again, summary = q.build_queue([dump_csv], n=15, model=fake_model, n_jobs=1, exclude_keys=keys, chunk_size=50)
    assert len(again) == 15
    assert not set(dump_keys(again)) & keys
    expected = sum(key in keys for key in dump_keys(dump(400)))
    assert summary["rows_labelled"] == expected >= 15
    assert summary["rows_scored"] + summary["rows_labelled"] + summary["rows_skipped"] == 400


def test_random_sample_is_seeded_distinct_and_chunk_independent(dump_csv: Path, fake_model) -> None:
    def sample(seed: int, chunk_size: int = 10_000, **kwargs) -> pd.DataFrame:
        return q.build_queue([dump_csv], n=20, model=fake_model, n_jobs=1, random_sample=True, seed=seed,
                             chunk_size=chunk_size, **kwargs)[0]

    picks = sample(0)
    assert len(picks) == 20 and len(set(dump_keys(picks))) == 20
    assert (picks["why"] == "random sample").all() and (picks["picked_for"] == "random").all()
    assert picks["queue_rank"].tolist() == list(range(1, 21))
    pd.testing.assert_frame_equal(picks, sample(0))
    pd.testing.assert_frame_equal(picks, sample(0, chunk_size=7))
    assert set(sample(1)["text"]) != set(picks["text"])
    # the sample is the 20 distinct keys with the smallest seeded hash; duplicates are counted
    frame = dump(400)
    counts = Counter(dump_keys(frame))
    expected = sorted(counts, key=lambda key: (q.seeded_tie(key, 0), key))[:20]
    assert dump_keys(picks) == expected
    assert picks["duplicates"].tolist() == [counts[key] for key in expected]
    rows = frame.loc[picks["input_row"]]
    assert rows["text"].tolist() == picks["text"].tolist()
    assert np.allclose(fake_model.predict_proba(picks["text"].tolist()), picks[list(LABELS)].to_numpy())
    # labelled texts are skipped before sampling
    skipped = set(expected[:5])
    without = sample(0, chunk_size=7, exclude_keys=skipped)
    assert dump_keys(without) == sorted(set(counts) - skipped, key=lambda key: (q.seeded_tie(key, 0), key))[:20]


def models_with_site_labels(tmp_path: Path, tiny_model_dir: Path, texts: list[str]) -> Path:
    """``tmp_path/models`` with CURRENT -> a copy of the tiny model whose site labels hold ``texts``."""
    import shutil

    from moderate.retrain.labelfile import read_label_file
    from moderate.retrain.run import SITE_LABELS_NAME, _site_labels_bytes

    models = tmp_path / "models"
    shutil.copytree(tiny_model_dir, models / "tiny-0")
    (models / "CURRENT").write_text("tiny-0\n", encoding="utf-8")
    rows = read_label_file(write_label_file(tmp_path / "site.csv", texts)).rows
    (models / "tiny-0" / SITE_LABELS_NAME).write_bytes(_site_labels_bytes(rows))
    return models


def test_cli_skips_labelled_texts(dump_csv: Path, tiny_model_dir: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:

    base = ["queue", str(dump_csv), "--jobs", "1", "--no-progress"]
    out = tmp_path / "q.csv"
    assert cli.main([*base, "--n", "12", "-o", str(out), "--model", str(tiny_model_dir)]) == 0
    first = pd.read_csv(out)["text"].tolist()
    models = models_with_site_labels(tmp_path, tiny_model_dir, first[:6])
    labelled = write_label_file(tmp_path / "week1.csv", first[6:])
    site_keys, file_keys = set(dump_keys(pd.DataFrame({"text": first[:6]}))), set(dump_keys(pd.DataFrame({"text": first[6:]})))
    counts = Counter(dump_keys(dump(400)))
    capsys.readouterr()

    # default: site labels and --labelled files are skipped
    assert cli.main([*base, "--n", "12", "-o", str(out), "--model", str(models), "--labelled", str(labelled)]) == 0
    picks = pd.read_csv(out)
    assert len(picks) == 12 and not set(dump_keys(picks)) & (site_keys | file_keys)
    skipped = sum(counts[key] for key in site_keys | file_keys)
    assert f"skipped {skipped} comments already labelled (12 labelled texts from 1 --labelled file and site labels of tiny-0)" \
        in capsys.readouterr().err
    # every distinct text: the site-labelled ones are back with --include-labelled, never the --labelled ones
    for flags, absent in (([], site_keys | file_keys), (["--include-labelled"], file_keys)):
        assert cli.main([*base, "--random", "--n", "1000", "-o", str(out), "--model", str(models),
                         "--labelled", str(labelled), *flags]) == 0
        keys = set(dump_keys(pd.read_csv(out, keep_default_na=False)))
        assert keys == set(counts) - absent
        assert f"skipped {sum(counts[key] for key in absent)} comments already labelled" in capsys.readouterr().err


def test_cli_random_end_to_end(dump_csv: Path, tiny_model_dir: Path, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    out, ls = tmp_path / "r.csv", tmp_path / "r.json"
    args = ["queue", str(dump_csv), "--random", "--n", "10", "--model", str(tiny_model_dir), "--jobs", "1", "--no-progress"]
    assert cli.main([*args, "-o", str(out), "--labelstudio", str(ls)]) == 0
    picks = pd.read_csv(out)
    assert len(picks) == 10 and len(set(dump_keys(picks))) == 10
    assert (picks["why"] == "random sample").all() and picks["queue_rank"].tolist() == list(range(1, 11))
    assert (picks["model_id"] == "tiny-0").all()
    tasks = json.loads(ls.read_text(encoding="utf-8"))
    assert [t["data"]["comment_id"] for t in tasks] == picks["comment_id"].tolist()
    assert all(t["meta"]["why"] == "random sample" and 0 <= t["predictions"][0]["score"] <= 1 for t in tasks)
    err = capsys.readouterr().err
    assert "picked 10: a random sample (seed 0)" in err and str(ls) in err
    # the seed's default is 0, chunking does not matter, another seed gives another sample
    other = tmp_path / "r2.csv"
    assert cli.main([*args, "-o", str(other), "--seed", "0", "--chunk-size", "9"]) == 0
    pd.testing.assert_frame_equal(picks, pd.read_csv(other))
    assert cli.main([*args, "-o", str(other), "--seed", "5"]) == 0
    assert set(pd.read_csv(other)["text"]) != set(picks["text"])


def test_cli_everything_labelled_is_one_line_error(tmp_path: Path, tiny_model_dir: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "q.csv"
    pd.DataFrame({"text": ["you idiot", "nice park", "You IDIOT!"]}).to_csv(src, index=False)
    labelled = write_label_file(tmp_path / "l.csv", ["you idiot", "nice park"])
    code = cli.main(["queue", str(src), "-o", str(out), "--model", str(tiny_model_dir), "--no-progress",
                     "--labelled", str(labelled)])
    assert code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == ["moderate queue: error: nothing to queue: all 3 comments with text in the input are already labelled"]


def test_off_topic_queue_does_not_depend_on_the_chunk_size(tmp_path: Path, fake_model) -> None:
    """off_topic judges a comment with the other comments of its story: the queue gathers those
    discussions over the whole input first, so chunks (and the random sample) do not change it."""
    from moderate.offtopic.load import load_offtopic

    stories = ["The council voted to build a tram line to the university for 120 million euros.",
               "Melt the butter and chocolate, whisk in eggs and sugar, fold in flour and bake the cake."]
    frame = dump(60)
    frame["article"] = [stories[k % 2] for k in range(len(frame))]
    path = tmp_path / "dump.csv"
    frame.to_csv(path, index=False)
    offtopic = load_offtopic()
    runs = [q.build_queue([path], n=6, model=fake_model, chunk_size=size, n_jobs=1, article_col="article",
                          offtopic_model=offtopic, labels=["off_topic"])[0] for size in (10_000, 7)]
    assert runs[0]["text"].tolist() == runs[1]["text"].tolist()
    np.testing.assert_allclose(runs[0]["off_topic"].to_numpy(), runs[1]["off_topic"].to_numpy(), rtol=1e-12)
    samples = [q.build_queue([path], n=6, model=fake_model, chunk_size=size, n_jobs=1, article_col="article",
                             offtopic_model=offtopic, random_sample=True, seed=3)[0] for size in (10_000, 7)]
    np.testing.assert_allclose(samples[0]["off_topic"].to_numpy(), samples[1]["off_topic"].to_numpy(), rtol=1e-12)
