"""The reviewer ledger: an append-only, hash-chained record of every answer a reviewer changes.

Each record holds unit, code, tier (``unit``/``tpi``/``tpn``), the previous and the new answer, the evaluator, a
required note, a UTC timestamp, the rubric id, and ``prev_hash`` (the hash of the record before it); its own ``hash`` is
the sha256 of its canonical JSON. Deleting, changing or reordering any record breaks the chain, which
:meth:`Ledger.verify` reports.

Storage is one SQLite file (WAL mode). Path (:func:`resolve_ledger`): ``--ledger``, else the ``ZI_NB_LEDGER``
environment variable, else none (the evaluator app: ``outputs/ledger.sqlite``), stored absolute. An append runs in
an ``IMMEDIATE`` transaction (the chain head is read and the record written under one write lock), so several
evaluators in several processes lose nothing; what a record is based on
(the previous answer, the change an undo reverts, an earlier decision) is read under the same lock. A change is
acknowledged (returned) only after its transaction committed (``synchronous=FULL``), so it survives a crash; a
process killed before that leaves no trace of it, never half a record. A writer that cannot get the lock within
``timeout`` (30 s) is refused with a clear "silakan ulangi" message and nothing is written. Undo is a new record,
never a deletion.

Scores and reports read a tier's answers as the workbook's answers plus the ledger's records
(:func:`apply_ledger`).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from zi_nb.common.domain import ANSWER_KINDS, BUKTI, CATATAN, LAMPIRAN, RECORD_KINDS, REVIEW_TIERS, TIER_RANKS
from zi_nb.engine.answers import build_answers, normalise_value
from zi_nb.engine.rubric import Rubric
from zi_nb.errors import LedgerError

GENESIS = "0" * 64
DEFAULT_PATH = Path("outputs") / "ledger.sqlite"
_FIELDS = ["seq", "kind", "unit_id", "code", "tier", "previous", "answer", "evaluator", "note", "timestamp",
           "rubric_id", "prev_hash", "hash", "data"]
SCHEMA = """CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, unit_id TEXT NOT NULL, code TEXT NOT NULL,
    tier TEXT NOT NULL, previous TEXT, answer TEXT, evaluator TEXT NOT NULL, note TEXT NOT NULL,
    timestamp TEXT NOT NULL, rubric_id TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}')"""
BUSY_MESSAGE = ("Ledger {path} sedang dipakai penilai lain dan belum dapat ditulis dalam {seconds:.0f} detik; "
                "perubahan BELUM tersimpan. Silakan ulangi sebentar lagi.")
T = TypeVar("T")


