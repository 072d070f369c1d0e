"""moderate.score: score_frame on DataFrames and score_files over chunked tables."""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import moderate
from moderate.errors import InputError, ModelError
from moderate.io import iter_table_chunks
from moderate.registry import LoadedModel
from moderate.schema import (
    DECISIONS,
    LABELS,
    SCORE_COLUMNS,
    STATUS_EMPTY,
    STATUS_MISSING,
    STATUS_NO_ARTICLE,
    STATUS_OK,
    SCORED_STATUSES,
)
from moderate.score import find_text_column, score_files, score_frame

# --------------------------------------------------------------------------- score_frame


def test_public_api_exports_score_frame() -> None:
    assert moderate.score_frame is score_frame
    assert moderate.score_files is score_files


def test_keeps_every_row_column_and_index(fake_model: LoadedModel, comments: pd.DataFrame) -> None:
    df = comments.set_axis(pd.Index([70, 10, 50, 20, 60, 30, 40, 0], name="row"))
    before = df.copy()
    out = score_frame(df, model=fake_model)
    assert list(out.columns) == [*df.columns, *SCORE_COLUMNS]
    assert out.index.equals(df.index)
    pd.testing.assert_frame_equal(out[df.columns], df)
    pd.testing.assert_frame_equal(df, before)  # input untouched
    assert out is not df


def test_score_column_types_and_statuses(fake_model: LoadedModel, comments: pd.DataFrame) -> None:
    out = score_frame(comments, model=fake_model)
    for label in LABELS:
        assert out[label].dtype == np.float64
    assert out["status"].tolist() == [
        STATUS_NO_ARTICLE,
        STATUS_NO_ARTICLE,
        STATUS_EMPTY,
        STATUS_MISSING,
        STATUS_EMPTY,
        STATUS_NO_ARTICLE,
        STATUS_NO_ARTICLE,
        STATUS_NO_ARTICLE,
    ]
    unscored = ~out["status"].isin(SCORED_STATUSES)
    assert out.loc[unscored, list(LABELS)].isna().all().all()
    assert out.loc[~unscored, list(LABELS)].notna().all().all()
    assert out.loc[unscored, "decision"].isna().all()
    assert set(out.loc[~unscored, "decision"]) <= set(DECISIONS)
    assert (out["model_id"] == "fake-0").all()


def test_decisions_follow_the_model_thresholds(fake_model: LoadedModel) -> None:
    df = pd.DataFrame({"text": ["hello there", "you idiot", "stupid idiot, I will kill you"]})
    out = score_frame(df, model=fake_model)
    assert out["decision"].tolist() == ["approve", "review", "reject"]


def test_only_non_empty_texts_reach_the_model(comments: pd.DataFrame) -> None:
    seen: list[list[str]] = []

    class Recorder:
        def predict_proba(self, texts):
            seen.append(list(texts))
            return np.full((len(texts), len(LABELS)), 0.1)

    thresholds = {label: {"review": 0.5, "reject": 0.9} for label in LABELS}
    model = LoadedModel("rec", Recorder(), LABELS, thresholds)
    score_frame(comments, model=model, batch_size=2)
    sent = [text for batch in seen for text in batch]
    assert sent == [t for t in comments["text"] if isinstance(t, str) and t.strip()]
    assert [len(batch) for batch in seen] == [2, 2, 1]


def test_non_string_texts_are_scored_as_strings(fake_model: LoadedModel) -> None:
    df = pd.DataFrame({"text": pd.Series([42, 3.5, "ok", None, float("nan")], dtype=object)})
    out = score_frame(df, model=fake_model)
    assert out["status"].tolist() == [STATUS_NO_ARTICLE] * 3 + [STATUS_MISSING] * 2
    assert out["text"].tolist()[:3] == [42, 3.5, "ok"]


