"""What the official LHE says, as plain data: the cover, the simpulan in sentences, each area's numbers with its
catatan and rekomendasi, the next-predikat plan as actions per area, the team and the signature block.

The HTML sections (:mod:`zi_nb.report.sections`) and the Word document (:mod:`zi_nb.report.docx`) render the same
content from these functions, so the two never say different things. Every text a reader sees is in Bahasa
Indonesia, or English with ``lang="en"`` (:mod:`zi_nb.report.labels`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from zi_nb.common.domain import FINAL, STAGES, STATUS_FINAL, STATUS_PROVISIONAL, UNIT_SCOPE
from zi_nb.common.fmt import (
    date_text,
    num,
    pct,
    predicate_label,
    predicate_with_status,
    status_detail,
    status_label,
    tier_label,
)
from zi_nb.engine.improve.drafts import action_text
from zi_nb.report.evidence import area_block
from zi_nb.report.labels import LABELS

if TYPE_CHECKING:
    from zi_nb.report.model import UnitReport


def unit_criteria(report: UnitReport) -> pd.DataFrame:
    ev = report.result.evaluation
    return ev.criteria[ev.criteria["unit_id"] == report.unit_id]


def text_or_none(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def year_of(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def unit_name(report: UnitReport) -> str | None:
    """The unit's name when the input has one of its own (not its id, not the file it came from)."""
    meta = report.meta
    name = text_or_none(meta.get("unit_name"))
    if name is None or name == report.unit_id:
        return None
    stems = {Path(str(p)).stem for p in (*report.files, meta.get("file")) if p}
    return None if name in stems else name


def evaluator_label(report: UnitReport) -> str:
    """Who evaluated: the settings' ``penilai`` for a reviewer tier, else the tier's name; the unit's own
    self-assessment is always called that."""
    tier = report.params["tier"]
    if tier == FINAL:  # the final view: the latest stage that answered (TPN, else TPI, else the unit itself)
        tier = next((t for t in reversed(STAGES) if t in report.tiers), "unit")
    if tier == "unit":
        return tier_label("unit", report.lang)
    return report.settings.penilai or tier_label(tier, report.lang)


def report_date(report: UnitReport) -> str | None:
    """The LHE's date (settings ``tanggal``), else the date of the data, in words (``11 Juni 2026``)."""
    return date_text(report.settings.tanggal or report.data_date(), report.lang)


def cover(report: UnitReport) -> dict[str, Any]:
    t, meta, s = LABELS[report.lang], report.meta, report.settings
    year = year_of(meta.get("year"))
    position = report.data.unit_ids.index(report.unit_id) + 1 if report.unit_id in report.data.unit_ids else None
    name = unit_name(report)
    current = text_or_none(meta.get("current_predicate"))
    rows = [
        (t["unit"], f"{name} ({report.unit_id})" if name else report.unit_id),
        (t["instansi"], text_or_none(meta.get("instansi")) or s.instansi or t["not_stated"]),
        (t["year"], str(year) if year else t["not_stated"]),
        (t["period"], s.periode or t["not_stated"]),
        (t["evaluated_by"], evaluator_label(report)),
        (t["status"], status_detail(report.status.status, report.status.errors, report.status.answered,
                                    report.status.scorable, report.lang)),
        (t["current"], predicate_label(current, report.lang) if current else t["unknown"]),
        (t["rubric"], f"{report.data.rubric.id} — {report.data.rubric.title}"),
    ]
    return {"kop": s.kop, "logo": s.logo_path(), "title": t["title"],
            "nomor": s.nomor_for(report.unit_id, position, year), "date": report_date(report), "rows": rows}


def _criteria_by_predicate(report: UnitReport) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in unit_criteria(report).to_dict("records"):
        out.setdefault(str(row["predicate"]), []).append({str(k): v for k, v in row.items()})
    return out


def simpulan(report: UnitReport) -> list[str]:
    """The conclusion in sentences: the predikat with its status, the margins that decide it, the weakest areas."""
    t, lang = LABELS[report.lang], report.lang
    st = report.status
    code = report.result.evaluation.predicate[report.unit_id]
    total = float(report.result.scores.total[report.unit_id])
    name = unit_name(report) or report.unit_id
    said = {"who": evaluator_label(report), "unit": name, "total": num(total, 2, lang)}
    if st.status == STATUS_PROVISIONAL:
        sentences = [t["s_provisional"].format(**said, errors=st.errors)]
    else:
        sentences = [t["s_result"].format(**said, predicate=predicate_with_status(code, st.status, lang))]
    if st.status not in (STATUS_FINAL, STATUS_PROVISIONAL):
        sentences.append(t["s_incomplete"].format(answered=st.answered, scorable=st.scorable))
    if report.params["tier"] == "unit":
        sentences.append(t["s_claim"])
    margins = []  # per predikat, lowest first: the highest met is said, and the first one not met
    for pred, rows in _criteria_by_predicate(report).items():
        label = predicate_label(pred, lang)
        unmet = [r for r in rows if not r["met"]]
        if not unmet:
            closest = min(rows, key=lambda r: r["margin"])
            margins = [t["s_met"].format(predicate=label, name=closest["name"], margin=num(closest["margin"], 2, lang))]
        else:
            parts = [t["s_short_item"].format(name=r["name"], shortfall=num(-r["margin"], 2, lang)) for r in unmet]
            margins.append(t["s_unmet"].format(predicate=label, items="; ".join(parts)))
            break
    sentences.extend(margins)
    areas = sorted(area_rows(report), key=lambda a: a["share"])[:2]
    if areas:
        sentences.append(t["s_weakest"].format(areas=t["and"].join(
            f"{a['code']} {a['name']} ({pct(a['share'], 1, lang)})" for a in areas)))
    return sentences


