"""The exception hierarchy of zi-nb.

Every error a user can cause derives from :class:`ZiError`; the CLI catches it and prints its message (in Bahasa
Indonesia) without a traceback. Programming errors are not wrapped and surface as ordinary exceptions.

    ZiError
    ├── RubricError        a rubric file is missing, malformed or inconsistent
    ├── PolicyError        an unknown policy or policy value was requested
    ├── InputError         an input could not be used at all (carries the findings that say why)
    │   └── InputLimitError   an input exceeds a size limit (zi_nb.limits)
    ├── ParameterError     a notebook/CLI parameter is unknown or of the wrong type
    ├── LedgerError        a reviewer change was refused or the ledger is unusable (zi_nb.ledger)
    └── ReportError        a report notebook failed or could not be exported (zi_nb.runner)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .findings import Finding


class ZiError(Exception):
    """Base class of every error caused by data or by the user, never by a bug."""


class RubricError(ZiError):
    """A rubric file cannot be loaded: the message names the file and the failed check."""


class PolicyError(ZiError):
    """A policy name or value that the rubric does not declare."""


class ParameterError(ZiError):
    """A parameter that is unknown or of the wrong type."""


class InputError(ZiError):
    """An input cannot be used; ``findings`` holds every problem found, each with its location."""

    def __init__(self, message: str, findings: list[Finding] | None = None) -> None:
        super().__init__(message)
        self.findings = list(findings or [])


class InputLimitError(InputError):
    """An input exceeds a size limit of :mod:`zi_nb.limits` (rows, cells, inflated size): refused before it is read,
    never skipped as a merely unreadable part."""