@dataclass(frozen=True)
class Record:
    """One ledger record.

    ``kind``: ``answer`` (a reviewer's change), ``undo`` (a change restoring an earlier answer), ``catatan`` (the
    catatan and rekomendasi of an area or the whole unit: ``code`` the area or ``UNIT``, ``data`` the texts, see
    :mod:`zi_nb.review.catatan`), ``bukti`` (a verdict on one required document of an item) and ``lampiran`` (a
    file attached to an item, by its sha256; both :mod:`zi_nb.review.evidence`), ``decision`` (a
    produced result: ``code`` is ``PREDIKAT:<year>``, ``answer`` the predikat, ``data`` the total, criteria and run
    id) or ``revocation`` (a predikat withdrawn: ``answer`` is ``DICABUT``, ``note`` the reason).
    """

    seq: int
    kind: str
    unit_id: str
    code: str
    tier: str
    previous: str | None
    answer: str | None
    evaluator: str
    note: str
    timestamp: str
    rubric_id: str
    prev_hash: str
    hash: str
    data: str = "{}"  # JSON with what a decision states (total, criteria, run id); {} for answers

    def payload(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("hash")
        return data

    @property
    def details(self) -> dict[str, Any]:
        return json.loads(self.data or "{}")


def record_hash(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


LEDGER_ENV = "ZI_NB_LEDGER"


def resolve_ledger(explicit: str | Path | None) -> Path | None:
    """The one ledger rule of every command (``score``, ``report``, ``bulk``, ``export``, ``history``, ``adjust``,
    ``revoke``, ``serve``): the ``--ledger`` path when given, else the :data:`LEDGER_ENV` environment variable, else
    none. A relative path is resolved against the current directory here, once; the path returned is absolute, so
    what a run records and what a later command in another folder reads is the same file."""
    chosen = str(explicit or "").strip() or os.environ.get(LEDGER_ENV, "").strip()
    return Path(chosen).expanduser().resolve() if chosen else None


def default_path() -> Path:
    """The ledger of the evaluator app, which always writes to one: :func:`resolve_ledger` without a flag, else
    ``outputs/ledger.sqlite`` of the current directory (absolute)."""
    return resolve_ledger(None) or DEFAULT_PATH.resolve()


def check_answer(rubric: Rubric, code: str, answer: str) -> str:
    """The canonical form of ``answer`` for ``code``, or :class:`LedgerError` saying what is expected."""
    if code not in rubric.all_codes:
        raise LedgerError(f"Kode '{code}' tidak ada dalam rubrik {rubric.id}.")
    option, number, kind, _ = normalise_value(rubric, code, answer)
    answer_type = rubric.answer_type_of(code)
    if option is not None:
        return option
    if kind in (None, "normalised") and not pd.isna(number):
        return str(int(number)) if float(number).is_integer() else str(number)
    at = rubric.answer_types.get(answer_type)
    expected = ", ".join(at.options) if at is not None and at.options else {
        "Jumlah": "bilangan bulat 0 atau lebih", "Nilai (0-4)": "indeks 0..4"}.get(answer_type, answer_type)
    raise LedgerError(f"Jawaban '{answer}' tidak sah untuk {code} (tipe {answer_type}); yang diharapkan: {expected}.")


def new_fields(*, kind: str, unit_id: str, code: str, tier: str, previous: str | None, answer: str | None,
               evaluator: str, note: str, rubric_id: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The fields of a new record (all but seq, timestamp and the hashes), or :class:`LedgerError` saying why not."""
    if kind not in RECORD_KINDS:
        raise LedgerError(f"Jenis rekaman '{kind}' tidak dikenal.")
    if not (note or "").strip():
        raise LedgerError("Catatan wajib diisi untuk setiap perubahan jawaban."
                          if kind in ANSWER_KINDS else "Alasan wajib diisi.")
    if not (evaluator or "").strip():
        raise LedgerError("Id evaluator wajib diisi.")
    allowed = (REVIEW_TIERS if kind in (CATATAN, BUKTI)  # answers: the unit's PIC (team server) or a reviewer
               else ("unit", *REVIEW_TIERS) if kind in (*ANSWER_KINDS, LAMPIRAN) else ("unit", *REVIEW_TIERS, "final"))
    if tier not in allowed:
        raise LedgerError(f"Tingkat '{tier}' tidak sah; penilai menulis pada tingkat {' atau '.join(allowed)}.")
    return {"kind": kind, "unit_id": unit_id, "code": code, "tier": tier, "previous": previous, "answer": answer,
            "evaluator": evaluator.strip(), "note": note.strip(), "rubric_id": rubric_id,
            "data": json.dumps(data or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))}


def _select(db: sqlite3.Connection, unit_id: str | None) -> list[Record]:
    sql = f"SELECT {', '.join(_FIELDS)} FROM records"
    rows = db.execute(sql + (" WHERE unit_id = ? ORDER BY seq" if unit_id else " ORDER BY seq"),
                      (unit_id,) if unit_id else ()).fetchall()
    return [Record(*row) for row in rows]


def _latest_answers(records: list[Record], tier: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for rec in records:
        if rec.tier == tier and rec.kind in ANSWER_KINDS:
            out[rec.code] = rec.answer
    return out


class Ledger:
    """A ledger file. Safe to use from several processes at once.

    ``timeout``: how long a write waits for the write lock held by other evaluators before it is refused with
    :data:`BUSY_MESSAGE` (nothing is written then; the evaluator retries).
    """

    def __init__(self, path: str | Path | None = None, timeout: float = 30.0) -> None:
        self.path = Path(path) if path else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._timeout = timeout
        self._retrying(self._setup)

    def _setup(self) -> None:
        """WAL mode and the table, created or migrated under the write lock (several processes may open a new
        ledger at once); a ledger already set up is only read."""
        with closing(self._connect()) as db:
            if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            columns = {row[1] for row in db.execute("PRAGMA table_info(records)")}
            if "data" in columns:
                return
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute(SCHEMA)
                db.execute("CREATE INDEX IF NOT EXISTS records_unit ON records(unit_id, tier, code)")
                columns = {row[1] for row in db.execute("PRAGMA table_info(records)")}
                if "data" not in columns:  # ledgers written before decisions existed
                    db.execute("ALTER TABLE records ADD COLUMN data TEXT NOT NULL DEFAULT '{}'")
                db.execute("COMMIT")
            finally:
                if db.in_transaction:
                    db.execute("ROLLBACK")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout={int(self._timeout * 1000)}")
        db.execute("PRAGMA synchronous=FULL")  # a commit is on disk before the change is acknowledged
        return db

    def _retrying(self, action: Callable[[], T]) -> T:
        """Run ``action``; while SQLite says the database is busy (beyond its busy timeout, or at once where it does
        not wait), try again with a growing random pause until ``timeout`` has passed, then refuse with the retry
        message. Nothing is half written: every write is one transaction."""
        deadline = time.monotonic() + self._timeout
        attempt = 0
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                text = str(exc).lower()
                if "locked" not in text and "busy" not in text:
                    raise LedgerError(f"Ledger {self.path} tidak dapat dipakai: {exc}") from None
                attempt += 1
                if time.monotonic() >= deadline:
                    raise LedgerError(BUSY_MESSAGE.format(path=self.path, seconds=self._timeout)) from None
                time.sleep(min(0.01 * 2 ** min(attempt, 6), 0.5) * random.uniform(0.5, 1.5))

    # -- writing ---------------------------------------------------------------------------------------------------
    def append(self, *, kind: str, unit_id: str, code: str, tier: str, previous: str | None, answer: str | None,
               evaluator: str, note: str, rubric_id: str, data: dict[str, Any] | None = None) -> Record:
        """Append one record under the write lock; returns it once committed (the acknowledgement)."""
        fields = new_fields(kind=kind, unit_id=unit_id, code=code, tier=tier, previous=previous, answer=answer,
                            evaluator=evaluator, note=note, rubric_id=rubric_id, data=data)
        return self.write_record(None, lambda records: fields)

    def write(self, unit_id: str | None,
              build: Callable[[list[Record]], dict[str, Any] | Record | None]) -> Record | None:
        """Append the record that ``build`` makes from the unit's records as they are under the write lock, so
        what it is based on (the previous answer, the change to undo) cannot change before it is written
        (``unit_id`` None: ``build`` gets no records).

        ``build`` returns the new record's fields (:func:`new_fields`), or an existing record or None when there is
        nothing to write (returned as is). The new record is returned once committed (the acknowledgement).
        """
        made: list[Record | None] = []

        def many(records: list[Record]) -> list[dict[str, Any]]:
            fields = build(records)
            if fields is None or isinstance(fields, Record):
                made.append(fields)
                return []
            return [fields]

        written = self.write_many(unit_id, many)
        return written[0] if written else (made[0] if made else None)

    def write_many(self, unit_id: str | None,
                   build: Callable[[list[Record]], list[dict[str, Any]]]) -> list[Record]:
        """Append every record ``build`` makes from the unit's records (as they are under the write lock) in one
        transaction: all of them are committed, or none (a batch such as accepting an area's answers is never left
        half written). Returns the new records once committed, in order; an empty list writes nothing."""
        def once() -> list[Record]:
            with closing(self._connect()) as db:
                try:
                    db.execute("BEGIN IMMEDIATE")
                    batch = build(_select(db, unit_id) if unit_id is not None else [])
                    if not batch:
                        db.execute("ROLLBACK")
                        return []
                    row = db.execute("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
                    seq, prev_hash = (row[0] + 1, row[1]) if row else (1, GENESIS)
                    out = []
                    for made in batch:
                        timestamp = datetime.now(UTC).isoformat(timespec="microseconds")
                        payload = {"seq": seq, **made, "timestamp": timestamp, "prev_hash": prev_hash}
                        record = Record(**payload, hash=record_hash(payload))
                        db.execute(f"INSERT INTO records ({', '.join(_FIELDS)}) VALUES "
                                   f"({', '.join('?' * len(_FIELDS))})", [getattr(record, f) for f in _FIELDS])
                        out.append(record)
                        seq, prev_hash = seq + 1, record.hash
                    db.execute("COMMIT")
                    return out
                finally:
                    if db.in_transaction:
                        db.execute("ROLLBACK")

        return self._retrying(once)

    def write_record(self, unit_id: str | None, build: Callable[[list[Record]], dict[str, Any] | Record]) -> Record:
        """:meth:`write` for a ``build`` that always gives a record: new fields, or a record already written."""
        record = self.write(unit_id, build)
        if not isinstance(record, Record):
            raise LedgerError(f"Ledger {self.path}: rekaman tidak tertulis; silakan ulangi.")
        return record

    def adjust(self, rubric: Rubric, unit_id: str, code: str, answer: str, tier: str, evaluator: str, note: str,
               previous: str | None = None) -> Record:
        """Record a reviewer's new answer for an item (validated against the rubric).

        The previous answer recorded is the ledger's latest answer for the unit, tier and code, read under the write
        lock (so two evaluators changing the same item at once each record what they really replaced); ``previous``
        (the workbook's answer) only when the ledger has none.
        """
        canonical = check_answer(rubric, code, answer)
        new_fields(kind="answer", unit_id=unit_id, code=code, tier=tier, previous=None, answer=canonical,
                   evaluator=evaluator, note=note, rubric_id=rubric.id)  # refuse before waiting for the lock

        def build(records: list[Record]) -> dict[str, Any]:
            latest = _latest_answers(records, tier)
            return new_fields(kind="answer", unit_id=unit_id, code=code, tier=tier,
                              previous=latest.get(code, previous), answer=canonical,
                              evaluator=evaluator, note=note, rubric_id=rubric.id)

        return self.write_record(unit_id, build)

    def adjust_many(self, rubric: Rubric, unit_id: str, changes: list[tuple[str, str, str | None]], tier: str,
                    evaluator: str, note: str) -> list[Record]:
        """:meth:`adjust` for several items at once, ``changes`` = (code, answer, previous answer in the workbook):
        every answer is checked first, then all records are written in one transaction (all or none), each with the
        previous answer read under the write lock."""
        checked = [(code, check_answer(rubric, code, answer), previous) for code, answer, previous in changes]
        new_fields(kind="answer", unit_id=unit_id, code="-", tier=tier, previous=None, answer=None,
                   evaluator=evaluator, note=note, rubric_id=rubric.id)  # refuse before waiting for the lock

        def build(records: list[Record]) -> list[dict[str, Any]]:
            latest = _latest_answers(records, tier)
            batch = []
            for code, canonical, previous in checked:
                batch.append(new_fields(kind="answer", unit_id=unit_id, code=code, tier=tier,
                                        previous=latest.get(code, previous), answer=canonical,
                                        evaluator=evaluator, note=note, rubric_id=rubric.id))
                latest[code] = canonical
            return batch

        return self.write_many(unit_id, build)

    def undo(self, rubric: Rubric, unit_id: str, tier: str, evaluator: str, note: str) -> Record | None:
        """Undo the last change of a unit's tier not yet undone, as a new record restoring the previous answer
        (chosen under the write lock: two evaluators undoing at once undo two changes, not one twice)."""
        new_fields(kind="undo", unit_id=unit_id, code="-", tier=tier, previous=None, answer=None,
                   evaluator=evaluator, note=note, rubric_id=rubric.id)

        def build(records: list[Record]) -> dict[str, Any] | None:
            undone: set[int] = set()
            for rec in reversed(records):
                if rec.tier != tier or rec.kind not in ANSWER_KINDS:
                    continue
                if rec.kind == "undo":
                    undone.add(int(rec.details.get("undoes", -1)))
                    continue
                if rec.seq in undone:
                    continue
                return new_fields(kind="undo", unit_id=unit_id, code=rec.code, tier=tier, previous=rec.answer,
                                  answer=rec.previous, evaluator=evaluator,
                                  note=f"{note.strip()} (membatalkan #{rec.seq})", rubric_id=rubric.id,
                                  data={"undoes": rec.seq})
            return None

        record = self.write(unit_id, build)
        assert not isinstance(record, dict)
        return record

    # -- reading ---------------------------------------------------------------------------------------------------
    def records(self, unit_id: str | None = None) -> list[Record]:
        def read() -> list[Record]:
            with closing(self._connect()) as db:
                return _select(db, unit_id)

        return self._retrying(read)

    def head(self) -> str:
        def read() -> str:
            with closing(self._connect()) as db:
                row = db.execute("SELECT hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
            return row[0] if row else GENESIS

        return self._retrying(read)

    def current(self, unit_id: str, tier: str) -> dict[str, str | None]:
        """code -> latest ledger answer of a unit's tier."""
        return _latest_answers(self.records(unit_id), tier)

    def verify(self) -> list[str]:
        """Every break of the hash chain, in Bahasa Indonesia (empty when the chain is intact)."""
        problems = []
        prev, expected_seq = GENESIS, 1
        for rec in self.records():
            if rec.seq != expected_seq:
                problems.append(f"rekaman #{expected_seq} hilang atau urutan berubah (ditemukan #{rec.seq})")
            if rec.prev_hash != prev:
                problems.append(f"rekaman #{rec.seq}: rantai hash terputus (prev_hash tidak cocok dengan rekaman "
                                "sebelumnya)")
            if record_hash(rec.payload()) != rec.hash:
                problems.append(f"rekaman #{rec.seq}: isi telah diubah (hash tidak cocok)")
            prev, expected_seq = rec.hash, rec.seq + 1
        return problems


def ledger_rows(records: list[Record], rubric: Rubric) -> pd.DataFrame:
    """Ledger records as raw answer rows (latest per unit/tier/code), for :func:`zi_nb.engine.answers.build_answers`."""
    latest: dict[tuple[str, str, str], Record] = {}
    for rec in records:
        if rec.kind in ANSWER_KINDS:
            latest[(rec.unit_id, rec.tier, rec.code)] = rec
    return pd.DataFrame([{"unit_id": r.unit_id, "tier": r.tier, "reviewer": r.evaluator, "code": r.code,
                          "raw": r.answer, "note": r.note, "evidence": None, "file": "ledger", "sheet": None,
                          "cell": f"#{r.seq}", "line": None} for r in latest.values() if r.code in rubric.all_codes])


def apply_ledger(data: Any, ledger: Ledger | None = None, records: list[Record] | None = None) -> Any:
    """A copy of an :class:`zi_nb.engine.dataset.LkeData` whose tier answers are the workbook's plus the ledger's
    records (a ledger record replaces the workbook's answer of the same unit, tier and code).

    ``records`` restricts what is applied (an audit re-applies exactly the records a run used); by default every
    answer record of ``ledger`` for the data's units.
    """
    from dataclasses import replace

    if records is None:
        records = ledger.records() if ledger is not None else []
    units = set(data.unit_ids)
    records = [r for r in records if r.unit_id in units and r.kind in ANSWER_KINDS]
    if not records:
        return data
    extra, findings = build_answers(ledger_rows(records, data.rubric), data.rubric)
    # A ledger record is the latest answer of its stage: a TPI record also replaces the workbook's later TPI columns
    # (tpi2, tpi3), otherwise a second TPI column in the workbook would hide the reviewer's change.
    replaced = {(unit_id, t, code) for unit_id, tier, code in zip(extra["unit_id"], extra["tier"], extra["code"])
                for t in TIER_RANKS.get(tier, (tier,))}
    keys = list(zip(data.answers["unit_id"], data.answers["tier"], data.answers["code"]))
    kept = data.answers[[k not in replaced for k in keys]]
    answers = pd.concat([kept, extra], ignore_index=True)
    return replace(data, answers=answers, findings=[*data.findings, *findings])
