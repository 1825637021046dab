"""Bukti dukung in the LHE: per area, which items lack evidence and what is lacking, as plain data.

The findings are the unit's evidence findings (:func:`zi_nb.review.evidence.evidence_check`, kept in
``UnitReport.evidence``), the verdicts and attachments are those in force in the ledger records the report chose
(``UnitReport.verdicts``, ``UnitReport.attachments``): a report at ``ledger_seq`` shows what it saw then. The HTML
sections (:mod:`zi_nb.report.official_html`) and the Word document (:mod:`zi_nb.report.docx`) render the same block
from :func:`area_block`; the catatan drafts get :func:`lacking_documents` as plain data. Document names come from
the rubric (``Rubric.documents_of``), never from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from zi_nb.common.domain import VERDICT_ABSENT, VERDICT_PRESENT, VERDICT_WRONG
from zi_nb.common.findings import Finding
from zi_nb.engine.dataset import LkeData
from zi_nb.engine.evidence import EVIDENCE_KINDS
from zi_nb.engine.rubric import Rubric
from zi_nb.report.labels import LABELS
from zi_nb.review.evidence import Attachment, Verdict

__all__ = ["AREA_ITEMS", "EvidenceReport", "area_block", "attachment_rows", "is_evidence", "item_lacks",
           "lacking_documents", "short"]

AREA_ITEMS = 5  # items named in an area's block; the rest are counted (the appendix lists every finding)
QUESTION_CHARS = 90
LINK_CHARS = 60
NOTE_CHARS = 160
LACKING = (VERDICT_ABSENT, VERDICT_WRONG)


class EvidenceReport(Protocol):
    """What the block reads of a report (:class:`zi_nb.report.model.UnitReport`, which builds its ``drafts`` with
    :func:`lacking_documents` from here, so this module cannot import it)."""

    @property
    def lang(self) -> str: ...

    data: LkeData
    evidence: list[Finding]
    verdicts: dict[tuple[str, str, int], Verdict]
    attachments: list[Attachment]


def short(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word before ``limit`` characters with an ellipsis."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.") + "…"


def _link(text: str) -> str:
    return text if len(text) <= LINK_CHARS else text[:LINK_CHARS - 1] + "…"


def _unit_verdicts(verdicts: dict[tuple[str, str, int], Verdict], code: str) -> list[Verdict]:
    return sorted((v for (_, c, _), v in verdicts.items() if c == code), key=lambda v: v.doc)


def lacking_documents(rubric: Rubric, findings: Iterable[Finding],
                      verdicts: dict[tuple[str, str, int], Verdict]) -> dict[str, list[str]]:
    """item code -> the documents it lacks, for the catatan drafts: those an evaluator marked ``tidak ada`` or
    ``tidak sesuai`` on an item with an ``evidence_rejected`` finding, and every required document of an item
    without any evidence (``evidence_none``). Items in rubric order."""
    order = {item.code: n for n, item in enumerate(rubric.items)}
    out: dict[str, list[str]] = {}
    for f in findings:
        code = f.code or ""
        if f.kind == "evidence_rejected":
            docs = [v.document for v in _unit_verdicts(verdicts, code) if v.verdict in LACKING]
        elif f.kind == "evidence_none":
            docs = list(rubric.documents_of(code))
        else:
            continue
        if docs:
            out.setdefault(code, [])
            out[code].extend(d for d in docs if d not in out[code])
    return dict(sorted(out.items(), key=lambda kv: order.get(kv[0], len(order))))


def item_lacks(report: EvidenceReport, code: str, findings: list[Finding]) -> list[str]:
    """What item ``code`` lacks, one text per document or problem, in the report's language."""
    t = LABELS[report.lang]
    lacks: list[str] = []
    kinds = {f.kind for f in findings}
    if "evidence_rejected" in kinds:
        rejected = [v for v in _unit_verdicts(report.verdicts, code) if v.verdict in LACKING]
        notes = list(dict.fromkeys(v.note for v in rejected))
        once = len(notes) == 1  # one note for the item's documents (written together): said once, after them
        for v in rejected:
            said = t["ev_absent"] if v.verdict == VERDICT_ABSENT else t["ev_wrong"]
            lacks.append(f"{v.document} ({said}{': ' + short(v.note, NOTE_CHARS) if v.note and not once else ''})")
        if once and notes[0]:
            lacks.append(t["ev_note"].format(note=short(notes[0], NOTE_CHARS)))
    if "evidence_none" in kinds:
        lacks.append(t["ev_none"])
    for f in findings:
        if f.kind == "evidence_unreachable":
            lacks.append(t["ev_unreachable"].format(link=_link(str(f.params.get("found", "")))))
    reused = [str(f.params.get("found", "")) for f in findings if f.kind == "evidence_reused"]
    for found in dict.fromkeys(reused):
        others = sorted({g.code or "" for g in report.evidence if g.kind == "evidence_reused"
                         and g.params.get("found") == found and g.code != code})
        lacks.append(t["ev_reused"].format(link=_link(found), items=", ".join(others) if others else "—"))
    return lacks