def _lines(text: str) -> list[str]:
    return [line.strip().removeprefix("- ").strip() for line in text.splitlines() if line.strip()]


def area_rows(report: UnitReport) -> list[dict[str, Any]]:
    """Each area: weight, Pemenuhan and Reform, total, share of the weight, whether the area criteria are met, the
    catatan and rekomendasi in force (the evaluator's, else the draft, marked ``draft``), and its bukti dukung block
    (``evidence``, :func:`zi_nb.report.evidence.area_block`)."""
    s, r, u = report.result.scores, report.data.rubric, report.unit_id
    crit = unit_criteria(report)
    rows = []
    for area in r.areas:
        weight = float(sum(area.weights.values()))
        mine = crit[crit["measure"] == area.code]
        failing = [predicate_label(p, report.lang) for p, met in zip(mine["predicate"], mine["met"]) if not met]
        note, draft = report.notes.get(area.code), report.drafts.get(area.code)
        total = float(cast(float, s.areas.at[u, area.code]))
        rows.append({
            "code": area.code, "name": area.name, "weight": weight, "total": total,
            "share": total / weight if weight else math.nan,
            "parts": [(c, float(cast(float, s.areas.at[u, f"{c}:{area.code}"])), float(w))
                      for c, w in area.weights.items()],
            "failing": failing,
            "catatan": note.catatan if note else (draft.catatan if draft else ""),
            "rekomendasi": _lines(note.rekomendasi if note else (draft.rekomendasi if draft else "")),
            "draft": note is None, "evaluator": note.evaluator if note else None,
            "evidence": area_block(report, area.code)})
    return rows


def unit_note(report: UnitReport) -> dict[str, Any] | None:
    """The catatan and rekomendasi for the unit as a whole, when an evaluator wrote them."""
    note = report.notes.get(UNIT_SCOPE)
    if note is None:
        return None
    return {"catatan": note.catatan, "rekomendasi": _lines(note.rekomendasi), "evaluator": note.evaluator}


def plan(report: UnitReport) -> dict[str, Any]:
    """The next-predikat plan as actions per area (what must change), and, once, what LKE answers cannot reach."""
    t, lang, rubric = LABELS[report.lang], report.lang, report.data.rubric
    if not report.status.final:  # a plan from unfinished or erroneous data would plan the evaluation, not the unit
        return {"pending": t["p_pending"].format(status=status_label(report.status.status, lang)), "already": False,
                "groups": [], "out_of_reach": [], "partial": None, "headline": "", "target": "",
                "reachable": False}
    found = report.improvement_plan
    target = predicate_label(found.target, lang)
    groups: dict[str, dict[str, Any]] = {}
    for change in found.changes:
        item = rubric.item_by_code[change.code]
        area_code = rubric.indicator_by_code[item.indicator].area
        area = rubric.area_by_code.get(area_code) if area_code else None
        key = area.code if area else ""
        group = groups.setdefault(key, {"code": key, "name": area.name if area else t["hasil"], "actions": []})
        group["actions"].append({"code": change.code, "text": action_text(rubric, item, change.answer_to,
                                                                          change.value_from, lang),
                                 "from": change.answer_from or t["unanswered_short"], "to": change.answer_to,
                                 "gain": change.gain})
    out_of_reach = [{"name": o.name, "value": o.value, "minimum": o.minimum, "shortfall": o.shortfall,
                     "index_needed": o.index_needed} for o in found.out_of_reach]
    if found.already_met:
        headline = t["already"]
    elif not found.reachable:
        headline = t["p_unreachable"].format(target=target)
    else:
        headline = t["p_reachable"].format(target=target, count=len(found.changes),
                                           total=num(found.total_after, 2, lang))
    return {"pending": None, "target": target, "already": found.already_met, "reachable": found.reachable,
            "headline": headline,
            "groups": list(groups.values()), "out_of_reach": out_of_reach,
            "partial": (t["p_partial"].format(count=len(found.changes), total=num(found.total_after, 2, lang))
                        if found.changes and not found.reachable else None)}


def team(report: UnitReport) -> dict[str, Any]:
    """The team (ketua first) and the signature block: place, date, the ketua's name and NIP."""
    s, t = report.settings, LABELS[report.lang]
    members = sorted(s.tim, key=lambda m: (m.peran != "ketua", s.tim.index(m)))
    ketua = s.ketua
    return {"members": [{"nama": m.nama, "nip": m.nip, "peran": t.get(f"role_{m.peran}", m.peran),
                         "jabatan": m.jabatan} for m in members],
            "place": s.tempat, "date": report_date(report), "evaluator": evaluator_label(report),
            "ketua": {"nama": ketua.nama, "nip": ketua.nip} if ketua else None,
            "status": status_label(report.status.status, report.lang), "final": report.status.final,
            "claim": report.params["tier"] == "unit"}
