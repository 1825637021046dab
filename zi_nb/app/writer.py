"""Where the evaluator app writes: the seam between the app and the ledger.

:class:`LocalWriter` writes the local ledger file (``zi-nb serve`` on one's own computer: :class:`Ledger` and the
review functions, the evaluator named in the app). :class:`HubWriter` writes through the team server's ledger service
(:class:`zi_nb.team.client.ServiceClient`): the service decides who writes (the hub user of the token) and whether
the team's rules allow it; its refusal is a :class:`LedgerError` with the service's message, nothing written. Both
offer the same operations: answers (several at once in one transaction: all or none), undo, catatan, verdicts,
"semua ada", attachments (and reading an attached file: :meth:`Writer.read_attachment`), and the unit's records.

On the team server (:data:`SERVICE_URL_ENV` set) a :class:`LocalWriter` never writes (:data:`HUB_NOT_YET`): only the
ledger service may write there.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from zi_nb.engine.rubric import Rubric
from zi_nb.errors import LedgerError
from zi_nb.review.catatan import write_catatan
from zi_nb.review.evidence import attach, mark_all_present, write_verdicts
from zi_nb.review.evidence_store import EvidenceStore, default_store_path
from zi_nb.review.extract import record_from_json
from zi_nb.review.ledger import Ledger, Record
from zi_nb.team.client import SERVICE_URL_ENV, ServiceClient

DOWNLOAD_CACHE_BYTES = 32 << 20  # attached files a HubWriter keeps after downloading them (the page shows small ones)
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

    def read_attachment(self, unit_id: str, sha256: str) -> bytes: ...


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

    def read_attachment(self, unit_id: str, sha256: str) -> bytes:
        """A stored evidence file, from the store of this ledger (:func:`default_store_path`)."""
        return EvidenceStore(default_store_path(self.path)).read(sha256)


class HubWriter:
    """The team server's ledger service: who writes is the hub user of the server's token (the ``evaluator`` given
    here is ignored by the service; it writes ``hub:<username> (...)``)."""

    hub = True

    def __init__(self, client: ServiceClient, rubric_id: str = "") -> None:
        self.client = client
        self.rubric_id = rubric_id
        self.status = ""  # the unit's status in the period, as the last read of its records said
        self.downloads: OrderedDict[tuple[str, str], bytes] = OrderedDict()  # (unit, sha256) -> attached file

    def ledger(self, create: bool = False) -> Ledger | None:
        return None  # no local ledger on the team server

    def records(self, unit_id: str) -> list[Record]:
        found = self.client.records(unit_id)
        self.status = str(found.get("status") or "")
        return [record_from_json(r, self.rubric_id) for r in found.get("records", [])]

    def adjust_many(self, rubric: Rubric, unit_id: str, changes: list[tuple[str, str, str | None]], tier: str,
                    evaluator: str, note: str) -> list[Record]:
        if len(changes) == 1:
            code, answer, previous = changes[0]
            return [record_from_json(self.client.adjust(unit_id, code, answer, tier, note, previous), rubric.id)]
        # one request, one transaction on the service: all answers written or none
        return [record_from_json(r, rubric.id) for r in self.client.adjust_many(unit_id, tier, note, changes)]

    def undo(self, rubric: Rubric, unit_id: str, tier: str, evaluator: str, note: str) -> Record | None:
        return record_from_json(self.client.undo(unit_id, note, tier), rubric.id)

    def catatan(self, rubric: Rubric, unit_id: str, scope: str, tier: str, evaluator: str, catatan: str | None,
                rekomendasi: str | None) -> Record:
        return record_from_json(self.client.write_catatan(unit_id, scope, tier, catatan, rekomendasi), rubric.id)

    def verdicts(self, rubric: Rubric, unit_id: str, code: str, tier: str, evaluator: str,
                 verdicts: Mapping[int, str | None], note: str | None) -> list[Record]:
        return [record_from_json(r, rubric.id) for r in self.client.write_verdicts(unit_id, code, tier, verdicts, note)]

    def all_present(self, rubric: Rubric, unit_id: str, code: str, tier: str, evaluator: str) -> list[Record]:
        return [record_from_json(r, rubric.id) for r in self.client.all_present(unit_id, code, tier)]

    def attach(self, store: EvidenceStore, rubric: Rubric, unit_id: str, code: str, tier: str, evaluator: str,
               name: str, content: bytes, source: str | None = None) -> tuple[Record, str]:
        found = self.client.attach(unit_id, code, tier, name, content, source=source)
        return record_from_json(found["record"], rubric.id), str(found.get("berkas", {}).get("label", ""))

    def read_attachment(self, unit_id: str, sha256: str) -> bytes:
        """A file attached to the unit, from the service (kept here: a file's content never changes for its hash,
        at most :data:`DOWNLOAD_CACHE_BYTES` in all)."""
        key = (unit_id, sha256)
        if key in self.downloads:
            self.downloads.move_to_end(key)
            return self.downloads[key]
        content = self.client.read_attachment(unit_id, sha256)
        if hashlib.sha256(content).hexdigest() != sha256:
            raise LedgerError(f"Berkas bukti {sha256} dari layanan ledger tidak sesuai hash-nya; coba lagi atau "
                              "hubungi admin.")
        self.downloads[key] = content
        while sum(len(c) for c in self.downloads.values()) > DOWNLOAD_CACHE_BYTES and len(self.downloads) > 1:
            self.downloads.popitem(last=False)
        return content