def test_model_labels_are_reordered_to_schema_order(fake_model: LoadedModel) -> None:
    reversed_labels = tuple(reversed(LABELS))

    class Reversed:
        def predict_proba(self, texts):
            return fake_model.estimator.predict_proba(texts)[:, ::-1]

    model = LoadedModel("rev", Reversed(), reversed_labels, fake_model.thresholds)
    df = pd.DataFrame({"text": ["I will kill you", "you stupid idiot"]})
    pd.testing.assert_frame_equal(
        score_frame(df, model=model)[list(LABELS)], score_frame(df, model=fake_model)[list(LABELS)]
    )


def test_a_model_returning_the_wrong_shape_is_a_model_error(fake_model: LoadedModel) -> None:
    class Broken:
        def predict_proba(self, texts):
            return np.zeros((len(texts), 2))

    model = LoadedModel("broken", Broken(), LABELS, fake_model.thresholds)
    with pytest.raises(ModelError, match="shape"):
        score_frame(pd.DataFrame({"text": ["a"]}), model=model)


@pytest.mark.parametrize("rows", [0, 1, 5])
def test_always_returns_a_dataframe(fake_model: LoadedModel, rows: int) -> None:
    df = pd.DataFrame({"id": range(rows), "text": ["you idiot"] * rows})
    out = score_frame(df, model=fake_model)
    assert isinstance(out, pd.DataFrame)
    assert len(out) == rows
    assert list(out.columns) == ["id", "text", *SCORE_COLUMNS]


def test_empty_frame_without_rows_keeps_types(fake_model: LoadedModel) -> None:
    out = score_frame(pd.DataFrame({"text": pd.Series([], dtype=object)}), model=fake_model)
    assert out.empty and out["toxicity"].dtype == np.float64


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (["id", "text", "comment"], "text"),
        (["id", "comment", "body"], "comment"),
        (["comment_text", "body"], "comment_text"),
        (["body", "x"], "body"),
        (["id", "Text"], "Text"),
        (["BODY", "comment"], "comment"),  # exact names win over case-insensitive ones
        (["Comment_Text"], "Comment_Text"),
    ],
)
def test_text_column_detection(columns: list[str], expected: str) -> None:
    assert find_text_column(columns) == expected


def test_explicit_text_column(fake_model: LoadedModel) -> None:
    df = pd.DataFrame({"text": ["fine", "fine"], "message": ["you idiot", None]})
    out = score_frame(df, text_col="message", model=fake_model)
    assert out["status"].tolist() == [STATUS_NO_ARTICLE, STATUS_MISSING]
    assert out["decision"].iloc[0] == "review"
    assert find_text_column(["Message"], "message") == "Message"


def test_missing_text_column_lists_the_available_ones(fake_model: LoadedModel) -> None:
    df = pd.DataFrame({"id": [1], "message": ["hi"]})
    with pytest.raises(InputError, match=r"no text column.*'id', 'message'.*--text-col"):
        score_frame(df, model=fake_model)
    with pytest.raises(InputError, match=r"no column 'msg'.*'id', 'message'"):
        score_frame(df, text_col="msg", model=fake_model)


def test_ambiguous_case_insensitive_text_column() -> None:
    with pytest.raises(InputError, match="ambiguous"):
        find_text_column(["Text", "TEXT"])


def test_clashing_input_columns_are_renamed_with_a_warning(fake_model: LoadedModel) -> None:
    df = pd.DataFrame(
        {
            "text": ["you idiot"],
            "toxicity": ["user value"],
            "status": ["published"],
            "status_input": [1],
        }
    )
    with pytest.warns(UserWarning, match=r"'toxicity' -> 'toxicity_input'"):
        out = score_frame(df, model=fake_model)
    assert list(out.columns) == [
        "text",
        "toxicity_input",
        "status_input_2",
        "status_input",
        *SCORE_COLUMNS,
    ]
    assert out["toxicity_input"].iloc[0] == "user value"
    assert out["status_input_2"].iloc[0] == "published"
    assert out["status"].iloc[0] == STATUS_NO_ARTICLE


