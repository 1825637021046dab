"""Where each unit stands in an evaluation period: statuses as ledger events, checked against the team's rules
under the ledger's write lock, and every refused attempt recorded.

A status change is a ledger record of kind ``status``: ``code`` ``STATUS:<periode>``, ``previous``/``answer`` the
old and new status, ``evaluator`` the username, ``tier`` the stage of the action (``unit``, ``tpi``, ``tpn``), and in
``data``: ``aksi`` (the action of :mod:`zi_nb.team.permissions`), ``via`` (the path that wrote it: ``cli`` or
``hub``), ``waktu`` (the moment the permission and deadline were checked at), ``butir`` ({item code: note}) for
``dikembalikan``, ``lhe_sha256`` for ``final TPI``, ``alasan`` for ``dicabut``. An admin reopening a stage for a
unit is a ``status`` record too: ``code`` ``BUKA:<periode>``, ``answer`` the stage, ``data.sampai`` the last day it
stays open. A unit without a status record is ``draf``.

A refused write (role, assignment, status, deadline, quota, waiting period) is recorded as a ``penolakan`` record
(``code`` ``<action>:<periode>``, ``previous`` the unit's status, ``answer`` the status attempted, ``note`` the
message, ``data.aksi``/``via``) in its own transaction, after the refused one was rolled back, and then
:class:`zi_nb.errors.PermissionDenied` is raised: the audit trail keeps who tried what, and why it was refused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from zi_nb.common.domain import PENOLAKAN, STATUS
from zi_nb.engine.rubric import load_rubric
from zi_nb.errors import LedgerError, PermissionDenied
from zi_nb.review.ledger import Ledger, Record, new_fields
from zi_nb.team.permissions import (
    ACTION_TIER,
    BUKA_TAHAP,
    DICABUT,
    DIKEMBALIKAN,
    DRAF,
    FINAL_TPI,
    PROPOSED,
    STATUSES,
    TABLE,
    USULKAN,
    action_for,
    check,
    local_date,
)
from zi_nb.team.teamfile import STAGE_NAMES, Team

WAITING_POLICY = "masa_tunggu_pencabutan"  # the rubric policy: years before a revoked unit may be proposed again
VIA: tuple[str, ...] = ("cli", "hub")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def status_code(periode: str) -> str:
    return f"STATUS:{periode}"


def reopen_code(periode: str) -> str:
    return f"BUKA:{periode}"


def status_record(records: list[Record], unit_id: str, periode: str) -> Record | None:
    """The latest status change of a unit in a period (None: never changed, the unit is ``draf``)."""
    code = status_code(periode)
    return next((r for r in reversed(records) if r.kind == STATUS and r.unit_id == unit_id and r.code == code), None)


def status_of(records: list[Record], unit_id: str, periode: str) -> str:
    """The unit's status in the period: its latest status record's, ``draf`` when there is none."""
    rec = status_record(records, unit_id, periode)
    return rec.answer if rec is not None and rec.answer else DRAF


def proposed_units(records: list[Record], periode: str) -> list[str]:
    """The units of the period that used a slot of the coordinator's quota (proposed, whatever came after)."""
    units = dict.fromkeys(r.unit_id for r in records if r.kind == STATUS and r.code == status_code(periode))
    return [u for u in units if status_of(records, u, periode) in PROPOSED]


def last_revocation(records: list[Record], unit_id: str, zone: str = "WIB") -> dt.date | None:
    """The local date the unit's predikat was last revoked, in any period (a ``dicabut`` status or a
    ``revocation`` decision record), None when it never was. A status record's date is the moment its check used
    (``data.waktu``), else its timestamp."""
    dates = [local_date(dt.datetime.fromisoformat(str(r.details.get("waktu") or r.timestamp)), zone)
             for r in records if r.unit_id == unit_id
             and ((r.kind == STATUS and r.code.startswith("STATUS:") and r.answer == DICABUT)
                  or r.kind == "revocation")]
    return max(dates, default=None)


def reopened_stages(records: list[Record], unit_id: str, periode: str, today: dt.date) -> frozenset[str]:
    """The stages an admin reopened for the unit that are still open on ``today`` (the latest reopening of a stage
    counts)."""
    until: dict[str, str] = {}
    for r in records:
        if r.kind == STATUS and r.unit_id == unit_id and r.code == reopen_code(periode) and r.answer:
            until[r.answer] = str(r.details.get("sampai", ""))
    return frozenset(stage for stage, last in until.items() if last and dt.date.fromisoformat(last) >= today)


