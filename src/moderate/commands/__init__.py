"""CLI commands: one module per ``moderate <command>``, each with ``add_parser`` and ``run``."""
