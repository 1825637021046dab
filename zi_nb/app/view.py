"""HTML parts of the evaluator workbench (:mod:`zi_nb.app.session`): header, area bars, predikat criteria, item card,
answers of every tier, ledger history and the unit list. Pure functions from data to escaped HTML (Jinja2 with
autoescape: notes, evidence and unit names are always shown as text, never markup; only http/https evidence lines
become links). All labels are in Bahasa Indonesia.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jinja2 import Environment, select_autoescape

from zi_nb.common.domain import STATUS_INCOMPLETE, TIERS
from zi_nb.common.fmt import local_time, num, pct, predicate_label, predicate_with_status, status_detail, tier_label
from zi_nb.common.text import evidence_links as links
from zi_nb.team.permissions import FINAL_TPI, PROPOSED

TIER_LABEL = {t: tier_label(t) for t in TIERS}  # "unit": "penilaian mandiri unit (PMPZI)"
FILTERS = {"all": "Semua", "unassessed": "Belum dinilai", "different": "Berbeda dari unit", "changed": "Diubah",
           "weakest": "Terlemah", "evidence": "Bukti dukung kurang"}
HASIL = "H"  # pseudo-area of the Hasil indicators (they belong to no area perubahan)

_OPTION = re.compile(r"(?:^|(?<=[\s;]))(?=[a-e]\.\s?[A-Za-z])")


def criteria_lines(text: str) -> list[tuple[str | None, str]]:
    """``"a. Jika ... b. Jika ..."`` -> ``[("A", "a. Jika ..."), ("B", "b. Jika ...")]``; ``"Ya, jika ..."`` ->
    ``[("Ya", ...)]``; other text is one line without an option."""
    parts = [p.strip(" ;") for p in _OPTION.split(text or "") if p.strip(" ;")]
    out: list[tuple[str | None, str]] = []
    for p in parts:
        if re.match(r"^[a-e]\.", p):
            out.append((p[0].upper(), p))
        elif p.lower().startswith(("ya,", "ya ")):
            out.append(("Ya", p))
        else:
            out.append((None, p))
    return out


def shown(text: str | None) -> str:
    """A canonical answer as people read it: options as is, numbers with a decimal comma."""
    if text is None:
        return "—"
    try:
        value = float(text)
    except ValueError:
        return text
    return str(int(value)) if value.is_integer() else num(value, 2)


ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True), trim_blocks=True,
                  lstrip_blocks=True)
ENV.filters.update(num=num, pct=pct, links=links, shown=shown, plabel=predicate_label, local=local_time)
REVIEW_NOT_FINAL = "reviu belum final"


def review_unfinished(workflow: str | None) -> bool:
    """Whether a unit of this status on the team server ("" or None: standalone, no workflow) is before ``final
    TPI``: until the ketua TPI signs, its predikat is not final whatever the data says."""
    return bool(workflow) and workflow not in (FINAL_TPI, *PROPOSED)


def predicate_in_review(code: str, data_status: str, workflow: str | None = None) -> str:
    """The predikat with its data status (:func:`predicate_with_status`) and, before ``final TPI``,
    ``(reviu belum final)``: the one label of the unit's header and the unit list, never a bare predikat."""
    label = predicate_with_status(code, data_status)
    return f"{label} ({REVIEW_NOT_FINAL})" if review_unfinished(workflow) else label


ENV.globals.update(plabel_status=predicate_with_status, plabel_review=predicate_in_review,
                   review_unfinished=review_unfinished)

