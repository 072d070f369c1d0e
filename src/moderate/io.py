"""Read comment tables in chunks and write scored tables, by file extension.

Supported formats (the extension is matched case-insensitively):

* CSV  - ``.csv``;
* TSV  - ``.tsv``, ``.tab``;
* JSON Lines - ``.jsonl``, ``.ndjson``;
* Parquet - ``.parquet``, ``.pq``.

CSV, TSV and JSON Lines may carry a trailing ``.gz`` (``comments.csv.gz``).

Reading streams fixed-size chunks so memory does not grow with the file. CSV and TSV
cells are read as strings exactly as written (an empty cell is the only missing
value), JSON Lines keeps its JSON types, Parquet keeps its Arrow types.

Writing goes to a hidden temporary file beside the output, which replaces the output
only when everything was written: a failed run leaves no partial file behind and
leaves an existing output untouched.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any, NamedTuple

import pandas as pd

from moderate.errors import InputError
from moderate.schema import LABELS, SCORE_COLUMNS

PathLike = str | os.PathLike[str]

#: Extension (lower case, without ``.gz``) -> format name.
EXTENSIONS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
#: Formats that may be gzip-compressed (``.csv.gz`` etc.).
COMPRESSIBLE: frozenset[str] = frozenset({"csv", "tsv", "jsonl"})
_SEPARATORS = {"csv": ",", "tsv": "\t"}


class TableFormat(NamedTuple):
    """A file's format name (``csv``, ``tsv``, ``jsonl``, ``parquet``) and compression."""

    name: str
    gzip: bool


def supported_extensions() -> str:
    """The supported extensions as one human-readable string, for error messages."""
    plain = ", ".join(EXTENSIONS)
    return f"{plain} (csv, tsv and jsonl also with .gz)"


def table_format(path: PathLike) -> TableFormat:
    """The format of ``path`` from its extension; :class:`InputError` if unknown."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    if compressed:
        suffixes = suffixes[:-1]
    name = EXTENSIONS.get(suffixes[-1]) if suffixes else None
    if name is None or (compressed and name not in COMPRESSIBLE):
        raise InputError(
            f"{path}: unknown file type; supported extensions are {supported_extensions()}"
        )
    return TableFormat(name, compressed)


# --------------------------------------------------------------------------- reading


def check_readable(path: PathLike) -> TableFormat:
    """Check that ``path`` has a known format and is an existing, readable file."""
    fmt = table_format(path)
    file = Path(path)
    if not file.exists():
        raise InputError(f"{path}: no such file")
    if not file.is_file():
        raise InputError(f"{path}: not a file")
    if not os.access(file, os.R_OK):
        raise InputError(f"{path}: permission denied")
    return fmt


def iter_table_chunks(path: PathLike, chunk_size: int) -> Iterator[pd.DataFrame]:
    """Yield ``path`` as DataFrames of at most ``chunk_size`` rows, in file order.

    The format and the file's existence are checked at once; read errors (bad
    encoding, malformed rows) surface as :class:`InputError` while iterating. Each
    chunk has a fresh ``RangeIndex`` counting rows from the start of the file. A CSV
    or TSV file yields at least one (possibly empty) chunk carrying its header; an
    empty JSON Lines file yields nothing.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    fmt = check_readable(path)
    if fmt.name == "parquet":
        return _iter_parquet(path, chunk_size)
    return _iter_text_table(path, fmt, chunk_size)


def _iter_text_table(path: PathLike, fmt: TableFormat, chunk_size: int) -> Iterator[pd.DataFrame]:
    compression = "gzip" if fmt.gzip else None
    try:
        if fmt.name == "jsonl":
            reader: Any = pd.read_json(
                path,
                lines=True,
                chunksize=chunk_size,
                dtype=False,  # keep JSON types; no date or number guessing
                dtype_backend="numpy_nullable",  # integers with nulls stay integers
                compression=compression,
                encoding="utf-8",
            )
        else:
            reader = pd.read_csv(
                path,
                sep=_SEPARATORS[fmt.name],
                chunksize=chunk_size,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                compression=compression,
                encoding="utf-8-sig",  # tolerate the byte-order mark spreadsheets write
            )
        with reader:
            for chunk in reader:
                yield chunk
    except InputError:
        raise
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: empty file (no header row)") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot read: {_reason(exc)}") from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"{path}: malformed {fmt.name.upper()}: {_reason(exc)}") from None


