"""The read endpoints of the ledger service (:mod:`zi_nb.team.service`) over the whole team ledger: "Tugas saya",
the triage risk, the unit list's figures and the overview. Endpoints as in :mod:`zi_nb.team.service_api` (which
holds the writes, a unit's records and files, and the helpers these use); :data:`ENDPOINTS` lists them.

::

    GET  api/tasks                                                            -> {"tasks"}
    GET  api/overview[?format=xlsx]                                           -> {"periode", "units"} or the xlsx
    GET  api/risiko                          -> {"units": {unit_id: {"score", "rank", "of"}}, "of", "ledger"}
    GET  api/risiko?unit=U                   -> {"unit": the unit's triage in words (None: not ranked)}
    GET  api/ringkasan[?tier=T]              -> {"tier", "ledger", "units": {unit_id: the unit list's figures}}

``overview`` is for koordinator, admin and TPN; ``tasks`` for everyone (their own "Tugas saya", with each unit's
progress and triage risk: :mod:`zi_nb.team.insight`; no risk for a user whose only role is ``unit``).

The triage risk (``risiko``, from the same cached triage as "Tugas saya") is an evaluators' aid: a unit's PIC must
not see the signals their self-assessment is checked by. ``api/risiko`` lists the ranked units on which the caller
holds a reviewer's role (:data:`zi_nb.team.service_api.RISK_ROLES`: TPI listed for the unit; ketua TPI, TPN,
koordinator and admin on every unit); ``?unit=U`` gives that unit's figures, signals, reasons and items to check
(:func:`zi_nb.engine.triage.unit_summary`). A user whose only role is ``unit`` is refused (403), and so is a unit on
which the caller is only its PIC; 400 when the service was started without inputs or the triage failed.

``api/ringkasan`` gives the app's unit list its figures over the team ledger (:meth:`zi_nb.team.insight.Insight.
figures`, once per tier and state of the ledger) for the units of the inputs the caller has a role on (as
``records``): PMPZI total, the tier's total and predikat with its data status, answer records and items with lacking
evidence at the tier, and the unit's workflow ``status`` (the predikat is not final before ``final TPI``). The tier is
``?tier=`` (unit, tpi, tpn), else the caller's (:func:`figures_tier`); 400 without inputs or for another tier.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from zi_nb.errors import LedgerError, PermissionDenied
from zi_nb.team import insight, overview, permissions
from zi_nb.team import status as team_status
from zi_nb.team.service_api import (
    OVERVIEW_ROLES,
    RISK_ROLES,
    XLSX,
    Caller,
    Download,
    Endpoint,
    ServiceData,
    has_role,
    text,
)


def sees_risk(caller: Caller) -> bool:
    """Whether the caller holds a role that may see the triage risk (not a unit's PIC only)."""
    return any(k in RISK_ROLES for k in caller.peran)


def tasks(state: ServiceData, caller: Caller, args: dict[str, Any]) -> dict[str, Any]:
    """``api/tasks``: "Tugas saya", the units waiting for the caller: earliest deadline first, then the riskiest
    (triage), then the team file's order; each with the progress of the tier the task is about and the unit's risk
    (both None when the service has no inputs or the unit is not in them; the risk None, and not in the order, for a
    unit's PIC only: :func:`sees_risk`)."""
    now = dt.datetime.now(dt.UTC)
    records = state.ledger.records()
    known = insight.insight(state.data, records) if state.data is not None else None
    risky = known is not None and sees_risk(caller)
    found = overview.tasks_for(state.team, caller.username, records, now, known.risk if known and risky else None)
    out = []
    for t in found:
        tier = insight.tier_of_role(permissions.WAITING[t.status][0])
        out.append({"unit_id": t.unit_id, "status": t.status, "stage": t.stage,
                    "deadline": t.deadline.isoformat() if t.deadline else None, "overdue": t.overdue, "todo": t.todo,
                    "tier": tier, "progress": known.progress(t.unit_id, tier) if known else None,
                    "risk": known.risk_of(t.unit_id) if known and risky else None})
    return {"tasks": out}


def risk(state: ServiceData, caller: Caller, args: dict[str, Any]) -> dict[str, Any]:
    """``api/risiko``: the triage risk of the units the caller reviews (:data:`RISK_ROLES` on the unit), or with
    ``?unit=U`` that unit's triage in words; refused (403) to a unit's PIC."""
    if not sees_risk(caller):
        raise PermissionDenied(f"Anda ({caller.username}) tidak berhak melihat risiko triase: risiko adalah alat "
                               "bantu penilai (TPI, ketua TPI, TPN, koordinator, admin), bukan untuk PIC unit.")
    unit_id = text(args, "unit", required=False)
    if unit_id and unit_id not in state.team.units:
        raise LedgerError(f"Unit '{unit_id}' tidak terdaftar dalam berkas tim.")
    if unit_id and not has_role(state, caller.username, unit_id, RISK_ROLES):
        raise PermissionDenied(f"Anda ({caller.username}) bukan penilai unit {unit_id}; risiko triase unit ini tidak "
                               "dapat dilihat.")
    if state.data is None:
        raise LedgerError("Risiko triase tidak tersedia: layanan ledger dimulai tanpa masukan LKE unit.")
    known = insight.insight(state.data, state.ledger.records())
    if known.result is None:
        raise LedgerError(known.error or "Risiko triase tidak dapat dihitung di layanan ledger.")
    if unit_id:
        return {"unit": known.summary(unit_id)}
    units = {u: known.risk_of(u) for u in state.team.units if u in known.risk
             and has_role(state, caller.username, u, RISK_ROLES)}
    return {"units": units, "of": known.ranked, "ledger": known.ledger}


def figures_tier(caller: Caller) -> str:
    """The tier of the caller's work, as the app decides it (``zi_nb.app.hub_mode.role_tier``): the first of unit,
    tpi, tpn the caller holds, else the TPI tier that ketua TPI, koordinator and admin view."""
    return permissions.tier_of(caller.peran)[0]


def summary(state: ServiceData, caller: Caller, args: dict[str, Any]) -> dict[str, Any]:
    """``api/ringkasan``: the unit list's figures over the team ledger for the units the caller may read."""
    tier = text(args, "tier", required=False) or figures_tier(caller)
    if tier not in insight.FIGURE_TIERS:
        raise LedgerError(f"Tingkat '{tier}' tidak sah untuk ringkasan unit; yang diharapkan: "
                          f"{', '.join(insight.FIGURE_TIERS)}.")
    if state.data is None:
        raise LedgerError("Ringkasan nilai unit tidak tersedia: layanan ledger dimulai tanpa masukan LKE unit "
                          "(--input/--units pada zi-nb hub).")
    records = state.ledger.records()
    known = insight.insight(state.data, records)
    units = {u: {**row, "status": team_status.status_of(records, u, state.team.periode.id)}
             for u, row in known.figures(tier).items() if has_role(state, caller.username, u)}
    return {"tier": tier, "ledger": known.ledger, "units": units}


def unit_overview(state: ServiceData, caller: Caller, args: dict[str, Any]) -> dict[str, Any] | Download:
    """``api/overview``: every unit's status (``?format=xlsx``: the workbook), for koordinator, admin and TPN."""
    if not any(k in OVERVIEW_ROLES for k in caller.peran):
        raise PermissionDenied(f"Anda ({caller.username}) tidak berhak melihat ikhtisar semua unit; hanya "
                               "koordinator, admin atau TPN yang berhak.")
    now = dt.datetime.now(dt.UTC)
    records = state.ledger.records()
    rows = overview.unit_rows(state.team, records, now)
    if state.data is not None:  # progress, score and predikat (with its data status, never bare)
        overview.add_progress(rows, state.data, records)
    wanted = text(args, "format", required=False) or "json"
    if wanted == "json":
        return {"periode": state.team.periode.id, "kuota": state.team.kuota, "units": [r.as_dict() for r in rows]}
    if wanted != "xlsx":
        raise LedgerError(f"Format '{wanted}' tidak dikenal; yang diharapkan: json atau xlsx.")
    with tempfile.TemporaryDirectory(prefix="zi-overview-") as folder:
        path = overview.write_xlsx(state.team, rows, Path(folder) / "status.xlsx", now)
        content = path.read_bytes()
    return Download(content, XLSX, f"status-unit-{state.team.periode.id}.xlsx")


# path under api/ -> (HTTP method, endpoint); the service serves these and :data:`zi_nb.team.service_api.ENDPOINTS`
ENDPOINTS: dict[str, tuple[str, Endpoint]] = {
    "tasks": ("GET", tasks), "overview": ("GET", unit_overview), "risiko": ("GET", risk), "ringkasan": ("GET", summary),
}
