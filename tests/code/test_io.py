"""moderate.io: formats by extension, chunked reading, atomic writing."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from moderate.errors import InputError
from moderate.io import (
    TableFormat,
    TableWriter,
    count_rows_cheaply,
    iter_table_chunks,
    table_format,
)
from moderate.schema import LABELS

TRICKY_TEXTS = [
    "plain",
    "comma, and \"quotes\"",
    "multi\nline\ncomment",
    "NA",  # not a missing value in CSV: read back as the string
    "null",
    "  leading and trailing spaces  ",
    "Ça va — ✓ 日本語 🥟",
    "0042",  # stays a string with its zeros
]


def tricky_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"id": [f"r{i}" for i in range(len(TRICKY_TEXTS) + 1)], "text": [*TRICKY_TEXTS, None]}
    )


def write_input(frame: pd.DataFrame, path: Path) -> Path:
    """Write a test input in the format of ``path``'s extension, without moderate.io."""
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        frame.to_parquet(path, index=False)
    elif ".jsonl" in name or ".ndjson" in name:
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        sep = "\t" if (".tsv" in name or ".tab" in name) else ","
        frame.to_csv(path, sep=sep, index=False)
    return path


def read_all(path: Path, chunk_size: int = 3) -> pd.DataFrame:
    chunks = list(iter_table_chunks(path, chunk_size))
    return pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.csv", TableFormat("csv", False)),
        ("a.CSV", TableFormat("csv", False)),
        ("a.tsv", TableFormat("tsv", False)),
        ("a.tab", TableFormat("tsv", False)),
        ("a.jsonl", TableFormat("jsonl", False)),
        ("a.ndjson", TableFormat("jsonl", False)),
        ("a.parquet", TableFormat("parquet", False)),
        ("a.PQ", TableFormat("parquet", False)),
        ("a.csv.gz", TableFormat("csv", True)),
        ("a.tsv.GZ", TableFormat("tsv", True)),
        ("a.jsonl.gz", TableFormat("jsonl", True)),
        ("dir.v2/comments.2024.csv", TableFormat("csv", False)),
    ],
)
def test_table_format_by_extension(name: str, expected: TableFormat) -> None:
    assert table_format(name) == expected


@pytest.mark.parametrize("name", ["a.txt", "a.xlsx", "a", "a.gz", "a.parquet.gz", "a.json"])
def test_unknown_extension_names_the_supported_ones(name: str) -> None:
    with pytest.raises(InputError, match=r"unknown file type.*\.csv.*\.jsonl.*\.parquet"):
        table_format(name)


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize(
    "name", ["in.csv", "in.tsv", "in.tab", "in.jsonl", "in.ndjson", "in.parquet", "in.pq"]
)
def test_values_round_trip_exactly(tmp_path: Path, name: str) -> None:
    frame = tricky_frame()
    path = write_input(frame, tmp_path / name)
    back = read_all(path)
    assert list(back.columns) == ["id", "text"]
    assert back["id"].tolist() == frame["id"].tolist()
    assert back["text"].iloc[:-1].tolist() == TRICKY_TEXTS
    assert pd.isna(back["text"].iloc[-1])


@pytest.mark.parametrize("name", ["in.csv.gz", "in.tsv.gz", "in.jsonl.gz"])
def test_gzip_inputs(tmp_path: Path, name: str) -> None:
    plain = write_input(tricky_frame(), tmp_path / name.removesuffix(".gz"))
    path = tmp_path / name
    path.write_bytes(gzip.compress(plain.read_bytes()))
    back = read_all(path)
    assert back["text"].iloc[:-1].tolist() == TRICKY_TEXTS


@pytest.mark.parametrize("name", ["in.csv", "in.jsonl", "in.parquet"])
def test_chunks_have_the_requested_size_and_file_positions(tmp_path: Path, name: str) -> None:
    frame = pd.DataFrame({"text": [f"comment {i}" for i in range(10)]})
    path = write_input(frame, tmp_path / name)
    chunks = list(iter_table_chunks(path, 4))
    assert [len(c) for c in chunks] == [4, 4, 2]
    assert [c.index[0] for c in chunks] == [0, 4, 8]


