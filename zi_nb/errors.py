"""The exception hierarchy of zi-nb: every exception zi-nb raises on purpose is defined here, and only here.

Every error a user can cause derives from :class:`ZiError`; the CLI catches it and prints its message (in Bahasa
Indonesia) without a traceback, and a bulk run records it for the one unit it concerns. Programming errors are not
wrapped and surface as ordinary exceptions (the CLI reports them as "Kesalahan internal zi-nb").

    ZiError
    ├── RubricError        a rubric file is missing, malformed or inconsistent          (zi_nb.engine.rubric)
    ├── PolicyError        an unknown policy or policy value was requested             (zi_nb.engine.rubric)
    ├── ParameterError     a notebook/CLI parameter is unknown or of the wrong type    (zi_nb.report.model, zi_nb.app)
    │   └── TeamError         a team file is missing or malformed (line, expected)    (zi_nb.team.teamfile)
    ├── InputError         an input could not be used at all (``findings`` say why)    (zi_nb.lke)
    │   └── InputLimitError   an input exceeds a size limit                           (zi_nb.common.limits)
    ├── PermissionDenied   a write refused by the team's rules (role, unit, status,     (zi_nb.team)
    │                      deadline, quota); the refusal is recorded in the ledger
    ├── LedgerError        a reviewer change was refused or the ledger is unusable     (zi_nb.review)
    ├── EvidenceError      an evidence file or link was refused, or its store unusable (zi_nb.common.filetypes,
    │                      zi_nb.review.evidence_store)
    ├── ReportError        a report notebook failed or could not be exported           (zi_nb.report.runner)
    └── WorkerError        a report kernel could not be started, reset or reached      (zi_nb.report.kernel)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zi_nb.common.findings import Finding

__all__ = ["EvidenceError", "InputError", "InputLimitError", "LedgerError", "ParameterError", "PermissionDenied",
           "PolicyError", "ReportError", "RubricError", "TeamError", "WorkerError", "ZiError"]


class ZiError(Exception):
    """Base class of every error caused by data or by the user, never by a bug."""


class RubricError(ZiError):
    """A rubric file cannot be loaded: the message names the file and the failed check."""


class PolicyError(ZiError):
    """A policy name or value that the rubric does not declare."""


class ParameterError(ZiError):
    """A parameter that is unknown or of the wrong type."""


class TeamError(ParameterError):
    """A team file (users, roles, period, deadlines) cannot be used: the message names the file, the line and what
    was expected."""


class PermissionDenied(ZiError):
    """A write the team's rules do not allow (role, assigned unit, unit status, stage deadline, quota, revocation
    waiting period): the message, in Bahasa Indonesia, says who, what, which unit and why. The attempt is recorded in
    the ledger (kind ``penolakan``) before this is raised."""


class InputError(ZiError):
    """An input cannot be used; ``findings`` holds every problem found, each with its location."""

    def __init__(self, message: str, findings: list[Finding] | None = None) -> None:
        super().__init__(message)
        self.findings = list(findings or [])


class InputLimitError(InputError):
    """An input exceeds a size limit of :mod:`zi_nb.common.limits` (rows, cells, inflated size): refused before it is
    read, never skipped as a merely unreadable part."""


class LedgerError(ZiError):
    """A ledger action was refused (missing note, invalid answer, unknown code...) or the ledger is unusable."""


class EvidenceError(ZiError):
    """An evidence file (bukti dukung) or link was refused (its kind, size or content; the link's scheme, host or
    answer), or the evidence store cannot be used: the message, in Bahasa Indonesia, names the file and says what is
    accepted."""


class ReportError(ZiError):
    """A report could not be produced (the notebook failed, or the PDF printer is missing)."""


class WorkerError(ZiError):
    """A report kernel could not be started, reset or reached (a warm worker's or a one-off report's)."""