READ_ONLY = "zi-readonly"  # class of a workbench whose user views without writing answers (team server roles)
CSS = """<style>
.zi-readonly .zi-save,.zi-readonly .zi-reset,.zi-readonly .zi-undo,.zi-readonly .zi-accepts,.zi-readonly .zi-ask,
.zi-readonly .zi-note,.zi-readonly .zi-save-cat,.zi-readonly .zi-ev-toolbox,.zi-readonly .zi-ev-addrow,
.zi-readonly .zi-ev-copy,.zi-readonly .zi-ev-btn:not(.zi-ev-on){display:none!important}
.zi-readonly .zi-control,.zi-readonly .zi-cat,.zi-readonly .zi-ev-btns{pointer-events:none;opacity:.7}
.zi-app,.zi-picker{font-family:"Inter","Segoe UI","DejaVu Sans",Arial,sans-serif;color:#1d2733;font-size:13.5px}
.zi-app{background:#f3f5f9;border-radius:10px;padding:0 0 10px 0;min-width:1080px}
.zi-app .widget-html-content,.zi-picker .widget-html-content{line-height:1.45;font-size:13.5px;min-width:0;
 flex:1 1 auto}
.zi-head .widget-html-content{color:#fff}
.zi-head{background:linear-gradient(90deg,#0f2f52,#1f5fa8);color:#fff;border-radius:10px 10px 0 0;
 padding:14px 18px;align-items:center}
.zi-head .zi-headhtml{flex:1 1 auto}
.zi-h-name{font-size:20px;font-weight:700;line-height:1.25}.zi-h-sub{opacity:.85;font-size:12.5px;margin-top:2px}
.zi-h-row{display:flex;align-items:center;gap:22px}.zi-h-left{flex:1 1 auto;min-width:0}
.zi-h-score{text-align:right}.zi-h-score .lbl{font-size:11px;text-transform:uppercase;letter-spacing:.06em;opacity:.8}
.zi-total{font-size:34px;font-weight:800;font-variant-numeric:tabular-nums;line-height:1.05}
.zi-h-self{font-size:11.5px;opacity:.85}
.zi-badge{display:inline-block;padding:7px 14px;border-radius:20px;font-weight:700;font-size:14px;color:#fff;
 white-space:nowrap}
.zi-badge.WBBM{background:#1b7f3b}.zi-badge.WBK{background:#1f6fb8}.zi-badge.TIDAK{background:#8f5500}
.zi-badge.pending{background:#fff;color:#8a5a00;border:2px dashed #8a5a00}
.zi-chip{display:inline-block;background:rgba(255,255,255,.16);border-radius:12px;padding:2px 9px;margin-right:6px;
 font-size:12px}.zi-chip.warn{background:#ffb74d;color:#3b2500;font-weight:700}
.zi-body{padding:12px;gap:12px;align-items:flex-start}
.zi-panel{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(16,40,70,.12);padding:12px 14px}
.zi-nav{width:300px;flex:0 0 300px}.zi-card{flex:1 1 auto;min-width:400px}.zi-side{width:330px;flex:0 0 330px}
.zi-criteria{font-size:12.5px;table-layout:fixed}.zi-criteria td,.zi-criteria th{padding:4px 5px}
.zi-criteria td:first-child{overflow-wrap:anywhere}
.zi-sec{font-size:11px;text-transform:uppercase;letter-spacing:.07em;color:#5b6776;font-weight:700;margin:10px 0 4px}
.zi-app .jupyter-button.zi-navbtn{width:100%;height:auto;min-height:30px;text-align:left;background:transparent;
 box-shadow:none;border-radius:6px;padding:5px 8px;color:#1d2733;white-space:normal;line-height:1.3;margin:1px 0;
 border-left:4px solid transparent}
.zi-app .jupyter-button.zi-navbtn:hover{background:#eef3fa}
.zi-app .jupyter-button.zi-navbtn.zi-current{background:#e1ecfa;font-weight:700;color:#0f2f52}
.zi-app .jupyter-button.zi-navbtn.zi-st-changed{border-left-color:#2f6db5}
.zi-app .jupyter-button.zi-navbtn.zi-st-empty{border-left-color:#e0a100}
.zi-app .jupyter-button.zi-navbtn.zi-st-draft{border-left-color:#b4420a}
.zi-app .jupyter-button.zi-navbtn.zi-st-draft::after{content:" ● belum disimpan";color:#b4420a;font-size:11px}
.zi-app .zi-filter .widget-toggle-buttons{flex-wrap:wrap;gap:4px}
.zi-app .zi-filter .widget-toggle-button{width:auto;padding:0 9px;border-radius:14px;font-size:12px;height:26px}
.zi-app .widget-toggle-button.mod-active{background:#1f5fa8;color:#fff}
.zi-app .zi-answer .widget-toggle-button{min-width:64px;width:auto;height:38px;font-size:15px;font-weight:700;
 border-radius:8px;margin-right:6px}
.zi-app .zi-indicators select{font-size:12.5px;border-radius:6px;white-space:normal;height:auto;min-height:64px}
.zi-app .zi-indicators{height:auto}
.zi-unitbox{border:1px solid #cddcf0;border-radius:8px;padding:6px 10px;background:#f7faff;margin-bottom:8px}
.zi-unitbox summary{cursor:pointer;color:#1f5fa8;font-weight:600}
.zi-unitbox a{color:#1f5fa8;word-break:break-all}
.zi-tag{display:inline-block;font-size:11px;font-weight:700;border-radius:10px;padding:0 7px;margin-left:6px;
 background:#12355b;color:#fff}.zi-tag.me{background:#1f5fa8}
.zi-keys{font-size:12px;color:#3b4756}.zi-keys kbd{background:#eef2f7;border:1px solid #c9d3df;border-radius:4px;
 padding:0 5px;font-family:inherit;font-size:11.5px;color:#1d2733}
.zi-prog{font-size:12px;color:#3b4756;margin:2px 0 4px}
.zi-app .jupyter-button.zi-accept{background:#eef3fa;color:#12355b;border:1px solid #cddcf0;border-radius:8px;
 height:auto;min-height:30px;white-space:normal;line-height:1.25}
.zi-accepts{flex-wrap:wrap;gap:6px;margin:2px 0 4px}
.zi-app .jupyter-button.zi-confirm{background:#8f5500;color:#fff;font-weight:700;border-radius:8px}
.zi-app .jupyter-button.zi-mode{border-radius:8px}
.zi-cat textarea{min-height:84px;border-radius:8px;font-size:13px}
.zi-app textarea{font-family:inherit}.zi-app .zi-cat[class*="zi-cat-rekomendasi"] textarea{min-height:130px}
.zi-acc-label{padding-top:5px;font-weight:600;color:#12355b;font-size:12.5px}
.zi-cat-box{border:1px solid #e1e7ef;border-radius:8px;padding:8px 12px;margin-bottom:10px;background:#fff}
.zi-draft{display:inline-block;background:#fff4e0;color:#6b4200;border:1px dashed #8f5500;border-radius:10px;
 padding:0 8px;font-size:11.5px;font-weight:700}
.zi-dl a{display:inline-block;background:#1f5fa8;color:#fff;border-radius:8px;padding:6px 14px;margin:4px 8px 0 0;
 font-weight:700;text-decoration:none}
.zi-app .jupyter-button.zi-save,.zi-app .jupyter-button.zi-make-lhe{background:#1b7f3b;color:#fff;font-weight:700;
 border-radius:8px;height:34px}
.zi-app .jupyter-button.zi-reset,.zi-app .jupyter-button.zi-undo{border-radius:8px;height:34px}
.zi-app .jupyter-button.zi-back{background:rgba(255,255,255,.16);color:#fff;border-radius:8px;margin-top:6px}
.zi-app .zi-evaluator input{border-radius:8px}
.zi-app .jupyter-button.zi-step{border-radius:8px;background:#eef3fa;color:#12355b;height:28px;margin-left:6px}
.zi-crumb .zi-path{font-size:11.5px}
.zi-app .zi-note textarea{min-height:70px;border-radius:8px;font-size:13px}
.zi-code{display:inline-block;background:#12355b;color:#fff;border-radius:6px;padding:2px 8px;font-weight:700;
 font-size:12.5px;margin-right:8px}.zi-path{color:#5b6776;font-size:12px}
.zi-q{font-size:16.5px;font-weight:650;margin:8px 0 10px;color:#12233a;line-height:1.4}
.zi-crit{border:1px solid #e1e7ef;border-radius:8px;padding:6px 10px;background:#fafbfd;margin-bottom:10px}
.zi-crit div{padding:3px 0 3px 8px;border-left:3px solid transparent;color:#3b4756}
.zi-crit div.on{border-left-color:#1f5fa8;background:#eaf2fc;color:#0f2f52;font-weight:600}
.zi-tbl{border-collapse:collapse;width:100%;margin:4px 0 8px}
.zi-tbl th{background:#eef2f7;text-align:left;padding:5px 8px;font-weight:600;font-size:12px;color:#3b4756}
.zi-tbl td{padding:6px 8px;border-bottom:1px solid #e8edf3;vertical-align:top}
.zi-tbl td.n,.zi-tbl th.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.zi-tbl td.c,.zi-tbl th.c{text-align:center}.zi-tbl tr.me td{background:#f4f8fe}
.zi-ans{font-weight:700;font-size:14px}.zi-muted{color:#5b6776;font-size:12px}
.zi-tbl a{color:#1f5fa8;word-break:break-all}
.ok{color:#1b7f3b;font-weight:700}.ko{color:#c0392b;font-weight:700}
.zi-bar{position:relative;height:9px;background:#e6ebf1;border-radius:5px;margin:3px 0 8px}
.zi-bar span{position:absolute;left:0;top:0;bottom:0;border-radius:5px;background:#2f6db5}
.zi-bar span.lo{background:#e0a100}.zi-bar span.hi{background:#1b7f3b}
.zi-bar i{position:absolute;top:-3px;bottom:-3px;width:2px;background:#5b6776;opacity:.55}
.zi-arow{display:flex;justify-content:space-between;gap:8px;font-size:12.5px}
.zi-arow span{overflow-wrap:anywhere}.zi-arow b{white-space:nowrap}
.zi-tbl td.t{white-space:nowrap}.zi-criteria td.c{white-space:nowrap}
.zi-msg{border-radius:8px;padding:8px 12px;margin-top:8px;font-weight:600}
.zi-msg.err{background:#fdecea;color:#a12622;border:1px solid #f5c2bd}
.zi-msg.ok{background:#e8f5ec;color:#1b6b34;border:1px solid #b9e0c5}
.zi-msg.info{background:#eef3fa;color:#12355b;border:1px solid #cddcf0}
.zi-live{font-size:13px;margin:6px 0;color:#12355b}
.zi-foot{color:#5b6776;font-size:11.5px;padding:0 14px}
.zi-picker{max-width:1100px}.zi-picker .zi-prow{background:#fff;border-radius:8px;padding:8px 12px;margin:4px 0;
 box-shadow:0 1px 2px rgba(16,40,70,.1);align-items:center}
.zi-ev-count{color:#8a5a00;font-weight:700}
.zi-picker .zi-prow .zi-pname{flex:1 1 auto}.zi-picker .jupyter-button{background:#1f5fa8;color:#fff;
 border-radius:8px;font-weight:700}
</style>"""


