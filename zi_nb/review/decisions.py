"""Decisions in the ledger: produced results (predikat proposed or awarded) and revocations, and a unit's story.

A decision record (kind ``decision``) states what a run produced for a unit and year: tier, total, predikat, every
criterion and the run id. A revocation (kind ``revocation``, reason required) withdraws a predikat ("predikat dapat
dicabut"). Both live in the same hash chain as the reviewers' answer changes, so one verification covers all.

:func:`unit_story` reads a unit's records across years and labels them as people say them: jawaban diubah,
predikat diusulkan (self-assessment or TPI), predikat ditetapkan (TPN), dipertahankan (same predikat as the year
before), naik dari WBK ke WBBM, dicabut.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zi_nb.common.domain import ANSWER_KINDS, BUKTI, CATATAN, LAMPIRAN, PENOLAKAN, STATUS, STATUS_FINAL
from zi_nb.common.fmt import status_detail
from zi_nb.errors import LedgerError
from zi_nb.review.catatan import note_of
from zi_nb.review.ledger import Ledger, Record, new_fields

AWARDING_TIERS = ("tpn",)


def record_decision(ledger: Ledger, record: dict[str, Any], run_id: str, rubric_id: str,
                    evaluator: str = "zi-nb") -> Record:
    """Append the result a run produced for one unit (a contract record of :func:`zi_nb.engine.results.unit_records`).

    Once per unit and run: when the ledger already holds this run's decision for the unit with the same content
    (a run resumed after an interruption records its units again), that record is returned and nothing is written;
    a resumed run whose result for the unit changed (a reviewer changed an answer meanwhile) records the new
    result. The check and the append happen under the ledger's write lock.
    """
    year = record.get("year")
    if year is None:
        raise LedgerError(f"Unit '{record['unit_id']}' tidak memiliki tahun; keputusan tidak dapat dicatat.")
    criteria = [{k: c[k] for k in ("predicate", "code", "value", "minimum", "met")} for c in record["criteria"]]
    status = record.get("status", STATUS_FINAL)
    note = f"Hasil {record['tier']}: total {record['total']:.2f}, predikat {record['predicate']}"
    if status != STATUS_FINAL:  # never a predikat without its data status on the same line
        note += f" ({status_detail(status, record['errors'], record['answered'], record['scorable'])}; belum final)"
    data = {"run_id": run_id, "year": int(year), "total": record["total"], "criteria": criteria}
    if status != STATUS_FINAL:  # what the note says, kept as data for auditors
        data.update(status=status, errors=record["errors"], answered=record["answered"], scorable=record["scorable"])

    def build(records: list[Record]) -> dict[str, Any] | Record:
        fields = new_fields(
            kind="decision", unit_id=record["unit_id"], code=f"PREDIKAT:{int(year)}", tier=record["tier"],
            previous=_latest_predicate(records, int(year)), answer=record["predicate"], evaluator=evaluator,
            note=note, rubric_id=rubric_id, data=data)
        same = [r for r in records if r.kind == "decision" and r.details.get("run_id") == run_id
                and r.code == fields["code"]]
        if same and _content(same[-1]) == _content(fields):
            return same[-1]
        return fields

    return ledger.write_record(record["unit_id"], build)


def _content(rec: Record | dict[str, Any]) -> tuple[Any, ...]:
    get = rec.get if isinstance(rec, dict) else lambda k: getattr(rec, k)
    return tuple(get(k) for k in ("tier", "answer", "evaluator", "note", "rubric_id", "data"))


def duplicated_decisions(records: list[Record]) -> dict[tuple[str, str, str], int]:
    """(unit, run id, code) -> how many times the same decision of a run is recorded, where more than once."""
    seen: dict[tuple[Any, ...], int] = {}
    for rec in records:
        if rec.kind == "decision":
            key = (rec.unit_id, str(rec.details.get("run_id")), rec.code, _content(rec))
            seen[key] = seen.get(key, 0) + 1
    return {key[:3]: n for key, n in seen.items() if n > 1}


def revoke(ledger: Ledger, unit_id: str, year: int, reason: str, evaluator: str, rubric_id: str) -> Record:
    """Withdraw a unit's predikat for a year (reason required); the predikat it withdraws is recorded."""
    if not (reason or "").strip():
        raise LedgerError("Alasan pencabutan wajib diisi.")
    def build(records: list[Record]) -> dict[str, Any]:
        current = _latest_predicate(records, year, same_year=True)
        if current in (None, "TIDAK", "DICABUT"):
            raise LedgerError(f"Unit '{unit_id}' tidak memiliki predikat tahun {year} yang dapat dicabut.")
        return new_fields(kind="revocation", unit_id=unit_id, code=f"PREDIKAT:{year}", tier="final",
                          previous=current, answer="DICABUT", evaluator=evaluator, note=reason,
                          rubric_id=rubric_id, data={"year": year})

    return ledger.write_record(unit_id, build)


