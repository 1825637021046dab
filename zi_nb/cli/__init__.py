"""The ``zi-nb`` command line (click): one module per command group; :func:`main` is the entry point."""

from zi_nb.cli.app import main

__all__ = ["main"]
