"""HTML sections of the unit report, rendered with Jinja2 (autoescape on: user text such as notes and unit names is
always shown as text, never markup).

Each ``section_<name>(report)`` returns an :class:`Html` object that notebooks display through ``_repr_html_``.
Labels exist in Bahasa Indonesia (default) and English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from jinja2 import Environment, select_autoescape

from zi_nb.common.files import sha256_file
from zi_nb.common.fmt import num, pct, predicate_label, predicate_with_status, status_label, tier_label
from zi_nb.common.text import evidence_links
from zi_nb.common.version import package_versions
from zi_nb.engine.improve.plan import plan_improvements

if TYPE_CHECKING:
    import pandas as pd

    from zi_nb.report.model import UnitReport

LABELS: dict[str, dict[str, str]] = {
    "id": {
        "title": "Laporan Hasil Evaluasi Zona Integritas",
        "prereq": "Prasyarat %s: unit sudah berpredikat %s.", "unit": "Unit kerja", "instansi": "Instansi",
        "year": "Tahun", "rubric": "Rubrik", "tier": "Tingkat penilai", "tiers_present": "Tingkat dalam data",
        "data_date": "Tanggal data", "current": "Predikat saat ini", "none": "belum ada", "unknown": "tidak tercatat",
        "total": "Nilai total", "predicate": "Predikat", "criteria": "Kriteria predikat", "criterion": "Kriteria",
        "value": "Nilai", "minimum": "Minimum", "margin": "Selisih", "met": "Terpenuhi", "yes": "Ya", "no": "Tidak",
        "areas": "Pengungkit per area", "area": "Area", "weight": "Bobot", "pemenuhan": "Pemenuhan",
        "reform": "Reform", "share": "% bobot", "hasil": "Hasil", "part": "Komponen", "index": "Indeks survei",
        "min_wbk": "Min. WBK", "min_wbbm": "Min. WBBM", "pengungkit": "Pengungkit",
        "next": "Langkah menuju predikat berikutnya", "target": "Sasaran", "already": "Unit sudah memenuhi semua "
        "kriteria predikat tertinggi.", "changes_needed": "Perbaikan butir paling sedikit yang diperlukan",
        "item": "Butir", "question": "Pertanyaan", "from": "Dari", "to": "Menjadi", "gain": "Tambahan nilai",
        "out_of_reach": "Tidak dapat dicapai hanya melalui jawaban LKE", "shortfall": "Kekurangan",
        "index_needed": "Indeks minimal", "reachable_no": "Sasaran belum dapat dicapai hanya dengan memperbaiki "
        "jawaban LKE.", "total_after": "Nilai total setelah perbaikan",
        "weakest": "Butir terlemah (nilai hilang terbesar)", "lost": "Nilai hilang", "answer": "Jawaban",
        "note": "Catatan unit", "evidence": "Bukti dukung", "crit_text": "Kriteria penilaian",
        "review": "Jawaban yang diubah penilai", "who": "Penilai", "when": "Waktu", "no_changes":
        "Tidak ada jawaban yang diubah penilai.", "problems": "Masalah data dari validasi", "severity": "Tingkat",
        "where": "Lokasi", "message": "Pesan", "no_problems": "Tidak ada masalah data.",
        "provenance": "Asal-usul laporan", "file": "Berkas", "policies": "Kebijakan", "versions": "Versi perangkat",
        "run_id": "Id proses", "hash": "Hash isi", "unanswered": "Butir belum dijawab",
        "method_next": "Dihitung dengan program bilangan bulat: jumlah butir paling sedikit, lalu usaha paling kecil "
        "(langkah pilihan jawaban), diverifikasi dengan menghitung ulang.",
        "status": "Status data", "counts": "%d galat data, %d peringatan; %d dari %d butir dijawab (%d belum dijawab)",
        "note_sementara": "Predikat belum dapat ditetapkan: data memuat galat (lihat Masalah data dari validasi). "
        "Perbaiki data lalu nilai ulang.",
        "note_belum lengkap": "Predikat bersifat sementara: belum semua butir dijawab pada tingkat ini.",
        "note_final": "Semua butir dijawab dan tidak ada galat data.",
    },
    "en": {
        "title": "Zona Integritas Evaluation Report",
        "prereq": "Prerequisite of %s: the unit already holds %s.", "unit": "Work unit", "instansi": "Agency",
        "year": "Year",
        "rubric": "Rubric", "tier": "Reviewer tier", "tiers_present": "Tiers in the data", "data_date": "Data date",
        "current": "Current predicate", "none": "none", "unknown": "not recorded", "total": "Total score",
        "predicate": "Predicate", "criteria": "Predicate criteria", "criterion": "Criterion", "value": "Value",
        "minimum": "Minimum", "margin": "Margin", "met": "Met", "yes": "Yes", "no": "No",
        "areas": "Enablers (pengungkit) by area", "area": "Area", "weight": "Weight", "pemenuhan": "Pemenuhan",
        "reform": "Reform", "share": "% of weight", "hasil": "Results (hasil)", "part": "Component",
        "index": "Survey index", "min_wbk": "WBK min.", "min_wbbm": "WBBM min.", "pengungkit": "Pengungkit",
        "next": "What it takes to reach the next predicate", "target": "Target", "already": "The unit already meets "
        "every criterion of the highest predicate.", "changes_needed": "Fewest item improvements needed",
        "item": "Item", "question": "Question", "from": "From", "to": "To", "gain": "Points gained",
        "out_of_reach": "Out of reach through LKE answers alone", "shortfall": "Shortfall",
        "index_needed": "Index needed", "reachable_no": "The target cannot be reached by improving LKE answers "
        "alone.", "total_after": "Total after the improvements",
        "weakest": "Weakest items (largest points lost)", "lost": "Points lost", "answer": "Answer",
        "note": "Unit's note", "evidence": "Evidence", "crit_text": "Scoring criteria",
        "review": "Answers changed by reviewers", "who": "Reviewer", "when": "When",
        "no_changes": "No answer was changed by a reviewer.", "problems": "Data problems found by validation",
        "severity": "Severity", "where": "Location", "message": "Message", "no_problems": "No data problems.",
        "provenance": "Provenance", "file": "File", "policies": "Policies", "versions": "Software versions",
        "run_id": "Run id", "hash": "Content hash", "unanswered": "Unanswered items",
        "method_next": "Computed with an integer program: fewest items, then least effort (answer steps), verified "
        "by re-scoring.",
        "status": "Data status", "counts": "%d data errors, %d warnings; %d of %d items answered (%d unanswered)",
        "note_sementara": "The predicate cannot be determined yet: the data holds errors (see Data problems found by "
        "validation). Correct the data and score again.",
        "note_belum lengkap": "The predicate is provisional: not every item is answered in this tier.",
        "note_final": "Every item is answered and the data holds no error.",
    },
}

_OPTION = re.compile(r"\s(?=[a-e]\.\s?[A-Z])")  # criteria text "a. Jika ... b. Jika ...": one option per line


ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True), trim_blocks=True,
                  lstrip_blocks=True)
ENV.filters["num"] = num
ENV.filters["pct"] = pct
ENV.filters["links"] = evidence_links
ENV.filters["options"] = lambda text: [p.strip() for p in _OPTION.split(text or "") if p.strip()]

CSS = """
<style>
.zi{font-family:"DejaVu Sans",Arial,sans-serif;font-size:13.5px;color:#1d2733;line-height:1.45;max-width:1000px}
.zi h2{font-size:19px;margin:18px 0 6px;color:#12355b;border-bottom:2px solid #12355b;padding-bottom:3px}
.zi h1{font-size:24px;margin:4px 0 10px;color:#12355b}
.zi table{border-collapse:collapse;margin:6px 0 12px;width:100%}
.zi th,.jp-RenderedHTMLCommon .zi th{background:#eef2f7;text-align:left;padding:5px 8px;
border-bottom:1px solid #c9d3df;font-weight:600}
.zi td,.jp-RenderedHTMLCommon .zi td{text-align:left;padding:5px 8px;border-bottom:1px solid #e4e9ef;
vertical-align:top}
.zi td.n,.zi th.n,.jp-RenderedHTMLCommon .zi td.n,.jp-RenderedHTMLCommon .zi th.n{text-align:right;
white-space:nowrap;font-variant-numeric:tabular-nums}
.zi td.c,.zi th.c,.jp-RenderedHTMLCommon .zi td.c,.jp-RenderedHTMLCommon .zi th.c{text-align:center}
.zi table.id td:first-child{color:#5b6776;width:190px}
.zi table.crit td:first-child{min-width:230px}.zi a{word-break:break-all;color:#1f5fa8}
.zi table.items td.q{width:42%}.zi table.items td.e{width:30%}.zi .crit-line{margin:1px 0 0 0}
.zi .ok{color:#1b7f3b;font-weight:600}.zi .ko{color:#b3261e;font-weight:600}
.zi .badge{display:inline-block;padding:6px 14px;border-radius:6px;font-size:18px;font-weight:700;color:#fff}
.zi .WBBM{background:#1b7f3b}.zi .WBK{background:#2f6db5}.zi .TIDAK{background:#8a5a00}
.zi .badge.pending{background:#fff;color:#8a5a00;border:2px dashed #8a5a00}
.zi .status{padding:6px 10px;border-left:5px solid #1b7f3b;background:#f2f7f3;margin:6px 0}
.zi .status.pending{border-left-color:#b3261e;background:#fbf1ef}
.zi .big{font-size:34px;font-weight:700;color:#12355b;margin-right:18px}
.zi .muted{color:#5b6776;font-size:12.5px}.zi .small{font-size:12px}
.zi tr.sum td{font-weight:700;border-top:2px solid #c9d3df}
</style>
"""


@dataclass
class Html:
    """An HTML fragment that notebooks display."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


@lru_cache(maxsize=128)
def _compiled(template: str) -> Any:
    """The section's Jinja template, compiled once per process (compiling costs more than rendering)."""
    return ENV.from_string(template)


def _render(template: str, report: UnitReport, **context: Any) -> Html:
    t = LABELS[report.lang]
    body = _compiled(template).render(t=t, lang=report.lang, **context)
    return Html(f'{CSS}<div class="zi">{body}</div>')


def section_identity(report: UnitReport) -> Html:
    meta = report.meta
    r = report.data.rubric
    return _render("""
<h1>{{ t.title }}</h1>
<table class="id">
<tr><td>{{ t.unit }}</td><td><b>{{ meta.unit_name }}</b> <span class="muted">({{ meta.unit_id }})</span></td></tr>
<tr><td>{{ t.instansi }}</td><td>{{ instansi or t.unknown }}</td></tr>
<tr><td>{{ t.year }}</td><td>{{ year or t.unknown }}</td></tr>
<tr><td>{{ t.current }}</td><td>{{ current or t.none }}</td></tr>
<tr><td>{{ t.rubric }}</td><td>{{ rubric_id }} — {{ rubric_title }}</td></tr>
<tr><td>{{ t.tier }}</td><td>{{ tier }}</td></tr>
<tr><td>{{ t.status }}</td><td><b>{{ status }}</b></td></tr>
<tr><td>{{ t.tiers_present }}</td><td>{{ tiers }}</td></tr>
<tr><td>{{ t.data_date }}</td><td>{{ date or t.unknown }}</td></tr>
</table>""", report, meta=meta, year=_year(meta.get("year")), current=_text(meta.get("current_predicate")),
                   instansi=_text(meta.get("instansi")),
                   rubric_id=r.id, rubric_title=r.title, tier=tier_label(report.params["tier"], report.lang),
                   status=status_label(report.status.status, report.lang),
                   tiers=", ".join(tier_label(t, report.lang) for t in report.tiers) or "-", date=report.data_date())


def _at(frame: pd.DataFrame, unit: str, column: str) -> float:
    """A unit's score in a score frame (floats; pandas-stubs types ``.at`` as any scalar)."""
    return cast(float, frame.at[unit, column])


def _year(value: Any) -> str | None:
    try:
        return str(int(float(value)))
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def unit_criteria(report: UnitReport) -> pd.DataFrame:
    ev = report.result.evaluation
    return ev.criteria[ev.criteria["unit_id"] == report.unit_id]


def section_summary(report: UnitReport) -> Html:
    s, ev = report.result.scores, report.result.evaluation
    code = ev.predicate[report.unit_id]
    crit = unit_criteria(report)
    preds = list(dict.fromkeys(crit["predicate"]))
    rows: dict[str, dict[str, Any]] = {}
    for r in crit.to_dict("records"):
        row = rows.setdefault(r["criterion"], {"name": r["name"], "value": r["value"]})
        row[r["predicate"]] = r
    prereq = [{**p, "current_predicate": _text(p["current_predicate"])} for p in
              ev.prerequisites[ev.prerequisites["unit_id"] == report.unit_id].to_dict("records")]
    st = report.status
    return _render("""
<h2>{{ t.total }} · {{ t.predicate }}</h2>
<p class="status {{ '' if st.final else 'pending' }}"><b>{{ t.status }}: {{ status }}</b> · {{ tier }}<br>
{{ t.counts | format(st.errors, st.warnings, st.answered, st.scorable, st.unanswered) }}.
{{ t['note_' ~ st.status] }}</p>
<p><span class="big">{{ total | num(2, lang) }}</span><span class="badge {{ code if st.final else 'pending' }}">{{
 label }}</span></p>
{% for p in prereq %}<p class="muted">{{ t.prereq | format(p.predicate, p.requires) }} {{ t.current }}:
 {{ p.current_predicate or t.unknown }}.</p>{% endfor %}
<h2>{{ t.criteria }}</h2>
<table class="crit"><tr><th>{{ t.criterion }}</th><th class="n">{{ t.value }}</th>
{% for p in preds %}<th class="n">{{ t.minimum }} {{ p }}</th><th class="n">{{ t.margin }}</th><th class="c">{{ p
 }}</th>
{% endfor %}</tr>
{% for key, r in rows.items() %}<tr><td>{{ r.name }}</td><td class="n">{{ r.value | num(2, lang) }}</td>
{% for p in preds %}{% if p in r %}{% set c = r[p] %}<td class="n">{{ c.minimum | num(2, lang) }}</td>
<td class="n {{ 'ok' if c.met else 'ko' }}">{{ '+' if c.margin >= 0 }}{{ c.margin | num(2, lang) }}</td>
<td class="c {{ 'ok' if c.met else 'ko' }}">{{ '✓' if c.met else '✗' }}</td>{% else %}<td></td><td></td><td></td>
{% endif %}{% endfor %}</tr>
{% endfor %}</table>""", report, total=float(s.total[report.unit_id]), code=code,
                   label=predicate_with_status(code, st.status, report.lang), rows=rows, preds=preds, prereq=prereq,
                   st=st, status=status_label(st.status, report.lang),
                   tier=tier_label(report.params["tier"], report.lang))


def section_areas(report: UnitReport) -> Html:
    s, r, u = report.result.scores, report.data.rubric, report.unit_id
    rows = []
    for area in r.areas:
        weight = sum(area.weights.values())
        rows.append({"code": area.code, "name": area.name, "weight": weight,
                     "parts": [(s.areas.at[u, f"{c}:{area.code}"], w) for c, w in area.weights.items()],
                     "total": s.areas.at[u, area.code], "share": _at(s.areas, u, area.code) / weight})
    parts = list(r.areas[0].weights) if r.areas else []
    minima = {p.code: {c.measure: c.minimum for c in p.criteria if c.minimum is not None} for p in r.predicates}
    hasil = []
    for ind in r.indicators:
        if ind.area is None:
            item = next(i for i in r.items if i.indicator == ind.code)
            at = r.answer_types[item.answer_type]
            index = s.numbers.at[u, item.code] if at.kind == "index" else None
            hasil.append({"code": ind.code, "name": ind.name, "weight": ind.weight,
                          "value": s.indicators.at[u, ind.code], "index": index,
                          "wbk": minima.get("WBK", {}).get(ind.code), "wbbm": minima.get("WBBM", {}).get(ind.code)})
    comps = [{"name": c.name, "weight": c.weight, "value": s.components.at[u, c.code],
              "wbk": minima.get("WBK", {}).get(c.code), "wbbm": minima.get("WBBM", {}).get(c.code)}
             for c in r.components if c.code in ("PENGUNGKIT", "HASIL", "BERSIH", "PRIMA")]
    return _render("""
<h2>{{ t.areas }}</h2>
<table><tr><th>{{ t.area }}</th><th class="n">{{ t.weight }}</th>
{% for p in parts %}<th class="n">{{ t[p | lower] if (p | lower) in t else p }}</th>{% endfor %}
<th class="n">Total</th><th class="n">{{ t.share }}</th></tr>
{% for a in rows %}<tr><td>{{ a.code }}. {{ a.name }}</td><td class="n">{{ a.weight | num(2, lang) }}</td>
{% for v, w in a.parts %}<td class="n">{{ v | num(2, lang) }} / {{ w | num(2, lang) }}</td>{% endfor %}
<td class="n">{{ a.total | num(2, lang) }}</td><td class="n">{{ a.share | pct(1, lang) }}</td></tr>{% endfor %}
</table>
<h2>{{ t.hasil }}</h2>
<table><tr><th>{{ t.part }}</th><th class="n">{{ t.weight }}</th><th class="n">{{ t.index }}</th>
<th class="n">{{ t.value }}</th><th class="n">{{ t.min_wbk }}</th><th class="n">{{ t.min_wbbm }}</th></tr>
{% for h in hasil %}<tr><td>{{ h.code }} — {{ h.name }}</td><td class="n">{{ h.weight | num(2, lang) }}</td>
<td class="n">{{ h.index | num(2, lang) if h.index is not none else '' }}</td>
<td class="n">{{ h.value | num(2, lang) }}</td><td class="n">{{ h.wbk | num(2, lang) }}</td>
<td class="n">{{ h.wbbm | num(2, lang) }}</td></tr>{% endfor %}
{% for c in comps %}<tr class="sum"><td>{{ c.name }}</td><td class="n">{{ c.weight | num(2, lang) }}</td><td></td>
<td class="n">{{ c.value | num(2, lang) }}</td><td class="n">{{ c.wbk | num(2, lang) }}</td>
<td class="n">{{ c.wbbm | num(2, lang) }}</td></tr>{% endfor %}
</table>""", report, rows=rows, parts=parts, hasil=hasil, comps=comps)


def weakest_items(report: UnitReport, limit: int = 10) -> list[dict[str, Any]]:
    """Items with the largest points lost on the total: (1 - value) x indicator weight / items in the indicator."""
    s, r, u = report.result.scores, report.data.rubric, report.unit_id
    counts: dict[str, int] = {}
    for item in r.items:
        counts[item.indicator] = counts.get(item.indicator, 0) + 1
    answers = report.data.answers
    unit_rows = answers[(answers["unit_id"] == u) & (answers["tier"] == "unit")].set_index("code")
    out: list[dict[str, Any]] = []
    for item in r.items:
        value = _at(s.items, u, item.code)
        lost = (1.0 - (0.0 if np.isnan(value) else value)) * r.indicator_by_code[item.indicator].weight \
            / counts[item.indicator]
        if lost <= 1e-12:
            continue
        rec = unit_rows.loc[item.code] if item.code in unit_rows.index else None
        out.append({"code": item.code, "question": item.question, "criteria": item.criteria, "value": value,
                    "lost": lost, "answer": None if rec is None else _answer_text(rec, report.lang),
                    "note": None if rec is None else _text(rec["note"]),
                    "evidence": None if rec is None else rec["evidence"]})
    out.sort(key=lambda d: (-round(d["lost"], 12), d["code"]))
    return out[:limit]


def _answer_text(rec: Any, lang: str = "id") -> str:
    if isinstance(rec["answer"], str):
        return rec["answer"]
    number = rec["number"]
    if number is not None and not np.isnan(number):
        return num(float(number), 0 if float(number).is_integer() else 2, lang)
    raw = rec["raw"]
    return "" if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw)


def section_weakest_items(report: UnitReport, limit: int = 10) -> Html:
    return _render("""
<h2>{{ t.weakest }}</h2>
<table class="items"><tr><th>{{ t.item }}</th><th>{{ t.question }} / {{ t.crit_text }}</th><th>{{ t.answer }}</th>
<th class="n">{{ t.lost }}</th><th>{{ t.note }} / {{ t.evidence }}</th></tr>
{% for w in rows %}<tr><td>{{ w.code }}</td><td class="q">{{ w.question }}
{% for line in w.criteria | options %}<div class="muted small crit-line">{{ line }}</div>{% endfor %}</td>
<td>{{ w.answer or '—' }}</td><td class="n">{{ w.lost | num(2, lang) }}</td>
<td class="e">{{ w.note or '' }}{% for l in w.evidence | links %}<div class="small">{% if l.url %}<a href="{{ l.url
 }}">{{ l.text }}</a>{% else %}{{ l.text }}{% endif %}</div>{% endfor %}</td></tr>{% endfor %}
</table>""", report, rows=weakest_items(report, limit))


def section_reviewer_changes(report: UnitReport) -> Html:
    rows = report.changes.to_dict("records")
    return _render("""
<h2>{{ t.review }}</h2>
{% if rows %}<table><tr><th>{{ t.item }}</th><th>{{ t.who }}</th><th>{{ t.from }}</th><th>{{ t.to }}</th>
<th>{{ t.note }}</th><th>{{ t.when }}</th></tr>
{% for c in rows %}<tr><td>{{ c.code }}</td><td>{{ c.reviewer }}</td><td>{{ c['from'] }}</td><td>{{ c.to }}</td>
<td>{{ c.note }}</td><td>{{ c.when or '—' }}</td></tr>{% endfor %}</table>
{% else %}<p>{{ t.no_changes }}</p>{% endif %}""", report, rows=rows)


def section_data_problems(report: UnitReport) -> Html:
    # file names only: a report must not depend on where its inputs were stored (reruns elsewhere match)
    rows = [{"severity": f.severity, "where": replace(f, file=Path(f.file).name if f.file else None).location(),
             "code": f.code or "", "message": f.message(report.lang)} for f in report.findings]
    unanswered = report.result.scores.unanswered()[report.unit_id]
    return _render("""
<h2>{{ t.problems }}</h2>
{% if rows %}<table><tr><th>{{ t.severity }}</th><th>{{ t.where }}</th><th>{{ t.item }}</th><th>{{ t.message
 }}</th></tr>
{% for f in rows %}<tr><td class="{{ 'ko' if f.severity == 'error' else '' }}">{{ f.severity }}</td>
<td class="small">{{ f.where }}</td><td>{{ f.code }}</td><td>{{ f.message }}</td></tr>{% endfor %}</table>
{% else %}<p>{{ t.no_problems }}</p>{% endif %}
{% if unanswered %}<p>{{ t.unanswered }}: {{ unanswered | join(', ') }}</p>{% endif %}""", report, rows=rows,
                   unanswered=unanswered)


def section_provenance(report: UnitReport) -> Html:
    files = [{"name": p.name, "sha256": sha256_file(p)} for p in report.files]
    r = report.data.rubric
    return _render("""
<h2>{{ t.provenance }}</h2>
<table><tr><th>{{ t.file }}</th><th>sha256</th></tr>
{% for f in files %}<tr><td>{{ f.name }}</td><td class="small"><code>{{ f.sha256 }}</code></td></tr>{% endfor %}</table>
<dl><dt>{{ t.rubric }}</dt><dd>{{ rid }} <span class="small"><code>{{ rhash }}</code></span></dd>
<dt>{{ t.policies }}</dt><dd>{% for k, v in policies.items() %}{{ k }}={{ v }}{{ ', ' if not loop.last
 }}{% endfor %}</dd>
<dt>{{ t.versions }}</dt><dd class="small">{% for k, v in versions.items() %}{{ k }} {{ v }}{{ ', ' if not loop.last
 }}{% endfor %}</dd>
<dt>{{ t.run_id }}</dt><dd>{{ run_id or '—' }}</dd></dl>""", report, files=files, rid=r.id, rhash=r.content_hash,
                   policies=report.result.scores.policies, versions=package_versions(),
                   run_id=report.params["run_id"])


def section_next_predicate(report: UnitReport) -> Html:
    """The fewest item improvements that reach the next predikat, and what LKE answers alone cannot reach."""

    plan = plan_improvements(report.result.scores, report.unit_id)
    return _render("""
<h2>{{ t.next }}</h2>
{% if plan.already_met %}<p>{{ t.already }}</p>{% else %}
<p>{{ t.target }}: <b>{{ target }}</b>.
{% if plan.changes %}{{ t.total_after }}: <b>{{ plan.total_after | num(2, lang) }}</b>.{% endif %}</p>
{% if plan.changes %}<table><tr><th>{{ t.item }}</th><th>{{ t.question }}</th><th>{{ t.from }}</th><th>{{ t.to }}</th>
<th class="n">{{ t.gain }}</th></tr>
{% for c in plan.changes %}<tr><td>{{ c.code }}</td><td>{{ c.question }}</td><td>{{ c.answer_from or '—' }}</td>
<td>{{ c.answer_to }}</td><td class="n">{{ c.gain | num(2, lang) }}</td></tr>{% endfor %}</table>{% endif %}
{% if plan.out_of_reach %}<p><b>{{ t.out_of_reach }}</b></p>
<table><tr><th>{{ t.criterion }}</th><th class="n">{{ t.value }}</th><th class="n">{{ t.minimum }}</th>
<th class="n">{{ t.shortfall }}</th><th class="n">{{ t.index_needed }}</th><th></th></tr>
{% for o in plan.out_of_reach %}<tr><td>{{ o.name }}</td><td class="n">{{ o.value | num(2, lang) }}</td>
<td class="n">{{ o.minimum | num(2, lang) }}</td><td class="n">{{ o.shortfall | num(2, lang) }}</td>
<td class="n">{{ o.index_needed | num(2, lang) if o.index_needed is not none else '' }}</td><td>{{ o.reason }}</td></tr>
{% endfor %}</table>{% endif %}
{% if not plan.reachable %}<p class="ko">{{ t.reachable_no }}</p>{% endif %}
<p class="muted small">{{ t.method_next }}</p>{% endif %}""", report, plan=plan,
                   target=predicate_label(plan.target, report.lang))
