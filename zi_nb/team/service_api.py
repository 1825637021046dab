"""The team workflow's endpoints of the ledger service (:mod:`zi_nb.team.service`, which authenticates the caller
and answers over HTTP): status changes, evidence, undo, and what a user may read.

Each endpoint is a function ``(state, caller, args) -> dict | Download`` listed in :data:`ENDPOINTS`; ``caller`` is
the hub user the token belongs to (never a name from the request). Every write checks the team's rules where it
writes: a status change through :func:`zi_nb.team.status.transition`, the other writes through :func:`authorize`
(:func:`zi_nb.team.status.guard`), with the action of the tier from :data:`TIER_ACTION`, the one table mapping a
tier to its action. A refusal is recorded in the ledger as a ``penolakan`` record and answered 403. Answers,
verdicts, attachments and undos carry the caller's evaluator id (``hub:<username> (<nama>, NIP <nip>)``); a status
record and a refusal carry the username, as every status record does, with ``data.via`` ``hub``.

::

    POST api/status     {"unit_id", "to_status", "note", "butir": {kode: catatan}, "lhe_sha256", "alasan"}
    POST api/semua-ada  {"unit_id", "code", "tier"}                           -> {"records"}
    POST api/attach     {"unit_id", "code", "tier", "name", "content" (base64), "note", "source"}
                                                                              -> {"record", "berkas"}
    POST api/undo       {"unit_id", "tier", "note"}                           -> {"record"}
    POST api/answers    {"unit_id", "tier", "note", "changes": [{"code", "answer", "previous"}, ...]}
                                                                              -> {"records"} (all or none)
    POST api/buka-tahap {"unit_id", "tahap", "sampai" (YYYY-MM-DD), "note"}  -> {"record"}
    GET  api/records?unit=U                                                   -> {"unit_id", "status", "records"}
    GET  api/berkas?unit=U&sha256=S                                           -> the file (its content type)

Reading: ``records`` of a unit, and ``berkas`` (a file attached to it), for a user with a role on it (a unit's PIC
or TPI member listed for it; ketua TPI, TPN, koordinator and admin act on every unit). The reads over the whole
ledger (``tasks``, ``overview``, ``risiko``, ``ringkasan``) are in :mod:`zi_nb.team.service_reads`, which uses the
helpers here; :mod:`zi_nb.team.service` serves both tables.

``api/buka-tahap``: an admin reopens a stage (``tahap``: pengisian, reviu, finalisasi, pengusulan, penetapan) for one
unit after its deadline, until ``sampai`` (the last day it stays open, YYYY-MM-DD, not before today) with a ``note``
(the reason): :func:`zi_nb.team.status.reopen` as the caller (anyone else is refused, recorded, 403). A bad date or
stage, or no note, is 400.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tornado import web

from zi_nb.common.filetypes import check_file
from zi_nb.common.fmt import date_text
from zi_nb.common.limits import MAX_EVIDENCE_BYTES
from zi_nb.errors import EvidenceError, LedgerError, PermissionDenied
from zi_nb.review.evidence import attach, attachments_in_force, mark_all_present
from zi_nb.review.evidence_store import EvidenceStore, default_store_path
from zi_nb.review.extract import record_json
from zi_nb.review.ledger import Ledger
from zi_nb.team import permissions
from zi_nb.team import status as team_status
from zi_nb.team.teamfile import SCOPED_ROLES, STAGE_NAMES
from zi_nb.team.users import HUB_PATH

# the one table mapping a tier of the ledger to the action of the team's rules that writes it
TIER_ACTION = {"unit": permissions.ISI, "tpi": permissions.REVIU, "tpn": permissions.TPN_REVIU}
OVERVIEW_ROLES: tuple[str, ...] = ("koordinator", "admin", "tpn")
RISK_ROLES: tuple[str, ...] = ("tpi", "ketua-tpi", "tpn", "koordinator", "admin")  # who may see the triage risk
# a request body of api/attach: the file base64-encoded (4 characters per 3 bytes) and the other fields
UPLOAD_MAX_BODY = 4 * ((MAX_EVIDENCE_BYTES + 2) // 3) + (64 << 10)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ServiceData(Protocol):
    """What the endpoints use of :class:`zi_nb.team.service.ServiceState`."""

    team: Any
    ledger: Ledger
    rubric: Any
    bukti_dir: Path | None
    data: Any  # the units' LKE inputs (LkeData), None when the service was started without them


@dataclass(frozen=True)
class Caller:
    """The hub user calling, as the team file knows them; ``evaluator`` the id written in their records."""

    username: str
    evaluator: str
    peran: tuple[str, ...]


def refused(status: int, message: str) -> web.HTTPError:
    """A refusal: tornado's HTTPError carrying the Indonesian message, replied as ``{"error": message}``."""
    return web.HTTPError(status, log_message=message.replace("%", "%%"))