@lru_cache(maxsize=64)
def _template(source: str) -> Any:
    return ENV.from_string(source)


def render(template: str, **context: Any) -> str:
    return _template(template).render(**context)


def header(s: Any) -> str:
    """Unit name, instansi, tier and evaluator, total with predikat badge and the data status of the result (a
    predikat from data with errors or an unfinished review is never shown as final), unsaved drafts."""
    meta, code, st, progress = s.meta, s.predicate, s.data_status, s.progress()
    self_total = s.unit_total
    status = status_detail(st.status, st.errors, st.answered, st.scorable)
    workflow = getattr(getattr(s, "writer", None), "status", "")  # the unit's status on the team server
    label = predicate_in_review(code, st.status, workflow)
    unfinished = review_unfinished(workflow)
    if unfinished:  # the review is not final until the ketua TPI signs: said on the predikat's own line
        status = f"data {status} · status unit: {workflow}"
    return render("""
<div class="zi-h-row"><div class="zi-h-left">
<div class="zi-h-name">{{ meta.unit_name }}</div>
<div class="zi-h-sub">{{ sub | join(' · ') }}</div>
<div style="margin-top:7px"><span class="zi-chip">Penilaian {{ tier }}</span>
<span class="zi-chip">Evaluator: {{ evaluator or 'belum diisi' }}</span>
<span class="zi-chip zi-progress">{{ done }} dari {{ count }} dinilai</span>
{% if drafts %}<span class="zi-chip warn zi-drafts">{{ drafts }} perubahan belum disimpan</span>{% endif %}</div>
</div>
<div class="zi-h-score"><div class="lbl">Nilai {{ tier }}</div><div class="zi-total">{{ total | num }}</div>
{% if self_total is not none %}<div class="zi-h-self">{{ unit_label }}: {{ self_total | num }}</div>{% endif %}
</div>
<div><span class="zi-badge zi-predikat {{ code if final and not unfinished else 'pending' }}">{{ label }}</span>
<div class="zi-h-self zi-status">{{ status }}</div></div></div>""",
                  meta=meta, sub=[p for p in (meta.get("instansi"), meta.get("year"),
                  f"predikat saat ini: {meta.get('current') or 'belum ada'}", s.unit_id) if p],
                  done=progress[0], count=progress[1], tier=TIER_LABEL.get(s.tier, s.tier), evaluator=s.evaluator,
                  drafts=len(s.drafts), total=s.total, self_total=self_total, code=code, final=st.final,
                  unfinished=unfinished, label=label, unit_label=_first_upper(tier_label("unit")), status=status)