def _latest_predicate(records: list[Record], year: int, same_year: bool = False) -> str | None:
    latest = None
    for rec in records:
        if rec.kind == "decision" and not is_final(rec):
            continue  # a result from data with errors or an unfinished review is no predikat of the unit
        if rec.kind in ("decision", "revocation"):
            rec_year = int(rec.code.split(":", 1)[1])
            if rec_year == year or (not same_year and rec_year < year):
                latest = rec.answer
    return latest


@dataclass(frozen=True)
class Event:
    seq: int
    timestamp: str
    year: int | None
    label: str
    text: str
    record: Record


def unit_story(ledger: Ledger, unit_id: str) -> list[Event]:
    """The unit's records in order, each with a label in Bahasa Indonesia."""
    events = []
    awarded: dict[int, str] = {}
    for rec in ledger.records(unit_id):
        year = int(rec.code.split(":", 1)[1]) if rec.code.startswith("PREDIKAT:") else None
        if rec.kind in ANSWER_KINDS:
            verb = "membatalkan perubahan" if rec.kind == "undo" else "mengubah jawaban"
            label = "jawaban dibatalkan" if rec.kind == "undo" else "jawaban diubah"
            text = f"{rec.evaluator} ({rec.tier.upper()}) {verb} {rec.code}: {rec.previous or '-'} -> " \
                   f"{rec.answer or '-'} · {rec.note}"
        elif rec.kind == CATATAN:
            label = "catatan ditarik" if note_of(rec).empty else "catatan ditulis"
            text = f"{rec.evaluator} ({rec.tier.upper()}) {rec.note}"
        elif rec.kind == BUKTI:
            label = "bukti dukung dinilai" if rec.answer else "penilaian bukti dukung ditarik"
            said = f" · {rec.details['catatan']}" if rec.details.get("catatan") else ""
            text = f"{rec.evaluator} ({rec.tier.upper()}) {rec.note}{said}"
        elif rec.kind == LAMPIRAN:
            label = "lampiran dilepas" if rec.details.get("removed") else "berkas dilampirkan"
            text = f"{rec.evaluator} ({rec.tier.upper()}) {rec.note} (sha256 {(rec.answer or '')[:12]}…)"
        elif rec.kind == STATUS:  # zi_nb.team.status: a status change, or a stage reopened by an admin
            reopened = rec.code.startswith("BUKA:")
            label = f"tahap {rec.answer} dibuka kembali" if reopened else f"status: {rec.answer}"
            text = f"{rec.evaluator} ({rec.tier.upper()}) " + (f"{rec.note} (sampai {rec.details.get('sampai')})"
                                                               if reopened else f"{rec.previous} -> {rec.answer} · "
                                                               f"{rec.note}")
        elif rec.kind == PENOLAKAN:
            label = "ditolak"
            text = f"{rec.evaluator}: {rec.note}"
        elif rec.kind == "revocation":
            label = "dicabut"
            text = f"Predikat {rec.previous} tahun {year} dicabut oleh {rec.evaluator}: {rec.note}"
            if year is not None:
                awarded.pop(year, None)
        else:
            assert year is not None
            label = _decision_label(rec, year, awarded)
            text = f"{rec.note} (run {rec.details.get('run_id', '-')})"
        events.append(Event(rec.seq, rec.timestamp, year, label, text, rec))
    return events


def is_final(rec: Record) -> bool:
    """A decision recorded from final data (complete, no data error); older records carry no status: final."""
    return rec.details.get("status", STATUS_FINAL) == STATUS_FINAL


def _decision_label(rec: Record, year: int, awarded: dict[int, str]) -> str:
    predicate = rec.answer or "TIDAK"
    if not is_final(rec):
        return f"predikat belum dapat ditetapkan ({rec.details.get('status')})"
    if rec.tier not in AWARDING_TIERS:
        return "predikat diusulkan" if predicate != "TIDAK" else "belum memenuhi (usulan)"
    before = max((y for y in awarded if y < year), default=None)
    previous = awarded.get(before) if before is not None else None
    if predicate != "TIDAK":
        awarded[year] = predicate
    if predicate == "TIDAK":
        return "tidak ditetapkan"
    if previous == predicate:
        return "predikat dipertahankan"
    if previous == "WBK" and predicate == "WBBM":
        return "naik dari WBK ke WBBM"
    return "predikat ditetapkan"
