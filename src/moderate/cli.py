"""Command-line entry point: ``moderate <command> ...``.

Each command lives in ``moderate.commands.<name>`` and exposes ``add_parser(subparsers)``
and ``run(args) -> int``. This module only builds the parser, dispatches, and turns the
project's expected errors into a one-line message with exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from moderate.errors import ModerateError

#: Command modules, in the order ``moderate --help`` lists them.
COMMANDS: tuple[str, ...] = ("split", "score", "train", "evaluate", "train-split", "evaluate-split", "train-offtopic", "models", "queue")


def build_parser() -> argparse.ArgumentParser:
    from moderate import __version__

    parser = argparse.ArgumentParser(
        prog="moderate",
        description="Reader-comment moderation: split pages into comments, score incivility and off-topic comments, train and evaluate models.",
    )
    parser.add_argument("--version", action="version", version=f"moderate {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMANDS:
        module = importlib.import_module(f"moderate.commands.{name.replace('-', '_')}")
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        return int(args.run(args) or 0)
    except ModerateError as exc:
        print(f"moderate {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"moderate {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
