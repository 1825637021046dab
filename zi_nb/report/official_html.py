"""The official parts of the LHE as HTML sections: cover (kop, nomor, identity), simpulan, areas with their catatan
and rekomendasi, the next-predikat plan as actions, and the team with the signature block. Their content comes from
:mod:`zi_nb.report.official` (the Word document renders the same)."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from zi_nb.report import official
from zi_nb.report.html import Html, render
from zi_nb.report.labels import LABELS

if TYPE_CHECKING:
    from zi_nb.report.model import UnitReport


def _data_uri(path: object) -> str | None:
    if path is None:
        return None
    data = path.read_bytes()  # type: ignore[attr-defined]
    kind = "png" if data.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"


def section_cover(report: UnitReport) -> Html:
    """Kop (letterhead) with the logo, the title, nomor and date, and the identity of the unit and the evaluation."""
    c = official.cover(report)
    html = render("""
{% if c.kop or logo %}<div class="kop">{% if logo %}<img class="logo" src="{{ logo }}" alt="logo">{% endif %}
<div class="kop-text">{% for line in c.kop %}<div class="{{ 'kop1' if loop.first else 'kop2' }}">{{ line }}</div>
{% endfor %}</div></div>{% endif %}
<h1 class="title">{{ c.title }}</h1>
<p class="nomor">{{ t.nomor }}: {{ c.nomor or t.not_stated }}<br>{{ t.date }}: {{ c.date or t.not_stated }}</p>
<table class="id">
{% for label, value in c.rows %}<tr><td>{{ label }}</td><td>{{ value }}</td></tr>{% endfor %}
</table>""", report, c=c, logo=_data_uri(c["logo"]))
    header = " · ".join(p for p in (c["title"], report.unit_id, c["nomor"]) if p)
    return Html(html.html, {"zi_header": header})


def section_simpulan(report: UnitReport) -> Html:
    return render("""
<h2>{{ t.simpulan }}</h2>
{% for s in sentences %}<p class="simpulan">{{ s }}</p>{% endfor %}""", report, sentences=official.simpulan(report))


def section_areas(report: UnitReport) -> Html:
    """Each area's numbers with its catatan and rekomendasi beside it (as the circulated workbook's Utama sheet) and
    its bukti dukung (what the items lack, :mod:`zi_nb.report.evidence`), then the catatan for the unit as a whole."""
    rows = official.area_rows(report)
    parts = [p for p, _, _ in rows[0]["parts"]] if rows else []
    return render("""
<h2>{{ t.areas_notes }}</h2>
<table class="areas"><thead><tr><th>{{ t.area }}</th>{% for p in parts %}<th class="n">{{ t[p | lower] if (p | lower)
 in t else p }}</th>{% endfor %}<th class="n">Total</th><th class="n">{{ t.share }}</th></tr></thead>
{% for a in rows %}<tbody class="area"><tr class="area-head"><td><b>{{ a.code }}. {{ a.name }}</b>{% if a.failing %}
 <span class="ko">✗ {{ t.failing }} {{ a.failing | join(', ') }}</span>{% endif %}</td>
{% for _, v, w in a.parts %}<td class="n">{{ v | num(2, lang) }} / {{ w | num(2, lang) }}</td>{% endfor %}
<td class="n"><b>{{ a.total | num(2, lang) }}</b> / {{ a.weight | num(2, lang) }}</td>
<td class="n">{{ a.share | pct(1, lang) }}</td></tr>
<tr class="area-notes"><td colspan="{{ parts | length + 3 }}">{% if a.draft %}<div class="draft">{{ t.draft }}</div>
{% endif %}<div class="notes"><div><div class="lbl">{{ t.catatan }}</div>{{ a.catatan or '—' }}</div>
<div><div class="lbl">{{ t.rekomendasi }}</div>{% if a.rekomendasi %}<ul>{% for line in a.rekomendasi %}<li>{{ line
 }}</li>{% endfor %}</ul>{% else %}—{% endif %}</div></div>{% if a.evaluator %}<div class="muted small">{{ t.by }} {{
 a.evaluator }}</div>{% endif %}{% set e = a.evidence %}<div class="bukti"><span class="lbl">{{ t.evidence_block
 }}:</span> {{ e.summary }}{% if e['items'] %}<ul>{% for b in e['items'] %}<li><b>{{ b.code }}</b> <span class="q">{{
 b.question }}</span> — <span class="lack">{{ b.lacks | join('; ') }}</span></li>{% endfor %}</ul>{% endif %}
{% if e.more %}<div class="muted small">{{ e.more }}</div>{% endif %}</div></td></tr></tbody>{% endfor %}
</table>
{% if unit %}<h3>{{ t.unit_notes }}</h3><div class="notes"><div><div class="lbl">{{ t.catatan }}</div>{{ unit.catatan
 or '—' }}</div><div><div class="lbl">{{ t.rekomendasi }}</div>{% if unit.rekomendasi %}<ul>{% for line in
 unit.rekomendasi %}<li>{{ line }}</li>{% endfor %}</ul>{% else %}—{% endif %}</div></div>
