"""HTML parts of the bukti dukung checklist (:mod:`zi_nb.app.evidence_panel`): the document rows, the evidence
findings of an item, the attached files and the unit's links. Jinja2 with autoescape (:func:`zi_nb.app.view.render`):
document names, notes, file names and links are always shown as text, never markup.

A download link carries the file itself as a ``data:`` address (``application/octet-stream``, so the browser saves it
and never opens it as a page): voila serves files only under the notebook's folder, and the evidence store is beside
the ledger. Files larger than :data:`INLINE_BYTES` get their link only when asked ("Siapkan unduhan"), so moving from
item to item never sends megabytes to the page.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from zi_nb.app.view import TIER_LABEL, render
from zi_nb.common.limits import size

INLINE_BYTES = 2 * 1024 * 1024  # a file up to this size is in the page as a download link at once

CSS = """<style>
.zi-evidence{border:1px solid #d9e2ee;border-radius:8px;padding:4px 10px 8px;margin:0 0 8px;background:#fff}
.zi-evidence .zi-sec{margin-top:6px}
.zi-ev-row{align-items:center;border-bottom:1px solid #eef2f7;padding:3px 0;gap:8px}
.zi-ev-row:last-child{border-bottom:none}
.zi-ev-label{flex:1 1 auto;min-width:0}
.zi-ev-doc{font-size:13px;line-height:1.35}.zi-ev-no{display:inline-block;min-width:20px;font-weight:700;color:#12355b}
.zi-ev-who{font-size:11.5px;color:#5b6776;margin-left:20px}.zi-ev-who b{font-weight:700}
.zi-ev-who b.ada{color:#1b7f3b}.zi-ev-who b.tidak-ada,.zi-ev-who b.tidak-sesuai{color:#a12622}
.zi-ev-why{font-size:12px;color:#6b4200;margin-left:20px;font-style:italic}
.zi-ev-btns{flex:0 0 auto;gap:4px}
.zi-app .jupyter-button.zi-ev-btn{width:auto;height:28px;padding:0 10px;border-radius:14px;font-size:12.5px;margin:0;
 background:#f1f4f8;color:#3b4756;border:1px solid #d5dde8}
.zi-app .jupyter-button.zi-ev-btn.zi-ev-ada.zi-ev-on{background:#1b7f3b;color:#fff;border-color:#1b7f3b}
.zi-app .jupyter-button.zi-ev-btn.zi-ev-tidak-ada.zi-ev-on,
.zi-app .jupyter-button.zi-ev-btn.zi-ev-tidak-sesuai.zi-ev-on{background:#b3261e;color:#fff;border-color:#b3261e}
.zi-ev-tools{align-items:flex-start;gap:8px;margin-top:6px}
.zi-app .zi-ev-note textarea{min-height:38px;height:38px;border-radius:8px;font-size:12.5px}
.zi-app .jupyter-button.zi-ev-all{background:#e8f5ec;color:#1b6b34;border:1px solid #b9e0c5;border-radius:8px;
 font-weight:700;height:38px;width:auto;min-width:120px}
.zi-ev-find{border-left:4px solid #e0a100;background:#fff8e6;border-radius:6px;padding:5px 9px;margin:2px 0 6px;
 font-size:12.5px;color:#4a3300}
.zi-ev-file{align-items:center;gap:8px;padding:2px 0;font-size:12.5px}
.zi-ev-file a{color:#1f5fa8;font-weight:600}
.zi-app .jupyter-button.zi-ev-prep,.zi-app .jupyter-button.zi-ev-copy{height:26px;width:auto;border-radius:8px;
 font-size:12px;padding:0 10px;background:#eef3fa;color:#12355b;border:1px solid #cddcf0}
.zi-app .jupyter-button.zi-ev-upload{height:30px;width:auto;flex:0 0 auto;border-radius:8px;background:#1f5fa8;
 color:#fff;font-weight:600;font-size:0;padding:0 12px}
.zi-app .jupyter-button.zi-ev-upload i{font-size:12.5px;margin-right:6px}
.zi-app .jupyter-button.zi-ev-upload::after{content:"Lampirkan berkas…";font-size:12.5px}
.zi-ev-addrow{align-items:center;gap:10px;margin:4px 0 2px}.zi-ev-hint{font-size:11.5px;color:#5b6776}
.zi-ev-notelbl{font-size:11.5px;color:#5b6776;margin:6px 0 2px}
.zi-ev-link{align-items:center;gap:8px;font-size:12px;color:#3b4756}
.zi-ev-link .zi-ev-url{overflow-wrap:anywhere}
</style>"""

VERDICT_CLASS = {"ada": "ada", "tidak ada": "tidak-ada", "tidak sesuai": "tidak-sesuai"}


def document_label(no: int, name: str, verdict: Any, zone: str, my_tier: str) -> str:
    """One required document: its number and name, then the verdict in force with who gave it and when."""
    return render("""<div class="zi-ev-doc"><span class="zi-ev-no">{{ no }}.</span>{{ name }}</div>
{% if v %}<div class="zi-ev-who"><b class="{{ cls }}">{{ v.verdict }}</b> · {{ v.evaluator }}{% if other %}
 ({{ other }}){% endif %} · {{ v.timestamp | local(zone) }}</div>
{% if v.note and v.verdict != 'ada' %}<div class="zi-ev-why">“{{ v.note }}”</div>{% endif %}
{% else %}<div class="zi-ev-who">belum dinilai</div>{% endif %}""", no=no, name=name, v=verdict, zone=zone,
                  cls=VERDICT_CLASS.get(verdict.verdict, "") if verdict else "",
                  other=TIER_LABEL.get(verdict.tier, verdict.tier) if verdict and verdict.tier != my_tier else "")


def heading(code: str, count: int, judged: int) -> str:
    if not count:
        return render('<div class="zi-sec">Bukti dukung</div><div class="zi-muted zi-ev-nodocs">Rubrik tidak '
                      "mencantumkan dokumen bukti dukung untuk butir {{ code }}; tidak ada yang perlu diperiksa."
                      "</div>", code=code)
    return render('<div class="zi-sec">Bukti dukung yang diperlukan · {{ judged }} dari {{ count }} dokumen dinilai'
                  "</div>", judged=judged, count=count)


def findings(messages: list[str]) -> str:
    """The evidence findings of the item (why it is in the filter "bukti dukung kurang")."""
    return render('{% for m in messages %}<div class="zi-ev-find">⚠ {{ m }}</div>{% endfor %}', messages=messages)


def file_info(att: Any, zone: str) -> str:
    """An attached file: name (text), kind, size, who attached it and when, and the link it was copied from."""
    return render("""<span><b class="zi-ev-name">{{ a.name }}</b> <span class="zi-muted">· {{ a.label }} ·
 {{ size }} · {{ a.evaluator }} ({{ tier }}) · {{ a.timestamp | local(zone) }}{% if a.source %} · salinan dari
 {{ a.source }}{% endif %}</span></span>""", a=att, size=size(att.size), zone=zone,
                  tier=TIER_LABEL.get(att.tier, att.tier))


def download_link(name: str, content: bytes) -> str:
    """A link that saves ``content`` under ``name`` (a ``data:`` address, never opened as a page)."""
    safe = re.sub(r"[\\/\x00-\x1f]", "_", name) or "berkas"
    data = base64.b64encode(content).decode("ascii")
    return render('<a class="zi-ev-dl" download="{{ name }}" href="data:application/octet-stream;base64,{{ data }}">'
                  "Unduh</a>", name=safe, data=data)


def link_line(url: str, saved: bool) -> str:
    return render('<span class="zi-muted">Tautan unit:</span> <span class="zi-ev-url">{{ url }}</span>'
                  '{% if saved %} <span class="ok">salinan tersimpan</span>{% endif %}', url=url, saved=saved)


__all__ = ["CSS", "INLINE_BYTES", "VERDICT_CLASS", "document_label", "download_link", "file_info", "findings",
           "heading", "link_line"]
