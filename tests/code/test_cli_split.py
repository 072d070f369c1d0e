"""``moderate split`` and ``moderate score`` on pages, with a tiny splitter and the fake scorer."""

import gzip
import json

import pandas as pd
import pytest

from moderate.cli import main
from moderate.pages.split import Splitter, prepare
from moderate.score import score_files

PAGE = """Council approves new budget for 7 parks
By Jane Doe | 3 March 2014
The city council approved a budget on Tuesday that adds money for parks and libraries.
Share this article
2 Comments
Sarah says:
March 4, 2014 at 6:57 am
What a stupid idea, the money should go to schools.
Reply
Tom says:
March 4, 2014 at 7:12 am
Fine by me.
Reply
"""


@pytest.fixture()
def pages(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.txt").write_text(PAGE, encoding="utf-8")
    (folder / "b.txt.gz").write_bytes(gzip.compress(PAGE.encode("utf-16")))
    (folder / "empty.txt").write_bytes(b"")
    return folder


def test_split_writes_one_json_object_per_page(pages, tiny_splitter_dir, tmp_path, capsys):
    out = tmp_path / "pages.jsonl"
    assert main(["split", str(pages), "-o", str(out), "--splitter", str(tiny_splitter_dir), "--lines"]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["source"].rsplit("/", 1)[-1] for r in records] == ["a.txt", "b.txt.gz", "empty.txt"]
    first = records[0]
    assert set(first) == {"source", "article", "comments", "boilerplate", "lines"}
    assert set(first["article"]) == {"title", "byline", "published", "body"}
    for c in first["comments"]:
        assert set(c) == {"index", "author", "posted_at", "text", "reply_to", "about"}
    assert records[0]["comments"] == records[1]["comments"]  # UTF-16 + gzip read the same
    assert records[2]["comments"] == [] and records[2]["article"]["body"] == ""
    # every non-blank line accounted for once
    assert [line["text"] for line in first["lines"]] == [l.strip() for l in PAGE.splitlines() if l.strip()]
    assert "3 pages" in capsys.readouterr().err


def test_split_to_stdout_and_errors(pages, tiny_splitter_dir, tmp_path, capsys):
    assert main(["split", str(pages / "a.txt"), "--splitter", str(tiny_splitter_dir)]) == 0
    assert json.loads(capsys.readouterr().out)["source"].endswith("a.txt")
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(20)) * 100)
    assert main(["split", str(junk), "--splitter", str(tiny_splitter_dir)]) == 2
    err = capsys.readouterr().err
    assert "binary" in err and len(err.strip().splitlines()) == 1
    assert main(["split", str(junk), str(pages / "a.txt"), "--splitter", str(tiny_splitter_dir)]) == 0
    assert "1 skipped" in capsys.readouterr().err
    assert main(["split", str(tmp_path / "missing.txt"), "--splitter", str(tiny_splitter_dir)]) == 2
    assert main(["split", str(pages), "--splitter", str(tmp_path)]) == 2


def test_score_pages_writes_one_row_per_comment(pages, tiny_splitter_dir, fake_model, tmp_path):
    out = tmp_path / "scores.csv"
    summary = score_files([str(pages)], out, model=fake_model, splitter=str(tiny_splitter_dir), n_jobs=1, progress=False)
    frame = pd.read_csv(out)
    assert list(frame.columns[:7]) == ["source", "index", "author", "posted_at", "reply_to", "about", "text"]
    assert {"toxicity", "decision", "status", "model_id"} <= set(frame.columns)
    assert summary["pages"] == 3 and summary["rows"] == len(frame)
    splitter = Splitter.load(tiny_splitter_dir)
    expected = splitter.split_text(PAGE)
    assert len(frame) == 2 * len(expected.comments)


def test_score_refuses_mixing_pages_and_tables(pages, tmp_path, fake_model):
    table = tmp_path / "t.csv"
    table.write_text("text\nhello\n")
    from moderate.errors import InputError

    with pytest.raises(InputError, match="not both"):
        score_files([str(pages), str(table)], tmp_path / "o.csv", model=fake_model)


