"""The client of the ledger service (:mod:`zi_nb.team.service`), for code running in a user's server on the hub.

``ServiceClient.from_env()`` is None outside the hub; inside, it calls the service at ``$ZI_NB_SERVICE_URL`` with the
server's own ``$JUPYTERHUB_API_TOKEN``: the service, not this client, decides who is writing (the hub user owning the
token), so nothing here carries a name. Errors are :class:`zi_nb.errors.LedgerError` with the service's message
(in Bahasa Indonesia), or a message saying the service cannot be reached.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zi_nb.errors import LedgerError

SERVICE_URL_ENV = "ZI_NB_SERVICE_URL"
TOKEN_ENV = "JUPYTERHUB_API_TOKEN"
TIMEOUT = 30.0


@dataclass(frozen=True)
class ServiceClient:
    url: str  # the service's base, e.g. http://127.0.0.1:8082/services/zi-ledger/
    token: str
    timeout: float = TIMEOUT

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServiceClient | None:
        """The client of this hub server, or None outside the hub (either variable missing)."""
        env = os.environ if env is None else env
        url, token = env.get(SERVICE_URL_ENV, "").strip(), env.get(TOKEN_ENV, "").strip()
        if not url or not token:
            return None
        return cls(url if url.endswith("/") else url + "/", token)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            return json.loads(self._fetch(method, path, body).decode("utf-8") or "{}")
        except ValueError:
            raise LedgerError("Jawaban layanan ledger tidak dapat dibaca.") from None

    def _fetch(self, method: str, path: str, body: dict[str, Any] | None = None) -> bytes:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json; charset=UTF-8",
                                                  "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:
                return resp.read()
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read().decode("utf-8")).get("error", "")
            except (ValueError, UnicodeDecodeError, AttributeError):
                message = ""
            raise LedgerError(message or f"Layanan ledger menolak permintaan (HTTP {exc.code}).") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise LedgerError(f"Layanan ledger di {self.url} tidak dapat dihubungi ({reason}); simpan ulang "
                              "sebentar lagi atau hubungi admin.") from None

    def whoami(self) -> dict[str, Any]:
        """The hub user of this server as the team file knows them: username, nama, nip, peran, evaluator."""
        return self._call("GET", "api/whoami")

    def adjust(self, unit_id: str, code: str, answer: str, tier: str, note: str,
               previous: str | None = None) -> dict[str, Any]:
        """A new answer (see :meth:`zi_nb.review.ledger.Ledger.adjust`; ``previous``: the workbook's answer, kept
        for undo when the ledger has none); returns the record written."""
        return self._call("POST", "api/answer", {"unit_id": unit_id, "code": code, "answer": answer, "tier": tier,
                                                 "note": note, "previous": previous})["record"]

    def adjust_many(self, unit_id: str, tier: str, note: str,
                    changes: list[tuple[str, str, str | None]]) -> list[dict[str, Any]]:
        """Several answers of a unit's tier, ``changes`` = (code, answer, the workbook's answer), written in one
        transaction: all or none (see :meth:`zi_nb.review.ledger.Ledger.adjust_many`); returns the records."""
        body = {"unit_id": unit_id, "tier": tier, "note": note,
                "changes": [{"code": c, "answer": a, "previous": p} for c, a, p in changes]}
        return self._call("POST", "api/answers", body)["records"]

    def write_verdicts(self, unit_id: str, code: str, tier: str, verdicts: Mapping[int, str | None],
                       note: str | None = None) -> list[dict[str, Any]]:
        """Verdicts on an item's documents (see :func:`zi_nb.review.evidence.write_verdicts`)."""
        body = {"unit_id": unit_id, "code": code, "tier": tier, "verdicts": {str(k): v for k, v in verdicts.items()},
                "note": note}
        return self._call("POST", "api/verdicts", body)["records"]

    def write_catatan(self, unit_id: str, scope: str, tier: str, catatan: str | None,
                      rekomendasi: str | None) -> dict[str, Any]:
        """The catatan and rekomendasi of an area or ``UNIT`` (see :func:`zi_nb.review.catatan.write_catatan`)."""
        return self._call("POST", "api/catatan", {"unit_id": unit_id, "scope": scope, "tier": tier,
                                                  "catatan": catatan, "rekomendasi": rekomendasi})["record"]

    # -- the team workflow (zi_nb.team.service_api) -----------------------------------------------------------------
    def status(self, unit_id: str, to_status: str, note: str = "", *, butir: Mapping[str, str] | None = None,
               lhe_sha256: str | None = None, alasan: str | None = None) -> dict[str, Any]:
        """Move the unit to ``to_status`` (see :func:`zi_nb.team.status.transition`): ``butir`` {item code: note}
        to ``dikembalikan``, ``lhe_sha256`` to ``final TPI``, ``alasan`` to ``dicabut``; returns the status record."""
        body: dict[str, Any] = {"unit_id": unit_id, "to_status": to_status, "note": note}
        for name, value in (("butir", None if butir is None else dict(butir)), ("lhe_sha256", lhe_sha256),
                            ("alasan", alasan)):
            if value is not None:
                body[name] = value
        return self._call("POST", "api/status", body)["record"]

    def reopen(self, unit_id: str, stage: str, until: dt.date | str, note: str) -> dict[str, Any]:
        """An admin reopens ``stage`` (pengisian, reviu, finalisasi, pengusulan, penetapan) for the unit after its
        deadline, until ``until`` (the last day it stays open), with ``note`` (the reason): see
        :func:`zi_nb.team.status.reopen`; returns the record written (a refusal is a :class:`LedgerError`)."""
        sampai = until.isoformat() if isinstance(until, dt.date) else str(until)
        body = {"unit_id": unit_id, "tahap": stage, "sampai": sampai, "note": note}
        return self._call("POST", "api/buka-tahap", body)["record"]

    def all_present(self, unit_id: str, code: str, tier: str) -> list[dict[str, Any]]:
        """"Semua ada": every required document of the item is there (the verdict records written)."""
        return self._call("POST", "api/semua-ada", {"unit_id": unit_id, "code": code, "tier": tier})["records"]

    def attach(self, unit_id: str, code: str, tier: str, name: str, content: bytes, note: str | None = None,
               source: str | None = None) -> dict[str, Any]:
        """Attach a file to an item: ``{"record", "berkas": {"sha256", "size", "label", "mime"}}``."""
        body = {"unit_id": unit_id, "code": code, "tier": tier, "name": name, "note": note, "source": source,
                "content": base64.b64encode(content).decode("ascii")}
        return self._call("POST", "api/attach", body)

    def undo(self, unit_id: str, note: str, tier: str | None = None) -> dict[str, Any]:
        """Undo the last change of the unit's tier (None: the tier of this user's role on the unit)."""
        body = {"unit_id": unit_id, "note": note, **({"tier": tier} if tier else {})}
        return self._call("POST", "api/undo", body)["record"]

    def records(self, unit_id: str) -> dict[str, Any]:
        """The unit's records and status: ``{"unit_id", "status", "records"}`` (for a user with a role on it)."""
        return self._call("GET", "api/records?" + urllib.parse.urlencode({"unit": unit_id}))

    def read_attachment(self, unit_id: str, sha256: str) -> bytes:
        """The content of a file attached to the unit (for a user with a role on it)."""
        return self._fetch("GET", "api/berkas?" + urllib.parse.urlencode({"unit": unit_id, "sha256": sha256}))

    def tasks(self) -> list[dict[str, Any]]:
        """"Tugas saya": the units waiting for this user, earliest deadline first, then the riskiest; each with
        ``progress`` ({"tier", "answered", "scorable", "text"}) and ``risk`` ({"score", "rank", "of"}), or None."""
        return self._call("GET", "api/tasks")["tasks"]

    def risks(self) -> dict[str, Any]:
        """The triage risk of the units this user reviews: ``{"units": {unit_id: {"score", "rank", "of"}}, "of",
        "ledger"}`` (refused to a unit's PIC: :func:`zi_nb.team.service_reads.risk`)."""
        return self._call("GET", "api/risiko")

    def risk_summary(self, unit_id: str) -> dict[str, Any] | None:
        """One unit's triage in words (:func:`zi_nb.engine.triage.unit_summary`, with ``ledger``), None when the
        service does not rank it (refused to a unit's PIC, and to a user who does not review the unit)."""
        return self._call("GET", "api/risiko?" + urllib.parse.urlencode({"unit": unit_id})).get("unit")

    def summary_rows(self, tier: str | None = None) -> dict[str, Any]:
        """The unit list's figures over the team ledger (``api/ringkasan``): ``{"tier", "ledger", "units": {unit_id:
        {"unit_total", "tier_total", "predicate", "data_status", "changes", "lacking", "status"}}}``, for the units
        this user has a role on; ``tier`` None: the tier of this user's role."""
        return self._call("GET", "api/ringkasan" + ("?" + urllib.parse.urlencode({"tier": tier}) if tier else ""))

    def overview(self) -> list[dict[str, Any]]:
        """Every unit's status (koordinator, admin, TPN)."""
        return self._call("GET", "api/overview")["units"]

    def overview_report(self) -> dict[str, Any]:
        """The whole overview answer: ``{"periode", "units", ...}`` (koordinator, admin, TPN)."""
        return self._call("GET", "api/overview")

    def overview_xlsx(self) -> bytes:
        """The overview as an xlsx workbook (koordinator, admin, TPN)."""
        return self._fetch("GET", "api/overview?format=xlsx")
