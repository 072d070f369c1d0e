"""Errors the CLI reports as one line with exit status 2 (anything else is a bug)."""

from __future__ import annotations


class ModerateError(Exception):
    """Base class for expected, user-facing errors."""


class InputError(ModerateError):
    """A missing or unreadable input file, an unknown format, a missing column."""


class ModelError(ModerateError):
    """A model folder that is missing, unreadable, untrusted, or from another version."""


class MissingExtraError(ModerateError):
    """An optional dependency is not installed; the message names the extra to install."""

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        super().__init__(
            f"{purpose} needs {package}, which is not installed: pip install 'moderate[{extra}]'"
        )
