"""Reading page files: gzip, encodings, and telling HTML from a text dump by content.

Decoding order: a byte-order mark (UTF-8, UTF-16 LE/BE) wins; otherwise UTF-8; otherwise
cp1252, which is what mis-labelled "latin-1" pages almost always are. Bytes cp1252 leaves
undefined become the same code point (as browsers do), never a crash. A file that is mostly control characters is binary
junk and is refused with a one-line :class:`~moderate.errors.InputError`.
"""

from __future__ import annotations

import codecs
import gzip
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from moderate.errors import InputError

TEXT = "text"
HTML = "html"

#: Extensions picked up when a folder is given.
PAGE_EXTENSIONS = (".txt", ".text", ".html", ".htm", ".xhtml", ".txt.gz", ".html.gz", ".htm.gz")

_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<(?:p|div|span|a|br|li|ul|td|tr|table|h[1-6]|script|meta|section|article)\b[^>]*>", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _latin1_fallback(exc: UnicodeDecodeError) -> tuple[str, int]:
    """Bytes cp1252 leaves undefined (0x81, 0x8d, ...) become the same code point, as browsers do."""
    chunk = exc.object[exc.start:exc.end]
    return "".join(chr(b) for b in chunk), exc.end


_LATIN1_FALLBACK = "moderate-latin1-fallback"
codecs.register_error(_LATIN1_FALLBACK, _latin1_fallback)


def _cp1252_fallback(exc: UnicodeDecodeError) -> tuple[str, int]:
    """Inside UTF-8 text, bytes that are not UTF-8 are read as cp1252."""
    chunk = exc.object[exc.start:exc.end]
    return chunk.decode("cp1252", errors=_LATIN1_FALLBACK), exc.end


_CP1252_FALLBACK = "moderate-cp1252-fallback"
codecs.register_error(_CP1252_FALLBACK, _cp1252_fallback)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


@dataclass(frozen=True)
class RawPage:
    """A decoded page: its text, whether it is HTML or a text dump, and where it came from."""

    source: str
    text: str
    fmt: str
    encoding: str


def decode(data: bytes) -> tuple[str, str]:
    """Decode page bytes; return ``(text, encoding)``. Line ends are left alone."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_utf16_without_bom(data):
        return data.decode("utf-16-le", errors="replace"), "utf-16-le"
    if _UTF8_MULTIBYTE.search(data):
        # valid UTF-8 sequences next to stray cp1252 bytes: a file pasted together from both
        return data.decode("utf-8", errors=_CP1252_FALLBACK), "utf-8+cp1252"
    return data.decode("cp1252", errors=_LATIN1_FALLBACK), "cp1252"


def _looks_utf16_without_bom(data: bytes) -> bool:
    sample = data[:4000]
    if len(sample) < 8:
        return False
    odd_zeros = sample[1::2].count(0)
    return odd_zeros > 0.4 * (len(sample) // 2) and sample[0::2].count(0) < 0.05 * (len(sample) // 2)


def looks_binary(text: str) -> bool:
    """Mostly control characters (or replacement characters): not a page."""
    sample = text[:20000]
    if not sample:
        return False
    bad = len(_CONTROL.findall(sample)) + sample.count("\ufffd")
    return bad > 0.1 * len(sample)


def sniff_format(text: str) -> str:
    """``"html"`` when the content is an HTML document (or tag soup), else ``"text"``."""
    head = text[:5000].encode("utf-8", errors="ignore")
    if _HTML_START.match(head):
        return HTML
    sample = text[:20000]
    tags = len(_TAG.findall(sample))
    if tags >= 5 and tags * 40 > len(sample.split("\n")):
        return HTML
    return TEXT


def maybe_gunzip(data: bytes, source: str) -> bytes:
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{source}: not a readable gzip file ({exc})") from None


def page_from_bytes(data: bytes, source: str = "<bytes>", fmt: str | None = None) -> RawPage:
    """Decode and classify page bytes (gzip is undone first)."""
    data = maybe_gunzip(data, source)
    text, encoding = decode(data)
    if looks_binary(text):
        raise InputError(f"{source}: looks like binary data, not a text or HTML page")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return RawPage(source=source, text=text, fmt=fmt or sniff_format(text), encoding=encoding)


def read_page(path: str | os.PathLike[str], fmt: str | None = None) -> RawPage:
    """Read one page file (``.txt``, ``.html``, ``.htm``, optionally gzipped, or any name)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a folder (pass the folder itself to read every page in it)") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None
    return page_from_bytes(data, str(p), fmt)


def is_page_file(path: Path) -> bool:
    name = path.name.lower()
    return path.is_file() and not name.startswith(".") and name.endswith(PAGE_EXTENSIONS)


def expand_page_paths(paths: list[str]) -> list[Path]:
    """Files as given; folders expanded (recursively, sorted) to the page files in them."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if is_page_file(q))
            if not found:
                raise InputError(f"{p}: no page files ({', '.join(PAGE_EXTENSIONS)}) in this folder")
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            raise InputError(f"{p}: no such file or folder")
    return out
