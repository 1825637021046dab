"""The unit's risk signals in the evaluator app (issue 19): the "Risiko" view of a unit's review
(:class:`TriagePanel`) and the risk figure and order of the unit list (:class:`RiskBoard`).

Standalone (``zi-nb serve``), both come from :func:`zi_nb.engine.triage.triage` over every unit loaded (vectorised,
about 0,15 s for the 12 units of the sample), with the document verdicts and attachments of the local ledger when one
exists (:func:`risk_of`). The picker triages once per render; the Risiko view triages again each time it is opened,
so what the evaluator just saved is in the self-vs-reviewer gap. On the team server there is no local ledger: both
come from the ledger service's triage over the team ledger (``api/risiko``: :func:`service_figures`,
:func:`service_risk`), the one "Tugas saya" shows, so the three never disagree; a unit's PIC gets neither (the risk
is an evaluators' aid; the service refuses it to them too). The risk is the weighted sum of the signals (0..100
with the shipped weights of ``zi_nb/data/triage-bobot.yaml``): which self-assessment to check first, never a score
nor a predikat. The view renders a unit's triage in words (:func:`zi_nb.engine.triage.unit_summary`); the predikat
the triage computes is the unit's own claim, shown with the triage page's labels
(:func:`zi_nb.engine.triage.summary.label_predicates`: with the data status, "klaim unit (PMPZI), belum direviu"
when no TPI/TPN answered). A triage that fails, or a service unreachable or refusing, never stops the review nor
the unit list: a short message says so.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as W

from zi_nb.app import view
from zi_nb.app.widgets import cls, css_name, sec
from zi_nb.engine.triage import Triage, triage, unit_summary
from zi_nb.engine.triage.summary import label_predicates
from zi_nb.report.triage_page import LABELS
from zi_nb.review.ledger import Ledger, apply_ledger, default_path

__all__ = ["CSS", "Figures", "Risk", "RiskBoard", "TriagePanel", "local_figures", "local_risk", "risk_of",
           "service_figures", "service_risk"]

CSS = """<style>
.zi-risk-top{display:flex;gap:28px;align-items:flex-start;flex-wrap:wrap}
.zi-risk-score{font-size:34px;font-weight:800;font-variant-numeric:tabular-nums;line-height:1.05;color:#12355b}
.zi-risk-score small{font-size:13px;font-weight:600;color:#5b6776}
.zi-risk-rank{font-weight:700;color:#12355b}
.zi-risk-sig{border:1px solid #e1e7ef;border-radius:8px;padding:6px 10px 2px;margin-bottom:8px;background:#fafbfd}
.zi-risk-sig ul{margin:2px 0 6px 0;padding-left:18px}.zi-risk-sig li{margin:2px 0;color:#1d2733}
.zi-risk-sig .zi-bar span{background:#b4420a}
.zi-risk-chip{float:right;margin-left:12px;background:#fff4e0;color:#6b4200;border:1px solid #e6c58f;
 border-radius:12px;padding:1px 10px;font-size:12px;font-weight:700;white-space:nowrap}
.zi-risk-chip.none{background:#eef2f7;color:#3b4756;border-color:#d5dde7;font-weight:600}
.zi-app .jupyter-button.zi-risk-item{border-left-color:#b4420a}
.zi-risk-named{flex-wrap:wrap;gap:6px}.zi-app .jupyter-button.zi-risk-code{width:auto;height:28px;border-radius:14px;
 background:#eef3fa;color:#12355b;border:1px solid #cddcf0;font-weight:700;padding:0 12px}
.zi-picker .zi-risk-order .widget-toggle-button{background:#eef3fa;color:#12355b;border-radius:14px;width:auto;
 padding:0 12px;margin-right:6px;height:28px;font-weight:600}
.zi-picker .zi-risk-order .widget-toggle-button.mod-active{background:#1f5fa8;color:#fff}
.zi-picker .zi-risk-bar{align-items:center;gap:12px;margin:8px 0 2px}.zi-picker .zi-risk-order{flex:0 0 auto}
</style>"""

ERROR = "Risiko triase tidak dapat dihitung"
SERVICE_ERROR = "Risiko triase tidak dapat dibaca dari layanan ledger"
UNRANKED = ("Unit ini tidak diperingkat: triase menilai periode terakhir unit yang sama, dan ada periode yang lebih "
            "baru dalam masukan.")
SERVICE_UNRANKED = ("Unit ini tidak diperingkat oleh layanan ledger: tidak ada dalam masukan layanan, atau ada "
                    "periode yang lebih baru.")
T = LABELS["id"]
CODE = re.compile(r"\b[A-Z]{2,4}[0-9][A-Z0-9]*\b")  # an item code as the reasons write it (PPA1A, HBA)


@dataclass
class Risk:
    """The triage behind the Risiko view: ``result`` the local triage of every unit (None when it failed: ``error``
    says why, in words), or ``given`` the service's summaries (hub mode: unit -> summary, None when not ranked)."""

    result: Triage | None
    error: str = ""
    ledger: bool = False  # the ledger's document verdicts and attachments were used
    given: dict[str, dict[str, Any] | None] | None = None
    unranked: str = UNRANKED  # what the view says of a unit that is not ranked

    def row(self, unit_id: str) -> dict[str, Any] | None:
        """The unit's row of the local ranking (None when it is not ranked: the triage failed, or an earlier
        period, or the triage is the service's)."""
        if self.result is None:
            return None
        rows = self.result.table[self.result.table["unit_id"].eq(unit_id)].to_dict("records")
        return {str(k): v for k, v in rows[0].items()} if rows else None

    def summary(self, unit_id: str) -> dict[str, Any] | None:
        """The unit's triage in words (:func:`zi_nb.engine.triage.unit_summary` with ``ledger``), None when it is
        not ranked or the triage failed."""
        if self.given is not None:
            return self.given.get(unit_id)
        if self.result is None:
            return None
        found = unit_summary(self.result, unit_id, "id")
        return None if found is None else {**found, "ledger": self.ledger}


def risk_of(data: Any, records: list[Any] | None = None, labels: bool = True) -> Risk:
    """The triage of every unit of ``data`` (the ledger already applied to it), ``records`` the ledger's records
    (their document verdicts and attachments feed the evidence signal); ``labels``: add the predikat as it may be shown
    (``predicate_text``). Any failure is a :class:`Risk` carrying a short message."""
    try:
        verdicts = attachments = None
        if records:
            from zi_nb.review.evidence import attachment_frame, verdict_frame

            verdicts, attachments = verdict_frame(records), attachment_frame(records)
        result = triage(data.answers, data.units, data.rubric, None, None, verdicts, attachments)
        if labels:
            label_predicates(data, None, result, None, "id")
    except Exception as exc:  # an aid to the review: its failure is said, never raised into the app
        return Risk(None, f"{ERROR}: {exc}")
    return Risk(result, ledger=bool(records))


def local_risk(data: Any, ledger_path: str = "") -> Risk:
    """:func:`risk_of` with the local ledger's records (``ledger_path``, else the default ledger) when it exists."""
    try:
        path = Path(ledger_path) if ledger_path else default_path()
        records = Ledger(path).records() if path.is_file() else []
        applied = apply_ledger(data, records=records) if records else data
    except Exception as exc:
        return Risk(None, f"{ERROR}: {exc}")
    return risk_of(applied, records)


def service_risk(client: Any, unit_id: str) -> Risk:
    """The service's triage of ``unit_id`` (``api/risiko?unit=U``, over the team ledger) as a :class:`Risk`; the
    service unreachable or refusing is a :class:`Risk` carrying its message."""
    try:
        found = client.risk_summary(unit_id)
        if found is not None and not isinstance(found, Mapping):
            raise ValueError("jawaban tidak dikenal")
    except Exception as exc:  # an aid to the review: its failure is said, never raised into the app
        return Risk(None, f"{SERVICE_ERROR}: {exc}")
    given = None if found is None else dict(found)
    return Risk(None, ledger=bool(given and given.get("ledger")), given={unit_id: given}, unranked=SERVICE_UNRANKED)


@dataclass
class Figures:
    """The unit list's risk figures: unit -> ``{"risk", "rank"}``; ``count`` the units ranked, ``error`` why there
    are none (in words), ``shown`` False for a user who may not see the risk (a unit's PIC on the team server),
    ``every`` True when a unit without a figure is not ranked (standalone: it is said), False when it may only be
    one the service does not give this user (no figure is shown)."""

    by_unit: dict[str, dict[str, Any]] = field(default_factory=dict)
    count: int = 0
    error: str = ""
    ledger: bool = False
    shown: bool = True
    every: bool = True
    source: str = ""  # where the triage was made, said under the order control


def local_figures(data: Any, records: list[Any] | None = None) -> Figures:
    """The figures of one local triage of every unit (:func:`risk_of`, without the labels)."""
    risk = risk_of(data, records, labels=False)
    if risk.result is None:
        return Figures(error=risk.error)
    table = risk.result.table
    return Figures({str(u): {"risk": float(r), "rank": int(k)} for u, r, k in zip(table["unit_id"], table["risk"],
                                                                                   table["rank"])},
                   len(table), ledger=risk.ledger)


def service_figures(client: Any) -> Figures:
    """The figures of the service's triage over the team ledger (``api/risiko``: the units this user reviews); the
    service unreachable or refusing is a :class:`Figures` carrying its message."""
    try:
        found = client.risks()
        units = found.get("units") or {}
        by_unit = {str(u): {"risk": float(f["score"]), "rank": int(f["rank"])} for u, f in units.items() if f}
        count = int(found.get("of") or max((int(f["of"]) for f in units.values() if f), default=0))
    except Exception as exc:  # LedgerError (unreachable, refused) or an answer not understood: said, never raised
        return Figures(error=f"{SERVICE_ERROR}: {exc}", every=False)
    return Figures(by_unit, count, ledger=bool(found.get("ledger")), every=False, source=" tim")


def _chip(figure: dict[str, Any] | None) -> str:
    """The risk figure of a unit's picker row: ``figure`` has its ``risk`` and ``rank`` (None: not ranked)."""
    if figure is None:
        return view.render('<span class="zi-risk-chip none" title="Unit ini tidak diperingkat (ada periode yang '
                           'lebih baru)">Risiko -</span>')
    return view.render('<span class="zi-risk-chip zi-risk-of" title="Risiko triase penilaian mandiri (0 sampai 100): '
                       'makin tinggi, makin dulu diperiksa">Risiko {{ risk | num(1) }} · #{{ rank }}</span>',
                       risk=float(figure["risk"]), rank=int(figure["rank"]))


class RiskBoard:
    """The unit list's risk figures and its order control (:class:`Figures`: :func:`local_figures` standalone,
    :func:`service_figures` on the team server; ``Figures(shown=False)``: neither, for a unit's PIC)."""

    def __init__(self, figures: Figures) -> None:
        self.figures = figures
        self.figure = figures.by_unit
        self.rank: dict[str, int] = {u: int(f["rank"]) for u, f in figures.by_unit.items()}
        self.box = cls(W.VBox(), "zi-prows")
        self.order = cls(W.ToggleButtons(options=[("Urutan daftar", "list"), ("Risiko tertinggi dulu", "risk")],
                                         value="list", tooltips=["Urutan masukan", "Risiko triase menurun: yang "
                                                                 "perlu diperiksa lebih dulu di atas"]),
                         "zi-risk-order")
        self.order.observe(lambda _: self.sort(), "value")
        self.rows: list[Any] = []
        self.units: list[str] = []

    @classmethod
    def local(cls, data: Any, records: list[Any] | None = None) -> RiskBoard:
        """The board of one local triage of every unit of ``data`` (the ledger applied, ``records`` its records)."""
        return cls(local_figures(data, records))

    @property
    def working(self) -> bool:
        return self.figures.shown and not self.figures.error

    def add(self, row: Any, unit_id: str) -> None:
        """Put the unit's risk figure ("Risiko 47,5 · #1") at the right of its picker row (an HBox whose first child
        is the row's HTML) and keep the row for the order by risk; call it for every row, in the list's order."""
        self.rows.append(row)
        self.units.append(str(unit_id))
        figure = self.figure.get(str(unit_id))
        if self.working and (figure is not None or self.figures.every):
            row.children[0].value = _chip(figure) + row.children[0].value

    def header(self, head: Any) -> W.VBox:
        """``head`` with the order control under it, or the short message saying the triage failed (nothing for a
        user who may not see the risk); the rows added go into :attr:`box` (once: a widget's children sent once to
        the page)."""
        self.box.children = list(self.rows)
        if not self.figures.shown:
            return W.VBox([head])
        if self.figures.error:
            return W.VBox([head, cls(W.HTML(view.message(self.figures.error, "err")), "zi-risk-error")])
        style = W.HTML(CSS, layout=W.Layout(display="none"))
        note = W.HTML(view.render('<span class="zi-muted">Risiko triase penilaian mandiri atas {{ n }} unit'
                                  '{{ " (dengan ledger" ~ source ~ ")" if ledger }}: makin tinggi, makin dulu '
                                  'diperiksa; bukan nilai dan bukan predikat.</span>', n=self.figures.count,
                                  ledger=self.figures.ledger, source=self.figures.source))
        return W.VBox([head, cls(W.HBox([W.HTML('<b style="color:#12355b">Urutkan</b>'), self.order, note]),
                                 "zi-risk-bar"), style])

    def sort(self) -> None:
        """The rows in the list's order, or by risk descending (ties as the triage ranks them: unit id); a unit not
        ranked goes last."""
        pairs = list(zip(self.units, self.rows))
        if self.order.value == "risk":
            last = len(pairs) + 1
            pairs = sorted(pairs, key=lambda p: self.rank.get(p[0], last))
        self.box.children = [r for _, r in pairs]


class TriagePanel:
    """The "Risiko" view of one unit's review: its risk and rank, every signal with its strength and reasons, and the
    items to check first as buttons opening the item, rendered from the unit's summary
    (:meth:`Risk.summary`). ``source`` gives the triage (:class:`Risk`: local, or the service's); ``bench`` is the
    :class:`zi_nb.app.unit_review.Workbench` whose middle column shows the view."""

    def __init__(self, session: Any, bench: Any, source: Callable[[], Risk]) -> None:
        self.s, self.bench, self.source = session, bench, source
        self.button = cls(W.Button(description="Risiko", icon="exclamation-triangle",
                                   tooltip="Sinyal risiko penilaian mandiri unit ini: apa yang diperiksa lebih dulu"),
                          "zi-back", "zi-risk-mode")
        self.button.on_click(lambda _: self.toggle())
        self.head = cls(W.HTML(), "zi-risk-head")
        self.items = cls(W.VBox(), "zi-risk-items")
        self.items_note = cls(W.HTML(), "zi-risk-items-note")
        self.item_buttons: dict[str, W.Button] = {}
        self.named = cls(W.HBox(), "zi-risk-named")  # the items the signals' reasons name, as buttons too
        self.named_title = W.HTML()
        self.named_buttons: dict[str, W.Button] = {}
        self.widget = cls(W.VBox([W.HTML(CSS), self.head, sec("Butir yang diperiksa lebih dulu"), self.items_note,
                                  self.items, self.named_title, self.named]), "zi-panel", "zi-card", "zi-risk")
        self._watching = False

    def toggle(self) -> None:
        """Show the view in the middle column (triaged afresh), or go back to the item card."""
        b = self.bench
        if not self._watching:  # the other modes switch the middle column too: the button follows
            b.body.observe(lambda _: self._follow(), "children")
            self._watching = True
        showing = b.body.children[1] is self.widget
        if not showing:
            self.refresh()
        b.body.children = (b.body.children[0], b.card if showing else self.widget, b.body.children[2])
        b.mode.description = "Catatan & LHE"

    def _follow(self) -> None:
        self.button.description = "Kembali ke butir" if self.bench.body.children[1] is self.widget else "Risiko"

    def open_item(self, code: str) -> None:
        """Back to the item card, on ``code``."""
        b = self.bench
        b.body.children = (b.body.children[0], b.card, b.body.children[2])
        b.goto(code)

    def refresh(self) -> None:
        risk = self.source()
        try:
            summary = None if risk.error else risk.summary(self.s.unit_id)
        except Exception as exc:  # an aid to the review: its failure is said, never raised into the app
            risk, summary = Risk(None, f"{ERROR}: {exc}"), None
        self.item_buttons, self.named_buttons = {}, {}
        self.named_title.value, self.named.children = "", []
        if summary is None:
            text = risk.error or risk.unranked
            self.head.value = self._title() + view.message(text, "err" if risk.error else "info")
            self.items_note.value, self.items.children = "", []
            return
        self.head.value = self._title() + self._summary(summary)
        self._items(summary)
        self._named([str(r) for r in summary.get("reasons") or []])

    def _title(self) -> str:
        return ('<div class="zi-q">Risiko penilaian mandiri</div><div class="zi-muted">Triase: mana yang perlu '
                "diperiksa lebih dulu. Risiko adalah jumlah sinyal berbobot; ini bukan nilai dan bukan predikat."
                "</div>")

    def _summary(self, summary: Mapping[str, Any]) -> str:
        return view.render("""
<div class="zi-risk-top"><div><div class="zi-sec">Risiko</div>
<div class="zi-risk-score">{{ risk | num(1) }} <small>dari {{ maximum | num(0) }}</small></div>
<div class="zi-risk-rank">peringkat {{ rank }} dari {{ count }} unit</div></div>
<div style="flex:1 1 260px"><div class="zi-sec">Predikat menurut penilaian mandiri unit (PMPZI)</div>
<div class="zi-risk-pred"><b>{{ predicate }}</b></div>
<div class="zi-muted">Nilai mandiri {{ total_unit | num }} · nilai TPI/TPN {{ total_reviewed | num }}</div></div></div>
<div class="zi-sec">Sinyal</div>
{% for g in signals if g.strength > 0 %}<div class="zi-risk-sig zi-risk-sig-{{ g.key }}">
<div class="zi-arow"><span><b>{{ g.name }}</b></span><b>kekuatan {{ g.strength | num }}
<span class="zi-muted">· {{ g.points | num(1) }} dari {{ g.weight | num(0) }} poin risiko</span></b></div>
<div class="zi-bar"><span style="width:{{ (g.strength * 100) | round(1) }}%"></span></div>
{% if g.reasons %}<ul>{% for r in g.reasons %}<li>{{ r }}</li>{% endfor %}</ul>{% endif %}</div>
{% else %}<div class="zi-muted">Tidak ada sinyal.</div>{% endfor %}
{% set quiet = signals | rejectattr("strength") | map(attribute="name") | list %}
{% if quiet %}<div class="zi-muted zi-risk-quiet">Tanpa sinyal: {{ quiet | join(", ") }}.</div>{% endif %}
<div class="zi-muted" style="margin-top:6px">Triase atas {{ count }} unit yang dimuat{{ ", dengan penilaian bukti \
dukung di ledger" if ledger }} · bobot {{ weights_file }}</div>""",
                           risk=float(summary["score"]), maximum=float(summary["maximum"]), rank=int(summary["rank"]),
                           count=int(summary["count"]), predicate=str(summary.get("predicate_text") or "-"),
                           total_unit=summary.get("total_unit"), total_reviewed=summary.get("total_reviewed"),
                           signals=list(summary.get("signals") or []), ledger=bool(summary.get("ledger")),
                           weights_file=str(summary.get("weights_file") or ""))

    def _items(self, summary: Mapping[str, Any]) -> None:
        codes = [str(c) for c in summary.get("items_to_check") or [] if c in self.s.rubric.item_by_code]
        for code in codes:
            q = self.s.rubric.item_by_code[code].question
            short = q if len(q) <= 90 else q[:88].rstrip() + "…"
            b = cls(W.Button(description=f"{code} · {short}", tooltip=f"Buka butir {code}: {q}",
                             layout=W.Layout(width="100%")), "zi-navbtn", "zi-risk-item",
                    f"zi-risk-item-{css_name(code)}")
            b.on_click(lambda _, c=code: self.open_item(c))
            self.item_buttons[code] = b
        self.items.children = list(self.item_buttons.values())
        if codes:
            note = T["items_hint"] + "; klik untuk membuka butir."
        elif summary.get("predicate") == "TIDAK":
            note = "Tidak ada: penilaian mandiri unit ini belum memenuhi kriteria predikat."
        else:
            more = T["more"].format(n=summary.get("max_items", "-"))
            note = f"Predikat penilaian mandiri baru berubah bila {more} diturunkan."
        self.items_note.value = f'<div class="zi-muted">{html.escape(note)}</div>'

    def _named(self, reasons: list[str]) -> None:
        """The items the reasons name (evidence without checks, contradicting answers, reused links) as buttons."""
        codes = [c for c in dict.fromkeys(CODE.findall(" ".join(reasons)))
                 if c in self.s.rubric.item_by_code and c not in self.item_buttons]
        for code in codes:
            question = self.s.rubric.item_by_code[code].question
            b = cls(W.Button(description=code, tooltip=f"Buka butir {code}: {question}", layout=W.Layout(width="auto")),
                    "zi-risk-code", f"zi-risk-code-{css_name(code)}")
            b.on_click(lambda _, c=code: self.open_item(c))
            self.named_buttons[code] = b
        self.named.children = list(self.named_buttons.values())
        self.named_title.value = ('<div class="zi-muted" style="margin-top:8px">Butir yang disebut dalam alasan sinyal '
                                  "di atas:</div>") if codes else ""
