"""``moderate score`` through cli.main and, once, the installed command (python -m moderate)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from moderate import cli
from moderate.registry import ARTIFACT_NAME, LoadedModel, save_model_folder
from moderate.schema import LABELS, SCORE_COLUMNS

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "data" / "examples" / "comments.csv"


@pytest.fixture
def comments_csv(tmp_path: Path, comments: pd.DataFrame) -> Path:
    path = tmp_path / "comments.csv"
    comments.to_csv(path, index=False)
    return path


def run_score(*args: str | os.PathLike[str]) -> int:
    return cli.main(["score", *map(str, args), "--no-progress"])


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got: {err!r}"
    assert lines[0].startswith("moderate score: error: ")
    return lines[0]


def test_scores_a_csv(tmp_path: Path, tiny_model_dir: Path, comments_csv: Path, capsys) -> None:
    output = tmp_path / "scores.csv"
    assert run_score(comments_csv, "-o", output, "--model", tiny_model_dir) == 0
    out = pd.read_csv(output, dtype=str, keep_default_na=False, na_values=[""])
    assert list(out.columns) == ["comment_id", "author", "text", *SCORE_COLUMNS]
    assert out["comment_id"].tolist() == [f"c{i}" for i in range(1, 9)]
    assert set(out["model_id"]) == {"tiny-0"}
    summary = capsys.readouterr().err.strip().splitlines()
    assert len(summary) == 1
    assert "scored 5 of 8 rows" in summary[0]
    assert "tiny-0" in summary[0] and str(output) in summary[0]
    assert "reject" in summary[0] and "approve" in summary[0]


@pytest.mark.parametrize("output_name", ["scores.jsonl", "scores.parquet", "scores.tsv"])
def test_output_formats(
    tmp_path: Path, tiny_model_dir: Path, comments_csv: Path, output_name: str
) -> None:
    output = tmp_path / output_name
    model = ["--model", tiny_model_dir]
    assert run_score(comments_csv, "-o", output, *model, "--chunk-size", "3") == 0
    assert output.exists()


def test_text_col_option(tmp_path: Path, tiny_model_dir: Path) -> None:
    source = tmp_path / "in.tsv"
    pd.DataFrame({"id": [1, 2], "Message": ["you idiot", ""]}).to_csv(source, sep="\t", index=False)
    output = tmp_path / "out.csv"
    assert run_score(source, "-o", output, "--model", tiny_model_dir, "--text-col", "Message") == 0
    out = pd.read_csv(output)
    assert out["status"].tolist() == ["no_article", "missing_text"]


def test_several_inputs(tmp_path: Path, tiny_model_dir: Path, comments_csv: Path) -> None:
    other = tmp_path / "more.jsonl"
    pd.DataFrame({"body": ["thanks!"], "lang": ["en"]}).to_json(other, orient="records", lines=True)
    output = tmp_path / "out.parquet"
    assert run_score(comments_csv, other, "-o", output, "--model", tiny_model_dir) == 0
    out = pd.read_parquet(output)
    assert out.columns[0] == "input_file" and len(out) == 9
    assert out["input_file"].iloc[-1] == str(other)


def test_warnings_are_one_line(tmp_path: Path, tiny_model_dir: Path, capsys) -> None:
    source = tmp_path / "in.csv"
    pd.DataFrame({"text": ["hi"], "decision": ["published"]}).to_csv(source, index=False)
    output = tmp_path / "out.csv"
    assert run_score(source, "-o", output, "--model", tiny_model_dir) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0] == (
        "moderate score: warning: input column(s) renamed because scoring writes columns "
        "of the same name: 'decision' -> 'decision_input'"
    )
    assert len(err) == 2 and err[1].startswith("moderate score: scored 1 of 1 rows")
    assert pd.read_csv(output)["decision_input"].tolist() == ["published"]


def test_model_from_the_environment(
    tmp_path: Path, tiny_model_dir: Path, comments_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODERATE_MODEL", str(tiny_model_dir))
    assert run_score(comments_csv, "-o", tmp_path / "out.csv") == 0


def test_shipped_example_file(tmp_path: Path, tiny_model_dir: Path) -> None:
    output = tmp_path / "scores.csv"
    assert run_score(EXAMPLES, "-o", output, "--model", tiny_model_dir) == 0
    source = pd.read_csv(EXAMPLES, dtype=str, keep_default_na=False, na_values=[""])
    out = pd.read_csv(output, dtype=str, keep_default_na=False, na_values=[""])
    assert len(source) >= 40
    assert list(source.columns) == ["comment_id", "article", "author", "text"]
    assert source["comment_id"].is_unique
    pd.testing.assert_frame_equal(out[source.columns], source)
    assert {"no_article", "empty_text", "missing_text"} <= set(out["status"])
    assert source["text"].str.contains("\n", na=False).any()  # a multi-line comment
    assert not source["text"].fillna("").map(str.isascii).all()  # non-ASCII text


# --------------------------------------------------------------------------- failures


def _garbage_model(tmp_path: Path, fake_model: LoadedModel) -> Path:
    folder = save_model_folder(
        tmp_path / "garbage-0",
        {"not": "a model"},
        {"model_id": "garbage-0", "labels": list(LABELS), "thresholds": fake_model.thresholds},
    )
    (folder / ARTIFACT_NAME).write_bytes(b"\x00garbage bytes, not a skops zip file\xff" * 10)
    return folder


def _untrusted_model(tmp_path: Path, fake_model: LoadedModel) -> Path:
    # The fake estimator's class lives in the test suite, not on the registry's allow-list.
    return save_model_folder(
        tmp_path / "untrusted-0",
        fake_model.estimator,
        {"model_id": "untrusted-0", "labels": list(LABELS), "thresholds": fake_model.thresholds},
    )


FAILURES = {
    "missing input": (["missing.csv", "-o", "out.csv"], "missing.csv: no such file"),
    "unknown input extension": (["comments.xlsx", "-o", "out.csv"], "unknown file type"),
    "unknown output extension": (["comments.csv", "-o", "out.xlsx"], "unknown file type"),
    "missing text column": (["no_text.csv", "-o", "out.csv"], "no text column.*'id', 'message'"),
    "unknown --text-col": (
        ["comments.csv", "-o", "out.csv", "--text-col", "nope"],
        "no column 'nope'",
    ),
    "malformed input": (["malformed.csv", "-o", "out.csv"], "malformed CSV"),
    "missing model folder": (
        ["comments.csv", "-o", "out.csv", "--model", "{tmp}/nomodel"],
        "model not found",
    ),
    "garbage model file": (
        ["comments.csv", "-o", "out.csv", "--model", "{garbage}"],
        "unreadable model file",
    ),
    "untrusted model type": (
        ["comments.csv", "-o", "out.csv", "--model", "{untrusted}"],
        "refusing to load.*KeywordEstimator",
    ),
}


@pytest.mark.parametrize("case", list(FAILURES))
@pytest.mark.parametrize("existing_output", [False, True])
def test_expected_failures_exit_2_with_one_line_and_no_output(
    tmp_path: Path,
    tiny_model_dir: Path,
    fake_model: LoadedModel,
    comments: pd.DataFrame,
    capsys,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    existing_output: bool,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    comments.to_csv(work / "comments.csv", index=False)
    comments.to_csv(work / "comments.xlsx", index=False)
    pd.DataFrame({"id": [1], "message": ["hi"]}).to_csv(work / "no_text.csv", index=False)
    (work / "malformed.csv").write_text(
        "text,n\n" + "fine,1\n" * 20 + "broken,2,3\n", encoding="utf-8"
    )
    places = {
        "tmp": str(tmp_path),
        "garbage": str(_garbage_model(tmp_path, fake_model)),
        "untrusted": str(_untrusted_model(tmp_path, fake_model)),
    }
    args, message = FAILURES[case]
    args = [a.format(**places) for a in args]
    if "--model" not in args:
        args += ["--model", str(tiny_model_dir)]
    monkeypatch.chdir(work)
    if existing_output:
        (work / "out.csv").write_text("earlier results\n", encoding="utf-8")
        (work / "out.xlsx").write_bytes(b"earlier results")
    before = {p.name: p.read_bytes() for p in work.iterdir()}

    assert run_score(*args, "--chunk-size", "5") == 2
    line = error_line(capsys)
    assert re.search(message, line), line
    after = {p.name: p.read_bytes() for p in work.iterdir()}
    assert after == before  # nothing written, nothing half-written, nothing replaced


def test_output_is_required(comments_csv: Path, capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["score", str(comments_csv)])
    assert caught.value.code == 2
    assert "-o/--output" in capsys.readouterr().err


@pytest.mark.parametrize("size", ["0", "-3", "many"])
def test_chunk_size_must_be_a_positive_integer(comments_csv: Path, size: str, capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["score", str(comments_csv), "-o", "x.csv", "--chunk-size", size])
    assert caught.value.code == 2
    assert "--chunk-size" in capsys.readouterr().err


# --------------------------------------------------------------------------- installed command


def test_python_dash_m_moderate(tmp_path: Path, tiny_model_dir: Path, comments_csv: Path) -> None:
    path = os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    env.pop("MODERATE_MODEL", None)
    output = tmp_path / "scores.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "moderate", "score", str(comments_csv), "-o", str(output),
         "--model", str(tiny_model_dir)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "scored 5 of 8 rows" in done.stderr
    assert len(pd.read_json(output, lines=True)) == 8

    failed = subprocess.run(
        [sys.executable, "-m", "moderate", "score", "missing.csv", "-o", "x.csv",
         "--model", str(tiny_model_dir)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert failed.returncode == 2
    assert failed.stderr.strip() == "moderate score: error: missing.csv: no such file"
    assert not (tmp_path / "x.csv").exists()


def test_threshold_option(tmp_path: Path, tiny_model_dir: Path, comments_csv: Path, capsys) -> None:
    output = tmp_path / "out.csv"
    everything = ["--threshold=toxicity.review=0", "--threshold=toxicity.reject=0"]
    assert run_score(comments_csv, "-o", output, "--model", tiny_model_dir, *everything) == 0
    scored = pd.read_csv(output)
    assert set(scored.loc[scored["status"] == "no_article", "decision"]) == {"reject"}
    capsys.readouterr()  # the first run's summary line
    bad = run_score(comments_csv, "-o", tmp_path / "bad.csv", "--model", tiny_model_dir,
                    "--threshold", "toxicity=0.9")
    assert bad == 2
    assert "LABEL.review" in error_line(capsys)
    assert not (tmp_path / "bad.csv").exists()
