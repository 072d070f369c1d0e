"""Reading pages: gzip, encodings, HTML vs text, junk."""

import codecs
import gzip

import pytest

from moderate.errors import InputError
from moderate.pages.read import (
    HTML,
    TEXT,
    expand_page_paths,
    page_from_bytes,
    read_page,
    sniff_format,
)

PAGE = "Caf\u00e9 owners say \u201cno\u201d\nJos\u00e9 | 12/12/2016\nGreat article \u2013 thanks!\n"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (PAGE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + PAGE.encode("utf-8"), "utf-8-sig"),
        (PAGE.encode("cp1252"), "cp1252"),
        (PAGE.encode("utf-16"), "utf-16"),  # with BOM
        (codecs.BOM_UTF16_BE + PAGE.encode("utf-16-be"), "utf-16"),
    ],
)
def test_encodings_are_read_correctly(data, encoding):
    page = page_from_bytes(data, "p.txt")
    assert page.text == PAGE
    assert page.encoding == encoding
    assert page.fmt == TEXT


def test_crlf_and_gzip(tmp_path):
    path = tmp_path / "page.txt.gz"
    path.write_bytes(gzip.compress(PAGE.replace("\n", "\r\n").encode("cp1252")))
    page = read_page(path)
    assert page.text == PAGE


def test_cp1252_bytes_undefined_in_cp1252_do_not_crash():
    page = page_from_bytes(b"abc \x81\x8d def\n" * 5, "p.txt")
    assert "abc" in page.text


def test_html_is_detected_by_content_not_name():
    assert sniff_format("<!DOCTYPE html><html><body><p>x</p></body></html>") == HTML
    assert sniff_format("  <html lang='en'><head></head><body></body></html>") == HTML
    assert sniff_format("<div><p>a</p><p>b</p><p>c</p><span>d</span><a href=x>e</a></div>") == HTML
    assert sniff_format("Use <b> for bold, says Bob.\nReply") == TEXT


def test_binary_junk_is_a_one_line_error(tmp_path):
    path = tmp_path / "junk.txt"
    path.write_bytes(bytes(range(32)) * 200)
    with pytest.raises(InputError, match="binary"):
        read_page(path)


def test_broken_gzip_is_an_input_error(tmp_path):
    path = tmp_path / "page.html.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(InputError, match="gzip"):
        read_page(path)


def test_missing_file_and_folder_expansion(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_page(tmp_path / "nope.txt")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_text("<p>x</p>")
    (tmp_path / "notes.csv").write_text("a,b")
    assert [p.name for p in expand_page_paths([str(tmp_path)])] == ["a.txt", "b.html"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no page files"):
        expand_page_paths([str(empty)])


def test_empty_file_reads_as_an_empty_text_page(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    page = read_page(path)
    assert page.text == "" and page.fmt == TEXT


def test_mixed_utf8_and_cp1252_bytes_are_both_read():
    data = "Caf\u00e9 \u2013 na\u00efve\n".encode("utf-8") + "Jos\u00e9 said \u201cno\u201d\n".encode("cp1252")
    page = page_from_bytes(data, "mixed.txt")
    assert page.text == "Caf\u00e9 \u2013 na\u00efve\nJos\u00e9 said \u201cno\u201d\n"
    assert page.encoding == "utf-8+cp1252"
