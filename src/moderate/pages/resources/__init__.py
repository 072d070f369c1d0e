"""Data files of the page splitter (word lists, month names, DOM hints) and their loaders.

Heuristics that are really data live here as plain files so that a new language or a new
site's vocabulary is an edit to a list, not to code.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources


def _lines(name: str) -> list[str]:
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def load_phrases(name: str) -> frozenset[str]:
    """A set of lower-case phrases from ``<name>.txt``."""
    return frozenset(line.lower() for line in _lines(f"{name}.txt"))


@cache
def load_months() -> dict[str, int]:
    out: dict[str, int] = {}
    for line in _lines("months.tsv"):
        number, names = line.split("\t")
        for name in names.split(","):
            out.setdefault(name.strip(), int(number))
    return out


@cache
def load_dom_hints() -> dict[str, re.Pattern[str]]:
    out = {}
    for line in _lines("dom_hints.tsv"):
        name, pattern = line.split("\t")
        out[name] = re.compile(pattern)
    return out