def summary(s: Any) -> str:
    """Area bars (with 60 % / 75 % marks), components and every predikat criterion with ✓/✗."""
    rows = s.criteria_rows()
    return render("""
<div class="zi-sec">Pengungkit per area</div>
{% for a in areas %}<div class="zi-arow"><span title="{{ a.name }}">{{ a.code }} · {{ a.name }}</span>
<b>{{ a.value | num }} <span class="zi-muted">/ {{ a.weight | num(1) }}</span></b></div>
<div class="zi-bar" title="{{ a.name }}: {{ a.share | pct
 }} dari bobot (garis: 60 % WBK, 75 % WBBM)"><span class="{{ a.cls }}" style="width:{{ a.width }}%"></span>
<i style="left:60%"></i><i style="left:75%"></i></div>{% endfor %}
<div class="zi-sec">Komponen</div>
<table class="zi-tbl">{% for c in comps %}<tr><td>{{ c.name }}</td><td class="n"><b>{{ c.value | num }}</b>
<span class="zi-muted">/ {{ c.weight | num(1) }}</span></td></tr>{% endfor %}</table>
<div class="zi-sec">Kriteria predikat</div>
<table class="zi-tbl zi-criteria"><colgroup><col><col style="width:50px">{% for p in preds %}
<col style="width:64px">{% endfor %}</colgroup><tr><th>Kriteria</th><th class="n">Nilai</th>
{% for p in preds %}<th class="c">{{ p }}</th>{% endfor %}</tr>
{% for r in rows %}<tr><td title="{{ r.name }}">{{ r.name }}</td><td class="n">{{ r.value | num }}</td>
{% for p in preds %}{% set c = r.get(p) %}<td class="c">{% if c %}<span class="{{ 'ok' if c.met else 'ko' }}"
 title="minimum {{ c.minimum | num }}; selisih {{ c.margin | num }}">{{ '✓' if c.met else '✗' }}</span>
<span class="zi-muted">{{ c.minimum | num }}</span>{% endif %}</td>{% endfor %}</tr>{% endfor %}</table>""",
                  areas=s.area_rows(), comps=s.component_rows(), rows=rows,
                  preds=list(dict.fromkeys(p for r in rows for p in r if p not in ("name", "value"))))