def test_no_warning_without_clash(fake_model: LoadedModel, comments: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score_frame(comments, model=fake_model)


def test_model_from_a_folder_path(tiny_model_dir: Path, comments: pd.DataFrame) -> None:
    out = score_frame(comments, model=str(tiny_model_dir))
    assert (out["model_id"] == "tiny-0").all()
    ok = out["status"].isin(SCORED_STATUSES)
    assert out.loc[ok, list(LABELS)].stack().between(0, 1).all()


def test_default_model_comes_from_the_environment(
    tiny_model_dir: Path, comments: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODERATE_MODEL", str(tiny_model_dir))
    assert (score_frame(comments)["model_id"] == "tiny-0").all()


def test_missing_model_folder_is_a_model_error(tmp_path: Path, comments: pd.DataFrame) -> None:
    with pytest.raises(ModelError, match="model not found"):
        score_frame(comments, model=tmp_path / "nope")


def test_tiny_model_ranks_insults_above_civil_comments(tiny_model: LoadedModel) -> None:
    df = pd.DataFrame({"text": ["thanks for the article", "you stupid idiot"]})
    out = score_frame(df, model=tiny_model)
    assert out["insult"].iloc[1] > out["insult"].iloc[0]


# --------------------------------------------------------------------------- properties

comment_texts = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["you idiot", "I will kill you", "thanks!", "", "   ", "crap\nstupid"]),
)
comment_lists = st.lists(st.one_of(comment_texts, st.none()), max_size=25)
# The fixtures are session-scoped, so sharing them across examples is safe.
FIXTURE_OK = [HealthCheck.function_scoped_fixture]


def _check_position_and_batch_independence(
    model: LoadedModel, texts: list, batch_size: int, atol: float
) -> None:
    df = pd.DataFrame({"text": pd.Series(texts, dtype=object)})
    whole = score_frame(df, model=model, batch_size=batch_size)
    scores = whole[list(LABELS)].to_numpy()
    ok = whole["status"].isin(SCORED_STATUSES).to_numpy()
    assert ((scores[ok] >= 0) & (scores[ok] <= 1)).all()
    assert np.isnan(scores[~ok]).all()
    # each row scored alone gives the same numbers ...
    for i, text in enumerate(texts):
        alone = score_frame(pd.DataFrame({"text": pd.Series([text], dtype=object)}), model=model)
        np.testing.assert_allclose(alone[list(LABELS)].to_numpy()[0], scores[i], rtol=0, atol=atol)
    # ... and so does the frame reversed
    backwards = score_frame(df.iloc[::-1], model=model, batch_size=max(1, batch_size - 1))
    np.testing.assert_allclose(
        backwards.loc[df.index, list(LABELS)].to_numpy(), scores, rtol=0, atol=atol
    )
    if atol == 0:  # identical scores give identical decisions
        assert whole["decision"].tolist() == backwards.loc[df.index, "decision"].tolist()


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE_OK)
@given(texts=comment_lists, batch_size=st.integers(1, 9))
def test_property_fake_model(fake_model: LoadedModel, texts: list, batch_size: int) -> None:
    _check_position_and_batch_independence(fake_model, texts, batch_size, atol=0)


@settings(max_examples=25, deadline=None, suppress_health_check=FIXTURE_OK)
@given(texts=comment_lists, batch_size=st.integers(1, 9))
def test_property_tiny_model(tiny_model: LoadedModel, texts: list, batch_size: int) -> None:
    # The real pipeline works in float32: the summation order inside a sparse row can
    # depend on the other texts in the batch, which moves a probability by ~1e-8.
    _check_position_and_batch_independence(tiny_model, texts, batch_size, atol=1e-6)