def test_parallel_preparation_matches_serial(tiny_splitter_dir, monkeypatch):
    from joblib.externals import loky

    from moderate.pages.read import page_from_bytes
    from moderate.pages.split import PARALLEL_MIN_PAGES

    splitter = Splitter.load(tiny_splitter_dir)
    n = 2 * PARALLEL_MIN_PAGES + 6
    raws = [page_from_bytes(PAGE.replace("7 parks", f"{k} parks").encode(), f"p{k}") for k in range(n)]

    def no_workers(*args, **kwargs):
        raise AssertionError("n_jobs=1 must not start worker processes")

    with monkeypatch.context() as patch:
        patch.setattr(loky, "get_reusable_executor", no_workers)
        serial = [s.to_dict() for s in splitter.split_raw(raws, n_jobs=1)]
    assert [s["source"] for s in serial] == [f"p{k}" for k in range(n)]
    # one batch on workers; then two batches, the second prepared while the first is labelled,
    # and a tail too small for workers
    assert [s.to_dict() for s in splitter.split_raw(raws, n_jobs=2)] == serial
    assert [s.to_dict() for s in splitter.split_raw(iter(raws), batch_size=PARALLEL_MIN_PAGES, n_jobs=2)] == serial


def test_chunks_no_worker_started_are_split_here(tiny_splitter_dir):
    """A batch's unstarted chunks (their futures still cancellable) are split by the caller, in order."""
    from moderate.pages.read import page_from_bytes
    from moderate.pages.split import _Batch

    splitter = Splitter.load(tiny_splitter_dir)
    raws = [page_from_bytes(PAGE.replace("7 parks", f"{k} parks").encode(), f"p{k}") for k in range(6)]
    expected = [s.to_dict() for s in splitter.split_raw(raws, n_jobs=1)]

    class Started:  # a chunk a worker has taken: not cancellable, its result comes from the worker
        def __init__(self, chunk):
            self.value = splitter.split_prepared([prepare(raw) for raw in chunk])

        def cancel(self):
            return False

        def result(self):
            return self.value

    class Waiting:  # a chunk still queued
        cancelled = False

        def cancel(self):
            self.cancelled = True
            return True

        def result(self):
            raise AssertionError("a cancelled chunk's result is never asked for")

    batch = _Batch(splitter, raws, 1, None)
    batch.chunks = [raws[0:2], raws[2:4], raws[4:6]]
    batch.futures = [Started(raws[0:2]), Waiting(), Waiting()]
    assert [s.to_dict() for s in batch.result()] == expected
    assert batch.futures[1].cancelled and batch.futures[2].cancelled


def test_a_page_too_big_to_split_is_skipped_not_fatal(pages, tiny_splitter_dir, tmp_path, capsys, monkeypatch):
    """One page over the block limit costs a warning, not the run; alone, it is a one-line error."""
    import pickle

    import moderate.pages.split as split_module
    from moderate.errors import InputError

    folder = tmp_path / "many"
    folder.mkdir()
    n = 5
    for k in range(n):
        (folder / f"p{k:03d}.txt").write_text(PAGE.replace("7 parks", f"{k} parks"), encoding="utf-8")
    limit = max(len(PAGE.splitlines()), 100)
    (folder / "p002_huge.txt").write_text("\n".join(f"line {i} of a page too long" for i in range(limit + 5)), encoding="utf-8")
    monkeypatch.setattr(split_module, "MAX_BLOCKS", limit)  # this process only: --jobs 1
    out = tmp_path / "out.jsonl"
    assert main(["split", str(folder), "-o", str(out), "--jobs", "1", "--splitter", str(tiny_splitter_dir)]) == 0
    assert [json.loads(line)["source"].rsplit("/", 1)[-1] for line in out.read_text().splitlines()] == [
        f"p{k:03d}.txt" for k in range(n)]
    err = capsys.readouterr().err
    assert "p002_huge.txt" in err and "1 skipped" in err
    assert main(["split", str(folder / "p002_huge.txt"), "--splitter", str(tiny_splitter_dir), "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert "blocks" in err and len(err.strip().splitlines()) == 1
    # from a worker process the error comes back as a value: it must survive pickling
    exc = pickle.loads(pickle.dumps(InputError("x: 9 text blocks")))
    assert isinstance(exc, InputError) and str(exc) == "x: 9 text blocks"


def test_workers_split_on_one_openmp_thread(tiny_splitter_dir, tmp_path, monkeypatch):
    """Worker processes (one per core) must not start OpenMP threads: two per worker made the
    gradient-boosted trees wait for each other and the split ten times slower."""
    import pickle

    from threadpoolctl import threadpool_info

    import moderate.pages.split as split_module

    splitter = Splitter.load(tiny_splitter_dir)
    path = tmp_path / "splitter.pickle"
    path.write_bytes(pickle.dumps(splitter))
    seen = []

    def record(splitter, raws):
        seen.append([info["num_threads"] for info in threadpool_info() if info["user_api"] == "openmp"])
        return []

    monkeypatch.setattr(split_module, "_split_or_error", record)
    split_module._split_chunk("test-key", str(path), [])
    assert len(seen) == 1 and seen[0] and all(n == 1 for n in seen[0])  # OpenMP is loaded, on one thread