def item_crumb(s: Any, code: str) -> str:
    """The item's code and its place in the rubric."""
    r = s.rubric
    item = r.item_by_code[code]
    ind = r.indicator_by_code[item.indicator]
    area = r.area_by_code[ind.area].name if ind.area else "Hasil"
    return render("""<span class="zi-code">{{ item.code }}</span><span class="zi-path">{{ area }} › {{ comp }} ›
 {{ ind.name }} (bobot {{ ind.weight | num }}) · {{ item.answer_type }}</span>""", item=item, ind=ind, area=area,
                  comp=r.component_by_code[ind.component].name)


def item_info(s: Any, code: str) -> str:
    """The question and the rubric's criteria: the unit's answer and this tier's current answer marked on them."""
    item = s.rubric.item_by_code[code]
    return render("""<div class="zi-q">{{ item.question }}</div>
{% if lines %}<div class="zi-sec">Kriteria penilaian (rubrik)</div><div class="zi-crit">
{% for opt, line in lines %}<div class="{{ 'on' if opt and opt == current else '' }}{{ ' zi-unit-opt' if opt and \
opt == unit else '' }}">{{ line }}{% if opt and opt == unit %}<span class="zi-tag">jawaban unit</span>{% endif %}
{% if opt and opt == current %}<span class="zi-tag me">jawaban {{ tier }}</span>{% endif %}</div>{% endfor %}
</div>{% endif %}""", item=item, lines=criteria_lines(item.criteria), current=s.value_text(code),
                  unit=s.unit_text.get(code), tier=s.tier.upper())