def content_disposition(filename: str) -> str:
    """The ``Content-Disposition`` of a download named ``filename``: an ASCII name for every browser and the exact
    name (RFC 6266 ``filename*``), so that no name can break the header."""
    plain = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in filename) or "berkas"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{urllib.parse.quote(filename, safe='')}"


@dataclass(frozen=True)
class Download:
    """A file answered as it is (not JSON)."""

    content: bytes
    content_type: str
    filename: str


def authorize(state: ServiceData, username: str, unit_id: str, tier: str) -> None:
    """Refuse unless ``username`` may write ``tier`` of ``unit_id`` now: the team's roles, the unit's status and the
    stage's deadline (:func:`zi_nb.team.status.guard`, which records a refusal in the ledger as a ``penolakan``
    record and raises :class:`PermissionDenied`, answered 403). An unknown tier is a :class:`LedgerError` (400)."""
    if tier not in TIER_ACTION:
        raise LedgerError(f"Tingkat '{tier}' tidak sah; yang diharapkan: {', '.join(TIER_ACTION)}.")
    team_status.guard(state.ledger, state.team, username, TIER_ACTION[tier], unit_id, via=HUB_PATH)


def text(args: dict[str, Any], name: str, required: bool = True) -> str:
    """A text field of the request (400 when required and missing, or not text)."""
    value = args.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool) or (required and not str(value).strip()):
        raise LedgerError(f"Kolom '{name}' wajib diisi (teks).")
    return str(value)


def store_of(state: ServiceData) -> EvidenceStore:
    """The evidence store: ``--bukti-dir``, else the store of the ledger (:func:`default_store_path`)."""
    return EvidenceStore(state.bukti_dir or default_store_path(state.ledger.path))


# -- writes --------------------------------------------------------------------------------------------------------
def change_status(state: ServiceData, caller: Caller, args: dict[str, Any]) -> dict[str, Any]:
    """``api/status``: :func:`zi_nb.team.status.transition` as the caller (the rules decide under the lock)."""
    unit_id, to_status = text(args, "unit_id"), text(args, "to_status")
    note, alasan = text(args, "note", required=False), text(args, "alasan", required=False)
    note = (alasan or note) if to_status == permissions.DICABUT else (note or alasan)  # dicabut: the reason
    data: dict[str, Any] = {}
    if args.get("butir") is not None:
        if not isinstance(args["butir"], dict):
            raise LedgerError("Kolom 'butir' harus berupa objek {kode butir: catatan}.")
        data["butir"] = args["butir"]
    if args.get("lhe_sha256") is not None:
        data["lhe_sha256"] = text(args, "lhe_sha256")
    rec = team_status.transition(state.ledger, state.team, caller.username, unit_id, to_status, note=note, data=data,
                                 via=HUB_PATH)
    return {"record": record_json(rec)}


def save_answers(state: ServiceData, caller: Caller, args: dict[str, Any]) -> dict[str, Any]:
    """``api/answers``: several answers of one unit's tier in one transaction (:meth:`Ledger.adjust_many`): every
    answer is checked first, then all are written or none (a refused or invalid one writes nothing)."""
    unit_id, tier, note = text(args, "unit_id"), text(args, "tier"), text(args, "note", required=False)
    raw = args.get("changes")
    if not isinstance(raw, list) or not raw or not all(isinstance(c, dict) for c in raw):
        raise LedgerError("Kolom 'changes' wajib berupa daftar [{\"code\", \"answer\", \"previous\"}, ...] yang "
                          "tidak kosong.")
    changes: list[tuple[str, str, str | None]] = []
    for n, change in enumerate(raw, start=1):
        previous = change.get("previous")  # the workbook's answer, recorded when the ledger has none (for undo)
        if previous is not None and not isinstance(previous, str):
            raise LedgerError(f"Perubahan ke-{n}: kolom 'previous' harus teks atau kosong (null).")
        try:
            changes.append((text(change, "code"), text(change, "answer"), None if previous is None else str(previous)))
        except LedgerError as exc:
            raise LedgerError(f"Perubahan ke-{n}: {exc}") from None
    if len({code for code, _, _ in changes}) < len(changes):
        raise LedgerError("Setiap butir hanya boleh muncul sekali dalam 'changes'.")
    authorize(state, caller.username, unit_id, tier)
    recs = state.ledger.adjust_many(state.rubric, unit_id, changes, tier, caller.evaluator, note)
    return {"records": [record_json(r) for r in recs]}


