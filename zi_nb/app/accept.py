"""Starting a review from the unit's answers: progress ("n dari 113 dinilai") and "Setujui jawaban unit" for an
item, an indicator, an area or every item not yet assessed (:class:`zi_nb.app.session.Session`).

An item is *dinilai* (assessed) at the reviewing tier when every code it consists of has a saved answer there (from
the workbook or the ledger; an unsaved draft does not count). Accepting records the unit's answer as the evaluator's
answer, one ledger record per code with the note :data:`ACCEPT_NOTE`, all of a batch in one ledger transaction
(:meth:`zi_nb.review.ledger.Ledger.adjust_many`): a batch refused for a reason (no evaluator, an invalid answer) or
stopped by the ledger itself (busy, disk full) writes nothing, and the page says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zi_nb.errors import LedgerError, ZiError
from zi_nb.review.ledger import Record, check_answer, new_fields

ACCEPT_NOTE = "Jawaban unit disetujui apa adanya (sesuai jawaban penilaian mandiri unit)."


@dataclass
class Accepted:
    """What a "Setujui jawaban unit" did: the records written and the items left as they were (and why)."""

    records: list[Record] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # items whose answer is now the unit's
    no_unit_answer: list[str] = field(default_factory=list)  # the unit left them unanswered
    kept: list[str] = field(default_factory=list)  # already decided by an evaluator, or an unsaved draft
    failed: str = ""  # the ledger's reason when it stopped the batch part way

    def message(self) -> str:
        """The outcome in words (Bahasa Indonesia) for the page."""
        parts = [f"{len(self.items)} butir disetujui sesuai jawaban unit"
                 + (f" ({len(self.records)} rekaman ledger, #{self.records[0].seq}–#{self.records[-1].seq})"
                    if len(self.records) > 1 else f" (rekaman ledger #{self.records[0].seq})" if self.records else "")]
        if self.no_unit_answer:
            parts.append(f"{len(self.no_unit_answer)} butir dilewati karena tidak dijawab unit")
        if self.kept:
            parts.append(f"{len(self.kept)} butir tidak diubah karena sudah diputuskan penilai atau ada perubahan "
                         "yang belum disimpan")
        text = "; ".join(parts) + "."
        return text + (f" Tidak ada yang tersimpan: {self.failed}" if self.failed else "")


def assessed(s: Any, item_code: str) -> bool:
    """Every code of the item has a saved answer at the reviewing tier."""
    return all(s.saved.get(c) is not None for c in s.codes_of(item_code))


def progress(s: Any, items: list[str] | None = None) -> tuple[int, int]:
    """(assessed, count) over ``items`` (every item of the rubric when None)."""
    codes = [i.code for i in s.rubric.items] if items is None else items
    return sum(assessed(s, c) for c in codes), len(codes)


def area_items(s: Any, area: str) -> list[str]:
    """The items of an area (or of the Hasil pseudo-area), in the rubric's order."""
    return [c for ind in s.indicators(area) for c in s.items(ind)]


def accept(s: Any, items: list[str], only_unassessed: bool = False, force: bool = False) -> Accepted:
    """Record the unit's answers of ``items`` as the evaluator's. ``force`` (one item chosen by the evaluator):
    overwrite whatever the tier has; otherwise items already decided in the ledger at this tier or with an unsaved
    draft are kept, and ``only_unassessed`` keeps every assessed item as well."""
    if not s.evaluator:
        raise LedgerError("Nama evaluator wajib diisi sebelum menyetujui jawaban unit.")
    out = Accepted()
    plan: list[tuple[str, list[tuple[str, str]]]] = []
    for item in items:
        codes = s.codes_of(item)
        unit = {c: s.unit_text.get(c) for c in codes}
        if any(v is None for v in unit.values()):
            out.no_unit_answer.append(item)
            continue
        decided = any(c in s.touched or c in s.drafts for c in codes)
        if not force and (decided or (only_unassessed and assessed(s, item))):
            out.kept.append(item)
            continue
        todo = [(c, str(unit[c])) for c in codes if force or c not in s.touched or s.saved.get(c) != unit[c]]
        plan.append((item, todo))
    for _, todo in plan:  # refuse before writing anything
        for code, answer in todo:
            check_answer(s.rubric, code, answer)
            new_fields(kind="answer", unit_id=s.unit_id, code=code, tier=s.tier, previous=None, answer=answer,
                       evaluator=s.evaluator, note=ACCEPT_NOTE, rubric_id=s.rubric.id)
    changes = [change for _, todo in plan for change in todo]
    try:
        out.records = s.record_answers(changes, ACCEPT_NOTE) if changes else []
        out.items = [item for item, _ in plan]
    except ZiError as exc:  # nothing of the batch was written
        out.failed = str(exc)
    if out.records:
        s.remember_batch(len(out.records))
    s.recompute()
    return out