FOLD = 280  # characters of a unit note shown before "selengkapnya"


def unit_answer(s: Any, code: str) -> str:
    """What the unit submitted for the item: its answer, note (long notes folded) and evidence (links open in a new
    tab)."""
    row = next((r for r in s.tier_rows(code) if r["stage"] == "unit"), None)
    if row is None:
        return '<div class="zi-unitbox zi-muted">Unit tidak mengisi butir ini.</div>'
    note = row["note"] or ""
    return render("""<div class="zi-unitbox"><div><b>Jawaban unit:</b> <span \
class="zi-ans">{{ r.answer }}</span>{% for i in r.inputs %}<div>{{ i }}</div>{% endfor %}{% if r.value is not none %}
 <span class="zi-muted">(nilai {{ r.value | pct(1) }})</span>{% endif %}</div>
<div><b>Catatan unit:</b> {% if not note %}<span class="zi-muted">tidak ada</span>{% elif note | length <= fold %}\
{{ note }}{% else %}{{ note[:fold] }}… <details class="zi-more"><summary>selengkapnya</summary>{{ note }}</details>\
{% endif %}</div>
<div><b>Bukti dukung:</b> {% if not r.evidence %}<span class="zi-muted">tidak ada</span>{% endif %}
{% for l in r.evidence | links %}<div>{% if l.url %}{{ l.text[:l.start] }}<a href="{{ l.url }}" target="_blank" \
rel="noopener noreferrer">{{ l.url }}</a>{{ l.text[l.end:] }}{% else %}{{ l.text }}{% endif %}</div>{% endfor %}
</div></div>""", r=row, note=note, fold=FOLD)


def tier_answers(s: Any, code: str) -> str:
    """The answer, value, note and evidence of every tier for one item (the reviewing tier live, with drafts)."""
    return render("""
<div class="zi-sec">Jawaban tingkat penilai</div>
<table class="zi-tbl zi-tiers"><tr><th>Tingkat</th><th>Jawaban</th><th class="n">Nilai</th>
<th>Catatan</th><th>Bukti dukung</th></tr>
{% for t in rows if t.stage != 'unit' %}<tr class="{{ 'me' if t.me else '' }}"><td class="t"><b>{{ t.label }}</b>\
{% if t.reviewer %}
<div class="zi-muted">{{ t.reviewer }}</div>{% endif %}</td>
<td><span class="zi-ans">{{ t.answer }}</span>{% for i in t.inputs %}<div class="zi-muted">{{ i }}</div>{% endfor %}
{% if t.draft %}<div style="color:#b4420a;font-size:11.5px">belum disimpan</div>{% endif %}</td>
<td class="n">{{ t.value | pct(1) if t.value is not none else '—' }}</td><td>{{ t.note or '' }}</td>
<td>{% for l in t.evidence | links %}<div>{% if l.url %}{{ l.text[:l.start] }}<a href="{{ l.url }}" \
target="_blank" rel="noopener noreferrer">{{ l.url }}</a>{{ l.text[l.end:] }}{% else %}{{ l.text }}{% endif %}</div>
{% endfor %}</td></tr>
{% endfor %}</table>""", rows=s.tier_rows(code))


def history(records: list[Any], zone: str = "WIB", label: Any = None) -> str:
    """The item's ledger records, newest first, times in the local ``zone`` (WIB, WITA, WIT)."""
    if not records:
        return '<div class="zi-muted">Belum ada perubahan tercatat di ledger untuk butir ini.</div>'
    return render("""<table class="zi-tbl zi-history"><tr><th>#</th><th>Waktu ({{ zone }})</th><th>Evaluator</th>
<th>Perubahan</th><th>Catatan</th></tr>{% for r in records | reverse %}<tr><td>{{ r.seq }}</td>
<td class="zi-muted">{{ r.timestamp | local(zone) }}</td><td>{{ r.evaluator }}</td>
<td>{{ label(r.code) }}: {{ r.previous | shown }} → <b>{{ r.answer | shown }}</b>{% if r.kind == 'undo' %}
 <span class="zi-muted">(urungkan)</span>{% endif %}</td><td>{{ r.note }}</td></tr>{% endfor %}</table>""",
                  records=records, zone=zone, label=label or (lambda code: code))


