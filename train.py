"""Rebuild the default model from data/: a thin wrapper over ``moderate train``."""

import sys

from moderate.cli import main

if __name__ == "__main__":
    sys.exit(main(["train", *sys.argv[1:]]))