def waiting_years(team: Team) -> int:
    """The revocation waiting period (years) of the team's rubric policy :data:`WAITING_POLICY`."""
    return int(load_rubric(team.rubrik).policy_values(None)[WAITING_POLICY])


def context_of(team: Team, unit_id: str, records: list[Record], now: dt.datetime,
               everything: list[Record] | None = None) -> dict[str, Any]:
    """The keyword arguments of :func:`zi_nb.team.permissions.check` read from the unit's ``records`` (and, for a
    proposal, ``everything``: the records of every unit, for the quota)."""
    today = local_date(now, team.zona_waktu)
    revoked = last_revocation(records, unit_id, team.zona_waktu)
    return {"reopened": reopened_stages(records, unit_id, team.periode.id, today),
            "proposed": proposed_units(everything, team.periode.id) if everything is not None else (),
            "revoked_on": revoked, "waiting_years": waiting_years(team) if revoked is not None else None}


def refuse(ledger: Ledger, team: Team, username: str, action: str, unit_id: str, reason: str, *, status: str | None,
           to_status: str | None, via: str) -> Record:
    """Record a refused attempt (kind ``penolakan``) in its own transaction."""
    fields = new_fields(kind=PENOLAKAN, unit_id=unit_id, code=f"{action}:{team.periode.id}",
                        tier=ACTION_TIER.get(action, "final"), previous=status, answer=to_status,
                        evaluator=(username or "").strip() or "(tanpa nama)", note=reason, rubric_id=team.rubrik,
                        data={"aksi": action, "via": via})
    return ledger.write_record(None, lambda records: fields)


def guarded_write(ledger: Ledger, team: Team, username: str, action: str, unit_id: str,
                  build: Callable[[list[Record]], list[dict[str, Any]]], *, now: dt.datetime | None = None,
                  via: str) -> list[Record]:
    """:meth:`zi_nb.review.ledger.Ledger.write_many` for ``unit_id`` with ``build``, after
    :func:`zi_nb.team.permissions.check` passed for ``action`` under the same write lock (so the unit's status, a
    reopening or the quota cannot change in between). A refusal is recorded (:func:`refuse`) and raised as
    :class:`PermissionDenied`; nothing of ``build`` is written then."""
    return checked_write(ledger, team, username, unit_id, lambda status: action, lambda records, status, act:
                         build(records), now=now, via=via)


def checked_write(ledger: Ledger, team: Team, username: str, unit_id: str, choose: Callable[[str], str],
                  build: Callable[[list[Record], str, str], list[dict[str, Any]]], *, now: dt.datetime | None,
                  via: str, to_status: str | None = None) -> list[Record]:
    """The one checked write: under the write lock, the unit's status is read, ``choose(status)`` names the action,
    :func:`zi_nb.team.permissions.check` decides, and ``build(records, status, action)`` makes the records."""
    if via not in VIA:
        raise ValueError(f"via must be one of {VIA}, not {via!r}")
    moment = now or dt.datetime.now(dt.UTC)
    seen: dict[str, str] = {}

    def checked(records: list[Record]) -> list[dict[str, Any]]:
        status = seen["status"] = status_of(records, unit_id, team.periode.id)
        action = seen["action"] = choose(status)
        everything = ledger.records() if action == USULKAN else None  # read under our write lock: current
        check(team, username, action, unit_id, status, moment, to_status=to_status,
              **context_of(team, unit_id, records, moment, everything))
        return build(records, status, action)

    try:
        return ledger.write_many(unit_id, checked)
    except PermissionDenied as exc:
        refuse(ledger, team, username, seen.get("action", "?"), unit_id, str(exc), status=seen.get("status"),
               to_status=to_status, via=via)
        raise


def guard(ledger: Ledger, team: Team, username: str, action: str, unit_id: str, *, now: dt.datetime | None = None,
          via: str) -> None:
    """Refuse (recorded, :class:`PermissionDenied`) unless ``username`` may do ``action`` (``ISI``, ``REVIU``,
    ``TPN_REVIU``...) on the unit now: for the other write paths (answers, verdicts, catatan, evidence) to call
    before they write. Prefer :func:`guarded_write` where the write itself can run under the same lock."""
    guarded_write(ledger, team, username, action, unit_id, lambda records: [], now=now, via=via)


