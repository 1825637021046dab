"""The ``zi-nb`` command line (click): one module per command group; :func:`main` is the entry point.

The command modules import the rooms they use inside each command, so ``zi-nb --help`` and a mistyped option answer
at once instead of first importing pandas, Jupyter and matplotlib; everywhere else imports are at module level.
"""

from zi_nb.cli.app import main

__all__ = ["main"]
