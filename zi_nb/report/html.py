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
from zi_nb.common.fmt import local_time, num, pct, predicate_with_status, status_label, tier_label
from zi_nb.common.text import evidence_links
from zi_nb.common.version import package_versions
from zi_nb.engine.answers import select_tier
from zi_nb.report.evidence import attachment_rows, is_evidence
from zi_nb.report.labels import LABELS
from zi_nb.report.official import text_or_none, unit_criteria

if TYPE_CHECKING:
    import pandas as pd

    from zi_nb.common.findings import Finding
    from zi_nb.report.model import UnitReport

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
.zi .kop{display:flex;align-items:center;gap:14px;border-bottom:3px double #12355b;padding-bottom:8px;margin-bottom:8px}
.zi .kop .logo{max-height:72px;max-width:90px}.zi .kop-text{flex:1;text-align:center}
.zi .kop1{font-size:17px;font-weight:700;color:#12355b}.zi .kop2{font-size:12.5px;color:#1d2733}
.zi h1.title{text-align:center;font-size:21px;margin:10px 0 2px;text-transform:uppercase}
.zi p.nomor{text-align:center;margin:0 0 10px;color:#1d2733}
.zi table.areas tr{break-inside:avoid}.zi tr.area-head{break-after:avoid}
.zi tr.area-head td{background:#eef2f7;border-top:2px solid #c9d3df}
.zi tr.area-notes td{padding:4px 8px 10px}.zi .notes{display:grid;grid-template-columns:1fr 1fr;gap:14px}
.zi .notes ul{margin:2px 0 0 0;padding-left:18px}.zi .lbl{font-weight:600;color:#12355b;font-size:12px}
.zi .draft{display:inline-block;border:1px dashed #8a5a00;color:#6b4700;font-size:11.5px;padding:1px 6px;
margin:2px 0 4px}
.zi p.simpulan{margin:4px 0}.zi .signature{margin:22px 0 0 auto;width:340px;break-inside:avoid}
.zi td.code,.zi th.code{white-space:nowrap}.zi td .muted{font-size:inherit}
.zi .sign-space{height:64px}.zi .sign-block{break-inside:avoid}
.zi table.problems td.sev{white-space:nowrap}.zi table.problems td.where{width:32%;overflow-wrap:anywhere}
.zi .bukti{margin-top:6px;border-top:1px dotted #c9d3df;padding-top:4px}
.zi .bukti ul{margin:2px 0 0 0;padding-left:18px}.zi .bukti .q{color:#5b6776}.zi .bukti .lack{color:#8a2a1e}
.zi table.problems td.msg,.zi table.files td{overflow-wrap:anywhere}
</style>
"""


@dataclass
class Html:
    """An HTML fragment that notebooks display; ``metadata`` goes with it into the notebook's output (the cover
    puts the running header of the printed pages there, read by :func:`zi_nb.report.runner.export_html`)."""

    html: str
    metadata: dict[str, Any] | None = None

    def _repr_html_(self) -> str | tuple[str, dict[str, Any]]:
        return (self.html, self.metadata) if self.metadata else self.html

    def __str__(self) -> str:
        return self.html


@lru_cache(maxsize=128)
def _compiled(template: str) -> Any:
    """The section's Jinja template, compiled once per process (compiling costs more than rendering)."""
    return ENV.from_string(template)


def render(template: str, report: UnitReport, **context: Any) -> Html:
    t = LABELS[report.lang]
    body = _compiled(template).render(t=t, lang=report.lang, **context)
    return Html(f'{CSS}<div class="zi">{body}</div>')


def _at(frame: pd.DataFrame, unit: str, column: str) -> float:
    """A unit's score in a score frame (floats; pandas-stubs types ``.at`` as any scalar)."""
    return cast(float, frame.at[unit, column])


def section_summary(report: UnitReport) -> Html:
    s, ev = report.result.scores, report.result.evaluation
    code = ev.predicate[report.unit_id]
    crit = unit_criteria(report)
    preds = list(dict.fromkeys(crit["predicate"]))
    rows: dict[str, dict[str, Any]] = {}
    for r in crit.to_dict("records"):
        row = rows.setdefault(r["criterion"], {"name": r["name"], "value": r["value"]})
        row[r["predicate"]] = r
    prereq = [{**p, "current_predicate": text_or_none(p["current_predicate"])} for p in
              ev.prerequisites[ev.prerequisites["unit_id"] == report.unit_id].to_dict("records")]
    st = report.status
    return render("""
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


def section_components(report: UnitReport) -> Html:
    """Hasil per indicator (with the survey index) and the component totals, each with its WBK and WBBM minimum."""
    s, r, u = report.result.scores, report.data.rubric, report.unit_id
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
    return render("""
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
</table>""", report, hasil=hasil, comps=comps)


def weakest_items(report: UnitReport, limit: int = 10) -> list[dict[str, Any]]:
    """Items with the largest points lost on the total: (1 - value) x indicator weight / items in the indicator."""
    s, r, u = report.result.scores, report.data.rubric, report.unit_id
    counts: dict[str, int] = {}
    for item in r.items:
        counts[item.indicator] = counts.get(item.indicator, 0) + 1
    answers = report.data.answers[report.data.answers["unit_id"] == u]
    unit_rows = answers[answers["tier"] == "unit"].set_index("code")
    tier = report.params["tier"]
    tier_rows = unit_rows if tier == "unit" else select_tier(answers, tier).set_index("code")
    out: list[dict[str, Any]] = []
    for item in r.items:
        value = _at(s.items, u, item.code)
        lost = (1.0 - (0.0 if np.isnan(value) else value)) * r.indicator_by_code[item.indicator].weight \
            / counts[item.indicator]
        if lost <= 1e-12:
            continue
        rec = unit_rows.loc[item.code] if item.code in unit_rows.index else None
        if r.answer_types[item.answer_type].kind == "ratio":  # computed from its Jumlah inputs
            answer = None if np.isnan(value) else pct(value, 0, report.lang)
            claimed = None
        else:
            mine = tier_rows.loc[item.code] if item.code in tier_rows.index else None
            answer = None if mine is None else _answer_text(mine, report.lang)
            claimed = None if rec is None else _answer_text(rec, report.lang)
        out.append({"code": item.code, "question": item.question, "criteria": item.criteria, "value": value,
                    "lost": lost, "answer": answer,
                    "unit_answer": claimed if tier != "unit" and claimed and claimed != answer else None,
                    "note": None if rec is None else text_or_none(rec["note"]),
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
    return render("""
<h2>{{ t.weakest }}</h2>
<table class="items"><tr><th class="code">{{ t.item }}</th><th>{{ t.question }} / {{ t.crit_text }}</th>
<th>{{ t.answer }}</th>
<th class="n">{{ t.lost }}</th><th>{{ t.note }} / {{ t.evidence }}</th></tr>
{% for w in rows %}<tr><td class="code">{{ w.code }}</td><td class="q">{{ w.question }}
{% for line in w.criteria | options %}<div class="muted small crit-line">{{ line }}</div>{% endfor %}</td>
<td>{{ w.answer or t.unanswered_short }}{% if w.unit_answer %}<div class="muted small">{{ t.unit_claim }}: {{
 w.unit_answer }}</div>{% endif %}</td><td class="n">{{ w.lost | num(2, lang) }}</td>
<td class="e">{{ w.note or '' }}{% for l in w.evidence | links %}<div class="small">{% if l.url %}<a href="{{ l.url
 }}">{{ l.text }}</a>{% else %}{{ l.text }}{% endif %}</div>{% endfor %}</td></tr>{% endfor %}
</table>""", report, rows=weakest_items(report, limit))


def _number_text(value: Any, lang: str) -> str:
    """An answer as shown: ``"3.62"`` (a ledger's canonical number) -> ``"3,62"``; options and text unchanged."""
    text = "" if value is None else str(value)
    try:
        number = float(text)
    except ValueError:
        return text
    return num(number, 0 if number.is_integer() else 2, lang)


def section_reviewer_changes(report: UnitReport) -> Html:
    zone = report.settings.zona_waktu
    rows = [{**c, "from": _number_text(c["from"], report.lang), "to": _number_text(c["to"], report.lang),
             "when": local_time(c["when"], zone, report.lang) if c["when"] else None}
            for c in report.changes.to_dict("records")]
    return render("""
<h2>{{ t.review }}</h2>
{% if rows %}<table><tr><th class="code">{{ t.item }}</th><th>{{ t.who }}</th><th>{{ t.from }}</th><th>{{ t.to }}</th>
<th>{{ t.reviewer_note }}</th><th>{{ t.when }}</th></tr>
{% for c in rows %}<tr><td class="code">{{ c.code }}</td><td>{{ c.reviewer }}</td>
<td>{{ c['from'] or t.unanswered_short }}</td>
<td>{{ c.to }}</td><td>{{ c.note }}</td><td>{{ c.when or '—' }}</td></tr>{% endfor %}</table>
{% else %}<p>{{ t.no_changes }}</p>{% endif %}""", report, rows=rows)


def section_data_problems(report: UnitReport) -> Html:
    """The validation's findings, then the evidence findings (warnings that change neither the score nor the data
    status: :mod:`zi_nb.report.evidence`) in a table of their own, every one with its message."""
    def row(f: Finding) -> dict[str, Any]:
        # file names only: a report must not depend on where its inputs were stored (reruns elsewhere match)
        return {"severity": f.severity, "where": replace(f, file=Path(f.file).name if f.file else None).location(),
                "code": f.code or "", "message": f.message(report.lang)}

    rows = [row(f) for f in report.findings if not is_evidence(f)]
    order = {item.code: n for n, item in enumerate(report.data.rubric.items)}
    evidence = [row(f) for f in sorted((f for f in report.findings if is_evidence(f)),
                                       key=lambda f: order.get(f.code or "", len(order)))]
    unanswered = report.result.scores.unanswered()[report.unit_id]
    return render("""
<h2>{{ t.problems }}</h2>
{% macro table(rows) %}<table class="problems"><tr><th>{{ t.severity }}</th><th>{{ t.where }}</th>
<th class="code">{{ t.item }}</th>
<th>{{ t.message }}</th></tr>
{% for f in rows %}<tr><td class="sev {{ 'ko' if f.severity == 'error' else '' }}">{{ t['sev_' ~ f.severity] }}</td>
<td class="small where">{{ f.where }}</td><td class="code">{{ f.code }}</td><td class="msg">{{ f.message }}</td></tr>
{% endfor %}</table>{% endmacro %}
{% if rows %}{{ table(rows) }}{% else %}<p>{{ t.no_problems }}</p>{% endif %}
{% if unanswered %}<p>{{ t.unanswered }}: {{ unanswered | join(', ') }}</p>{% endif %}
<h3>{{ t.ev_findings }}</h3>
{% if evidence %}<p class="muted small">{{ t.ev_findings_note }}</p>{{ table(evidence) }}
{% else %}<p>{{ t.ev_no_findings }}</p>{% endif %}""", report, rows=rows, evidence=evidence,
                   unanswered=unanswered)


def section_provenance(report: UnitReport) -> Html:
    files = [{"name": p.name, "sha256": sha256_file(p)} for p in report.files]
    if report.settings.source:
        files.append({"name": Path(report.settings.source).name, "sha256": sha256_file(Path(report.settings.source))})
    r = report.data.rubric
    policies = []
    for name, value in report.result.scores.policies.items():
        policy = r.policies.get(name)
        choice = policy.choices.get(value, value) if policy else value
        policies.append((policy.description if policy and policy.description else name, choice))
    return render("""
<h2>{{ t.provenance }}</h2>
<table><tr><th>{{ t.file }}</th><th>sha256</th></tr>
{% for f in files %}<tr><td>{{ f.name }}</td><td class="small"><code>{{ f.sha256 }}</code></td></tr>{% endfor %}</table>
<dl><dt>{{ t.rubric }}</dt><dd>{{ rid }} <span class="small"><code>{{ rhash }}</code></span></dd>
<dt>{{ t.policies }}</dt><dd><ul class="small">{% for what, chosen in policies %}<li>{{ what }} — {{ t.policy_used }}:
 <b>{{ chosen }}</b></li>{% endfor %}</ul></dd>
<dt>{{ t.versions }}</dt><dd class="small">{% for k, v in versions.items() %}{{ k }} {{ v }}{{ ', ' if not loop.last
 }}{% endfor %}</dd>
<dt>{{ t.run_id }}</dt><dd>{{ run_id or '—' }}</dd>
<dt>{{ t.ledger }}</dt><dd>{% if ledger[0] %}{{ ledger[0] }} · {{ t.ledger_upto }} #{{ ledger[1] }}{% if ledger[2] %}
 <span class="small"><code>{{ ledger[2] }}</code></span>{% endif %}{% else %}{{ t.ledger_none }}{% endif %}</dd></dl>
<h3>{{ t.ev_files }}</h3>
{% if attached %}<table class="files"><tr><th class="code">{{ t.item }}</th><th>{{ t.ev_name }}</th><th>sha256</th>
<th>{{ t.ev_attached_by }}</th></tr>
{% for a in attached %}<tr><td class="code">{{ a.code }}</td><td>{{ a.name }}{% if a.source %}
<div class="muted small">{{ a.source }}</div>{% endif %}</td>
<td class="small"><code title="{{ a.full }}">{{ a.sha256 }}</code></td>
<td>{{ a.who }} ({{ a.tier }})</td></tr>{% endfor %}</table>
{% else %}<p class="muted">{{ t.ev_no_files }}</p>{% endif %}""", report, files=files, rid=r.id,
                   rhash=r.content_hash, policies=policies, versions=package_versions(),
                   run_id=report.params["run_id"], attached=attachment_rows(report), ledger=report.ledger_state)