def _iter_parquet(path: PathLike, chunk_size: int) -> Iterator[pd.DataFrame]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    start = 0
    try:
        with pq.ParquetFile(path) as parquet:
            for batch in parquet.iter_batches(batch_size=chunk_size):
                # Arrow-backed columns keep the file's types exactly (integers with
                # nulls stay integers), so writing Parquet back is lossless.
                chunk = batch.to_pandas(types_mapper=pd.ArrowDtype)
                chunk.index = pd.RangeIndex(start, start + len(chunk))
                start += len(chunk)
                yield chunk
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable Parquet: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "strerror", None) or exc).strip()
    return " ".join(text.split()) or type(exc).__name__


def count_rows_cheaply(path: PathLike) -> int | None:
    """The number of rows in ``path`` if it can be had cheaply, else ``None``.

    Parquet: from the file metadata. Uncompressed CSV/TSV/JSON Lines: a line count (an
    estimate for CSV with quoted line breaks, good enough for a progress bar).
    Compressed files: ``None``.
    """
    try:
        fmt = table_format(path)
        if fmt.name == "parquet":
            import pyarrow.parquet as pq

            return int(pq.read_metadata(path).num_rows)
        if fmt.gzip:
            return None
        lines = 0
        last = b"\n"
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                lines += block.count(b"\n")
                last = block[-1:]
        if last != b"\n":
            lines += 1  # a final line without a newline
        header = 1 if fmt.name in _SEPARATORS else 0
        return max(lines - header, 0)
    except Exception:  # a progress total is a nicety; never fail because of it
        return None


# --------------------------------------------------------------------------- writing