def all_present(state: ServiceData, caller: Caller, args: dict[str, Any]) -> dict[str, Any]:
    """``api/semua-ada``: every required document of an item is there (:func:`mark_all_present`)."""
    unit_id, code, tier = text(args, "unit_id"), text(args, "code"), text(args, "tier")
    authorize(state, caller.username, unit_id, tier)
    recs = mark_all_present(state.ledger, state.rubric, unit_id, code, tier, caller.evaluator)
    return {"records": [record_json(r) for r in recs]}


def attach_file(state: ServiceData, caller: Caller, args: dict[str, Any]) -> dict[str, Any]:
    """``api/attach``: store a file (base64 ``content``) and record it as attached to an item (:func:`attach`)."""
    unit_id, code, tier, name = text(args, "unit_id"), text(args, "code"), text(args, "tier"), text(args, "name")
    raw = args.get("content")
    if not isinstance(raw, str) or not raw:
        raise LedgerError("Kolom 'content' wajib berisi berkas dalam base64.")
    try:
        content = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise LedgerError("Kolom 'content' bukan base64 yang sah.") from None
    authorize(state, caller.username, unit_id, tier)
    source = args.get("source")
    rec, stored = attach(state.ledger, store_of(state), state.rubric, unit_id, code, tier, caller.evaluator, name,
                         content, note=text(args, "note", required=False) or None,
                         source=None if source is None else str(source))
    return {"record": record_json(rec),
            "berkas": {"sha256": stored.sha256, "size": stored.size, "label": stored.label, "mime": stored.mime}}


def undo(state: ServiceData, caller: Caller, args: dict[str, Any]) -> dict[str, Any]:
    """``api/undo``: undo the last change of the unit's tier (:meth:`Ledger.undo`); the tier defaults to the one
    the caller's role on the unit writes, when there is exactly one."""
    unit_id, note = text(args, "unit_id"), text(args, "note")
    tier = text(args, "tier", required=False) or caller_tier(state, caller, unit_id)
    authorize(state, caller.username, unit_id, tier)
    rec = state.ledger.undo(state.rubric, unit_id, tier, caller.evaluator, note)
    if rec is None:
        raise LedgerError(f"Tidak ada perubahan tingkat {tier} pada unit {unit_id} yang dapat dibatalkan.")
    return {"record": record_json(rec)}


def caller_tier(state: ServiceData, caller: Caller, unit_id: str) -> str:
    """The tier the caller writes for the unit (400 when none, or several: then ``tier`` must be given)."""
    tiers = [tier for role, tier in permissions.ROLE_TIER.items() if has_role(state, caller.username, unit_id, (role,))]
    if len(tiers) != 1:
        raise LedgerError("Kolom 'tier' wajib diisi (unit, tpi atau tpn).")
    return tiers[0]


def reopen_stage(state: ServiceData, caller: Caller, args: dict[str, Any]) -> dict[str, Any]:
    """``api/buka-tahap``: :func:`zi_nb.team.status.reopen` as the caller (an admin; anyone else is refused and
    recorded), after the request is checked: a known stage, ``sampai`` a date (YYYY-MM-DD) not before today in the
    team's time zone, a note."""
    unit_id, stage = text(args, "unit_id"), text(args, "tahap")
    sampai, note = text(args, "sampai", required=False).strip(), text(args, "note", required=False).strip()
    if stage not in STAGE_NAMES:
        raise LedgerError(f"Tahap '{stage}' tidak dikenal; tahap yang dapat dibuka kembali: {', '.join(STAGE_NAMES)}.")
    try:
        until = dt.date.fromisoformat(sampai) if len(sampai) == 10 else None
    except ValueError:
        until = None
    if until is None:
        raise LedgerError(f"Tanggal 'sampai' tidak sah ('{sampai}'): tulis tanggal terakhir tahap terbuka sebagai "
                          "YYYY-MM-DD, mis. 2026-06-30.")
    today = permissions.local_date(dt.datetime.now(dt.UTC), state.team.zona_waktu)
    if until < today:
        raise LedgerError(f"Tanggal 'sampai' ({date_text(until)}) sudah lewat; tahap dibuka kembali sampai hari ini "
                          f"({date_text(today)}) atau sesudahnya.")
    if not note:
        raise LedgerError("Catatan (alasan membuka kembali tahap) wajib diisi.")
    rec = team_status.reopen(state.ledger, state.team, caller.username, unit_id, stage, until=until, note=note,
                             via=HUB_PATH)
    return {"record": record_json(rec)}