def transition(ledger: Ledger, team: Team, username: str, unit_id: str, to_status: str, *, note: str = "",
               data: dict[str, Any] | None = None, now: dt.datetime | None = None, via: str) -> Record:
    """Move the unit to ``to_status`` for the team's period, as ``username``; returns the status record once
    committed. The permission, the unit's current status and the stage's deadline are checked under the ledger's
    write lock; a refusal is recorded and raised as :class:`PermissionDenied`.

    ``data``: ``{"butir": {item code: note}}`` to ``dikembalikan`` (required), ``{"lhe_sha256": ...}`` to
    ``final TPI`` (required); ``note`` is required to ``dikembalikan`` and ``dicabut`` (the reason). A malformed
    request (unknown status, missing notes or hash) is a :class:`LedgerError`, not a refusal.
    """
    if to_status not in STATUSES or to_status == DRAF:
        raise LedgerError(f"Status '{to_status}' tidak dikenal; status yang dapat dituju: "
                          f"{', '.join(s for s in STATUSES if s != DRAF)}.")
    payload = _payload(team, to_status, note, data)
    moment = now or dt.datetime.now(dt.UTC)
    # from a status with no transition to the target, the check refuses with the statuses it is allowed from
    fallback = next(r.action for r in TABLE if to_status in r.targets)

    def build(records: list[Record], status: str, action: str) -> list[dict[str, Any]]:
        return [new_fields(kind=STATUS, unit_id=unit_id, code=status_code(team.periode.id), tier=ACTION_TIER[action],
                           previous=status, answer=to_status, evaluator=username,
                           note=note.strip() or f"Status {status} -> {to_status}",
                           rubric_id=team.rubrik,
                           data={**payload, "aksi": action, "via": via, "waktu": moment.isoformat()})]

    return checked_write(ledger, team, username, unit_id, lambda status: action_for(status, to_status) or fallback,
                         build, now=moment, via=via, to_status=to_status)[0]


def _payload(team: Team, to_status: str, note: str, data: dict[str, Any] | None) -> dict[str, Any]:
    data = dict(data or {})
    if to_status == DIKEMBALIKAN:
        items = data.get("butir")
        if not isinstance(items, dict) or not items or not all(str(v or "").strip() for v in items.values()):
            raise LedgerError("Unit dikembalikan dengan catatan per butir: beri {'butir': {kode butir: catatan}} "
                              "dengan sedikitnya satu catatan yang tidak kosong.")
        codes = load_rubric(team.rubrik).all_codes
        unknown = sorted(str(c) for c in items if c not in codes)
        if unknown:
            raise LedgerError(f"Kode butir {', '.join(unknown)} tidak ada dalam rubrik {team.rubrik}.")
        if not note.strip():
            raise LedgerError("Alasan pengembalian wajib diisi.")
        data["butir"] = {str(k): str(v).strip() for k, v in items.items()}
    if to_status == FINAL_TPI and not SHA256.match(str(data.get("lhe_sha256", ""))):
        raise LedgerError("Finalisasi TPI mencatat sha256 LHE yang ditandatangani ('lhe_sha256': 64 digit "
                          "heksadesimal huruf kecil).")
    if to_status == DICABUT:
        if not note.strip():
            raise LedgerError("Alasan pencabutan wajib diisi.")
        data["alasan"] = note.strip()
    return data


def reopen(ledger: Ledger, team: Team, username: str, unit_id: str, stage: str, *, until: dt.date, note: str,
           now: dt.datetime | None = None, via: str) -> Record:
    """An admin reopens ``stage`` for ``unit_id`` until ``until`` (inclusive) after its deadline, with a note (the
    reason); refused (recorded) for anyone but an admin."""
    if stage not in STAGE_NAMES:
        raise LedgerError(f"Tahap '{stage}' tidak dikenal; tahap: {', '.join(STAGE_NAMES)}.")
    if not note.strip():
        raise LedgerError("Catatan pembukaan kembali tahap wajib diisi.")
    periode = team.periode.id

    def build(records: list[Record]) -> list[dict[str, Any]]:
        return [new_fields(kind=STATUS, unit_id=unit_id, code=reopen_code(periode), tier=ACTION_TIER[BUKA_TAHAP],
                           previous=None, answer=stage, evaluator=username, note=note, rubric_id=team.rubrik,
                           data={"aksi": BUKA_TAHAP, "via": via, "sampai": until.isoformat()})]

    return guarded_write(ledger, team, username, BUKA_TAHAP, unit_id, build, now=now, via=via)[0]
