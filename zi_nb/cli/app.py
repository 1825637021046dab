"""The ``zi-nb`` command line. Messages are in Bahasa Indonesia; ``--lang en`` switches findings to English.

Exit status: 0 success; 1 the input has errors (``validate``, or ``score --strict``); 2 the input or a parameter
cannot be used at all (unreadable file, missing columns, unknown policy...); 3 an internal error (a bug: run with
``ZI_NB_DEBUG=1`` to see the traceback). No traceback is shown for bad input.
"""

from __future__ import annotations

import os
import sys

import click

from zi_nb.cli import audit, bulk, evaluate, evidence, handoff, hub, review, status, triage
from zi_nb.common.version import __version__
from zi_nb.errors import ZiError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zi-nb")
def cli() -> None:
    """zi-nb: workbench evaluasi Zona Integritas (Menuju WBK / WBBM)."""


for _module in (evaluate, review, evidence, bulk, audit, status, handoff, hub, triage):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the CLI, turning user errors into clear messages without traceback."""
    try:
        cli.main(args=argv, prog_name="zi-nb", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Dibatalkan.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except ZiError as exc:
        click.echo(f"GALAT: {exc}", err=True)
        for f in getattr(exc, "findings", []):
            click.echo(f.render(), err=True)
        sys.exit(2)
    except SystemExit:
        raise
    except Exception as exc:  # a bug: say so plainly, show the traceback only when asked
        if os.environ.get("ZI_NB_DEBUG"):
            raise
        click.echo(f"Kesalahan internal zi-nb ({type(exc).__name__}: {exc}). Jalankan ulang dengan ZI_NB_DEBUG=1 "
                   "untuk rincian dan laporkan.", err=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