class TableWriter:
    """Write DataFrame chunks to ``path`` in the format of its extension, atomically.

    Use as a context manager::

        with TableWriter("scores.parquet") as writer:
            for chunk in chunks:
                writer.write(chunk)

    Every chunk must have the same columns in the same order; the index is not
    written. The data goes to a hidden temporary file in the output's directory that
    replaces ``path`` only when the block exits without an exception; otherwise it is
    deleted and ``path`` (if it existed) is left as it was.

    Parquet: the schema is fixed by the first non-empty chunk and later chunks are cast
    to it. Score columns have fixed types (float64 labels; string ``decision``,
    ``status``, ``model_id``) and columns that are entirely null in the first chunk are
    written as strings, so a later chunk with values still fits (unless the column is
    Arrow-backed, as columns read from Parquet are: then its type is known exactly).
    """

    def __init__(self, path: PathLike) -> None:
        self.path = Path(path)
        self.format = table_format(path)
        self.rows_written = 0
        self._tmp: Path | None = None
        self._raw: IO[bytes] | None = None
        self._text: io.TextIOWrapper | None = None
        self._columns: list[Any] | None = None
        self._parquet: Any = None  # pyarrow.parquet.ParquetWriter, created lazily
        self._schema: Any = None
        self._empty_frame: pd.DataFrame | None = None
        self._header_written = False

    # -- context management

    def __enter__(self) -> TableWriter:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def open(self) -> None:
        """Create the temporary file (called by ``__enter__``)."""
        folder = self.path.parent
        if not folder.is_dir():
            raise InputError(f"{self.path}: output folder {folder} does not exist")
        tmp = folder / f".{self.path.name}.{secrets.token_hex(4)}.tmp"
        try:
            self._raw = open(tmp, "xb")  # default permissions, unlike mkstemp's 0600
        except OSError as exc:
            raise InputError(f"{self.path}: cannot write: {_reason(exc)}") from None
        self._tmp = tmp
        if self.format.name != "parquet":
            stream: Any = self._raw
            if self.format.gzip:
                stream = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw)
            self._text = io.TextIOWrapper(stream, encoding="utf-8", newline="")

    def close(self) -> None:
        """Finish the file and move it into place."""
        if self._tmp is None:
            raise RuntimeError("TableWriter is not open")
        try:
            if self.format.name == "parquet":
                if self._parquet is None:  # only empty chunks (or none) were written
                    empty = self._empty_frame if self._empty_frame is not None else pd.DataFrame()
                    self._start_parquet(empty)
                self._parquet.close()
                self._parquet = None
            self._close_streams()
            os.replace(self._tmp, self.path)
            self._tmp = None
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Discard everything written; the output path is left untouched."""
        try:
            if self._parquet is not None:
                self._parquet.close()
        except Exception:
            pass
        self._parquet = None
        try:
            self._close_streams()
        except Exception:
            pass
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None

    def _close_streams(self) -> None:
        if self._text is not None:
            text, self._text = self._text, None
            text.close()  # closes the gzip stream and the raw file underneath
            self._raw = None
        if self._raw is not None:
            raw, self._raw = self._raw, None
            raw.close()

    # -- writing

    def write(self, frame: pd.DataFrame) -> None:
        """Append ``frame``'s rows (its index is not written)."""
        if self._tmp is None:
            raise RuntimeError("TableWriter is not open")
        columns = list(frame.columns)
        if self._columns is None:
            self._columns = columns
        elif columns != self._columns:
            raise ValueError(
                f"chunk columns {columns} differ from the first chunk's {self._columns}"
            )
        if self.format.name == "parquet":
            self._write_parquet(frame)
        elif self.format.name == "jsonl":
            self._write_jsonl(frame)
        else:
            self._write_csv(frame)
        self.rows_written += len(frame)

    def _write_csv(self, frame: pd.DataFrame) -> None:
        assert self._text is not None
        frame.to_csv(
            self._text,
            sep=_SEPARATORS[self.format.name],
            index=False,
            header=not self._header_written,
            lineterminator="\n",
        )
        self._header_written = True

    def _write_jsonl(self, frame: pd.DataFrame) -> None:
        assert self._text is not None
        if frame.empty:
            return
        text = frame.to_json(
            orient="records",
            lines=True,
            force_ascii=False,
            double_precision=15,
            date_format="iso",
            default_handler=str,
        )
        self._text.write(text if text.endswith("\n") else text + "\n")

    def _write_parquet(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa

        if frame.empty and self._parquet is None:
            # An empty chunk says nothing about column types; wait for real rows.
            self._empty_frame = frame
            return
        if self._parquet is None:
            self._start_parquet(frame)  # the first rows fix the schema
        table = _arrow_table(frame)
        try:
            table = table.cast(self._schema)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            bad = [
                f"{field.name!r} ({table.schema.field(field.name).type} -> {field.type})"
                for field in self._schema
                if not _castable(table.column(field.name), field.type)
            ]
            raise InputError(
                f"{self.path}: cannot write Parquet: column(s) {', '.join(bad) or '?'} change "
                "type after the first chunk; write CSV or JSON Lines instead, or use a "
                "larger --chunk-size"
            ) from None
        self._parquet.write_table(table)

    def _start_parquet(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        assert self._raw is not None and self._tmp is not None
        table = _arrow_table(frame)
        fields = []
        for position, (field, column) in enumerate(zip(table.schema, table.columns)):
            # Arrow-backed columns (read from Parquet) carry their exact type even when
            # empty; for the others an all-null column's type is only pandas' guess.
            exact = isinstance(frame.dtypes.iloc[position], pd.ArrowDtype)
            fields.append(pa.field(field.name, _fixed_type(field.name, field.type, column, exact)))
        self._schema = pa.schema(fields)
        self._raw.close()
        self._raw = None
        self._parquet = pq.ParquetWriter(str(self._tmp), self._schema)


def _fixed_type(name: str, arrow_type: Any, column: Any, exact: bool) -> Any:
    import pyarrow as pa

    if name in LABELS:
        return pa.float64()
    if name in SCORE_COLUMNS:
        return pa.string()
    all_null = len(column) > 0 and column.null_count == len(column)
    if pa.types.is_null(arrow_type) or (all_null and not exact):
        return pa.string()
    if pa.types.is_large_string(arrow_type):
        return pa.string()
    return arrow_type


def _castable(column: Any, target: Any) -> bool:
    try:
        column.cast(target)
        return True
    except Exception:
        return False


def _arrow_table(frame: pd.DataFrame) -> Any:
    """``frame`` as an Arrow table without its index; mixed-type object columns become text."""
    import pyarrow as pa

    arrays = []
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        try:
            arrays.append(pa.array(series, from_pandas=True))
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            # e.g. a JSON field holding a number in one row and a string in another
            as_text = series.map(_as_text, na_action="ignore")
            arrays.append(pa.array(as_text, pa.string(), from_pandas=True))
    return pa.Table.from_arrays(arrays, names=[str(c) for c in frame.columns])


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)
