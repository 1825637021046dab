"""Catatan and rekomendasi per area: what the evaluators (TPI, TPN) write for each area of the LKE and for the unit
as a whole, printed in the LHE beside each area's score (as the circulated workbook's ``Utama`` sheet has them).

Each save is one ledger record of kind ``catatan`` (hash-chained like answers: who, when, tier); ``code`` is the
area's code (``A`` .. ``F`` in zi-2021) or ``UNIT`` for the whole unit, ``data`` holds ``catatan`` and
``rekomendasi``. The latest record of a unit, tier and scope is the text in force; a record with both texts empty
withdraws the evaluator's text (the report then shows the draft again, marked as draft). Drafts are generated from
the rubric by :mod:`zi_nb.engine.improve.drafts`.
"""

from __future__ import annotations

from dataclasses import dataclass

from zi_nb.common.domain import CATATAN, TIER_RANKS, TIER_STAGE, UNIT_SCOPE
from zi_nb.common.limits import MAX_CATATAN_CHARS
from zi_nb.common.text import strip_hidden
from zi_nb.engine.rubric import Rubric
from zi_nb.errors import LedgerError
from zi_nb.review.ledger import Ledger, Record

__all__ = ["AreaNote", "clean_text", "note_of", "notes_in_force", "scopes", "write_catatan"]


@dataclass(frozen=True)
class AreaNote:
    """The catatan and rekomendasi in force for one scope (area code or ``UNIT``) of a unit and tier."""

    scope: str
    tier: str
    catatan: str
    rekomendasi: str
    evaluator: str
    timestamp: str
    seq: int

    @property
    def empty(self) -> bool:
        return not (self.catatan or self.rekomendasi)


def note_of(rec: Record) -> AreaNote:
    """The catatan a ``catatan`` record states (``.empty`` when it withdraws the text)."""
    details = rec.details
    return AreaNote(rec.code, rec.tier, str(details.get("catatan", "")), str(details.get("rekomendasi", "")),
                    rec.evaluator, rec.timestamp, rec.seq)


def scopes(rubric: Rubric) -> list[str]:
    """What catatan can be written for: each area of the rubric, then the unit as a whole (``UNIT``)."""
    return [a.code for a in rubric.areas] + [UNIT_SCOPE]


def scope_label(rubric: Rubric, scope: str) -> str:
    if scope == UNIT_SCOPE:
        return "unit secara keseluruhan"
    area = rubric.area_by_code.get(scope)
    return f"area {scope} {area.name}" if area else scope


def clean_text(text: str | None, what: str) -> str:
    """An evaluator's text as recorded: hidden characters removed, trimmed, at most :data:`MAX_CATATAN_CHARS`
    (:class:`LedgerError` naming ``what`` when longer)."""
    value = strip_hidden(text or "").strip()
    if len(value) > MAX_CATATAN_CHARS:
        raise LedgerError(f"{what} terlalu panjang: {len(value)} karakter, paling banyak {MAX_CATATAN_CHARS}.")
    return value


def write_catatan(ledger: Ledger, rubric: Rubric, unit_id: str, scope: str, tier: str, evaluator: str,
                  catatan: str | None, rekomendasi: str | None) -> Record:
    """Record the catatan and rekomendasi of ``scope`` (an area code or ``UNIT``) for a unit and tier (``tpi`` or
    ``tpn``); both empty withdraws the text. Returns the record once committed."""
    if scope not in scopes(rubric):
        raise LedgerError(f"Area '{scope}' tidak ada dalam rubrik {rubric.id}; yang ada: {', '.join(scopes(rubric))} "
                          f"({UNIT_SCOPE} = unit secara keseluruhan).")
    texts = {"catatan": clean_text(catatan, "Catatan"), "rekomendasi": clean_text(rekomendasi, "Rekomendasi")}
    what = scope_label(rubric, scope)
    note = f"catatan dan rekomendasi {what}" if any(texts.values()) else f"catatan dan rekomendasi {what} dihapus"
    return ledger.append(kind=CATATAN, unit_id=unit_id, code=scope, tier=tier, previous=None, answer=None,
                         evaluator=evaluator, note=note, rubric_id=rubric.id, data=texts)


def notes_in_force(records: list[Record], unit_id: str, tier: str) -> dict[str, AreaNote]:
    """scope -> the catatan in force for ``unit_id`` as seen from the view ``tier`` (``tpi``, ``tpn``, or ``final``:
    the latest stage that wrote one wins, TPN over TPI); withdrawn texts are left out."""
    ranks = list(dict.fromkeys(TIER_STAGE.get(t, t) for t in TIER_RANKS.get(tier, (tier,))))
    latest: dict[tuple[str, str], AreaNote] = {}  # (scope, tier) -> its latest record (a withdrawal included)
    for rec in records:
        if rec.kind != CATATAN or rec.unit_id != unit_id or rec.tier not in ranks:
            continue
        latest[(rec.code, rec.tier)] = note_of(rec)
    out: dict[str, AreaNote] = {}
    for (scope, _), note in sorted(latest.items(), key=lambda kv: ranks.index(kv[0][1])):
        if not note.empty:
            out[scope] = note  # a later stage replaces an earlier one
    return out
