"""Where every unit of a period stands, for people: the coordinator's view (``zi-nb status``, the hub's overview
page, its xlsx export) and one user's "Tugas saya" list.

:func:`unit_rows` reads the team file and the ledger's records only (status, since when, the current stage's
deadline, who the unit waits for); :func:`add_progress` adds, from the units' LKE inputs with the ledger applied,
the items answered per tier, the evidence verdicts given, the total and the predikat, always with its data status on
the same line (never a bare predikat from an unfinished review).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from zi_nb.common.domain import STATUS_FINAL, STATUS_INCOMPLETE
from zi_nb.common.fmt import date_text, local_time, num, predicate_with_status, status_detail
from zi_nb.review.ledger import Record
from zi_nb.team.permissions import DICABUT, FINAL_TPI, PROPOSED, WAITING, deadline_passed, local_date
from zi_nb.team.status import reopened_stages, status_of, status_record
from zi_nb.team.teamfile import ROLE_LABEL, Team

PROGRESS_TIERS: tuple[str, ...] = ("unit", "tpi", "tpn")
REVIEWED: tuple[str, ...] = (FINAL_TPI, *PROPOSED)  # the statuses after the ketua TPI signed
COLUMNS = [("unit_id", "Unit"), ("unit_name", "Nama unit"), ("status", "Status"), ("since", "Sejak"),
           ("stage", "Tahap"), ("deadline", "Batas waktu"), ("waiting_for", "Menunggu"), ("todo", "Yang dilakukan"),
           ("progress", "Progres"), ("score", "Nilai"), ("predicate", "Predikat")]


@dataclass
class UnitRow:
    """One unit of the overview (texts as people read them; ``deadline`` ISO, empty when none)."""

    unit_id: str
    status: str
    since: str  # local date and time of the latest status change, "-" when still draf without one
    since_by: str
    stage: str
    deadline: str
    deadline_passed: bool
    waiting_for: str  # role and usernames, "-" when the unit's period is finished
    todo: str
    unit_name: str = ""
    progress: str = ""
    score: str = ""
    predicate: str = ""
    details: dict[str, Any] = field(default_factory=dict)  # the numbers behind progress/score, for JSON

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Task:
    """A unit waiting for a user ("Tugas saya")."""

    unit_id: str
    status: str
    stage: str
    deadline: dt.date | None
    overdue: bool  # the deadline passed and the stage was not reopened for the unit
    todo: str


def unit_rows(team: Team, records: list[Record], now: dt.datetime) -> list[UnitRow]:
    """One row per unit of the team file, in its order."""
    rows = []
    today = local_date(now, team.zona_waktu)
    for unit_id in team.units:
        status = status_of(records, unit_id, team.periode.id)
        rec = status_record(records, unit_id, team.periode.id)
        waiting = WAITING.get(status)
        role, todo, stage_name = waiting if waiting else ("", "selesai untuk periode ini", "")
        stage = team.stage(stage_name) if stage_name else None
        reopened = stage_name in reopened_stages(records, unit_id, team.periode.id, today)
        passed = deadline_passed(team, stage_name, now) is not None and not reopened
        people = team.holders(role, unit_id) if role else []
        rows.append(UnitRow(
            unit_id=unit_id, status=status,
            since=local_time(rec.timestamp, team.zona_waktu) if rec is not None else "-",
            since_by=rec.evaluator if rec is not None else "-", stage=stage_name or "-",
            deadline=stage.batas.isoformat() if stage is not None else "", deadline_passed=passed,
            waiting_for=f"{ROLE_LABEL[role]} ({', '.join(people) or 'belum ada di berkas tim'})" if role else "-",
            todo=todo))
    return rows


def deadline_text(row: UnitRow) -> str:
    if not row.deadline:
        return "-"
    return f"{date_text(row.deadline)}{' (lewat)' if row.deadline_passed else ''}"


def tasks_for(team: Team, username: str, records: list[Record], now: dt.datetime,
              risk: Mapping[str, float] | None = None) -> list[Task]:
    """The units waiting for ``username``: those whose status waits for a role the user holds (for that unit, when
    the role is scoped to units), earliest deadline first, then the riskiest first (``risk``: unit -> triage risk,
    :func:`zi_nb.team.insight.insight`; a unit without one after those with one), then the team file's order."""
    user = team.user(username)
    if user is None:
        return []
    tasks = []
    today = local_date(now, team.zona_waktu)
    for unit_id in team.units:
        status = status_of(records, unit_id, team.periode.id)
        waiting = WAITING.get(status)
        if waiting is None or username not in team.holders(waiting[0], unit_id):
            continue
        _, todo, stage_name = waiting
        stage = team.stage(stage_name)
        overdue = (deadline_passed(team, stage_name, now) is not None
                   and stage_name not in reopened_stages(records, unit_id, team.periode.id, today))
        tasks.append(Task(unit_id, status, stage_name, stage.batas if stage else None, overdue, todo))
    risks = risk or {}
    return sorted(tasks, key=lambda t: (t.deadline or dt.date.max,
                                        -risks[t.unit_id] if t.unit_id in risks else math.inf,
                                        team.units.index(t.unit_id)))


