"""Errors the CLI reports as one line with exit status 2 (anything else is a bug)."""

from __future__ import annotations


class ModerateError(Exception):
    """Base class for expected, user-facing errors."""


class InputError(ModerateError):
    """A missing or unreadable input file, an unknown format, a missing column."""


class ModelError(ModerateError):
    """A model folder that is missing, unreadable, untrusted, or from another version."""