def area_block(report: EvidenceReport, area: str) -> dict[str, Any]:
    """The "Bukti dukung" block of one area: ``summary`` (one line: how many documents were checked and what was
    found, or that the checklist was not filled), ``items`` (``code``, ``question``, ``lacks``) for the first
    :data:`AREA_ITEMS` items with a finding, ``more`` (a sentence counting the others, or "")."""
    t, rubric = LABELS[report.lang], report.data.rubric
    codes = [i.code for i in rubric.items if rubric.indicator_by_code[i.indicator].area == area]
    by_item: dict[str, list[Finding]] = {}
    for f in report.evidence:
        by_item.setdefault(f.code or "", []).append(f)
    items = [{"code": c, "question": short(rubric.item_by_code[c].question, QUESTION_CHARS),
              "lacks": item_lacks(report, c, by_item[c])} for c in codes if c in by_item]
    required = sum(len(rubric.documents_of(c)) for c in codes)
    checked = [v for (_, c, _), v in report.verdicts.items() if c in set(codes)]
    counts = {verdict: sum(v.verdict == verdict for v in checked)
              for verdict in (VERDICT_PRESENT, VERDICT_ABSENT, VERDICT_WRONG)}
    none = sum(1 for c in codes if any(f.kind == "evidence_none" for f in by_item.get(c, [])))
    if not checked:
        summary = t["ev_unchecked"].format(none=none) if none else t["ev_unchecked_ok"]
    elif counts[VERDICT_PRESENT] == len(checked):
        summary = (t["ev_all_present"] if len(checked) >= required else t["ev_checked_present"]).format(
            checked=len(checked), required=required)
    else:
        words = {VERDICT_PRESENT: t["ev_present"], VERDICT_ABSENT: t["ev_absent"], VERDICT_WRONG: t["ev_wrong"]}
        parts = ", ".join(f"{n} {words[verdict]}" for verdict, n in counts.items() if n)
        summary = t["ev_checked"].format(checked=len(checked), required=required, parts=parts)
    rest = len(items) - AREA_ITEMS
    return {"summary": summary, "items": items[:AREA_ITEMS],
            "more": t["ev_more"].format(count=rest) if rest > 0 else "", "checked": len(checked),
            "required": required, "count": len(items)}


def attachment_rows(report: EvidenceReport) -> list[dict[str, str]]:
    """The files attached to the unit's items that the report saw (item, name, short sha256, who, tier)."""
    rows = []
    a: Attachment
    for a in sorted(report.attachments, key=lambda a: (a.code, a.seq)):
        rows.append({"code": a.code, "name": a.name, "sha256": a.sha256[:12] + "…", "full": a.sha256,
                     "who": a.evaluator, "tier": a.tier.upper(), "source": a.source or ""})
    return rows


def is_evidence(finding: Finding) -> bool:
    return finding.kind in EVIDENCE_KINDS
