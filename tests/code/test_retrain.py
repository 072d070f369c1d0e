"""Retraining with a site's labels: label files, merge policy, comparison, registry, end to end."""

from __future__ import annotations

import json
import random
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moderate import corpora, history, registry
from moderate.cli import main
from moderate.errors import InputError, ModelError
from moderate.retrain.compare import MIN_CLASS, compare
from moderate.retrain.labelfile import read_label_file, sha256_of
from moderate.retrain.merge import MergePolicy, in_holdout, merge, resolve_duplicates
from moderate.schema import LABELS

#: Small vectorisers and two calibration folds: the same as conftest's tiny model (kept here because
#: test modules cannot import conftest when pytest runs without the checkout on sys.path).
TINY_PARAMS = {"word_min_df": 1, "char_min_df": 1, "word_max_features": 2000, "char_max_features": 2000,
               "calibration_folds": 2}

# --------------------------------------------------------------------------- label files


def test_table_values_reasons_and_unknown_columns(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(
        "text,toxicity,insult,off_topic,article_id,labeler,labeled_at,extra\n"
        "You are an idiot,1,yes,,,ann,2026-11-01,x\n"
        "Nice weather,0,,generic,a1,ann,2026-11-02,\n"
        ",1,,,,,,\n"
        "hmm,maybe,,,,,,\n"
        "ok then,,,on,,,,\n"
        "dated badly,1,,,,,notadate,\n"
        "two of three raters,0.66,,,,,,\n"
        "too big,2,,,,,,\n",
        encoding="utf-8",
    )
    got = read_label_file(path)
    rows, report = got.rows, got.report
    assert report.rows_read == 8 and report.rows_used == 3
    assert rows["toxicity"].tolist() == [1.0, 0.0, 0.66]
    assert rows["insult"].iloc[0] == 1.0 and np.isnan(rows["insult"].iloc[1])
    assert rows["off_topic"].iloc[1] == 1.0  # generic counts as off-topic
    assert rows["labeled_at"].iloc[0] == pd.Timestamp("2026-11-01", tz="UTC")
    assert report.skipped == {
        "empty text": 1, "toxicity: value is not 0/1 or a fraction in [0, 1]": 2,
        "no label value": 1, "labeled_at is not a date": 1,
    }
    assert report.notes["off_topic ignored: no article or article_id"] == 1
    assert report.unknown_columns == ["extra"]
    assert [line for line, _ in report.bad_rows] == [3, 4, 5, 6, 8]


def test_jsonl_and_parquet_read_alike(tmp_path: Path) -> None:
    frame = pd.DataFrame({"comment": ["a rude one", "a kind one"], "threat": [1, 0], "labeller": ["x", "y"]})
    frame.to_json(tmp_path / "l.jsonl", orient="records", lines=True)
    frame.to_parquet(tmp_path / "l.parquet")
    a = read_label_file(tmp_path / "l.jsonl").rows
    b = read_label_file(tmp_path / "l.parquet").rows
    assert a["threat"].tolist() == b["threat"].tolist() == [1.0, 0.0]
    assert a["labeler"].tolist() == ["x", "y"]


def test_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_label_file(tmp_path / "missing.csv")
    (tmp_path / "nolabels.csv").write_text("text,score\nhello,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="no label column"):
        read_label_file(tmp_path / "nolabels.csv")
    (tmp_path / "notext.csv").write_text("words,toxicity\nhello,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="no text column"):
        read_label_file(tmp_path / "notext.csv")
    (tmp_path / "bad.json").write_text('{"not": "tasks"}', encoding="utf-8")
    with pytest.raises(InputError, match="Label Studio"):
        read_label_file(tmp_path / "bad.json")


def _ls_task(text: str, annotations: list, **data) -> dict:
    return {"id": abs(hash(text)) % 1000, "data": {"text": text, **data}, "annotations": annotations}


def _choices(name: str, *values: str) -> dict:
    return {"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": list(values)}}


def test_labelstudio_export(tmp_path: Path) -> None:
    tasks = [
        _ls_task("you absolute clown", [{"completed_by": 3, "updated_at": "2026-11-03T10:00:00Z",
                                         "result": [_choices("incivility", "toxicity", "insult")]}]),
        _ls_task("buy cheap watches", [{"completed_by": {"email": "m@x.org"}, "created_at": "2026-11-04T10:00:00Z",
                                        "result": [_choices("incivility", "none"), _choices("off_topic", "off")]}],
                 article="A story about the harbour."),
        _ls_task("never looked at", []),
        _ls_task("cancelled", [{"was_cancelled": True, "result": [_choices("incivility", "threat")]}]),
        _ls_task("two people", [{"completed_by": 1, "result": [_choices("incivility", "obscene")]},
                                {"completed_by": 2, "result": [_choices("incivility", "none")]}]),
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    got = read_label_file(path)
    rows = got.rows.set_index("text")
    assert got.report.format == "labelstudio"
    assert rows.loc["you absolute clown", ["toxicity", "insult", "obscene"]].tolist() == [1.0, 1.0, 0.0]
    assert rows.loc["you absolute clown", "labeler"] == "3"
    assert rows.loc["buy cheap watches", LABELS[0]] == 0.0 and rows.loc["buy cheap watches", "off_topic"] == 1.0
    assert rows.loc["buy cheap watches", "labeler"] == "m@x.org"
    assert got.report.skipped["Label Studio task without an annotation"] == 2  # none, and only a cancelled one
    assert (got.rows["text"] == "two people").sum() == 2  # one row per annotation; the merge resolves them


def test_shipped_labelstudio_config_names_every_label() -> None:
    config = (Path(__file__).resolve().parents[2] / "data" / "labels" / "labelstudio" / "config.xml").read_text()
    for label in LABELS:
        assert f'value="{label}"' in config
    assert 'name="incivility"' in config and 'name="off_topic"' in config


# --------------------------------------------------------------------------- merge policy


def _rows(*records: dict) -> pd.DataFrame:
    from moderate.retrain.labelfile import LABEL_COLUMNS, ROW_COLUMNS

    out = []
    for i, r in enumerate(records):
        row = {c: None for c in ROW_COLUMNS}
        row.update({label: np.nan for label in LABEL_COLUMNS})
        row.update({"file": 0, "line": i + 1}, **r)
        row["key"] = corpora.normalise_key(row["text"])
        out.append(row)
    frame = pd.DataFrame(out, columns=list(ROW_COLUMNS))
    frame["labeled_at"] = pd.to_datetime(frame["labeled_at"], utc=True)
    return frame


def test_latest_label_wins_per_label() -> None:
    rows = _rows(
        {"text": "Same text", "toxicity": 1.0, "insult": 1.0, "labeled_at": "2026-11-02"},
        {"text": "same TEXT!", "toxicity": 0.0, "labeled_at": "2026-11-05"},
        {"text": "same text", "toxicity": 1.0},  # undated: older than any dated row
        {"text": "other", "toxicity": 1.0, "file": 0},
        {"text": "other", "toxicity": 0.0, "file": 1},  # same date (none): the later file wins
    )
    resolved, merged_away = resolve_duplicates(rows, "latest")
    got = resolved.set_index("key")
    assert merged_away == 3
    assert got.loc["same text", "toxicity"] == 0.0
    assert got.loc["same text", "insult"] == 1.0  # the only insult value is kept
    assert got.loc["other", "toxicity"] == 0.0


def test_majority_is_the_mean_of_votes() -> None:
    rows = _rows({"text": "x y", "toxicity": 1.0}, {"text": "x y", "toxicity": 1.0}, {"text": "x y", "toxicity": 0.0})
    resolved, _ = resolve_duplicates(rows, "majority")
    assert resolved["toxicity"].iloc[0] == pytest.approx(2 / 3)


def test_policy_checks_its_values() -> None:
    with pytest.raises(InputError, match="duplicate rule"):
        MergePolicy(duplicates="newest")
    with pytest.raises(InputError, match="held-out share"):
        MergePolicy(holdout_share=1.5)


def test_holdout_is_fixed_by_text_and_about_the_share() -> None:
    policy = MergePolicy(holdout_share=0.2)
    keys = [f"comment number {i}" for i in range(5000)]
    share = np.mean([in_holdout(k, policy) for k in keys])
    assert 0.18 < share < 0.22
    assert [in_holdout(k, policy) for k in keys[:50]] == [in_holdout(k, policy) for k in keys[:50]]
    assert np.mean([in_holdout(k, MergePolicy(holdout_share=0.5)) for k in keys]) > 0.45


def _corpus(texts_labels: list[tuple[str, float, str]]) -> pd.DataFrame:
    frame = pd.DataFrame({
        "source": "c3", "text": [t for t, _, _ in texts_labels],
        "key": [corpora.normalise_key(t) for t, _, _ in texts_labels],
        **{label: np.nan for label in LABELS}, "split": [s for _, _, s in texts_labels],
    })
    frame["toxicity"] = [y for _, y, _ in texts_labels]
    frame["insult"] = 0.0
    return frame


def test_merge_overrides_weights_and_guards_the_test_split() -> None:
    corpus = _corpus([("shared text", 1.0, "train"), ("plain", 0.0, "train"), ("a test text", 1.0, "test")])
    policy = MergePolicy(holdout_share=0.0001, site_weight=4.0)
    site = _rows({"text": "Shared text", "toxicity": 0.0}, {"text": "a test text", "toxicity": 0.0},
                 {"text": "brand new", "toxicity": 1.0})
    site = site[~site["key"].map(lambda k: in_holdout(k, policy))]
    out = merge(corpus, site, policy, pd.Series(1.0, index=corpus.index))
    train = out.train.set_index("key")
    assert train.loc["shared text", "toxicity"] == 0.0  # the site's value wins
    assert train.loc["shared text", "insult"] == 0.0  # the corpus keeps what the site did not give
    assert train.loc["shared text", "source"] == "site" and train.loc["shared text", "weight"] == 4.0
    assert train.loc["plain", "weight"] == 1.0
    assert "a test text" not in train.index and out.holdout["key"].tolist() == ["a test text"]
    assert out.stats["corpus_rows_replaced"] == 1 and out.stats["site_holdout_shipped_dev_test"] == 1


# --------------------------------------------------------------------------- comparison rule


def _frame(y: list[int]) -> pd.DataFrame:
    return pd.DataFrame({label: np.asarray(y, dtype=float) for label in LABELS})


def test_rule_promotes_only_a_real_improvement_without_test_drops() -> None:
    rng = np.random.default_rng(0)
    y = [0] * 40 + [1] * 40
    test = _frame(y)
    noise = rng.random((80, len(LABELS)))
    weak = noise * 0.5 + np.asarray(y)[:, None] * 0.3
    strong = noise * 0.4 + np.asarray(y)[:, None] * 0.6  # probabilities stay in [0, 1]
    good = compare(test, weak, weak, test, weak, strong)
    assert good["promote"] and good["holdout_mean"]["delta"] > 0
    worse_test = compare(test, strong, weak, test, weak, strong, tolerance=0.005)
    assert not worse_test["promote"] and any("drops" in r for r in worse_test["reasons"])
    assert compare(test, strong, weak, test, weak, strong, tolerance=1.0)["promote"]
    same = compare(test, weak, weak, test, weak, weak)
    assert not same["promote"]


def test_rule_needs_both_classes_on_the_holdout() -> None:
    test = _frame([0, 1] * 20)
    probs = np.tile(np.linspace(0, 1, 40)[:, None], (1, len(LABELS)))
    few = _frame([1] * (MIN_CLASS - 1) + [0] * 20)
    got = compare(test, probs, probs, few, probs[: len(few)], probs[: len(few)])
    assert not got["promote"] and "nothing shows an improvement" in got["reasons"][0]


# --------------------------------------------------------------------------- registry


def _folder(models_dir: Path, model_id: str, created: str) -> None:
    registry.save_model_folder(models_dir / model_id, {"not": "an estimator"},
                               {"model_id": model_id, "created": created, "labels": list(LABELS)})


def test_promote_and_rollback_walk_the_history(tmp_path: Path) -> None:
    for i, model_id in enumerate(("m-a", "m-b", "m-c")):
        _folder(tmp_path, model_id, f"2026-11-0{i + 1}")
    history.promote(tmp_path, "m-a", by="ann", reason="first")
    history.promote(tmp_path, "m-b", by="bob")
    history.promote(tmp_path, "m-c", by="cy")
    history.promote(tmp_path, "m-c", reason="again")  # a re-promotion is not a step to roll back to
    assert registry.current_model_id(tmp_path) == "m-c"
    event = history.rollback(tmp_path, by="di", reason="bad week")
    assert (event["model_id"], event["previous"], event["by"]) == ("m-b", "m-c", "di")
    assert registry.current_model_id(tmp_path) == "m-b"
    history.rollback(tmp_path)
    assert registry.current_model_id(tmp_path) == "m-a"
    with pytest.raises(ModelError, match="nothing to roll back to"):
        history.rollback(tmp_path)
    history.rollback(tmp_path, to="m-c")
    assert registry.current_model_id(tmp_path) == "m-c"
    events = history.read_events(tmp_path)
    assert [e["event"] for e in events] == ["promote"] * 4 + ["rollback"] * 3
    with pytest.raises(ModelError, match="no model folder"):
        history.promote(tmp_path, "m-missing")


def test_a_torn_last_line_is_ignored(tmp_path: Path) -> None:
    _folder(tmp_path, "m-a", "2026-11-01")
    history.promote(tmp_path, "m-a")
    with open(tmp_path / history.REGISTRY_NAME, "a", encoding="utf-8") as handle:
        handle.write('{"event": "prom')
    assert len(history.read_events(tmp_path)) == 1


def test_models_command(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    _folder(tmp_path, "m-a", "2026-11-01")
    _folder(tmp_path, "m-b", "2026-11-02")
    assert main(["models", "promote", "m-a", "--models-dir", str(tmp_path), "--by", "ann"]) == 0
    assert main(["models", "promote", "m-b", "--models-dir", str(tmp_path), "--reason", "try b"]) == 0
    capsys.readouterr()
    assert main(["models", "list", "--models-dir", str(tmp_path)]) == 0
    listing = capsys.readouterr().out
    assert "* m-b" in listing and "  m-a" in listing
    assert main(["models", "rollback", "--models-dir", str(tmp_path)]) == 0
    assert registry.current_model_id(tmp_path) == "m-a"
    capsys.readouterr()
    assert main(["models", "history", "--models-dir", str(tmp_path)]) == 0
    log = capsys.readouterr().out
    assert "try b" in log and "rollback" in log and "by ann" in log
    assert main(["models", "promote", "m-zzz", "--models-dir", str(tmp_path)]) == 2


# --------------------------------------------------------------------------- end to end (tiny corpus)

_CIVIL = ["thanks for the article", "the council vote was close", "good reporting on the budget", "the park looks great",
          "i disagree with the mayor", "the bus was late again", "nice photos of the harbour", "a fair summary"]
_RUDE = {"toxicity": "you moron", "insult": "you idiot", "obscene": "this is crap", "identity_attack": "those foreigners ruin it",
         "threat": "i will hurt you"}


def tiny_corpus(n: int = 420, seed: int = 0) -> pd.DataFrame:
    """A labelled frame shaped like load_corpora's output, every label with both classes in every split."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = LABELS[i % len(LABELS)]
        rude = i % 3 == 0
        text = f"{rng.choice(_CIVIL)} {'' if not rude else _RUDE[label]} number {i}"
        y = {lab: 0.0 for lab in LABELS}
        if rude:
            y[label] = 1.0
            y["toxicity"] = 1.0
        rows.append({"source": "c3", "text": text, "key": corpora.normalise_key(text), **y})
    frame = pd.DataFrame(rows)
    frame["split"] = ["test" if i % 10 == 0 else "dev" if i % 10 == 1 else "train" for i in range(n)]
    return frame


def _site_file(path: Path, n: int = 300, seed: int = 1) -> Path:
    """A site whose readers insult with a word the corpus never saw ("zorblax")."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        rude = i % 2 == 0
        text = f"{rng.choice(_CIVIL)} {'zorblax plonk' if rude else 'quite right'} reply {i}"
        rows.append({"text": text, "toxicity": int(rude), "labeler": "mod", "labeled_at": "2026-11-20"})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture
def parent_dir(tmp_path: Path) -> Path:
    from moderate.train import fit_candidate, write_candidate

    models_dir = tmp_path / "models"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = write_candidate(fit_candidate(params=TINY_PARAMS, corpus=tiny_corpus()), models_dir)
    history.promote(models_dir, result.model_id, reason="base")
    return models_dir


def _retrain(models_dir: Path, files: list[Path], **kw):
    from moderate.retrain.run import retrain

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return retrain(files, models_dir=models_dir, params=TINY_PARAMS, corpus=tiny_corpus(), tolerance=1.0,
                       families=("incivility",), **kw).incivility


def test_retrain_promotes_inherits_and_records_lineage(parent_dir: Path, tmp_path: Path) -> None:
    base = registry.current_model_id(parent_dir)
    site = _site_file(tmp_path / "week1.csv")
    first = _retrain(parent_dir, [site], by="lead", reason="week 1")
    assert first.promoted and not first.forced, first.comparison["reasons"]
    assert first.comparison["holdout_mean"]["delta"] > 0
    assert registry.current_model_id(parent_dir) == first.model_id
    meta = registry.read_metadata(first.folder)
    lineage = meta["lineage"]
    assert lineage["parent"] == base
    assert lineage["label_files"][0]["sha256"] == sha256_of(site)
    assert lineage["label_files"][0]["rows_used"] == 300
    assert lineage["merge_policy"]["duplicates"] == "latest"
    assert (first.folder / "site_labels.csv.gz").is_file()
    assert "What changed" in (first.folder / "MODEL_CARD.md").read_text(encoding="utf-8")
    # week 2: the same file again is not added twice, a new file builds on week 1's labels
    week2 = _site_file(tmp_path / "week2.csv", n=40, seed=7)
    pd.read_csv(week2).assign(text=lambda f: f["text"] + " week two").to_csv(week2, index=False)
    second = _retrain(parent_dir, [site, week2], promote=False)
    rows = registry.read_metadata(second.folder)["lineage"]["site_rows"]
    assert rows["inherited"] == 300 and rows["new"] == 40
    assert len(registry.read_metadata(second.folder)["lineage"]["label_files"]) == 2  # week 1 once, week 2
    events = [e["event"] for e in history.read_events(parent_dir)]
    assert events == ["promote", "trained", "promote", "trained"]


def test_retrain_is_reproducible_and_keeps_a_worse_candidate(parent_dir: Path, tmp_path: Path) -> None:
    site = _site_file(tmp_path / "site.csv")
    a = _retrain(parent_dir, [site], promote=False)
    b = _retrain(parent_dir, [site], promote=False)
    assert a.model_id.split("-")[-1] == b.model_id.split("-")[-1]
    assert registry.read_metadata(a.folder)["metrics"] == registry.read_metadata(b.folder)["metrics"]
    # labels that contradict each other at random cannot show an improvement: kept, unless forced
    noisy = tmp_path / "noisy.csv"
    rng = np.random.default_rng(3)
    pd.DataFrame({"text": [f"random remark {i}" for i in range(200)], "toxicity": rng.integers(0, 2, 200)}).to_csv(noisy, index=False)
    from moderate.retrain.run import retrain

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kept = retrain([noisy], models_dir=parent_dir, params=TINY_PARAMS, corpus=tiny_corpus(), tolerance=0.0,
                       min_gain=0.5).incivility
        assert not kept.promoted
        forced = retrain([noisy], models_dir=parent_dir, params=TINY_PARAMS, corpus=tiny_corpus(), tolerance=0.0,
                         min_gain=0.5, force=True).incivility
    assert forced.promoted and forced.forced
    assert history.read_events(parent_dir)[-1]["forced"] is True


def test_a_crash_while_training_leaves_the_current_model(parent_dir: Path, tmp_path: Path, monkeypatch) -> None:
    import moderate.train as train_module

    before = registry.current_model_id(parent_dir)
    folders = sorted(p.name for p in parent_dir.iterdir())
    events = history.read_events(parent_dir)

    def boom(**kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(train_module, "build_estimator", boom)
    with pytest.raises(RuntimeError, match="power cut"):
        _retrain(parent_dir, [_site_file(tmp_path / "site.csv")])
    assert registry.current_model_id(parent_dir) == before
    assert sorted(p.name for p in parent_dir.iterdir()) == folders
    assert history.read_events(parent_dir) == events


def test_train_labels_cli_reports_unusable_files(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,toxicity\n,1\nhello,banana\n", encoding="utf-8")
    models_dir = tmp_path / "models"
    models_dir.mkdir()
    skipped = tmp_path / "skipped.csv"
    assert main(["train", "--labels", str(bad), "--models-dir", str(models_dir), "--skipped", str(skipped)]) == 2
    err = capsys.readouterr().err
    assert "2 rows read, 0 used" in err and "empty text" in err and "no usable label rows" in err
    assert pd.read_csv(skipped)["row"].tolist() == [1, 2]
    assert main(["train", "--labels", str(tmp_path / "nope.csv"), "--models-dir", str(models_dir)]) == 2


def test_offtopic_site_pairs_hold_out_the_shipped_test_texts() -> None:
    from moderate.retrain.offtopic import site_pairs

    rows = pd.DataFrame({"text": ["a shipped test comment", "a new comment"], "off_topic": [1.0, 0.0],
                         "article": ["Story one.", "Story two."], "title": [None, "Two"], "labeler": [None, None]})
    rows["key"] = rows["text"].map(corpora.normalise_key)
    articles, pairs = site_pairs(rows, MergePolicy(holdout_share=0.0001), {"a shipped test comment"})
    assert pairs.set_index("text")["split"].to_dict() == {"a shipped test comment": "holdout", "a new comment": "train"}
    assert pairs["target"].tolist() == [1, 0] and pairs["label"].tolist() == ["off", "on"]
    assert articles.loc[pairs["article_id"].iloc[0], "split"] == "holdout"  # not fitted on either
    assert articles.loc[pairs["article_id"].iloc[1], "title"] == "Two"


def test_site_labels_read_back_keep_texts_that_look_missing() -> None:
    from moderate.retrain.run import SITE_LABELS_NAME, read_site_labels, _site_labels_bytes

    rows = _rows({"text": "None", "toxicity": 1.0, "labeler": "NA"}, {"text": "null", "toxicity": 0.0},
                 {"text": "N/A", "toxicity": 0.0})
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / SITE_LABELS_NAME).write_bytes(_site_labels_bytes(rows))
        back = read_site_labels(Path(tmp))
    assert back["text"].tolist() == ["None", "null", "N/A"] and back["key"].tolist() == ["none", "null", "n a"]
    assert back["labeler"].iloc[0] == "NA"
    assert resolve_duplicates(back)[1] == 0


def test_a_candidate_is_not_promoted_over_a_model_it_was_not_compared_with(tmp_path: Path) -> None:
    for model_id in ("m-a", "m-b", "m-c"):
        _folder(tmp_path, model_id, "2026-11-01")
    history.promote(tmp_path, "m-a")
    history.promote(tmp_path, "m-b")  # someone promoted m-b while m-c was training against m-a
    assert history.promote(tmp_path, "m-c", expected_previous="m-a") is None
    assert registry.current_model_id(tmp_path) == "m-b"
    assert history.promote(tmp_path, "m-c", expected_previous="m-b")["previous"] == "m-b"


def test_retraining_on_the_same_labels_never_takes_the_parents_id(parent_dir: Path, tmp_path: Path) -> None:
    site = _site_file(tmp_path / "week1.csv")
    first = _retrain(parent_dir, [site])
    assert first.promoted
    again = tmp_path / "week1-again.csv"
    pd.read_csv(site).assign(note="re-export").to_csv(again, index=False)  # same labels, another file
    second = _retrain(parent_dir, [again], promote=False)
    assert second.model_id != first.model_id and second.parent == first.model_id
    assert registry.read_metadata(first.folder)["lineage"]["parent"] != first.model_id


def _retrain_run(models_dir: Path, files: list[Path], **kw):
    from moderate.retrain.run import retrain

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return retrain(files, models_dir=models_dir, params=TINY_PARAMS, corpus=tiny_corpus(), tolerance=1.0,
                       families=("incivility",), **kw)


def test_train_cli_passes_min_gain_and_whether_the_share_was_given(tmp_path: Path, monkeypatch) -> None:
    import moderate.retrain.run as run_module
    from moderate.retrain.compare import DEFAULT_MIN_GAIN

    calls = []

    def fake_retrain(paths, **kw):
        calls.append(kw)
        return run_module.RetrainRun([])

    monkeypatch.setattr(run_module, "retrain", fake_retrain)
    site = _site_file(tmp_path / "site.csv", n=10)
    base = ["train", "--labels", str(site), "--models-dir", str(tmp_path)]
    assert main(base) == 0
    assert main([*base, "--min-gain", "0.02", "--holdout-share", "0.3"]) == 0
    assert calls[0]["min_gain"] == DEFAULT_MIN_GAIN and calls[1]["min_gain"] == 0.02
    assert calls[0]["policy"].holdout_share == MergePolicy().holdout_share and not calls[0]["holdout_share_explicit"]
    assert calls[1]["policy"].holdout_share == 0.3 and calls[1]["holdout_share_explicit"]


def test_a_lineage_keeps_its_held_out_slice(parent_dir: Path, tmp_path: Path) -> None:
    first = _retrain(parent_dir, [_site_file(tmp_path / "week1.csv")])
    assert first.promoted
    week2 = _site_file(tmp_path / "week2.csv", n=40, seed=7)
    pd.read_csv(week2).assign(text=lambda f: f["text"] + " week two").to_csv(week2, index=False)
    folders = sorted(p.name for p in parent_dir.iterdir())
    # a share chosen explicitly that differs from the lineage's: refused before anything is trained
    with pytest.raises(InputError, match="held-out share 0.3 differs from 0.2"):
        _retrain(parent_dir, [week2], policy=MergePolicy(holdout_share=0.3))
    assert sorted(p.name for p in parent_dir.iterdir()) == folders
    # not chosen explicitly (a CLI default, or another salt only): the parent's share and salt are kept, with a note
    run = _retrain_run(parent_dir, [week2], policy=MergePolicy(holdout_share=0.3, holdout_salt="other"),
                       holdout_share_explicit=False, promote=False)
    policy = registry.read_metadata(run.incivility.folder)["lineage"]["merge_policy"]
    assert (policy["holdout_share"], policy["holdout_salt"]) == (0.2, MergePolicy().holdout_salt)
    assert any(f"kept the parent {first.model_id}'s held-out share 0.2" in n and "salt" in n for n in run.notes), run.notes


def test_undated_corrections_that_lose_to_dated_labels_are_counted(parent_dir: Path, tmp_path: Path) -> None:
    rows = _rows(
        {"text": "corrected late", "toxicity": 1.0, "labeled_at": "2026-11-01", "file": 0},
        {"text": "corrected late", "toxicity": 0.0, "file": 1},  # undated correction in a later file: loses
        {"text": "same value", "toxicity": 1.0, "labeled_at": "2026-11-01", "file": 0},
        {"text": "same value", "toxicity": 1.0, "file": 1},  # loses, but changes nothing
        {"text": "older undated", "insult": 0.0, "file": 0},
        {"text": "older undated", "insult": 1.0, "labeled_at": "2026-11-01", "file": 1},  # the dated one is newer too
    )
    notes: list[str] = []
    resolved, _ = resolve_duplicates(rows, "latest", notes)
    assert resolved.set_index("key").loc["corrected late", "toxicity"] == 1.0
    assert notes == ["1 text: an undated label lost to a dated one (give labeled_at to let corrections win)"]
    notes.clear()
    resolve_duplicates(rows, "majority", notes)
    assert notes == []
    # end to end: week 2 corrects three of week 1's dated labels without a date
    site = _site_file(tmp_path / "week1.csv")
    assert _retrain(parent_dir, [site]).promoted
    week2 = tmp_path / "week2.csv"
    fixes = pd.read_csv(site).head(3).drop(columns=["labeled_at"])
    fixes.assign(toxicity=1 - fixes["toxicity"]).to_csv(week2, index=False)
    run = _retrain_run(parent_dir, [week2], promote=False)
    assert "incivility: 3 texts: an undated label lost to a dated one (give labeled_at to let corrections win)" in run.notes


def test_models_list_warns_when_current_is_not_what_the_registry_says(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture) -> None:
    _folder(tmp_path, "m-a", "2026-11-01")
    _folder(tmp_path, "m-b", "2026-11-02")
    registry.set_current(tmp_path, "m-b")  # no promotion recorded: nothing to compare with
    assert main(["models", "list", "--models-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().err == ""
    history.promote(tmp_path, "m-a")
    history.promote(tmp_path, "m-b")
    history.rollback(tmp_path)
    assert main(["models", "list", "--models-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().err == ""
    registry.set_current(tmp_path, "m-b")  # edited by hand after the rollback to m-a
    assert main(["models", "list", "--models-dir", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "* m-b" in captured.out
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "names m-b" in lines[0] and "made m-a current" in lines[0]


# --------------------------------------------------------------------------- held-out texts, inherited recipe


def test_merge_drops_corpus_train_rows_of_held_out_site_texts() -> None:
    corpus = _corpus([("Held out text", 1.0, "train"), ("plain", 0.0, "train")])
    policy = MergePolicy(holdout_share=0.9999)  # every site text held out
    out = merge(corpus, _rows({"text": "held-out TEXT!", "toxicity": 0.0}), policy, pd.Series(1.0, index=corpus.index))
    assert out.holdout["key"].tolist() == ["held out text"]
    assert out.train["key"].tolist() == ["plain"]  # not trained on through its corpus row either
    assert out.stats["corpus_rows_held_out"] == 1 and out.stats["corpus_rows_replaced"] == 0


def _spy_fit(monkeypatch) -> list[list[str]]:
    """The texts every estimator built by fit_candidate is fitted on."""
    import moderate.train as train_module

    fitted: list[list[str]] = []
    real = train_module.build_estimator

    def build(**kwargs):
        estimator = real(**kwargs)
        real_fit = estimator.fit

        def fit(X, y, **kw):
            fitted.append(list(X))
            del estimator.fit  # the folder pickles the estimator: no closure left on it
            return real_fit(X, y, **kw)

        estimator.fit = fit
        return estimator

    monkeypatch.setattr(train_module, "build_estimator", build)
    return fitted


def test_a_held_out_site_text_is_not_trained_on_through_its_corpus_row(parent_dir: Path, tmp_path: Path,
                                                                       monkeypatch) -> None:
    policy = MergePolicy()  # the parent has no lineage: the default slice
    corpus = tiny_corpus()
    train = corpus[corpus["split"] == "train"]
    shared = train[train["key"].map(lambda k: in_holdout(k, policy))].head(4)
    assert len(shared) == 4
    site = _site_file(tmp_path / "site.csv", n=60)
    # the same texts as the corpus rows, written otherwise: the same normalised key
    extra = pd.DataFrame({"text": [t.upper() + " !!" for t in shared["text"]], "toxicity": 1 - shared["toxicity"]})
    pd.concat([pd.read_csv(site), extra], ignore_index=True).to_csv(site, index=False)
    fitted = _spy_fit(monkeypatch)
    run = _retrain_run(parent_dir, [site], promote=False)
    assert len(fitted) == 1
    trained = {corpora.normalise_key(t) for t in fitted[0]}
    assert trained.isdisjoint(set(shared["key"]))
    counts = registry.read_metadata(run.incivility.folder)["lineage"]["site_rows"]
    assert counts["corpus_rows_held_out"] == 4 and counts["site_holdout"] >= 4
    assert ("incivility: 4 corpus training rows not trained on: the same text is in the site's held-out slice"
            in run.notes), run.notes


def test_a_candidate_keeps_its_parents_recipe_unless_told_otherwise(tmp_path: Path, monkeypatch) -> None:
    import moderate.train as train_module
    from moderate.retrain.run import retrain

    models_dir = tmp_path / "models"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = train_module.write_candidate(
            train_module.fit_candidate(params={**TINY_PARAMS, "C": 0.5}, corpus=tiny_corpus()), models_dir)
    history.promote(models_dir, base.model_id)
    seen = []
    real = train_module.fit_candidate

    def fit_candidate(*args, **kwargs):
        seen.append(kwargs.get("sources"))
        return real(*args, **kwargs)

    monkeypatch.setattr(train_module, "fit_candidate", fit_candidate)
    site = _site_file(tmp_path / "site.csv", n=60)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same = retrain([site], models_dir=models_dir, corpus=tiny_corpus(), tolerance=1.0, promote=False,
                       families=("incivility",))
        other = retrain([site], models_dir=models_dir, corpus=tiny_corpus(), tolerance=1.0, promote=False,
                        families=("incivility",), params={"C": 1.5}, sources=["c3", "ruddit"])
    parameters = registry.read_metadata(same.incivility.folder)["parameters"]
    assert parameters["C"] == 0.5 and parameters["word_min_df"] == 1  # no --param: the parent's
    assert seen[0] == ["c3"]  # the parent's sources (here the tiny corpus's)
    assert not any("differ" in note for note in same.notes), same.notes
    parameters = registry.read_metadata(other.incivility.folder)["parameters"]
    assert parameters["C"] == 1.5 and parameters["word_min_df"] == 1  # the given one, on the parent's recipe
    assert seen[1] == ["c3", "ruddit"]
    assert f"incivility: parameters differ from the parent {base.model_id}'s: C=1.5 (parent: 0.5)" in other.notes
    assert f"incivility: corpus sources c3, ruddit differ from the parent {base.model_id}'s (c3)" in other.notes


# --------------------------------------------------------------------------- off-topic: held-out texts

_STORIES = ["harbour plan council vote", "school budget teachers strike", "river flood warning rain",
            "football derby stadium fans", "library opening books hours", "bus route fares drivers",
            "hospital wing nurses beds", "market stalls farmers produce", "bridge repair traffic lanes",
            "museum exhibit paintings loan"]
#: a shipped training pair whose text the site also labels (held out), written otherwise by the site
_SHARED = "Shared comment about the harbour plan, really"
#: a page comment (weak pairs only) whose text the site also labels (held out)
_PAGE_ONLY = "Page comment on the harbour plan that a site holds out"


def _offtopic_data_dir(root: Path) -> Path:
    """A tiny data/labels/offtopic: ten training articles (one site each) with four labelled pairs,
    one test article with two."""
    folder = root / "labels" / "offtopic"
    folder.mkdir(parents=True)
    articles, pairs, labels = [], [], []
    for k, story in enumerate([*_STORIES, "city hall election candidates debate"]):
        split = "test" if k == len(_STORIES) else "train"
        articles.append({"article_id": f"a{k}", "group": f"g{k}", "source": "dragnet", "title": story.title(),
                         "body": f"The {story} was reported today. People talked about the {story} at length.",
                         "split": split})
        texts = [f"I think the {story} matters {k}", f"More on the {story}, well said {k}",
                 f"Buy cheap watches online now {k}", f"Nice weather we have today {k}"]
        if k == 0:
            texts[0] = _SHARED
        for j, text in enumerate(texts[: 2 if split == "test" else 4]):
            pid = f"p{k}-{j}"
            pairs.append({"pair_id": pid, "article_id": f"a{k}", "group": f"g{k}", "source": "dragnet", "author": None,
                          "text": text, "parent": None, "about": None, "split": split})
            labels.append(f"{pid}\t{'on' if j < 2 else 'off'}\thelper\t")
    for name, records in (("articles.jsonl", articles), ("pairs.jsonl", pairs)):
        (folder / name).write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (folder / "labels.tsv").write_text("pair_id\tlabel\tlabeller\tnote\n" + "\n".join(labels) + "\n", encoding="utf-8")
    return root


def _page_comments(data_dir: Path, split: str = "train") -> pd.DataFrame:
    rows = [{"article_id": f"a{k}", "group": f"g{k}", "text": f"Page comment {j} on the {story}", "parent": None}
            for k, story in enumerate(_STORIES) for j in range(3)]
    rows[1]["text"] = _PAGE_ONLY
    rows[4]["text"] = _SHARED  # a human-labelled text: never a weak pair
    return pd.DataFrame(rows, columns=["article_id", "group", "text", "parent"])


@pytest.fixture
def offtopic_data(tmp_path: Path, monkeypatch) -> Path:
    from moderate.offtopic import data as D

    monkeypatch.setattr(D, "page_comments", _page_comments)
    return _offtopic_data_dir(tmp_path / "data")


_OFFTOPIC_PARAMS = {"n_components": 2}


def _prepare(data_dir: Path, **kw):
    from moderate.offtopic.train import DEFAULT_PARAMS, prepare

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return prepare(data_dir, {**DEFAULT_PARAMS, **_OFFTOPIC_PARAMS}, 0, **kw)[1]


def test_offtopic_training_rows_without_exclusions_are_the_plain_ones(offtopic_data: Path) -> None:
    from moderate.offtopic import data as D
    from moderate.offtopic.train import DEFAULT_PARAMS

    plain = _prepare(offtopic_data)
    assert plain.held_out is None
    # what prepare has always trained on: every training pair, weak pairs of the other page comments
    data = D.load(offtopic_data)
    human = data.pairs[data.pairs["split"] == "train"].reset_index(drop=True)
    articles = data.articles[data.articles["split"] == "train"]
    weak = D.weak_pairs(_page_comments(offtopic_data), articles, seed=0,
                        title_only_share=DEFAULT_PARAMS["weak_title_only"], exclude=set(human["text"]))
    pd.testing.assert_frame_equal(plain.human, human)
    pd.testing.assert_frame_equal(plain.weak, weak)
    # an exclusion that matches nothing changes nothing: same rows, order, swapped articles, features
    for keys in (set(), {"a text nobody wrote"}):
        same = _prepare(offtopic_data, exclude_keys=keys)
        assert same.held_out == {"shipped_pairs_held_out": 0, "weak_pairs_held_out": 0}
        pd.testing.assert_frame_equal(same.human, plain.human)
        pd.testing.assert_frame_equal(same.weak, plain.weak)
        np.testing.assert_array_equal(same.X_human, plain.X_human)
        np.testing.assert_array_equal(same.X_weak, plain.X_weak)


def test_offtopic_exclusion_drops_held_out_shipped_and_weak_pairs(offtopic_data: Path) -> None:
    plain = _prepare(offtopic_data)
    held = {corpora.normalise_key(_SHARED.upper() + " !"), corpora.normalise_key(_PAGE_ONLY)}
    out = _prepare(offtopic_data, exclude_keys=held)
    assert out.held_out == {"shipped_pairs_held_out": 1, "weak_pairs_held_out": 2}  # one comment, two weak pairs
    assert _SHARED in set(plain.human["text"]) and _PAGE_ONLY in set(plain.weak["text"])
    for frame in (out.human, out.weak):
        assert held.isdisjoint(frame["text"].map(corpora.normalise_key))
    pd.testing.assert_frame_equal(out.human, plain.human[plain.human["text"] != _SHARED].reset_index(drop=True))
    # the other weak pairs keep their swapped articles and title-only draws
    pd.testing.assert_frame_equal(out.weak, plain.weak[plain.weak["text"] != _PAGE_ONLY].reset_index(drop=True))
    assert _SHARED not in set(out.weak["text"])  # a dropped human text does not become a weak pair
    assert len(out.X_human) == len(out.human) and len(out.X_weak) == len(out.weak)


def _stub_offtopic_fit(monkeypatch) -> list:
    """The off-topic fitting itself (not under test) stubbed: the rows it is given are recorded; the
    model folder is written without the evaluation (which needs the whole shipped data)."""
    import functools

    import moderate.offtopic.train as offtopic_train

    prepared = []

    def fit(p, params, seed):
        prepared.append(p)
        return {"stub": True}, {"rows": len(p.human), "positives": int(p.human["target"].sum()),
                                "weak_pairs": len(p.weak), "review_threshold": 0.5}

    monkeypatch.setattr(offtopic_train, "fit", fit)
    monkeypatch.setattr(offtopic_train, "write_offtopic", functools.partial(offtopic_train.write_offtopic, evaluate=False))
    return prepared


_SITE_TRAINED = "A site comment about the harbour plan"
_SITE_HELD = [_SHARED.upper() + " !", _PAGE_ONLY]  # the same keys as a shipped pair and a page comment


def _hold_out_site_texts(monkeypatch) -> None:
    """The site's held-out slice: every site text but ``_SITE_TRAINED``."""
    import moderate.retrain.offtopic as retrain_offtopic

    trained = corpora.normalise_key(_SITE_TRAINED)
    monkeypatch.setattr(retrain_offtopic, "in_holdout", lambda key, policy: key != trained)


def test_site_offtopic_fit_excludes_the_held_out_site_texts(offtopic_data: Path, monkeypatch) -> None:
    from moderate.retrain.offtopic import fit_site_offtopic

    prepared = _stub_offtopic_fit(monkeypatch)
    _hold_out_site_texts(monkeypatch)
    rows = pd.DataFrame({"text": [*_SITE_HELD, _SITE_TRAINED], "off_topic": [1.0, 0.0, 1.0], "labeler": "mod",
                         "article": f"The {_STORIES[0]} was reported today.", "title": "Harbour"})
    rows["key"] = rows["text"].map(corpora.normalise_key)
    _, _, metrics, _, pairs = fit_site_offtopic(offtopic_data, rows, MergePolicy(), 0, _OFFTOPIC_PARAMS)
    assert pairs.set_index("text")["split"].to_dict() == {**dict.fromkeys(_SITE_HELD, "holdout"), _SITE_TRAINED: "train"}
    assert metrics["shipped_pairs_held_out"] == 1 and metrics["weak_pairs_held_out"] == 2
    p = prepared[0]
    assert _SITE_TRAINED in set(p.human["text"])  # the site's training pair is trained on
    keys = set(rows["key"][:2])
    assert keys.isdisjoint(p.human["text"].map(corpora.normalise_key))
    assert keys.isdisjoint(p.weak["text"].map(corpora.normalise_key))


def test_offtopic_retrain_counts_and_notes_the_held_out_pairs(offtopic_data: Path, tmp_path: Path,
                                                               monkeypatch) -> None:
    from moderate.retrain.run import retrain

    _stub_offtopic_fit(monkeypatch)
    _hold_out_site_texts(monkeypatch)
    (offtopic_data / "comments").mkdir()
    labels = tmp_path / "pairs.csv"
    pd.DataFrame({"text": [*_SITE_HELD, _SITE_TRAINED], "off_topic": ["off", "on", "off"],
                  "article": f"The {_STORIES[0]} was reported today.", "title": "Harbour"}).to_csv(labels, index=False)
    run = retrain([labels], models_dir=tmp_path / "models", data_dir=offtopic_data / "comments",
                  families=("offtopic",), promote=False)
    counts = registry.read_metadata(run.offtopic.folder)["lineage"]["site_rows"]
    assert counts["shipped_pairs_held_out"] == 1 and counts["weak_pairs_held_out"] == 2
    assert counts["site_holdout"] == 2 and counts["site_train"] == 1
    assert ("off-topic: 1 shipped training pair and 2 weak (swapped-article) pairs not trained on: the same text is in the "
            "site's held-out slice" in run.notes), run.notes
    card = (run.offtopic.folder / registry.CARD_NAME).read_text(encoding="utf-8")
    assert ("Not trained on, because the same text is in the site's held-out slice: 1 shipped training pair "
            "and 2 weak (swapped-article) pairs." in card)


def test_the_card_says_how_many_shipped_rows_the_held_out_slice_took() -> None:
    from moderate.card import what_changed

    def card(**counts) -> str:
        return "\n".join(what_changed({"lineage": {"site_rows": {"texts": 9, "site_train_incivility": 5, **counts},
                                                    "merge_policy": {}, "decision": {}}}))

    assert ("Not trained on, because the same text is in the site's held-out slice: 3 corpus training rows."
            in card(corpus_rows_held_out=3))
    assert "held-out slice:" not in card(corpus_rows_held_out=0) and "held-out slice:" not in card()


def test_models_list_shows_the_families_in_subfolders(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    _folder(tmp_path, "m-a", "2026-11-01")
    registry.set_current(tmp_path, "m-a")
    assert main(["models", "list", "--models-dir", str(tmp_path)]) == 0
    assert "offtopic" not in capsys.readouterr().out  # no family folders: nothing more
    _folder(tmp_path / "offtopic", "o-a", "2026-11-01")
    registry.set_current(tmp_path / "offtopic", "o-a")
    assert main(["models", "list", "--models-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "* m-a" in out and f"{tmp_path / 'offtopic'} (off-topic)" in out and "* o-a" in out
    assert out.index("* m-a") < out.index("* o-a")
    assert main(["models", "list", "--models-dir", str(tmp_path / "offtopic")]) == 0
    out = capsys.readouterr().out
    assert "* o-a" in out and "m-a" not in out


def test_models_list_reads_a_splitters_figure_from_its_evaluation(tmp_path: Path) -> None:
    import json

    registry.save_model_folder(tmp_path / "s-a", {"not": "an estimator"},
                               {"model_id": "s-a", "created": "2026-11-01", "kind": "page-splitter",
                                "segmenter": {"refitted_from": "s-0"}})
    (tmp_path / "s-a" / "evaluation.json").write_text(
        json.dumps({"sections": {"dragnet_heldout": {"comment_f1": 0.9}}}), encoding="utf-8")
    (row,) = history.list_models(tmp_path)
    assert row["value"] == 0.9 and row["metric"] == "held-out real pages comment F1" and row["parent"] == "s-0"
