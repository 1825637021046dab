"""Where the evaluator app writes: the seam between the app and the ledger.

:class:`LocalWriter` writes the local ledger file (``zi-nb serve`` on one's own computer: :class:`Ledger` and the
review functions, the evaluator named in the app). :class:`HubWriter` writes through the team server's ledger service
(:class:`zi_nb.team.client.ServiceClient`): the service decides who writes (the hub user of the token) and whether
the team's rules allow it; its refusal is a :class:`LedgerError` with the service's message, nothing written. Both
offer the same operations: answers, undo, catatan, verdicts, "semua ada", attachments, and the unit's records.

On the team server (:data:`SERVICE_URL_ENV` set) a :class:`LocalWriter` never writes (:data:`HUB_NOT_YET`): only the
ledger service may write there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from zi_nb.engine.rubric import Rubric
from zi_nb.errors import LedgerError
from zi_nb.review.catatan import write_catatan
from zi_nb.review.evidence import attach, mark_all_present, write_verdicts
from zi_nb.review.evidence_store import EvidenceStore
from zi_nb.review.ledger import Ledger, Record
from zi_nb.team.client import SERVICE_URL_ENV, ServiceClient

HUB_NOT_YET = ("Aplikasi ini berjalan di server tim, tetapi tidak tersambung ke layanan ledger tim (token hub tidak "
               "ada); perubahan BELUM tersimpan. Muat ulang halaman dari hub atau hubungi admin.")


class Writer(Protocol):
    """What the app writes and reads of a unit's ledger."""

    hub: bool

    def ledger(self, create: bool = False) -> Ledger | None: ...

    def records(self, unit_id: str) -> list[Record]: ...

    def adjust_many(self, rubric: Rubric, unit_id: str, changes: list[tuple[str, str, str | None]], tier: str,
                    evaluator: str, note: str) -> list[Record]: ...

    def undo(self, rubric: Rubric, unit_id: str, tier: str, evaluator: str, note: str) -> Record | None: ...

    def catatan(self, rubric: Rubric, unit_id: str, scope: str, tier: str, evaluator: str, catatan: str | None,
                rekomendasi: str | None) -> Record: ...

    def verdicts(self, rubric: Rubric, unit_id: str, code: str, tier: str, evaluator: str,
                 verdicts: Mapping[int, str | None], note: str | None) -> list[Record]: ...

    def all_present(self, rubric: Rubric, unit_id: str, code: str, tier: str, evaluator: str) -> list[Record]: ...

    def attach(self, store: EvidenceStore, rubric: Rubric, unit_id: str, code: str, tier: str, evaluator: str,
               name: str, content: bytes, source: str | None = None) -> tuple[Record, str]: ...


class LocalWriter:
    """The local ledger file (opened only when it exists or a change is written: reading never creates it)."""

    hub = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self.book: Ledger | None = None

    def ledger(self, create: bool = False) -> Ledger | None:
        if create and os.environ.get(SERVICE_URL_ENV):
            raise LedgerError(HUB_NOT_YET)
        if self.book is None and (create or self.path.is_file()):
            self.book = Ledger(self.path)
        return self.book

    def _book(self) -> Ledger:
        book = self.ledger(create=True)
        assert book is not None
        return book

    def records(self, unit_id: str) -> list[Record]:
        book = self.ledger()
        return book.records(unit_id) if book is not None else []

    def adjust_many(self, rubric: Rubric, unit_id: str, changes: list[tuple[str, str, str | None]], tier: str,
                    evaluator: str, note: str) -> list[Record]:
        book = self._book()
        if len(changes) == 1:
            code, answer, previous = changes[0]
            return [book.adjust(rubric, unit_id, code, answer, tier, evaluator, note, previous=previous)]
        return book.adjust_many(rubric, unit_id, changes, tier, evaluator, note)

    def undo(self, rubric: Rubric, unit_id: str, tier: str, evaluator: str, note: str) -> Record | None:
        book = self.ledger()
        return book.undo(rubric, unit_id, tier, evaluator, note) if book is not None else None

    def catatan(self, rubric: Rubric, unit_id: str, scope: str, tier: str, evaluator: str, catatan: str | None,
                rekomendasi: str | None) -> Record:
        return write_catatan(self._book(), rubric, unit_id, scope, tier, evaluator, catatan, rekomendasi)

    def verdicts(self, rubric: Rubric, unit_id: str, code: str, tier: str, evaluator: str,
                 verdicts: Mapping[int, str | None], note: str | None) -> list[Record]:
        return write_verdicts(self._book(), rubric, unit_id, code, tier, evaluator, dict(verdicts), note)

    def all_present(self, rubric: Rubric, unit_id: str, code: str, tier: str, evaluator: str) -> list[Record]:
        return mark_all_present(self._book(), rubric, unit_id, code, tier, evaluator)

    def attach(self, store: EvidenceStore, rubric: Rubric, unit_id: str, code: str, tier: str, evaluator: str,
               name: str, content: bytes, source: str | None = None) -> tuple[Record, str]:
        rec, stored = attach(self._book(), store, rubric, unit_id, code, tier, evaluator, name, content,
                             source=source)
        return rec, stored.label