# --------------------------------------------------------------------------- score_files


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write a test input by extension (csv, tsv, jsonl, parquet, optionally .gz)."""
    name = path.name.lower()
    gz = name.endswith(".gz")
    target = path.with_suffix("") if gz else path
    stem = target.name.lower()
    if stem.endswith(".parquet"):
        frame.to_parquet(target, index=False)
    elif stem.endswith(".jsonl"):
        frame.to_json(target, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_csv(target, sep="\t" if stem.endswith(".tsv") else ",", index=False)
    if gz:
        path.write_bytes(gzip.compress(target.read_bytes()))
        target.unlink()
    return path


def read_table(path: Path) -> pd.DataFrame:
    name = path.name.lower()
    if name.endswith(".parquet"):
        return pd.read_parquet(path)
    if ".jsonl" in name:
        return pd.read_json(path, lines=True, dtype=False)
    return pd.read_csv(
        path, sep="\t" if ".tsv" in name else ",", dtype=str, keep_default_na=False, na_values=[""]
    )


INPUT_NAMES = ["in.csv", "in.tsv", "in.jsonl", "in.parquet", "in.csv.gz"]
OUTPUT_NAMES = ["out.csv", "out.tsv", "out.jsonl", "out.parquet", "out.csv.gz"]


@pytest.mark.parametrize("input_name", INPUT_NAMES)
@pytest.mark.parametrize("output_name", OUTPUT_NAMES)
def test_every_input_format_to_every_output_format(
    tmp_path: Path,
    fake_model: LoadedModel,
    comments: pd.DataFrame,
    input_name: str,
    output_name: str,
) -> None:
    source = write_table(comments, tmp_path / input_name)
    output = tmp_path / output_name
    summary = score_files([source], output, model=fake_model, chunk_size=3, progress=False)
    back = read_table(output)
    # What the file holds: CSV and TSV cannot tell an empty cell from a missing one.
    as_read = pd.concat(list(iter_table_chunks(source, 100)), ignore_index=True)
    expected = score_frame(as_read, model=fake_model)
    assert list(back.columns) == list(expected.columns)
    assert back["comment_id"].tolist() == expected["comment_id"].tolist()
    assert back["status"].tolist() == expected["status"].tolist()
    assert back["decision"].fillna("-").tolist() == expected["decision"].fillna("-").tolist()
    np.testing.assert_allclose(
        back[list(LABELS)].astype(float).to_numpy(), expected[list(LABELS)].to_numpy(), rtol=1e-12
    )
    ok = expected["status"].isin(SCORED_STATUSES)
    assert back["text"][ok.to_numpy()].tolist() == expected["text"][ok].tolist()
    assert summary["rows"] == 8 and summary["scored"] == 5
    assert summary["empty"] + summary["missing"] == 3
    assert summary["missing"] == (1 if source.suffix in (".jsonl", ".parquet") else 2)
    assert sum(summary["decisions"].values()) == 5
    assert summary["model_id"] == "fake-0"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({source.name, output_name})


def _fifty_comments() -> pd.DataFrame:
    words = ["thanks", "idiot", "crap", "kill", "fine", "", "stupid", "Ça", "immigrants", "ok"]
    texts = [f"{words[i % 10]} comment {i} " + "x" * (i % 5) if i % 13 else None for i in range(50)]
    return pd.DataFrame({"comment_id": [f"c{i:02}" for i in range(50)], "text": texts})


@pytest.mark.parametrize("output_name", ["out.csv", "out.jsonl", "out.parquet"])
def test_chunk_size_does_not_change_the_output(
    tmp_path: Path, fake_model: LoadedModel, output_name: str
) -> None:
    source = write_table(_fifty_comments(), tmp_path / "in.csv")
    small, big = tmp_path / f"small-{output_name}", tmp_path / f"big-{output_name}"
    score_files([source], small, model=fake_model, chunk_size=7, progress=False)
    score_files([source], big, model=fake_model, chunk_size=1000, progress=False)
    assert small.read_bytes() == big.read_bytes() or read_table(small).equals(read_table(big))
    assert len(read_table(small)) == 50


def test_several_inputs_union_their_columns(tmp_path: Path, fake_model: LoadedModel) -> None:
    first = write_table(
        pd.DataFrame({"id": ["a1", "a2"], "text": ["hello", "you idiot"]}), tmp_path / "a.csv"
    )
    second = write_table(
        pd.DataFrame({"comment": ["I will kill you"], "id": ["b1"], "lang": ["en"]}),
        tmp_path / "b.jsonl",
    )
    output = tmp_path / "out.csv"
    summary = score_files([first, str(second)], output, model=fake_model, progress=False)
    back = read_table(output)
    assert list(back.columns) == ["input_file", "id", "text", "comment", "lang", *SCORE_COLUMNS]
    assert back["input_file"].tolist() == [str(first), str(first), str(second)]
    assert back["id"].tolist() == ["a1", "a2", "b1"]
    assert back["decision"].tolist() == ["approve", "review", "review"]
    assert back["lang"].isna().tolist() == [True, True, False]
    assert summary["rows"] == 3 and summary["inputs"] == [str(first), str(second)]


def test_several_inputs_to_parquet_with_missing_columns(
    tmp_path: Path, fake_model: LoadedModel
) -> None:
    first = write_table(pd.DataFrame({"text": ["hello"]}), tmp_path / "a.csv")
    second = write_table(pd.DataFrame({"text": ["x"], "n": [5]}), tmp_path / "b.parquet")
    output = tmp_path / "out.parquet"
    score_files([first, second], output, model=fake_model, progress=False)
    back = pd.read_parquet(output)
    assert pd.isna(back["n"].iloc[0]) and back["n"].iloc[1] == 5


def test_input_file_column_clash(tmp_path: Path, fake_model: LoadedModel) -> None:
    frame = pd.DataFrame({"input_file": ["orig.txt"], "text": ["hi"]})
    a, b = write_table(frame, tmp_path / "a.csv"), write_table(frame, tmp_path / "b.csv")
    with pytest.warns(UserWarning, match="'input_file' -> 'input_file_input'"):
        score_files([a, b], tmp_path / "out.csv", model=fake_model, progress=False)
    back = read_table(tmp_path / "out.csv")
    assert back["input_file_input"].tolist() == ["orig.txt", "orig.txt"]
    assert back["input_file"].tolist() == [str(a), str(b)]


def test_clashing_columns_warn_once_over_many_chunks(
    tmp_path: Path, fake_model: LoadedModel
) -> None:
    frame = pd.DataFrame({"text": ["hi"] * 20, "decision": ["kept"] * 20})
    source = write_table(frame, tmp_path / "in.csv")
    with pytest.warns(UserWarning) as record:
        score_files([source], tmp_path / "out.csv", model=fake_model, chunk_size=3, progress=False)
    assert len([w for w in record if "renamed" in str(w.message)]) == 1
    assert read_table(tmp_path / "out.csv")["decision_input"].eq("kept").all()


def test_jsonl_key_appearing_after_the_first_chunk_is_dropped_with_a_warning(
    tmp_path: Path, fake_model: LoadedModel
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"text": "a"}\n{"text": "b"}\n{"text": "c", "late": 1}\n', encoding="utf-8"
    )
    with pytest.warns(UserWarning, match=r"'late' first appear after the first chunk"):
        score_files([source], tmp_path / "out.csv", model=fake_model, chunk_size=2, progress=False)
    assert "late" not in read_table(tmp_path / "out.csv").columns


def test_empty_inputs_still_write_the_header(tmp_path: Path, fake_model: LoadedModel) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,text\n", encoding="utf-8")
    for name in ["out.csv", "out.parquet", "out.jsonl"]:
        summary = score_files([source], tmp_path / name, model=fake_model, progress=False)
        assert summary["rows"] == 0 and (tmp_path / name).exists()
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").strip() == ",".join(
        ["id", "text", *SCORE_COLUMNS]
    )
    assert list(pd.read_parquet(tmp_path / "out.parquet").columns) == ["id", "text", *SCORE_COLUMNS]


def test_empty_jsonl_input_among_others(tmp_path: Path, fake_model: LoadedModel) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    other = write_table(pd.DataFrame({"text": ["hi"]}), tmp_path / "a.csv")
    summary = score_files([empty, other], tmp_path / "out.csv", model=fake_model, progress=False)
    assert summary["rows"] == 1


def test_text_column_is_checked_in_every_input_before_writing(
    tmp_path: Path, fake_model: LoadedModel
) -> None:
    good = write_table(pd.DataFrame({"text": ["hi"]}), tmp_path / "good.csv")
    bad = write_table(pd.DataFrame({"message": ["hi"]}), tmp_path / "bad.csv")
    output = tmp_path / "out.csv"
    with pytest.raises(InputError, match=r"bad\.csv: no text column.*'message'"):
        score_files([good, bad], output, model=fake_model, progress=False)
    assert not output.exists()


def test_explicit_text_column_for_files(tmp_path: Path, fake_model: LoadedModel) -> None:
    frame = pd.DataFrame({"text": ["fine"], "Body Text": ["you idiot"]})
    source = write_table(frame, tmp_path / "in.csv")
    output = tmp_path / "out.csv"
    score_files([source], output, text_col="Body Text", model=fake_model, progress=False)
    assert read_table(tmp_path / "out.csv")["decision"].tolist() == ["review"]


@pytest.mark.parametrize(
    ("inputs", "output", "match"),
    [
        (["missing.csv"], "out.csv", "missing.csv: no such file"),
        (["in.docx"], "out.csv", "unknown file type"),
        (["in.csv"], "out.xlsx", "unknown file type"),
        (["in.csv"], "nodir/out.csv", "does not exist"),
        (["in.csv", "missing.jsonl"], "out.csv", "missing.jsonl: no such file"),
        (["in.csv"], "in.csv", "cannot also be an input"),
    ],
)
def test_bad_arguments_fail_before_writing(
    tmp_path: Path, fake_model: LoadedModel, comments: pd.DataFrame, inputs, output, match
) -> None:
    write_table(comments, tmp_path / "in.csv")
    (tmp_path / "in.docx").write_text("text\nhi\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(InputError, match=match):
        score_files(
            [tmp_path / name for name in inputs],
            tmp_path / output,
            model=fake_model,
            progress=False,
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_malformed_rows_mid_file_leave_no_output(tmp_path: Path, fake_model: LoadedModel) -> None:
    source = tmp_path / "in.csv"
    lines = ["id,text", *(f"{i},comment {i}" for i in range(30)), "31,too,many,fields"]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    output.write_text("previous results\n", encoding="utf-8")
    with pytest.raises(InputError, match="malformed CSV"):
        score_files([source], output, model=fake_model, chunk_size=5, progress=False)
    assert output.read_text(encoding="utf-8") == "previous results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_model_failure_mid_run_leaves_no_output(tmp_path: Path, fake_model: LoadedModel) -> None:
    calls = []

    class FailsLater:
        def predict_proba(self, texts):
            calls.append(len(texts))
            if len(calls) > 2:
                raise RuntimeError("model crashed")
            return np.full((len(texts), len(LABELS)), 0.2)

    model = LoadedModel("flaky", FailsLater(), LABELS, fake_model.thresholds)
    source = write_table(_fifty_comments(), tmp_path / "in.csv")
    with pytest.raises(RuntimeError, match="crashed"):
        score_files([source], tmp_path / "out.parquet", model=model, chunk_size=5, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_model_is_loaded_once_from_a_path(
    tmp_path: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import moderate.score as score_module

    loads = []
    real = score_module.load_model
    monkeypatch.setattr(score_module, "load_model", lambda p=None: loads.append(p) or real(p))
    source = write_table(_fifty_comments(), tmp_path / "in.csv")
    output = tmp_path / "out.csv"
    summary = score_files([source], output, model=tiny_model_dir, chunk_size=7, progress=False)
    assert len(loads) == 1 and summary["model_id"] == "tiny-0"


def test_progress_bar_on_request(tmp_path: Path, fake_model: LoadedModel, capsys) -> None:
    source = write_table(_fifty_comments(), tmp_path / "in.csv")
    score_files([source], tmp_path / "out.csv", model=fake_model, chunk_size=7, progress=True)
    err = capsys.readouterr().err
    assert "50/50" in err and "comments" in err
    score_files([source], tmp_path / "out2.csv", model=fake_model, progress=False)
    assert capsys.readouterr().err == ""


# --------------------------------------------------------------------------- thresholds


def test_threshold_overrides_change_decisions_not_scores(fake_model) -> None:
    frame = pd.DataFrame({"text": ["you idiot", "a calm remark"]})
    base = score_frame(frame, model=fake_model)
    strict = score_frame(
        frame, model=fake_model, thresholds={label: {"review": 0.0, "reject": 0.0} for label in LABELS}
    )
    assert strict["decision"].tolist() == ["reject", "reject"]
    assert base[list(LABELS)].equals(strict[list(LABELS)])
    assert fake_model.thresholds["toxicity"]["reject"] == 0.9  # the model itself is untouched


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nonsense": {"review": 0.5}}, "unknown label"),
        ({"toxicity": {"block": 0.5}}, "unknown threshold kind"),
        ({"toxicity": {"reject": 1.5}}, "outside"),
        ({"toxicity": {"review": 0.95, "reject": 0.9}}, "above"),
    ],
)
def test_bad_threshold_overrides(fake_model, overrides, message) -> None:
    with pytest.raises(InputError, match=message):
        score_frame(pd.DataFrame({"text": ["x"]}), model=fake_model, thresholds=overrides)


def test_parse_threshold_options() -> None:
    from moderate.decision import parse_threshold_options

    assert parse_threshold_options(["toxicity.reject=0.95", "insult.review=0.4"]) == {
        "toxicity": {"reject": 0.95},
        "insult": {"review": 0.4},
    }
    with pytest.raises(InputError, match="LABEL.review"):
        parse_threshold_options(["toxicity=0.9"])


def test_article_rows_dedupe_and_clean_article_cells():
    """Each distinct (title, body) is one article, in first-appearance order; blank titles are
    None, missing bodies empty, non-text bodies their text; a row with neither has no article."""
    import numpy as np

    from moderate.score import NO_ARTICLE, Articles

    frame = pd.DataFrame({"article": ["x", None, "  ", "y", "x", 5, np.nan, "x", ["l"]],
                          "title": [None, "T", "  ", "y", "Z", None, "T2", " ", None]})
    article_of, distinct, parents = Articles(column="article", title_col="title").rows(frame)
    assert distinct == [(None, "x"), ("T", ""), ("y", "y"), ("Z", "x"), (None, "5"), ("T2", ""), (None, "['l']")]
    assert article_of.tolist() == [0, 1, NO_ARTICLE, 2, 3, 4, 5, 0, 6] and parents is None
    article_of, distinct, _ = Articles(column="article").rows(frame.drop(columns="title"))
    assert distinct == [(None, "x"), (None, "y"), (None, "5"), (None, "['l']")]
    assert article_of.tolist() == [0, NO_ARTICLE, NO_ARTICLE, 1, 0, 2, NO_ARTICLE, 0, 3]
    assert Articles(column="article").rows(frame.head(0))[0].tolist() == []


def test_article_rows_keep_equal_values_of_different_types_apart():
    """The fast path (distinct strings found once) must not merge what the text reading keeps
    apart: 1, 1.0 and True are three articles; missing cells stay missing next to a list."""
    from moderate.score import NO_ARTICLE, Articles

    article_of, distinct, _ = Articles(column="b").rows(pd.DataFrame({"b": [1, 1.0, True]}))
    assert article_of.tolist() == [0, 1, 2] and [body for _, body in distinct] == ["1", "1.0", "True"]
    article_of, distinct, _ = Articles(column="b").rows(pd.DataFrame({"b": [["l"], pd.NA, pd.NaT, None]}))
    assert article_of.tolist() == [0, NO_ARTICLE, NO_ARTICLE, NO_ARTICLE]
    article_of, distinct, _ = Articles(column="b", title_col="t").rows(
        pd.DataFrame({"b": ["x", "x"], "t": [["a"], None]}))
    assert distinct == [(None, "x")] and article_of.tolist() == [0, 0]  # a list is no title