def live_value(s: Any, code: str) -> str:
    value = s.item_value(code)
    return render('<div class="zi-live">Nilai butir pada tingkat {{ tier }}: <b>{{ v }}</b> · kehilangan nilai '
                  'total {{ lost | num }}</div>', tier=TIER_LABEL.get(s.tier, s.tier),
                  v="belum dijawab" if value is None else pct(value, 1), lost=s.lost(code))


KEYS = [("A–E", "pilih opsi"), ("Y / T", "Ya / Tidak"), ("J / →", "butir berikutnya"), ("K / ←", "butir sebelumnya"),
        ("S / Ctrl+S", "simpan")]


def shortcuts() -> str:
    """The keyboard shortcuts, shown in the page."""
    return render('<div class="zi-keys">Pintasan papan ketik: {% for k, what in keys %}<kbd>{{ k }}</kbd> {{ what }}'
                  '{{ " · " if not loop.last }}{% endfor %}</div>', keys=KEYS)


def progress_line(done: int, count: int) -> str:
    return render('<div class="zi-prog">{{ done }} dari {{ count }} butir dinilai</div>', done=done, count=count)


def message(text: str, kind: str = "info") -> str:
    return render('<div class="zi-msg {{ kind }}">{{ text }}</div>', text=text, kind=kind) if text else ""


def picker_row(row: dict[str, Any]) -> str:
    """A unit of the unit list: its figures, or (``unavailable``, the team server) why it has none; with ``workflow``
    (the unit's status on the team server) the predikat says the review is not final before ``final TPI``."""
    return render("""<b>{{ r.unit_name }}</b> <span class="zi-muted">{{ r.unit_id }}</span>
{% if r.unavailable %}<div class="zi-muted">{{ r.instansi or '' }}{% if r.year %} · {{ r.year }}{% endif %} ·
 <i class="zi-nofig">{{ r.unavailable }}</i></div>{% else %}
<div class="zi-muted">{{ r.instansi or '' }}{% if r.year %} · {{ r.year }}{% endif %} · PMPZI
 {{ r.unit_total | num }} · {{ r.tier_label }} {{ r.tier_total | num }}
 <span class="zi-badge {{ r.predicate if r.status == 'final' and not review_unfinished(r.workflow) else 'pending'
 }}" style="font-size:11px;padding:2px 8px">
{{ plabel_review(r.predicate, r.status, r.workflow) }}</span>{% if r.status_text %} · {{ r.status_text }}{% endif %}
{% if r.workflow %} · status unit: <span class="zi-pstatus">{{ r.workflow }}</span>{% endif %}
{% if r.changes %} · {{ r.changes }} perubahan di ledger{% endif %}
{% if r.lacking %} · <span class="zi-ev-count">{{ r.lacking }} butir bukti dukung kurang</span>{% endif %}</div>
{% endif %}""", r=row)


def picker_head(title: str, count: int, tier: str) -> str:
    return render("""<div class="zi-head" style="border-radius:10px;display:block"><div class="zi-h-name">{{ title }}
</div><div class="zi-h-sub">{{ count }} unit · penilaian {{ tier }} · pilih unit yang akan dinilai</div></div>""",
                  title=title, count=count, tier=TIER_LABEL.get(tier, tier))


def status_fields(status: Any) -> dict[str, Any]:
    """The data status of a unit's result for its picker row: ``status`` (code) and ``status_text`` (with counts);
    a unit without answers in the tier has nothing to announce (``belum lengkap``, 0 answered)."""
    if status is None:
        return {"status": STATUS_INCOMPLETE, "status_text": ""}
    return {"status": status.status, "status_text": "" if status.final else status_detail(
        status.status, status.errors, status.answered, status.scorable)}


def _first_upper(text: str) -> str:
    """``"penilaian mandiri unit (PMPZI)"`` -> ``"Penilaian mandiri unit (PMPZI)"`` (str.capitalize lowers the rest)."""
    return text[:1].upper() + text[1:]