def record_of(data: Mapping[str, Any], rubric_id: str = "") -> Record:
    """A :class:`Record` from the service's record dict (``data`` may be the parsed details or their JSON)."""
    details = data.get("data") or {}
    return Record(seq=int(data.get("seq") or 0), kind=str(data.get("kind", "")), unit_id=str(data.get("unit_id", "")),
                  code=str(data.get("code", "")), tier=str(data.get("tier", "")), previous=data.get("previous"),
                  answer=data.get("answer"), evaluator=str(data.get("evaluator", "")), note=str(data.get("note") or ""),
                  timestamp=str(data.get("timestamp", "")), rubric_id=str(data.get("rubric_id") or rubric_id),
                  prev_hash=str(data.get("prev_hash") or ""), hash=str(data.get("hash") or ""),
                  data=details if isinstance(details, str) else json.dumps(details, ensure_ascii=False,
                                                                           sort_keys=True))


class HubWriter:
    """The team server's ledger service: who writes is the hub user of the server's token (the ``evaluator`` given
    here is ignored by the service; it writes ``hub:<username> (...)``)."""

    hub = True

    def __init__(self, client: ServiceClient, rubric_id: str = "") -> None:
        self.client = client
        self.rubric_id = rubric_id
        self.status = ""  # the unit's status in the period, as the last read of its records said

    def ledger(self, create: bool = False) -> Ledger | None:
        return None  # no local ledger on the team server

    def records(self, unit_id: str) -> list[Record]:
        found = self.client.records(unit_id)
        self.status = str(found.get("status") or "")
        return [record_of(r, self.rubric_id) for r in found.get("records", [])]

    def adjust_many(self, rubric: Rubric, unit_id: str, changes: list[tuple[str, str, str | None]], tier: str,
                    evaluator: str, note: str) -> list[Record]:
        # one request per answer: the service writes each under its lock (a refusal stops the rest)
        return [record_of(self.client.adjust(unit_id, code, answer, tier, note, previous), rubric.id)
                for code, answer, previous in changes]

    def undo(self, rubric: Rubric, unit_id: str, tier: str, evaluator: str, note: str) -> Record | None:
        return record_of(self.client.undo(unit_id, note, tier), rubric.id)

    def catatan(self, rubric: Rubric, unit_id: str, scope: str, tier: str, evaluator: str, catatan: str | None,
                rekomendasi: str | None) -> Record:
        return record_of(self.client.write_catatan(unit_id, scope, tier, catatan, rekomendasi), rubric.id)

    def verdicts(self, rubric: Rubric, unit_id: str, code: str, tier: str, evaluator: str,
                 verdicts: Mapping[int, str | None], note: str | None) -> list[Record]:
        return [record_of(r, rubric.id) for r in self.client.write_verdicts(unit_id, code, tier, verdicts, note)]

    def all_present(self, rubric: Rubric, unit_id: str, code: str, tier: str, evaluator: str) -> list[Record]:
        return [record_of(r, rubric.id) for r in self.client.all_present(unit_id, code, tier)]

    def attach(self, store: EvidenceStore, rubric: Rubric, unit_id: str, code: str, tier: str, evaluator: str,
               name: str, content: bytes, source: str | None = None) -> tuple[Record, str]:
        found = self.client.attach(unit_id, code, tier, name, content, source=source)
        return record_of(found["record"], rubric.id), str(found.get("berkas", {}).get("label", ""))