<div class="muted small">{{ t.by }} {{ unit.evaluator }}</div>{% endif %}""", report, rows=rows, parts=parts,
                  unit=official.unit_note(report))


def section_next_predicate(report: UnitReport) -> Html:
    """The next predikat: what LKE answers cannot reach (said once), then the actions per area."""
    p = official.plan(report)
    return render("""
<h2>{{ t.next }}</h2>
{% if p.pending %}<p class="muted">{{ p.pending }}</p>{% elif p.already %}<p>{{ t.already }}</p>{% else %}
<p><b>{{ t.target }}: {{ p.target }}.</b> {{ p.headline }}</p>
{% if p.out_of_reach %}<table><tr><th>{{ t.criterion }}</th><th class="n">{{ t.value }}</th><th class="n">{{ t.minimum
 }}</th><th class="n">{{ t.shortfall }}</th><th class="n">{{ t.index_needed }}</th></tr>
{% for o in p.out_of_reach %}<tr><td>{{ o.name }}</td><td class="n">{{ o.value | num(2, lang) }}</td>
<td class="n">{{ o.minimum | num(2, lang) }}</td><td class="n ko">{{ o.shortfall | num(2, lang) }}</td>
<td class="n">{{ o.index_needed | num(2, lang) if o.index_needed is not none else '—' }}</td></tr>{% endfor %}
</table>{% endif %}
{% if p.partial %}<p>{{ p.partial }}</p>{% endif %}
{% for g in p.groups %}<h3>{% if g.code %}{{ g.code }}. {% endif %}{{ g.name }}</h3>
<table class="plan"><tr><th class="code">{{ t.item }}</th><th>{{ t.action }}</th>
<th class="code">{{ t.current_answer }}</th><th class="code">{{ t.target }}</th></tr>
{% for a in g.actions %}<tr><td class="code">{{ a.code }}</td><td>{{ a.text }}</td>
<td class="code">{{ a['from'] }}</td><td class="code">{{ a.to }}</td></tr>
{% endfor %}</table>{% endfor %}
<p class="muted small">{{ t.method_next }}</p>{% endif %}""", report, p=p)


def section_signature(report: UnitReport) -> Html:
    """The team and the signature block of the ketua tim (place, date, name, NIP)."""
    team, t = official.team(report), LABELS[report.lang]
    return render("""
<div class="sign-block"><h2>{{ t.team }}</h2>
{% if team.members %}<table class="team"><tr><th>{{ t.name }}</th><th>{{ t.nip }}</th><th>{{ t.role }}</th></tr>
{% for m in team.members %}<tr><td>{{ m.nama }}{% if m.jabatan %}<div class="muted small">{{ m.jabatan }}</div>{% endif
 %}</td><td>{{ m.nip or '—' }}</td><td>{{ m.peran }}</td></tr>{% endfor %}</table>
{% else %}<p class="muted">{{ t.no_team }}</p>{% endif %}
{% if team.claim %}<p class="ko">{{ t.sign_claim }}</p>{% else %}<div class="signature">
{% if not team.final %}<p class="ko">{{ unfinal }}</p>{% endif %}
<p>{{ place_date }}<br>
{{ t.signature_head }} {{ team.evaluator }}</p>
<div class="sign-space"></div>
<p><b>{{ team.ketua.nama if team.ketua else '(……………………………)' }}</b><br>{{ t.nip }} {{ team.ketua.nip if team.ketua and
 team.ketua.nip else '……………' }}</p>
</div>{% endif %}</div>""", report, team=team, unfinal=t["sign_unfinal"].format(status=team["status"]),
                  place_date=t["sign_place_date"].format(place=team["place"] or "……………", date=team["date"] or "……………"))
