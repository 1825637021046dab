"""A ledger extract: one unit's ledger records as a JSON file, each record checked against its own hash.

On the team server the ledger lives with the ledger service (:mod:`zi_nb.team.service`), not in the user's server;
the evaluator app reads a unit's records through the service (``api/records``) and the LHE is made from them. The
report reads them from an extract (:func:`write_extract`, :func:`read_extract`; report parameter ``records_path``)::

    {"format": "zi-nb-ledger-extract/1", "source": "layanan ledger tim (zi-ledger)", "unit_id": "...",
     "records": [{"seq": 1, "kind": "answer", ..., "data": {...}, "prev_hash": "...", "hash": "..."}, ...]}

Every record's ``hash`` must be the sha256 of its canonical fields (:func:`zi_nb.review.ledger.record_hash`): a
record changed after it left the ledger is refused. The chain itself (``prev_hash``) links to records of other units
that an extract does not carry; the last record's hash names the ledger state the report saw, and an auditor checks
it against the ledger (``zi-nb audit verify``, ``zi-nb history``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zi_nb.common.files import atomic_path
from zi_nb.errors import LedgerError
from zi_nb.review.ledger import Record, record_hash

FORMAT = "zi-nb-ledger-extract/1"


def record_from_json(data: Mapping[str, Any], rubric_id: str = "") -> Record:
    """A :class:`Record` from its JSON form (the service's answer; ``data`` parsed or as its canonical JSON text)."""
    details = data.get("data") or {}
    text = details if isinstance(details, str) else json.dumps(details, sort_keys=True, ensure_ascii=False,
                                                               separators=(",", ":"))
    return Record(seq=int(data.get("seq") or 0), kind=str(data.get("kind", "")), unit_id=str(data.get("unit_id", "")),
                  code=str(data.get("code", "")), tier=str(data.get("tier", "")), previous=data.get("previous"),
                  answer=data.get("answer"), evaluator=str(data.get("evaluator", "")), note=str(data.get("note") or ""),
                  timestamp=str(data.get("timestamp", "")), rubric_id=str(data.get("rubric_id") or rubric_id),
                  prev_hash=str(data.get("prev_hash") or ""), hash=str(data.get("hash") or ""), data=text)


def record_json(rec: Record) -> dict[str, Any]:
    """A record as JSON (``data`` parsed), the inverse of :func:`record_from_json`."""
    return {**rec.payload(), "data": rec.details, "hash": rec.hash}


@dataclass(frozen=True)
class Extract:
    """What an extract holds: where its records come from, the unit, the records (oldest first)."""

    source: str
    unit_id: str
    records: list[Record]

    @property
    def last(self) -> Record | None:
        return self.records[-1] if self.records else None


def write_extract(path: str | Path, unit_id: str, records: list[Record], source: str) -> Path:
    """Write the unit's ``records`` as an extract (whole or not at all)."""
    target = Path(path)
    body = {"format": FORMAT, "source": source, "unit_id": unit_id,
            "records": [record_json(r) for r in records if r.unit_id == unit_id]}
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def read_extract(path: str | Path) -> Extract:
    """The extract at ``path``; :class:`LedgerError` naming the file (and the record) when it is not one, or when a
    record does not match its hash."""
    source = Path(path)
    try:
        body = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LedgerError(f"Ekstrak ledger '{source}' tidak ditemukan.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise LedgerError(f"Ekstrak ledger '{source}' tidak dapat dibaca: yang diharapkan berkas JSON "
                          f"berformat {FORMAT}.") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT or not isinstance(body.get("records"), list):
        raise LedgerError(f"Berkas '{source}' bukan ekstrak ledger zi-nb (format {FORMAT}).")
    unit_id = str(body.get("unit_id") or "")
    records = []
    for n, raw in enumerate(body["records"], start=1):
        if not isinstance(raw, dict):
            raise LedgerError(f"Ekstrak ledger '{source}': rekaman ke-{n} bukan objek JSON.")
        rec = record_from_json(raw)
        if rec.unit_id != unit_id or record_hash(rec.payload()) != rec.hash:
            raise LedgerError(f"Ekstrak ledger '{source}': rekaman #{rec.seq} tidak cocok dengan hash-nya (diubah "
                              "setelah keluar dari ledger) atau bukan milik unit " + unit_id + ".")
        records.append(rec)
    return Extract(str(body.get("source") or ""), unit_id, records)