# -- reads ---------------------------------------------------------------------------------------------------------
def has_role(state: ServiceData, username: str, unit_id: str, kinds: tuple[str, ...] | None = None) -> bool:
    """Whether the user holds one of ``kinds`` (None: any role) on the unit (``unit``/``tpi``: listed for it)."""
    user = state.team.user(username)
    if user is None:
        return False
    return any((kinds is None or k in kinds) and (k not in SCOPED_ROLES or unit_id in user.units_as(k))
               for k in user.kinds)


def unit_records(state: ServiceData, caller: Caller, args: dict[str, Any]) -> dict[str, Any]:
    """``api/records?unit=U``: the unit's records, for a user with a role on the unit."""
    unit_id = text(args, "unit")
    if unit_id not in state.team.units:
        raise LedgerError(f"Unit '{unit_id}' tidak terdaftar dalam berkas tim.")
    if not has_role(state, caller.username, unit_id):
        raise PermissionDenied(f"Anda ({caller.username}) tidak memiliki peran pada unit {unit_id}; rekaman unit "
                               "ini tidak dapat dibaca.")
    records = state.ledger.records(unit_id)
    return {"unit_id": unit_id, "status": team_status.status_of(records, unit_id, state.team.periode.id),
            "records": [record_json(r) for r in records]}


def attachment_file(state: ServiceData, caller: Caller, args: dict[str, Any]) -> Download:
    """``api/berkas?unit=U&sha256=S``: a file attached to the unit (in force in the ledger), for a user with a role
    on the unit; 404 when that file is not attached to that unit or is missing from the store."""
    unit_id, sha = text(args, "unit"), text(args, "sha256").strip().lower()
    if unit_id not in state.team.units:
        raise LedgerError(f"Unit '{unit_id}' tidak terdaftar dalam berkas tim.")
    if not has_role(state, caller.username, unit_id):
        raise PermissionDenied(f"Anda ({caller.username}) tidak memiliki peran pada unit {unit_id}; berkas bukti unit "
                               "ini tidak dapat diunduh.")
    store = store_of(state)
    store.path_of(sha)  # EvidenceError (400) unless 64 hex digits
    found = next((a for a in attachments_in_force(state.ledger.records(unit_id), unit_id) if a.sha256 == sha), None)
    if found is None:
        raise refused(404, f"Berkas {sha} tidak terlampir pada unit {unit_id} (yang diharapkan: sha256 sebuah berkas "
                      "yang terlampir pada salah satu butir unit ini).")
    try:
        content = store.read(sha)
    except EvidenceError as exc:
        raise refused(404, str(exc)) from None
    try:
        mime = check_file(found.name, content).mime  # the kind the store found when it took the file
    except EvidenceError:
        mime = "application/octet-stream"
    return Download(content, mime, found.name or f"{sha[:12]}.bin")


Endpoint = Callable[[ServiceData, Caller, dict[str, Any]], "dict[str, Any] | Download"]
# path under api/ -> (HTTP method, endpoint)
ENDPOINTS: dict[str, tuple[str, Endpoint]] = {
    "status": ("POST", change_status), "semua-ada": ("POST", all_present), "attach": ("POST", attach_file),
    "undo": ("POST", undo), "records": ("GET", unit_records), "answers": ("POST", save_answers),
    "berkas": ("GET", attachment_file), "buka-tahap": ("POST", reopen_stage),
}  # and the reads of zi_nb.team.service_reads.ENDPOINTS: zi_nb.team.service serves both
UPLOADS: tuple[str, ...] = ("attach",)  # endpoints whose body may be up to UPLOAD_MAX_BODY
