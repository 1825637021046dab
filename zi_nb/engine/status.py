"""The data status of a result: how far the predikat of one unit, for one tier, can be relied on.

A score computed from data with errors (an answer that is not a valid option, an unknown code, a ``#REF!`` cell, a
stated total that disagrees with its parts...) or from an unfinished review is not a predikat anyone may announce.
Every result therefore carries, computed here from the validation findings and the scores alone:

* ``errors`` / ``warnings``: findings concerning the unit (findings without a unit count for every unit of their
  file) and the tier (a finding about one tier's answers counts only for the views that read that tier);
* ``answered`` / ``scorable``: scored items with a value in this view, out of the rubric's scored items;
* ``status``: ``sementara`` when there is a data error (the predikat cannot be determined), else ``belum lengkap``
  when items are unanswered (the predikat is provisional), else ``final`` (codes in :mod:`zi_nb.common.domain`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from zi_nb.common.domain import STATUS_FINAL, STATUS_INCOMPLETE, STATUS_PROVISIONAL, TIER_RANKS
from zi_nb.common.findings import Finding


@dataclass(frozen=True)
class DataStatus:
    """The data status of one unit's result for one tier (see the module docstring)."""

    status: str
    errors: int
    warnings: int
    answered: int
    scorable: int

    @property
    def unanswered(self) -> int:
        return self.scorable - self.answered

    @property
    def final(self) -> bool:
        return self.status == STATUS_FINAL

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def status_of(errors: int, unanswered: int) -> str:
    """``sementara`` with any data error, else ``belum lengkap`` with any unanswered item, else ``final``."""
    if errors > 0:
        return STATUS_PROVISIONAL
    return STATUS_INCOMPLETE if unanswered > 0 else STATUS_FINAL


def tiers_read(view: str) -> tuple[str, ...]:
    """The answer tiers a view reads: ``final`` reads them all, ``tpi`` its TPI columns, ``unit`` the unit's."""
    return TIER_RANKS.get(view, (view,))


def unit_statuses(findings: Iterable[Finding], view: str, unanswered: dict[str, list[str]], scorable: int,
                  unit_files: dict[str, set[str]]) -> dict[str, DataStatus]:
    """The data status of every unit of ``unanswered`` (unit -> its unanswered item codes in this view).

    ``unit_files``: unit -> the input files its answers and metadata came from (for findings without a unit).
    """
    tiers = tiers_read(view)
    by_unit: dict[str | None, list[Finding]] = {}
    for f in findings:  # grouped once: a run may hold thousands of units and findings
        if f.severity in ("error", "warning") and (f.tier is None or f.tier in tiers):
            by_unit.setdefault(f.unit_id, []).append(f)
    shared = by_unit.get(None, [])  # findings without a unit: about every unit of their file (or of every file)
    out = {}
    for unit_id, codes in unanswered.items():
        files = unit_files.get(unit_id, set())
        mine = [*by_unit.get(unit_id, []), *(f for f in shared if f.file is None or f.file in files)]
        errors = sum(f.severity == "error" for f in mine)
        answered = scorable - len(codes)
        out[unit_id] = DataStatus(status_of(errors, len(codes)), errors, len(mine) - errors, answered, scorable)
    return out