def test_csv_reads_everything_as_text(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("id,score,text\n007,1.50,hello\n008,,\n", encoding="utf-8")
    back = read_all(path)
    assert back["id"].tolist() == ["007", "008"]
    assert back["score"].iloc[0] == "1.50"
    assert pd.isna(back["score"].iloc[1]) and pd.isna(back["text"].iloc[1])


def test_csv_byte_order_mark_is_not_part_of_the_header(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("text,n\nhello,1\n", encoding="utf-8-sig")
    assert list(read_all(path).columns) == ["text", "n"]


def test_jsonl_keeps_json_types(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1, "text": "a"}\n{"id": null, "text": "b"}\n', encoding="utf-8")
    back = read_all(path)
    assert back["id"].iloc[0] == 1 and pd.isna(back["id"].iloc[1])
    assert str(back["id"].dtype) == "Int64"  # not 1.0


def test_header_only_csv_gives_one_empty_chunk(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("id,text\n", encoding="utf-8")
    chunks = list(iter_table_chunks(path, 5))
    assert len(chunks) == 1 and chunks[0].empty and list(chunks[0].columns) == ["id", "text"]


def test_empty_jsonl_gives_no_chunks(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("", encoding="utf-8")
    assert list(iter_table_chunks(path, 5)) == []


def test_missing_file_is_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.csv: no such file"):
        iter_table_chunks(tmp_path / "nope.csv", 5)


def test_unknown_input_extension(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_text("text\nhello\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown file type"):
        iter_table_chunks(path, 5)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bad.csv", b"a,b\n1,2\n1,2,3\n", "malformed CSV"),
        ("bad.csv", b'text\n"never closed\n', "malformed CSV"),
        ("empty.csv", b"", "empty file"),
        ("latin1.csv", "text\ncaf\xe9\n".encode("latin-1"), "not UTF-8"),
        ("bad.jsonl", b'{"text": "ok"}\n{"text": \n', "malformed JSONL"),
        ("bad.parquet", b"this is not parquet", "unreadable Parquet"),
        ("bad.csv.gz", b"not gzip at all", "cannot read|malformed"),
    ],
)
def test_unreadable_files_raise_one_line_input_errors(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=reason) as caught:
        list(iter_table_chunks(path, 1))
    message = str(caught.value)
    assert name in message and "\n" not in message


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "dir.csv"
    folder.mkdir()
    with pytest.raises(InputError, match="not a file"):
        iter_table_chunks(folder, 5)


def test_chunk_size_must_be_positive(tmp_path: Path) -> None:
    path = write_input(tricky_frame(), tmp_path / "in.csv")
    with pytest.raises(ValueError):
        iter_table_chunks(path, 0)


# --------------------------------------------------------------------------- counting


def test_count_rows_cheaply(tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": [f"c{i}" for i in range(12)]})
    assert count_rows_cheaply(write_input(frame, tmp_path / "a.csv")) == 12
    assert count_rows_cheaply(write_input(frame, tmp_path / "a.jsonl")) == 12
    assert count_rows_cheaply(write_input(frame, tmp_path / "a.parquet")) == 12
    gz = tmp_path / "a.csv.gz"
    gz.write_bytes(gzip.compress((tmp_path / "a.csv").read_bytes()))
    assert count_rows_cheaply(gz) is None
    assert count_rows_cheaply(tmp_path / "missing.csv") is None


# --------------------------------------------------------------------------- writing


def scored_like(n: int, start: int = 0, scored: bool = True) -> pd.DataFrame:
    """A frame shaped like scoring output: text columns then score columns."""
    frame = pd.DataFrame({"id": [f"r{start + i}" for i in range(n)], "text": ["x, \"y\"\nz"] * n})
    for j, label in enumerate(LABELS):
        frame[label] = np.linspace(0, 1, n) * (j + 1) / 10 if scored else np.nan
    frame["decision"] = pd.Series(["approve" if scored else None] * n, dtype=object)
    frame["status"] = "ok" if scored else "empty_text"
    frame["model_id"] = "m-1"
    return frame


def read_output(path: Path) -> pd.DataFrame:
    name = path.name.lower()
    if name.endswith(".parquet"):
        return pd.read_parquet(path)
    if ".jsonl" in name:
        return pd.read_json(path, lines=True, dtype=False)
    sep = "\t" if ".tsv" in name else ","
    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""])


@pytest.mark.parametrize("name", ["out.csv", "out.tsv", "out.jsonl", "out.parquet", "out.csv.gz"])
def test_writer_concatenates_chunks(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    parts = [scored_like(3, 0), scored_like(4, 3)]
    with TableWriter(path) as writer:
        for part in parts:
            writer.write(part)
    assert writer.rows_written == 7
    back = read_output(path)
    expected = pd.concat(parts, ignore_index=True)
    assert list(back.columns) == list(expected.columns)
    assert back["id"].tolist() == expected["id"].tolist()
    assert back["text"].tolist() == expected["text"].tolist()
    np.testing.assert_allclose(back["threat"].astype(float), expected["threat"], rtol=1e-12)
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary left behind


def test_parquet_all_null_first_chunk_does_not_break_later_chunks(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    first = scored_like(2, scored=False)
    first["extra"] = None  # entirely null: typed as string
    later = scored_like(3, 2)
    later["extra"] = ["a", "b", "c"]
    with TableWriter(path) as writer:
        writer.write(first)
        writer.write(later)
    schema = pq.read_schema(path)
    assert schema.field("toxicity").type == pa.float64()
    assert schema.field("decision").type == pa.string()
    assert schema.field("extra").type == pa.string()
    back = pd.read_parquet(path)
    assert back["extra"].tolist()[2:] == ["a", "b", "c"]
    assert back["decision"].isna().tolist() == [True, True, False, False, False]


def test_parquet_only_empty_chunks_still_writes_a_schema(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    with TableWriter(path) as writer:
        writer.write(scored_like(0))
    back = pd.read_parquet(path)
    assert back.empty and list(back.columns) == list(scored_like(0).columns)


def test_parquet_mixed_type_object_column_is_written_as_text(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    frame = pd.DataFrame({"meta": pd.Series([1, "two", {"k": 3}, None], dtype=object)})
    with TableWriter(path) as writer:
        writer.write(frame)
    assert pd.read_parquet(path)["meta"].tolist()[:3] == ["1", "two", '{"k": 3}']


def test_parquet_incompatible_later_chunk_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    with pytest.raises(InputError, match="'n'.*change type"):
        with TableWriter(path) as writer:
            writer.write(pd.DataFrame({"n": [1, 2]}))
            writer.write(pd.DataFrame({"n": ["x", "y"]}))
    assert list(tmp_path.iterdir()) == []


def test_writer_rejects_chunks_with_other_columns(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="differ"):
        with TableWriter(tmp_path / "out.csv") as writer:
            writer.write(pd.DataFrame({"a": [1]}))
            writer.write(pd.DataFrame({"b": [1]}))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["out.csv", "out.jsonl", "out.parquet"])
def test_failure_leaves_no_output_and_keeps_an_existing_one(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    with pytest.raises(RuntimeError):
        with TableWriter(path) as writer:
            writer.write(scored_like(5))
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []

    path.write_bytes(b"precious")
    with pytest.raises(RuntimeError):
        with TableWriter(path) as writer:
            writer.write(scored_like(5))
            raise RuntimeError("boom")
    assert path.read_bytes() == b"precious"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_output_is_only_replaced_at_the_end(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old\n", encoding="utf-8")
    with TableWriter(path) as writer:
        writer.write(scored_like(2))
        assert path.read_text(encoding="utf-8") == "old\n"
    assert path.read_text(encoding="utf-8").startswith("id,text,")


def test_unknown_output_extension(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown file type"):
        TableWriter(tmp_path / "out.xlsx")


def test_output_folder_must_exist(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        with TableWriter(tmp_path / "no" / "out.csv"):
            pass
