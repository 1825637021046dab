"""Bukti dukung in the ledger: the evaluator's checklist of required documents per item, and the files attached.

The documents an item requires are rubric data (``Rubric.documents_of``). An evaluator (TPI, TPN) gives each one a
verdict: ``ada`` (the right, final document is there), ``tidak ada`` (missing) or ``tidak sesuai`` (a wrong or draft
document); each verdict is one ledger record of kind ``bukti``: ``code`` the item, ``answer`` the verdict (None
withdraws it), ``data`` the document's number (1-based, in the rubric's order), its name and the evaluator's note.
"Semua ada" writes the verdict of every document of the item in one transaction. The latest record per unit, tier,
item and document is in force; in the ``final`` view TPN's verdict replaces TPI's.

A file attached to an item (by the unit or an evaluator) is first stored in the evidence store
(:mod:`zi_nb.review.evidence_store`), content-addressed, and then recorded as a ledger record of kind ``lampiran``:
``answer`` its sha256, ``data`` the name the user gave it (shown, never used as a path), size, kind, and for a
"simpan salinan" the link it was copied from. A record with ``data.removed`` takes an attachment back from the item
(the stored file stays: an audit can still prove what an earlier decision saw). Because the file is stored before
its record is written, every acknowledged ``lampiran`` record has its file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from zi_nb.common.domain import BUKTI, LAMPIRAN, TIER_RANKS, TIER_STAGE, VERDICT_PRESENT, VERDICTS
from zi_nb.common.findings import Finding
from zi_nb.common.text import strip_hidden
from zi_nb.engine.dataset import LkeData
from zi_nb.engine.evidence import evidence_findings
from zi_nb.engine.rubric import Rubric
from zi_nb.engine.scoring import score_answers
from zi_nb.errors import LedgerError
from zi_nb.review.catatan import clean_text
from zi_nb.review.evidence_store import EvidenceStore, StoredFile
from zi_nb.review.ledger import Ledger, Record, new_fields

__all__ = [
    "ATTACHMENT_COLUMNS",
    "VERDICT_COLUMNS",
    "Attachment",
    "Verdict",
    "attach",
    "attachment_frame",
    "attachments_in_force",
    "detach",
    "evidence_check",
    "evidence_hashes",
    "mark_all_present",
    "verdict_frame",
    "verdicts_in_force",
    "write_verdicts",
]

VERDICT_COLUMNS = ["unit_id", "tier", "code", "doc", "verdict"]
ATTACHMENT_COLUMNS = ["unit_id", "tier", "code", "sha256", "name"]


@dataclass(frozen=True)
class Verdict:
    """The verdict in force on document ``doc`` (1-based) of item ``code`` for a unit and tier."""

    unit_id: str
    tier: str
    code: str
    doc: int
    document: str
    verdict: str
    note: str
    evaluator: str
    timestamp: str
    seq: int


@dataclass(frozen=True)
class Attachment:
    """A file attached to item ``code`` of a unit (``source``: the link it was copied from, if any)."""

    unit_id: str
    tier: str
    code: str
    sha256: str
    name: str
    size: int
    label: str
    source: str | None
    evaluator: str
    timestamp: str
    seq: int


def _documents(rubric: Rubric, code: str) -> list[str]:
    if code not in rubric.item_by_code:
        raise LedgerError(f"Butir '{code}' tidak ada dalam rubrik {rubric.id}.")
    docs = rubric.documents_of(code)
    if not docs:
        raise LedgerError(f"Rubrik {rubric.id} tidak mencantumkan dokumen bukti dukung untuk butir {code}.")
    return docs


def write_verdicts(ledger: Ledger, rubric: Rubric, unit_id: str, code: str, tier: str, evaluator: str,
                   verdicts: dict[int, str | None], note: str | None = None) -> list[Record]:
    """Record the verdicts on documents of one item (``{2: "tidak ada", 3: None}``; None withdraws a verdict), all in
    one transaction. ``note`` (optional) says why, e.g. which draft was given. Returns the records once committed."""
    docs = _documents(rubric, code)
    text = clean_text(note, "Catatan")
    batch = []
    for doc, verdict in sorted(verdicts.items()):
        if not 1 <= int(doc) <= len(docs):
            raise LedgerError(f"Butir {code} memerlukan {len(docs)} dokumen bukti dukung; dokumen nomor {doc} "
                              f"tidak ada (yang diharapkan 1..{len(docs)}).")
        if verdict is not None and verdict not in VERDICTS:
            raise LedgerError(f"Penilaian bukti dukung '{verdict}' tidak dikenal; yang diharapkan: "
                              f"{', '.join(VERDICTS)}.")
        said = verdict or "penilaian dihapus"
        batch.append(new_fields(kind=BUKTI, unit_id=unit_id, code=code, tier=tier, previous=None, answer=verdict,
                                evaluator=evaluator, note=f"bukti dukung {code} no. {doc}: {said}", rubric_id=rubric.id,
                                data={"doc": int(doc), "dokumen": docs[int(doc) - 1], "catatan": text}))
    if not batch:
        return []
    return ledger.write_many(unit_id, lambda records: batch)


def mark_all_present(ledger: Ledger, rubric: Rubric, unit_id: str, code: str, tier: str,
                     evaluator: str) -> list[Record]:
    """"Semua ada": every required document of the item is there (one transaction)."""
    docs = _documents(rubric, code)
    return write_verdicts(ledger, rubric, unit_id, code, tier, evaluator,
                          dict.fromkeys(range(1, len(docs) + 1), VERDICT_PRESENT))


def verdicts_in_force(records: Iterable[Record], unit_id: str | None, tier: str) -> dict[tuple[str, str, int], Verdict]:
    """(unit, item, document number) -> the verdict in force as seen from the view ``tier`` (``tpi``, ``tpn`` or
    ``final``: the latest stage that gave one wins, TPN over TPI); withdrawn verdicts are left out. ``unit_id``
    None: every unit."""
    ranks = list(dict.fromkeys(TIER_STAGE.get(t, t) for t in TIER_RANKS.get(tier, (tier,))))
    latest: dict[tuple[str, str, int, str], Record] = {}
    for rec in records:
        if rec.kind == BUKTI and (unit_id is None or rec.unit_id == unit_id) and rec.tier in ranks:
            latest[(rec.unit_id, rec.code, int(rec.details.get("doc", 0)), rec.tier)] = rec
    out: dict[tuple[str, str, int], Verdict] = {}
    for (unit, code, doc, rec_tier), rec in sorted(latest.items(), key=lambda kv: ranks.index(kv[0][3])):
        if rec.answer is None:
            continue
        details = rec.details
        out[(unit, code, doc)] = Verdict(unit, rec_tier, code, doc, str(details.get("dokumen", "")), rec.answer,
                                         str(details.get("catatan", "")), rec.evaluator, rec.timestamp, rec.seq)
    return out


def verdict_frame(records: Iterable[Record], tier: str = "final") -> pd.DataFrame:
    """The verdicts in force of every unit as a frame (:data:`VERDICT_COLUMNS`), for the evidence findings."""
    rows = [(v.unit_id, v.tier, v.code, v.doc, v.verdict) for v in verdicts_in_force(records, None, tier).values()]
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


# -- attachments ----------------------------------------------------------------------------------------------------
def attach(ledger: Ledger, store: EvidenceStore, rubric: Rubric, unit_id: str, code: str, tier: str, evaluator: str,
           name: str, content: bytes, note: str | None = None, source: str | None = None) -> tuple[Record, StoredFile]:
    """Store ``content`` in the evidence store (refused when dangerous or too large, see
    :mod:`zi_nb.common.filetypes`) and record it as attached to item ``code``. ``name`` is shown, never a path."""
    if code not in rubric.item_by_code:
        raise LedgerError(f"Butir '{code}' tidak ada dalam rubrik {rubric.id}.")
    text = clean_text(note, "Catatan")
    new_fields(kind=LAMPIRAN, unit_id=unit_id, code=code, tier=tier, previous=None, answer="-", evaluator=evaluator,
               note="-", rubric_id=rubric.id)  # refuse a wrong tier or evaluator before storing anything
    stored = store.put(name, content)
    shown = strip_hidden(name).strip()[:200] or f"berkas.{stored.extension}"
    record = ledger.append(kind=LAMPIRAN, unit_id=unit_id, code=code, tier=tier, previous=None, answer=stored.sha256,
                           evaluator=evaluator, note=f"bukti dukung {code}: berkas '{shown}' dilampirkan",
                           rubric_id=rubric.id,
                           data={"name": shown, "size": stored.size, "label": stored.label, "mime": stored.mime,
                                 "source": source, "catatan": text})
    return record, stored


def detach(ledger: Ledger, rubric: Rubric, unit_id: str, code: str, tier: str, evaluator: str, sha256: str,
           note: str) -> Record:
    """Take an attachment back from an item (the stored file stays for the audit); ``note`` says why."""
    if code not in rubric.item_by_code:
        raise LedgerError(f"Butir '{code}' tidak ada dalam rubrik {rubric.id}.")

    def build(records: list[Record]) -> dict:
        current = attachments_in_force(records, unit_id)
        if not any(a.code == code and a.sha256 == sha256 for a in current):
            raise LedgerError(f"Berkas {sha256[:12]}… tidak terlampir pada butir {code} unit {unit_id}.")
        return new_fields(kind=LAMPIRAN, unit_id=unit_id, code=code, tier=tier, previous=sha256, answer=sha256,
                          evaluator=evaluator, note=note, rubric_id=rubric.id,
                          data={"removed": True, "catatan": clean_text(note, "Catatan")})

    return ledger.write_record(unit_id, build)


def attachments_in_force(records: Iterable[Record], unit_id: str | None = None) -> list[Attachment]:
    """The files attached to items and not taken back, in the order they were attached (``unit_id`` None: every
    unit). The same file attached twice to one item counts once."""
    current: dict[tuple[str, str, str], Attachment] = {}
    for rec in records:
        if rec.kind != LAMPIRAN or (unit_id is not None and rec.unit_id != unit_id) or not rec.answer:
            continue
        key = (rec.unit_id, rec.code, rec.answer)
        details = rec.details
        if details.get("removed"):
            current.pop(key, None)
        elif key not in current:
            current[key] = Attachment(rec.unit_id, rec.tier, rec.code, rec.answer, str(details.get("name", "")),
                                      int(details.get("size", 0)), str(details.get("label", "")),
                                      details.get("source"), rec.evaluator, rec.timestamp, rec.seq)
    return list(current.values())


def attachment_frame(records: Iterable[Record]) -> pd.DataFrame:
    """Every attachment in force as a frame (:data:`ATTACHMENT_COLUMNS`), for the evidence findings."""
    rows = [(a.unit_id, a.tier, a.code, a.sha256, a.name) for a in attachments_in_force(records)]
    return pd.DataFrame(rows, columns=ATTACHMENT_COLUMNS)


def evidence_hashes(records: Iterable[Record]) -> list[str]:
    """Every file hash the records refer to (attachments in force or taken back), in order: what an audit checks."""
    return list(dict.fromkeys(rec.answer for rec in records if rec.kind == LAMPIRAN and rec.answer))


def evidence_check(data: LkeData, records: Iterable[Record], tier: str = "final",
                   policies: dict[str, str] | None = None) -> list[Finding]:
    """The evidence findings (:mod:`zi_nb.engine.evidence`) of every unit of ``data`` (with the ledger's answers
    already applied, :func:`zi_nb.review.ledger.apply_ledger`), with the verdicts and attachments of ``records``
    seen from the view ``tier``. The one entry point of ``validate``, the report, bulk and the app."""
    records = [r for r in records if r.kind in (BUKTI, LAMPIRAN)]
    values = score_answers(data.answers, data.rubric, tier, policies, unit_ids=data.unit_ids).items
    return evidence_findings(data.rubric, data.answers, values, verdict_frame(records, tier),
                             attachment_frame(records))