def tier_label(tier: str) -> str:
    """``unit`` -> ``UNIT``, ``tpi`` -> ``TPI``, ``tpn`` -> ``TPN``: a tier as the progress texts name it."""
    return tier.upper()


def answered_counts(data: Any) -> dict[str, dict[str, int]]:
    """unit -> tier (:data:`PROGRESS_TIERS`) -> items answered, of ``data`` (the ledger already applied)."""
    from zi_nb.engine.scoring import score_answers

    scorable = len(data.rubric.items)
    answered: dict[str, dict[str, int]] = {}
    for tier in PROGRESS_TIERS:
        scores = score_answers(data.answers, data.rubric, tier=tier)
        for unit_id, missing in scores.unanswered().items():
            answered.setdefault(unit_id, {})[tier] = scorable - len(missing)
    return answered


def add_progress(rows: list[UnitRow], data: Any, records: list[Record]) -> None:
    """Fill progress, score and predikat of ``rows`` from ``data`` (an :class:`zi_nb.engine.dataset.LkeData` of the
    units' inputs) with the ledger's ``records`` applied. Units absent from the inputs say so."""
    from zi_nb.engine.results import compute, unit_records
    from zi_nb.review.evidence import verdicts_in_force
    from zi_nb.review.ledger import apply_ledger

    data = apply_ledger(data, records=records)
    scorable = len(data.rubric.items)
    answered = answered_counts(data)
    results = {r["unit_id"]: r for r in unit_records(compute(data, tier="final"))} if data.unit_ids else {}
    names = dict(zip(data.units["unit_id"], data.units["unit_name"]))
    for row in rows:
        verdicts = len(verdicts_in_force(records, row.unit_id, "final"))
        if row.unit_id not in names:
            row.progress, row.score, row.predicate = "tidak ada dalam masukan", "-", "-"
            continue
        counts = {t: answered.get(row.unit_id, {}).get(t, 0) for t in PROGRESS_TIERS}
        row.unit_name = str(names[row.unit_id] or "")
        row.progress = (", ".join(f"{tier_label(t)} {counts[t]}/{scorable}" for t in PROGRESS_TIERS)
                        + f"; bukti dinilai {verdicts}")
        row.details = {"answered": counts, "scorable": scorable, "verdicts": verdicts}
        result = results.get(row.unit_id)
        if result is None:
            row.score, row.predicate = "-", "belum ada jawaban"
            continue
        row.score = num(result["total"])
        row.predicate = predicate_text(row.status, result)
        row.details.update(total=result["total"], predicate=result["predicate"], data_status=result["status"],
                           tier=result["tier"])


def predicate_text(status: str, result: dict[str, Any]) -> str:
    """The predikat of a unit's result on one line with what it rests on: the data status, and the unit's place in
    the workflow. Before the ketua TPI finalised, a predikat met is provisional whatever the data ("Menuju WBK
    (sementara)"); a revoked unit's is "dicabut"."""
    data_status = result["status"]
    detail = status_detail(data_status, result["errors"], result["answered"], result["scorable"])
    if status == DICABUT:
        return f"dicabut [status {status}; data {detail}]"
    shown = data_status
    if status not in REVIEWED and data_status == STATUS_FINAL:
        shown = STATUS_INCOMPLETE  # the data is complete, the review is not: never a bare predikat
    finished = "reviu TPI final" if status in REVIEWED else "reviu TPI belum final"
    return f"{predicate_with_status(result['predicate'], shown)} [status {status}: {finished}; data {detail}]"


def cells(row: UnitRow) -> list[str]:
    """The row's texts in :data:`COLUMNS` order."""
    shown = {**row.as_dict(), "deadline": deadline_text(row)}
    return [str(shown.get(key) or "-") for key, _ in COLUMNS]


def write_xlsx(team: Team, rows: list[UnitRow], path: str | Path, now: dt.datetime) -> Path:
    """The overview as an xlsx workbook (one sheet, a title row, the header, one row per unit), written whole or not
    at all."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from zi_nb.common.files import atomic_path

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Status unit"
    sheet.append([f"Status unit {team.instansi or ''} periode {team.periode.id}".replace("  ", " ")])
    sheet.append([f"Dibuat {local_time(now.isoformat(), team.zona_waktu)}"])
    sheet.append([label for _, label in COLUMNS])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    sheet["A1"].font = Font(bold=True, size=13)
    for row in rows:
        sheet.append(cells(row))
    for i, (key, _) in enumerate(COLUMNS):
        letter = sheet.cell(row=3, column=i + 1).column_letter
        sheet.column_dimensions[letter].width = {"predicate": 48, "progress": 40, "todo": 40, "unit_name": 36,
                                                 "waiting_for": 28}.get(key, 18)
    sheet.freeze_panes = "B4"
    target = Path(path)
    with atomic_path(target) as tmp:
        book.save(tmp)
    return target
