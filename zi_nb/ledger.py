"""The reviewer ledger: an append-only, hash-chained record of every answer a reviewer changes.

Each record holds unit, code, tier (``tpi``/``tpn``), the previous and the new answer, the evaluator, a required
note, a UTC timestamp, the rubric id, and ``prev_hash`` (the hash of the record before it); its own ``hash`` is the
sha256 of its canonical JSON. Deleting, changing or reordering any record breaks the chain, which
:meth:`Ledger.verify` reports.

Storage is one SQLite file (WAL mode). Path: ``--ledger``, else the ``ZI_NB_LEDGER`` environment variable, else
``outputs/ledger.sqlite``. An append runs in an ``IMMEDIATE`` transaction (the chain head is read and the record
written under one write lock), so several evaluators in several processes lose nothing; a change is acknowledged
(returned) only after its transaction committed, so it survives a crash. Undo is a new record, never a deletion.

Scores and reports read a tier's answers as the workbook's answers plus the ledger's records
(:func:`apply_ledger`).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from .answers import normalise_value
from .errors import ZiError
from .rubric import Rubric

GENESIS = "0" * 64
REVIEW_TIERS = ("tpi", "tpn")
DEFAULT_PATH = Path("outputs") / "ledger.sqlite"
_FIELDS = ["seq", "kind", "unit_id", "code", "tier", "previous", "answer", "evaluator", "note", "timestamp",
           "rubric_id", "prev_hash", "hash", "data"]
KINDS = ("answer", "undo", "decision", "revocation")


class LedgerError(ZiError):
    """A ledger action was refused (missing note, invalid answer, unknown code...) or the ledger is unusable."""


@dataclass(frozen=True)
class Record:
    """One ledger record.

    ``kind``: ``answer`` (a reviewer's change), ``undo`` (a change restoring an earlier answer), ``decision`` (a
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


def default_path() -> Path:
    return Path(os.environ.get("ZI_NB_LEDGER") or DEFAULT_PATH)


def check_answer(rubric: Rubric, code: str, answer: str) -> str:
    """The canonical form of ``answer`` for ``code``, or :class:`LedgerError` saying what is expected."""
    if code not in rubric.all_codes:
        raise LedgerError(f"Kode '{code}' tidak ada dalam rubrik {rubric.id}.")
    option, number, kind, _ = normalise_value(rubric, code, answer)
    answer_type = rubric.answer_type_of(code)
    if option is not None:
        return option
    if kind in (None, "normalised") and number == number:  # not NaN
        return str(int(number)) if float(number).is_integer() else str(number)
    at = rubric.answer_types.get(answer_type)
    expected = ", ".join(at.options) if at is not None and at.options else {
        "Jumlah": "bilangan bulat 0 atau lebih", "Nilai (0-4)": "indeks 0..4"}.get(answer_type, answer_type)
    raise LedgerError(f"Jawaban '{answer}' tidak sah untuk {code} (tipe {answer_type}); yang diharapkan: {expected}.")


class Ledger:
    """A ledger file. Safe to use from several processes at once."""

    def __init__(self, path: str | Path | None = None, timeout: float = 30.0) -> None:
        self.path = Path(path) if path else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._timeout = timeout
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("""CREATE TABLE IF NOT EXISTS records (
                seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, unit_id TEXT NOT NULL, code TEXT NOT NULL,
                tier TEXT NOT NULL, previous TEXT, answer TEXT, evaluator TEXT NOT NULL, note TEXT NOT NULL,
                timestamp TEXT NOT NULL, rubric_id TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
                data TEXT NOT NULL DEFAULT '{}')""")
            db.execute("CREATE INDEX IF NOT EXISTS records_unit ON records(unit_id, tier, code)")
            columns = {row[1] for row in db.execute("PRAGMA table_info(records)")}
            if "data" not in columns:  # ledgers written before decisions existed
                db.execute("ALTER TABLE records ADD COLUMN data TEXT NOT NULL DEFAULT '{}'")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA busy_timeout=%d" % int(self._timeout * 1000))
        return db

    # -- writing ---------------------------------------------------------------------------------------------------
    def append(self, *, kind: str, unit_id: str, code: str, tier: str, previous: str | None, answer: str | None,
               evaluator: str, note: str, rubric_id: str, data: dict[str, Any] | None = None,
               retries: int = 20) -> Record:
        """Append one record under the write lock; returns it once committed (the acknowledgement)."""
        if kind not in KINDS:
            raise LedgerError(f"Jenis rekaman '{kind}' tidak dikenal.")
        if not (note or "").strip():
            raise LedgerError("Catatan wajib diisi untuk setiap perubahan jawaban."
                              if kind in ("answer", "undo") else "Alasan wajib diisi.")
        if not (evaluator or "").strip():
            raise LedgerError("Id evaluator wajib diisi.")
        allowed = REVIEW_TIERS if kind in ("answer", "undo") else ("unit", *REVIEW_TIERS, "final")
        if tier not in allowed:
            raise LedgerError(f"Tingkat '{tier}' tidak sah; penilai menulis pada tingkat {' atau '.join(allowed)}.")
        payload = json.dumps(data or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        for attempt in range(retries):
            try:
                return self._append_once(kind, unit_id, code, tier, previous, answer, evaluator.strip(),
                                         note.strip(), rubric_id, payload)
            except sqlite3.OperationalError as exc:  # database is locked beyond busy_timeout: back off, retry
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise LedgerError(f"Ledger {self.path} tidak dapat ditulis: {exc}") from None
                time.sleep(min(0.05 * (attempt + 1), 1.0))
        raise LedgerError(f"Ledger {self.path} sedang sibuk; perubahan belum tersimpan, silakan ulangi.")

    def _append_once(self, kind: str, unit_id: str, code: str, tier: str, previous: str | None,
                     answer: str | None, evaluator: str, note: str, rubric_id: str, data: str) -> Record:
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev_hash = (row[0] + 1, row[1]) if row else (1, GENESIS)
            timestamp = datetime.now(timezone.utc).isoformat(timespec="microseconds")
            payload = {"seq": seq, "kind": kind, "unit_id": unit_id, "code": code, "tier": tier,
                       "previous": previous, "answer": answer, "evaluator": evaluator, "note": note,
                       "timestamp": timestamp, "rubric_id": rubric_id, "prev_hash": prev_hash, "data": data}
            record = Record(**payload, hash=record_hash(payload))
            db.execute(f"INSERT INTO records ({', '.join(_FIELDS)}) VALUES ({', '.join('?' * len(_FIELDS))})",
                       [getattr(record, f) for f in _FIELDS])
            db.execute("COMMIT")
            return record
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def adjust(self, rubric: Rubric, unit_id: str, code: str, answer: str, tier: str, evaluator: str, note: str,
               previous: str | None = None) -> Record:
        """Record a reviewer's new answer for an item (validated against the rubric)."""
        canonical = check_answer(rubric, code, answer)
        if previous is None:
            previous = self.current(unit_id, tier).get(code)
        return self.append(kind="answer", unit_id=unit_id, code=code, tier=tier, previous=previous,
                           answer=canonical, evaluator=evaluator, note=note, rubric_id=rubric.id)

    def undo(self, rubric: Rubric, unit_id: str, tier: str, evaluator: str, note: str) -> Record | None:
        """Undo the last change of a unit's tier not yet undone, as a new record restoring the previous answer."""
        undone: set[int] = set()
        for rec in reversed(self.records(unit_id)):
            if rec.tier != tier or rec.kind not in ("answer", "undo"):
                continue
            if rec.kind == "undo":
                undone.add(int(rec.details.get("undoes", -1)))
                continue
            if rec.seq in undone:
                continue
            return self.append(kind="undo", unit_id=unit_id, code=rec.code, tier=tier, previous=rec.answer,
                               answer=rec.previous, evaluator=evaluator, note=f"{note} (membatalkan #{rec.seq})",
                               rubric_id=rubric.id, data={"undoes": rec.seq})
        return None

    # -- reading ---------------------------------------------------------------------------------------------------
    def records(self, unit_id: str | None = None) -> list[Record]:
        with self._connect() as db:
            sql = f"SELECT {', '.join(_FIELDS)} FROM records"
            rows = db.execute(sql + (" WHERE unit_id = ? ORDER BY seq" if unit_id else " ORDER BY seq"),
                              (unit_id,) if unit_id else ()).fetchall()
        return [Record(*row) for row in rows]

    def head(self) -> str:
        with self._connect() as db:
            row = db.execute("SELECT hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
        return row[0] if row else GENESIS

    def current(self, unit_id: str, tier: str) -> dict[str, str | None]:
        """code -> latest ledger answer of a unit's tier."""
        out: dict[str, str | None] = {}
        for rec in self.records(unit_id):
            if rec.tier == tier and rec.kind in ("answer", "undo"):
                out[rec.code] = rec.answer
        return out

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
    """Ledger records as raw answer rows (latest per unit/tier/code), for :func:`zi_nb.answers.build_answers`."""
    latest: dict[tuple[str, str, str], Record] = {}
    for rec in records:
        if rec.kind in ("answer", "undo"):
            latest[(rec.unit_id, rec.tier, rec.code)] = rec
    return pd.DataFrame([{"unit_id": r.unit_id, "tier": r.tier, "reviewer": r.evaluator, "code": r.code,
                          "raw": r.answer, "note": r.note, "evidence": None, "file": "ledger", "sheet": None,
                          "cell": f"#{r.seq}", "line": None} for r in latest.values() if r.code in rubric.all_codes])


def apply_ledger(data: Any, ledger: Ledger | None = None, records: list[Record] | None = None) -> Any:
    """A copy of an :class:`zi_nb.inputs.LkeData` whose tier answers are the workbook's plus the ledger's records
    (a ledger record replaces the workbook's answer of the same unit, tier and code).

    ``records`` restricts what is applied (an audit re-applies exactly the records a run used); by default every
    answer record of ``ledger`` for the data's units.
    """
    from dataclasses import replace

    from .answers import build_answers

    if records is None:
        records = ledger.records() if ledger is not None else []
    units = set(data.unit_ids)
    records = [r for r in records if r.unit_id in units and r.kind in ("answer", "undo")]
    if not records:
        return data
    extra, findings = build_answers(ledger_rows(records, data.rubric), data.rubric)
    # A ledger record is the latest answer of its stage: a TPI record also replaces the workbook's later TPI columns
    # (tpi2, tpi3), otherwise a second TPI column in the workbook would hide the reviewer's change.
    stage = {"tpi": ("tpi", "tpi2", "tpi3"), "tpn": ("tpn",)}
    replaced = {(r.unit_id, t, r.code) for r in extra.itertuples() for t in stage.get(r.tier, (r.tier,))}
    keys = list(zip(data.answers["unit_id"], data.answers["tier"], data.answers["code"]))
    kept = data.answers[[k not in replaced for k in keys]]
    answers = pd.concat([kept, extra], ignore_index=True)
    return replace(data, answers=answers, findings=[*data.findings, *findings])
